/* jsonl.c - fuzz crm_rec_set_json: lines of JSON Lines onto a record of
 * the default schema, as crm-add and crm-import read them
 *
 * The first byte picks the type.  A record that took a line must encode
 * and decode to itself, and take the same line again unchanged.
 */
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_schema();
	return 0;
}

/* r stored and loaded again is r */
static void
roundtrip(const crm_rec *r, crm_rec *r2)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;

	crm_rec_encode(r, &a);
	if (crm_rec_decode(r2, r->schema, 1, a.buf, a.len) ||
	    !crm_rec_equal(r, r2))
		abort();
	crm_rec_encode(r2, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		abort();
	crm_buf_release(&a);
	crm_buf_release(&b);
}

static void
line(crm_rec *r, crm_rec *r2, const char *s, size_t len)
{
	size_t i;

	crm_rec_clear(r);
	if (crm_rec_set_json(r, s, len))
		return;
	for (i = 0; i < r->type->nfields; i++)
		crm_rec_value(r, r->type->fields[i].name);
	roundtrip(r, r2);
	if (crm_rec_set_json(r, s, len) || !crm_rec_equal(r, r2))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crm_schema *s = fuzz_schema();
	const char *p = (const char *)data + 1, *end = (const char *)data +
	    size, *nl;
	crm_rec *r, *r2;

	if (!size)
		return 0;
	r = crm_rec_alloc();
	r->schema = s;
	r->type = &s->types[data[0] % s->ntypes];
	r2 = crm_rec_alloc();
	for (; p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		line(r, r2, p, (size_t)(nl - p));
	}
	crm_rec_free(r);
	crm_rec_free(r2);
	return 0;
}
