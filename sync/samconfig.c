/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samconfig.c: reads SAM CLI's samconfig.toml / samconfig.yaml into cJSON
 * and picks the parameters of one command in one environment, the way SAM
 * CLI does (global parameters under the command's, version check, missing
 * environment = no parameters).
 *
 * The TOML reader is written here because Debian 12 packages no C TOML
 * library.  It takes the whole of TOML 1.0 that a configuration file can
 * hold -- comments, [tables] and [[arrays of tables]] with bare or quoted
 * dotted names, dotted keys, the four kinds of strings with every escape,
 * integers in four bases, floats, booleans, arrays and inline tables --
 * and refuses dates and times, inf and nan with a message.  It enforces
 * TOML's rules on defining a table or key twice with a hash from (table,
 * key) to how that key was defined, so a large file costs linear time.
 * Input is checked as UTF-8 first, and a CR is a newline as in SAM CLI's
 * Python; nesting is capped, so no recursion runs deeper than
 * SAMCONFIG_MAX_DEPTH.  YAML goes through libyaml's event API, with aliases
 * (copies count against a node cap) and merge keys, which SAM CLI's
 * ruamel.yaml also reads.  Every error carries file:line:column.
 */
#include "sync/samconfig.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

/* ---- documents, positions and errors ---- */

/* Byte offset of the start of every line, to turn an offset into line:column. */
struct text_index {
	const char *text;
	size_t len;
	size_t *starts;
	size_t nr, alloc;
};

static void text_index_init(struct text_index *x, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	memset(x, 0, sizeof(*x));
	x->text = text;
	x->len = len;
	ALLOC_GROW(x->starts, 1, x->alloc);
	x->starts[x->nr++] = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		p++;
		ALLOC_GROW(x->starts, x->nr + 1, x->alloc);
		x->starts[x->nr++] = (size_t)(p - text);
	}
}

static void text_index_release(struct text_index *x)
{
	free(x->starts);
	memset(x, 0, sizeof(*x));
}

/* 1-based line and column (columns count characters) of a byte offset. */
static void text_pos(const struct text_index *x, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = x->nr;

	if (off > x->len)
		off = x->len;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (unsigned)lo + 1;
	*col = 1;
	for (size_t i = x->starts[lo]; i < off; i++)
		if (((unsigned char)x->text[i] & 0xc0) != 0x80)
			(*col)++;
}

/* Where the nodes SAM's checks look at (depth 1 to 3) were written. */
struct node_pos {
	const cJSON *node;
	size_t off; /* TOML: byte offset, until resolve_positions() */
	unsigned line, col;
};

struct doc {
	const char *name;
	int yaml;
	cJSON *root;
	struct node_pos *pos;
	size_t pos_nr, pos_alloc;
};

static void doc_note(struct doc *d, const cJSON *node, unsigned line, unsigned col)
{
	ALLOC_GROW(d->pos, d->pos_nr + 1, d->pos_alloc);
	d->pos[d->pos_nr].node = node;
	d->pos[d->pos_nr].off = 0;
	d->pos[d->pos_nr].line = line;
	d->pos[d->pos_nr].col = col;
	d->pos_nr++;
}

static void doc_where(const struct doc *d, const cJSON *node, unsigned *line, unsigned *col)
{
	*line = *col = 0;
	for (size_t i = 0; i < d->pos_nr; i++) {
		if (d->pos[i].node == node) {
			*line = d->pos[i].line;
			*col = d->pos[i].col;
			return;
		}
	}
}

static int vfail_at(struct aws_error *err, const char *name, unsigned line, unsigned col,
		    const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	if (line)
		aws_error_set(err, AWSX_ECONFIG, "%s:%u:%u: %s", name, line, col, sb.buf);
	else
		aws_error_set(err, AWSX_ECONFIG, "%s: %s", name, sb.buf);
	strbuf_release(&sb);
	return -AWSX_ECONFIG;
}

