/* SPDX-License-Identifier: Apache-2.0 */
/*
 * templates.h: the template side of awsx: the emitters that turn EC2 launch
 * template data into infrastructure-as-code for `awsx lc-migrate export`,
 * and the SAM / CloudFormation template model that `awsx sync` reads
 * (template.c loads a template with positions, template-model.c builds the
 * resources awsx acts on).
 *
 * Launch template data is a cJSON object in the shape of EC2
 * CreateLaunchTemplate's LaunchTemplateData (botocore ec2 2016-11-15,
 * RequestLaunchTemplateData): PascalCase members, JSON booleans and numbers.
 */
#ifndef AWSX_TEMPLATES_H
#define AWSX_TEMPLATES_H

#include <cjson/cJSON.h>

#include "aws/util.h"

/*
 * CloudFormation (YAML): an AWS::EC2::LaunchTemplate resource named
 * logical_id with LaunchTemplateName lt_name and the data, then a comment
 * block showing the change to make in the Auto Scaling group resource
 * (LaunchTemplate {LaunchTemplateId: !Ref <logical_id>, Version:
 * !GetAtt <logical_id>.LatestVersionNumber} instead of
 * LaunchConfigurationName).  tags (may be NULL): name -> value pairs added
 * as TagSpecifications of the launch template.  Appends to out.
 * Returns 0, or -AWSX_EFAIL (out left as it was) when data has a member the
 * emitter does not know or of the wrong type, a tag key repeats, text is
 * not UTF-8, or the name is invalid: the message names it, so nothing is
 * silently dropped or mangled.
 */
int tmpl_emit_cfn_launch_template(const char *logical_id, const char *lt_name,
				  const cJSON *data, const struct kvlist *tags,
				  struct strbuf *out, struct aws_error *err);

/*
 * Terraform (HCL): a resource "aws_launch_template" "<resource_name>" with
 * name = lt_name and the data in the provider's block syntax, then a
 * comment showing the change to the aws_autoscaling_group (a
 * launch_template { id, version } block instead of launch_configuration).
 * Same conventions as above.
 */
int tmpl_emit_tf_launch_template(const char *resource_name, const char *lt_name,
				 const cJSON *data, const struct kvlist *tags,
				 struct strbuf *out, struct aws_error *err);

/* ==== SAM / CloudFormation templates ==== */

/*
 * A loaded template: the document as a cJSON tree in CloudFormation's long
 * form (short-form tags such as `!Ref X` or `!GetAtt A.B` become
 * {"Ref": "X"} and {"Fn::GetAtt": ["A", "B"]}), and a side table giving the
 * line and column of every node.
 *
 * YAML plain scalars become JSON values the way YAML's core schema reads
 * them: null / ~ / empty -> null, true / false (any of three casings) ->
 * booleans, decimal integers and floats -> numbers; everything else and
 * every quoted scalar is a string.  A number keeps its source text in
 * valuestring (cJSON frees it with the node), so "3.10" is still "3.10"
 * when it is used as text; use tmpl_scalar_text() to read any scalar as
 * text.  YAML merge keys (`<<`) are not special.
 *
 * Positions are 1-based lines and columns (columns count characters).  For
 * YAML they come from libyaml; for JSON a second pass over the text finds
 * the exact start of every value and key, so they are exact too.  Nodes
 * copied by an alias carry the alias's position.
 */
struct tmpl_doc;

struct tmpl_pos {
	unsigned line, col; /* 0, 0 when unknown */
};

/* Limits that bound what one template can cost (billion-laughs guard). */
#define TMPL_MAX_BYTES (16u << 20) /* template file size */
#define TMPL_MAX_NODES 1000000u    /* nodes in one document, alias copies included */
#define TMPL_MAX_DEPTH 128u	   /* nesting of mappings and sequences, alias copies included */

