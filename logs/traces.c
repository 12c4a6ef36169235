/* SPDX-License-Identifier: Apache-2.0 */
/*
 * traces.c: X-Ray traces for `awsx logs --include-traces`, on the same
 * batch as the log pollers.  GetTraceSummaries (times in epoch seconds,
 * windows cut to at most six hours) finds the traces of the window;
 * partial ones (a segment still in progress) are left for a later poll;
 * a trace is fetched again when its revision grows.  BatchGetTraces takes
 * the ids five at a time.  While tailing, each poll re-reads the late
 * window by update time, like the log pollers.  ThrottledException slows
 * the polls down, and successes bring them back.
 */
#include "logs/internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aws/retry.h"

#define TRACE_WINDOW_MS (6LL * 3600 * 1000) /* one GetTraceSummaries call's range */
#define TRACE_POLL_MS 2000		    /* tail: how often summaries are asked */
#define TRACE_BATCH 5			    /* BatchGetTraces ids per call */
#define TRACE_MAX_BACKOFF_MS 30000

struct fetch {
	struct logs_traces *t;
	struct aws_call call;
	cJSON *summaries; /* the summaries of the ids asked, by position */
	char *token;
	int failures; /* in a row */
	struct fetch *next;
};

struct logs_traces {
	struct logs_runner *r;
	size_t seen_group; /* the seen set's group index for traces */
	struct aws_call call;
	long long w_start, w_end; /* the window being read */
	long long range_end;	  /* range: where reading ends */
	long long next_start;	  /* tail: where the next poll starts */
	long long poll_wall;
	char *token;
	int backoff;		  /* throttled or failed summary polls in a row */
	int noted_throttle;
	int reading;		  /* summaries or traces still being read */
	int fetches;		  /* BatchGetTraces calls under way */
	struct fetch *fetch_list;
};

static void on_summaries(struct aws_call *call, struct aws_response *resp,
			 const struct aws_error *err, int rc, void *ud);

/* A fresh X-Ray call (the previous one released); every attempt goes through the budget. */
static cJSON *xray_call(struct aws_call *call, const char *op, const char *path)
{
	aws_call_release(call);
	aws_call_init(call, op);
	call->flags = AWS_CALL_NO_RETRY;
	call->method = "POST";
	call->path = xstrdup(path);
	return call->json = cJSON_CreateObject();
}

/* Ask for the summaries of [w_start, w_end) (the page after token, if any). */
static void ask_summaries(struct logs_traces *t, long delay_ms)
{
	cJSON *in = xray_call(&t->call, "GetTraceSummaries", "/TraceSummaries");
	cJSON_AddNumberToObject(in, "StartTime", (double)t->w_start / 1000.0);
	cJSON_AddNumberToObject(in, "EndTime", (double)t->w_end / 1000.0);
	/* while tailing, by update time: a trace that grows comes back */
	if (t->r->o->tail)
		cJSON_AddStringToObject(in, "TimeRangeType", "Event");
	if (t->token)
		cJSON_AddStringToObject(in, "NextToken", t->token);
	t->reading = 1;
	aws_batch_add_after(t->r->batch, &aws_svc_xray, &t->call, on_summaries, t, delay_ms);
}

/* The next window: the range's next six hours, or (tail) the late window up to now. */
static void next_window(struct logs_traces *t, long delay_ms)
{
	const struct logs_run_options *o = t->r->o;
	free(t->token);
	t->token = NULL;
	if (o->tail) {
		long long now = logs_wall_ms() + delay_ms;
		t->w_start = t->next_start;
		if (now - t->w_start > TRACE_WINDOW_MS)
			t->w_start = now - TRACE_WINDOW_MS;
		t->w_end = now;
		t->poll_wall = now;
	} else {
		t->w_start = t->w_end;
		if (t->w_start >= t->range_end) {
			t->reading = 0;
			if (!t->fetches)
				logs_runner_flush(t->r);
			return;
		}
		t->w_end = t->w_start + TRACE_WINDOW_MS < t->range_end ? t->w_start + TRACE_WINDOW_MS
								 : t->range_end;
	}
	ask_summaries(t, delay_ms);
}

static long backoff_ms(int failures)
{
	long d = TRACE_POLL_MS << (failures < 4 ? failures : 4);
	d = d > TRACE_MAX_BACKOFF_MS ? TRACE_MAX_BACKOFF_MS : d;
	return d / 2 + (long)(arc4random() % (uint32_t)(d / 2 + 1)); /* jitter */
}

/*
 * A failed X-Ray call, *failures its own count of failures in a row: 1
 * when it is tried again (throttling, network), 0 when the run ended.
 */
