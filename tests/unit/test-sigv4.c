/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sigv4.c: checks aws/sigv4.c byte for byte against AWS's published
 * SigV4 vectors: the aws-c-auth suite in tests/data/sigv4/ (header signing
 * and presigning for each case) and the older botocore-format suite in
 * tests/data/sigv4-legacy/ (header signing only).  Cases are found by
 * listing the folders, and their number is checked, so a missing folder
 * fails.  Unit checks cover sigv4_uri_encode, path handling, the flags and
 * bad input.  Each vector and mode is one RECORD; a failure names the case
 * and the first byte where the output differs.
 */
#include "aws/sigv4.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "check.h"

#define AWS_C_AUTH_CASES 38
#define LEGACY_CASES 34

static const char test_access_key[] = "AKIDEXAMPLE";
static const char test_secret_key[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const time_t test_now = 1440938160; /* 2015-08-30T12:36:00Z */

/*
 * The legacy suite has no context file; its get-vanilla-with-session-token
 * case signs with this token (the one in the aws-c-auth context.json).
 */
static const char legacy_vanilla_token[] =
	"6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

/* ---- files and comparison ---- */

static int read_text(const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	if (strbuf_read_file(out, path, 1 << 20) < 0) {
		fprintf(stderr, "cannot read '%s'\n", path);
		return -1;
	}
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct string_list {
	char **items;
	size_t nr, alloc;
};

static void string_list_add(struct string_list *l, char *owned)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = owned;
}

static void string_list_release(struct string_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

/* The sub-folders of dir, sorted by name. */
static void list_subdirs(const char *dir, struct string_list *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		fprintf(stderr, "cannot open folder '%s'\n", dir);
		return;
	}
	while ((de = readdir(d))) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = xstrfmt("%s/%s", dir, de->d_name);
		if (is_dir(path))
			string_list_add(out, xstrdup(de->d_name));
		free(path);
	}
	closedir(d);
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), cmp_strings);
}

/* The case being checked, named in every difference reported. */
static const char *current_case = "";

static void print_escaped(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

/* Compare bytes; on a difference say where it starts and show both sides. */
static int same_bytes(const char *label, const char *got, size_t got_len,
		      const char *want, size_t want_len)
{
	size_t at = 0, from, n;

	while (at < got_len && at < want_len && got[at] == want[at])
		at++;
	if (at == got_len && at == want_len)
		return 1;
	from = at > 20 ? at - 20 : 0;
	fprintf(stderr,
		"%s: %s: first difference at byte %zu (got %zu bytes, expected %zu)\n",
		current_case, label, at, got_len, want_len);
	fprintf(stderr, "    got:      %s", from ? "..." : "");
	n = got_len - from < 60 ? got_len - from : 60;
	print_escaped(got + from, n);
	fprintf(stderr, "\n    expected: %s", from ? "..." : "");
	n = want_len - from < 60 ? want_len - from : 60;
	print_escaped(want + from, n);
	fputc('\n', stderr);
	return 0;
}

static int same_as_file(const char *label, const char *got, size_t got_len,
			const char *path)
{
	struct strbuf want = STRBUF_INIT;
	int ok = 0;

	if (read_text(path, &want) < 0)
		goto out;
	ok = same_bytes(label, got, got_len, want.buf, want.len);
out:
	strbuf_release(&want);
	return ok;
}

/* ---- HTTP request files ---- */

struct http_request {
	char *method;
	char *path;  /* raw, as on the wire */
	struct kvlist query; /* decoded */
	struct kvlist headers;
	struct strbuf body;
};

static void http_request_init(struct http_request *r)
{
	r->method = NULL;
	r->path = NULL;
	r->query.items = NULL;
	r->query.nr = r->query.alloc = 0;
	r->headers.items = NULL;
	r->headers.nr = r->headers.alloc = 0;
	strbuf_init(&r->body, 0);
}

static void http_request_release(struct http_request *r)
{
	free(r->method);
	free(r->path);
	kvlist_release(&r->query);
	kvlist_release(&r->headers);
	strbuf_release(&r->body);
	http_request_init(r);
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *percent_decode(const char *s, size_t len)
{
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			strbuf_addch(&out, hi * 16 + lo);
			i += 2;
		} else {
			strbuf_addch(&out, s[i]);
		}
	}
	return strbuf_detach(&out, NULL);
}

