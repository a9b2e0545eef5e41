/* find.c - look-ups through the indexes, and id lists */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

void
crm_ids_add(struct crm_ids *ids, uint64_t id)
{
	if (ids->n == ids->alloc) {
		ids->alloc = ids->alloc ? 2 * ids->alloc : 16;
		ids->v = crm_xrealloc(ids->v, ids->alloc * sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
}

static int
cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Ids in order, least significant byte first, only as many bytes as the
 * largest has: an index range of 100,000 ids sorts in three passes
 * where qsort took a third of a query's time.
 */
static void
radix(uint64_t *v, size_t n)
{
	uint64_t *tmp = crm_xmalloc(n * sizeof *tmp), *from = v, *to = tmp,
	    max = 0, *x;
	size_t count[256], i, pos;
	int shift;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (shift = 0; shift < 64 && max >> shift; shift += 8) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[from[i] >> shift & 0xff]++;
		for (i = 0, pos = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			to[count[from[i] >> shift & 0xff]++] = from[i];
		x = from;
		from = to;
		to = x;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
	free(tmp);
}

void
crm_ids_sort(struct crm_ids *ids)
{
	size_t i, j;

	if (ids->n < 2)
		return;
	for (i = 1; i < ids->n && ids->v[i - 1] <= ids->v[i]; i++)
		;
	if (i < ids->n) {
		if (ids->n < 64)
			qsort(ids->v, ids->n, sizeof *ids->v, cmp_id);
		else
			radix(ids->v, ids->n);
	}
	for (i = j = 0; i < ids->n; i++)
		if (!j || ids->v[j - 1] != ids->v[i])
			ids->v[j++] = ids->v[i];
	ids->n = j;
}

void
crm_ids_release(struct crm_ids *ids)
{
	free(ids->v);
	memset(ids, 0, sizeof *ids);
}

static struct crm_idpair *
idmap_slot(const struct crm_idmap *m, uint64_t from)
{
	size_t i, mask = m->size - 1;

	for (i = crm_hash(&from, sizeof from) & mask; m->v[i].from &&
	    m->v[i].from != from; i = (i + 1) & mask)
		;
	return &m->v[i];
}

void
crm_idmap_put(struct crm_idmap *m, uint64_t from, uint64_t to)
{
	struct crm_idpair *old = m->v, *e;
	size_t i, n = m->size;

	/* at most half full */
	if (2 * (m->n + 1) > m->size) {
		m->size = n ? 2 * n : 256;
		m->v = crm_xmalloc(m->size * sizeof *m->v);
		memset(m->v, 0, m->size * sizeof *m->v);
		for (i = 0; i < n; i++)
			if (old[i].from)
				*idmap_slot(m, old[i].from) = old[i];
		free(old);
	}
	if (!(e = idmap_slot(m, from))->from)
		m->n++;
	*e = (struct crm_idpair){ from, to };
}

const struct crm_idpair *
crm_idmap_get(const struct crm_idmap *m, uint64_t from)
{
	const struct crm_idpair *e;

	if (!m->size)
		return NULL;
	e = idmap_slot(m, from);
	return e->from ? e : NULL;
}

void
crm_idmap_release(struct crm_idmap *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

static int
find_field_type(crm_txn *t, int ftype, const char *norm, size_t len,
    int prefix, struct crm_ids *out)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_buf k = CRM_BUF_INIT;
	unsigned done[64];
	size_t ndone = 0, i, j, d;
	int rc, found = 0;

	for (i = 0; i < s->ntypes; i++)
		for (j = 0; j < s->types[i].nfields; j++) {
			const struct crm_field *f = &s->types[i].fields[j];

			if ((int)f->type != ftype)
				continue;
			for (d = 0; d < ndone; d++)
				if (done[d] == f->fid)
					break;
			if (d < ndone)
				continue;
			if (ndone < 64)
				done[ndone++] = f->fid;
			crm_buf_reset(&k);
			crm_index_key(&k, f->fid, norm, len);
			rc = crm_index_scan(t, &k, prefix, out);
			if (rc && rc != CRM_ENOTFOUND) {
				crm_buf_release(&k);
				return rc;
			}
			found |= !rc;
		}
	crm_buf_release(&k);
	return found ? 0 : CRM_ENOTFOUND;
}

int
crm_find_email(crm_txn *t, const char *email, struct crm_ids *out)
{
	return find_field_type(t, FT_EMAIL, email, strlen(email), 0, out);
}

int
crm_find_phone(crm_txn *t, const char *phone, struct crm_ids *out)
{
	struct crm_buf n = CRM_BUF_INIT;
	int rc;

	rc = crm_phone_norm(&n, phone, crm_txn_schema(t)->country);
	if (!rc)
		rc = find_field_type(t, FT_PHONE, n.buf, n.len, 0, out);
	crm_buf_release(&n);
	return rc;
}

/* Records with a name token that starts with tok (folded already). */
static int
find_token(crm_txn *t, const char *tok, size_t len, struct crm_ids *out)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_buf k = CRM_BUF_INIT;
	unsigned done[64];
	size_t ndone = 0, i, j, d;
	int rc = 0, found = 0;

	for (i = 0; i < s->ntypes; i++)
		for (j = 0; j < s->types[i].nfields; j++) {
			const struct crm_field *fl = &s->types[i].fields[j];

			if (!(fl->flags & FF_SEARCH))
				continue;
			for (d = 0; d < ndone; d++)
				if (done[d] == fl->fid)
					break;
			if (d < ndone)
				continue;
			if (ndone < 64)
				done[ndone++] = fl->fid;
			crm_buf_reset(&k);
			crm_buf_addch(&k, (int)((fl->fid | TOKEN_BIT) >> 8));
			crm_buf_addch(&k, (int)(fl->fid & 0xff));
			crm_buf_add(&k, tok, len);
			rc = crm_index_scan(t, &k, 1, out);
			if (rc && rc != CRM_ENOTFOUND)
				goto out;
			found |= !rc;
		}
	rc = found ? 0 : CRM_ENOTFOUND;
out:
	crm_buf_release(&k);
	return rc;
}

int
crm_ids_has(const struct crm_ids *ids, uint64_t id)
{
	size_t lo = 0, hi = ids ? ids->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids->v[mid] == id)
			return 1;
		if (ids->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Keep in a the ids that are also in b; both sorted. */
void
crm_ids_intersect(struct crm_ids *a, const struct crm_ids *b)
{
	size_t i, j = 0, k = 0;

	for (i = 0; i < a->n; i++) {
		while (j < b->n && b->v[j] < a->v[i])
			j++;
		if (j < b->n && b->v[j] == a->v[i])
			a->v[k++] = a->v[i];
	}
	a->n = k;
}

struct namearg {
	crm_txn *t;
	struct crm_ids all, one;
	int first, rc;
};

static int
name_token(const char *tok, size_t len, void *arg)
{
	struct namearg *a = arg;

	a->one.n = 0;
	a->rc = find_token(a->t, tok, len, &a->one);
	if (a->rc && a->rc != CRM_ENOTFOUND)
		return a->rc;
	crm_ids_sort(&a->one);
	if (a->first) {
		a->first = 0;
		a->all.n = 0;
		for (size_t i = 0; i < a->one.n; i++)
			crm_ids_add(&a->all, a->one.v[i]);
	} else {
		crm_ids_intersect(&a->all, &a->one);
	}
	return a->all.n ? 0 : CRM_ENOTFOUND;
}

int
crm_find_name(crm_txn *t, const char *term, struct crm_ids *out)
{
	struct namearg a = { t, { 0 }, { 0 }, 1, 0 };
	size_t i;
	int rc;

	rc = crm_tokens(term, strlen(term), name_token, &a);
	if (!rc && a.first)
		rc = CRM_ENOTFOUND;	/* no token at all */
	if (!rc)
		for (i = 0; i < a.all.n; i++)
			crm_ids_add(out, a.all.v[i]);
	crm_ids_release(&a.all);
	crm_ids_release(&a.one);
	return rc;
}

int
crm_find_refs(crm_txn *t, const char *field, uint64_t id,
    struct crm_ids *out)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_buf k = CRM_BUF_INIT;
	char num[24];
	size_t i;
	int rc = CRM_ENOTFOUND;

	snprintf(num, sizeof num, "%llu", (unsigned long long)id);
	for (i = 0; i < s->ntypes; i++) {
		const struct crm_field *f = crm_type_field(&s->types[i],
		    field);

		if (!f || f->type != FT_REF)
			continue;
		crm_index_key(&k, f->fid, num, strlen(num));
		rc = crm_index_scan(t, &k, 0, out);
		break;
	}
	crm_buf_release(&k);
	return rc;
}

/* Is the record d a deal, still open, that refers to id? */
static int
open_deal(const crm_rec *d, uint64_t id)
{
	const struct crm_field *stage = crm_type_stage(d->type), *f;
	const struct crm_enumval *ev;
	size_t i;

	if (!stage)
		return 0;
	ev = crm_stage_val(stage, crm_rec_nth(d, stage->fid, 0, NULL));
	if (ev && ev->state != ST_OPEN)
		return 0;
	for (i = 0; i < d->n; i++)
		if ((f = crm_type_field_id(d->type, d->v[i].fid)) &&
		    f->type == FT_REF && strtoull(d->arena.buf + d->v[i].off,
		    NULL, 10) == id)
			return 1;
	return 0;
}

/* Of an index an older crm made: the deals that refer to r read. */
static int
open_deals_read(crm_txn *t, const crm_rec *r, size_t *n)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_ids ids = { 0 };
	crm_rec *d;
	size_t i, j;
	int rc;

	for (i = 0; i < s->ntypes; i++) {
		const struct crm_type *ty = &s->types[i];

		for (j = 0; crm_type_stage(ty) && j < ty->nfields; j++) {
			const struct crm_field *f = &ty->fields[j];

			if (f->type == FT_REF && (!f->to ||
			    !strcmp(f->to, r->type->name)) &&
			    (rc = crm_find_refs(t, f->name, r->id, &ids)) &&
			    rc != CRM_ENOTFOUND)
				goto out;
		}
	}
	crm_ids_sort(&ids);
	d = crm_rec_alloc();
	for (i = 0, rc = 0; i < ids.n && !rc; i++)
		if (!(rc = crm_rec_load(t, ids.v[i], d)))
			*n += (size_t)open_deal(d, r->id);
		else if (rc == CRM_ENOTFOUND)
			rc = 0;
	crm_rec_free(d);
out:
	crm_ids_release(&ids);
	return rc;
}

int
crm_open_deals_of(crm_txn *t, const crm_rec *r, size_t *n)
{
	int rc = crm_index_open_deals(t, r->id, n);

	return rc == CRM_ENOTFOUND ? open_deals_read(t, r, n) : rc;
}

static int
looks_like_phone(const char *s)
{
	size_t digits = 0;
	const char *p;

	for (p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr("+ -./()", *p))
			return 0;
	}
	return digits >= 6;
}

