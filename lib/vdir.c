/* vdir.c - a directory of one vCard a file, kept in step with a store
 *
 * crm-export --to vdir writes each card to DIR/UID.vcf unless the file
 * holds it already (so that a program watching the files' times sees
 * only the cards that changed), and lists in DIR/.crm-export each file
 * it wrote or found as it would have written it, with a hash of the
 * card.  With prune, the next export removes a file of that list that
 * it does not give again (its record removed, merged into another or
 * not selected) when the file still holds what was written; one changed
 * since, by hand or by a sync from a server, is left and named.  A file
 * not on the list is never touched.  khard and vdirsyncer read only
 * the .vcf files, and crm-import reads them back (crm_vdir_files).
 *
 * A card's file changed there is not written over either, till
 * crm-import has read it: the list says what crm last wrote or read
 * (crm_vdir_took), and a file holding something else is an edit that
 * is not in the store yet.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define LIST ".crm-export"
#define LIST_HEAD "crm-export vdir 1"

struct known {
	char *name;
	uint64_t hash;
	size_t line;		/* of the list */
	int given;		/* exported again this time */
};

struct crm_vdir {
	char *dir;
	struct known *k;	/* the last export's list, by name */
	size_t nk;
	FILE *list;		/* this one's, written aside */
	struct crm_buf ltmp;	/* as that, till it is renamed */
	struct crm_buf path, tmp, name;
	struct crm_vdir_counts n;
	int bad;		/* a card not written: nothing removed */
};

/* A name this code could have made: a card's file in dir, no other. */
static int
card_name(const char *s)
{
	size_t n = strlen(s);

	if (n <= 4 || *s == '.' || strcmp(s + n - 4, ".vcf"))
		return 0;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < ' ')
			return 0;
	return 1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->name,
	    ((const struct known *)b)->name);
}

/* by name, then by line: of one name twice, the later is the card */
static int
by_name_line(const void *a, const void *b)
{
	const struct known *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static struct known *
known(crm_vdir *v, const char *name)
{
	struct known key = { (char *)name, 0, 0, 0 };

	return v->nk ? bsearch(&key, v->k, v->nk, sizeof *v->k, by_name) :
	    NULL;
}

/* The list the last export left, if any; a line that is not what this
 * code writes is passed over, and a list of another kind is no list. */
static void
read_list(crm_vdir *v)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, alloc = 0, i, j;
	ssize_t len;
	uint64_t h;

	crm_buf_reset(&v->path);
	crm_buf_addf(&v->path, "%s/%s", v->dir, LIST);
	if (!(f = fopen(v->path.buf, "r")))
		return;
	if (getline(&line, &cap, f) > 0 && !strcmp(line, LIST_HEAD "\n")) {
		while ((len = getline(&line, &cap, f)) > 0) {
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if (len < 18 || line[16] != ' ' ||
			    strspn(line, "0123456789abcdef") != 16 ||
			    !card_name(line + 17))
				continue;
			h = strtoull(line, NULL, 16);
			if (v->nk == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				v->k = crm_xrealloc(v->k, alloc * sizeof *v->k);
			}
			v->k[v->nk].name = crm_xstrndup(line + 17, strlen(line +
			    17));
			v->k[v->nk].hash = h;
			v->k[v->nk].line = v->nk;
			v->k[v->nk++].given = 0;
		}
	}
	free(line);
	fclose(f);
	if (!v->nk)
		return;
	qsort(v->k, v->nk, sizeof *v->k, by_name_line);
	for (i = j = 0; i < v->nk; i++) {
		if (i + 1 < v->nk && !strcmp(v->k[i].name, v->k[i + 1].name)) {
			free(v->k[i].name);
			continue;
		}
		v->k[j++] = v->k[i];
	}
	v->nk = j;
}

int
crm_vdir_open(crm_vdir **vp, const char *dir)
{
	crm_vdir *v;
	int fd, rc;

	*vp = NULL;
	/* personal data: as private as the store */
	if (mkdir(dir, 0700) && errno != EEXIST)
		return crm_seterr(errno, "%s: %s", dir, strerror(errno));
	v = crm_xmalloc(sizeof *v);
	memset(v, 0, sizeof *v);
	v->dir = crm_xstrndup(dir, strlen(dir));
	crm_buf_init(&v->ltmp, 0);
	crm_buf_init(&v->path, 0);
	crm_buf_init(&v->tmp, 0);
	crm_buf_init(&v->name, 0);
	read_list(v);
	/* a name of its own: two exports at once do not mix their lists */
	crm_buf_addf(&v->ltmp, "%s/%s.XXXXXX", dir, LIST);
	if ((fd = mkstemp(v->ltmp.buf)) < 0 || !(v->list = fdopen(fd,
	    "w"))) {
		rc = errno;
		if (fd >= 0) {
			close(fd);
			unlink(v->ltmp.buf);
		}
		crm_seterr(rc, "%s: %s", dir, strerror(rc));
		v->bad = 1;
		crm_vdir_close(v, 0, NULL);
		return rc;
	}
	fputs(LIST_HEAD "\n", v->list);
	*vp = v;
	return 0;
}

