/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flows-api.c: the flows of state machines (DescribeStateMachine, compared,
 * UpdateStateMachine), REST APIs (PutRestApi overwrite, CreateDeployment,
 * every stage moved) and HTTP APIs (ReimportApi).  API definitions cannot
 * be read back cheaply: their hash in the sync state says what was sent.
 */
#include "sync/flows.h"

#include <stdlib.h>
#include <string.h>

/* ---- state machines ---- */

static void sm_described(struct flow *f, struct aws_response *resp);
static void sm_updated(struct flow *f, struct aws_response *resp);

void flow_state_machine_start(struct flow *f)
{
	aws_call_release(&f->call);
	aws_call_init(&f->call, "DescribeStateMachine");
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "stateMachineArn", f->phys->physical);
	flow_send(f, &aws_svc_sfn, sm_described, 0);
}

static void sm_described(struct flow *f, struct aws_response *resp)
{
	const char *def = flow_jstr(resp->json, "definition");
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
	flow_send(f, &aws_svc_sfn, sm_updated, 0);
}

static void sm_updated(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	f->out->outcome = SYNC_UPDATED;
	flow_detail(f, "definition updated%s", "");
	flow_finish(f);
}

/* ---- APIs ---- */

/*
 * The definition hash the last sync sent to this very API (a stack deleted
 * and created again has a new API id, which must get the definition again).
 */
static const char *state_definition(struct flow *f)
{
	cJSON *st = sync_state_resource(f->run->opts->state, f->res->id);
	const char *phys = flow_jstr(st, "physical");
	if (!phys || !f->phys->physical || strcmp(phys, f->phys->physical))
		return NULL;
	return flow_jstr(st, "definition");
}

static void rest_put(struct flow *f, struct aws_response *resp);
static void rest_deployed(struct flow *f, struct aws_response *resp);
static void rest_stages(struct flow *f, struct aws_response *resp);
static void rest_stage_next(struct flow *f, struct aws_response *resp);

void flow_rest_start(struct flow *f)
{
	const char *last = state_definition(f);
	if (last && !strcmp(last, f->b->definition_sha)) {
		flow_finish(f);
		return;
	}
	flow_call(f, "PutRestApi", "PUT", "/restapis/%s", f->phys->physical, NULL);
	kvlist_add(&f->call.query, "mode", "overwrite");
	f->call.body = f->b->definition;
	f->call.body_len = strlen(f->b->definition);
	kvlist_add(&f->call.headers, "Content-Type", "application/json");
	flow_send(f, &aws_svc_apigateway, rest_put, 0);
}

static void rest_put(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	flow_call(f, "CreateDeployment", "POST", "/restapis/%s/deployments", f->phys->physical,
		 NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "description", "awsx sync --code");
	flow_send(f, &aws_svc_apigateway, rest_deployed, 0);
}

static void rest_deployed(struct flow *f, struct aws_response *resp)
{
	const char *id = flow_jstr(resp->json, "id");
	if (!id) {
		flow_fail_msg(f, AWSX_ESERVICE, "CreateDeployment answered without id");
		return;
	}
	f->deployment = xstrdup(id);
	flow_call(f, "GetStages", "GET", "/restapis/%s/stages", f->phys->physical, NULL);
	flow_send(f, &aws_svc_apigateway, rest_stages, 0);
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
	const char *name = flow_jstr(cJSON_GetArrayItem(f->stages, f->stage_next), "stageName");
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
	flow_call(f, "UpdateStage", "PATCH", "/restapis/%s/stages/%s", f->phys->physical, name);
	f->call.json = cJSON_CreateObject();
	cJSON *ops = cJSON_AddArrayToObject(f->call.json, "patchOperations");
	cJSON *op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "replace");
	cJSON_AddStringToObject(op, "path", "/deploymentId");
	cJSON_AddStringToObject(op, "value", f->deployment);
	cJSON_AddItemToArray(ops, op);
	flow_send(f, &aws_svc_apigateway, rest_stage_next, 0);
}

static void http_reimported(struct flow *f, struct aws_response *resp);

void flow_http_start(struct flow *f)
{
	const char *last = state_definition(f);
	if (last && !strcmp(last, f->b->definition_sha)) {
		flow_finish(f);
		return;
	}
	flow_call(f, "ReimportApi", "PUT", "/v2/apis/%s", f->phys->physical, NULL);
	f->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(f->call.json, "body", f->b->definition);
	flow_send(f, &aws_svc_apigatewayv2, http_reimported, 0);
}

static void http_reimported(struct flow *f, struct aws_response *resp)
{
	(void)resp;
	f->out->outcome = SYNC_UPDATED;
	flow_detail(f, "definition reimported%s", "");
	flow_finish(f);
}
