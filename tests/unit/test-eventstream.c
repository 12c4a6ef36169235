/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-eventstream.c: the event-stream codec (aws/eventstream.c) against
 * byte-exact vectors: the empty message of aws-c-event-stream's tests, and
 * messages made with tests/support/eventstream.py and checked to decode
 * with botocore's EventStreamBuffer (every header type, StartLiveTail's
 * event, exception and error shapes).  The encoder must reproduce them, the
 * decoder must read them however the bytes are split, and every malformed
 * variant (CRCs, lengths, header blocks) must stop the decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "aws/eventstream.h"
#include "tests/unit/check.h"

/*
 * Made by tests/support/eventstream.py, each decoded by botocore 1.43's
 * EventStreamBuffer to the headers in its comment.
 */

/* No headers, no payload: also the first vector of aws-c-event-stream's tests. */
static const unsigned char v_empty[] = {
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff,
};

/* No headers, payload {"foo":"bar"}. */
static const unsigned char v_payload[] = {
    0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x8c, 0x5a, 0x7b, 0x22, 0x66,
    0x6f, 0x6f, 0x22, 0x3a, 0x22, 0x62, 0x61, 0x72, 0x22, 0x7d, 0x3e, 0x9c, 0x25, 0xb4,
};

/*
 * Every header type, in wire order: true: true, false: false, byte: -2,
 * short: -300, int: 70000, long: -1099511627771, bytes: 00 ff 10,
 * string: "h\u00e9llo", timestamp: 1700000000123,
 * uuid: 0123456789abcdef0123456789abcdef; payload "payload".
 */
static const unsigned char v_all_types[] = {
    0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x79, 0x9d, 0xfd, 0x31, 0xe1, 0x04, 0x74, 0x72, 0x75,
    0x65, 0x00, 0x05, 0x66, 0x61, 0x6c, 0x73, 0x65, 0x01, 0x04, 0x62, 0x79, 0x74, 0x65, 0x02, 0xfe,
    0x05, 0x73, 0x68, 0x6f, 0x72, 0x74, 0x03, 0xfe, 0xd4, 0x03, 0x69, 0x6e, 0x74, 0x04, 0x00, 0x01,
    0x11, 0x70, 0x04, 0x6c, 0x6f, 0x6e, 0x67, 0x05, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x05,
    0x05, 0x62, 0x79, 0x74, 0x65, 0x73, 0x06, 0x00, 0x03, 0x00, 0xff, 0x10, 0x06, 0x73, 0x74, 0x72,
    0x69, 0x6e, 0x67, 0x07, 0x00, 0x06, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0x09, 0x74, 0x69, 0x6d,
    0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0x08, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, 0x04,
    0x75, 0x75, 0x69, 0x64, 0x09, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45,
    0x67, 0x89, 0xab, 0xcd, 0xef, 0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0x85, 0x4f, 0x4e, 0x02,
};

/* StartLiveTail's sessionUpdate: :message-type event, :event-type, :content-type. */
static const unsigned char v_event[] = {
    0x00, 0x00, 0x00, 0x8b, 0x00, 0x00, 0x00, 0x53, 0x51, 0x76, 0x5e, 0xa4, 0x0d, 0x3a, 0x6d, 0x65,
    0x73, 0x73, 0x61, 0x67, 0x65, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x05, 0x65, 0x76, 0x65,
    0x6e, 0x74, 0x0b, 0x3a, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00,
    0x0d, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x55, 0x70, 0x64, 0x61, 0x74, 0x65, 0x0d, 0x3a,
    0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x10, 0x61,
    0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2f, 0x6a, 0x73, 0x6f, 0x6e, 0x7b,
    0x22, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x52, 0x65, 0x73, 0x75, 0x6c, 0x74, 0x73, 0x22,
    0x3a, 0x5b, 0x7b, 0x22, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x22, 0x3a, 0x22, 0x68, 0x65,
    0x6c, 0x6c, 0x6f, 0x22, 0x7d, 0x5d, 0x7d, 0x61, 0x32, 0x0b, 0x4f,
};

/* A modelled exception: :message-type exception, :exception-type, :content-type. */
static const unsigned char v_exception[] = {
    0x00, 0x00, 0x00, 0x94, 0x00, 0x00, 0x00, 0x65, 0x7c, 0x7c, 0xcb, 0x6e, 0x0d, 0x3a, 0x6d,
    0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x09, 0x65,
    0x78, 0x63, 0x65, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x0f, 0x3a, 0x65, 0x78, 0x63, 0x65, 0x70,
    0x74, 0x69, 0x6f, 0x6e, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x17, 0x53, 0x65, 0x73,
    0x73, 0x69, 0x6f, 0x6e, 0x54, 0x69, 0x6d, 0x65, 0x6f, 0x75, 0x74, 0x45, 0x78, 0x63, 0x65,
    0x70, 0x74, 0x69, 0x6f, 0x6e, 0x0d, 0x3a, 0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d,
    0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x10, 0x61, 0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74,
    0x69, 0x6f, 0x6e, 0x2f, 0x6a, 0x73, 0x6f, 0x6e, 0x7b, 0x22, 0x6d, 0x65, 0x73, 0x73, 0x61,
    0x67, 0x65, 0x22, 0x3a, 0x22, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x20, 0x74, 0x69,
    0x6d, 0x65, 0x64, 0x20, 0x6f, 0x75, 0x74, 0x22, 0x7d, 0x03, 0x35, 0x6c, 0xfb,
};

