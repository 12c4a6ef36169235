/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flows.c: one flow per resource, each a small state machine driven by the
 * answers of its calls inside one aws_batch, so that every resource's sync
 * runs concurrently with the others (the batch bounds the calls in flight)
 * while each resource has exactly one call at a time.  A layer's flow runs
 * before the flows of the functions that use it: those start when it has
 * published (or found nothing to publish), and the version it superseded
 * is deleted once they have all moved to the new one.
 *
 * Every flow reads before it writes: a function's code is compared with
 * GetFunction's CodeSha256, its layers with its configuration, a layer with
 * its latest version's CodeSha256, a state machine with its deployed
 * definition.  APIs cannot be read back cheaply, so their definitions are
 * compared with the hash the last sync recorded in the state file.
 */
#include "sync/deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/sigv4.h"

#define FLOW_CONFLICT_RETRIES 60   /* ResourceConflictException: wait and retry */
#define FLOW_CONFLICT_DELAY_MS 1000
#define FLOW_MAX_POLLS	       600 /* LastUpdateStatus polls, about ten minutes */
#define FLOW_DEP_LAYER_DESC    "awsx dependencies "

struct flow;
typedef void step_fn(struct flow *f, struct aws_response *resp);

struct run {
	struct aws_ctx *ctx;
	struct aws_batch *batch;
	const struct sync_flow_options *opts;
	struct flow *flows;
	size_t nr;
};

struct flow {
	struct run *run;
	struct sync_built *b;
	const struct tmpl_resource *res;
	const struct sync_physical *phys;
	struct sync_result *out;
	struct aws_call call;
	const struct aws_service *svc;
	step_fn *next;	      /* handles the answer of the call in flight */
	step_fn *on_404;      /* handles a 404 answer instead (NULL: it fails the flow) */
	struct strbuf body;   /* the request body, alive while the call is */
	int started, finished;
	int conflicts, polls;
	step_fn *after_wait;  /* where a LastUpdateStatus wait goes on */
	long long t0;

	/* a function waits for its layers' flows; a layer counts its functions */
	int layers_pending;
	struct flow **users;
	size_t users_nr, users_alloc;
	int users_running;
	char *superseded; /* a layer version to delete once its users moved on */

	/* functions */
	cJSON *config;	      /* GetFunction's Configuration */
	char *dep_name;	      /* the dependency layer's name */
	char *dep_arn;	      /* its version to use */
	char *dep_old;	      /* the version it replaces, deleted at the end */
	int code_changed;
	char *version;	      /* published for AutoPublishAlias */

	/* layers: the name published under */
	char *layer_name;

	/* REST APIs */
	char *deployment;
	cJSON *stages;
	int stage_next;
};

/* ---- small helpers ---- */

static void encode(struct strbuf *sb, const char *s)
{
	sigv4_uri_encode(sb, s, strlen(s), 0);
}

/* A fresh call for f (the previous one is released). */
static struct aws_call *call_new(struct flow *f, const char *op, const char *method,
				 const char *path_fmt, const char *a, const char *b2)
{
	struct strbuf path = STRBUF_INIT;
	aws_call_release(&f->call);
	aws_call_init(&f->call, op);
	f->call.method = method;
	/* path_fmt has up to two %s, each URI-encoded */
	for (const char *p = path_fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			encode(&path, a);
			a = b2;
			p++;
		} else {
			strbuf_addch(&path, *p);
		}
	}
	f->call.path = strbuf_detach(&path, NULL);
	return &f->call;
}

static void on_done(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud);

static void send(struct flow *f, const struct aws_service *svc, step_fn *next, long delay_ms)
{
	if (!f->t0)
		f->t0 = now_ms_monotonic();
	f->svc = svc;
	f->next = next;
	f->on_404 = NULL;
	aws_batch_add_after(f->run->batch, svc, &f->call, on_done, f, delay_ms);
}

/* The same, with a 404 answer (not found) handled by on_404 instead of failing. */
static void send_or_404(struct flow *f, const struct aws_service *svc, step_fn *next,
			step_fn *on_404)
{
	send(f, svc, next, 0);
	f->on_404 = on_404;
}

static int is_write(const char *method)
{
	return method && strcmp(method, "GET") && strcmp(method, "HEAD");
}

static void flow_finish(struct flow *f);

static void fail(struct flow *f, const struct aws_error *err)
{
	f->out->outcome = SYNC_FAILED;
	f->out->err = *err;
	struct strbuf msg = STRBUF_INIT;
	aws_error_format(err, &msg);
	free(f->out->detail);
	f->out->detail = strbuf_detach(&msg, NULL);
	flow_finish(f);
}

static void fail_msg(struct flow *f, int kind, const char *msg)
{
	struct aws_error err;
	aws_error_clear(&err);
	aws_error_set(&err, kind, "%s", msg);
	fail(f, &err);
}

/* Calls that change something, counted for the report (and by the tests). */
static int is_write_call(const struct flow *f)
{
	const char *op = f->call.operation;
	if (f->svc->protocol == AWS_PROTO_JSON || f->svc->protocol == AWS_PROTO_QUERY)
		return !str_starts_with(op, "Describe") && !str_starts_with(op, "List") &&
		       !str_starts_with(op, "Get");
	return is_write(f->call.method);
}

