/* ical.c - iCalendar (RFC 5545) content lines: escaping and folding */
#include <string.h>
#include <time.h>

#include "crm.h"

/* Append "NAME:VALUE" folded to 75 octets a line, never inside a UTF-8
 * character, and ended with CRLF (RFC 5545 3.1); text values escaped
 * (3.3.11). */
void
crm_ical_prop(struct crm_buf *b, const char *name, const char *value,
    int text)
{
	struct crm_buf line = CRM_BUF_INIT;
	const char *p;
	size_t col = 0, i, n;

	crm_buf_addstr(&line, name);
	crm_buf_addch(&line, ':');
	for (p = value; *p; p++) {
		if (text && (*p == '\\' || *p == ';' || *p == ',')) {
			crm_buf_addch(&line, '\\');
			crm_buf_addch(&line, *p);
		} else if (text && *p == '\n') {
			crm_buf_addstr(&line, "\\n");
		} else if (text && *p == '\r') {
			;
		} else {
			crm_buf_addch(&line, *p);
		}
	}
	for (i = 0; i < line.len; i += n) {
		/* the length of the character at i */
		unsigned char c = (unsigned char)line.buf[i];

		n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + n > line.len)
			n = line.len - i;
		if (col + n > 75) {
			crm_buf_addstr(b, "\r\n ");
			col = 1;
		}
		crm_buf_add(b, line.buf + i, n);
		col += n;
	}
	crm_buf_addstr(b, "\r\n");
	crm_buf_release(&line);
}

/* A time in UTC, basic format: 20261123T174000Z. */
void
crm_ical_time(struct crm_buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm);
	crm_buf_addstr(b, s);
}