/*
 * The template to use, as SAM finds it: explicit_path when not NULL (not
 * checked here: loading it names it when it cannot be read), else the first
 * of template.yaml, template.yml, template.json that exists in dir (NULL
 * means "."), written "<dir>/<name>" (just "<name>" when dir is NULL or
 * ".").  *out is the caller's to free.  Returns 0, or -AWSX_EFAIL: "no
 * template found in '<dir>': looked for template.yaml, template.yml and
 * template.json".
 */
int tmpl_find(const char *dir, const char *explicit_path, char **out, struct aws_error *err);

/*
 * Load a template file (YAML, or JSON when it starts with '{' and parses as
 * JSON, which is what SAM does).  The path as given is the name used in
 * every message and position.  *out is the caller's (tmpl_doc_free).
 * Returns 0, or -AWSX_EFAIL with exactly one message:
 *   "cannot read template '<path>': <strerror>" (and "... larger than N
 *   bytes"), or "<path>:<line>:<col>: <reason>" for everything in the text:
 *   YAML or JSON syntax, a duplicate key, an unknown tag, an unknown alias,
 *   too many nodes or levels, a top level that is not a mapping.
 */
int tmpl_load_file(const char *path, struct tmpl_doc **out, struct aws_error *err);

/*
 * The same from memory: name is used in messages and positions, and its
 * folder is the base for relative paths in the template.  data need not be
 * NUL-terminated.
 */
int tmpl_load_buffer(const char *name, const char *data, size_t len, struct tmpl_doc **out,
		     struct aws_error *err);

void tmpl_doc_free(struct tmpl_doc *doc);

/* The document (a JSON object), its name as loaded, and its folder ("." when none). */
const cJSON *tmpl_doc_root(const struct tmpl_doc *doc);
const char *tmpl_doc_path(const struct tmpl_doc *doc);
const char *tmpl_doc_dir(const struct tmpl_doc *doc);

/*
 * Where node (a node of this document, or of a model built from it) was
 * written: the value, and for a member of a mapping its key.  Returns 0, or
 * -1 (positions 0) for a node the table does not know.
 */
int tmpl_doc_pos(const struct tmpl_doc *doc, const cJSON *node, struct tmpl_pos *value,
		 struct tmpl_pos *key);

/*
 * A scalar as text: strings as they are, numbers as written (or printed
 * like JSON when built in memory), booleans "true" / "false".  NULL for
 * null, arrays and objects.  Borrowed from node, or from buf (a small
 * caller buffer) for booleans and numbers without source text.
 */
const char *tmpl_scalar_text(const cJSON *node, char *buf, size_t len);

/*
 * Internal to templates/ (template-model.c records the nodes it builds):
 * set where node was written.
 */
void tmpl_doc_set_pos(struct tmpl_doc *doc, const cJSON *node, struct tmpl_pos value,
		      struct tmpl_pos key);

/*
 * Take the document out of doc: the caller owns it (cJSON_Delete) and doc
 * then has none (tmpl_doc_root gives NULL).  Positions stay readable
 * through doc while the nodes live.
 */
cJSON *tmpl_doc_take_root(struct tmpl_doc *doc);

/* ---- YAML with other rules: the loader behind templates, for sync/samconfig.c ---- */

/* What tmpl_yaml_opts.flags turn on. */
enum {
	/*
	 * CloudFormation's short-form tags become long form as for a template
	 * (above); any other local tag, and a tag other than !!str on a key,
	 * is an error.  Without it every tag but !!str and ! (which make a
	 * scalar text) is read as if absent.
	 */
	TMPL_YAML_SHORT_FORMS = 1 << 0,
	/*
	 * `<<: *a` and `<<: [*a, *b]` merge mappings, as YAML 1.1 and
	 * ruamel.yaml do: keys written in the mapping win, then the first
	 * source to have a key.  Merged members are copies placed at the
	 * mapping and count against max_nodes.
	 */
	TMPL_YAML_MERGE_KEYS = 1 << 1,
	/*
	 * The rest of YAML 1.2's core schema for plain scalars: 0x and 0o
	 * integers too, every integer's text in decimal without a plus sign
	 * or leading zeros (0x1F -> "31", +007 -> "7", -0 -> "0"), and a
	 * number too large for a double stays text.  Without it an integer or
	 * float keeps its text as written.
	 */
	TMPL_YAML_CORE_SCHEMA = 1 << 2,
};

