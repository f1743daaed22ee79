/*
 * Inside the programmes module: the logic of taking part (enrolment.c,
 * fit.c) below its HTTP edge (taking_part_http.c). Functions here take a
 * database connection and typed inputs, never a request: they return 0 or
 * a negative enum hearth_err, and when the answer is a refusal the caller
 * should show (a conflict, a missing consent, a programme that is not
 * there) they also fill a struct part_refusal, which the edge turns into
 * problem+json word for word.
 */
#ifndef HEARTH_PROGRAMS_TAKING_PART_H
#define HEARTH_PROGRAMS_TAKING_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "people/people.h"
#include "programs/programs.h"

struct arena;
struct db_conn;
struct part_session;

/* How long an offered place is held. */
#define PART_OFFER_SECONDS (48 * 3600)

/* What a logic function needs of the caller: the connection (inside the
 * caller's write transaction), an arena for the strings it returns, the
 * people module's keys (to read a person's record) and who is acting. All
 * borrowed. */
struct part_ctx {
	struct db_conn *c;
	struct arena *a;
	const struct people_ctx *px;
	const struct actor *actor;
};

/* A refusal to show: status 0 means none (a plain error code is then
 * reported naming what). Strings are static or in the context's arena.
 * The extension members are NULL (or 0) when absent; field, when set,
 * names the field (a problem's "field" member). keep: the settling done
 * before the refusal is due anyway (expired offers, places offered on) and
 * is committed, audited as "enrolment.settle" of programme programme_id. */
struct part_refusal {
	struct programs_refusal base; /* status, field, message (programs.h) */
	const char *what;             /* what an error is about ("the enrolment") */
	bool keep;
	bool denied; /* a refused read of a person: audited as denied, then committed */
	int64_t programme_id;
	const char *programme_status, *consent, *enrolment_status, *session_status;
	int64_t enrolment_id;
};

/* Fills no->base (status, field, message) and returns the code that goes with
 * the status: -HEARTH_ENOTFOUND for 404, -HEARTH_ECONFLICT for 409,
 * -HEARTH_EDENIED otherwise. */
int programs_part_refuse(struct part_refusal *no, int status, const char *field,
                         const char *message);

/* Participant pid may be named (as field) in a record of organisation org:
 * the rule and the uniform refusal of programs_scope_participant
 * (scope.h), 403 "<field>: this person is not in your organisation",
 * without a request. *erased (may be NULL): the person, in scope, was
 * erased. A storage error sets no->what to "the person". */
int programs_part_scope_participant(const struct part_ctx *x, const char *field, int64_t pid,
                                    int64_t org, bool *erased, struct part_refusal *no);

/* The name to show for person id, in the arena; NULL once erased (then
 * *erased) or unreadable. A read of the person's record: the caller's
 * transaction audits it. */
const char *programs_person_name(const struct part_ctx *x, int64_t id, bool *erased);

/* A place in a programme, as an answer shows it. position: 1-based place
 * on the waitlist, 0 when not waiting. status is static. */
struct enrolment_out {
	int64_t id, programme_id, participant_id, position;
	const char *status;
};

/* Enrols person in programme, or puts them on its waitlist when it is
 * full. by_self: the person asks themself (the programme must be
 * published, else it is "not there"); otherwise the actor must be allowed
 * ACT_ENROL in the programme's organisation (policy_check) and the person must be in
 * scope of it. Expired offers are settled and free places offered first,
 * so a newcomer never takes a place someone on the waitlist is owed.
 * Inside the caller's write transaction; on a refusal the caller rolls
 * back unless no->keep. */
int enrolment_enrol(const struct part_ctx *x, int64_t programme, int64_t person, bool by_self,
                    struct enrolment_out *out, struct part_refusal *no);

enum enrolment_reply { ENROLMENT_CANCEL, ENROLMENT_ACCEPT, ENROLMENT_DECLINE };

/* Cancels, accepts or declines place id: me (the actor's own participant
 * record, 0 when none) when it is theirs, or staff allowed ACT_ENROL in the
 * programme's organisation. A place freed is offered on. Expired offers
 * are settled first, and that is kept on a conflict (no->keep). Someone
 * who may not know the place gets -HEARTH_ENOTFOUND. out->status is what
 * the place became. Inside the caller's write transaction. */
