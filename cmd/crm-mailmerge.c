/* crm-mailmerge.c - one message a person from a template, mailed or shown */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-mailmerge [--db DIR] [--now WHEN] TEMPLATE --campaign NAME\n"
    "       [--segment NAME | ID... | -] [--send] [--rate N]";

enum { O_CAMPAIGN = CRM_OPT_CMD, O_SEGMENT, O_SEND, O_RATE };

#define MINRATE 0.001	/* a message every 1000 minutes, 16 hours */

static void
skipped(uint64_t id, const char *why, void *arg)
{
	(void)arg;
	crm_warn("%llu: %s", (unsigned long long)id, why);
}

static int
collect(crm_txn *t, const crm_rec *r, void *arg)
{
	(void)t;
	crm_ids_add(arg, crm_rec_id(r));
	return 0;
}

/* The ids of a saved segment, as crm-segment NAME selects them. */
static void
segment_ids(crm_db *db, const char *name, int64_t now, struct crm_ids *ids)
{
	struct crm_buf q = CRM_BUF_INIT;
	crm_query *cq;
	crm_txn *t;
	int rc;

	if ((rc = crm_segment_get(db, name, &q)) == CRM_ENOTFOUND)
		crm_die(2, "no segment '%s' (crm-segment --list shows them)",
		    name);
	if (rc)
		crm_fail(rc, "cannot read");
	if ((rc = crm_query_parse(&cq, crm_db_schema(db), q.buf, now)))
		crm_fail(rc, NULL);
	if ((rc = crm_read(db, &t)) ||
	    (rc = crm_query_run(t, cq, NULL, collect, ids)))
		crm_fail(rc, "cannot read");
	crm_txn_end(t);
	crm_query_free(cq);
	crm_buf_release(&q);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "campaign", 1, 0, O_CAMPAIGN }, { "segment", 1, 0, O_SEGMENT },
		{ "send", 0, 0, O_SEND }, { "rate", 1, 0, O_RATE },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_merge m;
	struct crm_ids ids = { 0 };
	crm_template *tp;
	const char *segment = NULL, *file, *env;
	char *text, *end;
	size_t len;
	int ch, rc;
	crm_db *db;

	crm_progname = "crm-mailmerge";
	memset(&m, 0, sizeof m);
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_CAMPAIGN: m.campaign = optarg; break;
		case O_SEGMENT: segment = optarg; break;
		case O_SEND: m.send = 1; break;
		case O_RATE:
			/* nan, inf and a wait of centuries are no rate */
			m.rate = strtod(optarg, &end);
			if (end == optarg || (*end && strcmp(end, "/min")) ||
			    !isfinite(m.rate) || m.rate < MINRATE)
				crm_die(2, "--rate: '%s' is not a number of "
				    "messages a minute, %g or more", optarg,
				    MINRATE);
			break;
		default: crm_usage(usage);
		}
	}
	if (optind >= argc || !m.campaign)
		crm_usage(usage);
	if (o.json || o.format || o.nul)
		crm_die(2, "the output is an mbox: no -j, -f or -0");
	if (!*m.campaign || strchr(m.campaign, '\n'))
		crm_die(2, "--campaign: a name, please");
	file = argv[optind++];
	m.now = crm_now(&o);
	m.sendmail = (env = getenv("SENDMAIL")) && *env ? env :
	    "/usr/sbin/sendmail -t -oi";
	m.skip = skipped;

	db = crm_open_or_die(&o, 0, argc, argv);
	text = crm_slurp_or_die(file, &len);
	if ((rc = crm_template_parse(&tp, crm_db_schema(db), file, text, len)))
		crm_fail(rc, NULL);
	if (segment) {
		if (optind != argc)
			crm_usage(usage);
		segment_ids(db, segment, m.now, &ids);
	} else if ((rc = crm_ids_read(argc - optind, argv + optind, &ids))) {
		crm_fail(rc, NULL);
	}
	rc = crm_merge_run(db, tp, &m, &ids);
	if (fflush(stdout) && !rc)
		crm_die(3, "cannot write the output");
	if (m.send)
		fprintf(stderr, "%s: sent %zu, skipped %zu\n", crm_progname,
		    m.sent, m.skipped);
	if (rc)
		crm_fail(rc, NULL);
	crm_template_free(tp);
	crm_ids_release(&ids);
	free(text);
	crm_cli_done(db);
	return m.sent ? 0 : 1;
}
