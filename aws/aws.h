/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aws.h: the public face of the AWS client core.  A command makes one
 * struct aws_ctx (profile, region, endpoint overrides, HTTP client,
 * credential chain, retry state) and issues calls through aws_call(), which
 * serialises for the service's protocol, resolves the endpoint, signs
 * (SigV4), sends over libcurl with connection reuse, retries in the SDK
 * "standard" mode and parses the answer or the error.  Typed calls per
 * service live in aws/svc-<service>.c and are declared here.
 *
 * Nothing here prints to stdout or exits; errors come back in struct
 * aws_error (util.h) and return -kind.
 */
#ifndef AWSX_AWS_H
#define AWSX_AWS_H

#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws/protocol.h"
#include "aws/util.h"
#include "aws/xml.h"

/* ---- services ---- */

enum aws_service_flags {
	AWS_SVC_GLOBAL = (1 << 0), /* one endpoint per partition (IAM, Organizations) */
	AWS_SVC_S3 = (1 << 1),	   /* S3 signing rules: no double encode, content sha */
	AWS_SVC_UNSIGNED = (1 << 2), /* SSO portal: bearer token, no SigV4 */
};

struct aws_service {
	const char *id;		    /* botocore serviceId, "STS", "CloudWatch Logs" */
	const char *endpoint_prefix; /* host prefix, "sts", "logs", "portal.sso" */
	const char *signing_name;   /* SigV4 service name */
	enum aws_protocol protocol;
	const char *api_version;    /* "2011-06-15" */
	const char *target_prefix;  /* json protocol: "Logs_20140328" */
	const char *json_version;   /* json protocol: "1.1" or "1.0" */
	unsigned flags;		    /* enum aws_service_flags */
	const char *name;	    /* short name for messages: "sts", "logs" */
};

extern const struct aws_service aws_svc_apigateway, aws_svc_apigatewayv2,
	aws_svc_autoscaling, aws_svc_cloudformation, aws_svc_ec2, aws_svc_iam,
	aws_svc_lambda, aws_svc_logs, aws_svc_organizations, aws_svc_s3,
	aws_svc_sfn, aws_svc_sso, aws_svc_sts, aws_svc_xray;

/* A service by its short name ("sts", "logs", "s3"), or NULL. */
const struct aws_service *aws_service_find(const char *name);

/* ---- credentials ---- */

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key; /* wiped on release */
	char *session_token;	 /* NULL when none; wiped on release */
	long long expiration;	 /* epoch seconds; 0 = does not expire */
	char *source;		 /* "env", "profile dev", "assume-role dev -> ...", ... */
};
void aws_credentials_release(struct aws_credentials *c);

/* ---- context ---- */

struct aws_ctx_options {
	const char *profile;	  /* --profile, else AWS_PROFILE, else "default" */
	const char *region;	  /* --region (highest precedence) */
	const char *endpoint_url; /* --endpoint-url */
	int debug;		  /* --debug: wire exchange on debug_out, redacted */
	FILE *debug_out;	  /* stderr when NULL */
	int interactive;	  /* stdin is a terminal: MFA prompts allowed */
	long connect_timeout_ms;  /* 0: AWSX_CONNECT_TIMEOUT (s) or 60 s */
	long read_timeout_ms;	  /* 0: AWSX_READ_TIMEOUT (s) or 60 s */
};

struct aws_ctx; /* opaque */

/*
 * Read configuration (files, environment) and set up the HTTP client.
 * Errors: -AWSX_ECONFIG (malformed config file, unknown profile, bad setting).
 */
int aws_ctx_new(struct aws_ctx **out, const struct aws_ctx_options *opt,
		struct aws_error *err);
void aws_ctx_free(struct aws_ctx *ctx);

/* 1 once Ctrl-C (SIGINT/SIGTERM) asked the process to stop: long loops check it. */
int aws_interrupted(void);

const char *aws_ctx_profile(const struct aws_ctx *ctx);
/* The resolved region, or NULL when none is configured anywhere. */
const char *aws_ctx_region(const struct aws_ctx *ctx);
/* Where the region came from: "--region", "AWS_REGION", "profile NAME", ... */
const char *aws_ctx_region_source(const struct aws_ctx *ctx);
/* Fail with a clear -AWSX_ECONFIG when no region is set or it is malformed. */
int aws_ctx_require_region(struct aws_ctx *ctx, struct aws_error *err);
/* A profile setting (config + credentials files), or NULL. */
const char *aws_ctx_setting(const struct aws_ctx *ctx, const char *key);

