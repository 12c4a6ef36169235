/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-logs-when.c: time expressions and durations (logs/when.c): every
 * unit spelling, "now", epoch milliseconds, ISO 8601 in UTC, with zones and
 * in local time (America/New_York across both daylight saving switches,
 * UTC, Asia/Kolkata), and every error, whose message must quote the input.
 */
#include "logs/logs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* 2026-12-07T12:00:00Z */
#define NOW 1796644800000LL
/* What a failed parse must leave in *out_ms: it is not touched. */
#define UNTOUCHED (-42LL)

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)
#define WEEK (7 * DAY)

/* The time text means, or UNTOUCHED (with the message on stderr) when it fails. */
static long long parse_time(const char *text, long long now_ms, int utc)
{
	struct aws_error err;
	long long out = UNTOUCHED;
	int rc;

	aws_error_clear(&err);
	rc = logs_parse_time(text, now_ms, utc, &out, &err);
	if (rc) {
		fprintf(stderr, "  '%s': %s\n", text, err.message);
		return UNTOUCHED;
	}
	if (err.kind)
		return UNTOUCHED - 1;
	return out;
}

static long long parse_duration(const char *text)
{
	struct aws_error err;
	long long out = UNTOUCHED;
	int rc;

	aws_error_clear(&err);
	rc = logs_parse_duration(text, &out, &err);
	if (rc) {
		fprintf(stderr, "  '%s': %s\n", text, err.message);
		return UNTOUCHED;
	}
	if (err.kind)
		return UNTOUCHED - 1;
	return out;
}

/*
 * Whether a failed parse kept to the contract: -AWSX_EUSAGE, *out_ms
 * untouched, and a message "cannot read <what> '<quoted>': ..." (quoted:
 * the input without surrounding white space, or as given) containing
 * detail, lower-case, without a final period.
 */
static int failed_well(int rc, long long out, const struct aws_error *err, const char *what,
		       const char *quoted, const char *detail)
{
	char prefix[512];
	size_t len = strlen(err->message);
	int ok;

	snprintf(prefix, sizeof(prefix), "cannot read %s '%s': ", what, quoted);
	ok = rc == -AWSX_EUSAGE && err->kind == AWSX_EUSAGE && out == UNTOUCHED &&
	     !strncmp(err->message, prefix, strlen(prefix)) && strstr(err->message, detail) &&
	     len > 0 && err->message[len - 1] != '.';
	if (!ok)
		fprintf(stderr, "  rc %d, out %lld, message '%s'\n  expected '%s...%s...'\n", rc,
			out, err->message, prefix, detail);
	return ok;
}

static int time_fails_at(const char *text, long long now_ms, const char *quoted, const char *detail)
{
	struct aws_error err;
	int ok = 1;

	for (int utc = 0; utc <= 1; utc++) {
		long long out = UNTOUCHED;
		int rc;

		aws_error_clear(&err);
		rc = logs_parse_time(text, now_ms, utc, &out, &err);
		ok &= failed_well(rc, out, &err, "time", quoted ? quoted : text, detail);
	}
	return ok;
}

static int time_fails(const char *text, const char *quoted, const char *detail)
{
	return time_fails_at(text, NOW, quoted, detail);
}

static int duration_fails(const char *text, const char *quoted, const char *detail)
{
	struct aws_error err;
	long long out = UNTOUCHED;
	int rc;

	aws_error_clear(&err);
	rc = logs_parse_duration(text, &out, &err);
	return failed_well(rc, out, &err, "duration", quoted ? quoted : text, detail);
}

#define TIME_IS(text, utc, want)     CHECK_INT(parse_time((text), NOW, (utc)), (want))
#define UTC_IS(text, want)	     TIME_IS((text), 1, (want))
#define TIME_FAILS(text, detail)     CHECK(time_fails((text), NULL, (detail)))
#define DURATION_IS(text, want)	     CHECK_INT(parse_duration(text), (want))
#define DURATION_FAILS(text, detail) CHECK(duration_fails((text), NULL, (detail)))

