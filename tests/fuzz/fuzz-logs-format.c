/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-logs-format.c: libFuzzer target for what `awsx logs` renders from
 * outside input (logs/format.c): log messages through logs_classify,
 * logs_format_event and logs_format_event_json, and X-Ray segment
 * documents through logs_format_trace and logs_format_trace_json.
 *
 * Input layout (missing bytes read as zero):
 *   0      flags: bit 0 utc, bit 2 trace (else event), bit 3 event without
 *          a source
 *   1      label width (mod 51)
 *   2..9   event timestamp / trace start (int64, little endian)
 *   10..17 event ingestion time / trace duration (the bits of a double)
 *   18     event source index / trace bits: error, fault, throttle
 *   19..22 trace HTTP status, 23..26 trace revision (int32)
 *   then three fields, each a length byte (0xff: NULL) and its bytes: the
 *   label (mapped onto the characters of logical ids and group names), the
 *   stream, the event or trace id; the rest is the message, or the trace's
 *   segments (parsed with cJSON: an array is the segment list, anything
 *   else one segment, nothing parsed an empty list).
 *
 * Every input is rendered with and without colour.  Checks: without colour
 * no control character but newline and tab reaches the output; the colour
 * rendering is the plain one plus SGR sequences; a text line is the time,
 * the padded label, the mark logs_classify gives and the message as the
 * header promises (trailing newline dropped, a complete JSON document
 * compacted, nothing else lost, continuation lines indented); the JSON
 * line parses back with the same fields (strings compared when valid
 * UTF-8); a trace's lines are its header and one indented line per
 * segment, never more, and every segment when none hangs under another by
 * parent_id; the trace JSON parses back with all its segments.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

#define HEADER		27
#define TRACE_MAX_NODES 1000 /* format.c's bounds on a trace tree */
#define TRACE_MAX_DEPTH 32

static const char label_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-#";
static const char mark_chars[] = {' ', '>', '<', '=', '!'};

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t read_le(const uint8_t *h, size_t off, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)h[off + i] << (8 * i);
	return v;
}

/* A length-prefixed field as a new string (NULL for length 0xff). */
static char *read_field(struct reader *r, int as_label)
{
	size_t len;
	char *s;

	if (!r->left)
		return calloc(1, 1);
	len = r->p[0];
	r->p++;
	r->left--;
	if (len == 0xff)
		return as_label ? calloc(1, 1) : NULL;
	if (as_label)
		len %= 48;
	if (len > r->left)
		len = r->left;
	s = malloc(len + 1);
	fuzz_assert(s != NULL);
	for (size_t i = 0; i < len; i++)
		s[i] = as_label ? label_chars[r->p[i] % (sizeof(label_chars) - 1)] : (char)r->p[i];
	s[len] = '\0';
	r->p += len;
	r->left -= len;
	return s;
}

static int utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		uint32_t cp;
		int n;
		if (*s < 0x80) {
			s++;
			continue;
		} else if ((*s & 0xe0) == 0xc0) {
			cp = *s & 0x1f;
			n = 1;
		} else if ((*s & 0xf0) == 0xe0) {
			cp = *s & 0x0f;
			n = 2;
		} else if ((*s & 0xf8) == 0xf0) {
			cp = *s & 0x07;
			n = 3;
		} else {
			return 0;
		}
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* Plain output: ends in a newline, no control character but newline and tab. */
static void check_plain(const struct strbuf *out)
{
	fuzz_assert(out->len > 0 && out->buf[out->len - 1] == '\n');
	fuzz_assert(strlen(out->buf) == out->len);
	for (size_t i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->buf[i];
		fuzz_assert((c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t');
	}
}

/* The colour rendering, its SGR sequences taken out, is the plain one. */
static void check_color(const struct strbuf *color, const struct strbuf *plain)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < color->len; i++) {
		if (color->buf[i] != '\033') {
			strbuf_addch(&sb, color->buf[i]);
			continue;
		}
		fuzz_assert(color->buf[i + 1] == '[');
		i += 2;
		while (color->buf[i] == ';' || (color->buf[i] >= '0' && color->buf[i] <= '9'))
			i++;
		fuzz_assert(color->buf[i] == 'm');
	}
	fuzz_assert(!strcmp(sb.buf, plain->buf));
	strbuf_release(&sb);
}

