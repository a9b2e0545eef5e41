/* output.c - the one printer: lines, JSON Lines, templates, cards */
#include <sys/ioctl.h>

#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cjson.h"

#include "internal.h"

enum mode { M_TSV, M_JSON, M_FORMAT };

struct piece {
	char *lit;		/* literal text, or NULL for a field */
	char *field;
};

struct crm_out {
	enum mode mode;
	int term, header, headed, anyname;
	const crm_schema *s;
	char **cols;
	char *num;		/* which cols are numbers in JSON */
	size_t ncols;
	struct piece *pc;
	size_t npc;
	size_t count;
	struct crm_buf line, val, json;
	struct crm_buf batch;	/* exported lines not yet written */
};

static int flush_batch(crm_out *o);

/* Is s a number as JSON writes one (not "1.", "0x1", "inf" or "01")? */
static int
is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return !*s;
}

static int
known(const crm_schema *s, const char *name, const char *what)
{
	const char *dot = strchr(name, '.'), *c;
	struct crm_buf head = CRM_BUF_INIT;
	int ok;

	if (dot && !crm_schema_hasfield(s, name)) {
		crm_buf_add(&head, name, (size_t)(dot - name));
		ok = crm_schema_hasfield(s, head.buf) &&
		    crm_schema_hasfield(s, dot + 1);
		crm_buf_release(&head);
		if (ok)
			return 0;
		return crm_seterr(CRM_EINVAL, "%s: unknown field '%s'", what,
		    name);
	}
	if (crm_schema_hasfield(s, name))
		return 0;
	c = crm_schema_suggest(s, NULL, name);
	if (c)
		return crm_seterr(CRM_EINVAL, "%s: unknown field '%s' (did "
		    "you mean '%s'?)", what, name, c);
	return crm_seterr(CRM_EINVAL, "%s: unknown field '%s'", what, name);
}

static void
addpiece(crm_out *o, char *lit, char *field)
{
	o->pc = crm_xrealloc(o->pc, (o->npc + 1) * sizeof *o->pc);
	o->pc[o->npc].lit = lit;
	o->pc[o->npc].field = field;
	o->npc++;
}

/* A template may name the printer's own columns (a history entry's). */
static int
known_col(const crm_out *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (!strcmp(o->cols[i], name))
			return 1;
	return o->anyname;
}

static int
template(crm_out *o, const char *f)
{
	struct crm_buf lit = CRM_BUF_INIT;
	const char *p, *end;
	int rc;

	for (p = f; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			crm_buf_addch(&lit, *p == 'n' ? '\n' : *p == 't' ?
			    '\t' : *p);
		} else if (*p == '%' && p[1] == '%') {
			crm_buf_addch(&lit, '%');
			p++;
		} else if (*p == '%' && p[1] == '{') {
			if (!(end = strchr(p, '}'))) {
				crm_buf_release(&lit);
				return crm_seterr(CRM_EINVAL, "format: '%%{' "
				    "without '}' at column %zu",
				    (size_t)(p - f) + 1);
			}
			addpiece(o, crm_xstrndup(lit.buf, lit.len), NULL);
			crm_buf_reset(&lit);
			addpiece(o, NULL, crm_xstrndup(p + 2,
			    (size_t)(end - p - 2)));
			if (!known_col(o, o->pc[o->npc - 1].field) &&
			    (rc = known(o->s, o->pc[o->npc - 1].field,
			    "format"))) {
				crm_buf_release(&lit);
				return rc;
			}
			p = end;
		} else {
			crm_buf_addch(&lit, *p);
		}
	}
	addpiece(o, crm_buf_detach(&lit, NULL), NULL);
	return 0;
}

int
crm_out_new(crm_out **op, const struct crm_opts *opt, const crm_schema *s,
    const char *const *cols)
{
	crm_out *o = calloc(1, sizeof *o);
	size_t n;
	int rc;

	*op = NULL;
	o->s = s;
	o->term = opt->nul ? '\0' : '\n';
	o->header = opt->header;
	o->mode = opt->json ? M_JSON : opt->format ? M_FORMAT : M_TSV;
	crm_buf_init(&o->line, 256);
	crm_buf_init(&o->val, 64);
	crm_buf_init(&o->json, 0);
	crm_buf_init(&o->batch, 0);
	for (; cols && *cols; cols++) {
		if (!strcmp(*cols, "*")) {
			o->anyname = 1;	/* a template may name any key */
			continue;
		}
		o->cols = crm_xrealloc(o->cols, (o->ncols + 1) *
		    sizeof *o->cols);
		o->num = crm_xrealloc(o->num, o->ncols + 1);
		n = strlen(*cols);
		o->num[o->ncols] = n > 1 && (*cols)[n - 1] == '#';
		o->cols[o->ncols] = crm_xstrndup(*cols,
		    n - o->num[o->ncols]);
		o->ncols++;
	}
	if (o->mode == M_FORMAT && (rc = template(o, opt->format))) {
		crm_out_free(o);
		return rc;
	}
	*op = o;
	return 0;
}

size_t
crm_out_count(const crm_out *o)
{
	return o->count;
}

int
crm_out_free(crm_out *o)
{
	size_t i;
	int rc = 0;

	if (!o)
		return 0;
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	for (i = 0; i < o->npc; i++) {
		free(o->pc[i].lit);
		free(o->pc[i].field);
	}
	free(o->cols);
	free(o->num);
	free(o->pc);
	crm_buf_release(&o->line);
	crm_buf_release(&o->val);
	rc = flush_batch(o);
	crm_buf_release(&o->json);
	crm_buf_release(&o->batch);
	free(o);
	if (fflush(stdout) || ferror(stdout))
		rc = errno ? errno : EIO;
	return rc;
}

/* A derived figure as text: times in ISO 8601, the rest as kept. */
/* A deal's stages as "lead 2026-11-02T09:00:00+01:00, won ...". */
static void
stages_text(const crm_rec *r, struct crm_buf *out)
{
	const char *v, *sp;
	size_t i;

	for (i = 0; (v = crm_rec_nth(r, FID_STAGES, i, NULL)); i++) {
		if (!(sp = strchr(v, ' ')))
			continue;
		crm_buf_addf(out, "%s%s ", i ? ", " : "", sp + 1);
		crm_datetime_fmt(out, strtoll(v, NULL, 10));
	}
}

/*
 * JSON written straight into a buffer, byte for byte as cJSON prints it
 * unformatted: a tree of allocations built and freed for each record was
 * most of an export's time.  A comma goes before every member and element
 * but the first, which is the one right after its bracket.
 */
static void
jsep(struct crm_buf *b)
{
	char c = b->len ? b->buf[b->len - 1] : '{';

	if (c != '{' && c != '[')
		crm_buf_addch(b, ',');
}

/* Whether none of the 8 bytes at s needs escaping in a JSON string: none
 * below 0x20, no '"', no '\\' (the tests of "Bit Twiddling Hacks"). */
