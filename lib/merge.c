/* merge.c - mail merge: a template, a person, a message; the campaign run
 *
 * A template is an RFC 5322 message with placeholders: %{field},
 * %{company.name}, %{field|fallback}, %{if field}...%{end},
 * %{unsubscribe}, %%.  Every placeholder is checked against the schema
 * before anything is sent.  Each message carries a Message-ID crm
 * remembers (so replies find their campaign) and an unsubscribe token:
 * the record's id and an HMAC of it under a secret kept in the store.
 */
#include <sys/random.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

struct thdr {
	char *name, *value;
	size_t line;
};

struct crm_template {
	char *file;
	struct thdr *h;
	size_t nh;
	char *body;
	size_t body_line;
	char *unsub_to, *unsub_url, *domain;
	int own_unsub;		/* X-Crm-Unsubscribe-To: a mailbox of its own */
	const crm_schema *s;
};

/* What a template is expanded for: checking (r NULL) or a record. */
struct xctx {
	const crm_template *tp;
	crm_txn *t;
	const crm_rec *r;
	const char *unsub;
	struct crm_buf val, name;
	int header;		/* no control characters in a header's value */
};

static int
xerr(const struct xctx *x, size_t line, const char *fmt, const char *a)
{
	return crm_seterr(CRM_EINVAL, "%s:%zu: %s%s%s", x->tp->file, line, fmt,
	    a ? a : "", a ? "'" : "");
}

/* The value of field name for the record, or its check in the schema. */
static int
field(struct xctx *x, const char *name, size_t line, struct crm_buf *out)
{
	char what[256];

	if (!strcmp(name, "unsubscribe")) {
		if (x->unsub)
			crm_buf_addstr(out, x->unsub);
		return 0;
	}
	if (!x->r) {
		snprintf(what, sizeof what, "%s:%zu", x->tp->file, line);
		return crm_field_check(x->tp->s, name, what);
	}
	crm_rec_text(x->t, x->r, name, out);
	return 0;
}

static void
emit(struct xctx *x, struct crm_buf *out, const char *s, size_t n)
{
	if (x->header)
		crm_mail_blank(out, s, n);
	else
		crm_buf_add(out, s, n);
}

/* Expand s (starting at line) into out; skip while an %{if} is false. */
static int
expand(struct xctx *x, const char *s, size_t line, struct crm_buf *out)
{
	size_t depth = 0, ifline[32];
	unsigned char on[32];
	const char *p, *close, *bar;
	int rc;

	on[0] = 1;
	for (p = s; *p; p++) {
		int live = on[depth];

		if (*p == '\n')
			line++;
		if (*p != '%' || (p[1] != '%' && p[1] != '{')) {
			if (live)
				emit(x, out, p, 1);
			continue;
		}
		if (p[1] == '%') {
			if (live)
				crm_buf_addch(out, '%');
			p++;
			continue;
		}
		close = strchr(p + 2, '}');
		if (!close || memchr(p + 2, '\n', (size_t)(close - p - 2)))
			return xerr(x, line, "'%{' without its '}'", NULL);
		/* %{name|fallback}: the fallback as written */
		bar = memchr(p + 2, '|', (size_t)(close - p - 2));
		crm_buf_reset(&x->name);
		crm_buf_add(&x->name, p + 2, (size_t)((bar ? bar : close) -
		    p - 2));
		p = close;
		if (!strncmp(x->name.buf, "if ", 3)) {
			const char *f = x->name.buf + 3;

			while (*f == ' ')
				f++;
			if (depth + 1 == sizeof on)
				return xerr(x, line, "%{if} nested too deep",
				    NULL);
			crm_buf_reset(&x->val);
			if ((rc = field(x, f, line, &x->val)))
				return rc;
			ifline[++depth] = line;
			on[depth] = live && (!x->r || x->val.len);
			continue;
		}
		if (!strcmp(x->name.buf, "end")) {
			if (!depth)
				return xerr(x, line, "'%{end}' without its "
				    "'%{if ...}'", NULL);
			depth--;
			continue;
		}
		crm_buf_reset(&x->val);
		if ((rc = field(x, x->name.buf, line, &x->val)))
			return rc;
		if (!live)
			continue;
		if (x->val.len)
			emit(x, out, x->val.buf, x->val.len);
		else if (bar)
			emit(x, out, bar + 1, (size_t)(close - bar - 1));
	}
	if (depth)
		return xerr(x, ifline[depth], "'%{if ...}' without its "
		    "'%{end}'", NULL);
	return 0;
}