/* An unmodelled error: :message-type error, :error-code, :error-message; no payload. */
static const unsigned char v_error[] = {
    0x00, 0x00, 0x00, 0x5f, 0x00, 0x00, 0x00, 0x4f, 0x39, 0x02, 0xdb, 0x72, 0x0d, 0x3a, 0x6d, 0x65,
    0x73, 0x73, 0x61, 0x67, 0x65, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x05, 0x65, 0x72, 0x72,
    0x6f, 0x72, 0x0b, 0x3a, 0x65, 0x72, 0x72, 0x6f, 0x72, 0x2d, 0x63, 0x6f, 0x64, 0x65, 0x07, 0x00,
    0x0f, 0x49, 0x6e, 0x74, 0x65, 0x72, 0x6e, 0x61, 0x6c, 0x46, 0x61, 0x69, 0x6c, 0x75, 0x72, 0x65,
    0x0e, 0x3a, 0x65, 0x72, 0x72, 0x6f, 0x72, 0x2d, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x07,
    0x00, 0x09, 0x74, 0x72, 0x79, 0x20, 0x61, 0x67, 0x61, 0x69, 0x6e, 0xc3, 0x1f, 0x8c, 0x6a,
};

/* ---- helpers ---- */

/* What a feed delivered: each message re-encoded, and the first ones' types. */
struct collect {
	int count;
	int stop_at; /* return stop_value from the stop_at-th message; 0: never */
	int stop_value;
	struct strbuf reencoded;
	char types[8][16]; /* :message-type, "-" when absent */
};

static void collect_init(struct collect *c)
{
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->reencoded, 0);
}

static int collect_fn(const struct es_message *m, void *ud)
{
	struct collect *c = ud;
	struct aws_error err;
	const char *type = es_message_string(m, ":message-type");

	aws_error_clear(&err);
	CHECK_INT(
	    es_encode(&c->reencoded, m->headers, m->nr_headers, m->payload, m->payload_len, &err),
	    0);
	if (c->count < 8)
		snprintf(c->types[c->count], sizeof(c->types[0]), "%s", type ? type : "-");
	c->count++;
	return c->stop_at && c->count == c->stop_at ? c->stop_value : 0;
}

/* The vectors back to back, as one stream. */
static const struct {
	const unsigned char *data;
	size_t len;
	const char *type;
} vectors[] = {
    {v_empty, sizeof(v_empty), "-"},
    {v_payload, sizeof(v_payload), "-"},
    {v_all_types, sizeof(v_all_types), "-"},
    {v_event, sizeof(v_event), "event"},
    {v_exception, sizeof(v_exception), "exception"},
    {v_error, sizeof(v_error), "error"},
};

static void make_stream(struct strbuf *sb)
{
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
		strbuf_add(sb, vectors[i].data, vectors[i].len);
}

/* The stream came out whole: every message, in order, byte for byte. */
static void check_collected(struct collect *c, const struct strbuf *stream)
{
	CHECK_INT(c->count, ARRAY_SIZE(vectors));
	CHECK_INT(c->reencoded.len, stream->len);
	CHECK(c->reencoded.len == stream->len &&
	      !memcmp(c->reencoded.buf, stream->buf, stream->len));
	for (size_t i = 0; i < ARRAY_SIZE(vectors) && (int)i < c->count; i++)
		CHECK_STR(c->types[i], vectors[i].type);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t crc(const void *p, size_t len)
{
	return (uint32_t)crc32(0L, p, (uInt)len);
}

/* A prelude claiming total and headers bytes, with a correct CRC. */
static void make_prelude(unsigned char out[12], uint32_t total, uint32_t headers)
{
	put32(out, total);
	put32(out + 4, headers);
	put32(out + 8, crc(out, 8));
}

/*
 * Frame a raw header block and payload with correct lengths and CRCs,
 * without the encoder, so header blocks the encoder would refuse can be
 * made.
 */
static void frame(struct strbuf *out, const void *headers, size_t hlen, const void *payload,
		  size_t plen)
{
	unsigned char buf[12];
	size_t start = out->len;

	make_prelude(buf, (uint32_t)(16 + hlen + plen), (uint32_t)hlen);
	strbuf_add(out, buf, 12);
	strbuf_add(out, headers, hlen);
	strbuf_add(out, payload, plen);
	put32(buf, crc(out->buf + start, out->len - start));
	strbuf_add(out, buf, 4);
}

/*
 * data must be refused as malformed, with reason in the message, without
 * a callback, the same whether fed whole or byte by byte; and the decoder
 * then takes no more input.
 */
static void expect_malformed(const void *data, size_t len, const char *reason)
{
	struct es_decoder d;
	struct collect c;
	struct aws_error err, err2;
	const unsigned char *p = data;
	int ret = 0;

	collect_init(&c);
	es_decoder_init(&d);
	aws_error_clear(&err);
	CHECK_INT(es_decoder_feed(&d, data, len, collect_fn, &c, &err), -AWSX_ESERVICE);
	CHECK_INT(err.kind, AWSX_ESERVICE);
	CHECK(str_starts_with(err.message, "malformed event stream: "));
	if (!strstr(err.message, reason)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.message, reason);
		CHECK(!"reason in message");
	}
	CHECK_INT(c.count, 0);
	aws_error_clear(&err2);
	CHECK_INT(es_decoder_feed(&d, v_empty, sizeof(v_empty), collect_fn, &c, &err2),
		  -AWSX_EFAIL);
	CHECK_INT(err2.kind, AWSX_EFAIL);
	CHECK_INT(c.count, 0);
	es_decoder_release(&d);

	es_decoder_init(&d);
	aws_error_clear(&err2);
	for (size_t i = 0; i < len && !ret; i++)
		ret = es_decoder_feed(&d, p + i, 1, collect_fn, &c, &err2);
	CHECK_INT(ret, -AWSX_ESERVICE);
	CHECK_STR(err2.message, err.message);
	CHECK_INT(c.count, 0);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
}

