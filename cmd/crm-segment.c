/* crm-segment.c - select records with the query language */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-segment [-j0H] [-f FORMAT] [--db DIR] [--now WHEN] [--count]\n"
    "       [--explain] [--mailto | --csv FIELD,...] [--why-excluded]\n"
    "       EXPR|NAME\n"
    "       crm-segment --save NAME EXPR\n"
    "       crm-segment --list | --drop NAME";

static const char *const cols[] = { "id", NULL };

struct ctx {
	crm_out *out;
	const char *name, *query;
	size_t n;
	int count, explain, mailto, why;
	int eol;		/* what ends a mailbox: -0 makes it NUL */
	char **csv;		/* --csv: the fields, NULL-terminated */
	char *csvbuf;
	struct crm_buf line, val;
};

#define LINES (64 << 10)	/* bytes of lines gathered before a write */

/* The lines gathered, written: 0, or 3 when they cannot be. */
static int
flush(struct ctx *c)
{
	fwrite(c->line.buf, 1, c->line.len, stdout);
	crm_buf_reset(&c->line);
	return ferror(stdout) ? 3 : 0;
}

/* A mailing: only those who may be mailed, and say who was left out. */
static int
mailing(crm_txn *t, const crm_rec *r, struct ctx *c)
{
	size_t i;
	int rc;

	crm_buf_reset(&c->val);
	if ((rc = crm_mail_ok(t, r, &c->val))) {
		if (rc == CRM_ENOTFOUND && c->why)
			fprintf(stderr, "%llu\t%s\n",
			    (unsigned long long)crm_rec_id(r), c->val.buf);
		return rc == CRM_ENOTFOUND ? 0 : rc;
	}
	c->n++;
	if (c->count)
		return 0;
	if (c->mailto) {
		crm_mailbox(&c->line, crm_rec_value(r, "name"),
		    crm_rec_value(r, "email"));
	} else {
		for (i = 0; c->csv[i]; i++) {
			if (i)
				crm_buf_addch(&c->line, ',');
			crm_buf_reset(&c->val);
			crm_rec_text(t, r, c->csv[i], &c->val);
			crm_csv_field(&c->line, c->val.buf);
		}
		crm_buf_addstr(&c->line, "\r\n");
	}
	if (c->mailto)
		crm_buf_addch(&c->line, c->eol);
	return c->line.len < LINES ? 0 : flush(c);
}

static int
print(crm_txn *t, const crm_rec *r, void *arg)
{
	struct ctx *c = arg;
	int rc;

	if ((c->mailto || c->csv) && !c->explain)
		return mailing(t, r, c);
	c->n++;
	if (c->count || c->explain)
		return 0;
	rc = crm_out_rec(c->out, t, r);
	return rc && ferror(stdout) ? 3 : rc;
}

/* --csv name,email,city: check the fields, print the header row */
static char **
csv_fields(crm_db *db, const char *spec, char **buf)
{
	char **v = calloc(strlen(spec) + 2, sizeof *v), *s = strdup(spec), *p;
	size_t n = 0;
	int rc;

	for (p = strtok(s, ","); p; p = strtok(NULL, ","))
		v[n++] = p;
	if (!n)
		crm_die(2, "--csv takes field names, e.g. name,email");
	*buf = s;
	for (n = 0; v[n]; n++)
		if ((rc = crm_field_check(crm_db_schema(db), v[n], "--csv")))
			crm_fail(rc, NULL);
	return v;
}

static int
save(crm_txn *t, void *arg)
{
	struct ctx *c = arg;

	return crm_segment_save(t, c->name, c->query);
}

static int
drop(crm_txn *t, void *arg)
{
	return crm_segment_drop(t, ((struct ctx *)arg)->name);
}

static int
show(const char *name, const char *query, void *arg)
{
	struct crm_buf line = CRM_BUF_INIT;

	(void)arg;
	crm_buf_addstr(&line, name);
	crm_buf_addch(&line, '\t');
	crm_escape(&line, query, strlen(query));
	puts(line.buf);
	crm_buf_release(&line);
	return 0;
}

