/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deploy.h: the cloud side of `awsx sync --code`: the stack's physical
 * resources (stack.c), the local sync state (state.c) and the per-resource
 * flows that push built code through the service APIs (flows.c).
 */
#ifndef AWSX_SYNC_DEPLOY_H
#define AWSX_SYNC_DEPLOY_H

#include <stdio.h>

#include "aws/aws.h"
#include "sync/build.h"

/* ---- the deployed stack (stack.c) ---- */

/*
 * cfn_list_stack_resources, with a missing stack's error saying how to
 * deploy it ("stack 'S' does not exist in <region>: deploy it first ...").
 */
int sync_stack_load(struct aws_ctx *ctx, const char *stack_name, struct cfn_resources *out,
		    struct aws_error *err);

/*
 * The deployed resource for a template resource: same id, or for an
 * AWS::Serverless::LayerVersion the AWS::Lambda::LayerVersion the SAM
 * transform named <Id><10 hex digits>.  NULL when the stack has none.
 */
const struct cfn_resource *sync_stack_find(const struct cfn_resources *s,
					    const struct tmpl_resource *res);

/* ---- local state (state.c) ---- */

/*
 * .awsx/sync-state.json: per region and stack, per resource id, what the
 * last sync left deployed ("sha256", "definition", "layer"...).  Used for
 * what cannot be compared with the cloud cheaply (API definitions) and for
 * the report; never trusted over what the cloud says.
 */
struct sync_state {
	char *path;
	cJSON *root;	/* the whole file */
	cJSON *stack;	/* the object of this region/stack, inside root */
};
int sync_state_load(struct sync_state *st, const char *awsx_dir, const char *region,
		    const char *stack_name, struct aws_error *err);
/* The resource's object (created when missing). */
cJSON *sync_state_resource(struct sync_state *st, const char *id);
int sync_state_save(struct sync_state *st, struct aws_error *err);
void sync_state_release(struct sync_state *st);

/* ---- flows (flows.c) ---- */

enum sync_outcome {
	SYNC_SKIPPED,  /* unchanged: no write call */
	SYNC_UPDATED,
	SYNC_FAILED,
	SYNC_NOT_RUN,  /* a layer it needs failed */
};

struct sync_result {
	const struct sync_built *built;
	const struct cfn_resource *phys;
	enum sync_outcome outcome;
	char *detail;	     /* "code 1.2 MB", "layer version 4 published", the error */
	char *layer_arn;     /* a layer's (or dependency layer's) version in use */
	long long ms;	     /* from the flow's first call to its last */
	int write_calls;
	struct aws_error err;
};

struct sync_flow_options {
	const char *stack_name;
	const char *s3_bucket;	/* for packages over the 50 MB direct upload limit */
	int max_in_flight;	/* calls on the wire at once (0: 8) */
	struct sync_state *state;
};

/*
 * Push every built resource (built[i] with its deployed phys[i]) through
 * its service API, concurrently, one flow per resource, a layer's flow
 * before the flows of the functions that use it.  results[i] is filled for
 * each.  Returns 0 when every flow succeeded or skipped, -AWSX_ESERVICE (or
 * the first error's kind) otherwise, -AWSX_EINTR when interrupted.
 */
int sync_flows_run(struct aws_ctx *ctx, const struct sync_flow_options *opts,
		   struct sync_built *built, const struct cfn_resource **phys, size_t nr,
		   struct sync_result *results);
void sync_result_release(struct sync_result *r);

/* The dependency layer's name for a function of a stack (letters, digits, - and _). */
char *sync_dep_layer_name(const char *stack_name, const char *id);

#endif
