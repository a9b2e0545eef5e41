/* report.c - counts, sums and the sales analyses of crm-report
 *
 * One pass over the rows (the records of a type, or every history
 * entry), each row counted into its group: a hash table keyed by the
 * row's key values.  Memory grows with the groups, never with the rows.
 * The result is a table of text cells, printed by output.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

enum bucket { B_NONE, B_DAY, B_WEEK, B_MONTH, B_QUARTER, B_YEAR };
static const char *const bucket_names[] = { "", "day", "week", "month",
	"quarter", "year", NULL };

/* what a value is, for aggregating and printing it */
enum vk { V_TEXT, V_NUM, V_MONEY, V_TIME, V_DATE, V_REF, V_ENUM };

/* where a key or an aggregated field comes from */
enum src { S_FIELD, S_DERIVED, S_ID, S_TYPE, S_CREATED, S_LOG, S_RECORD,
	S_COMPANY, S_RECTYPE, S_CURRENCY, S_STAGE, S_OPEN };

struct col {
	char *name;		/* as typed, without the bucket */
	enum src src;
	enum vk vk;
	enum bucket b;
	unsigned fid;
	const struct crm_field *f;	/* enum values, for order and filling */
	struct span *span;	/* buckets labelled so far, by time */
	size_t nspan;
	struct crm_buf scratch;
};

/* a bucket of time: [lo, hi) is labelled label */
struct span {
	int64_t lo, hi;
	char label[16];
};

struct acc {
	int64_t n, sum, min, max;
	struct set *distinct;
};

struct group {
	char *key;		/* parts, each [present][text]\0 */
	size_t klen;
	struct acc *acc;
	int64_t x[4];		/* the analyses' counters */
	char **label;		/* the key parts as printed */
};

/* a set of strings, for --distinct */
struct set {
	char **v;
	size_t n, size;
};

struct report {
	crm_txn *t;
	const struct crm_report_spec *sp;
	const crm_schema *s;
	const struct crm_type *type;	/* NULL: history entries */
	crm_query *q;
	struct col *keys;
	size_t nkeys, nuser;	/* nuser: the keys the user gave */
	struct col *aggf;	/* the field of each aggregate */
	const struct crm_field *stage, *amount;
	struct group *g;
	size_t ng, galloc;
	size_t *hash, hsize;	/* group index + 1, 0 empty */
	size_t last;		/* the group of the last row, + 1 */
	struct group *tot;	/* totals, by currency */
	size_t ntot;
	struct crm_buf kb, vb;
	struct crm_buf *vals;	/* per key: its values, each \0-ended */
	size_t *nvals;
	size_t rows;		/* rows counted */
	int64_t weight;		/* deals a row stands for: 1, or a sum's */
	crm_rec *rec;		/* history rows: the entry's record */
	uint64_t recid;
	uint64_t visid;		/* the last record asked about, */
	int vis;		/* and whether the user may see it */
	int err;
};

static const char *const agg_names[] = { "count", "sum", "avg", "min", "max",
	"distinct" };
static const char *const analysis_names[] = { "", "funnel", "forecast",
	"win-rate", "cycle-time", "churn", "campaign" };

/*
 * *sum += x, or, when the sum leaves what an int64_t holds, an error
 * naming the option (and its field) that asked for it: a sum is never
 * printed wrapped.  The first error is kept, and ends the report.
 */
static int
add_sum(struct report *r, int64_t *sum, int64_t x, const char *opt,
    const char *field)
{
	if (!__builtin_add_overflow(*sum, x, sum))
		return 0;
	if (!r->err)
		r->err = crm_seterr(CRM_EINVAL, "--%s%s%s: the sum is out of "
		    "range (an amount is at most %s either way)", opt,
		    field ? " " : "", field ? field : "", CRM_MONEY_MAX);
	return r->err;
}

/* May the user see the record of a history entry? */
static int
entry_visible(struct report *r, uint64_t rec)
{
	if (crm_view_role(r->t->db) == ROLE_ADMIN)
		return 1;
	if (rec != r->visid) {
		r->visid = rec;
		r->vis = crm_visible_id(r->t, rec);
	}
	return r->vis;
}

static int
set_add(struct set *s, const char *v)
{
	size_t i;

	if (2 * (s->n + 1) > s->size) {
		struct set o = *s;

		s->size = s->size ? 2 * s->size : 16;
		s->v = calloc(s->size, sizeof *s->v);
		s->n = 0;
		for (i = 0; i < o.size; i++)
			if (o.v[i]) {
				size_t j = crm_hash(o.v[i], strlen(o.v[i])) &
				    (s->size - 1);

				while (s->v[j])
					j = (j + 1) & (s->size - 1);
				s->v[j] = o.v[i];
				s->n++;
			}
		free(o.v);
	}
	i = crm_hash(v, strlen(v)) & (s->size - 1);
	for (; s->v[i]; i = (i + 1) & (s->size - 1))
		if (!strcmp(s->v[i], v))
			return 0;
	s->v[i] = strdup(v);
	s->n++;
	return 1;
}

static void
set_free(struct set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->size; i++)
		free(s->v[i]);
	free(s->v);
	free(s);
}

/* ----------------------------------------------------------- columns */

static int
bad(const char *fmt, const char *a, const char *b)
{
	return crm_seterr(CRM_EINVAL, fmt, a, b);
}

static enum vk
vk_of(const struct crm_field *f)
{
	switch (f->type) {
	case FT_NUMBER: return V_NUM;
	case FT_MONEY: return V_MONEY;
	case FT_DATETIME: return V_TIME;
	case FT_DATE: return V_DATE;
	case FT_REF: return V_REF;
	case FT_ENUM: return V_ENUM;
	default: return V_TEXT;
	}
}

static const char *const log_fields[] = { "kind", "at", "amount", "text",
	"owner", "campaign", "dir", NULL };

/* Resolve a column name (a key or an aggregated field) for the rows. */
static int
resolve(struct report *r, const char *spec, struct col *c, int key)
{
	const char *colon = strchr(spec, ':');
	size_t i;

	memset(c, 0, sizeof *c);
	c->name = colon ? crm_xstrndup(spec, (size_t)(colon - spec)) :
	    strdup(spec);
	if (colon) {
		for (i = 1; bucket_names[i]; i++)
			if (!strcmp(colon + 1, bucket_names[i]))
				c->b = (enum bucket)i;
		if (!c->b || !key)
			return bad("--by: '%s%s' is not a time bucket (day, "
			    "week, month, quarter, year)", spec, "");
	}
	if (!r->type) {
		for (i = 0; log_fields[i]; i++)
			if (!strcmp(c->name, log_fields[i])) {
				c->src = S_LOG;
				c->fid = (unsigned)i;
				c->vk = i == 1 ? V_TIME : i == 2 ? V_MONEY :
				    V_TEXT;
				goto bucket;
			}
		if (!strcmp(c->name, "record")) {
			c->src = S_RECORD;
			c->vk = V_REF;
		} else if (!strcmp(c->name, "company")) {
			c->src = S_COMPANY;
			c->vk = V_REF;
		} else if (!strcmp(c->name, "type")) {
			c->src = S_RECTYPE;
		} else {
			return bad("unknown field '%s' of interactions (kind, "
			    "at, amount, text, owner, campaign, dir, record, "
			    "company, type)%s", c->name, "");
		}
		goto bucket;
	}
	if ((c->f = crm_type_field(r->type, c->name))) {
		c->src = S_FIELD;
		c->fid = c->f->fid;
		c->vk = vk_of(c->f);
	} else if (!strcmp(c->name, "id")) {
		c->src = S_ID;
		c->vk = V_NUM;
	} else if (!strcmp(c->name, "type")) {
		c->src = S_TYPE;
	} else if (!strcmp(c->name, "created")) {
		c->src = S_CREATED;
		c->vk = V_TIME;
	} else if (!strcmp(c->name, "open_deals")) {
		c->src = S_OPEN;
		c->vk = V_NUM;
	} else {
		for (i = FID_LAST_CONTACT; i < FID_STAGES; i++)
			if (!strcmp(c->name, crm_derived_names[i]))
				break;
		if (i == FID_STAGES) {
			const char *m = crm_schema_suggest(r->s, r->type,
			    c->name);

			if (m)
				return crm_seterr(CRM_EINVAL, "a %s has no "
				    "field '%s' (did you mean '%s'?)",
				    r->type->name, c->name, m);
			return bad("a %s has no field '%s'", r->type->name,
			    c->name);
		}
		c->src = S_DERIVED;
		c->fid = (unsigned)i;
		c->vk = i == FID_INTERACTIONS ? V_NUM : i == FID_TURNOVER ?
		    V_MONEY : V_TIME;
	}
bucket:
	if (c->b && c->vk != V_TIME && c->vk != V_DATE)
		return bad("--by: '%s' is not a date, it has no %s",
		    c->name, bucket_names[c->b]);
	return 0;
}

/* ------------------------------------------------------------ values */

static void
bucket_label(struct crm_buf *out, enum bucket b, const struct tm *tm)
{
	char s[32];

	switch (b) {
	case B_DAY: strftime(s, sizeof s, "%Y-%m-%d", tm); break;
	case B_WEEK: strftime(s, sizeof s, "%G-W%V", tm); break;
	case B_MONTH: strftime(s, sizeof s, "%Y-%m", tm); break;
	case B_QUARTER:
		snprintf(s, sizeof s, "%04d-Q%d", tm->tm_year + 1900,
		    tm->tm_mon / 3 + 1);
		break;
	default: strftime(s, sizeof s, "%Y", tm); break;
	}
	crm_buf_addstr(out, s);
}

/*
 * The label of time x's bucket, in local time.  The buckets met so far
 * are kept sorted with their bounds, so most rows need no calendar
 * arithmetic: a report meets few buckets and many rows.
 */