/* Split "a=1&b&c=x=y" on '&' and the first '=', percent-decoding both. */
static void parse_query(const char *q, struct kvlist *out)
{
	while (*q) {
		const char *end = strchrnul(q, '&');
		const char *eq = memchr(q, '=', (size_t)(end - q));
		char *name, *value;

		if (end == q) {
			q++;
			continue;
		}
		name = percent_decode(q, (size_t)((eq ? eq : end) - q));
		value = eq ? percent_decode(eq + 1, (size_t)(end - eq - 1))
			   : xstrdup("");
		kvlist_add(out, name, value);
		free(name);
		free(value);
		q = *end ? end + 1 : end;
	}
}

/*
 * Request line "METHOD target HTTP/1.1" (the target may hold spaces), then
 * "Name:value" lines; a line starting with whitespace continues the previous
 * value (joined with a space: the signer collapses the run); an empty line
 * starts the body.
 */
static int parse_request(const char *text, size_t len, struct http_request *r)
{
	const char *p = text, *end = text + len;
	const char *eol, *sp1, *sp2, *target, *qmark;
	int ret = -1;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	sp2 = eol;
	while (sp2 > p && sp2[-1] != ' ')
		sp2--;
	if (!sp1 || sp2 <= sp1 + 1 || (size_t)(eol - sp2) != 8 ||
	    memcmp(sp2, "HTTP/1.1", 8))
		goto out;
	sp2--; /* the space before HTTP/1.1 */
	r->method = xstrndup(p, (size_t)(sp1 - p));
	target = sp1 + 1;
	qmark = memchr(target, '?', (size_t)(sp2 - target));
	r->path = xstrndup(target, (size_t)((qmark ? qmark : sp2) - target));
	if (qmark) {
		char *q = xstrndup(qmark + 1, (size_t)(sp2 - qmark - 1));

		parse_query(q, &r->query);
		free(q);
	}

	p = eol < end ? eol + 1 : end;
	while (p < end) {
		const char *colon;
		char *name;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol == p) { /* blank line: the body follows */
			strbuf_add(&r->body, eol + 1, (size_t)(end - eol - 1));
			break;
		}
		if (*p == ' ' || *p == '\t') {
			struct kv *last;
			char *joined;

			if (!r->headers.nr)
				goto out;
			last = &r->headers.items[r->headers.nr - 1];
			joined = xstrfmt("%s %.*s", last->value,
					 (int)(eol - p), p);
			free(last->value);
			last->value = joined;
		} else {
			colon = memchr(p, ':', (size_t)(eol - p));
			if (!colon)
				goto out;
			name = xstrndup(p, (size_t)(colon - p));
			kvlist_addn(&r->headers, name, colon + 1,
				    (size_t)(eol - colon - 1));
			free(name);
		}
		p = eol < end ? eol + 1 : end;
	}
	ret = 0;
out:
	return ret;
}

static int parse_request_file(const char *path, struct http_request *r)
{
	struct strbuf text = STRBUF_INIT;
	int ret = -1;

	if (read_text(path, &text) < 0)
		goto out;
	if (parse_request(text.buf, text.len, r) < 0) {
		fprintf(stderr, "cannot parse request '%s'\n", path);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&text);
	return ret;
}

/* "name\nvalue" for each pair (names lower-cased when fold), sorted. */
static void pairs_sorted(const struct kvlist *a, const struct kvlist *b,
			 int fold, struct string_list *out)
{
	const struct kvlist *lists[2] = { a, b };

	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && i < lists[l]->nr; i++) {
			char *s = xstrfmt("%s\n%s", lists[l]->items[i].name,
					  lists[l]->items[i].value);

			for (char *c = s; fold && *c != '\n'; c++)
				*c = (char)tolower((unsigned char)*c);
			string_list_add(out, s);
		}
	}
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), cmp_strings);
}

/* The same pairs, in any order. */
static int same_pairs(const char *label, const struct kvlist *got_a,
		      const struct kvlist *got_b, const struct kvlist *want,
		      int fold)
{
	struct string_list got = { NULL, 0, 0 }, exp = { NULL, 0, 0 };
	int ok = 1;

	pairs_sorted(got_a, got_b, fold, &got);
	pairs_sorted(want, NULL, fold, &exp);
	if (got.nr != exp.nr) {
		fprintf(stderr, "%s: %s: %zu pairs, expected %zu\n",
			current_case, label, got.nr, exp.nr);
		ok = 0;
	}
	for (size_t i = 0; ok && i < got.nr; i++)
		if (!same_bytes(label, got.items[i], strlen(got.items[i]),
				exp.items[i], strlen(exp.items[i])))
			ok = 0;
	string_list_release(&got);
	string_list_release(&exp);
	return ok;
}

/*
 * The request after signing, compared semantically with a *-signed-request
 * file (as upstream does): the same method, path and body; the request's
 * headers and query plus what the signer added, in any order.
 */
