/* crm-import.c - records from other programs: CSV, vCard, JSON Lines */
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm.h"

static const char usage[] =
    "crm-import [--db DIR] [--now WHEN] [--from csv|google|outlook|\n"
    "       thunderbird|vcard|jsonl] [--type TYPE] [--map 'COLUMN=field,...']\n"
    "       [--ignore COLUMN,...] [--extra] [--encoding CHARSET] [--photos]\n"
    "       [--dry-run] [--skip-bad] [FILE | VCF... | VDIR...]";

enum { O_FROM = CRM_OPT_CMD, O_TYPE, O_MAP, O_IGNORE, O_EXTRA, O_ENC,
	O_PHOTOS, O_DRY, O_SKIP };

struct ctx {
	int tty;
	struct timespec start, last;
	size_t calls;
	crm_input *in;
	const struct crm_import *im;
	unsigned char *skip;	/* of the files, those with a card rejected */
};

static void
rejected(size_t line, const char *why, void *arg)
{
	struct ctx *c = arg;

	if (c->skip)
		c->skip[crm_input_part(c->in)] = 1;
	if (line)
		crm_warn("line %zu: %s", line, why);
	else
		crm_warn("%s", why);
}

static void
report(const char *what, uint64_t id, size_t line, void *arg)
{
	struct ctx *c = arg;
	const char *name = crm_input_name(c->in);

	printf("%s\t%llu\t%s%sline %zu\n", what, (unsigned long long)id,
	    name ? name : "", name ? ": " : "", line);
}

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Records, rate and the time left (of a file, not of a pipe), a few
 * times a second, on a terminal only. */
static void
progress(size_t line, void *arg)
{
	struct ctx *c = arg;
	const struct crm_import *im = c->im;
	struct timespec now;
	uint64_t done, total;
	double secs, part, left;
	size_t n;

	(void)line;
	if (!c->tty || ++c->calls % 64)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&c->last, &now) < 0.2)
		return;
	c->last = now;
	secs = since(&c->start, &now);
	n = im->added + im->updated + im->unchanged + im->rejected;
	fprintf(stderr, "\r%s: %zu records, %.0f/s", crm_progname, n,
	    secs > 0 ? (double)n / secs : 0.0);
	crm_input_progress(c->in, &done, &total);
	if (done && total >= done) {
		part = (double)done / (double)total;
		left = secs * (1 - part) / part + 0.5;
		fprintf(stderr, ", %.0f%%, %d:%02d left", 100 * part,
		    (int)(left / 60), (int)left % 60);
	}
	fputs("\033[K", stderr);
}

