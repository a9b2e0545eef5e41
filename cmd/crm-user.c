/* crm-user.c - the store's users, their roles and teams */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-user [--db DIR] add NAME --role admin|manager|rep [--team TEAM]\n"
    "       crm-user [--db DIR] set NAME [--role ROLE] [--team TEAM]\n"
    "       crm-user [--db DIR] rm NAME\n"
    "       crm-user [-jH] [--db DIR] ls | whoami";

enum { O_ROLE = CRM_OPT_CMD, O_TEAM };

struct ctx {
	const char *cmd, *name, *team;
	int role;
	crm_out *out;
};

static int
change(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	struct crm_buf team = CRM_BUF_INIT;
	int role, rc;

	if (!strcmp(c->cmd, "rm"))
		return crm_user_del(t, c->name);
	rc = crm_user_get(t, c->name, &role, &team);
	if (!strcmp(c->cmd, "add")) {
		rc = rc == CRM_ENOTFOUND ? crm_user_put(t, c->name, c->role,
		    c->team) : rc ? rc : crm_seterr(CRM_EEXIST, "%s is a user "
		    "already (crm-user set changes one)", c->name);
	} else if (rc == CRM_ENOTFOUND) {
		rc = crm_seterr(CRM_EINVAL, "no user %s", c->name);
	} else if (!rc) {
		rc = crm_user_put(t, c->name, c->role >= 0 ? c->role : role,
		    c->team ? (*c->team ? c->team : NULL) :
		    team.len ? team.buf : NULL);
	}
	crm_buf_release(&team);
	return rc;
}

static int
row(const char *name, const char *role, const char *team, void *arg)
{
	const char *v[4] = { name, role, *team ? team : NULL, NULL };

	return crm_out_row(arg, v);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "role", 1, 0, O_ROLE }, { "team", 1, 0, O_TEAM },
		{ 0, 0, 0, 0 }
	};
	static const char *const cols[] = { "user", "role", "team", NULL };
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	crm_db *db;
	crm_txn *t;
	int ch, rc;

	crm_progname = "crm-user";
	c.role = -1;
	/* options may follow the subcommand and the name */
	while ((ch = getopt_long(argc, argv, "-" CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case 1:
			if (!c.cmd)
				c.cmd = optarg;
			else if (!c.name)
				c.name = optarg;
			else
				crm_usage(usage);
			break;
		case O_ROLE:
			if ((c.role = crm_role_parse(optarg)) < 0)
				crm_die(2, "--role: admin, manager or rep, not "
				    "'%s'", optarg);
			break;
		case O_TEAM: c.team = optarg; break;
		default: crm_usage(usage);
		}
	}
	if (!c.cmd)
		crm_usage(usage);
	if (!strcmp(c.cmd, "ls") || !strcmp(c.cmd, "whoami")) {
		if (c.name || c.team || c.role >= 0)
			crm_usage(usage);
		db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
		if ((rc = crm_out_new(&c.out, &o, crm_db_schema(db), cols)))
			crm_fail(rc, NULL);
		if ((rc = crm_read(db, &t)))
			crm_fail(rc, "cannot read");
		if (!strcmp(c.cmd, "ls")) {
			rc = crm_user_list(t, row, c.out);
		} else {
			struct crm_buf team = CRM_BUF_INIT;
			int role;

			if (crm_user_get(t, crm_user(), &role, &team))
				crm_buf_reset(&team);
			rc = row(crm_user(), crm_role_names[crm_view_role(db)],
			    team.len ? team.buf : "", c.out);
			crm_buf_release(&team);
		}
		crm_txn_end(t);
		if (rc || (rc = crm_out_free(c.out)))
			crm_fail(rc, "cannot list the users");
		crm_cli_done(db);
		return 0;
	}
	if ((strcmp(c.cmd, "add") && strcmp(c.cmd, "set") &&
	    strcmp(c.cmd, "rm")) || !c.name ||
	    (!strcmp(c.cmd, "add") && c.role < 0) ||
	    (!strcmp(c.cmd, "rm") && (c.role >= 0 || c.team)))
		crm_usage(usage);
	db = crm_open_or_die(&o, 0, argc, argv);
	if (crm_db_has_users(db) &&
	    (rc = crm_require(db, ROLE_ADMIN, "changing users")))
		crm_fail(rc, NULL);
	if ((rc = crm_write(db, change, &c)))
		crm_fail(rc, "cannot change the users");
	crm_cli_done(db);
	return 0;
}
