-- 0002_people: participants, consent, data-sharing agreements, registration
-- codes and erasure requests. A person's sensitive fields never appear here
-- in the clear: `profile` is sealed with the person's own data key, which
-- lives in the separate key store (see src/people/keystore.c).

ALTER TABLE organisations ADD COLUMN erasure_policy TEXT NOT NULL DEFAULT 'approval';
  -- 'approval': an admin approves a person's erasure request; 'automatic': erased at once

CREATE TABLE participants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'erased')),
  profile BLOB,                 -- PERSONAL, sealed (XChaCha20-Poly1305) with the person's data key:
                                -- name, contact, date of birth, emergency contact, needs, notes...
  name_bi TEXT,                 -- PERSONAL (pseudonymous): keyed blind index of the normalised name
  email_bi TEXT,                -- PERSONAL (pseudonymous): keyed blind index of the email
  phone_bi TEXT,                -- PERSONAL (pseudonymous): keyed blind index of the phone number
  age_band TEXT,                -- coarse band kept for published aggregates; not identifying alone
  is_minor INTEGER NOT NULL DEFAULT 0,
  self_registered INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- the person's own login, if any
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  erased_at INTEGER
);
CREATE UNIQUE INDEX participants_email ON participants (email_bi);
CREATE INDEX participants_name ON participants (name_bi);
CREATE INDEX participants_phone ON participants (phone_bi);
CREATE UNIQUE INDEX participants_user ON participants (user_id);
CREATE INDEX participants_activity ON participants (status, last_activity_at);

CREATE TABLE participant_orgs (
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  PRIMARY KEY (participant_id, organisation_id)
);
CREATE INDEX participant_orgs_org ON participant_orgs (organisation_id, participant_id);

-- Plain-language consent texts, versioned and translated. Texts are not
-- personal data.
CREATE TABLE consent_texts (
  purpose TEXT NOT NULL,
  version INTEGER NOT NULL,
  lang TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (purpose, version, lang)
);

-- Consent history: one row per decision, never updated or deleted (erasure
-- only wipes the sealed guardian name). The latest row per purpose decides.
CREATE TABLE consents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('participation', 'contact', 'evaluation',
                                           'clinical_sharing', 'peer_community', 'media')),
  granted INTEGER NOT NULL,
  given_by TEXT NOT NULL CHECK (given_by IN ('self', 'guardian', 'staff')),
  method TEXT NOT NULL CHECK (method IN ('online', 'paper', 'verbal')),
  guardian_name BLOB,           -- PERSONAL, sealed with the person's data key
  text_version INTEGER NOT NULL,
  text_lang TEXT NOT NULL,
  recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  at INTEGER NOT NULL
);
CREATE INDEX consents_person ON consents (participant_id, purpose, id);

CREATE TABLE sharing_agreements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  to_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  categories TEXT NOT NULL,     -- comma-separated: contact,attendance,checkins,safety_plan,referrals,outcomes
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sharing_to ON sharing_agreements (to_organisation_id, from_organisation_id);

-- One-time codes that let a registered person create their login.
CREATE TABLE account_codes (
  code_hash TEXT PRIMARY KEY,   -- BLAKE2b of the code; the code itself is never stored
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  expires_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE erasure_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  participant_id INTEGER NOT NULL REFERENCES participants(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_at INTEGER NOT NULL,
  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  decided_at INTEGER,
  reason TEXT                   -- staff note on a rejection; must not hold personal details
);
-- At most one pending request per person, even when asked twice at once.
CREATE UNIQUE INDEX erasure_one_pending ON erasure_requests (participant_id) WHERE status = 'pending';

INSERT INTO consent_texts (purpose, version, lang, body) VALUES
 ('participation', 1, 'en', 'I want to take part in sessions. Hearth keeps my details so staff can plan sessions and support me. I can stop at any time.'),
 ('participation', 1, 'es', 'Quiero participar en las sesiones. Hearth guarda mis datos para que el equipo pueda planificar las sesiones y apoyarme. Puedo dejarlo cuando quiera.'),
 ('contact', 1, 'en', 'Staff may contact me by my preferred method about sessions and support.'),
 ('contact', 1, 'es', 'El equipo puede contactarme por el medio que prefiero sobre las sesiones y el apoyo.'),
 ('evaluation', 1, 'en', 'My answers and attendance may be counted, without my name, in reports about what the programme changed. Small groups are never shown.'),
 ('evaluation', 1, 'es', 'Mis respuestas y mi asistencia pueden contarse, sin mi nombre, en informes sobre lo que cambió el programa. Nunca se muestran grupos pequeños.'),
 ('clinical_sharing', 1, 'en', 'If I say I am struggling, my check-ins, safety plan and referrals may be shared with the partner mental-health service so they can help me.'),
 ('clinical_sharing', 1, 'es', 'Si digo que lo estoy pasando mal, mis registros de ánimo, mi plan de seguridad y mis derivaciones pueden compartirse con el servicio de salud mental colaborador para que me ayuden.'),
 ('peer_community', 1, 'en', 'I want to join peer groups and the moderated online space, where others in the group can see my preferred name and what I post.'),
 ('peer_community', 1, 'es', 'Quiero unirme a los grupos de apoyo entre pares y al espacio en línea moderado, donde otras personas del grupo pueden ver mi nombre preferido y lo que publico.'),
 ('media', 1, 'en', 'Photos and recordings in which I can be recognised may be taken and kept for the programme. I decide separately about any public showing.'),
 ('media', 1, 'es', 'Se pueden tomar y guardar para el programa fotos y grabaciones en las que se me reconozca. Decido por separado sobre cualquier exhibición pública.');
