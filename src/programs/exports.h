/*
 * CSV exports of a programme's places and a session's register
 * (exports.c), for staff who may read them as JSON: the same logic
 * functions make the rows (enrolment_list, attendance_register), so the
 * scope, the names shown and the refusals are those of the JSON lists.
 * The HTTP edge is exports_http.c.
 *
 * The text follows RFC 4180: UTF-8 (no byte-order mark), a header row,
 * CRLF after every record, a field holding a comma, a double quote, CR or
 * LF quoted with its quotes doubled. A text field that a spreadsheet
 * would read as a formula (it starts with =, +, -, @, a tab or CR) gets a
 * leading apostrophe, as OWASP recommends for CSV injection; numbers and
 * times Hearth writes itself are left as they are.
 */
#ifndef HEARTH_PROGRAMS_EXPORTS_H
#define HEARTH_PROGRAMS_EXPORTS_H

#include <stdint.h>

struct buf;
struct part_ctx;
struct part_refusal;

/* Appends text s (NULL: an empty field) as one CSV field, neutralised
 * and quoted as above; no separator. */
void exports_csv_text(struct buf *b, const char *s);

/* Programme programme's places as CSV into out (the rows of
 * enrolment_list). Names are reads of people's records: the caller
 * audits. Inside the caller's write transaction. */
int exports_enrolments_csv(const struct part_ctx *x, int64_t programme, struct buf *out,
                           struct part_refusal *no);

/* Session session's register as CSV into out (the rows of
 * attendance_register). Names are reads: the caller audits. Inside the
 * caller's write transaction. */
int exports_attendance_csv(const struct part_ctx *x, int64_t session, struct buf *out,
                           struct part_refusal *no);

#endif
