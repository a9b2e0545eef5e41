/* crm-set.c - change fields of records; tags with += and -= */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-set [-j0] [-f FORMAT] [--db DIR] [--source WHENCE] ID...|-\n"
    "       field=value|field=|tags+=x|tags-=x ...";

struct ctx {
	struct crm_ids ids;
	char **assign;
	int nassign;
	const char *source;
};

static int
set(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	crm_rec *r;
	size_t i;
	int j, rc = 0;

	crm_txn_set_source(t, c->source);
	for (i = 0; i < c->ids.n && !rc; i++) {
		rc = crm_rec_get(t, c->ids.v[i], &r);
		if (rc == CRM_ENOTFOUND)
			return crm_seterr(CRM_EINVAL, "no record %llu",
			    (unsigned long long)c->ids.v[i]);
		if (rc)
			return rc;
		for (j = 0; j < c->nassign && !rc; j++)
			rc = crm_rec_assign(r, c->assign[j]);
		if (!rc)
			rc = crm_rec_put(t, r);
		if (rc == CRM_EINVAL || rc == CRM_EEXIST)
			crm_errprefix(rc, "record %llu: ",
			    (unsigned long long)c->ids.v[i]);
		crm_rec_free(r);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "source", 1, 0, CRM_OPT_CMD },
		{ 0, 0, 0, 0 }
	};
	static const char *const cols[] = { "id", NULL };
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	crm_out *out = NULL;
	crm_txn *t;
	crm_db *db;
	int ch, rc, nids;

	crm_progname = "crm-set";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch != CRM_OPT_CMD)
			crm_usage(usage);
		/* where the consents given come from: a web form, a call */
		c.source = optarg;
	}
	argc -= optind;
	argv += optind;
	/* ids (or -) first, then assignments */
	for (nids = 0; nids < argc && !strchr(argv[nids], '='); nids++)
		;
	c.assign = argv + nids;
	c.nassign = argc - nids;
	if (!c.nassign)
		crm_usage(usage);
	if ((rc = crm_ids_read(nids, argv, &c.ids)))
		crm_fail(rc, NULL);
	if (!c.ids.n)
		crm_die(2, "no records selected");

	db = crm_open_or_die(&o, 0, argc, argv);
	/* a bad template is bad input: found before anything is written */
	if ((o.json || o.format) &&
	    (rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_write(db, set, &c)))
		crm_fail(rc, "cannot set");
	if (out) {
		if ((rc = crm_read(db, &t)))
			crm_fail(rc, "cannot read");
		rc = crm_out_ids(out, t, &c.ids);
		crm_txn_end(t);
		if (crm_out_free(out) || rc)
			crm_die(3, "cannot write the output");
	}
	crm_cli_done(db);
	crm_ids_release(&c.ids);
	return 0;
}
