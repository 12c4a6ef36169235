/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.c: turn one template resource into what its sync sends: the
 * package of a function or layer (staged sources, dependencies, makefile
 * artifacts), or the definition of a state machine or API.  Every step is
 * cached (stage.c, deps.c, package.c), so a build where nothing changed
 * costs a stat per source file and reads a few small JSON files.
 */
#include "sync/build.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/fs.h"
#include "sync/run.h"

void sync_built_release(struct sync_built *b)
{
	sync_package_release(&b->code);
	sync_package_release(&b->layer);
	sync_deps_release(&b->deps);
	free(b->definition);
	memset(b, 0, sizeof(*b));
}

/* "template.yaml:12:7: " for messages about a property, or "" */
static void where(const struct tmpl_loc *loc, struct strbuf *out)
{
	if (loc && loc->file) {
		tmpl_loc_format(loc, out);
		strbuf_adds(out, ": ");
	}
}

static void tree_add(struct sync_tree *t, const struct sync_file *f, const char *strip,
		     const char *add)
{
	const char *name = f->name;
	if (strip && str_starts_with(name, strip))
		name += strlen(strip);
	ALLOC_GROW(t->files, t->nr + 1, t->alloc);
	struct sync_file *n = &t->files[t->nr++];
	*n = *f;
	n->reuse = NULL;
	n->name = xstrfmt("%s%s", add ? add : "", name);
	n->path = xstrdup(f->path);
	t->total_size += f->size;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct sync_file *)a)->name, ((const struct sync_file *)b)->name);
}

/* Sort by name; of two files with one name the first added wins (the code over deps). */
static void tree_finish(struct sync_tree *t)
{
	/* a stable order for equal names: qsort is not stable, so number them first */
	for (size_t i = 0; i < t->nr; i++)
		t->files[i].ctime_ns = (int64_t)i;
	qsort(t->files, t->nr, sizeof(*t->files), cmp_file);
	size_t out = 0;
	for (size_t i = 0; i < t->nr; i++) {
		size_t best = i;
		while (i + 1 < t->nr && !strcmp(t->files[i + 1].name, t->files[best].name)) {
			i++;
			if (t->files[i].ctime_ns < t->files[best].ctime_ns) {
				struct sync_file tmp = t->files[best];
				t->files[best] = t->files[i];
				t->files[i] = tmp;
			}
			t->total_size -= t->files[i].size;
			free(t->files[i].name);
			free(t->files[i].path);
		}
		t->files[out++] = t->files[best];
	}
	t->nr = out;
}

static const char *arch_of(const struct tmpl_resource *r)
{
	if (r->architectures_nr && r->architectures[0].value)
		return r->architectures[0].value;
	return "x86_64";
}

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The runtime whose dependencies a resource installs: BuildMethod, else Runtime. */
static const char *deps_runtime(const struct tmpl_resource *r)
{
	const char *bm = r->build_method.value;
	if (bm && (str_starts_with(bm, "python") || str_starts_with(bm, "nodejs")))
		return bm;
	if (r->kind == TMPL_FUNCTION && !bm)
		return r->runtime.value;
	return NULL;
}

/* A makefile build: make build-<LogicalId> in a scratch copy, ARTIFACTS_DIR = the build folder. */
static int build_makefile(const struct sync_build_options *o, const struct tmpl_resource *r,
			  const char *base, struct sync_ignore *ig, struct sync_tree *out,
			  struct aws_error *err)
{
	char *scratch = xstrfmt("%s.src", base), *scratch_cache = xstrfmt("%s.src.json", base);
	char *list = xstrfmt("%s.make.json", base), *makefile = NULL, *log = NULL;
	char *artifacts = NULL, *env = NULL, *target = NULL;
	struct sync_tree src = SYNC_TREE_INIT;
	char id[65], *last = NULL;
	int rc;

