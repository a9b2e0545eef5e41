/* rollup.c - deals summed as they change, for the funnel and the forecast
 *
 * A report of every deal by stage reads and decodes each deal; the
 * questions a sales lead asks on Monday need only how many deals, and
 * how much, sit at each stage, got how far, close in which month, in
 * which currency.  The store keeps those sums in meta, one entry a
 * combination:
 *
 *   roll:TYPE \x1f STAGE \x1f REACHED \x1f MONTH \x1f CURRENCY -> "N CENTS"
 *
 * REACHED is the furthest stage the deal was ever at (lost stages
 * aside), MONTH the YYYY-MM of its close date.  Every write of a record
 * of a type with stages moves its deal from one entry to another, in
 * the same transaction.  "roll" marks the sums complete: a store
 * made before them, or whose stages the schema changed, has its sums
 * counted afresh at the end of its next write.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MARK "roll:"
#define DONE "roll"	/* the sums are complete */
#define SEP '\x1f'

/* The field a type closes its deals by: "close", a date. */
static const struct crm_field *
close_field(const struct crm_type *ty)
{
	const struct crm_field *f = crm_type_field(ty, "close");

	return f && f->type == FT_DATE ? f : NULL;
}

int
crm_roll_reached(const struct crm_field *stage, const crm_rec *r)
{
	const struct crm_enumval *ev, *now;
	const char *v, *sp;
	size_t i;
	int hi = -1, k;

	if (!(now = crm_stage_val(stage, crm_rec_nth(r, stage->fid, 0, NULL))))
		return -1;
	for (i = 0; (v = crm_rec_nth(r, FID_STAGES, i, NULL)); i++)
		if ((sp = strchr(v, ' ')) &&
		    (ev = crm_stage_val(stage, sp + 1)) &&
		    ev->state != ST_LOST && (k = (int)(ev - stage->vals)) > hi)
			hi = k;
	if (now->state != ST_LOST && (k = (int)(now - stage->vals)) > hi)
		hi = k;
	return hi;
}

/* r's entry name and amount in cents; 0 when r is no deal to sum. */
static int
roll_key(const crm_rec *r, struct crm_buf *key, int64_t *cents)
{
	const struct crm_field *stage, *f;
	const char *v;
	int hi;

	if (!r || !(stage = crm_type_stage(r->type)) ||
	    !(v = crm_rec_nth(r, stage->fid, 0, NULL)))
		return 0;
	crm_buf_reset(key);
	crm_buf_addstr(key, MARK);
	crm_buf_addstr(key, r->type->name);
	crm_buf_addch(key, SEP);
	crm_buf_addstr(key, v);
	crm_buf_addch(key, SEP);
	if ((hi = crm_roll_reached(stage, r)) >= 0)
		crm_buf_addstr(key, stage->vals[hi].name);
	crm_buf_addch(key, SEP);
	if ((f = close_field(r->type)) &&
	    (v = crm_rec_nth(r, f->fid, 0, NULL)) && strlen(v) >= 7)
		crm_buf_add(key, v, 7);
	crm_buf_addch(key, SEP);
	if ((f = crm_type_field(r->type, "currency")) &&
	    (v = crm_rec_nth(r, f->fid, 0, NULL)))
		crm_buf_addstr(key, v);
	*cents = 0;
	if ((f = crm_type_field(r->type, "amount")) && f->type == FT_MONEY &&
	    (v = crm_rec_nth(r, f->fid, 0, NULL)))
		crm_money_parse(v, cents);
	return 1;
}

