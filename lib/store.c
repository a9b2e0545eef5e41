/* store.c - the LMDB environment, transactions, counters */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pwd.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/*
 * The map is address space, not disk: the file grows only as pages are
 * used.  Starting large means few stores ever grow it; when one does,
 * the write is run again with a map twice the size.
 */
size_t crm_map_start = (size_t)1 << 30;

static int mapfull;

int
crm_mdb_err(int rc, const char *what)
{
	if (rc == MDB_MAP_FULL)
		mapfull = 1;
	if (rc == MDB_NOTFOUND)
		return CRM_ENOTFOUND;
	if (rc > 0)
		return crm_seterr(rc, "%s: %s", what, strerror(rc));
	return crm_seterr(CRM_ESTORE, "%s: %s", what, mdb_strerror(rc));
}

char *
crm_db_dir(const char *dir)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *e;

	/* installed setgid: the shared store, whatever one asks for */
	if (crm_secure())
		return strdup(crm_system_db);
	if (dir && *dir)
		return strdup(dir);
	if ((e = getenv("CRM_DB")) && *e)
		return strdup(e);
	if ((e = getenv("XDG_DATA_HOME")) && *e == '/') {
		crm_buf_addf(&b, "%s/crm", e);
	} else {
		if (!(e = getenv("HOME")) || !*e)
			return NULL;
		crm_buf_addf(&b, "%s/.local/share/crm", e);
	}
	return crm_buf_detach(&b, NULL);
}

int
crm_secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

void
crm_as_user(int on)
{
	static gid_t store = (gid_t)-1;

	if (!crm_secure())
		return;
	if (store == (gid_t)-1)
		store = getegid();
	/* to the real group and back to the saved one: never refused;
	 * if it were, going on as the wrong group is worse than stopping */
	if (setegid(on ? getgid() : store))
		abort();
}

const char *
crm_user(void)
{
	static char name[256];
	const char *e;
	struct passwd *pw;

	if (*name)
		return name;
	if ((e = getenv("CRM_USER")) && *e)
		snprintf(name, sizeof name, "%s", e);
	else if ((pw = getpwuid(getuid())))
		snprintf(name, sizeof name, "%s", pw->pw_name);
	else if ((e = getenv("USER")) && *e)
		snprintf(name, sizeof name, "%s", e);
	else
		snprintf(name, sizeof name, "%u", (unsigned)getuid());
	return name;
}

static int
mkdirs(const char *dir)
{
	struct crm_buf b = CRM_BUF_INIT;
	char *p;
	int rc = 0;

	crm_buf_addstr(&b, dir);
	for (p = b.buf + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = 0;
			if (mkdir(b.buf, crm_secure() ? 02770 : 0700) &&
			    errno != EEXIST) {
				rc = errno;
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	crm_buf_release(&b);
	return rc;
}

static int
get_meta(crm_db *db, MDB_txn *txn, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };

	return mdb_get(txn, db->meta, &k, v);
}

static int
put_meta(crm_db *db, MDB_txn *txn, const char *key, const void *p,
    size_t len)
{
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)p };
	int rc = mdb_put(txn, db->meta, &k, &v, 0);

	return rc ? crm_mdb_err(rc, "cannot write the store") : 0;
}

static void
dict_load(struct crm_dict *d, const MDB_val *v)
{
	const char *p = v->mv_data, *e = p + v->mv_size, *nl;

	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl)
			nl = e;
		d->name = crm_xrealloc(d->name, (d->n + 1) * sizeof *d->name);
		d->name[d->n++] = crm_xstrndup(p, (size_t)(nl - p));
		p = nl + 1;
	}
}

static void
dict_free(struct crm_dict *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->name[i]);
	free(d->name);
	d->name = NULL;
	d->n = 0;
}

static int
dict_save(crm_db *db, MDB_txn *txn, const char *key, struct crm_dict *d)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < d->n; i++) {
		if (i)
			crm_buf_addch(&b, '\n');
		crm_buf_addstr(&b, d->name[i]);
	}
	rc = put_meta(db, txn, key, b.buf, b.len);
	crm_buf_release(&b);
	return rc;
}

/* Bind a schema to the store's dictionaries, saving them if they grew. */
static int
bind(crm_db *db, MDB_txn *txn, crm_schema *s)
{
	MDB_val d;
	int grew, rc;

	dict_free(&db->fields);
	dict_free(&db->types);
	if (!get_meta(db, txn, "fields", &d))
		dict_load(&db->fields, &d);
	if (!get_meta(db, txn, "types", &d))
		dict_load(&db->types, &d);
	if ((rc = crm_schema_bind(s, &db->fields, &db->types, &grew)))
		return rc;
	if (!grew)
		return 0;
	if ((rc = dict_save(db, txn, "fields", &db->fields)) ||
	    (rc = dict_save(db, txn, "types", &db->types)))
		return rc;
	return 0;
}

/* Store schema s: the YAML text as written, and compiled. */
static int
save_schema(crm_db *db, MDB_txn *txn, const crm_schema *s, const char *text,
    size_t len)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	crm_schema_encode(s, &b);
	if (!(rc = put_meta(db, txn, "schema", text, len)))
		rc = put_meta(db, txn, "schema.bin", b.buf, b.len);
	crm_buf_release(&b);
	return rc;
}

/* The index: a key per value, its records' ids as sorted duplicates. */
#define POSTINGS (MDB_DUPSORT | MDB_DUPFIXED)

/* A store whose index is still one key per (value, id), as crm kept it
 * before: open_dbis opens the rest, and says so. */
#define OLD_INDEX 1
#define FOLD "2"	/* the folding of the index's keys (norm.c) */

static int
open_dbis(crm_db *db, MDB_txn *txn, unsigned f)
{
	int rc, old = 0;

	if ((rc = mdb_dbi_open(txn, "meta", f, &db->meta)) ||
	    (rc = mdb_dbi_open(txn, "records", f | MDB_INTEGERKEY,
	    &db->recs)))
		return rc;
	if (!(rc = mdb_dbi_open(txn, "postings", f | POSTINGS, &db->idx)))
		rc = mdb_dbi_open(txn, "ranges", f | POSTINGS, &db->ranges);
	if (rc == MDB_NOTFOUND && !(f & MDB_CREATE) &&
	    !mdb_dbi_open(txn, "index", 0, &db->oldidx)) {
		old = 1;
		rc = 0;
	}
	if (rc || (rc = mdb_dbi_open(txn, "journal", f, &db->journal)) ||
	    (rc = mdb_dbi_open(txn, "log", f, &db->log)) ||
	    (rc = mdb_dbi_open(txn, "logid", f | MDB_INTEGERKEY,
	    &db->logid)))
		return rc;
	return old ? OLD_INDEX : 0;
}

/* Load the compiled schema, unless the one loaded is still current. */
static int
load(crm_db *db, MDB_txn *txn)
{
	crm_schema *s;
	MDB_val v;
	int rc;

	if ((rc = get_meta(db, txn, "schema.bin", &v)))
		return crm_mdb_err(rc, "cannot read the schema");
	if (db->schema && v.mv_size == db->blob.len &&
	    !memcmp(v.mv_data, db->blob.buf, v.mv_size))
		return 0;
	if ((rc = crm_schema_decode(&s, v.mv_data, v.mv_size)))
		return rc;
	crm_schema_free(db->schema);
	db->schema = s;
	crm_buf_reset(&db->blob);
	crm_buf_add(&db->blob, v.mv_data, v.mv_size);
	return 0;
}

