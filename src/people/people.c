/*
 * The people module's participants: each person's record sealed with their
 * own data key, and blind indexes for exact search. The module's other
 * logic lives beside it: consent.c (consent history and texts),
 * agreement.c (data-sharing agreements), code.c (account codes and the
 * attempts counted on their own), erasure.c (erasure requests,
 * crypto-shredding, retention), export.c (the person as JSON, the export).
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

/* SQL catalogue for participants. */
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
	crypto_blind_index(px->kr, h, msg);
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
	crypto_seal(sealed, dk, profile, strlen(profile), ad, sizeof ad);
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
	return people__orgs_of(c, a, id, &out->org_ids, &out->norgs);
}

int people__orgs_of(struct db_conn *c, struct arena *a, int64_t id, int64_t **ids, size_t *n)
{
	int rc;
	struct db_stmt *s = db_prepare(c, SQL_ORGS_OF);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	size_t cap = 4;
	*n = 0;
	*ids = arena_alloc(a, cap * sizeof **ids);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			int64_t *bigger = arena_alloc(a, cap * 2 * sizeof *bigger);
			memcpy(bigger, *ids, cap * sizeof *bigger);
			*ids = bigger;
			cap *= 2;
		}
		(*ids)[(*n)++] = db_col_i64(s, 0);
	}
	db_finish(s);
	return rc;
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
	crypto_blind_index(px->kr, h, msg);
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, (int64_t)max);
	int rc = 0;
	*n = 0;
	while (*n < max && db_next(s, &rc))
		ids[(*n)++] = db_col_i64(s, 0);
	db_finish(s);
	return rc;
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
		while (db_next(s, &rc)) {
			int64_t id = db_col_i64(s, 0);
			size_t k;
			for (k = 0; k < *n; k++)
				if (ids[k] == id)
					break;
			if (k == *n && *n < (size_t)limit * norgs)
				ids[(*n)++] = id;
		}
		db_finish(s);
		if (rc)
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