/* The input as UTF-8, through iconv, into a file read once more. */
static FILE *
recode(FILE *in, const char *charset)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	char ib[8192], ob[32768], *ip, *op;
	size_t il = 0, ol, n;
	FILE *out;

	if (cd == (iconv_t)-1)
		crm_die(2, "--encoding: cannot read '%s': %s", charset,
		    strerror(errno));
	if (!(out = tmpfile()))
		crm_die(3, "no temporary file: %s", strerror(errno));
	while ((n = fread(ib + il, 1, sizeof ib - il, in)) > 0 || il) {
		il += n;
		ip = ib;
		op = ob;
		ol = sizeof ob;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != EINVAL && errno != E2BIG)
			crm_die(2, "--encoding %s: a byte that is not %s, "
			    "near byte %ld", charset, charset,
			    ftell(out) > 0 ? ftell(out) : 0L);
		fwrite(ob, 1, sizeof ob - ol, out);
		memmove(ib, ip, il);
		if (!n && il) {
			if (errno == EINVAL)
				crm_die(2, "--encoding %s: the input ends "
				    "inside a character", charset);
			continue;
		}
	}
	iconv_close(cd);
	rewind(out);
	return out;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "from", 1, 0, O_FROM }, { "type", 1, 0, O_TYPE },
		{ "map", 1, 0, O_MAP }, { "ignore", 1, 0, O_IGNORE },
		{ "extra", 0, 0, O_EXTRA }, { "encoding", 1, 0, O_ENC },
		{ "photos", 0, 0, O_PHOTOS }, { "dry-run", 0, 0, O_DRY },
		{ "skip-bad", 0, 0, O_SKIP },
		{ 0, 0, 0, 0 }
	};
	struct crm_opts o = { 0 };
	struct crm_import im;
	struct ctx c = { 0 };
	const char *from = NULL, *enc = NULL;
	crm_input *in;
	FILE *f = stdin;
	crm_db *db;
	char **files = NULL;
	size_t nfiles = 0, i;
	struct stat st;
	int ch, rc, many;

	crm_progname = "crm-import";
	memset(&im, 0, sizeof im);
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS "n", longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_FROM: from = optarg; break;
		case O_TYPE: im.type = optarg; break;
		case O_MAP: im.map = optarg; break;
		case O_IGNORE:
			im.ignore = realloc(im.ignore, (im.nignore + 1) *
			    sizeof *im.ignore);
			im.ignore[im.nignore++] = optarg;
			break;
		case O_EXTRA: im.extra = 1; break;
		case O_ENC: enc = optarg; break;
		case O_PHOTOS: im.photos = 1; break;
		case 'n':
		case O_DRY: im.dry_run = 1; break;
		case O_SKIP: im.skip_bad = 1; break;
		default: crm_usage(usage);
		}
	}
	if (o.json || o.format)
		crm_usage(usage);
	/* several files, or a directory: vCards */
	many = optind + 1 < argc || (optind < argc && !stat(argv[optind],
	    &st) && S_ISDIR(st.st_mode));
	if (many && from && strcmp(from, "vcard"))
		crm_die(2, "several files, or a directory, are read as "
		    "vCards only (--from vcard), not --from %s", from);
	if (many && enc)
		crm_die(2, "--encoding reads one file, not several");
	if (many)
		from = "vcard";
	if (!from)
		im.from = CRM_FROM_GUESS;	/* the input says */
	else if (!strcmp(from, "jsonl"))
		im.from = CRM_FROM_JSONL;
	else if (!strcmp(from, "vcard"))
		im.from = CRM_FROM_VCARD;
	else if (!strcmp(from, "csv"))
		im.from = CRM_FROM_CSV;
	else if (crm_import_preset_known(from)) {
		im.from = CRM_FROM_CSV;
		im.preset = from;
	} else
		crm_die(2, "--from takes csv, google, outlook, thunderbird, "
		    "vcard or jsonl, not '%s'", from);
	/* the files named are read as the user, not the store's group */
	crm_as_user(1);
	if (many && (rc = crm_vdir_files(argv + optind, argc - optind,
	    &files, &nfiles)))
		crm_fail(rc, NULL);
	if (many && !nfiles && !(f = fopen("/dev/null", "rb")))
		crm_die(3, "/dev/null: %s", strerror(errno));
	if (!many && optind < argc && strcmp(argv[optind], "-") &&
	    !(f = fopen(argv[optind], "rb")))
		crm_die(2, "%s: %s", argv[optind], strerror(errno));
	crm_as_user(0);
	if (enc)
		f = recode(f, enc);
	im.reject = rejected;
	im.report = im.dry_run ? report : NULL;
	im.progress = progress;
	im.arg = &c;
	c.tty = isatty(2);
	c.im = &im;
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	c.last = c.start;

	db = crm_open_or_die(&o, im.dry_run ? CRM_SCRATCH : 0, argc, argv);
	if (im.type && !crm_schema_hastype(crm_db_schema(db), im.type))
		crm_fail(CRM_EINVAL, NULL);
	if (nfiles) {
		if ((rc = crm_input_open_files(&in, files, nfiles)))
			crm_fail(rc, crm_input_name(in));
	} else {
		crm_input_open(&in, f);
	}
	c.in = in;
	if (nfiles) {
		c.skip = crm_xmalloc(nfiles);
		memset(c.skip, 0, nfiles);
	}
	rc = crm_import_run(db, in, &im);
	if (c.tty)
		fputs("\r\033[K", stderr);
	if (rc)
		crm_fail(rc, "cannot import");
	/* the next crm-export --to vdir may write over what was read */
	crm_as_user(1);
	if (nfiles && !im.dry_run && (rc = crm_vdir_took(in, c.skip)))
		crm_warn("%s", crm_errmsg());
	crm_as_user(0);
	crm_input_close(in);
	free(c.skip);
	fprintf(stderr, "%s: %s%zu added, %zu updated, %zu unchanged, "
	    "%zu rejected\n", crm_progname, im.dry_run ? "would be: " : "",
	    im.added, im.updated, im.unchanged, im.rejected);
	crm_cli_done(db);
	free(im.ignore);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if (fflush(stdout))
		crm_die(3, "cannot write the output");
	return 0;
}
