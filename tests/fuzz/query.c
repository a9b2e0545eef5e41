/* query.c - fuzz crm_query_parse and crm_query_parse_log: the query
 * language of crm-segment and crm-report --where, and of count()
 *
 * A query that parses is also run on a small store of people, a
 * company, history with campaigns and a task: the planner, each index,
 * the count of one term, the history by campaign.  A history query that
 * parses is matched against an entry.
 */
#include "fuzz.h"

static char dir[PATH_MAX];
static crm_db *db;		/* people, a company, history, a task */

static int
seed(crm_txn *t, void *arg)
{
	static const char *const rec[][6] = {
		{ "company", "name=Firma s.r.o.", "city=Brno", "tags=vip",
		    NULL },
		{ "person", "name=Jana Nováková", "email=jana@example.sk",
		    "company=1", "tags=vip,b2b", "city=Brno" },
		{ "person", "name=Peter Novák", "owner=anna", "city=Košice",
		    NULL },
		{ "person", "name=Eva", "tags=vip", NULL },
		{ "task", "text=call back", "about=2", "due=2026-11-20",
		    "owner=anna", NULL },
	};
	static const struct { uint64_t rec; int64_t ago; const char *kind,
	    *campaign; } log[] = { { 2, 86400, "email", "nov-2026" },
	    { 3, 100 * 86400, "email", "nov-2026" }, { 3, 3600, "call", NULL },
	    { 1, 400 * 86400, "purchase", NULL }, { 4, 0, "email", "x" } };
	crm_rec *r;
	size_t i, j;
	int rc = 0;

	(void)arg;
	for (i = 0; i < sizeof rec / sizeof rec[0] && !rc; i++) {
		if ((rc = crm_rec_new(t, rec[i][0], &r)))
			break;
		for (j = 1; j < 6 && rec[i][j] && !rc; j++)
			rc = crm_rec_assign(r, rec[i][j]);
		if (!rc)
			rc = crm_rec_put(t, r);
		crm_rec_free(r);
	}
	for (i = 0; i < sizeof log / sizeof log[0] && !rc; i++) {
		struct crm_log e = { 0, log[i].rec, FUZZ_NOW - log[i].ago,
			log[i].kind, "text", log[i].kind[0] == 'p' ? "120" :
			NULL, "anna", log[i].campaign, NULL, NULL, 0 };

		rc = crm_log_add(t, &e);
	}
	return rc;
}

static void
cleanup(void)
{
	crm_db_close(db);
	fuzz_rmstore(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_schema();
	db = fuzz_store(dir);
	atexit(cleanup);
	if (crm_write(db, seed, NULL))
		abort();
	return 0;
}

/* The query run on the store: the plan, the ids, the count. */
static void
run(const crm_query *q)
{
	struct crm_buf plan = CRM_BUF_INIT;
	struct crm_ids ids = { 0 };
	crm_txn *t;
	size_t n;

	if (crm_read(db, &t))
		abort();
	crm_query_ids(t, q, &plan, &ids);
	crm_query_count(t, q, NULL, &n);
	crm_txn_end(t);
	crm_ids_release(&ids);
	crm_buf_release(&plan);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extra[] = { "source=web" };
	struct crm_log e = { 7, 1, FUZZ_NOW - 86400, "purchase", "Nová "
		"objednávka", "1840.50", "anna", "nov-2026", "in", extra, 1 };
	crm_schema *s = fuzz_schema();
	char *text = fuzz_str(data, size);
	crm_query *q;

	if (!crm_query_parse(&q, crm_db_schema(db), text, FUZZ_NOW)) {
		run(q);
		crm_query_free(q);
	}
	if (!crm_query_parse(&q, s, text, FUZZ_NOW))
		crm_query_free(q);
	if (!crm_query_parse_log(&q, s, text, FUZZ_NOW)) {
		crm_query_match_log(q, &e);
		crm_query_log_at_only(q);
		crm_query_free(q);
	}
	free(text);
	return 0;
}
