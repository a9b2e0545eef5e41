/* check.c - is the store what its records say?  And making it so.
 *
 * One pass over the records checks each against the schema, queues the
 * index entries it should have (an external sort, so memory stays
 * bounded), and counts its figures from its history.  A company's
 * figures hold its contact persons', and a record's next_due its open
 * tasks', so those are gathered and compared after the pass.  Then the
 * index is walked beside the sorted entries, and the history and the
 * journal are read through.  Nothing is written: a check is a reader.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
crm_bad(struct crm_checker *ck, uint64_t id, const char *fmt, ...)
{
	va_list ap;

	ck->n++;
	if (ck->rc)
		return;
	crm_buf_reset(&ck->msg);
	va_start(ap, fmt);
	crm_buf_vaddf(&ck->msg, fmt, ap);
	va_end(ap);
	ck->rc = ck->fn(id, ck->msg.buf, ck->arg);
}

/* A figure of some record, kept for after the pass. */
struct owed {
	uint64_t id;
	struct crm_figures f;	/* (next_due: f.last, f.n 0 or 1) */
};

struct owedv {
	struct owed *v;
	size_t n, alloc;
};

struct check {
	crm_txn *t;
	struct crm_checker *ck;
	struct crm_sorter *want;
	struct owedv company;	/* companies' own figures */
	struct owedv contact;	/* persons' figures, by their company */
	struct owedv task;	/* open tasks' due times, by record */
	struct owedv due;	/* records' next_due as stored */
	crm_rec *x;		/* scratch: figures as they should be */
	struct crm_buf b;
};

static void
owe(struct owedv *ov, uint64_t id, const struct crm_figures *f)
{
	if (ov->n == ov->alloc) {
		ov->alloc = ov->alloc ? 2 * ov->alloc : 256;
		ov->v = crm_xrealloc(ov->v, ov->alloc * sizeof *ov->v);
	}
	ov->v[ov->n].id = id;
	ov->v[ov->n].f = *f;
	ov->n++;
}

static int
by_id(const void *a, const void *b)
{
	const struct owed *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int
crm_rec_exists(crm_txn *t, uint64_t id)
{
	MDB_val k = { sizeof id, &id }, v;

	return !mdb_get(t->txn, t->db->recs, &k, &v);
}

/* Each value in the form the schema stores it in. */
static void
check_values(struct check *c, const crm_rec *r)
{
	const crm_schema *s = crm_txn_schema(c->t);
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		const char *v = r->arena.buf + r->v[i].off;

		if (!f)
			continue;	/* a former field's value, kept */
		if (crm_value_fits(s, f, v, r->v[i].len, &c->b))
			crm_bad(c->ck, r->id, "field '%s' holds '%s', not a "
			    "value of its type", f->name, v);
	}
	if (crm_rec_check_refs(c->t, r))
		crm_bad(c->ck, r->id, "%s", crm_errmsg());
}

static const char *
nth(const crm_rec *r, unsigned fid)
{
	const char *v = crm_rec_nth(r, fid, 0, NULL);

	return v ? v : "(none)";
}

/* A stored time as a person reads it, or "(none)". */
static const char *
when(struct crm_buf *b, const char *v)
{
	crm_buf_reset(b);
	if (!v || !strcmp(v, "(none)"))
		return "(none)";
	crm_datetime_fmt(b, strtoll(v, NULL, 10));
	return b->buf;
}

/* Do r's stored figures equal f? */
static void
compare(struct check *c, const crm_rec *r, const struct crm_figures *f)
{
	static const unsigned fids[] = { FID_INTERACTIONS, FID_LAST_CONTACT,
		FID_TURNOVER };
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	size_t i;

	crm_figures_set(c->x, f);
	for (i = 0; i < 3; i++) {
		const char *has = nth(r, fids[i]), *want = nth(c->x, fids[i]);

		if (fids[i] == FID_TURNOVER && f->over) {
			crm_bad(c->ck, r->id, "turnover is %s, its history "
			    "sums beyond the range of money", has);
			continue;
		}
		if (!strcmp(has, want))
			continue;
		if (fids[i] == FID_LAST_CONTACT) {
			has = when(&a, has);
			want = when(&b, want);
		}
		c->ck->fixable++;
		crm_bad(c->ck, r->id, "%s is %s, its history says %s",
		    crm_derived_names[fids[i]], has, want);
	}
	crm_buf_release(&a);
	crm_buf_release(&b);
}