/*
 * The credentials of the chain (resolved on first use, cached for the
 * process, refreshed 5 minutes before they expire).  The pointer stays
 * valid until the next call that may refresh.
 */
int aws_ctx_credentials(struct aws_ctx *ctx,
			const struct aws_credentials **out,
			struct aws_error *err);

/* ---- calls ---- */

enum aws_call_flags {
	AWS_CALL_NO_RETRY = (1 << 0),
	AWS_CALL_ANONYMOUS = (1 << 1), /* send unsigned (e.g. AssumeRoleWithWebIdentity) */
	AWS_CALL_RAW = (1 << 2),       /* leave a successful answer unparsed: resp->body only */
};

struct aws_call {
	const char *operation; /* "GetCallerIdentity" */
	unsigned flags;	       /* enum aws_call_flags */
	/* query / ec2: parameters after Action and Version */
	struct kvlist params;
	/* json: the request object (owned by the call; NULL sends "{}") */
	cJSON *json;
	/* rest protocols: method, wire path (encoded), query, extra headers, body */
	const char *method;
	char *path;
	struct kvlist query;
	struct kvlist headers;
	const void *body;
	size_t body_len;
	/* Credentials to sign with instead of the chain's (used by the chain itself). */
	const struct aws_credentials *credentials;
	/* Region to use instead of the context's. */
	const char *region;
	/*
	 * The operation's host prefix ("stream-" for StartLiveTail), put before
	 * the service's own host name; not before an endpoint URL the user set
	 * (a local endpoint has no such host).
	 */
	const char *host_prefix;
	/*
	 * A streamed answer: with on_stream set, a successful answer's body is
	 * handed to on_stream as it arrives (resp->body stays empty and resp
	 * is not parsed); on_stream returns nonzero to end the call, which
	 * then fails with -AWSX_ENET.  Use with AWS_CALL_NO_RETRY.
	 */
	int (*on_stream)(const void *data, size_t len, void *ud);
	void *stream_ud;
};
void aws_call_init(struct aws_call *call, const char *operation);
void aws_call_release(struct aws_call *call);

struct aws_response {
	long status;
	struct kvlist headers;
	struct strbuf body;
	struct xml_node *xml; /* query, ec2, rest-xml: parsed body */
	cJSON *json;	      /* json, rest-json: parsed body */
};
void aws_response_init(struct aws_response *resp);
void aws_response_release(struct aws_response *resp);

/*
 * Perform one operation with retries.  On success resp holds the parsed
 * answer.  Errors: -AWSX_ENET (no answer), -AWSX_ESERVICE (AWS error, with
 * code, message, request id), -AWSX_ECONFIG (credentials, endpoint).
 */
int aws_call(struct aws_ctx *ctx, const struct aws_service *svc,
	     struct aws_call *call, struct aws_response *resp,
	     struct aws_error *err);

/* ---- many calls in flight ---- */

/*
 * A batch runs many calls concurrently over the context's connection
 * pool, each with the same signing, retries and error model as aws_call.
 * done runs exactly once per call, from inside aws_batch_run, with the
 * answer (NULL err) or the error (rc < 0); it may add more calls (the next
 * page, the next region).  The call must stay alive until its done has
 * run; the response is freed after done returns.
 */
struct aws_batch;
typedef void (*aws_done_fn)(struct aws_call *call, struct aws_response *resp,
			    const struct aws_error *err, int rc, void *ud);

/* max_in_flight: requests on the wire at once (0: 16). */
struct aws_batch *aws_batch_new(struct aws_ctx *ctx, int max_in_flight);
/*
 * At most per_second request starts per second for svc, counted separately
 * for each region and credentials (the unit AWS throttles by).
 */
void aws_batch_limit(struct aws_batch *b, const struct aws_service *svc,
		     double per_second);
void aws_batch_add(struct aws_batch *b, const struct aws_service *svc,
		   struct aws_call *call, aws_done_fn done, void *ud);
/*
 * The same, started no sooner than delay_ms from now (polling a resource
 * until it settles, waiting out a conflict).
 */
void aws_batch_add_after(struct aws_batch *b, const struct aws_service *svc,
			 struct aws_call *call, aws_done_fn done, void *ud, long delay_ms);