	rc = sync_stage(r->source_path, sync_exclude_ignore, ig, scratch, scratch_cache, &src,
			NULL, err);
	if (rc)
		goto out;
	makefile = xstrfmt("%s/Makefile", scratch);
	struct stat st;
	if (stat(makefile, &st)) {
		struct strbuf msg = STRBUF_INIT;
		where(&r->build_method.loc, &msg);
		rc = aws_error_set(err, AWSX_EFAIL,
				   "%s%s uses BuildMethod makefile but '%s' has no Makefile",
				   msg.buf, r->id, r->source_path);
		strbuf_release(&msg);
		goto out;
	}
	sync_tree_id(&src, id);
	/* the artifacts of the same sources are still there: no make */
	struct strbuf text = STRBUF_INIT;
	if (!strbuf_read_file(&text, list, 1u << 20))
		last = xstrndup(text.buf, text.len);
	strbuf_release(&text);
	char *files = xstrfmt("%s.files.json", base);
	if (last && !strcmp(last, id) && is_dir(base) && !sync_files_load(files, base, out)) {
		free(files);
		goto out;
	}
	sync_tree_release(out);
	*out = (struct sync_tree)SYNC_TREE_INIT;

	artifacts = realpath(base, NULL);
	if ((rc = fs_remove_tree(base, err)) || (rc = fs_mkdir_p(base, 0755, err))) {
		free(files);
		goto out;
	}
	free(artifacts);
	artifacts = realpath(base, NULL);
	env = xstrfmt("ARTIFACTS_DIR=%s", artifacts ? artifacts : base);
	target = xstrfmt("build-%s", r->logical_id);
	log = xstrfmt("%s.make.log", base);
	const char *argv[] = {"make", "-f", "Makefile", target, NULL};
	const char *envv[] = {env, NULL};
	if (o->progress)
		fprintf(o->progress, "running make %s for %s\n", target, r->id);
	rc = sync_run_tool(argv, scratch, envv, log, err);
	if (!rc)
		rc = sync_tree_collect(out, base, NULL, NULL, err);
	for (size_t i = 0; i < out->nr && !rc; i++) {
		rc = sync_hash_file(out->files[i].path, out->files[i].sha256, err);
		out->files[i].hashed = 1;
	}
	if (!rc)
		rc = sync_files_save(files, out, err);
	if (!rc)
		rc = fs_write_atomic(list, id, 64, 0644, 0, err);
	free(files);
out:
	sync_tree_release(&src);
	free(scratch);
	free(scratch_cache);
	free(list);
	free(makefile);
	free(log);
	free(artifacts);
	free(env);
	free(target);
	free(last);
	return rc;
}

static int build_code(const struct sync_build_options *o, const struct tmpl_resource *r,
		      struct sync_built *b, struct aws_error *err)
{
	const char *bm = r->build_method.value, *src = r->source_path;
	const char *runtime = r->kind == TMPL_FUNCTION ? r->runtime.value : bm;
	struct sync_ignore ig = SYNC_IGNORE_INIT;
	struct sync_tree staged = SYNC_TREE_INIT, tree = SYNC_TREE_INIT;
	struct strbuf msg = STRBUF_INIT;
	char *base = xstrfmt("%s/build/%s", o->awsx_dir, r->id), *path = NULL;
	struct stat st;
	int rc = 0;

