/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-sync.c: `awsx sync --code`: options in SAM CLI's names, then
 * sync/codesync.c does the work and this prints one line per resource and
 * a summary (or one JSON document with --output json).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "sync/codesync.h"
#include "templates/templates.h"

static const struct cli_option sync_options[] = {
	{ "code", 0, OPT_FLAG, NULL, "sync code only, through the service APIs (no CloudFormation)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ "no-dependency-layer", 0, OPT_FLAG, NULL,
	  "keep dependencies in each function's package instead of a layer" },
	{ "parameter-overrides", 0, OPT_LIST, "KEY=VALUE ...",
	  "template parameters (also ParameterKey=K,ParameterValue=V)" },
	{ "resource", 0, OPT_LIST, "TYPE", "sync only resources of this type (repeatable)" },
	{ "resource-id", 0, OPT_LIST, "ID", "sync only this resource, Child/Id when nested (repeatable)" },
	{ "s3-bucket", 0, OPT_STRING, "BUCKET", "bucket for packages over Lambda's 50 MB direct upload" },
	{ "stack-name", 0, OPT_STRING, "NAME", "the deployed stack (required)" },
	{ "template-file", 't', OPT_STRING, "FILE",
	  "template (default: template.yaml, template.yml or template.json here)" },
};

const struct cli_spec cmd_sync_spec = {
	.usage = "--stack-name NAME --code [options]",
	.max_positional = -1,
	.description =
		"Build what changed and push it straight through the service APIs: Lambda\n"
		"code (UpdateFunctionCode, compared with CodeSha256 first), layers\n"
		"(PublishLayerVersion, then the functions that use them), dependency layers\n"
		"(requirements.txt, package.json), state machine definitions\n"
		"(UpdateStateMachine), REST APIs (PutRestApi, CreateDeployment, every stage)\n"
		"and HTTP APIs (ReimportApi).  Builds and caches live in .awsx/ next to the\n"
		"template; a resource that did not change makes no write call.\n"
		"Exit codes: 0 synced or unchanged, 1 build or template error, 2 usage,\n"
		"3 configuration or credentials, 4 network, 5 a service refused a change.\n"
		"See docs/sync.md.",
	.options = sync_options,
	.noptions = ARRAY_SIZE(sync_options),
};

/* "A=1", "A=1 B=2" or "ParameterKey=A,ParameterValue=1" into overrides. */
static int add_overrides(const char *text, struct kvlist *out)
{
	char *copy = xstrdup(text), *save = NULL;
	int rc = 0;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		const char *k = w, *v;
		size_t klen;
		if (str_starts_with(w, "ParameterKey=")) {
			k = w + 13;
			const char *comma = strstr(k, ",ParameterValue=");
			if (!comma) {
				cli_error("--parameter-overrides: '%s' has ParameterKey= without "
					  ",ParameterValue=", w);
				rc = AWSX_EUSAGE;
				break;
			}
			klen = (size_t)(comma - k);
			v = comma + 16;
		} else {
			const char *eq = strchr(w, '=');
			if (!eq || eq == w) {
				cli_error("--parameter-overrides: '%s' is not KEY=VALUE", w);
				rc = AWSX_EUSAGE;
				break;
			}
			klen = (size_t)(eq - w);
			v = eq + 1;
		}
		char *key = xstrndup(k, klen);
		kvlist_set(out, key, v);
		free(key);
	}
	free(copy);
	return rc;
}

static const char *outcome_name(enum sync_outcome o)
{
	switch (o) {
	case SYNC_SKIPPED:
		return "unchanged";
	case SYNC_UPDATED:
		return "updated";
	case SYNC_FAILED:
		return "failed";
	default:
		return "not-run";
	}
}

