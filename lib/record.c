/* record.c - records: typed values, encoding, and the one write path */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cjson.h"

#include "internal.h"

#define REC_VERSION 1

crm_rec *
crm_rec_alloc(void)
{
	crm_rec *r = calloc(1, sizeof *r);

	if (!r)
		abort();
	crm_buf_init(&r->arena, 0);
	crm_buf_init(&r->in, 0);
	crm_buf_init(&r->out, 0);
	return r;
}

int
crm_rec_new(crm_txn *t, const char *type, crm_rec **rp)
{
	const crm_schema *s = crm_txn_schema(t);
	const struct crm_type *ty;
	crm_rec *r;

	*rp = NULL;
	if (!crm_schema_hastype(s, type))
		return CRM_EINVAL;
	ty = crm_schema_type(s, type);
	r = crm_rec_alloc();
	r->type = ty;
	r->schema = s;
	*rp = r;
	return 0;
}

void
crm_rec_clear(crm_rec *r)
{
	r->id = 0;
	r->created = 0;
	r->n = 0;
	crm_buf_reset(&r->arena);
}

void
crm_rec_clear_id(crm_rec *r)
{
	r->id = 0;
	r->created = 0;
}

void
crm_rec_free(crm_rec *r)
{
	if (!r)
		return;
	free(r->v);
	crm_buf_release(&r->arena);
	crm_buf_release(&r->in);
	crm_buf_release(&r->out);
	free(r);
}

uint64_t
crm_rec_id(const crm_rec *r)
{
	return r->id;
}

const char *
crm_rec_type(const crm_rec *r)
{
	return r->type->name;
}

int64_t
crm_rec_created(const crm_rec *r)
{
	return r->created;
}

void
crm_rec_add_raw(crm_rec *r, unsigned fid, const char *s, size_t len)
{
	struct crm_val *v;

	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 16;
		r->v = crm_xrealloc(r->v, r->alloc * sizeof *r->v);
	}
	v = &r->v[r->n++];
	v->fid = fid;
	v->off = (uint32_t)r->arena.len;
	v->len = (uint32_t)len;
	crm_buf_add(&r->arena, s, len);
	crm_buf_addch(&r->arena, 0);
}

void
crm_rec_drop(crm_rec *r, unsigned fid)
{
	size_t i, j;

	for (i = j = 0; i < r->n; i++)
		if (r->v[i].fid != fid)
			r->v[j++] = r->v[i];
	r->n = j;
}

const char *
crm_rec_nth(const crm_rec *r, unsigned fid, size_t nth, size_t *lenp)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].fid == fid && nth-- == 0) {
			if (lenp)
				*lenp = r->v[i].len;
			return r->arena.buf + r->v[i].off;
		}
	return NULL;
}

const char *
crm_rec_value(const crm_rec *r, const char *field)
{
	const struct crm_field *f = crm_type_field(r->type, field);

	return f ? crm_rec_nth(r, f->fid, 0, NULL) : NULL;
}

static int
badval(const struct crm_field *f, const char *v, const char *what)
{
	return crm_seterr(CRM_EINVAL, "field '%s': '%s' is not %s", f->name,
	    v, what);
}

/* An amount in its one stored form: 0.50 for .5, 7.00 for 007. */
static int
money(const struct crm_field *f, const char *v, struct crm_buf *out)
{
	struct crm_buf what = CRM_BUF_INIT;
	int64_t x;
	int rc;

	crm_buf_addf(&what, "field '%s'", f->name);
	if (!(rc = crm_money_read(what.buf, v, &x)))
		crm_money_fmt(out, x);
	crm_buf_release(&what);
	return rc;
}

/* Check v against f's type and append its stored form to out. */
int
crm_value_canon(const crm_schema *s, const struct crm_field *f, const char *v,
    struct crm_buf *out)
{
	static const char *const yes[] = { "true", "yes", "y", "1", "on",
		NULL };
	static const char *const no[] = { "false", "no", "n", "0", "off",
		NULL };
	size_t i;
	int64_t t;
	char *end;
	double d;

	if (!crm_utf8_valid(v, strlen(v)))
		return crm_seterr(CRM_EINVAL, "field '%s': not UTF-8 text",
		    f->name);
	switch (f->type) {
	case FT_TEXT:
		crm_buf_addstr(out, v);
		return 0;
	case FT_TAGS:
		if (strchr(v, ','))
			return badval(f, v, "a tag (tags hold no commas)");
		crm_buf_addstr(out, v);
		return 0;
	case FT_EMAIL:
		if (!crm_email_valid(v))
			return badval(f, v, "an e-mail address");
		{
			const char *at = strrchr(v, '@');

			/* the domain in lower case: müller.de is not
			 * muller.de, another domain */
			crm_buf_add(out, v, (size_t)(at - v));
			crm_casefold(out, at, strlen(at));
		}
		return 0;
	case FT_PHONE:
		if (crm_phone_norm(out, v, s->country))
			return crm_errprefix(CRM_EINVAL, "field '%s': ",
			    f->name);
		return 0;
	case FT_DATE:
		if (!crm_date_valid(v))
			return badval(f, v, "a date (YYYY-MM-DD or --MM-DD)");
		crm_buf_addstr(out, v);
		return 0;
	case FT_DATETIME:
		if (crm_datetime_parse(v, &t))
			return badval(f, v, "a date and time (ISO 8601, "
			    "e.g. 2026-12-01 or 2026-12-01T10:00)");
		crm_buf_addf(out, "%lld", (long long)t);
		return 0;
	case FT_NUMBER:
		d = strtod(v, &end);
		if (end == v || *end || !isfinite(d) || strchr(v, 'x') ||
		    strchr(v, 'X') || strchr(v, 'n') || strchr(v, 'N'))
			return badval(f, v, "a number");
		crm_buf_addf(out, "%.15g", d);
		return 0;
	case FT_MONEY:
		return money(f, v, out);
	case FT_ENUM:
		for (i = 0; i < f->nvals; i++)
			if (!strcasecmp(f->vals[i].name, v)) {
				crm_buf_addstr(out, f->vals[i].name);
				return 0;
			}
		{
			struct crm_buf b = CRM_BUF_INIT;

			for (i = 0; i < f->nvals; i++)
				crm_buf_addf(&b, "%s%s", i ? ", " : "",
				    f->vals[i].name);
			crm_seterr(CRM_EINVAL, "field '%s': '%s' is not one "
			    "of %s", f->name, v, b.buf);
			crm_buf_release(&b);
		}
		return CRM_EINVAL;
	case FT_BOOL:
		for (i = 0; yes[i]; i++)
			if (!strcasecmp(v, yes[i])) {
				crm_buf_addstr(out, "true");
				return 0;
			}
		for (i = 0; no[i]; i++)
			if (!strcasecmp(v, no[i])) {
				crm_buf_addstr(out, "false");
				return 0;
			}
		return badval(f, v, "yes or no");
	case FT_CONSENT:
		/* yes or no; kept with when and from where it came, as
		 * "yes 1764000000 web-form" (crm_rec_put adds those) */
		{
			size_t w = strcspn(v, " ");
			int given = -1;

			for (i = 0; yes[i] && given < 0; i++)
				if (strlen(yes[i]) == w &&
				    !strncasecmp(v, yes[i], w))
					given = 1;
			for (i = 0; no[i] && given < 0; i++)
				if (strlen(no[i]) == w &&
				    !strncasecmp(v, no[i], w))
					given = 0;
			if (given < 0 || (v[w] && (v[w + 1] < '0' ||
			    v[w + 1] > '9')))
				return badval(f, v, "yes or no");
			crm_buf_addstr(out, given ? "yes" : "no");
			crm_buf_addstr(out, v + w);
		}
		return 0;
	case FT_REF:
		{
			unsigned long long id = strtoull(v, &end, 10);

			if (*v < '0' || *v > '9' || *end || !id)
				return badval(f, v, "a record id");
			crm_buf_addf(out, "%llu", id);
		}
		return 0;
	}
	return CRM_EINVAL;
}

