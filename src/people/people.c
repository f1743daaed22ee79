/*
 * The people module's storage and rules: participants sealed with their own
 * data key, blind indexes for exact search, consent history, data-sharing
 * agreements, account codes, erasure requests and crypto-shredding.
 *
 * A person's profile is one sealed document (JSON text validated at the
 * edge by people_http.c's field tables). It is sealed and opened as a unit,
 * and most of it is lists (languages, interests, availability, needs), so it
 * stays a document rather than a struct; nothing outside this module sees
 * its ciphertext.
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

const char *const purpose_names[PURPOSE__MAX + 1] = {
    "participation", "contact", "evaluation", "clinical_sharing", "peer_community", "media", NULL,
};
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

/* SQL catalogue for the people module. */
static const char SQL_INSERT[] =
    "INSERT INTO participants (status, name_bi, email_bi, phone_bi, age_band, is_minor,"
    " self_registered, created_by, created_at, updated_at, last_activity_at)"
    " VALUES ('active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_SET_PROFILE[] = "UPDATE participants SET profile = ? WHERE id = ?";
static const char SQL_ADD_ORG[] =
    "INSERT INTO participant_orgs (participant_id, organisation_id) VALUES (?, ?)";
static const char SQL_GET[] =
    "SELECT status, profile, age_band, is_minor, user_id, created_at, updated_at,"
    " last_activity_at, erased_at FROM participants WHERE id = ?";
static const char SQL_ORGS_OF[] = "SELECT organisation_id FROM participant_orgs WHERE "
                                  "participant_id = ? ORDER BY organisation_id";
static const char SQL_UPDATE[] =
    "UPDATE participants SET profile = ?, name_bi = ?, email_bi = ?, phone_bi = ?, age_band = ?,"
    " is_minor = ?, updated_at = ?, last_activity_at = ? WHERE id = ? AND status = 'active'";
static const char SQL_FIND_NAME[] =
    "SELECT id FROM participants WHERE name_bi = ? AND status = 'active' ORDER BY id LIMIT ?";
static const char SQL_FIND_EMAIL[] =
    "SELECT id FROM participants WHERE email_bi = ? AND status = 'active' ORDER BY id LIMIT ?";
static const char SQL_FIND_PHONE[] =
    "SELECT id FROM participants WHERE phone_bi = ? AND status = 'active' ORDER BY id LIMIT ?";
static const char SQL_LIST_ORG[] =
    "SELECT DISTINCT p.id FROM participants p JOIN participant_orgs po ON po.participant_id = p.id"
    " WHERE po.organisation_id = ? AND p.status = 'active' AND p.id > ? ORDER BY p.id LIMIT ?";
static const char SQL_TOUCH[] = "UPDATE participants SET last_activity_at = ? WHERE id = ?";
static const char SQL_LINK_USER[] =
    "UPDATE participants SET user_id = ? WHERE id = ? AND status = 'active'";
static const char SQL_BY_USER[] =
    "SELECT id FROM participants WHERE user_id = ? AND status = 'active'";
static const char SQL_LATEST_CONSENT[] =
    "SELECT c.granted FROM consents c JOIN participants p ON p.id = c.participant_id"
    " WHERE c.participant_id = ? AND c.purpose = ? AND p.status = 'active'"
    " ORDER BY c.id DESC LIMIT 1";
static const char SQL_CONSENT_INSERT[] =
    "INSERT INTO consents (participant_id, purpose, granted, given_by, method, guardian_name,"
    " text_version, text_lang, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_CONSENTS[] =
    "SELECT id, purpose, granted, given_by, method, guardian_name, text_version, text_lang,"
    " recorded_by, at FROM consents WHERE participant_id = ? ORDER BY id";
static const char SQL_TEXT[] =
    "SELECT version, body FROM consent_texts WHERE purpose = ? AND lang = ?"
    " AND (? = 0 OR version = ?) ORDER BY version DESC LIMIT 1";
static const char SQL_IN_ORG[] =
    "SELECT 1 FROM participant_orgs WHERE participant_id = ? AND organisation_id = ?";
static const char SQL_AGREEMENTS[] =
    "SELECT a.categories FROM sharing_agreements a JOIN participant_orgs po"
    " ON po.organisation_id = a.from_organisation_id WHERE po.participant_id = ?"
    " AND a.to_organisation_id = ? AND a.revoked_at IS NULL AND a.starts_at <= ? AND a.ends_at > ?";
static const char SQL_ERASE[] =
    "UPDATE participants SET status = 'erased', profile = NULL, name_bi = NULL, email_bi = NULL,"
    " phone_bi = NULL, user_id = NULL, erased_at = ?, updated_at = ? WHERE id = ?";
static const char SQL_ERASE_CONSENT_NAMES[] =
    "UPDATE consents SET guardian_name = NULL WHERE participant_id = ?";
static const char SQL_ERASE_CODES[] = "DELETE FROM account_codes WHERE participant_id = ?";
static const char SQL_ERASE_REQUESTS[] =
    "UPDATE erasure_requests SET status = 'approved', decided_at = ?, decided_by = ?"
    " WHERE participant_id = ? AND status = 'pending'";
static const char SQL_STATUS[] = "SELECT status, user_id FROM participants WHERE id = ?";
static const char SQL_CODE_INSERT[] = "INSERT INTO account_codes (code_hash, participant_id, "
                                      "expires_at, created_by) VALUES (?, ?, ?, ?)";
static const char SQL_CODE_FIND[] =
    "SELECT participant_id FROM account_codes WHERE code_hash = ? AND expires_at > ?";
static const char SQL_CODE_DELETE[] = "DELETE FROM account_codes WHERE code_hash = ?";
static const char SQL_AGREEMENT_INSERT[] =
    "INSERT INTO sharing_agreements (from_organisation_id, to_organisation_id, categories,"
    " starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_AGREEMENT_REVOKE[] =
    "UPDATE sharing_agreements SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char SQL_REQUEST_PENDING[] =
    "SELECT id FROM erasure_requests WHERE participant_id = ? AND status = 'pending'";
