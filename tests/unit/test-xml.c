/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-xml.c: the expat-backed element tree (aws/xml.c): real AWS answers,
 * namespaces, CDATA and entities, member lists, and the inputs an attacker
 * or a broken proxy would send (deep nesting, billion laughs, external
 * entities, truncation, oversize documents).
 */
#include <stdlib.h>
#include <string.h>

#include "aws/xml.h"
#include "tests/unit/check.h"

/* Parse a NUL-terminated document; returns the root or NULL (err filled). */
static struct xml_node *parse(const char *doc, struct aws_error *err)
{
	struct xml_node *root = (struct xml_node *)1;

	aws_error_clear(err);
	if (xml_parse(doc, strlen(doc), &root, err)) {
		CHECK(root == NULL);
		return NULL;
	}
	return root;
}

/* Expect doc to be refused with a message starting "malformed XML: line". */
static void expect_malformed(const char *doc, size_t len, const char *reason)
{
	struct aws_error err;
	struct xml_node *root = (struct xml_node *)1;

	aws_error_clear(&err);
	CHECK_INT(xml_parse(doc, len, &root, &err), -AWSX_EFAIL);
	CHECK(root == NULL);
	CHECK_INT(err.kind, AWSX_EFAIL);
	CHECK(str_starts_with(err.message, "malformed XML: line "));
	if (reason && !strstr(err.message, reason)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.message,
			reason);
		CHECK(!"reason in message");
	}
}

static const char sts_identity[] =
	"<GetCallerIdentityResponse "
	"xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	"  <GetCallerIdentityResult>\n"
	"    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
	"    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>\n"
	"    <Account>123456789012</Account>\n"
	"  </GetCallerIdentityResult>\n"
	"  <ResponseMetadata>\n"
	"    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
	"  </ResponseMetadata>\n"
	"</GetCallerIdentityResponse>\n";

static void test_sts_identity(void)
{
	struct aws_error err;
	struct xml_node *root = parse(sts_identity, &err);

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(root->name, "GetCallerIdentityResponse");
	CHECK(root->parent == NULL);
	CHECK_STR(xml_path_text(root, "GetCallerIdentityResult/Arn"),
		  "arn:aws:iam::123456789012:user/Alice");
	CHECK_STR(xml_path_text(root, "GetCallerIdentityResult/Account"),
		  "123456789012");
	CHECK_STR(xml_path_text(root, "ResponseMetadata/RequestId"),
		  "01234567-89ab-cdef-0123-456789abcdef");
	const struct xml_node *result =
		xml_child(root, "GetCallerIdentityResult");
	CHECK(result && result->parent == root);
	/* whitespace between elements is kept as the element's text */
	CHECK(result && strchr(result->text, '\n'));
	CHECK(xml_child(root, "Nope") == NULL);
	CHECK(xml_path(root, "GetCallerIdentityResult/Nope") == NULL);
	CHECK(xml_path_text(root, "Nope/Arn") == NULL);
	xml_free(root);
}

