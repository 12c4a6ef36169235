/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.c: how `awsx logs` shows an event or a trace.  A text line is
 * the time, the resource's label (a colour per resource on a terminal), a
 * one-character mark (> START, < END, = REPORT, ! error) and the message:
 * its trailing newline dropped, its JSON (the whole message, or what
 * follows the runtime's tab-separated prefix) on one compact line, control
 * characters escaped so that a log line cannot drive the terminal, and
 * continuation lines indented under the message.  --output json gives one
 * object per line.  A trace is a header line and its segment tree.
 */
#include "logs/internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const colors[] = {"36", "32", "33", "35", "34", "96", "92", "93", "95", "94"};

/* ---- classifying a message ---- */

static int has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static enum logs_mark classify_json(const cJSON *o)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(o, "level");
	if (cJSON_IsString(type)) {
		const char *t = type->valuestring;
		if (!strcmp(t, "platform.start"))
			return LOGS_MARK_START;
		if (!strcmp(t, "platform.runtimeDone"))
			return LOGS_MARK_END;
		if (!strcmp(t, "platform.report"))
			return LOGS_MARK_REPORT;
		/* Step Functions: ExecutionFailed, TaskTimedOut, ExecutionAborted ... */
		if (str_ends_with(t, "Failed") || str_ends_with(t, "TimedOut") ||
		    str_ends_with(t, "Aborted"))
			return LOGS_MARK_ERROR;
	}
	if (cJSON_IsString(level) &&
	    (!strcmp(level->valuestring, "ERROR") || !strcmp(level->valuestring, "FATAL") ||
	     !strcmp(level->valuestring, "error") || !strcmp(level->valuestring, "fatal")))
		return LOGS_MARK_ERROR;
	if (cJSON_GetObjectItemCaseSensitive(o, "errorType") ||
	    cJSON_GetObjectItemCaseSensitive(o, "errorMessage"))
		return LOGS_MARK_ERROR;
	return LOGS_MARK_NONE;
}

/* Where a JSON document starts in message (all of it, or after the last tab), or NULL. */
static const char *json_part(const char *message)
{
	const char *tab = strrchr(message, '\t');
	const char *p = tab ? tab + 1 : message;
	while (*p == ' ')
		p++;
	return *p == '{' || *p == '[' ? p : NULL;
}

static cJSON *parse_json_part(const char *message, const char **where)
{
	const char *p = json_part(message);
	*where = p;
	if (!p)
		return NULL;
	/* all of it, or it is text: "[1] retrying" must not print as "[1]" */
	cJSON *j = cJSON_ParseWithOpts(p, NULL, 1);
	if (j && !cJSON_IsObject(j) && !cJSON_IsArray(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static enum logs_mark classify_with(const char *m, const cJSON *json)
{
	if (str_starts_with(m, "START RequestId:"))
		return LOGS_MARK_START;
	if (str_starts_with(m, "END RequestId:"))
		return LOGS_MARK_END;
	if (str_starts_with(m, "REPORT RequestId:"))
		return LOGS_MARK_REPORT;
	if (json) {
		enum logs_mark k = classify_json(json);
		if (k != LOGS_MARK_NONE)
			return k;
	}
	if (str_starts_with(m, "[ERROR]") || str_starts_with(m, "[FATAL]") ||
	    has(m, "\tERROR\t") || has(m, "\tFATAL\t") ||
	    has(m, "Traceback (most recent call last)") || has(m, "Task timed out after") ||
	    has(m, "Runtime exited with error") || has(m, "Execution failed due to"))
		return LOGS_MARK_ERROR;
	return LOGS_MARK_NONE;
}

enum logs_mark logs_classify(const char *message)
{
	const char *where;
	cJSON *json = parse_json_part(message, &where);
	enum logs_mark k = classify_with(message, json);
	cJSON_Delete(json);
	return k;
}

/* ---- text ---- */

static void add_time(struct strbuf *out, long long ms, int utc)
{
	/* one line after another is mostly the same second: format it once */
	static long long cached_secs = LLONG_MIN;
	static int cached_utc = -1;
	static char cached[32];
	/* floor division without ms - 999, which overflows for LLONG_MIN */
	long long secs = ms / 1000;
	int frac = (int)(ms % 1000);
	if (frac < 0) {
		secs--;
		frac += 1000;
	}
	if (secs != cached_secs || utc != cached_utc) {
		time_t t = (time_t)secs;
		struct tm tm;
		if (utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		if (!strftime(cached, sizeof(cached), utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
			      &tm))
			cached[0] = '\0';
		cached_secs = secs;
		cached_utc = utc;
	}
	char tail[8] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
			(char)('0' + frac % 10), 'Z', 0};
	if (!utc)
		tail[4] = 0;
	strbuf_adds(out, cached);
	strbuf_adds(out, tail);
}

/* Text with control characters escaped; newlines continue under indent. */
static void add_text(struct strbuf *out, const char *s, size_t len, size_t indent)
{
	size_t plain = 0; /* start of the run of bytes that go out as they are */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			continue;
		strbuf_add(out, s + plain, i - plain);
		plain = i + 1;
		if (c == '\n') {
			strbuf_addch(out, '\n');
			for (size_t k = 0; k < indent; k++)
				strbuf_addch(out, ' ');
		} else if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
			continue;
		} else {
			strbuf_addf(out, "\\x%02x", c);
		}
	}
	strbuf_add(out, s + plain, len - plain);
}

/*
 * A one-line field (a segment name, a trace id): newlines are escaped too,
 * so that a name cannot start a line of its own that looks like a log line.
 */
static void add_word(struct strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, (char)*p);
	}
}

