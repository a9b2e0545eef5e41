/* internal.h - what the library's files share and cmd/ never sees */
#ifndef CRM_INTERNAL_H
#define CRM_INTERNAL_H

#include <lmdb.h>
#include <string.h>

#include "crm.h"

enum crm_ftype {
	FT_TEXT, FT_EMAIL, FT_PHONE, FT_DATE, FT_DATETIME, FT_NUMBER,
	FT_MONEY, FT_ENUM, FT_TAGS, FT_BOOL, FT_REF, FT_CONSENT
};
extern const char *const crm_ftype_names[];

enum crm_field_flags {
	FF_REQUIRED = 1 << 0,
	FF_UNIQUE = 1 << 1,
	FF_INDEX = 1 << 2,	/* exact, folded */
	FF_SEARCH = 1 << 3,	/* name tokens */
	FF_PERSONAL = 1 << 4,	/* personal data: crm-forget erases it */
};

enum crm_state { ST_OPEN, ST_WON, ST_LOST };

struct crm_enumval {
	char *name;
	int probability;
	enum crm_state state;
};

struct crm_field {
	char *name;
	size_t namelen;
	unsigned fid;		/* the store's number for the name */
	enum crm_ftype type;
	unsigned flags;
	char *def;
	struct crm_enumval *vals;
	size_t nvals;
	char *to;		/* ref: the type pointed at, NULL for any */
	size_t line;
};

struct crm_type {
	char *name;
	unsigned tid;
	struct crm_field *fields;
	size_t nfields;
	size_t line;
	struct crm_field **byfid;	/* made on first use */
	unsigned nbyfid;
	const struct crm_field *stage;	/* crm_type_stage, once asked */
	int stage_known;
	int dealt;		/* crm_type_dealt: 0 not asked, 1 no, 2 yes */
};

struct crm_schema {
	char *text;		/* the YAML, when parsed from it */
	size_t len;
	char country[3];
	struct crm_type *types;
	size_t ntypes;
	char **kinds;
	size_t nkinds;
	char *mail_consent;	/* a bool field marketing mail needs */
};

/* field numbers below FID_FIRST are fixed; the derived fields are kept
 * in the record by crm, from its history and tasks */
enum {
	FID_TYPE = 0, FID_CREATED = 1, FID_LAST_CONTACT = 2,
	FID_INTERACTIONS = 3, FID_TURNOVER = 4, FID_NEXT_DUE = 5,
	FID_CLOSED = 6, FID_STAGES = 7, FID_FIRST = 8
};
extern const char *const crm_derived_names[];	/* by FID, from 2 */
#define IS_DERIVED(fid) ((fid) >= FID_LAST_CONTACT && (fid) < FID_FIRST)
#define TOKEN_BIT 0x8000	/* name-token keys live beside exact keys */
/* index keys of no field: open tasks by due time, by owner and due time;
 * open deals by the record they refer to */
enum { FID_OPEN_DUE = 0x7ff0, FID_OPEN_OWNER = 0x7ff1, FID_HIST = 0x7ff2,
	FID_OPEN_DEAL = 0x7ff3 };

const struct crm_type *crm_schema_type(const crm_schema *s, const char *name);
const struct crm_type *crm_schema_type_id(const crm_schema *s, unsigned tid);
const struct crm_field *crm_type_field(const struct crm_type *t,
    const char *name);
const struct crm_field *crm_type_field_id(const struct crm_type *t,
    unsigned fid);
/* The field whose values are stages (an enum with probabilities or
 * states), or NULL: crm keeps when each was reached. */
const struct crm_field *crm_type_stage(const struct crm_type *t);
/* The stage of that name, or NULL. */
const struct crm_enumval *crm_stage_val(const struct crm_field *f,
    const char *name);
/* May a deal (a record of a type with stages) refer to a record of type
 * t?  Then its records have open_deals. */
int crm_type_dealt(const crm_schema *s, const struct crm_type *t);
/* The closest name to a misspelt one, or NULL. */
const char *crm_schema_suggest(const crm_schema *s, const struct crm_type *t,
    const char *name);

