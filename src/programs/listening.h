/*
 * Listening and co-authorship, the logic (no HTTP): rounds and answers
 * (listening.c), themes, votes and "you said, we did" (themes.c). Typed
 * inputs, a database connection, 0 or -HEARTH_E... with a refusal
 * (programs.h). The edges are listening_http.c and themes_http.c.
 *
 * Scope: participants may read the rounds and decisions of every
 * organisation; staff those of organisations where they hold a staff role;
 * managing a round needs the admin or coordinator role in its organisation.
 * A round the actor may not see is refused 404, as if it did not exist.
 * A round that is closed is refused 409 with no field and the round's
 * status as "round_status" (programs_refusal's ext_str).
 */
#ifndef HEARTH_PROGRAMS_LISTENING_H
#define HEARTH_PROGRAMS_LISTENING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;
struct arena;
struct db_conn;
struct people_ctx;
struct programs_refusal;

/* The questions of a round, in the order answers list them. */
enum listening_question {
	LQ_EMOTIONAL,
	LQ_CREATIVE,
	LQ_SOCIAL,
	LQ_STRENGTHS,
	LQ_CULTURAL_TRADITIONS,
	LQ_BARRIERS,
	LQ__MAX
};
extern const char *const listening_questions[LQ__MAX + 1]; /* NULL-terminated */

/* The audit action counted, per round and day, for anonymous online
 * answers (audit_defer; settled by listening_init's listener). */
#define LISTENING_ANONYMOUS_ANSWERS "listening.response.anonymous"

/* A round; strings are arena memory. */
struct listening_round {
	int64_t id, org, opens_at, closes_at, created_at, closed_at;
	bool has_closes_at, has_closed_at;
	const char *title, *description, *status;
	int64_t themes, responses;
};

/* What a create or an update sets (update: only the has_ fields change;
 * clear_closes_at drops closes_at). */
struct listening_round_input {
	int64_t org; /* create only */
	const char *title, *description, *status;
	int64_t closes_at;
	bool has_title, has_description, has_closes_at, clear_closes_at, has_status;
};

/* Registers the listener that settles anonymous answers when their
 * aggregate audit entry is written (once, at start-up). */
void listening_init(void);

/* Rounds of org (all when 0) with status ("" or NULL: any) that who sees. */
int listening_round_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t org,
                         const char *status, struct listening_round **out, size_t *n);
/* Round id as stored (-HEARTH_ENOTFOUND when none), no scope check. */
int listening_round_load(struct db_conn *c, struct arena *a, int64_t id,
                         struct listening_round *out);
/* Round id for who: refused 404 when absent or not seen. */
int listening_round_get(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                        struct listening_round *out, struct programs_refusal *why);
/* Opens a round in in->org (who must coordinate it, 403); closes_at must
 * be in the future (400). Inside the caller's write transaction. */
int listening_round_create(struct db_conn *c, struct arena *a, const struct actor *who,
                           const struct listening_round_input *in, int64_t *id,
                           struct programs_refusal *why);
/* Changes round id; *out gets the round as changed and *action the audit
 * action (update, close or reopen). Inside the caller's write transaction. */
int listening_round_update(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                           const struct listening_round_input *in, struct listening_round *out,
                           const char **action, struct programs_refusal *why);

/* An answer to a round: answers[q] NULL or blank when not answered. */
struct listening_answer_input {
	int64_t participant_id; /* 0: none given */
	bool anonymous;
	const char *lang;
	const char *answers[LQ__MAX];
	const char *const *tags; /* barrier tags */
	size_t ntags;
};
struct listening_answer_added {
	int64_t id;
	struct listening_round round; /* filled once the round was found */
	/* Anonymous online: no audit entry, access-log line or metrics; the
	 * answer was counted with audit_defer. Otherwise audit action
	 * "listening.response.create" on resource. */
	bool anonymous_online;
	const char *resource;
};
/* Stores an answer to round round_id from who: staff of the round's
 * organisation entering an answer given in person (for participant_id,
 * or anonymous), or a participant answering online for themself. An
 * attributed answer is sealed with the person's data key; an anonymous
 * one gets a random id, only the day it was given and no link to anyone.
 * Inside the caller's write transaction. */
int listening_answer_add(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                         const struct actor *who, int64_t round_id,
                         const struct listening_answer_input *in,
                         struct listening_answer_added *out, struct programs_refusal *why);

