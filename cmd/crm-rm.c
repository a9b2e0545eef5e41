/* crm-rm.c - remove records */
#include <getopt.h>
#include <stdlib.h>

#include "crm.h"

static const char usage[] =
    "crm-rm [-j0] [-f FORMAT] [--unlink] [--db DIR] ID...|-";

static unsigned flags;

struct ctx {
	struct crm_ids ids;
	crm_rec **gone;		/* with -j, -f: the records as they were */
	int keep;
};

static int
rm(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ids.n && !rc; i++) {
		crm_rec_free(c->gone[i]);
		c->gone[i] = NULL;
		if (c->keep && (rc = crm_rec_get(t, c->ids.v[i],
		    &c->gone[i])) == CRM_ENOTFOUND)
			rc = 0;
		if (!rc)
			rc = crm_rec_del(t, c->ids.v[i], flags, &c->ids);
	}
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
	static const char *const cols[] = { "id", NULL };
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	crm_out *out = NULL;
	crm_txn *t;
	crm_db *db;
	size_t i;
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
	if ((rc = crm_ids_read(argc, argv, &c.ids)))
		crm_fail(rc, NULL);
	if (!c.ids.n)
		crm_die(2, "no records selected");

	db = crm_open_or_die(&o, 0, argc, argv);
	c.keep = o.json || o.format;
	if (c.keep && (rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	crm_ids_sort(&c.ids);
	c.gone = calloc(c.ids.n, sizeof *c.gone);
	if ((rc = crm_write(db, rm, &c)))
		crm_fail(rc, "cannot remove");
	if (out) {
		if ((rc = crm_read(db, &t)))
			crm_fail(rc, "cannot read");
		for (i = 0; i < c.ids.n && !rc; i++)
			if (c.gone[i])
				rc = crm_out_rec(out, t, c.gone[i]);
		crm_txn_end(t);
		if (crm_out_free(out) || rc)
			crm_die(3, "cannot write the output");
	}
	for (i = 0; i < c.ids.n; i++)
		crm_rec_free(c.gone[i]);
	free(c.gone);
	crm_cli_done(db);
	crm_ids_release(&c.ids);
	return 0;
}