/* Add n deals of cents to the entry key (removed when it holds none). */
static int
roll_add(crm_txn *t, const struct crm_buf *key, int64_t n, int64_t cents)
{
	struct crm_buf v = CRM_BUF_INIT;
	long long have = 0, sum = 0;
	char *end;
	int rc;

	if (!(rc = crm_meta_get(t, key->buf, &v))) {
		have = strtoll(v.buf, &end, 10);
		sum = strtoll(end, NULL, 10);
	} else if (rc != CRM_ENOTFOUND) {
		crm_buf_release(&v);
		return rc;
	}
	have += n;
	sum += cents;
	crm_buf_reset(&v);
	crm_buf_addf(&v, "%lld %lld", have, sum);
	rc = have ? crm_meta_put(t, key->buf, v.buf, v.len) :
	    crm_meta_del(t, key->buf);
	crm_buf_release(&v);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

/* Are the sums complete?  Asked once a transaction. */
static int
valid(crm_txn *t)
{
	struct crm_buf v = CRM_BUF_INIT;

	if (!t->roll) {
		t->roll = crm_meta_get(t, DONE, &v) ? 1 : 2;
		crm_buf_release(&v);
	}
	return t->roll == 2;
}

int
crm_roll_changed(crm_txn *t, const crm_rec *old, const crm_rec *new)
{
	struct crm_buf ko = CRM_BUF_INIT, kn = CRM_BUF_INIT;
	int64_t co = 0, cn = 0;
	int ho, hn, rc = 0;

	if (!(old && crm_type_stage(old->type)) &&
	    !(new && crm_type_stage(new->type)))
		return 0;
	if (!valid(t))
		return 0;	/* counted afresh at the end */
	ho = roll_key(old, &ko, &co);
	hn = roll_key(new, &kn, &cn);
	if (ho && hn && co == cn && ko.len == kn.len &&
	    !memcmp(ko.buf, kn.buf, ko.len))
		goto out;
	if (ho)
		rc = roll_add(t, &ko, -1, -co);
	if (!rc && hn)
		rc = roll_add(t, &kn, 1, cn);
out:
	crm_buf_release(&ko);
	crm_buf_release(&kn);
	return rc;
}

void
crm_roll_invalidate(crm_txn *t)
{
	crm_meta_del(t, DONE);
	t->roll = 1;
}

struct names {
	char **v;
	size_t n, alloc;
};

static int
collect_name(const char *name, const char *value, void *arg)
{
	struct names *l = arg;

	(void)value;
	if (!*name)
		return 0;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = crm_xrealloc(l->v, l->alloc * sizeof *l->v);
	}
	l->v[l->n++] = crm_xstrndup(name, strlen(name));
	return 0;
}

/* Every deal counted in, whoever may see it: a cursor over all records,
 * not a scan through the user's view. */
static int
count_all(crm_txn *t, struct crm_buf *k)
{
	const crm_schema *s = crm_txn_schema(t);
	crm_rec *r = crm_rec_alloc();
	MDB_cursor *c;
	MDB_val key, v;
	uint64_t id;
	int64_t cents;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		crm_rec_free(r);
		return crm_mdb_err(rc, "cannot read the records");
	}
	for (rc = mdb_cursor_get(c, &key, &v, MDB_FIRST); !rc;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		memcpy(&id, key.mv_data, sizeof id);
		/* a damaged record is crm-check's to report */
		if (!crm_rec_decode(r, s, id, v.mv_data, v.mv_size) &&
		    roll_key(r, k, &cents) && (rc = roll_add(t, k, 1, cents)))
			break;
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	return rc == MDB_NOTFOUND ? 0 : rc > 0 ?
	    crm_mdb_err(rc, "cannot read the records") : rc;
}

int
crm_roll_settle(crm_txn *t)
{
	const crm_schema *s = crm_txn_schema(t);
	struct names names = { 0 };
	struct crm_buf k = CRM_BUF_INIT;
	size_t i;
	int rc, any = 0;

	if (valid(t))
		return 0;
	/* the old sums go, then each deal is counted in */
	if ((rc = crm_meta_list(t, MARK, collect_name, &names)))
		goto out;
	for (i = 0; i < names.n && !rc; i++) {
		crm_buf_reset(&k);
		crm_buf_addstr(&k, MARK);
		crm_buf_addstr(&k, names.v[i]);
		rc = crm_meta_del(t, k.buf);
		rc = rc == CRM_ENOTFOUND ? 0 : rc;
	}
	for (i = 0; i < s->ntypes; i++)
		any |= crm_type_stage(&s->types[i]) != NULL;
	t->roll = 2;		/* roll_add writes from now on */
	if (!rc && any)
		rc = count_all(t, &k);
	if (!rc)
		rc = crm_meta_put(t, DONE, "1", 1);
out:
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	crm_buf_release(&k);
	return rc;
}

struct each {
	const struct crm_type *ty;
	size_t tlen;
	int (*fn)(const struct crm_roll *row, void *arg);
	void *arg;
};