/*
 * Run fn(ud) from inside aws_batch_run no sooner than delay_ms from now
 * (flushing a buffer on time while calls are in flight).  A timer counts
 * as a call until it has run, so the batch does not end before it; it may
 * add calls and timers.  An interrupted batch drops its timers unrun.
 */
void aws_batch_add_timer(struct aws_batch *b, void (*fn)(void *ud), void *ud, long delay_ms);
/*
 * End the batch from one of its callbacks: aws_batch_run returns (0) once
 * the callback returns, after every call not yet done has had its done run
 * with -AWSX_EINTR ("cancelled") and every timer was dropped.
 */
void aws_batch_cancel(struct aws_batch *b);
/* Run until every call is done.  0, or -AWSX_EINTR when interrupted. */
int aws_batch_run(struct aws_batch *b);
void aws_batch_free(struct aws_batch *b);

/* ---- pagination ---- */

/*
 * How an operation pages, as in botocore's paginators-1.json: the request
 * parameter that carries the token and where the answer puts the next one
 * ('/'-separated path: under <Op>Result for query, from the document
 * element for ec2 and rest-xml, from the top-level object for JSON).
 */
struct aws_paginator {
	const char *input_token;  /* "NextToken", "Marker", "nextToken" */
	const char *output_token; /* "NextToken", "nextToken", "NextMarker" */
	int max_pages;		  /* safety bound; 0: 100000 */
};

/*
 * Called once per page with the parsed answer; return 0 to go on, anything
 * else to stop (aws_paginate then returns that value).
 */
typedef int (*aws_page_fn)(const struct aws_response *resp, void *ud);

/*
 * Perform call page after page until the answer has no (or an empty) next
 * token.  A token that repeats is an error (-AWSX_ESERVICE), as is going
 * past max_pages.  The call's token parameter is set on each page.
 */
int aws_paginate(struct aws_ctx *ctx, const struct aws_service *svc,
		 struct aws_call *call, const struct aws_paginator *p,
		 aws_page_fn fn, void *ud, struct aws_error *err);

/* ---- presigned URLs ---- */

/*
 * A presigned URL for call (query protocols: a GET with Action and
 * Version in the query; rest protocols: the call's method, path and
 * query), valid for expires seconds (1 to 604800).  The URL goes into out.
 */
int aws_presign(struct aws_ctx *ctx, const struct aws_service *svc,
		struct aws_call *call, long expires, struct strbuf *out,
		struct aws_error *err);

/* ---- STS ---- */

struct sts_identity {
	char account[32];
	char arn[512];
	char user_id[256];
};
int sts_get_caller_identity(struct aws_ctx *ctx, struct sts_identity *out,
			    struct aws_error *err);

struct sts_assume_role_params {
	const char *role_arn;
	const char *session_name;  /* NULL: "awsx-session-<epoch>" */
	const char *external_id;   /* optional */
	const char *serial_number; /* MFA device, optional */
	const char *token_code;	   /* MFA code, with serial_number */
	int duration_seconds;	   /* 0: service default (1 h) */
	const char *region;	   /* STS region; NULL: the context's */
};

/*
 * AssumeRole signed with source (or, for web identity, unsigned with the
 * token).  On success out holds the temporary credentials with expiration;
 * out->source is left NULL for the caller to fill.
 */
int sts_assume_role(struct aws_ctx *ctx, const struct aws_credentials *source,
		    const struct sts_assume_role_params *p,
		    struct aws_credentials *out, struct aws_error *err);
/*
 * The same in parts, for calls made inside an aws_batch: the AssumeRole
 * call (set call->credentials to the source before adding it), and the
 * credentials of a successful AssumeRole* answer (op: its operation).
 */
void sts_assume_role_call(struct aws_call *call, const struct sts_assume_role_params *p);
int sts_read_credentials(const struct aws_response *resp, const char *op,
			 struct aws_credentials *out, struct aws_error *err);
int sts_assume_role_with_web_identity(struct aws_ctx *ctx,
				      const struct sts_assume_role_params *p,
				      const char *web_identity_token,
				      struct aws_credentials *out,
				      struct aws_error *err);

/* ---- CloudFormation ---- */

