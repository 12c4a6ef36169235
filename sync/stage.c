/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage.c: copy a resource's sources into its build folder, behind a stat
 * cache, so that a build where nothing changed reads no file at all: one
 * stat per file, compared with the record of the previous build.  The cache
 * is a JSON file of records [name, size, mtime_ns, inode, mode, sha256]
 * sorted by name; numbers that may pass 2^53 are kept as strings.
 */
#include "sync/build.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/fs.h"

#define STAGE_RACY_NS 2000000000LL /* trust a record only for files older than this */
#define STAGE_CHUNK   (256 * 1024)

struct record {
	const char *name; /* borrowed from the parsed cache */
	uint64_t size, ino;
	int64_t mtime_ns;
	uint32_t mode;
	unsigned char sha[32];
};

struct cache {
	cJSON *json;
	struct record *r;
	size_t nr;
	int64_t written_ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t num_of(const cJSON *j)
{
	if (cJSON_IsString(j))
		return strtoull(j->valuestring, NULL, 10);
	return cJSON_IsNumber(j) && j->valuedouble > 0 ? (uint64_t)j->valuedouble : 0;
}

/* Load the cache; anything unreadable or malformed is an empty cache. */
static void cache_load(struct cache *c, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	memset(c, 0, sizeof(*c));
	if (strbuf_read_file(&text, path, 256u << 20))
		goto out;
	c->json = cJSON_ParseWithLength(text.buf, text.len);
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(c->json, "files");
	if (cJSON_GetObjectItemCaseSensitive(c->json, "version") == NULL || !cJSON_IsArray(files))
		goto out;
	c->written_ns = (int64_t)num_of(cJSON_GetObjectItemCaseSensitive(c->json, "written_ns"));
	c->r = xcalloc((size_t)cJSON_GetArraySize(files) + 1, sizeof(*c->r));
	const cJSON *e;
	cJSON_ArrayForEach(e, files)
	{
		const cJSON *f[6];
		int i = 0;
		for (const cJSON *x = e->child; x && i < 6; x = x->next)
			f[i++] = x;
		if (i != 6 || !cJSON_IsString(f[0]) || !cJSON_IsString(f[5]))
			continue;
		struct record *r = &c->r[c->nr];
		r->name = f[0]->valuestring;
		r->size = num_of(f[1]);
		r->mtime_ns = (int64_t)num_of(f[2]);
		r->ino = num_of(f[3]);
		r->mode = (uint32_t)num_of(f[4]);
		if (hex_decode(f[5]->valuestring, r->sha, 32))
			continue;
		/* records must stay sorted for the lookup; drop any out of order */
		if (c->nr && strcmp(c->r[c->nr - 1].name, r->name) >= 0)
			continue;
		c->nr++;
	}
out:
	strbuf_release(&text);
}

static const struct record *cache_find(const struct cache *c, const char *name)
{
	size_t lo = 0, hi = c->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->r[mid].name, name);
		if (!cmp)
			return &c->r[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int sync_hash_file(const char *path, unsigned char sha[32], struct aws_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = xmalloc(STAGE_CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	unsigned int len = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	if (fd < 0) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, STAGE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", path,
					   strerror(errno));
			goto out;
		}
		if (!n)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(md, sha, &len);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Parent folders of dst/name, created as needed. */
static int make_parents(const char *path, struct aws_error *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int rc = fs_mkdir_p(dir, 0755, err);
	free(dir);
	return rc;
}

/* Copy src to dst (through a temporary name) with mode, hashing on the way. */
static int copy_hash(const char *src, const char *dst, uint32_t mode, unsigned char sha[32],
		     struct aws_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = xmalloc(STAGE_CHUNK);
	char *tmp = xstrfmt("%s.awsx-tmp", dst);
	int in = -1, out = -1, rc = 0;
	unsigned int len = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", src, strerror(errno));
		goto out;
	}
	if (make_parents(dst, err)) {
		rc = -AWSX_EFAIL;
		goto out;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, STAGE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", src,
					   strerror(errno));
			goto out;
		}
		if (!n)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		if (write_all(out, buf, (size_t)n)) {
			rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", tmp,
					   strerror(errno));
			goto out;
		}
	}
	if (fchmod(out, mode & 07777) || close(out)) {
		out = -1;
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	out = -1;
	if (rename(tmp, dst)) {
		rc = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", dst, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(md, sha, &len);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc)
		unlink(tmp);
	free(tmp);
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

static int cache_save(const char *path, const struct sync_tree *t, int64_t written_ns,
		      struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	strbuf_addf(&sb, "{\"version\":1,\"written_ns\":\"%lld\",\"files\":[",
		    (long long)written_ns);
	for (size_t i = 0; i < t->nr; i++) {
		const struct sync_file *f = &t->files[i];
		cJSON *name = cJSON_CreateString(f->name);
		char *quoted = cJSON_PrintUnformatted(name);
		strbuf_addf(&sb, "%s[%s,%llu,\"%lld\",\"%llu\",%u,\"", i ? ",\n" : "\n", quoted,
			    (unsigned long long)f->size, (long long)f->mtime_ns,
			    (unsigned long long)f->ino, (unsigned)f->mode);
		strbuf_addhex(&sb, f->sha256, 32);
		strbuf_adds(&sb, "\"]");
		cJSON_free(quoted);
		cJSON_Delete(name);
	}
	strbuf_adds(&sb, "\n]}\n");
	rc = fs_write_atomic(path, sb.buf, sb.len, 0644, 0, err);
	strbuf_release(&sb);
	return rc;
}

int sync_stage(const char *src, sync_exclude_fn *exclude, void *exclude_data, const char *dst,
	       const char *cache_path, struct sync_tree *out, struct sync_stage_stats *stats,
	       struct aws_error *err)
{
	struct cache c;
	struct sync_stage_stats st = {0};
	int64_t started = now_ns();
	int changed = 0, rc;

	rc = sync_tree_collect(out, src, exclude, exclude_data, err);
	if (rc)
		return rc;
	cache_load(&c, cache_path);
	struct stat dst_st;
	if (stat(dst, &dst_st)) {
		/* the staging folder is gone: the records describe nothing */
		free(c.r);
		c.r = NULL;
		c.nr = 0;
	}
	if (fs_mkdir_p(dst, 0755, err)) {
		rc = -AWSX_EFAIL;
		goto out;
	}
	st.files = out->nr;
	for (size_t i = 0; i < out->nr && !rc; i++) {
		struct sync_file *f = &out->files[i];
		const struct record *r = cache_find(&c, f->name);
		char *staged = xstrfmt("%s/%s", dst, f->name);

		int same_stat = r && r->size == f->size && r->mtime_ns == f->mtime_ns &&
				r->ino == f->ino && r->mode == f->mode;
		if (same_stat && f->mtime_ns + STAGE_RACY_NS < c.written_ns) {
			memcpy(f->sha256, r->sha, 32);
		} else if (same_stat) {
			/* racy record: read to be sure, copy only if it differs */
			rc = sync_hash_file(f->path, f->sha256, err);
			st.hashed++;
			changed = 1;
			if (!rc && memcmp(f->sha256, r->sha, 32)) {
				rc = copy_hash(f->path, staged, f->mode, f->sha256, err);
				st.copied++;
			}
		} else {
			rc = copy_hash(f->path, staged, f->mode, f->sha256, err);
			st.hashed++;
			st.copied++;
			changed = 1;
		}
		f->hashed = 1;
		free(f->path);
		f->path = staged;
	}
	/* what the source no longer has goes from the staging folder too */
	for (size_t i = 0, j = 0; i < c.nr && !rc; i++) {
		while (j < out->nr && strcmp(out->files[j].name, c.r[i].name) < 0)
			j++;
		if (j < out->nr && !strcmp(out->files[j].name, c.r[i].name))
			continue;
		char *staged = xstrfmt("%s/%s", dst, c.r[i].name);
		if (unlink(staged) && errno != ENOENT)
			rc = aws_error_set(err, AWSX_EFAIL, "cannot remove '%s': %s", staged,
					   strerror(errno));
		free(staged);
		st.removed++;
		changed = 1;
	}
	if (!rc && (changed || c.nr != out->nr))
		rc = cache_save(cache_path, out, started, err);
out:
	if (stats)
		*stats = st;
	free(c.r);
	cJSON_Delete(c.json);
	return rc;
}
