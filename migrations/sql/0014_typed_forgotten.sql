-- Revision 0014 up: forgotten ids are typed (definitions §2). An id recorded as a
-- user id matches only a row's user_id, one recorded as an anonymous id
-- only its anonymous_id: a visitor who sent someone's user id as its own
-- anonymous id can no longer make that person forgotten by being forgotten.
-- Rows recorded before were the erased user id (id = user_id) and the
-- anonymous ids paired with it: typed so. Source rows that the untyped
-- check rejected wrongly come back with `attrib run --full`.
ALTER TABLE attrib.forgotten ADD COLUMN kind text;
UPDATE attrib.forgotten SET kind = CASE WHEN id = user_id THEN 'user_id' ELSE 'anonymous_id' END;
ALTER TABLE attrib.forgotten
    ALTER COLUMN kind SET NOT NULL,
    ADD CONSTRAINT forgotten_kind_check CHECK (kind IN ('user_id', 'anonymous_id')),
    DROP CONSTRAINT forgotten_pkey,
    ADD PRIMARY KEY (kind, id);
COMMENT ON COLUMN attrib.forgotten.kind IS
  'user_id: matches a source row''s user_id only; anonymous_id: matches its anonymous_id only (definitions §2)';
COMMENT ON COLUMN attrib.forgotten.user_id IS 'The user id of the erasure request that recorded this id';
COMMENT ON TABLE attrib.forgotten IS
  'Ids erased on request (attrib forget), typed: the user id, and every anonymous id that user owned (definitions §3); '
  'their rows are rejects';
