/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codesync.c: `awsx sync --code` from template to report: load the model,
 * pick the resources, find them in the deployed stack, build each (cached),
 * check Lambda's limits before anything is uploaded, run the flows and
 * record the state.  The command line (cli/cmd-sync.c) only parses options
 * and prints the report; the watcher reuses this whole path.
 */
#include "sync/codesync.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/fs.h"

static int wanted_kind(enum tmpl_kind k)
{
	return k == TMPL_FUNCTION || k == TMPL_LAYER || k == TMPL_STATE_MACHINE ||
	       k == TMPL_REST_API || k == TMPL_HTTP_API;
}

static int listed(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

/* Which resources to sync: all code resources, or those named, plus the users of named layers. */
static int select_resources(const struct sync_code_options *o, const struct tmpl_model *m,
			    char *pick, struct sync_code_report *rep, struct aws_error *err)
{
	for (size_t i = 0; i < o->nids; i++) {
		const struct tmpl_resource *r = tmpl_model_find(m, o->resource_ids[i]);
		if (!r) {
			struct strbuf ids = STRBUF_INIT;
			for (size_t k = 0; k < m->nr; k++)
				if (wanted_kind(m->resources[k].kind))
					strbuf_addf(&ids, "%s%s", ids.len ? ", " : "",
						    m->resources[k].id);
			aws_error_set(err, AWSX_EUSAGE,
				      "--resource-id %s: no such resource in '%s' (code resources: %s)",
				      o->resource_ids[i], tmpl_doc_path(m->docs[0]),
				      ids.len ? ids.buf : "none");
			strbuf_release(&ids);
			return -AWSX_EUSAGE;
		}
		if (!wanted_kind(r->kind) || !r->code_syncable) {
			struct strbuf where = STRBUF_INIT;
			tmpl_loc_format(&r->loc, &where);
			aws_error_set(err, AWSX_EUSAGE, "%s: %s cannot be synced with --code: %s",
				      where.buf, r->id,
				      r->why_not ? r->why_not : "it has no code of its own");
			strbuf_release(&where);
			return -AWSX_EUSAGE;
		}
	}
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		if (!wanted_kind(r->kind))
			continue;
		int by_id = !o->nids || listed(r->id, o->resource_ids, o->nids);
		int by_type = !o->ntypes || listed(r->type, o->resource_types, o->ntypes);
		if (!by_id || !by_type)
			continue;
		if (!r->code_syncable) {
			ALLOC_GROW(rep->not_syncable, rep->not_syncable_nr + 1, rep->not_syncable_alloc);
			rep->not_syncable[rep->not_syncable_nr++] = r;
			continue;
		}
		pick[i] = 1;
	}
	/* a layer's new version must reach the functions that use it */
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		if (r->kind != TMPL_FUNCTION || pick[i] || !r->code_syncable)
			continue;
		for (size_t k = 0; k < r->layers_nr; k++) {
			const struct tmpl_resource *l =
			    r->layers[k].layer_id ? tmpl_model_find(m, r->layers[k].layer_id) : NULL;
			if (l && pick[l - m->resources])
				pick[i] = 1;
		}
	}
	return 0;
}

static const char *partition_of(const char *region)
{
	if (region && str_starts_with(region, "cn-"))
		return "aws-cn";
	if (region && str_starts_with(region, "us-gov-"))
		return "aws-us-gov";
	return "aws";
}

/*
 * DefinitionSubstitutions that only the deployed stack can answer: Ref of
 * a resource (its physical id) and Fn::GetAtt of a function's or state
 * machine's Arn, the forms SAM templates use for the Lambda functions a
 * state machine calls.
 */