	where(&r->source.loc, &msg);
	if (stat(src, &st)) {
		rc = aws_error_set(err, AWSX_EFAIL, "%s%s of %s: '%s' does not exist", msg.buf,
				   r->source_property, r->id, src);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		/* a ready-made package (CodeUri: app.zip): sent as it is */
		b->code.zip_path = xstrdup(src);
		b->code.zip_size = (uint64_t)st.st_size;
		rc = sync_sha256_file_base64(src, b->code.sha256_b64, err);
		goto out;
	}
	if (bm && strcmp(bm, "makefile") && !str_starts_with(bm, "python") &&
	    !str_starts_with(bm, "nodejs")) {
		strbuf_reset(&msg);
		where(&r->build_method.loc, &msg);
		rc = aws_error_set(err, AWSX_EFAIL,
				   "%sBuildMethod '%s' of %s is not supported by awsx: use "
				   "BuildMethod makefile (make build-%s) or a python / nodejs runtime",
				   msg.buf, bm, r->id, r->logical_id);
		goto out;
	}
	if ((rc = sync_ignore_add_defaults(&ig, runtime)))
		goto out;
	{
		/* dependencies come from package.json's install, never from a local node_modules */
		struct strbuf manifest = STRBUF_INIT;
		strbuf_addf(&manifest, "%s/package.json", src);
		if (runtime && str_starts_with(runtime, "nodejs") && !access(manifest.buf, F_OK))
			rc = sync_ignore_add_line(&ig, "/node_modules/", "awsx", 0, err);
		strbuf_release(&manifest);
		if (rc)
			goto out;
	}
	if (o->progress && !bm && runtime &&
	    (str_starts_with(runtime, "java") || str_starts_with(runtime, "dotnet") ||
	     str_starts_with(runtime, "go")))
		fprintf(o->progress,
			"note: %s: awsx has no builder for %s: its %s folder is zipped as it is "
			"(use Metadata BuildMethod: makefile to build it)\n",
			r->id, runtime, r->source_property);
	{
		size_t n = strlen(src);
		while (n > 1 && src[n - 1] == '/')
			n--;
		path = xstrfmt("%.*s/.awsxignore", (int)n, src);
	}
	if ((rc = sync_ignore_add_file(&ig, path, err)))
		goto out;
	{
		char *parent = strrchr(base, '/');
		*parent = '\0';
		rc = fs_mkdir_p(base, 0755, err);
		*parent = '/';
		if (rc)
			goto out;
	}

	if (bm && !strcmp(bm, "makefile")) {
		rc = build_makefile(o, r, base, &ig, &staged, err);
	} else {
		char *cache = xstrfmt("%s.stage.json", base);
		rc = sync_stage(src, sync_exclude_ignore, &ig, base, cache, &staged, &b->stage, err);
		free(cache);
		const char *dr = deps_runtime(r);
		if (!rc && dr)
			rc = sync_deps_prepare(o->awsx_dir, src, dr, arch_of(r), o->progress,
					       &b->deps, err);
	}
	if (rc)
		goto out;

	/* what goes in the package, and with which names */
	const char *prefix = NULL;
	if (r->kind == TMPL_LAYER && bm && str_starts_with(bm, "python"))
		prefix = "python/";
	else if (r->kind == TMPL_LAYER && bm && str_starts_with(bm, "nodejs"))
		prefix = "nodejs/";
	for (size_t i = 0; i < staged.nr; i++)
		tree_add(&tree, &staged.files[i], NULL, prefix);
	if (b->deps.kind != SYNC_DEPS_NONE && b->deps.files.nr) {
		/* (an empty requirements.txt installs nothing: no layer then) */
		if (r->kind == TMPL_FUNCTION && o->dependency_layer) {
			char *zip = xstrfmt("%s.zip", b->deps.dir);
			b->has_layer = 1;
			rc = sync_package_zip(&b->deps.files, zip, o->threads, &b->layer, err);
			free(zip);
		} else {
			/* in the package itself: at the root where the runtime looks */
			const char *strip = r->kind == TMPL_FUNCTION ? (b->deps.kind == SYNC_DEPS_PIP ? "python/" : "nodejs/") : NULL;
			for (size_t i = 0; i < b->deps.files.nr; i++)
				tree_add(&tree, &b->deps.files.files[i], strip, NULL);
		}
	}
	tree_finish(&tree);
	if (!rc) {
		char *zip = xstrfmt("%s.zip", base);
		rc = sync_package_zip(&tree, zip, o->threads, &b->code, err);
		free(zip);
	}
out:
	sync_ignore_release(&ig);
	sync_tree_release(&staged);
	sync_tree_release(&tree);
	strbuf_release(&msg);
	free(base);
	free(path);
	return rc;
}

