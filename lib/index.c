/* index.c - index entries: what a record puts in the index, and upkeep */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEYMAX 400		/* LMDB keys hold 511 bytes */

/*
 * An entry is [u16 fid][folded value][n][id in n bytes, big-endian]: the
 * byte n (1 to 8) ends the value, which holds no bytes below 9, so the
 * entries of one value sort before those of longer values, by id.
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

/*
 * Each entry is a key of its own: [u16 fid][folded value][n][id], with
 * no data.  Entries of one value sit together in id order, and new ones
 * append.
 */
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

static int
change(crm_txn *t, const crm_rec *r, int del)
{
	struct crm_buf keys = CRM_BUF_INIT, e = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	crm_index_keys(r, &keys);
	EACH_KEY(keys, p, len) {
		MDB_val k, v = { 0, "" };

		entry(&e, p, len, r->id);
		k.mv_size = e.len;
		k.mv_data = e.buf;
		rc = del ? mdb_del(t->txn, t->db->idx, &k, NULL) :
		    mdb_put(t->txn, t->db->idx, &k, &v, 0);
		if (rc == MDB_NOTFOUND)
			rc = 0;
		if (rc) {
			rc = crm_mdb_err(rc, "cannot write the index");
			break;
		}
	}
	crm_buf_release(&keys);
	crm_buf_release(&e);
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
	struct crm_buf kn = CRM_BUF_INIT, k = CRM_BUF_INIT, e = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	derived_keys(r, &kn, &k);
	if (ko->len == kn.len && !memcmp(ko->buf, kn.buf, ko->len))
		goto out;
	EACH_KEY(*ko, p, len) {
		MDB_val key;

		entry(&e, p, len, r->id);
		key.mv_size = e.len;
		key.mv_data = e.buf;
		rc = mdb_del(t->txn, t->db->idx, &key, NULL);
		if (rc && rc != MDB_NOTFOUND)
			break;
		rc = 0;
	}
	EACH_KEY(kn, p, len) {
		MDB_val key, v = { 0, "" };

		if (rc)
			break;
		entry(&e, p, len, r->id);
		key.mv_size = e.len;
		key.mv_data = e.buf;
		rc = mdb_put(t->txn, t->db->idx, &key, &v, 0);
	}
	if (rc)
		rc = crm_mdb_err(rc, "cannot write the index");
out:
	crm_buf_release(&kn);
	crm_buf_release(&k);
	crm_buf_release(&e);
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

int
crm_index_flush(crm_txn *t)
{
	struct crm_buf last = CRM_BUF_INIT, prev = CRM_BUF_INIT;
	const crm_schema *s = crm_txn_schema(t);
	uint32_t prevtag = 0;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, haslast;

	if (!t->sorter || !crm_sorter_count(t->sorter))
		return 0;
	if ((rc = crm_sorter_finish(t->sorter)))
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot write the index");
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	haslast = rc == 0;
	if (haslast)
		crm_buf_add(&last, k.mv_data, k.mv_size);
	for (;;) {
		const unsigned char *key;
		size_t klen, vlen;
		uint64_t id;
		uint32_t tag;
		unsigned flags = 0;

		rc = crm_sorter_next(t->sorter, (const void **)&key, &klen,
		    &tag);
		if (rc == CRM_ENOTFOUND) {
			rc = 0;
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
		if (!haslast || cmpkey(key, klen, last.buf, last.len) > 0)
			flags = MDB_APPEND;
		k.mv_size = klen;
		k.mv_data = (void *)key;
		v.mv_size = 0;
		v.mv_data = "";
		if ((rc = mdb_cursor_put(c, &k, &v, flags))) {
			rc = crm_mdb_err(rc, "cannot write the index");
			break;
		}
		crm_buf_reset(&prev);
		crm_buf_add(&prev, key, klen);
		prevtag = tag;
	}
	mdb_cursor_close(c);
	crm_sorter_reset(t->sorter);
	crm_buf_release(&last);
	crm_buf_release(&prev);
	return rc;
}

int
crm_index_scan(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *out)
{
	MDB_cursor *c;
	MDB_val key = { k->len, k->buf }, data;
	size_t n0 = out->n;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE);
	while (!rc) {
		const unsigned char *e = key.mv_data;
		uint64_t id;

		if (key.mv_size <= k->len || memcmp(e, k->buf, k->len))
			break;
		/* the entries of the value itself come first */
		if (!prefix && !IDMARK(e[k->len]))
			break;
		entry_split(e, key.mv_size, k->len, &id);
		crm_ids_add(out, id);
		rc = mdb_cursor_get(c, &key, &data, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return crm_mdb_err(rc, "cannot read the index");
	return out->n > n0 ? 0 : CRM_ENOTFOUND;
}

int
crm_index_type(crm_txn *t, const char *type, size_t max, struct crm_ids *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_cursor *c;
	MDB_val key, data;
	int rc;

	crm_index_key(&k, FID_TYPE, type, strlen(type));
	key.mv_size = k.len;
	key.mv_data = k.buf;
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c))) {
		crm_buf_release(&k);
		return crm_mdb_err(rc, "cannot read the index");
	}
	rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE);
	while (!rc) {
		const unsigned char *e = key.mv_data;
		uint64_t id;

		if (key.mv_size <= k.len || memcmp(e, k.buf, k.len) ||
		    !IDMARK(e[k.len]))
			break;
		if (out->n == max) {
			rc = CRM_EABORT;	/* more than asked for */
			break;
		}
		entry_split(e, key.mv_size, k.len, &id);
		crm_ids_add(out, id);
		rc = mdb_cursor_get(c, &key, &data, MDB_NEXT);
	}
	mdb_cursor_close(c);
	crm_buf_release(&k);
	if (rc == CRM_EABORT)
		return rc;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the index") : 0;
}

