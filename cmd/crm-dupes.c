/* crm-dupes.c - pairs of records that look like one customer twice */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-dupes [--db DIR] [--type TYPE] [--min SCORE]";

enum { O_TYPE = CRM_OPT_CMD, O_MIN };

static int
pair(uint64_t a, uint64_t b, double score, const char *why, void *arg)
{
	size_t *n = arg;

	(*n)++;
	printf("%llu\t%llu\t%.2f\t%s\n", (unsigned long long)a,
	    (unsigned long long)b, score, why);
	return ferror(stdout) ? 3 : 0;
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
	double min = 0.8;
	size_t n = 0;
	char *end;
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
	if (optind != argc || o.json || o.format || o.nul)
		crm_usage(usage);
	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if (!crm_schema_hastype(crm_db_schema(db), type))
		crm_fail(CRM_EINVAL, NULL);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_dupes(t, type, min, pair, &n)))
		crm_fail(rc, "cannot look");
	crm_txn_end(t);
	crm_cli_done(db);
	if (fflush(stdout))
		crm_die(3, "cannot write the output");
	return n ? 0 : 1;
}