static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO erasure_requests (participant_id, status, requested_at) VALUES (?, 'pending', ?)"
    " RETURNING id";
/* Whether erasure is automatic is the organisations' policy: asked of auth. */
static const char SQL_PERSON_ORGS[] =
    "SELECT organisation_id FROM participant_orgs WHERE participant_id = ?"
    " ORDER BY organisation_id";

static const char SQL_ERASURE_LIST[] =
    "SELECT id, participant_id, status, requested_at, decided_at, reason_sealed"
    " FROM erasure_requests WHERE (COALESCE(?1, '') = '' OR status = ?1) ORDER BY id";
static const char SQL_ERASURE_LATEST[] =
    "SELECT id, participant_id, status, requested_at, decided_at, reason_sealed"
    " FROM erasure_requests WHERE participant_id = ?1"
    " ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT 1";
static const char SQL_ERASURE_REJECT[] =
    "UPDATE erasure_requests SET status = 'rejected', decided_by = ?, decided_at = ?,"
    " reason_sealed = ? WHERE id = ? AND status = 'pending'";
static const char SQL_ERASURE_PENDING[] =
    "SELECT participant_id FROM erasure_requests WHERE id = ? AND status = 'pending'";
static const char SQL_AGREEMENT_LIST[] =
    "SELECT id, from_organisation_id, to_organisation_id, categories, starts_at, ends_at,"
    " revoked_at FROM sharing_agreements WHERE (? = 0 OR from_organisation_id = ?"
    " OR to_organisation_id = ?) ORDER BY id";
static const char SQL_AGREEMENT_GET[] =
    "SELECT id, from_organisation_id, to_organisation_id, categories, starts_at, ends_at,"
    " revoked_at FROM sharing_agreements WHERE id = ?";
static const char SQL_EXPIRED[] =
    "SELECT id, last_activity_at FROM participants WHERE status = 'active'"
    " AND last_activity_at < ? ORDER BY last_activity_at, id LIMIT ?";
static const char SQL_IS_EXPIRED[] =
    "SELECT 1 FROM participants WHERE id = ? AND status = 'active' AND last_activity_at < ?";

int purpose_from_name(const char *name)
{
	for (int i = 0; i < PURPOSE__MAX; i++)
		if (strcmp(purpose_names[i], name) == 0)
			return i;
	return -1;
}

/* --- normalisation for blind indexes --- */

/* Before Hearth used Unicode (ICU) a name was indexed lower-cased by this
 * hand-written mapping (ASCII, Latin-1 Supplement and Latin Extended-A,
 * with slips around Ÿ-ž) and with no normalisation form. It stays only so
 * that people__find_value still finds indexes written then; see
 * people__legacy_form. Writes the bytes for one letter of in to out and
 * returns how many input bytes were used. */
static size_t legacy_lower_utf8(const unsigned char *in, char *out, size_t *o)
{
	if (in[0] < 0x80) {
		out[(*o)++] = (char)tolower(in[0]);
		return 1;
	}
	if ((in[0] & 0xE0) == 0xC0 && (in[1] & 0xC0) == 0x80) {
		unsigned cp = ((in[0] & 0x1Fu) << 6) | (in[1] & 0x3Fu);
		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			cp += 0x20; /* À-Þ -> à-þ */
		else if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 &&
		         ((cp <= 0x137 || cp >= 0x14A) ? cp % 2 == 0 : cp % 2 == 1) && cp != 0x17F)
			cp += 1; /* Ā-ž pairs: upper case first (odd-first between Ĺ and Ň) */
		out[(*o)++] = (char)(0xC0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[(*o)++] = (char)in[0];
	return 1;
}

/* Collapses runs of spaces, tabs and newlines in s into one space and
 * drops them at both ends; with legacy, lower-cases as Hearth did before
 * Unicode. */
static char *squeeze(struct arena *a, const char *s, bool legacy)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0, i = 0;
	bool space = false;
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == ' ' || ch == '\t' || ch == '\n') {
			space = o > 0;
			i++;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		if (legacy)
			i += legacy_lower_utf8((const unsigned char *)s + i, out, &o);
		else
			out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

char *people_normalise_name(struct arena *a, const char *name)
{
	/* NFC and full case folding (ICU), then white space. */
	return squeeze(a, util_utf8_normal(a, name, strlen(name), UTIL_FOLD_FULL), false);
}

char *people_normalise_phone(struct arena *a, const char *phone)
{
	size_t n = strlen(phone);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)phone[i]) || (phone[i] == '+' && o == 0))
			out[o++] = phone[i];
	out[o] = '\0';
	return out;
}

bool people_phone_valid(const char *phone)
{
	int digits = 0;
	for (const char *p = phone; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr("+()-. ", *p))
			return false;
	}
	return digits >= 7 && digits <= 15;
}

static void blind(const struct people_ctx *px, struct arena *a, const char *prefix,
                  const char *normalised, const char **out)
{
	if (!normalised || !*normalised) {
		*out = NULL;
		return;
	}
	/* The prefix keeps equal strings in different fields apart. */
	char *msg = arena_printf(a, "%s:%s", prefix, normalised);
	char *h = arena_alloc(a, 65);
	hc_blind_index(px->kr, h, msg);
	*out = h;
}

static void indexes(const struct people_ctx *px, struct arena *a, const char *name,
                    const char *email, const char *phone, const char **nb, const char **eb,
                    const char **pb)
{
	blind(px, a, "name", name ? people_normalise_name(a, name) : NULL, nb);
	blind(px, a, "email", email ? util_normalise_email(a, email) : NULL, eb);
	blind(px, a, "phone", phone ? people_normalise_phone(a, phone) : NULL, pb);
}

