/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sync-samconfig.c: sync/samconfig.c: the TOML reader (sync/toml.c)
 * feature by feature (each against the JSON it must give), YAML through
 * templates/' loader with SAM CLI's rules, a samconfig.toml as
 * `sam init` and `sam deploy --guided` write it and the same in YAML, SAM
 * CLI's rules (global under command, environments, version, tables),
 * finding the file, and invalid inputs with their exact messages.
 */
#include "sync/samconfig.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/fs.h"
#include "check.h"

/* The document as compact JSON, or "ERR: <message>"; caller frees. */
static char *doc_json_len(const char *name, const char *text, size_t len)
{
	struct aws_error err;
	cJSON *doc = (cJSON *)1;
	char *s, *out;
	int rc;

	aws_error_clear(&err);
	rc = samconfig_parse(name, text, len, &doc, &err);
	if (rc) {
		CHECK_INT(rc, -AWSX_ECONFIG);
		CHECK_INT(err.kind, AWSX_ECONFIG);
		CHECK(doc == NULL);
		return xstrfmt("ERR: %s", err.message);
	}
	CHECK(cJSON_IsObject(doc));
	s = cJSON_PrintUnformatted(doc);
	out = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(doc);
	return out;
}

static char *doc_json(const char *name, const char *text)
{
	return doc_json_len(name, text, strlen(text));
}

/* The parameters for (env, command) as compact JSON, or "ERR: <message>". */
static char *params_json(const char *name, const char *text, const char *env,
			 const char *command)
{
	struct aws_error err;
	cJSON *params = (cJSON *)1;
	char *s, *out;
	int rc;

	aws_error_clear(&err);
	rc = samconfig_load_buffer(name, text, strlen(text), env, command, &params, &err);
	if (rc) {
		CHECK_INT(rc, -AWSX_ECONFIG);
		CHECK(params == NULL);
		return xstrfmt("ERR: %s", err.message);
	}
	s = cJSON_PrintUnformatted(params);
	out = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(params);
	return out;
}

#define CHECK_TOML(text, expected)                                                                 \
	do {                                                                                       \
		char *got_ = doc_json("t.toml", (text));                                           \
		CHECK_STR(got_, (expected));                                                       \
		free(got_);                                                                        \
	} while (0)

#define CHECK_YAML(text, expected)                                                                 \
	do {                                                                                       \
		char *got_ = doc_json("t.yaml", (text));                                           \
		CHECK_STR(got_, (expected));                                                       \
		free(got_);                                                                        \
	} while (0)

#define CHECK_PARAMS(name, text, env, command, expected)                                           \
	do {                                                                                       \
		char *got_ = params_json((name), (text), (env), (command));                        \
		CHECK_STR(got_, (expected));                                                       \
		free(got_);                                                                        \
	} while (0)

/* What `sam init` writes, after `sam deploy --guided` added its answers. */
static const char sam_toml[] =
	"# More information about the configuration file can be found here:\n"
	"# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
	"serverless-sam-cli-config.html\n"
	"version = 0.1\n"
	"\n"
	"[default]\n"
	"[default.global.parameters]\n"
	"stack_name = \"sam-app\"\n"
	"region = \"eu-west-1\"\n"
	"\n"
	"[default.build.parameters]\n"
	"cached = true\n"
	"parallel = true\n"
	"\n"
	"[default.validate.parameters]\n"
	"lint = true\n"
	"\n"
	"[default.deploy.parameters]\n"
	"capabilities = \"CAPABILITY_IAM\"\n"
	"confirm_changeset = true\n"
	"resolve_s3 = true\n"
	"stack_name = \"sam-app-dev\"\n"
	"s3_prefix = \"sam-app\"\n"
	"parameter_overrides = \"A=1 B=2\"\n"
	"image_repositories = []\n"
	"\n"
	"[default.package.parameters]\n"
	"resolve_s3 = true\n"
	"\n"
	"[default.sync.parameters]\n"
	"watch = true\n"
	"\n"
	"[default.local_start_api.parameters]\n"
	"warm_containers = \"EAGER\"\n"
	"\n"
	"[default.local_start_lambda.parameters]\n"
	"warm_containers = \"EAGER\"\n"
	"\n"
	"[prod]\n"
	"[prod.sync]\n"
	"[prod.sync.parameters]\n"
	"watch = false\n";

static const char sam_yaml[] =
	"# More information about the configuration file can be found here:\n"
	"version: 0.1\n"
	"default:\n"
	"  global:\n"
	"    parameters:\n"
	"      stack_name: sam-app\n"
	"      region: eu-west-1\n"
	"  build:\n"
	"    parameters:\n"
	"      cached: true\n"
	"      parallel: true\n"
	"  validate:\n"
	"    parameters:\n"
	"      lint: true\n"
	"  deploy:\n"
	"    parameters:\n"
	"      capabilities: CAPABILITY_IAM\n"
	"      confirm_changeset: true\n"
	"      resolve_s3: true\n"
	"      stack_name: sam-app-dev\n"
	"      s3_prefix: sam-app\n"
	"      parameter_overrides: A=1 B=2\n"
	"      image_repositories: []\n"
	"  package:\n"
	"    parameters:\n"
	"      resolve_s3: true\n"
	"  sync:\n"
	"    parameters:\n"
	"      watch: true\n"
	"  local_start_api:\n"
	"    parameters:\n"
	"      warm_containers: EAGER\n"
	"  local_start_lambda:\n"
	"    parameters:\n"
	"      warm_containers: EAGER\n"
	"prod:\n"
	"  sync:\n"
	"    parameters:\n"
	"      watch: false\n";