/* "<name>:<line>:<col>: <message>", or "<name>: <message>" for line 0. */
static int fail_at(struct aws_error *err, const char *name, unsigned line, unsigned col,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct aws_error *err, const char *name, unsigned line, unsigned col,
		   const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail_at(err, name, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

/* Offset of the first byte that is not well-formed UTF-8, or len. */
static size_t utf8_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		uint32_t cp, min;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n >= len - i)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/* A number that keeps its text, as templates/ numbers do. */
static cJSON *number_with_text(double v, const char *text)
{
	cJSON *n = cJSON_CreateNumber(v);

	n->valuestring = xstrdup(text);
	return n;
}

/* ==== TOML ==== */

/* How a key of a table came to be, for TOML's rules on defining things twice. */
enum {
	T_IMPLICIT = 1 << 0, /* a table named on the way to a header: a in [a.b] */
	T_DEFINED = 1 << 1,  /* a table with its own [header] */
	T_DOTTED = 1 << 2,   /* a table made by a dotted key: a in a.b = 1 */
	T_INLINE = 1 << 3,   /* an inline table: closed once written */
	T_VALUE = 1 << 4,    /* any other value given with '=' (arrays too) */
	T_TABLES = 1 << 5,   /* an array of tables, [[a]] */
};

struct slot {
	const cJSON *parent; /* NULL: empty slot */
	const char *key;     /* the child's own key string */
	cJSON *child;
	cJSON *last; /* T_TABLES: the latest table of the array */
	size_t off;  /* where it was defined */
	unsigned flags, depth;
};

/* A (dotted) key as written: its parts and where each starts. */
struct key {
	char *part[SAMCONFIG_MAX_DEPTH];
	size_t off[SAMCONFIG_MAX_DEPTH];
	size_t nr;
};

struct toml {
	struct doc *doc;
	const char *s;
	size_t len, i;
	struct text_index idx;
	struct aws_error *err;
	struct slot *slots;
	size_t slots_nr, slots_alloc; /* alloc is a power of two, or 0 */
	cJSON *cur;		      /* the table key = value lines go to */
	unsigned cur_depth;
	struct strbuf tmp;
};

static int toml_fail(struct toml *t, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int toml_fail(struct toml *t, size_t off, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	int rc;

	text_pos(&t->idx, off, &line, &col);
	va_start(ap, fmt);
	rc = vfail_at(t->err, t->doc->name, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

static unsigned toml_line(const struct toml *t, size_t off)
{
	unsigned line, col;

	text_pos(&t->idx, off, &line, &col);
	return line;
}

/* ---- the (table, key) hash ---- */

static size_t slot_hash(const cJSON *parent, const char *key)
{
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ULL;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 31;
	return (size_t)h;
}

static struct slot *slot_find(struct toml *t, const cJSON *parent, const char *key)
{
	size_t mask, i;

	if (!t->slots_alloc)
		return NULL;
	mask = t->slots_alloc - 1;
	for (i = slot_hash(parent, key) & mask; t->slots[i].parent; i = (i + 1) & mask)
		if (t->slots[i].parent == parent && !strcmp(t->slots[i].key, key))
			return &t->slots[i];
	return NULL;
}

static void slot_insert(struct slot *slots, size_t alloc, const struct slot *s)
{
	size_t mask = alloc - 1, i;

	for (i = slot_hash(s->parent, s->key) & mask; slots[i].parent; i = (i + 1) & mask)
		;
	slots[i] = *s;
}

/* Pointers from slot_find() do not survive this. */
static void slot_put(struct toml *t, const struct slot *s)
{
	if ((t->slots_nr + 1) * 4 > t->slots_alloc * 3) {
		size_t alloc = t->slots_alloc ? t->slots_alloc * 2 : 64;
		struct slot *slots = xcalloc(alloc, sizeof(*slots));

		for (size_t i = 0; i < t->slots_alloc; i++)
			if (t->slots[i].parent)
				slot_insert(slots, alloc, &t->slots[i]);
		free(t->slots);
		t->slots = slots;
		t->slots_alloc = alloc;
	}
	slot_insert(t->slots, t->slots_alloc, s);
	t->slots_nr++;
}

/* Add child under key to parent (which must not have key yet) and remember how. */
static cJSON *toml_add(struct toml *t, cJSON *parent, const char *key, cJSON *child, size_t off,
		       unsigned flags, unsigned depth)
{
	struct slot s;

	cJSON_AddItemToObject(parent, key, child);
	memset(&s, 0, sizeof(s));
	s.parent = parent;
	s.key = child->string;
	s.child = child;
	s.off = off;
	s.flags = flags;
	s.depth = depth;
	slot_put(t, &s);
	if (depth <= 3) {
		doc_note(t->doc, child, 0, 0);
		t->doc->pos[t->doc->pos_nr - 1].off = off;
	}
	return child;
}

static int pos_off_cmp(const void *a, const void *b)
{
	const struct node_pos *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Offsets to line:column for the noted nodes in one pass over the text:
 * a column costs a scan from the start of its line, and a long line can
 * hold many nodes.
 */
static void resolve_positions(struct toml *t)
{
	struct doc *d = t->doc;
	size_t at = 0;
	unsigned line = 1, col = 1;

	if (d->pos_nr)
		qsort(d->pos, d->pos_nr, sizeof(*d->pos), pos_off_cmp);
	for (size_t i = 0; i < d->pos_nr; i++) {
		for (; at < d->pos[i].off && at < t->len; at++) {
			if (t->s[at] == '\n')
				line++, col = 1;
			else if (((unsigned char)t->s[at] & 0xc0) != 0x80)
				col++;
		}
		d->pos[i].line = line;
		d->pos[i].col = col;
	}
}

static const char *slot_what(unsigned flags)
{
	if (flags & T_INLINE)
		return "an inline table";
	if (flags & T_TABLES)
		return "an array of tables";
	if (flags & T_VALUE)
		return "a value";
	if (flags & T_DOTTED)
		return "a table made by dotted keys";
	return "a table";
}

/* ---- characters ---- */

static int toml_at(const struct toml *t, size_t k)
{
	return t->i + k < t->len ? (unsigned char)t->s[t->i + k] : -1;
}

static void skip_ws(struct toml *t)
{
	while (t->i < t->len && (t->s[t->i] == ' ' || t->s[t->i] == '\t'))
		t->i++;
}

/* Past a newline and 1 when there is one (there are no CRs: see toml_parse). */
static int eat_newline(struct toml *t)
{
	if (toml_at(t, 0) != '\n')
		return 0;
	t->i++;
	return 1;
}

static int is_control(unsigned c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* At '#': to the end of the line (the newline stays). */
static int skip_comment(struct toml *t)
{
	for (t->i++; t->i < t->len; t->i++) {
		unsigned char c = (unsigned char)t->s[t->i];

		if (c == '\n')
			break;
		if (is_control(c))
			return toml_fail(t, t->i, "control character U+%04X in a comment", c);
	}
	return 0;
}

/* Blanks, comments and newlines, as between the values of an array. */
static int skip_blank(struct toml *t)
{
	int rc;

	for (;;) {
		skip_ws(t);
		if (toml_at(t, 0) == '#') {
			if ((rc = skip_comment(t)))
				return rc;
			continue;
		}
		if (!eat_newline(t))
			return 0;
	}
}

/* The rest of a line after a value or header: blanks, a comment, the newline. */
static int end_of_line(struct toml *t, const char *after)
{
	int rc;

	skip_ws(t);
	if (toml_at(t, 0) == '#' && (rc = skip_comment(t)))
		return rc;
	if (t->i >= t->len || eat_newline(t))
		return 0;
	return toml_fail(t, t->i, "unexpected text after %s", after);
}

/* ---- strings ---- */

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | cp >> 6));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | cp >> 12));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | cp >> 18));
		strbuf_addch(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/* At a backslash in a basic string. */
static int parse_escape(struct toml *t, struct strbuf *sb, int multi)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	size_t at = t->i;
	int e = toml_at(t, 1);
	const char *p = e > 0 ? strchr(from, e) : NULL;

	if (p) {
		strbuf_addch(sb, to[p - from]);
		t->i += 2;
		return 0;
	}
	if (e == 'u' || e == 'U') {
		size_t n = e == 'u' ? 4 : 8;
		uint32_t cp = 0;

		for (size_t k = 0; k < n; k++) {
			int h = hex_value(toml_at(t, 2 + k));

			if (h < 0)
				return toml_fail(t, at, "invalid escape '\\%c': it needs %zu hex digits",
						 e, n);
			cp = cp << 4 | (uint32_t)h;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return toml_fail(t, at, "invalid escape: U+%04X is not a Unicode character",
					 (unsigned)cp);
		if (!cp)
			return toml_fail(t, at, "text contains a NUL character");
		add_utf8(sb, cp);
		t->i += 2 + n;
		return 0;
	}
	if (multi) {
		/* a backslash ending a line drops it and the blanks and newlines after it */
		size_t j = t->i + 1;

		while (j < t->len && (t->s[j] == ' ' || t->s[j] == '\t'))
			j++;
		if (j < t->len && t->s[j] == '\n') {
			t->i = j;
			while (t->i < t->len) {
				if (t->s[t->i] == ' ' || t->s[t->i] == '\t')
					t->i++;
				else if (!eat_newline(t))
					break;
			}
			return 0;
		}
	}
	if (e > 0x20 && e < 0x7f)
		return toml_fail(t, at, "invalid escape '\\%c'", e);
	return toml_fail(t, at, "invalid escape");
}

/*
 * The string at t->i (at its opening quote) into sb: basic "...", literal
 * '...', and when multi_ok the multi-line """...""" and '''...'''.
 */
static int parse_string(struct toml *t, struct strbuf *sb, int multi_ok)
{
	size_t open = t->i;
	char q = t->s[t->i];
	int multi = 0, rc;

	strbuf_reset(sb);
	if (toml_at(t, 1) == q && toml_at(t, 2) == q) {
		if (!multi_ok)
			return toml_fail(t, open, "a key cannot be a multi-line string");
		multi = 1;
		t->i += 3;
		eat_newline(t); /* one right after the opening quotes is not text */
	} else {
		t->i++;
	}
	for (;;) {
		unsigned char c;

		if (t->i >= t->len)
			return toml_fail(t, open, "unterminated string");
		c = (unsigned char)t->s[t->i];
		if (c == (unsigned char)q) {
			size_t n = 0;

			if (!multi) {
				t->i++;
				return 0;
			}
			/* one or two quotes are text, also right before the closing three */
			while (toml_at(t, n) == q)
				n++;
			if (n < 3) {
				strbuf_add(sb, t->s + t->i, n);
				t->i += n;
				continue;
			}
			if (n > 5)
				return toml_fail(t, t->i + 5, "too many quotes at the end of a "
							      "multi-line string");
			strbuf_add(sb, t->s + t->i, n - 3);
			t->i += n;
			return 0;
		}
		if (c == '\\' && q == '"') {
			if ((rc = parse_escape(t, sb, multi)))
				return rc;
			continue;
		}
		if (c == '\n') {
			if (!multi)
				return toml_fail(t, open, "unterminated string");
			strbuf_addch(sb, '\n');
			t->i++;
			continue;
		}
		if (is_control(c))
			return toml_fail(t, t->i, "control character U+%04X in a string", c);
		strbuf_addch(sb, c);
		t->i++;
	}
}

/* ---- keys ---- */

static int bare_key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static void key_release(struct key *k)
{
	for (size_t i = 0; i < k->nr; i++)
		free(k->part[i]);
	k->nr = 0;
}

/* The first n parts of k as TOML would write them, for messages; caller frees. */
static char *key_text(const struct key *k, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		const char *p = k->part[i];
		int bare = *p != '\0';

		for (const char *c = p; *c && bare; c++)
			bare = bare_key_char((unsigned char)*c);
		if (i)
			strbuf_addch(&sb, '.');
		if (bare)
			strbuf_adds(&sb, p);
		else
			strbuf_addf(&sb, "\"%s\"", p);
	}
	return strbuf_detach(&sb, NULL);
}

