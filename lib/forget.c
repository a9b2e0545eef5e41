/* forget.c - erasure on request: what a person asked crm to forget
 *
 * The record stays, so that the deals, amounts, dates and kinds it holds
 * keep the reports right; what goes is every value of a field the schema
 * marks personal (a required one reads "(forgotten)"), the text of the
 * person's history, the personal fields of the tasks about them, their
 * index entries, and the same values wherever the journal kept them: set
 * entries keep only which field changed, removed records and history
 * entries lose their personal parts, and the commands of the
 * transactions that touched the person are erased.  Records merged into
 * the person are forgotten with them.  A record removed is forgotten in
 * what the journal keeps of it, as it was when it was removed.  The old bytes may still sit in
 * the store file's free pages until crm-compact copies the store.
 *
 * What stays of the e-mail addresses and phone numbers is a keyed hash
 * (HMAC-SHA256 under a secret of the store's), so that no later import
 * or add brings the person back.
 */
#include <nettle/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define FORGOTTEN "(forgotten)"

/*
 * nettle, opened when a store that has forgotten someone needs a hash:
 * linked in, its constructor asked the processor for its features at
 * every start (cpuid, each a trip to the hypervisor on a virtual
 * machine) for a hash most stores never take.
 */
#define NETTLE_SO "libnettle.so.8"

static const struct hmac {
	__typeof__(nettle_hmac_sha256_set_key) *set_key;
	__typeof__(nettle_hmac_sha256_update) *update;
	__typeof__(nettle_hmac_sha256_digest) *digest;
} *
hmac(void)
{
	static struct hmac h;
	static int loaded;
	void *so;

	if (!loaded) {
		so = crm_lazy_open(NETTLE_SO);
		*(void **)&h.set_key = crm_lazy_sym(so, NETTLE_SO,
		    "nettle_hmac_sha256_set_key");
		*(void **)&h.update = crm_lazy_sym(so, NETTLE_SO,
		    "nettle_hmac_sha256_update");
		*(void **)&h.digest = crm_lazy_sym(so, NETTLE_SO,
		    "nettle_hmac_sha256_digest");
		loaded = 1;
	}
	return &h;
}

static int
salt(crm_txn *t, struct crm_buf *key, int make)
{
	return crm_meta_secret(t, "salt", make, key);
}

/* "forgot:" and the hex of the keyed hash of a value (e-mail: folded) */
static void
suppress_key(const struct crm_buf *secret, int email, const char *v,
    struct crm_buf *k)
{
	struct hmac_sha256_ctx ctx;
	struct crm_buf in = CRM_BUF_INIT;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t i;

	crm_buf_addstr(&in, email ? "e:" : "p:");
	if (email)
		crm_fold(&in, v, strlen(v));
	else
		crm_buf_addstr(&in, v);
	hmac()->set_key(&ctx, secret->len, (const uint8_t *)secret->buf);
	hmac()->update(&ctx, in.len, (const uint8_t *)in.buf);
	hmac()->digest(&ctx, sizeof d, d);
	crm_buf_reset(k);
	crm_buf_addstr(k, "forgot:");
	for (i = 0; i < sizeof d; i++)
		crm_buf_addf(k, "%02x", d[i]);
	crm_buf_release(&in);
}

/* A person's address or number: what keeps them out once forgotten. */
static int
is_contact(const struct crm_field *f)
{
	return f && (f->type == FT_EMAIL || f->type == FT_PHONE) &&
	    (f->flags & FF_PERSONAL);
}

/* Does old hold value v in field fid already? */
static int
held(const crm_rec *old, unsigned fid, const char *v)
{
	const char *x;
	size_t i;

	for (i = 0; old && (x = crm_rec_nth(old, fid, i, NULL)); i++)
		if (!strcmp(x, v))
			return 1;
	return 0;
}