static void test_sam_written_files(void)
{
	static const char *const names[] = { "samconfig.toml", "samconfig.yaml" };
	static const char *const texts[] = { sam_toml, sam_yaml };

	for (size_t i = 0; i < 2; i++) {
		/* sync: global, then sync's own */
		CHECK_PARAMS(names[i], texts[i], "default", "sync",
			     "{\"stack_name\":\"sam-app\",\"region\":\"eu-west-1\",\"watch\":true}");
		CHECK_PARAMS(names[i], texts[i], NULL, "sync",
			     "{\"stack_name\":\"sam-app\",\"region\":\"eu-west-1\",\"watch\":true}");
		/* deploy's stack_name wins over global's, in global's place */
		CHECK_PARAMS(names[i], texts[i], "default", "deploy",
			     "{\"stack_name\":\"sam-app-dev\",\"region\":\"eu-west-1\","
			     "\"capabilities\":\"CAPABILITY_IAM\",\"confirm_changeset\":true,"
			     "\"resolve_s3\":true,\"s3_prefix\":\"sam-app\","
			     "\"parameter_overrides\":\"A=1 B=2\",\"image_repositories\":[]}");
		/* a command of several words with a dash */
		CHECK_PARAMS(names[i], texts[i], "default", "local start-api",
			     "{\"stack_name\":\"sam-app\",\"region\":\"eu-west-1\","
			     "\"warm_containers\":\"EAGER\"}");
		/* a command without a table: global only */
		CHECK_PARAMS(names[i], texts[i], "default", "logs",
			     "{\"stack_name\":\"sam-app\",\"region\":\"eu-west-1\"}");
		/* another environment: no global there */
		CHECK_PARAMS(names[i], texts[i], "prod", "sync", "{\"watch\":false}");
		CHECK_PARAMS(names[i], texts[i], "prod", "deploy", "{}");
		/* an environment that is not in the file is not an error (SAM CLI) */
		CHECK_PARAMS(names[i], texts[i], "staging", "sync", "{}");
	}

	/* the two files are the same document */
	{
		struct aws_error err;
		cJSON *a = NULL, *b = NULL;

		CHECK_INT(samconfig_parse("s.toml", sam_toml, strlen(sam_toml), &a, &err), 0);
		CHECK_INT(samconfig_parse("s.yml", sam_yaml, strlen(sam_yaml), &b, &err), 0);
		CHECK(a && b && cJSON_Compare(a, b, 1));
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}

static void test_precedence(void)
{
	const char *text = "version = 0.1\n"
			   "[default.sync.parameters]\n"
			   "watch = true\n"
			   "code = true\n"
			   "[default.global.parameters]\n"
			   "region = \"us-east-1\"\n"
			   "watch = false\n"
			   "profile = \"dev\"\n";

	/* global's keys in its order with sync's values, then sync's new keys */
	CHECK_PARAMS("t.toml", text, "default", "sync",
		     "{\"region\":\"us-east-1\",\"watch\":true,\"profile\":\"dev\",\"code\":true}");
	CHECK_PARAMS("t.toml", text, "default", "global",
		     "{\"region\":\"us-east-1\",\"watch\":false,\"profile\":\"dev\"}");
	/* an environment without global */
	CHECK_PARAMS("t.toml", "version = 0.1\n[dev.sync.parameters]\nwatch = true\n", "dev",
		     "sync", "{\"watch\":true}");
	/* tables without parameters, and parameters that are empty */
	CHECK_PARAMS("t.toml", "version = 0.1\n[default.sync]\n[default.global.parameters]\n",
		     "default", "sync", "{}");
	/* values keep their types; nested tables and unknown keys are kept */
	CHECK_PARAMS("t.toml",
		     "version = 0.1\n"
		     "[default.sync.parameters]\n"
		     "parameter_overrides = [\"A=1\", \"B=2\"]\n"
		     "max = 5\n"
		     "frac = 0.5\n"
		     "no_such_option = \"kept\"\n"
		     "tags = { project = \"x\" }\n",
		     "default", "sync",
		     "{\"parameter_overrides\":[\"A=1\",\"B=2\"],\"max\":5,\"frac\":0.5,"
		     "\"no_such_option\":\"kept\",\"tags\":{\"project\":\"x\"}}");
	/* the version key may also be written 1.0 or 1e0: any float */
	CHECK_PARAMS("t.toml", "version = 1.0\n[default.sync.parameters]\nwatch = true\n",
		     "default", "sync", "{\"watch\":true}");
	/* an empty file, or one with only comments: nothing, no version needed */
	CHECK_PARAMS("t.toml", "", "default", "sync", "{}");
	CHECK_PARAMS("t.toml", "# nothing yet\n\n", "default", "sync", "{}");
	CHECK_PARAMS("t.yaml", "", "default", "sync", "{}");
	CHECK_PARAMS("t.yaml", "# nothing\n", "default", "sync", "{}");
	CHECK_PARAMS("t.yaml", "---\n", "default", "sync", "{}");
}

static void test_sam_rules(void)
{
	CHECK_PARAMS("t.toml", "[default.sync.parameters]\nwatch = true\n", "default", "sync",
		     "ERR: t.toml: 'version' is missing (samconfig files start with version = "
		     "0.1)");
	CHECK_PARAMS("t.toml", "version = 1\n", "default", "sync",
		     "ERR: t.toml:1:1: 'version' must be a float such as 0.1");
	CHECK_PARAMS("t.toml", "version = \"0.1\"\n", "default", "sync",
		     "ERR: t.toml:1:1: 'version' must be a float such as 0.1");
	CHECK_PARAMS("t.yaml", "version: \"0.1\"\n", "default", "sync",
		     "ERR: t.yaml:1:1: 'version' must be a float such as 0.1");
	CHECK_PARAMS("t.toml", "version = 0.1\ndefault = 1\n", "default", "sync",
		     "ERR: t.toml:2:1: 'default' must be a table");
	CHECK_PARAMS("t.toml", "version = 0.1\ndefault = 1\n", "prod", "sync", "{}");
	CHECK_PARAMS("t.toml", "version = 0.1\n[default]\nsync = \"x\"\n", "default", "sync",
		     "ERR: t.toml:3:1: 'default.sync' must be a table");
	CHECK_PARAMS("t.toml", "version = 0.1\n[default]\nglobal = [1]\n", "default", "sync",
		     "ERR: t.toml:3:1: 'default.global' must be a table");
	CHECK_PARAMS("t.toml", "version = 0.1\n[default.sync]\nparameters = [1]\n", "default",
		     "sync", "ERR: t.toml:3:1: 'default.sync.parameters' must be a table");
	/* another command's broken table does not matter */
	CHECK_PARAMS("t.toml", "version = 0.1\n[default.deploy]\nparameters = 1\n", "default",
		     "sync", "{}");
	CHECK_PARAMS("t.yaml", "version: 0.1\ndefault:\n  sync:\n", "default", "sync",
		     "ERR: t.yaml:3:3: 'default.sync' must be a mapping");
	CHECK_PARAMS("t.yaml", "version: 0.1\ndefault:\n  sync:\n    parameters: [a]\n", "default",
		     "sync", "ERR: t.yaml:4:5: 'default.sync.parameters' must be a mapping");
	/* what an alias or a merge key copied is placed at the alias or the mapping */
	CHECK_PARAMS("t.yaml", "version: 0.1\nx: &x {sync: 5}\ndefault: *x\n", "default", "sync",
		     "ERR: t.yaml:3:10: 'default.sync' must be a mapping");
	CHECK_PARAMS("t.yaml", "version: 0.1\nx: &x {sync: {parameters: 3}}\ndefault:\n  <<: *x\n",
		     "default", "sync",
		     "ERR: t.yaml:4:3: 'default.sync.parameters' must be a mapping");
	CHECK_PARAMS("t.json", "{}", "default", "sync",
		     "ERR: cannot read config file 't.json': not a .toml, .yaml or .yml file");
}

static void test_toml_tables_and_keys(void)
{
	/* a lone CR is a newline too, as in SAM CLI's Python (universal newlines) */
	CHECK_TOML("a = 1\rb = '''x\ry'''\r\n", "{\"a\":1,\"b\":\"x\\ny\"}");
	CHECK_TOML("a = \"x\ry\"\n", "ERR: t.toml:1:5: unterminated string");
	/* comments everywhere, indentation, blank lines, CRLF */
	CHECK_TOML("# top\r\n\r\n  a = 1 # after\r\n\t[t] # header\r\n  b = 2\r\n#end",
		   "{\"a\":1,\"t\":{\"b\":2}}");
	/* bare, quoted and literal keys; empty quoted key; digits and dashes */
	CHECK_TOML("bare_key-1 = 1\n\"quoted key\" = 2\n'lit\"key' = 3\n\"\" = 4\n1234 = 5\n",
		   "{\"bare_key-1\":1,\"quoted key\":2,\"lit\\\"key\":3,\"\":4,\"1234\":5}");
	/* dotted keys, with blanks around the dots and quoted parts */
	CHECK_TOML("a.b.c = 1\na . \"b\" . d = 2\nsite.\"google.com\" = true\n",
		   "{\"a\":{\"b\":{\"c\":1,\"d\":2}},\"site\":{\"google.com\":true}}");
	/* headers: dotted, quoted parts, blanks */
	CHECK_TOML("[ a . \"b.c\" . 'd' ]\nx = 1\n[a.e]\ny = 2\n",
		   "{\"a\":{\"b.c\":{\"d\":{\"x\":1}},\"e\":{\"y\":2}}}");
	/* a super-table defined after its sub-table */
	CHECK_TOML("[x.y.z]\na = 1\n[x]\nb = 2\n", "{\"x\":{\"y\":{\"z\":{\"a\":1}},\"b\":2}}");
	/* a sub-table under a table made by dotted keys */
	CHECK_TOML("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
		   "[fruit.apple.texture]\nsmooth = true\n",
		   "{\"fruit\":{\"apple\":{\"color\":\"red\",\"taste\":{\"sweet\":true},"
		   "\"texture\":{\"smooth\":true}}}}");
	/* arrays of tables, with sub-tables going to the latest one */
	CHECK_TOML("[[p]]\nname = \"a\"\n[p.sub]\nx = 1\n[[p]]\nname = \"b\"\n[[p.items]]\ny = 2\n",
		   "{\"p\":[{\"name\":\"a\",\"sub\":{\"x\":1}},{\"name\":\"b\",\"items\":[{\"y\":2}]}]}");
	/* empty tables; a UTF-8 byte order mark */
	CHECK_TOML("\xef\xbb\xbf[a]\n[b]\n", "{\"a\":{},\"b\":{}}");
	CHECK_TOML("", "{}");
	CHECK_TOML("a = 1", "{\"a\":1}"); /* no final newline */
}

static void test_toml_strings(void)
{
	struct aws_error err;
	cJSON *doc = NULL;
	const char *text =
		"basic = \"q\\\"b\\\\s\\n\\t\\r\\b\\f \\u00e9 \\U0001F600 caf\xc3\xa9\"\n"
		"literal = 'C:\\Users\\nodejs\\templates'\n"
		"ml = \"\"\"\nRoses are red\n  Violets are \"blue\" \"\"\"\n"
		"trim = \"\"\"\\\n    The quick \\\n\n    brown fox.\\\n    \"\"\"\n"
		"quotes = \"\"\"\"\"x\"\"\"\"\"\n"
		"mll = '''\nfirst\n  \\n raw 'quoted' ''line'''\n"
		"crlf = \"\"\"a\r\nb\"\"\"\n"
		"tab = \"a\tb\"\n"
		"empty = \"\"\n"
		"emptyl = ''\n";

	aws_error_clear(&err);
	CHECK_INT(samconfig_parse("t.toml", text, strlen(text), &doc, &err), 0);
	if (!doc) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	CHECK_STR(cJSON_GetObjectItem(doc, "basic")->valuestring,
		  "q\"b\\s\n\t\r\b\f \xc3\xa9 \xf0\x9f\x98\x80 caf\xc3\xa9");
	CHECK_STR(cJSON_GetObjectItem(doc, "literal")->valuestring, "C:\\Users\\nodejs\\templates");
	CHECK_STR(cJSON_GetObjectItem(doc, "ml")->valuestring,
		  "Roses are red\n  Violets are \"blue\" ");
	CHECK_STR(cJSON_GetObjectItem(doc, "trim")->valuestring, "The quick brown fox.");
	CHECK_STR(cJSON_GetObjectItem(doc, "quotes")->valuestring, "\"\"x\"\"");
	CHECK_STR(cJSON_GetObjectItem(doc, "mll")->valuestring,
		  "first\n  \\n raw 'quoted' ''line");
	CHECK_STR(cJSON_GetObjectItem(doc, "crlf")->valuestring, "a\nb");
	CHECK_STR(cJSON_GetObjectItem(doc, "tab")->valuestring, "a\tb");
	CHECK_STR(cJSON_GetObjectItem(doc, "empty")->valuestring, "");
	CHECK_STR(cJSON_GetObjectItem(doc, "emptyl")->valuestring, "");
	cJSON_Delete(doc);
}

static void test_toml_numbers_and_arrays(void)
{
	struct aws_error err;
	cJSON *doc = NULL;
	const char *big = "max = 9223372036854775807\nmin = -9223372036854775808\n"
			  "hex = 0xDEAD_beef\noct = 0o755\nbin = 0b1101\nmz = -0\n";

	CHECK_TOML("a = 1_000\nb = +5\nc = -17\nd = 0\ne = true\nf = false\n",
		   "{\"a\":1000,\"b\":5,\"c\":-17,\"d\":0,\"e\":true,\"f\":false}");
	CHECK_TOML("a = 0.1\nb = -1.5e3\nc = 1e2\nd = 6.626e-34\ne = 1_0.0_1\nf = 5E+2\n",
		   "{\"a\":0.1,\"b\":-1500,\"c\":100,\"d\":6.626e-34,\"e\":10.01,\"f\":500}");
	/* integers keep exact decimal text */
	aws_error_clear(&err);
	CHECK_INT(samconfig_parse("t.toml", big, strlen(big), &doc, &err), 0);
	if (doc) {
		CHECK_STR(cJSON_GetObjectItem(doc, "max")->valuestring, "9223372036854775807");
		CHECK_STR(cJSON_GetObjectItem(doc, "min")->valuestring, "-9223372036854775808");
		CHECK_STR(cJSON_GetObjectItem(doc, "hex")->valuestring, "3735928559");
		CHECK_STR(cJSON_GetObjectItem(doc, "oct")->valuestring, "493");
		CHECK_STR(cJSON_GetObjectItem(doc, "bin")->valuestring, "13");
		CHECK_STR(cJSON_GetObjectItem(doc, "mz")->valuestring, "0");
		cJSON_Delete(doc);
	}
	/* arrays: nested, mixed, multi-line with comments and a trailing comma */
	CHECK_TOML("a = [1, \"two\", [3, [4]], true, {x = 1}, []]\n"
		   "b = [ # start\n  \"x\", # one\n\n  \"y\",\n  # only a comment\n]\n"
		   "c = [\n]\n",
		   "{\"a\":[1,\"two\",[3,[4]],true,{\"x\":1},[]],\"b\":[\"x\",\"y\"],\"c\":[]}");
	/* inline tables: dotted keys, nesting, empty */
	CHECK_TOML("t = { a = 1, b.c = \"d\", b.e = [1], n = { m = {} } }\ne = {}\n",
		   "{\"t\":{\"a\":1,\"b\":{\"c\":\"d\",\"e\":[1]},\"n\":{\"m\":{}}},\"e\":{}}");
}

#define T(text, expected) CHECK_TOML(text, "ERR: t.toml:" expected)

static void test_toml_errors(void)
{
	/* defined twice */
	T("a = 1\na = 2\n", "2:1: duplicate key 'a' (first at line 1)");
	T("\"a\" = 1\n'a' = 2\n", "2:1: duplicate key 'a' (first at line 1)");
	T("[t]\nx.y = 1\nx.y = 2\n", "3:1: duplicate key 'x.y' (first at line 2)");
	T("[a]\nx = 1\n\n[a]\n", "4:1: table [a] is defined twice (first at line 1)");
	T("[x.y]\n[x]\n[x]\n", "3:1: table [x] is defined twice (first at line 2)");
	T("[a]\nb.c = 1\n[a.b]\n",
	  "3:1: cannot define [a.b]: it is already a table made by dotted keys (line 2)");
	T("[a.b]\nx = 1\n[a]\nb.y = 2\n",
	  "4:1: cannot add to 'b' with a dotted key: it is a table (line 1)");
	T("a.b = 1\na.b.c = 2\n", "2:1: cannot add to 'a.b' with a dotted key: it is a value (line 1)");
	T("a = {b = 1}\n[a]\n", "2:1: cannot define [a]: it is already an inline table (line 1)");
	T("a = {b = 1}\n[a.c]\n", "2:1: cannot define [a.c]: 'a' is an inline table (line 1)");
	T("a = {b = 1}\na.c = 2\n",
	  "2:1: cannot add to 'a' with a dotted key: it is an inline table (line 1)");
	T("a = [1]\n[[a]]\n", "2:1: cannot define [[a]]: it is already a value (line 1)");
	T("[[a]]\n[a]\n", "2:1: cannot define [a]: it is already an array of tables (line 1)");
	T("[a]\n[[a]]\n", "2:1: cannot define [[a]]: it is already a table (line 1)");
	T("a = 1\n[a.b]\n", "2:1: cannot define [a.b]: 'a' is a value (line 1)");
	T("t = {a = 1, a = 2}\n", "1:13: duplicate key 'a' (first at line 1)");
	/* strings */
	T("a = \"abc\nb = 1\n", "1:5: unterminated string");
	T("a = 'abc", "1:5: unterminated string");
	T("a = \"\"\"abc\n\n", "1:5: unterminated string");
	T("a = \"\\q\"\n", "1:6: invalid escape '\\q'");
	T("a = \"\\u00\"\n", "1:6: invalid escape '\\u': it needs 4 hex digits");
	T("a = \"x\\uD800\"\n", "1:7: invalid escape: U+D800 is not a Unicode character");
	T("a = \"\\U00110000\"\n", "1:6: invalid escape: U+110000 is not a Unicode character");
	T("a = \"\\u0000\"\n", "1:6: text contains a NUL character");
	T("a = \"a\x01\"\n", "1:7: control character U+0001 in a string");
	T("a = \"\"\"a\"\"\"\"\"\"\n", "1:14: too many quotes at the end of a multi-line string");
	T("\"\"\"a\"\"\" = 1\n", "1:1: a key cannot be a multi-line string");
	T("a = \"\xc3\xa9\xff\"\n", "1:7: invalid UTF-8");
	T("a = \"\xed\xa0\x80\"\n", "1:6: invalid UTF-8"); /* a UTF-16 surrogate */
	T("a = \"\xc0\xaf\"\n", "1:6: invalid UTF-8");	   /* overlong */
	T("# \x7f\n", "1:3: control character U+007F in a comment");
	/* values */
	T("a = 1979-05-27\n", "1:5: dates and times are not supported");
	T("a = 07:32:00\n", "1:5: dates and times are not supported");
	T("a = inf\n", "1:5: inf and nan are not supported");
	T("a = -nan\n", "1:5: inf and nan are not supported");
	T("a = 007\n", "1:5: invalid number '007'");
	T("a = 1__0\n", "1:5: invalid number '1__0'");
	T("a = 1_\n", "1:5: invalid number '1_'");
	T("a = 1.\n", "1:5: invalid number '1.'");
	T("a = .5\n", "1:5: invalid number '.5'");
	T("a = -0x10\n", "1:5: invalid number '-0x10'");
	T("a = 0b102\n", "1:5: invalid number '0b102'");
	T("a = 9223372036854775808\n", "1:5: integer '9223372036854775808' is out of range");
	T("a = 0x8000000000000000\n", "1:5: integer '0x8000000000000000' is out of range");
	T("a = 1e999\n", "1:5: number '1e999' is out of range");
	T("a = abc\n", "1:5: invalid value 'abc' (text needs quotes)");
	T("a = True\n", "1:5: invalid value 'True' (text needs quotes)");
	T("a =\n", "1:4: expected a value");
	T("a = 1 2\n", "1:7: unexpected text after the value");
	T("a = \"x\" \"y\"\n", "1:9: unexpected text after the value");
	/* arrays and inline tables */
	T("a = [1, 2\n", "1:5: unterminated array");
	T("a = [1 2]\n", "1:8: expected ',' or ']' in the array");
	T("a = [1,,2]\n", "1:8: expected a value");
	T("a = {b = 1,}\n", "1:12: trailing comma in an inline table");
	T("a = {b = 1\n}\n", "1:11: an inline table must be on one line");
	T("a = {\nb = 1}\n", "1:6: an inline table must be on one line");
	T("a = {b = 1 c = 2}\n", "1:12: expected ',' or '}' in the inline table");
	T("a = {b = 1", "1:5: unterminated inline table");
	/* keys and headers */
	T("= 1\n", "1:1: expected a key");
	T("a\n", "1:2: expected '=' after the key 'a'");
	T("a b = 1\n", "1:3: expected '=' after the key 'a'");
	T("a. = 1\n", "1:4: expected a key");
	T("[a\n", "1:3: expected ']' after the table name");
	T("[[a]\n", "1:4: expected ']]' after the table name");
	T("[]\n", "1:2: expected a key");
	T("[a] x\n", "1:5: unexpected text after the table header");
	/* nesting */
	{
		struct strbuf sb = STRBUF_INIT;
		char *got;

		strbuf_adds(&sb, "a");
		for (int i = 0; i < 32; i++)
			strbuf_adds(&sb, ".a");
		strbuf_adds(&sb, " = 1\n");
		got = doc_json("t.toml", sb.buf);
		CHECK_STR(got, "ERR: t.toml:1:65: a key of more than 32 parts");
		free(got);

		strbuf_reset(&sb);
		strbuf_adds(&sb, "a = ");
		for (int i = 0; i < 40; i++)
			strbuf_addch(&sb, '[');
		got = doc_json("t.toml", sb.buf);
		CHECK_STR(got, "ERR: t.toml:1:37: nested more than 32 levels deep");
		free(got);

		/* 32 levels is fine: a depth-31 array holding a number at depth 32 */
		strbuf_reset(&sb);
		strbuf_adds(&sb, "a = ");
		for (int i = 0; i < 31; i++)
			strbuf_addch(&sb, '[');
		strbuf_addch(&sb, '1');
		for (int i = 0; i < 31; i++)
			strbuf_addch(&sb, ']');
		got = doc_json("t.toml", sb.buf);
		CHECK(!strncmp(got, "{\"a\":[[[", 8));
		free(got);
		strbuf_release(&sb);
	}
	/* a NUL byte */
	{
		char *got = doc_json_len("t.toml", "a = \"x\0\"\n", 9);

		CHECK_STR(got, "ERR: t.toml:1:7: control character U+0000 in a string");
		free(got);
	}
}

#undef T

static void test_toml_big_tables(void)
{
	/* many keys in one table: linear time, and a duplicate at the very end is seen */
	struct strbuf sb = STRBUF_INIT;
	char *got, *want;
	cJSON *doc = NULL;
	struct aws_error err;

	strbuf_adds(&sb, "[t]\n");
	for (int i = 0; i < 30000; i++)
		strbuf_addf(&sb, "k%d = %d\n", i, i);
	CHECK_INT(samconfig_parse("t.toml", sb.buf, sb.len, &doc, &err), 0);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "t")), 30000);
	cJSON_Delete(doc);
	strbuf_adds(&sb, "k17 = 1\n");
	got = doc_json("t.toml", sb.buf);
	want = xstrfmt("ERR: t.toml:30002:1: duplicate key 'k17' (first at line 19)");
	CHECK_STR(got, want);
	free(got);
	free(want);

	/* too large a file */
	strbuf_reset(&sb);
	strbuf_addch(&sb, '#');
	while (sb.len <= SAMCONFIG_MAX_BYTES)
		strbuf_adds(&sb, "##############################");
	got = doc_json("t.toml", sb.buf);
	CHECK_STR(got, "ERR: cannot read config file 't.toml': larger than 1048576 bytes");
	free(got);
	strbuf_release(&sb);
}