/* A dotted key at t->i into k (which the caller releases, also on error). */
static int parse_key(struct toml *t, struct key *k)
{
	int rc;

	k->nr = 0;
	for (;;) {
		size_t start = t->i;
		char *part;

		if (k->nr == SAMCONFIG_MAX_DEPTH)
			return toml_fail(t, start, "a key of more than %u parts",
					 SAMCONFIG_MAX_DEPTH);
		if (toml_at(t, 0) == '"' || toml_at(t, 0) == '\'') {
			if ((rc = parse_string(t, &t->tmp, 0)))
				return rc;
			part = xstrndup(t->tmp.buf, t->tmp.len);
		} else {
			while (t->i < t->len && bare_key_char((unsigned char)t->s[t->i]))
				t->i++;
			if (t->i == start)
				return toml_fail(t, start, "expected a key");
			part = xstrndup(t->s + start, t->i - start);
		}
		k->part[k->nr] = part;
		k->off[k->nr] = start;
		k->nr++;
		skip_ws(t);
		if (toml_at(t, 0) != '.')
			return 0;
		t->i++;
		skip_ws(t);
	}
}

/* ---- values ---- */

static int parse_value(struct toml *t, unsigned depth, cJSON **out);
static int parse_keyval(struct toml *t, cJSON *tbl, unsigned tbl_depth);

/* Decimal digits with single '_' between them, into sb without the '_'; how many. */
static size_t digit_run(const char **pp, const char *end, struct strbuf *sb)
{
	const char *p = *pp;
	size_t n = 0;

	while (p < end) {
		if (*p >= '0' && *p <= '9') {
			strbuf_addch(sb, *p++);
			n++;
		} else if (*p == '_' && n && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
			p++;
		} else {
			break;
		}
	}
	*pp = p;
	return n;
}

static cJSON *integer_node(uint64_t mag, int neg)
{
	char text[32];

	snprintf(text, sizeof(text), "%s%llu", neg && mag ? "-" : "", (unsigned long long)mag);
	return number_with_text(neg && mag ? -(double)mag : (double)mag, text);
}