/* clang-format off */
static const struct {
	const char *name;
	long long ms;
} units[] = {
	{ "s", SEC }, { "sec", SEC }, { "secs", SEC }, { "second", SEC }, { "seconds", SEC },
	{ "m", MIN }, { "min", MIN }, { "mins", MIN }, { "minute", MIN }, { "minutes", MIN },
	{ "h", HOUR }, { "hr", HOUR }, { "hrs", HOUR }, { "hour", HOUR }, { "hours", HOUR },
	{ "d", DAY }, { "day", DAY }, { "days", DAY },
	{ "w", WEEK }, { "week", WEEK }, { "weeks", WEEK },
};
/* clang-format on */

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static void test_relative_every_unit(void)
{
	char text[64];

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		long long want = NOW - 3 * units[i].ms;

		snprintf(text, sizeof(text), "3%s", units[i].name);
		UTC_IS(text, want);
		TIME_IS(text, 0, want);
		snprintf(text, sizeof(text), "3 %s", units[i].name);
		UTC_IS(text, want);
		snprintf(text, sizeof(text), "3%s ago", units[i].name);
		UTC_IS(text, want);
		snprintf(text, sizeof(text), " 3 \t%s  ago\n", units[i].name);
		UTC_IS(text, want);
		snprintf(text, sizeof(text), "3 %s ago", units[i].name);
		upper(text);
		UTC_IS(text, want);
		/* "ago" makes no sense for a duration */
		CHECK(duration_fails(text, NULL, "unexpected 'AGO' after the unit"));
	}
}

static void test_relative_examples(void)
{
	UTC_IS("10m", NOW - 10 * MIN);
	UTC_IS("5min ago", NOW - 5 * MIN);
	UTC_IS("3 hours", NOW - 3 * HOUR);
	UTC_IS("1 week ago", NOW - WEEK);
	UTC_IS("90s", NOW - 90 * SEC);
	UTC_IS("2h", NOW - 2 * HOUR);
	UTC_IS("1d", NOW - DAY);
	UTC_IS("45Min", NOW - 45 * MIN);
	UTC_IS("0m", NOW);
	UTC_IS("007m", NOW - 7 * MIN);
	UTC_IS("2 Hours Ago", NOW - 2 * HOUR);
	/* the whole of now, back to the epoch exactly */
	CHECK_INT(parse_time("1796644800s", NOW, 1), 0);
	/* a large but representable amount, and a now_ms at the top of the range */
	CHECK_INT(parse_time("15250284452w", LLONG_MAX, 1), LLONG_MAX - 15250284452LL * WEEK);
}

static void test_relative_errors(void)
{
	TIME_FAILS("10", "add a unit, as in 10m, or give epoch milliseconds");
	TIME_FAILS("0", "add a unit, as in 10m, or give epoch milliseconds");
	TIME_FAILS("123456789", "add a unit, as in 10m, or give epoch milliseconds");
	TIME_FAILS("10x", "unknown unit 'x' (accepted: s, sec, secs, second, seconds, m, min, "
			  "mins, minute, minutes, h, hr, hrs, hour, hours, d, day, days, w, week, "
			  "weeks)");
	/* milliseconds are for durations, not for "that long ago" */
	TIME_FAILS("500ms", "unknown unit 'ms'");
	TIME_FAILS("5 months ago", "unknown unit 'months'");
	TIME_FAILS("10mago", "unknown unit 'mago'");
	TIME_FAILS("10 ago", "unknown unit 'ago'");
	TIME_FAILS("10m!", "unknown unit 'm!'");
	TIME_FAILS("10 minutes later", "unexpected 'later' after the unit (only 'ago' may follow)");
	TIME_FAILS("10m ago ago", "unexpected 'ago ago' after the unit");
	TIME_FAILS("-5m", "write the amount without a sign");
	TIME_FAILS("+5m", "write the amount without a sign");
	TIME_FAILS("1.5h", "use a whole number, as in 90m for 1.5h");
	TIME_FAILS("1,5h", "use a whole number");
	TIME_FAILS("10:00", "give the date too, as in 2026-12-07T10:00");
	TIME_FAILS("99999999999999999999m", "the number is too large");
	TIME_FAILS("9223372036854775808s", "the number is too large");
	TIME_FAILS("9223372036854775807s", "the amount is too large");
	TIME_FAILS("15250284453w", "the amount is too large");
	TIME_FAILS("1796644801s", "that is before 1970-01-01");
	TIME_FAILS("100000 weeks ago", "that is before 1970-01-01");
	/* a now_ms at the bottom of the range must not overflow either */
	CHECK(time_fails_at("1s", LLONG_MIN, NULL, "that is before 1970-01-01"));
	CHECK(time_fails_at("9223372036854775s", LLONG_MIN, NULL, "that is before 1970-01-01"));
	CHECK(time_fails_at("0s", -1, NULL, "that is before 1970-01-01"));
}

