/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol.c: the parts of the AWS wire protocols that do not depend on a
 * service: form bodies for query/ec2, JSON response parsing, the Result
 * wrapper of query answers and, above all, turning an error answer of any
 * protocol into code, message and request id.  Error answers are parsed
 * defensively: they may come from a proxy rather than AWS (an HTML page),
 * be truncated, empty or binary, and whatever is copied out of them ends up
 * on a terminal, so control characters are replaced and fields are cut at a
 * UTF-8 character boundary.
 */
#include "aws/protocol.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* How much of an unparseable body is quoted in the error message. */
#define PROTO_SNIPPET_MAX 80

/* ---- query bodies ---- */

/* RFC 3986 unreserved characters stay, everything else is %XX (SigV4 rules). */
static void proto_uri_encode(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* not isalnum(): a Latin-1 locale would let 0xE9 through */
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~') {
			strbuf_addch(out, *p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			strbuf_add(out, esc, sizeof(esc));
		}
	}
}

void proto_query_body(struct strbuf *out, const char *action,
		      const char *version, const struct kvlist *params)
{
	strbuf_adds(out, "Action=");
	proto_uri_encode(out, action);
	strbuf_adds(out, "&Version=");
	proto_uri_encode(out, version);
	for (size_t i = 0; params && i < params->nr; i++) {
		strbuf_addch(out, '&');
		proto_uri_encode(out, params->items[i].name);
		strbuf_addch(out, '=');
		proto_uri_encode(out, params->items[i].value);
	}
}

/* ---- copying untrusted text into struct aws_error ---- */

static int proto_is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Copy src[0..len) into dst (size bytes), trimmed, cut at a character
 * boundary when too long, with C0/C1 control characters and DEL turned into
 * spaces so that nothing from the network can drive the terminal.
 */
static void proto_copy_field(char *dst, size_t size, const char *src,
			     size_t len)
{
	while (len && isspace((unsigned char)*src)) {
		src++;
		len--;
	}
	while (len && isspace((unsigned char)src[len - 1]))
		len--;
	if (len > size - 1) {
		len = size - 1;
		/* src[len] is the first byte left out: do not split its character. */
		while (len && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f) {
			dst[i] = ' ';
		} else if (c == 0xc2 && i + 1 < len &&
			   (unsigned char)src[i + 1] >= 0x80 &&
			   (unsigned char)src[i + 1] <= 0x9f) {
			/* U+0080..U+009F, the C1 controls, as two spaces */
			dst[i] = dst[i + 1] = ' ';
			i++;
		} else {
			dst[i] = (char)c;
		}
	}
	dst[len] = '\0';
}

static void proto_copy_str(char *dst, size_t size, const char *src)
{
	proto_copy_field(dst, size, src, strlen(src));
}

/*
 * "com.amazonaws.logs#ThrottlingException" and
 * "ThrottlingException:http://internal.amazon.com/coral/..." both mean
 * "ThrottlingException".  Like botocore: cut at the first ':' then keep what
 * follows the last '#'.
 */
static void proto_set_code(struct aws_error *err, const char *type)
{
	size_t len = strcspn(type, ":");
	const char *start = type;

	for (size_t i = 0; i < len; i++)
		if (type[i] == '#')
			start = type + i + 1;
	proto_copy_field(err->code, sizeof(err->code), start,
			 len - (size_t)(start - type));
}

/*
 * Up to PROTO_SNIPPET_MAX printable ASCII characters of a body, whitespace
 * runs collapsed; markup is skipped when the body looks like HTML/XML, so a
 * proxy's "502 Bad Gateway" page reads as its text.
 */
static void proto_body_snippet(struct strbuf *out, const char *body,
			       size_t len)
{
	size_t i = 0, start = out->len, taken = 0;
	int in_tag = 0, space = 0;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	int markup = i < len && body[i] == '<';

	for (; i < len && taken < PROTO_SNIPPET_MAX; i++) {
		unsigned char c = (unsigned char)body[i];
		if (markup && c == '<') {
			in_tag = 1;
			space = 1;
			continue;
		}
		if (in_tag) {
			if (c == '>')
				in_tag = 0;
			continue;
		}
		if (isspace(c)) {
			space = 1;
			continue;
		}
		if (c < 0x20 || c > 0x7e)
			continue;
		if (space && out->len > start) {
			strbuf_addch(out, ' ');
			taken++;
		}
		space = 0;
		strbuf_addch(out, c);
		taken++;
	}
}

