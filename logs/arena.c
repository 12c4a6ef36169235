/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c: FilterLogEvents pages parsed into an arena.  A page of 10,000
 * events is some 140,000 small cJSON allocations, and malloc, free and the
 * page faults behind them were half the CPU time of printing a large range.
 * Here cJSON allocates from a few large blocks for the length of one parse,
 * and the whole tree goes at once when the page is done.  cJSON's hooks are
 * global: they point at the arena only while cJSON_Parse runs (logs/ is
 * single-threaded), so no other cJSON object ever lands in it.
 */
#include "logs/internal.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (1u << 20)

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

static struct logs_arena *current; /* the arena cJSON's hooks allocate from */

static void *arena_malloc(size_t n)
{
	struct logs_arena *a = current;
	size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	struct arena_block *b = a->blocks;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = a->blocks;
		a->blocks = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p; /* everything goes in logs_arena_reset */
}

void logs_arena_init(struct logs_arena *a)
{
	memset(a, 0, sizeof(*a));
}

cJSON *logs_arena_parse(struct logs_arena *a, const char *text, size_t len)
{
	cJSON_Hooks arena_hooks = {arena_malloc, arena_free};
	current = a;
	cJSON_InitHooks(&arena_hooks);
	cJSON *j = cJSON_ParseWithLength(text, len);
	cJSON_InitHooks(NULL); /* malloc, free and realloc again */
	current = NULL;
	return j;
}

void logs_arena_reset(struct logs_arena *a)
{
	/* keep one block for the next page: no new page faults for it */
	struct arena_block *keep = NULL;
	while (a->blocks) {
		struct arena_block *next = a->blocks->next;
		if (!keep && a->blocks->size == ARENA_BLOCK) {
			keep = a->blocks;
			keep->next = NULL;
			keep->used = 0;
		} else {
			free(a->blocks);
		}
		a->blocks = next;
	}
	a->blocks = keep;
}

void logs_arena_release(struct logs_arena *a)
{
	while (a->blocks) {
		struct arena_block *next = a->blocks->next;
		free(a->blocks);
		a->blocks = next;
	}
}