static int
plain8(const char *s)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t x, q, bs;

	memcpy(&x, s, 8);
	q = x ^ (ones * '"');
	bs = x ^ (ones * '\\');
	return !((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
	    ((bs - ones) & ~bs)) & highs);
}

/* Does the byte need escaping in a JSON string?  plain8 for eight. */
static int
special(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return c < 0x20 || c == '"' || c == '\\';
}

/* Whether none of the n bytes at s needs escaping. */
static int
plain(const char *s, size_t n)
{
	if (n < 8) {
		for (; n; n--, s++)
			if (special(s))
				return 0;
		return 1;
	}
	for (; n > 8; s += 8, n -= 8)
		if (!plain8(s))
			return 0;
	/* the last 8, some seen already */
	return plain8(s + n - 8);
}

/*
 * s as a JSON string at p, which has room for 6 * n + 2 bytes (every
 * byte escaped as \u00XX); the place after it.  Runs that need nothing
 * are copied whole.
 */
static char *
jput_str(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *run, *lim, *e = s + n;
	unsigned char c;

	*p++ = '"';
	if (plain(s, n)) {
		memcpy(p, s, n);
		p += n;
		*p++ = '"';
		return p;
	}
	for (;;) {
		run = s;
		for (;;) {
			while (e - s >= 8 && plain8(s))
				s += 8;
			lim = e - s >= 8 ? s + 8 : e;
			while (s < lim && !special(s))
				s++;
			if (s < lim || s == e)
				break;
		}
		memcpy(p, run, (size_t)(s - run));
		p += s - run;
		if (s == e)
			break;
		c = (unsigned char)*s++;
		*p++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*p++ = (char)c;
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p++ = '"';
	return p;
}

/* ,"k": at p, for a name that needs no escaping (room: n + 4) */
static char *
jput_name(char *p, const char *k, size_t n)
{
	*p++ = ',';
	*p++ = '"';
	memcpy(p, k, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p;
}

/* Room for n bytes more at p, the end of what b holds so far; the
 * place to write them, b's memory perhaps moved. */
static char *
jroom(struct crm_buf *b, char *p, size_t n)
{
	b->len = (size_t)(p - b->buf);
	if (b->len + n + 1 > b->alloc)
		crm_buf_grow(b, n);
	return b->buf + b->len;
}

/* b ends at p */
static void
jend(struct crm_buf *b, char *p)
{
	b->len = (size_t)(p - b->buf);
	*p = 0;
}

static void
jstr(struct crm_buf *b, const char *s, size_t n)
{
	jend(b, jput_str(jroom(b, b->buf + b->len, 6 * n + 2), s, n));
}

static void
jkey(struct crm_buf *b, const char *k)
{
	jsep(b);
	jstr(b, k, strlen(k));
	crm_buf_addch(b, ':');
}

static void
jkstr(struct crm_buf *b, const char *k, const char *v)
{
	jkey(b, k);
	jstr(b, v, strlen(v));
}

/* An id as the digits it is, not through a double. */
static void
jkid(struct crm_buf *b, const char *k, uint64_t id)
{
	char d[24];

	jkey(b, k);
	crm_buf_add(b, d, crm_i64toa(d, (int64_t)id, 0));
}

static void
jtime(struct crm_buf *b, int64_t at)
{
	crm_buf_addch(b, '"');
	crm_datetime_fmt(b, at);
	crm_buf_addch(b, '"');
}

/*
 * An amount of money in its one form (0.50, 7.00), whatever form an
 * older crm stored it in (.50, 007.00, -0.00); one that is no amount it
 * can read as it is, and in JSON as a string unless it is a number.
 */
static void
money_text(struct crm_buf *out, const char *v, size_t len)
{
	int64_t x;

	if (!crm_money_parse(v, &x))
		crm_money_fmt(out, x);
	else
		crm_buf_add(out, v, len);
}

static void
money_json(struct crm_buf *b, const char *v, size_t len)
{
	int64_t x;

	if (!crm_money_parse(v, &x))
		crm_money_fmt(b, x);
	else if (is_number(v))
		crm_buf_add(b, v, len);
	else
		jstr(b, v, len);
}

/* [{"stage": "won", "at": "2026-..."}, ...] */
static void
stages_json(struct crm_buf *b, const crm_rec *r)
{
	const char *v, *sp;
	size_t i;

	crm_buf_addch(b, '[');
	for (i = 0; (v = crm_rec_nth(r, FID_STAGES, i, NULL)); i++) {
		if (!(sp = strchr(v, ' ')))
			continue;
		jsep(b);
		crm_buf_addch(b, '{');
		jkstr(b, "stage", sp + 1);
		jkey(b, "at");
		jtime(b, strtoll(v, NULL, 10));
		crm_buf_addch(b, '}');
	}
	crm_buf_addch(b, ']');
}

static void
derived_text(const crm_rec *r, unsigned fid, struct crm_buf *out)
{
	const char *v = crm_rec_nth(r, fid, 0, NULL);

	if (!v) {
		if (fid == FID_INTERACTIONS)
			crm_buf_addch(out, '0');
		return;
	}
	if (fid == FID_STAGES) {
		stages_text(r, out);
		return;
	}
	if (fid == FID_LAST_CONTACT || fid == FID_NEXT_DUE ||
	    fid == FID_CLOSED)
		crm_datetime_fmt(out, strtoll(v, NULL, 10));
	else
		crm_buf_addstr(out, v);
}

/* The text of a field for lines and templates: tags joined with commas. */
static void
text_of(crm_txn *t, const crm_rec *r, const char *name, struct crm_buf *out)
{
	const struct crm_field *f;
	const char *v, *dot;
	size_t i, len;

	if (!strcmp(name, "id")) {
		crm_buf_addf(out, "%llu", (unsigned long long)r->id);
		return;
	}
	if (!strcmp(name, "type")) {
		crm_buf_addstr(out, r->type->name);
		return;
	}
	if (!strcmp(name, "created")) {
		crm_datetime_fmt(out, r->created);
		return;
	}
	for (i = FID_LAST_CONTACT; i < FID_FIRST; i++)
		if (!strcmp(name, crm_derived_names[i])) {
			derived_text(r, (unsigned)i, out);
			return;
		}
	if (!strcmp(name, "open_deals")) {
		if (t && !crm_open_deals(t, r, &i))
			crm_buf_addf(out, "%zu", i);
		return;
	}
	if ((dot = strchr(name, '.')) && !crm_type_field(r->type, name)) {
		struct crm_buf head = CRM_BUF_INIT;
		crm_rec *to;

		crm_buf_add(&head, name, (size_t)(dot - name));
		f = crm_type_field(r->type, head.buf);
		crm_buf_release(&head);
		if (!f || f->type != FT_REF ||
		    !(v = crm_rec_nth(r, f->fid, 0, NULL)) || !t ||
		    crm_rec_get(t, strtoull(v, NULL, 10), &to))
			return;
		text_of(t, to, dot + 1, out);
		crm_rec_free(to);
		return;
	}
	if (!(f = crm_type_field(r->type, name)))
		return;
	for (i = 0; (v = crm_rec_nth(r, f->fid, i, &len)); i++) {
		if (i)
			crm_buf_addch(out, ',');
		if (f->type == FT_DATETIME)
			crm_datetime_fmt(out, strtoll(v, NULL, 10));
		else if (f->type == FT_MONEY)
			money_text(out, v, len);
		else if (f->type == FT_CONSENT)
			crm_buf_add(out, v, strcspn(v, " "));
		else
			crm_buf_add(out, v, len);
	}
}

int
crm_field_check(const crm_schema *s, const char *name, const char *what)
{
	return known(s, name, what);
}

void
crm_rec_text(crm_txn *t, const crm_rec *r, const char *field,
    struct crm_buf *out)
{
	text_of(t, r, field, out);
}

/* {"value": "yes", "at": "2026-...", "source": "web-form"} */
static void
consent_json(struct crm_buf *b, const char *v)
{
	const char *src;
	int64_t at;
	size_t w;

	crm_consent_split(v, &w, &at, &src);
	crm_buf_addch(b, '{');
	jkey(b, "value");
	jstr(b, v, w);
	if (at) {
		jkey(b, "at");
		jtime(b, at);
		jkstr(b, "source", src);
	}
	crm_buf_addch(b, '}');
}

/* a value of a record: its field's place in the type, its own index */
struct slot {
	size_t at, val;
};

/* The open_deals of a record a deal may refer to, -1 for one no deal
 * may (or without t: an export, the records on a card). */
static int
open_of(crm_txn *t, const crm_rec *r, long long *open)
{
	size_t n;
	int rc;

	*open = -1;
	if (!t || !crm_type_dealt(r->schema, r->type))
		return 0;
	if (!(rc = crm_open_deals(t, r, &n)))
		*open = (long long)n;
	return rc;
}

/*
 * A record as JSON, without its closing brace, which the caller adds
 * after anything it appends: its fields in the schema's order, then when
 * it was made and what is derived from its history, and open, its
 * open_deals, unless it is -1.  The few values a
 * record has are put in that order (stably: tags keep theirs) in one
 * pass, not looked up field by field of the schema.
 */
static void
json_of(struct crm_buf *b, const crm_rec *r, int withtype, long long open)
{
	struct slot one[32], *s = r->n <= 32 ? one :
	    crm_xmalloc(r->n * sizeof *s);
	const struct crm_val *dv[FID_FIRST] = { 0 };
	const struct crm_field *f;
	const struct crm_val *x;
	const char *v;
	size_t i, j, k, m = 0, len;
	/* room for all: the type, and a value at worst six bytes a byte
	 * with its name, quotes and commas (times and consents take their
	 * own) */
	static size_t dlen[FID_FIRST];	/* the derived names' lengths */
	size_t tlen = strlen(r->type->name), need = 64 + tlen;
	char *p;

	for (i = 0; i < r->n; i++) {
		need += 6 * (size_t)r->v[i].len + 8;
		if (r->v[i].fid < FID_FIRST) {
			if (!dv[r->v[i].fid])
				dv[r->v[i].fid] = &r->v[i];
			need += 16;
			continue;
		}
		if (!(f = crm_type_field_id(r->type, r->v[i].fid)))
			continue;
		need += f->namelen;
		k = (size_t)(f - r->type->fields);
		for (j = m++; j > 0 && s[j - 1].at > k; j--)
			s[j] = s[j - 1];
		s[j].at = k;
		s[j].val = i;
	}
	p = jroom(b, b->buf + b->len, need);
	memcpy(p, "{\"id\":", 6);
	p += 6;
	p += crm_i64toa(p, (int64_t)r->id, 0);
	if (withtype) {
		p = jput_name(p, "type", 4);
		p = jput_str(p, r->type->name, tlen);
	}
	for (i = 0; i < m; i = j) {
		f = &r->type->fields[s[i].at];
		x = &r->v[s[i].val];
		v = r->arena.buf + x->off;
		len = x->len;
		for (j = i + 1; j < m && s[j].at == s[i].at; j++)
			;
		p = jput_name(p, f->name, f->namelen);
		switch (f->type) {
		case FT_TAGS:
			*p++ = '[';
			for (k = i; k < j; k++) {
				x = &r->v[s[k].val];
				if (k > i)
					*p++ = ',';
				p = jput_str(p, r->arena.buf + x->off, x->len);
			}
			*p++ = ']';
			break;
		case FT_NUMBER:
		case FT_REF:
			memcpy(p, v, len);
			p += len;
			break;
		case FT_MONEY:
			jend(b, p);
			money_json(b, v, len);
			p = jroom(b, b->buf + b->len, need);
			break;
		case FT_BOOL:
			v = strcmp(v, "true") ? "false" : "true";
			memcpy(p, v, strlen(v));
			p += strlen(v);
			break;
		case FT_DATETIME:
			jend(b, p);
			jtime(b, strtoll(v, NULL, 10));
			p = jroom(b, b->buf + b->len, need);
			break;
		case FT_CONSENT:
			jend(b, p);
			consent_json(b, v);
			p = jroom(b, b->buf + b->len, need);
			break;
		default:
			p = jput_str(p, v, len);
		}
	}
	if (s != one)
		free(s);
	p = jput_name(p, "created", 7);
	jend(b, p);
	jtime(b, r->created);
	p = jroom(b, b->buf + b->len, need);
	for (i = FID_LAST_CONTACT; i < FID_FIRST; i++) {
		if (!(x = dv[i]) && i != FID_INTERACTIONS)
			continue;
		v = x ? r->arena.buf + x->off : "0";
		len = x ? x->len : 1;
		if (!dlen[i])
			dlen[i] = strlen(crm_derived_names[i]);
		p = jput_name(p, crm_derived_names[i], dlen[i]);
		if (i == FID_INTERACTIONS || i == FID_TURNOVER) {
			memcpy(p, v, len);
			p += len;
		} else if (i == FID_LAST_CONTACT || i == FID_NEXT_DUE ||
		    i == FID_CLOSED || i == FID_STAGES) {
			jend(b, p);
			if (i == FID_STAGES)
				stages_json(b, r);
			else
				jtime(b, strtoll(v, NULL, 10));
			p = jroom(b, b->buf + b->len, need);
		} else {
			p = jput_str(p, v, len);
		}
	}
	if (open >= 0) {
		p = jroom(b, p, 40);
		p = jput_name(p, "open_deals", 10);
		if (open < 10)		/* mostly: 0 */
			*p++ = (char)('0' + open);
		else
			p += crm_i64toa(p, open, 0);
	}
	jend(b, p);
}

/* The exported lines held back, written: before any other output. */
static int
flush_batch(crm_out *o)
{
	if (!o->batch.len)
		return 0;
	fwrite(o->batch.buf, 1, o->batch.len, stdout);
	crm_buf_reset(&o->batch);
	return ferror(stdout) ? EIO : 0;
}

/* The JSON in o->json as one line. */
static int
emit(crm_out *o)
{
	flush_batch(o);
	fwrite(o->json.buf, 1, o->json.len, stdout);
	putchar(o->term);
	return ferror(stdout) ? EIO : 0;
}

static int
emit_json(crm_out *o, cJSON *j)
{
	struct crm_buf *b = &o->json;

	flush_batch(o);
	/* printed into one buffer, grown until the record fits, instead
	 * of a fresh allocation for each */
	if (b->alloc < 4096)
		crm_buf_grow(b, 4096);
	while (!cJSON_PrintPreallocated(j, b->buf, (int)(b->alloc - 1), 0)) {
		if (b->alloc > (size_t)1 << 30) {
			cJSON_Delete(j);
			return ENOMEM;
		}
		crm_buf_grow(b, b->alloc);
	}
	cJSON_Delete(j);
	fputs(b->buf, stdout);
	putchar(o->term);
	return ferror(stdout) ? EIO : 0;
}

/* -H: the column names, once, before the first line */
static void
header(crm_out *o)
{
	size_t i;

	if (!o->header || o->headed)
		return;
	o->headed = 1;
	for (i = 0; i < o->ncols; i++)
		printf("%s%s", i ? "\t" : "", o->cols[i]);
	putchar(o->term);
}

int
crm_out_rec(crm_out *o, crm_txn *t, const crm_rec *r)
{
	long long open;
	size_t i;
	int rc;

	flush_batch(o);
	if (o->mode == M_JSON) {
		if ((rc = open_of(t, r, &open)))
			return rc;
		o->count++;
		crm_buf_reset(&o->json);
		json_of(&o->json, r, 1, open);
		crm_buf_addch(&o->json, '}');
		return emit(o);
	}
	crm_buf_reset(&o->line);
	if (o->mode == M_FORMAT) {
		o->count++;
		for (i = 0; i < o->npc; i++) {
			if (o->pc[i].field) {
				crm_buf_reset(&o->val);
				text_of(t, r, o->pc[i].field, &o->val);
				crm_escape(&o->line, o->val.buf, o->val.len);
			} else {
				crm_buf_addstr(&o->line, o->pc[i].lit);
			}
		}
		fwrite(o->line.buf, 1, o->line.len, stdout);
		putchar(o->term);
		return ferror(stdout) ? EIO : 0;
	}
	header(o);
	o->count++;
	for (i = 0; i < o->ncols; i++) {
		if (i)
			crm_buf_addch(&o->line, '\t');
		crm_buf_reset(&o->val);
		text_of(t, r, o->cols[i], &o->val);
		crm_escape(&o->line, o->val.buf, o->val.len);
	}
	fwrite(o->line.buf, 1, o->line.len, stdout);
	putchar(o->term);
	return ferror(stdout) ? EIO : 0;
}

static void
log_text(const struct crm_log *e, const char *name, struct crm_buf *out)
{
	const char *v = NULL;
	size_t i, n;

	if (!strcmp(name, "id"))
		crm_buf_addf(out, "%llu", (unsigned long long)e->id);
	else if (!strcmp(name, "record"))
		crm_buf_addf(out, "%llu", (unsigned long long)e->rec);
	else if (!strcmp(name, "at"))
		crm_datetime_fmt(out, e->at);
	else if (!strcmp(name, "kind"))
		v = e->kind;
	else if (!strcmp(name, "text"))
		v = e->text;
	else if (!strcmp(name, "amount") && e->amount && *e->amount)
		money_text(out, e->amount, strlen(e->amount));
	else if (!strcmp(name, "owner"))
		v = e->owner;
	else if (!strcmp(name, "campaign"))
		v = e->campaign;
	else if (!strcmp(name, "dir"))
		v = e->dir;
	else
		for (i = 0, n = strlen(name); i < e->nextra; i++)
			if (!strncmp(e->extra[i], name, n) &&
			    e->extra[i][n] == '=')
				v = e->extra[i] + n + 1;
	if (v)
		crm_buf_addstr(out, v);
}

/*
 * An entry of the history as JSON: its record's id unless withrec is 0,
 * its own fields, then its free ones that do not repeat a name.
 */
static void
log_json(struct crm_buf *b, const struct crm_log *e, int withrec)
{
	static const char *const names[] = { "kind", "text", "owner",
		"campaign", "dir", NULL };
	const char *v[5] = { e->kind, e->text, e->owner, e->campaign, e->dir };
	/* the keys of its own written, to leave out a free field that
	 * repeats one; "record" even when not written, as an export
	 * leaves it out */
	const char *keys[3 + 5 + 1];
	const char *x, *eq;
	size_t i, k, n, nk = 0;

	keys[nk++] = "id";
	keys[nk++] = "at";
	keys[nk++] = "record";
	crm_buf_addch(b, '{');
	jkid(b, "id", e->id);
	jkey(b, "at");
	jtime(b, e->at);
	if (withrec)
		jkid(b, "record", e->rec);
	for (i = 0; names[i]; i++)
		if (v[i] && *v[i]) {
			jkstr(b, names[i], v[i]);
			keys[nk++] = names[i];
		}
	if (e->amount && *e->amount) {
		jkey(b, "amount");
		money_json(b, e->amount, strlen(e->amount));
		keys[nk++] = "amount";
	}
	for (i = 0; i < e->nextra; i++) {
		x = e->extra[i];
		eq = strchr(x, '=');
		n = (size_t)(eq - x);
		for (k = 0; k < nk; k++)
			if (strlen(keys[k]) == n && !strncmp(keys[k], x, n))
				break;
		if (k < nk)
			continue;
		/* or an earlier free field's key ("key=" alike) */
		for (k = 0; k < i; k++)
			if (!strncmp(e->extra[k], x, n + 1))
				break;
		if (k < i)
			continue;
		jsep(b);
		jstr(b, x, n);
		crm_buf_addch(b, ':');
		jstr(b, eq + 1, strlen(eq + 1));
	}
	crm_buf_addch(b, '}');
}

struct export {
	struct crm_buf *b;
	size_t n;		/* entries written */
};

static int
export_entry(const struct crm_log *e, void *arg)
{
	struct export *x = arg;

	if (!x->n++) {
		jkey(x->b, "history");
		crm_buf_addch(x->b, '[');
	}
	jsep(x->b);
	log_json(x->b, e, 0);
	return 0;
}

/* A record as crm-export writes it, its fields and its history, added
 * to b. */
static int
export_json(crm_txn *t, const crm_rec *r, struct crm_buf *b)
{
	struct export x = { b, 0 };
	int rc;

	json_of(b, r, 1, -1);
	if ((rc = crm_log_own(t, r->id, export_entry, &x)))
		return rc;
	if (x.n)
		crm_buf_addch(b, ']');
	crm_buf_addch(b, '}');
	return 0;
}

/* Lines gathered and written 64 KiB at a time, which stdio then
 * writes straight from here instead of copying them first. */
#define BATCH ((size_t)64 << 10)

int
crm_out_export(crm_out *o, crm_txn *t, const crm_rec *r)
{
	size_t at = o->batch.len;
	int rc;

	if ((rc = export_json(t, r, &o->batch))) {
		crm_buf_setlen(&o->batch, at);
		return rc;
	}
	crm_buf_addch(&o->batch, o->term);
	o->count++;
	return o->batch.len >= BATCH ? flush_batch(o) : 0;
}

struct subject {
	crm_out *o;
	const struct crm_ids *ids;	/* the records it is about */
	cJSON *changes;
	struct crm_buf b;
};

static int
subject_change(const struct crm_change *c, void *arg)
{
	struct subject *x = arg;
	char op[2] = { (char)c->op, 0 };
	size_t i;
	cJSON *j;

	for (i = 0; i < x->ids->n; i++)
		if (x->ids->v[i] >= c->record && x->ids->v[i] < c->record +
		    (c->count ? c->count : 1))
			break;
	if (i == x->ids->n)
		return 0;
	j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "txn", (double)c->txn);
	crm_buf_reset(&x->b);
	crm_datetime_fmt(&x->b, c->at);
	cJSON_AddStringToObject(j, "at", x->b.buf);
	cJSON_AddStringToObject(j, "user", c->user);
	cJSON_AddNumberToObject(j, "record", (double)c->record);
	cJSON_AddStringToObject(j, "op", op);
	if (c->field)
		cJSON_AddStringToObject(j, "field", c->field);
	if (c->old)
		cJSON_AddStringToObject(j, "old", c->old);
	if (c->new)
		cJSON_AddStringToObject(j, "new", c->new);
	cJSON_AddStringToObject(j, "command", c->command);
	cJSON_AddItemToArray(x->changes, j);
	return 0;
}

/* The records that refer to id (its tasks, deals, ...), sorted. */
static int
referring(crm_txn *t, uint64_t id, struct crm_ids *out)
{
	const crm_schema *s = crm_txn_schema(t);
	size_t i, k;
	int rc = 0;

	for (i = 0; i < s->ntypes && !rc; i++)
		for (k = 0; k < s->types[i].nfields && !rc; k++)
			if (s->types[i].fields[k].type == FT_REF &&
			    (rc = crm_find_refs(t, s->types[i].fields[k].name,
			    id, out)) == CRM_ENOTFOUND)
				rc = 0;
	crm_ids_sort(out);
	return rc;
}

int
crm_out_subject(crm_out *o, crm_txn *t, const crm_rec *r)
{
	struct subject x = { o, NULL, NULL, CRM_BUF_INIT };
	struct crm_history_filter hf;
	struct crm_ids ids = { 0 };
	cJSON *j = cJSON_CreateObject(), *a;
	const char *v;
	size_t i;
	int rc;

	crm_buf_reset(&x.b);
	if ((rc = export_json(t, r, &x.b)))
		goto out;
	cJSON_AddRawToObject(j, "record", x.b.buf);
	/* which of it the schema calls personal */
	a = cJSON_AddArrayToObject(j, "personal");
	for (i = 0; i < r->type->nfields; i++)
		if ((r->type->fields[i].flags & FF_PERSONAL) &&
		    crm_rec_nth(r, r->type->fields[i].fid, 0, NULL))
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    r->type->fields[i].name));
	/* consents and opt-outs */
	a = cJSON_AddObjectToObject(j, "consent");
	for (i = 0; i < r->type->nfields; i++)
		if (r->type->fields[i].type == FT_CONSENT &&
		    (v = crm_rec_nth(r, r->type->fields[i].fid, 0, NULL))) {
			crm_buf_reset(&x.b);
			consent_json(&x.b, v);
			cJSON_AddRawToObject(a, r->type->fields[i].name,
			    x.b.buf);
		}
	if (r->schema->mail_consent && *r->schema->mail_consent &&
	    !cJSON_GetObjectItemCaseSensitive(a, r->schema->mail_consent))
		cJSON_AddStringToObject(a, r->schema->mail_consent,
		    (v = crm_rec_value(r, r->schema->mail_consent)) ? v :
		    "(none)");
	for (i = 0; i < r->n; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);

		crm_buf_reset(&x.b);
		if (f && f->type == FT_EMAIL && !crm_optout_get(t,
		    r->arena.buf + r->v[i].off, &x.b) &&
		    !cJSON_GetObjectItemCaseSensitive(a, "optout"))
			cJSON_AddStringToObject(a, "optout",
			    x.b.len ? x.b.buf : "yes");
	}
	/* what refers to the person: tasks, deals, contacts */
	a = cJSON_AddArrayToObject(j, "related");
	if ((rc = referring(t, r->id, &ids)))
		goto out;
	for (i = 0; i < ids.n && !rc; i++) {
		crm_rec *q;

		if ((rc = crm_rec_get(t, ids.v[i], &q)))
			break;
		crm_buf_reset(&x.b);
		if (crm_visible(t, q) && !(rc = export_json(t, q, &x.b)))
			cJSON_AddItemToArray(a, cJSON_CreateRaw(x.b.buf));
		crm_rec_free(q);
	}
	/* and every change to it and to them, in the order made */
	x.changes = cJSON_AddArrayToObject(j, "changes");
	memset(&hf, 0, sizeof hf);
	crm_ids_add(&ids, r->id);
	/* records merged into it were it too */
	if (!rc)
		rc = crm_merged_into(t, r->id, &ids);
	x.ids = &ids;
	if (!rc)
		rc = crm_history(t, &hf, subject_change, &x);
