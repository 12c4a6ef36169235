/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c: awsx-probe, a test-only driver of the aws/ core.  It performs
 * one call (or one paginated call, or makes one presigned URL) of any
 * service and protocol the core knows, so the integration tests can check
 * serialisation, signing, retries, error parsing and pagination of every
 * wire protocol against the verifying proxy, before a command uses them.
 *
 *   awsx-probe [options] SERVICE OPERATION [NAME=VALUE ...]
 *     NAME=VALUE      query/ec2: a parameter; json: a member of the body
 *                     (VALUE parsed as JSON when it is an object, array,
 *                     number, true/false, else a string)
 *     --method M --path P -q NAME=VALUE -H NAME:VALUE --body TEXT  (rest)
 *     --paginate IN:OUT[:MAX]   follow page tokens; prints "page N" lines
 *     --presign SECONDS         print a presigned URL instead of calling
 *     --batch N [--in-flight K] [--rate R]
 *                               run N copies of the call concurrently (at
 *                               most K on the wire, R starts per second);
 *                               prints "ok=<n> failed=<n>" and each error
 *     --region R --profile P --endpoint-url U --debug
 * Prints the answer body on stdout; an error as "awsx-probe: <line>" with
 * the error's kind as exit status (docs/exit-codes.md), and on stdout a
 * line "code=<AWS code> status=<HTTP status> attempts=<n>".
 *
 *   awsx-probe zip ROOT OUT
 *     zips every file under ROOT into OUT with sync/'s zip writer (no
 *     exclusions, one thread per CPU) and prints its CodeSha256; for the
 *     sync-zip benchmark (bench/run.py)
 */
#include "aws/aws.h"
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fputs("usage: awsx-probe [--method M] [--path P] [-q N=V] [-H N:V] [--body T]\n"
	      "                  [--paginate IN:OUT[:MAX]] [--presign SECONDS] [--region R]\n"
	      "                  [--profile P] [--endpoint-url U] [--debug] SERVICE OPERATION [N=V ...]\n",
	      stderr);
	return AWSX_EUSAGE;
}

static int print_page(const struct aws_response *resp, void *ud)
{
	int *n = ud;
	printf("page %d\n%s\n", ++*n, resp->body.buf);
	return 0;
}

struct batch_tally {
	int ok, failed;
};

static void on_batch_done(struct aws_call *call, struct aws_response *resp,
			  const struct aws_error *err, int rc, void *ud)
{
	struct batch_tally *t = ud;
	if (!rc) {
		t->ok++;
		return;
	}
	struct strbuf line = STRBUF_INIT;
	aws_error_format(err, &line);
	printf("error: %s\n", line.buf);
	strbuf_release(&line);
	t->failed++;
}

static void add_json_member(cJSON *obj, const char *name, const char *value)
{
	cJSON *v = NULL;
	if (strchr("{[-0123456789", value[0]) || !strcmp(value, "true") || !strcmp(value, "false"))
		v = cJSON_Parse(value);
	if (!v)
		v = cJSON_CreateString(value);
	cJSON_AddItemToObject(obj, name, v);
}

static int zip_tree(const char *root, const char *out)
{
	struct sync_tree tree = SYNC_TREE_INIT;
	struct sync_zip_result res = { 0 };
	struct aws_error err;
	int rc;

	aws_error_clear(&err);
	rc = sync_tree_collect(&tree, root, NULL, NULL, &err);
	if (!rc)
		rc = sync_zip_write(&tree, out, NULL, &res, &err);
	if (rc) {
		struct strbuf line = STRBUF_INIT;
		aws_error_format(&err, &line);
		fprintf(stderr, "awsx-probe: %s\n", line.buf);
		strbuf_release(&line);
	} else {
		printf("%s\n", res.sha256_b64);
	}
	sync_tree_release(&tree);
	return rc ? AWSX_EFAIL : 0;
}

