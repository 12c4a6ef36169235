/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eventstream.c: the event-stream decoder and encoder behind eventstream.h.
 * Feeding works in two modes: while whole messages sit in the caller's
 * buffer they are checked and handed over in place, and only a message cut
 * by the end of a read is copied, into one assembly buffer that grows with
 * the bytes that actually arrived (a prelude that claims 16 MiB allocates
 * nothing until the bytes come).  The prelude is checked as soon as its 12
 * bytes are in, the message CRC before any header is looked at, and header
 * names and string values are copied NUL-terminated into a side buffer sized
 * by the header block, so the pointers handed to the callback never move.
 */
#include "aws/eventstream.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

enum { ES_DECODER_READY, ES_DECODER_STOPPED, ES_DECODER_FAILED };

/* An assembly buffer grown past this is freed after its message, not kept. */
#define ES_KEEP_BUFFER (256u << 10)

/* The longest header name an error message quotes. */
#define ES_QUOTED_NAME 64

static uint16_t es_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t es_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t es_get64(const unsigned char *p)
{
	return (uint64_t)es_get32(p) << 32 | es_get32(p + 4);
}

static void es_put(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

static uint32_t es_crc(const unsigned char *p, size_t len)
{
	/* len is at most ES_MAX_MESSAGE, well within uInt */
	return (uint32_t)crc32(0L, p, (uInt)len);
}

/* name as an error message may quote it: printable ASCII, '?' for the rest. */
static const char *es_quote(char out[ES_QUOTED_NAME + 1], const char *name, size_t len)
{
	size_t n = len < ES_QUOTED_NAME ? len : ES_QUOTED_NAME;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		out[i] = c >= 0x20 && c < 0x7f && c != '\'' ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

static int es_malformed(struct es_decoder *d, struct aws_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int es_malformed(struct es_decoder *d, struct aws_error *err, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	d->state = ES_DECODER_FAILED;
	return aws_error_set(err, AWSX_ESERVICE, "malformed event stream: %s", reason);
}

void es_decoder_init(struct es_decoder *d)
{
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->partial, 0);
	d->state = ES_DECODER_READY;
}

void es_decoder_release(struct es_decoder *d)
{
	strbuf_release(&d->partial);
	free(d->headers);
	free(d->sorted);
	free(d->text);
	es_decoder_init(d);
}

size_t es_decoder_pending(const struct es_decoder *d)
{
	return d->partial.len;
}

/* Check the 12 bytes at p; *total is the message's length when they pass. */
static int es_check_prelude(struct es_decoder *d, const unsigned char *p, size_t *total,
			    struct aws_error *err)
{
	uint32_t total_len = es_get32(p), headers_len = es_get32(p + 4);
	uint32_t crc = es_get32(p + 8), computed = es_crc(p, 8);

	if (crc != computed)
		return es_malformed(d, err, "prelude CRC mismatch (0x%08x, computed 0x%08x)",
				    (unsigned)crc, (unsigned)computed);
	if (total_len < ES_MIN_MESSAGE)
		return es_malformed(d, err, "message length %u is below the minimum %u",
				    (unsigned)total_len, ES_MIN_MESSAGE);
	if (total_len > ES_MAX_MESSAGE)
		return es_malformed(d, err, "message length %u is over the maximum %u",
				    (unsigned)total_len, ES_MAX_MESSAGE);
	if (headers_len > ES_MAX_HEADERS)
		return es_malformed(d, err, "headers length %u is over the maximum %u",
				    (unsigned)headers_len, ES_MAX_HEADERS);
	if (headers_len > total_len - ES_MIN_MESSAGE)
		return es_malformed(d, err, "headers length %u does not fit in message length %u",
				    (unsigned)headers_len, (unsigned)total_len);
	*total = total_len;
	return 0;
}

static int es_cmp_name(const void *a, const void *b)
{
	const struct es_header *x = *(const struct es_header *const *)a;
	const struct es_header *y = *(const struct es_header *const *)b;

	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(x->name, y->name, x->name_len);
}

/* Refuse two headers of one name, as botocore does: which one would count? */
static int es_check_duplicates(struct es_decoder *d, size_t nr, struct aws_error *err)
{
	char quoted[ES_QUOTED_NAME + 1];

	if (nr < 2)
		return 0;
	ALLOC_GROW(d->sorted, nr, d->sorted_alloc);
	for (size_t i = 0; i < nr; i++)
		d->sorted[i] = &d->headers[i];
	qsort(d->sorted, nr, sizeof(*d->sorted), es_cmp_name);
	for (size_t i = 1; i < nr; i++)
		if (!es_cmp_name(&d->sorted[i - 1], &d->sorted[i]))
			return es_malformed(
			    d, err, "duplicate header '%s'",
			    es_quote(quoted, d->sorted[i]->name, d->sorted[i]->name_len));
	return 0;
}

/* Parse the len bytes of header block at p into d->headers. */
static int es_parse_headers(struct es_decoder *d, const unsigned char *p, size_t len, size_t *nr,
			    struct aws_error *err)
{
	char quoted[ES_QUOTED_NAME + 1];
	size_t off = 0, used = 0, n = 0;

	/*
	 * Each header takes at least as many bytes on the wire (name length,
	 * type, string length) as its NUL-terminated copies take here, so a
	 * text buffer of len + 1 bytes never has to move.
	 */
	if (d->text_alloc < len + 1) {
		d->text = xrealloc(d->text, len + 1);
		d->text_alloc = len + 1;
	}
	while (off < len) {
		size_t name_len = p[off++], need;
		struct es_header *h;

		if (name_len >= len - off)
			return es_malformed(d, err, "header %zu runs past the header block", n + 1);
		ALLOC_GROW(d->headers, n + 1, d->headers_alloc);
		h = &d->headers[n++];
		memset(h, 0, sizeof(*h));
		memcpy(d->text + used, p + off, name_len);
		d->text[used + name_len] = '\0';
		h->name = d->text + used;
		h->name_len = name_len;
		used += name_len + 1;
		off += name_len;
		h->type = p[off++];

		switch (h->type) {
		case ES_TYPE_BOOL_TRUE:
		case ES_TYPE_BOOL_FALSE:
			need = 0;
			break;
		case ES_TYPE_BYTE:
			need = 1;
			break;
		case ES_TYPE_SHORT:
		case ES_TYPE_BYTES:
		case ES_TYPE_STRING:
			need = 2;
			break;
		case ES_TYPE_INT:
			need = 4;
			break;
		case ES_TYPE_LONG:
		case ES_TYPE_TIMESTAMP:
			need = 8;
			break;
		case ES_TYPE_UUID:
			need = 16;
			break;
		default:
			return es_malformed(d, err, "header '%s' has unknown type %u",
					    es_quote(quoted, h->name, name_len), (unsigned)h->type);
		}
		if (need > len - off)
			goto past;

		switch (h->type) {
		case ES_TYPE_BOOL_TRUE:
			h->integer = 1;
			break;
		case ES_TYPE_BOOL_FALSE:
			h->integer = 0;
			break;
		case ES_TYPE_BYTE:
			h->integer = (int8_t)p[off];
			break;
		case ES_TYPE_SHORT:
			h->integer = (int16_t)es_get16(p + off);
			break;
		case ES_TYPE_INT:
			h->integer = (int32_t)es_get32(p + off);
			break;
		case ES_TYPE_LONG:
		case ES_TYPE_TIMESTAMP:
			h->integer = (int64_t)es_get64(p + off);
			break;
		case ES_TYPE_UUID:
			h->data = p + off;
			h->len = 16;
			break;
		case ES_TYPE_BYTES:
		case ES_TYPE_STRING:
			h->len = es_get16(p + off);
			if (h->len > len - off - 2)
				goto past;
			if (h->type == ES_TYPE_BYTES) {
				h->data = p + off + 2;
			} else {
				memcpy(d->text + used, p + off + 2, h->len);
				d->text[used + h->len] = '\0';
				h->data = d->text + used;
				used += h->len + 1;
			}
			need += h->len;
			break;
		}
		off += need;
		continue;
	past:
		return es_malformed(d, err, "header '%s' runs past the header block",
				    es_quote(quoted, h->name, name_len));
	}
	*nr = n;
	return es_check_duplicates(d, n, err);
}

/* Check and hand over the complete message of total bytes at p. */
static int es_deliver(struct es_decoder *d, const unsigned char *p, size_t total, es_message_fn fn,
		      void *ud, struct aws_error *err)
{
	size_t headers_len = es_get32(p + 4);
	uint32_t crc = es_get32(p + total - 4), computed = es_crc(p, total - 4);
	struct es_message m;
	int ret;

	if (crc != computed)
		return es_malformed(d, err, "message CRC mismatch (0x%08x, computed 0x%08x)",
				    (unsigned)crc, (unsigned)computed);
	ret = es_parse_headers(d, p + ES_PRELUDE_LEN, headers_len, &m.nr_headers, err);
	if (ret)
		return ret;
	m.headers = d->headers;
	m.payload = p + ES_PRELUDE_LEN + headers_len;
	m.payload_len = total - ES_MIN_MESSAGE - headers_len;
	ret = fn(&m, ud);
	if (ret)
		d->state = ES_DECODER_STOPPED;
	return ret;
}

int es_decoder_feed(struct es_decoder *d, const void *data, size_t len, es_message_fn fn, void *ud,
		    struct aws_error *err)
{
	const unsigned char *p = data;
	size_t avail = len;
	int ret = 0;

	if (d->state != ES_DECODER_READY)
		return aws_error_set(
		    err, AWSX_EFAIL,
		    "event stream decoder takes no more input after an error or a stop");
	while (avail) {
		if (!d->partial.len && avail >= ES_PRELUDE_LEN) {
			ret = es_check_prelude(d, p, &d->total, err);
			if (ret)
				goto out;
			if (avail >= d->total) {
				size_t total = d->total;

				d->total = 0;
				ret = es_deliver(d, p, total, fn, ud, err);
				if (ret)
					goto out;
				p += total;
				avail -= total;
				continue;
			}
		}

		/* Assemble: first the prelude, then (once it passed) the rest. */
		size_t want = d->total ? d->total : ES_PRELUDE_LEN;
		size_t take = want - d->partial.len;

		if (take > avail)
			take = avail;
		strbuf_add(&d->partial, p, take);
		p += take;
		avail -= take;
		if (!d->total) {
			if (d->partial.len < ES_PRELUDE_LEN)
				continue;
			ret = es_check_prelude(d, (const unsigned char *)d->partial.buf, &d->total,
					       err);
			if (ret)
				goto out;
		}
		if (d->partial.len == d->total) {
			ret = es_deliver(d, (const unsigned char *)d->partial.buf, d->total, fn, ud,
					 err);
			d->total = 0;
			if (d->partial.alloc > ES_KEEP_BUFFER)
				strbuf_release(&d->partial);
			else
				strbuf_reset(&d->partial);
			if (ret)
				goto out;
		}
	}
out:
	return ret;
}

const struct es_header *es_message_header(const struct es_message *m, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < m->nr_headers; i++) {
		const struct es_header *h = &m->headers[i];
		if (h->name_len == len && !memcmp(h->name, name, len))
			return h;
	}
	return NULL;
}

const char *es_message_string(const struct es_message *m, const char *name)
{
	const struct es_header *h = es_message_header(m, name);

	if (!h || h->type != ES_TYPE_STRING)
		return NULL;
	if (!h->data) /* a header built by hand with no value */
		return "";
	if (h->len && memchr(h->data, '\0', h->len))
		return NULL;
	return h->data;
}

struct es_header es_header_string(const char *name, const char *value)
{
	struct es_header h = {
	    .name = name,
	    .name_len = strlen(name),
	    .type = ES_TYPE_STRING,
	    .data = value,
	    .len = strlen(value),
	};
	return h;
}

/* The bytes h's type and value take on the wire, or 0 with err filled when it cannot be encoded. */
static size_t es_value_len(const struct es_header *h, struct aws_error *err)
{
	char quoted[ES_QUOTED_NAME + 1];
	const char *reason = "value out of range for its type";
	int64_t lo = 0, hi = 0;
	size_t n = 0;

	switch (h->type) {
	case ES_TYPE_BOOL_TRUE:
	case ES_TYPE_BOOL_FALSE:
		return 1;
	case ES_TYPE_BYTE:
		lo = INT8_MIN, hi = INT8_MAX, n = 1;
		break;
	case ES_TYPE_SHORT:
		lo = INT16_MIN, hi = INT16_MAX, n = 2;
		break;
	case ES_TYPE_INT:
		lo = INT32_MIN, hi = INT32_MAX, n = 4;
		break;
	case ES_TYPE_LONG:
	case ES_TYPE_TIMESTAMP:
		lo = INT64_MIN, hi = INT64_MAX, n = 8;
		break;
	case ES_TYPE_BYTES:
	case ES_TYPE_STRING:
		if (h->len <= UINT16_MAX)
			return 1 + 2 + h->len;
		reason = "value over 65535 bytes";
		goto bad;
	case ES_TYPE_UUID:
		if (h->len == 16)
			return 1 + 16;
		reason = "uuid not 16 bytes long";
		goto bad;
	default:
		reason = "unknown type";
		goto bad;
	}
	if (h->integer >= lo && h->integer <= hi)
		return 1 + n;
bad:
	aws_error_set(err, AWSX_EFAIL, "cannot encode event stream header '%s': %s",
		      es_quote(quoted, h->name, h->name_len), reason);
	return 0;
}

int es_encode(struct strbuf *out, const struct es_header *headers, size_t nr, const void *payload,
	      size_t payload_len, struct aws_error *err)
{
	size_t start = out->len, headers_len = 0, total;
	unsigned char buf[ES_PRELUDE_LEN];

	for (size_t i = 0; i < nr; i++) {
		const struct es_header *h = &headers[i];
		size_t value_len;

		if (h->name_len > UINT8_MAX)
			return aws_error_set(
			    err, AWSX_EFAIL,
			    "cannot encode event stream header: name over 255 bytes");
		value_len = es_value_len(h, err);
		if (!value_len)
			return -AWSX_EFAIL;
		headers_len += 1 + h->name_len + value_len;
		if (headers_len > ES_MAX_HEADERS)
			return aws_error_set(
			    err, AWSX_EFAIL,
			    "cannot encode event stream message: headers over %u bytes",
			    ES_MAX_HEADERS);
	}
	if (payload_len > ES_MAX_MESSAGE - ES_MIN_MESSAGE - headers_len)
		return aws_error_set(err, AWSX_EFAIL,
				     "cannot encode event stream message: over %u bytes",
				     ES_MAX_MESSAGE);
	total = ES_MIN_MESSAGE + headers_len + payload_len;
	if (out->max && out->len + total > out->max) {
		out->overflow = 1;
		return aws_error_set(err, AWSX_EFAIL,
				     "cannot encode event stream message: output over %zu bytes",
				     out->max);
	}

	/* Within out->max, so none of the adds below can fail. */
	strbuf_grow(out, total);
	es_put(buf, total, 4);
	es_put(buf + 4, headers_len, 4);
	es_put(buf + 8, es_crc(buf, 8), 4);
	strbuf_add(out, buf, ES_PRELUDE_LEN);
	for (size_t i = 0; i < nr; i++) {
		const struct es_header *h = &headers[i];
		size_t n = 0;

		buf[0] = (unsigned char)h->name_len;
		strbuf_add(out, buf, 1);
		strbuf_add(out, h->name, h->name_len);
		buf[0] = (unsigned char)h->type;
		strbuf_add(out, buf, 1);
		switch (h->type) {
		case ES_TYPE_BYTE:
			n = 1;
			break;
		case ES_TYPE_SHORT:
			n = 2;
			break;
		case ES_TYPE_INT:
			n = 4;
			break;
		case ES_TYPE_LONG:
		case ES_TYPE_TIMESTAMP:
			n = 8;
			break;
		case ES_TYPE_BYTES:
		case ES_TYPE_STRING:
			es_put(buf, h->len, 2);
			strbuf_add(out, buf, 2);
			strbuf_add(out, h->data, h->len);
			break;
		case ES_TYPE_UUID:
			strbuf_add(out, h->data, 16);
			break;
		default: /* the booleans: no value bytes */
			break;
		}
		if (n) {
			es_put(buf, (uint64_t)h->integer, n);
			strbuf_add(out, buf, n);
		}
	}
	strbuf_add(out, payload, payload_len);
	es_put(buf, es_crc((const unsigned char *)out->buf + start, total - 4), 4);
	strbuf_add(out, buf, 4);
	return 0;
}