static void
time_label(struct col *c, int64_t x, struct crm_buf *out)
{
	struct span sp;
	struct tm tm, s;
	time_t t = (time_t)x;
	size_t lo = 0, hi = c->nspan, mid;

	while (lo < hi) {	/* the first span starting after x */
		mid = (lo + hi) / 2;
		if (c->span[mid].lo <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && x < c->span[lo - 1].hi) {
		crm_buf_addstr(out, c->span[lo - 1].label);
		return;
	}
	localtime_r(&t, &tm);
	s = tm;
	if (!c->scratch.buf)
		crm_buf_init(&c->scratch, 16);
	crm_buf_reset(&c->scratch);
	bucket_label(&c->scratch, c->b, &tm);
	crm_buf_addstr(out, c->scratch.buf);
	s.tm_hour = s.tm_min = s.tm_sec = 0;
	switch (c->b) {
	case B_WEEK: s.tm_mday -= (s.tm_wday + 6) % 7; break;
	case B_MONTH: s.tm_mday = 1; break;
	case B_QUARTER: s.tm_mday = 1; s.tm_mon -= s.tm_mon % 3; break;
	case B_YEAR: s.tm_mday = 1; s.tm_mon = 0; break;
	default: break;
	}
	s.tm_isdst = -1;
	tm = s;
	sp.lo = (int64_t)mktime(&s);
	switch (c->b) {
	case B_DAY: tm.tm_mday++; break;
	case B_WEEK: tm.tm_mday += 7; break;
	case B_MONTH: tm.tm_mon++; break;
	case B_QUARTER: tm.tm_mon += 3; break;
	default: tm.tm_year++; break;
	}
	tm.tm_isdst = -1;
	sp.hi = (int64_t)mktime(&tm);
	if (!(x >= sp.lo && x < sp.hi) || c->scratch.len >= sizeof sp.label ||
	    (lo && c->span[lo - 1].hi > sp.lo) ||
	    (lo < c->nspan && c->span[lo].lo < sp.hi))
		return;		/* not a span to keep */
	memcpy(sp.label, c->scratch.buf, c->scratch.len + 1);
	if (!(c->nspan & (c->nspan + 1)) || !c->span)
		c->span = crm_xrealloc(c->span, (2 * c->nspan + 2) *
		    sizeof *c->span);
	memmove(c->span + lo + 1, c->span + lo, (c->nspan - lo) *
	    sizeof *c->span);
	c->span[lo] = sp;
	c->nspan++;
}

/* Day d of month m of year y (days past the month's end roll over) as a
 * struct tm at noon UTC, weekday and all. */
static void
calendar_day(struct tm *tm, int y, int m, int d)
{
	time_t x;

	memset(tm, 0, sizeof *tm);
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = 12;
	x = timegm(tm);
	gmtime_r(&x, tm);
}

/* A date's calendar day as a struct tm. */
static int
date_tm(const char *v, struct tm *tm)
{
	int y, m, d;

	if (sscanf(v, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	calendar_day(tm, y, m, d);
	return 0;
}

/* Append the value v of column c to out, in the form groups use. */
static void
key_value(const struct col *c, const char *v, struct crm_buf *out)
{
	struct tm tm;
	int64_t x;

	if (!c->b) {
		/* an amount an older crm stored as typed (.50, 007.00) in
		 * the group of its one form */
		if (c->vk == V_MONEY && !crm_money_parse(v, &x))
			crm_money_fmt(out, x);
		else
			crm_buf_addstr(out, v);
		return;
	}
	if (c->vk == V_DATE) {
		/* YYYY-MM-DD: most buckets are a piece of it */
		if (strlen(v) == 10 && v[4] == '-' && v[7] == '-' &&
		    c->b != B_WEEK) {
			if (c->b == B_QUARTER)
				crm_buf_addf(out, "%.4s-Q%d", v,
				    ((v[5] - '0') * 10 + v[6] - '0' + 2) / 3);
			else
				crm_buf_add(out, v, c->b == B_YEAR ? 4 :
				    c->b == B_MONTH ? 7 : 10);
			return;
		}
		if (date_tm(v, &tm))
			return;
		bucket_label(out, c->b, &tm);
	} else {
		time_label((struct col *)c, strtoll(v, NULL, 10), out);
	}
}

static const char *
log_value(const struct crm_log *e, unsigned i, char *b, size_t size)
{
	switch (i) {
	case 0: return e->kind;
	case 1: snprintf(b, size, "%lld", (long long)e->at); return b;
	case 2: return e->amount;
	case 3: return e->text;
	case 4: return e->owner;
	case 5: return e->campaign;
	default: return e->dir;
	}
}

/* The record a history entry is about, loaded once for its entries. */
static const crm_rec *
entry_rec(struct report *r, const struct crm_log *e)
{
	if (r->recid != e->rec) {
		r->recid = e->rec;
		if (crm_rec_load(r->t, e->rec, r->rec))
			r->recid = 0;
	}
	return r->recid ? r->rec : NULL;
}

/*
 * Call fn for each value of column c in a row (a record, or a history
 * entry): several for tags, none when it has no value.
 */
static void
values(struct report *r, const struct col *c, const crm_rec *rec,
    const struct crm_log *e, void (*fn)(const char *v, void *arg),
    void *arg)
{
	const crm_rec *er;
	const struct crm_field *f;
	const char *v;
	char b[32];
	size_t i;
	int rc;

	switch (c->src) {
	case S_FIELD:
	case S_DERIVED:
	case S_CURRENCY:
	case S_STAGE:
		for (i = 0; (v = crm_rec_nth(rec, c->fid, i, NULL)); i++)
			fn(v, arg);
		if (!i && c->src == S_DERIVED && c->fid == FID_INTERACTIONS)
			fn("0", arg);
		return;
	case S_ID:
		snprintf(b, sizeof b, "%llu", (unsigned long long)rec->id);
		fn(b, arg);
		return;
	case S_TYPE:
		fn(rec->type->name, arg);
		return;
	case S_CREATED:
		snprintf(b, sizeof b, "%lld", (long long)rec->created);
		fn(b, arg);
		return;
	case S_OPEN:
		if ((rc = crm_open_deals(r->t, rec, &i))) {
			if (!r->err)
				r->err = rc;
			return;
		}
		snprintf(b, sizeof b, "%zu", i);
		fn(b, arg);
		return;
	case S_LOG:
		if ((v = log_value(e, c->fid, b, sizeof b)) && *v)
			fn(v, arg);
		return;
	case S_RECORD:
		snprintf(b, sizeof b, "%llu", (unsigned long long)e->rec);
		fn(b, arg);
		return;
	case S_RECTYPE:
		if ((er = entry_rec(r, e)))
			fn(er->type->name, arg);
		return;
	case S_COMPANY:
		if (!(er = entry_rec(r, e)))
			return;
		if (!strcmp(er->type->name, "company")) {
			snprintf(b, sizeof b, "%llu",
			    (unsigned long long)er->id);
			fn(b, arg);
		} else if ((f = crm_type_field(er->type, "company")) &&
		    f->type == FT_REF && (v = crm_rec_nth(er, f->fid, 0,
		    NULL))) {
			fn(v, arg);
		}
		return;
	}
}

struct keyvals {
	const struct col *c;
	struct crm_buf *b;
	size_t *n;
};

static void
add_keyval(const char *v, void *arg)
{
	struct keyvals *k = arg;
	size_t at = k->b->len;

	key_value(k->c, v, k->b);
	if (k->b->len == at && *v)
		return;		/* a date that is not one */
	crm_buf_addch(k->b, 0);
	(*k->n)++;
}

/* A value as a number: money and numbers in ten-thousandths, times in
 * seconds, dates in days. */
static int
numeric(enum vk vk, const char *v, int64_t *x)
{
	struct tm tm;
	char *end;
	double d;

	switch (vk) {
	case V_MONEY:
		return crm_money_parse(v, x) ? -1 : 0;
	case V_NUM:
		d = strtod(v, &end);
		/* in ten-thousandths, as money: what does not fit is not
		 * summed (a number field holds up to 15 digits) */
		if (end == v || !(d > -9e14 && d < 9e14))
			return -1;
		*x = (int64_t)(d * 10000 + (d < 0 ? -0.5 : 0.5));
		return 0;
	case V_TIME:
		*x = strtoll(v, &end, 10);
		return end == v ? -1 : 0;
	case V_DATE:
		if (date_tm(v, &tm))
			return -1;
		*x = (int64_t)timegm(&tm) / 86400;
		return 0;
	default:
		return -1;
	}
}

/* ------------------------------------------------------------ groups */

/* Append a part of a group's key: v, or no value when NULL. */
static void
key_addn(struct crm_buf *k, const char *v, size_t len)
{
	crm_buf_addch(k, v ? 1 : 0);
	if (v)
		crm_buf_add(k, v, len);
	crm_buf_addch(k, 0);
}

static void
key_add(struct crm_buf *k, const char *v)
{
	key_addn(k, v, v ? strlen(v) : 0);
}

static struct group *
group_of(struct report *r, const char *key, size_t klen)
{
	size_t i, j, naggs = r->sp->naggs;
	struct group *g;

	/* rows come in runs of the same group */
	if (r->last && (g = &r->g[r->last - 1])->klen == klen &&
	    !memcmp(g->key, key, klen))
		return g;
	if (2 * (r->ng + 1) > r->hsize) {
		free(r->hash);
		r->hsize = r->hsize ? 2 * r->hsize : 64;
		r->hash = calloc(r->hsize, sizeof *r->hash);
		for (i = 0; i < r->ng; i++) {
			j = crm_hash(r->g[i].key, r->g[i].klen) &
			    (r->hsize - 1);
			while (r->hash[j])
				j = (j + 1) & (r->hsize - 1);
			r->hash[j] = i + 1;
		}
	}
	j = crm_hash(key, klen) & (r->hsize - 1);
	for (; r->hash[j]; j = (j + 1) & (r->hsize - 1)) {
		g = &r->g[r->hash[j] - 1];
		if (g->klen == klen && !memcmp(g->key, key, klen)) {
			r->last = r->hash[j];
			return g;
		}
	}
	if (r->ng == r->galloc) {
		r->galloc = r->galloc ? 2 * r->galloc : 64;
		r->g = crm_xrealloc(r->g, r->galloc * sizeof *r->g);
	}
	g = &r->g[r->ng];
	memset(g, 0, sizeof *g);
	g->key = crm_xmalloc(klen);
	if (klen)
		memcpy(g->key, key, klen);
	g->klen = klen;
	g->acc = calloc(naggs ? naggs : 1, sizeof *g->acc);
	r->hash[j] = ++r->ng;
	r->last = r->ng;
	return g;
}

/* The total group of a currency ("" when there is none). */
static struct group *
total_of(struct report *r, const char *cur)
{
	size_t i;

	for (i = 0; i < r->ntot; i++)
		if (!strcmp(r->tot[i].key, cur))
			return &r->tot[i];
	r->tot = crm_xrealloc(r->tot, (r->ntot + 1) * sizeof *r->tot);
	memset(&r->tot[r->ntot], 0, sizeof *r->tot);
	r->tot[r->ntot].key = strdup(cur);
	r->tot[r->ntot].klen = strlen(cur);
	r->tot[r->ntot].acc = calloc(r->sp->naggs ? r->sp->naggs : 1,
	    sizeof *r->tot->acc);
	return &r->tot[r->ntot++];
}

/* The first value of a column: copied, as values() may pass its own
 * scratch. */
struct one {
	struct crm_buf *b;
	const char *v;
};

static void
first_value(const char *v, void *arg)
{
	struct one *o = arg;

	if (o->v)
		return;
	crm_buf_reset(o->b);
	crm_buf_addstr(o->b, v);
	o->v = o->b->buf;
}

/* Count value v into aggregate i. */
static void
add_value(struct report *r, struct acc *a, size_t i, const char *v)
{
	int64_t x;

	if (r->sp->aggs[i].op == CRM_AGG_DISTINCT) {
		if (!a->distinct)
			a->distinct = calloc(1, sizeof *a->distinct);
		set_add(a->distinct, v);
		return;
	}
	if (numeric(r->aggf[i].vk, v, &x))
		return;
	if (!a->n || x < a->min)
		a->min = x;
	if (!a->n || x > a->max)
		a->max = x;
	a->n++;
	if (r->sp->aggs[i].op == CRM_AGG_SUM ||
	    r->sp->aggs[i].op == CRM_AGG_AVG)
		add_sum(r, &a->sum, x, agg_names[r->sp->aggs[i].op],
		    r->sp->aggs[i].field);
}

/* Every value of a row, such as each of its tags, into --distinct. */
struct distinct {
	struct report *r;
	struct acc *a;
	size_t i;
};

static void
distinct_value(const char *v, void *arg)
{
	struct distinct *d = arg;

	add_value(d->r, d->a, d->i, v);
}

/* Count one row into a group's aggregates. */
static void
accumulate(struct report *r, struct group *g, const crm_rec *rec,
    const struct crm_log *e)
{
	size_t i;

	for (i = 0; i < r->sp->naggs; i++) {
		struct acc *a = &g->acc[i];
		struct one o = { &r->vb, NULL };
		struct distinct d = { r, a, i };

		if (r->sp->aggs[i].op == CRM_AGG_COUNT) {
			a->n++;
			continue;
		}
		if (r->sp->aggs[i].op == CRM_AGG_DISTINCT) {
			values(r, &r->aggf[i], rec, e, distinct_value, &d);
			continue;
		}
		values(r, &r->aggf[i], rec, e, first_value, &o);
		if (o.v)
			add_value(r, a, i, o.v);
	}
}

/* The analyses' own counting, into a group (key) or a total. */
typedef void count_fn(struct report *r, struct group *g, const crm_rec *rec,
    int total);
static count_fn count_funnel;

/*
 * Count a row into the group of each combination of its key values
 * (a key with several values, such as tags, counts it in each), and
 * into the total of its currency.
 */
static void
count_row(struct report *r, const crm_rec *rec, const struct crm_log *e,
    count_fn *fn)
{
	size_t i, depth, pos[16];
	const char *cur = "";
	struct keyvals kv;
	struct group *g;

	for (i = 0; i < r->nkeys; i++) {
		crm_buf_reset(&r->vals[i]);
		r->nvals[i] = 0;
		if (r->keys[i].src == S_STAGE)
			continue;	/* the funnel counts stages itself */
		if (e && r->keys[i].src == S_LOG && r->keys[i].fid == 1 &&
		    r->keys[i].b) {
			/* the time of an entry: no text to and fro */
			time_label(&r->keys[i], e->at, &r->vals[i]);
			crm_buf_addch(&r->vals[i], 0);
			r->nvals[i] = 1;
			continue;
		}
		kv.c = &r->keys[i];
		kv.b = &r->vals[i];
		kv.n = &r->nvals[i];
		values(r, &r->keys[i], rec, e, add_keyval, &kv);
		if (r->keys[i].src == S_CURRENCY && r->nvals[i])
			cur = r->vals[i].buf;
	}
	g = total_of(r, cur);
	if (fn)
		fn(r, g, rec, 1);
	else
		accumulate(r, g, rec, e);
	if (fn == count_funnel) {
		fn(r, NULL, rec, 0);	/* it makes its own groups */
		return;
	}
	/* every combination: an odometer over the keys' values (one
	 * value a key, the usual row, is its one group) */
	memset(pos, 0, sizeof pos);
	for (;;) {
		crm_buf_reset(&r->kb);
		for (i = 0; i < r->nkeys; i++) {
			const char *v = r->vals[i].buf;
			size_t k;

			if (r->nvals[i] == 1) {
				key_addn(&r->kb, v, r->vals[i].len - 1);
				continue;
			}
			for (k = 0; k < pos[i]; k++)
				v += strlen(v) + 1;
			key_add(&r->kb, r->nvals[i] ? v : NULL);
		}
		g = group_of(r, r->kb.buf, r->kb.len);
		if (fn)
			fn(r, g, rec, 0);
		else
			accumulate(r, g, rec, e);
		for (depth = 0; depth < r->nkeys; depth++) {
			if (++pos[depth] < r->nvals[depth])
				break;
			pos[depth] = 0;
		}
		if (depth == r->nkeys)
			break;
	}
}

/* ---------------------------------------------------------- analyses */

static const struct crm_enumval *
stage_of(struct report *r, const crm_rec *rec, size_t *idx)
{
	const char *v = crm_rec_nth(rec, r->stage->fid, 0, NULL);
	const struct crm_enumval *ev = crm_stage_val(r->stage, v);

	if (ev && idx)
		*idx = (size_t)(ev - r->stage->vals);
	return ev;
}

static int64_t
amount_of(struct report *r, const crm_rec *rec)
{
	const char *v = r->amount ? crm_rec_nth(rec, r->amount->fid, 0, NULL) :
	    NULL;
	int64_t x = 0;

	if (v)
		crm_money_parse(v, &x);
	return x;
}

/* The group of this row's keys with the stage put in the last key. */
static struct group *
stage_group(struct report *r, size_t stage)
{
	size_t i;

	crm_buf_reset(&r->kb);
	for (i = 0; i < r->nkeys; i++) {
		key_add(&r->kb, r->keys[i].src == S_STAGE ?
		    r->stage->vals[stage].name : r->nvals[i] ?
		    r->vals[i].buf : NULL);
	}
	return group_of(r, r->kb.buf, r->kb.len);
}

/* funnel: x0 deals now at the stage, x1 their amount, x2 reached */
static void
count_funnel(struct report *r, struct group *g, const crm_rec *rec,
    int total)
{
	size_t k, now = 0;
	int hi;

	if (!stage_of(r, rec, &now))
		return;
	if (total) {
		g->x[0] += r->weight;
		add_sum(r, &g->x[1], amount_of(r, rec), "funnel", NULL);
		return;
	}
	g = stage_group(r, now);
	g->x[0] += r->weight;
	add_sum(r, &g->x[1], amount_of(r, rec), "funnel", NULL);
	/* every stage up to the furthest it was ever at, lost ones aside */
	hi = crm_roll_reached(r->stage, rec);
	for (k = 0; (int)k <= hi; k++)
		if (r->stage->vals[k].state != ST_LOST)
			stage_group(r, k)->x[2] += r->weight;
	if (r->stage->vals[now].state == ST_LOST)
		g->x[2] += r->weight;
}

/*
 * forecast: x0 open deals, x1 amount, x2 + x3 / 100 the amount weighted
 * by probability, in ten-thousandths: exact, so that the sum of the
 * parts is the part of the sum, whether counted deal by deal or from
 * the kept sums, and a * p, which an int64_t need not hold, is not made
 */
static void
count_forecast(struct report *r, struct group *g, const crm_rec *rec,
    int total)
{
	const struct crm_enumval *ev = stage_of(r, rec, NULL);
	int64_t a, p, w;

	(void)total;
	if (!ev || ev->state != ST_OPEN)
		return;
	a = amount_of(r, rec);
	p = ev->probability > 0 ? ev->probability : 0;
	g->x[0] += r->weight;
	add_sum(r, &g->x[1], a, "forecast", NULL);
	/* a * p / 100 = a / 100 * p + a % 100 * p / 100, and what is left
	 * of the last in x3 */
	w = a / 100 * p + a % 100 * p / 100;
	g->x[3] += a % 100 * p % 100;
	w += g->x[3] / 100;
	g->x[3] %= 100;
	add_sum(r, &g->x[2], w, "forecast", NULL);
}

/* win rate: x0 won, x1 lost */
static void
count_winrate(struct report *r, struct group *g, const crm_rec *rec,
    int total)
{
	const struct crm_enumval *ev = stage_of(r, rec, NULL);

	(void)total;
	if (ev && ev->state == ST_WON)
		g->x[0]++;
	else if (ev && ev->state == ST_LOST)
		g->x[1]++;
}

/* cycle time: x0 won, x1 seconds in all, x2 shortest, x3 longest */
static void
count_cycle(struct report *r, struct group *g, const crm_rec *rec,
    int total)
{
	const struct crm_enumval *ev = stage_of(r, rec, NULL);
	const char *v = crm_rec_nth(rec, FID_CLOSED, 0, NULL);
	int64_t d;

	(void)total;
	if (!ev || ev->state != ST_WON || !v)
		return;
	d = strtoll(v, NULL, 10) - rec->created;
	if (d < 0)
		d = 0;
	if (!g->x[0] || d < g->x[2])
		g->x[2] = d;
	if (!g->x[0] || d > g->x[3])
		g->x[3] = d;
	g->x[0]++;
	g->x[1] += d;
}

/* ------------------------------------------------------------ result */

static void
table_add(struct crm_table *tb, const char *v)
{
	size_t n = tb->nrows * tb->ncols + tb->fill;

	tb->cell = crm_xrealloc(tb->cell, (n + 1) * sizeof *tb->cell);
	tb->cell[n] = v ? strdup(v) : NULL;
	if (++tb->fill == tb->ncols) {
		tb->fill = 0;
		tb->nrows++;
	}
}

static void
table_col(struct crm_table *tb, const char *name, int num)
{
	tb->col = crm_xrealloc(tb->col, (tb->ncols + 1) * sizeof *tb->col);
	tb->num = crm_xrealloc(tb->num, tb->ncols + 1);
	tb->col[tb->ncols] = strdup(name);
	tb->num[tb->ncols++] = (unsigned char)num;
}

void
crm_table_free(struct crm_table *tb)
{
	size_t i;

	if (!tb)
		return;
	for (i = 0; i < tb->nrows * tb->ncols + tb->fill; i++)
		free(tb->cell[i]);
	for (i = 0; i < tb->ncols; i++)
		free(tb->col[i]);
	free(tb->cell);
	free(tb->col);
	free(tb->num);
	free(tb);
}

static void
fmt_num(struct crm_buf *b, enum vk vk, int64_t x, int avg)
{
	switch (vk) {
	case V_MONEY:
		crm_money_fmt(b, x);
		break;
	case V_TIME:
		crm_datetime_fmt(b, x);
		break;
	case V_DATE: {
		time_t t = (time_t)(x * 86400);
		struct tm tm;

		gmtime_r(&t, &tm);
		crm_buf_grow(b, 16);
		b->len += strftime(b->buf + b->len, 16, "%Y-%m-%d", &tm);
		break;
	}
	default:
		if (avg)
			crm_buf_addf(b, "%.2f", (double)x / 10000);
		else if (x % 10000 == 0)
			crm_buf_addf(b, "%lld", (long long)(x / 10000));
		else
			crm_buf_addf(b, "%.4g", (double)x / 10000);
	}
}

/*
 * Money to the cent, half away from zero, of (w + rest / 100) / d
 * ten-thousandths: an average (the sum and the count), a weighted sum
 * (d 1).  In integers, as doubles do not hold every amount.
 */
static void
cents(struct crm_buf *b, int64_t w, int64_t rest, int64_t d)
{
	int64_t e = 10000 * d, q = w / (100 * d), t;
	uint64_t u;

	/* (100 w + rest) / (10000 d) = q + t / e, t and q of one sign */
	t = w % (100 * d) * 100 + rest;
	q += t / e;
	t %= e;
	if (q > 0 && t < 0) {
		q--;
		t += e;
	} else if (q < 0 && t > 0) {
		q++;
		t -= e;
	}
	if (2 * (t < 0 ? -t : t) >= e)
		q += t < 0 ? -1 : 1;
	u = q < 0 ? -(uint64_t)q : (uint64_t)q;
	crm_buf_addf(b, "%s%llu.%02u", q < 0 ? "-" : "",
	    (unsigned long long)(u / 100), (unsigned)(u % 100));
}

static void
percent(struct crm_buf *b, int64_t part, int64_t whole)
{
	if (whole)
		crm_buf_addf(b, "%.1f", 100.0 * (double)part / (double)whole);
}

/* Cells of a number, an amount of money, a number of days. */
static void
table_int(struct crm_table *tb, int64_t v)
{
	char b[24];

	snprintf(b, sizeof b, "%lld", (long long)v);
	table_add(tb, b);
}

static void
table_money(struct crm_table *tb, int64_t v)
{
	struct crm_buf b = CRM_BUF_INIT;

	crm_money_fmt(&b, v);
	table_add(tb, b.buf);
	crm_buf_release(&b);
}

static void
table_days(struct crm_table *tb, int64_t secs)
{
	char b[32];

	snprintf(b, sizeof b, "%.1f", (double)secs / 86400);
	table_add(tb, b);
}

/* The aggregate cells of a group, appended to the table. */
static void
agg_cells(struct report *r, struct crm_table *tb, const struct group *g)
{
	const struct crm_report_spec *sp = r->sp;
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;

	for (i = 0; sp->analysis == CRM_REPORT_PLAIN && i < sp->naggs; i++) {
		const struct acc *a = &g->acc[i];
		enum vk vk = r->aggf[i].vk;

		crm_buf_reset(&b);
		switch (sp->aggs[i].op) {
		case CRM_AGG_COUNT:
			crm_buf_addf(&b, "%lld", (long long)a->n);
			break;
		case CRM_AGG_DISTINCT:
			crm_buf_addf(&b, "%zu", a->distinct ?
			    a->distinct->n : 0);
			break;
		case CRM_AGG_SUM:
			fmt_num(&b, vk, a->sum, 0);
			break;
		case CRM_AGG_AVG:
			if (a->n && vk == V_MONEY)
				cents(&b, a->sum, 0, a->n);
			else if (a->n)
				fmt_num(&b, vk == V_NUM ? V_NUM : vk,
				    a->sum / a->n, 1);
			break;
		case CRM_AGG_MIN:
			if (a->n)
				fmt_num(&b, vk, a->min, 0);
			break;
		case CRM_AGG_MAX:
			if (a->n)
				fmt_num(&b, vk, a->max, 0);
			break;
		}
		table_add(tb, b.len || sp->aggs[i].op == CRM_AGG_SUM ?
		    b.buf : NULL);
	}
	crm_buf_reset(&b);
	switch (sp->analysis) {
	case CRM_REPORT_FUNNEL:
		table_int(tb, g->x[0]);
		table_money(tb, g->x[1]);
		break;		/* reached, conversion: by the caller */
	case CRM_REPORT_FORECAST:
		table_int(tb, g->x[0]);
		table_money(tb, g->x[1]);
		cents(&b, g->x[2], g->x[3], 1);
		table_add(tb, b.buf);
		break;
	case CRM_REPORT_WIN_RATE:
		table_int(tb, g->x[0]);
		table_int(tb, g->x[1]);
		percent(&b, g->x[0], g->x[0] + g->x[1]);
		table_add(tb, b.len ? b.buf : NULL);
		break;
	case CRM_REPORT_CYCLE_TIME:
		table_int(tb, g->x[0]);
		if (!g->x[0]) {
			table_add(tb, NULL);
			table_add(tb, NULL);
			table_add(tb, NULL);
			break;
		}
		table_days(tb, g->x[1] / g->x[0]);
		table_days(tb, g->x[2]);
		table_days(tb, g->x[3]);
		break;
	default:
		break;
	}
	crm_buf_release(&b);
}

/* The n-th part of a group's key, NULL when it has no value. */
static const char *
key_part(const struct group *g, size_t n)
{
	const char *p = g->key;

	while (n--)
		p += strlen(p + 1) + 2;
	return *p ? p + 1 : NULL;
}

/* Make sure the group with part fi of g's key replaced by v exists. */
static void
fill_one(struct report *r, size_t gi, size_t fi, const char *v)
{
	struct crm_buf k = CRM_BUF_INIT;
	size_t i;

	for (i = 0; i < r->nkeys; i++) {
		key_add(&k, i == fi ? v : key_part(&r->g[gi], i));
	}
	group_of(r, k.buf, k.len);
	crm_buf_release(&k);
}

/* The group of key part k set to v and the others to none: the first
 * row of a report of nothing, that the other rows are filled from. */
static void
seed(struct report *r, size_t k, const char *v)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;

	for (i = 0; i < r->nkeys; i++)
		key_add(&b, i == k ? v : NULL);
	group_of(r, b.buf, b.len);
	crm_buf_release(&b);
}

/* Every value of an enum key, for each combination of the other keys. */
static void
fill_enum(struct report *r, size_t fi)
{
	const struct crm_field *f = r->keys[fi].f;
	size_t i, k, n = r->ng;

	for (i = 0; i < n; i++)
		for (k = 0; k < f->nvals; k++)
			fill_one(r, i, fi, f->vals[k].name);
}

/* The first day of a bucket's label, as a calendar date (noon UTC). */
static int
label_tm(enum bucket b, const char *s, struct tm *tm)
{
	int y, m = 1, d = 1, w;

	if (b == B_WEEK) {
		if (sscanf(s, "%d-W%d", &y, &w) != 2)
			return -1;
		/* week 1 holds 4 January; weeks start on Monday */
		calendar_day(tm, y, 1, 4);
		calendar_day(tm, y, 1, 4 - (tm->tm_wday + 6) % 7 +
		    7 * (w - 1));
		return 0;
	}
	if (b == B_QUARTER) {
		if (sscanf(s, "%d-Q%d", &y, &m) != 2)
			return -1;
		m = (m - 1) * 3 + 1;
	} else if (sscanf(s, "%d-%d-%d", &y, &m, &d) < 1) {
		return -1;
	}
	calendar_day(tm, y, m, d);
	return 0;
}

/* Empty buckets between the first and the last of a time key. */
static void
fill_buckets(struct report *r, size_t fi)
{
	enum bucket b = r->keys[fi].b;
	struct crm_buf lab = CRM_BUF_INIT;
	const char *lo = NULL, *hi = NULL, *v;
	struct tm tm;
	size_t i, n = r->ng, guard;
	time_t x;

	for (i = 0; i < n; i++) {
		if (!(v = key_part(&r->g[i], fi)))
			continue;
		if (!lo || strcmp(v, lo) < 0)
			lo = v;
		if (!hi || strcmp(v, hi) > 0)
			hi = v;
	}
	if (!lo || label_tm(b, lo, &tm))
		return;
	for (guard = 0; guard < 100000; guard++) {
		crm_buf_reset(&lab);
		bucket_label(&lab, b, &tm);
		if (strcmp(lab.buf, hi) > 0)
			break;
		for (i = 0; i < n; i++)
			fill_one(r, i, fi, lab.buf);
		switch (b) {
		case B_DAY: tm.tm_mday++; break;
		case B_WEEK: tm.tm_mday += 7; break;
		case B_MONTH: tm.tm_mon++; break;
		case B_QUARTER: tm.tm_mon += 3; break;
		default: tm.tm_year++; break;
		}
		x = timegm(&tm);
		gmtime_r(&x, &tm);
	}
	crm_buf_release(&lab);
}

/* Print labels: a ref as the name of what it points at. */
static void
label_groups(struct report *r)
{
	crm_rec *o = crm_rec_alloc();
	size_t i, k;

	for (i = 0; i < r->ng; i++) {
		struct group *g = &r->g[i];

		g->label = calloc(r->nkeys + 1, sizeof *g->label);
		for (k = 0; k < r->nkeys; k++) {
			const char *v = key_part(g, k), *name;

			if (!v)
				continue;
			if (r->keys[k].vk == V_REF && !crm_rec_load(r->t,
			    strtoull(v, NULL, 10), o) &&
			    (name = crm_rec_value(o, "name")))
				g->label[k] = strdup(name);
			else
				g->label[k] = strdup(v);
		}
	}
	crm_rec_free(o);
}

static int
enum_pos(const struct crm_field *f, const char *v)
{
	size_t k;

	for (k = 0; k < f->nvals; k++)
		if (!strcmp(f->vals[k].name, v))
			return (int)k;
	return (int)f->nvals;
}

static struct report *sorting;

static int
by_keys(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	const struct report *r = sorting;
	size_t k;
	int c;

	for (k = 0; k < r->nkeys; k++) {
		const char *x = a->label[k], *y = b->label[k];
		const struct col *col = &r->keys[k];

		if (!x || !y) {
			if (x != y)
				return x ? -1 : 1;
			continue;
		}
		if (col->vk == V_ENUM && col->f)
			c = enum_pos(col->f, x) - enum_pos(col->f, y);
		else if (col->vk == V_NUM || col->vk == V_MONEY) {
			double dx = strtod(x, NULL), dy = strtod(y, NULL);

			c = dx < dy ? -1 : dx > dy;
		} else
			c = strcmp(x, y);
		if (c)
			return c;
	}
	return 0;
}

/* Rows sorted by a column: numbers as numbers, empty cells last. */
struct rowsort {
	const struct crm_table *tb;
	size_t col;
	int desc;
};
static struct rowsort *rsort;

static int
by_cell(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct crm_table *tb = rsort->tb;
	const char *x = tb->cell[a * tb->ncols + rsort->col];
	const char *y = tb->cell[b * tb->ncols + rsort->col];
	int c;

	if (!x || !y)
		c = x == y ? 0 : x ? -1 : 1;
	else {
		if (tb->num[rsort->col]) {
			double dx = strtod(x, NULL), dy = strtod(y, NULL);

			c = dx < dy ? -1 : dx > dy;
		} else {
			c = strcmp(x, y);
		}
		if (rsort->desc)
			c = -c;
	}
	return c ? c : a < b ? -1 : a > b;
}

static int
sort_rows(struct crm_table *tb, const char *spec, size_t top, size_t first)
{
	struct rowsort rs = { tb, 0, 0 };
	size_t i, *order, n = tb->nrows - tb->ntotal;
	char **cells;

	if (spec) {
		rs.desc = *spec == '-';
		spec += rs.desc || *spec == '+';
		for (i = 0; i < tb->ncols; i++)
			if (!strcmp(tb->col[i], spec))
				break;
		if (i == tb->ncols)
			return crm_seterr(CRM_EINVAL, "--sort: no column '%s' "
			    "in this report", spec);
		rs.col = i;
	} else if (top) {
		rs.col = first;
		rs.desc = 1;
	} else {
		return 0;
	}
	order = crm_xmalloc(n * sizeof *order);
	for (i = 0; i < n; i++)
		order[i] = i;
	rsort = &rs;
	qsort(order, n, sizeof *order, by_cell);
	cells = crm_xmalloc((tb->nrows * tb->ncols + 1) * sizeof *cells);
	for (i = 0; i < n; i++)
		memcpy(cells + i * tb->ncols, tb->cell + order[i] * tb->ncols,
		    tb->ncols * sizeof *cells);
	memcpy(cells + n * tb->ncols, tb->cell + n * tb->ncols,
	    tb->ntotal * tb->ncols * sizeof *cells);
	free(tb->cell);
	tb->cell = cells;
	free(order);
	return 0;
}

/* Drop rows past the top n (the totals stay). */
static void
cut_rows(struct crm_table *tb, size_t n)
{
	size_t rows = tb->nrows - tb->ntotal, i;

	if (!n || n >= rows)
		return;
	for (i = n * tb->ncols; i < rows * tb->ncols; i++)
		free(tb->cell[i]);
	memmove(tb->cell + n * tb->ncols, tb->cell + rows * tb->ncols,
	    tb->ntotal * tb->ncols * sizeof *tb->cell);
	tb->nrows = n + tb->ntotal;
}

/* The funnel's reached and conversion cells of group i. */
static void
funnel_cells(struct report *r, struct crm_table *tb, struct group *g)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t si = r->nkeys - 1, k, cur;
	const char *st = key_part(g, si);
	struct group *next = NULL;

	table_int(tb, g->x[2]);
	cur = (size_t)enum_pos(r->stage, st);
	if (cur < r->stage->nvals && r->stage->vals[cur].state == ST_OPEN) {
		for (k = cur + 1; k < r->stage->nvals; k++)
			if (r->stage->vals[k].state != ST_LOST)
				break;
		if (k < r->stage->nvals) {
			/* the same keys, the next stage */
			struct crm_buf key = CRM_BUF_INIT;
			size_t i, j;

			for (i = 0; i < r->nkeys; i++)
				key_add(&key, i == si ?
				    r->stage->vals[k].name : key_part(g, i));
			for (j = 0; j < r->ng; j++)
				if (r->g[j].klen == key.len &&
				    !memcmp(r->g[j].key, key.buf, key.len))
					next = &r->g[j];
			crm_buf_release(&key);
		}
	}
	if (next)
		percent(&b, next->x[2], g->x[2]);
	table_add(tb, b.len ? b.buf : NULL);
	crm_buf_release(&b);
}

static struct crm_table *
build(struct report *r)
{
	const struct crm_report_spec *sp = r->sp;
	struct crm_table *tb = calloc(1, sizeof *tb);
	struct crm_buf b = CRM_BUF_INIT;
	size_t i, k, first, ncur = 0;
	int showcur = 0;
	char *cur0 = NULL;

	/* a currency column only when there is more than one */
	for (i = 0; i < r->ng; i++)
		for (k = 0; k < r->nkeys; k++) {
			const char *v;

			if (r->keys[k].src != S_CURRENCY)
				continue;
			v = key_part(&r->g[i], k);
			if (!ncur++)
				cur0 = v ? strdup(v) : NULL;
			else if (!(v && cur0 && !strcmp(v, cur0)) &&
			    !(!v && !cur0))
				showcur = 1;
		}
	free(cur0);
	for (k = 0; k < r->nkeys; k++)
		if (r->keys[k].src != S_CURRENCY || showcur) {
			crm_buf_reset(&b);
			crm_buf_addstr(&b, r->keys[k].name);
			table_col(tb, b.buf, r->keys[k].vk == V_NUM ||
			    r->keys[k].vk == V_MONEY);
		}
	first = tb->ncols;
	tb->nkeys = first;
	switch (sp->analysis) {
	case CRM_REPORT_FUNNEL:
		table_col(tb, "deals", 1);
		table_col(tb, "amount", 1);
		table_col(tb, "reached", 1);
		table_col(tb, "conversion", 1);
		break;
	case CRM_REPORT_FORECAST:
		table_col(tb, "deals", 1);
		table_col(tb, "amount", 1);
		table_col(tb, "weighted", 1);
		break;
	case CRM_REPORT_WIN_RATE:
		table_col(tb, "won", 1);
		table_col(tb, "lost", 1);
		table_col(tb, "win_rate", 1);
		break;
	case CRM_REPORT_CYCLE_TIME:
		table_col(tb, "won", 1);
		table_col(tb, "avg_days", 1);
		table_col(tb, "min_days", 1);
		table_col(tb, "max_days", 1);
		break;
	default:
		for (i = 0; i < sp->naggs; i++) {
			crm_buf_reset(&b);
			crm_buf_addstr(&b, agg_names[sp->aggs[i].op]);
			if (sp->aggs[i].op != CRM_AGG_COUNT)
				crm_buf_addf(&b, "_%s", sp->aggs[i].field);
			table_col(tb, b.buf, 1);
		}
	}
	sorting = r;
	qsort(r->g, r->ng, sizeof *r->g, by_keys);
	for (i = 0; i < r->ng; i++) {
		for (k = 0; k < r->nkeys; k++)
			if (r->keys[k].src != S_CURRENCY || showcur)
				table_add(tb, r->g[i].label[k]);
		agg_cells(r, tb, &r->g[i]);
		if (sp->analysis == CRM_REPORT_FUNNEL)
			funnel_cells(r, tb, &r->g[i]);
	}
	/* totals, one per currency */
	for (i = 0; i < r->ntot; i++) {
		int labeled = 0;

		for (k = 0; k < r->nkeys; k++)
			if (r->keys[k].src == S_CURRENCY && showcur) {
				table_add(tb, *r->tot[i].key ? r->tot[i].key :
				    NULL);
			} else if (r->keys[k].src != S_CURRENCY) {
				table_add(tb, labeled ? NULL : "total");
				labeled = 1;
			}
		agg_cells(r, tb, &r->tot[i]);
		if (sp->analysis == CRM_REPORT_FUNNEL) {
			table_add(tb, NULL);
			table_add(tb, NULL);
		}
		tb->ntotal++;
	}
	crm_buf_release(&b);
	tb->first = first;
	return tb;
}

/* ------------------------------------------------------------- rows */

static count_fn *const analyses[] = {
	[CRM_REPORT_FUNNEL] = count_funnel,
	[CRM_REPORT_FORECAST] = count_forecast,
	[CRM_REPORT_WIN_RATE] = count_winrate,
	[CRM_REPORT_CYCLE_TIME] = count_cycle,
};

/* Is rec a row of the analysis?  The forecast counts open deals, the
 * win rate closed ones, the cycle time won ones: no other makes a
 * group, not even an empty one. */
static int
wanted(struct report *r, const crm_rec *rec)
{
	const struct crm_enumval *ev;

	if (!r->stage || r->sp->analysis == CRM_REPORT_FUNNEL)
		return 1;
	if (!(ev = stage_of(r, rec, NULL)))
		return 0;
	switch (r->sp->analysis) {
	case CRM_REPORT_FORECAST: return ev->state == ST_OPEN;
	case CRM_REPORT_WIN_RATE: return ev->state != ST_OPEN;
	case CRM_REPORT_CYCLE_TIME: return ev->state == ST_WON;
	default: return 1;
	}
}

static int
rec_row(crm_txn *t, const crm_rec *rec, void *arg)
{
	struct report *r = arg;

	(void)t;
	if (rec->type != r->type || !wanted(r, rec))
		return 0;
	r->rows += (size_t)r->weight;
	count_row(r, rec, NULL, analyses[r->sp->analysis]);
	return r->err;
}

/*
 * The funnel and the forecast of all deals, by nothing or by the month,
 * quarter or year of their close date, can be told from the sums the
 * store keeps (rollup.c) when the user sees every deal.
 */
static int
roll_usable(const struct report *r)
{
	const struct crm_report_spec *sp = r->sp;
	size_t i;

	if (!r->type || !r->stage || sp->where || sp->naggs ||
	    (sp->analysis != CRM_REPORT_FUNNEL &&
	    sp->analysis != CRM_REPORT_FORECAST) ||
	    crm_view_role(r->t->db) != ROLE_ADMIN)
		return 0;
	for (i = 0; i < r->nuser; i++)
		if (r->keys[i].src != S_FIELD || !r->keys[i].f ||
		    strcmp(r->keys[i].f->name, "close") ||
		    r->keys[i].f->type != FT_DATE ||
		    r->keys[i].b < B_MONTH)
			return 0;
	return 1;
}

/* A kept sum, counted as one deal that weighs as many as it holds. */
static int
roll_row(const struct crm_roll *row, void *arg)
{
	struct report *r = arg;
	crm_rec *rec = r->rec;
	const struct crm_field *f;
	struct crm_buf *b = &r->vb;

	rec->type = r->type;
	rec->schema = r->s;
	rec->id = 0;
	rec->n = 0;
	crm_buf_reset(&rec->arena);
	crm_rec_add_raw(rec, r->stage->fid, row->stage, strlen(row->stage));
	if (r->amount) {
		crm_buf_reset(b);
		crm_money_fmt(b, row->cents);
		crm_rec_add_raw(rec, r->amount->fid, b->buf, b->len);
	}
	if (*row->currency && (f = crm_type_field(r->type, "currency")))
		crm_rec_add_raw(rec, f->fid, row->currency,
		    strlen(row->currency));
	if (*row->month && (f = crm_type_field(r->type, "close"))) {
		crm_buf_reset(b);
		crm_buf_addstr(b, row->month);
		crm_buf_addstr(b, "-01");
		crm_rec_add_raw(rec, f->fid, b->buf, b->len);
	}
	if (*row->reached) {
		crm_buf_reset(b);
		crm_buf_addstr(b, "0 ");
		crm_buf_addstr(b, row->reached);
		crm_rec_add_raw(rec, FID_STAGES, b->buf, b->len);
	}
	r->weight = row->n;
	rec_row(r->t, rec, r);
	r->weight = 1;
	return r->err;
}

static int
log_row(const struct crm_log *e, void *arg)
{
	struct report *r = arg;

	if ((r->q && !crm_query_match_log(r->q, e)) ||
	    !entry_visible(r, e->rec))
		return 0;
	r->rows++;
	count_row(r, NULL, e, NULL);
	return r->err;
}

/*
 * History rows straight from the store: when the report needs only the
 * entries' own fields and no query, each part is found where it lies,
 * with no copy and no NUL-ended strings to make.
 */
static const char log_tags[] = "kaatocd";	/* by log_fields; at: key */

static int
raw_usable(const struct report *r)
{
	size_t i;

	if ((r->q && !crm_query_log_at_only(r->q)) || r->type)
		return 0;
	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].src != S_LOG)
			return 0;
	for (i = 0; i < r->sp->naggs; i++)
		if (r->sp->aggs[i].op != CRM_AGG_COUNT &&
		    r->aggf[i].src != S_LOG)
			return 0;
	return 1;
}

