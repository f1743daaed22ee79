/*
 * Identity and access: roles, the actions routes perform, the policy that
 * decides (policy.c, one table), and the storage of users, organisations,
 * memberships and settings (auth.c), sessions, login and throttling
 * (session.c) and API tokens (token.c).
 */
#ifndef HEARTH_AUTH_H
#define HEARTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db_conn;
struct keyring;

enum role {
	ROLE_ADMIN,
	ROLE_COORDINATOR,
	ROLE_FACILITATOR,
	ROLE_CLINICIAN,
	ROLE_PEER_SUPPORTER,
	ROLE_MODERATOR,
	ROLE_FUNDER,
	ROLE_PARTICIPANT,
	ROLE__MAX
};

/* "admin", "coordinator", ...; NULL-terminated, indexed by enum role. */
extern const char *const role_names[ROLE__MAX + 1];
/* Returns the role for name or -1. */
int auth_role_from_name(const char *name);

extern const char *const org_kinds[]; /* "arts", "mental_health", "partner", NULL */

/* Every route names one action; policy.c says which roles may perform it. */
enum action {
	ACT_PUBLIC, /* anyone, logged in or not */
	ACT_SELF,   /* any logged-in user, about themself */
	ACT_ORG_LIST,
	ACT_ORG_CREATE,
	ACT_ORG_UPDATE, /* an organisation's settings (its country) */
	ACT_USER_LIST,
	ACT_USER_CREATE,
	ACT_USER_UPDATE,
	ACT_MEMBERSHIP_CREATE,
	ACT_MEMBERSHIP_DELETE,
	ACT_TOKEN_LIST,
	ACT_TOKEN_CREATE,
	ACT_TOKEN_REVOKE,
	ACT_AUDIT_READ,
	ACT_ORG_SEE,       /* know that an organisation's things exist (any role there) */
	ACT_PERSON_CREATE, /* register a participant */
	ACT_PERSON_SEARCH, /* list and exact-search participants */
	ACT_PERSON_READ,   /* read a record (scoped by organisation and sharing) */
	ACT_PERSON_UPDATE,
	ACT_PERSON_ERASE,
	ACT_CONSENT_RECORD, /* record consent on a person's behalf */
	ACT_SELF_PERSON,    /* a participant's own record, consents, export */
	ACT_ERASURE_REVIEW,
	ACT_AGREEMENT_LIST,
	ACT_AGREEMENT_MANAGE,
	ACT_RETENTION,
	/* programmes (src/programs) */
	ACT_PROGRAM_READ,   /* programmes, sessions, venues, rounds, themes, decisions */
	ACT_PROGRAM_MANAGE, /* venues, programmes, publishing, roster, programme feeds */
	ACT_SESSION_EDIT,   /* move, cancel, change venue or link of a session */
	ACT_ROSTER_READ,    /* roster and leadership rotation */
	ACT_TRAINING_READ,  /* training records (others than one's own: managers) */
	ACT_TRAINING_MANAGE,
	ACT_LISTENING_MANAGE,  /* rounds, reading responses, theme outcomes, decisions */
	ACT_LISTENING_RESPOND, /* answer a round (staff entering in person, or online) */
	ACT_THEME_PROPOSE,
	ACT_VOTE,
	ACT_ENROL,        /* enrol a person (staff) */
	ACT_ENROL_READ,   /* enrolment lists */
	ACT_ENROL_ANSWER, /* cancel, accept or decline a place (own check) */
	ACT_SELF_PROGRAM, /* a participant's fit, enrolments, sessions, supports, feed */
	ACT_FIT_PERSON,   /* sessions that fit a person, for staff */
	ACT_SUPPORT_REQUEST,
	ACT_SUPPORT_MANAGE,
	ACT_ATTENDANCE,
	ACT_FOLLOWUP,
	ACT_FOLLOWUP_LOG,
	ACT_DUTY_SELF, /* my duties and duty feed */
	ACT_OUTBOX,    /* the outbox: list, view an email, retry, send a test (admins) */
	ACT__MAX
};

extern const char *const action_names[ACT__MAX];

enum auth_kind { AUTH_NONE, AUTH_SESSION, AUTH_TOKEN };

struct membership {
	int64_t id, organisation_id;
	enum role role;
	const char *organisation; /* name */
	const char *kind;
};

/* Who is asking. Filled from a session cookie or a bearer token. */
struct actor {
	enum auth_kind kind;
	int64_t user_id; /* 0 for tokens and anonymous */
	int64_t session_id;
	int64_t token_id;
	uint32_t roles;          /* bit (1 << role) for each role held anywhere */
	int64_t organisation_id; /* first organisation (audit context) */
	const char *email;
	const char *display_name;
	struct membership *memberships;
	int nmemberships;
	char session_token[48]; /* only for CSRF derivation; never logged */
};

