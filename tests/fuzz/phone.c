/* phone.c - fuzz crm_phone_norm, for the schema's default countries,
 * and crm_email_valid
 *
 * A number normalised is '+' and 7 to 15 digits, and normalises to
 * itself.
 */
#include "fuzz.h"

static void
norm(const char *s, const char *cc)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	size_t n;

	if (!crm_phone_norm(&a, s, cc)) {
		n = strspn(a.buf + 1, "0123456789");
		if (a.buf[0] != '+' || n != a.len - 1 || n < 7 || n > 15 ||
		    crm_phone_norm(&b, a.buf, cc) || strcmp(a.buf, b.buf))
			abort();
	}
	crm_buf_release(&a);
	crm_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* SK has a trunk 0, HU a trunk 06, US the trunk 1 of its own
	 * calling code, JP the international prefix 010, CZ no trunk */
	static const char *const cc[] = { "SK", "HU", "US", "JP", "CZ",
		"XX", NULL };
	char *s = fuzz_str(data, size);
	size_t i;

	for (i = 0; i < sizeof cc / sizeof *cc; i++)
		norm(s, cc[i]);
	crm_phone_country_known(s);
	crm_email_valid(s);
	free(s);
	return 0;
}
