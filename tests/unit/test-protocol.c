/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-protocol.c: aws/protocol.c against answers as AWS sends them: the
 * error shapes of every protocol (query, ec2, rest-xml, json, rest-json),
 * request ids from headers and bodies, what a proxy or a dropped
 * connection leaves instead (HTML, truncation, binary, nothing), form body
 * encoding and the Result wrapper of query answers.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "tests/unit/check.h"

/* Parse an error; headers as "name", "value", ... NULL. */
static void parse_error(struct aws_error *err, enum aws_protocol proto,
			long status, const char *body, size_t len, ...)
{
	struct kvlist headers = KVLIST_INIT;
	va_list ap;
	const char *name;

	va_start(ap, len);
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		kvlist_add(&headers, name, value);
	}
	va_end(ap);
	aws_error_clear(err);
	/* stale values must be replaced, not kept */
	snprintf(err->code, sizeof(err->code), "stale");
	snprintf(err->message, sizeof(err->message), "stale");
	snprintf(err->request_id, sizeof(err->request_id), "stale");
	proto_parse_error(proto, status, &headers, body, len, err);
	kvlist_release(&headers);
}

#define S(lit) lit, sizeof(lit) - 1

/* Nothing but printable ASCII (and UTF-8) reached the message. */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* ---- query bodies ---- */

static void test_query_body(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct kvlist params = KVLIST_INIT;

	proto_query_body(&sb, "GetCallerIdentity", "2011-06-15", NULL);
	CHECK_STR(sb.buf, "Action=GetCallerIdentity&Version=2011-06-15");

	strbuf_reset(&sb);
	kvlist_add(&params, "RoleArn", "arn:aws:iam::123456789012:role/demo");
	kvlist_add(&params, "RoleSessionName", "awsx session+1=a&b");
	kvlist_add(&params, "Tags.member.1.Value", "Zürich ~_.-*");
	kvlist_add(&params, "Empty", "");
	proto_query_body(&sb, "AssumeRole", "2011-06-15", &params);
	CHECK_STR(sb.buf,
		  "Action=AssumeRole&Version=2011-06-15"
		  "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
		  "&RoleSessionName=awsx%20session%2B1%3Da%26b"
		  "&Tags.member.1.Value=Z%C3%BCrich%20~_.-%2A"
		  "&Empty=");

	/* order is kept as given, appended to what the buffer holds */
	strbuf_reset(&sb);
	strbuf_adds(&sb, "x");
	kvlist_release(&params);
	kvlist_add(&params, "b", "2");
	kvlist_add(&params, "a", "1");
	proto_query_body(&sb, "A B", "v/1", &params);
	CHECK_STR(sb.buf, "xAction=A%20B&Version=v%2F1&b=2&a=1");

	kvlist_release(&params);
	strbuf_release(&sb);
}

/* ---- query protocol (STS, IAM, Auto Scaling, CloudFormation) ---- */

