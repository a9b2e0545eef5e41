/* history.c - the journal read back: who changed what, and undo
 *
 * The journal (journal.c) keeps every change in the order it was made:
 * a transaction's header (time, user, command line), then what it did.
 * Reading it is a pass in key order; undoing a transaction applies the
 * opposite of each of its changes, last first, through the same write
 * paths as any command, so an undo is journalled and can be undone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct jentry {
	uint64_t txn;
	int op;
	uint64_t id;
	unsigned fid;
	const char *old, *new;
	size_t oldlen, newlen;
	const unsigned char *key;	/* L, U: the history entry's key */
	const unsigned char *val;	/* L, U: its value; D: the record */
	size_t vallen;
};

static int
getstr(const unsigned char **p, const unsigned char *e, const char **s,
    size_t *n)
{
	uint64_t l;

	if (crm_get_varint(p, e, &l) || l > (uint64_t)(e - *p))
		return -1;
	*s = (const char *)*p;
	*n = (size_t)l;
	*p += l;
	return 0;
}

static int
jdecode(const MDB_val *k, const MDB_val *v, struct jentry *je,
    struct crm_change *hdr)
{
	const unsigned char *p = v->mv_data, *e = p + v->mv_size;
	uint64_t x;
	const char *s;
	size_t n;

	memset(je, 0, sizeof *je);
	if (k->mv_size != 12 || !v->mv_size)
		return -1;
	je->txn = crm_get_be64(k->mv_data);
	je->op = *p++;
	switch (je->op) {
	case J_TXN:
		if (crm_get_varint(&p, e, &x) || getstr(&p, e, &s, &n))
			return -1;
		hdr->txn = je->txn;
		hdr->at = (int64_t)x;
		crm_buf_reset(&hdr->user_);
		crm_buf_add(&hdr->user_, s, n);
		if (getstr(&p, e, &s, &n))
			return -1;
		crm_buf_reset(&hdr->command_);
		crm_buf_add(&hdr->command_, s, n);
		return 0;
	case J_CREATE:
		if (crm_get_varint(&p, e, &je->id) || crm_get_varint(&p, e, &x))
			return -1;
		je->vallen = (size_t)x;	/* how many */
		return 0;
	case J_SET:
		if (crm_get_varint(&p, e, &je->id) || crm_get_varint(&p, e, &x) ||
		    getstr(&p, e, &je->old, &je->oldlen) ||
		    getstr(&p, e, &je->new, &je->newlen))
			return -1;
		je->fid = (unsigned)x;
		return 0;
	case J_DEL:
		if (crm_get_varint(&p, e, &je->id))
			return -1;
		je->val = p;
		je->vallen = (size_t)(e - p);
		return 0;
	case J_LOG:
	case J_UNLOG:
		if (crm_get_varint(&p, e, &je->id) || e - p < 24)
			return -1;
		je->key = p;
		je->val = p + 24;
		je->vallen = (size_t)(e - p - 24);
		return 0;
	case J_SCHEMA:
		je->val = p;
		je->vallen = (size_t)(e - p);
		return 0;
	case J_ERASED:		/* a set whose values were erased */
		if (crm_get_varint(&p, e, &je->id) || crm_get_varint(&p, e, &x))
			return -1;
		je->fid = (unsigned)x;
		return 0;
	case J_FORGET:
		return crm_get_varint(&p, e, &je->id) ? -1 : 0;
	}
	return -1;
}

/* A field's name: the schema's, or one a former schema had. */
static const char *
field_name(crm_txn *t, unsigned fid)
{
	static char b[16];
	const crm_schema *s = crm_txn_schema(t);
	const struct crm_field *f = NULL;
	const char *f0;
	size_t i;

	for (i = 0; i < s->ntypes && !f; i++)
		f = crm_type_field_id(&s->types[i], fid);
	if (f)
		return f->name;
	if (fid < FID_FIRST)
		return crm_derived_names[fid];
	if ((f0 = crm_db_field_name(t, fid)))
		return f0;
	snprintf(b, sizeof b, "#%u", fid);
	return b;
}

/* A stored value as a person reads it: times as ISO 8601. */
static void
shown(crm_txn *t, unsigned fid, const char *v, size_t n, struct crm_buf *out)
{
	const crm_schema *s = crm_txn_schema(t);
	const struct crm_field *f = NULL;
	size_t i;

	for (i = 0; i < s->ntypes && !f; i++)
		f = crm_type_field_id(&s->types[i], fid);
	crm_buf_reset(out);
	if (f && f->type == FT_CONSENT && n) {
		char *c = crm_xstrndup(v, n);

		crm_consent_text(out, c);
		free(c);
		return;
	}
	if (f && f->type == FT_DATETIME && n) {
		crm_buf_add(out, v, n);
		i = out->len;
		crm_datetime_fmt(out, strtoll(out->buf, NULL, 10));
		memmove(out->buf, out->buf + i, out->len - i + 1);
		out->len -= i;
		return;
	}
	crm_buf_add(out, v, n);
}

