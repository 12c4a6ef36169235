/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-templates-model.c: the SAM / CloudFormation template model.  Loading
 * (short-form tags in long form, scalars, positions in YAML and JSON),
 * template lookup, and the model of a SAM app shaped like the SAM
 * Accelerate blog example (tests/data/templates/valid/sam-app): Globals,
 * Parameters with overrides, pseudo parameters, conditions, mappings, a
 * layer, an API, a state machine and a nested application.  Every invalid
 * template under tests/data/templates/invalid gives its exact message,
 * "file:line:col: reason".
 */
#include "templates/templates.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define TDATA AWSX_TEST_DATA "/templates"

/* ---- helpers ---- */

static struct tmpl_doc *load_text(const char *name, const char *text)
{
	struct tmpl_doc *doc = NULL;
	struct aws_error err;

	aws_error_clear(&err);
	if (tmpl_load_buffer(name, text, strlen(text), &doc, &err)) {
		fprintf(stderr, "unexpected load error: %s\n", err.message);
		return NULL;
	}
	return doc;
}

/* The compact JSON of a node, for comparisons; static buffer. */
static const char *json_of(const cJSON *n)
{
	static char buf[4096];
	char *s = n ? cJSON_PrintUnformatted(n) : NULL;

	snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
	free(s);
	return buf;
}

/* "line:col" of a node's value (or key). */
static const char *pos_of(const struct tmpl_doc *doc, const cJSON *n, int key)
{
	static char buf[64];
	struct tmpl_pos v, k;

	tmpl_doc_pos(doc, n, &v, &k);
	snprintf(buf, sizeof(buf), "%u:%u", key ? k.line : v.line, key ? k.col : v.col);
	return buf;
}

static const char *loc_of(const struct tmpl_loc *loc)
{
	static char buf[512];
	struct strbuf sb = STRBUF_INIT;

	tmpl_loc_format(loc, &sb);
	snprintf(buf, sizeof(buf), "%s", sb.buf);
	strbuf_release(&sb);
	return buf;
}

static const cJSON *path(const cJSON *n, const char *p)
{
	char *copy = xstrdup(p), *save = NULL;

	for (char *part = strtok_r(copy, "/", &save); part && n; part = strtok_r(NULL, "/", &save))
		n = cJSON_IsArray(n) ? cJSON_GetArrayItem(n, atoi(part))
				     : cJSON_GetObjectItemCaseSensitive(n, part);
	free(copy);
	return n;
}

/* ---- loading ---- */

