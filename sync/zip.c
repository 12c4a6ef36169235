/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip.c: the deterministic zip writer for Lambda packages (APPNOTE.TXT
 * layout: local headers with sizes and CRC up front, no data descriptors,
 * no extra fields, one central directory, no ZIP64).  Worker threads read
 * and compress whole files with libdeflate level 6 (measured about twice as
 * fast as zlib level 6 here, with slightly smaller output) into per-entry
 * slots; the calling thread writes the slots strictly in tree order, so the
 * bytes never depend on scheduling.  How far the workers may run ahead is
 * bounded by a byte budget.  An entry's bytes come from compress_entry()
 * alone, the place a content-hash cache of deflate streams can wrap later.
 */
#include "sync/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZIP_LEVEL	   6
#define ZIP_METHOD_STORED  0
#define ZIP_METHOD_DEFLATE 8
#define ZIP_DOS_TIME	   0x0000		     /* 00:00:00 */
#define ZIP_DOS_DATE	   ((0 << 9) | (1 << 5) | 1) /* 1980-01-01 */
#define ZIP_MADE_BY	   ((3 << 8) | 20)	     /* Unix, spec 2.0 */
#define ZIP_FLAG_UTF8	   (1 << 11)
#define ZIP_MAX_ENTRIES	   0xffffu
#define ZIP_MAX_32	   0xffffffffULL /* 0xffffffff itself means "see ZIP64" */
#define ZIP_OUT_BUFFER	   (1 << 20)
#define ZIP_BUDGET	   (256ULL << 20) /* bytes in flight across workers */
#define ZIP_MAX_THREADS	   64

/* One entry's stored bytes, as compress_entry() makes them. */
struct zip_entry {
	unsigned char *data; /* owned; NULL for an empty file */
	size_t size;	     /* compressed (or stored) size */
	uint64_t usize;	     /* uncompressed size */
	uint32_t crc;
	uint16_t method;
};

struct zip_slot {
	struct zip_entry e;
	uint64_t cost; /* bytes charged to the budget while in flight */
	int done;
	char *error; /* set by a worker that could not read the file */
};

struct zip_job {
	const struct sync_tree *tree;
	struct zip_slot *slots;
	size_t next;	   /* next file a worker takes */
	uint64_t inflight; /* sum of cost of taken, not yet written slots */
	uint64_t unzipped; /* uncompressed bytes written so far */
	int abort;
	struct sync_zip_reuse *info; /* the caller's opts->entry_info, or NULL */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* any slot done, budget freed or abort */
};

/*
 * Turn a file's contents into its zip entry: CRC-32, then raw deflate if it
 * makes the data smaller, else the data stored as is.  Takes ownership of
 * in (len bytes, malloc'd): it either becomes e->data or is freed.  The
 * output depends only on the input bytes, which is what lets a cache keyed
 * by content hash stand in for this function.
 */
static void compress_entry(struct libdeflate_compressor *c, unsigned char *in, size_t len,
			   struct zip_entry *e)
{
	e->usize = len;
	e->crc = libdeflate_crc32(0, in, len);
	e->method = ZIP_METHOD_STORED;
	e->data = in;
	e->size = len;
	if (len < 2)
		return; /* deflate never wins below 2 bytes */
	/* room for len - 1 bytes: libdeflate returns 0 unless it shrinks */
	unsigned char *out = xmalloc(len - 1);
	size_t n = libdeflate_deflate_compress(c, in, len, out, len - 1);
	if (n) {
		free(in);
		e->data = xrealloc(out, n);
		e->size = n;
		e->method = ZIP_METHOD_DEFLATE;
	} else {
		free(out);
	}
}

