/* vcard.c - vCard 2.1, 3.0 and 4.0: reading cards one at a time, writing
 * content lines
 *
 * The reader takes what exporters write, not only what the RFCs allow:
 * LF or CRLF (or CR CR LF), 2.1's bare parameters and quoted-printable
 * values broken with '=' at the end of a line (Outlook), CHARSET, and text
 * in windows-1252 that declares no charset.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm.h"

enum { NOMARK, BEGIN, END };

/* Is the line BEGIN:VCARD or END:VCARD? */
static int
marker(const char *s, size_t n)
{
	if (!n || ((s[0] | 0x20) != 'b' && (s[0] | 0x20) != 'e'))
		return NOMARK;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 11 && !strncasecmp(s, "BEGIN:VCARD", 11))
		return BEGIN;
	if (n == 9 && !strncasecmp(s, "END:VCARD", 9))
		return END;
	return NOMARK;
}

/* Does the part before the value say ENCODING=QUOTED-PRINTABLE (or 2.1's
 * bare QUOTED-PRINTABLE)? */
static int
isqp(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != ':'; i++)
		if ((s[i] | 0x20) == 'q' && n - i >= 16 &&
		    !strncasecmp(s + i, "QUOTED-PRINTABLE", 16))
			return 1;
	return 0;
}

/* The next line without its CRs: the look-ahead, else from in. */
static int
rawline(crm_input *in, struct crm_vcard *c, char **sp, size_t *np)
{
	int rc;

	if (c->has_pending) {
		c->has_pending = 0;
		*sp = c->pending.buf;
		*np = c->pending.len;
		return 0;
	}
	if ((rc = crm_input_line(in, sp, np)))
		return rc;
	while (*np && (*sp)[*np - 1] == '\r')
		--*np;
	return 0;
}

/*
 * The next content line, unfolded (RFC 6350 3.2), into l; *linep is where
 * it starts.  The line after it is read to see whether it continues it,
 * and kept in c->pending when it does not.  Blank lines and BEGIN/END are
 * never continued, so that nothing is read past a card's END.
 */
static int
logical(crm_input *in, struct crm_vcard *c, struct crm_buf *l,
    size_t *linep)
{
	char *s;
	size_t n;
	int rc, qp;

	if (c->has_pending) {
		/* the look-ahead becomes the line: the buffers trade */
		struct crm_buf tmp = *l;

		*l = c->pending;
		c->pending = tmp;
		c->has_pending = 0;
	} else {
		if ((rc = rawline(in, c, &s, &n)))
			return rc;
		crm_buf_reset(l);
		crm_buf_add(l, s, n);
	}
	*linep = crm_input_lineno(in);
	s = l->buf;
	n = l->len;
	if (n && (s[0] == ' ' || s[0] == '\t') && strspn(s, " \t") >= n)
		crm_buf_setlen(l, n = 0);
	if (!n || marker(s, n))
		return 0;
	qp = isqp(l->buf, l->len);
	while (!(rc = rawline(in, c, &s, &n))) {
		if (qp && l->buf[l->len - 1] == '=' && marker(s, n) != END) {
			/* a quoted-printable soft line break */
			crm_buf_setlen(l, l->len - 1);
			crm_buf_add(l, s, n);
		} else if (n && (s[0] == ' ' || s[0] == '\t')) {
			crm_buf_add(l, s + 1, n - 1);
		} else {
			crm_buf_reset(&c->pending);
			crm_buf_add(&c->pending, s, n);
			c->has_pending = 1;
			return 0;
		}
	}
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

static void
upcase(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s -= 'a' - 'A';
}

/*
 * A card's strings go into blocks that are never moved, so that what
 * points into them stays good while the card is read; the blocks are
 * kept from card to card.  (A string a property, a name and value each
 * parameter, was a malloc apiece.)
 */
struct crm_vblock {
	struct crm_vblock *next;
	size_t size, used;
	char buf[];
};

#define VBLOCK 16384

/* A copy of s[0..n), NUL-ended, that lasts as long as the card. */
static char *
vstr(struct crm_vcard *c, const char *s, size_t n)
{
	struct crm_vblock *b = c->cur, *nb;
	char *p;

	if (!b || b->size - b->used <= n) {
		/* the blocks after the current one are the card's unused */
		if (b && b->next && b->next->size > n) {
			b = b->next;
		} else {
			size_t size = n < VBLOCK ? VBLOCK : n + 1;

			nb = crm_xmalloc(sizeof *nb + size);
			nb->size = size;
			nb->used = 0;
			nb->next = b ? b->next : NULL;
			if (b)
				b->next = nb;
			else
				c->blocks = nb;
			b = nb;
		}
		c->cur = b;
	}
	p = b->buf + b->used;
	memcpy(p, s, n);
	p[n] = 0;
	b->used += n + 1;
	return p;
}

static void
addparam(struct crm_vcard *c, struct crm_vprop *p, const char *name,
    size_t len, const char *value, size_t vlen)
{
	struct crm_vparam *v;

	if (c->nparams == c->palloc) {
		c->palloc = c->palloc ? 2 * c->palloc : 64;
		c->params = crm_xrealloc(c->params, c->palloc *
		    sizeof *c->params);
	}
	v = &c->params[c->nparams++];
	v->name = vstr(c, name, len);
	upcase(v->name);
	v->value = vstr(c, value, vlen);
	/* the array may have moved: the earlier properties' are set at
	 * the end of the card */
	p->nparam++;
	p->param = c->params + p->param0;
}

/* The value of the first parameter called name, or NULL. */
static const char *
param(const struct crm_vprop *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nparam; i++)
		if (p->param[i].name[0] == name[0] &&
		    !strcmp(p->param[i].name, name))
			return p->param[i].value;
	return NULL;
}