/* The associated data binding a sealed field to its person. */
static void person_ad(unsigned char ad[8], int64_t id)
{
	for (int i = 0; i < 8; i++)
		ad[i] = (unsigned char)((uint64_t)id >> (8 * i));
}

/* Seals the profile with a data key already at hand (a new person's). */
static int seal_profile(struct db_conn *c, struct arena *a, int64_t id, const unsigned char dk[32],
                        const char *profile)
{
	unsigned char ad[8];
	size_t n = strlen(profile) + HC_SEAL_OVERHEAD;
	unsigned char *sealed = arena_alloc(a, n);
	person_ad(ad, id);
	hc_seal(sealed, dk, profile, strlen(profile), ad, sizeof ad);
	struct db_stmt *s = db_prepare(c, SQL_SET_PROFILE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_blob(s, 1, sealed, n);
	db_bind_i64(s, 2, id);
	return db_run(s);
}

int people__create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                   const struct person_new *in, int64_t *id)
{
	const char *nb, *eb, *pb;
	unsigned char dk[32];
	int64_t now = util_now();
	indexes(px, a, in->name, in->email, in->phone, &nb, &eb, &pb);
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, nb);
	db_bind_text(s, 2, eb);
	db_bind_text(s, 3, pb);
	db_bind_text(s, 4, in->age_band);
	db_bind_i64(s, 5, in->is_minor);
	db_bind_i64(s, 6, in->self_registered);
	db_bind_id(s, 7, in->created_by);
	db_bind_i64(s, 8, now);
	db_bind_i64(s, 9, now);
	db_bind_i64(s, 10, now);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_col_i64(s, 0);
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	/* The key goes to the key store first; if the main transaction later
	 * rolls back, the caller destroys the orphan key. A key already there
	 * for this id is an orphan from a creation that crashed before its main
	 * commit (SQLite reuses the id): the row just inserted holds the id, so
	 * no living person owns that key, and it is replaced. */
	rc = people_key_create(px, *id, dk);
	if (rc == -HEARTH_ECONFLICT)
		rc = people__key_replace_orphan(px, *id, dk);
	if (rc)
		return rc;
	rc = seal_profile(c, a, *id, dk, in->profile);
	sodium_memzero(dk, sizeof dk);
	if (rc)
		return rc;
	for (size_t i = 0; i < in->norgs; i++) {
		s = db_prepare(c, SQL_ADD_ORG);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, *id);
		db_bind_i64(s, 2, in->org_ids[i]);
		if ((rc = db_run(s)) != 0)
			return rc;
	}
	return 0;
}

int people__get(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                struct person_row *out)
{
	memset(out, 0, sizeof *out);
	struct db_stmt *s = db_prepare(c, SQL_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_ENOTFOUND;
	}
	out->id = id;
	out->erased = strcmp(db_col_text(s, 0), "erased") == 0;
	size_t n = 0;
	const void *blob = db_col_null(s, 1) ? NULL : db_col_blob(s, 1, &n);
	unsigned char *sealed = NULL;
	if (blob) {
		sealed = arena_alloc(a, n);
		memcpy(sealed, blob, n);
	}
	out->age_band = arena_strdup(a, db_col_text(s, 2));
	out->is_minor = db_col_i64(s, 3) != 0;
	out->user_id = db_col_i64(s, 4);
	out->created_at = db_col_i64(s, 5);
	out->updated_at = db_col_i64(s, 6);
	out->last_activity_at = db_col_i64(s, 7);
	out->erased_at = db_col_i64(s, 8);
	db_finish(s);
	if (sealed && !out->erased) {
		size_t len;
		rc = people_open(px, a, id, sealed, n, &out->profile, &len);
		if (rc == -HEARTH_ENOTFOUND) {
			/* The key is gone: erased, even if the row was not updated. */
			out->erased = true;
			out->profile = NULL;
		} else if (rc) {
			return rc;
		}
	}
	s = db_prepare(c, SQL_ORGS_OF);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	size_t cap = 4;
	out->org_ids = arena_alloc(a, cap * sizeof *out->org_ids);
	while ((rc = db_step(s)) == DB_ROW) {
		if (out->norgs == cap) {
			int64_t *bigger = arena_alloc(a, cap * 2 * sizeof *bigger);
			memcpy(bigger, out->org_ids, cap * sizeof *bigger);
			out->org_ids = bigger;
			cap *= 2;
		}
		out->org_ids[out->norgs++] = db_col_i64(s, 0);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int people__update(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                   const char *profile, const char *name, const char *email, const char *phone,
                   const char *age_band, bool is_minor)
{
	const char *nb, *eb, *pb;
	unsigned char *sealed;
	size_t n;
	int64_t now = util_now();
	indexes(px, a, name, email, phone, &nb, &eb, &pb);
	int rc = people_seal(px, a, id, profile, strlen(profile), &sealed, &n);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_UPDATE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_blob(s, 1, sealed, n);
	db_bind_text(s, 2, nb);
	db_bind_text(s, 3, eb);
	db_bind_text(s, 4, pb);
	db_bind_text(s, 5, age_band);
	db_bind_i64(s, 6, is_minor);
	db_bind_i64(s, 7, now);
	db_bind_i64(s, 8, now);
	db_bind_i64(s, 9, id);
	return db_run_one(s);
}

int people__find(const struct people_ctx *px, struct db_conn *c, const char *field,
                 const char *normalised, int64_t *ids, size_t max, size_t *n)
{
	const char *sql = strcmp(field, "name") == 0    ? SQL_FIND_NAME
	                  : strcmp(field, "email") == 0 ? SQL_FIND_EMAIL
	                                                : SQL_FIND_PHONE;
	char msg[600], h[65];
	snprintf(msg, sizeof msg, "%s:%s", field, normalised);
	hc_blind_index(px->kr, h, msg);
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, (int64_t)max);
	int rc;
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW && *n < max)
		ids[(*n)++] = db_col_i64(s, 0);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

const char *people__legacy_form(struct arena *a, const char *field, const char *value)
{
	const char *nfc = util_utf8_normal(a, value, strlen(value), UTIL_FOLD_NONE);
	if (strcmp(field, "name") == 0)
		return squeeze(a, nfc, true);
	if (strcmp(field, "email") == 0) {
		/* Trimmed and ASCII lower-cased, nothing else. */
		while (*nfc == ' ' || *nfc == '\t')
			nfc++;
		size_t n = strlen(nfc);
		while (n && (nfc[n - 1] == ' ' || nfc[n - 1] == '\t'))
			n--;
		char *out = arena_strndup(a, nfc, n);
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return out;
	}
	return NULL; /* phone numbers were always normalised as now */
}

int people__find_value(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                       const char *field, const char *value, int64_t *ids, size_t max, size_t *n)
{
	const char *norm = strcmp(field, "email") == 0   ? util_normalise_email(a, value)
	                   : strcmp(field, "phone") == 0 ? people_normalise_phone(a, value)
	                                                 : people_normalise_name(a, value);
	int rc = people__find(px, c, field, norm, ids, max, n);
	const char *old = rc ? NULL : people__legacy_form(a, field, value);
	if (old && *old && strcmp(old, norm) != 0 && *n < max) {
		int64_t *more = arena_alloc(a, max * sizeof *more);
		size_t m = 0;
		rc = people__find(px, c, field, old, more, max - *n, &m);
		for (size_t i = 0; i < m && !rc; i++) {
			size_t k = 0;
			while (k < *n && ids[k] != more[i])
				k++;
			if (k == *n)
				ids[(*n)++] = more[i];
		}
	}
	return rc;
}

int people__list_for_orgs(struct db_conn *c, const int64_t *orgs, size_t norgs, int64_t after,
                          int limit, int64_t *ids, size_t *n)
{
	*n = 0;
	/* Per organisation, merged; a person in two of the actor's organisations
	 * appears once. The lists are short pages, so this stays cheap. */
	for (size_t o = 0; o < norgs; o++) {
		struct db_stmt *s = db_prepare(c, SQL_LIST_ORG);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, orgs[o]);
		db_bind_i64(s, 2, after);
		db_bind_i64(s, 3, limit);
		int rc;
		while ((rc = db_step(s)) == DB_ROW) {
			int64_t id = db_col_i64(s, 0);
			size_t k;
			for (k = 0; k < *n; k++)
				if (ids[k] == id)
					break;
			if (k == *n && *n < (size_t)limit * norgs)
				ids[(*n)++] = id;
		}
		db_finish(s);
		if (rc < 0)
			return rc;
	}
	/* Sort ascending and keep the first page. */
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			int64_t t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	if (*n > (size_t)limit)
		*n = (size_t)limit;
	return 0;
}