int
main(int argc, char **argv)
{
	enum { O_COUNT = CRM_OPT_CMD, O_EXPLAIN, O_SAVE, O_LIST, O_DROP,
		O_MAILTO, O_CSV, O_WHY };
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "count", 0, 0, O_COUNT }, { "explain", 0, 0, O_EXPLAIN },
		{ "save", 1, 0, O_SAVE }, { "list", 0, 0, O_LIST },
		{ "drop", 1, 0, O_DROP }, { "mailto", 0, 0, O_MAILTO },
		{ "csv", 1, 0, O_CSV }, { "why-excluded", 0, 0, O_WHY },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	struct crm_buf saved = CRM_BUF_INIT, plan = CRM_BUF_INIT;
	int ch, rc, list = 0;
	const char *dropname = NULL, *csv = NULL;
	crm_query *q;
	crm_db *db;
	crm_txn *t;

	crm_progname = "crm-segment";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_COUNT: c.count = 1; break;
		case O_EXPLAIN: c.explain = 1; break;
		case O_SAVE: c.name = optarg; break;
		case O_LIST: list = 1; break;
		case O_DROP: dropname = optarg; break;
		case O_MAILTO: c.mailto = 1; break;
		case O_CSV: csv = optarg; break;
		case O_WHY: c.why = 1; break;
		default: crm_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;

	if (list || dropname) {
		if (argc || (list && dropname))
			crm_usage(usage);
		db = crm_open_or_die(&o, list ? CRM_RDONLY : 0, argc, argv);
		if (dropname) {
			c.name = dropname;
			if ((rc = crm_write(db, drop, &c)))
				crm_fail(rc, "cannot drop");
		} else {
			if ((rc = crm_read(db, &t)) ||
			    (rc = crm_segment_list(t, show, NULL)))
				crm_fail(rc, "cannot list");
			crm_txn_end(t);
		}
		crm_cli_done(db);
		return fflush(stdout) ? 3 : 0;
	}
	if (argc != 1)
		crm_usage(usage);
	c.query = argv[0];
	if (c.mailto && csv)
		crm_usage(usage);
	/* a list of mailboxes or a CSV file, in its own form */
	if ((c.mailto || csv) && (o.json || o.format || o.header))
		crm_die(2, "%s prints a mailing list: no -j, -f or -H",
		    c.mailto ? "--mailto" : "--csv");
	if (csv && o.nul)
		crm_die(2, "--csv ends its lines with CRLF: no -0");
	if (c.why && !c.mailto && !csv)
		crm_die(2, "--why-excluded goes with --mailto or --csv");
	c.eol = o.nul ? '\0' : '\n';
	db = crm_open_or_die(&o, c.name ? 0 : CRM_RDONLY, argc, argv);
	/* a saved segment's name, else a query */
	rc = c.name ? CRM_ENOTFOUND : crm_segment_get(db, c.query, &saved);
	if (!rc)
		c.query = saved.buf;
	else if (rc != CRM_ENOTFOUND && rc != CRM_EINVAL)
		crm_fail(rc, "cannot read");
	if ((rc = crm_query_parse(&q, crm_db_schema(db), c.query,
	    crm_now(&o)))) {
		/* one bare word that is no field: most likely a segment */
		if (!c.name && *c.query && !c.query[strspn(c.query,
		    "abcdefghijklmnopqrstuvwxyz0123456789_-")] &&
		    strstr(crm_errmsg(), "unknown field"))
			crm_die(2, "no segment '%s' (crm-segment --list "
			    "shows them), and as a query: %s", c.query,
			    crm_errmsg());
		crm_fail(rc, NULL);
	}
	if (c.name) {
		if ((rc = crm_write(db, save, &c)))
			crm_fail(rc, "cannot save");
		crm_query_free(q);
		crm_cli_done(db);
		return 0;
	}
	if (csv)
		c.csv = csv_fields(db, csv, &c.csvbuf);
	if ((rc = crm_out_new(&c.out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	crm_buf_init(&c.line, 0);
	crm_buf_init(&c.val, 0);
	if (c.csv && !c.count && !c.explain) {
		for (size_t i = 0; c.csv[i]; i++)
			printf("%s%s", i ? "," : "", c.csv[i]);
		fputs("\r\n", stdout);
	}
	if (c.mailto || c.csv || o.json || o.format) {
		rc = crm_query_run(t, q, c.explain ? &plan : NULL, print, &c);
		if (!rc)
			rc = flush(&c);
	} else if (c.count) {
		rc = crm_query_count(t, q, c.explain ? &plan : NULL, &c.n);
	} else {
		/* ids alone: the indexes may answer without a record read */
		struct crm_ids ids = { 0 };

		rc = crm_query_ids(t, q, c.explain ? &plan : NULL, &ids);
		c.n = ids.n;
		if (!rc && !c.count && !c.explain &&
		    crm_print_ids(&ids, o.nul, o.header))
			rc = 3;
		crm_ids_release(&ids);
	}
	if (rc == 3)	/* what the walk printed could not be written */
		crm_die(3, "cannot write the output");
	if (rc)
		crm_fail(rc, "cannot select");
	if (c.explain)
		printf("%s%zu records match\n", plan.buf, c.n);
	if (c.count)
		printf("%zu%c", c.n, o.nul ? '\0' : '\n');
	if (crm_out_free(c.out))
		crm_die(3, "cannot write the output");
	crm_txn_end(t);
	crm_query_free(q);
	crm_cli_done(db);
	crm_buf_release(&saved);
	crm_buf_release(&plan);
	crm_buf_release(&c.line);
	crm_buf_release(&c.val);
	free(c.csvbuf);
	free(c.csv);
	return c.n ? 0 : 1;
}