static void test_query_errors(void)
{
	static const char throttle[] =
		"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		"  <Error>\n"
		"    <Type>Sender</Type>\n"
		"    <Code>Throttling</Code>\n"
		"    <Message>Rate exceeded</Message>\n"
		"  </Error>\n"
		"  <RequestId>4a8c3d1e-0000-4f11-9c4b-7e2b8a6e1f00</RequestId>\n"
		"</ErrorResponse>\n";
	static const char iam[] =
		"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
		"<Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
		"<Message>The role with name demo cannot be found.</Message>"
		"</Error><RequestId>a1b2</RequestId></ErrorResponse>";
	static const char cfn[] =
		"<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\n"
		"  <Error>\n"
		"    <Type>Sender</Type>\n"
		"    <Code>ValidationError</Code>\n"
		"    <Message>Stack with id demo does not exist</Message>\n"
		"  </Error>\n"
		"  <RequestId>cfn-req</RequestId>\n"
		"</ErrorResponse>\n";
	static const char sig[] =
		"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
		"<Message>The request signature we calculated does not match the "
		"signature you provided. Check your AWS Secret Access Key and "
		"signing method. Consult the service documentation for details."
		"</Message></Error>"
		"<RequestId>sig-req</RequestId></ErrorResponse>";
	struct aws_error err;

	parse_error(&err, AWS_PROTO_QUERY, 400, S(throttle), NULL);
	CHECK_STR(err.code, "Throttling");
	CHECK_STR(err.message, "Rate exceeded");
	CHECK_STR(err.request_id, "4a8c3d1e-0000-4f11-9c4b-7e2b8a6e1f00");

	/* the header wins over the body */
	parse_error(&err, AWS_PROTO_QUERY, 400, S(throttle),
		    "x-amzn-RequestId", "from-header", NULL);
	CHECK_STR(err.request_id, "from-header");

	parse_error(&err, AWS_PROTO_QUERY, 404, S(iam), NULL);
	CHECK_STR(err.code, "NoSuchEntity");
	CHECK_STR(err.message, "The role with name demo cannot be found.");
	CHECK_STR(err.request_id, "a1b2");

	parse_error(&err, AWS_PROTO_QUERY, 400, S(cfn), NULL);
	CHECK_STR(err.code, "ValidationError");
	CHECK_STR(err.message, "Stack with id demo does not exist");
	CHECK_STR(err.request_id, "cfn-req");

	parse_error(&err, AWS_PROTO_QUERY, 403, S(sig), NULL);
	CHECK_STR(err.code, "SignatureDoesNotMatch");
	CHECK(str_starts_with(err.message, "The request signature"));

	/* fields not ours are left alone */
	aws_error_clear(&err);
	err.kind = AWSX_ESERVICE;
	err.http_status = 400;
	snprintf(err.service, sizeof(err.service), "sts");
	proto_parse_error(AWS_PROTO_QUERY, 400, NULL, throttle,
			  sizeof(throttle) - 1, &err);
	CHECK_INT(err.kind, AWSX_ESERVICE);
	CHECK_INT(err.http_status, 400);
	CHECK_STR(err.service, "sts");
	CHECK_STR(err.code, "Throttling");
}

/* ---- ec2 ---- */

