/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of logs/ share and the unit tests reach: the
 * set of events already printed (seen.c) and the reorder buffer that
 * merges the groups by time (merge.c).
 */
#ifndef AWSX_LOGS_INTERNAL_H
#define AWSX_LOGS_INTERNAL_H

#include <sys/time.h>

#include "logs/logs.h"

/* ---- small helpers ---- */

/* Wall-clock epoch milliseconds (CloudWatch's time), not the monotonic clock. */
static inline long long logs_wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* o's member name as a string, or NULL when absent or not a string. */
static inline const char *logs_jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* o's member name as a number, or 0. */
static inline double logs_jnum(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/*
 * A time from a service (epoch ms, or seconds times scale) as an integer,
 * clamped to +-2^62 so that no answer can make the conversion undefined.
 */
static inline long long logs_jtime(const cJSON *o, const char *name, double scale)
{
	double v = logs_jnum(o, name) * scale;
	const double lim = 4611686018427387904.0; /* 2^62 */
	if (!(v == v))
		return 0; /* NaN */
	return v > lim ? (long long)lim : v < -lim ? -(long long)lim : (long long)v;
}

/* ---- events already printed (seen.c) ---- */

/*
 * A set of (group, eventId) with each event's timestamp, so that a poll
 * that re-reads the late window prints every event exactly once.  Memory
 * is bounded: logs_seen_prune forgets the events of a group older than
 * what any later poll of it can return, and past max entries the oldest
 * timestamps go first.
 */
struct logs_seen {
	struct logs_seen_entry *slots; /* open addressing, linear probing */
	size_t cap, nr, max;
};

/* max: the most entries kept (0: 4,000,000). */
void logs_seen_init(struct logs_seen *s, size_t max);
void logs_seen_release(struct logs_seen *s);
/* 1 when (group, id) is new (it is added), 0 when it was there. */
int logs_seen_add(struct logs_seen *s, size_t group, const char *id, long long timestamp);
/* Forget group's events with a timestamp before before_ms. */
void logs_seen_prune(struct logs_seen *s, size_t group, long long before_ms);
/* Forget every group's events older than the thresholds in before_ms[group] (nr groups). */
void logs_seen_prune_all(struct logs_seen *s, const long long *before_ms, size_t nr);

/* ---- pages parsed into an arena (arena.c) ---- */

struct logs_arena {
	struct arena_block *blocks;
};

void logs_arena_init(struct logs_arena *a);
/*
 * Parse text into a tree that lives in a: read it, never cJSON_Delete it;
 * logs_arena_reset frees every tree parsed since the last reset.  NULL
 * when text is not JSON.
 */
cJSON *logs_arena_parse(struct logs_arena *a, const char *text, size_t len);
void logs_arena_reset(struct logs_arena *a);
void logs_arena_release(struct logs_arena *a);

/* ---- the reorder buffer (merge.c) ---- */

/*
 * A min-heap of items by (timestamp, arrival), which owns its events and
 * traces.  An item leaves it once its time has come (see the flush calls);
 * items leave in timestamp order.
 */
struct logs_merge_entry;
struct logs_merge {
	struct logs_merge_entry *heap;
	size_t nr, alloc;
	unsigned long long seq;
};

void logs_merge_init(struct logs_merge *m);
void logs_merge_release(struct logs_merge *m);
/* Take ev (its strings move into the buffer); arrival_ms is monotonic time. */
void logs_merge_add_event(struct logs_merge *m, struct logs_event *ev, long long arrival_ms);
/* Take t (moved, like ev). */
void logs_merge_add_trace(struct logs_merge *m, struct logs_trace *t, long long arrival_ms);
/*
 * Emit, oldest timestamp first, the items that arrived at least hold_ms
 * before now_ms or whose timestamp is at most watermark (LLONG_MIN: none);
 * stop at the first that may still wait.  All of them with flush_all.
 * Returns 0 or emit's nonzero value.
 */
int logs_merge_flush(struct logs_merge *m, long long now_ms, long long hold_ms,
		     long long watermark, int flush_all, logs_emit_fn *emit, void *ud);
size_t logs_merge_size(const struct logs_merge *m);
/* The oldest timestamp waiting (LLONG_MAX when none). */
long long logs_merge_min(const struct logs_merge *m);

/* ---- one run of `awsx logs` (poll.c, traces.c, live.c) ---- */

struct logs_traces;
struct logs_live;
struct logs_live_session;

/* One log group's poller. */
struct logs_group {
	struct logs_runner *r;
	size_t index;
	const struct logs_source *src;
	struct aws_call call;
	char *token;	    /* the next page of the query under way */
	long long q_start;  /* the query's startTime */
	long long q_wall;   /* wall clock when the query was queued */
	long long next_start; /* tail: where the next query starts (never goes back) */
	long long last_ts;  /* range: the newest timestamp read so far (watermark) */
	long long max_ts;   /* the newest timestamp printed */
	int done;	    /* range: read to the end */
	int missing;	    /* answered ResourceNotFound last time */
	int missing_polls;  /* ... so many times in a row */
	int noted_missing;
	int failures;	    /* transient failures in a row */
	struct logs_live_session *session; /* --live: the session that carries it */
	int handed;	    /* --live: the session carries it; no polls */
};


struct logs_runner {
	struct aws_ctx *ctx;
	const struct logs_run_options *o;
	struct aws_batch *batch;
	struct logs_group *groups;
	size_t nr_groups;
	double rate, rate_now; /* FilterLogEvents calls per second: asked, and now */
	int streak;	       /* successes since the last throttling or recovery step */
	int noted_throttle;
	long long hold_ms;     /* tail: how long a line waits for earlier lines */
	long long last_prune;
	int flush_armed;
	struct logs_seen seen;
	struct logs_merge merge;
	struct logs_arena arena; /* FilterLogEvents pages */
	struct logs_stats stats;
	struct logs_traces *traces;
	struct logs_live *live;
	int rc; /* set once: the run ends */
	struct aws_error err;
};

/* Hand an event or a trace (moved) to the merge, or print it (--no-sort). */
void logs_runner_item(struct logs_runner *r, struct logs_event *ev, struct logs_trace *t);
/* End the run with rc (and err, when an error); later calls are ignored. */
void logs_runner_stop(struct logs_runner *r, int rc, const struct aws_error *err);
/* Printf-style note for the user (stderr). */
void logs_runner_note(struct logs_runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One event read by a poll (live 0) or a live session (live 1): dropped
 * when seen before, else handed on.  Tails key events by eventId; events
 * without one, and every event of a group with a live session (live
 * events have no id), by content.
 */
void logs_runner_event(struct logs_runner *r, struct logs_group *g, int live, const char *stream,
		       const char *event_id, long long timestamp, long long ingestion_time,
		       const char *message);
/*
 * --live: g's session ended; its last message came at since_wall.  A
 * handed-over group polls again from a late window before that.
 */
void logs_runner_resume(struct logs_runner *r, struct logs_group *g, long long since_wall);

/* ---- live tail (live.c) ---- */

/*
 * Resolve the account (STS, for the groups' ARNs) and open the sessions,
 * ten groups each, on r's batch.  Returns 0 or the STS error.
 */
int logs_live_start(struct logs_runner *r, struct aws_error *err);
void logs_live_release(struct logs_runner *r);
/* 1 when g's session runs and started before a poll sent at query_wall. */
int logs_live_handover(const struct logs_group *g, long long query_wall);
/* The seen-set key of a live or polled event: its time and a hash of stream and message. */
void logs_live_key(struct strbuf *out, const char *stream, long long timestamp,
		   const char *message);

/* Print what the reorder buffer may print now. */
void logs_runner_flush(struct logs_runner *r);

/* Start reading X-Ray traces on r's batch (traces.c). */
void logs_traces_start(struct logs_runner *r);
/* 1 while a range's traces are still being read (the merge waits for them). */
int logs_traces_pending(const struct logs_runner *r);
/* Tail: traces older than this are never asked for again (the seen set forgets them). */
long long logs_traces_horizon(const struct logs_runner *r);
void logs_traces_release(struct logs_runner *r);

void logs_event_release(struct logs_event *ev);
void logs_trace_release(struct logs_trace *t);

#endif
