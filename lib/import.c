/* import.c - records from other programs: JSON Lines, CSV, vCard
 *
 * One write transaction for the whole input: every row is read, each bad
 * one reported with its line, and unless bad rows are to be skipped,
 * any bad row leaves the store as it was.  A row that matches a record
 * (by uid, then e-mail, then phone) updates it, so importing the same
 * file twice changes nothing.  crm-export's JSON Lines into an empty
 * store keep their ids, times and history: the store comes back whole.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cjson.h"

#include "internal.h"

/*
 * Column headings of other programs' exports: the field each goes to,
 * "+note" for the note under its heading, "+TEL" for the note as vCard's
 * TEL would be, "" for a column known to say nothing of its own (the
 * label of another, a copy of others, a program's own mark); the label
 * a value of it has in the note, when no column of its own gives one
 * ("Address 2 - Label" does for the other columns of Address 2); and a
 * value it has when it says nothing.  A # in a heading is a number.
 */
struct heading {
	const char *col, *field, *label, *none;
};

struct preset {
	const char *name;
	const struct heading *h;	/* up to a NULL col */
};

/* Google Contacts: its CSV of now, and the one it wrote until 2020 */
static const struct heading google[] = {
	{ "Name", "name", NULL, NULL },
	{ "First Name", "first_name", NULL, NULL },
	{ "Given Name", "first_name", NULL, NULL },
	{ "Middle Name", "+note", NULL, NULL },
	{ "Additional Name", "+note", NULL, NULL },
	{ "Last Name", "last_name", NULL, NULL },
	{ "Family Name", "last_name", NULL, NULL },
	{ "Phonetic First Name", "+note", NULL, NULL },
	{ "Phonetic Middle Name", "+note", NULL, NULL },
	{ "Phonetic Last Name", "+note", NULL, NULL },
	{ "Yomi Name", "+note", NULL, NULL },
	{ "Given Name Yomi", "+note", NULL, NULL },
	{ "Additional Name Yomi", "+note", NULL, NULL },
	{ "Family Name Yomi", "+note", NULL, NULL },
	{ "Name Prefix", "+note", NULL, NULL },
	{ "Name Suffix", "+note", NULL, NULL },
	{ "Initials", "+note", NULL, NULL },
	{ "Nickname", "+NICKNAME", NULL, NULL },
	{ "Short Name", "+note", NULL, NULL },
	{ "Maiden Name", "+note", NULL, NULL },
	{ "File As", "", NULL, NULL },
	{ "Organization Name", "company", NULL, NULL },
	{ "Organization Title", "title", NULL, NULL },
	{ "Organization Department", "+note", NULL, NULL },
	{ "Birthday", "birthday", NULL, NULL },
	{ "Gender", "+GENDER", NULL, NULL },
	{ "Location", "+note", NULL, NULL },
	{ "Billing Information", "+note", NULL, NULL },
	{ "Directory Server", "+note", NULL, NULL },
	{ "Mileage", "+note", NULL, NULL },
	{ "Occupation", "+note", NULL, NULL },
	{ "Hobby", "+note", NULL, NULL },
	{ "Sensitivity", "+note", NULL, NULL },
	{ "Priority", "+note", NULL, NULL },
	{ "Subject", "+note", NULL, NULL },
	{ "Notes", "note", NULL, NULL },
	{ "Language", "+note", NULL, NULL },
	{ "Photo", "", NULL, NULL },
	{ "Group Membership", "tags", NULL, NULL },
	{ "Labels", "tags", NULL, NULL },
	{ "E-mail # - Label", "", NULL, NULL },
	{ "E-mail # - Type", "", NULL, NULL },
	{ "E-mail # - Value", "email", NULL, NULL },
	{ "IM # - Label", "", NULL, NULL },
	{ "IM # - Type", "", NULL, NULL },
	{ "IM # - Service", "", NULL, NULL },
	{ "IM # - Value", "+IMPP", NULL, NULL },
	{ "Phone # - Label", "", NULL, NULL },
	{ "Phone # - Type", "", NULL, NULL },
	{ "Phone # - Value", "phone", NULL, NULL },
	{ "Address # - Label", "", NULL, NULL },
	{ "Address # - Type", "", NULL, NULL },
	{ "Address # - Formatted", "+ADR", NULL, NULL },
	{ "Address # - Street", "street", NULL, NULL },
	{ "Address # - City", "city", NULL, NULL },
	{ "Address # - PO Box", "street", NULL, NULL },
	{ "Address # - Region", "region", NULL, NULL },
	{ "Address # - Postal Code", "zip", NULL, NULL },
	{ "Address # - Country", "country", NULL, NULL },
	{ "Address # - Extended Address", "street", NULL, NULL },
	{ "Organization # - Label", "", NULL, NULL },
	{ "Organization # - Type", "", NULL, NULL },
	{ "Organization # - Name", "company", NULL, NULL },
	{ "Organization # - Yomi Name", "+note", NULL, NULL },
	{ "Organization # - Title", "title", NULL, NULL },
	{ "Organization # - Department", "+note", NULL, NULL },
	{ "Organization # - Symbol", "+note", NULL, NULL },
	{ "Organization # - Location", "+note", NULL, NULL },
	{ "Organization # - Job Description", "+note", NULL, NULL },
	{ "Website # - Label", "", NULL, NULL },
	{ "Website # - Type", "", NULL, NULL },
	{ "Website # - Value", "url", NULL, NULL },
	{ "Relation # - Label", "", NULL, NULL },
	{ "Relation # - Type", "", NULL, NULL },
	{ "Relation # - Value", "+RELATED", NULL, NULL },
	{ "Event # - Label", "", NULL, NULL },
	{ "Event # - Type", "", NULL, NULL },
	{ "Event # - Value", "+DATE", NULL, NULL },
	{ "External ID # - Label", "", NULL, NULL },
	{ "External ID # - Type", "", NULL, NULL },
	{ "External ID # - Value", "+note", NULL, NULL },
	{ "Custom Field # - Label", "", NULL, NULL },
	{ "Custom Field # - Type", "", NULL, NULL },
	{ "Custom Field # - Value", "+NOTE", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

/* Outlook's whole header: what it fills always (Priority, Private,
 * Sensitivity, Initials from the name, E-mail Type SMTP and the display
 * name of an address) says nothing */
static const struct heading outlook[] = {
	{ "Title", "+note", NULL, NULL },
	{ "First Name", "first_name", NULL, NULL },
	{ "Middle Name", "+note", NULL, NULL },
	{ "Last Name", "last_name", NULL, NULL },
	{ "Suffix", "+note", NULL, NULL },
	{ "Company", "company", NULL, NULL },
	{ "Department", "+note", NULL, NULL },
	{ "Job Title", "title", NULL, NULL },
	{ "Business Street", "street", "work", NULL },
	{ "Business Street 2", "street", "work", NULL },
	{ "Business Street 3", "street", "work", NULL },
	{ "Business City", "city", "work", NULL },
	{ "Business State", "region", "work", NULL },
	{ "Business Postal Code", "zip", "work", NULL },
	{ "Business Country/Region", "country", "work", NULL },
	{ "Home Street", "street", "home", NULL },
	{ "Home Street 2", "street", "home", NULL },
	{ "Home Street 3", "street", "home", NULL },
	{ "Home City", "city", "home", NULL },
	{ "Home State", "region", "home", NULL },
	{ "Home Postal Code", "zip", "home", NULL },
	{ "Home Country/Region", "country", "home", NULL },
	{ "Other Street", "street", "other", NULL },
	{ "Other Street 2", "street", "other", NULL },
	{ "Other Street 3", "street", "other", NULL },
	{ "Other City", "city", "other", NULL },
	{ "Other State", "region", "other", NULL },
	{ "Other Postal Code", "zip", "other", NULL },
	{ "Other Country/Region", "country", "other", NULL },
	{ "Assistant's Phone", "+TEL", "assistant", NULL },
	{ "Business Fax", "+TEL", "work, fax", NULL },
	{ "Business Phone", "phone", "work", NULL },
	{ "Business Phone 2", "phone", "work", NULL },
	{ "Callback", "+TEL", "callback", NULL },
	{ "Car Phone", "phone", "car", NULL },
	{ "Company Main Phone", "+TEL", "company", NULL },
	{ "Home Fax", "+TEL", "home, fax", NULL },
	{ "Home Phone", "phone", "home", NULL },
	{ "Home Phone 2", "phone", "home", NULL },
	{ "ISDN", "+TEL", "isdn", NULL },
	{ "Mobile Phone", "phone", "cell", NULL },
	{ "Other Fax", "+TEL", "fax", NULL },
	{ "Other Phone", "phone", "other", NULL },
	{ "Pager", "+TEL", "pager", NULL },
	{ "Primary Phone", "phone", "pref", NULL },
	{ "Radio Phone", "+TEL", "radio", NULL },
	{ "TTY/TDD Phone", "+TEL", "textphone", NULL },
	{ "Telex", "+TEL", "telex", NULL },
	{ "Account", "+note", NULL, NULL },
	{ "Anniversary", "+ANNIVERSARY", NULL, "0/0/00" },
	{ "Assistant's Name", "+RELATED", "assistant", NULL },
	{ "Billing Information", "+note", NULL, NULL },
	{ "Birthday", "birthday", NULL, NULL },
	{ "Business Address PO Box", "street", "work", NULL },
	{ "Categories", "tags", NULL, NULL },
	{ "Children", "+RELATED", "child", NULL },
	{ "Directory Server", "+note", NULL, NULL },
	{ "E-mail Address", "email", NULL, NULL },
	{ "E-mail Type", "", NULL, NULL },
	{ "E-mail Display Name", "", NULL, NULL },
	{ "E-mail 2 Address", "email", NULL, NULL },
	{ "E-mail 2 Type", "", NULL, NULL },
	{ "E-mail 2 Display Name", "", NULL, NULL },
	{ "E-mail 3 Address", "email", NULL, NULL },
	{ "E-mail 3 Type", "", NULL, NULL },
	{ "E-mail 3 Display Name", "", NULL, NULL },
	{ "Gender", "+GENDER", NULL, "Unspecified" },
	{ "Government ID Number", "+note", NULL, NULL },
	{ "Hobby", "+note", NULL, NULL },
	{ "Home Address PO Box", "street", "home", NULL },
	{ "Initials", "", NULL, NULL },
	{ "Internet Free Busy", "+note", NULL, NULL },
	{ "Keywords", "+note", NULL, NULL },
	{ "Language", "+note", NULL, NULL },
	{ "Location", "+note", NULL, NULL },
	{ "Manager's Name", "+RELATED", "manager", NULL },
	{ "Mileage", "+note", NULL, NULL },
	{ "Notes", "note", NULL, NULL },
	{ "Office Location", "+note", NULL, NULL },
	{ "Organizational ID Number", "+note", NULL, NULL },
	{ "Other Address PO Box", "street", "other", NULL },
	{ "Priority", "", NULL, NULL },
	{ "Private", "", NULL, NULL },
	{ "Profession", "+note", NULL, NULL },
	{ "Referred By", "+note", NULL, NULL },
	{ "Sensitivity", "", NULL, NULL },
	{ "Spouse", "+RELATED", "spouse", NULL },
	{ "User 1", "+note", NULL, NULL },
	{ "User 2", "+note", NULL, NULL },
	{ "User 3", "+note", NULL, NULL },
	{ "User 4", "+note", NULL, NULL },
	{ "Web Page", "url", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

/* Thunderbird's address book: its CSV (a build for Britain says County,
 * Post Code and Organisation) */
static const struct heading thunderbird[] = {
	{ "First Name", "first_name", NULL, NULL },
	{ "Last Name", "last_name", NULL, NULL },
	{ "Display Name", "name", NULL, NULL },
	{ "Nickname", "+NICKNAME", NULL, NULL },
	{ "Primary Email", "email", NULL, NULL },
	{ "Secondary Email", "email", NULL, NULL },
	{ "Screen Name", "+IMPP", NULL, NULL },
	{ "Work Phone", "phone", "work", NULL },
	{ "Home Phone", "phone", "home", NULL },
	{ "Fax Number", "+TEL", "fax", NULL },
	{ "Pager Number", "+TEL", "pager", NULL },
	{ "Mobile Number", "phone", "cell", NULL },
	{ "Home Address", "street", "home", NULL },
	{ "Home Address 2", "street", "home", NULL },
	{ "Home Address2", "street", "home", NULL },
	{ "Home City", "city", "home", NULL },
	{ "Home State", "region", "home", NULL },
	{ "Home County", "region", "home", NULL },
	{ "Home ZipCode", "zip", "home", NULL },
	{ "Home Post Code", "zip", "home", NULL },
	{ "Home Country", "country", "home", NULL },
	{ "Work Address", "street", "work", NULL },
	{ "Work Address 2", "street", "work", NULL },
	{ "Work Address2", "street", "work", NULL },
	{ "Work City", "city", "work", NULL },
	{ "Work State", "region", "work", NULL },
	{ "Work County", "region", "work", NULL },
	{ "Work ZipCode", "zip", "work", NULL },
	{ "Work Zip", "zip", "work", NULL },
	{ "Work Post Code", "zip", "work", NULL },
	{ "Work Country", "country", "work", NULL },
	{ "Job Title", "title", NULL, NULL },
	{ "Department", "+note", NULL, NULL },
	{ "Organization", "company", NULL, NULL },
	{ "Organisation", "company", NULL, NULL },
	{ "Web Page 1", "url", NULL, NULL },
	{ "Web Page 2", "url", NULL, NULL },
	{ "Birth Year", "+birth", NULL, NULL },
	{ "Birth Month", "+birth", NULL, NULL },
	{ "Birth Day", "+birth", NULL, NULL },
	{ "Custom #", "+note", NULL, NULL },
	{ "Notes", "note", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

static const struct preset presets[] = {
	{ "google", google }, { "outlook", outlook },
	{ "thunderbird", thunderbird }, { NULL, NULL }
};

int
crm_import_preset_known(const char *name)
{
	size_t i;

	for (i = 0; presets[i].name; i++)
		if (!strcmp(presets[i].name, name))
			return 1;
	return 0;
}

/* The fields matching and the readers of address books use, looked up
 * by name once for each type, not at every row */
enum { F_UID, F_EMAIL, F_PHONE, F_NAME, F_FIRST, F_LAST, F_COMPANY,
	F_TITLE, F_URL, F_NOTE, F_STREET, F_CITY, F_ZIP, F_COUNTRY,
	F_BIRTHDAY, F_TAGS, F_PHOTO, F_REGION, NFIELDS };
static const char *const fnames[NFIELDS] = { "uid", "email", "phone",
	"name", "first_name", "last_name", "company", "title", "url", "note",
	"street", "city", "zip", "country", "birthday", "tags", "photo",
	"region" };

struct imp {
	struct crm_import *im;
	crm_input *in;
	const struct crm_type *type;
	crm_rec *r;
	struct crm_buf why, note, labelled;
	/* csv */
	struct crm_csv hdr, row;
	char **target;		/* field of each column, NULL unmapped */
	const struct crm_field **tfield;	/* and its field, looked up */
	struct col {
		const struct heading *h;	/* of the preset, or NULL */
		size_t grp;	/* first column of its group: Address 2,
				 * Outlook's home address */
		size_t lab[2];	/* columns of its label (+1), 0: none */
		int part;	/* F_STREET ... of an address, else -1 */
	} *col;
	size_t ntarget;
	unsigned char *grpval;	/* an address part of the group has a
				 * value in this row */
	size_t adr;		/* the group of the row's address (+1) */
	struct crm_buf clab, piece;	/* a column's label, a value */
	unsigned char *used;	/* column had a value */
	int bad;
	size_t line;
	/* jsonl restore: the records whose references wait for the rest,
	 * and those whose figures are to be counted from their history */
	struct crm_ids restored, refigure;
	/* what this run added, by e-mail, phone, uid and company name: the
	 * index has them only once the run's entries are flushed.  A hash
	 * of the kind and the folded value, and the record: a hit is
	 * checked against the record, so memory is 16 bytes a slot, at
	 * most half of them taken; a hash of 0 marks a free one.  On huge
	 * pages where it is large: every look-up is elsewhere in it.  A
	 * new record's keys go to the slots their look-ups just read, so
	 * one line of the cache serves both. */
	struct seen {
		uint64_t hash, id;
	} *seen;
	size_t nseen, seensize;
	size_t seenwant;	/* keys the whole file will likely give */
	int fresh;		/* the store had no record: nothing to match */
	struct crm_buf key[3], key2;	/* a row's keys: uid, e-mail, phone */
	struct crm_buf pk;		/* the phone's, before it is folded */
	/* JSON Lines: the store the file is an export of (its "store"
	 * line), "" when it names none or is this store's */
	char src[33], own[33];
	/* a card of this store's export: the record its UID names (the
	 * UID in ownuid), the company its RELATED names */
	uint64_t own_rec, own_co;
	int own_merged;		/* own_rec is merged into another */
	int via_alias;		/* the row matched a merged record */
	struct crm_buf ownuid;
	struct crm_buf parts, join;	/* a card's N or ADR, taken apart */
	const struct crm_vcard *card;	/* the card being read */
	struct crm_buf lab;		/* a label's name, decoded */
	const struct crm_type *ftype;	/* the type of f */
	const struct crm_field *f[NFIELDS]; /* F_UID ... of it, or NULL */
	uint64_t hu, he, hp;	/* the row's keys' hashes, 0: no value */
	uint64_t at;		/* the record the last row went to */
	/* JSON Lines into a store that has records: the id each line of
	 * the file had and the record it went to (0: it was rejected), and
	 * the references to lines not yet read, set once all are in */
	struct crm_idmap map;
	/* the file's records that came from this store: its id, ours */
	struct crm_idpair *back;
	size_t nback, backlen;
	struct later {
		uint64_t rec, from;
		const struct crm_field *f;
		size_t line;
		int unchanged;	/* so far, its line's record */
	} *later;
	size_t nlater, laterlen;
};

/* The low bits choose the slot; 0 marks a free one. */
static uint64_t
seen_hash(const char *k, size_t n)
{
	uint64_t h = crm_hash(k, n);

	return h ? h : 1;
}

/* The kind and the folded value, the name of a key in the table. */
static void
seen_key(struct crm_buf *k, int kind, const char *v)
{
	crm_buf_reset(k);
	crm_buf_addch(k, kind);
	crm_fold(k, v, strlen(v));
}

static void note_part(struct imp *x, struct crm_buf *note,
    const struct crm_vprop *p, const char *part, const char *v);
static const char *phone_key(struct imp *x, const crm_rec *r,
    struct crm_buf *b);
static const char *key_value(struct imp *x, const crm_rec *r, int k);

/* Does record id have the value the key was made of? */
static int
seen_is(crm_txn *t, struct imp *x, int kind, const struct crm_buf *key,
    uint64_t id)
{
	struct crm_buf pk = CRM_BUF_INIT;
	const char *v = NULL;
	crm_rec *o;
	int same;

	if (crm_rec_get(t, id, &o))
		return 0;
	switch (kind) {
	case 'u': v = key_value(x, o, F_UID); break;
	case 'e': v = key_value(x, o, F_EMAIL); break;
	case 'c': v = key_value(x, o, F_NAME); break;
	case 'p': v = phone_key(x, o, &pk); break;
	}
	if (v)
		seen_key(&x->key2, kind, v);
	same = v && x->key2.len == key->len &&
	    !memcmp(x->key2.buf, key->buf, key->len);
	crm_rec_free(o);
	crm_buf_release(&pk);
	return same;
}

/* The hash of a key, 0 for no value; the key stays in key. */
static uint64_t
seen_hashof(struct crm_buf *key, int kind, const char *v)
{
	if (!v || !*v)
		return 0;
	seen_key(key, kind, v);
	return seen_hash(key->buf, key->len);
}

#define HUGE ((size_t)2 << 20)	/* a huge page */

static void
seen_prefetch(const struct imp *x, uint64_t h)
{
	if (h && x->seensize)
		__builtin_prefetch(&x->seen[h & (x->seensize - 1)], 1);
}

/* The record the run added with the value hashed, the key in key. */
static uint64_t
seen_find(crm_txn *t, struct imp *x, int kind, const struct crm_buf *key,
    uint64_t h)
{
	size_t i;

	if (!x->seensize || !h)
		return 0;
	for (i = h & (x->seensize - 1); x->seen[i].hash;
	    i = (i + 1) & (x->seensize - 1))
		if (x->seen[i].hash == h &&
		    seen_is(t, x, kind, key, x->seen[i].id))
			return x->seen[i].id;
	return 0;
}

static uint64_t
seen_get(crm_txn *t, struct imp *x, int kind, const char *v)
{
	return seen_find(t, x, kind, &x->key[0], seen_hashof(&x->key[0], kind,
	    v));
}

/* bytes of zeros, on huge pages when that many */
static void *
seen_table(size_t bytes)
{
	void *p;

	if (bytes < HUGE || posix_memalign(&p, HUGE, bytes))
		p = crm_xmalloc(bytes);
	else
		crm_mem_huge(p, bytes);
	memset(p, 0, bytes);
	return p;
}

static void
seen_slot(struct imp *x, struct seen e)
{
	size_t i, m = x->seensize - 1;

	for (i = e.hash & m; x->seen[i].hash; i = (i + 1) & m)
		;
	x->seen[i] = e;
}

static void
seen_add(struct imp *x, uint64_t h, uint64_t id)
{
	struct seen *old = x->seen, e;
	size_t i, n = x->seensize;

	if (!h)
		return;
	if (2 * (x->nseen + 1) > x->seensize) {
		/* grown once to what the file will want, not by doubling
		 * again and again, each a move of all of it */
		x->seensize = n ? 2 * n : 1024;
		while (x->seensize < 2 * x->seenwant)
			x->seensize *= 2;
		x->seen = seen_table(x->seensize * sizeof *x->seen);
		for (i = 0; i < n; i++)
			if (old[i].hash)
				seen_slot(x, old[i]);
		free(old);
	}
	e.hash = h;
	e.id = id;
	seen_slot(x, e);
	x->nseen++;
}

static void
seen_put(struct imp *x, int kind, const char *v, uint64_t id)
{
	seen_add(x, seen_hashof(&x->key[0], kind, v), id);
}

static void
seen_clear(struct imp *x)
{
	free(x->seen);
	x->seen = NULL;
	x->nseen = x->seensize = 0;
}

static void
reject(struct imp *x, int rc)
{
	const char *why = crm_errmsg() ? crm_errmsg() : crm_strerror(rc),
	    *name = crm_input_name(x->in);
	struct crm_buf b = CRM_BUF_INIT;

	x->im->rejected++;
	x->bad = 1;
	if (!x->im->reject)
		return;
	if (!name) {
		x->im->reject(x->line, why, x->im->arg);
		return;
	}
	/* of several files: which one */
	if (x->line)
		crm_buf_addf(&b, "%s: line %zu: %s", name, x->line, why);
	else
		crm_buf_addf(&b, "%s: %s", name, why);
	x->im->reject(0, b.buf, x->im->arg);
	crm_buf_release(&b);
}

/* ------------------------------------------------------------ match */

/* Two values alike, folded; or one of them missing. */
static int
same_folded(const char *a, const char *b)
{
	return !a || !b || crm_fold_eq(a, b);
}

static void lines_of(const char *s, struct crm_buf *b, char ***v,
    size_t *n);

static int
add_token(const char *tok, size_t len, void *arg)
{
	crm_buf_add(arg, tok, len);
	crm_buf_addch(arg, '\n');
	return 0;
}

/* The words of a name, folded, sorted: "Nováková Jana" as "jana
 * novakova", one a line. */
static void
words(const char *name, struct crm_buf *out)
{
	struct crm_buf t = CRM_BUF_INIT, l = CRM_BUF_INIT;
	char **v;
	size_t n, i;

	crm_buf_addstr(out, "");
	crm_tokens(name, strlen(name), add_token, &t);
	if (t.len) {
		crm_buf_setlen(&t, t.len - 1);
		lines_of(t.buf, &l, &v, &n);
		for (i = 0; i < n; i++) {
			crm_buf_addstr(out, v[i]);
			crm_buf_addch(out, ' ');
		}
		free(v);
	}
	crm_buf_release(&t);
	crm_buf_release(&l);
}

/* A phone is shared by a household or a switchboard: it matches only
 * a record of the same name, in any order of its words (or of none). */
static int
same_name(const crm_rec *a, const crm_rec *b)
{
	const char *x = crm_rec_value(a, "name"), *y = crm_rec_value(b,
	    "name");
	struct crm_buf wx = CRM_BUF_INIT, wy = CRM_BUF_INIT;
	int same;

	if (!x || !y)
		return 1;
	words(x, &wx);
	words(y, &wy);
	same = !strcmp(wx.buf, wy.buf);
	crm_buf_release(&wx);
	crm_buf_release(&wy);
	return same;
}

static int
by_index(crm_txn *t, const crm_rec *r, const char *field, uint64_t *id,
    int (*find)(crm_txn *, const char *, struct crm_ids *))
{
	struct crm_ids ids = { 0 };
	const char *v = crm_rec_value(r, field);
	size_t i;
	int rc;

	if (!v)
		return CRM_ENOTFOUND;
	rc = find(t, v, &ids);
	for (i = 0; !rc && i < ids.n; i++) {
		crm_rec *o;

		if (crm_rec_get(t, ids.v[i], &o))
			continue;
		if (!strcmp(crm_rec_type(o), crm_rec_type(r)) &&
		    (strcmp(field, "phone") || same_name(o, r))) {
			*id = ids.v[i];
			crm_rec_free(o);
			crm_ids_release(&ids);
			return 0;
		}
		crm_rec_free(o);
	}
	crm_ids_release(&ids);
	return rc && rc != CRM_ENOTFOUND ? rc : CRM_ENOTFOUND;
}

static int
find_uid(crm_txn *t, const char *uid, struct crm_ids *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	const struct crm_field *f = NULL;
	const crm_schema *s = crm_txn_schema(t);
	size_t i;
	int rc;

	for (i = 0; i < s->ntypes && !f; i++)
		f = crm_type_field(&s->types[i], "uid");
	if (!f)
		return CRM_ENOTFOUND;
	crm_index_key(&k, f->fid, uid, strlen(uid));
	rc = crm_index_scan(t, &k, 0, out);
	crm_buf_release(&k);
	return rc;
}

/* The fields F_UID ... of type t, NULL for those it has not. */
static const struct crm_field *const *
fields(struct imp *x, const struct crm_type *t)
{
	size_t i;

	if (x->ftype != t) {
		x->ftype = t;
		for (i = 0; i < NFIELDS; i++)
			x->f[i] = crm_type_field(t, fnames[i]);
	}
	return x->f;
}

static const char *
fval(const crm_rec *r, const struct crm_field *f)
{
	return f ? crm_rec_nth(r, f->fid, 0, NULL) : NULL;
}

/* The value of field k (F_UID ...) of r. */
static const char *
key_value(struct imp *x, const crm_rec *r, int k)
{
	return fval(r, fields(x, r->type)[k]);
}

/* v into a field of r that has no value yet, if r's type has it. */
static int
set_text(crm_rec *r, const struct crm_field *f, const char *v)
{
	if (!f || fval(r, f) || !*v)
		return 0;
	return crm_rec_setf(r, f, v, strlen(v), CRM_SET);
}

/* A record without a name: one from its parts, as address books split
 * it, else its e-mail. */
static int
name_from_parts(struct imp *x, crm_rec *r)
{
	const struct crm_field *const *f = fields(x, r->type);
	const char *first = fval(r, f[F_FIRST]), *last = fval(r, f[F_LAST]);
	struct crm_buf n = CRM_BUF_INIT;
	int rc = 0;

	if (!f[F_NAME] || fval(r, f[F_NAME]))
		return 0;
	crm_buf_addf(&n, "%s%s%s", first ? first : "", first && last ?
	    " " : "", last ? last : "");
	if (!n.len && fval(r, f[F_EMAIL]))
		crm_buf_addstr(&n, fval(r, f[F_EMAIL]));
	if (n.len)
		rc = crm_rec_setf(r, f[F_NAME], n.buf, n.len, CRM_SET);
	crm_buf_release(&n);
	return rc;
}

/* note after what r's note says already, if r's type has a note. */
static int
add_note(struct imp *x, crm_rec *r, const struct crm_buf *note)
{
	const struct crm_field *f = fields(x, r->type)[F_NOTE];
	const char *was = fval(r, f);
	struct crm_buf n = CRM_BUF_INIT;
	int rc;

	if (!f || !note->len)
		return 0;
	if (!was)
		return crm_rec_setf(r, f, note->buf, note->len, CRM_SET);
	crm_buf_addf(&n, "%s\n%s", was, note->buf);
	rc = crm_rec_setf(r, f, n.buf, n.len, CRM_SET);
	crm_buf_release(&n);
	return rc;
}

/* A phone and a name: what a phone matches on. */
static const char *
phone_key(struct imp *x, const crm_rec *r, struct crm_buf *b)
{
	const char *p = key_value(x, r, F_PHONE), *n = key_value(x, r,
	    F_NAME);

	crm_buf_reset(b);
	if (!p)
		return NULL;
	crm_buf_addstr(b, p);
	crm_buf_addch(b, ' ');
	if (n)
		crm_buf_addstr(b, n);
	return b->buf;
}

/* The record a card of a merged record went into, by the uid or e-mail
 * it had (crm_alias_keys_add); x->via_alias says so. */
static int
by_alias(crm_txn *t, struct imp *x, const crm_rec *r, uint64_t *id)
{
	static const int keys[] = { F_UID, F_EMAIL };
	const char *v;
	uint64_t alias;
	crm_rec *o;
	size_t i;
	int rc;

	for (i = 0; i < 2; i++) {
		if (!(v = key_value(x, r, keys[i])))
			continue;
		rc = crm_alias_find(t, fnames[keys[i]], v, &alias);
		if (!rc)
			rc = crm_rec_get(t, alias, &o);
		if (rc == CRM_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		*id = crm_rec_id(o);
		x->via_alias = !strcmp(crm_rec_type(o), crm_rec_type(r));
		crm_rec_free(o);
		if (x->via_alias)
			return 0;
	}
	return CRM_ENOTFOUND;
}

/* The record r is another copy of, if any; the hashes of its uid,
 * e-mail and phone stay in x for seen_add. */
static int
match(crm_txn *t, struct imp *x, const crm_rec *r, uint64_t *id)
{
	int rc;

	x->via_alias = x->own_merged;
	if ((*id = x->own_rec))
		return 0;
	/* the three slots asked for at once: each is a miss of the cache
	 * in a table of millions, and they are waited for together */
	x->hu = seen_hashof(&x->key[0], 'u', key_value(x, r, F_UID));
	x->he = seen_hashof(&x->key[1], 'e', key_value(x, r, F_EMAIL));
	x->hp = seen_hashof(&x->key[2], 'p', phone_key(x, r, &x->pk));
	seen_prefetch(x, x->hu);
	seen_prefetch(x, x->he);
	seen_prefetch(x, x->hp);
	if ((*id = seen_find(t, x, 'u', &x->key[0], x->hu)) ||
	    (*id = seen_find(t, x, 'e', &x->key[1], x->he)) ||
	    (*id = seen_find(t, x, 'p', &x->key[2], x->hp)))
		return 0;
	if (x->fresh)
		return CRM_ENOTFOUND;	/* nothing in the store before */
	if ((rc = by_index(t, r, "uid", id, find_uid)) != CRM_ENOTFOUND ||
	    (rc = by_index(t, r, "email", id, crm_find_email)) !=
	    CRM_ENOTFOUND || (rc = by_alias(t, x, r, id)) != CRM_ENOTFOUND)
		return rc;
	return by_index(t, r, "phone", id, crm_find_phone);
}

/* Merge r into old; did that change anything?  A row of a record merged
 * into old only fills in what old has not: old's values were chosen
 * over it, and its import again must change nothing. */
static int
merged_same(crm_txn *t, crm_rec *old, const crm_rec *r, int fill)
{
	crm_rec *was;
	int same;

	if (crm_rec_get(t, crm_rec_id(old), &was))
		return 0;
	if (fill)
		crm_rec_fill(old, r);
	else
		crm_rec_merge(old, r);
	same = crm_rec_equal(was, old);
	crm_rec_free(was);
	return same;
}

/* Update old (freed) with what r gives, or with what old lacks (fill:
 * r is of a record merged into old); *at is its id. */
static int
update(crm_txn *t, struct imp *x, crm_rec *old, const crm_rec *r,
    uint64_t *at, int fill)
{
	int rc = 0;

	*at = crm_rec_id(old);
	if (merged_same(t, old, r, fill)) {
		x->im->unchanged++;
	} else if (!(rc = crm_rec_put(t, old))) {
		x->im->updated++;
		if (x->im->report)
			x->im->report("update", *at, x->line, x->im->arg);
	}
	crm_rec_free(old);
	return rc;
}

/* The lines of s, sorted, into one buffer of them and a list. */
static void
lines_of(const char *s, struct crm_buf *b, char ***v, size_t *n)
{
	size_t i, k = 1;

	crm_buf_addstr(b, s);
	for (i = 0; i < b->len; i++)
		k += b->buf[i] == '\n';
	*v = crm_xmalloc(k * sizeof **v);
	(*v)[0] = b->buf;
	for (*n = 1, i = 0; i < b->len; i++)
		if (b->buf[i] == '\n') {
			b->buf[i] = 0;
			(*v)[(*n)++] = b->buf + i + 1;
		}
	qsort(*v, *n, sizeof **v, crm_strpcmp);
}

/*
 * A card of this store's export brings back its record's note with the
 * lines that went out as properties after the others.  The same lines
 * in another order are the same note: old's order is kept.
 */
static int
same_note(const crm_rec *old, crm_rec *r)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	const char *was = crm_rec_value(old, "note"),
	    *now = crm_rec_value(r, "note");
	char **va = NULL, **vb = NULL;
	size_t na = 0, nb = 0, i;
	int rc = 0;

	if (was && now && strcmp(was, now)) {
		lines_of(was, &a, &va, &na);
		lines_of(now, &b, &vb, &nb);
		for (i = 0; na == nb && i < na && !strcmp(va[i], vb[i]); i++)
			;
		rc = na == nb && i == na ? crm_rec_set(r, "note", was,
		    strlen(was), CRM_SET) : 0;
		free(va);
		free(vb);
		crm_buf_release(&a);
		crm_buf_release(&b);
	}
	return rc;
}

/* Add r, or update the record it matches. */
static int
put(crm_txn *t, struct imp *x, crm_rec *r, uint64_t *at)
{
	crm_rec *old;
	uint64_t id;
	int rc = match(t, x, r, &id);

	if (rc == CRM_ENOTFOUND) {
		if (!(rc = crm_rec_put(t, r))) {
			*at = crm_rec_id(r);
			seen_add(x, x->hu, crm_rec_id(r));
			seen_add(x, x->he, crm_rec_id(r));
			seen_add(x, x->hp, crm_rec_id(r));
			if (!strcmp(crm_rec_type(r), "company"))
				seen_put(x, 'c', crm_rec_value(r, "name"),
				    crm_rec_id(r));
			x->im->added++;
			if (x->im->report)
				x->im->report("add", crm_rec_id(r), x->line,
				    x->im->arg);
		}
		return rc;
	}
	if (rc || (rc = crm_rec_get(t, id, &old)))
		return rc;
	if (x->im->from == CRM_FROM_VCARD && (rc = same_note(old, r))) {
		crm_rec_free(old);
		return rc;
	}
	return update(t, x, old, r, at, x->via_alias);
}

/* ---------------------------------------------------- JSON Lines */

/* An alias line's "uid" and "email": the merged record's keys, arrays of
 * strings, checked; kept in a restore. */
static int
alias_keys(crm_txn *t, struct imp *x, const cJSON *j, uint64_t id)
{
	static const char *const keys[] = { "uid", "email" };
	const cJSON *a, *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && !rc; i++) {
		if (!(a = cJSON_GetObjectItem(j, keys[i])))
			continue;
		if (!cJSON_IsArray(a))
			return crm_seterr(CRM_EINVAL, "%s: a list of the "
			    "merged record's values", keys[i]);
		for (v = a->child; v && !rc; v = v->next) {
			if (!cJSON_IsString(v) || !*v->valuestring)
				return crm_seterr(CRM_EINVAL, "%s: a list of "
				    "the merged record's values", keys[i]);
			if (x->im->restore)
				rc = crm_alias_keys_add(t, id, keys[i],
				    v->valuestring, strlen(v->valuestring));
		}
	}
	return rc;
}

/* The same title, the first text the type requires (a name, a task's
 * text), or none to tell them apart by. */
static int
same_title(const crm_rec *a, const crm_rec *b)
{
	const struct crm_type *ty = a->type;
	size_t i;

	for (i = 0; i < ty->nfields; i++)
		if (ty->fields[i].type == FT_TEXT &&
		    (ty->fields[i].flags & FF_REQUIRED))
			return same_folded(crm_rec_value(a,
			    ty->fields[i].name), crm_rec_value(b,
			    ty->fields[i].name));
	return 1;
}

/*
 * r into the record was, when that is there and the same record: of r's
 * type and, with created, created then and of the same title (a line of
 * an export of this store, or of one that names none: two stores can
 * make a record of one id in one second); else r matched as any row is.
 */
static int
put_into(crm_txn *t, struct imp *x, crm_rec *r, uint64_t was,
    const int64_t *created, uint64_t *at)
{
	crm_rec *old;
	int rc;

	if (!was || (rc = crm_rec_get(t, was, &old)) == CRM_ENOTFOUND)
		return put(t, x, r, at);
	if (rc)
		return rc;
	if (strcmp(crm_rec_type(old), crm_rec_type(r)) || (created &&
	    (crm_rec_created(old) != *created || !same_title(old, r)))) {
		crm_rec_free(old);
		return put(t, x, r, at);
	}
	return update(t, x, old, r, at, 0);
}

/* The meta key of where line id of store's export went. */
static void
from_key(char key[64], const char *store, uint64_t id)
{
	snprintf(key, 64, "from:%s:%llu", store, (unsigned long long)id);
}

/*
 * A line of another store's export: a copy there of our record ours
 * updates that record, while it is here; else the record an earlier
 * import of the line went to is the one it updates (put_into).  Where
 * it went is kept (meta "from:STORE:ID"), for the next import of that
 * store's export: so lines without a uid, an e-mail or a phone find
 * theirs too.
 */
static int
put_from(crm_txn *t, struct imp *x, crm_rec *r, uint64_t id, uint64_t ours,
    uint64_t *at)
{
	struct crm_buf v = CRM_BUF_INIT;
	char key[64];
	crm_rec *old;
	uint64_t was = 0;
	int rc = 0;

	from_key(key, x->src, id);
	if (ours && !(rc = crm_rec_get(t, ours, &old))) {
		crm_rec_free(old);
		was = ours;
	} else if (!rc || rc == CRM_ENOTFOUND) {
		if (!(rc = crm_meta_get(t, key, &v)))
			was = strtoull(v.buf, NULL, 10);
	}
	if ((!rc || rc == CRM_ENOTFOUND) &&
	    !(rc = put_into(t, x, r, was, NULL, at)) && *at && *at != was) {
		crm_buf_reset(&v);
		crm_buf_addf(&v, "%llu", (unsigned long long)*at);
		rc = crm_meta_put(t, key, v.buf, v.len);
	}
	crm_buf_release(&v);
	return rc;
}

static const char *const kept[] = { "last_contact", "interactions",
	"turnover", "next_due", "closed", NULL };

/* A whole number from 1 to 2^40 - 1 (what the index holds of an id;
 * a double holds them exactly), or 0. */
static uint64_t
json_id(const cJSON *f)
{
	double d;

	if (!cJSON_IsNumber(f))
		return 0;
	d = f->valuedouble;
	if (!(d >= 1 && d < 1099511627776.0) ||
	    (double)(uint64_t)d != d)
		return 0;
	return (uint64_t)d;
}

/* Has the record an entry like l already (same time, kind, text,
 * amount and campaign)?  Then a second import of it adds nothing. */
struct like {
	const struct crm_log *l;
};

#define LIKE_FOUND 1		/* like_one's "no need to look further" */

static int
same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int
like_one(const struct crm_log *e, void *arg)
{
	struct like *k = arg;
	const struct crm_log *l = k->l;
	int64_t x = 0, y = 0;

	if (e->at != l->at || !same_str(e->kind, l->kind) ||
	    !same_str(e->text, l->text) || !same_str(e->campaign, l->campaign))
		return 0;
	if ((e->amount && crm_money_parse(e->amount, &x)) ||
	    (l->amount && crm_money_parse(l->amount, &y)) ||
	    !e->amount != !l->amount || x != y)
		return 0;
	return LIKE_FOUND;
}

/*
 * The history of a record of an export: restored as it was (its ids)
 * into the empty store the export is restored to; else each entry the
 * record does not have yet is logged anew.
 */
static int
history(crm_txn *t, uint64_t rec, const cJSON *h, int restore)
{
	const char *const *own = crm_log_keys;
	struct crm_buf amount = CRM_BUF_INIT, extra = CRM_BUF_INIT;
	const cJSON *e, *f;
	size_t i;
	int rc = 0;

	cJSON_ArrayForEach(e, h) {
		const cJSON *when;
		struct crm_log l;
		const char *xs[16];
		size_t nx = 0;
		char *s;

		memset(&l, 0, sizeof l);
		l.rec = rec;
		l.id = json_id(cJSON_GetObjectItem(e, "id"));
		if ((restore && !l.id) ||
		    !cJSON_IsString(when = cJSON_GetObjectItem(e, "at")) ||
		    crm_datetime_parse(when->valuestring, &l.at)) {
			rc = crm_seterr(CRM_EINVAL, "history: an entry "
			    "needs %s time (at)", restore ? "its id and its" :
			    "its");
			break;
		}
#define STR(k) (cJSON_IsString(f = cJSON_GetObjectItem(e, k)) ? \
	f->valuestring : NULL)
		l.kind = STR("kind");
		l.text = STR("text");
		l.owner = STR("owner");
		l.campaign = STR("campaign");
		l.dir = STR("dir");
#undef STR
		if (!l.kind) {
			rc = crm_seterr(CRM_EINVAL, "history: an entry at %s "
			    "has no kind", when->valuestring);
			break;
		}
		if ((f = cJSON_GetObjectItem(e, "amount"))) {
			/* a string too: an export of a store whose
			 * entries took amount= as a free field */
			crm_buf_reset(&amount);
			s = cJSON_IsString(f) ? NULL :
			    cJSON_PrintUnformatted(f);
			crm_buf_addstr(&amount, s ? s : f->valuestring);
			free(s);
			l.amount = amount.buf;
		}
		/* the free key=value fields, in their order */
		crm_buf_reset(&extra);
		for (f = e->child; f && nx < 16; f = f->next) {
			for (i = 0; own[i] && strcmp(own[i], f->string); i++)
				;
			if (own[i] || !cJSON_IsString(f))
				continue;
			crm_buf_addf(&extra, "%s=%s%c", f->string,
			    f->valuestring, 0);
		}
		for (s = extra.buf; s < extra.buf + extra.len && nx < 16;
		    s += strlen(s) + 1)
			xs[nx++] = s;
		l.extra = xs;
		l.nextra = nx;
		if (restore) {
			rc = crm_log_restore(t, &l);
		} else {
			struct like k = { &l };

			l.id = 0;
			rc = crm_log_own(t, rec, like_one, &k);
			if (rc == LIKE_FOUND)
				rc = 0;
			else if (!rc)
				rc = crm_log_add(t, &l);
		}
		if (rc)
			break;
	}
	crm_buf_release(&amount);
	crm_buf_release(&extra);
	return rc;
}

/* A store's name: 32 hexadecimal digits. */
static int
store_name(const cJSON *j)
{
	const char *s = cJSON_IsString(j) ? j->valuestring : "";

	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/*
 * The store an export is of, and where the lines of other stores'
 * exports it had imported went: what a restore (into an empty store)
 * takes over, so that the restored store is that store; into a store
 * with records, the store is the file's (file_ids) and the rest is the
 * other store's own.
 */
static int
store_line(crm_txn *t, struct imp *x, const cJSON *j)
{
	const cJSON *s = cJSON_GetObjectItem(j, "store");
	const cJSON *from = cJSON_GetObjectItem(j, "import");
	uint64_t id = 0, to;
	char key[64], val[24];
	int rc;

	if (s) {
		if (!store_name(s))
			return crm_seterr(CRM_EINVAL, "store: not a store's "
			    "name");
		if ((from = cJSON_GetObjectItem(j, "next")) &&
		    !(id = json_id(from)))
			return crm_seterr(CRM_EINVAL, "next: not a record's "
			    "id");
		if (!x->im->restore)
			return 0;
		if (id > t->next_id)
			t->next_id = id;
		return crm_meta_put(t, "uuid", s->valuestring, 32);
	}
	if ((s = cJSON_GetObjectItem(j, "alias"))) {
		/* a merged record's id, which answers as the one it went
		 * into: kept as it was in a restore */
		id = json_id(s);
		to = json_id(cJSON_GetObjectItem(j, "record"));
		if (!id || !to || id == to)
			return crm_seterr(CRM_EINVAL, "alias: an id and the "
			    "record it is now");
		if ((rc = alias_keys(t, x, j, id)) || !x->im->restore)
			return rc;
		snprintf(key, sizeof key, "alias:%llu", (unsigned long long)id);
		snprintf(val, sizeof val, "%llu", (unsigned long long)to);
		if (id >= t->next_id)
			t->next_id = id + 1;
		return crm_meta_put(t, key, val, strlen(val));
	}
	s = cJSON_GetObjectItem(from, "store");
	id = json_id(cJSON_GetObjectItem(from, "id"));
	to = json_id(cJSON_GetObjectItem(j, "record"));
	if (!store_name(s) || !id || !to)
		return crm_seterr(CRM_EINVAL, "import: a store, an id and a "
		    "record");
	if (!x->im->restore)
		return 0;
	from_key(key, s->valuestring, id);
	snprintf(val, sizeof val, "%llu", (unsigned long long)to);
	return crm_meta_put(t, key, val, strlen(val));
}

static const char *const forgotten[] = { "forgotten_key", "forgotten" };

/* An opt-out, a saved segment or what keeps the forgotten out, of an
 * export. */
static int
meta_line(crm_txn *t, const cJSON *j)
{
	const cJSON *a = cJSON_GetObjectItem(j, "optout");
	const cJSON *w = cJSON_GetObjectItem(j, "why");
	const cJSON *at = cJSON_GetObjectItem(j, "at");
	const cJSON *f;
	int64_t when = t->now;
	size_t i;

	for (i = 0; i < 2; i++)
		if ((f = cJSON_GetObjectItem(j, forgotten[i])))
			return cJSON_IsString(f) ? crm_forgotten_restore(t,
			    forgotten[i], f->valuestring) : crm_seterr(
			    CRM_EINVAL, "%s: not a string", forgotten[i]);

	if (a) {
		if (!cJSON_IsString(a))
			return crm_seterr(CRM_EINVAL, "optout: an address");
		if (cJSON_IsString(at) && crm_datetime_parse(at->valuestring,
		    &when))
			return crm_seterr(CRM_EINVAL, "at: '%s' is not a time",
			    at->valuestring);
		return crm_optout_restore(t, a->valuestring, cJSON_IsString(w) ?
		    w->valuestring : "opted out", when);
	}
	a = cJSON_GetObjectItem(j, "segment");
	w = cJSON_GetObjectItem(j, "query");
	if (!cJSON_IsString(a) || !cJSON_IsString(w))
		return crm_seterr(CRM_EINVAL, "segment: a name and a query");
	return crm_segment_save(t, a->valuestring, w->valuestring);
}

static void
map_clear(struct imp *x)
{
	crm_idmap_release(&x->map);
	x->nlater = 0;
	free(x->back);
	x->back = NULL;
	x->nback = x->backlen = 0;
}

static int
cmp_from(const void *a, const void *b)
{
	uint64_t x = ((const struct crm_idpair *)a)->from;
	uint64_t y = ((const struct crm_idpair *)b)->from;

	return (x > y) - (x < y);
}

/* The record of ours that the file's record id is a copy of, or 0. */
static uint64_t
back_get(const struct imp *x, uint64_t id)
{
	struct crm_idpair k = { id, 0 }, *e = x->nback ? bsearch(&k, x->back,
	    x->nback, sizeof k, cmp_from) : NULL;

	return e ? e->to : 0;
}

/* An "import" line of the file: where a line of an export of ours went
 * in the store the file is of. */
static void
back_put(struct imp *x, const cJSON *j)
{
	const cJSON *f = cJSON_GetObjectItem(j, "import");
	const cJSON *s = cJSON_GetObjectItem(f, "store");
	uint64_t ours = json_id(cJSON_GetObjectItem(f, "id"));
	uint64_t theirs = json_id(cJSON_GetObjectItem(j, "record"));

	if (!ours || !theirs || !cJSON_IsString(s) ||
	    strcmp(s->valuestring, x->own))
		return;
	if (x->nback == x->backlen) {
		x->backlen = x->backlen ? 2 * x->backlen : 64;
		x->back = crm_xrealloc(x->back, x->backlen * sizeof *x->back);
	}
	x->back[x->nback++] = (struct crm_idpair){ theirs, ours };
}

/* A reference's id, as a number or digits; else 0. */
static uint64_t
ref_id(const cJSON *v)
{
	const char *s;

	if (!cJSON_IsString(v))
		return json_id(v);
	s = v->valuestring;
	return *s && *s != '0' && strspn(s, "0123456789") == strlen(s) &&
	    strlen(s) < 14 ? strtoull(s, NULL, 10) : 0;
}

#define LATER UINT64_MAX	/* an id of a line of the file not yet read */

/* The ids the lines of the file have, before any is read for good: a
 * reference to one of them is to the record its line goes to. */
static int
file_ids(struct imp *x)
{
	char *line;
	size_t len;
	uint64_t id;
	cJSON *j, *f;
	int rc;

	while (!(rc = crm_input_line(x->in, &line, &len))) {
		if (!(j = cJSON_ParseWithLength(line, len)))
			continue;	/* rejected when it is read */
		if ((id = json_id(cJSON_GetObjectItem(j, "id"))))
			crm_idmap_put(&x->map, id, LATER);
		else if (store_name(f = cJSON_GetObjectItem(j, "store")))
			memcpy(x->src, f->valuestring, 33);
		else if (x->own[0])
			back_put(x, j);
		cJSON_Delete(j);
	}
	if (!strcmp(x->src, x->own))
		x->src[0] = 0;	/* this store's: its ids are ours */
	if (x->nback)
		qsort(x->back, x->nback, sizeof *x->back, cmp_from);
	if (rc == CRM_ENOTFOUND)
		return crm_input_rewind(x->in);
	return rc == CRM_ESTORE ? rc : crm_errprefix(rc, "line %zu: ",
	    crm_input_lineno(x->in));
}

/*
 * A line's references, into a store that has records: one to a line of
 * the file goes to the record that line went to; to a line that comes
 * later, it waits in x->later (taken out of the line; n of them this
 * line's) and is set once all are in (refs_later).  Others are ids of
 * the store.
 */
static int
refs(struct imp *x, const crm_rec *r, cJSON *j, size_t *n)
{
	const struct crm_type *ty = r->type;
	struct moved {
		const struct crm_field *f;
		uint64_t to;
	} *mv = NULL;
	const struct crm_idpair *e;
	uint64_t from;
	size_t nmv = 0, i;
	cJSON *f;
	int rc = 0;

	*n = 0;
	cJSON_ArrayForEach(f, j) {
		const struct crm_field *fd = f->string ? crm_type_field(ty,
		    f->string) : NULL;

		if (!fd || fd->type != FT_REF || !(from = ref_id(f)) ||
		    !(e = crm_idmap_get(&x->map, from)))
			continue;
		if (!e->to) {
			rc = crm_seterr(CRM_EINVAL, "field '%s': record %llu "
			    "of this file was rejected", fd->name,
			    (unsigned long long)from);
			break;
		}
		if (e->to == LATER && (fd->flags & FF_REQUIRED)) {
			rc = crm_seterr(CRM_EINVAL, "field '%s': record %llu "
			    "comes later in this file, and the field is "
			    "required", fd->name, (unsigned long long)from);
			break;
		}
		if (e->to == LATER) {
			if (x->nlater == x->laterlen) {
				x->laterlen = x->laterlen ? 2 * x->laterlen :
				    64;
				x->later = crm_xrealloc(x->later, x->laterlen *
				    sizeof *x->later);
			}
			x->later[x->nlater++] = (struct later){ 0, from, fd,
			    x->line, 0 };
			++*n;
		}
		/* a line's items are few: grown one at a time */
		mv = crm_xrealloc(mv, (nmv + 1) * sizeof *mv);
		mv[nmv++] = (struct moved){ fd, e->to };
	}
	/* the key by the field's name: the item's own goes with it */
	for (i = 0; i < nmv && !rc; i++) {
		cJSON_DeleteItemFromObject(j, mv[i].f->name);
		if (mv[i].to != LATER)
			cJSON_AddNumberToObject(j, mv[i].f->name,
			    (double)mv[i].to);
	}
	free(mv);
	return rc;
}

/* A line's record, counted unchanged, changed by a reference set late. */
static void
updated_now(struct imp *x, struct later *l)
{
	struct later *e = x->later + x->nlater;
	size_t line = l->line;

	x->im->unchanged--;
	x->im->updated++;
	if (x->im->report)
		x->im->report("update", l->rec, l->line, x->im->arg);
	for (; l < e && l->line == line; l++)
		l->unchanged = 0;
}

/* The references to lines that came later, now that all are in; one
 * to a line that was rejected fails the import, --skip-bad or not, as
 * the line that has it is in already. */
static int
refs_later(crm_txn *t, struct imp *x)
{
	const struct crm_idpair *e;
	crm_rec *r = NULL;
	char b[24];
	size_t i;
	int rc = 0;

	for (i = 0; i < x->nlater && !rc; i++) {
		struct later *l = &x->later[i];
		const char *v;

		if (!l->rec)
			continue;	/* its own line was rejected */
		e = crm_idmap_get(&x->map, l->from);
		if (!e || !e->to || e->to == LATER) {
			rc = crm_seterr(CRM_EINVAL, "field '%s': record %llu "
			    "of this file was rejected", l->f->name,
			    (unsigned long long)l->from);
		} else if (!(rc = crm_rec_get(t, l->rec, &r))) {
			b[crm_i64toa(b, (int64_t)e->to, 0)] = '\0';
			v = crm_rec_value(r, l->f->name);
			if ((!v || strcmp(v, b)) && !(rc = crm_rec_setf(r,
			    l->f, b, strlen(b), CRM_SET)) &&
			    !(rc = crm_rec_put(t, r)) && l->unchanged)
				updated_now(x, l);
			crm_rec_free(r);
		}
		if (rc && rc != CRM_ESTORE)
			crm_errprefix(rc, "line %zu: ", l->line);
	}
	return rc;
}

/* One line of crm-export: restored (ids kept) or matched. */
static int
jsonl(crm_txn *t, struct imp *x, const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len), *f, *h = NULL, *st;
	crm_rec *r = NULL;
	uint64_t id = 0;
	int64_t created = 0;
	char *rest = NULL;
	size_t i, nlater = 0;
	int rc, figures = 0;

	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return crm_seterr(CRM_EINVAL, "not a JSON object");
	}
	/* a C string ends at it: what follows would be lost */
	if (crm_json_nul(line, len)) {
		cJSON_Delete(j);
		return crm_seterr(CRM_EINVAL, "a NUL character (\\u0000) "
		    "in a JSON string");
	}
	if (cJSON_GetObjectItem(j, "optout") ||
	    cJSON_GetObjectItem(j, "segment") ||
	    cJSON_GetObjectItem(j, forgotten[0]) ||
	    cJSON_GetObjectItem(j, forgotten[1])) {
		rc = meta_line(t, j);
		cJSON_Delete(j);
		return rc;
	}
	if (cJSON_GetObjectItem(j, "store") ||
	    cJSON_GetObjectItem(j, "import") ||
	    cJSON_GetObjectItem(j, "alias")) {
		rc = store_line(t, x, j);
		cJSON_Delete(j);
		return rc;
	}
	f = cJSON_GetObjectItem(j, "type");
	if ((rc = crm_rec_new(t, cJSON_IsString(f) ? f->valuestring :
	    x->im->type ? x->im->type : "person", &r)))
		goto out;
	cJSON_DeleteItemFromObject(j, "type");
	if ((f = cJSON_GetObjectItem(j, "id")) && !(id = json_id(f))) {
		rc = crm_seterr(CRM_EINVAL, "id: not a record's id");
		goto out;
	}
	cJSON_DeleteItemFromObject(j, "id");
	if (cJSON_IsString(f = cJSON_GetObjectItem(j, "created")) &&
	    crm_datetime_parse(f->valuestring, &created)) {
		rc = crm_seterr(CRM_EINVAL, "created: '%s' is not a time",
		    f->valuestring);
		goto out;
	}
	cJSON_DeleteItemFromObject(j, "created");
	h = cJSON_DetachItemFromObject(j, "history");
	st = cJSON_DetachItemFromObject(j, "stages");
	/* counted from the deals, as crm-segment -j prints it: not kept */
	cJSON_DeleteItemFromObject(j, "open_deals");
	/* what crm keeps, kept as the export says when restoring */
	for (i = 0; kept[i] && !rc; i++) {
		f = cJSON_GetObjectItem(j, kept[i]);
		figures |= f != NULL;
		if (f && x->im->restore && id) {
			char *v = cJSON_IsString(f) ? NULL :
			    cJSON_PrintUnformatted(f);

			if (!(cJSON_IsNumber(f) && f->valuedouble == 0 &&
			    !strcmp(kept[i], "interactions")))
				rc = crm_rec_set_derived(r, kept[i], v ? v :
				    f->valuestring);
			free(v);
		}
		cJSON_DeleteItemFromObject(j, kept[i]);
	}
	cJSON_ArrayForEach(f, st) {
		cJSON *s = cJSON_GetObjectItem(f, "stage");
		cJSON *a = cJSON_GetObjectItem(f, "at");
		struct crm_buf b = CRM_BUF_INIT;

		if (rc || !x->im->restore || !id)
			break;
		if (!cJSON_IsString(s) || !cJSON_IsString(a)) {
			rc = crm_seterr(CRM_EINVAL, "stages: each needs a "
			    "stage and a time (at)");
			break;
		}
		crm_buf_addf(&b, "%s %s", a->valuestring, s->valuestring);
		rc = crm_rec_set_derived(r, "stages", b.buf);
		crm_buf_release(&b);
	}
	cJSON_Delete(st);
	if (!rc && x->map.n && !(x->im->restore && id))
		rc = refs(x, r, j, &nlater);
	rest = cJSON_PrintUnformatted(j);
	if (rc || (rc = crm_rec_set_json(r, rest, strlen(rest))))
		goto out;
	if (x->im->restore && id) {
		crm_rec_set_id(r, id, created ? created : t->now);
		if (!(rc = crm_rec_restore(t, r)) &&
		    !(rc = history(t, id, h, 1))) {
			crm_ids_add(&x->restored, id);
			/* a line not of crm-export, without them */
			if (!figures && cJSON_GetArraySize(h))
				crm_ids_add(&x->refigure, id);
			x->im->added++;
			if (x->im->report)
				x->im->report("add", id, x->line, x->im->arg);
		}
	} else {
		size_t same = x->im->unchanged;
		uint64_t at = 0;

		/* a line of another store; of this one, or of none we know */
		rc = x->src[0] && id ? put_from(t, x, r, id, back_get(x, id),
		    &at) : put_into(t, x, r, id, &created, &at);
		if (!rc && at && h)
			rc = history(t, at, h, 0);
		if (!rc && id && x->map.n)
			crm_idmap_put(&x->map, id, at);
		for (i = x->nlater - nlater; !rc && i < x->nlater; i++) {
			x->later[i].rec = at;
			x->later[i].unchanged = x->im->unchanged > same;
		}
	}
out:
	/* what points at it is rejected */
	if (rc && id && x->map.n)
		crm_idmap_put(&x->map, id, 0);
	free(rest);
	cJSON_Delete(h);
	cJSON_Delete(j);
	crm_rec_free(r);
	return rc;
}

/* Restored records point at each other: checked once all are in. */
static int
check_restored(crm_txn *t, struct imp *x)
{
	crm_rec *r = crm_rec_alloc();
	size_t i;
	int rc = 0;

	for (i = 0; i < x->restored.n && !rc; i++)
		if (!(rc = crm_rec_load(t, x->restored.v[i], r)))
			rc = crm_rec_check_refs(t, r);
	/* each, and its company, which counts its persons' entries (found
	 * by the index: what a bulk write holds back is written first) */
	if (!rc && x->refigure.n)
		rc = crm_index_flush(t);
	for (i = 0; i < x->refigure.n && !rc; i++) {
		const char *co;

		if (!(rc = crm_log_refigure(t, x->refigure.v[i])) &&
		    !(rc = crm_rec_load(t, x->refigure.v[i], r)) &&
		    (co = crm_rec_value(r, "company")))
			rc = crm_log_refigure(t, strtoull(co, NULL, 10));
	}
	crm_rec_free(r);
	return rc;
}

/* --------------------------------------------------------------- CSV */

/* Does heading col fit p, where a # is a number? */
static int
fits(const char *p, const char *col)
{
	for (; *p; p++) {
		if (*p == '#') {
			if (!isdigit((unsigned char)*col))
				return 0;
			while (isdigit((unsigned char)*col))
				col++;
		} else if (tolower((unsigned char)*p) !=
		    tolower((unsigned char)*col++)) {
			return 0;
		}
	}
	return !*col;
}

static const struct heading *
preset_heading(const char *preset, const char *col)
{
	const struct heading *h;
	size_t i;

	for (i = 0; preset && presets[i].name; i++) {
		if (strcmp(presets[i].name, preset))
			continue;
		for (h = presets[i].h; h->col; h++)
			if (fits(h->col, col))
				return h;
	}
	return NULL;
}

/* Item col of the list "a,b=x,..." of --map or --ignore, compared
 * without regard to case: where its name ends in the list (at its '=',
 * if it has one), or NULL when the list has no such item. */
static const char *
list_item(const char *list, const char *col)
{
	const char *p = list, *end, *eq;
	size_t n = strlen(col);

	while (p && *p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			eq = end;
		if ((size_t)(eq - p) == n && !strncasecmp(p, col, n))
			return eq;
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* --map 'Column=field,...': the field of col, or NULL. */
static const char *
mapped(const char *map, const char *col, struct crm_buf *b)
{
	const char *eq = list_item(map, col);

	if (!eq || *eq != '=')
		return NULL;
	crm_buf_reset(b);
	crm_buf_add(b, eq + 1, strcspn(eq + 1, ","));
	return b->buf;
}

/* --ignore 'A,B', as often as it is given */
static int
ignored(const struct crm_import *im, const char *col)
{
	size_t i;

	for (i = 0; i < im->nignore; i++)
		if (list_item(im->ignore[i], col))
			return 1;
	return 0;
}

/* The F_ of field name f, or -1. */
static int
field_index(const char *f)
{
	int k;

	for (k = 0; k < NFIELDS; k++)
		if (!strcmp(fnames[k], f))
			return k;
	return -1;
}

/* Are the columns i and j of one group: of "Address 2 - ", or both
 * addresses of Outlook's with one label? */
static int
same_group(const struct imp *x, size_t i, size_t j)
{
	const char *a = x->hdr.field[i], *b = x->hdr.field[j];
	const char *d = strstr(a, " - ");
	const struct heading *ha = x->col[i].h, *hb = x->col[j].h;

	if (d)
		return !strncasecmp(a, b, (size_t)(d - a) + 3);
	return !strstr(b, " - ") && ha && hb && ha->label && hb->label &&
	    !strcmp(ha->label, hb->label);
}

/* The group of each column of a preset, the columns that label it
 * ("Phone 2 - Label", "IM 1 - Service"), and the part of an address
 * it is. */
static void
groups(struct imp *x)
{
	const char *d;
	size_t i, j, n;
	int k;

	for (i = 0; i < x->hdr.n; i++) {
		struct col *c = &x->col[i];

		k = x->target[i] ? field_index(x->target[i]) : -1;
		c->part = k == F_STREET || k == F_CITY || k == F_ZIP ||
		    k == F_COUNTRY || k == F_REGION ? k : -1;
		c->grp = i;
		if (!c->h)
			continue;
		for (j = 0; j < i && c->grp == i; j++)
			if (x->col[j].h && same_group(x, i, j))
				c->grp = j;
		for (j = n = 0; j < x->hdr.n && n < 2; j++) {
			d = strstr(x->hdr.field[j], " - ");
			if (j != i && x->col[j].h && x->target[j] &&
			    !*x->target[j] && d && same_group(x, i, j) &&
			    (!strcasecmp(d + 3, "Label") ||
			    !strcasecmp(d + 3, "Type") ||
			    !strcasecmp(d + 3, "Service")))
				c->lab[n++] = j + 1;
		}
	}
}

/* Decide each column's field from the header: --map's, the preset's, a
 * field of its name.  A region, which the schema may not have, goes to
 * the note as the vCard import notes it. */
static int
columns(struct imp *x)
{
	struct crm_buf b = CRM_BUF_INIT, norm = CRM_BUF_INIT;
	const struct heading *h;
	const char *f;
	size_t i;
	int rc = 0;

	x->ntarget = x->hdr.n;
	x->target = calloc(x->hdr.n + 1, sizeof *x->target);
	x->tfield = calloc(x->hdr.n + 1, sizeof *x->tfield);
	x->col = calloc(x->hdr.n + 1, sizeof *x->col);
	x->used = calloc(x->hdr.n + 1, 1);
	x->grpval = calloc(x->hdr.n + 1, 1);
	for (i = 0; i < x->hdr.n && !rc; i++) {
		const char *col = x->hdr.field[i], *c;

		if (ignored(x->im, col))
			continue;
		h = NULL;
		f = mapped(x->im->map, col, &b);
		if (!f && (h = preset_heading(x->im->preset, col)))
			f = h->field;
		if (!f) {
			/* "First Name" is first_name */
			crm_buf_reset(&norm);
			for (c = col; *c; c++)
				crm_buf_addch(&norm, *c == ' ' || *c == '-' ?
				    '_' : tolower((unsigned char)*c));
			if (crm_type_field(x->type, norm.buf))
				f = norm.buf;
		}
		if (!f)
			continue;
		x->col[i].h = h;
		x->target[i] = strdup(f);
		if (!*f || *f == '+')	/* kept in the note, or known */
			continue;
		x->tfield[i] = crm_type_field(x->type, f);
		if (!x->tfield[i] && (!h || field_index(f) != F_REGION))
			rc = crm_seterr(CRM_EINVAL, "--map: a %s has no "
			    "field '%s' (column '%s')", x->type->name, f, col);
	}
	if (!rc)
		groups(x);
	crm_buf_release(&b);
	crm_buf_release(&norm);
	return rc;
}

/* A company named v: the one there is (by its exact name), or a new one. */
static int
company_named(crm_txn *t, struct imp *x, const char *v, struct crm_buf *id)
{
	struct crm_buf want = CRM_BUF_INIT, got = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	crm_rec *c;
	const char *name;
	size_t i;
	int rc;

	if ((i = seen_get(t, x, 'c', v))) {
		crm_buf_addf(id, "%llu", (unsigned long long)i);
		return 0;
	}
	crm_fold(&want, v, strlen(v));
	rc = crm_find_name(t, v, &ids);
	for (i = 0; i < ids.n && !id->len; i++) {
		if (crm_rec_get(t, ids.v[i], &c))
			continue;
		if (!strcmp(crm_rec_type(c), "company") &&
		    (name = crm_rec_value(c, "name"))) {
			crm_buf_reset(&got);
			crm_fold(&got, name, strlen(name));
			if (!strcmp(got.buf, want.buf))
				crm_buf_addf(id, "%llu",
				    (unsigned long long)ids.v[i]);
		}
		crm_rec_free(c);
	}
	if (!id->len && (rc = crm_rec_new(t, "company", &c)) == 0) {
		if (!(rc = crm_rec_set(c, "name", v, strlen(v), CRM_SET)) &&
		    !(rc = crm_rec_put(t, c))) {
			crm_buf_addf(id, "%llu",
			    (unsigned long long)crm_rec_id(c));
			seen_put(x, 'c', v, crm_rec_id(c));
		}
		crm_rec_free(c);
	} else if (rc == CRM_ENOTFOUND) {
		rc = 0;
	}
	crm_ids_release(&ids);
	crm_buf_release(&want);
	crm_buf_release(&got);
	return rc;
}

/* M/D/YYYY as YYYY-MM-DD (empty for Outlook's 0/0/00); 0 when v is
 * not of that form. */
static int
us_date(const char *v, struct crm_buf *out)
{
	int m, d, y, n = 0;

	if (sscanf(v, "%d/%d/%d%n", &m, &d, &y, &n) != 3 || v[n])
		return 0;
	if (!m && !d)
		return 1;
	if (y < 100)
		y += y < 50 ? 2000 : 1900;
	crm_buf_addf(out, "%04d-%02d-%02d", y, m, d);
	return 1;
}

/* One field from a cell: tags split, a company by name, ... */
static int
set_cell(crm_txn *t, struct imp *x, crm_rec *r, const struct crm_field *f,
    const char *v, size_t len)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *p, *e;
	int rc = 0;

	if (f->type == FT_TAGS) {
		/* "a, b", "a;b", Google's "a ::: b", "* myContacts" */
		for (p = v; p < v + len && !rc; p = e + 1) {
			for (e = p; e < v + len && *e != ',' && *e != ';' &&
			    !(*e == ':' && e + 2 < v + len && e[1] == ':' &&
			    e[2] == ':'); e++)
				;
			crm_buf_reset(&b);
			while (p < e && (isspace((unsigned char)*p) ||
			    *p == '*'))
				p++;
			crm_buf_add(&b, p, (size_t)(e - p));
			while (b.len && isspace((unsigned char)
			    b.buf[b.len - 1]))
				crm_buf_setlen(&b, b.len - 1);
			if (b.len)
				rc = crm_rec_setf(r, f, b.buf, b.len,
				    CRM_ADD);
			if (e < v + len && *e == ':')
				e += 2;
		}
	} else if (f->type == FT_DATE && us_date(v, &b)) {
		/* Outlook: 3/22/1980, and 0/0/00 for none */
		if (b.len && !crm_rec_nth(r, f->fid, 0, NULL))
			rc = crm_rec_setf(r, f, b.buf, b.len, CRM_SET);
	} else if (f->type == FT_REF && strspn(v, "0123456789") != len) {
		if (!(rc = company_named(t, x, v, &b)))
			rc = crm_rec_setf(r, f, b.buf, b.len, CRM_SET);
	} else if (!crm_rec_nth(r, f->fid, 0, NULL)) {
		/* the first of several columns for one field wins */
		rc = crm_rec_setf(r, f, v, len, CRM_SET);
	}
	crm_buf_release(&b);
	return rc;
}

/*
 * A row without a uid, an e-mail address or a phone number gets a uid of
 * its type and cells, so that importing the file again finds it: only a
 * row alike in every cell is taken for it, so two rows of one name are
 * two records, and a row changed since is a new one.
 */
static int
row_uid(struct imp *x, crm_rec *r)
{
	const struct crm_field *const *f = fields(x, r->type);
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;
	int rc;

	if (!f[F_UID] || fval(r, f[F_UID]) || fval(r, f[F_EMAIL]) ||
	    fval(r, f[F_PHONE]))
		return 0;
	crm_buf_addstr(&b, r->type->name);
	for (i = 0; i < x->row.n && i < x->hdr.n; i++) {
		crm_buf_add(&b, "", 1);
		crm_buf_addstr(&b, x->hdr.field[i]);
		crm_buf_add(&b, "", 1);
		crm_buf_add(&b, x->row.field[i], x->row.len[i]);
	}
	i = b.len;
	crm_buf_addf(&b, "crm-csv-%016llx",
	    (unsigned long long)crm_hash(b.buf, i));
	rc = crm_rec_setf(r, f[F_UID], b.buf + i, b.len - i, CRM_SET);
	crm_buf_release(&b);
	return rc;
}

/* The label of column i's values: its label columns' ("* Work" is
 * Google's first work address), else the preset's. */
static const char *
col_label(struct imp *x, size_t i)
{
	const struct col *c = &x->col[i];
	const char *v;
	size_t k;

	crm_buf_reset(&x->clab);
	for (k = 0; k < 2 && c->lab[k]; k++) {
		if (c->lab[k] - 1 >= x->row.n)
			continue;
		v = x->row.field[c->lab[k] - 1];
		v += strspn(v, "* ");
		if (*v)
			crm_buf_addf(&x->clab, "%s%s", x->clab.len ? ", " :
			    "", v);
	}
	if (!x->clab.len && c->h && c->h->label)
		crm_buf_addstr(&x->clab, c->h->label);
	return x->clab.buf;
}

/*
 * v of column i in the note, on one line: as the vCard import keeps what
 * has no field, under the name of vCard's property (with part, the part
 * of an address) and the column's label, "TEL (work): +421 2 1234";
 * without a name, under the column's heading.
 */
static void
csv_note(struct imp *x, size_t i, const char *name, const char *part,
    const char *v)
{
	struct crm_vparam type = { "TYPE", NULL };
	struct crm_vprop p = { 0 };
	const char *nl;

	crm_buf_reset(&x->piece);
	for (; (nl = strchr(v, '\n')); v = nl + 1)
		crm_buf_addf(&x->piece, "%.*s, ", (int)(nl - v -
		    (nl > v && nl[-1] == '\r')), v);
	crm_buf_addstr(&x->piece, v);
	if (!name) {
		crm_buf_addf(&x->labelled, "%s%s: %s", x->labelled.len ?
		    "\n" : "", x->hdr.field[i], x->piece.buf);
		return;
	}
	p.name = (char *)name;
	type.value = (char *)col_label(x, i);
	if (*type.value) {
		p.param = &type;
		p.nparam = 1;
	}
	note_part(x, &x->labelled, &p, part, x->piece.buf);
}

/* The vCard property of field f's values, for the note, or NULL. */
static const char *
field_prop(const char *f)
{
	static const char *const props[NFIELDS] = { NULL, "EMAIL", "TEL",
		NULL, NULL, NULL, "ORG", "TITLE", "URL", NULL, "ADR", "ADR",
		"ADR", "ADR", "BDAY", NULL, NULL, "ADR" };
	int k = field_index(f);

	return k < 0 ? NULL : props[k];
}

/* The address of a row: the first group of the preset's with a part of
 * an address that has a value.  The others go to the note. */
static void
row_address(struct imp *x)
{
	size_t i;

	memset(x->grpval, 0, x->hdr.n);
	x->adr = 0;
	for (i = 0; i < x->row.n && i < x->hdr.n; i++) {
		const struct col *c = &x->col[i];

		if (!x->row.len[i] || !c->h || c->part < 0)
			continue;
		x->grpval[c->grp] = 1;
		if (!x->adr && x->tfield[i])
			x->adr = c->grp + 1;
	}
}

/*
 * A value of column i, for its field: into the field if it is empty, the
 * street of the row's address after its street; what finds the field
 * taken or has none, a later value of a part of an address and the
 * parts of the other addresses, into the note.
 */
static int
csv_value(crm_txn *t, struct imp *x, size_t i, const char *v, size_t len,
    int later)
{
	const struct crm_field *f = x->tfield[i];
	const struct col *c = &x->col[i];
	const char *was = f ? fval(x->r, f) : NULL;
	struct crm_buf b = CRM_BUF_INIT;
	int rc = 0;

	if (c->h && c->part >= 0 && (!f || c->grp + 1 != x->adr || later)) {
		crm_buf_add(&b, v, len);
		csv_note(x, i, "ADR", fnames[c->part], b.buf);
	} else if (!was && f) {
		rc = set_cell(t, x, x->r, f, v, len);
	} else if (c->h && c->part == F_STREET) {
		crm_buf_addf(&b, "%s, %.*s", was, (int)len, v);
		rc = crm_rec_setf(x->r, f, b.buf, b.len, CRM_SET);
	} else if (!was || strlen(was) != len || memcmp(was, v, len)) {
		crm_buf_add(&b, v, len);
		csv_note(x, i, field_prop(x->target[i]), c->part >= 0 ?
		    fnames[c->part] : NULL, b.buf);
	}
	crm_buf_release(&b);
	return rc;
}

/* A cell of column i, for its field.  Google puts several values of one
 * label in one cell, "a ::: b": the first is the cell's, the others
 * come later. */
static int
csv_cell(crm_txn *t, struct imp *x, size_t i, const char *v, size_t len)
{
	const struct crm_field *f = x->tfield[i];
	const char *e = NULL, *end = v + len;
	int rc = 0, later = 0;

	if (f && f->type == FT_TAGS)
		return set_cell(t, x, x->r, f, v, len);
	if (!x->col[i].h || !field_prop(x->target[i]))
		return csv_value(t, x, i, v, len, 0);
	for (; v < end && !rc; v = e + 5, later = 1) {
		if (!(e = strstr(v, " ::: ")) || e > end)
			e = end;
		if (e > v)
			rc = csv_value(t, x, i, v, (size_t)(e - v), later);
		if (e == end)
			break;
	}
	return rc;
}

/* A cell that goes to the note: under its heading, or as a vCard
 * property; Google's formatted address when its parts have no value. */
static void
noted_cell(struct imp *x, size_t i)
{
	const char *to = x->target[i] + 1;

	if (!strcmp(to, "note"))
		csv_note(x, i, NULL, NULL, x->row.field[i]);
	else if (strcmp(to, "ADR") || !x->grpval[x->col[i].grp])
		csv_note(x, i, to, NULL, x->row.field[i]);
}

/*
 * Thunderbird's birthday, in columns of its year, month and day: the
 * birthday (without a year if it has none), else each in the note.
 */
static int
birth(struct imp *x, const size_t col[3])
{
	struct crm_buf b = CRM_BUF_INIT;
	long v[3] = { 0, 0, 0 };
	size_t k;
	char *end;
	int rc = 0;

	for (k = 0; k < 3; k++)
		if (col[k] && ((v[k] = strtol(x->row.field[col[k] - 1], &end,
		    10)) <= 0 || *end))
			break;
	if (k == 3 && v[1] && v[2]) {
		if (v[0])
			crm_buf_addf(&b, "%04ld-%02ld-%02ld", v[0], v[1], v[2]);
		else
			crm_buf_addf(&b, "--%02ld-%02ld", v[1], v[2]);
	}
	if (b.len && crm_date_valid(b.buf) &&
	    crm_type_field(x->r->type, "birthday"))
		rc = crm_rec_set(x->r, "birthday", b.buf, b.len, CRM_SET);
	else
		for (k = 0; k < 3; k++)
			if (col[k])
				csv_note(x, col[k] - 1, NULL, NULL,
				    x->row.field[col[k] - 1]);
	crm_buf_release(&b);
	return rc;
}

static int
csv_row(crm_txn *t, struct imp *x)
{
	size_t i, bcol[3] = { 0, 0, 0 };
	int rc = 0;

	crm_buf_reset(&x->note);
	crm_buf_reset(&x->labelled);
	row_address(x);
	for (i = 0; i < x->row.n && !rc; i++) {
		if (!x->row.len[i] || i >= x->hdr.n || (x->col[i].h &&
		    x->col[i].h->none && !strcasecmp(x->row.field[i],
		    x->col[i].h->none)))
			continue;
		if (x->target[i] && !strcmp(x->target[i], "+birth")) {
			const char *h = x->hdr.field[i];

			bcol[!strcasecmp(h, "Birth Year") ? 0 :
			    !strcasecmp(h, "Birth Month") ? 1 : 2] = i + 1;
		} else if (x->target[i] && *x->target[i] == '+') {
			noted_cell(x, i);
		} else if (x->target[i] && *x->target[i]) {
			const char *v = x->row.field[i];
			size_t len = x->row.len[i];

			/* '+421...: a cell defused for spreadsheets, as
			 * crm-export writes it */
			if (len > 1 && v[0] == '\'' && strchr("=+-@\t\r", v[1])) {
				v++;
				len--;
			}
			rc = csv_cell(t, x, i, v, len);
		} else if (!x->target[i] && !ignored(x->im, x->hdr.field[i])) {
			x->used[i] = 1;
			crm_buf_addf(&x->note, "%s%s: %s", x->note.len ?
			    "\n" : "", x->hdr.field[i], x->row.field[i]);
		}
	}
	if (!rc && (bcol[0] || bcol[1] || bcol[2]))
		rc = birth(x, bcol);
	if (rc)
		return rc;
	if (x->row.n > x->hdr.n)
		return crm_seterr(CRM_EINVAL, "%zu fields, but the header "
		    "has %zu", x->row.n, x->hdr.n);
	rc = name_from_parts(x, x->r);
	if (x->labelled.len) {	/* headings the preset keeps in the note */
		if (x->note.len && x->im->extra)
			crm_buf_addch(&x->labelled, '\n');
		if (x->im->extra)
			crm_buf_add(&x->labelled, x->note.buf, x->note.len);
		crm_buf_reset(&x->note);
		crm_buf_add(&x->note, x->labelled.buf, x->labelled.len);
	}
	if (!rc && (x->im->extra || x->labelled.len))
		rc = add_note(x, x->r, &x->note);
	if (!rc)
		rc = row_uid(x, x->r);
	return rc ? rc : put(t, x, x->r, &x->at);
}

/* Unmapped columns with values: never dropped without a word. */
static int
unmapped(struct imp *x)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t i, n = 0;
	int rc = 0;

	if (x->im->extra)
		return 0;
	for (i = 0; i < x->hdr.n; i++)
		if (x->used[i]) {
			crm_buf_addf(&b, "%s'%s'", n++ ? ", " : "",
			    x->hdr.field[i]);
		}
	if (n)
		rc = crm_seterr(CRM_EINVAL, "%s %s not mapped to a field: "
		    "--map 'COLUMN=field', --ignore COLUMN, or --extra to "
		    "keep %s in the note", n > 1 ? "columns" : "column",
		    b.buf, n > 1 ? "them" : "it");
	crm_buf_release(&b);
	return rc;
}

/* ------------------------------------------------------------ vCard */

/* Is property name n w?  The first letter tells most apart. */
static int
is(const char *n, const char *w)
{
	return n[0] == w[0] && !strcmp(n, w);
}

/*
 * X- properties whose data vCard has a name for: written into the note
 * under that name, with a label of their own (X-MS-SPOUSE: Maria is
 * RELATED (spouse): Maria, X-AIM;TYPE=HOME: jd is IMPP (HOME, aim): jd);
 * X-MS-TEL is a TEL like any other.
 */
static const struct xprop {
	const char *x, *name, *label;
} xprops[] = {
	{ "X-ABDATE", "DATE", NULL },
	{ "X-ABRELATEDNAMES", "RELATED", NULL },
	{ "X-AIM", "IMPP", "aim" },
	{ "X-ANNIVERSARY", "ANNIVERSARY", NULL },
	{ "X-ASSISTANT", "RELATED", "assistant" },
	{ "X-EVOLUTION-ANNIVERSARY", "ANNIVERSARY", NULL },
	{ "X-EVOLUTION-ASSISTANT", "RELATED", "assistant" },
	{ "X-EVOLUTION-MANAGER", "RELATED", "manager" },
	{ "X-EVOLUTION-SPOUSE", "RELATED", "spouse" },
	{ "X-FC-OTHERDATES", "DATE", NULL },
	{ "X-FC-RELATEDNAMES", "RELATED", NULL },
	{ "X-GADUGADU", "IMPP", "gadugadu" },
	{ "X-GENDER", "GENDER", NULL },
	{ "X-GOOGLE-TALK", "IMPP", "gtalk" },
	{ "X-GTALK", "IMPP", "gtalk" },
	{ "X-ICQ", "IMPP", "icq" },
	{ "X-JABBER", "IMPP", "xmpp" },
	{ "X-MANAGER", "RELATED", "manager" },
	{ "X-MS-ANNIVERSARY", "ANNIVERSARY", NULL },
	{ "X-MS-ASSISTANT", "RELATED", "assistant" },
	{ "X-MS-IMADDRESS", "IMPP", NULL },
	{ "X-MS-MANAGER", "RELATED", "manager" },
	{ "X-MS-SPOUSE", "RELATED", "spouse" },
	{ "X-MS-TEL", "TEL", NULL },
	{ "X-MSN", "IMPP", "msn" },
	{ "X-QQ", "IMPP", "qq" },
	{ "X-SKYPE", "IMPP", "skype" },
	{ "X-SKYPE-USERNAME", "IMPP", "skype" },
	{ "X-SPOUSE", "RELATED", "spouse" },
	{ "X-YAHOO", "IMPP", "yahoo" },
};

static const struct xprop *
xprop(const char *n)
{
	size_t i;

	for (i = 0; i < sizeof xprops / sizeof *xprops; i++)
		if (!strcasecmp(n, xprops[i].x))
			return &xprops[i];
	return NULL;
}

/* FullContact writes a name of its own in hex after X-FCENCODED-
 * (X-FC-RelatedNames:Mother).  That name into b: 0, or -1 when n is not
 * one. */
static int
fc_decoded(const char *n, struct crm_buf *b)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *hi, *lo;

	if (strncmp(n, "X-FCENCODED-", 12))
		return -1;
	crm_buf_reset(b);
	for (n += 12; *n; n += 2) {
		if (!n[1] || !(hi = strchr(hex, n[0])) ||
		    !(lo = strchr(hex, n[1])))
			return -1;
		crm_buf_addch(b, (char)((hi - hex) << 4 | (lo - hex)));
	}
	return b->len && !memchr(b->buf, 0, b->len) ? 0 : -1;
}

/* The label Apple and Google give a group (item1.TEL with
 * item1.X-ABLabel), without Apple's _$!<...>!$_ around its own words,
 * appended to b; 0 when there is none. */
static int
group_label(const struct crm_vcard *c, const struct crm_vprop *p,
    struct crm_buf *b)
{
	size_t i, at = b->len, n;

	if (!p->group)
		return 0;
	for (i = 0; i < c->nprop; i++) {
		const struct crm_vprop *q = &c->prop[i];

		if (!q->group || !is(q->name, "X-ABLABEL") ||
		    strcasecmp(q->group, p->group))
			continue;
		crm_vcard_part(q->value, 0, 0, b);
		n = b->len - at;
		if (n > 8 && !strncmp(b->buf + at, "_$!<", 4) &&
		    !strcmp(b->buf + b->len - 4, ">!$_")) {
			memmove(b->buf + at, b->buf + at + 4, n - 8);
			crm_buf_setlen(b, b->len - 8);
		}
		return b->len > at;
	}
	return 0;
}

/* "TEL (work, voice)": a property's name and its labels: its TYPEs,
 * the one its X- name implies and its group's. */
static void
label(struct imp *x, const struct crm_vprop *p, struct crm_buf *b)
{
	const char *name = p->name, *own = NULL, *colon;
	const struct xprop *xp;
	size_t i, n = 0, at;

	if (name[0] == 'X' && name[1] == '-') {
		if (!fc_decoded(name, &x->lab)) {
			name = x->lab.buf;
			if ((colon = strchr(name, ':'))) {
				x->lab.buf[colon - name] = 0;
				own = colon + 1;
			}
		}
		if ((xp = xprop(name))) {
			name = xp->name;
			if (!own)
				own = xp->label;
		}
	}
	crm_buf_addstr(b, name);
	for (i = 0; i < p->nparam; i++)
		if (!strcmp(p->param[i].name, "TYPE")) {
			crm_buf_addf(b, "%s%s", n++ ? ", " : " (",
			    p->param[i].value);
		}
	if (own && *own)
		crm_buf_addf(b, "%s%s", n++ ? ", " : " (", own);
	at = b->len;
	crm_buf_addstr(b, n ? ", " : " (");
	if (group_label(x->card, p, b))
		n++;
	else
		crm_buf_setlen(b, at);
	if (n)
		crm_buf_addch(b, ')');
}

/* What has no field of its own goes to the note, labelled; with part,
 * that part of the property (ADR (work) region: QC). */
static void
note_part(struct imp *x, struct crm_buf *note, const struct crm_vprop *p,
    const char *part, const char *v)
{
	if (note->len)
		crm_buf_addch(note, '\n');
	label(x, p, note);
	if (part)
		crm_buf_addf(note, " %s", part);
	crm_buf_addf(note, ": %s", v);
}

static void
to_note(struct imp *x, struct crm_buf *note, const struct crm_vprop *p,
    const char *v)
{
	note_part(x, note, p, NULL, v);
}

/* A vCard birthday: 19220310, 1922-03-10, --0310, --03-10. */
static int
bday(const char *v, struct crm_buf *out)
{
	char d[16];
	size_t n = 0;
	const char *p;

	for (p = v; *p && n < sizeof d - 1; p++)
		if (isdigit((unsigned char)*p))
			d[n++] = *p;
		else if (*p == 'T')
			break;
	d[n] = 0;
	if (!strncmp(v, "--", 2) && n == 4)
		crm_buf_addf(out, "--%.2s-%.2s", d, d + 2);
	else if (n == 8)
		crm_buf_addf(out, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	else
		return -1;
	return crm_date_valid(out->buf) ? 0 : -1;
}

/* The field of a card's TITLE, URL, NOTE or UID. */
static int
text_prop(const char *n)
{
	return is(n, "TITLE") ? F_TITLE : is(n, "URL") ? F_URL :
	    is(n, "NOTE") ? F_NOTE : is(n, "UID") ? F_UID : -1;
}

/*
 * Properties with no field of their own, kept in the note: all but
 * these, which a program wrote for itself (the version, the program,
 * its ids, layouts and sort keys; its labels, as labels), or which hold
 * a key, a logo or a sound rather than words; and data inline in
 * base64.  PHOTO has its own option.
 */
static int
noted_prop(const struct crm_vprop *p, const char *n)
{
	static const char *const machine[] = { "VERSION", "PRODID", "REV",
		"KIND", "SOURCE", "CLIENTPIDMAP", "SORT-STRING", "MAILER",
		"NAME", "PROFILE", "CLASS", "XML", "MEMBER", "KEY", "LOGO",
		"SOUND", "PHOTO", "X-ABLABEL", "X-ABADR", "X-ABUID",
		"X-ABSHOWAS", "X-ABPERSON", "X-MS-OL-DESIGN",
		"X-MS-OL-DEFAULT-POSTAL-ADDRESS", "X-MS-CARDPICTURE",
		"X-EVOLUTION-FILE-AS", "X-EVOLUTION-LIST",
		"X-EVOLUTION-LIST-SHOW-ADDRESSES", "X-ID", "X-ETAG",
		"X-FC-TAGS", "X-FC-LIST-ID", "X-MOZILLA-HTML",
		"X-MOZILLA-PROPERTY", "X-RADICALE-NAME", "X-WAB-GENDER",
		"X-ADDRESSBOOKSERVER-KIND", "X-ADDRESSBOOKSERVER-MEMBER", NULL };
	size_t i;

	if (!strncmp(n, "X-COUCHDB-", 10) ||
	    crm_vprop_has(p, "ENCODING", "b") ||
	    crm_vprop_has(p, "ENCODING", "base64"))
		return 0;
	for (i = 0; machine[i]; i++)
		if (is(n, machine[i]))
			return 0;
	return 1;
}

/* A card without UID gets one of its content, so that importing it
 * again finds it. */
static int
content_uid(crm_rec *r, const struct crm_field *f,
    const struct crm_vcard *c)
{
	struct crm_buf v = CRM_BUF_INIT;
	uint64_t h = 1469598103934665603ULL;
	const char *q;
	size_t i;
	int rc;

	for (i = 0; i < c->nprop; i++) {
		if (strcmp(c->prop[i].name, "FN") &&
		    strcmp(c->prop[i].name, "N") &&
		    strcmp(c->prop[i].name, "ORG") &&
		    strcmp(c->prop[i].name, "BDAY"))
			continue;
		for (q = c->prop[i].value; *q; q++)
			h = (h ^ (unsigned char)*q) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	crm_buf_addf(&v, "crm-vcard-%016llx", (unsigned long long)h);
	rc = crm_rec_setf(r, f, v.buf, v.len, CRM_SET);
	crm_buf_release(&v);
	return rc;
}

/* The first n components of a structured value, ';' apart, unescaped
 * into b, each ended by a NUL: the k-th at b->buf + at[k] (empty past
 * the last). */
static void
parts_of(const char *v, struct crm_buf *b, size_t at[], size_t n)
{
	size_t k;

	crm_buf_reset(b);
	for (k = 0; k < n; k++) {
		at[k] = b->len;
		if (v)
			v = crm_vcard_next(v, ';', b);
		crm_buf_addch(b, '\0');
	}
}

/* Words and lists of them joined into b, sep apart, the empty ones
 * left out. */
static void
join(struct crm_buf *b, const char *sep, const char *v, size_t len)
{
	if (!len)
		return;
	if (b->len)
		crm_buf_addstr(b, sep);
	crm_buf_add(b, v, len);
}

/* The name an N gives, as it is written, into x->join: the prefixes,
 * the given and the other names, the family name, the suffixes (Dr.
 * John Q. Doe Jr.).  Each of them may be a list, ',' apart. */
static const char *
full_name(struct imp *x, const char *n)
{
	static const int order[] = { 3, 1, 2, 0, 4 };
	const char *q, *e;
	size_t at[5], k;

	parts_of(n, &x->parts, at, 5);
	crm_buf_reset(&x->join);
	for (k = 0; k < 5; k++)
		for (q = x->parts.buf + at[order[k]]; *q; q = *e ? e + 1 : e) {
			e = q + strcspn(q, ",");
			join(&x->join, " ", q, (size_t)(e - q));
		}
	return x->join.buf;
}

/* The parts of an ORG from q in the note, one after another: after the
 * organisation's name, its units (a department, a team), as part. */
static void
org_parts(struct imp *x, struct crm_buf *note, const struct crm_vprop *p,
    const char *q, const char *part)
{
	crm_buf_reset(&x->join);
	while (q) {
		crm_buf_reset(&x->parts);
		q = crm_vcard_next(q, ';', &x->parts);
		join(&x->join, ", ", x->parts.buf, x->parts.len);
	}
	if (x->join.len)
		note_part(x, note, p, part, x->join.buf);
}

/* A part of an address into its field, if it has one and that is
 * empty; else, unless the field holds it already, into the note. */
static int
adr_part(struct imp *x, crm_rec *r, const struct crm_field *f,
    const struct crm_vprop *p, int part, const char *v, struct crm_buf *note)
{
	const char *was;

	if (!*v || ((was = fval(r, f)) && !strcmp(was, v)))
		return 0;
	if (f && !was)
		return crm_rec_setf(r, f, v, strlen(v), CRM_SET);
	note_part(x, note, p, fnames[part], v);
	return 0;
}

/* An address: the post office box, the extended address (a suite, a
 * floor) and the street in the street, the street first; the region in
 * a field of that name; what has no field, or finds it taken, in the
 * note. */
static int
adr(struct imp *x, crm_rec *r, const struct crm_field **f,
    const struct crm_vprop *p, struct crm_buf *note)
{
	static const int parts[] = { F_STREET, F_STREET, F_STREET, F_CITY,
		F_REGION, F_ZIP, F_COUNTRY };
	const char *c[7];
	size_t at[7], k;
	int rc;

	parts_of(p->value, &x->parts, at, 7);
	for (k = 0; k < 7; k++)
		c[k] = x->parts.buf + at[k];
	crm_buf_reset(&x->join);
	for (k = 3; k-- > 0;)
		join(&x->join, ", ", c[k], strlen(c[k]));
	rc = adr_part(x, r, f[F_STREET], p, F_STREET, x->join.buf, note);
	for (k = 3; k < 7 && !rc; k++)
		rc = adr_part(x, r, f[parts[k]], p, parts[k], c[k], note);
	return rc;
}

/* The record of type ty a UID of this store's own export names
 * (crm_vcard_uid) into *id, when there is one; else 0 there. */
static int
own_id(crm_txn *t, struct imp *x, const char *uid, const char *ty,
    uint64_t *id, int *merged)
{
	crm_rec *o;
	int rc;

	/* a store made before stores had a name makes the UIDs every
	 * other such store makes: none is taken for its own */
	*id = 0;
	if (x->fresh || !x->own[0])
		return 0;
	if (!(*id = crm_vcard_uid_id(uid, x->own)))
		return 0;
	if ((rc = crm_rec_get(t, *id, &o))) {
		*id = 0;
		return rc == CRM_ENOTFOUND ? 0 : rc;
	}
	if (strcmp(crm_rec_type(o), ty))
		*id = 0;
	else if (merged)
		*merged = crm_rec_id(o) != *id;
	crm_rec_free(o);
	return 0;
}

/* The company of this store a card's RELATED;TYPE=co-worker names (by
 * a UID of this store's export, or the company's own UID, urn:uuid: or
 * not) into *id; 0 there when none. */
static int
is_company(crm_txn *t, uint64_t id)
{
	crm_rec *o;
	int is;

	if (crm_rec_get(t, id, &o))
		return 0;
	is = !strcmp(crm_rec_type(o), "company");
	crm_rec_free(o);
	return is;
}

static int
related_co(crm_txn *t, struct imp *x, const char *v, uint64_t *id)
{
	struct crm_ids ids = { 0 };
	size_t i, k;
	int rc;

	if ((rc = own_id(t, x, v, "company", id, NULL)) || *id)
		return rc;
	for (k = 0; k < 2 && !*id; k++) {
		if (k && strncasecmp(v, "urn:uuid:", 9))
			break;
		/* a card of this import, or one in the store before */
		if ((*id = seen_get(t, x, 'u', k ? v + 9 : v)) &&
		    !is_company(t, *id))
			*id = 0;
		if (*id || x->fresh)
			continue;
		rc = find_uid(t, k ? v + 9 : v, &ids);
		for (i = 0; !rc && i < ids.n && !*id; i++) {
			crm_rec *o;

			if ((rc = crm_rec_get(t, ids.v[i], &o)))
				break;
			if (!strcmp(crm_rec_type(o), "company"))
				*id = ids.v[i];
			crm_rec_free(o);
		}
		ids.n = 0;
		if (rc == CRM_ENOTFOUND)
			rc = 0;
	}
	crm_ids_release(&ids);
	return rc;
}

static int named(crm_txn *t, uint64_t id, const char *name);

/* Is company id the one the card's ORG names? */
static int
org_named(crm_txn *t, const struct crm_vcard *c, uint64_t id)
{
	const struct crm_vprop *o = crm_vcard_get(c, "ORG", 0);
	struct crm_buf v = CRM_BUF_INIT;
	int same;

	if (!o)
		return 0;
	crm_vcard_part(o->value, ';', 0, &v);
	same = v.len && named(t, id, v.buf);
	crm_buf_release(&v);
	return same;
}

/* Is company id named name (folded)? */
static int
named(crm_txn *t, uint64_t id, const char *name)
{
	const char *v;
	crm_rec *c;
	int same;

	if (crm_rec_get(t, id, &c))
		return 0;
	same = (v = crm_rec_value(c, "name")) && same_folded(v, name);
	crm_rec_free(c);
	return same;
}

/*
 * Is record id, which a card's UID names, the card's record r?  A copy
 * of this store restored elsewhere has its name, and so makes its UIDs;
 * the two part, and a card of the other's record 5 is not this store's
 * record 5 when it has neither its name, nor its e-mail, nor its phone.
 */
static int
own_same(crm_txn *t, uint64_t id, const crm_rec *r)
{
	static const char *const keys[] = { "email", "phone" };
	const char *a, *b;
	crm_rec *o;
	size_t i;
	int same;

	if (crm_rec_get(t, id, &o))
		return 0;
	a = crm_rec_value(o, "name");
	b = crm_rec_value(r, "name");
	same = a && b && same_folded(a, b);
	for (i = 0; i < 2 && !same; i++) {
		a = crm_rec_value(o, keys[i]);
		b = crm_rec_value(r, keys[i]);
		same = a && b && !strcasecmp(a, b);
	}
	crm_rec_free(o);
	return same;
}

/* A card crm-export wrote of this store: the record its UID names and
 * the company its RELATED;TYPE=co-worker does, into x. */
static int
own_card(crm_txn *t, struct imp *x, const struct crm_vcard *c,
    const crm_rec *r, int person)
{
	const struct crm_vprop *p;
	struct crm_buf v = CRM_BUF_INIT;
	size_t i;
	int rc = 0;

	x->own_rec = x->own_co = 0;
	x->own_merged = 0;
	if (x->fresh)
		return 0;
	if ((p = crm_vcard_get(c, "UID", 0))) {
		crm_buf_reset(&x->ownuid);
		crm_vcard_part(p->value, 0, 0, &x->ownuid);
		rc = own_id(t, x, x->ownuid.buf, crm_rec_type(r),
		    &x->own_rec, &x->own_merged);
	}
	for (i = 0; person && !rc && !x->own_co && i < c->nprop; i++) {
		p = &c->prop[i];
		if (!is(p->name, "RELATED") ||
		    !crm_vprop_has(p, "TYPE", "co-worker"))
			continue;
		crm_buf_reset(&v);
		crm_vcard_part(p->value, 0, 0, &v);
		rc = related_co(t, x, v.buf, &x->own_co);
	}
	crm_buf_release(&v);
	return rc;
}

static int
vcard_fill(crm_txn *t, struct imp *x, crm_rec *r, const struct crm_vcard *c)
{
	const struct crm_field *f[NFIELDS];
	const struct crm_vprop *p0;
	struct crm_buf v = CRM_BUF_INIT, note = CRM_BUF_INIT;
	struct crm_buf id = CRM_BUF_INIT;
	const char *q, *nval = NULL;
	size_t i;
	int rc = 0, fi;

	/* a copy: matching a company looks up a company's fields */
	memcpy(f, fields(x, r->type), sizeof f);
	x->card = c;
	if ((rc = own_card(t, x, c, r, f[F_COMPANY] != NULL)))
		return rc;
	for (i = 0; i < c->nprop && !rc; i++) {
		const struct crm_vprop *p = &c->prop[i];
		const struct xprop *xp;
		const char *n = p->name;

		/* X-MS-TEL is a TEL */
		if (n[0] == 'X' && (xp = xprop(n)) && is(xp->name, "TEL"))
			n = xp->name;
		crm_buf_reset(&v);
		if (is(n, "FN")) {
			crm_vcard_part(p->value, 0, 0, &v);
			rc = set_text(r, f[F_NAME], v.buf);
		} else if (is(n, "N")) {
			q = crm_vcard_next(p->value, ';', &v);
			rc = set_text(r, f[F_LAST], v.buf);
			crm_buf_reset(&v);
			if (q)
				crm_vcard_next(q, ';', &v);
			if (!rc)
				rc = set_text(r, f[F_FIRST], v.buf);
			if (!nval)
				nval = p->value;
		} else if (is(n, "ORG")) {
			/* a company's is its name (below); a person's
			 * first its company, any other noted */
			if (!f[F_COMPANY])
				continue;
			if (fval(r, f[F_COMPANY])) {
				org_parts(x, &note, p, p->value, NULL);
				continue;
			}
			q = crm_vcard_next(p->value, ';', &v);
			crm_buf_reset(&id);
			/* the company the card's RELATED names, if this is
			 * its name still; else the one of this name */
			if (v.len && x->own_co && named(t, x->own_co, v.buf))
				crm_buf_addf(&id, "%llu",
				    (unsigned long long)x->own_co);
			else if (v.len)
				rc = company_named(t, x, v.buf, &id);
			if (!rc && id.len)
				rc = crm_rec_setf(r, f[F_COMPANY], id.buf,
				    id.len, CRM_SET);
			org_parts(x, &note, p, q, "unit");
		} else if ((fi = text_prop(n)) >= 0) {
			/* this store's own UID names the record: not kept */
			if (fi == F_UID && x->own_rec)
				continue;
			crm_vcard_part(p->value, 0, 0, &v);
			if (fval(r, f[fi]) && v.len)
				to_note(x, &note, p, v.buf);
			else
				rc = set_text(r, f[fi], v.buf);
		} else if (is(n, "EMAIL") || is(n, "TEL")) {
			fi = n[0] == 'E' ? F_EMAIL : F_PHONE;
			crm_vcard_part(p->value, 0, 0, &v);
			/* tel:+1-418-656-9254;ext=102: the number */
			if (((v.buf[0] | 0x20) == 't' || (v.buf[0] | 0x20) ==
			    'm') && (!strncasecmp(v.buf, "tel:", 4) ||
			    !strncasecmp(v.buf, "mailto:", 7))) {
				char *sc = strchr(v.buf, ';');
				size_t skip = v.buf[0] == 't' ||
				    v.buf[0] == 'T' ? 4 : 7;

				if (sc)
					crm_buf_setlen(&v, (size_t)(sc - v.buf));
				memmove(v.buf, v.buf + skip, v.len - skip + 1);
				v.len -= skip;
			}
			if (!v.len)
				continue;
			/* the first that is valid; the others noted */
			if (!f[fi] || fval(r, f[fi]) || crm_rec_setf(r, f[fi],
			    v.buf, v.len, CRM_SET))
				to_note(x, &note, p, v.buf);
		} else if (is(n, "ADR")) {
			if (fval(r, f[F_CITY]) || fval(r, f[F_STREET])) {
				crm_vcard_part(p->value, 0, 0, &v);
				to_note(x, &note, p, v.buf);
				continue;
			}
			rc = adr(x, r, f, p, &note);
		} else if (is(n, "BDAY")) {
			struct crm_buf d = CRM_BUF_INIT;

			crm_vcard_part(p->value, 0, 0, &v);
			if (f[F_BIRTHDAY] && !fval(r, f[F_BIRTHDAY]) &&
			    !bday(v.buf, &d))
				rc = crm_rec_setf(r, f[F_BIRTHDAY], d.buf,
				    d.len, CRM_SET);
			else if (v.len)
				to_note(x, &note, p, v.buf);
			crm_buf_release(&d);
		} else if (is(n, "CATEGORIES") && f[F_TAGS]) {
			for (q = p->value; q && !rc; crm_buf_reset(&v)) {
				q = crm_vcard_next(q, ',', &v);
				if (v.len)
					rc = crm_rec_setf(r, f[F_TAGS], v.buf,
					    v.len, CRM_ADD);
			}
		} else if (is(n, "PHOTO")) {
			if (x->im->photos && f[F_PHOTO] &&
			    !fval(r, f[F_PHOTO])) {
				crm_buf_reset(&v);
				crm_photo_uri(p, &v);
				rc = crm_rec_setf(r, f[F_PHOTO], v.buf, v.len,
				    CRM_SET);
			}
		} else if (noted_prop(p, n)) {
			crm_vcard_part(p->value, 0, 0, &v);
			/* the link crm-export writes to the company: of
			 * this store's, or of the company ORG names */
			if (is(n, "RELATED") &&
			    crm_vprop_has(p, "TYPE", "co-worker")) {
				uint64_t co;

				if ((rc = related_co(t, x, v.buf, &co)))
					break;
				if (co && (co == x->own_co ||
				    org_named(t, c, co)))
					continue;
			}
			if (v.len)
				to_note(x, &note, p, v.buf);
		}
	}
	/* no FN: the name N gives, with its other names, prefixes and
	 * suffixes */
	if (!rc && nval && strcmp(r->type->name, "company") &&
	    !fval(r, f[F_NAME]))
		rc = set_text(r, f[F_NAME], full_name(x, nval));
	/* a company's card may name it only in ORG */
	if (!rc && !strcmp(r->type->name, "company") &&
	    !fval(r, f[F_NAME]) && (p0 = crm_vcard_get(c, "ORG", 0))) {
		crm_buf_reset(&v);
		crm_vcard_part(p0->value, ';', 0, &v);
		rc = set_text(r, f[F_NAME], v.buf);
	}
	/* the record a UID of this store's names, if it is the card's;
	 * else the UID is the card's own */
	if (!rc && x->own_rec && !own_same(t, x->own_rec, r)) {
		x->own_rec = 0;
		x->own_merged = 0;
		rc = set_text(r, f[F_UID], x->ownuid.buf);
	}
	if (!rc && f[F_UID] && !x->own_rec && !fval(r, f[F_UID]) &&
	    !fval(r, f[F_EMAIL]) && !fval(r, f[F_PHONE]))
		rc = content_uid(r, f[F_UID], c);
	/* a name there must be: from N, ORG or an address */
	if (!rc)
		rc = name_from_parts(x, r);
	if (!rc)
		rc = add_note(x, r, &note);
	crm_buf_release(&v);
	crm_buf_release(&note);
	crm_buf_release(&id);
	return rc;
}

/* A card: a person, or a company (KIND:org). */
static int
vcard(crm_txn *t, struct imp *x, const struct crm_vcard *c)
{
	const struct crm_vprop *k = crm_vcard_get(c, "KIND", 0),
	    *u = crm_vcard_get(c, "UID", 0), *p;
	crm_rec *r = x->r;
	uint64_t co = 0;
	int rc, org = k && !strcasecmp(k->value, "org");

	/* vCard 3.0 has no KIND: a card whose UID is a company's is the
	 * company's */
	if (!org && u && !x->fresh) {
		struct crm_buf v = CRM_BUF_INIT;

		crm_vcard_part(u->value, 0, 0, &v);
		rc = related_co(t, x, v.buf, &co);
		/* and has its name */
		crm_buf_reset(&v);
		if (co && ((p = crm_vcard_get(c, "FN", 0)) ||
		    (p = crm_vcard_get(c, "ORG", 0))))
			crm_vcard_part(p->value, ';', 0, &v);
		if (co && !named(t, co, v.buf))
			co = 0;
		crm_buf_release(&v);
		if (rc)
			return rc;
	}
	if ((org || co) && strcmp(crm_rec_type(r), "company") &&
	    (rc = crm_rec_new(t, "company", &r)))
		return rc;
	if (!(rc = vcard_fill(t, x, r, c)))
		rc = put(t, x, r, &x->at);
	if (r != x->r)
		crm_rec_free(r);
	return rc;
}

/* -------------------------------------------------------------- run */

#define SAMPLE 1024	/* rows read before the table's size is guessed */

/* The keys the rest of a file will add, from what the first rows added
 * and how much of it they were. */
static void
expect(struct imp *x)
{
	uint64_t done, total;

	crm_input_progress(x->in, &done, &total);
	if (done && total > done && total / done < ((uint64_t)1 << 20))
		x->seenwant = (size_t)((uint64_t)x->nseen * (total / done +
		    1));
}

static int
run(crm_txn *t, void *arg)
{
	struct imp *x = arg;
	struct crm_import *im = x->im;
	struct crm_vcard vc;
	char *line;
	size_t len, i, rows = 0;
	int rc;

	x->seenwant = 0;
	im->added = im->updated = im->unchanged = im->rejected = 0;
	x->bad = 0;
	x->restored.n = x->refigure.n = 0;
	seen_clear(x);		/* a retry starts afresh */
	map_clear(x);
	memset(&vc, 0, sizeof vc);
	if ((rc = crm_input_rewind(x->in)))
		return rc;
	{
		MDB_stat st;

		/* into an empty store: nothing there to match, and an
		 * export keeps its ids */
		x->fresh = !mdb_stat(t->txn, t->db->recs, &st) &&
		    st.ms_entries == 0;
		if (im->from == CRM_FROM_JSONL)
			im->restore = x->fresh;
	}
	/* into a store with records, the ids of an export are the file's */
	x->src[0] = x->own[0] = 0;
	x->own_rec = x->own_co = 0;
	if ((im->from == CRM_FROM_JSONL || im->from == CRM_FROM_VCARD) &&
	    !x->fresh) {
		struct crm_buf u = CRM_BUF_INIT;

		if (!crm_meta_get(t, "uuid", &u) && u.len == 32)
			memcpy(x->own, u.buf, 33);
		crm_buf_release(&u);
		if (im->from == CRM_FROM_JSONL && (rc = file_ids(x)))
			return rc;
	}
	if (im->from != CRM_FROM_JSONL && (rc = crm_rec_new(t, im->type ?
	    im->type : "person", &x->r)))
		return rc;
	x->type = x->r ? crm_schema_type(crm_txn_schema(t),
	    crm_rec_type(x->r)) : NULL;
	if (im->from == CRM_FROM_CSV) {
		crm_csv_release(&x->hdr);
		crm_csv_init(&x->hdr);
		if ((rc = crm_csv_read(x->in, &x->hdr)))
			return rc == CRM_ENOTFOUND ? 0 : crm_errprefix(rc,
			    "line 1: ");
		x->row.delim = x->hdr.delim;
		for (i = 0; i < x->ntarget; i++)
			free(x->target[i]);
		free(x->target);
		free(x->tfield);
		free(x->used);
		free(x->col);
		free(x->grpval);
		if ((rc = columns(x)))
			return rc;
	}
	for (;;) {
		if (im->from == CRM_FROM_CSV) {
			if ((rc = crm_csv_read(x->in, &x->row)))
				break;
			x->line = x->row.line;
			if (x->row.n == 1 && !x->row.len[0])
				continue;
		} else if (im->from == CRM_FROM_VCARD) {
			if ((rc = crm_vcard_read(x->in, &vc))) {
				/* several files: on to the next (one that
				 * cannot be opened has no line to name) */
				if (rc == CRM_ENOTFOUND) {
					if (!(rc = crm_input_next(x->in)))
						continue;
					if (rc != CRM_ENOTFOUND)
						x->line = 0;
				}
				if (rc != CRM_EINVAL)
					break;
				/* a card it cannot read: named, passed over */
				x->line = 0;
				reject(x, rc);
				rc = 0;
				continue;
			}
			x->line = vc.line;
		} else {
			if ((rc = crm_input_line(x->in, &line, &len)))
				break;
			x->line = crm_input_lineno(x->in);
			if (!len || strspn(line, " \t\r") == len)
				continue;
		}
		crm_txn_setline(t, x->line);
		if (x->r)
			crm_rec_clear(x->r);
		if (im->from == CRM_FROM_CSV)
			rc = csv_row(t, x);
		else if (im->from == CRM_FROM_VCARD)
			rc = vcard(t, x, &vc);
		else
			rc = jsonl(t, x, line, len);
		if (rc == CRM_EINVAL || rc == CRM_EEXIST)
			reject(x, rc);
		else if (rc)
			break;
		rc = 0;
		if (++rows == SAMPLE)
			expect(x);
		if (im->progress)
			im->progress(x->line, im->arg);
	}
	crm_vcard_release(&vc);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc && rc != CRM_ESTORE && x->line)
		crm_errprefix(rc, "line %zu: ", x->line);
	if (rc && rc != CRM_ESTORE && rc != CRM_ENOTFOUND &&
	    crm_input_name(x->in))
		crm_errprefix(rc, "%s: ", crm_input_name(x->in));
	if (!rc && im->from == CRM_FROM_CSV)
		rc = unmapped(x);
	if (!rc && x->nlater)
		rc = refs_later(t, x);
	if (!rc && x->restored.n)
		rc = check_restored(t, x);
	if (!rc && x->bad && !im->skip_bad)
		rc = crm_seterr(CRM_EINVAL, "%zu %s rejected: nothing "
		    "imported (--skip-bad imports the rest)", im->rejected,
		    im->rejected == 1 ? "row" : "rows");
	if (!rc && im->dry_run)
		rc = CRM_EABORT;
	crm_rec_free(x->r);
	x->r = NULL;
	return rc;
}

/*
 * The format, when --from does not say: vCards begin with BEGIN:VCARD,
 * JSON Lines with '{' (after a byte order mark and blank lines), and
 * anything else is CSV, of a preset when its header has a heading only
 * that program's export has.
 */
static int
guess(struct imp *x)
{
	static const char *const marks[] = { "E-mail 1 - Value", "google",
		"Given Name", "google", "File As", "google", "E-mail Address", "outlook",
		"Business Phone", "outlook", "Primary Email", "thunderbird",
		NULL };
	struct crm_import *im = x->im;
	char *line = NULL;
	size_t len = 0, i, k;
	int rc;

	while (!(rc = crm_input_line(x->in, &line, &len))) {
		while (len && strchr(" \t\r\n", *line))
			line++, len--;
		if (len)
			break;
	}
	if (rc && rc != CRM_ENOTFOUND)
		return rc;
	im->from = CRM_FROM_CSV;
	if (!rc && len >= 11 && !strncasecmp(line, "BEGIN:VCARD", 11))
		im->from = CRM_FROM_VCARD;
	else if (!rc && *line == '{')
		im->from = CRM_FROM_JSONL;
	if ((rc = crm_input_rewind(x->in)) || im->from != CRM_FROM_CSV)
		return rc;
	rc = crm_csv_read(x->in, &x->hdr);
	for (i = 0; !rc && !im->preset && i < x->hdr.n; i++)
		for (k = 0; marks[k] && !im->preset; k += 2)
			if (!strcasecmp(x->hdr.field[i], marks[k]))
				im->preset = marks[k + 1];
	if (rc && rc != CRM_ENOTFOUND)
		return crm_errprefix(rc, "line 1: ");
	return crm_input_rewind(x->in);
}

int
crm_import_run(crm_db *db, crm_input *in, struct crm_import *im)
{
	struct imp x;
	size_t i;
	int rc;

	memset(&x, 0, sizeof x);
	x.im = im;
	x.in = in;
	crm_buf_init(&x.why, 0);
	crm_buf_init(&x.note, 0);
	crm_buf_init(&x.labelled, 0);
	crm_buf_init(&x.clab, 0);
	crm_buf_init(&x.piece, 0);
	for (i = 0; i < 3; i++)
		crm_buf_init(&x.key[i], 0);
	crm_buf_init(&x.key2, 0);
	crm_buf_init(&x.pk, 0);
	crm_buf_init(&x.parts, 0);
	crm_buf_init(&x.lab, 0);
	crm_buf_init(&x.ownuid, 0);
	crm_buf_init(&x.join, 0);
	crm_csv_init(&x.hdr);
	crm_csv_init(&x.row);
	if (im->preset && !crm_import_preset_known(im->preset))
		return crm_seterr(CRM_EINVAL, "no preset '%s' (google, "
		    "outlook, thunderbird)", im->preset);
	rc = im->from == CRM_FROM_GUESS ? guess(&x) : 0;
	if (!rc)
		rc = crm_write(db, run, &x);
	if (rc == CRM_EABORT && im->dry_run)
		rc = 0;
	crm_rec_free(x.r);	/* run leaves it when the header fails */
	crm_csv_release(&x.hdr);
	crm_csv_release(&x.row);
	for (i = 0; i < x.ntarget; i++)
		free(x.target[i]);
	free(x.target);
	free(x.tfield);
	free(x.used);
	free(x.col);
	free(x.grpval);
	crm_buf_release(&x.why);
	crm_buf_release(&x.note);
	crm_buf_release(&x.labelled);
	crm_buf_release(&x.clab);
	crm_buf_release(&x.piece);
	crm_ids_release(&x.restored);
	crm_ids_release(&x.refigure);
	map_clear(&x);
	free(x.later);
	for (i = 0; i < 3; i++)
		crm_buf_release(&x.key[i]);
	crm_buf_release(&x.key2);
	crm_buf_release(&x.pk);
	crm_buf_release(&x.parts);
	crm_buf_release(&x.lab);
	crm_buf_release(&x.ownuid);
	crm_buf_release(&x.join);
	seen_clear(&x);
	return rc;
}
