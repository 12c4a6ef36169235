/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-config.c: the shared config/credentials reader against the cases
 * botocore users rely on: profile sections in both files and which file
 * wins, nested sub-sections, comments, line endings, a BOM, duplicates,
 * sso-session and services sections, exact parse-error messages with line
 * numbers, and loading from the environment's paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/config.h"
#include "aws/util.h"
#include "tests/unit/check.h"

static char tmpdir[] = "/tmp/awsx-test-config-XXXXXX";

/* Parse text as one file; returns the parse result, the error in err. */
static int parse(struct aws_config *cfg, const char *text, int is_credentials,
		 struct aws_error *err)
{
	aws_error_clear(err);
	return aws_config_parse(cfg, text, strlen(text),
				is_credentials ? "/home/u/.aws/credentials"
					       : "/home/u/.aws/config",
				is_credentials, err);
}

static char *write_file(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_profiles_in_config(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[default]\n"
			"region = us-east-1\n"
			"output=json\n"
			"\n"
			"[profile dev]\n"
			"region = eu-west-1\n"
			"role_arn = arn:aws:iam::123456789012:role/Dev\n"
			"source_profile = default\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-1");
	CHECK_STR(aws_config_get(cfg, "default", "output"), "json");
	CHECK_STR(aws_config_get(cfg, "dev", "region"), "eu-west-1");
	CHECK_STR(aws_config_get(cfg, "dev", "role_arn"),
		  "arn:aws:iam::123456789012:role/Dev");
	CHECK(aws_config_get(cfg, "dev", "output") == NULL);
	CHECK(aws_config_get(cfg, "nope", "region") == NULL);
	CHECK(aws_config_has_profile(cfg, "default"));
	CHECK(aws_config_has_profile(cfg, "dev"));
	CHECK(!aws_config_has_profile(cfg, "profile dev"));
	CHECK(!aws_config_has_profile(cfg, "nope"));
	CHECK_STR(aws_config_origin(cfg, "dev", "region"),
		  "/home/u/.aws/config:6");
	CHECK_STR(aws_config_origin(cfg, "default", "output"),
		  "/home/u/.aws/config:3");
	CHECK(aws_config_origin(cfg, "dev", "output") == NULL);
	CHECK_STR(aws_config_path(cfg), "/home/u/.aws/config");
	aws_config_free(cfg);
}

static void test_credentials_win(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[profile dev]\n"
			"region = eu-west-1\n"
			"aws_access_key_id = AKIDCONFIG\n",
			0, &err),
		  0);
	CHECK_INT(parse(cfg,
			"[dev]\n"
			"aws_access_key_id = AKIDCREDS\n"
			"aws_secret_access_key = secret/with+chars=\n"
			"[creds-only]\n"
			"aws_access_key_id = AKIDONLY\n",
			1, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "dev", "aws_access_key_id"), "AKIDCREDS");
	CHECK_STR(aws_config_origin(cfg, "dev", "aws_access_key_id"),
		  "/home/u/.aws/credentials:2");
	CHECK_STR(aws_config_get(cfg, "dev", "aws_secret_access_key"),
		  "secret/with+chars=");
	CHECK_STR(aws_config_get(cfg, "dev", "region"), "eu-west-1");
	CHECK_STR(aws_config_origin(cfg, "dev", "region"),
		  "/home/u/.aws/config:2");
	CHECK(aws_config_has_profile(cfg, "creds-only"));
	CHECK_STR(aws_config_get(cfg, "creds-only", "aws_access_key_id"),
		  "AKIDONLY");
	CHECK_STR(aws_config_credentials_path(cfg), "/home/u/.aws/credentials");
	aws_config_free(cfg);

	/* The order of reading does not change who wins. */
	cfg = aws_config_new();
	CHECK_INT(parse(cfg, "[x]\nk = creds\n", 1, &err), 0);
	CHECK_INT(parse(cfg, "[profile x]\nk = config\n", 0, &err), 0);
	CHECK_STR(aws_config_get(cfg, "x", "k"), "creds");
	aws_config_free(cfg);
}

