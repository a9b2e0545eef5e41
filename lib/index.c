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

/*
 * An open deal (of a type with stages, at an open stage or none), under
 * each record it refers to: [FID_OPEN_DEAL][the id in IDLEN digits], so
 * that the keys sort as the ids do, and the records printed in id order
 * are told their open_deals by one cursor going along with them.
 */
#define IDLEN 13		/* an id of the index: under 2^40 */

static size_t
deal_key(char b[2 + 24], uint64_t id)
{
	/* digits fold to themselves: the key crm_index_key would make */
	b[0] = (char)(FID_OPEN_DEAL >> 8);
	b[1] = (char)(FID_OPEN_DEAL & 0xff);
	return 2 + crm_i64toa(b + 2, (int64_t)id, IDLEN);
}

static void
deal_keys(const crm_rec *r, const struct crm_field *stage,
    struct crm_buf *keys, struct crm_buf *k)
{
	const struct crm_enumval *ev;
	const struct crm_field *f;
	uint64_t id, done[8];
	size_t i, j, n = 0;
	char b[2 + 24];

	ev = crm_stage_val(stage, crm_rec_nth(r, stage->fid, 0, NULL));
	if (ev && ev->state != ST_OPEN)
		return;
	for (i = 0; i < r->n && n < 8; i++) {
		if (!(f = crm_type_field_id(r->type, r->v[i].fid)) ||
		    f->type != FT_REF ||
		    !(id = strtoull(r->arena.buf + r->v[i].off, NULL, 10)))
			continue;
		for (j = 0; j < n && done[j] != id; j++)
			;
		if (j < n)
			continue;	/* once, by two fields */
		done[n++] = id;
		crm_buf_reset(k);
		crm_buf_add(k, b, deal_key(b, id));
		addkey(keys, k);
	}
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
	static struct crm_buf k = CRM_BUF_INIT;	/* kept from call to call */
	struct tokarg ta = { keys, &k, 0 };
	const struct crm_field *stage;
	size_t i;

	crm_buf_reset(&k);

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
	if ((stage = crm_type_stage(r->type)))
		deal_keys(r, stage, keys, &k);
}

#define EACH_KEY(keys, p, len) \
	for (p = (const unsigned char *)(keys).buf; \
	    p < (const unsigned char *)(keys).buf + (keys).len && \
	    ((len) = (size_t)(p[0] << 8 | p[1]), p += 2, 1); p += (len))

/* key + id, the entry as it is queued and compared */
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

/* ------------------------------------------------------ the two tables */

/*
 * Times (last_contact, next_due, open tasks' due times, datetime fields
 * with index: true) have a table of their own, the ranges: a key per
 * day, [u16 fid][owner 0x1f, for open tasks by owner][the day since 1970
 * in eight digits], and under it items of 8 bytes, big-endian: the
 * second of the day in 3, the id in 5, in time order.  A range reads its
 * days a page (510 times) at a time, and counts the days wholly inside
 * it without reading them.
 */
#define DAY 86400
#define TIMELEN 12		/* the time in a key: twelve digits */
#define DAYLEN 8		/* the day in a table's key */
#define IDMAX ((uint64_t)1 << 40)	/* ids the items hold */

static void
range_item(unsigned char p[8], int64_t tod, uint64_t id)
{
	int i;

	for (i = 2; i >= 0; i--, tod >>= 8)
		p[i] = (unsigned char)(tod & 0xff);
	for (i = 7; i >= 3; i--, id >>= 8)
		p[i] = (unsigned char)(id & 0xff);
}

static int64_t
item_tod(const unsigned char *p)
{
	return (int64_t)p[0] << 16 | p[1] << 8 | p[2];
}

