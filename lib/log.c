/* log.c - the contact history: interactions, and the figures kept from it
 *
 * An entry's key is [record][time][entry id], all big-endian, so a
 * record's history is one range, in time order.  A second table finds an
 * entry by its id.  Each record keeps its derived figures (last_contact,
 * interactions, turnover) up to date as entries come and go; a person's
 * entries count for their company too.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define BIAS ((uint64_t)1 << 63)	/* signed times sort as unsigned */

static void
logkey(unsigned char k[24], uint64_t rec, int64_t at, uint64_t id)
{
	crm_be64(k, rec);
	crm_be64(k + 8, (uint64_t)at ^ BIAS);
	crm_be64(k + 16, id);
}

static void
put_part(struct crm_buf *b, int tag, const char *s)
{
	size_t n;

	if (!s || !*s)
		return;
	n = strlen(s);
	crm_buf_addch(b, tag);
	crm_put_varint(b, n);
	crm_buf_add(b, s, n);
}

static void
encode(const struct crm_log *e, struct crm_buf *b)
{
	size_t i;

	put_part(b, 'k', e->kind);
	put_part(b, 't', e->text);
	put_part(b, 'a', e->amount);
	put_part(b, 'o', e->owner);
	put_part(b, 'c', e->campaign);
	put_part(b, 'd', e->dir);
	for (i = 0; i < e->nextra; i++)
		put_part(b, 'x', e->extra[i]);
}

/* e's strings point into buf, which holds them NUL-terminated. */
struct decoded {
	struct crm_log e;
	struct crm_buf buf;
	size_t nextra;
	const char *extra[16];
};

static int
decode(struct decoded *d, const unsigned char *key, const void *p,
    size_t len)
{
	unsigned char *q, *end;
	uint64_t l;
	int tag, next;

	memset(&d->e, 0, sizeof d->e);
	d->e.rec = crm_get_be64(key);
	d->e.at = (int64_t)(crm_get_be64(key + 8) ^ BIAS);
	d->e.id = crm_get_be64(key + 16);
	d->nextra = 0;
	/* one copy; each part is NUL-ended in place, over the next tag */
	crm_buf_reset(&d->buf);
	crm_buf_add(&d->buf, p, len);
	q = (unsigned char *)d->buf.buf;
	end = q + len;
	next = len ? *q : 0;
	while (q < end) {
		const char *str;

		tag = next;
		q++;
		if (crm_get_varint((const unsigned char **)&q, end, &l) ||
		    l > (uint64_t)(end - q))
			return crm_seterr(CRM_ESTORE, "history entry %llu is "
			    "damaged", (unsigned long long)d->e.id);
		str = (const char *)q;
		q += l;
		next = q < end ? *q : 0;
		*q = 0;
		switch (tag) {
		case 'k': d->e.kind = str; break;
		case 't': d->e.text = str; break;
		case 'a': d->e.amount = str; break;
		case 'o': d->e.owner = str; break;
		case 'c': d->e.campaign = str; break;
		case 'd': d->e.dir = str; break;
		case 'x':
			if (d->nextra < 16)
				d->extra[d->nextra++] = str;
			break;
		}
	}
	d->e.extra = d->extra;
	d->e.nextra = d->nextra;
	return 0;
}

/* An entry's own keys, as JSON has them: no free field takes one. */
const char *const crm_log_keys[] = { "id", "at", "kind", "text", "amount",
	"owner", "campaign", "dir", "record", NULL };

int
crm_kind_known(const crm_schema *s, const char *kind, int nocase)
{
	const char *best = NULL;
	size_t i, bd = (size_t)-1, d;

	for (i = 0; i < s->nkinds; i++)
		if (!(nocase ? strcasecmp : strcmp)(s->kinds[i], kind))
			return 0;
	for (i = 0; i < s->nkinds; i++) {
		d = crm_distance(kind, s->kinds[i]);
		if (d < bd) {
			bd = d;
			best = s->kinds[i];
		}
	}
	if (best && bd <= 2)
		return crm_seterr(CRM_EINVAL, "unknown kind '%s' (did you "
		    "mean '%s'?)", kind, best);
	return crm_seterr(CRM_EINVAL, "unknown kind '%s' (the schema's "
	    "interactions: kinds lists them)", kind);
}

