/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stackops.c: the CloudFormation side of a full sync: read a stack
 * (DescribeStacks, GetTemplate Original), create or update it directly,
 * without a change set, and follow its events until it settles; and the
 * managed stack awsx-managed-default whose bucket holds artifacts when no
 * --s3-bucket is given.
 */
#include "sync/fullsync.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS_POLL_MS	  1000
#define EVENTS_MAX_POLLS  3600 /* an hour of polling at most */
#define MANAGED_STACK	  "awsx-managed-default"

static int is_missing_stack(const struct aws_error *err)
{
	return !strcmp(err->code, "ValidationError") && strstr(err->message, "does not exist");
}

void sync_stack_info_release(struct sync_stack_info *s)
{
	free(s->status);
	free(s->stack_id);
	cJSON_Delete(s->parameters);
	cJSON_Delete(s->outputs);
	memset(s, 0, sizeof(*s));
}

static cJSON *members_to_object(const struct xml_node *list, const char *k, const char *v)
{
	cJSON *o = cJSON_CreateObject();
	for (const struct xml_node *m = xml_child(list, "member"); m; m = xml_next_same(m)) {
		const char *key = xml_path_text(m, k), *val = xml_path_text(m, v);
		if (key)
			cJSON_AddStringToObject(o, key, val ? val : "");
	}
	return o;
}

int sync_cfn_describe(struct aws_ctx *ctx, const char *stack, struct sync_stack_info *out,
		      struct aws_error *err)
{
	struct aws_call call;
	struct aws_response resp;
	int rc;

	memset(out, 0, sizeof(*out));
	aws_call_init(&call, "DescribeStacks");
	kvlist_add(&call.params, "StackName", stack);
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_cloudformation, &call, &resp, err);
	if (rc && is_missing_stack(err)) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	const struct xml_node *s = xml_path(resp.xml, "DescribeStacksResult/Stacks/member");
	if (!s)
		goto out;
	out->exists = 1;
	const char *status = xml_path_text(s, "StackStatus"), *id = xml_path_text(s, "StackId");
	out->status = xstrdup(status ? status : "");
	out->stack_id = id ? xstrdup(id) : NULL;
	out->parameters =
	    members_to_object(xml_child(s, "Parameters"), "ParameterKey", "ParameterValue");
	out->outputs = members_to_object(xml_child(s, "Outputs"), "OutputKey", "OutputValue");
out:
	aws_call_release(&call);
	aws_response_release(&resp);
	return rc;
}

int sync_cfn_original_template(struct aws_ctx *ctx, const char *stack, char **body,
			       struct aws_error *err)
{
	struct aws_call call;
	struct aws_response resp;
	int rc;

	*body = NULL;
	aws_call_init(&call, "GetTemplate");
	kvlist_add(&call.params, "StackName", stack);
	kvlist_add(&call.params, "TemplateStage", "Original");
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_cloudformation, &call, &resp, err);
	if (!rc) {
		const char *t = xml_path_text(resp.xml, "GetTemplateResult/TemplateBody");
		*body = xstrdup(t ? t : "");
	}
	aws_call_release(&call);
	aws_response_release(&resp);
	return rc;
}

/* ---- events ---- */

struct seen {
	char **ids;
	size_t nr, alloc;
};

static int seen_has(const struct seen *s, const char *id)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->ids[i], id))
			return 1;
	return 0;
}

static void seen_add(struct seen *s, const char *id)
{
	ALLOC_GROW(s->ids, s->nr + 1, s->alloc);
	s->ids[s->nr++] = xstrdup(id);
}

static void seen_release(struct seen *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->ids[i]);
	free(s->ids);
}

struct event {
	char *id, *ts, *lid, *type, *status, *why;
};

static char *dup_text(const struct xml_node *m, const char *name)
{
	const char *t = xml_path_text(m, name);
	return t ? xstrdup(t) : NULL;
}