/* A deal closed when won or lost, and open otherwise. */
static void
check_stage(struct check *c, const crm_rec *r)
{
	const struct crm_field *f = crm_type_stage(r->type);
	const struct crm_enumval *ev;
	const char *st;

	if (!f || !(st = crm_rec_nth(r, f->fid, 0, NULL)) ||
	    !(ev = crm_stage_val(f, st)))
		return;
	if ((ev->state != ST_OPEN) != !!crm_rec_nth(r, FID_CLOSED, 0, NULL)) {
		c->ck->fixable++;
		crm_bad(c->ck, r->id, "%s is %s, but closed is %s", f->name,
		    st, when(&c->b, nth(r, FID_CLOSED)));
	}
}

static int
one(struct check *c, crm_rec *r)
{
	struct crm_figures f = { 0, 0, 0, 0 }, due = { 0, 0, 0, 0 };
	const char *v;
	uint64_t about;
	int rc;

	check_values(c, r);
	check_stage(c, r);
	crm_index_entries(r, c->want, 0);
	if ((rc = crm_log_figures(c->t, r->id, &f)))
		return rc;
	/* a company's, once its contacts' are counted */
	if (!strcmp(r->type->name, "company"))
		owe(&c->company, r->id, &f);
	else
		compare(c, r, &f);
	if (!strcmp(r->type->name, "person") &&
	    (v = crm_rec_value(r, "company")) &&
	    (about = strtoull(v, NULL, 10)))
		owe(&c->contact, about, &f);
	if (crm_task_open(r, &about, &due.last)) {
		due.n = 1;
		owe(&c->task, about, &due);
	}
	if ((v = crm_rec_nth(r, FID_NEXT_DUE, 0, NULL))) {
		due.n = 1;
		due.last = strtoll(v, NULL, 10);
		owe(&c->due, r->id, &due);
	}
	return 0;
}

/* Companies: their own figures and their contacts' against the stored. */
static int
companies(struct check *c)
{
	size_t i, j = 0;
	int rc = 0;

	if (c->contact.n)
		qsort(c->contact.v, c->contact.n, sizeof *c->contact.v, by_id);
	for (i = 0; i < c->company.n && !rc; i++) {
		struct owed *o = &c->company.v[i];
		crm_rec *r;

		while (j < c->contact.n && c->contact.v[j].id < o->id)
			j++;
		for (; j < c->contact.n && c->contact.v[j].id == o->id; j++)
			crm_figures_add(&o->f, &c->contact.v[j].f);
		if (!(rc = crm_rec_get(c->t, o->id, &r))) {
			compare(c, r, &o->f);
			crm_rec_free(r);
		}
	}
	return rc;
}

/* Each record's next_due: the earliest due time of its open tasks. */
static void
next_due(struct check *c)
{
	struct owedv *tv = &c->task, *dv = &c->due;
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	size_t i = 0, j = 0;

	if (tv->n)
		qsort(tv->v, tv->n, sizeof *tv->v, by_id);
	while (i < tv->n || j < dv->n) {
		uint64_t id = i < tv->n && (j >= dv->n || tv->v[i].id <
		    dv->v[j].id) ? tv->v[i].id : dv->v[j].id;
		int64_t want = 0, has = 0;
		int w = 0, h = 0;

		for (; i < tv->n && tv->v[i].id == id; i++)
			if (!w++ || tv->v[i].f.last < want)
				want = tv->v[i].f.last;
		if (j < dv->n && dv->v[j].id == id) {
			has = dv->v[j++].f.last;
			h = 1;
		}
		/* tasks about a record gone are not its */
		if ((w && !h && !crm_rec_exists(c->t, id)) ||
		    (w && h && want == has))
			continue;
		crm_buf_reset(&a);
		crm_buf_reset(&b);
		if (h)
			crm_datetime_fmt(&a, has);
		if (w)
			crm_datetime_fmt(&b, want);
		c->ck->fixable++;
		if (w)
			crm_bad(c->ck, id, "next_due is %s, its open tasks "
			    "say %s", h ? a.buf : "(none)", b.buf);
		else
			crm_bad(c->ck, id, "next_due is %s, but it has no "
			    "open tasks", a.buf);
	}
	crm_buf_release(&a);
	crm_buf_release(&b);
}