static void test_profile_prefix(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	/* In the config file "[x]" is not a profile; "[default]" is. */
	CHECK_INT(parse(cfg,
			"[x]\nregion = us-west-1\n"
			"[profile y]\nregion = us-west-2\n"
			"[profile default]\noutput = text\n"
			"[profilez]\nregion = bad\n"
			"[profile two words]\nregion = bad\n"
			"[profile \"quoted name\"]\nregion = ap-south-1\n"
			"[  profile   spaced  ]\nregion = sa-east-1\n"
			"[profile]\nregion = bad\n",
			0, &err),
		  0);
	CHECK(!aws_config_has_profile(cfg, "x"));
	CHECK(aws_config_get(cfg, "x", "region") == NULL);
	CHECK_STR(aws_config_get(cfg, "y", "region"), "us-west-2");
	CHECK_STR(aws_config_get(cfg, "default", "output"), "text");
	CHECK(!aws_config_has_profile(cfg, "profilez"));
	CHECK(!aws_config_has_profile(cfg, "z"));
	CHECK(!aws_config_has_profile(cfg, "two words"));
	CHECK(!aws_config_has_profile(cfg, "two"));
	CHECK_STR(aws_config_get(cfg, "quoted name", "region"), "ap-south-1");
	CHECK_STR(aws_config_get(cfg, "spaced", "region"), "sa-east-1");
	CHECK(!aws_config_has_profile(cfg, "profile"));

	/* In the credentials file every section is a profile, named as written. */
	CHECK_INT(parse(cfg,
			"[x]\naws_access_key_id = AKIDX\n"
			"[profile w]\naws_access_key_id = AKIDW\n"
			"[ padded ]\naws_access_key_id = AKIDP\n",
			1, &err),
		  0);
	CHECK(aws_config_has_profile(cfg, "x"));
	CHECK_STR(aws_config_get(cfg, "x", "aws_access_key_id"), "AKIDX");
	CHECK(!aws_config_has_profile(cfg, "w"));
	CHECK_STR(aws_config_get(cfg, "profile w", "aws_access_key_id"),
		  "AKIDW");
	CHECK_STR(aws_config_get(cfg, "padded", "aws_access_key_id"), "AKIDP");
	aws_config_free(cfg);
}

static void test_default_and_profile_default(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[default]\nregion = us-east-1\noutput = json\n"
			"[profile default]\nregion = us-east-2\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-2");
	CHECK_STR(aws_config_get(cfg, "default", "output"), "json");
	aws_config_free(cfg);
}

static void test_nested(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[default]\n"
			"s3 =\n"
			"  max_concurrent_requests = 20\n"
			"\taddressing_style=path\n"
			"  # a comment inside\n"
			"\n"
			"  max_queue_size = 100 # inline\n"
			"region = us-east-1\n"
			"multi = first\n"
			"  second\n"
			"  third ; note\n"
			"after = x\n"
			"  indented_key = y\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "default", "s3"), "");
	CHECK_STR(aws_config_get_sub(cfg, "default", "s3",
				     "max_concurrent_requests"),
		  "20");
	CHECK_STR(aws_config_get_sub(cfg, "default", "s3", "addressing_style"),
		  "path");
	CHECK_STR(aws_config_get_sub(cfg, "default", "s3", "max_queue_size"),
		  "100");
	CHECK(aws_config_get_sub(cfg, "default", "s3", "nope") == NULL);
	CHECK(aws_config_get_sub(cfg, "default", "region", "x") == NULL);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-1");
	CHECK_STR(aws_config_get(cfg, "default", "multi"),
		  "first\nsecond\nthird");
	/* An indented line under a non-empty value continues it. */
	CHECK_STR(aws_config_get(cfg, "default", "after"), "x\nindented_key = y");
	CHECK(aws_config_get(cfg, "default", "indented_key") == NULL);
	CHECK(aws_config_get(cfg, "default", "max_concurrent_requests") == NULL);
	aws_config_free(cfg);

	/* Settings that are themselves indented nest only deeper lines. */
	cfg = aws_config_new();
	CHECK_INT(parse(cfg,
			"[default]\n"
			"  region = us-east-1\n"
			"  s3 =\n"
			"    a = 1\n"
			"  output = json\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-1");
	CHECK_STR(aws_config_get_sub(cfg, "default", "s3", "a"), "1");
	CHECK_STR(aws_config_get(cfg, "default", "output"), "json");
	aws_config_free(cfg);

	/* A later plain value replaces a nested one entirely. */
	cfg = aws_config_new();
	CHECK_INT(parse(cfg, "[default]\ns3 =\n  a = 1\n", 0, &err), 0);
	CHECK_INT(parse(cfg, "[default]\ns3 = flat\n", 1, &err), 0);
	CHECK_STR(aws_config_get(cfg, "default", "s3"), "flat");
	CHECK(aws_config_get_sub(cfg, "default", "s3", "a") == NULL);
	aws_config_free(cfg);
}

static void test_comments(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"# leading comment\n"
			"; another\n"
			"[default] # comment after a header\n"
			"region = us-east-1 # trailing\n"
			"output = json ;trailing\n"
			"   # indented comment\n"
			"hash = abc#def\n"
			"semi = a;b\n"
			"tab = v\t# tab comment\n"
			"url = http://localhost:4566/#frag\n"
			"empty = # only a comment\n"
			"[profile p];comment\n"
			"k = v\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-1");
	CHECK_STR(aws_config_get(cfg, "default", "output"), "json");
	CHECK_STR(aws_config_get(cfg, "default", "hash"), "abc#def");
	CHECK_STR(aws_config_get(cfg, "default", "semi"), "a;b");
	CHECK_STR(aws_config_get(cfg, "default", "tab"), "v");
	CHECK_STR(aws_config_get(cfg, "default", "url"),
		  "http://localhost:4566/#frag");
	CHECK_STR(aws_config_get(cfg, "default", "empty"), "");
	CHECK_STR(aws_config_get(cfg, "p", "k"), "v");
	aws_config_free(cfg);
}