static void test_short_forms(void)
{
	static const char text[] =
		"Resources:\n"
		"  A:\n"
		"    Type: T\n"
		"    Properties:\n"
		"      Ref: !Ref Param\n"
		"      Att: !GetAtt Res.Outputs.Arn\n"
		"      AttList: !GetAtt [Res, Arn]\n"
		"      Sub: !Sub '${AWS::Region}-x'\n"
		"      Join: !Join [',', [a, !Ref B]]\n"
		"      If: !If [Cond, 1, !Ref AWS::NoValue]\n"
		"      Select: !Select [0, !GetAZs '']\n"
		"      Split: !Split [',', 'a,b']\n"
		"      Map: !FindInMap [M, K, V]\n"
		"      Import: !ImportValue out\n"
		"      B64: !Base64 text\n"
		"      Cidr: !Cidr [10.0.0.0/16, 4, 8]\n"
		"      Cond: !And [!Equals [a, b], !Or [!Not [!Condition C], !Condition D]]\n";
	struct tmpl_doc *doc = load_text("t.yaml", text);
	const cJSON *p;

	CHECK(doc != NULL);
	if (!doc)
		return;
	p = path(tmpl_doc_root(doc), "Resources/A/Properties");
	CHECK_STR(json_of(path(p, "Ref")), "{\"Ref\":\"Param\"}");
	CHECK_STR(json_of(path(p, "Att")), "{\"Fn::GetAtt\":[\"Res\",\"Outputs.Arn\"]}");
	CHECK_STR(json_of(path(p, "AttList")), "{\"Fn::GetAtt\":[\"Res\",\"Arn\"]}");
	CHECK_STR(json_of(path(p, "Sub")), "{\"Fn::Sub\":\"${AWS::Region}-x\"}");
	CHECK_STR(json_of(path(p, "Join")), "{\"Fn::Join\":[\",\",[\"a\",{\"Ref\":\"B\"}]]}");
	CHECK_STR(json_of(path(p, "If")),
		  "{\"Fn::If\":[\"Cond\",1,{\"Ref\":\"AWS::NoValue\"}]}");
	CHECK_STR(json_of(path(p, "Select")), "{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]}");
	CHECK_STR(json_of(path(p, "Split")), "{\"Fn::Split\":[\",\",\"a,b\"]}");
	CHECK_STR(json_of(path(p, "Map")), "{\"Fn::FindInMap\":[\"M\",\"K\",\"V\"]}");
	CHECK_STR(json_of(path(p, "Import")), "{\"Fn::ImportValue\":\"out\"}");
	CHECK_STR(json_of(path(p, "B64")), "{\"Fn::Base64\":\"text\"}");
	CHECK_STR(json_of(path(p, "Cidr")), "{\"Fn::Cidr\":[\"10.0.0.0/16\",4,8]}");
	CHECK_STR(json_of(path(p, "Cond")),
		  "{\"Fn::And\":[{\"Fn::Equals\":[\"a\",\"b\"]},{\"Fn::Or\":[{\"Fn::Not\":[{"
		  "\"Condition\":\"C\"}]},{\"Condition\":\"D\"}]}]}");
	/* the long form sits where the tag was written */
	CHECK_STR(pos_of(doc, path(p, "Att"), 0), "6:12");
	CHECK_STR(pos_of(doc, path(p, "Att"), 1), "6:7");
	CHECK_STR(pos_of(doc, path(p, "Att/Fn::GetAtt/1"), 0), "6:12");
	CHECK_STR(pos_of(doc, path(p, "Join/Fn::Join/1/1"), 0), "9:29");
	tmpl_doc_free(doc);
}

static void test_scalars(void)
{
	static const char text[] = "A: 3.10\n"
				   "B: '3.10'\n"
				   "C: 128\n"
				   "D: true\n"
				   "E: ~\n"
				   "F: 2012-10-17\n"
				   "G: yes\n"
				   "H: !!str 12\n"
				   "I: &anchor {x: [1, 2]}\n"
				   "J: *anchor\n";
	struct tmpl_doc *doc = load_text("dir/s.yaml", text);
	const cJSON *r;
	char buf[32];

	CHECK(doc != NULL);
	if (!doc)
		return;
	r = tmpl_doc_root(doc);
	CHECK(cJSON_IsNumber(path(r, "A")));
	CHECK_STR(tmpl_scalar_text(path(r, "A"), buf, sizeof(buf)), "3.10");
	CHECK(cJSON_IsString(path(r, "B")));
	CHECK_STR(tmpl_scalar_text(path(r, "C"), buf, sizeof(buf)), "128");
	CHECK(cJSON_IsTrue(path(r, "D")));
	CHECK_STR(tmpl_scalar_text(path(r, "D"), buf, sizeof(buf)), "true");
	CHECK(cJSON_IsNull(path(r, "E")));
	CHECK_STR(tmpl_scalar_text(path(r, "F"), buf, sizeof(buf)), "2012-10-17");
	CHECK_STR(tmpl_scalar_text(path(r, "G"), buf, sizeof(buf)), "yes");
	CHECK(cJSON_IsString(path(r, "H")));
	CHECK_STR(json_of(path(r, "J")), "{\"x\":[1,2]}");
	CHECK_STR(pos_of(doc, path(r, "J/x/1"), 0), "10:4"); /* copies sit at the alias */
	CHECK_STR(tmpl_doc_dir(doc), "dir");
	CHECK_STR(tmpl_doc_path(doc), "dir/s.yaml");
	tmpl_doc_free(doc);
}

