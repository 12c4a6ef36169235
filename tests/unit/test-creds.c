/* SPDX-License-Identifier: Apache-2.0 */
/* test-creds.c: the credential_process command splitter. */
#include "aws/internal.h"

#include <stdlib.h>

#include "check.h"

static int split(const char *cmd, const char *const *want, int nwant)
{
	char **argv = NULL;
	int n = creds_split_command(cmd, &argv);
	int ok = n == nwant;
	for (int i = 0; ok && i < n; i++)
		ok = !strcmp(argv[i], want[i]);
	if (!ok) {
		fprintf(stderr, "split '%s' gave %d words:", cmd, n);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " [%s]", argv[i]);
		fputc('\n', stderr);
	}
	for (int i = 0; n > 0 && i < n; i++)
		free(argv[i]);
	if (n >= 0)
		free(argv);
	return ok;
}

static void test_split(void)
{
	const char *a[] = { "/usr/bin/helper", "--profile", "x" };
	CHECK(split("/usr/bin/helper --profile x", a, 3));
	CHECK(split("  /usr/bin/helper\t--profile   x  ", a, 3));
	const char *b[] = { "python3", "/my dir/p.py", "it's" };
	CHECK(split("python3 '/my dir/p.py' \"it's\"", b, 3));
	const char *c[] = { "a b", "c\"d", "$HOME" };
	CHECK(split("a\\ b \"c\\\"d\" '$HOME'", c, 3));
	const char *d[] = { "ab" };
	CHECK(split("a''b", d, 1));
	CHECK(split("", NULL, 0));
	char **argv = NULL;
	CHECK_INT(creds_split_command("echo 'unterminated", &argv), -1);
	CHECK_INT(creds_split_command("echo \"unterminated", &argv), -1);
}

int main(void)
{
	RUN(test_split);
	return check_done();
}