/*
 * One parameter after a ';': NAME=VALUE, the value maybe quoted (RFC 6350
 * 5) with RFC 6868's ^n ^^ ^' inside, or 2.1's bare TYPE or ENCODING
 * value.  Returns where it ends.
 */
static const char *
parseparam(struct crm_vcard *c, struct crm_vprop *p, const char *s,
    struct crm_buf *v)
{
	size_t n = strcspn(s, "=;:");
	const char *name = s;
	int q = 0;

	if (s[n] != '=') {
		if (!n)
			return s;
		if ((n == 16 && !strncasecmp(s, "QUOTED-PRINTABLE", n)) ||
		    (n == 6 && !strncasecmp(s, "BASE64", n)))
			addparam(c, p, "ENCODING", 8, s, n);
		else
			addparam(c, p, "TYPE", 4, s, n);
		return s + n;
	}
	crm_buf_reset(v);
	for (s += n + 1; *s && (q || (*s != ';' && *s != ':')); s++) {
		if (*s == '"') {
			q = !q;
		} else if (*s == '^' && s[1] == 'n') {
			crm_buf_addch(v, '\n');
			s++;
		} else if (*s == '^' && s[1] == '\'') {
			crm_buf_addch(v, '"');
			s++;
		} else if (*s == '^' && s[1] == '^') {
			crm_buf_addch(v, '^');
			s++;
		} else {
			crm_buf_addch(v, *s);
		}
	}
	addparam(c, p, name, n, v->len ? v->buf : "", v->len);
	return s;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode quoted-printable (RFC 2045 6.7); '=' not before two hex digits
 * is kept as it is. */
static void
qpdecode(struct crm_buf *v, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			crm_buf_addch(v, hexval(s[i + 1]) << 4 |
			    hexval(s[i + 2]));
			i += 2;
		} else {
			crm_buf_addch(v, s[i]);
		}
	}
}

/* Drop NUL bytes, and make CRLF and CR newlines. */
static void
tidy(struct crm_buf *v)
{
	size_t i, j = 0;

	/* mostly there is nothing to drop */
	if (!v->len || (!memchr(v->buf, '\r', v->len) &&
	    strlen(v->buf) == v->len))
		return;
	for (i = 0; i < v->len; i++) {
		if (v->buf[i] == 0 || (v->buf[i] == '\r' && i + 1 < v->len &&
		    v->buf[i + 1] == '\n'))
			continue;
		v->buf[j++] = v->buf[i] == '\r' ? '\n' : v->buf[i];
	}
	crm_buf_setlen(v, j);
}

/* Convert v from charset cs to UTF-8: 0, or -1 for an unknown charset,
 * or EILSEQ for bytes that are not in it. */
