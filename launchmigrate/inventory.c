/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory.c: collecting launch configurations across accounts and
 * regions.  Everything runs in one aws_batch: AssumeRole into each account
 * (--org), DescribeRegions per account (--all-regions), then for each
 * account x region both DescribeLaunchConfigurations and
 * DescribeAutoScalingGroups, page after page; when both lists of a scope
 * are complete they are joined into inventory rows.  A failing scope keeps
 * its error and never stops the others (AWS's own script aborts and
 * writes nothing).
 */
#include "launchmigrate/launchmigrate.h"

#include <stdlib.h>
#include <string.h>

#include "aws/endpoint.h"

struct collect {
	struct aws_ctx *ctx;
	const struct lcm_selection *sel;
	struct lcm_inventory *inv;
	struct aws_batch *batch;
	struct lcm_account *accounts;
	size_t naccounts;
	size_t scopes_done;
	lcm_progress_fn progress;
	void *ud;
	const char *home_region; /* where account-wide calls go */
};

/* One account x region being read. */
struct scope_work {
	struct collect *c;
	struct lcm_account *acct;
	size_t scope; /* index into inv->scopes (the array may move) */
	cJSON *lcs, *asgs;
	int open_lists; /* lists still being paged (0..2) */
	int failed;
};

enum req_kind { REQ_ASSUME, REQ_REGIONS, REQ_LCS, REQ_ASGS };

/* One request in the batch; the call lives here until done runs. */
struct req {
	struct aws_call call;
	enum req_kind kind;
	struct collect *c;
	struct lcm_account *acct;
	struct scope_work *sw;
};

static void add_req(struct collect *c, struct req *r, const struct aws_service *svc,
		    void (*done)(struct aws_call *, struct aws_response *,
				 const struct aws_error *, int, void *));

static void report_progress(struct collect *c)
{
	if (c->progress)
		c->progress(c->scopes_done, c->inv->nscopes, c->ud);
}

static const struct aws_credentials *acct_creds(const struct lcm_account *a)
{
	return a->own_creds ? &a->creds : NULL;
}

static void scope_fail(struct scope_work *sw, const struct aws_error *err)
{
	struct lcm_scope *s = &sw->c->inv->scopes[sw->scope];
	if (!s->error) {
		struct strbuf sb = STRBUF_INIT;
		aws_error_format(err, &sb);
		s->error = strbuf_detach(&sb, NULL);
	}
	sw->failed = 1;
}

static const char *json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * "elasticbeanstalk:<env>" / "cloudformation:<stack>" from an ASG's tags.
 * Elastic Beanstalk runs on CloudFormation, so its groups carry both tags:
 * the environment is the more useful answer.
 */
static char *managed_by(const cJSON *asg)
{
	static const struct {
		const char *tag, *owner;
	} owners[] = {
		{ "elasticbeanstalk:environment-name", "elasticbeanstalk" },
		{ "aws:cloudformation:stack-name", "cloudformation" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(owners); i++) {
		const cJSON *t;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(asg, "Tags")) {
			const char *k = json_str(t, "Key"), *v = json_str(t, "Value");
			if (k && v && !strcmp(k, owners[i].tag))
				return xstrfmt("%s:%s", owners[i].owner, v);
		}
	}
	return NULL;
}

/* Both lists of a scope are complete: join them into rows. */
static void scope_finish(struct scope_work *sw)
{
	struct collect *c = sw->c;
	struct lcm_scope *s = &c->inv->scopes[sw->scope];
	const cJSON *lc, *asg;

	if (!sw->failed) {
		cJSON_ArrayForEach(lc, sw->lcs) {
			const char *name = json_str(lc, "LaunchConfigurationName");
			if (!name)
				continue;
			struct lcm_row *row = lcm_inventory_add(c->inv, s->account, s->region,
								cJSON_Duplicate(lc, 1));
			cJSON_ArrayForEach(asg, sw->asgs) {
				const char *used = json_str(asg, "LaunchConfigurationName");
				const char *an = json_str(asg, "AutoScalingGroupName");
				/*
				 * A group with a launch template no longer uses its LC
				 * (AWS clears the name on the switch; moto keeps it).
				 */
				if (cJSON_GetObjectItemCaseSensitive(asg, "LaunchTemplate") ||
				    cJSON_GetObjectItemCaseSensitive(asg, "MixedInstancesPolicy"))
					continue;
				if (used && an && !strcmp(used, name)) {
					char *m = managed_by(asg);
					lcm_row_add_asg(row, an, m, json_str(asg, "VPCZoneIdentifier"));
					free(m);
				}
			}
			s = &c->inv->scopes[sw->scope];
			s->count++;
		}
	}
	cJSON_Delete(sw->lcs);
	cJSON_Delete(sw->asgs);
	free(sw);
	c->scopes_done++;
	report_progress(c);
}

