/* SPDX-License-Identifier: Apache-2.0 */
/*
 * package.c: a resource's zip, rewritten only when its entries changed.
 * Next to <zip> lives <zip>.json: the package id (a hash of every entry's
 * name, mode and content hash), the zip's size and SHA-256, and for every
 * content hash where its stored bytes sit in the zip.  Same id: the zip is
 * current, nothing is read.  Different id: the new zip is written with the
 * entries the old one already holds copied from it (the compressed-entry
 * cache), so one edited file costs one compression, not a whole package.
 */
#include "sync/build.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/fs.h"

struct old_entry {
	unsigned char sha[32];
	struct sync_zip_reuse r;
};

struct manifest {
	cJSON *json;
	const char *id, *sha256;
	uint64_t size, unzipped;
	struct old_entry *e;
	size_t nr;
};

void sync_package_release(struct sync_package *p)
{
	free(p->zip_path);
	memset(p, 0, sizeof(*p));
}

static int cmp_old(const void *a, const void *b)
{
	return memcmp(((const struct old_entry *)a)->sha, ((const struct old_entry *)b)->sha, 32);
}

static uint64_t u64(const cJSON *j)
{
	return cJSON_IsNumber(j) && j->valuedouble > 0 ? (uint64_t)j->valuedouble : 0;
}

/*
 * The manifest is two files: <zip>.json, small (id, SHA-256, sizes), read on
 * every build, and <zip>.entries.json, where each content hash's stored bytes
 * are, read only when the zip is rewritten.  A no-change build of a
 * 10,000-file function so never parses the entries.
 */
static void manifest_load(struct manifest *m, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	memset(m, 0, sizeof(*m));
	if (strbuf_read_file(&text, path, 1u << 20))
		goto out;
	m->json = cJSON_ParseWithLength(text.buf, text.len);
	m->id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m->json, "id"));
	m->sha256 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m->json, "sha256"));
	m->size = u64(cJSON_GetObjectItemCaseSensitive(m->json, "size"));
	m->unzipped = u64(cJSON_GetObjectItemCaseSensitive(m->json, "unzipped"));
	if (!m->id || !m->sha256)
		m->id = m->sha256 = NULL;
out:
	strbuf_release(&text);
}

static void manifest_load_entries(struct manifest *m, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	cJSON *entries = NULL;
	if (strbuf_read_file(&text, path, 256u << 20))
		goto out;
	entries = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsArray(entries))
		goto out;
	m->e = xcalloc((size_t)cJSON_GetArraySize(entries) + 1, sizeof(*m->e));
	const cJSON *e;
	cJSON_ArrayForEach(e, entries)
	{
		/* [sha256 hex, data offset, stored size, size, crc, method] */
		const cJSON *f[6];
		int i = 0;
		for (const cJSON *x = e->child; x && i < 6; x = x->next)
			f[i++] = x;
		if (i != 6)
			continue;
		struct old_entry *o = &m->e[m->nr];
		if (hex_decode(cJSON_GetStringValue(f[0]), o->sha, 32))
			continue;
		o->r.fd = -1;
		o->r.data_offset = u64(f[1]);
		o->r.csize = u64(f[2]);
		o->r.usize = u64(f[3]);
		o->r.crc = (uint32_t)u64(f[4]);
		o->r.method = (uint16_t)u64(f[5]);
		m->nr++;
	}
	qsort(m->e, m->nr, sizeof(*m->e), cmp_old);
out:
	cJSON_Delete(entries);
	strbuf_release(&text);
}

/* The package id: what the zip's bytes depend on, and nothing else. */
void sync_tree_id(const struct sync_tree *t, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sha[32];
	unsigned int len = 0;
	struct strbuf hex = STRBUF_INIT;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	EVP_DigestUpdate(md, "awsx-zip-1\n", 11);
	for (size_t i = 0; i < t->nr; i++) {
		const struct sync_file *f = &t->files[i];
		char mode[16];
		int n = snprintf(mode, sizeof(mode), "\n%o\n", (unsigned)f->mode);
		EVP_DigestUpdate(md, f->name, strlen(f->name) + 1);
		EVP_DigestUpdate(md, mode, (size_t)n);
		EVP_DigestUpdate(md, f->sha256, 32);
	}
	EVP_DigestFinal_ex(md, sha, &len);
	EVP_MD_CTX_free(md);
	strbuf_addhex(&hex, sha, 32);
	memcpy(out, hex.buf, 65);
	strbuf_release(&hex);
}