static void resolve_substitutions(struct tmpl_resource *r, const struct cfn_resources *st,
				  const char *region, const char *account)
{
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(r->properties,
							     "DefinitionSubstitutions");
	for (size_t i = 0; i < r->substitutions_nr; i++) {
		struct tmpl_str *v = &r->substitutions[i];
		if (v->value)
			continue;
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(subs, r->substitution_names[i]);
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(n, "Ref");
		const cJSON *ga = cJSON_GetObjectItemCaseSensitive(n, "Fn::GetAtt");
		const char *target = NULL, *attr = NULL;
		char buf[256];
		if (cJSON_IsString(ref)) {
			target = ref->valuestring;
		} else if (cJSON_GetArraySize(ga) == 2) {
			target = cJSON_GetStringValue(cJSON_GetArrayItem(ga, 0));
			attr = cJSON_GetStringValue(cJSON_GetArrayItem(ga, 1));
		} else if (cJSON_IsString(ga) && strchr(ga->valuestring, '.')) {
			snprintf(buf, sizeof(buf), "%s", ga->valuestring);
			*strchr(buf, '.') = '\0';
			target = buf;
			attr = strchr(ga->valuestring, '.') + 1;
		}
		if (!target)
			continue;
		char *id = *r->stack ? xstrfmt("%s/%s", r->stack, target) : xstrdup(target);
		const struct cfn_resource *p = NULL;
		for (size_t k = 0; k < st->nr; k++)
			if (!strcmp(st->r[k].id, id))
				p = &st->r[k];
		free(id);
		if (!p || !p->physical)
			continue;
		char *value = NULL;
		if (!attr)
			value = xstrdup(p->physical);
		else if (!strcmp(attr, "Arn") && !strcmp(p->type, "AWS::Lambda::Function") && account)
			value = xstrfmt("arn:%s:lambda:%s:%s:function:%s", partition_of(region), region,
					account, p->physical);
		else if (!strcmp(attr, "Arn") && str_starts_with(p->physical, "arn:"))
			value = xstrdup(p->physical);
		if (!value)
			continue;
		free(v->unresolved);
		v->unresolved = NULL;
		v->value = value;
	}
}

/*
 * The last sync left exactly this package on this resource: a package over
 * the direct upload limit then needs no --s3-bucket (the flow compares
 * CodeSha256 and finds nothing to send; should the cloud differ after all,
 * the flow says --s3-bucket is needed before uploading anything).
 */
static int deployed_as(struct sync_state *st, const struct tmpl_resource *r,
		       const struct cfn_resource *p, const struct sync_built *b)
{
	cJSON *rec = sync_state_resource(st, r->id);
	const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "sha256"));
	const char *phys = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "physical"));
	int same_phys = !p->physical || !*p->physical || (phys && !strcmp(phys, p->physical));
	const char *deps = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "dependencies"));
	if (b->has_layer && b->layer.zip_size > SYNC_LAMBDA_MAX_ZIPPED_DIRECT &&
	    (!deps || strcmp(deps, b->deps.key)))
		return 0; /* a new dependency layer over the limit */
	return sha && same_phys && !strcmp(sha, b->code.sha256_b64);
}

static int has_unresolved_substitution(const struct tmpl_model *m, const char *pick)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		if (!pick[i] || r->kind != TMPL_STATE_MACHINE)
			continue;
		for (size_t k = 0; k < r->substitutions_nr; k++)
			if (!r->substitutions[k].value)
				return 1;
	}
	return 0;
}

int sync_code_run(struct aws_ctx *ctx, const struct sync_code_options *o,
		  struct sync_code_report *rep, struct aws_error *err)
{
	const char *region = aws_ctx_region(ctx);
	struct tmpl_options to = {.region = region, .stack_name = o->stack_name,
				  .parameter_overrides = o->parameter_overrides};
	char *pick = NULL, *awsx_dir = NULL;
	const struct cfn_resource **phys = NULL;
	struct sync_state state = {0};
	long long t0 = now_ms_monotonic();
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = tmpl_model_load(o->template_path, &to, &rep->model, err);
	if (rc)
		return rc;
	struct tmpl_model *m = rep->model;
	pick = xcalloc(m->nr + 1, 1);
	if ((rc = select_resources(o, m, pick, rep, err)))
		goto out;