/* Decode one vector fed whole, with fn; returns how many messages came. */
static int decode_one(const unsigned char *data, size_t len, es_message_fn fn, void *ud)
{
	struct es_decoder d;
	struct aws_error err;
	int ret;

	es_decoder_init(&d);
	aws_error_clear(&err);
	ret = es_decoder_feed(&d, data, len, fn, ud, &err);
	CHECK_INT(es_decoder_pending(&d), 0);
	es_decoder_release(&d);
	return ret;
}

static void check_encodes_to(const struct es_header *h, size_t nr, const char *payload, size_t plen,
			     const unsigned char *want, size_t want_len)
{
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;

	aws_error_clear(&err);
	strbuf_adds(&sb, "prefix");
	CHECK_INT(es_encode(&sb, h, nr, payload, plen, &err), 0);
	CHECK_INT(sb.len, 6 + want_len);
	CHECK(sb.len == 6 + want_len && !memcmp(sb.buf + 6, want, want_len));
	CHECK(!memcmp(sb.buf, "prefix", 6));
	strbuf_release(&sb);
}

/* ---- the vectors ---- */

static int check_empty_fn(const struct es_message *m, void *ud)
{
	(*(int *)ud)++;
	CHECK_INT(m->nr_headers, 0);
	CHECK_INT(m->payload_len, 0);
	CHECK(es_message_string(m, ":message-type") == NULL);
	CHECK(es_message_header(m, "") == NULL);
	return 0;
}

static int check_payload_fn(const struct es_message *m, void *ud)
{
	(*(int *)ud)++;
	CHECK_INT(m->nr_headers, 0);
	CHECK_INT(m->payload_len, 13);
	CHECK(m->payload_len == 13 && !memcmp(m->payload, "{\"foo\":\"bar\"}", 13));
	return 0;
}

static void test_no_headers(void)
{
	int n = 0;

	CHECK_INT(decode_one(v_empty, sizeof(v_empty), check_empty_fn, &n), 0);
	CHECK_INT(n, 1);
	check_encodes_to(NULL, 0, NULL, 0, v_empty, sizeof(v_empty));
	n = 0;
	CHECK_INT(decode_one(v_payload, sizeof(v_payload), check_payload_fn, &n), 0);
	CHECK_INT(n, 1);
	check_encodes_to(NULL, 0, "{\"foo\":\"bar\"}", 13, v_payload, sizeof(v_payload));
}

