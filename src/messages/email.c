/*
 * Writing an email (RFC 5322, MIME multipart/alternative: text/plain and a
 * simple text/html, both UTF-8 in base64) from a message's kind and params
 * in the recipient's language. The words come from the UI's catalogs
 * (web/i18n/en.json and es.json, embedded in the binary), keys
 * "mail.<kind>.subject" and "mail.<kind>.body", whose {placeholders} are
 * filled from params: times in words in the person's time zone, links
 * built from --public-url. Nothing about a person but their own address is
 * ever written: no names, no needs, no programme titles ("your session").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/util.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "programs/calendar/cal.h"
#include "core/banned.h"

static json_t *catalog_en, *catalog_es;

int mail_catalog_init(void)
{
	if (catalog_en)
		return 0;
	for (unsigned long i = 0; i < web_assets_count; i++) {
		const struct embedded_file *f = &web_assets[i];
		json_t **into = strcmp(f->name, "i18n/en.json") == 0   ? &catalog_en
		                : strcmp(f->name, "i18n/es.json") == 0 ? &catalog_es
		                                                       : NULL;
		if (into && !*into)
			*into = json_loadb((const char *)f->data, f->len, 0, NULL);
	}
	return catalog_en && catalog_es ? 0 : -HEARTH_EINVAL;
}

const char *mail_words(const char *lang, const char *key)
{
	const char *w = NULL;
	if (lang && strcmp(lang, "es") == 0)
		w = json_string_value(json_object_get(catalog_es, key));
	if (!w)
		w = json_string_value(json_object_get(catalog_en, key));
	return w;
}

void mail_bare_address(const char *from, char *out, size_t outlen)
{
	const char *lt = strchr(from, '<');
	const char *s = lt ? lt + 1 : from;
	size_t n = lt ? strcspn(s, ">") : strlen(s);
	while (!lt && n && (s[n - 1] == ' '))
		n--;
	while (*s == ' ' && n) {
		s++;
		n--;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

void mail_message_id(int64_t id, const char *mail_from, char *out, size_t outlen)
{
	char addr[256];
	mail_bare_address(mail_from, addr, sizeof addr);
	const char *at = strrchr(addr, '@');
	unsigned char rnd[9];
	char hex[19];
	crypto_random(rnd, sizeof rnd);
	util_hex(hex, rnd, sizeof rnd);
	snprintf(out, outlen, "<hearth.%" PRId64 ".%s@%s>", id, hex, at ? at + 1 : "localhost");
}

/* params[name] as a UTC instant: an integer (epoch seconds) or ISO 8601. */
static bool param_time(json_t *params, const char *name, int64_t *t)
{
	json_t *v = json_object_get(params, name);
	if (json_is_integer(v)) {
		*t = json_integer_value(v);
		return true;
	}
	return json_is_string(v) && util_parse_iso8601(json_string_value(v), t) == 0;
}

/* The n-th (from 0) item of a comma-separated catalog list. */
static void list_item(const char *list, int n, struct buf *out)
{
	const char *s = list ? list : "";
	for (; n > 0 && s; n--) {
		s = strchr(s, ',');
		if (s)
			s++;
	}
	if (!s)
		return;
	buf_append(out, s, strcspn(s, ","));
}

/* A time in words in the person's zone: "Tuesday 8 December 2026, 14:30
 * (Europe/London)". */
static void time_words(const char *lang, const char *zone, int64_t t, struct buf *out)
{
	const struct tz *z = tz_get(zone && *zone ? zone : "UTC");
	if (!z)
		z = tz_get("UTC");
	struct local_time lt = {0};
	if (z)
		tz_utc_to_local(z, t, &lt);
	const char *fmt = mail_words(lang, "mail.time");
	if (!fmt)
		fmt = "{weekday} {day} {month} {year}, {time} ({zone})";
	for (const char *p = fmt; *p;) {
		if (*p != '{') {
			buf_append(out, p++, 1);
			continue;
		}
		size_t n = strcspn(p + 1, "}");
		char key[16] = "";
		if (n < sizeof key)
			memcpy(key, p + 1, n);
		if (strcmp(key, "weekday") == 0)
			list_item(mail_words(lang, "mail.weekdays"), lt.wday, out);
		else if (strcmp(key, "month") == 0)
			list_item(mail_words(lang, "mail.months"), lt.month - 1, out);
		else if (strcmp(key, "day") == 0)
			buf_printf(out, "%d", lt.day);
		else if (strcmp(key, "year") == 0)
			buf_printf(out, "%d", lt.year);
		else if (strcmp(key, "time") == 0)
			buf_printf(out, "%02d:%02d", lt.hour, lt.minute);
		else if (strcmp(key, "zone") == 0)
			buf_puts(out, z ? tz_name(z) : "UTC");
		p += n + 1 + (p[n + 1] == '}');
	}
}

