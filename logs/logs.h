/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logs.h: the public surface of logs/, the code behind `awsx logs`: which
 * log groups belong to a stack (resolve.c), time expressions (when.c), the
 * set of events already printed (seen.c), the pollers that share one
 * request budget (poll.c), the reorder buffer that merges groups by time
 * (merge.c), X-Ray traces (traces.c) and one printable line per event
 * (format.c).  Nothing here prints or exits: lines are handed to the
 * caller.
 */
#ifndef AWSX_LOGS_H
#define AWSX_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"

/* ---- time expressions (when.c) ---- */

/*
 * Read a time as the user writes it on the command line, into epoch
 * milliseconds.  now_ms is the current time (epoch ms).  White space around
 * text is ignored.  Accepted:
 *   "10m", "2h", "30s", "1d", "1w", "45min", "3 hours": that long before now
 *   (a whole number, then, with or without a space, a unit in any case:
 *   s, sec, secs, second(s); m, min, mins, minute(s); h, hr, hrs,
 *   hour(s); d, day(s); w, week(s)), with an optional " ago";
 *   "now" (any case);
 *   ISO 8601: "2026-12-07" (midnight), "2026-12-07T10:00",
 *   "2026-12-07T10:00:05", "2026-12-07 10:00:05.250" (up to 9 fraction
 *   digits: milliseconds are kept, the rest dropped), each with an optional
 *   "Z" or "+hh:mm" / "-hh:mm" / "+hhmm" / "+hh"; without a zone the time
 *   is UTC when utc is set, else local time (TZ, through mktime, so not
 *   while another thread calls setenv);
 *   epoch milliseconds: a bare number of 10 to 16 digits.
 * A shorter bare number ("10": the unit is missing) and any time before
 * 1970 are errors, so *out_ms is never negative when now_ms is not.
 * Returns 0, or -AWSX_EUSAGE with err saying what is wrong with text.
 */
int logs_parse_time(const char *text, long long now_ms, int utc, long long *out_ms,
		    struct aws_error *err);

/*
 * Read a duration ("30s", "2m", "1h", "500ms", a bare number of seconds)
 * into milliseconds: a whole number, then, with or without a space, any
 * unit logs_parse_time takes or ms, msec(s), millisecond(s), in any case.
 * White space around text is ignored.  Returns 0, or -AWSX_EUSAGE with err
 * filled.
 */
int logs_parse_duration(const char *text, long long *out_ms, struct aws_error *err);

/* ---- sources: the log groups to read (resolve.c) ---- */

enum logs_source_kind {
	LOGS_SRC_FUNCTION,	/* a Lambda function's group */
	LOGS_SRC_API_EXECUTION, /* API-Gateway-Execution-Logs_<id>/<stage> */
	LOGS_SRC_API_ACCESS,	/* a REST or HTTP API stage's access-log destination */
	LOGS_SRC_STATE_MACHINE, /* a Step Functions logging destination */
	LOGS_SRC_GROUP,		/* --cw-log-group */
};

struct logs_source {
	char *resource; /* the label: "Fn", "Child/Fn", or the group name for --cw-log-group */
	char *group;	/* log group name */
	char *region;	/* the group's region when it is not the context's, else NULL */
	enum logs_source_kind kind;
};

struct logs_sources {
	struct logs_source *v;
	size_t nr, alloc;
};

struct logs_resolve_options {
	const char *stack_name;	   /* NULL: no stack */
	const char *const *names;  /* --name: logical ids ("Fn", "Child/Fn", "Child" for all of it) */
	size_t nr_names;
	const char *const *groups; /* --cw-log-group */
	size_t nr_groups;
};

/*
 * The log groups of a stack's resources (nested stacks included) and of
 * --cw-log-group, each group once (the first resource to name it labels
 * it): functions (LoggingConfig.LogGroup, else /aws/lambda/<name>), every
 * REST API stage (execution logs and access-log destination), HTTP API
 * stage access logs, state machine logging destinations.  A --name that
 * matches no resource is -AWSX_EUSAGE naming the ids there are.  Returns 0
 * or -kind with err filled; release out either way.
 */
int logs_resolve(struct aws_ctx *ctx, const struct logs_resolve_options *o,
		 struct logs_sources *out, struct aws_error *err);
void logs_sources_release(struct logs_sources *s);

/*
 * The group name in a CloudWatch Logs ARN
 * ("arn:aws:logs:us-east-1:123456789012:log-group:/my/group:*"), into a new
 * string; *region (when region is not NULL) gets a new string with the ARN's
 * region.  NULL when arn is not a log-group ARN.
 */
