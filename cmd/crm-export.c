/* crm-export.c - the store, or part of it, for other programs */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-export [--db DIR] [--now WHEN] [--where QUERY]\n"
    "       --to jsonl | --to csv [--raw] [FIELD,...] |\n"
    "       --to vcard [--version 3.0|4.0] | --to vdir [--prune] DIR |\n"
    "       --to ical\n"
    "crm-export [--db DIR] --subject ID";

enum { O_TO = CRM_OPT_CMD, O_WHERE, O_VERSION, O_RAW, O_SUBJECT, O_PRUNE };

struct ctx {
	const crm_rec *r;	/* --to ical: the record of the meetings */
	const char *to;
	crm_vdir *vdir;		/* --to vdir */
	int jsonl;		/* --to jsonl, asked of every record */
	int v3, raw;
	char **csv;		/* the columns */
	crm_out *out;
	struct crm_buf line, val, store;
	size_t n;
};

/* A cell as RFC 4180 has it; defused against spreadsheet formulas
 * unless --raw. */
static void
cell(struct ctx *c, const char *v)
{
	const char *p;

	if (!c->raw) {
		crm_csv_field(&c->line, v);
		return;
	}
	if (!strpbrk(v, ",\"\r\n")) {
		crm_buf_addstr(&c->line, v);
		return;
	}
	crm_buf_addch(&c->line, '"');
	for (p = v; *p; p++) {
		if (*p == '"')
			crm_buf_addch(&c->line, '"');
		crm_buf_addch(&c->line, *p);
	}
	crm_buf_addch(&c->line, '"');
}

static int
meeting(const struct crm_log *e, void *arg)
{
	struct ctx *c = arg;

	if (!strcmp(e->kind, "meeting"))
		crm_ical_event(&c->line, e, c->r, c->store.buf);
	return 0;
}

/* Tasks as VTODO, meetings of the record as VEVENT. */
static int
ical(crm_txn *t, const crm_rec *r, struct ctx *c)
{
	const char *v;
	crm_rec *about = NULL;
	int rc = 0;

	crm_buf_reset(&c->line);
	if (!strcmp(crm_rec_type(r), "task")) {
		if ((v = crm_rec_value(r, "about")) &&
		    crm_rec_get(t, strtoull(v, NULL, 10), &about))
			about = NULL;
		v = crm_rec_value(r, "due");
		crm_ical_todo(&c->line, r, about, v ? strtoll(v, NULL, 10) :
		    0, c->store.buf);
		crm_rec_free(about);
	} else {
		c->r = r;
		rc = crm_log_own(t, crm_rec_id(r), meeting, c);
	}
	c->n += c->line.len > 0;
	fwrite(c->line.buf, 1, c->line.len, stdout);
	return rc ? rc : ferror(stdout) ? EIO : 0;
}

static int
one(crm_txn *t, const crm_rec *r, void *arg)
{
	struct ctx *c = arg;
	const char *type = crm_rec_type(r);
	size_t i;

	if (c->jsonl) {
		c->n++;
		return crm_out_export(c->out, t, r);
	}
	if (!strcmp(c->to, "ical"))
		return ical(t, r, c);
	crm_buf_reset(&c->line);
	if (!strcmp(c->to, "csv")) {
		for (i = 0; c->csv[i]; i++) {
			if (i)
				crm_buf_addch(&c->line, ',');
			crm_buf_reset(&c->val);
			crm_rec_text(t, r, c->csv[i], &c->val);
			cell(c, c->val.buf);
		}
		crm_buf_addstr(&c->line, "\r\n");
	} else {
		/* cards are of people and companies */
		if (strcmp(type, "person") && strcmp(type, "company"))
			return 0;
		crm_vcard_of(t, r, c->v3, c->store.buf, &c->line);
	}
	c->n++;
	if (c->vdir) {
		crm_buf_reset(&c->val);
		crm_vcard_uid(r, c->store.buf, &c->val);
		return crm_vdir_put(c->vdir, c->val.buf, &c->line);
	}
	fwrite(c->line.buf, 1, c->line.len, stdout);
	return ferror(stdout) ? EIO : 0;
}

static char **
split(const char *spec)
{
	char *s = strdup(spec), *p, *save = NULL;
	char **v = calloc(strlen(spec) + 2, sizeof *v);
	size_t n = 0;

	for (p = strtok_r(s, ",", &save); p; p = strtok_r(NULL, ",", &save))
		v[n++] = strdup(p);
	free(s);
	return v;
}

