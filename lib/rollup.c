/* rollup.c - sums kept as the data changes, for the reports asked most
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
 * of a type with stages moves its deal from one sum to another; the
 * changes wait in the transaction (t->rpend) and go in at its end.
 * "roll" marks the sums complete: a store made before them, or whose
 * stages the schema changed, has them counted afresh at the end of its
 * next write.  A sum beyond what an int64_t holds is not kept wrapped:
 * then none is, "roll" says "0", and the reports count deal by deal,
 * until a write that changes a deal counts them afresh.
 *
 * The history is summed likewise, by kind, hour (UTC, in hours since
 * 1970) and owner, for the reports of interactions by owner, kind and
 * day, week, month, quarter or year:
 *
 *   hist:KIND \x1f HOUR \x1f OWNER -> "N N_WITH_AMOUNT CENTS"
 *
 * A bulk log adds thousands of entries to one such sum: they wait in
 * t->hpend likewise.  "hist" marks them complete.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MARK "roll:"
#define DONE "roll"	/* the sums are complete */
#define HMARK "hist:"
#define HDONE "hist"
#define SEP '\x1f'
#define OVER 1		/* write_sums: a sum would be beyond an int64_t */

/* Sums by name, in memory: counted to compare, or waiting to go in. */
struct sum {
	char *key;
	int64_t n, na, cents;		/* counted, or the change waiting */
	int64_t kept_n, kept_na, kept_cents;
	int over;			/* cents is beyond an int64_t */
};

struct crm_sums {
	struct sum *v;
	size_t n, cap;
	struct crm_buf key;	/* scratch, for a name being made */
};

static size_t
slot(const struct crm_sums *s, const char *key)
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
sum_of(struct crm_sums *s, const char *key)
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

static void
sums_free(struct crm_sums *s)
{
	size_t i;

	for (i = 0; s && i < s->cap; i++)
		free(s->v[i].key);
	if (s) {
		free(s->v);
		crm_buf_release(&s->key);
	}
}

/* The table of changes waiting in a transaction, made when first
 * needed; and dropped. */
static struct crm_sums *
pending(struct crm_sums **p)
{
	if (!*p) {
		*p = crm_xmalloc(sizeof **p);
		memset(*p, 0, sizeof **p);
		crm_buf_init(&(*p)->key, 0);
	}
	return *p;
}

static void
unpend(struct crm_sums **p)
{
	sums_free(*p);
	free(*p);
	*p = NULL;
}

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

/* Are the sums marked done complete?  Asked once a transaction, the
 * answer kept in *state (0 not asked, 1 no, 2 yes, 3 no, as one was
 * beyond an int64_t). */
static int
complete(crm_txn *t, int *state, const char *done)
{
	struct crm_buf v = CRM_BUF_INIT;

	if (!*state) {
		*state = crm_meta_get(t, done, &v) ? 1 :
		    !strcmp(v.buf, "0") ? 3 : 2;
		crm_buf_release(&v);
	}
	return *state == 2;
}

/* Sums not kept for one beyond an int64_t are counted afresh at the end
 * of a transaction that changes what they sum. */
static int
changed(crm_txn *t, int *state, const char *done)
{
	if (complete(t, state, done))
		return 1;
	if (*state == 3)
		*state = 1;
	return 0;
}

static int
valid(crm_txn *t)
{
	return complete(t, &t->roll, DONE);
}

static int
hvalid(crm_txn *t)
{
	return complete(t, &t->hist, HDONE);
}

/* The sums marked done are to be counted afresh, their waiting changes
 * dropped. */
static void
incomplete(crm_txn *t, int *state, const char *done, struct crm_sums **p)
{
	crm_meta_del(t, done);
	*state = 1;
	unpend(p);
}

/* Count a change of n deals and cents into the sum key (with its
 * prefix), waiting in *pend until the transaction ends. */
static void
pend(struct crm_sums **pend, const struct crm_buf *key, size_t skip,
    int64_t n, int64_t cents)
{
	struct sum *x = sum_of(pending(pend), key->buf + skip);

	x->n += n;
	x->over |= __builtin_add_overflow(x->cents, cents, &x->cents);
}