/* The policy: true when actor may perform action. Deny by default. */
bool policy_allows(const struct actor *a, enum action act);
/* Least privilege inside an organisation: the keys of a person's record
 * that a reader holding roles (a mask of the roles they hold in the person's
 * organisations) may not see. Volunteers (peer supporters) see who the
 * person is, how to reach them and what they need to take part, but not
 * staff notes, the date of birth (the age band stays) or the emergency
 * contact. NULL-terminated; never NULL. */
const char *const *policy_person_hidden(uint32_t roles);
/* Roles allowed for an action as a bitmask (for tests and docs). */
uint32_t policy_roles(enum action act);

/* Which things an action reaches: the policy table's scope column. */
enum scope {
	SCOPE_PLATFORM, /* no organisation: the role decides, anywhere (admin tasks) */
	SCOPE_SELF,     /* the caller's own record (the module finds which is theirs) */
	SCOPE_ORG,      /* things of the organisations where the caller holds an allowed role;
	                 * an admin holds every organisation */
	SCOPE_MEMBER,   /* a person's record: only the organisations where the caller holds an
	                 * allowed role, admins included (never platform-wide) */
	SCOPE_SHARED,   /* SCOPE_MEMBER, or for reads a person of a partner organisation under
	                 * an active data-sharing agreement they consented to
	                 * (people_sharing_allows) */
};
enum scope policy_scope(enum action act);
extern const char *const scope_names[]; /* "platform", "self", "organisation", ... */

/* The one decision for a thing that belongs to organisation org (the rule
 * in docs/api.md, "Who may do what"):
 *   0                  allowed: the caller holds a role allowed for act in
 *                      org (for SCOPE_ORG an admin holds every organisation), or act is
 *                      not scoped to organisations and their roles allow it;
 *   -HEARTH_EDENIED    403: the caller may know the thing exists (they hold
 *                      some role in org, or seen: it is shown to them anyway,
 *                      such as a published programme) but may not do this;
 *   -HEARTH_ENOTFOUND  404: they cannot know it exists; the caller answers
 *                      exactly as for a thing that does not exist;
 *   -HEARTH_EAUTH      not logged in.
 * Routes check policy_allows() first, so a caller whose roles never allow
 * the action is refused (403) before any id is looked up. */
int policy_check(const struct actor *a, enum action act, int64_t org, bool seen);
/* policy_check for a thing the caller is assigned to or not (assigned:
 * they lead the session or are on its roster). Roles the table allows act
 * only where assigned (a facilitator editing a session) count only when
 * assigned is true; policy_check counts them never. */
int policy_check_assigned(const struct actor *a, enum action act, int64_t org, bool seen,
                          bool assigned);
/* True when an admin may do act in every organisation (scope platform or
 * organisation): what GET /meta lists as "everywhere". */
bool policy_everywhere(enum action act);
/* policy_check(a, act, org, false) == 0. */
bool policy_in(const struct actor *a, enum action act, int64_t org);
/* The organisations where the caller may do act; returns how many (at most
 * max). *all is set for admins (every organisation). */
size_t policy_orgs(const struct actor *a, enum action act, int64_t *out, size_t max, bool *all);
/* The roles (1 << enum role) the caller holds in organisation org. */
uint32_t policy_roles_in(const struct actor *a, int64_t org);

/* --- storage (auth.c, session.c, token.c). All functions take an open connection; writes
 * must run inside a write transaction the caller owns. --- */

struct user {
	int64_t id;
	const char *email, *display_name;
	bool disabled;
	int64_t created_at;
};

/* Creates an organisation if none has this name; returns its id in *id.
 * Returns 0 or a negative hearth_err. */
int auth_org_ensure(struct db_conn *c, const char *name, const char *kind, int64_t *id,
                    bool *created);
/* Sets an organisation's country (ISO 3166-1 alpha-2, validated by the
 * caller), or clears it when country is NULL or "": "Get help now" then
 * opens on the deployment's default. -HEARTH_ENOTFOUND if there is no such
 * organisation. Must run inside a write transaction. */
int auth_org_set_country(struct db_conn *c, int64_t org_id, const char *country);
/* Writes the organisation's country into out, or "" when it has none (or
 * does not exist). Returns 0 or a negative hearth_err. */
int auth_org_country(struct db_conn *c, int64_t org_id, char out[3]);
/* Deployment settings (the settings table; no personal data). get writes
 * the value into out (truncated to size), or "" when it is not set. */
int auth_setting_get(struct db_conn *c, const char *name, char *out, size_t size);
int auth_setting_set(struct db_conn *c, const char *name, const char *value);
/* Creates a user. password_hash (from auth_password_hash) may be NULL: the
 * user cannot log in. -HEARTH_ECONFLICT if the email is taken. */