static const unsigned char uuid_bytes[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

static const struct es_header all_types[] = {
    {"true", 4, ES_TYPE_BOOL_TRUE, 1, NULL, 0},
    {"false", 5, ES_TYPE_BOOL_FALSE, 0, NULL, 0},
    {"byte", 4, ES_TYPE_BYTE, -2, NULL, 0},
    {"short", 5, ES_TYPE_SHORT, -300, NULL, 0},
    {"int", 3, ES_TYPE_INT, 70000, NULL, 0},
    {"long", 4, ES_TYPE_LONG, -1099511627771LL, NULL, 0},
    {"bytes", 5, ES_TYPE_BYTES, 0, "\x00\xff\x10", 3},
    {"string", 6, ES_TYPE_STRING, 0, "h\xc3\xa9llo", 6},
    {"timestamp", 9, ES_TYPE_TIMESTAMP, 1700000000123LL, NULL, 0},
    {"uuid", 4, ES_TYPE_UUID, 0, uuid_bytes, 16},
};

static int check_all_types_fn(const struct es_message *m, void *ud)
{
	(*(int *)ud)++;
	CHECK_INT(m->nr_headers, ARRAY_SIZE(all_types));
	for (size_t i = 0; i < m->nr_headers && i < ARRAY_SIZE(all_types); i++) {
		const struct es_header *h = &m->headers[i], *w = &all_types[i];
		CHECK_STR(h->name, w->name);
		CHECK_INT(h->name_len, w->name_len);
		CHECK_INT(h->type, w->type);
		if (w->data) {
			CHECK_INT(h->len, w->len);
			CHECK(h->len == w->len && !memcmp(h->data, w->data, w->len));
		} else {
			CHECK_INT(h->integer, w->integer);
		}
		CHECK(es_message_header(m, w->name) == h);
	}
	CHECK_STR(es_message_string(m, "string"), "h\xc3\xa9llo");
	CHECK(es_message_string(m, "int") == NULL);    /* not a string */
	CHECK(es_message_string(m, "bytes") == NULL);  /* not a string */
	CHECK(es_message_string(m, "String") == NULL); /* names are case-sensitive */
	CHECK(es_message_string(m, "strin") == NULL);
	CHECK_INT(m->payload_len, 7);
	CHECK(m->payload_len == 7 && !memcmp(m->payload, "payload", 7));
	return 0;
}

static void test_all_header_types(void)
{
	int n = 0;

	CHECK_INT(decode_one(v_all_types, sizeof(v_all_types), check_all_types_fn, &n), 0);
	CHECK_INT(n, 1);
	check_encodes_to(all_types, ARRAY_SIZE(all_types), "payload", 7, v_all_types,
			 sizeof(v_all_types));
}

/* The extreme values of every integer type survive both ways. */
static int check_extremes_fn(const struct es_message *m, void *ud)
{
	const struct es_header *want = ud;

	CHECK_INT(m->nr_headers, 8);
	for (size_t i = 0; i < m->nr_headers && i < 8; i++) {
		CHECK_INT(m->headers[i].type, want[i].type);
		CHECK(m->headers[i].integer == want[i].integer);
	}
	return 0;
}

static void test_integer_extremes(void)
{
	const struct es_header h[] = {
	    {"a", 1, ES_TYPE_BYTE, INT8_MIN, NULL, 0},
	    {"b", 1, ES_TYPE_BYTE, INT8_MAX, NULL, 0},
	    {"c", 1, ES_TYPE_SHORT, INT16_MIN, NULL, 0},
	    {"d", 1, ES_TYPE_SHORT, INT16_MAX, NULL, 0},
	    {"e", 1, ES_TYPE_INT, INT32_MIN, NULL, 0},
	    {"f", 1, ES_TYPE_INT, INT32_MAX, NULL, 0},
	    {"g", 1, ES_TYPE_LONG, INT64_MIN, NULL, 0},
	    {"h", 1, ES_TYPE_TIMESTAMP, INT64_MAX, NULL, 0},
	};
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(es_encode(&sb, h, ARRAY_SIZE(h), NULL, 0, &err), 0);
	CHECK_INT(decode_one((const unsigned char *)sb.buf, sb.len, check_extremes_fn, (void *)h),
		  0);
	strbuf_release(&sb);
}

static int check_live_tail_fn(const struct es_message *m, void *ud)
{
	int *n = ud;

	switch ((*n)++) {
	case 0:
		CHECK_STR(es_message_string(m, ":message-type"), "event");
		CHECK_STR(es_message_string(m, ":event-type"), "sessionUpdate");
		CHECK_STR(es_message_string(m, ":content-type"), "application/json");
		CHECK(es_message_string(m, ":exception-type") == NULL);
		CHECK_INT(m->payload_len, 40);
		CHECK(m->payload_len == 40 &&
		      !memcmp(m->payload, "{\"sessionResults\":[{\"message\":\"hello\"}]}", 40));
		break;
	case 1:
		CHECK_STR(es_message_string(m, ":message-type"), "exception");
		CHECK_STR(es_message_string(m, ":exception-type"), "SessionTimeoutException");
		CHECK_STR(es_message_string(m, ":content-type"), "application/json");
		CHECK(es_message_string(m, ":event-type") == NULL);
		CHECK(m->payload_len == 31 &&
		      !memcmp(m->payload, "{\"message\":\"session timed out\"}", 31));
		break;
	case 2:
		CHECK_STR(es_message_string(m, ":message-type"), "error");
		CHECK_STR(es_message_string(m, ":error-code"), "InternalFailure");
		CHECK_STR(es_message_string(m, ":error-message"), "try again");
		CHECK_INT(m->payload_len, 0);
		break;
	}
	return 0;
}

static void test_live_tail_messages(void)
{
	const struct es_header event[] = {
	    es_header_string(":message-type", "event"),
	    es_header_string(":event-type", "sessionUpdate"),
	    es_header_string(":content-type", "application/json"),
	};
	const struct es_header exception[] = {
	    es_header_string(":message-type", "exception"),
	    es_header_string(":exception-type", "SessionTimeoutException"),
	    es_header_string(":content-type", "application/json"),
	};
	const struct es_header error[] = {
	    es_header_string(":message-type", "error"),
	    es_header_string(":error-code", "InternalFailure"),
	    es_header_string(":error-message", "try again"),
	};
	const char *update = "{\"sessionResults\":[{\"message\":\"hello\"}]}";
	const char *timeout = "{\"message\":\"session timed out\"}";
	struct strbuf stream = STRBUF_INIT;
	int n = 0;

	check_encodes_to(event, 3, update, strlen(update), v_event, sizeof(v_event));
	check_encodes_to(exception, 3, timeout, strlen(timeout), v_exception, sizeof(v_exception));
	check_encodes_to(error, 3, NULL, 0, v_error, sizeof(v_error));

	strbuf_add(&stream, v_event, sizeof(v_event));
	strbuf_add(&stream, v_exception, sizeof(v_exception));
	strbuf_add(&stream, v_error, sizeof(v_error));
	CHECK_INT(decode_one((const unsigned char *)stream.buf, stream.len, check_live_tail_fn, &n),
		  0);
	CHECK_INT(n, 3);
	strbuf_release(&stream);
}

/* The lookups work on messages built by hand, too. */
static void test_lookup_by_hand(void)
{
	struct es_header h[] = {
	    es_header_string(":message-type", "event"),
	    {":event-type", 11, ES_TYPE_STRING, 0, NULL, 0},
	    {":content-type", 13, ES_TYPE_INT, 5, NULL, 0},
	};
	struct es_message m = {h, ARRAY_SIZE(h), NULL, 0};

	CHECK_INT(h[0].name_len, 13);
	CHECK_INT(h[0].len, 5);
	CHECK_STR(es_message_string(&m, ":message-type"), "event");
	CHECK_STR(es_message_string(&m, ":event-type"), "");
	CHECK(es_message_string(&m, ":content-type") == NULL);
	CHECK(es_message_header(&m, ":content-type") == &h[2]);
	CHECK(es_message_header(&m, ":message-typ") == NULL);
	CHECK(es_message_header(&m, ":message-type ") == NULL);
}

/* ---- splitting ---- */

static void test_several_in_one_feed(void)
{
	struct strbuf stream = STRBUF_INIT;
	struct es_decoder d;
	struct collect c;
	struct aws_error err;

	make_stream(&stream);
	collect_init(&c);
	es_decoder_init(&d);
	aws_error_clear(&err);
	CHECK_INT(es_decoder_feed(&d, stream.buf, stream.len, collect_fn, &c, &err), 0);
	CHECK_INT(es_decoder_pending(&d), 0);
	check_collected(&c, &stream);
	/* an empty feed is fine, and delivers nothing */
	CHECK_INT(es_decoder_feed(&d, NULL, 0, collect_fn, &c, &err), 0);
	CHECK_INT(c.count, ARRAY_SIZE(vectors));
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
	strbuf_release(&stream);
}

/* Byte by byte: each message arrives exactly when its last byte does. */
static void test_byte_by_byte(void)
{
	struct strbuf stream = STRBUF_INIT;
	struct es_decoder d;
	struct collect c;
	struct aws_error err;
	size_t next_end = vectors[0].len, v = 0;

	make_stream(&stream);
	collect_init(&c);
	es_decoder_init(&d);
	aws_error_clear(&err);
	for (size_t i = 0; i < stream.len; i++) {
		CHECK_INT(es_decoder_feed(&d, stream.buf + i, 1, collect_fn, &c, &err), 0);
		if (i + 1 == next_end) {
			CHECK_INT(c.count, v + 1);
			CHECK_INT(es_decoder_pending(&d), 0);
			if (++v < ARRAY_SIZE(vectors))
				next_end += vectors[v].len;
		} else {
			CHECK_INT(c.count, v);
			CHECK(es_decoder_pending(&d) > 0);
		}
	}
	check_collected(&c, &stream);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
	strbuf_release(&stream);
}

/* Two feeds, split at every offset of the whole stream. */
static void test_split_everywhere(void)
{
	struct strbuf stream = STRBUF_INIT;
	int failed = 0;

	make_stream(&stream);
	for (size_t k = 0; k <= stream.len; k++) {
		struct es_decoder d;
		struct collect c;
		struct aws_error err;
		int before = check_failures_total;

		collect_init(&c);
		es_decoder_init(&d);
		aws_error_clear(&err);
		CHECK_INT(es_decoder_feed(&d, stream.buf, k, collect_fn, &c, &err), 0);
		CHECK_INT(es_decoder_feed(&d, stream.buf + k, stream.len - k, collect_fn, &c, &err),
			  0);
		CHECK_INT(es_decoder_pending(&d), 0);
		check_collected(&c, &stream);
		es_decoder_release(&d);
		strbuf_release(&c.reencoded);
		if (check_failures_total != before && !failed++)
			fprintf(stderr, "first failing split at offset %zu\n", k);
	}
	strbuf_release(&stream);
}

/* An unfinished message delivers nothing and is kept, whatever its length. */
static void test_truncated(void)
{
	struct es_decoder d;
	struct collect c;
	struct aws_error err;

	for (size_t cut = 0; cut < sizeof(v_all_types); cut++) {
		collect_init(&c);
		es_decoder_init(&d);
		aws_error_clear(&err);
		CHECK_INT(es_decoder_feed(&d, v_all_types, cut, collect_fn, &c, &err), 0);
		CHECK_INT(c.count, 0);
		CHECK_INT(es_decoder_pending(&d), cut);
		CHECK_INT(err.kind, 0);
		CHECK_INT(es_decoder_feed(&d, v_all_types + cut, sizeof(v_all_types) - cut,
					  collect_fn, &c, &err),
			  0);
		CHECK_INT(c.count, 1);
		CHECK_INT(es_decoder_pending(&d), 0);
		es_decoder_release(&d);
		strbuf_release(&c.reencoded);
	}

	/* a whole message followed by part of the next: one now, one later */
	collect_init(&c);
	es_decoder_init(&d);
	struct strbuf two = STRBUF_INIT;
	strbuf_add(&two, v_event, sizeof(v_event));
	strbuf_add(&two, v_error, sizeof(v_error));
	CHECK_INT(es_decoder_feed(&d, two.buf, two.len - 1, collect_fn, &c, &err), 0);
	CHECK_INT(c.count, 1);
	CHECK_INT(es_decoder_pending(&d), sizeof(v_error) - 1);
	/* released with a partial message held: nothing leaks (ASan) */
	es_decoder_release(&d);
	CHECK_INT(es_decoder_pending(&d), 0);
	strbuf_release(&two);
	strbuf_release(&c.reencoded);
}

/* ---- the callback stops ---- */

static void test_callback_stops(void)
{
	struct strbuf stream = STRBUF_INIT;
	struct es_decoder d;
	struct collect c;
	struct aws_error err;
	int ret = 0;

	make_stream(&stream);

	/* in place, fed whole */
	collect_init(&c);
	c.stop_at = 2;
	c.stop_value = 7;
	es_decoder_init(&d);
	aws_error_clear(&err);
	CHECK_INT(es_decoder_feed(&d, stream.buf, stream.len, collect_fn, &c, &err), 7);
	CHECK_INT(c.count, 2);
	CHECK_INT(err.kind, 0); /* the callback's value, not an error of the decoder */
	CHECK_INT(es_decoder_feed(&d, v_empty, sizeof(v_empty), collect_fn, &c, &err), -AWSX_EFAIL);
	CHECK_INT(c.count, 2);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);

	/* assembled, fed byte by byte, with a negative value */
	collect_init(&c);
	c.stop_at = 4;
	c.stop_value = -AWSX_ESERVICE;
	es_decoder_init(&d);
	aws_error_clear(&err);
	size_t i;
	for (i = 0; i < stream.len && !ret; i++)
		ret = es_decoder_feed(&d, stream.buf + i, 1, collect_fn, &c, &err);
	CHECK_INT(ret, -AWSX_ESERVICE);
	CHECK_INT(c.count, 4);
	CHECK_INT(i, sizeof(v_empty) + sizeof(v_payload) + sizeof(v_all_types) + sizeof(v_event));
	CHECK_INT(err.kind, 0);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
	strbuf_release(&stream);
}

