/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eventstream.h: the AWS event-stream codec (application/vnd.amazon.eventstream),
 * the framing of streamed answers such as CloudWatch Logs' StartLiveTail.
 * The decoder takes bytes as they arrive, split anywhere, and hands over
 * one complete, CRC-checked message at a time; the encoder writes the same
 * format, for tests and test servers.
 *
 * A message on the wire: total length (u32), headers length (u32), the
 * CRC-32 of those 8 bytes (u32), the headers, the payload, and the CRC-32 of
 * everything before it (u32); integers big-endian, CRC-32 as zlib's.  A header:
 * name length (u8), name, type (u8), value (see enum es_type).  The input
 * comes from the network: lengths are bounded (ES_MAX_MESSAGE,
 * ES_MAX_HEADERS) before anything is buffered, and one malformed message
 * stops the decoder for good, since a byte stream that lost its framing
 * cannot be trusted to find it again.
 */
#ifndef AWSX_EVENTSTREAM_H
#define AWSX_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "aws/util.h"

/* The prelude: total length, headers length, prelude CRC. */
#define ES_PRELUDE_LEN 12
/* The smallest message: a prelude and a message CRC, no headers, no payload. */
#define ES_MIN_MESSAGE 16
/* The largest message AWS sends or accepts (16 MiB). */
#define ES_MAX_MESSAGE (16u << 20)
/* The largest header block (128 KiB), as botocore and aws-c-event-stream. */
#define ES_MAX_HEADERS (128u << 10)

/* Header value types, with their wire numbers. */
enum es_type {
	ES_TYPE_BOOL_TRUE = 0,	/* no value bytes */
	ES_TYPE_BOOL_FALSE = 1, /* no value bytes */
	ES_TYPE_BYTE = 2,	/* int8 */
	ES_TYPE_SHORT = 3,	/* int16 */
	ES_TYPE_INT = 4,	/* int32 */
	ES_TYPE_LONG = 5,	/* int64 */
	ES_TYPE_BYTES = 6,	/* u16 length, then the bytes */
	ES_TYPE_STRING = 7,	/* u16 length, then UTF-8 */
	ES_TYPE_TIMESTAMP = 8,	/* int64 milliseconds since the epoch */
	ES_TYPE_UUID = 9,	/* 16 bytes */
};

/*
 * One header.  In a decoded message everything points into memory the
 * decoder owns, valid only during the callback: name is NUL-terminated (it
 * may also hold a NUL byte; name_len counts the bytes), a string value is a
 * NUL-terminated copy, bytes and uuid point into the message.  The decoder
 * does not check that names and strings are UTF-8: whoever prints them
 * sanitises them as any text from the network.
 */
struct es_header {
	const char *name;
	size_t name_len; /* at most 255 */
	enum es_type type;
	/* BOOL_TRUE 1, BOOL_FALSE 0, BYTE, SHORT, INT, LONG, TIMESTAMP: the value */
	int64_t integer;
	/* BYTES, STRING: the value and its length (at most 65535); UUID: 16 bytes */
	const void *data;
	size_t len;
};

/* One message: its headers in wire order (no two share a name) and its payload. */
struct es_message {
	const struct es_header *headers;
	size_t nr_headers;
	const unsigned char *payload;
	size_t payload_len;
};

/*
 * Called once per complete message, in stream order.  Return 0 to go on, or
 * nonzero to stop: es_decoder_feed then returns that value.  It must not
 * feed or release the decoder that called it.
 */
typedef int (*es_message_fn)(const struct es_message *m, void *ud);

/* The decoder's state; the fields are private. */
struct es_decoder {
	struct strbuf partial; /* the message being assembled, when split */
	size_t total;	       /* its total length once its prelude is in, else 0 */
	struct es_header *headers;
	size_t headers_alloc;
	const struct es_header **sorted; /* for the duplicate check */
	size_t sorted_alloc;
	char *text; /* NUL-terminated copies of names and strings */
	size_t text_alloc;
	int state; /* ES_DECODER_* in eventstream.c */
};

void es_decoder_init(struct es_decoder *d);
/* Free everything the decoder holds; init makes it usable again. */
void es_decoder_release(struct es_decoder *d);

/*
 * Decode len bytes of the stream (len 0 is fine): call fn for every message
 * they complete, and keep the bytes of an unfinished message for the next
 * call.  The decoder keeps at most one message's bytes, and only those that
 * have arrived; when data holds whole messages they are decoded in place.
 *
 * Returns 0 when all of data was taken; the value fn returned when it
 * stopped (the rest of data is dropped, err is untouched); or -AWSX_ESERVICE
 * with "malformed event stream: <reason>" in err when the stream breaks the
 * format: a CRC mismatch, a length out of bounds, a header running past the
 * header block, an unknown header type or a duplicate header name.  After a
 * stop or an error the decoder takes no more input: later calls return
 * -AWSX_EFAIL.  Prelude faults are reported as soon as the 12 prelude bytes
 * are in, before the rest of the message is waited for.
 */
int es_decoder_feed(struct es_decoder *d, const void *data, size_t len, es_message_fn fn, void *ud,
		    struct aws_error *err);

/*
 * How many bytes of an unfinished message the decoder holds: nonzero at the
 * end of a stream means it was cut inside a message.
 */
size_t es_decoder_pending(const struct es_decoder *d);

/* The first header of m named name (exact, case-sensitive match), or NULL. */
const struct es_header *es_message_header(const struct es_message *m, const char *name);

/*
 * The value of m's string header name as a NUL-terminated string, or NULL
 * when there is no such header, it is not a string, or its value holds a
 * NUL byte.  Borrowed from the decoder: valid during the callback only.  For
 * messages built by hand, data must be NUL-terminated for this to be safe.
 * Typical names: ":message-type" ("event", "exception", "error"),
 * ":event-type", ":exception-type", ":error-code", ":error-message",
 * ":content-type".
 */
const char *es_message_string(const struct es_message *m, const char *name);

/*
 * A string header for es_encode, borrowing name and value (both
 * NUL-terminated).
 */
struct es_header es_header_string(const char *name, const char *value);

/*
 * Append one message with nr headers (in that order; only name, name_len,
 * type and the field the type uses are read) and payload to out.  Returns 0,
 * or -AWSX_EFAIL with the reason in err, leaving out as it was, when the
 * message cannot be encoded: a name over 255 bytes, a value over 65535 bytes
 * or out of its type's range, a uuid not 16 bytes long, an unknown type,
 * headers over ES_MAX_HEADERS or a message over ES_MAX_MESSAGE bytes, or
 * out->max reached.  Duplicate names are not checked.
 */
int es_encode(struct strbuf *out, const struct es_header *headers, size_t nr, const void *payload,
	      size_t payload_len, struct aws_error *err);

#endif