static int
check(crm_txn *t, struct crm_log *e, struct crm_buf *amount)
{
	const crm_schema *s = crm_txn_schema(t);
	const char *const *k;
	size_t i;
	int64_t v;
	int rc;

	if ((rc = crm_kind_known(s, e->kind, 0)))
		return rc;
	if (e->amount && *e->amount) {
		if ((rc = crm_money_read("amount", e->amount, &v)))
			return rc;
		crm_buf_reset(amount);
		crm_money_fmt(amount, v);
		e->amount = amount->buf;
	}
	if (e->dir && *e->dir && strcmp(e->dir, "in") && strcmp(e->dir, "out"))
		return crm_seterr(CRM_EINVAL, "dir: '%s' is not in or out",
		    e->dir);
	for (i = 0; i < e->nextra; i++) {
		const char *x = e->extra[i], *p;

		for (p = x; *p && *p != '='; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_' ||
			    (p > x && *p >= '0' && *p <= '9')))
				break;
		if (p == x || *p != '=')
			return crm_seterr(CRM_EINVAL, "expected key=value, "
			    "not '%s'", x);
		/* one key, one meaning: an export could not tell them
		 * apart, and an import would take the free one for it */
		for (k = crm_log_keys; *k; k++)
			if (strlen(*k) == (size_t)(p - x) &&
			    !memcmp(*k, x, (size_t)(p - x)))
				return crm_seterr(CRM_EINVAL, "'%s': %s is a "
				    "part of every entry, not a free field",
				    x, *k);
	}
	if (e->text && !crm_utf8_valid(e->text, strlen(e->text)))
		return crm_seterr(CRM_EINVAL, "the text is not UTF-8");
	return 0;
}

static int64_t
num_of(const crm_rec *r, unsigned fid)
{
	const char *v = crm_rec_nth(r, fid, 0, NULL);

	return v ? strtoll(v, NULL, 10) : 0;
}

static void
set_num(crm_rec *r, unsigned fid, int64_t v, int keep)
{
	char b[32];
	size_t n = crm_i64toa(b, v, 0);

	crm_rec_drop(r, fid);
	if (keep)
		crm_rec_add_raw(r, fid, b, n);
}

/* Up to max entries of one record, newest first, appended to a list. */
struct entry {
	unsigned char key[24];
	void *val;
	size_t len;
};

struct list {
	struct entry *v;
	size_t n, alloc;
};

static int collect(crm_txn *t, uint64_t rec, size_t max, struct list *l);

/* The time of a record's latest entry, or 0 when it has none. */
static int
latest(crm_txn *t, uint64_t rec, int64_t *at)
{
	struct list l = { 0 };
	int rc = collect(t, rec, 1, &l);

	*at = l.n ? (int64_t)(crm_get_be64(l.v[0].key + 8) ^ BIAS) : 0;
	free(l.v);
	return rc;
}

/* The company a person belongs to, or 0. */
static uint64_t
company_of(const crm_rec *r)
{
	const struct crm_field *f = crm_type_field(r->type, "company");
	const char *v;

	if (!f || f->type != FT_REF || !(v = crm_rec_nth(r, f->fid, 0, NULL)))
		return 0;
	return strtoull(v, NULL, 10);
}

/* A company's latest contact: its own, or any of its contact persons'. */
static int
latest_all(crm_txn *t, uint64_t rec, int64_t *at)
{
	struct crm_ids ids = { 0 };
	int64_t x;
	size_t i;
	int rc;

	if ((rc = latest(t, rec, at)))
		return rc;
	rc = crm_find_refs(t, "company", rec, &ids);
	for (i = 0, rc = rc == CRM_ENOTFOUND ? 0 : rc; i < ids.n && !rc; i++)
		if (!(rc = latest(t, ids.v[i], &x)) && x > *at)
			*at = x;
	crm_ids_release(&ids);
	return rc;
}

/*
 * Figures waiting for a record or its company: entries counted, the
 * latest time, the purchases' sum.  An open-addressed table by id,
 * settled in id order before anything reads those records, when many
 * wait, and at the end.
 */
struct pent {
	uint64_t id;
	int64_t n, last, sum;
};

struct crm_pend {
	struct pent *v;
	size_t n, cap;
};

#define PEND_MAX ((size_t)1 << 16)	/* settled when this many wait */

static size_t
pslot(const struct crm_pend *p, uint64_t id)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 20) & (p->cap - 1);

	while (p->v[i].id && p->v[i].id != id)
		i = (i + 1) & (p->cap - 1);
	return i;
}

int
crm_log_pending(const crm_txn *t, uint64_t id)
{
	return t->pend && t->pend->n && t->pend->v[pslot(t->pend, id)].id;
}

void
crm_log_pend_free(crm_txn *t)
{
	if (t->pend)
		free(t->pend->v);
	free(t->pend);
	t->pend = NULL;
}

static int
amount_of(const struct crm_log *e, int64_t *amt)
{
	*amt = 0;
	return e->amount && !strcasecmp(e->kind, "purchase") &&
	    !crm_money_parse(e->amount, amt);
}

/* A turnover beyond what an amount holds is refused, not wrapped. */
static int
turnover_range(uint64_t id)
{
	return crm_seterr(CRM_EINVAL, "the turnover of record %llu would be "
	    "out of range (an amount of money is at most %s either way)",
	    (unsigned long long)id, CRM_MONEY_MAX);
}

