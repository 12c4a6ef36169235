/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template-model.c: from a loaded template to the resources awsx acts on.
 * For every function, layer, state machine, API and nested stack it applies
 * SAM's Globals (maps merged, lists concatenated with the Globals entries
 * first, anything else taken from the resource), resolves the intrinsic
 * functions that can be resolved without CloudFormation (Ref to parameters
 * and pseudo parameters, Fn::Sub, Join, Select, Split, If over Conditions,
 * FindInMap) and leaves the rest in long form, so that a property is
 * reported as unresolved only when awsx needs it.  Every node it builds is
 * added to its document's position table with the position of the text it
 * came from, and nested stacks with a local template are loaded the same
 * way, their resources named "Child/LogicalId".
 */
#include "templates/templates.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_MAX_NODES (4 * TMPL_MAX_NODES) /* nodes the model may build in all */
#define MAX_STACK_DEPTH 8u
#define MAX_CONDITION_DEPTH 64u

enum { RES_OK = 0, RES_UNRESOLVED = 1 };

struct param {
	const char *name;
	cJSON *value; /* string or array; NULL when it has none */
	char *why;    /* when value is NULL */
};

struct sctx {
	struct tmpl_model *m;
	struct tmpl_doc *doc;
	const char *stack; /* "" or "Child" */
	const struct tmpl_options *opts;
	int is_root;
	const cJSON *mappings, *conditions, *resources, *globals;
	struct param *params;
	size_t params_nr;
	signed char *cond_state; /* per Conditions member: see cond_named() */
	size_t cond_nr;
	const char *const *chain; /* real paths of the templates above, for cycles */
	unsigned depth;
	size_t *nodes; /* shared by the whole model */
	struct aws_error *err;
};

/* ---- small helpers ---- */

static struct tmpl_loc loc_of(const struct sctx *c, const cJSON *node, int want_key)
{
	struct tmpl_pos v, k;
	struct tmpl_loc loc;

	tmpl_doc_pos(c->doc, node, &v, &k);
	loc.file = tmpl_doc_path(c->doc);
	loc.line = want_key ? k.line : v.line;
	loc.col = want_key ? k.col : v.col;
	return loc;
}

void tmpl_loc_format(const struct tmpl_loc *loc, struct strbuf *out)
{
	if (!loc->file)
		return;
	if (loc->line)
		strbuf_addf(out, "%s:%u:%u", loc->file, loc->line, loc->col);
	else
		strbuf_adds(out, loc->file);
}

