/* mail.c - mailing lists: addresses, CSV for mail merge, who may be mailed */
#include <string.h>

#include "internal.h"

void
crm_mailbox(struct crm_buf *out, const char *name, const char *email)
{
	const char *p;

	if (!name || !*name) {
		crm_buf_addch(out, '<');
		crm_buf_addstr(out, email);
		crm_buf_addch(out, '>');
		return;
	}
	/* a quoted string: only " and \ need a backslash */
	crm_buf_addch(out, '"');
	for (p = name; *p; p++) {
		size_t n = strcspn(p, "\"\\\r\n\t");

		crm_buf_add(out, p, n);
		if (!*(p += n))
			break;
		if (*p == '"' || *p == '\\')
			crm_buf_addch(out, '\\');
		crm_buf_addch(out, *p == '"' || *p == '\\' ? *p : ' ');
	}
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
