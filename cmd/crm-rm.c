/* crm-rm.c - remove records */
#include <getopt.h>
#include <stdlib.h>

#include "crm.h"

static const char usage[] = "crm-rm [--unlink] [--db DIR] ID...|-";

static unsigned flags;

static int
rm(crm_txn *t, void *arg)
{
	struct crm_ids *ids = arg;
	size_t i;
	int rc = 0;

	for (i = 0; i < ids->n && !rc; i++)
		rc = crm_rec_del(t, ids->v[i], flags, ids);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "unlink", 0, 0, CRM_OPT_CMD },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_ids ids = { 0 };
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-rm";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch == CRM_OPT_CMD)
			flags |= CRM_DEL_UNLINK;
		else
			crm_usage(usage);
	}
	argc -= optind;
	argv += optind;
	if ((rc = crm_ids_read(argc, argv, &ids)))
		crm_fail(rc, NULL);
	if (!ids.n)
		crm_die(2, "no records selected");

	db = crm_open_or_die(&o, 0, argc, argv);
	crm_ids_sort(&ids);
	if ((rc = crm_write(db, rm, &ids)))
		crm_fail(rc, "cannot remove");
	crm_db_close(db);
	crm_ids_release(&ids);
	return 0;
}