static void test_ec2_errors(void)
{
	static const char limit[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
		"<Message>Request limit exceeded.</Message></Error></Errors>"
		"<RequestID>7e9a1c2b-ec2-req</RequestID></Response>";
	static const char not_found[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Response>\n"
		"  <Errors>\n"
		"    <Error>\n"
		"      <Code>InvalidInstanceID.NotFound</Code>\n"
		"      <Message>The instance ID 'i-0123456789abcdef0' does not exist</Message>\n"
		"    </Error>\n"
		"  </Errors>\n"
		"  <RequestID>ec2-req-2</RequestID>\n"
		"</Response>\n";
	struct aws_error err;

	parse_error(&err, AWS_PROTO_EC2, 503, S(limit), NULL);
	CHECK_STR(err.code, "RequestLimitExceeded");
	CHECK_STR(err.message, "Request limit exceeded.");
	CHECK_STR(err.request_id, "7e9a1c2b-ec2-req");

	parse_error(&err, AWS_PROTO_EC2, 400, S(not_found), NULL);
	CHECK_STR(err.code, "InvalidInstanceID.NotFound");
	CHECK_STR(err.message,
		  "The instance ID 'i-0123456789abcdef0' does not exist");
	CHECK_STR(err.request_id, "ec2-req-2");
}

/* ---- rest-xml (S3) ---- */

static void test_rest_xml_errors(void)
{
	static const char no_such_key[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Error><Code>NoSuchKey</Code>"
		"<Message>The specified key does not exist.</Message>"
		"<Key>photos/2006/February/sample.jpg</Key>"
		"<RequestId>4442587FB7D0A2F9</RequestId>"
		"<HostId>eftixk72aD6Ap51TnqcoF8eFidJG9Z/2mkiDFu8yU9AS1ed4OpIszj7UDNEHGran</HostId>"
		"</Error>";
	static const char redirect[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Error><Code>PermanentRedirect</Code><Message>The bucket you are "
		"attempting to access must be addressed using the specified "
		"endpoint. Please send all future requests to this endpoint."
		"</Message><Endpoint>demo.s3.eu-west-1.amazonaws.com</Endpoint>"
		"<Bucket>demo</Bucket><RequestId>R1</RequestId><HostId>H</HostId>"
		"</Error>";
	struct aws_error err;

	parse_error(&err, AWS_PROTO_REST_XML, 404, S(no_such_key), NULL);
	CHECK_STR(err.code, "NoSuchKey");
	CHECK_STR(err.message, "The specified key does not exist.");
	CHECK_STR(err.request_id, "4442587FB7D0A2F9");

	parse_error(&err, AWS_PROTO_REST_XML, 404, S(no_such_key),
		    "X-Amz-Request-Id", "HDR0A2F9", "x-amz-id-2", "host", NULL);
	CHECK_STR(err.request_id, "HDR0A2F9");

	parse_error(&err, AWS_PROTO_REST_XML, 301, S(redirect), NULL);
	CHECK_STR(err.code, "PermanentRedirect");
	CHECK_STR(err.request_id, "R1");

	/* HEAD answers carry no body: the status speaks */
	parse_error(&err, AWS_PROTO_REST_XML, 404, "", 0, "x-amz-request-id",
		    "HEADREQ", NULL);
	CHECK_STR(err.code, "NotFound");
	CHECK_STR(err.message, "");
	CHECK_STR(err.request_id, "HEADREQ");
	parse_error(&err, AWS_PROTO_REST_XML, 403, NULL, 0, NULL);
	CHECK_STR(err.code, "Forbidden");
	CHECK_STR(err.request_id, "");
	parse_error(&err, AWS_PROTO_REST_XML, 400, S("\r\n"), NULL);
	CHECK_STR(err.code, "BadRequest");
	parse_error(&err, AWS_PROTO_REST_XML, 503, "", 0, NULL);
	CHECK_STR(err.code, "");
	CHECK_STR(err.message, "HTTP 503 with an empty body");
}

/* ---- json 1.0 / 1.1 ---- */

static void test_json_errors(void)
{
	struct aws_error err;

	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"com.amazonaws.logs#ThrottlingException\","
		      "\"message\":\"Rate exceeded\"}"),
		    "x-amzn-RequestId", "logs-req", NULL);
	CHECK_STR(err.code, "ThrottlingException");
	CHECK_STR(err.message, "Rate exceeded");
	CHECK_STR(err.request_id, "logs-req");

	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"ResourceNotFoundException\","
		      "\"Message\":\"The specified log group does not exist.\"}"),
		    NULL);
	CHECK_STR(err.code, "ResourceNotFoundException");
	CHECK_STR(err.message, "The specified log group does not exist.");
	CHECK_STR(err.request_id, "");

	/* the header wins; its ":http://..." suffix goes */
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"com.amazon.coral.service#Other\","
		      "\"message\":\"m\"}"),
		    "X-Amzn-ErrorType",
		    "ThrottlingException:http://internal.amazon.com/coral/"
		    "com.amazon.coral.availability/",
		    "x-amzn-requestid", "lower-case-header", NULL);
	CHECK_STR(err.code, "ThrottlingException");
	CHECK_STR(err.message, "m");
	CHECK_STR(err.request_id, "lower-case-header");

	/* both decorations at once */
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"aws.protocoltests#FooError:http://x/y\"}"),
		    NULL);
	CHECK_STR(err.code, "FooError");
	CHECK_STR(err.message, "");

	/* a 500 without a body, but with the header */
	parse_error(&err, AWS_PROTO_JSON, 500, "", 0, "x-amzn-ErrorType",
		    "InternalFailure", NULL);
	CHECK_STR(err.code, "InternalFailure");
	CHECK_STR(err.message, "");
	parse_error(&err, AWS_PROTO_JSON, 500, "", 0, NULL);
	CHECK_STR(err.code, "");
	CHECK_STR(err.message, "HTTP 500 with an empty body");

	/* request id in the body when no header has it */
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"X\",\"RequestId\":\"body-req\"}"), NULL);
	CHECK_STR(err.request_id, "body-req");

	/* non-string members are ignored, not crashed on */
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":42,\"message\":{\"a\":1},\"code\":\"C\"}"),
		    NULL);
	CHECK_STR(err.code, "C");
	CHECK_STR(err.message, "");
}