int
crm_value_fits(const crm_schema *s, const struct crm_field *f, const char *v,
    size_t len, struct crm_buf *b)
{
	char *end;
	int rc;

	crm_buf_reset(b);
	if (f->type == FT_DATETIME) {
		(void)strtoll(v, &end, 10);
		if (end != v && !*end)
			return 0;
	} else if ((rc = crm_value_canon(s, f, v, b))) {
		return rc;
	} else if (b->len == len && !memcmp(b->buf, v, len)) {
		return 0;
	}
	return crm_seterr(CRM_EINVAL, "field '%s' holds '%s', not a value of "
	    "its type", f->name, v);
}

int
crm_rec_check_values(crm_rec *r, unsigned fid)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n && !rc; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);

		/* a former field's value is kept as it was */
		if (f && (!fid || fid == f->fid))
			rc = crm_value_fits(r->schema, f, r->arena.buf +
			    r->v[i].off, r->v[i].len, &r->out);
	}
	return rc;
}

static const struct crm_field *
field_of(const crm_rec *r, const char *name)
{
	const struct crm_field *f = crm_type_field(r->type, name);
	const char *c;

	if (f)
		return f;
	if (!strcmp(name, "id") || !strcmp(name, "created") ||
	    !strcmp(name, "type")) {
		crm_seterr(CRM_EINVAL, "field '%s' is set by crm", name);
		return NULL;
	}
	if (crm_schema_hasfield(r->schema, name)) {
		crm_seterr(CRM_EINVAL, "a %s has no field '%s'",
		    r->type->name, name);
		return NULL;
	}
	c = crm_schema_suggest(r->schema, r->type, name);
	if (c)
		crm_seterr(CRM_EINVAL, "unknown field '%s' (did you mean "
		    "'%s'?)", name, c);
	else
		crm_seterr(CRM_EINVAL, "unknown field '%s'", name);
	return NULL;
}

static int
hastag(const crm_rec *r, unsigned fid, const char *tag, size_t *at)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].fid == fid &&
		    !strcasecmp(r->arena.buf + r->v[i].off, tag)) {
			if (at)
				*at = i;
			return 1;
		}
	return 0;
}

static void
trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t'))
		(*s)++, (*len)--;
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* One value (one tag) of f, already trimmed and non-empty. */
static int
set_one(crm_rec *r, const struct crm_field *f, const char *v, size_t len,
    enum crm_set_op op)
{
	struct crm_buf *in = &r->in, *out = &r->out;
	size_t at;
	int rc;

	if (memchr(v, 0, len))
		return crm_seterr(CRM_EINVAL, "field '%s': NUL byte in value",
		    f->name);
	crm_buf_reset(in);
	crm_buf_reset(out);
	crm_buf_add(in, v, len);
	if ((rc = crm_value_canon(r->schema, f, in->buf, out)))
		return rc;
	if (op == CRM_DEL) {
		while (hastag(r, f->fid, out->buf, &at)) {
			memmove(&r->v[at], &r->v[at + 1], (r->n - at - 1) *
			    sizeof *r->v);
			r->n--;
		}
	} else if (f->type != FT_TAGS || !hastag(r, f->fid, out->buf, NULL)) {
		crm_rec_add_raw(r, f->fid, out->buf, out->len);
	}
	return 0;
}

int
crm_rec_set(crm_rec *r, const char *name, const char *val, size_t len,
    enum crm_set_op op)
{
	const struct crm_field *f = field_of(r, name);

	return f ? crm_rec_setf(r, f, val, len, op) : CRM_EINVAL;
}

int
crm_rec_setf(crm_rec *r, const struct crm_field *f, const char *val,
    size_t len, enum crm_set_op op)
{
	const char *p, *e, *comma;
	size_t n;
	int rc;

	if (op != CRM_SET && f->type != FT_TAGS)
		return crm_seterr(CRM_EINVAL, "field '%s': += and -= are for "
		    "tags", f->name);
	if (op == CRM_SET)
		crm_rec_drop(r, f->fid);
	if (f->type != FT_TAGS) {
		trim(&val, &len);
		return len ? set_one(r, f, val, len, op) : 0;
	}
	for (p = val, e = val + len; p < e; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(e - p));
		if (!comma)
			comma = e;
		n = (size_t)(comma - p);
		trim(&p, &n);
		if (n && (rc = set_one(r, f, p, n, op)))
			return rc;
	}
	return 0;
}

int
crm_rec_assign(crm_rec *r, const char *expr)
{
	const char *eq = strchr(expr, '=');
	enum crm_set_op op = CRM_SET;
	struct crm_buf name = CRM_BUF_INIT;
	size_t n;
	int rc;

	if (!eq || eq == expr)
		return crm_seterr(CRM_EINVAL, "expected field=value, not "
		    "'%s'", expr);
	n = (size_t)(eq - expr);
	if (eq[-1] == '+' || eq[-1] == '-') {
		op = eq[-1] == '+' ? CRM_ADD : CRM_DEL;
		n--;
	}
	crm_buf_add(&name, expr, n);
	rc = crm_rec_set(r, name.buf, eq + 1, strlen(eq + 1), op);
	crm_buf_release(&name);
	return rc;
}

