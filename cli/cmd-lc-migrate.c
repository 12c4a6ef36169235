/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-lc-migrate.c: `awsx lc-migrate`, moving Auto Scaling groups from
 * launch configurations to launch templates.  This file holds the
 * subcommand table and the thin command functions; the work is in
 * launchmigrate/.  Subcommands join the table as they are finished.
 */
#include "cli/cli.h"

#include <string.h>

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
	if (args->npositional) {
		cli_error("lc-migrate deny-policy takes no arguments ('%s' given)",
			  args->positional[0]);
		return AWSX_EUSAGE;
	}
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
	{ "lc-migrate deny-policy", cmd_deny_policy, 0,
	  "print a policy that denies creating launch configurations", &deny_policy_spec },
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
