/* input.c - lines and CSV records from a stream that can be read again
 *
 * A write that outgrows the store's map is run again from the start, so
 * input is kept: a regular file is seeked back, a pipe is copied to an
 * unlinked temporary file as it is read (memory stays flat).
 */
#define _GNU_SOURCE	/* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm.h"

/*
 * tmpfile(3) takes /tmp whatever TMPDIR says, and /tmp is often a small
 * tmpfs: a million records spool and sort hundreds of megabytes.  The
 * file never has a name where the system can do without (O_TMPFILE);
 * where it cannot, it has one until unlinked.  A shared install keeps
 * to tmpfile(3): the user could open a named file of theirs meanwhile,
 * and what it holds may be more than the user may see.
 */
const char *
crm_tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d && !crm_secure() ? d : "/tmp";
}

FILE *
crm_tmpfile(void)
{
	const char *d = crm_tmpdir();
	char path[PATH_MAX];
	FILE *f;
	int fd = -1;

	if (!strcmp(d, "/tmp"))
		return tmpfile();
#ifdef O_TMPFILE
	fd = open(d, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		if ((size_t)snprintf(path, sizeof path, "%s/crm.XXXXXX", d) >=
		    sizeof path) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		if ((fd = mkstemp(path)) < 0)
			return NULL;
		unlink(path);
	}
	if (!(f = fdopen(fd, "w+")))
		close(fd);
	return f;
}

/*
 * Lines are cut from a buffer of what was read, a block at a time: a
 * line and its end found with memchr, not copied, where getline took a
 * lock and made a copy of every one (a phone's vCard file has a line
 * for every few bytes).  A line is good until the next is read.
 */
#define BLOCK 65536

struct crm_input {
	FILE *f, *spool;
	off_t start;
	int seekable, replay;
	char *buf;		/* [pos, len) read and not yet taken */
	size_t pos, len, cap, lineno;
	size_t nolf;		/* buf holds no LF before this (lines of CR) */
	/* files read one after another: names[part] is open as f; the
	 * sizes of those before it, and of all */
	char **names;
	size_t nnames, part;
	uint64_t before, all;
	struct stat *st;	/* each file as it was opened, last */
};

int
crm_input_open(crm_input **ip, FILE *f)
{
	crm_input *in = crm_xmalloc(sizeof *in);
	struct stat st;

	memset(in, 0, sizeof *in);
	in->f = f;
	in->cap = BLOCK;
	in->buf = crm_xmalloc(in->cap);
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) &&
	    (in->start = ftello(f)) >= 0)
		in->seekable = 1;
	*ip = in;
	return 0;
}

/* Part k of the files open as in->f, read from its start. */
static int
part(crm_input *in, size_t k)
{
	const char *name = in->names[k];
	struct stat st;

	if (in->f) {
		if (k > in->part && !fstat(fileno(in->f), &st))
			in->before += (uint64_t)st.st_size;
		fclose(in->f);
	}
	if (!k)
		in->before = 0;
	in->part = k;
	in->lineno = in->pos = in->len = in->nolf = 0;
	crm_as_user(1);
	in->f = fopen(name, "rb");
	crm_as_user(0);
	if (!in->f)
		return crm_seterr(errno, "cannot open: %s", strerror(errno));
	if (fstat(fileno(in->f), &in->st[k]))
		memset(&in->st[k], 0, sizeof in->st[k]);
	return 0;
}

int
crm_input_open_files(crm_input **ip, char *const *names, size_t n)
{
	crm_input *in = crm_xmalloc(sizeof *in);
	size_t i;

	memset(in, 0, sizeof *in);
	in->cap = BLOCK;
	in->buf = crm_xmalloc(in->cap);
	in->names = crm_xmalloc((n ? n : 1) * sizeof *in->names);
	in->st = crm_xmalloc((n ? n : 1) * sizeof *in->st);
	memset(in->st, 0, (n ? n : 1) * sizeof *in->st);
	for (i = 0; i < n; i++) {
		struct stat st;

		in->names[i] = crm_xstrndup(names[i], strlen(names[i]));
		if (!stat(names[i], &st))
			in->all += (uint64_t)st.st_size;
	}
	in->nnames = n;
	in->seekable = 1;
	*ip = in;
	if (!n)
		return crm_seterr(CRM_EINVAL, "no files to read");
	return part(in, 0);
}

int
crm_input_next(crm_input *in)
{
	if (!in->names || in->part + 1 >= in->nnames)
		return CRM_ENOTFOUND;
	return part(in, in->part + 1);
}

