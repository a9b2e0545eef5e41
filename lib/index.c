/* index.c - index entries: what a record puts in the index, and upkeep */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEYMAX 400		/* LMDB keys hold 511 bytes */

/*
 * The index holds a key per value, [u16 fid][folded value], and under
 * it the ids of the records that have it: 8 bytes each, big-endian, as
 * sorted duplicates of fixed size (MDB_DUPSORT | MDB_DUPFIXED), so that
 * a value's ids are read a page (510 of them) at a time and a value is
 * kept once, however many records have it.
 *
 * Between the records and the index (queued for a bulk load, compared by
 * crm-check) an entry is one string, [key][n][id in n bytes, big-endian]:
 * the byte n (1 to 8) ends the value, which holds no bytes below 9, so
 * that entries sort as the index does, by key and then by id.
 */
#define IDMARK(c) ((unsigned char)(c) >= 1 && (unsigned char)(c) <= 8)

void
crm_index_key(struct crm_buf *k, unsigned fid, const char *v, size_t n)
{
	size_t start = k->len, i;

	crm_buf_addch(k, (int)(fid >> 8 & 0xff));
	crm_buf_addch(k, (int)(fid & 0xff));
	crm_fold(k, v, n);
	if (k->len - start > KEYMAX)
		crm_buf_setlen(k, start + KEYMAX);
	/* control bytes mark ids and separate parts of keys */
	for (i = start + 2; i < k->len; i++)
		if ((unsigned char)k->buf[i] < 0x20)
			k->buf[i] = ' ';
}

static void
addkey(struct crm_buf *keys, const struct crm_buf *k)
{
	crm_buf_addch(keys, (int)(k->len >> 8));
	crm_buf_addch(keys, (int)(k->len & 0xff));
	crm_buf_add(keys, k->buf, k->len);
}

/* A time as twelve digits, so that keys sort as times do. */
static void
time_text(char b[24], const char *v)
{
	long long t = strtoll(v, NULL, 10);

	crm_i64toa(b, t < 0 ? 0 : t, 12);
}

/*
 * Open tasks (a due time, no done time), for crm-due: by due time, and
 * by owner and due time ([owner] 0x1f [due]).
 */
static void
task_keys(const crm_rec *r, struct crm_buf *keys, struct crm_buf *k)
{
	const struct crm_field *due = crm_type_field(r->type, "due");
	const struct crm_field *done = crm_type_field(r->type, "done");
	const struct crm_field *owner = crm_type_field(r->type, "owner");
	const char *d, *o;
	char b[24];

	if (!due || !done || !(d = crm_rec_nth(r, due->fid, 0, NULL)) ||
	    crm_rec_nth(r, done->fid, 0, NULL))
		return;
	time_text(b, d);
	crm_buf_reset(k);
	crm_index_key(k, FID_OPEN_DUE, b, strlen(b));
	addkey(keys, k);
	if (!owner || !(o = crm_rec_nth(r, owner->fid, 0, NULL)))
		return;
	crm_buf_reset(k);
	crm_index_key(k, FID_OPEN_OWNER, o, strlen(o));
	crm_buf_addch(k, 0x1f);
	crm_buf_addstr(k, b);
	addkey(keys, k);
}

/* Where the id of an entry starts (the byte n), and the id. */
static size_t
entry_split(const unsigned char *e, size_t len, size_t from, uint64_t *id)
{
	size_t at, n, i;

	for (at = from < 2 ? 2 : from; at < len && !IDMARK(e[at]); at++)
		;
	*id = 0;
	if (at >= len)
		return len;
	n = e[at];
	for (i = at + 1; i < len && i <= at + n; i++)
		*id = *id << 8 | e[i];
	return at;
}

size_t
crm_index_entry_key(const void *e, size_t len, uint64_t *id)
{
	return entry_split(e, len, 2, id);
}

struct tokarg {
	struct crm_buf *keys, *k;
	unsigned fid;
};

static int
addtoken(const char *tok, size_t len, void *arg)
{
	struct tokarg *a = arg;

	crm_buf_reset(a->k);
	crm_buf_addch(a->k, (int)((a->fid | TOKEN_BIT) >> 8 & 0xff));
	crm_buf_addch(a->k, (int)(a->fid & 0xff));
	crm_buf_add(a->k, tok, len > KEYMAX ? KEYMAX : len);
	addkey(a->keys, a->k);
	return 0;
}

