/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigv4.h: AWS Signature Version 4, for the Authorization header and for
 * presigned URLs (query signing).  Pure functions: no I/O, no clock (the
 * caller passes the time), so they are checked byte for byte against AWS's
 * published test vectors (tests/data/sigv4*).
 */
#ifndef AWSX_SIGV4_H
#define AWSX_SIGV4_H

#include <time.h>

#include "aws/util.h"

enum sigv4_flags {
	/* Encode the path once more for the canonical URI (every service but S3). */
	SIGV4_DOUBLE_ENCODE = (1 << 0),
	/* Remove "." / ".." segments and repeated slashes (every service but S3). */
	SIGV4_NORMALIZE_PATH = (1 << 1),
	/* Add and sign an x-amz-content-sha256 header (S3 needs it). */
	SIGV4_CONTENT_SHA256 = (1 << 2),
	/* Add X-Amz-Security-Token after signing instead of signing it (IoT style). */
	SIGV4_OMIT_TOKEN = (1 << 3),
};
#define SIGV4_DEFAULT_FLAGS (SIGV4_DOUBLE_ENCODE | SIGV4_NORMALIZE_PATH)

struct sigv4_signer {
	const char *access_key;
	const char *secret_key;
	const char *session_token; /* NULL or "" when none */
	const char *region;	   /* credential scope region */
	const char *service;	   /* credential scope (signing) name */
	time_t now;		   /* signing time, already skew-corrected */
	unsigned flags;		   /* enum sigv4_flags */
	long expires;		   /* presign only: X-Amz-Expires seconds */
};

struct sigv4_request {
	const char *method;
	/*
	 * The path exactly as it goes on the wire (after the host, before '?'):
	 * each segment already percent-encoded by the caller.  With
	 * SIGV4_DOUBLE_ENCODE it is encoded once more for the canonical request.
	 */
	const char *path;
	/* Query parameters, decoded (the signer encodes them), in any order. */
	const struct kvlist *query;
	/* Headers in any case and order; must include Host.  Values raw. */
	const struct kvlist *headers;
	const void *body;
	size_t body_len;
	/* NULL: SHA-256 of body; else used as given ("UNSIGNED-PAYLOAD"). */
	const char *payload_hash;
};

struct sigv4_result {
	struct strbuf canonical_request;
	struct strbuf string_to_sign;
	char signature[65];	/* lower-case hex */
	/*
	 * Header signing: the headers to add to the request, in this order:
	 * X-Amz-Date, [x-amz-content-sha256], [X-Amz-Security-Token], Authorization.
	 * Query signing: the query parameters to add (X-Amz-Algorithm,
	 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
	 * [X-Amz-Security-Token], X-Amz-Signature), decoded.
	 */
	struct kvlist add;
};

void sigv4_result_init(struct sigv4_result *r);
void sigv4_result_release(struct sigv4_result *r);

/* Sign for the Authorization header.  Returns 0 or -AWSX_EFAIL (bad input). */
int sigv4_sign_headers(const struct sigv4_signer *s,
		       const struct sigv4_request *req,
		       struct sigv4_result *out);

/* Sign as a presigned URL (query parameters).  Same return convention. */
int sigv4_presign(const struct sigv4_signer *s, const struct sigv4_request *req,
		  struct sigv4_result *out);

/*
 * RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) stay, everything else becomes %XY upper-case;
 * '/' stays when keep_slash.
 */
void sigv4_uri_encode(struct strbuf *out, const char *s, size_t len,
		      int keep_slash);

/* "20150830T123600Z" into buf (>= 17 bytes). */
void sigv4_amz_date(time_t t, char *buf, size_t len);

/* Lower-case hex SHA-256 of data into hex (65 bytes). */
void sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