static void test_json_positions(void)
{
	struct tmpl_doc *doc = NULL;
	struct aws_error err;
	const cJSON *fn;

	aws_error_clear(&err);
	CHECK_INT(tmpl_load_file(TDATA "/valid/json/template.json", &doc, &err), 0);
	if (!doc)
		return;
	fn = path(tmpl_doc_root(doc), "Resources/Fn");
	CHECK_STR(pos_of(doc, fn, 1), "7:5");
	CHECK_STR(pos_of(doc, fn, 0), "7:11");
	CHECK_STR(pos_of(doc, path(fn, "Properties/Code"), 0), "10:17");
	CHECK_STR(pos_of(doc, path(fn, "Properties/Architectures/0/Ref"), 0), "13:37");
	tmpl_doc_free(doc);
}

static void test_find(void)
{
	char dir[] = "/tmp/awsx-tmpl-XXXXXX", *found = NULL, *file, *want;
	struct aws_error err;
	FILE *f;

	aws_error_clear(&err);
	CHECK_INT(tmpl_find("x", "my.yaml", &found, &err), 0);
	CHECK_STR(found, "my.yaml");
	free(found);
	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	CHECK_INT(tmpl_find(dir, NULL, &found, &err), -AWSX_EFAIL);
	CHECK(found == NULL);
	want = xstrfmt("no template found in '%s': looked for template.yaml, template.yml and "
		       "template.json",
		       dir);
	CHECK_STR(err.message, want);
	free(want);
	file = xstrfmt("%s/template.json", dir);
	f = fopen(file, "w");
	if (f)
		fclose(f);
	want = xstrfmt("%s/template.yml", dir);
	f = fopen(want, "w");
	if (f)
		fclose(f);
	aws_error_clear(&err);
	CHECK_INT(tmpl_find(dir, NULL, &found, &err), 0);
	CHECK_STR(found, want); /* .yml before .json */
	free(found);
	unlink(want);
	unlink(file);
	free(want);
	free(file);
	rmdir(dir);
}

/* ---- invalid templates: exact messages ---- */