int enrolment_reply(const struct part_ctx *x, int64_t id, int64_t me, enum enrolment_reply what,
                    struct enrolment_out *out, struct part_refusal *no);

/* Settles the person's expired offers (and offers those places on).
 * Inside the caller's write transaction. */
int enrolment_settle_mine(struct db_conn *c, int64_t person);

/* 1-based place of enrolment_id in the programme's waitlist; 0 on error. */
int64_t enrolment_waitlist_position(struct db_conn *c, int64_t programme_id, int64_t enrolment_id);

/* A place as the lists show it. offered_at and offer_expires_at are set
 * when has_ (the expiry only while the place is offered); cancel_reason
 * may be NULL; position: 1-based on the waitlist, 0 when not waiting.
 * name/erased: the person, in a programme's list only. */
struct enrolment_row {
	int64_t id, programme_id, participant_id, offered_at, offer_expires_at, created_at,
	    updated_at, position;
	bool has_offered_at, has_offer_expires_at, erased;
	const char *status, *cancel_reason, *programme, *name;
};

/* A programme's places (enrolled, offered, waitlisted, then cancelled; by
 * id), each with the person's name (reads of their records: the caller
 * audits), for staff allowed ACT_ENROL_READ in its organisation. Expired
 * offers are settled first. Inside the caller's write transaction. */
int enrolment_list(const struct part_ctx *x, int64_t programme, struct enrolment_row **rows,
                   size_t *n, struct part_refusal *no);

/* The person's own places, newest first, after settling their expired
 * offers; positions are counted in each programme's waitlist. Inside the
 * caller's write transaction. */
int enrolment_list_mine(const struct part_ctx *x, int64_t person, struct enrolment_row **rows,
                        size_t *n);

/* The sessions still to come (or under way) of the programmes the person
 * is enrolled in, published or cancelled after being published, by start;
 * at most limit. */
int enrolment_my_sessions(const struct part_ctx *x, int64_t person, int limit,
                          struct part_session **rows, size_t *n);

/* The people module's consent-withdrawn listener (programs_init registers
 * it): cancels every place the person holds or waits for in a programme
 * with sessions still to come and offers each freed place on. */
int enrolment_on_consent_withdrawn(struct db_conn *c, int64_t participant_id,
                                   enum consent_purpose purpose);

/* ------------------------------------------------------------------ */
/* Sessions as the taking-part answers show them                       */

/* A session row (PROGRAMS_SESSION_COLUMNS), copied into an arena. Text
 * members that may be NULL say so. */
struct part_session {
	int64_t id, programme_id, starts_at, ends_at, original_start, venue_id, sequence;
	bool has_original_start, has_venue, edited, on_duty;
	const char *online_link; /* may be NULL */
	const char *status;
	const char *cancel_reason; /* may be NULL */
	const char *timezone, *title;
};
struct db_stmt;
/* Reads the row at the cursor of a statement selecting
 * PROGRAMS_SESSION_COLUMNS (from column 0) into out, strings in a. */
void programs_session_read(struct db_stmt *st, struct arena *a, struct part_session *out);

/* ------------------------------------------------------------------ */
/* Fit ranking (fit.c)                                                 */

enum fit_code {
	FIT_ACCESS,
	FIT_LANGUAGE,
	FIT_FORMAT,
	FIT_TIME,
	FIT_ART_FORM,
	FIT_PLACES,
	FIT__MAX
};
/* "access", "language", ...: the reasons' codes, NULL-terminated. */
extern const char *const fit_codes[FIT__MAX + 1];
/* "mon" .. "sun", NULL-terminated (a profile's availability days). */
extern const char *const fit_day_names[8];

enum { FMT_IN_PERSON = 1, FMT_ONLINE = 2, FMT_HYBRID = 4 };
enum { ENR_NONE, ENR_ENROLLED, ENR_OFFERED, ENR_WAITLISTED };

/* What ranking reads of a person's profile. languages and interests are
 * borrowed from the profile (NULL when none recorded): it must outlive
 * the struct. */
