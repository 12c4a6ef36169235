/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shape.c: walks the shape tables of shapes.c in both directions.  XML
 * answers become JSON following botocore's BaseXMLResponseParser (member
 * elements by wire name, list items from every child of the wrapper,
 * flattened lists and maps from repeated siblings); JSON requests become
 * query or ec2 parameters following botocore's QuerySerializer and
 * EC2Serializer.  The XML comes from the network: anything that does not
 * fit the shape is kept as text rather than trusted or dropped, and the
 * recursion follows the parsed tree, whose depth xml.c bounds.
 */
#include "aws/shape.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct shape shape_string = { "string", SHAPE_STRING, 0, NULL, 0 };
const struct shape shape_integer = { "integer", SHAPE_INTEGER, 0, NULL, 0 };
const struct shape shape_long = { "long", SHAPE_LONG, 0, NULL, 0 };
const struct shape shape_double = { "double", SHAPE_DOUBLE, 0, NULL, 0 };
const struct shape shape_boolean = { "boolean", SHAPE_BOOLEAN, 0, NULL, 0 };
const struct shape shape_timestamp = { "timestamp", SHAPE_TIMESTAMP, 0, NULL, 0 };
const struct shape shape_blob = { "blob", SHAPE_BLOB, 0, NULL, 0 };

/*
 * Integers in answers up to 15 digits become JSON numbers; longer ones stay
 * text, because cJSON prints numbers with 15 significant digits when that
 * reads back within its epsilon, which would change the value.
 */
#define SHAPE_MAX_ANSWER_INT 999999999999999LL

/* Integers in requests: what a double holds exactly (2^53). */
#define SHAPE_MAX_REQUEST_INT 9007199254740992.0

/* Distinct unknown element names kept per object (see shape_add_unknown). */
#define SHAPE_MAX_UNKNOWN 256

/* JSON nesting accepted when serialising (cJSON's own parse limit is 1000). */
#define SHAPE_MAX_JSON_DEPTH 64

const struct shape_member *shape_find_member(const struct shape *s,
					     const char *name)
{
	if (!s || s->kind != SHAPE_STRUCTURE || !name)
		return NULL;
	for (size_t i = 0; i < s->nr_members; i++)
		if (!strcmp(s->members[i].name, name))
			return &s->members[i];
	return NULL;
}

/* ---- XML -> JSON ---- */

static int shape_blank(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return !*s;
}

/* Whole text (surrounding blanks allowed, as Python's int()) to an integer. */
static int shape_parse_int(const char *text, double *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || !shape_blank(end))
		return -1;
	if (v > SHAPE_MAX_ANSWER_INT || v < -SHAPE_MAX_ANSWER_INT)
		return -1;
	*out = (double)v;
	return 0;
}

/* Decimal text (no hex, inf or nan: JSON cannot hold them) to a double. */
static int shape_parse_double(const char *text, double *out)
{
	char *end;
	double v;

	for (const char *p = text; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr("+-.eE \t\r\n", *p))
			return -1;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !shape_blank(end) || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int shape_has_elements(const struct xml_node *n)
{
	return n->children != NULL;
}

static cJSON *shape_generic(const struct xml_node *n);

/*
 * Add element c, which no shape describes, to obj under its name; a
 * repeated name turns the value into an array of all of them (as
 * botocore's _build_name_to_xml_node aggregates repeats).  *nr_keys counts
 * the names added: past SHAPE_MAX_UNKNOWN new names are dropped, so that a
 * hostile answer cannot make each lookup, and the whole, quadratic.
 */
static void shape_add_unknown(cJSON *obj, const struct xml_node *c,
			      size_t *nr_keys)
{
	cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, c->name);

	if (!old) {
		if (*nr_keys >= SHAPE_MAX_UNKNOWN)
			return;
		(*nr_keys)++;
		cJSON_AddItemToObject(obj, c->name, shape_generic(c));
		return;
	}
	if (!cJSON_IsArray(old)) {
		cJSON *arr = cJSON_CreateArray();
		cJSON_DetachItemViaPointer(obj, old);
		cJSON_AddItemToArray(arr, old);
		cJSON_AddItemToObject(obj, c->name, arr);
		old = arr;
	}
	cJSON_AddItemToArray(old, shape_generic(c));
}

