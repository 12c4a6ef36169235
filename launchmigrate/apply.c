/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply.c: carrying out an lc-migrate plan, and undoing it.  Each step is
 * a single AWS call whose outcome goes into the journal before the next
 * step starts; a step the journal already records is skipped, which makes
 * a resumed run safe.  Templates made here carry the
 * awsx:source-launch-configuration tag and, in VersionDescription, a hash
 * of their data and the LC's ARN, so a later run recognises its own work
 * even without the journal: same data is reused, different data becomes a
 * new version, nothing is duplicated.
 */
#include "launchmigrate/launchmigrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "aws/endpoint.h"

struct run {
	struct aws_ctx *ctx;
	const struct lcm_inventory *inv;
	const struct lcm_apply_options *o;
	struct lcm_apply_result *res;
};

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void say(void (*fn)(const char *, void *), void *ud, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(void (*fn)(const char *, void *), void *ud, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (!fn)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fn(sb.buf, ud);
	strbuf_release(&sb);
}

static void say_error(struct run *r, const char *what, const struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	aws_error_format(err, &sb);
	say(r->o->say, r->o->ud, "failed: %s: %s", what, sb.buf);
	strbuf_release(&sb);
	r->res->failures++;
}

/* A network failure or an interrupt ends the run; anything else ends an item. */
static int fatal(int rc)
{
	return rc == -AWSX_ENET || rc == -AWSX_EINTR;
}

/* First 16 hex digits of SHA-256 of the data as awsx writes it. */
static void data_hash(const cJSON *data, char out[17])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *s = cJSON_PrintUnformatted(data);
	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	cJSON_free(s);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static cJSON *entry(const char *op, const char *account, const char *region)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "op", op);
	cJSON_AddStringToObject(e, "account", account);
	cJSON_AddStringToObject(e, "region", region);
	return e;
}

/* One call in the item's account and region. */
static int call(struct run *r, const struct aws_service *svc, struct aws_call *c,
		const char *account, const char *region, struct aws_response *resp,
		struct aws_error *err)
{
	c->region = region;
	c->credentials = lcm_account_credentials(r->inv, account);
	return aws_call(r->ctx, svc, c, resp, err);
}

/*
 * The template for one plan entry: from the journal, an existing version
 * with the same data, a new version, or a new template.  Sets id and
 * version (a number as text).
 */
