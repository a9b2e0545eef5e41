/* export.c - records for other programs: vCard */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The UID of a record's card: its own (from an imported card), else one
 * made of the store's name and the id, stable across exports. */
void
crm_vcard_uid(const crm_rec *r, const char *store, struct crm_buf *out)
{
	const char *uid = crm_rec_value(r, "uid");

	char h[33];
	size_t n = strlen(store);

	if (uid) {
		crm_buf_addstr(out, uid);
		return;
	}
	/* a UUID (RFC 9562 version 8): the store's name, the record's id */
	snprintf(h, sizeof h, "%.16s%016llx", n >= 16 ? store :
	    "0000000000000000", (unsigned long long)r->id);
	h[12] = '8';
	h[16] = "89ab"[(h[16] - '0') & 3];
	crm_buf_addf(out, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

static void
text(struct crm_buf *b, const char *name, const crm_rec *r,
    const char *field)
{
	const char *v = crm_rec_value(r, field);

	if (v && *v)
		crm_vcard_line(b, name, NULL, v, 0);
}

/* A structured value of fields, ';' apart, each escaped. */
static void
structured(struct crm_buf *b, const char *name, const crm_rec *r,
    const char *const *fields, size_t n)
{
	struct crm_buf v = CRM_BUF_INIT;
	size_t i, any = 0;

	for (i = 0; i < n; i++) {
		const char *x = fields[i] ? crm_rec_value(r, fields[i]) : NULL;

		if (i)
			crm_buf_addch(&v, ';');
		if (x) {
			crm_vcard_escape(&v, x);
			any = 1;
		}
	}
	if (any)
		crm_vcard_line(b, name, NULL, v.buf, 1);
	crm_buf_release(&v);
}

int
crm_vcard_of(crm_txn *t, const crm_rec *r, int v3, const char *store,
    struct crm_buf *b)
{
	static const char *const n[] = { "last_name", "first_name", NULL,
		NULL, NULL };
	/* a schema's region, where crm-import puts a card's */
	static const char *const adr[] = { NULL, NULL, "street", "city",
		"region", "zip", "country" };
	struct crm_buf v = CRM_BUF_INIT;
	const char *x, *name = crm_rec_value(r, "name");
	int company = !strcmp(r->type->name, "company");
	size_t i;
	crm_rec *c;

	crm_vcard_line(b, "BEGIN", NULL, "VCARD", 1);
	crm_vcard_line(b, "VERSION", NULL, v3 ? "3.0" : "4.0", 1);
	crm_vcard_uid(r, store, &v);
	crm_vcard_line(b, "UID", NULL, v.buf, 0);
	if (company && !v3)
		crm_vcard_line(b, "KIND", NULL, "org", 1);
	crm_vcard_line(b, "FN", NULL, name ? name : "", 0);
	if (company) {
		if (v3)		/* 3.0 wants an N on every card */
			crm_vcard_line(b, "N", NULL, ";;;;", 1);
		text(b, "ORG", r, "name");
	} else {
		if (crm_rec_value(r, "last_name") ||
		    crm_rec_value(r, "first_name"))
			structured(b, "N", r, n, 5);
		else
			crm_vcard_line(b, "N", NULL, ";;;;", 1);
		if ((x = crm_rec_value(r, "company")) &&
		    !crm_rec_get(t, strtoull(x, NULL, 10), &c)) {
			text(b, "ORG", c, "name");
			if (!v3) {
				crm_buf_reset(&v);
				crm_buf_addstr(&v, "urn:uuid:");
				crm_vcard_uid(c, store, &v);
				crm_vcard_line(b, "RELATED", "TYPE=co-worker",
				    v.buf, 1);
			}
			crm_rec_free(c);
		}
	}
	text(b, "TITLE", r, "title");
	text(b, "EMAIL", r, "email");
	text(b, "TEL", r, "phone");
	if (crm_rec_value(r, "street") || crm_rec_value(r, "city") ||
	    crm_rec_value(r, "region") || crm_rec_value(r, "zip") ||
	    crm_rec_value(r, "country"))
		structured(b, "ADR", r, adr, 7);
	if ((x = crm_rec_value(r, "birthday"))) {
		crm_buf_reset(&v);
		/* 4.0 has the basic form: 19800322, --0322 without a year;
		 * 3.0 the extended 1980-03-22 */
		if (!v3 && !strncmp(x, "--", 2)) {
			crm_buf_addstr(&v, "--");
			x += 2;
		}
		for (; *x; x++)
			if (v3 || *x != '-')
				crm_buf_addch(&v, *x);
		crm_vcard_line(b, "BDAY", NULL, v.buf, 1);
	}
	if ((x = crm_rec_value(r, "url")))	/* a URI: no text escapes */
		crm_vcard_line(b, "URL", NULL, x, 1);
	text(b, "NOTE", r, "note");
	if (crm_type_field(r->type, "tags") && crm_rec_value(r, "tags")) {
		unsigned fid = crm_type_field(r->type, "tags")->fid;

		crm_buf_reset(&v);
		for (i = 0; (x = crm_rec_nth(r, fid, i, NULL)); i++) {
			if (i)
				crm_buf_addch(&v, ',');
			crm_vcard_escape(&v, x);
		}
		crm_vcard_line(b, "CATEGORIES", NULL, v.buf, 1);
	}
	if ((x = crm_rec_value(r, "photo")) && !strncmp(x, "data:", 5) &&
	    !v3)
		crm_vcard_line(b, "PHOTO", NULL, x, 1);
	crm_vcard_line(b, "END", NULL, "VCARD", 1);
	crm_buf_release(&v);
	return 0;
}
