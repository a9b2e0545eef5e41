/* crm-show.c - print the customer card */
#include <getopt.h>
#include <stdlib.h>

#include "crm.h"

static const char usage[] = "crm-show [-j] [-f FORMAT] [--db DIR] ID...|-";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = { CRM_LONGOPTS, { 0 } };
	struct crm_opts o = { 0 };
	struct crm_ids ids = { 0 };
	crm_db *db;
	crm_txn *t;
	crm_out *out;
	crm_rec *r;
	size_t i;
	int ch, rc, status = 0;

	crm_progname = "crm-show";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (!crm_opt(&o, ch, optarg, usage))
			crm_usage(usage);
	argc -= optind;
	argv += optind;
	if ((rc = crm_ids_read(argc, argv, &ids)))
		crm_fail(rc, NULL);
	if (!ids.n)
		crm_usage(usage);

	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), NULL)))
		crm_fail(rc, NULL);
	for (i = 0; i < ids.n; i++) {
		rc = crm_rec_get(t, ids.v[i], &r);
		if (rc == CRM_ENOTFOUND) {
			crm_warn("no record %llu",
			    (unsigned long long)ids.v[i]);
			status = 1;
			rc = 0;
			continue;
		}
		if (rc)
			crm_fail(rc, "cannot read");
		if (!crm_visible(t, r)) {
			crm_warn("record %llu is not %s's to see",
			    (unsigned long long)ids.v[i], crm_user());
			status = 2;
			crm_rec_free(r);
			continue;
		}
		rc = crm_out_card(out, t, r);
		crm_rec_free(r);
		if (rc)
			break;
	}
	if (crm_out_free(out) || rc)
		crm_die(3, "cannot write the output");
	crm_txn_end(t);
	crm_cli_done(db);
	crm_ids_release(&ids);
	return status;
}