void
crm_template_free(crm_template *tp)
{
	size_t i;

	if (!tp)
		return;
	for (i = 0; i < tp->nh; i++) {
		free(tp->h[i].name);
		free(tp->h[i].value);
	}
	free(tp->h);
	free(tp->file);
	free(tp->body);
	free(tp->unsub_to);
	free(tp->unsub_url);
	free(tp->domain);
	free(tp);
}

/* The domain of an address list's first address ("" if none). */
static char *
domain_of(const char *v)
{
	const char *at = strrchr(v, '@'), *e;

	if (!at)
		return strdup("localhost");
	for (e = ++at; *e && *e != '>' && !isspace((unsigned char)*e) &&
	    *e != ','; e++)
		;
	return e > at ? crm_xstrndup(at, (size_t)(e - at)) :
	    strdup("localhost");
}

/* The bare address of "Name <addr>" or "addr". */
static char *
addr_of(const char *v)
{
	const char *lt = strrchr(v, '<'), *gt;

	if (lt && (gt = strchr(lt, '>')))
		return crm_xstrndup(lt + 1, (size_t)(gt - lt - 1));
	while (isspace((unsigned char)*v))
		v++;
	return strdup(v);
}

int
crm_template_parse(crm_template **tpp, const crm_schema *s, const char *file,
    const char *text, size_t len)
{
	crm_template *tp = calloc(1, sizeof *tp);
	struct crm_buf t = CRM_BUF_INIT;
	struct xctx x = { 0 };
	char *p, *nl, *colon;
	const char *from = NULL;
	size_t line = 0, i;
	int rc = 0, last;

	*tpp = NULL;
	tp->file = strdup(file);
	tp->s = s;
	/* CRLF as LF */
	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			crm_buf_addch(&t, text[i]);
	if (!crm_utf8_valid(t.buf, t.len)) {
		rc = crm_seterr(CRM_EINVAL, "%s: not UTF-8 text", file);
		goto out;
	}
	for (p = t.buf; *p; p = nl + 1) {
		line++;
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		if (nl == p) {	/* the blank line before the body */
			tp->body = strdup(*nl ? nl + 1 : "");
			tp->body_line = line + 1;
			break;
		}
		last = !*nl;
		*nl = 0;
		if ((*p == ' ' || *p == '\t') && tp->nh) {
			struct thdr *h = &tp->h[tp->nh - 1];
			size_t n = strlen(h->value);

			/* unfolding: the line break goes, the blank stays */
			h->value = crm_xrealloc(h->value, n + strlen(p) + 1);
			strcpy(h->value + n, p);
			if (last)
				break;
			continue;
		}
		for (colon = p; *colon > ' ' && *colon < 127 && *colon != ':';
		    colon++)
			;
		if (colon == p || *colon != ':') {
			rc = crm_seterr(CRM_EINVAL, "%s:%zu: expected a header "
			    "field 'Name: value', or the blank line before "
			    "the body", file, line);
			goto out;
		}
		tp->h = crm_xrealloc(tp->h, (tp->nh + 1) * sizeof *tp->h);
		tp->h[tp->nh].name = crm_xstrndup(p, (size_t)(colon - p));
		for (colon++; *colon == ' ' || *colon == '\t'; colon++)
			;
		tp->h[tp->nh].value = strdup(colon);
		tp->h[tp->nh++].line = line;
		if (last)
			break;	/* no body at all */
	}
	if (!tp->body)
		tp->body = strdup("");
	x.tp = tp;
	for (i = 0; i < tp->nh && !rc; i++) {
		struct thdr *h = &tp->h[i];
		char *v = h->value, *e = v + strlen(v);

		while (e > v && isspace((unsigned char)e[-1]))
			*--e = 0;
		if (!strcasecmp(h->name, "X-Crm-Unsubscribe-To")) {
			free(tp->unsub_to);
			tp->unsub_to = addr_of(v);
			tp->own_unsub = 1;
		} else if (!strcasecmp(h->name, "X-Crm-Unsubscribe-Url")) {
			free(tp->unsub_url);
			tp->unsub_url = strdup(v);
			if (strncmp(v, "https://", 8))
				rc = crm_seterr(CRM_EINVAL, "%s:%zu: "
				    "X-Crm-Unsubscribe-Url: '%s' is not an "
				    "https:// URL", file, h->line, v);
		} else {
			if (!strcasecmp(h->name, "From"))
				from = v;
			x.header = 1;
			rc = expand(&x, v, h->line, &x.val);
		}
	}
	if (!rc && !from)
		rc = crm_seterr(CRM_EINVAL, "%s: no From: header", file);
	if (!rc) {
		x.header = 0;
		rc = expand(&x, tp->body, tp->body_line, &x.val);
	}
	if (!rc) {
		tp->domain = domain_of(from);
		if (!tp->unsub_to)
			tp->unsub_to = addr_of(from);
		if (!crm_email_valid(tp->unsub_to))
			rc = crm_seterr(CRM_EINVAL, "%s: '%s' is not an "
			    "address to send unsubscribe requests to", file,
			    tp->unsub_to);
	}
out:
	crm_buf_release(&t);
	crm_buf_release(&x.val);
	crm_buf_release(&x.name);
	if (rc)
		crm_template_free(tp);
	else
		*tpp = tp;
	return rc;
}

