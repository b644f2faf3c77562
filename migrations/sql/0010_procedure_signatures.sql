-- Revision 0010 up: deploy remembers which object each procedures/ file
-- made, so a file whose signature changed, or a file that was removed,
-- leaves no stray overload or orphan behind (attrib.procedures.apply).
ALTER TABLE attrib.deployed_procedures ADD COLUMN signature text;
COMMENT ON COLUMN attrib.deployed_procedures.signature IS
  'The function or procedure the file created, as regprocedure text (attrib.name(argtypes))';
