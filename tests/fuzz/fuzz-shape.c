/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-shape.c: libFuzzer target for the shape bridge (aws/shape.c): the
 * bytes are parsed as an answer (aws/xml.c) and converted with the launch
 * configuration and launch template version shapes, whole and as pages,
 * then the JSON goes back through the serialiser in both protocols.
 * Besides crashes it checks the contracts: a tree always converts, a
 * structure becomes an object or (text in its place) a string, printing
 * the JSON works, a page is an array or an -AWSX_ESERVICE error with
 * nothing handed out, and serialising either succeeds or fails with
 * -AWSX_EFAIL and a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/shape.h"
#include "aws/xml.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_print(const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	fuzz_assert(text != NULL);
	free(text);
}

/* Serialise j back with s; whatever the outcome, it must be a clean one. */
static void fuzz_serialise(const cJSON *j, const struct shape *s)
{
	for (int ec2 = 0; ec2 <= 1; ec2++) {
		struct kvlist params = KVLIST_INIT;
		struct aws_error err;
		aws_error_clear(&err);
		int rc = shape_json_to_query(j, s, "", ec2, &params, &err);
		fuzz_assert(rc == 0 || rc == -AWSX_EFAIL);
		if (rc) {
			fuzz_assert(err.kind == AWSX_EFAIL && err.message[0]);
			fuzz_assert(params.nr == 0);
		}
		for (size_t i = 0; i < params.nr; i++)
			fuzz_assert(params.items[i].name && params.items[i].value);
		kvlist_release(&params);
	}
}

static void fuzz_convert(const struct xml_node *n, const struct shape *s)
{
	cJSON *j = shape_xml_to_json(n, s);
	fuzz_assert(j != NULL);
	fuzz_assert(cJSON_IsObject(j) || cJSON_IsString(j));
	fuzz_print(j);
	fuzz_serialise(j, s);
	cJSON_Delete(j);
}

static void fuzz_page(const struct xml_node *root, const char *op, int ec2,
		      const struct shape *s, const char *member,
		      const struct shape *item)
{
	struct aws_error err;
	cJSON *items = (cJSON *)1;
	char *tok = (char *)1;
	int rc;

	aws_error_clear(&err);
	rc = shape_answer_page(root, "fuzz", op, ec2, s, member, &items, &tok, &err);
	if (rc) {
		fuzz_assert(rc == -AWSX_ESERVICE && err.message[0]);
		fuzz_assert(items == NULL && tok == NULL);
		return;
	}
	fuzz_assert(cJSON_IsArray(items));
	fuzz_assert(!tok || *tok);
	fuzz_print(items);
	/* each item, if it kept its shape, goes back through the serialiser */
	const cJSON *e;
	cJSON_ArrayForEach(e, items) {
		if (cJSON_IsObject(e))
			fuzz_serialise(e, item);
	}
	cJSON_Delete(items);
	free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node *root = NULL;
	struct aws_error err;

	aws_error_clear(&err);
	if (xml_parse((const char *)data, size, &root, &err))
		return 0;
	fuzz_convert(root, &shape_autoscaling_LaunchConfigurationsType);
	fuzz_convert(root, &shape_ec2_DescribeLaunchTemplateVersionsResult);
	fuzz_convert(root, &shape_ec2_ResponseLaunchTemplateData);
	fuzz_page(root, "DescribeLaunchConfigurations", 0,
		  &shape_autoscaling_LaunchConfigurationsType,
		  "LaunchConfigurations", &shape_autoscaling_LaunchConfiguration);
	fuzz_page(root, "DescribeLaunchTemplateVersions", 1,
		  &shape_ec2_DescribeLaunchTemplateVersionsResult,
		  "LaunchTemplateVersions", &shape_ec2_LaunchTemplateVersion);
	xml_free(root);
	return 0;
}
