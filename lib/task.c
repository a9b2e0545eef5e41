/* task.c - follow-ups: each record's next_due, and what is due when */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A task's time field as seconds; 0 when it has none. */
static int
task_time(const crm_rec *r, const char *field, int64_t *v)
{
	const struct crm_field *f = crm_type_field(r->type, field);
	const char *s;

	if (!f || !(s = crm_rec_nth(r, f->fid, 0, NULL)))
		return 0;
	*v = strtoll(s, NULL, 10);
	return 1;
}

static uint64_t
about_of(const crm_rec *r)
{
	const struct crm_field *f = crm_type_field(r->type, "about");
	const char *s;

	if (!f || !(s = crm_rec_nth(r, f->fid, 0, NULL)))
		return 0;
	return strtoull(s, NULL, 10);
}

static int
is_task(const crm_rec *r)
{
	return r && !strcmp(r->type->name, "task");
}

static int
open_due(const crm_rec *r, int64_t *due)
{
	int64_t done;

	return is_task(r) && task_time(r, "due", due) &&
	    !task_time(r, "done", &done);
}

static int
put_next_due(crm_txn *t, crm_rec *r, int64_t due, int has)
{
	char b[32];

	crm_rec_drop(r, FID_NEXT_DUE);
	if (has) {
		snprintf(b, sizeof b, "%lld", (long long)due);
		crm_rec_add_raw(r, FID_NEXT_DUE, b, strlen(b));
	}
	return crm_rec_put_derived(t, r);
}

static int
set_next_due(crm_txn *t, uint64_t id, int64_t due, int has)
{
	crm_rec *r;
	int rc;

	if ((rc = crm_rec_get(t, id, &r)))
		return rc == CRM_ENOTFOUND ? 0 : rc;
	rc = put_next_due(t, r, due, has);
	crm_rec_free(r);
	return rc;
}

int
crm_task_open(const crm_rec *r, uint64_t *about, int64_t *due)
{
	return open_due(r, due) && (*about = about_of(r)) != 0;
}

/* The earliest due time of the open tasks about a record. */
int
crm_task_refresh(crm_txn *t, uint64_t about)
{
	struct crm_ids ids = { 0 };
	int64_t best = 0, due;
	int has = 0, rc;
	size_t i;

	if ((rc = crm_index_flush(t)))
		return rc;
	rc = crm_find_refs(t, "about", about, &ids);
	for (i = 0, rc = rc == CRM_ENOTFOUND ? 0 : rc; i < ids.n && !rc;
	    i++) {
		crm_rec *r;

		if ((rc = crm_rec_get(t, ids.v[i], &r)))
			break;
		if (open_due(r, &due) && (!has || due < best)) {
			best = due;
			has = 1;
		}
		crm_rec_free(r);
	}
	crm_ids_release(&ids);
	return rc ? rc : set_next_due(t, about, best, has);
}

int
crm_task_changed(crm_txn *t, const crm_rec *old, const crm_rec *new)
{
	uint64_t a = is_task(old) ? about_of(old) : 0;
	uint64_t b = is_task(new) ? about_of(new) : 0;
	int64_t due;
	const char *v;
	crm_rec *r;
	int rc;

	if (!a && !b)
		return 0;
	/* a new open task can only bring the next due time forward */
	if (!old && b) {
		if (!open_due(new, &due))
			return 0;
		if ((rc = crm_rec_get(t, b, &r)))
			return rc == CRM_ENOTFOUND ? 0 : rc;
		v = crm_rec_nth(r, FID_NEXT_DUE, 0, NULL);
		/* the record read is the one written: not read again */
		rc = v && strtoll(v, NULL, 10) <= due ? 0 :
		    put_next_due(t, r, due, 1);
		crm_rec_free(r);
		return rc;
	}
	if (a && (rc = crm_task_refresh(t, a)))
		return rc;
	return b && b != a ? crm_task_refresh(t, b) : 0;
}

int
crm_due(crm_txn *t, const char *owner, int64_t until,
    int (*fn)(uint64_t task, int64_t due, void *arg), void *arg)
{
	return crm_index_due(t, owner, until, fn, arg);
}
