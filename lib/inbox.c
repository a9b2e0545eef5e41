/* inbox.c - mail coming back: replies, unsubscribe requests, bounces
 *
 * One message, one write transaction.  A delivery status notification
 * marks its failed recipients bounced; a request with a valid token, or
 * sent to an address a mailing gave for unsubscribing, opts the sender
 * out; a reply to a message crm sent is logged on its recipient with
 * the campaign; mail from a known address is logged on that record.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

struct inbox {
	const struct crm_inmail *in;
	int add_leads;
	struct crm_buf *report;
};

/* The record of the first valid token after "unsubscribe" in a
 * subject ("Re: unsubscribe me? unsubscribe 17-3f9a..."), or 0. */
static uint64_t
unsub_record(crm_txn *t, const char *subject)
{
	struct crm_buf tok = CRM_BUF_INIT;
	const char *p;
	uint64_t id = 0;

	for (p = subject; p && *p && !id; p++) {
		const char *q = p + 11, *e;

		if (strncasecmp(p, "unsubscribe", 11))
			continue;
		while (*q == ' ' || *q == ':')
			q++;
		for (e = q; isalnum((unsigned char)*e) || *e == '-'; e++)
			;
		crm_buf_reset(&tok);
		crm_buf_add(&tok, q, (size_t)(e - q));
		if (e > q)
			id = crm_token_record(t, tok.buf);
	}
	crm_buf_release(&tok);
	return id;
}

static int
opt_out(crm_txn *t, struct inbox *ib, const char *email)
{
	int rc = crm_optout_add(t, email, "unsubscribed");

	if (!rc)
		crm_buf_addf(ib->report, "opted out %s\n", email);
	return rc;
}

/* An unsubscribe request?  *done when it was one. */
static int
unsubscribe(crm_txn *t, struct inbox *ib, int *done)
{
	const struct crm_inmail *in = ib->in;
	struct crm_buf tok = CRM_BUF_INIT, k = CRM_BUF_INIT;
	const char *email;
	uint64_t id;
	crm_rec *r;
	size_t i;
	int rc = 0;

	*done = 0;
	if ((id = unsub_record(t, in->subject))) {
		*done = 1;
		if (!(rc = crm_rec_get(t, id, &r))) {
			if ((email = crm_rec_value(r, "email")))
				rc = opt_out(t, ib, email);
			crm_rec_free(r);
		} else if (rc == CRM_ENOTFOUND) {
			rc = 0;	/* removed since */
		}
		goto out;
	}
	for (i = 0; i < in->nto && in->from_addr && !*done; i++) {
		crm_buf_reset(&k);
		crm_buf_addf(&k, "mail:unsubscribe-to:%s", in->to[i]);
		crm_buf_reset(&tok);
		if (!crm_meta_get(t, k.buf, &tok)) {
			*done = 1;
			rc = opt_out(t, ib, in->from_addr);
		}
	}
out:
	crm_buf_release(&tok);
	crm_buf_release(&k);
	return rc;
}

/* The record and campaign of a message crm sent, by its Message-ID. */
static uint64_t
sent_as(crm_txn *t, const char *msgid, struct crm_buf *campaign)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	uint64_t id = 0;
	char *tab;

	crm_buf_addf(&k, "msgid:%s", msgid);
	if (k.len < 450 && !crm_meta_get(t, k.buf, &v)) {
		id = strtoull(v.buf, &tab, 10);
		if (*tab == '\t') {
			crm_buf_reset(campaign);
			crm_buf_addstr(campaign, tab + 1);
		}
	}
	crm_buf_release(&k);
	crm_buf_release(&v);
	return id;
}