/* r's turnover plus x: 0, or the error of turnover_range. */
static int
add_turnover(crm_rec *r, int64_t x)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *v;
	int64_t sum = 0;

	if ((v = crm_rec_nth(r, FID_TURNOVER, 0, NULL)))
		crm_money_parse(v, &sum);
	if (__builtin_add_overflow(sum, x, &sum))
		return turnover_range(r->id);
	crm_rec_drop(r, FID_TURNOVER);
	crm_money_fmt(&b, sum);
	if (sum)
		crm_rec_add_raw(r, FID_TURNOVER, b.buf, b.len);
	crm_buf_release(&b);
	return 0;
}

static int
pend(crm_txn *t, uint64_t id, const struct crm_log *e)
{
	struct crm_pend *p = t->pend;
	struct pent *x;
	int64_t amt;
	size_t i;

	if (!p) {
		p = t->pend = crm_xmalloc(sizeof *p);
		p->n = 0;
		p->cap = 1024;
		p->v = crm_xmalloc(p->cap * sizeof *p->v);
		memset(p->v, 0, p->cap * sizeof *p->v);
	}
	if (2 * (p->n + 1) > p->cap) {
		struct pent *old = p->v;
		size_t n = p->cap;

		p->cap *= 2;
		p->v = crm_xmalloc(p->cap * sizeof *p->v);
		memset(p->v, 0, p->cap * sizeof *p->v);
		for (i = 0; i < n; i++)
			if (old[i].id)
				p->v[pslot(p, old[i].id)] = old[i];
		free(old);
	}
	x = &p->v[pslot(p, id)];
	if (!x->id) {
		x->id = id;
		x->last = e->at;
		p->n++;
	}
	x->n++;
	if (e->at > x->last)
		x->last = e->at;
	if (amount_of(e, &amt) && __builtin_add_overflow(x->sum, amt, &x->sum))
		return turnover_range(id);
	return p->n >= PEND_MAX ? crm_log_settle(t) : 0;
}

