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

int aws_interrupted(void)
{
	return http_interrupted;
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
	if (call->host_prefix && !ep->overridden) {
		char *h = xstrfmt("%s%s", call->host_prefix, host->buf);
		strbuf_reset(host);
		strbuf_adds(host, h);
		free(h);
	}
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

/* ---- the call engine: one state machine per call, many in flight ---- */

struct pending {
	const struct aws_service *svc;
	struct aws_call *call;
	struct aws_response *resp;
	struct aws_response own_resp; /* batch calls: the answer handed to done */
	aws_done_fn done;
	void (*timer)(void *ud); /* a timer (aws_batch_add_timer): no call */
	void *ud;
	struct aws_error err;
	int rc;
	int finished;

	struct endpoint ep;
	struct wire w;
	struct strbuf host, base, url;
	char rate_key[160];
	char invocation[37];
	int attempt, max_attempts, quota_taken, skew_fixed;
	long long not_before_ms;
	struct http_xfer *xfer;
	struct http_response hr;
};

struct rate_slot {
	char key[160];
	long long next_ms;
};

struct aws_batch {
	struct aws_ctx *ctx;
	int max_in_flight;
	int in_flight;
	struct pending **items;
	size_t nr, alloc;
	struct {
		const struct aws_service *svc;
		double per_second;
	} limits[16];
	size_t nlimits;
	struct rate_slot *slots;
	size_t nslots, alloc_slots;
	int cancelled; /* aws_batch_cancel */
};

static void pending_free(struct pending *p)
{
	wire_release(&p->w);
	strbuf_release(&p->host);
	strbuf_release(&p->base);
	strbuf_release(&p->url);
	http_response_release(&p->hr);
	if (p->resp == &p->own_resp)
		aws_response_release(&p->own_resp);
	free(p);
}

static void pending_finish(struct pending *p, int rc)
{
	p->rc = rc;
	p->finished = 1;
}

/* Resolve, serialise and build the URL once per call. */
static int pending_prepare(struct aws_ctx *ctx, struct pending *p)
{
	const char *region = p->call->region ? p->call->region : ctx->region;
	int rc;

	snprintf(p->err.service, sizeof(p->err.service), "%s",
		 p->svc->name ? p->svc->name : p->svc->endpoint_prefix);
	snprintf(p->err.operation, sizeof(p->err.operation), "%s", p->call->operation);
	rc = resolve_target(ctx, p->svc, p->call, &p->ep, &p->host, &p->base, &p->err);
	if (rc)
		return rc;
	build_wire(p->svc, p->call, p->base.buf, &p->w);
	strbuf_add(&p->url, p->ep.url, (size_t)(strstr(p->ep.url, "://") - p->ep.url + 3));
	strbuf_add(&p->url, p->host.buf, p->host.len);
	strbuf_add(&p->url, p->w.path.buf, p->w.path.len);
	add_query_string(&p->url, p->w.query);
	uuid4(p->invocation);
	p->max_attempts = (p->call->flags & AWS_CALL_NO_RETRY) ? 1 : ctx->retry.max_attempts;
	snprintf(p->rate_key, sizeof(p->rate_key), "%s/%s/%s", p->svc->name,
		 region ? region : "-",
		 p->call->credentials ? p->call->credentials->access_key_id : "");
	return 0;
}

/* Sign and send one attempt.  Errors here end the call (no retry). */
static int pending_start(struct aws_ctx *ctx, struct pending *p)
{
	const struct aws_credentials *creds = NULL;
	struct kvlist headers = KVLIST_INIT;
	struct sigv4_result sig;
	char req_hdr[64];
	int rc = 0;

	p->attempt++;
	p->err.attempts = p->attempt;
	if (!(p->svc->flags & AWS_SVC_UNSIGNED) && !(p->call->flags & AWS_CALL_ANONYMOUS)) {
		if (p->call->credentials)
			creds = p->call->credentials;
		else if ((rc = aws_ctx_credentials(ctx, &creds, &p->err)))
			return rc;
	}
	sigv4_result_init(&sig);
	kvlist_add(&headers, "Host", p->host.buf);
	for (size_t i = 0; i < p->w.headers.nr; i++)
		kvlist_add(&headers, p->w.headers.items[i].name, p->w.headers.items[i].value);
	kvlist_add(&headers, "amz-sdk-invocation-id", p->invocation);
	snprintf(req_hdr, sizeof(req_hdr), "attempt=%d; max=%d", p->attempt, p->max_attempts);
	kvlist_add(&headers, "amz-sdk-request", req_hdr);
	if (creds) {
		struct sigv4_signer s;
		init_signer(&s, ctx, p->svc, creds, &p->ep,
			    (p->svc->flags & AWS_SVC_S3) ? SIGV4_CONTENT_SHA256 : SIGV4_DEFAULT_FLAGS);
		struct sigv4_request sr = {
			.method = p->w.method,
			.path = p->w.path.buf,
			.query = p->w.query,
			.headers = &headers,
			.body = p->w.body_ptr,
			.body_len = p->w.body_len,
		};
		if (sigv4_sign_headers(&s, &sr, &sig)) {
			rc = aws_error_set(&p->err, AWSX_EFAIL, "cannot sign the request");
			goto out;
		}
		for (size_t i = 0; i < sig.add.nr; i++)
			kvlist_set(&headers, sig.add.items[i].name, sig.add.items[i].value);
	}
	/* like the SDKs, leave User-Agent out of the signature: proxies rewrite it */
	kvlist_add(&headers, "User-Agent", user_agent());

	struct http_request hreq = {
		.method = p->w.method,
		.url = p->url.buf,
		.headers = &headers,
		.body = p->w.body_ptr,
		.body_len = p->w.body_len,
		.connect_timeout_ms = ctx->connect_timeout_ms,
		.read_timeout_ms = ctx->read_timeout_ms,
		.ca_bundle = ctx->ca_bundle,
		.debug = ctx->debug ? ctx->debug_out : NULL,
		.on_data = p->call->on_stream,
		.on_data_ud = p->call->stream_ud,
	};
	p->xfer = http_start(ctx->http, &hreq, &p->hr);
out:
	kvlist_release(&headers); /* curl keeps its own copy of the header lines */
	sigv4_result_release(&sig);
	return rc;
}

/*
 * Take the outcome of the attempt in flight: finish the call (success or
 * final error) or schedule a retry by setting not_before_ms.
 */
static void pending_complete(struct aws_ctx *ctx, struct pending *p)
{
	int timed_out = 0;
	enum retry_class cls = RETRY_NO;
	int rc;

	aws_error_clear(&p->err);
	snprintf(p->err.service, sizeof(p->err.service), "%s",
		 p->svc->name ? p->svc->name : p->svc->endpoint_prefix);
	snprintf(p->err.operation, sizeof(p->err.operation), "%s", p->call->operation);
	p->err.attempts = p->attempt;
	rc = http_finish(ctx->http, p->xfer, &timed_out, &p->err);
	p->xfer = NULL;
	if (rc == -AWSX_EINTR) {
		pending_finish(p, rc);
		return;
	}
	if (rc) {
		cls = RETRY_TIMEOUT;
	} else if (p->hr.status >= 200 && p->hr.status < 300) {
		struct aws_response *resp = p->resp;
		retry_quota_release(&ctx->quota, p->quota_taken);
		resp->status = p->hr.status;
		kvlist_release(&resp->headers);
		resp->headers = p->hr.headers;
		p->hr.headers = (struct kvlist)KVLIST_INIT;
		strbuf_release(&resp->body);
		resp->body = p->hr.body;
		strbuf_init(&p->hr.body, 0);
		pending_finish(p, p->call->on_stream || (p->call->flags & AWS_CALL_RAW)
				      ? 0
				      : parse_success(p->svc, resp, &p->err));
		return;
	} else {
		p->err.kind = AWSX_ESERVICE;
		p->err.http_status = p->hr.status;
		proto_parse_error(p->svc->protocol, p->hr.status, &p->hr.headers, p->hr.body.buf,
				  p->hr.body.len, &p->err);
		rc = -AWSX_ESERVICE;
		cls = retry_classify(p->hr.status, p->err.code, 0);
		long skew = retry_clock_skew(kvlist_get(&p->hr.headers, "Date"), time(NULL));
		if (!p->skew_fixed && skew &&
		    (cls == RETRY_CLOCK_SKEW || !strcmp(p->err.code, "SignatureDoesNotMatch") ||
		     !strcmp(p->err.code, "InvalidSignatureException") ||
		     !strcmp(p->err.code, "AuthFailure"))) {
			ctx->clock_skew = skew;
			p->skew_fixed = 1;
			cls = RETRY_CLOCK_SKEW;
		} else if (cls == RETRY_CLOCK_SKEW) {
			cls = RETRY_NO;
		}
	}
	if (cls == RETRY_NO || p->attempt >= p->max_attempts) {
		pending_finish(p, rc);
		return;
	}
	long delay = 0;
	if (cls != RETRY_CLOCK_SKEW) {
		int cost = retry_quota_acquire(&ctx->quota, cls);
		if (cost < 0) {
			if (ctx->debug)
				fprintf(ctx->debug_out, "awsx: retry quota exhausted, not retrying\n");
			pending_finish(p, rc);
			return;
		}
		p->quota_taken += cost;
		delay = retry_backoff_ms(p->attempt, (double)arc4random() / 4294967296.0);
	}
	if (ctx->debug)
		fprintf(ctx->debug_out, "awsx: %s %s attempt %d failed (%s), retrying in %ld ms\n",
			p->err.service, p->err.operation, p->attempt,
			p->err.code[0] ? p->err.code : p->err.message, delay);
	p->not_before_ms = now_ms_monotonic() + delay;
}

struct aws_batch *aws_batch_new(struct aws_ctx *ctx, int max_in_flight)
{
	struct aws_batch *b = xcalloc(1, sizeof(*b));
	b->ctx = ctx;
	b->max_in_flight = max_in_flight > 0 ? max_in_flight : 16;
	return b;
}

void aws_batch_limit(struct aws_batch *b, const struct aws_service *svc, double per_second)
{
	for (size_t i = 0; i < b->nlimits; i++) {
		if (b->limits[i].svc == svc) {
			b->limits[i].per_second = per_second;
			return;
		}
	}
	if (b->nlimits < ARRAY_SIZE(b->limits)) {
		b->limits[b->nlimits].svc = svc;
		b->limits[b->nlimits++].per_second = per_second;
	}
}

static struct pending *pending_new(void)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	/* xcalloc leaves NULL buffers: strbufs must start as "" */
	strbuf_init(&p->w.path, 0);
	strbuf_init(&p->w.body, 0);
	strbuf_init(&p->host, 0);
	strbuf_init(&p->base, 0);
	strbuf_init(&p->url, 0);
	http_response_init(&p->hr);
	return p;
}

