/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: the reader of the AWS CLI's shared config and credentials files.
 * Each file is split into lines and parsed the way botocore's INI reading
 * sees it: "[section]" headers, "key = value" settings, full-line '#'/';'
 * comments, inline comments after whitespace, and indented lines that either
 * continue a value or, under a key with an empty value, form a nested
 * sub-section.  Sections and settings are kept in file order and looked up
 * from the last one backwards, so a later duplicate wins without any
 * merging at parse time (which keeps parsing linear even for large files).
 * Lookups consult the credentials file before the config file.
 */
#include "aws/config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_FILE_SIZE (16u * 1024 * 1024)

struct config_sub {
	char *key;
	char *value;
};

struct config_entry {
	char *key;
	char *value;  /* "" for the parent of a nested sub-section */
	char *origin; /* "path:line" */
	struct config_sub *subs;
	size_t nr_subs, alloc_subs;
};

struct config_section {
	enum aws_config_kind kind;
	int ignored;	      /* a config-file section botocore does not use */
	int from_credentials; /* found in the credentials file */
	char *name;
	struct config_entry *entries;
	size_t nr, alloc;
};

struct aws_config {
	struct config_section *sections;
	size_t nr, alloc;
	char *config_path;
	char *credentials_path;
};

/* Parsing state for one file. */
struct config_parser {
	struct aws_config *cfg;
	const char *filename;
	int is_credentials;
	int lineno;
	int has_section;     /* a "[section]" header was seen */
	int has_entry;	     /* the current section has a setting to continue */
	size_t entry_indent; /* indentation of that setting's line */
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* Trim blanks from both ends of [*s, *s + *len). */
static void trim_span(const char **s, size_t *len)
{
	while (*len && is_blank((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/*
 * Cut an inline comment: '#' or ';' preceded by whitespace.  Values such as
 * "secret#1" or URLs with ';' stay whole, as in the SDKs.
 */
static size_t cut_inline_comment(const char *s, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if ((s[i] == '#' || s[i] == ';') &&
		    is_blank((unsigned char)s[i - 1]))
			return i;
	return len;
}

struct aws_config *aws_config_new(void)
{
	return xcalloc(1, sizeof(struct aws_config));
}

static void entry_release(struct config_entry *e)
{
	free(e->key);
	free_secret(e->value);
	free(e->origin);
	for (size_t i = 0; i < e->nr_subs; i++) {
		free(e->subs[i].key);
		free_secret(e->subs[i].value);
	}
	free(e->subs);
}

void aws_config_free(struct aws_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nr; i++) {
		struct config_section *sec = &cfg->sections[i];
		for (size_t j = 0; j < sec->nr; j++)
			entry_release(&sec->entries[j]);
		free(sec->entries);
		free(sec->name);
	}
	free(cfg->sections);
	free(cfg->config_path);
	free(cfg->credentials_path);
	free(cfg);
}

static int parse_error(struct config_parser *p, struct aws_error *err,
		       const char *why)
{
	return aws_error_set(err, AWSX_ECONFIG, "cannot parse '%s': line %d: %s",
			     p->filename, p->lineno, why);
}

static struct config_section *current_section(struct config_parser *p)
{
	return &p->cfg->sections[p->cfg->nr - 1];
}

/*
 * Work out what a section header names.  In the config file only
 * "default", "profile NAME", "sso-session NAME" and "services NAME" are
 * used; botocore splits the header like a shell would, so a name may be
 * quoted, and an unquoted name with blanks makes the section unused.
 */
static void add_section(struct config_parser *p, const char *name,
			size_t len)
{
	static const struct {
		const char *word;
		enum aws_config_kind kind;
	} kinds[] = {
		{ "profile", AWS_CONFIG_PROFILE },
		{ "sso-session", AWS_CONFIG_SSO_SESSION },
		{ "services", AWS_CONFIG_SERVICES },
	};
	struct aws_config *cfg = p->cfg;
	struct config_section *sec;

	ALLOC_GROW(cfg->sections, cfg->nr + 1, cfg->alloc);
	sec = &cfg->sections[cfg->nr++];
	memset(sec, 0, sizeof(*sec));
	sec->kind = AWS_CONFIG_PROFILE;
	sec->from_credentials = p->is_credentials;
	p->has_section = 1;
	p->has_entry = 0;

	if (p->is_credentials || (len == 7 && !memcmp(name, "default", 7))) {
		sec->name = xstrndup(name, len);
		return;
	}
	sec->ignored = 1;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t wlen = strlen(kinds[i].word);
		const char *rest = name + wlen;
		size_t rlen = len - wlen;

		if (len <= wlen || memcmp(name, kinds[i].word, wlen) ||
		    !is_blank((unsigned char)*rest))
			continue;
		trim_span(&rest, &rlen);
		if (rlen >= 2 && (rest[0] == '"' || rest[0] == '\'') &&
		    rest[rlen - 1] == rest[0]) {
			rest++;
			rlen -= 2;
		} else {
			for (size_t j = 0; j < rlen; j++)
				if (is_blank((unsigned char)rest[j]))
					rlen = 0;
		}
		if (!rlen)
			break;
		sec->kind = kinds[i].kind;
		sec->name = xstrndup(rest, rlen);
		sec->ignored = 0;
		break;
	}
	if (!sec->name)
		sec->name = xstrndup(name, len);
}

static int parse_header(struct config_parser *p, const char *s, size_t len,
			struct aws_error *err)
{
	const char *close = memchr(s, ']', len);
	const char *name = s + 1;
	size_t nlen;

	if (!close)
		return parse_error(p, err, "missing ']' in section header");
	for (const char *q = close + 1; q < s + len; q++) {
		if (*q == '#' || *q == ';')
			break;
		if (!is_blank((unsigned char)*q))
			return parse_error(p, err,
					   "unexpected text after ']' in section header");
	}
	nlen = (size_t)(close - name);
	trim_span(&name, &nlen);
	if (!nlen)
		return parse_error(p, err, "empty section name");
	add_section(p, name, nlen);
	return 0;
}

static int parse_setting(struct config_parser *p, const char *s, size_t len,
			 size_t indent, struct aws_error *err)
{
	const char *eq = memchr(s, '=', len);
	const char *key = s, *value;
	size_t klen, vlen;
	struct config_section *sec;
	struct config_entry *e;

	if (!eq)
		return parse_error(p, err,
				   "expected 'key = value' or '[section]'");
	if (!p->has_section)
		return parse_error(p, err,
				   "setting before the first '[section]' header");
	klen = (size_t)(eq - s);
	trim_span(&key, &klen);
	if (!klen)
		return parse_error(p, err, "missing key name before '='");
	value = eq + 1;
	vlen = cut_inline_comment(value, (size_t)(s + len - value));
	trim_span(&value, &vlen);

	sec = current_section(p);
	ALLOC_GROW(sec->entries, sec->nr + 1, sec->alloc);
	e = &sec->entries[sec->nr++];
	memset(e, 0, sizeof(*e));
	e->key = xstrndup(key, klen);
	e->value = xstrndup(value, vlen);
	e->origin = xstrfmt("%s:%d", p->filename, p->lineno);
	p->has_entry = 1;
	p->entry_indent = indent;
	return 0;
}

/*
 * An indented line under a setting: a "sub = value" line of a nested
 * sub-section when the setting's value is empty, else more of its value.
 */
static int parse_continuation(struct config_parser *p, const char *s,
			      size_t len, struct aws_error *err)
{
	struct config_section *sec = current_section(p);
	struct config_entry *e = &sec->entries[sec->nr - 1];
	size_t vlen = cut_inline_comment(s, len);
	const char *value = s;

	if (e->value[0] && !e->nr_subs) {
		char *joined;

		trim_span(&value, &vlen);
		if (!vlen)
			return 0;
		joined = xstrfmt("%s\n%.*s", e->value, (int)vlen, value);
		free_secret(e->value);
		e->value = joined;
		return 0;
	}

	const char *eq = memchr(s, '=', len);
	const char *key = s;
	size_t klen;

	if (!eq)
		return parse_error(p, err,
				   "expected 'key = value' in a nested section");
	klen = (size_t)(eq - s);
	trim_span(&key, &klen);
	if (!klen)
		return parse_error(p, err, "missing key name before '='");
	value = eq + 1;
	vlen = cut_inline_comment(value, (size_t)(s + len - value));
	trim_span(&value, &vlen);
	ALLOC_GROW(e->subs, e->nr_subs + 1, e->alloc_subs);
	e->subs[e->nr_subs].key = xstrndup(key, klen);
	e->subs[e->nr_subs].value = xstrndup(value, vlen);
	e->nr_subs++;
	return 0;
}

static int parse_line(struct config_parser *p, const char *line, size_t len,
		      struct aws_error *err)
{
	size_t indent = 0;
	const char *s;

	if (memchr(line, '\0', len))
		return parse_error(p, err, "unexpected NUL byte");
	while (indent < len && is_blank((unsigned char)line[indent]))
		indent++;
	s = line + indent;
	len -= indent;
	trim_span(&s, &len);
	if (!len || *s == '#' || *s == ';')
		return 0;
	if (indent && p->has_entry && indent > p->entry_indent)
		return parse_continuation(p, s, len, err);
	if (*s == '[')
		return parse_header(p, s, len, err);
	return parse_setting(p, s, len, indent, err);
}

int aws_config_parse(struct aws_config *cfg, const char *text, size_t len,
		     const char *filename, int is_credentials,
		     struct aws_error *err)
{
	struct config_parser p = { cfg, filename, is_credentials, 0, 0, 0, 0 };
	const char *end = text + len;
	const char *line = text;
	int rc = 0;

	if (len > CONFIG_MAX_FILE_SIZE)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot parse '%s': file is larger than 16 MiB",
				     filename);
	if (is_credentials && !cfg->credentials_path)
		cfg->credentials_path = xstrdup(filename);
	else if (!is_credentials && !cfg->config_path)
		cfg->config_path = xstrdup(filename);

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		line += 3;
	while (line < end) {
		const char *eol = line;
		const char *next;

		/* "\n", "\r\n" and a lone "\r" all end a line. */
		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		next = eol;
		if (next < end && *next == '\r' && next + 1 < end &&
		    next[1] == '\n')
			next += 2;
		else if (next < end)
			next++;
		p.lineno++;
		rc = parse_line(&p, line, (size_t)(eol - line), err);
		if (rc)
			goto out;
		line = next;
	}
out:
	return rc;
}

/* ---- loading ---- */

/* Expand a leading "~" or "~/" from HOME (else the password database). */
static char *expand_home(const char *path)
{
	const char *home;
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return xstrdup(path);
	home = getenv("HOME");
	if (!home || !*home) {
		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) ||
		    !found)
			return xstrdup(path);
		home = found->pw_dir;
	}
	return xstrfmt("%s%s", home, path + 1);
}