/* A name for this store that no other has: for iCalendar UIDs. */
static int
new_uuid(crm_db *db, MDB_txn *txn)
{
	unsigned char r[16];
	char hex[33];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i, n = f ? fread(r, 1, sizeof r, f) : 0;

	if (f)
		fclose(f);
	for (i = n; i < sizeof r; i++)
		r[i] = (unsigned char)(rand() ^ time(NULL) >> (i % 8));
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return put_meta(db, txn, "uuid", hex, 32);
}

static int
create(crm_db *db)
{
	MDB_txn *txn;
	crm_schema *s;
	MDB_val v;
	int rc;

	if ((rc = mdb_txn_begin(db->env, NULL, 0, &txn)))
		return crm_mdb_err(rc, "cannot write the store");
	if ((rc = open_dbis(db, txn, MDB_CREATE))) {
		rc = crm_mdb_err(rc, "cannot create the store");
		goto abort;
	}
	/* another process may have made it meanwhile */
	if (get_meta(db, txn, "schema.bin", &v) == MDB_NOTFOUND) {
		size_t len = strlen(crm_schema_default);

		if ((rc = crm_schema_parse(&s, crm_schema_default, len)))
			goto abort;
		rc = bind(db, txn, s);
		if (!rc)
			rc = save_schema(db, txn, s, crm_schema_default, len);
		crm_schema_free(s);
		if (rc || (rc = put_meta(db, txn, "version", "1", 1)) ||
		    (rc = put_meta(db, txn, "index:type", "1", 1)) ||
		    (rc = put_meta(db, txn, "index:hist", "1", 1)) ||
		    (rc = put_meta(db, txn, "index:deals", "1", 1)) ||
		    (rc = put_meta(db, txn, "index:fold", FOLD, 1)) ||
		    (rc = new_uuid(db, txn)))
			goto abort;
	}
	if ((rc = load(db, txn)))
		goto abort;
	if ((rc = mdb_txn_commit(txn)))
		return crm_mdb_err(rc, "cannot write the store");
	return 0;
abort:
	mdb_txn_abort(txn);
	return rc;
}

/*
 * Room to grow: at least crm_map_start, and three times as much again as
 * the store holds.  A write that finds the map full is run again from
 * the start in a larger one, which doubled a bulk change's time when a
 * store just compacted had half as much again only.  The map is address
 * space, not memory or disk; where there is not that much of it, half as
 * much again will do.  Set before open, a size smaller than the data
 * would be cut to fit the data exactly, and the first write would find
 * the map full; so it is set once the store's own size is known.
 */
static size_t
used_bytes(crm_db *db, size_t *mapsize)
{
	MDB_envinfo info;
	MDB_stat st;

	mdb_env_info(db->env, &info);
	mdb_env_stat(db->env, &st);
	*mapsize = info.me_mapsize;
	return (info.me_last_pgno + 1) * (size_t)st.ms_psize;
}

static int
headroom(crm_db *db)
{
	size_t map, used = used_bytes(db, &map), want, least;

	least = used + used / 2;
	want = used <= SIZE_MAX / 4 ? 4 * used : least;
	if (want < crm_map_start)
		want = crm_map_start;
	if (want <= map || !mdb_env_set_mapsize(db->env, want))
		return 0;
	return least <= map ? 0 : mdb_env_set_mapsize(db->env, least);
}

static int hold(crm_db *db, int op);

static int
open_env(crm_db *db, const char *dir, unsigned flags)
{
	mdb_mode_t mode = crm_secure() ? 0660 : 0600;
	int rc;

	if ((rc = mdb_env_create(&db->env)) ||
	    (rc = mdb_env_set_maxdbs(db->env, 16)))
		return rc;
	rc = mdb_env_open(db->env, dir, flags & CRM_RDONLY ? MDB_RDONLY : 0,
	    mode);
	/* a store made read-only (chmod a-w) has a lock file one may not
	 * write either: read it without one, as no one writes it */
	if (rc == EACCES && (flags & CRM_RDONLY)) {
		mdb_env_close(db->env);
		db->env = NULL;
		if ((rc = mdb_env_create(&db->env)) ||
		    (rc = mdb_env_set_maxdbs(db->env, 16)))
			return rc;
		rc = mdb_env_open(db->env, dir, MDB_RDONLY | MDB_NOLOCK, mode);
	}
	return rc;
}

/* The tables' handles, in an environment opened anew. */
static int
reattach(crm_db *db)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
		return crm_mdb_err(rc, "cannot open the store");
	/* commit: the handles outlive it */
	if ((rc = open_dbis(db, txn, 0)) && rc != OLD_INDEX) {
		mdb_txn_abort(txn);
		return crm_mdb_err(rc, "cannot open the store");
	}
	return (rc = mdb_txn_commit(txn)) ? crm_mdb_err(rc,
	    "cannot open the store") : 0;
}

/*
 * The old index (a key per value and id) into the new tables (a key per
 * value, its ids under it; times by day): their order is the same, so
 * every id appends.
 */
static int
convert_txn(crm_txn *t, void *arg)
{
	crm_db *db = t->db;
	int rc;

	(void)arg;
	/* another command may have converted it meanwhile (a handle the
	 * environment has already is not looked up again: ask for the
	 * new table, which this one has none of unless it is there) */
	rc = mdb_dbi_open(t->txn, "postings", POSTINGS, &db->idx);
	if (rc != MDB_NOTFOUND)
		return rc ? crm_mdb_err(rc, "cannot read the index") : 0;
	if ((rc = mdb_dbi_open(t->txn, "index", 0, &db->oldidx)) ||
	    (rc = mdb_dbi_open(t->txn, "postings", MDB_CREATE | POSTINGS,
	    &db->idx)) || (rc = mdb_dbi_open(t->txn, "ranges", MDB_CREATE |
	    POSTINGS, &db->ranges)))
		return crm_mdb_err(rc, "cannot convert the index");
	/* and who had which campaign, which older crm did not keep */
	if ((rc = crm_index_convert(t, db->oldidx)) ||
	    (rc = crm_index_hist_all(t, NULL)) ||
	    (rc = crm_meta_put(t, "index:hist", "1", 1)))
		return rc;
	return (rc = mdb_drop(t->txn, db->oldidx, 1)) ?
	    crm_mdb_err(rc, "cannot convert the index") : 0;
}

/*
 * The index anew, of a store whose names older crm folded otherwise
 * (Ł, Ø, Đ kept): the keys of a name, e-mail or city are the folding's;
 * or whose index does not hold the open deals by the records they refer
 * to, which older crm did not keep.
 */
static int
refold_txn(crm_txn *t, void *arg)
{
	struct crm_buf v = CRM_BUF_INIT;
	int rc;

	(void)arg;
	/* another command may have done it meanwhile */
	rc = crm_meta_get(t, "index:fold", &v);
	if (rc == CRM_ENOTFOUND && !(rc = crm_index_rebuild(t)))
		rc = crm_meta_put(t, "index:fold", FOLD, 1);
	else if (!rc && crm_meta_get(t, "index:deals", &v) == CRM_ENOTFOUND)
		rc = crm_index_rebuild(t);	/* with the open deals */
	crm_buf_release(&v);
	return rc;
}

/*
 * A store made by an older crm gets the new index the first time it is
 * opened (a reader opens it for writing to do so), and is opened anew.
 */
static int
convert(crm_db *db, const char *dir, int (*fn)(crm_txn *, void *))
{
	unsigned flags = db->flags;
	int rc;

	if (flags & CRM_RDONLY) {
		mdb_env_close(db->env);
		db->env = NULL;
		if ((rc = open_env(db, dir, flags & ~CRM_RDONLY)) ||
		    (rc = headroom(db)))
			rc = crm_seterr(CRM_ESTORE, "this store's index is "
			    "of an older crm's making, and converting it "
			    "needs a store one may write to (%s)",
			    rc > 0 ? strerror(rc) : mdb_strerror(rc));
		else
			rc = reattach(db);
		if (rc) {
			if (db->env)	/* for the caller to open anew */
				mdb_env_close(db->env);
			db->env = NULL;
			return rc;
		}
	}
	db->flags &= ~(unsigned)CRM_RDONLY;
	rc = crm_write(db, fn, NULL);
	db->flags = flags;
	mdb_env_close(db->env);
	db->env = NULL;
	return rc;
}