/* Part i (log_fields) of an entry: at from the key, the rest by tag. */
static int
raw_part(struct report *r, unsigned i, int64_t at, const void *val,
    size_t len, const char **p, size_t *n)
{
	if (i == 1) {
		crm_buf_reset(&r->vb);
		crm_buf_addf(&r->vb, "%lld", (long long)at);
		*p = r->vb.buf;
		*n = r->vb.len;
		return 1;
	}
	return crm_log_part(val, len, log_tags[i], p, n);
}

static int
raw_row(int64_t at, const void *val, size_t len, void *arg)
{
	struct report *r = arg;
	struct group *g[2];
	const char *p;
	size_t i, k, n;

	if (r->q) {
		struct crm_log e;

		memset(&e, 0, sizeof e);
		e.at = at;
		if (!crm_query_match_log(r->q, &e))
			return 0;
	}
	r->rows++;
	crm_buf_reset(&r->kb);
	for (i = 0; i < r->nkeys; i++) {
		struct col *c = &r->keys[i];

		if (c->fid == 1 && c->b) {
			crm_buf_reset(&r->vb);
			time_label(c, at, &r->vb);
			key_addn(&r->kb, r->vb.buf, r->vb.len);
		} else if (raw_part(r, c->fid, at, val, len, &p, &n) && n) {
			key_addn(&r->kb, p, n);
		} else {
			key_add(&r->kb, NULL);
		}
	}
	g[0] = &r->tot[0];
	g[1] = group_of(r, r->kb.buf, r->kb.len);
	for (k = 0; k < 2; k++)
		for (i = 0; i < r->sp->naggs; i++) {
			if (r->sp->aggs[i].op == CRM_AGG_COUNT) {
				g[k]->acc[i].n++;
				continue;
			}
			if (!raw_part(r, r->aggf[i].fid, at, val, len, &p,
			    &n) || !n)
				continue;
			if (p != r->vb.buf) {
				crm_buf_reset(&r->vb);
				crm_buf_add(&r->vb, p, n);
			}
			add_value(r, &g[k]->acc[i], i, r->vb.buf);
		}
	return r->err;
}

