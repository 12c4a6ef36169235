/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol.h: the AWS wire protocols awsx speaks, serialisation of requests
 * and parsing of responses and errors:
 *   json (1.0/1.1)  POST /, X-Amz-Target: <prefix>.<Operation>, JSON body
 *   rest-json       method + URI + JSON body, errors in x-amzn-ErrorType
 *   query           POST form body Action=..&Version=.., XML answers
 *   ec2             like query, its own error shape (<Response><Errors>)
 *   rest-xml        S3: method + URI, XML answers, <Error> bodies
 * One error model for all (struct aws_error in util.h).
 */
#ifndef AWSX_PROTOCOL_H
#define AWSX_PROTOCOL_H

#include <cjson/cJSON.h>

#include "aws/util.h"
#include "aws/xml.h"

enum aws_protocol {
	AWS_PROTO_JSON,
	AWS_PROTO_REST_JSON,
	AWS_PROTO_QUERY,
	AWS_PROTO_EC2,
	AWS_PROTO_REST_XML,
};

/*
 * Form-encode a query/ec2 request body: "Action=<action>&Version=<version>"
 * then params in their order, names and values percent-encoded as SigV4
 * does (space as %20, never '+').
 */
void proto_query_body(struct strbuf *out, const char *action,
		      const char *version, const struct kvlist *params);

/*
 * Fill err->code, err->message and err->request_id from an error answer.
 * headers: response headers (x-amzn-RequestId, x-amz-request-id,
 * x-amzn-ErrorType, x-amz-id-2 ...).  body may be empty or not even XML/JSON
 * (a proxy's HTML page): then code stays "" and message says what came back
 * (but an empty rest-xml answer, an S3 HEAD, gets its code from the status,
 * e.g. 404 "NotFound", 403 "Forbidden", 400 "BadRequest").
 * JSON "__type" values like "com.amazon.coral#ThrottlingException" or
 * "ThrottlingException:http://..." are reduced to "ThrottlingException".
 * Does not set kind, service, operation or http_status.
 */
void proto_parse_error(enum aws_protocol proto, long http_status,
		       const struct kvlist *headers, const char *body,
		       size_t len, struct aws_error *err);

/* Request id from headers (x-amzn-RequestId, x-amz-request-id), or NULL. */
const char *proto_request_id_header(const struct kvlist *headers);

/*
 * Parse a JSON response body.  Empty body gives an empty object.  Returns
 * NULL and sets err (-AWSX_EFAIL style message "malformed JSON response:
 * ...") on bad input.  Caller frees with cJSON_Delete.
 */
cJSON *proto_json_parse(const char *body, size_t len, struct aws_error *err);

/*
 * For query protocol: the <OperationResult> element inside
 * <OperationResponse>, e.g. GetCallerIdentityResult.  For ec2 (no Result
 * wrapper) the document element itself.  NULL if absent.
 */
const struct xml_node *proto_query_result(const struct xml_node *root,
					  const char *operation,
					  enum aws_protocol proto);

#endif