static int manifest_save(const char *path, const char *entries_path, const struct sync_tree *t,
			 const struct sync_package *p, const struct sync_zip_reuse *info,
			 struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	/* the entries first: a header never describes a zip whose entries are unknown */
	strbuf_adds(&sb, "[");
	for (size_t i = 0; i < t->nr; i++) {
		strbuf_adds(&sb, i ? ",\n[\"" : "\n[\"");
		strbuf_addhex(&sb, t->files[i].sha256, 32);
		strbuf_addf(&sb, "\",%llu,%llu,%llu,%u,%u]",
			    (unsigned long long)info[i].data_offset,
			    (unsigned long long)info[i].csize, (unsigned long long)info[i].usize,
			    (unsigned)info[i].crc, (unsigned)info[i].method);
	}
	strbuf_adds(&sb, "\n]\n");
	rc = fs_write_atomic(entries_path, sb.buf, sb.len, 0644, 0, err);
	strbuf_reset(&sb);
	strbuf_addf(&sb,
		    "{\"version\":2,\"id\":\"%s\",\"sha256\":\"%s\",\"size\":%llu,"
		    "\"unzipped\":%llu}\n",
		    p->id, p->sha256_b64, (unsigned long long)p->zip_size,
		    (unsigned long long)p->unzipped_size);
	if (!rc)
		rc = fs_write_atomic(path, sb.buf, sb.len, 0644, 0, err);
	strbuf_release(&sb);
	return rc;
}

int sync_package_zip(struct sync_tree *tree, const char *zip_path, unsigned threads,
		     struct sync_package *out, struct aws_error *err)
{
	char *mpath = xstrfmt("%s.json", zip_path), *epath = xstrfmt("%s.entries.json", zip_path);
	struct manifest m;
	struct stat st;
	struct sync_zip_reuse *info = NULL, *reuse = NULL;
	const struct sync_zip_reuse **saved = NULL;
	int fd = -1, rc = 0;

	memset(out, 0, sizeof(*out));
	out->zip_path = xstrdup(zip_path);
	sync_tree_id(tree, out->id);
	manifest_load(&m, mpath);

	if (m.id && !strcmp(m.id, out->id) && !stat(zip_path, &st) &&
	    (uint64_t)st.st_size == m.size && strlen(m.sha256) == 44) {
		memcpy(out->sha256_b64, m.sha256, 45);
		out->zip_size = m.size;
		out->unzipped_size = m.unzipped;
		out->entries = tree->nr;
		goto out;
	}

	/* the compressed-entry cache: entries the previous zip already holds */
	if (m.id) {
		manifest_load_entries(&m, epath);
		/* the header goes first: a crash from here on leaves no header to trust */
		unlink(mpath);
	}
	if (m.nr)
		fd = open(zip_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && (uint64_t)st.st_size == m.size) {
		reuse = xcalloc(tree->nr, sizeof(*reuse));
		saved = xcalloc(tree->nr, sizeof(*saved));
		for (size_t i = 0; i < tree->nr; i++) {
			struct old_entry key;
			memcpy(key.sha, tree->files[i].sha256, 32);
			const struct old_entry *o = bsearch(&key, m.e, m.nr, sizeof(*m.e), cmp_old);
			saved[i] = tree->files[i].reuse;
			if (!o || o->r.usize != tree->files[i].size ||
			    o->r.data_offset + o->r.csize > m.size)
				continue;
			reuse[i] = o->r;
			reuse[i].fd = fd;
			/* restored below: the tree stays the caller's */
			tree->files[i].reuse = &reuse[i];
			out->reused++;
		}
	}

	info = xcalloc(tree->nr ? tree->nr : 1, sizeof(*info));
	struct sync_zip_options zo = {.threads = threads, .entry_info = info};
	struct sync_zip_result res;
	rc = sync_zip_write(tree, zip_path, &zo, &res, err);
	if (saved)
		for (size_t i = 0; i < tree->nr; i++)
			tree->files[i].reuse = saved[i];
	if (rc)
		goto out;
	out->rebuilt = 1;
	memcpy(out->sha256_b64, res.sha256_b64, 45);
	out->zip_size = res.zip_size;
	out->unzipped_size = res.unzipped_size;
	out->entries = res.entries;
	rc = manifest_save(mpath, epath, tree, out, info, err);
out:
	if (fd >= 0)
		close(fd);
	free(info);
	free(reuse);
	free(saved);
	free(m.e);
	cJSON_Delete(m.json);
	free(mpath);
	free(epath);
	return rc;
}