/*
 * Interactions counted, or their amounts summed, by owner, kind and
 * buckets of time, of the whole history, seen by an admin: from the sums
 * the store keeps by hour (rollup.c), when no bucket splits an hour (a
 * zone half an hour off UTC splits some).
 */
static int
hist_usable(const struct report *r)
{
	size_t i;

	if (r->type || r->q || r->sp->analysis != CRM_REPORT_PLAIN ||
	    crm_view_role(r->t->db) != ROLE_ADMIN)
		return 0;
	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].src != S_LOG || !(r->keys[i].fid == 0 ||
		    r->keys[i].fid == 4 || (r->keys[i].fid == 1 &&
		    r->keys[i].b)))
			return 0;
	for (i = 0; i < r->sp->naggs; i++)
		if (r->sp->aggs[i].op != CRM_AGG_COUNT &&
		    !((r->sp->aggs[i].op == CRM_AGG_SUM ||
		    r->sp->aggs[i].op == CRM_AGG_AVG) &&
		    r->aggf[i].src == S_LOG && r->aggf[i].fid == 2))
			return 0;
	return 1;
}

/* Does each time key put the whole hour in one bucket? */
static int
hist_whole(const struct crm_hist *row, void *arg)
{
	struct report *r = arg;
	size_t i;

	for (i = 0; i < r->nkeys; i++) {
		struct col *c = &r->keys[i];

		if (c->fid != 1)
			continue;
		crm_buf_reset(&r->vb);
		time_label(c, row->hour * 3600, &r->vb);
		crm_buf_reset(&r->kb);
		time_label(c, row->hour * 3600 + 3599, &r->kb);
		if (strcmp(r->vb.buf, r->kb.buf))
			return CRM_ENOTFOUND;
	}
	return 0;
}

