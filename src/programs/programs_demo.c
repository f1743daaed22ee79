/*
 * Synthetic demo data for the programmes module: venues, training records,
 * a listening round with themes, votes and a decision, three programmes
 * (a therapeutic one already running, a full one with a waitlist, a draft),
 * their sessions, roster, enrolments, attendance and a support.
 *
 * Dates are relative to the day the demo is loaded, so a fresh demo always
 * has sessions behind it (with attendance) and ahead of it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "core/banned.h"

#define DAY 86400

/* Runs sql with parameters: fmt has one letter per parameter, 'i'
 * (int64_t), 't' (const char *, NULL binds NULL), 'b' (a string bound as a
 * blob) or 'n' (NULL, takes no argument).
 * With id non-NULL the statement must end in RETURNING id. */
static int run(struct db_conn *c, const char *sql, int64_t *id, const char *fmt, ...)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 'i')
			db_bind_i64(s, i + 1, va_arg(ap, int64_t));
		else if (fmt[i] == 't')
			db_bind_text(s, i + 1, va_arg(ap, const char *));
		else if (fmt[i] == 'b') {
			const char *b = va_arg(ap, const char *);
			db_bind_blob(s, i + 1, b, strlen(b));
		} else
			db_bind_null(s, i + 1);
	}
	va_end(ap);
	return id ? db_insert_id(s, id) : db_run(s);
}

static void date_at(int64_t days_from_today, char out[11])
{
	cal_date_format(cal_from_days(util_now() / DAY + days_from_today), out);
}

/* The first date on or after today+offset that falls on weekday (0 = Monday). */
static struct cal_date next_weekday(int64_t offset, int weekday)
{
	int64_t d = util_now() / DAY + offset;
	while (cal_weekday(cal_from_days(d)) != weekday)
		d++;
	return cal_from_days(d);
}

static const char SQL_VENUE[] =
    "INSERT INTO venues (organisation_id, name, address, capacity, features, notes, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id";
static const char SQL_TRAINING[] =
    "INSERT INTO training_records (organisation_id, user_id, kind, title, completed_on, "
    "expires_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_PROGRAMME[] =
    "INSERT INTO programmes (organisation_id, title, art_form, description, languages, format, "
    "capacity, therapeutic, status, timezone, start_date, end_date, start_time, duration_minutes, "
    "rrule, exdates, weekdays, start_minute, venue_id, online_link, trauma_plan, funding_stream, "
    "created_at, updated_at, published_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "'Europe/London', ?10, ?11, ?12, ?13, ?14, '', ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22) "
    "RETURNING id";
static const char SQL_TEAM[] =
    "INSERT INTO programme_team (programme_id, user_id, role) VALUES (?1, ?2, ?3)";
static const char SQL_SESSION[] =
    "INSERT INTO programme_sessions (programme_id, starts_at, ends_at, original_start, venue_id, "
    "online_link, status, was_published, updated_at) VALUES (?1, ?2, ?3, ?2, ?4, ?5, ?6, ?7, ?8) "
    "RETURNING id";
static const char SQL_ROSTER[] =
    "INSERT INTO roster (session_id, user_id, participant_id, role, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ENROL[] =
    "INSERT INTO enrolments (programme_id, participant_id, status, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?4)";
static const char SQL_MARK[] =
    "INSERT INTO attendance (session_id, participant_id, status, sat_out, marked_by, marked_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_SUPPORT[] =
    "INSERT INTO supports (programme_id, participant_id, kind, status, amount_cents, notes, "
    "requested_at, decided_by, decided_at, provided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?7, ?9)";
static const char SQL_ROUND[] =
    "INSERT INTO listening_rounds (organisation_id, title, description, status, opens_at, "
    "closes_at, created_by, created_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?8) "
    "RETURNING id";
