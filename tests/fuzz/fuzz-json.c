/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-json.c: libFuzzer target for the JSON side of the AWS core
 * (aws/protocol.c): proto_json_parse, and the error parser of the json and
 * rest-json protocols with and without an x-amzn-ErrorType header.
 * Input layout: when the first byte is 0x01 (or 0x02), the bytes up to the
 * first newline are the x-amzn-ErrorType value (0x02: also the
 * x-amzn-RequestId value) and the rest is the body; otherwise it is all
 * body.  Besides crashes it checks that error fields are NUL-terminated and
 * free of control characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_check_field(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	fuzz_assert(len < size);
	for (size_t i = 0; i < len; i++)
		fuzz_assert((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	size_t len = size;
	struct kvlist headers = KVLIST_INIT;
	struct aws_error err;

	if (size && (data[0] == 0x01 || data[0] == 0x02)) {
		const char *nl = memchr(body + 1, '\n', size - 1);
		size_t hlen = nl ? (size_t)(nl - body - 1) : size - 1;
		kvlist_addn(&headers, "x-amzn-ErrorType", body + 1, hlen);
		if (data[0] == 0x02)
			kvlist_addn(&headers, "x-amzn-RequestId", body + 1,
				    hlen);
		body += 1 + hlen + (nl != NULL);
		len -= 1 + hlen + (nl != NULL);
	}

	/* a copy of exactly len bytes, so reads past the end are caught */
	char *copy = xmalloc(len);
	memcpy(copy, body, len);

	aws_error_clear(&err);
	cJSON *json = proto_json_parse(copy, len, &err);
	if (json) {
		char *printed = cJSON_PrintUnformatted(json);
		free(printed);
		cJSON_Delete(json);
		fuzz_assert(err.kind == 0);
	} else {
		fuzz_assert(err.kind == AWSX_EFAIL);
		fuzz_assert(!strncmp(err.message, "malformed JSON response: ",
				     25));
	}

	for (int with_headers = 0; with_headers < 2; with_headers++) {
		static const enum aws_protocol protos[] = {
			AWS_PROTO_JSON, AWS_PROTO_REST_JSON
		};
		for (size_t i = 0; i < 2; i++) {
			aws_error_clear(&err);
			proto_parse_error(protos[i], 400,
					  with_headers ? &headers : NULL, copy,
					  len, &err);
			fuzz_check_field(err.code, sizeof(err.code));
			fuzz_check_field(err.message, sizeof(err.message));
			fuzz_check_field(err.request_id,
					 sizeof(err.request_id));
		}
	}
	free(copy);
	kvlist_release(&headers);
	return 0;
}
