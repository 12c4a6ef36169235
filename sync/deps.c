/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deps.c: a function's third-party dependencies, installed once per
 * dependency key into .awsx/deps/<key>/ and reused until the key changes.
 * The key hashes everything that decides what gets installed: the tool,
 * the manifest, the lock file, the runtime and the architecture; editing
 * the function's own code never reinstalls anything.
 */
#include "sync/build.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aws/fs.h"
#include "sync/run.h"

void sync_deps_release(struct sync_deps *d)
{
	free(d->dir);
	sync_tree_release(&d->files);
	memset(d, 0, sizeof(*d));
}

static int exists(const char *dir, const char *name, struct strbuf *path)
{
	struct stat st;
	strbuf_reset(path);
	strbuf_addf(path, "%s/%s", dir, name);
	return !stat(path->buf, &st) && S_ISREG(st.st_mode);
}

/* Add a file's bytes to the key ("absent" when it is not there). */
static int key_add_file(EVP_MD_CTX *md, const char *label, const char *path,
			struct aws_error *err)
{
	struct strbuf text = STRBUF_INIT;
	EVP_DigestUpdate(md, label, strlen(label) + 1);
	if (!path) {
		EVP_DigestUpdate(md, "absent", 7);
		return 0;
	}
	if (strbuf_read_file(&text, path, 64u << 20)) {
		strbuf_release(&text);
		return aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", path,
				     strerror(errno));
	}
	char len[32];
	int n = snprintf(len, sizeof(len), "%zu\n", text.len);
	EVP_DigestUpdate(md, len, (size_t)n);
	EVP_DigestUpdate(md, text.buf, text.len);
	strbuf_release(&text);
	return 0;
}

/* The interpreter for a Python runtime: "python3.12" when on PATH, else python3. */
static const char *python_for(const char *runtime, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	snprintf(buf, len, "%s", runtime);
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		char *cand = xstrfmt("%.*s/%s", (int)n, path, runtime);
		int ok = !access(cand, X_OK);
		free(cand);
		if (ok)
			return buf;
		path += n + (colon ? 1 : 0);
	}
	return "python3";
}

/* The machine's architecture in Lambda's words (x86_64, arm64). */
static const char *host_arch(void)
{
	struct utsname u;
	if (uname(&u) || strcmp(u.machine, "aarch64"))
		return "x86_64";
	return "arm64";
}

int sync_files_save(const char *path, const struct sync_tree *t, struct aws_error *err)
{
	cJSON *arr = cJSON_CreateArray();
	struct strbuf hex = STRBUF_INIT;
	for (size_t i = 0; i < t->nr; i++) {
		cJSON *e = cJSON_CreateArray();
		strbuf_reset(&hex);
		strbuf_addhex(&hex, t->files[i].sha256, 32);
		cJSON_AddItemToArray(e, cJSON_CreateString(t->files[i].name));
		cJSON_AddItemToArray(e, cJSON_CreateNumber(t->files[i].mode));
		cJSON_AddItemToArray(e, cJSON_CreateNumber((double)t->files[i].size));
		cJSON_AddItemToArray(e, cJSON_CreateString(hex.buf));
		cJSON_AddItemToArray(arr, e);
	}
	char *s = cJSON_PrintUnformatted(arr);
	int rc = fs_write_atomic(path, s, strlen(s), 0644, 0, err);
	cJSON_free(s);
	cJSON_Delete(arr);
	strbuf_release(&hex);
	return rc;
}

int sync_files_load(const char *path, const char *dir, struct sync_tree *t)
{
	struct strbuf text = STRBUF_INIT;
	int rc = -1;
	if (strbuf_read_file(&text, path, 256u << 20))
		goto out;
	cJSON *arr = cJSON_ParseWithLength(text.buf, text.len);
	const cJSON *e;
	rc = cJSON_IsArray(arr) ? 0 : -1;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *name = cJSON_GetArrayItem(e, 0), *mode = cJSON_GetArrayItem(e, 1),
			    *size = cJSON_GetArrayItem(e, 2), *sha = cJSON_GetArrayItem(e, 3);
		ALLOC_GROW(t->files, t->nr + 1, t->alloc);
		struct sync_file *f = &t->files[t->nr];
		memset(f, 0, sizeof(*f));
		if (!cJSON_IsString(name) || !cJSON_IsNumber(mode) || !cJSON_IsNumber(size) ||
		    hex_decode(cJSON_GetStringValue(sha), f->sha256, 32)) {
			rc = -1;
			break;
		}
		f->name = xstrdup(name->valuestring);
		f->path = xstrfmt("%s/%s", dir, f->name);
		f->mode = (uint32_t)mode->valuedouble;
		f->size = (uint64_t)size->valuedouble;
		f->hashed = 1;
		t->total_size += f->size;
		t->nr++;
	}
	cJSON_Delete(arr);