static uint64_t
item_id(const unsigned char *p)
{
	return (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | p[5] << 16 |
	    p[6] << 8 | p[7];
}

/* Is the key ([prefix][twelve digits]) a time, kept in the ranges? */
static int
timed(const crm_schema *s, const unsigned char *key, size_t len)
{
	unsigned fid = (unsigned)(key[0] << 8 | key[1]);
	size_t i;

	if (len < 2 + TIMELEN)
		return 0;
	if (fid == FID_LAST_CONTACT || fid == FID_NEXT_DUE ||
	    fid == FID_OPEN_DUE || fid == FID_OPEN_OWNER)
		return 1;
	if ((fid & TOKEN_BIT) || fid < FID_FIRST)
		return 0;
	for (i = 0; i < s->ntypes; i++) {
		const struct crm_field *f = crm_type_field_id(&s->types[i],
		    fid);

		if (f)
			return f->type == FT_DATETIME &&
			    (f->flags & FF_INDEX);
	}
	return 0;
}

static int64_t
digits(const unsigned char *p, size_t n)
{
	int64_t v = 0;

	while (n--)
		v = v * 10 + (*p++ - '0');
	return v;
}

/* Where an index key and id are kept: the table, its key there, the
 * item of 8 bytes under it. */
struct slot {
	int ranges;
	struct crm_buf key;
	unsigned char item[8];
};

static int
place(const crm_schema *s, const unsigned char *key, size_t len,
    uint64_t id, struct slot *sl)
{
	crm_buf_reset(&sl->key);
	sl->ranges = timed(s, key, len);
	if (sl->ranges) {
		int64_t tm = digits(key + len - TIMELEN, TIMELEN);
		char day[24];

		if (id >= IDMAX)
			return crm_seterr(CRM_ESTORE, "record %llu: an id "
			    "past what the index holds", (unsigned long long)id);
		crm_buf_add(&sl->key, key, len - TIMELEN);
		crm_buf_add(&sl->key, day, crm_i64toa(day, tm / DAY, DAYLEN));
		range_item(sl->item, tm % DAY, id);
	} else {
		crm_buf_add(&sl->key, key, len);
		crm_be64(sl->item, id);
	}
	return 0;
}

/* The entry of a table's key k and item it, into e. */
static void
unplace(int ranges, const MDB_val *k, const unsigned char *it,
    struct crm_buf *e)
{
	const unsigned char *kp = k->mv_data;
	struct crm_buf key = CRM_BUF_INIT;
	char b[24];

	if (!ranges || k->mv_size < DAYLEN) {
		entry(e, kp, k->mv_size, crm_get_be64(it));
		return;
	}
	crm_buf_add(&key, kp, k->mv_size - DAYLEN);
	crm_buf_add(&key, b, crm_i64toa(b, digits(kp + k->mv_size - DAYLEN,
	    DAYLEN) * DAY + item_tod(it), TIMELEN));
	entry(e, (const unsigned char *)key.buf, key.len, item_id(it));
	crm_buf_release(&key);
}

static MDB_dbi
table(crm_txn *t, int ranges)
{
	return ranges ? t->db->ranges : t->db->idx;
}

/* Put or take out the id under the key p. */
static int
put_id(crm_txn *t, const unsigned char *p, size_t len, uint64_t id, int del)
{
	struct slot sl = { 0, CRM_BUF_INIT, { 0 } };
	MDB_val k, v;
	int rc;

	if ((rc = place(crm_txn_schema(t), p, len, id, &sl))) {
		crm_buf_release(&sl.key);
		return rc;
	}
	k.mv_size = sl.key.len;
	k.mv_data = sl.key.buf;
	v.mv_size = 8;
	v.mv_data = sl.item;
	rc = del ? mdb_del(t->txn, table(t, sl.ranges), &k, &v) :
	    mdb_put(t->txn, table(t, sl.ranges), &k, &v, MDB_NODUPDATA);
	crm_buf_release(&sl.key);
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

static int
has_key(const struct crm_buf *keys, const unsigned char *k, size_t klen)
{
	const unsigned char *p;
	size_t len;

	EACH_KEY(*keys, p, len)
		if (len == klen && !memcmp(p, k, len))
			return 1;
	return 0;
}

/* Only the entries that differ: an entry taken out and put back would
 * copy its page all the same, and a bulk change of one field moves
 * every page of the index to wherever LMDB finds room. */
int
crm_index_update(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	struct crm_buf ko = CRM_BUF_INIT, kn = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	crm_index_keys(old, &ko);
	crm_index_keys(r, &kn);
	EACH_KEY(ko, p, len)
		if (!has_key(&kn, p, len) && (rc = put_id(t, p, len, old->id,
		    1)))
			goto out;
	EACH_KEY(kn, p, len)
		if (!has_key(&ko, p, len) && (rc = put_id(t, p, len, r->id,
		    0)))
			goto out;
out:
	crm_buf_release(&ko);
	crm_buf_release(&kn);
	return rc;
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

/*
 * Moves of the derived times wait, sorted, for crm_index_flush: a bulk
 * log moves a million records' last_contact, each a look-up from the
 * root in a table of millions where the sorted moves walk it once.  An
 * entry is its index entry and the move's number, big-endian, so that
 * of the moves of one entry the last, which wins, comes last.
 */
static int
queue_move(crm_txn *t, const unsigned char *p, size_t len, uint64_t id,
    int add)
{
	struct crm_buf e = CRM_BUF_INIT;
	unsigned char n[4];
	int rc = 0;

	if (t->nmoves == UINT32_MAX && (rc = crm_index_flush(t)))
		return rc;
	if (!t->moves)
		t->moves = crm_sorter_new((size_t)32 << 20);
	entry(&e, p, len, id);
	crm_be32(n, t->nmoves++);
	crm_buf_add(&e, n, 4);
	crm_sorter_add(t->moves, e.buf, e.len, (uint32_t)add);
	crm_buf_release(&e);
	return 0;
}

/* Only the derived times changed: move their entries. */
int
crm_index_derived_move(crm_txn *t, const struct crm_buf *ko, const crm_rec *r)
{
	struct crm_buf kn = CRM_BUF_INIT, k = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;
	int rc = 0;

	/* only the times that differ, as crm_index_update does: a logged
	 * entry moves last_contact, not next_due */
	derived_keys(r, &kn, &k);
	EACH_KEY(*ko, p, len)
		if (!has_key(&kn, p, len) &&
		    (rc = queue_move(t, p, len, r->id, 0)))
			goto out;
	EACH_KEY(kn, p, len)
		if (!has_key(ko, p, len) &&
		    (rc = queue_move(t, p, len, r->id, 1)))
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
	/* kept from record to record of a bulk write */
	static struct crm_buf keys = CRM_BUF_INIT, e = CRM_BUF_INIT;
	const unsigned char *p;
	size_t len;

	crm_buf_reset(&keys);
	crm_index_keys(r, &keys);
	EACH_KEY(keys, p, len) {
		entry(&e, p, len, r->id);
		crm_sorter_add(s, e.buf, e.len, tag);
	}
}

size_t crm_index_sort_mem = (size_t)96 << 20;

/* The queue of entries for crm_index_flush. */
static struct crm_sorter *
sorter(crm_txn *t)
{
	if (!t->sorter)
		t->sorter = crm_sorter_new(crm_index_sort_mem);
	return t->sorter;
}

int
crm_index_defer(crm_txn *t, const crm_rec *r)
{
	crm_index_entries(r, sorter(t), (uint32_t)t->line);
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

/* LMDB's end of data is no error; its errors and the system's are told
 * as such; ours (and a callback's) stay as they are. */
static int
read_err(int rc)
{
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc > 0 || (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE) ?
	    crm_mdb_err(rc, "cannot read the index") : rc;
}

static int
cmpkey(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/*
 * Entries in their order into the index (a bulk load): a run of items
 * under one key of a table goes in at once (MDB_MULTIPLE); a key past
 * the table's last appends, and so do items past the last key's last.
 */
struct run {
	MDB_cursor *c;
	struct crm_buf key, items;
	struct crm_buf last;		/* the table's last key */
	unsigned char lastitem[8];	/* and its last item */
	int haslast;
};

struct loader {
	const crm_schema *s;
	struct run run[2];		/* the values, the ranges */
	struct slot sl;
};

static int
put_run(struct run *ru)
{
	const unsigned char *items = (const unsigned char *)ru->items.buf;
	size_t n = ru->items.len / 8;
	MDB_val k = { ru->key.len, ru->key.buf }, v[2];
	unsigned flags = MDB_MULTIPLE;
	int cmp, rc;

	if (!n)
		return 0;
	cmp = ru->haslast ? cmpkey(ru->key.buf, ru->key.len, ru->last.buf,
	    ru->last.len) : 1;
	if (cmp > 0)
		flags |= MDB_APPEND | MDB_APPENDDUP;
	else if (cmp == 0 && memcmp(items, ru->lastitem, 8) > 0)
		flags |= MDB_APPENDDUP;
	v[0].mv_size = 8;
	v[0].mv_data = ru->items.buf;
	v[1].mv_size = n;
	v[1].mv_data = NULL;
	/* (KEYEXIST would be an append out of order: an error) */
	rc = mdb_cursor_put(ru->c, &k, v, flags);
	/* what was last stays last, or this is */
	if (!rc && (flags & MDB_APPENDDUP)) {
		if (cmp > 0) {
			crm_buf_reset(&ru->last);
			crm_buf_add(&ru->last, ru->key.buf, ru->key.len);
		}
		memcpy(ru->lastitem, items + 8 * (n - 1), 8);
		ru->haslast = 1;
	}
	crm_buf_reset(&ru->items);
	return rc ? crm_mdb_err(rc, "cannot write the index") : 0;
}

static int
load_start(crm_txn *t, struct loader *ld)
{
	MDB_val k, v;
	int i, rc;

	memset(ld, 0, sizeof *ld);
	ld->s = crm_txn_schema(t);
	for (i = 0; i < 2; i++) {
		struct run *ru = &ld->run[i];

		if ((rc = mdb_cursor_open(t->txn, table(t, i), &ru->c)))
			return crm_mdb_err(rc, "cannot write the index");
		if (!mdb_cursor_get(ru->c, &k, &v, MDB_LAST) &&
		    v.mv_size == 8) {
			crm_buf_add(&ru->last, k.mv_data, k.mv_size);
			memcpy(ru->lastitem, v.mv_data, 8);
			ru->haslast = 1;
		}
	}
	return 0;
}

/* The entry [key][n][id]: vlen, the key's length, and id as split. */
static int
load_add(struct loader *ld, const unsigned char *key, size_t vlen,
    uint64_t id)
{
	struct run *ru;
	int rc;

	if ((rc = place(ld->s, key, vlen, id, &ld->sl)))
		return rc;
	ru = &ld->run[ld->sl.ranges];
	if (ru->key.len != ld->sl.key.len || memcmp(ru->key.buf,
	    ld->sl.key.buf, ru->key.len)) {
		if ((rc = put_run(ru)))
			return rc;
		crm_buf_reset(&ru->key);
		crm_buf_add(&ru->key, ld->sl.key.buf, ld->sl.key.len);
	}
	crm_buf_add(&ru->items, ld->sl.item, 8);
	return 0;
}

static int
load_end(struct loader *ld, int rc)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct run *ru = &ld->run[i];

		if (!rc)
			rc = put_run(ru);
		if (ru->c)
			mdb_cursor_close(ru->c);
		crm_buf_release(&ru->key);
		crm_buf_release(&ru->items);
		crm_buf_release(&ru->last);
	}
	crm_buf_release(&ld->sl.key);
	return rc;
}

/* An entry of the moves out (add 0) or in. */
static int
move(struct loader *ld, const unsigned char *e, size_t len, int add)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t id;
	size_t vlen = entry_split(e, len, 2, &id);
	int rc;

	if (add)
		return load_add(ld, e, vlen, id);
	if ((rc = place(ld->s, e, vlen, id, &ld->sl)))
		return rc;
	c = ld->run[ld->sl.ranges].c;
	k.mv_size = ld->sl.key.len;
	k.mv_data = ld->sl.key.buf;
	v.mv_size = 8;
	v.mv_data = ld->sl.item;
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
	if (!rc)
		rc = mdb_cursor_del(c, 0);
	return rc && rc != MDB_NOTFOUND ?
	    crm_mdb_err(rc, "cannot write the index") : 0;
}

static int
flush_moves(crm_txn *t)
{
	struct crm_buf prev = CRM_BUF_INIT;
	struct loader ld;
	uint32_t last = 0;
	int rc;

	if (!t->moves || !crm_sorter_count(t->moves))
		return 0;
	if ((rc = crm_sorter_finish(t->moves)))
		return rc;
	if ((rc = load_start(t, &ld)))
		return load_end(&ld, rc);
	for (;;) {
		const unsigned char *key;
		size_t klen;
		uint32_t add;

		crm_txn_tick(t);
		rc = crm_sorter_next(t->moves, (const void **)&key, &klen,
		    &add);
		if (rc == CRM_ENOTFOUND) {
			rc = prev.len ? move(&ld, (const unsigned char *)
			    prev.buf, prev.len, (int)last) : 0;
			break;
		}
		if (rc)
			break;
		klen -= 4;	/* the move's number */
		if (prev.len && (prev.len != klen ||
		    memcmp(prev.buf, key, klen)) &&
		    (rc = move(&ld, (const unsigned char *)prev.buf,
		    prev.len, (int)last)))
			break;
		crm_buf_reset(&prev);
		crm_buf_add(&prev, key, klen);
		last = add;
	}
	rc = load_end(&ld, rc);
	crm_sorter_reset(t->moves);
	t->nmoves = 0;
	crm_buf_release(&prev);
	return rc;
}

static int flush_adds(crm_txn *t);

/* Where a value came from: its line of input, or else its record. */
static void
origin(struct crm_buf *b, uint32_t tag, uint64_t id)
{
	if (tag)
		crm_buf_addf(b, "line %lu", (unsigned long)tag);
	else
		crm_buf_addf(b, "record %llu", (unsigned long long)id);
}

/* A unique value (key, vlen long) twice, in id and in prev's record. */
static int
twice(const struct crm_field *f, const unsigned char *key, size_t vlen,
    uint32_t tag, uint64_t id, const struct crm_buf *prev, uint32_t prevtag)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	uint64_t previd;

	entry_split((const unsigned char *)prev->buf, prev->len, 2, &previd);
	origin(&a, tag, id);
	origin(&b, prevtag, previd);
	crm_seterr(CRM_EEXIST, "%s: %s '%.*s' twice (also %s %s)", a.buf,
	    f->name, (int)vlen - 2, (const char *)key + 2,
	    prevtag ? "on" : "in", b.buf);
	crm_buf_release(&a);
	crm_buf_release(&b);
	return CRM_EEXIST;
}

/* New records' entries in, then the moves. */
int
crm_index_flush(crm_txn *t)
{
	int rc = flush_adds(t);

	return rc ? rc : flush_moves(t);
}

static int
flush_adds(crm_txn *t)
{
	struct crm_buf prev = CRM_BUF_INIT;
	const crm_schema *s = crm_txn_schema(t);
	struct loader ld;
	uint32_t prevtag = 0;
	int rc;

	if (!t->sorter || !crm_sorter_count(t->sorter))
		return 0;
	if ((rc = crm_sorter_finish(t->sorter)))
		return rc;
	if ((rc = load_start(t, &ld)))
		return load_end(&ld, rc);
	for (;;) {
		const unsigned char *key;
		size_t klen, vlen;
		uint64_t id;
		uint32_t tag;

		crm_txn_tick(t);
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
				rc = twice(f, key, vlen, tag, id, &prev,
				    prevtag);
				break;
			}
		}
		if ((rc = load_add(&ld, key, vlen, id)))
			break;
		crm_buf_reset(&prev);
		crm_buf_add(&prev, key, klen);
		prevtag = tag;
	}
	rc = load_end(&ld, rc);
	crm_sorter_reset(t->sorter);
	crm_buf_release(&prev);
	return rc;
}

