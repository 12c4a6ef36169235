/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c: .awsx/sync-state.json, what the last sync left deployed, per
 * "<region>/<stack>" and resource id.  A missing or unreadable file is an
 * empty state (the cloud is compared anyway); it is replaced atomically.
 */
#include "sync/deploy.h"

#include <stdlib.h>
#include <string.h>

#include "aws/fs.h"

int sync_state_load(struct sync_state *st, const char *awsx_dir, const char *region,
		    const char *stack_name, struct aws_error *err)
{
	struct strbuf text = STRBUF_INIT;
	char *key = xstrfmt("%s/%s", region ? region : "", stack_name);

	(void)err;
	memset(st, 0, sizeof(*st));
	st->path = xstrfmt("%s/sync-state.json", awsx_dir);
	if (!strbuf_read_file(&text, st->path, 64u << 20))
		st->root = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsObject(st->root)) {
		cJSON_Delete(st->root);
		st->root = cJSON_CreateObject();
	}
	cJSON *stacks = cJSON_GetObjectItemCaseSensitive(st->root, "stacks");
	if (!cJSON_IsObject(stacks)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st->root, "stacks");
		stacks = cJSON_AddObjectToObject(st->root, "stacks");
	}
	if (!cJSON_GetObjectItemCaseSensitive(st->root, "version"))
		cJSON_AddNumberToObject(st->root, "version", 1);
	st->stack = cJSON_GetObjectItemCaseSensitive(stacks, key);
	if (!cJSON_IsObject(st->stack)) {
		cJSON_DeleteItemFromObjectCaseSensitive(stacks, key);
		st->stack = cJSON_AddObjectToObject(stacks, key);
	}
	strbuf_release(&text);
	free(key);
	return 0;
}

cJSON *sync_state_resource(struct sync_state *st, const char *id)
{
	cJSON *r = cJSON_GetObjectItemCaseSensitive(st->stack, id);
	if (!cJSON_IsObject(r)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st->stack, id);
		r = cJSON_AddObjectToObject(st->stack, id);
	}
	return r;
}

int sync_state_save(struct sync_state *st, struct aws_error *err)
{
	char *text = cJSON_Print(st->root);
	int rc = fs_write_atomic(st->path, text, strlen(text), 0644, 0, err);
	cJSON_free(text);
	return rc;
}

void sync_state_release(struct sync_state *st)
{
	free(st->path);
	cJSON_Delete(st->root);
	memset(st, 0, sizeof(*st));
}
