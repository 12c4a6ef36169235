/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stack.c: the stack's physical resources (aws/svc-cloudformation.c) as
 * `awsx sync` reads them: a missing stack says how to deploy it, and a
 * template resource finds its deployed counterpart.
 */
#include "sync/deploy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sync_stack_load(struct aws_ctx *ctx, const char *stack_name, struct cfn_resources *out,
		    struct aws_error *err)
{
	int rc = cfn_list_stack_resources(ctx, stack_name, out, err);
	size_t n = strlen(err->message);
	if (rc && !strcmp(err->code, "ValidationError") && str_starts_with(err->message, "stack '"))
		snprintf(err->message + n, sizeof(err->message) - n,
			 ": deploy it first (a full sync, or sam deploy), or check --stack-name and "
			 "--region");
	return rc;
}

/* "MyLayer" + exactly 10 hex digits: the SAM transform's name for a layer version. */
static int is_sam_layer_id(const char *logical, const char *base)
{
	size_t n = strlen(base);
	if (strncmp(logical, base, n) || strlen(logical) != n + 10)
		return 0;
	for (size_t i = n; logical[i]; i++)
		if (!isxdigit((unsigned char)logical[i]))
			return 0;
	return 1;
}

const struct cfn_resource *sync_stack_find(const struct cfn_resources *s,
					    const struct tmpl_resource *res)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->r[i].id, res->id))
			return &s->r[i];
	if (res->kind != TMPL_LAYER)
		return NULL;
	size_t plen = strlen(res->stack);
	for (size_t i = 0; i < s->nr; i++) {
		const struct cfn_resource *p = &s->r[i];
		if (strcmp(p->type, "AWS::Lambda::LayerVersion"))
			continue;
		if (plen && (strncmp(p->id, res->stack, plen) || p->id[plen] != '/'))
			continue;
		if (!plen && strchr(p->id, '/'))
			continue;
		if (is_sam_layer_id(p->logical_id, res->logical_id))
			return p;
	}
	return NULL;
}