static void on_done(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud)
{
	struct flow *f = ud;
	(void)call;
	if (rc) {
		/* Lambda is still applying an earlier change to this function */
		if (!strcmp(err->code, "ResourceConflictException") &&
		    f->conflicts++ < FLOW_CONFLICT_RETRIES) {
			aws_batch_add_after(f->run->batch, f->svc, &f->call, on_done, f,
					    FLOW_CONFLICT_DELAY_MS);
			return;
		}
		if (err->http_status == 404 && f->on_404) {
			f->on_404(f, NULL);
			return;
		}
		fail(f, err);
		return;
	}
	if (is_write_call(f))
		f->out->write_calls++;
	f->next(f, resp);
}

static void set_detail(struct flow *f, const char *fmt, const char *arg)
{
	free(f->out->detail);
	f->out->detail = xstrfmt(fmt, arg);
}

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* "arn:aws:lambda:r:a:layer:name:3" -> length of "arn:...:layer:name" */
static size_t layer_base_len(const char *arn)
{
	const char *colon = strrchr(arn, ':');
	return colon ? (size_t)(colon - arn) : strlen(arn);
}

static int same_layer(const char *a, const char *b)
{
	size_t n = layer_base_len(a);
	return n == layer_base_len(b) && !strncmp(a, b, n);
}

/* The name part of a layer ARN (or the name itself). */
static char *layer_name_of(const char *arn)
{
	size_t n = layer_base_len(arn);
	const char *p = strstr(arn, ":layer:");
	if (!p)
		return xstrdup(arn);
	p += 7;
	return xstrndup(p, n - (size_t)(p - arn));
}

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024)
		snprintf(buf, len, "%.1f MB", (double)n / (1024.0 * 1024.0));
	else
		snprintf(buf, len, "%.1f kB", (double)n / 1024.0);
}

/*
 * The body {"ZipFile": base64} or, through S3, {"S3Bucket", "S3Key"} for a
 * package (member is "" for UpdateFunctionCode, "Content" for layers).
 * Returns 1 when the package must first go to S3 (f->body then holds the
 * zip itself), 0 when body is ready, -1 with f failed.
 */
static int zip_body(struct flow *f, const struct sync_package *p, struct strbuf *out)
{
	struct strbuf zip = STRBUF_INIT;
	struct aws_error err;
	aws_error_clear(&err);
	if (strbuf_read_file(&zip, p->zip_path, 1u << 30)) {
		aws_error_set(&err, AWSX_EFAIL, "cannot read '%s': %s", p->zip_path,
			      strerror(errno));
		fail(f, &err);
		strbuf_release(&zip);
		return -1;
	}
	if (zip.len > SYNC_LAMBDA_MAX_ZIPPED_DIRECT) {
		if (!f->run->opts->s3_bucket) {
			char size[32];
			human_size(zip.len, size, sizeof(size));
			aws_error_set(&err, AWSX_EUSAGE,
				      "the package of %s is %s, over Lambda's 50 MB limit for a "
				      "direct upload: pass --s3-bucket BUCKET to upload it through S3",
				      f->res->id, size);
			fail(f, &err);
			strbuf_release(&zip);
			return -1;
		}
		strbuf_release(out);
		*out = zip;
		return 1;
	}
	strbuf_reset(out);
	strbuf_grow(out, 4 * (zip.len / 3 + 1) + 32);
	strbuf_adds(out, "{\"ZipFile\":\"");
	size_t n = (size_t)EVP_EncodeBlock((unsigned char *)out->buf + out->len,
					   (const unsigned char *)zip.buf, (int)zip.len);
	strbuf_setlen(out, out->len + n);
	strbuf_adds(out, "\"}");
	strbuf_release(&zip);
	return 0;
}

static char *s3_key_for(struct flow *f, const struct sync_package *p)
{
	/* content-addressed: the same package is the same object */
	unsigned char raw[64];
	int n = EVP_DecodeBlock(raw, (const unsigned char *)p->sha256_b64, 44);
	struct strbuf hex = STRBUF_INIT;
	strbuf_addhex(&hex, raw, n >= 32 ? 32 : 0);
	char *key = xstrfmt("awsx/%s/%s.zip", f->run->opts->stack_name, hex.buf);
	strbuf_release(&hex);
	return key;
}

/* ---- waiting for a function update to settle ---- */

static void wait_answer(struct flow *f, struct aws_response *resp);

static void wait_update(struct flow *f, const cJSON *answer, step_fn *then)
{
	const char *status = jstr(answer, "LastUpdateStatus");
	f->after_wait = then;
	if (status && !strcmp(status, "Failed")) {
		struct strbuf msg = STRBUF_INIT;
		const char *why = jstr(answer, "LastUpdateStatusReason");
		strbuf_addf(&msg, "the update of %s failed: %s", f->res->id,
			    why ? why : "Lambda gave no reason");
		fail_msg(f, AWSX_ESERVICE, msg.buf);
		strbuf_release(&msg);
		return;
	}
	if (!status || strcmp(status, "InProgress")) {
		then(f, NULL);
		return;
	}
	if (f->polls++ >= FLOW_MAX_POLLS) {
		fail_msg(f, AWSX_ESERVICE, "the function update did not finish in ten minutes");
		return;
	}
	long delay = f->polls < 4 ? 100L << f->polls : 1000;
	call_new(f, "GetFunctionConfiguration", "GET", "/2015-03-31/functions/%s/configuration",
		 f->phys->physical, NULL);
	send(f, &aws_svc_lambda, wait_answer, delay);
}