/* The first intrinsic function in a definition (only CloudFormation resolves them). */
static const cJSON *find_intrinsic(const cJSON *j)
{
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(j) && c->string &&
		    (!strcmp(c->string, "Ref") || str_starts_with(c->string, "Fn::")) &&
		    !j->child->next)
			return c;
		const cJSON *f = find_intrinsic(c);
		if (f)
			return f;
	}
	return NULL;
}

/* Replace every ${name} of the state machine's DefinitionSubstitutions in text. */
static int substitute(const struct tmpl_resource *r, struct strbuf *text, struct aws_error *err)
{
	for (size_t i = 0; i < r->substitutions_nr; i++) {
		char *pat = xstrfmt("${%s}", r->substitution_names[i]);
		const struct tmpl_str *v = &r->substitutions[i];
		struct strbuf out = STRBUF_INIT;
		const char *p = text->buf, *hit;
		int found = 0;
		while ((hit = strstr(p, pat))) {
			found = 1;
			strbuf_add(&out, p, (size_t)(hit - p));
			if (v->value) {
				/* inside a JSON string: escape as JSON would */
				cJSON *s = cJSON_CreateString(v->value);
				char *q = cJSON_PrintUnformatted(s);
				strbuf_add(&out, q + 1, strlen(q) - 2);
				cJSON_free(q);
				cJSON_Delete(s);
			}
			p = hit + strlen(pat);
		}
		strbuf_adds(&out, p);
		if (found && !v->value) {
			struct strbuf msg = STRBUF_INIT;
			where(&v->loc, &msg);
			aws_error_set(err, AWSX_EFAIL,
				      "%sthe definition of %s uses ${%s}, whose value %s: a code "
				      "sync cannot update it, run a full sync (awsx sync without "
				      "--code)",
				      msg.buf, r->id, r->substitution_names[i],
				      v->unresolved ? v->unresolved : "is not known locally");
			strbuf_release(&msg);
			strbuf_release(&out);
			free(pat);
			return -AWSX_EFAIL;
		}
		strbuf_release(text);
		*text = out;
		free(pat);
	}
	return 0;
}

/* The definition text of a state machine written in the template itself (Definition, DefinitionString). */
static int inline_definition(const struct tmpl_resource *r, struct strbuf *text,
			     struct aws_error *err)
{
	struct strbuf msg = STRBUF_INIT;
	const cJSON *intr = r->definition ? find_intrinsic(r->definition) : NULL;
	if (intr || (!r->definition && !r->definition_string.value)) {
		struct tmpl_pos pos = {0, 0}, key = {0, 0};
		if (intr)
			tmpl_doc_pos(r->doc, intr, &pos, &key);
		struct tmpl_loc loc = {tmpl_doc_path(r->doc), key.line, key.col};
		where(intr ? &loc : &r->loc, &msg);
		aws_error_set(err, AWSX_EFAIL,
			      "%sthe definition of %s %s, which only CloudFormation resolves: run a "
			      "full sync (awsx sync without --code)",
			      msg.buf, r->id, intr ? "uses an intrinsic function" : "does not resolve");
		strbuf_release(&msg);
		return -AWSX_EFAIL;
	}
	if (r->definition) {
		char *s = cJSON_PrintUnformatted(r->definition);
		strbuf_adds(text, s);
		cJSON_free(s);
		return 0;
	}
	/* DefinitionString: JSON text, compared in the same canonical form as the deployed one */
	cJSON *parsed = cJSON_Parse(r->definition_string.value);
	char *s = parsed ? cJSON_PrintUnformatted(parsed) : NULL;
	strbuf_adds(text, s ? s : r->definition_string.value);
	cJSON_free(s);
	cJSON_Delete(parsed);
	return 0;
}

