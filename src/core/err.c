/* Names for enum hearth_err, indexed by the enum. */
#include "core/err.h"

static const char *const names[HEARTH_ERR__MAX] = {
    [HEARTH_OK] = "success",
    [HEARTH_ENOMEM] = "out of memory",
    [HEARTH_EINVAL] = "invalid input",
    [HEARTH_ENOTFOUND] = "not found",
    [HEARTH_ECONFLICT] = "conflict",
    [HEARTH_EDB] = "database error",
    [HEARTH_EBUSY] = "database busy",
    [HEARTH_EIO] = "input/output error",
    [HEARTH_ECRYPTO] = "cryptographic failure",
    [HEARTH_EDENIED] = "not allowed",
    [HEARTH_EAUTH] = "not authenticated",
    [HEARTH_ELOCKED] = "temporarily locked",
    [HEARTH_EOVERLOAD] = "overloaded",
    [HEARTH_ETAMPER] = "integrity check failed",
    [HEARTH_EUNAVAILABLE] = "database unavailable",
};

const char *hearth_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= HEARTH_ERR__MAX)
		return "unknown error";
	return names[err];
}