/* A consent as crm-export writes it: {value, at, source}. */
static int
json_consent(crm_rec *r, const char *name, const cJSON *v,
    enum crm_set_op op)
{
	const cJSON *val = cJSON_GetObjectItemCaseSensitive(v, "value");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(v, "at");
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(v, "source");
	const struct crm_field *f = crm_type_field(r->type, name);
	struct crm_buf b = CRM_BUF_INIT;
	int64_t t;
	int rc;

	if (!f || f->type != FT_CONSENT || !cJSON_IsString(val))
		return crm_seterr(CRM_EINVAL, "field '%s': expected a string, "
		    "number or boolean", name);
	crm_buf_addstr(&b, val->valuestring);
	if (cJSON_IsString(at)) {
		if (crm_datetime_parse(at->valuestring, &t)) {
			crm_buf_release(&b);
			return crm_seterr(CRM_EINVAL, "field '%s': 'at' is "
			    "not a date and time", name);
		}
		crm_buf_addf(&b, " %lld %s", (long long)t,
		    cJSON_IsString(src) ? src->valuestring : "");
	}
	rc = crm_rec_set(r, name, b.buf, b.len, op);
	crm_buf_release(&b);
	return rc;
}

static int
json_scalar(crm_rec *r, const char *name, const cJSON *v, enum crm_set_op op)
{
	char b[64];

	if (cJSON_IsString(v))
		return crm_rec_set(r, name, v->valuestring,
		    strlen(v->valuestring), op);
	if (cJSON_IsBool(v))
		return crm_rec_set(r, name, cJSON_IsTrue(v) ? "true" :
		    "false", cJSON_IsTrue(v) ? 4 : 5, op);
	if (cJSON_IsNumber(v)) {
		snprintf(b, sizeof b, "%.15g", v->valuedouble);
		return crm_rec_set(r, name, b, strlen(b), op);
	}
	if (cJSON_IsObject(v))
		return json_consent(r, name, v, op);
	return crm_seterr(CRM_EINVAL, "field '%s': expected a string, number "
	    "or boolean", name);
}

/*
 * cJSON allocates every node; for a line of input a bump allocator
 * reset per line does the same job without malloc and free.
 */
static struct {
	char *base;
	size_t used, cap;
} arena;

static void *
arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (arena.used + n > arena.cap)
		return malloc(n);
	arena.used += n;
	return arena.base + arena.used - n;
}

static void
arena_free(void *p)
{
	if ((char *)p < arena.base || (char *)p >= arena.base + arena.cap)
		free(p);
}

/* Does a JSON text hold a NUL, as a byte or as the escape \u0000,
 * which C strings cannot? */
int
crm_json_nul(const char *s, size_t len)
{
	size_t i;

	if (memchr(s, 0, len))
		return 1;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < len &&
		    !memcmp(s + i + 2, "0000", 4))
			return 1;
		i++;		/* the escaped character */
	}
	return 0;
}

static cJSON *
parse_json(const char *json, size_t len, const char **end)
{
	cJSON_Hooks hooks = { arena_alloc, arena_free };
	cJSON *root;

	if (!arena.base) {
		arena.cap = 64 << 10;
		arena.base = crm_xmalloc(arena.cap);
	}
	arena.used = 0;
	cJSON_InitHooks(&hooks);
	root = cJSON_ParseWithLengthOpts(json, len, end, 0);
	cJSON_InitHooks(NULL);
	return root;
}

static void
free_json(cJSON *root)
{
	cJSON_Hooks hooks = { arena_alloc, arena_free };

	cJSON_InitHooks(&hooks);
	cJSON_Delete(root);
	cJSON_InitHooks(NULL);
	arena.used = 0;
}

int
crm_rec_set_json(crm_rec *r, const char *json, size_t len)
{
	const char *e = NULL;
	cJSON *root, *it, *x;
	const struct crm_field *f;
	int rc = 0;

	if (crm_json_nul(json, len))
		return crm_seterr(CRM_EINVAL, "a NUL character (\\u0000) "
		    "in a JSON string");
	root = parse_json(json, len, &e);
	if (root && e)		/* only blanks may follow the value */
		while (e < json + len && *e && strchr(" \t\r\n", *e))
			e++;
	if (!root || e != json + len) {
		if (root)
			free_json(root);
		else
			e = cJSON_GetErrorPtr();
		return crm_seterr(CRM_EINVAL, "bad JSON at column %zu",
		    e && e >= json && e <= json + len ?
		    (size_t)(e - json) + 1 : (size_t)1);
	}
	if (!cJSON_IsObject(root)) {
		free_json(root);
		return crm_seterr(CRM_EINVAL, "expected a JSON object");
	}
	for (it = root->child; it && !rc; it = it->next) {
		if (!strcmp(it->string, "type") && cJSON_IsString(it)) {
			if (strcmp(it->valuestring, r->type->name))
				rc = crm_seterr(CRM_EINVAL, "a %s, not a %s",
				    it->valuestring, r->type->name);
			continue;
		}
		if (cJSON_IsNull(it)) {
			if (!(f = field_of(r, it->string)))
				rc = CRM_EINVAL;
			else
				crm_rec_drop(r, f->fid);
			continue;
		}
		if (!cJSON_IsArray(it)) {
			rc = json_scalar(r, it->string, it, CRM_SET);
			continue;
		}
		if (!(f = field_of(r, it->string))) {
			rc = CRM_EINVAL;
			break;
		}
		if (f->type != FT_TAGS && cJSON_GetArraySize(it) > 1) {
			rc = crm_seterr(CRM_EINVAL, "field '%s' takes one "
			    "value", f->name);
			break;
		}
		crm_rec_drop(r, f->fid);
		for (x = it->child; x && !rc; x = x->next)
			rc = json_scalar(r, it->string, x, CRM_ADD);
	}
	free_json(root);
	return rc;
}

void
crm_rec_merge(crm_rec *r, const crm_rec *src)
{
	size_t i, j;

	for (i = 0; i < src->n; i++) {
		for (j = 0; j < i; j++)
			if (src->v[j].fid == src->v[i].fid)
				break;
		if (j == i)
			crm_rec_drop(r, src->v[i].fid);
	}
	for (i = 0; i < src->n; i++)
		crm_rec_add_raw(r, src->v[i].fid, src->arena.buf +
		    src->v[i].off, src->v[i].len);
}

