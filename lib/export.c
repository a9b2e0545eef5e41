/* export.c - records for other programs: vCard */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* A UUID (RFC 9562 version 8) of the store's name and an id. */
static void
uid_of(const char *store, uint64_t id, struct crm_buf *out)
{
	char h[33];

	snprintf(h, sizeof h, "%.16s%016llx", strlen(store) >= 16 ? store :
	    "0000000000000000", (unsigned long long)id);
	h[12] = '8';
	h[16] = "89ab"[(h[16] - '0') & 3];
	crm_buf_addf(out, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

/* The UID of a record's card: its own (from an imported card), else one
 * made of the store's name and the id, stable across exports. */
void
crm_vcard_uid(const crm_rec *r, const char *store, struct crm_buf *out)
{
	const char *uid = crm_rec_value(r, "uid");

	if (uid)
		crm_buf_addstr(out, uid);
	else
		uid_of(store, r->id, out);
}

uint64_t
crm_vcard_uid_id(const char *uid, const char *store)
{
	struct crm_buf b = CRM_BUF_INIT;
	unsigned long long id = 0;
	size_t i;

	if (!strncasecmp(uid, "urn:uuid:", 9))
		uid += 9;
	if (strlen(uid) != 36 || uid[23] != '-')
		return 0;
	for (i = 20; i < 36; i++) {
		int c = uid[i] | 0x20;

		if (i == 23)
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		if (id >> 59)
			return 0;
		id = id << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	uid_of(store, id, &b);
	if (strcasecmp(b.buf, uid))
		id = 0;
	crm_buf_release(&b);
	return id;
}

static void
text(struct crm_buf *b, const char *name, const crm_rec *r,
    const char *field)
{
	const char *v = crm_rec_value(r, field);

	if (v && *v)
		crm_vcard_line(b, name, NULL, v, 0);
}

/* A structured value of fields, ';' apart, each escaped. */
static void
structured(struct crm_buf *b, const char *name, const crm_rec *r,
    const char *const *fields, size_t n)
{
	struct crm_buf v = CRM_BUF_INIT;
	size_t i, any = 0;

	for (i = 0; i < n; i++) {
		const char *x = fields[i] ? crm_rec_value(r, fields[i]) : NULL;

		if (i)
			crm_buf_addch(&v, ';');
		if (x) {
			crm_vcard_escape(&v, x);
			any = 1;
		}
	}
	if (any)
		crm_vcard_line(b, name, NULL, v.buf, 1);
	crm_buf_release(&v);
}

/*
 * What crm-import kept in the note because the record had no field for
 * it goes out as the property it was: a line as label() in import.c
 * writes it, NAME (labels): value, whose name is one below.  The labels
 * were TYPE parameters (a TYPE of several values one label: work,voice),
 * the name an X- property's vCard equivalent, or an X- name kept.  A
 * line of another form, a part of a property (ADR (work) region: QC) and
 * a name not below stay in the note.
 */
enum { P_TEXT, P_URI, P_RAW, P_RELATED, P_DATE };
static const struct {
	const char *name;
	unsigned char kind, v4only;
} noted[] = {
	{ "ANNIVERSARY", P_DATE, 1 },
	{ "CALADRURI", P_URI, 1 },
	{ "CALURI", P_URI, 0 },
	{ "EMAIL", P_TEXT, 0 },
	{ "FBURL", P_URI, 0 },
	{ "GENDER", P_RAW, 1 },
	{ "IMPP", P_URI, 0 },
	{ "NICKNAME", P_TEXT, 0 },
	{ "RELATED", P_RELATED, 1 },
	{ "ROLE", P_TEXT, 0 },
	{ "TEL", P_TEXT, 0 },
	{ "TITLE", P_TEXT, 0 },
	{ "URL", P_URI, 0 },
};

/* The kind of a noted property's name (n bytes at s), -1 for none. */
static int
noted_kind(const char *s, size_t n, int v3)
{
	size_t i;

	if (n > 2 && !strncmp(s, "X-", 2)) {
		for (i = 2; i < n; i++)
			if (!(s[i] == '-' || (s[i] >= '0' && s[i] <= '9') ||
			    ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
				return -1;
		return P_TEXT;
	}
	for (i = 0; i < sizeof noted / sizeof *noted; i++)
		if (strlen(noted[i].name) == n &&
		    !strncmp(noted[i].name, s, n))
			return v3 && noted[i].v4only ? -1 : noted[i].kind;
	return -1;
}

/* A label as a TYPE value: quoted where it holds ';' or ':', with RFC
 * 6868's ^' and ^^; 0 for one that cannot be (a control character). */
static int
type_value(struct crm_buf *pr, const char *s, size_t n)
{
	size_t i;
	int q = 0;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (strchr(";:\"^", s[i]))
			q = 1;
	}
	crm_buf_addstr(pr, pr->len ? ";TYPE=" : "TYPE=");
	if (q)
		crm_buf_addch(pr, '"');
	for (i = 0; i < n; i++)
		if (s[i] == '"')
			crm_buf_addstr(pr, "^'");
		else if (s[i] == '^')
			crm_buf_addstr(pr, "^^");
		else
			crm_buf_addch(pr, s[i]);
	if (q)
		crm_buf_addch(pr, '"');
	return 1;
}

/* A note line (n bytes at s) as its property, appended to b: 0 when it
 * is none. */
static int
noted_prop(struct crm_buf *b, const char *s, size_t n, int v3)
{
	struct crm_buf name = CRM_BUF_INIT, pr = CRM_BUF_INIT,
	    val = CRM_BUF_INIT;
	const char *e = s + n, *v, *lab, *end, *c;
	size_t len = strcspn(s, " :(\n");
	int kind, ok = 0;

	if (len >= n || (kind = noted_kind(s, len, v3)) < 0)
		return 0;
	lab = s + len;
	if (e - lab > 2 && !memcmp(lab, " (", 2)) {
		/* the labels, ", " apart, the last before "): " */
		for (end = lab + 2; end + 3 <= e && memcmp(end, "): ", 3);
		    end++)
			;
		if (end + 3 > e)
			return 0;
		for (lab += 2; ; lab = c + 2) {
			for (c = lab; c < end && (end - c < 2 ||
			    memcmp(c, ", ", 2)); c++)
				;
			if (c == lab || !type_value(&pr, lab, (size_t)(c - lab)))
				goto out;
			if (c == end)
				break;
		}
		v = end + 3;
	} else if (e - lab >= 2 && !memcmp(lab, ": ", 2)) {
		v = lab + 2;
	} else {
		return 0;
	}
	if (v == e)
		goto out;
	crm_buf_add(&val, v, (size_t)(e - v));
	/* a URI is written as it is, and so has no blank */
	if (kind == P_URI && val.len != strcspn(val.buf, " \t"))
		goto out;
	if (kind == P_RELATED) {
		/* a URI (urn:uuid:..., mailto:...) unless VALUE=text */
		c = val.buf + strspn(val.buf, "abcdefghijklmnopqrstuvwxyz");
		kind = c > val.buf && *c == ':' &&
		    val.len == strcspn(val.buf, " \t") ? P_URI : P_DATE;
	}
	/* a date as crm-import found it, or a name: text to vCard 4.0 */
	if (kind == P_DATE)
		crm_buf_addstr(&pr, pr.len ? ";VALUE=text" : "VALUE=text");
	crm_buf_add(&name, s, len);
	crm_vcard_line(b, name.buf, pr.buf, val.buf, kind == P_URI ||
	    kind == P_RAW);
	ok = 1;
out:
	crm_buf_release(&name);
	crm_buf_release(&pr);
	crm_buf_release(&val);
	return ok;
}

/* The note: its lines that were properties as those (noted_prop), the
 * rest as NOTE, before them as crm-import reads them back. */
static void
note(struct crm_buf *b, const crm_rec *r, int v3)
{
	struct crm_buf rest = CRM_BUF_INIT, props = CRM_BUF_INIT;
	const char *s = crm_rec_value(r, "note"), *e;
	int first = 1;

	if (!s || !*s)
		return;
	for (;; s = e + 1) {
		e = s + strcspn(s, "\n");
		if (!noted_prop(&props, s, (size_t)(e - s), v3)) {
			if (!first)
				crm_buf_addch(&rest, '\n');
			crm_buf_add(&rest, s, (size_t)(e - s));
			first = 0;
		}
		if (!*e)
			break;
	}
	if (rest.len)
		crm_vcard_line(b, "NOTE", NULL, rest.buf, 0);
	if (props.len)
		crm_buf_add(b, props.buf, props.len);
	crm_buf_release(&rest);
	crm_buf_release(&props);
}

/* Is s a UUID, 8-4-4-4-12 hex digits? */
static int
is_uuid(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return !s[36];
}

/* A person's link to company c's card: RELATED is a URI, urn:uuid: and
 * the UID if that is a UUID, the UID if it is a URI, else text. */
static void
related(struct crm_buf *b, const crm_rec *c, const char *store)
{
	struct crm_buf v = CRM_BUF_INIT;
	const char *s;
	int uri;

	crm_vcard_uid(c, store, &v);
	s = v.buf + strspn(v.buf, "abcdefghijklmnopqrstuvwxyz");
	uri = s > v.buf && *s == ':' && !strpbrk(v.buf, " \t\n");
	if (is_uuid(v.buf)) {
		crm_buf_reset(&v);
		crm_buf_addstr(&v, "urn:uuid:");
		crm_vcard_uid(c, store, &v);
		uri = 1;
	}
	crm_vcard_line(b, "RELATED", uri ? "TYPE=co-worker" :
	    "TYPE=co-worker;VALUE=text", v.buf, uri);
	crm_buf_release(&v);
}

/*
 * A photo: 4.0 takes a URI, data: or not; 3.0 the image in base64 with
 * its type, or a URI as VALUE=uri.  A photo kept as bare base64 (by an
 * older crm-import) is an image of the type its first bytes say.
 */
static void
photo(struct crm_buf *b, const char *x, int v3)
{
	struct crm_buf p = CRM_BUF_INIT, u = CRM_BUF_INIT;
	const char *data, *type, *semi;

	if (!strncmp(x, "data:", 5)) {
		if (!(data = strstr(x, ";base64,")) || !v3) {
			crm_vcard_line(b, "PHOTO", NULL, x, 1);
			return;
		}
		/* data:image/png;base64,... : TYPE=PNG */
		type = strchr(x, '/') && strchr(x, '/') < data ?
		    strchr(x, '/') + 1 : "jpeg";
		semi = type < data ? data : type + strlen(type);
		crm_buf_addstr(&p, "ENCODING=b;TYPE=");
		for (; type < semi; type++)
			crm_buf_addch(&p, toupper((unsigned char)*type));
		crm_vcard_line(b, "PHOTO", p.buf, data + 8, 1);
	} else if (strstr(x, "://")) {
		crm_vcard_line(b, "PHOTO", v3 ? "VALUE=uri" : NULL, x, 1);
	} else {
		type = crm_photo_type(x);
		if (v3) {
			crm_buf_addf(&p, "ENCODING=b;TYPE=%s", type && !strcmp(
			    type, "png") ? "PNG" : type && !strcmp(type,
			    "gif") ? "GIF" : "JPEG");
			crm_vcard_line(b, "PHOTO", p.buf, x, 1);
		} else {
			crm_buf_addf(&u, "data:image/%s;base64,%s", type ?
			    type : "jpeg", x);
			crm_vcard_line(b, "PHOTO", NULL, u.buf, 1);
		}
	}
	crm_buf_release(&p);
	crm_buf_release(&u);
}

int
crm_vcard_of(crm_txn *t, const crm_rec *r, int v3, const char *store,
    struct crm_buf *b)
{
	static const char *const n[] = { "last_name", "first_name", NULL,
		NULL, NULL };
	/* a schema's region, where crm-import puts a card's */
	static const char *const adr[] = { NULL, NULL, "street", "city",
		"region", "zip", "country" };
	struct crm_buf v = CRM_BUF_INIT;
	const char *x, *name = crm_rec_value(r, "name");
	int company = !strcmp(r->type->name, "company");
	size_t i;
	crm_rec *c;

	crm_vcard_line(b, "BEGIN", NULL, "VCARD", 1);
	crm_vcard_line(b, "VERSION", NULL, v3 ? "3.0" : "4.0", 1);
	crm_vcard_uid(r, store, &v);
	crm_vcard_line(b, "UID", NULL, v.buf, 0);
	if (company && !v3)
		crm_vcard_line(b, "KIND", NULL, "org", 1);
	crm_vcard_line(b, "FN", NULL, name ? name : "", 0);
	if (company) {
		if (v3)		/* 3.0 wants an N on every card */
			crm_vcard_line(b, "N", NULL, ";;;;", 1);
		text(b, "ORG", r, "name");
	} else {
		if (crm_rec_value(r, "last_name") ||
		    crm_rec_value(r, "first_name"))
			structured(b, "N", r, n, 5);
		else
			crm_vcard_line(b, "N", NULL, ";;;;", 1);
		if ((x = crm_rec_value(r, "company")) &&
		    !crm_rec_get(t, strtoull(x, NULL, 10), &c)) {
			text(b, "ORG", c, "name");
			if (!v3)
				related(b, c, store);
			crm_rec_free(c);
		}
	}
	text(b, "TITLE", r, "title");
	text(b, "EMAIL", r, "email");
	text(b, "TEL", r, "phone");
	if (crm_rec_value(r, "street") || crm_rec_value(r, "city") ||
	    crm_rec_value(r, "region") || crm_rec_value(r, "zip") ||
	    crm_rec_value(r, "country"))
		structured(b, "ADR", r, adr, 7);
	if ((x = crm_rec_value(r, "birthday"))) {
		crm_buf_reset(&v);
		/* 4.0 has the basic form: 19800322, --0322 without a year;
		 * 3.0 the extended 1980-03-22 */
		if (!v3 && !strncmp(x, "--", 2)) {
			crm_buf_addstr(&v, "--");
			x += 2;
		}
		for (; *x; x++)
			if (v3 || *x != '-')
				crm_buf_addch(&v, *x);
		crm_vcard_line(b, "BDAY", NULL, v.buf, 1);
	}
	if ((x = crm_rec_value(r, "url")))	/* a URI: no text escapes */
		crm_vcard_line(b, "URL", NULL, x, 1);
	note(b, r, v3);
	if (crm_type_field(r->type, "tags") && crm_rec_value(r, "tags")) {
		unsigned fid = crm_type_field(r->type, "tags")->fid;

		crm_buf_reset(&v);
		for (i = 0; (x = crm_rec_nth(r, fid, i, NULL)); i++) {
			if (i)
				crm_buf_addch(&v, ',');
			crm_vcard_escape(&v, x);
		}
		crm_vcard_line(b, "CATEGORIES", NULL, v.buf, 1);
	}
	if ((x = crm_rec_value(r, "photo")))
		photo(b, x, v3);
	crm_vcard_line(b, "END", NULL, "VCARD", 1);
	crm_buf_release(&v);
	return 0;
}
