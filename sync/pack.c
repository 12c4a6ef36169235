/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pack.c: what `sam package` does, for a full sync: every local artifact
 * (function and layer packages, state machine and API definitions, nested
 * templates) goes to S3 under a key made of its SHA-256, so what S3
 * already has is never uploaded again (HeadObject first), and each
 * template is rewritten as JSON to point at them, children before their
 * parents, the root last.
 *
 * The same pass computes each template's normalized form: the packaged
 * template with artifact locations and dependency layer versions replaced
 * by placeholders, and a nested stack's location by its child's
 * normalized hash (kept in the resource's Metadata, so the deployed
 * template carries it too).  Two templates with the same normalized form
 * differ only in code, which a code sync can push without CloudFormation.
 */
#include "sync/fullsync.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"

#define PACK_PLACEHOLDER "awsx:artifact"
#define PACK_META_KEY	 "awsx:template"

struct upload {
	char *key;
	struct strbuf body; /* the bytes, or empty with path set */
	char *path;
	int exists, done;
	struct aws_call call;
	struct pack_run *run;
};

struct pack_run {
	struct aws_batch *batch;
	const char *bucket;
	struct upload *u;
	size_t nr, alloc;
	struct aws_error err;
	int failed;
	size_t uploaded, present;
};

static void hex_sha(const void *data, size_t len, char out[65])
{
	unsigned char sha[32];
	unsigned int n = 0;
	struct strbuf hex = STRBUF_INIT;
	EVP_Digest(data, len, sha, &n, EVP_sha256(), NULL);
	strbuf_addhex(&hex, sha, 32);
	memcpy(out, hex.buf, 65);
	strbuf_release(&hex);
}

char *sync_s3_url(const char *region, const char *bucket, const char *key)
{
	if (!region || !strcmp(region, "us-east-1"))
		return xstrfmt("https://s3.amazonaws.com/%s/%s", bucket, key);
	return xstrfmt("https://s3.%s.amazonaws.com/%s/%s", region, bucket, key);
}

/* Queue an upload (the same key once); returns the key, owned by the run. */
static const char *queue(struct pack_run *run, const char *prefix, const char *sha_hex,
			 const char *ext, const char *path, const char *data, size_t len)
{
	char *key = xstrfmt("%s%s%s%s", prefix && *prefix ? prefix : "",
			    prefix && *prefix ? "/" : "", sha_hex, ext);
	for (size_t i = 0; i < run->nr; i++)
		if (!strcmp(run->u[i].key, key)) {
			free(key);
			return run->u[i].key;
		}
	ALLOC_GROW(run->u, run->nr + 1, run->alloc);
	struct upload *u = &run->u[run->nr++];
	memset(u, 0, sizeof(*u));
	u->key = key;
	strbuf_init(&u->body, 0);
	if (data)
		strbuf_add(&u->body, data, len);
	u->path = path ? xstrdup(path) : NULL;
	return u->key;
}

/* ---- the template rewrite ---- */

static cJSON *s3_ref(const char *bucket_name, const char *key_name, const char *bucket,
		     const char *key)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, bucket_name, bucket);
	cJSON_AddStringToObject(o, key_name, key);
	return o;
}

static void set_prop(cJSON *props, const char *name, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(props, name))
		cJSON_ReplaceItemInObjectCaseSensitive(props, name, value);
	else
		cJSON_AddItemToObject(props, name, value);
}

static cJSON *props_of(cJSON *doc, const char *logical_id)
{
	cJSON *res = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "Resources"), logical_id);
	cJSON *props = cJSON_GetObjectItemCaseSensitive(res, "Properties");
	if (!props && res)
		props = cJSON_AddObjectToObject(res, "Properties");
	return props;
}

/* A function's own Layers list with the dependency layer version added. */
static void add_dep_layer(cJSON *props, const char *arn, const char *id, FILE *warn)
{
	cJSON *layers = cJSON_GetObjectItemCaseSensitive(props, "Layers");
	if (!layers)
		layers = cJSON_AddArrayToObject(props, "Layers");
	if (!cJSON_IsArray(layers)) {
		if (warn)
			fprintf(warn, "note: %s: its Layers is not a plain list: the dependency "
				      "layer is added by the code sync only\n", id);
		return;
	}
	cJSON_AddItemToArray(layers, cJSON_CreateString(arn));
}

