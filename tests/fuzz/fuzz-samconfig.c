/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-samconfig.c: libFuzzer target for the samconfig reader
 * (sync/samconfig.c): the hand-written TOML parser (sync/toml.c) and the
 * YAML loader (templates/template.c with SAM CLI's rules).
 * The input is read once as "f.toml" and once as "f.yaml", as a whole
 * document and through SAM's selection for two environments and commands.
 * Besides crashes, leaks and the depth and node caps, it checks the
 * contracts: a failure is -AWSX_ECONFIG with one message that starts with
 * the file name and no result; a document is an object no deeper than
 * SAMCONFIG_MAX_DEPTH whose strings and keys are UTF-8 and whose numbers
 * are finite and carry their text; parameters are an object.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/samconfig.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n;
		uint32_t cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

static void fuzz_check_tree(const cJSON *n, unsigned depth)
{
	fuzz_assert(depth <= SAMCONFIG_MAX_DEPTH);
	fuzz_assert(!n->string || utf8_ok((const unsigned char *)n->string));
	if (cJSON_IsString(n))
		fuzz_assert(n->valuestring && utf8_ok((const unsigned char *)n->valuestring));
	if (cJSON_IsNumber(n))
		fuzz_assert(n->valuestring && isfinite(n->valuedouble));
	for (const cJSON *c = n->child; c; c = c->next) {
		fuzz_assert(!cJSON_IsObject(n) || c->string);
		fuzz_check_tree(c, depth + 1);
	}
}

static void fuzz_check_error(int rc, const struct aws_error *err, const char *name)
{
	size_t len = strlen(name);

	fuzz_assert(rc == -AWSX_ECONFIG && err->kind == AWSX_ECONFIG);
	fuzz_assert((!strncmp(err->message, name, len) && err->message[len] == ':') ||
		    !strncmp(err->message, "cannot read config file '", 25));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "f.toml", "f.yaml" };
	static const char *const envs[] = { "default", "prod" };
	static const char *const commands[] = { "sync", "local start-api" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct aws_error err;
		cJSON *doc = (cJSON *)1;
		int rc;

		aws_error_clear(&err);
		rc = samconfig_parse(names[i], (const char *)data, size, &doc, &err);
		if (rc) {
			fuzz_check_error(rc, &err, names[i]);
			fuzz_assert(!doc);
			continue;
		}
		fuzz_assert(cJSON_IsObject(doc) && err.kind == 0);
		fuzz_check_tree(doc, 0);
		cJSON_Delete(doc);

		for (size_t e = 0; e < 2; e++) {
			for (size_t c = 0; c < 2; c++) {
				cJSON *params = (cJSON *)1;

				aws_error_clear(&err);
				rc = samconfig_load_buffer(names[i], (const char *)data, size, envs[e],
							   commands[c], &params, &err);
				if (rc) {
					fuzz_check_error(rc, &err, names[i]);
					fuzz_assert(!params);
					continue;
				}
				fuzz_assert(cJSON_IsObject(params));
				fuzz_check_tree(params, 0);
				cJSON_Delete(params);
			}
		}
	}
	return 0;
}
