/*
 * Delivering an email: over SMTP through libcurl, or into a file in the
 * mail directory when no SMTP server is configured (as under `make run`),
 * so a newcomer sees what would have been sent.
 *
 * smtp:// always upgrades with STARTTLS and refuses a server that cannot
 * (CURLUSESSL_ALL), except on a loopback host (127.x, ::1, localhost),
 * where a relay on the same machine may speak plain SMTP (CURLUSESSL_TRY):
 * nothing leaves the machine unencrypted. smtps:// is TLS from the start.
 * Errors are curl's words, which name no address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>

#include "core/err.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "core/banned.h"

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nmemb, left = u->len - u->off;
	size_t n = left < room ? left : room;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Ends a transfer when the server is stopping (SIGTERM must not wait for a
 * slow SMTP server); the message is retried later, by this node or another. */
static int progress_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)p, (void)dt, (void)dn, (void)ut, (void)un;
	return mail__stopping() ? 1 : 0;
}

/* True when url's host is this machine. */
static bool url_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *at = strchr(h, '@');
	if (at && at < h + strcspn(h, "/"))
		h = at + 1;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0 ||
	       strncmp(h, "localhost", 9) == 0;
}

/* The sender thread's handle: libcurl keeps its connection open between
 * messages, so a batch pays for one greeting (and one TLS handshake). */
static CURL *handle;

void mail_smtp_close(void)
{
	if (handle)
		curl_easy_cleanup(handle);
	handle = NULL;
}

int mail_smtp_send(const struct messages_config *cfg, const char *rcpt, const char *data,
                   size_t len, char *err, size_t errlen)
{
	int rc = -HEARTH_EIO;
	char from[256], to[320];
	mail_bare_address(cfg->mail_from ? cfg->mail_from : "hearth@localhost", from, sizeof from);
	snprintf(to, sizeof to, "<%s>", rcpt);
	char mfrom[260];
	snprintf(mfrom, sizeof mfrom, "<%s>", from);
	struct upload u = {data, len, 0};
	struct curl_slist *rcpts = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	if (!handle)
		handle = curl_easy_init();
	else
		curl_easy_reset(handle); /* options go, the open connection stays */
	CURL *curl = handle;
	if (!curl) {
		snprintf(err, errlen, "could not start libcurl");
		return -HEARTH_ENOMEM;
	}
	rcpts = curl_slist_append(NULL, to);
	curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (strncmp(cfg->smtp_url, "smtp://", 7) == 0)
		curl_easy_setopt(
		    curl, CURLOPT_USE_SSL,
		    (long)(url_loopback(cfg->smtp_url) ? CURLUSESSL_TRY : CURLUSESSL_ALL));
	if (cfg->smtp_user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
		                 cfg->smtp_password ? cfg->smtp_password : "");
	}
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode cc = curl_easy_perform(curl);
	if (cc == CURLE_OK) {
		rc = 0;
	} else {
		long code = 0;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		/* curl's own words, which name the server's reply code, never an
		 * address (the error buffer may quote the server, so not used). */
		if (code)
			snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(cc), code);
		else
			snprintf(err, errlen, "%s", curl_easy_strerror(cc));
	}
	curl_slist_free_all(rcpts);
	if (rc)
		mail_smtp_close(); /* a fresh connection for the next try */
	return rc;
}

int mail_file_write(const char *dir, const char *name, const char *data, size_t len, char *err,
                    size_t errlen)
{
	char path[4096], tmp[4200];
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the mail directory: %s", strerror(errno));
		return -HEARTH_EIO;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= sizeof tmp) {
		snprintf(err, errlen, "the mail directory's path is too long");
		return -HEARTH_EIO;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write in the mail directory: %s", strerror(errno));
		return -HEARTH_EIO;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	bool ok = off == len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write in the mail directory: %s", strerror(errno));
		unlink(tmp);
		return -HEARTH_EIO;
	}
	return 0;
}
