/* import.c - fuzz crm_import_run: JSON Lines, CSV (with and without a
 * preset, a --map) and vCards into a store, as crm-import --dry-run
 *
 * The first two bytes are the command line.  The first: bits 0-1 the
 * format (jsonl, csv, vcard, csv with a preset), 2 an empty store (where
 * JSON Lines restore an export), 4 --skip-bad, 5 --extra, 6 --photos,
 * 7 the first line is the --map.  The second: bits 0-1 the type of rows
 * and cards, 2-3 the preset, 4 no --from: the input says (over bits
 * 0-1 of the first).  A dry run writes nothing, so every input
 * meets the same two stores.  A vCard input is also the note of a person
 * whose card is written (crm_vcard_of, 4.0 and 3.0): its lines that were
 * properties go out as those.
 */
#include "fuzz.h"

static char dir[2][PATH_MAX];
static crm_db *db[2];		/* empty, and with a company and a person */

static int
seed(crm_txn *t, void *arg)
{
	static const char *const company[] = { "name=Firma s.r.o.",
		"email=info@firma.sk", "vat_id=SK2020123456", NULL };
	static const char *const person[] = { "name=Jana Nováková",
		"email=jana@example.sk", "phone=0905 123 456", "company=1",
		"tags=vip", "uid=urn:uuid:1", NULL };
	/* (its uid names it in a card's RELATED or UID) */
	static const char *const company_uid = "uid=co-1";
	const char *const *v[] = { company, person };
	const char *type[] = { "company", "person" };
	crm_rec *r;
	size_t i, j;
	int rc = 0;

	(void)arg;
	for (i = 0; i < 2 && !rc; i++) {
		if ((rc = crm_rec_new(t, type[i], &r)))
			break;
		for (j = 0; v[i][j] && !rc; j++)
			rc = crm_rec_assign(r, v[i][j]);
		if (!rc && !i)
			rc = crm_rec_assign(r, company_uid);
		if (!rc)
			rc = crm_rec_put(t, r);
		crm_rec_free(r);
	}
	return rc;
}

static void
cleanup(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		crm_db_close(db[i]);
		fuzz_rmstore(dir[i]);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int i;

	(void)argc, (void)argv;
	for (i = 0; i < 2; i++)
		db[i] = fuzz_store(dir[i]);
	atexit(cleanup);
	if (crm_write(db[1], seed, NULL))
		abort();
	return 0;
}

static void
reject(size_t line, const char *why, void *arg)
{
	(void)line, (void)why, (void)arg;
}

static void
export_note(const char *note, size_t n)
{
	struct crm_buf b = CRM_BUF_INIT;
	crm_txn *t;
	crm_rec *r;

	if (crm_read(db[1], &t))
		return;
	if (!crm_rec_new(t, "person", &r)) {
		if (!crm_rec_set(r, "name", "N", 1, CRM_SET) &&
		    !crm_rec_set(r, "note", note, n, CRM_SET)) {
			crm_vcard_of(t, r, 0, "0123456789abcdef", &b);
			crm_vcard_of(t, r, 1, "0123456789abcdef", &b);
		}
		crm_rec_free(r);
	}
	crm_buf_release(&b);
	crm_txn_end(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "person", "company", "deal",
		"task" };
	static const char *const presets[] = { "google", "outlook",
		"thunderbird", "google" };
	static const enum crm_import_from from[] = { CRM_FROM_JSONL,
		CRM_FROM_CSV, CRM_FROM_VCARD, CRM_FROM_CSV };
	struct crm_import im;
	const char *p, *end, *nl;
	char *map = NULL;
	crm_input *in;
	FILE *f;
	int b, store;

	if (size < 3)
		return 0;
	p = (const char *)data + 2;
	end = (const char *)data + size;
	b = data[0];
	memset(&im, 0, sizeof im);
	im.from = from[b & 3];
	im.type = types[data[1] & 3];
	if ((b & 3) == 3)
		im.preset = presets[data[1] >> 2 & 3];
	if (data[1] & 16) {
		im.from = CRM_FROM_GUESS;
		im.preset = NULL;
	}
	store = !(b & 4);
	im.skip_bad = !!(b & 16);
	im.extra = !!(b & 32);
	im.photos = !!(b & 64);
	im.dry_run = 1;
	im.reject = reject;
	if (b & 128) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		map = fuzz_str((const uint8_t *)p, (size_t)(nl - p));
		im.map = map;
		p = nl < end ? nl + 1 : end;
	}
	if (p < end && (f = fmemopen((void *)p, (size_t)(end - p), "r"))) {
		crm_input_open(&in, f);
		crm_import_run(db[store], in, &im);
		crm_input_close(in);
		fclose(f);
	}
	if (im.from == CRM_FROM_VCARD && p < end) {
		char *note = fuzz_str((const uint8_t *)p, (size_t)(end - p));

		export_note(note, (size_t)(end - p));
		free(note);
	}
	free(map);
	return 0;
}
