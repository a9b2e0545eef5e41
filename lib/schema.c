/* schema.c - the YAML schema: types, fields and their options */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "internal.h"

const char *const crm_ftype_names[] = {
	"text", "email", "phone", "date", "datetime", "number", "money",
	"enum", "tags", "bool", "ref", "consent", NULL
};

static const char *const pseudo[] = { "id", "type", "created",
	"last_contact", "interactions", "turnover", "next_due", "closed",
	"stages", "open_deals", NULL };
const char *const crm_derived_names[] = { "type", "created", "last_contact",
	"interactions", "turnover", "next_due", "closed", "stages", NULL };

struct parse {
	yaml_document_t doc;
	crm_schema *s;
	size_t consent_line;
};

static int
bad(yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
bad(yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crm_vseterr(CRM_EINVAL, fmt, ap);
	va_end(ap);
	return crm_errprefix(CRM_EINVAL, "line %lu: ", n ?
	    (unsigned long)n->start_mark.line + 1 : 1UL);
}

static const char *
scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static const char *
closest(const char *name, const char *const *cands)
{
	const char *best = NULL;
	size_t bd = (size_t)-1, d, i;

	for (i = 0; cands[i]; i++) {
		d = crm_distance(name, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	if (best && bd <= (strlen(name) > 4 ? 2 : 1))
		return best;
	return NULL;
}

static int
unknown(yaml_node_t *n, const char *what, const char *name,
    const char *const *cands)
{
	const char *c = closest(name, cands);

	if (c)
		return bad(n, "unknown %s '%s' (did you mean '%s'?)", what,
		    name, c);
	return bad(n, "unknown %s '%s'", what, name);
}

static int
goodname(const char *s)
{
	const char *p;

	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return 0;
	return p - s <= 64;
}

static int
boolval(yaml_node_t *n, const char *key, int *v)
{
	const char *s = scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*v = 1;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*v = 0;
	else
		return bad(n, "'%s' takes true or false", key);
	return 0;
}

static int
enumvals(struct parse *ps, yaml_node_t *n, struct crm_field *f)
{
	yaml_node_item_t *it;
	size_t i, j;

	if (n->type != YAML_SEQUENCE_NODE)
		return bad(n, "field '%s': values must be a list", f->name);
	f->nvals = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	f->vals = calloc(f->nvals ? f->nvals : 1, sizeof *f->vals);
	for (i = 0, it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *v = yaml_document_get_node(&ps->doc, *it);
		struct crm_enumval *e = &f->vals[i];
		yaml_node_pair_t *p;

		e->probability = -1;
		if (scalar(v)) {
			e->name = strdup(scalar(v));
		} else if (v->type == YAML_MAPPING_NODE) {
			for (p = v->data.mapping.pairs.start;
			    p < v->data.mapping.pairs.top; p++) {
				yaml_node_t *k = yaml_document_get_node(
				    &ps->doc, p->key);
				yaml_node_t *x = yaml_document_get_node(
				    &ps->doc, p->value);
				const char *ks = scalar(k), *xs = scalar(x);
				static const char *const opts[] = { "name",
					"probability", "state", NULL };
				char *end;

				if (!ks || !xs)
					return bad(k, "field '%s': a value "
					    "has name, probability, state",
					    f->name);
				if (!strcmp(ks, "name")) {
					free(e->name);
					e->name = strdup(xs);
				} else if (!strcmp(ks, "probability")) {
					long pr = strtol(xs, &end, 10);

					if (*end || end == xs || pr < 0 ||
					    pr > 100)
						return bad(x, "probability "
						    "is a number from 0 to "
						    "100");
					e->probability = (int)pr;
				} else if (!strcmp(ks, "state")) {
					if (!strcmp(xs, "open"))
						e->state = ST_OPEN;
					else if (!strcmp(xs, "won"))
						e->state = ST_WON;
					else if (!strcmp(xs, "lost"))
						e->state = ST_LOST;
					else
						return bad(x, "state is "
						    "open, won or lost");
				} else {
					return unknown(k, "option", ks, opts);
				}
			}
			if (!e->name)
				return bad(v, "field '%s': a value without "
				    "a name", f->name);
		} else {
			return bad(v, "field '%s': bad enum value", f->name);
		}
		if (!*e->name || !crm_utf8_valid(e->name, strlen(e->name)))
			return bad(v, "field '%s': empty enum value",
			    f->name);
		for (j = 0; j < i; j++)
			if (!strcmp(f->vals[j].name, e->name))
				return bad(v, "field '%s': value '%s' twice",
				    f->name, e->name);
	}
	if (!f->nvals)
		return bad(n, "field '%s': an enum needs values", f->name);
	return 0;
}

static int
field(struct parse *ps, yaml_node_t *kn, yaml_node_t *n, struct crm_field *f)
{
	static const char *const opts[] = { "type", "required", "unique",
		"index", "search", "default", "values", "to", "personal",
		NULL };
	yaml_node_pair_t *p;
	const char *type = scalar(n);
	yaml_node_t *tn = n;
	int i, v = 0, rc;

	f->name = strdup(scalar(kn));
	f->namelen = strlen(f->name);
	f->line = kn->start_mark.line + 1;
	/* consents are named for their purpose: consent.marketing */
	if (!goodname(f->name) && (strncmp(f->name, "consent.", 8) ||
	    !goodname(f->name + 8)))
		return bad(kn, "bad field name '%s' (use a-z, 0-9, _)",
		    f->name);
	for (i = 0; pseudo[i]; i++)
		if (!strcmp(f->name, pseudo[i]))
			return bad(kn, "'%s' is a reserved field name",
			    f->name);
	if (n->type == YAML_MAPPING_NODE) {
		type = NULL;
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&ps->doc,
			    p->key);
			yaml_node_t *x = yaml_document_get_node(&ps->doc,
			    p->value);
			const char *ks = scalar(k);
			yaml_node_pair_t *q;

			if (!ks)
				return bad(k, "field '%s': bad option",
				    f->name);
			/* YAML lets a key come twice; a second values,
			 * default or to would drop the first */
			for (q = n->data.mapping.pairs.start; q < p; q++)
				if (!strcmp(scalar(yaml_document_get_node(
				    &ps->doc, q->key)), ks))
					return bad(k, "field '%s': '%s' twice",
					    f->name, ks);
			if (!strcmp(ks, "type")) {
				type = scalar(x);
				tn = x;
			} else if (!strcmp(ks, "values")) {
				if ((rc = enumvals(ps, x, f)))
					return rc;
			} else if (!strcmp(ks, "default")) {
				if (!scalar(x))
					return bad(x, "field '%s': default "
					    "must be a value", f->name);
				f->def = strdup(scalar(x));
			} else if (!strcmp(ks, "to")) {
				if (!scalar(x))
					return bad(x, "field '%s': 'to' "
					    "names a type", f->name);
				f->to = strdup(scalar(x));
			} else {
				unsigned flag = !strcmp(ks, "required") ?
				    FF_REQUIRED : !strcmp(ks, "unique") ?
				    FF_UNIQUE : !strcmp(ks, "index") ?
				    FF_INDEX : !strcmp(ks, "search") ?
				    FF_SEARCH : !strcmp(ks, "personal") ?
				    FF_PERSONAL : 0;

				if (!flag)
					return unknown(k, "option", ks, opts);
				if ((rc = boolval(x, ks, &v)))
					return rc;
				if (v)
					f->flags |= flag;
			}
		}
	}
	if (!type)
		return bad(n, "field '%s' has no type", f->name);
	for (i = 0; crm_ftype_names[i]; i++)
		if (!strcmp(type, crm_ftype_names[i]))
			break;
	if (!crm_ftype_names[i])
		return unknown(tn, "field type", type, crm_ftype_names);
	f->type = (enum crm_ftype)i;
	if (f->type == FT_ENUM && !f->vals)
		return bad(n, "field '%s': an enum needs values", f->name);
	if (f->type != FT_ENUM && f->vals)
		return bad(n, "field '%s': only an enum has values",
		    f->name);
	if (f->to && f->type != FT_REF)
		return bad(n, "field '%s': only a ref has 'to'", f->name);
	if (f->type == FT_TAGS && (f->flags & FF_UNIQUE))
		return bad(n, "field '%s': tags cannot be unique", f->name);
	if ((f->type == FT_CONSENT) != !strncmp(f->name, "consent.", 8))
		return bad(kn, "field '%s': a consent is named "
		    "consent.PURPOSE, and only a consent is", f->name);
	if (f->type == FT_CONSENT && (f->flags & (FF_UNIQUE | FF_INDEX |
	    FF_SEARCH)))
		return bad(n, "field '%s': a consent is not indexed",
		    f->name);
	return 0;
}

static int
type(struct parse *ps, yaml_node_t *kn, yaml_node_t *n, struct crm_type *t)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *fields = NULL;
	size_t i;
	int rc;

	t->name = strdup(scalar(kn));
	t->line = kn->start_mark.line + 1;
	if (!goodname(t->name))
		return bad(kn, "bad type name '%s' (use a-z, 0-9, _)",
		    t->name);
	if (n->type != YAML_MAPPING_NODE)
		return bad(n, "type '%s' must be a map with 'fields'",
		    t->name);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = yaml_document_get_node(&ps->doc, p->key);
		static const char *const opts[] = { "fields", NULL };

		if (!scalar(k) || strcmp(scalar(k), "fields"))
			return unknown(k, "key", scalar(k) ? scalar(k) : "?",
			    opts);
		fields = yaml_document_get_node(&ps->doc, p->value);
	}
	if (!fields || fields->type != YAML_MAPPING_NODE)
		return bad(n, "type '%s' has no fields", t->name);
	t->nfields = (size_t)(fields->data.mapping.pairs.top -
	    fields->data.mapping.pairs.start);
	t->fields = calloc(t->nfields ? t->nfields : 1, sizeof *t->fields);
	for (i = 0, p = fields->data.mapping.pairs.start;
	    p < fields->data.mapping.pairs.top; p++, i++) {
		yaml_node_t *k = yaml_document_get_node(&ps->doc, p->key);

		if (!scalar(k))
			return bad(k, "bad field name");
		for (q = fields->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(scalar(yaml_document_get_node(&ps->doc,
			    q->key)), scalar(k)))
				return bad(k, "field '%s' twice", scalar(k));
		if ((rc = field(ps, k, yaml_document_get_node(&ps->doc,
		    p->value), &t->fields[i])))
			return rc;
	}
	return 0;
}