/* ---- rest-json (Lambda, API Gateway) ---- */

static void test_rest_json_errors(void)
{
	struct aws_error err;

	/* Lambda */
	parse_error(&err, AWS_PROTO_REST_JSON, 404,
		    S("{\"Type\":\"User\",\"message\":\"Function not found: "
		      "arn:aws:lambda:us-east-1:123456789012:function:demo\"}"),
		    "x-amzn-ErrorType", "ResourceNotFoundException",
		    "x-amzn-RequestId", "lambda-req", NULL);
	CHECK_STR(err.code, "ResourceNotFoundException");
	CHECK_STR(err.message, "Function not found: "
			       "arn:aws:lambda:us-east-1:123456789012:function:demo");
	CHECK_STR(err.request_id, "lambda-req");

	/* API Gateway */
	parse_error(&err, AWS_PROTO_REST_JSON, 429,
		    S("{\"message\":\"Too Many Requests\"}"),
		    "x-amzn-ErrorType",
		    "TooManyRequestsException:http://internal.amazon.com/coral/"
		    "com.amazon.coral.service/",
		    NULL);
	CHECK_STR(err.code, "TooManyRequestsException");
	CHECK_STR(err.message, "Too Many Requests");

	/* no header: body "code" / "Code", "errorMessage" */
	parse_error(&err, AWS_PROTO_REST_JSON, 400,
		    S("{\"code\":\"BadRequestException\","
		      "\"errorMessage\":\"bad\"}"),
		    NULL);
	CHECK_STR(err.code, "BadRequestException");
	CHECK_STR(err.message, "bad");
	parse_error(&err, AWS_PROTO_REST_JSON, 400,
		    S("{\"Code\":\"ConflictException\",\"Message\":\"busy\"}"),
		    NULL);
	CHECK_STR(err.code, "ConflictException");
	CHECK_STR(err.message, "busy");
	parse_error(&err, AWS_PROTO_REST_JSON, 400,
		    S("{\"__type\":\"com.amazonaws.sfn#StateMachineDoesNotExist\","
		      "\"message\":\"State Machine Does Not Exist\"}"),
		    NULL);
	CHECK_STR(err.code, "StateMachineDoesNotExist");
}

/* ---- what is not an AWS error body ---- */

static const char nginx_502[] =
	"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
	"</body>\r\n</html>\r\n";

