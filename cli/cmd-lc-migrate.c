/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-lc-migrate.c: `awsx lc-migrate`, moving Auto Scaling groups from
 * launch configurations to launch templates.  This file holds the
 * subcommand table and the thin command functions; the work is in
 * launchmigrate/.  Subcommands join the table as they are finished.
 */
#include "cli/cli.h"
#include "aws/fs.h"

#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <strings.h>
#include <unistd.h>

#include "launchmigrate/launchmigrate.h"

/* The options that choose accounts and regions, shared by the subcommands. */
#define SELECTION_OPTIONS                                                                          \
	{ "all-regions", 0, OPT_FLAG, NULL,                                                        \
	  "every region enabled for the account (EC2 DescribeRegions)" },                          \
	{ "regions", 0, OPT_LIST, "R1,R2", "these regions (repeatable, comma-separated)" },       \
	{ "org", 0, OPT_FLAG, NULL, "every ACTIVE account of the AWS Organization" },             \
	{ "org-role", 0, OPT_STRING, "NAME", "role to assume in each account (with --org)" },     \
	{ "external-id", 0, OPT_STRING, "ID", "external id for that role" }

/* ---- inventory ---- */

static const struct cli_option inventory_options[] = {
	SELECTION_OPTIONS,
	{ "in-use", 0, OPT_FLAG, NULL, "only launch configurations some Auto Scaling group uses" },
	{ "format", 0, OPT_STRING, "FORMAT", "table, csv or json (default: table, or json with --output json)" },
	{ "aws-script-compatible", 0, OPT_FLAG, NULL,
	  "write the file exactly as AWS's Launch Configuration Inventory Script does" },
	{ "output-file", 'o', OPT_STRING, "FILE", "write to FILE (atomically) instead of stdout" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

static const struct cli_spec inventory_spec = {
	.usage = "[--all-regions | --regions R1,R2] [--org --org-role NAME] [options]",
	.description =
		"List every launch configuration with the Auto Scaling groups that use it\n"
		"and what matters for migrating it (spot price, public-IP setting,\n"
		"ClassicLink, security groups given by name, a name that must change,\n"
		"groups managed by CloudFormation or Elastic Beanstalk).  Accounts and\n"
		"regions are read concurrently; one that fails is reported and the rest\n"
		"is still written, with exit status 1.  Without --regions or\n"
		"--all-regions, the configured region is read.",
	.options = inventory_options,
	.noptions = ARRAY_SIZE(inventory_options),
};

struct progress_state {
	int shown;
};

static void show_progress(size_t done, size_t total, void *ud)
{
	struct progress_state *p = ud;
	fprintf(stderr, "\rinventory: %zu of %zu regions read", done, total);
	fflush(stderr);
	p->shown = 1;
}

static int parse_regions(const struct cli_args *args, struct kvlist *out)
{
	for (size_t i = 0; i < args->nopts; i++) {
		if (strcmp(args->opts[i].name, "regions"))
			continue;
		for (size_t j = 0; j < args->list[i].nr; j++) {
			char *copy = xstrdup(args->list[i].items[j].value), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				while (*t == ' ')
					t++;
				if (*t && !kvlist_get(out, t))
					kvlist_add(out, t, "");
			}
			free(copy);
		}
	}
	return 0;
}

/* --regions, --all-regions, --org ... into sel; AWSX_EUSAGE after a message. */
static int parse_selection(const struct cli_args *args, struct lcm_selection *sel)
{
	parse_regions(args, &sel->regions);
	sel->all_regions = cli_flag(args, "all-regions");
	sel->org = cli_flag(args, "org");
	sel->org_role = cli_arg(args, "org-role");
	sel->external_id = cli_arg(args, "external-id");
	if (sel->all_regions && sel->regions.nr) {
		cli_error("--all-regions and --regions cannot be used together");
		return AWSX_EUSAGE;
	}
	if (sel->org && !sel->org_role) {
		cli_error("--org needs --org-role NAME (the role to assume in each account)");
		return AWSX_EUSAGE;
	}
	if (!sel->org && (sel->org_role || sel->external_id)) {
		cli_error("--org-role and --external-id go with --org");
		return AWSX_EUSAGE;
	}
	return 0;
}

/* Inventory the selection, with progress on a terminal; 0 or an exit code. */
static int collect(struct cli_ctx *cli, const struct lcm_selection *sel, struct lcm_inventory *inv)
{
	struct aws_error err;
	struct progress_state prog = { 0 };
	int rc;

	aws_error_clear(&err);
	rc = lcm_inventory_collect(cli->aws, sel, inv,
				   cli->color_err || (cli->interactive && !cli->g.debug) ? show_progress : NULL,
				   &prog, &err);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	return rc ? cli_report(&err) : 0;
}

/* Report scopes that could not be read; the number of them. */
static size_t report_failed_scopes(const struct lcm_inventory *inv)
{
	size_t failed = 0;
	for (size_t i = 0; i < inv->nscopes; i++) {
		const struct lcm_scope *s = &inv->scopes[i];
		if (s->error) {
			failed++;
			cli_error("could not read account %s, region %s: %s", s->account, s->region,
				  s->error);
		}
	}
	return failed;
}

static int cmd_inventory(struct cli_ctx *cli, struct cli_args *args)
{
	struct lcm_selection sel;
	struct lcm_inventory inv;
	struct aws_error err;
	struct strbuf out = STRBUF_INIT;
	enum lcm_format format = cli->output == OUTPUT_JSON ? LCM_FORMAT_JSON : LCM_FORMAT_TABLE;
	const char *fmt = cli_arg(args, "format"), *file = cli_arg(args, "output-file");
	int rc = 0;

	memset(&sel, 0, sizeof(sel));
	lcm_inventory_init(&inv);
	aws_error_clear(&err);
	if (fmt) {
		if (!strcasecmp(fmt, "table"))
			format = LCM_FORMAT_TABLE;
		else if (!strcasecmp(fmt, "csv"))
			format = LCM_FORMAT_CSV;
		else if (!strcasecmp(fmt, "json"))
			format = LCM_FORMAT_JSON;
		else {
			cli_error("invalid --format '%s': expected table, csv or json", fmt);
			rc = AWSX_EUSAGE;
			goto out;
		}
	}
	if (cli_flag(args, "aws-script-compatible")) {
		if (fmt) {
			cli_error("--aws-script-compatible and --format cannot be used together");
			rc = AWSX_EUSAGE;
			goto out;
		}
		format = LCM_FORMAT_AWS_SCRIPT;
	}
	if ((rc = parse_selection(args, &sel)))
		goto out;
	/* AWS's script lists names only: do not fetch what it does not show */
	sel.skip_groups = format == LCM_FORMAT_AWS_SCRIPT && !cli_flag(args, "in-use");

	if ((rc = collect(cli, &sel, &inv)))
		goto out;
	if (cli_flag(args, "in-use"))
		lcm_inventory_only_in_use(&inv);
	lcm_inventory_write(&inv, format, format == LCM_FORMAT_TABLE && !file && cli->color, &out);
	if (file) {
		if (fs_write_atomic(file, out.buf, out.len, 0644, 1, &err)) {
			rc = cli_report(&err);
			goto out;
		}
	} else {
		fwrite(out.buf, 1, out.len, stdout);
	}

	size_t failed = report_failed_scopes(&inv), in_use = 0;
	size_t nregions = 0, naccounts = 0;
	/* count distinct names; scopes are sorted by account then region */
	for (size_t i = 0; i < inv.nscopes; i++)
		if (!i || strcmp(inv.scopes[i - 1].account, inv.scopes[i].account))
			naccounts++;
	for (size_t i = 0; i < inv.nscopes; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(inv.scopes[j].region, inv.scopes[i].region);
		nregions += !seen;
	}
	for (size_t i = 0; i < inv.nrows; i++)
		in_use += inv.rows[i].nasgs > 0;
	fprintf(stderr, "%zu launch configurations (%zu in use) in %zu account%s and %zu region%s%s",
		inv.nrows, in_use, naccounts, naccounts == 1 ? "" : "s", nregions,
		nregions == 1 ? "" : "s", failed ? "" : "\n");
	if (failed) {
		fprintf(stderr, "; %zu account or region scope%s could not be read\n", failed,
			failed == 1 ? "" : "s");
		rc = AWSX_EFAIL;
	}
out:
	kvlist_release(&sel.regions);
	lcm_inventory_release(&inv);
	strbuf_release(&out);
	return rc;
}

/* ---- plan ---- */

static const struct cli_option plan_options[] = {
	SELECTION_OPTIONS,
	{ "name", 0, OPT_LIST, "LC", "only this launch configuration (repeatable)" },
	{ "asg", 0, OPT_LIST, "NAME", "only this Auto Scaling group and its launch configuration (repeatable)" },
	{ "spot-price", 0, OPT_STRING, "MODE",
	  "drop (default: spot without a maximum price, as AWS recommends), keep, or mixed" },
	{ "include-managed", 0, OPT_FLAG, NULL, "also switch groups CloudFormation or Beanstalk manage" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

static const struct cli_spec plan_spec = {
	.usage = "[--all-regions | --regions R1,R2] [--org --org-role NAME] [--name LC]... [--asg NAME]... [options]",
	.description =
		"Show, without changing anything, what apply would do: for each launch\n"
		"configuration the launch template name and the full LaunchTemplateData,\n"
		"for each Auto Scaling group the switch (or why it is skipped), and every\n"
		"warning.  --output json prints the plan as one JSON object.",
	.options = plan_options,
	.noptions = ARRAY_SIZE(plan_options),
};

static void list_values(const struct cli_args *args, const char *name, struct kvlist *out)
{
	for (size_t i = 0; i < args->nopts; i++)
		if (!strcmp(args->opts[i].name, name))
			for (size_t j = 0; j < args->list[i].nr; j++)
				if (!kvlist_get(out, args->list[i].items[j].value))
					kvlist_add(out, args->list[i].items[j].value, "");
}

static int parse_spot(const char *spot, enum lcm_spot_mode *mode);

/* What plan and apply share: the selection, its inventory and the plan. */
struct planning {
	struct lcm_selection sel;
	struct lcm_plan_options po;
	struct lcm_inventory inv;
	cJSON *plan;
};

/* Parse the plan options, inventory the selection, build the plan; 0 or an exit code. */
static int planning_run(struct cli_ctx *cli, const struct cli_args *args, struct planning *p)
{
	struct aws_error err;
	int rc;

	memset(p, 0, sizeof(*p));
	lcm_inventory_init(&p->inv);
	aws_error_clear(&err);
	if ((rc = parse_spot(cli_arg(args, "spot-price"), &p->po.spot)))
		return rc;
	list_values(args, "name", &p->po.names);
	list_values(args, "asg", &p->po.asgs);
	p->po.include_managed = cli_flag(args, "include-managed");
	if ((rc = parse_selection(args, &p->sel)) || (rc = collect(cli, &p->sel, &p->inv)))
		return rc;
	if (lcm_plan_build(cli->aws, &p->inv, &p->po, &p->plan, &err))
		return cli_report(&err);
	return 0;
}

static void planning_release(struct planning *p)
{
	if (p->plan)
		cJSON_Delete(p->plan);
	kvlist_release(&p->sel.regions);
	kvlist_release(&p->po.names);
	kvlist_release(&p->po.asgs);
	lcm_inventory_release(&p->inv);
}

static int cmd_plan(struct cli_ctx *cli, struct cli_args *args)
{
	struct planning p;
	struct strbuf out = STRBUF_INIT;
	int rc = planning_run(cli, args, &p);

	if (rc)
		goto out;
	if (cli->output == OUTPUT_JSON) {
		char *s = cJSON_Print(p.plan);
		strbuf_adds(&out, s);
		strbuf_addch(&out, '\n');
		cJSON_free(s);
	} else {
		lcm_plan_write_text(p.plan, cli->color, &out);
	}
	fwrite(out.buf, 1, out.len, stdout);
	if (report_failed_scopes(&p.inv))
		rc = AWSX_EFAIL;
out:
	planning_release(&p);
	strbuf_release(&out);
	return rc;
}

/* ---- apply and undo ---- */

static const struct cli_option apply_options[] = {
	SELECTION_OPTIONS,
	{ "name", 0, OPT_LIST, "LC", "only this launch configuration (repeatable)" },
	{ "asg", 0, OPT_LIST, "NAME", "only this Auto Scaling group and its launch configuration (repeatable)" },
	{ "spot-price", 0, OPT_STRING, "MODE", "drop (default), keep, or mixed (see plan)" },
	{ "include-managed", 0, OPT_FLAG, NULL, "also switch groups CloudFormation or Beanstalk manage" },
	{ "yes", 'y', OPT_FLAG, NULL, "apply without asking" },
	{ "journal", 0, OPT_STRING, "FILE",
	  "record every change here (default ~/.awsx/lc-migrate/<time>.jsonl); an existing journal resumes" },
	{ "no-validate", 0, OPT_FLAG, NULL, "skip the RunInstances DryRun check of each template" },
	{ "version", 0, OPT_STRING, "WHICH", "pinned (default: the version created), latest or default" },
	{ "refresh", 0, OPT_FLAG, NULL, "start an instance refresh of each switched group and follow it" },
	{ "delete-unused", 0, OPT_FLAG, NULL, "delete launch configurations no group uses any more" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

static const struct cli_spec apply_spec = {
	.usage = "[selection as for plan] [--yes] [--journal FILE] [options]",
	.description =
		"Create the launch templates of the plan (tagged awsx:source-launch-configuration,\n"
		"the LC's ARN in VersionDescription), check each with an EC2 RunInstances\n"
		"DryRun in one of its group's subnets, and switch the groups to them, pinned\n"
		"to the new version unless --version says otherwise.  Every change is\n"
		"written to the journal first: running apply again with the same --journal\n"
		"resumes without doing anything twice, and 'lc-migrate undo' reverses it.\n"
		"Without --yes it shows the plan and asks on a terminal; elsewhere it\n"
		"changes nothing.",
	.options = apply_options,
	.noptions = ARRAY_SIZE(apply_options),
};

static void say_line(const char *line, void *ud)
{
	(void)ud;
	printf("%s\n", line);
	fflush(stdout);
}

/* Ask on the terminal; 1 for yes. */
static int confirm(const char *question)
{
	char answer[16] = "";
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return 0;
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	int ok = fgets(answer, sizeof(answer), tty) && (answer[0] == 'y' || answer[0] == 'Y');
	fclose(tty);
	return ok;
}

static int parse_spot(const char *spot, enum lcm_spot_mode *mode)
{
	if (!spot || !strcmp(spot, "drop"))
		*mode = LCM_SPOT_DROP;
	else if (!strcmp(spot, "keep"))
		*mode = LCM_SPOT_KEEP;
	else if (!strcmp(spot, "mixed"))
		*mode = LCM_SPOT_MIXED;
	else {
		cli_error("invalid --spot-price '%s': expected drop, keep or mixed", spot);
		return AWSX_EUSAGE;
	}
	return 0;
}

static int cmd_apply(struct cli_ctx *cli, struct cli_args *args)
{
	struct planning p;
	struct lcm_apply_options ao;
	struct lcm_apply_result res;
	struct lcm_journal journal = { -1, NULL, NULL };
	struct aws_error err;
	struct strbuf out = STRBUF_INIT;
	const char *version = cli_arg(args, "version");
	int rc = 0;

	memset(&p, 0, sizeof(p));
	memset(&ao, 0, sizeof(ao));
	aws_error_clear(&err);
	if (!version || !strcmp(version, "pinned")) {
		ao.version = LCM_VERSION_PINNED;
	} else if (!strcmp(version, "latest")) {
		ao.version = LCM_VERSION_LATEST;
	} else if (!strcmp(version, "default")) {
		ao.version = LCM_VERSION_DEFAULT;
	} else {
		cli_error("invalid --version '%s': expected pinned, latest or default", version);
		rc = AWSX_EUSAGE;
		goto out;
	}
	if ((rc = planning_run(cli, args, &p)))
		goto out;
	if (report_failed_scopes(&p.inv)) {
		cli_error("not applying: some accounts or regions could not be read (see above)");
		rc = AWSX_EFAIL;
		goto out;
	}
	if (!cli_flag(args, "yes")) {
		lcm_plan_write_text(p.plan, cli->color, &out);
		fwrite(out.buf, 1, out.len, stdout);
		fflush(stdout);
		if (!cli->interactive) {
			fprintf(stderr, "awsx: nothing changed: run again with --yes to apply this plan\n");
			goto out;
		}
		if (!confirm("Apply this plan?")) {
			fprintf(stderr, "awsx: nothing changed\n");
			goto out;
		}
	}
	if (lcm_journal_open(&journal, cli_arg(args, "journal"), &err)) {
		rc = cli_report(&err);
		goto out;
	}
	printf("journal: %s\n", journal.path);
	ao.validate = !cli_flag(args, "no-validate");
	ao.refresh = cli_flag(args, "refresh");
	ao.delete_unused = cli_flag(args, "delete-unused");
	ao.journal = &journal;
	ao.say = say_line;
	rc = lcm_apply(cli->aws, &p.inv, p.plan, &ao, &res, &err);
	printf("applied: %d templates created, %d new versions, %d reused; %d groups switched"
	       " (%d already); %d launch configurations deleted; %d failures\n",
	       res.templates_created, res.versions_created, res.templates_reused,
	       res.groups_switched, res.groups_already, res.lcs_deleted, res.failures);
	if (rc) {
		rc = cli_report(&err);
		cli_error("stopped; resume with: awsx lc-migrate apply --journal %s (and the same "
			  "selection), or reverse with: awsx lc-migrate undo --journal %s",
			  journal.path, journal.path);
	} else if (res.failures) {
		rc = AWSX_EFAIL;
	}
out:
	lcm_journal_close(&journal);
	planning_release(&p);
	strbuf_release(&out);
	return rc;
}

static const struct cli_option undo_options[] = {
	{ "journal", 0, OPT_STRING, "FILE", "the journal of the apply to reverse (required)" },
	{ "org-role", 0, OPT_STRING, "NAME", "role to assume in the other accounts the journal changed" },
	{ "external-id", 0, OPT_STRING, "ID", "external id for that role" },
	{ "yes", 'y', OPT_FLAG, NULL, "undo without asking" },
	{ "delete-templates", 0, OPT_FLAG, NULL, "also delete the launch templates that apply created" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

static const struct cli_spec undo_spec = {
	.usage = "--journal FILE [--yes] [--delete-templates] [--org-role NAME]",
	.description =
		"Reverse what an apply recorded in its journal: switch every group back to\n"
		"its launch configuration (where that still exists), newest first, and with\n"
		"--delete-templates delete the templates the run created.  Each step is\n"
		"journalled too, so undo can be run again.  Without --yes it shows what it\n"
		"would do and asks on a terminal; elsewhere it changes nothing.",
	.options = undo_options,
	.noptions = ARRAY_SIZE(undo_options),
};

static int cmd_undo(struct cli_ctx *cli, struct cli_args *args)
{
	struct lcm_journal journal = { -1, NULL, NULL };
	struct lcm_inventory accounts;
	struct aws_error err;
	const char *path = cli_arg(args, "journal");
	int failures = 0, rc = 0, del = cli_flag(args, "delete-templates");

	lcm_inventory_init(&accounts);

	aws_error_clear(&err);
	if (!path) {
		cli_error("lc-migrate undo needs --journal FILE (the journal apply printed)");
		return AWSX_EUSAGE;
	}
	if (access(path, R_OK)) {
		cli_error("cannot read journal '%s': %s", path, strerror(errno));
		return AWSX_EFAIL;
	}
	if (lcm_journal_open(&journal, path, &err))
		return cli_report(&err);
	rc = lcm_undo_enter_accounts(cli->aws, &journal, cli_arg(args, "org-role"),
				     cli_arg(args, "external-id"), &accounts, &err);
	if (rc)
		goto out;
	if (!cli_flag(args, "yes")) {
		rc = lcm_undo(cli->aws, &accounts, &journal, del, 1, say_line, NULL, &failures, &err);
		if (rc || !cli->interactive || !confirm("Undo these changes?")) {
			if (!rc)
				fprintf(stderr, "awsx: nothing changed%s\n",
					cli->interactive ? "" : ": run again with --yes to undo");
			goto out;
		}
	}
	rc = lcm_undo(cli->aws, &accounts, &journal, del, 0, say_line, NULL, &failures, &err);
out:
	if (rc)
		rc = cli_report(&err);
	else if (failures)
		rc = AWSX_EFAIL;
	lcm_journal_close(&journal);
	lcm_inventory_release(&accounts);
	return rc;
}

static const struct cli_option deny_policy_options[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

static const struct cli_spec deny_policy_spec = {
	.usage = "[options]",
	.description =
		"Print an IAM policy (usable as a service control policy too) that denies\n"
		"autoscaling:CreateLaunchConfiguration, so that no new launch configurations\n"
		"appear once the migration is done.  Attach it with, for example:\n"
		"  aws organizations create-policy --type SERVICE_CONTROL_POLICY \\\n"
		"      --name deny-launch-configurations --content file://policy.json ...",
	.options = deny_policy_options,
	.noptions = ARRAY_SIZE(deny_policy_options),
};

static int cmd_deny_policy(struct cli_ctx *cli, struct cli_args *args)
{
	fputs("{\n"
	      "    \"Version\": \"2012-10-17\",\n"
	      "    \"Statement\": [\n"
	      "        {\n"
	      "            \"Sid\": \"DenyLaunchConfigurationCreation\",\n"
	      "            \"Effect\": \"Deny\",\n"
	      "            \"Action\": \"autoscaling:CreateLaunchConfiguration\",\n"
	      "            \"Resource\": \"*\"\n"
	      "        }\n"
	      "    ]\n"
	      "}\n",
	      stdout);
	return 0;
}

/* The subcommands, alphabetical. */
static const struct cli_command lc_migrate_commands[] = {
	{ "lc-migrate apply", cmd_apply, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "create the launch templates and switch the groups, with a journal", &apply_spec },
	{ "lc-migrate deny-policy", cmd_deny_policy, 0,
	  "print a policy that denies creating launch configurations", &deny_policy_spec },
	{ "lc-migrate export", cmd_lc_export, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "print a launch configuration's launch template as CloudFormation or Terraform",
	  &cmd_lc_export_spec },
	{ "lc-migrate inventory", cmd_inventory, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "list launch configurations across regions and accounts", &inventory_spec },
	{ "lc-migrate plan", cmd_plan, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "show the launch templates and group switches apply would make", &plan_spec },
	{ "lc-migrate undo", cmd_undo, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "switch the groups back and optionally delete the templates", &undo_spec },
};

const struct cli_spec cmd_lc_migrate_spec = {
	.usage = "COMMAND [options]",
	.description =
		"Move EC2 Auto Scaling groups from launch configurations to launch templates\n"
		"across regions and accounts: inventory, plan, apply with a journal, undo.\n"
		"See docs/lc-migrate.md.",
	.subcommands = lc_migrate_commands,
	.nsubcommands = ARRAY_SIZE(lc_migrate_commands),
};