static void definition_hash(struct sync_built *b, struct strbuf *text)
{
	unsigned char sha[32];
	unsigned int n = 0;
	struct strbuf hex = STRBUF_INIT;
	EVP_Digest(text->buf, text->len, sha, &n, EVP_sha256(), NULL);
	strbuf_addhex(&hex, sha, 32);
	memcpy(b->definition_sha, hex.buf, 65);
	strbuf_release(&hex);
	b->definition = strbuf_detach(text, NULL);
}

static int build_definition(const struct tmpl_resource *r, struct sync_built *b,
			    struct aws_error *err)
{
	struct tmpl_doc *doc = NULL;
	struct strbuf text = STRBUF_INIT;
	int rc;

	if (!r->source_path && r->kind == TMPL_STATE_MACHINE) {
		rc = inline_definition(r, &text, err);
		if (!rc)
			rc = substitute(r, &text, err);
		if (!rc)
			definition_hash(b, &text);
		strbuf_release(&text);
		return rc;
	}
	rc = tmpl_load_file(r->source_path, &doc, err);
	if (rc) {
		struct strbuf msg = STRBUF_INIT;
		where(&r->source.loc, &msg);
		if (!access(r->source_path, F_OK)) {
			strbuf_release(&msg);
			return rc;
		}
		aws_error_set(err, AWSX_EFAIL, "%s%s of %s: '%s' does not exist", msg.buf,
			      r->source_property, r->id, r->source_path);
		strbuf_release(&msg);
		return -AWSX_EFAIL;
	}
	const cJSON *intr = find_intrinsic(tmpl_doc_root(doc));
	if (intr) {
		struct tmpl_pos pos, key;
		tmpl_doc_pos(doc, intr, &pos, &key);
		rc = aws_error_set(err, AWSX_EFAIL,
				   "%s:%u:%u: the definition of %s uses %s, which only "
				   "CloudFormation resolves: run a full sync (awsx sync without --code)",
				   r->source_path, key.line, key.col, r->id, intr->string);
		goto out;
	}
	char *s = cJSON_PrintUnformatted(tmpl_doc_root(doc));
	strbuf_adds(&text, s);
	cJSON_free(s);
	if (r->kind == TMPL_STATE_MACHINE && (rc = substitute(r, &text, err)))
		goto out;
	definition_hash(b, &text);
out:
	strbuf_release(&text);
	tmpl_doc_free(doc);
	return rc;
}

int sync_awsx_dir(const struct tmpl_model *m, char **out, struct aws_error *err)
{
	char *dir = xstrfmt("%s/.awsx", tmpl_doc_dir(m->docs[0]));
	*out = NULL;
	if (fs_mkdir_p(dir, 0755, err)) {
		free(dir);
		return -AWSX_EFAIL;
	}
	char *abs = realpath(dir, NULL);
	if (abs) {
		free(dir);
		dir = abs;
	}
	*out = dir;
	return 0;
}

int sync_build_resource(const struct sync_build_options *opts, const struct tmpl_resource *res,
			struct sync_built *out, struct aws_error *err)
{
	memset(out, 0, sizeof(*out));
	out->res = res;
	if (!res->code_syncable)
		return aws_error_set(err, AWSX_EFAIL, "%s cannot be synced from local files: %s",
				     res->id, res->why_not ? res->why_not : "not supported");
	switch (res->kind) {
	case TMPL_FUNCTION:
	case TMPL_LAYER:
		return build_code(opts, res, out, err);
	case TMPL_STATE_MACHINE:
	case TMPL_REST_API:
	case TMPL_HTTP_API:
		return build_definition(res, out, err);
	default:
		return aws_error_set(err, AWSX_EFAIL, "%s has nothing to build", res->id);
	}
}