/* An integer or float of n bytes at start. */
static int parse_number(struct toml *t, size_t start, size_t n, cJSON **out)
{
	const char *p = t->s + start, *end = p + n;
	struct strbuf *clean = &t->tmp;
	int neg = 0, sign = 0, is_float = 0;
	unsigned shown = n > 40 ? 40 : (unsigned)n;

	strbuf_reset(clean);
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		sign = 1;
		p++;
	}
	if (end - p == 3 && (!memcmp(p, "inf", 3) || !memcmp(p, "nan", 3)))
		return toml_fail(t, start, "inf and nan are not supported");
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
		unsigned base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
		uint64_t v = 0;
		int prev_digit = 0;

		if (sign)
			goto bad;
		for (p += 2; p < end; p++) {
			int d = hex_value((unsigned char)*p);

			if (*p == '_' && prev_digit && p + 1 < end) {
				prev_digit = 0;
				continue;
			}
			if (d < 0 || (unsigned)d >= base)
				goto bad;
			if (v > ((uint64_t)INT64_MAX - (unsigned)d) / base)
				return toml_fail(t, start, "integer '%.*s' is out of range", shown,
						 t->s + start);
			v = v * base + (unsigned)d;
			prev_digit = 1;
		}
		if (!prev_digit)
			goto bad;
		*out = integer_node(v, 0);
		return 0;
	}
	if (neg)
		strbuf_addch(clean, '-');
	{
		size_t first = clean->len, digits = digit_run(&p, end, clean);

		if (!digits || (digits > 1 && clean->buf[first] == '0'))
			goto bad; /* TOML allows no leading zeros */
	}
	if (p < end && *p == '.') {
		is_float = 1;
		strbuf_addch(clean, *p++);
		if (!digit_run(&p, end, clean))
			goto bad;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_float = 1;
		strbuf_addch(clean, *p++);
		if (p < end && (*p == '+' || *p == '-'))
			strbuf_addch(clean, *p++);
		if (!digit_run(&p, end, clean))
			goto bad;
	}
	if (p != end)
		goto bad;
	if (is_float) {
		double v = strtod(clean->buf, NULL);

		if (!isfinite(v))
			return toml_fail(t, start, "number '%.*s' is out of range", shown,
					 t->s + start);
		*out = number_with_text(v, clean->buf);
		return 0;
	}
	{
		uint64_t v = 0, max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

		for (const char *d = clean->buf + neg; *d; d++) {
			unsigned dv = (unsigned)(*d - '0');

			if (v > (max - dv) / 10)
				return toml_fail(t, start, "integer '%.*s' is out of range", shown,
						 t->s + start);
			v = v * 10 + dv;
		}
		*out = integer_node(v, neg);
		return 0;
	}
bad:
	return toml_fail(t, start, "invalid number '%.*s'", shown, t->s + start);
}

