/*
 * The one route table. Each route names its handler, the action the policy
 * is asked about, and flags. The OpenAPI document is generated from this
 * table, and a test checks that every route appears in it.
 */
#include "audit/audit_http.h"
#include "auth/auth_http.h"
#include "http/http.h"
#include "people/people_http.h"
#include "core/banned.h"

const struct route routes[] = {
	{"GET", "/api/v1/health", core_health, ACT_PUBLIC, ROUTE_PUBLIC, "Liveness and version", "core"},
	{"GET", "/api/v1/openapi.json", core_openapi, ACT_PUBLIC, ROUTE_PUBLIC, "This API description", "core"},
	{"GET", "/metrics", core_metrics, ACT_PUBLIC, ROUTE_PUBLIC, "Prometheus metrics", "core"},
	{"GET", "/help", core_help, ACT_PUBLIC, ROUTE_PUBLIC, "Get help now: crisis resources (HTML)", "core"},

	{"POST", "/api/v1/auth/login", auth_http_login, ACT_PUBLIC, ROUTE_PUBLIC | ROUTE_BODY | ROUTE_NO_CSRF, "Log in with email and password", "auth"},
	{"POST", "/api/v1/auth/logout", auth_http_logout, ACT_SELF, 0, "Log out", "auth"},
	{"GET", "/api/v1/auth/me", auth_http_me, ACT_SELF, 0, "The current user", "auth"},

	{"GET", "/api/v1/organisations", admin_http_org_list, ACT_ORG_LIST, 0, "List organisations", "admin"},
	{"POST", "/api/v1/organisations", admin_http_org_create, ACT_ORG_CREATE, ROUTE_BODY, "Create an organisation", "admin"},
	{"GET", "/api/v1/users", admin_http_user_list, ACT_USER_LIST, 0, "List users", "admin"},
	{"POST", "/api/v1/users", admin_http_user_create, ACT_USER_CREATE, ROUTE_BODY, "Create a user", "admin"},
	{"PATCH", "/api/v1/users/{id}", admin_http_user_update, ACT_USER_UPDATE, ROUTE_BODY, "Update a user (name, disabled, password)", "admin"},
	{"POST", "/api/v1/memberships", admin_http_membership_create, ACT_MEMBERSHIP_CREATE, ROUTE_BODY, "Give a user a role in an organisation", "admin"},
	{"DELETE", "/api/v1/memberships/{id}", admin_http_membership_delete, ACT_MEMBERSHIP_DELETE, 0, "Remove a membership", "admin"},
	{"GET", "/api/v1/tokens", admin_http_token_list, ACT_TOKEN_LIST, 0, "List API tokens", "admin"},
	{"POST", "/api/v1/tokens", admin_http_token_create, ACT_TOKEN_CREATE, ROUTE_BODY, "Create an API token (secret shown once)", "admin"},
	{"DELETE", "/api/v1/tokens/{id}", admin_http_token_revoke, ACT_TOKEN_REVOKE, 0, "Revoke an API token", "admin"},
	{"GET", "/api/v1/audit", audit_http_list, ACT_AUDIT_READ, 0, "Page through the audit log", "admin"},

	{"POST", "/api/v1/participants", people_http_create, ACT_PERSON_CREATE, ROUTE_BODY, "Register a participant (staff)", "people"},
	{"GET", "/api/v1/participants", people_http_list, ACT_PERSON_SEARCH, 0, "List, or exact search by email, phone or name", "people"},
	{"GET", "/api/v1/participants/{id}", people_http_get, ACT_PERSON_READ, 0, "Read a participant (audited)", "people"},
	{"PATCH", "/api/v1/participants/{id}", people_http_update, ACT_PERSON_UPDATE, ROUTE_BODY, "Correct a participant's details", "people"},
	{"DELETE", "/api/v1/participants/{id}", people_http_erase, ACT_PERSON_ERASE, 0, "Erase a participant (crypto-shredding)", "people"},
	{"GET", "/api/v1/participants/{id}/consents", people_http_consents, ACT_PERSON_READ, 0, "Current consent and full history", "people"},
	{"POST", "/api/v1/participants/{id}/consents", people_http_consent_record, ACT_CONSENT_RECORD, ROUTE_BODY, "Record a consent decision on the person's behalf", "people"},
	{"POST", "/api/v1/participants/{id}/account-code", people_http_account_code, ACT_PERSON_UPDATE, 0, "A one-time code the person uses to create a login", "people"},
	{"GET", "/api/v1/consent-texts", people_http_consent_texts, ACT_PUBLIC, ROUTE_PUBLIC, "Current plain-language consent texts (?lang=en|es)", "people"},
	{"GET", "/api/v1/register/form", people_http_register_form, ACT_PUBLIC, ROUTE_PUBLIC, "Start self-registration: a form token and organisations", "people"},
	{"POST", "/api/v1/register", people_http_register, ACT_PUBLIC, ROUTE_PUBLIC | ROUTE_BODY | ROUTE_NO_CSRF, "Register yourself (no account needed)", "people"},
	{"POST", "/api/v1/register/claim", people_http_register_claim, ACT_PUBLIC, ROUTE_PUBLIC | ROUTE_BODY | ROUTE_NO_CSRF, "Create your login with a code", "people"},
	{"GET", "/api/v1/me/profile", people_http_me, ACT_SELF_PERSON, 0, "My details, needs and consents", "me"},
	{"PATCH", "/api/v1/me/profile", people_http_me_update, ACT_SELF_PERSON, ROUTE_BODY, "Correct my details", "me"},
	{"GET", "/api/v1/me/consents", people_http_me_consents, ACT_SELF_PERSON, 0, "My consents and their history", "me"},
	{"POST", "/api/v1/me/consents", people_http_me_consent, ACT_SELF_PERSON, ROUTE_BODY, "Give or withdraw a consent", "me"},
	{"GET", "/api/v1/me/export", people_http_me_export, ACT_SELF_PERSON, 0, "Download all my data (JSON)", "me"},
	{"GET", "/api/v1/me/export.html", people_http_me_export_html, ACT_SELF_PERSON, 0, "All my data as a readable page", "me"},
	{"POST", "/api/v1/me/erasure-request", people_http_me_erasure, ACT_SELF_PERSON, 0, "Ask for my record to be erased", "me"},
	{"GET", "/api/v1/erasure-requests", people_http_erasure_list, ACT_ERASURE_REVIEW, 0, "Erasure requests (?status=pending)", "people"},
	{"POST", "/api/v1/erasure-requests/{id}/approve", people_http_erasure_approve, ACT_ERASURE_REVIEW, 0, "Approve and erase", "people"},
	{"POST", "/api/v1/erasure-requests/{id}/reject", people_http_erasure_reject, ACT_ERASURE_REVIEW, ROUTE_BODY, "Reject with a reason", "people"},
	{"GET", "/api/v1/sharing-agreements", people_http_agreement_list, ACT_AGREEMENT_LIST, 0, "Data-sharing agreements of my organisations", "people"},
	{"POST", "/api/v1/sharing-agreements", people_http_agreement_create, ACT_AGREEMENT_MANAGE, ROUTE_BODY, "Make a data-sharing agreement", "people"},
	{"DELETE", "/api/v1/sharing-agreements/{id}", people_http_agreement_revoke, ACT_AGREEMENT_MANAGE, 0, "End a data-sharing agreement", "people"},
	{"GET", "/api/v1/retention", people_http_retention_list, ACT_RETENTION, 0, "Records past the retention rule (?inactive_days=)", "people"},
	{"POST", "/api/v1/retention/erase", people_http_retention_erase, ACT_RETENTION, ROUTE_BODY, "Erase listed expired records (confirm: true)", "people"},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
