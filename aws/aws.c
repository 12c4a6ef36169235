/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aws.c: the context (profile, region, settings, HTTP client, credential
 * cache) and aws_call(), the one path every AWS request takes:
 * serialise -> resolve endpoint -> sign -> send -> retry -> parse.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws/endpoint.h"
#include "aws/sigv4.h"

const char *aws_getenv(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* ---- context ---- */

static int env_seconds_ms(const char *name, long *out, struct aws_error *err)
{
	const char *v = aws_getenv(name);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || *end || d <= 0 || d > 86400)
		return aws_error_set(err, AWSX_ECONFIG,
				     "invalid %s '%s': expected seconds greater than 0",
				     name, v);
	*out = (long)(d * 1000);
	return 0;
}

int aws_ctx_new(struct aws_ctx **out, const struct aws_ctx_options *opt,
		struct aws_error *err)
{
	int rc;
	struct aws_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *profile_src = NULL;

	*out = NULL;
	ctx->debug = opt->debug;
	ctx->debug_out = opt->debug_out ? opt->debug_out : stderr;
	ctx->interactive = opt->interactive;
	ctx->quota = (struct retry_quota)RETRY_QUOTA_INIT;

	rc = aws_config_load(&ctx->cfg, NULL, NULL, err);
	if (rc)
		goto fail;

	if (opt->profile) {
		ctx->profile = xstrdup(opt->profile);
		ctx->profile_explicit = 1;
		profile_src = "--profile";
	} else if (aws_getenv("AWS_PROFILE")) {
		ctx->profile = xstrdup(aws_getenv("AWS_PROFILE"));
		profile_src = "AWS_PROFILE";
	} else if (aws_getenv("AWS_DEFAULT_PROFILE")) {
		ctx->profile = xstrdup(aws_getenv("AWS_DEFAULT_PROFILE"));
		profile_src = "AWS_DEFAULT_PROFILE";
	} else {
		ctx->profile = xstrdup("default");
	}
	if (profile_src && !aws_config_has_profile(ctx->cfg, ctx->profile)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "profile '%s' (from %s) not found in '%s' or '%s'",
				   ctx->profile, profile_src,
				   aws_config_path(ctx->cfg),
				   aws_config_credentials_path(ctx->cfg));
		goto fail;
	}

	if (opt->region) {
		ctx->region = xstrdup(opt->region);
		ctx->region_source = "--region";
	} else if (aws_getenv("AWS_REGION")) {
		ctx->region = xstrdup(aws_getenv("AWS_REGION"));
		ctx->region_source = "AWS_REGION";
	} else if (aws_getenv("AWS_DEFAULT_REGION")) {
		ctx->region = xstrdup(aws_getenv("AWS_DEFAULT_REGION"));
		ctx->region_source = "AWS_DEFAULT_REGION";
	} else if (aws_config_get(ctx->cfg, ctx->profile, "region")) {
		ctx->region = xstrdup(aws_config_get(ctx->cfg, ctx->profile, "region"));
		ctx->region_source = "profile";
	}
	if (ctx->region && !endpoint_region_valid(ctx->region)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "invalid region '%s' (from %s): expected a name like us-east-1",
				   ctx->region, ctx->region_source);
		goto fail;
	}

	if (opt->endpoint_url)
		ctx->endpoint_url = xstrdup(opt->endpoint_url);

	char why[256];
	if (retry_config_resolve(&ctx->retry, aws_getenv("AWS_MAX_ATTEMPTS"),
				 aws_getenv("AWS_RETRY_MODE"),
				 aws_config_get(ctx->cfg, ctx->profile, "max_attempts"),
				 aws_config_get(ctx->cfg, ctx->profile, "retry_mode"),
				 why, sizeof(why))) {
		rc = aws_error_set(err, AWSX_ECONFIG, "%s", why);
		goto fail;
	}

	ctx->connect_timeout_ms = opt->connect_timeout_ms;
	ctx->read_timeout_ms = opt->read_timeout_ms;
	if (!ctx->connect_timeout_ms &&
	    (rc = env_seconds_ms("AWSX_CONNECT_TIMEOUT", &ctx->connect_timeout_ms, err)))
		goto fail;
	if (!ctx->read_timeout_ms &&
	    (rc = env_seconds_ms("AWSX_READ_TIMEOUT", &ctx->read_timeout_ms, err)))
		goto fail;

	const char *ca = aws_getenv("AWS_CA_BUNDLE");
	if (!ca)
		ca = aws_config_get(ctx->cfg, ctx->profile, "ca_bundle");
	if (ca) {
		if (access(ca, R_OK)) {
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "cannot read CA bundle '%s': %s", ca,
					   strerror(errno));
			goto fail;
		}
		ctx->ca_bundle = xstrdup(ca);
	}

	ctx->http = http_client_new();
	*out = ctx;
	return 0;