	/* local mistakes first: no network call for a template that cannot build */
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		struct stat st;
		if (!pick[i] || !r->source_path || !stat(r->source_path, &st))
			continue;
		struct strbuf where = STRBUF_INIT;
		tmpl_loc_format(&r->source.loc, &where);
		rc = aws_error_set(err, AWSX_EFAIL, "%s: %s of %s: '%s' does not exist", where.buf,
				   r->source_property, r->id, r->source_path);
		strbuf_release(&where);
		goto out;
	}

	/* the deployed stack: physical ids, nested stacks included */
	if ((rc = sync_stack_load(ctx, o->stack_name, &rep->stack, err)))
		goto out;
	for (size_t i = 0; i < m->nr; i++) {
		if (!pick[i])
			continue;
		const struct tmpl_resource *r = &m->resources[i];
		const struct cfn_resource *p = sync_stack_find(&rep->stack, r);
		/* (moto leaves a layer version's physical id empty: the flow names it) */
		if (!p || (!p->physical && r->kind != TMPL_LAYER)) {
			struct strbuf where = STRBUF_INIT;
			tmpl_loc_format(&r->loc, &where);
			rc = aws_error_set(err, AWSX_EFAIL,
					   "%s: %s is not in stack '%s' (added since the last "
					   "deploy?): run a full sync (awsx sync without --code) first",
					   where.buf, r->id, o->stack_name);
			strbuf_release(&where);
			goto out;
		}
	}
	if (has_unresolved_substitution(m, pick)) {
		struct sts_identity id;
		if ((rc = sts_get_caller_identity(ctx, &id, err)))
			goto out;
		for (size_t i = 0; i < m->nr; i++)
			if (pick[i] && m->resources[i].kind == TMPL_STATE_MACHINE)
				resolve_substitutions(&m->resources[i], &rep->stack, region, id.account);
	}

	/* build: local, cached; every package checked against Lambda's limits first */
	if ((rc = sync_awsx_dir(m, &awsx_dir, err)))
		goto out;
	if ((rc = sync_state_load(&state, awsx_dir, region, o->stack_name, err)))
		goto out;
	struct sync_build_options bo = {.awsx_dir = awsx_dir,
					.dependency_layer = o->dependency_layer,
					.progress = o->progress};
	for (size_t i = 0; i < m->nr; i++)
		rep->nr += pick[i];
	rep->built = xcalloc(rep->nr + 1, sizeof(*rep->built));
	rep->results = xcalloc(rep->nr + 1, sizeof(*rep->results));
	phys = xcalloc(rep->nr + 1, sizeof(*phys));
	for (size_t i = 0, n = 0; i < m->nr; i++) {
		if (!pick[i])
			continue;
		const struct tmpl_resource *r = &m->resources[i];
		phys[n] = sync_stack_find(&rep->stack, r);
		if ((rc = sync_build_resource(&bo, r, &rep->built[n], err)))
			goto out;
		const struct sync_built *b = &rep->built[n];
		uint64_t unzipped = b->code.unzipped_size + (b->has_layer ? b->layer.unzipped_size : 0);
		if (r->kind == TMPL_FUNCTION || r->kind == TMPL_LAYER) {
			/* checked now, before anything is uploaded; over 50 MB zipped needs S3 */
			uint64_t zipped = b->code.zip_size > b->layer.zip_size ? b->code.zip_size
									      : b->layer.zip_size;
			int kind = AWSX_EFAIL;
			rc = sync_lambda_check_size(0, unzipped, 1, err);
			if (!rc && !o->s3_bucket && !deployed_as(&state, r, phys[n], b)) {
				kind = AWSX_EUSAGE;
				rc = sync_lambda_check_size(zipped, unzipped, 0, err);
			}
			if (rc) {
				char *msg = xstrfmt("%s: %s", r->id, err->message);
				rc = aws_error_set(err, kind, "%s", msg);
				free(msg);
				goto out;
			}
		}
		n++;
	}
	rep->build_ms = now_ms_monotonic() - t0;

	struct sync_flow_options fo = {.stack_name = o->stack_name, .s3_bucket = o->s3_bucket,
				       .max_in_flight = 8, .state = &state};
	rc = sync_flows_run(ctx, &fo, rep->built, phys, rep->nr, rep->results);
	struct aws_error serr;
	aws_error_clear(&serr);
	int save = sync_state_save(&state, &serr);
	if (rc == -AWSX_EINTR)
		aws_error_set(err, AWSX_EINTR, "interrupted");
	else if (rc)
		aws_error_set(err, -rc, "the sync of one or more resources failed");
	else if (save) {
		/* everything synced but the record of it: say so, the next sync compares anyway */
		*err = serr;
		rc = -AWSX_EFAIL;
	}
out:
	rep->total_ms = now_ms_monotonic() - t0;
	sync_state_release(&state);
	free(phys);
	free(pick);
	free(awsx_dir);
	return rc;
}

void sync_code_report_release(struct sync_code_report *rep)
{
	for (size_t i = 0; i < rep->nr; i++) {
		sync_result_release(&rep->results[i]);
		sync_built_release(&rep->built[i]);
	}
	free(rep->results);
	free(rep->built);
	free(rep->not_syncable);
	cfn_resources_release(&rep->stack);
	tmpl_model_free(rep->model);
	memset(rep, 0, sizeof(*rep));
}
