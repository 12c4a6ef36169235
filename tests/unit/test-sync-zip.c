/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sync-zip.c: the deterministic zip writer (sync/tree.c, sync/zip.c).
 * Builds small trees in temporary folders, zips them and reads the result
 * back with Info-ZIP's `unzip -t` and Python's zipfile (entry order, modes,
 * flags, methods, timestamps, contents), checks that the same tree made in
 * another order, umask and mtime and zipped with another thread count gives
 * the same bytes, and covers symlinks, loops, dangling links, exclusions,
 * empty files and trees, UTF-8 names and the Lambda size check.
 */
#include "sync/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* ---- helpers ---- */

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/awsx-test-zip-XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(1);
	}
	return xstrdup(tmpl);
}

static void rm_rf(const char *dir)
{
	char *cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: cannot remove %s\n", dir);
	free(cmd);
}

/* Run a shell command; its stdout (and stderr) into out; the exit status. */
static int run(const char *cmd, struct strbuf *out)
{
	char *full = xstrfmt("%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	char buf[4096];
	size_t n;
	int status;

	free(full);
	if (!p)
		return -1;
	strbuf_reset(out);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0777);
			*s = '/';
		}
	}
	mkdir(p, 0777);
	free(p);
}

/* Create root/rel with data; mode -1 leaves the umask's choice of 0666/0777. */
static void put_file(const char *root, const char *rel, const void *data, size_t len, int exec,
		     int mode)
{
	char *path = xstrfmt("%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, exec ? 0777 : 0666);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) {
		perror(path);
		exit(1);
	}
	if (mode >= 0)
		fchmod(fd, (mode_t)mode);
	close(fd);
	free(path);
}

static void put_link(const char *root, const char *rel, const char *target)
{
	char *path = xstrfmt("%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	if (symlink(target, path)) {
		perror(path);
		exit(1);
	}
	free(path);
}

static void set_mtime(const char *root, const char *rel, time_t t)
{
	char *path = xstrfmt("%s/%s", root, rel);
	struct timespec ts[2] = {{t, 0}, {t, 0}};
	utimensat(AT_FDCWD, path, ts, 0);
	free(path);
}

/* Deterministic pseudo-random bytes (xorshift), incompressible. */
static unsigned char *random_bytes(size_t len, uint32_t seed)
{
	unsigned char *b = xmalloc(len ? len : 1);
	uint32_t x = seed ? seed : 1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	return b;
}

static char *text_bytes(size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; sb.len < len; i++)
		strbuf_addf(&sb, "def handler_%d(event, context):\n    return %d\n", i % 97, i);
	strbuf_setlen(&sb, len);
	return strbuf_detach(&sb, NULL);
}

static int zip_tree(const char *root, const char *zip, unsigned threads,
		    struct sync_zip_result *res, struct aws_error *err)
{
	struct sync_tree tree = SYNC_TREE_INIT;
	struct sync_zip_options opts = {.threads = threads};
	int ret = sync_tree_collect(&tree, root, NULL, NULL, err);
	if (!ret)
		ret = sync_zip_write(&tree, zip, &opts, res, err);
	sync_tree_release(&tree);
	return ret;
}

static int read_all(const char *path, struct strbuf *sb)
{
	strbuf_reset(sb);
	return strbuf_read_file(sb, path, 0);
}

/*
 * Python's view of a zip: per entry "name mode flags method date extra
 * same-as-disk", contents compared with root/name (read() checks the CRC).
 */
static const char *py_list =
    "python3 -c 'import sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "for i in z.infolist():\n"
    "    d = open(sys.argv[2] + \"/\" + i.filename, \"rb\").read()\n"
    "    print(i.filename, oct(i.external_attr >> 16), i.flag_bits, i.compress_type,\n"
    "          \"%%d-%%d-%%d-%%d-%%d-%%d\" %% i.date_time, len(i.extra), i.create_system,\n"
    "          \"same\" if z.read(i) == d else \"DIFFERENT\")\n"
    "' '%s' '%s'";

/* ---- tests ---- */

