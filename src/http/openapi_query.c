/*
 * The query parameters each route reads, for the OpenAPI document (see
 * openapi_schemas.h). One row per route of routes.c that calls req_query;
 * the handler named in the comment parses them and answers 400 naming the
 * parameter for a value outside what the row states. Parameters a handler
 * reads leniently (the help page, which must never fail) are QUERY_STRING
 * with the values that mean something in the description.
 */
#include "http/openapi_schemas.h"
#include "programs/roster.h"
#include "core/banned.h"

#define N(t) (sizeof(t) / sizeof((t)[0]))
#define ID(nm, desc) {.name = (nm), .type = QUERY_ID, .description = (desc)}
#define INT(nm, lo, hi, d, desc)                                                               \
	{.name = (nm), .type = QUERY_INT, .min = (lo), .max = (hi), .def = (d), .description = (desc)}
#define ENUM(nm, c, desc) {.name = (nm), .type = QUERY_ENUM, .choices = (c), .description = (desc)}
#define STR(nm, lo, hi, desc)                                                                  \
	{.name = (nm), .type = QUERY_STRING, .min = (lo), .max = (hi), .description = (desc)}
#define TIME(nm, desc) {.name = (nm), .type = QUERY_TIME, .description = (desc)}

static const char *const langs[] = {"en", "es", NULL};
static const char *const erasure_statuses[] = {"pending", "approved", "rejected", NULL};
static const char *const round_statuses[] = {"open", "closed", NULL};
/* programmes_http.c: programme_statuses */
static const char *const programme_statuses[] = {"draft", "published", "closed", NULL};

/* core_http.c core_help: never refused; an unknown value is ignored. */
static const struct query_param q_help[] = {
    STR("country", 0, 0,
        "ISO 3166-1 alpha-2 code of the country whose crisis lines to show first (gb, GB and "
        "UK all mean the United Kingdom); anything else shows the country chooser"),
    STR("lang", 0, 0, "en or es; anything else means the browser's language"),
};

/* auth_http.c auth_http_admin_user_list */
static const struct query_param q_users[] = {
    INT("limit", 1, 500, 100, "Users per page"),
    INT("offset", 0, 0, 0, "Users to skip"),
};

/* audit_http.c audit_http_list */
static const struct query_param q_audit[] = {
    INT("actor", 0, 0, 0, "Only entries by this user id"),
    STR("resource", 0, 0, "Only entries about this resource, like participant:12"),
    TIME("since", "Only entries at or after this time"),
    TIME("until", "Only entries before this time"),
    INT("after_id", 0, 0, 0, "The last id of the previous page"),
    INT("limit", 1, 500, 50, "Entries per page"),
};

/* people_http.c people_http_list: one of email, phone or name (an exact
 * search), or a page of the list with after and limit. */
static const struct query_param q_participants[] = {
    STR("email", 1, 254, "Exact search by email (normalised as stored)"),
    STR("phone", 1, 254, "Exact search by phone number (normalised as stored)"),
    STR("name", 1, 254, "Exact search by name (normalised as stored)"),
    INT("after", 0, 0, 0, "The last id of the previous page"),
    INT("limit", 1, 100, 50, "People per page"),
};

/* people_http.c people_http_consent_texts */
static const struct query_param q_consent_texts[] = {
    ENUM("lang", langs, "The language of the texts (default en)"),
};

/* people_http.c people_http_me_export_html (page_lang): never refused. */
static const struct query_param q_export_html[] = {
    STR("lang", 0, 0, "en or es; anything else means the browser's language"),
};

/* erasure_http.c people_http_erasure_list */
static const struct query_param q_erasure[] = {
    ENUM("status", erasure_statuses, "Only requests in this state"),
};

/* people_http.c people_http_retention_list */
static const struct query_param q_retention[] = {
    INT("inactive_days", 30, 36500, 0,
        "Days without activity after which a record is past the rule (default: the "
        "deployment's retention setting)"),
};

/* listening_http.c listening_http_round_list */
static const struct query_param q_rounds[] = {
    ID("organisation_id", "Only this organisation's rounds"),
    ENUM("status", round_statuses, "Only open or only closed rounds"),
};

/* listening_http.c listening_http_response_list */
static const struct query_param q_responses[] = {
    ID("after_id", "The last id of the previous page"),
    INT("limit", 1, 500, 100, "Answers per page"),
};

/* themes_http.c listening_http_decision_list */
static const struct query_param q_decisions[] = {
    ID("organisation_id", "Only this organisation's decisions"),
    ID("round_id", "Only decisions about this listening round"),
};