struct tmpl_yaml_opts {
	unsigned flags;
	const char *what;   /* what the file is, for messages: "template" */
	int error_kind;	    /* what errors are: AWSX_EFAIL, AWSX_ECONFIG */
	unsigned top_depth; /* the depth of the top-level node: 1, or 0 to count levels below it */
	unsigned max_depth; /* deepest allowed, through aliases too */
	unsigned max_nodes; /* alias and merge copies count */
	const char *too_many_nodes; /* the message past max_nodes; its %u is max_nodes */
};

/*
 * Load a YAML stream of one document as tmpl_load_buffer does (positions,
 * anchors and aliases, duplicate keys and the caps are errors), with opts
 * instead of a template's rules; data need not be NUL-terminated and
 * should be capped in size by the caller.  The top-level node may be of
 * any kind, and an empty stream (nothing but comments) gives a document
 * with no root.  *out is the caller's (tmpl_doc_free).  Returns 0, or
 * -opts->error_kind with "<name>:<line>:<col>: <reason>".
 */
int tmpl_yaml_load(const char *name, const char *data, size_t len,
		   const struct tmpl_yaml_opts *opts, struct tmpl_doc **out,
		   struct aws_error *err);

/* ---- the model: the resources awsx acts on ---- */

/* A place in a template, for messages "template.yaml:14:16". */
struct tmpl_loc {
	const char *file; /* borrowed from the model; NULL when unknown */
	unsigned line, col;
};

/*
 * One property value awsx uses, after Globals and local intrinsic
 * resolution.  Three states:
 *   absent      value NULL, unresolved NULL;
 *   resolved    value set (text);
 *   unresolved  value NULL, unresolved says why ("uses Fn::GetAtt, which
 *               only CloudFormation resolves", "parameter 'X' has no value").
 * loc is where the value is written (in Globals when it came from there);
 * for an absent property, the resource's position.
 */
struct tmpl_str {
	char *value;
	char *unresolved;
	struct tmpl_loc loc;
};

enum tmpl_kind {
	TMPL_FUNCTION,	    /* AWS::Serverless::Function, AWS::Lambda::Function */
	TMPL_LAYER,	    /* AWS::Serverless::LayerVersion, AWS::Lambda::LayerVersion */
	TMPL_STATE_MACHINE, /* AWS::Serverless::StateMachine, AWS::StepFunctions::StateMachine */
	TMPL_REST_API,	    /* AWS::Serverless::Api */
	TMPL_HTTP_API,	    /* AWS::Serverless::HttpApi */
	TMPL_STACK,	    /* AWS::Serverless::Application, AWS::CloudFormation::Stack */
};

/* One entry of a function's Layers. */
struct tmpl_layer_ref {
	char *layer_id; /* model id of a layer of the same template ("Child/DepsLayer"), or NULL */
	struct tmpl_str arn; /* otherwise: the ARN (resolved or not) */
};

struct tmpl_resource {
	char *id;	  /* "HelloWorldFunction", "Child/HelloWorldFunction" */
	char *logical_id; /* within its own template */
	char *stack;	  /* "" for the root template, "Child", "Child/Grandchild" */
	char *type;	  /* "AWS::Serverless::Function" */
	enum tmpl_kind kind;
	struct tmpl_loc loc; /* the logical id in its template */
	const struct tmpl_doc *doc; /* the template it is written in */

	/*
	 * Properties after Globals (AWS::Serverless::* only) and local
	 * intrinsic resolution; what does not resolve stays in long form.
	 * Positions of its nodes: tmpl_doc_pos(doc, node, ...).  Never NULL.
	 */
	cJSON *properties;

