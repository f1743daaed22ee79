-- 0010_account_links: one-time links sent by email (src/people/links.c).
--
-- A staff invitation ('invite', seven days) lets a participant set a
-- password and get their login; a forgotten password ('reset', thirty
-- minutes) lets a user set a new one. The token travels only in the email
-- (sealed in the outbox until sent); the database keeps a keyed hash of it,
-- so a copy of the database cannot open anyone's account. A link works once.

CREATE TABLE account_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    -- the login a reset link sets the password of
  participant_id INTEGER REFERENCES participants(id),
    -- the person an invitation makes a login for
  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
  token_hash TEXT NOT NULL UNIQUE, -- keyed hash of the token, never the token
  expires_at INTEGER NOT NULL,
  used_at INTEGER,                 -- set once: the link works once
  created_at INTEGER NOT NULL,
  CHECK (user_id IS NOT NULL OR participant_id IS NOT NULL)
);
CREATE INDEX account_links_user ON account_links (user_id);
CREATE INDEX account_links_participant ON account_links (participant_id);