/* Message for a body we could not make sense of; code stays "". */
static void proto_set_unreadable(struct aws_error *err, long http_status,
				 const char *what, const char *body,
				 size_t len)
{
	struct strbuf snippet = STRBUF_INIT;

	proto_body_snippet(&snippet, body, len);
	if (snippet.len)
		snprintf(err->message, sizeof(err->message),
			 "HTTP %ld with %s body: %s", http_status, what,
			 snippet.buf);
	else
		snprintf(err->message, sizeof(err->message),
			 "HTTP %ld with %s body of %zu bytes", http_status,
			 what, len);
	strbuf_release(&snippet);
}

/* ---- JSON ---- */

/*
 * Parse a whole JSON document; blank input is an empty object.  On failure
 * returns NULL with *bad_offset near the first offending byte.
 */
static cJSON *proto_json_load(const char *body, size_t len, size_t *bad_offset)
{
	const char *end = NULL;
	size_t skip = 0;
	cJSON *json;

	*bad_offset = 0;
	if (!body || proto_is_blank(body, len))
		return cJSON_CreateObject();
	if (len >= 3 && !memcmp(body, "\xef\xbb\xbf", 3))
		skip = 3; /* a UTF-8 byte order mark */

	json = cJSON_ParseWithLengthOpts(body + skip, len - skip, &end, 0);
	if (!json) {
		*bad_offset = end ? (size_t)(end - body) : skip;
		return NULL;
	}
	size_t pos = (size_t)(end - body);
	while (pos < len && isspace((unsigned char)body[pos]))
		pos++;
	if (pos < len) {
		/* trailing garbage after a complete value */
		cJSON_Delete(json);
		*bad_offset = pos;
		return NULL;
	}
	return json;
}

cJSON *proto_json_parse(const char *body, size_t len, struct aws_error *err)
{
	size_t bad;
	cJSON *json = proto_json_load(body, len, &bad);

	if (!json)
		aws_error_set(err, AWSX_EFAIL,
			      "malformed JSON response: syntax error near "
			      "offset %zu of %zu bytes", bad, len);
	return json;
}

/* The first of names that is a string member of obj, or NULL. */
static const char *proto_json_str(const cJSON *obj, const char *const *names)
{
	for (; *names; names++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *names);
		if (cJSON_IsString(v) && v->valuestring)
			return v->valuestring;
	}
	return NULL;
}

static void proto_json_error(long http_status, const struct kvlist *headers,
			     const char *body, size_t len,
			     struct aws_error *err)
{
	static const char *const code_names[] = { "__type", "code", "Code",
						  NULL };
	static const char *const message_names[] = { "message", "Message",
						     "errorMessage", NULL };
	static const char *const request_id_names[] = { "RequestId",
							"requestId", NULL };
	const char *header_type = kvlist_get(headers, "x-amzn-ErrorType");
	const char *s;
	size_t bad;
	cJSON *json = NULL;

	if (header_type && *header_type)
		proto_set_code(err, header_type);
	if (proto_is_blank(body, len)) {
		if (!err->code[0])
			snprintf(err->message, sizeof(err->message),
				 "HTTP %ld with an empty body", http_status);
		goto out;
	}

	json = proto_json_load(body, len, &bad);
	if (!cJSON_IsObject(json)) {
		if (!err->code[0])
			proto_set_unreadable(err, http_status,
					     json ? "an unexpected JSON"
						  : "a non-JSON",
					     body, len);
		goto out;
	}
	if (!err->code[0] && (s = proto_json_str(json, code_names)))
		proto_set_code(err, s);
	if ((s = proto_json_str(json, message_names)))
		proto_copy_str(err->message, sizeof(err->message), s);
	if (!err->request_id[0] && (s = proto_json_str(json, request_id_names)))
		proto_copy_str(err->request_id, sizeof(err->request_id), s);
	if (!err->code[0] && !err->message[0])
		proto_set_unreadable(err, http_status, "an unexpected JSON",
				     body, len);
out:
	cJSON_Delete(json);
}

