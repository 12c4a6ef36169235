/* SPDX-License-Identifier: Apache-2.0 */
/*
 * live.c: `awsx logs --tail --live`: CloudWatch Logs StartLiveTail
 * sessions (an event stream over one long HTTP answer) in place of
 * polling.  The pollers of poll.c still do what a live session cannot:
 * they read the backfill from --start-time, and they cover every gap: a
 * group is handed to its session only after a poll that was sent once
 * the session had started, and when a session ends (the three-hour limit,
 * which we anticipate by ending it ourselves a little before, an
 * exception, a network failure) its groups go back to polling from a
 * late window before the last message the session sent, while a new
 * session is opened.  Live events carry no eventId, so for these groups
 * both paths key the seen set by the event's content (stream, time,
 * message), which is what drops the overlap at each switch.
 *
 * One session takes at most ten groups of one region (the API's limit);
 * more groups, more sessions.  A session that says it is sampling (more
 * than 500 events a second) is noted to the user.
 */
#include "logs/internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aws/endpoint.h"
#include "aws/eventstream.h"

#define LIVE_MAX_GROUPS 10
#define LIVE_RENEW_MS (170LL * 60 * 1000) /* end a session before AWS's 3 hours */
#define LIVE_MAX_BACKOFF_MS 60000
/*
 * A poll hands a group over only when it was sent this long after its
 * session started: FilterLogEvents may not see an event for a few seconds
 * after CloudWatch ingested it, and an event ingested just before the
 * session started is in no session.
 */
#define LIVE_SETTLE_MS 5000

struct logs_live_session {
	struct logs_runner *r;
	size_t *groups; /* indices into r->groups */
	char **arns;	/* the groups' ARNs, as the session names them */
	size_t nr;
	const char *region; /* NULL: the context's */
	struct aws_call call;
	struct es_decoder dec;
	long long started_wall; /* sessionStart received (0: not yet) */
	long long last_wall;	/* the last message received */
	int open;		/* a StartLiveTail call is under way */
	int closing;		/* it is ending: the next bytes refuse */
	int clean;		/* ...by plan (renewal, the 3-hour limit): reopen at once */
	int failures;
	int sampled;
};

struct logs_live {
	struct logs_live_session *s;
	size_t nr;
	char *account;
	int noted_sampling;
};

void logs_live_key(struct strbuf *out, const char *stream, long long timestamp,
		   const char *message)
{
	/* two 64-bit FNV-1a hashes with different seeds: 128 bits of content */
	unsigned long long h1 = 1469598103934665603ull, h2 = 0x84222325cbf29ce4ull;
	const char *parts[2] = {stream ? stream : "", message ? message : ""};
	for (int k = 0; k < 2; k++) {
		for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
			h1 = (h1 ^ *p) * 1099511628211ull;
			h2 = (h2 ^ *p) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
		}
		h1 = (h1 ^ 0xff) * 1099511628211ull;
		h2 = (h2 ^ 0xfe) * 0x100000001b3ull;
	}
	strbuf_reset(out);
	strbuf_addf(out, "%lld:%016llx%016llx", timestamp, h1, h2);
}

/* The group of sess that a live event names (by ARN or by name). */
static struct logs_group *group_of(struct logs_live_session *sess, const char *ident)
{
	struct logs_runner *r = sess->r;
	if (!ident)
		return sess->nr == 1 ? &r->groups[sess->groups[0]] : NULL;
	/* AWS names the group as it was asked for (by ARN), else by name */
	for (size_t i = 0; i < sess->nr; i++)
		if (!strcmp(sess->arns[i], ident) || !strcmp(r->groups[sess->groups[i]].src->group, ident))
			return &r->groups[sess->groups[i]];
	return NULL;
}

static void session_update(struct logs_live_session *sess, const cJSON *doc)
{
	struct logs_runner *r = sess->r;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "sessionMetadata");
	int sampled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "sampled"));
	if (sampled && !sess->sampled)
		logs_runner_note(r, "live tail is sampling (over 500 events a second): some lines "
				    "of these groups are not shown");
	sess->sampled = sampled;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "sessionResults"))
	{
		struct logs_group *g = group_of(sess, logs_jstr(e, "logGroupIdentifier"));
		if (!g)
			continue;
		logs_runner_event(r, g, 1, logs_jstr(e, "logStreamName"), NULL,
				  logs_jtime(e, "timestamp", 1), logs_jtime(e, "ingestionTime", 1),
				  logs_jstr(e, "message"));
	}
}

