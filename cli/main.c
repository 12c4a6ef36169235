/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: the awsx entry point.  It takes the global options out of the
 * command line (they may stand before or after the command, as in the AWS
 * CLI), finds the command in the dispatch table, prepares what the
 * command's 'needs' flags ask for (configuration, region, credentials), runs
 * it and turns the outcome into one of the documented exit codes.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/opensslv.h>

#include "aws/http.h"

static int cmd_help(struct cli_ctx *cli, struct cli_args *args);
static int cmd_version(struct cli_ctx *cli, struct cli_args *args);

static const struct cli_option no_options[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
};
static const struct cli_spec help_spec = {
	"[COMMAND]", "Show the list of commands, or the help of one command.",
	no_options, ARRAY_SIZE(no_options),
};
static const struct cli_spec version_spec = {
	"", "Show the version of awsx and of the libraries it uses.",
	no_options, ARRAY_SIZE(no_options),
};

/* The dispatch table, alphabetical. */
static const struct cli_command commands[] = {
	{ "help", cmd_help, 0, "show help for awsx or one command", &help_spec },
	{ "version", cmd_version, 0, "show the version", &version_spec },
	{ "whoami", cmd_whoami, NEEDS_AWS | NEEDS_CREDENTIALS,
	  "show the account, identity and credential source in use", &cmd_whoami_spec },
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	fputs("usage: awsx [global options] COMMAND [options]\n\n"
	      "awsx makes day-to-day AWS work fast and safe.  It reads the same\n"
	      "configuration as the AWS CLI (~/.aws/config, ~/.aws/credentials, AWS_*\n"
	      "variables).\n\nCommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputc('\n', f);
	cli_print_global_options(f);
	fputs("\nRun 'awsx COMMAND -h' for the options of a command.\n", f);
}

static int cmd_help(struct cli_ctx *cli, struct cli_args *args)
{
	if (!args->npositional) {
		print_usage(stdout);
		return 0;
	}
	const struct cli_command *cmd = find_command(args->positional[0]);
	if (!cmd) {
		cli_error("no such command '%s' (see 'awsx help')", args->positional[0]);
		return AWSX_EUSAGE;
	}
	cli_print_command_help(stdout, cmd);
	return 0;
}

static int cmd_version(struct cli_ctx *cli, struct cli_args *args)
{
	printf("awsx %s (libcurl %s, %s)\n", AWSX_VERSION,
	       curl_version_info(CURLVERSION_NOW)->version, OPENSSL_VERSION_TEXT);
	return 0;
}

static void on_interrupt(int sig)
{
	http_interrupted = 1;
	(void)sig;
}

static int unknown_command(const char *name)
{
	const char *names[ARRAY_SIZE(commands)];
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	const char *s = cli_suggest(name, names, ARRAY_SIZE(commands));
	if (s)
		cli_error("'%s' is not an awsx command; did you mean '%s'?", name, s);
	else
		cli_error("'%s' is not an awsx command (see 'awsx help')", name);
	return AWSX_EUSAGE;
}

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

static int run(int argc, char **argv)
{
	struct cli_ctx cli;
	struct cli_args args;
	char **rest = NULL;
	int nrest = 0, rc;
	const struct cli_command *cmd = NULL;

	memset(&cli, 0, sizeof(cli));
	memset(&args, 0, sizeof(args));
	rc = cli_take_globals(argc - 1, argv + 1, &cli.g, &rest, &nrest);
	if (rc)
		return rc;

	int ci = -1;
	for (int i = 0; i < nrest; i++) {
		if (rest[i][0] != '-') {
			ci = i;
			break;
		}
		if (!strcmp(rest[i], "--"))
			break;
	}
	if (ci < 0) {
		if (nrest) {
			const char *s = cli_suggest(rest[0], cli_global_names, cli_global_count);
			if (s)
				cli_error("unknown option '%s'; did you mean '%s'?", rest[0], s);
			else
				cli_error("unknown option '%s' (see 'awsx help')", rest[0]);
			rc = AWSX_EUSAGE;
		} else if (cli.g.version) {
			rc = cmd_version(&cli, &args);
		} else if (cli.g.help) {
			print_usage(stdout);
		} else {
			print_usage(stderr);
			rc = AWSX_EUSAGE;
		}
		goto out;
	}
	if (ci > 0) {
		cli_error("unknown option '%s' before the command (see 'awsx help')", rest[0]);
		rc = AWSX_EUSAGE;
		goto out;
	}
	cmd = find_command(rest[0]);
	if (!cmd) {
		rc = unknown_command(rest[0]);
		goto out;
	}
	if (cli.g.help) {
		cli_print_command_help(stdout, cmd);
		goto out;
	}
	rc = cli_parse_args(cmd, nrest - 1, rest + 1, &args);
	if (rc)
		goto out;
	if (cli_flag(&args, "help")) {
		cli_print_command_help(stdout, cmd);
		goto out;
	}

	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	int colour_ok = !cli.g.no_color && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
	cli.color = colour_ok && isatty(STDOUT_FILENO);
	cli.color_err = colour_ok && isatty(STDERR_FILENO);
	cli.interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);

	if (cmd->needs & NEEDS_AWS) {
		struct aws_error err;
		struct aws_ctx_options o = {
			.profile = cli.g.profile,
			.region = cli.g.region,
			.endpoint_url = cli.g.endpoint_url,
			.debug = cli.g.debug,
			.interactive = cli.interactive,
			.connect_timeout_ms = cli.g.connect_timeout_ms,
			.read_timeout_ms = cli.g.read_timeout_ms,
		};
		aws_error_clear(&err);
		if (aws_ctx_new(&cli.aws, &o, &err)) {
			rc = cli_report(&err);
			goto out;
		}
		if ((cmd->needs & NEEDS_REGION) && aws_ctx_require_region(cli.aws, &err)) {
			rc = cli_report(&err);
			goto out;
		}
	}
	if ((rc = pick_output(&cli)))
		goto out;
	if (cmd->needs & NEEDS_CREDENTIALS) {
		struct aws_error err;
		const struct aws_credentials *c;
		aws_error_clear(&err);
		if (aws_ctx_credentials(cli.aws, &c, &err)) {
			rc = cli_report(&err);
			goto out;
		}
	}
	rc = cmd->fn(&cli, &args);
out:
	if (http_interrupted)
		rc = AWSX_EINTR;
	cli_args_release(&args);
	aws_ctx_free(cli.aws);
	free(rest);
	return rc;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = run(argc, argv);
	/* a full disk or closed pipe must not pass for success */
	if (fflush(stdout) || ferror(stdout)) {
		if (rc == 0) {
			cli_error("cannot write the output: %s", "write error on standard output");
			rc = AWSX_EFAIL;
		}
	}
	return rc;
}