struct cfn_resource {
	char *id;	  /* "Fn", "Child/Fn": nested stacks' resources behind their ids */
	char *logical_id; /* as CloudFormation has it ("MyLayer3f2a9c01de") */
	char *type;	  /* "AWS::Lambda::Function" */
	char *physical;	  /* function name, layer version ARN, API id, ...; may be NULL */
};

struct cfn_resources {
	struct cfn_resource *r;
	size_t nr, alloc;
};

/*
 * ListStackResources of stack_name and, recursively (at most 8 deep), of
 * every nested stack (AWS::CloudFormation::Stack, itself listed too), their
 * resources' ids written "Child/Id".  Returns 0, or the call's error (a
 * missing stack: -AWSX_ESERVICE, code ValidationError, "stack 'S' does not
 * exist in <region>").  Release out either way.
 */
int cfn_list_stack_resources(struct aws_ctx *ctx, const char *stack_name,
			     struct cfn_resources *out, struct aws_error *err);
void cfn_resources_release(struct cfn_resources *s);

/*
 * ---- typed calls for lists and launch templates (Auto Scaling, EC2) ----
 *
 * Each operation is a pair usable with aws_call, aws_paginate and
 * aws_batch alike.  The builder initialises call (aws_call_init) and fills
 * its parameters, for the first page or, with next_token, the page after
 * it; the caller releases the call with aws_call_release, also after a
 * builder failed.  Builders taking plain strings cannot fail (their string
 * arguments must not be NULL unless marked optional); builders taking JSON
 * check it against botocore's input shape and fail with -AWSX_EFAIL naming
 * the parameter ("ec2 CreateLaunchTemplate failed: unknown parameter
 * 'LaunchTemplateData.Foo'").
 *
 * The page parser reads a successful answer into *items, a new cJSON array
 * of the items exactly as boto3 returns them (botocore member names and
 * JSON types; timestamps stay ISO 8601 strings), and *next_token, a new
 * string or NULL on the last page (next_token itself may be NULL when the
 * caller pages with aws_paginate).  Both are the caller's: cJSON_Delete,
 * free.  A parser fails with -AWSX_ESERVICE "malformed answer: ..." when the
 * answer lacks its result.  With aws_paginate pass a NULL next_token to the
 * builder and the service's paginator.
 */

/* ---- Auto Scaling ---- */

extern const struct aws_paginator autoscaling_paginator;

/* All launch configurations, or those in names (MaxRecords=100). */
void autoscaling_describe_launch_configurations_call(struct aws_call *call,
						     const char *const *names,
						     size_t nr_names,
						     const char *next_token);
/* Items: LaunchConfigurations. */
int autoscaling_describe_launch_configurations_page(const struct aws_response *resp,
						    cJSON **items,
						    char **next_token,
						    struct aws_error *err);

/* All groups, or those in names (MaxRecords=100). */
void autoscaling_describe_auto_scaling_groups_call(struct aws_call *call,
						   const char *const *names,
						   size_t nr_names,
						   const char *next_token);
/* Items: AutoScalingGroups. */
int autoscaling_describe_auto_scaling_groups_page(const struct aws_response *resp,
						  cJSON **items,
						  char **next_token,
						  struct aws_error *err);

/* The instance refreshes of group_name, all or those in ids. */
void autoscaling_describe_instance_refreshes_call(struct aws_call *call,
						  const char *group_name,
						  const char *const *ids,
						  size_t nr_ids,
						  const char *next_token);
/* Items: InstanceRefreshes. */
int autoscaling_describe_instance_refreshes_page(const struct aws_response *resp,
						 cJSON **items,
						 char **next_token,
						 struct aws_error *err);

/* UpdateAutoScalingGroup from input, an UpdateAutoScalingGroupType object. */
int autoscaling_update_auto_scaling_group_call(struct aws_call *call,
					       const cJSON *input,
					       struct aws_error *err);

/* StartInstanceRefresh from input, a StartInstanceRefreshType object. */
int autoscaling_start_instance_refresh_call(struct aws_call *call,
					    const cJSON *input,
					    struct aws_error *err);
/* The answer ({"InstanceRefreshId": ...}) as a new object in *out. */
int autoscaling_start_instance_refresh_result(const struct aws_response *resp,
					      cJSON **out,
					      struct aws_error *err);

void autoscaling_delete_launch_configuration_call(struct aws_call *call,
						  const char *name);

/* ---- EC2 ---- */

/* NextToken in the request, <nextToken> in the answer. */
extern const struct aws_paginator ec2_paginator;