/* The times kept from history and tasks, so queries can take ranges. */
static void
derived_keys(const crm_rec *r, struct crm_buf *keys, struct crm_buf *k)
{
	static const unsigned fids[] = { FID_LAST_CONTACT, FID_NEXT_DUE };
	const char *v;
	char b[24];
	size_t i;

	for (i = 0; i < 2; i++)
		if ((v = crm_rec_nth(r, fids[i], 0, NULL))) {
			time_text(b, v);
			crm_buf_reset(k);
			crm_index_key(k, fids[i], b, strlen(b));
			addkey(keys, k);
		}
}

void
crm_index_keys(const crm_rec *r, struct crm_buf *keys)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct tokarg ta = { keys, &k, 0 };
	size_t i;

	/* by type: a report of 20,000 deals need not read 1,000,000 people */
	crm_index_key(&k, FID_TYPE, r->type->name, strlen(r->type->name));
	addkey(keys, &k);
	derived_keys(r, keys, &k);
	for (i = 0; i < r->n; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		const char *v = r->arena.buf + r->v[i].off;

		if (!f)
			continue;
		if (f->flags & FF_SEARCH) {
			ta.fid = f->fid;
			crm_tokens(v, r->v[i].len, addtoken, &ta);
		}
		if (f->type == FT_DATETIME && (f->flags & FF_INDEX)) {
			char b[24];

			time_text(b, v);
			crm_buf_reset(&k);
			crm_index_key(&k, f->fid, b, strlen(b));
			addkey(keys, &k);
		} else if (f->type == FT_EMAIL || f->type == FT_PHONE ||
		    f->type == FT_TAGS || f->type == FT_REF ||
		    (f->flags & (FF_INDEX | FF_UNIQUE))) {
			crm_buf_reset(&k);
			crm_index_key(&k, f->fid, v, r->v[i].len);
			addkey(keys, &k);
		}
	}
	if (!strcmp(r->type->name, "task"))
		task_keys(r, keys, &k);
	crm_buf_release(&k);
}

#define EACH_KEY(keys, p, len) \
	for (p = (const unsigned char *)(keys).buf; \
	    p < (const unsigned char *)(keys).buf + (keys).len && \
	    ((len) = (size_t)(p[0] << 8 | p[1]), p += 2, 1); p += (len))

/* key + id, the entry as it is stored */
static void
entry(struct crm_buf *e, const unsigned char *key, size_t len, uint64_t id)
{
	unsigned char b[9];
	int n = 1;

	while (n < 8 && id >> (8 * n))
		n++;
	b[0] = (unsigned char)n;
	crm_be64(b + 1, id << (8 * (8 - n)));
	crm_buf_reset(e);
	crm_buf_add(e, key, len);
	crm_buf_add(e, b, (size_t)n + 1);
}

/* Put or take out the id under the key p. */
static int
put_id(crm_txn *t, const unsigned char *p, size_t len, uint64_t id, int del)
{
	unsigned char b[8];
	MDB_val k = { len, (void *)p }, v = { 8, b };
	int rc;

	crm_be64(b, id);
	rc = del ? mdb_del(t->txn, t->db->idx, &k, &v) :
	    mdb_put(t->txn, t->db->idx, &k, &v, MDB_NODUPDATA);
	/* a word twice in one name: one entry */
	if (rc == MDB_NOTFOUND || rc == MDB_KEYEXIST)
		rc = 0;
	return rc ? crm_mdb_err(rc, "cannot write the index") : 0;
}

static int
change(crm_txn *t, const crm_rec *r, int del)
{
	struct crm_buf keys = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	crm_index_keys(r, &keys);
	EACH_KEY(keys, p, len)
		if ((rc = put_id(t, p, len, r->id, del)))
			break;
	crm_buf_release(&keys);
	return rc;
}

int
crm_index_put(crm_txn *t, const crm_rec *r)
{
	return change(t, r, 0);
}

void
crm_index_derived_keys(const crm_rec *r, struct crm_buf *keys)
{
	struct crm_buf k = CRM_BUF_INIT;

	derived_keys(r, keys, &k);
	crm_buf_release(&k);
}

