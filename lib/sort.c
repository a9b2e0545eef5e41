/* sort.c - external sort of index entries in bounded memory
 *
 * New records' index entries are sorted before they go into LMDB, so that
 * they land in key order (appended where they follow every key there).
 * Past the memory bound, sorted runs go to an unlinked temporary file and
 * are merged at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define HDR 14			/* u16 klen, u32 tag, u64 id */
#define RUNBUF (256 << 10)

struct ent {
	uint64_t pfx;		/* first key bytes, big-endian: cheap compare */
	size_t off;
};

struct run {
	off_t pos, end;
	unsigned char *buf;
	size_t len, at;
	int live;
};

struct crm_sorter {
	size_t mem;
	struct crm_buf data;
	struct ent *ent;
	size_t n, alloc, next, total;
	FILE *tmp;
	struct run *run;
	size_t nrun;
	int merging;
	struct crm_buf cur;
};

struct crm_sorter *
crm_sorter_new(size_t membytes)
{
	struct crm_sorter *s = calloc(1, sizeof *s);

	s->mem = membytes;
	crm_buf_init(&s->data, 0);
	crm_buf_init(&s->cur, 0);
	return s;
}

void
crm_sorter_reset(struct crm_sorter *s)
{
	size_t i;

	for (i = 0; i < s->nrun; i++)
		free(s->run[i].buf);
	free(s->run);
	s->run = NULL;
	s->nrun = 0;
	if (s->tmp)
		fclose(s->tmp);
	s->tmp = NULL;
	crm_buf_reset(&s->data);
	s->n = s->next = s->total = 0;
	s->merging = 0;
}

void
crm_sorter_free(struct crm_sorter *s)
{
	if (!s)
		return;
	crm_sorter_reset(s);
	crm_buf_release(&s->data);
	crm_buf_release(&s->cur);
	free(s->ent);
	free(s);
}

size_t
crm_sorter_count(const struct crm_sorter *s)
{
	return s->total;
}

static uint64_t
prefix(const unsigned char *k, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (i < len ? k[i] : 0);
	return v;
}

static int
cmp_raw(const unsigned char *a, const unsigned char *b)
{
	size_t al = (size_t)(a[0] << 8 | a[1]), bl = (size_t)(b[0] << 8 | b[1]);
	int c = memcmp(a + HDR, b + HDR, al < bl ? al : bl);

	if (c)
		return c;
	if (al != bl)
		return al < bl ? -1 : 1;
	return memcmp(a + 6, b + 6, 8);	/* ids, big-endian */
}

static const unsigned char *sortbase;

static int
cmp_ent(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	return cmp_raw(sortbase + a->off, sortbase + b->off);
}

static void
sort_mem(struct crm_sorter *s)
{
	sortbase = (const unsigned char *)s->data.buf;
	qsort(s->ent, s->n, sizeof *s->ent, cmp_ent);
}

static size_t
entlen(const unsigned char *p)
{
	return HDR + (size_t)(p[0] << 8 | p[1]);
}

static int
spill(struct crm_sorter *s)
{
	struct run *r;
	size_t i;
	off_t start;

	if (!s->tmp && !(s->tmp = tmpfile()))
		return crm_seterr(errno, "cannot sort: %s", strerror(errno));
	sort_mem(s);
	fseeko(s->tmp, 0, SEEK_END);
	start = ftello(s->tmp);
	for (i = 0; i < s->n; i++) {
		const unsigned char *p = (const unsigned char *)s->data.buf +
		    s->ent[i].off;

		fwrite(p, 1, entlen(p), s->tmp);
	}
	if (fflush(s->tmp) || ferror(s->tmp))
		return crm_seterr(errno ? errno : EIO, "cannot sort: %s",
		    strerror(errno ? errno : EIO));
	s->run = crm_xrealloc(s->run, (s->nrun + 1) * sizeof *s->run);
	r = &s->run[s->nrun++];
	memset(r, 0, sizeof *r);
	r->pos = start;
	r->end = ftello(s->tmp);
	s->n = 0;
	crm_buf_reset(&s->data);
	return 0;
}