fail:
	aws_ctx_free(ctx);
	return rc;
}

void aws_ctx_free(struct aws_ctx *ctx)
{
	if (!ctx)
		return;
	aws_config_free(ctx->cfg);
	http_client_free(ctx->http);
	aws_credentials_release(&ctx->creds);
	free(ctx->profile);
	free(ctx->region);
	free(ctx->endpoint_url);
	free(ctx->ca_bundle);
	free(ctx);
}

const char *aws_ctx_profile(const struct aws_ctx *ctx)
{
	return ctx->profile;
}

const char *aws_ctx_region(const struct aws_ctx *ctx)
{
	return ctx->region;
}

const char *aws_ctx_region_source(const struct aws_ctx *ctx)
{
	return ctx->region_source;
}

int aws_ctx_require_region(struct aws_ctx *ctx, struct aws_error *err)
{
	if (ctx->region)
		return 0;
	return aws_error_set(err, AWSX_ECONFIG,
			     "no region configured: use --region, AWS_REGION, or 'region' in profile '%s'",
			     ctx->profile);
}

const char *aws_ctx_setting(const struct aws_ctx *ctx, const char *key)
{
	return aws_config_get(ctx->cfg, ctx->profile, key);
}

void aws_credentials_release(struct aws_credentials *c)
{
	free(c->access_key_id);
	free_secret(c->secret_access_key);
	free_secret(c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

int aws_ctx_credentials(struct aws_ctx *ctx, const struct aws_credentials **out,
			struct aws_error *err)
{
	if (ctx->have_creds && ctx->creds.expiration &&
	    (long long)time(NULL) + 300 >= ctx->creds.expiration) {
		/* refresh temporary credentials five minutes before they expire */
		aws_credentials_release(&ctx->creds);
		ctx->have_creds = 0;
	}
	if (!ctx->have_creds) {
		int rc = creds_resolve(ctx, &ctx->creds, err);
		if (rc)
			return rc;
		ctx->have_creds = 1;
	}
	*out = &ctx->creds;
	return 0;
}

/* ---- calls ---- */

void aws_call_init(struct aws_call *call, const char *operation)
{
	memset(call, 0, sizeof(*call));
	call->operation = operation;
}

void aws_call_release(struct aws_call *call)
{
	kvlist_release(&call->params);
	kvlist_release(&call->query);
	kvlist_release(&call->headers);
	if (call->json)
		cJSON_Delete(call->json);
	free(call->path);
	memset(call, 0, sizeof(*call));
}

void aws_response_init(struct aws_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	strbuf_init(&resp->body, 0);
}

void aws_response_release(struct aws_response *resp)
{
	kvlist_release(&resp->headers);
	strbuf_release_secret(&resp->body);
	xml_free(resp->xml);
	if (resp->json)
		cJSON_Delete(resp->json);
	memset(resp, 0, sizeof(*resp));
	strbuf_init(&resp->body, 0);
}

/* Split "scheme://host[:port][/base]" into host header value and base path. */
static int split_url(const char *url, struct strbuf *host, struct strbuf *base)
{
	const char *p = strstr(url, "://");
	if (!p)
		return -1;
	int https = !strncasecmp(url, "https", 5);
	p += 3;
	const char *slash = strchr(p, '/');
	const char *hend = slash ? slash : p + strlen(p);
	strbuf_add(host, p, (size_t)(hend - p));
	/* curl leaves default ports out of Host; the signature must agree */
	if (https && str_ends_with(host->buf, ":443"))
		strbuf_setlen(host, host->len - 4);
	else if (!https && str_ends_with(host->buf, ":80"))
		strbuf_setlen(host, host->len - 3);
	if (slash) {
		strbuf_adds(base, slash);
		while (base->len && base->buf[base->len - 1] == '/')
			strbuf_setlen(base, base->len - 1);
	}
	return 0;
}

static void make_uuid(char out[37])
{
	unsigned char b[16];
	for (int i = 0; i < 16; i += 4) {
		uint32_t r = arc4random();
		memcpy(b + i, &r, 4);
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static const char *user_agent(void)
{
	static char ua[160];
	if (!ua[0]) {
		struct utsname u;
		const char *arch = uname(&u) ? "unknown" : u.machine;
		snprintf(ua, sizeof(ua), "awsx/%s os/linux md/arch#%s lang/c md/curl#%s",
			 AWSX_VERSION, arch, curl_version_info(CURLVERSION_NOW)->version);
	}
	return ua;
}

/* Sleep ms, waking early (and returning -1) when interrupted. */
static int sleep_ms(long ms)
{
	while (ms > 0) {
		if (http_interrupted)
			return -1;
		long step = ms > 100 ? 100 : ms;
		struct timespec ts = { 0, step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return http_interrupted ? -1 : 0;
}

/* Request parts that stay the same across attempts. */
struct wire {
	const char *method;
	struct strbuf path;  /* wire path, encoded */
	struct strbuf body;  /* owned copy for query/json */
	const void *body_ptr;
	size_t body_len;
	struct kvlist headers; /* call headers + protocol headers (no signature) */
	const struct kvlist *query;
};

static void build_wire(const struct aws_service *svc, struct aws_call *call,
		       const char *base_path, struct wire *w)
{
	static const struct kvlist no_query = KVLIST_INIT;
	strbuf_adds(&w->path, base_path);
	w->query = &no_query;
	switch (svc->protocol) {
	case AWS_PROTO_QUERY:
	case AWS_PROTO_EC2:
		w->method = "POST";
		strbuf_addch(&w->path, '/');
		proto_query_body(&w->body, call->operation, svc->api_version,
				 &call->params);
		kvlist_add(&w->headers, "Content-Type",
			   "application/x-www-form-urlencoded; charset=utf-8");
		w->body_ptr = w->body.buf;
		w->body_len = w->body.len;
		break;
	case AWS_PROTO_JSON: {
		w->method = "POST";
		strbuf_addch(&w->path, '/');
		if (call->json) {
			char *s = cJSON_PrintUnformatted(call->json);
			strbuf_adds(&w->body, s);
			cJSON_free(s);
		} else {
			strbuf_adds(&w->body, "{}");
		}
		char ct[64], target[160];
		snprintf(ct, sizeof(ct), "application/x-amz-json-%s",
			 svc->json_version ? svc->json_version : "1.1");
		snprintf(target, sizeof(target), "%s.%s", svc->target_prefix,
			 call->operation);
		kvlist_add(&w->headers, "Content-Type", ct);
		kvlist_add(&w->headers, "X-Amz-Target", target);
		w->body_ptr = w->body.buf;
		w->body_len = w->body.len;
		break;
	}
	case AWS_PROTO_REST_JSON:
	case AWS_PROTO_REST_XML:
		w->method = call->method ? call->method : "GET";
		strbuf_adds(&w->path, call->path ? call->path : "/");
		w->query = &call->query;
		if (call->json && !call->body) {
			char *s = cJSON_PrintUnformatted(call->json);
			strbuf_adds(&w->body, s);
			cJSON_free(s);
			w->body_ptr = w->body.buf;
			w->body_len = w->body.len;
			if (!kvlist_get(&call->headers, "Content-Type"))
				kvlist_add(&w->headers, "Content-Type",
					   "application/json");
		} else {
			w->body_ptr = call->body;
			w->body_len = call->body_len;
		}
		break;
	}
	if (!w->path.len)
		strbuf_addch(&w->path, '/');
	for (size_t i = 0; i < call->headers.nr; i++)
		kvlist_set(&w->headers, call->headers.items[i].name,
			   call->headers.items[i].value);
}

static void wire_release(struct wire *w)
{
	strbuf_release(&w->path);
	strbuf_release_secret(&w->body);
	kvlist_release(&w->headers);
}

static void add_query_string(struct strbuf *url, const struct kvlist *q)
{
	for (size_t i = 0; i < q->nr; i++) {
		strbuf_addch(url, i ? '&' : '?');
		sigv4_uri_encode(url, q->items[i].name, strlen(q->items[i].name), 0);
		strbuf_addch(url, '=');
		sigv4_uri_encode(url, q->items[i].value, strlen(q->items[i].value), 0);
	}
}

/* First non-blank byte of the body, or 0. */
static char body_lead(const struct strbuf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (!isspace((unsigned char)b->buf[i]))
			return b->buf[i];
	return 0;
}

/*
 * Parse a successful answer.  query, ec2 and json answers are always
 * documents; rest answers may be raw payloads (S3 GetObject, Lambda Invoke),
 * which are left in resp->body unparsed.
 */
static int parse_success(const struct aws_service *svc, struct aws_response *resp,
			 struct aws_error *err)
{
	const char *ct = kvlist_get(&resp->headers, "Content-Type");
	char lead = body_lead(&resp->body);
	switch (svc->protocol) {
	case AWS_PROTO_REST_JSON:
		if (lead && lead != '{' && lead != '[' && !(ct && strstr(ct, "json")))
			return 0;
		__attribute__((fallthrough));
	case AWS_PROTO_JSON:
		resp->json = proto_json_parse(resp->body.buf, resp->body.len, err);
		if (!resp->json)
			err->kind = AWSX_ESERVICE;
		return resp->json ? 0 : -AWSX_ESERVICE;
	case AWS_PROTO_REST_XML:
		if (lead != '<' || (ct && !strstr(ct, "xml")))
			return 0;
		__attribute__((fallthrough));
	default:
		if (!resp->body.len)
			return 0;
		if (xml_parse(resp->body.buf, resp->body.len, &resp->xml, err)) {
			err->kind = AWSX_ESERVICE;
			return -AWSX_ESERVICE;
		}
		return 0;
	}
}

/*
 * Where a call goes: its endpoint (region from the call, else the
 * context; STS falls back to its global endpoint), the Host header value
 * and the URL's base path.
 */
static int resolve_target(struct aws_ctx *ctx, const struct aws_service *svc,
			  const struct aws_call *call, struct endpoint *ep,
			  struct strbuf *host, struct strbuf *base,
			  struct aws_error *err)
{
	const char *region = call->region ? call->region : ctx->region;
	int rc;

	if (!region && svc == &aws_svc_sts)
		region = "aws-global";
	if (!region)
		return aws_ctx_require_region(ctx, err);
	rc = endpoint_resolve(svc, region, ctx->endpoint_url, ctx->cfg,
			      ctx->profile, aws_getenv, ep, err);
	if (rc)
		return rc;
	if (split_url(ep->url, host, base))
		return aws_error_set(err, AWSX_ECONFIG, "invalid endpoint URL '%s'", ep->url);
	return 0;
}

static void init_signer(struct sigv4_signer *s, const struct aws_ctx *ctx,
			const struct aws_service *svc,
			const struct aws_credentials *creds,
			const struct endpoint *ep, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->access_key = creds->access_key_id;
	s->secret_key = creds->secret_access_key;
	s->session_token = creds->session_token;
	s->region = ep->signing_region;
	s->service = svc->signing_name;
	s->now = time(NULL) + ctx->clock_skew;
	s->flags = flags;
}

int aws_call(struct aws_ctx *ctx, const struct aws_service *svc,
	     struct aws_call *call, struct aws_response *resp,
	     struct aws_error *err)
{
	int rc = 0;
	struct endpoint ep;
	struct wire w = { 0 };
	struct strbuf host = STRBUF_INIT, base = STRBUF_INIT, url = STRBUF_INIT;
	const struct aws_credentials *creds = NULL;
	int max_attempts = (call->flags & AWS_CALL_NO_RETRY) ? 1 : ctx->retry.max_attempts;
	int quota_taken = 0, skew_fixed = 0;
	char invocation[37];

	strbuf_init(&w.path, 0);
	strbuf_init(&w.body, 0);
	aws_error_clear(err);

	rc = resolve_target(ctx, svc, call, &ep, &host, &base, err);
	if (rc)
		goto out;

	if (!(svc->flags & AWS_SVC_UNSIGNED) && !(call->flags & AWS_CALL_ANONYMOUS)) {
		if (call->credentials) {
			creds = call->credentials;
		} else if ((rc = aws_ctx_credentials(ctx, &creds, err))) {
			goto out;
		}
	}

	build_wire(svc, call, base.buf, &w);
	strbuf_addf(&url, "%.*s", (int)(strstr(ep.url, "://") - ep.url + 3), ep.url);
	strbuf_add(&url, host.buf, host.len);
	strbuf_add(&url, w.path.buf, w.path.len);
	add_query_string(&url, w.query);
	make_uuid(invocation);

	for (int attempt = 1;; attempt++) {
		struct kvlist headers = KVLIST_INIT;
		struct http_response hr;
		struct sigv4_result sig;
		int timed_out = 0;
		enum retry_class cls = RETRY_NO;
		char req_hdr[64];

		http_response_init(&hr);
		sigv4_result_init(&sig);
		aws_error_clear(err);
		snprintf(err->service, sizeof(err->service), "%s", svc->name ? svc->name : svc->endpoint_prefix);
		snprintf(err->operation, sizeof(err->operation), "%s", call->operation);
		err->attempts = attempt;

		kvlist_add(&headers, "Host", host.buf);
		for (size_t i = 0; i < w.headers.nr; i++)
			kvlist_add(&headers, w.headers.items[i].name, w.headers.items[i].value);
		kvlist_add(&headers, "amz-sdk-invocation-id", invocation);
		snprintf(req_hdr, sizeof(req_hdr), "attempt=%d; max=%d", attempt, max_attempts);
		kvlist_add(&headers, "amz-sdk-request", req_hdr);

		if (creds) {
			struct sigv4_signer s;
			init_signer(&s, ctx, svc, creds, &ep,
				    (svc->flags & AWS_SVC_S3) ? SIGV4_CONTENT_SHA256
							      : SIGV4_DEFAULT_FLAGS);
			struct sigv4_request sr = {
				.method = w.method,
				.path = w.path.buf,
				.query = w.query,
				.headers = &headers,
				.body = w.body_ptr,
				.body_len = w.body_len,
			};
			if (sigv4_sign_headers(&s, &sr, &sig)) {
				kvlist_release(&headers);
				sigv4_result_release(&sig);
				rc = aws_error_set(err, AWSX_EFAIL, "cannot sign the request");
				goto out;
			}
			for (size_t i = 0; i < sig.add.nr; i++)
				kvlist_set(&headers, sig.add.items[i].name, sig.add.items[i].value);
		}
		/* like the SDKs, leave User-Agent out of the signature: proxies rewrite it */
		kvlist_add(&headers, "User-Agent", user_agent());

		struct http_request hreq = {
			.method = w.method,
			.url = url.buf,
			.headers = &headers,
			.body = w.body_ptr,
			.body_len = w.body_len,
			.connect_timeout_ms = ctx->connect_timeout_ms,
			.read_timeout_ms = ctx->read_timeout_ms,
			.ca_bundle = ctx->ca_bundle,
			.debug = ctx->debug ? ctx->debug_out : NULL,
		};
		rc = http_perform(ctx->http, &hreq, &hr, &timed_out, err);
		kvlist_release(&headers);
		sigv4_result_release(&sig);

		if (rc == -AWSX_EINTR) {
			http_response_release(&hr);
			goto out;
		}
		if (rc) {
			cls = RETRY_TIMEOUT;
		} else if (hr.status >= 200 && hr.status < 300) {
			retry_quota_release(&ctx->quota, quota_taken);
			resp->status = hr.status;
			kvlist_release(&resp->headers);
			resp->headers = hr.headers;
			hr.headers = (struct kvlist)KVLIST_INIT;
			strbuf_release(&resp->body);
			resp->body = hr.body;
			strbuf_init(&hr.body, 0);
			http_response_release(&hr);
			rc = parse_success(svc, resp, err);
			goto out;
		} else {
			err->kind = AWSX_ESERVICE;
			err->http_status = hr.status;
			proto_parse_error(svc->protocol, hr.status, &hr.headers,
					  hr.body.buf, hr.body.len, err);
			rc = -AWSX_ESERVICE;
			cls = retry_classify(hr.status, err->code, 0);
			long skew = retry_clock_skew(kvlist_get(&hr.headers, "Date"), time(NULL));
			if (!skew_fixed && skew &&
			    (cls == RETRY_CLOCK_SKEW || !strcmp(err->code, "SignatureDoesNotMatch") ||
			     !strcmp(err->code, "InvalidSignatureException") ||
			     !strcmp(err->code, "AuthFailure"))) {
				ctx->clock_skew = skew;
				skew_fixed = 1;
				cls = RETRY_CLOCK_SKEW;
			} else if (cls == RETRY_CLOCK_SKEW) {
				cls = RETRY_NO;
			}
		}
		http_response_release(&hr);

		if (cls == RETRY_NO || attempt >= max_attempts)
			goto out;
		long delay = 0;
		if (cls != RETRY_CLOCK_SKEW) {
			int cost = retry_quota_acquire(&ctx->quota, cls);
			if (cost < 0) {
				if (ctx->debug)
					fprintf(ctx->debug_out, "awsx: retry quota exhausted, not retrying\n");
				goto out;
			}
			quota_taken += cost;
			delay = retry_backoff_ms(attempt, (double)arc4random() / 4294967296.0);
		}
		if (ctx->debug)
			fprintf(ctx->debug_out, "awsx: %s %s attempt %d failed (%s), retrying in %ld ms\n",
				err->service, err->operation, attempt,
				err->code[0] ? err->code : err->message, delay);
		if (sleep_ms(delay)) {
			rc = aws_error_set(err, AWSX_EINTR, "interrupted");
			goto out;
		}
	}
out:
	wire_release(&w);
	strbuf_release(&host);
	strbuf_release(&base);
	strbuf_release(&url);
	return rc;
}

int aws_http_plain(struct aws_ctx *ctx, const char *method, const char *url,
		   const struct kvlist *headers, long timeout_ms,
		   struct http_response *resp, struct aws_error *err)
{
	struct kvlist h = KVLIST_INIT;
	if (headers)
		for (size_t i = 0; i < headers->nr; i++)
			kvlist_add(&h, headers->items[i].name, headers->items[i].value);
	kvlist_add(&h, "User-Agent", user_agent());
	struct http_request req = {
		.method = method,
		.url = url,
		.headers = &h,
		.connect_timeout_ms = timeout_ms,
		.read_timeout_ms = timeout_ms,
		.ca_bundle = ctx->ca_bundle,
		.debug = ctx->debug ? ctx->debug_out : NULL,
		.max_body = 1 << 20,
	};
	int rc = http_perform(ctx->http, &req, resp, NULL, err);
	kvlist_release(&h);
	return rc;
}

int aws_presign(struct aws_ctx *ctx, const struct aws_service *svc,
		struct aws_call *call, long expires, struct strbuf *out,
		struct aws_error *err)
{
	int rc;
	struct endpoint ep;
	struct strbuf host = STRBUF_INIT, base = STRBUF_INIT, path = STRBUF_INIT;
	struct kvlist query = KVLIST_INIT, headers = KVLIST_INIT;
	struct sigv4_result sig;
	const struct aws_credentials *creds;
	const char *method;

	sigv4_result_init(&sig);
	aws_error_clear(err);
	if (expires < 1 || expires > 604800) {
		rc = aws_error_set(err, AWSX_EUSAGE,
				   "a presigned URL lasts 1 to 604800 seconds, not %ld", expires);
		goto out;
	}
	if ((rc = resolve_target(ctx, svc, call, &ep, &host, &base, err)))
		goto out;
	if ((rc = aws_ctx_credentials(ctx, &creds, err)))
		goto out;
	strbuf_adds(&path, base.buf);
	if (svc->protocol == AWS_PROTO_QUERY || svc->protocol == AWS_PROTO_EC2) {
		method = "GET";
		strbuf_addch(&path, '/');
		kvlist_add(&query, "Action", call->operation);
		kvlist_add(&query, "Version", svc->api_version);
		for (size_t i = 0; i < call->params.nr; i++)
			kvlist_add(&query, call->params.items[i].name, call->params.items[i].value);
	} else {
		method = call->method ? call->method : "GET";
		strbuf_adds(&path, call->path ? call->path : "/");
		for (size_t i = 0; i < call->query.nr; i++)
			kvlist_add(&query, call->query.items[i].name, call->query.items[i].value);
	}
	kvlist_add(&headers, "Host", host.buf);
	struct sigv4_signer s;
	init_signer(&s, ctx, svc, creds, &ep,
		    (svc->flags & AWS_SVC_S3) ? 0 : SIGV4_DEFAULT_FLAGS);
	s.expires = expires;
	struct sigv4_request sr = {
		.method = method,
		.path = path.buf,
		.query = &query,
		.headers = &headers,
		.payload_hash = (svc->flags & AWS_SVC_S3) ? "UNSIGNED-PAYLOAD" : NULL,
	};
	if (sigv4_presign(&s, &sr, &sig)) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot presign the request");
		goto out;
	}
	for (size_t i = 0; i < sig.add.nr; i++)
		kvlist_add(&query, sig.add.items[i].name, sig.add.items[i].value);
	strbuf_add(out, ep.url, (size_t)(strstr(ep.url, "://") - ep.url + 3));
	strbuf_add(out, host.buf, host.len);
	strbuf_add(out, path.buf, path.len);
	add_query_string(out, &query);
out:
	sigv4_result_release(&sig);
	kvlist_release(&query);
	kvlist_release(&headers);
	strbuf_release(&host);
	strbuf_release(&base);
	strbuf_release(&path);
	return rc;
}