static int
hist_row(const struct crm_hist *row, void *arg)
{
	struct report *r = arg;
	struct group *g[2];
	size_t i, k;

	r->rows += (size_t)row->n;
	crm_buf_reset(&r->kb);
	for (i = 0; i < r->nkeys; i++) {
		struct col *c = &r->keys[i];
		const char *v = c->fid == 0 ? row->kind : row->owner;

		if (c->fid == 1) {
			crm_buf_reset(&r->vb);
			time_label(c, row->hour * 3600, &r->vb);
			key_addn(&r->kb, r->vb.buf, r->vb.len);
		} else {
			key_add(&r->kb, *v ? v : NULL);
		}
	}
	g[0] = &r->tot[0];
	g[1] = group_of(r, r->kb.buf, r->kb.len);
	for (k = 0; k < 2; k++)
		for (i = 0; i < r->sp->naggs; i++) {
			struct acc *a = &g[k]->acc[i];

			if (r->sp->aggs[i].op == CRM_AGG_COUNT) {
				a->n += row->n;
			} else {
				a->n += row->na;
				add_sum(r, &a->sum, row->cents,
				    agg_names[r->sp->aggs[i].op], "amount");
			}
		}
	return r->err;
}

static int
hist_report(struct report *r)
{
	size_t i;
	int rc, times = 0;

	for (i = 0; i < r->nkeys; i++)
		times |= r->keys[i].fid == 1;
	/* a first pass only where a bucket of time could split an hour */
	if (times && (rc = crm_hist_each(r->t, hist_whole, r)))
		return rc;
	total_of(r, "");
	return crm_hist_each(r->t, hist_row, r);
}