static int same_signed_request(const struct http_request *req,
			       const struct sigv4_result *res, int query_mode,
			       const char *path)
{
	struct http_request want;
	int ok = 0;

	http_request_init(&want);
	if (parse_request_file(path, &want) < 0)
		goto out;
	ok = same_bytes("signed request method", req->method,
			strlen(req->method), want.method, strlen(want.method)) &&
	     same_bytes("signed request path", req->path, strlen(req->path),
			want.path, strlen(want.path)) &&
	     same_pairs("signed request headers", &req->headers,
			query_mode ? NULL : &res->add, &want.headers, 1) &&
	     same_pairs("signed request query", &req->query,
			query_mode ? &res->add : NULL, &want.query, 0) &&
	     same_bytes("signed request body", req->body.buf, req->body.len,
			want.body.buf, want.body.len);
out:
	http_request_release(&want);
	return ok;
}

/* ---- aws-c-auth suite ---- */

struct vector_context {
	char *access_key, *secret_key, *token, *region, *service;
	time_t now;
	long expires;
	int normalize, sign_body, omit_token;
};

static void vector_context_release(struct vector_context *c)
{
	free(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->token);
	free(c->region);
	free(c->service);
	memset(c, 0, sizeof(*c));
}

static char *json_string(const cJSON *obj, const char *name, int required)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(item))
		return xstrdup(item->valuestring);
	if (required)
		fprintf(stderr, "context: missing string '%s'\n", name);
	return NULL;
}

