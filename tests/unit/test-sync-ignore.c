/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sync-ignore.c: .awsxignore rules (sync/ignore.c).  A table of
 * (rules, path, is_dir, expected) through every gitignore(5) rule and its
 * documented examples; bad lines with their line numbers; files (missing,
 * CRLF, BOM, unreadable); the difference between judging a path alone and
 * with its folders; the walk through sync_tree_collect; hostile patterns
 * that must still finish; the per-runtime default lists; and a cross-check
 * of a few thousand generated (rules, path) pairs against
 * `git check-ignore --no-index` on a real tree.
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
	char tmpl[] = "/tmp/awsx-test-ignore-XXXXXX";
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

static void put_bytes(const char *root, const char *rel, const char *data, size_t len)
{
	char *path = xstrfmt("%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) {
		perror(path);
		exit(1);
	}
	close(fd);
	free(path);
}

static void put_file(const char *root, const char *rel, const char *text)
{
	put_bytes(root, rel, text, strlen(text));
}

/* Rules from text (lines as in a file); a bad line fails the check. */
static void load(struct sync_ignore *ig, const char *text)
{
	struct aws_error err;
	aws_error_clear(&err);
	int ret = sync_ignore_add_buffer(ig, text, strlen(text), "t", &err);
	if (ret)
		fprintf(stderr, "rules '%s': %s\n", text, err.message);
	CHECK_INT(ret, 0);
}

/* ---- the table ---- */

struct match_case {
	const char *rules; /* lines of an ignore file */
	const char *path;
	int is_dir;
	int ignored; /* sync_ignore_match_path: with the folders above */
};

