/*
 * The success answers of the people module's routes (participants, consent,
 * self-registration, the person's own page, erasure, sharing agreements,
 * retention): see openapi_schemas.c.
 */
#include "http/openapi_schemas.h"
#include "core/banned.h"

const struct openapi_response openapi_responses_people[] = {
    {"POST", "/api/v1/participants", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", "409"},
    {"GET", "/api/v1/participants", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'preferred_name':{'type':['null','string']},'email':{'type':['null','string']},"
     "'phone':{'type':['null','string']},'is_minor':{'type':'boolean'},"
     "'pronouns':{'type':'string'},'languages':{'type':'array','items':{'type':'string'}},"
     "'preferred_contact':{'type':'string'},'status':{'type':['null','string']},"
     "'shared_categories':{'type':'array','items':{'type':'string'}}},'required':['id',"
     "'name','preferred_name','email','phone']}}},'required':['items']}",
     ""},
    {"GET", "/api/v1/participants/{id}", 200, "application/json",
     "{'type':'object','properties':{'email':{'type':['null','string']},"
     "'name':{'type':'string'},'id':{'type':'integer'},'status':{'type':['null','string']},"
     "'is_minor':{'type':'boolean'},'organisation_ids':{'type':'array',"
     "'items':{'type':'integer'}},'has_account':{'type':'boolean'},"
     "'created_at':{'type':'string'},'updated_at':{'type':'string'},"
     "'consents':{'type':'object','properties':{'participation':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']},'contact':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'evaluation':{'type':'object','properties':{'granted':{'type':'boolean'},'at':{}},"
     "'required':['granted','at']},'clinical_sharing':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']},'peer_community':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{}},'required':['granted','at']},'media':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']}},'required':['participation','contact','evaluation','clinical_sharing',"
     "'peer_community','media']},'erasure_request':{'type':['null','object'],"
     "'properties':{'id':{'type':'integer'},'status':{'type':['null','string']},"
     "'requested_at':{'type':'string'}},'required':['id','status','requested_at']},"
     "'age_band':{'type':'string'},'availability':{'type':'array','items':{'type':'object',"
     "'properties':{'day':{'type':'string'},'end':{'type':'string'},"
     "'start':{'type':'string'}},'required':['day','end','start']}},"
     "'date_of_birth':{'type':'string'},'emergency_contact':{'type':'object',"
     "'properties':{'name':{'type':'string'},'phone':{'type':['null','string']},"
     "'relationship':{'type':'string'}},'required':['name','phone']},"
     "'interests':{'type':'array','items':{'type':'string'}},'languages':{'type':'array',"
     "'items':{'type':'string'}},'needs':{'type':'object',"
     "'properties':{'adaptive_equipment':{'type':'string'},"
     "'caring_duties':{'type':'boolean'},'childcare':{'type':'boolean'},"
     "'free_text':{'type':'string'},'interpretation_language':{'type':'string'},"
     "'mobility':{'type':'array','items':{'type':'string'}},"
     "'neurodivergence':{'type':'array','items':{'type':'string'}},"
     "'sensory':{'type':'array','items':{'type':'string'}},"
     "'transport_help':{'type':'boolean'}}},'notes':{'type':'string'},"
     "'phone':{'type':['null','string']},'preferred_contact':{'type':'string'},"
     "'preferred_name':{'type':['null','string']},'pronouns':{'type':'string'},"
     "'shared_categories':{'type':'array','items':{'type':'string'}},"
     "'organisation_id':{'type':['integer','null']}},'required':['email','name','id',"
     "'status']}",
     "410"},
    {"PATCH", "/api/v1/participants/{id}", 204, NULL, NULL, "409 410"},
    {"DELETE", "/api/v1/participants/{id}", 204, NULL, NULL, "410"},
    {"GET", "/api/v1/participants/{id}/consents", 200, "application/json",
     "{'type':'object','properties':{'current':{'type':'object',"
     "'properties':{'participation':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']},'contact':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'evaluation':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'clinical_sharing':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'peer_community':{'type':'object','properties':{'granted':{'type':'boolean'},'at':{}},"
     "'required':['granted','at']},'media':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']}},'required':['participation','contact','evaluation','clinical_sharing',"
     "'peer_community','media']},'history':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'purpose':{'type':'string'},"
     "'granted':{'type':'boolean'},'given_by':{'type':'string'},'method':{'type':'string'},"
     "'text_version':{'type':'integer'},'lang':{'type':'string'},'at':{'type':['null',"
     "'string']},'guardian_name':{'type':['null','string']},"
     "'recorded_by':{'type':['integer','null']}},'required':['id','purpose','granted',"
     "'given_by','method','text_version','lang','at','guardian_name','recorded_by']}}},"
     "'required':['current','history']}",
     "410"},
    {"POST", "/api/v1/participants/{id}/consents", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", ""},
    {"POST", "/api/v1/participants/{id}/account-code", 201, "application/json",
     "{'type':'object','properties':{'code':{'type':'string'},"
     "'valid_days':{'type':'integer'}},'required':['code','valid_days']}",
     "409"},
    {"POST", "/api/v1/participants/{id}/invite", 202, "application/json",
     "{'type':'object','properties':{'status':{'const':'sent'},"
     "'valid_days':{'type':'integer'}},'required':['status','valid_days']}",
     "404 409 410"},
    {"GET", "/api/v1/consent-texts", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'purpose':{'type':'string'},'version':{'type':'integer'},"
     "'lang':{'type':'string'},'text':{'type':'string'}},'required':['purpose','version',"
     "'lang','text']}}},'required':['items']}",
     ""},
    {"GET", "/api/v1/register/form", 200, "application/json",
     "{'type':'object','properties':{'form_token':{'type':'string'},"
     "'organisations':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'kind':{'type':'string'}},'required':['id','name','kind']}},"
     "'min_seconds':{'type':'integer'}},'required':['form_token','organisations',"
     "'min_seconds']}",
     ""},
    {"POST", "/api/v1/register", 202, "application/json",
     "{'type':'object','required':['status'],"
     "'properties':{'status':{'enum':['check_email','account_code'],'description':"
     "'check_email: with an email, the same answer whether it was known or not (the way in "
     "is emailed); account_code: without one, the code is shown here'},"
     "'id':{'type':'integer'},'account_code':{'type':'string',"
     "'description':'shown once: the person creates a login with it'},"
     "'valid_days':{'type':'integer'}}}",
     "429"},
    {"POST", "/api/v1/register/claim", 201, "application/json",
     "{'type':'object','properties':{'user_id':{'type':'integer'}},'required':['user_id']}", ""},
    {"POST", "/api/v1/register/invite", 201, "application/json",
     "{'type':'object','properties':{'user_id':{'type':'integer'}},'required':['user_id']}",
     "409"},
    {"GET", "/api/v1/me/profile", 200, "application/json",
     "{'type':'object','properties':{'name':{'type':'string'},"
     "'preferred_name':{'type':['null','string']},'pronouns':{'type':'string'},"
     "'languages':{'type':'array','items':{'type':'string'}},'email':{'type':['null',"
     "'string']},'phone':{'type':['null','string']},'preferred_contact':{'type':'string'},"
     "'age_band':{'type':'string'},'interests':{'type':'array','items':{'type':'string'}},"
     "'availability':{'type':'array','items':{'type':'object',"
     "'properties':{'day':{'type':'string'},'start':{'type':'string'},"
     "'end':{'type':'string'}},'required':['day','start','end']}},'needs':{'type':'object',"
     "'properties':{'neurodivergence':{'type':'array','items':{'type':'string'}},"
     "'transport_help':{'type':'boolean'},'mobility':{'type':'array',"
     "'items':{'type':'string'}},'sensory':{'type':'array','items':{'type':'string'}}}},"
     "'emergency_contact':{'type':'object','properties':{'name':{'type':'string'},"
     "'phone':{'type':['null','string']},'relationship':{'type':'string'}},"
     "'required':['name','phone','relationship']},'id':{'type':'integer'},"
     "'status':{'type':['null','string']},'is_minor':{'type':'boolean'},"
     "'organisation_ids':{'type':'array','items':{'type':'integer'}},"
     "'has_account':{'type':'boolean'},'created_at':{'type':'string'},"
     "'updated_at':{'type':'string'},'consents':{'type':'object',"
     "'properties':{'participation':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at','given_by','text_version']},'contact':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']},'evaluation':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'clinical_sharing':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'peer_community':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'media':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']}},"
     "'required':['participation','contact','evaluation','clinical_sharing',"
     "'peer_community','media']},'erasure_request':{'type':['null','object'],"
     "'properties':{'id':{'type':'integer'},'status':{'type':['null','string']},"
     "'requested_at':{'type':'string'},'decided_at':{'type':['null','string']},"
     "'reason':{'type':['null','string']}},'required':['id','status','requested_at']},"
     "'organisation_id':{'type':['integer','null']}},'required':['name','email','id',"
     "'status','is_minor','organisation_ids','has_account','created_at','updated_at',"
     "'consents','erasure_request']}",
     ""},
    {"PATCH", "/api/v1/me/profile", 204, NULL, NULL, ""},
    {"GET", "/api/v1/me/consents", 200, "application/json",
     "{'type':'object','properties':{'current':{'type':'object',"
     "'properties':{'participation':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at','given_by','text_version']},'contact':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at','given_by','text_version']},'evaluation':{'type':'object',"
     "'properties':{'granted':{'type':'boolean'},'at':{'type':['null','string']},"
     "'given_by':{'type':'string'},'text_version':{'type':'integer'}},'required':['granted',"
     "'at']},'clinical_sharing':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'peer_community':{'type':'object','properties':{'granted':{'type':'boolean'},"
     "'at':{'type':['null','string']},'given_by':{'type':'string'},"
     "'text_version':{'type':'integer'}},'required':['granted','at']},"
     "'media':{'type':'object','properties':{'granted':{'type':'boolean'},'at':{}},"
     "'required':['granted','at']}},'required':['participation','contact','evaluation',"
     "'clinical_sharing','peer_community','media']},'history':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'purpose':{'type':'string'},'granted':{'type':'boolean'},'given_by':{'type':'string'},"
     "'method':{'type':'string'},'text_version':{'type':'integer'},'lang':{'type':'string'},"
     "'at':{'type':['null','string']},'guardian_name':{},'recorded_by':{'type':['integer',"
     "'null']}},'required':['id','purpose','granted','given_by','method','text_version',"
     "'lang','at','guardian_name','recorded_by']}},'is_minor':{'type':'boolean'}},"
     "'required':['current','history','is_minor']}",
     ""},
    {"POST", "/api/v1/me/consents", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'purpose':{'type':'string'},"
     "'granted':{'type':'boolean'}},'required':['id','purpose','granted']}",
     ""},
    {"GET", "/api/v1/me/export", 200, "application/json",
     "{'type':'object','properties':{'generated_at':{'type':'string'},"
     "'about':{'type':'string'},'person':{'type':'object','description':'the profile,"
     " as GET /api/v1/me/profile shows it','required':['id','status']},"
     "'consent_history':{'type':'array','items':{'type':'object','required':['purpose',"
     "'granted','at']}},'record_history':{'type':'array','items':{'type':'object',"
     "'properties':{'at':{'type':['null','string']},'action':{'type':'string'},"
     "'outcome':{'type':'string'}}}},'account':{'type':'object',"
     "'properties':{'login':{'type':'string'},'has_login':{'type':'boolean'},"
     "'account_codes':{'type':'array'}},'required':['login','has_login','account_codes']},"
     "'erasure_requests':{'type':'array','items':{'type':'object',"
     "'properties':{'status':{'type':['null','string']},'requested_at':{'type':'string'},"
     "'decided_at':{},'reason':{}}}},'enrolments':{'type':'array','items':{'type':'object',"
     "'properties':{'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'status':{'type':['null','string']},'cancel_reason':{},"
     "'created_at':{'type':'string'},'updated_at':{'type':'string'},"
     "'offer_expires_at':{}}}},'attendance':{'type':'array','items':{'type':'object',"
     "'properties':{'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'session_start':{'type':'string'},"
     "'status':{'type':['null','string']},'sat_out':{'type':'boolean'},"
     "'marked_at':{'type':'string'}}}},'session_roles':{'type':'array',"
     "'items':{'type':'object','properties':{'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'session_start':{'type':'string'},"
     "'role':{'type':'string'}}}},'listening_answers':{'type':'array',"
     "'items':{'type':'object','properties':{'round_id':{'type':['integer','null']},"
     "'round':{'type':'string'},'channel':{'type':'string'},'lang':{'type':'string'},"
     "'given_at':{'type':'string'},'answers':{'type':['null','object'],"
     "'properties':{'social':{'type':'string'}},'required':['social']},"
     "'barrier_tags':{'type':['array','null'],'items':{'type':'string'}}}}},"
     "'themes_proposed':{'type':'array','items':{'type':'object',"
     "'properties':{'round_id':{'type':['integer','null']},'round':{'type':'string'},"
     "'title':{'type':'string'},'description':{'type':'string'},'outcome':{'type':'string'},"
     "'outcome_reason':{},'votes':{'type':'integer'},'proposed_at':{'type':'string'}}}},"
     "'theme_votes':{'type':'array','items':{'type':'object',"
     "'properties':{'round_id':{'type':['integer','null']},'round':{'type':'string'},"
     "'theme':{'type':'string'},'voted_at':{'type':'string'}}}},'supports':{'type':'array',"
     "'items':{'type':'object','properties':{'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'kind':{'type':'string'},'status':{'type':['null',"
     "'string']},'amount_cents':{'type':'integer'},'notes':{'type':'string'},"
     "'requested_at':{'type':'string'},'decided_at':{},'provided_at':{}}}},"
     "'followups':{'type':'array','items':{'type':'object',"
     "'properties':{'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'action':{'type':'string'},'note':{'type':'string'},"
     "'by':{'type':'string'},'at':{'type':['null','string']}}}},"
     "'calendar_feed':{'type':'array','items':{'type':'object',"
     "'properties':{'created_at':{'type':'string'}}}},'covers':{'type':'object',"
     "'description':'for each section, the tables it covers',"
     "'additionalProperties':{'type':'array','items':{'type':'string'}}}},"
     "'required':['generated_at','about','person','consent_history','record_history',"
     "'account','erasure_requests','enrolments','attendance','session_roles',"
     "'listening_answers','themes_proposed','theme_votes','supports','followups',"
     "'calendar_feed','covers']}",
     ""},
    {"GET", "/api/v1/me/export.html", 200, "text/html",
     "{'type':'string','description':'An HTML page'}", ""},
    {"POST", "/api/v1/me/erasure-request", 202, "application/json",
     "{'type':'object','properties':{'status':{'type':['null','string']},"
     "'request_id':{'type':'integer'}},'required':['status','request_id']}",
     ""},
    {"GET", "/api/v1/erasure-requests", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'requested_at':{'type':'string'},"
     "'organisation_ids':{'type':'array','items':{'type':'integer'}},"
     "'erased':{'type':'boolean'}},'required':['id','participant_id','status',"
     "'requested_at','organisation_ids','erased']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/erasure-requests/{id}/approve", 204, NULL, NULL, "404"},
    {"POST", "/api/v1/erasure-requests/{id}/reject", 204, NULL, NULL, "404"},
    {"GET", "/api/v1/sharing-agreements", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'from_organisation_id':{'type':'integer'},"
     "'to_organisation_id':{'type':'integer'},'categories':{'type':'array',"
     "'items':{'type':'string'}},'starts_on':{'type':'string'},'ends_on':{'type':'string'},"
     "'revoked':{'type':'boolean'}},'required':['id','from_organisation_id',"
     "'to_organisation_id','categories','starts_on','ends_on','revoked']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/sharing-agreements", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", ""},
    {"DELETE", "/api/v1/sharing-agreements/{id}", 204, NULL, NULL, "404"},
    {"GET", "/api/v1/retention", 200, "application/json",
     "{'type':'object','properties':{'inactive_days':{'type':'integer'},"
     "'inactive_since':{'type':'string'},'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'last_activity_at':{'type':'string'}},"
     "'required':['id','last_activity_at']}}},'required':['inactive_days','inactive_since',"
     "'items']}",
     ""},
    {"POST", "/api/v1/retention/erase", 200, "application/json",
     "{'type':'object','properties':{'erased':{'type':'array','items':{'type':'integer'}},"
     "'skipped':{'type':'array','items':{'type':'integer'}}},'required':['erased',"
     "'skipped']}",
     ""},
};

const size_t openapi_responses_people_count =
    sizeof openapi_responses_people / sizeof openapi_responses_people[0];