/* The compiled schema kept beside the YAML, read at every start. */
void crm_schema_encode(const crm_schema *s, struct crm_buf *b);
int crm_schema_decode(crm_schema **sp, const void *blob, size_t len);

/* The store's dictionaries give each field and type name a lasting number. */
struct crm_dict {
	char **name;
	size_t n;
};
/* Number the schema's fields and types; new names are added to d. */
int crm_schema_bind(crm_schema *s, struct crm_dict *fields,
    struct crm_dict *types, int *grew);

/* record.c */
struct crm_val {
	unsigned fid;
	uint32_t off, len;	/* into the record's arena */
};

struct crm_checker;
struct crm_sums;

struct crm_rec {
	uint64_t id;
	const struct crm_type *type;
	const crm_schema *schema;
	int64_t created;
	struct crm_val *v;
	size_t n, alloc;
	struct crm_buf arena;
	struct crm_buf in, out;	/* scratch for checking values */
};
/* Check v against f's type and append its stored form to out. */
int crm_value_canon(const crm_schema *s, const struct crm_field *f,
    const char *v, struct crm_buf *out);
/* Is v (len bytes, NUL after) in the form f's type stores?  0, or an
 * error naming the field; b is scratch. */
int crm_value_fits(const crm_schema *s, const struct crm_field *f,
    const char *v, size_t len, struct crm_buf *b);
/* Do r's values of field fid, or of every field when fid is 0, fit the
 * types the schema gives them now?  0, or an error naming the field. */
int crm_rec_check_values(crm_rec *r, unsigned fid);
/* An empty record of no type yet; free with crm_rec_free(). */
crm_rec *crm_rec_alloc(void);
void crm_rec_encode(const crm_rec *r, struct crm_buf *out);
int crm_rec_decode(crm_rec *r, const crm_schema *s, uint64_t id,
    const void *p, size_t len);
/* crm_rec_set with the field looked up already (one of r's type's) */
int crm_rec_setf(crm_rec *r, const struct crm_field *f, const char *val,
    size_t len, enum crm_set_op op);
/* The i-th value of field fid, NUL-terminated; NULL past the last. */
const char *crm_rec_nth(const crm_rec *r, unsigned fid, size_t i,
    size_t *lenp);
void crm_rec_add_raw(crm_rec *r, unsigned fid, const char *s, size_t len);
void crm_rec_drop(crm_rec *r, unsigned fid);
/* Set field fid to values as the journal keeps them (joined by
 * commas for tags; empty: none). */
void crm_rec_set_raw(crm_rec *r, unsigned fid, const char *v, size_t len);
/* A removed record back, from its encoding in the journal. */
int crm_rec_revive(crm_txn *t, uint64_t id, const void *enc, size_t len);
/* A removed history entry back, from the journal. */
int crm_log_revive(crm_txn *t, const unsigned char *key, const void *val,
    size_t len);
/* A consent as kept ("yes 1764000000 web-form"): the length of its
 * word, and when and whence it came (0 and "" if not said). */
void crm_consent_split(const char *v, size_t *wlen, int64_t *at,
    const char **source);
/* As a person reads it: "yes (2026-11-23T10:00:00+00:00, web-form)". */
void crm_consent_text(struct crm_buf *out, const char *v);
/* A deal's closed as its stage says (won or lost: when it got there;
 * open: none): 1 if it changed. */
int crm_rec_reclose(crm_rec *r);
/* Do a and b hold the same values (derived figures aside)? */
int crm_rec_equal(const crm_rec *a, const crm_rec *b);
/* Remove the values of ref field fid that point at id. */
void crm_rec_unlink(crm_rec *r, unsigned fid, uint64_t id);
/* Call fn for each record that refers to record id, with the type and
 * the ref field it does so through, until fn returns other than 0. */
int crm_rec_referrers(crm_txn *t, uint64_t id, int (*fn)(crm_txn *t,
    uint64_t by, const struct crm_type *ty, const struct crm_field *f,
    void *arg), void *arg);
/*
 * Make nothing refer to record id but itself and the records in also
 * (as crm_rec_del): its tasks are removed, the references of others
 * cleared with CRM_DEL_UNLINK, else refused, the error ending in (hint).
 * Each change made is added to report, if not NULL, as a line "remove
 * ID" or "set ID FIELD".
 */
