/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h: HTTP over libcurl's multi interface.  One struct http_client per
 * process keeps a connection cache, so successive calls to the same host
 * reuse the TCP/TLS connection.  TLS verification is always on
 * (AWS_CA_BUNDLE may name the CA file); proxies come from the usual
 * http_proxy / https_proxy / no_proxy variables, which libcurl reads.
 * With debug on, the exchange is written to the debug stream with
 * signatures, tokens and secret values redacted.
 */
#ifndef AWSX_HTTP_H
#define AWSX_HTTP_H

#include <stdio.h>

#include "aws/util.h"

struct http_client;

struct http_client *http_client_new(void);
void http_client_free(struct http_client *c);

struct http_request {
	const char *method;
	const char *url;
	const struct kvlist *headers;
	const void *body;
	size_t body_len;
	long connect_timeout_ms; /* 0: 60 s */
	long read_timeout_ms;	 /* no byte for this long fails; 0: 60 s */
	const char *ca_bundle;	 /* NULL: system store */
	FILE *debug;		 /* NULL: no debug output */
	size_t max_body;	 /* 0: 256 MiB */
	/*
	 * A streamed answer (an event stream): with on_data set, the body of a
	 * 2xx answer goes to on_data as it arrives instead of into the
	 * response (other answers are kept, for their error).  on_data
	 * returns 0 to go on; anything else ends the transfer (http_finish
	 * then reports a transport error the caller asked for).
	 */
	int (*on_data)(const void *data, size_t len, void *ud);
	void *on_data_ud;
};

struct http_response {
	long status;
	struct kvlist headers; /* names as received */
	struct strbuf body;
};
void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/*
 * Send req and read the whole answer.  Returns 0 when the server answered
 * (any status), -AWSX_ENET on a transport failure (message names the URL
 * and curl's reason; *timed_out set for timeouts), -AWSX_EINTR when
 * http_interrupted was set during the wait.
 */
int http_perform(struct http_client *c, const struct http_request *req,
		 struct http_response *resp, int *timed_out,
		 struct aws_error *err);

/*
 * The same in steps, so that many transfers can be in flight on one
 * client: http_start adds a transfer (req's body must stay alive until
 * http_finish), http_wait drives all transfers of the client for at most
 * timeout_ms and marks the ones that finished (returning early when one
 * did; -AWSX_EINTR when interrupted), http_xfer_done tells, http_finish
 * takes the outcome (as http_perform returns it) and frees the transfer.
 * Any caller's http_wait may complete anyone's transfer: callers check
 * their own transfers with http_xfer_done, never rely on who waited.
 */
struct http_xfer;
struct http_xfer *http_start(struct http_client *c, const struct http_request *req,
			     struct http_response *resp);
int http_wait(struct http_client *c, long timeout_ms);
int http_xfer_done(const struct http_xfer *x);
int http_finish(struct http_client *c, struct http_xfer *x, int *timed_out,
		struct aws_error *err);

/* Set from a signal handler to make waits return -AWSX_EINTR. */
extern volatile int http_interrupted;

/*
 * Copy text into out with secrets hidden: the Signature= part of an
 * Authorization header, X-Amz-Security-Token / X-Amz-Signature query
 * values and headers, and values of JSON/XML fields named like secrets
 * (SecretAccessKey, SessionToken, Token, accessToken ...).
 */
void http_redact(struct strbuf *out, const char *text, size_t len);

#endif
