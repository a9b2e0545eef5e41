/* crm-inbox.c - one e-mail message on stdin: reply, unsubscribe, bounce */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-inbox [--db DIR] [--now WHEN] [--add-leads] < MESSAGE";

enum { O_LEADS = CRM_OPT_CMD };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "add-leads", 0, 0, O_LEADS },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_buf msg = CRM_BUF_INIT, report = CRM_BUF_INIT;
	int ch, rc, leads = 0;
	crm_db *db;

	crm_progname = "crm-inbox";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_LEADS: leads = 1; break;
		default: crm_usage(usage);
		}
	}
	if (optind != argc || o.json || o.format || o.nul)
		crm_usage(usage);
	msg.buf = crm_slurp_or_die("-", &msg.len);
	msg.alloc = msg.len + 1;
	if (!msg.len)
		crm_die(2, "no message on stdin");
	db = crm_open_or_die(&o, 0, argc, argv);
	crm_db_set_now(db, crm_now(&o));
	if ((rc = crm_inbox(db, msg.buf, msg.len, leads, &report)))
		crm_fail(rc, NULL);
	fwrite(report.buf, 1, report.len, stdout);
	crm_cli_done(db);
	crm_buf_release(&msg);
	crm_buf_release(&report);
	return fflush(stdout) ? 3 : 0;
}
