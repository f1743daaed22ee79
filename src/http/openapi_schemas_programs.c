/*
 * The success answers of the programmes module's routes (listening, themes,
 * decisions, venues, programmes, sessions, roster, training, staff, fit,
 * enrolment, supports, attendance, follow-up, calendar feeds): see
 * openapi_schemas.c.
 */
#include "http/openapi_schemas.h"
#include "core/banned.h"

const struct openapi_response openapi_responses_programs[] = {
    {"GET", "/api/v1/listening-rounds", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'title':{'type':'string'},'description':{'type':'string'},'status':{'type':['null',"
     "'string']},'opens_at':{'type':'string'},'closes_at':{'type':['null','string']},"
     "'closed_at':{'type':['null','string']},'created_at':{'type':'string'},"
     "'theme_count':{'type':'integer'},'response_count':{'type':'integer'}},"
     "'required':['id','organisation_id','title','description','status','opens_at',"
     "'closes_at','closed_at','created_at','theme_count','response_count']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/listening-rounds", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'description':{'type':'string'},'status':{'type':['null','string']},"
     "'opens_at':{'type':'string'},'closes_at':{'type':['null','string']},'closed_at':{},"
     "'created_at':{'type':'string'},'theme_count':{'type':'integer'},"
     "'response_count':{'type':'integer'}},'required':['id','organisation_id','title',"
     "'description','status','opens_at','closes_at','closed_at','created_at','theme_count',"
     "'response_count']}",
     ""},
    {"GET", "/api/v1/listening-rounds/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'description':{'type':'string'},'status':{'type':['null','string']},"
     "'opens_at':{'type':'string'},'closes_at':{'type':['null','string']},'closed_at':{},"
     "'created_at':{'type':'string'},'theme_count':{'type':'integer'},"
     "'response_count':{'type':'integer'}},'required':['id','organisation_id','title',"
     "'description','status','opens_at','closes_at','closed_at','created_at','theme_count',"
     "'response_count']}",
     "404"},
    {"PATCH", "/api/v1/listening-rounds/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'description':{'type':'string'},'status':{'type':['null','string']},"
     "'opens_at':{'type':'string'},'closes_at':{},'closed_at':{'type':['null','string']},"
     "'created_at':{'type':'string'},'theme_count':{'type':'integer'},"
     "'response_count':{'type':'integer'}},'required':['id','organisation_id','title',"
     "'description','status','opens_at','closes_at','closed_at','created_at','theme_count',"
     "'response_count']}",
     "404"},
    {"POST", "/api/v1/listening-rounds/{id}/responses", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", "404 409"},
    {"GET", "/api/v1/listening-rounds/{id}/responses", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'channel':{'type':'string'},"
     "'lang':{'type':'string'},'anonymous':{'type':'boolean'},"
     "'created_at':{'type':'string'},'participant_id':{'type':'integer'},"
     "'answers':{'type':['null','object'],'properties':{'creative':{'type':'string'},"
     "'barriers':{'type':'string'},'social':{'type':'string'},"
     "'cultural_traditions':{'type':'string'},'emotional':{'type':'string'},"
     "'strengths':{'type':'string'}}},'barrier_tags':{'type':['array','null'],"
     "'items':{'type':'string'}},'erased':{'type':'boolean'}},'required':['id','channel',"
     "'lang','anonymous','created_at','answers','barrier_tags']}},"
     "'next_after_id':{'type':['integer','null']}},'required':['items','next_after_id']}",
     "404"},
    {"GET", "/api/v1/listening-rounds/{id}/themes", 200, "application/json",
     "{'type':'object','properties':{'round_id':{'type':['integer','null']},"
     "'status':{'type':['null','string']},'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'round_id':{'type':['integer','null']},"
     "'title':{'type':'string'},'description':{'type':'string'},"
     "'proposer_kind':{'type':'string'},'votes':{'type':'integer'},"
     "'outcome':{'type':'string'},'outcome_reason':{'type':['null','string']},"
     "'created_at':{'type':'string'}},'required':['id','round_id','title','description',"
     "'proposer_kind','votes','outcome','outcome_reason','created_at']}},"
     "'my_vote':{'type':['integer','null']}},'required':['round_id','status','items',"
     "'my_vote']}",
     "404"},
    {"POST", "/api/v1/listening-rounds/{id}/themes", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'round_id':{'type':['integer',"
     "'null']},'title':{'type':'string'},'description':{'type':'string'},"
     "'proposer_kind':{'type':'string'},'votes':{'type':'integer'},"
     "'outcome':{'type':'string'},'outcome_reason':{},'created_at':{'type':'string'}},"
     "'required':['id','round_id','title','description','proposer_kind','votes','outcome',"
     "'outcome_reason','created_at']}",
     "404 409"},
    {"PUT", "/api/v1/listening-rounds/{id}/vote", 200, "application/json",
     "{'type':'object','properties':{'round_id':{'type':['integer','null']},"
     "'theme_id':{'type':'integer'},'votes':{'type':'integer'}},'required':['round_id',"
     "'theme_id','votes']}",
     "404 409"},
    {"DELETE", "/api/v1/listening-rounds/{id}/vote", 204, NULL, NULL, "404 409"},
    {"PATCH", "/api/v1/themes/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},'round_id':{'type':['integer',"
     "'null']},'title':{'type':'string'},'description':{'type':'string'},"
     "'proposer_kind':{'type':'string'},'votes':{'type':'integer'},"
     "'outcome':{'type':'string'},'outcome_reason':{'type':['null','string']},"
     "'created_at':{'type':'string'}},'required':['id','round_id','title','description',"
     "'proposer_kind','votes','outcome','outcome_reason','created_at']}",
     "404 409"},
    {"GET", "/api/v1/decisions", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'round_id':{'type':['integer','null']},'kind':{'type':'string'},"
     "'title':{'type':'string'},'body':{'type':'string'},'programme_id':{'type':['integer',"
     "'null']},'created_at':{'type':'string'},'themes':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'title':{'type':'string'},'votes':{'type':'integer'}},'required':['id','title',"
     "'votes']}},'responses':{'type':'integer'}},'required':['id','organisation_id',"
     "'round_id','kind','title','body','programme_id','created_at','themes','responses']}},"
     "'not_acted':{'type':'array','items':{'type':'object',"
     "'properties':{'theme_id':{'type':'integer'},'round_id':{'type':['integer','null']},"
     "'title':{'type':'string'},'votes':{'type':'integer'},'reason':{'type':['null',"
     "'string']}},'required':['theme_id','round_id','title','votes','reason']}}},"
     "'required':['items','not_acted']}",
     ""},
    {"POST", "/api/v1/decisions", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'round_id':{'type':['integer','null']},"
     "'kind':{'type':'string'},'title':{'type':'string'},'body':{'type':'string'},"
     "'programme_id':{},'created_at':{'type':'string'},'themes':{'type':'array',"
     "'items':{'type':'object','properties':{'id':{'type':'integer'},"
     "'title':{'type':'string'},'votes':{'type':'integer'}},'required':['id','title',"
     "'votes']}},'responses':{'type':'integer'}},'required':['id','organisation_id',"
     "'round_id','kind','title','body','programme_id','created_at','themes','responses']}",
     ""},
    {"GET", "/api/v1/venues", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'name':{'type':'string'},'address':{'type':'string'},'capacity':{'type':'integer'},"
     "'features':{'type':'array','items':{'type':'string'}},'notes':{'type':'string'}},"
     "'required':['id','organisation_id','name','address','capacity','features','notes']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/venues", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'name':{'type':'string'},"
     "'address':{'type':'string'},'capacity':{'type':'integer'},'features':{'type':'array',"
     "'items':{'type':'string'}},'notes':{'type':'string'}},'required':['id',"
     "'organisation_id','name','address','capacity','features','notes']}",
     ""},
    {"GET", "/api/v1/venues/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'name':{'type':'string'},"
     "'address':{'type':'string'},'capacity':{'type':'integer'},'features':{'type':'array',"
     "'items':{'type':'string'}},'notes':{'type':'string'}},'required':['id',"
     "'organisation_id','name','address','capacity','features','notes']}",
     "404"},
    {"PATCH", "/api/v1/venues/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'name':{'type':'string'},"
     "'address':{'type':'string'},'capacity':{'type':'integer'},'features':{'type':'array',"
     "'items':{'type':'string'}},'notes':{'type':'string'}},'required':['id',"
     "'organisation_id','name','address','capacity','features','notes']}",
     "404 409"},
    {"GET", "/api/v1/programmes", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'title':{'type':'string'},'art_form':{'type':'string'},"
     "'description':{'type':'string'},'languages':{'type':'array',"
     "'items':{'type':'string'}},'format':{'type':'string'},'capacity':{'type':'integer'},"
     "'therapeutic':{'type':'boolean'},'status':{'type':['null','string']},"
     "'timezone':{'type':'string'},'start_date':{'type':'string'},"
     "'end_date':{'type':['null','string']},'start_time':{'type':'string'},"
     "'duration_minutes':{'type':'integer'},'rrule':{'type':['null','string']},"
     "'exdates':{'type':'array','items':{'type':'string'}},'venue_id':{'type':['integer',"
     "'null']},'online_link':{'type':['null','string']},'trauma_plan':{'type':'object',"
     "'properties':{'debrief':{'type':'string'},'difficult_content':{'type':'string'},"
     "'grounding':{'type':'string'},'opt_out':{'type':'string'}}},"
     "'funding_stream':{'type':'string'},'enrolled':{'type':'integer'},"
     "'offered':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'sessions':{'type':'integer'}},'required':['id',"
     "'organisation_id','title','art_form','description','languages','format','capacity',"
     "'therapeutic','status','timezone','start_date','end_date','start_time',"
     "'duration_minutes','rrule','exdates','venue_id','online_link','trauma_plan',"
     "'funding_stream','enrolled','offered','waitlisted','places_left','sessions']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/programmes", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'description':{'type':'string'},"
     "'languages':{'type':'array','items':{'type':'string'}},'format':{'type':'string'},"
     "'capacity':{'type':'integer'},'therapeutic':{'type':'boolean'},"
     "'status':{'type':['null','string']},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{'type':['null','string']},"
     "'start_time':{'type':'string'},'duration_minutes':{'type':'integer'},"
     "'rrule':{'type':['null','string']},'exdates':{'type':'array',"
     "'items':{'type':'string'}},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'trauma_plan':{'type':'object',"
     "'properties':{'debrief':{'type':'string'},'difficult_content':{'type':'string'},"
     "'grounding':{'type':'string'},'opt_out':{'type':'string'}}},"
     "'funding_stream':{'type':'string'},'enrolled':{'type':'integer'},"
     "'offered':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'sessions':{'type':'integer'},'team':{'type':'array',"
     "'items':{'type':'object','properties':{'user_id':{'type':'integer'},"
     "'role':{'type':'string'},'name':{'type':'string'}},'required':['user_id','role',"
     "'name']}}},'required':['id','organisation_id','title','art_form','description',"
     "'languages','format','capacity','therapeutic','status','timezone','start_date',"
     "'end_date','start_time','duration_minutes','rrule','exdates','venue_id','online_link',"
     "'trauma_plan','funding_stream','enrolled','offered','waitlisted','places_left',"
     "'sessions','team']}",
     "409"},
    {"GET", "/api/v1/programmes/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'description':{'type':'string'},"
     "'languages':{'type':'array','items':{'type':'string'}},'format':{'type':'string'},"
     "'capacity':{'type':'integer'},'therapeutic':{'type':'boolean'},"
     "'status':{'type':['null','string']},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{'type':['null','string']},"
     "'start_time':{'type':'string'},'duration_minutes':{'type':'integer'},"
     "'rrule':{'type':['null','string']},'exdates':{'type':'array',"
     "'items':{'type':'string'}},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'trauma_plan':{'type':'object',"
     "'properties':{'debrief':{'type':'string'},'difficult_content':{'type':'string'},"
     "'grounding':{'type':'string'},'opt_out':{'type':'string'}}},"
     "'funding_stream':{'type':'string'},'enrolled':{'type':'integer'},"
     "'offered':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'sessions':{'type':'integer'},'team':{'type':'array',"
     "'items':{'type':'object','properties':{'user_id':{'type':'integer'},"
     "'role':{'type':'string'},'name':{'type':'string'}},'required':['user_id','role',"
     "'name']}}},'required':['id','organisation_id','title','art_form','description',"
     "'languages','format','capacity','therapeutic','status','timezone','start_date',"
     "'end_date','start_time','duration_minutes','rrule','exdates','venue_id','online_link',"
     "'trauma_plan','funding_stream','enrolled','offered','waitlisted','places_left',"
     "'sessions','team']}",
     "404"},
    {"PATCH", "/api/v1/programmes/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'description':{'type':'string'},"
     "'languages':{'type':'array','items':{'type':'string'}},'format':{'type':'string'},"
     "'capacity':{'type':'integer'},'therapeutic':{'type':'boolean'},"
     "'status':{'type':['null','string']},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{},'start_time':{'type':'string'},"
     "'duration_minutes':{'type':'integer'},'rrule':{'type':['null','string']},"
     "'exdates':{'type':'array'},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'trauma_plan':{'type':'object',"
     "'properties':{'debrief':{'type':'string'},'grounding':{'type':'string'},"
     "'opt_out':{'type':'string'},'difficult_content':{'type':'string'}}},"
     "'funding_stream':{'type':'string'},'enrolled':{'type':'integer'},"
     "'offered':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'sessions':{'type':'integer'},'team':{'type':'array',"
     "'items':{'type':'object','properties':{'user_id':{'type':'integer'},"
     "'role':{'type':'string'},'name':{'type':'string'}},'required':['user_id','role',"
     "'name']}}},'required':['id','organisation_id','title','art_form','description',"
     "'languages','format','capacity','therapeutic','status','timezone','start_date',"
     "'end_date','start_time','duration_minutes','rrule','exdates','venue_id','online_link',"
     "'trauma_plan','funding_stream','enrolled','offered','waitlisted','places_left',"
     "'sessions','team']}",
     "404 409"},
    {"POST", "/api/v1/programmes/{id}/publish", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'description':{'type':'string'},"
     "'languages':{'type':'array','items':{'type':'string'}},'format':{'type':'string'},"
     "'capacity':{'type':'integer'},'therapeutic':{'type':'boolean'},"
     "'status':{'type':['null','string']},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{'type':['null','string']},"
     "'start_time':{'type':'string'},'duration_minutes':{'type':'integer'},"
     "'rrule':{'type':['null','string']},'exdates':{'type':'array',"
     "'items':{'type':'string'}},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'trauma_plan':{'type':'object',"
     "'properties':{'debrief':{'type':'string'},'difficult_content':{'type':'string'},"
     "'grounding':{'type':'string'},'opt_out':{'type':'string'}}},"
     "'funding_stream':{'type':'string'},'enrolled':{'type':'integer'},"
     "'offered':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'sessions':{'type':'integer'},'team':{'type':'array',"
     "'items':{'type':'object','properties':{'user_id':{'type':'integer'},"
     "'role':{'type':'string'},'name':{'type':'string'}},'required':['user_id','role',"
     "'name']}}},'required':['id','organisation_id','title','art_form','description',"
     "'languages','format','capacity','therapeutic','status','timezone','start_date',"
     "'end_date','start_time','duration_minutes','rrule','exdates','venue_id','online_link',"
     "'trauma_plan','funding_stream','enrolled','offered','waitlisted','places_left',"
     "'sessions','team']}",
     "404 409"},
    {"GET", "/api/v1/programmes/{id}/sessions", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'starts_at':{'type':'string'},'ends_at':{'type':'string'},"
     "'original_start':{'type':['null','string']},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'status':{'type':['null','string']},"
     "'cancel_reason':{'type':['null','string']},'edited':{'type':'boolean'},"
     "'timezone':{'type':'string'},'programme':{'type':'string'},"
     "'on_duty':{'type':'boolean'},'sequence':{'type':'integer'},"
     "'local_start':{'type':'string'}},'required':['id','programme_id','starts_at',"
     "'ends_at','original_start','venue_id','online_link','status','cancel_reason','edited',"
     "'timezone','programme','on_duty','sequence','local_start']}}},'required':['items']}",
     "404"},
    {"POST", "/api/v1/programmes/{id}/sessions", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'ends_at':{'type':'string'},'original_start':{},'venue_id':{'type':['integer',"
     "'null']},'online_link':{},'status':{'type':['null','string']},'cancel_reason':{},"
     "'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'}},'required':['id',"
     "'programme_id','starts_at','ends_at','original_start','venue_id','online_link',"
     "'status','cancel_reason','edited','timezone','programme','on_duty','sequence',"
     "'local_start']}",
     "404 409"},
    {"GET", "/api/v1/programmes/{id}/rotation", 200, "application/json",
     "{'type':'object','properties':{'sessions':{'type':'array','items':{'type':'object',"
     "'properties':{'session_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'lead':{'type':'array','items':{'type':'string'}},'co_facilitator':{'type':'array',"
     "'items':{'type':'string'}},'participant_lead':{'type':'array',"
     "'items':{'type':'string'}},'on_duty':{'type':'array'}},'required':['session_id',"
     "'starts_at','lead','co_facilitator','participant_lead','on_duty']}},"
     "'counts':{'type':'array','items':{'type':'object',"
     "'properties':{'kind':{'type':'string'},'id':{'type':'integer'},"
     "'name':{'type':'string'},'role':{'type':'string'},'times':{'type':'integer'}},"
     "'required':['kind','id','name','role','times']}}},'required':['sessions','counts']}",
     "404"},
    {"GET", "/api/v1/sessions/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'ends_at':{'type':'string'},'original_start':{'type':['null','string']},"
     "'venue_id':{'type':['integer','null']},'online_link':{'type':['null','string']},"
     "'status':{'type':['null','string']},'cancel_reason':{'type':['null','string']},"
     "'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'},"
     "'may_edit':{'type':'boolean'}},'required':['id',"
     "'programme_id','starts_at','ends_at','original_start','venue_id','online_link',"
     "'status','cancel_reason','edited','timezone','programme','on_duty','sequence',"
     "'local_start','may_edit']}",
     "404"},
    {"PATCH", "/api/v1/sessions/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'ends_at':{'type':'string'},'original_start':{'type':['null','string']},"
     "'venue_id':{'type':['integer','null']},'online_link':{'type':['null','string']},"
     "'status':{'type':['null','string']},'cancel_reason':{'type':['null','string']},"
     "'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'},"
     "'may_edit':{'type':'boolean'}},'required':['id',"
     "'programme_id','starts_at','ends_at','original_start','venue_id','online_link',"
     "'status','cancel_reason','edited','timezone','programme','on_duty','sequence',"
     "'local_start','may_edit']}",
     "404 409"},
    {"GET", "/api/v1/sessions/{id}/roster", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'role':{'type':'string'},"
     "'user_id':{'type':'integer'},'name':{'type':'string'},"
     "'participant_id':{'type':'integer'}},'required':['id','role','name']}}},"
     "'required':['items']}",
     "404"},
    {"POST", "/api/v1/sessions/{id}/roster", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'session_id':{'type':['integer','null']},'role':{'type':'string'}},'required':['id',"
     "'session_id','role']}",
     "404 409"},
    {"DELETE", "/api/v1/roster/{id}", 204, NULL, NULL, "404 409"},
    {"GET", "/api/v1/training", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'user_id':{'type':'integer'},'name':{'type':'string'},'kind':{'type':'string'},"
     "'title':{'type':'string'},'completed_on':{'type':'string'},"
     "'expires_on':{'type':['null','string']}},'required':['id','organisation_id','user_id',"
     "'name','kind','title','completed_on','expires_on']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/training", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'}},'required':['id']}", ""},
    {"DELETE", "/api/v1/training/{id}", 204, NULL, NULL, "404"},
    {"GET", "/api/v1/training/expiring", 200, "application/json",
     "{'type':'object','properties':{'today':{'type':'string'},'until':{'type':'string'},"
     "'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'organisation_id':{'type':['integer','null']},"
     "'user_id':{'type':'integer'},'name':{'type':'string'},'kind':{'type':'string'},"
     "'title':{'type':'string'},'completed_on':{'type':'string'},"
     "'expires_on':{'type':['null','string']},'days_left':{'type':'integer'},"
     "'state':{'type':'string'}},'required':['id','organisation_id','user_id','name','kind',"
     "'title','completed_on','expires_on','days_left','state']}}},'required':['today',"
     "'until','items']}",
     ""},
    {"GET", "/api/v1/staff", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'display_name':{'type':'string'},"
     "'roles':{'type':'array','items':{'type':'object',"
     "'properties':{'organisation_id':{'type':['integer','null']},"
     "'organisation':{'type':'string'},'role':{'type':'string'}},"
     "'required':['organisation_id','organisation','role']}}},'required':['id',"
     "'display_name','roles']}}},'required':['items']}",
     ""},
    {"GET", "/api/v1/me/duties", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'starts_at':{'type':'string'},'ends_at':{'type':'string'},"
     "'original_start':{'type':['null','string']},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'status':{'type':['null','string']},"
     "'cancel_reason':{},'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'},"
     "'role':{'type':'string'}},'required':['id','programme_id','starts_at','ends_at',"
     "'original_start','venue_id','online_link','status','cancel_reason','edited',"
     "'timezone','programme','on_duty','sequence','local_start','role']}}},"
     "'required':['items']}",
     ""},
    {"GET", "/api/v1/me/fit", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'programme':{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'languages':{'type':'array','items':{'type':'string'}},"
     "'format':{'type':'string'},'capacity':{'type':'integer'},"
     "'therapeutic':{'type':'boolean'},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{'type':['null','string']},"
     "'start_time':{'type':'string'},'duration_minutes':{'type':'integer'},"
     "'enrolled':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'venue_id':{'type':['integer','null']},"
     "'venue':{'type':['null','string']}},'required':['id','organisation_id','title',"
     "'art_form','languages','format','capacity','therapeutic','timezone','start_date',"
     "'end_date','start_time','duration_minutes','enrolled','waitlisted','places_left',"
     "'venue_id','venue']},'score':{'type':'integer'},'reasons':{'type':'array',"
     "'items':{'type':'object','properties':{'code':{'type':'string'},"
     "'ok':{'type':'boolean'},'reason':{'type':'object','properties':{"
     "'code':{'type':'string'},'features':{'type':'array','items':{'type':'string'}},"
     "'lang':{'type':'string'},'format':{'type':'string'},"
     "'days':{'type':'array','items':{'type':'string'}},'start':{'type':'string'},"
     "'end':{'type':'string'},'art_form':{'type':'string'},'n':{'type':'integer'}},"
     "'required':['code']},'detail':{'type':'string'}},'required':['code','ok',"
     "'reason','detail']}},'next_session':{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'ends_at':{'type':'string'},'original_start':{'type':['null','string']},"
     "'venue_id':{'type':['integer','null']},'online_link':{'type':['null','string']},"
     "'status':{'type':['null','string']},'cancel_reason':{},'edited':{'type':'boolean'},"
     "'timezone':{'type':'string'},'programme':{'type':'string'},"
     "'on_duty':{'type':'boolean'},'sequence':{'type':'integer'},"
     "'local_start':{'type':'string'}},'required':['id','programme_id','starts_at',"
     "'ends_at','original_start','venue_id','online_link','status','cancel_reason','edited',"
     "'timezone','programme','on_duty','sequence','local_start']},'enrolment':{}},"
     "'required':['programme','score','reasons','next_session','enrolment']}}},"
     "'required':['items']}",
     ""},
    {"GET", "/api/v1/participants/{id}/fit", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'programme':{'type':'object','properties':{'id':{'type':'integer'},"
     "'organisation_id':{'type':['integer','null']},'title':{'type':'string'},"
     "'art_form':{'type':'string'},'languages':{'type':'array','items':{'type':'string'}},"
     "'format':{'type':'string'},'capacity':{'type':'integer'},"
     "'therapeutic':{'type':'boolean'},'timezone':{'type':'string'},"
     "'start_date':{'type':'string'},'end_date':{'type':['null','string']},"
     "'start_time':{'type':'string'},'duration_minutes':{'type':'integer'},"
     "'enrolled':{'type':'integer'},'waitlisted':{'type':'integer'},"
     "'places_left':{'type':'integer'},'venue_id':{'type':['integer','null']},"
     "'venue':{'type':['null','string']}},'required':['id','organisation_id','title',"
     "'art_form','languages','format','capacity','therapeutic','timezone','start_date',"
     "'end_date','start_time','duration_minutes','enrolled','waitlisted','places_left',"
     "'venue_id','venue']},'score':{'type':'integer'},'reasons':{'type':'array',"
     "'items':{'type':'object','properties':{'code':{'type':'string'},"
     "'ok':{'type':'boolean'},'reason':{'type':'object','properties':{"
     "'code':{'type':'string'},'features':{'type':'array','items':{'type':'string'}},"
     "'lang':{'type':'string'},'format':{'type':'string'},"
     "'days':{'type':'array','items':{'type':'string'}},'start':{'type':'string'},"
     "'end':{'type':'string'},'art_form':{'type':'string'},'n':{'type':'integer'}},"
     "'required':['code']},'detail':{'type':'string'}},'required':['code','ok',"
     "'reason','detail']}},'next_session':{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'starts_at':{'type':'string'},"
     "'ends_at':{'type':'string'},'original_start':{'type':['null','string']},"
     "'venue_id':{'type':['integer','null']},'online_link':{'type':['null','string']},"
     "'status':{'type':['null','string']},'cancel_reason':{},'edited':{'type':'boolean'},"
     "'timezone':{'type':'string'},'programme':{'type':'string'},"
     "'on_duty':{'type':'boolean'},'sequence':{'type':'integer'},"
     "'local_start':{'type':'string'}},'required':['id','programme_id','starts_at',"
     "'ends_at','original_start','venue_id','online_link','status','cancel_reason','edited',"
     "'timezone','programme','on_duty','sequence','local_start']},"
     "'enrolment':{'type':['null','object'],'properties':{'id':{'type':'integer'},"
     "'status':{'type':['null','string']}},'required':['id','status']}},"
     "'required':['programme','score','reasons','next_session','enrolment']}}},"
     "'required':['items']}",
     ""},
    {"POST", "/api/v1/programmes/{id}/enrolments", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'position':{'type':['integer','null']}},"
     "'required':['id','programme_id','participant_id','status','position']}",
     "404 409 410"},
    {"GET", "/api/v1/programmes/{id}/enrolments", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'participant_id':{'type':'integer'},'status':{'type':['null','string']},"
     "'position':{'type':['integer','null']},'cancel_reason':{'type':['null','string']},"
     "'offered_at':{'type':['null','string']},'offer_expires_at':{'type':['null','string']},"
     "'created_at':{'type':'string'},'updated_at':{'type':'string'},"
     "'name':{'type':'string'}},'required':['id','programme_id','participant_id','status',"
     "'position','cancel_reason','offered_at','offer_expires_at','created_at','updated_at',"
     "'name']}}},'required':['items']}",
     "404"},
    {"POST", "/api/v1/me/enrolments", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'position':{'type':['integer','null']}},"
     "'required':['id','programme_id','participant_id','status','position']}",
     "404 409"},
    {"GET", "/api/v1/me/enrolments", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'programme':{'type':'string'},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'position':{'type':['integer','null']},"
     "'cancel_reason':{},'offered_at':{'type':['null','string']},"
     "'offer_expires_at':{'type':['null','string']},'created_at':{'type':'string'},"
     "'updated_at':{'type':'string'}},'required':['id','programme_id','programme',"
     "'participant_id','status','position','cancel_reason','offered_at','offer_expires_at',"
     "'created_at','updated_at']}}},'required':['items']}",
     ""},
    {"DELETE", "/api/v1/enrolments/{id}", 204, NULL, NULL, "404 409"},
    {"POST", "/api/v1/enrolments/{id}/accept", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'position':{}},'required':['id','programme_id',"
     "'participant_id','status','position']}",
     "404 409"},
    {"POST", "/api/v1/enrolments/{id}/decline", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'participant_id':{'type':'integer'},"
     "'status':{'type':['null','string']},'position':{}},'required':['id','programme_id',"
     "'participant_id','status','position']}",
     "404 409"},
    {"GET", "/api/v1/me/sessions", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'starts_at':{'type':'string'},'ends_at':{'type':'string'},"
     "'original_start':{'type':['null','string']},'venue_id':{'type':['integer','null']},"
     "'online_link':{},'status':{'type':['null','string']},'cancel_reason':{},"
     "'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'}},'required':['id',"
     "'programme_id','starts_at','ends_at','original_start','venue_id','online_link',"
     "'status','cancel_reason','edited','timezone','programme','on_duty','sequence',"
     "'local_start']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/programmes/{id}/supports", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'session_id':{'type':['integer','null']},"
     "'participant_id':{'type':'integer'},'kind':{'type':'string'},'status':{'type':['null',"
     "'string']},'amount_cents':{'type':'integer'},'notes':{'type':'string'},"
     "'requested_by':{'type':'integer'},'requested_at':{'type':'string'},'decided_by':{},"
     "'decided_at':{},'provided_at':{}},'required':['id','programme_id','session_id',"
     "'participant_id','kind','status','amount_cents','notes','requested_by','requested_at',"
     "'decided_by','decided_at','provided_at']}",
     "409"},
    {"POST", "/api/v1/me/supports", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'session_id':{},"
     "'participant_id':{'type':'integer'},'kind':{'type':'string'},'status':{'type':['null',"
     "'string']},'amount_cents':{'type':'integer'},'notes':{'type':'string'},"
     "'requested_by':{'type':'integer'},'requested_at':{'type':'string'},'decided_by':{},"
     "'decided_at':{},'provided_at':{}},'required':['id','programme_id','session_id',"
     "'participant_id','kind','status','amount_cents','notes','requested_by','requested_at',"
     "'decided_by','decided_at','provided_at']}",
     "404 409"},
    {"GET", "/api/v1/programmes/{id}/supports", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'session_id':{'type':['integer','null']},'participant_id':{'type':'integer'},"
     "'kind':{'type':'string'},'status':{'type':['null','string']},"
     "'amount_cents':{'type':'integer'},'notes':{'type':'string'},"
     "'requested_by':{'type':'integer'},'requested_at':{'type':'string'},"
     "'decided_by':{'type':['integer','null']},'decided_at':{'type':['null','string']},"
     "'provided_at':{'type':['null','string']},'name':{'type':'string'}},'required':['id',"
     "'programme_id','session_id','participant_id','kind','status','amount_cents','notes',"
     "'requested_by','requested_at','decided_by','decided_at','provided_at','name']}}},"
     "'required':['items']}",
     "404"},
    {"PATCH", "/api/v1/supports/{id}", 200, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'session_id':{'type':['integer','null']},"
     "'participant_id':{'type':'integer'},'kind':{'type':'string'},'status':{'type':['null',"
     "'string']},'amount_cents':{'type':'integer'},'notes':{'type':'string'},"
     "'requested_by':{'type':'integer'},'requested_at':{'type':'string'},"
     "'decided_by':{'type':['integer','null']},'decided_at':{'type':['null','string']},"
     "'provided_at':{'type':['null','string']}},'required':['id','programme_id',"
     "'session_id','participant_id','kind','status','amount_cents','notes','requested_by',"
     "'requested_at','decided_by','decided_at','provided_at']}",
     "409"},
    {"GET", "/api/v1/programmes/{id}/supports/ledger", 200, "application/json",
     "{'type':'object','properties':{'programme_id':{'type':['integer','null']},"
     "'currency_unit':{'type':'string'},'by_kind':{'type':'array','items':{'type':'object',"
     "'properties':{'kind':{'type':'string'},'requested':{'type':'integer'},"
     "'approved':{'type':'integer'},'provided':{'type':'integer'},"
     "'declined':{'type':'integer'},'pending':{'type':'integer'},"
     "'amount_cents_approved':{'type':'integer'},"
     "'amount_cents_provided':{'type':'integer'}},'required':['kind','requested','approved',"
     "'provided','declined','pending','amount_cents_approved','amount_cents_provided']}},"
     "'total_cents_approved':{'type':'integer'},'total_cents_provided':{'type':'integer'}},"
     "'required':['programme_id','currency_unit','by_kind','total_cents_approved',"
     "'total_cents_provided']}",
     "404"},
    {"GET", "/api/v1/sessions/{id}/attendance", 200, "application/json",
     "{'type':'object','properties':{'session':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'starts_at':{'type':'string'},'ends_at':{'type':'string'},"
     "'original_start':{'type':['null','string']},'venue_id':{'type':['integer','null']},"
     "'online_link':{'type':['null','string']},'status':{'type':['null','string']},"
     "'cancel_reason':{},'edited':{'type':'boolean'},'timezone':{'type':'string'},"
     "'programme':{'type':'string'},'on_duty':{'type':'boolean'},"
     "'sequence':{'type':'integer'},'local_start':{'type':'string'}},'required':['id',"
     "'programme_id','starts_at','ends_at','original_start','venue_id','online_link',"
     "'status','cancel_reason','edited','timezone','programme','on_duty','sequence',"
     "'local_start']},'items':{'type':'array','items':{'type':'object',"
     "'properties':{'participant_id':{'type':'integer'},'name':{'type':'string'},"
     "'status':{'type':['null','string']},'sat_out':{'type':'boolean'},"
     "'enrolment':{'type':['null','string']}},'required':['participant_id','name','status',"
     "'sat_out','enrolment']}}},'required':['session','items']}",
     "404"},
    {"POST", "/api/v1/sessions/{id}/attendance", 200, "application/json",
     "{'type':'object','properties':{'marked':{'type':'integer'}},'required':['marked']}", "409"},
    {"GET", "/api/v1/followups", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'participant_id':{'type':'integer'},'name':{'type':'string'},"
     "'programme_id':{'type':['integer','null']},'programme':{'type':'string'},"
     "'missed':{'type':'array','items':{'type':'string'}},'may_contact':{'type':'boolean'},"
     "'last_action':{'type':['null','object'],'properties':{'id':{'type':'integer'},"
     "'action':{'type':'string'},'user_id':{'type':'integer'},'by':{'type':'string'},"
     "'at':{'type':['null','string']}},'required':['id','action','user_id','by','at']}},"
     "'required':['participant_id','name','programme_id','programme','missed','may_contact',"
     "'last_action']}}},'required':['items']}",
     ""},
    {"POST", "/api/v1/followups", 201, "application/json",
     "{'type':'object','properties':{'id':{'type':'integer'},"
     "'participant_id':{'type':'integer'},'programme_id':{'type':['integer','null']},"
     "'action':{'type':'string'},'created_at':{'type':'string'}},'required':['id',"
     "'participant_id','programme_id','action','created_at']}",
     "404 409"},
    {"GET", "/api/v1/followups/log", 200, "application/json",
     "{'type':'object','properties':{'items':{'type':'array','items':{'type':'object',"
     "'properties':{'id':{'type':'integer'},'participant_id':{'type':'integer'},"
     "'programme_id':{'type':['integer','null']},'programme':{'type':'string'},"
     "'action':{'type':'string'},'user_id':{'type':'integer'},'by':{'type':'string'},"
     "'created_at':{'type':'string'},'name':{'type':'string'},'note':{'type':'string'}},"
     "'required':['id','participant_id','programme_id','programme','action','user_id','by',"
     "'created_at','name','note']}}},'required':['items']}",
     ""},
    {"GET", "/api/v1/programmes/{id}/enrolments.csv", 200, "text/csv",
     "{'type':'string','description':'CSV (RFC 4180), UTF-8 with a header row'}", "404"},
    {"GET", "/api/v1/sessions/{id}/attendance.csv", 200, "text/csv",
     "{'type':'string','description':'CSV (RFC 4180), UTF-8 with a header row'}", "404"},
    {"GET", "/api/v1/calendar/{token}", 200, "text/calendar",
     "{'type':'string','description':'iCalendar (RFC 5545)'}", "404"},
    {"POST", "/api/v1/me/calendar", 201, "application/json",
     "{'type':'object','properties':{'url':{'type':'string'}},'required':['url']}", ""},
    {"POST", "/api/v1/me/duty-calendar", 201, "application/json",
     "{'type':'object','properties':{'url':{'type':'string'}},'required':['url']}", ""},
    {"POST", "/api/v1/programmes/{id}/calendar", 201, "application/json",
     "{'type':'object','properties':{'url':{'type':'string'}},'required':['url']}", "404"},
};

const size_t openapi_responses_programs_count =
    sizeof openapi_responses_programs / sizeof openapi_responses_programs[0];