/* ------------------------------------------------------------ tokens */

static const char secret_key[] = "mail:secret";

/* The store's secret for tokens, made on first use. */
static int
secret(crm_txn *t, struct crm_buf *out)
{
	return crm_meta_secret(t, secret_key, 1, out);
}

static void
token(const char *key, uint64_t id, struct crm_buf *out)
{
	char data[40];

	snprintf(data, sizeof data, "unsubscribe:%llu",
	    (unsigned long long)id);
	crm_buf_addf(out, "%llu-", (unsigned long long)id);
	crm_mime_hmac(key, data, 16, out);
}

/* The record a token names, when it is one crm made; else 0. */
uint64_t
crm_token_record(crm_txn *t, const char *tok)
{
	struct crm_buf key = CRM_BUF_INIT, want = CRM_BUF_INIT;
	char *end;
	uint64_t id = strtoull(tok, &end, 10);

	if (end == tok || *end != '-' || secret(t, &key))
		id = 0;
	else {
		token(key.buf, id, &want);
		if (strncmp(want.buf, tok, want.len) ||
		    isxdigit((unsigned char)tok[want.len]))
			id = 0;
	}
	crm_buf_release(&key);
	crm_buf_release(&want);
	return id;
}

/* -------------------------------------------------------------- runs */

struct run {
	const crm_template *tp;
	struct crm_merge *m;
	struct crm_buf key;	/* the secret */
	struct crm_buf msg, subject, msgid, why, mbox;
	uint64_t arg;		/* the id as given */
	uint64_t id;		/* the record's: another, if arg was merged */
	crm_rec *r;
	int sent;		/* already sent in this campaign */
	/* the records mailed (or printed) so far in this run: an id given
	 * twice, or with an id merged into it, is one record, mailed once,
	 * whether or not the run sends */
	struct crm_idmap seen;
};

