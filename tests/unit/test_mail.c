/*
 * The email side of messages below the HTTP edge: quiet hours in a time
 * zone (across midnight and a DST change), unsubscribe tokens (round trip,
 * tampering, another key, essential kinds), preferences stored per login
 * and per participant, and the rendered email (headers, encoded subject,
 * masked one-time link, no List-Unsubscribe for essential kinds).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "messages/mail.h"
#include "messages/messages.h"

#include "fixture.h"

static int fx_setup(void **state)
{
	return fx_open(state, "mail");
}

/* 2026-06-15T12:00:00Z, a Monday in summer time. */
static const int64_t NOON = 1781524800;

static void mail_prefs_after_quiet_crosses_midnight(void **state)
{
	(void)state;
	struct mail_prefs p = {.lang = "en", .time_zone = "UTC"};
	assert_int_equal(mail_prefs_after_quiet(&p, NOON), NOON); /* none set */
	snprintf(p.quiet_start, sizeof p.quiet_start, "22:00");
	snprintf(p.quiet_end, sizeof p.quiet_end, "07:00");
	assert_int_equal(mail_prefs_after_quiet(&p, NOON), NOON);
	/* 23:00 UTC: waits until 07:00 the next day. */
	assert_int_equal(mail_prefs_after_quiet(&p, NOON + 11 * 3600), NOON + 19 * 3600);
	/* 03:00: until 07:00 the same day. */
	assert_int_equal(mail_prefs_after_quiet(&p, NOON + 15 * 3600), NOON + 19 * 3600);
	/* At 07:00 exactly it is over. */
	assert_int_equal(mail_prefs_after_quiet(&p, NOON + 19 * 3600), NOON + 19 * 3600);
	/* Madrid is UTC+2 in June: 12:00Z is 14:00 there; 13:00-15:00 quiet. */
	snprintf(p.time_zone, sizeof p.time_zone, "Europe/Madrid");
	snprintf(p.quiet_start, sizeof p.quiet_start, "13:00");
	snprintf(p.quiet_end, sizeof p.quiet_end, "15:00");
	assert_int_equal(mail_prefs_after_quiet(&p, NOON), NOON + 3600);
}

static void mail_unsub_token_round_trip_and_tampering(void **state)
{
	struct fx *fx = *state;
	char tok[128];
	int64_t u, p;
	int k;
	mail_unsub_token(&fx->kr, 7, 0, "session_moved", tok, sizeof tok);
	assert_int_equal(mail_unsub_parse(&fx->kr, tok, &u, &p, &k), 0);
	assert_int_equal(u, 7);
	assert_int_equal(p, 0);
	assert_int_equal(k, MSG_SESSION_MOVED);
	/* Another deployment's key, a changed character, a cut token. */
	assert_int_equal(mail_unsub_parse(&fx->other, tok, &u, &p, &k), -HEARTH_EINVAL);
	char bad[128];
	snprintf(bad, sizeof bad, "%s", tok);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	assert_int_equal(mail_unsub_parse(&fx->kr, bad, &u, &p, &k), -HEARTH_EINVAL);
	bad[3] = tok[3];
	bad[strlen(bad) - 1] = '\0';
	assert_int_equal(mail_unsub_parse(&fx->kr, bad, &u, &p, &k), -HEARTH_EINVAL);
	assert_int_equal(mail_unsub_parse(&fx->kr, "", &u, &p, &k), -HEARTH_EINVAL);
	/* Essential kinds cannot be unsubscribed from, even with a valid MAC. */
	mail_unsub_token(&fx->kr, 7, 0, "password_reset", tok, sizeof tok);
	assert_int_equal(mail_unsub_parse(&fx->kr, tok, &u, &p, &k), -HEARTH_EINVAL);
}

static void mail_prefs_per_login_and_per_participant(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	int64_t uid = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_create(c, "staff@example.org", "Staff", "x", &uid), 0);
	assert_int_equal(mail_unsubscribe(c, uid, 0, MSG_DUTY_ON), 0);
	assert_int_equal(db_commit(c), 0);
	struct mail_prefs p;
	assert_int_equal(mail_prefs_get(c, uid, 0, &p), 0);
	assert_true(mail_prefs_inbox_only(&p, "duty_on"));
	assert_false(mail_prefs_inbox_only(&p, "duty_off"));
	assert_string_equal(p.lang, "en");
	/* A change names the bad field and writes nothing. */
	struct prefs_change ch = {.lang = "fr"};
	const char *field = NULL;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(prefs_update(c, uid, 0, &ch, &field), -HEARTH_EINVAL);
	assert_string_equal(field, "lang");
	ch = (struct prefs_change){.lang = "es", .quiet_set = true, .quiet_start = "22:00"};
	assert_int_equal(prefs_update(c, uid, 0, &ch, &field), -HEARTH_EINVAL);
	assert_string_equal(field, "quiet_hours.end");
	ch = (struct prefs_change){.lang = "es", .nkinds = 1};
	ch.kinds[0].kind = "duty_on";
	ch.kinds[0].email = true;
	assert_int_equal(prefs_update(c, uid, 0, &ch, &field), 0);
	assert_int_equal(db_commit(c), 0);
	assert_int_equal(mail_prefs_get(c, uid, 0, &p), 0);
	assert_string_equal(p.lang, "es");
	assert_false(mail_prefs_inbox_only(&p, "duty_on"));
	db_release(fx->pool, c);
}

static void mail_render_headers_and_masking(void **state)
{
	(void)state;
	assert_int_equal(mail_catalog_init(), 0);
	struct mail_prefs p = {.lang = "es", .time_zone = "UTC"};
	struct buf b = BUF_INIT;
	struct mail_input in = {.kind = MSG_PASSWORD_RESET,
	                        .id = 5,
	                        .to = "a@example.org",
	                        .message_id = "<hearth.5.ab@example.org>",
	                        .date = NOON,
	                        .secret = "s3cret-token",
	                        .mask_secret = true,
	                        .prefs = &p};
	mail_render(&in, &b);
	buf_append(&b, "", 1);
	assert_non_null(strstr(b.data, "To: a@example.org\r\n"));
	assert_non_null(strstr(b.data, "Date: Mon, 15 Jun 2026 12:00:00 +0000\r\n"));
	assert_non_null(strstr(b.data, "Message-ID: <hearth.5.ab@example.org>\r\n"));
	assert_non_null(strstr(b.data, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(b.data, "Auto-Submitted: auto-generated\r\n"));
	assert_null(strstr(b.data, "List-Unsubscribe"));
	assert_null(strstr(b.data, "s3cret-token"));
	buf_release(&b);
}

/* Every kind has its subject and body in both catalogs, with no fallback. */
static void mail_words_every_kind_in_both_languages(void **state)
{
	(void)state;
	assert_int_equal(mail_catalog_init(), 0);
	for (int k = 0; k < MSG__MAX; k++) {
		char key[80];
		for (int part = 0; part < 2; part++) {
			snprintf(key, sizeof key, "mail.%s.%s", message_kinds[k].name,
			         part ? "body" : "subject");
			const char *en = mail_words("en", key), *es = mail_words("es", key);
			assert_non_null(en);
			assert_non_null(es);
			assert_string_not_equal(en, es);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mail_prefs_after_quiet_crosses_midnight),
	    cmocka_unit_test_setup_teardown(mail_unsub_token_round_trip_and_tampering, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(mail_prefs_per_login_and_per_participant, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test(mail_render_headers_and_masking),
	    cmocka_unit_test(mail_words_every_kind_in_both_languages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