static void test_yaml(void)
{
	/* scalars as YAML 1.2's core schema (and ruamel.yaml) read them */
	CHECK_YAML("s: text\nq: \"1\"\nl: '2'\ni: 42\nn: -7\nz: 007\nf: 0.5\ne: 1e3\nh: 0x1F\no: 0o17\n"
		   "t: true\nT: True\nno: no\nnul: null\ntilde: ~\nempty:\nlist: [a, 1]\n"
		   "str: !!str 5\n",
		   "{\"s\":\"text\",\"q\":\"1\",\"l\":\"2\",\"i\":42,\"n\":-7,\"z\":7,\"f\":0.5,"
		   "\"e\":1000,\"h\":31,\"o\":15,\"t\":true,\"T\":true,\"no\":\"no\",\"nul\":null,"
		   "\"tilde\":null,\"empty\":null,\"list\":[\"a\",1],\"str\":\"5\"}");
	/* anchors, aliases and merge keys: shared parameters between environments */
	CHECK_YAML("version: 0.1\n"
		   "default: &base\n"
		   "  sync:\n"
		   "    parameters: &p\n"
		   "      watch: true\n"
		   "      region: eu-west-1\n"
		   "prod:\n"
		   "  sync:\n"
		   "    parameters:\n"
		   "      <<: *p\n"
		   "      watch: false\n"
		   "copy: *base\n",
		   "{\"version\":0.1,\"default\":{\"sync\":{\"parameters\":{\"watch\":true,"
		   "\"region\":\"eu-west-1\"}}},\"prod\":{\"sync\":{\"parameters\":{\"watch\":false,"
		   "\"region\":\"eu-west-1\"}}},\"copy\":{\"sync\":{\"parameters\":{\"watch\":true,"
		   "\"region\":\"eu-west-1\"}}}}");
	CHECK_YAML("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n",
		   "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2},\"c\":{\"w\":0,\"x\":1,\"y\":1,"
		   "\"z\":2}}");
	CHECK_YAML("\"<<\": 1\n", "{\"<<\":1}"); /* a quoted << is a plain key */
	CHECK_YAML("---\n~\n", "{}");

	/* errors */
	CHECK_YAML("a: 1\nb: 2\na: 3\n", "ERR: t.yaml:3:1: duplicate key 'a' (first at line 1)");
	CHECK_YAML("? [a]\n: 1\n", "ERR: t.yaml:1:3: mapping keys must be scalars");
	CHECK_YAML("# list\n- a\n- b\n", "ERR: t.yaml:2:1: a samconfig file must be a mapping at "
					   "the top level");
	CHECK_YAML("a: b: c\n",
		   "ERR: t.yaml:1:5: mapping values are not allowed in this context");
	CHECK_YAML("a: 1\n---\nb: 2\n",
		   "ERR: t.yaml:2:1: a samconfig file is one YAML document, this is a second one");
	CHECK_YAML("a: *nope\n", "ERR: t.yaml:1:4: unknown alias '*nope'");
	CHECK_YAML("a: 1\nb:\n  <<: 5\n", "ERR: t.yaml:3:3: '<<' needs a mapping or a list of mappings");
	CHECK_YAML("a: \"\\0\"\n", "ERR: t.yaml:1:4: text contains a NUL character");
	CHECK_YAML("a: \"\xff\"\n", "ERR: t.yaml:1:5: invalid leading UTF-8 octet");
	{
		/* a billion laughs stops at the node cap */
		struct strbuf sb = STRBUF_INIT;
		char *got;

		strbuf_adds(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
		for (int i = 1; i < 8; i++) {
			strbuf_addf(&sb, "a%d: &a%d [", i, i);
			for (int j = 0; j < 10; j++)
				strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
			strbuf_adds(&sb, "]\n");
		}
		got = doc_json("t.yaml", sb.buf);
		CHECK(!strncmp(got, "ERR: t.yaml:", 12));
		CHECK(strstr(got, ": more than 100000 nodes (aliases and merges count every copy)") !=
		      NULL);
		free(got);

		/* and so does depth, through aliases too */
		strbuf_reset(&sb);
		for (int i = 0; i < 40; i++)
			strbuf_addch(&sb, '[');
		got = doc_json("t.yaml", sb.buf);
		CHECK_STR(got, "ERR: t.yaml:1:34: nested more than 32 levels deep");
		free(got);
		strbuf_reset(&sb);
		strbuf_adds(&sb, "a: &x ");
		for (int i = 0; i < 20; i++)
			strbuf_addch(&sb, '[');
		for (int i = 0; i < 20; i++)
			strbuf_addch(&sb, ']');
		strbuf_adds(&sb, "\nb: [[[[[[[[[[[[[[*x]]]]]]]]]]]]]]\n");
		got = doc_json("t.yaml", sb.buf);
		CHECK_STR(got, "ERR: t.yaml:2:18: nested more than 32 levels deep");
		free(got);
		strbuf_release(&sb);
	}
}

/* ---- files ---- */

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/awsx-test-samconfig-XXXXXX";

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(1);
	}
	return xstrdup(tmpl);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);
	struct aws_error err;

	CHECK_INT(fs_write_atomic(path, text, strlen(text), 0644, 0, &err), 0);
	free(path);
}