static int
prepare(crm_txn *t, void *arg)
{
	struct run *run = arg;
	struct crm_buf k = CRM_BUF_INIT;
	int rc;

	crm_buf_reset(&run->key);
	if ((rc = secret(t, &run->key)) || !run->tp->own_unsub ||
	    !run->m->send)
		return rc;
	/* crm-inbox takes any mail to this address as unsubscribing (not
	 * to From: replies go there) */
	crm_buf_addf(&k, "mail:unsubscribe-to:%s", run->tp->unsub_to);
	for (char *p = k.buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rc = crm_meta_put(t, k.buf, "1", 1);
	crm_buf_release(&k);
	return rc;
}

static int
was_sent(const struct crm_log *e, void *arg)
{
	struct run *run = arg;

	if (!strcasecmp(e->kind, "email") && e->campaign &&
	    crm_fold_eq(e->campaign, run->m->campaign) &&
	    !(e->dir && !strcmp(e->dir, "in")))
		run->sent = 1;
	return 0;
}

/* Render the message for run->arg; CRM_ENOTFOUND (why set) to skip. */
static int
render(crm_txn *t, struct run *run)
{
	const crm_template *tp = run->tp;
	struct xctx x = { 0 };
	struct crm_buf tok = CRM_BUF_INIT, unsub = CRM_BUF_INIT;
	struct crm_buf mailto = CRM_BUF_INIT, list = CRM_BUF_INIT;
	struct crm_buf to = CRM_BUF_INIT;
	struct crm_mailhdr *h = NULL;
	unsigned char rnd[8];
	size_t i, nh = 0;
	int rc;

	crm_buf_reset(&run->why);
	crm_buf_reset(&run->msg);
	rc = crm_rec_load(t, run->arg, run->r);
	if (rc == CRM_ENOTFOUND) {
		crm_buf_addstr(&run->why, "no such record");
		return rc;
	}
	if (rc || (rc = crm_mail_ok(t, run->r, &run->why)))
		return rc;
	/* a merged id mails, logs and is checked as the record kept */
	run->id = crm_rec_id(run->r);
	run->sent = crm_idmap_get(&run->seen, run->id) != NULL;
	if (!run->sent && (rc = crm_log_list(t, run->id, 0, was_sent, run)))
		return rc;
	if (run->sent) {
		crm_buf_addf(&run->why, "already sent in %s",
		    run->m->campaign);
		return CRM_ENOTFOUND;
	}
	token(run->key.buf, run->id, &tok);
	crm_buf_addf(&mailto, "mailto:%s?subject=unsubscribe%%20%s",
	    tp->unsub_to, tok.buf);
	if (tp->unsub_url)
		crm_buf_addf(&unsub, "%s%ct=%s", tp->unsub_url,
		    strchr(tp->unsub_url, '?') ? '&' : '?', tok.buf);
	else
		crm_buf_addstr(&unsub, mailto.buf);
	x.tp = tp;
	x.t = t;
	x.r = run->r;
	x.unsub = unsub.buf;
	h = calloc(tp->nh + 6, sizeof *h);
	crm_buf_reset(&run->subject);
	for (i = 0; i < tp->nh && !rc; i++) {
		struct crm_buf v = CRM_BUF_INIT;

		if (!strncasecmp(tp->h[i].name, "X-Crm-", 6) ||
		    !strcasecmp(tp->h[i].name, "To") ||
		    !strcasecmp(tp->h[i].name, "Message-ID") ||
		    !strcasecmp(tp->h[i].name, "Date") ||
		    !strncasecmp(tp->h[i].name, "List-Unsubscribe", 16))
			continue;
		x.header = 1;
		rc = expand(&x, tp->h[i].value, tp->h[i].line, &v);
		if (!strcasecmp(tp->h[i].name, "Subject"))
			crm_buf_addstr(&run->subject, v.buf);
		h[nh].name = strdup(tp->h[i].name);
		h[nh++].value = crm_buf_detach(&v, NULL);
	}
	/* the one-click headers of RFC 8058, and ours */
	crm_buf_addf(&list, "<%s>", mailto.buf);
	if (tp->unsub_url)
		crm_buf_addf(&list, ", <%s>", unsub.buf);
	h[nh].name = strdup("List-Unsubscribe");
	h[nh++].value = crm_buf_detach(&list, NULL);
	if (tp->unsub_url) {
		h[nh].name = strdup("List-Unsubscribe-Post");
		h[nh++].value = strdup("List-Unsubscribe=One-Click");
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		memset(rnd, 0, sizeof rnd);
	crm_buf_reset(&run->msgid);
	crm_buf_addf(&run->msgid, "crm.%llu.%lld.", (unsigned long long)run->id,
	    (long long)run->m->now);
	for (i = 0; i < sizeof rnd; i++)
		crm_buf_addf(&run->msgid, "%02x", rnd[i]);
	crm_buf_addf(&run->msgid, "@%s", tp->domain);
	h[nh].name = strdup("Message-ID");
	h[nh++].value = strdup(run->msgid.buf);
	{
		char d[64];
		time_t now = (time_t)run->m->now;
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S %z", &tm);
		h[nh].name = strdup("Date");
		h[nh++].value = strdup(d);
	}
	if (!rc) {
		struct crm_buf body = CRM_BUF_INIT;

		const char *name = crm_rec_value(run->r, "name");

		/* the name in To: as in the other header fields */
		if (name)
			crm_mail_blank(&to, name, strlen(name));
		x.header = 0;
		if (!(rc = expand(&x, tp->body, tp->body_line, &body)))
			rc = crm_mime_build(h, nh, to.buf, crm_rec_value(run->r,
			    "email"), body.buf, &run->msg);
		crm_buf_release(&body);
	}
	for (i = 0; i < nh; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
	crm_buf_release(&x.val);
	crm_buf_release(&x.name);
	crm_buf_release(&tok);
	crm_buf_release(&unsub);
	crm_buf_release(&mailto);
	crm_buf_release(&to);
	return rc;
}

/* One message as an mboxrd entry on stdout. */
static int
mbox(struct run *run)
{
	struct crm_buf *b = &run->mbox;
	const char *p, *q;
	char d[64];
	time_t now = (time_t)run->m->now;
	struct tm tm;

	crm_buf_reset(b);
	gmtime_r(&now, &tm);
	strftime(d, sizeof d, "%a %b %e %H:%M:%S %Y", &tm);
	crm_buf_addf(b, "From crm@%s %s\n", run->tp->domain, d);
	for (p = run->msg.buf; *p; p = q) {
		const char *s = p;

		q = strchr(p, '\n');
		q = q ? q + 1 : p + strlen(p);
		while (*s == '>')
			s++;
		if (!strncmp(s, "From ", 5))
			crm_buf_addch(b, '>');
		crm_buf_add(b, p, (size_t)(q - p));
	}
	if (b->len && b->buf[b->len - 1] != '\n')
		crm_buf_addch(b, '\n');
	crm_buf_addch(b, '\n');
	fwrite(b->buf, 1, b->len, stdout);
	return ferror(stdout) ? crm_seterr(CRM_ESTORE, "cannot write the "
	    "output: %s", strerror(errno)) : 0;
}

static int
deliver(struct run *run)
{
	FILE *f;
	int st;

	fflush(stdout);
	/* the mailer runs as the user: exec makes the group it starts
	 * with its saved one, so it cannot take the store's back */
	crm_as_user(1);
	f = popen(run->m->sendmail, "w");
	crm_as_user(0);
	if (!f)
		return crm_seterr(CRM_ESTORE, "cannot run the mailer '%s': "
		    "%s", run->m->sendmail, strerror(errno));
	fwrite(run->msg.buf, 1, run->msg.len, f);
	st = pclose(f);
	if (st != 0)
		return crm_seterr(CRM_ESTORE, "the mailer '%s' failed (status "
		    "%d) on the message to record %llu; %zu sent before it",
		    run->m->sendmail, WIFEXITED(st) ? WEXITSTATUS(st) : st,
		    (unsigned long long)run->id, run->m->sent);
	return 0;
}

/* The message went: log it, and remember its Message-ID. */
static int
log_sent(crm_txn *t, void *arg)
{
	struct run *run = arg;
	struct crm_buf x = CRM_BUF_INIT, k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	const char *extra[1];
	struct crm_log e;
	int rc;

	memset(&e, 0, sizeof e);
	e.rec = run->id;
	e.at = run->m->now;
	e.kind = "email";
	e.dir = "out";
	e.campaign = run->m->campaign;
	e.owner = crm_user();
	e.text = run->subject.buf;
	crm_buf_addf(&x, "message_id=%s", run->msgid.buf);
	extra[0] = x.buf;
	e.extra = extra;
	e.nextra = 1;
	rc = crm_log_add(t, &e);
	if (!rc && run->msgid.len < 400) {
		crm_buf_addf(&k, "msgid:%s", run->msgid.buf);
		crm_buf_addf(&v, "%llu\t%s", (unsigned long long)run->id,
		    run->m->campaign);
		rc = crm_meta_put(t, k.buf, v.buf, v.len);
	}
	crm_buf_release(&x);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

static void
pace(const struct crm_merge *m, struct timespec *last)
{
	struct timespec now, wait;
	double gap, since;

	if (m->rate <= 0)
		return;
	gap = 60.0 / m->rate;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last->tv_sec || last->tv_nsec) {
		since = (double)(now.tv_sec - last->tv_sec) +
		    (double)(now.tv_nsec - last->tv_nsec) / 1e9;
		if (since < gap) {
			wait.tv_sec = (time_t)(gap - since);
			wait.tv_nsec = (long)((gap - since -
			    (double)wait.tv_sec) * 1e9);
			while (nanosleep(&wait, &wait) && errno == EINTR)
				;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, last);
}

int
crm_merge_run(crm_db *db, const crm_template *tp, struct crm_merge *m,
    const struct crm_ids *ids)
{
	struct run run;
	struct timespec last = { 0, 0 };
	crm_txn *t;
	size_t i;
	int rc;

	memset(&run, 0, sizeof run);
	run.tp = tp;
	run.m = m;
	run.r = crm_rec_alloc();
	if ((rc = crm_write(db, prepare, &run)))
		goto out;
	for (i = 0; i < ids->n && !rc; i++) {
		run.arg = ids->v[i];
		if ((rc = crm_read(db, &t)))
			break;
		rc = render(t, &run);
		crm_txn_end(t);
		if (rc == CRM_ENOTFOUND) {
			m->skipped++;
			if (m->skip)
				m->skip(run.arg, run.why.buf, m->arg);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (!m->send) {
			rc = mbox(&run);
		} else {
			pace(m, &last);
			if (!(rc = deliver(&run)))
				rc = crm_write(db, log_sent, &run);
		}
		if (!rc) {
			m->sent++;
			crm_idmap_put(&run.seen, run.id, 1);
		}
	}
out:
	crm_idmap_release(&run.seen);
	crm_rec_free(run.r);
	crm_buf_release(&run.key);
	crm_buf_release(&run.msg);
	crm_buf_release(&run.subject);
	crm_buf_release(&run.msgid);
	crm_buf_release(&run.why);
	crm_buf_release(&run.mbox);
	return rc;
}