/* The history entry (kind: text) of an L or U entry, for reading. */
static void
entry_text(const struct jentry *je, struct crm_buf *out)
{
	const unsigned char *p = je->val, *e = p + je->vallen;
	const char *s, *kind = NULL, *text = NULL;
	size_t n, kn = 0, tn = 0;

	while (p < e) {
		int tag = *p++;

		if (getstr(&p, e, &s, &n))
			break;
		if (tag == 'k') {
			kind = s;
			kn = n;
		} else if (tag == 't') {
			text = s;
			tn = n;
		}
	}
	crm_buf_reset(out);
	crm_buf_addf(out, "%.*s", (int)kn, kind ? kind : "");
	if (text)
		crm_buf_addf(out, ": %.*s", (int)tn, text);
}

/* Does the change concern record id (a create range holding it)? */
static int
about(const struct jentry *je, uint64_t id)
{
	if (je->op == J_CREATE)
		return id >= je->id && id < je->id + je->vallen;
	if (je->op == J_LOG || je->op == J_UNLOG)
		return crm_get_be64(je->key) == id;
	return je->id == id;
}

int
crm_history(crm_txn *t, const struct crm_history_filter *hf,
    int (*fn)(const struct crm_change *c, void *arg), void *arg)
{
	struct crm_change c;
	struct jentry je;
	struct crm_buf o = CRM_BUF_INIT, n = CRM_BUF_INIT, f = CRM_BUF_INIT;
	unsigned char start[12];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, frc = 0;

	memset(&c, 0, sizeof c);
	crm_buf_init(&c.user_, 0);
	crm_buf_init(&c.command_, 0);
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &cur)))
		return crm_mdb_err(rc, "cannot read the journal");
	memset(start, 0, sizeof start);
	crm_be64(start, hf->txn);
	k.mv_size = sizeof start;
	k.mv_data = start;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (jdecode(&k, &v, &je, &c)) {
			frc = crm_seterr(CRM_ESTORE, "the journal is damaged "
			    "in transaction %llu", (unsigned long long)
			    (k.mv_size >= 8 ? crm_get_be64(k.mv_data) : 0));
			break;
		}
		if (hf->txn && je.txn != hf->txn) {
			rc = MDB_NOTFOUND;
			break;
		}
		if (je.op == J_TXN || (hf->since && c.at < hf->since) ||
		    (hf->user && strcmp(hf->user, c.user_.buf)) ||
		    (hf->record && !about(&je, hf->record)))
			continue;
		c.user = c.user_.buf;
		c.command = c.command_.buf;
		c.op = je.op;
		c.record = je.op == J_LOG || je.op == J_UNLOG ?
		    crm_get_be64(je.key) : je.id;
		/* old values are as private as the record */
		if (je.op != J_SCHEMA && crm_view_role(t->db) != ROLE_ADMIN &&
		    !crm_visible_id(t, c.record))
			continue;
		c.field = NULL;
		c.old = c.new = NULL;
		c.count = je.op == J_CREATE ? je.vallen : 1;
		switch (je.op) {
		case J_ERASED:
			c.field = field_name(t, je.fid);
			c.old = c.new = "(erased)";
			break;
		case J_SET:
			c.field = field_name(t, je.fid);
			shown(t, je.fid, je.old, je.oldlen, &o);
			shown(t, je.fid, je.new, je.newlen, &n);
			c.old = o.buf;
			c.new = n.buf;
			break;
		case J_LOG:
		case J_UNLOG:
			crm_buf_reset(&f);
			crm_buf_addf(&f, "%llu", (unsigned long long)
			    crm_get_be64(je.key + 16));
			c.field = f.buf;	/* the entry's id */
			entry_text(&je, je.op == J_LOG ? &n : &o);
			c.new = je.op == J_LOG ? n.buf : NULL;
			c.old = je.op == J_UNLOG ? o.buf : NULL;
			break;
		}
		if ((frc = fn(&c, arg)))
			break;
	}
	mdb_cursor_close(cur);
	crm_buf_release(&c.user_);
	crm_buf_release(&c.command_);
	crm_buf_release(&o);
	crm_buf_release(&n);
	crm_buf_release(&f);
	if (frc)
		return frc;
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the journal");
}

/* ------------------------------------------------------------- undo */

struct change {
	struct jentry je;
	struct crm_buf copy;	/* the entry's bytes, kept */
};