static void test_line_ends_and_bom(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"\xEF\xBB\xBF[default]\r\n"
			"region = us-east-1\r\n"
			"s3 =\r\n"
			"  addressing_style = virtual\r\n"
			"\r\n"
			"[profile cr]\r"
			"region = eu-north-1\r"
			"garbage\r\n",
			0, &err),
		  -AWSX_ECONFIG);
	/* The lone "\r" counts as a line end, so the bad line is line 8. */
	CHECK_STR(err.message, "cannot parse '/home/u/.aws/config': line 8: "
			       "expected 'key = value' or '[section]'");
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-east-1");
	CHECK_STR(aws_config_get_sub(cfg, "default", "s3", "addressing_style"),
		  "virtual");
	CHECK_STR(aws_config_get(cfg, "cr", "region"), "eu-north-1");
	CHECK_STR(aws_config_origin(cfg, "cr", "region"),
		  "/home/u/.aws/config:7");
	aws_config_free(cfg);

	/* No final newline, and a file of only a BOM. */
	cfg = aws_config_new();
	CHECK_INT(parse(cfg, "[default]\nregion = us-west-2", 0, &err), 0);
	CHECK_STR(aws_config_get(cfg, "default", "region"), "us-west-2");
	CHECK_INT(parse(cfg, "\xEF\xBB\xBF", 1, &err), 0);
	CHECK_INT(parse(cfg, "", 1, &err), 0);
	aws_config_free(cfg);
}

static void test_duplicates_and_case(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[profile a]\n"
			"region = us-east-1\n"
			"region = us-east-2\n"
			"Region = upper\n"
			"[profile b]\n"
			"x = 1\n"
			"[profile a]\n"
			"output = text\n"
			"[profile a]\n"
			"region = us-west-1\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "a", "region"), "us-west-1");
	CHECK_STR(aws_config_origin(cfg, "a", "region"),
		  "/home/u/.aws/config:10");
	/* keys ignore case, as botocore's parser lower-cases them; the last wins */
	CHECK_STR(aws_config_get(cfg, "a", "Region"), "us-west-1");
	CHECK_STR(aws_config_get(cfg, "a", "output"), "text");
	CHECK_STR(aws_config_get(cfg, "a", "REGION"), "us-west-1");
	CHECK(aws_config_get(cfg, "A", "region") == NULL);
	aws_config_free(cfg);
}

static void test_sso_and_services(void)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg,
			"[profile sso]\n"
			"sso_session = corp\n"
			"sso_account_id = 123456789012\n"
			"services = local\n"
			"[sso-session corp]\n"
			"sso_start_url = https://corp.awsapps.com/start\n"
			"sso_region = us-east-1\n"
			"sso_registration_scopes = sso:account:access\n"
			"[services local]\n"
			"sts =\n"
			"  endpoint_url = http://localhost:4566\n"
			"cloudwatch_logs =\n"
			"  endpoint_url = http://localhost:4567\n",
			0, &err),
		  0);
	CHECK_STR(aws_config_get(cfg, "sso", "sso_session"), "corp");
	CHECK_STR(aws_config_section_get(cfg, AWS_CONFIG_SSO_SESSION, "corp",
					 "sso_start_url"),
		  "https://corp.awsapps.com/start");
	CHECK_STR(aws_config_section_get(cfg, AWS_CONFIG_SSO_SESSION, "corp",
					 "sso_registration_scopes"),
		  "sso:account:access");
	CHECK(aws_config_section_get(cfg, AWS_CONFIG_SERVICES, "corp",
				     "sso_region") == NULL);
	CHECK(!aws_config_has_profile(cfg, "corp"));
	CHECK(!aws_config_has_profile(cfg, "local"));
	CHECK_STR(aws_config_section_get_sub(cfg, AWS_CONFIG_SERVICES, "local",
					     "sts", "endpoint_url"),
		  "http://localhost:4566");
	CHECK_STR(aws_config_section_get_sub(cfg, AWS_CONFIG_SERVICES, "local",
					     "cloudwatch_logs", "endpoint_url"),
		  "http://localhost:4567");
	CHECK(aws_config_section_get_sub(cfg, AWS_CONFIG_SERVICES, "local",
					 "s3", "endpoint_url") == NULL);
	CHECK_STR(aws_config_section_get(cfg, AWS_CONFIG_PROFILE, "sso",
					 "sso_account_id"),
		  "123456789012");
	aws_config_free(cfg);
}

