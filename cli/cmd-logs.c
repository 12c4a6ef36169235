/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-logs.c: `awsx logs`: options in SAM CLI's and the AWS CLI's names,
 * logs/resolve.c finds the stack's log groups, logs/poll.c reads or tails
 * them (and X-Ray traces) under one request budget, and this prints each
 * line as logs/format.c renders it: text with the resource's label, or one
 * JSON object per line.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "logs/logs.h"

static const struct cli_option logs_options[] = {
	{ "cw-log-group", 0, OPT_LIST, "GROUP", "also read this log group (repeatable; no stack needed)" },
	{ "end-time", 'e', OPT_STRING, "TIME", "read up to this time (default now; not with --tail)" },
	{ "filter", 0, OPT_STRING, "PATTERN", "a CloudWatch Logs filter pattern" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ "include-traces", 0, OPT_FLAG, NULL, "show X-Ray traces among the log lines" },
	{ "late-window", 0, OPT_STRING, "DURATION",
	  "--tail: how far back each poll looks again for events ingested late (default 30s)" },
	{ "live", 0, OPT_FLAG, NULL,
	  "tail through CloudWatch Logs Live Tail sessions instead of polling (implies --tail)" },
	{ "name", 'n', OPT_LIST, "ID",
	  "only this resource's logs, by logical id; Child/Id when nested (repeatable)" },
	{ "no-sort", 0, OPT_FLAG, NULL, "print lines as they arrive instead of in time order" },
	{ "request-rate", 0, OPT_STRING, "N",
	  "FilterLogEvents calls per second for all groups together (default 4; AWS allows 5)" },
	{ "stack-name", 0, OPT_STRING, "NAME", "the stack whose resources' logs to read" },
	{ "start-time", 's', OPT_STRING, "TIME", "read from this time (default 10m ago)" },
	{ "tail", 't', OPT_FLAG, NULL, "keep reading new events until Ctrl-C" },
	{ "utc", 0, OPT_FLAG, NULL, "show times in UTC (and read times without a zone as UTC)" },
};

const struct cli_spec cmd_logs_spec = {
	.usage = "[--stack-name NAME] [--name ID]... [--cw-log-group GROUP]... [--tail] [options]",
	.max_positional = 0,
	.description =
		"Print the CloudWatch Logs of a stack's resources as one stream in time\n"
		"order, each line labelled with the resource it came from: Lambda functions,\n"
		"every REST API stage (execution and access logs) and HTTP API stage, Step\n"
		"Functions logging destinations, nested stacks included.  All groups share\n"
		"one budget of FilterLogEvents calls (--request-rate).  With --tail, every\n"
		"poll looks again at the last --late-window, so an event CloudWatch ingests\n"
		"late is printed too, exactly once; the tail runs until Ctrl-C.  --live\n"
		"follows through Live Tail sessions instead, after the same backfill.\n"
		"TIME is 10m, 2h, '5min ago', 2026-12-07T10:00:00Z (ISO 8601) or epoch\n"
		"milliseconds.  --output json prints one object per line.\n"
		"Exit codes: 0 done, 1 failure, 2 usage, 3 configuration or credentials,\n"
		"4 network, 5 a service refused a call, 130 interrupted (the end of --tail).\n"
		"See docs/logs.md.",
	.options = logs_options,
	.noptions = ARRAY_SIZE(logs_options),
};

struct printer {
	struct cli_ctx *cli;
	struct logs_format fmt;
	struct strbuf line;
	int tail;
	int write_error;
	int debug;
};

static int emit(const struct logs_item *item, void *ud)
{
	struct printer *p = ud;
	strbuf_reset(&p->line);
	if (p->cli->output == OUTPUT_JSON) {
		if (item->event)
			logs_format_event_json(&p->line, item->event);
		else
			logs_format_trace_json(&p->line, item->trace);
	} else if (item->event) {
		logs_format_event(&p->line, item->event, &p->fmt);
	} else {
		logs_format_trace(&p->line, item->trace, &p->fmt);
	}
	errno = 0;
	if (fwrite(p->line.buf, 1, p->line.len, stdout) != p->line.len ||
	    (p->tail && fflush(stdout))) {
		p->write_error = errno ? errno : EIO;
		return 1;
	}
	return 0;
}

static void note(const char *message, void *ud)
{
	(void)ud;
	cli_error("%s", message);
}

static long long wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int parse_time_opt(struct cli_args *args, const char *name, long long now, int utc,
			  long long *out)
{
	const char *v = cli_arg(args, name);
	struct aws_error err;
	if (!v)
		return 0;
	aws_error_clear(&err);
	if (logs_parse_time(v, now, utc, out, &err)) {
		cli_error("--%s: %s", name, err.message);
		return AWSX_EUSAGE;
	}
	return 0;
}

/* The values of an OPT_LIST option, as an array of borrowed strings. */
static const char **list_values(const struct cli_args *args, const char *name, size_t *nr)
{
	const struct kvlist *l = NULL;
	for (size_t i = 0; i < args->nopts; i++)
		if (!strcmp(args->opts[i].name, name))
			l = &args->list[i];
	const char **v = xcalloc(l ? l->nr + 1 : 1, sizeof(*v));
	*nr = 0;
	for (size_t i = 0; l && i < l->nr; i++)
		v[(*nr)++] = l->items[i].value;
	return v;
}

