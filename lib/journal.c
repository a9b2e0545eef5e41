/* journal.c - every change, kept for history and undo
 *
 * Key: the transaction's number and a sequence number, both big-endian,
 * so entries are appended in order.  Entry 0 of a transaction says when,
 * who and what command; the others say what changed:
 *   'C' id n           records id .. id+n-1 were created
 *   'S' id fid old new a field changed (values joined by commas)
 *   'D' id record      a record was removed (its encoding)
 *   'Y' schema         the schema was replaced (the old text)
 *   'L' id key value   a history entry was added
 *   'U' id key value   a history entry was removed
 *   'E' id fid         a field changed, its values erased by crm-forget
 *   'F' id             the record was forgotten on request
 */
#include <string.h>

#include "internal.h"

static int
append(crm_txn *t, const struct crm_buf *val)
{
	unsigned char key[12];
	MDB_val k = { sizeof key, key }, v = { val->len, val->buf };
	int rc;

	crm_be64(key, t->txn_id);
	crm_be32(key + 8, t->seq);
	rc = crm_txn_put(t, WC_JOURNAL, &k, &v, MDB_APPEND);
	if (rc)
		return crm_mdb_err(rc, "cannot write the journal");
	t->seq++;
	return 0;
}

static void
putstr(struct crm_buf *b, const char *s, size_t len)
{
	crm_put_varint(b, len);
	crm_buf_add(b, s, len);
}

static int
header(crm_txn *t)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *user = crm_user();
	int rc;

	if (t->seq)
		return 0;
	crm_buf_addch(&b, J_TXN);
	crm_put_varint(&b, (uint64_t)t->now);
	putstr(&b, user, strlen(user));
	putstr(&b, t->db->command.buf, t->db->command.len);
	t->dirty = 1;
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

static int
flush_creates(crm_txn *t)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if (!t->create_n)
		return 0;
	crm_buf_addch(&b, J_CREATE);
	crm_put_varint(&b, t->create_first);
	crm_put_varint(&b, t->create_n);
	t->create_n = 0;
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

int
crm_journal_flush(crm_txn *t)
{
	return flush_creates(t);
}

static int
begin(crm_txn *t)
{
	int rc;

	if ((rc = header(t)))
		return rc;
	return flush_creates(t);
}

int
crm_journal_create(crm_txn *t, uint64_t id)
{
	int rc;

	if (t->create_n && t->create_first + t->create_n == id) {
		t->create_n++;
		return 0;
	}
	if ((rc = begin(t)))
		return rc;
	t->create_first = id;
	t->create_n = 1;
	return 0;
}

int
crm_journal_set(crm_txn *t, uint64_t id, unsigned fid,
    const struct crm_buf *old, const struct crm_buf *new)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((rc = begin(t)))
		return rc;
	crm_buf_addch(&b, J_SET);
	crm_put_varint(&b, id);
	crm_put_varint(&b, fid);
	putstr(&b, old->buf, old->len);
	putstr(&b, new->buf, new->len);
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

int
crm_journal_del(crm_txn *t, uint64_t id, const struct crm_buf *old)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((rc = begin(t)))
		return rc;
	crm_buf_addch(&b, J_DEL);
	crm_put_varint(&b, id);
	crm_buf_add(&b, old->buf, old->len);
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

int
crm_journal_schema(crm_txn *t, const char *old, size_t len)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((rc = begin(t)))
		return rc;
	crm_buf_addch(&b, J_SCHEMA);
	crm_buf_add(&b, old, len);
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

int
crm_journal_log(crm_txn *t, enum crm_jop op, uint64_t id,
    const unsigned char *key, const struct crm_buf *val)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((rc = begin(t)))
		return rc;
	crm_buf_addch(&b, op);
	crm_put_varint(&b, id);
	crm_buf_add(&b, key, 24);
	crm_buf_add(&b, val->buf, val->len);
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}

int
crm_journal_forget(crm_txn *t, uint64_t rec)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((rc = begin(t)))
		return rc;
	crm_buf_addch(&b, J_FORGET);
	crm_put_varint(&b, rec);
	rc = append(t, &b);
	crm_buf_release(&b);
	return rc;
}