static struct pending *batch_queue(struct aws_batch *b, const struct aws_service *svc,
				   struct aws_call *call, struct aws_response *resp,
				   aws_done_fn done, void *ud)
{
	struct pending *p = pending_new();
	p->svc = svc;
	p->call = call;
	p->done = done;
	p->ud = ud;
	if (resp) {
		p->resp = resp;
	} else {
		aws_response_init(&p->own_resp);
		p->resp = &p->own_resp;
	}
	if (pending_prepare(b->ctx, p))
		pending_finish(p, -(p->err.kind ? p->err.kind : AWSX_EFAIL));
	ALLOC_GROW(b->items, b->nr + 1, b->alloc);
	b->items[b->nr++] = p;
	return p;
}

void aws_batch_add(struct aws_batch *b, const struct aws_service *svc, struct aws_call *call,
		   aws_done_fn done, void *ud)
{
	batch_queue(b, svc, call, NULL, done, ud);
}

void aws_batch_add_after(struct aws_batch *b, const struct aws_service *svc,
			 struct aws_call *call, aws_done_fn done, void *ud, long delay_ms)
{
	struct pending *p = batch_queue(b, svc, call, NULL, done, ud);
	if (delay_ms > 0)
		p->not_before_ms = now_ms_monotonic() + delay_ms;
}