static void drop(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);

	CHECK_INT(unlink(path), 0);
	free(path);
}

static void check_find(const char *tdir, const char *explicit_path, const char *expected)
{
	struct aws_error err;
	char *out = (char *)1;

	aws_error_clear(&err);
	CHECK_INT(samconfig_find(tdir, explicit_path, &out, &err), 0);
	if (expected)
		CHECK_STR(out, expected);
	else
		CHECK(out == NULL);
	if (out != (char *)1)
		free(out);
}

static void test_find(void)
{
	char *root = tmpdir(), *proj = xstrfmt("%s/proj", root), *cwd = xstrfmt("%s/cwd", root);
	char *oldcwd = getcwd(NULL, 0), *want, *out = NULL;
	struct aws_error err;

	CHECK_INT(mkdir(proj, 0755), 0);
	CHECK_INT(mkdir(cwd, 0755), 0);
	CHECK_INT(chdir(cwd), 0);

	/* nothing anywhere */
	check_find(proj, NULL, NULL);
	check_find(NULL, NULL, NULL);

	/* the current directory when the template's folder has none */
	put(cwd, "samconfig.yml", "version: 0.1\n");
	check_find(proj, NULL, "samconfig.yml");
	check_find(".", NULL, "samconfig.yml");

	/* the template's folder first, and .toml before .yaml before .yml */
	want = xstrfmt("%s/samconfig.yml", proj);
	put(proj, "samconfig.yml", "version: 0.1\n");
	check_find(proj, NULL, want);
	free(want);
	want = xstrfmt("%s/samconfig.yaml", proj);
	put(proj, "samconfig.yaml", "version: 0.1\n");
	check_find(proj, NULL, want);
	free(want);
	want = xstrfmt("%s/samconfig.toml", proj);
	put(proj, "samconfig.toml", "version = 0.1\n");
	check_find(proj, NULL, want);
	free(want);
	{
		/* a trailing slash is not doubled */
		char *slash = xstrfmt("%s/", proj);

		want = xstrfmt("%s/samconfig.toml", proj);
		check_find(slash, NULL, want);
		free(want);
		free(slash);
	}
	drop(proj, "samconfig.toml");
	drop(proj, "samconfig.yaml");
	drop(proj, "samconfig.yml");

	/* a folder named like the file is not the file */
	CHECK_INT(mkdir("samconfig.toml", 0755), 0);
	check_find(proj, NULL, "samconfig.yml");
	CHECK_INT(rmdir("samconfig.toml"), 0);

	/* --config-file: relative to the template's folder, as SAM CLI does */
	put(proj, "prod.toml", "version = 0.1\n");
	want = xstrfmt("%s/prod.toml", proj);
	check_find(proj, "prod.toml", want);
	check_find(NULL, want, want); /* absolute */
	free(want);
	put(cwd, "here.toml", "version = 0.1\n");
	check_find(NULL, "here.toml", "here.toml");
	check_find(".", "here.toml", "here.toml");

	/* a missing or odd --config-file is an error that names it */
	aws_error_clear(&err);
	CHECK_INT(samconfig_find(proj, "nope.toml", &out, &err), -AWSX_ECONFIG);
	CHECK(out == NULL);
	want = xstrfmt("cannot read config file '%s/nope.toml': No such file or directory", proj);
	CHECK_STR(err.message, want);
	free(want);
	CHECK_INT(samconfig_find(root, "proj", &out, &err), -AWSX_ECONFIG);
	want = xstrfmt("cannot read config file '%s/proj': Is a directory", root);
	CHECK_STR(err.message, want);
	free(want);

	/* loading: from a file, and the errors for a file that cannot be read */
	{
		cJSON *params = NULL;
		char *path = xstrfmt("%s/samconfig.toml", proj);
		char *s;

		put(proj, "samconfig.toml", sam_toml);
		CHECK_INT(samconfig_load(path, "default", "sync", &params, &err), 0);
		s = cJSON_PrintUnformatted(params);
		CHECK_STR(s, "{\"stack_name\":\"sam-app\",\"region\":\"eu-west-1\",\"watch\":true}");
		cJSON_free(s);
		cJSON_Delete(params);
		put(proj, "samconfig.toml", "version = 0.1\n[default.sync.parameters]\nwatch = yes\n");
		CHECK_INT(samconfig_load(path, "default", "sync", &params, &err), -AWSX_ECONFIG);
		CHECK(params == NULL);
		want = xstrfmt("%s:3:9: invalid value 'yes' (text needs quotes)", path);
		CHECK_STR(err.message, want);
		free(want);
		free(path);

		path = xstrfmt("%s/missing.yaml", proj);
		CHECK_INT(samconfig_load(path, NULL, "sync", &params, &err), -AWSX_ECONFIG);
		want = xstrfmt("cannot read config file '%s': No such file or directory", path);
		CHECK_STR(err.message, want);
		free(want);
		free(path);
	}

	CHECK_INT(chdir(oldcwd), 0);
	CHECK_INT(fs_remove_tree(root, &err), 0);
	free(oldcwd);
	free(root);
	free(proj);
	free(cwd);
}

int main(void)
{
	RUN(test_sam_written_files);
	RUN(test_precedence);
	RUN(test_sam_rules);
	RUN(test_toml_tables_and_keys);
	RUN(test_toml_strings);
	RUN(test_toml_numbers_and_arrays);
	RUN(test_toml_errors);
	RUN(test_toml_big_tables);
	RUN(test_yaml);
	RUN(test_find);
	return check_done();
}