static void wait_answer(struct flow *f, struct aws_response *resp)
{
	wait_update(f, resp->json, f->after_wait);
}

/* ---- functions ---- */

static void fn_get(struct flow *f);
static void fn_got(struct flow *f, struct aws_response *resp);
static void fn_layers(struct flow *f);
static void fn_code(struct flow *f, struct aws_response *resp);
static void fn_alias(struct flow *f, struct aws_response *resp);
static void fn_cleanup(struct flow *f, struct aws_response *resp);

static void dep_listed(struct flow *f, struct aws_response *resp);
static void dep_published(struct flow *f, struct aws_response *resp);

static void fn_start(struct flow *f)
{
	if (!f->b->has_layer) {
		fn_get(f);
		return;
	}
	/* an existing version with the same dependency key is reused */
	call_new(f, "ListLayerVersions", "GET", "/2018-10-31/layers/%s/versions", f->dep_name,
		 NULL);
	send_or_404(f, &aws_svc_lambda, dep_listed, dep_listed);
}

static void dep_publish(struct flow *f, struct aws_response *resp);

static void dep_listed(struct flow *f, struct aws_response *resp)
{
	char *want = xstrfmt(FLOW_DEP_LAYER_DESC "%s", f->b->deps.key);
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(resp ? resp->json : NULL,
							       "LayerVersions"))
	{
		const char *desc = jstr(v, "Description"), *arn = jstr(v, "LayerVersionArn");
		if (desc && arn && !strcmp(desc, want)) {
			f->dep_arn = xstrdup(arn);
			break;
		}
	}
	free(want);
	if (f->dep_arn)
		fn_get(f);
	else
		dep_publish(f, NULL);
}

static void s3_put_then(struct flow *f, const struct sync_package *p, step_fn *then)
{
	char *key = s3_key_for(f, p);
	call_new(f, "PutObject", "PUT", "/%s/", f->run->opts->s3_bucket, NULL);
	/* the key keeps its slashes */
	struct strbuf path = STRBUF_INIT;
	strbuf_adds(&path, f->call.path);
	sigv4_uri_encode(&path, key, strlen(key), 1);
	free(f->call.path);
	f->call.path = strbuf_detach(&path, NULL);
	f->call.body = f->body.buf;
	f->call.body_len = f->body.len;
	kvlist_add(&f->call.headers, "Content-Type", "application/zip");
	free(key);
	send(f, &aws_svc_s3, then, 0);
}

static cJSON *s3_location(struct flow *f, const struct sync_package *p)
{
	cJSON *o = cJSON_CreateObject();
	char *key = s3_key_for(f, p);
	cJSON_AddStringToObject(o, "S3Bucket", f->run->opts->s3_bucket);
	cJSON_AddStringToObject(o, "S3Key", key);
	free(key);
	return o;
}

/* PublishLayerVersion of pkg for layer name, Content inline or from S3 (f->body). */
static void publish_layer(struct flow *f, const char *name, const struct sync_package *pkg,
			  const char *description, const cJSON *runtimes, const cJSON *archs,
			  const char *license, int via_s3, step_fn *then)
{
	cJSON *req = cJSON_CreateObject();
	if (description)
		cJSON_AddStringToObject(req, "Description", description);
	if (runtimes && cJSON_GetArraySize(runtimes))
		cJSON_AddItemToObject(req, "CompatibleRuntimes", cJSON_Duplicate(runtimes, 1));
	if (archs && cJSON_GetArraySize(archs))
		cJSON_AddItemToObject(req, "CompatibleArchitectures", cJSON_Duplicate(archs, 1));
	if (license)
		cJSON_AddStringToObject(req, "LicenseInfo", license);
	char *meta = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);

	call_new(f, "PublishLayerVersion", "POST", "/2018-10-31/layers/%s/versions", name, NULL);
	/* {"Content":{"ZipFile":"..."}, ...meta} assembled by hand: the zip is large */
	struct strbuf body = STRBUF_INIT;
	strbuf_adds(&body, "{\"Content\":");
	if (via_s3) {
		cJSON *loc = s3_location(f, pkg);
		char *s = cJSON_PrintUnformatted(loc);
		strbuf_adds(&body, s);
		cJSON_free(s);
		cJSON_Delete(loc);
	} else {
		strbuf_add(&body, f->body.buf, f->body.len);
	}
	if (strlen(meta) > 2) {
		strbuf_addch(&body, ',');
		strbuf_add(&body, meta + 1, strlen(meta) - 2);
	}
	strbuf_addch(&body, '}');
	cJSON_free(meta);
	strbuf_release(&f->body);
	f->body = body;
	f->call.body = f->body.buf;
	f->call.body_len = f->body.len;
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	send(f, &aws_svc_lambda, then, 0);
}

static void dep_publish_s3(struct flow *f, struct aws_response *resp);

static void dep_publish(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	int s3 = zip_body(f, &f->b->layer, &f->body);
	if (s3 < 0)
		return;
	if (s3) {
		s3_put_then(f, &f->b->layer, dep_publish_s3);
		return;
	}
	dep_publish_s3(f, NULL);
}

