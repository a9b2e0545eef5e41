/* crm.h - the crm library: store, schema, records, formats */
#ifndef CRM_H
#define CRM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CRM_VERSION "0.1"

/* err.c */
/*
 * Every call that can fail returns an int: 0 on success, an errno value if
 * positive, a CRM_E* code if negative.  When a call fails for a reason the
 * user should read (bad input, a conflict), crm_errmsg() says what, without
 * the program name: "line 12: unknown field 'emial' (did you mean 'email'?)".
 */
enum {
	CRM_ENOTFOUND = -30900,	/* no such record or value; not an error */
	CRM_EINVAL,		/* bad input: see crm_errmsg() */
	CRM_EEXIST,		/* a unique value is taken: see crm_errmsg() */
	CRM_ENOSTORE,		/* the store does not exist yet */
	CRM_ESTORE,		/* the store failed: see crm_errmsg() */
	CRM_EABORT,		/* a write function undid its work (dry run) */
	CRM_EPERM,		/* the user may not: see crm_errmsg() */
};
const char *crm_strerror(int err);
/* The message of the last failure in this process; owned by the library. */
const char *crm_errmsg(void);
int crm_seterr(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int crm_vseterr(int err, const char *fmt, va_list ap);
/* Prefix the current message with "line N: " (or whatever fmt says). */
int crm_errprefix(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The exit status for an error code: 1 not found, 2 bad input, 3 store. */
int crm_exitcode(int err);

/* buf.c */
/*
 * A growable buffer; .buf is never NULL and always NUL-terminated.
 * crm_buf_release() frees and re-initialises; crm_buf_detach() hands the
 * memory to the caller, who frees it.
 */
struct crm_buf {
	char *buf;
	size_t len, alloc;
};
extern char crm_buf_slopbuf[];
#define CRM_BUF_INIT { crm_buf_slopbuf, 0, 0 }
void crm_buf_init(struct crm_buf *b, size_t hint);
void crm_buf_release(struct crm_buf *b);
char *crm_buf_detach(struct crm_buf *b, size_t *lenp);
void crm_buf_grow(struct crm_buf *b, size_t extra);
void crm_buf_setlen(struct crm_buf *b, size_t len);
void crm_buf_addstr(struct crm_buf *b, const char *s);
/* inline: the byte at a time of every encoder and printer */
static inline void
crm_buf_add(struct crm_buf *b, const void *p, size_t len)
{
	if (b->len + len + 1 > b->alloc)
		crm_buf_grow(b, len);
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = 0;
}
static inline void
crm_buf_reset(struct crm_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = 0;
}
static inline void
crm_buf_addch(struct crm_buf *b, int c)
{
	if (b->len + 2 > b->alloc)
		crm_buf_grow(b, 1);
	b->buf[b->len++] = (char)c;
	b->buf[b->len] = 0;
}
/* v in decimal, at least width digits (zeros before), NUL-ended in b;
 * its length.  Faster than snprintf where every entry needs it. */
size_t crm_i64toa(char b[24], int64_t v, int width);
void crm_buf_addf(struct crm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void crm_buf_vaddf(struct crm_buf *b, const char *fmt, va_list ap);
/* Allocation that cannot fail: out of memory aborts the process. */
void *crm_xmalloc(size_t n);
void *crm_xrealloc(void *p, size_t n);
void crm_mem_huge(void *p, size_t n);	/* advise huge pages for it */
void crm_heap_huge(void);		/* the heap too, from now on */
char *crm_xstrndup(const char *s, size_t n);
/* qsort(3)'s comparison of an array of strings (char *) */
int crm_strpcmp(const void *a, const void *b);

/* norm.c */
/*
 * Case and accent folding for look-ups ("Nováková" -> "novakova"), and the
 * name tokens that crm-find's prefix search uses.  Results are appended to
 * out.
 */
void crm_fold(struct crm_buf *out, const char *s, size_t len);
/* Append s in lower case (Unicode case folding, NFC), accents kept:
 * a domain or an address as mail compares it. */
void crm_casefold(struct crm_buf *out, const char *s, size_t len);
/* Are a and b one text once folded, as a query's = compares text (and
 * campaign names everywhere)? */
int crm_fold_eq(const char *a, const char *b);
/* Calls fn for each folded token of s; stops at the first non-zero. */
int crm_tokens(const char *s, size_t len,
    int (*fn)(const char *tok, size_t len, void *arg), void *arg);
/* Levenshtein distance, for "did you mean". */
size_t crm_distance(const char *a, const char *b);
/* Is s (len bytes) valid UTF-8 without NUL bytes? */
int crm_utf8_valid(const char *s, size_t len);

/* phone.c */
/*
 * Normalise a phone number to E.164 ("+421905123456") for the default
 * country cc (ISO 3166 alpha-2).  Returns 0, or CRM_EINVAL with a message.
 */
int crm_phone_norm(struct crm_buf *out, const char *s, const char *cc);
/* Is cc an ISO 3166 code crm knows the dialling rules of? */
int crm_phone_country_known(const char *cc);

/* value.c: the textual forms of typed values */
int crm_email_valid(const char *s);
/* Is s a date, YYYY-MM-DD or --MM-DD (a birthday without a year)? */
int crm_date_valid(const char *s);
/* Seconds since the epoch of an ISO 8601 date-time; CRM_EINVAL if bad. */
int crm_datetime_parse(const char *s, int64_t *t);
/*
 * The one parser of dates a person types: ISO 8601, now, today, tomorrow,
 * yesterday, weekday names (the next such day, today included), +3d,
 * -2w, +1m, +1y, +4h, eow, eom, and a day followed by a time ("fri
 * 10:00").  Local time; now is the moment relative dates count from.
 */
int crm_date_parse(const char *s, int64_t now, int64_t *t);
/* Format t as ISO 8601 in local time with its offset
 * ("2026-11-23T18:40:00+01:00"). */
void crm_datetime_fmt(struct crm_buf *out, int64_t t);
/* Amounts of money as ten-thousandths ("1840.5" -> 18405000), and back
 * with two decimals or four ("1840.50"): one form for each amount.
 * crm_money_read says what is wrong, naming what: not an amount, or one
 * beyond CRM_MONEY_MAX either way (what an int64_t holds). */
#define CRM_MONEY_MAX "922337203685477.5807"
int crm_money_parse(const char *s, int64_t *v);
int crm_money_read(const char *what, const char *s, int64_t *v);
void crm_money_fmt(struct crm_buf *out, int64_t v);
/* Escape a value for one-line output: \t \n \r \\. */
void crm_escape(struct crm_buf *out, const char *s, size_t len);

/* schema.c */
typedef struct crm_schema crm_schema;
/* Parse and check a YAML schema; on error, crm_errmsg() names the line. */
int crm_schema_parse(crm_schema **sp, const char *yaml, size_t len);
void crm_schema_free(crm_schema *s);
/* The default schema compiled into the library (schema/default.yaml). */
extern const char crm_schema_default[];
size_t crm_schema_ntypes(const crm_schema *s);
const char *crm_schema_typename(const crm_schema *s, size_t i);
/* Is name a type?  Sets a "did you mean" message when not. */
int crm_schema_hastype(const crm_schema *s, const char *name);
/* Field names of a type (or of every type, no repeats, when type is NULL),
 * in schema order; fn is called for each. */
void crm_schema_fields(const crm_schema *s, const char *type,
    void (*fn)(const char *name, void *arg), void *arg);
/* Is name a field of any type (or a pseudo-field: id, type, created)? */
int crm_schema_hasfield(const crm_schema *s, const char *name);

/* store.c */
typedef struct crm_db crm_db;
typedef struct crm_txn crm_txn;
enum crm_open_flags {
	CRM_RDONLY = 1 << 0,	/* read only; CRM_ENOSTORE when missing */
	CRM_NOCREATE = 1 << 1,	/* for writing, but CRM_ENOSTORE if missing */
	CRM_SCRATCH = 1 << 2,	/* when missing, an empty one that goes at
				 * crm_db_close (a dry run writes nothing) */
};
/*
 * The store's directory: dir if given, else $CRM_DB, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/crm.  The one place that reads the
 * environment.  Caller frees.
 */
char *crm_db_dir(const char *dir);
/* The user changes are journalled under: $CRM_USER, else the login name. */
const char *crm_user(void);
/* Installed setgid (or setuid): the shared store only, no overrides. */
int crm_secure(void);
/*
 * A file or directory a user names is opened as the user: with on, the
 * effective group becomes the real one, until crm_as_user(0) gives the
 * store's back.  Else a shared install's command would read or write,
 * for anyone, whatever its group may (the store's files themselves).
 */
void crm_as_user(int on);
extern const char crm_system_db[];	/* where the shared store is */
/* Open the store, creating it (0700/0600) unless CRM_RDONLY. */
int crm_db_open(crm_db **dbp, const char *dir, unsigned flags);
void crm_db_close(crm_db *db);
/* The command line recorded in the journal with each write. */
void crm_db_set_command(crm_db *db, int argc, char **argv);
const crm_schema *crm_db_schema(crm_db *db);
/* The store's own name, made when it was created (for iCalendar UIDs). */
int crm_db_uuid(crm_db *db, struct crm_buf *out);
/* Take now as the time of writes (records' created), not the clock. */
void crm_db_set_now(crm_db *db, int64_t now);
/* The schema's YAML text, as applied, appended to out. */
int crm_db_schema_text(crm_db *db, struct crm_buf *out);

/* A read-only transaction; end it with crm_txn_end(). */
int crm_read(crm_db *db, crm_txn **tp);
void crm_txn_end(crm_txn *t);
const crm_schema *crm_txn_schema(crm_txn *t);
/*
 * Run fn in one write transaction and commit it.  When the store's map is
 * full, the transaction is aborted, the map grown and fn run again from the
 * start: fn must not consume anything it cannot re-read (see crm_input).
 * Any failure aborts the whole transaction: the store is as before.
 */
typedef int crm_write_fn(crm_txn *t, void *arg);
int crm_write(crm_db *db, crm_write_fn *fn, void *arg);
/* The input line errors are reported against (0: none). */
void crm_txn_setline(crm_txn *t, size_t line);
/* Where the consents this transaction records come from (a web form, a
 * call); the command's name unless said. */
void crm_txn_set_source(crm_txn *t, const char *source);
/* Replace the store's schema (validated against every record). */
int crm_schema_apply(crm_txn *t, const char *yaml, size_t len);

/* record.c */
typedef struct crm_rec crm_rec;
/* A new empty record of a type; CRM_EINVAL if there is no such type. */
int crm_rec_new(crm_txn *t, const char *type, crm_rec **rp);
/* Load a record; CRM_ENOTFOUND when there is none.  Caller frees. */
int crm_rec_get(crm_txn *t, uint64_t id, crm_rec **rp);
/* Load a record into r, reusing its memory (r from crm_rec_get or
 * crm_rec_new); CRM_ENOTFOUND when there is none. */
int crm_rec_load(crm_txn *t, uint64_t id, crm_rec *r);
/* Reuse r for another record: drop all values, keep the type. */
void crm_rec_clear(crm_rec *r);
/* Make r a new record with the same values, given an id when put. */
void crm_rec_clear_id(crm_rec *r);
void crm_rec_free(crm_rec *r);
uint64_t crm_rec_id(const crm_rec *r);
const char *crm_rec_type(const crm_rec *r);
int64_t crm_rec_created(const crm_rec *r);
/* The first value of a field, NUL-terminated, owned by r; NULL if none. */
const char *crm_rec_value(const crm_rec *r, const char *field);
/*
 * Apply "field=value", "field=" (clear), "field+=value" or "field-=value"
 * (tags) to r, validating the value against the field's type.
 */
int crm_rec_assign(crm_rec *r, const char *expr);
enum crm_set_op { CRM_SET, CRM_ADD, CRM_DEL };
int crm_rec_set(crm_rec *r, const char *field, const char *val, size_t len,
    enum crm_set_op op);
/* Set the fields of one JSON object, e.g. a line of JSON Lines. */
int crm_rec_set_json(crm_rec *r, const char *json, size_t len);
/* Copy into r every field that src has, replacing r's values. */
void crm_rec_merge(crm_rec *r, const crm_rec *src);

/*
 * Write r: a record without an id is created (and given one), others are
 * updated.  Validates required fields, references and unique values,
 * keeps the indexes and writes the journal.  CRM_EEXIST when a unique
 * value belongs to another record (crm_errmsg() names it).
 */
int crm_rec_put(crm_txn *t, crm_rec *r);
/*
 * Write r as an export gave it: its own id and created time, its derived
 * figures and stages as they are in r; references are not checked (the
 * record they point at may come later: crm_rec_check_refs then).
 */
int crm_rec_restore(crm_txn *t, crm_rec *r);
int crm_rec_check_refs(crm_txn *t, const crm_rec *r);
/* Set r's id and created time (for crm_rec_restore). */
void crm_rec_set_id(crm_rec *r, uint64_t id, int64_t created);
/* Set a derived figure from its text in an export (last_contact, ...). */
int crm_rec_set_derived(crm_rec *r, const char *name, const char *v);
enum crm_del_flags {
	CRM_DEL_UNLINK = 1 << 0,	/* clear references to the record */
};
/*
 * Remove a record.  References to it from other records refuse the
 * removal (or are cleared, with CRM_DEL_UNLINK), except from records in
 * also (sorted; may be NULL): those go in the same command.
 */
struct crm_ids;
int crm_rec_del(crm_txn *t, uint64_t id, unsigned flags,
    const struct crm_ids *also);
/* The record holding a unique value of r (e.g. its e-mail), if any. */
int crm_rec_find_unique(crm_txn *t, const crm_rec *r, uint64_t *idp);

/* log.c: the contact history */
struct crm_log {
	uint64_t id;		/* the entry's own id, set when added */
	uint64_t rec;		/* the record it is about */
	int64_t at;
	const char *kind, *text, *amount, *owner, *campaign, *dir;
	const char *const *extra;	/* "key=value" */
	size_t nextra;
};
/*
 * Add e to the history of record e->rec (kind from the schema, amount
 * money, dir in or out), keeping its derived figures, and its company's,
 * up to date.  Sets e->id.
 */
extern const char *const crm_log_keys[];	/* an entry's own, NULL last */
int crm_log_add(crm_txn *t, struct crm_log *e);
/* Add an entry of an export as it was: its own id, no figures kept
 * (the record brings its own). */
int crm_log_restore(crm_txn *t, struct crm_log *e);
/* Call fn for a record's own history (not its contacts'), oldest first. */
int crm_log_own(crm_txn *t, uint64_t rec,
    int (*fn)(const struct crm_log *e, void *arg), void *arg);
/* Call fn for the history entry with this id; CRM_ENOTFOUND if none. */
int crm_log_get(crm_txn *t, uint64_t id,
    int (*fn)(const struct crm_log *e, void *arg), void *arg);
/* Remove a history entry by its id; the journal keeps it. */
int crm_log_del(crm_txn *t, uint64_t id);
/*
 * Call fn for the history of a record, newest first, at most max entries
 * (0: all); a company's history holds its contact persons' entries.  The
 * entry passed is valid during the call.
 */
int crm_log_list(crm_txn *t, uint64_t rec, size_t max,
    int (*fn)(const struct crm_log *e, void *arg), void *arg);
/* Call fn for every history entry of every record: by record, then
 * oldest first. */
int crm_log_scan(crm_txn *t,
    int (*fn)(const struct crm_log *e, void *arg), void *arg);

/* task.c: follow-ups */
/*
 * Call fn for each open task (of owner, or of anyone when NULL) due at or
 * before until, earliest first, with its id and due time.
 */
int crm_due(crm_txn *t, const char *owner, int64_t until,
    int (*fn)(uint64_t task, int64_t due, void *arg), void *arg);

/* query.c: the query language */
typedef struct crm_query crm_query;
/*
 * Parse a query; relative dates count from now.  On error, crm_errmsg()
 * points at the column: "query:1:23: expected a value after '>='".
 */
int crm_query_parse(crm_query **qp, const crm_schema *s, const char *text,
    int64_t now);
/* A query over history entries (kind, at, amount, text, owner,
 * campaign, dir), as inside count(). */
int crm_query_parse_log(crm_query **qp, const crm_schema *s,
    const char *text, int64_t now);
void crm_query_free(crm_query *q);
/* Does history entry l match a query made by crm_query_parse_log? */
int crm_query_match_log(const crm_query *q, const struct crm_log *l);
/* Does r match? */
int crm_query_match(crm_txn *t, const crm_query *q, const crm_rec *r);
/*
 * Call fn for every record that matches, in id order: from the most
 * selective index term, else from a scan.  plan, if given, gets how.
 */
int crm_query_run(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg);
/* The ids of the records that match, sorted: from the indexes alone
 * where they answer the whole query. */
int crm_query_ids(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    struct crm_ids *out);
/* How many records match q: from the index alone where one term is all
 * there is and the index answers it, else as crm_query_ids finds them. */
int crm_query_count(crm_txn *t, const crm_query *q, struct crm_buf *plan,
    size_t *n);

/* report.c: counts, sums and analyses over records or history entries */
enum crm_agg_op { CRM_AGG_COUNT, CRM_AGG_SUM, CRM_AGG_AVG, CRM_AGG_MIN,
	CRM_AGG_MAX, CRM_AGG_DISTINCT };
enum crm_analysis { CRM_REPORT_PLAIN, CRM_REPORT_FUNNEL, CRM_REPORT_FORECAST,
	CRM_REPORT_WIN_RATE, CRM_REPORT_CYCLE_TIME, CRM_REPORT_CHURN,
	CRM_REPORT_CAMPAIGN };
struct crm_report_spec {
	const char *type;	/* persons, deals, interactions, ... */
	const char *where;	/* a query, or NULL */
	const char *by;		/* "owner,at:week", or NULL */
	struct { enum crm_agg_op op; const char *field; } aggs[16];
	size_t naggs;
	enum crm_analysis analysis;
	const char *campaign;	/* --campaign NAME */
	int64_t window;		/* after a mailing, seconds */
	size_t top;		/* 0: every row */
	const char *sort;	/* a column, "-" first for descending */
	int64_t now;
};
/* A result: ncols columns (num: numbers, right-aligned), nrows rows of
 * cells (NULL: no value), the last ntotal of them totals. */
struct crm_table {
	char **col;
	unsigned char *num;
	size_t ncols, nkeys, first;	/* key columns, first aggregate */
	char **cell;
	size_t nrows, ntotal, fill;
	size_t matched;		/* rows of input counted */
};
int crm_report(crm_txn *t, const struct crm_report_spec *spec,
    struct crm_table **out);
void crm_table_free(struct crm_table *tb);

/* The store's own small facts (meta), by key: a value appended to out,
 * CRM_ENOTFOUND when there is none. */
int crm_meta_get(crm_txn *t, const char *key, struct crm_buf *out);
int crm_meta_put(crm_txn *t, const char *key, const char *val, size_t len);
int crm_meta_del(crm_txn *t, const char *key);

/* history.c: the journal read back, and undo */
struct crm_change {
	uint64_t txn;		/* the transaction */
	int64_t at;
	const char *user, *command;
	int op;			/* C created, S set, D removed, L logged,
				 * U unlogged, Y schema, E set but erased,
				 * F forgotten */
	uint64_t record;
	size_t count;		/* C: records made from record on */
	const char *field;	/* S: the field; L, U: the entry's id */
	const char *old, *new;	/* S: values; L, U: the entry's kind: text */
	struct crm_buf user_, command_;
};
struct crm_history_filter {
	uint64_t record, txn;	/* 0: any */
	int64_t since;		/* 0: any time */
	const char *user;
};
/* Call fn for each change the filter lets through, oldest first. */
int crm_history(crm_txn *t, const struct crm_history_filter *hf,
    int (*fn)(const struct crm_change *c, void *arg), void *arg);
/* Revert transaction txn: CRM_EEXIST, naming the later change, when
 * something changed its records since (unless force).  report gets a
 * line for each change made. */
int crm_undo(crm_txn *t, uint64_t txn, int force, struct crm_buf *report);

/* Users and who sees what (users.c).  Roles, widest first. */
enum { ROLE_ADMIN, ROLE_MANAGER, ROLE_REP };
extern const char *const crm_role_names[];
int crm_role_parse(const char *s);	/* -1 if none */
/* The role of the user now (admin in a store without users). */
int crm_view_role(const crm_db *db);
int crm_db_has_users(const crm_db *db);
/* May the user see r (its owner's, their team's, shared)? */
int crm_visible(crm_txn *t, const crm_rec *r);
int crm_visible_id(crm_txn *t, uint64_t id);
/* CRM_EPERM, saying why, unless the user has role or a wider one. */
int crm_require(crm_db *db, int role, const char *what);
int crm_user_put(crm_txn *t, const char *name, int role, const char *team);
int crm_user_get(crm_txn *t, const char *name, int *role,
    struct crm_buf *team);
int crm_user_del(crm_txn *t, const char *name);
int crm_user_list(crm_txn *t, int (*fn)(const char *name, const char *role,
    const char *team, void *arg), void *arg);

/* Is the store sound?  Each record decodes against the schema and its
 * references resolve; the index holds exactly the records' entries; the
 * derived figures are what the history and tasks say; the history and
 * the journal are whole.  fn is told each problem (id: the record it is
 * about, or 0; nonzero from fn stops); *n is how many were found.
 * CRM_EPERM for a user who is not an admin, in a store with users. */
int crm_check(crm_txn *t, int (*fn)(uint64_t id, const char *msg, void *arg),
    void *arg, size_t *n, size_t *fixable);
/* Rebuild the index and every derived figure from the records (the
 * problems crm_check() counts as fixable). */
int crm_repair(crm_txn *t);

/* Remove the journal's transactions made before a time, but those that
 * erased someone (their record of it stays): how many, and entries. */
int crm_journal_gc(crm_txn *t, int64_t before, size_t *ntxn, size_t *nent);
/* Erase on request what is held about a person (the record stays, its
 * personal fields, history text and journal values gone; its e-mail and
 * phone kept only as keyed hashes that keep it from coming back).  The
 * saved segments whose query holds an erased value are dropped, their
 * names appended to dropped, one a line. */
int crm_forget(crm_txn *t, uint64_t id, struct crm_buf *dropped);
/* Copy the store to one without free pages, and put it in place (the
 * file sizes before and after); the db is closed but for crm_db_close. */
int crm_compact(crm_db *db, uint64_t *before, uint64_t *after);

/* Saved segments: a name for a query, evaluated afresh each time. */
int crm_segment_get(crm_db *db, const char *name, struct crm_buf *out);
int crm_segment_save(crm_txn *t, const char *name, const char *query);
int crm_segment_drop(crm_txn *t, const char *name);
int crm_segment_list(crm_txn *t,
    int (*fn)(const char *name, const char *query, void *arg), void *arg);

/* Opt-outs: addresses never to mail, with why (opt-out, bounce). */
int crm_optout_add(crm_txn *t, const char *email, const char *why);
/* Each opt-out: the address, and "TIME WHY" (TIME in seconds). */
int crm_optout_list(crm_txn *t,
    int (*fn)(const char *email, const char *value, void *arg), void *arg);
/* An opt-out as an export gave it, with its time. */
int crm_optout_restore(crm_txn *t, const char *email, const char *why,
    int64_t at);
/* CRM_ENOTFOUND when the address may be mailed; else why not. */
int crm_optout_get(crm_txn *t, const char *email, struct crm_buf *why);

/* find.c: look-ups through the indexes */
struct crm_ids {
	uint64_t *v;
	size_t n, alloc;
};
void crm_ids_add(struct crm_ids *ids, uint64_t id);
void crm_ids_sort(struct crm_ids *ids);	/* sorted, no repeats */
int crm_ids_has(const struct crm_ids *ids, uint64_t id);	/* sorted */
/* Keep in a the ids that are also in b; both sorted. */
void crm_ids_intersect(struct crm_ids *a, const struct crm_ids *b);
void crm_ids_release(struct crm_ids *ids);
int crm_find_email(crm_txn *t, const char *email, struct crm_ids *out);
int crm_find_phone(crm_txn *t, const char *phone, struct crm_ids *out);
/* Records with name tokens starting with each of the term's tokens. */
int crm_find_name(crm_txn *t, const char *term, struct crm_ids *out);
/* Call fn for every record of a type, in id order; r is valid during
 * the call. */
int crm_scan(crm_txn *t, const char *type,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg);
/* Call fn for every record, of every type, in id order. */
int crm_scan_all(crm_txn *t,
    int (*fn)(crm_txn *t, const crm_rec *r, void *arg), void *arg);
/* Everything crm-find's TERM matches: names, e-mail, phone, company. */
int crm_find_term(crm_txn *t, const char *term, struct crm_ids *out);
/* Records whose field (a ref) points at id: a company's contacts. */
int crm_find_refs(crm_txn *t, const char *field, uint64_t id,
    struct crm_ids *out);
/*
 * Ids from operands, or one per line from stdin ("-", or no operands and
 * stdin not a terminal); text after the first tab or blank is ignored.
 */
int crm_ids_read(int argc, char **argv, struct crm_ids *out);

/* input.c: line input that can be read again after a retry */
typedef struct crm_input crm_input;
int crm_input_open(crm_input **ip, FILE *f);
void crm_input_close(crm_input *in);
/* The next line without its newline; CRM_ENOTFOUND at the end. */
int crm_input_line(crm_input *in, char **linep, size_t *lenp);
size_t crm_input_lineno(const crm_input *in);
/* How far into a file it has read, and of how much (0, 0: a pipe). */
void crm_input_progress(const crm_input *in, uint64_t *done,
    uint64_t *total);
int crm_input_rewind(crm_input *in);
/*
 * Several files, read one after another (a part each, opened in turn):
 * at the end of each, crm_input_line says CRM_ENOTFOUND, and
 * crm_input_next goes on to the next part (0), or says there is none
 * (CRM_ENOTFOUND); line numbers count from each part's start.  A rewind
 * goes back to the first.  crm_input_name: the part's file, NULL for an
 * input of crm_input_open.
 */
int crm_input_open_files(crm_input **ip, char *const *names, size_t n);
int crm_input_next(crm_input *in);
const char *crm_input_name(const crm_input *in);
/* crm_input_part: the number of the part being read (from 0);
 * crm_input_file: part k's file, and what fstat said of it when it was
 * opened last (zeros if it could not say); CRM_ENOTFOUND past them. */
struct stat;
size_t crm_input_part(const crm_input *in);
int crm_input_file(const crm_input *in, size_t k, const char **name,
    struct stat *st);
/* An unlinked temporary file in crm_tmpdir(), read and written. */
FILE *crm_tmpfile(void);
const char *crm_tmpdir(void);	/* $TMPDIR, else (and when shared) /tmp */
/* CSV (RFC 4180): the next record's fields, owned by the reader. */
struct crm_csv {
	char **field;
	size_t *len;
	size_t n;
	int delim;		/* detected from the first record */
	size_t line;		/* where the record starts */
	struct crm_buf rec;
	size_t *off, nalloc;
};
void crm_csv_init(struct crm_csv *c);
void crm_csv_release(struct crm_csv *c);
int crm_csv_read(crm_input *in, struct crm_csv *c);

/* vcard.c: vCard 2.1, 3.0 and 4.0 (RFC 2425, 2426, 6350), streaming */
struct crm_vparam {
	char *name, *value;	/* name upper-case; 2.1's bare "WORK" is
				 * TYPE=WORK */
};
struct crm_vprop {
	char *group;		/* "item1" of item1.EMAIL, or NULL */
	char *name;		/* upper-case: "EMAIL" */
	struct crm_vparam *param;
	size_t nparam;
	size_t param0;		/* (the reader's: where param starts) */
	char *value;		/* unfolded, quoted-printable decoded, in
				 * UTF-8; vCard's backslash escapes kept */
	size_t len;
	size_t line;		/* where the property starts */
};
struct crm_vblock;
/* A card's strings and parameters belong to it, until the next read. */
struct crm_vcard {
	struct crm_vprop *prop;
	size_t nprop, alloc;
	struct crm_vparam *params;	/* the properties' parameters */
	size_t nparams, palloc;
	struct crm_vblock *blocks, *cur;	/* the strings */
	char *version;		/* "2.1", "3.0", "4.0" */
	size_t line;		/* of its BEGIN:VCARD */
	struct crm_buf pending;	/* the reader's look-ahead line */
	int has_pending;
	/* the reader's line and value, kept from card to card */
	struct crm_buf cur_line, val;
};
/* The next card; CRM_ENOTFOUND at the end of the input; CRM_EINVAL
 * ("line N: ...") for a card it cannot read (the next call goes on after
 * it).  c starts zeroed and is reused; release it before reading the
 * input again from the start. */
int crm_vcard_read(crm_input *in, struct crm_vcard *c);
void crm_vcard_release(struct crm_vcard *c);
/* The nth (from 0) property called name (group ignored), or NULL. */
const struct crm_vprop *crm_vcard_get(const struct crm_vcard *c,
    const char *name, size_t nth);
/* Component n of a structured value (N, ADR, ORG: ';' apart), item n of
 * a list (CATEGORIES, NICKNAME: ',' apart) with sep ',', or with sep 0
 * the whole value; unescaped (\n is a newline, \x is x) and appended to
 * out; 0 when there is no such one.  Values may also hold real newlines
 * (from quoted-printable). */
int crm_vcard_part(const char *value, int sep, size_t n, struct crm_buf *out);
/* The component at s, unescaped, appended to out; where the next begins,
 * NULL when s was the last: component after component in one pass. */
const char *crm_vcard_next(const char *s, int sep, struct crm_buf *out);
/* Is parameter name=value on p (TYPE values compared case-blind, also
 * inside TYPE=a,b)? */
int crm_vprop_has(const struct crm_vprop *p, const char *name,
    const char *value);
/* PHOTO's value as a URI (base64 as a data: URI of its TYPE); the image
 * type ("jpeg", "png", "gif") of base64 data by its start, or NULL. */
void crm_photo_uri(const struct crm_vprop *p, struct crm_buf *out);
const char *crm_photo_type(const char *b64);
/* One content line: NAME;PARAMS:VALUE folded at 75 octets, CRLF (params
 * without the leading ';', NULL for none); the
 * value escaped as text unless raw (structured values, escaped by the
 * caller with crm_vcard_escape). */
void crm_vcard_line(struct crm_buf *b, const char *name, const char *params,
    const char *value, int raw);
void crm_vcard_escape(struct crm_buf *b, const char *s);

/* import.c: records from JSON Lines, CSV and vCard */
/* CRM_FROM_GUESS: the input says (see import.c), and from and preset
 * are set to what it is */
enum crm_import_from { CRM_FROM_JSONL, CRM_FROM_CSV, CRM_FROM_VCARD,
	CRM_FROM_GUESS };
struct crm_import {
	enum crm_import_from from;
	const char *type;	/* of CSV rows and cards (person) */
	const char *preset;	/* CSV headings: google, outlook, thunderbird */
	const char *map;	/* "Column=field,..." */
	char **ignore;		/* columns left out on purpose, "A,B" */
	size_t nignore;
	int extra;		/* unmapped columns into the note */
	int dry_run, skip_bad, photos;
	int restore;		/* set: an export into an empty store */
	size_t added, updated, unchanged, rejected;
	void (*reject)(size_t line, const char *why, void *arg);
	void (*report)(const char *what, uint64_t id, size_t line,
	    void *arg);
	void (*progress)(size_t line, void *arg);
	void *arg;
};
/* Import everything in (one transaction; see import.c for the rules). */
int crm_import_run(crm_db *db, crm_input *in, struct crm_import *im);
int crm_import_preset_known(const char *name);

/* export.c: a person's or a company's vCard (4.0, or 3.0 with v3),
 * appended to out; store is the store's name, for UIDs. */
int crm_vcard_of(crm_txn *t, const crm_rec *r, int v3, const char *store,
    struct crm_buf *out);
void crm_vcard_uid(const crm_rec *r, const char *store, struct crm_buf *out);
/* The id whose card crm_vcard_uid names by store's name (the UID with
 * "urn:uuid:" before it or not), 0 for a UID it did not make. */
uint64_t crm_vcard_uid_id(const char *uid, const char *store);

/* vdir.c: cards as files of a directory, DIR/UID.vcf, each written only
 * when it changed; with remove, the close also removes the files of an
 * earlier export that this one did not give, unless changed since (see
 * vdir.c).  The close frees v; a put that fails leaves nothing to
 * remove. */
typedef struct crm_vdir crm_vdir;
struct crm_vdir_counts {
	size_t cards, written, removed, kept;
};
int crm_vdir_open(crm_vdir **vp, const char *dir);
int crm_vdir_put(crm_vdir *v, const char *uid, const struct crm_buf *card);
int crm_vdir_close(crm_vdir *v, int remove, struct crm_vdir_counts *n);
/* The files in, read by an import that went into the store, are taken
 * in: in a directory an export keeps, its list says they may be written
 * over, but those with skip[k] set (a card rejected) */
int crm_vdir_took(const crm_input *in, const unsigned char *skip);
/* The files of args, a directory of them its *.vcf files (but hidden
 * ones) by name, as a list of names into *out (free each and it); each
 * must be a file one can read: CRM_EINVAL naming the one that is not. */
int crm_vdir_files(char *const *args, int nargs, char ***out, size_t *n);

/* dupes.c: one customer twice */
/* Call fn for each pair of records of type that look like one, score
 * at least min, best first, with the reasons ("same phone, similar
 * name").  Blocking on normalised keys, never all pairs. */
int crm_dupes(crm_txn *t, const char *type, double min,
    int (*fn)(uint64_t a, uint64_t b, double score, const char *why,
    void *arg), void *arg);
/* Merge drop into keep: fields keep lacks, tags, history, what points
 * at drop; drop's id becomes an alias of keep.  Journalled.  The ids
 * are set to the records they were (merged ids resolve). */
int crm_rec_merge_ids(crm_txn *t, uint64_t *keep, uint64_t *drop);

/* mail.c: addresses and files for mailings */
/* "Display Name" <address> (RFC 5322 3.4; UTF-8 names as RFC 6532);
 * a control character in the name is a blank. */
void crm_mailbox(struct crm_buf *out, const char *name, const char *email);
/* s (n bytes) with each control character (a line break, a tab, any
 * other below 0x20, DEL) as a blank, appended: text a header may hold. */
void crm_mail_blank(struct crm_buf *out, const char *s, size_t n);
/* One RFC 4180 field; a leading = + - @ is defused for spreadsheets. */
void crm_csv_field(struct crm_buf *out, const char *s);
/*
 * May r be sent marketing mail?  0 if so; CRM_ENOTFOUND with *why (static
 * text or the opt-out's reason, copied to why) when not.
 */
int crm_mail_ok(crm_txn *t, const crm_rec *r, struct crm_buf *why);

/* merge.c: mail merge; mime.c: messages through GMime (only the mail
 * commands link it) */
typedef struct crm_template crm_template;
/*
 * Read a template: an RFC 5322 message with %{field}, %{field|fallback},
 * %{if field}...%{end}, %{unsubscribe} and %%.  Every placeholder is
 * checked against the schema; errors name file:line.
 */
int crm_template_parse(crm_template **tp, const crm_schema *s,
    const char *file, const char *text, size_t len);
void crm_template_free(crm_template *tp);
/* The campaign's sending: renders, checks consent, sends, logs. */
struct crm_merge {
	const char *campaign;
	int send;		/* else an mbox on stdout */
	const char *sendmail;	/* a shell command line */
	double rate;		/* messages a minute, 0: no limit */
	int64_t now;
	size_t sent, skipped;
	/* a recipient left out, and why */
	void (*skip)(uint64_t id, const char *why, void *arg);
	void *arg;
};
/* Mail each of ids, in their order (each in its own write transaction
 * when sending); a record mailed earlier in the run, by the same id or
 * a merged one, counts as already sent. */
int crm_merge_run(crm_db *db, const crm_template *tp, struct crm_merge *m,
    const struct crm_ids *ids);
/* What crm-inbox did with a message: "bounced ADDR", ... lines. */
int crm_inbox(crm_db *db, const char *msg, size_t len, int add_leads,
    struct crm_buf *report);

struct crm_mailhdr {
	char *name, *value;
};
/* A message of these headers (UTF-8; RFC 2047 as needed), To the
 * recipient, a text/plain UTF-8 body. */
int crm_mime_build(const struct crm_mailhdr *h, size_t n,
    const char *to_name, const char *to_email, const char *body,
    struct crm_buf *out);
struct crm_inmail {
	char *from_name, *from_addr, *subject, *msgid;
	char **refs;		/* In-Reply-To, then References */
	size_t nrefs;
	char **to;		/* To and Cc, lower case */
	size_t nto;
	char **failed;		/* a DSN's failed recipients */
	size_t nfailed;
	int dsn;
};
int crm_mime_parse(const char *msg, size_t len, struct crm_inmail *in);
void crm_inmail_release(struct crm_inmail *in);
/* The first n hex digits of HMAC-SHA256(key, data), appended. */
void crm_mime_hmac(const char *key, const char *data, size_t n,
    struct crm_buf *out);

/* ical.c: iCalendar content lines */
/* "NAME:VALUE" folded at 75 octets, CRLF-ended; text values escaped. */
void crm_ical_prop(struct crm_buf *b, const char *name, const char *value,
    int text);
/* A time in UTC, basic format: 20261123T174000Z. */
void crm_ical_time(struct crm_buf *b, int64_t t);
/* A task as a VTODO (due 0: none; done tasks COMPLETED), about a record
 * (or NULL); uid is the store's name. */
void crm_ical_todo(struct crm_buf *cal, const crm_rec *task,
    const crm_rec *about, int64_t due, const char *uid);
/* A history entry (a meeting) as a VEVENT of an hour. */
void crm_ical_event(struct crm_buf *cal, const struct crm_log *e,
    const crm_rec *about, const char *uid);

/* output.c: one printer for every command */
struct crm_opts {
	const char *db;
	const char *format;
	const char *now;	/* --now: the moment dates count from */
	int json, nul, header;
};
typedef struct crm_out crm_out;
/*
 * A printer of records to stdout in the chosen form; cols are the default
 * tab-separated columns (fields or id, type, created), NULL-terminated.
 * A column named with a trailing '#' ("score#") is a number: crm_out_row
 * writes its values to JSON as numbers when they are.
 */
int crm_out_new(crm_out **op, const struct crm_opts *o, const crm_schema *s,
    const char *const *cols);
int crm_out_rec(crm_out *o, crm_txn *t, const crm_rec *r);
/* Is name a field a template or column list may use?  (what: for the
 * message, e.g. "--csv") */
int crm_field_check(const crm_schema *s, const char *name, const char *what);
/* A field of r as text, as lines print it (company.name follows refs). */
void crm_rec_text(crm_txn *t, const crm_rec *r, const char *field,
    struct crm_buf *out);
/* Bare ids, one a line (nul: NUL-ended), after an "id" line if header. */
int crm_print_ids(const struct crm_ids *ids, int nul, int header);
/* The records of ids that exist, each as crm_out_rec prints it. */
int crm_out_ids(crm_out *o, crm_txn *t, const struct crm_ids *ids);
/* A row of named values (the columns given to crm_out_new, in order;
 * NULL values are empty), in the same forms. */
int crm_out_row(crm_out *o, const char *const *values);
/* A history entry, in the same forms (columns id, at, record, kind,
 * text, amount, owner, campaign, dir). */
int crm_out_log(crm_out *o, const struct crm_log *e);
/* r as crm-export --to jsonl writes it: its JSON with its own
 * history, the lossless form crm-import reads back. */
int crm_out_export(crm_out *o, crm_txn *t, const crm_rec *r);
/* Everything held about a person, as one JSON object: the record and
 * its history, which fields are personal, consent and opt-outs, the
 * records referring to it, and every change to them all. */
int crm_out_subject(crm_out *o, crm_txn *t, const crm_rec *r);
/* Which store this is (store, its uuid), the opt-outs, the saved
 * segments and where lines of other stores' exports went, as lines
 * crm-import reads back. */
int crm_out_export_meta(crm_out *o, crm_txn *t, const char *store);
/* The card of crm-show: every field, and a company's contacts. */
int crm_out_card(crm_out *o, crm_txn *t, const crm_rec *r);
/* A table: on a terminal aligned, with its totals; else TSV with a
 * header; JSON Lines with json, CSV with csv; bars with chart. */
enum crm_table_form { CRM_TABLE_AUTO, CRM_TABLE_TSV, CRM_TABLE_ALIGNED,
	CRM_TABLE_JSON, CRM_TABLE_CSV };
int crm_table_print(const struct crm_table *tb, enum crm_table_form form,
    int chart);
/* How many records or entries it printed. */
size_t crm_out_count(const crm_out *o);
/* Flush stdout; an error writing it is returned (EIO or errno). */
int crm_out_free(crm_out *o);

/* cli.c: for cmd/ only; the one part of the library that prints or exits */
extern const char *crm_progname;
void crm_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void crm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Die with the exit status and message that go with err. */
void crm_fail(int err, const char *what) __attribute__((noreturn));
enum { CRM_OPT_DB = 256, CRM_OPT_VERSION, CRM_OPT_NOW, CRM_OPT_CMD };
#define CRM_SHORTOPTS "j0f:Hh"
#define CRM_LONGOPTS_NOVERSION \
	{ "db", 1, 0, CRM_OPT_DB }, { "json", 0, 0, 'j' }, \
	{ "format", 1, 0, 'f' }, { "header", 0, 0, 'H' }, \
	{ "help", 0, 0, 'h' }, { "now", 1, 0, CRM_OPT_NOW }
#define CRM_LONGOPTS CRM_LONGOPTS_NOVERSION, \
	{ "version", 0, 0, CRM_OPT_VERSION }
/*
 * Handle an option common to every command; returns 0 when c is not one.
 * -h prints usage to stdout and exits 0; a '?' exits 2 with usage.
 */
int crm_opt(struct crm_opts *o, int c, const char *arg, const char *usage);
void crm_usage(const char *usage) __attribute__((noreturn));
/* The moment relative dates count from: --now, else the clock. */
int64_t crm_now(const struct crm_opts *o);
/* A date the user typed, relative to crm_now(); dies with status 2. */
int64_t crm_date_or_die(const struct crm_opts *o, const char *what,
    const char *s);
/* A whole file ("-": stdin), NUL-terminated; dies with status 2. */
char *crm_slurp_or_die(const char *path, size_t *lenp);
/* Open the store for a command, or die with status 3. */
crm_db *crm_open_or_die(const struct crm_opts *o, unsigned flags,
    int argc, char **argv);
/*
 * A command is done with its store: it stays open for the exit to
 * release, which is cheaper than unmapping it by hand (that makes every
 * core drop the map's TLB entries: a tenth of a single crm-add).  A
 * store the command opens next closes it properly first.
 */
void crm_cli_done(crm_db *db);

#endif
