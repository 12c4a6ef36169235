/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shape.h: the bridge between the XML protocols (query, ec2) and the JSON
 * objects awsx modules work with.  A struct shape is a botocore shape as a
 * static table (generated into aws/shapes.c by aws/shapes-gen.py); with it
 * an XML answer becomes JSON with botocore's member names and JSON types,
 * exactly what boto3 returns (except that timestamps stay ISO 8601 strings
 * and blobs base64 strings), and a JSON request in botocore's names becomes
 * the flattened query or ec2 parameters that botocore's serializers send.
 */
#ifndef AWSX_SHAPE_H
#define AWSX_SHAPE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/util.h"
#include "aws/xml.h"

enum shape_kind {
	SHAPE_STRING,
	SHAPE_INTEGER,
	SHAPE_LONG,
	SHAPE_DOUBLE, /* botocore "double" and "float" */
	SHAPE_BOOLEAN,
	SHAPE_TIMESTAMP,
	SHAPE_BLOB,
	SHAPE_STRUCTURE,
	SHAPE_LIST,
	SHAPE_MAP,
};

enum shape_flags {
	SHAPE_FLATTENED = (1 << 0),	    /* list/map without a wrapper element */
	SHAPE_REQUIRED = (1 << 1),	    /* structure member botocore requires */
	SHAPE_IDEMPOTENCY_TOKEN = (1 << 2), /* SDKs fill it with a UUID */
	SHAPE_NAMED = (1 << 3),		    /* list item with its own locationName */
};

/*
 * A structure member, a list's item (members[0]) or a map's key and value
 * (members[0], members[1]).
 */
struct shape_member {
	const char *name;  /* botocore member name, the JSON key; NULL for items */
	const char *wire;  /* XML element name in answers and query-protocol
			    * request name: locationName, else name; for list
			    * items the item element ("member", "item"), for
			    * maps "key"/"value" unless renamed */
	const char *query; /* ec2-protocol request name: queryName, else
			    * locationName with a capital first letter, else name */
	const struct shape *shape;
	unsigned flags;	   /* enum shape_flags */
};

struct shape {
	const char *name; /* botocore shape name; the kind for shared scalars */
	enum shape_kind kind;
	unsigned flags; /* SHAPE_FLATTENED set on the list/map definition */
	const struct shape_member *members;
	size_t nr_members;
};

/* The scalar shapes, shared by every table. */
extern const struct shape shape_string, shape_integer, shape_long,
	shape_double, shape_boolean, shape_timestamp, shape_blob;

/*
 * An exported shape (see shapes.h) by service short name and botocore
 * shape name, e.g. ("ec2", "RequestLaunchTemplateData"); NULL if absent.
 */
const struct shape *shape_find(const char *service, const char *name);

/* The member of structure s named name (botocore's name), or NULL. */
const struct shape_member *shape_find_member(const struct shape *s,
					     const char *name);

/*
 * Convert the answer element n (an <OpResult> for query, the document
 * element for ec2, or any element inside) to JSON as shape s says:
 * booleans from "true"/"false", numbers from their text (integers of more
 * than 15 digits stay text: cJSON would print them changed), timestamps and
 * blobs as the text received, lists from the wrapper's child elements (or
 * a flattened list's repeated siblings), maps from entry/key/value.
 * Members absent from the XML are absent from the JSON, as in boto3.
 *
 * Nothing is dropped silently: an element the shape does not know is kept
 * under its element name (text for a leaf, an object of its children
 * otherwise, repeated names as an array), unless that name is a member's
 * JSON name or the object already holds 256 such names (a bound against
 * hostile answers; AWS adds members a few at a time); a value of the wrong form ("yes" for a boolean, text where a
 * structure belongs) is kept as a string.  s NULL converts generically.
 * Returns a new object (caller frees with cJSON_Delete), NULL for a NULL n.
 */
cJSON *shape_xml_to_json(const struct xml_node *n, const struct shape *s);

/*
 * Serialise j (botocore member names and JSON types) as shape s into
 * params, the way botocore's QuerySerializer (ec2 = 0) or EC2Serializer
 * (ec2 = 1) does: "Prefix.Name" for members, "Prefix.member.N" (query) or
 * "Prefix.N" (ec2) for list items, "Prefix.entry.N.key"/".value" for maps,
 * booleans "true"/"false", integers without a fraction, timestamps as ISO
 * 8601 UTC, blobs as given (JSON carries them as base64 text).  prefix is
 * the request name of j itself ("" or NULL for a whole request).  Members
 * are written in j's order, as botocore writes the caller's dict.
 *
 * Errors (-AWSX_EFAIL, nothing added to params): a member not in the shape,
 * a JSON type that does not fit, a missing required member; the message
 * names the member by its JSON path, e.g. "unknown parameter
 * 'LaunchTemplateData.NetworkInterfaces[0].Foo'".
 */
int shape_json_to_query(const cJSON *j, const struct shape *s,
			const char *prefix, int ec2, struct kvlist *params,
			struct aws_error *err);

/*
 * The answer of operation as JSON (a new object in *out, caller frees):
 * for the query protocol (ec2 = 0) root must be <OperationResponse> and the
 * <OperationResult> inside is converted; for ec2 the document element is.
 * The request id goes into "ResponseMetadata": {"RequestId": ...} as boto3
 * puts it.  service names the service in errors.  -AWSX_ESERVICE when the
 * answer has no such element ("malformed answer ...").
 */
int shape_answer_to_json(const struct xml_node *root, const char *service,
			 const char *operation, int ec2, const struct shape *s,
			 cJSON **out, struct aws_error *err);

/*
 * One page of a list operation: the array member items_member of the
 * answer (new array in *items; empty when the answer has none) and its
 * "NextToken" (a new string in *next_token, NULL when absent or empty;
 * next_token may be NULL).  -AWSX_ESERVICE as shape_answer_to_json, or
 * when the member is not a list.
 */
int shape_answer_page(const struct xml_node *root, const char *service,
		      const char *operation, int ec2, const struct shape *s,
		      const char *items_member, cJSON **items,
		      char **next_token, struct aws_error *err);

#include "aws/shapes.h"

#endif