static void scratch_remove(const char *dir);

static char *scratch_left;	/* to remove at exit, however it comes */

static void
scratch_at_exit(void)
{
	if (scratch_left)
		scratch_remove(scratch_left);
}

/*
 * A store at *dir, or, when there is none, an empty one made in a
 * directory of its own for this process: *scratch, which *dir then is.
 */
static int
scratch_dir(const char **dir, char **scratch)
{
	struct crm_buf p = CRM_BUF_INIT;
	struct stat st;

	crm_buf_addf(&p, "%s/data.mdb", *dir);
	if (!stat(p.buf, &st) || crm_secure()) {
		crm_buf_release(&p);
		return 0;
	}
	crm_buf_reset(&p);
	crm_buf_addf(&p, "%s/crm-scratch.XXXXXX", crm_tmpdir());
	if (!mkdtemp(p.buf)) {
		int rc = crm_seterr(errno, "%s: %s", p.buf, strerror(errno));

		crm_buf_release(&p);
		return rc;
	}
	*dir = *scratch = crm_xstrndup(p.buf, p.len);
	if (!scratch_left) {
		scratch_left = crm_xstrndup(p.buf, p.len);
		atexit(scratch_at_exit);
	}
	crm_buf_release(&p);
	return 0;
}

/* The files of a scratch store, and its directory. */
static void
scratch_remove(const char *dir)
{
	struct crm_buf p = CRM_BUF_INIT;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			crm_buf_reset(&p);
			crm_buf_addf(&p, "%s/%s", dir, e->d_name);
			unlink(p.buf);
		}
		closedir(d);
	}
	rmdir(dir);
	crm_buf_release(&p);
}

int
crm_db_open(crm_db **dbp, const char *dir, unsigned flags)
{
	crm_db *db;
	MDB_txn *txn;
	struct stat st;
	int rc, dead, converted = 0, refolded = 0;
	char *scratch = NULL;

	*dbp = NULL;
	if ((flags & CRM_SCRATCH) && !(flags & CRM_RDONLY) &&
	    (rc = scratch_dir(&dir, &scratch)))
		return rc;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		if (flags & (CRM_RDONLY | CRM_NOCREATE))
			return CRM_ENOSTORE;
		if ((rc = mkdirs(dir)))
			return crm_seterr(rc, "%s", strerror(rc));
	}
	db = calloc(1, sizeof *db);
	db->dir = scratch ? scratch : strdup(dir);	/* dir: scratch's */
	db->scratch = scratch != NULL;
	db->flags = flags;
	db->lockfd = db->openfd = -1;
	crm_buf_init(&db->command, 0);
	crm_buf_init(&db->blob, 0);
	/* a shared install: files for the group, and no one else */
	if (crm_secure())
		umask(007);
	if ((rc = hold(db, LOCK_SH)))
		goto fail;
again:
	if ((rc = open_env(db, dir, flags)) ||
	    (!(flags & CRM_RDONLY) && (rc = headroom(db)))) {
		if (rc == ENOENT && (flags & (CRM_RDONLY | CRM_NOCREATE)))
			rc = CRM_ENOSTORE;
		else if (rc == EACCES || rc == EROFS)
			rc = crm_seterr(CRM_ESTORE, "the store is read-only "
			    "here (%s)", strerror(rc));
		else
			rc = crm_mdb_err(rc, "cannot open the store");
		goto fail;
	}
	mdb_reader_check(db->env, &dead);
	/* a reader's map is the size the last writer left: one that grew
	 * it since is followed */
	while ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)) ==
	    MDB_MAP_RESIZED)
		mdb_env_set_mapsize(db->env, 0);
	if (rc) {
		rc = crm_mdb_err(rc, "cannot read the store");
		goto fail;
	}
	rc = open_dbis(db, txn, 0);
	if (rc == OLD_INDEX && converted) {
		mdb_txn_abort(txn);
		rc = crm_seterr(CRM_ESTORE, "the store's index is of an older "
		    "crm's making, and stays so after converting it");
		goto fail;
	}
	if (rc == OLD_INDEX) {
		/* the handles must outlive the transaction */
		if ((rc = load(db, txn))) {
			mdb_txn_abort(txn);
			goto fail;
		}
		if ((rc = mdb_txn_commit(txn))) {
			rc = crm_mdb_err(rc, "cannot read the store");
			goto fail;
		}
		if ((rc = convert(db, dir, convert_txn)))
			goto fail;
		converted = 1;
		goto again;
	}
	if (!rc) {
		MDB_val v;
		int refold;

		/* commit, not abort: the DBI handles must outlive it */
		if ((rc = load(db, txn)) || (rc = crm_view_load(db, txn))) {
			mdb_txn_abort(txn);
			goto fail;
		}
		/* and an older crm's index, without the open deals, anew */
		refold = get_meta(db, txn, "index:fold", &v) == MDB_NOTFOUND ||
		    get_meta(db, txn, "index:deals", &v) == MDB_NOTFOUND;
		if ((rc = mdb_txn_commit(txn))) {
			rc = crm_mdb_err(rc, "cannot read the store");
			goto fail;
		}
		if (refold && !refolded) {
			/* a reader of a store it may not write reads the
			 * index as it is: only names with those letters
			 * are looked up otherwise */
			refolded = 1;
			if ((rc = convert(db, dir, refold_txn)) &&
			    !(flags & CRM_RDONLY))
				goto fail;
			goto again;
		}
	} else {
		mdb_txn_abort(txn);
		if (rc != MDB_NOTFOUND) {
			rc = crm_mdb_err(rc, "cannot read the store");
			goto fail;
		}
		if (flags & (CRM_RDONLY | CRM_NOCREATE)) {
			rc = CRM_ENOSTORE;
			goto fail;
		}
		/* a shared store is root's to set up, with its first admin */
		if (crm_secure() && getuid() != 0) {
			rc = crm_seterr(CRM_EPERM, "this shared store has no "
			    "users yet: root adds its first admin (crm-user "
			    "add NAME --role admin)");
			goto fail;
		}
		if ((rc = create(db)))
			goto fail;
	}
	*dbp = db;
	return 0;
fail:
	crm_db_close(db);
	return rc;
}

void
crm_db_close(crm_db *db)
{
	if (!db)
		return;
	if (db == crm_cli_opened)
		crm_cli_opened = NULL;
	if (db->env)
		mdb_env_close(db->env);
	if (db->lockfd >= 0)
		close(db->lockfd);
	if (db->openfd >= 0)
		close(db->openfd);
	crm_view_free(db);
	crm_schema_free(db->schema);
	dict_free(&db->fields);
	dict_free(&db->types);
	crm_buf_release(&db->blob);
	crm_buf_release(&db->command);
	if (db->scratch)
		scratch_remove(db->dir);
	free(db->dir);
	free(db);
}

