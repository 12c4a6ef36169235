/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-eventstream.c: libFuzzer target for the event-stream decoder
 * (aws/eventstream.c).  The input's first byte says how many chunk sizes
 * follow (1 + its low 3 bits; one byte each, sizes 1 to 256) and, in its top
 * bit, whether to fix the stream's CRCs first, so that mutations reach the
 * header parser instead of dying at a CRC check; the rest is the stream.
 * It is decoded whole and fed in chunks of those sizes, cycling, and both
 * runs must agree: the same messages, the same error, the same bytes left
 * pending.  Every message must re-encode to exactly the bytes it came from
 * (the format leaves the encoder no choice) and decode again to itself, and
 * its headers must keep the header contract: NUL-terminated names and
 * strings, lookups that find them.  An error must leave a printable
 * "malformed event stream: " message and a decoder that takes no more input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "aws/eventstream.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

struct fuzz_run {
	const unsigned char *stream; /* the whole input stream */
	size_t off;		     /* where the next message must start */
	int count;
	int stop_at; /* stop at this message (1-based); 0: never */
};

static int fuzz_same_fn(const struct es_message *m, void *ud)
{
	const struct strbuf *want = ud;
	struct strbuf sb = STRBUF_INIT;
	struct aws_error err;

	aws_error_clear(&err);
	fuzz_assert(es_encode(&sb, m->headers, m->nr_headers, m->payload, m->payload_len, &err) ==
		    0);
	fuzz_assert(sb.len == want->len && !memcmp(sb.buf, want->buf, sb.len));
	strbuf_release(&sb);
	return 42;
}

static void fuzz_check_headers(const struct es_message *m)
{
	for (size_t i = 0; i < m->nr_headers; i++) {
		const struct es_header *h = &m->headers[i];

		fuzz_assert(h->name && h->name[h->name_len] == '\0' && h->name_len <= 255);
		fuzz_assert((unsigned)h->type <= ES_TYPE_UUID);
		if (h->type == ES_TYPE_STRING) {
			const char *s = h->data;
			fuzz_assert(s && s[h->len] == '\0');
		}
		if (h->type == ES_TYPE_UUID)
			fuzz_assert(h->data && h->len == 16);
		if (h->type == ES_TYPE_BOOL_TRUE || h->type == ES_TYPE_BOOL_FALSE)
			fuzz_assert(h->integer == (h->type == ES_TYPE_BOOL_TRUE));
		for (size_t j = 0; j < i; j++)
			fuzz_assert(m->headers[j].name_len != h->name_len ||
				    memcmp(m->headers[j].name, h->name, h->name_len));
		if (strlen(h->name) != h->name_len)
			continue; /* a NUL in the name: no lookup by C string finds it */
		fuzz_assert(es_message_header(m, h->name) == h);
		const char *s = es_message_string(m, h->name);
		if (h->type != ES_TYPE_STRING)
			fuzz_assert(s == NULL);
		else if (s)
			fuzz_assert(s == h->data && strlen(s) == h->len);
		else
			fuzz_assert(memchr(h->data, '\0', h->len) != NULL);
	}
}

static int fuzz_message_fn(const struct es_message *m, void *ud)
{
	struct fuzz_run *r = ud;
	struct strbuf sb = STRBUF_INIT;
	struct es_decoder again;
	struct aws_error err;

	fuzz_check_headers(m);

	/* The bytes it came from, exactly. */
	aws_error_clear(&err);
	fuzz_assert(es_encode(&sb, m->headers, m->nr_headers, m->payload, m->payload_len, &err) ==
		    0);
	fuzz_assert(sb.len >= ES_MIN_MESSAGE && !memcmp(sb.buf, r->stream + r->off, sb.len));
	r->off += sb.len;

	/* And back to itself: one message, which re-encodes the same. */
	es_decoder_init(&again);
	fuzz_assert(es_decoder_feed(&again, sb.buf, sb.len, fuzz_same_fn, &sb, &err) == 42);
	fuzz_assert(es_decoder_pending(&again) == 0);
	es_decoder_release(&again);
	strbuf_release(&sb);

	r->count++;
	return r->stop_at && r->count == r->stop_at ? 7 : 0;
}

