-- 0008_audit_key_id: audit entries name the master key whose audit key made
-- their hash, so that `hearth keys rotate` can change the key while nodes
-- keep appending: the verifier checks each entry, and the head, with the key
-- it names (the current one, or a previous or destroyed one whose audit key
-- the key file keeps). Entries written before this migration were made with
-- key 1, the key `hearth init` created.
--
-- No column here holds personal data: key_id is a small number naming a
-- master key, never key material.
ALTER TABLE audit_log ADD COLUMN key_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_head ADD COLUMN key_id INTEGER NOT NULL DEFAULT 1;
