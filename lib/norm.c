/* norm.c - case and accent folding, name tokens, edit distance, hashes */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "crm.h"
#include "internal.h"

#define FOLD_FLAGS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
	UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

/*
 * Letters that Unicode does not make of a letter and a mark, so that
 * taking the marks off leaves them: a Pole's Ł, a Dane's Ø, a Croat's
 * Đ are written L, O and D where the letter is not to hand.  Each as
 * what utf8proc folds it to (two bytes), and its letters.
 */
static const struct {
	char from[3], to[3];
} unstroked[] = {
	{ "\xc3\xb8", "o" },	/* ø */
	{ "\xc3\xb0", "d" },	/* ð */
	{ "\xc3\xbe", "th" },	/* þ */
	{ "\xc3\xa6", "ae" },	/* æ */
	{ "\xc4\x91", "d" },	/* đ */
	{ "\xc4\xa7", "h" },	/* ħ */
	{ "\xc4\xb1", "i" },	/* ı */
	{ "\xc5\x82", "l" },	/* ł */
	{ "\xc5\x93", "oe" },	/* œ */
	{ "\xc5\xa7", "t" },	/* ŧ */
};

/* utf8proc's folding of s (n bytes) into out, with those letters as
 * their plain ones */
static void
unstroke(struct crm_buf *out, const utf8proc_uint8_t *s, size_t n)
{
	size_t i, k, run = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != 0xc3 && s[i] != 0xc4 && s[i] != 0xc5)
			continue;
		for (k = 0; k < sizeof unstroked / sizeof *unstroked; k++)
			if (!memcmp(s + i, unstroked[k].from, 2))
				break;
		if (k == sizeof unstroked / sizeof *unstroked)
			continue;
		crm_buf_add(out, s + run, i - run);
		crm_buf_addstr(out, unstroked[k].to);
		run = i + 2;
		i++;
	}
	crm_buf_add(out, s + run, n - run);
}

/*
 * The folding of each code point below U+0300 (Latin letters with their
 * accents), worked out once by utf8proc: most names need nothing else.
 */
#define FAST 0x300
static struct {
	unsigned char len;
	char s[7];
} fast[FAST];

static void
fast_init(void)
{
	struct crm_buf b = CRM_BUF_INIT;
	utf8proc_uint8_t in[4], *out;
	utf8proc_ssize_t n, k;
	int cp;

	for (cp = 0; cp < FAST; cp++) {
		k = utf8proc_encode_char(cp, in);
		n = utf8proc_map(in, k, &out, FOLD_FLAGS);
		if (n >= 0) {
			crm_buf_reset(&b);
			unstroke(&b, out, (size_t)n);
		}
		if (n >= 0 && b.len <= sizeof fast[cp].s) {
			memcpy(fast[cp].s, b.buf, b.len);
			fast[cp].len = (unsigned char)b.len;
		} else {
			fast[cp].len = 0xff;	/* not in the table */
		}
		free(out);
	}
	fast[0].len = 0xff;
	crm_buf_release(&b);
}

/* s with A-Z lowered, every other byte kept: text that is not UTF-8 */
static void
ascii_lower(struct crm_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		crm_buf_addch(out, c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

static void
fold_slow(struct crm_buf *out, const char *s, size_t len)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;

	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
	    &dst, FOLD_FLAGS);
	if (n < 0) {
		ascii_lower(out, s, len);	/* not UTF-8 */
		return;
	}
	unstroke(out, dst, (size_t)n);
	free(dst);
}

void
crm_fold(struct crm_buf *out, const char *s, size_t len)
{
	static int ready;
	size_t start = out->len, i = 0;
	char *d;

	crm_buf_grow(out, 2 * len);
	d = out->buf + out->len;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint64_t w, up;
		int cp;

		/* eight ASCII bytes at once: A-Z are those that reach 0x80
		 * when 0x3f is added and not when 0x25 is */
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				up = (w + 0x3f3f3f3f3f3f3f3fULL) &
				    ~(w + 0x2525252525252525ULL) &
				    0x8080808080808080ULL;
				w |= up >> 2;
				memcpy(d, &w, 8);
				d += 8;
				i += 8;
				continue;
			}
		}
		if (c < 0x80) {
			*d++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
			continue;
		}
		/* two-byte sequences up to U+02FF: C2..CB */
		if (c < 0xc2 || c > 0xcb || i + 1 >= len ||
		    ((unsigned char)s[i + 1] & 0xc0) != 0x80)
			goto slow;
		cp = (c & 0x1f) << 6 | ((unsigned char)s[i + 1] & 0x3f);
		if (!ready) {
			fast_init();
			ready = 1;
		}
		/* at most two bytes out for each byte in, as for ASCII: a
		 * letter that folds to more (1/4 is five bytes) takes the
		 * slow way, or the ASCII after it would pass the end */
		if (fast[cp].len > 4)
			goto slow;
		/* a combining mark next to it changes the letter */
		if (i + 2 < len && (unsigned char)s[i + 2] >= 0xcc)
			goto slow;
		memcpy(d, fast[cp].s, fast[cp].len);
		d += fast[cp].len;
		i += 2;
	}
	crm_buf_setlen(out, (size_t)(d - out->buf));
	return;