static int fail_at(struct sctx *c, const cJSON *node, int want_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct sctx *c, const cJSON *node, int want_key, const char *fmt, ...)
{
	struct tmpl_loc loc = loc_of(c, node, want_key);
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	tmpl_loc_format(&loc, &sb);
	strbuf_adds(&sb, ": ");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	aws_error_set(c->err, AWSX_EFAIL, "%s", sb.buf);
	strbuf_release(&sb);
	return -AWSX_EFAIL;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

static int is_intrinsic(const cJSON *n)
{
	const char *k;

	if (!cJSON_IsObject(n) || !n->child || n->child->next)
		return 0;
	k = n->child->string;
	return !strcmp(k, "Ref") || !strncmp(k, "Fn::", 4);
}

static int has_intrinsic(const cJSON *n)
{
	if (is_intrinsic(n))
		return 1;
	for (const cJSON *ch = n->child; ch; ch = ch->next)
		if (has_intrinsic(ch))
			return 1;
	return 0;
}

static int is_scalar(const cJSON *n)
{
	return cJSON_IsString(n) || cJSON_IsNumber(n) || cJSON_IsBool(n);
}

/* Record a built node at a position (and count it against the budget). */
static void track(struct sctx *c, const cJSON *node, struct tmpl_pos v, struct tmpl_pos k)
{
	tmpl_doc_set_pos(c->doc, node, v, k);
	(*c->nodes)++;
}

static int over_budget(struct sctx *c, const cJSON *at)
{
	if (*c->nodes <= MODEL_MAX_NODES)
		return 0;
	return fail_at(c, at, 0, "resolving the template makes more than %u nodes",
		       MODEL_MAX_NODES);
}

/* Deep copy keeping each node's position (or placing all at *at). */
static cJSON *copy_at(struct sctx *c, const cJSON *src, const struct tmpl_pos *at)
{
	struct tmpl_pos v, k;
	cJSON *dst;

	if (cJSON_IsArray(src) || cJSON_IsObject(src)) {
		dst = cJSON_IsArray(src) ? cJSON_CreateArray() : cJSON_CreateObject();
		for (const cJSON *ch = src->child; ch; ch = ch->next) {
			cJSON *cc = copy_at(c, ch, at);

			if (cJSON_IsObject(src))
				cJSON_AddItemToObject(dst, ch->string, cc);
			else
				cJSON_AddItemToArray(dst, cc);
		}
	} else {
		dst = xcalloc(1, sizeof(*dst));
		dst->type = src->type & 0xff;
		dst->valuedouble = src->valuedouble;
		dst->valueint = src->valueint;
		if (src->valuestring)
			dst->valuestring = xstrdup(src->valuestring);
	}
	tmpl_doc_pos(c->doc, src, &v, &k);
	if (at)
		v = k = *at;
	track(c, dst, v, k);
	return dst;
}

static cJSON *copy(struct sctx *c, const cJSON *src)
{
	return copy_at(c, src, NULL);
}

static cJSON *new_string(struct sctx *c, const char *s, const cJSON *at)
{
	cJSON *n = cJSON_CreateString(s);
	struct tmpl_pos v, k;

	tmpl_doc_pos(c->doc, at, &v, &k);
	track(c, n, v, k);
	return n;
}

/* ---- intrinsic functions ---- */

static int resolve(struct sctx *c, const cJSON *n, unsigned depth, cJSON **out);
static int cond_eval(struct sctx *c, const cJSON *n, unsigned depth);

/* Resolve n fully: RES_OK with *out (NULL for AWS::NoValue), or RES_UNRESOLVED. */
static int eval(struct sctx *c, const cJSON *n, unsigned depth, cJSON **out)
{
	int rc = resolve(c, n, depth, out);

	if (rc < 0)
		return rc;
	if (*out && has_intrinsic(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return RES_UNRESOLVED;
	}
	return RES_OK;
}

/* Resolve n to text (a caller-owned copy). */
static int eval_text(struct sctx *c, const cJSON *n, unsigned depth, char **text)
{
	cJSON *v = NULL;
	char buf[64];
	int rc = eval(c, n, depth, &v);

	*text = NULL;
	if (rc)
		return rc;
	if (v && is_scalar(v))
		*text = xstrdup(tmpl_scalar_text(v, buf, sizeof(buf)));
	cJSON_Delete(v);
	return *text ? RES_OK : RES_UNRESOLVED;
}

/* Resolve n to a list (caller frees). */
static int eval_list(struct sctx *c, const cJSON *n, unsigned depth, cJSON **list)
{
	int rc = eval(c, n, depth, list);

	if (rc)
		return rc;
	if (!cJSON_IsArray(*list)) {
		cJSON_Delete(*list);
		*list = NULL;
		return RES_UNRESOLVED;
	}
	return RES_OK;
}

static const struct param *find_param(const struct sctx *c, const char *name)
{
	for (size_t i = 0; i < c->params_nr; i++)
		if (!strcmp(c->params[i].name, name))
			return &c->params[i];
	return NULL;
}

static const char *region_partition(const char *region)
{
	if (str_starts_with(region, "cn-"))
		return "aws-cn";
	if (str_starts_with(region, "us-gov-"))
		return "aws-us-gov";
	return "aws";
}

/* The value of a pseudo parameter, or NULL when it is not known here. */
static const char *pseudo_value(const struct sctx *c, const char *name)
{
	const struct tmpl_options *o = c->opts;

	if (!strcmp(name, "AWS::Region"))
		return o->region;
	if (!strcmp(name, "AWS::AccountId"))
		return o->account_id;
	if (!strcmp(name, "AWS::StackName"))
		return c->is_root ? o->stack_name : NULL;
	if (!strcmp(name, "AWS::Partition"))
		return o->partition ? o->partition : o->region ? region_partition(o->region) : NULL;
	if (!strcmp(name, "AWS::URLSuffix")) {
		if (o->url_suffix)
			return o->url_suffix;
		if (!o->region)
			return NULL;
		return str_starts_with(o->region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
	}
	return NULL;
}

/* Ref: parameters and pseudo parameters. */
static int fn_ref(struct sctx *c, const cJSON *arg, const cJSON *at, cJSON **out)
{
	const struct param *p;
	const char *v;

	if (!cJSON_IsString(arg))
		return RES_UNRESOLVED;
	if (!strcmp(arg->valuestring, "AWS::NoValue")) {
		*out = NULL;
		return RES_OK;
	}
	if ((v = pseudo_value(c, arg->valuestring))) {
		*out = new_string(c, v, at);
		return RES_OK;
	}
	p = find_param(c, arg->valuestring);
	if (!p || !p->value)
		return RES_UNRESOLVED;
	{
		struct tmpl_pos pos;

		tmpl_doc_pos(c->doc, at, &pos, NULL);
		*out = copy_at(c, p->value, &pos);
	}
	return RES_OK;
}

/* The value of one ${name} of Fn::Sub as text, or NULL. */
static char *sub_var(struct sctx *c, const char *name, const cJSON *vars, unsigned depth)
{
	const cJSON *var = member(vars, name);
	const struct param *p;
	const char *v;
	char *text = NULL;

	if (var) {
		eval_text(c, var, depth, &text);
		return text;
	}
	if ((v = pseudo_value(c, name)))
		return xstrdup(v);
	p = find_param(c, name);
	if (p && cJSON_IsString(p->value))
		return xstrdup(p->value->valuestring);
	if (p && cJSON_IsArray(p->value)) { /* a list parameter reads as "a,b" */
		struct strbuf sb = STRBUF_INIT;

		for (const cJSON *e = p->value->child; e; e = e->next) {
			if (e != p->value->child)
				strbuf_addch(&sb, ',');
			if (cJSON_IsString(e))
				strbuf_adds(&sb, e->valuestring);
		}
		return strbuf_detach(&sb, NULL);
	}
	return NULL; /* resources, attributes (A.B), unknown names */
}

static int fn_sub(struct sctx *c, const cJSON *arg, const cJSON *at, unsigned depth, cJSON **out)
{
	const cJSON *tmpl = arg, *vars = NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *s;
	int rc = RES_OK;

	if (cJSON_IsArray(arg)) {
		if (cJSON_GetArraySize(arg) != 2 || !cJSON_IsObject(arg->child->next))
			return RES_UNRESOLVED;
		tmpl = arg->child;
		vars = arg->child->next;
	}
	if (!cJSON_IsString(tmpl))
		return RES_UNRESOLVED;
	for (s = tmpl->valuestring; *s;) {
		const char *close;
		char *name, *v;

		if (s[0] != '$' || s[1] != '{') {
			strbuf_addch(&sb, *s++);
			continue;
		}
		if (s[2] == '!') { /* ${!Literal} is the text ${Literal} */
			strbuf_adds(&sb, "${");
			s += 3;
			continue;
		}
		close = strchr(s + 2, '}');
		if (!close) {
			strbuf_adds(&sb, s);
			break;
		}
		name = xstrndup(s + 2, (size_t)(close - s - 2));
		v = sub_var(c, name, vars, depth + 1);
		free(name);
		if (!v) {
			rc = RES_UNRESOLVED;
			goto out;
		}
		strbuf_adds(&sb, v);
		free(v);
		s = close + 1;
	}
	*out = new_string(c, sb.buf, at);
out:
	strbuf_release(&sb);
	return rc;
}

static int fn_join(struct sctx *c, const cJSON *arg, const cJSON *at, unsigned depth, cJSON **out)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *list = NULL;
	char *delim = NULL, buf[64];
	int rc;

	if (cJSON_GetArraySize(arg) != 2 || !cJSON_IsArray(arg))
		return RES_UNRESOLVED;
	if ((rc = eval_text(c, arg->child, depth, &delim)) ||
	    (rc = eval_list(c, arg->child->next, depth, &list)))
		goto out;
	for (const cJSON *e = list->child; e; e = e->next) {
		if (!is_scalar(e)) {
			rc = RES_UNRESOLVED;
			goto out;
		}
		if (e != list->child)
			strbuf_adds(&sb, delim);
		strbuf_adds(&sb, tmpl_scalar_text(e, buf, sizeof(buf)));
	}
	*out = new_string(c, sb.buf, at);
out:
	free(delim);
	cJSON_Delete(list);
	strbuf_release(&sb);
	return rc;
}

static int fn_select(struct sctx *c, const cJSON *arg, const cJSON *at, unsigned depth,
		     cJSON **out)
{
	cJSON *list = NULL;
	char *index = NULL, *end;
	long i;
	int rc;

	if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2)
		return RES_UNRESOLVED;
	if ((rc = eval_text(c, arg->child, depth, &index)) ||
	    (rc = eval_list(c, arg->child->next, depth, &list)))
		goto out;
	i = strtol(index, &end, 10);
	if (*end || end == index || i < 0 || i >= cJSON_GetArraySize(list)) {
		rc = RES_UNRESOLVED;
		goto out;
	}
	{
		struct tmpl_pos pos;

		tmpl_doc_pos(c->doc, at, &pos, NULL);
		*out = copy_at(c, cJSON_GetArrayItem(list, (int)i), &pos);
	}
out:
	free(index);
	cJSON_Delete(list);
	return rc;
}

static int fn_split(struct sctx *c, const cJSON *arg, const cJSON *at, unsigned depth, cJSON **out)
{
	char *delim = NULL, *text = NULL;
	const char *s;
	size_t dlen;
	int rc;

	if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2)
		return RES_UNRESOLVED;
	if ((rc = eval_text(c, arg->child, depth, &delim)) ||
	    (rc = eval_text(c, arg->child->next, depth, &text)))
		goto out;
	dlen = strlen(delim);
	if (!dlen) {
		rc = RES_UNRESOLVED;
		goto out;
	}
	*out = cJSON_CreateArray();
	{
		struct tmpl_pos pos;

		tmpl_doc_pos(c->doc, at, &pos, NULL);
		track(c, *out, pos, pos);
	}
	for (s = text;;) {
		const char *hit = strstr(s, delim);
		char *part = hit ? xstrndup(s, (size_t)(hit - s)) : xstrdup(s);

		cJSON_AddItemToArray(*out, new_string(c, part, at));
		free(part);
		if (!hit)
			break;
		s = hit + dlen;
	}
out:
	free(delim);
	free(text);
	return rc;
}