static void dep_publish_s3(struct flow *f, struct aws_response *resp)
{
	char *desc = xstrfmt(FLOW_DEP_LAYER_DESC "%s", f->b->deps.key);
	cJSON *rt = cJSON_CreateArray(), *ar = cJSON_CreateArray();
	const struct tmpl_resource *r = f->res;
	if (r->runtime.value)
		cJSON_AddItemToArray(rt, cJSON_CreateString(r->runtime.value));
	cJSON_AddItemToArray(ar, cJSON_CreateString(r->architectures_nr && r->architectures[0].value
							 ? r->architectures[0].value
							 : "x86_64"));
	publish_layer(f, f->dep_name, &f->b->layer, desc, rt, ar, NULL, resp != NULL,
		      dep_published);
	cJSON_Delete(rt);
	cJSON_Delete(ar);
	free(desc);
}

static void dep_published(struct flow *f, struct aws_response *resp)
{
	const char *arn = jstr(resp->json, "LayerVersionArn");
	strbuf_release(&f->body);
	if (!arn) {
		fail_msg(f, AWSX_ESERVICE, "PublishLayerVersion answered without LayerVersionArn");
		return;
	}
	f->dep_arn = xstrdup(arn);
	free(f->out->detail);
	f->out->detail = xstrfmt("dependency layer version %s published",
				 strrchr(arn, ':') ? strrchr(arn, ':') + 1 : arn);
	fn_get(f);
}

static void fn_get(struct flow *f)
{
	call_new(f, "GetFunction", "GET", "/2015-03-31/functions/%s", f->phys->physical, NULL);
	send(f, &aws_svc_lambda, fn_got, 0);
}

static void fn_got(struct flow *f, struct aws_response *resp)
{
	cJSON *conf = cJSON_GetObjectItemCaseSensitive(resp->json, "Configuration");
	if (!cJSON_IsObject(conf)) {
		fail_msg(f, AWSX_ESERVICE, "GetFunction answered without Configuration");
		return;
	}
	f->config = cJSON_Duplicate(conf, 1);
	const char *pt = jstr(f->config, "PackageType");
	if (pt && !strcmp(pt, "Image")) {
		fail_msg(f, AWSX_EFAIL,
			 "the deployed function is a container image: a code sync updates zip "
			 "functions only");
		return;
	}
	fn_layers(f);
}

/* The layer ARN a template layer reference resolves to in this run, or NULL. */
static const char *template_layer_arn(struct flow *f, const struct tmpl_layer_ref *ref)
{
	if (!ref->layer_id)
		return NULL;
	for (size_t i = 0; i < f->run->nr; i++) {
		struct flow *l = &f->run->flows[i];
		if (l->res->kind == TMPL_LAYER && !strcmp(l->res->id, ref->layer_id))
			return l->out->layer_arn;
	}
	return NULL;
}

static void fn_layers_done(struct flow *f, struct aws_response *resp);

static void fn_layers(struct flow *f)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(f->config, "Layers"), *l;
	cJSON *want = cJSON_CreateArray();
	int changed = 0;

	cJSON_ArrayForEach(l, cur)
	{
		const char *arn = jstr(l, "Arn");
		if (!arn)
			continue;
		char *name = layer_name_of(arn);
		if (f->dep_name && !strcmp(name, f->dep_name)) {
			/* our dependency layer: replaced below, or dropped when off */
			if (!f->dep_arn || strcmp(arn, f->dep_arn)) {
				changed = 1;
				free(f->dep_old);
				f->dep_old = xstrdup(arn);
			}
			free(name);
			continue;
		}
		free(name);
		const char *use = arn;
		for (size_t i = 0; i < f->res->layers_nr; i++) {
			const char *new_arn = template_layer_arn(f, &f->res->layers[i]);
			if (new_arn && same_layer(new_arn, arn))
				use = new_arn;
		}
		if (strcmp(use, arn))
			changed = 1;
		cJSON_AddItemToArray(want, cJSON_CreateString(use));
	}
	/* a layer of the template the function does not have yet (never deployed with it) */
	for (size_t i = 0; i < f->res->layers_nr; i++) {
		const char *new_arn = template_layer_arn(f, &f->res->layers[i]);
		int found = 0;
		if (!new_arn)
			continue;
		cJSON_ArrayForEach(l, want) found |= same_layer(l->valuestring, new_arn);
		if (!found) {
			cJSON_AddItemToArray(want, cJSON_CreateString(new_arn));
			changed = 1;
		}
	}
	if (f->dep_arn) {
		int had = 0;
		cJSON_ArrayForEach(l, cur)
		{
			const char *arn = jstr(l, "Arn");
			if (arn && !strcmp(arn, f->dep_arn))
				had = 1;
		}
		if (!had)
			changed = 1;
		cJSON_AddItemToArray(want, cJSON_CreateString(f->dep_arn));
	}
	if (cJSON_GetArraySize(want) > 5) {
		cJSON_Delete(want);
		fail_msg(f, AWSX_EFAIL,
			 "the function would have more than 5 layers with its dependency layer: "
			 "turn the dependency layer off (--no-dependency-layer)");
		return;
	}
	if (!changed) {
		cJSON_Delete(want);
		fn_code(f, NULL);
		return;
	}
	call_new(f, "UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/%s/configuration",
		 f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddItemToObject(f->call.json, "Layers", want);
	send(f, &aws_svc_lambda, fn_layers_done, 0);
}

static void fn_layers_next(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	fn_code(f, NULL);
}

static void fn_layers_done(struct flow *f, struct aws_response *resp)
{
	f->out->outcome = SYNC_UPDATED;
	if (!f->out->detail)
		f->out->detail = xstrdup("layers updated");
	wait_update(f, resp->json, fn_layers_next);
}