void
crm_db_set_command(crm_db *db, int argc, char **argv)
{
	int i;
	const char *p;

	crm_buf_reset(&db->command);
	for (i = 0; i < argc; i++) {
		if (i)
			crm_buf_addch(&db->command, ' ');
		if (argv[i][strspn(argv[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+.,:/@%")] ||
		    !*argv[i]) {
			crm_buf_addch(&db->command, '\'');
			for (p = argv[i]; *p; p++)
				if (*p == '\'')
					crm_buf_addstr(&db->command,
					    "'\\''");
				else
					crm_buf_addch(&db->command, *p);
			crm_buf_addch(&db->command, '\'');
		} else {
			crm_buf_addstr(&db->command, argv[i]);
		}
	}
}

void
crm_db_set_now(crm_db *db, int64_t now)
{
	db->now = now;
}

const crm_schema *
crm_db_schema(crm_db *db)
{
	return db->schema;
}

const crm_schema *
crm_txn_schema(crm_txn *t)
{
	return t->db->schema;
}

int
crm_read(crm_db *db, crm_txn **tp)
{
	crm_txn *t;
	int rc;

	*tp = NULL;
	t = calloc(1, sizeof *t);
	t->db = db;
	for (;;) {
		rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &t->txn);
		if (rc != MDB_MAP_RESIZED)
			break;
		mdb_env_set_mapsize(db->env, 0);
	}
	if (rc) {
		free(t);
		return crm_mdb_err(rc, "cannot read the store");
	}
	t->now = db->now;	/* a read stamps nothing: no clock read */
	*tp = t;
	return 0;
}

MDB_cursor *
crm_txn_cursor(crm_txn *t, MDB_dbi dbi, MDB_cursor **slot)
{
	if (t->write)
		return NULL;
	if (!*slot && mdb_cursor_open(t->txn, dbi, slot))
		*slot = NULL;
	return *slot;
}

static MDB_dbi
wtable(const crm_txn *t, int table)
{
	MDB_dbi dbi[WC_N] = { t->db->recs, t->db->log, t->db->logid,
		t->db->journal };

	return dbi[table];
}

MDB_cursor *
crm_txn_wcursor(crm_txn *t, int table)
{
	MDB_cursor **slot = &t->wcur[table];

	if (!*slot && mdb_cursor_open(t->txn, wtable(t, table), slot))
		*slot = NULL;
	return *slot;
}

int
crm_txn_put(crm_txn *t, int table, MDB_val *k, MDB_val *v, unsigned flags)
{
	MDB_cursor *c = crm_txn_wcursor(t, table);

	return c ? mdb_cursor_put(c, k, v, flags) :
	    mdb_put(t->txn, wtable(t, table), k, v, flags);
}

void
crm_txn_end(crm_txn *t)
{
	if (!t)
		return;
	/* a reader's cursors are closed by hand */
	if (t->rcur)
		mdb_cursor_close(t->rcur);
	if (t->lcur)
		mdb_cursor_close(t->lcur);
	if (t->dcur)
		mdb_cursor_close(t->dcur);
	if (t->txn)
		mdb_txn_abort(t->txn);
	crm_sorter_free(t->sorter);
	crm_sorter_free(t->moves);
	crm_log_pend_free(t);
	crm_roll_free(t);
	free(t);
}

void
crm_txn_set_source(crm_txn *t, const char *source)
{
	t->source = source;
}

void
crm_txn_setline(crm_txn *t, size_t line)
{
	t->line = line;
}

#define TRIM_EVERY 65536	/* records or entries between trims */

/*
 * A bulk write or a long walk reads the store through the map, and every
 * page it touched stayed in the process: a million interactions logged
 * into a large store held gigabytes.  Every so often the map's pages are
 * let go; the kernel keeps them cached, and a page touched again comes
 * back from there.  (The map is read-only and shared: nothing is lost.)
 */
static void
trim_map(MDB_env *env)
{
	unsigned long lo, hi, ino;
	struct stat st;
	mdb_filehandle_t fd;
	char line[512];
	FILE *f;

	/* LMDB does not say where its map is: the process's maps do, as
	 * the mapping of the data file's inode */
	if (mdb_env_get_fd(env, &fd) || fstat(fd, &st) ||
	    !(f = fopen("/proc/self/maps", "r")))
		return;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi,
		    &ino) == 3 && ino == (unsigned long)st.st_ino &&
		    strstr(line, "data.mdb"))
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	fclose(f);
}

#define HUGE_AFTER 4096	/* puts of a write before its heap goes huge */

void
crm_txn_tick(crm_txn *t)
{
	++t->ticks;
	if (t->write && t->ticks >= HUGE_AFTER && !(t->ticks % 64))
		crm_heap_huge();
	if (!(t->ticks % TRIM_EVERY))
		trim_map(t->db->env);
}

static uint64_t
meta_u64(crm_db *db, MDB_txn *txn, const char *key, uint64_t def)
{
	MDB_val v;

	if (get_meta(db, txn, key, &v) || v.mv_size != 8)
		return def;
	return crm_get_be64(v.mv_data);
}

uint64_t
crm_meta_u64(crm_txn *t, const char *key, uint64_t def)
{
	return meta_u64(t->db, t->txn, key, def);
}

int
crm_meta_secret(crm_txn *t, const char *key, int make, struct crm_buf *out)
{
	unsigned char r[32];
	size_t i;
	int rc = crm_meta_get(t, key, out);

	if (rc != CRM_ENOTFOUND || !make || !t->write)
		return rc;
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return crm_seterr(CRM_ESTORE, "no random bytes: %s",
		    strerror(errno));
	for (i = 0; i < sizeof r; i++)
		crm_buf_addf(out, "%02x", r[i]);
	return crm_meta_put(t, key, out->buf, out->len);
}

static int
finish(crm_txn *t)
{
	unsigned char b[8];
	int rc;

	if ((rc = crm_log_settle(t)) || (rc = crm_roll_settle(t)) ||
	    (rc = crm_index_flush(t)) || (rc = crm_journal_flush(t)))
		return rc;
	if (!t->dirty)
		return 0;
	crm_be64(b, t->next_id);
	if ((rc = put_meta(t->db, t->txn, "next_id", b, 8)))
		return rc;
	crm_be64(b, t->txn_id + (t->seq > 0));
	return put_meta(t->db, t->txn, "next_txn", b, 8);
}

static void
grow(crm_db *db)
{
	size_t map, used = used_bytes(db, &map), want;

	want = map * 2;
	if (want < used * 2)
		want = used * 2;
	mdb_env_set_mapsize(db->env, want);
}

/*
 * LMDB's writer lock waits for ever, and a writer stopped mid-way (a
 * suspended job, a hung pipe) would stall every cron job behind it.  So
 * writers first queue on a file lock, for CRM_WAIT seconds at most (60
 * unless set), and then give up with an error that says why.  Every
 * command also holds a shared lock on another file while it has the
 * store open, which crm-compact takes alone to put a new file in place.
 */
static long
wait_limit(void)
{
	const char *w = getenv("CRM_WAIT");

	return w && *w ? strtol(w, NULL, 10) : 60;
}

/* flock(fd, op) within CRM_WAIT seconds: 0, or an errno (ETIMEDOUT). */
static int
lock_within(int fd, int op)
{
	struct timespec nap = { 0, 1000000 }, start, now;
	long limit = wait_limit();
	int waited = 0;

	while (flock(fd, op | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return errno;
		/* the clock only once there is a wait: the lock is free
		 * at nearly every start, which then reads no clock */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!waited++)
			start = now;
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec -
		    start.tv_nsec) / 1000000 >= limit * 1000)
			return ETIMEDOUT;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 64000000)
			nap.tv_nsec *= 2;
	}
	return 0;
}

