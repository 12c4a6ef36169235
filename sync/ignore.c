/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ignore.c: .awsxignore, the gitignore(5)-syntax list of what stays out of a
 * function's package, and the default exclusions SAM's builders apply per
 * runtime.  Each line is compiled once into components (split at '/') of
 * tokens (literal byte, '?', '*', a 256-bit set for "[...]"), so matching
 * never re-parses a pattern.  Matching is two nested instances of the
 * iterative wildcard algorithm with one backtrack point: bytes against
 * tokens inside a component, where '*' is the wildcard, and components
 * against path components, where "**" is.  Together they take at most
 * O(pattern length x path length) steps per rule, so no pattern, however
 * hostile, makes a match take exponential time.
 */
#include "sync/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Far above any hand-written ignore file; the cap only keeps a wrong path
 * (a log, a binary) from being read whole.
 */
#define IGNORE_FILE_MAX (4u * 1024 * 1024)

enum tok_kind {
	TOK_BYTE, /* one byte, equal to ch */
	TOK_ANY,  /* '?': one byte */
	TOK_STAR, /* '*': any bytes (never '/': components hold none) */
	TOK_SET,  /* "[...]": one byte of sets[set] */
};

struct tok {
	unsigned char kind;
	unsigned char ch;
	unsigned set;
};

struct comp {
	size_t start, nr; /* tokens */
	int globstar;	  /* "**" alone between slashes: any number of components */
};

struct byte_set {
	unsigned char bits[32];
};

enum rule_flags {
	RULE_NEGATE = (1 << 0),	  /* "!pattern" */
	RULE_DIR_ONLY = (1 << 1), /* "pattern/" */
	RULE_BASENAME = (1 << 2), /* no '/': one component, matched against the last */
};

struct sync_ignore_rule {
	unsigned flags;
	struct tok *toks;
	size_t nr_toks, alloc_toks;
	struct comp *comps;
	size_t nr_comps, alloc_comps;
	struct byte_set *sets;
	size_t nr_sets, alloc_sets;
};

/* A stretch of the path being asked about: one component. */
struct span {
	const char *s;
	size_t len;
};