static int
log_in(crm_txn *t, struct inbox *ib, uint64_t rec, const char *campaign)
{
	const struct crm_inmail *in = ib->in;
	struct crm_buf x = CRM_BUF_INIT, k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	const char *extra[1];
	struct crm_log e;
	int rc;

	/* the same message delivered twice is logged once */
	if (in->msgid) {
		crm_buf_addf(&k, "msgid-in:%s", in->msgid);
		if (k.len < 450 && !crm_meta_get(t, k.buf, &v)) {
			crm_buf_addf(ib->report, "already logged %s on %s\n",
			    in->msgid, v.buf);
			rc = 0;
			goto out;
		}
	}
	memset(&e, 0, sizeof e);
	e.rec = rec;
	e.at = t->now;
	e.kind = "email";
	e.dir = "in";
	e.campaign = campaign && *campaign ? campaign : NULL;
	e.owner = crm_user();
	e.text = in->subject ? in->subject : "";
	if (in->msgid) {
		crm_buf_addf(&x, "message_id=%s", in->msgid);
		extra[0] = x.buf;
		e.extra = extra;
		e.nextra = 1;
	}
	if ((rc = crm_log_add(t, &e)))
		goto out;
	crm_buf_addf(ib->report, "logged %llu on %llu\n",
	    (unsigned long long)e.id, (unsigned long long)rec);
	if (in->msgid && k.len < 450) {
		crm_buf_reset(&v);
		crm_buf_addf(&v, "%llu", (unsigned long long)rec);
		rc = crm_meta_put(t, k.buf, v.buf, v.len);
	}
out:
	crm_buf_release(&x);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

/* A new person from the sender: a lead. */
static int
add_lead(crm_txn *t, struct inbox *ib, uint64_t *id)
{
	const struct crm_inmail *in = ib->in;
	crm_rec *r;
	const char *name = in->from_name && *in->from_name ? in->from_name :
	    in->from_addr;
	int rc;

	if ((rc = crm_rec_new(t, "person", &r)))
		return rc;
	if (!(rc = crm_rec_set(r, "name", name, strlen(name), CRM_SET)) &&
	    !(rc = crm_rec_set(r, "email", in->from_addr,
	    strlen(in->from_addr), CRM_SET)) &&
	    !(rc = crm_rec_set(r, "tags", "lead", 4, CRM_ADD)) &&
	    !(rc = crm_rec_put(t, r))) {
		*id = crm_rec_id(r);
		crm_buf_addf(ib->report, "added %llu %s\n",
		    (unsigned long long)*id, in->from_addr);
	}
	crm_rec_free(r);
	return rc;
}

static int
inbox(crm_txn *t, void *arg)
{
	struct inbox *ib = arg;
	const struct crm_inmail *in = ib->in;
	struct crm_buf campaign = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	uint64_t rec = 0;
	size_t i;
	int rc = 0, done;

	crm_buf_reset(ib->report);
	if (in->dsn) {
		for (i = 0; i < in->nfailed && !rc; i++)
			if (crm_email_valid(in->failed[i]) &&
			    !(rc = crm_optout_add(t, in->failed[i], "bounced")))
				crm_buf_addf(ib->report, "bounced %s\n",
				    in->failed[i]);
		return rc;
	}
	if ((rc = unsubscribe(t, ib, &done)) || done)
		return rc;
	for (i = 0; i < in->nrefs && !rec; i++)
		rec = sent_as(t, in->refs[i], &campaign);
	if (rec) {
		crm_rec *r;

		/* removed since it was mailed (0), or merged into another */
		if (crm_rec_get(t, rec, &r)) {
			rec = 0;
		} else {
			rec = crm_rec_id(r);
			crm_rec_free(r);
		}
	}
	if (!rec && in->from_addr && !crm_find_email(t, in->from_addr, &ids) &&
	    ids.n)
		rec = ids.v[0];
	if (!rec && ib->add_leads && in->from_addr &&
	    crm_email_valid(in->from_addr))
		rc = add_lead(t, ib, &rec);
	if (!rc && rec)
		rc = log_in(t, ib, rec, campaign.buf);
	crm_ids_release(&ids);
	crm_buf_release(&campaign);
	return rc;
}

int
crm_inbox(crm_db *db, const char *msg, size_t len, int add_leads,
    struct crm_buf *report)
{
	struct crm_inmail in;
	struct inbox ib = { &in, add_leads, report };
	int rc;

	if ((rc = crm_mime_parse(msg, len, &in)))
		return rc;
	rc = crm_write(db, inbox, &ib);
	crm_inmail_release(&in);
	return rc;
}
