/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.c: see fs.h.
 */
#include "aws/fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int durable,
		    struct aws_error *err)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p = data;
	int fd = -1, rc = 0;

	strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", path,
					   strerror(n < 0 ? errno : EIO));
			goto out;
		}
		off += (size_t)n;
	}
	/* the rename is atomic; with durable, fsync first so a crash cannot leave it empty */
	if (fchmod(fd, mode) || (durable && fsync(fd)) || close(fd)) {
		fd = -1;
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.buf, path)) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

int fs_mkdir_p(const char *dir, mode_t mode, struct aws_error *err)
{
	char *p = xstrdup(dir);
	int rc = 0;
	struct stat st;

	if (!stat(p, &st) && S_ISDIR(st.st_mode))
		goto out; /* the common case: one stat */
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot create folder '%s': %s", p,
					   strerror(errno));
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) && errno != EEXIST)
		rc = aws_error_set(err, AWSX_EFAIL, "cannot create folder '%s': %s", dir,
				   strerror(errno));
out:
	free(p);
	return rc;
}

int fs_remove_tree(const char *path, struct aws_error *err)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0
				       : aws_error_set(err, AWSX_EFAIL, "cannot remove '%s': %s",
						       path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		if (!d)
			return aws_error_set(err, AWSX_EFAIL, "cannot remove '%s': %s", path,
					     strerror(errno));
		while (!rc && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char *child = xstrfmt("%s/%s", path, de->d_name);
			rc = fs_remove_tree(child, err);
			free(child);
		}
		closedir(d);
		if (!rc && rmdir(path))
			rc = aws_error_set(err, AWSX_EFAIL, "cannot remove '%s': %s", path,
					   strerror(errno));
		return rc;
	}
	if (unlink(path) && errno != ENOENT)
		return aws_error_set(err, AWSX_EFAIL, "cannot remove '%s': %s", path,
				     strerror(errno));
	return 0;
}