static int
kinds(struct parse *ps, yaml_node_t *n)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	crm_schema *s = ps->s;

	if (n->type != YAML_MAPPING_NODE)
		return bad(n, "interactions must be a map with 'kinds'");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = yaml_document_get_node(&ps->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&ps->doc, p->value);
		static const char *const opts[] = { "kinds", NULL };

		if (!scalar(k) || strcmp(scalar(k), "kinds"))
			return unknown(k, "key", scalar(k) ? scalar(k) : "?",
			    opts);
		if (v->type != YAML_SEQUENCE_NODE)
			return bad(v, "kinds must be a list");
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			yaml_node_t *x = yaml_document_get_node(&ps->doc,
			    *it);

			if (!scalar(x) || !goodname(scalar(x)))
				return bad(x, "bad interaction kind");
			s->kinds = crm_xrealloc(s->kinds, (s->nkinds + 1) *
			    sizeof *s->kinds);
			s->kinds[s->nkinds++] = strdup(scalar(x));
		}
	}
	return 0;
}

/* mailing: {consent: FIELD}: marketing mail only to those whose FIELD
 * (a bool) is yes */
static int
mailing(struct parse *ps, yaml_node_t *n)
{
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE)
		return bad(n, "mailing must be a map with 'consent'");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = yaml_document_get_node(&ps->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&ps->doc, p->value);
		static const char *const opts[] = { "consent", NULL };

		if (!scalar(k) || strcmp(scalar(k), "consent"))
			return unknown(k, "key", scalar(k) ? scalar(k) : "?",
			    opts);
		if (!scalar(v))
			return bad(v, "consent names a consent or bool "
			    "field");
		free(ps->s->mail_consent);
		ps->s->mail_consent = strdup(scalar(v));
		ps->consent_line = v->start_mark.line + 1;
	}
	return 0;
}

