/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.h: a TOML reader for configuration files (sync/samconfig.c reads
 * samconfig.toml with it), written here because Debian 12 packages no C
 * TOML library.
 *
 * It takes the whole of TOML 1.0 that a configuration file can hold --
 * comments, [tables] and [[arrays of tables]] with bare or quoted dotted
 * names, dotted keys, the four kinds of strings with every escape, integers
 * in four bases, floats, booleans, arrays and inline tables, and TOML's
 * rules on defining a table or key twice -- and refuses dates and times,
 * inf and nan, and strings holding U+0000, with a message.  Like SAM CLI's
 * Python (universal newlines), it takes CRLF and a lone CR as newlines.
 * Input is checked as UTF-8 first, nesting is capped at TOML_MAX_DEPTH, and
 * a large file costs linear time.
 */
#ifndef AWSX_TOML_H
#define AWSX_TOML_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/util.h"

#define TOML_MAX_DEPTH 32u /* nesting of tables, arrays and key parts */

/* Where a key or [header] defined node: 1-based line and column (in characters). */
struct toml_pos {
	const cJSON *node;
	unsigned line, col;
};

/* A document and where its tables and values were defined. */
struct toml_doc {
	cJSON *root; /* an object; the doc's until the caller takes it (and sets NULL) */
	struct toml_pos *pos; /* every table and value a key or header defined */
	size_t pos_nr, pos_alloc;
};

/*
 * Parse len bytes at data (need not be NUL-terminated) into doc, which
 * this initialises; release it with toml_doc_release, also after an error.
 * Tables become JSON objects, arrays of tables arrays of objects.  A
 * number keeps its text in valuestring as templates/ numbers do (integers
 * in decimal: 0xff -> "255", 1_000 -> "1000"), so a big integer stays
 * exact; an integer outside int64 is an error, as TOML says.  name is only
 * used in messages.  Returns 0, or -AWSX_ECONFIG with
 * "<name>:<line>:<column>: <reason>" (doc->root is then NULL).
 */
int toml_parse(const char *name, const char *data, size_t len, struct toml_doc *doc,
	       struct aws_error *err);

/* Where node (of doc's tree) was defined: 0, or -1 (and 0, 0) when doc does not know it. */
int toml_doc_pos(const struct toml_doc *doc, const cJSON *node, unsigned *line, unsigned *col);

void toml_doc_release(struct toml_doc *doc);

#endif
