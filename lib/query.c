/* query.c - the query language: one parser, one evaluator, one planner
 *
 *   expr    = or ;
 *   or      = and { "or" and } ;
 *   and     = unary { [ "and" ] unary } ;
 *   unary   = "not" unary | "(" expr ")" | term ;
 *   term    = "tag:" value | "has:" name | "type:" name
 *           | "count(" hexpr ")" op number
 *           | "sum(" name "," hexpr ")" op number
 *           | name "." term                  (a relation)
 *           | name op value ;
 *   op      = "=" | "!=" | "<" | ">" | "<=" | ">=" | "~" ;
 *   value   = quoted | word ;
 *
 * hexpr is the same language over history entries: kind, at, amount,
 * text, owner, campaign, dir.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "internal.h"

enum qk { Q_AND, Q_OR, Q_NOT, Q_CMP, Q_TAG, Q_HAS, Q_TYPE, Q_COUNT, Q_SUM,
	Q_REL };
enum qop { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_LIKE };
static const char *const opnames[] = { "=", "!=", "<", ">", "<=", ">=",
	"~" };

/* the kinds of values a field holds, for comparing */
enum vk { V_TEXT, V_NUM, V_MONEY, V_TIME, V_DATE, V_PHONE, V_REF };

struct qnode {
	enum qk kind;
	enum qop op;
	struct qnode *a, *b;	/* operands; a sub-query of count, sum */
	char *field, *value;	/* as typed */
	char *folded;		/* the value folded, for text */
	const struct crm_field *f;	/* one field of that name */
	unsigned fid;
	enum vk vk;
	int64_t num;		/* numbers, money (1/10000), times */
	int64_t day_end;	/* = or != a time to a date: its day's end */
	int hist;		/* a history entry's field */
	size_t col;
};

struct crm_query {
	struct qnode *root;
	char *text;
	const crm_schema *s;
	int64_t now;
};

struct parser {
	const char *s, *p;
	const crm_schema *sch;
	int64_t now;
	int hist;		/* inside count(), sum() */
	const char *rel;	/* the type of a relation's other side */
	int depth;		/* of parentheses, nots and relations */
};

/* Deeper than anyone writes a query; deeper yet would only run the
 * parser out of stack. */
enum { MAXDEPTH = 256 };

