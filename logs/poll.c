/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll.c: the FilterLogEvents pollers of `awsx logs`.  Every group is one
 * chain of calls on one aws_batch, and all of them share one budget of
 * calls per second (CloudWatch Logs allows 5 FilterLogEvents a second per
 * account and region; we take 4 by default).  The batch starts calls in
 * the order they were queued, so a group that pages through a burst goes
 * to the back after each page and the others keep their turn.
 *
 * Printing a range reads each group once from start to end and merges by
 * a watermark: an event is printed once every group still reading has
 * passed its time.  Tailing never stops: each poll of a group starts a
 * late window (30 s) before the previous poll was sent, so an event that
 * CloudWatch ingests late, with an older timestamp, is still found; the
 * set of events already printed drops the repeats.  Throttling halves the
 * rate (with jitter on the retry) and successes double it back; a group
 * that does not exist yet is tried again every few seconds and read from
 * the start once it does.
 */
#include "logs/internal.h"

#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aws/retry.h"

#define POLL_INTERVAL_MS 500	     /* a caught-up group is asked again after this */
#define PRUNE_EVERY_MS 10000	     /* how often the seen set forgets old events */
#define FLUSH_TICK_MS 50	     /* the reorder buffer's timer while tailing */
#define MIN_RATE 0.5		     /* throttling never slows below this */
#define RECOVER_AFTER 1		     /* successes in a row that double the rate */
#define MAX_NET_BACKOFF_MS 30000     /* network errors while tailing */
#define RANGE_MAX_ATTEMPTS 6	     /* transient failures of one page, printing a range */


static void send(struct logs_group *g, long delay_ms);
static void prune(struct logs_runner *r);
static long long watermark(const struct logs_runner *r);

static double uniform01(void)
{
	return (double)arc4random() / 4294967296.0;
}

void logs_runner_note(struct logs_runner *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (!r->o->note)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->o->note(sb.buf, r->o->ud);
	strbuf_release(&sb);
}

/* "'GROUP' (Resource)", or "'GROUP'" when the group is its own label. */
static const char *named(const struct logs_group *g, char *buf, size_t len)
{
	if (!strcmp(g->src->group, g->src->resource))
		snprintf(buf, len, "'%s'", g->src->group);
	else
		snprintf(buf, len, "'%s' (%s)", g->src->group, g->src->resource);
	return buf;
}

void logs_runner_stop(struct logs_runner *r, int rc, const struct aws_error *err)
{
	if (r->rc)
		return;
	r->rc = rc;
	if (err)
		r->err = *err;
	aws_batch_cancel(r->batch);
}

static void on_page(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud);

/* Queue the group's next call: the next page of its query, or a new query. */
static void send(struct logs_group *g, long delay_ms)
{
	struct logs_runner *r = g->r;
	const struct logs_run_options *o = r->o;

	aws_call_release(&g->call);
	aws_call_init(&g->call, "FilterLogEvents");
	/* every attempt goes through the budget; pages are parsed into the arena */
	g->call.flags = AWS_CALL_NO_RETRY | AWS_CALL_RAW;
	g->call.region = g->src->region;
	cJSON *in = g->call.json = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "logGroupName", g->src->group);
	if (!g->token) {
		g->q_wall = logs_wall_ms() + delay_ms;
		g->q_start = o->tail ? g->next_start : o->start_ms;
	}
	cJSON_AddNumberToObject(in, "startTime", (double)g->q_start);
	if (o->end_ms)
		cJSON_AddNumberToObject(in, "endTime", (double)o->end_ms);
	if (o->filter && *o->filter)
		cJSON_AddStringToObject(in, "filterPattern", o->filter);
	/* deprecated and ignored by AWS (results are interleaved), honoured by emulators */
	cJSON_AddTrueToObject(in, "interleaved");
	if (g->token)
		cJSON_AddStringToObject(in, "nextToken", g->token);
	aws_batch_add_after(r->batch, &aws_svc_logs, &g->call, on_page, g, delay_ms);
}

