/* vcard.c - fuzz crm_vcard_read: every card, and the parts of every
 * property of it, as the importer takes them apart
 */
#include <stdio.h>

#include "fuzz.h"

static void
props(const struct crm_vcard *c, struct crm_buf *b)
{
	static const int seps[] = { ';', ',', 0 };
	const struct crm_vprop *p;
	size_t i, k, n;

	for (i = 0; i < c->nprop; i++) {
		p = &c->prop[i];
		/* values are UTF-8 text; what the card said is decoded */
		if (strlen(p->value) != p->len ||
		    !crm_utf8_valid(p->value, p->len))
			abort();
		for (n = 0; crm_vcard_get(c, p->name, n) &&
		    crm_vcard_get(c, p->name, n) != p; n++)
			;
		if (!crm_vcard_get(c, p->name, n))
			abort();
		for (k = 0; k < sizeof seps / sizeof *seps; k++)
			for (n = 0; n < 16; n++) {
				crm_buf_reset(b);
				if (!crm_vcard_part(p->value, seps[k], n, b))
					break;
			}
		crm_vprop_has(p, "TYPE", "work");
		crm_vprop_has(p, "ENCODING", "b");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_vcard c = { 0 };
	struct crm_buf b = CRM_BUF_INIT;
	crm_input *in;
	FILE *f;
	int rc;

	if (!size || !(f = fmemopen((void *)data, size, "r")))
		return 0;
	crm_input_open(&in, f);
	/* a bad card is reported and the next one read, as crm-import
	 * --skip-bad does */
	while ((rc = crm_vcard_read(in, &c)) != CRM_ENOTFOUND) {
		if (rc && rc != CRM_EINVAL)
			abort();
		if (!rc)
			props(&c, &b);
	}
	crm_vcard_release(&c);
	crm_buf_release(&b);
	crm_input_close(in);
	fclose(f);
	return 0;
}
