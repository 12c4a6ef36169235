/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xml.h: a small read-only XML tree built with expat, for the query, ec2 and
 * rest-xml protocols.  Elements only: attributes and namespaces are dropped
 * (names keep no prefix), text is the concatenated character data of an
 * element.  Input is untrusted: depth and size are bounded.
 */
#ifndef AWSX_XML_H
#define AWSX_XML_H

#include <stddef.h>

#include "aws/util.h"

struct xml_node {
	char *name;		  /* local name, without namespace prefix */
	char *text;		  /* character data, "" when none; never NULL */
	struct xml_node *parent;
	struct xml_node *children; /* first child */
	struct xml_node *next;	  /* next sibling */
};

/* Deepest element nesting accepted. */
#define XML_MAX_DEPTH 64

/*
 * Parse buf into a tree; *root is the document element.  Returns 0, or
 * -AWSX_EFAIL with "malformed XML: line N: <expat's reason>" in err.
 */
int xml_parse(const char *buf, size_t len, struct xml_node **root,
	      struct aws_error *err);
void xml_free(struct xml_node *root);

/* First child element named name, or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* Follow a '/'-separated path of child names from n; NULL if absent. */
const struct xml_node *xml_path(const struct xml_node *n, const char *path);
/* Text at path, or NULL. */
const char *xml_path_text(const struct xml_node *n, const char *path);
/* Next sibling with the same name as n, or NULL (for member lists). */
const struct xml_node *xml_next_same(const struct xml_node *n);

#endif