static int
check(crm_schema *s)
{
	size_t i, j, k;

	for (i = 0; i < s->ntypes; i++) {
		struct crm_type *t = &s->types[i];

		for (j = 0; j < i; j++)
			if (!strcmp(s->types[j].name, t->name))
				return crm_seterr(CRM_EINVAL, "line %zu: type "
				    "'%s' twice", t->line, t->name);
		for (j = 0; j < t->nfields; j++) {
			struct crm_field *f = &t->fields[j];

			if (f->to && !crm_schema_type(s, f->to))
				return crm_seterr(CRM_EINVAL, "line %zu: "
				    "field '%s': no type '%s'", f->line,
				    f->name, f->to);
			if (f->def && f->type == FT_ENUM) {
				for (k = 0; k < f->nvals; k++)
					if (!strcmp(f->vals[k].name, f->def))
						break;
				if (k == f->nvals)
					return crm_seterr(CRM_EINVAL, "line "
					    "%zu: field '%s': default '%s' "
					    "is not one of its values",
					    f->line, f->name, f->def);
			}
			/* one name, one type: the indexes share keys */
			for (k = 0; k < i; k++) {
				const struct crm_field *g = crm_type_field(
				    &s->types[k], f->name);

				if (g && g->type != f->type)
					return crm_seterr(CRM_EINVAL, "line "
					    "%zu: field '%s' is %s here but "
					    "%s in type '%s'", f->line,
					    f->name,
					    crm_ftype_names[f->type],
					    crm_ftype_names[g->type],
					    s->types[k].name);
			}
		}
	}
	if (!s->ntypes)
		return crm_seterr(CRM_EINVAL, "the schema has no types");
	return 0;
}