int
crm_index_derived(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	struct crm_buf ko = CRM_BUF_INIT;
	int rc;

	crm_index_derived_keys(old, &ko);
	rc = crm_index_derived_move(t, &ko, r);
	crm_buf_release(&ko);
	return rc;
}

/* Only the derived times changed: move their entries. */
int
crm_index_derived_move(crm_txn *t, const struct crm_buf *ko, const crm_rec *r)
{
	struct crm_buf kn = CRM_BUF_INIT, k = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	derived_keys(r, &kn, &k);
	if (ko->len == kn.len && !memcmp(ko->buf, kn.buf, ko->len))
		goto out;
	EACH_KEY(*ko, p, len)
		if ((rc = put_id(t, p, len, r->id, 1)))
			goto out;
	EACH_KEY(kn, p, len)
		if ((rc = put_id(t, p, len, r->id, 0)))
			goto out;
out:
	crm_buf_release(&kn);
	crm_buf_release(&k);
	return rc;
}

int
crm_index_del(crm_txn *t, const crm_rec *r)
{
	return change(t, r, 1);
}

void
crm_index_entries(const crm_rec *r, struct crm_sorter *s, uint32_t tag)
{
	struct crm_buf keys = CRM_BUF_INIT, e = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;

	crm_index_keys(r, &keys);
	EACH_KEY(keys, p, len) {
		entry(&e, p, len, r->id);
		crm_sorter_add(s, e.buf, e.len, tag);
	}
	crm_buf_release(&keys);
	crm_buf_release(&e);
}

int
crm_index_defer(crm_txn *t, const crm_rec *r)
{
	if (!t->sorter)
		t->sorter = crm_sorter_new((size_t)96 << 20);
	crm_index_entries(r, t->sorter, (uint32_t)t->line);
	return 0;
}

/* Is the field behind an index key unique in some type? */
static const struct crm_field *
unique_field(const crm_schema *s, const unsigned char *key)
{
	unsigned fid = (unsigned)(key[0] << 8 | key[1]);
	size_t i;

	if (fid & TOKEN_BIT)
		return NULL;
	for (i = 0; i < s->ntypes; i++) {
		const struct crm_field *f = crm_type_field_id(&s->types[i],
		    fid);

		if (f && (f->flags & FF_UNIQUE))
			return f;
	}
	return NULL;
}

