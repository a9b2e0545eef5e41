/* sysdb.c - where a shared (setgid) install keeps its store: make
 * SYSTEM_DB=... sets it */
#include "crm.h"

#ifndef CRM_SYSTEM_DB
#define CRM_SYSTEM_DB "/var/lib/crm"
#endif

const char crm_system_db[] = CRM_SYSTEM_DB;
