/* crm-log.c - record an interaction: a call, an e-mail, a purchase... */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-log [-j0H] [-f FORMAT] [--db DIR] [--now WHEN] [--at WHEN]\n"
    "       [--amount N] [--owner USER] [--campaign NAME] [--dir in|out]\n"
    "       [--next WHEN TEXT] ID...|- KIND [TEXT] [key=value ...]\n"
    "       crm-log --list [-n N] ID\n"
    "       crm-log --rm ENTRY...|-";

/* the columns of --list; a template may name any key (dir, extras) */
static const char *const cols[] = { "id", "at", "record", "kind", "text",
	"amount", "owner", "campaign", "*", NULL };

struct ctx {
	struct crm_ids ids, entries;
	struct crm_log e;
	const char *next_text;
	char next_due[64];
};

/* The follow-up of --next: a task about the record. */
static int
follow_up(crm_txn *t, struct ctx *c, uint64_t id)
{
	char about[32];
	crm_rec *r;
	int rc;

	snprintf(about, sizeof about, "%llu", (unsigned long long)id);
	if ((rc = crm_rec_new(t, "task", &r)))
		return rc;
	if (!(rc = crm_rec_set(r, "text", c->next_text,
	    strlen(c->next_text), CRM_SET)) &&
	    !(rc = crm_rec_set(r, "about", about, strlen(about), CRM_SET)) &&
	    !(rc = crm_rec_set(r, "due", c->next_due, strlen(c->next_due),
	    CRM_SET)) &&
	    !(rc = crm_rec_set(r, "owner", c->e.owner, strlen(c->e.owner),
	    CRM_SET)))
		rc = crm_rec_put(t, r);
	crm_rec_free(r);
	return rc;
}

static int
log_all(crm_txn *t, void *arg)
{
	struct ctx *c = arg;
	size_t i;
	int rc = 0;

	c->entries.n = 0;
	for (i = 0; i < c->ids.n && !rc; i++) {
		c->e.rec = c->ids.v[i];
		if (!(rc = crm_log_add(t, &c->e)))
			crm_ids_add(&c->entries, c->e.id);
		if (!rc && c->next_text)
			rc = follow_up(t, c, c->ids.v[i]);
		if (rc == CRM_EINVAL && c->ids.n > 1 &&
		    !strstr(crm_errmsg(), "no record"))
			crm_errprefix(rc, "record %llu: ",
			    (unsigned long long)c->ids.v[i]);
	}
	return rc;
}

static int
rm_all(crm_txn *t, void *arg)
{
	struct crm_ids *ids = arg;
	size_t i;
	int rc = 0;

	for (i = 0; i < ids->n && !rc; i++)
		rc = crm_log_del(t, ids->v[i]);
	return rc;
}

static int
print(const struct crm_log *e, void *arg)
{
	return crm_out_log(arg, e);
}

static int
is_id(const char *s)
{
	return !strcmp(s, "-") || (*s >= '1' && *s <= '9' &&
	    s[strspn(s, "0123456789")] == 0);
}

static int
is_assign(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_0123456789");

	return n && s[n] == '=' && !(*s >= '0' && *s <= '9');
}

