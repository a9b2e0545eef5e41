/* crm-find.c - quick look-up by name, e-mail, phone, company or id */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-find [-jH0] [-f FORMAT] [--type TYPE] [--db DIR]\n"
    "       [--email ADDR | --phone NUMBER | --id ID] [TERM ...]";

static const char *const cols[] = { "id", "type", "name", "email", "phone",
	NULL };

int
main(int argc, char **argv)
{
	enum { O_EMAIL = CRM_OPT_CMD, O_PHONE, O_ID, O_TYPE };
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "email", 1, 0, O_EMAIL },
		{ "phone", 1, 0, O_PHONE },
		{ "id", 1, 0, O_ID },
		{ "type", 1, 0, O_TYPE },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_ids ids = { 0 }, term = { 0 };
	const char *email = NULL, *phone = NULL, *id = NULL, *type = NULL;
	crm_db *db;
	crm_txn *t;
	crm_out *out;
	crm_rec *r;
	size_t i, shown = 0;
	int ch, rc = 0, first = 1;

	crm_progname = "crm-find";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_EMAIL: email = optarg; break;
		case O_PHONE: phone = optarg; break;
		case O_ID: id = optarg; break;
		case O_TYPE: type = optarg; break;
		default: crm_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc && !email && !phone && !id)
		crm_usage(usage);

	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if (type && !crm_schema_hastype(crm_db_schema(db), type))
		crm_fail(CRM_EINVAL, NULL);
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	/* every look-up given must match: intersect them */
	for (i = 0; i < (size_t)argc + 3 && (first || ids.n); i++) {
		term.n = 0;
		if (i == 0 && email)
			rc = crm_find_email(t, email, &term);
		else if (i == 1 && phone)
			rc = crm_find_phone(t, phone, &term);
		else if (i == 2 && id)
			rc = crm_ids_read(1, (char **)&id, &term);
		else if (i >= 3)
			rc = crm_find_term(t, argv[i - 3], &term);
		else
			continue;
		if (rc == CRM_EINVAL && i != 2)
			rc = CRM_ENOTFOUND;	/* no such number: no match */
		if (rc && rc != CRM_ENOTFOUND)
			crm_fail(rc, "cannot look up");
		crm_ids_sort(&term);
		if (first) {
			ids.n = 0;
			for (size_t k = 0; k < term.n; k++)
				crm_ids_add(&ids, term.v[k]);
		} else {
			crm_ids_intersect(&ids, &term);
		}
		first = 0;
	}
	rc = 0;
	for (i = 0; i < ids.n; i++) {
		if (crm_rec_get(t, ids.v[i], &r))
			continue;
		if ((!type || !strcmp(type, crm_rec_type(r))) &&
		    crm_visible(t, r)) {
			rc = crm_out_rec(out, t, r);
			shown++;
		}
		crm_rec_free(r);
		if (rc)
			break;
	}
	if (crm_out_free(out) || rc)
		crm_die(3, "cannot write the output");
	crm_txn_end(t);
	crm_cli_done(db);
	crm_ids_release(&ids);
	crm_ids_release(&term);
	return shown ? 0 : 1;
}
