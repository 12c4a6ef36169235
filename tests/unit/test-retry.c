/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-retry.c: the "standard" retry mode's decisions: every throttling,
 * transient and clock-skew code, the HTTP statuses, transport errors, the
 * retry quota running dry and filling up again, backoff bounds for attempts
 * 1..10, AWS_MAX_ATTEMPTS / AWS_RETRY_MODE against profile settings, and
 * clock skew read from a Date header.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/retry.h"
#include "aws/util.h"
#include "tests/unit/check.h"

static const char *const throttles[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException",
	"RequestLimitExceeded",
	"BandwidthLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"EC2ThrottledException",
};

static void test_throttle_codes(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(throttles); i++) {
		if (!retry_is_throttle_code(throttles[i]))
			fprintf(stderr, "  not a throttle code: %s\n",
				throttles[i]);
		CHECK(retry_is_throttle_code(throttles[i]));
		CHECK_INT(retry_classify(400, throttles[i], 0), RETRY_THROTTLE);
		CHECK_INT(retry_classify(503, throttles[i], 0), RETRY_THROTTLE);
	}
	CHECK(!retry_is_throttle_code(NULL));
	CHECK(!retry_is_throttle_code(""));
	CHECK(!retry_is_throttle_code("throttling"));
	CHECK(!retry_is_throttle_code("ThrottlingExceptionX"));
	CHECK(!retry_is_throttle_code("AccessDenied"));
	CHECK(!retry_is_throttle_code("RequestTimeout"));
}

static void test_transient_codes(void)
{
	static const char *const codes[] = {
		"RequestTimeout", "RequestTimeoutException", "InternalError",
		"InternalFailure", "ServiceUnavailable",
	};

	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		CHECK_INT(retry_classify(400, codes[i], 0), RETRY_TRANSIENT);
		CHECK_INT(retry_classify(200, codes[i], 0), RETRY_TRANSIENT);
		CHECK(!retry_is_throttle_code(codes[i]));
	}
	/* In both lists; throttling wins, both are retried. */
	CHECK_INT(retry_classify(400, "PriorRequestNotComplete", 0),
		  RETRY_THROTTLE);
}

static void test_statuses_and_transport(void)
{
	CHECK_INT(retry_classify(500, NULL, 0), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(502, "", 0), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(503, NULL, 0), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(504, NULL, 0), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(500, "AccessDenied", 0), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(429, NULL, 0), RETRY_THROTTLE);
	CHECK_INT(retry_classify(429, "SomethingElse", 0), RETRY_THROTTLE);
	CHECK_INT(retry_classify(200, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(301, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(400, "ValidationException", 0), RETRY_NO);
	CHECK_INT(retry_classify(403, "AccessDenied", 0), RETRY_NO);
	CHECK_INT(retry_classify(404, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(501, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(505, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(0, NULL, 1), RETRY_TIMEOUT);
	CHECK_INT(retry_classify(0, NULL, 0), RETRY_NO);
	CHECK_INT(retry_classify(200, NULL, 1), RETRY_TIMEOUT);
}

static void test_clock_skew_codes(void)
{
	CHECK_INT(retry_classify(403, "RequestTimeTooSkewed", 0),
		  RETRY_CLOCK_SKEW);
	CHECK_INT(retry_classify(400, "RequestExpired", 0), RETRY_CLOCK_SKEW);
	CHECK_INT(retry_classify(400, "InvalidSignatureException", 0),
		  RETRY_CLOCK_SKEW);
	CHECK_INT(retry_classify(400, "RequestInTheFuture", 0),
		  RETRY_CLOCK_SKEW);
	/* Mostly wrong keys: the caller decides from the Date header. */
	CHECK_INT(retry_classify(403, "SignatureDoesNotMatch", 0), RETRY_NO);
	CHECK_INT(retry_classify(401, "AuthFailure", 0), RETRY_NO);
}

static void test_quota(void)
{
	struct retry_quota q = RETRY_QUOTA_INIT;
	int taken = 0, n = 0, cost;

	CHECK_INT(q.capacity, 500);
	CHECK_INT(q.max, 500);
	CHECK_INT(retry_quota_acquire(&q, RETRY_NO), -1);
	CHECK_INT(q.capacity, 500);
	CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), RETRY_COST);
	CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLE), 5);
	CHECK_INT(retry_quota_acquire(&q, RETRY_CLOCK_SKEW), 5);
	CHECK_INT(retry_quota_acquire(&q, RETRY_TIMEOUT), RETRY_TIMEOUT_COST);
	CHECK_INT(q.capacity, 475);

	/* Success gives back what the call took. */
	retry_quota_release(&q, 25);
	CHECK_INT(q.capacity, 500);
	/* Never above the maximum, even for a success without retries. */
	retry_quota_release(&q, 0);
	CHECK_INT(q.capacity, 500);

	/* Exhaustion: 500 / 10 = 50 timeouts, then none, though 5 is still possible. */
	while ((cost = retry_quota_acquire(&q, RETRY_TIMEOUT)) > 0) {
		taken += cost;
		n++;
	}
	CHECK_INT(n, 50);
	CHECK_INT(q.capacity, 0);
	CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), -1);
	CHECK_INT(q.capacity, 0);

	/* Successes without retries refill one at a time. */
	for (int i = 0; i < 4; i++)
		retry_quota_release(&q, 0);
	CHECK_INT(q.capacity, 4);
	CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), -1);
	retry_quota_release(&q, -1);
	CHECK_INT(q.capacity, 5);
	CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), 5);
	CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLE), -1);
	retry_quota_release(&q, taken);
	CHECK_INT(q.capacity, 500);
}