static void test_not_a_time(void)
{
	TIME_FAILS("", "expected a time such as 10m, 2h ago, now, 2026-12-07T10:00 or epoch "
		       "milliseconds");
	CHECK(time_fails(" \t\r\n ", "", "expected a time such as"));
	TIME_FAILS("yesterday", "expected a time such as");
	TIME_FAILS("m", "expected a time such as");
	TIME_FAILS("ago", "expected a time such as");
	TIME_FAILS("-", "expected a time such as");
	TIME_FAILS("nowish", "expected a time such as");
	TIME_FAILS("now-5m", "expected a time such as");
	TIME_FAILS("T10:00", "expected a time such as");
}

static void test_now(void)
{
	UTC_IS("now", NOW);
	TIME_IS("NOW", 0, NOW);
	UTC_IS("  Now\t\n", NOW);
	CHECK_INT(parse_time("now", 5, 0), 5);
}

static void test_epoch_ms(void)
{
	UTC_IS("1796644800000", 1796644800000LL);
	TIME_IS("1796644800000", 0, 1796644800000LL);
	UTC_IS(" 1700000000123\n", 1700000000123LL);
	UTC_IS("0000000000", 0);
	UTC_IS("1000000000", 1000000000LL);		/* the fewest digits */
	UTC_IS("9999999999999999", 9999999999999999LL); /* the most */
	TIME_FAILS("99999999999999999", "epoch milliseconds have at most 16 digits");
	TIME_FAILS("00000000000000000000000000000000", "at most 16 digits");
	TIME_FAILS("1796644800000 ms", "unknown unit 'ms'");
}

static void test_iso_utc(void)
{
	UTC_IS("2026-12-07", 1796601600000LL);
	UTC_IS("2026-12-07T10:00", 1796637600000LL);
	UTC_IS("2026-12-07t10:00", 1796637600000LL);
	UTC_IS("2026-12-07 10:00", 1796637600000LL);
	UTC_IS("2026-12-07T10:00:05", 1796637605000LL);
	UTC_IS("2026-12-07 10:00:05.250", 1796637605250LL);
	UTC_IS("2026-12-07 10:00:05,250", 1796637605250LL);
	UTC_IS("2026-12-07T10:00:05.5", 1796637605500LL);
	UTC_IS("2026-12-07T10:00:05.05", 1796637605050LL);
	UTC_IS("2026-12-07T10:00:05.999999999", 1796637605999LL);
	UTC_IS("2026-12-07T10:00:05.000000001", 1796637605000LL);
	UTC_IS("  2026-12-07T10:00:05  ", 1796637605000LL);
	/* leap years: every fourth, not every hundredth, yes every 400th */
	UTC_IS("2024-02-29", 1709164800000LL);
	UTC_IS("2000-02-29T00:00Z", 951782400000LL);
	TIME_FAILS("2023-02-29", "day 29 is out of range for 2023-02 (01-28)");
	TIME_FAILS("2100-02-29", "day 29 is out of range for 2100-02 (01-28)");
	TIME_FAILS("2024-02-30", "day 30 is out of range for 2024-02 (01-29)");
	TIME_FAILS("2026-04-31", "day 31 is out of range for 2026-04 (01-30)");
	UTC_IS("2026-01-31", 1769817600000LL);
	TIME_FAILS("2026-12-00", "day 00 is out of range for 2026-12 (01-31)");
	TIME_FAILS("2026-00-07", "month 00 is out of range (01-12)");
	TIME_FAILS("2026-13-07", "month 13 is out of range (01-12)");
	TIME_FAILS("2026-12-07T24:00", "hour 24 is out of range (00-23)");
	TIME_FAILS("2026-12-07T10:60", "minute 60 is out of range (00-59)");
	TIME_FAILS("2026-12-07T10:00:61", "second 61 is out of range (00-60)");
	/* a leap second is the first second of the next minute */
	UTC_IS("2026-12-31T23:59:60Z", 1798761600000LL);
	UTC_IS("2026-12-31T23:59:59Z", 1798761599000LL);
	UTC_IS("2026-12-07T23:59:59.999", 1796687999999LL);
	/* the edges: the epoch, the last 4-digit year, and just before 1970 */
	UTC_IS("1970-01-01T00:00:00Z", 0);
	UTC_IS("1970-01-01", 0);
	UTC_IS("9999-12-31T23:59:59.999Z", 253402300799999LL);
	TIME_FAILS("1969-12-31T23:59:59Z", "that is before 1970-01-01");
	TIME_FAILS("0000-01-01", "that is before 1970-01-01");
	TIME_FAILS("1970-01-01T00:30+01:00", "that is before 1970-01-01");
	/* timegm's -1 for 1969-12-31T23:59:59 is a time like any other */
	UTC_IS("1969-12-31T23:59:59-00:01", 59000);
	UTC_IS("1969-12-31T23:00-02:00", HOUR);
}

