/* cli.c - what every command's main() shares: options, diagnostics, exits
 *
 * The one part of the library that prints or exits; only cmd/ calls it.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

const char *crm_progname = "crm";

static void
vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
crm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
crm_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
crm_fail(int err, const char *what)
{
	const char *m = crm_errmsg();

	if (err == CRM_EINVAL || err == CRM_EEXIST || !what)
		crm_die(crm_exitcode(err), "%s", m ? m : crm_strerror(err));
	if (m)
		crm_die(crm_exitcode(err), "%s: %s", what, m);
	crm_die(crm_exitcode(err), "%s: %s", what, crm_strerror(err));
}

void
crm_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	exit(2);
}

int
crm_opt(struct crm_opts *o, int c, const char *arg, const char *usage)
{
	switch (c) {
	case CRM_OPT_DB:
		o->db = arg;
		return 1;
	case 'j':
		o->json = 1;
		return 1;
	case '0':
		o->nul = 1;
		return 1;
	case 'f':
		o->format = arg;
		return 1;
	case 'H':
		o->header = 1;
		return 1;
	case CRM_OPT_NOW:
		o->now = arg;
		(void)crm_now(o);	/* a bad --now is a usage error */
		return 1;
	case 'h':
		printf("usage: %s\n", usage);
		exit(0);
	case CRM_OPT_VERSION:
		printf("%s %s\n", crm_progname, CRM_VERSION);
		exit(0);
	case '?':
		crm_usage(usage);
	}
	return 0;
}

/* The store a command opened: still reachable when it dies on an error
 * or is done with it (crm_cli_done), which is how a command ends, not a
 * leak (external, so it is kept). */
crm_db *crm_cli_opened;

/* The command line from /proc, where there is one: 1 when set. */
static int
command_line(crm_db *db)
{
	char buf[8192], *v[256], *p;
	size_t n;
	int argc = 0;
	FILE *f = fopen("/proc/self/cmdline", "rb");

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	if (!n || n == sizeof buf - 1)
		return 0;	/* none, or too long to be sure of */
	buf[n] = 0;
	for (p = buf; p < buf + n && argc < 256; p += strlen(p) + 1)
		v[argc++] = p;
	if (argc == 256)
		return 0;
	/* the program by its name, not its path */
	if ((p = strrchr(v[0], '/')))
		v[0] = p + 1;
	crm_db_set_command(db, argc, v);
	return 1;
}

void
crm_cli_done(crm_db *db)
{
	if (db != crm_cli_opened)
		crm_db_close(db);
}

crm_db *
crm_open_or_die(const struct crm_opts *o, unsigned flags, int argc,
    char **argv)
{
	crm_db *db;
	char *dir = crm_db_dir(o->db);
	int rc;

	crm_db_close(crm_cli_opened);	/* one a command was done with */
	if (crm_secure() && o->db)
		crm_die(2, "--db: this is a shared install, of the store in %s",
		    crm_system_db);
	if (!dir)
		crm_die(3, "cannot find the store: set CRM_DB or HOME");
	rc = crm_db_open(&db, dir, flags);
	if (rc == CRM_ENOSTORE)
		crm_die(3, "no store at '%s' (crm-add creates one)", dir);
	if (rc == CRM_EPERM)
		crm_die(2, "%s", crm_errmsg());
	if (rc) {
		const char *m = crm_errmsg();

		crm_die(3, "cannot open '%s': %s", dir,
		    m ? m : crm_strerror(rc));
	}
	free(dir);
	/* the journal names the command as typed, options and all: the
	 * kernel keeps that; argv may come here shifted past them.  A
	 * reader writes no journal. */
	if ((flags & CRM_RDONLY) || command_line(db))
		;
	else if (argc > 0 && !strcmp(argv[0], crm_progname)) {
		crm_db_set_command(db, argc, argv);
	} else if (argc > 0 && strrchr(argv[0], '/') &&
	    !strcmp(strrchr(argv[0], '/') + 1, crm_progname)) {
		crm_db_set_command(db, argc, argv);
	} else {
		char **v = crm_xmalloc(((size_t)argc + 2) * sizeof *v);

		v[0] = (char *)crm_progname;
		memcpy(v + 1, argv, (size_t)argc * sizeof *v);
		crm_db_set_command(db, argc + 1, v);
		free(v);
	}
	if (o->now)
		crm_db_set_now(db, crm_now(o));
	crm_cli_opened = db;
	return db;
}

int64_t
crm_now(const struct crm_opts *o)
{
	int64_t t;

	if (!o->now)
		return (int64_t)time(NULL);
	if (crm_date_parse(o->now, (int64_t)time(NULL), &t))
		crm_die(2, "--now: %s", crm_errmsg());
	return t;
}

int64_t
crm_date_or_die(const struct crm_opts *o, const char *what, const char *s)
{
	int64_t t;

	if (crm_date_parse(s, crm_now(o), &t))
		crm_die(2, "%s: %s", what, crm_errmsg());
	return t;
}

char *
crm_slurp_or_die(const char *path, size_t *lenp)
{
	struct crm_buf b = CRM_BUF_INIT;
	char tmp[8192];
	size_t n;
	FILE *f = stdin;

	if (strcmp(path, "-")) {
		crm_as_user(1);
		f = fopen(path, "r");
		crm_as_user(0);
	}
	if (!f)
		crm_die(2, "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		crm_buf_add(&b, tmp, n);
	if (ferror(f))
		crm_die(2, "cannot read '%s': %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return crm_buf_detach(&b, lenp);
}