int crm_rec_unref(crm_txn *t, uint64_t id, unsigned flags,
    const struct crm_ids *also, const char *hint, struct crm_buf *report);

/* store.c */
struct crm_sorter;
struct crm_view;
struct crm_db {
	MDB_env *env;
	MDB_dbi meta, recs, idx, ranges, journal, log, logid;
	MDB_dbi oldidx;		/* a store's index as older crm kept it */
	char *dir;
	crm_schema *schema;
	struct crm_dict fields, types;
	struct crm_buf blob;	/* the compiled schema loaded */
	struct crm_buf command;
	unsigned flags;
	int64_t now;		/* fixed by --now, else 0: the clock */
	int lockfd;		/* writers queue on it, for a bounded time */
	int openfd;		/* shared while open; crm-compact's alone */
	struct crm_view *view;	/* who is looking; NULL: a store without users */
	int scratch;		/* dir is a store of CRM_SCRATCH's, to remove */
};

/* the tables a writer keeps a cursor on */
enum { WC_RECS, WC_LOG, WC_LOGID, WC_JOURNAL, WC_N };

struct crm_txn {
	crm_db *db;
	MDB_txn *txn;
	int write;
	uint64_t next_id, txn_id;
	uint32_t seq;		/* journal entries written in this txn */
	uint64_t create_first, create_n;	/* pending journal range */
	size_t line;
	int64_t now;		/* a write's time; a read's is --now's or 0 */
	struct crm_sorter *sorter;	/* index entries of new records */
	struct crm_sorter *moves;	/* derived times' entries, moved */
	uint32_t nmoves;
	struct crm_pend *pend;	/* companies' figures not yet written */
	/* a reader's cursors on the records and the history, kept between
	 * look-ups: LMDB finds a key near the last one without a descent
	 * from the root (crm_txn_cursor) */
	MDB_cursor *rcur, *lcur;
	uint64_t rcur_at;	/* the record rcur is on, if known */
	/* a writer's kept cursors (crm_txn_wcursor) */
	MDB_cursor *wcur[WC_N];
	/* lcur's last look-up: the records after lfrom and before lnext
	 * have no history (when lknown) */
	uint64_t lfrom, lnext;
	int lknown;
	/* a reader's cursor on the open deals in the index, and its last
	 * look-up: no record after dfrom and before dkey has one, and dkey
	 * has dn (when dknown); deals: 0 not known yet, 1 the index has no
	 * open deals (an older crm's), 2 it has */
	MDB_cursor *dcur;
	uint64_t dfrom, dkey;
	size_t dn;
	int dknown, deals;
	uint64_t ticks;		/* records or entries gone through */
	int dirty;		/* counters need writing */
	int forgot;		/* 0 not known yet, 1 no one forgotten, 2 some */
	int optouts;		/* 0 not known yet, 1 none, 2 some */
	/* deals' sums: 0 not known, 1 not kept, 2 kept, 3 not kept as one
	 * is beyond an int64_t */
	int roll;
	int hist;		/* the history's sums: the same */
	struct crm_sums *rpend, *hpend;	/* changes to those, waiting */
	const char *source;	/* where consents given now come from */
};

int crm_mdb_err(int rc, const char *what);
/* cli.c: the store a command opened, left for the exit to close */
extern crm_db *crm_cli_opened;
/* One more record or entry gone through: now and then the map's
 * pages are let go, so that memory stays flat over a store of any size. */
void crm_txn_tick(crm_txn *t);
/* A reader's kept cursor on dbi, *slot (t->rcur or t->lcur); NULL in a
 * write transaction, whose caller opens its own. */
MDB_cursor *crm_txn_cursor(crm_txn *t, MDB_dbi dbi, MDB_cursor **slot);
/*
 * A writer's kept cursor on a table, NULL when it cannot be opened (the
 * caller does without).  A put or look-up through it that lands on the
 * page of the last one is made there, without a descent from the root,
 * and an append after an append goes straight to the last page: a bulk
 * write in key order mostly does.  LMDB frees them with the transaction.
 */
