/* cjson.h - cJSON, opened at its first use
 *
 * Most runs of most commands never call cJSON (a record is printed
 * straight into a buffer), and a shared object mapped at every start
 * costs more than the look-up a command is run for.  So libcjson is
 * opened by the first call, not by the dynamic loader: each cJSON
 * function used here is named again below as the same function, found
 * with dlsym, and callers use cJSON as they would otherwise.
 */
#ifndef CRM_CJSON_H
#define CRM_CJSON_H

#include <cjson/cJSON.h>

#define CRM_CJSON_FUNCS(X) \
	X(AddArrayToObject) X(AddItemToArray) X(AddNullToObject) \
	X(AddNumberToObject) X(AddObjectToObject) X(AddRawToObject) \
	X(AddStringToObject) X(CreateObject) X(CreateRaw) \
	X(CreateString) X(Delete) X(DeleteItemFromObject) \
	X(DetachItemFromObject) X(GetArraySize) X(GetErrorPtr) \
	X(GetObjectItem) X(GetObjectItemCaseSensitive) X(InitHooks) \
	X(IsArray) X(IsBool) X(IsNull) X(IsNumber) X(IsObject) \
	X(IsString) X(IsTrue) X(ParseWithLength) X(ParseWithLengthOpts) \
	X(PrintPreallocated) X(PrintUnformatted)

struct crm_cjson {
#define CRM_CJSON_PTR(f) __typeof__(cJSON_##f) *f;
	CRM_CJSON_FUNCS(CRM_CJSON_PTR)
#undef CRM_CJSON_PTR
};

/* The functions, once libcjson is open; NULL before. */
extern const struct crm_cjson *crm_cjson_open;
/* Open libcjson and find the functions; exits 127, as the dynamic
 * loader would have at the start, when it cannot. */
const struct crm_cjson *crm_cjson_load(void);

static inline const struct crm_cjson *
crm_cjson(void)
{
	return crm_cjson_open ? crm_cjson_open : crm_cjson_load();
}

#define cJSON_AddArrayToObject (crm_cjson()->AddArrayToObject)
#define cJSON_AddItemToArray (crm_cjson()->AddItemToArray)
#define cJSON_AddNullToObject (crm_cjson()->AddNullToObject)
#define cJSON_AddNumberToObject (crm_cjson()->AddNumberToObject)
#define cJSON_AddObjectToObject (crm_cjson()->AddObjectToObject)
#define cJSON_AddRawToObject (crm_cjson()->AddRawToObject)
#define cJSON_AddStringToObject (crm_cjson()->AddStringToObject)
#define cJSON_CreateObject (crm_cjson()->CreateObject)
#define cJSON_CreateRaw (crm_cjson()->CreateRaw)
#define cJSON_CreateString (crm_cjson()->CreateString)
#define cJSON_Delete (crm_cjson()->Delete)
#define cJSON_DeleteItemFromObject (crm_cjson()->DeleteItemFromObject)
#define cJSON_DetachItemFromObject (crm_cjson()->DetachItemFromObject)
#define cJSON_GetArraySize (crm_cjson()->GetArraySize)
#define cJSON_GetErrorPtr (crm_cjson()->GetErrorPtr)
#define cJSON_GetObjectItem (crm_cjson()->GetObjectItem)
#define cJSON_GetObjectItemCaseSensitive \
	(crm_cjson()->GetObjectItemCaseSensitive)
#define cJSON_InitHooks (crm_cjson()->InitHooks)
#define cJSON_IsArray (crm_cjson()->IsArray)
#define cJSON_IsBool (crm_cjson()->IsBool)
#define cJSON_IsNull (crm_cjson()->IsNull)
#define cJSON_IsNumber (crm_cjson()->IsNumber)
#define cJSON_IsObject (crm_cjson()->IsObject)
#define cJSON_IsString (crm_cjson()->IsString)
#define cJSON_IsTrue (crm_cjson()->IsTrue)
#define cJSON_ParseWithLength (crm_cjson()->ParseWithLength)
#define cJSON_ParseWithLengthOpts (crm_cjson()->ParseWithLengthOpts)
#define cJSON_PrintPreallocated (crm_cjson()->PrintPreallocated)
#define cJSON_PrintUnformatted (crm_cjson()->PrintUnformatted)

#endif