static void test_backoff(void)
{
	static const long caps[] = { 1000, 2000, 4000, 8000, 16000,
				     20000, 20000, 20000, 20000, 20000 };

	for (int attempt = 1; attempt <= 10; attempt++) {
		long lo = retry_backoff_ms(attempt, 0.0);
		long hi = retry_backoff_ms(attempt, 0.999);
		long mid = retry_backoff_ms(attempt, 0.5);

		CHECK_INT(lo, 0);
		CHECK_INT(hi, (long)(0.999 * (double)caps[attempt - 1]));
		CHECK(hi < caps[attempt - 1]);
		CHECK_INT(mid, caps[attempt - 1] / 2);
	}
	CHECK_INT(retry_backoff_ms(1, 0.999), 999);
	CHECK_INT(retry_backoff_ms(5, 0.999), 15984);
	CHECK_INT(retry_backoff_ms(10, 0.999), 19980);
	CHECK_INT(retry_backoff_ms(1000, 0.5), 10000);
	CHECK_INT(retry_backoff_ms(0, 0.5), 500);
	CHECK_INT(retry_backoff_ms(-3, 0.5), 500);
	CHECK_INT(retry_backoff_ms(3, 1.0), 3999);
	CHECK_INT(retry_backoff_ms(3, -0.5), 0);
}