int
crm_index_convert(crm_txn *t, MDB_dbi old)
{
	struct loader ld;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, old, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	if (!(rc = load_start(t, &ld)))
		while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
			uint64_t id;
			size_t vlen = entry_split(k.mv_data, k.mv_size, 2,
			    &id);

			if ((rc = load_add(&ld, k.mv_data, vlen, id)))
				break;
		}
	mdb_cursor_close(c);
	return load_end(&ld, read_err(rc));
}

/* ------------------------------------------------------------- reading */

/*
 * The keys k names, k alone or (prefix) every key it begins: with each,
 * fn with its number of ids (count), or with each of its ids, read a
 * page at a time (id).  The one walk of the postings.
 */
struct visit {
	void (*id)(uint64_t id, void *arg);
	void (*count)(size_t n, void *arg);
	void *arg;
};

static int
each_key(crm_txn *t, const struct crm_buf *k, int prefix,
    const struct visit *v)
{
	MDB_cursor *c;
	MDB_val key = { k->len, k->buf }, d;
	size_t n, i;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->db->idx, &c)))
		return crm_mdb_err(rc, "cannot read the index");
	rc = mdb_cursor_get(c, &key, &d, prefix ? MDB_SET_RANGE : MDB_SET_KEY);
	while (!rc && key.mv_size >= k->len && !memcmp(key.mv_data, k->buf,
	    k->len) && (prefix || key.mv_size == k->len)) {
		if (v->count) {
			if ((rc = mdb_cursor_count(c, &n)))
				break;
			v->count(n, v->arg);
		} else {
			/* a key with one id leaves d as it is */
			rc = mdb_cursor_get(c, &key, &d, MDB_GET_MULTIPLE);
			while (!rc) {
				const unsigned char *p = d.mv_data;

				for (i = 0; i < d.mv_size / 8; i++)
					v->id(crm_get_be64(p + 8 * i), v->arg);
				rc = mdb_cursor_get(c, &key, &d,
				    MDB_NEXT_MULTIPLE);
			}
			if (rc != MDB_NOTFOUND)
				break;
		}
		if (!prefix)
			break;
		rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP);
	}
	mdb_cursor_close(c);
	return read_err(rc);
}