/* The entries of transaction txn, in order. */
static int
entries_of(crm_txn *t, uint64_t txn, struct change **cv, size_t *n,
    struct crm_change *hdr)
{
	unsigned char start[12];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*cv = NULL;
	*n = 0;
	memset(start, 0, sizeof start);
	crm_be64(start, txn);
	k.mv_size = sizeof start;
	k.mv_data = start;
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &cur)))
		return crm_mdb_err(rc, "cannot read the journal");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc &&
	    k.mv_size == 12 && crm_get_be64(k.mv_data) == txn;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct change *c;
		MDB_val cv2;

		*cv = crm_xrealloc(*cv, (*n + 1) * sizeof **cv);
		c = &(*cv)[(*n)++];
		crm_buf_init(&c->copy, v.mv_size);
		crm_buf_add(&c->copy, v.mv_data, v.mv_size);
		cv2.mv_size = c->copy.len;
		cv2.mv_data = c->copy.buf;
		if (jdecode(&k, &cv2, &c->je, hdr)) {
			mdb_cursor_close(cur);
			return crm_seterr(CRM_ESTORE, "the journal is damaged "
			    "in transaction %llu", (unsigned long long)txn);
		}
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return crm_mdb_err(rc, "cannot read the journal");
	if (!*n)
		return crm_seterr(CRM_EINVAL, "no transaction %llu",
		    (unsigned long long)txn);
	return 0;
}

/* What a later entry changed of what txn changed, if anything. */
static int
clashes(const struct jentry *later, const struct jentry *je)
{
	uint64_t rec = later->op == J_LOG || later->op == J_UNLOG ?
	    crm_get_be64(later->key) : later->id;

	switch (je->op) {
	case J_SET:
		return (later->op == J_SET && later->id == je->id &&
		    later->fid == je->fid) || (later->op == J_DEL &&
		    later->id == je->id);
	case J_CREATE:
		return later->op != J_SCHEMA && later->op != J_TXN &&
		    rec >= je->id && rec < je->id + je->vallen;
	case J_LOG:
		return later->op == J_UNLOG && !memcmp(later->key + 16,
		    je->key + 16, 8);
	case J_UNLOG:		/* brought back since */
		return later->op == J_LOG && !memcmp(later->key + 16,
		    je->key + 16, 8);
	case J_DEL:
		return later->op == J_CREATE && je->id >= later->id &&
		    je->id < later->id + later->vallen;
	}
	return 0;
}

/* A record that refers to one txn created, and the field it does so by. */
struct ref {
	uint64_t by;
	unsigned fid;
};

struct refs {
	struct ref *v;
	size_t n;
	const struct crm_ids *created;
};

static int
add_ref(crm_txn *t, uint64_t by, const struct crm_type *ty,
    const struct crm_field *f, void *arg)
{
	struct refs *rv = arg;

	(void)t;
	(void)ty;
	if (crm_ids_has(rv->created, by))
		return 0;
	rv->v = crm_xrealloc(rv->v, (rv->n + 1) * sizeof *rv->v);
	rv->v[rv->n].by = by;
	rv->v[rv->n++].fid = f->fid;
	return 0;
}

static int
by_referrer(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	return (x->by > y->by) - (x->by < y->by);
}

/* Did a later entry make a record refer to one that txn created (a task
 * about it, a deal of it)?  Only a later one can have: the reference
 * txn made itself to a record it did not create goes back first.  The
 * referrers are sorted: a journal of years is read against them. */
static int
made_refer(const struct jentry *later, const struct refs *rv)
{
	size_t lo = 0, hi = rv->n, mid;

	if (later->op != J_CREATE && later->op != J_SET)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rv->v[mid].by < later->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rv->n && about(later, rv->v[lo].by); lo++)
		if (later->op == J_CREATE || later->fid == rv->v[lo].fid)
			return 1;
	return 0;
}

