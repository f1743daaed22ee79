/*
 * The success answers of the messages module's email routes (see
 * openapi_schemas.h): message preferences, unsubscribe and the admins'
 * outbox, in the order of routes.c. Kept true by
 * tests/api/openapi.test.mjs.
 */
#include "http/openapi_schemas.h"
#include "core/banned.h"

#define PREFS                                                                                  \
	"{'type':'object','required':['lang','quiet_hours','time_zone','kinds'],"              \
	"'properties':{'lang':{'enum':['en','es']},"                                           \
	"'quiet_hours':{'oneOf':[{'type':'null'},{'type':'object','required':['start','end']," \
	"'properties':{'start':{'type':'string'},'end':{'type':'string'}}}]},"                 \
	"'time_zone':{'type':'string'},'kinds':{'type':'array','items':{'type':'object',"      \
	"'required':['kind','essential','email'],'properties':{'kind':{'type':'string'},"      \
	"'essential':{'type':'boolean'},'email':{'type':'boolean','description':'false: inbox" \
	" only'}}}}}}"

#define UNSUB                                                                                 \
	"{'type':'object','required':['kind','done'],'properties':{'kind':{'type':'string'}," \
	"'done':{'type':'boolean','description':'true once that kind goes to the inbox only'}}}"

#define OUTBOX_ITEM                                                                          \
	"{'type':'object','required':['id','kind','organisation_id','recipient','state',"    \
	"'attempts','next_at','created_at','last_error','sent_via','sent_at','message_id']," \
	"'properties':{'id':{'type':'integer'},'kind':{'type':'string'},"                    \
	"'organisation_id':{'type':['integer','null']},"                                     \
	"'recipient':{'type':'string','description':'user #N or participant #N, never an"    \
	" address or a name'},"                                                              \
	"'state':{'enum':['queued','sending','sent','failed','none','cancelled']},"          \
	"'attempts':{'type':'integer'},'next_at':{'type':'string','format':'date-time'},"    \
	"'created_at':{'type':'string','format':'date-time'},"                               \
	"'last_error':{'type':['string','null']},'sent_via':{'enum':['smtp','file',null]},"  \
	"'sent_at':{'type':['string','null'],'format':'date-time'},"                         \
	"'message_id':{'type':['string','null']}}}"

#define QUEUED                                                                              \
	"{'type':'object','required':['id','state'],'properties':{'id':{'type':'integer'}," \
	"'state':{'const':'queued'}}}"

const struct openapi_response openapi_responses_mail[] = {
    {"GET", "/api/v1/me/message-preferences", 200, "application/json", PREFS, ""},
    {"PUT", "/api/v1/me/message-preferences", 200, "application/json", PREFS, ""},
    {"GET", "/api/v1/unsubscribe", 200, "application/json", UNSUB, ""},
    {"POST", "/api/v1/unsubscribe", 200, "application/json", UNSUB, ""},
    {"GET", "/api/v1/outbox", 200, "application/json",
     "{'type':'object','required':['items','next_cursor'],'properties':{'items':{'type':"
     "'array','items':" OUTBOX_ITEM "},'next_cursor':{'type':['integer','null']}}}",
     ""},
    {"POST", "/api/v1/outbox/test", 201, "application/json", QUEUED, ""},
    {"GET", "/api/v1/outbox/{id}/email", 200, "text/plain",
     "{'type':'string','description':'The email (RFC 5322) the message sends, without its"
     " address; one-time links masked'}",
     "404"},
    {"POST", "/api/v1/outbox/{id}/retry", 200, "application/json", QUEUED, "404 409"},
};

const size_t openapi_responses_mail_count =
    sizeof openapi_responses_mail / sizeof openapi_responses_mail[0];