/* ---- malformed input ---- */

static void test_prelude_crc(void)
{
	unsigned char bad[sizeof(v_event)];

	memcpy(bad, v_event, sizeof(bad));
	bad[11] ^= 0x01;
	expect_malformed(bad, sizeof(bad), "prelude CRC mismatch");

	/* a length changed in flight is a prelude CRC mismatch too */
	memcpy(bad, v_event, sizeof(bad));
	bad[3] ^= 0x40;
	expect_malformed(bad, sizeof(bad), "prelude CRC mismatch");

	/* ... found as soon as the 12 prelude bytes are in */
	expect_malformed(bad, 12, "prelude CRC mismatch");

	/* after good messages, in the same feed */
	struct strbuf sb = STRBUF_INIT;
	struct es_decoder d;
	struct collect c;
	struct aws_error err;

	strbuf_add(&sb, v_error, sizeof(v_error));
	strbuf_add(&sb, bad, sizeof(bad));
	collect_init(&c);
	es_decoder_init(&d);
	aws_error_clear(&err);
	CHECK_INT(es_decoder_feed(&d, sb.buf, sb.len, collect_fn, &c, &err), -AWSX_ESERVICE);
	CHECK_INT(c.count, 1);
	CHECK(strstr(err.message, "prelude CRC mismatch") != NULL);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
	strbuf_release(&sb);
}

