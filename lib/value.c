/* value.c - e-mail addresses, dates and times, escaping */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static int
atext(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+/=?^_`{|}~-", c);
}

/* addr-spec with a dot-atom local part (RFC 5322 3.4.1, UTF-8 per 6531) */
int
crm_email_valid(const char *s)
{
	const char *at = strrchr(s, '@'), *p;
	size_t len = strlen(s);
	int dots = 0;

	if (!at || at == s || len > 254 || at - s > 64 ||
	    !crm_utf8_valid(s, len))
		return 0;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p[1] == '.' || p + 1 == at)
				return 0;
		} else if (!atext((unsigned char)*p)) {
			return 0;
		}
	}
	for (p = at + 1; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (p == at + 1 || p[1] == '.' || p[1] == 0 ||
			    p[-1] == '-' || p[1] == '-')
				return 0;
			dots++;
		} else if (!isalnum(c) && c != '-' && c < 0x80) {
			return 0;
		}
	}
	return dots > 0 && at[1] != '-';
}

static int
num(const char **pp, int n, int *v)
{
	const char *p = *pp;
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return 1;
}

int
crm_month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t
days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
crm_date_valid(const char *s)
{
	int y = 2000, m, d;
	const char *p = s;

	if (!strncmp(p, "--", 2))
		p += 2;
	else if (!num(&p, 4, &y) || *p++ != '-')
		return 0;
	if (!num(&p, 2, &m) || *p++ != '-' || !num(&p, 2, &d) || *p)
		return 0;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= crm_month_days(y, m);
}

int
crm_datetime_parse(const char *s, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, local = 1, sign;
	int64_t off = 0;
	const char *p = s;
	struct tm tm;
	time_t tt;

	if (!num(&p, 4, &y) || *p++ != '-' || !num(&p, 2, &mo) ||
	    *p++ != '-' || !num(&p, 2, &d))
		return CRM_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > crm_month_days(y, mo))
		return CRM_EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!num(&p, 2, &h) || *p++ != ':' || !num(&p, 2, &mi))
			return CRM_EINVAL;
		if (*p == ':') {
			p++;
			if (!num(&p, 2, &sec))
				return CRM_EINVAL;
			if (*p == '.' || *p == ',')
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return CRM_EINVAL;
		if (*p == 'Z') {
			p++;
			local = 0;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (!num(&p, 2, &oh))
				return CRM_EINVAL;
			if (*p == ':')
				p++;
			if (!num(&p, 2, &om) || oh > 23 || om > 59)
				return CRM_EINVAL;
			off = sign * (oh * 3600 + om * 60);
			local = 0;
		}
	}
	if (*p)
		return CRM_EINVAL;
	if (!local) {
		*t = days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	tt = mktime(&tm);
	*t = (int64_t)tt;
	return 0;
}

static void
two(char *b, int v)
{
	b[0] = (char)('0' + v / 10);
	b[1] = (char)('0' + v % 10);
}

void
crm_datetime_fmt(struct crm_buf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[64];
	size_t n;

	long off;
	/* the last one made: the same second comes again and again */
	static int64_t last_t = INT64_MIN;
	static char last[25];

	if (t == last_t) {
		crm_buf_add(out, last, 25);
		return;
	}
	localtime_r(&tt, &tm);
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		n = strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S%z", &tm);
		if (n >= 5) {
			/* +0100 -> +01:00 */
			crm_buf_add(out, b, n - 2);
			crm_buf_addch(out, ':');
			crm_buf_add(out, b + n - 2, 2);
		}
		return;
	}
	/* by hand: strftime was a tenth of an export */
	off = tm.tm_gmtoff / 60;
	two(b, (tm.tm_year + 1900) / 100);
	two(b + 2, (tm.tm_year + 1900) % 100);
	b[4] = '-';
	two(b + 5, tm.tm_mon + 1);
	b[7] = '-';
	two(b + 8, tm.tm_mday);
	b[10] = 'T';
	two(b + 11, tm.tm_hour);
	b[13] = ':';
	two(b + 14, tm.tm_min);
	b[16] = ':';
	two(b + 17, tm.tm_sec);
	b[19] = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	two(b + 20, (int)(off / 60));
	b[22] = ':';
	two(b + 23, (int)(off % 60));
	crm_buf_add(out, b, 25);
	memcpy(last, b, 25);
	last_t = t;
}

void
crm_escape(struct crm_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		const char *e;

		switch (s[i]) {
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\\': e = "\\\\"; break;
		default: continue;
		}
		crm_buf_add(out, s + run, i - run);
		crm_buf_add(out, e, 2);
		run = i + 1;
	}
	crm_buf_add(out, s + run, len - run);
}

/*
 * Money in ten-thousandths, so sums stay exact: all an int64_t holds,
 * so that what crm_money_fmt writes reads back.  1 when s is not written
 * as an amount, 2 when it is one out of that range.
 */
static int
money_scan(const char *s, int64_t *v)
{
	int64_t units = 0, sign = 1;
	int dec = -1, digits = 0, over = 0;

	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	for (; *s; s++) {
		if (*s == '.' && dec < 0) {
			dec = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || dec >= 4)
			return 1;
		digits++;
		if (units > (INT64_MAX - (*s - '0')) / 10)
			over = 1;
		else
			units = units * 10 + (*s - '0');
		if (dec >= 0)
			dec++;
	}
	if (!digits)
		return 1;
	for (dec = dec < 0 ? 0 : dec; dec < 4 && !over; dec++) {
		if (units > INT64_MAX / 10)
			over = 1;
		else
			units *= 10;
	}
	if (over)
		return 2;
	*v = sign * units;
	return 0;
}

int
crm_money_parse(const char *s, int64_t *v)
{
	return money_scan(s, v) ? CRM_EINVAL : 0;
}

int
crm_money_read(const char *what, const char *s, int64_t *v)
{
	switch (money_scan(s, v)) {
	case 0:
		return 0;
	case 1:
		return crm_seterr(CRM_EINVAL, "%s: '%s' is not an amount of "
		    "money (e.g. 1840.50)", what, s);
	default:
		return crm_seterr(CRM_EINVAL, "%s: '%s' is out of range (an "
		    "amount of money is at most %s either way)", what, s,
		    CRM_MONEY_MAX);
	}
}

void
crm_money_fmt(struct crm_buf *out, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	unsigned frac = (unsigned)(a % 10000);

	crm_buf_addf(out, "%s%llu.", v < 0 ? "-" : "",
	    (unsigned long long)(a / 10000));
	if (frac % 100)
		crm_buf_addf(out, "%04u", frac);
	else
		crm_buf_addf(out, "%02u", frac / 100);
}