int
crm_roll_changed(crm_txn *t, const crm_rec *old, const crm_rec *new)
{
	struct crm_buf ko = CRM_BUF_INIT, kn = CRM_BUF_INIT;
	int64_t co = 0, cn = 0;

	if (!(old && crm_type_stage(old->type)) &&
	    !(new && crm_type_stage(new->type)))
		return 0;
	if (!changed(t, &t->roll, DONE))
		return 0;	/* counted afresh at the end */
	if (roll_key(old, &ko, &co))
		pend(&t->rpend, &ko, strlen(MARK), -1, -co);
	if (roll_key(new, &kn, &cn))
		pend(&t->rpend, &kn, strlen(MARK), 1, cn);
	crm_buf_release(&ko);
	crm_buf_release(&kn);
	return 0;
}

void
crm_roll_invalidate(crm_txn *t)
{
	incomplete(t, &t->roll, DONE, &t->rpend);
}

void
crm_hist_invalidate(crm_txn *t)
{
	incomplete(t, &t->hist, HDONE, &t->hpend);
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

/* Every deal counted into s, whoever may see it: a cursor over all
 * records, not a scan through the user's view. */
static int
count_deals(crm_txn *t, struct crm_sums *s)
{
	const crm_schema *sc = crm_txn_schema(t);
	struct crm_buf k = CRM_BUF_INIT;
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
		struct sum *x;

		memcpy(&id, key.mv_data, sizeof id);
		/* a damaged record is crm-check's to report */
		if (crm_rec_decode(r, sc, id, v.mv_data, v.mv_size) ||
		    !roll_key(r, &k, &cents))
			continue;
		x = sum_of(s, k.buf + strlen(MARK));
		x->n++;
		x->over |= __builtin_add_overflow(x->cents, cents, &x->cents);
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	crm_buf_release(&k);
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the records");
}

/*
 * Sums in memory added to those kept under prefix (from scratch: none
 * kept): "N CENTS", or with na "N NA CENTS"; OVER when one would be
 * beyond an int64_t.
 */
static int
write_sums(crm_txn *t, const char *prefix, struct crm_sums *s, int na)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	int64_t have[3];
	char *end, *p;
	size_t i;
	int rc = 0, n;

	for (i = 0; s && i < s->cap && !rc; i++) {
		struct sum *x = &s->v[i];

		if (!x->key || (!x->n && !x->na && !x->cents))
			continue;
		crm_buf_reset(&k);
		crm_buf_addstr(&k, prefix);
		crm_buf_addstr(&k, x->key);
		memset(have, 0, sizeof have);
		crm_buf_reset(&v);
		if (!(rc = crm_meta_get(t, k.buf, &v))) {
			for (n = 0, p = v.buf; n < 2 + na && *p; n++, p = end)
				have[n] = strtoll(p, &end, 10);
		} else if (rc != CRM_ENOTFOUND)
			break;
		if (x->over || __builtin_add_overflow(have[na + 1], x->cents,
		    &have[na + 1])) {
			rc = OVER;
			break;
		}
		have[0] += x->n;
		crm_buf_reset(&v);
		if (na)
			crm_buf_addf(&v, "%lld %lld %lld", (long long)have[0],
			    (long long)(have[1] + x->na), (long long)have[2]);
		else
			crm_buf_addf(&v, "%lld %lld", (long long)have[0],
			    (long long)have[1]);
		rc = have[0] ? crm_meta_put(t, k.buf, v.buf, v.len) :
		    crm_meta_del(t, k.buf);
		rc = rc == CRM_ENOTFOUND ? 0 : rc;
	}
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

/* Every meta entry under prefix gone. */
static int
drop_prefix(crm_txn *t, const char *prefix)
{
	struct names names = { 0 };
	struct crm_buf k = CRM_BUF_INIT;
	size_t i;
	int rc;

	rc = crm_meta_list(t, prefix, collect_name, &names);
	for (i = 0; i < names.n && !rc; i++) {
		crm_buf_reset(&k);
		crm_buf_addstr(&k, prefix);
		crm_buf_addstr(&k, names.v[i]);
		rc = crm_meta_del(t, k.buf);
		rc = rc == CRM_ENOTFOUND ? 0 : rc;
	}
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	crm_buf_release(&k);
	return rc;
}

static int hist_settle(crm_txn *t);

/* The sums under prefix are not kept, as one was beyond an int64_t. */
static int
not_kept(crm_txn *t, const char *prefix, const char *done, int *state)
{
	int rc;

	if (!(rc = drop_prefix(t, prefix)) &&
	    !(rc = crm_meta_put(t, done, "0", 1)))
		*state = 3;
	return rc;
}

int
crm_roll_settle(crm_txn *t)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_sums sums = { 0 };
	size_t i;
	int rc = 0, any = 0;

	if (valid(t)) {
		rc = write_sums(t, MARK, t->rpend, 0);
	} else if (t->roll != 3) {
		/* the old sums go, then each deal is counted in */
		rc = drop_prefix(t, MARK);
		for (i = 0; i < s->ntypes; i++)
			any |= crm_type_stage(&s->types[i]) != NULL;
		if (!rc && any && !(rc = count_deals(t, &sums)))
			rc = write_sums(t, MARK, &sums, 0);
		if (!rc && !(rc = crm_meta_put(t, DONE, "1", 1)))
			t->roll = 2;
		sums_free(&sums);
	}
	if (rc == OVER)
		rc = not_kept(t, MARK, DONE, &t->roll);
	return rc ? rc : hist_settle(t);
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

/* A kept sum into the table: "N CENTS" of deals, "N NA CENTS" of the
 * history. */
static int
kept(const char *name, const char *value, void *arg)
{
	struct sum *x;
	int64_t v[3];
	char *end;
	int n;

	if (!*name)
		return 0;
	for (n = 0; n < 3 && *value; n++, value = end)
		v[n] = strtoll(value, &end, 10);
	x = sum_of(arg, name);
	x->kept_n = v[0];
	x->kept_na = n == 3 ? v[1] : 0;
	x->kept_cents = n == 3 ? v[2] : n == 2 ? v[1] : 0;
	return 0;
}

/* Each sum counted otherwise than kept, to ck. */
static void
differ(struct crm_checker *ck, struct crm_sums *s, const char *what)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	size_t i;

	for (i = 0; i < s->cap && !ck->rc; i++) {
		struct sum *x = &s->v[i];
		char *p;

		if (!x->key || (x->n == x->kept_n && x->na == x->kept_na &&
		    x->cents == x->kept_cents))
			continue;
		for (p = x->key; *p; p++)
			if (*p == SEP)
				*p = '/';
		crm_buf_reset(&a);
		crm_money_fmt(&a, x->kept_cents);
		crm_buf_reset(&b);
		crm_money_fmt(&b, x->cents);
		crm_bad(ck, 0, "%s summed as %s: kept %lld worth %s, counted "
		    "%lld worth %s", what, x->key, (long long)x->kept_n,
		    a.buf, (long long)x->n, b.buf);
		ck->fixable++;
	}
	crm_buf_release(&a);
	crm_buf_release(&b);
}

