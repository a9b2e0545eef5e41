/* users.c - who uses the store, and who sees which records
 *
 * A store without users is one person's: everyone who can open it sees
 * everything.  Once an admin adds users (meta "user:NAME" -> "ROLE
 * TEAM"), each record belongs to its owner (by default whoever added
 * it): an admin sees every record, a manager those of their team, a rep
 * their own; a record with no owner, or tagged shared, anyone.  The user
 * is the login user; root counts as an admin.  CRM_USER may name another
 * user whose view is within the login user's (an admin may be anyone, a
 * manager one of their team), for scripts; never a wider one.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *const crm_role_names[] = { "admin", "manager", "rep", NULL };

struct crm_member {
	char *name, *team;
	int role;
};

struct crm_view {
	struct crm_member *all;	/* every user, for the teams */
	size_t n;
	const struct crm_member *me;	/* NULL: root, not a user */
	int role;
};

static const char *
login_name(void)
{
	static char name[256];
	struct passwd *pw;

	if (!*name) {
		if ((pw = getpwuid(getuid())))
			snprintf(name, sizeof name, "%s", pw->pw_name);
		else
			snprintf(name, sizeof name, "%u", (unsigned)getuid());
	}
	return name;
}

int
crm_role_parse(const char *s)
{
	int i;

	for (i = 0; crm_role_names[i]; i++)
		if (!strcmp(s, crm_role_names[i]))
			return i;
	return -1;
}

static void
view_free(struct crm_view *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->all[i].name);
		free(v->all[i].team);
	}
	free(v->all);
	free(v);
}

static const struct crm_member *
member(const struct crm_view *v, const char *name)
{
	size_t i;

	for (i = 0; v && i < v->n; i++)
		if (!strcmp(v->all[i].name, name))
			return &v->all[i];
	return NULL;
}

/* "ROLE TEAM" as kept */
static void
parse_member(struct crm_member *m, const char *name, const void *p,
    size_t len)
{
	const char *s = p, *sp = memchr(s, ' ', len);
	char role[16];
	size_t rl = sp ? (size_t)(sp - s) : len;

	snprintf(role, sizeof role, "%.*s", (int)rl, s);
	m->name = strdup(name);
	m->role = crm_role_parse(role);
	if (m->role < 0)
		m->role = ROLE_REP;	/* the narrowest, should it be odd */
	m->team = sp && len > rl + 1 ? crm_xstrndup(sp + 1, len - rl - 1) :
	    NULL;
}

/* May the login user (of role role) be user u (CRM_USER)? */
static int
narrows(int role, const struct crm_member *login, const struct crm_member *u)
{
	if (role == ROLE_ADMIN || login == u)
		return 1;
	return role == ROLE_MANAGER && u->role != ROLE_ADMIN && login &&
	    login->team && u->team && !strcmp(login->team, u->team);
}

int
crm_view_load(crm_db *db, MDB_txn *txn)
{
	struct crm_view *v = calloc(1, sizeof *v);
	const char *login, *want = getenv("CRM_USER");
	const struct crm_member *lm;
	MDB_cursor *c;
	MDB_val k = { 5, "user:" }, d;
	size_t alloc = 0;
	int rc, role;

	view_free(db->view);
	db->view = NULL;
	if ((rc = mdb_cursor_open(txn, db->meta, &c))) {
		free(v);
		return crm_mdb_err(rc, "cannot read the users");
	}
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); !rc &&
	    k.mv_size > 5 && !memcmp(k.mv_data, "user:", 5);
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		char name[256];

		if (v->n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			v->all = crm_xrealloc(v->all, alloc * sizeof *v->all);
		}
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size - 5,
		    (const char *)k.mv_data + 5);
		parse_member(&v->all[v->n++], name, d.mv_data, d.mv_size);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		view_free(v);
		return crm_mdb_err(rc, "cannot read the users");
	}
	if (!v->n) {		/* one person's store */
		view_free(v);
		/* but a shared one is no one's until root names its admin */
		if (crm_secure() && getuid() != 0)
			return crm_seterr(CRM_EPERM, "this shared store has no "
			    "users yet: root adds its first admin (crm-user "
			    "add NAME --role admin)");
		return 0;
	}
	login = login_name();
	lm = member(v, login);
	if (getuid() == 0)
		role = ROLE_ADMIN;
	else if (lm)
		role = lm->role;
	else {
		view_free(v);
		return crm_seterr(CRM_EPERM, "%s is not a user of this store "
		    "(an admin adds users: crm-user add %s --role rep)",
		    login, login);
	}
	v->me = lm;
	v->role = role;
	if (want && *want && strcmp(want, login)) {
		const struct crm_member *u = member(v, want);

		if (!u) {
			view_free(v);
			return crm_seterr(CRM_EPERM, "CRM_USER: %s is not a user "
			    "of this store", want);
		}
		if (!narrows(role, lm, u)) {
			rc = crm_seterr(CRM_EPERM, "CRM_USER may narrow what %s "
			    "sees, not widen it: %s (%s) cannot act as %s "
			    "(%s)", login, login, crm_role_names[role], want,
			    crm_role_names[u->role]);
			view_free(v);
			return rc;
		}
		v->me = u;
		v->role = u->role;
	}
	db->view = v;
	return 0;
}

void
crm_view_free(crm_db *db)
{
	view_free(db->view);
	db->view = NULL;
}

int
crm_view_role(const crm_db *db)
{
	return db->view ? db->view->role : ROLE_ADMIN;
}