int auth_user_create(struct db_conn *c, const char *email, const char *display_name,
                     const char *password_hash, int64_t *id);
int auth_membership_add(struct db_conn *c, int64_t user_id, int64_t org_id, enum role role,
                        int64_t *id);
/* The stored login name for a participant's account: a keyed hash of the
 * email ("pbi:" + 64 hex), so the users table never holds a participant's
 * email in the clear. auth_login() accepts either form. */
void auth_login_key(const struct keyring *kr, const char *email, char out[80]);

/* Sets a user's login name (after a participant corrects their email).
 * -HEARTH_ECONFLICT if another login has it. */
int auth_user_set_login(struct db_conn *c, int64_t user_id, const char *login);

/* Erases a user's account when the person is erased: the login name becomes
 * a placeholder, the name "Erased person", the password and every
 * membership and session go, and the account is disabled. Must run inside
 * the erasure's write transaction. Returns 0 or a negative hearth_err. */
int auth_user_erase(struct db_conn *c, int64_t user_id);

/* Sets *automatic when the organisation erases a person on request without
 * review (erasure_policy 'automatic'); false when it does not exist. Returns
 * 0 or a negative hearth_err. */
int auth_org_erasure_automatic(struct db_conn *c, int64_t org_id, bool *automatic);

/* Finds a user id by email; 0 if none. */
int auth_user_find(struct db_conn *c, const char *email, int64_t *id);

/* --- what other modules read about users (they never read auth's tables) --- */

/* Display names of users: names[i] is the name of ids[i] (arena memory), or
 * NULL when ids[i] is 0 or no user has it. Each distinct id is looked up
 * once. Returns 0 or a negative hearth_err (never a partial answer). */
int auth_user_names(struct db_conn *c, struct arena *a, const int64_t *ids, size_t n,
                    const char **names);
/* *enabled: user exists and is not disabled (erased accounts are disabled). */
int auth_user_enabled(struct db_conn *c, int64_t user, bool *enabled);
/* *erased: user's account was erased by auth_user_erase(). */
int auth_user_erased(struct db_conn *c, int64_t user, bool *erased);
/* *email: the login email of an enabled user (arena memory), or NULL when
 * the user does not exist, is disabled or logs in with a participant's
 * keyed hash (their address is in their record: people_contact_email()).
 * For email the messages module sends. Returns 0 or a negative hearth_err. */
int auth_user_email(struct db_conn *c, struct arena *a, int64_t user, const char **email);
/* *has: user holds role in organisation org (0: in any organisation). */
int auth_user_has_role(struct db_conn *c, int64_t user, int64_t org, enum role role, bool *has);
/* One membership of an enabled user, for lists of staff (strings in arena). */
struct auth_staff_row {
	int64_t user_id, organisation_id;
	const char *display_name, *organisation, *role;
};
/* The memberships of enabled users in a role of role_mask (1 << enum role)
 * in organisation org (0: any), by display name, user id, organisation name
 * and role: *out is an arena array of *n. */
int auth_staff_list(struct db_conn *c, struct arena *a, int64_t org, uint32_t role_mask,
                    struct auth_staff_row **out, size_t *n);

/* Loads memberships and profile into a (strings in arena). */
int auth_actor_load(struct db_conn *c, struct arena *arena, struct actor *a, int64_t user_id);

/* Login. Verifies email+password under the throttle for email and client
 * address; on success creates a session and writes its token (cookie value)
 * into token_out and the user id into *user_id. Returns 0, -HEARTH_EAUTH
 * (wrong email or password: the same answer either way), -HEARTH_ELOCKED
 * with *retry_after seconds, or -HEARTH_EOVERLOAD. Manages its own
 * transactions (hashing must not hold the write lock). */
struct auth_limits;
struct db_pool;
struct auth_login_result {
	int64_t user_id;
	int64_t session_id;
	char token[48];
	int64_t retry_after;
};
int auth_login(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim,
               const char *email, const char *password, const char *client_addr,
               const char *request_id, int64_t absolute_ttl, struct auth_login_result *res);

/* Resolves a session cookie; fills a (user, memberships). With touch, moves
 * last_seen at most once a minute; without, leaves the session row as it is
 * (a request whose time must not be recorded). Returns 0 or -HEARTH_EAUTH. */
int auth_session_resolve(struct db_conn *c, struct arena *arena, const char *token,
                         int64_t idle_ttl, bool touch, struct actor *a);
