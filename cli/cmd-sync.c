/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-sync.c: `awsx sync --code`: options in SAM CLI's names, then
 * sync/codesync.c does the work and this prints one line per resource and
 * a summary (or one JSON document with --output json).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/fs.h"
#include "sync/samconfig.h"
#include "sync/watch.h"
#include "templates/templates.h"

static const struct cli_option sync_options[] = {
	{ "capabilities", 0, OPT_LIST, "CAP ...",
	  "full sync: CloudFormation capabilities (default CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND)" },
	{ "code", 0, OPT_FLAG, NULL, "sync code only, through the service APIs (no CloudFormation)" },
	{ "config-env", 0, OPT_STRING, "ENV", "samconfig environment (default: default)" },
	{ "config-file", 0, OPT_STRING, "FILE",
	  "samconfig file (default: samconfig.toml/.yaml/.yml by the template, else here)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ "no-confirm", 0, OPT_FLAG, NULL,
	  "full sync: do not ask whether the stack is a development stack" },
	{ "no-dependency-layer", 0, OPT_FLAG, NULL,
	  "keep dependencies in each function's package instead of a layer" },
	{ "no-skip-deploy-sync", 0, OPT_FLAG, NULL,
	  "full sync: call CloudFormation even when only code changed" },
	{ "parameter-overrides", 0, OPT_LIST, "KEY=VALUE ...",
	  "template parameters (also ParameterKey=K,ParameterValue=V)" },
	{ "resource", 0, OPT_LIST, "TYPE", "sync only resources of this type (repeatable)" },
	{ "resource-id", 0, OPT_LIST, "ID", "sync only this resource, Child/Id when nested (repeatable)" },
	{ "role-arn", 0, OPT_STRING, "ARN", "full sync: the role CloudFormation deploys with" },
	{ "s3-bucket", 0, OPT_STRING, "BUCKET",
	  "artifact bucket (full sync: default the managed stack's; --code: for packages over 50 MB)" },
	{ "s3-prefix", 0, OPT_STRING, "PREFIX", "full sync: key prefix in the bucket (default the stack name)" },
	{ "stack-name", 0, OPT_STRING, "NAME", "the stack (required)" },
	{ "tags", 0, OPT_LIST, "KEY=VALUE ...", "full sync: stack tags" },
	{ "watch", 0, OPT_FLAG, NULL,
	  "after the sync, watch the sources and the template and sync each change" },
	{ "watch-exclude", 0, OPT_LIST, "ID=GLOB",
	  "--watch: changes matching GLOB (gitignore syntax) do not sync resource ID" },
	{ "template-file", 't', OPT_STRING, "FILE",
	  "template (default: template.yaml, template.yml or template.json here)" },
};

const struct cli_spec cmd_sync_spec = {
	.usage = "--stack-name NAME [--code] [options]",
	.max_positional = -1,
	.description =
		"Without --code (a full sync): build everything, upload what S3 does not have\n"
		"yet (content-addressed keys), then CreateStack or UpdateStack directly, no\n"
		"change set, with the stack's events as they happen.  When the template\n"
		"differs from the deployed one only in code, CloudFormation is skipped and\n"
		"the code is synced as with --code.  The first full sync of a stack asks\n"
		"whether it is a development stack (--no-confirm skips that).\n\n"
		"With --code: build what changed and push it straight through the service\n"
		"APIs: Lambda code (UpdateFunctionCode, compared with CodeSha256 first), layers\n"
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

static cJSON *code_json(const struct sync_code_report *rep, const char *stack)
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
	return doc;
}

static void print_json(const struct sync_code_report *rep, const char *stack)
{
	cJSON *doc = code_json(rep, stack);
	char *s = cJSON_Print(doc);
	puts(s);
	cJSON_free(s);
	cJSON_Delete(doc);
}

/* Report a code sync's failure: flow failures are in the report, anything else is said here. */
static int code_failure(const struct sync_code_report *rep, struct aws_error *err)
{
	int in_report = 0;
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->results[i].outcome == SYNC_FAILED) {
			in_report = 1;
			if (!err->code[0] && rep->results[i].err.kind)
				*err = rep->results[i].err;
		}
	if (!in_report)
		return cli_report(err);
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->results[i].outcome == SYNC_FAILED)
			cli_error("%s: %s", rep->built[i].res->id,
				  rep->results[i].detail ? rep->results[i].detail : "failed");
	return err->kind ? err->kind : AWSX_ESERVICE;
}

