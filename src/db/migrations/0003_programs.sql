-- 0003_programs: listening rounds, themes and votes, "you said, we did",
-- venues, programmes and their sessions, roster, training records,
-- enrolment and waitlist, supports, attendance, follow-up and calendar feeds.
--
-- Times are UTC epoch seconds; dates a person picks ('YYYY-MM-DD') and wall
-- clock times ('HH:MM') are kept as text together with the programme's IANA
-- time zone, so a session keeps its local time across daylight saving.
-- Lists of choices (languages, accessibility features) are stored as text
-- with a comma on each side (',en,es,') so that one LIKE finds a member.

-- Listening: a round of needs gathering, answered in person or online.
CREATE TABLE listening_rounds (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  opens_at INTEGER NOT NULL,
  closes_at INTEGER,            -- planned close; voting stops when status is 'closed'
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE INDEX listening_rounds_org ON listening_rounds (organisation_id, id);

CREATE TABLE listening_responses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  round_id INTEGER NOT NULL REFERENCES listening_rounds(id),
  participant_id INTEGER REFERENCES participants(id),  -- NULL when anonymous
  channel TEXT NOT NULL CHECK (channel IN ('in_person', 'online')),
  lang TEXT NOT NULL CHECK (lang IN ('en', 'es')),
  answers BLOB NOT NULL,        -- PERSONAL when attributed: sealed with the person's data key;
                                -- anonymous answers are kept as JSON text with no link to anyone
  sealed INTEGER NOT NULL DEFAULT 0,
  entered_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX listening_responses_round ON listening_responses (round_id, id);
CREATE INDEX listening_responses_person ON listening_responses (participant_id);

CREATE TABLE themes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  round_id INTEGER NOT NULL REFERENCES listening_rounds(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  proposed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  proposer_kind TEXT NOT NULL CHECK (proposer_kind IN ('participant', 'staff')),
  outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'acted', 'not_acted')),
  outcome_reason TEXT,          -- required when not acted on: says why
  created_at INTEGER NOT NULL
);
CREATE INDEX themes_round ON themes (round_id, id);

-- One person, one vote per round; changeable until the round closes.
CREATE TABLE theme_votes (
  round_id INTEGER NOT NULL REFERENCES listening_rounds(id),
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  theme_id INTEGER NOT NULL REFERENCES themes(id),
  voted_at INTEGER NOT NULL,
  PRIMARY KEY (round_id, participant_id)
);
CREATE INDEX theme_votes_theme ON theme_votes (theme_id);

-- "You said, we did": a decision and the feedback that led to it.
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  round_id INTEGER REFERENCES listening_rounds(id),
  kind TEXT NOT NULL CHECK (kind IN ('new_programme', 'changed_time', 'new_venue',
                                     'changed_programme', 'other')),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  programme_id INTEGER,         -- the programme it made or changed, if any
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX decisions_org ON decisions (organisation_id, id);

CREATE TABLE decision_links (
  decision_id INTEGER NOT NULL REFERENCES decisions(id),
  theme_id INTEGER REFERENCES themes(id),
  response_id INTEGER REFERENCES listening_responses(id)
);
CREATE INDEX decision_links_decision ON decision_links (decision_id);

CREATE TABLE venues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  capacity INTEGER NOT NULL,
  features INTEGER NOT NULL DEFAULT 0,   -- bit set of venue_features (src/programs/programs.h)
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX venues_org ON venues (organisation_id, id);

CREATE TABLE programmes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  title TEXT NOT NULL,
  art_form TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  languages TEXT NOT NULL,      -- ',en,es,'
  format TEXT NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
  capacity INTEGER NOT NULL,
  therapeutic INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
  timezone TEXT NOT NULL,       -- IANA name, e.g. 'Europe/London'
  start_date TEXT NOT NULL,     -- 'YYYY-MM-DD' (local)
  end_date TEXT,
  start_time TEXT NOT NULL,     -- 'HH:MM' (local)
  duration_minutes INTEGER NOT NULL,
  rrule TEXT,                   -- RFC 5545 subset; NULL = one session on start_date
  exdates TEXT NOT NULL DEFAULT '',   -- ',YYYY-MM-DD,...' local dates the rule skips
  weekdays INTEGER NOT NULL DEFAULT 0, -- bit set of local weekdays (bit 0 = Monday), for fit ranking
  start_minute INTEGER NOT NULL DEFAULT 0, -- start_time as minutes after midnight, for fit ranking
  venue_id INTEGER REFERENCES venues(id),
  online_link TEXT,
  trauma_plan TEXT NOT NULL DEFAULT '{}', -- JSON: grounding, difficult_content, debrief, opt_out
  funding_stream TEXT NOT NULL DEFAULT '',
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  published_at INTEGER
);
CREATE INDEX programmes_org ON programmes (organisation_id, id);
CREATE INDEX programmes_status ON programmes (status, id);