static void test_iso_zones(void)
{
	const long long ten = 1796637600000LL; /* 2026-12-07T10:00Z */

	for (int utc = 0; utc <= 1; utc++) {
		/* a zone in the text wins over utc and over TZ */
		TIME_IS("2026-12-07T10:00Z", utc, ten);
		TIME_IS("2026-12-07T10:00z", utc, ten);
		TIME_IS("2026-12-07T10:00:00.000Z", utc, ten);
		TIME_IS("2026-12-07T11:00+01:00", utc, ten);
		TIME_IS("2026-12-07T11:00+0100", utc, ten);
		TIME_IS("2026-12-07T11:00+01", utc, ten);
		TIME_IS("2026-12-07T05:00-05:00", utc, ten);
		TIME_IS("2026-12-07T04:30-0530", utc, ten);
		TIME_IS("2026-12-07T15:30:00.000+05:30", utc, ten);
		TIME_IS("2026-12-07T10:00-00:00", utc, ten);
		TIME_IS("2026-12-07T10:00+00", utc, ten);
		TIME_IS("2026-12-08T09:00+23:00", utc, ten);
		TIME_IS("2026-12-07Z", utc, 1796601600000LL);
		TIME_IS("2026-12-07+01:00", utc, 1796601600000LL - HOUR);
	}
	TIME_FAILS("2026-12-07T10:00+24:00", "the zone offset 24:00 is out of range");
	TIME_FAILS("2026-12-07T10:00+01:60", "the zone offset 01:60 is out of range");
}

static void test_iso_syntax(void)
{
	static const char *const bad[] = {
	    "2026-12-7",
	    "26-12-07",
	    "2026-1-07",
	    "2026-12",
	    "2026-",
	    "20261-12-07",
	    "10000-01-01",
	    "2026-12-07T",
	    "2026-12-07T10",
	    "2026-12-07T1000",
	    "2026-12-07T10:0",
	    "2026-12-07T10:00:",
	    "2026-12-07T10:00:5",
	    "2026-12-07T10:00.5",
	    "2026-12-07T10:00:05.",
	    "2026-12-07T10:00:05.x",
	    "2026-12-07T10:00:05.5.5",
	    "2026-12-07T10:00Zjunk",
	    "2026-12-07T10:00ZZ",
	    "2026-12-07T10:00+1",
	    "2026-12-07T10:00+01:0",
	    "2026-12-07T10:00+010",
	    "2026-12-07T10:00+01:00:00",
	    "2026-12-07T10:00 +01:00",
	    "2026-12-07T10:00 Z",
	    "2026-12-07  10:00",
	    "2026-12-07X10:00",
	    "2026-12-07T10:00:05 PM",
	    "2026-12-07T-1:00",
	    "2026-12-07T10:00+-1:00",
	    "2026-12-07T10:00:05.250Z ago",
	    "2026-12-07 10m",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int ok = time_fails(bad[i], NULL,
				    "expected a date as YYYY-MM-DD, optionally followed by "
				    "Thh:mm[:ss[.fff]] and Z or +hh:mm");
		RECORD(bad[i], ok);
	}
	TIME_FAILS("2026-12-07T10:00:05.1234567891",
		   "at most 9 digits may follow the seconds' decimal point");
	TIME_FAILS("2026-12-07T10:00:05.12345678901234567890123456789Z", "at most 9 digits");
}

static void set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

