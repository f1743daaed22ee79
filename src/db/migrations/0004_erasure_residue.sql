-- 0004_erasure_residue: free text a person writes, or that is written about
-- them, is sealed with that person's data key, so that erasure (which
-- destroys the key) reaches it everywhere, backups included.
--
-- Rows written before this migration still hold their text in the clear:
-- a migration cannot seal (the keys are not in SQL). `hearth serve` seals
-- them once at start-up (programs_seal_leftovers(), idempotent).

-- A support's practical note. `notes` stays '' for every new row.
ALTER TABLE supports ADD COLUMN notes_sealed BLOB;
  -- PERSONAL, sealed with the data key of supports.participant_id

-- A theme a participant proposed: its title and description are sealed with
-- the proposer's data key; `title` and `description` stay '' for those rows.
-- Once the proposer is erased the theme shows as removed (votes stay).
ALTER TABLE themes ADD COLUMN participant_id INTEGER REFERENCES participants(id);
  -- the proposer's participant record, when a participant proposed it
ALTER TABLE themes ADD COLUMN sealed BLOB;
  -- PERSONAL, sealed with the proposer's data key: {"title": ..., "description": ...}
CREATE INDEX themes_person ON themes (participant_id);
