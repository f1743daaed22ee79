-- 0001_core: identity, access, sessions, login throttling and the audit log.
-- Times are integer seconds since the Unix epoch (UTC).

CREATE TABLE organisations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,            -- organisation name, not personal data
  kind TEXT NOT NULL CHECK (kind IN ('arts', 'mental_health', 'partner')),
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,           -- PERSONAL: staff login, stored lower-case
  display_name TEXT NOT NULL,           -- PERSONAL: name shown in the UI
  password_hash TEXT,                   -- Argon2id string; NULL = cannot log in
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE memberships (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'facilitator', 'clinician',
                                     'peer_supporter', 'moderator', 'funder', 'participant')),
  created_at INTEGER NOT NULL,
  UNIQUE (user_id, organisation_id, role)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,      -- BLAKE2b of the cookie token; the token itself is never stored
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL           -- absolute expiry
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,      -- BLAKE2b of the bearer token
  role TEXT NOT NULL,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
);

CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,                 -- 'acct:' or 'addr:' + keyed hash; never the raw email or address
  failures INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_id INTEGER,                     -- user id (no name or email: ids only)
  actor_token_id INTEGER,               -- the API token used, when not a browser session
  organisation_id INTEGER,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,               -- e.g. 'user:12'; never a person's details
  outcome TEXT NOT NULL,
  request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit_log (actor_id, id);
CREATE INDEX audit_resource ON audit_log (resource, id);
CREATE INDEX audit_at ON audit_log (at, id);

-- One row holding the chain's head, updated in the same transaction as each
-- append: it serialises writers and lets the verifier notice a removed tail.
-- mac is a keyed hash of (last_id, last_hash), so the head cannot be moved
-- back by someone without the key file.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  mac TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, 'genesis');
