/* schema.c - fuzz crm_schema_parse: a YAML schema, as crm-schema apply
 * reads it
 *
 * A schema that parses is numbered as a store numbers it, and its
 * compiled form (kept in the store) must decode to the same schema.
 */
#include "fuzz.h"

static void
dict_free(struct crm_dict *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->name[i]);
	free(d->name);
}

static void
field(const char *name, void *arg)
{
	const crm_schema *s = arg;

	if (!crm_schema_hasfield(s, name))
		abort();
}

/* the compiled form round trip: encode, decode, encode the same */
static void
roundtrip(const crm_schema *s)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	crm_schema *s2;

	crm_schema_encode(s, &a);
	if (crm_schema_decode(&s2, a.buf, a.len))
		abort();
	crm_schema_encode(s2, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		abort();
	crm_schema_free(s2);
	crm_buf_release(&a);
	crm_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_dict fields = { 0 }, types = { 0 };
	crm_schema *s;
	size_t i;
	int grew;

	if (crm_schema_parse(&s, (const char *)data, size))
		return 0;
	if (!crm_schema_bind(s, &fields, &types, &grew)) {
		roundtrip(s);
		for (i = 0; i < crm_schema_ntypes(s); i++) {
			const char *t = crm_schema_typename(s, i);

			if (!crm_schema_hastype(s, t))
				abort();
			crm_schema_fields(s, t, field, s);
		}
		crm_schema_fields(s, NULL, field, s);
	}
	dict_free(&fields);
	dict_free(&types);
	crm_schema_free(s);
	return 0;
}
