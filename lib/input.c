/* input.c - lines and CSV records from a stream that can be read again
 *
 * A write that outgrows the store's map is run again from the start, so
 * input is kept: a regular file is seeked back, a pipe is copied to an
 * unlinked temporary file as it is read (memory stays flat).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crm.h"

struct crm_input {
	FILE *f, *spool;
	off_t start;
	int seekable, replay;
	char *line;
	size_t cap, lineno;
};

int
crm_input_open(crm_input **ip, FILE *f)
{
	crm_input *in = calloc(1, sizeof *in);
	struct stat st;

	in->f = f;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) &&
	    (in->start = ftello(f)) >= 0)
		in->seekable = 1;
	*ip = in;
	return 0;
}

void
crm_input_close(crm_input *in)
{
	if (!in)
		return;
	if (in->spool)
		fclose(in->spool);
	free(in->line);
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
	if (!in->seekable || fstat(fileno(in->f), &st) ||
	    (at = ftello(in->f)) < in->start || st.st_size < at)
		return;
	*done = (uint64_t)(at - in->start);
	*total = (uint64_t)(st.st_size - in->start);
}

int
crm_input_rewind(crm_input *in)
{
	in->lineno = 0;
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

int
crm_input_line(crm_input *in, char **linep, size_t *lenp)
{
	ssize_t n = -1;

	if (in->replay) {
		n = getline(&in->line, &in->cap, in->spool);
		if (n < 0) {
			in->replay = 0;
			fseeko(in->spool, 0, SEEK_END);
		}
	}
	if (n < 0) {
		errno = 0;
		n = getline(&in->line, &in->cap, in->f);
		if (n < 0) {
			if (ferror(in->f))
				return crm_seterr(errno ? errno : EIO,
				    "cannot read: %s",
				    strerror(errno ? errno : EIO));
			return CRM_ENOTFOUND;
		}
		if (!in->seekable) {
			if (!in->spool && !(in->spool = tmpfile()))
				return crm_seterr(errno, "cannot keep input: "
				    "%s", strerror(errno));
			if (fwrite(in->line, 1, (size_t)n, in->spool) !=
			    (size_t)n || (in->line[n - 1] != '\n' &&
			    fputc('\n', in->spool) == EOF))
				return crm_seterr(errno ? errno : EIO,
				    "cannot keep input: %s",
				    strerror(errno ? errno : EIO));
		}
	}
	in->lineno++;
	if (n > 0 && in->line[n - 1] == '\n')
		n--;
	if (n > 0 && in->line[n - 1] == '\r')
		n--;
	in->line[n] = 0;
	*linep = in->line;
	if (in->lineno == 1 && n >= 3 && !memcmp(in->line, "\xef\xbb\xbf", 3)) {
		*linep += 3;
		n -= 3;
	}
	*lenp = (size_t)n;
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