static void
add_id(uint64_t id, void *arg)
{
	crm_ids_add(arg, id);
}

static void
add_count(size_t n, void *arg)
{
	*(size_t *)arg += n;
}

int
crm_index_count(crm_txn *t, const struct crm_buf *k, int prefix, size_t *n)
{
	struct visit v = { NULL, add_count, n };

	*n = 0;
	return each_key(t, k, prefix, &v);
}

/* The ids under the key k (every key it begins, with prefix) added to
 * out; with max, CRM_EABORT, none added, when out would hold more. */
static int
ids_of(crm_txn *t, const struct crm_buf *k, int prefix, size_t max,
    struct crm_ids *out)
{
	struct visit v = { add_id, NULL, out };
	size_t n;
	int rc;

	if (max && ((rc = crm_index_count(t, k, prefix, &n)) ||
	    (out->n + n > max && (rc = CRM_EABORT))))
		return rc;
	return each_key(t, k, prefix, &v);
}

int
crm_index_scan(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *out)
{
	size_t n0 = out->n;
	int rc = ids_of(t, k, prefix, 0, out);

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
	rc = ids_of(t, &k, 0, max, out);
	crm_buf_release(&k);
	return rc;
}

/* Does the index hold the open deals?  Not when an older crm made it. */
static int
deals_kept(crm_txn *t)
{
	struct crm_buf v = CRM_BUF_INIT;

	if (!t->deals) {
		t->deals = crm_meta_get(t, "index:deals", &v) ? 1 : 2;
		crm_buf_release(&v);
	}
	return t->deals == 2;
}