static const char ec2_regions[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeRegionsResponse "
	"xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"    <regionInfo>\n"
	"        <item>\n"
	"            <regionName>us-east-1</regionName>\n"
	"            <regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>opt-in-not-required</optInStatus>\n"
	"        </item>\n"
	"        <!-- a comment between members -->\n"
	"        <item>\n"
	"            <regionName>eu-west-1</regionName>\n"
	"            <regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>opt-in-not-required</optInStatus>\n"
	"        </item>\n"
	"        <marker>not an item</marker>\n"
	"        <item>\n"
	"            <regionName>af-south-1</regionName>\n"
	"            <regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>not-opted-in</optInStatus>\n"
	"        </item>\n"
	"    </regionInfo>\n"
	"</DescribeRegionsResponse>\n";

static void test_ec2_item_list(void)
{
	static const char *const want[] = { "us-east-1", "eu-west-1",
					    "af-south-1" };
	struct aws_error err;
	struct xml_node *root = parse(ec2_regions, &err);
	size_t n = 0;

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(xml_path_text(root, "requestId"),
		  "59dbff89-35bd-4eac-99ed-be587EXAMPLE");
	for (const struct xml_node *it = xml_path(root, "regionInfo/item"); it;
	     it = xml_next_same(it)) {
		if (n < ARRAY_SIZE(want))
			CHECK_STR(xml_path_text(it, "regionName"), want[n]);
		CHECK_STR(it->name, "item");
		n++;
	}
	CHECK_INT(n, 3);
	CHECK_STR(xml_path_text(root, "regionInfo/marker"), "not an item");
	CHECK(xml_next_same(NULL) == NULL);
	xml_free(root);
}

static void test_paths(void)
{
	struct aws_error err;
	struct xml_node *root =
		parse("<a><b><c>1</c></b><bb><c>2</c></bb><b><c>3</c></b></a>",
		      &err);

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(xml_path_text(root, "b/c"), "1");
	CHECK_STR(xml_path_text(root, "bb/c"), "2");
	/* a name that is a prefix of another does not match it */
	CHECK(xml_path(root, "bbb") == NULL);
	CHECK(xml_path(root, "b/c/d") == NULL);
	/* empty segments are skipped; the empty path is the node itself */
	CHECK_STR(xml_path_text(root, "/b//c/"), "1");
	CHECK(xml_path(root, "") == root);
	CHECK(xml_path(NULL, "b") == NULL);
	CHECK(xml_child(NULL, "b") == NULL);
	CHECK(xml_path_text(NULL, "b") == NULL);
	const struct xml_node *b = xml_child(root, "b");
	const struct xml_node *b2 = xml_next_same(b);
	CHECK(b2 != NULL);
	CHECK_STR(xml_path_text(b2, "c"), "3");
	CHECK(xml_next_same(b2) == NULL);
	xml_free(root);
	xml_free(NULL);
}

static void test_namespaces(void)
{
	struct aws_error err;
	struct xml_node *root = parse(
		"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
		" xmlns:a=\"urn:a\">"
		"<s:Body><a:Thing a:attr=\"x\">value</a:Thing>"
		"<undeclared:Other>o</undeclared:Other></s:Body></s:Envelope>",
		&err);

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(root->name, "Envelope");
	CHECK_STR(xml_path_text(root, "Body/Thing"), "value");
	/* no namespace processing: an undeclared prefix is not an error */
	CHECK_STR(xml_path_text(root, "Body/Other"), "o");
	xml_free(root);
}

static void test_text(void)
{
	struct aws_error err;
	struct xml_node *root = parse(
		"<r>"
		"<cdata><![CDATA[a < b && c > d]]></cdata>"
		"<ent>Tom &amp; Jerry &lt;3 &quot;x&quot; &apos;y&apos; &gt;</ent>"
		"<num>&#65;&#x42;&#233;&#x1F600;</num>"
		"<utf8>Zürich 東京</utf8>"
		"<mixed>x<b>y</b>z</mixed>"
		"<empty/><empty2></empty2>"
		"<spaced>  kept as given \n</spaced>"
		"<split>one<!-- c -->two<![CDATA[three]]>four</split>"
		"</r>",
		&err);

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(xml_path_text(root, "cdata"), "a < b && c > d");
	CHECK_STR(xml_path_text(root, "ent"), "Tom & Jerry <3 \"x\" 'y' >");
	CHECK_STR(xml_path_text(root, "num"), "AB\xc3\xa9\xf0\x9f\x98\x80");
	CHECK_STR(xml_path_text(root, "utf8"), "Zürich 東京");
	/* an element's own character data only, not its children's */
	CHECK_STR(xml_path_text(root, "mixed"), "xz");
	CHECK_STR(xml_path_text(root, "mixed/b"), "y");
	CHECK_STR(xml_path_text(root, "empty"), "");
	CHECK_STR(xml_path_text(root, "empty2"), "");
	CHECK_STR(xml_path_text(root, "spaced"), "  kept as given \n");
	CHECK_STR(xml_path_text(root, "split"), "onetwothreefour");
	CHECK_STR(root->text, "");
	xml_free(root);
}

static void test_line_numbers(void)
{
	struct aws_error err;

	CHECK(parse("<a>\n<b>\n</c>\n</a>", &err) == NULL);
	CHECK_STR(err.message, "malformed XML: line 3: mismatched tag");
	CHECK(parse("", &err) == NULL);
	CHECK_STR(err.message, "malformed XML: line 1: no element found");
}

static void test_malformed(void)
{
	/* truncated answers, as a dropped connection leaves them */
	expect_malformed(sts_identity, 120, "no element found");
	expect_malformed(sts_identity, 1, NULL);
	expect_malformed("<ErrorResponse><Error><Code>Thrott", 34, NULL);
	expect_malformed("<a></a><b></b>", 14, "junk after document element");
	expect_malformed("<a>&nosuch;</a>", 15, "undefined entity");
	expect_malformed("   ", 3, NULL);
	expect_malformed("not xml at all", 14, NULL);
	expect_malformed("{\"__type\":\"x\"}", 14, NULL);
	expect_malformed("<html><body><hr></body></html>", 30, "mismatched tag");
	/* a NUL byte and invalid UTF-8 are not XML */
	expect_malformed("<a>x\0y</a>", 10, NULL);
	expect_malformed("<a>\xff\xfe</a>", 9, NULL);
	expect_malformed("<a>&#0;</a>", 11, NULL);
}

static void test_depth_limit(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;
	struct xml_node *root = NULL;

	/* exactly XML_MAX_DEPTH levels are fine */
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&sb, "<d>");
	strbuf_adds(&sb, "deep");
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&sb, "</d>");
	aws_error_clear(&err);
	CHECK_INT(xml_parse(sb.buf, sb.len, &root, &err), 0);
	const struct xml_node *n = root;
	int depth = 0;
	while (n && n->children) {
		n = n->children;
		depth++;
	}
	CHECK_INT(depth + 1, XML_MAX_DEPTH);
	CHECK(n && !strcmp(n->text, "deep"));
	xml_free(root);

	/* one more is refused */
	strbuf_reset(&sb);
	for (int i = 0; i < XML_MAX_DEPTH + 1; i++)
		strbuf_adds(&sb, "<d>");
	for (int i = 0; i < XML_MAX_DEPTH + 1; i++)
		strbuf_adds(&sb, "</d>");
	expect_malformed(sb.buf, sb.len, "nested too deeply");

	/* the attack: a million open elements, never closed, self-closing too */
	strbuf_reset(&sb);
	for (int i = 0; i < 1000000; i++)
		strbuf_adds(&sb, "<x>");
	expect_malformed(sb.buf, sb.len, "nested too deeply");
	strbuf_reset(&sb);
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&sb, "<d>");
	strbuf_adds(&sb, "<leaf/>");
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&sb, "</d>");
	expect_malformed(sb.buf, sb.len, "nested too deeply");
	strbuf_release(&sb);
}