static void fn_code_sent(struct flow *f, struct aws_response *resp);
static void fn_code_s3(struct flow *f, struct aws_response *resp);

static void fn_code(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	const char *remote = jstr(f->config, "CodeSha256");
	if (remote && !strcmp(remote, f->b->code.sha256_b64)) {
		fn_alias(f, NULL);
		return;
	}
	int s3 = zip_body(f, &f->b->code, &f->body);
	if (s3 < 0)
		return;
	if (s3) {
		s3_put_then(f, &f->b->code, fn_code_s3);
		return;
	}
	call_new(f, "UpdateFunctionCode", "PUT", "/2015-03-31/functions/%s/code",
		 f->phys->physical, NULL);
	f->call.body = f->body.buf;
	f->call.body_len = f->body.len;
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	send(f, &aws_svc_lambda, fn_code_sent, 0);
}

static void fn_code_s3(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	strbuf_release(&f->body);
	call_new(f, "UpdateFunctionCode", "PUT", "/2015-03-31/functions/%s/code",
		 f->phys->physical, NULL);
	f->call.json = s3_location(f, &f->b->code);
	send(f, &aws_svc_lambda, fn_code_sent, 0);
}

static void fn_code_sent(struct flow *f, struct aws_response *resp)
{
	char size[32], *detail;
	strbuf_release(&f->body);
	f->code_changed = 1;
	f->out->outcome = SYNC_UPDATED;
	human_size(f->b->code.zip_size, size, sizeof(size));
	detail = f->out->detail ? xstrfmt("code %s, %s", size, f->out->detail)
				: xstrfmt("code %s", size);
	free(f->out->detail);
	f->out->detail = detail;
	wait_update(f, resp->json, fn_alias);
}

static void alias_updated(struct flow *f, struct aws_response *resp);
static void alias_published(struct flow *f, struct aws_response *resp);

static void fn_alias(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	const char *alias = f->res->auto_publish_alias.value;
	if (!alias || !f->code_changed) {
		fn_cleanup(f, NULL);
		return;
	}
	call_new(f, "PublishVersion", "POST", "/2015-03-31/functions/%s/versions",
		 f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "CodeSha256", f->b->code.sha256_b64);
	send(f, &aws_svc_lambda, alias_published, 0);
}

static void alias_missing(struct flow *f, struct aws_response *resp);

static void alias_published(struct flow *f, struct aws_response *resp)
{
	const char *v = jstr(resp->json, "Version");
	if (!v) {
		fail_msg(f, AWSX_ESERVICE, "PublishVersion answered without Version");
		return;
	}
	f->version = xstrdup(v);
	call_new(f, "UpdateAlias", "PUT", "/2015-03-31/functions/%s/aliases/%s",
		 f->phys->physical, f->res->auto_publish_alias.value);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "FunctionVersion", v);
	send_or_404(f, &aws_svc_lambda, alias_updated, alias_missing);
}

static void alias_missing(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	call_new(f, "CreateAlias", "POST", "/2015-03-31/functions/%s/aliases", f->phys->physical,
		 NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "Name", f->res->auto_publish_alias.value);
	cJSON_AddStringToObject(f->call.json, "FunctionVersion", f->version);
	send(f, &aws_svc_lambda, alias_updated, 0);
}

static void alias_updated(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	char *detail = xstrfmt("%s, alias %s -> version %s", f->out->detail ? f->out->detail : "",
			       f->res->auto_publish_alias.value, f->version);
	free(f->out->detail);
	f->out->detail = detail;
	fn_cleanup(f, NULL);
}

static void fn_cleaned(struct flow *f, struct aws_response *resp);

static void fn_cleanup(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	if (!f->dep_old) {
		flow_finish(f);
		return;
	}
	/* the dependency layer version the function no longer uses */
	const char *v = strrchr(f->dep_old, ':');
	char *name = layer_name_of(f->dep_old);
	call_new(f, "DeleteLayerVersion", "DELETE", "/2018-10-31/layers/%s/versions/%s", name,
		 v ? v + 1 : "0");
	free(name);
	free(f->dep_old);
	f->dep_old = NULL;
	send_or_404(f, &aws_svc_lambda, fn_cleaned, fn_cleaned);
}

static void fn_cleaned(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	flow_finish(f);
}

/* ---- layers ---- */

static void layer_listed(struct flow *f, struct aws_response *resp);
static void layer_got(struct flow *f, struct aws_response *resp);
static void layer_publish(struct flow *f);
static void layer_published(struct flow *f, struct aws_response *resp);
static void layer_release_users(struct flow *f);

/*
 * A layer's name: from its version ARN (the physical id CloudFormation
 * gives), else its LayerName, else the logical id, which is the name the
 * SAM transform gives a layer without LayerName.
 */
static char *layer_name_for(const struct flow *f)
{
	const char *lname = jstr(f->res->properties, "LayerName");
	if (f->phys->physical && strstr(f->phys->physical, ":layer:"))
		return layer_name_of(f->phys->physical);
	return xstrdup(lname ? lname : f->res->logical_id);
}

static void layer_start(struct flow *f)
{
	f->layer_name = layer_name_for(f);
	call_new(f, "ListLayerVersions", "GET", "/2018-10-31/layers/%s/versions", f->layer_name,
		 NULL);
	send_or_404(f, &aws_svc_lambda, layer_listed, layer_listed);
}