static void test_config(void)
{
	struct retry_config rc;
	char why[256];

	why[0] = '\0';
	CHECK_INT(retry_config_resolve(&rc, NULL, NULL, NULL, NULL, why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 3);
	CHECK_INT(rc.mode, 0);
	CHECK_STR(why, "");

	CHECK_INT(retry_config_resolve(&rc, NULL, "legacy", NULL, NULL, why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 5);
	CHECK_INT(rc.mode, 1);
	CHECK_INT(retry_config_resolve(&rc, NULL, NULL, NULL, "adaptive", why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 3);
	CHECK_INT(rc.mode, 2);
	CHECK_INT(retry_config_resolve(&rc, NULL, NULL, NULL, "Standard", why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.mode, 0);

	/* The environment wins over the profile, for each setting on its own. */
	CHECK_INT(retry_config_resolve(&rc, "7", "standard", "2", "legacy", why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 7);
	CHECK_INT(rc.mode, 0);
	CHECK_INT(retry_config_resolve(&rc, NULL, "legacy", "2", "standard",
				       why, sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 2);
	CHECK_INT(rc.mode, 1);
	CHECK_INT(retry_config_resolve(&rc, "1", NULL, "9", "legacy", why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 1);
	CHECK_INT(rc.mode, 1);
	/* An empty variable counts as unset. */
	CHECK_INT(retry_config_resolve(&rc, "", "", " 4 ", NULL, why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 4);
	CHECK_INT(rc.mode, 0);

	/* Bad values, named by where they came from. */
	CHECK_INT(retry_config_resolve(&rc, "x", NULL, NULL, NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_STR(why, "invalid AWS_MAX_ATTEMPTS 'x': expected a whole number "
		       "of at least 1");
	CHECK_INT(retry_config_resolve(&rc, "0", NULL, NULL, NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_STR(why, "invalid AWS_MAX_ATTEMPTS '0': expected a whole number "
		       "of at least 1");
	CHECK_INT(retry_config_resolve(&rc, "-2", NULL, NULL, NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_INT(retry_config_resolve(&rc, "3.5", NULL, NULL, NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_INT(retry_config_resolve(&rc, "99999999999999999999", NULL, NULL,
				       NULL, why, sizeof(why)),
		  -1);
	CHECK_INT(retry_config_resolve(&rc, NULL, NULL, "three", NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_STR(why, "invalid max_attempts 'three': expected a whole number "
		       "of at least 1");
	CHECK_INT(retry_config_resolve(&rc, NULL, "fast", NULL, NULL, why,
				       sizeof(why)),
		  -1);
	CHECK_STR(why, "invalid AWS_RETRY_MODE 'fast': expected standard, "
		       "legacy or adaptive");
	CHECK_INT(retry_config_resolve(&rc, NULL, NULL, NULL, "fast", why,
				       sizeof(why)),
		  -1);
	CHECK_STR(why, "invalid retry_mode 'fast': expected standard, legacy "
		       "or adaptive");
	/* A good environment value hides a bad profile one. */
	CHECK_INT(retry_config_resolve(&rc, "2", "legacy", "bad", "bad", why,
				       sizeof(why)),
		  0);
	CHECK_INT(rc.max_attempts, 2);
	/* why may be absent. */
	CHECK_INT(retry_config_resolve(&rc, "x", NULL, NULL, NULL, NULL, 0), -1);
}

static void test_clock_skew(void)
{
	/* Tue, 05 Nov 2024 10:00:00 GMT */
	const time_t server = 1730800800;

	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT", server), 0);
	/* Local clock 10 minutes behind: server - local = +600. */
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT",
				   server - 600),
		  600);
	/* Local clock 10 minutes ahead. */
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT",
				   server + 600),
		  -600);
	/* One minute off is tolerated. */
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT",
				   server - 60),
		  0);
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT",
				   server + 60),
		  0);
	/* The edge: 240 s is fine, 241 s is skew. */
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 GMT",
				   server - 240),
		  0);
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:04:01 GMT", server),
		  241);
	CHECK_INT(retry_clock_skew("Wed, 06 Nov 2024 10:00:00 GMT", server),
		  86400);
	CHECK_INT(retry_clock_skew("Tue, 5 Nov 2024 09:50:00 GMT", server),
		  -600);
	/* Unreadable headers give 0. */
	CHECK_INT(retry_clock_skew(NULL, server - 600), 0);
	CHECK_INT(retry_clock_skew("", server - 600), 0);
	CHECK_INT(retry_clock_skew("yesterday", server - 600), 0);
	CHECK_INT(retry_clock_skew("Tue, 05 Foo 2024 10:00:00 GMT",
				   server - 600),
		  0);
	CHECK_INT(retry_clock_skew("Tue, 32 Nov 2024 10:00:00 GMT",
				   server - 600),
		  0);
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 25:00:00 GMT",
				   server - 600),
		  0);
	CHECK_INT(retry_clock_skew("Tue, 05 Nov 2024 10:00:00 PST",
				   server - 600),
		  0);
}

int main(void)
{
	RUN(test_throttle_codes);
	RUN(test_transient_codes);
	RUN(test_statuses_and_transport);
	RUN(test_clock_skew_codes);
	RUN(test_quota);
	RUN(test_backoff);
	RUN(test_config);
	RUN(test_clock_skew);
	return check_done();
}