static void event_release(struct event *e)
{
	free(e->id);
	free(e->ts);
	free(e->lid);
	free(e->type);
	free(e->status);
	free(e->why);
}

#define EVENTS_MAX_PAGES 50

/*
 * Read the events newer than the ones already seen (pages followed until
 * one holds a seen event), print them oldest first when out is set, and
 * collect failures.  Events older than since (epoch seconds) are only
 * marked as seen.
 */
static int poll_events(struct aws_ctx *ctx, const char *stack, struct seen *seen, long long since,
		       FILE *out, struct strbuf *failures, struct aws_error *err)
{
	struct event *news = NULL;
	size_t n = 0, alloc = 0;
	char *token = NULL;
	int rc = 0, reached_seen = 0;

	for (int page = 0; page < EVENTS_MAX_PAGES && !reached_seen; page++) {
		struct aws_call call;
		struct aws_response resp;
		aws_call_init(&call, "DescribeStackEvents");
		kvlist_add(&call.params, "StackName", stack);
		if (token)
			kvlist_add(&call.params, "NextToken", token);
		aws_response_init(&resp);
		rc = aws_call(ctx, &aws_svc_cloudformation, &call, &resp, err);
		free(token);
		token = NULL;
		if (!rc) {
			for (const struct xml_node *m =
				 xml_path(resp.xml, "DescribeStackEventsResult/StackEvents/member");
			     m; m = xml_next_same(m)) {
				const char *id = xml_path_text(m, "EventId");
				if (!id)
					continue;
				if (seen_has(seen, id)) {
					reached_seen = 1;
					break;
				}
				ALLOC_GROW(news, n + 1, alloc);
				struct event *e = &news[n++];
				e->id = xstrdup(id);
				e->ts = dup_text(m, "Timestamp");
				e->lid = dup_text(m, "LogicalResourceId");
				e->type = dup_text(m, "ResourceType");
				e->status = dup_text(m, "ResourceStatus");
				e->why = dup_text(m, "ResourceStatusReason");
			}
			const char *next =
			    xml_path_text(resp.xml, "DescribeStackEventsResult/NextToken");
			if (next && *next)
				token = xstrdup(next);
		}
		aws_call_release(&call);
		aws_response_release(&resp);
		if (rc || !token)
			break;
	}
	/* newest first as listed: print from the oldest */
	for (size_t k = n; k-- > 0 && !rc;) {
		struct event *e = &news[k];
		seen_add(seen, e->id);
		if (e->ts && parse_iso8601(e->ts) < since)
			continue;
		char hhmmss[16] = "--:--:--";
		if (e->ts && strlen(e->ts) >= 19)
			snprintf(hhmmss, sizeof(hhmmss), "%.8s", e->ts + 11);
		if (out)
			fprintf(out, "  %s  %-32s %-36s %s%s%s\n", hhmmss, e->lid ? e->lid : "",
				e->type ? e->type : "", e->status ? e->status : "",
				e->why && *e->why ? "  " : "", e->why ? e->why : "");
		if (e->status && strstr(e->status, "FAILED") && e->why && *e->why)
			strbuf_addf(failures, "  %s: %s\n", e->lid ? e->lid : "?", e->why);
	}
	if (out)
		fflush(out);
	for (size_t k = 0; k < n; k++)
		event_release(&news[k]);
	free(news);
	free(token);
	return rc;
}

static int settled(const char *status)
{
	return status && !strstr(status, "_IN_PROGRESS");
}

static int succeeded(const char *status)
{
	return status && (!strcmp(status, "CREATE_COMPLETE") || !strcmp(status, "UPDATE_COMPLETE"));
}

