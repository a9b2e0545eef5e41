/* phone.c - phone numbers to E.164 with a default country */
#include <string.h>
#include <strings.h>

#include "crm.h"

/* dialling rules: calling code, trunk prefix, international prefix */
static const struct country {
	const char *iso, *cc, *trunk, *intl;
} countries[] = {
	{ "AT", "43", "0", "00" }, { "AU", "61", "0", "0011" },
	{ "BE", "32", "0", "00" }, { "BG", "359", "0", "00" },
	{ "BR", "55", "0", "00" }, { "CA", "1", "1", "011" },
	{ "CH", "41", "0", "00" }, { "CN", "86", "0", "00" },
	{ "CY", "357", "", "00" }, { "CZ", "420", "", "00" },
	{ "DE", "49", "0", "00" }, { "DK", "45", "", "00" },
	{ "EE", "372", "", "00" }, { "ES", "34", "", "00" },
	{ "FI", "358", "0", "00" }, { "FR", "33", "0", "00" },
	{ "GB", "44", "0", "00" }, { "GR", "30", "", "00" },
	{ "HR", "385", "0", "00" }, { "HU", "36", "06", "00" },
	{ "IE", "353", "0", "00" }, { "IL", "972", "0", "00" },
	{ "IN", "91", "0", "00" }, { "IS", "354", "", "00" },
	{ "IT", "39", "", "00" }, { "JP", "81", "0", "010" },
	{ "KR", "82", "0", "00" }, { "LT", "370", "8", "00" },
	{ "LU", "352", "", "00" }, { "LV", "371", "", "00" },
	{ "MT", "356", "", "00" }, { "MX", "52", "", "00" },
	{ "NL", "31", "0", "00" }, { "NO", "47", "", "00" },
	{ "NZ", "64", "0", "00" }, { "PL", "48", "", "00" },
	{ "PT", "351", "", "00" }, { "RO", "40", "0", "00" },
	{ "RS", "381", "0", "00" }, { "SE", "46", "0", "00" },
	{ "SI", "386", "0", "00" }, { "SK", "421", "0", "00" },
	{ "TR", "90", "0", "00" }, { "UA", "380", "0", "00" },
	{ "US", "1", "1", "011" }, { "ZA", "27", "0", "00" },
};

static const struct country *
country(const char *iso)
{
	static const struct country *last;
	size_t i;

	if (!iso)
		return NULL;
	if (last && !strcasecmp(last->iso, iso))
		return last;
	for (i = 0; i < sizeof countries / sizeof *countries; i++)
		if (!strcasecmp(countries[i].iso, iso))
			return last = &countries[i];
	return NULL;
}

int
crm_phone_country_known(const char *cc)
{
	return country(cc) != NULL;
}

static int
prefixed(const char *digits, const char *pfx)
{
	size_t n = strlen(pfx);

	return n && !strncmp(digits, pfx, n);
}

int
crm_phone_norm(struct crm_buf *out, const char *s, const char *iso)
{
	const struct country *c = country(iso);
	char digits[64];
	size_t n = 0, start = out->len;
	int plus = 0;
	const char *p = s;

	if (!strncasecmp(p, "tel:", 4))
		p += 4;
	for (; *p; p++) {
		/* +49 (0)157 ...: the trunk zero a caller abroad leaves out */
		if ((plus || n) && !strncmp(p, "(0)", 3)) {
			p += 2;
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= sizeof digits)
				goto bad;
			digits[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus) {
			plus = 1;
		} else if (!strchr(" -./()\t", *p)) {
			goto bad;
		}
	}
	digits[n] = 0;
	crm_buf_addch(out, '+');
	if (plus) {
		crm_buf_addstr(out, digits);
	} else if (c && prefixed(digits, c->intl)) {
		crm_buf_addstr(out, digits + strlen(c->intl));
	} else if (c && prefixed(digits, c->trunk)) {
		crm_buf_addstr(out, c->cc);
		crm_buf_addstr(out, digits + strlen(c->trunk));
	} else if (c) {
		crm_buf_addstr(out, c->cc);
		crm_buf_addstr(out, digits);
	} else {
		crm_buf_setlen(out, start);
		return crm_seterr(CRM_EINVAL, "'%s' has no country code "
		    "and the schema names no default country", s);
	}
	n = out->len - start - 1;
	if (n < 7 || n > 15 || out->buf[start + 1] == '0')
		goto undo;
	return 0;
undo:
	crm_buf_setlen(out, start);
bad:
	return crm_seterr(CRM_EINVAL, "'%s' is not a phone number", s);
}
