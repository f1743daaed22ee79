/*
 * Programmes: listening rounds, responses, themes, votes and "you said, we did".
 * (Being written: handlers answer 501 until they are.)
 */
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void listening_http_round_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_round_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_round_get(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_round_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_response_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_response_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_theme_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_theme_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_vote_put(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_vote_delete(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_theme_update(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_decision_list(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}

void listening_http_decision_create(struct req *r)
{
	http_problem(r, 501, "not implemented yet");
}