static void add_list(struct kvlist *params, const char *name, const struct kvlist *kv,
		     const char *kname, const char *vname)
{
	for (size_t i = 0; i < kv->nr; i++) {
		if (!kname) {
			/* a list of strings: the names are the values */
			char *k = xstrfmt("%s.member.%zu", name, i + 1);
			kvlist_add(params, k, kv->items[i].name);
			free(k);
			continue;
		}
		char *k = xstrfmt("%s.member.%zu.%s", name, i + 1, kname);
		kvlist_add(params, k, kv->items[i].name);
		free(k);
		if (vname) {
			char *v = xstrfmt("%s.member.%zu.%s", name, i + 1, vname);
			kvlist_add(params, v, kv->items[i].value);
			free(v);
		}
	}
}

int sync_cfn_deploy(struct aws_ctx *ctx, const struct sync_deploy_options *o,
		    struct sync_deploy_result *res, struct aws_error *err)
{
	struct sync_stack_info info;
	struct aws_call call;
	struct aws_response resp;
	struct seen seen = {0};
	struct strbuf failures = STRBUF_INIT;
	long long started = (long long)time(NULL) - 1;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = sync_cfn_describe(ctx, o->stack_name, &info, err)))
		return rc;
	if (info.exists && !strcmp(info.status, "ROLLBACK_COMPLETE")) {
		rc = aws_error_set(err, AWSX_ESERVICE,
				   "stack '%s' is in ROLLBACK_COMPLETE (its creation failed) and "
				   "cannot be updated: delete it (aws cloudformation delete-stack "
				   "--stack-name %s) and sync again",
				   o->stack_name, o->stack_name);
		goto out;
	}
	if (info.exists && !settled(info.status)) {
		rc = aws_error_set(err, AWSX_ESERVICE,
				   "stack '%s' is busy (%s): wait until it settles and sync again",
				   o->stack_name, info.status);
		goto out;
	}
	/* the events already there are not ours */
	if (info.exists && (rc = poll_events(ctx, o->stack_name, &seen, 0, NULL, &failures, err)))
		goto out;
	strbuf_reset(&failures);

	res->created = !info.exists;
	aws_call_init(&call, info.exists ? "UpdateStack" : "CreateStack");
	kvlist_add(&call.params, "StackName", o->stack_name);
	kvlist_add(&call.params, "TemplateURL", o->template_url);
	add_list(&call.params, "Parameters", o->parameters, "ParameterKey", "ParameterValue");
	add_list(&call.params, "Capabilities", o->capabilities, NULL, NULL);
	if (o->tags)
		add_list(&call.params, "Tags", o->tags, "Key", "Value");
	if (o->role_arn)
		kvlist_add(&call.params, "RoleARN", o->role_arn);
	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_cloudformation, &call, &resp, err);
	aws_call_release(&call);
	aws_response_release(&resp);
	if (rc && !strcmp(err->code, "ValidationError") &&
	    strstr(err->message, "No updates are to be performed")) {
		res->unchanged = 1;
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (o->progress)
		fprintf(o->progress, "%s stack %s\n", res->created ? "creating" : "updating",
			o->stack_name);

	for (int polls = 0; polls < EVENTS_MAX_POLLS; polls++) {
		if (aws_interrupted()) {
			rc = aws_error_set(err, AWSX_EINTR,
					   "interrupted: the stack operation goes on in CloudFormation");
			goto out;
		}
		if ((rc = poll_events(ctx, o->stack_name, &seen, started, o->progress, &failures,
				      err)))
			goto out;
		sync_stack_info_release(&info);
		if ((rc = sync_cfn_describe(ctx, o->stack_name, &info, err)))
			goto out;
		if (info.exists && settled(info.status))
			break;
		struct timespec ts = {EVENTS_POLL_MS / 1000, (EVENTS_POLL_MS % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	/* the last events, written between the last poll and the end */
	poll_events(ctx, o->stack_name, &seen, started, o->progress, &failures, err);
	res->status = xstrdup(info.exists ? info.status : "DELETED");
	if (!succeeded(res->status)) {
		if (failures.len && o->progress)
			fprintf(o->progress, "failed resources:\n%s", failures.buf);
		rc = aws_error_set(err, AWSX_ESERVICE, "stack '%s' ended in %s%s", o->stack_name,
				   res->status, failures.len ? " (the failed resources are above)" : "");
		goto out;
	}
out:
	sync_stack_info_release(&info);
	seen_release(&seen);
	strbuf_release(&failures);
	return rc;
}

void sync_deploy_result_release(struct sync_deploy_result *r)
{
	free(r->status);
	memset(r, 0, sizeof(*r));
}

/* ---- the managed artifact bucket ---- */

static const char managed_template[] =
    "{\"AWSTemplateFormatVersion\":\"2010-09-09\","
    "\"Description\":\"awsx: the bucket awsx sync keeps build artifacts in\","
    "\"Resources\":{\"ArtifactBucket\":{\"Type\":\"AWS::S3::Bucket\",\"Properties\":{"
    "\"BucketEncryption\":{\"ServerSideEncryptionConfiguration\":[{"
    "\"ServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]},"
    "\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true,\"BlockPublicPolicy\":true,"
    "\"IgnorePublicAcls\":true,\"RestrictPublicBuckets\":true},"
    "\"Tags\":[{\"Key\":\"ManagedStackSource\",\"Value\":\"awsx\"}]}}},"
    "\"Outputs\":{\"ArtifactBucket\":{\"Value\":{\"Ref\":\"ArtifactBucket\"}}}}";

int sync_managed_bucket(struct aws_ctx *ctx, FILE *progress, char **bucket,
			struct aws_error *err)
{
	struct sync_stack_info info;
	int rc;

	*bucket = NULL;
	if ((rc = sync_cfn_describe(ctx, MANAGED_STACK, &info, err)))
		return rc;
	if (!info.exists || strcmp(info.status, "CREATE_COMPLETE")) {
		struct aws_call call;
		struct aws_response resp;
		/* another awsx creating it right now: wait for it */
		if (info.exists && !strcmp(info.status, "CREATE_IN_PROGRESS"))
			goto wait;
		if (info.exists) {
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "the managed stack %s is in %s: fix or delete it, or pass "
					   "--s3-bucket",
					   MANAGED_STACK, info.status);
			goto out;
		}
		if (progress)
			fprintf(progress, "creating the managed stack %s (an encrypted, private "
					  "bucket for build artifacts)\n", MANAGED_STACK);
		aws_call_init(&call, "CreateStack");
		kvlist_add(&call.params, "StackName", MANAGED_STACK);
		kvlist_add(&call.params, "TemplateBody", managed_template);
		kvlist_add(&call.params, "Tags.member.1.Key", "ManagedStackSource");
		kvlist_add(&call.params, "Tags.member.1.Value", "awsx");
		aws_response_init(&resp);
		rc = aws_call(ctx, &aws_svc_cloudformation, &call, &resp, err);
		aws_call_release(&call);
		aws_response_release(&resp);
		if (rc && !strcmp(err->code, "AlreadyExistsException"))
			rc = 0; /* created by another awsx between our look and our call */
		if (rc)
			goto out;
wait:
		for (int polls = 0; polls < 600; polls++) {
			sync_stack_info_release(&info);
			if ((rc = sync_cfn_describe(ctx, MANAGED_STACK, &info, err)))
				goto out;
			if (info.exists && settled(info.status))
				break;
			struct timespec ts = {0, 500000000L};
			nanosleep(&ts, NULL);
		}
		if (!info.exists || strcmp(info.status, "CREATE_COMPLETE")) {
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "could not create the managed stack %s (%s): pass "
					   "--s3-bucket",
					   MANAGED_STACK, info.exists ? info.status : "gone");
			goto out;
		}
	}
	const char *b = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(info.outputs, "ArtifactBucket"));
	if (!b || !*b) {
		rc = aws_error_set(err, AWSX_ESERVICE,
				   "the managed stack %s has no ArtifactBucket output", MANAGED_STACK);
		goto out;
	}
	*bucket = xstrdup(b);
out:
	sync_stack_info_release(&info);
	return rc;
}
