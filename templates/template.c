/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template.c: loads a SAM / CloudFormation template into a cJSON tree in
 * long form, keeping where every node was written.  YAML goes through
 * libyaml's event API (so every node has its mark), short-form tags become
 * their long forms as they are read, anchors and aliases work but their
 * expansion counts against a node cap, and duplicate keys are errors.  JSON
 * is parsed by cJSON and then walked once more over the text to find each
 * value's and key's offset, so JSON positions are exact as well.  The
 * position table is a hash from node address to position; the model
 * (template-model.c) adds the nodes it builds to it.
 *
 * The YAML walk takes its rules from a struct tmpl_yaml_opts, so that
 * sync/samconfig.c reads samconfig.yaml with the same code under SAM CLI's
 * rules (tmpl_yaml_load): the full core schema for scalars, tags as if
 * absent, merge keys, its own caps and wording.
 */
#include "templates/templates.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

/* ---- the document and its position table ---- */

struct pos_slot {
	const cJSON *node;
	struct tmpl_pos value, key;
};

struct tmpl_doc {
	char *path;
	char *dir;
	cJSON *root;
	cJSON *merged; /* the values of YAML merge keys, which are not in the tree */
	struct pos_slot *slots;
	size_t slots_nr, slots_alloc; /* alloc is a power of two, or 0 */
};

static size_t pos_hash(const cJSON *node)
{
	uint64_t h = (uint64_t)(uintptr_t)node;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h;
}

static void pos_grow(struct tmpl_doc *doc)
{
	struct pos_slot *old = doc->slots;
	size_t old_alloc = doc->slots_alloc;

	doc->slots_alloc = old_alloc ? old_alloc * 2 : 1024;
	doc->slots = xcalloc(doc->slots_alloc, sizeof(*doc->slots));
	doc->slots_nr = 0;
	for (size_t i = 0; i < old_alloc; i++)
		if (old[i].node)
			tmpl_doc_set_pos(doc, old[i].node, old[i].value, old[i].key);
	free(old);
}

void tmpl_doc_set_pos(struct tmpl_doc *doc, const cJSON *node, struct tmpl_pos value,
		      struct tmpl_pos key)
{
	size_t mask, i;

	if ((doc->slots_nr + 1) * 4 > doc->slots_alloc * 3)
		pos_grow(doc);
	mask = doc->slots_alloc - 1;
	for (i = pos_hash(node) & mask; doc->slots[i].node; i = (i + 1) & mask)
		if (doc->slots[i].node == node)
			break;
	if (!doc->slots[i].node)
		doc->slots_nr++;
	doc->slots[i].node = node;
	doc->slots[i].value = value;
	doc->slots[i].key = key;
}

int tmpl_doc_pos(const struct tmpl_doc *doc, const cJSON *node, struct tmpl_pos *value,
		 struct tmpl_pos *key)
{
	static const struct tmpl_pos none = { 0, 0 };
	size_t mask, i;

	if (value)
		*value = none;
	if (key)
		*key = none;
	if (!doc->slots_alloc || !node)
		return -1;
	mask = doc->slots_alloc - 1;
	for (i = pos_hash(node) & mask; doc->slots[i].node; i = (i + 1) & mask) {
		if (doc->slots[i].node == node) {
			if (value)
				*value = doc->slots[i].value;
			if (key)
				*key = doc->slots[i].key;
			return 0;
		}
	}
	return -1;
}

const cJSON *tmpl_doc_root(const struct tmpl_doc *doc)
{
	return doc->root;
}

cJSON *tmpl_doc_take_root(struct tmpl_doc *doc)
{
	cJSON *root = doc->root;

	doc->root = NULL;
	return root;
}

const char *tmpl_doc_path(const struct tmpl_doc *doc)
{
	return doc->path;
}

const char *tmpl_doc_dir(const struct tmpl_doc *doc)
{
	return doc->dir;
}

void tmpl_doc_free(struct tmpl_doc *doc)
{
	if (!doc)
		return;
	cJSON_Delete(doc->root);
	cJSON_Delete(doc->merged);
	free(doc->slots);
	free(doc->path);
	free(doc->dir);
	free(doc);
}

static struct tmpl_doc *doc_new(const char *name)
{
	struct tmpl_doc *doc = xcalloc(1, sizeof(*doc));
	const char *slash = strrchr(name, '/');

