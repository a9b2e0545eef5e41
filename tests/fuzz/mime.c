/* mime.c - fuzz crm_mime_parse: the mail crm-inbox reads (replies,
 * bounces, delivery status notifications), through GMime
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_inmail in;
	size_t i;

	if (crm_mime_parse((const char *)data, size, &in))
		return 0;
	/* what crm-inbox goes on to read: strings, all of them */
	for (i = 0; i < in.nrefs; i++)
		if (!in.refs[i])
			abort();
	for (i = 0; i < in.nto; i++)
		if (!in.to[i])
			abort();
	for (i = 0; i < in.nfailed; i++)
		if (!in.failed[i])
			abort();
	crm_inmail_release(&in);
	return 0;
}