	/*
	 * The local file or folder the resource is built from: CodeUri / Code
	 * (function), ContentUri / Content (layer), DefinitionUri /
	 * DefinitionS3Location (state machine), DefinitionUri (API), Location /
	 * TemplateURL (nested stack).  source_property names the property
	 * ("CodeUri"), source holds it as written (resolved), source_path is
	 * it joined to the template's folder, or NULL when the property is
	 * absent, not a local path (S3, a SAR application) or unresolved.  An
	 * AWS::Serverless::Function without CodeUri uses ".", as SAM does.
	 */
	const char *source_property;
	struct tmpl_str source;
	char *source_path;

	/*
	 * 1 when `awsx sync --code` can update the resource from local files;
	 * else why_not says why ("function code is inline (InlineCode)").
	 */
	int code_syncable;
	char *why_not;

	/* TMPL_FUNCTION and TMPL_LAYER (Handler only for functions). */
	struct tmpl_str handler, runtime, build_method, auto_publish_alias, package_type;
	struct tmpl_str *architectures; /* Architectures (function) / CompatibleArchitectures (layer) */
	size_t architectures_nr;
	struct tmpl_str *runtimes; /* a layer's CompatibleRuntimes */
	size_t runtimes_nr;
	struct tmpl_layer_ref *layers; /* a function's Layers, in order */
	size_t layers_nr;

	/* TMPL_STATE_MACHINE: an inline Definition (object, resolved as far as
	 * it goes) or DefinitionString, and DefinitionSubstitutions in order. */
	const cJSON *definition; /* in properties, or NULL */
	struct tmpl_str definition_string;
	char **substitution_names;
	struct tmpl_str *substitutions;
	size_t substitutions_nr;
};

/*
 * What the template is deployed with: pseudo parameters (NULL: unknown, so
 * a Ref to it does not resolve) and --parameter-overrides (names are
 * case-sensitive, as in CloudFormation).  partition and url_suffix default
 * from region (aws / aws-cn / aws-us-gov; amazonaws.com /
 * amazonaws.com.cn).  AWS::NoValue always resolves (the property goes
 * away); AWS::StackId and AWS::NotificationARNs never do.
 */
struct tmpl_options {
	const char *region;
	const char *account_id;
	const char *stack_name;
	const char *partition;
	const char *url_suffix;
	const struct kvlist *parameter_overrides;
};

struct tmpl_model {
	struct tmpl_resource *resources; /* template order; a nested stack before its children */
	size_t nr, alloc;
	struct tmpl_doc **docs; /* docs[0] is the root template */
	size_t docs_nr, docs_alloc;
};

/*
 * Build the model of root (ownership moves to the model, also on failure).
 * Conditions that resolve locally decide which resources exist (a resource
 * whose Condition is false is left out).  Nested stacks with a local
 * Location / TemplateURL are loaded recursively (at most 8 deep), their
 * parameters taken from the parent's Parameters property, pseudo
 * parameters other than Region, AccountId, Partition and URLSuffix
 * unknown.  *out is the caller's (tmpl_model_free).
 * Returns 0, or -AWSX_EFAIL with one message, "<file>:<line>:<col>: ..."
 * when it has a place: an unknown parameter override ("unknown parameter
 * 'X' in --parameter-overrides: the template has A, B"), an unsupported
 * Globals section or a Globals / Resources / Properties value of the wrong
 * kind, a resource without Type, a nested template that cannot be loaded
 * (its own message) or that loads itself again (a cycle) or is too deep.
 */
int tmpl_model_build(struct tmpl_doc *root, const struct tmpl_options *opts,
		     struct tmpl_model **out, struct aws_error *err);

/* Load path and build its model: tmpl_load_file then tmpl_model_build. */
int tmpl_model_load(const char *path, const struct tmpl_options *opts, struct tmpl_model **out,
		    struct aws_error *err);

void tmpl_model_free(struct tmpl_model *model);

/* The resource with that id ("Child/Fn"), or NULL. */
const struct tmpl_resource *tmpl_model_find(const struct tmpl_model *model, const char *id);

/* Append "file:line:col" (or just "file" when the line is unknown). */
void tmpl_loc_format(const struct tmpl_loc *loc, struct strbuf *out);

#endif