	doc->path = xstrdup(name);
	if (!slash)
		doc->dir = xstrdup(".");
	else if (slash == name)
		doc->dir = xstrdup("/");
	else
		doc->dir = xstrndup(name, (size_t)(slash - name));
	return doc;
}

const char *tmpl_scalar_text(const cJSON *node, char *buf, size_t len)
{
	if (cJSON_IsString(node))
		return node->valuestring;
	if (cJSON_IsBool(node))
		return cJSON_IsTrue(node) ? "true" : "false";
	if (!cJSON_IsNumber(node) || !len)
		return NULL;
	if (node->valuestring)
		return node->valuestring;
	if (node->valuedouble == (double)(long long)node->valuedouble &&
	    node->valuedouble > -1e15 && node->valuedouble < 1e15)
		snprintf(buf, len, "%lld", (long long)node->valuedouble);
	else
		snprintf(buf, len, "%.17g", node->valuedouble);
	return buf;
}

/* ---- the loader ---- */

struct anchor {
	char *name;
	const cJSON *node;
	size_t count;	 /* nodes in the subtree */
	unsigned height; /* levels in the subtree, 1 for a scalar */
};

struct loader {
	struct tmpl_doc *doc;
	const struct tmpl_yaml_opts *opts;
	const char *text;
	size_t len;
	struct line_index lines;
	yaml_parser_t parser;
	struct anchor *anchors;
	size_t anchors_nr, anchors_alloc;
	size_t nodes;
	struct aws_error *err;
};

/* A template's rules; tmpl_yaml_load takes others. */
static const struct tmpl_yaml_opts template_opts = {
	.flags = TMPL_YAML_SHORT_FORMS,
	.what = "template",
	.error_kind = AWSX_EFAIL,
	.top_depth = 1,
	.max_depth = TMPL_MAX_DEPTH,
	.max_nodes = TMPL_MAX_NODES,
	.too_many_nodes = "template has more than %u nodes (anchors and aliases count every copy)",
};

static void loader_init(struct loader *l, const char *name, const char *data, size_t len,
			const struct tmpl_yaml_opts *opts, struct aws_error *err)
{
	memset(l, 0, sizeof(*l));
	l->doc = doc_new(name);
	l->opts = opts;
	l->text = data;
	l->len = len;
	l->err = err;
	line_index_init(&l->lines, data, len);
}