/* ---- XML ---- */

static void proto_xml_copy(char *dst, size_t size, const struct xml_node *n,
			   const char *name)
{
	const char *s = xml_path_text(n, name);
	if (s && !dst[0])
		proto_copy_str(dst, size, s);
}

/* A HEAD answer has no body; say what its status means, as S3 would. */
static const char *proto_status_code(long http_status)
{
	switch (http_status) {
	case 304: return "NotModified";
	case 400: return "BadRequest";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 412: return "PreconditionFailed";
	default: return NULL;
	}
}

static void proto_xml_error(enum aws_protocol proto, long http_status,
			    const char *body, size_t len,
			    struct aws_error *err)
{
	struct xml_node *root = NULL;
	struct aws_error parse_err;
	const struct xml_node *e;

	if (proto_is_blank(body, len)) {
		const char *code = proto == AWS_PROTO_REST_XML
					   ? proto_status_code(http_status)
					   : NULL;
		if (code)
			proto_copy_str(err->code, sizeof(err->code), code);
		else
			snprintf(err->message, sizeof(err->message),
				 "HTTP %ld with an empty body", http_status);
		goto out;
	}

	aws_error_clear(&parse_err);
	if (xml_parse(body, len, &root, &parse_err)) {
		proto_set_unreadable(err, http_status, "a non-XML", body, len);
		goto out;
	}

	/*
	 * Accept every shape whatever the protocol, as botocore does:
	 * <Error> (S3), <ErrorResponse><Error> (query),
	 * <Response><Errors><Error> (ec2).
	 */
	if (!strcmp(root->name, "Error"))
		e = root;
	else if (!(e = xml_child(root, "Error")))
		e = xml_path(root, "Errors/Error");
	if (e) {
		proto_xml_copy(err->code, sizeof(err->code), e, "Code");
		proto_xml_copy(err->message, sizeof(err->message), e,
			       "Message");
		proto_xml_copy(err->request_id, sizeof(err->request_id), e,
			       "RequestId");
	}
	proto_xml_copy(err->request_id, sizeof(err->request_id), root,
		       "RequestId");
	proto_xml_copy(err->request_id, sizeof(err->request_id), root,
		       "RequestID");
	if (!err->code[0] && !err->message[0])
		proto_set_unreadable(err, http_status, "an unexpected XML",
				     body, len);
out:
	xml_free(root);
}

/* ---- errors, all protocols ---- */

const char *proto_request_id_header(const struct kvlist *headers)
{
	/* kvlist_get ignores case: x-amzn-requestid matches too. */
	static const char *const names[] = { "x-amzn-RequestId",
					     "x-amz-request-id" };

	if (!headers)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = kvlist_get(headers, names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

void proto_parse_error(enum aws_protocol proto, long http_status,
		       const struct kvlist *headers, const char *body,
		       size_t len, struct aws_error *err)
{
	static const struct kvlist no_headers = KVLIST_INIT;
	const char *request_id;

	err->code[0] = err->message[0] = err->request_id[0] = '\0';
	if (!headers)
		headers = &no_headers;
	if (!body)
		len = 0;
	request_id = proto_request_id_header(headers);
	if (request_id)
		proto_copy_str(err->request_id, sizeof(err->request_id),
			       request_id);

	switch (proto) {
	case AWS_PROTO_JSON:
	case AWS_PROTO_REST_JSON:
		proto_json_error(http_status, headers, body ? body : "", len,
				 err);
		break;
	case AWS_PROTO_QUERY:
	case AWS_PROTO_EC2:
	case AWS_PROTO_REST_XML:
		proto_xml_error(proto, http_status, body ? body : "", len, err);
		break;
	}
}

/* ---- query results ---- */

const struct xml_node *proto_query_result(const struct xml_node *root,
					  const char *operation,
					  enum aws_protocol proto)
{
	const struct xml_node *result = NULL;
	char *want = NULL;

	if (!root)
		goto out;
	if (proto != AWS_PROTO_QUERY) {
		result = root;
		goto out;
	}
	want = xstrfmt("%sResponse", operation);
	if (strcmp(root->name, want))
		goto out;
	free(want);
	want = xstrfmt("%sResult", operation);
	result = xml_child(root, want);
out:
	free(want);
	return result;
}