static void test_message_crc(void)
{
	unsigned char bad[sizeof(v_all_types)];

	/* a flipped bit anywhere after the prelude */
	for (size_t i = 12; i < sizeof(bad); i += 7) {
		memcpy(bad, v_all_types, sizeof(bad));
		bad[i] ^= 0x20;
		expect_malformed(bad, sizeof(bad), "message CRC mismatch");
	}
	memcpy(bad, v_all_types, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 0x80;
	expect_malformed(bad, sizeof(bad), "message CRC mismatch");

	unsigned char empty[sizeof(v_empty)];
	memcpy(empty, v_empty, sizeof(empty));
	empty[12] ^= 0x01;
	expect_malformed(empty, sizeof(empty), "message CRC mismatch");
}

static void test_total_length_bounds(void)
{
	unsigned char p[12];

	/* at 12 bytes, before any more arrive */
	make_prelude(p, 15, 0);
	expect_malformed(p, 12, "message length 15 is below the minimum 16");
	make_prelude(p, 0, 0);
	expect_malformed(p, 12, "message length 0 is below the minimum 16");
	make_prelude(p, 12, 0);
	expect_malformed(p, 12, "below the minimum");
	make_prelude(p, ES_MAX_MESSAGE + 1, 0);
	expect_malformed(p, 12, "message length 16777217 is over the maximum 16777216");
	make_prelude(p, UINT32_MAX, 0);
	expect_malformed(p, 12, "over the maximum");
}

/* The largest message there may be decodes; the encoder refuses one byte more. */
static void test_max_message(void)
{
	size_t plen = ES_MAX_MESSAGE - ES_MIN_MESSAGE;
	char *payload = xcalloc(1, plen + 1);
	struct strbuf sb = STRBUF_INIT;
	struct es_decoder d;
	struct collect c;
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(es_encode(&sb, NULL, 0, payload, plen, &err), 0);
	CHECK_INT(sb.len, ES_MAX_MESSAGE);
	collect_init(&c);
	es_decoder_init(&d);
	/* split, so it goes through the assembly buffer */
	CHECK_INT(es_decoder_feed(&d, sb.buf, 1000, collect_fn, &c, &err), 0);
	CHECK_INT(es_decoder_feed(&d, sb.buf + 1000, sb.len - 1000, collect_fn, &c, &err), 0);
	CHECK_INT(c.count, 1);
	CHECK(c.reencoded.len == sb.len && !memcmp(c.reencoded.buf, sb.buf, sb.len));
	/* an assembly buffer that big is not kept for the next message */
	CHECK_INT(d.partial.alloc, 0);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);

	strbuf_reset(&sb);
	CHECK_INT(es_encode(&sb, NULL, 0, payload, plen + 1, &err), -AWSX_EFAIL);
	CHECK_INT(sb.len, 0);
	CHECK(strstr(err.message, "over 16777216 bytes") != NULL);
	strbuf_release(&sb);
	free(payload);
}