/* A lock file of the store's, opened once: 0 or an errno. */
static int
lock_file(crm_db *db, const char *name, int *fdp)
{
	struct crm_buf path = CRM_BUF_INIT;
	int e = 0;

	if (*fdp >= 0)
		return 0;
	crm_buf_addf(&path, "%s/%s", db->dir, name);
	*fdp = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC,
	    crm_secure() ? 0660 : 0600);
	if (*fdp < 0 && (errno == EROFS || errno == EACCES)) {
		e = errno;	/* the reason, if it is not there either */
		*fdp = open(path.buf, O_RDONLY | O_CLOEXEC);
		if (*fdp >= 0 || errno != ENOENT)
			e = 0;
	}
	if (*fdp < 0 && !e)
		e = errno;
	crm_buf_release(&path);
	return e;
}

static int
queue(crm_db *db)
{
	int e;

	if ((e = lock_file(db, "write.lock", &db->lockfd)))
		return e == EROFS || e == EACCES ? crm_seterr(CRM_ESTORE,
		    "the store is read-only here (%s)", strerror(e)) :
		    crm_seterr(CRM_ESTORE, "cannot lock the store: %s",
		    strerror(e));
	if ((e = lock_within(db->lockfd, LOCK_EX)) == ETIMEDOUT)
		return crm_seterr(CRM_ESTORE, "the store is busy: another "
		    "command has been writing to it for %ld s (CRM_WAIT "
		    "says how long to wait)", wait_limit());
	return e ? crm_seterr(CRM_ESTORE, "cannot lock the store: %s",
	    strerror(e)) : 0;
}

/* Held shared while the store is open; alone by crm-compact. */
static int
hold(crm_db *db, int op)
{
	int e;

	if ((e = lock_file(db, "open.lock", &db->openfd)))
		return db->flags & CRM_RDONLY ? 0 : e == EROFS || e == EACCES ?
		    crm_seterr(CRM_ESTORE, "the store is read-only here (%s)",
		    strerror(e)) : crm_seterr(CRM_ESTORE, "cannot lock the "
		    "store: %s", strerror(e));
	if ((e = lock_within(db->openfd, op)) == ETIMEDOUT)
		return crm_seterr(CRM_ESTORE, op == LOCK_SH ? "the store "
		    "is being compacted, for over %ld s now (CRM_WAIT says "
		    "how long to wait)" : "the store is in use, for over "
		    "%ld s now (CRM_WAIT says how long to wait)",
		    wait_limit());
	return e ? crm_seterr(CRM_ESTORE, "cannot lock the store: %s",
	    strerror(e)) : 0;
}

/* LMDB tells a short write (a full disk) as an I/O error: is it so? */
static int
full(crm_db *db)
{
	struct statvfs sv;

	return !statvfs(db->dir, &sv) && (uint64_t)sv.f_bavail * sv.f_frsize <
	    (uint64_t)1 << 20;
}

static int write_txn(crm_db *db, crm_write_fn *fn, void *arg,
    uint64_t *ticks);
static int autocompact(crm_db *db, uint64_t ticks);

int
crm_write(crm_db *db, crm_write_fn *fn, void *arg)
{
	uint64_t ticks = 0;
	int rc;

	if (db->flags & CRM_RDONLY)
		return crm_seterr(CRM_ESTORE, "the store is open read-only");
	if ((rc = queue(db)))
		return rc;
#ifdef M_TRIM_THRESHOLD
	/* LMDB takes a page from malloc for each page it changes and frees
	 * them at the commit: handing them back to the kernel each time a
	 * bulk write frees a batch cost a tenth of its time */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
	rc = write_txn(db, fn, arg, &ticks);
	if (!rc)
		rc = autocompact(db, ticks);
	flock(db->lockfd, LOCK_UN);
	return rc;
}

static int
write_txn(crm_db *db, crm_write_fn *fn, void *arg, uint64_t *ticks)
{
	crm_txn t;
	int rc;

	for (;;) {
		memset(&t, 0, sizeof t);
		t.db = db;
		t.write = 1;
		mapfull = 0;
		rc = mdb_txn_begin(db->env, NULL, 0, &t.txn);
		if (rc == MDB_MAP_RESIZED) {
			mdb_env_set_mapsize(db->env, 0);
			continue;
		}
		if (rc)
			return crm_mdb_err(rc, "cannot write the store");
		/* a shared install keeps true times in its journal */
		t.now = db->now && !crm_secure() ? db->now :
		    (int64_t)time(NULL);
		t.next_id = meta_u64(db, t.txn, "next_id", 1);
		t.txn_id = meta_u64(db, t.txn, "next_txn", 1);
		/* another process may have changed the schema meanwhile */
		rc = load(db, t.txn);
		if (!rc)
			rc = fn(&t, arg);
		if (!rc)
			rc = finish(&t);
		crm_log_pend_free(&t);
		crm_roll_free(&t);
		crm_sorter_free(t.moves);
		t.moves = NULL;
		if (!rc) {
			crm_sorter_free(t.sorter);
			t.sorter = NULL;
			rc = mdb_txn_commit(t.txn);
			t.txn = NULL;
			*ticks = t.ticks;
			if (!rc)
				return 0;
			rc = (rc == EIO || rc == ENOSPC) && full(db) ?
			    crm_seterr(CRM_ESTORE, "cannot "
			    "commit: no space left on the disk of %s",
			    db->dir) : crm_mdb_err(rc, "cannot commit");
		}
		if (t.txn)
			mdb_txn_abort(t.txn);
		crm_sorter_free(t.sorter);
		if (!mapfull)
			return rc;
		grow(db);
	}
}

/* Would r still be a valid record under schema n?  Says why not. */
static int
fits(const crm_rec *r, const crm_schema *n)
{
	const struct crm_type *nt = crm_schema_type(n, r->type->name);
	unsigned long long id = (unsigned long long)r->id;
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;
	int rc = 0;

	if (!nt)
		return crm_seterr(CRM_EINVAL, "record %llu is a %s, a type "
		    "the new schema lacks", id, r->type->name);
	for (i = 0; i < r->n && !rc; i++) {
		const struct crm_field *of = crm_type_field_id(r->type,
		    r->v[i].fid);
		const struct crm_field *nf;
		const char *v = r->arena.buf + r->v[i].off;

		if (!of)
			continue;
		if (!(nf = crm_type_field(nt, of->name))) {
			rc = crm_seterr(CRM_EINVAL, "record %llu: field '%s' "
			    "holds '%s' but the new schema drops it", id,
			    of->name, v);
			break;
		}
		if (nf->type == of->type && nf->type != FT_ENUM &&
		    (nf->type != FT_REF || !nf->to || (of->to &&
		    !strcmp(of->to, nf->to))))
			continue;
		/* times and references are stored in forms of their own */
		if (nf->type == FT_DATETIME || of->type == FT_DATETIME ||
		    nf->type == FT_REF || of->type == FT_REF) {
			rc = crm_seterr(CRM_EINVAL, "record %llu: field '%s' "
			    "holds a value, and a %s cannot become a %s%s%s",
			    id, of->name, crm_ftype_names[of->type],
			    crm_ftype_names[nf->type], nf->to ? " to " : "",
			    nf->to ? nf->to : "");
			break;
		}
		if (nf->type != FT_TAGS && crm_rec_nth(r, r->v[i].fid, 1,
		    NULL)) {
			rc = crm_seterr(CRM_EINVAL, "record %llu: field '%s' "
			    "holds several values, and a %s holds one", id,
			    of->name, crm_ftype_names[nf->type]);
			break;
		}
		crm_buf_reset(&b);
		if (crm_value_canon(n, nf, v, &b) || strcmp(b.buf, v))
			rc = crm_seterr(CRM_EINVAL, "record %llu: field '%s' "
			    "holds '%s', which is not a valid %s", id,
			    of->name, v, crm_ftype_names[nf->type]);
	}
	for (i = 0; i < nt->nfields && !rc; i++) {
		const struct crm_field *nf = &nt->fields[i];
		const struct crm_field *of = crm_type_field(r->type, nf->name);

		if ((nf->flags & FF_REQUIRED) &&
		    (!of || !crm_rec_nth(r, of->fid, 0, NULL)))
			rc = crm_seterr(CRM_EINVAL, "record %llu has no '%s', "
			    "which the new schema requires", id, nf->name);
	}
	crm_buf_release(&b);
	return rc;
}

