/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c: which log groups belong to a stack.  The stack's resources
 * come from ListStackResources (nested stacks too); each resource that
 * writes logs is asked where it writes them, all at once on one batch:
 * functions (GetFunctionConfiguration: LoggingConfig.LogGroup, else the
 * default /aws/lambda/<name>), REST APIs (GetStages: every stage's
 * execution-log group and access-log destination, whatever the stages are
 * called), HTTP APIs (GetStages: access-log destinations) and state
 * machines (DescribeStateMachine: logging destinations).
 */
#include "logs/internal.h"

#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"

/* One resource's question and, once answered, its answer. */
struct ask {
	const struct cfn_resource *res;
	const struct aws_service *svc;
	struct aws_call call;
	cJSON *answer; /* NULL when the call failed */
	struct aws_error err;
	int rc;
};

struct resolver {
	struct aws_ctx *ctx;
	struct logs_sources *out;
	struct aws_error err; /* the first failure */
	int rc;
};

char *logs_group_from_arn(const char *arn, char **region)
{
	/* arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*] */
	const char *p = arn;
	const char *field[6];
	if (region)
		*region = NULL;
	if (!arn || strncmp(arn, "arn:", 4))
		return NULL;
	for (int i = 0; i < 6; i++) {
		field[i] = p;
		if (i == 5)
			break;
		p = strchr(p, ':');
		if (!p)
			return NULL;
		p++;
	}
	/* field[2] = service, field[3] = region, field[5] = "log-group:NAME..." */
	if (strncmp(field[2], "logs:", 5) || strncmp(field[5], "log-group:", 10))
		return NULL;
	const char *name = field[5] + 10;
	size_t len = strlen(name);
	if (len >= 2 && !strcmp(name + len - 2, ":*"))
		len -= 2;
	if (!len)
		return NULL;
	if (region && field[4] - field[3] > 1)
		*region = xstrndup(field[3], (size_t)(field[4] - field[3] - 1));
	return xstrndup(name, len);
}

/* Add a group unless it is there already (the first label stays). */
static void add_source(struct logs_sources *s, const char *resource, char *group, char *region,
		       enum logs_source_kind kind)
{
	for (size_t i = 0; i < s->nr; i++) {
		const char *ri = s->v[i].region;
		int same_region = (!ri && !region) || (ri && region && !strcmp(ri, region));
		if (same_region && !strcmp(s->v[i].group, group)) {
			free(group);
			free(region);
			return;
		}
	}
	ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	struct logs_source *src = &s->v[s->nr++];
	src->resource = xstrdup(resource);
	src->group = group;
	src->region = region;
	src->kind = kind;
}

static void add_arn(struct resolver *r, const char *resource, const char *arn,
		    enum logs_source_kind kind)
{
	char *region = NULL;
	char *group = logs_group_from_arn(arn, &region);
	const char *here = aws_ctx_region(r->ctx);
	if (region && here && !strcmp(region, here)) {
		free(region);
		region = NULL;
	}
	if (group)
		add_source(r->out, resource, group, region, kind);
}

static void fail(struct resolver *r, const struct aws_error *err, int rc)
{
	if (!r->rc) {
		r->err = *err;
		r->rc = rc;
	}
}

static void on_answer(struct aws_call *call, struct aws_response *resp,
		      const struct aws_error *err, int rc, void *ud)
{
	struct ask *a = ud;
	(void)call;
	a->rc = rc;
	if (rc) {
		a->err = *err;
	} else {
		a->answer = resp->json;
		resp->json = NULL;
	}
}

/*
 * A stage writes execution logs when some method setting (the all-methods key too)
 * has loggingLevel INFO or ERROR; otherwise its group never comes and
 * would only cost polls.
 */
static int execution_logging(const cJSON *stage)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(stage, "methodSettings"))
	{
		const char *level = logs_jstr(m, "loggingLevel");
		if (level && (!strcmp(level, "INFO") || !strcmp(level, "ERROR")))
			return 1;
	}
	return 0;
}

