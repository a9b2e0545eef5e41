/* sort.c - external sort of index keys in bounded memory
 *
 * New records' index keys are sorted before they go into LMDB, so that
 * they land in key order (appended where they follow every key there).
 * Keys are sorted by a radix sort on their first eight bytes, then runs
 * that share those bytes are put in order by comparing the rest; they
 * arrive in id order, and most such runs already are.  Past the memory
 * bound, sorted runs go to an unlinked temporary file and are merged.
 * A full run is sorted and written by a second thread while the next one
 * fills, so that a bulk write of many runs keeps on parsing meanwhile.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define HDR 6			/* u16 key length, u32 tag */
#define RUNBUF (256 << 10)
#define RADIX_MIN 512		/* fewer entries are left to qsort */

struct ent {
	uint64_t pfx;		/* the first key bytes, big-endian */
	size_t off;
};

struct run {
	off_t pos, end;
	unsigned char *buf;
	size_t len, at;
};

/* The run the second thread sorts and writes; only it touches this
 * while it runs. */
struct behind {
	struct crm_buf data, out;
	struct ent *ent, *tmp;
	size_t n, alloc;
	off_t start, end;
	int err;		/* an errno, or 0 */
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
	struct behind b;
	pthread_t th;
	int busy;		/* 1: the thread runs; 2: done without one */
};

struct crm_sorter *
crm_sorter_new(size_t membytes)
{
	struct crm_sorter *s = calloc(1, sizeof *s);

	s->mem = membytes;
	crm_buf_init(&s->data, 0);
	crm_buf_init(&s->cur, 0);
	crm_buf_init(&s->b.data, 0);
	crm_buf_init(&s->b.out, 0);
	return s;
}

static void
join(struct crm_sorter *s)
{
	if (s->busy == 1)
		pthread_join(s->th, NULL);
	s->busy = 0;
}

void
crm_sorter_reset(struct crm_sorter *s)
{
	size_t i;

	join(s);
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
	crm_buf_release(&s->b.data);
	crm_buf_release(&s->b.out);
	free(s->ent);
	free(s->tmp);
	free(s->b.ent);
	free(s->b.tmp);
	free(s);
}

size_t
crm_sorter_runs(const struct crm_sorter *s)
{
	return s->nrun + (s->busy != 0);
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

/* per thread: the run written behind sorts while another sorter may */
static _Thread_local const unsigned char *sortbase;

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
radix(struct ent *e, struct ent *tmp, size_t n, size_t *count)
{
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
sort_range(struct ent *e, struct ent *tmp, size_t n, size_t depth,
    size_t *count)
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
	if (n < RADIX_MIN || depth > 512)
		qsort(e, n, sizeof *e, cmp_ent);
	else
		radix(e, tmp, n, count);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && e[j].pfx == e[i].pfx; j++)
			;
		for (k = i + 1; k < j; k++)
			if (cmp_raw(sortbase + e[k - 1].off,
			    sortbase + e[k].off) > 0)
				break;
		if (k < j)
			sort_range(e + i, tmp, j - i, depth + 8, count);
	}
}

/* Sort n entries of data (tmp: the radix sort's, grown to alloc). */
static void
sort_ents(const struct crm_buf *data, struct ent *ent, struct ent **tmp,
    size_t n, size_t alloc)
{
	size_t *count;

	if (n < 2)
		return;
	/* the radix sort's counts, 16 bits a digit */
	count = n < RADIX_MIN ? NULL : crm_xmalloc(((size_t)1 << 16) *
	    sizeof *count);
	sortbase = (const unsigned char *)data->buf;
	*tmp = crm_xrealloc(*tmp, alloc * sizeof **tmp);
	sort_range(ent, *tmp, n, 0, count);
	free(count);
}

static void
sort_mem(struct crm_sorter *s)
{
	sort_ents(&s->data, s->ent, &s->tmp, s->n, s->alloc);
}

/* Sort the entries and append them to f as a run, from *start to *end:
 * 0, or an errno. */