/* One stored answer, opened. */
struct listening_answer {
	int64_t id, participant_id, created_at; /* participant_id 0: anonymous */
	const char *channel, *lang;
	char *doc;   /* {"answers":{..},"barrier_tags":[..]} as JSON text (arena); NULL if erased */
	size_t len;  /* of doc; the edge wipes it after use */
	bool erased; /* the person was erased: the words are gone */
};
/* Up to limit answers of round round_id after id after, for who, who must
 * manage the round (404/403). Attributed answers are opened with the
 * person's key: the caller audits each read in the same transaction. */
int listening_answer_list(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                          const struct actor *who, int64_t round_id, int64_t after, int64_t limit,
                          struct listening_round *rd, struct listening_answer **out, size_t *n,
                          struct programs_refusal *why);

/* --- themes.c --- */

extern const char *const listening_theme_outcomes[]; /* "pending", ... NULL-terminated */
extern const char *const listening_decision_kinds[]; /* NULL-terminated */

struct listening_theme {
	int64_t id, round_id, created_at, votes, org;
	const char *title, *description, *proposer_kind, *outcome, *reason, *round_status;
	bool removed; /* its proposer was erased: the words are gone */
};
/* Theme id (-HEARTH_ENOTFOUND when none), no scope check. */
int listening_theme_load(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t id, struct listening_theme *out);
/* The themes of round round_id for who (404), and who's vote (0: none). */
int listening_theme_list(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         const struct actor *who, int64_t round_id, struct listening_round *rd,
                         struct listening_theme **out, size_t *n, int64_t *my_vote,
                         struct programs_refusal *why);
/* Proposes a theme in an open round; a participant's words are sealed with
 * their key. Inside the caller's write transaction. */
int listening_theme_create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           const struct actor *who, int64_t round_id, const char *title,
                           const char *description, int64_t *id, struct listening_round *rd,
                           struct programs_refusal *why);
/* Records a theme's outcome ("pending" or "not_acted" with reason). *out
 * gets the theme as changed. Inside the caller's write transaction. */
int listening_theme_set_outcome(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                                const struct actor *who, int64_t id, const char *outcome,
                                const char *reason, struct listening_theme *out,
                                struct programs_refusal *why);
/* who's one vote in round round_id, for theme_id (replacing an earlier
 * one); *votes gets the theme's votes. Inside the caller's transaction. */
int listening_vote_put(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                       const struct actor *who, int64_t round_id, int64_t theme_id,
                       struct listening_round *rd, int64_t *votes, struct programs_refusal *why);
/* Takes who's vote in round round_id back (404 when there is none). */
int listening_vote_delete(struct db_conn *c, struct arena *a, const struct actor *who,
                          int64_t round_id, struct listening_round *rd,
                          struct programs_refusal *why);

/* A theme as "you said, we did" shows it: title NULL once removed. */
struct listening_theme_ref {
	int64_t id, round_id, votes;
	const char *title, *reason;
};
struct listening_decision {
	int64_t id, org, round_id, programme_id, created_at; /* 0: none */
	const char *kind, *title, *body;
	struct listening_theme_ref *themes;
	size_t nthemes;
	int64_t responses; /* how many answers are linked: never which */
};
struct listening_decision_input {
	int64_t org, round_id, programme_id; /* 0: none */
	const char *kind, *title, *body;
	const int64_t *theme_ids, *response_ids;
	size_t nthemes, nresponses;
};
/* Decisions of org and round (0: any) who sees, and the themes not acted
 * on, with why. */
int listening_decision_list(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                            const struct actor *who, int64_t org, int64_t round,
                            struct listening_decision **out, size_t *n,
                            struct listening_theme_ref **not_acted, size_t *nnot);
int listening_decision_get(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t id, struct listening_decision *out);
/* Records a decision of in->org (who coordinates it, 403) linked to themes
 * (marked acted on) and answers of that organisation (400 naming the
 * list otherwise). Inside the caller's write transaction. */
int listening_decision_create(struct db_conn *c, struct arena *a, const struct actor *who,
                              const struct listening_decision_input *in, int64_t *id,
                              struct programs_refusal *why);

/* Shared by listening.c and themes.c. */
bool listening_sees_round(const struct actor *a, int64_t org);
/* Refuses 409 (with "round_status") unless round rd takes more of what. */
int listening_round_must_be_open(struct arena *a, const struct listening_round *rd,
                                 const char *what, struct programs_refusal *why);
/* Runs a statement selecting one count (or id) with id bound to ?1. */
int listening_count_of(struct db_conn *c, const char *sql, int64_t id, int64_t *out);

#endif
