/*
 * The one route table. Each route names its handler, the action the policy
 * is asked about, and flags. The OpenAPI document is generated from this
 * table, and a test checks that every route appears in it.
 */
#include "audit/audit_http.h"
#include "auth/auth_http.h"
#include "http/http.h"
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
};

const size_t routes_count = sizeof routes / sizeof routes[0];