static void print_code(struct cli_ctx *cli, const struct sync_code_report *rep, const char *stack)
{
	if (!rep->nr || !rep->results || !rep->results[0].built)
		return;
	if (cli->output == OUTPUT_JSON)
		print_json(rep, stack);
	else
		print_text(cli, rep);
}

/*
 * A full sync deploys without a change set: only to a development stack.
 * The answer is remembered per region and stack in ~/.awsx/sync-confirmed.json.
 */
static int confirm_stack(struct cli_ctx *cli, const char *region, const char *stack, int no_confirm)
{
	const char *home = getenv("HOME");
	char *dir = xstrfmt("%s/.awsx", home && *home ? home : ".");
	char *path = xstrfmt("%s/sync-confirmed.json", dir);
	char *key = NULL;
	struct strbuf text = STRBUF_INIT;
	struct aws_error err;
	struct sts_identity id;
	cJSON *doc = NULL;
	int rc = 0;

	if (no_confirm)
		goto out;
	/* the same stack name in another account is another stack */
	aws_error_clear(&err);
	if (sts_get_caller_identity(cli->aws, &id, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	key = xstrfmt("%s/%s/%s", id.account, region ? region : "", stack);
	if (!strbuf_read_file(&text, path, 1u << 20))
		doc = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, key)))
		goto out;
	if (!cli->interactive) {
		cli_error("awsx sync deploys to stack '%s' (%s) without change sets, for development "
			  "stacks only: confirm on a terminal once, or pass --no-confirm",
			  stack, region ? region : "");
		rc = AWSX_EUSAGE;
		goto out;
	}
	fprintf(stderr,
		"awsx sync updates stack '%s' in %s directly, without change sets, and pushes code\n"
		"past CloudFormation: use it on development stacks only.\n"
		"Is '%s' a development stack? [y/N] ",
		stack, region ? region : "", stack);
	char line[16] = "";
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		cli_error("not confirmed: nothing was changed");
		rc = AWSX_EUSAGE;
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
	cJSON_AddTrueToObject(doc, key);
	char *s = cJSON_Print(doc);
	aws_error_clear(&err);
	if (fs_mkdir_p(dir, 0700, &err) || fs_write_atomic(path, s, strlen(s), 0600, 1, &err))
		cli_error("warning: %s (you will be asked again)", err.message);
	cJSON_free(s);
out:
	cJSON_Delete(doc);
	strbuf_release(&text);
	free(dir);
	free(path);
	free(key);
	return rc;
}

static void add_words(const char *text, struct kvlist *out)
{
	char *copy = xstrdup(text), *save = NULL;
	for (char *w = strtok_r(copy, " \t\n,", &save); w; w = strtok_r(NULL, " \t\n,", &save))
		kvlist_set(out, w, "");
	free(copy);
}

static int print_full(struct cli_ctx *cli, const struct sync_full_report *rep, int rc,
		      const struct aws_error *err_in, const char *stack)
{
	struct aws_error err = *err_in;
	const char *infra = rep->skipped ? "skipped" : rep->deploy.unchanged ? "unchanged"
						   : rep->deploy.created ? "created" : "updated";
	if (cli->output == OUTPUT_JSON && (rep->packed.template_url || rc == 0)) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "StackName", stack);
		cJSON_AddStringToObject(doc, "Infrastructure", rc && !rep->skipped ? "failed" : infra);
		if (rep->deploy.status)
			cJSON_AddStringToObject(doc, "StackStatus", rep->deploy.status);
		if (rep->packed.template_url)
			cJSON_AddStringToObject(doc, "TemplateURL", rep->packed.template_url);
		cJSON_AddNumberToObject(doc, "Uploaded", (double)rep->packed.uploaded);
		cJSON_AddNumberToObject(doc, "AlreadyInS3", (double)rep->packed.present);
		cJSON_AddNumberToObject(doc, "Milliseconds", (double)rep->ms);
		/* one document: the code sync (after a skip) is inside it */
		if (rep->ran_code_sync && rep->code.results)
			cJSON_AddItemToObject(doc, "Code", code_json(&rep->code, stack));
		char *s = cJSON_Print(doc);
		puts(s);
		cJSON_free(s);
		cJSON_Delete(doc);
	} else if (!rc || rep->skipped) {
		if (rep->skipped)
			printf("infrastructure unchanged: CloudFormation skipped, code synced through "
			       "the service APIs\n");
		else if (rep->deploy.unchanged)
			printf("infrastructure unchanged (CloudFormation: no updates to perform)\n");
		else
			printf("stack %s %s (%s)\n", stack, infra, rep->deploy.status);
		if (rep->ran_code_sync)
			print_code(cli, &rep->code, stack);
		printf("%zu artifact%s uploaded, %zu already in S3, %.2f s\n", rep->packed.uploaded,
		       rep->packed.uploaded == 1 ? "" : "s", rep->packed.present,
		       (double)rep->ms / 1000.0);
	}
	fflush(stdout);
	if (rc)
		rc = rep->ran_code_sync ? code_failure(&rep->code, &err) : cli_report(&err);
	return rc;
}

