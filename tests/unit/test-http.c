/* SPDX-License-Identifier: Apache-2.0 */
/* test-http.c: redaction of secrets in --debug output. */
#include "aws/http.h"

#include <string.h>

#include "check.h"

static const char *redact(const char *in)
{
	static struct strbuf sb = STRBUF_INIT;
	strbuf_reset(&sb);
	http_redact(&sb, in, strlen(in));
	return sb.buf;
}

static void test_authorization(void)
{
	CHECK_STR(redact("Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20150830/us-east-1/sts/aws4_request, "
			 "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\r\n"),
		  "Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20150830/us-east-1/sts/aws4_request, "
		  "SignedHeaders=host;x-amz-date, Signature=<redacted>\r\n");
	CHECK_STR(redact("GET /?X-Amz-Signature=abcdef0123&X-Amz-Security-Token=FwoG%2Fxyz&a=b"),
		  "GET /?X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&a=b");
}

static void test_headers(void)
{
	CHECK_STR(redact("X-Amz-Security-Token: IQoJb3JpZ2luX2VjEJr==\r\nHost: x\r\n"),
		  "X-Amz-Security-Token: <redacted>\r\nHost: x\r\n");
	CHECK_STR(redact("x-amz-sso_bearer_token: abc.def\n"),
		  "x-amz-sso_bearer_token: <redacted>\n");
	CHECK_STR(redact("X-aws-ec2-metadata-token: AQAEA==\n"),
		  "X-aws-ec2-metadata-token: <redacted>\n");
	/* the TTL header is not a secret */
	CHECK_STR(redact("X-aws-ec2-metadata-token-ttl-seconds: 21600\n"),
		  "X-aws-ec2-metadata-token-ttl-seconds: 21600\n");
}

static void test_bodies(void)
{
	CHECK_STR(redact("<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s3cr/t+</SecretAccessKey>"
			 "<SessionToken>tok</SessionToken></Credentials>"),
		  "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey><redacted></SecretAccessKey>"
		  "<SessionToken><redacted></SessionToken></Credentials>");
	CHECK_STR(redact("{\"AccessKeyId\": \"ASIA\", \"SecretAccessKey\": \"a\\\"b\", \"Token\":\"t\"}"),
		  "{\"AccessKeyId\": \"ASIA\", \"SecretAccessKey\": \"<redacted>\", \"Token\":\"<redacted>\"}");
	CHECK_STR(redact("{\"roleCredentials\":{\"secretAccessKey\":\"x\",\"sessionToken\":\"y\"}}"),
		  "{\"roleCredentials\":{\"secretAccessKey\":\"<redacted>\",\"sessionToken\":\"<redacted>\"}}");
	/* truncated input must not run past the end */
	CHECK_STR(redact("{\"SecretAccessKey\": \"abc"), "{\"SecretAccessKey\": \"<redacted>");
	CHECK_STR(redact("<SecretAccessKey>abc"), "<SecretAccessKey><redacted>");
	CHECK_STR(redact("Signature="), "Signature=");
	CHECK_STR(redact(""), "");
}

int main(void)
{
	RUN(test_authorization);
	RUN(test_headers);
	RUN(test_bodies);
	return check_done();
}