static void list_call(struct req *r, const char *next_token)
{
	struct lcm_scope *s = &r->c->inv->scopes[r->sw->scope];
	if (r->kind == REQ_LCS)
		autoscaling_describe_launch_configurations_call(&r->call, NULL, 0, next_token);
	else
		autoscaling_describe_auto_scaling_groups_call(&r->call, NULL, 0, next_token);
	r->call.region = s->region;
	r->call.credentials = acct_creds(r->acct);
}

static void on_list(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud)
{
	struct req *r = ud;
	struct scope_work *sw = r->sw;
	char *next = NULL;

	if (rc) {
		scope_fail(sw, err);
	} else if (!sw->failed) {
		struct aws_error e;
		cJSON *items = NULL;
		aws_error_clear(&e);
		int prc = r->kind == REQ_LCS
				  ? autoscaling_describe_launch_configurations_page(resp, &items, &next, &e)
				  : autoscaling_describe_auto_scaling_groups_page(resp, &items, &next, &e);
		if (prc) {
			scope_fail(sw, &e);
		} else {
			cJSON *into = r->kind == REQ_LCS ? sw->lcs : sw->asgs;
			while (cJSON_GetArraySize(items) > 0)
				cJSON_AddItemToArray(into, cJSON_DetachItemFromArray(items, 0));
		}
		cJSON_Delete(items);
	}
	aws_call_release(&r->call);
	if (next && !sw->failed) {
		/* the next page reuses this request */
		list_call(r, next);
		free(next);
		add_req(r->c, r, &aws_svc_autoscaling, on_list);
		return;
	}
	free(next);
	free(r);
	if (--sw->open_lists == 0)
		scope_finish(sw);
}

static void start_scope(struct collect *c, struct lcm_account *a, const char *region)
{
	struct scope_work *sw = xcalloc(1, sizeof(*sw));
	struct lcm_scope *s = lcm_inventory_scope(c->inv, a->id, region);
	sw->c = c;
	sw->acct = a;
	sw->scope = (size_t)(s - c->inv->scopes);
	sw->lcs = cJSON_CreateArray();
	sw->asgs = cJSON_CreateArray();
	sw->open_lists = c->sel->skip_groups ? 1 : 2;
	for (int k = 0; k < sw->open_lists; k++) {
		struct req *r = xcalloc(1, sizeof(*r));
		r->kind = k ? REQ_ASGS : REQ_LCS;
		r->c = c;
		r->acct = a;
		r->sw = sw;
		list_call(r, NULL);
		add_req(c, r, &aws_svc_autoscaling, on_list);
	}
	report_progress(c);
}

/* A failure before any region of the account could be listed. */
static void account_fail(struct collect *c, struct lcm_account *a, const struct aws_error *err)
{
	struct lcm_scope *s = lcm_inventory_scope(c->inv, a->id, "-");
	struct strbuf sb = STRBUF_INIT;
	aws_error_format(err, &sb);
	free(s->error);
	s->error = strbuf_detach(&sb, NULL);
	c->scopes_done++;
	report_progress(c);
}

static void on_regions(struct aws_call *call, struct aws_response *resp,
		       const struct aws_error *err, int rc, void *ud)
{
	struct req *r = ud;
	struct collect *c = r->c;
	struct lcm_account *a = r->acct;

	cJSON *regions = NULL;
	struct aws_error e;
	aws_error_clear(&e);
	if (rc) {
		account_fail(c, a, err);
	} else if (ec2_describe_regions_page(resp, &regions, NULL, &e)) {
		account_fail(c, a, &e);
	} else {
		const cJSON *reg;
		int n = 0;
		cJSON_ArrayForEach(reg, regions) {
			const char *name = json_str(reg, "RegionName");
			const char *opt = json_str(reg, "OptInStatus");
			if (!name || (opt && !strcmp(opt, "not-opted-in")))
				continue;
			start_scope(c, a, name);
			n++;
		}
		if (!n) {
			aws_error_set(&e, AWSX_ESERVICE, "ec2 DescribeRegions listed no enabled region");
			account_fail(c, a, &e);
		}
	}
	cJSON_Delete(regions);
	aws_call_release(&r->call);
	free(r);
}

/* The account's credentials are ready: find its regions. */
static void start_account(struct collect *c, struct lcm_account *a)
{
	const struct lcm_selection *sel = c->sel;
	if (sel->regions.nr) {
		for (size_t i = 0; i < sel->regions.nr; i++)
			start_scope(c, a, sel->regions.items[i].name);
		return;
	}
	if (!sel->all_regions) {
		start_scope(c, a, aws_ctx_region(c->ctx));
		return;
	}
	struct req *r = xcalloc(1, sizeof(*r));
	r->kind = REQ_REGIONS;
	r->c = c;
	r->acct = a;
	ec2_describe_regions_call(&r->call, 0);
	r->call.region = c->home_region;
	r->call.credentials = acct_creds(a);
	add_req(c, r, &aws_svc_ec2, on_regions);
}

