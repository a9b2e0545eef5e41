/* csv.c - fuzz crm_csv_read: every record of the input, then all of them
 * again after crm_input_rewind, as a retried import reads them
 */
#include <stdio.h>

#include "fuzz.h"

/* FNV-1a over one record's fields, each checked to end where it says */
static uint64_t
hash(const struct crm_csv *c, uint64_t h)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		if (c->field[i][c->len[i]] != 0)
			abort();
		for (j = 0; j < c->len[i]; j++)
			h = (h ^ (unsigned char)c->field[i][j]) *
			    0x100000001b3ULL;
		h = (h ^ 0x100) * 0x100000001b3ULL;
	}
	return (h ^ (uint64_t)c->line) * 0x100000001b3ULL;
}

/* Every record to the end, going on after a bad one as --skip-bad
 * does; the same rows give the same hash. */
static uint64_t
readall(crm_input *in)
{
	struct crm_csv c;
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc;

	crm_csv_init(&c);
	while ((rc = crm_csv_read(in, &c)) != CRM_ENOTFOUND) {
		if (rc && rc != CRM_EINVAL)
			abort();	/* memory input cannot fail to read */
		h = rc ? (h ^ 1) * 0x100000001b3ULL : hash(&c, h);
	}
	crm_csv_release(&c);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crm_input *in;
	FILE *f;
	uint64_t h;

	/* not a regular file: the input is kept in a spool to replay */
	if (!size || !(f = fmemopen((void *)data, size, "r")))
		return 0;
	crm_input_open(&in, f);
	h = readall(in);
	if (crm_input_rewind(in) || readall(in) != h)
		abort();
	crm_input_close(in);
	fclose(f);
	return 0;
}
