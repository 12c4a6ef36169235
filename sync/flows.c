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
#include "sync/flows.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws/sigv4.h"

/* ---- small helpers ---- */

static void encode(struct strbuf *sb, const char *s)
{
	sigv4_uri_encode(sb, s, strlen(s), 0);
}

/* A fresh call for f (the previous one is released). */
struct aws_call *flow_call(struct flow *f, const char *op, const char *method,
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

void flow_send(struct flow *f, const struct aws_service *svc, step_fn *next, long delay_ms)
{
	if (!f->t0)
		f->t0 = now_ms_monotonic();
	f->svc = svc;
	f->next = next;
	f->on_404 = NULL;
	aws_batch_add_after(f->run->batch, svc, &f->call, on_done, f, delay_ms);
}

/* The same, with a 404 answer (not found) handled by on_404 instead of failing. */
void flow_send_or_404(struct flow *f, const struct aws_service *svc, step_fn *next,
			step_fn *on_404)
{
	flow_send(f, svc, next, 0);
	f->on_404 = on_404;
}

static int is_write(const char *method)
{
	return method && strcmp(method, "GET") && strcmp(method, "HEAD");
}

void flow_fail(struct flow *f, const struct aws_error *err)
{
	f->out->outcome = SYNC_FAILED;
	f->out->err = *err;
	struct strbuf msg = STRBUF_INIT;
	aws_error_format(err, &msg);
	free(f->out->detail);
	f->out->detail = strbuf_detach(&msg, NULL);
	flow_finish(f);
}

void flow_fail_msg(struct flow *f, int kind, const char *msg)
{
	struct aws_error err;
	aws_error_clear(&err);
	aws_error_set(&err, kind, "%s", msg);
	flow_fail(f, &err);
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
		flow_fail(f, err);
		return;
	}
	if (is_write_call(f))
		f->out->write_calls++;
	f->next(f, resp);
}

void flow_detail(struct flow *f, const char *fmt, const char *arg)
{
	free(f->out->detail);
	f->out->detail = xstrfmt(fmt, arg);
}

const char *flow_jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

void flow_human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024)
		snprintf(buf, len, "%.1f MB", (double)n / (1024.0 * 1024.0));
	else
		snprintf(buf, len, "%.1f kB", (double)n / 1024.0);
}

/* ---- driving ---- */

void flow_start(struct flow *f)
{
	if (f->started)
		return;
	f->started = 1;
	switch (f->res->kind) {
	case TMPL_FUNCTION:
		flow_function_start(f);
		break;
	case TMPL_LAYER:
		flow_layer_start(f);
		break;
	case TMPL_STATE_MACHINE:
		flow_state_machine_start(f);
		break;
	case TMPL_REST_API:
		flow_rest_start(f);
		break;
	case TMPL_HTTP_API:
		flow_http_start(f);
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

void flow_finish(struct flow *f)
{
	if (f->finished)
		return;
	if (f->res->kind == TMPL_LAYER && flow_layer_hold(f))
		return;
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
		   struct sync_built *built, const struct cfn_resource **phys, size_t nr,
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
		/* for every function: one left from an earlier manifest is removed */
		if (f->res->kind == TMPL_FUNCTION)
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