static int is_dep_layer_arn(const char *s)
{
	return s && strstr(s, ":layer:") && strstr(s, "-deps:");
}

/* The normalized form of a packaged template (see the header comment). */
cJSON *sync_template_normalize(const cJSON *packaged, const char *bucket)
{
	static const char *const locations[] = {"CodeUri",	 "Code",	  "ContentUri",
						"Content",	 "DefinitionUri", "DefinitionS3Location",
						"TemplateURL",	 "Location",	  "BodyS3Location"};
	cJSON *doc = cJSON_Duplicate(packaged, 1);
	cJSON *res, *resources = cJSON_GetObjectItemCaseSensitive(doc, "Resources");
	cJSON_ArrayForEach(res, resources)
	{
		cJSON *props = cJSON_GetObjectItemCaseSensitive(res, "Properties");
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "Type"));
		int stack = type && (!strcmp(type, "AWS::CloudFormation::Stack") ||
				     !strcmp(type, "AWS::Serverless::Application"));
		for (size_t i = 0; i < ARRAY_SIZE(locations); i++) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(props, locations[i]);
			/* only locations in our bucket: a user's own S3 location stays compared */
			int ours = 0;
			if (cJSON_IsString(v)) {
				char *needle = xstrfmt("/%s/", bucket);
				ours = str_starts_with(v->valuestring, "https://") &&
				       strstr(v->valuestring, needle);
				free(needle);
			} else if (cJSON_IsObject(v)) {
				const char *b = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(v, "Bucket"));
				if (!b)
					b = cJSON_GetStringValue(
					    cJSON_GetObjectItemCaseSensitive(v, "S3Bucket"));
				ours = b && !strcmp(b, bucket);
			}
			if (v && ours && (!stack || cJSON_GetObjectItemCaseSensitive(
							   cJSON_GetObjectItemCaseSensitive(res, "Metadata"),
							   PACK_META_KEY)))
				cJSON_ReplaceItemInObjectCaseSensitive(
				    props, locations[i], cJSON_CreateString(PACK_PLACEHOLDER));
		}
		cJSON *layers = cJSON_GetObjectItemCaseSensitive(props, "Layers");
		for (int i = cJSON_GetArraySize(layers) - 1; i >= 0; i--)
			if (is_dep_layer_arn(cJSON_GetStringValue(cJSON_GetArrayItem(layers, i))))
				cJSON_DeleteItemFromArray(layers, i);
		if (cJSON_IsArray(layers) && !cJSON_GetArraySize(layers))
			cJSON_DeleteItemFromObjectCaseSensitive(props, "Layers");
	}
	return doc;
}

/* The built resource for r, or NULL. */
static const struct sync_built *built_for(const struct sync_pack_options *o,
					  const struct tmpl_resource *r, size_t *index)
{
	for (size_t i = 0; i < o->nbuilt; i++)
		if (o->built[i].res == r) {
			*index = i;
			return &o->built[i];
		}
	return NULL;
}

/* The document a nested stack resource loaded. */
static size_t child_doc(const struct tmpl_model *m, const struct tmpl_resource *stack)
{
	for (size_t i = 0; i < m->nr; i++)
		if (!strcmp(m->resources[i].stack, stack->id))
			for (size_t d = 0; d < m->docs_nr; d++)
				if (m->docs[d] == m->resources[i].doc)
					return d;
	return (size_t)-1;
}

struct doc_out {
	char *url;
	char norm_sha[65];
	int done;
};

static int pack_doc(const struct tmpl_model *m, size_t d, const struct sync_pack_options *o,
		    struct pack_run *run, struct doc_out *docs, struct aws_error *err);

static int rewrite_resource(const struct tmpl_model *m, const struct tmpl_resource *r,
			    cJSON *doc, const struct sync_pack_options *o, struct pack_run *run,
			    struct doc_out *docs, struct aws_error *err)
{
	int serverless = str_starts_with(r->type, "AWS::Serverless::");
	cJSON *props = props_of(doc, r->logical_id);
	size_t bi = 0;
	const struct sync_built *b = built_for(o, r, &bi);