static void print_text(struct cli_ctx *cli, const struct sync_code_report *rep)
{
	size_t width = 8, updated = 0, failed = 0;
	int writes = 0;
	for (size_t i = 0; i < rep->nr; i++) {
		size_t n = strlen(rep->built[i].res->id);
		if (n > width)
			width = n;
	}
	for (size_t i = 0; i < rep->not_syncable_nr; i++) {
		size_t n = strlen(rep->not_syncable[i]->id);
		if (n > width)
			width = n;
	}
	for (size_t i = 0; i < rep->nr; i++) {
		const struct sync_result *r = &rep->results[i];
		const char *color = "";
		if (cli->color)
			color = r->outcome == SYNC_UPDATED ? "\033[32m"
				: r->outcome == SYNC_SKIPPED ? "\033[2m"
							     : "\033[31m";
		printf("%-*s  %s%-9s%s", (int)width, rep->built[i].res->id, color,
		       outcome_name(r->outcome), cli->color ? "\033[0m" : "");
		if (r->outcome == SYNC_UPDATED)
			printf("  %s (%lld ms)", r->detail ? r->detail : "", r->ms);
		else if (r->outcome != SYNC_SKIPPED && r->detail)
			printf("  %s", r->detail);
		putchar('\n');
		updated += r->outcome == SYNC_UPDATED;
		failed += r->outcome == SYNC_FAILED || r->outcome == SYNC_NOT_RUN;
		writes += r->write_calls;
	}
	for (size_t i = 0; i < rep->not_syncable_nr; i++)
		printf("%-*s  skipped    %s\n", (int)width, rep->not_syncable[i]->id,
		       rep->not_syncable[i]->why_not ? rep->not_syncable[i]->why_not : "");
	printf("%zu updated, %zu unchanged", updated, rep->nr - updated - failed);
	if (failed)
		printf(", %zu failed", failed);
	printf(" in %.2f s (build %.2f s), %d write call%s\n", (double)rep->total_ms / 1000.0,
	       (double)rep->build_ms / 1000.0, writes, writes == 1 ? "" : "s");
}

static void print_json(const struct sync_code_report *rep, const char *stack)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "StackName", stack);
	cJSON *arr = cJSON_AddArrayToObject(doc, "Resources");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct sync_result *r = &rep->results[i];
		const struct sync_built *b = &rep->built[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Id", b->res->id);
		cJSON_AddStringToObject(o, "Type", b->res->type);
		if (r->phys && r->phys->physical)
			cJSON_AddStringToObject(o, "PhysicalId", r->phys->physical);
		cJSON_AddStringToObject(o, "Result", outcome_name(r->outcome));
		if (r->detail)
			cJSON_AddStringToObject(o, r->outcome == SYNC_FAILED ? "Error" : "Detail",
						r->detail);
		if (b->code.sha256_b64[0]) {
			cJSON_AddStringToObject(o, "CodeSha256", b->code.sha256_b64);
			cJSON_AddNumberToObject(o, "ZipSize", (double)b->code.zip_size);
		}
		if (r->layer_arn)
			cJSON_AddStringToObject(o, "LayerVersionArn", r->layer_arn);
		if (b->has_layer)
			cJSON_AddStringToObject(o, "DependencyKey", b->deps.key);
		cJSON_AddNumberToObject(o, "WriteCalls", r->write_calls);
		cJSON_AddNumberToObject(o, "Milliseconds", (double)r->ms);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON *ns = cJSON_AddArrayToObject(doc, "NotSyncable");
	for (size_t i = 0; i < rep->not_syncable_nr; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Id", rep->not_syncable[i]->id);
		cJSON_AddStringToObject(o, "Reason",
					rep->not_syncable[i]->why_not ? rep->not_syncable[i]->why_not : "");
		cJSON_AddItemToArray(ns, o);
	}
	cJSON_AddNumberToObject(doc, "BuildMilliseconds", (double)rep->build_ms);
	cJSON_AddNumberToObject(doc, "TotalMilliseconds", (double)rep->total_ms);
	char *s = cJSON_Print(doc);
	puts(s);
	cJSON_free(s);
	cJSON_Delete(doc);
}