out:
	strbuf_release(&text);
	return rc;
}

/* Collect and hash what an install produced under dir/root. */
static int files_collect(const char *dir, const char *root, struct sync_tree *t,
			 struct aws_error *err)
{
	char *top = xstrfmt("%s/%s", dir, root);
	struct stat st;
	int rc = 0;
	if (!stat(top, &st))
		rc = sync_tree_collect(t, top, NULL, NULL, err);
	free(top);
	for (size_t i = 0; i < t->nr && !rc; i++) {
		struct sync_file *f = &t->files[i];
		char *name = xstrfmt("%s/%s", root, f->name);
		free(f->name);
		f->name = name;
		rc = sync_hash_file(f->path, f->sha256, err);
		f->hashed = 1;
	}
	return rc;
}

static int install(const char *awsx_dir, const char *src_dir, struct sync_deps *d,
		   const char *runtime, const char *manifest, const char *lock, const char *arch,
		   FILE *progress, struct aws_error *err)
{
	char *tmp = xstrfmt("%s/deps/%s.tmp%ld", awsx_dir, d->key, (long)getpid());
	char *log = xstrfmt("%s/deps/%s.log", awsx_dir, d->key);
	char *src_abs = realpath(src_dir, NULL);
	int rc;

	if (fs_remove_tree(tmp, err) || fs_mkdir_p(tmp, 0755, err)) {
		rc = -AWSX_EFAIL;
		goto out;
	}
	if (d->kind == SYNC_DEPS_PIP) {
		char py[64], *target = xstrfmt("%s/python", tmp), *req = xstrfmt("%s/%s", src_abs ? src_abs : src_dir, manifest);
		const char *argv[16];
		size_t n = 0;
		char plat[64];
		argv[n++] = python_for(runtime, py, sizeof(py));
		argv[n++] = "-m";
		argv[n++] = "pip";
		argv[n++] = "install";
		argv[n++] = "--disable-pip-version-check";
		argv[n++] = "--no-input";
		argv[n++] = "-r";
		argv[n++] = req;
		argv[n++] = "-t";
		argv[n++] = target;
		if (strcmp(arch, host_arch())) {
			/* another architecture: only binary wheels built for it */
			snprintf(plat, sizeof(plat), "manylinux2014_%s",
				 !strcmp(arch, "arm64") ? "aarch64" : "x86_64");
			argv[n++] = "--platform";
			argv[n++] = plat;
			argv[n++] = "--only-binary=:all:";
		}
		argv[n] = NULL;
		if (progress)
			fprintf(progress, "installing Python dependencies of %s (%s)\n", src_dir,
				manifest);
		/* in the source folder so that relative paths in requirements.txt work */
		rc = sync_run_tool(argv, src_abs ? src_abs : src_dir, NULL, log, err);
		free(target);
		free(req);
	} else {
		char *nodejs = xstrfmt("%s/nodejs", tmp);
		struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, text = STRBUF_INIT;
		rc = fs_mkdir_p(nodejs, 0755, err);
		const char *names[] = {manifest, lock};
		for (size_t i = 0; i < 2 && !rc; i++) {
			if (!names[i])
				continue;
			strbuf_reset(&from);
			strbuf_reset(&to);
			strbuf_reset(&text);
			strbuf_addf(&from, "%s/%s", src_dir, names[i]);
			strbuf_addf(&to, "%s/%s", nodejs, names[i]);
			if (strbuf_read_file(&text, from.buf, 64u << 20))
				rc = aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s",
						   from.buf, strerror(errno));
			else
				rc = fs_write_atomic(to.buf, text.buf, text.len, 0644, 0, err);
		}
		const char *ci[] = {"npm", "ci", "--omit=dev", "--no-audit", "--no-fund", NULL};
		const char *inst[] = {"npm", "install", "--omit=dev", "--no-audit", "--no-fund",
				      NULL};
		if (!rc && progress)
			fprintf(progress, "installing Node.js dependencies of %s (npm %s)\n",
				src_dir, lock ? "ci" : "install");
		if (!rc)
			rc = sync_run_tool(lock ? ci : inst, nodejs, NULL, log, err);
		strbuf_release(&from);
		strbuf_release(&to);
		strbuf_release(&text);
		free(nodejs);
	}
	if (!rc)
		rc = files_collect(tmp, d->kind == SYNC_DEPS_PIP ? "python" : "nodejs/node_modules",
				   &d->files, err);
	if (!rc) {
		char *list = xstrfmt("%s.files.json", d->dir);
		/* the list first: a folder without its list is reinstalled */
		if (fs_remove_tree(d->dir, err) || rename(tmp, d->dir))
			rc = aws_error_set(err, AWSX_EFAIL, "cannot create '%s': %s", d->dir,
					   strerror(errno));
		for (size_t i = 0; i < d->files.nr && !rc; i++) {
			free(d->files.files[i].path);
			d->files.files[i].path = xstrfmt("%s/%s", d->dir, d->files.files[i].name);
		}
		if (!rc)
			rc = sync_files_save(list, &d->files, err);
		free(list);
	}
	if (rc) {
		struct aws_error ignored;
		fs_remove_tree(tmp, &ignored);
	}
