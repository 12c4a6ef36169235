/* SPDX-License-Identifier: Apache-2.0 */
/*
 * when.c: time expressions as people type them after --since and --until
 * ("10m", "2 hours ago", "now", "2026-12-07T10:00", epoch milliseconds)
 * and durations ("30s", "500ms"), read into milliseconds.  The text is
 * classified by how it starts (digits then '-' is a date, digits then a
 * unit a relative time, nothing but digits epoch milliseconds), so an error
 * can say what the form the user meant expects.  Every step of the
 * arithmetic is checked: no number, however long, overflows.
 */
#include "logs/logs.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* Years up to 9999 are past a 32-bit time_t. */
_Static_assert(sizeof(time_t) >= 8, "when.c needs a 64-bit time_t");

/* An error quotes at most this many bytes of the user's text, or of a unit. */
#define WHEN_QUOTE_MAX	    64
#define WHEN_UNIT_QUOTE_MAX 24

/*
 * A bare number this long is epoch milliseconds; a shorter one is more
 * likely an amount whose unit was forgotten.  16 digits reach year 318857.
 */
#define EPOCH_MS_MIN_DIGITS 10
#define EPOCH_MS_MAX_DIGITS 16

#define TIME_EXAMPLES "10m, 2h ago, now, 2026-12-07T10:00 or epoch milliseconds"
#define DATE_FORM     "YYYY-MM-DD, optionally followed by Thh:mm[:ss[.fff]] and Z or +hh:mm"

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)
#define WEEK (7 * DAY)

struct when_unit {
	const char *name;
	long long ms;
	int duration_only; /* milliseconds make no sense as "that long ago" */
};

/* clang-format off */
static const struct when_unit when_units[] = {
	{ "s", SEC, 0 }, { "sec", SEC, 0 }, { "secs", SEC, 0 },
	{ "second", SEC, 0 }, { "seconds", SEC, 0 },
	{ "m", MIN, 0 }, { "min", MIN, 0 }, { "mins", MIN, 0 },
	{ "minute", MIN, 0 }, { "minutes", MIN, 0 },
	{ "h", HOUR, 0 }, { "hr", HOUR, 0 }, { "hrs", HOUR, 0 },
	{ "hour", HOUR, 0 }, { "hours", HOUR, 0 },
	{ "d", DAY, 0 }, { "day", DAY, 0 }, { "days", DAY, 0 },
	{ "w", WEEK, 0 }, { "week", WEEK, 0 }, { "weeks", WEEK, 0 },
	{ "ms", 1, 1 }, { "msec", 1, 1 }, { "msecs", 1, 1 },
	{ "millisecond", 1, 1 }, { "milliseconds", 1, 1 },
};
/* clang-format on */

/* What is being read, for parsing and for the error message. */
struct when_input {
	const char *what; /* "time" or "duration" */
	const char *s;	  /* the text without surrounding white space */
	const char *end;  /* one past its last byte (not a NUL when trimmed) */
	int duration;
	struct aws_error *err;
};

/* Locale-independent classes: the command line is ASCII here. */
static int when_is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int when_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int when_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether [s, s + len) equals the lower-case word, in any case. */
static int when_word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!word[i] || when_lower((unsigned char)s[i]) != word[i])
			return 0;
	return !word[i];
}

/* How many of len bytes to quote: at most max, never ending inside a UTF-8 sequence. */
static int when_quote_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return (int)len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return (int)max;
}

/* Fill in->err with "cannot read <what> '<text>': <fmt...>"; returns -AWSX_EUSAGE. */
static int when_fail(const struct when_input *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int when_fail(const struct when_input *in, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = (size_t)(in->end - in->s);
	int n = when_quote_len(in->s, len, WHEN_QUOTE_MAX);
	va_list ap;
	int rc;

	strbuf_addf(&sb, "cannot read %s '%.*s%s': ", in->what, n, in->s,
		    (size_t)n < len ? "..." : "");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	rc = aws_error_set(in->err, AWSX_EUSAGE, "%s", sb.buf);
	strbuf_release(&sb);
	return rc;
}

static int when_fail_unit(const struct when_input *in, const char *unit, size_t len)
{
	struct strbuf names = STRBUF_INIT;
	int n = when_quote_len(unit, len, WHEN_UNIT_QUOTE_MAX);
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(when_units); i++) {
		if (when_units[i].duration_only && !in->duration)
			continue;
		strbuf_addf(&names, "%s%s", names.len ? ", " : "", when_units[i].name);
	}
	rc = when_fail(in, "unknown unit '%.*s%s' (accepted: %s)", n, unit,
		       (size_t)n < len ? "..." : "", names.buf);
	strbuf_release(&names);
	return rc;
}

static const struct when_unit *when_find_unit(const struct when_input *in, const char *s,
					      size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(when_units); i++) {
		if (when_units[i].duration_only && !in->duration)
			continue;
		if (when_word_is(s, len, when_units[i].name))
			return &when_units[i];
	}
	return NULL;
}