/* The first change after txn to what txn changed, named in why. */
static int
later_change(crm_txn *t, uint64_t txn, const struct change *cv, size_t n,
    const struct crm_ids *created, struct crm_buf *why)
{
	struct refs rv = { NULL, 0, created };
	struct crm_change hdr;
	struct jentry je;
	unsigned char start[12];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t i;
	int rc = 0, found = 0;

	for (i = 0; i < created->n && !rc; i++)
		rc = crm_rec_referrers(t, created->v[i], add_ref, &rv);
	if (rc) {
		free(rv.v);
		return rc;
	}
	if (rv.n)
		qsort(rv.v, rv.n, sizeof *rv.v, by_referrer);
	memset(&hdr, 0, sizeof hdr);
	crm_buf_init(&hdr.user_, 0);
	crm_buf_init(&hdr.command_, 0);
	memset(start, 0, sizeof start);
	crm_be64(start, txn + 1);
	k.mv_size = sizeof start;
	k.mv_data = start;
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &cur))) {
		free(rv.v);
		return crm_mdb_err(rc, "cannot read the journal");
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc && !found;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (jdecode(&k, &v, &je, &hdr) || je.op == J_TXN)
			continue;
		for (i = 0; i < n && !found; i++)
			found = clashes(&je, &cv[i].je);
		found = found || made_refer(&je, &rv);
		if (found) {
			crm_buf_addf(why, "transaction %llu changed it since "
			    "(%s at ", (unsigned long long)je.txn,
			    hdr.user_.buf);
			crm_datetime_fmt(why, hdr.at);
			crm_buf_addf(why, ": %s)", hdr.command_.buf);
		}
	}
	mdb_cursor_close(cur);
	free(rv.v);
	crm_buf_release(&hdr.user_);
	crm_buf_release(&hdr.command_);
	if (found)
		return CRM_EEXIST;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the journal") : 0;
}

/* What the undo works from: txn's changes, and the records it made. */
struct undo {
	const struct change *cv;
	size_t n;
	struct crm_ids created;	/* sorted */
	int force;
	struct crm_buf *report;
};

static int
undo_one(crm_txn *t, const struct undo *u, const struct jentry *je)
{
	struct crm_buf *report = u->report;
	crm_rec *r;
	size_t k;
	int rc = 0;

	switch (je->op) {
	case J_SET:
		if ((rc = crm_rec_get(t, je->id, &r)) == CRM_ENOTFOUND)
			return 0;	/* removed since: --force */
		if (rc)
			return rc;
		crm_rec_set_raw(r, je->fid, je->old, je->oldlen);
		if (!(rc = crm_rec_check_values(r, je->fid)))
			rc = crm_rec_put(t, r);
		crm_buf_addf(report, "set %llu %s\n", (unsigned long long)
		    je->id, field_name(t, je->fid));
		crm_rec_free(r);
		return rc;
	case J_CREATE:
		/* the records this transaction made go, together; what was
		 * made to refer to them since, with --force */
		for (k = je->vallen; k-- > 0 && !rc;) {
			if (!crm_rec_exists(t, je->id + k))
				continue;	/* gone since: --force */
			if (!(rc = crm_rec_unref(t, je->id + k, u->force ?
			    CRM_DEL_UNLINK : 0, &u->created,
			    "--force clears those", report)) &&
			    !(rc = crm_rec_del(t, je->id + k, 0, &u->created)))
				crm_buf_addf(report, "remove %llu\n",
				    (unsigned long long)(je->id + k));
		}
		return rc;
	case J_DEL:
		if ((rc = crm_rec_revive(t, je->id, je->val, je->vallen)))
			return rc;
		crm_buf_addf(report, "restore %llu\n",
		    (unsigned long long)je->id);
		return 0;
	case J_LOG:
		rc = crm_log_del(t, crm_get_be64(je->key + 16));
		if (rc == CRM_EINVAL)
			rc = 0;		/* removed since */
		else if (!rc)
			crm_buf_addf(report, "unlog %llu\n",
			    (unsigned long long)crm_get_be64(je->key + 16));
		return rc;
	case J_UNLOG:
		if ((rc = crm_log_revive(t, je->key, je->val, je->vallen)))
			return rc;
		crm_buf_addf(report, "log %llu\n",
		    (unsigned long long)crm_get_be64(je->key + 16));
		return 0;
	case J_SCHEMA:
		crm_buf_addstr(report, "schema\n");
		return crm_schema_apply(t, (const char *)je->val, je->vallen);
	}
	return 0;
}

/* The records that came back refer to records there: checked once all
 * are back, as one may refer to another that comes back after it. */
static int
restored_refs(crm_txn *t, const struct undo *u)
{
	crm_rec *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < u->n && !rc; i++) {
		if (u->cv[i].je.op != J_DEL)
			continue;
		if ((rc = crm_rec_get(t, u->cv[i].je.id, &r)))
			return rc == CRM_ENOTFOUND ? 0 : rc;
		if ((rc = crm_rec_check_refs(t, r)) == CRM_EINVAL)
			crm_errprefix(rc, "record %llu: ",
			    (unsigned long long)r->id);
		crm_rec_free(r);
	}
	return rc;
}

static int
refigure_company(crm_txn *t, uint64_t rec)
{
	crm_rec *r;
	const char *v;
	int rc;

	if ((rc = crm_rec_get(t, rec, &r)))
		return rc == CRM_ENOTFOUND ? 0 : rc;
	if (crm_type_field(r->type, "company") &&
	    (v = crm_rec_value(r, "company")))
		rc = crm_log_refigure(t, strtoull(v, NULL, 10));
	crm_rec_free(r);
	return rc;
}

