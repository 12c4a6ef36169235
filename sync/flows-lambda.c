/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flows-lambda.c: the flows of Lambda functions (dependency layer, Layers,
 * code, AutoPublishAlias, cleanup) and of template layers (publish when the
 * latest version's CodeSha256 differs, then let the functions that use it
 * move, then delete the version they left).
 */
#include "sync/flows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "aws/sigv4.h"

/* "arn:aws:lambda:r:a:layer:name:3" -> length of "arn:...:layer:name" */
static size_t layer_base_len(const char *arn)
{
	const char *colon = strrchr(arn, ':');
	return colon ? (size_t)(colon - arn) : strlen(arn);
}

int flow_same_layer(const char *a, const char *b)
{
	size_t n = layer_base_len(a);
	return n == layer_base_len(b) && !strncmp(a, b, n);
}

/* The name part of a layer ARN (or the name itself). */
char *flow_layer_name_of(const char *arn)
{
	size_t n = layer_base_len(arn);
	const char *p = strstr(arn, ":layer:");
	if (!p)
		return xstrdup(arn);
	p += 7;
	return xstrndup(p, n - (size_t)(p - arn));
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
		flow_fail(f, &err);
		strbuf_release(&zip);
		return -1;
	}
	if (zip.len > SYNC_LAMBDA_MAX_ZIPPED_DIRECT) {
		if (!f->run->opts->s3_bucket) {
			char size[32];
			flow_human_size(zip.len, size, sizeof(size));
			aws_error_set(&err, AWSX_EUSAGE,
				      "the package of %s is %s, over Lambda's 50 MB limit for a "
				      "direct upload: pass --s3-bucket BUCKET to upload it through S3",
				      f->res->id, size);
			flow_fail(f, &err);
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
	const char *status = flow_jstr(answer, "LastUpdateStatus");
	f->after_wait = then;
	if (status && !strcmp(status, "Failed")) {
		struct strbuf msg = STRBUF_INIT;
		const char *why = flow_jstr(answer, "LastUpdateStatusReason");
		strbuf_addf(&msg, "the update of %s failed: %s", f->res->id,
			    why ? why : "Lambda gave no reason");
		flow_fail_msg(f, AWSX_ESERVICE, msg.buf);
		strbuf_release(&msg);
		return;
	}
	if (!status || strcmp(status, "InProgress")) {
		then(f, NULL);
		return;
	}
	if (f->polls++ >= FLOW_MAX_POLLS) {
		flow_fail_msg(f, AWSX_ESERVICE, "the function update did not finish in ten minutes");
		return;
	}
	long delay = f->polls < 4 ? 100L << f->polls : 1000;
	flow_call(f, "GetFunctionConfiguration", "GET", "/2015-03-31/functions/%s/configuration",
		 f->phys->physical, NULL);
	flow_send(f, &aws_svc_lambda, wait_answer, delay);
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

static int fn_fast(struct flow *f);

void flow_function_start(struct flow *f)
{
	if (fn_fast(f))
		return;
	if (!f->b->has_layer) {
		fn_get(f);
		return;
	}
	/* an existing version with the same dependency key is reused */
	flow_call(f, "ListLayerVersions", "GET", "/2018-10-31/layers/%s/versions", f->dep_name,
		 NULL);
	flow_send_or_404(f, &aws_svc_lambda, dep_listed, dep_listed);
}

static void dep_publish(struct flow *f, struct aws_response *resp);

static void dep_listed(struct flow *f, struct aws_response *resp)
{
	char *want = xstrfmt(FLOW_DEP_LAYER_DESC "%s", f->b->deps.key);
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(resp ? resp->json : NULL,
							       "LayerVersions"))
	{
		const char *desc = flow_jstr(v, "Description"), *arn = flow_jstr(v, "LayerVersionArn");
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
	flow_call(f, "PutObject", "PUT", "/%s/", f->run->opts->s3_bucket, NULL);
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
	flow_send(f, &aws_svc_s3, then, 0);
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

	flow_call(f, "PublishLayerVersion", "POST", "/2018-10-31/layers/%s/versions", name, NULL);
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
	flow_send(f, &aws_svc_lambda, then, 0);
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
	const char *arn = flow_jstr(resp->json, "LayerVersionArn");
	strbuf_release(&f->body);
	if (!arn) {
		flow_fail_msg(f, AWSX_ESERVICE, "PublishLayerVersion answered without LayerVersionArn");
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
	flow_call(f, "GetFunction", "GET", "/2015-03-31/functions/%s", f->phys->physical, NULL);
	flow_send(f, &aws_svc_lambda, fn_got, 0);
}

static void fn_got(struct flow *f, struct aws_response *resp)
{
	cJSON *conf = cJSON_GetObjectItemCaseSensitive(resp->json, "Configuration");
	if (!cJSON_IsObject(conf)) {
		flow_fail_msg(f, AWSX_ESERVICE, "GetFunction answered without Configuration");
		return;
	}
	f->config = cJSON_Duplicate(conf, 1);
	const char *pt = flow_jstr(f->config, "PackageType");
	if (pt && !strcmp(pt, "Image")) {
		flow_fail_msg(f, AWSX_EFAIL,
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
		const char *arn = flow_jstr(l, "Arn");
		if (!arn)
			continue;
		char *name = flow_layer_name_of(arn);
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
			if (new_arn && flow_same_layer(new_arn, arn))
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
		cJSON_ArrayForEach(l, want) found |= flow_same_layer(l->valuestring, new_arn);
		if (!found) {
			cJSON_AddItemToArray(want, cJSON_CreateString(new_arn));
			changed = 1;
		}
	}
	if (f->dep_arn) {
		int had = 0;
		cJSON_ArrayForEach(l, cur)
		{
			const char *arn = flow_jstr(l, "Arn");
			if (arn && !strcmp(arn, f->dep_arn))
				had = 1;
		}
		if (!had)
			changed = 1;
		cJSON_AddItemToArray(want, cJSON_CreateString(f->dep_arn));
	}
	if (cJSON_GetArraySize(want) > 5) {
		cJSON_Delete(want);
		flow_fail_msg(f, AWSX_EFAIL,
			 "the function would have more than 5 layers with its dependency layer: "
			 "turn the dependency layer off (--no-dependency-layer)");
		return;
	}
	if (!changed) {
		cJSON_Delete(want);
		fn_code(f, NULL);
		return;
	}
	flow_call(f, "UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/%s/configuration",
		 f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddItemToObject(f->call.json, "Layers", want);
	flow_send(f, &aws_svc_lambda, fn_layers_done, 0);
}

static void fn_layers_next(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	fn_code(f, NULL);
}

static void fn_layers_done(struct flow *f, struct aws_response *resp)
{
	f->out->outcome = SYNC_UPDATED;
	f->code_changed = 1; /* what runs changed: AutoPublishAlias publishes a version */
	if (!f->out->detail)
		f->out->detail = xstrdup("layers updated");
	wait_update(f, resp->json, fn_layers_next);
}

static void fn_code_sent(struct flow *f, struct aws_response *resp);
static void fn_code_s3(struct flow *f, struct aws_response *resp);

static void fn_code(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	const char *remote = flow_jstr(f->config, "CodeSha256");
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
	flow_call(f, "UpdateFunctionCode", "PUT", "/2015-03-31/functions/%s/code",
		 f->phys->physical, NULL);
	f->call.body = f->body.buf;
	f->call.body_len = f->body.len;
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	flow_send(f, &aws_svc_lambda, fn_code_sent, 0);
}

static void fn_code_s3(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	strbuf_release(&f->body);
	flow_call(f, "UpdateFunctionCode", "PUT", "/2015-03-31/functions/%s/code",
		 f->phys->physical, NULL);
	f->call.json = s3_location(f, &f->b->code);
	flow_send(f, &aws_svc_lambda, fn_code_sent, 0);
}

static void note_code_sent(struct flow *f)
{
	char size[32], *detail;
	strbuf_release(&f->body);
	f->code_changed = 1;
	f->out->outcome = SYNC_UPDATED;
	flow_human_size(f->b->code.zip_size, size, sizeof(size));
	detail = f->out->detail ? xstrfmt("code %s, %s", size, f->out->detail)
				: xstrfmt("code %s", size);
	free(f->out->detail);
	f->out->detail = detail;
}

static void fn_code_sent(struct flow *f, struct aws_response *resp)
{
	note_code_sent(f);
	wait_update(f, resp->json, fn_alias);
}

/* ---- the edit fast path ---- */

static void fn_fast_sent(struct flow *f, struct aws_response *resp);
static void fn_fast_settled(struct flow *f, struct aws_response *resp);

/*
 * The common case of an edit: the last sync left package S on this very
 * function, the local package is not S, and nothing about its layers is
 * due to change (same dependency key, no template layer in this run).  The
 * update is certain, so UpdateFunctionCode goes first and its answer (the
 * configuration) stands in for GetFunction: one round trip less per edit.
 * Whatever the cloud has, the outcome is the same: this package deployed.
 * Returns 1 when it took the flow.
 */
static int fn_fast(struct flow *f)
{
	cJSON *st = sync_state_resource(f->run->opts->state, f->res->id);
	const char *sha = flow_jstr(st, "sha256"), *phys = flow_jstr(st, "physical");
	const char *deps = flow_jstr(st, "dependencies"), *layer = flow_jstr(st, "layer");

	if (!sha || !phys || !f->phys->physical || strcmp(phys, f->phys->physical) ||
	    !strcmp(sha, f->b->code.sha256_b64) ||
	    f->b->code.zip_size > SYNC_LAMBDA_MAX_ZIPPED_DIRECT)
		return 0;
	if (f->b->has_layer && (!deps || strcmp(deps, f->b->deps.key) || !layer))
		return 0;
	if (!f->b->has_layer && deps)
		return 0;
	for (size_t i = 0; i < f->res->layers_nr; i++)
		if (f->res->layers[i].layer_id)
			return 0;
	if (f->b->has_layer)
		f->dep_arn = xstrdup(layer);
	if (zip_body(f, &f->b->code, &f->body) != 0)
		return 1; /* failed the flow (cannot read the zip) */
	flow_call(f, "UpdateFunctionCode", "PUT", "/2015-03-31/functions/%s/code",
		  f->phys->physical, NULL);
	f->call.body = f->body.buf;
	f->call.body_len = f->body.len;
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	flow_send(f, &aws_svc_lambda, fn_fast_sent, 0);
	return 1;
}

static void fn_fast_sent(struct flow *f, struct aws_response *resp)
{
	cJSON_Delete(f->config);
	f->config = cJSON_Duplicate(resp->json, 1);
	note_code_sent(f);
	wait_update(f, resp->json, fn_fast_settled);
}

/* Then the usual checks: layers (normally unchanged), the code (now equal), the alias. */
static void fn_fast_settled(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	fn_layers(f);
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
	flow_call(f, "PublishVersion", "POST", "/2015-03-31/functions/%s/versions",
		 f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "CodeSha256", f->b->code.sha256_b64);
	flow_send(f, &aws_svc_lambda, alias_published, 0);
}

static void alias_missing(struct flow *f, struct aws_response *resp);

static void alias_published(struct flow *f, struct aws_response *resp)
{
	const char *v = flow_jstr(resp->json, "Version");
	if (!v) {
		flow_fail_msg(f, AWSX_ESERVICE, "PublishVersion answered without Version");
		return;
	}
	f->version = xstrdup(v);
	flow_call(f, "UpdateAlias", "PUT", "/2015-03-31/functions/%s/aliases/%s",
		 f->phys->physical, f->res->auto_publish_alias.value);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "FunctionVersion", v);
	flow_send_or_404(f, &aws_svc_lambda, alias_updated, alias_missing);
}

static void alias_missing(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	flow_call(f, "CreateAlias", "POST", "/2015-03-31/functions/%s/aliases", f->phys->physical,
		 NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "Name", f->res->auto_publish_alias.value);
	cJSON_AddStringToObject(f->call.json, "FunctionVersion", f->version);
	flow_send(f, &aws_svc_lambda, alias_updated, 0);
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
	char *name = flow_layer_name_of(f->dep_old);
	flow_call(f, "DeleteLayerVersion", "DELETE", "/2018-10-31/layers/%s/versions/%s", name,
		 v ? v + 1 : "0");
	free(name);
	free(f->dep_old);
	f->dep_old = NULL;
	flow_send_or_404(f, &aws_svc_lambda, fn_cleaned, fn_cleaned);
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
	const char *lname = flow_jstr(f->res->properties, "LayerName");
	if (f->phys->physical && strstr(f->phys->physical, ":layer:"))
		return flow_layer_name_of(f->phys->physical);
	return xstrdup(lname ? lname : f->res->logical_id);
}

void flow_layer_start(struct flow *f)
{
	f->layer_name = layer_name_for(f);
	flow_call(f, "ListLayerVersions", "GET", "/2018-10-31/layers/%s/versions", f->layer_name,
		 NULL);
	flow_send_or_404(f, &aws_svc_lambda, layer_listed, layer_listed);
}

static void layer_listed(struct flow *f, struct aws_response *resp)
{
	const cJSON *first = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(resp ? resp->json : NULL, "LayerVersions"), 0);
	const char *arn = flow_jstr(first, "LayerVersionArn");
	if (!arn) {
		layer_publish(f);
		return;
	}
	f->out->layer_arn = xstrdup(arn);
	const char *v = strrchr(arn, ':');
	char *name = flow_layer_name_of(arn);
	flow_call(f, "GetLayerVersion", "GET", "/2018-10-31/layers/%s/versions/%s", name,
		 v ? v + 1 : "0");
	free(name);
	flow_send(f, &aws_svc_lambda, layer_got, 0);
}

static void layer_got(struct flow *f, struct aws_response *resp)
{
	const char *sha = flow_jstr(cJSON_GetObjectItemCaseSensitive(resp->json, "Content"),
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
	const char *desc = flow_jstr(props, "Description");
	const char *lic = flow_jstr(props, "LicenseInfo");
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
	const char *arn = flow_jstr(resp->json, "LayerVersionArn");
	strbuf_release(&f->body);
	if (!arn) {
		flow_fail_msg(f, AWSX_ESERVICE, "PublishLayerVersion answered without LayerVersionArn");
		return;
	}
	free(f->out->layer_arn);
	f->out->layer_arn = xstrdup(arn);
	f->out->outcome = SYNC_UPDATED;
	flow_detail(f, "layer version %s published", strrchr(arn, ':') ? strrchr(arn, ':') + 1 : arn);
	const char *keep = flow_jstr(f->res->properties, "RetentionPolicy");
	if (keep && !strcasecmp(keep, "Retain")) {
		free(f->superseded);
		f->superseded = NULL;
	}
	layer_release_users(f);
}

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

/*
 * A layer flow that may not finish yet: its users still run (the old
 * version goes after them), or the superseded version is being deleted now.
 * Returns 1 when it holds the flow open.
 */
int flow_layer_hold(struct flow *f)
{
	if (f->out->outcome == SYNC_FAILED)
		return 0;
	if (f->users_running > 0)
		return 1;
	if (!f->superseded)
		return 0;
	const char *v = strrchr(f->superseded, ':');
	char *name = flow_layer_name_of(f->superseded);
	flow_call(f, "DeleteLayerVersion", "DELETE", "/2018-10-31/layers/%s/versions/%s", name,
		  v ? v + 1 : "0");
	free(name);
	flow_send_or_404(f, &aws_svc_lambda, layer_deleted, layer_deleted);
	return 1;
}