struct watch_ctx {
	struct cli_ctx *cli;
	const char *stack;
};

static void watch_full(const struct sync_full_report *rep, int rc, const struct aws_error *err,
		       void *ud)
{
	struct watch_ctx *wc = ud;
	print_full(wc->cli, rep, rc, err, wc->stack);
}

static void watch_code(const struct sync_code_report *rep, int rc, const struct aws_error *err,
		       void *ud)
{
	struct watch_ctx *wc = ud;
	struct aws_error e = *err;
	if (!rc || (rep->nr && rep->results && rep->results[0].built))
		print_code(wc->cli, rep, wc->stack);
	fflush(stdout);
	if (rc)
		code_failure(rep, &e);
}

static void watch_error(const struct aws_error *err, void *ud)
{
	(void)ud;
	cli_report(err);
}

/* What a run uses: the command line over samconfig over the defaults. */
struct settings {
	const char *stack, *template_arg, *s3_bucket, *s3_prefix, *role_arn;
	int code, watch, dependency_layer, no_confirm, skip_deploy_sync;
	struct kvlist overrides, caps, tags;
	const char **ids, **types, **excludes;
	size_t nids, ntypes, nexcludes;
	cJSON *config; /* samconfig's parameters (owns the strings above that came from it) */
	char *config_path;
};

static void settings_release(struct settings *st)
{
	kvlist_release(&st->overrides);
	kvlist_release(&st->caps);
	kvlist_release(&st->tags);
	free(st->ids);
	free(st->types);
	free(st->excludes);
	cJSON_Delete(st->config);
	free(st->config_path);
}

static void push(const char ***list, size_t *n, const char *v)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = v;
}

static int full_sync(struct cli_ctx *cli, const struct settings *st, const char *template)
{
	struct sync_full_report rep;
	struct aws_error err;
	int rc;

	aws_error_clear(&err);
	if ((rc = confirm_stack(cli, aws_ctx_region(cli->aws), st->stack, st->no_confirm)))
		return rc;
	struct sync_full_options o = {
		.template_path = template,
		.stack_name = st->stack,
		.parameter_overrides = &st->overrides,
		.s3_bucket = st->s3_bucket,
		.s3_prefix = st->s3_prefix,
		.capabilities = &st->caps,
		.tags = &st->tags,
		.role_arn = st->role_arn,
		.dependency_layer = st->dependency_layer,
		.skip_deploy_sync = st->skip_deploy_sync,
		.progress = stderr,
	};
	rc = sync_full_run(cli->aws, &o, &rep, &err);
	rc = print_full(cli, &rep, rc, &err, st->stack);
	sync_full_report_release(&rep);
	if (!st->watch)
		return rc;
	/* a failed first sync is worth a fix and a save; bad configuration is not */
	if (rc == AWSX_EUSAGE || rc == AWSX_ECONFIG || rc == AWSX_EINTR)
		return rc;

	struct watch_ctx wc = {cli, st->stack};
	struct sync_watch_options wo = {
		.full = o,
		.excludes = st->excludes,
		.nexcludes = st->nexcludes,
		.quiet_ms = 150,
		.out = stderr,
		.on_full = watch_full,
		.on_code = watch_code,
		.on_error = watch_error,
		.ud = &wc,
	};
	aws_error_clear(&err);
	rc = sync_watch(cli->aws, &wo, &err);
	if (rc == -AWSX_EINTR) {
		fprintf(stderr, "\nstopped watching\n");
		return AWSX_EINTR;
	}
	return rc ? cli_report(&err) : 0;
}

