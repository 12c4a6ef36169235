/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svc-sts.c: typed calls to AWS STS (query protocol): GetCallerIdentity for
 * `awsx whoami`, AssumeRole and AssumeRoleWithWebIdentity for the
 * credential chain and for entering other accounts.
 */
#include "aws/aws.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void copy_text(char *dst, size_t len, const struct xml_node *n,
		      const char *path)
{
	const char *t = xml_path_text(n, path);
	snprintf(dst, len, "%s", t ? t : "");
}

static int missing(struct aws_error *err, const char *op, const char *what)
{
	snprintf(err->service, sizeof(err->service), "sts");
	snprintf(err->operation, sizeof(err->operation), "%s", op);
	return aws_error_set(err, AWSX_ESERVICE, "answer has no %s", what);
}

int sts_get_caller_identity(struct aws_ctx *ctx, struct sts_identity *out,
			    struct aws_error *err)
{
	struct aws_call call;
	struct aws_response resp;
	int rc;

	aws_call_init(&call, "GetCallerIdentity");
	aws_response_init(&resp);
	memset(out, 0, sizeof(*out));
	rc = aws_call(ctx, &aws_svc_sts, &call, &resp, err);
	if (rc)
		goto out;
	const struct xml_node *r = proto_query_result(resp.xml, call.operation,
						      AWS_PROTO_QUERY);
	if (!r || !xml_child(r, "Arn")) {
		rc = missing(err, call.operation, "Arn");
		goto out;
	}
	copy_text(out->account, sizeof(out->account), r, "Account");
	copy_text(out->arn, sizeof(out->arn), r, "Arn");
	copy_text(out->user_id, sizeof(out->user_id), r, "UserId");
out:
	aws_response_release(&resp);
	aws_call_release(&call);
	return rc;
}

int sts_read_credentials(const struct aws_response *resp, const char *op,
			 struct aws_credentials *out, struct aws_error *err)
{
	const struct xml_node *r = proto_query_result(resp->xml, op, AWS_PROTO_QUERY);
	const struct xml_node *c = r ? xml_child(r, "Credentials") : NULL;
	const char *ak = c ? xml_path_text(c, "AccessKeyId") : NULL;
	const char *sk = c ? xml_path_text(c, "SecretAccessKey") : NULL;
	const char *st = c ? xml_path_text(c, "SessionToken") : NULL;
	const char *ex = c ? xml_path_text(c, "Expiration") : NULL;
	if (!ak || !sk || !*ak || !*sk)
		return missing(err, op, "Credentials");
	memset(out, 0, sizeof(*out));
	out->access_key_id = xstrdup(ak);
	out->secret_access_key = xstrdup(sk);
	out->session_token = st && *st ? xstrdup(st) : NULL;
	out->expiration = ex ? parse_iso8601(ex) : 0;
	if (out->expiration < 0)
		out->expiration = 0;
	return 0;
}

static void add_common(struct aws_call *call, const struct sts_assume_role_params *p)
{
	char name[64], dur[16];
	kvlist_add(&call->params, "RoleArn", p->role_arn);
	if (p->session_name) {
		kvlist_add(&call->params, "RoleSessionName", p->session_name);
	} else {
		snprintf(name, sizeof(name), "awsx-session-%lld", (long long)time(NULL));
		kvlist_add(&call->params, "RoleSessionName", name);
	}
	if (p->duration_seconds) {
		snprintf(dur, sizeof(dur), "%d", p->duration_seconds);
		kvlist_add(&call->params, "DurationSeconds", dur);
	}
	call->region = p->region;
}

/* Perform a prepared AssumeRole* call and read its credentials. */
static int assume(struct aws_ctx *ctx, struct aws_call *call,
		  struct aws_credentials *out, struct aws_error *err)
{
	struct aws_response resp;
	int rc;

	aws_response_init(&resp);
	rc = aws_call(ctx, &aws_svc_sts, call, &resp, err);
	if (!rc)
		rc = sts_read_credentials(&resp, call->operation, out, err);
	aws_response_release(&resp);
	aws_call_release(call);
	return rc;
}

void sts_assume_role_call(struct aws_call *call, const struct sts_assume_role_params *p)
{
	aws_call_init(call, "AssumeRole");
	add_common(call, p);
	if (p->external_id)
		kvlist_add(&call->params, "ExternalId", p->external_id);
	if (p->serial_number && p->token_code) {
		kvlist_add(&call->params, "SerialNumber", p->serial_number);
		kvlist_add(&call->params, "TokenCode", p->token_code);
	}
}

int sts_assume_role(struct aws_ctx *ctx, const struct aws_credentials *source,
		    const struct sts_assume_role_params *p,
		    struct aws_credentials *out, struct aws_error *err)
{
	struct aws_call call;

	sts_assume_role_call(&call, p);
	call.credentials = source;
	return assume(ctx, &call, out, err);
}

int sts_assume_role_with_web_identity(struct aws_ctx *ctx,
				      const struct sts_assume_role_params *p,
				      const char *web_identity_token,
				      struct aws_credentials *out,
				      struct aws_error *err)
{
	struct aws_call call;

	aws_call_init(&call, "AssumeRoleWithWebIdentity");
	add_common(&call, p);
	kvlist_add(&call.params, "WebIdentityToken", web_identity_token);
	call.flags |= AWS_CALL_ANONYMOUS; /* the token is the proof; AWS takes it unsigned */
	return assume(ctx, &call, out, err);
}
