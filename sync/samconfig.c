/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samconfig.c: reads SAM CLI's samconfig.toml / samconfig.yaml into cJSON
 * and picks the parameters of one command in one environment, the way SAM
 * CLI does (global parameters under the command's, version check, missing
 * environment = no parameters).
 *
 * TOML goes through sync/toml.c.  YAML goes through templates/' YAML
 * loader with SAM CLI's rules instead of a template's: YAML 1.2's core
 * schema for plain scalars, tags read as if absent, aliases (copies count
 * against a node cap) and merge keys, which SAM CLI's ruamel.yaml also
 * reads.  Both keep where each key was written, so every error carries
 * file:line:column.
 */
#include "sync/samconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sync/toml.h"
#include "templates/templates.h"

/* ---- documents, positions and errors ---- */

struct doc {
	const char *name;
	int yaml;
	cJSON *root;
	struct toml_doc toml;	   /* TOML: positions */
	struct tmpl_doc *yaml_doc; /* YAML: positions */
};

/* Where the key of node was written; 0, 0 when not known. */
static void doc_where(const struct doc *d, const cJSON *node, unsigned *line, unsigned *col)
{
	struct tmpl_pos key;

	if (!d->yaml) {
		toml_doc_pos(&d->toml, node, line, col);
		return;
	}
	tmpl_doc_pos(d->yaml_doc, node, NULL, &key);
	*line = key.line;
	*col = key.col;
}

/* "<name>:<line>:<col>: <message>" at the key of node, or "<name>: <message>" without one. */
static int fail_at(const struct doc *d, const cJSON *node, struct aws_error *err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail_at(const struct doc *d, const cJSON *node, struct aws_error *err,
		   const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned line = 0, col = 0;
	va_list ap;

	if (node)
		doc_where(d, node, &line, &col);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (line)
		aws_error_set(err, AWSX_ECONFIG, "%s:%u:%u: %s", d->name, line, col, sb.buf);
	else
		aws_error_set(err, AWSX_ECONFIG, "%s: %s", d->name, sb.buf);
	strbuf_release(&sb);
	return -AWSX_ECONFIG;
}

/* ---- reading the file ---- */

/* How SAM CLI's ruamel.yaml reads YAML, as far as a samconfig file goes. */
static const struct tmpl_yaml_opts samconfig_yaml = {
	.flags = TMPL_YAML_MERGE_KEYS | TMPL_YAML_CORE_SCHEMA,
	.what = "samconfig file",
	.error_kind = AWSX_ECONFIG,
	.top_depth = 0, /* the cap counts levels below the top, as TOML's does */
	.max_depth = SAMCONFIG_MAX_DEPTH,
	.max_nodes = SAMCONFIG_MAX_NODES,
	.too_many_nodes = "more than %u nodes (aliases and merges count every copy)",
};

static int yaml_parse(struct doc *d, const char *data, size_t len, struct aws_error *err)
{
	int rc;

	if ((rc = tmpl_yaml_load(d->name, data, len, &samconfig_yaml, &d->yaml_doc, err)))
		return rc;
	d->root = tmpl_doc_take_root(d->yaml_doc);
	if (!d->root || cJSON_IsNull(d->root)) {
		/* empty, or "---" or "~" alone: nothing, like an empty file */
		cJSON_Delete(d->root);
		d->root = cJSON_CreateObject();
	} else if (!cJSON_IsObject(d->root)) {
		return fail_at(d, d->root, err,
			       "a samconfig file must be a mapping at the top level");
	}
	return 0;
}

static int format_of(const char *name)
{
	if (str_ends_with(name, ".toml"))
		return 0;
	if (str_ends_with(name, ".yaml") || str_ends_with(name, ".yml"))
		return 1;
	return -1;
}

static void doc_release(struct doc *d)
{
	cJSON_Delete(d->root);
	toml_doc_release(&d->toml);
	tmpl_doc_free(d->yaml_doc);
	memset(d, 0, sizeof(*d));
}

static int doc_parse(struct doc *d, const char *name, const char *data, size_t len,
		     struct aws_error *err)
{
	int yaml = format_of(name);
	int rc;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->yaml = yaml > 0;
	if (yaml < 0)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot read config file '%s': not a .toml, .yaml or .yml file",
				     name);
	if (len > SAMCONFIG_MAX_BYTES)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot read config file '%s': larger than %u bytes", name,
				     SAMCONFIG_MAX_BYTES);
	if (d->yaml)
		return yaml_parse(d, data, len, err);
	if (!(rc = toml_parse(name, data, len, &d->toml, err))) {
		d->root = d->toml.root;
		d->toml.root = NULL;
	}
	return rc;
}