out:
	crm_ids_release(&ids);
	crm_buf_release(&x.b);
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	o->count++;
	return emit_json(o, j);
}

static int
export_optout(const char *email, const char *value, void *arg)
{
	crm_out *o = arg;
	cJSON *j = cJSON_CreateObject();
	const char *sp = strchr(value, ' ');

	cJSON_AddStringToObject(j, "optout", email);
	cJSON_AddStringToObject(j, "why", sp ? sp + 1 : "");
	crm_buf_reset(&o->val);
	crm_datetime_fmt(&o->val, strtoll(value, NULL, 10));
	cJSON_AddStringToObject(j, "at", o->val.buf);
	return emit_json(o, j);
}

static int
export_forgotten(const char *what, const char *hex, void *arg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, what, hex);
	return emit_json(arg, j);
}

static int
export_segment(const char *name, const char *query, void *arg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "segment", name);
	cJSON_AddStringToObject(j, "query", query);
	return emit_json(arg, j);
}

/* "STORE:ID" of meta "from:STORE:ID", the record a line of another
 * store's export went to. */
static int
export_from(const char *name, const char *value, void *arg)
{
	const char *colon = strchr(name, ':');
	char store[33];
	cJSON *j, *f;

	if (!colon || colon - name != 32)
		return 0;
	memcpy(store, name, 32);
	store[32] = 0;
	j = cJSON_CreateObject();
	f = cJSON_AddObjectToObject(j, "import");
	cJSON_AddStringToObject(f, "store", store);
	cJSON_AddNumberToObject(f, "id", (double)strtoull(colon + 1, NULL,
	    10));
	cJSON_AddNumberToObject(j, "record", (double)strtoull(value, NULL,
	    10));
	return emit_json(arg, j);
}