static int
records(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	crm_rec *r = crm_rec_alloc();
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(c->t->txn, c->t->db->recs, &cur))) {
		crm_rec_free(r);
		return crm_mdb_err(rc, "cannot read the records");
	}
	while (!c->ck->rc && !(rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))) {
		uint64_t id;

		if (k.mv_size != sizeof id) {
			crm_bad(c->ck, 0, "a record has a key of %zu bytes",
			    k.mv_size);
			continue;
		}
		memcpy(&id, k.mv_data, sizeof id);
		if (crm_rec_decode(r, crm_txn_schema(c->t), id, v.mv_data,
		    v.mv_size)) {
			crm_bad(c->ck, id, "%s", crm_errmsg());
			continue;
		}
		if ((frc = one(c, r)))
			break;
	}
	mdb_cursor_close(cur);
	crm_rec_free(r);
	if (frc)
		return frc;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the records") : 0;
}

int
crm_check(crm_txn *t, int (*fn)(uint64_t id, const char *msg, void *arg),
    void *arg, size_t *n, size_t *fixable)
{
	struct crm_checker ck = { fn, arg, 0, 0, 0, CRM_BUF_INIT };
	struct check c;
	int rc;

	/* what is wrong names the data of every record: an admin's to read */
	*n = *fixable = 0;
	if ((rc = crm_require(t->db, ROLE_ADMIN, "crm-check")))
		return rc;
	memset(&c, 0, sizeof c);
	c.t = t;
	c.ck = &ck;
	c.want = crm_sorter_new((size_t)64 << 20);
	c.x = crm_rec_alloc();
	if (!(rc = records(&c)) && !ck.rc && !(rc = companies(&c))) {
		next_due(&c);
		if (!ck.rc && !(rc = crm_index_hist_all(t, c.want)))
			rc = crm_index_compare(t, c.want, &ck);
		if (!rc && !ck.rc)
			rc = crm_log_check(t, &ck);
		if (!rc && !ck.rc)
			rc = crm_journal_check(t, &ck);
		if (!rc && !ck.rc)
			rc = crm_roll_check(t, &ck);
		if (!rc && !ck.rc)
			rc = crm_hist_check(t, &ck);
	}
	*fixable = ck.fixable;
	crm_sorter_free(c.want);
	crm_rec_free(c.x);
	free(c.company.v);
	free(c.contact.v);
	free(c.task.v);
	free(c.due.v);
	crm_buf_release(&c.b);
	crm_buf_release(&ck.msg);
	*n = ck.n;
	return rc ? rc : ck.rc;
}

/* ----------------------------------------------------------- repair */

static int
ids_of(crm_txn *t, struct crm_ids *ids)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &cur)))
		return crm_mdb_err(rc, "cannot read the records");
	while (!(rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))) {
		uint64_t id;

		if (k.mv_size != sizeof id)
			continue;
		memcpy(&id, k.mv_data, sizeof id);
		crm_ids_add(ids, id);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the records");
}

int
crm_repair(crm_txn *t)
{
	struct crm_ids ids = { 0 };
	size_t i;
	int rc;

	/* the index first: figures are counted through it */
	if ((rc = crm_require(t->db, ROLE_ADMIN, "crm-check --repair")) ||
	    (rc = crm_index_rebuild(t)) || (rc = ids_of(t, &ids)))
		goto out;
	for (i = 0; i < ids.n && !rc; i++) {
		crm_rec *r;

		if ((rc = crm_log_refigure(t, ids.v[i])) ||
		    (rc = crm_task_refresh(t, ids.v[i])) ||
		    (rc = crm_rec_get(t, ids.v[i], &r)))
			break;
		if (crm_rec_reclose(r))
			rc = crm_rec_write(t, r);
		crm_rec_free(r);
	}
	/* the kept sums are counted afresh as the transaction ends */
	crm_roll_invalidate(t);
	crm_hist_invalidate(t);
out:
	crm_ids_release(&ids);
	return rc;
}