int samconfig_parse(const char *name, const char *data, size_t len, cJSON **doc,
		    struct aws_error *err)
{
	struct doc d;
	int rc;

	*doc = NULL;
	rc = doc_parse(&d, name, data, len, err);
	if (!rc) {
		*doc = d.root;
		d.root = NULL;
	}
	doc_release(&d);
	return rc;
}

/* node, when present, must be a table; path names it in the message. */
static int need_table(const struct doc *d, const cJSON *node, const char *path,
		      struct aws_error *err)
{
	if (!node || cJSON_IsObject(node))
		return 0;
	return fail_at(d, node, err, "'%s' must be a %s", path, d->yaml ? "mapping" : "table");
}

/* env.<cmd>.parameters (NULL when absent), checking each level is a table. */
static int section(const struct doc *d, const cJSON *envnode, const char *env, const char *cmd,
		   const cJSON **out, struct aws_error *err)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(envnode, cmd), *p = NULL;
	char *path = xstrfmt("%s.%s", env, cmd);
	int rc;

	*out = NULL;
	if (!(rc = need_table(d, c, path, err)) && c) {
		p = cJSON_GetObjectItemCaseSensitive(c, "parameters");
		free(path);
		path = xstrfmt("%s.%s.parameters", env, cmd);
		if (!(rc = need_table(d, p, path, err)))
			*out = p;
	}
	free(path);
	return rc;
}

static int item_cmp(const void *a, const void *b)
{
	const cJSON *const *x = a, *const *y = b;

	return strcmp((*x)->string, (*y)->string);
}

/* The members of obj sorted by key, for lookups that stay fast on big tables. */
static const cJSON **sorted_items(const cJSON *obj, size_t *nr)
{
	const cJSON **v;
	size_t n = 0;

	for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next)
		n++;
	v = xcalloc(n ? n : 1, sizeof(*v));
	n = 0;
	for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next)
		v[n++] = c;
	if (n)
		qsort(v, n, sizeof(*v), item_cmp);
	*nr = n;
	return v;
}

