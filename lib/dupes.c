/* dupes.c - records that are one customer twice, and their merging
 *
 * Finding: never all pairs.  Each record gives a few blocking keys (its
 * e-mail with the forms one mailbox takes folded, its phone, its name's
 * words in order, and a coarse key of the name for typos); the keys are
 * sorted with bounded memory and only records sharing a key are compared.
 *
 * Merging: the record kept takes the other's missing fields, tags and
 * history; what points at the other points at it; the other's id stays
 * an alias of it; values that differ are kept in the note.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

enum { R_EMAIL = 1, R_PHONE = 2, R_NAME = 4, R_SIMILAR = 8, R_DOMAIN = 16 };
static const char *const reason_names[] = { "same e-mail", "same phone",
	"same name", "similar name", "same company domain" };

/* Mail providers whose domain says nothing of a company. */
static const char *const free_mail[] = { "gmail.com", "googlemail.com",
	"yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com",
	"me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "seznam.cz",
	"centrum.sk", "centrum.cz", "azet.sk", "post.sk", "zoznam.sk",
	"atlas.sk", "email.cz", "protonmail.com", "proton.me", "mail.ru",
	"yandex.ru", NULL };

/* john.doe+shop@gmail.com and johndoe@googlemail.com: one mailbox */
static void
mailbox_key(const char *email, struct crm_buf *out)
{
	const char *at = strrchr(email, '@'), *p;
	int gmail;

	if (!at)
		return;
	gmail = !strcasecmp(at + 1, "gmail.com") ||
	    !strcasecmp(at + 1, "googlemail.com");
	for (p = email; p < at && *p != '+'; p++)
		if (!(gmail && *p == '.'))
			crm_buf_addch(out, tolower((unsigned char)*p));
	crm_buf_addstr(out, gmail ? "@gmail.com" : "");
	if (!gmail)
		for (p = at; *p; p++)
			crm_buf_addch(out, tolower((unsigned char)*p));
}

static const char *domain_of(const char *email);

struct words {
	char *w[16];
	size_t n;
};

static int
word(const char *tok, size_t len, void *arg)
{
	struct words *ws = arg;

	if (ws->n < 16)
		ws->w[ws->n++] = crm_xstrndup(tok, len);
	return 0;
}

/* "Nováková Jana" and "jana novakova": the same words, in order. */
static void
name_key(const char *name, struct crm_buf *out, struct crm_buf *coarse)
{
	struct words ws = { { 0 }, 0 };
	size_t i;

	crm_tokens(name, strlen(name), word, &ws);
	qsort(ws.w, ws.n, sizeof *ws.w, crm_strpcmp);
	for (i = 0; i < ws.n; i++) {
		crm_buf_addf(out, "%s%s", i ? " " : "", ws.w[i]);
		/* typos keep the start of words: two letters of each */
		crm_buf_addf(coarse, "%s%.2s", i ? " " : "", ws.w[i]);
	}
	for (i = 0; i < ws.n; i++)
		free(ws.w[i]);
}

struct pair {
	uint64_t a, b;
	unsigned reasons;
	double sim;
};

struct dctx {
	const struct crm_type *type;
	struct crm_sorter *s;
	struct crm_buf k, name, coarse, mail;
	/* the names, by record, for comparing within a block */
	struct pair *p;
	size_t np, palloc;
	size_t *hash, hsize;
	double min;		/* the lowest score asked for */
};

static void
block(struct dctx *d, int kind, const char *v, uint64_t id)
{
	char b[8];

	if (!*v || id > UINT32_MAX)
		return;
	crm_buf_reset(&d->k);
	crm_buf_addch(&d->k, kind);
	crm_buf_addstr(&d->k, v);
	crm_buf_addch(&d->k, 0);
	crm_be64((unsigned char *)b, id);
	crm_buf_add(&d->k, b, 8);	/* sorted by key, then by id */
	crm_sorter_add(d->s, d->k.buf, d->k.len, (uint32_t)id);
}

