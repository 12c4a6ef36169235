/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paginate.c: follow an operation's page tokens until the last page, for
 * every protocol, with the guards botocore has (a repeated token is an
 * error, not an endless loop) and a hard bound on the number of pages.
 */
#include "aws/aws.h"

#include <stdlib.h>
#include <string.h>

/* The next token in a parsed answer, or NULL. */
static const char *next_token(const struct aws_service *svc,
			      const struct aws_call *call,
			      const struct aws_response *resp, const char *path)
{
	if (svc->protocol == AWS_PROTO_JSON || svc->protocol == AWS_PROTO_REST_JSON) {
		const cJSON *j = resp->json;
		char seg[128];
		const char *p = path;
		while (j && *p) {
			size_t n = strcspn(p, "/");
			snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
			j = cJSON_GetObjectItemCaseSensitive(j, seg);
			p += n;
			if (*p == '/')
				p++;
		}
		return cJSON_IsString(j) ? j->valuestring : NULL;
	}
	const struct xml_node *root = resp->xml;
	if (!root)
		return NULL;
	if (svc->protocol == AWS_PROTO_QUERY)
		root = proto_query_result(root, call->operation, AWS_PROTO_QUERY);
	return root ? xml_path_text(root, path) : NULL;
}

static void set_token(const struct aws_service *svc, struct aws_call *call,
		      const char *name, const char *token)
{
	switch (svc->protocol) {
	case AWS_PROTO_QUERY:
	case AWS_PROTO_EC2:
		kvlist_set(&call->params, name, token);
		break;
	case AWS_PROTO_JSON:
		if (!call->json)
			call->json = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(call->json, name);
		cJSON_AddStringToObject(call->json, name, token);
		break;
	case AWS_PROTO_REST_JSON:
		if (call->json && !call->method) {
			cJSON_DeleteItemFromObjectCaseSensitive(call->json, name);
			cJSON_AddStringToObject(call->json, name, token);
			break;
		}
		/* rest APIs mostly page through the query string */
		__attribute__((fallthrough));
	case AWS_PROTO_REST_XML:
		kvlist_set(&call->query, name, token);
		break;
	}
}

int aws_paginate(struct aws_ctx *ctx, const struct aws_service *svc,
		 struct aws_call *call, const struct aws_paginator *p,
		 aws_page_fn fn, void *ud, struct aws_error *err)
{
	char *prev = NULL;
	int max = p->max_pages > 0 ? p->max_pages : 100000;
	int rc = 0;

	for (int page = 0;; page++) {
		struct aws_response resp;
		aws_response_init(&resp);
		if (page >= max) {
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "%s %s: more than %d pages; stopping", svc->name,
					   call->operation, max);
			aws_response_release(&resp);
			break;
		}
		rc = aws_call(ctx, svc, call, &resp, err);
		if (rc) {
			aws_response_release(&resp);
			break;
		}
		rc = fn(&resp, ud);
		const char *tok = next_token(svc, call, &resp, p->output_token);
		if (rc || !tok || !*tok) {
			aws_response_release(&resp);
			break;
		}
		if (prev && !strcmp(prev, tok)) {
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "%s %s returned the same page token twice; stopping",
					   svc->name, call->operation);
			aws_response_release(&resp);
			break;
		}
		free(prev);
		prev = xstrdup(tok);
		set_token(svc, call, p->input_token, prev);
		aws_response_release(&resp);
	}
	free(prev);
	return rc;
}
