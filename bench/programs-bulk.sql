-- bench/programs-bulk.sql: the bulk rows of bench/programs.sh, written with
-- the sqlite3 CLI while the server is stopped. Run after the caller has made
-- two temporary tables:
--   cfg(people, marks, now)  how many bulk participants and attendance marks;
--                            now in epoch seconds
--   bp(id, k)                the benchmark's programmes (made through the
--                            API, published), k = 0, 1, ... in creation order
-- The rows mirror what the API writes (see src/db/migrations/0002 and 0003),
-- with two simplifications: bulk participants have no sealed profile (only
-- the measured participants, made through the API, need one) and the bulk
-- rows have no audit entries. Every foreign key holds (checked at the end).

PRAGMA foreign_keys = ON;
BEGIN;

CREATE TEMP TABLE first_new AS SELECT COALESCE(MAX(id), 0) AS id FROM participants;

-- Participants: registered by the coordinator (user 2) over the last year.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < (SELECT people FROM cfg))
INSERT INTO participants (status, profile, age_band, is_minor, self_registered, created_by,
                          created_at, updated_at, last_activity_at)
SELECT 'active', NULL,
       CASE i % 5 WHEN 0 THEN '18_25' WHEN 1 THEN '26_40' WHEN 2 THEN '41_64'
                  WHEN 3 THEN '65_plus' ELSE 'prefer_not_to_say' END,
       0, 0, 2, cfg.now - 31536000 + i % 31536000, cfg.now - 86400, cfg.now - 86400
FROM n, cfg;

-- Bulk person k asks for a place in programme k mod P; the first
-- `capacity` of them get one, the rest wait.
CREATE TEMP TABLE bulk AS
SELECT p.id AS pid, p.id - f.id - 1 AS k FROM participants p, first_new f WHERE p.id > f.id;
CREATE TEMP TABLE np AS SELECT COUNT(*) AS n FROM bp;
CREATE TEMP TABLE wants AS
SELECT b.pid, bp.id AS programme_id, pr.organisation_id AS org, b.k / np.n AS rank,
       pr.capacity, (SELECT MIN(starts_at) FROM programme_sessions s WHERE s.programme_id = bp.id) AS first_start
FROM bulk b, np JOIN bp ON bp.k = b.k % np.n JOIN programmes pr ON pr.id = bp.id;

INSERT INTO participant_orgs (participant_id, organisation_id) SELECT pid, org FROM wants;

INSERT INTO consents (participant_id, purpose, granted, given_by, method, guardian_name,
                      text_version, text_lang, recorded_by, at)
SELECT pid, 'participation', 1, 'staff', 'verbal', NULL, 1, 'en', 2, first_start - 14 * 86400 FROM wants;

INSERT INTO enrolments (programme_id, participant_id, status, created_by, created_at, updated_at)
SELECT programme_id, pid, CASE WHEN rank < capacity THEN 'enrolled' ELSE 'waitlisted' END, 2,
       first_start - 7 * 86400 + rank, first_start - 7 * 86400 + rank
FROM wants ORDER BY programme_id, rank;

-- Attendance: every held session (started before now) of every benchmark
-- programme, for a pseudo-random share of its enrolled people chosen so
-- that the total comes to cfg.marks (LIMIT trims the last few).
CREATE TEMP TABLE cand AS
SELECT COUNT(*) AS n FROM bp
JOIN programme_sessions s ON s.programme_id = bp.id AND s.status = 'published'
JOIN enrolments e ON e.programme_id = bp.id AND e.status = 'enrolled', cfg
WHERE s.starts_at < cfg.now;
CREATE TEMP TABLE share AS
SELECT MIN(1000, CAST(1020.0 * cfg.marks / MAX(cand.n, 1) AS INTEGER) + 1) AS permille FROM cfg, cand;

INSERT INTO attendance (session_id, participant_id, status, sat_out, marked_by, marked_at)
SELECT s.id, e.participant_id,
       CASE (s.id * 31 + e.participant_id * 17) % 20
            WHEN 0 THEN 'late' WHEN 1 THEN 'absent' WHEN 2 THEN 'absent' WHEN 3 THEN 'excused'
            WHEN 4 THEN 'absent' ELSE 'present' END,
       CASE WHEN (s.id * 31 + e.participant_id * 17) % 20 = 7 AND e.participant_id % 3 = 0 THEN 1 ELSE 0 END,
       3, MIN(s.ends_at + 600, cfg.now - 3600)
FROM bp
JOIN programme_sessions s ON s.programme_id = bp.id AND s.status = 'published'
JOIN enrolments e ON e.programme_id = bp.id AND e.status = 'enrolled', cfg, share
WHERE s.starts_at < cfg.now AND (s.id * 7919 + e.participant_id * 104729) % 1000 < share.permille
ORDER BY s.id, e.participant_id
LIMIT (SELECT marks FROM cfg);

COMMIT;

SELECT 'foreign key violations: ' || (SELECT COUNT(*) FROM pragma_foreign_key_check) ||
       ', marks on ' || (SELECT ROUND(100.0 * COUNT(*) / (SELECT n FROM cand), 1) FROM attendance WHERE marked_by = 3) ||
       ' % of (held session x enrolled person)';