static int json_bool(const cJSON *obj, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static int parse_context(const char *path, struct vector_context *c)
{
	struct strbuf text = STRBUF_INIT;
	cJSON *root = NULL;
	const cJSON *creds, *expires;
	char *timestamp = NULL;
	long long t;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (read_text(path, &text) < 0)
		goto out;
	root = cJSON_ParseWithLength(text.buf, text.len);
	creds = cJSON_GetObjectItemCaseSensitive(root, "credentials");
	if (!root || !cJSON_IsObject(creds)) {
		fprintf(stderr, "cannot parse context '%s'\n", path);
		goto out;
	}
	c->access_key = json_string(creds, "access_key_id", 1);
	c->secret_key = json_string(creds, "secret_access_key", 1);
	c->token = json_string(creds, "token", 0);
	c->region = json_string(root, "region", 1);
	c->service = json_string(root, "service", 1);
	timestamp = json_string(root, "timestamp", 1);
	expires = cJSON_GetObjectItemCaseSensitive(root, "expiration_in_seconds");
	if (!c->access_key || !c->secret_key || !c->region || !c->service ||
	    !timestamp || !cJSON_IsNumber(expires))
		goto out;
	t = parse_iso8601(timestamp);
	if (t < 0)
		goto out;
	c->now = (time_t)t;
	c->expires = (long)expires->valuedouble;
	c->normalize = json_bool(root, "normalize");
	c->sign_body = json_bool(root, "sign_body");
	c->omit_token = json_bool(root, "omit_session_token");
	ret = 0;
out:
	free(timestamp);
	cJSON_Delete(root);
	strbuf_release(&text);
	return ret;
}

static int run_vector_mode(const char *dir, const struct vector_context *c,
			   const struct http_request *req, int query_mode)
{
	const char *mode = query_mode ? "query" : "header";
	struct sigv4_signer s = {
		.access_key = c->access_key,
		.secret_key = c->secret_key,
		.session_token = c->token,
		.region = c->region,
		.service = c->service,
		.now = c->now,
		.flags = SIGV4_DOUBLE_ENCODE,
		.expires = c->expires,
	};
	struct sigv4_request r = {
		.method = req->method,
		.path = req->path,
		.query = &req->query,
		.headers = &req->headers,
		.body = req->body.buf,
		.body_len = req->body.len,
	};
	struct sigv4_result res;
	char empty_hash[65];
	char *path = NULL;
	int ok = 0, rc;

	sigv4_result_init(&res);
	if (c->normalize)
		s.flags |= SIGV4_NORMALIZE_PATH;
	if (c->omit_token)
		s.flags |= SIGV4_OMIT_TOKEN;
	if (c->sign_body && !query_mode)
		s.flags |= SIGV4_CONTENT_SHA256;
	if (!c->sign_body) {
		/* Unsigned body: the payload hash is that of "". */
		sigv4_sha256_hex("", 0, empty_hash);
		r.payload_hash = empty_hash;
	}

	rc = query_mode ? sigv4_presign(&s, &r, &res)
			: sigv4_sign_headers(&s, &r, &res);
	if (rc) {
		fprintf(stderr, "%s: signing returned %d\n", current_case,
			rc);
		goto out;
	}

	ok = 1;
	path = xstrfmt("%s/%s-canonical-request.txt", dir, mode);
	ok &= same_as_file("canonical request", res.canonical_request.buf,
			   res.canonical_request.len, path);
	free(path);
	path = xstrfmt("%s/%s-string-to-sign.txt", dir, mode);
	ok &= same_as_file("string to sign", res.string_to_sign.buf,
			   res.string_to_sign.len, path);
	free(path);
	path = xstrfmt("%s/%s-signature.txt", dir, mode);
	ok &= same_as_file("signature", res.signature, strlen(res.signature),
			   path);
	free(path);
	path = xstrfmt("%s/%s-signed-request.txt", dir, mode);
	ok &= same_signed_request(req, &res, query_mode, path);
out:
	free(path);
	sigv4_result_release(&res);
	return ok;
}

static void run_aws_c_auth_case(const char *root, const char *name)
{
	struct vector_context c;
	struct http_request req;
	char *dir = xstrfmt("%s/%s", root, name);
	char *path = NULL, *label = NULL;
	int ready = 0;

	http_request_init(&req);
	path = xstrfmt("%s/context.json", dir);
	if (parse_context(path, &c) == 0) {
		free(path);
		path = xstrfmt("%s/request.txt", dir);
		ready = parse_request_file(path, &req) == 0;
	}
	for (int query_mode = 0; query_mode < 2; query_mode++) {
		int ok;

		label = xstrfmt("sigv4/%s (%s signing)", name,
				query_mode ? "query" : "header");
		current_case = label;
		ok = ready && run_vector_mode(dir, &c, &req, query_mode);
		RECORD(label, ok);
		current_case = "";
		free(label);
	}
	vector_context_release(&c);
	http_request_release(&req);
	free(path);
	free(dir);
}

static void run_aws_c_auth_suite(void)
{
	char *root = xstrfmt("%s/sigv4", AWSX_TEST_DATA);
	struct string_list cases = { NULL, 0, 0 };
	size_t found = 0;

	list_subdirs(root, &cases);
	for (size_t i = 0; i < cases.nr; i++) {
		char *req = xstrfmt("%s/%s/request.txt", root, cases.items[i]);

		if (is_file(req)) {
			run_aws_c_auth_case(root, cases.items[i]);
			found++;
		}
		free(req);
	}
	if (found != AWS_C_AUTH_CASES)
		fprintf(stderr, "found %zu cases in '%s', expected %d\n",
			found, root, AWS_C_AUTH_CASES);
	RECORD("sigv4 case count", found == AWS_C_AUTH_CASES);
	string_list_release(&cases);
	free(root);
}

/* ---- legacy (botocore) suite ---- */

static char *legacy_sts_token(const char *root)
{
	struct strbuf text = STRBUF_INIT;
	char *path = xstrfmt("%s/post-sts-token/readme.txt", root);
	char *token = NULL;
	const char *p;

	/* The token is the last non-empty line of the readme. */
	if (read_text(path, &text) < 0)
		goto out;
	strbuf_trim(&text);
	p = strrchr(text.buf, '\n');
	p = p ? p + 1 : text.buf;
	if (*p && !strchr(p, ' '))
		token = xstrdup(p);
out:
	free(path);
	strbuf_release(&text);
	return token;
}

/* Take X-Amz-Date out of the request: it is the signing time. */
static int take_amz_date(struct http_request *req, time_t *now)
{
	const char *v = kvlist_get(&req->headers, "X-Amz-Date");
	char iso[32];
	long long t;

	if (!v || strlen(v) != 16 || v[8] != 'T' || v[15] != 'Z')
		return -1;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", v, v + 4,
		 v + 6, v + 9, v + 11, v + 13);
	t = parse_iso8601(iso);
	if (t < 0)
		return -1;
	*now = (time_t)t;
	kvlist_remove(&req->headers, "X-Amz-Date");
	return 0;
}