static int
byid(const void *a, const void *b)
{
	const struct pent *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int add_figures(crm_txn *t, crm_rec *r, int64_t n, int64_t last,
    int64_t sum);

int
crm_log_settle(crm_txn *t)
{
	struct crm_pend *p = t->pend;
	size_t i, n = 0;
	int rc = 0;

	if (!p || !p->n)
		return 0;
	t->pend = NULL;		/* what follows reads those records */
	for (i = 0; i < p->cap; i++)
		if (p->v[i].id)
			p->v[n++] = p->v[i];
	qsort(p->v, n, sizeof *p->v, byid);
	for (i = 0; i < n && !rc; i++) {
		crm_rec *r;

		if ((rc = crm_rec_get(t, p->v[i].id, &r))) {
			rc = rc == CRM_ENOTFOUND ? 0 : rc;
			continue;
		}
		rc = add_figures(t, r, p->v[i].n, p->v[i].last, p->v[i].sum);
		crm_rec_free(r);
	}
	memset(p->v, 0, p->cap * sizeof *p->v);
	p->n = 0;
	t->pend = p;
	return rc;
}

/*
 * Count e into (sign 1) or out of (sign -1) the figures of record id:
 * the number of entries, the time of the latest, the sum of purchases.
 */
static int derive_rec(crm_txn *t, crm_rec *r, const struct crm_log *e,
    int sign, int company);

static int
derive(crm_txn *t, uint64_t id, const struct crm_log *e, int sign,
    int company)
{
	crm_rec *r;
	int rc;

	if ((rc = crm_rec_get(t, id, &r)))
		return rc == CRM_ENOTFOUND ? 0 : rc;
	rc = derive_rec(t, r, e, sign, company);
	crm_rec_free(r);
	return rc;
}

/* Count n entries, the latest at last, purchases of sum into r. */
static int
add_figures(crm_txn *t, crm_rec *r, int64_t n, int64_t last, int64_t sum)
{
	struct crm_buf keys = CRM_BUF_INIT;
	int rc;

	/* the index entries of the times as they were, to move them */
	crm_index_derived_keys(r, &keys);
	n += num_of(r, FID_INTERACTIONS);
	set_num(r, FID_INTERACTIONS, n, n > 0);
	if (!crm_rec_nth(r, FID_LAST_CONTACT, 0, NULL) ||
	    last > num_of(r, FID_LAST_CONTACT))
		set_num(r, FID_LAST_CONTACT, last, 1);
	if (!(rc = sum ? add_turnover(r, sum) : 0) &&
	    !(rc = crm_rec_write(t, r)))
		rc = crm_index_derived_move(t, &keys, r);
	crm_buf_release(&keys);
	return rc;
}

/* Take e out of r's figures: the latest time is looked up again. */
static int
sub_figures(crm_txn *t, crm_rec *r, const struct crm_log *e, int company)
{
	struct crm_buf keys = CRM_BUF_INIT;
	int64_t n, last, amt;
	int rc;

	crm_index_derived_keys(r, &keys);
	n = num_of(r, FID_INTERACTIONS) - 1;
	set_num(r, FID_INTERACTIONS, n, n > 0);
	if (!(rc = company ? latest_all(t, r->id, &last) :
	    latest(t, r->id, &last)))
		set_num(r, FID_LAST_CONTACT, last, n > 0);
	if (!rc && amount_of(e, &amt))
		rc = add_turnover(r, -amt);
	if (!rc && !(rc = crm_rec_write(t, r)))
		rc = crm_index_derived_move(t, &keys, r);
	crm_buf_release(&keys);
	return rc;
}

static int
derive_rec(crm_txn *t, crm_rec *r, const struct crm_log *e, int sign,
    int company)
{
	uint64_t id;
	int rc;

	/* an entry's figures wait to be settled in id order, with the
	 * other records' and their company's: a bulk log then rewrites
	 * the records one after another, on pages side by side, instead
	 * of between the history's and the index's */
	if (sign > 0)
		rc = pend(t, r->id, e);
	else
		rc = sub_figures(t, r, e, company);
	if (!rc && !company && (id = company_of(r)))
		rc = sign > 0 ? pend(t, id, e) : derive(t, id, e, sign, 1);
	return rc;
}

static int
add(crm_txn *t, struct crm_log *e, int keep_id, int derive)
{
	struct crm_buf val = CRM_BUF_INIT, amount = CRM_BUF_INIT;
	unsigned char k[24], ref[16];
	MDB_val key = { 24, k }, data, ik, iv = { 16, ref };
	const char *given = e->amount;	/* check() points it at amount */
	crm_rec *r = NULL;
	int rc;

	crm_txn_tick(t);
	if ((rc = check(t, e, &amount)))
		goto out;
	rc = crm_rec_get(t, e->rec, &r);
	if (rc == CRM_ENOTFOUND)
		rc = crm_seterr(CRM_EINVAL, "no record %llu",
		    (unsigned long long)e->rec);
	if (rc || (rc = crm_may_write(t, r, NULL)))
		goto out;
	e->rec = r->id;		/* a merged id: the record it is now */
	if (keep_id) {
		/* an entry of an export, or moved, keeps its id */
		if (e->id >= t->next_id)
			t->next_id = e->id + 1;
	} else {
		e->id = t->next_id++;
	}
	t->dirty = 1;
	logkey(k, e->rec, e->at, e->id);
	encode(e, &val);
	data.mv_size = val.len;
	data.mv_data = val.buf;
	if ((rc = crm_txn_put(t, WC_LOG, &key, &data, 0))) {
		rc = crm_mdb_err(rc, "cannot write the history");
		goto out;
	}
	memcpy(ref, k, 16);
	ik.mv_size = sizeof e->id;
	ik.mv_data = &e->id;
	/* new ids come in order; kept ones (restored, moved) need not */
	if ((rc = crm_txn_put(t, WC_LOGID, &ik, &iv, keep_id ? 0 :
	    MDB_APPEND))) {
		rc = crm_mdb_err(rc, "cannot write the history");
		goto out;
	}
	if (!(rc = crm_journal_log(t, J_LOG, e->id, k, &val)) &&
	    !(rc = crm_hist_changed(t, e, 1)) &&
	    !(rc = crm_index_hist(t, e, 1)) && derive)
		rc = derive_rec(t, r, e, 1, 0);
out:
	e->amount = given;
	crm_rec_free(r);
	crm_buf_release(&val);
	crm_buf_release(&amount);
	return rc;
}

int
crm_log_del(crm_txn *t, uint64_t id)
{
	struct decoded d = { 0 };
	struct crm_buf val = CRM_BUF_INIT;
	unsigned char k[24];
	MDB_val ik = { sizeof id, &id }, iv, key = { 24, k }, data;
	int rc;

	crm_buf_init(&d.buf, 0);
	if ((rc = mdb_get(t->txn, t->db->logid, &ik, &iv)) || iv.mv_size != 16) {
		rc = rc && rc != MDB_NOTFOUND ?
		    crm_mdb_err(rc, "cannot read the history") :
		    crm_seterr(CRM_EINVAL, "no history entry %llu",
		    (unsigned long long)id);
		goto out;
	}
	memcpy(k, iv.mv_data, 16);
	crm_be64(k + 16, id);
	if ((rc = mdb_get(t->txn, t->db->log, &key, &data))) {
		rc = crm_mdb_err(rc, "cannot read the history");
		goto out;
	}
	crm_buf_add(&val, data.mv_data, data.mv_size);
	if (!crm_visible_id(t, crm_get_be64(k))) {
		rc = crm_seterr(CRM_EPERM, "history entry %llu is of record "
		    "%llu, which %s may not change", (unsigned long long)id,
		    (unsigned long long)crm_get_be64(k), crm_user());
		goto out;
	}
	if ((rc = decode(&d, k, val.buf, val.len)) ||
	    (rc = crm_journal_log(t, J_UNLOG, id, k, &val)))
		goto out;
	if ((rc = mdb_del(t->txn, t->db->log, &key, NULL)) ||
	    (rc = mdb_del(t->txn, t->db->logid, &ik, NULL))) {
		rc = crm_mdb_err(rc, "cannot remove from the history");
		goto out;
	}
	if (!(rc = crm_hist_changed(t, &d.e, -1)) &&
	    !(rc = crm_index_hist(t, &d.e, -1)))
		rc = derive(t, d.e.rec, &d.e, -1, 0);
out:
	crm_buf_release(&d.buf);
	crm_buf_release(&val);
	return rc;
}

static int
collect(crm_txn *t, uint64_t rec, size_t max, struct list *l)
{
	unsigned char k[24];
	MDB_cursor *c;
	MDB_val key = { 24, k }, data;
	size_t got = 0;
	int rc;

	logkey(k, rec + 1, INT64_MIN, 0);
	if ((rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE);
	rc = rc == MDB_NOTFOUND ? mdb_cursor_get(c, &key, &data, MDB_LAST) :
	    rc ? rc : mdb_cursor_get(c, &key, &data, MDB_PREV);
	while (!rc && key.mv_size == 24 && crm_get_be64(key.mv_data) == rec &&
	    (!max || got < max)) {
		struct entry *e;

		if (l->n == l->alloc) {
			l->alloc = l->alloc ? 2 * l->alloc : 64;
			l->v = crm_xrealloc(l->v, l->alloc * sizeof *l->v);
		}
		e = &l->v[l->n++];
		memcpy(e->key, key.mv_data, 24);
		e->val = data.mv_data;	/* valid while the txn is */
		e->len = data.mv_size;
		got++;
		rc = mdb_cursor_get(c, &key, &data, MDB_PREV);
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ?
	    crm_mdb_err(rc, "cannot read the history") : 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	/* by time, then by entry id, both descending */
	return -memcmp(x->key + 8, y->key + 8, 16);
}

/* The records whose entries make the history of record rec of type ty:
 * itself, and for a company its contact persons the user may see. */
static int
history_of(crm_txn *t, uint64_t rec, const struct crm_type *ty,
    struct crm_ids *ids)
{
	struct crm_ids c = { 0 };
	size_t i;
	int rc = 0;

	crm_ids_add(ids, rec);
	if (strcmp(ty->name, "company"))
		return 0;
	rc = crm_find_refs(t, "company", rec, &c);
	for (i = 0; i < c.n; i++)
		if (crm_visible_id(t, c.v[i]))
			crm_ids_add(ids, c.v[i]);
	crm_ids_release(&c);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

int
crm_log_each(crm_txn *t, const crm_rec *r,
    int (*fn)(const struct crm_log *e, void *arg), void *arg)
{
	struct crm_ids ids = { 0 };
	size_t i;
	int rc = history_of(t, r->id, r->type, &ids);

	for (i = 0; i < ids.n && !rc; i++)
		rc = crm_log_own(t, ids.v[i], fn, arg);
	crm_ids_release(&ids);
	return rc;
}

int
crm_log_list(crm_txn *t, uint64_t rec, size_t max,
    int (*fn)(const struct crm_log *e, void *arg), void *arg)
{
	struct list l = { 0 };
	struct crm_ids ids = { 0 };
	struct decoded d = { 0 };
	crm_rec *r;
	size_t i;
	int rc;

	if ((rc = crm_rec_get(t, rec, &r)))
		return rc == CRM_ENOTFOUND ? crm_seterr(CRM_EINVAL, "no "
		    "record %llu", (unsigned long long)rec) : rc;
	if (!crm_visible(t, r)) {
		crm_rec_free(r);
		return crm_seterr(CRM_EPERM, "record %llu is not %s's to see",
		    (unsigned long long)rec, crm_user());
	}
	rc = history_of(t, rec, r->type, &ids);
	for (i = 0; i < ids.n && !rc; i++)
		rc = collect(t, ids.v[i], max, &l);
	crm_rec_free(r);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, newest_first);
	crm_buf_init(&d.buf, 0);
	for (i = 0; i < l.n && !rc && (!max || i < max); i++)
		if (!(rc = decode(&d, l.v[i].key, l.v[i].val, l.v[i].len)))
			rc = fn(&d.e, arg);
	crm_buf_release(&d.buf);
	crm_ids_release(&ids);
	free(l.v);
	return rc;
}

int
crm_log_add(crm_txn *t, struct crm_log *e)
{
	return add(t, e, 0, 1);
}

int
crm_log_restore(crm_txn *t, struct crm_log *e)
{
	if (!e->id)
		return crm_seterr(CRM_EINVAL, "a history entry without its id");
	return add(t, e, 1, 0);
}

int
crm_log_revive(crm_txn *t, const unsigned char *key, const void *val,
    size_t len)
{
	struct decoded d = { 0 };
	int rc;

	crm_buf_init(&d.buf, 0);
	if (!(rc = decode(&d, key, val, len)))
		rc = add(t, &d.e, 1, 1);
	crm_buf_release(&d.buf);
	return rc;
}

/* The ids of a record's own entries. */
static int
entry_ids(crm_txn *t, uint64_t rec, struct crm_ids *ids)
{
	struct list l = { 0 };
	size_t i;
	int rc = collect(t, rec, 0, &l);

	for (i = 0; i < l.n; i++)
		crm_ids_add(ids, crm_get_be64(l.v[i].key + 16));
	free(l.v);
	return rc;
}

/* One entry to another record, its id kept. */
struct move {
	crm_txn *t;
	uint64_t to;
};

static int
move_one(const struct crm_log *e, void *arg)
{
	struct move *mv = arg;
	struct decoded d = { 0 };
	struct crm_buf val = CRM_BUF_INIT;
	unsigned char k[24];
	int rc;

	/* a copy of its own: the removal reuses what e points into */
	encode(e, &val);
	logkey(k, mv->to, e->at, e->id);
	crm_buf_init(&d.buf, 0);
	if (!(rc = decode(&d, k, val.buf, val.len)) &&
	    !(rc = crm_log_del(mv->t, e->id)))
		rc = add(mv->t, &d.e, 1, 1);
	crm_buf_release(&d.buf);
	crm_buf_release(&val);
	return rc;
}

int
crm_log_move(crm_txn *t, uint64_t from, uint64_t to)
{
	struct crm_ids ids = { 0 };
	struct move mv = { t, to };
	size_t i;
	int rc;

	/* the ids first: moving changes the range being read */
	rc = entry_ids(t, from, &ids);
	for (i = 0; i < ids.n && !rc; i++)
		rc = crm_log_get(t, ids.v[i], move_one, &mv);
	crm_ids_release(&ids);
	return rc;
}

int
crm_log_own(crm_txn *t, uint64_t rec,
    int (*fn)(const struct crm_log *e, void *arg), void *arg)
{
	struct decoded d;
	unsigned char k[24];
	MDB_cursor *c, *kept;
	MDB_val key = { 24, k }, data;
	int rc, frc = 0;

	/* a walk of records in order asks mostly of ones without history:
	 * where the last look-up ended tells without a new one */
	if ((kept = crm_txn_cursor(t, t->db->log, &t->lcur)) && t->lknown &&
	    rec > t->lfrom && rec < t->lnext)
		return 0;
	memset(&d, 0, sizeof d);
	logkey(k, rec, INT64_MIN, 0);
	if (!(c = kept) && (rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	crm_buf_init(&d.buf, 0);
	for (rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE); !rc &&
	    key.mv_size == 24 && crm_get_be64(key.mv_data) == rec;
	    rc = mdb_cursor_get(c, &key, &data, MDB_NEXT))
		if ((frc = decode(&d, key.mv_data, data.mv_data,
		    data.mv_size)) || (frc = fn(&d.e, arg)))
			break;
	if (kept) {
		/* on the first entry of a later record, or past the last */
		t->lknown = !frc && (rc == MDB_NOTFOUND || (!rc &&
		    key.mv_size == 24));
		t->lfrom = rec;
		t->lnext = rc ? UINT64_MAX : crm_get_be64(key.mv_data);
	} else {
		mdb_cursor_close(c);
	}
	crm_buf_release(&d.buf);
	if (frc)
		return frc;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the history") : 0;
}

int
crm_log_scan(crm_txn *t, int (*fn)(const struct crm_log *e, void *arg),
    void *arg)
{
	struct decoded d = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	crm_buf_init(&d.buf, 0);
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)))
		if (k.mv_size != 24 || (frc = decode(&d, k.mv_data, v.mv_data,
		    v.mv_size)) || (frc = fn(&d.e, arg)))
			break;
	mdb_cursor_close(c);
	crm_buf_release(&d.buf);
	if (frc)
		return frc;
	if (k.mv_size != 24 && rc == 0)
		return crm_seterr(CRM_ESTORE, "the history is damaged");
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the history");
}

int
crm_log_scan_raw(crm_txn *t,
    int (*fn)(int64_t at, const void *val, size_t len, void *arg), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) && k.mv_size == 24)
		if ((frc = fn((int64_t)(crm_get_be64((unsigned char *)
		    k.mv_data + 8) ^ BIAS), v.mv_data, v.mv_size, arg)))
			break;
	mdb_cursor_close(c);
	if (frc)
		return frc;
	if (!rc)
		return crm_seterr(CRM_ESTORE, "the history is damaged");
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the history");
}

