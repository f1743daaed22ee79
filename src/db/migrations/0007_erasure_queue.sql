-- Erasure requests the person and the admins can follow. Why a request was
-- rejected is written about the person, so from now on it is sealed with
-- their data key (erasure shreds it) and shown to them on their data page
-- and in their export. The clear-text column `reason` is no longer written,
-- and reasons written before this migration are cleared (there is no key in
-- SQL to seal them with); those requests still read as rejected.
ALTER TABLE erasure_requests ADD COLUMN reason_sealed BLOB;
  -- PERSONAL, sealed with the data key of erasure_requests.participant_id
UPDATE erasure_requests SET reason = NULL;