static int
keys(crm_txn *t, const crm_rec *r, void *arg)
{
	struct dctx *d = arg;
	const char *v, *at;

	(void)t;
	if (r->type != d->type)
		return 0;
	if ((v = crm_rec_value(r, "email"))) {
		crm_buf_reset(&d->mail);
		mailbox_key(v, &d->mail);
		block(d, 'A', d->mail.buf, r->id);
		if ((at = domain_of(v))) {
			crm_buf_reset(&d->mail);
			crm_fold(&d->mail, at, strlen(at));
			block(d, 'C', d->mail.buf, r->id);
		}
	}
	if ((v = crm_rec_value(r, "phone")))
		block(d, 'B', v, r->id);
	if ((v = crm_rec_value(r, "name"))) {
		crm_buf_reset(&d->name);
		crm_buf_reset(&d->coarse);
		name_key(v, &d->name, &d->coarse);
		block(d, 'N', d->name.buf, r->id);
		block(d, 'S', d->coarse.buf, r->id);
	}
	return 0;
}

static struct pair *
pair_of(struct dctx *d, uint64_t a, uint64_t b, int make)
{
	size_t i, j;
	uint64_t h;

	if (a > b) {
		uint64_t x = a;

		a = b;
		b = x;
	}
	if (2 * (d->np + 1) > d->hsize) {
		free(d->hash);
		d->hsize = d->hsize ? 2 * d->hsize : 1024;
		d->hash = calloc(d->hsize, sizeof *d->hash);
		for (i = 0; i < d->np; i++) {
			h = (d->p[i].a * 0x9e3779b97f4a7c15ULL ^ d->p[i].b) *
			    0xff51afd7ed558ccdULL;
			for (j = h >> 20 & (d->hsize - 1); d->hash[j];
			    j = (j + 1) & (d->hsize - 1))
				;
			d->hash[j] = i + 1;
		}
	}
	h = (a * 0x9e3779b97f4a7c15ULL ^ b) * 0xff51afd7ed558ccdULL;
	for (j = h >> 20 & (d->hsize - 1); d->hash[j];
	    j = (j + 1) & (d->hsize - 1)) {
		struct pair *p = &d->p[d->hash[j] - 1];

		if (p->a == a && p->b == b)
			return p;
	}
	if (!make)
		return NULL;
	if (d->np == d->palloc) {
		d->palloc = d->palloc ? 2 * d->palloc : 256;
		d->p = crm_xrealloc(d->p, d->palloc * sizeof *d->p);
	}
	d->p[d->np].a = a;
	d->p[d->np].b = b;
	d->p[d->np].reasons = 0;
	d->p[d->np].sim = 0;
	d->hash[j] = ++d->np;
	return &d->p[d->np - 1];
}

/* How alike two names are: 1 the same words, 0 nothing alike; *same
 * when their words are the same. */
static double
names_alike(const char *na, const char *nb, struct dctx *d, int *same)
{
	struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;
	size_t dist, max;
	double s;

	name_key(na, &x, &d->coarse);
	name_key(nb, &y, &d->coarse);
	crm_buf_reset(&d->coarse);
	*same = !strcmp(x.buf, y.buf);
	dist = crm_distance(x.buf, y.buf);
	max = x.len > y.len ? x.len : y.len;
	s = max ? 1.0 - (double)dist / (double)max : 0;
	crm_buf_release(&x);
	crm_buf_release(&y);
	return s;
}

/* How alike the names of records a and b are. */
static double
similarity(crm_txn *t, uint64_t a, uint64_t b, struct dctx *d)
{
	crm_rec *ra, *rb;
	const char *na, *nb;
	double s = 0;
	int same;

	if (crm_rec_get(t, a, &ra))
		return 0;
	if (crm_rec_get(t, b, &rb)) {
		crm_rec_free(ra);
		return 0;
	}
	if ((na = crm_rec_value(ra, "name")) &&
	    (nb = crm_rec_value(rb, "name")))
		s = names_alike(na, nb, d, &same);
	crm_rec_free(ra);
	crm_rec_free(rb);
	return s;
}

/*
 * Every pair of a block: the reason its key gives.  Keys sort strong
 * first (A e-mail, B phone), then the weak (C company domain, N name,
 * S similar name).  A pair with only weak reasons scores at most 0.79;
 * when asked for more, weak blocks only add to pairs a strong one
 * found, and a million people of common names make no pairs at all.
 */
static void
pairs(crm_txn *t, struct dctx *d, int kind, const uint64_t *ids, size_t n)
{
	static const char kinds[] = "ABNSC";
	int weak = kind >= 'C', add = !weak || d->min <= 0.79;
	size_t i, j;

	/* a block of hundreds is a common name, not a customer twice */
	if (n < 2 || n > 64)
		return;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			struct pair *p;
			double s = 0;

			if (!add && !(p = pair_of(d, ids[i], ids[j], 0)))
				continue;
			if (kind == 'S' || kind == 'C') {
				s = similarity(t, ids[i], ids[j], d);
				if (s < 0.75)
					continue;
			}
			p = pair_of(d, ids[i], ids[j], 1);
			p->reasons |= 1u << (strchr(kinds, kind) - kinds);
			if (kind == 'C')
				p->reasons |= R_SIMILAR;
			if (s > p->sim)
				p->sim = s;
		}
}