const char *
crm_input_name(const crm_input *in)
{
	return in->names ? in->names[in->part] : NULL;
}

size_t
crm_input_part(const crm_input *in)
{
	return in->part;
}

int
crm_input_file(const crm_input *in, size_t k, const char **name,
    struct stat *st)
{
	if (!in->names || k >= in->nnames)
		return CRM_ENOTFOUND;
	*name = in->names[k];
	*st = in->st[k];
	return 0;
}

void
crm_input_close(crm_input *in)
{
	size_t i;

	if (!in)
		return;
	if (in->spool)
		fclose(in->spool);
	if (in->names) {
		if (in->f)
			fclose(in->f);
		for (i = 0; i < in->nnames; i++)
			free(in->names[i]);
		free(in->names);
		free(in->st);
	}
	free(in->buf);
	free(in);
}

size_t
crm_input_lineno(const crm_input *in)
{
	return in->lineno;
}

void
crm_input_progress(const crm_input *in, uint64_t *done, uint64_t *total)
{
	struct stat st;
	off_t at;

	*done = *total = 0;
	if (!in->seekable || !in->f || fstat(fileno(in->f), &st) ||
	    (at = ftello(in->f)) < in->start || st.st_size < at)
		return;
	/* what the buffer holds is not done yet */
	at -= (off_t)(in->len - in->pos);
	*done = (uint64_t)(at - in->start);
	*total = (uint64_t)(st.st_size - in->start);
	if (in->names) {	/* of all the files */
		*done += in->before;
		*total = in->all > *done ? in->all : *done;
	}
}

int
crm_input_rewind(crm_input *in)
{
	in->lineno = 0;
	in->pos = in->len = in->nolf = 0;
	if (in->names && in->part)
		return part(in, 0);
	if (in->seekable) {
		if (fseeko(in->f, in->start, SEEK_SET))
			return crm_seterr(errno, "cannot rewind: %s",
			    strerror(errno));
		return 0;
	}
	if (in->spool) {
		fflush(in->spool);
		rewind(in->spool);
		in->replay = 1;
	}
	return 0;
}

/* More of the input after what the buffer holds; *got 0 at its end.
 * A pipe is kept in the spool as it is read. */
static int
more(crm_input *in, size_t *got)
{
	FILE *src;
	size_t n;

	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->nolf = in->nolf > in->pos ? in->nolf - in->pos : 0;
		in->pos = 0;
	}
	if (in->cap - in->len < BLOCK / 2) {	/* a long line */
		in->cap *= 2;
		in->buf = crm_xrealloc(in->buf, in->cap);
	}
	for (;;) {
		src = in->replay ? in->spool : in->f;
		if (!src) {		/* a part that could not be opened */
			*got = 0;
			return 0;
		}
		errno = 0;
		n = fread(in->buf + in->len, 1, in->cap - in->len - 1, src);
		if (n || !in->replay)
			break;
		/* the spool read again: on with what follows */
		in->replay = 0;
		fseeko(in->spool, 0, SEEK_END);
	}
	if (!n && ferror(src))
		return crm_seterr(errno ? errno : EIO, "cannot read: %s",
		    strerror(errno ? errno : EIO));
	if (n && src == in->f && !in->seekable) {
		if (!in->spool && !(in->spool = crm_tmpfile()))
			return crm_seterr(errno, "cannot keep input in %s: %s",
			    crm_tmpdir(), strerror(errno));
		if (fwrite(in->buf + in->len, 1, n, in->spool) != n)
			return crm_seterr(errno ? errno : EIO, "cannot keep "
			    "input: %s", strerror(errno ? errno : EIO));
	}
	in->len += n;
	*got = n;
	return 0;
}

int
crm_input_line(crm_input *in, char **linep, size_t *lenp)
{
	char *s, *nl, *cr, *e;
	size_t n, got, from;
	int rc;

	for (;;) {
		s = in->buf + in->pos;
		/* not looked for again where it was not: a file of CR
		 * lines would be searched to its buffer's end each line */
		from = in->nolf > in->pos ? in->nolf : in->pos;
		if (!(nl = memchr(in->buf + from, '\n', in->len - from)))
			in->nolf = in->len;
		/* a CR that no LF follows ends a line too (old Macs, and a
		 * stray one in a vCard); one before an LF is the CRLF's */
		cr = memchr(s, '\r', (nl ? (size_t)(nl - s) : in->len -
		    in->pos));
		if (cr) {
			for (e = cr; e < in->buf + in->len && *e == '\r'; e++)
				;
			if (e < in->buf + in->len && e != nl) {
				n = (size_t)(cr - s);
				in->pos = (size_t)(e - in->buf);
				break;
			}
		}
		if (nl) {
			n = (size_t)(nl - s);
			in->pos += n + 1;
			break;
		}
		if ((rc = more(in, &got)))
			return rc;
		if (!got) {
			if (in->pos == in->len)
				return CRM_ENOTFOUND;
			/* the last line, with no newline after it */
			s = in->buf + in->pos;
			n = in->len - in->pos;
			in->pos = in->len;
			break;
		}
	}
	in->lineno++;
	while (n > 0 && s[n - 1] == '\r')	/* CRLF, CR CR LF */
		n--;
	s[n] = 0;
	if (in->lineno == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		n -= 3;
	}
	*linep = s;
	*lenp = n;
	return 0;
}