int people__touch(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_TOUCH);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, util_now());
	db_bind_i64(s, 2, id);
	return db_run(s);
}

int people__link_user(struct db_conn *c, int64_t id, int64_t user_id)
{
	struct db_stmt *s = db_prepare(c, SQL_LINK_USER);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, id);
	return db_run_one(s);
}

int people__by_user(struct db_conn *c, int64_t user_id, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_BY_USER);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	int rc = db_step(s);
	*id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	return *id ? 0 : -HEARTH_ENOTFOUND;
}

int people_view(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                struct person_view *out)
{
	memset(out, 0, sizeof *out);
	struct person_row p;
	int rc = people__get(px, c, a, id, &p);
	if (rc)
		return rc;
	out->erased = p.erased;
	out->org_ids = p.org_ids;
	out->norgs = p.norgs;
	if (p.profile && !p.erased)
		out->profile = json_loads(p.profile, 0, NULL);
	return 0;
}

const char *people_display_name(const json_t *profile)
{
	const char *n = json_string_value(json_object_get(profile, "preferred_name"));
	if (n && *n)
		return n;
	return json_string_value(json_object_get(profile, "name"));
}

int64_t people_of_user(struct db_conn *c, int64_t user_id)
{
	int64_t id = 0;
	if (user_id <= 0 || people__by_user(c, user_id, &id) != 0)
		return 0;
	return id;
}

/* --- consent --- */

bool consent_allows(struct db_conn *c, int64_t participant_id, enum consent_purpose purpose)
{
	if (purpose < 0 || purpose >= PURPOSE__MAX)
		return false;
	struct db_stmt *s = db_prepare(c, SQL_LATEST_CONSENT);
	if (!s)
		return false; /* deny when in doubt */
	db_bind_i64(s, 1, participant_id);
	db_bind_text(s, 2, purpose_names[purpose]);
	bool granted = db_step(s) == DB_ROW && db_col_i64(s, 0) != 0;
	db_finish(s);
	return granted;
}

static consent_withdrawn_fn listeners[16];
static size_t nlisteners;

void people_on_consent_withdrawn(consent_withdrawn_fn fn)
{
	if (nlisteners < sizeof listeners / sizeof listeners[0])
		listeners[nlisteners++] = fn;
}

static const char SQL_EXPORT_CODES[] =
    "SELECT expires_at FROM account_codes WHERE participant_id = ? ORDER BY expires_at";
static const char SQL_EXPORT_REQUESTS[] =
    "SELECT status, requested_at, decided_at, reason_sealed FROM erasure_requests"
    " WHERE participant_id = ? ORDER BY id";