static int ends_value(int c)
{
	return c < 0 || c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ']' ||
	       c == '}' || c == '#';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A boolean, number, or a word that is not a value. */
static int parse_word(struct toml *t, cJSON **out)
{
	size_t start = t->i, end = start, n;
	const char *w = t->s + start;
	int rc = 0;

	while (end < t->len && !ends_value((unsigned char)t->s[end]))
		end++;
	n = end - start;
	if (!n)
		return toml_fail(t, start, "expected a value");
	if (n == 4 && !memcmp(w, "true", 4)) {
		*out = cJSON_CreateTrue();
	} else if (n == 5 && !memcmp(w, "false", 5)) {
		*out = cJSON_CreateFalse();
	} else if ((n >= 5 && is_digit(w[0]) && is_digit(w[1]) && is_digit(w[2]) &&
		    is_digit(w[3]) && w[4] == '-') ||
		   (n >= 3 && is_digit(w[0]) && is_digit(w[1]) && w[2] == ':')) {
		return toml_fail(t, start, "dates and times are not supported");
	} else if (is_digit(w[0]) || w[0] == '+' || w[0] == '-' || w[0] == '.' ||
		   (n == 3 && (!memcmp(w, "inf", 3) || !memcmp(w, "nan", 3)))) {
		rc = parse_number(t, start, n, out);
	} else {
		return toml_fail(t, start, "invalid value '%.*s' (text needs quotes)",
				 n > 40 ? 40 : (int)n, w);
	}
	t->i = end;
	return rc;
}

static int parse_array(struct toml *t, unsigned depth, cJSON **out)
{
	size_t open = t->i;
	cJSON *arr = cJSON_CreateArray();
	int rc;

	t->i++;
	for (;;) {
		cJSON *item = NULL;

		if ((rc = skip_blank(t)))
			goto fail;
		if (t->i >= t->len) {
			rc = toml_fail(t, open, "unterminated array");
			goto fail;
		}
		if (toml_at(t, 0) == ']')
			break;
		if ((rc = parse_value(t, depth + 1, &item)))
			goto fail;
		cJSON_AddItemToArray(arr, item);
		if ((rc = skip_blank(t)))
			goto fail;
		if (toml_at(t, 0) == ',') {
			t->i++;
			continue;
		}
		if (toml_at(t, 0) == ']')
			break;
		if (t->i >= t->len)
			rc = toml_fail(t, open, "unterminated array");
		else
			rc = toml_fail(t, t->i, "expected ',' or ']' in the array");
		goto fail;
	}
	t->i++;
	*out = arr;
	return 0;
fail:
	cJSON_Delete(arr);
	return rc;
}

static int parse_inline_table(struct toml *t, unsigned depth, cJSON **out)
{
	size_t open = t->i;
	cJSON *tbl = cJSON_CreateObject();
	int rc = 0;

	t->i++;
	for (int first = 1;; first = 0) {
		skip_ws(t);
		if (t->i >= t->len) {
			rc = toml_fail(t, open, "unterminated inline table");
			goto fail;
		}
		if (toml_at(t, 0) == '\n') {
			rc = toml_fail(t, t->i, "an inline table must be on one line");
			goto fail;
		}
		if (toml_at(t, 0) == '}') {
			if (!first) {
				rc = toml_fail(t, t->i, "trailing comma in an inline table");
				goto fail;
			}
			break;
		}
		if ((rc = parse_keyval(t, tbl, depth)))
			goto fail;
		skip_ws(t);
		if (toml_at(t, 0) == ',') {
			t->i++;
			continue;
		}
		if (toml_at(t, 0) == '}')
			break;
		if (t->i >= t->len)
			rc = toml_fail(t, open, "unterminated inline table");
		else if (toml_at(t, 0) == '\n')
			rc = toml_fail(t, t->i, "an inline table must be on one line");
		else
			rc = toml_fail(t, t->i, "expected ',' or '}' in the inline table");
		goto fail;
	}
	t->i++;
	*out = tbl;
	return 0;
fail:
	/* the hash may still name tables in tbl: harmless, parsing stops here */
	cJSON_Delete(tbl);
	return rc;
}

/* The value at t->i; depth is the depth it will have in the document. */
static int parse_value(struct toml *t, unsigned depth, cJSON **out)
{
	int rc;

	*out = NULL;
	if (depth > SAMCONFIG_MAX_DEPTH)
		return toml_fail(t, t->i, "nested more than %u levels deep", SAMCONFIG_MAX_DEPTH);
	switch (toml_at(t, 0)) {
	case '"':
	case '\'':
		if ((rc = parse_string(t, &t->tmp, 1)))
			return rc;
		*out = cJSON_CreateString(t->tmp.buf); /* NUL cannot get in: see parse_escape */
		return 0;
	case '[':
		return parse_array(t, depth, out);
	case '{':
		return parse_inline_table(t, depth, out);
	default:
		return parse_word(t, out);
	}
}

/* ---- key = value, [table], [[array of tables]] ---- */

/* key = value at t->i into tbl (at tbl_depth); dotted keys make tables on the way. */
static int parse_keyval(struct toml *t, cJSON *tbl, unsigned tbl_depth)
{
	struct key k;
	unsigned depth = tbl_depth;
	struct slot *sl;
	cJSON *value = NULL;
	char *name = NULL;
	int rc;

	k.nr = 0;
	if ((rc = parse_key(t, &k)))
		goto out;
	for (size_t n = 0; n + 1 < k.nr; n++, depth++) {
		sl = slot_find(t, tbl, k.part[n]);
		if (!sl) {
			if (depth + 1 > SAMCONFIG_MAX_DEPTH) {
				rc = toml_fail(t, k.off[n], "nested more than %u levels deep",
					       SAMCONFIG_MAX_DEPTH);
				goto out;
			}
			tbl = toml_add(t, tbl, k.part[n], cJSON_CreateObject(), k.off[n], T_DOTTED,
				       depth + 1);
		} else if (sl->flags & (T_DOTTED | T_IMPLICIT)) {
			sl->flags = T_DOTTED;
			tbl = sl->child;
		} else {
			name = key_text(&k, n + 1);
			rc = toml_fail(t, k.off[0],
				       "cannot add to '%s' with a dotted key: it is %s (line %u)",
				       name, slot_what(sl->flags), toml_line(t, sl->off));
			goto out;
		}
	}
	name = key_text(&k, k.nr);
	if ((sl = slot_find(t, tbl, k.part[k.nr - 1]))) {
		rc = toml_fail(t, k.off[0], "duplicate key '%s' (first at line %u)", name,
			       toml_line(t, sl->off));
		goto out;
	}
	if (toml_at(t, 0) != '=') {
		rc = toml_fail(t, t->i, "expected '=' after the key '%s'", name);
		goto out;
	}
	t->i++;
	skip_ws(t);
	if ((rc = parse_value(t, depth + 1, &value)))
		goto out;
	toml_add(t, tbl, k.part[k.nr - 1], value, k.off[0],
		 cJSON_IsObject(value) ? T_INLINE : T_VALUE, depth + 1);
out:
	free(name);
	key_release(&k);
	return rc;
}

static int parse_header(struct toml *t)
{
	size_t open = t->i;
	int tables = toml_at(t, 1) == '[';
	cJSON *tbl = t->doc->root;
	unsigned depth = 0;
	struct slot *sl;
	struct key k;
	char *name = NULL;
	int rc;

	k.nr = 0;
	t->i += tables ? 2 : 1;
	skip_ws(t);
	if ((rc = parse_key(t, &k)))
		goto out;
	if (toml_at(t, 0) != ']' || (tables && toml_at(t, 1) != ']')) {
		rc = toml_fail(t, t->i, "expected '%s' after the table name", tables ? "]]" : "]");
		goto out;
	}
	t->i += tables ? 2 : 1;
	if ((rc = end_of_line(t, "the table header")))
		goto out;
	name = key_text(&k, k.nr);
	for (size_t n = 0; n + 1 < k.nr; n++) {
		sl = slot_find(t, tbl, k.part[n]);
		if (!sl) {
			if (depth + 1 > SAMCONFIG_MAX_DEPTH)
				goto deep;
			tbl = toml_add(t, tbl, k.part[n], cJSON_CreateObject(), k.off[n],
				       T_IMPLICIT, depth + 1);
			depth++;
		} else if (sl->flags & (T_IMPLICIT | T_DEFINED | T_DOTTED)) {
			tbl = sl->child;
			depth = sl->depth;
		} else if (sl->flags & T_TABLES) {
			tbl = sl->last;
			depth = sl->depth + 1;
		} else {
			char *part = key_text(&k, n + 1);

			rc = toml_fail(t, open, "cannot define [%s]: '%s' is %s (line %u)", name, part,
				       slot_what(sl->flags), toml_line(t, sl->off));
			free(part);
			goto out;
		}
	}
	sl = slot_find(t, tbl, k.part[k.nr - 1]);
	if (!tables) {
		if (!sl) {
			if (depth + 1 > SAMCONFIG_MAX_DEPTH)
				goto deep;
			t->cur = toml_add(t, tbl, k.part[k.nr - 1], cJSON_CreateObject(), open,
					  T_DEFINED, depth + 1);
			t->cur_depth = depth + 1;
		} else if (sl->flags & T_IMPLICIT) {
			sl->flags = T_DEFINED;
			sl->off = open;
			t->cur = sl->child;
			t->cur_depth = sl->depth;
		} else if (sl->flags & T_DEFINED) {
			rc = toml_fail(t, open, "table [%s] is defined twice (first at line %u)", name,
				       toml_line(t, sl->off));
		} else {
			rc = toml_fail(t, open, "cannot define [%s]: it is already %s (line %u)", name,
				       slot_what(sl->flags), toml_line(t, sl->off));
		}
		goto out;
	}
	if (!sl) {
		if (depth + 2 > SAMCONFIG_MAX_DEPTH)
			goto deep;
		toml_add(t, tbl, k.part[k.nr - 1], cJSON_CreateArray(), open, T_TABLES, depth + 1);
		sl = slot_find(t, tbl, k.part[k.nr - 1]); /* toml_add may have moved the slots */
	} else if (!(sl->flags & T_TABLES)) {
		rc = toml_fail(t, open, "cannot define [[%s]]: it is already %s (line %u)", name,
			       slot_what(sl->flags), toml_line(t, sl->off));
		goto out;
	}
	sl->last = cJSON_CreateObject();
	cJSON_AddItemToArray(sl->child, sl->last);
	t->cur = sl->last;
	t->cur_depth = sl->depth + 1;
	goto out;
deep:
	rc = toml_fail(t, open, "nested more than %u levels deep", SAMCONFIG_MAX_DEPTH);
out:
	free(name);
	key_release(&k);
	return rc;
}

/*
 * SAM CLI reads the file with Python's universal newlines, so CRLF and a
 * lone CR are newlines before TOML sees them; the same here.
 */
static char *without_cr(const char *s, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_grow(&sb, *len);
	for (size_t i = 0; i < *len; i++) {
		if (s[i] != '\r')
			strbuf_addch(&sb, s[i]);
		else if (i + 1 == *len || s[i + 1] != '\n')
			strbuf_addch(&sb, '\n');
	}
	return strbuf_detach(&sb, len);
}

static int toml_parse(struct doc *d, const char *s, size_t len, struct aws_error *err)
{
	struct toml t;
	char *copy = NULL;
	size_t bad;
	int rc = 0;

	if (memchr(s, '\r', len))
		s = copy = without_cr(s, &len);
	memset(&t, 0, sizeof(t));
	t.doc = d;
	t.s = s;
	t.len = len;
	t.err = err;
	t.cur = d->root;
	strbuf_init(&t.tmp, 0);
	text_index_init(&t.idx, s, len);
	if ((bad = utf8_bad((const unsigned char *)s, len)) < len) {
		rc = toml_fail(&t, bad, "invalid UTF-8");
		goto out;
	}
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		t.i = 3;
	for (;;) {
		skip_ws(&t);
		if (t.i >= t.len)
			break;
		if (toml_at(&t, 0) == '#')
			rc = skip_comment(&t);
		else if (eat_newline(&t))
			continue;
		else if (toml_at(&t, 0) == '[')
			rc = parse_header(&t);
		else if (!(rc = parse_keyval(&t, t.cur, t.cur_depth)))
			rc = end_of_line(&t, "the value");
		if (rc)
			break;
	}
	if (!rc)
		resolve_positions(&t);
out:
	free(t.slots);
	text_index_release(&t.idx);
	strbuf_release(&t.tmp);
	free(copy);
	return rc;
}

/* ==== YAML ==== */

struct anchor {
	char *name;
	const cJSON *node;
	size_t count;	 /* nodes in the subtree */
	unsigned height; /* levels in the subtree, 1 for a scalar */
};

struct yloader {
	struct doc *doc;
	const char *text;
	size_t len;
	struct aws_error *err;
	yaml_parser_t parser;
	struct anchor *anchors;
	size_t anchors_nr, anchors_alloc;
	cJSON *spare; /* merge values: kept (anchors may point in) until the end */
	size_t nodes;
};

#define YAML_STD "tag:yaml.org,2002:"

static int yfail(struct yloader *l, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int yfail(struct yloader *l, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail_at(l->err, l->doc->name, (unsigned)m->line + 1, (unsigned)m->column + 1, fmt,
		      ap);
	va_end(ap);
	return rc;
}

static int yaml_parse_error(struct yloader *l)
{
	const yaml_parser_t *p = &l->parser;
	const char *problem = p->problem ? p->problem : "syntax error";
	unsigned line, col;

	if (p->error == YAML_MEMORY_ERROR)
		abort(); /* allocation failure aborts everywhere in awsx */
	if (p->error == YAML_READER_ERROR) {
		struct text_index idx;

		text_index_init(&idx, l->text, l->len);
		text_pos(&idx, p->problem_offset, &line, &col);
		text_index_release(&idx);
		return fail_at(l->err, l->doc->name, line, col, "%s", problem);
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		return fail_at(l->err, l->doc->name, line, col, "%s %s", problem, p->context);
	return fail_at(l->err, l->doc->name, line, col, "%s", problem);
}

static int next_event(struct yloader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return yaml_parse_error(l);
	return 0;
}

static int count_nodes(struct yloader *l, const yaml_mark_t *m, size_t n)
{
	if (n > SAMCONFIG_MAX_NODES - l->nodes)
		return yfail(l, m, "more than %u nodes (aliases and merges count every copy)",
			     SAMCONFIG_MAX_NODES);
	l->nodes += n;
	return 0;
}

static void subtree_size(const cJSON *n, size_t *count, unsigned *height)
{
	size_t c = 1;
	unsigned h = 0;

	for (const cJSON *k = n->child; k; k = k->next) {
		size_t kc;
		unsigned kh;

		subtree_size(k, &kc, &kh);
		c += kc;
		if (kh > h)
			h = kh;
	}
	*count = c;
	*height = h + 1;
}

/* Digits of s in base (no sign, no prefix) into *v; 0, or -1 when not that. */
static int parse_base(const char *s, unsigned base, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = hex_value((unsigned char)*s);

		if (d < 0 || (unsigned)d >= base || *v > (UINT64_MAX - (unsigned)d) / base)
			return -1;
		*v = *v * base + (unsigned)d;
	}
	return 0;
}

static int yaml_is_float(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (is_digit(*s))
		s++, digits++;
	if (*s == '.') {
		s++;
		while (is_digit(*s))
			s++, digits++;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return !*s;
}

/* A plain scalar as YAML 1.2's core schema reads it. */
static cJSON *plain_scalar(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };
	const char *d = s;
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(s, nulls[i]))
			return cJSON_CreateNull();
	for (size_t i = 0; i < ARRAY_SIZE(trues); i++)
		if (!strcmp(s, trues[i]))
			return cJSON_CreateTrue();
	for (size_t i = 0; i < ARRAY_SIZE(falses); i++)
		if (!strcmp(s, falses[i]))
			return cJSON_CreateFalse();
	if ((!strncmp(s, "0x", 2) && !parse_base(s + 2, 16, &v)) ||
	    (!strncmp(s, "0o", 2) && !parse_base(s + 2, 8, &v)))
		return integer_node(v, 0);
	if (*d == '-' || *d == '+')
		d++;
	if (*d && strspn(d, "0123456789") == strlen(d)) {
		/* decimal: the digits without sign or leading zeros are the text */
		struct strbuf sb = STRBUF_INIT;
		cJSON *n = NULL;
		double f;

		while (d[0] == '0' && d[1])
			d++;
		if (*s == '-' && strcmp(d, "0"))
			strbuf_addch(&sb, '-');
		strbuf_adds(&sb, d);
		f = strtod(sb.buf, NULL);
		if (isfinite(f))
			n = number_with_text(f, sb.buf);
		strbuf_release(&sb);
		if (n)
			return n;
	}
	if (yaml_is_float(s)) {
		double f = strtod(s, NULL);

		if (isfinite(f))
			return number_with_text(f, s);
	}
	return cJSON_CreateString(s);
}

static const char *event_tag(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.tag;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.tag;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.tag;
	default:
		return NULL;
	}
}