static const cJSON *sorted_find(const cJSON **v, size_t nr, const char *key)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid]->string, key);

		if (!c)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* global's members with cmd's over them (dict.update order: global's first). */
static cJSON *merge_params(const cJSON *global, const cJSON *cmd)
{
	cJSON *out = cJSON_CreateObject();
	size_t gnr, cnr;
	const cJSON **gv = sorted_items(global, &gnr), **cv = sorted_items(cmd, &cnr);

	for (const cJSON *g = global ? global->child : NULL; g; g = g->next) {
		const cJSON *over = sorted_find(cv, cnr, g->string);

		cJSON_AddItemToObject(out, g->string, cJSON_Duplicate(over ? over : g, 1));
	}
	for (const cJSON *c = cmd ? cmd->child : NULL; c; c = c->next)
		if (!sorted_find(gv, gnr, c->string))
			cJSON_AddItemToObject(out, c->string, cJSON_Duplicate(c, 1));
	free(gv);
	free(cv);
	return out;
}

static int select_params(const struct doc *d, const char *env, const char *command, cJSON **out,
			 struct aws_error *err)
{
	const cJSON *version, *envnode, *global = NULL, *cmd = NULL;
	char *cmd_key;
	int rc;

	if (!d->root->child) {
		*out = cJSON_CreateObject(); /* an empty file: SAM CLI checks nothing */
		return 0;
	}
	version = cJSON_GetObjectItemCaseSensitive(d->root, "version");
	if (!version)
		return fail_at(d, NULL, err,
			       "'version' is missing (samconfig files start with version = 0.1)");
	if (!cJSON_IsNumber(version) || !version->valuestring ||
	    !strpbrk(version->valuestring, ".eE"))
		return fail_at(d, version, err, "'version' must be a float such as 0.1");
	if (!env || !*env)
		env = "default";
	envnode = cJSON_GetObjectItemCaseSensitive(d->root, env);
	if ((rc = need_table(d, envnode, env, err)))
		return rc;
	/* SAM CLI's key for a command: its words joined by '_', '-' made '_' too */
	cmd_key = xstrdup(command);
	for (char *p = cmd_key; *p; p++)
		if (*p == '-' || *p == ' ')
			*p = '_';
	if (envnode && !(rc = section(d, envnode, env, "global", &global, err)))
		rc = section(d, envnode, env, cmd_key, &cmd, err);
	free(cmd_key);
	if (rc)
		return rc;
	*out = merge_params(global, cmd);
	return 0;
}

int samconfig_load_buffer(const char *name, const char *data, size_t len, const char *env,
			  const char *command, cJSON **out, struct aws_error *err)
{
	struct doc d;
	int rc;

	*out = NULL;
	if (!(rc = doc_parse(&d, name, data, len, err)))
		rc = select_params(&d, env, command, out, err);
	doc_release(&d);
	return rc;
}

int samconfig_load(const char *path, const char *env, const char *command, cJSON **out,
		   struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	*out = NULL;
	if (format_of(path) < 0)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot read config file '%s': not a .toml, .yaml or .yml file",
				     path);
	if (strbuf_read_file(&sb, path, SAMCONFIG_MAX_BYTES) < 0) {
		if (errno == EFBIG)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "cannot read config file '%s': larger than %u bytes", path,
					   SAMCONFIG_MAX_BYTES);
		else
			rc = aws_error_set(err, AWSX_ECONFIG, "cannot read config file '%s': %s",
					   path, strerror(errno));
		goto out;
	}
	rc = samconfig_load_buffer(path, sb.buf, sb.len, env, command, out, err);
out:
	strbuf_release(&sb);
	return rc;
}

/* ---- finding the file ---- */

static char *join_path(const char *dir, const char *name)
{
	if (!dir || !*dir || !strcmp(dir, "."))
		return xstrdup(name);
	if (str_ends_with(dir, "/"))
		return xstrfmt("%s%s", dir, name);
	return xstrfmt("%s/%s", dir, name);
}

static int is_readable_kind(const struct stat *st)
{
	return S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode);
}

int samconfig_find(const char *template_dir, const char *explicit_path, char **out,
		   struct aws_error *err)
{
	static const char *const names[] = { "samconfig.toml", "samconfig.yaml",
					     "samconfig.yml" };
	int in_cwd = !template_dir || !*template_dir || !strcmp(template_dir, ".");
	const char *dirs[2] = { template_dir, "." };
	struct stat st;

	*out = NULL;
	if (explicit_path) {
		char *path = explicit_path[0] == '/' ? xstrdup(explicit_path)
						     : join_path(template_dir, explicit_path);
		int rc = 0;

		if (stat(path, &st))
			rc = aws_error_set(err, AWSX_ECONFIG, "cannot read config file '%s': %s",
					   path, strerror(errno));
		else if (!is_readable_kind(&st))
			rc = aws_error_set(err, AWSX_ECONFIG, "cannot read config file '%s': %s",
					   path, S_ISDIR(st.st_mode) ? strerror(EISDIR)
								     : "not a regular file");
		if (rc)
			free(path);
		else
			*out = path;
		return rc;
	}
	for (size_t d = in_cwd ? 1 : 0; d < ARRAY_SIZE(dirs); d++) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			char *path = join_path(dirs[d], names[i]);

			if (!stat(path, &st) && is_readable_kind(&st)) {
				*out = path;
				return 0;
			}
			free(path);
		}
	}
	return 0;
}