static void test_headers_length_bounds(void)
{
	unsigned char p[12];

	make_prelude(p, 16, 1);
	expect_malformed(p, 12, "headers length 1 does not fit in message length 16");
	make_prelude(p, 100, 85);
	expect_malformed(p, 12, "headers length 85 does not fit in message length 100");
	make_prelude(p, ES_MAX_MESSAGE, ES_MAX_HEADERS + 1);
	expect_malformed(p, 12, "headers length 131073 is over the maximum 131072");
	make_prelude(p, 100, UINT32_MAX);
	expect_malformed(p, 12, "over the maximum");
	/* UINT32_MAX - 15 would pass a check of headers + 16 <= total that wrapped */
	make_prelude(p, 100, UINT32_MAX - 15);
	expect_malformed(p, 12, "over the maximum");
}

/* Header blocks with good CRCs whose headers do not add up. */
static void test_bad_header_blocks(void)
{
	static const struct {
		const char *block;
		size_t len;
		const char *reason;
	} cases[] = {
	    /* (octal escapes: a hex one would swallow the name "a" that follows) */
	    /* a name length past the block */
	    {"\005abc", 4, "header 1 runs past the header block"},
	    /* a name and no type byte */
	    {"\003abc", 4, "header 1 runs past the header block"},
	    /* the second header's name */
	    {"\001a\000\011b", 5, "header 2 runs past the header block"},
	    /* integer and uuid values cut short */
	    {"\001a\002", 3, "header 'a' runs past the header block"},
	    {"\001a\003\000", 4, "header 'a' runs past the header block"},
	    {"\001a\004\000\000\000", 6, "header 'a' runs past the header block"},
	    {"\001a\005\000\000\000\000\000\000\000", 10, "header 'a' runs past the header block"},
	    {"\001a\010\000\000\000\000\000\000\000", 10, "header 'a' runs past the header block"},
	    {"\001a\011\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000", 18,
	     "header 'a' runs past the header block"},
	    /* string and byte array lengths past the block */
	    {"\001a\007\000", 4, "header 'a' runs past the header block"},
	    {"\001a\007\000\004abc", 8, "header 'a' runs past the header block"},
	    {"\001a\006\377\377abc", 8, "header 'a' runs past the header block"},
	    {"\001s\007\000\003abc\001t\006\000\002x", 14, "header 't' runs past the header block"},
	    /* types 10 and up do not exist */
	    {"\001a\012", 3, "header 'a' has unknown type 10"},
	    {"\001a\377", 3, "header 'a' has unknown type 255"},
	    /* a name is quoted with its unprintable bytes and quotes as '?' */
	    {"\002\033'\014", 4, "header '?\?' has unknown type 12"},
	    /* the same name twice, as botocore refuses */
	    {"\001a\000\001b\000\001a\001", 9, "duplicate header 'a'"},
	    {"\000\000\000\001", 4, "duplicate header ''"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		int before = check_failures_total;

		frame(&sb, cases[i].block, cases[i].len, "p", 1);
		expect_malformed(sb.buf, sb.len, cases[i].reason);
		if (check_failures_total != before)
			fprintf(stderr, "in header block case %zu\n", i);
		strbuf_release(&sb);
	}
}

/* Odd but well-formed: empty names, a NUL inside a string, empty values. */
static int check_odd_fn(const struct es_message *m, void *ud)
{
	(*(int *)ud)++;
	CHECK_INT(m->nr_headers, 4);
	if (m->nr_headers != 4)
		return 0;
	CHECK_INT(m->headers[0].name_len, 0);
	CHECK_STR(m->headers[0].name, "");
	CHECK_INT(m->headers[0].type, ES_TYPE_BOOL_TRUE);
	CHECK_INT(m->headers[0].integer, 1);
	CHECK_INT(m->headers[1].len, 3);
	CHECK(es_message_string(m, "nul") == NULL); /* "a\0b" is no C string */
	CHECK_STR(es_message_string(m, "empty"), "");
	CHECK_INT(m->headers[3].name_len, 3);
	CHECK(m->headers[3].name_len == 3 && !memcmp(m->headers[3].name, "x\0y", 4));
	CHECK_INT(m->headers[3].type, ES_TYPE_BYTES);
	CHECK_INT(m->headers[3].len, 0);
	CHECK_INT(m->payload_len, 0);
	return 0;
}

static void test_odd_but_valid(void)
{
	static const char block[] =
	    "\000\000\003nul\007\000\003a\000b\005empty\007\000\000\003x\000y\006\000\000";
	struct strbuf sb = STRBUF_INIT;
	int n = 0;

	frame(&sb, block, sizeof(block) - 1, NULL, 0);
	CHECK_INT(decode_one((const unsigned char *)sb.buf, sb.len, check_odd_fn, &n), 0);
	CHECK_INT(n, 1);
	strbuf_release(&sb);
}

/* ---- the encoder's refusals ---- */

static void expect_encode_error(const struct es_header *h, size_t nr, size_t plen, size_t max,
				const char *reason)
{
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;

	sb.max = max;
	strbuf_adds(&sb, "keep");
	aws_error_clear(&err);
	CHECK_INT(es_encode(&sb, h, nr, NULL, plen, &err), -AWSX_EFAIL);
	CHECK_INT(err.kind, AWSX_EFAIL);
	CHECK_STR(sb.buf, "keep");
	if (!strstr(err.message, reason)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.message, reason);
		CHECK(!"reason in message");
	}
	strbuf_release(&sb);
}