/* An element no shape describes: text for a leaf, else its children. */
static cJSON *shape_generic(const struct xml_node *n)
{
	size_t nr_keys = 0;

	if (!shape_has_elements(n))
		return cJSON_CreateString(n->text);
	cJSON *obj = cJSON_CreateObject();
	for (const struct xml_node *c = n->children; c; c = c->next)
		shape_add_unknown(obj, c, &nr_keys);
	return obj;
}

static cJSON *shape_convert(const struct xml_node *n, const struct shape *s);

/* One <entry> (or flattened sibling) of a map into obj. */
static void shape_map_entry(cJSON *obj, const struct xml_node *entry,
			    const struct shape *s)
{
	const struct xml_node *k = xml_child(entry, s->members[0].wire);
	const struct xml_node *v = xml_child(entry, s->members[1].wire);

	/* botocore fails on an entry without a key; keep it visible instead */
	if (!k) {
		size_t one = 0;
		shape_add_unknown(obj, entry, &one);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, k->text);
	cJSON_AddItemToObject(obj, k->text,
			      v ? shape_convert(v, s->members[1].shape)
				: cJSON_CreateNull());
}

/* The element name a structure member arrives in. */
static const char *shape_member_element(const struct shape_member *m)
{
	const struct shape *t = m->shape;
	if (t->kind == SHAPE_LIST && (m->flags & SHAPE_FLATTENED) &&
	    (t->members[0].flags & SHAPE_NAMED))
		return t->members[0].wire;
	return m->wire;
}

static int shape_is_member_element(const struct shape *s, const char *name)
{
	for (size_t i = 0; i < s->nr_members; i++)
		if (!strcmp(shape_member_element(&s->members[i]), name))
			return 1;
	return 0;
}

static int shape_is_member_name(const struct shape *s, const char *name)
{
	return shape_find_member(s, name) != NULL;
}

static cJSON *shape_structure(const struct xml_node *n, const struct shape *s)
{
	cJSON *obj = cJSON_CreateObject();
	size_t nr_unknown = 0;

	for (size_t i = 0; i < s->nr_members; i++) {
		const struct shape_member *m = &s->members[i];
		const char *el = shape_member_element(m);
		const struct xml_node *c = xml_child(n, el);
		if (!c)
			continue;
		if (m->flags & SHAPE_FLATTENED &&
		    (m->shape->kind == SHAPE_LIST || m->shape->kind == SHAPE_MAP)) {
			const struct shape *t = m->shape;
			cJSON *v = t->kind == SHAPE_LIST ? cJSON_CreateArray()
							 : cJSON_CreateObject();
			for (; c; c = xml_next_same(c)) {
				if (t->kind == SHAPE_LIST)
					cJSON_AddItemToArray(
						v, shape_convert(c, t->members[0].shape));
				else
					shape_map_entry(v, c, t);
			}
			cJSON_AddItemToObject(obj, m->name, v);
			continue;
		}
		cJSON_AddItemToObject(obj, m->name, shape_convert(c, m->shape));
	}

	/* Keep what the shape does not know, unless it would pose as a member. */
	for (const struct xml_node *c = n->children; c; c = c->next) {
		if (shape_is_member_element(s, c->name) ||
		    shape_is_member_name(s, c->name))
			continue;
		shape_add_unknown(obj, c, &nr_unknown);
	}
	return obj;
}

