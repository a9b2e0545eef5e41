/* crm-gc.c - prune the journal of changes older than a time */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-gc [--db DIR] [--now WHEN] [--dry-run] --keep AGE";

enum { O_KEEP = CRM_OPT_CMD, O_DRY };

struct ctx {
	int64_t before;
	int dry;
	size_t ntxn, nent;
};

static int
gc(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	int rc = crm_journal_gc(t, c->before, &c->ntxn, &c->nent);

	return rc ? rc : c->dry ? CRM_EABORT : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "keep", 1, 0, O_KEEP }, { "dry-run", 0, 0, O_DRY },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	struct crm_buf age = CRM_BUF_INIT, when = CRM_BUF_INIT;
	const char *keep = NULL;
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-gc";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "n", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_KEEP: keep = optarg; break;
		case 'n':
		case O_DRY: c.dry = 1; break;
		default: crm_usage(usage);
		}
	}
	if (!keep || optind != argc)
		crm_usage(usage);
	/* an age, as the date parser reads one back from now: 2y, 90d */
	if (strspn(keep, "0123456789") == 0 || !strchr("dwmy",
	    keep[strspn(keep, "0123456789")]) || keep[strspn(keep,
	    "0123456789") + 1])
		crm_die(2, "--keep: an age such as 90d, 8w, 6m or 2y, not "
		    "'%s'", keep);
	crm_buf_addf(&age, "-%s", keep);
	c.before = crm_date_or_die(&o, "--keep", age.buf);
	db = crm_open_or_die(&o, CRM_NOCREATE, argc, argv);
	rc = crm_write(db, gc, &c);
	if (rc && !(rc == CRM_EABORT && c.dry))
		crm_fail(rc, "cannot prune the journal");
	crm_datetime_fmt(&when, c.before);
	printf("%zu\t%zu\t%s\n", c.ntxn, c.nent, when.buf);
	crm_buf_release(&age);
	crm_buf_release(&when);
	crm_cli_done(db);
	return fflush(stdout) ? 3 : 0;
}
