/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-when.c: libFuzzer target for the time expressions and durations of
 * `awsx logs` (logs/when.c).  The input, as a C string, is read as a time
 * in UTC and in local time (America/New_York, for daylight saving time)
 * against several "now"s, the extremes included so that any unchecked
 * arithmetic trips UBSan, and as a duration.  Besides crashes and leaks it
 * checks the contracts: a failure is -AWSX_EUSAGE with a "cannot read
 * time '...': ..." message and *out_ms untouched; a time is never before
 * 1970 unless it is "now"; and a time read in UTC, written back as ISO 8601
 * with milliseconds, reads the same.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs/logs.h"

#define UNTOUCHED (-42LL)
/* One past 9999-12-31T23:59:59.999Z: the last time ISO 8601 can write in 4-digit years. */
#define ISO_END_MS 253402300800000LL

static void fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_check_failure(int rc, long long out, const struct aws_error *err,
			       const char *prefix)
{
	size_t len = strlen(err->message);

	fuzz_assert(rc == -AWSX_EUSAGE);
	fuzz_assert(err->kind == AWSX_EUSAGE);
	fuzz_assert(out == UNTOUCHED);
	fuzz_assert(!strncmp(err->message, prefix, strlen(prefix)));
	fuzz_assert(len > 0 && err->message[len - 1] != '.');
}

/* ms, written as "YYYY-MM-DDTHH:MM:SS.mmmZ", must read back as ms. */
static void fuzz_round_trip(long long ms)
{
	time_t t = (time_t)(ms / 1000);
	char text[64];
	struct aws_error err;
	struct tm tm;
	long long back = UNTOUCHED;

	if (ms < 0 || ms >= ISO_END_MS)
		return;
	fuzz_assert(gmtime_r(&t, &tm) != NULL);
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	aws_error_clear(&err);
	fuzz_assert(logs_parse_time(text, 0, 0, &back, &err) == 0);
	fuzz_assert(back == ms);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "America/New_York", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long long nows[] = {1796644800000LL, 0, LLONG_MAX, LLONG_MIN};
	char *text = malloc(size + 1);
	struct aws_error err;
	long long out;
	int rc;

	fuzz_assert(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		for (int utc = 0; utc <= 1; utc++) {
			out = UNTOUCHED;
			aws_error_clear(&err);
			rc = logs_parse_time(text, nows[i], utc, &out, &err);
			if (rc) {
				fuzz_check_failure(rc, out, &err, "cannot read time '");
				continue;
			}
			fuzz_assert(err.kind == 0);
			fuzz_assert(out >= 0 || out == nows[i]);
			if (utc)
				fuzz_round_trip(out);
		}
	}

	out = UNTOUCHED;
	aws_error_clear(&err);
	rc = logs_parse_duration(text, &out, &err);
	if (rc) {
		fuzz_check_failure(rc, out, &err, "cannot read duration '");
	} else {
		fuzz_assert(err.kind == 0);
		fuzz_assert(out >= 0);
	}

	free(text);
	return 0;
}
