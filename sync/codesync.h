/* SPDX-License-Identifier: Apache-2.0 */
/* codesync.h: `awsx sync --code` as a library call (see codesync.c). */
#ifndef AWSX_SYNC_CODESYNC_H
#define AWSX_SYNC_CODESYNC_H

#include "sync/deploy.h"

struct sync_code_options {
	const char *template_path;
	const char *stack_name;
	const struct kvlist *parameter_overrides;
	const char *const *resource_ids; /* --resource-id: ids ("Child/Fn"); none: all */
	size_t nids;
	const char *const *resource_types; /* --resource: template types; none: all */
	size_t ntypes;
	const char *s3_bucket;
	int dependency_layer;
	FILE *progress; /* dependency installs, make */
};

struct sync_code_report {
	struct tmpl_model *model;
	struct cfn_resources stack;
	struct sync_built *built; /* nr, in template order */
	struct sync_result *results;
	size_t nr;
	/* selected, but with nothing a code sync can push (inline code, images) */
	const struct tmpl_resource **not_syncable;
	size_t not_syncable_nr, not_syncable_alloc;
	long long build_ms, total_ms;
};

/*
 * Sync the code of the selected resources of o->template_path to stack
 * o->stack_name.  Returns 0 when everything synced or was unchanged; else
 * the error in err (template and build errors name file and line; a flow's
 * failure is in its result, err then says that the sync failed).  The
 * report is filled as far as the run went: release it in every case.
 */
int sync_code_run(struct aws_ctx *ctx, const struct sync_code_options *o,
		  struct sync_code_report *rep, struct aws_error *err);
void sync_code_report_release(struct sync_code_report *rep);

#endif