static const struct match_case cases[] = {
	/* no rules, blank lines and comments */
	{"", "a", 0, 0},
	{"\n\n   \n", "a", 0, 0},
	{"# comment", "# comment", 0, 0},
	{"#*", "a", 0, 0},
	{"\\#hash", "#hash", 0, 1},
	{"a#b", "a#b", 0, 1},
	/* trailing spaces: trimmed unless escaped; tabs and leading spaces stay */
	{"foo   ", "foo", 0, 1},
	{"foo   ", "foo   ", 0, 0},
	{"foo\\ ", "foo ", 0, 1},
	{"foo\\ ", "foo", 0, 0},
	{"foo \\ ", "foo  ", 0, 1},
	{"foo\\  ", "foo ", 0, 1},
	{"foo\t", "foo\t", 0, 1},
	{"foo\t", "foo", 0, 0},
	{" foo", " foo", 0, 1},
	{" foo", "foo", 0, 0},
	{"foo\r\nbar\r\n", "foo", 0, 1},
	{"foo\r\nbar\r\n", "bar", 0, 1},
	{"\xef\xbb\xbf"
     "foo",
     "foo", 0, 1},
	/* negation: the last matching rule wins */
	{"!bang", "bang", 0, 0},
	{"\\!bang", "!bang", 0, 1},
	{"\\!bang", "bang", 0, 0},
	{"*.txt\n!keep.txt", "keep.txt", 0, 0},
	{"*.txt\n!keep.txt", "drop.txt", 0, 1},
	{"!keep.txt\n*.txt", "keep.txt", 0, 1},
	{"*.txt\n!keep.txt\nkeep.txt", "keep.txt", 0, 1},
	{"*.txt\n!*.txt", "a/b.txt", 0, 0},
	{"*\n!*/", "a", 1, 0},
	{"*\n!*/", "a/b", 0, 1},
	{"!", "a", 0, 0},
	{"/", "a", 0, 0},
	/* a file in an excluded folder cannot be re-included */
	{"build/\n!build/keep", "build/keep", 0, 1},
	{"build/\n!build/keep", "build", 1, 1},
	{"build/*\n!build/keep", "build/keep", 0, 0},
	{"build/*\n!build/keep", "build/other", 0, 1},
	/* trailing '/': folders only (gitignore(5): "frotz/" vs "doc/frotz/") */
	{"frotz/", "frotz", 1, 1},
	{"frotz/", "frotz", 0, 0},
	{"frotz/", "a/frotz", 1, 1},
	{"frotz/", "a/frotz/b", 0, 1},
	{"frotz/", "frotzy", 1, 0},
	{"doc/frotz/", "doc/frotz", 1, 1},
	{"doc/frotz/", "a/doc/frotz", 1, 0},
	{"doc/frotz/", "doc/frotz", 0, 0},
	{"doc/frotz/", "doc/frotz/f.txt", 0, 1},
	{"doc/frotz", "doc/frotz", 0, 1},
	{"/doc/frotz", "doc/frotz", 1, 1},
	/* anchoring: a '/' at the start or middle ties the pattern to the root */
	{"/foo", "foo", 0, 1},
	{"/foo", "a/foo", 0, 0},
	{"foo", "a/b/foo", 0, 1},
	{"foo", "foo/bar", 0, 1},
	{"foo", "bar/foo.c", 0, 0},
	{"a/b", "a/b", 0, 1},
	{"a/b", "x/a/b", 0, 0},
	{"a\\/b", "a/b", 0, 1},
	{"*.c", "a/b/x.c", 0, 1},
	{"a/*.c", "a/x.c", 0, 1},
	{"a/*.c", "a/b/x.c", 0, 0},
	{"a/*", "a/b", 1, 1},
	{"a/*", "a/b/c", 0, 1},
	{"a/*", "a", 1, 0},
	{"*/b", "a/b", 0, 1},
	{"*/b", "x/a/b", 0, 0},
	{"//foo", "foo", 0, 0},
	/* '*', '?', never across '/' */
	{"a*", "abc", 0, 1},
	{"*a", "bca", 0, 1},
	{"a*b*c", "axxbyyc", 0, 1},
	{"a*b*c", "axxbyy", 0, 0},
	{"a*c", "ac", 0, 1},
	{"*", "anything/at/all", 0, 1},
	{"x/a*c", "x/ab/c", 0, 0},
	{"?.txt", "a.txt", 0, 1},
	{"?.txt", "ab.txt", 0, 0},
	{"?.txt", ".txt", 0, 0},
	{"x/a?c", "x/a/c", 0, 0},
	/* bracket expressions */
	{"[abc].txt", "b.txt", 0, 1},
	{"[abc].txt", "d.txt", 0, 0},
	{"[a-c]x", "bx", 0, 1},
	{"[a-c]x", "dx", 0, 0},
	{"[!a-c]x", "dx", 0, 1},
	{"[!a-c]x", "ax", 0, 0},
	{"[^a-c]x", "dx", 0, 1},
	{"[^a-c]x", "cx", 0, 0},
	{"[]]x", "]x", 0, 1},
	{"[]a]x", "ax", 0, 1},
	{"[!]]x", "ax", 0, 1},
	{"[!]]x", "]x", 0, 0},
	{"[a-]x", "-x", 0, 1},
	{"[-a]x", "-x", 0, 1},
	{"[\\]]x", "]x", 0, 1},
	{"[\\!]x", "!x", 0, 1},
	{"[z-a]x", "mx", 0, 0},
	{"[[:digit:]]x", "5x", 0, 1},
	{"[[:digit:]]x", "ax", 0, 0},
	{"[[:alpha:][:digit:]]", "a", 0, 1},
	{"[[:alpha:][:digit:]]", "7", 0, 1},
	{"[[:alpha:][:digit:]]", "-", 0, 0},
	{"[![:lower:]]x", "Ax", 0, 1},
	{"[![:lower:]]x", "ax", 0, 0},
	{"[[:space:]]x", " x", 0, 1},
	{"[[:abc]x", ":x", 0, 1},
	{"[[:abc]x", "[x", 0, 1},
	{"[[:abc]x", "cx", 0, 1},
	{"[[:abc]x", "dx", 0, 0},
	{"x/[!a]y", "x/by", 0, 1},
	{"x/[!a]y", "x//y", 0, 0},
	{"x/[^/]y", "x/by", 0, 1},
	/* escapes */
	{"\\*", "*", 0, 1},
	{"\\*", "a", 0, 0},
	{"\\?", "?", 0, 1},
	{"\\?", "a", 0, 0},
	{"\\[x\\]", "[x]", 0, 1},
	{"\\[x\\]", "x", 0, 0},
	{"\\a\\b", "ab", 0, 1},
	{"\\\\", "\\", 0, 1},
	/* "**" (gitignore(5)'s examples) */
	{"**/foo", "foo", 0, 1},
	{"**/foo", "a/foo", 0, 1},
	{"**/foo", "a/b/foo", 1, 1},
	{"**/foo", "xfoo", 0, 0},
	{"**/foo", "a/xfoo", 0, 0},
	{"**/foo/bar", "foo/bar", 0, 1},
	{"**/foo/bar", "a/b/foo/bar", 0, 1},
	{"**/foo/bar", "a/foo/x/bar", 0, 0},
	{"abc/**", "abc", 1, 0},
	{"abc/**", "abc/x", 0, 1},
	{"abc/**", "abc/x/y", 0, 1},
	{"abc/**", "x/abc/y", 0, 0},
	{"a/**/b", "a/b", 0, 1},
	{"a/**/b", "a/x/b", 0, 1},
	{"a/**/b", "a/x/y/b", 0, 1},
	{"a/**/b", "a/xb", 0, 0},
	{"a/**/b", "x/a/b", 0, 0},
	{"a/**/b", "a/x/y/c", 0, 0},
	{"a/***/b", "a/x/y/b", 0, 1},
	{"a/**/**/b", "a/b", 0, 1},
	{"a/**/b/**/c", "a/b/c", 0, 1},
	{"a/**/b/**/c", "a/1/b/2/c", 0, 1},
	{"a/**/b/**/c", "a/1/b/2/3", 0, 0},
	{"**/a/**", "x/a/y", 0, 1},
	{"**/a/**", "a", 1, 0},
	{"**", "a/b/c", 0, 1},
	{"/**", "a", 0, 1},
	{"**/", "x", 1, 1},
	{"**/", "x", 0, 0},
	{"x/**/", "x/y", 1, 1},
	{"x/**/", "x/y", 0, 0},
	{"x/**/", "x", 1, 0},
	/* "**" not alone between slashes is a plain '*' */
	{"a/**b", "a/xb", 0, 1},
	{"a/**b", "a/x/b", 0, 0},
	{"a/b**", "a/bc", 0, 1},
	{"**a", "x/ya", 0, 1},
	{"x/**a/c", "x/ya/c", 0, 1},
	{"x/**a/c", "x/y/a/c", 0, 0},
	{"a**/c", "ab/c", 0, 1},
	{"a**/c", "ab/d/c", 0, 0},
	/* case-sensitive */
	{"README", "readme", 0, 0},
	{"*.TXT", "a.txt", 0, 0},
};