char *logs_group_from_arn(const char *arn, char **region);

/* ---- events and traces as the command prints them ---- */

struct logs_event {
	const struct logs_source *src;
	size_t src_index; /* src's index in the sources */
	long long timestamp, ingestion_time; /* epoch ms */
	char *stream, *event_id, *message;
};

/* One X-Ray trace, rendered as text lines by the trace reader. */
struct logs_trace {
	char *id;
	long long start_ms; /* where it sorts among the log lines */
	double duration;    /* seconds */
	int http_status;    /* 0 when none */
	int has_error, has_fault, has_throttle;
	int revision;
	cJSON *segments; /* array of segment documents (parsed) */
};

/* What reaches the printer, in output order: an event or a trace. */
struct logs_item {
	long long timestamp;
	const struct logs_event *event; /* one of the two is set */
	const struct logs_trace *trace;
};

/*
 * Called for every item, in order; return nonzero to stop (stdout closed),
 * logs_run then returns that value.
 */
typedef int logs_emit_fn(const struct logs_item *item, void *ud);

/* Called for a note the user should see on stderr (a group not found yet, throttling). */
typedef void logs_note_fn(const char *message, void *ud);

struct logs_run_options {
	long long start_ms;	 /* epoch ms */
	long long end_ms;	 /* epoch ms; 0 with tail: open */
	int tail;		 /* poll until interrupted */
	const char *filter;	 /* CloudWatch filter pattern, or NULL */
	double rate;		 /* FilterLogEvents calls per second for all groups (0: 4) */
	long long late_window_ms; /* tail: how far back each poll re-reads (0: 30 s) */
	int no_sort;		 /* print on arrival */
	int include_traces;	 /* X-Ray traces too */
	int live;		 /* tail through StartLiveTail sessions (after a polled backfill) */
	double trace_rate;	 /* X-Ray calls per second (0: 2) */
	long long missing_retry_ms; /* tail: how often a group not found is tried (0: 5 s) */
	int verbose;		 /* note every group not found, not only --cw-log-group ones */
	logs_emit_fn *emit;
	logs_note_fn *note;
	void *ud;
};

/* Counters for --debug and the tests. */
struct logs_stats {
	unsigned long requests, pages, events, duplicates, throttled, late, traces, live;
};

/*
 * Read the groups of sources (and traces) between start and end, or
 * follow them with tail, handing each item to o->emit in timestamp order
 * (within the reorder window; o->no_sort: on arrival).  FilterLogEvents
 * calls share one budget of o->rate calls per second, round robin over the
 * groups; throttling lowers the rate with jitter and successes restore it;
 * a group that does not exist is tried again every missing_retry_ms (tail)
 * or noted and skipped (range).  Returns 0 (range read, or tail
 * interrupted: -AWSX_EINTR), emit's nonzero value, or -kind with err
 * filled for an error that ends the run (access denied, bad filter).
 */
int logs_run(struct aws_ctx *ctx, const struct logs_sources *sources,
	     const struct logs_run_options *o, struct logs_stats *stats, struct aws_error *err);

/* ---- formatting (format.c) ---- */

enum logs_mark {
	LOGS_MARK_NONE,
	LOGS_MARK_START,  /* Lambda START / platform.start */
	LOGS_MARK_END,	  /* Lambda END / platform.runtimeDone */
	LOGS_MARK_REPORT, /* Lambda REPORT / platform.report */
	LOGS_MARK_ERROR,  /* an error line: [ERROR], ERROR level, Traceback, timed out ... */
};

/* How a message looks: its mark. */
enum logs_mark logs_classify(const char *message);

struct logs_format {
	int utc;	   /* times in UTC, else local */
	int color;	   /* ANSI colours */
	int label_width;   /* the labels are padded to this width */
};

/*
 * One text line (ending in '\n') for ev into out: time, label, mark,
 * message (trailing newline dropped, JSON shown compactly, control
 * characters escaped).
 */
void logs_format_event(struct strbuf *out, const struct logs_event *ev,
		       const struct logs_format *f);
/* One JSON object per line for ev: timestamp, ingestionTime, logGroup, logStream, resource, eventId, message. */
void logs_format_event_json(struct strbuf *out, const struct logs_event *ev);
/* The trace's lines (header, then its segment tree with durations). */
void logs_format_trace(struct strbuf *out, const struct logs_trace *t, const struct logs_format *f);
/* One JSON object line for a trace ({"trace": ...}). */
void logs_format_trace_json(struct strbuf *out, const struct logs_trace *t);

#endif
