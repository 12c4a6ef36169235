/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-lc-export.c: `awsx lc-migrate export`, for Auto Scaling groups that
 * CloudFormation or Terraform manage, where apply must not switch the group
 * behind the tool's back.  It plans one launch configuration of the
 * configured region exactly as `lc-migrate plan` does (launchmigrate/) and
 * prints the launch template as an AWS::EC2::LaunchTemplate resource or an
 * aws_launch_template resource (templates/), with the change to make in the
 * group's own resource.  Read-only: only Describe calls.
 */
#include "cli/cli.h"
#include "aws/fs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "launchmigrate/launchmigrate.h"
#include "templates/templates.h"

enum export_format { EXPORT_CLOUDFORMATION, EXPORT_TERRAFORM };

static const struct cli_option export_options[] = {
	{ "format", 0, OPT_STRING, "FORMAT", "cloudformation or terraform (required)" },
	{ "name", 0, OPT_STRING, "LC", "the launch configuration to export (required)" },
	{ "spot-price", 0, OPT_STRING, "MODE",
	  "drop (default: spot without a maximum price, as AWS recommends), keep, or mixed" },
	{ "output-file", 'o', OPT_STRING, "FILE", "write to FILE (atomically) instead of stdout" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

const struct cli_spec cmd_lc_export_spec = {
	.usage = "--format cloudformation|terraform --name LC [--region R] [--spot-price MODE] [-o FILE]",
	.description =
		"Print the launch template that plan gives the launch configuration LC of\n"
		"the region (the global --region, or the configured one) as infrastructure\n"
		"as code: a CloudFormation AWS::EC2::LaunchTemplate resource (YAML) or a\n"
		"Terraform aws_launch_template resource (HCL), tagged\n"
		"awsx:source-launch-configuration, followed by a comment showing the change\n"
		"to make in the Auto Scaling group's resource: for groups that a stack or\n"
		"Terraform manages, which must not be switched behind its back.  Read-only.\n"
		"Warnings go to stderr; exit 1 when the launch configuration does not exist\n"
		"or cannot be converted.",
	.options = export_options,
	.noptions = ARRAY_SIZE(export_options),
};

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_upper(c) || is_lower(c) || is_digit(c);
}

/*
 * A CloudFormation logical id for the template name: its ASCII letters and
 * digits, each word capitalised, then "LaunchTemplate" ("web-lc" ->
 * "WebLcLaunchTemplate"); "Lt" in front when it would start with a digit.
 * Template names are at most 128 characters, so it stays under 255.
 */
static void cfn_logical_id(const char *lt_name, struct strbuf *out)
{
	int word_start = 1;

	strbuf_reset(out);
	for (const char *p = lt_name; *p; p++) {
		int c = (unsigned char)*p;
		if (!is_alnum(c)) {
			word_start = 1;
			continue;
		}
		if (!out->len && is_digit(c))
			strbuf_adds(out, "Lt");
		strbuf_addch(out, word_start && is_lower(c) ? c - 'a' + 'A' : c);
		word_start = 0;
	}
	strbuf_adds(out, "LaunchTemplate");
}

/*
 * A Terraform resource name for the template name, lower_snake_case: ASCII
 * letters and digits, '_' for every run of anything else and between a
 * lower-case letter or digit and a capital ("MyWeb-LC" -> "my_web_lc");
 * "lt_" in front when it would start with a digit, "launch_template" when
 * nothing is left.
 */
static void tf_resource_name(const char *lt_name, struct strbuf *out)
{
	int prev = 0;

	strbuf_reset(out);
	for (const char *p = lt_name; *p; p++) {
		int c = (unsigned char)*p;
		if (!is_alnum(c)) {
			if (out->len && out->buf[out->len - 1] != '_')
				strbuf_addch(out, '_');
		} else {
			if (is_upper(c) && (is_lower(prev) || is_digit(prev)) && out->len &&
			    out->buf[out->len - 1] != '_')
				strbuf_addch(out, '_');
			if (!out->len && is_digit(c))
				strbuf_adds(out, "lt_");
			strbuf_addch(out, is_upper(c) ? c - 'A' + 'a' : c);
		}
		prev = c;
	}
	while (out->len && out->buf[out->len - 1] == '_')
		strbuf_setlen(out, out->len - 1);
	if (!out->len)
		strbuf_adds(out, "launch_template");
}

/*
 * The emitters' closing comment shows a plain LaunchTemplate; with
 * --spot-price mixed the template is on-demand and the group needs an
 * all-spot MixedInstancesPolicy instead, so say so right below it.
 */
static void add_mixed_comment(enum export_format format, const char *id, struct strbuf *out)
{
	strbuf_adds(out, "#\n"
			 "# With --spot-price mixed this launch template is on-demand: to keep every\n");
	if (format == EXPORT_CLOUDFORMATION)
		strbuf_addf(out,
			    "# instance on spot, give the group this MixedInstancesPolicy instead of\n"
			    "# LaunchTemplate:\n"
			    "#   MixedInstancesPolicy:\n"
			    "#     InstancesDistribution:\n"
			    "#       OnDemandBaseCapacity: 0\n"
			    "#       OnDemandPercentageAboveBaseCapacity: 0\n"
			    "#     LaunchTemplate:\n"
			    "#       LaunchTemplateSpecification:\n"
			    "#         LaunchTemplateId: !Ref %s\n"
			    "#         Version: !GetAtt %s.LatestVersionNumber\n",
			    id, id);
	else
		strbuf_addf(out,
			    "# instance on spot, give the group this mixed_instances_policy instead of\n"
			    "# launch_template:\n"
			    "#   mixed_instances_policy {\n"
			    "#     instances_distribution {\n"
			    "#       on_demand_base_capacity                  = 0\n"
			    "#       on_demand_percentage_above_base_capacity = 0\n"
			    "#     }\n"
			    "#     launch_template {\n"
			    "#       launch_template_specification {\n"
			    "#         launch_template_id = aws_launch_template.%s.id\n"
			    "#         version            = aws_launch_template.%s.latest_version\n"
			    "#       }\n"
			    "#     }\n"
			    "#   }\n",
			    id, id);
}

/* The inventoried launch configuration named name, or NULL. */
static const cJSON *find_lc(const struct lcm_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->nrows; i++) {
		const char *n = jstr(inv->rows[i].lc, "LaunchConfigurationName");
		if (n && !strcmp(n, name))
			return inv->rows[i].lc;
	}
	return NULL;
}