int
crm_db_has_users(const crm_db *db)
{
	return db->view != NULL;
}


const char *
crm_view_owner(const crm_rec *r)
{
	const struct crm_field *f = crm_type_field(r->type, "owner");

	return f ? crm_rec_nth(r, f->fid, 0, NULL) : NULL;
}

static int
shared(const crm_rec *r)
{
	const struct crm_field *f = crm_type_field(r->type, "tags");
	const char *v;
	size_t i;

	for (i = 0; f && (v = crm_rec_nth(r, f->fid, i, NULL)); i++)
		if (!strcmp(v, "shared"))
			return 1;
	return 0;
}

int
crm_visible(crm_txn *t, const crm_rec *r)
{
	const struct crm_view *v = t->db->view;
	const struct crm_member *o;
	const char *owner;

	if (!v || v->role == ROLE_ADMIN)
		return 1;
	if (!(owner = crm_view_owner(r)) || !*owner || shared(r))
		return 1;
	if (v->me && !strcmp(owner, v->me->name))
		return 1;
	return v->role == ROLE_MANAGER && v->me && v->me->team &&
	    (o = member(v, owner)) && o->team && !strcmp(o->team,
	    v->me->team);
}

int
crm_visible_id(crm_txn *t, uint64_t id)
{
	crm_rec *r;
	int vis;

	if (!t->db->view || t->db->view->role == ROLE_ADMIN)
		return 1;
	if (crm_rec_get(t, id, &r))
		return 0;
	vis = crm_visible(t, r);
	crm_rec_free(r);
	return vis;
}

int
crm_may_write(crm_txn *t, const crm_rec *old, const crm_rec *r)
{
	const struct crm_view *v = t->db->view;
	const char *owner;

	if (old && !crm_visible(t, old)) {
		owner = crm_view_owner(old);
		return crm_seterr(CRM_EPERM, "record %llu is %s's: %s (%s) "
		    "may not change it", (unsigned long long)old->id, owner,
		    crm_user(), crm_role_names[v->role]);
	}
	if (r && !crm_visible(t, r)) {
		owner = crm_view_owner(r);
		return crm_seterr(CRM_EPERM, "%s (%s) may not give a record "
		    "to %s", crm_user(), crm_role_names[v->role], owner);
	}
	return 0;
}

int
crm_require(crm_db *db, int role, const char *what)
{
	if (crm_view_role(db) <= role)
		return 0;
	return crm_seterr(CRM_EPERM, "%s is for %s%s; %s is a %s", what,
	    crm_role_names[role], role == ROLE_ADMIN ? "s" : "s and admins",
	    crm_user(), crm_role_names[crm_view_role(db)]);
}

/* ----------------------------------------------------------- crm-user */

int
crm_user_put(crm_txn *t, const char *name, int role, const char *team)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	const unsigned char *p;
	int rc;

	/* a login name may be UTF-8 (Žofia); no controls, C1's neither */
	for (p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p == ':' || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			break;
	if (!*name || *p || !crm_utf8_valid(name, strlen(name)))
		return crm_seterr(CRM_EINVAL, "'%s' is not a user name (no "
		    "spaces, colons or control characters; UTF-8)", name);
	if (team && strchr(team, ' '))
		return crm_seterr(CRM_EINVAL, "'%s' is not a team name (no "
		    "spaces)", team);
	/* a store's first user is its admin, or nobody could add more */
	if (!t->db->view && role != ROLE_ADMIN && getuid() != 0)
		return crm_seterr(CRM_EINVAL, "the first user must be an "
		    "admin (crm-user add %s --role admin)", login_name());
	crm_buf_addf(&k, "user:%s", name);
	crm_buf_addf(&v, "%s%s%s", crm_role_names[role], team ? " " : "",
	    team ? team : "");
	rc = crm_meta_put(t, k.buf, v.buf, v.len);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

int
crm_user_get(crm_txn *t, const char *name, int *role, struct crm_buf *team)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	struct crm_member m;
	int rc;

	crm_buf_addf(&k, "user:%s", name);
	if (!(rc = crm_meta_get(t, k.buf, &v))) {
		parse_member(&m, name, v.buf, v.len);
		*role = m.role;
		if (m.team)
			crm_buf_addstr(team, m.team);
		free(m.name);
		free(m.team);
	}
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

int
crm_user_del(crm_txn *t, const char *name)
{
	struct crm_buf k = CRM_BUF_INIT, v = CRM_BUF_INIT;
	int rc;

	crm_buf_addf(&k, "user:%s", name);
	if ((rc = crm_meta_get(t, k.buf, &v)) == CRM_ENOTFOUND)
		rc = crm_seterr(CRM_EINVAL, "no user %s", name);
	else if (!rc)
		rc = crm_meta_del(t, k.buf);
	crm_buf_release(&k);
	crm_buf_release(&v);
	return rc;
}

struct each {
	int (*fn)(const char *name, const char *role, const char *team,
	    void *arg);
	void *arg;
};

static int
each_user(const char *name, const char *value, void *arg)
{
	struct each *e = arg;
	struct crm_member m;
	int rc;

	parse_member(&m, name, value, strlen(value));
	rc = e->fn(name, crm_role_names[m.role], m.team ? m.team : "",
	    e->arg);
	free(m.name);
	free(m.team);
	return rc;
}

int
crm_user_list(crm_txn *t, int (*fn)(const char *name, const char *role,
    const char *team, void *arg), void *arg)
{
	struct each e = { fn, arg };

	return crm_meta_list(t, "user:", each_user, &e);
}