/* Hands the document over in *out when rc is 0, frees it otherwise. */
static int loader_finish(struct loader *l, int rc, struct tmpl_doc **out)
{
	for (size_t i = 0; i < l->anchors_nr; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	line_index_release(&l->lines);
	if (rc)
		tmpl_doc_free(l->doc);
	else
		*out = l->doc;
	return rc;
}

static struct tmpl_pos offset_pos(const struct loader *l, size_t off)
{
	struct tmpl_pos p;

	line_index_pos(&l->lines, off, &p.line, &p.col);
	return p;
}

static struct tmpl_pos mark_pos(const yaml_mark_t *m)
{
	struct tmpl_pos p = { (unsigned)m->line + 1, (unsigned)m->column + 1 };
	return p;
}

static int fail_at(struct loader *l, struct tmpl_pos p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct loader *l, struct tmpl_pos p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	aws_error_set(l->err, l->opts->error_kind, "%s:%u:%u: %s", l->doc->path, p.line, p.col,
		      sb.buf);
	strbuf_release(&sb);
	return -l->opts->error_kind;
}

static int yaml_fail(struct loader *l)
{
	const yaml_parser_t *ps = &l->parser;
	struct tmpl_pos p;

	if (ps->error == YAML_MEMORY_ERROR)
		abort(); /* allocation failure aborts everywhere in awsx */
	if (ps->error == YAML_READER_ERROR)
		p = offset_pos(l, ps->problem_offset);
	else
		p = mark_pos(&ps->problem_mark);
	if (ps->context && ps->error != YAML_READER_ERROR)
		return fail_at(l, p, "%s %s", ps->problem ? ps->problem : "syntax error",
			       ps->context);
	return fail_at(l, p, "%s", ps->problem ? ps->problem : "syntax error");
}

static int count_node(struct loader *l, struct tmpl_pos p, size_t n)
{
	if (n > l->opts->max_nodes - l->nodes)
		return fail_at(l, p, l->opts->too_many_nodes, l->opts->max_nodes);
	l->nodes += n;
	return 0;
}

static int too_deep(struct loader *l, struct tmpl_pos p)
{
	return fail_at(l, p, "nested more than %u levels deep", l->opts->max_depth);
}

/* Copy an anchored subtree for an alias; every copy is placed at the alias. */
static cJSON *copy_tree(struct loader *l, const cJSON *src, struct tmpl_pos at)
{
	cJSON *dst;

	if (cJSON_IsArray(src) || cJSON_IsObject(src)) {
		dst = cJSON_IsArray(src) ? cJSON_CreateArray() : cJSON_CreateObject();
		for (const cJSON *c = src->child; c; c = c->next) {
			cJSON *cc = copy_tree(l, c, at);

			if (cJSON_IsObject(src))
				cJSON_AddItemToObject(dst, c->string, cc);
			else
				cJSON_AddItemToArray(dst, cc);
		}
	} else {
		dst = xcalloc(1, sizeof(*dst));
		dst->type = src->type;
		dst->valuedouble = src->valuedouble;
		dst->valueint = src->valueint;
		if (src->valuestring)
			dst->valuestring = xstrdup(src->valuestring);
	}
	tmpl_doc_set_pos(l->doc, dst, at, at);
	return dst;
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

/* ---- scalars ---- */

static int is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int is_float_text(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

static cJSON *number_with_text(const char *text)
{
	cJSON *n = cJSON_CreateNumber(strtod(text, NULL));

	n->valuestring = xstrdup(text);
	return n;
}

/* Digits of s in base (no sign, no prefix) into *v; 0, or -1 when not that. */
static int parse_base(const char *s, unsigned base, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = hex_digit((unsigned char)*s);

		if (d < 0 || (unsigned)d >= base || *v > (UINT64_MAX - (unsigned)d) / base)
			return -1;
		*v = *v * base + (unsigned)d;
	}
	return 0;
}

/* An integer or float by TMPL_YAML_CORE_SCHEMA's rules, or NULL when s is not one. */
static cJSON *core_number(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *n = NULL;
	uint64_t v;

	if ((!strncmp(s, "0x", 2) && !parse_base(s + 2, 16, &v)) ||
	    (!strncmp(s, "0o", 2) && !parse_base(s + 2, 8, &v))) {
		strbuf_addf(&sb, "%llu", (unsigned long long)v);
	} else if (is_int_text(s)) {
		const char *d = s + (*s == '-' || *s == '+');

		while (d[0] == '0' && d[1])
			d++;
		if (*s == '-' && strcmp(d, "0"))
			strbuf_addch(&sb, '-');
		strbuf_adds(&sb, d);
	} else if (is_float_text(s)) {
		strbuf_adds(&sb, s);
	}
	if (sb.len)
		n = number_with_text(sb.buf);
	if (n && !isfinite(n->valuedouble)) {
		cJSON_Delete(n);
		n = NULL;
	}
	strbuf_release(&sb);
	return n;
}

/* A plain scalar as YAML's core schema reads it. */
static cJSON *plain_scalar(const struct loader *l, const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };
	cJSON *n;

	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(s, nulls[i]))
			return cJSON_CreateNull();
	for (size_t i = 0; i < ARRAY_SIZE(trues); i++)
		if (!strcmp(s, trues[i]))
			return cJSON_CreateTrue();
	for (size_t i = 0; i < ARRAY_SIZE(falses); i++)
		if (!strcmp(s, falses[i]))
			return cJSON_CreateFalse();
	if (l->opts->flags & TMPL_YAML_CORE_SCHEMA)
		n = core_number(s);
	else
		n = is_int_text(s) || is_float_text(s) ? number_with_text(s) : NULL;
	return n ? n : cJSON_CreateString(s);
}

/* ---- tags ---- */

#define YAML_STD "tag:yaml.org,2002:"

