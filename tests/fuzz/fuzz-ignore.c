/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-ignore.c: libFuzzer target for the .awsxignore reader and matcher
 * (sync/ignore.c).  Input layout: the bytes before the first NUL are the
 * ignore file; after it, one path per line ("dir/" marks a folder).  Each
 * path is judged alone and with its folders.  Besides crashes, leaks and
 * timeouts (a match must stay polynomial) it checks the contracts: a bad
 * file is -AWSX_EFAIL with "fuzz:<line>: ..." and leaves no rule behind;
 * a path ignored alone is ignored with its folders too; the exclusion
 * adapter agrees with the matcher; and a pattern without '/' (the first
 * line, when it can be read so) matches exactly what "**" + "/" + it does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

/*
 * The first line as a pattern that means the same with "**" and a '/' in
 * front: no '/' (which would anchor it), not a comment or negation, not
 * empty or ending in what trimming or a trailing backslash would change.
 */
static char *basename_pattern(const char *text)
{
	size_t len = strcspn(text, "\n");

	if (!len || text[0] == '#' || text[0] == '!' || text[len - 1] == ' ' ||
	    text[len - 1] == '\\' || memchr(text, '/', len) || memchr(text, '\r', len))
		return NULL;
	return xstrndup(text, len);
}

static void check_path(const struct sync_ignore *ig, const struct sync_ignore *base,
		       const struct sync_ignore *deep, const char *path, int is_dir)
{
	int alone = sync_ignore_match(ig, path, is_dir);
	int with_folders = sync_ignore_match_path(ig, path, is_dir);

	fuzz_assert(alone == 0 || alone == 1);
	fuzz_assert(with_folders == 0 || with_folders == 1);
	fuzz_assert(!alone || with_folders);
	fuzz_assert(sync_exclude_ignore(path, is_dir, (void *)ig) == alone);
	if (base)
		fuzz_assert(sync_ignore_match(base, path, is_dir) ==
			    sync_ignore_match(deep, path, is_dir));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nul = memchr(in, '\0', size);
	size_t rules_len = nul ? (size_t)(nul - in) : size;
	struct sync_ignore ig = SYNC_IGNORE_INIT, base = SYNC_IGNORE_INIT, deep = SYNC_IGNORE_INIT;
	struct aws_error err;
	char *rules = xstrndup(in, rules_len), *pattern, *paths = NULL;
	int rc, have_pair = 0;

	aws_error_clear(&err);
	rc = sync_ignore_add_buffer(&ig, rules, rules_len, "fuzz", &err);
	if (rc) {
		fuzz_assert(rc == -AWSX_EFAIL && err.kind == AWSX_EFAIL);
		fuzz_assert(!strncmp(err.message, "fuzz:", 5));
		fuzz_assert(ig.nr == 0);
	} else {
		fuzz_assert(err.kind == 0);
	}

	pattern = basename_pattern(rules);
	if (pattern) {
		char *deeper = xstrfmt("**/%s", pattern);
		struct aws_error e1, e2;
		int r1, r2;

		aws_error_clear(&e1);
		aws_error_clear(&e2);
		r1 = sync_ignore_add_line(&base, pattern, "base", 1, &e1);
		r2 = sync_ignore_add_line(&deep, deeper, "deep", 1, &e2);
		fuzz_assert(!r1 == !r2);
		have_pair = !r1;
		free(deeper);
	}

	if (nul) {
		size_t left = size - rules_len - 1;
		unsigned count = 0;

		paths = xstrndup(nul + 1, left); /* a later NUL cuts the rest */
		for (char *p = paths; *p && count < 256; count++) {
			char *nl = strchr(p, '\n');
			size_t len;
			int is_dir = 0;

			if (nl)
				*nl = '\0';
			len = strlen(p);
			if (len && p[len - 1] == '/') {
				p[--len] = '\0';
				is_dir = 1;
			}
			check_path(&ig, have_pair ? &base : NULL, &deep, p, is_dir);
			if (!nl)
				break;
			p = nl + 1;
		}
	}

	sync_ignore_release(&ig);
	sync_ignore_release(&base);
	sync_ignore_release(&deep);
	free(pattern);
	free(paths);
	free(rules);
	return 0;
}