int
crm_schema_parse(crm_schema **sp, const char *yaml, size_t len)
{
	struct parse ps = { 0 };
	yaml_parser_t parser;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	crm_schema *s;
	int rc = 0;

	*sp = NULL;
	s = calloc(1, sizeof *s);
	s->text = crm_xstrndup(yaml, len);
	s->len = len;
	ps.s = s;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)s->text,
	    len);
	if (!yaml_parser_load(&parser, &ps.doc)) {
		rc = crm_seterr(CRM_EINVAL, "line %lu: %s",
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		crm_schema_free(s);
		return rc;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&ps.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		rc = bad(root, "a schema is a map with 'types'");
		goto out;
	}
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *k = yaml_document_get_node(&ps.doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&ps.doc, p->value);
		const char *ks = scalar(k);
		static const char *const keys[] = { "version", "country",
			"types", "interactions", "mailing", NULL };

		if (!ks) {
			rc = bad(k, "bad key");
		} else if (!strcmp(ks, "version")) {
			;
		} else if (!strcmp(ks, "country")) {
			if (!scalar(v) || !crm_phone_country_known(scalar(v)))
				rc = bad(v, "country: '%s' is not a country "
				    "code crm knows (e.g. SK, CZ, DE, GB, US)",
				    scalar(v) ? scalar(v) : "");
			else
				snprintf(s->country, sizeof s->country, "%s",
				    scalar(v));
		} else if (!strcmp(ks, "types")) {
			yaml_node_pair_t *q;
			size_t i = 0;

			if (v->type != YAML_MAPPING_NODE) {
				rc = bad(v, "types must be a map");
				break;
			}
			/* YAML lets a key come twice; the second would
			 * drop the first's types */
			if (s->types) {
				rc = bad(k, "'types' twice");
				break;
			}
			s->ntypes = (size_t)(v->data.mapping.pairs.top -
			    v->data.mapping.pairs.start);
			s->types = calloc(s->ntypes ? s->ntypes : 1,
			    sizeof *s->types);
			for (q = v->data.mapping.pairs.start;
			    q < v->data.mapping.pairs.top && !rc; q++, i++) {
				yaml_node_t *tk = yaml_document_get_node(
				    &ps.doc, q->key);

				if (!scalar(tk))
					rc = bad(tk, "bad type name");
				else
					rc = type(&ps, tk,
					    yaml_document_get_node(&ps.doc,
					    q->value), &s->types[i]);
			}
		} else if (!strcmp(ks, "interactions")) {
			rc = kinds(&ps, v);
		} else if (!strcmp(ks, "mailing")) {
			rc = mailing(&ps, v);
		} else {
			rc = unknown(k, "key", ks, keys);
		}
	}
	if (!rc)
		rc = check(s);
	if (!rc && s->mail_consent) {
		const struct crm_field *f = NULL;
		size_t i;

		for (i = 0; i < s->ntypes && !f; i++)
			f = crm_type_field(&s->types[i], s->mail_consent);
		if (!f || (f->type != FT_BOOL && f->type != FT_CONSENT))
			rc = crm_seterr(CRM_EINVAL, "line %zu: mailing: "
			    "consent: '%s' is not a consent nor a bool field",
			    ps.consent_line, s->mail_consent);
	}