static const char *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

static int ynode(struct yloader *l, yaml_event_t *ev, unsigned depth, cJSON **out);

static int yscalar(struct yloader *l, const yaml_event_t *ev, cJSON **out)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *tag = event_tag(ev);
	int rc;

	if (memchr(text, '\0', ev->data.scalar.length))
		return yfail(l, &ev->start_mark, "text contains a NUL character");
	if ((rc = count_nodes(l, &ev->start_mark, 1)))
		return rc;
	/* other tags are kept as if absent, as ruamel.yaml's round trip keeps them */
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (tag && (!strcmp(tag, YAML_STD "str") || !strcmp(tag, "!"))))
		*out = cJSON_CreateString(text);
	else
		*out = plain_scalar(text);
	return 0;
}

static int ysequence(struct yloader *l, const yaml_mark_t *m, unsigned depth, cJSON **out)
{
	yaml_event_t ev;
	int rc;

	if ((rc = count_nodes(l, m, 1)))
		return rc;
	*out = cJSON_CreateArray();
	for (;;) {
		cJSON *item = NULL;

		if ((rc = next_event(l, &ev)))
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if ((rc = ynode(l, &ev, depth + 1, &item)))
			return rc;
		cJSON_AddItemToArray(*out, item);
	}
}

/* A key of a mapping being read: its item, where it was, in which order. */
struct ykey {
	const cJSON *item;
	yaml_mark_t mark;
	size_t order;
};