/* The type a report is about: a type's name or its plural. */
static int
report_type(const crm_schema *s, const char *name,
    const struct crm_type **tp)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t n = strlen(name);

	*tp = NULL;
	if (!strcmp(name, "interactions") || !strcmp(name, "interaction"))
		return 0;
	if ((*tp = crm_schema_type(s, name)))
		return 0;
	if (n > 3 && !strcmp(name + n - 3, "ies")) {
		crm_buf_add(&b, name, n - 3);
		crm_buf_addch(&b, 'y');
		*tp = crm_schema_type(s, b.buf);
	}
	if (!*tp && n > 1 && name[n - 1] == 's') {
		crm_buf_reset(&b);
		crm_buf_add(&b, name, n - 1);
		*tp = crm_schema_type(s, b.buf);
	}
	crm_buf_release(&b);
	if (*tp)
		return 0;
	crm_schema_hastype(s, name);
	return crm_errprefix(CRM_EINVAL, "%s", "");
}

static void
add_key(struct report *r, const struct col *c)
{
	r->keys = crm_xrealloc(r->keys, (r->nkeys + 1) * sizeof *r->keys);
	r->keys[r->nkeys++] = *c;
}

static int
setup_keys(struct report *r)
{
	const struct crm_report_spec *sp = r->sp;
	char *by = sp->by ? strdup(sp->by) : NULL, *p, *save = NULL;
	const struct crm_field *cur;
	struct col c;
	size_t i;
	int rc = 0, money = 0;

	for (p = by ? strtok_r(by, ",", &save) : NULL; p && !rc;
	    p = strtok_r(NULL, ",", &save)) {
		if (r->nkeys == 8) {
			rc = crm_seterr(CRM_EINVAL, "--by: at most 8 keys");
			break;
		}
		if (!(rc = resolve(r, p, &c, 1)))
			add_key(r, &c);
		else
			free(c.name);
	}
	free(by);
	if (rc)
		return rc;
	r->nuser = r->nkeys;
	for (i = 0; i < sp->naggs; i++)
		if (r->aggf[i].vk == V_MONEY && sp->aggs[i].op !=
		    CRM_AGG_COUNT && sp->aggs[i].op != CRM_AGG_DISTINCT)
			money = 1;
	if (sp->analysis == CRM_REPORT_FUNNEL ||
	    sp->analysis == CRM_REPORT_FORECAST)
		money = 1;
	/* money in several currencies is never added up */
	if (money && r->type && (cur = crm_type_field(r->type, "currency"))) {
		memset(&c, 0, sizeof c);
		c.name = strdup("currency");
		c.src = S_CURRENCY;
		c.fid = cur->fid;
		c.f = cur;
		c.vk = V_TEXT;
		add_key(r, &c);
	}
	if (sp->analysis == CRM_REPORT_FUNNEL) {
		memset(&c, 0, sizeof c);
		c.name = strdup(r->stage->name);
		c.src = S_STAGE;
		c.fid = r->stage->fid;
		c.f = r->stage;
		c.vk = V_ENUM;
		add_key(r, &c);
	}
	return 0;
}

