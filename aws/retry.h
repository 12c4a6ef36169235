/* SPDX-License-Identifier: Apache-2.0 */
/*
 * retry.h: the AWS SDKs' "standard" retry mode: which answers are retried,
 * how long to wait (exponential backoff with full jitter, capped at 20 s),
 * a retry quota shared by all calls of the process so a failing service is
 * not hammered, and clock-skew detection.  Pure logic; the HTTP loop in
 * aws.c drives it.  AWS_RETRY_MODE legacy/adaptive are accepted; adaptive
 * behaves as standard, legacy uses its own attempt default (5).
 */
#ifndef AWSX_RETRY_H
#define AWSX_RETRY_H

#include <time.h>

enum retry_class {
	RETRY_NO = 0,	     /* not retryable (success or a client error) */
	RETRY_THROTTLE,	     /* throttling: costs the quota like a transient */
	RETRY_TRANSIENT,     /* 500/502/503/504, RequestTimeout, ... */
	RETRY_TIMEOUT,	     /* connection reset / timeout / DNS: costs more */
	RETRY_CLOCK_SKEW,    /* signature time off: retry after fixing skew */
};

/*
 * Classify one attempt.  http_status 0 means no HTTP answer; then
 * transport_error (non-zero) says a connection problem happened.
 * code: the AWS error code from the body/headers, or "" / NULL.
 */
enum retry_class retry_classify(long http_status, const char *code,
				int transport_error);

int retry_is_throttle_code(const char *code);

struct retry_quota {
	int capacity; /* starts at 500 */
	int max;
};
#define RETRY_QUOTA_INIT { 500, 500 }
#define RETRY_COST 5
#define RETRY_TIMEOUT_COST 10
#define RETRY_NO_RETRY_INCREMENT 1

/* Take the cost of a retry of that class; returns the cost taken, or -1 if the quota is spent. */
int retry_quota_acquire(struct retry_quota *q, enum retry_class c);
/* After a successful attempt: give back what that call took (or 1 if nothing). */
void retry_quota_release(struct retry_quota *q, int cost_taken);

struct retry_config {
	int max_attempts; /* total attempts incl. the first; >= 1 */
	int mode;	  /* 0 standard, 1 legacy, 2 adaptive */
};
/*
 * From AWS_MAX_ATTEMPTS / AWS_RETRY_MODE (env wins) or profile values
 * max_attempts / retry_mode (may be NULL).  Returns 0, or -1 with a message in
 * why (bad number, unknown mode).
 */
int retry_config_resolve(struct retry_config *rc, const char *env_attempts,
			 const char *env_mode, const char *profile_attempts,
			 const char *profile_mode, char *why, size_t whylen);

/*
 * Delay before attempt number 'attempt' (1 = the first retry): random in
 * [0, min(20 s, 2^(attempt-1) s)), given a uniform random value in [0,1).
 */
long retry_backoff_ms(int attempt, double uniform01);

/*
 * Clock skew in seconds (server minus local) from an HTTP Date header
 * (RFC 1123, "Tue, 05 Nov 2024 10:00:00 GMT") when it is more than 4 minutes
 * off; 0 otherwise or when the header cannot be read.
 */
long retry_clock_skew(const char *date_header, time_t local_now);

#endif
