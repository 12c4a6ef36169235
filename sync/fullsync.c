/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fullsync.c: `awsx sync` without --code.  Build everything (the code
 * sync's build and caches), make sure each function's dependency layer
 * version exists, package (pack.c), then either skip CloudFormation when
 * the packaged template differs from the deployed one only in code (and
 * the parameters match), running a code sync instead, or CreateStack /
 * UpdateStack directly, following the events (stackops.c).
 *
 * Dependency layers live in the deployed template as plain version ARNs in
 * each function's Layers: the version is published (or found by its
 * dependency key) before packaging, so the template CloudFormation holds
 * names the same version the code sync would attach, and neither undoes
 * the other.  The normalized comparison leaves them out, so a changed
 * requirements.txt alone is a code sync, not a stack update.
 */
#include "sync/fullsync.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "aws/fs.h"
#include "aws/sigv4.h"

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static char *rest_path(const char *fmt, const char *a)
{
	struct strbuf p = STRBUF_INIT;
	for (const char *s = fmt; *s; s++) {
		if (s[0] == '%' && s[1] == 's') {
			sigv4_uri_encode(&p, a, strlen(a), 0);
			s++;
		} else {
			strbuf_addch(&p, *s);
		}
	}
	return strbuf_detach(&p, NULL);
}

/*
 * The version of a function's dependency layer for its current key: found
 * among the layer's versions by its Description, or published from S3.
 */
static int ensure_dep_layer(struct aws_ctx *ctx, const char *stack, const char *bucket,
			    const char *prefix, const struct sync_built *b, char **arn,
			    struct aws_error *err)
{
	char *name = sync_dep_layer_name(stack, b->res->id);
	char *desc = xstrfmt("awsx dependencies %s", b->deps.key);
	struct aws_call call;
	struct aws_response resp;
	int rc;

	*arn = NULL;
	aws_call_init(&call, "ListLayerVersions");
	call.method = "GET";
	call.path = rest_path("/2018-10-31/layers/%s/versions", name);
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_lambda, &call, &resp, err);
	if (rc && err->http_status == 404)
		rc = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(resp.json, "LayerVersions"))
	{
		const char *d = jstr(v, "Description"), *a = jstr(v, "LayerVersionArn");
		if (!*arn && d && a && !strcmp(d, desc))
			*arn = xstrdup(a);
	}
	aws_call_release(&call);
	aws_response_release(&resp);
	if (rc || *arn)
		goto out;

	/* publish through S3: the dependency zip may be over the direct upload limit */
	struct strbuf zip = STRBUF_INIT;
	char *key = xstrfmt("%s%s%s.deps.zip", prefix && *prefix ? prefix : "",
			    prefix && *prefix ? "/" : "", b->deps.key);
	struct strbuf objpath = STRBUF_INIT;
	strbuf_addch(&objpath, '/');
	sigv4_uri_encode(&objpath, bucket, strlen(bucket), 0);
	strbuf_addch(&objpath, '/');
	sigv4_uri_encode(&objpath, key, strlen(key), 1);
	/* content-addressed: an object already there (another function's) is the same zip */
	aws_call_init(&call, "HeadObject");
	call.method = "HEAD";
	call.path = xstrdup(objpath.buf);
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_s3, &call, &resp, err);
	int present = !rc;
	aws_call_release(&call);
	aws_response_release(&resp);
	if (rc && err->http_status != 404) {
		strbuf_release(&objpath);
		free(key);
		goto out;
	}
	rc = 0;
	if (present)
		goto publish;
	if (strbuf_read_file(&zip, b->layer.zip_path, 1u << 30)) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", b->layer.zip_path,
				   strerror(errno));
		free(key);
		goto out;
	}
	aws_call_init(&call, "PutObject");
	call.method = "PUT";
	call.path = xstrdup(objpath.buf);
	call.body = zip.buf;
	call.body_len = zip.len;
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_s3, &call, &resp, err);
	aws_call_release(&call);
	aws_response_release(&resp);
	strbuf_release(&zip);