static int
write_run(FILE *f, const struct crm_buf *data, struct ent *ent,
    struct ent **tmp, size_t n, size_t alloc, struct crm_buf *out,
    off_t *start, off_t *end)
{
	size_t i;

	sort_ents(data, ent, tmp, n, alloc);
	if (fseeko(f, 0, SEEK_END) || (*start = ftello(f)) < 0)
		return errno ? errno : EIO;
	crm_buf_reset(out);
	for (i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)data->buf +
		    ent[i].off;

		if (i + 16 < n)
			__builtin_prefetch(data->buf + ent[i + 16].off);
		crm_buf_add(out, p, HDR + keylen(p));
		if (out->len >= RUNBUF || i + 1 == n) {
			fwrite(out->buf, 1, out->len, f);
			crm_buf_reset(out);
		}
	}
	if (fflush(f) || ferror(f) || (*end = ftello(f)) < 0)
		return errno ? errno : EIO;
	return 0;
}

static void
add_run(struct crm_sorter *s, off_t start, off_t end)
{
	struct run *r;

	s->run = crm_xrealloc(s->run, (s->nrun + 1) * sizeof *s->run);
	r = &s->run[s->nrun++];
	memset(r, 0, sizeof *r);
	r->pos = start;
	r->end = end;
}

static void *
write_behind(void *arg)
{
	struct crm_sorter *s = arg;
	struct behind *b = &s->b;

	b->err = write_run(s->file, &b->data, b->ent, &b->tmp, b->n,
	    b->alloc, &b->out, &b->start, &b->end);
	return NULL;
}

/* The run written behind is done: one more run, or its error. */
static int
wait_behind(struct crm_sorter *s)
{
	if (!s->busy)
		return 0;
	join(s);
	if (s->b.err)
		return crm_seterr(s->b.err, "cannot sort: %s",
		    strerror(s->b.err));
	add_run(s, s->b.start, s->b.end);
	s->b.n = 0;
	return 0;
}

/* The entries in memory to a run on disk, written behind (by a second
 * thread, or now where none can be had) unless now. */
static int
spill(struct crm_sorter *s, int behind)
{
	struct behind *b = &s->b;
	struct crm_buf d;
	struct ent *e;
	off_t start, end;
	size_t a;
	int rc;

	if (!s->file && !(s->file = crm_tmpfile()))
		return crm_seterr(errno, "cannot sort in %s: %s", crm_tmpdir(),
		    strerror(errno));
	if ((rc = wait_behind(s)))
		return rc;
	if (!behind) {
		if ((rc = write_run(s->file, &s->data, s->ent, &s->tmp, s->n,
		    s->alloc, &s->cur, &start, &end)))
			return crm_seterr(rc, "cannot sort: %s",
			    strerror(rc));
		add_run(s, start, end);
	} else {
		/* the full set goes behind, the one there fills */
		d = b->data, b->data = s->data, s->data = d;
		e = b->ent, b->ent = s->ent, s->ent = e;
		e = b->tmp, b->tmp = s->tmp, s->tmp = e;
		a = b->alloc, b->alloc = s->alloc, s->alloc = a;
		b->n = s->n;
		s->busy = 1;
		if (pthread_create(&s->th, NULL, write_behind, s)) {
			write_behind(s);
			s->busy = 2;
		}
	}
	s->n = 0;
	crm_buf_reset(&s->data);
	return 0;
}

/* How many entries a run holds: their array, and the radix sort's
 * copy of it, in a quarter of the memory (and as much for the run
 * written behind). */
static size_t
maxent(const struct crm_sorter *s)
{
	size_t n = s->mem / (8 * sizeof(struct ent));

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
	/* a quarter of the memory for the keys, a quarter for their
	 * entries and as many again while radix sorting, and the other
	 * half for the run written behind: a run as large as that allows */
	if ((s->n == maxent(s) || s->data.len >= s->mem / 4) &&
	    !s->failed && spill(s, 1))
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
	if (wait_behind(s))
		return CRM_ESTORE;
	s->next = 0;
	if (!s->nrun) {
		sort_mem(s);
		return 0;
	}
	if (s->n && spill(s, 0))
		return CRM_ESTORE;
	free(s->tmp);
	s->tmp = NULL;
	/* the run written behind is on disk: its memory goes to the merge */
	crm_buf_release(&s->b.data);
	free(s->b.ent);
	free(s->b.tmp);
	s->b.ent = s->b.tmp = NULL;
	s->b.alloc = 0;
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
