/* err.c - error codes and the message of the last failure */
#include <string.h>

#include <lmdb.h>

#include "crm.h"

static struct crm_buf msg = CRM_BUF_INIT;

const char *
crm_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case CRM_ENOTFOUND:
		return "not found";
	case CRM_EINVAL:
		return "invalid input";
	case CRM_EEXIST:
		return "value already taken";
	case CRM_ENOSTORE:
		return "no store";
	case CRM_ESTORE:
		return "store failure";
	case CRM_EABORT:
		return "nothing written";
	case CRM_EPERM:
		return "not allowed";
	}
	if (err > 0)
		return strerror(err);
	return mdb_strerror(err);
}

const char *
crm_errmsg(void)
{
	return msg.len ? msg.buf : NULL;
}

int
crm_vseterr(int err, const char *fmt, va_list ap)
{
	struct crm_buf b = CRM_BUF_INIT;

	/* the arguments may be the message itself (crm_errmsg()) */
	crm_buf_vaddf(&b, fmt, ap);
	crm_buf_release(&msg);
	msg = b;
	return err;
}

int
crm_seterr(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crm_vseterr(err, fmt, ap);
	va_end(ap);
	return err;
}

int
crm_errprefix(int err, const char *fmt, ...)
{
	struct crm_buf old = msg;
	va_list ap;

	crm_buf_init(&msg, old.len + 32);
	va_start(ap, fmt);
	crm_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	crm_buf_add(&msg, old.buf, old.len);
	crm_buf_release(&old);
	return err;
}

int
crm_exitcode(int err)
{
	switch (err) {
	case 0:
		return 0;
	case CRM_ENOTFOUND:
		return 1;
	case CRM_EINVAL:
	case CRM_EEXIST:
	case CRM_EPERM:
		return 2;
	}
	return 3;
}