static int ensure_template(struct run *r, const cJSON *e, char **id, char **version,
			   struct aws_error *err)
{
	const char *account = jstr(e, "Account"), *region = jstr(e, "Region");
	const char *lc = jstr(e, "LaunchConfigurationName"), *arn = jstr(e, "LaunchConfigurationARN");
	const char *name = jstr(e, "LaunchTemplateName");
	const char *existing = jstr(e, "ExistingLaunchTemplateId");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "LaunchTemplateData");
	struct aws_call c;
	struct aws_response resp;
	char hash[17], token[40];
	struct strbuf desc = STRBUF_INIT;
	cJSON *out = NULL, *items = NULL;
	int rc = 0, created = 0;

	const cJSON *done = lcm_journal_find(r->o->journal, "template", account, region, "lc", lc);
	data_hash(data, hash);
	if (done && jstr(done, "data_hash") && !strcmp(jstr(done, "data_hash"), hash)) {
		*id = xstrdup(jstr(done, "template_id"));
		*version = xstrdup(jstr(done, "version"));
		r->res->templates_reused++;
		return 0;
	}
	aws_response_init(&resp);
	/* "awsx <hash> <LC ARN>", within VersionDescription's 255 characters */
	strbuf_addf(&desc, "awsx %s %s", hash, arn ? arn : lc);
	if (desc.len > 255)
		strbuf_setlen(&desc, 255);
	/* the same LC and data always give the same token: a retried create is not a second one */
	snprintf(token, sizeof(token), "awsx-%s-%s", hash, existing ? "v" : "t");

	if (existing) {
		const char *latest[] = { "$Latest" };
		ec2_describe_launch_template_versions_call(&c, existing, NULL, latest, 1, NULL);
		rc = call(r, &aws_svc_ec2, &c, account, region, &resp, err);
		aws_call_release(&c);
		if (!rc)
			rc = ec2_describe_launch_template_versions_page(&resp, &items, NULL, err);
		if (rc)
			goto out;
		const cJSON *v = cJSON_GetArrayItem(items, 0);
		const char *vd = v ? jstr(v, "VersionDescription") : NULL;
		const cJSON *num = v ? cJSON_GetObjectItemCaseSensitive(v, "VersionNumber") : NULL;
		if (vd && str_starts_with(vd, desc.buf) && cJSON_IsNumber(num)) {
			*id = xstrdup(existing);
			*version = xstrfmt("%d", num->valueint);
			r->res->templates_reused++;
			say(r->o->say, r->o->ud, "%s %s: launch template '%s' version %s already holds "
				"this data", account, region, name, *version);
			goto journal;
		}
		struct ec2_launch_template_request req = {
			.template_id = existing,
			.version_description = desc.buf,
			.data = data,
			.client_token = token,
		};
		aws_response_release(&resp);
		if ((rc = ec2_create_launch_template_version_call(&c, &req, err)))
			goto out;
		rc = call(r, &aws_svc_ec2, &c, account, region, &resp, err);
		aws_call_release(&c);
		if (!rc)
			rc = ec2_result(&resp, "CreateLaunchTemplateVersion", &out, err);
		if (rc)
			goto out;
		const cJSON *ltv = cJSON_GetObjectItemCaseSensitive(out, "LaunchTemplateVersion");
		num = cJSON_GetObjectItemCaseSensitive(ltv, "VersionNumber");
		*id = xstrdup(existing);
		*version = xstrfmt("%d", cJSON_IsNumber(num) ? num->valueint : 0);
		r->res->versions_created++;
		say(r->o->say, r->o->ud, "%s %s: launch template '%s' new version %s (from %s)", account,
		    region, name, *version, lc);
	} else {
		cJSON *tags = cJSON_CreateArray(), *spec = cJSON_CreateObject(), *tl = cJSON_CreateArray();
		cJSON *tag = cJSON_CreateObject();
		cJSON_AddStringToObject(tag, "Key", LCM_SOURCE_TAG);
		cJSON_AddStringToObject(tag, "Value", lc);
		cJSON_AddItemToArray(tl, tag);
		cJSON_AddStringToObject(spec, "ResourceType", "launch-template");
		cJSON_AddItemToObject(spec, "Tags", tl);
		cJSON_AddItemToArray(tags, spec);
		struct ec2_launch_template_request req = {
			.template_name = name,
			.version_description = desc.buf,
			.data = data,
			.tag_specifications = tags,
			.client_token = token,
		};
		rc = ec2_create_launch_template_call(&c, &req, err);
		cJSON_Delete(tags);
		if (rc)
			goto out;
		rc = call(r, &aws_svc_ec2, &c, account, region, &resp, err);
		aws_call_release(&c);
		if (!rc)
			rc = ec2_result(&resp, "CreateLaunchTemplate", &out, err);
		if (rc)
			goto out;
		const cJSON *lt = cJSON_GetObjectItemCaseSensitive(out, "LaunchTemplate");
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(lt, "LatestVersionNumber");
		if (!jstr(lt, "LaunchTemplateId")) {
			rc = aws_error_set(err, AWSX_ESERVICE, "ec2 CreateLaunchTemplate answered no LaunchTemplateId");
			goto out;
		}
		*id = xstrdup(jstr(lt, "LaunchTemplateId"));
		*version = xstrfmt("%d", cJSON_IsNumber(num) ? num->valueint : 1);
		created = 1;
		r->res->templates_created++;
		say(r->o->say, r->o->ud, "%s %s: created launch template '%s' (%s) from '%s'", account,
		    region, name, *id, lc);
	}
	/* EC2 accepts some settings with a warning instead of an error: show them */
	const cJSON *w;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(out, "Warning"), "Errors"))
		say(r->o->say, r->o->ud, "%s %s: warning from EC2 about '%s': %s %s", account, region,
		    name, jstr(w, "Code") ? jstr(w, "Code") : "", jstr(w, "Message") ? jstr(w, "Message") : "");