struct aliasing {
	crm_out *o;
	crm_txn *t;
};

/* A uid or e-mail of the merged record (folded), under its field. */
static int
alias_key(const char *field, const char *value, void *arg)
{
	cJSON *j = arg, *a = cJSON_GetObjectItem(j, field);

	if (!a)
		a = cJSON_AddArrayToObject(j, field);
	cJSON_AddItemToArray(a, cJSON_CreateString(value));
	return 0;
}

/* The id of a record merged into another, the record it is now and,
 * for an admin, the uid and e-mail it still answers to. */
static int
export_alias(const char *name, const char *value, void *arg)
{
	struct aliasing *x = arg;
	uint64_t id = strtoull(name, NULL, 10);
	cJSON *j = cJSON_CreateObject();
	int rc = 0;

	cJSON_AddNumberToObject(j, "alias", (double)id);
	cJSON_AddNumberToObject(j, "record", (double)strtoull(value, NULL,
	    10));
	if (crm_view_role(x->t->db) == ROLE_ADMIN)
		rc = crm_alias_keys(x->t, id, alias_key, j);
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	return emit_json(x->o, j);
}

int
crm_out_export_meta(crm_out *o, crm_txn *t, const char *store)
{
	int rc = 0;

	/* which store this is: its lines imported again elsewhere update
	 * what they made there */
	if (strlen(store) == 32) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "store", store);
		/* and the id it gives next: a restore gives no id twice,
		 * not those of the records removed since */
		cJSON_AddNumberToObject(j, "next", (double)(t->next_id ?
		    t->next_id : crm_meta_u64(t, "next_id", 1)));
		rc = emit_json(o, j);
	}
	/* the opt-outs are everyone's addresses: an admin's to take; and
	 * the hashes of the forgotten ones, with the keys to check them,
	 * so that a restored store keeps them out too */
	if (crm_view_role(t->db) == ROLE_ADMIN &&
	    !(rc = crm_optout_list(t, export_optout, o)))
		rc = crm_forgotten_list(t, export_forgotten, o);
	if (!rc)
		rc = crm_segment_list(t, export_segment, o);
	if (!rc) {
		struct aliasing x = { o, t };

		rc = crm_meta_list(t, "alias:", export_alias, &x);
	}
	return rc ? rc : crm_meta_list(t, "from:", export_from, o);
}

