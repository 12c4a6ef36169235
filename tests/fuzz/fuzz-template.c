/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-template.c: libFuzzer target for the SAM / CloudFormation template
 * loader and model (templates/template.c, template-model.c).  The input is
 * loaded from memory once as YAML-or-JSON ("t.yaml") and once with a .json
 * name (JSON forced), and every document that loads is built into a model
 * with known pseudo parameters and one override.  The names sit in a folder
 * that does not exist, so a nested stack never reads a real file.  Besides
 * crashes, leaks and the node caps, it checks the contracts: a failure is
 * -AWSX_EFAIL with one message that starts with the file name, and every
 * model entry has an id, a position in that file and, when code-syncable, a
 * local path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "templates/templates.h"

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_check_model(const struct tmpl_model *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];

		fuzz_assert(r->id && *r->id && r->properties && cJSON_IsObject(r->properties));
		fuzz_assert(r->loc.file && r->loc.line > 0);
		fuzz_assert(!r->code_syncable || r->kind == TMPL_STATE_MACHINE ||
			    r->kind == TMPL_STACK || r->source_path);
		fuzz_assert(r->code_syncable || r->why_not || r->kind == TMPL_STACK);
		fuzz_assert(!(r->source.value && r->source.unresolved));
		fuzz_assert(tmpl_model_find(m, r->id) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "/nonexistent-awsx-fuzz/t.yaml",
					     "/nonexistent-awsx-fuzz/t.json" };
	struct kvlist overrides = KVLIST_INIT;
	struct tmpl_options opts = { "us-east-1", "123456789012", "fuzz", NULL, NULL, &overrides };

	kvlist_add(&overrides, "Stage", "prod");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tmpl_doc *doc = NULL;
		struct tmpl_model *m = NULL;
		struct aws_error err;
		int rc;

		aws_error_clear(&err);
		rc = tmpl_load_buffer(names[i], (const char *)data, size, &doc, &err);
		if (rc) {
			fuzz_assert(rc == -AWSX_EFAIL && !doc);
			fuzz_assert(!strncmp(err.message, names[i], strlen(names[i])) ||
				    !strncmp(err.message, "cannot read template '", 22));
			continue;
		}
		fuzz_assert(cJSON_IsObject(tmpl_doc_root(doc)));
		rc = tmpl_model_build(doc, &opts, &m, &err);
		if (rc) {
			fuzz_assert(rc == -AWSX_EFAIL && !m && err.message[0]);
			continue;
		}
		fuzz_check_model(m);
		tmpl_model_free(m);
	}
	kvlist_release(&overrides);
	return 0;
}
