/* crm-schema.c - show, check and apply the store's schema */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-schema [--db DIR] show | apply [-n] FILE | types | fields [TYPE]";

static int nflag;

struct apply {
	const char *text;
	size_t len;
};

static int
apply(crm_txn *t, void *arg)
{
	struct apply *a = arg;
	int rc = crm_schema_apply(t, a->text, a->len);

	return rc ? rc : nflag ? CRM_EABORT : 0;
}

static void
println(const char *name, void *arg)
{
	(void)arg;
	puts(name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "dry-run", 0, 0, 'n' },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	const crm_schema *s;
	struct apply a;
	const char *cmd;
	crm_db *db;
	size_t i;
	int ch, rc;

	crm_progname = "crm-schema";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "n", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		if (ch == 'n')
			nflag = 1;
		else
			crm_usage(usage);
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		crm_usage(usage);
	cmd = argv[0];
	if (!strcmp(cmd, "apply")) {
		/* getopt stops at the subcommand: allow apply -n FILE */
		if (argc == 3 && !strcmp(argv[1], "-n")) {
			nflag = 1;
			argv++;
			argc--;
		}
		if (argc != 2)
			crm_usage(usage);
		a.text = crm_slurp_or_die(argv[1], &a.len);
		if (nflag) {
			/* a dry run creates no store: without one, there
			 * are no records to check against */
			char *dir = crm_db_dir(o.db);
			crm_schema *s;

			rc = dir ? crm_db_open(&db, dir, CRM_RDONLY) :
			    CRM_ENOSTORE;
			free(dir);
			if (rc == CRM_ENOSTORE) {
				if ((rc = crm_schema_parse(&s, a.text,
				    a.len)))
					crm_die(crm_exitcode(rc), "%s: %s",
					    argv[1], crm_errmsg());
				crm_schema_free(s);
				free((char *)a.text);
				return 0;
			}
			if (rc)
				crm_fail(rc, "cannot open the store");
			crm_cli_done(db);
		}
		db = crm_open_or_die(&o, 0, argc, argv);
		rc = crm_write(db, apply, &a);
		if (rc && rc != CRM_EABORT) {
			const char *m = crm_errmsg();

			crm_die(crm_exitcode(rc), "%s: %s", argv[1],
			    m ? m : crm_strerror(rc));
		}
		free((char *)a.text);
		crm_cli_done(db);
		return 0;
	}
	if (strcmp(cmd, "show") && strcmp(cmd, "types") &&
	    strcmp(cmd, "fields"))
		crm_usage(usage);
	if (argc > (strcmp(cmd, "fields") ? 1 : 2))
		crm_usage(usage);
	/* without a store yet, the schema it would start with */
	db = NULL;
	{
		char *dir = crm_db_dir(o.db);

		rc = dir ? crm_db_open(&db, dir, CRM_RDONLY) : CRM_ENOSTORE;
		free(dir);
	}
	if (rc == CRM_ENOSTORE) {
		crm_schema *d;

		if ((rc = crm_schema_parse(&d, crm_schema_default,
		    strlen(crm_schema_default))))
			crm_fail(rc, "the default schema");
		s = d;
	} else if (rc) {
		crm_fail(rc, "cannot open the store");
	} else {
		s = crm_db_schema(db);
	}
	if (!strcmp(cmd, "show")) {
		struct crm_buf text = CRM_BUF_INIT;

		if (!db)
			crm_buf_addstr(&text, crm_schema_default);
		else if ((rc = crm_db_schema_text(db, &text)))
			crm_fail(rc, "cannot read the schema");
		fwrite(text.buf, 1, text.len, stdout);
		crm_buf_release(&text);
	} else if (!strcmp(cmd, "types")) {
		for (i = 0; i < crm_schema_ntypes(s); i++)
			puts(crm_schema_typename(s, i));
	} else {
		if (argc == 2 && !crm_schema_hastype(s, argv[1]))
			crm_fail(CRM_EINVAL, NULL);
		crm_schema_fields(s, argc == 2 ? argv[1] : NULL, println,
		    NULL);
	}
	if (!db)
		crm_schema_free((crm_schema *)s);
	crm_cli_done(db);
	if (fflush(stdout) || ferror(stdout))
		crm_die(3, "cannot write the output");
	return 0;
}