static cJSON *shape_convert(const struct xml_node *n, const struct shape *s)
{
	double d;

	if (!s)
		return shape_generic(n);
	switch (s->kind) {
	case SHAPE_STRUCTURE:
	case SHAPE_LIST:
	case SHAPE_MAP:
		/* text where a container belongs is kept as text */
		if (!shape_has_elements(n) && !shape_blank(n->text))
			return cJSON_CreateString(n->text);
		break;
	case SHAPE_BOOLEAN:
		if (!strcmp(n->text, "true"))
			return cJSON_CreateTrue();
		if (!strcmp(n->text, "false"))
			return cJSON_CreateFalse();
		return cJSON_CreateString(n->text);
	case SHAPE_INTEGER:
	case SHAPE_LONG:
		if (shape_parse_int(n->text, &d))
			return cJSON_CreateString(n->text);
		return cJSON_CreateNumber(d);
	case SHAPE_DOUBLE:
		if (shape_parse_double(n->text, &d))
			return cJSON_CreateString(n->text);
		return cJSON_CreateNumber(d);
	case SHAPE_STRING:
	case SHAPE_TIMESTAMP:
	case SHAPE_BLOB:
		return cJSON_CreateString(n->text);
	}

	if (s->kind == SHAPE_STRUCTURE)
		return shape_structure(n, s);
	if (s->kind == SHAPE_LIST) {
		/* botocore takes every child of the wrapper, whatever its name */
		cJSON *arr = cJSON_CreateArray();
		for (const struct xml_node *c = n->children; c; c = c->next)
			cJSON_AddItemToArray(arr, shape_convert(c, s->members[0].shape));
		return arr;
	}
	cJSON *obj = cJSON_CreateObject();
	for (const struct xml_node *c = n->children; c; c = c->next)
		shape_map_entry(obj, c, s);
	return obj;
}

cJSON *shape_xml_to_json(const struct xml_node *n, const struct shape *s)
{
	return n ? shape_convert(n, s) : NULL;
}

/* ---- JSON -> query / ec2 parameters ---- */

struct shape_ser {
	int ec2;
	struct kvlist out;
	struct aws_error *err;
	struct strbuf name; /* the parameter name being built */
	struct strbuf path; /* the JSON path, for messages */
};

static const char *shape_json_type(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsBool(j))
		return "boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsObject(j))
		return "object";
	return "invalid value";
}

static const char *shape_kind_name(enum shape_kind k)
{
	switch (k) {
	case SHAPE_STRING:
		return "string";
	case SHAPE_INTEGER:
		return "integer";
	case SHAPE_LONG:
		return "integer (long)";
	case SHAPE_DOUBLE:
		return "number";
	case SHAPE_BOOLEAN:
		return "boolean";
	case SHAPE_TIMESTAMP:
		return "timestamp string or epoch seconds";
	case SHAPE_BLOB:
		return "base64 string";
	case SHAPE_STRUCTURE:
		return "object";
	case SHAPE_LIST:
		return "array";
	case SHAPE_MAP:
		return "object";
	}
	return "value";
}

static int shape_type_error(struct shape_ser *st, const cJSON *j,
			    const struct shape *s)
{
	return aws_error_set(st->err, AWSX_EFAIL,
			     "invalid type for parameter '%s': expected %s, got %s",
			     st->path.buf, shape_kind_name(s->kind),
			     shape_json_type(j));
}

static void shape_emit(struct shape_ser *st, const char *value)
{
	kvlist_add(&st->out, st->name.buf, value);
}

/*
 * Python's str() of a float: the shortest of %.15g..%.17g that reads back
 * the same; integral values below 1e16 without an exponent.
 */
static void shape_format_double(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e16) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/*
 * botocore's iso8601 form: "%Y-%m-%dT%H:%M:%SZ", with ".%f" (6 digits)
 * when there are microseconds.  A string is parsed as ISO 8601, a number is
 * epoch seconds.
 */
