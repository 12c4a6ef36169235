/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-logs-seen.c: libFuzzer target for the bookkeeping of a tail
 * (logs/seen.c, logs/merge.c): the input is a sequence of operations on
 * one seen set (a small maximum, so that eviction runs often) and one
 * reorder buffer, checked against a model of each.
 *
 * Input layout: byte 0 sets the seen set's maximum (1 to 16); then each
 * operation is a byte (its low 3 bits pick it) and its arguments:
 *   0 seen add      group, id, timestamp (1 byte: small, ties)
 *   1 seen add      group, id, timestamp (8 bytes)
 *   2 seen prune    group, before (1 byte)
 *   3 seen prune_all nr (0 to 5), nr befores (1 byte each)
 *   4 merge add     timestamp (1 byte), arrival (1 byte); high bit of the
 *                   operation byte: a trace instead of an event
 *   5 merge add     timestamp (8 bytes), arrival (8 bytes)
 *   6 merge flush   now, hold, watermark, stop after (1 byte each); high
 *                   bit: flush_all
 *   7 merge flush   now, hold, watermark (8 bytes each), stop after (1 byte)
 * A missing byte reads as zero.
 *
 * Checks.  Seen set: an add answers 0 for a key added since the last prune
 * that covered it, unless an eviction has run since it was added, and 1
 * for a key never added or pruned since; the answer is 1 exactly when the
 * set grew; after an add, nr <= max and the key is there.  Reorder buffer:
 * every item flushed is the oldest in the buffer by (timestamp, arrival
 * order), so one flush emits in non-decreasing timestamp order; it may
 * leave (flush_all, held long enough, or at most the watermark); the size
 * falls by the number emitted; emit's nonzero value ends the flush and is
 * returned; a flush that ran to its end leaves nothing a second flush
 * would emit.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/internal.h"

#define NR_GROUPS 4
#define NR_IDS	  24
#define MAX_ITEMS 4096

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static long long int64(struct input *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)byte(in) << (8 * i);
	return (long long)v;
}

/* ---- the seen set ---- */

/* What the model knows of one (group, id). */
struct key {
	int added;	     /* added since the last prune that covered it */
	int evictable;	     /* an eviction ran since: it may be gone */
	long long timestamp; /* of its first add */
};

struct seen_model {
	struct logs_seen s;
	struct key keys[NR_GROUPS][NR_IDS];
};

