/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: what the files of cli/ share: the command table entry, the option
 * tables that drive both parsing and -h, the parsed global options, and
 * the output helpers (text, json, table; colour on a terminal).
 */
#ifndef AWSX_CLI_H
#define AWSX_CLI_H

#include <stdio.h>

#include "aws/aws.h"

enum cli_needs {
	NEEDS_AWS = (1 << 0),	      /* a configured aws context (config, profile, HTTP) */
	NEEDS_REGION = (1 << 1),      /* fail early without a region */
	NEEDS_CREDENTIALS = (1 << 2), /* resolve credentials before running */
};

enum output_format { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_TABLE };

enum opt_kind { OPT_FLAG, OPT_STRING, OPT_LIST };

struct cli_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 when none */
	enum opt_kind kind;
	const char *arg;  /* placeholder in help, "NAME" */
	const char *help;
};

/* Parsed options of one command, indexed like its option table. */
struct cli_args {
	const struct cli_option *opts;
	size_t nopts;
	char **value;	     /* OPT_STRING: last value, or NULL */
	int *count;	     /* times given (flags, strings, lists) */
	struct kvlist *list; /* OPT_LIST: every value, name = option name */
	char **positional;
	size_t npositional;
};

const char *cli_arg(const struct cli_args *a, const char *name);
int cli_flag(const struct cli_args *a, const char *name);

struct cli_globals {
	const char *profile;
	const char *region;
	const char *endpoint_url;
	const char *output;
	int no_color;
	int debug;
	int help;
	int version;
	long connect_timeout_ms;
	long read_timeout_ms;
};

struct cli_ctx {
	struct cli_globals g;
	struct aws_ctx *aws; /* set when the command needs it */
	enum output_format output;
	int color;	     /* colour on stdout */
	int color_err;	     /* colour on stderr */
	int interactive;     /* stdin and stderr are terminals */
};

struct cli_command;

/* What a command accepts, declared in its own file: drives parsing and -h. */
struct cli_spec {
	const char *usage;	 /* after "awsx NAME " */
	const char *description; /* paragraph for -h */
	const struct cli_option *options;
	size_t noptions;
	int max_positional; /* words after the options it accepts (0: none; -1: any) */
	/*
	 * A command made of subcommands ("lc-migrate inventory"): their table,
	 * alphabetical, each named "<command> <subcommand>".
	 */
	const struct cli_command *subcommands;
	size_t nsubcommands;
};

/* One row of the dispatch table in main.c. */
struct cli_command {
	const char *name;
	int (*fn)(struct cli_ctx *cli, struct cli_args *args);
	unsigned needs; /* enum cli_needs */
	const char *summary;
	const struct cli_spec *spec;
};

/*
 * Prepare what needs asks for (prepare.c): colour and terminal detection,
 * the aws context, the output format, credentials.  Returns 0 or the exit
 * code after printing the error.
 */
int cli_prepare(struct cli_ctx *cli, unsigned needs);

/* ---- diagnostics (diag.c) ---- */

/* "awsx: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print err as one line; returns the exit code for it. */
int cli_report(const struct aws_error *err);
/* The closest candidate within a small edit distance, or NULL. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t n);
/* Edit distance (Damerau-Levenshtein, optimal string alignment). */
int cli_edit_distance(const char *a, const char *b);

/* ---- options (options.c) ---- */

/*
 * Parse a command's arguments (global options already removed).  Returns 0
 * or AWSX_EUSAGE after printing "unknown option ..." with a suggestion.
 */
int cli_parse_args(const struct cli_command *cmd, int argc, char **argv,
		   struct cli_args *out);
void cli_args_release(struct cli_args *a);
/* -h text of a command on f (with its subcommands, if any). */
void cli_print_command_help(FILE *f, const struct cli_command *cmd);
/*
 * The subcommand of cmd named word ("inventory" for "lc-migrate
 * inventory"), or NULL after printing "did you mean" on stderr.
 */
const struct cli_command *cli_find_subcommand(const struct cli_command *cmd, const char *word);
void cli_print_global_options(FILE *f);

/*
 * Take global options out of argv wherever they stand (AWS CLI style),
 * leaving the rest in order in *rest.  Returns 0 or AWSX_EUSAGE.
 */
int cli_take_globals(int argc, char **argv, struct cli_globals *g,
		     char ***rest, int *nrest);
/* Names of the global options (for suggestions). */
extern const char *const cli_global_names[];
extern const size_t cli_global_count;

/* ---- output (output.c) ---- */

/* A flat record of named string values, printed in the chosen format. */
struct out_record {
	const char *title; /* table title, "Caller identity" */
	struct kvlist fields;
};
void out_record_init(struct out_record *r, const char *title);
void out_record_add(struct out_record *r, const char *name, const char *value);
void out_record_release(struct out_record *r);
void out_print_record(struct cli_ctx *cli, const struct out_record *r);

/* ANSI colour helpers: return "" when colour is off. */
const char *out_bold(const struct cli_ctx *cli);
const char *out_dim(const struct cli_ctx *cli);
const char *out_reset(const struct cli_ctx *cli);

/* ---- commands ---- */
int cmd_lc_export(struct cli_ctx *cli, struct cli_args *args);
extern const struct cli_spec cmd_lc_export_spec;
extern const struct cli_spec cmd_lc_migrate_spec;
int cmd_logs(struct cli_ctx *cli, struct cli_args *args);
extern const struct cli_spec cmd_logs_spec;
int cmd_whoami(struct cli_ctx *cli, struct cli_args *args);
extern const struct cli_spec cmd_whoami_spec;
int cmd_sync(struct cli_ctx *cli, struct cli_args *args);
extern const struct cli_spec cmd_sync_spec;

#endif