int
crm_undo(crm_txn *t, uint64_t txn, int force, struct crm_buf *report)
{
	struct crm_buf why = CRM_BUF_INIT;
	struct crm_change hdr;
	struct change *cv = NULL;
	struct undo u = { NULL, 0, { 0 }, force, report };
	uint64_t x;
	size_t n = 0, i;
	int rc;

	memset(&hdr, 0, sizeof hdr);
	crm_buf_init(&hdr.user_, 0);
	crm_buf_init(&hdr.command_, 0);
	crm_buf_reset(report);
	if ((rc = entries_of(t, txn, &cv, &n, &hdr)))
		goto out;
	u.cv = cv;
	u.n = n;
	for (i = 0; i < n; i++)
		if (cv[i].je.op == J_CREATE)
			for (x = cv[i].je.id; x < cv[i].je.id +
			    cv[i].je.vallen; x++)
				crm_ids_add(&u.created, x);
	crm_ids_sort(&u.created);
	if (crm_view_role(t->db) != ROLE_ADMIN && hdr.user_.buf &&
	    strcmp(hdr.user_.buf, crm_user())) {
		rc = crm_seterr(CRM_EPERM, "transaction %llu is %s's; %s may "
		    "undo only their own", (unsigned long long)txn,
		    hdr.user_.buf, crm_user());
		goto out;
	}
	/* erased values are gone for good */
	for (i = 0; i < n && !rc; i++)
		if (cv[i].je.op == J_FORGET)
			rc = crm_seterr(CRM_EINVAL, "cannot undo %llu: it "
			    "erased record %llu on request, for good",
			    (unsigned long long)txn,
			    (unsigned long long)cv[i].je.id);
		else if (cv[i].je.op == J_ERASED && !force)
			rc = crm_seterr(CRM_EEXIST, "cannot undo %llu: record "
			    "%llu was erased on request since, and its old "
			    "values with it; --force undoes the rest",
			    (unsigned long long)txn,
			    (unsigned long long)cv[i].je.id);
	if (rc)
		goto out;
	/* nothing changed since, or --force */
	if (!force && (rc = later_change(t, txn, cv, n, &u.created,
	    &why)) == CRM_EEXIST)
		rc = crm_seterr(CRM_EEXIST, "cannot undo %llu: %s; --force "
		    "undoes it all the same", (unsigned long long)txn,
		    why.buf);
	/* what it writes back is checked against the store's rules now */
	for (i = n; !rc && i-- > 0;)
		if ((rc = undo_one(t, &u, &cv[i].je)) == CRM_EINVAL &&
		    (cv[i].je.op == J_SET || cv[i].je.op == J_DEL))
			crm_errprefix(rc, "record %llu: ",
			    (unsigned long long)cv[i].je.id);
	/* the figures of the records whose history came or went, anew
	 * (restored records' index entries written first: a company finds
	 * its contacts through them) */
	if (!rc && !(rc = crm_index_flush(t)))
		rc = restored_refs(t, &u);
	for (i = 0; !rc && i < n; i++) {
		const struct jentry *je = &cv[i].je;
		uint64_t rec = je->op == J_LOG || je->op == J_UNLOG ?
		    crm_get_be64(je->key) : je->op == J_DEL ? je->id : 0;

		if (rec && !(rc = crm_log_refigure(t, rec)))
			rc = refigure_company(t, rec);
	}
out:
	for (i = 0; i < n; i++)
		crm_buf_release(&cv[i].copy);
	free(cv);
	crm_ids_release(&u.created);
	crm_buf_release(&why);
	crm_buf_release(&hdr.user_);
	crm_buf_release(&hdr.command_);
	return rc;
}

/* ------------------------------------------------------------ check */