int people__export_own(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                       json_t *codes, json_t *requests)
{
	char at[32], decided[32];
	struct db_stmt *s = db_prepare(c, SQL_EXPORT_CODES);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		util_iso8601(at, sizeof at, db_col_i64(s, 0));
		json_array_append_new(codes, json_pack("{s:s}", "expires_at", at));
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	if (!(s = db_prepare(c, SQL_EXPORT_REQUESTS)))
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		util_iso8601(at, sizeof at, db_col_i64(s, 1));
		util_iso8601(decided, sizeof decided, db_col_i64(s, 2));
		/* Why a request was refused is written about the person: sealed
		 * with their key, opened for them here. */
		char *reason = NULL;
		size_t len = 0, rlen = 0;
		const void *sealed = db_col_null(s, 3) ? NULL : db_col_blob(s, 3, &len);
		if (sealed && people_open(px, a, id, sealed, len, &reason, &rlen) != 0)
			reason = NULL;
		json_array_append_new(requests,
		                      json_pack("{s:s, s:s, s:s?, s:s?}", "status", db_col_text(s, 0),
		                                "requested_at", at, "decided_at",
		                                db_col_null(s, 2) ? NULL : decided, "reason",
		                                reason));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Export sections registered by other modules (start-up only, before the
 * server's threads run; read-only afterwards). */
static struct people_export_section export_sections[PEOPLE_EXPORT_MAX];
static size_t nexport_sections;

void people_on_export(const char *section, const char *tables, people_export_fn fn,
                      const void *arg)
{
	for (size_t i = 0; i < nexport_sections; i++)
		if (strcmp(export_sections[i].section, section) == 0)
			return; /* registered twice (init called again): once is enough */
	/* A section left out would silently shorten every export. */
	if (nexport_sections == PEOPLE_EXPORT_MAX) {
		fprintf(stderr, "hearth: more than %d export sections; raise PEOPLE_EXPORT_MAX\n",
		        PEOPLE_EXPORT_MAX);
		abort();
	}
	export_sections[nexport_sections++] =
	    (struct people_export_section){section, tables, fn, arg};
}

size_t people_export_sections(const struct people_export_section **out)
{
	*out = export_sections;
	return nexport_sections;
}

int people__consent_text(struct db_conn *c, struct arena *a, const char *purpose, int64_t version,
                         const char *lang, int64_t *found_version, const char **body)
{
	struct db_stmt *s = db_prepare(c, SQL_TEXT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, purpose);
	db_bind_text(s, 2, lang);
	db_bind_i64(s, 3, version);
	db_bind_i64(s, 4, version);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*found_version = db_col_i64(s, 0);
		if (body)
			*body = arena_strdup(a, db_col_text(s, 1));
	}
	db_finish(s);
	return rc == DB_ROW ? 0 : (rc < 0 ? rc : -HEARTH_ENOTFOUND);
}

static const char SQL_STATUS_MINOR[] = "SELECT status, is_minor FROM participants WHERE id = ?";

/* Whether a person exists, is erased, is a minor: no decryption needed. */
static int person_status(struct db_conn *c, int64_t id, bool *erased, bool *minor)
{
	struct db_stmt *s = db_prepare(c, SQL_STATUS_MINOR);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*erased = strcmp(db_col_text(s, 0), "erased") == 0;
		*minor = db_col_i64(s, 1) != 0;
	}
	db_finish(s);
	return rc == DB_ROW ? 0 : (rc < 0 ? rc : -HEARTH_ENOTFOUND);
}

int people__consent_record(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t id, const struct consent_in *in, int64_t *consent_id,
                           const char **bad_field, char *err, size_t errlen)
{
	int64_t version = 0;
	bool erased = false, minor = false;
	int rc = person_status(c, id, &erased, &minor);
	if (rc)
		return rc;
	if (erased) {
		*bad_field = "id";
		snprintf(err, errlen,
		         "this person's record was erased; nothing can be recorded for them");
		return -HEARTH_ECONFLICT;
	}
	if (minor &&
	    (strcmp(in->given_by, "guardian") != 0 || !in->guardian_name || !*in->guardian_name)) {
		*bad_field = strcmp(in->given_by, "guardian") != 0 ? "given_by" : "guardian_name";
		snprintf(err, errlen,
		         "this person is under 18: a parent or guardian must give or "
		         "withdraw consent (given_by \"guardian\" with guardian_name)");
		return -HEARTH_EINVAL;
	}
	if (strcmp(in->given_by, "guardian") == 0 && (!in->guardian_name || !*in->guardian_name)) {
		*bad_field = "guardian_name";
		snprintf(err, errlen, "guardian_name is required when a guardian gives consent");
		return -HEARTH_EINVAL;
	}
	rc = people__consent_text(c, a, purpose_names[in->purpose], in->version, in->lang, &version,
	                          NULL);
	if (rc == -HEARTH_ENOTFOUND) {
		*bad_field = in->version ? "text_version" : "lang";
		snprintf(err, errlen, "there is no consent text for %s version %lld in language %s",
		         purpose_names[in->purpose], (long long)in->version, in->lang);
		return -HEARTH_EINVAL;
	}
	if (rc)
		return rc;
	unsigned char *guardian = NULL;
	size_t glen = 0;
	if (in->guardian_name && *in->guardian_name &&
	    (rc = people_seal(px, a, id, in->guardian_name, strlen(in->guardian_name), &guardian,
	                      &glen)) != 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_CONSENT_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, purpose_names[in->purpose]);
	db_bind_i64(s, 3, in->granted);
	db_bind_text(s, 4, in->given_by);
	db_bind_text(s, 5, in->method);
	if (guardian)
		db_bind_blob(s, 6, guardian, glen);
	else
		db_bind_null(s, 6);
	db_bind_i64(s, 7, version);
	db_bind_text(s, 8, in->lang);
	db_bind_id(s, 9, in->recorded_by);
	db_bind_i64(s, 10, util_now());
	rc = db_step(s);
	if (rc == DB_ROW)
		*consent_id = db_col_i64(s, 0);
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	if ((rc = people__touch(c, id)) != 0)
		return rc;
	/* A listener's "not found" is about its own rows, never this consent:
	 * reported as a storage fault so that it cannot read as a missing
	 * consent or person. */
	if (!in->granted)
		for (size_t i = 0; i < nlisteners; i++)
			if ((rc = listeners[i](c, id, in->purpose)) != 0)
				return rc == -HEARTH_ENOTFOUND ? -HEARTH_EDB : rc;
	return 0;
}