static void test_layout_read_back(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/out.zip", dir);
	char *text = text_bytes(20000);
	unsigned char *rnd = random_bytes(70000, 7);
	struct aws_error err;
	struct sync_zip_result res;
	struct strbuf out = STRBUF_INIT;

	put_file(root, "bootstrap", "#!/bin/sh\necho hi\n", 18, 1, 0755);
	put_file(root, "secret.cfg", "key=value\n", 10, 0, 0600);
	put_file(root, "app/handler.py", text, 20000, 0, 0644);
	put_file(root, "app/data.bin", rnd, 70000, 0, 0644);
	put_file(root, "empty", "", 0, 0, 0644);
	put_file(root, "a.txt", "a", 1, 0, 0664);
	put_file(root, "caf\xc3\xa9/na\xc3\xafve.txt", "utf8\n", 5, 0, 0644);

	aws_error_clear(&err);
	CHECK_INT(zip_tree(root, zip, 0, &res, &err), 0);
	CHECK_STR(err.message, "");
	CHECK_INT(res.entries, 7);
	CHECK_INT(res.unzipped_size, 18 + 10 + 20000 + 70000 + 0 + 1 + 5);

	char *cmd = xstrfmt("unzip -t '%s'", zip);
	CHECK_INT(run(cmd, &out), 0);
	CHECK(strstr(out.buf, "No errors detected") != NULL);
	free(cmd);

	/* sorted by bytes ("a.txt" < "app/" since '.' < 'p'); 1980-01-01;
	 * Unix (3); no extras; deflate for text, stored where deflate does not
	 * shrink (random, empty, and files too small to gain); bit 11 only on
	 * the UTF-8 name */
	cmd = xstrfmt(py_list, zip, root);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "a.txt 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "app/data.bin 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "app/handler.py 0o100644 0 8 1980-1-1-0-0-0 0 3 same\n"
			   "bootstrap 0o100755 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "caf\xc3\xa9/na\xc3\xafve.txt 0o100644 2048 0 1980-1-1-0-0-0 0 3 same\n"
			   "empty 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "secret.cfg 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n");
	free(cmd);

	/* the SHA-256 reported is the file's, and Python agrees on base64 */
	char b64[45];
	CHECK_INT(sync_sha256_file_base64(zip, b64, &err), 0);
	CHECK_STR(res.sha256_b64, b64);
	CHECK_INT(strlen(b64), 44);
	cmd = xstrfmt("python3 -c 'import sys, hashlib, base64; "
		      "print(base64.b64encode(hashlib.sha256(open(sys.argv[1], "
		      "\"rb\").read()).digest()).decode(), end=\"\")' '%s'",
		      zip);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, b64);
	free(cmd);

	/* no temporary file left next to the zip */
	cmd = xstrfmt("ls '%s'", dir);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "out.zip\n");
	free(cmd);

	struct stat st;
	CHECK_INT(stat(zip, &st), 0);
	CHECK_INT(st.st_size, res.zip_size);

	strbuf_release(&out);
	free(text);
	free(rnd);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

