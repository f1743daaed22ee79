/*
 * Sharing between organisations: data-sharing agreements (which categories
 * of a person's record one organisation shares with another, and for how
 * long) and the check that a partner organisation may read a category of
 * a person's record: the agreement covers it and the person consented.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "people/internal.h"
#include "core/banned.h"

const char *const share_names[SHARE__MAX + 1] = {
    "contact", "attendance", "checkins", "safety_plan", "referrals", "outcomes", NULL,
};
const enum consent_purpose share_purpose[SHARE__MAX] = {
    [SHARE_CONTACT] = PURPOSE_CONTACT,
    [SHARE_ATTENDANCE] = PURPOSE_PARTICIPATION,
    [SHARE_CHECKINS] = PURPOSE_CLINICAL_SHARING,
    [SHARE_SAFETY_PLAN] = PURPOSE_CLINICAL_SHARING,
    [SHARE_REFERRALS] = PURPOSE_CLINICAL_SHARING,
    [SHARE_OUTCOMES] = PURPOSE_EVALUATION,
};

/* SQL catalogue for agreements. */
static const char SQL_IN_ORG[] =
    "SELECT 1 FROM participant_orgs WHERE participant_id = ? AND organisation_id = ?";
static const char SQL_AGREEMENTS[] =
    "SELECT a.categories FROM sharing_agreements a JOIN participant_orgs po"
    " ON po.organisation_id = a.from_organisation_id WHERE po.participant_id = ?"
    " AND a.to_organisation_id = ? AND a.revoked_at IS NULL AND a.starts_at <= ? AND a.ends_at > ?";
static const char SQL_AGREEMENT_INSERT[] =
    "INSERT INTO sharing_agreements (from_organisation_id, to_organisation_id, categories,"
    " starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_AGREEMENT_REVOKE[] =
    "UPDATE sharing_agreements SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char SQL_AGREEMENT_LIST[] =
    "SELECT id, from_organisation_id, to_organisation_id, categories, starts_at, ends_at,"
    " revoked_at FROM sharing_agreements WHERE (? = 0 OR from_organisation_id = ?"
    " OR to_organisation_id = ?) ORDER BY id";
static const char SQL_AGREEMENT_GET[] =
    "SELECT id, from_organisation_id, to_organisation_id, categories, starts_at, ends_at,"
    " revoked_at FROM sharing_agreements WHERE id = ?";

/* Whether the person is registered with org, into *yes. Returns 0 or a
 * negative hearth_err. */
static int in_org(struct db_conn *c, int64_t participant_id, int64_t org, bool *yes)
{
	struct db_stmt *s = db_prepare(c, SQL_IN_ORG);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	db_bind_i64(s, 2, org);
	int rc;
	*yes = db_next(s, &rc);
	db_finish(s);
	return rc;
}

static bool has_category(const char *list, const char *cat)
{
	size_t n = strlen(cat);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, cat, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Roles that work with people's records inside their own organisation. */
#define STAFF_ROLES                                                                 \
	((1u << ROLE_ADMIN) | (1u << ROLE_COORDINATOR) | (1u << ROLE_FACILITATOR) | \
	 (1u << ROLE_CLINICIAN) | (1u << ROLE_PEER_SUPPORTER))

int people_sharing(struct db_conn *c, const struct actor *a, int64_t participant_id,
                   enum share_category cat, bool *allowed)
{
	int64_t now = util_now();
	int rc = 0;
	*allowed = false;
	if (cat < 0 || cat >= SHARE__MAX)
		return 0;
	for (int i = 0; i < a->nmemberships && !*allowed; i++) {
		const struct membership *m = &a->memberships[i];
		if (!((1u << m->role) & STAFF_ROLES))
			continue;
		if ((rc = in_org(c, participant_id, m->organisation_id, allowed)) != 0)
			return rc;
	}
	for (int i = 0; i < a->nmemberships && !*allowed; i++) {
		const struct membership *m = &a->memberships[i];
		if (!((1u << m->role) & STAFF_ROLES))
			continue;
		struct db_stmt *s = db_prepare(c, SQL_AGREEMENTS);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, participant_id);
		db_bind_i64(s, 2, m->organisation_id);
		db_bind_i64(s, 3, now);
		db_bind_i64(s, 4, now);
		bool covered = false;
		while (!covered && db_next(s, &rc))
			covered = has_category(db_col_text(s, 0), share_names[cat]);
		db_finish(s);
		if (rc)
			return rc;
		/* All must hold: the agreement covers it, the person agreed to share
		 * with the partner service at all ("Sharing with the mental health
		 * service", clinical_sharing), and to the category's own purpose.
		 * "Being contacted" alone only lets the person's own organisation
		 * contact them; it never opens their record to another one. */
		bool sharing = false, purpose = false;
		if (covered)
			rc = people_consent_granted(c, participant_id, PURPOSE_CLINICAL_SHARING,
			                            &sharing);
		if (!rc && sharing)
			rc =
			    people_consent_granted(c, participant_id, share_purpose[cat], &purpose);
		if (rc)
			return rc;
		*allowed = covered && sharing && purpose;
	}
	return 0;
}