static void id_of(char *buf, size_t len, unsigned n)
{
	/* short ids that share prefixes; 0 is the empty id */
	if (n == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%c%u", "ab"[n & 1], n / 2);
}

static void seen_add(struct seen_model *m, size_t group, unsigned idn, long long ts)
{
	struct key *k = &m->keys[group][idn];
	char id[16];
	size_t nr = m->s.nr;
	int rc;

	id_of(id, sizeof(id), idn);
	rc = logs_seen_add(&m->s, group, id, ts);
	fuzz_assert(rc == 0 || rc == 1);
	if (k->added && !k->evictable)
		fuzz_assert(rc == 0);
	if (!k->added)
		fuzz_assert(rc == 1);
	fuzz_assert(m->s.nr <= m->s.max);
	if (rc == 0) {
		fuzz_assert(m->s.nr == nr);
		return;
	}
	if (m->s.nr != nr + 1) {
		/* an eviction: everything the set held may be gone */
		fuzz_assert(m->s.nr <= nr);
		for (size_t g = 0; g < NR_GROUPS; g++)
			for (size_t i = 0; i < NR_IDS; i++)
				m->keys[g][i].evictable = 1;
	}
	k->added = 1;
	k->evictable = 0;
	k->timestamp = ts;
	/* it is there now */
	fuzz_assert(logs_seen_add(&m->s, group, id, ts) == 0);
}

static void seen_forget(struct seen_model *m, size_t group, long long before)
{
	for (size_t i = 0; i < NR_IDS; i++) {
		struct key *k = &m->keys[group][i];
		if (k->added && k->timestamp < before)
			memset(k, 0, sizeof(*k));
	}
}

static void seen_prune(struct seen_model *m, size_t group, long long before)
{
	size_t nr = m->s.nr;
	logs_seen_prune(&m->s, group, before);
	fuzz_assert(m->s.nr <= nr);
	seen_forget(m, group, before);
}

static void seen_prune_all(struct seen_model *m, const long long *before, size_t nr_before)
{
	size_t nr = m->s.nr;
	logs_seen_prune_all(&m->s, before, nr_before);
	fuzz_assert(m->s.nr <= nr);
	for (size_t g = 0; g < nr_before && g < NR_GROUPS; g++)
		seen_forget(m, g, before[g]);
}

/* ---- the reorder buffer ---- */

struct item {
	long long timestamp, arrival;
	unsigned long seq;
};

struct merge_model {
	struct logs_merge m;
	struct item v[MAX_ITEMS]; /* what the buffer holds, in no order */
	size_t nr;
	unsigned long seq;
	/* the flush under way */
	long long now, hold, watermark;
	int flush_all;
	size_t emitted, stop_after;
	long long last_ts;
};

static void merge_add(struct merge_model *mm, long long ts, long long arrival, int trace)
{
	char id[32];
	if (mm->nr == MAX_ITEMS)
		return;
	snprintf(id, sizeof(id), "%lu", mm->seq);
	if (trace) {
		struct logs_trace t;
		memset(&t, 0, sizeof(t));
		t.id = xstrdup(id);
		t.start_ms = ts;
		t.segments = cJSON_CreateArray();
		logs_merge_add_trace(&mm->m, &t, arrival);
		fuzz_assert(t.id == NULL && t.segments == NULL); /* moved */
	} else {
		struct logs_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.timestamp = ts;
		ev.event_id = xstrdup(id);
		ev.message = xstrdup("m");
		ev.stream = xstrdup("s");
		logs_merge_add_event(&mm->m, &ev, arrival);
		fuzz_assert(ev.event_id == NULL && ev.message == NULL && ev.stream == NULL);
	}
	mm->v[mm->nr].timestamp = ts;
	mm->v[mm->nr].arrival = arrival;
	mm->v[mm->nr].seq = mm->seq++;
	mm->nr++;
	fuzz_assert(logs_merge_size(&mm->m) == mm->nr);
}

/* arrival + hold <= now, without overflow */
static int held_enough(long long arrival, long long hold, long long now)
{
	__int128 ready = (__int128)arrival + hold;
	return ready <= now;
}

static int on_item(const struct logs_item *item, void *ud)
{
	struct merge_model *mm = ud;
	const char *id;
	size_t min = 0;

	fuzz_assert((item->event != NULL) != (item->trace != NULL));
	id = item->event ? item->event->event_id : item->trace->id;
	fuzz_assert(item->timestamp ==
		    (item->event ? item->event->timestamp : item->trace->start_ms));
	fuzz_assert(mm->nr > 0);
	/* the oldest the buffer holds, by (timestamp, arrival order) */
	for (size_t i = 1; i < mm->nr; i++)
		if (mm->v[i].timestamp < mm->v[min].timestamp ||
		    (mm->v[i].timestamp == mm->v[min].timestamp && mm->v[i].seq < mm->v[min].seq))
			min = i;
	fuzz_assert(item->timestamp == mm->v[min].timestamp);
	fuzz_assert(strtoul(id, NULL, 10) == mm->v[min].seq);
	fuzz_assert(mm->emitted == 0 || item->timestamp >= mm->last_ts);
	/* and its time has come */
	fuzz_assert(mm->flush_all || held_enough(mm->v[min].arrival, mm->hold, mm->now) ||
		    (mm->watermark != LLONG_MIN && item->timestamp <= mm->watermark));
	mm->last_ts = item->timestamp;
	mm->v[min] = mm->v[--mm->nr];
	mm->emitted++;
	return mm->stop_after && mm->emitted >= mm->stop_after ? 42 : 0;
}

static void merge_flush(struct merge_model *mm, long long now, long long hold, long long watermark,
			int flush_all, size_t stop_after)
{
	size_t size = logs_merge_size(&mm->m);
	int rc;

	mm->now = now;
	mm->hold = hold;
	mm->watermark = watermark;
	mm->flush_all = flush_all;
	mm->emitted = 0;
	mm->stop_after = stop_after;
	rc = logs_merge_flush(&mm->m, now, hold, watermark, flush_all, on_item, mm);
	fuzz_assert(logs_merge_size(&mm->m) == size - mm->emitted);
	fuzz_assert(logs_merge_size(&mm->m) == mm->nr);
	if (rc) {
		fuzz_assert(rc == 42 && mm->emitted == stop_after);
		return;
	}
	fuzz_assert(!stop_after || mm->emitted < stop_after);
	if (flush_all)
		fuzz_assert(mm->nr == 0);
	/* it stopped at the first that may still wait: nothing more may go now */
	mm->emitted = 0;
	mm->stop_after = 0;
	fuzz_assert(logs_merge_flush(&mm->m, now, hold, watermark, flush_all, on_item, mm) == 0);
	fuzz_assert(mm->emitted == 0);
}

static long long small_ts(uint8_t b)
{
	return (long long)b - 128;
}

static long long small_watermark(uint8_t b)
{
	return b == 0xff ? LLONG_MIN : small_ts(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	static struct seen_model sm;
	static struct merge_model mm;
	long long before[5];

	memset(&sm, 0, sizeof(sm));
	memset(&mm, 0, sizeof(mm));
	logs_seen_init(&sm.s, 1 + byte(&in) % 16);
	logs_merge_init(&mm.m);

	while (in.left) {
		uint8_t op = byte(&in);
		size_t group, nr;
		unsigned idn;
		long long ts, a, b, c;

		switch (op & 7) {
		case 0:
		case 1:
			group = byte(&in) % NR_GROUPS;
			idn = byte(&in) % NR_IDS;
			ts = (op & 7) == 0 ? small_ts(byte(&in)) : int64(&in);
			seen_add(&sm, group, idn, ts);
			break;
		case 2:
			group = byte(&in) % NR_GROUPS;
			seen_prune(&sm, group, small_ts(byte(&in)));
			break;
		case 3:
			nr = byte(&in) % 6;
			for (size_t i = 0; i < nr; i++)
				before[i] = small_watermark(byte(&in));
			seen_prune_all(&sm, before, nr);
			break;
		case 4:
			ts = small_ts(byte(&in));
			merge_add(&mm, ts, byte(&in), op & 0x80);
			break;
		case 5:
			ts = int64(&in);
			merge_add(&mm, ts, int64(&in), op & 0x80);
			break;
		case 6:
			a = byte(&in);
			b = byte(&in);
			c = small_watermark(byte(&in));
			merge_flush(&mm, a, b, c, op & 0x80, byte(&in) % 8);
			break;
		case 7:
			a = int64(&in);
			b = int64(&in);
			c = int64(&in);
			merge_flush(&mm, a, b, c, op & 0x80, byte(&in) % 8);
			break;
		}
	}
	logs_seen_release(&sm.s);
	logs_merge_release(&mm.m);
	return 0;
}