out:
	free(src_abs);
	free(tmp);
	free(log);
	return rc;
}

int sync_deps_prepare(const char *awsx_dir, const char *src_dir, const char *runtime,
		      const char *arch, FILE *progress, struct sync_deps *out,
		      struct aws_error *err)
{
	struct strbuf path = STRBUF_INIT, lockpath = STRBUF_INIT;
	const char *manifest = NULL, *lock = NULL, *tool;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!runtime)
		return 0;
	if (str_starts_with(runtime, "python") && exists(src_dir, "requirements.txt", &path)) {
		out->kind = SYNC_DEPS_PIP;
		manifest = "requirements.txt";
		out->prefix = "python/";
		tool = "pip";
	} else if (str_starts_with(runtime, "nodejs") && exists(src_dir, "package.json", &path)) {
		out->kind = SYNC_DEPS_NPM;
		manifest = "package.json";
		out->prefix = "nodejs/node_modules/";
		tool = "npm";
		if (exists(src_dir, "package-lock.json", &lockpath))
			lock = "package-lock.json";
		else if (exists(src_dir, "npm-shrinkwrap.json", &lockpath))
			lock = "npm-shrinkwrap.json";
	} else {
		goto out;
	}
	if (!arch)
		arch = "x86_64";

	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sha[32];
	unsigned int len = 0;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	EVP_DigestUpdate(md, "awsx-deps-1", 12);
	EVP_DigestUpdate(md, tool, strlen(tool) + 1);
	EVP_DigestUpdate(md, runtime, strlen(runtime) + 1);
	EVP_DigestUpdate(md, arch, strlen(arch) + 1);
	rc = key_add_file(md, "manifest", path.buf, err);
	if (!rc)
		rc = key_add_file(md, "lock", lock ? lockpath.buf : NULL, err);
	EVP_DigestFinal_ex(md, sha, &len);
	EVP_MD_CTX_free(md);
	if (rc)
		goto out;
	strbuf_reset(&path);
	strbuf_addhex(&path, sha, 32);
	memcpy(out->key, path.buf, 65);
	out->dir = xstrfmt("%s/deps/%s", awsx_dir, out->key);

	char *list = xstrfmt("%s.files.json", out->dir);
	struct stat st;
	int cached = !stat(out->dir, &st) && S_ISDIR(st.st_mode) &&
		     !sync_files_load(list, out->dir, &out->files);
	free(list);
	if (cached)
		goto out;
	sync_tree_release(&out->files);
	out->files = (struct sync_tree)SYNC_TREE_INIT;
	rc = fs_mkdir_p(awsx_dir, 0755, err);
	if (!rc) {
		char *deps = xstrfmt("%s/deps", awsx_dir);
		rc = fs_mkdir_p(deps, 0755, err);
		free(deps);
	}
	if (!rc)
		rc = install(awsx_dir, src_dir, out, runtime, manifest, lock, arch, progress, err);
	if (!rc)
		out->installed = 1;
out:
	strbuf_release(&path);
	strbuf_release(&lockpath);
	return rc;
}