void
crm_rec_encode(const crm_rec *r, struct crm_buf *out)
{
	size_t i;

	crm_buf_addch(out, REC_VERSION);
	crm_put_varint(out, r->type->tid);
	crm_put_varint(out, (uint64_t)r->created);
	for (i = 0; i < r->n; i++) {
		crm_put_varint(out, r->v[i].fid);
		crm_put_varint(out, r->v[i].len);
		crm_buf_add(out, r->arena.buf + r->v[i].off, r->v[i].len);
	}
}

int
crm_rec_decode(crm_rec *r, const crm_schema *s, uint64_t id, const void *p,
    size_t len)
{
	const unsigned char *q = p, *e = q + len;
	unsigned char *a, *nul = NULL;
	uint64_t tid, created, fid, n;

	r->schema = s;
	r->id = id;
	r->n = 0;
	crm_buf_reset(&r->arena);
	if (len < 1 || *q++ != REC_VERSION ||
	    crm_get_varint(&q, e, &tid) || crm_get_varint(&q, e, &created))
		goto bad;
	if (!(r->type = crm_schema_type_id(s, (unsigned)tid)))
		return crm_seterr(CRM_ESTORE, "record %llu has a type the "
		    "schema lacks", (unsigned long long)id);
	r->created = (int64_t)created;
	/*
	 * The encoding copied whole, and its values used where they stand:
	 * the first byte of the varints after a value becomes its NUL once
	 * they are read.  One copy, not one a value.
	 */
	crm_buf_grow(&r->arena, len + 1);
	a = (unsigned char *)r->arena.buf;
	memcpy(a, p, len);
	q = a + (q - (const unsigned char *)p);
	e = a + len;
	while (q < e) {
		struct crm_val *v;

		if (crm_get_varint(&q, e, &fid) || crm_get_varint(&q, e, &n) ||
		    n > (uint64_t)(e - q))
			goto bad;
		if (nul)
			*nul = 0;
		if (r->n == r->alloc) {
			r->alloc = r->alloc ? 2 * r->alloc : 16;
			r->v = crm_xrealloc(r->v, r->alloc * sizeof *r->v);
		}
		v = &r->v[r->n++];
		v->fid = (unsigned)fid;
		v->off = (uint32_t)(q - a);
		v->len = (uint32_t)n;
		q += n;
		nul = (unsigned char *)q;
	}
	a[len] = 0;
	/* appended values go after the last one's NUL */
	r->arena.len = len + 1;
	a[len + 1] = 0;
	return 0;
bad:
	return crm_seterr(CRM_ESTORE, "record %llu is damaged",
	    (unsigned long long)id);
}

/*
 * A record by its key: through a reader's kept cursor when it has one,
 * which finds the next of a sorted list of ids on the same page, and
 * steps to one a few records on rather than search the tree again.
 */
#define STEPS 16

static int
get(crm_txn *t, MDB_val *k, MDB_val *v)
{
	MDB_cursor *c = crm_txn_cursor(t, t->db->recs, &t->rcur);
	uint64_t want, at;
	MDB_val ck;
	int i, rc;

	if (!c) {
		/* a writer's: LMDB looks on the cursor's page first (and
		 * MDB_SET leaves k as it was, as mdb_get does: the page
		 * MDB_SET_KEY would point it into may be rewritten) */
		if (!t->write || !(c = crm_txn_wcursor(t, WC_RECS)))
			return mdb_get(t->txn, t->db->recs, k, v);
		return mdb_cursor_get(c, k, v, MDB_SET);
	}
	memcpy(&want, k->mv_data, sizeof want);
	if (t->rcur_at && t->rcur_at < want && want - t->rcur_at <= STEPS) {
		for (i = 0; i < STEPS; i++) {
			if ((rc = mdb_cursor_get(c, &ck, v, MDB_NEXT)))
				break;
			memcpy(&at, ck.mv_data, sizeof at);
			t->rcur_at = at;
			if (at == want)
				return 0;
			if (at > want)
				break;
		}
	}
	rc = mdb_cursor_get(c, k, v, MDB_SET_KEY);
	t->rcur_at = rc ? 0 : want;
	return rc;
}

int
crm_alias_next(crm_txn *t, uint64_t *id)
{
	struct crm_buf to = CRM_BUF_INIT;
	char key[40];
	int rc;

	snprintf(key, sizeof key, "alias:%llu", (unsigned long long)*id);
	if (!(rc = crm_meta_get(t, key, &to)))
		*id = strtoull(to.buf, NULL, 10);
	crm_buf_release(&to);
	return rc;
}

int
crm_rec_load(crm_txn *t, uint64_t id, crm_rec *r)
{
	MDB_val k = { sizeof id, &id }, v;
	int rc, hops;

	if (crm_log_pending(t, id) && (rc = crm_log_settle(t)))
		return rc;
	/* a record merged into another still answers, as that one (the
	 * key points at id) */
	for (hops = 0; (rc = get(t, &k, &v)) == MDB_NOTFOUND && hops < 8 &&
	    !crm_alias_next(t, &id); hops++)
		;
	if (!rc && hops && crm_log_pending(t, id)) {
		/* reached through an alias: the figures go in first */
		if ((rc = crm_log_settle(t)))
			return rc;
		rc = get(t, &k, &v);
	}
	if (rc)
		return rc == MDB_NOTFOUND ? CRM_ENOTFOUND :
		    crm_mdb_err(rc, "cannot read a record");
	return crm_rec_decode(r, crm_txn_schema(t), id, v.mv_data, v.mv_size);
}

int
crm_rec_get(crm_txn *t, uint64_t id, crm_rec **rp)
{
	crm_rec *r = crm_rec_alloc();
	int rc;

	*rp = NULL;
	if ((rc = crm_rec_load(t, id, r))) {
		crm_rec_free(r);
		return rc;
	}
	*rp = r;
	return 0;
}

static int
check_refs(crm_txn *t, const crm_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		crm_rec *to;
		uint64_t id;
		int rc;

		if (!f || f->type != FT_REF)
			continue;
		id = strtoull(r->arena.buf + r->v[i].off, NULL, 10);
		if (id == r->id)
			return crm_seterr(CRM_EINVAL, "field '%s': a record "
			    "cannot refer to itself", f->name);
		rc = crm_rec_get(t, id, &to);
		if (rc == CRM_ENOTFOUND)
			return crm_seterr(CRM_EINVAL, "field '%s': no record "
			    "%llu", f->name, (unsigned long long)id);
		if (rc)
			return rc;
		if (f->to && strcmp(to->type->name, f->to))
			rc = crm_seterr(CRM_EINVAL, "field '%s': record %llu "
			    "is a %s, not a %s", f->name,
			    (unsigned long long)id, to->type->name, f->to);
		crm_rec_free(to);
		if (rc)
			return rc;
	}
	return 0;
}

