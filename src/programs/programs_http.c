/*
 * Programmes: venues, programmes, sessions, roster, training records and duties.
 * (Being written: handlers answer 501 until they are.)
 */
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void programs_http_venue_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_venue_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_venue_get(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_venue_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_programme_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_programme_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_programme_get(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_programme_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_programme_publish(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_session_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_session_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_rotation(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_session_get(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_session_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_roster_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_roster_add(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_roster_delete(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_training_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_training_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_training_delete(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_training_expiring(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void programs_http_me_duties(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}