int
crm_journal_check(crm_txn *t, struct crm_checker *ck)
{
	uint64_t next_txn = crm_meta_u64(t, "next_txn", 1);
	uint64_t next_id = crm_meta_u64(t, "next_id", 1);
	uint64_t txn = 0, seq = 0;
	struct crm_change hdr;
	struct jentry je;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	memset(&hdr, 0, sizeof hdr);
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &c)))
		return crm_mdb_err(rc, "cannot read the journal");
	crm_buf_init(&hdr.user_, 0);
	crm_buf_init(&hdr.command_, 0);
	while (!ck->rc && !(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		const unsigned char *key = k.mv_data;
		uint64_t s;

		if (jdecode(&k, &v, &je, &hdr)) {
			crm_bad(ck, 0, "journal entry %llu.%u is damaged",
			    (unsigned long long)(k.mv_size >= 8 ?
			    crm_get_be64(key) : 0), k.mv_size == 12 ?
			    (unsigned)crm_get_be32(key + 8) : 0);
			continue;
		}
		s = crm_get_be32(key + 8);
		if (je.txn != txn) {
			txn = je.txn;
			seq = 0;
			if (txn >= next_txn)
				crm_bad(ck, 0, "journal transaction %llu is "
				    "past the store's count (%llu)",
				    (unsigned long long)txn,
				    (unsigned long long)next_txn);
		}
		if (s != seq++ || (s == 0) != (je.op == J_TXN))
			crm_bad(ck, 0, "journal transaction %llu is out of "
			    "order at entry %llu", (unsigned long long)txn,
			    (unsigned long long)s);
		if ((je.op == J_CREATE || je.op == J_SET || je.op == J_DEL ||
		    je.op == J_LOG || je.op == J_UNLOG) && je.id >= next_id)
			crm_bad(ck, je.id, "journal transaction %llu names "
			    "id %llu, past the store's count (%llu)",
			    (unsigned long long)txn, (unsigned long long)je.id,
			    (unsigned long long)next_id);
		seq = s + 1;
	}
	mdb_cursor_close(c);
	crm_buf_release(&hdr.user_);
	crm_buf_release(&hdr.command_);
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot read the journal") : 0;
}

/* ----------------------------------------------------------- forget */

static int
touches(const struct jentry *je, const struct crm_ids *ids)
{
	size_t i;

	if (je->op == J_CREATE) {
		for (i = 0; i < ids->n; i++)
			if (about(je, ids->v[i]))
				return 1;
		return 0;
	}
	if (je->op == J_TXN || je->op == J_SCHEMA)
		return 0;
	return crm_ids_has(ids, je->op == J_LOG || je->op == J_UNLOG ?
	    crm_get_be64(je->key) : je->id);
}

/* Call fn for each record the journal keeps as removed, oldest first
 * (r is valid during the call; nonzero from fn stops). */
static int
each_removed(crm_txn *t, int (*fn)(const crm_rec *r, void *arg), void *arg)
{
	struct jentry je;
	crm_rec *r;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &c)))
		return crm_mdb_err(rc, "cannot read the journal");
	r = crm_rec_alloc();
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		/* (a removal only: no transaction's header to read) */
		if (!v.mv_size || *(const char *)v.mv_data != J_DEL ||
		    jdecode(&k, &v, &je, NULL) || crm_rec_decode(r,
		    crm_txn_schema(t), je.id, je.val, je.vallen))
			continue;	/* crm-check tells of it */
		if ((frc = fn(r, arg)))
			break;
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	if (frc)
		return frc;
	return rc == MDB_NOTFOUND ? 0 : crm_mdb_err(rc,
	    "cannot read the journal");
}

struct last_removed {
	uint64_t id;
	struct crm_buf enc;
	int found;
};

static int
last_removed(const crm_rec *r, void *arg)
{
	struct last_removed *x = arg;

	if (r->id == x->id) {
		crm_buf_reset(&x->enc);
		crm_rec_encode(r, &x->enc);
		x->found = 1;
	}
	return 0;
}

int
crm_journal_removed(crm_txn *t, uint64_t id, crm_rec **rp)
{
	struct last_removed x = { id, CRM_BUF_INIT, 0 };
	int rc;

	*rp = NULL;
	if (!(rc = each_removed(t, last_removed, &x)) && !x.found)
		rc = CRM_ENOTFOUND;
	if (!rc) {
		*rp = crm_rec_alloc();
		if ((rc = crm_rec_decode(*rp, crm_txn_schema(t), id, x.enc.buf,
		    x.enc.len))) {
			crm_rec_free(*rp);
			*rp = NULL;
		}
	}
	crm_buf_release(&x.enc);
	return rc;
}

/* The forgotten: their ids, and the types of those removed, which the
 * journal alone knows. */
struct forgotten {
	struct crm_ids *ids;
	struct crm_ids more;	/* removed tasks about them, found */
	uint64_t *gone;		/* removed ones, and their types */
	const struct crm_type **type;
	size_t ngone;
	const struct crm_type *deftype;
	struct crm_buf *values;	/* the values erased, added to */
};

/* A removed record among the forgotten, or a removed task about one. */
static int
removed_one(const crm_rec *r, void *arg)
{
	struct forgotten *fg = arg;
	const struct crm_field *f = crm_type_field(r->type, "about");
	const char *about;

	if (!crm_ids_has(fg->ids, r->id)) {
		if (!f || f->type != FT_REF ||
		    !(about = crm_rec_nth(r, f->fid, 0, NULL)) ||
		    !crm_ids_has(fg->ids, strtoull(about, NULL, 10)))
			return 0;
		crm_ids_add(&fg->more, r->id);
	}
	fg->gone = crm_xrealloc(fg->gone, (fg->ngone + 1) * sizeof *fg->gone);
	fg->type = crm_xrealloc(fg->type, (fg->ngone + 1) * sizeof *fg->type);
	fg->gone[fg->ngone] = r->id;
	fg->type[fg->ngone++] = r->type;
	return 0;
}