static void session_closed(struct logs_live_session *sess);

static int on_message(const struct es_message *m, void *ud)
{
	struct logs_live_session *sess = ud;
	struct logs_runner *r = sess->r;
	const char *type = es_message_string(m, ":message-type");
	const char *event = es_message_string(m, ":event-type");

	sess->last_wall = logs_wall_ms();
	if (type && !strcmp(type, "event") && event) {
		if (!strcmp(event, "sessionStart")) {
			sess->started_wall = sess->last_wall;
			sess->failures = 0;
			return 0;
		}
		if (!strcmp(event, "sessionUpdate")) {
			cJSON *doc = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);
			if (doc)
				session_update(sess, doc);
			cJSON_Delete(doc);
			return r->rc ? 1 : 0;
		}
		return 0; /* initial-response and events we do not know */
	}
	/* an exception or error ends the session; the pollers take over meanwhile */
	const char *what = es_message_string(m, ":exception-type");
	if (!what)
		what = es_message_string(m, ":error-code");
	if (what && !strcmp(what, "SessionTimeoutException")) {
		sess->clean = 1; /* the three hours are up: just open another */
	} else {
		char *msg = xstrndup((const char *)m->payload,
				     m->payload_len > 300 ? 300 : m->payload_len);
		logs_runner_note(r, "live tail session ended (%s: %s): polling until a new one starts",
				 what ? what : "unknown message", msg);
		free(msg);
	}
	sess->closing = 1;
	return 1;
}

static int on_bytes(const void *data, size_t len, void *ud)
{
	struct logs_live_session *sess = ud;
	struct aws_error err;
	if (sess->closing || sess->r->rc)
		return 1;
	aws_error_clear(&err);
	int rc = es_decoder_feed(&sess->dec, data, len, on_message, sess, &err);
	if (rc < 0) {
		logs_runner_note(sess->r, "live tail: %s: polling until a new session starts",
				 err.message);
		sess->closing = 1;
	}
	return rc != 0;
}

static void open_session(struct logs_live_session *sess);

static void reopen_tick(void *ud)
{
	struct logs_live_session *sess = ud;
	if (!sess->r->rc && !sess->open)
		open_session(sess);
}

static void renew_tick(void *ud)
{
	struct logs_live_session *sess = ud;
	/* the timer of an earlier opening has nothing to end */
	if (sess->open && !sess->closing && sess->started_wall &&
	    logs_wall_ms() - sess->started_wall >= LIVE_RENEW_MS - 1000) {
		sess->closing = 1; /* the next update ends it; the pollers cover the switch */
		sess->clean = 1;
	}
}

static void on_done(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud)
{
	struct logs_live_session *sess = ud;
	struct logs_runner *r = sess->r;
	(void)call;
	(void)resp;
	sess->open = 0;
	if (r->rc || rc == -AWSX_EINTR)
		return;
	if (rc && !sess->closing) {
		/* refused outright: access, a group that does not exist, throttling */
		if (err->http_status >= 400 && err->http_status < 500 &&
		    strcmp(err->code, "ThrottlingException") &&
		    strcmp(err->code, "LimitExceededException") &&
		    strcmp(err->code, "ResourceNotFoundException")) {
			logs_runner_stop(r, rc, err);
			return;
		}
		struct strbuf sb = STRBUF_INIT;
		aws_error_format(err, &sb);
		if (!sess->failures)
			logs_runner_note(r, "live tail: %s: polling until a new session starts", sb.buf);
		strbuf_release(&sb);
	}
	session_closed(sess);
}

/* The session has ended: its groups go back to polling; a new one opens. */
static void session_closed(struct logs_live_session *sess)
{
	struct logs_runner *r = sess->r;
	long long since = sess->last_wall ? sess->last_wall : logs_wall_ms();
	for (size_t i = 0; i < sess->nr; i++)
		logs_runner_resume(r, &r->groups[sess->groups[i]], since);
	int clean = sess->clean;
	sess->started_wall = 0;
	sess->closing = 0;
	sess->clean = 0;
	long delay = 0;
	if (!clean) {
		sess->failures++;
		delay = 1000L << (sess->failures < 7 ? sess->failures - 1 : 6);
		if (delay > LIVE_MAX_BACKOFF_MS)
			delay = LIVE_MAX_BACKOFF_MS;
	}
	aws_batch_add_timer(r->batch, reopen_tick, sess, delay);
}

