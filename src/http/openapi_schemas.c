/*
 * The success answers of every route (see openapi_schemas.h), one row per
 * route in the order of routes.c: the core, auth and admin routes here, the
 * people module's in openapi_schemas_people.c, the programmes module's in
 * openapi_schemas_programs.c. The schemas were first drafted from the
 * answers the API test suite receives and are kept true by
 * tests/api/openapi.test.mjs, which checks real answers against them; when a
 * handler changes what it answers, change its row.
 */
#include "http/openapi_schemas.h"
#include "core/banned.h"

const struct openapi_response openapi_responses[] = {
    {"GET", "/api/v1/health", 200, "application/json",
     "{'type':'object','required':['status','version','db'],"
     "'properties':{'status':{'const':'ok'},'version':{'type':'string'},"
     "'db':{'enum':['sqlite','postgres']}}}",
     "503"},
    {"GET", "/api/v1/openapi.json", 200, "application/json",
     "{'type':'object','required':['openapi','info','paths'],"
     "'properties':{'openapi':{'const':'3.1.0'},'info':{'type':'object'},"
     "'paths':{'type':'object'},'components':{'type':'object'}}}",
     ""},
    {"GET", "/metrics", 200, "text/plain",
     "{'type':'string','description':'Prometheus text exposition format 0.0.4'}", ""},
    {"GET", "/help", 200, "text/html", "{'type':'string','description':'An HTML page'}", ""},
    {"POST", "/api/v1/auth/login", 200, "application/json",
     "{'type':'object','properties':{'user':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'email':{'type':['null','string']},"
     "'display_name':{'type':'string'},'memberships':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'organisation':{'type':'string'},"
     "'kind':{'type':'string'},'role':{'type':'string'}},'required':['id','organisation_id',"
     "'organisation','kind','role']}}},'required':['id','email','display_name',"
     "'memberships']},'csrf_token':{'type':'string'}},'required':['user','csrf_token']}",
     ""},
    {"POST", "/api/v1/auth/logout", 204, NULL, NULL, ""},
    {"POST", "/api/v1/auth/password-reset", 202, "application/json",
     "{'type':'object','properties':{'status':{'const':'check_email'}},'required':['status']}",
     "429"},
    {"POST", "/api/v1/auth/password-reset/complete", 204, NULL, NULL, ""},
    {"GET", "/api/v1/auth/me", 200, "application/json",
     "{'type':'object','properties':{'user':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'email':{'type':['null','string']},"
     "'display_name':{'type':'string'},'memberships':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'organisation':{'type':'string'},"
     "'kind':{'type':'string'},'role':{'type':'string'}},'required':['id','organisation_id',"
     "'organisation','kind','role']}}},'required':['id','email','display_name',"
     "'memberships']},'csrf_token':{'type':'string'},'token_id':{'type':'integer'}},"
     "'required':['user']}",
     ""},
    {"GET", "/api/v1/auth/session", 200, "application/json",
     "{'type':'object','properties':{'authenticated':{'type':'boolean'},'user':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'email':{'type':['null','string']},"
     "'display_name':{'type':'string'},'memberships':{'type':'array'}},"
     "'required':['id','email','display_name','memberships']},'csrf_token':{'type':'string'},"
     "'token_id':{'type':'integer'}},'required':['authenticated']}",
     ""},
    {"GET", "/api/v1/meta", 200, "application/json",
     "{'type':'object','required':['roles','scopes','organisations','everywhere','enums'],"
     "'properties':{'roles':{'type':'object','description':'each role,"
     " with the actions the policy lets it perform','additionalProperties':{'type':'array',"
     "'items':{'type':'string'}}},'organisations':{'type':'array','items':{'type':'object',"
     "'required':['id','roles','actions'],'properties':{'id':{'type':'integer'},"
     "'name':{'type':'string'},'kind':{'type':'string'},'roles':{'type':'array',"
     "'items':{'type':'string'}},'actions':{'type':'array','items':{'type':'string'}},"
     "'country':{'type':['null','string'],'description':'ISO 3166-1 alpha-2'}}}},"
     "'scopes':{'type':'object','description':'each action, with which things it"
     " reaches: platform, self, organisation, member or shared (docs/api.md)',"
     "'additionalProperties':{'enum':['platform','self','organisation','member','shared']}},"
     "'everywhere':{'type':'array',"
     "'description':'actions allowed in every organisation (admins)',"
     "'items':{'type':'string'}},'enums':{'type':'object',"
     "'description':'the value lists the server accepts, by name',"
     "'additionalProperties':{'type':'array','items':{'type':'string'}}}}}",
     ""},
    {"GET", "/api/v1/organisations", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'kind':{'type':'string'},'created_at':{'type':'integer'},'country':{'type':['null',"
     "'string']},'crisis_lines':{'type':'boolean'}},'required':['id','name','kind',"
     "'created_at','country','crisis_lines']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/organisations", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'kind':{'type':'string'},'country':{},'crisis_lines':{'type':'boolean'}},"
     "'required':['id','name','kind','country','crisis_lines']}",
     "409"},
    {"PATCH", "/api/v1/organisations/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'kind':{'type':'string'},'country':{'type':['null','string']},"
     "'crisis_lines':{'type':'boolean'}},'required':['id','name','kind','country',"
     "'crisis_lines']}",
     ""},
    {"GET", "/api/v1/users", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'email':{'type':['null','string']},"
     "'display_name':{'type':'string'},'disabled':{'type':'boolean'},"
     "'created_at':{'type':'integer'},'memberships':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'organisation':{'type':'string'},"
     "'kind':{'type':'string'},'role':{'type':'string'}},'required':['id','organisation_id',"
     "'organisation','kind','role']}}},'required':['id','email','display_name','disabled',"
     "'created_at','memberships']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/users", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'email':{'type':['null',"
     "'string']},'display_name':{'type':'string'}},'required':['id','email','display_name']}",
     "409"},
    {"PATCH", "/api/v1/users/{id}", 204, NULL, NULL, ""},
    {"POST", "/api/v1/memberships", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", "409"},
    {"DELETE", "/api/v1/memberships/{id}", 204, NULL, NULL, "404"},
    {"GET", "/api/v1/tokens", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'role':{'type':'string'},'organisation_id':{'type':['integer','null']},"
     "'created_at':{'type':'integer'},'revoked_at':{'type':['integer','null']}},"
     "'required':['id','name','role','organisation_id','created_at','revoked_at']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/tokens", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'},"
     "'role':{'type':'string'},'token':{'type':'string'}},'required':['id','name','role',"
     "'token']}",
     ""},
    {"DELETE", "/api/v1/tokens/{id}", 204, NULL, NULL, "404"},
    {"GET", "/api/v1/audit", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'at':{'type':['null','string']},"
     "'action':{'type':'string'},'resource':{'type':'string'},'outcome':{'type':'string'},"
     "'request_id':{'type':'string'},'actor_id':{'type':['integer','null']},"
     "'actor_token_id':{},'organisation_id':{'type':['integer','null']}},'required':['id',"
     "'at','action','resource','outcome','request_id','actor_id','actor_token_id',"
     "'organisation_id']}},'next_after_id':{'type':['integer','null']}},'required':['items',"
     "'next_after_id']}",
     ""},
};

const size_t openapi_responses_count = sizeof openapi_responses / sizeof openapi_responses[0];