out:
	yaml_document_delete(&ps.doc);
	if (rc) {
		crm_schema_free(s);
		return rc;
	}
	*sp = s;
	return 0;
}

void
crm_schema_free(crm_schema *s)
{
	size_t i, j, k;

	if (!s)
		return;
	for (i = 0; i < s->ntypes; i++) {
		struct crm_type *t = &s->types[i];

		for (j = 0; j < t->nfields; j++) {
			struct crm_field *f = &t->fields[j];

			for (k = 0; k < f->nvals; k++)
				free(f->vals[k].name);
			free(f->vals);
			free(f->name);
			free(f->def);
			free(f->to);
		}
		free(t->fields);
		free(t->byfid);
		free(t->name);
	}
	for (i = 0; i < s->nkinds; i++)
		free(s->kinds[i]);
	free(s->kinds);
	free(s->types);
	free(s->text);
	free(s->mail_consent);
	free(s);
}

static unsigned
dict_id(struct crm_dict *d, const char *name, int *grew)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->name[i], name))
			return (unsigned)i;
	d->name = crm_xrealloc(d->name, (d->n + 1) * sizeof *d->name);
	d->name[d->n] = strdup(name);
	*grew = 1;
	return (unsigned)d->n++;
}

int
crm_schema_bind(crm_schema *s, struct crm_dict *fields,
    struct crm_dict *types, int *grew)
{
	size_t i, j;

	*grew = 0;
	for (i = 0; crm_derived_names[i]; i++)
		if (dict_id(fields, crm_derived_names[i], grew) != i)
			return crm_seterr(CRM_ESTORE, "the store numbers '%s' "
			    "unlike this version of crm",
			    crm_derived_names[i]);
	for (i = 0; i < s->ntypes; i++) {
		struct crm_type *t = &s->types[i];

		t->tid = dict_id(types, t->name, grew);
		for (j = 0; j < t->nfields; j++)
			t->fields[j].fid = dict_id(fields, t->fields[j].name,
			    grew);
	}
	if (fields->n >= FID_OPEN_DUE)
		return crm_seterr(CRM_EINVAL, "too many field names");
	return 0;
}

