/* crm-forget.c - erase what is held about people, on their request */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-forget [--db DIR] ID...|-";

static int
forget(crm_txn *t, void *arg)
{
	const struct crm_ids *ids = arg;
	size_t i;
	int rc = 0;

	for (i = 0; i < ids->n && !rc; i++)
		rc = crm_forget(t, ids->v[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_ids ids = { 0 };
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-forget";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (!crm_opt(&o, ch, optarg, usage))
			crm_usage(usage);
	argc -= optind;
	argv += optind;
	if ((rc = crm_ids_read(argc, argv, &ids)))
		crm_fail(rc, NULL);
	if (!ids.n)
		crm_die(2, "no records selected");
	crm_ids_sort(&ids);
	db = crm_open_or_die(&o, CRM_NOCREATE, argc, argv);
	if ((rc = crm_write(db, forget, &ids)))
		crm_fail(rc, "cannot forget");
	crm_cli_done(db);
	crm_ids_release(&ids);
	if (isatty(2))
		crm_warn("forgotten; crm-compact removes the old bytes from "
		    "the store's free pages");
	return 0;
}