/* The company domain of an e-mail address, or NULL for a free mail
 * provider's (which says nothing of a company). */
static const char *
domain_of(const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;
	size_t i;

	if (!at)
		return NULL;
	for (i = 0; free_mail[i]; i++)
		if (!strcasecmp(free_mail[i], at + 1))
			return NULL;
	return at + 1;
}

/*
 * A pair an e-mail or a phone found: its names and company domains
 * compared directly.  The blocks that would say so may be too big to be
 * read: a common name is shared by hundreds of a million people.
 */
static void
relate(crm_txn *t, struct dctx *d, struct pair *p)
{
	const char *na, *nb, *da, *db;
	crm_rec *ra, *rb;
	double s;
	int same;

	if (crm_rec_get(t, p->a, &ra))
		return;
	if (crm_rec_get(t, p->b, &rb)) {
		crm_rec_free(ra);
		return;
	}
	if ((na = crm_rec_value(ra, "name")) &&
	    (nb = crm_rec_value(rb, "name"))) {
		s = names_alike(na, nb, d, &same);
		if (same) {
			p->reasons |= R_NAME;
			s = 1;
		} else if (s >= 0.75) {
			p->reasons |= R_SIMILAR;
			if (s > p->sim)
				p->sim = s;
		}
		da = domain_of(crm_rec_value(ra, "email"));
		db = domain_of(crm_rec_value(rb, "email"));
		if (s >= 0.75 && da && db && !strcasecmp(da, db))
			p->reasons |= R_DOMAIN;
	}
	crm_rec_free(ra);
	crm_rec_free(rb);
}

static double
score(const struct pair *p)
{
	double miss = 1;

	if (p->reasons & R_EMAIL)
		miss *= 0.05;
	if (p->reasons & R_PHONE)
		miss *= 0.15;
	if (p->reasons & R_NAME)
		miss *= 0.3;
	else if (p->reasons & R_SIMILAR)
		miss *= 1 - 0.6 * p->sim;
	if (p->reasons & R_DOMAIN)
		miss *= 0.7;
	return 1 - miss;
}

static int
best_first(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;
	double x = score(a), y = score(b);

	if (x != y)
		return x > y ? -1 : 1;
	return a->a != b->a ? (a->a < b->a ? -1 : 1) :
	    (a->b < b->b ? -1 : a->b > b->b);
}

int
crm_dupes(crm_txn *t, const char *type, double min,
    int (*fn)(uint64_t a, uint64_t b, double score, const char *why,
    void *arg), void *arg)
{
	struct dctx d;
	struct crm_ids blk = { 0 };
	struct crm_buf prev = CRM_BUF_INIT, why = CRM_BUF_INIT;
	const void *key;
	size_t klen, i, k;
	uint32_t tag;
	int rc, kind = 0;

	memset(&d, 0, sizeof d);
	d.min = min;
	if (!(d.type = crm_schema_type(crm_txn_schema(t), type)))
		return crm_seterr(CRM_EINVAL, "unknown type '%s'", type);
	d.s = crm_sorter_new((size_t)64 << 20);
	if ((rc = crm_scan(t, type, keys, &d)) ||
	    (rc = crm_sorter_finish(d.s)))
		goto out;
	/* runs of one key: a block */
	while (!(rc = crm_sorter_next(d.s, &key, &klen, &tag))) {
		size_t vlen = klen - 8;

		if (prev.len != vlen || memcmp(prev.buf, key, vlen)) {
			pairs(t, &d, kind, blk.v, blk.n);
			blk.n = 0;
			crm_buf_reset(&prev);
			crm_buf_add(&prev, key, vlen);
			kind = *(const char *)key;
		}
		crm_ids_add(&blk, tag);
	}
	if (rc != CRM_ENOTFOUND)
		goto out;
	pairs(t, &d, kind, blk.v, blk.n);
	rc = 0;
	for (i = 0; i < d.np; i++)
		if (d.p[i].reasons & (R_EMAIL | R_PHONE))
			relate(t, &d, &d.p[i]);
	qsort(d.p, d.np, sizeof *d.p, best_first);
	for (i = 0; i < d.np && !rc; i++) {
		double s = score(&d.p[i]);

		if (s < min)
			break;
		crm_buf_reset(&why);
		for (k = 0; k < 5; k++)
			if (d.p[i].reasons & 1u << k &&
			    !(k == 3 && d.p[i].reasons & R_NAME))
				crm_buf_addf(&why, "%s%s", why.len ? ", " : "",
				    reason_names[k]);
		rc = fn(d.p[i].a, d.p[i].b, s, why.buf, arg);
	}
out:
	crm_sorter_free(d.s);
	crm_ids_release(&blk);
	crm_buf_release(&prev);
	crm_buf_release(&why);
	crm_buf_release(&d.k);
	crm_buf_release(&d.name);
	crm_buf_release(&d.coarse);
	crm_buf_release(&d.mail);
	free(d.p);
	free(d.hash);
	return rc;
}