/* Read the whole file at path; returns NULL and sets *error on failure. */
static unsigned char *read_whole(const struct sync_file *f, size_t *len, char **error)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		*error = xstrfmt("cannot read '%s': %s", f->name, strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size >= ZIP_MAX_32) {
		*error = xstrfmt(
		    "cannot zip '%s': files of 4 GiB or more need ZIP64, which awsx does not write",
		    f->name);
		goto out;
	}
	*len = (size_t)st.st_size;
	buf = xmalloc(*len ? *len : 1);
	while (got < *len) {
		ssize_t n = read(fd, buf + got, *len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error = xstrfmt("cannot read '%s': %s", f->name, strerror(errno));
			break;
		}
		if (n == 0) {
			*error = xstrfmt("cannot read '%s': it shrank while being zipped", f->name);
			break;
		}
		got += (size_t)n;
	}
	if (*error) {
		free(buf);
		buf = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/*
 * The compressed-entry cache: copy an entry's stored bytes from the earlier
 * zip named by f->reuse instead of reading and compressing the file.
 */
static void reuse_entry(const struct sync_file *f, struct zip_entry *e, char **error)
{
	const struct sync_zip_reuse *r = f->reuse;
	size_t got = 0, len = (size_t)r->csize;

	e->data = xmalloc(len ? len : 1);
	while (got < len) {
		ssize_t n = pread(r->fd, e->data + got, len - got, (off_t)(r->data_offset + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*error = xstrfmt("cannot reuse the compressed '%s' from the previous zip: %s",
					 f->name, n ? strerror(errno) : "it is truncated");
			free(e->data);
			e->data = NULL;
			return;
		}
		got += (size_t)n;
	}
	e->size = len;
	e->usize = r->usize;
	e->crc = r->crc;
	e->method = r->method;
}

static uint64_t slot_cost(const struct sync_file *f)
{
	if (f->reuse)
		return f->reuse->csize + 4096;
	return 2 * f->size + 4096; /* input and output buffers */
}

static void *worker_main(void *arg)
{
	struct zip_job *job = arg;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(ZIP_LEVEL);
	size_t nr = job->tree->nr;

	if (!c)
		abort(); /* allocation failure, as xmalloc */
	pthread_mutex_lock(&job->lock);
	for (;;) {
		while (!job->abort && job->next < nr && job->inflight > 0 &&
		       job->inflight + slot_cost(&job->tree->files[job->next]) > ZIP_BUDGET)
			pthread_cond_wait(&job->cond, &job->lock);
		if (job->abort || job->next >= nr)
			break;
		size_t i = job->next++;
		struct zip_slot *s = &job->slots[i];
		s->cost = slot_cost(&job->tree->files[i]);
		job->inflight += s->cost;
		pthread_mutex_unlock(&job->lock);

		size_t len = 0;
		char *error = NULL;
		const struct sync_file *f = &job->tree->files[i];
		struct zip_entry e = {0};
		if (f->reuse) {
			reuse_entry(f, &e, &error);
		} else {
			unsigned char *data = read_whole(f, &len, &error);
			if (data)
				compress_entry(c, data, len, &e);
		}

		pthread_mutex_lock(&job->lock);
		s->e = e;
		s->error = error;
		s->done = 1;
		pthread_cond_broadcast(&job->cond);
	}
	pthread_mutex_unlock(&job->lock);
	libdeflate_free_compressor(c);
	return NULL;
}

/* ---- output: buffered writes that also feed the SHA-256 ---- */

struct zip_out {
	int fd;
	uint64_t offset;
	struct strbuf buf;
	EVP_MD_CTX *sha;
	int error; /* errno of the first failed write */
};

static void out_flush_raw(struct zip_out *o, const void *data, size_t len)
{
	const char *p = data;
	while (len && !o->error) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			o->error = errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void out_flush(struct zip_out *o)
{
	out_flush_raw(o, o->buf.buf, o->buf.len);
	strbuf_reset(&o->buf);
}

static void out_add(struct zip_out *o, const void *data, size_t len)
{
	if (!len)
		return;
	EVP_DigestUpdate(o->sha, data, len);
	o->offset += len;
	/* a large block goes straight to the file: what is buffered goes first */
	if (o->buf.len + len > ZIP_OUT_BUFFER || len >= ZIP_OUT_BUFFER / 4)
		out_flush(o);
	if (len >= ZIP_OUT_BUFFER / 4)
		out_flush_raw(o, data, len);
	else
		strbuf_add(&o->buf, data, len);
}

static void put16(struct strbuf *sb, uint32_t v)
{
	unsigned char b[2] = {v & 0xff, (v >> 8) & 0xff};
	strbuf_add(sb, b, 2);
}

static void put32(struct strbuf *sb, uint64_t v)
{
	unsigned char b[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff};
	strbuf_add(sb, b, 4);
}

/* Nonzero when name has bytes past ASCII and they are well-formed UTF-8. */
static int name_is_utf8(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	int non_ascii = 0;
	while (*p) {
		unsigned char c = *p;
		int more;
		uint32_t cp;
		if (c < 0x80) {
			p++;
			continue;
		}
		non_ascii = 1;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		p++;
		for (int i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if ((more == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (more == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
	}
	return non_ascii;
}

/* The fields local and central headers share, from "version needed" on. */
static void put_common(struct strbuf *sb, const struct sync_file *f, const struct zip_entry *e)
{
	put16(sb, e->method == ZIP_METHOD_DEFLATE ? 20 : 10);
	put16(sb, name_is_utf8(f->name) ? ZIP_FLAG_UTF8 : 0);
	put16(sb, e->method);
	put16(sb, ZIP_DOS_TIME);
	put16(sb, ZIP_DOS_DATE);
	put32(sb, e->crc);
	put32(sb, e->size);
	put32(sb, e->usize);
	put16(sb, (uint32_t)strlen(f->name));
	put16(sb, 0); /* extra field length */
}

static void add_local_header(struct zip_out *o, const struct sync_file *f,
			     const struct zip_entry *e)
{
	struct strbuf h = STRBUF_INIT;
	put32(&h, 0x04034b50);
	put_common(&h, f, e);
	strbuf_adds(&h, f->name);
	out_add(o, h.buf, h.len);
	strbuf_release(&h);
}

static void add_central_header(struct strbuf *cd, const struct sync_file *f,
			       const struct zip_entry *e, uint64_t offset)
{
	put32(cd, 0x02014b50);
	put16(cd, ZIP_MADE_BY);
	put_common(cd, f, e);
	put16(cd, 0); /* comment length */
	put16(cd, 0); /* disk number start */
	put16(cd, 0); /* internal attributes */
	put32(cd, (uint64_t)(S_IFREG | f->mode) << 16);
	put32(cd, offset);
	strbuf_adds(cd, f->name);
}

static void add_end_record(struct strbuf *sb, size_t entries, uint64_t cd_size, uint64_t cd_offset)
{
	put32(sb, 0x06054b50);
	put16(sb, 0); /* this disk */
	put16(sb, 0); /* disk with the central directory */
	put16(sb, (uint32_t)entries);
	put16(sb, (uint32_t)entries);
	put32(sb, cd_size);
	put32(sb, cd_offset);
	put16(sb, 0); /* comment length */
}

static unsigned pick_threads(const struct sync_zip_options *opts, size_t nr)
{
	long n = opts && opts->threads ? (long)opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > ZIP_MAX_THREADS)
		n = ZIP_MAX_THREADS;
	if ((size_t)n > nr)
		n = (long)nr;
	return (unsigned)n;
}

/* Write the entries and central directory to o; 0 or -AWSX_EFAIL. */
static int write_entries(struct zip_job *job, struct zip_out *o, const char *out_path,
			 struct aws_error *err)
{
	const struct sync_tree *tree = job->tree;
	struct strbuf cd = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < tree->nr; i++) {
		const struct sync_file *f = &tree->files[i];
		struct zip_slot *s = &job->slots[i];
		pthread_mutex_lock(&job->lock);
		while (!s->done)
			pthread_cond_wait(&job->cond, &job->lock);
		pthread_mutex_unlock(&job->lock);
		if (s->error) {
			ret = aws_error_set(err, AWSX_EFAIL, "%s", s->error);
			goto out;
		}
		if (o->offset > ZIP_MAX_32 - 1) {
			ret = aws_error_set(err, AWSX_EFAIL,
					    "cannot write '%s': the zip passes 4 GiB, which needs "
					    "ZIP64 (not written by awsx)",
					    out_path);
			goto out;
		}
		job->unzipped += s->e.usize;
		add_central_header(&cd, f, &s->e, o->offset);
		add_local_header(o, f, &s->e);
		if (job->info) {
			struct sync_zip_reuse *r = &job->info[i];
			r->fd = -1;
			r->data_offset = o->offset;
			r->csize = s->e.size;
			r->usize = s->e.usize;
			r->crc = s->e.crc;
			r->method = s->e.method;
		}
		out_add(o, s->e.data, s->e.size);
		free(s->e.data);
		s->e.data = NULL;

		pthread_mutex_lock(&job->lock);
		job->inflight -= s->cost;
		pthread_cond_broadcast(&job->cond);
		pthread_mutex_unlock(&job->lock);
		if (o->error)
			break;
	}
	if (!o->error) {
		uint64_t cd_offset = o->offset;
		if (cd_offset + cd.len > ZIP_MAX_32 - 1) {
			ret = aws_error_set(err, AWSX_EFAIL,
					    "cannot write '%s': the zip passes 4 GiB, which needs "
					    "ZIP64 (not written by awsx)",
					    out_path);
			goto out;
		}
		add_end_record(&cd, tree->nr, cd.len, cd_offset);
		out_add(o, cd.buf, cd.len);
		out_flush(o);
	}
	if (o->error)
		ret = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", out_path,
				    strerror(o->error));
out:
	strbuf_release(&cd);
	return ret;
}

int sync_zip_write(const struct sync_tree *tree, const char *out_path,
		   const struct sync_zip_options *opts, struct sync_zip_result *result,
		   struct aws_error *err)
{
	struct zip_job job = {.tree = tree, .info = opts ? opts->entry_info : NULL};
	struct zip_out o = {.fd = -1, .buf = STRBUF_INIT};
	pthread_t threads[ZIP_MAX_THREADS];
	unsigned nthreads = 0, started = 0;
	char *tmp = NULL;
	int ret = 0;

	if (!tree->nr) {
		ret = aws_error_set(err, AWSX_EFAIL,
				    "nothing to zip for '%s': no files (is the path right, or did "
				    "the exclusions match everything?)",
				    out_path);
		goto out;
	}
	if (tree->nr > ZIP_MAX_ENTRIES) {
		ret = aws_error_set(err, AWSX_EFAIL,
				    "cannot write '%s': %zu files is more than the 65535 a zip "
				    "holds without ZIP64 (not written by awsx)",
				    out_path, tree->nr);
		goto out;
	}
	for (size_t i = 0; i < tree->nr; i++) {
		if (strlen(tree->files[i].name) > 0xffff) {
			ret = aws_error_set(err, AWSX_EFAIL,
					    "cannot zip '%s': name longer than 65535 bytes",
					    tree->files[i].name);
			goto out;
		}
	}

	tmp = xstrfmt("%s.tmp%ld", out_path, (long)getpid());
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o.fd < 0) {
		ret =
		    aws_error_set(err, AWSX_EFAIL, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	o.sha = EVP_MD_CTX_new();
	if (!o.sha || !EVP_DigestInit_ex(o.sha, EVP_sha256(), NULL))
		abort();
	strbuf_grow(&o.buf, ZIP_OUT_BUFFER);

	job.slots = xcalloc(tree->nr, sizeof(*job.slots));
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.cond, NULL);
	nthreads = pick_threads(opts, tree->nr);
	for (started = 0; started < nthreads; started++) {
		if (pthread_create(&threads[started], NULL, worker_main, &job)) {
			if (!started) {
				ret = aws_error_set(err, AWSX_EFAIL,
						    "cannot start a compression thread: %s",
						    strerror(errno));
				goto stop;
			}
			break; /* fewer workers is fine */
		}
	}

	ret = write_entries(&job, &o, out_path, err);

stop:
	pthread_mutex_lock(&job.lock);
	job.abort = 1;
	pthread_cond_broadcast(&job.cond);
	pthread_mutex_unlock(&job.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	for (size_t i = 0; i < tree->nr; i++) {
		free(job.slots[i].e.data);
		free(job.slots[i].error);
	}
	free(job.slots);
	pthread_cond_destroy(&job.cond);
	pthread_mutex_destroy(&job.lock);
	if (ret)
		goto out;

	if (close(o.fd)) {
		o.fd = -1;
		ret = aws_error_set(err, AWSX_EFAIL, "cannot write '%s': %s", out_path,
				    strerror(errno));
		goto out;
	}
	o.fd = -1;
	if (rename(tmp, out_path)) {
		ret = aws_error_set(err, AWSX_EFAIL, "cannot create '%s': %s", out_path,
				    strerror(errno));
		goto out;
	}
	if (result) {
		unsigned int mdlen = 0;
		memset(result, 0, sizeof(*result));
		EVP_DigestFinal_ex(o.sha, result->sha256, &mdlen);
		EVP_EncodeBlock((unsigned char *)result->sha256_b64, result->sha256, 32);
		result->zip_size = o.offset;
		result->entries = tree->nr;
		result->unzipped_size = job.unzipped;
	}
out:
	if (o.fd >= 0)
		close(o.fd);
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	EVP_MD_CTX_free(o.sha);
	strbuf_release(&o.buf);
	return ret;
}

int sync_lambda_check_size(uint64_t zipped, uint64_t unzipped, int via_s3, struct aws_error *err)
{
	const double mb = 1024.0 * 1024.0;
	int ret = 0;

	if (unzipped > SYNC_LAMBDA_MAX_UNZIPPED) {
		ret = aws_error_set(err, AWSX_EFAIL,
				    "package too large: %.1f MB unzipped is over Lambda's 250 MB "
				    "unzipped limit (%llu bytes, function and layers together)",
				    unzipped / mb, (unsigned long long)SYNC_LAMBDA_MAX_UNZIPPED);
		goto out;
	}
	if (!via_s3 && zipped > SYNC_LAMBDA_MAX_ZIPPED_DIRECT)
		ret = aws_error_set(
		    err, AWSX_EFAIL,
		    "package too large for a direct upload: %.1f MB zipped is over Lambda's 50 MB "
		    "limit (%llu bytes); upload through S3 (--s3-bucket)",
		    zipped / mb, (unsigned long long)SYNC_LAMBDA_MAX_ZIPPED_DIRECT);
out:
	return ret;
}

int sync_sha256_file_base64(const char *path, char out[45], struct aws_error *err)
{
	unsigned char md[32];
	int ret = sync_hash_file(path, md, err);
	if (!ret)
		EVP_EncodeBlock((unsigned char *)out, md, 32);
	return ret;
}
