/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.c: the TOML reader of toml.h.  One pass over the text, which is
 * checked as UTF-8 first (CRs made newlines before, as Python's universal
 * newlines do), builds the cJSON tree; a hash from (table, key) to how that
 * key was defined enforces TOML's rules on defining a table or key twice
 * in constant time per key.  Nesting is capped, so no recursion runs
 * deeper than TOML_MAX_DEPTH.  Every error carries file:line:column.
 */
#include "sync/toml.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	char *part[TOML_MAX_DEPTH];
	size_t off[TOML_MAX_DEPTH];
	size_t nr;
};

/* A table or value defined at a byte offset, until resolve_positions(). */
struct pending_pos {
	const cJSON *node;
	size_t off;
};

struct toml {
	struct toml_doc *doc;
	const char *name;
	const char *s;
	size_t len, i;
	struct line_index lines;
	struct aws_error *err;
	struct slot *slots;
	size_t slots_nr, slots_alloc; /* alloc is a power of two, or 0 */
	cJSON *cur;		      /* the table key = value lines go to */
	unsigned cur_depth;
	struct pending_pos *pending;
	size_t pending_nr, pending_alloc;
	struct strbuf tmp;
};

static int toml_fail(struct toml *t, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int toml_fail(struct toml *t, size_t off, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned line, col;
	va_list ap;

	line_index_pos(&t->lines, off, &line, &col);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	aws_error_set(t->err, AWSX_ECONFIG, "%s:%u:%u: %s", t->name, line, col, sb.buf);
	strbuf_release(&sb);
	return -AWSX_ECONFIG;
}

static unsigned toml_line(const struct toml *t, size_t off)
{
	unsigned line, col;

	line_index_pos(&t->lines, off, &line, &col);
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
	ALLOC_GROW(t->pending, t->pending_nr + 1, t->pending_alloc);
	t->pending[t->pending_nr].node = child;
	t->pending[t->pending_nr].off = off;
	t->pending_nr++;
	return child;
}

static int pos_off_cmp(const void *a, const void *b)
{
	const struct pending_pos *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Offsets to line:column for the noted nodes in one pass over the text:
 * a column costs a scan from the start of its line, and a long line can
 * hold many nodes.
 */
static void resolve_positions(struct toml *t)
{
	struct toml_doc *d = t->doc;
	size_t at = 0;
	unsigned line = 1, col = 1;

	if (t->pending_nr)
		qsort(t->pending, t->pending_nr, sizeof(*t->pending), pos_off_cmp);
	ALLOC_GROW(d->pos, t->pending_nr, d->pos_alloc);
	for (size_t i = 0; i < t->pending_nr; i++) {
		for (; at < t->pending[i].off && at < t->len; at++) {
			if (t->s[at] == '\n')
				line++, col = 1;
			else if (((unsigned char)t->s[at] & 0xc0) != 0x80)
				col++;
		}
		d->pos[i].node = t->pending[i].node;
		d->pos[i].line = line;
		d->pos[i].col = col;
	}
	d->pos_nr = t->pending_nr;
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
			int h = hex_digit(toml_at(t, 2 + k));

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
		strbuf_add_utf8(sb, cp);
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

		if (k->nr == TOML_MAX_DEPTH)
			return toml_fail(t, start, "a key of more than %u parts",
					 TOML_MAX_DEPTH);
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
			int d = hex_digit((unsigned char)*p);

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
	if (depth > TOML_MAX_DEPTH)
		return toml_fail(t, t->i, "nested more than %u levels deep", TOML_MAX_DEPTH);
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
			if (depth + 1 > TOML_MAX_DEPTH) {
				rc = toml_fail(t, k.off[n], "nested more than %u levels deep",
					       TOML_MAX_DEPTH);
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
			if (depth + 1 > TOML_MAX_DEPTH)
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
			if (depth + 1 > TOML_MAX_DEPTH)
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
		if (depth + 2 > TOML_MAX_DEPTH)
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
	rc = toml_fail(t, open, "nested more than %u levels deep", TOML_MAX_DEPTH);
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

int toml_parse(const char *name, const char *data, size_t len, struct toml_doc *doc,
	       struct aws_error *err)
{
	const char *s = data;
	struct toml t;
	char *copy = NULL;
	size_t bad;
	int rc = 0;

	memset(doc, 0, sizeof(*doc));
	doc->root = cJSON_CreateObject();
	if (memchr(s, '\r', len))
		s = copy = without_cr(s, &len);
	memset(&t, 0, sizeof(t));
	t.doc = doc;
	t.name = name;
	t.s = s;
	t.len = len;
	t.err = err;
	t.cur = doc->root;
	strbuf_init(&t.tmp, 0);
	line_index_init(&t.lines, s, len);
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
	if (rc) {
		cJSON_Delete(doc->root);
		doc->root = NULL;
	}
	free(t.slots);
	free(t.pending);
	line_index_release(&t.lines);
	strbuf_release(&t.tmp);
	free(copy);
	return rc;
}

int toml_doc_pos(const struct toml_doc *doc, const cJSON *node, unsigned *line, unsigned *col)
{
	*line = *col = 0;
	for (size_t i = 0; i < doc->pos_nr; i++) {
		if (doc->pos[i].node == node) {
			*line = doc->pos[i].line;
			*col = doc->pos[i].col;
			return 0;
		}
	}
	return -1;
}

void toml_doc_release(struct toml_doc *doc)
{
	cJSON_Delete(doc->root);
	free(doc->pos);
	memset(doc, 0, sizeof(*doc));
}