static int shape_timestamp_value(const cJSON *j, char *buf, size_t len)
{
	long long secs;
	long micros = 0;

	if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (!isfinite(d) || d < 0 || d > 253402300799.0)
			return -1;
		secs = (long long)floor(d);
		micros = lround((d - (double)secs) * 1e6);
		if (micros >= 1000000) {
			secs++;
			micros = 0;
		}
	} else {
		const char *s = j->valuestring, *dot;
		secs = parse_iso8601(s);
		if (secs < 0)
			return -1;
		dot = strchr(s, '.');
		if (dot && strchr(s, 'T') && dot > strchr(s, 'T')) {
			long scale = 100000;
			for (const char *p = dot + 1; isdigit((unsigned char)*p); p++) {
				micros += (*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	format_iso8601(secs, buf, len);
	if (micros > 0) {
		size_t l = strlen(buf);
		if (l && buf[l - 1] == 'Z')
			snprintf(buf + l - 1, len - (l - 1), ".%06ldZ", micros);
	}
	return 0;
}

static int shape_ser_value(struct shape_ser *st, const cJSON *j,
			   const struct shape *s, unsigned flags, int depth);

static int shape_ser_structure(struct shape_ser *st, const cJSON *j,
			       const struct shape *s, int depth)
{
	size_t name_len = st->name.len, path_len = st->path.len;
	const cJSON *item;
	int rc = 0;

	if (!cJSON_IsObject(j))
		return shape_type_error(st, j, s);
	for (size_t i = 0; i < s->nr_members; i++) {
		const struct shape_member *m = &s->members[i];
		if ((m->flags & SHAPE_REQUIRED) &&
		    !cJSON_GetObjectItemCaseSensitive(j, m->name))
			return aws_error_set(st->err, AWSX_EFAIL,
					     "missing required parameter '%s%s%s'",
					     st->path.buf, path_len ? "." : "",
					     m->name);
	}
	cJSON_ArrayForEach(item, j) {
		const struct shape_member *m = shape_find_member(s, item->string);
		if (path_len)
			strbuf_addch(&st->path, '.');
		strbuf_adds(&st->path, item->string);
		if (!m) {
			rc = aws_error_set(st->err, AWSX_EFAIL,
					   "unknown parameter '%s'", st->path.buf);
			goto out;
		}
		if (name_len)
			strbuf_addch(&st->name, '.');
		strbuf_adds(&st->name, st->ec2 ? m->query : m->wire);
		rc = shape_ser_value(st, item, m->shape, m->flags, depth + 1);
		if (rc)
			goto out;
		strbuf_setlen(&st->name, name_len);
		strbuf_setlen(&st->path, path_len);
	}
out:
	return rc;
}

static int shape_ser_list(struct shape_ser *st, const cJSON *j,
			  const struct shape *s, unsigned flags, int depth)
{
	const struct shape_member *item = &s->members[0];
	size_t name_len, path_len = st->path.len;
	const cJSON *e;
	int i = 0, rc = 0;

	if (!cJSON_IsArray(j))
		return shape_type_error(st, j, s);
	if (st->ec2) {
		/* EC2Serializer: "Name.N"; an empty list sends nothing */
	} else if (!cJSON_GetArraySize(j)) {
		/* QuerySerializer sends an empty list as "Name=" */
		shape_emit(st, "");
		return 0;
	} else if ((flags | s->flags) & SHAPE_FLATTENED) {
		/* "Parent.Name.N", the last name part replaced by a named item's */
		if (item->flags & SHAPE_NAMED) {
			char *dot = strrchr(st->name.buf, '.');
			strbuf_setlen(&st->name, dot ? (size_t)(dot - st->name.buf) + 1 : 0);
			strbuf_adds(&st->name, item->wire);
		}
	} else {
		strbuf_addf(&st->name, ".%s", item->wire);
	}
	name_len = st->name.len;
	cJSON_ArrayForEach(e, j) {
		strbuf_addf(&st->name, ".%d", ++i);
		strbuf_addf(&st->path, "[%d]", i - 1);
		rc = shape_ser_value(st, e, item->shape, item->flags, depth + 1);
		if (rc)
			break;
		strbuf_setlen(&st->name, name_len);
		strbuf_setlen(&st->path, path_len);
	}
	return rc;
}

static int shape_ser_map(struct shape_ser *st, const cJSON *j,
			 const struct shape *s, unsigned flags, int depth)
{
	const struct shape_member *k = &s->members[0], *v = &s->members[1];
	size_t name_len, path_len = st->path.len;
	const cJSON *e;
	int i = 0, rc = 0;

	if (!cJSON_IsObject(j))
		return shape_type_error(st, j, s);
	if (!((flags | s->flags) & SHAPE_FLATTENED))
		strbuf_adds(&st->name, ".entry");
	name_len = st->name.len;
	cJSON_ArrayForEach(e, j) {
		i++;
		strbuf_addf(&st->name, ".%d.%s", i, st->ec2 ? k->query : k->wire);
		shape_emit(st, e->string);
		strbuf_setlen(&st->name, name_len);
		strbuf_addf(&st->name, ".%d.%s", i, st->ec2 ? v->query : v->wire);
		strbuf_addf(&st->path, ".%s", e->string);
		rc = shape_ser_value(st, e, v->shape, v->flags, depth + 1);
		if (rc)
			break;
		strbuf_setlen(&st->name, name_len);
		strbuf_setlen(&st->path, path_len);
	}
	return rc;
}

static int shape_ser_value(struct shape_ser *st, const cJSON *j,
			   const struct shape *s, unsigned flags, int depth)
{
	char buf[64];

	if (depth > SHAPE_MAX_JSON_DEPTH)
		return aws_error_set(st->err, AWSX_EFAIL,
				     "invalid parameter '%s': nested too deeply",
				     st->path.buf);
	switch (s->kind) {
	case SHAPE_STRUCTURE:
		return shape_ser_structure(st, j, s, depth);
	case SHAPE_LIST:
		return shape_ser_list(st, j, s, flags, depth);
	case SHAPE_MAP:
		return shape_ser_map(st, j, s, flags, depth);
	case SHAPE_STRING:
	case SHAPE_BLOB:
		if (!cJSON_IsString(j))
			return shape_type_error(st, j, s);
		shape_emit(st, j->valuestring);
		return 0;
	case SHAPE_BOOLEAN:
		if (!cJSON_IsBool(j))
			return shape_type_error(st, j, s);
		shape_emit(st, cJSON_IsTrue(j) ? "true" : "false");
		return 0;
	case SHAPE_INTEGER:
	case SHAPE_LONG: {
		double d = j->valuedouble;
		if (!cJSON_IsNumber(j) || d != floor(d) ||
		    fabs(d) > SHAPE_MAX_REQUEST_INT)
			return shape_type_error(st, j, s);
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
		shape_emit(st, buf);
		return 0;
	}
	case SHAPE_DOUBLE:
		if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
			return shape_type_error(st, j, s);
		shape_format_double(j->valuedouble, buf, sizeof(buf));
		shape_emit(st, buf);
		return 0;
	case SHAPE_TIMESTAMP:
		if (!(cJSON_IsString(j) || cJSON_IsNumber(j)))
			return shape_type_error(st, j, s);
		if (shape_timestamp_value(j, buf, sizeof(buf)))
			return aws_error_set(st->err, AWSX_EFAIL,
					     "invalid timestamp for parameter '%s': expected "
					     "ISO 8601 (2024-01-02T03:04:05Z) or epoch seconds",
					     st->path.buf);
		shape_emit(st, buf);
		return 0;
	}
	return shape_type_error(st, j, s);
}

int shape_json_to_query(const cJSON *j, const struct shape *s,
			const char *prefix, int ec2, struct kvlist *params,
			struct aws_error *err)
{
	struct shape_ser st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.ec2 = ec2;
	st.err = err;
	strbuf_init(&st.name, 128);
	strbuf_init(&st.path, 128);
	strbuf_adds(&st.name, prefix ? prefix : "");
	strbuf_adds(&st.path, prefix ? prefix : "");
	rc = shape_ser_value(&st, j, s, 0, 0);
	if (rc)
		goto out;
	for (size_t i = 0; i < st.out.nr; i++)
		kvlist_add(params, st.out.items[i].name, st.out.items[i].value);
out:
	kvlist_release(&st.out);
	strbuf_release(&st.name);
	strbuf_release(&st.path);
	return rc;
}

/* ---- answers ---- */

static int shape_bad_answer(struct aws_error *err, const char *service,
			    const char *operation, const char *what)
{
	aws_error_clear(err);
	snprintf(err->service, sizeof(err->service), "%s", service);
	snprintf(err->operation, sizeof(err->operation), "%s", operation);
	return aws_error_set(err, AWSX_ESERVICE, "malformed answer: %s", what);
}

/*
 * boto3's ResponseMetadata.RequestId: <requestId> beside the ec2 answer's
 * members (taken out of them: no shape lists it), <ResponseMetadata> beside
 * the query answer's <OpResult>.
 */
static void shape_add_request_id(cJSON *obj, const struct xml_node *root,
				 int ec2)
{
	const char *id = NULL;
	cJSON *meta;

	if (!cJSON_IsObject(obj))
		return;
	if (ec2) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "requestId");
		if (cJSON_IsString(v)) {
			id = xml_path_text(root, "requestId");
			cJSON_DeleteItemFromObjectCaseSensitive(obj, "requestId");
		}
	} else {
		id = xml_path_text(root, "ResponseMetadata/RequestId");
	}
	if (!id || cJSON_GetObjectItemCaseSensitive(obj, "ResponseMetadata"))
		return;
	meta = cJSON_AddObjectToObject(obj, "ResponseMetadata");
	cJSON_AddStringToObject(meta, "RequestId", id);
}

int shape_answer_to_json(const struct xml_node *root, const char *service,
			 const char *operation, int ec2, const struct shape *s,
			 cJSON **out, struct aws_error *err)
{
	const struct xml_node *result = root;
	char *want = NULL;
	int rc = 0;

	*out = NULL;
	if (!root) {
		rc = shape_bad_answer(err, service, operation, "no XML body");
		goto out;
	}
	if (!ec2) {
		want = xstrfmt("%sResponse", operation);
		result = strcmp(root->name, want) ? NULL : root;
		free(want);
		want = xstrfmt("%sResult", operation);
		result = result ? xml_child(result, want) : NULL;
	}
	if (!result) {
		char *what = xstrfmt("no %s element", want);
		rc = shape_bad_answer(err, service, operation, what);
		free(what);
		goto out;
	}
	*out = shape_xml_to_json(result, s);
	shape_add_request_id(*out, root, ec2);
out:
	free(want);
	return rc;
}

int shape_answer_page(const struct xml_node *root, const char *service,
		      const char *operation, int ec2, const struct shape *s,
		      const char *items_member, cJSON **items,
		      char **next_token, struct aws_error *err)
{
	cJSON *answer = NULL, *list;
	const cJSON *tok;
	int rc;

	*items = NULL;
	if (next_token)
		*next_token = NULL;
	rc = shape_answer_to_json(root, service, operation, ec2, s, &answer, err);
	if (rc)
		goto out;
	list = cJSON_DetachItemFromObjectCaseSensitive(answer, items_member);
	if (list && !cJSON_IsArray(list)) {
		char *what = xstrfmt("'%s' is not a list", items_member);
		cJSON_Delete(list);
		rc = shape_bad_answer(err, service, operation, what);
		free(what);
		goto out;
	}
	*items = list ? list : cJSON_CreateArray();
	tok = cJSON_GetObjectItemCaseSensitive(answer, "NextToken");
	if (next_token && cJSON_IsString(tok) && *tok->valuestring)
		*next_token = xstrdup(tok->valuestring);
out:
	cJSON_Delete(answer);
	return rc;
}
