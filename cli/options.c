/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.c: command-line parsing.  Global options (--profile, --region,
 * --output, ...) are accepted anywhere, before or after the command name,
 * as the AWS CLI does; each command declares its own options once in a
 * table that drives both parsing and its -h text.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum global_id {
	G_PROFILE,
	G_REGION,
	G_ENDPOINT,
	G_OUTPUT,
	G_NO_COLOR,
	G_DEBUG,
	G_HELP,
	G_VERSION,
	G_CONNECT_TIMEOUT,
	G_READ_TIMEOUT,
};

static const struct {
	const char *name;
	char short_name;
	int takes_value;
	enum global_id id;
	const char *arg;
	const char *help;
} globals[] = {
	{ "profile", 0, 1, G_PROFILE, "NAME", "use this profile from the shared config files (else AWS_PROFILE, else default)" },
	{ "region", 0, 1, G_REGION, "REGION", "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)" },
	{ "endpoint-url", 0, 1, G_ENDPOINT, "URL", "send every request to this URL instead of the AWS endpoint" },
	{ "output", 0, 1, G_OUTPUT, "FORMAT", "text, json or table (else AWS_DEFAULT_OUTPUT, the profile's output, text)" },
	{ "no-color", 0, 0, G_NO_COLOR, NULL, "no colour (also when NO_COLOR is set or output is not a terminal)" },
	{ "debug", 0, 0, G_DEBUG, NULL, "show the HTTP exchange on stderr, secrets redacted" },
	{ "cli-connect-timeout", 0, 1, G_CONNECT_TIMEOUT, "SECONDS", "connect timeout (default 60; also AWSX_CONNECT_TIMEOUT)" },
	{ "cli-read-timeout", 0, 1, G_READ_TIMEOUT, "SECONDS", "read timeout (default 60; also AWSX_READ_TIMEOUT)" },
	{ "help", 'h', 0, G_HELP, NULL, "show help" },
	{ "version", 0, 0, G_VERSION, NULL, "show the version" },
};

const char *const cli_global_names[] = {
	"--profile", "--region", "--endpoint-url", "--output", "--no-color", "--debug",
	"--cli-connect-timeout", "--cli-read-timeout", "--help", "--version",
};
const size_t cli_global_count = ARRAY_SIZE(cli_global_names);

static int parse_seconds(const char *opt, const char *v, long *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || *end || end == v || d <= 0 || d > 86400) {
		cli_error("invalid --%s '%s': expected seconds greater than 0", opt, v);
		return AWSX_EUSAGE;
	}
	*out = (long)(d * 1000);
	return 0;
}

static int set_global(struct cli_globals *g, enum global_id id, const char *name,
		      const char *v)
{
	switch (id) {
	case G_PROFILE: g->profile = v; break;
	case G_REGION: g->region = v; break;
	case G_ENDPOINT: g->endpoint_url = v; break;
	case G_OUTPUT: g->output = v; break;
	case G_NO_COLOR: g->no_color = 1; break;
	case G_DEBUG: g->debug = 1; break;
	case G_HELP: g->help = 1; break;
	case G_VERSION: g->version = 1; break;
	case G_CONNECT_TIMEOUT: return parse_seconds(name, v, &g->connect_timeout_ms);
	case G_READ_TIMEOUT: return parse_seconds(name, v, &g->read_timeout_ms);
	}
	return 0;
}

int cli_take_globals(int argc, char **argv, struct cli_globals *g,
		     char ***rest, int *nrest)
{
	char **out = xcalloc((size_t)argc + 1, sizeof(*out));
	int n = 0;
	int after_dashdash = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (after_dashdash || a[0] != '-' || !a[1]) {
			out[n++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			after_dashdash = 1;
			out[n++] = argv[i];
			continue;
		}
		int matched = 0;
		for (size_t k = 0; k < ARRAY_SIZE(globals); k++) {
			const char *v = NULL;
			if (a[1] != '-') {
				if (!globals[k].short_name || a[1] != globals[k].short_name || a[2])
					continue;
			} else {
				size_t ln = strlen(globals[k].name);
				if (strncmp(a + 2, globals[k].name, ln))
					continue;
				if (a[2 + ln] == '=')
					v = a + 3 + ln;
				else if (a[2 + ln])
					continue;
			}
			matched = 1;
			if (globals[k].takes_value && !v) {
				if (i + 1 >= argc) {
					cli_error("option '--%s' needs a value (%s)", globals[k].name,
						  globals[k].arg);
					free(out);
					return AWSX_EUSAGE;
				}
				v = argv[++i];
			} else if (!globals[k].takes_value && v) {
				cli_error("option '--%s' takes no value", globals[k].name);
				free(out);
				return AWSX_EUSAGE;
			}
			if (set_global(g, globals[k].id, globals[k].name, v)) {
				free(out);
				return AWSX_EUSAGE;
			}
			break;
		}
		if (!matched)
			out[n++] = argv[i];
	}
	*rest = out;
	*nrest = n;
	return 0;
}

const char *cli_arg(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (!strcmp(a->opts[i].name, name))
			return a->value[i];
	return NULL;
}

int cli_flag(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (!strcmp(a->opts[i].name, name))
			return a->count[i];
	return 0;
}

static void unknown_option(const struct cli_command *cmd, const char *arg)
{
	const char **names = xcalloc(cmd->spec->noptions + cli_global_count, sizeof(*names));
	char **owned = xcalloc(cmd->spec->noptions + 1, sizeof(*owned));
	size_t n = 0;
	for (size_t i = 0; i < cmd->spec->noptions; i++) {
		owned[i] = xstrfmt("--%s", cmd->spec->options[i].name);
		names[n++] = owned[i];
	}
	for (size_t i = 0; i < cli_global_count; i++)
		names[n++] = cli_global_names[i];
	char word[128];
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg, "="), arg);
	const char *s = cli_suggest(word, names, n);
	if (s)
		cli_error("unknown option '%s' for '%s'; did you mean '%s'?", word, cmd->name, s);
	else
		cli_error("unknown option '%s' for '%s' (see 'awsx %s -h')", word, cmd->name,
			  cmd->name);
	for (size_t i = 0; i < cmd->spec->noptions; i++)
		free(owned[i]);
	free(owned);
	free(names);
}