int people__consents(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                     struct consent_row **rows, size_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_CONSENTS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	size_t cap = 8;
	*rows = arena_alloc(a, cap * sizeof **rows);
	/* Sealed guardian names, opened after the statement is finished (the key
	 * store is another database); kept parallel to rows. */
	struct sealed {
		unsigned char *data;
		size_t len;
	} *sealed = arena_calloc(a, cap, sizeof *sealed);
	*n = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			struct consent_row *bigger = arena_alloc(a, cap * 2 * sizeof *bigger);
			struct sealed *more = arena_calloc(a, cap * 2, sizeof *more);
			memcpy(bigger, *rows, cap * sizeof *bigger);
			memcpy(more, sealed, cap * sizeof *more);
			*rows = bigger;
			sealed = more;
			cap *= 2;
		}
		struct consent_row *r = &(*rows)[*n];
		*r = (struct consent_row){
		    .id = db_col_i64(s, 0),
		    .purpose = arena_strdup(a, db_col_text(s, 1)),
		    .granted = db_col_i64(s, 2) != 0,
		    .given_by = arena_strdup(a, db_col_text(s, 3)),
		    .method = arena_strdup(a, db_col_text(s, 4)),
		    .version = db_col_i64(s, 6),
		    .lang = arena_strdup(a, db_col_text(s, 7)),
		    .recorded_by = db_col_i64(s, 8),
		    .at = db_col_i64(s, 9),
		};
		if (!db_col_null(s, 5)) {
			size_t len;
			const void *b = db_col_blob(s, 5, &len);
			sealed[*n].data = arena_alloc(a, len);
			memcpy(sealed[*n].data, b, len);
			sealed[*n].len = len;
		}
		(*n)++;
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *n; i++) {
		if (!sealed[i].data)
			continue;
		size_t len;
		int orc = people_open(px, a, id, sealed[i].data, sealed[i].len,
		                      &(*rows)[i].guardian_name, &len);
		if (orc == -HEARTH_ENOTFOUND)
			(*rows)[i].guardian_name = NULL;
		else if (orc)
			return orc;
	}
	return 0;
}

/* --- sharing between organisations --- */

