/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samconfig.h: SAM CLI's project configuration file (samconfig.toml,
 * samconfig.yaml or samconfig.yml) as `sam sync` reads it: where the file
 * is, and the parameters it gives one command in one environment.
 *
 * The file groups parameters by environment and command:
 *
 *     version = 0.1
 *     [default.global.parameters]      # every command of env "default"
 *     region = "eu-west-1"
 *     [default.sync.parameters]        # only `sync`; wins over global
 *     watch = true
 *
 * and the same in YAML (`default: {global: {parameters: {...}}}`).  A
 * command of several words or with dashes is one key with underscores
 * (`local start-api` -> `local_start_api`), as SAM CLI spells it.
 *
 * TOML is read by sync/toml.h (TOML 1.0 except for dates and times, inf
 * and nan and strings holding U+0000, which it refuses with a message;
 * like SAM CLI's Python, it takes CRLF and a lone CR as newlines).  YAML
 * goes through templates/' libyaml loader (tmpl_yaml_load) with YAML 1.2's
 * core schema for plain scalars, and aliases and merge keys as SAM CLI's
 * ruamel.yaml reads them.
 */
#ifndef AWSX_SAMCONFIG_H
#define AWSX_SAMCONFIG_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/util.h"
#include "sync/toml.h"

/* Limits that bound what one file can cost. */
#define SAMCONFIG_MAX_BYTES (1u << 20)	    /* file size */
#define SAMCONFIG_MAX_DEPTH TOML_MAX_DEPTH /* nesting below the top, YAML's as TOML's */
#define SAMCONFIG_MAX_NODES 100000u	    /* YAML nodes, alias and merge copies included */

/*
 * Find the configuration file, the way SAM CLI does for --config-file:
 *
 *  - explicit_path (--config-file) when not NULL: an absolute path as is, a
 *    relative one relative to template_dir (SAM CLI resolves it against the
 *    template's folder, not the current directory).  It must exist and be a
 *    file (or a FIFO); otherwise -AWSX_ECONFIG with
 *    "cannot read config file '<path>': <reason>".
 *  - else the first of samconfig.toml, samconfig.yaml, samconfig.yml in
 *    template_dir (NULL or "" means "."), then in the current directory.
 *  - none: *out = NULL and 0 (no file is not an error).
 *
 * On success *out is a path the caller frees ("samconfig.toml" when the
 * folder is ".", else "<dir>/samconfig.toml").
 */
int samconfig_find(const char *template_dir, const char *explicit_path, char **out,
		   struct aws_error *err);

/*
 * Read the file at path (TOML for *.toml, YAML for *.yaml / *.yml, any
 * other name is an error, as in SAM CLI) and hand back in *out a new JSON
 * object, owned by the caller (cJSON_Delete), with the parameters for
 * command in env: [env.global.parameters] with [env.<command>.parameters]
 * over it, key by key.  env NULL means "default"; command is a SAM command
 * name ("sync", "deploy", "local start-api").
 *
 * Values keep their types: strings, booleans, numbers, arrays, tables
 * (objects), and YAML nulls.  A number keeps its text in valuestring as
 * templates/ does (integers in decimal: 0xff -> "255", 1_000 -> "1000"), so
 * tmpl_scalar_text() reads any scalar as text and a big integer stays exact.
 * Keys the caller does not know are kept; it decides what to do with them.
 *
 * As in SAM CLI: an empty file, a file without env, or an env without the
 * tables gives an empty object; a file with content must have a top-level
 * `version` that is a float (0.1); env, env.global, env.<command> and their
 * `parameters`, when present, must be tables.
 *
 * Errors are -AWSX_ECONFIG with "<path>:<line>:<column>: <reason>" (or
 * "<path>: <reason>" without a position; "cannot read config file '<path>':
 * <reason>" when it cannot be read).  *out is NULL on error.
 */
int samconfig_load(const char *path, const char *env, const char *command, cJSON **out,
		   struct aws_error *err);

/* samconfig_load on text in memory; name (used for the format and in messages). */
int samconfig_load_buffer(const char *name, const char *data, size_t len, const char *env,
			  const char *command, cJSON **out, struct aws_error *err);

/*
 * The whole document of a samconfig file in memory as a JSON object (TOML
 * tables and YAML mappings become objects, arrays of tables arrays of
 * objects), without the SAM checks above; for tests and tools.  Same
 * errors as samconfig_load.  *doc is the caller's (cJSON_Delete).
 */
int samconfig_parse(const char *name, const char *data, size_t len, cJSON **doc,
		    struct aws_error *err);

#endif
