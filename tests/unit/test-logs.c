/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-logs.c: the pure parts of logs/: the seen set, the reorder buffer,
 * log-group ARNs, message classification and the text and JSON lines.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "logs/internal.h"
#include "tests/unit/check.h"

static void test_seen_basic(void)
{
	struct logs_seen s;
	logs_seen_init(&s, 0);
	CHECK_INT(logs_seen_add(&s, 0, "e1", 1000), 1);
	CHECK_INT(logs_seen_add(&s, 0, "e1", 1000), 0);
	CHECK_INT(logs_seen_add(&s, 1, "e1", 1000), 1); /* another group */
	CHECK_INT(logs_seen_add(&s, 0, "e2", 2000), 1);
	/* many entries: the table grows and still answers */
	char id[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "x%d", i);
		CHECK_INT(logs_seen_add(&s, 2, id, 10000 + i), 1);
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(id, sizeof(id), "x%d", i);
		CHECK_INT(logs_seen_add(&s, 2, id, 10000 + i), 0);
	}
	CHECK_INT(s.nr, 5003);
	logs_seen_release(&s);
}

static void test_seen_prune(void)
{
	struct logs_seen s;
	logs_seen_init(&s, 0);
	logs_seen_add(&s, 0, "old", 100);
	logs_seen_add(&s, 0, "new", 200);
	logs_seen_add(&s, 1, "other", 50);
	logs_seen_prune(&s, 0, 150);
	CHECK_INT(s.nr, 2);
	CHECK_INT(logs_seen_add(&s, 0, "new", 200), 0);
	CHECK_INT(logs_seen_add(&s, 1, "other", 50), 0); /* group 1 untouched */
	CHECK_INT(logs_seen_add(&s, 0, "old", 100), 1);	 /* forgotten: new again */

	long long before[2] = {1000, 60};
	logs_seen_prune_all(&s, before, 2);
	CHECK_INT(s.nr, 0);
	/* groups past nr are kept */
	logs_seen_add(&s, 5, "kept", 1);
	logs_seen_prune_all(&s, before, 2);
	CHECK_INT(s.nr, 1);
	logs_seen_release(&s);
}

static void test_seen_bounded(void)
{
	struct logs_seen s;
	char id[32];
	logs_seen_init(&s, 100);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%d", i);
		logs_seen_add(&s, 0, id, i);
		CHECK(s.nr <= 100);
	}
	/* the newest are the ones kept */
	CHECK_INT(logs_seen_add(&s, 0, "999", 999), 0);
	CHECK_INT(logs_seen_add(&s, 0, "0", 0), 1);
	logs_seen_release(&s);
}

/* ---- merge ---- */

struct collected {
	char got[64][16];
	int n;
	int stop_at;
};

static int collect(const struct logs_item *item, void *ud)
{
	struct collected *c = ud;
	if (c->n < 64)
		snprintf(c->got[c->n], sizeof(c->got[0]), "%s",
			 item->event ? item->event->message : item->trace->id);
	c->n++;
	return c->stop_at && c->n >= c->stop_at ? 7 : 0;
}

static void add(struct logs_merge *m, long long ts, const char *msg, long long arrival)
{
	struct logs_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.timestamp = ts;
	ev.message = xstrdup(msg);
	ev.event_id = xstrdup(msg);
	logs_merge_add_event(m, &ev, arrival);
	CHECK(ev.message == NULL); /* moved */
}

static void test_merge_order_and_hold(void)
{
	struct logs_merge m;
	struct collected c;
	memset(&c, 0, sizeof(c));
	logs_merge_init(&m);
	add(&m, 300, "c", 1000);
	add(&m, 100, "a", 1000);
	add(&m, 200, "b", 1100);
	add(&m, 200, "b2", 1100); /* same time: arrival order */
	/* nothing has been held 500 ms yet */
	CHECK_INT(logs_merge_flush(&m, 1400, 500, LLONG_MIN, 0, collect, &c), 0);
	CHECK_INT(c.n, 0);
	/* "a" may go; then "b" has not waited long enough: it stops there */
	CHECK_INT(logs_merge_flush(&m, 1500, 500, LLONG_MIN, 0, collect, &c), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.got[0], "a");
	CHECK_INT(logs_merge_flush(&m, 1600, 500, LLONG_MIN, 0, collect, &c), 0);
	CHECK_INT(c.n, 4);
	CHECK_STR(c.got[1], "b");
	CHECK_STR(c.got[2], "b2");
	CHECK_STR(c.got[3], "c");
	CHECK_INT(logs_merge_size(&m), 0);
	logs_merge_release(&m);
}

