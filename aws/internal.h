/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of aws/ share with each other and nobody
 * else: the layout of struct aws_ctx and the credential chain's entry point.
 */
#ifndef AWSX_INTERNAL_H
#define AWSX_INTERNAL_H

#include "aws/aws.h"
#include "aws/config.h"
#include "aws/http.h"
#include "aws/retry.h"

struct aws_ctx {
	struct aws_config *cfg;
	char *profile;
	int profile_explicit; /* --profile given: environment keys are skipped */
	char *region;
	const char *region_source;
	char *endpoint_url;
	int debug;
	FILE *debug_out;
	int interactive;
	struct http_client *http;
	struct retry_config retry;
	struct retry_quota quota;
	long clock_skew; /* seconds to add to the local clock when signing */
	long connect_timeout_ms;
	long read_timeout_ms;
	char *ca_bundle;
	struct aws_credentials creds;
	int have_creds;
	unsigned rng;
};

/*
 * Resolve credentials through the chain (creds.c) into out.  The caller
 * owns out.  -AWSX_ECONFIG when no source has any, or a source is broken.
 */
int creds_resolve(struct aws_ctx *ctx, struct aws_credentials *out,
		  struct aws_error *err);

/* Split a credential_process command into argv (shell-like quoting, no
 * expansion); returns the word count or -1.  Free each word and the array. */
int creds_split_command(const char *cmd, char ***argv_out);

/* Environment lookup used throughout aws/ (getenv; "" counts as unset). */
const char *aws_getenv(const char *name);

/* One plain HTTP exchange without signing or AWS error parsing (IMDS, ECS). */
int aws_http_plain(struct aws_ctx *ctx, const char *method, const char *url,
		   const struct kvlist *headers, long timeout_ms,
		   struct http_response *resp, struct aws_error *err);

#endif