static const char SQL_THEME[] =
    "INSERT INTO themes (round_id, title, description, proposed_by, proposer_kind, outcome, "
    "outcome_reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_VOTE[] = "INSERT INTO theme_votes (round_id, participant_id, theme_id, "
                               "voted_at) VALUES (?1, ?2, ?3, ?4)";
/* Like every answer, a random id (listening.c): the demo shows what
 * real data looks like. */
static const char SQL_RESPONSE[] =
    "INSERT INTO listening_responses (round_id, participant_id, channel, lang, answers, sealed, "
    "entered_by, created_at, id) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8) RETURNING id";
static const char SQL_DECISION[] =
    "INSERT INTO decisions (organisation_id, round_id, kind, title, body, programme_id, "
    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_LINK[] =
    "INSERT INTO decision_links (decision_id, theme_id, response_id) VALUES (?1, ?2, ?3)";

/* Generates weekly sessions of a programme; ids of the first n into out. */
static int sessions(struct db_conn *c, int64_t prog, struct cal_date first, const char *rule,
                    int hour, int minute, int minutes, int64_t venue, const char *link,
                    const char *status, int64_t *out, size_t n, size_t *made)
{
	const struct tz *z = tz_get("Europe/London");
	struct rrule rr;
	char err[120];
	if (!z || !rrule_parse(rule, &rr, err, sizeof err))
		return -HEARTH_EINVAL;
	struct cal_date dates[40];
	size_t count =
	    rrule_expand(&rr, first, cal_from_days(cal_days(first) + 366), NULL, 0, dates, 40);
	for (size_t i = 0; i < count; i++) {
		int64_t start =
		    tz_local_to_utc(z, dates[i].year, dates[i].month, dates[i].day, hour, minute);
		int64_t id, published = strcmp(status, "draft") != 0;
		int rc = venue
		             ? run(c, SQL_SESSION, &id, "iiiittii", prog, start,
		                   start + minutes * 60, venue, link, status, published, util_now())
		             : run(c, SQL_SESSION, &id, "iiinttii", prog, start,
		                   start + minutes * 60, link, status, published, util_now());
		if (rc)
			return rc;
		if (i < n)
			out[i] = id;
	}
	*made = count;
	return 0;
}

int programs_demo_load(struct db_conn *c, const struct people_ctx *px, int64_t org, int64_t partner,
                       const int64_t *staff, const int64_t *residents)
{
	(void)px;
	(void)partner;
	/* staff: admin, coordinator, facilitator, peer, moderator, clinician. */
	int64_t coordinator = staff[1], facilitator = staff[2], peer = staff[3],
	        clinician = staff[5];
	int64_t now = util_now(), v_centre, v_library, v_hall;
	char d0[11], d1[11], d2[11], d3[11];
	int rc;
	const int64_t all = (1 << VF__MAX) - 1;
	if ((rc = run(c, SQL_VENUE, &v_centre, "ittiiti", org, "Riverside Arts Centre",
	              "12 Wharf Lane, Riverside", (int64_t)30, all,
	              "Quiet room on the ground floor; ask at reception for the hearing loop.",
	              now)) ||
	    (rc = run(c, SQL_VENUE, &v_library, "ittiiti", org, "Eastgate Library Community Room",
	              "3 Market Street, Eastgate", (int64_t)16,
	              (int64_t)(1 << VF_STEP_FREE_ACCESS | 1 << VF_ACCESSIBLE_TOILET |
	                        1 << VF_PUBLIC_TRANSPORT | 1 << VF_LIFT),
	              "Lift to the first floor; bus stop outside.", now)) ||
	    (rc = run(c, SQL_VENUE, &v_hall, "ittiiti", org, "St Brigid's Hall",
	              "40 Chapel Road, Northside", (int64_t)40, (int64_t)(1 << VF_PARKING),
	              "Three steps at the entrance; no lift.", now)))
		return rc;

	/* Training: the facilitator's first aid runs out within 60 days, the
	 * peer supporter's safeguarding has expired. */
	date_at(-400, d0);
	date_at(700, d1);
	date_at(40, d2);
	date_at(-20, d3);
	if ((rc = run(c, SQL_TRAINING, NULL, "iitttti", org, clinician, "safeguarding",
	              "Safeguarding adults level 3", d0, d1, now)) ||
	    (rc = run(c, SQL_TRAINING, NULL, "iitttti", org, facilitator, "safeguarding",
	              "Safeguarding adults level 2", d0, d1, now)) ||
	    (rc = run(c, SQL_TRAINING, NULL, "iitttti", org, facilitator, "mental_health_first_aid",
	              "Mental Health First Aid (adult)", d0, d2, now)) ||
	    (rc = run(c, SQL_TRAINING, NULL, "iitttti", org, peer, "safeguarding",
	              "Safeguarding adults level 1", d0, d3, now)) ||
	    (rc = run(c, SQL_TRAINING, NULL, "iitttti", org, peer, "psychological_first_aid",
	              "Psychological First Aid", d0, (const char *)NULL, now)))
		return rc;

	/* Painting Together: therapeutic, weekly on Tuesdays 17:30, started
	 * three weeks ago, someone on duty in every session. */
	struct cal_date first = next_weekday(-21, 1);
	char start[11], end[11];
	cal_date_format(first, start);
	cal_date_format(cal_from_days(cal_days(first) + 7 * 11), end);
	int64_t painting, songs, movement;
	if ((rc =
	         run(c, SQL_PROGRAMME, &painting, "itttttiittttitiiitttii", org,
	             "Painting Together", "painting",
	             "Twelve evenings of painting with an artist and a mental-health practitioner. "
	             "No experience needed; materials provided.",
	             ",en,es,", "in_person", (int64_t)12, (int64_t)1, "published", start, end,
	             "17:30", (int64_t)90, "FREQ=WEEKLY;COUNT=12;BYDAY=TU", (int64_t)(1 << 1),
	             (int64_t)(17 * 60 + 30), v_centre, (const char *)NULL,
	             "{\"debrief\":\"Ten minutes at the end to talk about how it felt.\","
	             "\"difficult_content\":\"Themes are chosen together; nobody has to share "
	             "what a painting means.\",\"grounding\":\"A short breathing exercise to "
	             "start.\",\"opt_out\":\"Step out to the quiet room at any time, no reason "
	             "needed.\"}",
	             "Civic Wellbeing Fund 2026", now, now)))
		return rc;
	if ((rc = run(c, SQL_TEAM, NULL, "iit", painting, facilitator, "artist_facilitator")) ||
	    (rc = run(c, SQL_TEAM, NULL, "iit", painting, clinician, "mental_health_partner")))
		return rc;
	int64_t ps[12];
	size_t n;
	if ((rc = sessions(c, painting, first, "FREQ=WEEKLY;COUNT=12;BYDAY=TU", 17, 30, 90,
	                   v_centre, NULL, "published", ps, 12, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((rc = run(c, SQL_ROSTER, NULL, "iinti", ps[i], clinician, "on_duty", now)))
			return rc;
		/* Leadership rotates: every third session a participant leads. */
		if (i % 3 == 2)
			rc = run(c, SQL_ROSTER, NULL, "initi", ps[i], residents[0],
			         "participant_lead", now);
		else
			rc = run(c, SQL_ROSTER, NULL, "iinti", ps[i], facilitator,
			         i % 3 ? "co_facilitator" : "lead", now);
		if (rc)
			return rc;
	}
	for (int i = 0; i < 3; i++)
		if ((rc = run(c, SQL_ENROL, NULL, "iiti", painting, residents[i], "enrolled", now)))
			return rc;
	/* Three sessions are behind: Noor missed the last two (follow-up). */
	static const char *const marks[3][3] = {{"present", "present", "present"},
	                                        {"late", "absent", "present"},
	                                        {"present", "absent", "excused"}};
	for (int s = 0; s < 3; s++)
		for (int p = 0; p < 3; p++)
			if ((rc = run(c, SQL_MARK, NULL, "iitiii", ps[s], residents[p], marks[s][p],
			              (int64_t)(s == 2 && p == 0), facilitator, now)))
				return rc;
	if ((rc =
	         run(c, SQL_SUPPORT, NULL, "iittitiii", painting, residents[0], "transport_stipend",
	             "provided", (int64_t)500, "Bus fare, each session", now, coordinator, now)))
		return rc;

	/* Songs from Home: fortnightly on Thursdays, hybrid, full, with a waitlist. */
	first = next_weekday(3, 3);
	cal_date_format(first, start);
	if ((rc = run(c, SQL_PROGRAMME, &songs, "itttttiittttitiiitttii", org, "Songs from Home",
	              "singing",
	              "Songs people grew up with, in any language. Join in the room or online.",
	              ",es,en,", "hybrid", (int64_t)2, (int64_t)0, "published", start,
	              (const char *)NULL, "18:00", (int64_t)60,
	              "FREQ=WEEKLY;INTERVAL=2;COUNT=8;BYDAY=TH", (int64_t)(1 << 3),
	              (int64_t)(18 * 60), v_library, "https://meet.example.org/songs-from-home",
	              "{}", "Community chest", now, now)))
		return rc;
	if ((rc = run(c, SQL_TEAM, NULL, "iit", songs, facilitator, "artist_facilitator")) ||
	    (rc = sessions(c, songs, first, "FREQ=WEEKLY;INTERVAL=2;COUNT=8;BYDAY=TH", 18, 0, 60,
	                   v_library, "https://meet.example.org/songs-from-home", "published", ps,
	                   1, &n)) ||
	    (rc = run(c, SQL_ROSTER, NULL, "iinti", ps[0], facilitator, "lead", now)) ||
	    (rc = run(c, SQL_ENROL, NULL, "iiti", songs, residents[3], "enrolled", now)) ||
	    (rc = run(c, SQL_ENROL, NULL, "iiti", songs, residents[4], "enrolled", now)) ||
	    (rc = run(c, SQL_ENROL, NULL, "iiti", songs, residents[2], "waitlisted", now + 1)))
		return rc;

	/* Movement and Breath: a draft, monthly online on the first Saturday. */
	first = next_weekday(7, 5);
	cal_date_format(first, start);
	if ((rc = run(c, SQL_PROGRAMME, &movement, "itttttiittttitiintttin", org,
	              "Movement and Breath", "dance",
	              "Gentle movement at home, seated or standing, camera optional.", ",en,",
	              "online", (int64_t)20, (int64_t)0, "draft", start, (const char *)NULL,
	              "10:00", (int64_t)45, "FREQ=MONTHLY;COUNT=6;BYDAY=1SA", (int64_t)(1 << 5),
	              (int64_t)(10 * 60), "https://meet.example.org/movement", "{}", "", now)) ||
	    (rc = sessions(c, movement, first, "FREQ=MONTHLY;COUNT=6;BYDAY=1SA", 10, 0, 45, 0,
	                   "https://meet.example.org/movement", "draft", ps, 0, &n)))
		return rc;

	/* Listening: last season's round (closed, acted on) and an open one. */
	int64_t closed, open, t_evening, t_dance, t_spanish, r1, decision;
	if ((rc = run(c, SQL_ROUND, &closed, "itttiiii", org, "Autumn listening: what would help?",
	              "Tell us what you need, what you enjoy and what gets in the way.", "closed",
	              now - 60 * DAY, now - 30 * DAY, coordinator, now - 30 * DAY)) ||
	    (rc = run(c, SQL_THEME, &t_evening, "ittittti", closed, "Evening sessions after work",
	              "Most sessions are in the daytime when many of us work.", coordinator,
	              "participant", "acted", (const char *)NULL, now - 55 * DAY)) ||
	    (rc = run(c, SQL_THEME, &t_spanish, "ittittti", closed, "Sessions in Spanish",
	              "Some of us would feel more at ease in Spanish.", coordinator, "participant",
	              "acted", (const char *)NULL, now - 54 * DAY)) ||
	    (rc = run(
	         c, SQL_THEME, &t_dance, "ittittti", closed, "A weekly dance class", "",
	         coordinator, "participant", "not_acted",
	         "We could not find a step-free studio this season; we will ask again in spring.",
	         now - 50 * DAY)))
		return rc;
	for (int i = 0; i < 3; i++)
		if ((rc = run(c, SQL_VOTE, NULL, "iiii", closed, residents[i],
		              i == 2 ? t_dance : t_evening, now - 40 * DAY)))
			return rc;
	/* An anonymous online answer: no participant, nobody entered it, only
	 * the day it came in, and a random id (as listening.c keeps them). */
	uint64_t rid = 0;
	while (!rid) {
		randombytes_buf(&rid, sizeof rid);
		rid &= (UINT64_C(1) << 53) - 1;
	}
	if ((rc = run(c, SQL_RESPONSE, &r1, "inttbnii", closed, "online", "es",
	              "{\"barriers\":\"Trabajo hasta las cinco.\",\"creative\":\"Me gustaría "
	              "pintar.\"}",
	              (now - 45 * DAY) / DAY * DAY, (int64_t)rid)))
		return rc;
	if ((rc = run(c, SQL_DECISION, &decision, "iitttiii", org, closed, "new_programme",
	              "Painting Together runs on Tuesday evenings, in English and Spanish",
	              "You asked for evening sessions and sessions in Spanish.", painting,
	              coordinator, now - 25 * DAY)) ||
	    (rc = run(c, SQL_LINK, NULL, "iin", decision, t_evening)) ||
	    (rc = run(c, SQL_LINK, NULL, "iin", decision, t_spanish)) ||
	    (rc = run(c, SQL_LINK, NULL, "ini", decision, r1)))
		return rc;
	if ((rc = run(c, SQL_ROUND, &open, "itttiiin", org, "Spring listening: what next?",
	              "Which themes should the spring programmes take up?", "open", now - 3 * DAY,
	              now + 25 * DAY, coordinator)) ||
	    (rc = run(c, SQL_THEME, &t_evening, "ittittti", open, "Songs and stories from home", "",
	              coordinator, "participant", "pending", (const char *)NULL, now - 2 * DAY)) ||
	    (rc = run(c, SQL_THEME, NULL, "ittittti", open, "Photography walks by the river", "",
	              coordinator, "staff", "pending", (const char *)NULL, now - 2 * DAY)) ||
	    (rc = run(c, SQL_VOTE, NULL, "iiii", open, residents[1], t_evening, now - DAY)))
		return rc;
	return 0;
}