static void test_non_aws_bodies(void)
{
	static const char cloudfront[] =
		"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
		"\"http://www.w3.org/TR/html4/loose.dtd\">\n"
		"<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; "
		"charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be "
		"satisfied</TITLE>\n</HEAD><BODY>\n<H1>403 ERROR</H1>\n";
	unsigned char binary[512];
	struct aws_error err;

	for (int proto = AWS_PROTO_QUERY; proto <= AWS_PROTO_REST_XML; proto++) {
		parse_error(&err, proto, 502, S(nginx_502), NULL);
		CHECK_STR(err.code, "");
		CHECK_STR(err.message, "HTTP 502 with a non-XML body: "
				       "502 Bad Gateway 502 Bad Gateway nginx");
	}
	parse_error(&err, AWS_PROTO_JSON, 502, S(nginx_502), NULL);
	CHECK_STR(err.code, "");
	CHECK_STR(err.message, "HTTP 502 with a non-JSON body: "
			       "502 Bad Gateway 502 Bad Gateway nginx");

	parse_error(&err, AWS_PROTO_REST_JSON, 403, S(cloudfront), NULL);
	CHECK_STR(err.message, "HTTP 403 with a non-JSON body: ERROR: The request "
			       "could not be satisfied 403 ERROR");

	/* plain text: at most 80 characters quoted, whitespace collapsed */
	parse_error(&err, AWS_PROTO_QUERY, 504,
		    S("upstream request timeout\n\n\tafter   30 s"
		      "  0123456789012345678901234567890123456789012345678901234567890123456789"),
		    NULL);
	CHECK_STR(err.message,
		  "HTTP 504 with a non-XML body: upstream request timeout after "
		  "30 s 01234567890123456789012345678901234567890123");

	/* truncated answers */
	parse_error(&err, AWS_PROTO_QUERY, 400,
		    S("<ErrorResponse><Error><Type>Sender</Type><Code>Thrott"),
		    "x-amzn-RequestId", "trunc-req", NULL);
	CHECK_STR(err.code, "");
	CHECK_STR(err.message, "HTTP 400 with a non-XML body: Sender Thrott");
	CHECK_STR(err.request_id, "trunc-req");
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"com.amazonaws.logs#ThrottlingExc"), NULL);
	CHECK_STR(err.code, "");
	CHECK(str_starts_with(err.message, "HTTP 400 with a non-JSON body: "));

	/* binary garbage: never copied to the message */
	for (size_t i = 0; i < sizeof(binary); i++)
		binary[i] = (unsigned char)(i * 7 + 3);
	for (int proto = AWS_PROTO_JSON; proto <= AWS_PROTO_REST_XML; proto++) {
		parse_error(&err, proto, 500, (const char *)binary,
			    sizeof(binary), NULL);
		CHECK_STR(err.code, "");
		CHECK(str_starts_with(err.message, "HTTP 500 with a non-"));
		CHECK(printable(err.message));
		for (const char *p = err.message; *p; p++)
			CHECK((unsigned char)*p < 0x80);
	}
	parse_error(&err, AWS_PROTO_QUERY, 500, S("\x01\x02\x03\xff"), NULL);
	CHECK_STR(err.message, "HTTP 500 with a non-XML body of 4 bytes");

	/* well-formed, but not an error shape */
	parse_error(&err, AWS_PROTO_QUERY, 500,
		    S("<html><body><p>Service Unavailable</p></body></html>"),
		    NULL);
	CHECK_STR(err.code, "");
	CHECK_STR(err.message, "HTTP 500 with an unexpected XML body: "
			       "Service Unavailable");
	parse_error(&err, AWS_PROTO_JSON, 500, S("[1, 2]"), NULL);
	CHECK_STR(err.message, "HTTP 500 with an unexpected JSON body: [1, 2]");
	parse_error(&err, AWS_PROTO_JSON, 500, S("{\"Output\":{}}"), NULL);
	CHECK_STR(err.message,
		  "HTTP 500 with an unexpected JSON body: {\"Output\":{}}");

	/* empty bodies, every protocol */
	for (int proto = AWS_PROTO_JSON; proto <= AWS_PROTO_EC2; proto++) {
		parse_error(&err, proto, 502, "", 0, NULL);
		CHECK_STR(err.code, "");
		CHECK_STR(err.message, "HTTP 502 with an empty body");
	}
}

