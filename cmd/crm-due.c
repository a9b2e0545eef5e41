/* crm-due.c - what is due: open tasks for cron, mail and calendars */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-due [-j0H] [-f FORMAT] [--db DIR] [--now WHEN]\n"
    "       [--owner USER | --mine] [--within N(h|d|w|m) | --overdue]\n"
    "       [--where QUERY] [--ical]";

static const char *const cols[] = { "due", "task#", "record#", "name",
	"phone", "email", "text", NULL };

struct ctx {
	crm_txn *t;
	crm_out *out;
	crm_rec *task, *about;	/* reused for every line */
	crm_query *where;	/* the record a task is about must match */
	int64_t after;		/* --overdue: before today only */
	int ical;
	struct crm_buf cal, uid;
	size_t n;
};

static int
one(uint64_t id, int64_t due, void *arg)
{
	struct ctx *c = arg;
	struct crm_buf when = CRM_BUF_INIT;
	crm_rec *task = c->task, *about = c->about;
	const char *a, *v[7];
	char tid[24], rid[24] = "";
	int rc;

	if (due <= c->after)
		return 0;
	/* two records a line: loaded into the same two, again and again */
	if ((rc = crm_rec_load(c->t, id, task)))
		return rc == CRM_ENOTFOUND ? 0 : rc;
	if (!(a = crm_rec_value(task, "about")) ||
	    crm_rec_load(c->t, strtoull(a, NULL, 10), about))
		about = NULL;
	if (c->where && (!about || !crm_query_match(c->t, c->where, about)))
		return 0;
	c->n++;
	if (c->ical) {
		crm_ical_todo(&c->cal, task, about, due, c->uid.buf);
	} else {
		crm_datetime_fmt(&when, due);
		snprintf(tid, sizeof tid, "%llu", (unsigned long long)id);
		if (about)
			snprintf(rid, sizeof rid, "%llu",
			    (unsigned long long)crm_rec_id(about));
		v[0] = when.buf;
		v[1] = tid;
		v[2] = rid;
		v[3] = about ? crm_rec_value(about, "name") : NULL;
		v[4] = about ? crm_rec_value(about, "phone") : NULL;
		v[5] = about ? crm_rec_value(about, "email") : NULL;
		v[6] = crm_rec_value(task, "text");
		rc = crm_out_row(c->out, v);
	}
	crm_buf_release(&when);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_OWNER = CRM_OPT_CMD, O_MINE, O_WITHIN, O_OVERDUE, O_ICAL,
		O_WHERE };
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "owner", 1, 0, O_OWNER }, { "mine", 0, 0, O_MINE },
		{ "within", 1, 0, O_WITHIN }, { "overdue", 0, 0, O_OVERDUE },
		{ "ical", 0, 0, O_ICAL }, { "where", 1, 0, O_WHERE },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	const char *owner = NULL, *within = NULL, *where = NULL;
	int64_t now, until;
	int ch, rc, overdue = 0, mine = 0;
	crm_db *db;

	crm_progname = "crm-due";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_OWNER: owner = optarg; break;
		case O_MINE: mine = 1; break;
		case O_WITHIN: within = optarg; break;
		case O_OVERDUE: overdue = 1; break;
		case O_ICAL: c.ical = 1; break;
		case O_WHERE: where = optarg; break;
		default: crm_usage(usage);
		}
	}
	/* the synopsis offers each pair as one or the other */
	if (optind != argc || (within && overdue) || (owner && mine))
		crm_usage(usage);
	if (mine)
		owner = crm_user();
	now = crm_now(&o);
	until = now;
	c.after = INT64_MIN;
	if (within) {
		char step[32];

		snprintf(step, sizeof step, "%s%s", *within == '+' ? "" :
		    "+", within);
		until = crm_date_or_die(&o, "--within", step);
	}
	if (overdue) {
		/* due before today began */
		until = crm_date_or_die(&o, "--overdue", "today") - 1;
	}

	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if (where && (rc = crm_query_parse(&c.where, crm_db_schema(db), where,
	    now)))
		crm_fail(rc, NULL);
	if ((rc = crm_out_new(&c.out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	crm_buf_init(&c.cal, 0);
	crm_buf_init(&c.uid, 0);
	/* before the read transaction: a thread holds one at a time */
	if (c.ical && (rc = crm_db_uuid(db, &c.uid)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_read(db, &c.t)) ||
	    (rc = crm_rec_new(c.t, "task", &c.task)) ||
	    (rc = crm_rec_new(c.t, "task", &c.about)))
		crm_fail(rc, "cannot read");
	if (c.ical) {
		crm_ical_prop(&c.cal, "BEGIN", "VCALENDAR", 0);
		crm_ical_prop(&c.cal, "VERSION", "2.0", 0);
		crm_ical_prop(&c.cal, "PRODID", "-//crm//crm-due "
		    CRM_VERSION "//EN", 0);
	}
	if ((rc = crm_due(c.t, owner, until, one, &c)))
		crm_fail(rc, "cannot list");
	if (c.ical) {
		crm_ical_prop(&c.cal, "END", "VCALENDAR", 0);
		fwrite(c.cal.buf, 1, c.cal.len, stdout);
	}
	if (crm_out_free(c.out))
		crm_die(3, "cannot write the output");
	crm_rec_free(c.task);
	crm_rec_free(c.about);
	crm_query_free(c.where);
	crm_txn_end(c.t);
	crm_cli_done(db);
	crm_buf_release(&c.cal);
	crm_buf_release(&c.uid);
	return c.n ? 0 : 1;
}