/* Parse text and expect the given error message. */
static void expect_error(const char *text, int is_credentials,
			 const char *message)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	CHECK_INT(parse(cfg, text, is_credentials, &err), -AWSX_ECONFIG);
	CHECK_INT(err.kind, AWSX_ECONFIG);
	CHECK_STR(err.message, message);
	aws_config_free(cfg);
}

static void test_malformed(void)
{
	expect_error("[default]\n"
		     "region = us-east-1\n"
		     "\n"
		     "# fine\n"
		     "[profile dev]\n"
		     "output = json\n"
		     "garbage\n"
		     "more = ok\n",
		     0,
		     "cannot parse '/home/u/.aws/config': line 7: "
		     "expected 'key = value' or '[section]'");
	expect_error("# comment\nregion = us-east-1\n[default]\n", 0,
		     "cannot parse '/home/u/.aws/config': line 2: "
		     "setting before the first '[section]' header");
	expect_error("[default]\nregion = x\n[profile dev\nregion = y\n", 0,
		     "cannot parse '/home/u/.aws/config': line 3: "
		     "missing ']' in section header");
	expect_error("[dev]\na = 1\n[  ]\n", 1,
		     "cannot parse '/home/u/.aws/credentials': line 3: "
		     "empty section name");
	expect_error("[default] junk\n", 0,
		     "cannot parse '/home/u/.aws/config': line 1: "
		     "unexpected text after ']' in section header");
	expect_error("[default]\n = value\n", 0,
		     "cannot parse '/home/u/.aws/config': line 2: "
		     "missing key name before '='");
	expect_error("[default]\ns3 =\n  max_concurrent_requests = 1\n  oops\n",
		     0,
		     "cannot parse '/home/u/.aws/config': line 4: "
		     "expected 'key = value' in a nested section");
	expect_error("[default]\ns3 =\n  = 1\n", 0,
		     "cannot parse '/home/u/.aws/config': line 3: "
		     "missing key name before '='");
	/* Errors come from unused sections too, as with botocore. */
	expect_error("[plugins]\nx =\n  y\n", 0,
		     "cannot parse '/home/u/.aws/config': line 3: "
		     "expected 'key = value' in a nested section");
	expect_error("garbage\n", 1,
		     "cannot parse '/home/u/.aws/credentials': line 1: "
		     "expected 'key = value' or '[section]'");
	expect_error("  indented garbage\n", 0,
		     "cannot parse '/home/u/.aws/config': line 1: "
		     "expected 'key = value' or '[section]'");

	/* A NUL byte (a binary file) is refused with its line. */
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;
	static const char nul[] = "[default]\nregion = a\0b\n";

	aws_error_clear(&err);
	CHECK_INT(aws_config_parse(cfg, nul, sizeof(nul) - 1, "f", 0, &err),
		  -AWSX_ECONFIG);
	CHECK_STR(err.message, "cannot parse 'f': line 2: unexpected NUL byte");
	aws_config_free(cfg);
}