/* The company's own hits, then the persons of each company hit. */
static int
add_contacts(crm_txn *t, struct crm_ids *ids)
{
	size_t i, n = ids->n;
	int rc;

	for (i = 0; i < n; i++) {
		crm_rec *r;

		if ((rc = crm_rec_get(t, ids->v[i], &r)))
			continue;
		if (!strcmp(crm_rec_type(r), "company")) {
			rc = crm_find_refs(t, "company", ids->v[i], ids);
			if (rc && rc != CRM_ENOTFOUND) {
				crm_rec_free(r);
				return rc;
			}
		}
		crm_rec_free(r);
	}
	return 0;
}

int
crm_find_term(crm_txn *t, const char *term, struct crm_ids *out)
{
	struct crm_buf f = CRM_BUF_INIT;
	size_t n0 = out->n;
	int rc;

	/* nothing is the start of every e-mail: an empty term (a shell
	 * variable left unset) would find them all, for a pipe to change */
	if (!term[strspn(term, " \t\n")])
		return CRM_ENOTFOUND;
	if (looks_like_phone(term)) {
		rc = crm_find_phone(t, term, out);
		if (rc == CRM_EINVAL)
			rc = CRM_ENOTFOUND;
		if (rc != CRM_ENOTFOUND)
			return rc;
	}
	rc = crm_find_name(t, term, out);
	if (rc && rc != CRM_ENOTFOUND)
		return rc;
	if ((rc = add_contacts(t, out)))
		return rc;
	crm_fold(&f, term, strlen(term));
	rc = find_field_type(t, FT_EMAIL, f.buf, f.len, 1, out);
	crm_buf_release(&f);
	if (rc && rc != CRM_ENOTFOUND)
		return rc;
	return out->n > n0 ? 0 : CRM_ENOTFOUND;
}