static void test_billion_laughs(void)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n"
		"<lolz>&lol9;</lolz>\n";
	static const char xxe[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<r>&x;</r>";
	static const char param[] =
		"<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://169.254.169.254/\"> %p;]>"
		"<r/>";
	static const char external_dtd[] =
		"<!DOCTYPE r SYSTEM \"http://example.com/evil.dtd\"><r>&x;</r>";
	static const char plain_doctype[] = "<!DOCTYPE html><html></html>";

	long long t0 = now_ms_monotonic();
	expect_malformed(laughs, strlen(laughs),
			 "line 2: DOCTYPE declarations are not allowed");
	CHECK(now_ms_monotonic() - t0 < 1000);
	expect_malformed(xxe, strlen(xxe), "DOCTYPE declarations are not allowed");
	expect_malformed(param, strlen(param), "DOCTYPE");
	expect_malformed(external_dtd, strlen(external_dtd), "DOCTYPE");
	expect_malformed(plain_doctype, strlen(plain_doctype), "DOCTYPE");
}

static void test_size_limits(void)
{
	size_t big = ((size_t)64 << 20) + 1;
	char *buf = xmalloc(big);
	struct aws_error err;
	struct xml_node *root = (struct xml_node *)1;

	/* over 64 MiB: refused before expat sees a byte */
	memset(buf, ' ', big);
	memcpy(buf, "<a>", 3);
	memcpy(buf + big - 4, "</a>", 4);
	aws_error_clear(&err);
	CHECK_INT(xml_parse(buf, big, &root, &err), -AWSX_EFAIL);
	CHECK(root == NULL);
	CHECK(strstr(err.message, "64 MiB") != NULL);
	free(buf);

	/* a million elements are fine, one more is refused */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "<r>");
	for (int i = 0; i < 1000000 - 1; i++)
		strbuf_adds(&sb, "<a/>");
	strbuf_adds(&sb, "</r>");
	aws_error_clear(&err);
	root = NULL;
	CHECK_INT(xml_parse(sb.buf, sb.len, &root, &err), 0);
	xml_free(root);
	strbuf_setlen(&sb, sb.len - 4);
	strbuf_adds(&sb, "<a/></r>");
	expect_malformed(sb.buf, sb.len, "too many elements");
	strbuf_release(&sb);
}

int main(void)
{
	RUN(test_sts_identity);
	RUN(test_ec2_item_list);
	RUN(test_paths);
	RUN(test_namespaces);
	RUN(test_text);
	RUN(test_line_numbers);
	RUN(test_malformed);
	RUN(test_depth_limit);
	RUN(test_billion_laughs);
	RUN(test_size_limits);
	return check_done();
}