/* What the file at path holds: -1 no file (or none to read), 1 these
 * len bytes, 0 others, whose hash is then *h. */
static int
filestate(const char *path, const char *card, size_t len, uint64_t *h)
{
	struct crm_buf b = CRM_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;
	int same = -1;

	if (!(f = fopen(path, "r")))
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		crm_buf_add(&b, chunk, n);
	if (!ferror(f)) {
		same = card && b.len == len && !memcmp(b.buf, card, len);
		*h = crm_hash(b.buf, b.len);
	}
	fclose(f);
	crm_buf_release(&b);
	return same;
}

/*
 * The file's name in the list for the card of uid, in v->name, and its
 * path in v->path: the UID's, when it may be a file's name; else one of
 * its hash, so that two UIDs are two files (a/b and a_b) and a long one
 * is a name a file system takes.
 */
static void
card_path(crm_vdir *v, const char *uid)
{
	size_t i, n = strlen(uid);

	crm_buf_reset(&v->name);
	crm_buf_addf(&v->name, "%s.vcf", uid);
	for (i = 0; i < n && uid[i] != '/' && (unsigned char)uid[i] >= ' ';
	    i++)
		;
	if (i < n || !n || *uid == '.' || n > 200) {
		crm_buf_reset(&v->name);
		crm_buf_addf(&v->name, "crm-%016" PRIx64 ".vcf",
		    crm_hash(uid, n));
	}
	crm_buf_reset(&v->path);
	crm_buf_addf(&v->path, "%s/%s", v->dir, v->name.buf);
}

static void
list_line(crm_vdir *v, uint64_t h, const char *name)
{
	if (card_name(name))
		fprintf(v->list, "%016" PRIx64 " %s\n", h, name);
}

/*
 * A file that holds neither the card nor what the list says was
 * written (or taken in by crm-import) was changed since, by hand or by
 * a sync from a server: it is left as it is, for crm-import to read,
 * and named.  With no list, the directory is new to this code.
 */
int
crm_vdir_put(crm_vdir *v, const char *uid, const struct crm_buf *card)
{
	struct known *k;
	uint64_t h = 0;
	int fd, rc = 0, state;

	card_path(v, uid);
	v->n.cards++;
	k = known(v, v->name.buf);
	if (k)
		k->given = 1;
	state = filestate(v->path.buf, card->buf, card->len, &h);
	if (!state && v->nk && (!k || k->hash != h)) {
		crm_warn("%s: changed since it was exported; left as it is, "
		    "for crm-import to read", v->path.buf);
		v->n.kept++;
		if (k)
			list_line(v, k->hash, v->name.buf);
		return 0;
	}
	if (state != 1) {
		/* a whole file or none: written aside, then renamed */
		crm_buf_reset(&v->tmp);
		crm_buf_addf(&v->tmp, "%s/.%s.tmp", v->dir, v->name.buf);
		errno = 0;
		if ((fd = open(v->tmp.buf, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600)) < 0 || (size_t)write(fd, card->buf,
		    card->len) != card->len || fsync(fd) || close(fd) ||
		    rename(v->tmp.buf, v->path.buf)) {
			rc = errno ? errno : EIO;
			crm_warn("%s: %s", v->path.buf, strerror(rc));
			unlink(v->tmp.buf);
			v->bad = 1;
			return rc;
		}
		v->n.written++;
	}
	list_line(v, crm_hash(card->buf, card->len), v->name.buf);
	return 0;
}

/* The last export's cards that this one did not give: removed if they
 * are as written, else left; without prune, kept on the list. */
static void
prune(crm_vdir *v, int remove)
{
	uint64_t h = 0;
	size_t i;
	int state;

	for (i = 0; i < v->nk; i++) {
		struct known *k = &v->k[i];

		if (k->given)
			continue;
		crm_buf_reset(&v->path);
		crm_buf_addf(&v->path, "%s/%s", v->dir, k->name);
		state = filestate(v->path.buf, NULL, 0, &h);
		if (!remove) {
			if (state >= 0)
				list_line(v, k->hash, k->name);
		} else if (!state && h == k->hash) {
			if (unlink(v->path.buf))
				crm_warn("%s: %s", v->path.buf,
				    strerror(errno));
			else
				v->n.removed++;
		} else if (state >= 0) {
			crm_warn("%s: changed since it was exported; its "
			    "card is not exported now, the file is left",
			    v->path.buf);
			v->n.kept++;
		}
	}
}

int
crm_vdir_close(crm_vdir *v, int remove, struct crm_vdir_counts *n)
{
	size_t i;
	int rc = 0;

	if (!v)
		return 0;
	if (!v->bad)
		prune(v, remove);
	crm_buf_reset(&v->path);
	crm_buf_addf(&v->path, "%s/%s", v->dir, LIST);
	/* the list last: what it leaves out is gone */
	if (v->list) {
		if (!v->bad && (fflush(v->list) || fsync(fileno(v->list))))
			rc = errno;
		if (fclose(v->list) && !v->bad && !rc)
			rc = errno;
		if (!v->bad && !rc && rename(v->ltmp.buf, v->path.buf))
			rc = errno;
		if (v->bad || rc)
			unlink(v->ltmp.buf);
		if (rc)
			crm_seterr(rc, "%s: %s", v->path.buf, strerror(rc));
	}
	if (n)
		*n = v->n;
	for (i = 0; i < v->nk; i++)
		free(v->k[i].name);
	free(v->k);
	free(v->dir);
	crm_buf_release(&v->ltmp);
	crm_buf_release(&v->path);
	crm_buf_release(&v->tmp);
	crm_buf_release(&v->name);
	free(v);
	return rc;
}