/* What add_text promises: control characters as \xNN, newlines continue under indent. */
static void expect_text(struct strbuf *sb, const char *s, size_t len, size_t indent)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			strbuf_addch(sb, '\n');
			for (size_t k = 0; k < indent; k++)
				strbuf_addch(sb, ' ');
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else {
			strbuf_addch(sb, (char)c);
		}
	}
}

/* Where the time ends: at the first space in UTC, the second in local time. */
static size_t time_end(const char *line, int utc)
{
	const char *sp = strchr(line, ' ');
	fuzz_assert(sp != NULL);
	if (!utc) {
		sp = strchr(sp + 1, ' ');
		fuzz_assert(sp != NULL);
	}
	return (size_t)(sp - line);
}

/*
 * The message as the header describes it: trailing newlines dropped; a
 * complete JSON object or array (the whole message, or what follows the
 * last tab) on one compact line after its prefix.
 */
static void expect_message(struct strbuf *sb, const char *msg, size_t indent)
{
	const char *tab = strrchr(msg, '\t');
	const char *p = tab ? tab + 1 : msg;
	size_t len = strlen(msg);
	cJSON *json = NULL;

	while (*p == ' ')
		p++;
	if (*p == '{' || *p == '[')
		json = cJSON_ParseWithOpts(p, NULL, 1);
	if (json && (cJSON_IsObject(json) || cJSON_IsArray(json))) {
		char *compact = cJSON_PrintUnformatted(json);
		expect_text(sb, msg, (size_t)(p - msg), indent);
		expect_text(sb, compact, strlen(compact), indent);
		cJSON_free(compact);
	} else {
		while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
			len--;
		expect_text(sb, msg, len, indent);
	}
	cJSON_Delete(json);
}

static void check_event_text(const struct strbuf *out, const struct logs_event *ev,
			     const struct logs_format *f, const char *label)
{
	size_t label_len = strlen(label);
	size_t w = (size_t)f->label_width > label_len ? (size_t)f->label_width : label_len;
	size_t i = time_end(out->buf, f->utc);
	size_t indent = (f->utc ? 24 : 23) + 1 + w + 3;
	enum logs_mark k = logs_classify(ev->message ? ev->message : "");
	struct strbuf want = STRBUF_INIT;

	check_plain(out);
	fuzz_assert(out->buf[i++] == ' ');
	fuzz_assert(!strncmp(out->buf + i, label, label_len));
	for (size_t n = label_len; n < w; n++)
		fuzz_assert(out->buf[i + n] == ' ');
	i += w;
	fuzz_assert(k >= LOGS_MARK_NONE && k <= LOGS_MARK_ERROR);
	fuzz_assert(out->buf[i] == ' ' && out->buf[i + 1] == mark_chars[k] &&
		    out->buf[i + 2] == ' ');
	i += 3;
	expect_message(&want, ev->message ? ev->message : "", indent);
	strbuf_addch(&want, '\n');
	fuzz_assert(!strcmp(out->buf + i, want.buf));
	strbuf_release(&want);
}

static void check_json_string(const cJSON *o, const char *name, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	fuzz_assert(cJSON_IsString(v));
	if (utf8_valid(want))
		fuzz_assert(!strcmp(v->valuestring, want ? want : ""));
}