static int
convert(struct crm_buf *v, const char *cs)
{
	struct crm_buf out = CRM_BUF_INIT;
	iconv_t cd = iconv_open("UTF-8", cs);
	char *ip = v->buf, *op;
	size_t il = v->len, ol, r;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return -1;
	crm_buf_grow(&out, 2 * il + 16);
	for (;;) {
		op = out.buf + out.len;
		ol = out.alloc - out.len - 1;
		r = iconv(cd, &ip, &il, &op, &ol);
		crm_buf_setlen(&out, (size_t)(op - out.buf));
		if (r != (size_t)-1)
			break;
		if (errno != E2BIG) {
			rc = EILSEQ;
			break;
		}
		crm_buf_grow(&out, 2 * il + 16);
	}
	iconv_close(cd);
	if (!rc) {
		crm_buf_release(v);
		*v = out;
	} else {
		crm_buf_release(&out);
	}
	return rc;
}

/* Replace what is not UTF-8 with U+FFFD. */
static void
replace(struct crm_buf *v)
{
	struct crm_buf out = CRM_BUF_INIT;
	size_t i, n;

	for (i = 0; i < v->len; i += n) {
		unsigned char ch = (unsigned char)v->buf[i];

		n = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
		if (i + n <= v->len && crm_utf8_valid(v->buf + i, n)) {
			crm_buf_add(&out, v->buf + i, n);
		} else {
			crm_buf_addstr(&out, "\xef\xbf\xbd");
			n = 1;
		}
	}
	crm_buf_release(v);
	*v = out;
}

/* The value decoded and in UTF-8, into v. */
static int
decode(struct crm_vprop *p, const char *s, size_t n, struct crm_buf *v)
{
	const char *enc = param(p, "ENCODING"), *cs = param(p, "CHARSET");
	size_t i;
	int rc;

	crm_buf_reset(v);
	if (enc && (!strcasecmp(enc, "b") || !strcasecmp(enc, "BASE64"))) {
		/* base64 is left to the importer, but without the blanks
		 * of folding */
		for (i = 0; i < n; i++)
			if (s[i] != ' ' && s[i] != '\t')
				crm_buf_addch(v, s[i]);
		cs = NULL;
	} else if (enc && !strcasecmp(enc, "QUOTED-PRINTABLE")) {
		qpdecode(v, s, n);
	} else {
		crm_buf_add(v, s, n);
	}
	tidy(v);
	if (cs && strcasecmp(cs, "UTF-8") && strcasecmp(cs, "UTF8")) {
		if ((rc = convert(v, cs)) < 0)
			return crm_seterr(CRM_EINVAL, "line %zu: unknown "
			    "charset '%s'", p->line, cs);
		if (rc)
			return crm_seterr(CRM_EINVAL, "line %zu: %s is not in "
			    "charset '%s'", p->line, p->name, cs);
		tidy(v);
	} else if (!crm_utf8_valid(v->buf, v->len)) {
		/* no charset: most likely an old Windows export */
		if (cs || (convert(v, "WINDOWS-1252") &&
		    convert(v, "ISO-8859-1")))
			replace(v);
	}
	return 0;
}

static struct crm_vprop *
newprop(struct crm_vcard *c)
{
	struct crm_vprop *p;

	if (c->nprop == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 32;
		c->prop = crm_xrealloc(c->prop, c->alloc * sizeof *c->prop);
	}
	p = &c->prop[c->nprop++];
	memset(p, 0, sizeof *p);
	p->param0 = c->nparams;
	return p;
}

/* One content line: [group.]NAME *(;PARAM) : VALUE. */
static int
parseprop(struct crm_vcard *c, const char *s, size_t len, size_t line,
    struct crm_buf *v)
{
	const char *e = s + len, *q = s + strcspn(s, ";:"), *dot;
	struct crm_vprop *p;
	size_t n;
	int rc;

	if (q == s || !*q)
		return crm_seterr(CRM_EINVAL, "line %zu: expected "
		    "NAME:VALUE", line);
	p = newprop(c);
	p->line = line;
	if ((dot = memchr(s, '.', (size_t)(q - s)))) {
		p->group = vstr(c, s, (size_t)(dot - s));
		s = dot + 1;
	}
	p->name = vstr(c, s, (size_t)(q - s));
	upcase(p->name);
	while (*q == ';')
		q = parseparam(c, p, q + 1, v);
	if (*q != ':')
		return crm_seterr(CRM_EINVAL, "line %zu: expected ':' after "
		    "the parameters of %s", line, p->name);
	q++;
	n = (size_t)(e - q);
	if (!param(p, "ENCODING") && !param(p, "CHARSET") &&
	    !memchr(q, '\r', n) && crm_utf8_valid(q, n)) {
		/* as it stands, as most values are */
		p->len = n;
		p->value = vstr(c, q, n);
	} else {
		if ((rc = decode(p, q, n, v)))
			return rc;
		p->len = v->len;
		p->value = vstr(c, v->len ? v->buf : "", v->len);
	}
	if (p->name[0] == 'V' && !strcmp(p->name, "VERSION"))
		c->version = p->value;
	return 0;
}