size_t
crm_schema_ntypes(const crm_schema *s)
{
	return s->ntypes;
}

const char *
crm_schema_typename(const crm_schema *s, size_t i)
{
	return i < s->ntypes ? s->types[i].name : NULL;
}

const struct crm_field *
crm_type_stage(const struct crm_type *t)
{
	struct crm_type *m = (struct crm_type *)t;
	size_t i, k;

	/* every record written asks, so the answer is kept */
	if (t->stage_known)
		return t->stage;
	m->stage_known = 1;
	for (i = 0; i < t->nfields; i++) {
		const struct crm_field *f = &t->fields[i];

		if (f->type != FT_ENUM)
			continue;
		for (k = 0; k < f->nvals; k++)
			if (f->vals[k].probability >= 0 ||
			    f->vals[k].state != ST_OPEN)
				return m->stage = f;
	}
	return NULL;
}

const struct crm_enumval *
crm_stage_val(const struct crm_field *f, const char *name)
{
	size_t k;

	for (k = 0; name && k < f->nvals; k++)
		if (!strcmp(f->vals[k].name, name))
			return &f->vals[k];
	return NULL;
}

int
crm_type_dealt(const crm_schema *s, const struct crm_type *t)
{
	struct crm_type *m = (struct crm_type *)t;
	size_t i, j;

	/* every record printed as JSON asks */
	if (t->dealt)
		return t->dealt == 2;
	m->dealt = 1;
	for (i = 0; i < s->ntypes; i++) {
		const struct crm_type *d = &s->types[i];

		for (j = 0; crm_type_stage(d) && j < d->nfields; j++)
			if (d->fields[j].type == FT_REF && (!d->fields[j].to ||
			    !strcmp(d->fields[j].to, t->name)))
				m->dealt = 2;
	}
	return m->dealt == 2;
}

const struct crm_type *
crm_schema_type(const crm_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (!strcmp(s->types[i].name, name))
			return &s->types[i];
	return NULL;
}

const struct crm_type *
crm_schema_type_id(const crm_schema *s, unsigned tid)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (s->types[i].tid == tid)
			return &s->types[i];
	return NULL;
}

const struct crm_field *
crm_type_field(const struct crm_type *t, const char *name)
{
	size_t i, n = strlen(name);

	/* the length first, kept beside the number: most names differ in
	 * it, and the names themselves are elsewhere in memory */
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].namelen == n &&
		    !memcmp(t->fields[i].name, name, n))
			return &t->fields[i];
	return NULL;
}

/* By number: every value of every record asks, so it is a table. */
const struct crm_field *
crm_type_field_id(const struct crm_type *t, unsigned fid)
{
	struct crm_type *m = (struct crm_type *)t;
	size_t i;

	if (!t->byfid) {
		for (i = 0; i < t->nfields; i++)
			if (t->fields[i].fid >= m->nbyfid)
				m->nbyfid = t->fields[i].fid + 1;
		m->byfid = calloc(m->nbyfid + 1, sizeof *m->byfid);
		for (i = 0; i < t->nfields; i++)
			m->byfid[t->fields[i].fid] = &m->fields[i];
	}
	return fid < t->nbyfid ? t->byfid[fid] : NULL;
}

int
crm_schema_hastype(const crm_schema *s, const char *name)
{
	const char **names;
	const char *c;
	size_t i;

	if (crm_schema_type(s, name))
		return 1;
	names = crm_xmalloc((s->ntypes + 1) * sizeof *names);
	for (i = 0; i < s->ntypes; i++)
		names[i] = s->types[i].name;
	names[i] = NULL;
	c = closest(name, names);
	if (c)
		crm_seterr(CRM_EINVAL, "unknown type '%s' (did you mean "
		    "'%s'?)", name, c);
	else
		crm_seterr(CRM_EINVAL, "unknown type '%s'", name);
	free(names);
	return 0;
}