static void test_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct match_case *c = &cases[i];
		struct sync_ignore ig = SYNC_IGNORE_INIT;
		char name[512];
		int got, self;

		load(&ig, c->rules);
		got = sync_ignore_match_path(&ig, c->path, c->is_dir);
		self = sync_ignore_match(&ig, c->path, c->is_dir);
		snprintf(name, sizeof(name), "rules '%s' path '%s'%s: %d, expected %d", c->rules,
			 c->path, c->is_dir ? " (folder)" : "", got, c->ignored);
		/* judging rel alone can only ignore less than with its folders */
		RECORD(name, got == c->ignored && (!self || got) &&
				 sync_exclude_ignore(c->path, c->is_dir, &ig) == self);
		sync_ignore_release(&ig);
	}
}

/* What a walk asks vs what a lone question gets. */
static void test_alone_vs_with_folders(void)
{
	struct sync_ignore ig = SYNC_IGNORE_INIT;

	load(&ig, "build/\n!build/keep\n");
	CHECK_INT(sync_ignore_match(&ig, "build", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "build/keep", 0), 0); /* never asked by a walk */
	CHECK_INT(sync_ignore_match_path(&ig, "build/keep", 0), 1);
	CHECK_INT(sync_ignore_match_path(&ig, "src/build", 0), 0);
	CHECK_INT(sync_ignore_match_path(&ig, "src/build/x/y", 0), 1);
	sync_ignore_release(&ig);
	CHECK_INT(ig.nr, 0);
	CHECK_INT(sync_ignore_match(&ig, "build", 1), 0);
}

