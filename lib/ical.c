/* ical.c - iCalendar (RFC 5545) content lines: escaping and folding */
#include <stdlib.h>
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

static const char *
priority(const char *p)
{
	/* RFC 5545 3.8.1.9: 1 highest, 5 medium, 9 lowest */
	return !p ? "0" : !strcmp(p, "high") ? "1" : !strcmp(p, "low") ?
	    "9" : "5";
}

/* What a calendar shows of the record an item is about. */
static void
related(struct crm_buf *cal, const crm_rec *about, const char *uid)
{
	struct crm_buf v = CRM_BUF_INIT;
	const char *name = crm_rec_value(about, "name");
	const char *phone = crm_rec_value(about, "phone");
	const char *email = crm_rec_value(about, "email");

	crm_buf_addf(&v, "record-%llu@%s",
	    (unsigned long long)crm_rec_id(about), uid);
	crm_ical_prop(cal, "RELATED-TO", v.buf, 0);
	crm_buf_reset(&v);
	crm_buf_addf(&v, "%s%s%s%s%s", name ? name : "", phone ? "\n" : "",
	    phone ? phone : "", email ? "\n" : "", email ? email : "");
	crm_ical_prop(cal, "DESCRIPTION", v.buf, 1);
	crm_buf_release(&v);
}

void
crm_ical_todo(struct crm_buf *cal, const crm_rec *task, const crm_rec *about,
    int64_t due, const char *uid)
{
	struct crm_buf v = CRM_BUF_INIT;
	const char *text = crm_rec_value(task, "text");
	const char *done = crm_rec_value(task, "done");

	crm_ical_prop(cal, "BEGIN", "VTODO", 0);
	crm_buf_addf(&v, "task-%llu@%s",
	    (unsigned long long)crm_rec_id(task), uid);
	crm_ical_prop(cal, "UID", v.buf, 0);
	crm_buf_reset(&v);
	crm_ical_time(&v, crm_rec_created(task));
	crm_ical_prop(cal, "DTSTAMP", v.buf, 0);
	if (due) {
		crm_buf_reset(&v);
		crm_ical_time(&v, due);
		crm_ical_prop(cal, "DUE", v.buf, 0);
	}
	crm_ical_prop(cal, "SUMMARY", text ? text : "", 1);
	crm_ical_prop(cal, "STATUS", done ? "COMPLETED" : "NEEDS-ACTION", 0);
	if (done) {
		crm_buf_reset(&v);
		crm_ical_time(&v, strtoll(done, NULL, 10));
		crm_ical_prop(cal, "COMPLETED", v.buf, 0);
	}
	crm_ical_prop(cal, "PRIORITY",
	    priority(crm_rec_value(task, "priority")), 0);
	if (about)
		related(cal, about, uid);
	crm_ical_prop(cal, "END", "VTODO", 0);
	crm_buf_release(&v);
}

void
crm_ical_event(struct crm_buf *cal, const struct crm_log *e,
    const crm_rec *about, const char *uid)
{
	struct crm_buf v = CRM_BUF_INIT;

	crm_ical_prop(cal, "BEGIN", "VEVENT", 0);
	crm_buf_addf(&v, "entry-%llu@%s", (unsigned long long)e->id, uid);
	crm_ical_prop(cal, "UID", v.buf, 0);
	crm_buf_reset(&v);
	crm_ical_time(&v, e->at);
	crm_ical_prop(cal, "DTSTAMP", v.buf, 0);
	crm_ical_prop(cal, "DTSTART", v.buf, 0);
	crm_ical_prop(cal, "DURATION", "PT1H", 0);
	crm_ical_prop(cal, "SUMMARY", e->text && *e->text ? e->text :
	    e->kind, 1);
	if (about)
		related(cal, about, uid);
	crm_ical_prop(cal, "END", "VEVENT", 0);
	crm_buf_release(&v);
}
