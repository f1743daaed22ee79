/*
 * Consent: each person's decisions per purpose, kept as a history (the
 * latest decision counts), the consent texts they were shown, and the
 * listeners other modules register to hear of a withdrawal. A guardian's
 * name is sealed with the person's data key.
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

/* SQL catalogue for consent. */
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
static const char SQL_STATUS_MINOR[] = "SELECT status, is_minor FROM participants WHERE id = ?";

int people_purpose_from_name(const char *name)
{
	for (int i = 0; i < PURPOSE__MAX; i++)
		if (strcmp(purpose_names[i], name) == 0)
			return i;
	return -1;
}

int people_consent_granted(struct db_conn *c, int64_t participant_id, enum consent_purpose purpose,
                           bool *granted)
{
	*granted = false;
	if (purpose < 0 || purpose >= PURPOSE__MAX)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_LATEST_CONSENT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	db_bind_text(s, 2, purpose_names[purpose]);
	int rc;
	if (db_next(s, &rc))
		*granted = db_col_i64(s, 0) != 0;
	db_finish(s);
	return rc;
}

bool consent_allows(struct db_conn *c, int64_t participant_id, enum consent_purpose purpose)
{
	/* Deny when in doubt: a database error never grants (callers that must
	 * tell the error apart use people_consent_granted). */
	bool granted = false;
	return people_consent_granted(c, participant_id, purpose, &granted) == 0 && granted;
}

static consent_withdrawn_fn listeners[16];
static size_t nlisteners;

void people_on_consent_withdrawn(consent_withdrawn_fn fn)
{
	if (nlisteners < sizeof listeners / sizeof listeners[0])
		listeners[nlisteners++] = fn;
}

int people__consent_withdrawn(struct db_conn *c, int64_t id, enum consent_purpose purpose)
{
	int rc = 0;
	for (size_t i = 0; i < nlisteners && !rc; i++)
		rc = listeners[i](c, id, purpose);
	return rc;
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
	if (!in->granted && (rc = people__consent_withdrawn(c, id, in->purpose)) != 0)
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
	while (db_next(s, &rc)) {
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
	if (rc)
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
