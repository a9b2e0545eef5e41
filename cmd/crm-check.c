/* crm-check.c - verify a store, and rebuild what can be rebuilt */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-check [-jH] [--db DIR] [--repair]";

enum { O_REPAIR = CRM_OPT_CMD };

static const char *const cols[] = { "record#", "problem", NULL };

static int
problem(uint64_t id, const char *msg, void *arg)
{
	const char *v[3];
	char b[24];

	snprintf(b, sizeof b, "%llu", (unsigned long long)id);
	v[0] = id ? b : NULL;
	v[1] = msg;
	v[2] = NULL;
	return crm_out_row(arg, v);
}

static int
repair(crm_txn *t, void *arg)
{
	(void)arg;
	return crm_repair(t);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "repair", 0, 0, O_REPAIR },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	crm_out *out;
	crm_db *db;
	crm_txn *t;
	size_t n = 0, nfix = 0;
	int ch, rc, fix = 0;

	crm_progname = "crm-check";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_REPAIR: fix = 1; break;
		default: crm_usage(usage);
		}
	}
	if (optind != argc)
		crm_usage(usage);
	db = crm_open_or_die(&o, fix ? CRM_NOCREATE : CRM_RDONLY, argc,
	    argv);
	if (fix && (rc = crm_write(db, repair, NULL)))
		crm_fail(rc, "cannot repair the store");
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, "cannot print");
	if ((rc = crm_read(db, &t)) ||
	    (rc = crm_check(t, problem, out, &n, &nfix)))
		crm_fail(rc, "cannot check the store");
	crm_txn_end(t);
	if ((rc = crm_out_free(out)))
		crm_fail(rc, "cannot print");
	crm_cli_done(db);
	if (n)
		crm_warn("%zu problem%s found%s", n, n == 1 ? "" : "s",
		    fix ? " after repair" : nfix ? "; crm-check --repair "
		    "rebuilds the index and the figures" : "");
	else if (fix)
		crm_warn("repaired: the index and the figures are rebuilt");
	return n ? 1 : 0;
}