/* A one-file stored zip, byte for byte (APPNOTE 4.3.7, 4.3.12, 4.3.16). */
static void test_exact_bytes(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/one.zip", dir);
	struct aws_error err;
	struct strbuf got = STRBUF_INIT;
	/* clang-format off */
	static const unsigned char want[] = {
		/* local header */
		0x50, 0x4b, 0x03, 0x04, 10, 0, 0, 0, 0, 0, /* ver 1.0, flags, stored */
		0x00, 0x00, 0x21, 0x00,			   /* 00:00:00 1980-01-01 */
		0x83, 0x16, 0xdc, 0x8c,			   /* crc32("x") */
		1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,	   /* sizes, name len, extra */
		'a', 'x',
		/* central directory */
		0x50, 0x4b, 0x01, 0x02, 20, 3, 10, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x21, 0x00, 0x83, 0x16, 0xdc, 0x8c,
		1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, /* sizes, name len, extra */
		0, 0, 0, 0, 0, 0,		    /* comment, disk, internal */
		0x00, 0x00, 0xa4, 0x81,		    /* 0100644 << 16 */
		0, 0, 0, 0, 'a',		    /* local header offset, name */
		/* end of central directory */
		0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0,
		47, 0, 0, 0, 32, 0, 0, 0, 0, 0,
	};
	/* clang-format on */

	put_file(root, "a", "x", 1, 0, 0600);
	aws_error_clear(&err);
	CHECK_INT(zip_tree(root, zip, 1, NULL, &err), 0);
	CHECK_INT(read_all(zip, &got), 0);
	CHECK_INT(got.len, sizeof(want));
	CHECK(got.len == sizeof(want) && !memcmp(got.buf, want, sizeof(want)));

	strbuf_release(&got);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

/* Build the same content in the given order under umask, with mtimes t. */
static void build_same_tree(const char *root, const int *order, size_t n, mode_t umask_value,
			    time_t t)
{
	mode_t old = umask(umask_value);
	for (size_t k = 0; k < n; k++) {
		int i = order[k];
		char *name = xstrfmt("pkg%d/mod%03d.py", i % 5, i);
		char *text = text_bytes(500 + 37 * (size_t)i);
		unsigned char *rnd = random_bytes(3000 + (size_t)i, (uint32_t)i + 1);
		if (i % 4 == 3)
			put_file(root, name, rnd, 3000 + (size_t)i, 0, -1);
		else
			put_file(root, name, text, 500 + 37 * (size_t)i, 0, -1);
		set_mtime(root, name, t + i);
		free(name);
		free(text);
		free(rnd);
	}
	put_file(root, "bootstrap", "#!/bin/sh\n", 10, 1, -1);
	set_mtime(root, "bootstrap", t);
	umask(old);
}

static void test_same_bytes_any_order(void)
{
	enum { N = 150 };
	int fwd[N], rev[N], shuf[N];
	char *a = make_tmpdir(), *b = make_tmpdir(), *dir = make_tmpdir();
	char *za = xstrfmt("%s/a.zip", dir), *zb = xstrfmt("%s/b.zip", dir);
	char *zc = xstrfmt("%s/c.zip", dir);
	struct aws_error err;
	struct sync_zip_result ra, rb, rc;
	struct strbuf ba = STRBUF_INIT, bb = STRBUF_INIT, bc = STRBUF_INIT;

	for (int i = 0; i < N; i++) {
		fwd[i] = i;
		rev[i] = N - 1 - i;
		shuf[i] = (i * 7) % N; /* 7 is coprime with 150 */
	}
	build_same_tree(a, fwd, N, 022, 1000000000);
	build_same_tree(b, rev, N, 077, 1700000000);

	aws_error_clear(&err);
	CHECK_INT(zip_tree(a, za, 1, &ra, &err), 0);
	CHECK_INT(zip_tree(b, zb, 4, &rb, &err), 0);
	CHECK_STR(err.message, "");
	CHECK_INT(read_all(za, &ba), 0);
	CHECK_INT(read_all(zb, &bb), 0);
	CHECK(ba.len > 0 && ba.len == bb.len && !memcmp(ba.buf, bb.buf, ba.len));
	CHECK_STR(ra.sha256_b64, rb.sha256_b64);
	CHECK_INT(ra.entries, N + 1);

	/* a third order, umask 002, the default thread count */
	rm_rf(a);
	mkdir(a, 0700);
	build_same_tree(a, shuf, N, 002, 1234567890);
	CHECK_INT(zip_tree(a, zc, 0, &rc, &err), 0);
	CHECK_INT(read_all(zc, &bc), 0);
	CHECK(bc.len == ba.len && !memcmp(bc.buf, ba.buf, ba.len));

	struct strbuf out = STRBUF_INIT;
	char *cmd = xstrfmt("unzip -Z -l '%s' bootstrap", zc);
	CHECK_INT(run(cmd, &out), 0);
	CHECK(!strncmp(out.buf, "-rwxr-xr-x", 10));
	free(cmd);
	strbuf_release(&out);

	strbuf_release(&ba);
	strbuf_release(&bb);
	strbuf_release(&bc);
	free(za);
	free(zb);
	free(zc);
	rm_rf(a);
	rm_rf(b);
	rm_rf(dir);
	free(a);
	free(b);
	free(dir);
}

static void test_modes(void)
{
	CHECK_INT(sync_zip_mode(0100755), 0755);
	CHECK_INT(sync_zip_mode(0100700), 0755);
	CHECK_INT(sync_zip_mode(0100744), 0755);
	CHECK_INT(sync_zip_mode(0100600), 0644);
	CHECK_INT(sync_zip_mode(0100664), 0644);
	CHECK_INT(sync_zip_mode(0100666), 0644);
	CHECK_INT(sync_zip_mode(0100444), 0444);
	CHECK_INT(sync_zip_mode(0100000), 0444);
	CHECK_INT(sync_zip_mode(0104755), 0755); /* setuid dropped */
}

static void test_symlinks_followed(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/out.zip", dir);
	struct aws_error err;
	struct strbuf out = STRBUF_INIT;

	put_file(root, "real/x.txt", "x content\n", 10, 0, 0644);
	put_file(root, "real/run.sh", "#!/bin/sh\n", 10, 1, 0700);
	put_link(root, "file_link", "real/x.txt");
	put_link(root, "dir_link", "real");
	put_link(root, "nested/up_link", "../real"); /* not a loop: a sibling */

	aws_error_clear(&err);
	CHECK_INT(zip_tree(root, zip, 2, NULL, &err), 0);
	CHECK_STR(err.message, "");
	char *cmd = xstrfmt(py_list, zip, root);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "dir_link/run.sh 0o100755 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "dir_link/x.txt 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "file_link 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "nested/up_link/run.sh 0o100755 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "nested/up_link/x.txt 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "real/run.sh 0o100755 0 0 1980-1-1-0-0-0 0 3 same\n"
			   "real/x.txt 0o100644 0 0 1980-1-1-0-0-0 0 3 same\n");
	free(cmd);

	/* a root that is itself a symlink is followed too */
	char *root_link = xstrfmt("%s/root_link", dir);
	CHECK_INT(symlink(root, root_link), 0);
	struct sync_tree tree = SYNC_TREE_INIT;
	CHECK_INT(sync_tree_collect(&tree, root_link, NULL, NULL, &err), 0);
	CHECK_INT(tree.nr, 7);
	sync_tree_release(&tree);
	free(root_link);

	strbuf_release(&out);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

static void test_symlink_loops(void)
{
	char *root = make_tmpdir();
	struct aws_error err;
	struct sync_tree tree = SYNC_TREE_INIT;

	put_file(root, "a/b/file", "f", 1, 0, 0644);
	put_link(root, "a/b/back", "../.."); /* the root again */
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "symlink loop at 'a/b/back'") != NULL);
	CHECK(!strncmp(err.message, "cannot zip '", 12));
	sync_tree_release(&tree);
	rm_rf(root);
	free(root);

	/* a link to itself: the kernel's ELOOP */
	root = make_tmpdir();
	put_link(root, "self", "self");
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "symlink loop at 'self'") != NULL);
	sync_tree_release(&tree);
	rm_rf(root);
	free(root);
}