/* What lands in the fixed-size fields is bounded and terminal-safe. */
static void test_hostile_fields(void)
{
	struct strbuf body = STRBUF_INIT;
	struct strbuf type = STRBUF_INIT;
	struct aws_error err;

	/* a huge __type, in the body and in the header */
	strbuf_adds(&body, "{\"__type\":\"com.example#");
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&body, 'A' + i % 26);
	strbuf_adds(&body, "\",\"message\":\"");
	for (int i = 0; i < 2000; i++)
		strbuf_adds(&body, "é"); /* two bytes each */
	strbuf_adds(&body, "\"}");
	parse_error(&err, AWS_PROTO_JSON, 400, body.buf, body.len, NULL);
	CHECK_INT(strlen(err.code), sizeof(err.code) - 1);
	CHECK(str_starts_with(err.code, "ABCDEFG"));
	/* cut between characters, never inside one */
	CHECK_INT(strlen(err.message), sizeof(err.message) - 2);
	CHECK(str_ends_with(err.message, "é"));

	for (int i = 0; i < 5000; i++)
		strbuf_adds(&type, "com.x#");
	strbuf_adds(&type, "Tail:http://x");
	parse_error(&err, AWS_PROTO_REST_JSON, 400, S("{}"),
		    "x-amzn-ErrorType", type.buf, NULL);
	CHECK_STR(err.code, "Tail");
	CHECK_STR(err.message, "");

	/* terminal escapes and newlines in a message are neutralised */
	parse_error(&err, AWS_PROTO_JSON, 400,
		    S("{\"__type\":\"X\\u001b[31m\",\"message\":"
		      "\"line1\\nline2\\u001b]0;owned\\u0007 \\u0085end\"}"),
		    NULL);
	CHECK_STR(err.code, "X [31m");
	CHECK_STR(err.message, "line1 line2 ]0;owned    end");
	CHECK(printable(err.message));
	parse_error(&err, AWS_PROTO_QUERY, 400,
		    S("<ErrorResponse><Error><Code>\n  Throttling\n  </Code>"
		      "<Message>a&#9;b\nc&#x9b;2Jd</Message></Error>"
		      "</ErrorResponse>"),
		    NULL);
	CHECK_STR(err.code, "Throttling");
	/* XML cannot carry ESC, but tabs, newlines and C1 controls it can */
	CHECK_STR(err.message, "a b c  2Jd");

	strbuf_release(&body);
	strbuf_release(&type);
}

static void test_request_id_header(void)
{
	struct kvlist h = KVLIST_INIT;

	CHECK(proto_request_id_header(NULL) == NULL);
	CHECK(proto_request_id_header(&h) == NULL);
	kvlist_add(&h, "Content-Type", "text/xml");
	kvlist_add(&h, "x-amzn-RequestId", "");
	CHECK(proto_request_id_header(&h) == NULL);
	kvlist_add(&h, "X-AMZ-REQUEST-ID", "s3-style");
	CHECK_STR(proto_request_id_header(&h), "s3-style");
	kvlist_set(&h, "X-Amzn-Requestid", "amzn-style");
	CHECK_STR(proto_request_id_header(&h), "amzn-style");
	kvlist_release(&h);
}

/* ---- JSON response bodies ---- */

static void test_json_parse(void)
{
	struct aws_error err;
	cJSON *j;

	aws_error_clear(&err);
	j = proto_json_parse("", 0, &err);
	CHECK(cJSON_IsObject(j) && !j->child);
	cJSON_Delete(j);
	j = proto_json_parse(NULL, 0, &err);
	CHECK(cJSON_IsObject(j));
	cJSON_Delete(j);
	j = proto_json_parse(" \r\n", 3, &err);
	CHECK(cJSON_IsObject(j));
	cJSON_Delete(j);
	CHECK_INT(err.kind, 0);

	j = proto_json_parse(S("{\"logGroups\":[{\"logGroupName\":\"/aws/"
			       "lambda/demo\",\"storedBytes\":0}],"
			       "\"nextToken\":\"t\"}\n"),
			     &err);
	CHECK(j != NULL);
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "logGroups");
	CHECK_INT(cJSON_GetArraySize(groups), 1);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(
			  cJSON_GetArrayItem(groups, 0), "logGroupName")
			  ->valuestring,
		  "/aws/lambda/demo");
	cJSON_Delete(j);

	/* the length bounds the parse: what follows is not read */
	j = proto_json_parse("{\"a\":1}{\"b\"", 7, &err);
	CHECK(j != NULL);
	cJSON_Delete(j);

	j = proto_json_parse("\xef\xbb\xbf{}", 5, &err);
	CHECK(cJSON_IsObject(j));
	cJSON_Delete(j);

	static const char *const bad[] = {
		"{\"a\":", "{\"a\" 1}", "{\"a\":1} x", "<html>", "{\"a\":1}}",
		"nul", "\"unterminated",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		aws_error_clear(&err);
		j = proto_json_parse(bad[i], strlen(bad[i]), &err);
		CHECK(j == NULL);
		CHECK_INT(err.kind, AWSX_EFAIL);
		CHECK(str_starts_with(err.message,
				      "malformed JSON response: "));
		CHECK(strstr(err.message, "offset") != NULL);
		cJSON_Delete(j);
	}
	aws_error_clear(&err);
	CHECK(proto_json_parse(S("{\"a\":1} x"), &err) == NULL);
	CHECK_STR(err.message, "malformed JSON response: syntax error near "
			       "offset 8 of 9 bytes");
}

