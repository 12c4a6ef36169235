/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigv4.c: AWS Signature Version 4.  Builds the canonical request (method,
 * canonical URI, canonical query, canonical headers, signed header list,
 * payload hash), the string to sign over its SHA-256, and the HMAC-SHA256
 * signature with the key derived from the secret, date, region and service.
 * Header signing and presigning share everything but where the signing
 * parameters go.  Written from AWS's published description of SigV4; the
 * crypto is OpenSSL 3.  Every derived key is wiped before it goes out of
 * scope.
 *
 * Inputs the signer produces itself are ignored in the request it is given,
 * so re-signing a request (a retry) never signs a stale value twice: for
 * header signing the Authorization and X-Amz-Date headers, and
 * x-amz-content-sha256 / X-Amz-Security-Token when the signer adds them;
 * for presigning the X-Amz-* query parameters it adds.  The caller replaces
 * them with the ones in sigv4_result.add (kvlist_set does that).
 */
#include "aws/sigv4.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SHA256_LEN 32

/* ---- crypto ---- */

/*
 * OpenSSL can only fail a SHA-256 or HMAC-SHA256 when it cannot allocate;
 * treat that like any allocation failure (abort) rather than sign garbage.
 */
static void sha256(const void *data, size_t len, unsigned char md[SHA256_LEN])
{
	unsigned int md_len = 0;

	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != SHA256_LEN)
		abort();
}

static void hmac_sha256(const unsigned char *key, size_t key_len,
			const void *data, size_t data_len,
			unsigned char md[SHA256_LEN])
{
	unsigned int md_len = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, data, data_len, md,
		  &md_len) ||
	    md_len != SHA256_LEN)
		abort();
}

static void hex_encode(const unsigned char *data, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[data[i] >> 4];
		hex[2 * i + 1] = digits[data[i] & 15];
	}
	hex[2 * len] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[SHA256_LEN];

	sha256(data ? data : "", data ? len : 0, md);
	hex_encode(md, sizeof(md), hex);
}

/*
 * signature = HMAC(kSigning, string_to_sign), where kSigning is the chain
 * HMAC("AWS4" secret, date) -> region -> service -> "aws4_request".
 */
static void compute_signature(const struct sigv4_signer *s, const char *date,
			      const struct strbuf *string_to_sign,
			      char signature[65])
{
	struct strbuf secret = STRBUF_INIT;
	unsigned char key[SHA256_LEN], next[SHA256_LEN], sig[SHA256_LEN];

	strbuf_adds(&secret, "AWS4");
	strbuf_adds(&secret, s->secret_key);
	hmac_sha256((const unsigned char *)secret.buf, secret.len, date,
		    strlen(date), key);
	hmac_sha256(key, sizeof(key), s->region, strlen(s->region), next);
	hmac_sha256(next, sizeof(next), s->service, strlen(s->service), key);
	hmac_sha256(key, sizeof(key), "aws4_request", strlen("aws4_request"),
		    next);
	hmac_sha256(next, sizeof(next), string_to_sign->buf,
		    string_to_sign->len, sig);
	hex_encode(sig, sizeof(sig), signature);

	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(next, sizeof(next));
	strbuf_release_secret(&secret);
}

/* ---- small public helpers ---- */

void sigv4_uri_encode(struct strbuf *out, const char *s, size_t len,
		      int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	strbuf_grow(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c == '/' && keep_slash)) {
			strbuf_addch(out, c);
		} else {
			char esc[3] = { '%', digits[c >> 4], digits[c & 15] };
			strbuf_add(out, esc, sizeof(esc));
		}
	}
}

void sigv4_amz_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!len)
		return;
	buf[0] = '\0';
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm))
		buf[0] = '\0';
}

void sigv4_result_init(struct sigv4_result *r)
{
	strbuf_init(&r->canonical_request, 0);
	strbuf_init(&r->string_to_sign, 0);
	r->signature[0] = '\0';
	r->add.items = NULL;
	r->add.nr = r->add.alloc = 0;
}

void sigv4_result_release(struct sigv4_result *r)
{
	/* The canonical request may carry the session token. */
	strbuf_release_secret(&r->canonical_request);
	strbuf_release(&r->string_to_sign);
	OPENSSL_cleanse(r->signature, sizeof(r->signature));
	kvlist_release(&r->add);
}

/* ---- canonical URI ---- */

/*
 * RFC 3986 dot-segment removal plus collapsing of empty segments ("//").
 * The result always starts with '/'; it ends with '/' when the input's last
 * segment was empty, "." or "..", as in RFC 3986 ("/a/b/.." is "/a/").
 */
