/* mime.c - e-mail messages, written and read through GMime
 *
 * Only crm-mailmerge and crm-inbox link this (and GMime with it): RFC
 * 2047 words, MIME parts, address lists and DSNs are GMime's business.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "internal.h"

static void
init(void)
{
	static int done;

	if (!done) {
		g_mime_init();
		done = 1;
	}
}

static int
is_address_header(const char *name)
{
	static const char *const names[] = { "From", "Reply-To", "Cc", "Bcc",
		"Sender", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (!g_ascii_strcasecmp(name, names[i]))
			return 1;
	return 0;
}

/* Names in UTF-8 words, as the rest of the message, not Latin-1. */
static void
utf8(InternetAddressList *l)
{
	int i;

	for (i = 0; i < internet_address_list_length(l); i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);

		internet_address_set_charset(a, "utf-8");
		if (INTERNET_ADDRESS_IS_GROUP(a))
			utf8(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)));
	}
}

int
crm_mime_build(const struct crm_mailhdr *h, size_t n, const char *to_name,
    const char *to_email, const char *body, struct crm_buf *out)
{
	GMimeMessage *m;
	GMimeTextPart *part;
	GMimeFormatOptions *fo;
	InternetAddressList *l;
	char *s;
	size_t i;
	int rc = 0;

	init();
	m = g_mime_message_new(TRUE);
	for (i = 0; i < n && !rc; i++) {
		const char *name = h[i].name, *v = h[i].value;

		if (!g_ascii_strcasecmp(name, "To"))
			continue;
		if (!g_ascii_strcasecmp(name, "Subject")) {
			g_mime_message_set_subject(m, v, "utf-8");
		} else if (!g_ascii_strcasecmp(name, "Message-ID")) {
			g_mime_message_set_message_id(m, v);
		} else if (is_address_header(name)) {
			if (!(l = internet_address_list_parse(NULL, v)) ||
			    !internet_address_list_length(l)) {
				rc = crm_seterr(CRM_EINVAL, "%s: '%s' is not a "
				    "list of addresses", name, v);
			} else {
				utf8(l);
				internet_address_list_append(
				    g_mime_message_get_addresses(m,
				    !g_ascii_strcasecmp(name, "From") ?
				    GMIME_ADDRESS_TYPE_FROM :
				    !g_ascii_strcasecmp(name, "Reply-To") ?
				    GMIME_ADDRESS_TYPE_REPLY_TO :
				    !g_ascii_strcasecmp(name, "Cc") ?
				    GMIME_ADDRESS_TYPE_CC :
				    !g_ascii_strcasecmp(name, "Bcc") ?
				    GMIME_ADDRESS_TYPE_BCC :
				    GMIME_ADDRESS_TYPE_SENDER), l);
			}
			if (l)
				g_object_unref(l);
		} else {
			g_mime_object_set_header(GMIME_OBJECT(m), name, v,
			    "utf-8");
		}
	}
	if (!rc) {
		InternetAddress *to = internet_address_mailbox_new(
		    to_name && *to_name ? to_name : NULL, to_email);

		internet_address_set_charset(to, "utf-8");
		internet_address_list_add(g_mime_message_get_to(m), to);
		g_object_unref(to);
	}
	part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(part, body);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part),
	    g_mime_part_get_best_content_encoding(GMIME_PART(part),
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	g_mime_message_set_mime_part(m, GMIME_OBJECT(part));
	g_object_unref(part);
	if (!rc) {
		fo = g_mime_format_options_new();
		s = g_mime_object_to_string(GMIME_OBJECT(m), fo);
		crm_buf_addstr(out, s);
		g_free(s);
		g_mime_format_options_free(fo);
	}
	g_object_unref(m);
	return rc;
}

static void
add_str(char ***v, size_t *n, const char *s)
{
	*v = crm_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = g_ascii_strdown(s, -1);
}

static void
add_addrs(InternetAddressList *l, char ***v, size_t *n)
{
	int i;

	for (i = 0; l && i < internet_address_list_length(l); i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			add_str(v, n, internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a)));
		else if (INTERNET_ADDRESS_IS_GROUP(a))
			add_addrs(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)), v, n);
	}
}

static void
add_refs(GMimeObject *o, const char *header, struct crm_inmail *in)
{
	const char *v = g_mime_object_get_header(o, header);
	GMimeReferences *r;
	int i;

	if (!v || !(r = g_mime_references_parse(NULL, v)))
		return;
	for (i = 0; i < g_mime_references_length(r); i++) {
		const char *id = g_mime_references_get_message_id(r, i);

		in->refs = crm_xrealloc(in->refs, (in->nrefs + 1) *
		    sizeof *in->refs);
		in->refs[in->nrefs++] = strdup(id);
	}
	g_mime_references_free(r);
}