static void open_session(struct logs_live_session *sess)
{
	struct logs_runner *r = sess->r;

	es_decoder_release(&sess->dec);
	es_decoder_init(&sess->dec);
	aws_call_release(&sess->call);
	aws_call_init(&sess->call, "StartLiveTail");
	sess->call.flags = AWS_CALL_NO_RETRY;
	sess->call.region = sess->region;
	sess->call.host_prefix = "stream-";
	sess->call.on_stream = on_bytes;
	sess->call.stream_ud = sess;
	cJSON *in = sess->call.json = cJSON_CreateObject();
	cJSON *ids = cJSON_AddArrayToObject(in, "logGroupIdentifiers");
	for (size_t i = 0; i < sess->nr; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(sess->arns[i]));
	if (r->o->filter && *r->o->filter)
		cJSON_AddStringToObject(in, "logEventFilterPattern", r->o->filter);
	sess->open = 1;
	sess->closing = 0;
	sess->clean = 0;
	sess->started_wall = 0;
	sess->last_wall = 0;
	aws_batch_add(r->batch, &aws_svc_logs, &sess->call, on_done, sess);
	aws_batch_add_timer(r->batch, renew_tick, sess, (long)LIVE_RENEW_MS);
}

int logs_live_handover(const struct logs_group *g, long long query_wall)
{
	const struct logs_live_session *sess = g->session;
	return sess && sess->open && !sess->closing && sess->started_wall &&
	       query_wall >= sess->started_wall + LIVE_SETTLE_MS;
}

int logs_live_start(struct logs_runner *r, struct aws_error *err)
{
	struct sts_identity id;
	int rc = sts_get_caller_identity(r->ctx, &id, err);
	if (rc)
		return rc;
	struct logs_live *lv = xcalloc(1, sizeof(*lv));
	lv->account = xstrdup(id.account);
	r->live = lv;
	/* sessions of at most ten groups, each of one region */
	lv->s = xcalloc(r->nr_groups + 1, sizeof(*lv->s));
	for (size_t i = 0; i < r->nr_groups; i++) {
		struct logs_group *g = &r->groups[i];
		const char *region = g->src->region;
		struct logs_live_session *sess = NULL;
		for (size_t k = 0; k < lv->nr && !sess; k++) {
			struct logs_live_session *c = &lv->s[k];
			int same = (!c->region && !region) ||
				   (c->region && region && !strcmp(c->region, region));
			if (same && c->nr < LIVE_MAX_GROUPS)
				sess = c;
		}
		if (!sess) {
			sess = &lv->s[lv->nr++];
			sess->r = r;
			sess->region = region;
			sess->groups = xcalloc(LIVE_MAX_GROUPS, sizeof(*sess->groups));
			sess->arns = xcalloc(LIVE_MAX_GROUPS, sizeof(*sess->arns));
			es_decoder_init(&sess->dec);
		}
		const char *in = region ? region : aws_ctx_region(r->ctx);
		sess->arns[sess->nr] = xstrfmt("arn:%s:logs:%s:%s:log-group:%s",
					       endpoint_partition(in), in, lv->account,
					       g->src->group);
		sess->groups[sess->nr++] = i;
		g->session = sess;
	}
	for (size_t k = 0; k < lv->nr; k++)
		open_session(&lv->s[k]);
	return 0;
}

void logs_live_release(struct logs_runner *r)
{
	struct logs_live *lv = r->live;
	if (!lv)
		return;
	for (size_t k = 0; k < lv->nr; k++) {
		aws_call_release(&lv->s[k].call);
		es_decoder_release(&lv->s[k].dec);
		for (size_t i = 0; i < lv->s[k].nr; i++)
			free(lv->s[k].arns[i]);
		free(lv->s[k].arns);
		free(lv->s[k].groups);
	}
	free(lv->s);
	free(lv->account);
	free(lv);
	r->live = NULL;
}
