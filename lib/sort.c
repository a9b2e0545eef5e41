/* sort.c - external sort of index keys in bounded memory
 *
 * New records' index keys are sorted before they go into LMDB, so that
 * they land in key order (appended where they follow every key there).
 * Keys are sorted by a radix sort on their first eight bytes, then runs
 * that share those bytes are put in order by comparing the rest; they
 * arrive in id order, and most such runs already are.  Past the memory
 * bound, sorted runs go to an unlinked temporary file and are merged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define HDR 6			/* u16 key length, u32 tag */
#define RUNBUF (256 << 10)

struct ent {
	uint64_t pfx;		/* the first key bytes, big-endian */
	size_t off;
};

struct run {
	off_t pos, end;
	unsigned char *buf;
	size_t len, at;
};

struct crm_sorter {
	size_t mem;
	struct crm_buf data;
	struct ent *ent, *tmp;
	size_t n, alloc, next, total;
	FILE *file;
	struct run *run;
	size_t nrun;
	size_t *heap, nheap;	/* runs by their current key */
	int merging, failed;
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
	free(s->heap);
	s->run = NULL;
	s->heap = NULL;
	s->nrun = s->nheap = 0;
	if (s->file)
		fclose(s->file);
	s->file = NULL;
	crm_buf_reset(&s->data);
	s->n = s->next = s->total = 0;
	s->merging = s->failed = 0;
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
	free(s->tmp);
	free(s);
}

size_t
crm_sorter_runs(const struct crm_sorter *s)
{
	return s->nrun;
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

static size_t
keylen(const unsigned char *p)
{
	return (size_t)(p[0] << 8 | p[1]);
}

static int
cmp_raw(const unsigned char *a, const unsigned char *b)
{
	size_t al = keylen(a), bl = keylen(b);
	int c = memcmp(a + HDR, b + HDR, al < bl ? al : bl);

	if (c)
		return c;
	return (al > bl) - (al < bl);
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

/*
 * LSD radix sort on the prefix, skipping equal digits: 16 bits a pass
 * for many entries, 8 for fewer, where clearing and summing 65,536
 * counts four times would cost more than the entries.
 */
static void
radix(struct ent *e, struct ent *tmp, size_t n)
{
	static size_t count[1 << 16];
	struct ent *src = e, *dst = tmp, *sw;
	size_t i, sum, c, nb;
	int shift, bits = n >= 1 << 14 ? 16 : 8;
	uint64_t mask;

	nb = (size_t)1 << bits;
	mask = nb - 1;
	for (shift = 0; shift < 64; shift += bits) {
		memset(count, 0, nb * sizeof *count);
		for (i = 0; i < n; i++)
			count[src[i].pfx >> shift & mask]++;
		if (count[src[0].pfx >> shift & mask] == n)
			continue;
		for (i = sum = 0; i < nb; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[src[i].pfx >> shift & mask]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != e)
		memcpy(e, src, n * sizeof *e);
}

/*
 * Sort n entries whose keys agree in their first depth bytes: radix sort
 * on the next eight, then the same for each run that agrees on those.
 * Entries arrive in id order, so runs of one value are often sorted.
 */
static void
sort_range(struct ent *e, struct ent *tmp, size_t n, size_t depth)
{
	size_t i, j, k;

	if (n < 2)
		return;
	if (depth) {
		for (i = 0; i < n; i++) {
			const unsigned char *p = sortbase + e[i].off;

			if (i + 16 < n)
				__builtin_prefetch(sortbase + e[i + 16].off);
			size_t len = keylen(p);

			e[i].pfx = prefix(p + HDR + (depth < len ? depth :
			    len), depth < len ? len - depth : 0);
		}
	}
	if (n < 512 || depth > 512)
		qsort(e, n, sizeof *e, cmp_ent);
	else
		radix(e, tmp, n);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && e[j].pfx == e[i].pfx; j++)
			;
		for (k = i + 1; k < j; k++)
			if (cmp_raw(sortbase + e[k - 1].off,
			    sortbase + e[k].off) > 0)
				break;
		if (k < j)
			sort_range(e + i, tmp, j - i, depth + 8);
	}
}

static void
sort_mem(struct crm_sorter *s)
{
	if (s->n < 2)
		return;
	sortbase = (const unsigned char *)s->data.buf;
	s->tmp = crm_xrealloc(s->tmp, s->alloc * sizeof *s->tmp);
	sort_range(s->ent, s->tmp, s->n, 0);
}

static int
spill(struct crm_sorter *s)
{
	struct run *r;
	size_t i;
	off_t start;

	if (!s->file && !(s->file = tmpfile()))
		return crm_seterr(errno, "cannot sort: %s", strerror(errno));
	sort_mem(s);
	fseeko(s->file, 0, SEEK_END);
	start = ftello(s->file);
	crm_buf_reset(&s->cur);
	for (i = 0; i < s->n; i++) {
		const unsigned char *p = (const unsigned char *)s->data.buf +
		    s->ent[i].off;

		if (i + 16 < s->n)
			__builtin_prefetch(s->data.buf + s->ent[i + 16].off);
		crm_buf_add(&s->cur, p, HDR + keylen(p));
		if (s->cur.len >= RUNBUF || i + 1 == s->n) {
			fwrite(s->cur.buf, 1, s->cur.len, s->file);
			crm_buf_reset(&s->cur);
		}
	}
	if (fflush(s->file) || ferror(s->file))
		return crm_seterr(errno ? errno : EIO, "cannot sort: %s",
		    strerror(errno ? errno : EIO));
	s->run = crm_xrealloc(s->run, (s->nrun + 1) * sizeof *s->run);
	r = &s->run[s->nrun++];
	memset(r, 0, sizeof *r);
	r->pos = start;
	r->end = ftello(s->file);
	s->n = 0;
	crm_buf_reset(&s->data);
	return 0;
}

/* How many entries a run holds: their array, and the radix sort's
 * copy of it, in half the memory. */
static size_t
maxent(const struct crm_sorter *s)
{
	size_t n = s->mem / (4 * sizeof(struct ent));

	return n > 1024 ? n : 1024;
}

void
crm_sorter_add(struct crm_sorter *s, const void *key, size_t klen,
    uint32_t tag)
{
	unsigned char h[HDR];

	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 1024;
		if (s->alloc > maxent(s))
			s->alloc = maxent(s);
		s->ent = crm_xrealloc(s->ent, s->alloc * sizeof *s->ent);
	}
	s->ent[s->n].pfx = prefix(key, klen);
	s->ent[s->n].off = s->data.len;
	s->n++;
	s->total++;
	h[0] = (unsigned char)(klen >> 8);
	h[1] = (unsigned char)klen;
	crm_be32(h + 2, tag);
	crm_buf_add(&s->data, h, HDR);
	crm_buf_add(&s->data, key, klen);
	/* half the memory for the keys, half for their entries and as
	 * many again while radix sorting: a run as large as that allows */
	if ((s->n == maxent(s) || s->data.len >= s->mem / 2) &&
	    !s->failed && spill(s))
		s->failed = 1;
}