int
crm_roll_check(crm_txn *t, struct crm_checker *ck)
{
	struct crm_sums sums = { 0 };
	int rc;

	if (!valid(t))
		return 0;	/* not kept yet: the next write counts them */
	if (!(rc = crm_meta_list(t, MARK, kept, &sums)) &&
	    !(rc = count_deals(t, &sums)))
		differ(ck, &sums, "deals");
	sums_free(&sums);
	return rc;
}

/* ----------------------------------------------------------- history */

/* floor(at / 3600) */
static int64_t
hour_of(int64_t at)
{
	return at >= 0 ? at / 3600 : -((-(at + 1)) / 3600) - 1;
}

/* The name of the sum an entry counts in, without the prefix. */
static void
hist_name(struct crm_buf *k, const char *kind, size_t klen, int64_t at,
    const char *owner, size_t olen)
{
	char b[24];

	crm_buf_reset(k);
	crm_buf_add(k, kind, klen);
	crm_buf_addch(k, SEP);
	crm_buf_add(k, b, crm_i64toa(b, hour_of(at), 0));
	crm_buf_addch(k, SEP);
	crm_buf_add(k, owner, olen);
}

static void
count_entry(struct crm_sums *s, struct crm_buf *k, const char *kind,
    size_t klen, int64_t at, const char *owner, size_t olen,
    const char *amount, size_t alen, int sign)
{
	struct sum *x;
	int64_t cents;
	char a[64];

	hist_name(k, kind, klen, at, owner, olen);
	x = sum_of(s, k->buf);
	x->n += sign;
	if (amount && alen && alen < sizeof a) {
		memcpy(a, amount, alen);
		a[alen] = 0;
		if (!crm_money_parse(a, &cents)) {
			x->na += sign;
			x->over |= __builtin_add_overflow(x->cents,
			    sign * cents, &x->cents);
		}
	}
}