int
crm_log_part(const void *val, size_t len, int tag, const char **p,
    size_t *n)
{
	const unsigned char *q = val, *end = q + len;
	uint64_t l;

	while (q < end) {
		int t = *q++;

		if (crm_get_varint(&q, end, &l) || l > (uint64_t)(end - q))
			return 0;
		if (t == tag) {
			*p = (const char *)q;
			*n = (size_t)l;
			return 1;
		}
		q += l;
	}
	return 0;
}

int
crm_log_get(crm_txn *t, uint64_t id,
    int (*fn)(const struct crm_log *e, void *arg), void *arg)
{
	struct decoded d = { 0 };
	unsigned char k[24];
	MDB_val ik = { sizeof id, &id }, iv, key = { 24, k }, data;
	int rc;

	if ((rc = mdb_get(t->txn, t->db->logid, &ik, &iv)) || iv.mv_size != 16)
		return rc && rc != MDB_NOTFOUND ?
		    crm_mdb_err(rc, "cannot read the history") :
		    CRM_ENOTFOUND;
	memcpy(k, iv.mv_data, 16);
	crm_be64(k + 16, id);
	if ((rc = mdb_get(t->txn, t->db->log, &key, &data)))
		return crm_mdb_err(rc, "cannot read the history");
	crm_buf_init(&d.buf, 0);
	if (!(rc = decode(&d, k, data.mv_data, data.mv_size)))
		rc = fn(&d.e, arg);
	crm_buf_release(&d.buf);
	return rc;
}