static int
check_required(crm_rec *r, int create)
{
	size_t i;

	for (i = 0; i < r->type->nfields; i++) {
		const struct crm_field *f = &r->type->fields[i];

		if (!(create && f->def) && !(f->flags & FF_REQUIRED))
			continue;
		if (crm_rec_nth(r, f->fid, 0, NULL))
			continue;
		if (create && f->def) {
			struct crm_buf b = CRM_BUF_INIT;
			int rc = crm_value_canon(r->schema, f, f->def, &b);

			if (!rc)
				crm_rec_add_raw(r, f->fid, b.buf, b.len);
			crm_buf_release(&b);
			if (rc)
				return rc;
		} else if (f->flags & FF_REQUIRED) {
			return crm_seterr(CRM_EINVAL, "field '%s' is required "
			    "for a %s", f->name, r->type->name);
		}
	}
	return 0;
}

/* A unique value of r that another record holds: *idp, or CRM_ENOTFOUND. */
static int
unique_taken(crm_txn *t, const crm_rec *r, uint64_t *idp,
    const struct crm_field **fp, const char **vp)
{
	struct crm_buf k = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	size_t i, j;
	int rc = CRM_ENOTFOUND;

	for (i = 0; i < r->n && rc == CRM_ENOTFOUND; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);

		if (!f || !(f->flags & FF_UNIQUE))
			continue;
		crm_buf_reset(&k);
		crm_index_key(&k, f->fid, r->arena.buf + r->v[i].off,
		    r->v[i].len);
		ids.n = 0;
		if ((rc = crm_index_scan(t, &k, 0, &ids)))
			continue;
		rc = CRM_ENOTFOUND;
		for (j = 0; j < ids.n; j++)
			if (ids.v[j] != r->id) {
				*idp = ids.v[j];
				*fp = f;
				*vp = r->arena.buf + r->v[i].off;
				rc = 0;
				break;
			}
	}
	crm_ids_release(&ids);
	crm_buf_release(&k);
	return rc;
}

int
crm_rec_find_unique(crm_txn *t, const crm_rec *r, uint64_t *idp)
{
	const struct crm_field *f;
	const char *v;

	return unique_taken(t, r, idp, &f, &v);
}

static int
check_unique(crm_txn *t, const crm_rec *r)
{
	const struct crm_field *f;
	const char *v;
	uint64_t id;
	int rc = unique_taken(t, r, &id, &f, &v);

	if (rc == CRM_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	return crm_seterr(CRM_EEXIST, "%s '%s' is already record %llu",
	    f->name, v, (unsigned long long)id);
}

static void
joined(const crm_rec *r, unsigned fid, struct crm_buf *out)
{
	size_t i, n = 0;

	crm_buf_reset(out);
	for (i = 0; i < r->n; i++)
		if (r->v[i].fid == fid) {
			if (n++)
				crm_buf_addch(out, ',');
			crm_buf_add(out, r->arena.buf + r->v[i].off,
			    r->v[i].len);
		}
}

static int
put_rec(crm_txn *t, const crm_rec *r, unsigned flags)
{
	static struct crm_buf b = CRM_BUF_INIT;	/* kept: not a malloc a record */
	uint64_t id = r->id;
	MDB_val k = { sizeof id, &id }, v;
	int rc;

	crm_txn_tick(t);
	crm_buf_reset(&b);
	crm_rec_encode(r, &b);
	v.mv_size = b.len;
	v.mv_data = b.buf;
	rc = crm_txn_put(t, WC_RECS, &k, &v, flags);
	return rc ? crm_mdb_err(rc, "cannot write a record") : 0;
}

/* The derived figures changed: the record is written, not journalled,
 * and no index holds them. */
int
crm_rec_write(crm_txn *t, const crm_rec *r)
{
	return put_rec(t, r, 0);
}

int
crm_rec_put_derived(crm_txn *t, const crm_rec *r)
{
	crm_rec *old;
	int rc;

	if ((rc = crm_rec_get(t, r->id, &old)))
		return rc;
	if (!(rc = put_rec(t, r, 0)))
		rc = crm_index_derived(t, old, r);
	crm_rec_free(old);
	return rc;
}

/* Journal each field whose values differ between old and r. */
static int
journal_diff(crm_txn *t, const crm_rec *old, const crm_rec *r, int *changed)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	const crm_rec *side[2] = { old, r };
	size_t i, j, s;
	int rc = 0;

	*changed = 0;
	for (s = 0; s < 2 && !rc; s++) {
		for (i = 0; i < side[s]->n && !rc; i++) {
			unsigned fid = side[s]->v[i].fid;

			for (j = 0; j < i; j++)
				if (side[s]->v[j].fid == fid)
					break;
			if (j < i || IS_DERIVED(fid))
				continue;
			if (s == 1 && crm_rec_nth(old, fid, 0, NULL))
				continue;
			joined(old, fid, &a);
			joined(r, fid, &b);
			if (a.len == b.len && !memcmp(a.buf, b.buf, a.len))
				continue;
			*changed = 1;
			rc = crm_journal_set(t, r->id, fid, &a, &b);
		}
	}
	crm_buf_release(&a);
	crm_buf_release(&b);
	return rc;
}

void
crm_rec_set_raw(crm_rec *r, unsigned fid, const char *v, size_t len)
{
	const struct crm_field *f = crm_type_field_id(r->type, fid);
	const char *p, *e;

	crm_rec_drop(r, fid);
	if (!len)
		return;
	if (!f || f->type != FT_TAGS) {
		crm_rec_add_raw(r, fid, v, len);
		return;
	}
	for (p = v; p < v + len; p = e + 1) {
		if (!(e = memchr(p, ',', (size_t)(v + len - p))))
			e = v + len;
		if (e > p)
			crm_rec_add_raw(r, fid, p, (size_t)(e - p));
	}
}