/* The groups of one answered resource, in the order of the stack's listing. */
static void take_answer(struct resolver *r, const struct ask *a)
{
	const struct cfn_resource *res = a->res;
	const cJSON *answer = a->answer;
	const struct aws_error *err = &a->err;
	int rc = a->rc;

	if (!strcmp(res->type, "AWS::Lambda::Function")) {
		const char *group = NULL;
		if (!rc)
			group = logs_jstr(cJSON_GetObjectItemCaseSensitive(answer, "LoggingConfig"),
				     "LogGroup");
		else if (err->http_status != 404)
			fail(r, err, rc);
		add_source(r->out, res->id,
			   group ? xstrdup(group) : xstrfmt("/aws/lambda/%s", res->physical), NULL,
			   LOGS_SRC_FUNCTION);
		return;
	}
	if (rc) {
		if (err->http_status != 404 && strcmp(err->code, "StateMachineDoesNotExist"))
			fail(r, err, rc);
		return;
	}
	if (!strcmp(res->type, "AWS::ApiGateway::RestApi")) {
		const cJSON *stage;
		cJSON_ArrayForEach(stage, cJSON_GetObjectItemCaseSensitive(answer, "item"))
		{
			const char *name = logs_jstr(stage, "stageName");
			if (!name)
				continue;
			if (execution_logging(stage))
				add_source(r->out, res->id,
					   xstrfmt("API-Gateway-Execution-Logs_%s/%s", res->physical,
						   name),
					   NULL, LOGS_SRC_API_EXECUTION);
			add_arn(r, res->id,
				logs_jstr(cJSON_GetObjectItemCaseSensitive(stage, "accessLogSettings"),
				     "destinationArn"),
				LOGS_SRC_API_ACCESS);
		}
	} else if (!strcmp(res->type, "AWS::ApiGatewayV2::Api")) {
		const cJSON *stage;
		cJSON_ArrayForEach(stage, cJSON_GetObjectItemCaseSensitive(answer, "items"))
		{
			add_arn(r, res->id,
				logs_jstr(cJSON_GetObjectItemCaseSensitive(stage, "accessLogSettings"),
				     "destinationArn"),
				LOGS_SRC_API_ACCESS);
		}
	} else if (!strcmp(res->type, "AWS::StepFunctions::StateMachine")) {
		const cJSON *d, *lc = cJSON_GetObjectItemCaseSensitive(answer,
								       "loggingConfiguration");
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(lc, "destinations"))
		{
			add_arn(r, res->id,
				logs_jstr(cJSON_GetObjectItemCaseSensitive(d, "cloudWatchLogsLogGroup"),
				     "logGroupArn"),
				LOGS_SRC_STATE_MACHINE);
		}
	}
}

static char *encoded_path(const char *fmt, const char *id)
{
	struct strbuf enc = STRBUF_INIT;
	sigv4_uri_encode(&enc, id, strlen(id), 0);
	char *path = xstrfmt(fmt, enc.buf);
	strbuf_release(&enc);
	return path;
}

/* The call that tells where res writes its logs, or NULL when it writes none. */
static const struct aws_service *ask_call(const struct cfn_resource *res, struct aws_call *call)
{
	const char *t = res->type;
	if (!strcmp(t, "AWS::Lambda::Function")) {
		aws_call_init(call, "GetFunctionConfiguration");
		call->method = "GET";
		call->path = encoded_path("/2015-03-31/functions/%s/configuration", res->physical);
		return &aws_svc_lambda;
	}
	if (!strcmp(t, "AWS::ApiGateway::RestApi")) {
		aws_call_init(call, "GetStages");
		call->method = "GET";
		call->path = encoded_path("/restapis/%s/stages", res->physical);
		return &aws_svc_apigateway;
	}
	if (!strcmp(t, "AWS::ApiGatewayV2::Api")) {
		aws_call_init(call, "GetStages");
		call->method = "GET";
		call->path = encoded_path("/v2/apis/%s/stages", res->physical);
		return &aws_svc_apigatewayv2;
	}
	if (!strcmp(t, "AWS::StepFunctions::StateMachine")) {
		aws_call_init(call, "DescribeStateMachine");
		call->json = cJSON_CreateObject();
		cJSON_AddStringToObject(call->json, "stateMachineArn", res->physical);
		return &aws_svc_sfn;
	}
	return NULL;
}