/* Is key one of the open deals?  Then the id it is under. */
static int
deal_at(const MDB_val *key, uint64_t *id)
{
	const unsigned char *p = key->mv_data;

	if (key->mv_size != 2 + IDLEN || (unsigned)(p[0] << 8 | p[1]) !=
	    FID_OPEN_DEAL)
		return 0;
	*id = (uint64_t)digits(p + 2, IDLEN);
	return 1;
}

int
crm_index_open_deals(crm_txn *t, uint64_t id, size_t *n)
{
	char b[2 + 24];
	MDB_cursor *c;
	MDB_val key, d;
	int i, rc = 0, found = 0;

	/* (records in id order mostly stop at crm_open_deals, which tells
	 * them from dfrom and dkey) */
	*n = 0;
	if (!deals_kept(t))
		return CRM_ENOTFOUND;
	key.mv_data = b;
	key.mv_size = deal_key(b, id);
	if (!(c = crm_txn_cursor(t, t->db->idx, &t->dcur))) {
		/* a writer's: what it wrote is in the index first */
		struct crm_buf k = CRM_BUF_INIT;

		crm_buf_add(&k, b, key.mv_size);
		if (!(rc = crm_index_flush(t)))
			rc = crm_index_count(t, &k, 0, n);
		crm_buf_release(&k);
		return rc;
	}
	/* the cursor is on dkey: the keys after it are a step away each,
	 * one further on a descent from the root */
	for (i = 0; t->dknown && t->dkey < id && i < 16 && !found; i++) {
		if ((rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP)) ||
		    !deal_at(&key, &t->dkey)) {
			t->dkey = UINT64_MAX;	/* none after it */
			found = rc == 0 || rc == MDB_NOTFOUND;
		} else {
			found = t->dkey >= id;
		}
	}
	t->dknown = 0;
	if (!found) {
		key.mv_data = b;
		key.mv_size = deal_key(b, id);
		rc = mdb_cursor_get(c, &key, &d, MDB_SET_RANGE);
		if (rc || !deal_at(&key, &t->dkey))
			t->dkey = UINT64_MAX;
	}
	t->dn = 0;
	if ((!rc || rc == MDB_NOTFOUND) && t->dkey != UINT64_MAX)
		rc = mdb_cursor_count(c, &t->dn);
	if ((rc = read_err(rc)))
		return rc;
	t->dfrom = id;
	t->dknown = 1;
	*n = id == t->dkey ? t->dn : 0;
	return 0;
}

/* The ids a query keeps, as bits from the first candidate's to the last. */
struct keeparg {
	uint64_t lo, span;
	unsigned char *bits;
};

static void
mark(uint64_t id, void *arg)
{
	struct keeparg *a = arg;

	if (id >= a->lo && id - a->lo < a->span)
		a->bits[(id - a->lo) >> 3] |= (unsigned char)(1 << ((id -
		    a->lo) & 7));
}

/*
 * The times of the ranges under pre from lo to hi, in time order: fn
 * with each time and id until it returns nonzero (returned).  With
 * count, they are counted into it instead, the days wholly inside
 * unread; with marks, their ids are marked there, the days wholly
 * inside without a time read (a query's range often holds most of the
 * index).
 */