static int fn_if(struct sctx *c, const cJSON *arg, unsigned depth, cJSON **out)
{
	const cJSON *name, *branch;
	int v;

	if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 3 || !cJSON_IsString(arg->child))
		return RES_UNRESOLVED;
	name = arg->child;
	v = cond_eval(c, name, depth + 1);
	if (v < 0)
		return v == -1 ? RES_UNRESOLVED : v;
	branch = v ? arg->child->next : arg->child->next->next;
	return resolve(c, branch, depth + 1, out);
}

static int fn_find_in_map(struct sctx *c, const cJSON *arg, const cJSON *at, unsigned depth,
			  cJSON **out)
{
	char *keys[3] = { NULL, NULL, NULL };
	const cJSON *e, *v, *def = NULL;
	int n = cJSON_GetArraySize(arg), rc = RES_OK, i;

	if (!cJSON_IsArray(arg) || n < 3 || n > 4)
		return RES_UNRESOLVED;
	if (n == 4 && !(def = member(cJSON_GetArrayItem(arg, 3), "DefaultValue")))
		return RES_UNRESOLVED;
	for (i = 0, e = arg->child; i < 3; i++, e = e->next)
		if ((rc = eval_text(c, e, depth, &keys[i])))
			goto out;
	v = member(member(member(c->mappings, keys[0]), keys[1]), keys[2]);
	if (v) {
		struct tmpl_pos pos;

		tmpl_doc_pos(c->doc, at, &pos, NULL);
		*out = copy_at(c, v, &pos);
	} else if (def) {
		rc = resolve(c, def, depth + 1, out);
	} else {
		rc = RES_UNRESOLVED;
	}
out:
	for (i = 0; i < 3; i++)
		free(keys[i]);
	return rc;
}

static int intrinsic(struct sctx *c, const cJSON *n, unsigned depth, cJSON **out)
{
	const char *name = n->child->string;
	const cJSON *arg = n->child;

	*out = NULL;
	if (!strcmp(name, "Ref"))
		return fn_ref(c, arg, n, out);
	if (!strcmp(name, "Fn::Sub"))
		return fn_sub(c, arg, n, depth, out);
	if (!strcmp(name, "Fn::Join"))
		return fn_join(c, arg, n, depth, out);
	if (!strcmp(name, "Fn::Select"))
		return fn_select(c, arg, n, depth, out);
	if (!strcmp(name, "Fn::Split"))
		return fn_split(c, arg, n, depth, out);
	if (!strcmp(name, "Fn::If"))
		return fn_if(c, arg, depth, out);
	if (!strcmp(name, "Fn::FindInMap"))
		return fn_find_in_map(c, arg, n, depth, out);
	return RES_UNRESOLVED; /* GetAtt, ImportValue, GetAZs, Cidr, Base64, ... */
}

/*
 * A copy of n with every intrinsic that resolves here replaced by its value
 * and AWS::NoValue members and items removed.  Returns 0 (*out NULL when n
 * itself is AWS::NoValue) or a negative error.
 */
static int resolve(struct sctx *c, const cJSON *n, unsigned depth, cJSON **out)
{
	struct tmpl_pos v, k;
	int rc;

	*out = NULL;
	if ((rc = over_budget(c, n)))
		return rc;
	if (depth > 2 * TMPL_MAX_DEPTH) { /* only self-feeding inputs get here */
		*out = copy(c, n);
		return 0;
	}
	if (is_intrinsic(n)) {
		rc = intrinsic(c, n, depth + 1, out);
		if (rc == RES_UNRESOLVED) {
			cJSON_Delete(*out);
			*out = copy(c, n);
			rc = 0;
		}
		if (rc == 0 && *out) { /* the value stands where the intrinsic was */
			tmpl_doc_pos(c->doc, n, &v, &k);
			tmpl_doc_set_pos(c->doc, *out, v, k);
		}
		return rc;
	}
	if (!cJSON_IsArray(n) && !cJSON_IsObject(n)) {
		*out = copy(c, n);
		return 0;
	}
	*out = cJSON_IsArray(n) ? cJSON_CreateArray() : cJSON_CreateObject();
	tmpl_doc_pos(c->doc, n, &v, &k);
	track(c, *out, v, k);
	for (const cJSON *ch = n->child; ch; ch = ch->next) {
		cJSON *r = NULL;

		if ((rc = resolve(c, ch, depth + 1, &r))) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
		if (!r)
			continue;
		if (cJSON_IsObject(n)) {
			tmpl_doc_pos(c->doc, ch, NULL, &k);
			tmpl_doc_pos(c->doc, r, &v, NULL);
			cJSON_AddItemToObject(*out, ch->string, r);
			tmpl_doc_set_pos(c->doc, r, v, k);
		} else {
			cJSON_AddItemToArray(*out, r);
		}
	}
	return 0;
}

/* ---- conditions: 1 true, 0 false, -1 unknown, or a negative error < -1 ---- */