static void test_dangling_link(void)
{
	char *root = make_tmpdir();
	struct aws_error err;
	struct sync_tree tree = SYNC_TREE_INIT;

	put_file(root, "ok.txt", "ok", 2, 0, 0644);
	put_link(root, "lib/libgone.so", "../missing/libgone.so.1");
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message,
		     "dangling symlink 'lib/libgone.so' -> '../missing/libgone.so.1'") != NULL);
	sync_tree_release(&tree);

	/* excluding the dangling link makes the tree fine */
	static const char *const excl[] = {"*.so", NULL};
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, sync_exclude_globs, (void *)excl, &err), 0);
	CHECK_INT(tree.nr, 1);
	sync_tree_release(&tree);
	rm_rf(root);
	free(root);
}

static void test_exclusions(void)
{
	char *root = make_tmpdir();
	struct aws_error err;
	struct sync_tree tree = SYNC_TREE_INIT;
	static const char *const excl[] = {".git",	"__pycache__", "*.pyc",
					   "docs/*.md", "build/",      NULL};

	put_file(root, "app.py", "x", 1, 0, 0644);
	put_file(root, ".git/config", "x", 1, 0, 0644);
	put_file(root, "pkg/__pycache__/m.cpython-311.pyc", "x", 1, 0, 0644);
	put_file(root, "pkg/m.py", "x", 1, 0, 0644);
	put_file(root, "pkg/old.pyc", "x", 1, 0, 0644);
	put_file(root, "docs/readme.md", "x", 1, 0, 0644);
	put_file(root, "docs/sub/keep.md", "x", 1, 0, 0644);
	put_file(root, "build/out.o", "x", 1, 0, 0644);
	put_file(root, "pkg/build", "a file named build is kept", 26, 0, 0644);

	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, sync_exclude_globs, (void *)excl, &err), 0);
	CHECK_INT(tree.nr, 4);
	if (tree.nr == 4) {
		CHECK_STR(tree.files[0].name, "app.py");
		CHECK_STR(tree.files[1].name, "docs/sub/keep.md");
		CHECK_STR(tree.files[2].name, "pkg/build");
		CHECK_STR(tree.files[3].name, "pkg/m.py");
	}
	CHECK_INT(tree.total_size, 1 + 1 + 26 + 1);
	sync_tree_release(&tree);
	rm_rf(root);
	free(root);
}

