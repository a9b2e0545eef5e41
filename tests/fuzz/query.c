/* query.c - fuzz crm_query_parse and crm_query_parse_log: the query
 * language of crm-segment and crm-report --where, and of count()
 *
 * A history query that parses is also matched against an entry: that
 * needs no store.
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
	static const char *const extra[] = { "source=web" };
	struct crm_log e = { 7, 1, FUZZ_NOW - 86400, "purchase", "Nová "
		"objednávka", "1840.50", "anna", "nov-2026", "in", extra, 1 };
	crm_schema *s = fuzz_schema();
	char *text = fuzz_str(data, size);
	crm_query *q;

	if (!crm_query_parse(&q, s, text, FUZZ_NOW))
		crm_query_free(q);
	if (!crm_query_parse_log(&q, s, text, FUZZ_NOW)) {
		crm_query_match_log(q, &e);
		crm_query_log_at_only(q);
		crm_query_free(q);
	}
	free(text);
	return 0;
}
