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

static int
other_salt(const char *name, const char *value, void *arg)
{
	(void)value;
	crm_buf_add(arg, name, strlen(name) + 1);
	return 0;
}

/* The secrets hashes are kept under, each ending in NUL: the store's
 * own, then those of the stores whose forgotten it took in with an
 * import (meta "salt:SECRET"), whose hashes it cannot make again. */
static int
salts(crm_txn *t, struct crm_buf *out)
{
	int rc;

	if ((rc = salt(t, out, 0)))
		return rc;
	crm_buf_addch(out, 0);
	return crm_meta_list(t, "salt:", other_salt, out);
}

/* "forgot:" and the hex of the keyed hash of a value (e-mail: folded) */
static void
suppress_key(const char *secret, int email, const char *v, struct crm_buf *k)
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
	hmac()->set_key(&ctx, strlen(secret), (const uint8_t *)secret);
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
	const char *s;
	size_t i;
	int rc = 0;

	/* most stores never forget anyone: one look-up per transaction */
	if (!t->forgot)
		t->forgot = salt(t, &secret, 0) ? 1 : 2;
	if (t->forgot == 1)
		goto out;
	for (i = 0; i < r->n && !rc; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		const char *val = r->arena.buf + r->v[i].off;

		/* only what is new: a value held already is someone's */
		if (!is_contact(f) || held(old, r->v[i].fid, val))
			continue;
		crm_buf_reset(&secret);
		if ((rc = salts(t, &secret)))
			break;
		for (s = secret.buf; s < secret.buf + secret.len && !rc;
		    s += strlen(s) + 1) {
			suppress_key(s, f->type == FT_EMAIL, val, &k);
			crm_buf_reset(&v);
			if (!crm_meta_get(t, k.buf, &v))
				rc = crm_seterr(CRM_EINVAL, "%s '%s' was a "
				    "person's who asked to be forgotten "
				    "(crm-forget); it is not taken again",
				    f->name, val);
		}
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
crm_erased_add(struct crm_buf *gone, const struct crm_field *f,
    const char *v, size_t n)
{
	const char *end = v + n, *comma;
	int list = f->type == FT_EMAIL || f->type == FT_PHONE;

	for (; v < end; v = comma + 1) {
		if (!list || !(comma = memchr(v, ',', (size_t)(end - v))))
			comma = end;
		if (comma == v || ((size_t)(comma - v) == sizeof FORGOTTEN - 1 &&
		    !memcmp(v, FORGOTTEN, sizeof FORGOTTEN - 1)))
			continue;
		crm_buf_addch(gone, f->type == FT_PHONE ? 'p' : 'v');
		crm_buf_add(gone, v, (size_t)(comma - v));
		crm_buf_addch(gone, 0);
	}
}

void
crm_rec_scrub(crm_rec *r, struct crm_buf *gone)
{
	const char *v;
	size_t i, j, n;

	for (i = 0; i < r->type->nfields; i++) {
		const struct crm_field *f = &r->type->fields[i];

		if (!(f->flags & FF_PERSONAL))
			continue;
		for (j = 0; gone && (v = crm_rec_nth(r, f->fid, j, &n)); j++)
			crm_erased_add(gone, f, v, n);
		crm_rec_drop(r, f->fid);
		if (f->flags & FF_REQUIRED)
			crm_rec_add_raw(r, f->fid, FORGOTTEN,
			    sizeof FORGOTTEN - 1);
	}
}

/* Write a record without its personal values, and with no journal of
 * what they were (added to gone). */
static int
scrub_rec(crm_txn *t, uint64_t id, struct crm_buf *gone)
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
	crm_rec_scrub(r, gone);
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
		suppress_key(secret.buf, f->type == FT_EMAIL, one.buf, &k);
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

struct listing {
	const char *what;
	int (*fn)(const char *what, const char *hex, void *arg);
	void *arg;
};

static int
list_hash(const char *name, const char *value, void *arg)
{
	const struct listing *l = arg;

	(void)value;
	return l->fn(l->what, name, l->arg);
}

int
crm_forgotten_list(crm_txn *t,
    int (*fn)(const char *what, const char *hex, void *arg), void *arg)
{
	struct listing l = { "forgotten", fn, arg };
	struct crm_buf keys = CRM_BUF_INIT;
	const char *s;
	int rc;

	if ((rc = salts(t, &keys)))
		goto out;
	for (s = keys.buf; s < keys.buf + keys.len && !rc; s += strlen(s) + 1)
		rc = fn("forgotten_key", s, arg);
	if (!rc)
		rc = crm_meta_list(t, "forgot:", list_hash, &l);
out:
	crm_buf_release(&keys);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

int
crm_forgotten_restore(crm_txn *t, const char *what, const char *hex)
{
	struct crm_buf k = CRM_BUF_INIT, own = CRM_BUF_INIT;
	int key = !strcmp(what, "forgotten_key"), rc;

	if (strlen(hex) != 2 * SHA256_DIGEST_SIZE ||
	    strspn(hex, "0123456789abcdef") != strlen(hex))
		return crm_seterr(CRM_EINVAL, "%s: not a %s (64 hexadecimal "
		    "digits)", what, key ? "key" : "hash");
	crm_buf_addf(&k, "%s%s", key ? "salt:" : "forgot:", hex);
	if (!key)
		rc = crm_meta_put(t, k.buf, "", 0);
	else if ((rc = salt(t, &own, 0)) == CRM_ENOTFOUND)
		rc = crm_meta_put(t, "salt", hex, strlen(hex));
	else if (!rc && strcmp(own.buf, hex))
		rc = crm_meta_put(t, k.buf, "", 0);
	if (key && !rc)
		t->forgot = 2;
	crm_buf_release(&k);
	crm_buf_release(&own);
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

/* ------------------------------------------------- saved segments */

/* A byte of a word: a letter or digit, or part of one in UTF-8. */
static int
wordch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c & 0x80);
}

/* Is v (folded) in q (folded), and not the part of a longer word? */
static int
in_words(const struct crm_buf *q, const struct crm_buf *v)
{
	const char *at;

	if (!v->len)
		return 0;
	for (at = q->buf; (at = strstr(at, v->buf)); at++)
		if ((at == q->buf || !wordch((unsigned char)at[-1]) ||
		    !wordch((unsigned char)v->buf[0])) &&
		    (!wordch((unsigned char)at[v->len]) ||
		    !wordch((unsigned char)v->buf[v->len - 1])))
			return 1;
	return 0;
}

/* The phone numbers written in query q, as E.164, each ending in NUL. */
static void
numbers_in(crm_txn *t, const char *q, struct crm_buf *out)
{
	static const char chars[] = "+0123456789 -./()";
	struct crm_buf run = CRM_BUF_INIT;
	size_t n, digits, i;

	for (; *q; q += n ? n : 1) {
		n = strspn(q, chars);
		for (i = digits = 0; i < n; i++)
			digits += q[i] >= '0' && q[i] <= '9';
		if (digits < 6)
			continue;
		crm_buf_reset(&run);
		crm_buf_add(&run, q, n);
		if (!crm_phone_norm(out, run.buf, crm_txn_schema(t)->country))
			crm_buf_addch(out, 0);
	}
	crm_buf_release(&run);
}

/* Does query q hold one of the values gone (as crm_erased_add lists
 * them): a value whole, folded, or a number in any notation? */
static int
holds(crm_txn *t, const char *q, const struct crm_buf *gone)
{
	struct crm_buf fq = CRM_BUF_INIT, v = CRM_BUF_INIT,
	    nums = CRM_BUF_INIT;
	const char *p, *n, *end = gone->buf + gone->len;
	int hit = 0;

	crm_fold(&fq, q, strlen(q));
	numbers_in(t, q, &nums);
	for (p = gone->buf; p < end && !hit; p += strlen(p) + 1) {
		crm_buf_reset(&v);
		crm_fold(&v, p + 1, strlen(p + 1));
		hit = in_words(&fq, &v);
		for (n = nums.buf; *p == 'p' && !hit &&
		    n < nums.buf + nums.len; n += strlen(n) + 1)
			hit = !strcmp(n, p + 1);
	}
	crm_buf_release(&fq);
	crm_buf_release(&v);
	crm_buf_release(&nums);
	return hit;
}

struct segments {
	crm_txn *t;
	const struct crm_buf *gone;
	struct crm_buf names;	/* of those to drop, one a line */
};

static int
segment_holds(const char *name, const char *query, void *arg)
{
	struct segments *s = arg;

	if (holds(s->t, query, s->gone))
		crm_buf_addf(&s->names, "%s\n", name);
	return 0;
}

/* Drop the saved segments whose query holds a value gone (their names
 * appended to dropped, one a line): the query is kept in the store. */
static int
drop_segments(crm_txn *t, const struct crm_buf *gone,
    struct crm_buf *dropped)
{
	struct segments s = { t, gone, CRM_BUF_INIT };
	char *name, *nl;
	int rc;

	if (!gone->len)
		return 0;
	rc = crm_segment_list(t, segment_holds, &s);
	for (name = s.names.buf; !rc && (nl = strchr(name, '\n'));
	    name = nl + 1) {
		*nl = 0;
		if (!(rc = crm_segment_drop(t, name)))
			crm_buf_addf(dropped, "%s\n", name);
	}
	crm_buf_release(&s.names);
	return rc;
}

int
crm_forget(crm_txn *t, uint64_t id, struct crm_buf *dropped)
{
	struct crm_ids ids = { 0 }, tasks = { 0 };
	struct crm_buf gone = CRM_BUF_INIT;	/* the values erased */
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
		rc = scrub_rec(t, r->id, &gone);
	for (i = 0; i < tasks.n && !rc; i++)
		rc = scrub_rec(t, tasks.v[i], &gone);
	if (!rc)
		rc = crm_log_erase(t, r->id);
	if (!rc)
		rc = crm_journal_erase(t, &ids, r->type, &gone);
	if (!rc)
		rc = drop_segments(t, &gone, dropped);
	if (!rc)
		rc = crm_journal_forget(t, r->id);
	crm_buf_release(&gone);
	crm_rec_free(r);
	crm_ids_release(&ids);
	crm_ids_release(&tasks);
	return rc;
}