/* venues_http.c programs_http_venue_list */
static const struct query_param q_venues[] = {
    ID("organisation_id", "Only this organisation's venues"),
};

/* programmes_http.c programs_http_programme_list */
static const struct query_param q_programmes[] = {
    ENUM("status", programme_statuses, "Only programmes in this state"),
    ID("organisation_id", "Only this organisation's programmes"),
};

/* training_http.c programs_http_training_list */
static const struct query_param q_training[] = {
    ID("user_id", "Only this person's training"),
};

/* training_http.c programs_http_training_expiring */
static const struct query_param q_training_expiring[] = {
    INT("days", 0, 730, 60, "Training that expires within this many days, or has expired"),
};

/* roster_http.c programs_http_staff_list (the role is checked in roster.c) */
static const struct query_param q_staff[] = {
    ID("organisation_id", "Only this organisation's staff"),
    ENUM("role", staff_roles, "Only people with this role"),
};

/* taking_part_http.c programs_http_me_sessions (query_limit) */
static const struct query_param q_me_sessions[] = {
    INT("limit", 1, 500, 50, "Sessions to list"),
};

/* taking_part_http.c programs_http_fit_me and programs_http_fit_person (FIT_MAX) */
static const struct query_param q_fit[] = {
    INT("limit", 1, 100, 20, "Sessions to list, best fit first"),
};

/* taking_part_http.c programs_http_followup_log */
static const struct query_param q_followup_log[] = {
    ID("participant_id", "Only follow-ups with this person"),
};

/* messages/events_http.c events_http_stream (the Last-Event-ID header wins) */
static const struct query_param q_events[] = {
    INT("last_event_id", 0, 0, 0,
        "Resume after this event id, for clients that cannot send Last-Event-ID"),
};

/* messages/inbox_http.c inbox_http_list */
static const struct query_param q_inbox[] = {
    INT("limit", 1, 100, 50, "Messages per page"),
    ID("cursor", "The next_cursor of the previous page"),
};

/* messages/messages_http.c messages_http_unsubscribe_get and _post */
static const struct query_param q_unsubscribe[] = {
    STR("t", 1, 64, "The token of the email's unsubscribe link"),
};

/* messages/messages_http.c messages_http_outbox_list */
static const char *const outbox_states[] = {"queued", "sending", "sent", "failed",
                                            "none",   "cancelled", NULL};
static const struct query_param q_outbox[] = {
    ENUM("state", outbox_states, "Only messages whose email is in this state"),
    INT("limit", 1, 200, 50, "Messages per page"),
    ID("cursor", "The next_cursor of the previous page"),
};

#define ROW(m, p, t) {(m), (p), (t), N(t)}

const struct openapi_query openapi_queries[] = {
    ROW("GET", "/help", q_help),
    ROW("GET", "/api/v1/users", q_users),
    ROW("GET", "/api/v1/audit", q_audit),
    ROW("GET", "/api/v1/participants", q_participants),
    ROW("GET", "/api/v1/consent-texts", q_consent_texts),
    ROW("GET", "/api/v1/me/export.html", q_export_html),
    ROW("GET", "/api/v1/erasure-requests", q_erasure),
    ROW("GET", "/api/v1/retention", q_retention),
    ROW("GET", "/api/v1/listening-rounds", q_rounds),
    ROW("GET", "/api/v1/listening-rounds/{id}/responses", q_responses),
    ROW("GET", "/api/v1/decisions", q_decisions),
    ROW("GET", "/api/v1/venues", q_venues),
    ROW("GET", "/api/v1/programmes", q_programmes),
    ROW("GET", "/api/v1/training", q_training),
    ROW("GET", "/api/v1/training/expiring", q_training_expiring),
    ROW("GET", "/api/v1/staff", q_staff),
    ROW("GET", "/api/v1/me/sessions", q_me_sessions),
    ROW("GET", "/api/v1/me/fit", q_fit),
    ROW("GET", "/api/v1/participants/{id}/fit", q_fit),
    ROW("GET", "/api/v1/followups/log", q_followup_log),
    ROW("GET", "/api/v1/events", q_events),
    ROW("GET", "/api/v1/me/messages", q_inbox),
    ROW("GET", "/api/v1/unsubscribe", q_unsubscribe),
    ROW("POST", "/api/v1/unsubscribe", q_unsubscribe),
    ROW("GET", "/api/v1/outbox", q_outbox),
};

const size_t openapi_queries_count = N(openapi_queries);