static void layer_listed(struct flow *f, struct aws_response *resp)
{
	const cJSON *first = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(resp ? resp->json : NULL, "LayerVersions"), 0);
	const char *arn = jstr(first, "LayerVersionArn");
	if (!arn) {
		layer_publish(f);
		return;
	}
	f->out->layer_arn = xstrdup(arn);
	const char *v = strrchr(arn, ':');
	char *name = layer_name_of(arn);
	call_new(f, "GetLayerVersion", "GET", "/2018-10-31/layers/%s/versions/%s", name,
		 v ? v + 1 : "0");
	free(name);
	send(f, &aws_svc_lambda, layer_got, 0);
}

static void layer_got(struct flow *f, struct aws_response *resp)
{
	const char *sha = jstr(cJSON_GetObjectItemCaseSensitive(resp->json, "Content"),
			       "CodeSha256");
	if (sha && !strcmp(sha, f->b->code.sha256_b64)) {
		layer_release_users(f);
		return;
	}
	layer_publish(f);
}

static void layer_publish_s3(struct flow *f, struct aws_response *resp);

static void layer_publish(struct flow *f)
{
	int s3 = zip_body(f, &f->b->code, &f->body);
	if (s3 < 0)
		return;
	if (s3) {
		s3_put_then(f, &f->b->code, layer_publish_s3);
		return;
	}
	layer_publish_s3(f, NULL);
}

static void layer_publish_s3(struct flow *f, struct aws_response *resp)
{
	const cJSON *props = f->res->properties;
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(props, "CompatibleRuntimes");
	const cJSON *ar = cJSON_GetObjectItemCaseSensitive(props, "CompatibleArchitectures");
	const char *desc = jstr(props, "Description");
	const char *lic = jstr(props, "LicenseInfo");
	const char *name = f->layer_name;
	/* only plain lists of strings are passed on; anything else stays CloudFormation's */
	const cJSON *x;
	cJSON_ArrayForEach(x, rt) if (!cJSON_IsString(x)) rt = NULL;
	if (!cJSON_IsArray(rt))
		rt = NULL;
	cJSON_ArrayForEach(x, ar) if (!cJSON_IsString(x)) ar = NULL;
	if (!cJSON_IsArray(ar))
		ar = NULL;
	free(f->superseded);
	f->superseded = f->out->layer_arn ? xstrdup(f->out->layer_arn) : NULL;
	publish_layer(f, name, &f->b->code, desc, rt, ar, lic, resp != NULL, layer_published);
}

static void layer_published(struct flow *f, struct aws_response *resp)
{
	const char *arn = jstr(resp->json, "LayerVersionArn");
	strbuf_release(&f->body);
	if (!arn) {
		fail_msg(f, AWSX_ESERVICE, "PublishLayerVersion answered without LayerVersionArn");
		return;
	}
	free(f->out->layer_arn);
	f->out->layer_arn = xstrdup(arn);
	f->out->outcome = SYNC_UPDATED;
	set_detail(f, "layer version %s published", strrchr(arn, ':') ? strrchr(arn, ':') + 1 : arn);
	const char *keep = jstr(f->res->properties, "RetentionPolicy");
	if (keep && !strcasecmp(keep, "Retain")) {
		free(f->superseded);
		f->superseded = NULL;
	}
	layer_release_users(f);
}

static void flow_start(struct flow *f);

/* The functions that use this layer may go on; the old version goes when they are done. */
static void layer_release_users(struct flow *f)
{
	f->users_running = (int)f->users_nr;
	for (size_t i = 0; i < f->users_nr; i++)
		if (--f->users[i]->layers_pending == 0)
			flow_start(f->users[i]);
	if (!f->users_running)
		flow_finish(f);
}

static void layer_deleted(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	free(f->superseded);
	f->superseded = NULL;
	flow_finish(f);
}

/* ---- state machines ---- */

static void sm_described(struct flow *f, struct aws_response *resp);
static void sm_updated(struct flow *f, struct aws_response *resp);

static void sm_start(struct flow *f)
{
	aws_call_release(&f->call);
	aws_call_init(&f->call, "DescribeStateMachine");
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "stateMachineArn", f->phys->physical);
	send(f, &aws_svc_sfn, sm_described, 0);
}

static void sm_described(struct flow *f, struct aws_response *resp)
{
	const char *def = jstr(resp->json, "definition");
	cJSON *parsed = def ? cJSON_Parse(def) : NULL;
	char *canon = parsed ? cJSON_PrintUnformatted(parsed) : NULL;
	int same = canon && !strcmp(canon, f->b->definition);
	cJSON_free(canon);
	cJSON_Delete(parsed);
	if (same) {
		flow_finish(f);
		return;
	}
	aws_call_release(&f->call);
	aws_call_init(&f->call, "UpdateStateMachine");
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "stateMachineArn", f->phys->physical);
	cJSON_AddStringToObject(f->call.json, "definition", f->b->definition);
	send(f, &aws_svc_sfn, sm_updated, 0);
}

static void sm_updated(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	f->out->outcome = SYNC_UPDATED;
	set_detail(f, "definition updated%s", "");
	flow_finish(f);
}

/* ---- APIs ---- */

static const char *state_definition(struct flow *f)
{
	cJSON *st = sync_state_resource(f->run->opts->state, f->res->id);
	return jstr(st, "definition");
}

static void rest_put(struct flow *f, struct aws_response *resp);
static void rest_deployed(struct flow *f, struct aws_response *resp);
static void rest_stages(struct flow *f, struct aws_response *resp);
static void rest_stage_next(struct flow *f, struct aws_response *resp);