void aws_batch_add_timer(struct aws_batch *b, void (*fn)(void *ud), void *ud, long delay_ms)
{
	struct pending *p = pending_new();
	p->timer = fn;
	p->ud = ud;
	p->not_before_ms = now_ms_monotonic() + (delay_ms > 0 ? delay_ms : 0);
	ALLOC_GROW(b->items, b->nr + 1, b->alloc);
	b->items[b->nr++] = p;
}

/* Milliseconds until p may start under its service's rate limit (0: now). */
static long long rate_wait(struct aws_batch *b, struct pending *p, long long now)
{
	double per_second = 0;
	for (size_t i = 0; i < b->nlimits; i++)
		if (b->limits[i].svc == p->svc)
			per_second = b->limits[i].per_second;
	if (per_second <= 0)
		return 0;
	struct rate_slot *slot = NULL;
	for (size_t i = 0; i < b->nslots; i++)
		if (!strcmp(b->slots[i].key, p->rate_key))
			slot = &b->slots[i];
	if (!slot) {
		ALLOC_GROW(b->slots, b->nslots + 1, b->alloc_slots);
		slot = &b->slots[b->nslots++];
		memset(slot, 0, sizeof(*slot));
		snprintf(slot->key, sizeof(slot->key), "%s", p->rate_key);
	}
	if (slot->next_ms > now)
		return slot->next_ms - now;
	slot->next_ms = now + (long long)(1000.0 / per_second);
	return 0;
}

