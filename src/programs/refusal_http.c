/*
 * The edge's half of the programmes module's refusals: turns what a logic
 * function returned into the answer.
 */
#include <stdbool.h>

#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void programs_http_refused(struct req *r, int rc, const struct programs_refusal *why,
                           const char *what, bool in_tx)
{
	if (in_tx)
		db_rollback(req_db(r));
	if (why && why->status && (why->ext_int_name || why->ext_str_name)) {
		json_t *ext = json_object();
		if (why->field)
			json_object_set_new(ext, "field", json_string(why->field));
		if (why->ext_int_name)
			json_object_set_new(ext, why->ext_int_name, json_integer(why->ext_int));
		if (why->ext_str_name)
			json_object_set_new(ext, why->ext_str_name, json_string(why->ext_str));
		http_problem_ext(r, why->status, ext, "%s", why->message);
		return;
	}
	if (why && why->status) {
		if (why->field)
			http_field_problem(r, why->status, why->field, "%s", why->message);
		else
			http_problem(r, why->status, "%s", why->message);
		return;
	}
	http_error(r, rc, what);
}
