/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flows.h: private to the flows of sync/ (flows.c drives them, flows-lambda.c
 * holds functions and layers, flows-api.c state machines and APIs).  A flow
 * is one resource's sync as a chain of calls on one aws_batch: each step
 * builds the next call with flow_call() and hands it to flow_send() with
 * the step that handles its answer.
 */
#ifndef AWSX_SYNC_FLOWS_H
#define AWSX_SYNC_FLOWS_H

#include "sync/deploy.h"

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
	const struct cfn_resource *phys;
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

/* ---- the engine (flows.c) ---- */

/* A fresh call for f (the previous one released); up to two %s in path_fmt, URI-encoded. */
struct aws_call *flow_call(struct flow *f, const char *op, const char *method,
			   const char *path_fmt, const char *a, const char *b);
/* Send f's call (after delay_ms); next handles the answer, an error fails the flow. */
void flow_send(struct flow *f, const struct aws_service *svc, step_fn *next, long delay_ms);
/* The same, with a 404 answer handled by on_404 (resp NULL) instead. */
void flow_send_or_404(struct flow *f, const struct aws_service *svc, step_fn *next,
		      step_fn *on_404);
void flow_fail(struct flow *f, const struct aws_error *err);
void flow_fail_msg(struct flow *f, int kind, const char *msg);
void flow_detail(struct flow *f, const char *fmt, const char *arg);
const char *flow_jstr(const cJSON *o, const char *name);
void flow_human_size(uint64_t n, char *buf, size_t len);
void flow_start(struct flow *f);
void flow_finish(struct flow *f);

/* ---- functions and layers (flows-lambda.c) ---- */

void flow_function_start(struct flow *f);
void flow_layer_start(struct flow *f);
int flow_layer_hold(struct flow *f);
char *flow_layer_name_of(const char *arn);
int flow_same_layer(const char *a, const char *b);

/* ---- state machines and APIs (flows-api.c) ---- */

void flow_state_machine_start(struct flow *f);
void flow_rest_start(struct flow *f);
void flow_http_start(struct flow *f);

#endif