int
main(int argc, char **argv)
{
	enum { O_AT = CRM_OPT_CMD, O_AMOUNT, O_OWNER, O_CAMPAIGN, O_DIR,
		O_NEXT, O_LIST, O_RM };
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "at", 1, 0, O_AT }, { "amount", 1, 0, O_AMOUNT },
		{ "owner", 1, 0, O_OWNER }, { "campaign", 1, 0, O_CAMPAIGN },
		{ "dir", 1, 0, O_DIR }, { "next", 1, 0, O_NEXT },
		{ "list", 0, 0, O_LIST }, { "rm", 0, 0, O_RM },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct ctx c = { 0 };
	struct crm_buf when = CRM_BUF_INIT;
	const char *at = NULL, *next = NULL;
	int ch, rc, nids, list = 0, rm = 0, i;
	unsigned long max = 0;
	crm_out *out = NULL;
	crm_db *db;
	crm_txn *t;
	char *end;

	crm_progname = "crm-log";
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "n:", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_AT: at = optarg; break;
		case O_AMOUNT:
			/* the library reads an empty amount as none, as an
			 * import's empty cell is; typed, it is a mistake */
			if (!*optarg)
				crm_die(2, "--amount: '' is not an amount of "
				    "money (e.g. 1840.50)");
			c.e.amount = optarg;
			break;
		case O_OWNER: c.e.owner = optarg; break;
		case O_CAMPAIGN: c.e.campaign = optarg; break;
		case O_DIR: c.e.dir = optarg; break;
		case O_NEXT:
			/* --next WHEN TEXT: the text is the next word */
			if (optind >= argc)
				crm_die(2, "--next takes WHEN and TEXT");
			next = optarg;
			c.next_text = argv[optind++];
			break;
		case O_LIST: list = 1; break;
		case O_RM: rm = 1; break;
		case 'n':
			max = strtoul(optarg, &end, 10);
			if (*end || end == optarg)
				crm_die(2, "-n takes a number, not '%s'",
				    optarg);
			break;
		default: crm_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (list + rm > 1)
		crm_usage(usage);

	if (list) {
		if (argc != 1 || !is_id(argv[0]) || !strcmp(argv[0], "-"))
			crm_usage(usage);
		db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
		if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
			crm_fail(rc, NULL);
		if ((rc = crm_read(db, &t)))
			crm_fail(rc, "cannot read");
		rc = crm_log_list(t, strtoull(argv[0], NULL, 10), max, print,
		    out);
		if (rc)
			crm_fail(rc, "cannot list");
		i = crm_out_count(out);
		if (crm_out_free(out))
			crm_die(3, "cannot write the output");
		crm_txn_end(t);
		crm_cli_done(db);
		return i ? 0 : 1;
	}
	if (rm) {
		if ((rc = crm_ids_read(argc, argv, &c.ids)))
			crm_fail(rc, NULL);
		if (!c.ids.n)
			crm_die(2, "no entries selected");
		db = crm_open_or_die(&o, 0, argc, argv);
		if ((rc = crm_write(db, rm_all, &c.ids)))
			crm_fail(rc, "cannot remove");
		crm_cli_done(db);
		crm_ids_release(&c.ids);
		return 0;
	}

	/* ID... or -, then KIND, then TEXT and key=value words */
	for (nids = 0; nids < argc && is_id(argv[nids]); nids++)
		;
	if (nids >= argc)
		crm_usage(usage);
	c.e.kind = argv[nids];
	for (i = nids + 1; i < argc; i++) {
		if (is_assign(argv[i]))
			continue;
		if (c.e.text)
			crm_die(2, "one TEXT only, quote it: '%s'", argv[i]);
		c.e.text = argv[i];
	}
	/* the text is not an extra: keep key=value words together */
	{
		const char **x = calloc((size_t)argc + 1, sizeof *x);
		size_t n = 0;

		for (i = nids + 1; i < argc; i++)
			if (is_assign(argv[i]))
				x[n++] = argv[i];
		c.e.extra = x;
		c.e.nextra = n;
	}
	if (!c.e.owner)
		c.e.owner = crm_user();
	c.e.at = at ? crm_date_or_die(&o, "--at", at) : crm_now(&o);
	if (next) {
		crm_buf_reset(&when);
		crm_datetime_fmt(&when, crm_date_or_die(&o, "--next", next));
		snprintf(c.next_due, sizeof c.next_due, "%s", when.buf);
	}
	if ((rc = crm_ids_read(nids, argv, &c.ids)))
		crm_fail(rc, NULL);
	if (!c.ids.n)
		crm_die(2, "no records selected");

	db = crm_open_or_die(&o, 0, argc, argv);
	if ((rc = crm_out_new(&out, &o, crm_db_schema(db), cols)))
		crm_fail(rc, NULL);
	if ((rc = crm_write(db, log_all, &c)))
		crm_fail(rc, "cannot log");
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if (!o.json && !o.format)
		rc = crm_print_ids(&c.entries, o.nul, 0);
	for (size_t k = 0; (o.json || o.format) && k < c.entries.n && !rc;
	    k++)
		rc = crm_log_get(t, c.entries.v[k], print, out);
	crm_txn_end(t);
	if (crm_out_free(out) || rc)
		crm_die(3, "cannot write the output");
	free((void *)c.e.extra);
	crm_buf_release(&when);
	crm_cli_done(db);
	crm_ids_release(&c.ids);
	crm_ids_release(&c.entries);
	return 0;
}