static size_t
column(struct parser *ps, const char *at)
{
	size_t col = 1;
	const char *q;

	/* characters, not bytes: a UTF-8 continuation byte is no column */
	for (q = ps->s; q < at; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	return col;
}

static int
err(struct parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
err(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crm_vseterr(CRM_EINVAL, fmt, ap);
	va_end(ap);
	return crm_errprefix(CRM_EINVAL, "query:1:%zu: ", column(ps, at));
}

static void
skip(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* Letters, digits, '_', and the bytes of any UTF-8 letter: a word in
 * another script is one word, named whole in an error. */
static int
namechar(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* A word: a name, or a bare value (up to a blank or a parenthesis). */
static char *
word(struct parser *ps, int bare)
{
	const char *start = ps->p;

	if (bare)
		while (*ps->p && !isspace((unsigned char)*ps->p) &&
		    *ps->p != '(' && *ps->p != ')')
			ps->p++;
	else
		while (namechar((unsigned char)*ps->p))
			ps->p++;
	return ps->p > start ? crm_xstrndup(start, (size_t)(ps->p - start)) :
	    NULL;
}

static int
value(struct parser *ps, char **out, const char *after)
{
	const char *start;
	struct crm_buf b = CRM_BUF_INIT;
	char q;

	skip(ps);
	start = ps->p;
	if (*ps->p == '\'' || *ps->p == '"') {
		q = *ps->p++;
		while (*ps->p && *ps->p != q)
			crm_buf_addch(&b, *ps->p++);
		if (!*ps->p) {
			crm_buf_release(&b);
			return err(ps, start, "a quote is never closed");
		}
		ps->p++;
		*out = crm_buf_detach(&b, NULL);
		return 0;
	}
	if (strchr("=<>!~", *ps->p) && *ps->p)
		return err(ps, start, "expected a value after '%s', not "
		    "another operator", after);
	if (!(*out = word(ps, 1)) || !strcmp(*out, "and") ||
	    !strcmp(*out, "or")) {
		free(*out);
		*out = NULL;
		return err(ps, start, "expected a value after '%s'", after);
	}
	return 0;
}

static void
qfree(struct qnode *n)
{
	if (!n)
		return;
	qfree(n->a);
	qfree(n->b);
	free(n->field);
	free(n->value);
	free(n->folded);
	free(n);
}

static struct qnode *
node(enum qk k, size_t col)
{
	struct qnode *n = calloc(1, sizeof *n);

	if (!n)
		abort();
	n->kind = k;
	n->col = col;
	return n;
}

static int parse_or(struct parser *ps, struct qnode **out);
static int parse_unary(struct parser *ps, struct qnode **out);

static const char *const hist_fields[] = { "kind", "at", "amount", "text",
	"owner", "campaign", "dir", NULL };

static int
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* Which field a name is, and how its values compare. */
static int
resolve(struct parser *ps, struct qnode *n, const char *at)
{
	const char *c;
	size_t i;

	if (ps->hist) {
		if (!in_list(hist_fields, n->field))
			return err(ps, at, "unknown history field '%s' (kind, "
			    "at, amount, text, owner, campaign, dir)",
			    n->field);
		n->hist = 1;
		n->vk = !strcmp(n->field, "at") ? V_TIME :
		    !strcmp(n->field, "amount") ? V_MONEY : V_TEXT;
		return 0;
	}
	if (!strcmp(n->field, "id")) {
		n->vk = V_REF;
		return 0;
	}
	if (!strcmp(n->field, "type")) {
		n->vk = V_TEXT;
		return 0;
	}
	if (!strcmp(n->field, "created") || !strcmp(n->field,
	    "last_contact") || !strcmp(n->field, "next_due") ||
	    !strcmp(n->field, "closed")) {
		n->vk = V_TIME;
		return 0;
	}
	if (!strcmp(n->field, "stages"))
		return err(ps, at, "'stages' is a deal's history of stages; "
		    "ask for the stage now (stage=won) or when it closed "
		    "(closed>-30d)");
	if (!strcmp(n->field, "interactions") ||
	    !strcmp(n->field, "open_deals")) {
		n->vk = V_NUM;
		return 0;
	}
	if (!strcmp(n->field, "turnover")) {
		n->vk = V_MONEY;
		return 0;
	}
	for (i = 0; i < ps->sch->ntypes && !n->f; i++)
		n->f = crm_type_field(&ps->sch->types[i], n->field);
	if (!n->f) {
		c = crm_schema_suggest(ps->sch, NULL, n->field);
		if (c)
			return err(ps, at, "unknown field '%s' (did you mean "
			    "'%s'?)", n->field, c);
		return err(ps, at, "unknown field '%s'", n->field);
	}
	n->fid = n->f->fid;
	switch (n->f->type) {
	case FT_NUMBER: n->vk = V_NUM; break;
	case FT_MONEY: n->vk = V_MONEY; break;
	case FT_DATETIME: n->vk = V_TIME; break;
	case FT_DATE: n->vk = V_DATE; break;
	case FT_PHONE: n->vk = V_PHONE; break;
	case FT_REF: n->vk = V_REF; break;
	default: n->vk = V_TEXT;
	}
	return 0;
}

/* A number in ten-thousandths, as numbers compare: past what an
 * int64_t holds it saturates, so that 1e300 still sorts above 5. */
static int64_t
scaled(double d)
{
	if (d >= 9e14)
		return INT64_MAX;
	if (d <= -9e14)
		return INT64_MIN;
	return d == d ? (int64_t)(d * 10000) : 0;
}

/* When t is the start of a local day, the start of the next; else 0. */
static int64_t
day_end(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || tm.tm_hour || tm.tm_min || tm.tm_sec)
		return 0;
	tm.tm_mday++;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/*
 * May a field of this name, in any type, hold v?  Only an enum's or a
 * bool's values are known; when none may, the first type's error is
 * the one set.
 */
static int
known_value(const crm_schema *s, const char *name, const char *v)
{
	struct crm_buf b = CRM_BUF_INIT, why = CRM_BUF_INIT;
	const struct crm_field *f;
	int ok = 0, any = 0;
	size_t i;

	for (i = 0; i < s->ntypes && !ok; i++) {
		if (!(f = crm_type_field(&s->types[i], name)))
			continue;
		any = 1;
		crm_buf_reset(&b);
		if ((f->type != FT_ENUM && f->type != FT_BOOL) ||
		    !crm_value_canon(s, f, v, &b))
			ok = 1;
		else if (!why.len)
			crm_buf_addstr(&why, crm_errmsg());
	}
	if (any && !ok)
		crm_seterr(CRM_EINVAL, "%s", why.buf);
	crm_buf_release(&b);
	crm_buf_release(&why);
	return ok || !any;
}

/* Read the value of a comparison into the form its field compares in. */
static int
typed(struct parser *ps, struct qnode *n, const char *at)
{
	struct crm_buf b = CRM_BUF_INIT;
	char *end;
	int64_t t;

	if (n->op == OP_LIKE && n->vk != V_TEXT && n->vk != V_PHONE)
		return err(ps, at, "'~' is for text, not '%s'", n->field);
	switch (n->vk) {
	case V_NUM:
	case V_REF:
		{
			double d = strtod(n->value, &end);

			if (*end || end == n->value || !isfinite(d))
				return err(ps, at, "'%s' is not a number",
				    n->value);
			n->num = scaled(d);
		}
		return 0;
	case V_MONEY:
		if (crm_money_read(n->field, n->value, &n->num))
			return err(ps, at, "%s", crm_errmsg());
		return 0;
	case V_TIME:
	case V_DATE:
		if (crm_date_parse(n->value, ps->now, &t))
			return err(ps, at, "%s", crm_errmsg());
		n->num = t;
		/* a time is on a day given without a time of day: that
		 * day is the range of = and != */
		if (n->vk == V_TIME && (n->op == OP_EQ || n->op == OP_NE) &&
		    !strchr(n->value, ':'))
			n->day_end = day_end(t);
		if (n->vk == V_DATE) {
			/* dates compare as text: YYYY-MM-DD */
			crm_datetime_fmt(&b, t);
			crm_buf_setlen(&b, 10);
			n->folded = crm_buf_detach(&b, NULL);
		}
		return 0;
	case V_PHONE:
		if (n->op != OP_LIKE && !crm_phone_norm(&b, n->value,
		    ps->sch->country)) {
			n->folded = crm_buf_detach(&b, NULL);
			return 0;
		}
		/* FALLTHROUGH */
	case V_TEXT:
		crm_buf_reset(&b);
		/* a mistyped stage or kind is an error, not an empty list */
		if (n->op != OP_LIKE && (n->hist ? !strcmp(n->field, "kind")
		    && crm_kind_known(ps->sch, n->value, 1) : n->f &&
		    !known_value(ps->sch, n->f->name, n->value))) {
			crm_buf_release(&b);
			return err(ps, at, "%s", crm_errmsg());
		}
		/* a consent is kept as yes or no, whichever word gave it */
		if (n->f && n->f->type == FT_CONSENT && n->op != OP_LIKE) {
			if (crm_value_canon(ps->sch, n->f, n->value, &b)) {
				crm_buf_release(&b);
				return err(ps, at, "%s", crm_errmsg());
			}
			n->folded = crm_buf_detach(&b, NULL);
			return 0;
		}
		crm_fold(&b, n->value, strlen(n->value));
		n->folded = crm_buf_detach(&b, NULL);
		return 0;
	}
	return 0;
}

static int
parse_op(struct parser *ps, enum qop *op)
{
	static const char *const ops[] = { "!=", "<=", ">=", "=", "<", ">",
		"~", NULL };
	static const enum qop v[] = { OP_NE, OP_LE, OP_GE, OP_EQ, OP_LT,
		OP_GT, OP_LIKE };
	size_t i;

	skip(ps);
	for (i = 0; ops[i]; i++)
		if (!strncmp(ps->p, ops[i], strlen(ops[i]))) {
			*op = v[i];
			ps->p += strlen(ops[i]);
			return 0;
		}
	return CRM_ENOTFOUND;
}

/* count(hexpr) op number, sum(field, hexpr) op number */
static int
parse_agg(struct parser *ps, struct qnode *n, const char *name)
{
	const char *at;
	char *num;
	int rc;

	if (ps->hist)
		return err(ps, ps->p, "%s() inside %s()", name, name);
	ps->p++;		/* ( */
	if (n->kind == Q_SUM) {
		skip(ps);
		at = ps->p;
		if (!(n->field = word(ps, 0)))
			return err(ps, at, "expected a field to sum");
		if (strcmp(n->field, "amount"))
			return err(ps, at, "sum() adds up 'amount'");
		skip(ps);
		if (*ps->p != ',')
			return err(ps, ps->p, "expected ',' after the field");
		ps->p++;
	}
	ps->hist = 1;
	rc = parse_or(ps, &n->a);
	ps->hist = 0;
	if (rc)
		return rc;
	skip(ps);
	if (*ps->p != ')')
		return err(ps, ps->p, "expected ')'");
	ps->p++;
	at = ps->p;
	if (parse_op(ps, &n->op) || n->op == OP_LIKE)
		return err(ps, at, "expected =, !=, <, >, <= or >= after "
		    "%s()", name);
	skip(ps);
	at = ps->p;
	if ((rc = value(ps, &num, opnames[n->op])))
		return rc;
	n->value = num;
	n->vk = n->kind == Q_SUM ? V_MONEY : V_NUM;
	return typed(ps, n, at);
}

/* consent.marketing is a field (a consent), not a relation. */
static char *
consent_name(struct parser *ps, char *name)
{
	const char *p = ps->p + 1;
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;

	if (strcmp(name, "consent") || *ps->p != '.' || ps->hist)
		return name;
	crm_buf_addstr(&b, "consent.");
	while (namechar((unsigned char)*p))
		crm_buf_addch(&b, *p++);
	for (i = 0; i < ps->sch->ntypes; i++)
		if (crm_type_field(&ps->sch->types[i], b.buf)) {
			ps->p = p;
			free(name);
			return crm_buf_detach(&b, NULL);
		}
	crm_buf_release(&b);
	return name;
}

static int
parse_term(struct parser *ps, struct qnode **out)
{
	const char *at = ps->p;
	struct qnode *n;
	char *name;
	int rc;

	if (!(name = word(ps, 0))) {
		if (*ps->p)
			return err(ps, at, "expected a term, not '%c'",
			    *ps->p);
		return err(ps, at, "expected a term");
	}
	skip(ps);
	name = consent_name(ps, name);
	n = node(Q_CMP, column(ps, at));
	if (*ps->p == ':' && (!strcmp(name, "tag") || !strcmp(name, "has") ||
	    !strcmp(name, "type"))) {
		n->kind = !strcmp(name, "tag") ? Q_TAG : !strcmp(name,
		    "has") ? Q_HAS : Q_TYPE;
		ps->p++;
		free(name);
		if (ps->hist && n->kind != Q_HAS) {
			rc = err(ps, at, "%s: is for records, not history "
			    "entries", n->kind == Q_TAG ? "tag" : "type");
			goto fail;
		}
		if ((rc = value(ps, &n->value, n->kind == Q_TAG ? "tag:" :
		    n->kind == Q_HAS ? "has:" : "type:")))
			goto fail;
		if (n->kind == Q_TYPE && !crm_schema_hastype(ps->sch,
		    n->value)) {
			rc = err(ps, at + 5, "%s", crm_errmsg());
			goto fail;
		}
		if (n->kind == Q_HAS) {
			n->field = strdup(n->value);
			if ((rc = resolve(ps, n, at + 4)))
				goto fail;
		}
		if (n->kind == Q_TAG) {
			struct crm_buf b = CRM_BUF_INIT;

			crm_fold(&b, n->value, strlen(n->value));
			n->folded = crm_buf_detach(&b, NULL);
		}
		*out = n;
		return 0;
	}
	if (*ps->p == '(' && (!strcmp(name, "count") || !strcmp(name, "sum"))) {
		n->kind = !strcmp(name, "count") ? Q_COUNT : Q_SUM;
		free(name);
		if ((rc = parse_agg(ps, n, n->kind == Q_COUNT ? "count" :
		    "sum")))
			goto fail;
		*out = n;
		return 0;
	}
	if (*ps->p == '.' && !ps->hist) {
		/* a relation: a ref field of this record, or the records of
		 * a type that refer to it */
		n->kind = Q_REL;
		n->field = name;
		ps->p++;
		if (ps->depth == MAXDEPTH) {
			rc = err(ps, at, "the query nests too deep");
			goto fail;
		}
		ps->depth++;
		rc = parse_term(ps, &n->a);
		ps->depth--;
		if (rc)
			goto fail;
		{
			const struct crm_field *f = NULL;
			size_t i;

			for (i = 0; i < ps->sch->ntypes && !f; i++)
				f = crm_type_field(&ps->sch->types[i], name);
			if ((!f || f->type != FT_REF) &&
			    !crm_schema_type(ps->sch, name)) {
				rc = err(ps, at, "'%s' is not a reference "
				    "nor a type", name);
				goto fail;
			}
		}
		*out = n;
		return 0;
	}
	n->field = name;
	if ((rc = resolve(ps, n, at))) {
		/* name=Jana Nováková: the value's second word */
		if (!*ps->p || !strchr("=!<>~", *ps->p))
			rc = err(ps, at, "'%s' is not a field: a term is a "
			    "field, an operator and a value, and a value of "
			    "more than one word is quoted (name='Jana Novak')",
			    name);
		goto fail;
	}
	at = ps->p;
	if (parse_op(ps, &n->op)) {
		rc = err(ps, at, "expected =, !=, <, >, <=, >= or ~ after "
		    "'%s'", n->field);
		goto fail;
	}
	skip(ps);
	at = ps->p;
	if ((rc = value(ps, &n->value, opnames[n->op])) ||
	    (rc = typed(ps, n, at)))
		goto fail;
	*out = n;
	return 0;
fail:
	qfree(n);
	return rc;
}

/* Is the keyword next?  (not a field that starts the same: order=...) */
static int
peek(struct parser *ps, const char *kw)
{
	size_t n = strlen(kw);

	skip(ps);
	return !strncasecmp(ps->p, kw, n) && !namechar((unsigned char)ps->p[n]) &&
	    (!ps->p[n] || !strchr(":.=!<>~", ps->p[n]));
}

static int
keyword(struct parser *ps, const char *kw)
{
	if (!peek(ps, kw))
		return 0;
	ps->p += strlen(kw);
	return 1;
}

static int
parse_unary(struct parser *ps, struct qnode **out)
{
	struct qnode *n;
	const char *at;
	int rc;

	skip(ps);
	at = ps->p;
	if (ps->depth == MAXDEPTH)
		return err(ps, at, "the query nests too deep");
	if (keyword(ps, "not")) {
		n = node(Q_NOT, column(ps, at));
		ps->depth++;
		rc = parse_unary(ps, &n->a);
		ps->depth--;
		if (rc) {
			qfree(n);
			return rc;
		}
		*out = n;
		return 0;
	}
	if (*ps->p == '(') {
		ps->p++;
		ps->depth++;
		rc = parse_or(ps, out);
		ps->depth--;
		if (rc)
			return rc;
		skip(ps);
		if (*ps->p != ')') {
			qfree(*out);
			*out = NULL;
			return err(ps, ps->p, "expected ')' to close the '(' "
			    "at column %zu", column(ps, at));
		}
		ps->p++;
		return 0;
	}
	return parse_term(ps, out);
}

static int
parse_and(struct parser *ps, struct qnode **out)
{
	struct qnode *l, *n;
	int rc;

	if ((rc = parse_unary(ps, &l)))
		return rc;
	for (;;) {
		skip(ps);
		if (!*ps->p || *ps->p == ')' || peek(ps, "or"))
			break;
		keyword(ps, "and");
		n = node(Q_AND, column(ps, ps->p));
		n->a = l;
		if ((rc = parse_unary(ps, &n->b))) {
			qfree(n);
			return rc;
		}
		l = n;
	}
	*out = l;
	return 0;
}

static int
parse_or(struct parser *ps, struct qnode **out)
{
	struct qnode *l, *n;
	int rc;

	if ((rc = parse_and(ps, &l)))
		return rc;
	while (keyword(ps, "or")) {
		n = node(Q_OR, column(ps, ps->p));
		n->a = l;
		if ((rc = parse_and(ps, &n->b))) {
			qfree(n);
			return rc;
		}
		l = n;
	}
	*out = l;
	return 0;
}

static int
parse(crm_query **qp, const crm_schema *s, const char *text, int64_t now,
    int hist)
{
	struct parser ps = { text, text, s, now, hist, NULL, 0 };
	crm_query *q;
	int rc;

	*qp = NULL;
	skip(&ps);
	if (!*ps.p)
		return err(&ps, ps.p, "the query is empty");
	q = calloc(1, sizeof *q);
	q->s = s;
	q->now = now;
	q->text = strdup(text);
	if (!(rc = parse_or(&ps, &q->root))) {
		skip(&ps);
		if (*ps.p)
			rc = err(&ps, ps.p, *ps.p == ')' ? "a ')' without "
			    "its '('" : "expected 'and', 'or' or the end");
	}
	if (rc) {
		crm_query_free(q);
		return rc;
	}
	*qp = q;
	return 0;
}

int
crm_query_parse(crm_query **qp, const crm_schema *s, const char *text,
    int64_t now)
{
	return parse(qp, s, text, now, 0);
}

int
crm_query_parse_log(crm_query **qp, const crm_schema *s, const char *text,
    int64_t now)
{
	return parse(qp, s, text, now, 1);
}

void
crm_query_free(crm_query *q)
{
	if (!q)
		return;
	qfree(q->root);
	free(q->text);
	free(q);
}

/* ---------------------------------------------------------------- eval */

struct ev {
	crm_txn *t;
	const crm_query *q;
	struct crm_buf tmp;
	int err;
};

static int
cmp_num(int64_t a, enum qop op, int64_t b)
{
	switch (op) {
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_LT: return a < b;
	case OP_GT: return a > b;
	case OP_LE: return a <= b;
	case OP_GE: return a >= b;
	default: return 0;
	}
}

static int
like(const char *folded, const char *pat)
{
	if (strchr(pat, '*') || strchr(pat, '?'))
		return fnmatch(pat, folded, 0) == 0;
	return strstr(folded, pat) != NULL;
}

/*
 * Is v, folded, the folded text f?  ASCII folds to its lower case, so
 * the answer is known at the first difference before any other byte of
 * v: 1 or 0, or -1 when v must be folded to tell.
 */
static int
ascii_eq(const char *v, const char *f)
{
	const unsigned char *a = (const unsigned char *)v;
	const unsigned char *b = (const unsigned char *)f;

	for (; *a && *a < 0x80; a++, b++)
		if ((*a >= 'A' && *a <= 'Z' ? *a + 32 : *a) != *b)
			return 0;
	return *a ? -1 : !*b;
}

/* A time against a comparison: = and != to a day, on that day or not. */
static int
time_match(int64_t x, const struct qnode *n)
{
	if (n->day_end)
		return (x >= n->num && x < n->day_end) == (n->op == OP_EQ);
	return cmp_num(x, n->op, n->num);
}

/* One value against a comparison. */
static int
match_one(struct ev *e, const struct qnode *n, const char *v)
{
	int64_t x;
	int c, consent;

	switch (n->vk) {
	case V_NUM:
	case V_REF:
		return cmp_num(scaled(strtod(v, NULL)), n->op, n->num);
	case V_MONEY:
		return !crm_money_parse(v, &x) && cmp_num(x, n->op, n->num);
	case V_TIME:
		return time_match(strtoll(v, NULL, 10), n);
	case V_DATE:
		c = strncmp(v, n->folded, 10);
		return cmp_num(c, n->op, 0);
	case V_PHONE:
	case V_TEXT:
		/* a consent compares as yes or no, not when nor whence */
		consent = n->f && n->f->type == FT_CONSENT;
		if (n->op == OP_EQ && !consent &&
		    (c = ascii_eq(v, n->folded)) >= 0)
			return c;
		crm_buf_reset(&e->tmp);
		crm_fold(&e->tmp, v, consent ? strcspn(v, " ") : strlen(v));
		if (n->op == OP_LIKE)
			return like(e->tmp.buf, n->folded);
		c = strcmp(e->tmp.buf, n->folded);
		return cmp_num(c < 0 ? -1 : c > 0, n->op, 0);
	}
	return 0;
}

static int eval(struct ev *e, const struct qnode *n, const crm_rec *r);

/* The value of a pseudo or derived field, as stored text. */
static const char *
special(struct ev *e, const struct qnode *n, const crm_rec *r, char *b,
    size_t size)
{
	const char *v;
	size_t i;

	if (!strcmp(n->field, "id")) {
		snprintf(b, size, "%llu", (unsigned long long)r->id);
		return b;
	}
	if (!strcmp(n->field, "type"))
		return r->type->name;
	if (!strcmp(n->field, "created")) {
		snprintf(b, size, "%lld", (long long)r->created);
		return b;
	}
	if (!strcmp(n->field, "open_deals")) {
		size_t open = 0;

		crm_open_deals(e->t, r, &open);
		snprintf(b, size, "%zu", open);
		return b;
	}
	for (i = FID_LAST_CONTACT; i < FID_FIRST; i++)
		if (!strcmp(n->field, crm_derived_names[i])) {
			v = crm_rec_nth(r, (unsigned)i, 0, NULL);
			if (!v && i == FID_INTERACTIONS)
				return "0";
			return v;
		}
	return NULL;
}

static int
eval_cmp(struct ev *e, const struct qnode *n, const crm_rec *r)
{
	char b[32];
	const char *v;
	size_t i;
	int any = 0;

	if (!n->f) {
		v = special(e, n, r, b, sizeof b);
		if (!v)
			return 0;
		if (n->op == OP_NE)
			return !match_one(e, &(struct qnode){ .vk = n->vk,
			    .op = OP_EQ, .num = n->num, .folded = n->folded,
			    .day_end = n->day_end }, v);
		return match_one(e, n, v);
	}
	if (!crm_type_field_id(r->type, n->fid))
		return 0;
	/* several values (tags): = and ~ want one, != wants none */
	for (i = 0; (v = crm_rec_nth(r, n->fid, i, NULL)); i++) {
		if (n->op == OP_NE) {
			struct qnode eq = *n;

			eq.op = OP_EQ;
			if (match_one(e, &eq, v))
				return 0;
			any = 1;
		} else if (match_one(e, n, v)) {
			return 1;
		}
	}
	return n->op == OP_NE && any;
}

struct agg {
	struct ev *e;
	const struct qnode *n;
	int64_t count, sum;
};

static int
hist_value(const struct qnode *n, const struct crm_log *l, char *b,
    size_t size)
{
	(void)size;
	if (!strcmp(n->field, "at"))
		return snprintf(b, size, "%lld", (long long)l->at) > 0;
	return 0;
}

/* The value of a history field, as text. */
static const char *
hist_text(const struct qnode *n, const struct crm_log *l, char *b,
    size_t size)
{
	/* each entry asks: the first letter tells them apart */
	switch (n->field[0]) {
	case 'a':
		if (hist_value(n, l, b, size))
			return b;
		return !strcmp(n->field, "amount") ? l->amount : NULL;
	case 'k':
		return !strcmp(n->field, "kind") ? l->kind : NULL;
	case 't':
		return !strcmp(n->field, "text") ? l->text : NULL;
	case 'o':
		return !strcmp(n->field, "owner") ? l->owner : NULL;
	case 'c':
		return !strcmp(n->field, "campaign") ? l->campaign : NULL;
	case 'd':
		return !strcmp(n->field, "dir") ? l->dir : NULL;
	}
	return NULL;
}

static int
eval_hist(struct ev *e, const struct qnode *n, const struct crm_log *l)
{
	char b[32];
	const char *v = NULL;

	switch (n->kind) {
	case Q_HAS:
		return (v = hist_text(n, l, b, sizeof b)) && *v;
	case Q_AND:
		return eval_hist(e, n->a, l) && eval_hist(e, n->b, l);
	case Q_OR:
		return eval_hist(e, n->a, l) || eval_hist(e, n->b, l);
	case Q_NOT:
		return !eval_hist(e, n->a, l);
	case Q_CMP:
		if (n->vk == V_TIME && !strcmp(n->field, "at"))
			return time_match(l->at, n);
		if (!(v = hist_text(n, l, b, sizeof b)))
			return 0;
		if (n->op == OP_NE) {
			struct qnode eq = *n;

			eq.op = OP_EQ;
			return !match_one(e, &eq, v);
		}
		return match_one(e, n, v);
	default:
		return 0;
	}
}

/* agg_one's "the answer is known": count(...)>=N once N are counted */
#define ENOUGH 1

static int
agg_one(const struct crm_log *l, void *arg)
{
	struct agg *a = arg;
	const struct qnode *n = a->n;
	int64_t x;

	if (!eval_hist(a->e, n->a, l))
		return 0;
	a->count++;
	if (l->amount && !crm_money_parse(l->amount, &x))
		a->sum += x;
	return n->kind == Q_COUNT && (n->op == OP_GE || n->op == OP_GT) &&
	    cmp_num(a->count * 10000, n->op, n->num) ? ENOUGH : 0;
}

/* Count r's entries that match, in any order, as far as the answer
 * needs: the history crm_log_list shows. */
static int
aggregate(struct ev *e, const crm_rec *r, struct agg *a)
{
	int rc = crm_log_each(e->t, r, agg_one, a);

	return rc == ENOUGH ? 0 : rc;
}

static int
eval_rel(struct ev *e, const struct qnode *n, const crm_rec *r)
{
	struct crm_ids ids = { 0 };
	const struct crm_type *ty;
	const struct crm_field *f;
	const char *v;
	crm_rec *o;
	size_t i;
	int hit = 0;

	if ((f = crm_type_field(r->type, n->field)) && f->type == FT_REF) {
		/* this record's ref field: the record it points at */
		if (!(v = crm_rec_nth(r, f->fid, 0, NULL)) ||
		    crm_rec_get(e->t, strtoull(v, NULL, 10), &o))
			return 0;
		hit = eval(e, n->a, o);
		crm_rec_free(o);
		return hit;
	}
	/* a type: its records that refer to this one through any ref */
	ty = crm_schema_type(e->q->s, n->field);
	for (i = 0; ty && i < ty->nfields; i++)
		if (ty->fields[i].type == FT_REF && (!ty->fields[i].to ||
		    !strcmp(ty->fields[i].to, r->type->name)))
			crm_find_refs(e->t, ty->fields[i].name, r->id, &ids);
	crm_ids_sort(&ids);
	for (i = 0; i < ids.n && !hit; i++) {
		if (crm_rec_get(e->t, ids.v[i], &o))
			continue;
		hit = o->type == ty && eval(e, n->a, o);
		crm_rec_free(o);
	}
	crm_ids_release(&ids);
	return hit;
}

static int
eval(struct ev *e, const struct qnode *n, const crm_rec *r)
{
	struct agg a;
	const struct crm_field *f;
	const char *v;
	size_t i;

	switch (n->kind) {
	case Q_AND:
		return eval(e, n->a, r) && eval(e, n->b, r);
	case Q_OR:
		return eval(e, n->a, r) || eval(e, n->b, r);
	case Q_NOT:
		return !eval(e, n->a, r);
	case Q_TYPE:
		return !strcmp(r->type->name, n->value);
	case Q_HAS:
		if (!n->f) {
			char b[32];

			v = special(e, n, r, b, sizeof b);
			return v && strcmp(v, "0");
		}
		return crm_type_field_id(r->type, n->fid) &&
		    crm_rec_nth(r, n->fid, 0, NULL) != NULL;
	case Q_TAG:
		if (!(f = crm_type_field(r->type, "tags")))
			return 0;
		for (i = 0; (v = crm_rec_nth(r, f->fid, i, NULL)); i++) {
			crm_buf_reset(&e->tmp);
			crm_fold(&e->tmp, v, strlen(v));
			if (!strcmp(e->tmp.buf, n->folded))
				return 1;
		}
		return 0;
	case Q_CMP:
		return eval_cmp(e, n, r);
	case Q_REL:
		return eval_rel(e, n, r);
	case Q_COUNT:
	case Q_SUM:
		a.e = e;
		a.n = n;
		a.count = a.sum = 0;
		if (aggregate(e, r, &a))
			e->err = 1;
		return n->kind == Q_COUNT ? cmp_num(a.count * 10000, n->op,
		    n->num) : cmp_num(a.sum, n->op, n->num);
	}
	return 0;
}

int
crm_query_match(crm_txn *t, const crm_query *q, const crm_rec *r)
{
	struct ev e = { t, q, CRM_BUF_INIT, 0 };
	int hit = eval(&e, q->root, r);

	crm_buf_release(&e.tmp);
	return hit;
}

static int
only_at(const struct qnode *n)
{
	if (!n)
		return 1;
	if (n->kind == Q_CMP || n->kind == Q_HAS)
		return n->hist && !strcmp(n->field, "at");
	if (n->kind == Q_AND || n->kind == Q_OR || n->kind == Q_NOT)
		return only_at(n->a) && only_at(n->b);
	return 0;
}

int
crm_query_log_at_only(const crm_query *q)
{
	return only_at(q->root);
}

int
crm_query_match_log(const crm_query *q, const struct crm_log *l)
{
	struct ev e = { NULL, q, CRM_BUF_INIT, 0 };
	int hit = eval_hist(&e, q->root, l);

	crm_buf_release(&e.tmp);
	return hit;
}

/* ------------------------------------------------------------- planner */

/*
 * A term an index answers: tag:x, and field=value where the field is
 * indexed (e-mail, phone, ref, owner and every index: true field).
 */
static int
index_key(const crm_query *q, const struct qnode *n, struct crm_buf *k)
{
	const struct crm_field *f = NULL;
	size_t i;

	if (n->kind == Q_TAG) {
		for (i = 0; i < q->s->ntypes && !f; i++)
			f = crm_type_field(&q->s->types[i], "tags");
		if (!f)
			return 0;
		crm_index_key(k, f->fid, n->value, strlen(n->value));
		return 1;
	}
	if (n->kind != Q_CMP || n->op != OP_EQ || !(f = n->f))
		return 0;
	if (!(f->type == FT_EMAIL || f->type == FT_PHONE || f->type == FT_TAGS ||
	    f->type == FT_REF || (f->flags & (FF_INDEX | FF_UNIQUE))) ||
	    f->type == FT_DATETIME)
		return 0;
	/* the value as it is kept: folded text, the day, the id */
	if (n->vk == V_TEXT || n->vk == V_PHONE || n->vk == V_DATE) {
		crm_index_key(k, f->fid, n->folded, strlen(n->folded));
	} else if (n->vk == V_REF) {
		char id[24];

		snprintf(id, sizeof id, "%lld", (long long)(n->num / 10000));
		crm_index_key(k, f->fid, id, strlen(id));
	} else {
		return 0;
	}
	return 1;
}

/* No index fits: every record, in id order. */
static int
scan_all(crm_txn *t, const crm_query *q,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg)
{
	crm_rec *r = crm_rec_alloc();
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc = 0;

	if ((rc = crm_log_settle(t))) {
		crm_rec_free(r);
		return rc;
	}
	if ((rc = mdb_cursor_open(t->txn, t->db->recs, &c))) {
		crm_rec_free(r);
		return crm_mdb_err(rc, "cannot read the records");
	}
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		uint64_t id;

		crm_txn_tick(t);
		memcpy(&id, k.mv_data, sizeof id);
		if ((frc = crm_rec_decode(r, crm_txn_schema(t), id,
		    v.mv_data, v.mv_size)))
			break;
		if ((!q || crm_query_match(t, q, r)) && crm_visible(t, r) &&
		    (frc = fn(t, r, arg)))
			break;
	}
	mdb_cursor_close(c);
	crm_rec_free(r);
	if (frc)
		return frc;
	return rc == MDB_NOTFOUND ? 0 :
	    crm_mdb_err(rc, "cannot read the records");
}

int
crm_scan_all(crm_txn *t, int (*fn)(crm_txn *t, const crm_rec *r, void *arg),
    void *arg)
{
	return scan_all(t, NULL, fn, arg);
}

/* A time range an index answers: last_contact, next_due, and indexed
 * datetime fields compared with < <= > >=. */
static int
range_of(const struct qnode *n, unsigned *fid, int64_t *lo, int64_t *hi)
{
	/* the index keeps times before 1970 as 1970 */
	if (n->kind != Q_CMP || n->vk != V_TIME || n->op == OP_EQ ||
	    n->op == OP_NE || n->op == OP_LIKE || n->num < 0)
		return 0;
	if (!n->f && !strcmp(n->field, "last_contact"))
		*fid = FID_LAST_CONTACT;
	else if (!n->f && !strcmp(n->field, "next_due"))
		*fid = FID_NEXT_DUE;
	else if (n->f && n->f->type == FT_DATETIME &&
	    (n->f->flags & FF_INDEX))
		*fid = n->f->fid;
	else
		return 0;
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	switch (n->op) {
	case OP_LT: *hi = n->num - 1; break;
	case OP_LE: *hi = n->num; break;
	case OP_GT: *lo = n->num + 1; break;
	case OP_GE: *lo = n->num; break;
	default: break;
	}
	return 1;
}

/* The terms joined by 'and' at the top. */
static void
conjuncts(const struct qnode *n, const struct qnode **v, size_t *nv,
    size_t max)
{
	if (n->kind == Q_AND) {
		conjuncts(n->a, v, nv, max);
		conjuncts(n->b, v, nv, max);
	} else if (*nv < max) {
		v[(*nv)++] = n;
	}
}

/*
 * A candidate record read and tested costs about as much as this many
 * entries of a time range read from the index (4 us and 4 ns on 1,000,000
 * people): a range larger than that many times the candidates is tested
 * on each instead.
 */
#define RANGE_PER_RECORD 1024

/* A term at the top an index answers, and how many records it holds. */
struct iterm {
	const struct qnode *n;
	int range;
	unsigned fid;
	int64_t lo, hi;
	size_t count;
	int hist, has, prefix;	/* count(campaign=...), see hist_term */
};

/* campaign=... or kind=... of a history entry, each once. */
static int
hist_eq(const struct qnode *n, const struct qnode **c, const struct qnode **k)
{
	const struct qnode **slot;

	if (n->kind != Q_CMP || n->op != OP_EQ || !n->hist ||
	    n->vk != V_TEXT)
		return 0;
	slot = !strcmp(n->field, "campaign") ? c : !strcmp(n->field, "kind") ?
	    k : NULL;
	if (!slot || *slot)
		return 0;
	*slot = n;
	return 1;
}

/*
 * count(campaign=C) or count(campaign=C and kind=K) asking whether a
 * record had such an entry (>=1, >0, !=0: *has) or never had (=0, <1,
 * <=0): the key of the history by campaign, which holds the records
 * with one of their own (a prefix of all kinds without K).  Values the
 * key cannot hold exactly (control bytes, long ones) are left to the
 * records.
 */
static int
hist_term(const struct qnode *n, struct crm_buf *k, int *has, int *prefix)
{
	const struct qnode *c = NULL, *kd = NULL, *x = n->a;

	if (n->kind != Q_COUNT || !x)
		return 0;
	if ((n->op == OP_GE && n->num == 10000) ||
	    (n->op == OP_GT && n->num == 0) || (n->op == OP_NE && n->num == 0))
		*has = 1;
	else if ((n->op == OP_EQ && n->num == 0) ||
	    (n->op == OP_LT && n->num == 10000) ||
	    (n->op == OP_LE && n->num == 0))
		*has = 0;
	else
		return 0;
	if (x->kind == Q_AND ? !hist_eq(x->a, &c, &kd) ||
	    !hist_eq(x->b, &c, &kd) : !hist_eq(x, &c, &kd))
		return 0;
	if (!c || !crm_index_hist_ok(c->value, kd ? kd->value : ""))
		return 0;
	crm_index_hist_key(k, c->value, kd ? kd->value : NULL);
	*prefix = !kd;
	return 1;
}

static int
is_id(const struct qnode *n)
{
	return n->kind == Q_CMP && n->op == OP_EQ && !n->f &&
	    !strcmp(n->field, "id");
}

static void
plan_term(struct crm_buf *plan, const struct iterm *x, int and)
{
	const struct qnode *n = x->n;

	if (!plan)
		return;
	if (x->hist)
		crm_buf_addf(plan, "%sindex count(...)%s%s: %zu records had "
		    "it, companies tested on each\n", and ? "and " : "",
		    opnames[n->op], n->value, x->count);
	else
		crm_buf_addf(plan, "%sindex %s%s%s: %zu records\n",
		    and ? "and " : "", n->kind == Q_TAG ? "tag:" : n->field,
		    n->kind == Q_TAG ? "" : opnames[n->op], n->value,
		    x->count);
}

/*
 * The records the index terms at the top allow, sorted.  The terms of
 * one value, fewest records first: the first one's ids read, the others
 * narrow them (a bit set for each of its ids the candidates may hold).
 * Then time ranges, each only while it is small beside the candidates it
 * would narrow.  *exact when those terms are all there is and the index
 * answers each exactly, so no record need be read.
 */
static int
candidates(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    struct crm_ids *cand, struct crm_ids *recheck, int *have, int *exact)
{
	const struct qnode *nodes[64];
	struct iterm terms[64], x;
	struct crm_buf k = CRM_BUF_INIT;
	struct crm_buf tmp = CRM_BUF_INIT;
	size_t nnodes = 0, nt = 0, i, j, max, order[64], sortby;
	int rc = 0, hist = -1;	/* not asked yet */

	*have = 0;
	*exact = 1;
	conjuncts(q->root, nodes, &nnodes, 64);
	/* a writer's entries wait in its queue till now */
	if (t->write && (rc = crm_index_flush(t)))
		goto out;
	for (i = 0; i < nnodes; i++) {
		x.n = nodes[i];
		x.range = range_of(x.n, &x.fid, &x.lo, &x.hi);
		x.count = 1;
		sortby = 0;
		crm_buf_reset(&k);
		x.hist = !x.range && hist_term(x.n, &k, &x.has, &x.prefix);
		/* a store kept before the history by campaign has not got
		 * it until it is rebuilt */
		if (x.hist && hist < 0)
			hist = !crm_meta_get(t, "index:hist", &tmp);
		x.hist = x.hist && hist;
		if (x.range) {
			x.count = SIZE_MAX;	/* counted in its turn */
		} else if (x.hist) {
			if ((rc = crm_index_count(t, &k, x.prefix,
			    &x.count)))
				goto out;
			/* who never had it: after the terms that hold */
			sortby = x.has ? x.count : SIZE_MAX - 1;
		} else if (is_id(x.n)) {
			*exact = 0;	/* the record may not exist */
		} else {
			crm_buf_reset(&k);
			if (!index_key(q, x.n, &k)) {
				*exact = 0;
				continue;
			}
			/* long values are cut in the index */
			if (k.len >= 400)
				*exact = 0;
			if ((rc = crm_index_count(t, &k, 0, &x.count)))
				goto out;
		}
		if (!x.hist)
			sortby = x.count;	/* the fewest records first */
		for (j = nt++; j > 0 && order[j - 1] > sortby; j--) {
			terms[j] = terms[j - 1];
			order[j] = order[j - 1];
		}
		terms[j] = x;
		order[j] = sortby;
	}
	for (i = 0; i < nt; i++) {
		const struct qnode *n = terms[i].n;

		if (terms[i].range && *have) {
			/* counted by days first: read only if it narrows
			 * the candidates for less than testing each */
			max = (cand->n + 1) * RANGE_PER_RECORD;
			if ((rc = crm_index_range_count(t, terms[i].fid,
			    terms[i].lo, terms[i].hi, &terms[i].count)))
				goto out;
			if (terms[i].count > max) {
				*exact = 0;
				if (plan)
					crm_buf_addf(plan, "not index %s%s%s: "
					    "%zu records, over %zu, tested on "
					    "each instead\n", n->field,
					    opnames[n->op], n->value,
					    terms[i].count, max);
				continue;
			}
			rc = crm_index_range_keep(t, terms[i].fid,
			    terms[i].lo, terms[i].hi, cand);
		} else if (terms[i].range) {
			rc = crm_index_range(t, terms[i].fid, terms[i].lo,
			    terms[i].hi, 0, cand);
			crm_ids_sort(cand);
			terms[i].count = cand->n;
		} else if (terms[i].hist) {
			crm_buf_reset(&k);
			hist_term(n, &k, &terms[i].has, &terms[i].prefix);
			if (*have) {
				rc = crm_index_hist_keep(t, &k, terms[i].prefix,
				    terms[i].has, cand, recheck);
			} else if (!terms[i].has) {
				/* all but a few: not where to start */
				*exact = 0;
				continue;
			} else {
				rc = crm_index_hist_ids(t, &k, terms[i].prefix,
				    cand, recheck);
			}
		} else if (is_id(n)) {
			uint64_t id = (uint64_t)(n->num / 10000);

			if (!*have)
				crm_ids_add(cand, id);
			else if (!crm_ids_has(cand, id))
				cand->n = 0;
			else
				cand->v[0] = id, cand->n = 1;
		} else {
			crm_buf_reset(&k);
			index_key(q, n, &k);
			if (*have)
				rc = crm_index_keep(t, &k, cand);
			else if ((rc = crm_index_scan(t, &k, 0, cand)) ==
			    CRM_ENOTFOUND)
				rc = 0;
		}
		if (rc)
			goto out;
		plan_term(plan, &terms[i], *have);
		*have = 1;
	}
	/* the companies to test, of those still there */
	crm_ids_sort(recheck);
	crm_ids_intersect(recheck, cand);
	if (!*have)
		*exact = 0;
	if (plan) {
		if (!*have)
			crm_buf_addstr(plan, "scan: every record, the whole "
			    "query on each (no term an index answers)\n");
		else if (*exact && recheck->n)
			crm_buf_addf(plan, "the indexes answer it: %zu "
			    "records, %zu of them read\n", cand->n,
			    recheck->n);
		else if (*exact)
			crm_buf_addf(plan, "the indexes answer it: %zu "
			    "records, none read\n", cand->n);
		else
			crm_buf_addf(plan, "then the whole query on each of "
			    "%zu records\n", cand->n);
	}
out:
	crm_buf_release(&k);
	crm_buf_release(&tmp);
	return rc;
}

/*
 * The candidates that match, each read once into the same record: when
 * the index answered exactly, only those in recheck are tested.
 */
static int
filter(crm_txn *t, const crm_query *q, const struct crm_ids *cand,
    int exact, const struct crm_ids *recheck,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg)
{
	crm_rec *r = crm_rec_alloc();
	size_t i, j = 0;
	int rc = 0;

	for (i = 0; i < cand->n && !rc; i++) {
		int sure = exact;

		while (j < recheck->n && recheck->v[j] < cand->v[i])
			j++;
		if (j < recheck->n && recheck->v[j] == cand->v[i])
			sure = 0;
		if ((rc = crm_rec_load(t, cand->v[i], r))) {
			if (rc == CRM_ENOTFOUND)
				rc = 0;
			continue;
		}
		if ((sure || crm_query_match(t, q, r)) && crm_visible(t, r))
			rc = fn(t, r, arg);
	}
	crm_rec_free(r);
	return rc;
}

int
crm_query_run(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg)
{
	struct crm_ids cand = { 0 }, recheck = { 0 };
	int rc, have, exact;

	if (!(rc = candidates(t, q, plan, &cand, &recheck, &have, &exact)))
		rc = have ? filter(t, q, &cand, exact, &recheck, fn, arg) :
		    scan_all(t, q, fn, arg);
	crm_ids_release(&cand);
	crm_ids_release(&recheck);
	return rc;
}

static int
collect_id(crm_txn *t, const crm_rec *r, void *arg)
{
	(void)t;
	crm_ids_add(arg, r->id);
	return 0;
}

int
crm_query_ids(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    struct crm_ids *out)
{
	struct crm_ids cand = { 0 }, recheck = { 0 }, sure = { 0 }, none = { 0 };
	size_t i, j = 0;
	int rc, have, exact;

	if ((rc = candidates(t, q, plan, &cand, &recheck, &have, &exact)))
		goto out;
	/* ids alone do not say whose the records are */
	if (have && exact && crm_view_role(t->db) != ROLE_ADMIN)
		exact = 0;
	if (have && exact && recheck.n) {
		/* the companies the index cannot answer for, read */
		if ((rc = filter(t, q, &recheck, 0, &none, collect_id, &sure)))
			goto out;
		for (i = 0; i < cand.n; i++) {
			while (j < recheck.n && recheck.v[j] < cand.v[i])
				j++;
			if (j == recheck.n || recheck.v[j] != cand.v[i] ||
			    crm_ids_has(&sure, cand.v[i]))
				crm_ids_add(out, cand.v[i]);
		}
	} else if (have && exact) {
		for (i = 0; i < cand.n; i++)
			crm_ids_add(out, cand.v[i]);
	} else if (have) {
		rc = filter(t, q, &cand, 0, &recheck, collect_id, out);
	} else {
		rc = scan_all(t, q, collect_id, out);
	}
out:
	crm_ids_release(&cand);
	crm_ids_release(&recheck);
	crm_ids_release(&sure);
	return rc;
}

int
crm_query_count(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    size_t *n)
{
	const struct qnode *terms[2];
	struct crm_ids ids = { 0 };
	struct crm_buf k = CRM_BUF_INIT;
	size_t nterms = 0;
	unsigned fid;
	int64_t lo, hi;
	int rc = -1;

	/* one term; ids alone do not say whose the records are */
	conjuncts(q->root, terms, &nterms, 2);
	if (nterms == 1 && crm_view_role(t->db) == ROLE_ADMIN) {
		const struct qnode *x = terms[0];

		if (range_of(x, &fid, &lo, &hi))
			rc = crm_index_range_count(t, fid, lo, hi, n);
		else if (index_key(q, x, &k) && k.len < 400)
			rc = crm_index_count(t, &k, 0, n);
		crm_buf_release(&k);
		if (rc != -1) {
			if (!rc && plan)
				crm_buf_addf(plan, "index %s%s%s: %zu records, "
				    "counted, none read\n",
				    x->kind == Q_TAG ? "tag:" : x->field,
				    x->kind == Q_TAG ? "" : opnames[x->op],
				    x->value, *n);
			return rc;
		}
	}
	rc = crm_query_ids(t, q, plan, &ids);
	*n = ids.n;
	crm_ids_release(&ids);
	return rc;
}
