/* cjson.c - libcjson, opened at the first call (see cjson.h) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "cjson.h"
#include "internal.h"

/* the soname of cJSON 1.x, Debian's libcjson1 */
#define CJSON_SO "libcjson.so.1"

const struct crm_cjson *crm_cjson_open;

static void
fail(void)
{
	const char *e = dlerror();

	fprintf(stderr, "%s: cannot load %s: %s\n", crm_progname, CJSON_SO,
	    e ? e : "a function is missing");
	exit(127);
}

const struct crm_cjson *
crm_cjson_load(void)
{
	static struct crm_cjson cj;
	void *h;

	if (crm_cjson_open)
		return crm_cjson_open;
	if (!(h = dlopen(CJSON_SO, RTLD_NOW | RTLD_LOCAL)))
		fail();
	/* POSIX's way to take a function from dlsym's void * */
#define CRM_CJSON_SYM(f) \
	if (!(*(void **)&cj.f = dlsym(h, "cJSON_" #f))) \
		fail();
	CRM_CJSON_FUNCS(CRM_CJSON_SYM)
#undef CRM_CJSON_SYM
	crm_cjson_open = &cj;
	return crm_cjson_open;
}