static int
setup_aggs(struct report *r)
{
	const struct crm_report_spec *sp = r->sp;
	size_t i;
	int rc;

	r->aggf = calloc(sp->naggs + 1, sizeof *r->aggf);
	for (i = 0; i < sp->naggs; i++) {
		enum crm_agg_op op = sp->aggs[i].op;
		struct col *c = &r->aggf[i];

		if (op == CRM_AGG_COUNT)
			continue;
		if ((rc = resolve(r, sp->aggs[i].field, c, 0)))
			return crm_errprefix(rc, "--%s: ", agg_names[op]);
		if (op == CRM_AGG_DISTINCT)
			continue;
		if ((op == CRM_AGG_SUM || op == CRM_AGG_AVG) &&
		    c->vk != V_NUM && c->vk != V_MONEY)
			return crm_seterr(CRM_EINVAL, "--%s: '%s' is not a "
			    "number or an amount", agg_names[op], c->name);
		if (c->vk != V_NUM && c->vk != V_MONEY && c->vk != V_TIME &&
		    c->vk != V_DATE)
			return crm_seterr(CRM_EINVAL, "--%s: '%s' is not a "
			    "number, an amount or a date", agg_names[op],
			    c->name);
	}
	return 0;
}

static void
report_free(struct report *r)
{
	size_t i, k;

	for (i = 0; i < r->ng; i++) {
		for (k = 0; k < r->sp->naggs; k++)
			set_free(r->g[i].acc[k].distinct);
		for (k = 0; r->g[i].label && k < r->nkeys; k++)
			free(r->g[i].label[k]);
		free(r->g[i].label);
		free(r->g[i].acc);
		free(r->g[i].key);
	}
	for (i = 0; i < r->ntot; i++) {
		for (k = 0; k < r->sp->naggs; k++)
			set_free(r->tot[i].acc[k].distinct);
		free(r->tot[i].acc);
		free(r->tot[i].key);
	}
	for (i = 0; i < r->nkeys; i++) {
		free(r->keys[i].name);
		free(r->keys[i].span);
		crm_buf_release(&r->keys[i].scratch);
		crm_buf_release(&r->vals[i]);
	}
	for (i = 0; r->aggf && i < r->sp->naggs; i++)
		free(r->aggf[i].name);
	free(r->aggf);
	free(r->keys);
	free(r->vals);
	free(r->nvals);
	free(r->g);
	free(r->tot);
	free(r->hash);
	crm_buf_release(&r->kb);
	crm_buf_release(&r->vb);
	crm_rec_free(r->rec);
	crm_query_free(r->q);
}

static int churn(struct report *r, struct crm_table **out);
static int campaign(struct report *r, struct crm_table **out);

int
crm_report(crm_txn *t, const struct crm_report_spec *sp,
    struct crm_table **out)
{
	struct report r;
	size_t i;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.t = t;
	r.sp = sp;
	r.s = crm_txn_schema(t);
	r.rec = crm_rec_alloc();
	crm_buf_init(&r.kb, 64);
	crm_buf_init(&r.vb, 64);
	if ((rc = report_type(r.s, sp->type ? sp->type : "interactions",
	    &r.type)))
		goto out;
	if (sp->analysis >= CRM_REPORT_FUNNEL &&
	    sp->analysis <= CRM_REPORT_CYCLE_TIME) {
		if (!r.type || !(r.stage = crm_type_stage(r.type))) {
			rc = crm_seterr(CRM_EINVAL, "--%s: '%s' has no stages "
			    "(the schema gives deals theirs)",
			    analysis_names[sp->analysis], sp->type);
			goto out;
		}
		r.amount = crm_type_field(r.type, "amount");
		if (r.amount && r.amount->type != FT_MONEY)
			r.amount = NULL;
	}
	/* the customers buy; a mailing is told from the history */
	if ((sp->analysis == CRM_REPORT_CHURN && (!r.type ||
	    (strcmp(r.type->name, "person") &&
	    strcmp(r.type->name, "company")))) ||
	    (sp->analysis == CRM_REPORT_CAMPAIGN && r.type)) {
		rc = crm_seterr(CRM_EINVAL, "--%s: a report of %s, not of %s",
		    analysis_names[sp->analysis],
		    sp->analysis == CRM_REPORT_CHURN ? "persons or companies" :
		    "interactions",
		    sp->type ? sp->type : "interactions");
		goto out;
	}
	if (sp->where && (rc = r.type || sp->analysis == CRM_REPORT_CAMPAIGN ?
	    crm_query_parse(&r.q, r.s, sp->where, sp->now) :
	    crm_query_parse_log(&r.q, r.s, sp->where, sp->now)))
		goto out;
	if (sp->analysis == CRM_REPORT_CHURN) {
		rc = churn(&r, out);
		goto out;
	}
	if (sp->analysis == CRM_REPORT_CAMPAIGN) {
		rc = campaign(&r, out);
		goto out;
	}
	if ((rc = setup_aggs(&r)) || (rc = setup_keys(&r)))
		goto out;
	r.vals = calloc(r.nkeys + 1, sizeof *r.vals);
	r.nvals = calloc(r.nkeys + 1, sizeof *r.nvals);
	for (i = 0; i < r.nkeys; i++)
		crm_buf_init(&r.vals[i], 32);
	r.weight = 1;
	/* raw rows do not say whose they are */
	if (roll_usable(&r) &&
	    (rc = crm_roll_each(t, r.type, roll_row, &r)) != CRM_ENOTFOUND)
		;
	else if (hist_usable(&r) && (rc = hist_report(&r)) != CRM_ENOTFOUND)
		;
	else if (raw_usable(&r) && crm_view_role(t->db) == ROLE_ADMIN) {
		total_of(&r, "");
		rc = crm_log_scan_raw(t, raw_row, &r);
	} else if (!r.type)
		rc = crm_log_scan(t, log_row, &r);
	else if (r.q)
		rc = crm_query_run(t, r.q, NULL, rec_row, &r);
	else
		rc = crm_scan(t, r.type->name, rec_row, &r);
	if (rc || (rc = r.err))
		goto out;
	if (!r.ntot)
		total_of(&r, "");
	/* nothing counted: a report without keys has its one row, one by
	 * an enum (the funnel by stage) a row of each value, all at 0; the
	 * keys it adds itself, such as the currency, have none */
	if (sp->analysis == CRM_REPORT_FUNNEL) {
		if (!r.ng)
			seed(&r, r.nkeys - 1, r.stage->vals[0].name);
		fill_enum(&r, r.nkeys - 1);
	} else if (!r.nuser) {
		if (!r.ng)
			seed(&r, 0, NULL);
	} else if (r.nuser == 1 && r.keys[0].b) {
		fill_buckets(&r, 0);
	} else if (r.nuser == 1 && r.keys[0].vk == V_ENUM) {
		if (!r.ng)
			seed(&r, 0, r.keys[0].f->vals[0].name);
		fill_enum(&r, 0);
	}
	label_groups(&r);
	*out = build(&r);
	(*out)->matched = r.rows;
	if ((rc = sort_rows(*out, sp->sort, sp->top, (*out)->first)))
		goto out;
	cut_rows(*out, sp->top);
out:
	if (rc) {
		crm_table_free(*out);
		*out = NULL;
	}
	report_free(&r);
	return rc;
}

