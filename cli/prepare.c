/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prepare.c: what a command's 'needs' flags ask for, done once before it
 * runs: terminal and colour detection, the aws context (configuration,
 * profile, region, HTTP client), the output format, and credentials.
 * Commands with subcommands call it again with the subcommand's needs.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int pick_output(struct cli_ctx *cli)
{
	const char *o = cli->g.output;
	if (!o)
		o = getenv("AWS_DEFAULT_OUTPUT");
	if ((!o || !*o) && cli->aws)
		o = aws_ctx_setting(cli->aws, "output");
	if (!o || !*o || !strcasecmp(o, "text")) {
		cli->output = OUTPUT_TEXT;
	} else if (!strcasecmp(o, "json")) {
		cli->output = OUTPUT_JSON;
	} else if (!strcasecmp(o, "table")) {
		cli->output = OUTPUT_TABLE;
	} else if (cli->g.output) {
		cli_error("invalid --output '%s': expected text, json or table", o);
		return AWSX_EUSAGE;
	} else {
		cli->output = OUTPUT_TEXT; /* yaml etc. from a shared profile: fall back */
	}
	return 0;
}

int cli_prepare(struct cli_ctx *cli, unsigned needs)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	int colour_ok = !cli->g.no_color && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
	int rc;

	cli->color = colour_ok && isatty(STDOUT_FILENO);
	cli->color_err = colour_ok && isatty(STDERR_FILENO);
	cli->interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);

	if ((needs & NEEDS_AWS) && !cli->aws) {
		struct aws_error err;
		struct aws_ctx_options o = {
			.profile = cli->g.profile,
			.region = cli->g.region,
			.endpoint_url = cli->g.endpoint_url,
			.debug = cli->g.debug,
			.interactive = cli->interactive,
			.connect_timeout_ms = cli->g.connect_timeout_ms,
			.read_timeout_ms = cli->g.read_timeout_ms,
		};
		aws_error_clear(&err);
		if (aws_ctx_new(&cli->aws, &o, &err))
			return cli_report(&err);
		if ((needs & NEEDS_REGION) && aws_ctx_require_region(cli->aws, &err))
			return cli_report(&err);
	}
	if ((rc = pick_output(cli)))
		return rc;
	if (needs & NEEDS_CREDENTIALS) {
		struct aws_error err;
		const struct aws_credentials *c;
		aws_error_clear(&err);
		if (aws_ctx_credentials(cli->aws, &c, &err))
			return cli_report(&err);
	}
	return 0;
}