static int
times(crm_txn *t, const struct crm_buf *pre, int64_t lo, int64_t hi,
    int (*fn)(int64_t tm, uint64_t id, void *arg), void *arg,
    size_t *count, struct keeparg *marks)
{
	struct crm_buf start = CRM_BUF_INIT;
	int64_t dlo, dhi;
	MDB_cursor *c;
	MDB_val key, d, k;
	char b[24];
	int rc, past = 0;

	if (hi < 0 || lo > hi)
		return 0;
	if (lo < 0)
		lo = 0;
	dlo = lo / DAY;
	dhi = hi / DAY;
	crm_buf_add(&start, pre->buf, pre->len);
	crm_buf_add(&start, b, crm_i64toa(b, dlo, DAYLEN));
	if ((rc = mdb_cursor_open(t->txn, t->db->ranges, &c))) {
		crm_buf_release(&start);
		return crm_mdb_err(rc, "cannot read the index");
	}
	key.mv_size = start.len;
	key.mv_data = start.buf;
	rc = mdb_cursor_get(c, &key, &d, MDB_SET_RANGE);
	while (!rc && !past) {
		int64_t day;

		if (key.mv_size != pre->len + DAYLEN || memcmp(key.mv_data,
		    pre->buf, pre->len))
			break;
		day = digits((const unsigned char *)key.mv_data + pre->len,
		    DAYLEN);
		if (day > dhi)
			break;
		if (count && day > dlo && day < dhi) {
			size_t n;

			if ((rc = mdb_cursor_count(c, &n)))
				break;
			*count += n;
			rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP);
			continue;
		}
		/* a key with one item leaves d as it is */
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
		while (!rc && !past) {
			const unsigned char *p = d.mv_data;
			size_t i, n = d.mv_size / 8;

			if (marks && day > dlo && day < dhi) {
				for (i = 0; i < n; i++, p += 8)
					mark(item_id(p), marks);
				rc = mdb_cursor_get(c, &k, &d,
				    MDB_NEXT_MULTIPLE);
				continue;
			}
			for (i = 0; i < n && !rc; i++, p += 8) {
				int64_t tm = day * DAY + item_tod(p);

				if (tm > hi) {
					past = 1;
					break;
				}
				if (tm < lo)
					continue;
				if (count)
					++*count;
				else if (marks)
					mark(item_id(p), marks);
				else
					rc = fn(tm, item_id(p), arg);
			}
			if (!rc && !past)
				rc = mdb_cursor_get(c, &k, &d,
				    MDB_NEXT_MULTIPLE);
		}
		if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(c, &key, &d, MDB_NEXT_NODUP);
	}
	mdb_cursor_close(c);
	crm_buf_release(&start);
	return read_err(rc);
}

struct rangearg {
	struct crm_ids *out;
	size_t max, n0;
};

static int
range_id(int64_t tm, uint64_t id, void *arg)
{
	struct rangearg *a = arg;

	(void)tm;
	crm_ids_add(a->out, id);
	return a->max && a->out->n - a->n0 > a->max ? CRM_EABORT : 0;
}

/* The prefix of a time field's keys in the ranges. */
static void
range_prefix(struct crm_buf *k, unsigned fid)
{
	crm_index_key(k, fid, "", 0);
}

/* Figures waiting are in, and a writer's moves of their times. */
static int
settled(crm_txn *t)
{
	int rc = crm_log_settle(t);

	return rc || !t->write ? rc : crm_index_flush(t);
}

int
crm_index_range(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t max, struct crm_ids *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct rangearg a = { out, max, out->n };
	int rc;

	if ((rc = settled(t)))
		return rc;
	range_prefix(&k, fid);
	rc = times(t, &k, lo, hi, range_id, &a, NULL, NULL);
	crm_buf_release(&k);
	return rc == CRM_EABORT ? 0 : rc;	/* past max */
}

/*
 * A sorted list of ids narrowed to those an index key or range holds:
 * a bit for each id the list may hold, set from the index, then tested.
 */
static void
keep_start(struct keeparg *a, const struct crm_ids *ids)
{
	a->lo = ids->v[0];
	a->span = ids->v[ids->n - 1] - a->lo + 1;
	a->bits = crm_xmalloc(a->span / 8 + 1);
	memset(a->bits, 0, a->span / 8 + 1);
}

static int
marked(const struct keeparg *a, uint64_t id)
{
	return a->bits[(id - a->lo) >> 3] >> ((id - a->lo) & 7) & 1;
}

/* The ids under the key k (every key it begins, with prefix), marked. */
static int
mark_key(crm_txn *t, const struct crm_buf *k, int prefix, struct keeparg *a)
{
	struct visit v = { mark, NULL, a };

	return each_key(t, k, prefix, &v);
}

static int
keep_end(struct keeparg *a, struct crm_ids *ids, int rc)
{
	size_t i, n = 0;

	if (!rc) {
		for (i = 0; i < ids->n; i++)
			if (marked(a, ids->v[i]))
				ids->v[n++] = ids->v[i];
		ids->n = n;
	}
	free(a->bits);
	return rc;
}

int
crm_index_keep(crm_txn *t, const struct crm_buf *k, struct crm_ids *ids)
{
	struct keeparg a;

	if (!ids->n)
		return 0;
	keep_start(&a, ids);
	return keep_end(&a, ids, mark_key(t, k, 0, &a));
}

int
crm_index_range_keep(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    struct crm_ids *ids)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct keeparg a;
	int rc;

	if (!ids->n)
		return 0;
	if ((rc = settled(t)))
		return rc;
	keep_start(&a, ids);
	range_prefix(&k, fid);
	rc = times(t, &k, lo, hi, NULL, NULL, NULL, &a);
	crm_buf_release(&k);
	return keep_end(&a, ids, rc);
}

/* ------------------------------------------------- history by campaign */

/*
 * Who had a campaign: a key [FID_HIST][campaign] 0x1f [kind], folded,
 * and under it the records with such an entry of their own, so that
 * count(kind=email and campaign=nov-2026)>=1 (or =0) need not read each
 * record's history.  A company's history also holds its contact
 * persons' entries, which are under the persons: a query tests each
 * company without one of its own on the record.
 */
void
crm_index_hist_key(struct crm_buf *k, const char *campaign, const char *kind)
{
	size_t start, i;

	crm_index_key(k, FID_HIST, campaign, strlen(campaign));
	crm_buf_addch(k, 0x1f);
	if (!kind)
		return;
	start = k->len;
	crm_fold(k, kind, strlen(kind));
	if (k->len - start > 64)
		crm_buf_setlen(k, start + 64);
	for (i = start; i < k->len; i++)
		if ((unsigned char)k->buf[i] < 0x20)
			k->buf[i] = ' ';
}