static const char mark_chars[] = {' ', '>', '<', '=', '!'};

static const char *mark_color(enum logs_mark k)
{
	switch (k) {
	case LOGS_MARK_START:
	case LOGS_MARK_END:
		return "2"; /* dim */
	case LOGS_MARK_REPORT:
		return "1"; /* bold */
	case LOGS_MARK_ERROR:
		return "31"; /* red */
	default:
		return NULL;
	}
}

static void add_label(struct strbuf *out, const char *label, size_t color_index,
		      const struct logs_format *f)
{
	int width = f->label_width > 0 ? f->label_width : 0;
	if (f->color)
		strbuf_addf(out, "\033[%sm", colors[color_index % (sizeof(colors) / sizeof(*colors))]);
	strbuf_adds(out, label);
	if (f->color)
		strbuf_adds(out, "\033[0m");
	for (int n = (int)strlen(label); n < width; n++)
		strbuf_addch(out, ' ');
}

/* Columns before the message: time, space, label, space, mark, space. */
static size_t message_column(const struct logs_format *f, const char *label)
{
	size_t w = f->label_width > 0 ? (size_t)f->label_width : strlen(label);
	if (strlen(label) > w)
		w = strlen(label);
	return (f->utc ? 24 : 23) + 1 + w + 3;
}

void logs_format_event(struct strbuf *out, const struct logs_event *ev,
		       const struct logs_format *f)
{
	const char *msg = ev->message ? ev->message : "";
	const char *label = ev->src ? ev->src->resource : "";
	size_t len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	const char *where;
	cJSON *json = parse_json_part(msg, &where);
	enum logs_mark k = classify_with(msg, json);
	size_t indent = message_column(f, label);

	add_time(out, ev->timestamp, f->utc);
	strbuf_addch(out, ' ');
	add_label(out, label, ev->src_index, f);
	strbuf_addch(out, ' ');
	strbuf_addch(out, mark_chars[k]);
	strbuf_addch(out, ' ');
	const char *mc = f->color ? mark_color(k) : NULL;
	if (mc)
		strbuf_addf(out, "\033[%sm", mc);
	if (json) {
		char *compact = cJSON_PrintUnformatted(json);
		add_text(out, msg, (size_t)(where - msg), indent);
		add_text(out, compact, strlen(compact), indent);
		cJSON_free(compact);
	} else {
		add_text(out, msg, len, indent);
	}
	if (mc)
		strbuf_adds(out, "\033[0m");
	strbuf_addch(out, '\n');
	cJSON_Delete(json);
}