/* ------------------------------------------------------------ merge */

static int
has_value(const crm_rec *r, unsigned fid, const char *v, size_t len)
{
	const char *x;
	size_t i, n;

	for (i = 0; (x = crm_rec_nth(r, fid, i, &n)); i++)
		if (n == len && !memcmp(x, v, n))
			return 1;
	return 0;
}

/* What points at drop points at keep. */
static int
move_refs(crm_txn *t, uint64_t keep, uint64_t drop)
{
	const crm_schema *s = crm_txn_schema(t);
	struct crm_ids refs = { 0 };
	char kb[24];
	size_t i, j, n;
	int rc = 0;

	snprintf(kb, sizeof kb, "%llu", (unsigned long long)keep);
	for (i = 0; i < s->ntypes && !rc; i++)
		for (j = 0; j < s->types[i].nfields && !rc; j++) {
			const struct crm_field *f = &s->types[i].fields[j];

			if (f->type != FT_REF)
				continue;
			refs.n = 0;
			if ((rc = crm_find_refs(t, f->name, drop, &refs)) ==
			    CRM_ENOTFOUND)
				rc = 0;
			crm_ids_sort(&refs);
			for (n = 0; n < refs.n && !rc; n++) {
				crm_rec *o;

				if (refs.v[n] == drop ||
				    (rc = crm_rec_get(t, refs.v[n], &o)))
					continue;
				if (o->type == &s->types[i]) {
					crm_rec_unlink(o, f->fid, drop);
					if (!has_value(o, f->fid, kb,
					    strlen(kb)))
						crm_rec_add_raw(o, f->fid, kb,
						    strlen(kb));
					rc = crm_rec_put(t, o);
				}
				crm_rec_free(o);
			}
		}
	crm_ids_release(&refs);
	return rc;
}

/* keep takes drop's fields where it has none, all its tags; a value
 * of drop's that differs from keep's goes into note, if one is given. */
static void
fill(crm_rec *keep, const crm_rec *drop, struct crm_buf *note)
{
	const struct crm_field *nf = crm_type_field(keep->type, "note");
	const char *x;
	size_t i, j, n;

	for (i = 0; i < keep->type->nfields; i++) {
		const struct crm_field *f = &keep->type->fields[i];
		int had = crm_rec_nth(keep, f->fid, 0, NULL) != NULL;

		for (j = 0; (x = crm_rec_nth(drop, f->fid, j, &n)); j++) {
			if (has_value(keep, f->fid, x, n))
				continue;
			if (!had || f->type == FT_TAGS)
				crm_rec_add_raw(keep, f->fid, x, n);
			else if (!note)
				;
			else if (f != nf)
				crm_buf_addf(note, "%s%s (merged from %llu): "
				    "%s", note->len ? "\n" : "", f->name,
				    (unsigned long long)drop->id, x);
			else
				crm_buf_addf(note, "%s%s", note->len ? "\n" :
				    "", x);
		}
	}
}

void
crm_rec_fill(crm_rec *keep, const crm_rec *src)
{
	fill(keep, src, NULL);
}

/* keep takes drop's fields where it has none, all its tags; a value
 * of drop's that differs from keep's goes into the note. */