static int run_legacy_case(const char *dir, const char *name,
			   const char *sts_token)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	struct http_request req;
	struct sigv4_result res;
	struct sigv4_signer s = {
		.access_key = test_access_key,
		.secret_key = test_secret_key,
		.region = "us-east-1",
		.service = "service",
		.flags = SIGV4_DOUBLE_ENCODE | SIGV4_NORMALIZE_PATH,
	};
	struct sigv4_request r = { 0 };
	const char *authz;
	char *path = NULL;
	int ok = 0;

	http_request_init(&req);
	sigv4_result_init(&res);
	path = xstrfmt("%s/%s.req", dir, base);
	if (parse_request_file(path, &req) < 0)
		goto out;
	if (take_amz_date(&req, &s.now) < 0) {
		fprintf(stderr, "%s: no usable X-Amz-Date in '%s'\n",
			current_case, path);
		goto out;
	}
	if (!strcmp(base, "get-vanilla-with-session-token")) {
		s.session_token = legacy_vanilla_token;
	} else if (!strcmp(base, "post-sts-header-before")) {
		s.session_token = sts_token;
	} else if (!strcmp(base, "post-sts-header-after")) {
		s.session_token = sts_token;
		s.flags |= SIGV4_OMIT_TOKEN;
	}
	if (str_starts_with(base, "post-sts-header") && !sts_token) {
		fprintf(stderr, "%s: no token in post-sts-token/readme.txt\n",
			current_case);
		goto out;
	}

	r.method = req.method;
	r.path = req.path;
	r.query = &req.query;
	r.headers = &req.headers;
	r.body = req.body.buf;
	r.body_len = req.body.len;
	if (sigv4_sign_headers(&s, &r, &res)) {
		fprintf(stderr, "%s: signing failed\n", current_case);
		goto out;
	}

	ok = 1;
	free(path);
	path = xstrfmt("%s/%s.creq", dir, base);
	ok &= same_as_file("canonical request", res.canonical_request.buf,
			   res.canonical_request.len, path);
	free(path);
	path = xstrfmt("%s/%s.sts", dir, base);
	ok &= same_as_file("string to sign", res.string_to_sign.buf,
			   res.string_to_sign.len, path);
	free(path);
	path = xstrfmt("%s/%s.authz", dir, base);
	authz = kvlist_get(&res.add, "Authorization");
	ok &= authz && same_as_file("authorization", authz, strlen(authz),
				    path);
out:
	free(path);
	sigv4_result_release(&res);
	http_request_release(&req);
	return ok;
}

/* A case folder holds <case>.req; any other folder is a group of cases. */
static void collect_legacy_cases(const char *root, const char *prefix,
				 struct string_list *out, int depth)
{
	char *dir = prefix ? xstrfmt("%s/%s", root, prefix) : xstrdup(root);
	struct string_list subs = { NULL, 0, 0 };

	list_subdirs(dir, &subs);
	for (size_t i = 0; i < subs.nr; i++) {
		char *name = prefix ? xstrfmt("%s/%s", prefix, subs.items[i])
				    : xstrdup(subs.items[i]);
		char *req = xstrfmt("%s/%s/%s.req", root, name, subs.items[i]);

		if (is_file(req)) {
			string_list_add(out, name);
		} else {
			if (depth < 2)
				collect_legacy_cases(root, name, out, depth + 1);
			free(name);
		}
		free(req);
	}
	string_list_release(&subs);
	free(dir);
}

static void run_legacy_suite(void)
{
	char *root = xstrfmt("%s/sigv4-legacy", AWSX_TEST_DATA);
	char *sts_token = legacy_sts_token(root);
	struct string_list cases = { NULL, 0, 0 };

	collect_legacy_cases(root, NULL, &cases, 1);
	if (cases.nr)
		qsort(cases.items, cases.nr, sizeof(*cases.items),
		      cmp_strings);
	for (size_t i = 0; i < cases.nr; i++) {
		char *dir = xstrfmt("%s/%s", root, cases.items[i]);
		char *label = xstrfmt("sigv4-legacy/%s (header signing)",
				      cases.items[i]);

		current_case = label;
		RECORD(label, run_legacy_case(dir, cases.items[i], sts_token));
		current_case = "";
		free(label);
		free(dir);
	}
	if (cases.nr != LEGACY_CASES)
		fprintf(stderr, "found %zu cases in '%s', expected %d\n",
			cases.nr, root, LEGACY_CASES);
	RECORD("sigv4-legacy case count", cases.nr == LEGACY_CASES);
	string_list_release(&cases);
	free(sts_token);
	free(root);
}

/* ---- unit checks ---- */

static char *encoded(const char *s, int keep_slash)
{
	struct strbuf sb = STRBUF_INIT;

	sigv4_uri_encode(&sb, s, strlen(s), keep_slash);
	return strbuf_detach(&sb, NULL);
}

#define CHECK_ENCODE(in, keep, want)                                         \
	do {                                                                 \
		char *got_ = encoded((in), (keep));                          \
		CHECK_STR(got_, (want));                                     \
		free(got_);                                                  \
	} while (0)

