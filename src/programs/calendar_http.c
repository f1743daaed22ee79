/*
 * Programmes: iCalendar feeds and their tokens.
 * (Being written: handlers answer 501 until they are.)
 */
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void calendar_http_feed(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void calendar_http_me(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void calendar_http_duty(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void calendar_http_programme(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}