static void rest_start(struct flow *f)
{
	const char *last = state_definition(f);
	if (last && !strcmp(last, f->b->definition_sha)) {
		flow_finish(f);
		return;
	}
	call_new(f, "PutRestApi", "PUT", "/restapis/%s", f->phys->physical, NULL);
	kvlist_add(&f->call.query, "mode", "overwrite");
	f->call.body = f->b->definition;
	f->call.body_len = strlen(f->b->definition);
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	send(f, &aws_svc_apigateway, rest_put, 0);
}

static void rest_put(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	call_new(f, "CreateDeployment", "POST", "/restapis/%s/deployments", f->phys->physical,
		 NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "description", "awsx sync --code");
	send(f, &aws_svc_apigateway, rest_deployed, 0);
}

static void rest_deployed(struct flow *f, struct aws_response *resp)
{
	const char *id = jstr(resp->json, "id");
	if (!id) {
		fail_msg(f, AWSX_ESERVICE, "CreateDeployment answered without id");
		return;
	}
	f->deployment = xstrdup(id);
	call_new(f, "GetStages", "GET", "/restapis/%s/stages", f->phys->physical, NULL);
	send(f, &aws_svc_apigateway, rest_stages, 0);
}

static void rest_stages(struct flow *f, struct aws_response *resp)
{
	f->stages = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(resp->json, "item"), 1);
	f->stage_next = 0;
	rest_stage_next(f, NULL);
}

/* Move every stage to the new deployment, one after the other. */
static void rest_stage_next(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	const char *name = jstr(cJSON_GetArrayItem(f->stages, f->stage_next), "stageName");
	if (!name) {
		int n = cJSON_GetArraySize(f->stages);
		f->out->outcome = SYNC_UPDATED;
		free(f->out->detail);
		f->out->detail = xstrfmt("definition updated, deployment %s on %d stage%s",
					 f->deployment, n, n == 1 ? "" : "s");
		flow_finish(f);
		return;
	}
	f->stage_next++;
	call_new(f, "UpdateStage", "PATCH", "/restapis/%s/stages/%s", f->phys->physical, name);
	f->call.json = cJSON_CreateObject();
	cJSON *ops = cJSON_AddArrayToObject(f->call.json, "patchOperations");
	cJSON *op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "replace");
	cJSON_AddStringToObject(op, "path", "/deploymentId");
	cJSON_AddStringToObject(op, "value", f->deployment);
	cJSON_AddItemToArray(ops, op);
	send(f, &aws_svc_apigateway, rest_stage_next, 0);
}

static void http_reimported(struct flow *f, struct aws_response *resp);

static void http_start(struct flow *f)
{
	const char *last = state_definition(f);
	if (last && !strcmp(last, f->b->definition_sha)) {
		flow_finish(f);
		return;
	}
	call_new(f, "ReimportApi", "PUT", "/v2/apis/%s", f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "body", f->b->definition);
	send(f, &aws_svc_apigatewayv2, http_reimported, 0);
}

static void http_reimported(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	f->out->outcome = SYNC_UPDATED;
	set_detail(f, "definition reimported%s", "");
	flow_finish(f);
}

/* ---- driving ---- */

static void flow_start(struct flow *f)
{
	if (f->started)
		return;
	f->started = 1;
	switch (f->res->kind) {
	case TMPL_FUNCTION:
		fn_start(f);
		break;
	case TMPL_LAYER:
		layer_start(f);
		break;
	case TMPL_STATE_MACHINE:
		sm_start(f);
		break;
	case TMPL_REST_API:
		rest_start(f);
		break;
	case TMPL_HTTP_API:
		http_start(f);
		break;
	default:
		flow_finish(f);
	}
}

/* The flows of a function's layers in this run. */
static void link_layers(struct run *run)
{
	for (size_t i = 0; i < run->nr; i++) {
		struct flow *fn = &run->flows[i];
		if (fn->res->kind != TMPL_FUNCTION)
			continue;
		for (size_t k = 0; k < fn->res->layers_nr; k++) {
			const char *lid = fn->res->layers[k].layer_id;
			for (size_t j = 0; lid && j < run->nr; j++) {
				struct flow *l = &run->flows[j];
				if (l->res->kind != TMPL_LAYER || strcmp(l->res->id, lid))
					continue;
				ALLOC_GROW(l->users, l->users_nr + 1, l->users_alloc);
				l->users[l->users_nr++] = fn;
				fn->layers_pending++;
			}
		}
	}
}

static void record_state(struct flow *f)
{
	cJSON *st = sync_state_resource(f->run->opts->state, f->res->id);
	const struct sync_built *b = f->b;
	cJSON_DeleteItemFromObjectCaseSensitive(st, "physical");
	if (f->phys->physical && *f->phys->physical)
		cJSON_AddStringToObject(st, "physical", f->phys->physical);
	if (b->code.sha256_b64[0]) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "sha256");
		cJSON_AddStringToObject(st, "sha256", b->code.sha256_b64);
	}
	if (b->definition) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "definition");
		cJSON_AddStringToObject(st, "definition", b->definition_sha);
	}
	const char *layer = f->res->kind == TMPL_LAYER ? f->out->layer_arn : f->dep_arn;
	cJSON_DeleteItemFromObjectCaseSensitive(st, "layer");
	if (layer)
		cJSON_AddStringToObject(st, "layer", layer);
	cJSON_DeleteItemFromObjectCaseSensitive(st, "dependencies");
	if (b->has_layer)
		cJSON_AddStringToObject(st, "dependencies", b->deps.key);
}

