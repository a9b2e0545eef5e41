/* crm-compact.c - copy the store without its free pages */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crm.h"

static const char usage[] =
    "crm-compact [--db DIR]";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	uint64_t before = 0, after = 0;
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-compact";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (!crm_opt(&o, ch, optarg, usage))
			crm_usage(usage);
	if (optind != argc)
		crm_usage(usage);
	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if ((rc = crm_compact(db, &before, &after)))
		crm_fail(rc, "cannot compact");
	crm_cli_done(db);
	printf("%llu\t%llu\n", (unsigned long long)before,
	    (unsigned long long)after);
	return fflush(stdout) ? 3 : 0;
}
