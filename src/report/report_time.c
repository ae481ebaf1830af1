/*
 * report_time.c — UTC times for reports: parsing --since/--until values
 * (ISO 8601 date or date-time, UTC only) into the database's normalised
 * text "YYYY-MM-DDTHH:MM:SS.mmmZ" (which sorts as text, so the SQL compares
 * strings and can use attempts_by_started), and a fast parse of stored
 * times to milliseconds for cycle times (a million rows: no timegm/strptime
 * per row). Reference: ISO 8601-1:2019 §5.2–5.4; db/db.h (stored format).
 */
#include "report/report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define RT_MS_PER_DAY 86400000LL
#define RT_DAYS_0001_TO_1970 719162LL /* days from 0001-01-01 to 1970-01-01 (proleptic Gregorian) */
#define RT_HINT "use ISO 8601 UTC, e.g. 2026-11-24 or 2026-11-24T08:00:00Z"

typedef struct rt_fields {
	int year, month, day, hour, min, sec, ms;
} rt_fields;

static int rt_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int rt_month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && rt_leap(y) ? 29 : days[m - 1];
}

static int64_t rt_days_since_1970(int y, int m, int d)
{
	static const int cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int64_t yy = (int64_t)y - 1;
	int64_t days = yy * 365 + yy / 4 - yy / 100 + yy / 400 + cum[m - 1] + d - 1;

	if (m > 2 && rt_leap(y))
		days++;
	return days - RT_DAYS_0001_TO_1970;
}

/* Read exactly n digits at *p; -1 if any is not a digit. */
static int rt_digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* Fractional seconds ".f", ".ff" or ".fff" (more digits are cut: ms resolution). */
static int rt_fraction(const char **p)
{
	int ms = 0, n = 0;

	if (**p != '.')
		return 0;
	(*p)++;
	for (; **p >= '0' && **p <= '9'; (*p)++, n++)
		if (n < 3)
			ms = ms * 10 + (**p - '0');
	if (n == 0)
		return -1;
	for (; n < 3; n++)
		ms *= 10;
	return ms;
}

/* Time part after 'T': HH:MM[:SS[.fff]] then Z or +00:00. NULL on success, else what is wrong. */
static const char *rt_parse_clock(rt_fields *t, const char *p)
{
	if ((t->hour = rt_digits(&p, 2)) < 0 || *p++ != ':' || (t->min = rt_digits(&p, 2)) < 0)
		return "the time must be HH:MM or HH:MM:SS";
	if (*p == ':') {
		p++;
		if ((t->sec = rt_digits(&p, 2)) < 0 || (t->ms = rt_fraction(&p)) < 0)
			return "the seconds must be SS or SS.fff";
	}
	if (t->hour > 23 || t->min > 59 || t->sec > 59)
		return "hour, minute or second out of range";
	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0 || strcmp(p, "+00:00") == 0)
		return NULL;
	return *p ? "only UTC is accepted: end the time with 'Z'" : "the time has no zone: end it with 'Z' (UTC)";
}

static const char *rt_parse(rt_fields *t, const char *p, int *date_only)
{
	memset(t, 0, sizeof(*t));
	if ((t->year = rt_digits(&p, 4)) < 0 || *p++ != '-' || (t->month = rt_digits(&p, 2)) < 0 ||
	    *p++ != '-' || (t->day = rt_digits(&p, 2)) < 0)
		return "the date must be YYYY-MM-DD";
	if (t->year < 1970 || t->month < 1 || t->month > 12)
		return "year or month out of range";
	if (t->day < 1 || t->day > rt_month_days(t->year, t->month))
		return "no such day in that month";
	*date_only = *p == '\0';
	if (*date_only)
		return NULL;
	if (*p != 'T' && *p != 't')
		return "date and time must be separated by 'T'";
	return rt_parse_clock(t, p + 1);
}

int gang_report_parse_time(char *out, size_t cap, const char *s, int end_of_day, gang_diag *d)
{
	rt_fields t;
	int date_only = 0;
	const char *why = s ? rt_parse(&t, s, &date_only) : "missing";
	int64_t ms;

	if (why)
		return gang_diag_set(d, GANG_EUSAGE, "time '%s': %s (%s)", s ? s : "", why, RT_HINT);
	ms = rt_days_since_1970(t.year, t.month, t.day) * RT_MS_PER_DAY +
	     ((int64_t)t.hour * 3600 + t.min * 60 + t.sec) * 1000 + t.ms;
	if (date_only && end_of_day)
		ms += RT_MS_PER_DAY;
	gang_report_time_text(out, cap, ms);
	return GANG_OK;
}

int gang_report_time_ms(int64_t *out, const char *iso)
{
	rt_fields t;
	int date_only = 0;

	*out = 0;
	if (!iso || rt_parse(&t, iso, &date_only))
		return GANG_EUSAGE;
	*out = rt_days_since_1970(t.year, t.month, t.day) * RT_MS_PER_DAY +
	       ((int64_t)t.hour * 3600 + t.min * 60 + t.sec) * 1000 + t.ms;
	return GANG_OK;
}

void gang_report_time_text(char *out, size_t cap, int64_t ms)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/*
 * Days, hours, minutes and seconds, largest unit first; tenths of a second
 * below an hour, where they still tell attempts apart.
 */
void gang_report_duration_text(char *out, size_t cap, int64_t ms)
{
	int64_t s = ms / 1000, d = s / 86400;

	if (ms < 0)
		ms = s = d = 0;
	if (ms < 60000)
		snprintf(out, cap, "%.1f s", (double)ms / 1000.0);
	else if (ms < 3600000)
		snprintf(out, cap, "%d min %04.1f s", (int)(ms / 60000), (double)(ms % 60000) / 1000.0);
	else if (!d)
		snprintf(out, cap, "%d h %02d min %02d s", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
	else
		snprintf(out, cap, "%lld d %02d h %02d min %02d s", (long long)d, (int)(s / 3600 % 24),
			 (int)(s / 60 % 60), (int)(s % 60));
}