int cmd_lc_export(struct cli_ctx *cli, struct cli_args *args)
{
	struct lcm_selection sel;
	struct lcm_plan_options po;
	struct lcm_inventory inv;
	struct aws_error err;
	struct kvlist tags = KVLIST_INIT;
	struct strbuf id = STRBUF_INIT, out = STRBUF_INIT;
	const char *fmt = cli_arg(args, "format"), *name = cli_arg(args, "name");
	const char *spot = cli_arg(args, "spot-price"), *file = cli_arg(args, "output-file");
	const char *region;
	enum export_format format;
	cJSON *plan = NULL;
	const cJSON *entry, *w;
	int rc = 0;

	memset(&sel, 0, sizeof(sel));
	memset(&po, 0, sizeof(po));
	lcm_inventory_init(&inv);
	aws_error_clear(&err);

	if (!fmt) {
		cli_error("missing --format: expected cloudformation or terraform");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!strcasecmp(fmt, "cloudformation")) {
		format = EXPORT_CLOUDFORMATION;
	} else if (!strcasecmp(fmt, "terraform")) {
		format = EXPORT_TERRAFORM;
	} else {
		cli_error("invalid --format '%s': expected cloudformation or terraform", fmt);
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!name || !*name) {
		cli_error("missing --name: the launch configuration to export");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (cli_flag(args, "name") > 1) {
		cli_error("--name can be given once: export writes one launch template");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!spot || !strcmp(spot, "drop")) {
		po.spot = LCM_SPOT_DROP;
	} else if (!strcmp(spot, "keep")) {
		po.spot = LCM_SPOT_KEEP;
	} else if (!strcmp(spot, "mixed")) {
		po.spot = LCM_SPOT_MIXED;
	} else {
		cli_error("invalid --spot-price '%s': expected drop, keep or mixed", spot);
		rc = AWSX_EUSAGE;
		goto out;
	}

	/* no --regions: the inventory reads the context's region, in the caller's account */
	if (aws_ctx_require_region(cli->aws, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	region = aws_ctx_region(cli->aws);
	if (lcm_inventory_collect(cli->aws, &sel, &inv, NULL, NULL, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	for (size_t i = 0; i < inv.nscopes; i++) {
		if (inv.scopes[i].error) {
			cli_error("cannot read launch configurations in %s: %s", region,
				  inv.scopes[i].error);
			rc = AWSX_EFAIL;
			goto out;
		}
	}
	kvlist_add(&po.names, name, "");
	if (lcm_plan_build(cli->aws, &inv, &po, &plan, &err)) {
		rc = cli_report(&err);
		goto out;
	}
	entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(plan, "LaunchTemplates"), 0);
	if (!entry) {
		cli_error("launch configuration '%s' not found in %s", name, region);
		rc = AWSX_EFAIL;
		goto out;
	}
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(entry, "Warnings"))
		if (cJSON_IsString(w))
			cli_error("warning: %s", w->valuestring);
	if (jstr(entry, "Error")) {
		cli_error("cannot export launch configuration '%s': %s", name, jstr(entry, "Error"));
		rc = AWSX_EFAIL;
		goto out;
	}

	const char *lt_name = jstr(entry, "LaunchTemplateName");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(entry, "LaunchTemplateData");
	if (jstr(entry, "ExistingLaunchTemplateId"))
		cli_error("warning: launch template '%s' (%s) already exists, made from this launch "
			  "configuration by an earlier run: import it rather than create it again",
			  lt_name, jstr(entry, "ExistingLaunchTemplateId"));
	kvlist_add(&tags, LCM_SOURCE_TAG, name);
	if (format == EXPORT_CLOUDFORMATION) {
		cfn_logical_id(lt_name, &id);
		rc = tmpl_emit_cfn_launch_template(id.buf, lt_name, data, &tags, &out, &err);
	} else {
		tf_resource_name(lt_name, &id);
		rc = tmpl_emit_tf_launch_template(id.buf, lt_name, data, &tags, &out, &err);
	}
	if (rc) {
		rc = cli_report(&err);
		goto out;
	}
	if (po.spot == LCM_SPOT_MIXED) {
		const char *price = jstr(find_lc(&inv, name), "SpotPrice");
		if (price && *price)
			add_mixed_comment(format, id.buf, &out);
	}

	if (file) {
		if (fs_write_atomic(file, out.buf, out.len, 0644, 1, &err))
			rc = cli_report(&err);
	} else {
		fwrite(out.buf, 1, out.len, stdout);
	}
out:
	cJSON_Delete(plan);
	kvlist_release(&po.names);
	kvlist_release(&tags);
	lcm_inventory_release(&inv);
	strbuf_release(&id);
	strbuf_release(&out);
	return rc;
}
