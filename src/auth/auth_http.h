/* HTTP handlers for login, sessions and administration of users,
 * organisations, memberships and API tokens. */
#ifndef HEARTH_AUTH_HTTP_H
#define HEARTH_AUTH_HTTP_H

struct req;
void auth_http_login(struct req *r);
void auth_http_logout(struct req *r);
void auth_http_me(struct req *r);
void auth_http_session(struct req *r);
void auth_http_admin_org_list(struct req *r);
void auth_http_admin_org_create(struct req *r);
void auth_http_admin_org_update(struct req *r);
void auth_http_admin_user_list(struct req *r);
void auth_http_admin_user_create(struct req *r);
void auth_http_admin_user_update(struct req *r);
void auth_http_admin_membership_create(struct req *r);
void auth_http_admin_membership_delete(struct req *r);
void auth_http_admin_token_list(struct req *r);
void auth_http_admin_token_create(struct req *r);
void auth_http_admin_token_revoke(struct req *r);

/* The field tables the handlers above validate their bodies with; each
 * route row in routes.c names its table, and the OpenAPI request schemas
 * are generated from them (http/openapi.c). */
struct field_table;
extern const struct field_table auth_http_login_body;
extern const struct field_table auth_http_admin_org_create_body;
extern const struct field_table auth_http_admin_org_update_body;
extern const struct field_table auth_http_admin_user_create_body;
extern const struct field_table auth_http_admin_user_update_body;
extern const struct field_table auth_http_admin_membership_create_body;
extern const struct field_table auth_http_admin_token_create_body;

#endif