/* s, taken, at the end of the list v. */
static void
push(char ***v, size_t *n, size_t *cap, char *s)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = crm_xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = s;
}

/* The .vcf files of a directory, but hidden ones, by name, added to
 * the list. */
static int
vcf_of(const char *dir, char ***v, size_t *n, size_t *cap)
{
	struct dirent *e;
	size_t len, from = *n;
	char *path;
	DIR *d;

	if (!(d = opendir(dir)))
		return crm_seterr(CRM_EINVAL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (len = strlen(e->d_name)) < 5 ||
		    strcasecmp(e->d_name + len - 4, ".vcf"))
			continue;
		path = crm_xmalloc(strlen(dir) + len + 2);
		sprintf(path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ?
		    "" : "/", e->d_name);
		push(v, n, cap, path);
	}
	closedir(d);
	if (*n > from)
		qsort(*v + from, *n - from, sizeof **v, crm_strpcmp);
	return 0;
}

int
crm_vdir_files(char *const *args, int nargs, char ***out, size_t *n)
{
	char **v = NULL;
	size_t cap = 0, i;
	struct stat st;
	int k, rc = 0;
	FILE *f;

	*n = 0;
	for (k = 0; k < nargs && !rc; k++) {
		if (!strcmp(args[k], "-"))
			rc = crm_seterr(CRM_EINVAL, "'-' (standard input) is "
			    "one input alone");
		else if (stat(args[k], &st))
			rc = crm_seterr(CRM_EINVAL, "%s: %s", args[k],
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = vcf_of(args[k], &v, n, &cap);
		else
			push(&v, n, &cap, crm_xstrndup(args[k],
			    strlen(args[k])));
	}
	for (i = 0; i < *n && !rc; i++) {
		if (!(f = fopen(v[i], "rb")))
			rc = crm_seterr(CRM_EINVAL, "%s: %s", v[i],
			    strerror(errno));
		else if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
			rc = crm_seterr(CRM_EINVAL, "%s: not a file", v[i]);
		if (f)
			fclose(f);
	}
	if (rc) {
		for (i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		v = NULL;
		*n = 0;
	}
	*out = v;
	return rc;
}

/* Is the file at path still the one st says was read? */
static int
unchanged(const char *path, const struct stat *st)
{
	struct stat now;

	return st->st_ino && !stat(path, &now) && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino && now.st_size == st->st_size &&
	    now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == st->st_mtim.tv_nsec;
}

/* Does dir hold the list of an export? */
static int
has_list(const char *dir)
{
	struct crm_buf p = CRM_BUF_INIT;
	int has;

	crm_buf_addf(&p, "%s/%s", dir, LIST);
	has = !access(p.buf, F_OK);
	crm_buf_release(&p);
	return has;
}

/*
 * What crm-import read of a directory that crm-export keeps is in the
 * store now: the list says so of each file, with the hash of what it
 * holds, so that the next export writes its card over it.  A file
 * changed again since it was read, or one of a rejected card (skip[k]),
 * keeps what the list said.
 */
int
crm_vdir_took(const crm_input *in, const unsigned char *skip)
{
	struct crm_buf dir = CRM_BUF_INIT;
	struct known *k;
	const char *name, *base, *d;
	struct stat st;
	crm_vdir *v = NULL;
	uint64_t h = 0;
	size_t i, len;
	int rc = 0, rc2, seen = 0;

	for (i = 0; !rc && !crm_input_file(in, i, &name, &st); i++) {
		/* its directory: d, len bytes */
		base = strrchr(name, '/');
		len = base ? (size_t)(base - name) : 0;
		d = len ? name : base ? "/" : ".";
		if (!len)
			len = 1;
		if (!seen || dir.len != len || memcmp(dir.buf, d, len)) {
			/* the files of a directory come one after another */
			if (v && (rc = crm_vdir_close(v, 0, NULL)))
				break;
			v = NULL;
			seen = 1;
			crm_buf_reset(&dir);
			crm_buf_add(&dir, d, len);
			if (has_list(dir.buf) && (rc = crm_vdir_open(&v,
			    dir.buf)))
				break;
		}
		if (!v)
			continue;
		base = base ? base + 1 : name;
		if ((k = known(v, base)))
			k->given = 1;
		if (!skip[i] && unchanged(name, &st) &&
		    filestate(name, NULL, 0, &h) == 0)
			list_line(v, h, base);
		else if (k)
			list_line(v, k->hash, base);
	}
	if (v && (rc2 = crm_vdir_close(v, 0, NULL)) && !rc)
		rc = rc2;
	crm_buf_release(&dir);
	return rc;
}
