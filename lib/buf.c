/* buf.c - growable buffers and allocation that cannot fail */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crm.h"

char crm_buf_slopbuf[1];

/*
 * Memory first touched takes a fault a page: a bulk write of a million
 * records, its B-tree pages and its sort filling hundreds of megabytes,
 * spent a sixth of its time there at 4 KiB a fault.  Large blocks, and
 * the heap once a write is bulk (crm_heap_huge), are asked for in huge
 * pages, 2 MiB a fault, where the system gives them on request.
 */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_BLOCK ((size_t)4 << 20)	/* blocks this large go huge */
#define HEAP_PAD (64 << 20)		/* the heap grows this much at once */

void
crm_mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1),
	    hi = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);

	if (lo < hi)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* The heap from here on, and each time it has grown since. */
void
crm_heap_huge(void)
{
	static uintptr_t done;
	uintptr_t hi = (uintptr_t)sbrk(0);

	if (hi == (uintptr_t)-1)
		return;
	if (!done) {
		mallopt(M_TOP_PAD, HEAP_PAD);
		done = hi;
	}
	if (hi > done)
		crm_mem_huge((void *)done, hi - done);
	done = hi;
}

void *
crm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	if (n >= HUGE_BLOCK)
		crm_mem_huge(p, n);
	return p;
}

/* A large block is moved by hand, so that the copy lands on pages
 * already advised. */
void *
crm_xrealloc(void *p, size_t n)
{
	size_t had;
	void *q;

	if (!p)
		return crm_xmalloc(n);
	if (n < HUGE_BLOCK) {
		if (!(q = realloc(p, n ? n : 1)))
			abort();
		return q;
	}
	if ((had = malloc_usable_size(p)) >= n)
		return p;
	q = crm_xmalloc(n);
	memcpy(q, p, had);
	free(p);
	return q;
}

char *
crm_xstrndup(const char *s, size_t n)
{
	char *p = crm_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

int
crm_strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
crm_buf_init(struct crm_buf *b, size_t hint)
{
	b->buf = crm_buf_slopbuf;
	b->len = b->alloc = 0;
	if (hint)
		crm_buf_grow(b, hint);
}

void
crm_buf_release(struct crm_buf *b)
{
	if (b->alloc)
		free(b->buf);
	crm_buf_init(b, 0);
}

char *
crm_buf_detach(struct crm_buf *b, size_t *lenp)
{
	char *p;

	crm_buf_grow(b, 0);
	p = b->buf;
	if (lenp)
		*lenp = b->len;
	crm_buf_init(b, 0);
	return p;
}

void
crm_buf_grow(struct crm_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;

	if (want <= b->alloc)
		return;
	if (want < 2 * b->alloc)
		want = 2 * b->alloc;
	if (want < 64)
		want = 64;
	if (!b->alloc)
		b->buf = NULL;
	b->buf = crm_xrealloc(b->buf, want);
	b->alloc = want;
	b->buf[b->len] = 0;
}

void
crm_buf_setlen(struct crm_buf *b, size_t len)
{
	if (len > b->len)
		crm_buf_grow(b, len - b->len);
	b->len = len;
	if (b->alloc)
		b->buf[len] = 0;
}

void
crm_buf_addstr(struct crm_buf *b, const char *s)
{
	crm_buf_add(b, s, strlen(s));
}

void
crm_buf_vaddf(struct crm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	crm_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		crm_buf_grow(b, (size_t)n);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
crm_buf_addf(struct crm_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crm_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

size_t
crm_i64toa(char b[24], int64_t v, int width)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char tmp[24];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n < (size_t)width && n < 20)
		tmp[n++] = '0';
	if (v < 0)
		b[i++] = '-';
	while (n)
		b[i++] = tmp[--n];
	b[i] = 0;
	return i;
}