static int
count_in(const struct crm_log *e, void *arg)
{
	struct crm_figures *f = arg;
	int64_t amt;

	if (!f->n || e->at > f->last)
		f->last = e->at;
	f->n++;
	if (e->amount && !strcasecmp(e->kind, "purchase") &&
	    !crm_money_parse(e->amount, &amt))
		f->over |= __builtin_add_overflow(f->sum, amt, &f->sum);
	return 0;
}

int
crm_log_figures(crm_txn *t, uint64_t rec, struct crm_figures *f)
{
	return crm_log_own(t, rec, count_in, f);
}

void
crm_figures_add(struct crm_figures *to, const struct crm_figures *f)
{
	if (f->n && (!to->n || f->last > to->last))
		to->last = f->last;
	to->n += f->n;
	to->over |= f->over | __builtin_add_overflow(to->sum, f->sum,
	    &to->sum);
}

void
crm_figures_set(crm_rec *r, const struct crm_figures *f)
{
	struct crm_buf b = CRM_BUF_INIT;

	set_num(r, FID_INTERACTIONS, f->n, f->n > 0);
	set_num(r, FID_LAST_CONTACT, f->last, f->n > 0);
	crm_rec_drop(r, FID_TURNOVER);
	if (f->sum) {
		crm_money_fmt(&b, f->sum);
		crm_rec_add_raw(r, FID_TURNOVER, b.buf, b.len);
	}
	crm_buf_release(&b);
}