static void test_merge_watermark_and_stop(void)
{
	struct logs_merge m;
	struct collected c;
	memset(&c, 0, sizeof(c));
	logs_merge_init(&m);
	for (int i = 9; i >= 0; i--) {
		char msg[8];
		snprintf(msg, sizeof(msg), "m%d", i);
		add(&m, i * 10, msg, 0);
	}
	CHECK_INT(logs_merge_flush(&m, 0, LLONG_MAX / 4, 35, 0, collect, &c), 0);
	CHECK_INT(c.n, 4); /* 0, 10, 20, 30 */
	CHECK_STR(c.got[3], "m3");
	c.stop_at = 6;
	CHECK_INT(logs_merge_flush(&m, 0, 0, LLONG_MIN, 1, collect, &c), 7);
	CHECK_INT(logs_merge_size(&m), 4);
	logs_merge_release(&m); /* frees what is left */
}

static int in_order(const struct logs_item *item, void *ud)
{
	long long *last = ud;
	CHECK(item->timestamp >= *last);
	*last = item->timestamp;
	return 0;
}

static void test_merge_many(void)
{
	struct logs_merge m;
	long long last = -1;
	logs_merge_init(&m);
	srand(7);
	for (int i = 0; i < 2000; i++)
		add(&m, rand() % 500, "x", 0);
	/* a watermark rising in steps lets them out in order */
	for (long long w = 0; w < 520; w += 13)
		logs_merge_flush(&m, 0, LLONG_MAX / 4, w, 0, in_order, &last);
	CHECK_INT(logs_merge_size(&m), 0);
	CHECK_INT(last, 499);
	logs_merge_release(&m);
}

/*
 * Holds at the ends of the range (found by fuzz-logs-seen): arrival + hold
 * overflowed, and wrapped around to let everything out at once.
 */
static void test_merge_hold_extremes(void)
{
	struct logs_merge m;
	struct collected c;
	memset(&c, 0, sizeof(c));
	logs_merge_init(&m);
	add(&m, 10, "a", 5);
	add(&m, 20, "b", -1000);
	add(&m, 30, "c", -10);
	CHECK_INT(logs_merge_flush(&m, LLONG_MAX, LLONG_MAX, LLONG_MIN, 0, collect, &c), 0);
	CHECK_INT(c.n, 0); /* a hold of LLONG_MAX: never */
	CHECK_INT(logs_merge_flush(&m, 0, LLONG_MAX, 10, 0, collect, &c), 0);
	CHECK_INT(c.n, 1); /* the watermark still lets "a" out */
	CHECK_STR(c.got[0], "a");
	CHECK_INT(logs_merge_flush(&m, LLONG_MIN, LLONG_MIN, LLONG_MIN, 0, collect, &c), 0);
	CHECK_INT(c.n, 3); /* a hold of LLONG_MIN: at once */
	CHECK_STR(c.got[2], "c");
	logs_merge_release(&m);
}

/* ---- the parse arena ---- */

static void test_arena(void)
{
	struct logs_arena a;
	logs_arena_init(&a);
	for (int round = 0; round < 3; round++) {
		const char *text = "{\"events\":[{\"eventId\":\"1\",\"message\":\"hi\",\"timestamp\":5}],"
				   "\"nextToken\":\"t\"}";
		cJSON *j = logs_arena_parse(&a, text, strlen(text));
		CHECK(cJSON_IsObject(j));
		cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "events"), 0);
		CHECK_STR(cJSON_GetObjectItem(ev, "message")->valuestring, "hi");
		CHECK_INT(cJSON_GetObjectItem(ev, "timestamp")->valuedouble, 5);
		/* outside the parse, cJSON allocates with malloc again */
		cJSON *own = cJSON_CreateString("mine");
		cJSON_Delete(own);
		logs_arena_reset(&a);
	}
	/* a string larger than a block gets a block of its own */
	size_t n = (3u << 20) + 10;
	char *big = xmalloc(n + 3);
	big[0] = '"';
	memset(big + 1, 'x', n);
	big[n + 1] = '"';
	big[n + 2] = 0;
	cJSON *j = logs_arena_parse(&a, big, n + 2);
	CHECK(cJSON_IsString(j) && strlen(j->valuestring) == n);
	CHECK(logs_arena_parse(&a, "{bad", 4) == NULL);
	free(big);
	logs_arena_reset(&a);
	logs_arena_release(&a);
}

/* ---- ARNs ---- */

static void test_group_from_arn(void)
{
	char *region = NULL;
	char *g = logs_group_from_arn("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/x:*", &region);
	CHECK_STR(g, "/aws/x");
	CHECK_STR(region, "eu-west-1");
	free(g);
	free(region);
	g = logs_group_from_arn("arn:aws-cn:logs:cn-north-1:1:log-group:a:b", NULL);
	CHECK_STR(g, "a:b");
	free(g);
	CHECK(logs_group_from_arn("arn:aws:s3:::bucket", NULL) == NULL);
	CHECK(logs_group_from_arn("arn:aws:logs:us-east-1:1:destination:x", NULL) == NULL);
	CHECK(logs_group_from_arn("arn:aws:logs:us-east-1:1:log-group::*", NULL) == NULL);
	CHECK(logs_group_from_arn("arn:aws:logs", NULL) == NULL);
	CHECK(logs_group_from_arn("", NULL) == NULL);
	CHECK(logs_group_from_arn(NULL, NULL) == NULL);
}

