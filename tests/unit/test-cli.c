/* SPDX-License-Identifier: Apache-2.0 */
/* test-cli.c: global options anywhere, option tables, suggestions. */
#include "cli/cli.h"

#include <stdlib.h>

#include "check.h"

/* argv arrays are mutable char *; build them from literals (freed at exit). */
static char **made[32];
static size_t nmade;

static char **mkargv(const char *const *in)
{
	size_t n = 0;
	while (in[n])
		n++;
	char **out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(in[i]);
	if (nmade < ARRAY_SIZE(made))
		made[nmade++] = out;
	return out;
}

static void free_made(void)
{
	for (size_t i = 0; i < nmade; i++) {
		for (char **p = made[i]; *p; p++)
			free(*p);
		free(made[i]);
	}
}

static void test_edit_distance(void)
{
	CHECK_INT(cli_edit_distance("whoami", "whoami"), 0);
	CHECK_INT(cli_edit_distance("whoamii", "whoami"), 1);
	CHECK_INT(cli_edit_distance("whaomi", "whoami"), 1); /* transposition */
	CHECK_INT(cli_edit_distance("", "abc"), 3);
	const char *const names[] = { "help", "version", "whoami", "logs", "sync" };
	CHECK_STR(cli_suggest("whoamii", names, 5), "whoami");
	CHECK_STR(cli_suggest("snyc", names, 5), "sync");
	CHECK_STR(cli_suggest("versoin", names, 5), "version");
	CHECK(cli_suggest("deploy", names, 5) == NULL);
	const char *const opts[] = { "--output", "--profile", "--region" };
	CHECK_STR(cli_suggest("--outptu", opts, 3), "--output");
	CHECK_STR(cli_suggest("--regoin", opts, 3), "--region");
}

static void test_globals_anywhere(void)
{
	const char *const argv_lit[] = { "--profile", "p1", "whoami", "--output=json", "--debug",
			 "--region", "eu-west-1", "x", NULL };
	char **argv = mkargv(argv_lit);
	struct cli_globals g = { 0 };
	char **rest;
	int n;
	CHECK_INT(cli_take_globals(8, argv, &g, &rest, &n), 0);
	CHECK_STR(g.profile, "p1");
	CHECK_STR(g.output, "json");
	CHECK_STR(g.region, "eu-west-1");
	CHECK_INT(g.debug, 1);
	CHECK_INT(n, 2);
	CHECK_STR(rest[0], "whoami");
	CHECK_STR(rest[1], "x");
	free(rest);

	const char *const argv2_lit[] = { "whoami", "--", "--profile", NULL };
	char **argv2 = mkargv(argv2_lit);
	struct cli_globals g2 = { 0 };
	CHECK_INT(cli_take_globals(3, argv2, &g2, &rest, &n), 0);
	CHECK(g2.profile == NULL);
	CHECK_INT(n, 3);
	free(rest);

	const char *const argv3_lit[] = { "whoami", "--region", NULL };
	char **argv3 = mkargv(argv3_lit);
	CHECK_INT(cli_take_globals(2, argv3, &g2, &rest, &n), AWSX_EUSAGE);
	const char *const argv4_lit[] = { "--cli-read-timeout", "abc", NULL };
	char **argv4 = mkargv(argv4_lit);
	CHECK_INT(cli_take_globals(2, argv4, &g2, &rest, &n), AWSX_EUSAGE);
	const char *const argv5_lit[] = { "--cli-read-timeout=2.5", NULL };
	char **argv5 = mkargv(argv5_lit);
	CHECK_INT(cli_take_globals(1, argv5, &g2, &rest, &n), 0);
	CHECK_INT(g2.read_timeout_ms, 2500);
	free(rest);
}

static int dummy(struct cli_ctx *c, struct cli_args *a)
{
	return 0;
}

static void test_command_options(void)
{
	static const struct cli_option opts[] = {
		{ "name", 'n', OPT_LIST, "LC", "names" },
		{ "yes", 'y', OPT_FLAG, NULL, "go" },
		{ "format", 0, OPT_STRING, "F", "format" },
	};
	static const struct cli_spec spec = { .usage = "[options]", .description = "test",
					      .options = opts, .noptions = 3 };
	struct cli_command cmd = { "t", dummy, 0, "t", &spec };
	const char *const argv_lit[] = { "-n", "a", "--name=b", "pos", "-y", "--format", "csv", "--", "-x", NULL };
	char **argv = mkargv(argv_lit);
	struct cli_args a;
	CHECK_INT(cli_parse_args(&cmd, 9, argv, &a), 0);
	CHECK_INT(cli_flag(&a, "yes"), 1);
	CHECK_STR(cli_arg(&a, "format"), "csv");
	CHECK_INT(a.list[0].nr, 2);
	CHECK_STR(a.list[0].items[1].value, "b");
	CHECK_INT(a.npositional, 2);
	CHECK_STR(a.positional[1], "-x");
	cli_args_release(&a);

	const char *const bad_lit[] = { "--yse", NULL };
	char **bad = mkargv(bad_lit);
	CHECK_INT(cli_parse_args(&cmd, 1, bad, &a), AWSX_EUSAGE);
	cli_args_release(&a);
	const char *const bad2_lit[] = { "--yes=1", NULL };
	char **bad2 = mkargv(bad2_lit);
	CHECK_INT(cli_parse_args(&cmd, 1, bad2, &a), AWSX_EUSAGE);
	cli_args_release(&a);
	const char *const bad3_lit[] = { "--format", NULL };
	char **bad3 = mkargv(bad3_lit);
	CHECK_INT(cli_parse_args(&cmd, 1, bad3, &a), AWSX_EUSAGE);
	cli_args_release(&a);
}

int main(void)
{
	RUN(test_edit_distance);
	RUN(test_globals_anywhere);
	RUN(test_command_options);
	free_made();
	return check_done();
}