static int cond_named(struct sctx *c, const char *name, unsigned depth)
{
	size_t i = 0;
	const cJSON *body = NULL;
	int v;

	for (const cJSON *ch = c->conditions ? c->conditions->child : NULL; ch; ch = ch->next, i++) {
		if (!strcmp(ch->string, name)) {
			body = ch;
			break;
		}
	}
	if (!body || depth > MAX_CONDITION_DEPTH)
		return -1;
	/* cond_state: 0 not yet, 1 evaluating (a cycle reads as unknown), else value + 3 */
	if (c->cond_state[i] == 1)
		return -1;
	if (c->cond_state[i] >= 2)
		return c->cond_state[i] - 3;
	c->cond_state[i] = 1;
	v = cond_eval(c, body, depth + 1);
	if (v < -1)
		return v;
	c->cond_state[i] = (signed char)(v + 3);
	return v;
}

static int cond_eval(struct sctx *c, const cJSON *n, unsigned depth)
{
	const char *name;
	const cJSON *arg;
	int v;

	if (cJSON_IsString(n)) /* a condition name, as in Fn::If */
		return cond_named(c, n->valuestring, depth);
	if (cJSON_IsBool(n))
		return cJSON_IsTrue(n);
	if (!cJSON_IsObject(n) || !n->child || n->child->next || depth > MAX_CONDITION_DEPTH)
		return -1;
	name = n->child->string;
	arg = n->child;
	if (!strcmp(name, "Condition"))
		return cJSON_IsString(arg) ? cond_named(c, arg->valuestring, depth) : -1;
	if (!strcmp(name, "Fn::Equals")) {
		cJSON *a = NULL, *b = NULL;
		char ba[64], bb[64];
		int ra, rb;

		if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2)
			return -1;
		ra = eval(c, arg->child, depth, &a);
		rb = ra ? ra : eval(c, arg->child->next, depth, &b);
		if (ra < 0 || rb < 0)
			v = ra < 0 ? ra : rb;
		else if (ra || rb || !a || !b)
			v = -1;
		else if (is_scalar(a) && is_scalar(b))
			v = !strcmp(tmpl_scalar_text(a, ba, sizeof(ba)),
				    tmpl_scalar_text(b, bb, sizeof(bb)));
		else
			v = cJSON_Compare(a, b, 1) ? 1 : 0;
		cJSON_Delete(a);
		cJSON_Delete(b);
		return v;
	}
	if (!strcmp(name, "Fn::Not")) {
		if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 1)
			return -1;
		v = cond_eval(c, arg->child, depth + 1);
		return v < 0 ? v : !v;
	}
	if (!strcmp(name, "Fn::And") || !strcmp(name, "Fn::Or")) {
		int is_and = name[4] == 'A', unknown = 0;

		if (!cJSON_IsArray(arg) || !arg->child)
			return -1;
		for (const cJSON *e = arg->child; e; e = e->next) {
			v = cond_eval(c, e, depth + 1);
			if (v < -1)
				return v;
			if (v == -1)
				unknown = 1;
			else if (v == !is_and)
				return v; /* false in And, true in Or decides */
		}
		return unknown ? -1 : is_and;
	}
	return -1;
}

/* ---- parameters ---- */

static cJSON *param_value(struct sctx *c, const cJSON *decl, const char *text, const cJSON *at)
{
	const cJSON *type = member(decl, "Type");
	const char *t = cJSON_IsString(type) ? type->valuestring : "String";

	if (!strcmp(t, "CommaDelimitedList") || str_starts_with(t, "List<")) {
		cJSON *list = cJSON_CreateArray();
		struct tmpl_pos pos;

		tmpl_doc_pos(c->doc, at, &pos, NULL);
		track(c, list, pos, pos);
		for (const char *s = text;;) {
			const char *comma = strchr(s, ',');
			char *part = comma ? xstrndup(s, (size_t)(comma - s)) : xstrdup(s);

			cJSON_AddItemToArray(list, new_string(c, part, at));
			free(part);
			if (!comma)
				break;
			s = comma + 1;
		}
		return list;
	}
	return new_string(c, text, at);
}

/*
 * Parameters: the root's from overrides or Default, a nested stack's from
 * what its parent passes (passed: resolved values; unresolved: names whose
 * value did not resolve in the parent).
 */
static int load_params(struct sctx *c, const cJSON *passed)
{
	const cJSON *params = member(tmpl_doc_root(c->doc), "Parameters");
	const struct kvlist *ov = c->is_root ? c->opts->parameter_overrides : NULL;
	int rc = 0;

	if (params && !cJSON_IsObject(params))
		return fail_at(c, params, 0, "'Parameters' must be a mapping");
	for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
		struct param *pp;
		const cJSON *def = member(p, "Default"), *type = member(p, "Type"), *from = NULL;
		const char *text = NULL;
		char buf[64];

		if (!cJSON_IsObject(p))
			return fail_at(c, p, 1, "parameter '%s' must be a mapping", p->string);
		c->params = xrealloc(c->params, (c->params_nr + 1) * sizeof(*c->params));
		pp = &c->params[c->params_nr++];
		memset(pp, 0, sizeof(*pp));
		pp->name = p->string;
		for (size_t i = 0; ov && i < ov->nr; i++)
			if (!strcmp(ov->items[i].name, p->string))
				text = ov->items[i].value;
		if (!text && passed && (from = member(passed, p->string))) {
			text = tmpl_scalar_text(from, buf, sizeof(buf));
			if (!text) {
				pp->why = xstrfmt("the parent stack passes parameter '%s' a value that "
						  "does not resolve locally", p->string);
				continue;
			}
		}
		if (!text && def)
			text = tmpl_scalar_text(def, buf, sizeof(buf));
		if (cJSON_IsString(type) &&
		    str_starts_with(type->valuestring, "AWS::SSM::Parameter::Value<")) {
			pp->why = xstrfmt("parameter '%s' comes from SSM Parameter Store", p->string);
			continue;
		}
		if (!text) {
			pp->why = xstrfmt("parameter '%s' has no value (no Default and no override)",
					  p->string);
			continue;
		}
		pp->value = param_value(c, p, text, from ? from : def ? def : p);
	}
	for (size_t i = 0; ov && i < ov->nr; i++) {
		if (!find_param(c, ov->items[i].name)) {
			struct strbuf names = STRBUF_INIT;

			for (size_t j = 0; j < c->params_nr; j++)
				strbuf_addf(&names, "%s%s", j ? ", " : "", c->params[j].name);
			rc = aws_error_set(c->err, AWSX_EFAIL,
					   "unknown parameter '%s' in --parameter-overrides: %s%s",
					   ov->items[i].name,
					   names.len ? "the template has " : "the template has no "
									    "parameters",
					   names.buf);
			strbuf_release(&names);
			break;
		}
	}
	return rc;
}

/* ---- Globals ---- */