static int
parse_id(const char *s, size_t len, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 19)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*id = v;
	return v != 0;
}

int
crm_ids_read(int argc, char **argv, struct crm_ids *out)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int i, stdin_ = argc == 0 && !isatty(0);
	uint64_t id;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			stdin_ = 1;
			continue;
		}
		if (!parse_id(argv[i], strlen(argv[i]), &id))
			return crm_seterr(CRM_EINVAL, "'%s' is not a record "
			    "id", argv[i]);
		crm_ids_add(out, id);
	}
	if (!stdin_)
		return 0;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = strcspn(line, "\t \r\n");

		lineno++;
		if (!len && (line[0] == '\n' || !line[0]))
			continue;
		if (!parse_id(line, len, &id)) {
			line[strcspn(line, "\r\n")] = 0;
			crm_seterr(CRM_EINVAL, "stdin: line %zu: '%s' is not "
			    "a record id", lineno, line);
			free(line);
			return CRM_EINVAL;
		}
		crm_ids_add(out, id);
	}
	free(line);
	if (ferror(stdin))
		return crm_seterr(errno, "cannot read stdin: %s",
		    strerror(errno));
	return 0;
}

/*
 * A type that is a small part of the store is read through its index
 * entries, the rest by one pass over all records.  Which it is, the
 * index tells by running out before a quarter of the records: a probe
 * that costs at most a quarter of the pass it may save.
 */