int cmd_sync(struct cli_ctx *cli, struct cli_args *args)
{
	struct kvlist overrides = KVLIST_INIT;
	const char **ids = NULL, **types = NULL;
	size_t nids = 0, ntypes = 0;
	char *template = NULL;
	struct aws_error err;
	struct sync_code_report rep;
	const char *stack = cli_arg(args, "stack-name");
	int rc = 0;

	memset(&rep, 0, sizeof(rep));
	aws_error_clear(&err);
	if (!stack) {
		cli_error("--stack-name is required: the stack to sync to");
		return AWSX_EUSAGE;
	}
	if (!cli_flag(args, "code")) {
		cli_error("only code sync is available so far: add --code (a full sync through "
			  "CloudFormation is coming; deploy the stack with sam deploy meanwhile)");
		return AWSX_EUSAGE;
	}
	/* SAM's form: --parameter-overrides A=1 B=2 (the words after it) */
	if (args->npositional && !cli_flag(args, "parameter-overrides")) {
		cli_error("unexpected argument '%s' (see awsx sync -h)", args->positional[0]);
		return AWSX_EUSAGE;
	}
	for (size_t i = 0; i < args->npositional && !rc; i++)
		rc = add_overrides(args->positional[i], &overrides);
	for (size_t i = 0; i < args->nopts && !rc; i++) {
		const struct kvlist *l = &args->list[i];
		for (size_t k = 0; k < l->nr && !rc; k++) {
			const char *name = l->items[k].name, *v = l->items[k].value;
			if (!strcmp(name, "parameter-overrides")) {
				rc = add_overrides(v, &overrides);
			} else if (!strcmp(name, "resource-id")) {
				ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
				ids[nids++] = v;
			} else if (!strcmp(name, "resource")) {
				types = xrealloc(types, (ntypes + 1) * sizeof(*types));
				types[ntypes++] = v;
			}
		}
	}
	if (rc)
		goto out;
	if (tmpl_find(NULL, cli_arg(args, "template-file"), &template, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	if ((rc = cli_prepare(cli, NEEDS_AWS | NEEDS_REGION | NEEDS_CREDENTIALS)))
		goto out;

	struct sync_code_options o = {
		.template_path = template,
		.stack_name = stack,
		.parameter_overrides = &overrides,
		.resource_ids = ids,
		.nids = nids,
		.resource_types = types,
		.ntypes = ntypes,
		.s3_bucket = cli_arg(args, "s3-bucket"),
		.dependency_layer = !cli_flag(args, "no-dependency-layer"),
		.progress = stderr,
	};
	rc = sync_code_run(cli->aws, &o, &rep, &err);
	if (rep.nr && rep.results && (rep.results[0].built || !rc)) {
		if (cli->output == OUTPUT_JSON)
			print_json(&rep, stack);
		else
			print_text(cli, &rep);
	}
	if (rc) {
		/* flow failures are in the report; anything else is said here */
		int in_report = 0;
		for (size_t i = 0; i < rep.nr; i++)
			if (rep.results[i].outcome == SYNC_FAILED) {
				in_report = 1;
				if (!err.code[0] && rep.results[i].err.kind)
					err = rep.results[i].err;
			}
		if (in_report && rep.nr) {
			for (size_t i = 0; i < rep.nr; i++)
				if (rep.results[i].outcome == SYNC_FAILED)
					cli_error("%s: %s", rep.built[i].res->id,
						  rep.results[i].detail ? rep.results[i].detail : "failed");
			rc = err.kind ? err.kind : AWSX_ESERVICE;
		} else {
			rc = cli_report(&err);
		}
	}
out:
	sync_code_report_release(&rep);
	kvlist_release(&overrides);
	free(ids);
	free(types);
	free(template);
	return rc;
}