/* The range watermark: every group still reading has read past it. */
static long long watermark(const struct logs_runner *r)
{
	long long w = LLONG_MAX;
	if (logs_traces_pending(r))
		return LLONG_MIN;
	for (size_t i = 0; i < r->nr_groups; i++) {
		const struct logs_group *g = &r->groups[i];
		if (!g->done && g->last_ts < w)
			w = g->last_ts;
	}
	return w;
}

static void flush_tick(void *ud);

static void arm_flush(struct logs_runner *r)
{
	if (r->flush_armed || r->rc)
		return;
	r->flush_armed = 1;
	aws_batch_add_timer(r->batch, flush_tick, r, FLUSH_TICK_MS);
}

void logs_runner_flush(struct logs_runner *r)
{
	int rc;
	if (r->rc)
		return; /* the run has ended: nothing more is printed */
	if (r->o->tail)
		rc = logs_merge_flush(&r->merge, now_ms_monotonic(), r->hold_ms, LLONG_MIN, 0,
				      r->o->emit, r->o->ud);
	else
		rc = logs_merge_flush(&r->merge, 0, LLONG_MAX / 4, watermark(r), 0, r->o->emit,
				      r->o->ud);
	if (rc)
		logs_runner_stop(r, rc, NULL);
	else if (r->o->tail && logs_merge_size(&r->merge))
		arm_flush(r);
}

static void flush_tick(void *ud)
{
	struct logs_runner *r = ud;
	r->flush_armed = 0;
	if (!r->rc)
		logs_runner_flush(r);
}

/* Print an item now, past the reorder buffer. */
static void emit_now(struct logs_runner *r, const struct logs_event *ev, const struct logs_trace *t)
{
	struct logs_item item = {ev ? ev->timestamp : t->start_ms, ev, t};
	int rc = r->o->emit(&item, r->o->ud);
	if (rc)
		logs_runner_stop(r, rc, NULL);
}

void logs_runner_item(struct logs_runner *r, struct logs_event *ev, struct logs_trace *t)
{
	if (r->rc)
		return;
	if (r->o->no_sort) {
		emit_now(r, ev, t);
		return;
	}
	if (ev)
		logs_merge_add_event(&r->merge, ev, now_ms_monotonic());
	else
		logs_merge_add_trace(&r->merge, t, now_ms_monotonic());
	if (r->o->tail)
		arm_flush(r);
}