static void on_assume(struct aws_call *call, struct aws_response *resp,
		      const struct aws_error *err, int rc, void *ud)
{
	struct req *r = ud;
	struct aws_error e;

	aws_error_clear(&e);
	if (rc) {
		account_fail(r->c, r->acct, err);
	} else if (sts_read_credentials(resp, "AssumeRole", &r->acct->creds, &e)) {
		account_fail(r->c, r->acct, &e);
	} else {
		r->acct->own_creds = 1;
		start_account(r->c, r->acct);
	}
	aws_call_release(&r->call);
	free(r);
}

static void add_req(struct collect *c, struct req *r, const struct aws_service *svc,
		    void (*done)(struct aws_call *, struct aws_response *,
				 const struct aws_error *, int, void *))
{
	aws_batch_add(c->batch, svc, &r->call, done, r);
}

/* The ACTIVE accounts of the Organization, one page at a time. */
static int on_accounts_page(const struct aws_response *resp, void *ud)
{
	struct collect *c = ud;
	const cJSON *acct;
	cJSON_ArrayForEach(acct, cJSON_GetObjectItemCaseSensitive(resp->json, "Accounts")) {
		const char *id = json_str(acct, "Id"), *status = json_str(acct, "Status");
		if (!id || (status && strcmp(status, "ACTIVE")))
			continue;
		c->accounts = xrealloc(c->accounts, (c->naccounts + 1) * sizeof(*c->accounts));
		memset(&c->accounts[c->naccounts], 0, sizeof(*c->accounts));
		c->accounts[c->naccounts++].id = xstrdup(id);
	}
	return 0;
}

static int list_accounts(struct collect *c, struct aws_error *err)
{
	struct aws_call call;
	struct aws_paginator p = { "NextToken", "NextToken", 0 };
	aws_call_init(&call, "ListAccounts");
	int rc = aws_paginate(c->ctx, &aws_svc_organizations, &call, &p, on_accounts_page, c, err);
	aws_call_release(&call);
	return rc;
}

int lcm_inventory_collect(struct aws_ctx *ctx, const struct lcm_selection *sel,
			  struct lcm_inventory *inv, lcm_progress_fn progress, void *ud,
			  struct aws_error *err)
{
	struct collect c = { ctx, sel, inv, NULL, NULL, 0, 0, progress, ud, NULL };
	int rc = 0;

	c.home_region = aws_ctx_region(ctx) ? aws_ctx_region(ctx) : "us-east-1";
	if (!sel->regions.nr && !sel->all_regions && (rc = aws_ctx_require_region(ctx, err)))
		return rc;
	for (size_t i = 0; i < sel->regions.nr; i++)
		if (!endpoint_region_valid(sel->regions.items[i].name))
			return aws_error_set(err, AWSX_EUSAGE,
					     "invalid region '%s' in --regions: expected a name like us-east-1",
					     sel->regions.items[i].name);

	if (sel->org) {
		if ((rc = list_accounts(&c, err)))
			goto out;
	} else {
		struct sts_identity id;
		if ((rc = sts_get_caller_identity(ctx, &id, err)))
			goto out;
		c.accounts = xcalloc(1, sizeof(*c.accounts));
		c.accounts[0].id = xstrdup(id.account);
		c.naccounts = 1;
	}

	c.batch = aws_batch_new(ctx, sel->max_in_flight);
	/* below the documented API rates, per service, region and account */
	aws_batch_limit(c.batch, &aws_svc_autoscaling, 10);
	aws_batch_limit(c.batch, &aws_svc_ec2, 20);
	aws_batch_limit(c.batch, &aws_svc_sts, 10);
	for (size_t i = 0; i < c.naccounts; i++) {
		struct lcm_account *a = &c.accounts[i];
		if (!sel->org) {
			start_account(&c, a);
			continue;
		}
		struct req *r = xcalloc(1, sizeof(*r));
		struct strbuf arn = STRBUF_INIT;
		strbuf_addf(&arn, "arn:%s:iam::%s:role/%s", endpoint_partition(c.home_region), a->id,
			    sel->org_role);
		struct sts_assume_role_params p = {
			.role_arn = arn.buf,
			.session_name = "awsx-lc-migrate",
			.external_id = sel->external_id,
			.region = c.home_region,
		};
		r->kind = REQ_ASSUME;
		r->c = &c;
		r->acct = a;
		sts_assume_role_call(&r->call, &p);
		add_req(&c, r, &aws_svc_sts, on_assume);
		strbuf_release(&arn);
	}
	rc = aws_batch_run(c.batch);
	if (rc)
		aws_error_set(err, AWSX_EINTR, "interrupted");
	lcm_inventory_sort(inv);
out:
	aws_batch_free(c.batch);
	/* the accounts and their credentials stay with the inventory for plan and apply */
	inv->accounts = c.accounts;
	inv->naccounts = c.naccounts;
	return rc;
}