/* ---- classification and lines ---- */

static void test_classify(void)
{
	CHECK_INT(logs_classify("START RequestId: 1 Version: $LATEST\n"), LOGS_MARK_START);
	CHECK_INT(logs_classify("END RequestId: 1\n"), LOGS_MARK_END);
	CHECK_INT(logs_classify("REPORT RequestId: 1\tDuration: 2 ms"), LOGS_MARK_REPORT);
	CHECK_INT(logs_classify("[ERROR]\t2026-01-01T00:00:00Z\tid\tboom"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("2026-01-01T00:00:00Z\tid\tERROR\tboom"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("Traceback (most recent call last):\n  File"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("2026 id Task timed out after 3.00 seconds"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("{\"type\":\"platform.start\",\"record\":{}}"), LOGS_MARK_START);
	CHECK_INT(logs_classify("{\"type\":\"platform.report\"}"), LOGS_MARK_REPORT);
	CHECK_INT(logs_classify("{\"type\":\"platform.runtimeDone\"}"), LOGS_MARK_END);
	CHECK_INT(logs_classify("{\"level\":\"ERROR\",\"message\":\"x\"}"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("{\"type\":\"ExecutionFailed\"}"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("{\"errorType\":\"KeyError\"}"), LOGS_MARK_ERROR);
	CHECK_INT(logs_classify("all is well"), LOGS_MARK_NONE);
	CHECK_INT(logs_classify("{not json"), LOGS_MARK_NONE);
	CHECK_INT(logs_classify(""), LOGS_MARK_NONE);
}

static struct logs_source src = {(char *)"Fn", (char *)"/aws/lambda/fn", NULL, LOGS_SRC_FUNCTION};

static void line(const char *msg, long long ts, int color, struct strbuf *out)
{
	struct logs_event ev = {&src, 0, ts, ts + 5, (char *)"stream", (char *)"42", (char *)msg};
	struct logs_format f = {1, color, 4};
	strbuf_reset(out);
	logs_format_event(out, &ev, &f);
}

static void test_format_text(void)
{
	struct strbuf out = STRBUF_INIT;
	line("hello\n", 1796638181076LL, 0, &out);
	CHECK_STR(out.buf, "2026-12-07T10:09:41.076Z Fn     hello\n");
	line("START RequestId: 1\n", 0, 0, &out);
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn   > START RequestId: 1\n");
	/* before 1970: the milliseconds stay positive */
	line("x", -1, 0, &out);
	CHECK_STR(out.buf, "1969-12-31T23:59:59.999Z Fn     x\n");
	/* JSON folded to one compact line, after the runtime's prefix too */
	line("{\n  \"a\": 1,\n  \"b\": [true, null]\n}\n", 0, 0, &out);
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn     {\"a\":1,\"b\":[true,null]}\n");
	line("ts\tid\tINFO\t{ \"k\" : \"v\" }", 0, 0, &out);
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn     ts\tid\tINFO\t{\"k\":\"v\"}\n");
	/* JSON only when it is the whole rest (found by fuzz-logs-format): no text is dropped */
	line("[1] retrying in 5 s", 0, 0, &out);
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn     [1] retrying in 5 s\n");
	line("ts\tid\tINFO\t{\"a\":1} and then the rest\n", 0, 0, &out);
	CHECK_STR(out.buf,
		  "1970-01-01T00:00:00.000Z Fn     ts\tid\tINFO\t{\"a\":1} and then the rest\n");
	line("[ 1, 2 ]  \r\n", 0, 0, &out); /* white space after it is no text */
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn     [1,2]\n");
	/* the earliest time there is: no overflow computing the milliseconds */
	line("x", LLONG_MIN, 0, &out);
	CHECK(strstr(out.buf, ".192Z Fn     x\n") != NULL);
	/* control characters cannot reach the terminal; lines continue under the message */
	line("a\x1b[2Jb\r\nsecond\x07", 0, 0, &out);
	CHECK_STR(out.buf, "1970-01-01T00:00:00.000Z Fn     a\\x1b[2Jb\n"
			   "                                second\\x07\n");
	/* colour: label and error mark */
	line("[ERROR] bad", 0, 1, &out);
	CHECK_STR(out.buf,
		  "1970-01-01T00:00:00.000Z \033[36mFn\033[0m   ! \033[31m[ERROR] bad\033[0m\n");
	strbuf_release(&out);
}

static void test_format_json(void)
{
	struct strbuf out = STRBUF_INIT;
	struct logs_event ev = {&src, 0, 10, 15, (char *)"s/1", (char *)"42",
				(char *)"q\"b\\s\n\t\x01\x7f\xc3\xa9"};
	logs_format_event_json(&out, &ev);
	CHECK_STR(out.buf, "{\"timestamp\":10,\"ingestionTime\":15,\"logGroup\":\"/aws/lambda/fn\","
			   "\"logStream\":\"s/1\",\"resource\":\"Fn\",\"eventId\":\"42\","
			   "\"message\":\"q\\\"b\\\\s\\n\\t\\u0001\\u007f\xc3\xa9\"}\n");
	cJSON *back = cJSON_Parse(out.buf);
	CHECK(back != NULL);
	CHECK_STR(cJSON_GetObjectItem(back, "message")->valuestring, ev.message);
	cJSON_Delete(back);
	strbuf_release(&out);
}

static void test_format_trace(void)
{
	struct strbuf out = STRBUF_INIT;
	struct logs_format f = {1, 0, 5};
	struct logs_trace t;
	memset(&t, 0, sizeof(t));
	t.id = (char *)"1-abc-def";
	t.start_ms = 1000;
	t.duration = 0.25;
	t.http_status = 502;
	t.has_fault = 1;
	t.revision = 2;
	t.segments = cJSON_Parse(
	    "[{\"id\":\"f1\",\"name\":\"fn\",\"start_time\":1.05,\"end_time\":1.2,"
	    "\"parent_id\":\"s2\",\"fault\":true},"
	    "{\"id\":\"a1\",\"name\":\"api\",\"start_time\":1.0,\"end_time\":1.25,"
	    "\"http\":{\"response\":{\"status\":502}},"
	    "\"subsegments\":[{\"id\":\"s2\",\"name\":\"Lambda\",\"start_time\":1.01,"
	    "\"end_time\":1.22}]},"
	    "{\"id\":\"c1\",\"name\":\"loop\",\"start_time\":2,\"parent_id\":\"c1\","
	    "\"in_progress\":true}]");
	logs_format_trace(&out, &t, &f);
	CHECK_STR(out.buf, "1970-01-01T00:00:01.000Z X-Ray ~ trace 1-abc-def  250.0 ms  HTTP 502"
			   "  fault  (revision 2)\n"
			   "                                 api  250.0 ms  HTTP 502\n"
			   "                                   Lambda  210.0 ms\n"
			   "                                     fn  150.0 ms  fault\n"
			   "                                 loop  (in progress)\n");
	strbuf_reset(&out);
	logs_format_trace_json(&out, &t);
	cJSON *j = cJSON_Parse(out.buf);
	CHECK(j != NULL);
	cJSON *tr = cJSON_GetObjectItem(j, "trace");
	CHECK_STR(cJSON_GetObjectItem(tr, "id")->valuestring, "1-abc-def");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(tr, "segments")), 3);
	cJSON_Delete(j);
	cJSON_Delete(t.segments);

	/*
	 * Found by fuzz-logs-format: a newline in a name or id is escaped (it
	 * began a line of its own, which could pass for a log line); a segment
	 * starting before -1 s is printed; a status out of int's range is none.
	 */
	t.id = (char *)"1-a\nb";
	t.http_status = 0;
	t.has_fault = 0;
	t.revision = 0;
	t.segments = cJSON_Parse(
	    "[{\"name\":\"x\\n1970-01-01T00:00:00.000Z Fn     forged\",\"start_time\":1,"
	    "\"end_time\":2},"
	    "{\"name\":\"early\",\"start_time\":-5,\"end_time\":0.5,"
	    "\"http\":{\"response\":{\"status\":1e300}}}]");
	strbuf_reset(&out);
	logs_format_trace(&out, &t, &f);
	CHECK_STR(out.buf, "1970-01-01T00:00:01.000Z X-Ray ~ trace 1-a\\x0ab  250.0 ms\n"
			   "                                 early  5500.0 ms\n"
			   "                                 x\\x0a1970-01-01T00:00:00.000Z Fn     "
			   "forged  1000.0 ms\n");
	cJSON_Delete(t.segments);
	strbuf_release(&out);
}

int main(void)
{
	RUN(test_seen_basic);
	RUN(test_seen_prune);
	RUN(test_seen_bounded);
	RUN(test_merge_order_and_hold);
	RUN(test_merge_watermark_and_stop);
	RUN(test_merge_many);
	RUN(test_merge_hold_extremes);
	RUN(test_arena);
	RUN(test_group_from_arn);
	RUN(test_classify);
	RUN(test_format_text);
	RUN(test_format_json);
	RUN(test_format_trace);
	return check_done();
}