int
crm_log_refigure(crm_txn *t, uint64_t rec)
{
	struct crm_figures f = { 0, 0, 0, 0 };
	struct crm_buf keys = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	crm_rec *r;
	size_t i;
	int rc;

	if ((rc = crm_rec_get(t, rec, &r)))
		return rc == CRM_ENOTFOUND ? 0 : rc;
	rc = crm_log_figures(t, r->id, &f);
	/* a company's figures hold its contact persons' */
	if (!rc && !strcmp(r->type->name, "company")) {
		rc = crm_find_refs(t, "company", r->id, &ids);
		for (i = 0, rc = rc == CRM_ENOTFOUND ? 0 : rc;
		    i < ids.n && !rc; i++)
			rc = crm_log_figures(t, ids.v[i], &f);
	}
	if (!rc && f.over)
		rc = turnover_range(r->id);
	if (!rc) {
		crm_index_derived_keys(r, &keys);
		crm_figures_set(r, &f);
		if (!(rc = crm_rec_write(t, r)))
			rc = crm_index_derived_move(t, &keys, r);
	}
	crm_ids_release(&ids);
	crm_buf_release(&keys);
	crm_rec_free(r);
	return rc;
}

/* Remove a record's whole history (it is being removed itself). */
int
crm_log_drop(crm_txn *t, uint64_t rec)
{
	struct crm_ids ids = { 0 };
	size_t i;
	int rc;

	rc = entry_ids(t, rec, &ids);
	for (i = 0; i < ids.n && !rc; i++)
		rc = crm_log_del(t, ids.v[i]);
	crm_ids_release(&ids);
	return rc;
}