static const char *const globals_sections[] = { "Api",	       "CapacityProvider", "Function",
						"HttpApi",     "SimpleTable",	   "StateMachine" };

static int check_globals(struct sctx *c)
{
	const cJSON *g = c->globals;

	if (!g)
		return 0;
	if (!cJSON_IsObject(g))
		return fail_at(c, g, 0, "'Globals' must be a mapping");
	for (const cJSON *s = g->child; s; s = s->next) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(globals_sections); i++)
			if (!strcmp(s->string, globals_sections[i]))
				break;
		if (i == ARRAY_SIZE(globals_sections))
			return fail_at(c, s, 1,
				       "'%s' is not a Globals section SAM supports (Api, "
				       "CapacityProvider, Function, HttpApi, SimpleTable, StateMachine)",
				       s->string);
		if (!cJSON_IsObject(s))
			return fail_at(c, s, 0, "Globals section '%s' must be a mapping", s->string);
	}
	return 0;
}

/*
 * SAM's merge: mappings (not intrinsics) merge member by member, Globals
 * members first; lists concatenate with the Globals entries first; anything
 * else is the resource's.  A Function's Architectures is replaced rather
 * than concatenated: two architectures are never valid, and
 * SAM is moving to the same rule.
 */
static cJSON *merge(struct sctx *c, const cJSON *g, const cJSON *l, const char *section, int top)
{
	struct tmpl_pos v, k;
	cJSON *out;

	if (!l)
		return copy(c, g);
	if (cJSON_IsObject(g) && cJSON_IsObject(l) && !is_intrinsic(g) && !is_intrinsic(l)) {
		out = cJSON_CreateObject();
		tmpl_doc_pos(c->doc, l, &v, &k);
		track(c, out, v, k);
		for (const cJSON *gm = g->child; gm; gm = gm->next) {
			const cJSON *lm = member(l, gm->string);
			int replace = top && !strcmp(section, "Function") &&
				      !strcmp(gm->string, "Architectures");
			cJSON *nm = lm ? merge(c, gm, lm, section, 0) : copy(c, gm);

			if (replace && lm) {
				cJSON_Delete(nm);
				nm = copy(c, lm);
			}
			tmpl_doc_pos(c->doc, nm, &v, &k);
			cJSON_AddItemToObject(out, gm->string, nm);
			tmpl_doc_set_pos(c->doc, nm, v, k);
		}
		for (const cJSON *lm = l->child; lm; lm = lm->next) {
			cJSON *nm;

			if (member(g, lm->string))
				continue;
			nm = copy(c, lm);
			cJSON_AddItemToObject(out, lm->string, nm);
		}
		return out;
	}
	if (cJSON_IsArray(g) && cJSON_IsArray(l)) {
		out = cJSON_CreateArray();
		tmpl_doc_pos(c->doc, l, &v, &k);
		track(c, out, v, k);
		for (const cJSON *e = g->child; e; e = e->next)
			cJSON_AddItemToArray(out, copy(c, e));
		for (const cJSON *e = l->child; e; e = e->next)
			cJSON_AddItemToArray(out, copy(c, e));
		return out;
	}
	return copy(c, l);
}

static int is_serverless(const char *type)
{
	return str_starts_with(type, "AWS::Serverless::");
}

static const char *globals_section_for(const char *type)
{
	if (!strcmp(type, "AWS::Serverless::Function"))
		return "Function";
	if (!strcmp(type, "AWS::Serverless::Api"))
		return "Api";
	if (!strcmp(type, "AWS::Serverless::HttpApi"))
		return "HttpApi";
	if (!strcmp(type, "AWS::Serverless::StateMachine"))
		return "StateMachine";
	if (!strcmp(type, "AWS::Serverless::SimpleTable"))
		return "SimpleTable";
	return NULL;
}

/* ---- resources ---- */

/* Why a Ref to name (or ${name} in Fn::Sub) does not resolve. */
static char *why_name(struct sctx *c, const char *name)
{
	const struct param *p;

	if (strchr(name, '.'))
		return xstrfmt("'%s' is an attribute, known only once deployed", name);
	if (str_starts_with(name, "AWS::"))
		return xstrfmt("pseudo parameter '%s' is not known here", name);
	if ((p = find_param(c, name)) && p->why)
		return xstrdup(p->why);
	if (member(c->resources, name))
		return xstrfmt("Ref to resource '%s' is known only once it is deployed", name);
	return xstrfmt("'%s' is not declared in the template", name);
}

/* The first ${name} of a Fn::Sub string that does not resolve, or NULL. */
static char *why_sub(struct sctx *c, const cJSON *arg)
{
	const cJSON *tmpl = cJSON_IsArray(arg) ? arg->child : arg;
	const cJSON *vars = cJSON_IsArray(arg) && arg->child ? arg->child->next : NULL;
	const char *s;

	if (!cJSON_IsString(tmpl))
		return NULL;
	for (s = strstr(tmpl->valuestring, "${"); s; s = strstr(s + 2, "${")) {
		const char *close = strchr(s + 2, '}');
		char *name, *v, *why = NULL;

		if (s[2] == '!' || !close)
			continue;
		name = xstrndup(s + 2, (size_t)(close - s - 2));
		if (member(vars, name))
			why = xstrfmt("the Fn::Sub variable '%s' does not resolve locally", name);
		else if ((v = sub_var(c, name, NULL, 0)))
			free(v);
		else
			why = why_name(c, name);
		free(name);
		if (why)
			return why;
	}
	return NULL;
}

/* Why a value that still holds an intrinsic function does not resolve. */
static char *why_unresolved(struct sctx *c, const cJSON *n)
{
	const char *name;
	char *why;

	if (!is_intrinsic(n)) {
		for (const cJSON *ch = n->child; ch; ch = ch->next)
			if (has_intrinsic(ch))
				return why_unresolved(c, ch);
		return xstrdup("it does not resolve locally");
	}
	name = n->child->string;
	if (!strcmp(name, "Ref") && cJSON_IsString(n->child))
		return why_name(c, n->child->valuestring);
	if (!strcmp(name, "Fn::Sub") && (why = why_sub(c, n->child)))
		return why;
	return xstrfmt("%s does not resolve locally", name);
}

static void get_str(struct sctx *c, const struct tmpl_resource *r, const cJSON *node,
		    const char *name, struct tmpl_str *out)
{
	char buf[64];

	if (!node) {
		out->loc = r->loc;
		return;
	}
	out->loc = loc_of(c, node, 0);
	if (is_scalar(node))
		out->value = xstrdup(tmpl_scalar_text(node, buf, sizeof(buf)));
	else if (has_intrinsic(node))
		out->unresolved = why_unresolved(c, node);
	else
		out->unresolved = xstrfmt("'%s' is not a text value", name);
}