/* --subject: everything held about one person, for their request */
static int
subject(struct crm_opts *o, const char *id, int argc, char **argv)
{
	static const char *const cols[] = { "id", NULL };
	unsigned long long n;
	crm_out *out;
	crm_rec *r;
	crm_txn *t;
	crm_db *db;
	char *end;
	int rc;

	n = strtoull(id, &end, 10);
	if (*end || !n || optind != argc)
		crm_usage(usage);
	db = crm_open_or_die(o, CRM_RDONLY, argc, argv);
	o->json = 1;
	if ((rc = crm_out_new(&out, o, crm_db_schema(db), cols)) ||
	    (rc = crm_read(db, &t)))
		crm_fail(rc, NULL);
	if ((rc = crm_rec_get(t, n, &r)) == CRM_ENOTFOUND)
		crm_die(1, "no record %llu", n);
	if (!rc && !crm_visible(t, r))
		crm_die(2, "record %llu is not %s's to see", n, crm_user());
	if (rc || (rc = crm_out_subject(out, t, r)))
		crm_fail(rc, "cannot export");
	crm_rec_free(r);
	crm_txn_end(t);
	if (crm_out_free(out) || fflush(stdout))
		crm_die(3, "cannot write the output");
	crm_cli_done(db);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		/* --version is the vCard's here */
		CRM_LONGOPTS_NOVERSION,
		{ "to", 1, 0, O_TO }, { "where", 1, 0, O_WHERE },
		{ "version", 1, 0, O_VERSION }, { "raw", 0, 0, O_RAW },
		{ "subject", 1, 0, O_SUBJECT }, { "prune", 0, 0, O_PRUNE },
		{ 0, 0, 0, 0 }
	};
	static const char *const cols[] = { "id", NULL };
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	const char *where = NULL, *subj = NULL, *dir = NULL;
	struct crm_vdir_counts vn;
	crm_query *q = NULL;
	crm_db *db;
	crm_txn *t;
	size_t i;
	int ch, rc, prune = 0;

	crm_progname = "crm-export";
	/* a store's worth of output: written in larger pieces */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_TO: c.to = optarg; break;
		case O_WHERE: where = optarg; break;
		case O_RAW: c.raw = 1; break;
		case O_SUBJECT: subj = optarg; break;
		case O_PRUNE: prune = 1; break;
		case O_VERSION:
			if (!strcmp(optarg, "3.0"))
				c.v3 = 1;
			else if (strcmp(optarg, "4.0"))
				crm_die(2, "--version: vCard 3.0 or 4.0, not "
				    "'%s'", optarg);
			break;
		default: crm_usage(usage);
		}
	}
	/* everything about one person: no other form, no selection */
	if (subj) {
		if (c.to || where || c.raw || c.v3 || prune || o.format ||
		    o.nul)
			crm_usage(usage);
		return subject(&o, subj, argc, argv);
	}
	if (!c.to)
		crm_usage(usage);
	if (!strcmp(c.to, "csv")) {
		c.csv = split(optind < argc ? argv[optind++] :
		    "name,email,phone,company.name,city");
		if (!c.csv[0])
			crm_die(2, "--to csv: which fields?");
	} else if (!strcmp(c.to, "vdir")) {
		if (optind >= argc)
			crm_usage(usage);
		dir = argv[optind++];
	} else if (strcmp(c.to, "jsonl") && strcmp(c.to, "vcard") &&
	    strcmp(c.to, "ical")) {
		crm_die(2, "--to takes jsonl, csv, vcard, vdir or ical, not "
		    "'%s'", c.to);
	}
	if (optind != argc || o.format || o.nul || o.json || (prune && !dir))
		crm_usage(usage);

	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	/* open, the store needs no more of its group: the directory of
	 * --to vdir is written as the user */
	crm_as_user(1);
	for (i = 0; c.csv && c.csv[i]; i++)
		if ((rc = crm_field_check(crm_db_schema(db), c.csv[i],
		    "--to csv")))
			crm_fail(rc, NULL);
	if (where && (rc = crm_query_parse(&q, crm_db_schema(db), where,
	    crm_now(&o))))
		crm_fail(rc, NULL);
	o.json = 1;
	if ((rc = crm_out_new(&c.out, &o, crm_db_schema(db), cols)) ||
	    (rc = crm_db_uuid(db, &c.store)))
		crm_fail(rc, NULL);
	if (c.csv) {
		crm_buf_reset(&c.line);
		for (i = 0; c.csv[i]; i++)
			crm_buf_addf(&c.line, "%s%s", i ? "," : "", c.csv[i]);
		crm_buf_addstr(&c.line, "\r\n");
		fwrite(c.line.buf, 1, c.line.len, stdout);
	}
	if (!strcmp(c.to, "ical")) {
		crm_buf_reset(&c.line);
		crm_ical_prop(&c.line, "BEGIN", "VCALENDAR", 0);
		crm_ical_prop(&c.line, "VERSION", "2.0", 0);
		crm_ical_prop(&c.line, "PRODID", "-//crm//crm-export "
		    CRM_VERSION "//EN", 0);
		fwrite(c.line.buf, 1, c.line.len, stdout);
	}
	c.jsonl = !strcmp(c.to, "jsonl");
	if (dir && (rc = crm_vdir_open(&c.vdir, dir)))
		crm_die(2, "%s", crm_errmsg());
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	rc = q ? crm_query_run(t, q, NULL, one, &c) :
	    crm_scan_all(t, one, &c);
	/* what is not a record: the store's name, who may not be mailed,
	 * saved segments, what came from other stores */
	if (!rc && c.jsonl && !q)
		rc = crm_out_export_meta(c.out, t, c.store.buf);
	crm_txn_end(t);
	if (!rc && !strcmp(c.to, "ical")) {
		crm_buf_reset(&c.line);
		crm_ical_prop(&c.line, "END", "VCALENDAR", 0);
		fwrite(c.line.buf, 1, c.line.len, stdout);
	}
	if (rc) {
		crm_vdir_close(c.vdir, 0, NULL);	/* nothing removed */
		crm_fail(rc, "cannot export");
	}
	if (crm_out_free(c.out) || fflush(stdout))
		crm_die(3, "cannot write the output");
	if (dir) {
		rc = crm_vdir_close(c.vdir, prune, &vn);
		fprintf(stderr, "%s: %zu cards, %zu written", crm_progname,
		    vn.cards, vn.written);
		if (prune)
			fprintf(stderr, ", %zu removed", vn.removed);
		if (vn.kept)
			fprintf(stderr, ", %zu left as changed", vn.kept);
		fputc('\n', stderr);
		if (rc)
			crm_fail(rc, "cannot keep the list of cards");
	}
	crm_query_free(q);
	crm_cli_done(db);
	crm_buf_release(&c.line);
	crm_buf_release(&c.val);
	crm_buf_release(&c.store);
	for (i = 0; c.csv && c.csv[i]; i++)
		free(c.csv[i]);
	free(c.csv);
	return 0;
}