static void flow_finish(struct flow *f)
{
	if (f->finished)
		return;
	/* a layer whose users still run deletes its old version after them */
	if (f->res->kind == TMPL_LAYER && f->users_running > 0 && f->out->outcome != SYNC_FAILED)
		return;
	if (f->res->kind == TMPL_LAYER && f->superseded && f->out->outcome != SYNC_FAILED) {
		const char *v = strrchr(f->superseded, ':');
		char *name = layer_name_of(f->superseded);
		call_new(f, "DeleteLayerVersion", "DELETE", "/2018-10-31/layers/%s/versions/%s",
			 name, v ? v + 1 : "0");
		free(name);
		send_or_404(f, &aws_svc_lambda, layer_deleted, layer_deleted);
		return;
	}
	f->finished = 1;
	f->out->ms = f->t0 ? now_ms_monotonic() - f->t0 : 0;
	if (f->out->outcome != SYNC_FAILED)
		record_state(f);
	if (f->res->kind == TMPL_FUNCTION) {
		if (f->dep_arn && !f->out->layer_arn)
			f->out->layer_arn = xstrdup(f->dep_arn);
		/* tell the layers this function was waiting for */
		for (size_t i = 0; i < f->run->nr; i++) {
			struct flow *l = &f->run->flows[i];
			for (size_t k = 0; k < l->users_nr; k++)
				if (l->users[k] == f && --l->users_running == 0 && !l->finished)
					flow_finish(l);
		}
	}
	if (f->res->kind == TMPL_LAYER && f->out->outcome == SYNC_FAILED) {
		/* the functions that needed it do not run */
		for (size_t i = 0; i < f->users_nr; i++) {
			struct flow *u = f->users[i];
			if (u->started || u->finished)
				continue;
			u->finished = 1;
			u->out->outcome = SYNC_NOT_RUN;
			free(u->out->detail);
			u->out->detail = xstrfmt("not synced: its layer %s failed", f->res->id);
		}
	}
}

char *sync_dep_layer_name(const char *stack_name, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s-%s-deps", stack_name, id);
	for (size_t i = 0; i < sb.len; i++) {
		char c = sb.buf[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			sb.buf[i] = '-';
	}
	if (sb.len > 100) {
		/* too long for a layer name: keep the start and make it unique with a hash */
		unsigned char sha[32];
		unsigned int n = 0;
		EVP_Digest(sb.buf, sb.len, sha, &n, EVP_sha256(), NULL);
		strbuf_setlen(&sb, 80);
		strbuf_adds(&sb, "-");
		strbuf_addhex(&sb, sha, 8);
		strbuf_adds(&sb, "-deps");
	}
	return strbuf_detach(&sb, NULL);
}

int sync_flows_run(struct aws_ctx *ctx, const struct sync_flow_options *opts,
		   struct sync_built *built, const struct sync_physical **phys, size_t nr,
		   struct sync_result *results)
{
	struct run run = {ctx, NULL, opts, NULL, nr};
	int rc = 0;

	run.batch = aws_batch_new(ctx, opts->max_in_flight ? opts->max_in_flight : 8);
	run.flows = xcalloc(nr ? nr : 1, sizeof(*run.flows));
	for (size_t i = 0; i < nr; i++) {
		struct flow *f = &run.flows[i];
		memset(&results[i], 0, sizeof(results[i]));
		f->run = &run;
		f->b = &built[i];
		f->res = built[i].res;
		f->phys = phys[i];
		f->out = &results[i];
		f->out->built = &built[i];
		f->out->phys = phys[i];
		f->out->outcome = SYNC_SKIPPED;
		strbuf_init(&f->body, 0);
		if (f->res->kind == TMPL_FUNCTION &&
		    (built[i].has_layer || built[i].deps.kind != SYNC_DEPS_NONE))
			f->dep_name = sync_dep_layer_name(opts->stack_name, f->res->id);
	}
	link_layers(&run);
	for (size_t i = 0; i < nr; i++)
		if (!run.flows[i].layers_pending)
			flow_start(&run.flows[i]);
	rc = aws_batch_run(run.batch);
	for (size_t i = 0; i < nr; i++) {
		struct flow *f = &run.flows[i];
		if (!f->finished && !rc) {
			/* cannot happen unless a flow forgot to go on: say so rather than hang */
			f->out->outcome = SYNC_FAILED;
			f->out->detail = xstrdup("internal error: the flow stopped");
		}
		if (f->out->outcome == SYNC_FAILED || f->out->outcome == SYNC_NOT_RUN)
			if (!rc)
				rc = -(f->out->err.kind ? f->out->err.kind : AWSX_ESERVICE);
		aws_call_release(&f->call);
		strbuf_release(&f->body);
		cJSON_Delete(f->config);
		cJSON_Delete(f->stages);
		free(f->users);
		free(f->superseded);
		free(f->dep_name);
		free(f->dep_arn);
		free(f->dep_old);
		free(f->version);
		free(f->deployment);
		free(f->layer_name);
	}
	aws_batch_free(run.batch);
	free(run.flows);
	return rc;
}

void sync_result_release(struct sync_result *r)
{
	free(r->detail);
	free(r->layer_arn);
	memset(r, 0, sizeof(*r));
}