static int
cmpkey(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/*
 * A run of ids under one key, from the sorted queue, into the index: a
 * key past the last one appends, ids past the last ones of the last key
 * append to it, and the ids go in at once (MDB_MULTIPLE).
 */
struct run {
	struct crm_buf key, ids;	/* ids: 8 bytes each, big-endian */
	struct crm_buf last;		/* the index's last key */
	uint64_t lastid;		/* and its last id */
	int haslast;
};

static int
put_run(MDB_cursor *c, struct run *ru)
{
	const unsigned char *ids = (const unsigned char *)ru->ids.buf;
	size_t n = ru->ids.len / 8;
	MDB_val k = { ru->key.len, ru->key.buf }, v[2];
	unsigned flags = MDB_MULTIPLE;
	int cmp, rc;

	if (!n)
		return 0;
	cmp = ru->haslast ? cmpkey(ru->key.buf, ru->key.len, ru->last.buf,
	    ru->last.len) : 1;
	if (cmp > 0)
		flags |= MDB_APPEND | MDB_APPENDDUP;
	else if (cmp == 0 && crm_get_be64(ids) > ru->lastid)
		flags |= MDB_APPENDDUP;
	v[0].mv_size = 8;
	v[0].mv_data = ru->ids.buf;
	v[1].mv_size = n;
	v[1].mv_data = NULL;
	rc = mdb_cursor_put(c, &k, v, flags);
	if (rc == MDB_KEYEXIST)
		rc = 0;
	/* what was last stays last, or this is */
	if (!rc && (flags & MDB_APPENDDUP)) {
		if (cmp > 0) {
			crm_buf_reset(&ru->last);
			crm_buf_add(&ru->last, ru->key.buf, ru->key.len);
		}
		ru->lastid = crm_get_be64(ids + 8 * (n - 1));
		ru->haslast = 1;
	}
	crm_buf_reset(&ru->ids);
	return rc ? crm_mdb_err(rc, "cannot write the index") : 0;
}

int
crm_index_flush(crm_txn *t)
{
	struct crm_buf prev = CRM_BUF_INIT;
	struct run ru = { CRM_BUF_INIT, CRM_BUF_INIT, CRM_BUF_INIT, 0, 0 };
	const crm_schema *s = crm_txn_schema(t);
	uint32_t prevtag = 0;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if (!t->sorter || !crm_sorter_count(t->sorter))
		return 0;
	if ((rc = crm_sorter_finish(t->sorter)))
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot write the index");
	if (!mdb_cursor_get(c, &k, &v, MDB_LAST) && v.mv_size == 8) {
		crm_buf_add(&ru.last, k.mv_data, k.mv_size);
		ru.lastid = crm_get_be64(v.mv_data);
		ru.haslast = 1;
	}
	for (;;) {
		const unsigned char *key;
		size_t klen, vlen;
		unsigned char b[8];
		uint64_t id;
		uint32_t tag;

		rc = crm_sorter_next(t->sorter, (const void **)&key, &klen,
		    &tag);
		if (rc == CRM_ENOTFOUND) {
			rc = put_run(c, &ru);
			break;
		}
		if (rc)
			break;
		if (prev.len == klen && !memcmp(prev.buf, key, klen))
			continue;	/* a token twice in one name */
		/* one value for two records: wrong where it is unique */
		vlen = entry_split(key, klen, 2, &id);
		if (prev.len > vlen && !memcmp(prev.buf, key, vlen) &&
		    IDMARK(prev.buf[vlen])) {
			const struct crm_field *f = unique_field(s, key);

			if (f) {
				rc = crm_seterr(CRM_EEXIST, "%s '%.*s' twice "
				    "(also on line %lu)", f->name,
				    (int)vlen - 2, (const char *)key + 2,
				    (unsigned long)prevtag);
				if (tag)
					crm_errprefix(rc, "line %lu: ",
					    (unsigned long)tag);
				break;
			}
		}
		if (ru.key.len != vlen || memcmp(ru.key.buf, key, vlen)) {
			if ((rc = put_run(c, &ru)))
				break;
			crm_buf_reset(&ru.key);
			crm_buf_add(&ru.key, key, vlen);
		}
		crm_be64(b, id);
		crm_buf_add(&ru.ids, b, 8);
		crm_buf_reset(&prev);
		crm_buf_add(&prev, key, klen);
		prevtag = tag;
	}
	mdb_cursor_close(c);
	crm_sorter_reset(t->sorter);
	crm_buf_release(&prev);
	crm_buf_release(&ru.key);
	crm_buf_release(&ru.ids);
	crm_buf_release(&ru.last);
	return rc;
}

/*
 * The ids under the key the cursor is on (d: its first), a page at a
 * time, added to out; CRM_EABORT once out holds more than max (if max).
 */
static int
key_ids(MDB_cursor *c, MDB_val *d, size_t max, struct crm_ids *out)
{
	MDB_val k;
	int rc;

	/* a key with one id leaves d as it is */
	rc = mdb_cursor_get(c, &k, d, MDB_GET_MULTIPLE);
	while (!rc) {
		const unsigned char *p = d->mv_data;
		size_t i, n = d->mv_size / 8;

		for (i = 0; i < n; i++)
			crm_ids_add(out, crm_get_be64(p + 8 * i));
		if (max && out->n > max)
			return CRM_EABORT;
		rc = mdb_cursor_get(c, &k, d, MDB_NEXT_MULTIPLE);
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Each key from `from` on while it starts with pre and, with top, is not
 * past it (compared over top's length): its ids added to out.  CRM_EABORT
 * once out holds more than max (if max).
 */
static int
walk(crm_txn *t, const struct crm_buf *pre, const struct crm_buf *from,
    const struct crm_buf *top, size_t max, struct crm_ids *out)
{
	MDB_cursor *c;
	MDB_val key = { from->len, from->buf }, d;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	rc = mdb_cursor_get(c, &key, &d, MDB_SET_RANGE);
	while (!rc) {
		if (key.mv_size < pre->len || memcmp(key.mv_data, pre->buf,
		    pre->len) || (top && cmpkey(key.mv_data, key.mv_size <
		    top->len ? key.mv_size : top->len, top->buf,
		    top->len) > 0))
			break;
		if ((rc = key_ids(c, &d, max, out)))
			break;
		rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP);
	}
	mdb_cursor_close(c);
	if (rc == CRM_EABORT)
		return rc;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the index") : 0;
}

/* The ids under the key k alone; CRM_EABORT past max (if max). */
static int
exact(crm_txn *t, const struct crm_buf *k, size_t max, struct crm_ids *out)
{
	MDB_cursor *c;
	MDB_val key = { k->len, k->buf }, d;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	rc = mdb_cursor_get(c, &key, &d, MDB_SET_KEY);
	if (!rc && max) {
		size_t n;

		if (!(rc = mdb_cursor_count(c, &n)) && out->n + n > max)
			rc = CRM_EABORT;
	}
	if (!rc)
		rc = key_ids(c, &d, max, out);
	mdb_cursor_close(c);
	if (rc == CRM_EABORT)
		return rc;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the index") : 0;
}

int
crm_index_scan(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *out)
{
	size_t n0 = out->n;
	int rc = prefix ? walk(t, k, k, NULL, 0, out) : exact(t, k, 0, out);

	if (rc)
		return rc;
	return out->n > n0 ? 0 : CRM_ENOTFOUND;
}

int
crm_index_type(crm_txn *t, const char *type, size_t max, struct crm_ids *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	int rc;

	crm_index_key(&k, FID_TYPE, type, strlen(type));
	rc = exact(t, &k, max, out);
	crm_buf_release(&k);
	return rc;
}

int
crm_index_range(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t max, struct crm_ids *out)
{
	struct crm_buf k = CRM_BUF_INIT, start = CRM_BUF_INIT,
	    top = CRM_BUF_INIT;
	char b[24];
	int rc;

	crm_index_key(&k, fid, "", 0);
	crm_buf_add(&start, k.buf, k.len);
	crm_i64toa(b, lo < 0 ? 0 : lo, 12);
	crm_buf_addstr(&start, b);
	/* the keys hold twelve digits: compared as text */
	rc = 0;
	if (hi < 0)
		goto out;
	crm_buf_add(&top, k.buf, k.len);
	if (crm_i64toa(b, hi, 12) > 12)
		memset(b, '9', 12);
	crm_buf_add(&top, b, 12);
	if (!(rc = crm_log_settle(t))) {
		rc = walk(t, &k, &start, &top, max, out);
		if (rc == CRM_EABORT)
			rc = 0;
	}
out:
	crm_buf_release(&k);
	crm_buf_release(&start);
	crm_buf_release(&top);
	return rc;
}

int
crm_index_due(crm_txn *t, const char *owner, int64_t until,
    int (*fn)(uint64_t task, int64_t due, void *arg), void *arg)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	MDB_cursor *c;
	MDB_val key, d;
	int rc, frc = 0;

	if (owner) {
		crm_index_key(&k, FID_OPEN_OWNER, owner, strlen(owner));
		crm_buf_addch(&k, 0x1f);
	} else {
		crm_index_key(&k, FID_OPEN_DUE, "", 0);
	}
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c))) {
		crm_buf_release(&k);
		return crm_mdb_err(rc, "cannot read the index");
	}
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_cursor_get(c, &key, &d, MDB_SET_RANGE);
	while (!rc) {
		const unsigned char *e = key.mv_data;
		char digits[13];
		int64_t due;
		size_t i;

		if (key.mv_size != k.len + 12 || memcmp(e, k.buf, k.len))
			break;
		memcpy(digits, e + k.len, 12);
		digits[12] = 0;
		if ((due = strtoll(digits, NULL, 10)) > until)
			break;
		ids.n = 0;
		if ((rc = key_ids(c, &d, 0, &ids)))
			break;
		for (i = 0; i < ids.n && !frc; i++)
			if (crm_visible_id(t, ids.v[i]))
				frc = fn(ids.v[i], due, arg);
		if (frc)
			break;
		rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP);
	}
	mdb_cursor_close(c);
	crm_buf_release(&k);
	crm_ids_release(&ids);
	if (frc)
		return frc;
	return rc && rc != MDB_NOTFOUND ?
	    crm_mdb_err(rc, "cannot read the index") : 0;
}

