/* SPDX-License-Identifier: Apache-2.0 */
/* run.h: running build tools (see run.c). */
#ifndef AWSX_SYNC_RUN_H
#define AWSX_SYNC_RUN_H

#include "aws/util.h"

/*
 * Run argv (argv[0] looked up on PATH) in cwd (NULL: here) with stdin from
 * /dev/null and stdout and stderr to log_path, the variables of env_set
 * ("NAME=value", NULL-terminated, may be NULL) added to the environment.
 * Returns 0 when it exits 0; else -AWSX_EFAIL with the command, its exit
 * code and the last lines of the log ("is not installed" when argv[0] is
 * not found), or -AWSX_EINTR when Ctrl-C killed it.
 */
int sync_run_tool(const char *const *argv, const char *cwd, const char *const *env_set,
		  const char *log_path, struct aws_error *err);

#endif
