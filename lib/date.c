/* date.c - the dates a person types: ISO 8601, words, offsets */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

static const char formats[] = "2026-12-01, 2026-12-01T10:00, now, today, "
    "tomorrow, yesterday, mon..sun, +3d, -2w, +1m, +1y, +4h, eow, eom; a "
    "day may be followed by a time: 'fri 10:00'";

static const char *const wdays[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat" };
static const char *const wdays_long[] = { "sunday", "monday", "tuesday",
	"wednesday", "thursday", "friday", "saturday" };

/* HH:MM[:SS] */
static int
clock_time(const char *s, int *h, int *m, int *sec)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || end - s > 2 || *end != ':' || v < 0 || v > 23)
		return 0;
	*h = (int)v;
	s = end + 1;
	v = strtol(s, &end, 10);
	if (end - s != 2 || v < 0 || v > 59)
		return 0;
	*m = (int)v;
	*sec = 0;
	if (*end == ':') {
		s = end + 1;
		v = strtol(s, &end, 10);
		if (end - s != 2 || v < 0 || v > 60)
			return 0;
		*sec = (int)v;
	}
	return *end == 0;
}

/*
 * ISO 8601, whose hours have two digits, or a date and an hour of one
 * digit ("2026-12-01 9:30"), as the time after a day word may have.
 */
static int
iso_parse(const char *s, int64_t *out)
{
	char padded[80];

	if (!crm_datetime_parse(s, out))
		return 0;
	if (strlen(s) < 13 || (s[10] != 'T' && s[10] != ' ') ||
	    !isdigit((unsigned char)s[11]) || s[12] != ':')
		return CRM_EINVAL;
	snprintf(padded, sizeof padded, "%.11s0%s", s, s + 11);
	return crm_datetime_parse(padded, out);
}

/*
 * n months on from a normalised tm.  The day is kept, but a month
 * without it (the 31st of February) ends on its last day instead of
 * spilling into the next month, as mktime would have it.
 */
static void
add_months(struct tm *tm, long n)
{
	long m = tm->tm_year * 12L + tm->tm_mon + n;
	int last;

	tm->tm_year = (int)(m >= 0 ? m / 12 : (m - 11) / 12);
	tm->tm_mon = (int)(m - tm->tm_year * 12L);
	last = crm_month_days(tm->tm_year + 1900, tm->tm_mon + 1);
	if (tm->tm_mday > last)
		tm->tm_mday = last;
}

static int64_t
mk(struct tm *tm)
{
	tm->tm_isdst = -1;
	return (int64_t)mktime(tm);
}

int
crm_date_parse(const char *in, int64_t now, int64_t *out)
{
	char word[64], *sp, *end;
	const char *rest = NULL;
	time_t tt = (time_t)now;
	struct tm tm;
	int h = 0, m = 0, sec = 0, timed = 0, i;
	long n;
	size_t len;

	while (isspace((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len && isspace((unsigned char)in[len - 1]))
		len--;
	if (!len || len >= sizeof word)
		goto bad;
	memcpy(word, in, len);
	word[len] = 0;
	/* ISO 8601 first: its own parser knows offsets and seconds */
	if (isdigit((unsigned char)word[0]) && !iso_parse(word, out))
		return 0;
	/* a day word, then maybe a time */
	if ((sp = strchr(word, ' '))) {
		*sp = 0;
		rest = sp + 1;
		while (*rest == ' ')
			rest++;
		if (!clock_time(rest, &h, &m, &sec))
			goto bad;
		timed = 1;
		if (isdigit((unsigned char)word[0])) {
			/* 2026-12-01 10:00 is ISO 8601 with a blank */
			char iso[80];

			snprintf(iso, sizeof iso, "%sT%s", word, rest);
			if (!iso_parse(iso, out))
				return 0;
			goto bad;
		}
	}
	localtime_r(&tt, &tm);
	if (!strcasecmp(word, "now")) {
		if (timed)
			goto bad;
		*out = now;
		return 0;
	}
	if (!strcasecmp(word, "today")) {
		;
	} else if (!strcasecmp(word, "tomorrow")) {
		tm.tm_mday++;
	} else if (!strcasecmp(word, "yesterday")) {
		tm.tm_mday--;
	} else if (!strcasecmp(word, "eow")) {
		/* the end of the week is its Sunday */
		tm.tm_mday += (7 - tm.tm_wday) % 7;
		if (!timed)
			h = 23, m = 59, sec = 59, timed = 1;
	} else if (!strcasecmp(word, "eom")) {
		tm.tm_mon++;
		tm.tm_mday = 0;
		if (!timed)
			h = 23, m = 59, sec = 59, timed = 1;
	} else if (word[0] == '+' || word[0] == '-') {
		n = strtol(word + 1, &end, 10);
		/* one unit letter, and nothing read past the NUL after
		 * a number that has none */
		if (end == word + 1 || n < 0 || n > 100000 || !*end ||
		    end[1])
			goto bad;
		if (word[0] == '-')
			n = -n;
		switch (*end) {
		case 'h':
			if (timed)
				goto bad;
			*out = now + n * 3600;
			return 0;
		case 'd': tm.tm_mday += (int)n; break;
		case 'w': tm.tm_mday += 7 * (int)n; break;
		case 'm': add_months(&tm, n); break;
		case 'y': add_months(&tm, 12 * n); break;
		default: goto bad;
		}
		if (!timed) {
			/* an offset keeps the time of day */
			*out = mk(&tm);
			return 0;
		}
	} else {
		for (i = 0; i < 7; i++)
			if (!strcasecmp(word, wdays[i]) ||
			    !strcasecmp(word, wdays_long[i]))
				break;
		if (i == 7)
			goto bad;
		/* the next such day; today if it is one */
		tm.tm_mday += (i - tm.tm_wday + 7) % 7;
	}
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*out = mk(&tm);
	return 0;
bad:
	return crm_seterr(CRM_EINVAL, "cannot read the date '%s' (use %s)",
	    in, formats);
}
