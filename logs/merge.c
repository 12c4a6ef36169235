/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c: the reorder buffer that turns several groups' pages, which
 * arrive in whatever order the polls finish, into one stream in timestamp
 * order.  A binary min-heap by (timestamp, arrival sequence); the poller
 * decides when an item's time has come: after a short hold while tailing,
 * or once every group has read past it when printing a range.
 */
#include "logs/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct logs_merge_entry {
	long long timestamp;
	long long arrival_ms;
	unsigned long long seq;
	struct logs_event *event; /* one of the two */
	struct logs_trace *trace;
};

void logs_event_release(struct logs_event *ev)
{
	free(ev->stream);
	free(ev->event_id);
	free(ev->message);
	memset(ev, 0, sizeof(*ev));
}

void logs_trace_release(struct logs_trace *t)
{
	free(t->id);
	cJSON_Delete(t->segments);
	memset(t, 0, sizeof(*t));
}

void logs_merge_init(struct logs_merge *m)
{
	memset(m, 0, sizeof(*m));
}

static void entry_free(struct logs_merge_entry *e)
{
	if (e->event) {
		logs_event_release(e->event);
		free(e->event);
	}
	if (e->trace) {
		logs_trace_release(e->trace);
		free(e->trace);
	}
}

void logs_merge_release(struct logs_merge *m)
{
	for (size_t i = 0; i < m->nr; i++)
		entry_free(&m->heap[i]);
	free(m->heap);
	memset(m, 0, sizeof(*m));
}

size_t logs_merge_size(const struct logs_merge *m)
{
	return m->nr;
}

long long logs_merge_min(const struct logs_merge *m)
{
	return m->nr ? m->heap[0].timestamp : LLONG_MAX;
}

static int before(const struct logs_merge_entry *a, const struct logs_merge_entry *b)
{
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp;
	return a->seq < b->seq;
}

static void push(struct logs_merge *m, struct logs_merge_entry e)
{
	ALLOC_GROW(m->heap, m->nr + 1, m->alloc);
	size_t i = m->nr++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&e, &m->heap[parent]))
			break;
		m->heap[i] = m->heap[parent];
		i = parent;
	}
	m->heap[i] = e;
}

static struct logs_merge_entry pop(struct logs_merge *m)
{
	struct logs_merge_entry top = m->heap[0];
	struct logs_merge_entry last = m->heap[--m->nr];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m->nr)
			break;
		if (c + 1 < m->nr && before(&m->heap[c + 1], &m->heap[c]))
			c++;
		if (!before(&m->heap[c], &last))
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->nr)
		m->heap[i] = last;
	return top;
}

void logs_merge_add_event(struct logs_merge *m, struct logs_event *ev, long long arrival_ms)
{
	struct logs_merge_entry e = {ev->timestamp, arrival_ms, m->seq++, NULL, NULL};
	e.event = xmalloc(sizeof(*e.event));
	*e.event = *ev;
	memset(ev, 0, sizeof(*ev));
	push(m, e);
}

void logs_merge_add_trace(struct logs_merge *m, struct logs_trace *t, long long arrival_ms)
{
	struct logs_merge_entry e = {t->start_ms, arrival_ms, m->seq++, NULL, NULL};
	e.trace = xmalloc(sizeof(*e.trace));
	*e.trace = *t;
	memset(t, 0, sizeof(*t));
	push(m, e);
}

/* arrival + hold <= now, without overflowing: a hold of LLONG_MAX means never */
static int held_enough(long long arrival, long long hold, long long now)
{
	if (hold >= 0 ? arrival > LLONG_MAX - hold : arrival < LLONG_MIN - hold)
		return hold < 0;
	return arrival + hold <= now;
}

int logs_merge_flush(struct logs_merge *m, long long now_ms, long long hold_ms,
		     long long watermark, int flush_all, logs_emit_fn *emit, void *ud)
{
	while (m->nr) {
		const struct logs_merge_entry *top = &m->heap[0];
		if (!flush_all && !held_enough(top->arrival_ms, hold_ms, now_ms) &&
		    (watermark == LLONG_MIN || top->timestamp > watermark))
			break;
		struct logs_merge_entry e = pop(m);
		struct logs_item item = {e.timestamp, e.event, e.trace};
		int rc = emit(&item, ud);
		entry_free(&e);
		if (rc)
			return rc;
	}
	return 0;
}