/* May an entry of this campaign and kind be kept under a key as it is:
 * no control bytes (the key holds them as spaces), short enough not to
 * be cut? */
int
crm_index_hist_ok(const char *campaign, const char *kind)
{
	const unsigned char *p;

	if (!campaign || !*campaign || !kind || strlen(campaign) > 150 ||
	    strlen(kind) > 30)
		return 0;
	for (p = (const unsigned char *)campaign; *p; p++)
		if (*p < 0x20)
			return 0;
	for (p = (const unsigned char *)kind; *p; p++)
		if (*p < 0x20)
			return 0;
	return 1;
}

/* The key of e into k, if it has one (a campaign, kept exactly). */
static int
hist_key_of(const struct crm_log *e, struct crm_buf *k)
{
	if (!crm_index_hist_ok(e->campaign, e->kind))
		return 0;
	crm_buf_reset(k);
	crm_index_hist_key(k, e->campaign, e->kind);
	return 1;
}

struct samekey {
	const struct crm_buf *key;
	struct crm_buf tmp;
	int found;
};

static int
same_key(const struct crm_log *e, void *arg)
{
	struct samekey *a = arg;

	a->found = hist_key_of(e, &a->tmp) && a->tmp.len == a->key->len &&
	    !memcmp(a->tmp.buf, a->key->buf, a->tmp.len);
	return a->found;
}

int
crm_index_hist(crm_txn *t, const struct crm_log *e, int sign)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct samekey a = { &k, CRM_BUF_INIT, 0 };
	int rc;

	if (!hist_key_of(e, &k))
		return 0;
	if (sign > 0) {
		/* queued: a mailing of 100,000 goes in sorted, at once */
		entry(&a.tmp, (const unsigned char *)k.buf, k.len, e->rec);
		crm_sorter_add(sorter(t), a.tmp.buf, a.tmp.len, 0);
		rc = 0;
	} else if (!(rc = crm_index_flush(t))) {
		/* gone: the record's last entry of the kind? (e is out) */
		rc = crm_log_own(t, e->rec, same_key, &a);
		if (a.found)
			rc = 0;
		else if (!rc)
			rc = put_id(t, (const unsigned char *)k.buf, k.len,
			    e->rec, 1);
	}
	crm_buf_release(&k);
	crm_buf_release(&a.tmp);
	return rc;
}

struct histall {
	struct crm_sorter *s;
	struct crm_buf k, e;
};

static int
hist_entry(const struct crm_log *e, void *arg)
{
	struct histall *a = arg;

	if (!hist_key_of(e, &a->k))
		return 0;
	entry(&a->e, (const unsigned char *)a->k.buf, a->k.len, e->rec);
	crm_sorter_add(a->s, a->e.buf, a->e.len, 0);
	return 0;
}

int
crm_index_hist_all(crm_txn *t, struct crm_sorter *s)
{
	struct histall a = { s ? s : sorter(t), CRM_BUF_INIT, CRM_BUF_INIT };
	int rc = crm_log_scan(t, hist_entry, &a);

	crm_buf_release(&a.k);
	crm_buf_release(&a.e);
	return rc;
}

int
crm_index_hist_keep(crm_txn *t, const struct crm_buf *k, int prefix,
    int has, struct crm_ids *ids, struct crm_ids *recheck)
{
	struct crm_ids comp = { 0 };
	struct keeparg a;
	size_t i, j = 0, n = 0;
	int rc;

	if (!ids->n)
		return 0;
	if ((rc = crm_index_type(t, "company", 0, &comp)))
		return rc;
	keep_start(&a, ids);
	if (!(rc = mark_key(t, k, prefix, &a)))
		for (i = 0; i < ids->n; i++) {
			uint64_t id = ids->v[i];
			int own = marked(&a, id), company;

			while (j < comp.n && comp.v[j] < id)
				j++;
			company = j < comp.n && comp.v[j] == id;
			if (own == has || (company && !own))
				ids->v[n++] = id;
			if (company && !own)
				crm_ids_add(recheck, id);
		}
	if (!rc)
		ids->n = n;
	free(a.bits);
	crm_ids_release(&comp);
	return rc;
}

int
crm_index_hist_ids(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *ids, struct crm_ids *recheck)
{
	struct crm_ids comp = { 0 };
	size_t n0 = recheck->n, i;
	int rc;

	rc = ids_of(t, k, prefix, 0, ids);
	if (!rc && !(rc = crm_index_type(t, "company", 0, &comp))) {
		/* the companies that had none of their own, to test */
		crm_ids_sort(ids);
		for (i = 0; i < comp.n; i++)
			if (!crm_ids_has(ids, comp.v[i]))
				crm_ids_add(recheck, comp.v[i]);
		for (i = n0; i < recheck->n; i++)
			crm_ids_add(ids, recheck->v[i]);
		crm_ids_sort(ids);
	}
	crm_ids_release(&comp);
	return rc;
}

int
crm_index_range_count(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t *n)
{
	struct crm_buf k = CRM_BUF_INIT;
	int rc;

	*n = 0;
	if ((rc = settled(t)))
		return rc;
	range_prefix(&k, fid);
	rc = times(t, &k, lo, hi, NULL, NULL, n, NULL);
	crm_buf_release(&k);
	return rc;
}

struct duearg {
	crm_txn *t;
	int (*fn)(uint64_t task, int64_t due, void *arg);
	void *arg;
};

static int
due_one(int64_t tm, uint64_t id, void *arg)
{
	struct duearg *a = arg;

	return crm_visible_id(a->t, id) ? a->fn(id, tm, a->arg) : 0;
}