/* A samconfig value as text ("A=1 B=2" for an array of words), or NULL. */
static char *config_text(const cJSON *v)
{
	char buf[64];
	if (cJSON_IsArray(v)) {
		struct strbuf sb = STRBUF_INIT;
		const cJSON *x;
		cJSON_ArrayForEach(x, v)
		{
			const char *t = tmpl_scalar_text(x, buf, sizeof(buf));
			if (t)
				strbuf_addf(&sb, "%s%s", sb.len ? " " : "", t);
		}
		return strbuf_detach(&sb, NULL);
	}
	const char *t = tmpl_scalar_text(v, buf, sizeof(buf));
	return t ? xstrdup(t) : NULL;
}

static int config_bool(const cJSON *v, int dflt)
{
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsString(v))
		return !strcasecmp(v->valuestring, "true");
	return dflt;
}

/*
 * samconfig (samconfig.toml / .yaml / .yml by the template, else here;
 * --config-file, --config-env): [ENV.sync.parameters] over
 * [ENV.global.parameters]; what the command line says wins.
 */
static int apply_samconfig(struct cli_ctx *cli, struct cli_args *args, struct settings *st)
{
	struct aws_error err;
	const char *t = cli_arg(args, "template-file");
	char *dir = NULL;
	int rc = 0;

	aws_error_clear(&err);
	if (t && strrchr(t, '/'))
		dir = xstrndup(t, (size_t)(strrchr(t, '/') - t));
	if (samconfig_find(dir, cli_arg(args, "config-file"), &st->config_path, &err) ||
	    (st->config_path && samconfig_load(st->config_path, cli_arg(args, "config-env"), "sync",
					       &st->config, &err))) {
		free(dir);
		return cli_report(&err);
	}
	free(dir);
	if (!st->config)
		return 0;
	const cJSON *c = st->config;
#define CFG(name) cJSON_GetObjectItemCaseSensitive(c, name)
	if (!st->stack)
		st->stack = cJSON_GetStringValue(CFG("stack_name"));
	if (!st->template_arg)
		st->template_arg = cJSON_GetStringValue(CFG("template_file"));
	if (!st->s3_bucket)
		st->s3_bucket = cJSON_GetStringValue(CFG("s3_bucket"));
	if (!st->s3_prefix)
		st->s3_prefix = cJSON_GetStringValue(CFG("s3_prefix"));
	if (!cli->g.region)
		cli->g.region = cJSON_GetStringValue(CFG("region"));
	if (!cli->g.profile)
		cli->g.profile = cJSON_GetStringValue(CFG("profile"));
	if (!cli_flag(args, "watch"))
		st->watch = config_bool(CFG("watch"), 0);
	if (!cli_flag(args, "code"))
		st->code = config_bool(CFG("code"), 0);
	if (!cli_flag(args, "no-dependency-layer"))
		st->dependency_layer = config_bool(CFG("dependency_layer"), 1);
	if (!st->overrides.nr && CFG("parameter_overrides")) {
		char *text = config_text(CFG("parameter_overrides"));
		rc = text ? add_overrides(text, &st->overrides) : 0;
		free(text);
	}
	if (!st->caps.nr && CFG("capabilities")) {
		char *text = config_text(CFG("capabilities"));
		if (text)
			add_words(text, &st->caps);
		free(text);
	}
	if (!rc && !st->tags.nr && CFG("tags")) {
		char *text = config_text(CFG("tags"));
		rc = text ? add_overrides(text, &st->tags) : 0;
		free(text);
	}
	if (!st->nids && CFG("resource_id")) {
		const cJSON *v = CFG("resource_id"), *x;
		if (cJSON_IsString(v))
			push(&st->ids, &st->nids, v->valuestring);
		else if (cJSON_IsArray(v))
			cJSON_ArrayForEach(x, v)
				if (cJSON_IsString(x))
					push(&st->ids, &st->nids, x->valuestring);
	}
#undef CFG
	return rc;
}