int
crm_rec_revive(crm_txn *t, uint64_t id, const void *enc, size_t len)
{
	crm_rec *r = crm_rec_alloc();
	int rc;

	char key[40];

	/* back from a merge: its id is its own again, no alias */
	snprintf(key, sizeof key, "alias:%llu", (unsigned long long)id);
	if (!(rc = crm_rec_decode(r, crm_txn_schema(t), id, enc, len)) &&
	    !(rc = crm_rec_check_values(r, 0)) &&
	    !(rc = crm_rec_restore(t, r)) &&
	    !(rc = crm_task_changed(t, NULL, r)) &&
	    !(rc = crm_meta_del(t, key)))
		rc = crm_alias_keys_drop(t, id);
	crm_rec_free(r);
	return rc;
}

int
crm_rec_equal(const crm_rec *a, const crm_rec *b)
{
	struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;
	const crm_rec *side[2] = { a, b };
	size_t s, i;
	int same = a->type == b->type;

	for (s = 0; s < 2 && same; s++)
		for (i = 0; i < side[s]->n && same; i++) {
			unsigned fid = side[s]->v[i].fid;

			if (IS_DERIVED(fid))
				continue;
			joined(a, fid, &x);
			joined(b, fid, &y);
			same = x.len == y.len && !memcmp(x.buf, y.buf, x.len);
		}
	crm_buf_release(&x);
	crm_buf_release(&y);
	return same;
}

/*
 * A deal's stages: each stage it enters is kept as "TIME STAGE" in the
 * record, and closed holds when it was won or lost, so that conversion,
 * time in stage and cycle time can be reported.  old is NULL for a new
 * record.
 */
static void
track_stage(crm_txn *t, const crm_rec *old, crm_rec *r)
{
	const struct crm_field *f = crm_type_stage(r->type);
	const struct crm_enumval *ev;
	const char *st, *was = NULL, *v;
	char b[48];
	size_t i, len;

	if (!f)
		return;
	/* kept aside: adding values may move r's arena */
	crm_buf_reset(&r->in);
	if ((st = crm_rec_nth(r, f->fid, 0, NULL)))
		crm_buf_addstr(&r->in, st);
	st = st ? r->in.buf : NULL;
	crm_rec_drop(r, FID_STAGES);
	crm_rec_drop(r, FID_CLOSED);
	if (old) {
		was = crm_rec_nth(old, f->fid, 0, NULL);
		for (i = 0; (v = crm_rec_nth(old, FID_STAGES, i, &len)); i++)
			crm_rec_add_raw(r, FID_STAGES, v, len);
		if (was && st && !strcmp(was, st)) {
			if ((v = crm_rec_nth(old, FID_CLOSED, 0, &len)))
				crm_rec_add_raw(r, FID_CLOSED, v, len);
			return;
		}
	}
	if (!st)
		return;
	crm_buf_reset(&r->out);
	crm_buf_addf(&r->out, "%lld %s", (long long)t->now, st);
	crm_rec_add_raw(r, FID_STAGES, r->out.buf, r->out.len);
	if ((ev = crm_stage_val(f, st)) && ev->state != ST_OPEN) {
		len = (size_t)snprintf(b, sizeof b, "%lld", (long long)t->now);
		crm_rec_add_raw(r, FID_CLOSED, b, len);
	}
}

int
crm_rec_reclose(crm_rec *r)
{
	const struct crm_field *f = crm_type_stage(r->type);
	const struct crm_enumval *ev;
	const char *st, *v, *sp;
	long long at = r->created;
	char b[32];
	size_t i, len;

	if (!f || !(st = crm_rec_nth(r, f->fid, 0, NULL)) ||
	    !(ev = crm_stage_val(f, st)))
		return 0;
	if (ev->state == ST_OPEN) {
		if (!crm_rec_nth(r, FID_CLOSED, 0, NULL))
			return 0;
		crm_rec_drop(r, FID_CLOSED);
		return 1;
	}
	if (crm_rec_nth(r, FID_CLOSED, 0, NULL))
		return 0;
	/* when it last entered the stage it is in */
	for (i = 0; (v = crm_rec_nth(r, FID_STAGES, i, &len)); i++)
		if ((sp = memchr(v, ' ', len)) && !strcmp(sp + 1, st))
			at = strtoll(v, NULL, 10);
	len = (size_t)snprintf(b, sizeof b, "%lld", at);
	crm_rec_add_raw(r, FID_CLOSED, b, len);
	return 1;
}

/* A person of another company now: both companies' figures anew. */
static int
company_moved(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	const struct crm_field *f = crm_type_field(r->type, "company");
	const char *a, *b;
	int rc = 0;

	if (!f || f->type != FT_REF || !crm_rec_nth(r, FID_INTERACTIONS, 0,
	    NULL))
		return 0;	/* no history, no figures to move */
	a = crm_rec_nth(old, f->fid, 0, NULL);
	b = crm_rec_nth(r, f->fid, 0, NULL);
	if (a && b && !strcmp(a, b))
		return 0;
	if (a)
		rc = crm_log_refigure(t, strtoull(a, NULL, 10));
	if (!rc && b)
		rc = crm_log_refigure(t, strtoull(b, NULL, 10));
	return rc;
}

void
crm_consent_split(const char *v, size_t *wlen, int64_t *at,
    const char **source)
{
	char *end;

	*wlen = strcspn(v, " ");
	*at = 0;
	*source = "";
	if (!v[*wlen])
		return;
	*at = strtoll(v + *wlen + 1, &end, 10);
	*source = *end == ' ' ? end + 1 : end;
}

void
crm_consent_text(struct crm_buf *out, const char *v)
{
	const char *src;
	int64_t at;
	size_t w;

	crm_consent_split(v, &w, &at, &src);
	crm_buf_add(out, v, w);
	if (!at)
		return;
	crm_buf_addstr(out, " (");
	crm_datetime_fmt(out, at);
	if (*src)
		crm_buf_addf(out, ", %s", src);
	crm_buf_addch(out, ')');
}

/* A new link may only be to a record the user may see: a task or a
 * deal about someone else's customer would show it to them. */
static int
refs_visible(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	size_t i;
	int rc = 0;

	if (crm_view_role(t->db) == ROLE_ADMIN)
		return 0;
	for (i = 0; i < r->n && !rc; i++) {
		const struct crm_field *f = crm_type_field_id(r->type,
		    r->v[i].fid);
		const char *v = r->arena.buf + r->v[i].off, *x;
		size_t k;
		int had = 0;

		if (!f || f->type != FT_REF)
			continue;
		for (k = 0; old && (x = crm_rec_nth(old, f->fid, k, NULL));
		    k++)
			had |= !strcmp(x, v);
		if (!had && !crm_visible_id(t, strtoull(v, NULL, 10)))
			rc = crm_seterr(CRM_EPERM, "field '%s': record %s is "
			    "not %s's to see", f->name, v, crm_user());
	}
	return rc;
}