int
crm_schema_apply(crm_txn *t, const char *yaml, size_t len)
{
	crm_db *db = t->db;
	crm_schema *n, *old = db->schema;
	crm_rec *r;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = crm_require(db, ROLE_ADMIN, "changing the schema")))
		return rc;
	r = crm_rec_alloc();

	if ((rc = crm_schema_parse(&n, yaml, len)))
		goto out;
	/* the new names are numbered before the records are checked */
	if ((rc = bind(db, t->txn, n)))
		goto out;
	if ((rc = crm_log_settle(t)))
		goto out;
	if ((rc = mdb_cursor_open(t->txn, db->recs, &c))) {
		rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		uint64_t id;

		memcpy(&id, k.mv_data, sizeof id);
		if ((rc = crm_rec_decode(r, old, id, v.mv_data, v.mv_size)) ||
		    (rc = fits(r, n)))
			break;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND) {
		if (rc != CRM_EINVAL && rc != CRM_ESTORE)
			rc = crm_mdb_err(rc, "cannot read the records");
		goto out;
	}
	if ((rc = get_meta(db, t->txn, "schema", &v))) {
		rc = crm_mdb_err(rc, "cannot read the schema");
		goto out;
	}
	if ((rc = crm_journal_schema(t, v.mv_data, v.mv_size)) ||
	    (rc = save_schema(db, t->txn, n, yaml, len)))
		goto out;
	db->schema = n;
	n = NULL;
	crm_buf_reset(&db->blob);	/* the next load reads it anew */
	rc = crm_index_rebuild(t);
	/* stages may have moved: the deals' sums are counted anew */
	crm_roll_invalidate(t);
	/* records handed out under the old schema may still point into it */
	crm_schema_free(old);
out:
	crm_schema_free(n);
	crm_rec_free(r);
	return rc;
}

/* A meta value copied out, in a read transaction of its own; def when
 * the store has none. */
static int
meta_copy(crm_db *db, const char *key, struct crm_buf *out, const char *def)
{
	MDB_txn *txn;
	MDB_val v;
	int rc;

	if ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
		return crm_mdb_err(rc, "cannot read the store");
	if (!(rc = get_meta(db, txn, key, &v)))
		crm_buf_add(out, v.mv_data, v.mv_size);
	else if (rc == MDB_NOTFOUND && def)
		crm_buf_addstr(out, def), rc = 0;
	else
		rc = crm_mdb_err(rc, "cannot read the store");
	mdb_txn_abort(txn);
	return rc;
}

int
crm_db_schema_text(crm_db *db, struct crm_buf *out)
{
	return meta_copy(db, "schema", out, NULL);
}

int
crm_db_uuid(crm_db *db, struct crm_buf *out)
{
	/* stores made before stores had a name */
	return meta_copy(db, "uuid", out, "crm");
}

int
crm_meta_get(crm_txn *t, const char *key, struct crm_buf *out)
{
	MDB_val v;
	int rc = get_meta(t->db, t->txn, key, &v);

	if (rc == MDB_NOTFOUND)
		return CRM_ENOTFOUND;
	if (rc)
		return crm_mdb_err(rc, "cannot read the store");
	crm_buf_add(out, v.mv_data, v.mv_size);
	return 0;
}

int
crm_meta_put(crm_txn *t, const char *key, const char *val, size_t len)
{
	if (!t->write)
		return crm_seterr(CRM_ESTORE, "not a write transaction");
	return put_meta(t->db, t->txn, key, val, len);
}

const char *
crm_db_field_name(crm_txn *t, unsigned fid)
{
	crm_db *db = t->db;
	MDB_val d;

	/* the names of every field there ever was, read once */
	if (!db->fields.n && !get_meta(db, t->txn, "fields", &d))
		dict_load(&db->fields, &d);
	return fid < db->fields.n ? db->fields.name[fid] : NULL;
}

int
crm_meta_del(crm_txn *t, const char *key)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_del(t->txn, t->db->meta, &k, NULL);

	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot write the store") : 0;
}

/* Saved segments: meta "segment:NAME" holds the query text. */
static int
segment_key(struct crm_buf *k, const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (!n || name[n] || n > 64)
		return crm_seterr(CRM_EINVAL, "'%s' is not a segment name "
		    "(a-z, 0-9, _ and -)", name);
	crm_buf_addf(k, "segment:%s", name);
	return 0;
}

int
crm_segment_get(crm_db *db, const char *name, struct crm_buf *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	int rc;

	if (!(rc = segment_key(&k, name)))
		rc = meta_copy(db, k.buf, out, NULL);
	crm_buf_release(&k);
	return rc;
}

int
crm_segment_save(crm_txn *t, const char *name, const char *query)
{
	struct crm_buf k = CRM_BUF_INIT;
	int rc;

	if (!(rc = segment_key(&k, name)))
		rc = put_meta(t->db, t->txn, k.buf, query, strlen(query));
	crm_buf_release(&k);
	return rc;
}

int
crm_segment_drop(crm_txn *t, const char *name)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key;
	int rc;

	if ((rc = segment_key(&k, name)))
		goto out;
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_del(t->txn, t->db->meta, &key, NULL);
	if (rc == MDB_NOTFOUND)
		rc = crm_seterr(CRM_EINVAL, "no segment '%s'", name);
	else if (rc)
		rc = crm_mdb_err(rc, "cannot write the store");
out:
	crm_buf_release(&k);
	return rc;
}

/* Call fn for each meta entry under prefix: the rest of its key, its
 * value. */
int
crm_meta_list(crm_txn *t, const char *prefix,
    int (*fn)(const char *name, const char *value, void *arg), void *arg)
{
	struct crm_buf name = CRM_BUF_INIT, q = CRM_BUF_INIT;
	size_t n = strlen(prefix);
	MDB_cursor *c;
	MDB_val k = { n, (void *)prefix }, v;
	int rc, frc = 0;

	if ((rc = mdb_cursor_open(t->txn, t->db->meta, &c)))
		return crm_mdb_err(rc, "cannot read the store");
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (!rc && k.mv_size > n && !memcmp(k.mv_data, prefix, n)) {
		crm_buf_reset(&name);
		crm_buf_add(&name, (char *)k.mv_data + n, k.mv_size - n);
		crm_buf_reset(&q);
		crm_buf_add(&q, v.mv_data, v.mv_size);
		if ((frc = fn(name.buf, q.buf, arg)))
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	crm_buf_release(&name);
	crm_buf_release(&q);
	if (frc)
		return frc;
	return rc && rc != MDB_NOTFOUND ?
	    crm_mdb_err(rc, "cannot read the store") : 0;
}

int
crm_segment_list(crm_txn *t,
    int (*fn)(const char *name, const char *query, void *arg), void *arg)
{
	return crm_meta_list(t, "segment:", fn, arg);
}

int
crm_optout_list(crm_txn *t,
    int (*fn)(const char *email, const char *value, void *arg), void *arg)
{
	return crm_meta_list(t, "optout:", fn, arg);
}

int
crm_optout_restore(crm_txn *t, const char *email, const char *why,
    int64_t at)
{
	int64_t now = t->now;
	int rc;

	t->now = at;
	rc = crm_optout_add(t, email, why);
	t->now = now;
	return rc;
}

/*
 * Opt-outs and bounces: meta "optout:ADDRESS" (folded) -> reason.  An
 * address stays here when its record goes, so an import cannot bring it
 * back into a mailing.
 */
static void
optout_key(struct crm_buf *k, const char *email, int ascii)
{
	const char *p;

	/* case does not matter, accents do: josé@ is not jose@; before,
	 * only A-Z were lowered (ascii), as keys of older stores are */
	crm_buf_addstr(k, "optout:");
	if (!ascii) {
		crm_casefold(k, email, strlen(email));
		return;
	}
	for (p = email; *p; p++)
		crm_buf_addch(k, *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
}

/* Has s a byte outside ASCII, so that its two keys may differ? */
static int
has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s & 0x80)
			return 1;
	return 0;
}