static void test_iso_local(void)
{
	char *saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	set_tz("America/New_York");
	/* winter: EST, UTC-5 */
	TIME_IS("2026-12-07T10:00", 0, 1796637600000LL + 5 * HOUR);
	TIME_IS("2026-12-07 10:00:05.250", 0, 1796637605250LL + 5 * HOUR);
	TIME_IS("2026-12-07", 0, 1796601600000LL + 5 * HOUR);
	/* summer: EDT, UTC-4 */
	TIME_IS("2026-07-01T12:00", 0, 1782907200000LL + 4 * HOUR);
	TIME_IS("2026-07-01", 0, 1782907200000LL - 12 * HOUR + 4 * HOUR);
	/* utc and an explicit zone both ignore TZ */
	TIME_IS("2026-07-01T12:00", 1, 1782907200000LL);
	TIME_IS("2026-07-01T12:00Z", 0, 1782907200000LL);
	TIME_IS("2026-07-01T12:00+02:00", 0, 1782907200000LL - 2 * HOUR);
	/* relative times and epoch milliseconds do not depend on the zone */
	TIME_IS("10m", 0, NOW - 10 * MIN);
	TIME_IS("1796644800000", 0, 1796644800000LL);

	/* spring forward, 2026-03-08: 02:00 EST is followed by 03:00 EDT */
	TIME_IS("2026-03-07T12:00", 0, 1772884800000LL + 5 * HOUR);
	TIME_IS("2026-03-08T01:59:59", 0, 1772951400000LL + 29 * MIN + 59 * SEC);
	TIME_IS("2026-03-08T03:00", 0, 1772951400000LL + 30 * MIN);
	TIME_IS("2026-03-09T12:00", 0, 1773057600000LL + 4 * HOUR);
	{
		/* 02:30 never happened: either offset is a fair reading */
		long long gap = parse_time("2026-03-08T02:30", NOW, 0);

		CHECK(gap == 1772951400000LL || gap == 1772955000000LL);
	}
	/* fall back, 2026-11-01: 02:00 EDT is followed by 01:00 EST */
	TIME_IS("2026-11-01T00:30", 0, 1793511000000LL - HOUR);
	TIME_IS("2026-11-01T02:30", 0, 1793514600000LL + HOUR);
	{
		/* 01:30 happened twice: one of them */
		long long twice = parse_time("2026-11-01T01:30", NOW, 0);

		CHECK(twice == 1793511000000LL || twice == 1793514600000LL);
	}
	/* local midnight 1970-01-01 in New York is 05:00Z, after the epoch */
	TIME_IS("1970-01-01", 0, 5 * HOUR);
	TIME_IS("1970-01-01", 1, 0);

	set_tz("UTC");
	TIME_IS("2026-12-07T10:00", 0, 1796637600000LL);
	TIME_IS("2026-07-01T12:00", 0, 1782907200000LL);
	TIME_IS("1970-01-01T00:00", 0, 0);
	CHECK(time_fails("1969-12-31T23:59:59", NULL, "that is before 1970-01-01"));

	/* a half-hour zone without daylight saving time */
	set_tz("Asia/Kolkata");
	TIME_IS("2026-12-07T15:30", 0, 1796637600000LL);
	TIME_IS("2026-12-07T15:30", 1, 1796637600000LL + 5 * HOUR + 30 * MIN);
	/* local midnight 1970-01-01 in India is before the epoch */
	{
		struct aws_error err;
		long long out = UNTOUCHED;
		int rc;

		aws_error_clear(&err);
		rc = logs_parse_time("1970-01-01", NOW, 0, &out, &err);
		CHECK(failed_well(rc, out, &err, "time", "1970-01-01", "before 1970-01-01"));
	}

	set_tz(saved);
	free(saved);
}

static void test_error_quotes_trimmed_and_short(void)
{
	char text[512];
	struct aws_error err;
	long long out = UNTOUCHED;

	/* surrounding white space is left out of the quote */
	CHECK(time_fails("  10x \n", "10x", "unknown unit 'x'"));
	CHECK(duration_fails("\t10x ", "10x", "unknown unit 'x'"));

	/* a long text is cut, with "...", and the reason still follows */
	memset(text, 'a', 300);
	text[300] = '\0';
	aws_error_clear(&err);
	CHECK_INT(logs_parse_time(text, NOW, 0, &out, &err), -AWSX_EUSAGE);
	CHECK(!strncmp(err.message, "cannot read time 'aaaa", 22));
	CHECK(strstr(err.message, "aaa...': expected a time such as"));
	CHECK(strlen(err.message) < 200);
	CHECK_INT(out, UNTOUCHED);

	/* a long unit too */
	text[0] = '1';
	aws_error_clear(&err);
	CHECK_INT(logs_parse_time(text, NOW, 0, &out, &err), -AWSX_EUSAGE);
	CHECK(strstr(err.message, "...': unknown unit 'aaaaaaaa"));
	CHECK(strstr(err.message, "aaa...' (accepted: s, sec"));

	/* the cut never splits a UTF-8 character: 'é' is 2 bytes, 'a' 1 */
	text[0] = 'a';
	for (int i = 1; i + 1 < 300; i += 2) {
		text[i] = '\xc3';
		text[i + 1] = '\xa9';
	}
	text[299] = '\0';
	aws_error_clear(&err);
	CHECK_INT(logs_parse_time(text, NOW, 0, &out, &err), -AWSX_EUSAGE);
	{
		const char *cut = strstr(err.message, "...'");

		CHECK(cut != NULL);
		CHECK(cut && cut[-2] == '\xc3' && cut[-1] == '\xa9');
	}
	CHECK_INT(out, UNTOUCHED);
}