/* The regions enabled for the account, or with all_regions every one. */
void ec2_describe_regions_call(struct aws_call *call, int all_regions);
/* Items: Regions (never a next token). */
int ec2_describe_regions_page(const struct aws_response *resp, cJSON **items,
			      char **next_token, struct aws_error *err);

/*
 * Security groups by filters: vpc_id (optional) and group names (any of
 * them; none: all groups), MaxResults=1000.
 */
void ec2_describe_security_groups_call(struct aws_call *call,
				       const char *vpc_id,
				       const char *const *group_names,
				       size_t nr_group_names,
				       const char *next_token);
/* Items: SecurityGroups. */
int ec2_describe_security_groups_page(const struct aws_response *resp,
				      cJSON **items, char **next_token,
				      struct aws_error *err);

/* The subnets in subnet_ids, or all (then MaxResults=1000). */
void ec2_describe_subnets_call(struct aws_call *call,
			       const char *const *subnet_ids, size_t nr_ids,
			       const char *next_token);
/* Items: Subnets. */
int ec2_describe_subnets_page(const struct aws_response *resp, cJSON **items,
			      char **next_token, struct aws_error *err);

/*
 * Launch templates by names, and/or by tag: tag_key with tag_value is the
 * filter "tag:<key>" = value, tag_key alone the filter "tag-key".  Without
 * names MaxResults=200.
 */
void ec2_describe_launch_templates_call(struct aws_call *call,
					const char *const *names,
					size_t nr_names, const char *tag_key,
					const char *tag_value,
					const char *next_token);
/* Items: LaunchTemplates. */
int ec2_describe_launch_templates_page(const struct aws_response *resp,
				       cJSON **items, char **next_token,
				       struct aws_error *err);

/*
 * Versions of the template template_id (or, when NULL, template_name):
 * those in versions ("1", "$Latest", "$Default"), or all (then
 * MaxResults=200).  With neither id nor name, versions ("$Latest",
 * "$Default") of every template.
 */
void ec2_describe_launch_template_versions_call(struct aws_call *call,
						const char *template_id,
						const char *template_name,
						const char *const *versions,
						size_t nr_versions,
						const char *next_token);
/* Items: LaunchTemplateVersions, LaunchTemplateData in the answer's shape. */
int ec2_describe_launch_template_versions_page(const struct aws_response *resp,
					       cJSON **items, char **next_token,
					       struct aws_error *err);

struct ec2_launch_template_request {
	const char *template_id;	 /* new version: the template by id ... */
	const char *template_name;	 /* ... or name; new template: its name */
	const char *source_version;	 /* new version: optional base version */
	const char *version_description; /* optional */
	const cJSON *data;		 /* LaunchTemplateData, a
					  * RequestLaunchTemplateData object */
	const cJSON *tag_specifications; /* new template: optional array of
					  * TagSpecification objects */
	const char *client_token;	 /* NULL: a random UUID, kept by retries */
	int dry_run;
};

/* CreateLaunchTemplate; the JSON is copied into the call's parameters. */
int ec2_create_launch_template_call(struct aws_call *call,
				    const struct ec2_launch_template_request *r,
				    struct aws_error *err);
/* CreateLaunchTemplateVersion (tag_specifications is not used). */
int ec2_create_launch_template_version_call(struct aws_call *call,
					    const struct ec2_launch_template_request *r,
					    struct aws_error *err);

/* DeleteLaunchTemplate by id, or when NULL by name. */
void ec2_delete_launch_template_call(struct aws_call *call,
				     const char *template_id,
				     const char *template_name);

/*
 * RunInstances with DryRun=true, MinCount=MaxCount=1: launch_template is a
 * LaunchTemplateSpecification object ({"LaunchTemplateId", "Version"}),
 * subnet_id optional.  AWS answers the error DryRunOperation when the
 * launch would have succeeded.
 */
int ec2_run_instances_dry_run_call(struct aws_call *call,
				   const cJSON *launch_template,
				   const char *subnet_id, struct aws_error *err);

/*
 * The whole answer of an EC2 operation as a new object in *out (with the
 * output shape for the operations above, generically for others), e.g.
 * CreateLaunchTemplate's {"LaunchTemplate": {...}, "Warning": {...}}.
 */
int ec2_result(const struct aws_response *resp, const char *operation,
	       cJSON **out, struct aws_error *err);

#endif