int
crm_optout_add(crm_txn *t, const char *email, const char *why)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	int rc;

	if (!crm_email_valid(email))
		return crm_seterr(CRM_EINVAL, "'%s' is not an e-mail address",
		    email);
	optout_key(&k, email, 0);
	crm_buf_addf(&v, "%lld %s", (long long)t->now, why);
	t->optouts = 2;
	rc = put_meta(t->db, t->txn, k.buf, v.buf, v.len);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

int
crm_optout_del(crm_txn *t, const char *email)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key;
	int rc = 0, ascii;

	for (ascii = 0; ascii < 1 + has_8bit(email) && (!rc ||
	    rc == MDB_NOTFOUND); ascii++) {
		crm_buf_reset(&k);
		optout_key(&k, email, ascii);
		key.mv_size = k.len;
		key.mv_data = k.buf;
		rc = mdb_del(t->txn, t->db->meta, &key, NULL);
	}
	crm_buf_release(&k);
	return rc && rc != MDB_NOTFOUND ? crm_mdb_err(rc,
	    "cannot write the store") : 0;
}

int
crm_optout_get(crm_txn *t, const char *email, struct crm_buf *why)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val v;
	const char *sp;
	int rc;

	/* a list of 100,000 addresses in a store without opt-outs asks
	 * once, not 100,000 times */
	if (!t->optouts) {
		MDB_cursor *c;
		MDB_val key = { 7, "optout:" };

		t->optouts = 1;
		if (!mdb_cursor_open(t->txn, t->db->meta, &c)) {
			if (!mdb_cursor_get(c, &key, &v, MDB_SET_RANGE) &&
			    key.mv_size >= 7 && !memcmp(key.mv_data,
			    "optout:", 7))
				t->optouts = 2;
			mdb_cursor_close(c);
		} else {
			t->optouts = 2;
		}
	}
	if (t->optouts == 1)
		return CRM_ENOTFOUND;
	optout_key(&k, email, 0);
	rc = get_meta(t->db, t->txn, k.buf, &v);
	if (rc == MDB_NOTFOUND && has_8bit(email)) {
		crm_buf_reset(&k);
		optout_key(&k, email, 1);
		rc = get_meta(t->db, t->txn, k.buf, &v);
	}
	crm_buf_release(&k);
	if (rc == MDB_NOTFOUND)
		return CRM_ENOTFOUND;
	if (rc)
		return crm_mdb_err(rc, "cannot read the store");
	sp = memchr(v.mv_data, ' ', v.mv_size);
	if (why && sp)
		crm_buf_add(why, sp + 1, v.mv_size - (size_t)(sp + 1 -
		    (const char *)v.mv_data));
	return 0;
}

#define BATCH 16384	/* entries a transaction of the copy writes */

/* A copy of one table under way. */
struct copy {
	MDB_env *env, *src;	/* the copy's, the store's */
	MDB_txn *to;
	MDB_cursor *w;		/* where the copy's table is written */
	MDB_dbi dbi;
	size_t n;		/* entries copied, of every table */
};

/* more entries written: every BATCH, the copy's transaction is committed
 * and a new one begun, so that its dirty pages stay few; and now and then
 * the pages of both maps touched meanwhile are let go (crm_txn_tick). */
static int
copied(struct copy *cp, size_t more)
{
	size_t was = cp->n;
	int rc;

	cp->n += more;
	if (was / BATCH == cp->n / BATCH)
		return 0;
	cp->w = NULL;		/* closed with its transaction */
	if ((rc = mdb_txn_commit(cp->to)) ||
	    (rc = mdb_txn_begin(cp->env, NULL, 0, &cp->to))) {
		cp->to = NULL;
		return rc;
	}
	if (was / TRIM_EVERY != cp->n / TRIM_EVERY) {
		trim_map(cp->src);
		trim_map(cp->env);
	}
	return mdb_cursor_open(cp->to, cp->dbi, &cp->w);
}

/* A table's entries one by one, each appended. */
static int
copy_all(struct copy *cp, MDB_cursor *c)
{
	MDB_val k, v;
	int rc;

	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)))
		if ((rc = mdb_cursor_put(cp->w, &k, &v, MDB_APPEND)) ||
		    (rc = copied(cp, 1)))
			return rc;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* A table of fixed-size items under each key: a page of them at once. */
static int
copy_dups(struct copy *cp, MDB_cursor *c)
{
	MDB_val k, v, item, m[2];
	size_t count;
	unsigned how;
	int rc;

	while (!(rc = mdb_cursor_get(c, &k, &item, MDB_NEXT_NODUP))) {
		/* one item is kept in the key's node, not a page of its
		 * own, and GET_MULTIPLE gives nothing for it */
		if ((rc = mdb_cursor_count(c, &count)))
			return rc;
		if (count == 1) {
			if ((rc = mdb_cursor_put(cp->w, &k, &item,
			    MDB_APPEND)) || (rc = copied(cp, 1)))
				return rc;
			continue;
		}
		how = MDB_APPEND;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_GET_MULTIPLE); !rc;
		    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_MULTIPLE)) {
			m[0].mv_size = item.mv_size;
			m[0].mv_data = v.mv_data;
			m[1].mv_size = v.mv_size / item.mv_size;
			m[1].mv_data = NULL;
			if ((rc = mdb_cursor_put(cp->w, &k, m, how |
			    MDB_APPENDDUP | MDB_MULTIPLE)) ||
			    (rc = copied(cp, m[1].mv_size)))
				return rc;
			how = 0;
		}
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Every table's entries, in key order, into a new store at dir: its
 * pages hold those and nothing else.  (mdb_env_copy2's compacting copy
 * copies whole pages, and so the last bytes of an entry removed from a
 * page that stays: up to seven of them.)  In batches, so that memory
 * stays flat.
 */
static int
copy_live(crm_db *db, const char *dir)
{
	MDB_dbi src[7] = { db->meta, db->recs, db->idx, db->ranges,
		db->journal, db->log, db->logid }, dst[7];
	static const char *const names[7] = { "meta", "records", "postings",
		"ranges", "journal", "log", "logid" };
	static const unsigned flags[7] = { 0, MDB_INTEGERKEY, POSTINGS,
		POSTINGS, 0, 0, MDB_INTEGERKEY };
	struct copy cp = { NULL, db->env, NULL, NULL, 0, 0 };
	MDB_txn *from = NULL;
	MDB_cursor *c;
	MDB_envinfo info;
	size_t i;
	int rc;

	if ((rc = mdb_env_create(&cp.env)) ||
	    (rc = mdb_env_set_maxdbs(cp.env, 16)) ||
	    (rc = mdb_env_info(db->env, &info)) ||
	    (rc = mdb_env_set_mapsize(cp.env, info.me_mapsize)) ||
	    (rc = mdb_env_open(cp.env, dir, MDB_NOSYNC, crm_secure() ? 0660 :
	    0600)) || (rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &from)) ||
	    (rc = mdb_txn_begin(cp.env, NULL, 0, &cp.to)))
		goto out;
	for (i = 0; i < 7 && !rc; i++)
		rc = mdb_dbi_open(cp.to, names[i], flags[i] | MDB_CREATE,
		    &dst[i]);
	for (i = 0; i < 7 && !rc; i++) {
		if ((rc = mdb_cursor_open(from, src[i], &c)))
			break;
		cp.dbi = dst[i];
		if (!(rc = mdb_cursor_open(cp.to, cp.dbi, &cp.w)))
			rc = flags[i] & MDB_DUPFIXED ? copy_dups(&cp, c) :
			    copy_all(&cp, c);
		if (cp.w)
			mdb_cursor_close(cp.w);
		cp.w = NULL;
		mdb_cursor_close(c);
	}
	if (!rc) {
		rc = mdb_txn_commit(cp.to);
		cp.to = NULL;
	}
	if (!rc)
		rc = mdb_env_sync(cp.env, 1);