/* Short forms and the key of their long form; GetAtt and Ref are special. */
static const char *const short_forms[][2] = {
	{ "!And", "Fn::And" },
	{ "!Base64", "Fn::Base64" },
	{ "!Cidr", "Fn::Cidr" },
	{ "!Condition", "Condition" },
	{ "!Equals", "Fn::Equals" },
	{ "!FindInMap", "Fn::FindInMap" },
	{ "!GetAZs", "Fn::GetAZs" },
	{ "!GetAtt", "Fn::GetAtt" },
	{ "!If", "Fn::If" },
	{ "!ImportValue", "Fn::ImportValue" },
	{ "!Join", "Fn::Join" },
	{ "!Length", "Fn::Length" },
	{ "!Not", "Fn::Not" },
	{ "!Or", "Fn::Or" },
	{ "!Ref", "Ref" },
	{ "!Select", "Fn::Select" },
	{ "!Split", "Fn::Split" },
	{ "!Sub", "Fn::Sub" },
	{ "!ToJsonString", "Fn::ToJsonString" },
	{ "!Transform", "Fn::Transform" },
};

static const char *long_form(const char *tag)
{
	for (size_t i = 0; i < ARRAY_SIZE(short_forms); i++)
		if (!strcmp(tag, short_forms[i][0]))
			return short_forms[i][1];
	return NULL;
}

/*
 * Wrap value (already counted and placed) for a short-form tag: {key: value},
 * and for !GetAtt "A.B.C" the list ["A", "B.C"].
 */
static int apply_tag(struct loader *l, const char *tag, struct tmpl_pos p, cJSON **value)
{
	const char *key = long_form(tag);
	cJSON *wrap;
	int rc;

	if (!key)
		return fail_at(l, p, "unknown tag '%s'", tag);
	if ((!strcmp(key, "Ref") || !strcmp(key, "Condition")) && !cJSON_IsString(*value))
		return fail_at(l, p, "%s needs a string", tag);
	if (!strcmp(key, "Fn::GetAtt") && cJSON_IsString(*value)) {
		const char *s = (*value)->valuestring, *dot = strchr(s, '.');
		cJSON *list, *a, *b;

		if (!dot || dot == s || !dot[1])
			return fail_at(l, p, "!GetAtt needs 'Resource.Attribute', not '%s'", s);
		if ((rc = count_node(l, p, 2)))
			return rc;
		/* the scalar node itself becomes "A": no node is freed, so the
		 * position table never holds a stale address */
		list = cJSON_CreateArray();
		a = *value;
		b = cJSON_CreateString(dot + 1);
		a->valuestring = xstrndup(s, (size_t)(dot - s));
		free((char *)s);
		cJSON_AddItemToArray(list, a);
		cJSON_AddItemToArray(list, b);
		tmpl_doc_set_pos(l->doc, list, p, p);
		tmpl_doc_set_pos(l->doc, b, p, p);
		*value = list;
	}
	if ((rc = count_node(l, p, 1)))
		return rc;
	wrap = cJSON_CreateObject();
	cJSON_AddItemToObject(wrap, key, *value);
	tmpl_doc_set_pos(l->doc, *value, p, p);
	tmpl_doc_set_pos(l->doc, wrap, p, p);
	*value = wrap;
	return 0;
}

/* ---- mappings: duplicate keys and merges ---- */

/*
 * Sorts keys with their document index so duplicates sit side by side;
 * the reported one is the earliest second occurrence.
 */
struct key_ref {
	const cJSON *item;
	size_t index;
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->item->string, y->item->string);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int key_ref_index_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* The members of obj sorted by key, equal keys in document order; caller frees. */
static struct key_ref *sorted_keys(const cJSON *obj, size_t *nr)
{
	struct key_ref *keys;
	size_t n = 0;

	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	keys = xmalloc((n ? n : 1) * sizeof(*keys));
	n = 0;
	for (const cJSON *c = obj->child; c; c = c->next, n++) {
		keys[n].item = c;
		keys[n].index = n;
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), key_ref_cmp);
	*nr = n;
	return keys;
}

static int has_key(const struct key_ref *keys, size_t nr, const char *name)
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

static int check_duplicates(struct loader *l, const struct key_ref *keys, size_t nr)
{
	const struct key_ref *first = NULL, *second = NULL;
	struct tmpl_pos k1, k2;

	for (size_t i = 1, run = 0; i < nr; i++) {
		if (strcmp(keys[i].item->string, keys[i - 1].item->string)) {
			run = i;
			continue;
		}
		if (!second || keys[i].index < second->index) {
			second = &keys[i];
			first = &keys[run];
		}
	}
	if (!second)
		return 0;
	tmpl_doc_pos(l->doc, first->item, NULL, &k1);
	tmpl_doc_pos(l->doc, second->item, NULL, &k2);
	return fail_at(l, k2, "duplicate key '%s' (first at line %u)", second->item->string,
		       k1.line);
}