/* Hand finished calls to their callbacks and drop them from the batch. */
static void batch_reap(struct aws_batch *b, struct pending *keep)
{
	for (size_t i = 0; i < b->nr;) {
		struct pending *p = b->items[i];
		if (!p->finished || p == keep) {
			i++;
			continue;
		}
		memmove(&b->items[i], &b->items[i + 1], (b->nr - i - 1) * sizeof(*b->items));
		b->nr--;
		if (p->timer && !p->rc)
			p->timer(p->ud);
		else if (p->done)
			p->done(p->call, p->resp, p->rc ? &p->err : NULL, p->rc, p->ud);
		pending_free(p);
	}
}

/*
 * Drive the batch until 'until' has finished (or, when NULL, until every
 * call has, including calls added by callbacks).
 */
static int batch_drive(struct aws_batch *b, struct pending *until)
{
	struct aws_ctx *ctx = b->ctx;
	for (;;) {
		long long now = now_ms_monotonic(), wake = -1;
		int waiting = 0;

		batch_reap(b, until);
		if (until ? until->finished : b->nr == 0)
			return 0;
		if (b->cancelled)
			break;
		for (size_t i = 0; i < b->nr; i++) {
			struct pending *p = b->items[i];
			if (p->finished)
				continue;
			if (p->xfer) {
				if (http_xfer_done(p->xfer)) {
					pending_complete(ctx, p);
					b->in_flight--;
					/*
					 * Its done (or its retry) is due now: do not sleep
					 * until some other call's later start first.
					 */
					long long t = p->finished ? now : p->not_before_ms;
					if (wake < 0 || t < wake)
						wake = t;
					waiting = 1;
				}
				continue;
			}
			if (p->timer) {
				if (p->not_before_ms <= now) {
					pending_finish(p, 0);
					wake = now; /* reap it without waiting */
				} else if (wake < 0 || p->not_before_ms < wake) {
					wake = p->not_before_ms;
				}
				waiting = 1;
				continue;
			}
			if (b->in_flight >= b->max_in_flight) {
				waiting = 1;
				continue;
			}
			long long at = p->not_before_ms;
			long long rw = at <= now ? rate_wait(b, p, now) : 0;
			if (at > now || rw > 0) {
				long long t = at > now ? at : now + rw;
				if (wake < 0 || t < wake)
					wake = t;
				waiting = 1;
				continue;
			}
			int rc = pending_start(ctx, p);
			if (rc)
				pending_finish(p, rc);
			else
				b->in_flight++;
		}
		if (http_interrupted || b->cancelled)
			break;
		if (b->in_flight > 0) {
			long t = 200;
			if (wake >= 0 && wake - now < t)
				t = wake - now > 0 ? (long)(wake - now) : 0;
			if (http_wait(ctx->http, t) == -AWSX_EINTR)
				break;
		} else if (waiting && wake >= 0) {
			if (sleep_ms((long)(wake - now)))
				break;
		}
	}
	/* interrupted or cancelled: end every call that has not finished */
	int interrupted = http_interrupted != 0;
	for (size_t i = 0; i < b->nr; i++) {
		struct pending *p = b->items[i];
		if (p->finished)
			continue;
		if (p->xfer) {
			http_finish(ctx->http, p->xfer, NULL, &p->err);
			p->xfer = NULL;
			b->in_flight--;
		}
		aws_error_set(&p->err, AWSX_EINTR, interrupted ? "interrupted" : "cancelled");
		pending_finish(p, -AWSX_EINTR);
	}
	batch_reap(b, until);
	return interrupted ? -AWSX_EINTR : 0;
}

void aws_batch_cancel(struct aws_batch *b)
{
	b->cancelled = 1;
}

int aws_batch_run(struct aws_batch *b)
{
	return batch_drive(b, NULL);
}

void aws_batch_free(struct aws_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nr; i++) {
		if (b->items[i]->xfer)
			http_finish(b->ctx->http, b->items[i]->xfer, NULL, &b->items[i]->err);
		pending_free(b->items[i]);
	}
	free(b->items);
	free(b->slots);
	free(b);
}

int aws_call(struct aws_ctx *ctx, const struct aws_service *svc,
	     struct aws_call *call, struct aws_response *resp,
	     struct aws_error *err)
{
	/* a batch of one: the same engine, run until this call has finished */
	struct aws_batch b = { .ctx = ctx, .max_in_flight = 1 };
	struct pending *p = batch_queue(&b, svc, call, resp, NULL, NULL);
	batch_drive(&b, p);
	int rc = p->rc;
	*err = p->err;
	if (!rc)
		aws_error_clear(err);
	for (size_t i = 0; i < b.nr; i++)
		pending_free(b.items[i]);
	free(b.items);
	free(b.slots);
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