publish:
	strbuf_release(&objpath);
	if (!rc) {
		aws_call_init(&call, "PublishLayerVersion");
		call.method = "POST";
		call.path = rest_path("/2018-10-31/layers/%s/versions", name);
		call.json = cJSON_CreateObject();
		cJSON *content = cJSON_AddObjectToObject(call.json, "Content");
		cJSON_AddStringToObject(content, "S3Bucket", bucket);
		cJSON_AddStringToObject(content, "S3Key", key);
		cJSON_AddStringToObject(call.json, "Description", desc);
		if (b->res->runtime.value) {
			cJSON *rt = cJSON_AddArrayToObject(call.json, "CompatibleRuntimes");
			cJSON_AddItemToArray(rt, cJSON_CreateString(b->res->runtime.value));
		}
		cJSON *ar = cJSON_AddArrayToObject(call.json, "CompatibleArchitectures");
		cJSON_AddItemToArray(ar, cJSON_CreateString(
					     b->res->architectures_nr && b->res->architectures[0].value
						 ? b->res->architectures[0].value
						 : "x86_64"));
		aws_response_init(&resp);
		rc = aws_call(ctx, &aws_svc_lambda, &call, &resp, err);
		const char *a = rc ? NULL : jstr(resp.json, "LayerVersionArn");
		if (!rc && !a)
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "PublishLayerVersion answered without LayerVersionArn");
		if (a)
			*arn = xstrdup(a);
		aws_call_release(&call);
		aws_response_release(&resp);
	}
	free(key);
out:
	free(name);
	free(desc);
	return rc;
}

/* The template's parameters as deployed would see them: overrides, else defaults. */
static int parameters_match(const struct tmpl_model *m, const struct kvlist *overrides,
			    const cJSON *deployed)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(tmpl_doc_root(m->docs[0]),
							      "Parameters"), *p;
	cJSON_ArrayForEach(p, params)
	{
		const char *want = kvlist_get(overrides, p->string);
		char buf[64];
		if (!want)
			want = tmpl_scalar_text(cJSON_GetObjectItemCaseSensitive(p, "Default"), buf,
						sizeof(buf));
		const char *have = jstr(deployed, p->string);
		if (have && !strcmp(have, "****"))
			continue; /* NoEcho: cannot be compared */
		if (!want != !have || (want && strcmp(want, have)))
			return 0;
	}
	return 1;
}

/* The deployed template, normalized the same way, equals ours. */
static int template_matches(struct aws_ctx *ctx, const char *stack, const char *bucket,
			    const struct sync_packed *p, struct aws_error *err, int *rc)
{
	char *body = NULL;
	int same = 0;
	*rc = sync_cfn_original_template(ctx, stack, &body, err);
	if (*rc)
		return 0;
	cJSON *deployed = cJSON_Parse(body);
	if (deployed) {
		cJSON *norm = sync_template_normalize(deployed, bucket);
		char *a = cJSON_PrintUnformatted(norm), *b = cJSON_PrintUnformatted(p->normalized);
		same = a && b && !strcmp(a, b);
		cJSON_free(a);
		cJSON_free(b);
		cJSON_Delete(norm);
		cJSON_Delete(deployed);
	}
	free(body);
	return same;
}

