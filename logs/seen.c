/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seen.c: the events a tail has printed, by log group and eventId, so
 * that re-reading the late window on every poll prints each event once.
 * An open-addressing hash table; forgetting is done by rebuilding it
 * without the forgotten entries, which the poller asks for a few times a
 * minute, so the table stays the size of the late window.
 */
#include "logs/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct logs_seen_entry {
	char *id; /* NULL: empty slot */
	uint64_t hash;
	long long timestamp;
	size_t group;
};

#define SEEN_DEFAULT_MAX 4000000u

static uint64_t hash_of(size_t group, const char *id)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)group * 0x9e3779b97f4a7c15ull;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

void logs_seen_init(struct logs_seen *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max ? max : SEEN_DEFAULT_MAX;
}

void logs_seen_release(struct logs_seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].id);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static void place(struct logs_seen_entry *slots, size_t cap, const struct logs_seen_entry *e)
{
	size_t i = (size_t)(e->hash & (cap - 1));
	while (slots[i].id)
		i = (i + 1) & (cap - 1);
	slots[i] = *e;
}

/* Rebuild with capacity cap, keeping the entries keep() says yes to. */
static void rebuild(struct logs_seen *s, size_t cap,
		    int (*keep)(const struct logs_seen_entry *e, const void *data),
		    const void *data)
{
	struct logs_seen_entry *slots = xcalloc(cap, sizeof(*slots));
	size_t nr = 0;
	for (size_t i = 0; i < s->cap; i++) {
		struct logs_seen_entry *e = &s->slots[i];
		if (!e->id)
			continue;
		if (keep && !keep(e, data)) {
			free(e->id);
			continue;
		}
		place(slots, cap, e);
		nr++;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	s->nr = nr;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static int newer_than(const struct logs_seen_entry *e, const void *data)
{
	return e->timestamp > *(const long long *)data;
}

/* Full: forget the older half (by timestamp, the median too) of every group. */
static void evict_oldest(struct logs_seen *s)
{
	long long *ts = xmalloc(s->nr * sizeof(*ts));
	size_t n = 0;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].id)
			ts[n++] = s->slots[i].timestamp;
	qsort(ts, n, sizeof(*ts), cmp_ll);
	long long cut = ts[n / 2];
	free(ts);
	rebuild(s, s->cap, newer_than, &cut);
}

int logs_seen_add(struct logs_seen *s, size_t group, const char *id, long long timestamp)
{
	uint64_t h = hash_of(group, id);
	if (s->cap) {
		size_t i = (size_t)(h & (s->cap - 1));
		for (; s->slots[i].id; i = (i + 1) & (s->cap - 1)) {
			const struct logs_seen_entry *e = &s->slots[i];
			if (e->hash == h && e->group == group && !strcmp(e->id, id))
				return 0;
		}
	}
	if (s->nr + 1 > s->max)
		evict_oldest(s);
	if ((s->nr + 1) * 4 > s->cap * 3) /* keep the load under 3/4 */
		rebuild(s, s->cap ? s->cap * 2 : 64, NULL, NULL);
	struct logs_seen_entry e = {xstrdup(id), h, timestamp, group};
	place(s->slots, s->cap, &e);
	s->nr++;
	return 1;
}

struct prune_one {
	size_t group;
	long long before;
};

static int keep_one(const struct logs_seen_entry *e, const void *data)
{
	const struct prune_one *p = data;
	return e->group != p->group || e->timestamp >= p->before;
}

void logs_seen_prune(struct logs_seen *s, size_t group, long long before_ms)
{
	struct prune_one p = {group, before_ms};
	if (s->cap)
		rebuild(s, s->cap, keep_one, &p);
}

struct prune_all {
	const long long *before;
	size_t nr;
};

static int keep_all(const struct logs_seen_entry *e, const void *data)
{
	const struct prune_all *p = data;
	return e->group >= p->nr || e->timestamp >= p->before[e->group];
}

void logs_seen_prune_all(struct logs_seen *s, const long long *before_ms, size_t nr)
{
	struct prune_all p = {before_ms, nr};
	if (!s->cap)
		return;
	size_t cap = s->cap;
	/* shrink when a burst has passed: the table follows the window's size */
	while (cap > 64 && s->nr * 8 < cap)
		cap /= 2;
	rebuild(s, cap, keep_all, &p);
}