int
crm_hist_changed(crm_txn *t, const struct crm_log *e, int sign)
{
	struct crm_sums *s;

	if (!changed(t, &t->hist, HDONE))
		return 0;	/* counted afresh at the end */
	/* a bulk log comes here for each entry: the table's own buffer */
	s = pending(&t->hpend);
	count_entry(s, &s->key, e->kind ? e->kind : "",
	    e->kind ? strlen(e->kind) : 0, e->at, e->owner ? e->owner : "",
	    e->owner ? strlen(e->owner) : 0, e->amount,
	    e->amount ? strlen(e->amount) : 0, sign);
	return 0;
}

void
crm_roll_free(crm_txn *t)
{
	unpend(&t->rpend);
	unpend(&t->hpend);
}

/* An entry as stored, counted into arg's sums. */
struct counting {
	struct crm_sums *s;
	struct crm_buf k;
};

static int
count_raw(int64_t at, const void *val, size_t len, void *arg)
{
	struct counting *c = arg;
	const char *kind = "", *owner = "", *amount = NULL;
	size_t kl = 0, ol = 0, al = 0;

	crm_log_part(val, len, 'k', &kind, &kl);
	crm_log_part(val, len, 'o', &owner, &ol);
	crm_log_part(val, len, 'a', &amount, &al);
	count_entry(c->s, &c->k, kind, kl, at, owner, ol, amount, al, 1);
	return 0;
}

static int
hist_settle(crm_txn *t)
{
	struct crm_sums s = { 0 };
	struct counting c = { &s, CRM_BUF_INIT };
	int rc = 0;

	if (hvalid(t)) {
		rc = write_sums(t, HMARK, t->hpend, 1);
	} else if (t->hist != 3) {
		/* counted afresh: every entry, whoever may see it */
		if (!(rc = drop_prefix(t, HMARK)) &&
		    !(rc = crm_log_scan_raw(t, count_raw, &c)) &&
		    !(rc = write_sums(t, HMARK, &s, 1)) &&
		    !(rc = crm_meta_put(t, HDONE, "1", 1)))
			t->hist = 2;
	}
	unpend(&t->hpend);
	sums_free(&s);
	crm_buf_release(&c.k);
	return rc == OVER ? not_kept(t, HMARK, HDONE, &t->hist) : rc;
}

struct heach {
	int (*fn)(const struct crm_hist *row, void *arg);
	void *arg;
};

static int
hone(const char *name, const char *value, void *arg)
{
	struct heach *x = arg;
	struct crm_hist row;
	const char *h, *o;
	char *end;
	int rc;

	if (!(h = strchr(name, SEP)) || !(o = strchr(h + 1, SEP)))
		return 0;
	memset(&row, 0, sizeof row);
	row.kind = crm_xstrndup(name, (size_t)(h - name));
	row.hour = strtoll(h + 1, NULL, 10);
	row.owner = o + 1;
	row.n = strtoll(value, &end, 10);
	row.na = strtoll(end, &end, 10);
	row.cents = strtoll(end, NULL, 10);
	rc = x->fn(&row, x->arg);
	free(row.kind);
	return rc;
}

int
crm_hist_each(crm_txn *t, int (*fn)(const struct crm_hist *row, void *arg),
    void *arg)
{
	struct heach x = { fn, arg };

	if (!hvalid(t))
		return CRM_ENOTFOUND;
	return crm_meta_list(t, HMARK, hone, &x);
}

int
crm_hist_check(crm_txn *t, struct crm_checker *ck)
{
	struct crm_sums s = { 0 };
	struct counting c = { &s, CRM_BUF_INIT };
	int rc;

	if (!hvalid(t))
		return 0;	/* not kept yet: the next write counts them */
	if (!(rc = crm_meta_list(t, HMARK, kept, &s)))
		rc = crm_log_scan_raw(t, count_raw, &c);
	if (!rc)
		differ(ck, &s, "history");
	sums_free(&s);
	crm_buf_release(&c.k);
	return rc;
}