struct fit_person {
	uint32_t features; /* venue features needed (1 << enum venue_feature) */
	const json_t *languages;
	const json_t *interests;
	unsigned formats; /* FMT_ bits; 0 = none recorded */
	struct {
		int day, start, end; /* day 0 = Monday; minutes after midnight */
	} slots[32];
	int nslots;
};
/* Reads the needs, languages, interests, formats and availability of a
 * profile (people_view's); what is malformed is left out. */
void fit_person_load(const json_t *profile, struct fit_person *p);

/* One criterion of a ranked programme. detail (English, for API clients
 * that read text) is set for items shown. says is the reason's code
 * ("venue_has", "time_inside", ...; docs/programs.md), with its parameters:
 * features (1 << enum venue_feature) for the access codes; lang (the
 * language shared) for "spoken"; days (bit 0 = Monday), start and end
 * (minutes after midnight) for the time codes; n (places left, or waiting)
 * for "places_left" and "full". The programme's languages, format and art
 * form are the item's own. */
struct fit_reason {
	bool ok, neutral;
	int points;
	const char *detail;
	const char *says;
	uint32_t features;
	unsigned days;
	int start, end;
	int64_t n;
	const char *lang;
};

/* A programme as a fit answer shows it. Strings are in the arena; end_date
 * and venue may be NULL; venue_id 0 without a venue. enrol is ENR_ (the
 * person's own place, enrol_id). */
struct fit_item {
	int64_t id, organisation_id, capacity, duration, taken, waiting, venue_id, enrol_id;
	int score, enrol;
	unsigned format; /* FMT_ bit */
	bool therapeutic;
	const char *title, *art_form, *languages /* ",en,es," */, *timezone, *start_date, *end_date,
	    *start_time, *venue;
	struct fit_reason why[FIT__MAX];
	struct part_session next; /* the next published session */
};

/* Ranks the published programmes with a session to come for person p (the
 * participant person: their own places count), best first by score, then
 * next start, then id, and fills *items with the first limit (at most;
 * *n of them), in arena a. now: the moment "to come" is measured from. */
int fit_rank(struct db_conn *c, struct arena *a, const struct fit_person *p, int64_t person,
             int64_t now, int limit, struct fit_item ***items, size_t *n);

/* fit_rank for participant person's own profile. self: the person asks
 * (not audited: not a read of someone else's record; an erased record is
 * -HEARTH_ENOTFOUND); otherwise staff allowed ACT_FIT_PERSON in one of the
 * person's organisations (anyone else, and nobody by that id, is refused
 * alike with no->denied; an erased person is 410). Staff reads are inside
 * the caller's write transaction, which audits them. */
int fit_for(const struct part_ctx *x, int64_t person, bool self, int limit,
            struct fit_item ***items, size_t *n, struct part_refusal *no);

/* "in_person", "online" or "hybrid" for a FMT_ bit. */
const char *fit_format_name(unsigned fmt);

/* ------------------------------------------------------------------ */
/* Practical supports (supports.c)                                     */

extern const char *const support_kinds[];  /* NULL-terminated */
extern const char *const support_states[]; /* what staff may set; NULL-terminated */

/* A support as staff see it. Ids 0 and has_ false stand for NULL; notes is
 * the opened note ("" when none), NULL once the person is erased or when
 * it cannot be read. name/erased: the person, for lists only. */
struct support {
	int64_t id, programme_id, session_id, participant_id, amount_cents, requested_by,
	    requested_at, decided_by, decided_at, provided_at;
	bool has_decided_at, has_provided_at;
	const char *kind, *status, *notes;
	const char *name;
	bool erased;
};

struct support_in {
	int64_t programme, session, person, amount; /* session 0: none */
	const char *kind, *notes;                   /* notes may be NULL */
	bool by_self; /* the person asks themself (the programme must be published) */
};

/* Records a support request of a person who holds (or waits for) a place
 * in the programme; the note is sealed with the person's key. Staff must
 * be allowed ACT_SUPPORT_REQUEST in the programme's organisation. *out is the row
 * as stored. Inside the caller's write transaction. */
int support_request(const struct part_ctx *x, const struct support_in *in, struct support *out,
                    struct part_refusal *no);

/* The programme's supports in id order, each with the person's name (reads
 * of those records: the caller audits), for staff allowed ACT_SUPPORT_MANAGE
 * in its organisation. Inside the caller's write transaction. */
