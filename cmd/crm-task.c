/* crm-task.c - follow-ups: add, mark done, list and remove tasks */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-task [--db DIR] [--now WHEN] add [--due WHEN] [--owner USER]\n"
    "           [--priority high|normal|low] [--every N(d|w|m|y)] "
    "ID...|- TEXT\n"
    "       crm-task done TASK...|-\n"
    "       crm-task ls [-j0H] [-f FORMAT] [--owner USER] [--all] [ID]\n"
    "       crm-task rm TASK...|-";

static const char *const cols[] = { "id", "due", "about", "owner",
	"priority", "text", NULL };
static const char *const cols_all[] = { "id", "due", "about", "owner",
	"priority", "text", "done", NULL };

struct ctx {
	const struct crm_opts *o;
	struct crm_ids ids, made;
	const char *text, *owner, *priority, *every, *about;
	char due[64];
	int64_t now;
	int all;
	crm_out *out;
};

static int
set(crm_rec *r, const char *field, const char *v)
{
	return v && *v ? crm_rec_set(r, field, v, strlen(v), CRM_SET) : 0;
}

static int
add(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	char about[32];
	crm_rec *r;
	size_t i;
	int rc = 0;

	c->made.n = 0;		/* a retried write starts again */
	for (i = 0; i < c->ids.n && !rc; i++) {
		snprintf(about, sizeof about, "%llu",
		    (unsigned long long)c->ids.v[i]);
		if ((rc = crm_rec_new(t, "task", &r)))
			break;
		if (!(rc = set(r, "text", c->text)) &&
		    !(rc = set(r, "about", about)) &&
		    !(rc = set(r, "due", c->due)) &&
		    !(rc = set(r, "owner", c->owner)) &&
		    !(rc = set(r, "priority", c->priority)) &&
		    !(rc = set(r, "every", c->every)))
			rc = crm_rec_put(t, r);
		if (!rc)
			crm_ids_add(&c->made, crm_rec_id(r));
		crm_rec_free(r);
	}
	return rc;
}

static void
iso(char *b, size_t size, int64_t t)
{
	struct crm_buf x = CRM_BUF_INIT;

	crm_datetime_fmt(&x, t);
	snprintf(b, size, "%s", x.buf);
	crm_buf_release(&x);
}

/* The task with this id, or an error that there is none. */
static int
get_task(crm_txn *t, uint64_t id, crm_rec **rp)
{
	int rc = crm_rec_get(t, id, rp);

	if (rc == CRM_ENOTFOUND || (!rc && strcmp(crm_rec_type(*rp),
	    "task"))) {
		crm_rec_free(*rp);
		*rp = NULL;
		rc = crm_seterr(CRM_EINVAL, "no task %llu",
		    (unsigned long long)id);
	}
	return rc;
}

/*
 * The first time after due and after now that is a whole number of
 * intervals after due: a task done early comes back one interval on.
 * Counted from due rather than step by step, so that a task due monthly
 * on the 31st of January and done in the middle of April comes back on
 * the 30th of April, not on the 28th that February would have left.
 */
static int
next_due(int64_t due, const char *every, int64_t now, int64_t *next)
{
	char step[32], *unit;
	long n = strtol(every, &unit, 10), k;
	int rc;

	if (n <= 0)
		return crm_seterr(CRM_EINVAL, "'%s' is not an interval",
		    every);
	k = 1;
	do {
		snprintf(step, sizeof step, "+%ld%s", k++ * n, unit);
		if ((rc = crm_date_parse(step, due, next)))
			return rc;
	} while (*next <= now);
	return 0;
}

/* Done: stamp it; a repeating task comes back, one interval later. */
static int
done(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	char when[64];
	const char *due, *every;
	crm_rec *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ids.n && !rc; i++) {
		if ((rc = get_task(t, c->ids.v[i], &r)))
			break;
		if (crm_rec_value(r, "done")) {
			crm_rec_free(r);
			continue;
		}
		iso(when, sizeof when, c->now);
		rc = set(r, "done", when);
		if (!rc)
			rc = crm_rec_put(t, r);
		due = crm_rec_value(r, "due");
		every = crm_rec_value(r, "every");
		if (!rc && due && every) {
			int64_t next;

			rc = next_due(strtoll(due, NULL, 10), every, c->now,
			    &next);
			iso(when, sizeof when, next);
			if (!rc)
				rc = crm_rec_set(r, "due", when, strlen(when),
				    CRM_SET);
			if (!rc)
				rc = crm_rec_set(r, "done", "", 0, CRM_SET);
			if (!rc) {
				crm_rec_clear_id(r);
				rc = crm_rec_put(t, r);
			}
		}
		crm_rec_free(r);
	}
	return rc;
}

static int
rm(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	crm_rec *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ids.n && !rc; i++) {
		rc = get_task(t, c->ids.v[i], &r);
		crm_rec_free(r);
		if (!rc)
			rc = crm_rec_del(t, c->ids.v[i], 0, &c->ids);
	}
	return rc;
}

struct row {
	int64_t due;
	uint64_t id;
};