/* Printable ASCII only: header names reach the message quoted and cleaned. */
static void fuzz_check_error(const struct aws_error *err)
{
	size_t len = strnlen(err->message, sizeof(err->message));

	fuzz_assert(err->kind == AWSX_ESERVICE);
	fuzz_assert(len < sizeof(err->message));
	fuzz_assert(!strncmp(err->message, "malformed event stream: ", 24));
	for (size_t i = 0; i < len; i++)
		fuzz_assert(err->message[i] >= 0x20 && err->message[i] < 0x7f);
}

static uint32_t fuzz_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fuzz_put_crc(unsigned char *p, size_t len)
{
	uint32_t crc = (uint32_t)crc32(0L, p, (uInt)len);

	p[len] = (unsigned char)(crc >> 24);
	p[len + 1] = (unsigned char)(crc >> 16);
	p[len + 2] = (unsigned char)(crc >> 8);
	p[len + 3] = (unsigned char)crc;
}

/* Make every prelude CRC right, and every message CRC whose message fits. */
static void fuzz_fix_crcs(unsigned char *p, size_t len)
{
	size_t off = 0;

	while (len - off >= ES_PRELUDE_LEN) {
		size_t total = fuzz_get32(p + off);

		fuzz_put_crc(p + off, 8);
		if (total < ES_MIN_MESSAGE || total > len - off)
			break;
		fuzz_put_crc(p + off, total - 4);
		off += total;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_run whole = {0}, chunked = {0};
	struct aws_error err_whole, err_chunked, err;
	struct es_decoder d;
	size_t nsizes, len, pos = 0, k = 0;
	const uint8_t *sizes;
	unsigned char *stream;
	int ret_whole, ret_chunked = 0;

	if (size < 1)
		return 0;
	nsizes = 1 + data[0] % 8;
	if (size < 1 + nsizes)
		return 0;
	sizes = data + 1;
	len = size - 1 - nsizes;
	stream = xmalloc(len + 1); /* its own allocation, so ASan sees overreads */
	memcpy(stream, data + 1 + nsizes, len);
	if (data[0] & 0x80)
		fuzz_fix_crcs(stream, len);

	/* Whole. */
	whole.stream = stream;
	es_decoder_init(&d);
	aws_error_clear(&err_whole);
	ret_whole = es_decoder_feed(&d, stream, len, fuzz_message_fn, &whole, &err_whole);
	size_t pending_whole = es_decoder_pending(&d);
	if (ret_whole) {
		fuzz_assert(ret_whole == -AWSX_ESERVICE);
		fuzz_check_error(&err_whole);
		aws_error_clear(&err);
		fuzz_assert(es_decoder_feed(&d, stream, len, fuzz_message_fn, &whole, &err) ==
			    -AWSX_EFAIL);
	} else {
		/* what is pending is exactly what no message took */
		fuzz_assert(whole.off + pending_whole == len);
	}
	es_decoder_release(&d);

	/* In chunks. */
	chunked.stream = stream;
	es_decoder_init(&d);
	aws_error_clear(&err_chunked);
	while (pos < len && !ret_chunked) {
		size_t n = (size_t)sizes[k++ % nsizes] + 1;
		if (n > len - pos)
			n = len - pos;
		ret_chunked =
		    es_decoder_feed(&d, stream + pos, n, fuzz_message_fn, &chunked, &err_chunked);
		pos += n;
	}
	fuzz_assert(ret_chunked == ret_whole);
	fuzz_assert(chunked.count == whole.count && chunked.off == whole.off);
	if (ret_whole)
		fuzz_assert(!strcmp(err_chunked.message, err_whole.message));
	else
		fuzz_assert(es_decoder_pending(&d) == pending_whole);
	es_decoder_release(&d);

	/* A stop at the first message ends the feed there. */
	if (whole.count) {
		struct fuzz_run stop = {.stream = stream, .stop_at = 1};

		es_decoder_init(&d);
		aws_error_clear(&err);
		fuzz_assert(es_decoder_feed(&d, stream, len, fuzz_message_fn, &stop, &err) == 7);
		fuzz_assert(stop.count == 1 && err.kind == 0);
		fuzz_assert(es_decoder_feed(&d, stream, len, fuzz_message_fn, &stop, &err) ==
			    -AWSX_EFAIL);
		es_decoder_release(&d);
	}
	free(stream);
	return 0;
}