void
crm_csv_init(struct crm_csv *c)
{
	memset(c, 0, sizeof *c);
	crm_buf_init(&c->rec, 0);
}

void
crm_csv_release(struct crm_csv *c)
{
	crm_buf_release(&c->rec);
	free(c->field);
	free(c->len);
	free(c->off);
	memset(c, 0, sizeof *c);
}

static void
detect(struct crm_csv *c, const char *s, size_t len)
{
	size_t i, n[3] = { 0, 0, 0 };
	int q = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ',')
			n[0]++;
		else if (!q && s[i] == ';')
			n[1]++;
		else if (!q && s[i] == '\t')
			n[2]++;
	}
	c->delim = n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] &&
	    n[2] > n[1] ? '\t' : ',';
}

static void
endfield(struct crm_csv *c, size_t start)
{
	if (c->n == c->nalloc) {
		c->nalloc = c->nalloc ? 2 * c->nalloc : 16;
		c->off = crm_xrealloc(c->off, c->nalloc * sizeof *c->off);
		c->len = crm_xrealloc(c->len, c->nalloc * sizeof *c->len);
		c->field = crm_xrealloc(c->field, c->nalloc *
		    sizeof *c->field);
	}
	c->off[c->n] = start;
	c->len[c->n] = c->rec.len - start;
	c->n++;
	crm_buf_addch(&c->rec, 0);
}

int
crm_csv_read(crm_input *in, struct crm_csv *c)
{
	enum { START, PLAIN, QUOTED, QUOTE_END } st = START;
	size_t len, i, start = 0, first;
	char *s;
	int rc;

	c->n = 0;
	crm_buf_reset(&c->rec);
	if ((rc = crm_input_line(in, &s, &len)))
		return rc;
	c->line = first = crm_input_lineno(in);
	if (!c->delim)
		detect(c, s, len);
	for (;;) {
		/* a field's text up to what ends it, copied as a run */
		for (i = 0; i < len;) {
			const char *end;
			size_t n;

			switch (st) {
			case START:
				start = c->rec.len;
				if (s[i] == '"') {
					st = QUOTED;
					i++;
					break;
				}
				st = PLAIN;
				/* FALLTHROUGH */
			case PLAIN:
				end = memchr(s + i, c->delim, len - i);
				n = end ? (size_t)(end - s) - i : len - i;
				crm_buf_add(&c->rec, s + i, n);
				i += n;
				if (end) {
					endfield(c, start);
					st = START;
					i++;
				}
				break;
			case QUOTED:
				end = memchr(s + i, '"', len - i);
				n = end ? (size_t)(end - s) - i : len - i;
				crm_buf_add(&c->rec, s + i, n);
				i += n;
				if (end) {
					st = QUOTE_END;
					i++;
				}
				break;
			case QUOTE_END:
				if (s[i] == '"') {
					crm_buf_addch(&c->rec, '"');
					st = QUOTED;
				} else if (s[i] == c->delim) {
					endfield(c, start);
					st = START;
				} else {
					return crm_seterr(CRM_EINVAL, "line "
					    "%zu: text after a closing quote",
					    crm_input_lineno(in));
				}
				i++;
				break;
			}
		}
		if (st != QUOTED)
			break;
		crm_buf_addch(&c->rec, '\n');
		rc = crm_input_line(in, &s, &len);
		if (rc == CRM_ENOTFOUND)
			return crm_seterr(CRM_EINVAL, "line %zu: a quote is "
			    "never closed", first);
		if (rc)
			return rc;
	}
	if (st == START)
		start = c->rec.len;
	endfield(c, start);
	for (i = 0; i < c->n; i++)
		c->field[i] = c->rec.buf + c->off[i];
	return 0;
}