static int
one(const char *name, const char *value, void *arg)
{
	struct each *x = arg;
	struct crm_roll row;
	const char *p[4], *q = name;
	char *end;
	size_t i;
	int rc;

	if (strncmp(name, x->ty->name, x->tlen) || name[x->tlen] != SEP)
		return 0;
	q = name + x->tlen + 1;
	for (i = 0; i < 4; i++) {
		p[i] = q;
		if (i < 3 && !(q = strchr(q, SEP)))
			return 0;
		q++;
	}
	memset(&row, 0, sizeof row);
	row.stage = crm_xstrndup(p[0], (size_t)(p[1] - 1 - p[0]));
	row.reached = crm_xstrndup(p[1], (size_t)(p[2] - 1 - p[1]));
	row.month = crm_xstrndup(p[2], (size_t)(p[3] - 1 - p[2]));
	row.currency = p[3];
	row.n = strtoll(value, &end, 10);
	row.cents = strtoll(end, NULL, 10);
	rc = x->fn(&row, x->arg);
	free(row.stage);
	free(row.reached);
	free(row.month);
	return rc;
}

int
crm_roll_each(crm_txn *t, const struct crm_type *ty,
    int (*fn)(const struct crm_roll *row, void *arg), void *arg)
{
	struct each x = { ty, strlen(ty->name), fn, arg };

	if (!crm_type_stage(ty) || !valid(t))
		return CRM_ENOTFOUND;
	return crm_meta_list(t, MARK, one, &x);
}

/* ------------------------------------------------------------- check */

struct sum {
	char *key;
	int64_t n, cents, kept_n, kept_cents;
	int kept;
};

struct sums {
	struct sum *v;
	size_t n, cap;
};

static size_t
slot(const struct sums *s, const char *key)
{
	size_t h = 5381, i;
	const char *p;

	for (p = key; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (i = h & (s->cap - 1); s->v[i].key && strcmp(s->v[i].key, key);
	    i = (i + 1) & (s->cap - 1))
		;
	return i;
}

static struct sum *
sum_of(struct sums *s, const char *key)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct sum *old = s->v;
		size_t n = s->cap;

		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = crm_xmalloc(s->cap * sizeof *s->v);
		memset(s->v, 0, s->cap * sizeof *s->v);
		for (i = 0; i < n; i++)
			if (old[i].key)
				s->v[slot(s, old[i].key)] = old[i];
		free(old);
	}
	i = slot(s, key);
	if (!s->v[i].key) {
		s->v[i].key = crm_xstrndup(key, strlen(key));
		s->n++;
	}
	return &s->v[i];
}

static int
kept(const char *name, const char *value, void *arg)
{
	struct sum *x;
	char *end;

	if (!*name)
		return 0;
	x = sum_of(arg, name);
	x->kept = 1;
	x->kept_n = strtoll(value, &end, 10);
	x->kept_cents = strtoll(end, NULL, 10);
	return 0;
}

int
crm_roll_check(crm_txn *t, struct crm_checker *ck)
{
	const crm_schema *s = crm_txn_schema(t);
	struct sums sums = { 0 };
	struct crm_buf k = CRM_BUF_INIT, a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	crm_rec *r;
	MDB_cursor *c;
	MDB_val key, v;
	uint64_t id;
	int64_t cents;
	size_t i;
	int rc;

	if (!valid(t))
		return 0;	/* not kept yet: the next write counts them */
	if ((rc = crm_meta_list(t, MARK, kept, &sums)))
		goto out;
	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	r = crm_rec_alloc();
	for (rc = mdb_cursor_get(c, &key, &v, MDB_FIRST); !rc;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		struct sum *x;

		memcpy(&id, key.mv_data, sizeof id);
		if (crm_rec_decode(r, s, id, v.mv_data, v.mv_size) ||
		    !roll_key(r, &k, &cents))
			continue;
		x = sum_of(&sums, k.buf + strlen(MARK));
		x->n++;
		x->cents += cents;
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	if (rc != MDB_NOTFOUND) {
		rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	rc = 0;
	for (i = 0; i < sums.cap && !ck->rc; i++) {
		struct sum *x = &sums.v[i];
		char *p;

		if (!x->key || (x->n == x->kept_n && x->cents == x->kept_cents))
			continue;
		for (p = x->key; *p; p++)
			if (*p == SEP)
				*p = '/';
		crm_buf_reset(&a);
		crm_money_fmt(&a, x->kept_cents);
		crm_buf_reset(&b);
		crm_money_fmt(&b, x->cents);
		crm_bad(ck, 0, "deals summed as %s: kept %lld worth %s, "
		    "counted %lld worth %s", x->key, (long long)x->kept_n,
		    a.buf, (long long)x->n, b.buf);
		ck->fixable++;
	}
out:
	for (i = 0; i < sums.cap; i++)
		free(sums.v[i].key);
	free(sums.v);
	crm_buf_release(&k);
	crm_buf_release(&a);
	crm_buf_release(&b);
	return rc;
}
