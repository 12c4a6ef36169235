/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: what `lc-migrate apply` would do, computed without changing
 * anything.  For each account x region of the inventory it resolves the
 * security-group names the launch configurations use (in the VPC of their
 * groups' subnets), lists the launch templates that exist (for names that
 * are taken and for templates an earlier run made, tagged
 * awsx:source-launch-configuration), maps every LC (map.c) and decides,
 * for each Auto Scaling group, the switch or why it is skipped.
 */
#include "launchmigrate/launchmigrate.h"

#include <stdlib.h>
#include <string.h>

/* ---- listing whole collections with the typed calls ---- */

typedef int (*page_fn)(const struct aws_response *resp, cJSON **items, char **next,
		       struct aws_error *err);

struct gather {
	page_fn page;
	cJSON *into;
	struct aws_error *err;
};

static int gather_page(const struct aws_response *resp, void *ud)
{
	struct gather *g = ud;
	cJSON *items = NULL;
	if (g->page(resp, &items, NULL, g->err))
		return -AWSX_ESERVICE;
	while (cJSON_GetArraySize(items) > 0)
		cJSON_AddItemToArray(g->into, cJSON_DetachItemFromArray(items, 0));
	cJSON_Delete(items);
	return 0;
}

/* Every page of call into the array into; call is released. */
static int list_all(struct aws_ctx *ctx, struct aws_call *call, const char *region,
		    const struct aws_credentials *creds, page_fn page, cJSON *into,
		    struct aws_error *err)
{
	struct gather g = { page, into, err };
	call->region = region;
	call->credentials = creds;
	int rc = aws_paginate(ctx, &aws_svc_ec2, call, &ec2_paginator, gather_page, &g, err);
	aws_call_release(call);
	return rc;
}

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- one account x region ---- */

struct scope_plan {
	struct aws_ctx *ctx;
	const struct lcm_plan_options *o;
	const char *account, *region;
	const struct aws_credentials *creds;
	struct lcm_row **rows;
	size_t nrows;
	cJSON *templates;    /* existing launch templates (with Tags) */
	struct kvlist taken; /* template names in use or chosen */
	char *error;	     /* a failure that stops the whole scope */
};

static int name_taken(const char *name, void *ud)
{
	struct scope_plan *sp = ud;
	return kvlist_get(&sp->taken, name) != NULL;
}

/* The existing template an earlier run made from lc_name, or NULL. */
static const cJSON *made_from(const struct scope_plan *sp, const char *lc_name)
{
	const cJSON *t, *tag;
	cJSON_ArrayForEach(t, sp->templates) {
		cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(t, "Tags")) {
			const char *k = jstr(tag, "Key"), *v = jstr(tag, "Value");
			if (k && v && !strcmp(k, LCM_SOURCE_TAG) && !strcmp(v, lc_name))
				return t;
		}
	}
	return NULL;
}

/* Security-group names used by the row's LC (not "sg-..." ids). */
static void group_names(const struct lcm_row *r, struct kvlist *names)
{
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(r->lc, "SecurityGroups")) {
		if (cJSON_IsString(g) && *g->valuestring && strncmp(g->valuestring, "sg-", 3) &&
		    !kvlist_get(names, g->valuestring))
			kvlist_add(names, g->valuestring, "");
	}
}

/*
 * name -> id for the row's security-group names: in the VPC of its groups'
 * subnets, else (an LC no group uses) wherever the name is unique.
 */
static int resolve_groups(struct scope_plan *sp, const struct lcm_row *r, struct kvlist *ids,
			  struct strbuf *problem, struct aws_error *err)
{
	struct kvlist names = KVLIST_INIT;
	const char **subnet_ids = NULL, **name_list = NULL;
	size_t nsub = 0;
	char *vpc = NULL;
	cJSON *subnets = cJSON_CreateArray(), *groups = cJSON_CreateArray();
	struct aws_call call;
	int rc = 0;