static char *resolve_path(const char *given, const char *env,
			  const char *fallback)
{
	if (!given) {
		given = getenv(env);
		if (!given || !*given)
			given = fallback;
	}
	return expand_home(given);
}

static int load_file(struct aws_config *cfg, const char *path,
		     int is_credentials, struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	if (stat(path, &st)) {
		if (errno == ENOENT || errno == ENOTDIR)
			goto out;
		rc = aws_error_set(err, AWSX_ECONFIG, "cannot read '%s': %s",
				   path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "cannot read '%s': it is a directory", path);
		goto out;
	}
	if (st.st_size > (off_t)CONFIG_MAX_FILE_SIZE ||
	    strbuf_read_file(&sb, path, CONFIG_MAX_FILE_SIZE)) {
		if (st.st_size > (off_t)CONFIG_MAX_FILE_SIZE || errno == EFBIG)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "cannot read '%s': file is larger than 16 MiB",
					   path);
		else if (errno != ENOENT)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "cannot read '%s': %s", path,
					   strerror(errno));
		goto out;
	}
	rc = aws_config_parse(cfg, sb.buf, sb.len, path, is_credentials, err);
out:
	strbuf_release_secret(&sb);
	return rc;
}

int aws_config_load(struct aws_config **out, const char *config_path,
		    const char *credentials_path, struct aws_error *err)
{
	struct aws_config *cfg = aws_config_new();
	int rc;

	cfg->config_path =
		resolve_path(config_path, "AWS_CONFIG_FILE", "~/.aws/config");
	cfg->credentials_path =
		resolve_path(credentials_path, "AWS_SHARED_CREDENTIALS_FILE",
			     "~/.aws/credentials");
	rc = load_file(cfg, cfg->config_path, 0, err);
	if (rc)
		goto out;
	rc = load_file(cfg, cfg->credentials_path, 1, err);
out:
	if (rc) {
		aws_config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	return rc;
}

/* ---- lookups ---- */

/*
 * The setting that wins for (kind, name, key): credentials file before the
 * config file, later sections and later lines before earlier ones.
 */
static const struct config_entry *find_entry(const struct aws_config *cfg,
					     enum aws_config_kind kind,
					     const char *name, const char *key)
{
	if (!cfg || !name || !key)
		return NULL;
	for (int pass = 1; pass >= 0; pass--) {
		for (size_t i = cfg->nr; i-- > 0;) {
			const struct config_section *sec = &cfg->sections[i];

			if (sec->ignored || sec->kind != kind ||
			    sec->from_credentials != pass ||
			    strcmp(sec->name, name))
				continue;
			for (size_t j = sec->nr; j-- > 0;)
				if (!strcasecmp(sec->entries[j].key, key))
					return &sec->entries[j];
		}
	}
	return NULL;
}

static const char *find_sub(const struct config_entry *e, const char *subkey)
{
	if (!e || !subkey)
		return NULL;
	for (size_t i = e->nr_subs; i-- > 0;)
		if (!strcasecmp(e->subs[i].key, subkey))
			return e->subs[i].value;
	return NULL;
}

const char *aws_config_get(const struct aws_config *cfg, const char *profile,
			   const char *key)
{
	const struct config_entry *e =
		find_entry(cfg, AWS_CONFIG_PROFILE, profile, key);
	return e ? e->value : NULL;
}

const char *aws_config_get_sub(const struct aws_config *cfg,
			       const char *profile, const char *key,
			       const char *subkey)
{
	return find_sub(find_entry(cfg, AWS_CONFIG_PROFILE, profile, key),
			subkey);
}

const char *aws_config_section_get(const struct aws_config *cfg,
				   enum aws_config_kind kind, const char *name,
				   const char *key)
{
	const struct config_entry *e = find_entry(cfg, kind, name, key);
	return e ? e->value : NULL;
}

const char *aws_config_section_get_sub(const struct aws_config *cfg,
				       enum aws_config_kind kind,
				       const char *name, const char *key,
				       const char *subkey)
{
	return find_sub(find_entry(cfg, kind, name, key), subkey);
}

int aws_config_has_profile(const struct aws_config *cfg, const char *profile)
{
	if (!cfg || !profile)
		return 0;
	for (size_t i = 0; i < cfg->nr; i++) {
		const struct config_section *sec = &cfg->sections[i];
		if (!sec->ignored && sec->kind == AWS_CONFIG_PROFILE &&
		    !strcmp(sec->name, profile))
			return 1;
	}
	return 0;
}

const char *aws_config_origin(const struct aws_config *cfg, const char *profile,
			      const char *key)
{
	const struct config_entry *e =
		find_entry(cfg, AWS_CONFIG_PROFILE, profile, key);
	return e ? e->origin : NULL;
}

const char *aws_config_path(const struct aws_config *cfg)
{
	return cfg && cfg->config_path ? cfg->config_path : "";
}

const char *aws_config_credentials_path(const struct aws_config *cfg)
{
	return cfg && cfg->credentials_path ? cfg->credentials_path : "";
}