/* Empty tree: collecting is fine (an empty list); zipping it is an error. */
static void test_empty_tree(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/out.zip", dir);
	struct aws_error err;
	struct sync_tree tree = SYNC_TREE_INIT;

	char *folders = xstrfmt("%s/only/empty/folders", root);
	mkdirs(folders);
	free(folders);
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, NULL, NULL, &err), 0);
	CHECK_INT(tree.nr, 0);
	CHECK_INT(sync_zip_write(&tree, zip, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(!strncmp(err.message, "nothing to zip for '", 20));
	CHECK(access(zip, F_OK) != 0);
	sync_tree_release(&tree);

	/* and a root that does not exist or is a file */
	char *missing = xstrfmt("%s/nope", root);
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, missing, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "No such file or directory") != NULL);
	put_file(root, "file", "x", 1, 0, 0644);
	char *file = xstrfmt("%s/file", root);
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, file, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "not a folder") != NULL);
	free(missing);
	free(file);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

static void test_unreadable_file_fails_cleanly(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/out.zip", dir);
	struct aws_error err;
	struct sync_tree tree = SYNC_TREE_INIT;

	put_file(root, "a", "a", 1, 0, 0644);
	put_file(root, "b", "b", 1, 0, 0644);
	aws_error_clear(&err);
	CHECK_INT(sync_tree_collect(&tree, root, NULL, NULL, &err), 0);
	char *b = xstrfmt("%s/b", root);
	unlink(b); /* gone between collecting and zipping */
	CHECK_INT(sync_zip_write(&tree, zip, NULL, NULL, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cannot read 'b': No such file or directory");
	char *cmd = xstrfmt("ls -A '%s'", dir);
	struct strbuf out = STRBUF_INIT;
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, ""); /* no zip and no temporary file */
	strbuf_release(&out);
	free(cmd);
	sync_tree_release(&tree);
	free(b);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

static void test_lambda_size_check(void)
{
	struct aws_error err;
	const uint64_t mib = 1024 * 1024;

	aws_error_clear(&err);
	CHECK_INT(sync_lambda_check_size(10 * mib, 100 * mib, 0, &err), 0);
	CHECK_INT(sync_lambda_check_size(50 * mib, 250 * mib, 0, &err), 0);
	CHECK_INT(sync_lambda_check_size(0, 250 * mib + 1, 1, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "250 MB unzipped limit (262144000 bytes") != NULL);
	aws_error_clear(&err);
	CHECK_INT(sync_lambda_check_size(50 * mib + 1, 100 * mib, 0, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "50 MB limit (52428800 bytes)") != NULL);
	CHECK(strstr(err.message, "--s3-bucket") != NULL);
	/* through S3 only the unzipped limit applies */
	CHECK_INT(sync_lambda_check_size(80 * mib, 200 * mib, 1, &err), 0);
}

/* Many files of mixed kinds, several thread counts: same bytes, all valid. */
static void test_threads_many_files(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	struct aws_error err;
	struct strbuf first = STRBUF_INIT, other = STRBUF_INIT, out = STRBUF_INIT;
	static const unsigned threads[] = {1, 2, 3, 8};

	for (int i = 0; i < 400; i++) {
		char *name = xstrfmt("d%d/f%d", i % 13, i);
		size_t len = (size_t)(i * 211) % 40000;
		if (i % 3) {
			char *t = text_bytes(len);
			put_file(root, name, t, len, i % 7 == 0, -1);
			free(t);
		} else {
			unsigned char *r = random_bytes(len, (uint32_t)i + 9);
			put_file(root, name, r, len, 0, -1);
			free(r);
		}
		free(name);
	}
	/* one big file so a worker is busy while others run ahead */
	char *big = text_bytes(3 << 20);
	put_file(root, "d0/big", big, 3 << 20, 0, -1);
	free(big);

	for (size_t k = 0; k < ARRAY_SIZE(threads); k++) {
		char *zip = xstrfmt("%s/t%u.zip", dir, threads[k]);
		aws_error_clear(&err);
		CHECK_INT(zip_tree(root, zip, threads[k], NULL, &err), 0);
		CHECK_INT(read_all(zip, k ? &other : &first), 0);
		if (k)
			CHECK(other.len == first.len && !memcmp(other.buf, first.buf, first.len));
		free(zip);
	}
	char *cmd = xstrfmt("unzip -tq '%s/t1.zip'", dir);
	CHECK_INT(run(cmd, &out), 0);
	CHECK(strstr(out.buf, "No errors detected") != NULL);
	free(cmd);
	cmd = xstrfmt("python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
		      "assert z.testzip() is None; print(len(z.infolist()))' '%s/t1.zip'",
		      dir);
	CHECK_INT(run(cmd, &out), 0);
	CHECK_STR(out.buf, "401\n");
	free(cmd);

	strbuf_release(&first);
	strbuf_release(&other);
	strbuf_release(&out);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

/*
 * An entry of 256 KiB or more stored after small ones: it goes to the file
 * unbuffered, so the small entries' buffered bytes must be written first.
 */
static void test_large_entry_after_small(void)
{
	char *root = make_tmpdir(), *dir = make_tmpdir();
	char *zip = xstrfmt("%s/big.zip", dir);
	unsigned char *rnd = random_bytes(300000, 11);
	struct aws_error err;
	struct sync_zip_result res;
	struct strbuf out = STRBUF_INIT;
	char b64[45];

	put_file(root, "a.py", "print(1)\n", 9, 0, 0644);
	put_file(root, "b.bin", rnd, 300000, 0, 0644);
	put_file(root, "c.py", "print(3)\n", 9, 0, 0644);
	aws_error_clear(&err);
	CHECK_INT(zip_tree(root, zip, 2, &res, &err), 0);
	char *cmd = xstrfmt("unzip -tq '%s'", zip);
	CHECK_INT(run(cmd, &out), 0);
	CHECK(strstr(out.buf, "No errors detected") != NULL);
	free(cmd);
	CHECK_INT(sync_sha256_file_base64(zip, b64, &err), 0);
	CHECK_STR(res.sha256_b64, b64);

	strbuf_release(&out);
	free(rnd);
	free(zip);
	rm_rf(root);
	rm_rf(dir);
	free(root);
	free(dir);
}

int main(void)
{
	struct strbuf out = STRBUF_INIT;
	if (run("unzip -v >/dev/null && python3 -c 'import zipfile'", &out) != 0) {
		fprintf(stderr, "test-sync-zip needs unzip and python3 (tests/setup-deps.sh)\n");
		return 1;
	}
	strbuf_release(&out);
	RUN(test_layout_read_back);
	RUN(test_exact_bytes);
	RUN(test_same_bytes_any_order);
	RUN(test_modes);
	RUN(test_symlinks_followed);
	RUN(test_symlink_loops);
	RUN(test_dangling_link);
	RUN(test_exclusions);
	RUN(test_empty_tree);
	RUN(test_unreadable_file_fails_cleanly);
	RUN(test_lambda_size_check);
	RUN(test_threads_many_files);
	RUN(test_large_entry_after_small);
	return check_done();
}