/*
 * The value of a `<<` key into sources: a mapping or a list of mappings.
 * It stays with the document (anchors may point into it) but out of the tree.
 */
static int add_merge_source(struct loader *l, cJSON **sources, cJSON *value, struct tmpl_pos kp)
{
	int rc = 0;

	if (!l->doc->merged)
		l->doc->merged = cJSON_CreateArray();
	cJSON_AddItemToArray(l->doc->merged, value);
	if (!*sources)
		*sources = cJSON_CreateArray();
	if (cJSON_IsObject(value))
		cJSON_AddItemReferenceToArray(*sources, value);
	else if (!cJSON_IsArray(value))
		rc = -1;
	for (cJSON *c = cJSON_IsArray(value) ? value->child : NULL; c && !rc; c = c->next) {
		if (cJSON_IsObject(c))
			cJSON_AddItemReferenceToArray(*sources, c);
		else
			rc = -1;
	}
	if (rc)
		return fail_at(l, kp, "'<<' needs a mapping or a list of mappings");
	return 0;
}

/*
 * After the keys written in map (keys, sorted): the members of the merge
 * sources that map does not have, copied and placed at p, the first source
 * to have a key winning: YAML's merge key.
 */
static int apply_merges(struct loader *l, cJSON *map, const struct key_ref *keys, size_t nr,
			const cJSON *sources, struct tmpl_pos p)
{
	struct key_ref *cand = NULL;
	size_t cand_nr = 0, cand_alloc = 0, kept = 0;
	int rc = 0;

	for (const cJSON *src = sources->child; src; src = src->next) {
		for (const cJSON *c = src->child; c; c = c->next) {
			if (has_key(keys, nr, c->string))
				continue;
			ALLOC_GROW(cand, cand_nr + 1, cand_alloc);
			cand[cand_nr].item = c;
			cand[cand_nr].index = cand_nr;
			cand_nr++;
		}
	}
	if (cand_nr)
		qsort(cand, cand_nr, sizeof(*cand), key_ref_cmp);
	for (size_t i = 0; i < cand_nr; i++)
		if (!i || strcmp(cand[i].item->string, cand[i - 1].item->string))
			cand[kept++] = cand[i];
	if (kept)
		qsort(cand, kept, sizeof(*cand), key_ref_index_cmp);
	for (size_t i = 0; i < kept && !rc; i++) {
		size_t count;
		unsigned height;

		subtree_size(cand[i].item, &count, &height);
		if (!(rc = count_node(l, p, count)))
			cJSON_AddItemToObject(map, cand[i].item->string,
					      copy_tree(l, cand[i].item, p));
	}
	free(cand);
	return rc;
}

/* At the end of a mapping (p its position): a duplicate key is an error, then the merges. */
static int end_mapping(struct loader *l, cJSON *map, const cJSON *sources, struct tmpl_pos p)
{
	size_t nr;
	struct key_ref *keys = sorted_keys(map, &nr);
	int rc = check_duplicates(l, keys, nr);

	if (!rc && sources)
		rc = apply_merges(l, map, keys, nr, sources, p);
	free(keys);
	return rc;
}

/* ---- the YAML event walk ---- */

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

static int parse_node(struct loader *l, yaml_event_t *ev, unsigned depth, cJSON **out);

static int next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return yaml_fail(l);
	return 0;
}

/* Whether a plain scalar with this tag is typed (a number, boolean, null) or text. */
static int typed_tag(const struct loader *l, const char *tag)
{
	if (!tag)
		return 1;
	if (!strcmp(tag, YAML_STD "str") || !strcmp(tag, "!"))
		return 0;
	if (!(l->opts->flags & TMPL_YAML_SHORT_FORMS))
		return 1; /* kept as if absent, as ruamel.yaml's round trip keeps them */
	if (!strcmp(tag, "!Ref") || !strcmp(tag, "!Condition") || !strcmp(tag, "!GetAtt"))
		return 0; /* names, never numbers */
	return !strncmp(tag, YAML_STD, strlen(YAML_STD)) || long_form(tag);
}

