-- Revision 0018 down: undoes 0018_ga4_source_categories.sql.
-- The list is data: revision 0016 works with any list, and a name added
-- since may be one the user relies on, so the names stay.
DROP TABLE IF EXISTS attrib.run_referrals;