static void test_invalid(void)
{
	static const struct {
		const char *file, *message;
	} cases[] = {
		{ "syntax.yaml", "syntax.yaml:4:4: did not find expected key while parsing a block "
				 "mapping" },
		{ "duplicate-key.yaml", "duplicate-key.yaml:7:7: duplicate key 'Handler' (first at "
					"line 5)" },
		{ "unknown-tag.yaml", "unknown-tag.yaml:5:16: unknown tag '!Reff'" },
		{ "alias-bomb.yaml", "alias-bomb.yaml:6:36: template has more than 1000000 nodes "
				     "(anchors and aliases count every copy)" },
		{ "unknown-alias.yaml", "unknown-alias.yaml:7:17: unknown alias '*f'" },
		{ "not-mapping.yaml", "not-mapping.yaml:1:1: a template must be a mapping at the "
				      "top level" },
		{ "empty.yaml", "empty.yaml:1:1: template is empty" },
		{ "two-documents.yaml", "two-documents.yaml:2:1: a template is one YAML document, "
					"this is a second one" },
		{ "getatt-no-dot.yaml", "getatt-no-dot.yaml:5:13: !GetAtt needs "
					"'Resource.Attribute', not 'RoleArn'" },
		{ "bad.json", "bad.json:3:47: invalid JSON" },
		{ "duplicate-key.json", "duplicate-key.json:4:3: duplicate key 'Resources' (first "
					"at line 2)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *file = xstrfmt(TDATA "/invalid/%s", cases[i].file);
		char *want = xstrfmt(TDATA "/invalid/%s", cases[i].message);
		struct tmpl_doc *doc = NULL;
		struct aws_error err;

		aws_error_clear(&err);
		CHECK_INT(tmpl_load_file(file, &doc, &err), -AWSX_EFAIL);
		CHECK(doc == NULL);
		CHECK_STR(err.message, want);
		free(file);
		free(want);
	}
}

static void test_invalid_model(void)
{
	static const struct {
		const char *file, *message;
	} cases[] = {
		{ "globals-section.yaml", "globals-section.yaml:4:3: 'Functions' is not a Globals "
					  "section SAM supports (Api, CapacityProvider, Function, "
					  "HttpApi, SimpleTable, StateMachine)" },
		{ "no-type.yaml", "no-type.yaml:2:3: resource 'Fn' has no Type" },
		{ "properties-list.yaml", "properties-list.yaml:4:17: the Properties of 'Fn' must "
					  "be a mapping" },
		{ "cycle/template.yaml", "cycle/template.yaml:5:17: nested stack 'Child' loads "
					 "'" TDATA "/invalid/cycle/./template.yaml', which is "
					 "already being loaded (a cycle)" },
		{ "nested-missing/template.yaml",
		  "nested-missing/template.yaml:5:20: cannot read template '" TDATA
		  "/invalid/nested-missing/missing/template.yaml': No such file or directory" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *file = xstrfmt(TDATA "/invalid/%s", cases[i].file);
		char *want = xstrfmt(TDATA "/invalid/%s", cases[i].message);
		struct tmpl_model *m = NULL;
		struct aws_error err;

		aws_error_clear(&err);
		CHECK_INT(tmpl_model_load(file, NULL, &m, &err), -AWSX_EFAIL);
		CHECK(m == NULL);
		CHECK_STR(err.message, want);
		free(file);
		free(want);
	}
}

static void test_unreadable(void)
{
	struct tmpl_doc *doc = NULL;
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(tmpl_load_file(TDATA "/missing.yaml", &doc, &err), -AWSX_EFAIL);
	CHECK_STR(err.message,
		  "cannot read template '" TDATA "/missing.yaml': No such file or directory");
	aws_error_clear(&err);
	CHECK_INT(tmpl_load_file(TDATA "/valid", &doc, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cannot read template '" TDATA "/valid': Is a directory");
}

static void add_repeated(struct strbuf *sb, int c, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_addch(sb, c);
}

static void test_depth_limit(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct tmpl_doc *doc = NULL;
	struct aws_error err;

	strbuf_adds(&sb, "a: ");
	add_repeated(&sb, '[', 200);
	add_repeated(&sb, ']', 200);
	aws_error_clear(&err);
	CHECK_INT(tmpl_load_buffer("deep.yaml", sb.buf, sb.len, &doc, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "deep.yaml:1:131: nested more than 128 levels deep");
	strbuf_reset(&sb);
	strbuf_adds(&sb, "{\"a\": ");
	add_repeated(&sb, '[', 200);
	add_repeated(&sb, ']', 200);
	strbuf_addch(&sb, '}');
	aws_error_clear(&err);
	CHECK_INT(tmpl_load_buffer("deep.json", sb.buf, sb.len, &doc, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "deep.json:1:134: nested more than 128 levels deep");

	/* an alias cannot take a tree past the cap either: 100 + 60 levels */
	strbuf_reset(&sb);
	strbuf_adds(&sb, "a: &a ");
	add_repeated(&sb, '[', 100);
	add_repeated(&sb, ']', 100);
	strbuf_adds(&sb, "\nb: ");
	add_repeated(&sb, '[', 60);
	strbuf_adds(&sb, "*a");
	add_repeated(&sb, ']', 60);
	aws_error_clear(&err);
	CHECK_INT(tmpl_load_buffer("deep.yaml", sb.buf, sb.len, &doc, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "deep.yaml:2:64: nested more than 128 levels deep");
	strbuf_release(&sb);
}

/* ---- the model ---- */

static struct tmpl_model *sam_app(const struct kvlist *overrides, struct aws_error *err)
{
	struct tmpl_options opts = { "us-east-1", "123456789012", "sam-app", NULL, NULL,
				     overrides };
	struct tmpl_model *m = NULL;

	aws_error_clear(err);
	if (tmpl_model_load(TDATA "/valid/sam-app/template.yaml", &opts, &m, err))
		fprintf(stderr, "unexpected model error: %s\n", err->message);
	return m;
}

#define APP TDATA "/valid/sam-app"

static void test_model_functions(void)
{
	struct aws_error err;
	struct tmpl_model *m = sam_app(NULL, &err);
	const struct tmpl_resource *r;

	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(tmpl_model_find(m, "ProdOnlyFunction") == NULL); /* Condition IsProd is false */
	CHECK(tmpl_model_find(m, "Queue") == NULL);		/* not a resource awsx acts on */

	r = tmpl_model_find(m, "HelloWorldFunction");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->kind, TMPL_FUNCTION);
		CHECK_STR(loc_of(&r->loc), APP "/template.yaml:45:3");
		CHECK_STR(r->source_property, "CodeUri");
		CHECK_STR(r->source.value, "hello_world/");
		CHECK_STR(loc_of(&r->source.loc), APP "/template.yaml:48:16");
		CHECK_STR(r->source_path, APP "/hello_world/");
		CHECK_INT(r->code_syncable, 1);
		CHECK(r->why_not == NULL);
		CHECK_STR(r->handler.value, "app.lambda_handler"); /* from Globals */
		CHECK_STR(loc_of(&r->handler.loc), APP "/template.yaml:32:14");
		CHECK_STR(r->runtime.value, "python3.12");
		CHECK_STR(r->auto_publish_alias.value, "live");
		CHECK(r->build_method.value == NULL && r->build_method.unresolved == NULL);
		CHECK_INT(r->architectures_nr, 1); /* replaced, not appended */
		if (r->architectures_nr)
			CHECK_STR(r->architectures[0].value, "arm64");
		CHECK_INT(r->layers_nr, 1);
		if (r->layers_nr)
			CHECK_STR(r->layers[0].layer_id, "SharedLayer");
		CHECK_STR(json_of(path(r->properties, "MemorySize")), "256");
		CHECK_STR(json_of(path(r->properties, "Timeout")), "3");
		CHECK_STR(json_of(path(r->properties, "Environment/Variables")),
			  "{\"LOG_LEVEL\":\"INFO\",\"STAGE\":\"dev\",\"TABLE\":\"sam-app-table-dev\"}");
		CHECK_STR(pos_of(r->doc, path(r->properties, "Environment/Variables/TABLE"), 0),
			  "54:18");
		CHECK_STR(pos_of(r->doc, path(r->properties, "MemorySize"), 0), "49:19");
		CHECK_STR(json_of(path(r->properties, "Events/HelloWorld/Properties/RestApiId")),
			  "{\"Ref\":\"HelloApi\"}");
	}

	r = tmpl_model_find(m, "GreetingFunction");
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->handler.value, "greeting.handler");
		CHECK_STR(r->build_method.value, "python3.12");
		CHECK_STR(loc_of(&r->build_method.loc), APP "/template.yaml:66:20");
		CHECK_STR(r->architectures[0].value, "x86_64");
		CHECK_INT(r->layers_nr, 2); /* Globals first, then its own */
		if (r->layers_nr == 2) {
			CHECK_STR(r->layers[0].layer_id, "SharedLayer");
			CHECK(r->layers[1].layer_id == NULL);
			CHECK_STR(r->layers[1].arn.value,
				  "arn:aws:lambda:us-east-1:123456789012:layer:extra:3");
		}
		CHECK_STR(json_of(path(r->properties, "Environment/Variables")),
			  "{\"LOG_LEVEL\":\"INFO\",\"STAGE\":\"dev\",\"QUEUE\":{\"Fn::GetAtt\":["
			  "\"Queue\",\"Arn\"]}}");
	}

	r = tmpl_model_find(m, "InlineFunction");
	CHECK(r && !r->code_syncable);
	if (r)
		CHECK_STR(r->why_not, "function code is inline (InlineCode)");
	r = tmpl_model_find(m, "ImageFunction");
	if (r)
		CHECK_STR(r->why_not,
			  "an image function (PackageType: Image): its code is a container image");
	r = tmpl_model_find(m, "S3Function");
	if (r)
		CHECK_STR(r->why_not,
			  "CodeUri is a remote location ('s3://bucket/key.zip'), not a local path");
	r = tmpl_model_find(m, "UnresolvedFunction");
	CHECK(r != NULL);
	if (r) {
		CHECK(r->source.value == NULL);
		CHECK_STR(r->source.unresolved,
			  "parameter 'DepsBucket' has no value (no Default and no override)");
		CHECK_STR(r->why_not, "CodeUri does not resolve locally: parameter 'DepsBucket' "
				      "has no value (no Default and no override)");
		CHECK_STR(loc_of(&r->source.loc), APP "/template.yaml:104:16");
	}
	tmpl_model_free(m);
}

static void test_model_others(void)
{
	struct aws_error err;
	struct tmpl_model *m = sam_app(NULL, &err);
	const struct tmpl_resource *r;

	if (!m) {
		CHECK(0);
		return;
	}
	r = tmpl_model_find(m, "SharedLayer");
	CHECK(r && r->kind == TMPL_LAYER && r->code_syncable);
	if (r) {
		CHECK_STR(r->source_path, APP "/layers/shared");
		CHECK_STR(r->build_method.value, "python3.12");
		CHECK_INT(r->runtimes_nr, 1);
	}
	r = tmpl_model_find(m, "HelloApi");
	CHECK(r && r->kind == TMPL_REST_API && r->code_syncable);
	if (r) {
		CHECK_STR(r->source_path, APP "/api/openapi.yaml");
		CHECK_STR(json_of(path(r->properties, "StageName")), "\"dev-b\"");
	}
	r = tmpl_model_find(m, "OrderStateMachine");
	CHECK(r && r->kind == TMPL_STATE_MACHINE && r->code_syncable);
	if (r && r->substitutions_nr == 3) {
		CHECK_STR(r->source_path, APP "/statemachine/order.asl.json");
		CHECK_STR(r->substitution_names[0], "HelloArn");
		CHECK(r->substitutions[0].value == NULL);
		CHECK_STR(r->substitutions[0].unresolved, "Fn::GetAtt does not resolve locally");
		CHECK_STR(r->substitutions[1].value, "us-east-1");
		CHECK_STR(r->substitutions[2].value, "subnet-a");
		CHECK_STR(loc_of(&r->substitutions[2].loc), APP "/template.yaml:130:17");
	} else {
		CHECK(0);
	}
	r = tmpl_model_find(m, "Child");
	CHECK(r && r->kind == TMPL_STACK && r->code_syncable);
	if (r)
		CHECK_STR(r->source_path, APP "/child/template.yaml");
	r = tmpl_model_find(m, "Child/ChildFunction");
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->stack, "Child");
		CHECK_STR(r->logical_id, "ChildFunction");
		CHECK_STR(r->handler.value, "hello-dev.handler");
		CHECK_STR(loc_of(&r->handler.loc), APP "/child/template.yaml:16:16");
		CHECK_STR(r->source_path, APP "/child/src");
		/* QueueArn is unresolved in the parent, the StackName unknown in a child */
		CHECK_STR(json_of(path(r->properties, "Description")),
			  "{\"Fn::Sub\":\"${QueueArn} in ${AWS::StackName}\"}");
	}
	r = tmpl_model_find(m, "Child/ChildMachine");
	CHECK(r && r->code_syncable && r->definition);
	if (r && r->substitutions_nr == 1)
		CHECK_STR(r->substitutions[0].value, "fast");
	/* order: template order, a nested stack before its resources */
	CHECK_STR(m->resources[m->nr - 1].id, "Child/ChildMachine");
	CHECK_STR(m->resources[m->nr - 3].id, "Child");
	CHECK_INT(m->docs_nr, 2);
	tmpl_model_free(m);
}

static void test_model_overrides(void)
{
	struct kvlist ov = KVLIST_INIT;
	struct aws_error err;
	struct tmpl_model *m;
	const struct tmpl_resource *r;

	kvlist_add(&ov, "Stage", "prod");
	kvlist_add(&ov, "DepsBucket", "deps");
	m = sam_app(&ov, &err);
	CHECK(m != NULL);
	if (m) {
		CHECK(tmpl_model_find(m, "ProdOnlyFunction") != NULL);
		r = tmpl_model_find(m, "HelloWorldFunction");
		if (r)
			CHECK_STR(json_of(path(r->properties, "MemorySize")), "1024");
		r = tmpl_model_find(m, "GreetingFunction");
		if (r)
			CHECK_STR(json_of(path(r->properties, "Environment/Variables/EMPTY")),
				  "\"set\"");
		r = tmpl_model_find(m, "UnresolvedFunction");
		if (r)
			CHECK_STR(r->source_path, APP "/deps/src");
		r = tmpl_model_find(m, "HelloApi");
		if (r)
			CHECK_STR(json_of(path(r->properties, "StageName")), "\"prod\"");
		r = tmpl_model_find(m, "Child/ChildFunction");
		if (r)
			CHECK_STR(r->handler.value, "hello-prod.handler");
		tmpl_model_free(m);
	}
	kvlist_add(&ov, "Stages", "x");
	m = sam_app(&ov, &err);
	CHECK(m == NULL);
	CHECK_STR(err.message, "unknown parameter 'Stages' in --parameter-overrides: the "
			       "template has Stage, LogLevel, Subnets, DepsBucket");
	kvlist_release(&ov);
}

static void test_model_json(void)
{
	struct tmpl_options opts = { "cn-north-1", NULL, NULL, NULL, NULL, NULL };
	struct tmpl_model *m = NULL;
	struct aws_error err;
	const struct tmpl_resource *r;

	aws_error_clear(&err);
	CHECK_INT(tmpl_model_load(TDATA "/valid/json/template.json", &opts, &m, &err), 0);
	if (!m)
		return;
	r = tmpl_model_find(m, "Fn");
	if (r) {
		CHECK_INT(r->code_syncable, 1);
		CHECK_STR(r->source_property, "Code");
		CHECK_STR(r->architectures[0].value, "arm64");
		CHECK_STR(loc_of(&r->architectures[0].loc),
			  TDATA "/valid/json/template.json:13:28");
	}
	r = tmpl_model_find(m, "ZipFn");
	if (r)
		CHECK_STR(r->why_not, "function code is inline (Code.ZipFile)");
	r = tmpl_model_find(m, "Layer");
	if (r)
		CHECK_STR(r->why_not, "Content is an S3 location, not a local path");
	r = tmpl_model_find(m, "Machine");
	if (r) {
		CHECK_STR(r->definition_string.value, "{\"Comment\": \"cn-north-1 aws-cn\"}");
		CHECK_INT(r->code_syncable, 1);
	}
	r = tmpl_model_find(m, "Nested");
	if (r) {
		CHECK_INT(r->code_syncable, 0);
		CHECK_STR(r->why_not, "TemplateURL is a remote location "
				      "('https://s3.amazonaws.com/b/child.yaml'), not a local path");
	}
	tmpl_model_free(m);
}

static void test_model_buffer(void)
{
	static const char text[] =
		"Parameters:\n"
		"  P: {Type: String, Default: v}\n"
		"Conditions:\n"
		"  Loop: !Condition Loop\n"
		"  Yes: !Equals [!Ref AWS::Region, eu-west-1]\n"
		"Resources:\n"
		"  F:\n"
		"    Type: AWS::Lambda::Function\n"
		"    Properties:\n"
		"      Handler: !If [Loop, a, b]\n"
		"      Runtime: !If [Yes, !Sub ['${X}-${P}-${!Lit}', {X: !Ref P}], no]\n"
		"      Code: !Join ['/', [!Select [1, !Split [',', 'a,src']], !Ref AWS::NoValue]]\n";
	struct tmpl_options opts = { "eu-west-1", NULL, NULL, NULL, NULL, NULL };
	struct tmpl_doc *doc = load_text("/nonexistent/t.yaml", text);
	struct tmpl_model *m = NULL;
	struct aws_error err;
	const struct tmpl_resource *r;

	if (!doc) {
		CHECK(0);
		return;
	}
	aws_error_clear(&err);
	CHECK_INT(tmpl_model_build(doc, &opts, &m, &err), 0);
	if (!m)
		return;
	r = tmpl_model_find(m, "F");
	if (r) {
		CHECK(r->handler.value == NULL);
		CHECK_STR(r->handler.unresolved, "Fn::If does not resolve locally");
		CHECK_STR(r->runtime.value, "v-v-${Lit}");
		CHECK_STR(r->source_path, "/nonexistent/src");
	}
	tmpl_model_free(m);
}

int main(void)
{
	RUN(test_short_forms);
	RUN(test_scalars);
	RUN(test_json_positions);
	RUN(test_find);
	RUN(test_invalid);
	RUN(test_invalid_model);
	RUN(test_unreadable);
	RUN(test_depth_limit);
	RUN(test_model_functions);
	RUN(test_model_others);
	RUN(test_model_overrides);
	RUN(test_model_json);
	RUN(test_model_buffer);
	return check_done();
}
