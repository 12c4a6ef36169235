/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: run a build tool (pip, npm, make) in a folder with its output in
 * a log file, and turn a failure into one message that quotes the end of
 * that log, which is where pip, npm and make say what went wrong.
 */
#include "sync/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAIL_LINES 8

/* The last few lines of the log, indented, for the error message. */
static void log_tail(const char *log_path, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;
	if (strbuf_read_file(&text, log_path, 16u << 20) || !text.len)
		goto out;
	strbuf_trim(&text);
	size_t start = text.len;
	int lines = 0;
	while (start > 0 && lines < TAIL_LINES) {
		start--;
		if (text.buf[start] == '\n')
			lines++;
	}
	if (text.buf[start] == '\n')
		start++;
	for (const char *p = text.buf + start; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_adds(out, "\n    ");
		strbuf_add(out, p, n);
		p += n + (nl ? 1 : 0);
	}
out:
	strbuf_release(&text);
}

int sync_run_tool(const char *const *argv, const char *cwd, const char *const *env_set,
		  const char *log_path, struct aws_error *err)
{
	int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log < 0)
		return aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", log_path,
				     strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(log);
		return aws_error_set(err, AWSX_EFAIL, "cannot run %s: %s", argv[0],
				     strerror(errno));
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(log, 1);
		dup2(log, 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		for (size_t i = 0; env_set && env_set[i]; i++)
			putenv((char *)env_set[i]);
		if (cwd && chdir(cwd)) {
			dprintf(2, "cannot enter '%s': %s\n", cwd, strerror(errno));
			_exit(126);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(log);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return aws_error_set(err, AWSX_EFAIL, "cannot wait for %s: %s", argv[0],
					     strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;

	struct strbuf cmd = STRBUF_INIT, tail = STRBUF_INIT;
	for (size_t i = 0; argv[i]; i++)
		strbuf_addf(&cmd, "%s%s", i ? " " : "", argv[i]);
	log_tail(log_path, &tail);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		aws_error_set(err, AWSX_EFAIL, "cannot run '%s': %s is not installed (or not on PATH)",
			      cmd.buf, argv[0]);
	else if (WIFEXITED(status))
		aws_error_set(err, AWSX_EFAIL, "'%s' failed with exit code %d in '%s' (log: %s)%s",
			      cmd.buf, WEXITSTATUS(status), cwd ? cwd : ".", log_path, tail.buf);
	else
		aws_error_set(err, AWSX_EFAIL, "'%s' was killed by signal %d (log: %s)%s", cmd.buf,
			      WTERMSIG(status), log_path, tail.buf);
	strbuf_release(&cmd);
	strbuf_release(&tail);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGINT ? -AWSX_EINTR : -AWSX_EFAIL;
}
