/* crm-undo.c - revert a journalled transaction */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-undo [--db DIR] [--force] [--dry-run] TXN";

enum { O_FORCE = CRM_OPT_CMD, O_DRY };

struct ctx {
	uint64_t txn;
	int force, dry;
	struct crm_buf report;
};

static int
undo(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	int rc = crm_undo(t, c->txn, c->force, &c->report);

	return rc ? rc : c->dry ? CRM_EABORT : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "force", 0, 0, O_FORCE }, { "dry-run", 0, 0, O_DRY },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	char *end;
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-undo";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "n", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_FORCE: c.force = 1; break;
		case 'n':
		case O_DRY: c.dry = 1; break;
		default: crm_usage(usage);
		}
	}
	if (optind + 1 != argc)
		crm_usage(usage);
	c.txn = strtoull(argv[optind], &end, 10);
	if (*end || !c.txn)
		crm_die(2, "'%s' is not a transaction (crm-history shows them)",
		    argv[optind]);
	db = crm_open_or_die(&o, CRM_NOCREATE, argc, argv);
	rc = crm_write(db, undo, &c);
	if (rc && !(rc == CRM_EABORT && c.dry))
		crm_fail(rc, "cannot undo");
	if (c.report.len)
		fputs(c.report.buf, stdout);
	crm_buf_release(&c.report);
	crm_cli_done(db);
	return fflush(stdout) ? 3 : 0;
}