const char *
crm_schema_suggest(const crm_schema *s, const struct crm_type *t,
    const char *name)
{
	const char *best = NULL;
	size_t bd = (size_t)-1, d, i, j;

	for (i = 0; i < s->ntypes; i++) {
		const struct crm_type *u = t ? t : &s->types[i];

		for (j = 0; j < u->nfields; j++) {
			d = crm_distance(name, u->fields[j].name);
			if (d < bd) {
				bd = d;
				best = u->fields[j].name;
			}
		}
		if (t)
			break;
	}
	for (i = 0; pseudo[i]; i++) {
		d = crm_distance(name, pseudo[i]);
		if (d < bd) {
			bd = d;
			best = pseudo[i];
		}
	}
	if (best && bd <= (strlen(name) > 4 ? 2 : 1))
		return best;
	return NULL;
}

void
crm_schema_fields(const crm_schema *s, const char *type,
    void (*fn)(const char *name, void *arg), void *arg)
{
	size_t i, j, k, l;

	for (i = 0; i < s->ntypes; i++) {
		const struct crm_type *t = &s->types[i];

		if (type && strcmp(type, t->name))
			continue;
		for (j = 0; j < t->nfields; j++) {
			int seen = 0;

			for (k = 0; k < i && !type && !seen; k++)
				for (l = 0; l < s->types[k].nfields; l++)
					if (!strcmp(s->types[k].fields[l].name,
					    t->fields[j].name))
						seen = 1;
			if (!seen)
				fn(t->fields[j].name, arg);
		}
	}
}

int
crm_schema_hasfield(const crm_schema *s, const char *name)
{
	size_t i;

	for (i = 0; pseudo[i]; i++)
		if (!strcmp(pseudo[i], name))
			return 1;
	for (i = 0; i < s->ntypes; i++)
		if (crm_type_field(&s->types[i], name))
			return 1;
	return 0;
}

/*
 * The compiled schema: what the YAML says, with the store's numbers for
 * names, in a form that loads without a YAML parser.  Every command
 * reads it at start, so it must be cheap.
 */
#define BLOB_MAGIC "crm-schema-2"
enum { HAS_DEF = 1 << 8, HAS_TO = 1 << 9 };

static void
putstr(struct crm_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	crm_put_varint(b, n);
	crm_buf_add(b, s ? s : "", n);
}

void
crm_schema_encode(const crm_schema *s, struct crm_buf *b)
{
	size_t i, j, k;

	crm_buf_addstr(b, BLOB_MAGIC);
	putstr(b, s->country);
	crm_put_varint(b, s->ntypes);
	for (i = 0; i < s->ntypes; i++) {
		const struct crm_type *t = &s->types[i];

		putstr(b, t->name);
		crm_put_varint(b, t->tid);
		crm_put_varint(b, t->nfields);
		for (j = 0; j < t->nfields; j++) {
			const struct crm_field *f = &t->fields[j];

			putstr(b, f->name);
			crm_put_varint(b, f->fid);
			crm_put_varint(b, f->type);
			crm_put_varint(b, f->flags | (f->def ? HAS_DEF : 0) |
			    (f->to ? HAS_TO : 0));
			if (f->def)
				putstr(b, f->def);
			if (f->to)
				putstr(b, f->to);
			crm_put_varint(b, f->nvals);
			for (k = 0; k < f->nvals; k++) {
				putstr(b, f->vals[k].name);
				crm_put_varint(b, (uint64_t)(f->vals[k].
				    probability + 1));
				crm_put_varint(b, f->vals[k].state);
			}
		}
	}
	crm_put_varint(b, s->nkinds);
	for (i = 0; i < s->nkinds; i++)
		putstr(b, s->kinds[i]);
	putstr(b, s->mail_consent);
}