/* Deletes a session. */
int auth_session_delete(struct db_conn *c, int64_t session_id);
/* Resolves a bearer token. Returns 0 or -HEARTH_EAUTH. */
int auth_token_resolve(struct db_conn *c, struct arena *arena, const char *token, struct actor *a);
/* Creates an API token; writes the secret (shown once) into secret_out. */
int auth_token_create(struct db_conn *c, const char *name, enum role role, int64_t org_id,
                      int64_t created_by, char secret_out[64], int64_t *id);
int auth_token_revoke(struct db_conn *c, int64_t id);

/* --- administration (the storage behind auth_http.c's admin routes) --- */

/* An organisation as the admin routes show it; strings are arena memory,
 * country NULL when it has none. */
struct auth_org {
	int64_t id, created_at;
	const char *name, *kind, *country;
};
/* Every organisation, by name: *out is an arena array of *n. */
int auth_org_list(struct db_conn *c, struct arena *a, struct auth_org **out, size_t *n);
/* Organisation id into *out; -HEARTH_ENOTFOUND when there is none. */
int auth_org_get(struct db_conn *c, struct arena *a, int64_t id, struct auth_org *out);

/* A user with their memberships (by id), for the admin user list. */
struct auth_user_entry {
	struct user user;
	struct membership *memberships;
	int nmemberships;
};
/* One page of users by id (limit rows from offset), each with their
 * memberships: *out is an arena array of *n. */
int auth_user_list(struct db_conn *c, struct arena *a, int64_t limit, int64_t offset,
                   struct auth_user_entry **out, size_t *n);

/* What an admin changes on a user; NULL or false leaves it as it is. */
struct auth_user_change {
	const char *display_name;
	bool set_disabled, disabled;
	const char *password_hash; /* from auth_password_hash */
};
/* Applies ch to user id (-HEARTH_ENOTFOUND when there is none). Disabling
 * or a new password ends every session of the user at once. Inside the
 * caller's write transaction. */
int auth_user_update(struct db_conn *c, int64_t id, const struct auth_user_change *ch);

/* Adds a membership after checking that the user and the organisation
 * exist: when one does not, returns -HEARTH_EINVAL with *missing naming the
 * field ("user_id" or "organisation_id"). Inside the caller's write
 * transaction. */
int auth_membership_create(struct db_conn *c, int64_t user_id, int64_t org_id, enum role role,
                           int64_t *id, const char **missing);
/* Deletes membership id; -HEARTH_ENOTFOUND when there is none. */
int auth_membership_delete(struct db_conn *c, int64_t id);

/* An API token as the admin list shows it (never its secret). */
struct auth_token_info {
	int64_t id, organisation_id, created_at, revoked_at;
	bool revoked;
	const char *name, *role;
};
/* Every API token by id: *out is an arena array of *n. */
int auth_token_list(struct db_conn *c, struct arena *a, struct auth_token_info **out, size_t *n);
/* auth_token_create() for an organisation that must exist: otherwise
 * -HEARTH_EINVAL with *missing = "organisation_id". */
int auth_token_issue(struct db_conn *c, const char *name, enum role role, int64_t org_id,
                     int64_t created_by, char secret_out[64], int64_t *id, const char **missing);

/* The CSRF token for a session: keyed hash of its cookie token, hex. */
void auth_csrf_token(const struct keyring *kr, const char *session_token, char out[65]);

/* Password hashing gate: at most n hashes run at once; at most queue wait. */
struct auth_limits *auth_limits_new(int n, int queue);
void auth_limits_free(struct auth_limits *l);
/* Hashes a password under the gate. Returns 0, or -HEARTH_EOVERLOAD. */
int auth_password_hash(struct auth_limits *l, char out[128], const char *password);

/* Login throttling. After slow_after failures for an account (or a client
 * address) within window seconds, each further attempt must wait a backoff
 * that doubles from 1 s up to max_backoff; after lock_after failures the
 * account is locked for lock_seconds (addr_lock_after for an address). The
 * same rules apply to emails that have no account, so the answers never
 * reveal whether an account exists. */
struct auth_throttle {
	int slow_after, lock_after, addr_slow_after, addr_lock_after;
	int64_t lock_seconds, window, max_backoff;
};
/* Defaults: 3, 10, 10, 50, 900 s, 3600 s, 60 s. An address is shared by
 * everyone behind one office router, so it slows down later than an account. */

/* Counts one event for (prefix, value) within window seconds, in the same
 * table as login throttling (so it works across nodes). Returns 0, or
 * -HEARTH_ELOCKED with *retry_after when max events were already counted.
 * value is stored only as a keyed hash. Runs its own statements. */
int auth_rate_hit(struct db_conn *c, const struct keyring *kr, const char *prefix,
                  const char *value, int64_t window, int max, int64_t *retry_after);
extern struct auth_throttle auth_throttle;

#endif