static void set_add(struct byte_set *set, unsigned c)
{
	set->bits[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static int set_has(const struct byte_set *set, unsigned c)
{
	return (set->bits[c >> 3] >> (c & 7)) & 1;
}

static void rule_release(struct sync_ignore_rule *r)
{
	free(r->toks);
	free(r->comps);
	free(r->sets);
	memset(r, 0, sizeof(*r));
}

static void push_tok(struct sync_ignore_rule *r, unsigned kind, unsigned ch, unsigned set)
{
	ALLOC_GROW(r->toks, r->nr_toks + 1, r->alloc_toks);
	r->toks[r->nr_toks].kind = (unsigned char)kind;
	r->toks[r->nr_toks].ch = (unsigned char)ch;
	r->toks[r->nr_toks].set = set;
	r->nr_toks++;
}

static void push_comp(struct sync_ignore_rule *r, size_t start, int globstar)
{
	ALLOC_GROW(r->comps, r->nr_comps + 1, r->alloc_comps);
	r->comps[r->nr_comps].start = start;
	r->comps[r->nr_comps].nr = r->nr_toks - start;
	r->comps[r->nr_comps].globstar = globstar;
	r->nr_comps++;
}

/*
 * Is c in the POSIX class name[0..len)?  -1: there is no such class.  The
 * ASCII meaning, whatever the locale: a package must not change with LANG.
 */
static int class_has(const char *name, size_t len, unsigned c)
{
#define IS(n) (len == sizeof(n) - 1 && !memcmp(name, n, len))
	int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	int digit = c >= '0' && c <= '9';
	int graph = c > 0x20 && c < 0x7f;

	if (IS("alnum"))
		return upper || lower || digit;
	if (IS("alpha"))
		return upper || lower;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < 0x20 || c == 0x7f;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return graph;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return graph || c == ' ';
	if (IS("punct"))
		return graph && !upper && !lower && !digit;
	if (IS("space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	return -1;
#undef IS
}

/*
 * Compile the bracket expression at p[*i] == '[' into a new set, leaving *i
 * after its ']'.  git's reading of the odd cases is kept: a ']' or '-'
 * right after "[" or "[!" is a member, '-' between two members is a range,
 * "\x" is x, and "[:" without a closing ":]" is a plain '['.  Returns 0, or
 * -1 with a reason in why.
 */
static int compile_set(struct sync_ignore_rule *r, const char *p, size_t len, size_t *i, char *why,
		       size_t whylen)
{
	struct byte_set set;
	size_t j = *i + 1;
	unsigned prev = 0; /* the last single member, 0 after a range or class */
	int negate = 0, first = 1;

	memset(&set, 0, sizeof(set));
	if (j < len && (p[j] == '!' || p[j] == '^')) {
		negate = 1;
		j++;
	}
	for (;; first = 0) {
		unsigned c;

		if (j >= len)
			goto unterminated;
		c = (unsigned char)p[j];
		if (c == ']' && !first)
			break;
		if (c == '\\') {
			if (++j >= len)
				goto unterminated;
			c = (unsigned char)p[j++];
			set_add(&set, c);
			prev = c;
		} else if (c == '-' && prev && j + 1 < len && p[j + 1] != ']') {
			unsigned hi = (unsigned char)p[++j];
			if (hi == '\\') {
				if (++j >= len)
					goto unterminated;
				hi = (unsigned char)p[j];
			}
			for (unsigned k = prev; k <= hi; k++)
				set_add(&set, k);
			prev = 0;
			j++;
		} else if (c == '[' && j + 1 < len && p[j + 1] == ':') {
			const char *name = p + j + 2;
			const char *close = memchr(name, ']', len - (j + 2));
			if (!close)
				goto unterminated;
			if (close == name || close[-1] != ':') {
				/* not a class after all: '[' is a member, read on from ':' */
				set_add(&set, '[');
				prev = '[';
				j++;
				continue;
			}
			size_t nlen = (size_t)(close - 1 - name);
			if (class_has(name, nlen, 'a') < 0) {
				snprintf(why, whylen, "unknown character class '[:%.*s:]'",
					 (int)nlen, name);
				return -1;
			}
			for (unsigned k = 1; k < 256; k++)
				if (class_has(name, nlen, k))
					set_add(&set, k);
			prev = 0;
			j = (size_t)(close - p) + 1;
		} else {
			set_add(&set, c);
			prev = c;
			j++;
		}
	}
	if (negate)
		for (size_t k = 0; k < sizeof(set.bits); k++)
			set.bits[k] = (unsigned char)~set.bits[k];
	/* a class never matches '/' (git's WM_PATHNAME); NUL ends the name */
	set.bits['/' >> 3] &= (unsigned char)~(1u << ('/' & 7));
	set.bits[0] &= (unsigned char)~1u;

	ALLOC_GROW(r->sets, r->nr_sets + 1, r->alloc_sets);
	r->sets[r->nr_sets] = set;
	push_tok(r, TOK_SET, 0, (unsigned)r->nr_sets);
	r->nr_sets++;
	*i = j + 1;
	return 0;

unterminated:
	snprintf(why, whylen, "unterminated '['");
	return -1;
}

/*
 * Compile the pattern p[0..len) (negation, trailing '/' and leading '/'
 * already taken off) into r's components.  In a basename pattern there is
 * no '/' to split at and "**" is just '*'.
 */
static int compile(struct sync_ignore_rule *r, const char *p, size_t len, char *why, size_t whylen)
{
	size_t i = 0, start = 0;
	int double_star = 0; /* the component's only token came from "**" or longer */

	while (i < len) {
		unsigned c = (unsigned char)p[i];

		if (c == '/' || (c == '\\' && i + 1 < len && p[i + 1] == '/')) {
			/* "\/" is a '/' to git's wildmatch too */
			i += c == '/' ? 1 : 2;
			push_comp(r, start, double_star && r->nr_toks - start == 1);
			start = r->nr_toks;
			double_star = 0;
		} else if (c == '\\') {
			if (i + 1 >= len) {
				snprintf(why, whylen, "trailing backslash");
				return -1;
			}
			push_tok(r, TOK_BYTE, (unsigned char)p[i + 1], 0);
			i += 2;
		} else if (c == '*') {
			size_t run = 0;
			while (i < len && p[i] == '*')
				i++, run++;
			if (r->nr_toks == start)
				double_star = run > 1;
			push_tok(r, TOK_STAR, 0, 0);
		} else if (c == '?') {
			push_tok(r, TOK_ANY, 0, 0);
			i++;
		} else if (c == '[') {
			if (compile_set(r, p, len, &i, why, whylen))
				return -1;
		} else {
			push_tok(r, TOK_BYTE, c, 0);
			i++;
		}
	}
	push_comp(r, start, double_star && r->nr_toks - start == 1);

	if (r->flags & RULE_BASENAME) {
		r->comps[0].globstar = 0;
		return 0;
	}
	/*
	 * A trailing globstar matches everything inside but not the
	 * folder itself: it is one component of anything ('*') followed by
	 * any number more.
	 */
	if (r->comps[r->nr_comps - 1].globstar) {
		r->comps[r->nr_comps - 1].globstar = 0;
		push_comp(r, r->nr_toks, 1);
	}
	return 0;
}

/* Does one component of text (s, n, no '/') match component c of r? */
static int comp_match(const struct sync_ignore_rule *r, const struct comp *c, const char *s,
		      size_t n)
{
	/* an empty component ("a//b") may belong to a rule with no tokens at all */
	const struct tok *tok = c->nr ? r->toks + c->start : NULL;
	size_t m = c->nr, p = 0, t = 0, star_p = 0, star_t = 0;
	int star = 0;

	/*
	 * On a mismatch go back to the last '*' and let it take one more
	 * byte.  Earlier stars never need to move again: whatever they could
	 * give up, the last star can take (no '/' can be in the way here).
	 */
	while (t < n) {
		if (p < m) {
			const struct tok *k = &tok[p];
			unsigned ch = (unsigned char)s[t];

			if (k->kind == TOK_STAR) {
				star = 1;
				star_p = ++p;
				star_t = t;
				continue;
			}
			if ((k->kind == TOK_BYTE && k->ch == ch) || k->kind == TOK_ANY ||
			    (k->kind == TOK_SET && set_has(&r->sets[k->set], ch))) {
				p++;
				t++;
				continue;
			}
		}
		if (!star)
			return 0;
		p = star_p;
		t = ++star_t;
	}
	while (p < m && tok[p].kind == TOK_STAR)
		p++;
	return p == m;
}

/*
 * Do the n components of text match all of r's components?  The same
 * algorithm one level up: a globstar component is the wildcard (any number
 * of whole components) and every other component matches exactly one.
 */
static int path_match(const struct sync_ignore_rule *r, const struct span *text, size_t n)
{
	size_t m = r->nr_comps, i = 0, j = 0, star_i = 0, star_j = 0;
	int star = 0;

	while (j < n) {
		if (i < m && r->comps[i].globstar) {
			star = 1;
			star_i = ++i;
			star_j = j;
			continue;
		}
		if (i < m && comp_match(r, &r->comps[i], text[j].s, text[j].len)) {
			i++;
			j++;
			continue;
		}
		if (!star)
			return 0;
		i = star_i;
		j = ++star_j;
	}
	while (i < m && r->comps[i].globstar)
		i++;
	return i == m;
}

/*
 * The verdict of the rules on the path made of text[0..n): 1 ignored, 0
 * not (no rule matched, or the last one that did was a "!" rule).
 */
static int verdict(const struct sync_ignore *ig, const struct span *text, size_t n, int is_dir)
{
	for (size_t k = ig->nr; k-- > 0;) {
		const struct sync_ignore_rule *r = &ig->rules[k];
		int hit;

		if ((r->flags & RULE_DIR_ONLY) && !is_dir)
			continue;
		if (r->flags & RULE_BASENAME)
			hit = comp_match(r, &r->comps[0], text[n - 1].s, text[n - 1].len);
		else
			hit = path_match(r, text, n);
		if (hit)
			return !(r->flags & RULE_NEGATE);
	}
	return 0;
}

/* Split rel at '/' into spans (a fixed array when it fits); the count. */
static size_t split(const char *rel, struct span *fixed, size_t nfixed, struct span **out)
{
	size_t n = 1, k = 0;
	const char *s = rel;

	for (const char *p = rel; *p; p++)
		n += *p == '/';
	*out = n <= nfixed ? fixed : xmalloc(n * sizeof(**out));
	for (const char *p = rel;; p++) {
		if (*p == '/' || !*p) {
			(*out)[k].s = s;
			(*out)[k].len = (size_t)(p - s);
			k++;
			s = p + 1;
			if (!*p)
				break;
		}
	}
	return n;
}

int sync_ignore_match(const struct sync_ignore *ig, const char *rel, int is_dir)
{
	struct span fixed[32], *text;
	size_t n;
	int ret;

	if (!ig->nr)
		return 0;
	n = split(rel, fixed, ARRAY_SIZE(fixed), &text);
	ret = verdict(ig, text, n, is_dir);
	if (text != fixed)
		free(text);
	return ret;
}

int sync_ignore_match_path(const struct sync_ignore *ig, const char *rel, int is_dir)
{
	struct span fixed[32], *text;
	size_t n;
	int ret = 0;

	if (!ig->nr)
		return 0;
	n = split(rel, fixed, ARRAY_SIZE(fixed), &text);
	/* each leading folder as the walk would meet it, then the path */
	for (size_t k = 1; k <= n && !ret; k++)
		ret = verdict(ig, text, k, k < n ? 1 : is_dir);
	if (text != fixed)
		free(text);
	return ret;
}

int sync_exclude_ignore(const char *rel, int is_dir, void *data)
{
	return sync_ignore_match(data, rel, is_dir);
}

/*
 * git's trimming: drop the trailing run of spaces unless its first space is
 * escaped ("a\ " keeps one); tabs stay.  len is updated.
 */
static void trim_trailing_spaces(const char *s, size_t *len)
{
	size_t i, cut = SIZE_MAX;

	for (i = 0; i < *len; i++) {
		if (s[i] == ' ') {
			if (cut == SIZE_MAX)
				cut = i;
			continue;
		}
		if (s[i] == '\\' && ++i >= *len)
			return; /* a trailing backslash: kept, and an error later */
		cut = SIZE_MAX;
	}
	if (cut != SIZE_MAX)
		*len = cut;
}

int sync_ignore_add_line(struct sync_ignore *ig, const char *line, const char *source,
			 unsigned lineno, struct aws_error *err)
{
	struct sync_ignore_rule r;
	size_t len = strlen(line);
	const char *p = line;
	char why[160];

	memset(&r, 0, sizeof(r));
	if (len && p[len - 1] == '\r')
		len--;
	if (!len || p[0] == '#')
		return 0;
	trim_trailing_spaces(p, &len);
	if (len && p[0] == '!') {
		r.flags |= RULE_NEGATE;
		p++;
		len--;
	}
	if (len && p[len - 1] == '/') {
		r.flags |= RULE_DIR_ONLY;
		len--;
	}
	if (!memchr(p, '/', len))
		r.flags |= RULE_BASENAME;
	else if (p[0] == '/') {
		p++;
		len--;
	}
	/* "", "!", "/": git accepts them and they never match; neither do we */
	if (!len)
		return 0;
	if (compile(&r, p, len, why, sizeof(why))) {
		rule_release(&r);
		return aws_error_set(err, AWSX_EFAIL, "%s:%u: %s in pattern '%.*s'",
				     source ? source : "(pattern)", lineno, why,
				     (int)strcspn(line, "\r"), line);
	}
	ALLOC_GROW(ig->rules, ig->nr + 1, ig->alloc);
	ig->rules[ig->nr++] = r;
	return 0;
}

int sync_ignore_add_buffer(struct sync_ignore *ig, const char *buf, size_t len, const char *source,
			   struct aws_error *err)
{
	const char *p = buf, *end = buf + len;
	size_t before = ig->nr;
	unsigned lineno = 1;
	char *line = NULL;
	int ret = 0;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3; /* a UTF-8 byte-order mark, as editors on Windows write */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		line = xstrndup(p, (size_t)(eol - p));
		ret = sync_ignore_add_line(ig, line, source, lineno, err);
		free(line);
		if (ret)
			break;
		p = eol + 1;
		lineno++;
	}
	if (ret) {
		/* all or nothing: half a file's rules would be a quiet surprise */
		while (ig->nr > before)
			rule_release(&ig->rules[--ig->nr]);
	}
	return ret;
}

int sync_ignore_add_file(struct sync_ignore *ig, const char *path, struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	if (strbuf_read_file(&sb, path, IGNORE_FILE_MAX)) {
		if (errno != ENOENT && errno != ENOTDIR)
			ret = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", path,
					    strerror(errno));
		goto out;
	}
	ret = sync_ignore_add_buffer(ig, sb.buf, sb.len, path, err);
out:
	strbuf_release(&sb);
	return ret;
}

void sync_ignore_release(struct sync_ignore *ig)
{
	for (size_t k = 0; k < ig->nr; k++)
		rule_release(&ig->rules[k]);
	free(ig->rules);
	ig->rules = NULL;
	ig->nr = ig->alloc = 0;
}

/* ---- default exclusions ---- */

/*
 * What SAM's builders (aws-lambda-builders) leave out when they copy a
 * function's source: each workflow's EXCLUDED_FILES, given to
 * shutil.ignore_patterns, which matches every name at every depth, files
 * and folders alike: a gitignore pattern without '/'.  Most workflows
 * (nodejs_npm, nodejs_npm_esbuild, ruby_bundler, provided_make,
 * custom_make, go_dep) exclude ".aws-sam" and ".git"; python_pip (and
 * python_uv, which adds ".uv-cache" and "uv.lock.bak") excludes the list
 * below, a trimmed github/gitignore Python.gitignore.  For Node.js, SAM's
 * copy is the output of `npm pack`, which adds npm's own rules
 * (package.json "files", .npmignore, node_modules); those depend on the
 * project's files and are not patterns, so they are not here.
 *
 * awsx adds its own state folder ".awsx", and for every runtime the usual
 * virtualenv folders: a Python virtualenv never belongs in a package, and
 * one in a Go or Node.js function folder is a tool's, not the function's.
 * A virtualenv under another name (any folder holding pyvenv.cfg) cannot
 * be told by its name, so no pattern catches it.
 */
static const char *const common_excludes[] = {
	".aws-sam", ".git", ".awsx", ".venv/", "venv/", NULL,
};

static const char *const python_excludes[] = {
	/* SAM's python_pip list, in its order */
	".aws-sam",
	".chalice",
	".git",
	".gitignore",
	"*.pyc",
	"__pycache__",
	"*.so",
	".Python",
	"*.egg-info",
	"*.egg",
	"pip-log.txt",
	"pip-delete-this-directory.txt",
	"htmlcov",
	".tox",
	".nox",
	".coverage",
	".cache",
	".pytest_cache",
	".python-version",
	".mypy_cache",
	".dmypy.json",
	".pyre",
	".env",
	".venv",
	"venv",
	"venv.bak",
	"env.bak",
	"ENV",
	"env",
	".vscode",
	".idea",
	/* awsx */
	".awsx",
	NULL,
};

const char *const *sync_default_excludes(const char *runtime)
{
	if (runtime && str_starts_with(runtime, "python"))
		return python_excludes;
	return common_excludes;
}

int sync_ignore_add_defaults(struct sync_ignore *ig, const char *runtime)
{
	const char *const *pat = sync_default_excludes(runtime);
	struct aws_error err;
	int ret = 0;

	/* constant and valid (the unit test compiles every list) */
	aws_error_clear(&err);
	for (unsigned k = 0; pat[k] && !ret; k++)
		ret = sync_ignore_add_line(ig, pat[k], "awsx default exclusions", k + 1, &err);
	return ret;
}
