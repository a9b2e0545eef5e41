/* crm-dupes.c - pairs of records that look like one customer twice */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-dupes [-j0H] [-f FORMAT] [--db DIR] [--type TYPE] [--min SCORE]";

enum { O_TYPE = CRM_OPT_CMD, O_MIN };

static const char *const cols[] = { "id1#", "id2#", "score#", "reasons",
	NULL };

static int
pair(uint64_t a, uint64_t b, double score, const char *why, void *arg)
{
	char x[24], y[24], s[16];
	const char *v[5] = { x, y, s, why, NULL };

	snprintf(x, sizeof x, "%llu", (unsigned long long)a);
	snprintf(y, sizeof y, "%llu", (unsigned long long)b);
	snprintf(s, sizeof s, "%.2f", score);
	return crm_out_row(arg, v) ? 3 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "type", 1, 0, O_TYPE }, { "min", 1, 0, O_MIN },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	const char *type = "person";
	size_t n;
	double min = 0.8;
	char *end;
	crm_out *out;
	crm_db *db;
	crm_txn *t;
	int ch, rc;

	crm_progname = "crm-dupes";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_TYPE: type = optarg; break;
		case O_MIN:
			min = strtod(optarg, &end);
			if (*end || end == optarg || min < 0 || min > 1)
				crm_die(2, "--min: a score from 0 to 1, not "
				    "'%s'", optarg);
			break;
		default: crm_usage(usage);
		}
	}
	if (optind != argc)
		crm_usage(usage);
	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if (!crm_schema_hastype(crm_db_schema(db), type))
		crm_fail(CRM_EINVAL, NULL);
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_dupes(t, type, min, pair, out)))
		crm_fail(rc, "cannot look");
	crm_txn_end(t);
	crm_cli_done(db);
	n = crm_out_count(out);
	if (crm_out_free(out) || fflush(stdout))
		crm_die(3, "cannot write the output");
	return n ? 0 : 1;
}