struct rd {
	const unsigned char *p, *e;
	int bad;
};

static uint64_t
getnum(struct rd *r)
{
	uint64_t v = 0;

	if (!r->bad && crm_get_varint(&r->p, r->e, &v))
		r->bad = 1;
	return v;
}

static char *
getstr(struct rd *r)
{
	uint64_t n = getnum(r);
	char *s;

	if (r->bad || n > (uint64_t)(r->e - r->p)) {
		r->bad = 1;
		return strdup("");
	}
	s = crm_xstrndup((const char *)r->p, (size_t)n);
	r->p += n;
	return s;
}

/* Counts come from the store; cap them so damage cannot ask for much. */
static size_t
getcount(struct rd *r)
{
	uint64_t n = getnum(r);

	if (n > (uint64_t)(r->e - r->p)) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

int
crm_schema_decode(crm_schema **sp, const void *blob, size_t len)
{
	struct rd r = { blob, (const unsigned char *)blob + len, 0 };
	crm_schema *s;
	size_t i, j, k, ml = strlen(BLOB_MAGIC);
	int v1 = 0;
	char *c;

	*sp = NULL;
	/* version 1 had no mailing consent */
	if (len >= ml && !memcmp(blob, "crm-schema-1", ml))
		v1 = 1;
	else if (len < ml || memcmp(blob, BLOB_MAGIC, ml))
		return crm_seterr(CRM_ESTORE, "the stored schema is damaged");
	r.p += ml;
	s = calloc(1, sizeof *s);
	c = getstr(&r);
	snprintf(s->country, sizeof s->country, "%s", c);
	free(c);
	s->ntypes = getcount(&r);
	s->types = calloc(s->ntypes ? s->ntypes : 1, sizeof *s->types);
	for (i = 0; i < s->ntypes && !r.bad; i++) {
		struct crm_type *t = &s->types[i];

		t->name = getstr(&r);
		t->tid = (unsigned)getnum(&r);
		t->nfields = getcount(&r);
		t->fields = calloc(t->nfields ? t->nfields : 1,
		    sizeof *t->fields);
		for (j = 0; j < t->nfields && !r.bad; j++) {
			struct crm_field *f = &t->fields[j];
			unsigned fl;

			f->name = getstr(&r);
			f->namelen = f->name ? strlen(f->name) : 0;
			f->fid = (unsigned)getnum(&r);
			f->type = (enum crm_ftype)getnum(&r);
			fl = (unsigned)getnum(&r);
			f->flags = fl & 0xff;
			if (fl & HAS_DEF)
				f->def = getstr(&r);
			if (fl & HAS_TO)
				f->to = getstr(&r);
			f->nvals = getcount(&r);
			f->vals = calloc(f->nvals ? f->nvals : 1,
			    sizeof *f->vals);
			for (k = 0; k < f->nvals && !r.bad; k++) {
				f->vals[k].name = getstr(&r);
				f->vals[k].probability =
				    (int)getnum(&r) - 1;
				f->vals[k].state = (enum crm_state)getnum(&r);
			}
			if (f->type > FT_CONSENT)
				r.bad = 1;
		}
	}
	s->nkinds = getcount(&r);
	s->kinds = calloc(s->nkinds ? s->nkinds : 1, sizeof *s->kinds);
	for (i = 0; i < s->nkinds && !r.bad; i++)
		s->kinds[i] = getstr(&r);
	s->mail_consent = v1 ? strdup("") : getstr(&r);
	if (!*s->mail_consent) {
		free(s->mail_consent);
		s->mail_consent = NULL;
	}
	if (r.bad || r.p != r.e) {
		crm_schema_free(s);
		return crm_seterr(CRM_ESTORE, "the stored schema is damaged");
	}
	*sp = s;
	return 0;
}