static void get_list(struct sctx *c, const struct tmpl_resource *r, const cJSON *node,
		     const char *name, struct tmpl_str **items, size_t *nr)
{
	size_t n = 0;

	*items = NULL;
	*nr = 0;
	if (!node)
		return;
	if (!cJSON_IsArray(node)) {
		*items = xcalloc(1, sizeof(**items));
		get_str(c, r, node, name, *items);
		*nr = 1;
		return;
	}
	*items = xcalloc((size_t)cJSON_GetArraySize(node) + 1, sizeof(**items));
	for (const cJSON *e = node->child; e; e = e->next)
		get_str(c, r, e, name, &(*items)[n++]);
	*nr = n;
}

static int is_remote(const char *v)
{
	return str_starts_with(v, "s3://") || str_starts_with(v, "https://") ||
	       str_starts_with(v, "http://");
}

/*
 * The resource's local source property: value as written, joined path, or
 * the reason it is not local (why_not).  dflt: the value when absent.
 */
static void set_source(struct sctx *c, struct tmpl_resource *r, const char *prop,
		       const cJSON *node, const char *dflt)
{
	const char *v, *dir = tmpl_doc_dir(c->doc);

	r->source_property = prop;
	if (!node && dflt) {
		r->source.value = xstrdup(dflt);
		r->source.loc = r->loc;
	} else {
		get_str(c, r, node, prop, &r->source);
	}
	if (cJSON_IsObject(node) && !has_intrinsic(node)) {
		free(r->source.unresolved);
		r->source.unresolved = NULL;
		r->why_not = xstrfmt("%s is an S3 location, not a local path", prop);
		return;
	}
	if (!node && !dflt) {
		r->why_not = xstrfmt("it has no %s", prop);
		return;
	}
	if (r->source.unresolved) {
		r->why_not = xstrfmt("%s does not resolve locally: %s", prop, r->source.unresolved);
		return;
	}
	v = r->source.value;
	if (is_remote(v))
		r->why_not = xstrfmt("%s is a remote location ('%s'), not a local path", prop, v);
	else if (v[0] == '/' || !strcmp(dir, "."))
		r->source_path = xstrdup(v);
	else
		r->source_path = xstrfmt("%s/%s", dir, v);
}

static const cJSON *build_method_node(const cJSON *raw)
{
	return member(member(raw, "Metadata"), "BuildMethod");
}

static int is_layer_type(const char *type)
{
	return !strcmp(type, "AWS::Serverless::LayerVersion") ||
	       !strcmp(type, "AWS::Lambda::LayerVersion");
}

static void get_layers(struct sctx *c, struct tmpl_resource *r, const cJSON *node)
{
	size_t n = 0;

	if (!node)
		return;
	if (!cJSON_IsArray(node)) {
		r->layers = xcalloc(1, sizeof(*r->layers));
		get_str(c, r, node, "Layers", &r->layers[0].arn);
		r->layers_nr = 1;
		return;
	}
	r->layers = xcalloc((size_t)cJSON_GetArraySize(node) + 1, sizeof(*r->layers));
	for (const cJSON *e = node->child; e; e = e->next, n++) {
		const cJSON *ref = member(e, "Ref"), *target;

		if (is_intrinsic(e) && cJSON_IsString(ref) &&
		    (target = member(c->resources, ref->valuestring)) &&
		    cJSON_IsString(member(target, "Type")) &&
		    is_layer_type(member(target, "Type")->valuestring)) {
			r->layers[n].layer_id = *c->stack ? xstrfmt("%s/%s", c->stack, ref->valuestring)
							  : xstrdup(ref->valuestring);
			r->layers[n].arn.loc = loc_of(c, e, 0);
			continue;
		}
		get_str(c, r, e, "Layers", &r->layers[n].arn);
	}
	r->layers_nr = n;
}

static void build_function(struct sctx *c, struct tmpl_resource *r, const cJSON *raw)
{
	const cJSON *props = r->properties, *code;
	int sam = is_serverless(r->type);

	get_str(c, r, member(props, "Handler"), "Handler", &r->handler);
	get_str(c, r, member(props, "Runtime"), "Runtime", &r->runtime);
	get_str(c, r, member(props, "PackageType"), "PackageType", &r->package_type);
	get_str(c, r, member(props, "AutoPublishAlias"), "AutoPublishAlias", &r->auto_publish_alias);
	get_str(c, r, build_method_node(raw), "BuildMethod", &r->build_method);
	get_list(c, r, member(props, "Architectures"), "Architectures", &r->architectures,
		 &r->architectures_nr);
	get_layers(c, r, member(props, "Layers"));

	if (r->package_type.value && !strcmp(r->package_type.value, "Image")) {
		r->why_not = xstrdup("an image function (PackageType: Image): its code is a "
				     "container image");
	} else if (sam) {
		if (member(props, "InlineCode"))
			r->why_not = xstrdup("function code is inline (InlineCode)");
		else
			set_source(c, r, "CodeUri", member(props, "CodeUri"), ".");
	} else {
		code = member(props, "Code");
		r->source_property = "Code";
		if (member(code, "ZipFile"))
			r->why_not = xstrdup("function code is inline (Code.ZipFile)");
		else if (member(code, "ImageUri"))
			r->why_not = xstrdup("an image function (Code.ImageUri): its code is a "
					     "container image");
		else
			set_source(c, r, "Code", code, NULL);
	}
	r->code_syncable = !r->why_not && r->source_path;
}

static void build_layer(struct sctx *c, struct tmpl_resource *r, const cJSON *raw)
{
	const cJSON *props = r->properties;
	const char *prop = is_serverless(r->type) ? "ContentUri" : "Content";

	get_str(c, r, build_method_node(raw), "BuildMethod", &r->build_method);
	get_list(c, r, member(props, "CompatibleRuntimes"), "CompatibleRuntimes", &r->runtimes,
		 &r->runtimes_nr);
	get_list(c, r, member(props, "CompatibleArchitectures"), "CompatibleArchitectures",
		 &r->architectures, &r->architectures_nr);
	set_source(c, r, prop, member(props, prop), NULL);
	r->code_syncable = !r->why_not && r->source_path;
}