static void test_duration(void)
{
	char text[64];

	DURATION_IS("30s", 30 * SEC);
	DURATION_IS("2m", 2 * MIN);
	DURATION_IS("1h", HOUR);
	DURATION_IS("1d", DAY);
	DURATION_IS("1w", WEEK);
	DURATION_IS("500ms", 500);
	DURATION_IS("500 MS", 500);
	DURATION_IS("5msec", 5);
	DURATION_IS("5 msecs", 5);
	DURATION_IS("1 millisecond", 1);
	DURATION_IS("2 Milliseconds", 2);
	DURATION_IS("10", 10 * SEC);
	DURATION_IS(" 7 \n", 7 * SEC);
	DURATION_IS("0", 0);
	DURATION_IS("0ms", 0);
	DURATION_IS("9223372036854775807ms", LLONG_MAX);
	DURATION_IS("9223372036854775s", 9223372036854775LL * SEC);
	DURATION_IS("15250284452w", 15250284452LL * WEEK);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		snprintf(text, sizeof(text), "7%s", units[i].name);
		DURATION_IS(text, 7 * units[i].ms);
		snprintf(text, sizeof(text), "7 %s", units[i].name);
		upper(text);
		DURATION_IS(text, 7 * units[i].ms);
	}
}

static void test_duration_errors(void)
{
	DURATION_FAILS("", "expected a duration such as 30s, 500ms or 2m (a bare number is "
			   "seconds)");
	CHECK(duration_fails("  ", "", "expected a duration such as"));
	DURATION_FAILS("s", "expected a duration such as");
	DURATION_FAILS("forever", "expected a duration such as");
	DURATION_FAILS("-", "expected a duration such as");
	DURATION_FAILS("-5s", "a duration has no sign");
	DURATION_FAILS("+5s", "a duration has no sign");
	DURATION_FAILS("1.5s", "use a whole number, as in 1500ms for 1.5s");
	DURATION_FAILS("10x", "unknown unit 'x' (accepted: s, sec, secs, second, seconds, m, min, "
			      "mins, minute, minutes, h, hr, hrs, hour, hours, d, day, days, w, "
			      "week, weeks, ms, msec, msecs, millisecond, milliseconds)");
	DURATION_FAILS("10:00", "unknown unit ':00'");
	DURATION_FAILS("10s ago", "unexpected 'ago' after the unit");
	DURATION_FAILS("10 s  x y", "unexpected 'x y' after the unit");
	DURATION_FAILS("99999999999999999999", "the number is too large");
	DURATION_FAILS("9223372036854775808ms", "the number is too large");
	DURATION_FAILS("9223372036854775807", "the amount is too large");
	DURATION_FAILS("9223372036854776s", "the amount is too large");
	DURATION_FAILS("15250284453w", "the amount is too large");
	DURATION_FAILS("now", "expected a duration such as");
	DURATION_FAILS("2026-12-07", "unknown unit '-12-07'");
}

int main(void)
{
	RUN(test_relative_every_unit);
	RUN(test_relative_examples);
	RUN(test_relative_errors);
	RUN(test_not_a_time);
	RUN(test_now);
	RUN(test_epoch_ms);
	RUN(test_iso_utc);
	RUN(test_iso_zones);
	RUN(test_iso_syntax);
	RUN(test_iso_local);
	RUN(test_error_quotes_trimmed_and_short);
	RUN(test_duration);
	RUN(test_duration_errors);
	return check_done();
}