static int parse_scalar(struct loader *l, const yaml_event_t *ev, struct tmpl_pos p, cJSON **out)
{
	const char *text = (const char *)ev->data.scalar.value;
	int rc;

	if (memchr(text, '\0', ev->data.scalar.length))
		return fail_at(l, p, "text contains a NUL character");
	if ((rc = count_node(l, p, 1)))
		return rc;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && typed_tag(l, event_tag(ev)))
		*out = plain_scalar(l, text);
	else
		*out = cJSON_CreateString(text);
	tmpl_doc_set_pos(l->doc, *out, p, p);
	return 0;
}

static int parse_sequence(struct loader *l, struct tmpl_pos p, unsigned depth, cJSON **out)
{
	yaml_event_t ev;
	int rc;

	if ((rc = count_node(l, p, 1)))
		return rc;
	*out = cJSON_CreateArray();
	tmpl_doc_set_pos(l->doc, *out, p, p);
	for (;;) {
		cJSON *item = NULL;

		if ((rc = next_event(l, &ev)))
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if ((rc = parse_node(l, &ev, depth + 1, &item)))
			return rc;
		cJSON_AddItemToArray(*out, item);
	}
}

static int parse_mapping(struct loader *l, struct tmpl_pos p, unsigned depth, cJSON **out)
{
	int short_forms = l->opts->flags & TMPL_YAML_SHORT_FORMS;
	cJSON *sources = NULL; /* what `<<` keys merge, in order */
	yaml_event_t ev;
	int rc;

	if ((rc = count_node(l, p, 1)))
		return rc;
	*out = cJSON_CreateObject();
	tmpl_doc_set_pos(l->doc, *out, p, p);
	for (;;) {
		struct tmpl_pos kp, vp;
		cJSON *value = NULL;
		const char *tag;
		int merge;
		char *key;

		if ((rc = next_event(l, &ev)))
			goto out;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		kp = mark_pos(&ev.start_mark);
		tag = event_tag(&ev);
		if (ev.type != YAML_SCALAR_EVENT ||
		    (short_forms && tag && strcmp(tag, YAML_STD "str"))) {
			yaml_event_delete(&ev);
			rc = fail_at(l, kp, "mapping keys must be %s",
				     short_forms ? "plain text" : "scalars");
			goto out;
		}
		if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) {
			yaml_event_delete(&ev);
			rc = fail_at(l, kp, "text contains a NUL character");
			goto out;
		}
		merge = (l->opts->flags & TMPL_YAML_MERGE_KEYS) && !tag &&
			ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			!strcmp((const char *)ev.data.scalar.value, "<<");
		key = xstrdup((const char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		if ((rc = next_event(l, &ev)) || (rc = parse_node(l, &ev, depth + 1, &value))) {
			free(key);
			goto out;
		}
		if (merge) {
			rc = add_merge_source(l, &sources, value, kp);
		} else {
			tmpl_doc_pos(l->doc, value, &vp, NULL);
			cJSON_AddItemToObject(*out, key, value);
			tmpl_doc_set_pos(l->doc, value, vp, kp);
		}
		free(key);
		if (rc)
			goto out;
	}
	rc = end_mapping(l, *out, sources, p);
out:
	cJSON_Delete(sources);
	return rc;
}

/*
 * Build the node that starts with ev (a scalar, alias, sequence or mapping
 * start), reading the rest of it from the parser.  ev is consumed.  On
 * failure *out is NULL and what was built is freed.
 */
static int parse_node(struct loader *l, yaml_event_t *ev, unsigned depth, cJSON **out)
{
	struct tmpl_pos p = mark_pos(&ev->start_mark);
	char *anchor = event_anchor(ev) ? xstrdup(event_anchor(ev)) : NULL;
	char *tag = event_tag(ev) ? xstrdup(event_tag(ev)) : NULL;
	cJSON *node = NULL;
	int rc = 0;

	*out = NULL;
	if (depth > l->opts->max_depth) {
		rc = too_deep(l, p);
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
			rc = fail_at(l, p, "unknown alias '*%s'", name);
		else if (depth + a->height - 1 > l->opts->max_depth)
			rc = too_deep(l, p);
		else if (!(rc = count_node(l, p, a->count)))
			node = copy_tree(l, a->node, p);
		yaml_event_delete(ev);
		goto out;
	}
	case YAML_SCALAR_EVENT:
		rc = parse_scalar(l, ev, p, &node);
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		yaml_event_delete(ev);
		rc = parse_sequence(l, p, depth, &node);
		break;
	case YAML_MAPPING_START_EVENT:
		yaml_event_delete(ev);
		rc = parse_mapping(l, p, depth, &node);
		break;
	default:
		rc = fail_at(l, p, "unexpected YAML event");
		yaml_event_delete(ev);
		break;
	}
	if (rc)
		goto out;
	if (tag && (l->opts->flags & TMPL_YAML_SHORT_FORMS) && strcmp(tag, "!") &&
	    strncmp(tag, YAML_STD, strlen(YAML_STD)) && (rc = apply_tag(l, tag, p, &node)))
		goto out;
	if (anchor) {
		struct anchor *a;

		ALLOC_GROW(l->anchors, l->anchors_nr + 1, l->anchors_alloc);
		a = &l->anchors[l->anchors_nr++];
		a->name = anchor;
		a->node = node;
		subtree_size(node, &a->count, &a->height);
		anchor = NULL;
	}
out:
	if (rc) {
		cJSON_Delete(node);
		node = NULL;
	}
	*out = node;
	free(anchor);
	free(tag);
	return rc;
}