/* One block of a delivery-status body: a header block GMime reads. */
static void
dsn_block(const char *p, size_t len, struct crm_inmail *in)
{
	GMimeStream *st = g_mime_stream_mem_new();
	GMimeParser *ps;
	GMimeObject *o;
	const char *rcpt, *action, *semi;

	g_mime_stream_write(st, p, len);
	g_mime_stream_write_string(st, "\n\n");
	g_mime_stream_reset(st);
	ps = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
	o = g_mime_parser_construct_part(ps, NULL);
	if (o && (rcpt = g_mime_object_get_header(o, "Final-Recipient")) &&
	    (action = g_mime_object_get_header(o, "Action"))) {
		while (*action == ' ' || *action == '\t')
			action++;
		if (!g_ascii_strncasecmp(action, "failed", 6)) {
			char *a;

			semi = strchr(rcpt, ';');
			a = g_strstrip(g_strdup(semi ? semi + 1 : rcpt));
			if (*a == '<' && a[strlen(a) - 1] == '>') {
				a[strlen(a) - 1] = 0;
				memmove(a, a + 1, strlen(a));
			}
			if (*a)
				add_str(&in->failed, &in->nfailed, a);
			g_free(a);
		}
	}
	if (o)
		g_object_unref(o);
	g_object_unref(ps);
	g_object_unref(st);
}

/* The failed recipients of a delivery status notification (RFC 3464). */
static void
dsn(GMimeObject *part, struct crm_inmail *in)
{
	GMimeDataWrapper *w;
	GMimeStream *st;
	GByteArray *b;
	const char *p, *end, *q;

	if (!GMIME_IS_PART(part) ||
	    !(w = g_mime_part_get_content(GMIME_PART(part))))
		return;
	st = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, st);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
	/* an empty part has no data at all, not an empty one */
	p = b->len ? (const char *)b->data : "";
	end = p + b->len;
	/* blocks of fields, one blank line apart */
	while (p < end) {
		for (q = p; q < end; q++)
			if (*q == '\n' && (q + 1 == end || q[1] == '\n' ||
			    (q[1] == '\r' && q + 2 < end && q[2] == '\n')))
				break;
		dsn_block(p, (size_t)(q - p), in);
		p = q < end ? q + 1 : end;
		while (p < end && (*p == '\n' || *p == '\r'))
			p++;
	}
	g_object_unref(st);
	in->dsn = 1;
}

static void
dsn_part(GMimeObject *parent, GMimeObject *part, gpointer arg)
{
	if (parent && GMIME_IS_MULTIPART(parent) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(
	    parent), "multipart", "report") &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(part),
	    "message", "delivery-status"))
		dsn(part, arg);
}

int
crm_mime_parse(const char *msg, size_t len, struct crm_inmail *in)
{
	GMimeStream *st;
	GMimeParser *ps;
	GMimeMessage *m;
	InternetAddressList *from;
	InternetAddress *a;
	const char *p = msg, *end = msg + len, *colon, *v;

	memset(in, 0, sizeof *in);
	init();
	/* an mbox separator line, as formail and procmail may leave it */
	if (len > 5 && !memcmp(p, "From ", 5)) {
		while (p < end && *p != '\n')
			p++;
		p += p < end;
	}
	/* a message starts with a header field: "Name:" */
	for (colon = p; colon < end && *colon > ' ' && *colon < 127 &&
	    *colon != ':'; colon++)
		;
	if (colon == p || colon >= end || *colon != ':')
		return crm_seterr(CRM_EINVAL, "not an e-mail message: it does "
		    "not start with a header field");
	st = g_mime_stream_mem_new_with_buffer(p, (size_t)(end - p));
	ps = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(ps, NULL);
	g_object_unref(ps);
	g_object_unref(st);
	if (!m)
		return crm_seterr(CRM_EINVAL, "not an e-mail message");
	from = g_mime_message_get_from(m);
	if (from && internet_address_list_length(from) > 0 &&
	    INTERNET_ADDRESS_IS_MAILBOX(a = internet_address_list_get_address(
	    from, 0))) {
		in->from_addr = g_ascii_strdown(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a)), -1);
		if ((v = internet_address_get_name(a)) && *v)
			in->from_name = strdup(v);
	}
	if ((v = g_mime_message_get_subject(m)))
		in->subject = strdup(v);
	if ((v = g_mime_message_get_message_id(m)))
		in->msgid = strdup(v);
	add_refs(GMIME_OBJECT(m), "In-Reply-To", in);
	add_refs(GMIME_OBJECT(m), "References", in);
	add_addrs(g_mime_message_get_to(m), &in->to, &in->nto);
	add_addrs(g_mime_message_get_cc(m), &in->to, &in->nto);
	/* a report may come inside another multipart (forwarded, signed) */
	g_mime_message_foreach(m, dsn_part, in);
	g_object_unref(m);
	return 0;
}

void
crm_inmail_release(struct crm_inmail *in)
{
	size_t i;

	free(in->from_name);
	g_free(in->from_addr);
	free(in->subject);
	free(in->msgid);
	for (i = 0; i < in->nrefs; i++)
		free(in->refs[i]);
	for (i = 0; i < in->nto; i++)
		g_free(in->to[i]);
	for (i = 0; i < in->nfailed; i++)
		g_free(in->failed[i]);
	free(in->refs);
	free(in->to);
	free(in->failed);
	memset(in, 0, sizeof *in);
}

void
crm_mime_hmac(const char *key, const char *data, size_t n,
    struct crm_buf *out)
{
	gchar *h = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)key, strlen(key), data, -1);

	crm_buf_add(out, h, n < strlen(h) ? n : strlen(h));
	g_free(h);
}
