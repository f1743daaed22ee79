/*
 * The person as JSON, and the export: everything Hearth holds about a
 * person as one document (the people module's parts, then every section
 * other modules registered with people_on_export), built here below the
 * edge so that export_http.c only answers it, as JSON or as a page; and
 * the registry of those sections.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "people/internal.h"
#include "core/banned.h"

/* The person's latest decision per purpose, as an object. */
json_t *people__consent_state(struct consent_row *rows, size_t n)
{
	json_t *o = json_object();
	for (int p = 0; p < PURPOSE__MAX; p++)
		json_object_set_new(o, purpose_names[p],
		                    json_pack("{s:b, s:n}", "granted", 0, "at"));
	for (size_t i = 0; i < n; i++) {
		char at[32];
		util_iso8601(at, sizeof at, rows[i].at);
		json_object_set_new(o, rows[i].purpose,
		                    json_pack("{s:b, s:s, s:s, s:I}", "granted", rows[i].granted,
		                              "at", at, "given_by", rows[i].given_by,
		                              "text_version", (json_int_t)rows[i].version));
	}
	return o;
}

json_t *people__consent_history(struct consent_row *rows, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[32];
		util_iso8601(at, sizeof at, rows[i].at);
		json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:s, s:I, s:s, s:s}", "id",
		                      (json_int_t)rows[i].id, "purpose", rows[i].purpose, "granted",
		                      rows[i].granted, "given_by", rows[i].given_by, "method",
		                      rows[i].method, "text_version", (json_int_t)rows[i].version,
		                      "lang", rows[i].lang, "at", at);
		json_object_set_new(o, "guardian_name",
		                    rows[i].guardian_name ? json_string(rows[i].guardian_name)
		                                          : json_null());
		json_object_set_new(o, "recorded_by",
		                    rows[i].recorded_by ? json_integer(rows[i].recorded_by)
		                                        : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The JSON for a person: profile fields, then what is not sealed. */
json_t *people__person_json(struct person_row *p, struct consent_row *rows, size_t n, bool notes)
{
	json_t *o = NULL;
	if (p->profile)
		o = json_loads(p->profile, 0, NULL);
	if (!o)
		o = json_object();
	if (!notes)
		json_object_del(o, "notes");
	json_t *orgs = json_array();
	for (size_t i = 0; i < p->norgs; i++)
		json_array_append_new(orgs, json_integer(p->org_ids[i]));
	char created[32], updated[32];
	util_iso8601(created, sizeof created, p->created_at);
	util_iso8601(updated, sizeof updated, p->updated_at);
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "status", json_string("active"));
	json_object_set_new(o, "is_minor", json_boolean(p->is_minor));
	if (p->age_band && !json_object_get(o, "age_band"))
		json_object_set_new(o, "age_band",
		                    json_string(p->age_band)); /* derived from date of birth */
	json_object_set_new(o, "organisation_ids", orgs);
	json_object_set_new(o, "has_account", json_boolean(p->user_id != 0));
	json_object_set_new(o, "created_at", json_string(created));
	json_object_set_new(o, "updated_at", json_string(updated));
	if (rows)
		json_object_set_new(o, "consents", people__consent_state(rows, n));
	return o;
}

/* Only the fields of the contact category, for a partner organisation. */
json_t *people__contact_json(struct person_row *p)
{
	json_t *full = p->profile ? json_loads(p->profile, 0, NULL) : NULL;
	json_t *o = json_object();
	static const char *const keys[] = {
	    "name",  "preferred_name", "pronouns",          "languages",
	    "email", "phone",          "preferred_contact", NULL};
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(full, *k);
		if (v)
			json_object_set(o, *k, v);
	}
	json_decref(full);
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "status", json_string("active"));
	json_object_set_new(o, "shared_categories", json_pack("[s]", "contact"));
	return o;
}

static void add_audit_row(const struct audit_row *row, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, row->at);
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s}", "at", at, "action", row->action,
	                                     "outcome", row->outcome));
}

/* The people module's own parts of the export, with the tables each one
 * covers; other modules add theirs with people_on_export(). */
static const struct people_export_section own_sections[] = {
    {"person", "participants,participant_orgs", NULL},
    {"consent_history", "consents", NULL},
    {"record_history", "audit_log", NULL},
    {"account", "users,account_codes,account_links", NULL},
    {"erasure_requests", "erasure_requests", NULL},
};