static int failed(struct logs_traces *t, int *failures, const struct aws_error *err, int rc)
{
	struct logs_runner *r = t->r;
	enum retry_class cls = retry_classify(err->http_status, err->code, rc == -AWSX_ENET);
	if (cls == RETRY_NO || (!r->o->tail && *failures >= 6)) {
		logs_runner_stop(r, rc, err);
		return 0;
	}
	if ((*failures)++ == 0 && cls == RETRY_THROTTLE && !t->noted_throttle) {
		t->noted_throttle = 1;
		logs_runner_note(r, "X-Ray is throttled (%s): slowing down", err->code);
	}
	return 1;
}

static void fetch_traces(struct logs_traces *t, cJSON *ids_summaries);

static void on_summaries(struct aws_call *call, struct aws_response *resp,
			 const struct aws_error *err, int rc, void *ud)
{
	struct logs_traces *t = ud;
	struct logs_runner *r = t->r;
	(void)call;

	if (r->rc || rc == -AWSX_EINTR)
		return;
	if (rc) {
		if (failed(t, &t->backoff, err, rc))
			ask_summaries(t, backoff_ms(t->backoff));
		return;
	}
	t->backoff = 0;
	/* the traces to fetch: complete, and not printed at this revision */
	cJSON *want = cJSON_CreateArray();
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(resp->json, "TraceSummaries"))
	{
		const char *id = logs_jstr(s, "Id");
		if (!id || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "IsPartial")))
			continue;
		char *key = xstrfmt("%s#%lld", id, logs_jtime(s, "Revision", 1));
		/*
		 * Kept under when it was seen: a tail asks by update time, so a trace
		 * that started long ago comes back until its updates are old too.
		 */
		long long start = logs_jtime(s, "StartTime", 1000);
		if (logs_seen_add(&r->seen, t->seen_group, key,
				  r->o->tail ? t->poll_wall : start ? start : t->w_start))
			cJSON_AddItemToArray(want, cJSON_Duplicate(s, 1));
		free(key);
	}
	fetch_traces(t, want);
	free(t->token);
	t->token = NULL;
	const char *next = logs_jstr(resp->json, "NextToken");
	if (next && *next) {
		t->token = xstrdup(next);
		ask_summaries(t, 0);
	} else if (r->o->tail) {
		long long n = t->poll_wall - r->o->late_window_ms;
		if (n > t->next_start)
			t->next_start = n;
		next_window(t, TRACE_POLL_MS);
	} else {
		next_window(t, 0);
	}
}

static void on_traces(struct aws_call *call, struct aws_response *resp,
		      const struct aws_error *err, int rc, void *ud);

static void send_fetch(struct fetch *f, long delay_ms)
{
	cJSON *in = xray_call(&f->call, "BatchGetTraces", "/Traces");
	cJSON *ids = cJSON_AddArrayToObject(in, "TraceIds");
	const cJSON *s;
	cJSON_ArrayForEach(s, f->summaries) cJSON_AddItemToArray(ids, cJSON_CreateString(logs_jstr(s, "Id")));
	if (f->token)
		cJSON_AddStringToObject(in, "NextToken", f->token);
	aws_batch_add_after(f->t->r->batch, &aws_svc_xray, &f->call, on_traces, f, delay_ms);
}

/* want: summaries; fetched TRACE_BATCH ids at a time.  Takes want. */
static void fetch_traces(struct logs_traces *t, cJSON *want)
{
	int n = cJSON_GetArraySize(want);
	for (int i = 0; i < n; i += TRACE_BATCH) {
		struct fetch *f = xcalloc(1, sizeof(*f));
		f->t = t;
		f->summaries = cJSON_CreateArray();
		for (int k = i; k < n && k < i + TRACE_BATCH; k++)
			cJSON_AddItemToArray(f->summaries,
					     cJSON_Duplicate(cJSON_GetArrayItem(want, k), 1));
		f->next = t->fetch_list;
		t->fetch_list = f;
		t->fetches++;
		send_fetch(f, 0);
	}
	cJSON_Delete(want);
}

static const cJSON *summary_of(const struct fetch *f, const char *id)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, f->summaries)
	{
		const char *sid = logs_jstr(s, "Id");
		if (sid && !strcmp(sid, id))
			return s;
	}
	return NULL;
}

/* The earliest start_time of a trace's segments, in ms (0 when none). */
static long long first_start(const cJSON *docs)
{
	double best = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, docs)
	{
		double st = logs_jnum(d, "start_time");
		if (st > 0 && (best == 0 || st < best))
			best = st;
	}
	return best > 4.6e15 ? 0 : (long long)(best * 1000.0);
}