/* Where each kind's link goes in the web UI (hash routes). */
static void kind_link(const struct mail_input *in, const char *base, struct buf *out)
{
	buf_puts(out, base);
	switch ((enum message_kind)in->kind) {
	case MSG_WAITLIST_OFFER:
	case MSG_WAITLIST_REMINDER: {
		json_t *p = json_object_get(in->params, "programme_id");
		if (json_is_integer(p))
			buf_printf(out, "/#/programmes/%" JSON_INTEGER_FORMAT,
			           json_integer_value(p));
		else
			buf_puts(out, "/#/me/sessions");
		break;
	}
	case MSG_SESSION_CANCELLED:
	case MSG_SESSION_MOVED:
	case MSG_SESSION_CHANGED: buf_puts(out, "/#/me/sessions"); break;
	case MSG_DUTY_ON:
	case MSG_DUTY_OFF: buf_puts(out, "/#/me/duties"); break;
	case MSG_ACCOUNT_INVITE:
	case MSG_PASSWORD_RESET:
		buf_puts(out, in->kind == MSG_ACCOUNT_INVITE ? "/#/set-password?t="
		                                             : "/#/reset-password?t=");
		if (in->mask_secret || !in->secret)
			buf_puts(out, "********");
		else
			buf_puts(out, in->secret);
		break;
	case MSG_REGISTER_ATTEMPT: buf_puts(out, "/#/login"); break;
	case MSG_TEST:
	case MSG__MAX: buf_puts(out, "/#/dashboard"); break;
	}
}

/* Fills template's {placeholders}; html escapes words and makes links. */
static void fill(const struct mail_input *in, const char *lang, const char *tmpl, const char *link,
                 bool html, struct buf *out)
{
	const char *zone = in->prefs ? in->prefs->time_zone : "UTC";
	for (const char *p = tmpl ? tmpl : ""; *p;) {
		size_t plain = strcspn(p, html ? "{\n<>&\"" : "{");
		if (plain) {
			buf_append(out, p, plain);
			p += plain;
			continue;
		}
		if (*p != '{') {
			if (*p == '\n')
				buf_puts(out, "<br>\n");
			else
				buf_printf(out, "&#%d;", *p);
			p++;
			continue;
		}
		size_t n = strcspn(p + 1, "}");
		char key[24] = "";
		if (n < sizeof key)
			memcpy(key, p + 1, n);
		int64_t t;
		struct buf w = BUF_INIT;
		if (strcmp(key, "link") == 0) {
			if (html) {
				buf_puts(out, "<a href=\"");
				buf_html(out, link);
				buf_puts(out, "\">");
				buf_html(out, link);
				buf_puts(out, "</a>");
			} else {
				buf_puts(out, link);
			}
		} else if ((strcmp(key, "when") == 0 && param_time(in->params, "starts_at", &t)) ||
		           (strcmp(key, "was") == 0 &&
		            param_time(in->params, "was_starts_at", &t)) ||
		           (strcmp(key, "expires") == 0 &&
		            param_time(in->params, "expires_at", &t))) {
			time_words(lang, zone, t, &w);
		} else {
			/* An unknown or missing value: a general word, never raw data. */
			buf_puts(&w, mail_words(lang, "mail.unknown")
			                 ? mail_words(lang, "mail.unknown")
			                 : "-");
		}
		if (w.len) {
			buf_append(&w, "", 1);
			if (html)
				buf_html(out, w.data);
			else
				buf_puts(out, w.data);
		}
		buf_release(&w);
		p += n + 1 + (p[n + 1] == '}');
	}
}

/* Base64 of data, in lines of 76 characters. */
static void base64_lines(const char *data, size_t len, struct buf *out)
{
	size_t blen = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b = malloc(blen);
	if (!b)
		abort();
	sodium_bin2base64(b, blen, (const unsigned char *)data, len,
	                  sodium_base64_VARIANT_ORIGINAL);
	size_t n = strlen(b);
	for (size_t i = 0; i < n; i += 76) {
		buf_append(out, b + i, n - i < 76 ? n - i : 76);
		buf_puts(out, "\r\n");
	}
	free(b);
}

/* A header value: as it is when ASCII, otherwise RFC 2047 encoded words
 * (UTF-8, base64) of at most 45 bytes each, cut between characters. */