static int ykey_cmp(const void *a, const void *b)
{
	const struct ykey *x = a, *y = b;
	int c = strcmp(x->item->string, y->item->string);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int ykey_order_cmp(const void *a, const void *b)
{
	const struct ykey *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static int ykey_find(const struct ykey *keys, size_t nr, const char *name)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(keys[mid].item->string, name);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * After the explicit keys of map (keys, sorted): the keys of the merge
 * sources (an array of mappings, earlier ones first) that map does not
 * have, copied, the first source to have a key winning: YAML's merge key.
 */
static int apply_merges(struct yloader *l, cJSON *map, const struct ykey *keys, size_t nr,
			const cJSON *sources, const yaml_mark_t *m)
{
	struct ykey *cand = NULL;
	size_t cand_nr = 0, cand_alloc = 0, kept = 0;
	int rc = 0;

	for (const cJSON *src = sources->child; src; src = src->next) {
		for (const cJSON *c = src->child; c; c = c->next) {
			if (ykey_find(keys, nr, c->string))
				continue;
			ALLOC_GROW(cand, cand_nr + 1, cand_alloc);
			cand[cand_nr].item = c;
			cand[cand_nr].mark = *m;
			cand[cand_nr].order = cand_nr;
			cand_nr++;
		}
	}
	if (cand_nr)
		qsort(cand, cand_nr, sizeof(*cand), ykey_cmp);
	for (size_t i = 0; i < cand_nr; i++)
		if (!i || strcmp(cand[i].item->string, cand[i - 1].item->string))
			cand[kept++] = cand[i];
	if (kept)
		qsort(cand, kept, sizeof(*cand), ykey_order_cmp);
	for (size_t i = 0; i < kept && !rc; i++) {
		size_t count;
		unsigned height;

		subtree_size(cand[i].item, &count, &height);
		if (!(rc = count_nodes(l, m, count)))
			cJSON_AddItemToObject(map, cand[i].item->string,
					      cJSON_Duplicate(cand[i].item, 1));
	}
	free(cand);
	return rc;
}

static int ymapping(struct yloader *l, const yaml_mark_t *m, unsigned depth, cJSON **out)
{
	struct ykey *keys = NULL;
	size_t nr = 0, alloc = 0;
	cJSON *sources = NULL;
	yaml_event_t ev;
	int rc;

	if ((rc = count_nodes(l, m, 1)))
		return rc;
	*out = cJSON_CreateObject();
	for (;;) {
		cJSON *value = NULL;
		yaml_mark_t km;
		int merge;
		char *key;

		if ((rc = next_event(l, &ev)))
			goto out;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		km = ev.start_mark;
		if (ev.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&ev);
			rc = yfail(l, &km, "mapping keys must be scalars");
			goto out;
		}
		if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) {
			yaml_event_delete(&ev);
			rc = yfail(l, &km, "text contains a NUL character");
			goto out;
		}
		merge = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !event_tag(&ev) &&
			!strcmp((const char *)ev.data.scalar.value, "<<");
		key = xstrdup((const char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		if ((rc = next_event(l, &ev)) || (rc = ynode(l, &ev, depth + 1, &value))) {
			free(key);
			goto out;
		}
		if (merge) {
			/* << : a mapping or a list of mappings */
			if (!sources)
				sources = cJSON_CreateArray();
			if (cJSON_IsObject(value)) {
				cJSON_AddItemReferenceToArray(sources, value);
			} else if (cJSON_IsArray(value)) {
				for (cJSON *c = value->child; c && !rc; c = c->next) {
					if (cJSON_IsObject(c))
						cJSON_AddItemReferenceToArray(sources, c);
					else
						rc = yfail(l, &km, "'<<' needs a mapping or a list of "
								   "mappings");
				}
			} else {
				rc = yfail(l, &km, "'<<' needs a mapping or a list of mappings");
			}
			cJSON_AddItemToArray(l->spare, value);
			free(key);
			if (rc)
				goto out;
			continue;
		}
		cJSON_AddItemToObject(*out, key, value);
		if (depth + 1 <= 3)
			doc_note(l->doc, value, (unsigned)km.line + 1, (unsigned)km.column + 1);
		ALLOC_GROW(keys, nr + 1, alloc);
		keys[nr].item = value;
		keys[nr].mark = km;
		keys[nr].order = nr;
		nr++;
		free(key);
	}
	if (nr > 1) {
		const struct ykey *dup = NULL, *first = NULL;

		qsort(keys, nr, sizeof(*keys), ykey_cmp);
		for (size_t i = 1, run = 0; i < nr; i++) {
			if (strcmp(keys[i].item->string, keys[i - 1].item->string)) {
				run = i;
				continue;
			}
			if (!dup || keys[i].order < dup->order) {
				dup = &keys[i];
				first = &keys[run];
			}
		}
		if (dup) {
			rc = yfail(l, &dup->mark, "duplicate key '%s' (first at line %u)",
				   dup->item->string, (unsigned)first->mark.line + 1);
			goto out;
		}
	}
	if (sources)
		rc = apply_merges(l, *out, keys, nr, sources, m);
out:
	cJSON_Delete(sources);
	free(keys);
	return rc;
}

/*
 * The node that starts with ev (consumed), read to its end.  On failure
 * *out is NULL and what was built is freed.
 */
static int ynode(struct yloader *l, yaml_event_t *ev, unsigned depth, cJSON **out)
{
	yaml_mark_t m = ev->start_mark;
	char *anchor = event_anchor(ev) ? xstrdup(event_anchor(ev)) : NULL;
	cJSON *node = NULL;
	int rc = 0;

	*out = NULL;
	if (depth > SAMCONFIG_MAX_DEPTH) {
		rc = yfail(l, &m, "nested more than %u levels deep", SAMCONFIG_MAX_DEPTH);
		yaml_event_delete(ev);
		goto out;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		const struct anchor *a = NULL;

		for (size_t i = l->anchors_nr; i > 0 && !a; i--)
			if (!strcmp(l->anchors[i - 1].name, name))
				a = &l->anchors[i - 1];
		if (!a)
			rc = yfail(l, &m, "unknown alias '*%s'", name);
		else if (depth + a->height - 1 > SAMCONFIG_MAX_DEPTH)
			rc = yfail(l, &m, "nested more than %u levels deep", SAMCONFIG_MAX_DEPTH);
		else if (!(rc = count_nodes(l, &m, a->count)))
			node = cJSON_Duplicate(a->node, 1);
		yaml_event_delete(ev);
		goto out;
	}
	case YAML_SCALAR_EVENT:
		rc = yscalar(l, ev, &node);
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		yaml_event_delete(ev);
		rc = ysequence(l, &m, depth, &node);
		break;
	case YAML_MAPPING_START_EVENT:
		yaml_event_delete(ev);
		rc = ymapping(l, &m, depth, &node);
		break;
	default:
		yaml_event_delete(ev);
		rc = yfail(l, &m, "unexpected YAML event");
		break;
	}
	if (!rc && anchor) {
		ALLOC_GROW(l->anchors, l->anchors_nr + 1, l->anchors_alloc);
		l->anchors[l->anchors_nr].name = anchor;
		l->anchors[l->anchors_nr].node = node;
		subtree_size(node, &l->anchors[l->anchors_nr].count,
			     &l->anchors[l->anchors_nr].height);
		l->anchors_nr++;
		anchor = NULL;
	}
out:
	if (rc) {
		cJSON_Delete(node);
		node = NULL;
	}
	*out = node;
	free(anchor);
	return rc;
}

static int yaml_load(struct doc *d, const char *s, size_t len, struct aws_error *err)
{
	struct yloader l;
	yaml_event_t ev;
	yaml_mark_t root_mark;
	cJSON *root = NULL;
	int rc;

	memset(&l, 0, sizeof(l));
	l.doc = d;
	l.text = s;
	l.len = len;
	l.err = err;
	l.spare = cJSON_CreateArray();
	yaml_parser_initialize(&l.parser);
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)s, len);
	if ((rc = next_event(&l, &ev))) /* stream start */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(&l, &ev)))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) { /* nothing but comments */
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev); /* document start */
	if ((rc = next_event(&l, &ev)))
		goto out;
	root_mark = ev.start_mark;
	if ((rc = ynode(&l, &ev, 0, &root)))
		goto out;
	if ((rc = next_event(&l, &ev))) /* document end */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(&l, &ev)))
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		rc = yfail(&l, &ev.start_mark, "a samconfig file is one YAML document, this is a "
					       "second one");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	if (cJSON_IsNull(root)) {
		/* "---" or "~" alone: nothing, like an empty file */
	} else if (!cJSON_IsObject(root)) {
		rc = yfail(&l, &root_mark, "a samconfig file must be a mapping at the top level");
	} else {
		cJSON_Delete(d->root);
		d->root = root;
		root = NULL;
	}