/* The stream's one document into l->doc->root; none (NULL) for an empty stream. */
static int load_yaml(struct loader *l)
{
	yaml_event_t ev;
	cJSON *root = NULL;
	int rc;

	yaml_parser_initialize(&l->parser);
	yaml_parser_set_input_string(&l->parser, (const unsigned char *)l->text, l->len);
	if ((rc = next_event(l, &ev))) /* stream start */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(l, &ev)))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) { /* nothing but comments */
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev); /* document start */
	if ((rc = next_event(l, &ev)))
		goto out;
	rc = parse_node(l, &ev, l->opts->top_depth, &root);
	l->doc->root = root;
	if (rc)
		goto out;
	if ((rc = next_event(l, &ev))) /* document end */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(l, &ev)))
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		rc = fail_at(l, mark_pos(&ev.start_mark), "a %s is one YAML document, this is a "
							  "second one", l->opts->what);
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&l->parser);
	return rc;
}

int tmpl_yaml_load(const char *name, const char *data, size_t len,
		   const struct tmpl_yaml_opts *opts, struct tmpl_doc **out,
		   struct aws_error *err)
{
	struct loader l;

	*out = NULL;
	loader_init(&l, name, data, len, opts, err);
	return loader_finish(&l, load_yaml(&l), out);
}

/* ---- JSON ---- */

static size_t json_ws(const struct loader *l, size_t i)
{
	while (i < l->len && (l->text[i] == ' ' || l->text[i] == '\t' || l->text[i] == '\n' ||
			      l->text[i] == '\r'))
		i++;
	return i;
}

static size_t json_skip_string(const struct loader *l, size_t i)
{
	for (i++; i < l->len && l->text[i] != '"'; i++)
		if (l->text[i] == '\\')
			i++;
	return i + 1;
}

/*
 * Walk the text of value v (cJSON accepted it, so the text is well formed
 * and in the same order as the tree), recording positions and checking
 * keys and depth.  Returns the offset after the value, or (size_t)-1 with
 * err set.
 */
static size_t json_walk(struct loader *l, size_t i, cJSON *v, struct tmpl_pos key, unsigned depth)
{
	struct tmpl_pos p;

	i = json_ws(l, i);
	p = offset_pos(l, i);
	tmpl_doc_set_pos(l->doc, v, p, key.line ? key : p);
	if (count_node(l, p, 1))
		return (size_t)-1;
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		int object = cJSON_IsObject(v);

		if (depth > l->opts->max_depth) {
			too_deep(l, p);
			return (size_t)-1;
		}
		i++; /* { or [ */
		for (cJSON *c = v->child; c; c = c->next) {
			struct tmpl_pos kp = { 0, 0 };

			i = json_ws(l, i);
			if (object) {
				kp = offset_pos(l, i);
				i = json_skip_string(l, i);
				i = json_ws(l, i) + 1; /* : */
			}
			i = json_walk(l, i, c, kp, depth + 1);
			if (i == (size_t)-1)
				return i;
			i = json_ws(l, i);
			if (i < l->len && l->text[i] == ',')
				i++;
		}
		i = json_ws(l, i) + 1; /* } or ] */
		if (object && end_mapping(l, v, NULL, p))
			return (size_t)-1;
		return i;
	}
	if (i < l->len && l->text[i] == '"')
		return json_skip_string(l, i);
	while (i < l->len && !strchr(",]} \t\r\n", l->text[i]))
		i++;
	return i;
}