/* Each entry decodes, under a record that exists, and its id finds it. */
static int
check_entries(crm_txn *t, struct crm_checker *ck)
{
	struct decoded d = { 0 };
	uint64_t rec = 0, id;
	int exists = 0, rc;
	MDB_cursor *c;
	MDB_val k, v, ik = { sizeof id, &id }, iv;

	if ((rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	crm_buf_init(&d.buf, 0);
	while (!ck->rc && !(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		const unsigned char *key = k.mv_data;

		if (k.mv_size != 24) {
			crm_bad(ck, 0, "a history entry has a key of %zu bytes",
			    k.mv_size);
			continue;
		}
		id = crm_get_be64(key + 16);
		if (crm_get_be64(key) != rec || !rec) {
			rec = crm_get_be64(key);
			exists = crm_rec_exists(t, rec);
		}
		if (!exists)
			crm_bad(ck, rec, "history entry %llu belongs to no "
			    "record", (unsigned long long)id);
		if (decode(&d, key, v.mv_data, v.mv_size) || !d.e.kind)
			crm_bad(ck, rec, "history entry %llu is damaged",
			    (unsigned long long)id);
		if ((rc = mdb_get(t->txn, t->db->logid, &ik, &iv)) &&
		    rc != MDB_NOTFOUND)
			break;
		if (rc || iv.mv_size != 16 || memcmp(iv.mv_data, key, 16))
			crm_bad(ck, rec, "history entry %llu is not found by "
			    "its id", (unsigned long long)id);
	}
	mdb_cursor_close(c);
	crm_buf_release(&d.buf);
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the history") : 0;
}

int
crm_log_check(crm_txn *t, struct crm_checker *ck)
{
	unsigned char key[24];
	MDB_cursor *c;
	MDB_val k, v, lk = { 24, key }, lv;
	int rc;

	if ((rc = check_entries(t, ck)))
		return rc;
	/* and each id the other way: one whose entry is gone */
	if ((rc = mdb_cursor_open(t->txn, t->db->logid, &c)))
		return crm_mdb_err(rc, "cannot read the history");
	while (!ck->rc && !(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		uint64_t id;

		if (k.mv_size != sizeof id || v.mv_size != 16) {
			crm_bad(ck, 0, "the history's id table is damaged");
			continue;
		}
		memcpy(&id, k.mv_data, sizeof id);
		memcpy(key, v.mv_data, 16);
		crm_be64(key + 16, id);
		if ((rc = mdb_get(t->txn, t->db->log, &lk, &lv)) == MDB_NOTFOUND)
			crm_bad(ck, crm_get_be64(key), "history entry %llu "
			    "is gone, but its id is kept",
			    (unsigned long long)id);
		else if (rc)
			break;
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the history") : 0;
}

void
crm_log_scrub(const void *val, size_t len, struct crm_buf *out)
{
	const unsigned char *q = val, *end = q + len, *start;
	uint64_t l;

	crm_buf_reset(out);
	while (q < end) {
		start = q++;
		if (crm_get_varint(&q, end, &l) || l > (uint64_t)(end - q))
			break;
		q += l;
		if (*start != 't' && *start != 'x')
			crm_buf_add(out, start, (size_t)(q - start));
	}
}

int
crm_log_erase(crm_txn *t, uint64_t rec)
{
	struct crm_buf b = CRM_BUF_INIT;
	unsigned char k[24];
	MDB_cursor *c;
	MDB_val key = { 24, k }, data;
	int rc;

	logkey(k, rec, INT64_MIN, 0);
	if ((rc = mdb_cursor_open(t->txn, t->db->log, &c)))
		return crm_mdb_err(rc, "cannot write the history");
	for (rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE); !rc &&
	    key.mv_size == 24 && crm_get_be64(key.mv_data) == rec;
	    rc = mdb_cursor_get(c, &key, &data, MDB_NEXT)) {
		crm_log_scrub(data.mv_data, data.mv_size, &b);
		if (b.len == data.mv_size)
			continue;
		/* the key points into the page the put rewrites */
		memcpy(k, key.mv_data, 24);
		key.mv_data = k;
		data.mv_size = b.len;
		data.mv_data = b.buf;
		if ((rc = mdb_cursor_put(c, &key, &data, 0)))
			break;
	}
	mdb_cursor_close(c);
	crm_buf_release(&b);
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot write the history") : 0;
}
