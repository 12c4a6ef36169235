/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svc-cloudformation.c: a stack's physical resources, nested stacks
 * included, from CloudFormation ListStackResources (query protocol,
 * NextToken pages).  `awsx sync` maps template resources onto them and
 * `awsx logs` finds the log groups behind them.
 */
#include "aws/aws.h"

#include <stdlib.h>
#include <string.h>

#define CFN_MAX_DEPTH 8

static const struct aws_paginator list_pages = {"NextToken", "NextToken", 0};

struct walk {
	struct cfn_resources *out;
	const char *prefix;	     /* "" or "Child/" */
	struct cfn_resources nested; /* nested stacks found on this level */
};

static int on_page(const struct aws_response *resp, void *ud)
{
	struct walk *w = ud;
	const struct xml_node *m =
	    xml_path(resp->xml, "ListStackResourcesResult/StackResourceSummaries/member");
	for (; m; m = xml_next_same(m)) {
		const char *logical = xml_path_text(m, "LogicalResourceId");
		const char *type = xml_path_text(m, "ResourceType");
		const char *physical = xml_path_text(m, "PhysicalResourceId");
		if (!logical || !type)
			continue;
		struct cfn_resources *s =
		    !strcmp(type, "AWS::CloudFormation::Stack") ? &w->nested : w->out;
		ALLOC_GROW(s->r, s->nr + 1, s->alloc);
		struct cfn_resource *p = &s->r[s->nr++];
		p->id = xstrfmt("%s%s", w->prefix, logical);
		p->logical_id = xstrdup(logical);
		p->type = xstrdup(type);
		p->physical = physical ? xstrdup(physical) : NULL;
	}
	return 0;
}

static int load(struct aws_ctx *ctx, const char *stack, const char *prefix, int depth,
		struct cfn_resources *out, struct aws_error *err)
{
	struct walk w = {out, prefix, {NULL, 0, 0}};
	struct aws_call call;
	int rc;

	aws_call_init(&call, "ListStackResources");
	kvlist_add(&call.params, "StackName", stack);
	rc = aws_paginate(ctx, &aws_svc_cloudformation, &call, &list_pages, on_page, &w, err);
	aws_call_release(&call);
	if (rc && depth == 0 && !strcmp(err->code, "ValidationError") &&
	    strstr(err->message, "does not exist")) {
		const char *region = aws_ctx_region(ctx);
		aws_error_set(err, AWSX_ESERVICE, "stack '%s' does not exist in %s", stack,
			      region ? region : "this region");
	}
	/* the nested stacks are resources too (their ids name the prefix) */
	size_t first = out->nr;
	for (size_t i = 0; i < w.nested.nr; i++) {
		ALLOC_GROW(out->r, out->nr + 1, out->alloc);
		out->r[out->nr++] = w.nested.r[i];
	}
	for (size_t i = first; i < first + w.nested.nr && !rc; i++) {
		if (!out->r[i].physical)
			continue;
		if (depth + 1 >= CFN_MAX_DEPTH) {
			rc = aws_error_set(err, AWSX_EFAIL, "nested stacks deeper than %d at '%s'",
					   CFN_MAX_DEPTH, out->r[i].id);
			break;
		}
		char *child = xstrfmt("%s/", out->r[i].id), *physical = xstrdup(out->r[i].physical);
		rc = load(ctx, physical, child, depth + 1, out, err);
		free(child);
		free(physical);
	}
	free(w.nested.r);
	return rc;
}

int cfn_list_stack_resources(struct aws_ctx *ctx, const char *stack_name,
			     struct cfn_resources *out, struct aws_error *err)
{
	memset(out, 0, sizeof(*out));
	return load(ctx, stack_name, "", 0, out, err);
}

void cfn_resources_release(struct cfn_resources *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->r[i].id);
		free(s->r[i].logical_id);
		free(s->r[i].type);
		free(s->r[i].physical);
	}
	free(s->r);
	memset(s, 0, sizeof(*s));
}