int sync_full_run(struct aws_ctx *ctx, const struct sync_full_options *o,
		  struct sync_full_report *rep, struct aws_error *err)
{
	const char *region = aws_ctx_region(ctx);
	struct tmpl_options to = {.region = region, .stack_name = o->stack_name,
				  .parameter_overrides = o->parameter_overrides};
	struct tmpl_model *m = NULL;
	struct sync_built *built = NULL;
	char **arns = NULL, *bucket = NULL, *awsx_dir = NULL;
	size_t nbuilt = 0;
	struct sync_stack_info info = {0};
	long long t0 = now_ms_monotonic();
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = tmpl_model_load(o->template_path, &to, &m, err)))
		return rc;

	/* build every function and layer (cached: usually nothing to do) */
	if ((rc = sync_awsx_dir(m, &awsx_dir, err)))
		goto out;
	struct sync_build_options bo = {.awsx_dir = awsx_dir,
					.dependency_layer = o->dependency_layer,
					.progress = o->progress};
	built = xcalloc(m->nr + 1, sizeof(*built));
	arns = xcalloc(m->nr + 1, sizeof(*arns));
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		if ((r->kind != TMPL_FUNCTION && r->kind != TMPL_LAYER) || !r->code_syncable)
			continue;
		if ((rc = sync_build_resource(&bo, r, &built[nbuilt], err)))
			goto out;
		const struct sync_built *b = &built[nbuilt++];
		uint64_t unzipped = b->code.unzipped_size + (b->has_layer ? b->layer.unzipped_size : 0);
		if ((rc = sync_lambda_check_size(0, unzipped, 1, err))) {
			char *msg = xstrfmt("%s: %s", r->id, err->message);
			aws_error_set(err, AWSX_EFAIL, "%s", msg);
			free(msg);
			goto out;
		}
	}

	if (o->s3_bucket)
		bucket = xstrdup(o->s3_bucket);
	else if ((rc = sync_managed_bucket(ctx, o->progress, &bucket, err)))
		goto out;
	for (size_t i = 0; i < nbuilt; i++)
		if (built[i].has_layer &&
		    (rc = ensure_dep_layer(ctx, o->stack_name, bucket,
					   o->s3_prefix ? o->s3_prefix : o->stack_name, &built[i],
					   &arns[i], err)))
			goto out;

	struct sync_pack_options po = {.bucket = bucket,
				       .prefix = o->s3_prefix ? o->s3_prefix : o->stack_name,
				       .region = region,
				       .built = built,
				       .nbuilt = nbuilt,
				       .dep_layer_arns = arns,
				       .progress = o->progress,
				       .out = &rep->packed};
	if ((rc = sync_pack(ctx, m, &po, err)))
		goto out;

	if ((rc = sync_cfn_describe(ctx, o->stack_name, &info, err)))
		goto out;
	/* a stack that rolled an update back holds its previous template: comparable too */
	if (o->skip_deploy_sync && info.exists &&
	    (!strcmp(info.status, "CREATE_COMPLETE") || !strcmp(info.status, "UPDATE_COMPLETE") ||
	     !strcmp(info.status, "UPDATE_ROLLBACK_COMPLETE")) &&
	    parameters_match(m, o->parameter_overrides, info.parameters)) {
		int same = template_matches(ctx, o->stack_name, bucket, &rep->packed, err, &rc);
		if (rc)
			goto out;
		if (same) {
			/* infrastructure unchanged: only code, through the service APIs */
			rep->skipped = 1;
			struct sync_code_options co = {.template_path = o->template_path,
						       .stack_name = o->stack_name,
						       .parameter_overrides = o->parameter_overrides,
						       .s3_bucket = bucket,
						       .dependency_layer = o->dependency_layer,
						       .progress = o->progress};
			rc = sync_code_run(ctx, &co, &rep->code, err);
			rep->ran_code_sync = 1;
			goto out;
		}
	}
	struct sync_deploy_options dopts = {.stack_name = o->stack_name,
					    .template_url = rep->packed.template_url,
					    .parameters = o->parameter_overrides,
					    .capabilities = o->capabilities,
					    .tags = o->tags,
					    .role_arn = o->role_arn,
					    .progress = o->progress};
	rc = sync_cfn_deploy(ctx, &dopts, &rep->deploy, err);
out:
	rep->ms = now_ms_monotonic() - t0;
	sync_stack_info_release(&info);
	for (size_t i = 0; i < nbuilt; i++) {
		sync_built_release(&built[i]);
		free(arns[i]);
	}
	free(built);
	free(arns);
	free(bucket);
	free(awsx_dir);
	tmpl_model_free(m);
	return rc;
}

void sync_full_report_release(struct sync_full_report *rep)
{
	sync_packed_release(&rep->packed);
	sync_deploy_result_release(&rep->deploy);
	sync_code_report_release(&rep->code);
	memset(rep, 0, sizeof(*rep));
}