/* ---- query results ---- */

static void test_query_result(void)
{
	static const char sts[] =
		"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		"  <GetCallerIdentityResult>\n"
		"    <Arn>arn:aws:sts::123456789012:assumed-role/demo/awsx</Arn>\n"
		"    <UserId>AROACKCEVSQ6C2EXAMPLE:awsx</UserId>\n"
		"    <Account>123456789012</Account>\n"
		"  </GetCallerIdentityResult>\n"
		"  <ResponseMetadata>\n"
		"    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
		"  </ResponseMetadata>\n"
		"</GetCallerIdentityResponse>\n";
	static const char ec2[] =
		"<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
		"<requestId>r</requestId><regionInfo><item><regionName>us-east-1"
		"</regionName></item></regionInfo></DescribeRegionsResponse>";
	struct xml_node *root = NULL;
	struct aws_error err;
	const struct xml_node *r;

	aws_error_clear(&err);
	CHECK_INT(xml_parse(sts, strlen(sts), &root, &err), 0);
	r = proto_query_result(root, "GetCallerIdentity", AWS_PROTO_QUERY);
	CHECK(r != NULL);
	CHECK_STR(xml_path_text(r, "Account"), "123456789012");
	CHECK(proto_query_result(root, "GetCaller", AWS_PROTO_QUERY) == NULL);
	CHECK(proto_query_result(root, "AssumeRole", AWS_PROTO_QUERY) == NULL);
	xml_free(root);

	/* a Response without a Result (IAM DeleteRole) */
	CHECK_INT(xml_parse(S("<DeleteRoleResponse><ResponseMetadata><RequestId>"
			      "x</RequestId></ResponseMetadata>"
			      "</DeleteRoleResponse>"),
			    &root, &err),
		  0);
	CHECK(proto_query_result(root, "DeleteRole", AWS_PROTO_QUERY) == NULL);
	xml_free(root);

	CHECK_INT(xml_parse(ec2, strlen(ec2), &root, &err), 0);
	r = proto_query_result(root, "DescribeRegions", AWS_PROTO_EC2);
	CHECK(r == root);
	CHECK_STR(xml_path_text(r, "regionInfo/item/regionName"), "us-east-1");
	xml_free(root);

	CHECK(proto_query_result(NULL, "X", AWS_PROTO_QUERY) == NULL);
	CHECK(proto_query_result(NULL, "X", AWS_PROTO_EC2) == NULL);
}

int main(void)
{
	RUN(test_query_body);
	RUN(test_query_errors);
	RUN(test_ec2_errors);
	RUN(test_rest_xml_errors);
	RUN(test_json_errors);
	RUN(test_rest_json_errors);
	RUN(test_non_aws_bodies);
	RUN(test_hostile_fields);
	RUN(test_request_id_header);
	RUN(test_json_parse);
	RUN(test_query_result);
	return check_done();
}