/* ---- JSON ---- */

static void add_json_string(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			strbuf_adds(out, "\\\"");
			break;
		case '\\':
			strbuf_adds(out, "\\\\");
			break;
		case '\n':
			strbuf_adds(out, "\\n");
			break;
		case '\r':
			strbuf_adds(out, "\\r");
			break;
		case '\t':
			strbuf_adds(out, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(out, "\\u%04x", *p);
			else
				strbuf_addch(out, (char)*p);
		}
	}
	strbuf_addch(out, '"');
}

void logs_format_event_json(struct strbuf *out, const struct logs_event *ev)
{
	strbuf_addf(out, "{\"timestamp\":%lld,\"ingestionTime\":%lld,\"logGroup\":", ev->timestamp,
		    ev->ingestion_time);
	add_json_string(out, ev->src ? ev->src->group : "");
	strbuf_adds(out, ",\"logStream\":");
	add_json_string(out, ev->stream);
	strbuf_adds(out, ",\"resource\":");
	add_json_string(out, ev->src ? ev->src->resource : "");
	strbuf_adds(out, ",\"eventId\":");
	add_json_string(out, ev->event_id);
	strbuf_adds(out, ",\"message\":");
	add_json_string(out, ev->message);
	strbuf_adds(out, "}\n");
}

/* ---- traces ---- */

#define TRACE_MAX_NODES 1000
#define TRACE_MAX_DEPTH 32

struct node {
	const cJSON *doc;
	int parent;
	double start;
};

struct tree {
	struct node *v;
	int nr, alloc;
};

static void collect(struct tree *t, const cJSON *doc, int parent, int depth)
{
	if (t->nr >= TRACE_MAX_NODES || depth > TRACE_MAX_DEPTH || !cJSON_IsObject(doc))
		return;
	ALLOC_GROW(t->v, t->nr + 1, t->alloc);
	int me = t->nr++;
	t->v[me].doc = doc;
	t->v[me].parent = parent;
	t->v[me].start = logs_jnum(doc, "start_time");
	const cJSON *sub;
	cJSON_ArrayForEach(sub, cJSON_GetObjectItemCaseSensitive(doc, "subsegments"))
		collect(t, sub, me, depth + 1);
}

static int http_status(const cJSON *doc)
{
	const cJSON *http = cJSON_GetObjectItemCaseSensitive(doc, "http");
	double status = logs_jnum(cJSON_GetObjectItemCaseSensitive(http, "response"), "status");
	/* converting a double out of int's range is undefined: 1e300 is no status */
	return status >= 1 && status < 1000 ? (int)status : 0;
}

static void add_flags(struct strbuf *out, int status, int error, int fault, int throttle)
{
	if (status)
		strbuf_addf(out, "  HTTP %d", status);
	if (error)
		strbuf_adds(out, "  error");
	if (fault)
		strbuf_adds(out, "  fault");
	if (throttle)
		strbuf_adds(out, "  throttle");
}