static void take_trace(struct fetch *f, const cJSON *trace)
{
	struct logs_runner *r = f->t->r;
	const char *id = logs_jstr(trace, "Id");
	if (!id)
		return;
	const cJSON *sum = summary_of(f, id);
	struct logs_trace lt;
	memset(&lt, 0, sizeof(lt));
	lt.id = xstrdup(id);
	lt.segments = cJSON_CreateArray();
	const cJSON *seg;
	cJSON_ArrayForEach(seg, cJSON_GetObjectItemCaseSensitive(trace, "Segments"))
	{
		const char *doc = logs_jstr(seg, "Document");
		cJSON *parsed = doc ? cJSON_Parse(doc) : NULL;
		if (cJSON_IsObject(parsed))
			cJSON_AddItemToArray(lt.segments, parsed);
		else
			cJSON_Delete(parsed);
	}
	lt.duration = sum ? logs_jnum(sum, "Duration") : logs_jnum(trace, "Duration");
	lt.start_ms = sum ? logs_jtime(sum, "StartTime", 1000) : 0;
	if (!lt.start_ms)
		lt.start_ms = first_start(lt.segments);
	if (sum) {
		long long status = logs_jtime(cJSON_GetObjectItemCaseSensitive(sum, "Http"),
					      "HttpStatus", 1);
		lt.http_status = status > 0 && status < 1000 ? (int)status : 0;
		lt.has_error = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "HasError"));
		lt.has_fault = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "HasFault"));
		lt.has_throttle = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "HasThrottle"));
		long long rev = logs_jtime(sum, "Revision", 1);
		lt.revision = rev > 0 && rev < INT_MAX ? (int)rev : 0;
	}
	r->stats.traces++;
	logs_runner_item(r, NULL, &lt);
	logs_trace_release(&lt);
}

static void on_traces(struct aws_call *call, struct aws_response *resp,
		      const struct aws_error *err, int rc, void *ud)
{
	struct fetch *f = ud;
	struct logs_traces *t = f->t;
	struct logs_runner *r = t->r;
	(void)call;

	if (r->rc || rc == -AWSX_EINTR)
		return;
	if (rc) {
		if (failed(t, &f->failures, err, rc))
			send_fetch(f, backoff_ms(f->failures));
		return;
	}
	f->failures = 0;
	const cJSON *trace;
	cJSON_ArrayForEach(trace, cJSON_GetObjectItemCaseSensitive(resp->json, "Traces"))
		take_trace(f, trace);
	if (r->rc)
		return; /* the printer stopped */
	free(f->token);
	f->token = NULL;
	const char *next = logs_jstr(resp->json, "NextToken");
	if (next && *next) {
		f->token = xstrdup(next);
		send_fetch(f, 0);
		return;
	}
	/* done with this one */
	for (struct fetch **pp = &t->fetch_list; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	aws_call_release(&f->call);
	cJSON_Delete(f->summaries);
	free(f->token);
	free(f);
	if (--t->fetches == 0 && !t->reading)
		logs_runner_flush(r);
}

long long logs_traces_horizon(const struct logs_runner *r)
{
	return r->traces ? r->traces->next_start : LLONG_MIN;
}

int logs_traces_pending(const struct logs_runner *r)
{
	return r->traces && (r->traces->reading || r->traces->fetches > 0);
}

void logs_traces_start(struct logs_runner *r)
{
	struct logs_traces *t = xcalloc(1, sizeof(*t));
	const struct logs_run_options *o = r->o;
	t->r = r;
	t->seen_group = r->nr_groups; /* the groups take 0 .. nr_groups - 1 */
	r->traces = t;
	aws_batch_limit(r->batch, &aws_svc_xray, o->trace_rate > 0 ? o->trace_rate : 2);
	if (o->tail) {
		t->next_start = o->start_ms;
	} else {
		t->w_end = o->start_ms; /* next_window starts the range here */
		t->range_end = o->end_ms ? o->end_ms : logs_wall_ms();
	}
	next_window(t, 0);
}

void logs_traces_release(struct logs_runner *r)
{
	struct logs_traces *t = r->traces;
	if (!t)
		return;
	aws_call_release(&t->call);
	free(t->token);
	while (t->fetch_list) {
		struct fetch *f = t->fetch_list;
		t->fetch_list = f->next;
		aws_call_release(&f->call);
		cJSON_Delete(f->summaries);
		free(f->token);
		free(f);
	}
	free(t);
	r->traces = NULL;
}