	group_names(r, &names);
	if (!names.nr)
		goto out;
	for (size_t i = 0; i < r->nasgs; i++) {
		char *copy = r->asgs[i].subnets ? xstrdup(r->asgs[i].subnets) : NULL, *save = NULL;
		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save)) {
			subnet_ids = xrealloc(subnet_ids, (nsub + 1) * sizeof(*subnet_ids));
			subnet_ids[nsub++] = xstrdup(t);
		}
		free(copy);
	}
	if (nsub) {
		ec2_describe_subnets_call(&call, subnet_ids, nsub, NULL);
		if ((rc = list_all(sp->ctx, &call, sp->region, sp->creds, ec2_describe_subnets_page,
				   subnets, err)))
			goto out;
		const cJSON *s;
		cJSON_ArrayForEach(s, subnets) {
			const char *v = jstr(s, "VpcId");
			if (v && !vpc)
				vpc = xstrdup(v);
			else if (v && strcmp(v, vpc))
				strbuf_addf(problem, "its groups' subnets are in more than one VPC (%s, %s); "
						     "names are resolved in %s", vpc, v, vpc);
		}
	}
	name_list = xcalloc(names.nr, sizeof(*name_list));
	for (size_t i = 0; i < names.nr; i++)
		name_list[i] = names.items[i].name;
	ec2_describe_security_groups_call(&call, vpc, name_list, names.nr, NULL);
	if ((rc = list_all(sp->ctx, &call, sp->region, sp->creds, ec2_describe_security_groups_page,
			   groups, err)))
		goto out;
	for (size_t i = 0; i < names.nr; i++) {
		const cJSON *g;
		const char *id = NULL;
		int n = 0;
		cJSON_ArrayForEach(g, groups) {
			const char *gn = jstr(g, "GroupName");
			if (gn && !strcmp(gn, names.items[i].name) && jstr(g, "GroupId")) {
				id = jstr(g, "GroupId");
				n++;
			}
		}
		if (n == 1)
			kvlist_add(ids, names.items[i].name, id);
		else if (n > 1)
			strbuf_addf(problem, "%ssecurity group name '%s' is in more than one VPC",
				    problem->len ? "; " : "", names.items[i].name);
	}
out:
	for (size_t i = 0; i < nsub; i++)
		free((char *)subnet_ids[i]);
	free(subnet_ids);
	free(name_list);
	free(vpc);
	kvlist_release(&names);
	cJSON_Delete(subnets);
	cJSON_Delete(groups);
	return rc;
}

static cJSON *entry_base(const struct scope_plan *sp)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "Account", sp->account);
	cJSON_AddStringToObject(e, "Region", sp->region);
	return e;
}

static int selected_asg(const struct lcm_plan_options *o, const char *name)
{
	return !o->asgs.nr || kvlist_get(&o->asgs, name);
}

static void plan_row(struct scope_plan *sp, struct lcm_row *r, cJSON *lts, cJSON *asgs)
{
	const char *lc_name = jstr(r->lc, "LaunchConfigurationName");
	cJSON *e = entry_base(sp);
	struct kvlist ids = KVLIST_INIT;
	struct strbuf problem = STRBUF_INIT, name = STRBUF_INIT;
	struct lcm_map_result map = { 0 };
	struct aws_error err;
	int mapped = 0;

	aws_error_clear(&err);
	cJSON_AddStringToObject(e, "LaunchConfigurationName", lc_name);
	cJSON_AddStringToObject(e, "LaunchConfigurationARN",
				jstr(r->lc, "LaunchConfigurationARN") ? jstr(r->lc, "LaunchConfigurationARN") : "");
	const cJSON *existing = made_from(sp, lc_name);
	if (existing && jstr(existing, "LaunchTemplateName")) {
		strbuf_adds(&name, jstr(existing, "LaunchTemplateName"));
		cJSON_AddStringToObject(e, "Action", "update");
		cJSON_AddStringToObject(e, "ExistingLaunchTemplateId", jstr(existing, "LaunchTemplateId"));
	} else {
		lcm_template_name(lc_name, name_taken, sp, &name);
		kvlist_add(&sp->taken, name.buf, "");
		cJSON_AddStringToObject(e, "Action", "create");
		cJSON_AddNullToObject(e, "ExistingLaunchTemplateId");
	}
	cJSON_AddStringToObject(e, "LaunchTemplateName", name.buf);

	if (sp->error) {
		cJSON_AddNullToObject(e, "LaunchTemplateData");
		cJSON_AddItemToObject(e, "Warnings", cJSON_CreateArray());
		cJSON_AddStringToObject(e, "Error", sp->error);
		goto groups;
	}
	if (resolve_groups(sp, r, &ids, &problem, &err)) {
		struct strbuf sb = STRBUF_INIT;
		aws_error_format(&err, &sb);
		cJSON_AddNullToObject(e, "LaunchTemplateData");
		cJSON_AddItemToObject(e, "Warnings", cJSON_CreateArray());
		cJSON_AddStringToObject(e, "Error", sb.buf);
		strbuf_release(&sb);
		goto groups;
	}
	struct lcm_map_input in = { r->lc, sp->o->spot, &ids };
	aws_error_clear(&err);
	if (lcm_map_launch_config(&in, &map, &err)) {
		cJSON_AddNullToObject(e, "LaunchTemplateData");
		cJSON *w = cJSON_CreateArray();
		if (problem.len)
			cJSON_AddItemToArray(w, cJSON_CreateString(problem.buf));
		cJSON_AddItemToObject(e, "Warnings", w);
		cJSON_AddStringToObject(e, "Error", err.message);
		goto groups;
	}
	mapped = 1;
	cJSON_AddItemToObject(e, "LaunchTemplateData", map.data);
	if (problem.len)
		cJSON_AddItemToArray(map.warnings, cJSON_CreateString(problem.buf));
	cJSON_AddItemToObject(e, "Warnings", map.warnings);
	map.data = map.warnings = NULL;
	cJSON_AddNullToObject(e, "Error");
groups:
	for (size_t i = 0; i < r->nasgs; i++) {
		const struct lcm_asg *a = &r->asgs[i];
		if (!selected_asg(sp->o, a->name))
			continue;
		cJSON *g = entry_base(sp);
		cJSON_AddStringToObject(g, "AutoScalingGroupName", a->name);
		cJSON_AddStringToObject(g, "LaunchConfigurationName", lc_name);
		cJSON_AddStringToObject(g, "LaunchTemplateName", name.buf);
		if (a->managed_by && !sp->o->include_managed) {
			cJSON_AddStringToObject(g, "Action", "skip");
			struct strbuf why = STRBUF_INIT;
			strbuf_addf(&why, "managed by %s: change its template instead "
					  "(awsx lc-migrate export), or pass --include-managed", a->managed_by);
			cJSON_AddStringToObject(g, "Reason", why.buf);
			strbuf_release(&why);
		} else if (!mapped) {
			cJSON_AddStringToObject(g, "Action", "skip");
			cJSON_AddStringToObject(g, "Reason", "its launch configuration cannot be converted");
		} else {
			cJSON_AddStringToObject(g, "Action", "switch");
			cJSON_AddNullToObject(g, "Reason");
		}
		cJSON_AddBoolToObject(g, "MixedInstancesPolicy", mapped && map.mixed_spot);
		if (a->managed_by)
			cJSON_AddStringToObject(g, "ManagedBy", a->managed_by);
		else
			cJSON_AddNullToObject(g, "ManagedBy");
		cJSON_AddItemToArray(asgs, g);
	}
	cJSON_AddItemToArray(lts, e);
	lcm_map_result_release(&map);
	kvlist_release(&ids);
	strbuf_release(&problem);
	strbuf_release(&name);
}