void
crm_sorter_add(struct crm_sorter *s, const void *key, size_t klen,
    uint64_t id, uint32_t tag)
{
	unsigned char h[HDR];

	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 1024;
		s->ent = crm_xrealloc(s->ent, s->alloc * sizeof *s->ent);
	}
	s->ent[s->n].pfx = prefix(key, klen);
	s->ent[s->n].off = s->data.len;
	s->n++;
	s->total++;
	h[0] = (unsigned char)(klen >> 8);
	h[1] = (unsigned char)klen;
	h[2] = (unsigned char)(tag >> 24);
	h[3] = (unsigned char)(tag >> 16);
	h[4] = (unsigned char)(tag >> 8);
	h[5] = (unsigned char)tag;
	crm_be64(h + 6, id);
	crm_buf_add(&s->data, h, HDR);
	crm_buf_add(&s->data, key, klen);
	if (s->data.len + s->n * sizeof *s->ent > s->mem && spill(s))
		s->merging = -1;	/* reported by finish */
}

/* Make sure the run has a whole entry at r->at; 0 at its end. */
static int
fill(struct crm_sorter *s, struct run *r)
{
	size_t have = r->len - r->at, want;
	ssize_t got;

	if (have >= 2 && have >= entlen(r->buf + r->at))
		return 1;
	memmove(r->buf, r->buf + r->at, have);
	r->len = have;
	r->at = 0;
	want = RUNBUF - have;
	if ((off_t)want > r->end - r->pos)
		want = (size_t)(r->end - r->pos);
	if (want) {
		got = pread(fileno(s->tmp), r->buf + have, want, r->pos);
		if (got < 0)
			return -1;
		r->pos += got;
		r->len += (size_t)got;
	}
	return r->len >= 2 && r->len >= entlen(r->buf);
}

int
crm_sorter_finish(struct crm_sorter *s)
{
	size_t i;

	if (s->merging < 0)
		return CRM_ESTORE;
	s->next = 0;
	if (!s->nrun) {
		sort_mem(s);
		return 0;
	}
	if (s->n && spill(s))
		return CRM_ESTORE;
	for (i = 0; i < s->nrun; i++) {
		s->run[i].buf = crm_xmalloc(RUNBUF);
		if ((s->run[i].live = fill(s, &s->run[i])) < 0)
			return crm_seterr(errno, "cannot sort: %s",
			    strerror(errno));
	}
	s->merging = 1;
	return 0;
}

static void
unpack(const unsigned char *p, const void **key, size_t *klen, uint64_t *id,
    uint32_t *tag)
{
	*klen = (size_t)(p[0] << 8 | p[1]);
	*tag = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 |
	    (uint32_t)p[4] << 8 | p[5];
	*id = crm_get_be64(p + 6);
	*key = p + HDR;
}

int
crm_sorter_next(struct crm_sorter *s, const void **key, size_t *klen,
    uint64_t *id, uint32_t *tag)
{
	struct run *best = NULL;
	const unsigned char *p;
	size_t i;

	if (!s->merging) {
		if (s->next >= s->n)
			return CRM_ENOTFOUND;
		unpack((const unsigned char *)s->data.buf +
		    s->ent[s->next++].off, key, klen, id, tag);
		return 0;
	}
	for (i = 0; i < s->nrun; i++) {
		struct run *r = &s->run[i];

		if (r->live && (!best || cmp_raw(r->buf + r->at,
		    best->buf + best->at) < 0))
			best = r;
	}
	if (!best)
		return CRM_ENOTFOUND;
	p = best->buf + best->at;
	crm_buf_reset(&s->cur);
	crm_buf_add(&s->cur, p, entlen(p));
	best->at += entlen(p);
	if ((best->live = fill(s, best)) < 0)
		return crm_seterr(errno, "cannot sort: %s", strerror(errno));
	unpack((const unsigned char *)s->cur.buf, key, klen, id, tag);
	return 0;
}