out:
	if (cp.to)
		mdb_txn_abort(cp.to);
	if (from)
		mdb_txn_abort(from);
	if (cp.env)
		mdb_env_close(cp.env);
	return rc ? crm_mdb_err(rc, "cannot copy the store") : 0;
}

/*
 * The copy is made beside the store while no one writes, then put in
 * place while no one has the store open, and LMDB's lock file goes with
 * the old file, so that the next command starts afresh from the new one.
 */
/* The store open again: to be read alone (CRM_RDONLY), or written, with
 * room to grow. */
static int
reopen(crm_db *db, unsigned flags)
{
	int rc;

	if ((rc = open_env(db, db->dir, flags)) ||
	    (!(flags & CRM_RDONLY) && (rc = headroom(db))))
		return crm_mdb_err(rc, "cannot open the store");
	return reattach(db);
}

/* The copy's directory gone, and what is in it. */
static void
tidy(const char *tmp)
{
	struct crm_buf b = CRM_BUF_INIT;

	crm_buf_addf(&b, "%s/data.mdb", tmp);
	unlink(b.buf);
	crm_buf_reset(&b);
	crm_buf_addf(&b, "%s/lock.mdb", tmp);
	unlink(b.buf);
	rmdir(tmp);
	crm_buf_release(&b);
}

/* The copy made and put in place, the store being ours alone (open.lock
 * held exclusively, our environment closed); it is left closed. */
static int
compact_alone(crm_db *db, uint64_t *before, uint64_t *after)
{
	struct crm_buf tmp = CRM_BUF_INIT, from = CRM_BUF_INIT,
	    to = CRM_BUF_INIT, lock = CRM_BUF_INIT;
	struct stat st;
	int rc, fd;

	if ((rc = reopen(db, CRM_RDONLY)))
		return rc;
	crm_buf_addf(&tmp, "%s/compact.tmp", db->dir);
	crm_buf_addf(&from, "%s/data.mdb", tmp.buf);
	crm_buf_addf(&to, "%s/data.mdb", db->dir);
	crm_buf_addf(&lock, "%s/lock.mdb", db->dir);
	tidy(tmp.buf);		/* a copy left by one that was killed */
	if (mkdir(tmp.buf, 0700) && errno != EEXIST) {
		rc = crm_seterr(CRM_ESTORE, "cannot make %s: %s", tmp.buf,
		    strerror(errno));
		goto out;
	}
	*before = stat(to.buf, &st) ? 0 : (uint64_t)st.st_size;
	if ((rc = copy_live(db, tmp.buf)))
		goto out;
	*after = stat(from.buf, &st) ? 0 : (uint64_t)st.st_size;
	mdb_env_close(db->env);
	db->env = NULL;
	if (rename(from.buf, to.buf)) {
		rc = crm_seterr(CRM_ESTORE, "cannot put the copy in place: "
		    "%s", strerror(errno));
		goto out;
	}
	unlink(lock.buf);
	if ((fd = open(db->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
out:
	if (db->env) {
		mdb_env_close(db->env);
		db->env = NULL;
	}
	tidy(tmp.buf);
	crm_buf_release(&tmp);
	crm_buf_release(&from);
	crm_buf_release(&to);
	crm_buf_release(&lock);
	return rc;
}

int
crm_compact(crm_db *db, uint64_t *before, uint64_t *after)
{
	int rc;

	if ((rc = crm_require(db, ROLE_ADMIN, "crm-compact")))
		return rc;
	/* the store alone: ours closed, then no one else's open (a writer
	 * waits for it to open, so it holds no write lock meanwhile) */
	mdb_env_close(db->env);
	db->env = NULL;
	flock(db->openfd, LOCK_UN);
	if (!(rc = hold(db, LOCK_EX)))
		rc = compact_alone(db, before, after);
	flock(db->openfd, LOCK_UN);
	return rc;
}

/*
 * A bulk change spreads a store's tables over its file: a record
 * rewritten goes to whatever page is free, between the history's and the
 * index's, and the pages it left stay free.  On a million people after
 * ten rounds of a million interactions logged, the file was 40% free,
 * the pages of a run of records lay apart, and a segment or a mailing
 * list read two to five times slower than from the same store compacted.
 * So a command that changed many records or entries, and left a third
 * of a file of some size free, compacts the store before it exits, as
 * git gc --auto packs a repository: when no one else has the store open
 * (else a later such command will).  A store with users is its admin's
 * to compact; CRM_AUTOCOMPACT=0 turns this off.
 */
uint64_t crm_compact_ticks = 65536;
size_t crm_compact_min = (size_t)64 << 20;

/* Pages on LMDB's free list. */
static int
free_pages(crm_db *db, size_t *nfree)
{
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_val k, v;
	size_t n;
	int rc;

	*nfree = 0;
	if ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
		return rc;
	/* the free list is table 0: per transaction that freed pages, a
	 * list of them, its length first (not aligned: copied out) */
	if (!(rc = mdb_cursor_open(txn, 0, &c))) {
		while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)))
			if (v.mv_size >= sizeof n) {
				memcpy(&n, v.mv_data, sizeof n);
				*nfree += n;
			}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Is a compaction due, after a write that went through ticks records
 * or entries?  The size of the file and its free part, if so. */
static int
compact_due(crm_db *db, uint64_t ticks, size_t *size, size_t *nfree)
{
	const char *e = getenv("CRM_AUTOCOMPACT");
	MDB_stat st;
	size_t map;

	if (ticks < crm_compact_ticks || db->view || (e && !strcmp(e, "0")) ||
	    mdb_env_stat(db->env, &st) || free_pages(db, nfree))
		return 0;
	*size = used_bytes(db, &map);
	*nfree *= st.ms_psize;
	return *size >= crm_compact_min && *nfree * 3 >= *size;
}

/* After a write: the store compacted if due and ours alone, and open
 * for writing again either way. */
static int
autocompact(crm_db *db, uint64_t ticks)
{
	uint64_t before, after;
	size_t size, nfree;
	int rc;

	if (!compact_due(db, ticks, &size, &nfree))
		return 0;
	mdb_env_close(db->env);
	db->env = NULL;
	flock(db->openfd, LOCK_UN);
	if (!flock(db->openfd, LOCK_EX | LOCK_NB)) {
		if (isatty(2))
			fprintf(stderr, "%s: compacting the store (%zu MB, "
			    "%zu%% of it free)...\n", crm_progname, size >> 20,
			    (size_t)(100 * (double)nfree / (double)size));
		if (compact_alone(db, &before, &after)) {
			crm_warn("the store is not compacted: %s",
			    crm_errmsg());
			crm_seterr(0, "%s", "");	/* said */
		}
	}
	flock(db->openfd, LOCK_UN);
	if ((rc = hold(db, LOCK_SH)) || (rc = reopen(db, db->flags)))
		return crm_errprefix(rc, "written, but ");
	return 0;
}
