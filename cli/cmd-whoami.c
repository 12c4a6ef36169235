/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-whoami.c: `awsx whoami`: STS GetCallerIdentity with the credentials
 * the chain picks, and which source won, so a user can see at a glance
 * which account and role a command would act as.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cli_option whoami_options[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};

const struct cli_spec cmd_whoami_spec = {
	.usage = "[options]",
	.description =
		"Show who the current credentials belong to.  Calls STS GetCallerIdentity\n"
		"and prints the account, ARN, user id and region, which credential source\n"
		"won (env, profile NAME, assume-role ..., process, sso, web-identity,\n"
		"container, imds) and, for temporary credentials, when they expire.\n"
		"--output json prints an object with the keys Account, Arn, UserId,\n"
		"Region, Source (and Expiration).",
	.options = whoami_options,
	.noptions = ARRAY_SIZE(whoami_options),
};

int cmd_whoami(struct cli_ctx *cli, struct cli_args *args)
{
	struct sts_identity id;
	struct aws_error err;
	const struct aws_credentials *creds;
	struct out_record rec;
	int rc;

	rc = sts_get_caller_identity(cli->aws, &id, &err);
	if (rc)
		return cli_report(&err);
	if ((rc = aws_ctx_credentials(cli->aws, &creds, &err)))
		return cli_report(&err);

	out_record_init(&rec, "Caller identity");
	out_record_add(&rec, "Account", id.account);
	out_record_add(&rec, "Arn", id.arn);
	out_record_add(&rec, "UserId", id.user_id);
	out_record_add(&rec, "Region", aws_ctx_region(cli->aws));
	out_record_add(&rec, "Source", creds->source);
	if (creds->expiration) {
		char when[32];
		format_iso8601(creds->expiration, when, sizeof(when));
		if (cli->output == OUTPUT_JSON) {
			out_record_add(&rec, "Expiration", when);
		} else {
			char text[80];
			long long left = creds->expiration - (long long)time(NULL);
			if (left > 0)
				snprintf(text, sizeof(text), "%s (in %lldh%02lldm)", when,
					 left / 3600, (left % 3600) / 60);
			else
				snprintf(text, sizeof(text), "%s (expired)", when);
			out_record_add(&rec, "Expires", text);
		}
	}
	out_print_record(cli, &rec);
	out_record_release(&rec);
	return 0;
}
