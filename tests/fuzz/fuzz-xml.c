/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-xml.c: libFuzzer target for the XML side of the AWS core: the
 * expat-backed tree (aws/xml.c), walked with every accessor, and the error
 * parser of the query, ec2 and rest-xml protocols (aws/protocol.c) on the
 * same bytes.  Besides crashes it checks the contracts: every node has a
 * name and text, parents link back, depth stays within XML_MAX_DEPTH, and
 * error fields are NUL-terminated, valid UTF-8 and free of control
 * characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "aws/xml.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

/* Valid UTF-8 without C0 controls or DEL (what reaches a terminal). */
static void fuzz_check_field(const char *s, size_t size)
{
	size_t len = strnlen(s, size);
	const unsigned char *p = (const unsigned char *)s;

	fuzz_assert(len < size);
	for (size_t i = 0; i < len; i++) {
		size_t more;
		fuzz_assert(p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] < 0x80)
			continue;
		if ((p[i] & 0xe0) == 0xc0)
			more = 1;
		else if ((p[i] & 0xf0) == 0xe0)
			more = 2;
		else if ((p[i] & 0xf8) == 0xf0)
			more = 3;
		else
			abort();
		for (size_t k = 1; k <= more; k++)
			fuzz_assert(i + k < len && (p[i + k] & 0xc0) == 0x80);
		i += more;
	}
}

static void fuzz_walk(const struct xml_node *n, int depth)
{
	fuzz_assert(depth <= XML_MAX_DEPTH);
	for (; n; n = n->next) {
		fuzz_assert(n->name && n->text);
		for (const struct xml_node *c = n->children; c; c = c->next)
			fuzz_assert(c->parent == n);
		if (n->parent)
			fuzz_assert(xml_child(n->parent, n->name) != NULL);
		const struct xml_node *same = xml_next_same(n);
		fuzz_assert(!same || !strcmp(same->name, n->name));
		if (n->children) {
			char *path = xstrfmt("%s/%s", n->children->name,
					     n->children->name);
			(void)xml_path_text(n, path);
			free(path);
			fuzz_assert(xml_path(n, n->children->name) != NULL);
		}
		fuzz_walk(n->children, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum aws_protocol protos[] = {
		AWS_PROTO_QUERY, AWS_PROTO_EC2, AWS_PROTO_REST_XML
	};
	const char *body = (const char *)data;
	struct xml_node *root = NULL;
	struct aws_error err;

	aws_error_clear(&err);
	if (xml_parse(body, size, &root, &err) == 0) {
		fuzz_assert(root && !root->parent && !root->next);
		fuzz_walk(root, 1);
		const struct xml_node *r =
			proto_query_result(root, root->name, AWS_PROTO_QUERY);
		fuzz_assert(!r || r->parent == root);
		fuzz_assert(proto_query_result(root, "X", AWS_PROTO_EC2) ==
			    root);
		xml_free(root);
	} else {
		fuzz_assert(root == NULL);
		fuzz_assert(err.kind == AWSX_EFAIL);
		fuzz_assert(!strncmp(err.message, "malformed XML: ", 15));
	}

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		aws_error_clear(&err);
		proto_parse_error(protos[i], 400 + (long)i, NULL, body, size,
				  &err);
		fuzz_check_field(err.code, sizeof(err.code));
		fuzz_check_field(err.message, sizeof(err.message));
		fuzz_check_field(err.request_id, sizeof(err.request_id));
		fuzz_assert(err.code[0] || err.message[0]);
		fuzz_assert(err.kind == 0 && err.http_status == 0);
	}
	return 0;
}