MDB_cursor *crm_txn_wcursor(crm_txn *t, int table);
/* mdb_put into a table through the writer's kept cursor */
int crm_txn_put(crm_txn *t, int table, MDB_val *k, MDB_val *v,
    unsigned flags);
/* The name the store gave field number fid (also a former field's). */
const char *crm_db_field_name(crm_txn *t, unsigned fid);
/* The map size of a new store (the unit tests make it small). */
extern size_t crm_map_start;
/* The memory bound of the sort of new records' index keys (the unit
 * tests make it small). */
extern size_t crm_index_sort_mem;
/* A write compacts the store after it when it went through this many
 * records or entries and left a third of a file this large free (the
 * unit tests make them small). */
extern uint64_t crm_compact_ticks;
extern size_t crm_compact_min;
/* Big-endian numbers, so that keys sort as numbers. */
static inline void
crm_be64(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
#else
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
#endif
}

static inline uint64_t
crm_get_be64(const unsigned char *p)
{
	uint64_t v;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
#else
	int i;

	for (v = 0, i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
#endif
}

static inline void
crm_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t
crm_get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* index.c */
/* Append to keys the index keys of r, each as [u16 len][key]; the
 * stored entry is the key followed by the record's id (big-endian). */
void crm_index_keys(const crm_rec *r, struct crm_buf *keys);
/* Every id under index key k (exact) or keys starting with it. */
int crm_index_scan(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *out);
/* Add or remove r's index entries at once. */
int crm_index_put(crm_txn *t, const crm_rec *r);
/* Move r's entries from those of old, the same record before: only
 * the ones that differ. */
int crm_index_update(crm_txn *t, const crm_rec *old, const crm_rec *r);
/* The records whose time field fid (indexed as times) is in [lo, hi];
 * with max, it stops after max + 1 of them. */
int crm_index_range(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t max, struct crm_ids *out);
/* Move the entries of r's derived times (last_contact, next_due), from
 * those of old, or from keys made by crm_index_derived_keys. */
int crm_index_derived(crm_txn *t, const crm_rec *old, const crm_rec *r);
void crm_index_derived_keys(const crm_rec *r, struct crm_buf *keys);
int crm_index_derived_move(crm_txn *t, const struct crm_buf *old,
    const crm_rec *r);
/* Write r itself, no index, no journal. */
int crm_rec_write(crm_txn *t, const crm_rec *r);
int crm_index_del(crm_txn *t, const crm_rec *r);
/* Queue r's entries for crm_index_flush (new records: sorted, appended). */
int crm_index_defer(crm_txn *t, const crm_rec *r);
int crm_index_flush(crm_txn *t);
/* An index key: [u16 fid][folded value] */
void crm_index_key(struct crm_buf *k, unsigned fid, const char *v, size_t n);
/* The ids of a type's records, in id order; CRM_EABORT when there are
 * more than max (out then holds max of them). */
int crm_index_type(crm_txn *t, const char *type, size_t max,
    struct crm_ids *out);
/* Open tasks due up to until (of one owner, if given), by due time:
 * fn(task, due) for each the user may see. */
int crm_index_due(crm_txn *t, const char *owner, int64_t until,
    int (*fn)(uint64_t task, int64_t due, void *arg), void *arg);
/* The index of an older store (a key per entry, [key][n][id]) into
 * this one's tables. */
int crm_index_convert(crm_txn *t, MDB_dbi old);
/* The number of deals at an open stage (or none) that refer to record
 * id, whoever may see them, from the index; CRM_ENOTFOUND when the index
 * does not keep them (an older crm made it). */
int crm_index_open_deals(crm_txn *t, uint64_t id, size_t *n);
/* The same of r, read from the deals when the index does not keep them. */
int crm_open_deals_of(crm_txn *t, const crm_rec *r, size_t *n);

/*
 * open_deals of r.  Records asked for in id order, as a JSON Lines
 * output prints them, mostly need no look-up: the last one said that
 * none after it has any up to the next that has (t->dfrom, t->dkey).
 */
static inline int
crm_open_deals(crm_txn *t, const crm_rec *r, size_t *n)
{
	if (t->deals == 2 && t->dknown && r->id >= t->dfrom &&
	    r->id <= t->dkey) {
		*n = r->id == t->dkey ? t->dn : 0;
		return 0;
	}
	return crm_open_deals_of(t, r, n);
}
/* How many ids under the key k, or every key k begins (prefix). */
int crm_index_count(crm_txn *t, const struct crm_buf *k, int prefix,
    size_t *n);
/* History by campaign: the key of campaign and kind (a prefix of all
 * kinds without one); keep it as e is logged (sign 1) or removed (-1);
 * each entry's, queued in s (t's own queue if NULL: a rebuild, a check). */
void crm_index_hist_key(struct crm_buf *k, const char *campaign,
    const char *kind);
/* May the key hold them exactly (no control bytes, not too long)? */
int crm_index_hist_ok(const char *campaign, const char *kind);
int crm_index_hist(crm_txn *t, const struct crm_log *e, int sign);
int crm_index_hist_all(crm_txn *t, struct crm_sorter *s);
/* Of the sorted ids, those that had (has) or never had an entry under
 * the key k (every key it begins, with prefix): a company, whose history
 * holds its contact persons', is kept unless it had one itself, and
 * added to recheck, to be tested on the record. */
int crm_index_hist_keep(crm_txn *t, const struct crm_buf *k, int prefix,
    int has, struct crm_ids *ids, struct crm_ids *recheck);
/* The ids that had one, and the companies that had none of their own
 * (added to recheck). */
int crm_index_hist_ids(crm_txn *t, const struct crm_buf *k, int prefix,
    struct crm_ids *ids, struct crm_ids *recheck);
/* Of the sorted ids, those under the key k. */
int crm_index_keep(crm_txn *t, const struct crm_buf *k, struct crm_ids *ids);
/* Of the sorted ids, those whose time field fid is in [lo, hi]. */
int crm_index_range_keep(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    struct crm_ids *ids);
/* How many records' time field fid is in [lo, hi]. */
int crm_index_range_count(crm_txn *t, unsigned fid, int64_t lo, int64_t hi,
    size_t *n);
/* Rebuild every index from the records. */
int crm_index_rebuild(crm_txn *t);

/* sort.c: external sort of (key, tag) with bounded memory */
struct crm_sorter *crm_sorter_new(size_t membytes);
void crm_sorter_free(struct crm_sorter *s);
void crm_sorter_add(struct crm_sorter *s, const void *key, size_t klen,
    uint32_t tag);
size_t crm_sorter_count(const struct crm_sorter *s);
/* How many sorted runs went to the temporary file. */
size_t crm_sorter_runs(const struct crm_sorter *s);
/* Sort; then _next yields entries in order until CRM_ENOTFOUND. */
int crm_sorter_finish(struct crm_sorter *s);
int crm_sorter_next(struct crm_sorter *s, const void **key, size_t *klen,
    uint32_t *tag);
/* Empty it for reuse. */
void crm_sorter_reset(struct crm_sorter *s);

/* journal.c */
enum crm_jop { J_TXN = 'T', J_CREATE = 'C', J_SET = 'S', J_DEL = 'D',
	J_SCHEMA = 'Y', J_LOG = 'L', J_UNLOG = 'U', J_ERASED = 'E',
	J_FORGET = 'F' };
int crm_journal_create(crm_txn *t, uint64_t id);
int crm_journal_set(crm_txn *t, uint64_t id, unsigned fid,
    const struct crm_buf *old, const struct crm_buf *new);
int crm_journal_del(crm_txn *t, uint64_t id, const struct crm_buf *old);
int crm_journal_schema(crm_txn *t, const char *old, size_t len);
int crm_journal_flush(crm_txn *t);
/* A history entry added or removed: its id, its 24-byte key, its value. */
int crm_journal_log(crm_txn *t, enum crm_jop op, uint64_t id,
    const unsigned char *key, const struct crm_buf *val);
/* A task was written (old NULL: created) or removed (new NULL): keep the
 * next_due of the records it is about. */
int crm_task_changed(crm_txn *t, const crm_rec *old, const crm_rec *new);
/* Remove a record's whole history, each entry journalled. */
int crm_log_drop(crm_txn *t, uint64_t rec);
/* Write r whose derived figures changed (no journal, no index). */
int crm_rec_put_derived(crm_txn *t, const crm_rec *r);

/* log.c: every history entry as stored, its time from the key; and a
 * part of a stored entry by its tag (k kind, t text, a amount, o owner,
 * c campaign, d dir): 1 when found. */
int crm_log_scan_raw(crm_txn *t,
    int (*fn)(int64_t at, const void *val, size_t len, void *arg), void *arg);
int crm_log_part(const void *val, size_t len, int tag, const char **p,
    size_t *n);

/* log.c: call fn for each entry of r's history as crm_log_list shows it
 * (a company's holds its contact persons' the user may see), in no
 * order, until fn returns nonzero, which it returns. */
int crm_log_each(crm_txn *t, const crm_rec *r,
    int (*fn)(const struct crm_log *e, void *arg), void *arg);
/* log.c: move a record's history to another, ids kept, figures kept up
 * to date on both. */
int crm_log_move(crm_txn *t, uint64_t from, uint64_t to);
/* Count a record's figures (interactions, last_contact, turnover) anew
 * from its history, and its contacts' for a company. */
int crm_log_refigure(crm_txn *t, uint64_t rec);
/*
 * A bulk log rewrites each person once, but their company only when the
 * transaction is settled: before that company is read (crm_rec_load),
 * before records or the index are scanned, and before the commit.
 * crm_log_pending says whether id has figures waiting.
 */
int crm_log_settle(crm_txn *t);
int crm_log_pending(const crm_txn *t, uint64_t id);
void crm_log_pend_free(crm_txn *t);

/* rollup.c: deals summed by stage, furthest stage reached, month of
 * closing and currency, kept in meta as records change (crm_roll_changed,
 * beside crm_task_changed); crm_roll_settle counts them afresh when they
 * are not known to be complete (a store made before them, a schema
 * changed: crm_roll_invalidate).  crm_roll_each calls fn for each sum of
 * type ty; CRM_ENOTFOUND when the sums are not complete. */
struct crm_roll {
	char *stage, *reached, *month;	/* reached, month: "" for none */
	const char *currency;
	int64_t n, cents;
};
int crm_roll_changed(crm_txn *t, const crm_rec *old, const crm_rec *new);
void crm_roll_invalidate(crm_txn *t);
int crm_roll_settle(crm_txn *t);
int crm_roll_each(crm_txn *t, const struct crm_type *ty,
    int (*fn)(const struct crm_roll *row, void *arg), void *arg);
/* Are the kept sums those of the deals?  Each that is not, to ck. */
int crm_roll_check(crm_txn *t, struct crm_checker *ck);
/* The furthest stage r was ever at, lost stages aside (an index into
 * stage->vals), or -1. */
int crm_roll_reached(const struct crm_field *stage, const crm_rec *r);
/* The history summed by kind, hour since 1970 (UTC) and owner: entry e
 * added (sign 1) or removed (-1); each sum; a check; crm_roll_settle
 * writes the changes (crm_roll_free drops them). */
struct crm_hist {
	char *kind;
	const char *owner;	/* "" for none */
	int64_t hour, n, na, cents;	/* na: entries with an amount */
};
int crm_hist_changed(crm_txn *t, const struct crm_log *e, int sign);
void crm_hist_invalidate(crm_txn *t);
int crm_hist_each(crm_txn *t, int (*fn)(const struct crm_hist *row,
    void *arg), void *arg);
int crm_hist_check(crm_txn *t, struct crm_checker *ck);
void crm_roll_free(crm_txn *t);

/* users.c: the store's users, and the one using it now (CRM_EPERM when
 * not one of them, or CRM_USER would widen the view) */
int crm_view_load(crm_db *db, MDB_txn *txn);
void crm_view_free(crm_db *db);
/* The owner of a record, or NULL. */
const char *crm_view_owner(const crm_rec *r);
/* May the user change old (NULL: a new record) into r (NULL: remove)? */
int crm_may_write(crm_txn *t, const crm_rec *old, const crm_rec *r);

/* forget.c: is one of the e-mail addresses or phone numbers r has and
 * old (NULL: a new record) had not a forgotten person's?  (CRM_EINVAL,
 * saying so.) */
int crm_suppressed(crm_txn *t, const crm_rec *old, const crm_rec *r);
/* Keep the hashes of a forgotten person's addresses and numbers (of
 * field f, values joined by commas; or all of r's). */
int crm_suppress(crm_txn *t, const struct crm_field *f, const char *v,
    size_t n);
int crm_suppress_rec(crm_txn *t, const crm_rec *r);
/* What keeps the forgotten out, as an export gives it: fn is called with
 * "forgotten_key" and each secret the hashes are under (the store's own
 * first), then with "forgotten" and each hash, in hex.  Restore one so
 * given: a key becomes the store's own when it has none. */
int crm_forgotten_list(crm_txn *t,
    int (*fn)(const char *what, const char *hex, void *arg), void *arg);
int crm_forgotten_restore(crm_txn *t, const char *what, const char *hex);
/* record.c: the record *id was merged into, in *id; CRM_ENOTFOUND
 * when it was not. */
int crm_alias_next(crm_txn *t, uint64_t *id);
/* The ids of the records merged into id, added to out. */
int crm_merged_into(crm_txn *t, uint64_t id, struct crm_ids *out);
/* dupes.c: the uid and e-mail of a record merged into another, which
 * go on finding that one (see there).  Add one; call fn for each (the
 * values folded); drop them all (an undo, crm-forget); the merged id
 * a value names, CRM_ENOTFOUND if none. */
int crm_alias_keys_add(crm_txn *t, uint64_t alias, const char *field,
    const char *v, size_t n);
int crm_alias_keys(crm_txn *t, uint64_t alias,
    int (*fn)(const char *field, const char *value, void *arg), void *arg);
int crm_alias_keys_drop(crm_txn *t, uint64_t alias);
int crm_alias_find(crm_txn *t, const char *field, const char *v,
    uint64_t *alias);
/* log.c: 0 if kind is one of the schema's interaction kinds (nocase:
 * in any case), else CRM_EINVAL, the message naming the closest. */
int crm_kind_known(const crm_schema *s, const char *kind, int nocase);
/* Copy into keep the fields it has none of, and the tags it lacks. */
void crm_rec_fill(crm_rec *keep, const crm_rec *src);
/* Drop r's personal values; a required one reads "(forgotten)".  Those
 * dropped are added to gone (unless NULL) as crm_erased_add does. */
void crm_rec_scrub(crm_rec *r, struct crm_buf *gone);
/* Add the values v of field f (several joined by commas, as the journal
 * keeps them) to the list of values erased: for each, 'p' for a phone
 * number or 'v', the value, a NUL. */
void crm_erased_add(struct crm_buf *gone, const struct crm_field *f,
    const char *v, size_t n);
/* log.c: a history entry without its personal parts (text, free
 * fields); every entry of rec so. */
void crm_log_scrub(const void *val, size_t len, struct crm_buf *out);
int crm_log_erase(crm_txn *t, uint64_t rec);
/* history.c: the journal's entries about ids (sorted) without their
 * personal values, the commands of their transactions erased; the
 * tasks about them that were removed are added to ids and erased too.
 * A record gone that the journal does not keep is taken as of type
 * deftype.  The values erased are added to values (crm_erased_add).
 * And an entry saying rec was forgotten. */
int crm_journal_erase(crm_txn *t, struct crm_ids *ids,
    const struct crm_type *deftype, struct crm_buf *values);
int crm_journal_forget(crm_txn *t, uint64_t rec);
/* Record id as the journal kept it when it was last removed (caller
 * frees); CRM_ENOTFOUND if it never was. */
int crm_journal_removed(crm_txn *t, uint64_t id, crm_rec **rp);
/* store.c: each meta entry under prefix (the rest of its key, its
 * value); an address off the opt-out list. */
int crm_meta_list(crm_txn *t, const char *prefix,
    int (*fn)(const char *name, const char *value, void *arg), void *arg);
int crm_optout_del(crm_txn *t, const char *email);
/* A counter kept in meta (8 bytes, big-endian), or def. */
uint64_t crm_meta_u64(crm_txn *t, const char *key, uint64_t def);
/* A random secret of the store's under key: made on first use when
 * make is set and the transaction writes (CRM_ENOTFOUND otherwise). */
int crm_meta_secret(crm_txn *t, const char *key, int make,
    struct crm_buf *out);

/* log.c: a record's figures from its own history (added to f): how
 * many entries, the last one's time, the sum of its purchases */
struct crm_figures {
	int64_t n, last, sum;
	int over;		/* sum is beyond what an amount holds */
};
int crm_log_figures(crm_txn *t, uint64_t rec, struct crm_figures *f);
void crm_figures_add(struct crm_figures *to, const struct crm_figures *f);
/* Set r's interactions, last_contact and turnover to f. */
void crm_figures_set(crm_rec *r, const struct crm_figures *f);

/* check.c: what a check found; each part of the store is checked by
 * the file that writes it, and tells crm_bad() what is wrong. */
struct crm_checker {
	int (*fn)(uint64_t id, const char *msg, void *arg);
	void *arg;
	size_t n;		/* problems found */
	size_t fixable;		/* of them, those crm_repair() mends */
	int rc;			/* fn's, when it asked to stop */
	struct crm_buf msg;
};
void crm_bad(struct crm_checker *ck, uint64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Does a record of this id exist (not an alias)? */
int crm_rec_exists(crm_txn *t, uint64_t id);
/* Every history entry decodes, belongs to a record and is found by its
 * id; every id finds an entry. */
int crm_log_check(crm_txn *t, struct crm_checker *ck);
/* The journal decodes, in order, each transaction under its header. */
int crm_journal_check(crm_txn *t, struct crm_checker *ck);
/* Queue r's index entries in s; walk the index beside s, sorted,
 * telling ck of each entry only one side has. */
void crm_index_entries(const crm_rec *r, struct crm_sorter *s,
    uint32_t tag);
int crm_index_compare(crm_txn *t, struct crm_sorter *s,
    struct crm_checker *ck);
/* task.c: an open task's record and due time (0 if r is none) */
int crm_task_open(const crm_rec *r, uint64_t *about, int64_t *due);
/* Set a record's next_due from its open tasks. */
int crm_task_refresh(crm_txn *t, uint64_t about);

/* query.c: does a history query ask only for at (so an entry's time
 * is all it needs)? */
int crm_query_log_at_only(const crm_query *q);

/* find.c: ids to ids, by a hash (a pair's from is never 0: that marks
 * a free slot); a zeroed map is empty.  Put adds or replaces; get
 * gives the pair of from, or NULL. */
struct crm_idpair {
	uint64_t from, to;
};
struct crm_idmap {
	struct crm_idpair *v;
	size_t n, size;
};
void crm_idmap_put(struct crm_idmap *m, uint64_t from, uint64_t to);
const struct crm_idpair *crm_idmap_get(const struct crm_idmap *m,
    uint64_t from);
void crm_idmap_release(struct crm_idmap *m);

/* merge.c: the record an unsubscribe token names, if crm made it; else 0 */
uint64_t crm_token_record(crm_txn *t, const char *tok);

/* norm.c: a hash of n bytes, eight at a time, the low bits well mixed
 * (for tables).  crm-export keeps hashes of its cards in a vdir's list
 * (vdir.c), so it is the same on every machine and never changes. */
uint64_t crm_hash(const void *p, size_t n);

/* lazy.c: a shared object opened, a function of it found; both exit 127
 * when they cannot, as the dynamic loader would have */
void *crm_lazy_open(const char *so);
void *crm_lazy_sym(void *h, const char *so, const char *name);

/* value.c: the days in month m (1 to 12) of year y */
int crm_month_days(int y, int m);

/* varint.c */
void crm_put_varint(struct crm_buf *b, uint64_t v);
int crm_get_varint_long(const unsigned char **p, const unsigned char *end,
    uint64_t *v);
/* inline for the one byte most are: a record's decoding reads two a value */
static inline int
crm_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	if (*p < end && !(**p & 0x80)) {
		*v = *(*p)++;
		return 0;
	}
	return crm_get_varint_long(p, end, v);
}

/* record.c: does a JSON text hold a NUL, a byte or \u0000? */
int crm_json_nul(const char *s, size_t len);

#endif
