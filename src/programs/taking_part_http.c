/*
 * Programmes: sessions that fit a person, enrolment and waitlist, supports, attendance and follow-up.
 * (Being written: handlers answer 501 until they are.)
 */
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void part_http_fit_me(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_fit_person(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_enrol_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_enrol_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_me_enrol(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_me_enrolments(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_enrol_cancel(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_enrol_accept(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_enrol_decline(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_me_sessions(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_support_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_me_support(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_support_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_support_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_support_ledger(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_attendance_get(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_attendance_mark(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_followup_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_followup_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void part_http_followup_log(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

int programs_offer_next(struct db_conn *c, int64_t programme_id)
{
	(void)c;
	(void)programme_id;
	return 0;
}

void programs_init(void)
{
}