static void normalize_path(struct strbuf *out, const char *path)
{
	const char **seg = NULL;
	size_t *seg_len = NULL;
	size_t nr = 0, alloc = 0, alloc_len = 0;
	int trailing_slash = 0;
	const char *p = path;

	while (*p) {
		const char *end;
		size_t len;

		if (*p == '/') {
			trailing_slash = 1;
			p++;
			continue;
		}
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 1 && p[0] == '.') {
			trailing_slash = 1;
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (nr)
				nr--;
			trailing_slash = 1;
		} else {
			ALLOC_GROW(seg, nr + 1, alloc);
			ALLOC_GROW(seg_len, nr + 1, alloc_len);
			seg[nr] = p;
			seg_len[nr] = len;
			nr++;
			trailing_slash = 0;
		}
		p = end;
	}

	for (size_t i = 0; i < nr; i++) {
		strbuf_addch(out, '/');
		strbuf_add(out, seg[i], seg_len[i]);
	}
	if (!nr || trailing_slash)
		strbuf_addch(out, '/');
	free(seg);
	free(seg_len);
}

static void canonical_uri(struct strbuf *out, const char *path, unsigned flags)
{
	struct strbuf normalized = STRBUF_INIT;

	if (!path || !*path)
		path = "/";
	if (flags & SIGV4_NORMALIZE_PATH) {
		normalize_path(&normalized, path);
		path = normalized.buf;
	}
	if (flags & SIGV4_DOUBLE_ENCODE)
		sigv4_uri_encode(out, path, strlen(path), 1);
	else
		strbuf_adds(out, path);
	strbuf_release(&normalized);
}

/* ---- canonical query ---- */

struct query_param {
	char *name;  /* encoded */
	char *value; /* encoded */
};

static int cmp_query_param(const void *a, const void *b)
{
	const struct query_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static void add_query_param(struct query_param **params, size_t *nr,
			    size_t *alloc, const char *name, const char *value)
{
	struct strbuf enc = STRBUF_INIT;

	ALLOC_GROW(*params, *nr + 1, *alloc);
	sigv4_uri_encode(&enc, name, strlen(name), 0);
	(*params)[*nr].name = strbuf_detach(&enc, NULL);
	sigv4_uri_encode(&enc, value, strlen(value), 0);
	(*params)[*nr].value = strbuf_detach(&enc, NULL);
	(*nr)++;
}

static const char *const presign_params[] = {
	"X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",
	"X-Amz-Expires",       "X-Amz-SignedHeaders",
	"X-Amz-Security-Token", "X-Amz-Signature",
};

static int is_presign_param(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(presign_params); i++)
		if (!strcmp(name, presign_params[i]))
			return 1;
	return 0;
}

/*
 * The request's query parameters plus 'extra' (presign), each name and value
 * encoded, sorted by name then value, joined with '&'.
 */
static void canonical_query(struct strbuf *out, const struct kvlist *query,
			    const struct kvlist *extra)
{
	struct query_param *params = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; query && i < query->nr; i++) {
		const struct kv *kv = &query->items[i];

		if (extra && is_presign_param(kv->name))
			continue;
		add_query_param(&params, &nr, &alloc, kv->name,
				kv->value ? kv->value : "");
	}
	for (size_t i = 0; extra && i < extra->nr; i++)
		add_query_param(&params, &nr, &alloc, extra->items[i].name,
				extra->items[i].value);

	if (nr)
		qsort(params, nr, sizeof(*params), cmp_query_param);
	for (size_t i = 0; i < nr; i++) {
		if (i)
			strbuf_addch(out, '&');
		strbuf_adds(out, params[i].name);
		strbuf_addch(out, '=');
		strbuf_adds(out, params[i].value);
		free(params[i].name);
		free_secret(params[i].value); /* may hold the session token */
	}
	free(params);
}

/* ---- canonical headers ---- */

struct canon_header {
	char *name;   /* lower-case */
	char *value;  /* trimmed, inner whitespace runs collapsed */
	size_t order; /* position in input, so equal names keep their order */
};

struct header_set {
	struct canon_header *items;
	size_t nr, alloc;
};

static int is_header_space(char c)
{
	return c == ' ' || c == '\t';
}

static void add_header(struct header_set *set, const char *name,
		       const char *value)
{
	struct canon_header *h;
	struct strbuf sb = STRBUF_INIT;
	const char *p = value;

	ALLOC_GROW(set->items, set->nr + 1, set->alloc);
	h = &set->items[set->nr];
	h->order = set->nr;
	set->nr++;

	h->name = xstrdup(name);
	for (char *q = h->name; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');

	while (is_header_space(*p))
		p++;
	while (*p) {
		const char *run = p;

		while (*p && !is_header_space(*p))
			p++;
		strbuf_add(&sb, run, (size_t)(p - run));
		while (is_header_space(*p))
			p++;
		if (*p)
			strbuf_addch(&sb, ' ');
	}
	h->value = strbuf_detach(&sb, NULL);
}

static void header_set_release(struct header_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		free(set->items[i].name);
		free_secret(set->items[i].value);
	}
	free(set->items);
	set->items = NULL;
	set->nr = set->alloc = 0;
}

