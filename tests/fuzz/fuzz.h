/* fuzz.h - what the libFuzzer harnesses share
 *
 * Each harness is one parser of input crm did not write.  Every call
 * frees what it made: leak detection is on, and a leak is a finding.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The store at d gone, its files first. */
static inline void
fuzz_rmstore(const char *d)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *dp;

	if (!(dp = opendir(d)))
		return;
	while ((e = readdir(dp)))
		if (e->d_name[0] != '.' || (e->d_name[1] &&
		    (e->d_name[1] != '.' || e->d_name[2]))) {
			snprintf(path, sizeof path, "%s/%s", d, e->d_name);
			unlink(path);
		}
	closedir(dp);
	rmdir(d);
}

/* A new store in a new directory (TMPDIR's: make fuzz sets it to its
 * build directory, where a crash leaves it), its time FUZZ_NOW. */
static inline crm_db *
fuzz_store(char dir[PATH_MAX])
{
	const char *tmp = getenv("TMPDIR");
	crm_db *db;

	setenv("CRM_USER", "fuzz", 1);
	setenv("TZ", "UTC", 1);
	snprintf(dir, PATH_MAX, "%s/crm-fuzz.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (!mkdtemp(dir) || crm_db_open(&db, dir, 0))
		abort();
	crm_db_set_now(db, FUZZ_NOW);
	return db;
}

#endif
