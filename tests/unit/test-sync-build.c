/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sync-build.c: the build caches of sync/ (stage.c, package.c,
 * deps.c' file lists, run.c): a build where nothing changed reads and
 * copies nothing and rewrites no zip; an edit copies one file and
 * compresses one entry, the rest copied from the previous zip, with the
 * same bytes a fresh zip has; deletions reach the staging folder; a
 * same-tick edit is never missed; a failing tool quotes its log.
 */
#include "sync/build.h"
#include "sync/run.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/fs.h"
#include "check.h"

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/awsx-test-build-XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(1);
	}
	return xstrdup(tmpl);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);
	struct aws_error err;
	char *slash = strrchr(path, '/');
	*slash = '\0';
	fs_mkdir_p(path, 0755, &err);
	*slash = '/';
	CHECK_INT(fs_write_atomic(path, text, strlen(text), 0644, 0, &err), 0);
	free(path);
}

/* Age every file's mtime so that the stat cache trusts it (no 2 s wait in tests). */
static void age(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
	CHECK_INT(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(path);
}

static int slurp_equal(const char *a, const char *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	int same = !strbuf_read_file(&x, a, 1u << 26) && !strbuf_read_file(&y, b, 1u << 26) &&
		   x.len == y.len && !memcmp(x.buf, y.buf, x.len);
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

static void test_stage_and_package_caches(void)
{
	char *root = tmpdir();
	char *src = xstrfmt("%s/src", root), *dst = xstrfmt("%s/build/Fn", root);
	char *cache = xstrfmt("%s/build/Fn.stage.json", root), *zip = xstrfmt("%s/build/Fn.zip", root);
	const char *names[] = {"app.py", "lib/a.py", "lib/b.py", "data/big.txt"};
	struct aws_error err;
	struct sync_stage_stats st;
	struct sync_package p1, p2, p3;

	aws_error_clear(&err);
	put(src, "app.py", "def handler(e, c):\n    return 1\n");
	put(src, "lib/a.py", "A = 1\n");
	put(src, "lib/b.py", "B = 2\n");
	struct strbuf big = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&big, "line %d of a compressible file\n", i);
	put(src, "data/big.txt", big.buf);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		age(src, names[i]);
	CHECK_INT(fs_mkdir_p(dst, 0755, &err), 0);

	/* first build: everything hashed and copied, the zip written */
	struct sync_tree t = SYNC_TREE_INIT;
	CHECK_INT(sync_stage(src, NULL, NULL, dst, cache, &t, &st, &err), 0);
	CHECK_INT((int)st.files, 4);
	CHECK_INT((int)st.copied, 4);
	CHECK_INT(sync_package_zip(&t, zip, 2, &p1, &err), 0);
	CHECK_INT(p1.rebuilt, 1);
	CHECK_INT((int)p1.reused, 0);
	sync_tree_release(&t);

	/* nothing changed: no file read, no zip written */
	t = (struct sync_tree)SYNC_TREE_INIT;
	CHECK_INT(sync_stage(src, NULL, NULL, dst, cache, &t, &st, &err), 0);
	CHECK_INT((int)st.hashed, 0);
	CHECK_INT((int)st.copied, 0);
	CHECK_INT(sync_package_zip(&t, zip, 2, &p2, &err), 0);
	CHECK_INT(p2.rebuilt, 0);
	CHECK_STR(p2.sha256_b64, p1.sha256_b64);
	CHECK_STR(p2.id, p1.id);
	sync_tree_release(&t);
	sync_package_release(&p2);

	/* one edit (same size, same tick: only the inode/mtime/size rule can see it) */
	put(src, "lib/a.py", "A = 3\n");
	t = (struct sync_tree)SYNC_TREE_INIT;
	CHECK_INT(sync_stage(src, NULL, NULL, dst, cache, &t, &st, &err), 0);
	CHECK_INT((int)st.copied, 1);
	CHECK_INT(sync_package_zip(&t, zip, 2, &p3, &err), 0);
	CHECK_INT(p3.rebuilt, 1);
	CHECK_INT((int)p3.reused, 3); /* the other entries came from the previous zip */
	CHECK(strcmp(p3.sha256_b64, p1.sha256_b64) != 0);
	{
		/* the same bytes as a zip made from scratch */
		char *fresh = xstrfmt("%s/fresh.zip", root);
		struct sync_zip_result res;
		memset(&res, 0, sizeof(res));
		CHECK_INT(sync_zip_write(&t, fresh, NULL, &res, &err), 0);
		CHECK_STR(res.sha256_b64, p3.sha256_b64);
		CHECK(slurp_equal(fresh, zip));
		free(fresh);
	}
	char *staged = xstrfmt("%s/lib/a.py", dst);
	struct strbuf text = STRBUF_INIT;
	CHECK_INT(strbuf_read_file(&text, staged, 1024), 0);
	CHECK_STR(text.buf, "A = 3\n");
	strbuf_release(&text);
	free(staged);
	sync_tree_release(&t);

	/* a deleted source file leaves the staging folder and the zip */
	char *gone = xstrfmt("%s/lib/b.py", src);
	CHECK_INT(unlink(gone), 0);
	free(gone);
	t = (struct sync_tree)SYNC_TREE_INIT;
	CHECK_INT(sync_stage(src, NULL, NULL, dst, cache, &t, &st, &err), 0);
	CHECK_INT((int)st.removed, 1);
	CHECK_INT((int)t.nr, 3);
	staged = xstrfmt("%s/lib/b.py", dst);
	CHECK(access(staged, F_OK) != 0);
	free(staged);
	sync_tree_release(&t);

	/* a stat cache whose staging folder was removed is not trusted */
	CHECK_INT(fs_remove_tree(dst, &err), 0);
	t = (struct sync_tree)SYNC_TREE_INIT;
	CHECK_INT(sync_stage(src, NULL, NULL, dst, cache, &t, &st, &err), 0);
	CHECK_INT((int)st.copied, 3);
	sync_tree_release(&t);

	sync_package_release(&p1);
	sync_package_release(&p3);
	strbuf_release(&big);
	CHECK_INT(fs_remove_tree(root, &err), 0);
	free(root);
	free(src);
	free(dst);
	free(cache);
	free(zip);
}

static void test_file_list_round_trip(void)
{
	char *root = tmpdir(), *list = xstrfmt("%s/list.json", root);
	struct aws_error err;
	struct sync_tree t = SYNC_TREE_INIT, back = SYNC_TREE_INIT;

	put(root, "python/pkg/__init__.py", "x = 1\n");
	CHECK_INT(sync_tree_collect(&t, root, NULL, NULL, &err), 0);
	for (size_t i = 0; i < t.nr; i++) {
		CHECK_INT(sync_hash_file(t.files[i].path, t.files[i].sha256, &err), 0);
		t.files[i].hashed = 1;
	}
	CHECK_INT(sync_files_save(list, &t, &err), 0);
	CHECK_INT(sync_files_load(list, root, &back), 0);
	CHECK_INT((int)back.nr, (int)t.nr);
	CHECK_STR(back.files[0].name, t.files[0].name);
	CHECK(!memcmp(back.files[0].sha256, t.files[0].sha256, 32));
	struct sync_tree bad = SYNC_TREE_INIT;
	put(root, "bad.json", "[[\"x\", 420, 1, \"nothex\"]]");
	char *badp = xstrfmt("%s/bad.json", root);
	CHECK_INT(sync_files_load(badp, root, &bad), -1);
	sync_tree_release(&bad);
	free(badp);
	sync_tree_release(&t);
	sync_tree_release(&back);
	fs_remove_tree(root, &err);
	free(root);
	free(list);
}

static void test_tool_failure_quotes_log(void)
{
	char *root = tmpdir(), *log = xstrfmt("%s/tool.log", root);
	struct aws_error err;
	const char *ok[] = {"sh", "-c", "echo fine", NULL};
	const char *bad[] = {"sh", "-c", "echo first; echo 'the real reason' >&2; exit 3", NULL};
	const char *missing[] = {"awsx-no-such-tool", NULL};
	const char *env[] = {"AWSX_TEST_VAR=seen", NULL};
	const char *show[] = {"sh", "-c", "test \"$AWSX_TEST_VAR\" = seen", NULL};

	aws_error_clear(&err);
	CHECK_INT(sync_run_tool(ok, root, NULL, log, &err), 0);
	CHECK_INT(sync_run_tool(bad, root, NULL, log, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "exit code 3") != NULL);
	CHECK(strstr(err.message, "the real reason") != NULL);
	CHECK_INT(sync_run_tool(missing, root, NULL, log, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "not installed") != NULL);
	CHECK_INT(sync_run_tool(show, root, env, log, &err), 0);
	fs_remove_tree(root, &err);
	free(root);
	free(log);
}

int main(void)
{
	RUN(test_stage_and_package_caches);
	RUN(test_file_list_round_trip);
	RUN(test_tool_failure_quotes_log);
	return check_done();
}
