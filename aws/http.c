/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c: the libcurl multi-interface transport behind every AWS call (see
 * http.h).  One easy handle per request, one multi handle per client; the
 * multi handle's connection cache gives connection reuse across calls.
 */
#include "aws/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

volatile int http_interrupted;

struct http_client {
	CURLM *multi;
	CURLSH *share;
};

static int curl_ready;

struct http_client *http_client_new(void)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	struct http_client *c = xcalloc(1, sizeof(*c));
	c->multi = curl_multi_init();
	c->share = curl_share_init();
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, 32L);
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_multi_cleanup(c->multi);
	curl_share_cleanup(c->share);
	free(c);
}

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
}

void http_response_release(struct http_response *r)
{
	kvlist_release(&r->headers);
	strbuf_release_secret(&r->body);
	r->status = 0;
}

struct transfer {
	struct http_response *resp;
	size_t max_body;
	int too_big;
	CURL *h;
	int (*on_data)(const void *data, size_t len, void *ud);
	void *on_data_ud;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;
	if (t->on_data) {
		long status = 0;
		curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			return t->on_data(ptr, n, t->on_data_ud) ? 0 : n;
	}
	if (t->resp->body.len + n > t->max_body) {
		t->too_big = 1;
		return 0;
	}
	strbuf_add(&t->resp->body, ptr, n);
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;
	size_t len = n;
	while (len && (ptr[len - 1] == '\n' || ptr[len - 1] == '\r'))
		len--;
	if (len > 5 && !strncmp(ptr, "HTTP/", 5)) {
		/* a new response (after 100-continue or a redirect): start over */
		kvlist_release(&t->resp->headers);
		return n;
	}
	char *colon = memchr(ptr, ':', len);
	if (!colon)
		return n;
	char *name = xstrndup(ptr, (size_t)(colon - ptr));
	const char *v = colon + 1;
	while (v < ptr + len && (*v == ' ' || *v == '\t'))
		v++;
	kvlist_addn(&t->resp->headers, name, v, (size_t)(ptr + len - v));
	free(name);
	return n;
}

/* ---- redaction ---- */

static const char *const secret_fields[] = {
	"SecretAccessKey", "secretAccessKey", "SessionToken", "sessionToken",
	"Token",	   "accessToken",     "refreshToken", "clientSecret",
	"aws_secret_access_key", "aws_session_token",
};

static int is_secret_field(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(secret_fields); i++)
		if (strlen(secret_fields[i]) == len &&
		    !strncasecmp(secret_fields[i], name, len))
			return 1;
	return 0;
}

/* Does text at p start with needle, case-insensitively? */
static int at_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	return (size_t)(end - p) >= n && !strncasecmp(p, needle, n);
}

void http_redact(struct strbuf *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		/* Authorization: ... Signature=<hex> */
		if (at_ci(p, end, "Signature=")) {
			strbuf_add(out, p, 10);
			p += 10;
			const char *s = p;
			while (p < end && isxdigit((unsigned char)*p))
				p++;
			if (p > s)
				strbuf_adds(out, "<redacted>");
			continue;
		}
		/* header lines and query parameters carrying tokens */
		if (at_ci(p, end, "X-Amz-Security-Token") ||
		    at_ci(p, end, "x-amz-sso_bearer_token") ||
		    at_ci(p, end, "X-aws-ec2-metadata-token:") ||
		    at_ci(p, end, "Authorization: Bearer")) {
			const char *q = p;
			while (q < end && *q != ':' && *q != '=')
				q++;
			if (q < end && !(at_ci(p, end, "X-aws-ec2-metadata-token-ttl"))) {
				q++;
				strbuf_add(out, p, (size_t)(q - p));
				while (q < end && *q == ' ')
					strbuf_addch(out, *q++);
				while (q < end && *q != '&' && *q != '\r' &&
				       *q != '\n' && *q != ' ')
					q++;
				strbuf_adds(out, "<redacted>");
				p = q;
				continue;
			}
		}
		/* XML <SecretAccessKey>...</...> */
		if (*p == '<' && p + 1 < end && p[1] != '/') {
			const char *n = p + 1, *ne = n;
			while (ne < end && (isalnum((unsigned char)*ne) || *ne == '_'))
				ne++;
			if (ne < end && *ne == '>' && is_secret_field(n, (size_t)(ne - n))) {
				strbuf_add(out, p, (size_t)(ne + 1 - p));
				const char *v = ne + 1;
				while (v < end && *v != '<')
					v++;
				strbuf_adds(out, "<redacted>");
				p = v;
				continue;
			}
		}
		/* JSON "SecretAccessKey": "..." and INI-ish key = value */
		if (*p == '"') {
			const char *n = p + 1, *ne = n;
			while (ne < end && *ne != '"' && ne - n < 64)
				ne++;
			if (ne < end && *ne == '"' && is_secret_field(n, (size_t)(ne - n))) {
				const char *q = ne + 1;
				while (q < end && (*q == ' ' || *q == ':'))
					q++;
				if (q < end && *q == '"') {
					strbuf_add(out, p, (size_t)(q + 1 - p));
					q++;
					while (q < end && *q != '"') {
						if (*q == '\\' && q + 1 < end)
							q++;
						q++;
					}
					strbuf_adds(out, "<redacted>");
					p = q;
					continue;
				}
			}
		}
		strbuf_addch(out, *p++);
	}
}

