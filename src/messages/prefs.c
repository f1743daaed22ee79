/*
 * What each person wants by email (message_prefs): their language, quiet
 * hours in their time zone (non-urgent email waits until they end), and
 * the kinds they get in the inbox only. Every message still lands in the
 * inbox; email on or off is the channel. One row per login, or per
 * participant without one; no row means the defaults.
 *
 * One-click unsubscribe (RFC 8058): a token names the person and the kind
 * and carries a keyed MAC, so it needs no table and cannot be forged or
 * pointed at someone else.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "programs/calendar/cal.h"
#include "core/banned.h"

static const char SQL_GET_USER[] =
    "SELECT lang, inbox_only, quiet_start, quiet_end, time_zone FROM message_prefs"
    " WHERE user_id = ?1";
static const char SQL_GET_PARTICIPANT[] =
    "SELECT lang, inbox_only, quiet_start, quiet_end, time_zone FROM message_prefs"
    " WHERE participant_id = ?1";
static const char SQL_PUT_USER[] =
    "INSERT INTO message_prefs (user_id, lang, inbox_only, quiet_start, quiet_end, time_zone,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (user_id) DO UPDATE SET"
    " lang = excluded.lang, inbox_only = excluded.inbox_only, quiet_start = excluded.quiet_start,"
    " quiet_end = excluded.quiet_end, time_zone = excluded.time_zone,"
    " updated_at = excluded.updated_at";
static const char SQL_PUT_PARTICIPANT[] =
    "INSERT INTO message_prefs (participant_id, lang, inbox_only, quiet_start, quiet_end,"
    " time_zone, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (participant_id)"
    " DO UPDATE SET lang = excluded.lang, inbox_only = excluded.inbox_only,"
    " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,"
    " time_zone = excluded.time_zone, updated_at = excluded.updated_at";

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int mail_prefs_get(struct db_conn *c, int64_t user_id, int64_t participant_id,
                   struct mail_prefs *out)
{
	memset(out, 0, sizeof *out);
	copy(out->lang, sizeof out->lang, "en");
	copy(out->inbox_only, sizeof out->inbox_only, ",");
	copy(out->time_zone, sizeof out->time_zone, "UTC");
	if (!user_id && !participant_id)
		return 0;
	struct db_stmt *s = db_prepare(c, user_id ? SQL_GET_USER : SQL_GET_PARTICIPANT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id ? user_id : participant_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		copy(out->lang, sizeof out->lang, db_col_text(s, 0));
		copy(out->inbox_only, sizeof out->inbox_only, db_col_text(s, 1));
		copy(out->quiet_start, sizeof out->quiet_start, db_col_text(s, 2));
		copy(out->quiet_end, sizeof out->quiet_end, db_col_text(s, 3));
		copy(out->time_zone, sizeof out->time_zone, db_col_text(s, 4));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int mail_prefs_put(struct db_conn *c, int64_t user_id, int64_t participant_id,
                   const struct mail_prefs *p)
{
	struct db_stmt *s = db_prepare(c, user_id ? SQL_PUT_USER : SQL_PUT_PARTICIPANT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id ? user_id : participant_id);
	db_bind_text(s, 2, p->lang);
	db_bind_text(s, 3, p->inbox_only);
	db_bind_text(s, 4, p->quiet_start[0] ? p->quiet_start : NULL);
	db_bind_text(s, 5, p->quiet_end[0] ? p->quiet_end : NULL);
	db_bind_text(s, 6, p->time_zone);
	db_bind_i64(s, 7, util_now());
	return db_run(s);
}

bool mail_prefs_inbox_only(const struct mail_prefs *p, const char *kind)
{
	char needle[64];
	snprintf(needle, sizeof needle, ",%s,", kind);
	return strstr(p->inbox_only, needle) != NULL;
}

/* Sets or clears kind in p's inbox-only list. */
static void set_inbox_only(struct mail_prefs *p, const char *kind, bool inbox_only)
{
	char out[sizeof p->inbox_only] = ",";
	size_t len = 1;
	for (int k = 0; k < MSG__MAX; k++) {
		const char *name = message_kinds[k].name;
		bool on = strcmp(name, kind) == 0 ? inbox_only : mail_prefs_inbox_only(p, name);
		if (on && len + strlen(name) + 2 < sizeof out)
			len += (size_t)snprintf(out + len, sizeof out - len, "%s,", name);
	}
	copy(p->inbox_only, sizeof p->inbox_only, out);
}


int64_t mail_prefs_after_quiet(const struct mail_prefs *p, int64_t t)
{
	int s = util_parse_hhmm(p->quiet_start), e = util_parse_hhmm(p->quiet_end);
	if (s < 0 || e < 0 || s == e)
		return t;
	const struct tz *z = tz_get(p->time_zone);
	if (!z)
		z = tz_get("UTC");
	if (!z)
		return t;
	struct local_time lt;
	tz_utc_to_local(z, t, &lt);
	int m = lt.hour * 60 + lt.minute;
	bool quiet = s < e ? (m >= s && m < e) : (m >= s || m < e);
	if (!quiet)
		return t;
	/* The end is today, or tomorrow when the quiet hours cross midnight
	 * and it is still before midnight. */
	if (m >= e)
		tz_utc_to_local(z, t + 86400, &lt);
	int64_t end = tz_local_to_utc(z, lt.year, lt.month, lt.day, e / 60, e % 60);
	return end > t ? end : t;
}