static void test_encode_errors(void)
{
	static char big[70000];
	struct es_header h;

	memset(&h, 0, sizeof(h));
	h.name = big;
	h.name_len = 256;
	h.type = ES_TYPE_BOOL_TRUE;
	expect_encode_error(&h, 1, 0, 0, "name over 255 bytes");

	h.name = "s";
	h.name_len = 1;
	h.type = ES_TYPE_STRING;
	h.data = big;
	h.len = 65536;
	expect_encode_error(&h, 1, 0, 0, "header 's': value over 65535 bytes");
	h.type = ES_TYPE_BYTES;
	expect_encode_error(&h, 1, 0, 0, "value over 65535 bytes");
	h.len = 65535; /* the most there may be */
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;
	CHECK_INT(es_encode(&sb, &h, 1, NULL, 0, &err), 0);
	CHECK_INT(sb.len, 16 + 1 + 1 + 1 + 2 + 65535);
	strbuf_release(&sb);

	h.type = ES_TYPE_UUID;
	h.len = 15;
	expect_encode_error(&h, 1, 0, 0, "uuid not 16 bytes long");
	h.type = (enum es_type)10;
	expect_encode_error(&h, 1, 0, 0, "unknown type");

	h.type = ES_TYPE_BYTE;
	h.integer = 128;
	expect_encode_error(&h, 1, 0, 0, "value out of range for its type");
	h.integer = -129;
	expect_encode_error(&h, 1, 0, 0, "value out of range");
	h.type = ES_TYPE_SHORT;
	h.integer = 32768;
	expect_encode_error(&h, 1, 0, 0, "value out of range");
	h.type = ES_TYPE_INT;
	h.integer = (int64_t)INT32_MIN - 1;
	expect_encode_error(&h, 1, 0, 0, "value out of range");

	/* two byte arrays of 65535 bytes make a header block over 128 KiB */
	struct es_header two[2] = {
	    {"a", 1, ES_TYPE_BYTES, 0, big, 65535},
	    {"b", 1, ES_TYPE_BYTES, 0, big, 65535},
	};
	expect_encode_error(two, 2, 0, 0, "headers over 131072 bytes");

	/* out->max: the message would not fit, and out is left as it was */
	expect_encode_error(NULL, 0, 0, 4 + 15, "output over 19 bytes");
	expect_encode_error(NULL, 0, ES_MAX_MESSAGE, 0, "over 16777216 bytes");
}

/* The decoder is reusable after release, and release of a fresh one is fine. */
static void test_release_reuse(void)
{
	struct es_decoder d;
	struct collect c;
	struct aws_error err;

	es_decoder_init(&d);
	es_decoder_release(&d);
	collect_init(&c);
	aws_error_clear(&err);
	CHECK_INT(es_decoder_feed(&d, v_event, 20, collect_fn, &c, &err), 0);
	es_decoder_release(&d);
	es_decoder_init(&d);
	CHECK_INT(es_decoder_feed(&d, v_event, sizeof(v_event), collect_fn, &c, &err), 0);
	CHECK_INT(c.count, 1);
	es_decoder_release(&d);
	strbuf_release(&c.reencoded);
}

int main(void)
{
	RUN(test_no_headers);
	RUN(test_all_header_types);
	RUN(test_integer_extremes);
	RUN(test_live_tail_messages);
	RUN(test_lookup_by_hand);
	RUN(test_several_in_one_feed);
	RUN(test_byte_by_byte);
	RUN(test_split_everywhere);
	RUN(test_truncated);
	RUN(test_callback_stops);
	RUN(test_prelude_crc);
	RUN(test_message_crc);
	RUN(test_total_length_bounds);
	RUN(test_max_message);
	RUN(test_headers_length_bounds);
	RUN(test_bad_header_blocks);
	RUN(test_odd_but_valid);
	RUN(test_encode_errors);
	RUN(test_release_reuse);
	return check_done();
}
