-- 0009_messages: one outbox for email, the inbox every message also lands
-- in, live events for the streams of /api/v1/events, and what each person
-- wants by email.
--
-- A message is written in the same transaction as the change that causes
-- it (an offer, a cancellation, an alert), so it is never lost and never
-- sent for a change that rolled back. Its words are not stored: `kind` and
-- `params` (ids and times only, never a person's details) are turned into
-- an email in the recipient's language when it is sent, and into words by
-- the UI when the inbox is read.

CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER REFERENCES organisations(id),
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    -- the login whose inbox shows it; NULL for a participant without one
  participant_id INTEGER REFERENCES participants(id),
    -- a participant recipient: emailed at their contact address while the
    -- contact consent allows (asked when sending, not when writing)
  kind TEXT NOT NULL,           -- src/messages/kinds.c
  in_inbox INTEGER NOT NULL DEFAULT 1,
    -- 0 for email-only kinds (a reset link for someone who cannot log in)
  params TEXT NOT NULL DEFAULT '{}',
    -- JSON of ids and times for the words; never names, notes or needs
  secret BLOB,                  -- a one-time link's token, sealed with the server's key;
                                -- cleared once the message is sent or has failed
  email_state TEXT NOT NULL DEFAULT 'queued'
    CHECK (email_state IN ('none', 'queued', 'sending', 'sent', 'failed', 'cancelled')),
    -- 'none': inbox only (the person chose it, or has no address we may use)
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,     -- not sent before (retry backoff, quiet hours, reminders)
  claimed_by TEXT,              -- the node sending it
  claimed_until INTEGER,        -- a claim not finished by then is taken again
  last_error TEXT,              -- why the last try failed (no personal data)
  sent_via TEXT CHECK (sent_via IN ('smtp', 'file')),
  sent_at INTEGER,
  message_id TEXT,              -- the email's Message-ID, the same on every try
  cancel_key TEXT,              -- cancels a queued reminder whose reason went away
  created_at INTEGER NOT NULL,
  shown_at INTEGER NOT NULL,    -- when the inbox shows it: a reminder, once it is due
  read_at INTEGER               -- read in the inbox
);
CREATE INDEX messages_due ON messages (email_state, next_at);
CREATE INDEX messages_inbox ON messages (user_id, id);
CREATE INDEX messages_participant ON messages (participant_id);
CREATE INDEX messages_cancel ON messages (cancel_key);

-- Live events: what a stream tells its user. Only ids travel (NOTIFY
-- carries nothing but a wake-up on PostgreSQL); kept for a day so that a
-- reconnecting stream (Last-Event-ID) misses nothing.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organisation_id INTEGER REFERENCES organisations(id),
    -- the organisation of the thing; the user must still see it when sent
  kind TEXT NOT NULL,           -- 'message', ...
  ref_id INTEGER,               -- the thing that changed (the message's id, ...)
  created_at INTEGER NOT NULL
);
CREATE INDEX events_user ON events (user_id, id);
CREATE INDEX events_created ON events (created_at);

-- What a person wants by email. One row per login or per participant
-- without one; no row means the defaults (every kind by email, no quiet
-- hours, the language of the account).
CREATE TABLE message_prefs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  participant_id INTEGER UNIQUE REFERENCES participants(id),
  lang TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'es')),
  inbox_only TEXT NOT NULL DEFAULT ',',
    -- kinds this person gets in the inbox only, not by email (',kind,kind,')
  quiet_start TEXT,             -- 'HH:MM' in time_zone: non-urgent email waits
  quiet_end TEXT,               -- until this time (both or neither)
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  updated_at INTEGER NOT NULL,
  CHECK (user_id IS NOT NULL OR participant_id IS NOT NULL)
);