static void test_uri_encode(void)
{
	struct strbuf sb = STRBUF_INIT;

	CHECK_ENCODE("", 0, "");
	CHECK_ENCODE("AZaz09-_.~", 0, "AZaz09-_.~");
	CHECK_ENCODE("a b+c=d&e%f*g", 0, "a%20b%2Bc%3Dd%26e%25f%2Ag");
	CHECK_ENCODE("/a/b c/", 1, "/a/b%20c/");
	CHECK_ENCODE("/a/b c/", 0, "%2Fa%2Fb%20c%2F");
	CHECK_ENCODE("\xe1\x88\xb4", 0, "%E1%88%B4");
	CHECK_ENCODE("!$'()*,;:@[]", 1, "%21%24%27%28%29%2A%2C%3B%3A%40%5B%5D");
	/* Appends, and an explicit length may hold a NUL byte. */
	strbuf_adds(&sb, "x=");
	sigv4_uri_encode(&sb, "a\0b", 3, 0);
	CHECK_STR(sb.buf, "x=a%00b");
	strbuf_release(&sb);
}

static void test_amz_date_and_hash(void)
{
	char buf[17], hex[65];

	sigv4_amz_date(test_now, buf, sizeof(buf));
	CHECK_STR(buf, "20150830T123600Z");
	sigv4_amz_date(0, buf, sizeof(buf));
	CHECK_STR(buf, "19700101T000000Z");
	sigv4_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* A minimal GET to example.amazonaws.com, signed or presigned. */
struct fixture {
	struct sigv4_signer s;
	struct sigv4_request r;
	struct kvlist headers, query;
	struct sigv4_result res;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->s.access_key = test_access_key;
	f->s.secret_key = test_secret_key;
	f->s.region = "us-east-1";
	f->s.service = "service";
	f->s.now = test_now;
	f->s.flags = SIGV4_DEFAULT_FLAGS;
	f->s.expires = 3600;
	kvlist_add(&f->headers, "Host", "example.amazonaws.com");
	f->r.method = "GET";
	f->r.path = "/";
	f->r.headers = &f->headers;
	f->r.query = &f->query;
	sigv4_result_init(&f->res);
}

static void fixture_release(struct fixture *f)
{
	kvlist_release(&f->headers);
	kvlist_release(&f->query);
	sigv4_result_release(&f->res);
}

/* Line n (0-based) of the canonical request, in a static buffer. */
static const char *creq_line(const struct fixture *f, int n)
{
	static char line[512];
	const char *p = f->res.canonical_request.buf, *e;

	while (n-- > 0 && p && (p = strchr(p, '\n')))
		p++;
	if (!p)
		return "(no such line)";
	e = strchrnul(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
	return line;
}

static const char *canonical_uri_of(const char *path, unsigned flags)
{
	static char uri[512];
	struct fixture f;

	fixture_init(&f);
	f.s.flags = flags;
	f.r.path = path;
	if (sigv4_sign_headers(&f.s, &f.r, &f.res))
		snprintf(uri, sizeof(uri), "(error)");
	else
		snprintf(uri, sizeof(uri), "%s", creq_line(&f, 1));
	fixture_release(&f);
	return uri;
}

static void test_paths(void)
{
	unsigned dflt = SIGV4_DEFAULT_FLAGS;

	CHECK_STR(canonical_uri_of("", dflt), "/");
	CHECK_STR(canonical_uri_of(NULL, dflt), "/");
	CHECK_STR(canonical_uri_of("", 0), "/");
	CHECK_STR(canonical_uri_of("/a/b/..", dflt), "/a/");
	CHECK_STR(canonical_uri_of("/a/./b//c/", dflt), "/a/b/c/");
	CHECK_STR(canonical_uri_of("/../../a", dflt), "/a");
	CHECK_STR(canonical_uri_of("/a/b/../../..", dflt), "/");
	CHECK_STR(canonical_uri_of("/a/..b/.c", dflt), "/a/..b/.c");
	/* Double encoding applies to the wire form: '%' is encoded again. */
	CHECK_STR(canonical_uri_of("/a%20b/c", dflt), "/a%2520b/c");
	CHECK_STR(canonical_uri_of("/a%20b/c", SIGV4_DOUBLE_ENCODE),
		  "/a%2520b/c");
	CHECK_STR(canonical_uri_of("//x/./y", SIGV4_DOUBLE_ENCODE),
		  "//x/./y");
	CHECK_STR(canonical_uri_of("//x/./y", SIGV4_NORMALIZE_PATH), "/x/y");
}

/* S3 (flags 0): the wire path is the canonical URI, untouched. */
static void test_s3_path_not_reencoded(void)
{
	const char *path = "/my-bucket/photos//2024/a%20b%2Bc/../x.jpg";

	CHECK_STR(canonical_uri_of(path, 0), path);
	CHECK_STR(canonical_uri_of(path, SIGV4_DEFAULT_FLAGS),
		  "/my-bucket/photos/2024/x.jpg");
}

static void test_session_token_signed_by_default(void)
{
	struct fixture f;

	fixture_init(&f);
	f.s.session_token = "TOKEN/+=";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK(strstr(f.res.canonical_request.buf,
		     "\nx-amz-security-token:TOKEN/+=\n"));
	CHECK_STR(creq_line(&f, 7), "host;x-amz-date;x-amz-security-token");
	CHECK_INT(f.res.add.nr, 3);
	if (f.res.add.nr == 3) {
		CHECK_STR(f.res.add.items[0].name, "X-Amz-Date");
		CHECK_STR(f.res.add.items[1].name, "X-Amz-Security-Token");
		CHECK_STR(f.res.add.items[1].value, "TOKEN/+=");
		CHECK_STR(f.res.add.items[2].name, "Authorization");
		CHECK(strstr(f.res.add.items[2].value,
			     "SignedHeaders=host;x-amz-date;x-amz-security-token, "));
	}

	/* Presigned, it is a signed query parameter. */
	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), 0);
	CHECK(strstr(creq_line(&f, 2), "&X-Amz-Security-Token=TOKEN%2F%2B%3D&"));
	CHECK_STR(kvlist_get(&f.res.add, "X-Amz-Security-Token"), "TOKEN/+=");

	/* An empty token is no token. */
	f.s.session_token = "";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK(!strstr(f.res.canonical_request.buf, "security-token"));
	CHECK(!kvlist_get(&f.res.add, "X-Amz-Security-Token"));
	fixture_release(&f);
}

