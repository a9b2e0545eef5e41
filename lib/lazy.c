/* lazy.c - shared objects opened at their first use (cjson.h, forget.c)
 *
 * A library mapped by the dynamic loader costs every start its pages
 * and its constructors, whether the run calls it or not.  These open
 * one when it is first needed; when that fails they exit 127 with the
 * loader's words, as the loader would have at the start.  In a setgid
 * install dlopen ignores LD_LIBRARY_PATH, as the loader does.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void
fail(const char *so)
{
	const char *e = dlerror();

	fprintf(stderr, "%s: cannot load %s: %s\n", crm_progname, so,
	    e ? e : "a function is missing");
	exit(127);
}

void *
crm_lazy_open(const char *so)
{
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		fail(so);
	return h;
}

void *
crm_lazy_sym(void *h, const char *so, const char *name)
{
	void *f = dlsym(h, name);

	if (!f)
		fail(so);
	return f;
}
