/*
 * CSV exports (exports.h): the rows of the JSON lists, written as RFC 4180
 * text with formula injection neutralised. Plain logic: a part_ctx in,
 * 0 or a negative enum hearth_err out, refusals in a part_refusal.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "programs/exports.h"
#include "programs/taking_part.h"
#include "core/banned.h"

void exports_csv_text(struct buf *b, const char *s)
{
	if (!s || !*s)
		return;
	/* A spreadsheet runs a cell starting with one of these as a formula. */
	bool formula = strchr("=+-@\t\r", s[0]) != NULL;
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_puts(b, "\"");
	if (formula)
		buf_puts(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"\"");
		else
			buf_append(b, p, 1);
	}
	if (quote)
		buf_puts(b, "\"");
}

static void csv_int(struct buf *b, int64_t v, bool present)
{
	if (present)
		buf_printf(b, "%" PRId64, v);
}

static void csv_time(struct buf *b, int64_t t, bool present)
{
	char s[32];
	if (!present)
		return;
	util_iso8601(s, sizeof s, t);
	buf_puts(b, s);
}

static void csv_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}

static void csv_sep(struct buf *b)
{
	buf_puts(b, ",");
}

int exports_enrolments_csv(const struct part_ctx *x, int64_t programme, struct buf *out,
                           struct part_refusal *no)
{
	struct enrolment_row *rows;
	size_t n;
	int rc = enrolment_list(x, programme, &rows, &n, no);
	if (rc)
		return rc;
	buf_puts(out, "enrolment_id,participant_id,name,erased,status,waitlist_position,"
	              "cancel_reason,offered_at,offer_expires_at,created_at,updated_at\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct enrolment_row *e = &rows[i];
		csv_int(out, e->id, true);
		csv_sep(out);
		csv_int(out, e->participant_id, true);
		csv_sep(out);
		exports_csv_text(out, e->name);
		csv_sep(out);
		buf_puts(out, e->erased ? "yes" : "no");
		csv_sep(out);
		exports_csv_text(out, e->status);
		csv_sep(out);
		csv_int(out, e->position, e->position != 0);
		csv_sep(out);
		exports_csv_text(out, e->cancel_reason);
		csv_sep(out);
		csv_time(out, e->offered_at, e->has_offered_at);
		csv_sep(out);
		csv_time(out, e->offer_expires_at, e->has_offer_expires_at);
		csv_sep(out);
		csv_time(out, e->created_at, true);
		csv_sep(out);
		csv_time(out, e->updated_at, true);
		csv_end(out);
	}
	return 0;
}

int exports_attendance_csv(const struct part_ctx *x, int64_t session, struct buf *out,
                           struct part_refusal *no)
{
	struct part_session sess;
	struct reg_item *items;
	size_t n;
	bool has_sess;
	int rc = attendance_register(x, session, &sess, &has_sess, &items, &n, no);
	if (rc)
		return rc;
	buf_puts(out, "session_id,starts_at,participant_id,name,erased,status,sat_out,"
	              "enrolment\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct reg_item *it = &items[i];
		csv_int(out, session, true);
		csv_sep(out);
		csv_time(out, sess.starts_at, has_sess);
		csv_sep(out);
		csv_int(out, it->pid, true);
		csv_sep(out);
		exports_csv_text(out, it->name);
		csv_sep(out);
		buf_puts(out, it->erased ? "yes" : "no");
		csv_sep(out);
		exports_csv_text(out, it->marked ? it->status : NULL);
		csv_sep(out);
		buf_puts(out, it->marked ? (it->sat_out ? "yes" : "no") : "");
		csv_sep(out);
		exports_csv_text(out, it->enrolment);
		csv_end(out);
	}
	return 0;
}