/* A consent given now is kept with when and from where it came; one
 * given again, as it was (an import run twice changes nothing). */
static void
stamp(crm_txn *t, const crm_rec *old, crm_rec *r)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *v, *p, *was;
	size_t i;

	for (i = 0; i < r->type->nfields; i++) {
		const struct crm_field *f = &r->type->fields[i];

		if (f->type != FT_CONSENT ||
		    !(v = crm_rec_nth(r, f->fid, 0, NULL)) || strchr(v, ' '))
			continue;
		crm_buf_reset(&b);
		if (old && (was = crm_rec_nth(old, f->fid, 0, NULL)) &&
		    !strncmp(was, v, strlen(v)) && was[strlen(v)] == ' ') {
			crm_buf_addstr(&b, was);
			crm_rec_drop(r, f->fid);
			crm_rec_add_raw(r, f->fid, b.buf, b.len);
			continue;
		}
		crm_buf_addf(&b, "%s %lld ", v, (long long)t->now);
		/* one line, whatever the source says */
		for (p = t->source ? t->source : crm_progname; *p; p++)
			crm_buf_addch(&b, (unsigned char)*p < ' ' ? ' ' : *p);
		crm_rec_drop(r, f->fid);
		crm_rec_add_raw(r, f->fid, b.buf, b.len);
	}
	crm_buf_release(&b);
}

/* The figures crm keeps from the history and tasks are the store's,
 * not what a copy of the record read before the last entry says. */
static void
keep_figures(const crm_rec *old, crm_rec *r)
{
	const char *v;
	unsigned fid;
	size_t len;

	for (fid = FID_LAST_CONTACT; fid <= FID_NEXT_DUE; fid++) {
		crm_rec_drop(r, fid);
		if ((v = crm_rec_nth(old, fid, 0, &len)))
			crm_rec_add_raw(r, fid, v, len);
	}
}

/* Once a store has users, a new record is its adder's unless it says
 * whose; and the adder must be able to see it. */
static int
owned(crm_txn *t, crm_rec *r)
{
	const struct crm_field *f;

	if (!crm_db_has_users(t->db))
		return 0;
	/* root's too: not shared with all, but seen by the admins */
	if ((f = crm_type_field(r->type, "owner")) &&
	    !crm_rec_nth(r, f->fid, 0, NULL))
		crm_rec_add_raw(r, f->fid, crm_user(), strlen(crm_user()));
	return crm_may_write(t, NULL, r);
}

int
crm_rec_put(crm_txn *t, crm_rec *r)
{
	crm_rec *old = NULL;
	int rc, changed;

	if (!t->write)
		return crm_seterr(CRM_ESTORE, "not a write transaction");
	if ((rc = check_required(r, r->id == 0)) || (rc = check_refs(t, r)))
		return rc;
	if (!r->id) {
		stamp(t, NULL, r);
		if ((rc = crm_suppressed(t, NULL, r)) ||
		    (rc = refs_visible(t, NULL, r)) || (rc = owned(t, r)) ||
		    (rc = check_unique(t, r)))
			return rc;
		r->id = t->next_id++;
		r->created = t->now;
		t->dirty = 1;
		track_stage(t, NULL, r);
		if ((rc = put_rec(t, r, MDB_APPEND)) ||
		    (rc = crm_index_defer(t, r)) ||
		    (rc = crm_journal_create(t, r->id)) ||
		    (rc = crm_roll_changed(t, NULL, r)))
			return rc;
		return crm_task_changed(t, NULL, r);
	}
	/* read first: figures settled by the read move index entries, and
	 * the index must hold what old says before it is moved from it */
	rc = crm_rec_get(t, r->id, &old);
	if (rc == CRM_ENOTFOUND)
		return crm_seterr(CRM_EINVAL, "no record %llu",
		    (unsigned long long)r->id);
	if (rc || (rc = crm_index_flush(t))) {
		crm_rec_free(old);
		return rc;
	}
	r->created = old->created;
	keep_figures(old, r);
	stamp(t, old, r);
	track_stage(t, old, r);
	if (!(rc = crm_may_write(t, old, r)) &&
	    !(rc = crm_suppressed(t, old, r)) &&
	    !(rc = refs_visible(t, old, r)) && !(rc = check_unique(t, r)) &&
	    !(rc = journal_diff(t, old, r, &changed)) && changed &&
	    !(rc = put_rec(t, r, 0)) && !(rc = crm_index_update(t, old, r)) &&
	    !(rc = crm_roll_changed(t, old, r)) &&
	    !(rc = crm_task_changed(t, old, r)))
		rc = company_moved(t, old, r);
	crm_rec_free(old);
	return rc;
}

void
crm_rec_set_id(crm_rec *r, uint64_t id, int64_t created)
{
	r->id = id;
	r->created = created;
}

int
crm_rec_set_derived(crm_rec *r, const char *name, const char *v)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *sp;
	int64_t x;
	size_t i;
	int rc = 0;

	for (i = FID_LAST_CONTACT; i < FID_FIRST; i++)
		if (!strcmp(name, crm_derived_names[i]))
			break;
	if (i == FID_FIRST)
		return crm_seterr(CRM_EINVAL, "'%s' is not kept by crm", name);
	switch (i) {
	case FID_INTERACTIONS:
		if (crm_money_parse(v, &x) || x % 10000 || x < 0)
			rc = crm_seterr(CRM_EINVAL, "interactions: '%s' is not "
			    "a count", v);
		else
			crm_buf_addf(&b, "%lld", (long long)(x / 10000));
		break;
	case FID_TURNOVER:
		if (!(rc = crm_money_read("turnover", v, &x)))
			crm_money_fmt(&b, x);
		break;
	case FID_STAGES:
		/* "TIME STAGE", the time as ISO 8601 */
		if (!(sp = strchr(v, ' ')) || !sp[1])
			return crm_seterr(CRM_EINVAL, "stages: '%s' is not a "
			    "time and a stage", v);
		crm_buf_add(&b, v, (size_t)(sp - v));
		if (crm_datetime_parse(b.buf, &x))
			rc = crm_seterr(CRM_EINVAL, "stages: '%s' is not a "
			    "time", b.buf);
		crm_buf_reset(&b);
		crm_buf_addf(&b, "%lld %s", (long long)x, sp + 1);
		break;
	default:
		if (crm_datetime_parse(v, &x))
			rc = crm_seterr(CRM_EINVAL, "%s: '%s' is not a time",
			    name, v);
		else
			crm_buf_addf(&b, "%lld", (long long)x);
	}
	if (!rc)
		crm_rec_add_raw(r, (unsigned)i, b.buf, b.len);
	crm_buf_release(&b);
	return rc;
}