int prefs_update(struct db_conn *c, int64_t user_id, int64_t participant_id,
                 const struct prefs_change *ch, const char **field)
{
	*field = NULL;
	struct mail_prefs p;
	int rc = mail_prefs_get(c, user_id, participant_id, &p);
	if (rc)
		return rc;
	if (ch->lang) {
		if (strcmp(ch->lang, "en") != 0 && strcmp(ch->lang, "es") != 0) {
			*field = "lang";
			return -HEARTH_EINVAL;
		}
		copy(p.lang, sizeof p.lang, ch->lang);
	}
	if (ch->time_zone) {
		if (!tz_name_listed(ch->time_zone)) {
			*field = "time_zone";
			return -HEARTH_EINVAL;
		}
		copy(p.time_zone, sizeof p.time_zone, ch->time_zone);
	}
	if (ch->quiet_set) {
		if (!ch->quiet_start != !ch->quiet_end) {
			*field = ch->quiet_start ? "quiet_hours.end" : "quiet_hours.start";
			return -HEARTH_EINVAL;
		}
		if (ch->quiet_start && util_parse_hhmm(ch->quiet_start) < 0) {
			*field = "quiet_hours.start";
			return -HEARTH_EINVAL;
		}
		if (ch->quiet_end && util_parse_hhmm(ch->quiet_end) < 0) {
			*field = "quiet_hours.end";
			return -HEARTH_EINVAL;
		}
		copy(p.quiet_start, sizeof p.quiet_start, ch->quiet_start);
		copy(p.quiet_end, sizeof p.quiet_end, ch->quiet_end);
	}
	for (size_t i = 0; i < ch->nkinds; i++) {
		int k = message_kind_from_name(ch->kinds[i].kind);
		if (k < 0 || message_kinds[k].email_only) {
			*field = "kinds";
			return -HEARTH_EINVAL;
		}
		set_inbox_only(&p, message_kinds[k].name, !ch->kinds[i].email);
	}
	return mail_prefs_put(c, user_id, participant_id, &p);
}

/* --- one-click unsubscribe --- */

#define UNSUB_PAYLOAD 17
#define UNSUB_MAC     16

static void unsub_key(const struct keyring *kr, unsigned char key[32])
{
	static const char label[] = "hearth unsubscribe v1";
	crypto_generichash(key, 32, (const unsigned char *)label, sizeof label - 1, kr->csrf,
	                   sizeof kr->csrf);
}

static void unsub_mac(const struct keyring *kr, const unsigned char *payload,
                      unsigned char mac[UNSUB_MAC])
{
	unsigned char key[32];
	unsub_key(kr, key);
	crypto_generichash(mac, UNSUB_MAC, payload, UNSUB_PAYLOAD, key, sizeof key);
	sodium_memzero(key, sizeof key);
}

void mail_unsub_token(const struct keyring *kr, int64_t user_id, int64_t participant_id,
                      const char *kind, char *out, size_t outlen)
{
	unsigned char raw[UNSUB_PAYLOAD + UNSUB_MAC];
	for (int i = 0; i < 8; i++) {
		raw[i] = (unsigned char)((uint64_t)user_id >> (8 * i));
		raw[8 + i] = (unsigned char)((uint64_t)participant_id >> (8 * i));
	}
	int k = message_kind_from_name(kind);
	raw[16] = (unsigned char)(k < 0 ? 255 : k);
	unsub_mac(kr, raw, raw + UNSUB_PAYLOAD);
	if (outlen <
	    sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outlen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int mail_unsub_parse(const struct keyring *kr, const char *token, int64_t *user_id,
                     int64_t *participant_id, int *kind)
{
	unsigned char raw[UNSUB_PAYLOAD + UNSUB_MAC + 1], mac[UNSUB_MAC];
	size_t n = 0;
	if (!token || strlen(token) > 64 ||
	    sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != UNSUB_PAYLOAD + UNSUB_MAC)
		return -HEARTH_EINVAL;
	unsub_mac(kr, raw, mac);
	if (sodium_memcmp(mac, raw + UNSUB_PAYLOAD, UNSUB_MAC) != 0)
		return -HEARTH_EINVAL;
	uint64_t u = 0, p = 0;
	for (int i = 0; i < 8; i++) {
		u |= (uint64_t)raw[i] << (8 * i);
		p |= (uint64_t)raw[8 + i] << (8 * i);
	}
	int k = raw[16];
	if (k >= MSG__MAX || message_kinds[k].essential || (!u && !p))
		return -HEARTH_EINVAL;
	*user_id = (int64_t)u;
	*participant_id = (int64_t)p;
	*kind = k;
	return 0;
}

int mail_unsubscribe(struct db_conn *c, int64_t user_id, int64_t participant_id, int kind)
{
	struct mail_prefs p;
	int rc = mail_prefs_get(c, user_id, participant_id, &p);
	if (rc)
		return rc;
	set_inbox_only(&p, message_kinds[kind].name, true);
	return mail_prefs_put(c, user_id, participant_id, &p);
}