static int cmp_canon_header(const void *a, const void *b)
{
	const struct canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Sort the set and write "name:v1,v2\n" lines to 'canon' and the
 * ';'-separated names to 'signed_names'.
 */
static void header_set_write(struct header_set *set, struct strbuf *canon,
			     struct strbuf *signed_names)
{
	if (set->nr)
		qsort(set->items, set->nr, sizeof(*set->items),
		      cmp_canon_header);
	for (size_t i = 0; i < set->nr; i++) {
		const struct canon_header *h = &set->items[i];

		if (i && !strcmp(h->name, set->items[i - 1].name)) {
			strbuf_addch(canon, ',');
			strbuf_adds(canon, h->value);
			continue;
		}
		if (i) {
			strbuf_addch(canon, '\n');
			strbuf_addch(signed_names, ';');
		}
		strbuf_adds(canon, h->name);
		strbuf_addch(canon, ':');
		strbuf_adds(canon, h->value);
		strbuf_adds(signed_names, h->name);
	}
	if (set->nr)
		strbuf_addch(canon, '\n');
}

/* A name or value that would break the header block is bad input. */
static int header_ok(const struct kv *kv)
{
	return kv->name && *kv->name && kv->value &&
	       !strpbrk(kv->name, ":\r\n") && !strpbrk(kv->value, "\r\n");
}

/* ---- the signing core ---- */

enum sign_mode { SIGN_HEADERS, SIGN_QUERY };

static int has_token(const struct sigv4_signer *s)
{
	return s->session_token && *s->session_token;
}

static int check_input(const struct sigv4_signer *s,
		       const struct sigv4_request *req, enum sign_mode mode)
{
	int have_host = 0;

	if (!s->access_key || !*s->access_key || !s->secret_key ||
	    !*s->secret_key || !s->region || !*s->region || !s->service ||
	    !*s->service)
		return -1;
	if (strchr(s->access_key, '/') || strchr(s->region, '/') ||
	    strchr(s->service, '/'))
		return -1; /* they would corrupt the credential scope */
	if (!req->method || !*req->method || !req->headers)
		return -1;
	if (!req->body && req->body_len)
		return -1;
	if (req->payload_hash && (!*req->payload_hash ||
				  strlen(req->payload_hash) > 64 ||
				  strpbrk(req->payload_hash, "\r\n")))
		return -1;
	if (s->session_token && strpbrk(s->session_token, "\r\n"))
		return -1;
	if (mode == SIGN_QUERY && s->expires <= 0)
		return -1;
	for (size_t i = 0; i < req->headers->nr; i++) {
		const struct kv *kv = &req->headers->items[i];

		if (!header_ok(kv))
			return -1;
		if (!strcasecmp(kv->name, "host") && *kv->value)
			have_host = 1;
	}
	return have_host ? 0 : -1;
}

/* Request headers the signer supplies itself (see the top of the file). */
static int signer_owns_header(const struct sigv4_signer *s, const char *name)
{
	if (!strcasecmp(name, "authorization") ||
	    !strcasecmp(name, "x-amz-date"))
		return 1;
	if ((s->flags & SIGV4_CONTENT_SHA256) &&
	    !strcasecmp(name, "x-amz-content-sha256"))
		return 1;
	if (has_token(s) && !strcasecmp(name, "x-amz-security-token"))
		return 1;
	return 0;
}

static int sign(const struct sigv4_signer *s, const struct sigv4_request *req,
		struct sigv4_result *out, enum sign_mode mode)
{
	struct header_set headers = { NULL, 0, 0 };
	struct kvlist presign = KVLIST_INIT;
	struct strbuf canon_headers = STRBUF_INIT;
	struct strbuf signed_names = STRBUF_INIT;
	struct strbuf scope = STRBUF_INIT;
	struct strbuf credential = STRBUF_INIT;
	char amz_date[17], date[9], payload_hash[65], creq_hash[65];
	int sign_token = has_token(s) && !(s->flags & SIGV4_OMIT_TOKEN);
	int ret = -AWSX_EFAIL;

	strbuf_reset(&out->canonical_request);
	strbuf_reset(&out->string_to_sign);
	out->signature[0] = '\0';
	kvlist_release(&out->add);

	if (check_input(s, req, mode) < 0)
		goto out;
	sigv4_amz_date(s->now, amz_date, sizeof(amz_date));
	if (strlen(amz_date) != 16)
		goto out;
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	strbuf_addf(&scope, "%s/%s/%s/aws4_request", date, s->region,
		    s->service);
	strbuf_addf(&credential, "%s/%s", s->access_key, scope.buf);

	if (req->payload_hash)
		snprintf(payload_hash, sizeof(payload_hash), "%s",
			 req->payload_hash);
	else
		sigv4_sha256_hex(req->body, req->body_len, payload_hash);

	/* Canonical headers, then the signed-header list they give. */
	for (size_t i = 0; i < req->headers->nr; i++) {
		const struct kv *kv = &req->headers->items[i];

		if (mode == SIGN_HEADERS && signer_owns_header(s, kv->name))
			continue;
		add_header(&headers, kv->name, kv->value);
	}
	if (mode == SIGN_HEADERS) {
		add_header(&headers, "x-amz-date", amz_date);
		if (s->flags & SIGV4_CONTENT_SHA256)
			add_header(&headers, "x-amz-content-sha256",
				   payload_hash);
		if (sign_token)
			add_header(&headers, "x-amz-security-token",
				   s->session_token);
	}
	header_set_write(&headers, &canon_headers, &signed_names);

	/*
	 * Presigning puts the signing parameters in the query; all but the
	 * signature (and an unsigned token) are part of what is signed.  A URL
	 * carries no headers, so SIGV4_CONTENT_SHA256 does nothing here: pass
	 * payload_hash ("UNSIGNED-PAYLOAD" for S3) instead.
	 */
	if (mode == SIGN_QUERY) {
		char expires[32];

		snprintf(expires, sizeof(expires), "%ld", s->expires);
		kvlist_add(&presign, "X-Amz-Algorithm", SIGV4_ALGORITHM);
		kvlist_add(&presign, "X-Amz-Credential", credential.buf);
		kvlist_add(&presign, "X-Amz-Date", amz_date);
		kvlist_add(&presign, "X-Amz-Expires", expires);
		kvlist_add(&presign, "X-Amz-SignedHeaders", signed_names.buf);
		if (sign_token)
			kvlist_add(&presign, "X-Amz-Security-Token",
				   s->session_token);
	}

	/* The canonical request. */
	strbuf_adds(&out->canonical_request, req->method);
	strbuf_addch(&out->canonical_request, '\n');
	canonical_uri(&out->canonical_request, req->path, s->flags);
	strbuf_addch(&out->canonical_request, '\n');
	canonical_query(&out->canonical_request, req->query,
			mode == SIGN_QUERY ? &presign : NULL);
	strbuf_addch(&out->canonical_request, '\n');
	strbuf_add(&out->canonical_request, canon_headers.buf,
		   canon_headers.len);
	strbuf_addch(&out->canonical_request, '\n');
	strbuf_add(&out->canonical_request, signed_names.buf,
		   signed_names.len);
	strbuf_addch(&out->canonical_request, '\n');
	strbuf_adds(&out->canonical_request, payload_hash);

	/* The string to sign, and the signature over it. */
	sigv4_sha256_hex(out->canonical_request.buf,
			 out->canonical_request.len, creq_hash);
	strbuf_addf(&out->string_to_sign, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM,
		    amz_date, scope.buf, creq_hash);
	compute_signature(s, date, &out->string_to_sign, out->signature);

	/* What the caller adds to the request, in the documented order. */
	if (mode == SIGN_HEADERS) {
		char *authorization = xstrfmt(
			"%s Credential=%s, SignedHeaders=%s, Signature=%s",
			SIGV4_ALGORITHM, credential.buf, signed_names.buf,
			out->signature);

		kvlist_add(&out->add, "X-Amz-Date", amz_date);
		if (s->flags & SIGV4_CONTENT_SHA256)
			kvlist_add(&out->add, "x-amz-content-sha256",
				   payload_hash);
		if (has_token(s))
			kvlist_add(&out->add, "X-Amz-Security-Token",
				   s->session_token);
		kvlist_add(&out->add, "Authorization", authorization);
		free(authorization);
	} else {
		/* The signed parameters, then an unsigned token. */
		for (size_t i = 0; i < presign.nr; i++)
			kvlist_add(&out->add, presign.items[i].name,
				   presign.items[i].value);
		if (has_token(s) && !sign_token)
			kvlist_add(&out->add, "X-Amz-Security-Token",
				   s->session_token);
		kvlist_add(&out->add, "X-Amz-Signature", out->signature);
	}
	ret = 0;
out:
	header_set_release(&headers);
	kvlist_release(&presign);
	strbuf_release_secret(&canon_headers);
	strbuf_release(&signed_names);
	strbuf_release(&scope);
	strbuf_release(&credential);
	return ret;
}

int sigv4_sign_headers(const struct sigv4_signer *s,
		       const struct sigv4_request *req,
		       struct sigv4_result *out)
{
	return sign(s, req, out, SIGN_HEADERS);
}

int sigv4_presign(const struct sigv4_signer *s, const struct sigv4_request *req,
		  struct sigv4_result *out)
{
	return sign(s, req, out, SIGN_QUERY);
}
