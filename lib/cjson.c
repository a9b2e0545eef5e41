/* cjson.c - libcjson, opened at the first call (see cjson.h) */
#include "cjson.h"
#include "internal.h"

/* the soname of cJSON 1.x, Debian's libcjson1 */
#define CJSON_SO "libcjson.so.1"

const struct crm_cjson *crm_cjson_open;

const struct crm_cjson *
crm_cjson_load(void)
{
	static struct crm_cjson cj;
	void *h;

	if (crm_cjson_open)
		return crm_cjson_open;
	h = crm_lazy_open(CJSON_SO);
	/* POSIX's way to take a function from dlsym's void * */
#define CRM_CJSON_SYM(f) \
	*(void **)&cj.f = crm_lazy_sym(h, CJSON_SO, "cJSON_" #f);
	CRM_CJSON_FUNCS(CRM_CJSON_SYM)
#undef CRM_CJSON_SYM
	crm_cjson_open = &cj;
	return crm_cjson_open;
}
