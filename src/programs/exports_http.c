/*
 * HTTP edge of the CSV exports (logic in exports.c): parses the path,
 * calls one logic function inside the request's transaction, audits the
 * read of the people named and answers text/csv as a download.
 */
#include <inttypes.h>

#include "core/buf.h"
#include "http/http.h"
#include "programs/exports.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "core/banned.h"

/* One exit for both exports: commits with the audit entry (the names in
 * the file are reads of those people's records) and sends the file. */
static void finish(struct req *r, int rc, const struct part_refusal *no, const char *action,
                   const char *kind, int64_t id, const char *file, struct buf *csv)
{
	if (programs_http_part_refused(r, no) ||
	    !req_commit(r, rc, action, programs_http_resource(r, kind, id), no->what))
		goto out;
	http_add_header(r, "Content-Disposition: attachment; filename=\"%s-%" PRId64 "-%s.csv\"",
	                kind, id, file);
	http_add_header(r, "Cache-Control: no-store");
	http_send(r, 200, "text/csv; charset=utf-8", csv->data ? csv->data : "", csv->len);
out:
	buf_release(csv);
}

void programs_http_enrol_csv(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no = {0};
	struct buf csv = BUF_INIT;
	int64_t programme = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the enrolments"))
		return;
	int rc = exports_enrolments_csv(&x, programme, &csv, &no);
	finish(r, rc, &no, "enrolment.export", "programme", programme, "enrolments", &csv);
}

void programs_http_attendance_csv(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no = {0};
	struct buf csv = BUF_INIT;
	int64_t session = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the register"))
		return;
	int rc = exports_attendance_csv(&x, session, &csv, &no);
	finish(r, rc, &no, "attendance.export", "session", session, "attendance", &csv);
}
