/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c: how awsx talks about failure: one line on stderr, "awsx: " and
 * the reason, and the exit code that goes with the error's kind
 * (docs/exit-codes.md); plus "did you mean" suggestions.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("awsx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_report(const struct aws_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	aws_error_format(err, &sb);
	/* one line, whatever the service put in its message */
	for (size_t i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
			sb.buf[i] = ' ';
	cli_error("%s", sb.buf);
	strbuf_release(&sb);
	return err->kind ? err->kind : AWSX_EFAIL;
}

int cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	int d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	int best_d = 99;
	size_t wl = strlen(word);
	int limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3;
	for (size_t i = 0; i < n; i++) {
		int d = cli_edit_distance(word, candidates[i]);
		/* a unique prefix counts as close, too */
		if (wl >= 3 && !strncmp(candidates[i], word, wl))
			d = d < 1 ? d : 1;
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