/* --name N selects the resource "N" and, for a nested stack "N", all of it. */
static int selected(const struct logs_resolve_options *o, const char *id, size_t *hits)
{
	if (!o->nr_names)
		return 1;
	int any = 0;
	for (size_t i = 0; i < o->nr_names; i++) {
		size_t n = strlen(o->names[i]);
		if (!strcmp(id, o->names[i]) || (!strncmp(id, o->names[i], n) && id[n] == '/')) {
			hits[i]++;
			any = 1;
		}
	}
	return any;
}

static int unknown_name(const struct logs_resolve_options *o, const struct cfn_resources *res,
			const size_t *hits, struct aws_error *err)
{
	struct strbuf ids = STRBUF_INIT;
	size_t i;
	for (i = 0; i < o->nr_names && hits[i]; i++)
		;
	for (size_t j = 0; j < res->nr; j++) {
		struct aws_call probe;
		const struct aws_service *svc = ask_call(&res->r[j], &probe);
		if (svc || !strcmp(res->r[j].type, "AWS::CloudFormation::Stack"))
			strbuf_addf(&ids, "%s%s", ids.len ? ", " : "", res->r[j].id);
		if (svc)
			aws_call_release(&probe);
	}
	aws_error_set(err, AWSX_EUSAGE, "no resource '%s' with logs in stack '%s'%s%s",
		      o->names[i], o->stack_name, ids.len ? "; it has: " : "",
		      ids.len ? ids.buf : " (it has none)");
	strbuf_release(&ids);
	return -AWSX_EUSAGE;
}

int logs_resolve(struct aws_ctx *ctx, const struct logs_resolve_options *o,
		 struct logs_sources *out, struct aws_error *err)
{
	struct cfn_resources res = {NULL, 0, 0};
	struct resolver r = {ctx, out, {0}, 0};
	struct ask *asks = NULL;
	size_t nr_asks = 0;
	size_t *hits = xcalloc(o->nr_names + 1, sizeof(*hits));
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (o->stack_name) {
		rc = cfn_list_stack_resources(ctx, o->stack_name, &res, err);
		if (rc)
			goto out;
		asks = xcalloc(res.nr + 1, sizeof(*asks));
		for (size_t i = 0; i < res.nr; i++) {
			const struct cfn_resource *x = &res.r[i];
			struct ask *a = &asks[nr_asks];
			if (!x->physical || !(a->svc = ask_call(x, &a->call)))
				continue;
			/* a --name counts only for resources that write logs */
			if (!selected(o, x->id, hits)) {
				aws_call_release(&a->call);
				continue;
			}
			a->res = x;
			nr_asks++;
		}
		for (size_t i = 0; i < o->nr_names; i++)
			if (!hits[i]) {
				rc = unknown_name(o, &res, hits, err);
				goto out;
			}
		struct aws_batch *b = aws_batch_new(ctx, 8);
		/* a stack of hundreds of functions must not trip the control planes' limits */
		aws_batch_limit(b, &aws_svc_lambda, 15);
		aws_batch_limit(b, &aws_svc_apigateway, 5);
		aws_batch_limit(b, &aws_svc_apigatewayv2, 5);
		aws_batch_limit(b, &aws_svc_sfn, 10);
		for (size_t i = 0; i < nr_asks; i++)
			aws_batch_add(b, asks[i].svc, &asks[i].call, on_answer, &asks[i]);
		rc = aws_batch_run(b);
		aws_batch_free(b);
		if (rc) {
			aws_error_set(err, AWSX_EINTR, "interrupted");
			goto out;
		}
		for (size_t i = 0; i < nr_asks; i++)
			take_answer(&r, &asks[i]);
		if (r.rc) {
			*err = r.err;
			rc = r.rc;
			goto out;
		}
	}
	for (size_t i = 0; i < o->nr_groups; i++)
		add_source(out, o->groups[i], xstrdup(o->groups[i]), NULL, LOGS_SRC_GROUP);
out:
	for (size_t i = 0; i < nr_asks; i++) {
		aws_call_release(&asks[i].call);
		cJSON_Delete(asks[i].answer);
	}
	free(asks);
	free(hits);
	cfn_resources_release(&res);
	return rc;
}

void logs_sources_release(struct logs_sources *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->v[i].resource);
		free(s->v[i].group);
		free(s->v[i].region);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
