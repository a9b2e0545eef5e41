/* date.c - fuzz the parsers of value.c and date.c: the dates a person
 * types (crm_date_parse), ISO 8601 dates and times, and amounts of money
 */
#include <time.h>

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* a zone with summer time, so that mktime has gaps to fall in */
	setenv("TZ", "Europe/Bratislava", 1);
	tzset();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_buf b = CRM_BUF_INIT;
	char *s = fuzz_str(data, size);
	int64_t t, v;

	crm_date_parse(s, FUZZ_NOW, &t);
	crm_date_valid(s);
	if (!crm_datetime_parse(s, &t))
		crm_datetime_fmt(&b, t);
	/* an amount prints as an amount that reads back the same */
	if (!crm_money_parse(s, &v)) {
		crm_buf_reset(&b);
		crm_money_fmt(&b, v);
		if (crm_money_parse(b.buf, &t) || t != v)
			abort();
	}
	crm_buf_release(&b);
	free(s);
	return 0;
}
