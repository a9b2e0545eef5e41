/* crm-merge.c - one record of two: pairs from crm-dupes, or ID ID */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-merge [-j0H] [-f FORMAT] [--db DIR] [--keep first|oldest|newest]\n"
    "          [ID ID | < pairs]";

enum { O_KEEP = CRM_OPT_CMD };
enum keep { K_FIRST, K_OLDEST, K_NEWEST };

static const char *const cols[] = { "kept#", "merged#", NULL };

struct ctx {
	uint64_t *a, *b;	/* the pairs given */
	uint64_t *kept, *gone;	/* each pair as merged */
	size_t n;
	enum keep keep;
};

static int
merge(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	crm_rec *x, *y;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->n && !rc; i++) {
		uint64_t keep = c->a[i], drop = c->b[i];

		crm_txn_setline(t, i + 1);
		if (c->keep != K_FIRST && !(rc = crm_rec_get(t, keep, &x))) {
			if (!(rc = crm_rec_get(t, drop, &y))) {
				int64_t cx = crm_rec_created(x);
				int64_t cy = crm_rec_created(y);

				/* ties go to the lower id */
				if (c->keep == K_OLDEST ? cy < cx || (cy == cx &&
				    c->b[i] < c->a[i]) : cy > cx || (cy == cx &&
				    c->b[i] < c->a[i])) {
					keep = c->b[i];
					drop = c->a[i];
				}
				crm_rec_free(y);
			}
			crm_rec_free(x);
		}
		if (!rc)
			rc = crm_rec_merge_ids(t, &keep, &drop);
		c->kept[i] = keep;
		c->gone[i] = drop;
		if (rc && c->n > 1)
			crm_errprefix(rc, "pair %zu: ", i + 1);
	}
	return rc;
}

static uint64_t
id_of(const char *s, size_t line)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || !v || (*end && !strchr("\t \r\n", *end))) {
		if (line)
			crm_die(2, "line %zu: '%.*s' is not a record id",
			    line, (int)strcspn(s, "\t \r\n"), s);
		crm_die(2, "'%s' is not a record id", s);
	}
	return v;
}

/* One more pair: room for it in all four lists. */
static void
grow(struct ctx *c, uint64_t a, uint64_t b)
{
	size_t cap = c->n ? 2 * c->n : 1;

	if (!(c->n & (c->n - 1))) {	/* 0, 1, 2, 4, ...: full */
		c->a = crm_xrealloc(c->a, cap * sizeof *c->a);
		c->b = crm_xrealloc(c->b, cap * sizeof *c->b);
		c->kept = crm_xrealloc(c->kept, cap * sizeof *c->kept);
		c->gone = crm_xrealloc(c->gone, cap * sizeof *c->gone);
	}
	c->a[c->n] = a;
	c->b[c->n++] = b;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "keep", 1, 0, O_KEEP },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	char *line = NULL, *tab;
	size_t i, cap = 0, lineno = 0;
	ssize_t len;
	crm_out *out;
	crm_db *db;
	int ch, rc;

	crm_progname = "crm-merge";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch != O_KEEP)
			crm_usage(usage);
		if (!strcmp(optarg, "first"))
			c.keep = K_FIRST;
		else if (!strcmp(optarg, "oldest"))
			c.keep = K_OLDEST;
		else if (!strcmp(optarg, "newest"))
			c.keep = K_NEWEST;
		else
			crm_die(2, "--keep: first, oldest or newest, not "
			    "'%s'", optarg);
	}
	if (argc - optind == 2) {
		grow(&c, id_of(argv[optind], 0), id_of(argv[optind + 1], 0));
	} else if (optind == argc) {
		/* pairs: "ID<TAB>ID[<TAB>score...]", as crm-dupes prints */
		while ((len = getline(&line, &cap, stdin)) > 0) {
			lineno++;
			if (len <= 1)
				continue;
			tab = line + strcspn(line, "\t ");
			if (!*tab)
				crm_die(2, "line %zu: expected two ids",
				    lineno);
			grow(&c, id_of(line, lineno), id_of(tab + 1, lineno));
		}
		free(line);
	} else {
		crm_usage(usage);
	}
	if (!c.n)
		crm_die(2, "no pairs to merge");
	db = crm_open_or_die(&o, 0, argc, argv);
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_write(db, merge, &c)))
		crm_fail(rc, "cannot merge");
	for (i = 0; i < c.n && !rc; i++) {
		char x[24], y[24];
		const char *v[3] = { x, y, NULL };

		snprintf(x, sizeof x, "%llu", (unsigned long long)c.kept[i]);
		snprintf(y, sizeof y, "%llu", (unsigned long long)c.gone[i]);
		rc = crm_out_row(out, v);
	}
	crm_cli_done(db);
	free(c.a);
	free(c.b);
	free(c.kept);
	free(c.gone);
	return crm_out_free(out) || rc ? 3 : 0;
}
