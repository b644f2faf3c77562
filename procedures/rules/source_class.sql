-- attrib.source_class: definitions §5 class (search, social, video, shopping, email
-- or ai) of a source or host: the class of the name attrib.source_match
-- finds in attrib.source_classes; NULL when no name matches.
CREATE OR REPLACE FUNCTION attrib.source_class(p_value text)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.class FROM attrib.source_match(p_value) m;
END;

COMMENT ON FUNCTION attrib.source_class(text) IS
  'Definitions §5 class of a source or host from attrib.source_classes (attrib.source_match''s winner); NULL when none matches';