int
crm_out_log(crm_out *o, const struct crm_log *e)
{
	size_t i;

	flush_batch(o);
	crm_buf_reset(&o->line);
	if (o->mode == M_JSON) {
		o->count++;
		crm_buf_reset(&o->json);
		log_json(&o->json, e, 1);
		return emit(o);
	}
	if (o->mode == M_FORMAT) {
		for (i = 0; i < o->npc; i++) {
			if (o->pc[i].field) {
				crm_buf_reset(&o->val);
				log_text(e, o->pc[i].field, &o->val);
				crm_escape(&o->line, o->val.buf, o->val.len);
			} else {
				crm_buf_addstr(&o->line, o->pc[i].lit);
			}
		}
	} else {
		header(o);
		for (i = 0; i < o->ncols; i++) {
			if (i)
				crm_buf_addch(&o->line, '\t');
			crm_buf_reset(&o->val);
			log_text(e, o->cols[i], &o->val);
			crm_escape(&o->line, o->val.buf, o->val.len);
		}
	}
	o->count++;
	fwrite(o->line.buf, 1, o->line.len, stdout);
	putchar(o->term);
	return ferror(stdout) ? EIO : 0;
}

int
crm_out_row(crm_out *o, const char *const *values)
{
	size_t i, j;

	flush_batch(o);
	o->count++;
	crm_buf_reset(&o->line);
	if (o->mode == M_JSON) {
		cJSON *j = cJSON_CreateObject();

		for (i = 0; i < o->ncols; i++) {
			if (!values[i] || !*values[i])
				continue;
			if (o->num[i] && is_number(values[i]))
				cJSON_AddRawToObject(j, o->cols[i],
				    values[i]);
			else
				cJSON_AddStringToObject(j, o->cols[i],
				    values[i]);
		}
		return emit_json(o, j);
	}
	if (o->mode == M_FORMAT) {
		for (i = 0; i < o->npc; i++) {
			if (!o->pc[i].field) {
				crm_buf_addstr(&o->line, o->pc[i].lit);
				continue;
			}
			for (j = 0; j < o->ncols; j++)
				if (!strcmp(o->cols[j], o->pc[i].field) &&
				    values[j])
					crm_escape(&o->line, values[j],
					    strlen(values[j]));
		}
	} else {
		header(o);
		for (i = 0; i < o->ncols; i++) {
			if (i)
				crm_buf_addch(&o->line, '\t');
			if (values[i])
				crm_escape(&o->line, values[i],
				    strlen(values[i]));
		}
	}
	fwrite(o->line.buf, 1, o->line.len, stdout);
	putchar(o->term);
	return ferror(stdout) ? EIO : 0;
}