	if (!props)
		return 0;
	if (r->kind == TMPL_STACK) {
		if (!r->source_path)
			return 0;
		size_t cd = child_doc(m, r);
		if (cd == (size_t)-1)
			return 0;
		if (!docs[cd].done && pack_doc(m, cd, o, run, docs, err))
			return -AWSX_EFAIL;
		set_prop(props, serverless ? "Location" : "TemplateURL",
			 cJSON_CreateString(docs[cd].url));
		cJSON *res = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(doc, "Resources"), r->logical_id);
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(res, "Metadata");
		if (!cJSON_IsObject(meta)) {
			cJSON_DeleteItemFromObjectCaseSensitive(res, "Metadata");
			meta = cJSON_AddObjectToObject(res, "Metadata");
		}
		set_prop(meta, PACK_META_KEY, cJSON_CreateString(docs[cd].norm_sha));
		return 0;
	}
	if (!b)
		return 0;
	if (r->kind == TMPL_FUNCTION || r->kind == TMPL_LAYER) {
		if (!b->code.zip_path)
			return 0;
		unsigned char raw[48];
		char hex[65];
		struct strbuf h = STRBUF_INIT;
		int n = EVP_DecodeBlock(raw, (const unsigned char *)b->code.sha256_b64, 44);
		strbuf_addhex(&h, raw, n >= 32 ? 32 : 0);
		memcpy(hex, h.buf, 65);
		strbuf_release(&h);
		const char *key = queue(run, o->prefix, hex, ".zip", b->code.zip_path, NULL, 0);
		if (r->kind == TMPL_FUNCTION)
			set_prop(props, serverless ? "CodeUri" : "Code",
				 serverless ? s3_ref("Bucket", "Key", o->bucket, key)
					    : s3_ref("S3Bucket", "S3Key", o->bucket, key));
		else
			set_prop(props, serverless ? "ContentUri" : "Content",
				 serverless ? s3_ref("Bucket", "Key", o->bucket, key)
					    : s3_ref("S3Bucket", "S3Key", o->bucket, key));
		if (r->kind == TMPL_FUNCTION && o->dep_layer_arns && o->dep_layer_arns[bi])
			add_dep_layer(props, o->dep_layer_arns[bi], r->id, o->progress);
		return 0;
	}
	/* definitions: the file as written; CloudFormation reads it from S3 */
	if (!r->source_path)
		return 0;
	struct strbuf text = STRBUF_INIT;
	if (strbuf_read_file(&text, r->source_path, 16u << 20)) {
		strbuf_release(&text);
		return aws_error_set(err, AWSX_EFAIL, "cannot read '%s': %s", r->source_path,
				     strerror(errno));
	}
	char hex[65];
	hex_sha(text.buf, text.len, hex);
	const char *dot = strrchr(r->source_path, '.');
	const char *key = queue(run, o->prefix, hex, dot && !strchr(dot, '/') ? dot : "",
				NULL, text.buf, text.len);
	strbuf_release(&text);
	if (r->kind == TMPL_STATE_MACHINE)
		set_prop(props, serverless ? "DefinitionUri" : "DefinitionS3Location",
			 s3_ref("Bucket", "Key", o->bucket, key));
	else
		set_prop(props, "DefinitionUri", s3_ref("Bucket", "Key", o->bucket, key));
	return 0;
}

static int pack_doc(const struct tmpl_model *m, size_t d, const struct sync_pack_options *o,
		    struct pack_run *run, struct doc_out *docs, struct aws_error *err)
{
	cJSON *doc = cJSON_Duplicate(tmpl_doc_root(m->docs[d]), 1);
	int rc = 0;

	docs[d].done = 1; /* (a cycle was refused when the model was built) */
	for (size_t i = 0; i < m->nr && !rc; i++)
		if (m->resources[i].doc == m->docs[d])
			rc = rewrite_resource(m, &m->resources[i], doc, o, run, docs, err);
	if (!rc) {
		char *text = cJSON_Print(doc), hex[65];
		cJSON *norm = sync_template_normalize(doc, o->bucket);
		char *ntext = cJSON_PrintUnformatted(norm);
		hex_sha(ntext, strlen(ntext), docs[d].norm_sha);
		hex_sha(text, strlen(text), hex);
		const char *key =
		    queue(run, o->prefix, hex, ".template.json", NULL, text, strlen(text));
		docs[d].url = sync_s3_url(o->region, o->bucket, key);
		if (d == 0) {
			o->out->template_body = xstrdup(text);
			o->out->normalized = norm;
			norm = NULL;
		}
		cJSON_Delete(norm);
		cJSON_free(ntext);
		cJSON_free(text);
	}
	cJSON_Delete(doc);
	return rc;
}