/* 1 when the text was JSON (loaded, or failed with err set), 0 to try YAML. */
static int try_json(struct loader *l, int must, int *rc)
{
	const char *end = NULL;
	size_t start = 0, i;
	cJSON *root;

	if (l->len >= 3 && !memcmp(l->text, "\xef\xbb\xbf", 3))
		start = 3;
	start = json_ws(l, start);
	if (start >= l->len || l->text[start] != '{')
		return 0;
	root = cJSON_ParseWithLengthOpts(l->text + start, l->len - start, &end, 0);
	if (!root) {
		if (!must)
			return 0;
		i = end ? (size_t)(end - l->text) : start;
		*rc = fail_at(l, offset_pos(l, i), "invalid JSON");
		return 1;
	}
	l->doc->root = root;
	i = json_ws(l, (size_t)(end - l->text));
	if (i < l->len) {
		cJSON_Delete(root);
		l->doc->root = NULL;
		if (!must)
			return 0;
		*rc = fail_at(l, offset_pos(l, i), "unexpected text after the JSON document");
		return 1;
	}
	*rc = json_walk(l, start, root, (struct tmpl_pos){ 0, 0 }, 1) == (size_t)-1 ? -AWSX_EFAIL
										 : 0;
	return 1;
}

int tmpl_load_buffer(const char *name, const char *data, size_t len, struct tmpl_doc **out,
		     struct aws_error *err)
{
	struct loader l;
	int rc = 0;

	*out = NULL;
	loader_init(&l, name, data, len, &template_opts, err);
	if (len > TMPL_MAX_BYTES) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot read template '%s': larger than %u bytes",
				   name, TMPL_MAX_BYTES);
		goto out;
	}
	if (!try_json(&l, str_ends_with(name, ".json"), &rc))
		rc = load_yaml(&l);
	if (rc)
		goto out;
	if (!l.doc->root) {
		rc = fail_at(&l, (struct tmpl_pos){ 1, 1 }, "template is empty");
		goto out;
	}
	if (!cJSON_IsObject(l.doc->root)) {
		struct tmpl_pos p;

		tmpl_doc_pos(l.doc, l.doc->root, &p, NULL);
		rc = fail_at(&l, p, "a template must be a mapping at the top level");
		goto out;
	}
out:
	return loader_finish(&l, rc, out);
}

int tmpl_load_file(const char *path, struct tmpl_doc **out, struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	*out = NULL;
	if (strbuf_read_file(&sb, path, TMPL_MAX_BYTES) < 0) {
		if (errno == EFBIG)
			rc = aws_error_set(err, AWSX_EFAIL,
					   "cannot read template '%s': larger than %u bytes", path,
					   TMPL_MAX_BYTES);
		else
			rc = aws_error_set(err, AWSX_EFAIL, "cannot read template '%s': %s", path,
					   strerror(errno));
		goto out;
	}
	rc = tmpl_load_buffer(path, sb.buf, sb.len, out, err);
out:
	strbuf_release(&sb);
	return rc;
}

int tmpl_find(const char *dir, const char *explicit_path, char **out, struct aws_error *err)
{
	static const char *const names[] = { "template.yaml", "template.yml", "template.json" };
	int rc = 0;

	*out = NULL;
	if (explicit_path) {
		*out = xstrdup(explicit_path);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = (!dir || !strcmp(dir, ".")) ? xstrdup(names[i])
							 : xstrfmt("%s/%s", dir, names[i]);

		if (!access(path, F_OK)) {
			*out = path;
			goto out;
		}
		free(path);
	}
	rc = aws_error_set(err, AWSX_EFAIL,
			   "no template found in '%s': looked for template.yaml, template.yml and "
			   "template.json",
			   dir ? dir : ".");
out:
	return rc;
}