out:
	cJSON_Delete(root);
	cJSON_Delete(l.spare);
	for (size_t i = 0; i < l.anchors_nr; i++)
		free(l.anchors[i].name);
	free(l.anchors);
	yaml_parser_delete(&l.parser);
	return rc;
}

/* ==== the SAM side ==== */

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
	free(d->pos);
	memset(d, 0, sizeof(*d));
}

static int doc_parse(struct doc *d, const char *name, const char *data, size_t len,
		     struct aws_error *err)
{
	int yaml = format_of(name);

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->yaml = yaml > 0;
	d->root = cJSON_CreateObject();
	if (yaml < 0)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot read config file '%s': not a .toml, .yaml or .yml file",
				     name);
	if (len > SAMCONFIG_MAX_BYTES)
		return aws_error_set(err, AWSX_ECONFIG,
				     "cannot read config file '%s': larger than %u bytes", name,
				     SAMCONFIG_MAX_BYTES);
	return d->yaml ? yaml_load(d, data, len, err) : toml_parse(d, data, len, err);
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
	unsigned line, col;

	if (!node || cJSON_IsObject(node))
		return 0;
	doc_where(d, node, &line, &col);
	return fail_at(err, d->name, line, col, "'%s' must be a %s", path,
		       d->yaml ? "mapping" : "table");
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
		return fail_at(err, d->name, 0, 0,
			       "'version' is missing (samconfig files start with version = 0.1)");
	if (!cJSON_IsNumber(version) || !version->valuestring ||
	    !strpbrk(version->valuestring, ".eE")) {
		unsigned line, col;

		doc_where(d, version, &line, &col);
		return fail_at(err, d->name, line, col, "'version' must be a float such as 0.1");
	}
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
