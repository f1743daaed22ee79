/*
 * Programmes: iCalendar feeds and their tokens (calendar.h); the HTTP edge
 * is calendar_http.c.
 *
 * A feed lives at /api/v1/calendar/TOKEN.ics, where TOKEN is 32 random
 * bytes in hex, shown once to its owner; only its hash is stored. Asking
 * for a new address replaces the owner's old token, which ends the old
 * address. Three kinds of feed:
 *   - a programme's public sessions (coordinators hand the address out);
 *   - a participant's sessions: every published programme they are
 *     enrolled in;
 *   - a staff member's duties: every session they are on the roster of.
 *
 * Programme and participant feeds write a programme's recurrence as one
 * master event (RRULE, with EXDATE for every slot that has no session to
 * show) and an override (RECURRENCE-ID) for each slot whose session was
 * moved, changed or cancelled, so calendar applications show one series.
 * Which slots the rule gives is recomputed from the programme with the
 * same rule and zone that generated its sessions; a session whose original
 * slot is not one of them (or that was added by hand) is an event of its
 * own, so the feed never claims a slot it cannot account for.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/calendar/cal.h"
#include "people/people.h"
#include "programs/calendar/calendar.h"
#include "programs/programs.h"
#include "core/banned.h"

#define TOKEN_BYTES 32
#define TOKEN_HEX   CALENDAR_TOKEN_HEX
#define MAX_SLOTS   500 /* what one recurrence can generate (cal.h) */

static const char *const feed_kinds[] = {
    [CALENDAR_PARTICIPANT] = "participant",
    [CALENDAR_FACILITATOR] = "facilitator",
    [CALENDAR_PROGRAMME] = "programme",
};

/* --- SQL --- */