int
crm_index_rebuild(crm_txn *t)
{
	crm_rec *r = crm_rec_alloc();
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = crm_index_flush(t)))
		goto out;
	if ((rc = mdb_drop(t->txn, t->db->idx, 0))) {
		rc = crm_mdb_err(rc, "cannot clear the index");
		goto out;
	}
	if ((rc = crm_log_settle(t)))
		goto out;
	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		uint64_t id;

		memcpy(&id, k.mv_data, sizeof id);
		if ((rc = crm_rec_decode(r, crm_txn_schema(t), id, v.mv_data,
		    v.mv_size)) || (rc = crm_index_defer(t, r)))
			break;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = crm_index_flush(t);
	else if (rc != CRM_ESTORE)
		rc = crm_mdb_err(rc, "cannot read the records");
	if (!rc)
		rc = crm_meta_put(t, "index:type", "1", 1);
out:
	crm_rec_free(r);
	return rc;
}

/* An entry told as a person reads it: "email 'jana@example.sk'". */
static void
describe(crm_txn *t, const unsigned char *e, size_t len, struct crm_buf *out,
    uint64_t *id)
{
	unsigned fid = len >= 2 ? (unsigned)(e[0] << 8 | e[1]) : 0;
	size_t at = entry_split(e, len, 2, id);
	const char *name;

	crm_buf_reset(out);
	if (fid == FID_TYPE)
		name = "type";
	else if (fid == FID_OPEN_DUE)
		name = "open tasks by due time";
	else if (fid == FID_OPEN_OWNER)
		name = "open tasks by owner";
	else if (IS_DERIVED(fid))
		name = crm_derived_names[fid];
	else
		name = crm_db_field_name(t, fid & ~TOKEN_BIT);
	crm_buf_addf(out, "%s%s '", fid & TOKEN_BIT ? "name word in " : "",
	    name ? name : "a former field");
	/* times are kept as twelve digits */
	if ((fid == FID_LAST_CONTACT || fid == FID_NEXT_DUE ||
	    fid == FID_OPEN_DUE) && at - 2 >= 12)
		crm_datetime_fmt(out, strtoll((const char *)e + 2, NULL, 10));
	else
		crm_escape(out, (const char *)e + 2, at > 2 ? at - 2 : 0);
	crm_buf_addch(out, '\'');
}