static bool in_org(struct db_conn *c, int64_t participant_id, int64_t org)
{
	struct db_stmt *s = db_prepare(c, SQL_IN_ORG);
	if (!s)
		return false;
	db_bind_i64(s, 1, participant_id);
	db_bind_i64(s, 2, org);
	bool found = db_step(s) == DB_ROW;
	db_finish(s);
	return found;
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

bool people_sharing_allows(struct db_conn *c, const struct actor *a, int64_t participant_id,
                           enum share_category cat)
{
	int64_t now = util_now();
	if (cat < 0 || cat >= SHARE__MAX)
		return false;
	for (int i = 0; i < a->nmemberships; i++) {
		const struct membership *m = &a->memberships[i];
		if (!((1u << m->role) & STAFF_ROLES))
			continue;
		if (in_org(c, participant_id, m->organisation_id))
			return true;
	}
	for (int i = 0; i < a->nmemberships; i++) {
		const struct membership *m = &a->memberships[i];
		if (!((1u << m->role) & STAFF_ROLES))
			continue;
		struct db_stmt *s = db_prepare(c, SQL_AGREEMENTS);
		if (!s)
			return false;
		db_bind_i64(s, 1, participant_id);
		db_bind_i64(s, 2, m->organisation_id);
		db_bind_i64(s, 3, now);
		db_bind_i64(s, 4, now);
		/* A failed step leaves covered false: an error never shares. */
		bool covered = false;
		while (!covered && db_step(s) == DB_ROW)
			covered = has_category(db_col_text(s, 0), share_names[cat]);
		db_finish(s);
		/* All must hold: the agreement covers it, the person agreed to share
		 * with the partner service at all ("Sharing with the mental health
		 * service", clinical_sharing), and to the category's own purpose.
		 * "Being contacted" alone only lets the person's own organisation
		 * contact them; it never opens their record to another one. */
		if (covered && consent_allows(c, participant_id, PURPOSE_CLINICAL_SHARING) &&
		    consent_allows(c, participant_id, share_purpose[cat]))
			return true;
	}
	return false;
}

static const char SQL_ORGS_SHARE[] =
    "SELECT 1 FROM sharing_agreements WHERE from_organisation_id = ? AND to_organisation_id = ?"
    " AND revoked_at IS NULL AND starts_at <= ? AND ends_at > ?";

bool people_orgs_share(struct db_conn *c, int64_t from, int64_t to)
{
	int64_t now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_ORGS_SHARE);
	if (!s)
		return false;
	db_bind_i64(s, 1, from);
	db_bind_i64(s, 2, to);
	db_bind_i64(s, 3, now);
	db_bind_i64(s, 4, now);
	bool found = db_step(s) == DB_ROW;
	db_finish(s);
	return found;
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
	int step;
	while ((step = db_step(s)) == DB_ROW)
		if (*n < max)
			out[(*n)++] = db_col_i64(s, 0);
	db_finish(s);
	return step == DB_DONE ? 0 : -HEARTH_EDB;
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

/* --- account codes --- */

static void code_hash(char out[65], const char *code)
{
	hc_hash_hex(out, NULL, code, strlen(code));
}

int people__code_create(struct db_conn *c, int64_t id, int64_t actor, char code[16])
{
	/* 12 characters from an alphabet without look-alikes: easy to read out
	 * over the phone, about 60 bits. */
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[12];
	char h[65];
	hc_random(raw, sizeof raw);
	for (int i = 0; i < 12; i++)
		code[i] = alphabet[raw[i] % 32];
	code[12] = '\0';
	code_hash(h, code);
	struct db_stmt *s = db_prepare(c, SQL_CODE_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, id);
	db_bind_i64(s, 3, util_now() + 14 * 86400);
	db_bind_id(s, 4, actor);
	return db_run(s);
}

int people__code_claim(struct db_conn *c, const char *code, int64_t *id)
{
	char h[65], upper[32];
	size_t n = 0;
	for (const char *p = code; *p && n < sizeof upper - 1; p++)
		if (*p != '-' && *p != ' ')
			upper[n++] = (char)toupper((unsigned char)*p);
	upper[n] = '\0';
	code_hash(h, upper);
	struct db_stmt *s = db_prepare(c, SQL_CODE_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, util_now());
	int rc = db_step(s);
	*id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (!*id)
		return -HEARTH_ENOTFOUND;
	s = db_prepare(c, SQL_CODE_DELETE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	return db_run(s);
}

/* --- erasure --- */

int people__erasure_request(struct db_conn *c, int64_t id, int64_t *request_id, bool *automatic)
{
	struct db_stmt *s = db_prepare(c, SQL_PERSON_ORGS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	/* A person is registered with at most 10 organisations (people_http.c's
	 * organisation_ids), well within this. */
	int64_t orgs[64];
	size_t norgs = 0;
	int step;
	while ((step = db_step(s)) == DB_ROW && norgs < sizeof orgs / sizeof orgs[0])
		orgs[norgs++] = db_col_i64(s, 0);
	db_finish(s);
	if (step < 0)
		return step;
	*automatic = false;
	for (size_t i = 0; i < norgs && !*automatic; i++) {
		int arc = auth_org_erasure_automatic(c, orgs[i], automatic);
		if (arc)
			return arc;
	}
	s = db_prepare(c, SQL_REQUEST_PENDING);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	*request_id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (*request_id)
		return 0; /* asking twice is the same request */
	s = db_prepare(c, SQL_REQUEST_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, util_now());
	/* Another request for the same person may win the race (the unique
	 * index: -HEARTH_ECONFLICT); the caller retries and finds that one. */
	return db_insert_id(s, request_id);
}

static int run_id(struct db_conn *c, const char *sql, int64_t id)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	return db_run(s);
}

/* Step 2 of people_erase: wipes what is left of the person in the main
 * database, audited, in one transaction. Returns 0 or -HEARTH_E… with
 * nothing written. */
static int erase_rows(const struct people_ctx *px, struct db_conn *c, int64_t participant_id,
                      int64_t user_id, int64_t actor_id, const char *request_id)
{
	int64_t now = util_now();
	int rc;
	if ((rc = db_begin(c, true)) != 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ERASE);
	if (!s) {
		rc = -HEARTH_EDB;
		goto fail;
	}
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, now);
	db_bind_i64(s, 3, participant_id);
	if ((rc = db_run(s)) != 0 ||
	    (rc = run_id(c, SQL_ERASE_CONSENT_NAMES, participant_id)) != 0 ||
	    (rc = run_id(c, SQL_ERASE_CODES, participant_id)) != 0)
		goto fail;
	/* Their account, if they had one, is auth's to wipe. */
	if (user_id && (rc = auth_user_erase(c, user_id)) != 0)
		goto fail;
	s = db_prepare(c, SQL_ERASE_REQUESTS);
	if (!s) {
		rc = -HEARTH_EDB;
		goto fail;
	}
	db_bind_i64(s, 1, now);
	db_bind_id(s, 2, actor_id);
	db_bind_i64(s, 3, participant_id);
	if ((rc = db_run(s)) != 0)
		goto fail;
	/* An erased person takes part in nothing: modules holding their future
	 * places release them as if participation had been withdrawn. */
	for (size_t i = 0; i < nlisteners; i++)
		if ((rc = listeners[i](c, participant_id, PURPOSE_PARTICIPATION)) != 0)
			goto fail;
	char res[40];
	snprintf(res, sizeof res, "participant:%" PRId64, participant_id);
	struct audit_entry e = {actor_id, 0, "participant.erase", res, "success", request_id};
	if ((rc = audit_append(c, px->kr, &e)) != 0)
		goto fail;
	if ((rc = db_commit(c)) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	return rc;
}

/* Tries of step 2 once the key is gone (see people_erase). */
#define ERASE_TRIES 3

int people_erase(const struct people_ctx *px, struct db_conn *c, int64_t participant_id,
                 int64_t actor_id, const char *request_id)
{
	int64_t user_id = 0;
	struct db_stmt *s = db_prepare(c, SQL_STATUS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	int rc = db_step(s);
	bool erased = rc == DB_ROW && strcmp(db_col_text(s, 0), "erased") == 0;
	if (rc == DB_ROW)
		user_id = db_col_i64(s, 1);
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_ENOTFOUND;
	if (erased)
		return -HEARTH_ECONFLICT;
	/* 1. Crypto-shred first: from this moment every sealed field of the
	 * person, in this database and in every backup, is unreadable. A
	 * failure here leaves the person whole. */
	if ((rc = people_key_destroy(px, participant_id)) != 0)
		return rc;
	/* 2. Then wipe the rest. The key cannot come back, so a person left
	 * keyless with their account still open would be half erased: a failed
	 * wipe (a deadlock, a lost connection, a refused commit) is tried again
	 * at once. Should every try fail, the start-up reconciliation finishes
	 * the erasure (people_reconcile_erasures), as does asking again. */
	for (int i = 0; i < ERASE_TRIES; i++) {
		rc = erase_rows(px, c, participant_id, user_id, actor_id, request_id);
		if (!rc)
			break;
		log_msg(LOG_WARN, "erasure: wiping the rows failed (%s); try %d of %d",
		        hearth_strerror(rc), i + 1, ERASE_TRIES);
	}
	return rc;
}

int people__erasure_list(struct db_conn *c, const char *status,
                         void (*fn)(const struct erasure_row *row, void *ctx), void *ctx)
{
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, status);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		struct erasure_row row = {
		    .id = db_col_i64(s, 0),
		    .participant_id = db_col_i64(s, 1),
		    .status = db_col_text(s, 2),
		    .requested_at = db_col_i64(s, 3),
		    .decided_at = db_col_i64(s, 4),
		};
		fn(&row, ctx);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int people__erasure_latest(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t participant_id, struct erasure_row *out)
{
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_LATEST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *sealed = db_col_blob(s, 5, &n);
		char *reason = NULL;
		size_t len;
		/* An erased person's reason cannot be opened: it reads as none. */
		if (sealed && n &&
		    people_open(px, a, participant_id, sealed, n, &reason, &len) != 0)
			reason = NULL;
		*out = (struct erasure_row){
		    .id = db_col_i64(s, 0),
		    .participant_id = db_col_i64(s, 1),
		    .status = arena_strdup(a, db_col_text(s, 2)),
		    .requested_at = db_col_i64(s, 3),
		    .decided_at = db_col_i64(s, 4),
		    .reason = reason,
		};
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

int people__erasure_reject(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t request_id, int64_t actor, const char *reason)
{
	int64_t pid = 0;
	unsigned char *sealed = NULL;
	size_t n = 0;
	int rc = people__erasure_pending(c, request_id, &pid);
	if (!rc)
		rc = people_seal(px, a, pid, reason, strlen(reason), &sealed, &n);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_REJECT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_id(s, 1, actor);
	db_bind_i64(s, 2, util_now());
	db_bind_blob(s, 3, sealed, n);
	db_bind_i64(s, 4, request_id);
	return db_run_one(s);
}

int people__erasure_pending(struct db_conn *c, int64_t request_id, int64_t *participant_id)
{
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_PENDING);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, request_id);
	int rc = db_step(s);
	*participant_id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	return *participant_id ? 0 : -HEARTH_ENOTFOUND;
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
	while ((rc = db_step(s)) == DB_ROW) {
		struct agreement_row row;
		agreement_row(s, &row);
		fn(&row, ctx);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
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

int people__expired(struct db_conn *c, int64_t cutoff, int limit,
                    void (*fn)(int64_t id, int64_t last_activity_at, void *ctx), void *ctx)
{
	struct db_stmt *s = db_prepare(c, SQL_EXPIRED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, cutoff);
	db_bind_i64(s, 2, limit);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		fn(db_col_i64(s, 0), db_col_i64(s, 1), ctx);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

bool people__is_expired(struct db_conn *c, int64_t id, int64_t cutoff)
{
	struct db_stmt *s = db_prepare(c, SQL_IS_EXPIRED);
	if (!s)
		return false;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, cutoff);
	bool yes = db_step(s) == DB_ROW;
	db_finish(s);
	return yes;
}

/* --- the key store's erasure record wins (restored backups) --- */

/* Living participants whose sealed profile needs their key: every person
 * made through people__create has one. Rows that never had sealed data
 * (the benchmark's bulk rows, written by SQL) never had a key either, and
 * are not mistaken for an erasure. */
static const char SQL_LIVE_IDS[] = "SELECT id FROM participants WHERE status <> 'erased' "
                                   "AND profile IS NOT NULL ORDER BY id";

int people_reconcile_erasures(const struct people_ctx *px, struct db_pool *pool,
                              size_t *finished)
{
	int64_t *live = NULL, *keyed = NULL, *gone = NULL;
	size_t nlive = 0, nkeyed = 0, ngone = 0, cap = 256;
	unsigned char dk[32];
	int rc = -HEARTH_EDB;
	*finished = 0;
	struct db_conn *c = db_acquire(pool);
	/* 1. The main database's living participants, then the key store's
	 * subjects: in this order (see people.h). */
	struct db_stmt *s = db_prepare(c, SQL_LIVE_IDS);
	if (!s)
		goto out;
	live = xmalloc(cap * sizeof *live);
	while ((rc = db_step(s)) == DB_ROW) {
		if (nlive == cap)
			live = xrealloc(live, (cap *= 2) * sizeof *live);
		live[nlive++] = db_col_i64(s, 0);
	}
	db_finish(s);
	if (rc < 0 || (rc = people__key_subjects(px, &keyed, &nkeyed)) != 0)
		goto out;
	/* 2. Both ascending: one merge finds the living without a key. */
	gone = xmalloc((nlive ? nlive : 1) * sizeof *gone);
	for (size_t i = 0, j = 0; i < nlive; i++) {
		while (j < nkeyed && keyed[j] < live[i])
			j++;
		if (j == nkeyed || keyed[j] != live[i])
			gone[ngone++] = live[i];
	}
	rc = 0;
	if (!ngone)
		goto out;
	/* 3. Erasure cannot be undone: act on this key store only once one of
	 * its keys opens with this key file (keys are bound to it). */
	rc = nkeyed ? people_key_load(px, keyed[0], dk) : -HEARTH_ECRYPTO;
	sodium_memzero(dk, sizeof dk);
	if (rc) {
		rc = -HEARTH_ECRYPTO;
		goto out;
	}
	/* 4. Finish each erasure. When another node starting at the same time
	 * got there first, people_erase answers "already erased": done too.
	 * (Two nodes at the very same moment may both write the tombstone,
	 * which is harmless, and leave two audit entries.) */
	for (size_t i = 0; i < ngone; i++) {
		rc = people_erase(px, c, gone[i], 0, "");
		if (rc == -HEARTH_ECONFLICT || rc == -HEARTH_ENOTFOUND)
			rc = 0;
		else if (rc)
			goto out;
		else
			(*finished)++;
	}
out:
	db_release(pool, c);
	free(live);
	free(keyed);
	free(gone);
	return rc;
}
