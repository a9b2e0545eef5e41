/* varint.c - LEB128 integers and big-endian keys */
#include "internal.h"

void
crm_put_varint(struct crm_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	crm_buf_add(b, tmp, n);
}

int
crm_get_varint_long(const unsigned char **pp, const unsigned char *end,
    uint64_t *v)
{
	const unsigned char *p = *pp;
	unsigned shift = 0;

	*v = 0;
	while (p < end && shift < 64) {
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			return 0;
		}
		shift += 7;
	}
	return CRM_ESTORE;
}