static char *jdup(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

struct page_event {
	long long timestamp, ingestion_time;
	const char *id, *stream, *message;
};

static int by_time(const void *a, const void *b)
{
	long long x = ((const struct page_event *)a)->timestamp;
	long long y = ((const struct page_event *)b)->timestamp;
	return x < y ? -1 : x > y;
}

/* An event of a FilterLogEvents page, its members read in one pass. */
static void read_event(const cJSON *o, struct page_event *e)
{
	memset(e, 0, sizeof(*e));
	for (const cJSON *f = o ? o->child : NULL; f; f = f->next) {
		const char *k = f->string;
		if (!k)
			continue;
		if (cJSON_IsString(f)) {
			if (!strcmp(k, "message"))
				e->message = f->valuestring;
			else if (!strcmp(k, "logStreamName"))
				e->stream = f->valuestring;
			else if (!strcmp(k, "eventId"))
				e->id = f->valuestring;
		} else if (cJSON_IsNumber(f)) {
			double v = f->valuedouble;
			long long t = v > 4.6e18 ? (1LL << 62) : v < -4.6e18 ? -(1LL << 62)
				      : v == v ? (long long)v : 0;
			if (!strcmp(k, "timestamp"))
				e->timestamp = t;
			else if (!strcmp(k, "ingestionTime"))
				e->ingestion_time = t;
		}
	}
}

void logs_runner_event(struct logs_runner *r, struct logs_group *g, int live, const char *stream,
		       const char *event_id, long long timestamp, long long ingestion_time,
		       const char *message)
{
	struct logs_event ev = {g->src, g->index, timestamp, ingestion_time, NULL, NULL, NULL};
	if (r->rc)
		return;
	if (r->o->tail) {
		int fresh;
		if (g->session || !event_id || !*event_id) {
			struct strbuf key = STRBUF_INIT;
			logs_live_key(&key, stream, timestamp, message);
			fresh = logs_seen_add(&r->seen, g->index, key.buf, timestamp);
			strbuf_release(&key);
		} else {
			fresh = logs_seen_add(&r->seen, g->index, event_id, timestamp);
		}
		if (!fresh) {
			r->stats.duplicates++;
			return;
		}
		prune(r); /* live groups add without polling: forget on the clock too */
	}
	if (live)
		r->stats.live++;
	r->stats.events++;
	if (timestamp < g->max_ts)
		r->stats.late++;
	else
		g->max_ts = timestamp;
	if (timestamp > g->last_ts)
		g->last_ts = timestamp;
	/* printable now, before anything buffered: straight out, no copies */
	ev.event_id = (char *)(event_id ? event_id : "");
	ev.stream = (char *)(stream ? stream : "");
	ev.message = (char *)(message ? message : "");
	if (r->o->no_sort || (timestamp < logs_merge_min(&r->merge) &&
			      (r->o->tail ? r->hold_ms == 0 : timestamp <= watermark(r)))) {
		emit_now(r, &ev, NULL);
		return;
	}
	ev.event_id = xstrdup(ev.event_id);
	ev.stream = xstrdup(ev.stream);
	ev.message = xstrdup(ev.message);
	logs_runner_item(r, &ev, NULL);
	logs_event_release(&ev);
}

static void take_events(struct logs_group *g, const cJSON *events)
{
	struct logs_runner *r = g->r;
	size_t n = (size_t)cJSON_GetArraySize(events), k = 0;
	struct page_event *v = xmalloc((n + 1) * sizeof(*v));
	const cJSON *e;
	int sorted = 1;

	cJSON_ArrayForEach(e, events)
	{
		read_event(e, &v[k]);
		if (k && v[k].timestamp < v[k - 1].timestamp)
			sorted = 0;
		k++;
	}
	if (!sorted) /* a page is in order, but do not rely on it */
		qsort(v, k, sizeof(*v), by_time);
	for (size_t i = 0; i < k && !r->rc; i++)
		logs_runner_event(r, g, 0, v[i].stream, v[i].id, v[i].timestamp,
				  v[i].ingestion_time, v[i].message);
	free(v);
}

void logs_runner_resume(struct logs_runner *r, struct logs_group *g, long long since_wall)
{
	if (!g->handed || r->rc)
		return;
	g->handed = 0;
	long long from = since_wall - r->o->late_window_ms;
	if (from > g->next_start)
		g->next_start = from;
	send(g, 0);
}

/* Forget what no later poll can return again. */
static void prune(struct logs_runner *r)
{
	long long now = now_ms_monotonic();
	if (now - r->last_prune < PRUNE_EVERY_MS)
		return;
	r->last_prune = now;
	long long *before = xmalloc((r->nr_groups + 1) * sizeof(*before));
	long long horizon = logs_wall_ms() - 2 * r->o->late_window_ms;
	for (size_t i = 0; i < r->nr_groups; i++) {
		struct logs_group *g = &r->groups[i];
		/* a group its live session carries moves on with the clock */
		if (g->handed && horizon > g->next_start)
			g->next_start = horizon;
		before[i] = g->next_start;
	}
	before[r->nr_groups] = logs_traces_horizon(r); /* the traces' index */
	logs_seen_prune_all(&r->seen, before, r->nr_groups + 1);
	free(before);
}

/*
 * The batch spaces FilterLogEvents starts 1/rate apart; 10 % more than that,
 * so that network jitter cannot bring five calls of a 4-a-second budget
 * into one second at the service's end.
 */
static void set_rate(struct logs_runner *r, double rate)
{
	r->rate_now = rate;
	aws_batch_limit(r->batch, &aws_svc_logs, rate / 1.1);
}

static void throttled(struct logs_runner *r)
{
	r->stats.throttled++;
	r->streak = 0;
	double was = r->rate_now;
	double floor = r->rate < MIN_RATE ? r->rate : MIN_RATE;
	set_rate(r, r->rate_now / 2 < floor ? floor : r->rate_now / 2);
	if (was != r->rate_now && !r->noted_throttle) {
		r->noted_throttle = 1;
		logs_runner_note(r, "FilterLogEvents is throttled: slowing down (%.2f calls/s) and catching up",
		     r->rate_now);
	}
}

static void succeeded(struct logs_runner *r)
{
	if (r->rate_now >= r->rate || ++r->streak < RECOVER_AFTER)
		return;
	r->streak = 0;
	set_rate(r, r->rate_now * 2 > r->rate ? r->rate : r->rate_now * 2);
	if (r->rate_now >= r->rate)
		r->noted_throttle = 0;
}

static void page_failed(struct logs_group *g, const struct aws_error *err, int rc)
{
	struct logs_runner *r = g->r;
	const struct logs_run_options *o = r->o;
	enum retry_class cls = retry_classify(err->http_status, err->code, rc == -AWSX_ENET);
	char nb[1200];

	if (cls == RETRY_THROTTLE) {
		throttled(r);
		send(g, (long)(1000.0 / r->rate_now * (1.0 + uniform01())));
		return;
	}
	if (!strcmp(err->code, "ResourceNotFoundException")) {
		free(g->token);
		g->token = NULL;
		/* quietly, unless the user named the group */
		int loud = g->src->kind == LOGS_SRC_GROUP || r->o->verbose;
		if (!o->tail) {
			if (loud)
				logs_runner_note(r, "log group %s does not exist: nothing to read",
					 named(g, nb, sizeof(nb)));
			g->done = 1;
			return;
		}
		if (!g->noted_missing && loud)
			logs_runner_note(r, "log group %s does not exist yet: it is read once it does",
					 named(g, nb, sizeof(nb)));
		g->noted_missing = loud;
		g->missing = 1;
		/* 5 s, 10 s, 20 s, then every 30 s: a group that never comes costs little */
		long long delay = o->missing_retry_ms << (g->missing_polls < 3 ? g->missing_polls : 3);
		g->missing_polls++;
		send(g, (long)(delay > 30000 && o->missing_retry_ms <= 30000 ? 30000 : delay));
		return;
	}
	if (cls != RETRY_NO && (o->tail || ++g->failures < RANGE_MAX_ATTEMPTS)) {
		long delay = retry_backoff_ms(g->failures + 1, uniform01());
		if (o->tail) {
			g->failures++;
			delay = 1000L << (g->failures < 6 ? g->failures - 1 : 5);
			if (delay > MAX_NET_BACKOFF_MS)
				delay = MAX_NET_BACKOFF_MS;
			if (g->failures == 3) {
				struct strbuf sb = STRBUF_INIT;
				aws_error_format(err, &sb);
				logs_runner_note(r, "%s: retrying", sb.buf);
				strbuf_release(&sb);
			}
		}
		send(g, delay);
		return;
	}
	logs_runner_stop(r, rc, err);
}

static void on_page(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud)
{
	struct logs_group *g = ud;
	struct logs_runner *r = g->r;
	char nb[1200];
	(void)call;

	if (r->rc || rc == -AWSX_EINTR)
		return;
	r->stats.requests++;
	if (rc) {
		page_failed(g, err, rc);
		if (!r->o->tail && !r->rc)
			logs_runner_flush(r); /* a group skipped moves the watermark */
		return;
	}
	r->stats.pages++;
	succeeded(r);
	if (g->failures >= 3)
		logs_runner_note(r, "log group %s: reading again", named(g, nb, sizeof(nb)));
	g->failures = 0;
	g->missing_polls = 0;
	if (g->missing) {
		g->missing = 0;
		if (g->noted_missing)
			logs_runner_note(r, "log group %s exists now: reading it",
					 named(g, nb, sizeof(nb)));
	}
	cJSON *page = logs_arena_parse(&r->arena, resp->body.buf, resp->body.len);
	/* a page holds no secret: freed without the wipe the core gives every answer */
	strbuf_release(&resp->body);
	strbuf_init(&resp->body, 0);
	if (!cJSON_IsObject(page)) {
		struct aws_error bad;
		aws_error_clear(&bad);
		aws_error_set(&bad, AWSX_ESERVICE, "logs FilterLogEvents failed: malformed answer");
		logs_arena_reset(&r->arena);
		page_failed(g, &bad, -AWSX_ESERVICE);
		return;
	}
	take_events(g, cJSON_GetObjectItemCaseSensitive(page, "events"));
	if (r->rc)
		return;
	free(g->token);
	g->token = jdup(page, "nextToken");
	logs_arena_reset(&r->arena);
	if (g->token && !*g->token) {
		free(g->token);
		g->token = NULL;
	}
	if (g->token) {
		send(g, 0); /* the next page, in the group's turn */
	} else if (r->o->tail) {
		/* the next poll re-reads the late window before this one was sent */
		long long next = g->q_wall - r->o->late_window_ms;
		if (next > g->next_start)
			g->next_start = next;
		prune(r);
		if (g->session && logs_live_handover(g, g->q_wall))
			g->handed = 1; /* caught up since the session started: it carries on */
		else
			send(g, POLL_INTERVAL_MS);
	} else {
		g->done = 1;
	}
	logs_runner_flush(r);
}

int logs_run(struct aws_ctx *ctx, const struct logs_sources *sources,
	     const struct logs_run_options *opts, struct logs_stats *stats, struct aws_error *err)
{
	struct logs_run_options o = *opts;
	struct logs_runner r;
	int rc;

	/*
	 * Pages of up to 10,000 events are parsed into many small objects and
	 * freed again: keep the freed memory for the next page instead of
	 * giving it back and faulting it in again (a third of the CPU time of
	 * printing a large range went to page faults).
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	if (o.rate <= 0)
		o.rate = 4;
	if (o.late_window_ms <= 0)
		o.late_window_ms = 30000;
	if (o.missing_retry_ms <= 0)
		o.missing_retry_ms = 5000;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.o = &o;
	r.rate = r.rate_now = o.rate;
	r.nr_groups = sources->nr;
	r.groups = xcalloc(sources->nr + 1, sizeof(*r.groups));
	/* across groups, hold a line about one round of polls for the others' earlier lines */
	r.hold_ms = sources->nr > 1 ? (long long)(1000.0 * (double)sources->nr / o.rate) : 0;
	if (r.hold_ms > 2000)
		r.hold_ms = 2000;
	r.last_prune = now_ms_monotonic();
	logs_seen_init(&r.seen, 0);
	logs_merge_init(&r.merge);
	logs_arena_init(&r.arena);
	/* every live session holds a transfer open: room for the polls beside them */
	r.batch = aws_batch_new(ctx, 4 + (o.live ? (int)(sources->nr + 9) / 10 + 1 : 0));
	set_rate(&r, o.rate);

	for (size_t i = 0; i < sources->nr; i++) {
		struct logs_group *g = &r.groups[i];
		g->r = &r;
		g->index = i;
		g->src = &sources->v[i];
		g->next_start = o.start_ms;
		g->last_ts = LLONG_MIN;
		g->max_ts = LLONG_MIN;
		send(g, 0);
	}
	if (o.include_traces)
		logs_traces_start(&r);
	if (o.live && sources->nr && (rc = logs_live_start(&r, &r.err))) {
		r.rc = rc;
		aws_batch_cancel(r.batch);
	}
	rc = aws_batch_run(r.batch);
	if (!rc && !r.rc) /* the range is read: whatever is left goes out */
		r.rc = logs_merge_flush(&r.merge, 0, 0, LLONG_MIN, 1, o.emit, o.ud);
	if (rc == -AWSX_EINTR && !r.rc) {
		r.rc = -AWSX_EINTR;
		aws_error_set(&r.err, AWSX_EINTR, "interrupted");
	}
	rc = r.rc;
	if (rc < 0)
		*err = r.err;
	if (stats)
		*stats = r.stats;
	logs_traces_release(&r);
	aws_batch_free(r.batch);
	logs_live_release(&r);
	for (size_t i = 0; i < r.nr_groups; i++) {
		aws_call_release(&r.groups[i].call);
		free(r.groups[i].token);
	}
	free(r.groups);
	logs_seen_release(&r.seen);
	logs_merge_release(&r.merge);
	logs_arena_release(&r.arena);
	return rc;
}
