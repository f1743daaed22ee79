/*
 * HTTP edge of the people module, the person's export: the document
 * (built by people__export_doc, export.c) as JSON, or as a page in words
 * from the UI's catalogs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "core/banned.h"

/* The caller's own export document, the read audited; NULL when it has
 * answered (no record of theirs, or an error). */
static json_t *export_of_me(struct req *r)
{
	int64_t id = people_edge_my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	if (!id || !people_edge_load_self(r, id, &p, &rows, &n, "self.participant.export"))
		return NULL;
	json_t *doc;
	int rc = people__export_doc(px(r), req_db(r), r->arena, id, &p, rows, n, &doc);
	if (rc) {
		http_error(r, rc, "your data");
		return NULL;
	}
	return doc;
}

void people_http_me_export(struct req *r)
{
	json_t *doc = export_of_me(r);
	if (!doc)
		return;
	http_add_header(r, "Content-Disposition: attachment; filename=\"my-hearth-data.json\"");
	http_json(r, 200, doc);
}

/* --- the export as a page: words from the UI's catalogs, no keys --- */

/* The UI's message catalogs (web/i18n/<lang>.json, embedded), parsed per
 * request: the page is rare and the catalogs small. */
struct words {
	json_t *lang, *en;
};

static json_t *catalog_load(const char *lang)
{
	char path[32];
	snprintf(path, sizeof path, "/i18n/%s.json", lang);
	const struct static_asset *f = static_find(path);
	return f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
}

/* The word for key in the page's language (English when the catalog lacks
 * it); NULL when neither has it. */
static const char *word(const struct words *w, const char *key)
{
	const char *s = json_string_value(json_object_get(w->lang, key));
	return s ? s : json_string_value(json_object_get(w->en, key));
}

static const char *wordf(struct req *r, const struct words *w, const char *prefix, const char *key)
{
	return word(w, arena_printf(r->arena, "%s%s", prefix, key));
}

/* Values that are codes, and the catalog prefix that turns them into
 * words; section NULL applies everywhere. */
static const struct {
	const char *section, *key, *prefix;
} value_words[] = {
    {"person", "status", "export.personStatus."},
    {"enrolments", "status", "enrolStatus."},
    {"supports", "status", "supportStatus."},
    {"supports", "kind", "supportKind."},
    {"attendance", "status", "mark."},
    {"followups", "action", "followupAction."},
    {"record_history", "action", "export.action."},
    {"record_history", "outcome", "export.outcome."},
    {"themes_proposed", "outcome", "export.themeOutcome."},
    {"erasure_requests", "status", "export.erasureStatus."},
    {NULL, "age_band", "age."},
    {NULL, "preferred_contact", "contact."},
    {NULL, "interests", "interest."},
    {NULL, "day", "day."},
    {NULL, "purpose", "purpose."},
    {NULL, "formats", "format."},
    {NULL, "mobility", "need."},
    {NULL, "sensory", "need."},
    {NULL, "neurodivergence", "need."},
    {NULL, "given_by", "givenBy."},
    {NULL, "method", "method."},
    {NULL, "channel", "channel."},
    {NULL, "lang", "export.lang."},
    {NULL, "barrier_tags", "barrier."},
    {NULL, "role", "rosterRole."},
    {NULL, "cancel_reason", "export.cancelReason."},
};

static const char *value_prefix(const char *section, const char *key)
{
	for (size_t i = 0; i < NFIELDS(value_words); i++)
		if ((!value_words[i].section || strcmp(value_words[i].section, section) == 0) &&
		    strcmp(value_words[i].key, key) == 0)
			return value_words[i].prefix;
	return NULL;
}

/* "2026-12-07T16:48:00Z" -> "2026-12-07 16:48 UTC"; other text as it is. */
static void html_time(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (n == 20 && s[10] == 'T' && s[19] == 'Z') {
		buf_append(b, s, 10);
		buf_puts(b, " ");
		buf_append(b, s + 11, 5);
		buf_puts(b, " UTC");
	} else {
		buf_html(b, s);
	}
}

struct page {
	struct req *r;
	struct words *w;
	struct buf *b;
	const char *section;
};

static void html_words(struct page *pg, const char *parent, const char *key, json_t *v);

static void html_object(struct page *pg, const char *parent, json_t *o)
{
	const char *k;
	json_t *x;
	buf_puts(pg->b, "<dl>");
	json_object_foreach(o, k, x)
	{
		/* Record numbers are not words; the JSON export keeps them. */
		size_t kl = strlen(k);
		if (strcmp(k, "id") == 0 || (kl > 3 && strcmp(k + kl - 3, "_id") == 0))
			continue;
		const char *label = parent && strcmp(parent, "answers") == 0
		                        ? wordf(pg->r, pg->w, "answer.q.", k)
		                        : wordf(pg->r, pg->w, "export.field.", k);
		buf_puts(pg->b, "<dt>");
		buf_html(pg->b, label ? label : k);
		buf_puts(pg->b, "</dt><dd>");
		html_words(pg, k, k, x);
		buf_puts(pg->b, "</dd>\n");
	}
	buf_puts(pg->b, "</dl>");
}