journal:;
	cJSON *j = entry("template", account, region);
	cJSON_AddStringToObject(j, "lc", lc);
	if (arn)
		cJSON_AddStringToObject(j, "lc_arn", arn);
	cJSON_AddStringToObject(j, "template_id", *id);
	cJSON_AddStringToObject(j, "template_name", name);
	cJSON_AddStringToObject(j, "version", *version);
	cJSON_AddStringToObject(j, "data_hash", hash);
	cJSON_AddBoolToObject(j, "created", created);
	rc = lcm_journal_append(r->o->journal, j, err);
out:
	cJSON_Delete(out);
	cJSON_Delete(items);
	aws_response_release(&resp);
	strbuf_release(&desc);
	return rc;
}

/* The group's first subnet, from the inventory, or NULL. */
static char *first_subnet(const struct lcm_inventory *inv, const char *account, const char *region,
			  const char *asg)
{
	for (size_t i = 0; i < inv->nrows; i++) {
		const struct lcm_row *row = &inv->rows[i];
		if (strcmp(row->account, account) || strcmp(row->region, region))
			continue;
		for (size_t k = 0; k < row->nasgs; k++)
			if (!strcmp(row->asgs[k].name, asg) && row->asgs[k].subnets)
				return xstrndup(row->asgs[k].subnets, strcspn(row->asgs[k].subnets, ","));
	}
	return NULL;
}

/* RunInstances DryRun: success is the error DryRunOperation. */
static int validate(struct run *r, const char *account, const char *region, const char *id,
		    const char *version, const char *subnet, struct aws_error *err)
{
	struct aws_call c;
	struct aws_response resp;
	cJSON *spec = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(spec, "LaunchTemplateId", id);
	cJSON_AddStringToObject(spec, "Version", version);
	aws_response_init(&resp);
	rc = ec2_run_instances_dry_run_call(&c, spec, subnet, err);
	cJSON_Delete(spec);
	if (!rc) {
		c.flags |= AWS_CALL_NO_RETRY;
		rc = call(r, &aws_svc_ec2, &c, account, region, &resp, err);
		if (rc == -AWSX_ESERVICE && !strcmp(err->code, "DryRunOperation")) {
			aws_error_clear(err);
			rc = 0;
		} else if (!rc) {
			rc = aws_error_set(err, AWSX_ESERVICE,
					   "ec2 RunInstances with DryRun did not answer DryRunOperation");
		}
	}
	aws_call_release(&c);
	aws_response_release(&resp);
	return rc;
}

static const char *version_for(const struct lcm_apply_options *o, const char *pinned)
{
	return o->version == LCM_VERSION_LATEST ? "$Latest"
	       : o->version == LCM_VERSION_DEFAULT ? "$Default" : pinned;
}

static int switch_group(struct run *r, const cJSON *g, const char *id, const char *version,
			struct aws_error *err)
{
	const char *account = jstr(g, "Account"), *region = jstr(g, "Region");
	const char *asg = jstr(g, "AutoScalingGroupName");
	cJSON *in = cJSON_CreateObject(), *spec = cJSON_CreateObject();
	struct aws_call c;
	struct aws_response resp;
	int rc;

	cJSON_AddStringToObject(in, "AutoScalingGroupName", asg);
	cJSON_AddStringToObject(spec, "LaunchTemplateId", id);
	cJSON_AddStringToObject(spec, "Version", version_for(r->o, version));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "MixedInstancesPolicy"))) {
		/* all spot, as the launch configuration's SpotPrice asked */
		cJSON *mip = cJSON_AddObjectToObject(in, "MixedInstancesPolicy");
		cJSON *lt = cJSON_AddObjectToObject(mip, "LaunchTemplate");
		cJSON_AddItemToObject(lt, "LaunchTemplateSpecification", spec);
		cJSON *dist = cJSON_AddObjectToObject(mip, "InstancesDistribution");
		cJSON_AddNumberToObject(dist, "OnDemandBaseCapacity", 0);
		cJSON_AddNumberToObject(dist, "OnDemandPercentageAboveBaseCapacity", 0);
		cJSON_AddStringToObject(dist, "SpotAllocationStrategy", "price-capacity-optimized");
	} else {
		cJSON_AddItemToObject(in, "LaunchTemplate", spec);
	}
	aws_response_init(&resp);
	rc = autoscaling_update_auto_scaling_group_call(&c, in, err);
	if (!rc)
		rc = call(r, &aws_svc_autoscaling, &c, account, region, &resp, err);
	aws_call_release(&c);
	aws_response_release(&resp);
	cJSON_Delete(in);
	if (rc)
		return rc;
	cJSON *j = entry("switch", account, region);
	cJSON_AddStringToObject(j, "asg", asg);
	cJSON_AddStringToObject(j, "lc", jstr(g, "LaunchConfigurationName"));
	cJSON_AddStringToObject(j, "template_id", id);
	cJSON_AddStringToObject(j, "version", version_for(r->o, version));
	r->res->groups_switched++;
	say(r->o->say, r->o->ud, "%s %s: switched group '%s' to launch template %s version %s",
	    account, region, asg, id, version_for(r->o, version));
	return lcm_journal_append(r->o->journal, j, err);
}

