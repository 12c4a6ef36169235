/* SPDX-License-Identifier: Apache-2.0 */
/* test-util.c: strbuf, kvlist, the error line and time helpers. */
#include "aws/util.h"

#include <stdlib.h>

#include "check.h"

static void test_strbuf_basics(void)
{
	struct strbuf sb = STRBUF_INIT;
	CHECK_STR(sb.buf, "");
	strbuf_adds(&sb, "abc");
	strbuf_addf(&sb, "-%d-", 42);
	strbuf_addch(&sb, 'x');
	CHECK_STR(sb.buf, "abc-42-x");
	CHECK_INT(sb.len, 8);
	strbuf_setlen(&sb, 3);
	CHECK_STR(sb.buf, "abc");
	/* a long formatted string takes the slow path */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%0300d", 7);
	CHECK_INT(sb.len, 300);
	CHECK(sb.buf[299] == '7');
	char *d = strbuf_detach(&sb, NULL);
	CHECK_STR(sb.buf, "");
	free(d);
	strbuf_release(&sb);
}

static void test_strbuf_cap(void)
{
	struct strbuf sb = STRBUF_INIT;
	sb.max = 5;
	CHECK_INT(strbuf_adds(&sb, "1234"), 0);
	CHECK_INT(strbuf_adds(&sb, "56"), -1);
	CHECK(sb.overflow);
	CHECK_STR(sb.buf, "1234");
	strbuf_release(&sb);
}

static void test_strbuf_trim_hex(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, " \t hi there \r\n");
	strbuf_trim(&sb);
	CHECK_STR(sb.buf, "hi there");
	strbuf_reset(&sb);
	strbuf_addhex(&sb, (const unsigned char *)"\x00\xff\x10", 3);
	CHECK_STR(sb.buf, "00ff10");
	strbuf_release(&sb);
	/* trimming an empty buffer must not write to the shared sentinel */
	struct strbuf e = STRBUF_INIT;
	strbuf_trim(&e);
	CHECK_STR(e.buf, "");
}

static void test_kvlist(void)
{
	struct kvlist l = KVLIST_INIT;
	kvlist_add(&l, "Host", "a");
	kvlist_add(&l, "X-Y", "1");
	kvlist_set(&l, "host", "b");
	CHECK_STR(kvlist_get(&l, "HOST"), "b");
	CHECK_INT(l.nr, 2);
	kvlist_add(&l, "x-y", "2");
	kvlist_remove(&l, "X-Y");
	CHECK_INT(l.nr, 1);
	CHECK(kvlist_get(&l, "x-y") == NULL);
	kvlist_release(&l);
	CHECK_INT(l.nr, 0);
}

static void test_error_format(void)
{
	struct aws_error e;
	struct strbuf sb = STRBUF_INIT;
	aws_error_clear(&e);
	CHECK_INT(aws_error_set(&e, AWSX_ECONFIG, "cannot parse '%s': line %d", "f", 3),
		  -AWSX_ECONFIG);
	aws_error_format(&e, &sb);
	CHECK_STR(sb.buf, "cannot parse 'f': line 3");
	strbuf_reset(&sb);
	aws_error_clear(&e);
	e.kind = AWSX_ESERVICE;
	snprintf(e.service, sizeof(e.service), "sts");
	snprintf(e.operation, sizeof(e.operation), "GetCallerIdentity");
	e.http_status = 403;
	snprintf(e.code, sizeof(e.code), "SignatureDoesNotMatch");
	snprintf(e.message, sizeof(e.message), "bad");
	snprintf(e.request_id, sizeof(e.request_id), "r-1");
	e.attempts = 1;
	aws_error_format(&e, &sb);
	CHECK_STR(sb.buf, "sts GetCallerIdentity failed: HTTP 403 SignatureDoesNotMatch: bad (request id r-1)");
	strbuf_reset(&sb);
	e.attempts = 3;
	aws_error_format(&e, &sb);
	CHECK(str_ends_with(sb.buf, "after 3 attempts"));
	strbuf_release(&sb);
}

static void test_iso8601(void)
{
	CHECK_INT(parse_iso8601("1970-01-01T00:00:00Z"), 0);
	CHECK_INT(parse_iso8601("2015-08-30T12:36:00Z"), 1440938160);
	CHECK_INT(parse_iso8601("2015-08-30T12:36:00.123Z"), 1440938160);
	CHECK_INT(parse_iso8601("2015-08-30T14:36:00+02:00"), 1440938160);
	CHECK_INT(parse_iso8601("2015-08-30T12:36:00"), 1440938160);
	CHECK_INT(parse_iso8601("yesterday"), -1);
	CHECK_INT(parse_iso8601("2015-08-30T12:36:00Zjunk"), -1);
	char buf[32];
	format_iso8601(1440938160, buf, sizeof(buf));
	CHECK_STR(buf, "2015-08-30T12:36:00Z");
}

static void test_hex_decode(void)
{
	unsigned char out[4];
	CHECK_INT(hex_decode("00fFa5", out, 3), 0);
	CHECK_INT(out[0], 0x00);
	CHECK_INT(out[1], 0xff);
	CHECK_INT(out[2], 0xa5);
	CHECK_INT(hex_decode("00ff", out, 3), -1);   /* too short */
	CHECK_INT(hex_decode("00ff0011", out, 3), -1); /* too long */
	CHECK_INT(hex_decode("0g", out, 1), -1);
	CHECK_INT(hex_decode(NULL, out, 1), -1);
	CHECK_INT(hex_decode("", out, 0), 0);
	CHECK_INT(hex_digit('0'), 0);
	CHECK_INT(hex_digit('9'), 9);
	CHECK_INT(hex_digit('a'), 10);
	CHECK_INT(hex_digit('F'), 15);
	CHECK_INT(hex_digit('g'), -1);
	CHECK_INT(hex_digit(-1), -1);
	CHECK_INT(hex_digit(0xc3), -1);
}

static void test_utf8_and_lines(void)
{
	static const char text[] = "ab\n\xc3\xa9t\xc3\xa9\n\nx";
	struct strbuf sb = STRBUF_INIT;
	struct line_index idx;
	unsigned line, col;

	strbuf_add_utf8(&sb, 0x41);
	strbuf_add_utf8(&sb, 0xe9);
	strbuf_add_utf8(&sb, 0x20ac);
	strbuf_add_utf8(&sb, 0x1f600);
	CHECK_STR(sb.buf, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	strbuf_release(&sb);

	/* columns count characters, not bytes; offsets past the end clamp */
	line_index_init(&idx, text, sizeof(text) - 1);
	line_index_pos(&idx, 0, &line, &col);
	CHECK(line == 1 && col == 1);
	line_index_pos(&idx, 2, &line, &col);
	CHECK(line == 1 && col == 3);
	line_index_pos(&idx, 6, &line, &col); /* the second \xc3\xa9 */
	CHECK(line == 2 && col == 3);
	line_index_pos(&idx, 9, &line, &col);
	CHECK(line == 3 && col == 1);
	line_index_pos(&idx, 1000, &line, &col);
	CHECK(line == 4 && col == 2);
	line_index_release(&idx);
}

int main(void)
{
	RUN(test_strbuf_basics);
	RUN(test_strbuf_cap);
	RUN(test_strbuf_trim_hex);
	RUN(test_kvlist);
	RUN(test_error_format);
	RUN(test_iso8601);
	RUN(test_hex_decode);
	RUN(test_utf8_and_lines);
	return check_done();
}