slow:
	crm_buf_setlen(out, start);
	fold_slow(out, s, len);
}

void
crm_casefold(struct crm_buf *out, const char *s, size_t len)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n = -1;
	size_t i;

	for (i = 0; i < len && !((unsigned char)s[i] & 0x80); i++)
		;
	if (i < len)
		n = utf8proc_map((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)len, &dst, UTF8PROC_STABLE |
		    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (n >= 0) {
		crm_buf_add(out, (const char *)dst, (size_t)n);
		free(dst);
		return;
	}
	ascii_lower(out, s, len);	/* ASCII, or not UTF-8 */
}

int
crm_fold_eq(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;
	int eq;

	/* ASCII folds a byte to a byte: compared as it goes */
	for (; *p && *p < 0x80 && *q && *q < 0x80; p++, q++)
		if ((*p >= 'A' && *p <= 'Z' ? *p + 32 : *p) !=
		    (*q >= 'A' && *q <= 'Z' ? *q + 32 : *q))
			return 0;
	if (!*p && !*q)
		return 1;
	/* the rest folded, with the letter before: a mark may change it */
	if (p > (const unsigned char *)a) {
		p--;
		q--;
	}
	crm_fold(&x, (const char *)p, strlen((const char *)p));
	crm_fold(&y, (const char *)q, strlen((const char *)q));
	eq = !strcmp(x.buf, y.buf);
	crm_buf_release(&x);
	crm_buf_release(&y);
	return eq;
}

/* Letters and digits make tokens; the rest (spaces, dashes, dots) part
 * them. */
static int
tokchar(const char *s, size_t len, size_t *n)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	unsigned char c = (unsigned char)*s;

	if (c < 0x80) {
		*n = 1;
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
	}
	k = utf8proc_iterate((const utf8proc_uint8_t *)s,
	    (utf8proc_ssize_t)len, &cp);
	if (k < 1) {
		*n = 1;
		return 0;
	}
	*n = (size_t)k;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
		return 1;
	default:
		return 0;
	}
}

int
crm_tokens(const char *s, size_t len,
    int (*fn)(const char *tok, size_t len, void *arg), void *arg)
{
	struct crm_buf f = CRM_BUF_INIT;
	size_t i = 0, start, n;
	int rc = 0;

	crm_fold(&f, s, len);
	while (i < f.len && !rc) {
		while (i < f.len && !tokchar(f.buf + i, f.len - i, &n))
			i += n;
		start = i;
		while (i < f.len && tokchar(f.buf + i, f.len - i, &n))
			i += n;
		if (i > start)
			rc = fn(f.buf + start, i - start, arg);
	}
	crm_buf_release(&f);
	return rc;
}

/* Edit distance counting a swap of two neighbours as one edit ("nmae"). */
size_t
crm_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d, *m;

	m = crm_xmalloc((la + 1) * (lb + 1) * sizeof *m);
#define M(i, j) m[(i) * (lb + 1) + (j)]
	for (i = 0; i <= la; i++)
		M(i, 0) = i;
	for (j = 0; j <= lb; j++)
		M(0, j) = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			d = M(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
			if (M(i - 1, j) + 1 < d)
				d = M(i - 1, j) + 1;
			if (M(i, j - 1) + 1 < d)
				d = M(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && M(i - 2, j - 2) + 1 < d)
				d = M(i - 2, j - 2) + 1;
			M(i, j) = d;
		}
	d = M(la, lb);
#undef M
	free(m);
	return d;
}

int
crm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e;

	if (!len)	/* an empty buffer may have no storage at all */
		return 1;
	for (e = p + len; p < e;) {
		unsigned c = *p;
		size_t n, k;
		unsigned long cp;
		uint64_t w;

		/* most text is ASCII: eight bytes at a time while no byte
		 * has its top bit set and none is 0 */
		if (e - p >= 8) {
			memcpy(&w, p, 8);
			if (!((w | ((w - 0x0101010101010101ULL) & ~w)) &
			    0x8080808080808080ULL)) {
				p += 8;
				continue;
			}
		}
		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(e - p) <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Eight bytes as a number, the first the lowest, on any machine. */
static uint64_t
le64(const unsigned char *p, size_t n)
{
	uint64_t w = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&w, p, n);
#else
	while (n--)
		w = w << 8 | p[n];
#endif
	return w;
}

uint64_t
crm_hash(const void *p, size_t n)
{
	const unsigned char *k = p;
	const uint64_t m = 0xff51afd7ed558ccdULL;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	for (; n >= 8; k += 8, n -= 8) {
		h = (h ^ le64(k, 8)) * m;
		h ^= h >> 32;
	}
	if (n)
		h = (h ^ le64(k, n)) * m;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h;
}