int main(int argc, char **argv)
{
	struct aws_ctx_options opt = { 0 };
	struct aws_call call;
	struct aws_response resp;
	struct aws_error err;
	struct aws_ctx *ctx = NULL;
	const char *paginate = NULL, *svc_name = NULL, *op = NULL;
	long presign = 0;
	int batch = 0, in_flight = 0;
	double rate = 0;
	int i, rc;

	if (argc == 4 && !strcmp(argv[1], "zip"))
		return zip_tree(argv[2], argv[3]);
	aws_call_init(&call, NULL);
	aws_response_init(&resp);
	aws_error_clear(&err);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--debug")) {
			opt.debug = 1;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--method")) {
			call.method = v;
		} else if (!strcmp(a, "--path")) {
			call.path = xstrdup(v);
		} else if (!strcmp(a, "-q") || !strcmp(a, "-H")) {
			const char *sep = strchr(v, a[1] == 'q' ? '=' : ':');
			if (!sep)
				return usage();
			char *name = xstrndup(v, (size_t)(sep - v));
			kvlist_add(a[1] == 'q' ? &call.query : &call.headers, name, sep + 1);
			free(name);
		} else if (!strcmp(a, "--body")) {
			call.body = v;
			call.body_len = strlen(v);
		} else if (!strcmp(a, "--paginate")) {
			paginate = v;
		} else if (!strcmp(a, "--presign")) {
			presign = atol(v);
		} else if (!strcmp(a, "--batch")) {
			batch = atoi(v);
		} else if (!strcmp(a, "--in-flight")) {
			in_flight = atoi(v);
		} else if (!strcmp(a, "--rate")) {
			rate = atof(v);
		} else if (!strcmp(a, "--region")) {
			opt.region = v;
		} else if (!strcmp(a, "--profile")) {
			opt.profile = v;
		} else if (!strcmp(a, "--endpoint-url")) {
			opt.endpoint_url = v;
		} else {
			return usage();
		}
	}
	if (argc - i < 2)
		return usage();
	svc_name = argv[i++];
	op = argv[i++];
	const struct aws_service *svc = aws_service_find(svc_name);
	if (!svc) {
		fprintf(stderr, "awsx-probe: unknown service '%s'\n", svc_name);
		return AWSX_EUSAGE;
	}
	call.operation = op;
	for (; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq)
			return usage();
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		if (svc->protocol == AWS_PROTO_QUERY || svc->protocol == AWS_PROTO_EC2) {
			kvlist_add(&call.params, name, eq + 1);
		} else {
			if (!call.json)
				call.json = cJSON_CreateObject();
			add_json_member(call.json, name, eq + 1);
		}
		free(name);
	}

	rc = aws_ctx_new(&ctx, &opt, &err);
	if (rc)
		goto report;
	if (batch > 0) {
		struct batch_tally tally = { 0, 0 };
		struct aws_batch *b = aws_batch_new(ctx, in_flight);
		if (rate > 0)
			aws_batch_limit(b, svc, rate);
		/* every copy shares the one call description: it is read-only here */
		for (int k = 0; k < batch; k++)
			aws_batch_add(b, svc, &call, on_batch_done, &tally);
		rc = aws_batch_run(b);
		aws_batch_free(b);
		printf("ok=%d failed=%d\n", tally.ok, tally.failed);
		if (!rc && tally.failed)
			rc = -AWSX_ESERVICE;
		if (rc) {
			rc = -rc;
			goto out;
		}
	} else if (presign) {
		struct strbuf url = STRBUF_INIT;
		rc = aws_presign(ctx, svc, &call, presign, &url, &err);
		if (!rc)
			printf("%s\n", url.buf);
		strbuf_release(&url);
	} else if (paginate) {
		char in[64] = "", out[128] = "";
		int max = 0, pages = 0;
		if (sscanf(paginate, "%63[^:]:%127[^:]:%d", in, out, &max) < 2) {
			rc = usage();
			goto out;
		}
		struct aws_paginator p = { in, out, max };
		rc = aws_paginate(ctx, svc, &call, &p, print_page, &pages, &err);
		printf("pages=%d\n", pages);
	} else {
		rc = aws_call(ctx, svc, &call, &resp, &err);
		if (!rc)
			printf("%s\n", resp.body.buf);
	}
report:
	if (rc) {
		struct strbuf line = STRBUF_INIT;
		aws_error_format(&err, &line);
		fprintf(stderr, "awsx-probe: %s\n", line.buf);
		printf("code=%s status=%ld attempts=%d\n", err.code, err.http_status, err.attempts);
		strbuf_release(&line);
		rc = err.kind ? err.kind : AWSX_EFAIL;
	}
out:
	call.method = NULL;
	call.body = NULL;
	aws_call_release(&call);
	aws_response_release(&resp);
	aws_ctx_free(ctx);
	return rc < 0 ? -rc : rc;
}