/* ---- bad lines ---- */

static void check_bad(const char *text, const char *message)
{
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct aws_error err;

	aws_error_clear(&err);
	load(&ig, "keep\n");
	CHECK_INT(sync_ignore_add_buffer(&ig, text, strlen(text), ".awsxignore", &err),
		  -AWSX_EFAIL);
	CHECK_INT(err.kind, AWSX_EFAIL);
	CHECK_STR(err.message, message);
	/* all or nothing: only the rule from before is left */
	CHECK_INT(ig.nr, 1);
	CHECK_INT(sync_ignore_match(&ig, "keep", 0), 1);
	CHECK_INT(sync_ignore_match(&ig, "ok", 0), 0);
	sync_ignore_release(&ig);
}

static void test_bad_lines(void)
{
	check_bad("ok\n\n[abc\n", ".awsxignore:3: unterminated '[' in pattern '[abc'");
	check_bad("ok\r\n[abc\r\n", ".awsxignore:2: unterminated '[' in pattern '[abc'");
	check_bad("[a", ".awsxignore:1: unterminated '[' in pattern '[a'");
	check_bad("#c\n[\\", ".awsxignore:2: unterminated '[' in pattern '[\\'");
	check_bad("[]", ".awsxignore:1: unterminated '[' in pattern '[]'");
	check_bad("[!]", ".awsxignore:1: unterminated '[' in pattern '[!]'");
	check_bad("a/[[:alpha:", ".awsxignore:1: unterminated '[' in pattern 'a/[[:alpha:'");
	check_bad("x\n!y\n[[:foo:]]", ".awsxignore:3: unknown character class '[:foo:]' in "
				      "pattern '[[:foo:]]'");
	check_bad("[[::]]", ".awsxignore:1: unknown character class '[::]' in pattern '[[::]]'");
	check_bad("abc\\", ".awsxignore:1: trailing backslash in pattern 'abc\\'");
	check_bad("ok\n!abc\\/", ".awsxignore:2: trailing backslash in pattern '!abc\\/'");

	/* the same through add_line, with the caller's source and number */
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct aws_error err;
	aws_error_clear(&err);
	CHECK_INT(sync_ignore_add_line(&ig, "x[", "cfg", 42, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cfg:42: unterminated '[' in pattern 'x['");
	CHECK_INT(sync_ignore_add_line(&ig, "x[", NULL, 1, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "(pattern):1: unterminated '[' in pattern 'x['");
	CHECK_INT(ig.nr, 0);
	/* valid after all: escaped, commented, or a literal '[' in a class */
	aws_error_clear(&err);
	CHECK_INT(sync_ignore_add_line(&ig, "\\[abc", "cfg", 1, &err), 0);
	CHECK_INT(sync_ignore_add_line(&ig, "#[abc", "cfg", 2, &err), 0);
	CHECK_INT(sync_ignore_add_line(&ig, "[[]x", "cfg", 3, &err), 0);
	CHECK_INT(ig.nr, 2);
	CHECK_INT(sync_ignore_match(&ig, "[abc", 0), 1);
	CHECK_INT(sync_ignore_match(&ig, "[x", 0), 1);
	sync_ignore_release(&ig);
}

/* ---- files ---- */

static void test_files(void)
{
	char *dir = make_tmpdir();
	char *path = xstrfmt("%s/" SYNC_IGNORE_FILE, dir);
	char *missing = xstrfmt("%s/nope/" SYNC_IGNORE_FILE, dir);
	char *through_file = xstrfmt("%s/" SYNC_IGNORE_FILE "/x", dir);
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(sync_ignore_add_file(&ig, missing, &err), 0);
	CHECK_INT(ig.nr, 0);
	CHECK_INT(err.kind, 0);

	put_file(dir, SYNC_IGNORE_FILE, "\xef\xbb\xbf# build output\r\n*.o\r\n\r\n!keep.o\r\nout/");
	CHECK_INT(sync_ignore_add_file(&ig, path, &err), 0);
	CHECK_INT(ig.nr, 3);
	CHECK_INT(sync_ignore_match(&ig, "a/b.o", 0), 1);
	CHECK_INT(sync_ignore_match(&ig, "keep.o", 0), 0);
	CHECK_INT(sync_ignore_match(&ig, "out", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "out", 0), 0);
	CHECK_INT(sync_ignore_add_file(&ig, through_file, &err), 0); /* ENOTDIR: missing */
	CHECK_INT(ig.nr, 3);
	sync_ignore_release(&ig);

	put_file(dir, SYNC_IGNORE_FILE, "a\nb\nc[\n");
	CHECK_INT(sync_ignore_add_file(&ig, path, &err), -AWSX_EFAIL);
	char *want = xstrfmt("%s:3: unterminated '[' in pattern 'c['", path);
	CHECK_STR(err.message, want);
	CHECK_INT(ig.nr, 0);
	free(want);

	/* a folder where the file should be is an error, not "missing" */
	aws_error_clear(&err);
	CHECK_INT(sync_ignore_add_file(&ig, dir, &err), -AWSX_EFAIL);
	CHECK(str_starts_with(err.message, "cannot read '"));

	sync_ignore_release(&ig);
	rm_rf(dir);
	free(dir);
	free(path);
	free(missing);
	free(through_file);
}

/* ---- the walk: sync_tree_collect with sync_exclude_ignore ---- */

static void test_walk(void)
{
	char *root = make_tmpdir();
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct sync_tree tree = SYNC_TREE_INIT;
	struct aws_error err;
	struct strbuf names = STRBUF_INIT;
	static const char *const files[] = {
		"app.py",	 "lib/util.py",	    "lib/__pycache__/util.cpython-312.pyc",
		"build/out.bin", "build/keep.txt",  "logs/a.log",
		"logs/keep.log", "docs/x/guide.md", ".awsx/state.json",
		"tests/t.py",	 "src/tests/u.py",  SYNC_IGNORE_FILE,
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		put_file(root, files[i], "x");
	aws_error_clear(&err);
	CHECK_INT(sync_ignore_add_defaults(&ig, "python3.12"), 0);
	load(&ig, "build/\n!build/keep.txt\n*.log\n!logs/keep.log\ndocs/**/*.md\n/tests/\n"
		  SYNC_IGNORE_FILE "\n");
	CHECK_INT(sync_tree_collect(&tree, root, sync_exclude_ignore, &ig, &err), 0);
	for (size_t i = 0; i < tree.nr; i++)
		strbuf_addf(&names, "%s%s", i ? " " : "", tree.files[i].name);
	CHECK_STR(names.buf, "app.py lib/util.py logs/keep.log src/tests/u.py");

	strbuf_release(&names);
	sync_tree_release(&tree);
	sync_ignore_release(&ig);
	rm_rf(root);
	free(root);
}

/* ---- hostile input finishes ---- */

static void test_no_blowup(void)
{
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct strbuf path = STRBUF_INIT, rule = STRBUF_INIT;

	/* the classic: exponential for a naive backtracking matcher */
	load(&ig, "*a*a*a*a*a*a*a*a*a*a*a*a*b\n[a]*[a]*?*a*a*a*a*a*a*a*a*a*a*c\n");
	for (int i = 0; i < 20000; i++)
		strbuf_addch(&path, 'a');
	CHECK_INT(sync_ignore_match(&ig, path.buf, 0), 0);
	strbuf_addch(&path, 'b');
	CHECK_INT(sync_ignore_match(&ig, path.buf, 0), 1);
	sync_ignore_release(&ig);

	/* the same one level up: many globstars against a deep path */
	for (int i = 0; i < 12; i++)
		strbuf_adds(&rule, "**/a*a*a/");
	strbuf_adds(&rule, "b");
	load(&ig, rule.buf);
	strbuf_reset(&path);
	for (int i = 0; i < 2000; i++)
		strbuf_adds(&path, i ? "/aaaaaaaaaaaaaaaa" : "aaaaaaaaaaaaaaaa");
	CHECK_INT(sync_ignore_match(&ig, path.buf, 0), 0);
	strbuf_adds(&path, "/b");
	CHECK_INT(sync_ignore_match(&ig, path.buf, 0), 1);
	/* with its folders: each of them is judged too (quadratic in depth) */
	strbuf_setlen(&path, 200 * 17 - 1);
	CHECK_INT(sync_ignore_match_path(&ig, path.buf, 0), 0);
	strbuf_adds(&path, "/b");
	CHECK_INT(sync_ignore_match_path(&ig, path.buf, 0), 1);
	sync_ignore_release(&ig);

	/* deep paths (more components than the matcher's fixed array) */
	load(&ig, "x/**/y\n");
	strbuf_reset(&path);
	strbuf_adds(&path, "x");
	for (int i = 0; i < 100; i++)
		strbuf_adds(&path, "/d");
	strbuf_adds(&path, "/y");
	CHECK_INT(sync_ignore_match(&ig, path.buf, 0), 1);
	sync_ignore_release(&ig);

	strbuf_release(&path);
	strbuf_release(&rule);
}

/* ---- default exclusions ---- */

static size_t count(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

static int has(const char *const *list, const char *pattern)
{
	for (; *list; list++)
		if (!strcmp(*list, pattern))
			return 1;
	return 0;
}

static void test_defaults(void)
{
	const char *const *common = sync_default_excludes(NULL);
	const char *const *py = sync_default_excludes("python3.12");
	static const char *const sam_python[] = {
		".aws-sam", ".chalice", ".git", ".gitignore", "*.pyc", "__pycache__", "*.so",
		".Python", "*.egg-info", "*.egg", "pip-log.txt", "pip-delete-this-directory.txt",
		"htmlcov", ".tox", ".nox", ".coverage", ".cache", ".pytest_cache",
		".python-version", ".mypy_cache", ".dmypy.json", ".pyre", ".env", ".venv", "venv",
		"venv.bak", "env.bak", "ENV", "env", ".vscode", ".idea",
	};
	static const char *const runtimes[] = {
		NULL,	 "python3.8", "python3.13",	 "nodejs18.x", "nodejs22.x", "provided",
		"provided.al2023", "java21", "dotnet8", "ruby3.3", "go1.x",	"unknown",
	};

	/* the common list: SAM's for most workflows, plus awsx's */
	CHECK_INT(count(common), 5);
	CHECK(has(common, ".aws-sam") && has(common, ".git") && has(common, ".awsx"));
	CHECK(has(common, ".venv/") && has(common, "venv/"));
	CHECK(sync_default_excludes("nodejs20.x") == common);
	CHECK(sync_default_excludes("provided.al2023") == common);
	CHECK(sync_default_excludes("java21") == common);

	/* python: SAM's python_pip list in full, plus .awsx */
	CHECK_INT(count(py), ARRAY_SIZE(sam_python) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(sam_python); i++)
		CHECK_STR(py[i], sam_python[i]);
	CHECK(has(py, ".awsx"));
	CHECK(sync_default_excludes("python3.9") == py);

	/* every list compiles, whole */
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		struct sync_ignore ig = SYNC_IGNORE_INIT;
		CHECK_INT(sync_ignore_add_defaults(&ig, runtimes[i]), 0);
		CHECK_INT(ig.nr, count(sync_default_excludes(runtimes[i])));
		sync_ignore_release(&ig);
	}

	struct sync_ignore ig = SYNC_IGNORE_INIT;
	sync_ignore_add_defaults(&ig, "python3.12");
	CHECK_INT(sync_ignore_match(&ig, "lib/__pycache__", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "lib/x.pyc", 0), 1);
	CHECK_INT(sync_ignore_match(&ig, "lib/_x.cpython-312-x86_64-linux-gnu.so", 0), 1);
	CHECK_INT(sync_ignore_match(&ig, "pkg.egg-info", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, ".aws-sam", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, ".awsx", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "a/.git", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "venv", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "env", 0), 1); /* SAM's names match files too */
	CHECK_INT(sync_ignore_match(&ig, "app.py", 0), 0);
	CHECK_INT(sync_ignore_match(&ig, "environment.py", 0), 0);
	CHECK_INT(sync_ignore_match(&ig, "requirements.txt", 0), 0);
	/* the user's file comes after the defaults and can take one back */
	load(&ig, "!.gitignore\n");
	CHECK_INT(sync_ignore_match(&ig, ".gitignore", 0), 0);
	sync_ignore_release(&ig);

	sync_ignore_add_defaults(&ig, "nodejs20.x");
	CHECK_INT(sync_ignore_match(&ig, ".git", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "node_modules", 1), 0);
	CHECK_INT(sync_ignore_match(&ig, "venv", 1), 1);
	CHECK_INT(sync_ignore_match(&ig, "venv", 0), 0);
	CHECK_INT(sync_ignore_match(&ig, "x.pyc", 0), 0);
	sync_ignore_release(&ig);
}

/* ---- cross-check with git ---- */

/* Files of the tree git and we both judge; their folders are judged too. */
static const char *const git_files[] = {
	"a/b/c.txt", "a/b/d/e.txt", "a/x/b/c.txt", "a/x/y/b/e.py", "a/xb", "b/c.txt", "c.txt",
	"doc/frotz/f.txt", "frotz/g.txt", "x/doc/frotz/h.txt", "foo", "x/foo/bar.pyc",
	"abc/def/ghi", "__pycache__/m.pyc", "lib/__pycache__/n.pyc", "venv/bin/python",
	"src/#hash.txt", "src/!bang.txt", "src/[x].txt", "src/ab.txt", "src/a.b.txt", "sp/t.txt ",
	"sp/t.txt", "keep/keep.txt", "keep/drop.txt", "1x", "Ax", "ax", "y/b/e.c", "e.txt",
};

/*
 * Patterns whose meaning git and awsx agree on.  Left out on purpose: lines
 * git accepts and never matches (errors here) and "**" after a literal in
 * an anchored pattern (see sync.h).
 */
static const char *const git_patterns[] = {
	"*.txt", "!*.txt", "c.txt", "!c.txt", "/c.txt", "b", "b/", "/b", "!b/", "a/b", "a/b/",
	"a/**/b", "a/**/b/", "**/b", "**/b/c.txt", "a/**", "!a/**", "a/*", "a/*/b", "*/b",
	"a/**/*.txt", "**", "**/", "/**", "*", "!*/", "?.txt", "[a-c].txt", "[!a].txt", "[^b]*",
	"\\[x\\].txt", "[[]x].txt", "\\#hash.txt", "#hash.txt", "\\!bang.txt", "!bang.txt",
	"!\\!bang.txt", "doc/frotz/", "frotz/", "doc/frotz", "frotz", "/frotz/", "foo", "foo/",
	"!foo", "x/foo", "**/foo/**", "__pycache__/", "*.py[co]", "*.py", "venv/", "venv",
	"src/*.txt", "src/**", "!src/ab.txt", "t.txt ", "t.txt\\ ", "keep/", "!keep/keep.txt",
	"keep/*", "[[:digit:]]x", "[[:upper:]]x", "a/x/**/b", "a/x/*/b", "**/y/**", "e.*", "*b",
	"a*", "abc/**/ghi", "abc/def/", "a\\/b", "*/*/", "**/*.c", "!**/b/", "[!ab]x",
	"a/**/**/c.txt", "x/**", "!x/doc/", "[[:abc]x", "[]a]x", "[a-]x", "?x", "a/*/*/b/",
	"!a/x/",
};

struct git_path {
	char *rel;
	int is_dir;
};

/* Every file of git_files and every folder above one, once each. */
static size_t git_paths(struct git_path **out)
{
	struct git_path *p = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(git_files); i++) {
		const char *f = git_files[i];
		for (const char *s = strchr(f, '/'); s; s = strchr(s + 1, '/')) {
			char *dir = xstrndup(f, (size_t)(s - f));
			int seen = 0;
			for (size_t k = 0; k < nr && !seen; k++)
				seen = !strcmp(p[k].rel, dir);
			if (seen) {
				free(dir);
				continue;
			}
			ALLOC_GROW(p, nr + 1, alloc);
			p[nr].rel = dir;
			p[nr++].is_dir = 1;
		}
		ALLOC_GROW(p, nr + 1, alloc);
		p[nr].rel = xstrdup(f);
		p[nr++].is_dir = 0;
	}
	*out = p;
	return nr;
}

/* Run git check-ignore on paths.z; the NUL-separated ignored paths into out. */
static int git_check_ignore(const char *repo, struct strbuf *out)
{
	char *cmd = xstrfmt("cd '%s' && git check-ignore --no-index -z --stdin < '%s/../paths.z'",
			    repo, repo);
	FILE *p = popen(cmd, "r");
	char buf[4096];
	size_t n;
	int status;

	free(cmd);
	if (!p)
		return -1;
	strbuf_reset(out);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	status = pclose(p);
	/* 0: some ignored, 1: none */
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
}

static int in_output(const struct strbuf *out, const char *rel)
{
	for (size_t off = 0; off < out->len; off += strlen(out->buf + off) + 1)
		if (!strcmp(out->buf + off, rel))
			return 1;
	return 0;
}

static void test_git_cross_check(void)
{
	char *top = make_tmpdir();
	char *repo = xstrfmt("%s/repo", top);
	char *cmd = xstrfmt("git init -q '%s'", repo);
	struct git_path *paths;
	size_t nr = git_paths(&paths), compared = 0, differ = 0;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	uint32_t x = 12345;

	/* no global or system git configuration or excludes file */
	setenv("HOME", top, 1);
	setenv("XDG_CONFIG_HOME", top, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	if (system(cmd) != 0) {
		CHECK(!"git init failed");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(git_files); i++)
		put_file(repo, git_files[i], "x");
	for (size_t i = 0; i < nr; i++)
		strbuf_add(&sb, paths[i].rel, strlen(paths[i].rel) + 1);
	put_bytes(top, "paths.z", sb.buf, sb.len); /* NUL-separated for check-ignore -z */

	/* each pattern alone, then 300 deterministic mixes of two to five */
	size_t rounds = ARRAY_SIZE(git_patterns) + 300;
	for (size_t round = 0; round < rounds; round++) {
		struct sync_ignore ig = SYNC_IGNORE_INIT;
		strbuf_reset(&sb);
		if (round < ARRAY_SIZE(git_patterns)) {
			strbuf_addf(&sb, "%s\n", git_patterns[round]);
		} else {
			x = x * 1103515245u + 12345u;
			unsigned k = 2 + (x >> 16) % 4;
			while (k--) {
				x = x * 1103515245u + 12345u;
				strbuf_addf(&sb, "%s\n",
					    git_patterns[(x >> 16) % ARRAY_SIZE(git_patterns)]);
			}
		}
		put_file(repo, ".gitignore", sb.buf);
		load(&ig, sb.buf);
		if (git_check_ignore(repo, &out)) {
			CHECK(!"git check-ignore failed");
			sync_ignore_release(&ig);
			break;
		}
		for (size_t i = 0; i < nr; i++) {
			int want = in_output(&out, paths[i].rel);
			int got = sync_ignore_match_path(&ig, paths[i].rel, paths[i].is_dir);
			compared++;
			if (got != want) {
				differ++;
				fprintf(
				    stderr,
				    "git and awsx differ on '%s'%s: git %d, awsx %d; rules:\n%s",
				    paths[i].rel, paths[i].is_dir ? " (folder)" : "", want, got,
				    sb.buf);
			}
		}
		sync_ignore_release(&ig);
	}
	CHECK_INT(differ, 0);
	CHECK(compared > 10000);
out:
	for (size_t i = 0; i < nr; i++)
		free(paths[i].rel);
	free(paths);
	strbuf_release(&sb);
	strbuf_release(&out);
	rm_rf(top);
	free(top);
	free(repo);
	free(cmd);
}

int main(void)
{
	if (system("git --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test-sync-ignore needs git (tests/setup-deps.sh)\n");
		return 1;
	}
	RUN(test_table);
	RUN(test_alone_vs_with_folders);
	RUN(test_bad_lines);
	RUN(test_files);
	RUN(test_walk);
	RUN(test_no_blowup);
	RUN(test_defaults);
	RUN(test_git_cross_check);
	return check_done();
}