/* The type of record id: its own, as it was when it was removed, or
 * deftype. */
static const struct crm_type *
type_of(crm_txn *t, uint64_t id, const struct forgotten *fg)
{
	const struct crm_type *ty = fg->deftype;
	crm_rec *r;
	size_t i;

	if (!crm_rec_get(t, id, &r)) {
		ty = r->type;
		crm_rec_free(r);
		return ty;
	}
	for (i = 0; i < fg->ngone; i++)
		if (fg->gone[i] == id)
			ty = fg->type[i];
	return ty;
}

/* An entry as it is to be written: its key, then its value. */
static void
rewrite(struct crm_buf *todo, const MDB_val *k, const struct crm_buf *v)
{
	crm_put_varint(todo, k->mv_size);
	crm_buf_add(todo, k->mv_data, k->mv_size);
	crm_put_varint(todo, v->len);
	crm_buf_add(todo, v->buf, v->len);
}

/* The new value of an entry about the forgotten, or none (b empty). */
static int
erased(crm_txn *t, const struct jentry *je, const struct forgotten *fg,
    crm_rec *r, struct crm_buf *b)
{
	const struct crm_field *f;
	struct crm_buf v = CRM_BUF_INIT;
	int rc = 0;

	crm_buf_reset(b);
	switch (je->op) {
	case J_SET:
		f = crm_type_field_id(type_of(t, je->id, fg), je->fid);
		if (!f || !(f->flags & FF_PERSONAL))
			break;
		/* addresses and numbers they had once stay out too */
		if ((rc = crm_suppress(t, f, je->old, je->oldlen)) ||
		    (rc = crm_suppress(t, f, je->new, je->newlen)))
			break;
		crm_erased_add(fg->values, f, je->old, je->oldlen);
		crm_erased_add(fg->values, f, je->new, je->newlen);
		crm_buf_addch(b, J_ERASED);
		crm_put_varint(b, je->id);
		crm_put_varint(b, je->fid);
		break;
	case J_DEL:
		if (crm_rec_decode(r, crm_txn_schema(t), je->id, je->val,
		    je->vallen) || (rc = crm_suppress_rec(t, r)))
			break;
		crm_rec_scrub(r, fg->values);
		crm_buf_addch(b, J_DEL);
		crm_put_varint(b, je->id);
		crm_rec_encode(r, b);
		break;
	case J_LOG:
	case J_UNLOG:
		crm_log_scrub(je->val, je->vallen, &v);
		if (v.len == je->vallen)
			break;
		crm_buf_addch(b, je->op);
		crm_put_varint(b, je->id);
		crm_buf_add(b, je->key, 24);
		crm_buf_add(b, v.buf, v.len);
		break;
	}
	crm_buf_release(&v);
	return rc;
}

/* A transaction's header with its command erased. */
static void
header_erased(const struct crm_change *hdr, struct crm_buf *b)
{
	static const char gone[] = "(erased)";

	crm_buf_reset(b);
	crm_buf_addch(b, J_TXN);
	crm_put_varint(b, (uint64_t)hdr->at);
	crm_put_varint(b, hdr->user_.len);
	crm_buf_add(b, hdr->user_.buf, hdr->user_.len);
	crm_put_varint(b, sizeof gone - 1);
	crm_buf_add(b, gone, sizeof gone - 1);
}

static int
apply(crm_txn *t, const struct crm_buf *todo)
{
	const unsigned char *p = (const unsigned char *)todo->buf;
	const unsigned char *e = p + todo->len;
	uint64_t kl, vl;
	int rc = 0;

	while (p < e && !rc) {
		MDB_val k, v;

		if (crm_get_varint(&p, e, &kl))
			break;
		k.mv_size = (size_t)kl;
		k.mv_data = (void *)p;
		p += kl;
		if (crm_get_varint(&p, e, &vl))
			break;
		v.mv_size = (size_t)vl;
		v.mv_data = (void *)p;
		p += vl;
		if ((rc = mdb_put(t->txn, t->db->journal, &k, &v, 0)))
			rc = crm_mdb_err(rc, "cannot write the journal");
	}
	return rc;
}