static int
merge_fields(crm_rec *keep, const crm_rec *drop)
{
	struct crm_buf note = CRM_BUF_INIT, v = CRM_BUF_INIT;
	const struct crm_field *nf = crm_type_field(keep->type, "note");
	const char *x;
	size_t n;
	int rc = 0;

	fill(keep, drop, &note);
	if (note.len && nf) {
		x = crm_rec_nth(keep, nf->fid, 0, &n);
		if (x)
			crm_buf_addf(&v, "%s\n", x);
		crm_buf_add(&v, note.buf, note.len);
		crm_rec_drop(keep, nf->fid);
		crm_rec_add_raw(keep, nf->fid, v.buf, v.len);
	}
	crm_buf_release(&note);
	crm_buf_release(&v);
	return rc;
}

/*
 * A merged record's uid and e-mail that the record kept has not (they
 * went into its note) go on finding it, so an import of the merged
 * record's card updates the record kept instead of adding the customer
 * again.  Meta "merged:FIELD:VALUE" (the value folded, as an index key)
 * names the merged id, which is an alias; "aliaskeys:ID" lists the
 * merged id's keys, "FIELD<TAB>VALUE" a line, for its export, its undo
 * and crm-forget.
 */
static const char *const alias_fields[] = { "uid", "email", NULL };

static void
alias_key(struct crm_buf *k, const char *field, const char *v, size_t n)
{
	size_t start, i;

	crm_buf_reset(k);
	crm_buf_addf(k, "merged:%s:", field);
	start = k->len;
	crm_fold(k, v, n);
	if (k->len - start > 400)	/* LMDB keys hold 511 bytes */
		crm_buf_setlen(k, start + 400);
	for (i = start; i < k->len; i++)
		if ((unsigned char)k->buf[i] < 0x20)
			k->buf[i] = ' ';
}

static int
is_alias_field(const char *name, size_t n)
{
	size_t i;

	for (i = 0; alias_fields[i]; i++)
		if (strlen(alias_fields[i]) == n &&
		    !memcmp(alias_fields[i], name, n))
			return 1;
	return 0;
}

int
crm_alias_keys_add(crm_txn *t, uint64_t alias, const char *field,
    const char *v, size_t n)
{
	struct crm_buf k = CRM_BUF_INIT, list = CRM_BUF_INIT;
	char key[40], id[24];
	size_t at;
	int rc;

	if (!is_alias_field(field, strlen(field)))
		return crm_seterr(CRM_EINVAL, "%s: not a key a merged record "
		    "keeps", field);
	snprintf(key, sizeof key, "aliaskeys:%llu", (unsigned long long)alias);
	snprintf(id, sizeof id, "%llu", (unsigned long long)alias);
	alias_key(&k, field, v, n);
	if ((rc = crm_meta_get(t, key, &list)) && rc != CRM_ENOTFOUND)
		goto out;
	at = list.len;
	/* the list's line: the key after "merged:", its ':' a tab */
	crm_buf_addstr(&list, k.buf + 7);
	list.buf[at + strlen(field)] = '\t';
	crm_buf_addch(&list, '\n');
	if (!(rc = crm_meta_put(t, k.buf, id, strlen(id))))
		rc = crm_meta_put(t, key, list.buf, list.len);
out:
	crm_buf_release(&k);
	crm_buf_release(&list);
	return rc;
}

int
crm_alias_keys(crm_txn *t, uint64_t alias,
    int (*fn)(const char *field, const char *value, void *arg), void *arg)
{
	struct crm_buf list = CRM_BUF_INIT;
	char key[40], *p, *tab, *nl;
	int rc;

	snprintf(key, sizeof key, "aliaskeys:%llu", (unsigned long long)alias);
	if ((rc = crm_meta_get(t, key, &list))) {
		crm_buf_release(&list);
		return rc == CRM_ENOTFOUND ? 0 : rc;
	}
	for (p = list.buf; !rc && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if ((tab = strchr(p, '\t'))) {
			*tab = 0;
			rc = fn(p, tab + 1, arg);
		}
	}
	crm_buf_release(&list);
	return rc;
}

struct dropping {
	crm_txn *t;
	uint64_t alias;
};

