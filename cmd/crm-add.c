/* crm-add.c - add records from arguments or, in bulk, from stdin */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-add [-u] [--from jsonl|csv] [--db DIR] TYPE [field=value ...]";

static int uflag;
static int csvflag;

struct ctx {
	const char *type;
	char **assign;
	int nassign;
	crm_input *in;
	struct crm_ids ids;	/* what to print once committed */
	int tty;
	struct timespec start;
};

/* One record from the line or row the reader is at. */
static int
fill_csv(crm_rec *r, struct crm_csv *hdr, struct crm_csv *row)
{
	size_t i;
	int rc;

	if (row->n > hdr->n)
		return crm_seterr(CRM_EINVAL, "%zu fields, but the header "
		    "has %zu", row->n, hdr->n);
	for (i = 0; i < row->n; i++)
		if (row->len[i] && (rc = crm_rec_set(r, hdr->field[i],
		    row->field[i], row->len[i], CRM_SET)))
			return rc;
	return 0;
}

/* Long imports say how far they are, on a terminal only. */
static void
progress(struct ctx *c, size_t line, int done)
{
	struct timespec now;
	double secs;

	if (!c->tty || (!done && line % 50000))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - c->start.tv_sec) +
	    (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
	if (done) {
		if (line >= 50000)
			fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\rcrm-add: line %zu, %.0f lines/s", line,
	    secs > 0 ? (double)line / secs : 0.0);
}

static int
put(crm_txn *t, crm_rec *r, struct ctx *c)
{
	crm_rec *old;
	uint64_t id;
	int rc;

	if (uflag && !(rc = crm_rec_find_unique(t, r, &id))) {
		if ((rc = crm_rec_get(t, id, &old)))
			return rc;
		crm_rec_merge(old, r);
		rc = crm_rec_put(t, old);
		crm_rec_free(old);
	} else if (uflag && rc != CRM_ENOTFOUND) {
		return rc;
	} else {
		rc = crm_rec_put(t, r);
		id = crm_rec_id(r);
	}
	if (!rc)
		crm_ids_add(&c->ids, id);
	return rc;
}

static int
add_args(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	crm_rec *r;
	int i, rc;

	c->ids.n = 0;
	if ((rc = crm_rec_new(t, c->type, &r)))
		return rc;
	for (i = 0; i < c->nassign && !rc; i++)
		rc = crm_rec_assign(r, c->assign[i]);
	if (!rc)
		rc = put(t, r, c);
	crm_rec_free(r);
	return rc;
}

static int
add_stdin(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	struct crm_csv hdr, row;
	crm_rec *r;
	char *line;
	size_t len, i, lineno = 0;
	int rc;

	c->ids.n = 0;
	if ((rc = crm_input_rewind(c->in)) ||
	    (rc = crm_rec_new(t, c->type, &r)))
		return rc;
	crm_csv_init(&hdr);
	crm_csv_init(&row);
	if (csvflag) {
		rc = crm_csv_read(c->in, &hdr);
		for (i = 0; !rc && i < hdr.n; i++)
			rc = crm_rec_set(r, hdr.field[i], "", 0, CRM_SET);
		if (rc == CRM_ENOTFOUND)
			rc = 0;
		else if (rc)
			crm_errprefix(rc, "line 1: ");
		else
			row.delim = hdr.delim;
	}
	while (!rc) {
		crm_rec_clear(r);
		if (csvflag) {
			if ((rc = crm_csv_read(c->in, &row)))
				break;
			if (row.n == 1 && !row.len[0])
				continue;
			lineno = row.line;
			crm_txn_setline(t, lineno);
			rc = fill_csv(r, &hdr, &row);
		} else {
			if ((rc = crm_input_line(c->in, &line, &len)))
				break;
			if (!len || strspn(line, " \t") == len)
				continue;
			lineno = crm_input_lineno(c->in);
			crm_txn_setline(t, lineno);
			rc = crm_rec_set_json(r, line, len);
		}
		if (!rc)
			rc = put(t, r, c);
		if (rc && rc != CRM_ESTORE)
			crm_errprefix(rc, "line %zu: ", lineno);
		progress(c, lineno, 0);
	}
	progress(c, lineno, 1);
	crm_csv_release(&hdr);
	crm_csv_release(&row);
	crm_rec_free(r);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

/* -j, -f: the records as they were stored */
static void
print_records(crm_db *db, crm_out *out, const struct crm_ids *ids)
{
	crm_txn *t;
	int rc;

	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	rc = crm_out_ids(out, t, ids);
	if (crm_out_free(out) || rc)
		crm_die(3, "cannot write the output");
	crm_txn_end(t);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "from", 1, 0, CRM_OPT_CMD },
		{ "update", 0, 0, 'u' },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	static const char *const cols[] = { "id", NULL };
	struct ctx c = { 0 };
	crm_out *out = NULL;
	crm_db *db;
	int ch, rc, status;

	crm_progname = "crm-add";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "u", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch == 'u')
			uflag = 1;
		else if (ch == CRM_OPT_CMD && !strcmp(optarg, "csv"))
			csvflag = 1;
		else if (ch == CRM_OPT_CMD && !strcmp(optarg, "jsonl"))
			csvflag = 0;
		else if (ch == CRM_OPT_CMD)
			crm_die(2, "--from takes jsonl or csv, not '%s'",
			    optarg);
		else
			crm_usage(usage);
	}
	if (optind >= argc)
		crm_usage(usage);
	c.type = argv[optind];
	c.assign = argv + optind + 1;
	c.nassign = argc - optind - 1;
	if (!c.nassign && isatty(0))
		crm_die(2, "no fields given (field=value ..., or records on "
		    "stdin)");

	db = crm_open_or_die(&o, 0, argc, argv);
	if (!crm_schema_hastype(crm_db_schema(db), c.type))
		crm_fail(CRM_EINVAL, NULL);
	/* a bad template is bad input: found before anything is written */
	if ((o.json || o.format) &&
	    (rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if (c.nassign) {
		rc = crm_write(db, add_args, &c);
	} else {
		crm_input_open(&c.in, stdin);
		c.tty = isatty(2);
		clock_gettime(CLOCK_MONOTONIC, &c.start);
		rc = crm_write(db, add_stdin, &c);
		crm_input_close(c.in);
	}
	if (rc)
		crm_fail(rc, "cannot add");
	if (out)
		print_records(db, out, &c.ids);
	else
		crm_print_ids(&c.ids, o.nul, o.header);
	crm_ids_release(&c.ids);
	status = fflush(stdout) || ferror(stdout) ? 3 : 0;
	crm_cli_done(db);
	if (status)
		crm_die(status, "cannot write the output");
	return 0;
}