static void test_omit_token(void)
{
	struct fixture f;

	fixture_init(&f);
	f.s.session_token = "TOKEN";
	f.s.flags |= SIGV4_OMIT_TOKEN;
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK(!strstr(f.res.canonical_request.buf, "TOKEN"));
	CHECK_STR(kvlist_get(&f.res.add, "X-Amz-Security-Token"), "TOKEN");

	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), 0);
	CHECK(!strstr(f.res.canonical_request.buf, "TOKEN"));
	CHECK_INT(f.res.add.nr, 7);
	if (f.res.add.nr == 7) {
		CHECK_STR(f.res.add.items[5].name, "X-Amz-Security-Token");
		CHECK_STR(f.res.add.items[6].name, "X-Amz-Signature");
		CHECK_STR(f.res.add.items[6].value, f.res.signature);
	}
	fixture_release(&f);
}

static void test_content_sha256_unsigned_payload(void)
{
	struct fixture f;

	fixture_init(&f);
	f.s.flags = SIGV4_CONTENT_SHA256;
	f.r.method = "PUT";
	f.r.path = "/bucket/key";
	f.r.body = "hello";
	f.r.body_len = 5;
	f.r.payload_hash = "UNSIGNED-PAYLOAD";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK(strstr(f.res.canonical_request.buf,
		     "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
	CHECK(str_ends_with(f.res.canonical_request.buf,
			    "\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"));
	CHECK_INT(f.res.add.nr, 3);
	if (f.res.add.nr == 3) {
		CHECK_STR(f.res.add.items[0].name, "X-Amz-Date");
		CHECK_STR(f.res.add.items[1].name, "x-amz-content-sha256");
		CHECK_STR(f.res.add.items[1].value, "UNSIGNED-PAYLOAD");
		CHECK_STR(f.res.add.items[2].name, "Authorization");
	}

	/* Without payload_hash it is the body's hash. */
	f.r.payload_hash = NULL;
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK_STR(kvlist_get(&f.res.add, "x-amz-content-sha256"),
		  "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	fixture_release(&f);
}

static void test_headers_and_query(void)
{
	struct fixture f;

	fixture_init(&f);
	kvlist_add(&f.headers, "X-Custom", " \t a \t\t b   c  ");
	kvlist_add(&f.headers, "x-custom", "d");
	kvlist_add(&f.headers, "Empty", "");
	kvlist_add(&f.query, "b", "2");
	kvlist_add(&f.query, "a b", "x");
	kvlist_add(&f.query, "a+b", "y");
	kvlist_add(&f.query, "b", "1");
	kvlist_add(&f.query, "flag", "");
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK_STR(creq_line(&f, 2), "a%20b=x&a%2Bb=y&b=1&b=2&flag=");
	CHECK_STR(creq_line(&f, 3), "empty:");
	CHECK_STR(creq_line(&f, 6), "x-custom:a b c,d");
	CHECK_STR(creq_line(&f, 8), "empty;host;x-amz-date;x-custom");
	fixture_release(&f);
}

/* Values the signer supplies itself are not taken from the request. */
static void test_stale_signing_values_ignored(void)
{
	struct fixture f;
	struct strbuf clean = STRBUF_INIT;
	char signature[65];

	fixture_init(&f);
	f.s.session_token = "NEW";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	strbuf_add(&clean, f.res.canonical_request.buf,
		   f.res.canonical_request.len);
	snprintf(signature, sizeof(signature), "%s", f.res.signature);

	kvlist_add(&f.headers, "X-Amz-Date", "20000101T000000Z");
	kvlist_add(&f.headers, "Authorization", "AWS4-HMAC-SHA256 old");
	kvlist_add(&f.headers, "X-Amz-Security-Token", "OLD");
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK_STR(f.res.canonical_request.buf, clean.buf);
	CHECK_STR(f.res.signature, signature);

	/* Presigning a URL that was presigned before. */
	kvlist_release(&f.headers);
	kvlist_add(&f.headers, "Host", "example.amazonaws.com");
	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), 0);
	strbuf_reset(&clean);
	strbuf_add(&clean, f.res.canonical_request.buf,
		   f.res.canonical_request.len);
	for (size_t i = 0; i < f.res.add.nr; i++)
		kvlist_add(&f.query, f.res.add.items[i].name, "stale");
	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), 0);
	CHECK_STR(f.res.canonical_request.buf, clean.buf);
	strbuf_release(&clean);
	fixture_release(&f);
}