static void build_state_machine(struct sctx *c, struct tmpl_resource *r)
{
	const cJSON *props = r->properties, *subs = member(props, "DefinitionSubstitutions");
	const char *prop = is_serverless(r->type) ? "DefinitionUri" : "DefinitionS3Location";
	const cJSON *def = member(props, "Definition"), *uri = member(props, prop);
	size_t n = 0;

	if (cJSON_IsObject(def) && !is_intrinsic(def))
		r->definition = def;
	get_str(c, r, member(props, "DefinitionString"), "DefinitionString", &r->definition_string);
	if (cJSON_IsObject(subs)) {
		size_t size = (size_t)cJSON_GetArraySize(subs) + 1;

		r->substitution_names = xcalloc(size, sizeof(*r->substitution_names));
		r->substitutions = xcalloc(size, sizeof(*r->substitutions));
		for (const cJSON *s = subs->child; s; s = s->next, n++) {
			r->substitution_names[n] = xstrdup(s->string);
			get_str(c, r, s, s->string, &r->substitutions[n]);
		}
		r->substitutions_nr = n;
	}
	if (uri) {
		set_source(c, r, prop, uri, NULL);
	} else {
		r->source_property = prop;
		r->source.loc = r->loc;
		if (!r->definition && !r->definition_string.value)
			r->why_not = xstrdup(r->definition_string.unresolved
						     ? "its DefinitionString does not resolve locally"
						     : "it has no local definition");
	}
	r->code_syncable = !r->why_not;
}

static void build_api(struct sctx *c, struct tmpl_resource *r)
{
	const cJSON *uri = member(r->properties, "DefinitionUri");

	if (uri) {
		set_source(c, r, "DefinitionUri", uri, NULL);
	} else {
		r->source_property = "DefinitionUri";
		r->source.loc = r->loc;
		r->why_not = xstrdup("it has no local DefinitionUri (DefinitionBody or events "
				     "define it)");
	}
	r->code_syncable = !r->why_not;
}

static int build_template(struct sctx *c, const cJSON *passed);

static int fail_loc(struct sctx *c, const struct tmpl_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_loc(struct sctx *c, const struct tmpl_loc *loc, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	tmpl_loc_format(loc, &sb);
	strbuf_adds(&sb, ": ");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	aws_error_set(c->err, AWSX_EFAIL, "%s", sb.buf);
	strbuf_release(&sb);
	return -AWSX_EFAIL;
}

/* A nested stack with a local template: load it and add its resources. */
static int build_stack(struct sctx *c, size_t ri)
{
	struct tmpl_model *m = c->m;
	struct tmpl_resource *r = &m->resources[ri];
	struct tmpl_loc loc = r->source.loc;
	const char **chain = NULL;
	char *real = NULL, *path = xstrdup(r->source_path), *id = xstrdup(r->id);
	const cJSON *passed = member(r->properties, "Parameters");
	struct tmpl_doc *doc = NULL;
	struct sctx child;
	int rc;

	if (c->depth + 1 >= MAX_STACK_DEPTH) {
		rc = fail_loc(c, &loc, "nested stack '%s' is more than %u levels deep", id,
			      MAX_STACK_DEPTH);
		goto out;
	}
	if (!(real = realpath(path, NULL))) {
		rc = fail_loc(c, &loc, "cannot read template '%s': %s", path, strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i <= c->depth; i++) {
		if (!strcmp(c->chain[i], real)) {
			rc = fail_loc(c, &loc,
				      "nested stack '%s' loads '%s', which is already being loaded "
				      "(a cycle)",
				      id, path);
			goto out;
		}
	}
	if ((rc = tmpl_load_file(path, &doc, c->err))) {
		if (str_starts_with(c->err->message, "cannot read template")) {
			char *msg = xstrdup(c->err->message);

			fail_loc(c, &loc, "%s", msg);
			free(msg);
		}
		goto out;
	}
	ALLOC_GROW(m->docs, m->docs_nr + 1, m->docs_alloc);
	m->docs[m->docs_nr++] = doc;
	chain = xmalloc((c->depth + 2) * sizeof(*chain));
	memcpy(chain, c->chain, (c->depth + 1) * sizeof(*chain));
	chain[c->depth + 1] = real;
	memset(&child, 0, sizeof(child));
	child.m = m;
	child.doc = doc;
	child.stack = id;
	child.opts = c->opts;
	child.chain = chain;
	child.depth = c->depth + 1;
	child.nodes = c->nodes;
	child.err = c->err;
	rc = build_template(&child, passed);
	if (!rc)
		m->resources[ri].code_syncable = 1;
out:
	free(chain);
	free(real);
	free(path);
	free(id);
	return rc;
}

static int kind_of(const char *type, enum tmpl_kind *kind)
{
	static const struct {
		const char *type;
		enum tmpl_kind kind;
	} kinds[] = {
		{ "AWS::Serverless::Function", TMPL_FUNCTION },
		{ "AWS::Lambda::Function", TMPL_FUNCTION },
		{ "AWS::Serverless::LayerVersion", TMPL_LAYER },
		{ "AWS::Lambda::LayerVersion", TMPL_LAYER },
		{ "AWS::Serverless::StateMachine", TMPL_STATE_MACHINE },
		{ "AWS::StepFunctions::StateMachine", TMPL_STATE_MACHINE },
		{ "AWS::Serverless::Api", TMPL_REST_API },
		{ "AWS::Serverless::HttpApi", TMPL_HTTP_API },
		{ "AWS::Serverless::Application", TMPL_STACK },
		{ "AWS::CloudFormation::Stack", TMPL_STACK },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(type, kinds[i].type)) {
			*kind = kinds[i].kind;
			return 1;
		}
	}
	return 0;
}

/* Properties after Globals and resolution; never NULL. */
static int resource_properties(struct sctx *c, const cJSON *res, const char *type, cJSON **out)
{
	const cJSON *props = member(res, "Properties"), *gsec = NULL;
	const char *section = globals_section_for(type);
	cJSON *merged = NULL;
	struct tmpl_pos v, k;
	int rc;

	*out = NULL;
	if (props && !cJSON_IsObject(props))
		return fail_at(c, props, 0, "the Properties of '%s' must be a mapping", res->string);
	if (is_serverless(type) && section)
		gsec = member(c->globals, section);
	if (gsec)
		merged = merge(c, gsec, props, section, 1);
	if (merged || props)
		rc = resolve(c, merged ? merged : props, 1, out);
	else
		rc = 0;
	cJSON_Delete(merged);
	if (rc)
		return rc;
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = cJSON_CreateObject();
		tmpl_doc_pos(c->doc, res, &v, &k);
		track(c, *out, v, k);
	}
	return 0;
}