static const char SQL_TOKEN_DELETE[] =
    "DELETE FROM calendar_tokens WHERE kind = ?1 AND owner_id = ?2";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO calendar_tokens (token_hash, kind, owner_id, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TOKEN_FIND[] =
    "SELECT kind, owner_id FROM calendar_tokens WHERE token_hash = ?1";

static const char SQL_PROGRAMME[] =
    "SELECT p.id, p.title, p.description, p.timezone, p.start_date, p.end_date, p.start_time, "
    "p.duration_minutes, p.rrule, p.updated_at, v.name, v.address, p.online_link "
    "FROM programmes p LEFT JOIN venues v ON v.id = p.venue_id WHERE p.id = ?1";
/* Sessions people may see: published, and cancelled ones they had seen. */
static const char SQL_SESSIONS[] =
    "SELECT s.id, s.starts_at, s.ends_at, s.original_start, s.status, s.edited, s.sequence, "
    "s.updated_at, v.name, v.address, s.online_link, s.cancel_reason "
    "FROM programme_sessions s LEFT JOIN venues v ON v.id = s.venue_id "
    "WHERE s.programme_id = ?1 AND (s.status = 'published' OR "
    "(s.status = 'cancelled' AND s.was_published = 1)) ORDER BY s.starts_at, s.id";
static const char SQL_ENROLLED[] =
    "SELECT e.programme_id FROM enrolments e JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.participant_id = ?1 AND e.status = 'enrolled' AND p.status = 'published' "
    "ORDER BY e.programme_id";
static const char SQL_DUTIES[] =
    "SELECT s.id, s.starts_at, s.ends_at, s.status, s.sequence, s.updated_at, p.title, "
    "p.timezone, COALESCE(v.name, pv.name), COALESCE(v.address, pv.address), "
    "COALESCE(s.online_link, p.online_link), s.cancel_reason, r.role "
    "FROM roster r JOIN programme_sessions s ON s.id = r.session_id "
    "JOIN programmes p ON p.id = s.programme_id "
    "LEFT JOIN venues v ON v.id = s.venue_id LEFT JOIN venues pv ON pv.id = p.venue_id "
    "WHERE r.user_id = ?1 ORDER BY s.starts_at, s.id, r.role";

/* --- tokens --- */

static void token_hash(const char *token, char out[2 * crypto_generichash_BYTES + 1])
{
	unsigned char h[crypto_generichash_BYTES];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	util_hex(out, h, sizeof h);
}

bool calendar_token_parse(const char *p, char out[CALENDAR_TOKEN_HEX + 1])
{
	if (!p)
		return false;
	size_t n = strlen(p);
	if (n == TOKEN_HEX + 4 && strcmp(p + TOKEN_HEX, ".ics") == 0)
		n = TOKEN_HEX;
	if (n != TOKEN_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Who owns the feed of this kind: the participant linked to who's login,
 * who themself, or programme *owner when who coordinates it. */
static int feed_owner(struct db_conn *c, struct arena *a, const struct actor *who,
                      enum calendar_feed_kind kind, int64_t *owner, struct programs_refusal *why)
{
	int rc = 0;
	struct prog_ref ref;
	switch (kind) {
	case CALENDAR_PARTICIPANT:
		*owner = programs_self_participant(c, who);
		if (!*owner)
			rc = programs_refuse(why, a, 403, NULL,
			                     "your login is not linked to a participant record");
		break;
	case CALENDAR_FACILITATOR: *owner = who->user_id; break;
	case CALENDAR_PROGRAMME:
		rc = programs_programme_ref(c, a, *owner, &ref);
		if (!rc)
			rc = programs_check(who, ACT_PROGRAM_MANAGE, ref.organisation_id,
			                    ref.status);
		if (rc == -HEARTH_ENOTFOUND)
			rc = programs_refuse(why, a, 404, NULL, "the programme was not found");
		else if (rc == -HEARTH_EDENIED)
			rc = programs_refuse(
			    why, a, 403, NULL,
			    "you can make calendar addresses only for programmes of "
			    "an organisation you coordinate");
		break;
	}
	return rc;
}

int calendar_token_reset(struct db_conn *c, struct arena *a, const struct actor *who,
                         enum calendar_feed_kind kind, int64_t *owner,
                         char token[CALENDAR_TOKEN_HEX + 1], struct programs_refusal *why)
{
	unsigned char raw[TOKEN_BYTES];
	char hash[2 * crypto_generichash_BYTES + 1];
	struct db_stmt *s;
	int rc = feed_owner(c, a, who, kind, owner, why);
	if (rc)
		goto out;
	randombytes_buf(raw, sizeof raw);
	util_hex(token, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	token_hash(token, hash);
	rc = -HEARTH_EDB;
	if (!(s = db_prepare(c, SQL_TOKEN_DELETE)))
		goto out;
	db_bind_text(s, 1, feed_kinds[kind]);
	db_bind_i64(s, 2, *owner);
	if ((rc = db_run(s)) != 0)
		goto out;
	rc = -HEARTH_EDB;
	if (!(s = db_prepare(c, SQL_TOKEN_INSERT)))
		goto out;
	db_bind_text(s, 1, hash);
	db_bind_text(s, 2, feed_kinds[kind]);
	db_bind_i64(s, 3, *owner);
	db_bind_i64(s, 4, util_now());
	rc = db_run(s);
out:
	return rc;
}

/* --- building feeds --- */

struct events {
	struct ical_event *v;
	size_t n, cap;
};

static struct ical_event *event_new(struct arena *a, struct events *ev)
{
	if (ev->n == ev->cap) {
		size_t cap = ev->cap ? 2 * ev->cap : 32;
		struct ical_event *v = arena_calloc(a, cap, sizeof *v);
		if (ev->n)
			memcpy(v, ev->v, ev->n * sizeof *v);
		ev->v = v;
		ev->cap = cap;
	}
	struct ical_event *e = &ev->v[ev->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* "Venue, address", else the online link, else NULL. */
static const char *place(struct arena *a, const char *venue, const char *address, const char *link)
{
	if (venue && *venue)
		return address && *address ? arena_printf(a, "%s, %s", venue, address)
		                           : arena_strdup(a, venue);
	return link && *link ? arena_strdup(a, link) : NULL;
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s && *s ? arena_strdup(a, s) : NULL;
}

struct programme {
	int64_t id;
	const char *title, *description, *zone_name, *start_date, *end_date, *start_time;
	const char *rrule, *location, *link;
	int64_t duration, updated_at;
	const struct tz *zone;
};

struct session {
	int64_t id, start, end, original, sequence, updated_at;
	bool has_original, cancelled, edited;
	const char *location, *link, *cancel_reason;
};

static int load_programme(struct db_conn *c, struct arena *a, int64_t id, struct programme *p)
{
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		memset(p, 0, sizeof *p);
		p->id = db_col_i64(s, 0);
		p->title = arena_strdup(a, db_col_text(s, 1));
		p->description = dup_or_null(a, db_col_text(s, 2));
		p->zone_name = arena_strdup(a, db_col_text(s, 3));
		p->start_date = arena_strdup(a, db_col_text(s, 4));
		p->end_date = dup_or_null(a, db_col_text(s, 5));
		p->start_time = arena_strdup(a, db_col_text(s, 6));
		p->duration = db_col_i64(s, 7);
		p->rrule = dup_or_null(a, db_col_text(s, 8));
		p->updated_at = db_col_i64(s, 9);
		p->link = dup_or_null(a, db_col_text(s, 12));
		p->location = place(a, db_col_text(s, 10), db_col_text(s, 11), p->link);
		p->zone = tz_get(p->zone_name);
		if (!p->zone) {
			/* A zone the system no longer knows: the sessions are
			 * still instants, so show them one by one in UTC
			 * rather than lose the feed. */
			p->zone = tz_get("UTC");
			p->rrule = NULL;
		}
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

static int load_sessions(struct db_conn *c, struct arena *a, const struct programme *p,
                         struct session **out, size_t *n)
{
	size_t cap = 64;
	struct session *v = arena_calloc(a, cap, sizeof *v);
	struct db_stmt *s = db_prepare(c, SQL_SESSIONS);
	int rc;
	*n = 0;
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, p->id);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct session *w = arena_calloc(a, cap * 2, sizeof *w);
			memcpy(w, v, cap * sizeof *v);
			v = w;
			cap *= 2;
		}
		struct session *x = &v[(*n)++];
		x->id = db_col_i64(s, 0);
		x->start = db_col_i64(s, 1);
		x->end = db_col_i64(s, 2);
		x->has_original = !db_col_null(s, 3);
		x->original = x->has_original ? db_col_i64(s, 3) : 0;
		x->cancelled = strcmp(db_col_text(s, 4), "cancelled") == 0;
		x->edited = db_col_i64(s, 5) != 0;
		x->sequence = db_col_i64(s, 6);
		x->updated_at = db_col_i64(s, 7);
		x->link = dup_or_null(a, db_col_text(s, 10));
		x->location = place(a, db_col_text(s, 8), db_col_text(s, 9), x->link);
		if (!x->location)
			x->location = p->location;
		if (!x->link)
			x->link = p->link;
		x->cancel_reason = dup_or_null(a, db_col_text(s, 11));
	}
	db_finish(s);
	*out = v;
	return rc < 0 ? rc : 0;
}

static const char *cancelled_text(struct arena *a, const char *reason)
{
	return reason ? arena_printf(a, "Cancelled: %s", reason) : "Cancelled";
}

/* Fills the fields a programme's events share from a session. */
static void from_session(struct arena *a, struct ical_event *e, const struct programme *p,
                         const struct session *s)
{
	e->start = s->start;
	e->end = s->end;
	e->summary = p->title;
	e->description = s->cancelled ? cancelled_text(a, s->cancel_reason) : p->description;
	e->location = s->location;
	e->url = s->link;
	e->status = s->cancelled ? ICAL_CANCELLED : ICAL_CONFIRMED;
	e->sequence = (int)(s->sequence > 10000 ? 10000 : s->sequence);
	e->stamp = s->updated_at;
}

static void standalone(struct arena *a, struct events *ev, const struct programme *p,
                       const struct session *s)
{
	struct ical_event *e = event_new(a, ev);
	from_session(a, e, p, s);
	e->uid = arena_printf(a, "session-%" PRId64 "@hearth", s->id);
}

/* The slots the programme's rule gives, as UTC instants, the same way the
 * sessions were generated; 0 when it has no usable rule. */
static size_t rule_slots(struct arena *a, const struct programme *p, struct rrule *rule,
                         int64_t **out)
{
	struct cal_date start, last, *dates;
	char err[200];
	int hh, mm;
	*out = NULL;
	if (!p->rrule || !rrule_parse(p->rrule, rule, err, sizeof err) ||
	    !cal_date_parse(p->start_date, &start) ||
	    sscanf(p->start_time, "%2d:%2d", &hh, &mm) != 2)
		return 0;
	/* Without an end date, a year of sessions (as programme creation
	 * generates them). */
	if (!p->end_date || !cal_date_parse(p->end_date, &last))
		last = cal_from_days(cal_days(start) + 365);
	dates = arena_alloc(a, MAX_SLOTS * sizeof *dates);
	size_t n = rrule_expand(rule, start, last, NULL, 0, dates, MAX_SLOTS);
	int64_t *t = arena_alloc(a, (n ? n : 1) * sizeof *t);
	for (size_t i = 0; i < n; i++)
		t[i] =
		    tz_local_to_utc(p->zone, dates[i].year, dates[i].month, dates[i].day, hh, mm);
	*out = t;
	return n;
}

/* The RRULE a feed prints: the canonical rule, its end made exact. COUNT
 * stays when the slots are all it gives; otherwise (UNTIL, the programme's
 * end date, or the one-year default cut it) the end is UNTIL at the last
 * slot, in UTC as RFC 5545 asks when DTSTART has a TZID. */
static const char *feed_rule(struct arena *a, const struct rrule *rule, const int64_t *slots,
                             size_t n)
{
	struct rrule r = *rule;
	char text[200], until[32];
	if (r.count && (size_t)r.count == n) {
		rrule_format(&r, text, sizeof text);
		return arena_strdup(a, text);
	}
	r.count = 0;
	r.has_until = false;
	rrule_format(&r, text, sizeof text);
	util_iso8601(until, sizeof until, slots[n - 1]);
	/* 2026-12-01T17:30:00Z -> 20261201T173000Z */
	return arena_printf(a, "%s;UNTIL=%.4s%.2s%.2sT%.2s%.2s%.2sZ", text, until, until + 5,
	                    until + 8, until + 11, until + 14, until + 17);
}

static size_t slot_index(const int64_t *slots, size_t n, int64_t t)
{
	size_t lo = 0, hi = n; /* slots ascend */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (slots[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && slots[lo] == t ? lo : n;
}

/* Adds a programme's events: a series when its rule can be written in the
 * feed's zone, else one event per session. */
static int add_programme(struct db_conn *c, struct arena *a, struct events *ev,
                         const struct tz *feed_zone, int64_t id)
{
	struct programme p;
	struct session *ss;
	size_t ns, nslots = 0;
	struct rrule rule;
	int64_t *slots = NULL;
	int rc = load_programme(c, a, id, &p);
	if (!rc)
		rc = load_sessions(c, a, &p, &ss, &ns);
	if (rc)
		return rc;
	/* A rule means wall-clock time in its own zone: written in another
	 * zone it would drift across daylight saving. */
	if (p.zone == feed_zone)
		nslots = rule_slots(a, &p, &rule, &slots);
	const struct session **claim = arena_calloc(a, nslots ? nslots : 1, sizeof *claim);
	size_t claimed = 0;
	for (size_t i = 0; i < ns; i++) {
		size_t k = ss[i].has_original ? slot_index(slots, nslots, ss[i].original) : nslots;
		if (k < nslots && !claim[k]) {
			claim[k] = &ss[i];
			claimed++;
		} else {
			standalone(a, ev, &p, &ss[i]);
		}
	}
	if (!claimed)
		return 0;

	const char *uid = arena_printf(a, "programme-%" PRId64 "@hearth", p.id);
	struct ical_event *m = event_new(a, ev);
	int64_t *ex = arena_alloc(a, nslots * sizeof *ex);
	size_t nex = 0;
	for (size_t k = 0; k < nslots; k++)
		if (!claim[k])
			ex[nex++] = slots[k];
	m->uid = uid;
	m->start = slots[0];
	m->end = slots[0] + p.duration * 60;
	m->rrule = feed_rule(a, &rule, slots, nslots);
	m->exdates = ex;
	m->nexdates = nex;
	m->summary = p.title;
	m->description = p.description;
	m->location = p.location;
	m->url = p.link;
	m->status = ICAL_CONFIRMED;
	m->stamp = p.updated_at;
	for (size_t k = 0; k < nslots; k++) {
		const struct session *s = claim[k];
		if (!s || (!s->edited && !s->cancelled && s->start == slots[k] &&
		           s->end == slots[k] + p.duration * 60))
			continue;
		struct ical_event *o = event_new(a, ev);
		from_session(a, o, &p, s);
		o->uid = uid;
		o->recurrence_id = slots[k];
	}
	return 0;
}

/* The zone most of the programmes use (the first on a tie). */
static const struct tz *main_zone(struct db_conn *c, struct arena *a, const int64_t *ids, size_t n)
{
	const struct tz **z = arena_calloc(a, n ? n : 1, sizeof *z);
	const struct tz *best = NULL;
	size_t best_n = 0;
	for (size_t i = 0; i < n; i++) {
		struct prog_ref ref;
		if (programs_programme_ref(c, a, ids[i], &ref) == 0)
			z[i] = tz_get(ref.timezone);
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			k += z[j] && z[j] == z[i];
		if (k > best_n) {
			best = z[i];
			best_n = k;
		}
	}
	return best ? best : tz_get("UTC");
}

static int feed_programme(struct db_conn *c, struct arena *a, int64_t id, struct events *ev,
                          const struct tz **zone, const char **name)
{
	struct programme p;
	int rc = load_programme(c, a, id, &p);
	if (rc)
		return rc;
	*zone = p.zone;
	*name = p.title;
	return add_programme(c, a, ev, *zone, id);
}

static int feed_participant(struct db_conn *c, struct arena *a, int64_t pid, struct events *ev,
                            const struct tz **zone)
{
	bool active;
	int rc = people_is_active(c, pid, &active);
	if (rc)
		return rc;
	if (!active) /* an erased person has no feed */
		return -HEARTH_ENOTFOUND;

	size_t n = 0, cap = 16;
	int64_t *ids = arena_alloc(a, cap * sizeof *ids);
	struct db_stmt *s = db_prepare(c, SQL_ENROLLED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, pid);
	while (db_next(s, &rc)) {
		if (n == cap) {
			int64_t *w = arena_alloc(a, 2 * cap * sizeof *w);
			memcpy(w, ids, n * sizeof *ids);
			ids = w;
			cap *= 2;
		}
		ids[n++] = db_col_i64(s, 0);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	*zone = main_zone(c, a, ids, n);
	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = add_programme(c, a, ev, *zone, ids[i]);
	return rc < 0 ? rc : 0;
}

static const char *role_label(const char *role)
{
	if (strcmp(role, "lead") == 0)
		return "lead";
	if (strcmp(role, "co_facilitator") == 0)
		return "co-facilitator";
	if (strcmp(role, "on_duty") == 0)
		return "on duty";
	return "participant lead";
}

/* A staff member's duties: one event per session, naming their roles. */
static int feed_duties(struct db_conn *c, struct arena *a, int64_t uid, struct events *ev,
                       const struct tz **zone)
{
	bool ok;
	int rc = auth_user_enabled(c, uid, &ok);
	if (rc)
		return rc;
	if (!ok) /* a disabled login's feed ends with it */
		return -HEARTH_ENOTFOUND;

	struct db_stmt *s = db_prepare(c, SQL_DUTIES);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, uid);
	int64_t last = 0;
	const char *title = NULL, *roles = NULL;
	struct ical_event *e = NULL;
	const struct tz *zones[8] = {NULL};
	size_t zcount[8] = {0};
	while (db_next(s, &rc)) {
		int64_t sid = db_col_i64(s, 0);
		const char *role = role_label(db_col_text(s, 12));
		if (e && sid == last) { /* another role in the same session */
			roles = arena_printf(a, "%s, %s", roles, role);
			e->summary = arena_printf(a, "%s (%s)", title, roles);
			continue;
		}
		last = sid;
		roles = role;
		title = arena_strdup(a, db_col_text(s, 6));
		bool cancelled = strcmp(db_col_text(s, 3), "cancelled") == 0;
		bool draft = strcmp(db_col_text(s, 3), "draft") == 0;
		e = event_new(a, ev);
		e->uid = arena_printf(a, "duty-%" PRId64 "-%" PRId64 "@hearth", sid, uid);
		e->start = db_col_i64(s, 1);
		e->end = db_col_i64(s, 2);
		e->summary = arena_printf(a, "%s (%s)", title, role);
		e->status = cancelled ? ICAL_CANCELLED : draft ? ICAL_TENTATIVE : ICAL_CONFIRMED;
		e->sequence = (int)(db_col_i64(s, 4) > 10000 ? 10000 : db_col_i64(s, 4));
		e->stamp = db_col_i64(s, 5);
		e->url = dup_or_null(a, db_col_text(s, 10));
		e->location = place(a, db_col_text(s, 8), db_col_text(s, 9), e->url);
		if (cancelled)
			e->description = cancelled_text(a, dup_or_null(a, db_col_text(s, 11)));
		/* Events are instants; the zone only decides how they read. */
		const struct tz *z = tz_get(db_col_text(s, 7));
		for (size_t i = 0; z && i < 8; i++) {
			if (!zones[i] || zones[i] == z) {
				zones[i] = z;
				zcount[i]++;
				break;
			}
		}
	}
	db_finish(s);
	size_t best = 0;
	for (size_t i = 1; i < 8; i++)
		if (zcount[i] > zcount[best])
			best = i;
	*zone = zones[best] ? zones[best] : tz_get("UTC");
	return rc < 0 ? rc : 0;
}

int calendar_feed(struct db_conn *c, struct arena *a, const char *token, struct buf *out)
{
	char hash[2 * crypto_generichash_BYTES + 1];
	struct events ev = {0};
	const struct tz *zone = NULL;
	const char *name = NULL;
	int64_t owner = 0;
	char kind[16] = "";
	token_hash(token, hash);
	/* One read transaction: the feed is one consistent picture. */
	int rc = db_begin(c, false);
	if (!rc) {
		struct db_stmt *s = db_prepare(c, SQL_TOKEN_FIND);
		rc = s ? 0 : -HEARTH_EDB;
		if (s) {
			db_bind_text(s, 1, hash);
			rc = db_step(s);
			if (rc == DB_ROW) {
				snprintf(kind, sizeof kind, "%s", db_col_text(s, 0));
				owner = db_col_i64(s, 1);
			}
			db_finish(s);
			rc = rc == DB_ROW ? 0 : rc < 0 ? rc : -HEARTH_ENOTFOUND;
		}
	}
	if (!rc && strcmp(kind, "programme") == 0)
		rc = feed_programme(c, a, owner, &ev, &zone, &name);
	else if (!rc && strcmp(kind, "participant") == 0) {
		rc = feed_participant(c, a, owner, &ev, &zone);
		name = "My sessions";
	} else if (!rc) {
		rc = feed_duties(c, a, owner, &ev, &zone);
		name = "My duties";
	}
	/* Only read: ending the transaction is all there is to do. */
	if (db_in_transaction(c))
		db_rollback(c);
	if (!rc)
		ical_write(out, name, zone, ev.v, ev.n);
	return rc;
}
