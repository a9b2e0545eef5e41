/* mail.c - mailing lists: addresses, CSV for mail merge, who may be mailed */
#include <string.h>

#include "internal.h"

/* s with each control character as a blank; in a quoted string
 * (quote), " and \\ with a backslash */
static void
header_text(struct crm_buf *out, const char *s, size_t n, int quote)
{
	size_t i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && (unsigned char)s[j] >= 0x20 &&
		    s[j] != 0x7f && !(quote && (s[j] == '"' ||
		    s[j] == '\\')); j++)
			;
		crm_buf_add(out, s + i, j - i);
		if (j == n)
			break;
		if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f) {
			crm_buf_addch(out, ' ');
		} else {
			crm_buf_addch(out, '\\');
			crm_buf_addch(out, s[j]);
		}
	}
}

void
crm_mail_blank(struct crm_buf *out, const char *s, size_t n)
{
	header_text(out, s, n, 0);
}

void
crm_mailbox(struct crm_buf *out, const char *name, const char *email)
{
	if (!name || !*name) {
		crm_buf_addch(out, '<');
		crm_buf_addstr(out, email);
		crm_buf_addch(out, '>');
		return;
	}
	crm_buf_addch(out, '"');
	header_text(out, name, strlen(name), 1);
	crm_buf_add(out, "\" <", 3);
	crm_buf_addstr(out, email);
	crm_buf_addch(out, '>');
}

void
crm_csv_field(struct crm_buf *out, const char *s)
{
	const char *p;
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	/* a cell a spreadsheet would run as a formula starts with ' */
	if (strchr("=+-@\t\r", *s) && *s) {
		quote = 1;
		crm_buf_addch(out, '"');
		crm_buf_addch(out, '\'');
	} else if (quote) {
		crm_buf_addch(out, '"');
	}
	for (p = s; *p; p++) {
		if (*p == '"')
			crm_buf_addch(out, '"');
		crm_buf_addch(out, *p);
	}
	if (quote)
		crm_buf_addch(out, '"');
}

int
crm_mail_ok(crm_txn *t, const crm_rec *r, struct crm_buf *why)
{
	const char *email = crm_rec_value(r, "email");
	int rc;

	if (!email) {
		crm_buf_addstr(why, "no e-mail address");
		return CRM_ENOTFOUND;
	}
	rc = crm_optout_get(t, email, why);
	if (rc != CRM_ENOTFOUND)
		return rc ? rc : CRM_ENOTFOUND;
	/* the schema may want consent on record, not only no opt-out */
	if (r->schema->mail_consent) {
		const char *v = crm_rec_value(r, r->schema->mail_consent);
		size_t w = v ? strcspn(v, " ") : 0;

		/* a bool says true, a consent yes (and when, whence) */
		if (!v || !((w == 4 && !strncmp(v, "true", 4)) ||
		    (w == 3 && !strncmp(v, "yes", 3)))) {
			crm_buf_addf(why, "no consent (%s)",
			    r->schema->mail_consent);
			return CRM_ENOTFOUND;
		}
	}
	return 0;
}