static int build_resource(struct sctx *c, const cJSON *res)
{
	struct tmpl_model *m = c->m;
	const cJSON *type = member(res, "Type"), *cond = member(res, "Condition");
	struct tmpl_resource *r;
	enum tmpl_kind kind;
	cJSON *props = NULL;
	int rc;

	if (!cJSON_IsObject(res))
		return fail_at(c, res, 1, "resource '%s' must be a mapping", res->string);
	if (!cJSON_IsString(type))
		return fail_at(c, type ? type : res, !type, "resource '%s' has no Type",
			       res->string);
	if (!kind_of(type->valuestring, &kind))
		return 0;
	if (cJSON_IsString(cond)) {
		int v = cond_named(c, cond->valuestring, 0);

		if (v < -1)
			return v;
		if (v == 0)
			return 0; /* CloudFormation does not create it */
	}
	if ((rc = resource_properties(c, res, type->valuestring, &props)))
		return rc;
	ALLOC_GROW(m->resources, m->nr + 1, m->alloc);
	r = &m->resources[m->nr++];
	memset(r, 0, sizeof(*r));
	r->logical_id = xstrdup(res->string);
	r->stack = xstrdup(c->stack);
	r->id = *c->stack ? xstrfmt("%s/%s", c->stack, res->string) : xstrdup(res->string);
	r->type = xstrdup(type->valuestring);
	r->kind = kind;
	r->loc = loc_of(c, res, 1);
	r->doc = c->doc;
	r->properties = props;
	switch (kind) {
	case TMPL_FUNCTION:
		build_function(c, r, res);
		break;
	case TMPL_LAYER:
		build_layer(c, r, res);
		break;
	case TMPL_STATE_MACHINE:
		build_state_machine(c, r);
		break;
	case TMPL_REST_API:
	case TMPL_HTTP_API:
		build_api(c, r);
		break;
	case TMPL_STACK:
		if (!strcmp(r->type, "AWS::Serverless::Application")) {
			const cJSON *l = member(props, "Location");

			if (cJSON_IsObject(l) && !has_intrinsic(l)) {
				r->source_property = "Location";
				get_str(c, r, l, "Location", &r->source);
				free(r->source.unresolved);
				r->source.unresolved = NULL;
				r->why_not = xstrdup("the application comes from the Serverless "
						     "Application Repository");
			} else {
				set_source(c, r, "Location", l, NULL);
			}
		} else {
			set_source(c, r, "TemplateURL", member(props, "TemplateURL"), NULL);
		}
		if (r->source_path)
			return build_stack(c, m->nr - 1);
		break;
	}
	return 0;
}

static int build_template(struct sctx *c, const cJSON *passed)
{
	const cJSON *root = tmpl_doc_root(c->doc);
	int rc;

	c->mappings = member(root, "Mappings");
	c->conditions = member(root, "Conditions");
	c->resources = member(root, "Resources");
	c->globals = member(root, "Globals");
	if (c->mappings && !cJSON_IsObject(c->mappings))
		return fail_at(c, c->mappings, 0, "'Mappings' must be a mapping");
	if (c->conditions && !cJSON_IsObject(c->conditions))
		return fail_at(c, c->conditions, 0, "'Conditions' must be a mapping");
	if (c->resources && !cJSON_IsObject(c->resources))
		return fail_at(c, c->resources, 0, "'Resources' must be a mapping");
	c->cond_nr = c->conditions ? (size_t)cJSON_GetArraySize(c->conditions) : 0;
	c->cond_state = xcalloc(c->cond_nr + 1, 1);
	if ((rc = load_params(c, passed)) || (rc = check_globals(c)))
		goto out;
	for (const cJSON *res = c->resources ? c->resources->child : NULL; res; res = res->next)
		if ((rc = build_resource(c, res)))
			goto out;
out:
	for (size_t i = 0; i < c->params_nr; i++) {
		cJSON_Delete(c->params[i].value);
		free(c->params[i].why);
	}
	free(c->params);
	free(c->cond_state);
	return rc;
}

/* ---- the public entry points ---- */

int tmpl_model_build(struct tmpl_doc *root, const struct tmpl_options *opts,
		     struct tmpl_model **out, struct aws_error *err)
{
	static const struct tmpl_options no_options;
	struct tmpl_model *m = xcalloc(1, sizeof(*m));
	char *real = realpath(tmpl_doc_path(root), NULL);
	const char *chain[1];
	size_t nodes = 0;
	struct sctx c;
	int rc;

	*out = NULL;
	ALLOC_GROW(m->docs, 1, m->docs_alloc);
	m->docs[m->docs_nr++] = root;
	chain[0] = real ? real : tmpl_doc_path(root);
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.doc = root;
	c.stack = "";
	c.opts = opts ? opts : &no_options;
	c.is_root = 1;
	c.chain = chain;
	c.nodes = &nodes;
	c.err = err;
	rc = build_template(&c, NULL);
	free(real);
	if (rc)
		tmpl_model_free(m);
	else
		*out = m;
	return rc;
}

int tmpl_model_load(const char *path, const struct tmpl_options *opts, struct tmpl_model **out,
		    struct aws_error *err)
{
	struct tmpl_doc *doc;
	int rc;

	*out = NULL;
	if ((rc = tmpl_load_file(path, &doc, err)))
		return rc;
	return tmpl_model_build(doc, opts, out, err);
}

static void str_release(struct tmpl_str *s)
{
	free(s->value);
	free(s->unresolved);
}

static void strs_free(struct tmpl_str *items, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		str_release(&items[i]);
	free(items);
}

void tmpl_model_free(struct tmpl_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr; i++) {
		struct tmpl_resource *r = &m->resources[i];

		free(r->id);
		free(r->logical_id);
		free(r->stack);
		free(r->type);
		cJSON_Delete(r->properties);
		str_release(&r->source);
		free(r->source_path);
		free(r->why_not);
		str_release(&r->handler);
		str_release(&r->runtime);
		str_release(&r->build_method);
		str_release(&r->auto_publish_alias);
		str_release(&r->package_type);
		strs_free(r->architectures, r->architectures_nr);
		strs_free(r->runtimes, r->runtimes_nr);
		for (size_t j = 0; j < r->layers_nr; j++) {
			free(r->layers[j].layer_id);
			str_release(&r->layers[j].arn);
		}
		free(r->layers);
		str_release(&r->definition_string);
		for (size_t j = 0; j < r->substitutions_nr; j++)
			free(r->substitution_names[j]);
		free(r->substitution_names);
		strs_free(r->substitutions, r->substitutions_nr);
	}
	free(m->resources);
	for (size_t i = 0; i < m->docs_nr; i++)
		tmpl_doc_free(m->docs[i]);
	free(m->docs);
	free(m);
}

const struct tmpl_resource *tmpl_model_find(const struct tmpl_model *m, const char *id)
{
	for (size_t i = 0; i < m->nr; i++)
		if (!strcmp(m->resources[i].id, id))
			return &m->resources[i];
	return NULL;
}
