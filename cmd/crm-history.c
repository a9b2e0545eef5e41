/* crm-history.c - who changed what, from the journal */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-history [-jH] [--db DIR] [--now WHEN] [ID] [--since WHEN]\n"
    "       [--user USER] [--txn N]";

enum { O_SINCE = CRM_OPT_CMD, O_USER, O_TXN };

static const char *const cols[] = { "txn#", "at", "user", "record#", "op",
	"field", "old", "new", "command", NULL };

static const char *const ops[] = { "C", "created", "S", "set", "D",
	"removed", "L", "logged", "U", "unlogged", "Y", "schema", "E",
	"erased", "F", "forgotten", NULL };

struct ctx {
	crm_out *out;
	size_t n;
	struct crm_buf at, rec, txn;
};

static int
line(const struct crm_change *c, void *arg)
{
	struct ctx *x = arg;
	const char *v[10];
	char op[2] = { (char)c->op, 0 };
	size_t i;

	crm_buf_reset(&x->at);
	crm_datetime_fmt(&x->at, c->at);
	crm_buf_reset(&x->rec);
	crm_buf_addf(&x->rec, "%llu", (unsigned long long)c->record);
	if (c->op == 'C' && c->count > 1)
		crm_buf_addf(&x->rec, "-%llu",
		    (unsigned long long)(c->record + c->count - 1));
	crm_buf_reset(&x->txn);
	crm_buf_addf(&x->txn, "%llu", (unsigned long long)c->txn);
	v[0] = x->txn.buf;
	v[1] = x->at.buf;
	v[2] = c->user;
	v[3] = c->op == 'Y' ? NULL : x->rec.buf;
	v[4] = op;
	for (i = 0; ops[i]; i += 2)
		if (ops[i][0] == c->op)
			v[4] = ops[i + 1];
	v[5] = c->field;
	v[6] = c->old;
	v[7] = c->new;
	v[8] = c->command;
	v[9] = NULL;
	x->n++;
	return crm_out_row(x->out, v);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "since", 1, 0, O_SINCE }, { "user", 1, 0, O_USER },
		{ "txn", 1, 0, O_TXN },
		{ 0, 0, 0, 0 }
	};
	struct crm_history_filter hf;
	struct crm_opts o = { 0 };
	struct ctx x = { 0 };
	const char *since = NULL;
	char *end;
	crm_db *db;
	crm_txn *t;
	int ch, rc;

	crm_progname = "crm-history";
	memset(&hf, 0, sizeof hf);
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_SINCE: since = optarg; break;
		case O_USER: hf.user = optarg; break;
		case O_TXN:
			hf.txn = strtoull(optarg, &end, 10);
			if (*end || !hf.txn)
				crm_die(2, "--txn: '%s' is not a transaction",
				    optarg);
			break;
		default: crm_usage(usage);
		}
	}
	if (optind < argc) {
		hf.record = strtoull(argv[optind], &end, 10);
		if (*end || !hf.record)
			crm_die(2, "'%s' is not a record id", argv[optind]);
		optind++;
	}
	if (optind != argc)
		crm_usage(usage);
	if (since)
		hf.since = crm_date_or_die(&o, "--since", since);
	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if ((rc = crm_out_new(&x.out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_history(t, &hf, line, &x)))
		crm_fail(rc, "cannot read the journal");
	crm_txn_end(t);
	if (crm_out_free(x.out))
		crm_die(3, "cannot write the output");
	crm_cli_done(db);
	crm_buf_release(&x.at);
	crm_buf_release(&x.rec);
	crm_buf_release(&x.txn);
	return x.n ? 0 : 1;
}
