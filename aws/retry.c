/* SPDX-License-Identifier: Apache-2.0 */
/*
 * retry.c: the decisions of the SDKs' "standard" retry mode, kept free of
 * I/O so they can be tested exactly: which answers are worth another
 * attempt (by AWS error code first, then HTTP status), the token-bucket
 * retry quota, the full-jitter backoff, the AWS_MAX_ATTEMPTS /
 * AWS_RETRY_MODE settings, and reading clock skew off an HTTP Date header.
 */
#include "aws/retry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/util.h"

static const char *const throttle_codes[] = {
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

static const char *const transient_codes[] = {
	"RequestTimeout",
	"RequestTimeoutException",
	"PriorRequestNotComplete",
	"InternalError",
	"InternalFailure",
	"ServiceUnavailable",
};

/*
 * The signature was rejected for its time.  SignatureDoesNotMatch and
 * AuthFailure are left out on purpose: they mostly mean wrong keys, and the
 * caller detects real skew from the Date header with retry_clock_skew().
 */
static const char *const clock_skew_codes[] = {
	"RequestTimeTooSkewed",
	"RequestExpired",
	"InvalidSignatureException",
	"RequestInTheFuture",
};

static int in_list(const char *code, const char *const *list, size_t nr)
{
	if (!code || !*code)
		return 0;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(code, list[i]))
			return 1;
	return 0;
}

int retry_is_throttle_code(const char *code)
{
	return in_list(code, throttle_codes, ARRAY_SIZE(throttle_codes));
}

enum retry_class retry_classify(long http_status, const char *code,
				int transport_error)
{
	if (transport_error)
		return RETRY_TIMEOUT;
	if (in_list(code, clock_skew_codes, ARRAY_SIZE(clock_skew_codes)))
		return RETRY_CLOCK_SKEW;
	if (retry_is_throttle_code(code))
		return RETRY_THROTTLE;
	if (in_list(code, transient_codes, ARRAY_SIZE(transient_codes)))
		return RETRY_TRANSIENT;
	switch (http_status) {
	case 429:
		return RETRY_THROTTLE;
	case 500:
	case 502:
	case 503:
	case 504:
		return RETRY_TRANSIENT;
	default:
		return RETRY_NO;
	}
}

int retry_quota_acquire(struct retry_quota *q, enum retry_class c)
{
	int cost = c == RETRY_TIMEOUT ? RETRY_TIMEOUT_COST : RETRY_COST;

	/* An answer that is not retryable never earns a retry. */
	if (c == RETRY_NO || q->capacity < cost)
		return -1;
	q->capacity -= cost;
	return cost;
}

void retry_quota_release(struct retry_quota *q, int cost_taken)
{
	int give = cost_taken > 0 ? cost_taken : RETRY_NO_RETRY_INCREMENT;

	q->capacity = q->capacity > q->max - give ? q->max : q->capacity + give;
}

static void __attribute__((format(printf, 3, 4)))
set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A whole number >= 1 (blanks around it allowed); -1 if it is not one. */
static int parse_attempts(const char *s)
{
	char *end;
	long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end || v < 1 || v > INT_MAX)
		return -1;
	return (int)v;
}

int retry_config_resolve(struct retry_config *rc, const char *env_attempts,
			 const char *env_mode, const char *profile_attempts,
			 const char *profile_mode, char *why, size_t whylen)
{
	static const char *const modes[] = { "standard", "legacy", "adaptive" };
	const char *attempts = profile_attempts, *attempts_from = "max_attempts";
	const char *mode = profile_mode, *mode_from = "retry_mode";
	int ret = 0;

	rc->mode = 0;
	rc->max_attempts = 3;
	if (env_attempts && *env_attempts) {
		attempts = env_attempts;
		attempts_from = "AWS_MAX_ATTEMPTS";
	}
	if (env_mode && *env_mode) {
		mode = env_mode;
		mode_from = "AWS_RETRY_MODE";
	}

	if (mode && *mode) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcasecmp(mode, modes[i]))
				break;
		if (i == ARRAY_SIZE(modes)) {
			set_why(why, whylen,
				"invalid %s '%s': expected standard, legacy or adaptive",
				mode_from, mode);
			ret = -1;
			goto out;
		}
		rc->mode = (int)i;
	}
	if (rc->mode == 1)
		rc->max_attempts = 5;
	if (attempts && *attempts) {
		int n = parse_attempts(attempts);

		if (n < 0) {
			set_why(why, whylen,
				"invalid %s '%s': expected a whole number of at least 1",
				attempts_from, attempts);
			ret = -1;
			goto out;
		}
		rc->max_attempts = n;
	}
out:
	return ret;
}

long retry_backoff_ms(int attempt, double uniform01)
{
	long cap = 1000;

	if (attempt < 1)
		attempt = 1;
	for (int i = 1; i < attempt && cap < 20000; i++)
		cap *= 2;
	if (cap > 20000)
		cap = 20000;
	if (!(uniform01 > 0.0)) /* also catches NaN */
		return 0;
	if (uniform01 >= 1.0)
		return cap - 1;
	return (long)(uniform01 * (double)cap);
}

/* RFC 1123: "Tue, 05 Nov 2024 10:00:00 GMT"; -1 if it is not one. */
static time_t parse_http_date(const char *s)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
					    "May", "Jun", "Jul", "Aug",
					    "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	char mon[4], zone[8];
	int day, year, hh, mm, ss, n = 0, i;
	const char *comma = strchr(s, ',');

	if (comma)
		s = comma + 1;
	if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d %n", &day, mon, &year, &hh, &mm,
		   &ss, &n) != 6)
		return -1;
	s += n;
	if (*s) {
		n = 0;
		if (sscanf(s, "%7s %n", zone, &n) != 1 || s[n] ||
		    (strcmp(zone, "GMT") && strcmp(zone, "UTC") &&
		     strcmp(zone, "+0000")))
			return -1;
	}
	for (i = 0; i < 12; i++)
		if (!strcasecmp(mon, months[i]))
			break;
	if (i == 12 || day < 1 || day > 31 || year < 1970 || hh > 23 ||
	    mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = i;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm);
}

long retry_clock_skew(const char *date_header, time_t local_now)
{
	time_t server;
	long skew;

	if (!date_header)
		return 0;
	server = parse_http_date(date_header);
	if (server == (time_t)-1)
		return 0;
	skew = (long)(server - local_now);
	return skew > 240 || skew < -240 ? skew : 0;
}