static void check_event_json(const struct strbuf *out, const struct logs_event *ev)
{
	cJSON *o;

	fuzz_assert(out->len > 0 && out->buf[out->len - 1] == '\n');
	fuzz_assert(strchr(out->buf, '\n') == out->buf + out->len - 1);
	o = cJSON_ParseWithOpts(out->buf, NULL, 1);
	fuzz_assert(cJSON_IsObject(o));
	fuzz_assert(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "timestamp")) ==
		    (double)ev->timestamp);
	fuzz_assert(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "ingestionTime")) ==
		    (double)ev->ingestion_time);
	check_json_string(o, "logGroup", ev->src ? ev->src->group : "");
	check_json_string(o, "resource", ev->src ? ev->src->resource : "");
	check_json_string(o, "logStream", ev->stream);
	check_json_string(o, "eventId", ev->event_id);
	check_json_string(o, "message", ev->message);
	if (utf8_valid(ev->stream) && utf8_valid(ev->event_id) && utf8_valid(ev->message))
		fuzz_assert(utf8_valid(out->buf));
	cJSON_Delete(o);
}

static void fuzz_event(const uint8_t *h, struct reader *r, int utc, int width)
{
	char *label = read_field(r, 1);
	char *stream = read_field(r, 0);
	char *id = read_field(r, 0);
	char *message = malloc(r->left + 1);
	struct logs_source src = {label, (char *)"/aws/lambda/fuzz", NULL, LOGS_SRC_FUNCTION};
	struct logs_event ev;
	struct logs_format plain = {utc, 0, width}, color = {utc, 1, width};
	struct strbuf out = STRBUF_INIT, cout = STRBUF_INIT;

	fuzz_assert(message != NULL);
	memcpy(message, r->p, r->left);
	message[r->left] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.src = h[0] & 8 ? NULL : &src;
	ev.src_index = h[18];
	ev.timestamp = (long long)read_le(h, 2, 8);
	ev.ingestion_time = (long long)read_le(h, 10, 8);
	ev.stream = stream;
	ev.event_id = id;
	ev.message = message;

	logs_format_event(&out, &ev, &plain);
	check_event_text(&out, &ev, &plain, ev.src ? label : "");
	logs_format_event(&cout, &ev, &color);
	check_color(&cout, &out);

	strbuf_reset(&out);
	logs_format_event_json(&out, &ev);
	check_event_json(&out, &ev);

	strbuf_release(&out);
	strbuf_release(&cout);
	free(label);
	free(stream);
	free(id);
	free(message);
}

/* The nodes format.c's tree takes from one document (same bounds). */
static void count_nodes(const cJSON *doc, int depth, int *n)
{
	const cJSON *sub;
	if (*n >= TRACE_MAX_NODES || depth > TRACE_MAX_DEPTH || !cJSON_IsObject(doc))
		return;
	(*n)++;
	cJSON_ArrayForEach(sub, cJSON_GetObjectItemCaseSensitive(doc, "subsegments"))
	    count_nodes(sub, depth + 1, n);
}

static void check_trace_text(const struct strbuf *out, const struct logs_trace *t,
			     const struct logs_format *f)
{
	size_t w = f->label_width > 5 ? (size_t)f->label_width : 5;
	size_t i = time_end(out->buf, f->utc);
	size_t indent = (f->utc ? 24 : 23) + 1 + w + 3;
	int nodes = 0, linked = 0, lines = 0;
	const cJSON *doc;
	struct strbuf want = STRBUF_INIT;

	check_plain(out);
	cJSON_ArrayForEach(doc, t->segments)
	{
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "parent_id")))
			linked = 1;
		count_nodes(doc, 0, &nodes);
	}
	fuzz_assert(!strncmp(out->buf + i, " X-Ray", 6));
	i += 6;
	for (size_t n = 5; n < w; n++)
		fuzz_assert(out->buf[i++] == ' ');
	fuzz_assert(!strncmp(out->buf + i, " ~ trace ", 9));
	i += 9;
	/* the id stays on the header line: every control character escaped */
	for (const unsigned char *c = (const unsigned char *)t->id; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			strbuf_addf(&want, "\\x%02x", *c);
		else
			strbuf_addch(&want, (char)*c);
	}
	strbuf_adds(&want, "  ");
	fuzz_assert(!strncmp(out->buf + i, want.buf, want.len));
	strbuf_release(&want);

	/* the segment lines: each indented under the message, one per node */
	for (const char *nl = strchr(out->buf, '\n'); nl[1]; nl = strchr(nl + 1, '\n')) {
		lines++;
		for (size_t k = 0; k < indent; k++)
			fuzz_assert(nl[1 + k] == ' ');
	}
	fuzz_assert(lines <= nodes);
	if (!linked)
		fuzz_assert(lines == nodes);
}

