/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fullsync.h: `awsx sync` without --code: package (pack.c), deploy through
 * CloudFormation without change sets (stackops.c), the managed artifact
 * bucket (stackops.c), and the whole run (fullsync.c).
 */
#ifndef AWSX_SYNC_FULLSYNC_H
#define AWSX_SYNC_FULLSYNC_H

#include <stdio.h>

#include "sync/codesync.h"

/* ---- packaging (pack.c) ---- */

struct sync_packed {
	char *template_body;	  /* the packaged root template (JSON) */
	char *template_url;	  /* where it was uploaded */
	cJSON *normalized;	  /* its normalized form (see pack.c) */
	char normalized_sha[65];
	size_t uploaded, present; /* objects put, objects S3 already had */
};
void sync_packed_release(struct sync_packed *p);

struct sync_pack_options {
	const char *bucket;
	const char *prefix; /* key prefix ("" or NULL: none) */
	const char *region;
	struct sync_built *built; /* every built resource of the model */
	size_t nbuilt;
	char **dep_layer_arns;	/* parallel to built: a function's dependency layer version */
	FILE *progress;		/* notes (may be NULL) */
	struct sync_packed *out;
};

/*
 * Upload every artifact of m (HeadObject first) and every packaged
 * template, children first; fill o->out.  Returns 0 or the error.
 */
int sync_pack(struct aws_ctx *ctx, const struct tmpl_model *m, const struct sync_pack_options *o,
	      struct aws_error *err);

/* The normalized form of a packaged template whose artifacts are in bucket. */
cJSON *sync_template_normalize(const cJSON *packaged, const char *bucket);

/* https URL of an S3 object, the form CloudFormation reads templates from. */
char *sync_s3_url(const char *region, const char *bucket, const char *key);

/* ---- CloudFormation (stackops.c) ---- */

struct sync_stack_info {
	int exists;
	char *status;	   /* "UPDATE_COMPLETE" */
	char *stack_id;
	cJSON *parameters; /* {key: value} */
	cJSON *outputs;	   /* {key: value} */
};
void sync_stack_info_release(struct sync_stack_info *s);

/* DescribeStacks; a missing stack is exists = 0, not an error. */
int sync_cfn_describe(struct aws_ctx *ctx, const char *stack, struct sync_stack_info *out,
		      struct aws_error *err);
/* GetTemplate with TemplateStage Original: the template as last sent. */
int sync_cfn_original_template(struct aws_ctx *ctx, const char *stack, char **body,
			       struct aws_error *err);

struct sync_deploy_options {
	const char *stack_name;
	const char *template_url;
	const struct kvlist *parameters;   /* name -> value */
	const struct kvlist *capabilities; /* names */
	const struct kvlist *tags;	   /* key -> value, or NULL */
	const char *role_arn;		   /* or NULL */
	FILE *progress;			   /* the events as they happen */
};

struct sync_deploy_result {
	int created;   /* CreateStack (else UpdateStack) */
	int unchanged; /* "No updates are to be performed" */
	char *status;  /* the final stack status */
};
void sync_deploy_result_release(struct sync_deploy_result *r);

/*
 * CreateStack or UpdateStack (no change set), then the stack's events
 * printed as they come (time, logical id, type, status, reason) until it
 * settles.  "No updates are to be performed" is success (unchanged).
 * Returns 0 when the stack ends CREATE_COMPLETE or UPDATE_COMPLETE; else
 * -AWSX_ESERVICE naming the final status and each failed resource's reason.
 */
int sync_cfn_deploy(struct aws_ctx *ctx, const struct sync_deploy_options *o,
		    struct sync_deploy_result *res, struct aws_error *err);

/*
 * The bucket of the managed stack awsx-managed-default (an encrypted,
 * private bucket), created on first use.
 */
int sync_managed_bucket(struct aws_ctx *ctx, FILE *progress, char **bucket,
			struct aws_error *err);

/* ---- the whole run (fullsync.c) ---- */

struct sync_full_options {
	const char *template_path;
	const char *stack_name;
	const struct kvlist *parameter_overrides;
	const char *s3_bucket; /* NULL: the managed stack's bucket */
	const char *s3_prefix; /* NULL: the stack name */
	const struct kvlist *capabilities;
	const struct kvlist *tags;
	const char *role_arn;
	int dependency_layer;
	int skip_deploy_sync; /* skip CloudFormation when only code changed */
	FILE *progress;
};

struct sync_full_report {
	struct sync_packed packed;
	int skipped;	   /* CloudFormation not called: infrastructure unchanged */
	int ran_code_sync; /* then code went through the service APIs: code */
	struct sync_code_report code;
	struct sync_deploy_result deploy;
	long long ms;
};

int sync_full_run(struct aws_ctx *ctx, const struct sync_full_options *o,
		  struct sync_full_report *rep, struct aws_error *err);
void sync_full_report_release(struct sync_full_report *rep);

#endif