-- The co-design team: artists, mental-health partners, participants, staff.
CREATE TABLE programme_team (
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  role TEXT NOT NULL CHECK (role IN ('artist_facilitator', 'mental_health_partner',
                                     'participant_co_designer', 'coordinator', 'other')),
  PRIMARY KEY (programme_id, user_id, role)
);

CREATE TABLE programme_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  original_start INTEGER,       -- the slot the recurrence gave it (RECURRENCE-ID); NULL if added by hand
  venue_id INTEGER REFERENCES venues(id),
  online_link TEXT,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
  was_published INTEGER NOT NULL DEFAULT 0,  -- a cancelled session people had seen stays in feeds
  cancel_reason TEXT,
  cancelled_at INTEGER,
  edited INTEGER NOT NULL DEFAULT 0,         -- changed by hand after generation
  sequence INTEGER NOT NULL DEFAULT 0,       -- iCalendar SEQUENCE: bumped on every change
  updated_at INTEGER NOT NULL
);
CREATE INDEX psessions_programme ON programme_sessions (programme_id, starts_at);
CREATE INDEX psessions_venue ON programme_sessions (venue_id, starts_at);
CREATE INDEX psessions_start ON programme_sessions (starts_at);

-- Who does what in a session. A participant lead is a participant stepping
-- into leadership: participant_id is set instead of user_id.
CREATE TABLE roster (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES programme_sessions(id),
  user_id INTEGER REFERENCES users(id),
  participant_id INTEGER REFERENCES participants(id),
  role TEXT NOT NULL CHECK (role IN ('lead', 'co_facilitator', 'participant_lead', 'on_duty')),
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX roster_session ON roster (session_id);
CREATE INDEX roster_user ON roster (user_id, session_id);

CREATE TABLE training_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('safeguarding', 'mental_health_first_aid',
                                     'psychological_first_aid', 'trauma_informed_practice',
                                     'other')),
  title TEXT NOT NULL DEFAULT '',
  completed_on TEXT NOT NULL,   -- 'YYYY-MM-DD'
  expires_on TEXT,              -- 'YYYY-MM-DD'; NULL = does not expire
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX training_user ON training_records (user_id, kind);
CREATE INDEX training_expiry ON training_records (organisation_id, expires_on);

-- Enrolment: 'offered' holds a freed place for the first on the waitlist.
CREATE TABLE enrolments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  status TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'offered', 'cancelled')),
  cancel_reason TEXT,           -- 'self', 'staff', 'consent_withdrawn', 'offer_declined', 'offer_expired'
  offered_at INTEGER,
  offer_expires_at INTEGER,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX enrolments_one ON enrolments (programme_id, participant_id);
CREATE INDEX enrolments_person ON enrolments (participant_id, status);
CREATE INDEX enrolments_queue ON enrolments (programme_id, status, id);

CREATE TABLE supports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  session_id INTEGER REFERENCES programme_sessions(id),
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  kind TEXT NOT NULL CHECK (kind IN ('transport_stipend', 'childcare', 'interpreter', 'equipment')),
  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'declined',
                                                             'provided')),
  amount_cents INTEGER NOT NULL DEFAULT 0,  -- stipends: the amount, in the smallest currency unit
  notes TEXT NOT NULL DEFAULT '',           -- practical note; must not hold health details
  requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  requested_at INTEGER NOT NULL,
  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  decided_at INTEGER,
  provided_at INTEGER
);
CREATE INDEX supports_programme ON supports (programme_id, kind, status);

CREATE TABLE attendance (
  session_id INTEGER NOT NULL REFERENCES programme_sessions(id),
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  status TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
  sat_out INTEGER NOT NULL DEFAULT 0,   -- recorded only when the person agreed; never counts against them
  marked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  marked_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX attendance_person ON attendance (participant_id, session_id);

-- Gentle follow-up after two missed sessions in a row: who did what.
CREATE TABLE followups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  action TEXT NOT NULL CHECK (action IN ('called', 'messaged', 'met', 'no_answer', 'resolved',
                                         'other')),
  note BLOB,                    -- PERSONAL, sealed with the person's data key
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX followups_person ON followups (participant_id, programme_id, id);

-- Calendar feeds: the token is shown once to its owner and stored hashed.
CREATE TABLE calendar_tokens (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('participant', 'facilitator', 'programme')),
  owner_id INTEGER NOT NULL,    -- participant id, user id or programme id
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX calendar_tokens_owner ON calendar_tokens (kind, owner_id);