/* A key goes unless a later merge made it another merged id's. */
static int
drop_key(const char *field, const char *value, void *arg)
{
	struct dropping *d = arg;
	struct crm_buf k = CRM_BUF_INIT, id = CRM_BUF_INIT;
	int rc;

	crm_buf_addf(&k, "merged:%s:%s", field, value);
	if (!(rc = crm_meta_get(d->t, k.buf, &id)) &&
	    strtoull(id.buf, NULL, 10) == d->alias)
		rc = crm_meta_del(d->t, k.buf);
	crm_buf_release(&k);
	crm_buf_release(&id);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

int
crm_alias_keys_drop(crm_txn *t, uint64_t alias)
{
	struct dropping d = { t, alias };
	char key[40];
	int rc;

	snprintf(key, sizeof key, "aliaskeys:%llu", (unsigned long long)alias);
	if (!(rc = crm_alias_keys(t, alias, drop_key, &d)))
		rc = crm_meta_del(t, key);
	return rc;
}

int
crm_alias_find(crm_txn *t, const char *field, const char *v, uint64_t *alias)
{
	struct crm_buf k = CRM_BUF_INIT, id = CRM_BUF_INIT;
	int rc;

	alias_key(&k, field, v, strlen(v));
	if (!(rc = crm_meta_get(t, k.buf, &id)))
		*alias = strtoull(id.buf, NULL, 10);
	crm_buf_release(&k);
	crm_buf_release(&id);
	return rc;
}

/* drop's uid and e-mail that keep has not (merged) find keep. */
static int
keep_keys(crm_txn *t, const crm_rec *keep, const crm_rec *drop)
{
	const struct crm_field *f;
	const char *x;
	size_t i, j, n;
	int rc = 0;

	for (i = 0; alias_fields[i] && !rc; i++) {
		if (!(f = crm_type_field(drop->type, alias_fields[i])))
			continue;
		for (j = 0; !rc && (x = crm_rec_nth(drop, f->fid, j, &n)); j++)
			if (!has_value(keep, f->fid, x, n))
				rc = crm_alias_keys_add(t, drop->id,
				    alias_fields[i], x, n);
	}
	return rc;
}

/* The company of a record, 0 if none. */
static uint64_t
company_id(crm_txn *t, uint64_t id)
{
	crm_rec *r;
	const char *v;
	uint64_t c = 0;

	if (crm_rec_get(t, id, &r))
		return 0;
	if (crm_type_field(r->type, "company") &&
	    (v = crm_rec_value(r, "company")))
		c = strtoull(v, NULL, 10);
	crm_rec_free(r);
	return c;
}

int
crm_rec_merge_ids(crm_txn *t, uint64_t *keepp, uint64_t *dropp)
{
	uint64_t keep = *keepp, drop = *dropp, ck, cd;
	crm_rec *k = NULL, *d = NULL;
	char key[40], val[24];
	int rc;

	if (keep == drop)
		return crm_seterr(CRM_EINVAL, "%llu is %llu: nothing to merge",
		    (unsigned long long)keep, (unsigned long long)drop);
	if ((rc = crm_rec_get(t, keep, &k)) || (rc = crm_rec_get(t, drop, &d)))
		goto out;
	if (k->id == d->id)	/* merged before: an alias of keep */
		goto out;
	if (k->type != d->type) {
		rc = crm_seterr(CRM_EINVAL, "%llu is a %s, %llu a %s: not one "
		    "customer", (unsigned long long)keep, k->type->name,
		    (unsigned long long)drop, d->type->name);
		goto out;
	}
	*keepp = keep = k->id;
	*dropp = drop = d->id;
	crm_rec_free(k);
	k = NULL;
	cd = company_id(t, drop);
	if ((rc = move_refs(t, keep, drop)) ||
	    (rc = crm_log_move(t, drop, keep)) ||
	    (rc = crm_rec_del(t, drop, CRM_DEL_UNLINK, NULL)) ||
	    (rc = crm_rec_get(t, keep, &k)) || (rc = merge_fields(k, d)) ||
	    (rc = crm_rec_put(t, k)) || (rc = keep_keys(t, k, d)))
		goto out;
	/* the figures, counted anew where the history went */
	ck = company_id(t, keep);
	if ((rc = crm_log_refigure(t, keep)) ||
	    (ck && (rc = crm_log_refigure(t, ck))) ||
	    (cd && cd != ck && (rc = crm_log_refigure(t, cd))))
		goto out;
	/* the id stays: what was written down about it still finds it */
	snprintf(key, sizeof key, "alias:%llu", (unsigned long long)drop);
	snprintf(val, sizeof val, "%llu", (unsigned long long)keep);
	rc = crm_meta_put(t, key, val, strlen(val));
out:
	if (rc == CRM_ENOTFOUND)
		rc = crm_seterr(CRM_EINVAL, "no record %llu", (unsigned long
		    long)(k ? drop : keep));
	crm_rec_free(k);
	crm_rec_free(d);
	return rc;
}