static void test_load(void)
{
	struct aws_config *cfg = NULL;
	struct aws_error err;
	char *config = write_file("config", "[default]\nregion = us-east-1\n"
					    "[profile dev]\nregion = eu-west-1\n");
	char *creds = write_file("credentials",
				 "[default]\naws_access_key_id = AKID\n");
	char *missing = xstrfmt("%s/does-not-exist", tmpdir);
	char *bad = write_file("bad", "[default]\nregion\n");
	char *home = xstrfmt("%s/home", tmpdir);
	char *dotaws = xstrfmt("%s/home/.aws", tmpdir);

	aws_error_clear(&err);
	setenv("AWS_CONFIG_FILE", config, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", creds, 1);
	CHECK_INT(aws_config_load(&cfg, NULL, NULL, &err), 0);
	CHECK_STR(aws_config_get(cfg, "dev", "region"), "eu-west-1");
	CHECK_STR(aws_config_get(cfg, "default", "aws_access_key_id"), "AKID");
	CHECK_STR(aws_config_path(cfg), config);
	CHECK_STR(aws_config_credentials_path(cfg), creds);
	aws_config_free(cfg);

	/* Explicit paths win over the environment; missing files are fine. */
	cfg = NULL;
	CHECK_INT(aws_config_load(&cfg, missing, missing, &err), 0);
	CHECK(cfg != NULL);
	CHECK(!aws_config_has_profile(cfg, "default"));
	aws_config_free(cfg);

	/* A parse error names the file and line and yields no config. */
	cfg = (struct aws_config *)&err;
	CHECK_INT(aws_config_load(&cfg, bad, missing, &err), -AWSX_ECONFIG);
	CHECK(cfg == NULL);
	char *want = xstrfmt("cannot parse '%s': line 2: expected 'key = value' "
			     "or '[section]'", bad);
	CHECK_STR(err.message, want);
	free(want);

	/* A directory is an error naming it. */
	CHECK_INT(aws_config_load(&cfg, tmpdir, missing, &err), -AWSX_ECONFIG);
	want = xstrfmt("cannot read '%s': it is a directory", tmpdir);
	CHECK_STR(err.message, want);
	free(want);

	/* An unreadable file (only testable when not running as root). */
	if (geteuid() != 0) {
		char *locked = write_file("locked", "[default]\n");
		chmod(locked, 0);
		CHECK_INT(aws_config_load(&cfg, missing, locked, &err),
			  -AWSX_ECONFIG);
		want = xstrfmt("cannot read '%s': %s", locked, strerror(EACCES));
		CHECK_STR(err.message, want);
		free(want);
		free(locked);
	}

	/* Over 16 MiB is refused before reading it. */
	char *big = xstrfmt("%s/big", tmpdir);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 16 * 1024 * 1024 + 1) == 0);
	close(fd);
	CHECK_INT(aws_config_load(&cfg, big, missing, &err), -AWSX_ECONFIG);
	want = xstrfmt("cannot read '%s': file is larger than 16 MiB", big);
	CHECK_STR(err.message, want);
	free(want);
	free(big);

	/* The parser itself refuses more than 16 MiB too. */
	size_t huge_len = 16 * 1024 * 1024 + 1;
	char *huge = xmalloc(huge_len);
	memset(huge, '\n', huge_len);
	cfg = aws_config_new();
	CHECK_INT(aws_config_parse(cfg, huge, huge_len, "huge", 0, &err),
		  -AWSX_ECONFIG);
	CHECK_STR(err.message, "cannot parse 'huge': file is larger than 16 MiB");
	CHECK_INT(aws_config_parse(cfg, huge, huge_len - 1, "huge", 0, &err), 0);
	aws_config_free(cfg);
	free(huge);

	/* Default paths under $HOME, and "~" in a given path. */
	unsetenv("AWS_CONFIG_FILE");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "", 1);
	mkdir(home, 0700);
	mkdir(dotaws, 0700);
	free(write_file("home/.aws/config", "[profile h]\nregion = ca-central-1\n"));
	free(write_file("home/.aws/credentials", "[h]\naws_access_key_id = H\n"));
	free(write_file("home/alt", "[profile alt]\nregion = me-south-1\n"));
	setenv("HOME", home, 1);
	CHECK_INT(aws_config_load(&cfg, NULL, NULL, &err), 0);
	CHECK_STR(aws_config_get(cfg, "h", "region"), "ca-central-1");
	CHECK_STR(aws_config_get(cfg, "h", "aws_access_key_id"), "H");
	want = xstrfmt("%s/.aws/config", home);
	CHECK_STR(aws_config_path(cfg), want);
	free(want);
	aws_config_free(cfg);
	CHECK_INT(aws_config_load(&cfg, "~/alt", "~/nothing", &err), 0);
	CHECK_STR(aws_config_get(cfg, "alt", "region"), "me-south-1");
	aws_config_free(cfg);

	free(config);
	free(creds);
	free(missing);
	free(bad);
	free(home);
	free(dotaws);
}

static void cleanup(void)
{
	char *cmd = xstrfmt("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_profiles_in_config);
	RUN(test_credentials_win);
	RUN(test_profile_prefix);
	RUN(test_default_and_profile_default);
	RUN(test_nested);
	RUN(test_comments);
	RUN(test_line_ends_and_bom);
	RUN(test_duplicates_and_case);
	RUN(test_sso_and_services);
	RUN(test_malformed);
	RUN(test_load);
	cleanup();
	return check_done();
}
