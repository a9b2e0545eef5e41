/* crm-forget.c - erase what is held about people, on their request */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-forget [--db DIR] ID...|-";

struct forgetting {
	struct crm_ids ids;
	struct crm_buf dropped;	/* the saved segments dropped */
};

static int
forget(crm_txn *t, void *arg)
{
	struct forgetting *f = arg;
	size_t i;
	int rc = 0;

	crm_buf_reset(&f->dropped);
	for (i = 0; i < f->ids.n && !rc; i++)
		rc = crm_forget(t, f->ids.v[i], &f->dropped);
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
	struct forgetting f = { { 0 }, CRM_BUF_INIT };
	crm_db *db;
	char *name, *nl;
	int ch, rc;

	crm_progname = "crm-forget";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (!crm_opt(&o, ch, optarg, usage))
			crm_usage(usage);
	argc -= optind;
	argv += optind;
	if ((rc = crm_ids_read(argc, argv, &f.ids)))
		crm_fail(rc, NULL);
	if (!f.ids.n)
		crm_die(2, "no records selected");
	crm_ids_sort(&f.ids);
	db = crm_open_or_die(&o, CRM_NOCREATE, argc, argv);
	if ((rc = crm_write(db, forget, &f)))
		crm_fail(rc, "cannot forget");
	crm_cli_done(db);
	for (name = f.dropped.buf; (nl = strchr(name, '\n')); name = nl + 1)
		crm_warn("saved segment '%.*s' dropped: its query held an "
		    "erased value", (int)(nl - name), name);
	crm_ids_release(&f.ids);
	crm_buf_release(&f.dropped);
	if (isatty(2))
		crm_warn("forgotten; crm-compact removes the old bytes from "
		    "the store's free pages");
	return 0;
}
