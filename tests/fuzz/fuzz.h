/* fuzz.h - what the libFuzzer harnesses share
 *
 * Each harness is one parser of input crm did not write.  Every call
 * frees what it made: leak detection is on, and a leak is a finding.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-11-23T10:00:00+01:00: relative dates count from a fixed moment,
 * so that a crash found today is found again tomorrow */
#define FUZZ_NOW 1795424400

/* The data as a C string, for the calls that take one; caller frees.
 * An exact copy, so ASan sees a read past its NUL. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = crm_xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* The default schema, its fields and types numbered as a new store
 * numbers them (records and queries go by number); kept for the run. */
static inline crm_schema *
fuzz_schema(void)
{
	static struct crm_dict fields, types;
	static crm_schema *s;
	int grew;

	if (!s && (crm_schema_parse(&s, crm_schema_default,
	    strlen(crm_schema_default)) ||
	    crm_schema_bind(s, &fields, &types, &grew)))
		abort();
	return s;
}

#endif
