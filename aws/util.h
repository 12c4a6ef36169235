/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h: the small toolkit every awsx module shares: allocation wrappers
 * that abort on failure, a growable string builder with an optional size cap,
 * an ordered list of name/value pairs, and the error object that module
 * functions fill instead of printing.  It is part of the public surface of
 * aws/ (aws/aws.h includes it).
 */
#ifndef AWSX_UTIL_H
#define AWSX_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- allocation: failure aborts, so callers never check for NULL ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A freshly allocated formatted string; caller frees. */
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Overwrite with zeros (OPENSSL_cleanse) and free; for secrets.  NULL is ok. */
void free_secret(char *s);

/* Grow an array: ensure alloc >= nr, doubling.  Like git's ALLOC_GROW. */
#define ALLOC_GROW(x, nr, alloc)                                             \
	do {                                                                 \
		if ((nr) > (alloc)) {                                        \
			(alloc) = (alloc) < 8 ? 8 : (alloc) * 2;             \
			if ((alloc) < (nr))                                  \
				(alloc) = (nr);                              \
			(x) = xrealloc((x), (alloc) * sizeof(*(x)));         \
		}                                                            \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- strbuf: never NULL, always NUL-terminated ---- */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max; /* 0: unlimited; else adds past max fail and set 'overflow' */
	int overflow;
};
extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the contents; the strbuf is reusable (empty) afterwards. */
void strbuf_release(struct strbuf *sb);
/* Wipe (OPENSSL_cleanse) then release; for buffers that held secrets. */
void strbuf_release_secret(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
/* The add functions return 0, or -1 (and set sb->overflow) past sb->max. */
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer over to the caller (who frees it); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_trim(struct strbuf *sb);
/* Lower-case hex of data. */
void strbuf_addhex(struct strbuf *sb, const unsigned char *data, size_t len);
/* Append code point cp (at most U+10FFFF; the caller checks it is a character) as UTF-8. */
void strbuf_add_utf8(struct strbuf *sb, uint32_t cp);
/* The value of hex digit c (either case), or -1 when c is not one (EOF included). */
int hex_digit(int c);
/* Decode exactly 2 * n hex digits (either case) of s into out; 0, or -1 when s is not that. */
int hex_decode(const char *s, unsigned char *out, size_t n);
/* Read a whole file; returns 0, or -1 with errno set. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);

/* ---- kvlist: ordered name/value pairs (headers, query parameters) ---- */
struct kv {
	char *name;
	char *value;
};
struct kvlist {
	struct kv *items;
	size_t nr, alloc;
};
#define KVLIST_INIT { NULL, 0, 0 }
/* Copies name and value. */
void kvlist_add(struct kvlist *l, const char *name, const char *value);
void kvlist_addn(struct kvlist *l, const char *name, const char *value,
		 size_t value_len);
/* Replace the first pair named name (case-insensitive) or add one. */
void kvlist_set(struct kvlist *l, const char *name, const char *value);
/* Case-insensitive lookup of the first pair with that name, or NULL. */
const char *kvlist_get(const struct kvlist *l, const char *name);
void kvlist_remove(struct kvlist *l, const char *name);
void kvlist_release(struct kvlist *l);

/* ---- errors ---- */

/*
 * Error kinds double as process exit codes (docs/exit-codes.md).  Module
 * functions return 0 or -kind and fill a struct aws_error.
 */
enum awsx_status {
	AWSX_OK = 0,
	AWSX_EFAIL = 1,    /* generic failure */
	AWSX_EUSAGE = 2,   /* bad command line */
	AWSX_ECONFIG = 3,  /* configuration or credentials */
	AWSX_ENET = 4,     /* network: connect, TLS, timeout, reset */
	AWSX_ESERVICE = 5, /* the AWS service answered with an error */
	AWSX_EINTR = 130,  /* interrupted */
};

struct aws_error {
	int kind;		/* enum awsx_status; 0 when no error */
	char service[32];	/* "sts" */
	char operation[64];	/* "GetCallerIdentity" */
	long http_status;	/* 0 when no HTTP answer */
	char code[128];		/* AWS error code, "ThrottlingException" */
	char message[1024];	/* human text, lower-case first for local errors */
	char request_id[128];
	int attempts;		/* how many attempts the call made */
};

void aws_error_clear(struct aws_error *err);
/* Set kind and message (printf-style); returns -kind for `return aws_error_set(...)`. */
int aws_error_set(struct aws_error *err, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * One line for the user, e.g.
 * "sts GetCallerIdentity failed: HTTP 403 SignatureDoesNotMatch: <msg> (request id X)"
 * or just the message for a local error.
 */
void aws_error_format(const struct aws_error *err, struct strbuf *out);

/* ---- line index: byte offsets in a text to lines and columns, for messages ---- */
struct line_index {
	const char *text; /* borrowed */
	size_t len;
	size_t *starts; /* the byte offset where each line starts */
	size_t nr, alloc;
};
void line_index_init(struct line_index *x, const char *text, size_t len);
void line_index_release(struct line_index *x);
/* The 1-based line and column (columns count UTF-8 characters) of byte offset off. */
void line_index_pos(const struct line_index *x, size_t off, unsigned *line, unsigned *col);

/* ---- small helpers ---- */
int str_starts_with(const char *s, const char *prefix);
int str_ends_with(const char *s, const char *suffix);
/* ISO 8601 "2024-01-02T03:04:05Z" (also with fraction or +00:00) to epoch; -1 on error. */
long long parse_iso8601(const char *s);
/* Format epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void format_iso8601(long long t, char *buf, size_t len);
/* A random (version 4) UUID, lower-case, into out (37 bytes with the NUL). */
void uuid4(char out[37]);
/* Monotonic milliseconds. */
long long now_ms_monotonic(void);

#endif
