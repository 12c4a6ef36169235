/* SPDX-License-Identifier: Apache-2.0 */
/* watch.h: `awsx sync --watch` (see watch.c). */
#ifndef AWSX_SYNC_WATCH_H
#define AWSX_SYNC_WATCH_H

#include "sync/fullsync.h"

struct sync_watch_options {
	struct sync_full_options full; /* what every sync uses */
	const char *const *excludes;   /* --watch-exclude ID=GLOB */
	size_t nexcludes;
	unsigned quiet_ms;	       /* quiet period after the last event */
	FILE *out;		       /* watch messages */
	/* reports, printed by the caller */
	void (*on_full)(const struct sync_full_report *rep, int rc, const struct aws_error *err,
			void *ud);
	void (*on_code)(const struct sync_code_report *rep, int rc, const struct aws_error *err,
			void *ud);
	void (*on_error)(const struct aws_error *err, void *ud);
	void *ud;
};

/*
 * Watch the template and the resources' sources until Ctrl-C (then
 * -AWSX_EINTR) and sync what changes; the first full sync is the caller's.
 * Returns only on Ctrl-C or when the watch cannot start.
 */
int sync_watch(struct aws_ctx *ctx, const struct sync_watch_options *o, struct aws_error *err);

#endif