static void plan_scope(struct scope_plan *sp, cJSON *lts, cJSON *asgs)
{
	struct aws_call call;
	struct aws_error err;

	aws_error_clear(&err);
	sp->templates = cJSON_CreateArray();
	ec2_describe_launch_templates_call(&call, NULL, 0, NULL, NULL, NULL);
	if (list_all(sp->ctx, &call, sp->region, sp->creds, ec2_describe_launch_templates_page,
		     sp->templates, &err)) {
		struct strbuf sb = STRBUF_INIT;
		aws_error_format(&err, &sb);
		sp->error = strbuf_detach(&sb, NULL);
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, sp->templates)
		if (jstr(t, "LaunchTemplateName"))
			kvlist_add(&sp->taken, jstr(t, "LaunchTemplateName"), "");
	for (size_t i = 0; i < sp->nrows; i++)
		plan_row(sp, sp->rows[i], lts, asgs);
	cJSON_Delete(sp->templates);
	kvlist_release(&sp->taken);
	free(sp->error);
}

static int row_selected(const struct lcm_plan_options *o, const struct lcm_row *r)
{
	const char *name = jstr(r->lc, "LaunchConfigurationName");
	if (!name || (o->names.nr && !kvlist_get(&o->names, name)))
		return 0;
	if (!o->asgs.nr)
		return 1;
	for (size_t i = 0; i < r->nasgs; i++)
		if (kvlist_get(&o->asgs, r->asgs[i].name))
			return 1;
	return 0;
}

