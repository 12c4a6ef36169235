/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.h: small file-system helpers the modules share: whole-file replacement
 * that never leaves a half-written file, mkdir -p, rm -r.
 */
#ifndef AWSX_FS_H
#define AWSX_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "aws/util.h"

/*
 * Replace path with data: written to a temporary file in the same folder,
 * then renamed over path, so readers see the old or the new content and
 * never a mix.  durable: fsync before the rename (journals, plans), so a
 * crash cannot leave an empty file; caches pass 0 (a lost cache is rebuilt).
 * mode: the file's permissions (0644, 0600 for private state).
 * Returns 0, or -AWSX_EFAIL "cannot write '<path>': <strerror>".
 */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int durable,
		    struct aws_error *err);

/*
 * Create dir and its missing parents with mode.  Returns 0, or
 * -AWSX_EFAIL "cannot create folder '<dir>': <strerror>".
 */
int fs_mkdir_p(const char *dir, mode_t mode, struct aws_error *err);

/*
 * Remove path and, for a folder, everything under it (symlinks are removed,
 * never followed).  A missing path is no error.  Returns 0, or -AWSX_EFAIL.
 */
int fs_remove_tree(const char *path, struct aws_error *err);

#endif