/*
 * Read "<whole number>[white space]<unit>" from the start of in into *ms;
 * *rest is what follows the unit.  A number without a unit is seconds for a
 * duration and an error for a time.
 */
static int when_read_amount(const struct when_input *in, long long *ms, const char **rest)
{
	const char *p = in->s, *unit;
	const struct when_unit *u;
	long long amount = 0, scale = SEC; /* a bare duration is seconds */

	if (*p == '-' || *p == '+') {
		if (in->duration)
			return when_fail(in, "a duration has no sign");
		return when_fail(in, "write the amount without a sign (10m already means "
				     "10 minutes ago)");
	}
	for (; p < in->end && when_is_digit(*p); p++) {
		int digit = *p - '0';

		if (amount > (LLONG_MAX - digit) / 10)
			return when_fail(in, "the number is too large");
		amount = amount * 10 + digit;
	}
	if (p + 1 < in->end && (*p == '.' || *p == ',') && when_is_digit(p[1]))
		return when_fail(in, "use a whole number, as in %s",
				 in->duration ? "1500ms for 1.5s" : "90m for 1.5h");
	if (p < in->end && *p == ':' && !in->duration)
		return when_fail(in, "give the date too, as in 2026-12-07T10:00");
	while (p < in->end && when_is_space(*p))
		p++;
	unit = p;
	while (p < in->end && !when_is_space(*p))
		p++;
	if (p == unit) {
		if (!in->duration)
			return when_fail(in, "add a unit, as in 10m, or give epoch milliseconds");
	} else {
		u = when_find_unit(in, unit, (size_t)(p - unit));
		if (!u)
			return when_fail_unit(in, unit, (size_t)(p - unit));
		scale = u->ms;
	}
	if (amount > LLONG_MAX / scale)
		return when_fail(in, "the amount is too large");
	*ms = amount * scale;
	*rest = p;
	return 0;
}

/* "10m", "5 min ago": that long before now_ms. */
static int when_read_relative(const struct when_input *in, long long now_ms, long long *out_ms)
{
	const char *p, *word;
	long long ms;
	int rc;

	rc = when_read_amount(in, &ms, &p);
	if (rc)
		return rc;
	while (p < in->end && when_is_space(*p))
		p++;
	word = p;
	while (p < in->end && !when_is_space(*p))
		p++;
	if (word < in->end && !(when_word_is(word, (size_t)(p - word), "ago") && p == in->end)) {
		size_t len = (size_t)(in->end - word);
		int n = when_quote_len(word, len, WHEN_UNIT_QUOTE_MAX);

		return when_fail(in, "unexpected '%.*s%s' after the unit (only 'ago' may follow)",
				 n, word, (size_t)n < len ? "..." : "");
	}
	/* Comparing first keeps now_ms - ms from overflowing whatever now_ms is. */
	if (ms > now_ms)
		return when_fail(in, "that is before 1970-01-01");
	*out_ms = now_ms - ms;
	return 0;
}

/* Exactly n digits at *p (within end) into *value. */
static int when_read_fixed(const char **p, const char *end, int n, int *value)
{
	const char *s = *p;
	int v = 0;

	if (end - s < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!when_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	*p = s + n;
	return 0;
}

static int when_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* ISO 8601 date or date-time, in the zone it names, else UTC or local time. */
static int when_read_iso(const struct when_input *in, int utc, long long *out_ms)
{
	const char *p = in->s, *end = in->end;
	int year, month, day, hour = 0, minute = 0, second = 0, frac_ms = 0;
	int zoned = 0, off_h = 0, off_m = 0, off_sign = 1;
	struct tm tm;
	long long t;

	if (when_read_fixed(&p, end, 4, &year) || p == end || *p++ != '-' ||
	    when_read_fixed(&p, end, 2, &month) || p == end || *p++ != '-' ||
	    when_read_fixed(&p, end, 2, &day))
		goto syntax;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (when_read_fixed(&p, end, 2, &hour) || p == end || *p++ != ':' ||
		    when_read_fixed(&p, end, 2, &minute))
			goto syntax;
		if (p < end && *p == ':') {
			p++;
			if (when_read_fixed(&p, end, 2, &second))
				goto syntax;
			if (p < end && (*p == '.' || *p == ',')) {
				int digits = 0;

				for (p++; p < end && when_is_digit(*p); p++) {
					if (digits < 3)
						frac_ms = frac_ms * 10 + (*p - '0');
					if (digits < 10) /* enough to know there are too many */
						digits++;
				}
				if (!digits)
					goto syntax;
				if (digits > 9)
					return when_fail(in, "at most 9 digits may follow the "
							     "seconds' decimal point");
				for (; digits < 3; digits++)
					frac_ms *= 10;
			}
		}
	}
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
		zoned = 1;
	} else if (p < end && (*p == '+' || *p == '-')) {
		off_sign = *p++ == '-' ? -1 : 1;
		if (when_read_fixed(&p, end, 2, &off_h))
			goto syntax;
		if (p < end && *p == ':') {
			p++;
			if (when_read_fixed(&p, end, 2, &off_m))
				goto syntax;
		} else if (p < end && when_read_fixed(&p, end, 2, &off_m)) {
			goto syntax;
		}
		zoned = 1;
	}
	if (p != end)
		goto syntax;

	if (month < 1 || month > 12)
		return when_fail(in, "month %02d is out of range (01-12)", month);
	if (day < 1 || day > when_days_in_month(year, month))
		return when_fail(in, "day %02d is out of range for %04d-%02d (01-%02d)", day, year,
				 month, when_days_in_month(year, month));
	if (hour > 23)
		return when_fail(in, "hour %02d is out of range (00-23)", hour);
	if (minute > 59)
		return when_fail(in, "minute %02d is out of range (00-59)", minute);
	if (second > 60)
		return when_fail(in, "second %02d is out of range (00-60)", second);
	if (off_h > 23 || off_m > 59)
		return when_fail(in, "the zone offset %02d:%02d is out of range", off_h, off_m);

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second; /* a leap second (60) becomes the next minute's 00 */
	if (zoned || utc) {
		/* Validated fields and a 64-bit time_t: timegm cannot fail. */
		t = (long long)timegm(&tm) - off_sign * (off_h * 3600LL + off_m * 60LL);
	} else {
		/*
		 * mktime works out whether daylight saving time applies; -1 is
		 * an error or 1969-12-31T23:59:59, rejected below either way.
		 */
		tm.tm_isdst = -1;
		t = (long long)mktime(&tm);
	}
	if (t < 0)
		return when_fail(in, "that is before 1970-01-01");
	*out_ms = t * 1000 + frac_ms;
	return 0;