static void check_trace_json(const struct strbuf *out, const struct logs_trace *t)
{
	cJSON *o, *tr;
	double start;

	fuzz_assert(out->len > 0 && out->buf[out->len - 1] == '\n');
	fuzz_assert(strchr(out->buf, '\n') == out->buf + out->len - 1);
	o = cJSON_ParseWithOpts(out->buf, NULL, 1);
	fuzz_assert(cJSON_IsObject(o));
	tr = cJSON_GetObjectItemCaseSensitive(o, "trace");
	fuzz_assert(cJSON_IsObject(tr));
	check_json_string(tr, "id", t->id);
	/* cJSON prints 15 significant digits when they read back close enough */
	start = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tr, "startTime"));
	if (t->start_ms > -1000000000000000LL && t->start_ms < 1000000000000000LL)
		fuzz_assert(start == (double)t->start_ms);
	else
		fuzz_assert(fabs(start - (double)t->start_ms) <= 1e-14 * fabs((double)t->start_ms));
	fuzz_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tr, "hasError")) ==
		    !!t->has_error);
	fuzz_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tr, "hasFault")) ==
		    !!t->has_fault);
	fuzz_assert(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tr, "segments")) ==
		    cJSON_GetArraySize(t->segments));
	cJSON_Delete(o);
}

static void fuzz_trace(const uint8_t *h, struct reader *r, int utc, int width)
{
	char *label = read_field(r, 1); /* unused: the label is "X-Ray" */
	char *stream = read_field(r, 0);
	char *id = read_field(r, 0);
	struct logs_trace t;
	struct logs_format plain = {utc, 0, width}, color = {utc, 1, width};
	struct strbuf out = STRBUF_INIT, cout = STRBUF_INIT;
	uint64_t bits = read_le(h, 10, 8);
	cJSON *parsed = cJSON_ParseWithLength((const char *)r->p, r->left);

	memset(&t, 0, sizeof(t));
	t.id = id ? id : calloc(1, 1); /* traces.c never makes a trace without an id */
	t.start_ms = (long long)read_le(h, 2, 8);
	memcpy(&t.duration, &bits, sizeof(t.duration));
	t.has_error = h[18] & 1;
	t.has_fault = !!(h[18] & 2);
	t.has_throttle = !!(h[18] & 4);
	t.http_status = (int)(int32_t)read_le(h, 19, 4);
	t.revision = (int)(int32_t)read_le(h, 23, 4);
	if (cJSON_IsArray(parsed)) {
		t.segments = parsed;
	} else {
		t.segments = cJSON_CreateArray();
		if (parsed)
			cJSON_AddItemToArray(t.segments, parsed);
	}

	logs_format_trace(&out, &t, &plain);
	check_trace_text(&out, &t, &plain);
	logs_format_trace(&cout, &t, &color);
	check_color(&cout, &out);

	strbuf_reset(&out);
	logs_format_trace_json(&out, &t);
	check_trace_json(&out, &t);

	strbuf_release(&out);
	strbuf_release(&cout);
	cJSON_Delete(t.segments);
	free(t.id);
	free(label);
	free(stream);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "America/New_York", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[HEADER] = {0};
	size_t n = size < HEADER ? size : HEADER;
	struct reader r = {data + n, size - n};

	memcpy(h, data, n);
	if (h[0] & 4)
		fuzz_trace(h, &r, h[0] & 1, h[1] % 51);
	else
		fuzz_event(h, &r, h[0] & 1, h[1] % 51);
	return 0;
}