int
crm_suppressed(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	struct crm_buf secret = CRM_BUF_INIT, k = CRM_BUF_INIT,
	    v = CRM_BUF_INIT;
	size_t i;
	int rc = 0;

	/* most stores never forget anyone: one look-up per transaction */
	if (!t->forgot)
		t->forgot = salt(t, &secret, 0) ? 1 : 2;
	if (t->forgot == 1)
		return 0;
	if (!secret.len && (rc = salt(t, &secret, 0)))
		goto out;
	for (i = 0; i < r->n && !rc; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		const char *val = r->arena.buf + r->v[i].off;

		/* only what is new: a value held already is someone's */
		if (!is_contact(f) || held(old, r->v[i].fid, val))
			continue;
		suppress_key(&secret, f->type == FT_EMAIL, val, &k);
		crm_buf_reset(&v);
		if (!crm_meta_get(t, k.buf, &v))
			rc = crm_seterr(CRM_EINVAL, "%s '%s' was a person's "
			    "who asked to be forgotten (crm-forget); it is "
			    "not taken again", f->name, val);
	}
out:
	crm_buf_release(&secret);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

int
crm_field_personal(const crm_rec *r, unsigned fid)
{
	const struct crm_field *f = crm_type_field_id(r->type, fid);

	return f && (f->flags & FF_PERSONAL);
}

void
crm_rec_scrub(crm_rec *r)
{
	size_t i;

	for (i = 0; i < r->type->nfields; i++) {
		const struct crm_field *f = &r->type->fields[i];

		if (!(f->flags & FF_PERSONAL))
			continue;
		crm_rec_drop(r, f->fid);
		if (f->flags & FF_REQUIRED)
			crm_rec_add_raw(r, f->fid, FORGOTTEN,
			    sizeof FORGOTTEN - 1);
	}
}

/* Write a record without its personal values, and with no journal of
 * what they were. */
static int
scrub_rec(crm_txn *t, uint64_t id)
{
	crm_rec *old, *r;
	int rc;

	/* (read first: the figures settled may move index entries) */
	if ((rc = crm_rec_get(t, id, &old)))
		return rc;
	if ((rc = crm_index_flush(t)) || (rc = crm_rec_get(t, id, &r))) {
		crm_rec_free(old);
		return rc;
	}
	crm_rec_scrub(r);
	if (!(rc = crm_index_update(t, old, r)))
		rc = crm_rec_write(t, r);
	crm_rec_free(old);
	crm_rec_free(r);
	return rc;
}

struct who {
	uint64_t id;
	struct crm_ids *ids;
};

static int
merged(const char *name, const char *value, void *arg)
{
	struct who *w = arg;

	if (strtoull(value, NULL, 10) == w->id)
		crm_ids_add(w->ids, strtoull(name, NULL, 10));
	return 0;
}

/* Records merged into id answer to it: their ids, added to out. */
int
crm_merged_into(crm_txn *t, uint64_t id, struct crm_ids *out)
{
	struct who w = { id, out };

	return crm_meta_list(t, "alias:", merged, &w);
}

/* Keep the hash of an address or number of the person's (values as
 * the journal keeps them: several joined by commas); their opt-outs go,
 * as the hashes keep them out of any mailing. */
int
crm_suppress(crm_txn *t, const struct crm_field *f, const char *v, size_t n)
{
	struct crm_buf secret = CRM_BUF_INIT, k = CRM_BUF_INIT,
	    one = CRM_BUF_INIT;
	const char *end = v + n, *comma;
	int rc;

	if (!is_contact(f))
		return 0;
	if ((rc = salt(t, &secret, 1)))
		goto out;
	t->forgot = 2;
	for (; v < end && !rc; v = comma + 1) {
		if (!(comma = memchr(v, ',', (size_t)(end - v))))
			comma = end;
		crm_buf_reset(&one);
		crm_buf_add(&one, v, (size_t)(comma - v));
		if (!one.len)
			continue;
		suppress_key(&secret, f->type == FT_EMAIL, one.buf, &k);
		if (!(rc = crm_meta_put(t, k.buf, "", 0)) &&
		    f->type == FT_EMAIL)
			rc = crm_optout_del(t, one.buf);
	}
out:
	crm_buf_release(&secret);
	crm_buf_release(&k);
	crm_buf_release(&one);
	return rc;
}

int
crm_suppress_rec(crm_txn *t, const crm_rec *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n && !rc; i++)
		rc = crm_suppress(t, crm_type_field_id(r->type, r->v[i].fid),
		    r->arena.buf + r->v[i].off, r->v[i].len);
	return rc;
}

int
crm_forget(crm_txn *t, uint64_t id)
{
	struct crm_ids ids = { 0 }, tasks = { 0 };
	crm_rec *r;
	size_t i;
	int rc, hops, removed = 0;

	if ((rc = crm_index_flush(t)))
		return rc;
	if ((rc = crm_require(t->db, ROLE_MANAGER, "crm-forget")))
		return rc;
	/* a removed record is forgotten in what the journal keeps of it
	 * (a record merged into it answers as it, as a live one does) */
	if ((rc = crm_rec_get(t, id, &r)) == CRM_ENOTFOUND) {
		for (hops = 0; hops < 8 && !crm_alias_next(t, &id); hops++)
			;
		if (!(rc = crm_journal_removed(t, id, &r)))
			removed = 1;
	}
	if (rc)
		return rc == CRM_ENOTFOUND ? crm_seterr(CRM_EINVAL,
		    "no record %llu", (unsigned long long)id) : rc;
	if ((rc = crm_may_write(t, r, NULL))) {
		crm_rec_free(r);
		return rc;
	}
	crm_ids_add(&ids, r->id);
	rc = crm_merged_into(t, r->id, &ids);
	if (!rc)
		rc = crm_find_refs(t, "about", r->id, &tasks);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	/* the uid and e-mail its merged records had go */
	for (i = 0; i < ids.n && !rc; i++)
		rc = crm_alias_keys_drop(t, ids.v[i]);
	for (i = 0; i < tasks.n; i++)
		crm_ids_add(&ids, tasks.v[i]);
	crm_ids_sort(&ids);
	if (!rc)
		rc = crm_suppress_rec(t, r);
	if (!rc && !removed)
		rc = scrub_rec(t, r->id);
	for (i = 0; i < tasks.n && !rc; i++)
		rc = scrub_rec(t, tasks.v[i]);
	if (!rc)
		rc = crm_log_erase(t, r->id);
	if (!rc)
		rc = crm_journal_erase(t, &ids, r->type);
	if (!rc)
		rc = crm_journal_forget(t, r->id);
	crm_rec_free(r);
	crm_ids_release(&ids);
	crm_ids_release(&tasks);
	return rc;
}