int
crm_print_ids(const struct crm_ids *ids, int nul, int header)
{
	int term = nul ? '\0' : '\n';
	size_t i;

	if (header && ids->n)
		printf("id%c", term);
	for (i = 0; i < ids->n; i++) {
		char b[24];
		size_t n = crm_i64toa(b, (int64_t)ids->v[i], 0);

		b[n++] = (char)term;
		fwrite(b, 1, n, stdout);
	}
	return ferror(stdout) ? EIO : 0;
}

int
crm_out_ids(crm_out *o, crm_txn *t, const struct crm_ids *ids)
{
	crm_rec *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < ids->n && !rc; i++) {
		rc = crm_rec_get(t, ids->v[i], &r);
		if (rc == CRM_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (!rc)
			rc = crm_out_rec(o, t, r);
		crm_rec_free(r);
	}
	return rc;
}

/* The records that refer to r, listed on its card: its contact persons,
 * its open deals, its open tasks. */
struct refgroup {
	char label[80];
	const struct crm_type *type;
	const char *const *cols;
	struct crm_ids ids;
};

static const char *const person_cols[] = { "id", "name", "email", "phone",
	NULL };
static const char *const deal_cols[] = { "id", "stage", "amount", "close",
	"name", NULL };
static const char *const task_cols[] = { "id", "due", "owner", "priority",
	"text", NULL };
static const char *const other_cols[] = { "id", "name", NULL };
static const char *const log_cols[] = { "id", "at", "kind", "amount",
	"owner", "text", NULL };

/* Still open: a task not done, a deal in an open stage. */
static int
is_open(const crm_rec *r)
{
	const struct crm_field *f;
	const char *v;
	size_t i;

	if (!strcmp(r->type->name, "task"))
		return !crm_rec_value(r, "done");
	if ((f = crm_type_field(r->type, "stage")) && f->type == FT_ENUM &&
	    (v = crm_rec_nth(r, f->fid, 0, NULL)))
		for (i = 0; i < f->nvals; i++)
			if (!strcmp(f->vals[i].name, v))
				return f->vals[i].state == ST_OPEN;
	return 1;
}