int cmd_sync(struct cli_ctx *cli, struct cli_args *args)
{
	struct settings st;
	char *template = NULL;
	struct aws_error err;
	struct sync_code_report rep;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	memset(&rep, 0, sizeof(rep));
	aws_error_clear(&err);
	st.stack = cli_arg(args, "stack-name");
	st.template_arg = cli_arg(args, "template-file");
	st.s3_bucket = cli_arg(args, "s3-bucket");
	st.s3_prefix = cli_arg(args, "s3-prefix");
	st.role_arn = cli_arg(args, "role-arn");
	st.code = cli_flag(args, "code");
	st.watch = cli_flag(args, "watch");
	st.dependency_layer = !cli_flag(args, "no-dependency-layer");
	st.no_confirm = cli_flag(args, "no-confirm");
	st.skip_deploy_sync = !cli_flag(args, "no-skip-deploy-sync");

	/* SAM's form: --parameter-overrides A=1 B=2 (the words after it) */
	if (args->npositional && !cli_flag(args, "parameter-overrides")) {
		cli_error("unexpected argument '%s' (see awsx sync -h)", args->positional[0]);
		return AWSX_EUSAGE;
	}
	for (size_t i = 0; i < args->npositional && !rc; i++)
		rc = add_overrides(args->positional[i], &st.overrides);
	for (size_t i = 0; i < args->nopts && !rc; i++) {
		const struct kvlist *l = &args->list[i];
		for (size_t k = 0; k < l->nr && !rc; k++) {
			const char *name = l->items[k].name, *v = l->items[k].value;
			if (!strcmp(name, "parameter-overrides")) {
				rc = add_overrides(v, &st.overrides);
			} else if (!strcmp(name, "resource-id")) {
				push(&st.ids, &st.nids, v);
			} else if (!strcmp(name, "resource")) {
				push(&st.types, &st.ntypes, v);
			} else if (!strcmp(name, "capabilities")) {
				add_words(v, &st.caps);
			} else if (!strcmp(name, "tags")) {
				rc = add_overrides(v, &st.tags);
			} else if (!strcmp(name, "watch-exclude")) {
				if (!strchr(v, '=')) {
					cli_error("--watch-exclude %s: expected ID=GLOB", v);
					rc = AWSX_EUSAGE;
				}
				push(&st.excludes, &st.nexcludes, v);
			}
		}
	}
	if (!rc)
		rc = apply_samconfig(cli, args, &st);
	if (rc)
		goto out;
	if (!st.stack) {
		cli_error("--stack-name is required (or stack_name in samconfig): the stack to "
			  "sync to");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!st.code && (st.nids || st.ntypes)) {
		cli_error("--resource-id and --resource go with --code");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (st.code && st.watch) {
		cli_error("--watch runs a full sync first and syncs code changes by itself: drop --code");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!st.caps.nr) {
		kvlist_set(&st.caps, "CAPABILITY_NAMED_IAM", "");
		kvlist_set(&st.caps, "CAPABILITY_AUTO_EXPAND", "");
	}
	if (tmpl_find(NULL, st.template_arg, &template, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	if ((rc = cli_prepare(cli, NEEDS_AWS | NEEDS_REGION | NEEDS_CREDENTIALS)))
		goto out;
	if (!st.code) {
		rc = full_sync(cli, &st, template);
		goto out;
	}

	struct sync_code_options o = {
		.template_path = template,
		.stack_name = st.stack,
		.parameter_overrides = &st.overrides,
		.resource_ids = st.ids,
		.nids = st.nids,
		.resource_types = st.types,
		.ntypes = st.ntypes,
		.s3_bucket = st.s3_bucket,
		.dependency_layer = st.dependency_layer,
		.progress = stderr,
	};
	rc = sync_code_run(cli->aws, &o, &rep, &err);
	if (!rc || (rep.nr && rep.results && rep.results[0].built))
		print_code(cli, &rep, st.stack);
	if (rc)
		rc = code_failure(&rep, &err);
out:
	sync_code_report_release(&rep);
	settings_release(&st);
	free(template);
	return rc;
}