/* Renders v (the value of key) in words, escaped. */
static void html_words(struct page *pg, const char *parent, const char *key, json_t *v)
{
	struct buf *b = pg->b;
	size_t i;
	json_t *x;
	const char *prefix = key ? value_prefix(pg->section, key) : NULL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: html_object(pg, parent, v); break;
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			buf_html(b, word(pg->w, "export.none"));
			break;
		}
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x)
		{
			buf_puts(b, "<li>");
			html_words(pg, parent, json_is_object(x) ? NULL : key, x);
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		const char *w = prefix ? wordf(pg->r, pg->w, prefix, s) : NULL;
		if (!w && prefix && strcmp(prefix, "export.action.") == 0)
			w = word(pg->w, "export.action.other");
		size_t kl = key ? strlen(key) : 0;
		if (w)
			buf_html(b, w);
		else if (kl > 3 && (strcmp(key + kl - 3, "_at") == 0 || strcmp(key, "at") == 0 ||
		                    strcmp(key, "session_start") == 0))
			html_time(b, s);
		else
			buf_html(b, s);
		break;
	}
	case JSON_INTEGER:
		if (key && strcmp(key, "amount_cents") == 0)
			buf_printf(b, "%" JSON_INTEGER_FORMAT ".%02d", json_integer_value(v) / 100,
			           (int)(json_integer_value(v) % 100));
		else
			buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_TRUE: buf_html(b, word(pg->w, "consent.yes")); break;
	case JSON_FALSE: buf_html(b, word(pg->w, "consent.no")); break;
	default: buf_puts(b, "—");
	}
}

/* The page's language: ?lang= (the app passes its own), else the
 * browser's, else English. */
static const char *page_lang(struct req *r)
{
	const char *q = req_query(r, "lang"), *al = req_header(r, "Accept-Language");
	if (q && (strcmp(q, "en") == 0 || strcmp(q, "es") == 0))
		return q;
	return al && strncmp(al, "es", 2) == 0 ? "es" : "en";
}

void people_http_me_export_html(struct req *r)
{
	json_t *doc = export_of_me(r);
	if (!doc)
		return;
	const char *lang = page_lang(r);
	struct words w = {catalog_load(lang), catalog_load("en")};
	struct buf b = BUF_INIT;
	buf_printf(&b,
	           "<!doctype html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\">"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	           "<title>",
	           lang);
	buf_html(&b, word(&w, "export.title"));
	buf_puts(&b, " — Hearth</title><link rel=\"stylesheet\" href=\"/app.css\">"
	             "<link rel=\"icon\" href=\"/favicon.svg\"></head>\n<body>\n"
	             "<a class=\"skip-link\" href=\"#main\">");
	buf_html(&b, word(&w, "skip.link"));
	buf_printf(&b, "</a>\n<header><p><a class=\"help-link\" href=\"/help?lang=%s\">", lang);
	buf_html(&b, word(&w, "help.link"));
	buf_puts(&b, "</a></p>\n<nav><a href=\"/#/me/data\">");
	buf_html(&b, word(&w, "export.back"));
	buf_printf(&b,
	           "</a> · <a href=\"/api/v1/me/export.html?lang=%s\" lang=\"%s\">%s</a></nav>"
	           "</header>\n<main id=\"main\">\n<h1>",
	           strcmp(lang, "es") == 0 ? "en" : "es", strcmp(lang, "es") == 0 ? "en" : "es",
	           strcmp(lang, "es") == 0 ? "English" : "Español");
	buf_html(&b, word(&w, "export.title"));
	buf_puts(&b, "</h1>\n<p>");
	buf_html(&b, word(&w, "export.intro"));
	buf_puts(&b, " ");
	buf_html(&b, word(&w, "export.generated"));
	buf_puts(&b, " ");
	html_time(&b, json_string_value(json_object_get(doc, "generated_at")));
	buf_puts(&b, ".</p>\n");
	/* The people module's parts first, then every registered section. */
	static const char *const first[] = {"person", "consent_history", "account",
	                                    "erasure_requests"};
	const struct people_export_section *sec;
	size_t nsec = people_export_sections(&sec);
	for (size_t i = 0; i < NFIELDS(first) + nsec + 1; i++) {
		const char *name = i < NFIELDS(first)          ? first[i]
		                   : i < NFIELDS(first) + nsec ? sec[i - NFIELDS(first)].section
		                                               : "record_history";
		json_t *v = json_object_get(doc, name);
		if (!v)
			continue;
		struct page pg = {r, &w, &b, name};
		const char *title = wordf(r, &w, "export.section.", name);
		buf_puts(&b, "<section><h2>");
		buf_html(&b, title ? title : name);
		buf_puts(&b, "</h2>\n");
		html_words(&pg, NULL, NULL, v);
		buf_puts(&b, "</section>\n");
	}
	buf_puts(&b, "<p><a href=\"/#/me/data\">");
	buf_html(&b, word(&w, "export.back"));
	buf_puts(&b, "</a></p>\n</main>\n</body>\n</html>\n");
	json_decref(doc);
	json_decref(w.lang);
	json_decref(w.en);
	http_send(r, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_release(&b);
}
