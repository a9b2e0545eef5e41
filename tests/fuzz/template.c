/* template.c - fuzz the templates: crm_template_parse (crm-mailmerge's
 * messages) and --format's, checked against the default schema
 */
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_schema();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a history entry's printer: columns a template may name */
	static const char *const cols[] = { "id", "at", "record", "kind",
		"text", NULL };
	struct crm_opts o = { 0 };
	crm_schema *s = fuzz_schema();
	crm_template *tp;
	crm_out *out;

	if (!crm_template_parse(&tp, s, "fuzz.eml", (const char *)data,
	    size))
		crm_template_free(tp);
	o.format = fuzz_str(data, size);
	if (!crm_out_new(&out, &o, s, NULL))
		crm_out_free(out);
	if (!crm_out_new(&out, &o, s, cols))
		crm_out_free(out);
	free((char *)o.format);
	return 0;
}