/* Start an instance refresh and follow it to its end (bounded: 12 hours). */
static int refresh_group(struct run *r, const char *account, const char *region, const char *asg,
			 struct aws_error *err)
{
	cJSON *in = cJSON_CreateObject(), *out = NULL;
	struct aws_call c;
	struct aws_response resp;
	int rc;

	cJSON_AddStringToObject(in, "AutoScalingGroupName", asg);
	aws_response_init(&resp);
	rc = autoscaling_start_instance_refresh_call(&c, in, err);
	if (!rc)
		rc = call(r, &aws_svc_autoscaling, &c, account, region, &resp, err);
	aws_call_release(&c);
	cJSON_Delete(in);
	if (!rc)
		rc = autoscaling_start_instance_refresh_result(&resp, &out, err);
	aws_response_release(&resp);
	if (rc)
		return rc;
	char *id = xstrdup(jstr(out, "InstanceRefreshId") ? jstr(out, "InstanceRefreshId") : "");
	cJSON_Delete(out);
	cJSON *j = entry("refresh", account, region);
	cJSON_AddStringToObject(j, "asg", asg);
	cJSON_AddStringToObject(j, "refresh_id", id);
	if ((rc = lcm_journal_append(r->o->journal, j, err)))
		goto out;
	say(r->o->say, r->o->ud, "%s %s: instance refresh %s of '%s' started", account, region, id, asg);
	for (int polls = 0; polls < 12 * 60 * 4; polls++) {
		const char *ids[] = { id };
		cJSON *items = NULL;
		struct timespec ts = { 15, 0 };
		autoscaling_describe_instance_refreshes_call(&c, asg, ids, 1, NULL);
		aws_response_init(&resp);
		rc = call(r, &aws_svc_autoscaling, &c, account, region, &resp, err);
		aws_call_release(&c);
		if (!rc)
			rc = autoscaling_describe_instance_refreshes_page(&resp, &items, NULL, err);
		aws_response_release(&resp);
		if (rc)
			goto out;
		const cJSON *ir = cJSON_GetArrayItem(items, 0);
		const char *status = ir ? jstr(ir, "Status") : NULL;
		const cJSON *pct = ir ? cJSON_GetObjectItemCaseSensitive(ir, "PercentageComplete") : NULL;
		say(r->o->say, r->o->ud, "%s %s: refresh of '%s': %s%s%d%%", account, region, asg,
		    status ? status : "?", pct ? ", " : "", pct ? pct->valueint : 0);
		int finished = status && (!strcmp(status, "Successful") || !strcmp(status, "Failed") ||
					  !strcmp(status, "Cancelled") || str_starts_with(status, "Rollback"));
		int ok = status && !strcmp(status, "Successful");
		cJSON_Delete(items);
		if (finished) {
			if (!ok)
				rc = aws_error_set(err, AWSX_ESERVICE, "instance refresh of '%s' ended %s",
						   asg, status);
			goto out;
		}
		if (aws_interrupted()) {
			rc = aws_error_set(err, AWSX_EINTR, "interrupted");
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	rc = aws_error_set(err, AWSX_EFAIL, "instance refresh of '%s' did not end within 12 hours", asg);
out:
	free(id);
	return rc;
}

/* Does any group of the region still use the launch configuration? */
static int lc_in_use(struct run *r, const char *account, const char *region, const char *lc,
		     int *in_use, struct aws_error *err)
{
	struct aws_call c;
	struct aws_response resp;
	cJSON *groups = NULL;
	char *next = NULL;
	int rc = 0;

	*in_use = 0;
	do {
		autoscaling_describe_auto_scaling_groups_call(&c, NULL, 0, next);
		free(next);
		next = NULL;
		aws_response_init(&resp);
		rc = call(r, &aws_svc_autoscaling, &c, account, region, &resp, err);
		aws_call_release(&c);
		if (!rc)
			rc = autoscaling_describe_auto_scaling_groups_page(&resp, &groups, &next, err);
		aws_response_release(&resp);
		const cJSON *g;
		cJSON_ArrayForEach(g, groups) {
			const char *used = jstr(g, "LaunchConfigurationName");
			/* a group that has a template uses it, whatever else it still names */
			if (used && !strcmp(used, lc) &&
			    !cJSON_GetObjectItemCaseSensitive(g, "LaunchTemplate") &&
			    !cJSON_GetObjectItemCaseSensitive(g, "MixedInstancesPolicy"))
				*in_use = 1;
		}
		cJSON_Delete(groups);
		groups = NULL;
	} while (!rc && next && !*in_use);
	free(next);
	return rc;
}

static int delete_lc(struct run *r, const cJSON *e, struct aws_error *err)
{
	const char *account = jstr(e, "Account"), *region = jstr(e, "Region");
	const char *lc = jstr(e, "LaunchConfigurationName");
	struct aws_call c;
	struct aws_response resp;
	int in_use, rc;

	if (lcm_journal_find(r->o->journal, "delete-lc", account, region, "lc", lc))
		return 0;
	if ((rc = lc_in_use(r, account, region, lc, &in_use, err)))
		return rc;
	if (in_use) {
		say(r->o->say, r->o->ud, "%s %s: kept launch configuration '%s': a group still uses it",
		    account, region, lc);
		return 0;
	}
	autoscaling_delete_launch_configuration_call(&c, lc);
	aws_response_init(&resp);
	rc = call(r, &aws_svc_autoscaling, &c, account, region, &resp, err);
	aws_call_release(&c);
	aws_response_release(&resp);
	if (rc)
		return rc;
	cJSON *j = entry("delete-lc", account, region);
	cJSON_AddStringToObject(j, "lc", lc);
	r->res->lcs_deleted++;
	say(r->o->say, r->o->ud, "%s %s: deleted launch configuration '%s'", account, region, lc);
	return lcm_journal_append(r->o->journal, j, err);
}

static int same_lc(const cJSON *a, const cJSON *b)
{
	return !strcmp(jstr(a, "Account"), jstr(b, "Account")) &&
	       !strcmp(jstr(a, "Region"), jstr(b, "Region")) &&
	       !strcmp(jstr(a, "LaunchConfigurationName"), jstr(b, "LaunchConfigurationName"));
}

int lcm_apply(struct aws_ctx *ctx, const struct lcm_inventory *inv, const cJSON *plan,
	      const struct lcm_apply_options *o, struct lcm_apply_result *res,
	      struct aws_error *err)
{
	struct run r = { ctx, inv, o, res };
	const cJSON *e, *g;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(plan, "LaunchTemplates")) {
		const char *account = jstr(e, "Account"), *region = jstr(e, "Region");
		const char *lc = jstr(e, "LaunchConfigurationName");
		char *id = NULL, *version = NULL;
		int all_switched = 1, validated = 0;

		if (jstr(e, "Error"))
			continue; /* the plan showed why */
		rc = ensure_template(&r, e, &id, &version, err);
		if (rc) {
			struct strbuf what = STRBUF_INIT;
			strbuf_addf(&what, "%s %s: launch template for '%s'", account, region, lc);
			say_error(&r, what.buf, err);
			strbuf_release(&what);
			if (fatal(rc))
				return rc;
			rc = 0;
			continue;
		}
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(plan, "AutoScalingGroups")) {
			const char *asg = jstr(g, "AutoScalingGroupName");
			if (!same_lc(e, g))
				continue;
			if (strcmp(jstr(g, "Action"), "switch")) {
				all_switched = 0;
				continue;
			}
			if (lcm_journal_find(o->journal, "switch", account, region, "asg", asg)) {
				res->groups_already++;
				continue;
			}
			if (o->validate && !validated) {
				char *subnet = first_subnet(inv, account, region, asg);
				rc = validate(&r, account, region, id, version, subnet, err);
				free(subnet);
				if (rc) {
					struct strbuf what = STRBUF_INIT;
					strbuf_addf(&what, "%s %s: validating launch template %s for '%s' "
							   "(RunInstances DryRun; --no-validate skips it)",
						    account, region, id, asg);
					say_error(&r, what.buf, err);
					strbuf_release(&what);
					if (fatal(rc))
						goto stop;
					rc = 0;
					all_switched = 0;
					break; /* no group switches to a template that does not launch */
				}
				validated = 1;
			}
			rc = switch_group(&r, g, id, version, err);
			if (!rc && o->refresh)
				rc = refresh_group(&r, account, region, asg, err);
			if (rc) {
				struct strbuf what = STRBUF_INIT;
				strbuf_addf(&what, "%s %s: group '%s'", account, region, asg);
				say_error(&r, what.buf, err);
				strbuf_release(&what);
				all_switched = 0;
				if (fatal(rc))
					goto stop;
				rc = 0;
			}
		}
		if (o->delete_unused && !all_switched)
			say(o->say, o->ud, "%s %s: kept launch configuration '%s': not all its groups "
				"were switched", account, region, lc);
		if (o->delete_unused && all_switched) {
			rc = delete_lc(&r, e, err);
			if (rc) {
				struct strbuf what = STRBUF_INIT;
				strbuf_addf(&what, "%s %s: deleting launch configuration '%s'", account, region, lc);
				say_error(&r, what.buf, err);
				strbuf_release(&what);
				if (fatal(rc))
					goto stop;
				rc = 0;
			}
		}
stop:
		free(id);
		free(version);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- undo ---- */

static int lc_exists(struct aws_ctx *ctx, const struct aws_credentials *creds, const char *region,
		     const char *lc, int *exists, struct aws_error *err)
{
	struct aws_call c;
	struct aws_response resp;
	cJSON *items = NULL;
	const char *names[] = { lc };
	autoscaling_describe_launch_configurations_call(&c, names, 1, NULL);
	c.region = region;
	c.credentials = creds;
	aws_response_init(&resp);
	int rc = aws_call(ctx, &aws_svc_autoscaling, &c, &resp, err);
	if (!rc)
		rc = autoscaling_describe_launch_configurations_page(&resp, &items, NULL, err);
	*exists = cJSON_GetArraySize(items) > 0;
	cJSON_Delete(items);
	aws_call_release(&c);
	aws_response_release(&resp);
	return rc;
}

static int undone(const struct lcm_journal *j, const char *op, const cJSON *e, const char *key)
{
	return lcm_journal_find(j, op, jstr(e, "account"), jstr(e, "region"), key, jstr(e, key)) != NULL;
}

/* Is the group's latest switch or unswitch in the journal an unswitch? */
static int switched_back(const struct lcm_journal *j, const char *account, const char *region,
			 const char *asg)
{
	const cJSON *e;
	int back = 0;
	cJSON_ArrayForEach(e, j->entries) {
		const char *op = jstr(e, "op");
		if (!op || !jstr(e, "asg") || strcmp(jstr(e, "asg"), asg) ||
		    strcmp(jstr(e, "account"), account) || strcmp(jstr(e, "region"), region))
			continue;
		if (!strcmp(op, "switch"))
			back = 0;
		else if (!strcmp(op, "unswitch"))
			back = 1;
	}
	return back;
}

int lcm_undo(struct aws_ctx *ctx, const struct lcm_inventory *accounts, struct lcm_journal *j,
	     int delete_templates, int dry_run,
	     void (*sayfn)(const char *line, void *ud), void *ud, int *failures,
	     struct aws_error *err)
{
	int n = cJSON_GetArraySize(j->entries), rc = 0;
	cJSON *todo = cJSON_Duplicate(j->entries, 1); /* undo appends to entries */

	*failures = 0;
	/* newest first: the groups go back before their templates go */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (int i = n - 1; i >= 0; i--) {
			const cJSON *e = cJSON_GetArrayItem(todo, i);
			const char *op = jstr(e, "op"), *account = jstr(e, "account");
			const char *region = jstr(e, "region");
			struct aws_call c;
			struct aws_response resp;
			if (!op || !account || !region)
				continue;
			const struct aws_credentials *creds = lcm_account_credentials(accounts, account);
			if (pass == 0 && !strcmp(op, "switch")) {
				const char *asg = jstr(e, "asg"), *lc = jstr(e, "lc");
				int exists = 0;
				if (switched_back(j, account, region, asg))
					continue;
				if (dry_run) {
					say(sayfn, ud, "%s %s: would switch group '%s' back to '%s'", account,
					    region, asg, lc);
					continue;
				}
				if ((rc = lc_exists(ctx, creds, region, lc, &exists, err)))
					break;
				if (!exists) {
					say(sayfn, ud, "%s %s: cannot switch group '%s' back: launch "
						"configuration '%s' no longer exists", account, region, asg, lc);
					(*failures)++;
					continue;
				}
				cJSON *in = cJSON_CreateObject();
				cJSON_AddStringToObject(in, "AutoScalingGroupName", asg);
				cJSON_AddStringToObject(in, "LaunchConfigurationName", lc);
				aws_response_init(&resp);
				rc = autoscaling_update_auto_scaling_group_call(&c, in, err);
				cJSON_Delete(in);
				c.region = region;
				c.credentials = creds;
				if (!rc)
					rc = aws_call(ctx, &aws_svc_autoscaling, &c, &resp, err);
				aws_call_release(&c);
				aws_response_release(&resp);
				if (rc)
					break;
				cJSON *u = entry("unswitch", account, region);
				cJSON_AddStringToObject(u, "asg", asg);
				cJSON_AddStringToObject(u, "lc", lc);
				if ((rc = lcm_journal_append(j, u, err)))
					break;
				say(sayfn, ud, "%s %s: switched group '%s' back to '%s'", account, region, asg, lc);
			} else if (pass == 1 && delete_templates && !strcmp(op, "template") &&
				   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "created"))) {
				const char *id = jstr(e, "template_id");
				if (undone(j, "delete-template", e, "template_id"))
					continue;
				if (dry_run) {
					say(sayfn, ud, "%s %s: would delete launch template %s", account, region, id);
					continue;
				}
				ec2_delete_launch_template_call(&c, id, NULL);
				c.region = region;
				c.credentials = creds;
				aws_response_init(&resp);
				rc = aws_call(ctx, &aws_svc_ec2, &c, &resp, err);
				aws_call_release(&c);
				aws_response_release(&resp);
				if (rc)
					break;
				cJSON *u = entry("delete-template", account, region);
				cJSON_AddStringToObject(u, "template_id", id);
				if ((rc = lcm_journal_append(j, u, err)))
					break;
				say(sayfn, ud, "%s %s: deleted launch template %s", account, region, id);
			}
		}
	}
	cJSON_Delete(todo);
	return rc;
}

