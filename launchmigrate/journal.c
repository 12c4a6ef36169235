/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal.c: the lc-migrate journal, an append-only JSON-lines file.  Each
 * mutation is written and fsync'ed before the next one starts, so after a
 * crash or Ctrl-C the file says exactly what was done: apply resumes from
 * it and undo reverses it.
 */
#include "launchmigrate/launchmigrate.h"
#include "aws/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int lcm_journal_open(struct lcm_journal *j, const char *path, struct aws_error *err)
{
	struct strbuf text = STRBUF_INIT;
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->entries = cJSON_CreateArray();

	if (path) {
		j->path = xstrdup(path);
	} else {
		const char *home = getenv("HOME");
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		struct strbuf dir = STRBUF_INIT;
		strbuf_addf(&dir, "%s/.awsx/lc-migrate", home && *home ? home : ".");
		if (fs_mkdir_p(dir.buf, 0700, err)) {
			strbuf_release(&dir);
			return -AWSX_EFAIL;
		}
		j->path = xstrfmt("%s/%s.jsonl", dir.buf, stamp);
		strbuf_release(&dir);
	}
	if (!strbuf_read_file(&text, j->path, 256u << 20)) {
		/* resume: read what an earlier run recorded */
		const char *p = text.buf, *end = text.buf + text.len;
		int lineno = 0;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			lineno++;
			if (!nl)
				break; /* a torn last line: the write that a crash cut */
			cJSON *e = cJSON_ParseWithLength(p, (size_t)(nl - p));
			if (!e || !cJSON_IsObject(e)) {
				cJSON_Delete(e);
				strbuf_release(&text);
				return aws_error_set(err, AWSX_EFAIL,
						     "cannot read journal '%s': line %d is not a JSON object",
						     j->path, lineno);
			}
			cJSON_AddItemToArray(j->entries, e);
			p = nl + 1;
		}
	} else if (errno != ENOENT) {
		int e = errno;
		strbuf_release(&text);
		return aws_error_set(err, AWSX_EFAIL, "cannot read journal '%s': %s", j->path,
				     strerror(e));
	}
	strbuf_release(&text);
	j->fd = open(j->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return aws_error_set(err, AWSX_EFAIL, "cannot open journal '%s': %s", j->path,
				     strerror(errno));
	/* a torn last line is ended, so the next entry starts on its own line */
	off_t size = lseek(j->fd, 0, SEEK_END);
	if (size > 0) {
		char last = '\n';
		int rfd = open(j->path, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			if (pread(rfd, &last, 1, size - 1) != 1)
				last = '\n';
			close(rfd);
		}
		if (last != '\n' && write(j->fd, "\n", 1) != 1)
			return aws_error_set(err, AWSX_EFAIL, "cannot write journal '%s': %s",
					     j->path, strerror(errno));
	}
	return 0;
}

int lcm_journal_append(struct lcm_journal *j, cJSON *entry, struct aws_error *err)
{
	char stamp[32];
	format_iso8601((long long)time(NULL), stamp, sizeof(stamp));
	cJSON_AddStringToObject(entry, "time", stamp);
	char *line = cJSON_PrintUnformatted(entry);
	size_t len = strlen(line);
	int rc = 0;
	line[len] = '\n'; /* cJSON's buffer has room for the NUL we overwrite */
	for (size_t off = 0; off < len + 1;) {
		ssize_t n = write(j->fd, line + off, len + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot write journal '%s': %s", j->path,
					   strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (!rc && fsync(j->fd))
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write journal '%s': %s", j->path,
				   strerror(errno));
	cJSON_free(line);
	cJSON_AddItemToArray(j->entries, entry);
	return rc;
}

static int str_is(const cJSON *o, const char *name, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && !strcmp(v->valuestring, want);
}

const cJSON *lcm_journal_find(const struct lcm_journal *j, const char *op, const char *account,
			      const char *region, const char *key, const char *value)
{
	const cJSON *found = NULL, *e;
	cJSON_ArrayForEach(e, j->entries) {
		if (str_is(e, "op", op) && str_is(e, "account", account) &&
		    str_is(e, "region", region) && (!key || str_is(e, key, value)))
			found = e;
	}
	return found;
}

void lcm_journal_close(struct lcm_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	cJSON_Delete(j->entries);
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}