int
crm_index_due(crm_txn *t, const char *owner, int64_t until,
    int (*fn)(uint64_t task, int64_t due, void *arg), void *arg)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct duearg a = { t, fn, arg };
	int rc;

	if (owner) {
		crm_index_key(&k, FID_OPEN_OWNER, owner, strlen(owner));
		crm_buf_addch(&k, 0x1f);
	} else {
		crm_index_key(&k, FID_OPEN_DUE, "", 0);
	}
	rc = times(t, &k, 0, until, due_one, &a, NULL, NULL);
	crm_buf_release(&k);
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
	if ((rc = mdb_drop(t->txn, t->db->idx, 0)) ||
	    (rc = mdb_drop(t->txn, t->db->ranges, 0))) {
		rc = crm_mdb_err(rc, "cannot clear the index");
		goto out;
	}
	/* (the moves of the figures settled: the records say it all) */
	if ((rc = crm_log_settle(t)))
		goto out;
	if (t->moves) {
		crm_sorter_reset(t->moves);
		t->nmoves = 0;
	}
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
	if (rc != MDB_NOTFOUND) {
		if (rc != CRM_ESTORE)
			rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	/* and who had which campaign, from the history */
	if (!(rc = crm_index_hist_all(t, sorter(t))))
		rc = crm_index_flush(t);
	if (!rc)
		rc = crm_meta_put(t, "index:type", "1", 1);
	if (!rc)
		rc = crm_meta_put(t, "index:hist", "1", 1);
	if (!rc && !(rc = crm_meta_put(t, "index:deals", "1", 1)))
		t->deals = 2;
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
	const unsigned char *sep;
	const char *name;

	crm_buf_reset(out);
	if (fid == FID_TYPE)
		name = "type";
	else if (fid == FID_OPEN_DUE)
		name = "open tasks by due time";
	else if (fid == FID_OPEN_OWNER)
		name = "open tasks by owner";
	else if (fid == FID_HIST)
		name = "history by campaign and kind";
	else if (fid == FID_OPEN_DEAL)
		name = "open deals of record";
	else if (IS_DERIVED(fid))
		name = crm_derived_names[fid];
	else
		name = crm_db_field_name(t, fid & ~TOKEN_BIT);
	crm_buf_addf(out, "%s%s '", fid & TOKEN_BIT ? "name word in " : "",
	    name ? name : "a former field");
	/* times are kept as twelve digits */
	if ((fid == FID_LAST_CONTACT || fid == FID_NEXT_DUE ||
	    fid == FID_OPEN_DUE) && at - 2 >= 12) {
		crm_datetime_fmt(out, strtoll((const char *)e + 2, NULL, 10));
	} else if (fid == FID_OPEN_DEAL && at - 2 >= IDLEN) {
		crm_buf_addf(out, "%llu", (unsigned long long)strtoull(
		    (const char *)e + 2, NULL, 10));
	} else if (fid == FID_HIST && at > 2 &&
	    (sep = memchr(e + 2, 0x1f, at - 2))) {
		/* campaign/kind */
		crm_escape(out, (const char *)e + 2, (size_t)(sep - e - 2));
		crm_buf_addch(out, '/');
		crm_escape(out, (const char *)sep + 1, (size_t)(e + at -
		    sep - 1));
	} else {
		crm_escape(out, (const char *)e + 2, at > 2 ? at - 2 : 0);
	}
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

/* A table's entries in order, as entries: the kept side of a check. */
struct kept {
	MDB_cursor *c;
	int ranges, rc;
	struct crm_buf e;
};

static void
kept_next(struct kept *k)
{
	MDB_val key, v;

	if (k->rc)
		return;
	k->rc = mdb_cursor_get(k->c, &key, &v, MDB_NEXT);
	if (!k->rc)
		unplace(k->ranges, &key, v.mv_data, &k->e);
}

int
crm_index_compare(crm_txn *t, struct crm_sorter *s, struct crm_checker *ck)
{
	struct crm_buf prev = CRM_BUF_INIT, b = CRM_BUF_INIT;
	struct kept kt[2] = { { NULL, 0, 0, CRM_BUF_INIT },
		{ NULL, 1, 0, CRM_BUF_INIT } };
	struct side w = { 0 }, h = { 0 };
	struct kept *from = NULL;
	uint32_t tag;
	int rc, i;

	if ((rc = crm_sorter_finish(s)))
		return rc;
	for (i = 0; i < 2 && !rc; i++)
		if ((rc = mdb_cursor_open(t->txn, table(t, i), &kt[i].c)))
			rc = crm_mdb_err(rc, "cannot read the index");
		else
			kept_next(&kt[i]);	/* the first */
	for (;;) {
		const void *p;
		int cmp;

		if (rc)
			break;
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
		/* the kept side: the lesser of the two tables' next */
		if (!h.live) {
			from = NULL;
			for (i = 0; i < 2; i++)
				if (!kt[i].rc && (!from || cmpkey(kt[i].e.buf,
				    kt[i].e.len, from->e.buf,
				    from->e.len) < 0))
					from = &kt[i];
			if (from) {
				h.p = (const unsigned char *)from->e.buf;
				h.len = from->e.len;
				h.live = 1;
			}
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
			kept_next(from);
		}
	}
	for (i = 0; i < 2; i++) {
		if (!rc && kt[i].rc && kt[i].rc != MDB_NOTFOUND)
			rc = crm_mdb_err(kt[i].rc, "cannot read the index");
		if (kt[i].c)
			mdb_cursor_close(kt[i].c);
		crm_buf_release(&kt[i].e);
	}
	crm_buf_release(&prev);
	crm_buf_release(&b);
	return rc;
}