static int is_true(const cJSON *o, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static void print_node(struct strbuf *out, const struct tree *t, int i, int depth, size_t indent)
{
	const cJSON *d = t->v[i].doc;
	const char *name = logs_jstr(d, "name");
	double start = logs_jnum(d, "start_time"), end = logs_jnum(d, "end_time");
	for (size_t k = 0; k < indent + (size_t)depth * 2; k++)
		strbuf_addch(out, ' ');
	add_word(out, name ? name : "?");
	if (is_true(d, "in_progress") || end <= 0)
		strbuf_adds(out, "  (in progress)");
	else
		strbuf_addf(out, "  %.1f ms", (end - start) * 1000.0);
	add_flags(out, http_status(d), is_true(d, "error"), is_true(d, "fault"),
		  is_true(d, "throttle"));
	strbuf_addch(out, '\n');
	if (depth >= TRACE_MAX_DEPTH)
		return;
	/* children in start order (selection: traces are small) */
	double last = -INFINITY; /* not -1: a start_time below it would never print */
	int last_i = -1;
	for (;;) {
		int best = -1;
		for (int c = 0; c < t->nr; c++) {
			if (t->v[c].parent != i)
				continue;
			double s = t->v[c].start;
			if (s < last || (s == last && c <= last_i))
				continue;
			if (best < 0 || s < t->v[best].start || (s == t->v[best].start && c < best))
				best = c;
		}
		if (best < 0)
			break;
		print_node(out, t, best, depth + 1, indent);
		last = t->v[best].start;
		last_i = best;
	}
}

void logs_format_trace(struct strbuf *out, const struct logs_trace *tr, const struct logs_format *f)
{
	struct tree t = {NULL, 0, 0};
	const cJSON *doc;
	size_t indent = message_column(f, "X-Ray");

	add_time(out, tr->start_ms, f->utc);
	strbuf_addch(out, ' ');
	add_label(out, "X-Ray", 0, f);
	strbuf_adds(out, " ~ ");
	if (f->color)
		strbuf_adds(out, "\033[1m");
	strbuf_adds(out, "trace ");
	add_word(out, tr->id);
	strbuf_addf(out, "  %.1f ms", tr->duration * 1000.0);
	add_flags(out, tr->http_status, tr->has_error, tr->has_fault, tr->has_throttle);
	if (tr->revision > 0)
		strbuf_addf(out, "  (revision %d)", tr->revision);
	if (f->color)
		strbuf_adds(out, "\033[0m");
	strbuf_addch(out, '\n');

	cJSON_ArrayForEach(doc, tr->segments) collect(&t, doc, -1, 0);
	/* a segment whose parent is another segment's subsegment hangs under it */
	for (int i = 0; i < t.nr; i++) {
		const char *pid = t.v[i].parent < 0 ? logs_jstr(t.v[i].doc, "parent_id") : NULL;
		for (int j = 0; pid && j < t.nr; j++) {
			const char *id = logs_jstr(t.v[j].doc, "id");
			if (j != i && id && !strcmp(id, pid)) {
				/* refuse a cycle: j must not descend from i */
				int a = j, cycle = 0;
				for (int hops = 0; a >= 0 && hops <= t.nr; hops++, a = t.v[a].parent)
					if (a == i)
						cycle = 1;
				if (!cycle)
					t.v[i].parent = j;
				break;
			}
		}
	}
	/* roots in start order */
	double last = -INFINITY; /* not -1: a start_time below it would never print */
	int last_i = -1;
	for (;;) {
		int best = -1;
		for (int c = 0; c < t.nr; c++) {
			if (t.v[c].parent >= 0)
				continue;
			double s = t.v[c].start;
			if (s < last || (s == last && c <= last_i))
				continue;
			if (best < 0 || s < t.v[best].start || (s == t.v[best].start && c < best))
				best = c;
		}
		if (best < 0)
			break;
		print_node(out, &t, best, 0, indent);
		last = t.v[best].start;
		last_i = best;
	}
	free(t.v);
}

void logs_format_trace_json(struct strbuf *out, const struct logs_trace *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *tr = cJSON_AddObjectToObject(o, "trace");
	cJSON_AddStringToObject(tr, "id", t->id);
	cJSON_AddNumberToObject(tr, "startTime", (double)t->start_ms);
	cJSON_AddNumberToObject(tr, "duration", t->duration);
	if (t->http_status)
		cJSON_AddNumberToObject(tr, "httpStatus", t->http_status);
	cJSON_AddBoolToObject(tr, "hasError", t->has_error);
	cJSON_AddBoolToObject(tr, "hasFault", t->has_fault);
	cJSON_AddBoolToObject(tr, "hasThrottle", t->has_throttle);
	cJSON_AddNumberToObject(tr, "revision", t->revision);
	cJSON_AddItemToObject(tr, "segments", cJSON_Duplicate(t->segments, 1));
	char *s = cJSON_PrintUnformatted(o);
	strbuf_adds(out, s);
	strbuf_addch(out, '\n');
	cJSON_free(s);
	cJSON_Delete(o);
}