static int
scan_by_index(crm_txn *t, const char *type,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg,
    int *done)
{
	struct crm_buf flag = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	crm_rec *r;
	MDB_stat st;
	size_t i;
	int rc;

	*done = 0;
	if (mdb_stat(t->txn, t->db->recs, &st) || st.ms_entries < 4096 ||
	    crm_meta_get(t, "index:type", &flag)) {
		crm_buf_release(&flag);
		return 0;	/* small, or made before the type index */
	}
	crm_buf_release(&flag);
	rc = crm_index_type(t, type, st.ms_entries / 4, &ids);
	if (rc == CRM_EABORT) {
		crm_ids_release(&ids);
		return 0;
	}
	*done = 1;
	if ((rc = crm_log_settle(t))) {
		crm_ids_release(&ids);
		return rc;
	}
	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		crm_ids_release(&ids);
		return crm_mdb_err(rc, "cannot read the records");
	}
	r = crm_rec_alloc();
	for (i = 0; i < ids.n && !rc; i++) {
		uint64_t id = ids.v[i], at;

		/* a type's records come in runs: the next one is often next */
		rc = i && ids.v[i - 1] < id ? mdb_cursor_get(c, &k, &v,
		    MDB_NEXT) : MDB_NOTFOUND;
		if (!rc)
			memcpy(&at, k.mv_data, sizeof at);
		if (rc || at != id) {
			k.mv_size = sizeof id;
			k.mv_data = &id;
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
		}
		if (rc == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			rc = crm_mdb_err(rc, "cannot read the records");
		else if (!(rc = crm_rec_decode(r, crm_txn_schema(t), id,
		    v.mv_data, v.mv_size)) && crm_visible(t, r))
			rc = fn(t, r, arg);
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	crm_ids_release(&ids);
	return rc;
}

int
crm_scan(crm_txn *t, const char *type,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg)
{
	const struct crm_type *ty = crm_schema_type(crm_txn_schema(t), type);
	crm_rec *r = crm_rec_alloc();
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc = 0;

	if (!ty) {
		crm_rec_free(r);
		return crm_seterr(CRM_EINVAL, "unknown type '%s'", type);
	}
	if ((rc = scan_by_index(t, type, fn, arg, &frc)) || frc) {
		crm_rec_free(r);
		return rc;
	}
	if ((rc = crm_log_settle(t))) {
		crm_rec_free(r);
		return rc;
	}
	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		crm_rec_free(r);
		return crm_mdb_err(rc, "cannot read the records");
	}
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		const unsigned char *p = v.mv_data;
		uint64_t id, tid;

		/* the type is the second thing in a record: skip the rest */
		p++;
		if (v.mv_size < 2 || crm_get_varint(&p, (const unsigned char *)
		    v.mv_data + v.mv_size, &tid) || tid != ty->tid)
			continue;
		memcpy(&id, k.mv_data, sizeof id);
		if ((frc = crm_rec_decode(r, crm_txn_schema(t), id, v.mv_data,
		    v.mv_size)) || (crm_visible(t, r) && (frc = fn(t, r, arg))))
			break;
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	if (frc)
		return frc;
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc, "cannot read the records");
}