static void header_words(const char *s, struct buf *out)
{
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			ascii = false;
	if (ascii) {
		buf_puts(out, s);
		return;
	}
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		size_t n = len - i > 45 ? 45 : len - i;
		while (i + n < len && n > 0 && ((unsigned char)s[i + n] & 0xC0) == 0x80)
			n--;
		char enc[80];
		sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
		i += n;
	}
}

/* The Date header (RFC 5322), in UTC. */
static void rfc5322_date(int64_t t, struct buf *out)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct local_time lt = {0};
	const struct tz *z = tz_get("UTC");
	if (z)
		tz_utc_to_local(z, t, &lt);
	buf_printf(out, "%.3s, %02d %.3s %d %02d:%02d:%02d +0000", days + 3 * lt.wday, lt.day,
	           months + 3 * (lt.month - 1), lt.year, lt.hour, lt.minute, lt.second);
}

void mail_render(const struct mail_input *in, struct buf *out)
{
	const struct messages_config *cfg = mail__config();
	const char *from = cfg && cfg->mail_from ? cfg->mail_from : "Hearth <hearth@localhost>";
	const char *base = cfg && cfg->public_url ? cfg->public_url : "http://localhost";
	const char *lang = in->prefs && in->prefs->lang[0] ? in->prefs->lang : "en";
	const char *kind = message_kinds[in->kind].name;
	char key[64];
	struct buf link = BUF_INIT, unsub = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
	kind_link(in, base, &link);
	buf_append(&link, "", 1);
	if (in->unsub_token) {
		buf_printf(&unsub, "%s/#/unsubscribe?t=%s", base, in->unsub_token);
		buf_append(&unsub, "", 1);
	}

	/* The words, once as text and once as HTML. */
	snprintf(key, sizeof key, "mail.%s.body", kind);
	const char *body = mail_words(lang, key);
	const char *hello = mail_words(lang, "mail.greeting");
	const char *footer = mail_words(lang, "mail.footer");
	const char *unsub_words = mail_words(lang, "mail.unsubscribe");
	for (int h = 0; h < 2; h++) {
		struct buf *b = h ? &html : &text;
		if (h)
			buf_printf(
			    b,
			    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			    "</head><body>\n<p>",
			    lang);
		fill(in, lang, hello, link.data, h, b);
		buf_puts(b, h ? "</p>\n<p>" : "\n\n");
		fill(in, lang, body, link.data, h, b);
		buf_puts(b, h ? "</p>\n<p>" : "\n\n-- \n");
		fill(in, lang, footer, link.data, h, b);
		if (in->unsub_token) {
			buf_puts(b, h ? "</p>\n<p>" : "\n");
			fill(in, lang, unsub_words, unsub.data, h, b);
		}
		buf_puts(b, h ? "</p>\n</body></html>\n" : "\n");
	}

	/* The headers. */
	char addr[256];
	mail_bare_address(from, addr, sizeof addr);
	buf_puts(out, "From: ");
	buf_puts(out, from);
	buf_printf(out, "\r\nTo: %s\r\nSubject: ", in->to ? in->to : "undisclosed-recipients:;");
	snprintf(key, sizeof key, "mail.%s.subject", kind);
	const char *subject = mail_words(lang, key);
	header_words(subject ? subject : "Hearth", out);
	buf_puts(out, "\r\nDate: ");
	rfc5322_date(in->date, out);
	buf_printf(out, "\r\nMessage-ID: %s\r\n",
	           in->message_id ? in->message_id : "<unset@localhost>");
	buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	buf_printf(out, "Content-Language: %s\r\n", lang);
	if (in->unsub_token)
		buf_printf(out,
		           "List-Unsubscribe: <%s/api/v1/unsubscribe?t=%s>\r\n"
		           "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		           base, in->unsub_token);
	unsigned char rnd[12];
	char boundary[25];
	crypto_random(rnd, sizeof rnd);
	util_hex(boundary, rnd, sizeof rnd);
	buf_printf(out,
	           "Content-Type: multipart/alternative; boundary=\"=_hearth_%s\"\r\n\r\n"
	           "--=_hearth_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	           "Content-Transfer-Encoding: base64\r\n\r\n",
	           boundary, boundary);
	base64_lines(text.data ? text.data : "", text.len, out);
	buf_printf(out,
	           "\r\n--=_hearth_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	           "Content-Transfer-Encoding: base64\r\n\r\n",
	           boundary);
	base64_lines(html.data ? html.data : "", html.len, out);
	buf_printf(out, "\r\n--=_hearth_%s--\r\n", boundary);
	buf_release(&link);
	buf_release(&unsub);
	buf_release(&text);
	buf_release(&html);
}
