/*
 * One error convention for all of Hearth: functions return 0 or a negative
 * enum hearth_err, and hearth_strerror() names it. Errors become HTTP
 * statuses only in the *_http.c layer.
 */
#ifndef HEARTH_ERR_H
#define HEARTH_ERR_H

enum hearth_err {
	HEARTH_OK = 0,
	HEARTH_ENOMEM,       /* out of memory (try_ allocations only) */
	HEARTH_EINVAL,       /* invalid input */
	HEARTH_ENOTFOUND,    /* no such record */
	HEARTH_ECONFLICT,    /* unique or state conflict */
	HEARTH_EDB,          /* storage failure */
	HEARTH_EBUSY,        /* storage busy or lock timeout */
	HEARTH_EIO,          /* file or network I/O */
	HEARTH_ECRYPTO,      /* decryption or authentication failure */
	HEARTH_EDENIED,      /* not allowed */
	HEARTH_EAUTH,        /* not authenticated */
	HEARTH_ELOCKED,      /* temporarily locked (login throttling) */
	HEARTH_EOVERLOAD,    /* too much concurrent work, try later */
	HEARTH_ETAMPER,      /* integrity check failed (audit chain) */
	HEARTH_EUNAVAILABLE, /* the database cannot be reached or did not answer in time */
	HEARTH_ERR__MAX
};

/* Returns a static, human-readable name for err (positive or negative). */
const char *hearth_strerror(int err);

#endif
