/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c: allocation wrappers, strbuf, kvlist, the error object and time
 * helpers shared by every module.  See util.h for the contracts.
 */
#include "aws/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

char strbuf_empty[1];

static void die_oom(size_t n)
{
	fprintf(stderr, "awsx: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

void free_secret(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* ---- strbuf ---- */

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = sb->max = 0;
	sb->overflow = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	sb->overflow = 0;
}

void strbuf_release_secret(struct strbuf *sb)
{
	if (sb->alloc)
		OPENSSL_cleanse(sb->buf, sb->alloc);
	strbuf_release(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
	sb->overflow = 0;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	if (!sb->alloc)
		sb->buf = NULL;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	sb->buf = xrealloc(sb->buf, n);
	if (!sb->alloc)
		sb->buf[0] = '\0';
	sb->alloc = n;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc)
		return; /* empty sentinel stays "" */
	sb->len = len;
	sb->buf[len] = '\0';
}

int strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (sb->max && sb->len + len > sb->max) {
		sb->overflow = 1;
		return -1;
	}
	if (!len)
		return 0;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_adds(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;
	return strbuf_add(sb, &ch, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256];
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return strbuf_add(sb, small, (size_t)n);
	char *big = xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	int rc = strbuf_add(sb, big, (size_t)n);
	free(big);
	return rc;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *r;
	if (len)
		*len = sb->len;
	if (!sb->alloc)
		r = xstrdup("");
	else
		r = sb->buf;
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	sb->overflow = 0;
	return r;
}

void strbuf_trim(struct strbuf *sb)
{
	size_t start = 0, end = sb->len;
	while (end > 0 && isspace((unsigned char)sb->buf[end - 1]))
		end--;
	while (start < end && isspace((unsigned char)sb->buf[start]))
		start++;
	if (!sb->alloc)
		return;
	memmove(sb->buf, sb->buf + start, end - start);
	strbuf_setlen(sb, end - start);
}

void strbuf_addhex(struct strbuf *sb, const unsigned char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_grow(sb, len * 2);
	for (size_t i = 0; i < len; i++) {
		char two[2] = { hex[data[i] >> 4], hex[data[i] & 15] };
		strbuf_add(sb, two, 2);
	}
}

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void strbuf_add_utf8(struct strbuf *sb, uint32_t cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | cp >> 6));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | cp >> 12));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | cp >> 18));
		strbuf_addch(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

int hex_decode(const char *s, unsigned char *out, size_t n)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return s[2 * n] ? -1 : 0;
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		if (max && sb->len + (size_t)n > max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	return 0;
}

/* ---- kvlist ---- */

void kvlist_addn(struct kvlist *l, const char *name, const char *value,
		 size_t value_len)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr].name = xstrdup(name);
	l->items[l->nr].value = xstrndup(value, value_len);
	l->nr++;
}

void kvlist_add(struct kvlist *l, const char *name, const char *value)
{
	kvlist_addn(l, name, value, strlen(value));
}

void kvlist_set(struct kvlist *l, const char *name, const char *value)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcasecmp(l->items[i].name, name)) {
			free(l->items[i].value);
			l->items[i].value = xstrdup(value);
			return;
		}
	}
	kvlist_add(l, name, value);
}

const char *kvlist_get(const struct kvlist *l, const char *name)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcasecmp(l->items[i].name, name))
			return l->items[i].value;
	return NULL;
}

void kvlist_remove(struct kvlist *l, const char *name)
{
	size_t j = 0;
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcasecmp(l->items[i].name, name)) {
			free(l->items[i].name);
			free_secret(l->items[i].value);
			continue;
		}
		l->items[j++] = l->items[i];
	}
	l->nr = j;
}

void kvlist_release(struct kvlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].name);
		free_secret(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

/* ---- errors ---- */

void aws_error_clear(struct aws_error *err)
{
	memset(err, 0, sizeof(*err));
}

int aws_error_set(struct aws_error *err, int kind, const char *fmt, ...)
{
	va_list ap;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -kind;
}

void aws_error_format(const struct aws_error *err, struct strbuf *out)
{
	if (!err->http_status && !err->code[0]) {
		if (err->service[0])
			strbuf_addf(out, "%s %s failed: ", err->service,
				    err->operation);
		strbuf_adds(out, err->message[0] ? err->message
						 : "unknown error");
		if (err->attempts > 1)
			strbuf_addf(out, " (after %d attempts)", err->attempts);
		return;
	}
	strbuf_addf(out, "%s %s failed: HTTP %ld", err->service,
		    err->operation, err->http_status);
	if (err->code[0])
		strbuf_addf(out, " %s", err->code);
	if (err->message[0])
		strbuf_addf(out, ": %s", err->message);
	if (err->request_id[0])
		strbuf_addf(out, " (request id %s)", err->request_id);
	if (err->attempts > 1)
		strbuf_addf(out, " after %d attempts", err->attempts);
}

/* ---- helpers ---- */

void line_index_init(struct line_index *x, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	memset(x, 0, sizeof(*x));
	x->text = text;
	x->len = len;
	ALLOC_GROW(x->starts, 1, x->alloc);
	x->starts[x->nr++] = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		p++;
		ALLOC_GROW(x->starts, x->nr + 1, x->alloc);
		x->starts[x->nr++] = (size_t)(p - text);
	}
}

void line_index_release(struct line_index *x)
{
	free(x->starts);
	memset(x, 0, sizeof(*x));
}

void line_index_pos(const struct line_index *x, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = x->nr;

	if (off > x->len)
		off = x->len;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (unsigned)lo + 1;
	*col = 1;
	for (size_t i = x->starts[lo]; i < off; i++)
		if (((unsigned char)x->text[i] & 0xc0) != 0x80)
			(*col)++;
}

int str_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !memcmp(s + a - b, suffix, b);
}

long long parse_iso8601(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	const char *p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else if (*p) {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) - off;
}

void format_iso8601(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long long now_ms_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void uuid4(char out[37])
{
	unsigned char b[16];
	for (int i = 0; i < 16; i += 4) {
		uint32_t r = arc4random();
		memcpy(b + i, &r, 4);
	}
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}
