/* crm-optout.c - record that an address must not be mailed again */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-optout [--db DIR] [--bounce] EMAIL|ID...|-";

struct ctx {
	char **args;
	size_t *line;		/* of stdin, 0 for an argument */
	size_t n, alloc;
	const char *why;
};

static void
add(struct ctx *c, const char *arg, size_t line)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->args = crm_xrealloc(c->args, c->alloc * sizeof *c->args);
		c->line = crm_xrealloc(c->line, c->alloc * sizeof *c->line);
	}
	c->line[c->n] = line;
	c->args[c->n++] = crm_xstrndup(arg, strlen(arg));
}

/* An id stands for its record's address; anything with @ is one. */
static int
one(crm_txn *t, struct ctx *c, const char *a, struct crm_ids *ids)
{
	crm_rec *r;
	int rc;

	if (strchr(a, '@'))
		return crm_optout_add(t, a, c->why);
	ids->n = 0;
	if ((rc = crm_ids_read(1, (char **)&a, ids)))
		return rc;
	rc = crm_rec_get(t, ids->v[0], &r);
	if (rc == CRM_ENOTFOUND)
		return crm_seterr(CRM_EINVAL, "no record %s", a);
	if (rc)
		return rc;
	if (!crm_visible(t, r))
		rc = crm_seterr(CRM_EPERM, "record %s is not %s's to see", a,
		    crm_user());
	else if (!crm_rec_value(r, "email"))
		rc = crm_seterr(CRM_EINVAL, "record %s has no e-mail address",
		    a);
	else
		rc = crm_optout_add(t, crm_rec_value(r, "email"), c->why);
	crm_rec_free(r);
	return rc;
}

static int
optout(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	struct crm_ids ids = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < c->n && !rc; i++) {
		rc = one(t, c, c->args[i], &ids);
		/* what a line of stdin holds is told by its number */
		if ((rc == CRM_EINVAL || rc == CRM_EPERM) && c->line[i])
			crm_errprefix(rc, "line %zu: ", c->line[i]);
	}
	crm_ids_release(&ids);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "bounce", 0, 0, CRM_OPT_CMD },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { .why = "opted out" };
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	crm_db *db;
	int ch, rc, i;

	crm_progname = "crm-optout";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch == CRM_OPT_CMD)
			c.why = "bounced";
		else
			crm_usage(usage);
	}
	argc -= optind;
	argv += optind;
	/* addresses or ids, as arguments or one per line on stdin */
	if (!argc && !isatty(0)) {
		static char *dash[] = { "-", NULL };

		argv = dash;
		argc = 1;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-")) {
			add(&c, argv[i], 0);
			continue;
		}
		while ((len = getline(&line, &cap, stdin)) > 0) {
			lineno++;
			line[strcspn(line, "\t\r\n")] = 0;
			if (*line)
				add(&c, line, lineno);
		}
	}
	if (!c.n)
		crm_usage(usage);
	db = crm_open_or_die(&o, 0, argc, argv);
	if ((rc = crm_write(db, optout, &c)))
		crm_fail(rc, "cannot record");
	crm_cli_done(db);
	while (c.n)
		free(c.args[--c.n]);
	free(c.args);
	free(c.line);
	free(line);
	return 0;
}