static int
collect(crm_txn *t, const crm_rec *r, void *arg)
{
	struct ctx *c = arg;
	const char *owner = crm_rec_value(r, "owner");
	const char *about = crm_rec_value(r, "about");

	(void)t;
	if (!c->all && crm_rec_value(r, "done"))
		return 0;
	if (c->owner && (!owner || strcmp(owner, c->owner)))
		return 0;
	if (c->about && (!about || strcmp(about, c->about)))
		return 0;
	crm_ids_add(&c->ids, crm_rec_id(r));
	return 0;
}

static int
by_due(crm_txn *t, struct ctx *c)
{
	struct row *rows = calloc(c->ids.n + 1, sizeof *rows);
	crm_rec *r;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < c->ids.n; i++) {
		const char *d;

		if ((rc = crm_rec_get(t, c->ids.v[i], &r)))
			break;
		d = crm_rec_value(r, "due");
		rows[i].due = d ? strtoll(d, NULL, 10) : INT64_MAX;
		rows[i].id = c->ids.v[i];
		crm_rec_free(r);
	}
	/* earliest first; no due date last; a stable insertion sort */
	for (i = 1; i < c->ids.n; i++)
		for (j = i; j > 0 && rows[j].due < rows[j - 1].due; j--) {
			struct row x = rows[j];

			rows[j] = rows[j - 1];
			rows[j - 1] = x;
		}
	for (i = 0; i < c->ids.n; i++)
		c->ids.v[i] = rows[i].id;
	free(rows);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_DUE = CRM_OPT_CMD, O_OWNER, O_PRIORITY, O_EVERY, O_ALL };
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "due", 1, 0, O_DUE }, { "owner", 1, 0, O_OWNER },
		{ "priority", 1, 0, O_PRIORITY }, { "every", 1, 0, O_EVERY },
		{ "all", 0, 0, O_ALL },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	const char *cmd, *due = NULL;
	crm_db *db;
	crm_txn *t;
	int ch, rc, n, listed;

	crm_progname = "crm-task";
	c.o = &o;
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_DUE: due = optarg; break;
		case O_OWNER: c.owner = optarg; break;
		case O_PRIORITY: c.priority = optarg; break;
		case O_EVERY: c.every = optarg; break;
		case O_ALL: c.all = 1; break;
		default: crm_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		crm_usage(usage);
	cmd = *argv++;
	argc--;
	c.now = crm_now(&o);

	if (!strcmp(cmd, "add")) {
		/* ID... or -, then the text */
		if (argc < 1)
			crm_usage(usage);
		n = argc - 1;
		c.text = argv[argc - 1];
		if (due) {
			struct crm_buf b = CRM_BUF_INIT;

			crm_datetime_fmt(&b, crm_date_or_die(&o, "--due",
			    due));
			snprintf(c.due, sizeof c.due, "%s", b.buf);
			crm_buf_release(&b);
		}
		if (c.every) {
			size_t d = strspn(c.every, "0123456789");

			/* 0d would never step past now when it is done */
			if (!d || !c.every[d] || !strchr("dwmy", c.every[d]) ||
			    c.every[d + 1] || !strtol(c.every, NULL, 10))
				crm_die(2, "--every: '%s' is not an interval "
				    "like 3m (N followed by d, w, m or y)",
				    c.every);
		}
		if (!c.owner)
			c.owner = crm_user();
		if ((rc = crm_ids_read(n, argv, &c.ids)))
			crm_fail(rc, NULL);
		if (!c.ids.n)
			crm_die(2, "no records selected");
		db = crm_open_or_die(&o, 0, argc, argv);
		if ((rc = crm_write(db, add, &c)))
			crm_fail(rc, "cannot add");
		crm_print_ids(&c.made, o.nul, 0);
	} else if (!strcmp(cmd, "done") || !strcmp(cmd, "rm")) {
		if ((rc = crm_ids_read(argc, argv, &c.ids)))
			crm_fail(rc, NULL);
		if (!c.ids.n)
			crm_die(2, "no tasks selected");
		crm_ids_sort(&c.ids);
		db = crm_open_or_die(&o, 0, argc, argv);
		if ((rc = crm_write(db, *cmd == 'd' ? done : rm, &c)))
			crm_fail(rc, *cmd == 'd' ? "cannot mark done" :
			    "cannot remove");
	} else if (!strcmp(cmd, "ls")) {
		if (argc > 1)
			crm_usage(usage);
		c.about = argc ? argv[0] : NULL;
		db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
		if ((rc = crm_out_new(&c.out, &o, crm_db_schema(db),
		    c.all ? cols_all : cols)))
			crm_fail(rc, NULL);
		if ((rc = crm_read(db, &t)) ||
		    (rc = crm_scan(t, "task", collect, &c)) ||
		    (rc = by_due(t, &c)) ||
		    (rc = crm_out_ids(c.out, t, &c.ids)))
			crm_fail(rc, "cannot list");
		listed = (int)crm_out_count(c.out);
		if (crm_out_free(c.out))
			crm_die(3, "cannot write the output");
		crm_txn_end(t);
		crm_cli_done(db);
		crm_ids_release(&c.ids);
		return listed ? 0 : 1;
	} else {
		crm_usage(usage);
	}
	if (fflush(stdout) || ferror(stdout))
		crm_die(3, "cannot write the output");
	crm_cli_done(db);
	crm_ids_release(&c.ids);
	crm_ids_release(&c.made);
	return 0;
}