int lcm_plan_build(struct aws_ctx *ctx, const struct lcm_inventory *inv,
		   const struct lcm_plan_options *o, cJSON **plan, struct aws_error *err)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *lts = cJSON_AddArrayToObject(root, "LaunchTemplates");
	cJSON *asgs = cJSON_AddArrayToObject(root, "AutoScalingGroups");

	/* rows are sorted by account and region: plan one scope at a time */
	for (size_t i = 0; i < inv->nrows;) {
		struct scope_plan sp = { ctx, o, inv->rows[i].account, inv->rows[i].region,
					 lcm_account_credentials(inv, inv->rows[i].account),
					 NULL, 0, NULL, KVLIST_INIT, NULL };
		size_t j = i;
		while (j < inv->nrows && !strcmp(inv->rows[j].account, sp.account) &&
		       !strcmp(inv->rows[j].region, sp.region)) {
			if (row_selected(o, &inv->rows[j])) {
				sp.rows = xrealloc(sp.rows, (sp.nrows + 1) * sizeof(*sp.rows));
				sp.rows[sp.nrows++] = &inv->rows[j];
			}
			j++;
		}
		if (sp.nrows)
			plan_scope(&sp, lts, asgs);
		free(sp.rows);
		i = j;
	}

	int creates = 0, updates = 0, errors = 0, switches = 0, skips = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, lts) {
		const char *a = jstr(e, "Action");
		if (jstr(e, "Error"))
			errors++;
		else if (a && !strcmp(a, "create"))
			creates++;
		else
			updates++;
	}
	cJSON_ArrayForEach(e, asgs) {
		const char *a = jstr(e, "Action");
		if (a && !strcmp(a, "switch"))
			switches++;
		else
			skips++;
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "Summary");
	cJSON_AddNumberToObject(sum, "LaunchTemplatesToCreate", creates);
	cJSON_AddNumberToObject(sum, "LaunchTemplatesToUpdate", updates);
	cJSON_AddNumberToObject(sum, "LaunchConfigurationsWithErrors", errors);
	cJSON_AddNumberToObject(sum, "GroupsToSwitch", switches);
	cJSON_AddNumberToObject(sum, "GroupsSkipped", skips);
	*plan = root;
	(void)err;
	return 0;
}

/* ---- text ---- */

void lcm_plan_write_text(const cJSON *plan, int color, struct strbuf *out)
{
	const char *bold = color ? "\033[1m" : "", *red = color ? "\033[31m" : "";
	const char *yellow = color ? "\033[33m" : "", *reset = color ? "\033[0m" : "";
	const cJSON *e, *w, *g;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(plan, "LaunchTemplates")) {
		strbuf_addf(out, "%s%s %s: %s%s\n", bold, jstr(e, "Account"), jstr(e, "Region"),
			    jstr(e, "LaunchConfigurationName"), reset);
		if (jstr(e, "Error")) {
			strbuf_addf(out, "  %serror:%s %s\n", red, reset, jstr(e, "Error"));
		} else {
			strbuf_addf(out, "  %s launch template '%s'", jstr(e, "Action"),
				    jstr(e, "LaunchTemplateName"));
			if (jstr(e, "ExistingLaunchTemplateId"))
				strbuf_addf(out, " (%s)", jstr(e, "ExistingLaunchTemplateId"));
			strbuf_addch(out, '\n');
			char *data = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(e, "LaunchTemplateData"));
			strbuf_addf(out, "    data: %s\n", data);
			cJSON_free(data);
		}
		cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(e, "Warnings"))
			if (cJSON_IsString(w))
				strbuf_addf(out, "  %swarning:%s %s\n", yellow, reset, w->valuestring);
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(plan, "AutoScalingGroups")) {
			if (strcmp(jstr(g, "Account"), jstr(e, "Account")) ||
			    strcmp(jstr(g, "Region"), jstr(e, "Region")) ||
			    strcmp(jstr(g, "LaunchConfigurationName"), jstr(e, "LaunchConfigurationName")))
				continue;
			if (!strcmp(jstr(g, "Action"), "switch"))
				strbuf_addf(out, "  switch group '%s' to it%s\n", jstr(g, "AutoScalingGroupName"),
					    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "MixedInstancesPolicy"))
						    ? " with an all-spot MixedInstancesPolicy" : "");
			else
				strbuf_addf(out, "  skip group '%s': %s\n", jstr(g, "AutoScalingGroupName"),
					    jstr(g, "Reason"));
		}
	}
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(plan, "Summary");
	strbuf_addf(out, "%splan:%s %d launch templates to create, %d to update, %d launch "
			 "configurations that cannot be converted; %d groups to switch, %d skipped\n",
		    bold, reset,
		    cJSON_GetObjectItemCaseSensitive(s, "LaunchTemplatesToCreate")->valueint,
		    cJSON_GetObjectItemCaseSensitive(s, "LaunchTemplatesToUpdate")->valueint,
		    cJSON_GetObjectItemCaseSensitive(s, "LaunchConfigurationsWithErrors")->valueint,
		    cJSON_GetObjectItemCaseSensitive(s, "GroupsToSwitch")->valueint,
		    cJSON_GetObjectItemCaseSensitive(s, "GroupsSkipped")->valueint);
}