static size_t
referrers(crm_txn *t, const crm_rec *r, struct refgroup *g, size_t max)
{
	const crm_schema *s = r->schema;
	size_t i, j, k, n = 0, keep;

	for (i = 0; i < s->ntypes && n < max; i++) {
		const struct crm_type *ty = &s->types[i];
		struct crm_ids ids = { 0 };

		for (j = 0; j < ty->nfields; j++) {
			const struct crm_field *f = &ty->fields[j];

			if (f->type != FT_REF || (f->to && strcmp(f->to,
			    r->type->name)))
				continue;
			crm_find_refs(t, f->name, r->id, &ids);
		}
		crm_ids_sort(&ids);
		/* the index is shared by types: keep this one's, open */
		for (k = keep = 0; k < ids.n; k++) {
			crm_rec *x;

			if (crm_rec_get(t, ids.v[k], &x))
				continue;
			if (x->type == ty && x->id != r->id && is_open(x) &&
			    crm_visible(t, x))
				ids.v[keep++] = ids.v[k];
			crm_rec_free(x);
		}
		ids.n = keep;
		if (!keep && !crm_type_field(ty, "company")) {
			crm_ids_release(&ids);
			continue;
		}
		if (!keep && strcmp(r->type->name, "company") &&
		    !strcmp(ty->name, "person")) {
			crm_ids_release(&ids);
			continue;
		}
		snprintf(g[n].label, sizeof g[n].label, "%ss",
		    !strcmp(ty->name, "person") ? "contact" : ty->name);
		g[n].type = ty;
		g[n].cols = !strcmp(ty->name, "person") ? person_cols :
		    !strcmp(ty->name, "deal") ? deal_cols :
		    !strcmp(ty->name, "task") ? task_cols : other_cols;
		g[n].ids = ids;
		n++;
	}
	return n;
}

struct history {
	crm_out *o;
	struct crm_buf *text;
	struct crm_buf *json;
};

static int
history_line(const struct crm_log *e, void *arg)
{
	struct history *h = arg;
	size_t k;

	if (h->json) {
		jsep(h->json);
		log_json(h->json, e, 1);
		return 0;
	}
	crm_buf_addch(h->text, ' ');
	for (k = 0; log_cols[k]; k++) {
		crm_buf_addch(h->text, k ? '\t' : ' ');
		crm_buf_reset(&h->o->val);
		log_text(e, log_cols[k], &h->o->val);
		crm_escape(h->text, h->o->val.buf, h->o->val.len);
	}
	crm_buf_addch(h->text, '\n');
	return 0;
}

#define CARD_HISTORY 10		/* the latest entries a card shows */

int
crm_out_card(crm_out *o, crm_txn *t, const crm_rec *r)
{
	struct refgroup g[16];
	struct history h = { o, NULL, NULL };
	struct crm_buf text = CRM_BUF_INIT;
	size_t ng, i, j, k;
	long long open;
	int rc = 0;

	if (o->mode == M_FORMAT)
		return crm_out_rec(o, t, r);
	if ((rc = open_of(t, r, &open)))
		return rc;
	ng = referrers(t, r, g, 16);
	if (o->mode == M_JSON) {
		struct crm_buf *b = &o->json;

		crm_buf_reset(b);
		json_of(b, r, 1, open);
		for (i = 0; i < ng; i++) {
			jkey(b, g[i].label);
			crm_buf_addch(b, '[');
			for (j = 0; j < g[i].ids.n; j++) {
				crm_rec *c;

				if (crm_rec_get(t, g[i].ids.v[j], &c))
					continue;
				jsep(b);
				json_of(b, c, 0, -1);
				crm_buf_addch(b, '}');
				crm_rec_free(c);
			}
			crm_buf_addch(b, ']');
		}
		jkey(b, "history");
		crm_buf_addch(b, '[');
		h.json = b;
		rc = crm_log_list(t, r->id, CARD_HISTORY, history_line, &h);
		crm_buf_add(b, "]}", 2);
		if (!rc)
			rc = emit(o);
		goto out;
	}
	/* cards apart by an empty line, or each ended by a NUL (-0) */
	if (o->count++ && o->term)
		putchar('\n');
	crm_buf_addf(&text, "%llu %s ", (unsigned long long)r->id,
	    r->type->name);
	crm_buf_reset(&o->val);
	text_of(t, r, "name", &o->val);
	crm_escape(&text, o->val.buf, o->val.len);
	crm_buf_addch(&text, '\n');
	for (i = 0; i < r->type->nfields; i++) {
		const struct crm_field *f = &r->type->fields[i];
		const char *v = crm_rec_nth(r, f->fid, 0, NULL);

		if (!v)
			continue;
		crm_buf_addf(&text, "%s: ", f->name);
		crm_buf_reset(&o->val);
		if (f->type == FT_CONSENT)
			crm_consent_text(&o->val, v);
		else
			text_of(t, r, f->name, &o->val);
		if (f->type == FT_REF) {
			crm_rec *to;

			if (!crm_rec_get(t, strtoull(v, NULL, 10), &to)) {
				const char *n = crm_rec_value(to, "name");

				crm_buf_addf(&o->val, " %s", n ? n : "");
				crm_rec_free(to);
			}
		}
		crm_escape(&text, o->val.buf, o->val.len);
		crm_buf_addch(&text, '\n');
	}
	crm_buf_addstr(&text, "created: ");
	crm_datetime_fmt(&text, r->created);
	crm_buf_addch(&text, '\n');
	for (i = FID_LAST_CONTACT; i < FID_FIRST; i++) {
		if (!crm_rec_nth(r, (unsigned)i, 0, NULL))
			continue;
		crm_buf_addf(&text, "%s: ", crm_derived_names[i]);
		derived_text(r, (unsigned)i, &text);
		crm_buf_addch(&text, '\n');
	}
	if (open > 0)
		crm_buf_addf(&text, "open_deals: %lld\n", open);
	for (i = 0; i < ng; i++) {
		if (!g[i].ids.n)
			continue;
		crm_buf_addf(&text, "%s:\n", g[i].label);
		for (j = 0; j < g[i].ids.n; j++) {
			crm_rec *c;

			if (crm_rec_get(t, g[i].ids.v[j], &c))
				continue;
			crm_buf_addstr(&text, " ");
			for (k = 0; g[i].cols[k]; k++) {
				crm_buf_addch(&text, k ? '\t' : ' ');
				crm_buf_reset(&o->val);
				text_of(t, c, g[i].cols[k], &o->val);
				crm_escape(&text, o->val.buf, o->val.len);
			}
			crm_buf_addch(&text, '\n');
			crm_rec_free(c);
		}
	}
	if (crm_rec_nth(r, FID_INTERACTIONS, 0, NULL)) {
		crm_buf_addstr(&text, "history:\n");
		h.text = &text;
		rc = crm_log_list(t, r->id, CARD_HISTORY, history_line, &h);
	}
	fwrite(text.buf, 1, text.len, stdout);
	if (!o->term)
		putchar('\0');
	if (!rc && ferror(stdout))
		rc = EIO;
out:
	crm_buf_release(&text);
	for (i = 0; i < ng; i++)
		crm_ids_release(&g[i].ids);
	return rc;
}

