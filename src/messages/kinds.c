/*
 * The kinds of message and their rules (messages.h). Their words are in
 * web/i18n/{en,es}.json: "mail.<name>.subject" and "mail.<name>.body" for
 * the email, "inbox.<name>" for the inbox.
 */
#include <string.h>

#include "messages/messages.h"
#include "core/banned.h"

const struct message_kind_info message_kinds[MSG__MAX] = {
    [MSG_WAITLIST_OFFER] = {"waitlist_offer", false, true, false},
    [MSG_WAITLIST_REMINDER] = {"waitlist_reminder", false, true, false},
    [MSG_SESSION_CANCELLED] = {"session_cancelled", false, true, false},
    [MSG_SESSION_MOVED] = {"session_moved", false, false, false},
    [MSG_SESSION_CHANGED] = {"session_changed", false, false, false},
    [MSG_DUTY_ON] = {"duty_on", false, false, false},
    [MSG_DUTY_OFF] = {"duty_off", false, false, false},
    [MSG_ACCOUNT_INVITE] = {"account_invite", true, true, true},
    [MSG_PASSWORD_RESET] = {"password_reset", true, true, true},
    [MSG_REGISTER_ATTEMPT] = {"register_attempt", true, true, true},
    [MSG_TEST] = {"test", false, true, false},
};

int message_kind_from_name(const char *name)
{
	for (int k = 0; name && k < MSG__MAX; k++)
		if (strcmp(message_kinds[k].name, name) == 0)
			return k;
	return -1;
}
