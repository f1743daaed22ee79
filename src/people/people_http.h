/* HTTP handlers for participants, consent, sharing agreements, erasure,
 * retention and self-registration. */
#ifndef HEARTH_PEOPLE_HTTP_H
#define HEARTH_PEOPLE_HTTP_H

struct req;
void people_http_create(struct req *r);
void people_http_list(struct req *r);
void people_http_get(struct req *r);
void people_http_update(struct req *r);
void people_http_erase(struct req *r);
void people_http_consents(struct req *r);
void people_http_consent_record(struct req *r);
void people_http_account_code(struct req *r);
void people_http_consent_texts(struct req *r);
void people_http_register_form(struct req *r);
void people_http_register(struct req *r);
void people_http_register_claim(struct req *r);
void people_http_invite(struct req *r);
void people_http_invite_accept(struct req *r);
void people_http_password_reset(struct req *r);
void people_http_password_reset_complete(struct req *r);
void people_http_me(struct req *r);
void people_http_me_update(struct req *r);
void people_http_me_consents(struct req *r);
void people_http_me_consent(struct req *r);
void people_http_me_export(struct req *r);
void people_http_me_export_html(struct req *r);
void people_http_me_erasure(struct req *r);
void people_http_erasure_list(struct req *r);
void people_http_erasure_approve(struct req *r);
void people_http_erasure_reject(struct req *r);
void people_http_agreement_list(struct req *r);
void people_http_agreement_create(struct req *r);
void people_http_agreement_revoke(struct req *r);
void people_http_retention_list(struct req *r);
void people_http_retention_erase(struct req *r);

/* The field tables the handlers above validate their bodies with; each
 * route row in routes.c names its table, and the OpenAPI request schemas
 * are generated from them (http/openapi.c). */
struct field_table;
extern const struct field_table people_http_create_body;
extern const struct field_table people_http_update_body;
extern const struct field_table people_http_consent_record_body;
extern const struct field_table people_http_register_body;
extern const struct field_table people_http_register_claim_body;
extern const struct field_table people_http_invite_accept_body;
extern const struct field_table people_http_reset_body;
extern const struct field_table people_http_reset_complete_body;
extern const struct field_table people_http_me_update_body;
extern const struct field_table people_http_me_consent_body;
extern const struct field_table people_http_erasure_reject_body;
extern const struct field_table people_http_agreement_create_body;
extern const struct field_table people_http_retention_erase_body;

#endif