/* ------------------------------------------------------------ tables */

/* A cell as text: a key without a value is "(none)". */
static const char *
cell_text(const struct crm_table *tb, size_t row, size_t col)
{
	const char *v = tb->cell[row * tb->ncols + col];

	if (v)
		return v;
	if (col < tb->nkeys && !(row >= tb->nrows - tb->ntotal))
		return "(none)";
	return "";
}

/* Columns a string takes on a terminal: one per character. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
pad(struct crm_buf *b, size_t n)
{
	while (n--)
		crm_buf_addch(b, ' ');
}

static size_t
term_columns(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;

	if (c && atoi(c) > 20)
		return (size_t)atoi(c);
	if (!ioctl(1, TIOCGWINSZ, &ws) && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static int
utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

static void
print_aligned(const struct crm_table *tb, struct crm_buf *out)
{
	size_t *w = calloc(tb->ncols, sizeof *w), r, c, body;

	for (c = 0; c < tb->ncols; c++)
		w[c] = width(tb->col[c]);
	for (r = 0; r < tb->nrows; r++)
		for (c = 0; c < tb->ncols; c++) {
			size_t x = width(cell_text(tb, r, c));

			if (x > w[c])
				w[c] = x;
		}
	body = tb->nrows - tb->ntotal;
	for (r = 0; r <= tb->nrows; r++) {
		if (r == body + 1 && tb->ntotal) {
			/* a rule above the totals */
			for (c = 0; c < tb->ncols; c++) {
				size_t k;

				if (c)
					crm_buf_addstr(out, "  ");
				for (k = 0; k < w[c]; k++)
					crm_buf_addch(out, '-');
			}
			crm_buf_addch(out, '\n');
		}
		for (c = 0; c < tb->ncols; c++) {
			const char *v = r ? cell_text(tb, r - 1, c) :
			    tb->col[c];
			size_t x = width(v);

			if (c)
				crm_buf_addstr(out, "  ");
			if (tb->num[c])
				pad(out, w[c] - x);
			crm_buf_addstr(out, v);
			if (!tb->num[c] && c + 1 < tb->ncols)
				pad(out, w[c] - x);
		}
		crm_buf_addch(out, '\n');
	}
	free(w);
}

static void
print_chart(const struct crm_table *tb, struct crm_buf *out)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e",
		"\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	struct crm_buf lab = CRM_BUF_INIT;
	size_t body = tb->nrows - tb->ntotal, r, c, lw = 0, vw = 0, bw;
	size_t vc = tb->first < tb->ncols ? tb->first : tb->ncols - 1;
	double max = 0, v;
	int uni = utf8_locale();

	for (r = 0; r < body; r++) {
		crm_buf_reset(&lab);
		for (c = 0; c < tb->nkeys; c++)
			crm_buf_addf(&lab, "%s%s", c ? " " : "",
			    cell_text(tb, r, c));
		if (width(lab.buf) > lw)
			lw = width(lab.buf);
		if (width(cell_text(tb, r, vc)) > vw)
			vw = width(cell_text(tb, r, vc));
		if ((v = strtod(cell_text(tb, r, vc), NULL)) > max)
			max = v;
	}
	bw = term_columns() > lw + vw + 14 ? term_columns() - lw - vw - 4 : 10;
	crm_buf_addf(out, "%s\n", tb->col[vc]);
	for (r = 0; r < body; r++) {
		size_t units, k;

		crm_buf_reset(&lab);
		for (c = 0; c < tb->nkeys; c++)
			crm_buf_addf(&lab, "%s%s", c ? " " : "",
			    cell_text(tb, r, c));
		crm_buf_addstr(out, lab.buf);
		pad(out, lw - width(lab.buf) + 2);
		pad(out, vw - width(cell_text(tb, r, vc)));
		crm_buf_addf(out, "%s ", cell_text(tb, r, vc));
		v = strtod(cell_text(tb, r, vc), NULL);
		units = max > 0 && v > 0 ? (size_t)(v / max * (double)bw *
		    (uni ? 8 : 1) + 0.5) : 0;
		if (uni) {
			for (k = 0; k < units / 8; k++)
				crm_buf_addstr(out, "\u2588");
			crm_buf_addstr(out, eighths[units % 8]);
		} else {
			for (k = 0; k < units; k++)
				crm_buf_addch(out, '#');
		}
		crm_buf_addch(out, '\n');
	}
	crm_buf_release(&lab);
}

int
crm_table_print(const struct crm_table *tb, enum crm_table_form form,
    int chart)
{
	struct crm_buf out = CRM_BUF_INIT;
	size_t r, c, body = tb->nrows - tb->ntotal;

	if (form == CRM_TABLE_AUTO)
		form = isatty(1) ? CRM_TABLE_ALIGNED : CRM_TABLE_TSV;
	if (chart && form != CRM_TABLE_JSON && form != CRM_TABLE_CSV) {
		print_chart(tb, &out);
	} else if (form == CRM_TABLE_ALIGNED) {
		print_aligned(tb, &out);
	} else if (form == CRM_TABLE_JSON) {
		for (r = 0; r < body; r++) {
			cJSON *o = cJSON_CreateObject();
			char *s;

			for (c = 0; c < tb->ncols; c++) {
				const char *v = tb->cell[r * tb->ncols + c];

				if (!v || (!*v && c >= tb->nkeys))
					cJSON_AddNullToObject(o, tb->col[c]);
				else if (tb->num[c] && is_number(v))
					cJSON_AddRawToObject(o, tb->col[c], v);
				else
					cJSON_AddStringToObject(o, tb->col[c],
					    v);
			}
			s = cJSON_PrintUnformatted(o);
			crm_buf_addstr(&out, s);
			crm_buf_addch(&out, '\n');
			free(s);
			cJSON_Delete(o);
		}
	} else {
		int csv = form == CRM_TABLE_CSV;

		for (r = 0; r <= body; r++) {
			for (c = 0; c < tb->ncols; c++) {
				const char *v = r ? cell_text(tb, r - 1, c) :
				    tb->col[c];

				if (c)
					crm_buf_addch(&out, csv ? ',' : '\t');
				/* a number, -20.00 too, is no formula: only
				 * text is defused */
				if (csv && r && tb->num[c] && is_number(v))
					crm_buf_addstr(&out, v);
				else if (csv)
					crm_csv_field(&out, v);
				else
					crm_escape(&out, v, strlen(v));
			}
			crm_buf_addstr(&out, csv ? "\r\n" : "\n");
		}
	}
	fwrite(out.buf, 1, out.len, stdout);
	crm_buf_release(&out);
	if (fflush(stdout) || ferror(stdout))
		return errno ? errno : EIO;
	return 0;
}