int lcm_undo_enter_accounts(struct aws_ctx *ctx, const struct lcm_journal *j,
			    const char *role_name, const char *external_id,
			    struct lcm_inventory *accounts, struct aws_error *err)
{
	struct sts_identity me;
	const cJSON *e;
	int rc = sts_get_caller_identity(ctx, &me, err);
	if (rc)
		return rc;
	cJSON_ArrayForEach(e, j->entries) {
		const char *account = jstr(e, "account");
		int known = !account || !strcmp(account, me.account);
		for (size_t i = 0; !known && i < accounts->naccounts; i++)
			known = !strcmp(accounts->accounts[i].id, account);
		if (known)
			continue;
		if (!role_name)
			return aws_error_set(err, AWSX_EUSAGE,
					     "the journal changed account %s: pass --org-role NAME to enter it",
					     account);
		accounts->accounts = xrealloc(accounts->accounts,
					      (accounts->naccounts + 1) * sizeof(*accounts->accounts));
		struct lcm_account *a = &accounts->accounts[accounts->naccounts++];
		memset(a, 0, sizeof(*a));
		a->id = xstrdup(account);
		const char *region = aws_ctx_region(ctx);
		char *arn = xstrfmt("arn:%s:iam::%s:role/%s",
				    endpoint_partition(region ? region : "us-east-1"), account, role_name);
		struct sts_assume_role_params p = {
			.role_arn = arn,
			.session_name = "awsx-lc-migrate-undo",
			.external_id = external_id,
		};
		rc = sts_assume_role(ctx, NULL, &p, &a->creds, err);
		free(arn);
		if (rc)
			return rc;
		a->own_creds = 1;
	}
	return 0;
}