int cmd_logs(struct cli_ctx *cli, struct cli_args *args)
{
	struct logs_resolve_options ro;
	struct logs_run_options o;
	struct logs_sources sources = {NULL, 0, 0};
	struct logs_stats stats;
	struct printer p;
	struct aws_error err;
	long long now = wall_ms();
	int utc = cli_flag(args, "utc"), rc = 0;

	memset(&ro, 0, sizeof(ro));
	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	memset(&stats, 0, sizeof(stats));
	aws_error_clear(&err);
	strbuf_init(&p.line, 256);
	ro.stack_name = cli_arg(args, "stack-name");
	ro.names = list_values(args, "name", &ro.nr_names);
	ro.groups = list_values(args, "cw-log-group", &ro.nr_groups);

	if (!ro.stack_name && !ro.nr_groups) {
		cli_error("say what to read: --stack-name NAME or --cw-log-group GROUP (see 'awsx logs -h')");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (ro.nr_names && !ro.stack_name) {
		cli_error("--name needs --stack-name");
		rc = AWSX_EUSAGE;
		goto out;
	}
	o.live = cli_flag(args, "live");
	o.tail = cli_flag(args, "tail") || o.live;
	o.start_ms = now - 10 * 60 * 1000;
	if ((rc = parse_time_opt(args, "start-time", now, utc, &o.start_ms)) ||
	    (rc = parse_time_opt(args, "end-time", now, utc, &o.end_ms)))
		goto out;
	if (o.tail && o.end_ms) {
		cli_error("--end-time does not go with --tail (a tail has no end)");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (!o.tail && !o.end_ms)
		o.end_ms = now;
	if (o.end_ms && o.end_ms < o.start_ms) {
		if (!cli_arg(args, "end-time"))
			cli_error("--start-time is in the future (give --end-time, or --tail to wait for it)");
		else
			cli_error("--end-time is before --start-time");
		rc = AWSX_EUSAGE;
		goto out;
	}
	if (cli_arg(args, "late-window")) {
		if (logs_parse_duration(cli_arg(args, "late-window"), &o.late_window_ms, &err)) {
			cli_error("--late-window: %s", err.message);
			rc = AWSX_EUSAGE;
			goto out;
		}
		if (o.late_window_ms > 24LL * 3600 * 1000) {
			cli_error("--late-window: '%s' is more than a day",
				  cli_arg(args, "late-window"));
			rc = AWSX_EUSAGE;
			goto out;
		}
		if (o.late_window_ms <= 0)
			o.late_window_ms = 1; /* 0 means the default below */
	}
	if (cli_arg(args, "request-rate")) {
		char *end;
		o.rate = strtod(cli_arg(args, "request-rate"), &end);
		if (*end || !(o.rate >= 0.1 && o.rate <= 100)) {
			cli_error("--request-rate: '%s' is not a number of calls per second from 0.1 to 100",
				  cli_arg(args, "request-rate"));
			rc = AWSX_EUSAGE;
			goto out;
		}
	}
	o.filter = cli_arg(args, "filter");
	o.no_sort = cli_flag(args, "no-sort");
	o.include_traces = cli_flag(args, "include-traces");
	o.verbose = cli->g.debug;
	o.emit = emit;
	o.note = note;
	o.ud = &p;

	if ((rc = logs_resolve(cli->aws, &ro, &sources, &err))) {
		rc = cli_report(&err);
		goto out;
	}
	if (!sources.nr && !o.include_traces) {
		cli_error("stack '%s' has no resources that write logs (functions, APIs, state machines)",
			  ro.stack_name);
		rc = AWSX_EFAIL;
		goto out;
	}
	p.cli = cli;
	p.tail = o.tail;
	p.debug = cli->g.debug;
	p.fmt.utc = utc;
	p.fmt.color = cli->color;
	for (size_t i = 0; i < sources.nr; i++) {
		int n = (int)strlen(sources.v[i].resource);
		if (n > p.fmt.label_width)
			p.fmt.label_width = n > 40 ? 40 : n;
	}
	if (o.include_traces && p.fmt.label_width < 5)
		p.fmt.label_width = 5; /* "X-Ray" */
	if (cli->g.debug)
		for (size_t i = 0; i < sources.nr; i++)
			cli_error("logs: %s -> %s%s%s", sources.v[i].resource, sources.v[i].group,
				  sources.v[i].region ? " in " : "",
				  sources.v[i].region ? sources.v[i].region : "");

	rc = logs_run(cli->aws, &sources, &o, &stats, &err);
	/* a range is written through stdio's buffer: a closed pipe shows here */
	errno = 0;
	if (rc == 0 && fflush(stdout)) {
		p.write_error = errno ? errno : EIO;
		rc = 1;
	}
	if (cli->g.debug)
		cli_error("logs: %lu requests, %lu pages, %lu events (%lu live), %lu repeats dropped, "
			  "%lu late, %lu throttled, %lu traces",
			  stats.requests, stats.pages, stats.events, stats.live, stats.duplicates,
			  stats.late, stats.throttled, stats.traces);
	if (rc > 0) { /* the printer stopped: stdout failed */
		if (p.write_error == EPIPE) {
			/* the reader has gone (| head): that is the end, not a failure */
			if (!freopen("/dev/null", "w", stdout))
				rc = AWSX_EFAIL;
			else
				rc = 0;
		} else {
			cli_error("cannot write the output: %s", strerror(p.write_error));
			rc = AWSX_EFAIL;
		}
	} else if (rc == -AWSX_EINTR) {
		rc = AWSX_EINTR;
	} else if (rc < 0) {
		rc = cli_report(&err);
	}
out:
	free((void *)ro.names);
	free((void *)ro.groups);
	logs_sources_release(&sources);
	strbuf_release(&p.line);
	return rc;
}