int
crm_rec_restore(crm_txn *t, crm_rec *r)
{
	uint64_t id = r->id;
	MDB_val k, v;
	int rc;

	if (!t->write)
		return crm_seterr(CRM_ESTORE, "not a write transaction");
	if (!r->id)
		return crm_seterr(CRM_EINVAL, "a record without its id");
	if ((rc = check_required(r, 1)) || (rc = check_unique(t, r)))
		return rc;
	k.mv_size = sizeof id;
	k.mv_data = &id;
	if (!mdb_get(t->txn, t->db->recs, &k, &v))
		return crm_seterr(CRM_EEXIST, "id %llu is another record's",
		    (unsigned long long)id);
	if (id >= t->next_id)
		t->next_id = id + 1;
	t->dirty = 1;
	if ((rc = put_rec(t, r, 0)) || (rc = crm_index_defer(t, r)) ||
	    (rc = crm_roll_changed(t, NULL, r)))
		return rc;
	return crm_journal_create(t, r->id);
}

int
crm_rec_check_refs(crm_txn *t, const crm_rec *r)
{
	return check_refs(t, r);
}

/* Drop every value of fid that points at id. */
void
crm_rec_unlink(crm_rec *r, unsigned fid, uint64_t id)
{
	size_t i, j;

	for (i = j = 0; i < r->n; i++)
		if (r->v[i].fid != fid ||
		    strtoull(r->arena.buf + r->v[i].off, NULL, 10) != id)
			r->v[j++] = r->v[i];
	r->n = j;
}

int
crm_rec_referrers(crm_txn *t, uint64_t id, int (*fn)(crm_txn *t,
    uint64_t by, const struct crm_type *ty, const struct crm_field *f,
    void *arg), void *arg)
{
	struct crm_ids refs = { 0 };
	const crm_schema *s = crm_txn_schema(t);
	unsigned done[64];
	size_t i, j, d, n, ndone = 0;
	int rc = 0;

	/* through each ref field (a name is one field) */
	for (i = 0; i < s->ntypes && !rc; i++)
		for (j = 0; j < s->types[i].nfields && !rc; j++) {
			const struct crm_field *f = &s->types[i].fields[j];

			if (f->type != FT_REF)
				continue;
			for (d = 0; d < ndone && done[d] != f->fid; d++)
				;
			if (d < ndone)
				continue;
			if (ndone < 64)
				done[ndone++] = f->fid;
			refs.n = 0;
			rc = crm_find_refs(t, f->name, id, &refs);
			if (rc == CRM_ENOTFOUND)
				rc = 0;
			crm_ids_sort(&refs);
			for (n = 0; n < refs.n && !rc; n++)
				if (refs.v[n] != id)
					rc = fn(t, refs.v[n], &s->types[i], f,
					    arg);
		}
	crm_ids_release(&refs);
	return rc;
}

struct unref {
	uint64_t id;
	unsigned flags;
	const struct crm_ids *also;
	struct crm_buf *report;
	struct crm_buf list;	/* those that refuse the removal */
};

static int
unref_one(crm_txn *t, uint64_t by, const struct crm_type *ty,
    const struct crm_field *f, void *arg)
{
	struct unref *u = arg;
	crm_rec *other;
	int rc;

	/* going in the same command */
	if (crm_ids_has(u->also, by))
		return 0;
	/* its tasks go with it, as its history does */
	if (!strcmp(ty->name, "task") && !strcmp(f->name, "about")) {
		if (!(rc = crm_rec_del(t, by, u->flags, u->also)) && u->report)
			crm_buf_addf(u->report, "remove %llu\n",
			    (unsigned long long)by);
		return rc;
	}
	if (!(u->flags & CRM_DEL_UNLINK)) {
		crm_buf_addf(&u->list, "%s%llu (%s)", u->list.len ? ", " : "",
		    (unsigned long long)by, f->name);
		return 0;
	}
	if ((rc = crm_rec_get(t, by, &other)))
		return rc;
	crm_rec_unlink(other, f->fid, u->id);
	rc = crm_rec_put(t, other);
	crm_rec_free(other);
	if (!rc && u->report)
		crm_buf_addf(u->report, "set %llu %s\n", (unsigned long long)by,
		    f->name);
	return rc;
}

int
crm_rec_unref(crm_txn *t, uint64_t id, unsigned flags,
    const struct crm_ids *also, const char *hint, struct crm_buf *report)
{
	struct unref u = { id, flags, also, report, CRM_BUF_INIT };
	int rc;

	/* the references are looked up in the index */
	if (!(rc = crm_index_flush(t)))
		rc = crm_rec_referrers(t, id, unref_one, &u);
	if (!rc && u.list.len)
		rc = crm_seterr(CRM_EINVAL, "record %llu is referred to by "
		    "%s (%s)", (unsigned long long)id, u.list.buf, hint);
	crm_buf_release(&u.list);
	return rc;
}

int
crm_rec_del(crm_txn *t, uint64_t id, unsigned flags,
    const struct crm_ids *also)
{
	struct crm_buf enc = CRM_BUF_INIT;
	crm_rec *old = NULL;
	MDB_val k = { sizeof id, &id };
	int rc;

	/* read first, as crm_rec_put does */
	rc = crm_rec_get(t, id, &old);
	if (rc == CRM_ENOTFOUND)
		return crm_seterr(CRM_EINVAL, "no record %llu",
		    (unsigned long long)id);
	if (rc)
		return rc;
	if ((rc = crm_index_flush(t)) || (rc = crm_may_write(t, old, NULL)) ||
	    (rc = crm_rec_unref(t, id, flags, also, "--unlink clears those",
	    NULL)))
		goto out;
	/* its history goes with it (the journal keeps both) */
	if ((rc = crm_log_drop(t, id)))
		goto out;
	crm_rec_encode(old, &enc);
	if ((rc = crm_index_del(t, old)) ||
	    (rc = crm_journal_del(t, id, &enc)))
		goto out;
	if ((rc = mdb_del(t->txn, t->db->recs, &k, NULL)))
		rc = crm_mdb_err(rc, "cannot remove a record");
	else if (!(rc = crm_roll_changed(t, old, NULL)))
		rc = crm_task_changed(t, old, NULL);
out:
	crm_buf_release(&enc);
	crm_rec_free(old);
	return rc;
}