/* ------------------------------------------------------------- churn */

struct times {
	int64_t *v;
	size_t n, alloc;
};

static int
purchase_time(const struct crm_log *e, void *arg)
{
	struct times *ts = arg;

	if (strcasecmp(e->kind, "purchase"))
		return 0;
	if (ts->n == ts->alloc) {
		ts->alloc = ts->alloc ? 2 * ts->alloc : 16;
		ts->v = crm_xrealloc(ts->v, ts->alloc * sizeof *ts->v);
	}
	ts->v[ts->n++] = e->at;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct churned {
	uint64_t id;
	size_t n;
	int64_t interval, since, last;
	double ratio;
};

struct churn_ctx {
	struct report *r;
	struct times ts, gaps;
	struct churned *v;
	size_t n, alloc;
};

static int
churn_row(crm_txn *t, const crm_rec *rec, void *arg)
{
	struct churn_ctx *c = arg;
	int64_t med, since;
	size_t i;
	int rc;

	if (rec->type != c->r->type)
		return 0;
	c->ts.n = c->gaps.n = 0;
	if ((rc = crm_log_list(t, rec->id, 0, purchase_time, &c->ts)))
		return rc;
	if (c->ts.n < 3)
		return 0;
	qsort(c->ts.v, c->ts.n, sizeof *c->ts.v, cmp_i64);
	c->gaps.n = 0;
	if (c->gaps.alloc < c->ts.n) {
		c->gaps.alloc = c->ts.alloc;
		c->gaps.v = crm_xrealloc(c->gaps.v, c->gaps.alloc *
		    sizeof *c->gaps.v);
	}
	for (i = 1; i < c->ts.n; i++)
		c->gaps.v[c->gaps.n++] = c->ts.v[i] - c->ts.v[i - 1];
	qsort(c->gaps.v, c->gaps.n, sizeof *c->gaps.v, cmp_i64);
	med = c->gaps.n % 2 ? c->gaps.v[c->gaps.n / 2] :
	    (c->gaps.v[c->gaps.n / 2 - 1] + c->gaps.v[c->gaps.n / 2]) / 2;
	since = c->r->sp->now - c->ts.v[c->ts.n - 1];
	if (med <= 0 || since <= 2 * med)
		return 0;
	c->r->rows++;
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->v = crm_xrealloc(c->v, c->alloc * sizeof *c->v);
	}
	c->v[c->n].id = rec->id;
	c->v[c->n].n = c->ts.n;
	c->v[c->n].interval = med;
	c->v[c->n].since = since;
	c->v[c->n].last = c->ts.v[c->ts.n - 1];
	c->v[c->n++].ratio = (double)since / (double)med;
	return 0;
}

static int
most_overdue(const void *pa, const void *pb)
{
	const struct churned *a = pa, *b = pb;

	if (a->ratio != b->ratio)
		return a->ratio > b->ratio ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
churn(struct report *r, struct crm_table **out)
{
	struct churn_ctx c = { r, { 0 }, { 0 }, NULL, 0, 0 };
	struct crm_table *tb;
	struct crm_buf b = CRM_BUF_INIT;
	crm_rec *o = crm_rec_alloc();
	size_t i;
	int rc;

	rc = r->q ? crm_query_run(r->t, r->q, NULL, churn_row, &c) :
	    crm_scan(r->t, r->type->name, churn_row, &c);
	if (rc)
		goto out;
	qsort(c.v, c.n, sizeof *c.v, most_overdue);
	*out = tb = calloc(1, sizeof *tb);
	table_col(tb, "id", 1);
	table_col(tb, "name", 0);
	table_col(tb, "purchases", 1);
	table_col(tb, "interval_days", 1);
	table_col(tb, "since_days", 1);
	table_col(tb, "last_purchase", 0);
	tb->nkeys = tb->first = 2;
	for (i = 0; i < c.n; i++) {
		time_t x = (time_t)c.v[i].last;
		struct tm tm;

		table_int(tb, (int64_t)c.v[i].id);
		table_add(tb, crm_rec_load(r->t, c.v[i].id, o) ? NULL :
		    crm_rec_value(o, "name"));
		table_int(tb, (int64_t)c.v[i].n);
		table_days(tb, c.v[i].interval);
		table_days(tb, c.v[i].since);
		crm_buf_reset(&b);
		localtime_r(&x, &tm);
		bucket_label(&b, B_DAY, &tm);
		table_add(tb, b.buf);
	}
	tb->matched = c.n;
	if (!(rc = sort_rows(tb, r->sp->sort, 0, 0)))
		cut_rows(tb, r->sp->top);
out:
	free(c.ts.v);
	free(c.gaps.v);
	free(c.v);
	crm_rec_free(o);
	crm_buf_release(&b);
	return rc;
}

/* ---------------------------------------------------------- campaign */

struct camp {
	struct report *r;
	uint64_t rec;
	int64_t sent;		/* first sending to the record, 0: none */
	int replied, bought;
	int64_t amount;
	/* the figures */
	int64_t nsent, nbounced, nout, nreplied, nbought, sum;
	int err;
};

/* The record's figures are complete: count them in. */
static int
camp_done(struct camp *c)
{
	struct crm_buf why = CRM_BUF_INIT;
	const char *email;
	int rc = 0;

	if (!c->sent)
		return 0;
	if (crm_rec_load(c->r->t, c->rec, c->r->rec))
		return 0;
	if (c->r->q && !crm_query_match(c->r->t, c->r->q, c->r->rec))
		return 0;
	c->nsent++;
	c->nreplied += c->replied;
	c->nbought += c->bought;
	add_sum(c->r, &c->sum, c->amount, "campaign", NULL);
	if ((email = crm_rec_value(c->r->rec, "email"))) {
		rc = crm_optout_get(c->r->t, email, &why);
		if (!rc) {
			if (!strncmp(why.buf, "bounce", 6))
				c->nbounced++;
			else
				c->nout++;
		}
		rc = rc == CRM_ENOTFOUND ? 0 : rc;
	}
	crm_buf_release(&why);
	return rc;
}

static int
camp_entry(const struct crm_log *e, void *arg)
{
	struct camp *c = arg;
	const struct crm_report_spec *sp = c->r->sp;
	int64_t x;
	int rc;

	if (e->rec != c->rec) {
		if ((rc = camp_done(c)))
			return rc;
		c->rec = e->rec;
		c->sent = 0;
		c->replied = c->bought = 0;
		c->amount = 0;
	}
	if (!entry_visible(c->r, e->rec))
		return 0;
	if (!c->sent) {
		if (!strcasecmp(e->kind, "email") && e->campaign &&
		    crm_fold_eq(e->campaign, sp->campaign) &&
		    (!e->dir || strcmp(e->dir, "in")))
			c->sent = e->at;
		return 0;
	}
	if (e->at > c->sent + sp->window)
		return 0;
	if (!strcasecmp(e->kind, "email") && e->dir && !strcmp(e->dir, "in"))
		c->replied = 1;
	if (!strcasecmp(e->kind, "purchase")) {
		c->bought = 1;
		if (e->amount && !crm_money_parse(e->amount, &x))
			add_sum(c->r, &c->amount, x, "campaign", NULL);
	}
	return c->r->err;
}

static int
campaign(struct report *r, struct crm_table **out)
{
	struct camp c;
	struct crm_table *tb;
	int rc;

	memset(&c, 0, sizeof c);
	c.r = r;
	if ((rc = crm_log_scan(r->t, camp_entry, &c)) || (rc = camp_done(&c)) ||
	    (rc = r->err))
		return rc;
	*out = tb = calloc(1, sizeof *tb);
	table_col(tb, "campaign", 0);
	table_col(tb, "sent", 1);
	table_col(tb, "bounced", 1);
	table_col(tb, "opted_out", 1);
	table_col(tb, "replied", 1);
	table_col(tb, "bought", 1);
	table_col(tb, "amount", 1);
	tb->nkeys = tb->first = 1;
	table_add(tb, r->sp->campaign);
	table_int(tb, c.nsent);
	table_int(tb, c.nbounced);
	table_int(tb, c.nout);
	table_int(tb, c.nreplied);
	table_int(tb, c.nbought);
	table_money(tb, c.sum);
	tb->matched = (size_t)c.nsent;
	return 0;
}