static json_t *tables_json(const char *list)
{
	json_t *arr = json_array();
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		json_array_append_new(arr, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	return arr;
}

/* Everything Hearth holds about the person: see internal.h. */
int people__export_doc(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                       struct person_row *p, struct consent_row *rows, size_t n, json_t **out)
{
	char now[32], res[40];
	*out = NULL;
	util_iso8601(now, sizeof now, util_now());
	snprintf(res, sizeof res, "participant:%" PRId64, id);
	json_t *person = people__person_json(p, NULL, 0, true);
	json_t *access = json_array(), *codes = json_array(), *requests = json_array();
	json_t *covers = json_object();
	struct audit_filter f = {.resource = res, .limit = 1000};
	int rc = audit_list(c, &f, add_audit_row, access); /* how many, or an error */
	rc = rc < 0 ? rc : 0;
	json_t *doc = json_pack(
	    "{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:b, s:o}, s:o}", "generated_at", now, "about",
	    "Everything Hearth holds about you. Questions: ask your programme "
	    "team.",
	    "person", person, "consent_history", people__consent_history(rows, n), "record_history",
	    access, "account", "login", "the email address in your details", "has_login",
	    p->user_id != 0, "account_codes", codes, "erasure_requests", requests);
	for (size_t i = 0; i < sizeof own_sections / sizeof own_sections[0]; i++)
		json_object_set_new(covers, own_sections[i].section,
		                    tables_json(own_sections[i].tables));
	const struct people_export_section *sec;
	size_t nsec = people_export_sections(&sec);
	if (!rc)
		rc = db_begin(c, false);
	if (!rc)
		rc = people__export_own(px, c, a, id, codes, requests);
	for (size_t i = 0; i < nsec && !rc; i++) {
		json_t *items = json_array();
		rc = sec[i].fn(c, px, a, id, items, sec[i].arg);
		json_object_set_new(doc, sec[i].section, items);
		json_object_set_new(covers, sec[i].section, tables_json(sec[i].tables));
	}
	if (db_in_transaction(c))
		db_rollback(c); /* read only */
	json_object_set_new(doc, "covers", covers);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* Codes and one-time links that give the person a login (never the code
 * or the token: when each expires, and whether a link was used). */
static const char SQL_EXPORT_CODES[] =
    "SELECT expires_at, 'code', NULL, NULL FROM account_codes WHERE participant_id = ?1"
    " UNION ALL SELECT expires_at, purpose, created_at, used_at FROM account_links"
    " WHERE participant_id = ?1 OR user_id = (SELECT user_id FROM participants WHERE id = ?1)"
    " ORDER BY 1";
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
	while (db_next(s, &rc)) {
		util_iso8601(at, sizeof at, db_col_i64(s, 0));
		json_t *row = json_pack("{s:s, s:s}", "expires_at", at, "kind", db_col_text(s, 1));
		if (!db_col_null(s, 2)) {
			util_iso8601(decided, sizeof decided, db_col_i64(s, 2));
			json_object_set_new(row, "created_at", json_string(decided));
			json_object_set_new(row, "used", json_boolean(!db_col_null(s, 3)));
		}
		json_array_append_new(codes, row);
	}
	db_finish(s);
	if (rc)
		return rc;
	if (!(s = db_prepare(c, SQL_EXPORT_REQUESTS)))
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	while (db_next(s, &rc)) {
		util_iso8601(at, sizeof at, db_col_i64(s, 1));
		util_iso8601(decided, sizeof decided, db_col_i64(s, 2));
		/* Why a request was refused is written about the person: sealed
		 * with their key, opened for them here. */
		char *reason = NULL;
		size_t len = 0, rlen = 0;
		const void *sealed = db_col_null(s, 3) ? NULL : db_col_blob(s, 3, &len);
		if (sealed && people_open(px, a, id, sealed, len, &reason, &rlen) != 0)
			reason = NULL;
		json_array_append_new(
		    requests, json_pack("{s:s, s:s, s:s?, s:s?}", "status", db_col_text(s, 0),
		                        "requested_at", at, "decided_at",
		                        db_col_null(s, 2) ? NULL : decided, "reason", reason));
	}
	db_finish(s);
	return rc;
}

/* Export sections registered by other modules (start-up only, before the
 * server's threads run; read-only afterwards). */
static struct people_export_section export_sections[PEOPLE_EXPORT_MAX];
static size_t nexport_sections;

void people_on_export(const char *section, const char *tables, people_export_fn fn, const void *arg)
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