/* ---- uploads: HeadObject, then PutObject for what S3 does not have ---- */

static void on_put(struct aws_call *call, struct aws_response *resp, const struct aws_error *err,
		   int rc, void *ud)
{
	struct upload *u = ud;
	(void)call;
	(void)resp;
	if (rc && !u->run->failed) {
		u->run->failed = 1;
		u->run->err = *err;
	}
	if (!rc)
		u->run->uploaded++;
	strbuf_release(&u->body);
}

static void s3_call(struct upload *u, const char *op, const char *method)
{
	struct strbuf path = STRBUF_INIT;
	aws_call_release(&u->call);
	aws_call_init(&u->call, op);
	u->call.method = method;
	strbuf_addch(&path, '/');
	sigv4_uri_encode(&path, u->run->bucket, strlen(u->run->bucket), 0);
	strbuf_addch(&path, '/');
	sigv4_uri_encode(&path, u->key, strlen(u->key), 1);
	u->call.path = strbuf_detach(&path, NULL);
}

static void on_head(struct aws_call *call, struct aws_response *resp,
		    const struct aws_error *err, int rc, void *ud)
{
	struct upload *u = ud;
	(void)call;
	(void)resp;
	if (!rc) {
		u->run->present++;
		return;
	}
	if (err->http_status != 404) {
		if (!u->run->failed) {
			u->run->failed = 1;
			u->run->err = *err;
		}
		return;
	}
	if (u->path && strbuf_read_file(&u->body, u->path, 1u << 30)) {
		if (!u->run->failed) {
			u->run->failed = 1;
			aws_error_set(&u->run->err, AWSX_EFAIL, "cannot read '%s': %s", u->path,
				      strerror(errno));
		}
		return;
	}
	s3_call(u, "PutObject", "PUT");
	u->call.body = u->body.buf;
	u->call.body_len = u->body.len;
	aws_batch_add(u->run->batch, &aws_svc_s3, &u->call, on_put, u);
}

int sync_pack(struct aws_ctx *ctx, const struct tmpl_model *m, const struct sync_pack_options *o,
	      struct aws_error *err)
{
	struct pack_run run = {0};
	struct doc_out *docs = xcalloc(m->docs_nr + 1, sizeof(*docs));
	int rc;

	memset(o->out, 0, sizeof(*o->out));
	run.bucket = o->bucket;
	aws_error_clear(&run.err);
	rc = pack_doc(m, 0, o, &run, docs, err);
	if (!rc) {
		o->out->template_url = xstrdup(docs[0].url);
		memcpy(o->out->normalized_sha, docs[0].norm_sha, 65);
		run.batch = aws_batch_new(ctx, 8);
		for (size_t i = 0; i < run.nr; i++) {
			run.u[i].run = &run;
			s3_call(&run.u[i], "HeadObject", "HEAD");
			aws_batch_add(run.batch, &aws_svc_s3, &run.u[i].call, on_head, &run.u[i]);
		}
		rc = aws_batch_run(run.batch);
		aws_batch_free(run.batch);
		if (!rc && run.failed) {
			*err = run.err;
			rc = -(err->kind ? err->kind : AWSX_ESERVICE);
		}
		o->out->uploaded = run.uploaded;
		o->out->present = run.present;
	}
	for (size_t i = 0; i < run.nr; i++) {
		free(run.u[i].key);
		free(run.u[i].path);
		strbuf_release(&run.u[i].body);
		aws_call_release(&run.u[i].call);
	}
	free(run.u);
	for (size_t d = 0; d < m->docs_nr; d++)
		free(docs[d].url);
	free(docs);
	return rc;
}

void sync_packed_release(struct sync_packed *p)
{
	free(p->template_body);
	free(p->template_url);
	cJSON_Delete(p->normalized);
	memset(p, 0, sizeof(*p));
}