int cli_parse_args(const struct cli_command *cmd, int argc, char **argv,
		   struct cli_args *out)
{
	memset(out, 0, sizeof(*out));
	out->opts = cmd->spec->options;
	out->nopts = cmd->spec->noptions;
	out->value = xcalloc(cmd->spec->noptions + 1, sizeof(*out->value));
	out->count = xcalloc(cmd->spec->noptions + 1, sizeof(*out->count));
	out->list = xcalloc(cmd->spec->noptions + 1, sizeof(*out->list));
	out->positional = xcalloc((size_t)argc + 1, sizeof(*out->positional));
	int dashdash = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || !a[1]) {
			out->positional[out->npositional++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = 1;
			continue;
		}
		size_t k;
		const char *v = NULL;
		for (k = 0; k < cmd->spec->noptions; k++) {
			const struct cli_option *o = &cmd->spec->options[k];
			if (a[1] != '-') {
				if (o->short_name && a[1] == o->short_name && !a[2])
					break;
				continue;
			}
			size_t ln = strlen(o->name);
			if (!strncmp(a + 2, o->name, ln) && (!a[2 + ln] || a[2 + ln] == '=')) {
				if (a[2 + ln] == '=')
					v = a + 3 + ln;
				break;
			}
		}
		if (k == cmd->spec->noptions) {
			unknown_option(cmd, a);
			return AWSX_EUSAGE;
		}
		const struct cli_option *o = &cmd->spec->options[k];
		if (o->kind == OPT_FLAG) {
			if (v) {
				cli_error("option '--%s' takes no value", o->name);
				return AWSX_EUSAGE;
			}
			out->count[k]++;
			continue;
		}
		if (!v) {
			if (i + 1 >= argc) {
				cli_error("option '--%s' needs a value (%s)", o->name, o->arg);
				return AWSX_EUSAGE;
			}
			v = argv[++i];
		}
		out->count[k]++;
		if (o->kind == OPT_STRING)
			out->value[k] = (char *)v;
		else
			kvlist_add(&out->list[k], o->name, v);
	}
	return 0;
}

void cli_args_release(struct cli_args *a)
{
	for (size_t i = 0; a->list && i < a->nopts; i++)
		kvlist_release(&a->list[i]);
	free(a->value);
	free(a->count);
	free(a->list);
	free(a->positional);
	memset(a, 0, sizeof(*a));
}

static void print_option_line(FILE *f, char short_name, const char *name,
			      const char *arg, const char *help)
{
	char left[80];
	if (short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", short_name, name,
			 arg ? " " : "", arg ? arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", name, arg ? " " : "",
			 arg ? arg : "");
	fprintf(f, "  %-34s %s\n", left, help);
}

void cli_print_global_options(FILE *f)
{
	fputs("Global options (before or after the command):\n", f);
	for (size_t k = 0; k < ARRAY_SIZE(globals); k++)
		print_option_line(f, globals[k].short_name, globals[k].name,
				  globals[k].takes_value ? globals[k].arg : NULL,
				  globals[k].help);
}

void cli_print_command_help(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "usage: awsx %s %s\n\n", cmd->name, cmd->spec->usage);
	fprintf(f, "%s\n\n", cmd->spec->description);
	if (cmd->spec->nsubcommands) {
		fputs("Commands:\n", f);
		for (size_t i = 0; i < cmd->spec->nsubcommands; i++) {
			const struct cli_command *sub = &cmd->spec->subcommands[i];
			fprintf(f, "  %-14s %s\n", sub->name + strlen(cmd->name) + 1, sub->summary);
		}
		fprintf(f, "\nRun 'awsx %s COMMAND -h' for the options of a command.\n\n", cmd->name);
	}
	if (cmd->spec->noptions) {
		fputs("Options:\n", f);
		for (size_t k = 0; k < cmd->spec->noptions; k++) {
			const struct cli_option *o = &cmd->spec->options[k];
			print_option_line(f, o->short_name, o->name,
					  o->kind == OPT_FLAG ? NULL : o->arg, o->help);
		}
		fputc('\n', f);
	}
	cli_print_global_options(f);
	fputs("\nExit status: 0 ok, 1 failure, 2 usage, 3 configuration or credentials,\n"
	      "4 network, 5 AWS service error, 130 interrupted (docs/exit-codes.md).\n", f);
}

const struct cli_command *cli_find_subcommand(const struct cli_command *cmd, const char *word)
{
	const struct cli_spec *spec = cmd->spec;
	size_t plen = strlen(cmd->name);
	const char **names = xcalloc(spec->nsubcommands + 1, sizeof(*names));
	const struct cli_command *found = NULL;

	for (size_t i = 0; i < spec->nsubcommands; i++) {
		names[i] = spec->subcommands[i].name + plen + 1;
		if (!strcmp(names[i], word))
			found = &spec->subcommands[i];
	}
	if (!found) {
		const char *s = cli_suggest(word, names, spec->nsubcommands);
		if (s)
			cli_error("'%s' is not a command of 'awsx %s'; did you mean '%s'?", word,
				  cmd->name, s);
		else
			cli_error("'%s' is not a command of 'awsx %s' (see 'awsx %s -h')", word,
				  cmd->name, cmd->name);
	}
	free(names);
	return found;
}