struct side {
	const unsigned char *p;
	size_t len;
	int live;
};

static void
only_one(crm_txn *t, struct crm_checker *ck, const struct side *x,
    int missing, struct crm_buf *b)
{
	uint64_t id;

	describe(t, x->p, x->len, b, &id);
	ck->fixable++;
	crm_bad(ck, id, missing ? "index entry %s is missing" :
	    "index entry %s is not the record's", b->buf);
}

int
crm_index_compare(crm_txn *t, struct crm_sorter *s, struct crm_checker *ck)
{
	struct crm_buf prev = CRM_BUF_INIT, b = CRM_BUF_INIT, he = CRM_BUF_INIT;
	struct side w = { 0 }, h = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	uint32_t tag;
	int rc, mrc;

	if ((rc = crm_sorter_finish(s)))
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	for (;;) {
		const void *p;
		int cmp;

		/* the wanted side, each entry once */
		while (!w.live && !(rc = crm_sorter_next(s, &p, &w.len,
		    &tag))) {
			if (prev.len == w.len && !memcmp(prev.buf, p, w.len))
				continue;
			crm_buf_reset(&prev);
			crm_buf_add(&prev, p, w.len);
			w.p = (const unsigned char *)prev.buf;
			w.live = 1;
		}
		if (rc && rc != CRM_ENOTFOUND)
			break;
		rc = 0;
		if (!h.live && !mrc) {
			entry(&he, k.mv_data, k.mv_size, v.mv_size == 8 ?
			    crm_get_be64(v.mv_data) : 0);
			h.p = (const unsigned char *)he.buf;
			h.len = he.len;
			h.live = 1;
		}
		if ((!w.live && !h.live) || ck->rc)
			break;
		cmp = !w.live ? 1 : !h.live ? -1 :
		    cmpkey(w.p, w.len, h.p, h.len);
		if (cmp < 0)
			only_one(t, ck, &w, 1, &b);
		else if (cmp > 0)
			only_one(t, ck, &h, 0, &b);
		if (cmp <= 0)
			w.live = 0;
		if (cmp >= 0) {
			h.live = 0;
			mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		}
	}
	mdb_cursor_close(c);
	crm_buf_release(&prev);
	crm_buf_release(&b);
	crm_buf_release(&he);
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = crm_mdb_err(mrc, "cannot read the index");
	return rc;
}