bool people_sharing_allows(struct db_conn *c, const struct actor *a, int64_t participant_id,
                           enum share_category cat)
{
	/* An error never shares (people_sharing tells it apart). */
	bool allowed = false;
	return people_sharing(c, a, participant_id, cat, &allowed) == 0 && allowed;
}

static const char SQL_ORGS_SHARE[] =
    "SELECT 1 FROM sharing_agreements WHERE from_organisation_id = ? AND to_organisation_id = ?"
    " AND revoked_at IS NULL AND starts_at <= ? AND ends_at > ?";

int people_orgs_shared(struct db_conn *c, int64_t from, int64_t to, bool *shared)
{
	int64_t now = util_now();
	*shared = false;
	struct db_stmt *s = db_prepare(c, SQL_ORGS_SHARE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, from);
	db_bind_i64(s, 2, to);
	db_bind_i64(s, 3, now);
	db_bind_i64(s, 4, now);
	int rc;
	bool found = db_next(s, &rc);
	db_finish(s);
	*shared = found && !rc;
	return rc;
}

bool people_orgs_share(struct db_conn *c, int64_t from, int64_t to)
{
	bool shared;
	/* An error never shares: no agreement is assumed. */
	return people_orgs_shared(c, from, to, &shared) == 0 && shared;
}

static const char SQL_PARTNER_ORGS[] =
    "SELECT to_organisation_id FROM sharing_agreements WHERE from_organisation_id = ?1"
    " AND revoked_at IS NULL AND starts_at <= ?2 AND ends_at > ?2"
    " UNION SELECT from_organisation_id FROM sharing_agreements WHERE to_organisation_id = ?1"
    " AND revoked_at IS NULL AND starts_at <= ?2 AND ends_at > ?2";

int people_partner_orgs(struct db_conn *c, int64_t org, int64_t *out, size_t max, size_t *n)
{
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_PARTNER_ORGS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org);
	db_bind_i64(s, 2, util_now());
	int rc;
	while (db_next(s, &rc))
		if (*n < max)
			out[(*n)++] = db_col_i64(s, 0);
	db_finish(s);
	return rc;
}

int people__agreement_create(struct db_conn *c, int64_t from, int64_t to, const char *categories,
                             int64_t starts, int64_t ends, int64_t actor, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_AGREEMENT_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, from);
	db_bind_i64(s, 2, to);
	db_bind_text(s, 3, categories);
	db_bind_i64(s, 4, starts);
	db_bind_i64(s, 5, ends);
	db_bind_id(s, 6, actor);
	db_bind_i64(s, 7, util_now());
	return db_insert_id(s, id);
}

int people__agreement_revoke(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_AGREEMENT_REVOKE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, util_now());
	db_bind_i64(s, 2, id);
	return db_run_one(s);
}

static void agreement_row(struct db_stmt *s, struct agreement_row *row)
{
	*row = (struct agreement_row){
	    .id = db_col_i64(s, 0),
	    .from_org = db_col_i64(s, 1),
	    .to_org = db_col_i64(s, 2),
	    .categories = db_col_text(s, 3),
	    .starts_at = db_col_i64(s, 4),
	    .ends_at = db_col_i64(s, 5),
	    .revoked_at = db_col_i64(s, 6),
	};
}

int people__agreement_list(struct db_conn *c, int64_t org,
                           void (*fn)(const struct agreement_row *row, void *ctx), void *ctx)
{
	struct db_stmt *s = db_prepare(c, SQL_AGREEMENT_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org);
	db_bind_i64(s, 2, org);
	db_bind_i64(s, 3, org);
	int rc;
	while (db_next(s, &rc)) {
		struct agreement_row row;
		agreement_row(s, &row);
		fn(&row, ctx);
	}
	db_finish(s);
	return rc;
}

int people__agreement_get(struct db_conn *c, int64_t id, struct agreement_row *row)
{
	struct db_stmt *s = db_prepare(c, SQL_AGREEMENT_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		agreement_row(s, row);
	row->categories = NULL; /* not valid after finish */
	db_finish(s);
	return rc == DB_ROW ? 0 : (rc < 0 ? rc : -HEARTH_ENOTFOUND);
}
