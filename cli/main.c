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
	.usage = "[COMMAND [SUBCOMMAND]]",
	.max_positional = 2,
	.description = "Show the list of commands, or the help of one command.",
	.options = no_options,
	.noptions = ARRAY_SIZE(no_options),
};
static const struct cli_spec version_spec = {
	.usage = "",
	.description = "Show the version of awsx and of the libraries it uses.",
	.options = no_options,
	.noptions = ARRAY_SIZE(no_options),
};

/* The dispatch table, alphabetical. */
static const struct cli_command commands[] = {
	{ "help", cmd_help, 0, "show help for awsx or one command", &help_spec },
	{ "lc-migrate", NULL, 0, "move Auto Scaling groups from launch configurations to templates",
	  &cmd_lc_migrate_spec },
	{ "logs", cmd_logs, NEEDS_AWS | NEEDS_REGION | NEEDS_CREDENTIALS,
	  "print or tail a stack's logs and traces, merged and labelled", &cmd_logs_spec },
	{ "sync", cmd_sync, 0, "push code changes to a deployed stack through the service APIs",
	  &cmd_sync_spec },
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
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
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
	for (size_t i = 1; i < args->npositional && cmd->spec->nsubcommands; i++)
		if (!(cmd = cli_find_subcommand(cmd, args->positional[i])))
			return AWSX_EUSAGE;
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

static int run(int argc, char **argv)
{
	struct cli_ctx cli;
	struct cli_args args;
	char **rest = NULL, **rest_owned;
	int nrest = 0, rc;
	const struct cli_command *cmd = NULL;

	memset(&cli, 0, sizeof(cli));
	memset(&args, 0, sizeof(args));
	rc = cli_take_globals(argc - 1, argv + 1, &cli.g, &rest, &nrest);
	if (rc)
		return rc;
	rest_owned = rest; /* rest moves past subcommand names below */

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
	/* "awsx lc-migrate inventory ...": descend into the subcommand */
	while (cmd->spec->nsubcommands) {
		if (nrest < 2 || rest[1][0] == '-') {
			int asked = cli.g.help || (nrest >= 2 && (!strcmp(rest[1], "-h") ||
								  !strcmp(rest[1], "--help")));
			cli_print_command_help(asked ? stdout : stderr, cmd);
			rc = asked ? 0 : AWSX_EUSAGE;
			goto out;
		}
		const struct cli_command *sub = cli_find_subcommand(cmd, rest[1]);
		if (!sub) {
			rc = AWSX_EUSAGE;
			goto out;
		}
		cmd = sub;
		rest++;
		nrest--;
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
	if (cmd->spec->max_positional >= 0 &&
	    args.npositional > (size_t)cmd->spec->max_positional) {
		cli_error("'%s' does not take '%s' (see 'awsx %s -h')", cmd->name,
			  args.positional[cmd->spec->max_positional], cmd->name);
		rc = AWSX_EUSAGE;
		goto out;
	}

	if ((rc = cli_prepare(&cli, cmd->needs)))
		goto out;
	rc = cmd->fn(&cli, &args);
out:
	if (http_interrupted)
		rc = AWSX_EINTR;
	cli_args_release(&args);
	aws_ctx_free(cli.aws);
	free(rest_owned);
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