/* Make sure the run has a whole entry at r->at; 0 at its end. */
static int
fill(struct crm_sorter *s, struct run *r)
{
	size_t have = r->len - r->at, want;
	ssize_t got;

	if (have >= 2 && have >= HDR + keylen(r->buf + r->at))
		return 1;
	memmove(r->buf, r->buf + r->at, have);
	r->len = have;
	r->at = 0;
	want = RUNBUF - have;
	if ((off_t)want > r->end - r->pos)
		want = (size_t)(r->end - r->pos);
	if (want) {
		got = pread(fileno(s->file), r->buf + have, want, r->pos);
		if (got < 0)
			return -1;
		r->pos += got;
		r->len += (size_t)got;
	}
	return r->len >= 2 && r->len >= HDR + keylen(r->buf);
}

static int
less(struct crm_sorter *s, size_t a, size_t b)
{
	struct run *x = &s->run[s->heap[a]], *y = &s->run[s->heap[b]];

	return cmp_raw(x->buf + x->at, y->buf + y->at) < 0;
}

static void
sift(struct crm_sorter *s, size_t i)
{
	size_t m, c, t;

	for (;;) {
		m = i;
		c = 2 * i + 1;
		if (c < s->nheap && less(s, c, m))
			m = c;
		if (c + 1 < s->nheap && less(s, c + 1, m))
			m = c + 1;
		if (m == i)
			return;
		t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

int
crm_sorter_finish(struct crm_sorter *s)
{
	size_t i;
	int live;

	if (s->failed)
		return CRM_ESTORE;
	s->next = 0;
	if (!s->nrun) {
		sort_mem(s);
		return 0;
	}
	if (s->n && spill(s))
		return CRM_ESTORE;
	free(s->tmp);
	s->tmp = NULL;
	s->heap = crm_xmalloc(s->nrun * sizeof *s->heap);
	for (i = 0; i < s->nrun; i++) {
		s->run[i].buf = crm_xmalloc(RUNBUF);
		if ((live = fill(s, &s->run[i])) < 0)
			return crm_seterr(errno, "cannot sort: %s",
			    strerror(errno));
		if (live)
			s->heap[s->nheap++] = i;
	}
	for (i = s->nheap; i-- > 0;)
		sift(s, i);
	s->merging = 1;
	return 0;
}

static void
unpack(const unsigned char *p, const void **key, size_t *klen, uint32_t *tag)
{
	*klen = keylen(p);
	*tag = crm_get_be32(p + 2);
	*key = p + HDR;
}

int
crm_sorter_next(struct crm_sorter *s, const void **key, size_t *klen,
    uint32_t *tag)
{
	struct run *r;
	const unsigned char *p;
	int live;

	if (!s->merging) {
		if (s->next >= s->n)
			return CRM_ENOTFOUND;
		/* entries are read in key order, scattered in memory */
		if (s->next + 16 < s->n)
			__builtin_prefetch(s->data.buf +
			    s->ent[s->next + 16].off);
		unpack((const unsigned char *)s->data.buf +
		    s->ent[s->next++].off, key, klen, tag);
		return 0;
	}
	if (!s->nheap)
		return CRM_ENOTFOUND;
	r = &s->run[s->heap[0]];
	p = r->buf + r->at;
	crm_buf_reset(&s->cur);
	crm_buf_add(&s->cur, p, HDR + keylen(p));
	r->at += HDR + keylen(p);
	if ((live = fill(s, r)) < 0)
		return crm_seterr(errno, "cannot sort: %s", strerror(errno));
	if (!live)
		s->heap[0] = s->heap[--s->nheap];
	sift(s, 0);
	unpack((const unsigned char *)s->cur.buf, key, klen, tag);
	return 0;
}
