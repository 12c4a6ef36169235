/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xml.c: the read-only element tree behind xml.h, built from expat's
 * callbacks.  The input comes from the network, so the parser refuses what
 * AWS never sends and an attacker would: any DOCTYPE (which closes the door
 * on entity expansion, external entities and default attributes at once),
 * nesting deeper than XML_MAX_DEPTH, more than XML_MAX_ELEMENTS elements and
 * documents over XML_MAX_INPUT bytes.  Namespace processing is off; a
 * "prefix:" is cut from element names here instead, so an undeclared prefix
 * is not an error.
 */
#include "aws/xml.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#define XML_MAX_INPUT ((size_t)64 << 20)
#define XML_MAX_ELEMENTS 1000000

/* One open element: its node, its last child (for O(1) append), its text. */
struct xml_frame {
	struct xml_node *node;
	struct xml_node *last_child;
	struct strbuf text;
};

struct xml_builder {
	XML_Parser parser;
	struct xml_node *root;
	struct xml_frame stack[XML_MAX_DEPTH];
	int depth;
	size_t elements;
	/* Our own reason for stopping expat; NULL when expat found the error. */
	const char *refusal;
};

static void xml_refuse(struct xml_builder *b, const char *reason)
{
	if (!b->refusal)
		b->refusal = reason;
	XML_StopParser(b->parser, XML_FALSE);
}

static const char *xml_local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	/* "a:" has no local part; keep such an odd name whole. */
	return colon && colon[1] ? colon + 1 : name;
}

static void XMLCALL xml_on_start(void *data, const XML_Char *name,
				 const XML_Char **attrs)
{
	struct xml_builder *b = data;

	if (b->refusal)
		return;
	if (b->depth >= XML_MAX_DEPTH) {
		xml_refuse(b, "elements nested too deeply");
		return;
	}
	if (++b->elements > XML_MAX_ELEMENTS) {
		xml_refuse(b, "too many elements");
		return;
	}

	struct xml_node *n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(xml_local_name(name));
	if (b->depth) {
		struct xml_frame *parent = &b->stack[b->depth - 1];
		n->parent = parent->node;
		if (parent->last_child)
			parent->last_child->next = n;
		else
			parent->node->children = n;
		parent->last_child = n;
	} else {
		b->root = n;
	}

	struct xml_frame *f = &b->stack[b->depth++];
	f->node = n;
	f->last_child = NULL;
	strbuf_init(&f->text, 0);
}

static void XMLCALL xml_on_end(void *data, const XML_Char *name)
{
	struct xml_builder *b = data;

	if (b->refusal || !b->depth)
		return;
	struct xml_frame *f = &b->stack[--b->depth];
	f->node->text = strbuf_detach(&f->text, NULL);
}

static void XMLCALL xml_on_text(void *data, const XML_Char *s, int len)
{
	struct xml_builder *b = data;

	if (b->refusal || !b->depth || len <= 0)
		return;
	strbuf_add(&b->stack[b->depth - 1].text, s, (size_t)len);
}

/*
 * AWS answers never carry a DOCTYPE.  Refusing it outright is simpler to
 * trust than limiting what a DTD may do (billion laughs, external entities).
 */
static void XMLCALL xml_on_doctype(void *data, const XML_Char *name,
				   const XML_Char *sysid, const XML_Char *pubid,
				   int has_internal_subset)
{
	xml_refuse(data, "DOCTYPE declarations are not allowed");
}

/* Unreachable while DOCTYPE is refused; kept so that stays true if it is not. */
static void XMLCALL xml_on_entity_decl(void *data, const XML_Char *name,
				       int is_parameter_entity,
				       const XML_Char *value, int value_len,
				       const XML_Char *base,
				       const XML_Char *sysid,
				       const XML_Char *pubid,
				       const XML_Char *notation)
{
	xml_refuse(data, "entity declarations are not allowed");
}

int xml_parse(const char *buf, size_t len, struct xml_node **root,
	      struct aws_error *err)
{
	struct xml_builder b;
	int rc = 0;

	*root = NULL;
	memset(&b, 0, sizeof(b));
	if (len > XML_MAX_INPUT)
		return aws_error_set(err, AWSX_EFAIL,
				     "malformed XML: document of %zu bytes is "
				     "larger than the 64 MiB limit", len);

	b.parser = XML_ParserCreate(NULL);
	if (!b.parser) {
		fprintf(stderr, "awsx: out of memory creating an XML parser\n");
		abort();
	}
	XML_SetUserData(b.parser, &b);
	XML_SetElementHandler(b.parser, xml_on_start, xml_on_end);
	XML_SetCharacterDataHandler(b.parser, xml_on_text);
	XML_SetStartDoctypeDeclHandler(b.parser, xml_on_doctype);
	XML_SetEntityDeclHandler(b.parser, xml_on_entity_decl);
	XML_SetParamEntityParsing(b.parser, XML_PARAM_ENTITY_PARSING_NEVER);

	if (XML_Parse(b.parser, buf, (int)len, XML_TRUE) != XML_STATUS_OK) {
		unsigned long long line =
			(unsigned long long)XML_GetCurrentLineNumber(b.parser);
		const char *reason = b.refusal;
		if (!reason)
			reason = XML_ErrorString(XML_GetErrorCode(b.parser));
		rc = aws_error_set(err, AWSX_EFAIL, "malformed XML: line %llu: %s",
				   line, reason ? reason : "unknown error");
		goto out;
	}
	*root = b.root;
	b.root = NULL;

out:
	/* On error some elements are still open: their text was never detached. */
	for (int i = 0; i < b.depth; i++) {
		struct xml_frame *f = &b.stack[i];
		f->node->text = strbuf_detach(&f->text, NULL);
	}
	xml_free(b.root);
	XML_ParserFree(b.parser);
	return rc;
}

void xml_free(struct xml_node *root)
{
	/* Recursion follows depth (bounded by the parser); siblings loop. */
	while (root) {
		struct xml_node *next = root->next;
		xml_free(root->children);
		free(root->name);
		free(root->text);
		free(root);
		root = next;
	}
}

const struct xml_node *xml_child(const struct xml_node *n, const char *name)
{
	if (!n)
		return NULL;
	for (const struct xml_node *c = n->children; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const struct xml_node *xml_child_n(const struct xml_node *n,
					  const char *name, size_t len)
{
	for (const struct xml_node *c = n->children; c; c = c->next)
		if (!strncmp(c->name, name, len) && !c->name[len])
			return c;
	return NULL;
}

const struct xml_node *xml_path(const struct xml_node *n, const char *path)
{
	const char *p = path;

	while (n && *p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len)
			n = xml_child_n(n, p, len);
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

const char *xml_path_text(const struct xml_node *n, const char *path)
{
	const struct xml_node *t = xml_path(n, path);
	return t ? t->text : NULL;
}

const struct xml_node *xml_next_same(const struct xml_node *n)
{
	if (!n)
		return NULL;
	for (const struct xml_node *s = n->next; s; s = s->next)
		if (!strcmp(s->name, n->name))
			return s;
	return NULL;
}