syntax:
	return when_fail(in, "expected a date as " DATE_FORM);
}

/* Point in at text without the white space around it. */
static void when_trim(struct when_input *in, const char *text)
{
	const char *s = text, *end = text + strlen(text);

	while (s < end && when_is_space(*s))
		s++;
	while (end > s && when_is_space(end[-1]))
		end--;
	in->s = s;
	in->end = end;
}

int logs_parse_time(const char *text, long long now_ms, int utc, long long *out_ms,
		    struct aws_error *err)
{
	struct when_input in = {.what = "time", .duration = 0, .err = err};
	long long epoch_ms = 0;
	const char *p;
	size_t len;

	when_trim(&in, text);
	len = (size_t)(in.end - in.s);
	for (p = in.s; p < in.end && when_is_digit(*p); p++)
		;
	if (!len)
		return when_fail(&in, "expected a time such as " TIME_EXAMPLES);
	if (when_word_is(in.s, len, "now")) {
		*out_ms = now_ms;
		return 0;
	}
	if (p > in.s && p < in.end && *p == '-')
		return when_read_iso(&in, utc, out_ms);
	if (p == in.end) {
		if (len < EPOCH_MS_MIN_DIGITS)
			return when_fail(&in, "add a unit, as in 10m, or give epoch milliseconds");
		if (len > EPOCH_MS_MAX_DIGITS)
			return when_fail(&in, "epoch milliseconds have at most %d digits",
					 EPOCH_MS_MAX_DIGITS);
		/* at most 16 digits: no overflow */
		for (p = in.s; p < in.end; p++)
			epoch_ms = epoch_ms * 10 + (*p - '0');
		*out_ms = epoch_ms;
		return 0;
	}
	if (p > in.s || ((*in.s == '-' || *in.s == '+') && len > 1 && when_is_digit(in.s[1])))
		return when_read_relative(&in, now_ms, out_ms);
	return when_fail(&in, "expected a time such as " TIME_EXAMPLES);
}

int logs_parse_duration(const char *text, long long *out_ms, struct aws_error *err)
{
	struct when_input in = {.what = "duration", .duration = 1, .err = err};
	const char *rest;
	long long ms;
	int rc;

	when_trim(&in, text);
	if (in.s == in.end ||
	    !(when_is_digit(*in.s) ||
	      ((*in.s == '-' || *in.s == '+') && in.end - in.s > 1 && when_is_digit(in.s[1]))))
		return when_fail(&in, "expected a duration such as 30s, 500ms or 2m "
				      "(a bare number is seconds)");
	rc = when_read_amount(&in, &ms, &rest);
	if (rc)
		return rc;
	if (rest != in.end) {
		size_t len;
		int n;

		/* the unit ended at white space: quote what follows it */
		while (rest < in.end && when_is_space(*rest))
			rest++;
		len = (size_t)(in.end - rest);
		n = when_quote_len(rest, len, WHEN_UNIT_QUOTE_MAX);
		return when_fail(&in, "unexpected '%.*s%s' after the unit", n, rest,
				 (size_t)n < len ? "..." : "");
	}
	*out_ms = ms;
	return 0;
}
