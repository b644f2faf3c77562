-- Revision 0007 down: undoes 0007_channel_group_sources.sql (the list's names stay, but for the two new classes).
ALTER TABLE attrib.settings DROP CONSTRAINT IF EXISTS settings_referral_exclusions_are_host_names;
DELETE FROM attrib.settings WHERE name = 'referral_exclusions';
-- the two new classes have no place in the old list
DELETE FROM attrib.source_classes WHERE class IN ('video', 'shopping');
ALTER TABLE attrib.source_classes DROP CONSTRAINT source_classes_class_check;
ALTER TABLE attrib.source_classes ADD CONSTRAINT source_classes_class_check
    CHECK (class IN ('search', 'social', 'email', 'ai'));
