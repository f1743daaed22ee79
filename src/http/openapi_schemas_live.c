/*
 * The success answers of the messages module's live routes (see
 * openapi_schemas.h): the event stream and the inbox, in the order of
 * routes.c. Kept true by tests/api/openapi.test.mjs.
 */
#include "http/openapi_schemas.h"
#include "core/banned.h"

#define INBOX_ITEM                                                                            \
	"{'type':'object','required':['id','kind','params','created_at','read_at'],"          \
	"'properties':{'id':{'type':'integer'},'kind':{'type':'string'},"                     \
	"'params':{'type':'object','description':'ids and times for the words of the kind'}," \
	"'created_at':{'type':'string','format':'date-time'},"                                \
	"'read_at':{'type':['string','null'],'format':'date-time'}}}"

const struct openapi_response openapi_responses_live[] = {
    {"GET", "/api/v1/events", 200, "text/event-stream",
     "{'type':'string','description':'Server-Sent Events: each event has an id, an event"
     " name (its kind) and data {kind, ref_id, created_at}; a comment every 15 s'}",
     ""},
    {"GET", "/api/v1/me/messages", 200, "application/json",
     "{'type':'object','required':['items','next_cursor'],'properties':{'items':"
     "{'type':'array','items':" INBOX_ITEM "},'next_cursor':{'type':['integer','null']}}}",
     ""},
    {"GET", "/api/v1/me/messages/unread", 200, "application/json",
     "{'type':'object','required':['unread'],'properties':{'unread':{'type':'integer',"
     "'minimum':0}}}",
     ""},
    {"POST", "/api/v1/me/messages/{id}/read", 204, NULL, NULL, "404"},
    {"POST", "/api/v1/me/messages/read-all", 200, "application/json",
     "{'type':'object','required':['marked'],'properties':{'marked':{'type':'integer',"
     "'minimum':0}}}",
     ""},
};

const size_t openapi_responses_live_count =
    sizeof openapi_responses_live / sizeof openapi_responses_live[0];