int
crm_index_range(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t max, struct crm_ids *out)
{
	size_t n0 = out->n;
	struct crm_buf k = CRM_BUF_INIT, start = CRM_BUF_INIT;
	MDB_cursor *c;
	MDB_val key, data;
	char b[24], top[24];
	int rc;

	crm_index_key(&k, fid, "", 0);
	crm_buf_add(&start, k.buf, k.len);
	crm_i64toa(b, lo < 0 ? 0 : lo, 12);
	crm_buf_addstr(&start, b);
	/* the keys hold twelve digits: compared as text */
	rc = 0;
	if (hi < 0)
		goto out;
	if (crm_i64toa(top, hi, 12) > 12)
		memset(top, '9', 12);
	if ((rc = crm_log_settle(t)))
		goto out;
	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c))) {
		rc = crm_mdb_err(rc, "cannot read the index");
		goto out;
	}
	key.mv_size = start.len;
	key.mv_data = start.buf;
	rc = mdb_cursor_get(c, &key, &data, MDB_SET_RANGE);
	while (!rc) {
		const unsigned char *e = key.mv_data;
		uint64_t id;

		if (key.mv_size < k.len + 14 || memcmp(e, k.buf, k.len) ||
		    memcmp(e + k.len, top, 12) > 0)
			break;
		entry_split(e, key.mv_size, k.len + 12, &id);
		crm_ids_add(out, id);
		if (max && out->n - n0 > max)
			break;
		rc = mdb_cursor_get(c, &key, &data, MDB_NEXT);
	}
	mdb_cursor_close(c);
	rc = rc && rc != MDB_NOTFOUND ?
	    crm_mdb_err(rc, "cannot read the index") : 0;
out:
	crm_buf_release(&k);
	crm_buf_release(&start);
	return rc;
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
	struct crm_buf prev = CRM_BUF_INIT, b = CRM_BUF_INIT;
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
			h.p = k.mv_data;
			h.len = k.mv_size;
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
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = crm_mdb_err(mrc, "cannot read the index");
	return rc;
}