static void debug_dump(FILE *f, const char *prefix, const char *text,
		       size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	http_redact(&sb, text, len);
	/* print line by line with a prefix; binary bytes shown as '.' */
	const char *p = sb.buf, *end = sb.buf + sb.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		fputs(prefix, f);
		for (const char *c = p; c < le; c++) {
			unsigned char ch = (unsigned char)*c;
			if (ch == '\r')
				continue;
			fputc(ch >= 0x20 || ch == '\t' ? ch : '.', f);
		}
		fputc('\n', f);
		p = nl ? nl + 1 : end;
	}
	strbuf_release_secret(&sb);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		    void *ud)
{
	FILE *f = ud;
	switch (type) {
	case CURLINFO_TEXT:
		debug_dump(f, "* ", data, size);
		break;
	case CURLINFO_HEADER_OUT:
		debug_dump(f, "> ", data, size);
		break;
	case CURLINFO_HEADER_IN:
		debug_dump(f, "< ", data, size);
		break;
	case CURLINFO_DATA_OUT:
		debug_dump(f, ">> ", data, size > 4096 ? 4096 : size);
		break;
	case CURLINFO_DATA_IN:
		debug_dump(f, "<< ", data, size > 4096 ? 4096 : size);
		break;
	default:
		break;
	}
	return 0;
}

struct http_xfer {
	CURL *h;
	struct curl_slist *hdrs;
	struct transfer t;
	char errbuf[CURL_ERROR_SIZE];
	char *url; /* for messages */
	int done;
	CURLcode result;
};

struct http_xfer *http_start(struct http_client *c, const struct http_request *req,
			     struct http_response *resp)
{
	struct http_xfer *x = xcalloc(1, sizeof(*x));
	long connect_ms = req->connect_timeout_ms ? req->connect_timeout_ms : 60000;
	long read_ms = req->read_timeout_ms ? req->read_timeout_ms : 60000;
	CURL *h = curl_easy_init();

	x->h = h;
	x->url = xstrdup(req->url);
	x->t.resp = resp;
	x->t.max_body = req->max_body ? req->max_body : (256u << 20);
	x->t.h = h;
	x->t.on_data = req->on_data;
	x->t.on_data_ud = req->on_data_ud;
	kvlist_release(&resp->headers);
	strbuf_reset(&resp->body);
	resp->status = 0;

	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_bundle);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	/* "read timeout": fail when fewer than 1 byte/s arrive for read_ms */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (read_ms + 999) / 1000);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x->t);
	if (req->debug) {
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, req->debug);
	}

	if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(req->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body_len || strcmp(req->method, "DELETE")) {
			/* the caller keeps the body alive until http_finish */
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		}
	}
	/* curl must not add headers the signature does not cover */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	/* no form-encoded Content-Type unless the caller says so */
	if (!kvlist_get(req->headers, "Content-Type"))
		x->hdrs = curl_slist_append(x->hdrs, "Content-Type:");
	for (size_t i = 0; req->headers && i < req->headers->nr; i++) {
		struct strbuf line = STRBUF_INIT;
		const struct kv *kv = &req->headers->items[i];
		if (kv->value[0])
			strbuf_addf(&line, "%s: %s", kv->name, kv->value);
		else
			strbuf_addf(&line, "%s;", kv->name);
		x->hdrs = curl_slist_append(x->hdrs, line.buf);
		strbuf_release_secret(&line);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_multi_add_handle(c->multi, h);
	return x;
}

int http_wait(struct http_client *c, long timeout_ms)
{
	int running = 0;
	CURLMsg *msg;
	int left;

	if (http_interrupted)
		return -AWSX_EINTR;
	curl_multi_perform(c->multi, &running);
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		struct http_xfer *x = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x && !x->done) {
			x->done = 1;
			x->result = msg->data.result;
			return 0; /* a transfer finished: let the callers look */
		}
	}
	if (timeout_ms > 0)
		curl_multi_poll(c->multi, NULL, 0, (int)timeout_ms, NULL);
	return http_interrupted ? -AWSX_EINTR : 0;
}

int http_xfer_done(const struct http_xfer *x)
{
	return x->done;
}

int http_finish(struct http_client *c, struct http_xfer *x, int *timed_out,
		struct aws_error *err)
{
	int rc = 0;

	if (timed_out)
		*timed_out = 0;
	if (!x->done) {
		rc = aws_error_set(err, AWSX_EINTR, "interrupted");
	} else if (x->result != CURLE_OK) {
		const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result);
		if (x->result == CURLE_OPERATION_TIMEDOUT && timed_out)
			*timed_out = 1;
		if (x->t.too_big)
			rc = aws_error_set(err, AWSX_ENET, "answer from '%s' is larger than %zu bytes",
					   x->url, x->t.max_body);
		else if (x->result == CURLE_OPERATION_TIMEDOUT)
			rc = aws_error_set(err, AWSX_ENET, "timed out talking to '%s': %s", x->url,
					   why);
		else
			rc = aws_error_set(err, AWSX_ENET, "cannot reach '%s': %s", x->url, why);
	} else {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->t.resp->status);
	}
	curl_multi_remove_handle(c->multi, x->h);
	curl_easy_cleanup(x->h);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x);
	return rc;
}

int http_perform(struct http_client *c, const struct http_request *req,
		 struct http_response *resp, int *timed_out,
		 struct aws_error *err)
{
	struct http_xfer *x = http_start(c, req, resp);
	while (!x->done)
		if (http_wait(c, 200))
			break;
	return http_finish(c, x, timed_out, err);
}