static void test_presign_params(void)
{
	struct fixture f;
	static const char *const order[] = {
		"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
		"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
	};

	fixture_init(&f);
	f.s.expires = 900;
	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), 0);
	CHECK_INT(f.res.add.nr, ARRAY_SIZE(order));
	for (size_t i = 0; i < f.res.add.nr && i < ARRAY_SIZE(order); i++)
		CHECK_STR(f.res.add.items[i].name, order[i]);
	CHECK_STR(kvlist_get(&f.res.add, "X-Amz-Credential"),
		  "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request");
	CHECK_STR(kvlist_get(&f.res.add, "X-Amz-Expires"), "900");
	CHECK_STR(kvlist_get(&f.res.add, "X-Amz-SignedHeaders"), "host");
	/* No X-Amz-Date header is signed when presigning. */
	CHECK_STR(creq_line(&f, 3), "host:example.amazonaws.com");
	CHECK_STR(creq_line(&f, 5), "host");
	fixture_release(&f);
}

static void test_bad_input(void)
{
	struct fixture f;

	fixture_init(&f);
	kvlist_release(&f.headers);
	kvlist_add(&f.headers, "Accept", "*/*");
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	CHECK_INT(f.res.canonical_request.len, 0);
	CHECK_INT(f.res.add.nr, 0);
	kvlist_add(&f.headers, "Host", "example.amazonaws.com");
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);

	kvlist_add(&f.headers, "X-Split", "a\r\nInjected: yes");
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	kvlist_remove(&f.headers, "X-Split");

	f.s.secret_key = "";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	f.s.secret_key = test_secret_key;
	f.s.region = "us/east";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	f.s.region = "us-east-1";

	f.s.expires = 0;
	CHECK_INT(sigv4_presign(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	f.s.expires = 3600;

	f.r.payload_hash = "this-payload-hash-is-longer-than-a-sha256-in-hex-could-ever-be-0123";
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	f.r.payload_hash = NULL;
	f.r.body_len = 3;
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), -AWSX_EFAIL);
	fixture_release(&f);
}

/* get-vanilla from the suite, through the public API only. */
static void test_vanilla_signature(void)
{
	struct fixture f;

	fixture_init(&f);
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK_STR(f.res.signature,
		  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	/* A result can be reused: nothing accumulates. */
	CHECK_INT(sigv4_sign_headers(&f.s, &f.r, &f.res), 0);
	CHECK_INT(f.res.add.nr, 2);
	CHECK_STR(kvlist_get(&f.res.add, "Authorization"),
		  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
		  "SignedHeaders=host;x-amz-date, "
		  "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	fixture_release(&f);
}

int main(void)
{
	RUN(test_uri_encode);
	RUN(test_amz_date_and_hash);
	RUN(test_paths);
	RUN(test_s3_path_not_reencoded);
	RUN(test_session_token_signed_by_default);
	RUN(test_omit_token);
	RUN(test_content_sha256_unsigned_payload);
	RUN(test_headers_and_query);
	RUN(test_stale_signing_values_ignored);
	RUN(test_presign_params);
	RUN(test_bad_input);
	RUN(test_vanilla_signature);
	run_aws_c_auth_suite();
	run_legacy_suite();
	return check_done();
}
