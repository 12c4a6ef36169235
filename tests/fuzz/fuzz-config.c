/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-config.c: libFuzzer target for the shared config/credentials file
 * reader (aws/config.c).  The input is parsed once as a config file and
 * once as a credentials file, then queried with every accessor.  Besides
 * crashes and leaks it checks the contracts: a failure is -AWSX_ECONFIG
 * with a "cannot parse '<file>': ..." message, values never carry blanks at
 * either end, and every value has an origin naming the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_check_value(const char *v)
{
	size_t len;

	if (!v)
		return;
	len = strlen(v);
	if (!len)
		return;
	fuzz_assert(v[0] != ' ' && v[0] != '\t');
	fuzz_assert(v[len - 1] != ' ' && v[len - 1] != '\t');
	fuzz_assert(!strchr(v, '\r'));
}

static void fuzz_query(const struct aws_config *cfg, const char *filename)
{
	static const char *const profiles[] = { "default", "dev", "a",
						"profile a", "" };
	static const char *const keys[] = { "region", "aws_access_key_id",
					    "s3", "services", "a", "" };
	size_t flen = strlen(filename);

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		int has = aws_config_has_profile(cfg, profiles[i]);

		for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			const char *v = aws_config_get(cfg, profiles[i], keys[j]);
			const char *o =
				aws_config_origin(cfg, profiles[i], keys[j]);

			fuzz_check_value(v);
			fuzz_assert(!v == !o);
			fuzz_assert(!v || has);
			fuzz_assert(!o || (!strncmp(o, filename, flen) &&
					   o[flen] == ':'));
			fuzz_check_value(aws_config_get_sub(cfg, profiles[i],
							    keys[j], "a"));
			fuzz_check_value(aws_config_get_sub(
				cfg, profiles[i], keys[j],
				"max_concurrent_requests"));
			fuzz_check_value(aws_config_section_get(
				cfg, AWS_CONFIG_SSO_SESSION, profiles[i],
				keys[j]));
			fuzz_check_value(aws_config_section_get_sub(
				cfg, AWS_CONFIG_SERVICES, profiles[i], keys[j],
				"endpoint_url"));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "fuzz-config", "fuzz-credentials" };

	for (int is_credentials = 0; is_credentials <= 1; is_credentials++) {
		struct aws_config *cfg = aws_config_new();
		struct aws_error err;
		const char *name = names[is_credentials];
		int rc;

		aws_error_clear(&err);
		rc = aws_config_parse(cfg, (const char *)data, size, name,
				      is_credentials, &err);
		if (rc) {
			fuzz_assert(rc == -AWSX_ECONFIG);
			fuzz_assert(err.kind == AWSX_ECONFIG);
			fuzz_assert(!strncmp(err.message, "cannot parse '", 14));
		} else {
			fuzz_assert(err.kind == 0);
		}
		/* A partly parsed file must still be safe to query. */
		fuzz_query(cfg, name);
		aws_config_free(cfg);
	}
	return 0;
}