static void
clear(struct crm_vcard *c)
{
	struct crm_vblock *b;

	for (b = c->blocks; b; b = b->next)
		b->used = 0;
	c->cur = c->blocks;
	c->nprop = c->nparams = 0;
	c->version = NULL;
}

void
crm_vcard_release(struct crm_vcard *c)
{
	struct crm_vblock *b, *next;

	for (b = c->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(c->prop);
	free(c->params);
	crm_buf_release(&c->pending);
	crm_buf_release(&c->cur_line);
	crm_buf_release(&c->val);
	memset(c, 0, sizeof *c);
	crm_buf_init(&c->pending, 0);
	crm_buf_init(&c->cur_line, 0);
	crm_buf_init(&c->val, 0);
}

/* Skip a card inside the card (2.1's AGENT), up to its END. */
static int
skipcard(crm_input *in, struct crm_vcard *c, struct crm_buf *l)
{
	size_t depth = 1, line;
	int rc, m;

	while (depth) {
		if ((rc = logical(in, c, l, &line)))
			return rc;
		if ((m = marker(l->buf, l->len)) == BEGIN)
			depth++;
		else if (m == END)
			depth--;
	}
	return 0;
}

/* Up to END:VCARD: the first error is kept, the rest of the card read. */
static int
readbody(crm_input *in, struct crm_vcard *c, struct crm_buf *l)
{
	struct crm_buf *v = &c->val;
	size_t line, i;
	int rc, err = 0, m;

	while (!(rc = logical(in, c, l, &line))) {
		if (!l->len)
			continue;
		if ((m = marker(l->buf, l->len)) == END)
			break;
		if (m == BEGIN && c->nprop &&
		    !strcmp(c->prop[c->nprop - 1].name, "AGENT")) {
			if ((rc = skipcard(in, c, l)))
				break;
		} else if (m == BEGIN) {
			/* read it again as the next card */
			crm_buf_reset(&c->pending);
			crm_buf_add(&c->pending, l->buf, l->len);
			c->has_pending = 1;
			rc = crm_seterr(CRM_EINVAL, "line %zu: no END:VCARD "
			    "before the BEGIN:VCARD of line %zu", c->line,
			    line);
			break;
		} else if (!err) {
			err = parseprop(c, l->buf, l->len, line, v);
		}
	}
	/* the parameters' array is whole now */
	for (i = 0; i < c->nprop; i++)
		c->prop[i].param = c->prop[i].nparam ? c->params +
		    c->prop[i].param0 : NULL;
	if (rc == CRM_ENOTFOUND)
		return crm_seterr(CRM_EINVAL, "line %zu: no END:VCARD before "
		    "the end of the input", c->line);
	return rc ? rc : err;
}

int
crm_vcard_read(crm_input *in, struct crm_vcard *c)
{
	struct crm_buf *l = &c->cur_line;
	size_t line;
	int rc;

	clear(c);
	do {
		rc = logical(in, c, l, &line);
	} while (!rc && !l->len);
	if (!rc && marker(l->buf, l->len) != BEGIN)
		rc = crm_seterr(CRM_EINVAL, "line %zu: expected BEGIN:VCARD",
		    line);
	if (!rc) {
		c->line = line;
		rc = readbody(in, c, l);
	}
	if (rc)
		clear(c);
	return rc;
}

const struct crm_vprop *
crm_vcard_get(const struct crm_vcard *c, const char *name, size_t nth)
{
	size_t i;

	/* names are upper case: the first letter tells most apart */
	for (i = 0; i < c->nprop; i++)
		if ((c->prop[i].name[0] | 0x20) == (name[0] | 0x20) &&
		    !strcasecmp(c->prop[i].name, name) && !nth--)
			return &c->prop[i];
	return NULL;
}

/* Where component s ends: at its separator (one not escaped) or at the
 * end of the value. */
static const char *
comp_end(const char *s, int sep)
{
	const char stop[] = { '\\', (char)sep, 0 };

	for (s += strcspn(s, stop); *s == '\\'; s += strcspn(s, stop))
		s += s[1] ? 2 : 1;
	return s;
}

const char *
crm_vcard_next(const char *s, int sep, struct crm_buf *out)
{
	const char stop[] = { '\\', (char)sep, 0 };
	size_t n;

	/* a run at a time, up to each escape; a backslash that ends the
	 * value stays as it is */
	for (;;) {
		n = strcspn(s, stop);
		crm_buf_add(out, s, n);
		s += n;
		if (*s != '\\')
			break;
		if (!s[1]) {
			crm_buf_addch(out, '\\');
			s++;
			break;
		}
		crm_buf_addch(out, s[1] == 'n' || s[1] == 'N' ? '\n' : s[1]);
		s += 2;
	}
	return *s ? s + 1 : NULL;
}

int
crm_vcard_part(const char *value, int sep, size_t n, struct crm_buf *out)
{
	const char *s = value, *e;
	size_t k;

	for (k = 0; k < n; k++, s = e + 1)
		if (!*(e = comp_end(s, sep)))
			return 0;
	crm_vcard_next(s, sep, out);
	return 1;
}

/*
 * A photo as a data: URI into out, of a value in base64 (vCard 2.1 and
 * 3.0 write the image so, its TYPE beside it), or as it is when it is a
 * URI already.
 */
void
crm_photo_uri(const struct crm_vprop *p, struct crm_buf *out)
{
	static const char *const known[] = { "jpeg", "png", "gif", "bmp",
		"tiff", "webp", NULL };
	const char *v = p->value, *type = NULL, *t;
	size_t i, k;

	if (!strncasecmp(v, "data:", 5) || strstr(v, "://")) {
		crm_buf_addstr(out, v);
		return;
	}
	for (i = 0; i < p->nparam && !type; i++) {
		if (strcasecmp(p->param[i].name, "TYPE"))
			continue;
		t = p->param[i].value;
		if (!strncasecmp(t, "image/", 6))
			t += 6;
		for (k = 0; known[k] && !type; k++)
			if (!strcasecmp(t, known[k]) || (!strcasecmp(t,
			    "jpg") && !k))
				type = known[k];
	}
	if (!type)
		type = crm_photo_type(v);
	crm_buf_addf(out, "data:image/%s;base64,", type ? type : "jpeg");
	for (; *v; v++)
		if (!strchr(" \t\r\n", *v))
			crm_buf_addch(out, *v);
}

/* The image type of base64 data by its first bytes, or NULL. */
const char *
crm_photo_type(const char *b64)
{
	if (!strncmp(b64, "/9j/", 4))
		return "jpeg";
	if (!strncmp(b64, "iVBOR", 5))
		return "png";
	if (!strncmp(b64, "R0lGOD", 6))
		return "gif";
	return NULL;
}

int
crm_vprop_has(const struct crm_vprop *p, const char *name,
    const char *value)
{
	size_t i, n = strlen(value);
	const char *s, *e;

	for (i = 0; i < p->nparam; i++) {
		if (strcasecmp(p->param[i].name, name))
			continue;
		for (s = p->param[i].value; ; s = e + 1) {
			e = s + strcspn(s, ",");
			if ((size_t)(e - s) == n && !strncasecmp(s, value, n))
				return 1;
			if (!*e)
				break;
		}
	}
	return 0;
}

void
crm_vcard_escape(struct crm_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == ';') {
			crm_buf_addch(b, '\\');
			crm_buf_addch(b, *s);
		} else if (*s == '\n') {
			crm_buf_addstr(b, "\\n");
		} else if (*s != '\r') {
			crm_buf_addch(b, *s);
		}
	}
}

/* vCard's content lines are iCalendar's (RFC 6350 3.2, RFC 5545 3.1),
 * and so is the escaping of text (3.4, 3.3.11). */
void
crm_vcard_line(struct crm_buf *b, const char *name, const char *params,
    const char *value, int raw)
{
	struct crm_buf n = CRM_BUF_INIT;

	crm_buf_addstr(&n, name);
	if (params && *params) {
		crm_buf_addch(&n, ';');
		crm_buf_addstr(&n, params);
	}
	crm_ical_prop(b, n.buf, value, !raw);
	crm_buf_release(&n);
}