int support_list(const struct part_ctx *x, int64_t programme, struct support **rows, size_t *n,
                 struct part_refusal *no);

/* Moves support id to status to (support_states), with amount_cents when
 * has_amount: requested -> approved | declined | provided, approved ->
 * provided | declined | approved. Inside the caller's write transaction. */
int support_decide(const struct part_ctx *x, int64_t id, const char *to, bool has_amount,
                   int64_t amount, struct support *out, struct part_refusal *no);

/* Per kind (support_kinds order): requests, approved, provided, declined,
 * pending, cents approved, cents provided. */
struct support_ledger {
	int64_t by_kind[4][7];
	int64_t cents_approved, cents_provided;
};
int support_ledger(const struct part_ctx *x, int64_t programme, struct support_ledger *out,
                   struct part_refusal *no);

/* ------------------------------------------------------------------ */
/* Attendance (attendance.c)                                           */

#define PART_MAX_MARKS 200              /* attendance marks per request */
extern const char *const mark_states[]; /* NULL-terminated */

/* One line of a session's register: enrolled people and anyone marked.
 * status and enrolment may be NULL (not marked; no place any more); name
 * is NULL once the person is erased (then erased). */
struct reg_item {
	int64_t pid;
	const char *name, *status, *enrolment;
	bool sat_out, marked, erased;
};

/* The session's register, by name (people without one last), for staff
 * allowed ACT_ATTENDANCE in its organisation; *has_session: *session
 * was read. Names are reads of the people's records: the caller audits.
 * Inside the caller's write transaction. */
int attendance_register(const struct part_ctx *x, int64_t session, struct part_session *sess,
                        bool *has_session, struct reg_item **items, size_t *n,
                        struct part_refusal *no);

/* One mark as asked for. */
struct attendance_mark {
	int64_t pid;
	const char *status; /* mark_states */
	bool sat_out, sat_out_agreed;
};

/* Records marks[0..n) (1 to PART_MAX_MARKS) in a published session, each of
 * someone enrolled or already marked; sitting out only with the person's
 * agreement and only for someone present or late. Refusals name the mark
 * ("marks[2].sat_out"). Inside the caller's write transaction. */
int attendance_mark(const struct part_ctx *x, int64_t session, const struct attendance_mark *marks,
                    size_t n, struct part_refusal *no);

/* ------------------------------------------------------------------ */
/* Follow-up (followup.c)                                              */

extern const char *const followup_actions[]; /* NULL-terminated */

/* An enrolled person whose last two held sessions were both missed. The
 * name is NULL when unreadable; erased people are left out. missed: the
 * local dates ("YYYY-MM-DD") of those sessions, oldest first. The last
 * action recorded about them in the programme, when has_last. */
struct followup_due {
	int64_t pid, programme;
	const char *name, *title;
	const char *missed[2];
	size_t nmissed;
	bool may_contact;
	bool has_last, last_has_user;
	int64_t last_id, last_user_id, last_at;
	const char *last_action, *last_by; /* last_by may be NULL */
};

/* Who is due a follow-up in the organisations where the actor is allowed
 * ACT_FOLLOWUP (every organisation for admins). Names are reads of
 * the people's records: the caller audits. */
int followup_due_list(const struct part_ctx *x, struct followup_due **rows, size_t *n);

struct followup_in {
	int64_t pid, programme;
	const char *action, *note; /* note may be NULL */
};

/* Records an action about a person in a programme they have (or had) a
 * place in; contacting actions need their consent to be contacted; the
 * note is sealed with their key. *id and *at: the new row. Inside the
 * caller's write transaction. */
int followup_create(const struct part_ctx *x, const struct followup_in *in, int64_t *id,
                    int64_t *at, struct part_refusal *no);

/* A follow-up as the log shows it; note is the opened note or NULL. */
struct followup_entry {
	int64_t id, pid, programme, user_id, at;
	bool has_user, erased;
	const char *title, *action, *by, *name, *note;
	size_t note_len;
};

/* The newest follow-ups (at most 500 per organisation) in the organisations
 * where the actor is allowed ACT_FOLLOWUP_LOG, of person only when not 0, with
 * names and notes (reads of the records: the caller audits). */
int followup_log(const struct part_ctx *x, int64_t only, struct followup_entry **rows, size_t *n);

#endif