int
crm_journal_erase(crm_txn *t, struct crm_ids *ids,
    const struct crm_type *deftype, struct crm_buf *values)
{
	struct crm_buf todo = CRM_BUF_INIT, b = CRM_BUF_INIT;
	struct forgotten fg = { ids, { 0 }, NULL, NULL, 0, deftype, values };
	struct crm_change hdr;
	struct jentry je;
	crm_rec *r = crm_rec_alloc();
	unsigned char hkey[12];
	MDB_val k, v, hk = { sizeof hkey, hkey };
	MDB_cursor *c;
	size_t i;
	int rc, frc = 0, hdone = 0;

	memset(&hdr, 0, sizeof hdr);
	crm_buf_init(&hdr.user_, 0);
	crm_buf_init(&hdr.command_, 0);
	/* the tasks about them that were removed are theirs too */
	if ((rc = each_removed(t, removed_one, &fg)))
		goto out;
	for (i = 0; i < fg.more.n; i++)
		crm_ids_add(ids, fg.more.v[i]);
	crm_ids_sort(ids);
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &c))) {
		rc = crm_mdb_err(rc, "cannot read the journal");
		goto out;
	}
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		if (jdecode(&k, &v, &je, &hdr))
			continue;	/* crm-check tells of it */
		if (je.op == J_TXN) {
			memcpy(hkey, k.mv_data, sizeof hkey);
			hdone = 0;
			continue;
		}
		if (!touches(&je, ids))
			continue;
		if (!hdone) {
			header_erased(&hdr, &b);
			rewrite(&todo, &hk, &b);
			hdone = 1;
		}
		if ((frc = erased(t, &je, &fg, r, &b)))
			break;
		if (b.len)
			rewrite(&todo, &k, &b);
	}
	mdb_cursor_close(c);
	rc = frc ? frc : rc == MDB_NOTFOUND ? apply(t, &todo) :
	    crm_mdb_err(rc, "cannot read the journal");
out:
	crm_rec_free(r);
	crm_ids_release(&fg.more);
	free(fg.gone);
	free(fg.type);
	crm_buf_release(&todo);
	crm_buf_release(&b);
	crm_buf_release(&hdr.user_);
	crm_buf_release(&hdr.command_);
	return rc;
}

/* ------------------------------------------------------------- gc */

/* Does transaction txn (the cursor at its header) hold an erasure? */
static int
erasure_in(MDB_cursor *c, uint64_t txn)
{
	MDB_val k, v;
	int rc;

	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) &&
	    k.mv_size == 12 && crm_get_be64(k.mv_data) == txn)
		if (v.mv_size && *(const char *)v.mv_data == J_FORGET)
			return 1;
	return rc && rc != MDB_NOTFOUND ? rc : 0;
}

int
crm_journal_gc(crm_txn *t, int64_t before, size_t *ntxn, size_t *nent)
{
	struct crm_change hdr;
	struct jentry je;
	unsigned char from[12];
	MDB_cursor *c;
	MDB_val k, v;
	int rc, e;

	*ntxn = *nent = 0;
	if ((rc = crm_require(t->db, ROLE_ADMIN, "crm-gc")))
		return rc;
	memset(&hdr, 0, sizeof hdr);
	crm_buf_init(&hdr.user_, 0);
	crm_buf_init(&hdr.command_, 0);
	memset(from, 0, sizeof from);
	if ((rc = mdb_cursor_open(t->txn, t->db->journal, &c)))
		return crm_mdb_err(rc, "cannot read the journal");
	k.mv_size = sizeof from;
	k.mv_data = from;
	/* oldest first, until one made since */
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc;
	    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) {
		uint64_t txn;

		if (jdecode(&k, &v, &je, &hdr) || je.op != J_TXN ||
		    hdr.at >= before)
			break;
		txn = je.txn;
		memcpy(from, k.mv_data, sizeof from);
		if ((e = erasure_in(c, txn)) < 0 || e > 1) {
			rc = e;
			break;
		}
		k.mv_size = sizeof from;
		k.mv_data = from;
		if (!e) {
			/* the whole transaction goes */
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
			while (!rc && k.mv_size == 12 &&
			    crm_get_be64(k.mv_data) == txn) {
				if ((rc = mdb_cursor_del(c, 0)))
					break;
				(*nent)++;
				k.mv_size = sizeof from;
				k.mv_data = from;
				rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
			}
			(*ntxn)++;
			if (rc && rc != MDB_NOTFOUND)
				break;
		}
		/* on to the next transaction */
		crm_be64(from, txn + 1);
		memset(from + 8, 0, 4);
		k.mv_size = sizeof from;
		k.mv_data = from;
	}
	mdb_cursor_close(c);
	crm_buf_release(&hdr.user_);
	crm_buf_release(&hdr.command_);
	if (*nent)
		t->dirty = 1;
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot prune the journal") : 0;
}
