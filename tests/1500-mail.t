#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1500-mail.t - crm-mailmerge and crm-inbox through a real mailer chain
#
# crm-mailmerge --send hands each message to msmtp, which delivers it over
# SMTP to an aiosmtpd server started here on 127.0.0.1; the server keeps
# what it receives as numbered files.  Python's email package reads every
# message back.  Replies, a DSN and unsubscribe requests built from what
# was received are fed back through crm-inbox, and crm-report --campaign
# must count them.

PY=/usr/bin/python3
if ! command -v msmtp >/dev/null 2>&1; then
	echo "1..0 # skip msmtp is not installed"
	exit 0
fi
if ! $PY -c "import aiosmtpd" >/dev/null 2>&1; then
	echo "1..0 # skip /usr/bin/python3 with aiosmtpd is not installed"
	exit 0
fi
export PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1

plan 41

# Monday; the mailing goes out now, the answers come two days later
N='2026-11-23 10:00'
NR='2026-11-25 09:00'
C=offer-2026

cat >mailtool.py <<\EOF
import email, email.policy, email.utils, json, mailbox, os, quopri, re
import subprocess, sys

POL = email.policy.default

# id: name, address, first_name, company name, city
PEOPLE = {
    2: ('Jana Nováková', 'jana@kovo.sk', 'Jana', 'Kovo Žilina s.r.o.',
        'Žilina'),
    3: ('Peter Horváth', 'peter@example.com', '', None, None),
    4: ('Ľudovít Štúr, ml.', 'ludo@example.sk', 'Ľudovít', None, None),
    8: ('Zuzana Zelená', 'zuzana@example.org', 'Zuzana',
        'Kovo Žilina s.r.o.', None),
    9: ('Marek Ďurica', 'marek@example.net', 'Marek', None, None),
}
UNSUB_TO = 'unsubscribe@example.com'
BASE = 'https://crm.example.com/u?list=offer'
bad = []


def fail(msg):
    bad.append(msg)


def subject(rid):
    return ('Jesenná ponuka pre %s – zľava 20 %% na lisy a náradie'
            % PEOPLE[rid][0])


def body(rid, url):
    name, addr, first, comp, city = PEOPLE[rid]
    s = 'Dobrý deň, %s,\n\n' % (first or 'zákazník')
    if comp:
        s += 'pre firmu %s%s platí zľava 20 %% aj na servis.\n' % (
            comp, ' v meste ' + city if city else '')
    s += ('Ponuka platí do konca mesiaca.\n'
          'From now on prices are lower.\n'
          '>From the archive.\n'
          'Odhlásiť sa: %s\n' % url)
    return s


def split_head(raw):
    raw = raw.replace(b'\r\n', b'\n')
    i = raw.find(b'\n\n')
    if i < 0:
        return raw, b''
    return raw[:i + 1], raw[i + 2:]


def check_qp(where, rawbody, content):
    for n, line in enumerate(rawbody.split(b'\n')[:-1], 1):
        if len(line) > 76:
            fail('%s: QP body line %d longer than 76: %r' % (where, n, line))
        if not re.fullmatch(rb'(?:[\x21-\x3c\x3e-\x7e \t]|=[0-9A-F]{2})*=?',
                            line):
            fail('%s: bad quoted-printable line %d: %r' % (where, n, line))
        if line[-1:] in (b' ', b'\t'):
            fail('%s: QP line %d ends in white space' % (where, n))
    dec = quopri.decodestring(rawbody)
    try:
        text = dec.decode('utf-8')
    except UnicodeDecodeError:
        fail('%s: decoded body is not UTF-8' % where)
        return
    if text.replace('\r\n', '\n') != content.replace('\r\n', '\n'):
        fail('%s: quopri and the email package disagree' % where)


def check_msg(where, raw, seen_ids):
    """Check one rendered message; return (id, row) or None."""
    head, rawbody = split_head(raw)
    try:
        head.decode('ascii')
    except UnicodeDecodeError:
        fail('%s: 8-bit bytes in the header' % where)
    for line in head.split(b'\n'):
        if len(line) > 998:
            fail('%s: header line longer than 998' % where)
    for w in re.findall(rb'=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=', head):
        if len(w) > 75:
            fail('%s: encoded word longer than 75: %r' % (where, w))
    for line in rawbody.split(b'\n'):
        if len(line) > 998:
            fail('%s: body line longer than 998' % where)
    msg = email.message_from_bytes(raw, policy=POL)
    if msg.defects:
        fail('%s: defects %r' % (where, msg.defects))
    for h in ('From', 'To', 'Subject', 'Message-ID', 'Date',
              'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding',
              'List-Unsubscribe', 'List-Unsubscribe-Post'):
        k = len(msg.get_all(h, []))
        if k != 1:
            fail('%s: %d %s headers, not 1' % (where, k, h))
            return None
    for k in msg.keys():
        if k.lower().startswith('x-crm-'):
            fail('%s: configuration header %s was left in' % (where, k))
    for k, v in msg.items():
        if getattr(v, 'defects', None):
            fail('%s: header %s: defects %r' % (where, k, v.defects))
    to = msg['To'].addresses
    if len(to) != 1:
        fail('%s: To: %r' % (where, msg['To']))
        return None
    rid = [i for i, p in PEOPLE.items() if p[1] == to[0].addr_spec]
    if not rid:
        fail('%s: mailed to %r, who should get nothing' % (where, str(to[0])))
        return None
    rid = rid[0]
    name, addr = PEOPLE[rid][:2]
    where = '%s (to %d)' % (where, rid)
    if to[0].display_name != name:
        fail('%s: To name %r, not %r' % (where, to[0].display_name, name))
    fr = msg['From'].addresses
    if len(fr) != 1 or fr[0].display_name != 'Kovo – obchod' or \
            fr[0].addr_spec != 'sales@example.com':
        fail('%s: From %r' % (where, msg['From']))
    if str(msg['Subject']) != subject(rid):
        fail('%s: Subject %r, not %r' % (where, str(msg['Subject']),
                                         subject(rid)))
    if not re.search(rb'(?im)^Subject:.*=\?utf-8\?',
                     re.sub(rb'\n[ \t]+', b' ', head)):
        fail('%s: the Subject is not RFC 2047 encoded' % where)
    mid = str(msg['Message-ID']).strip()
    if not re.fullmatch(r'<[^<>@\s]+@[^<>@\s]+>', mid):
        fail('%s: Message-ID %r' % (where, mid))
    if mid in seen_ids:
        fail('%s: Message-ID %s used twice' % (where, mid))
    seen_ids.add(mid)
    if msg['Date'].datetime is None:
        fail('%s: Date %r' % (where, str(msg['Date'])))
    if str(msg['MIME-Version']).strip() != '1.0':
        fail('%s: MIME-Version %r' % (where, str(msg['MIME-Version'])))
    if msg.get_content_type() != 'text/plain' or \
            (msg.get_content_charset() or '').lower() != 'utf-8':
        fail('%s: Content-Type %r' % (where, str(msg['Content-Type'])))
    cte = str(msg['Content-Transfer-Encoding']).strip().lower()
    if cte != 'quoted-printable':
        fail('%s: Content-Transfer-Encoding %r for a non-ASCII body'
             % (where, cte))
    lu = re.sub(r'\s+', ' ', str(msg['List-Unsubscribe'])).strip()
    m = re.fullmatch(r'<mailto:([^?>]+)\?subject=unsubscribe%20'
                     r'(([0-9]+)-([0-9a-f]+))>, ?<(https://[^>]+)>', lu)
    if not m:
        fail('%s: List-Unsubscribe %r' % (where, lu))
        return None
    if m.group(1) != UNSUB_TO:
        fail('%s: unsubscribe requests go to %r' % (where, m.group(1)))
    token = m.group(2)
    if int(m.group(3)) != rid:
        fail('%s: token %s is not for record %d' % (where, token, rid))
    if len(m.group(4)) < 16:
        fail('%s: token %s: fewer than 16 hex digits' % (where, token))
    url = m.group(5)
    if url != BASE + '&t=' + token:
        fail('%s: URL %r, not %r' % (where, url, BASE + '&t=' + token))
    lup = re.sub(r'\s+', ' ', str(msg['List-Unsubscribe-Post'])).strip()
    if lup != 'List-Unsubscribe=One-Click':
        fail('%s: List-Unsubscribe-Post %r' % (where, lup))
    content = msg.get_content().replace('\r\n', '\n')
    want = body(rid, url)
    if content.rstrip('\n') != want.rstrip('\n'):
        fail('%s: body\n%s\nnot\n%s' % (where, content, want))
    if cte == 'quoted-printable':
        check_qp(where, rawbody, msg.get_content())
    return rid, [str(rid), mid, token, url, 'unsubscribe ' + token,
                 str(msg['Subject'])]


def check(mode, src, out, ids):
    ids = sorted(int(i) for i in ids.split(','))
    msgs = []
    if mode == 'mbox':
        raw = open(src, 'rb').read()
        if not raw.startswith(b'From '):
            fail('the mbox does not start with a From line')
        k = len(mailbox.mbox(src))
        if k != len(ids):
            fail('mailbox.mbox reads %d messages, not %d' % (k, len(ids)))
        lines = raw.split(b'\n')
        for sep in [l for l in lines if l.startswith(b'From ')]:
            if not re.match(rb'From \S+ \S', sep):
                fail('bad separator line %r' % sep)
        if lines.count(b'>>From the archive.') != len(ids):
            fail('">From the archive." is not quoted as ">>From" in '
                 'each message')
        plain = lines.count(b'>From now on prices are lower.')
        qp = lines.count(b'=46rom now on prices are lower.')
        if plain + qp != len(ids):
            fail('"From now on" is not quoted in each message')
        cur = None
        for l in lines:
            if l.startswith(b'From '):
                cur = []
                msgs.append(cur)
            elif cur is not None:
                cur.append(re.sub(rb'^>(>*From )', rb'\1', l))
        msgs = [b'\n'.join(m).rstrip(b'\n') + b'\n' for m in msgs]
        names = ['message %d of the mbox' % (i + 1)
                 for i in range(len(msgs))]
    else:
        files = sorted(f for f in os.listdir(src) if f.endswith('.eml'))
        for f in files:
            msgs.append(open(os.path.join(src, f), 'rb').read())
            rc = open(os.path.join(src, f[:-4] + '.rcpt')).read().split()
            msgs[-1] = (msgs[-1], rc)
        names = files
    seen, got, rows = set(), [], []
    for name, m in zip(names, msgs):
        rc = None
        if isinstance(m, tuple):
            m, rc = m
        r = check_msg(name, m, seen)
        if r is None:
            continue
        got.append(r[0])
        rows.append(r[1])
        if rc is not None and rc != [PEOPLE[r[0]][1]]:
            fail('%s: envelope recipients %r' % (name, rc))
    if sorted(got) != ids:
        fail('messages went to %r, not %r' % (sorted(got), ids))
    toks = [r[2] for r in rows]
    if len(set(toks)) != len(toks):
        fail('two recipients share a token')
    with open(out, 'w', encoding='utf-8') as f:
        for r in sorted(rows, key=lambda r: int(r[0])):
            f.write('\t'.join(r) + '\n')


def sent(path):
    rows = {}
    for line in open(path, encoding='utf-8'):
        r = line.rstrip('\n').split('\t')
        rows[int(r[0])] = dict(msgid=r[1], token=r[2], url=r[3],
                               unsub=r[4], subject=r[5])
    return rows


def bare(mid):
    return (mid or '').strip().strip('<>')


def outlog(path, campaign, at, others):
    """Each mailed record has one outgoing entry; the others none."""
    rows = sent(path)
    for rid in list(rows) + [int(i) for i in others.split(',')]:
        p = subprocess.run(['crm-log', '--list', '-j', str(rid)],
                           stdout=subprocess.PIPE)
        ents = [json.loads(l) for l in p.stdout.decode().splitlines()]
        mail = [e for e in ents if e.get('kind') == 'email']
        if rid not in rows:
            if mail:
                fail('%d was not mailed but has %r' % (rid, mail))
            continue
        if len(mail) != 1:
            fail('%d: %d email entries, not 1: %r' % (rid, len(mail), ents))
            continue
        e, r = mail[0], rows[rid]
        want = dict(kind='email', dir='out', campaign=campaign,
                    text=r['subject'], at=at, record=rid)
        for k, v in want.items():
            if e.get(k) != v:
                fail('%d: %s is %r, not %r' % (rid, k, e.get(k), v))
        if bare(e.get('message_id')) != bare(r['msgid']):
            fail('%d: message_id %r, the message has %s' %
                 (rid, e.get('message_id'), r['msgid']))


def mkmsg(frm, to, subj, mid, body, irt=None, refs=None, cte=None):
    # The Subject is encoded by email.header: the folding of the default
    # policy drops the space between two encoded words (CPython bug).
    from email.message import EmailMessage
    import email.header
    m = EmailMessage(policy=POL)
    m['From'] = frm
    m['To'] = to
    m['Date'] = 'Wed, 25 Nov 2026 09:00:00 +0000'
    m['Message-ID'] = mid
    if irt:
        m['In-Reply-To'] = irt
    if refs:
        m['References'] = refs
    if cte:
        m.set_content(body, cte=cte)
    else:
        m.set_content(body)
    raw = m.as_bytes(policy=POL)
    try:
        subj.encode('ascii')
        enc = subj
    except UnicodeEncodeError:
        enc = email.header.Header(subj, 'utf-8', header_name='Subject',
                                  maxlinelen=76).encode()
    raw = b'Subject: ' + enc.encode('ascii') + b'\n' + raw
    back = email.message_from_bytes(raw, policy=POL)
    assert str(back['Subject']) == subj, (str(back['Subject']), subj)
    return raw


def replies(path, outdir):
    rows = sent(path)
    w = lambda name, data: open(os.path.join(outdir, name), 'wb').write(data)
    j, p, l, z, mk = rows[2], rows[3], rows[4], rows[8], rows[9]
    jana = mkmsg('"Jana Nováková" <jana@kovo.sk>', 'sales@example.com',
                 'Re: ' + j['subject'], '<reply-jana@kovo.example>',
                 'Dobrý deň,\n\nmáme záujem, pošlite ponuku.\n\nJana\n',
                 irt=j['msgid'], refs=j['msgid'])
    assert re.search(rb'(?m)^Subject: =\?utf-8\?', jana), jana
    w('jana.eml', jana)
    w('peter.eml', mkmsg('Peter Horváth <peter@example.com>',
                         '"Kovo – obchod" <sales@example.com>',
                         'Re: ' + p['subject'], '<reply-peter@example.com>',
                         'Ďakujem, ozvem sa.\n', irt=p['msgid'],
                         cte='base64'))
    # from another address than the one mailed: found by References only
    w('ludo.eml', mkmsg('Ľudo <ludo.home@example.net>', 'sales@example.com',
                        'Re: ' + l['subject'], '<reply-ludo@example.net>',
                        'Prosím o cenník.\n',
                        refs='<older@elsewhere.example> ' + l['msgid']))
    # a new message, not a reply, from an address a record holds
    w('ludo2.eml', mkmsg('ludo@example.sk', 'sales@example.com',
                         'Otázka k lisom', '<question-ludo@example.sk>',
                         'Aký je termín dodania?\n'))
    # the token from the List-Unsubscribe header, sent from another address
    w('unsub.eml', mkmsg('Marek <marek.private@example.com>',
                         'unsubscribe@example.com', mk['unsub'],
                         '<unsub-marek@example.com>', '\n'))
    # Jana's token with its last digit changed
    tok = j['token'][:-1] + ('0' if j['token'][-1] != '0' else '1')
    w('forged.eml', mkmsg('attacker@evil.example', 'sales@example.com',
                          'unsubscribe ' + tok, '<forged@evil.example>',
                          '\n'))
    w('stranger.eml', mkmsg('"Karol Nový" <karol@novy.example>',
                            'sales@example.com', 'Dopyt na lisy',
                            '<ask-karol@novy.example>', 'Dobrý deň, ...\n'))
    w('anon.eml', mkmsg('anon@elsewhere.example', 'sales@example.com',
                        'Hello', '<hello-anon@elsewhere.example>', 'Hi\n'))
    w('dsn.eml', ('''From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: sales@example.com
Subject: Undelivered Mail Returned to Sender
Date: Wed, 25 Nov 2026 09:00:00 +0000
Message-ID: <dsn-1@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="=_dsn_boundary"

This is a MIME-encapsulated message.

--=_dsn_boundary
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<zuzana@example.org>: host mx.example.org said: 550 5.1.1
    <zuzana@example.org>: Recipient address rejected: User unknown

--=_dsn_boundary
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Mon, 23 Nov 2026 10:00:05 +0000

Final-Recipient: rfc822; zuzana@example.org
Original-Recipient: rfc822;zuzana@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <zuzana@example.org>: Recipient address
    rejected: User unknown

--=_dsn_boundary
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: =?utf-8?q?Kovo_=E2=80=93_obchod?= <sales@example.com>
To: zuzana@example.org
Message-ID: %s
Date: Mon, 23 Nov 2026 10:00:00 +0000

--=_dsn_boundary--
''' % z['msgid']).encode())
    d = email.message_from_bytes(open(os.path.join(outdir, 'dsn.eml'),
                                      'rb').read(), policy=POL)
    assert d.get_content_type() == 'multipart/report' and not d.defects
    assert [q.get_content_type() for q in d.iter_parts()] == [
        'text/plain', 'message/delivery-status', 'text/rfc822-headers']


def serve(spool, portfile):
    import asyncio, socket
    from aiosmtpd.smtp import SMTP

    class Keep:
        n = 0

        async def handle_DATA(self, server, session, envelope):
            Keep.n += 1
            base = os.path.join(spool, '%04d' % Keep.n)
            with open(base + '.rcpt', 'w') as f:
                f.write('\n'.join(envelope.rcpt_tos) + '\n')
            with open(base + '.tmp', 'wb') as f:
                f.write(envelope.original_content)
            os.rename(base + '.tmp', base + '.eml')
            return '250 2.0.0 OK'

    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(16)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    keep = Keep()
    loop.run_until_complete(loop.create_server(
        lambda: SMTP(keep, hostname='localhost'), sock=sock))
    with open(portfile + '.tmp', 'w') as f:
        f.write('%d\n' % sock.getsockname()[1])
    os.rename(portfile + '.tmp', portfile)
    loop.run_forever()


def rcpts(spool, after):
    for f in sorted(os.listdir(spool)):
        if f.endswith('.rcpt') and int(f[:-5]) > int(after):
            sys.stdout.write(open(os.path.join(spool, f)).read())


cmd, args = sys.argv[1], sys.argv[2:]
{'check': check, 'outlog': outlog, 'replies': replies, 'serve': serve,
 'rcpts': rcpts}[cmd](*args)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# The SMTP server, on a port the system picked
mkdir spool
$PY mailtool.py serve "$T/spool" "$T/port" >smtpd.log 2>&1 &
SMTPD=$!
trap 'kill $SMTPD 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ] && kill -0 $SMTPD 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(cat port 2>/dev/null)
# --host: msmtp reads no configuration file.  It must not fill in the
# Date, Message-ID or From that crm-mailmerge is to write itself.
MSMTP="msmtp --host=127.0.0.1 --port=${PORT:-1} --auth=off --tls=off"
MSMTP="$MSMTP --timeout=10 --from=sales@example.com --set-date-header=off"
MSMTP="$MSMTP --set-msgid-header=off --set-from-header=off -t"
export SENDMAIL="$MSMTP"

# received: how many messages the server holds
received() {
	ls spool | grep -c '\.eml$'
}

# mailed: the addresses the messages after the first $1 were sent to
mailed() {
	$PY mailtool.py rcpts "$T/spool" "$1" | sort
}

# inbox FILE: crm-inbox FILE, the answers in the morning two days later
inbox() {
	crm-inbox --now "$NR" "$@"
}

cat >offer.eml <<\EOF
From: "Kovo – obchod" <sales@example.com>
To: "Nobody" <nobody@example.com>
Subject: Jesenná ponuka pre %{name} – zľava 20 %% na lisy a náradie
X-Crm-Unsubscribe-To: unsubscribe@example.com
X-Crm-Unsubscribe-Url: https://crm.example.com/u?list=offer

Dobrý deň, %{first_name|zákazník},

%{if company}pre firmu %{company.name}%{if city} v meste %{city}%{end} platí zľava 20 %% aj na servis.
%{end}Ponuka platí do konca mesiaca.
From now on prices are lower.
>From the archive.
Odhlásiť sa: %{unsubscribe}
EOF

check 'setup: the SMTP server listens on 127.0.0.1' '
	test -n "$PORT" &&
	msmtp --host=127.0.0.1 --port="$PORT" --auth=off --tls=off \
		--serverinfo >info 2>&1 ||
	{ cat info smtpd.log; false; }
'

check 'setup: a company and eight people, one opted out, one bounced' '
	crm-add --now "$N" company name="Kovo Žilina s.r.o." >ids &&
	crm-add --now "$N" person name="Jana Nováková" first_name=Jana \
		email=jana@kovo.sk company=1 city=Žilina tags=offer >>ids &&
	crm-add --now "$N" person name="Peter Horváth" \
		email=peter@example.com tags=offer >>ids &&
	crm-add --now "$N" person name="Ľudovít Štúr, ml." first_name=Ľudovít \
		email=ludo@example.sk tags=offer >>ids &&
	crm-add --now "$N" person name="Eva Malá" first_name=Eva \
		tags=offer >>ids &&
	crm-add --now "$N" person name="Olga Odhlásená" first_name=Olga \
		email=olga@example.com tags=offer >>ids &&
	crm-add --now "$N" person name="Boris Vrátený" first_name=Boris \
		email=boris@example.com tags=offer >>ids &&
	crm-add --now "$N" person name="Zuzana Zelená" first_name=Zuzana \
		email=zuzana@example.org company=1 tags=offer >>ids &&
	crm-add --now "$N" person name="Marek Ďurica" first_name=Marek \
		email=marek@example.net tags=offer >>ids &&
	crm-optout olga@example.com &&
	crm-optout --bounce 7 &&
	crm-segment --save offer tag:offer &&
	expect ids <<-EOF
	1
	2
	3
	4
	5
	6
	7
	8
	9
	EOF
'

check 'preview: an mbox on stdout, read back by Python'\''s email package' '
	{ crm-segment tag:offer && echo 999; } >sel &&
	crm-mailmerge --now "$N" offer.eml --campaign $C - <sel \
		>preview.mbox 2>why &&
	$PY mailtool.py check mbox preview.mbox preview.tsv 2,3,4,8,9
'

check 'preview: those left out, and why, on stderr' '
	grep -x "crm-mailmerge: 5: no e-mail address" why &&
	grep -x "crm-mailmerge: 6: opted out" why &&
	grep -x "crm-mailmerge: 7: bounced" why &&
	grep "^crm-mailmerge: 999: " why &&
	! grep -E "^crm-mailmerge: [2348]: " why &&
	! grep -E "^crm-mailmerge: 9: " why
'

check 'preview: nothing sent, nothing logged, a second preview writes nothing' '
	test "$(received)" -eq 0 &&
	for i in 1 2 3 4 5 6 7 8 9; do
		crm-log --list "$i" >>hist
		test $? -le 1 || exit 1
	done &&
	test ! -s hist &&
	before=$(store_sum) &&
	crm-mailmerge --now "$N" offer.eml --campaign $C 2 3 4 \
		>again.mbox 2>/dev/null &&
	test "$(store_sum)" = "$before" &&
	test "$(grep -c "^From " again.mbox)" -eq 3
'

check 'preview: a template with CRLF line ends renders the same messages' '
	sed "s/\$/\r/" offer.eml >crlf.eml &&
	crm-mailmerge --now "$N" crlf.eml --campaign $C --segment offer \
		>crlf.mbox 2>/dev/null &&
	$PY mailtool.py check mbox crlf.mbox crlf.tsv 2,3,4,8,9 &&
	cut -f 1,3,4,5,6 preview.tsv >a &&
	cut -f 1,3,4,5,6 crlf.tsv >b &&
	cmp a b
'

check 'an unknown field: exit 2, the line and the field named, no output' '
	{
		sed -n 1,7p offer.eml &&
		echo "Milý %{nmae}," &&
		sed -n "8,\$p" offer.eml
	} >bad.eml &&
	before=$(store_sum) &&
	must_fail 2 crm-mailmerge --now "$N" bad.eml --campaign $C \
		--segment offer >out 2>err &&
	test ! -s out &&
	grep -F "crm-mailmerge: bad.eml:8: unknown field '\''nmae'\'' (did you mean '\''name'\''?)" err &&
	test "$(store_sum)" = "$before"
'

check 'an unknown field with --send: nothing sent, nothing logged' '
	before=$(store_sum) &&
	must_fail 2 crm-mailmerge --now "$N" bad.eml --campaign $C --send \
		--segment offer >out 2>err &&
	test ! -s out &&
	test "$(received)" -eq 0 &&
	test "$(store_sum)" = "$before"
'

check 'an %{if} without %{end}, or an unterminated %{, names its line' '
	{ sed -n 1,7p offer.eml && echo "%{if city}V meste %{city}." &&
		echo "Koniec."; } >noend.eml &&
	must_fail 2 crm-mailmerge --now "$N" noend.eml --campaign $C 2 \
		>out 2>err &&
	test ! -s out &&
	grep -F "noend.eml:8:" err &&
	{ sed -n 1,8p offer.eml && echo "Ahoj %{name" && echo "Koniec."; } \
		>open.eml &&
	must_fail 2 crm-mailmerge --now "$N" open.eml --campaign $C 2 \
		>out 2>err &&
	test ! -s out &&
	grep -F "open.eml:9:" err
'

check 'a template without From: is an error, nothing printed' '
	sed 1d offer.eml >nofrom.eml &&
	must_fail 2 crm-mailmerge --now "$N" nofrom.eml --campaign $C 2 \
		>out 2>err &&
	test ! -s out &&
	grep -i "from" err
'

check '--send: msmtp delivers five messages, nothing on stdout' '
	{ crm-mailmerge --now "$N" offer.eml --campaign $C --send \
		2 3 4 5 6 7 8 9 >out 2>sendlog ||
		{ cat sendlog smtpd.log; false; }; } &&
	test ! -s out &&
	test "$(received)" -eq 5 &&
	grep -E "(^|: )sent 5, skipped 3\$" sendlog
'

check '--send: every message read back: headers, encodings, one-click' '
	$PY mailtool.py check dir spool sent.tsv 2,3,4,8,9
'

check '--send: the opted-out, the bounced and the addressless got nothing' '
	mailed 0 >got &&
	expect got <<-EOF &&
	jana@kovo.sk
	ludo@example.sk
	marek@example.net
	peter@example.com
	zuzana@example.org
	EOF
	! grep -r -i -e olga@ -e boris@ spool &&
	grep -x "crm-mailmerge: 5: no e-mail address" sendlog &&
	grep -x "crm-mailmerge: 6: opted out" sendlog &&
	grep -x "crm-mailmerge: 7: bounced" sendlog
'

check '--send: the unsubscribe tokens are those of the preview' '
	cut -f 1,3 preview.tsv >a &&
	cut -f 1,3 sent.tsv >b &&
	cmp a b
'

check '--send: each message logged: email, out, campaign, Subject, id' '
	$PY mailtool.py outlog sent.tsv $C 2026-11-23T10:00:00+00:00 5,6,7
'

check 'a second --send of the campaign sends nothing and exits 1' '
	before=$(store_sum) &&
	must_fail 1 crm-mailmerge --now "$N" offer.eml --campaign $C --send \
		--segment offer >out 2>again &&
	test ! -s out &&
	test "$(received)" -eq 5 &&
	test "$(store_sum)" = "$before" &&
	for i in 2 3 4 8 9; do
		grep -x "crm-mailmerge: $i: already sent in $C" again || exit 1
	done &&
	grep -E "(^|: )sent 0, skipped 8\$" again
'

check 'setup: replies, a DSN and unsubscribe requests, built in Python' '
	$PY mailtool.py replies sent.tsv "$T"
'

check 'crm-inbox: a reply is logged on its record with the campaign' '
	inbox <jana.eml >out &&
	crm-log --list -j 2 >hist &&
	jq -c "select(.dir == \"in\")" hist >in &&
	test "$(wc -l <in)" -eq 1 &&
	e=$(jq -r .id in) &&
	printf "logged %s on 2\n" "$e" >want &&
	cmp want out &&
	jq -r "[.kind, .campaign, .text, .at, (.message_id // \"\" |
		ltrimstr(\"<\") | rtrimstr(\">\"))] | @tsv" in >got &&
	printf "email\t%s\tRe: %s\t%s\treply-jana@kovo.example\n" $C \
		"Jesenná ponuka pre Jana Nováková – zľava 20 % na lisy a náradie" \
		2026-11-25T09:00:00+00:00 >want &&
	cmp want got
'

check 'crm-inbox: the same reply again is logged once' '
	before=$(store_sum) &&
	inbox <jana.eml >/dev/null &&
	{ echo "From jana@kovo.sk Wed Nov 25 09:00:00 2026" &&
		cat jana.eml; } >jana.mbox &&
	inbox <jana.mbox >/dev/null &&
	test "$(store_sum)" = "$before" &&
	crm-log --list -j 2 >hist &&
	test "$(jq -c "select(.dir == \"in\")" hist | wc -l)" -eq 1
'

check 'crm-inbox: a DSN marks the address bounced, prints it' '
	inbox <dsn.eml >out &&
	expect out <<-EOF &&
	bounced zuzana@example.org
	EOF
	crm-log --list -j 8 >hist &&
	test "$(jq -c "select(.dir == \"in\")" hist | wc -l)" -eq 0
'

check 'crm-inbox: "unsubscribe TOKEN" opts out the record of the token' '
	inbox <unsub.eml >out &&
	expect out <<-EOF &&
	opted out marek@example.net
	EOF
	crm-log --list -j 9 >hist &&
	test "$(jq -c "select(.dir == \"in\")" hist | wc -l)" -eq 0
'

check 'crm-inbox: a forged token opts nobody out' '
	inbox <forged.eml >out 2>err;
	test $? -ne 3 &&
	crm-segment tag:offer --mailto >got &&
	grep -F "<jana@kovo.sk>" got
'

if command -v formail >/dev/null 2>&1; then
check 'formail -s crm-inbox: several messages of an mbox, each logged' '
	for f in peter ludo; do
		echo "From x@example.com Wed Nov 25 09:00:00 2026" &&
		sed "s/^\\(>*From \\)/>\\1/" $f.eml &&
		echo
	done >replies.mbox &&
	formail -s crm-inbox --now "$NR" <replies.mbox >out &&
	crm-log --list -j 3 >log3 &&
	crm-log --list -j 4 >log4 &&
	e3=$(jq -r "select(.dir == \"in\") | .id" log3) &&
	e4=$(jq -r "select(.dir == \"in\") | .id" log4) &&
	printf "logged %s on 3\nlogged %s on 4\n" "$e3" "$e4" >want &&
	cmp want out &&
	jq -r "select(.dir == \"in\") | [.kind, .campaign, .text,
		(.message_id // \"\" | ltrimstr(\"<\") | rtrimstr(\">\"))] |
		@tsv" log3 log4 >got &&
	s="Jesenná ponuka pre" &&
	z="zľava 20 % na lisy a náradie" &&
	printf "email\t%s\tRe: %s %s – %s\t%s\n" \
		$C "$s" "Peter Horváth" "$z" reply-peter@example.com \
		$C "$s" "Ľudovít Štúr, ml." "$z" reply-ludo@example.net >want &&
	cmp want got
'

else
	skip 'formail (procmail) is not installed'
	inbox <peter.eml >/dev/null 2>&1
	inbox <ludo.eml >/dev/null 2>&1
fi

check 'crm-inbox: a new message from a known address, with a From line' '
	{ echo "From ludo@example.sk Wed Nov 25 09:00:00 2026" &&
		cat ludo2.eml; } >ludo2.mbox &&
	inbox <ludo2.mbox >out &&
	crm-log --list -j 4 >hist &&
	e=$(jq -r "select(.text == \"Otázka k lisom\") | .id" hist) &&
	printf "logged %s on 4\n" "$e" >want &&
	cmp want out &&
	jq -r "select(.text == \"Otázka k lisom\") |
		[.kind, .dir, .campaign // \"-\"] | @tsv" hist >got &&
	printf "email\tin\t-\n" >want &&
	cmp want got
'

check 'the bounced and the unsubscribed are left out of --mailto now' '
	crm-segment tag:offer --mailto --why-excluded >got 2>why &&
	expect got <<-EOF &&
	"Jana Nováková" <jana@kovo.sk>
	"Peter Horváth" <peter@example.com>
	"Ľudovít Štúr, ml." <ludo@example.sk>
	EOF
	# the reason of an unsubscribe is not given; "such as" in crm-segment(1)
	sed -E "s/^9	unsubscribed\$/9	opted out/" why >why2 &&
	expect why2 <<-EOF
	5	no e-mail address
	6	opted out
	7	bounced
	8	bounced
	9	opted out
	EOF
'

check 'crm-report --campaign: sent, bounced, opted out, replied, bought' '
	crm-log --now "2026-11-30 12:00" --amount 100 2 purchase x \
		>/dev/null &&
	crm-log --now "2027-02-01 12:00" --amount 50 3 purchase late \
		>/dev/null &&
	crm-report --campaign $C >got &&
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" \
		campaign sent bounced opted_out replied bought amount \
		$C 5 1 1 3 1 100.00 >want &&
	cmp want got
'

check 'crm-report --campaign --window 1d leaves out the later purchase' '
	crm-report --campaign $C --window 1d >got &&
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" \
		campaign sent bounced opted_out replied bought amount \
		$C 5 1 1 0 0 0.00 >want &&
	cmp want got
'

# bad_inbox FILE: crm-inbox exits 2, says why, writes nothing
bad_inbox() {
	before=$(store_sum) &&
	{ must_fail 2 inbox <"$1" >out 2>err || { cat err; false; }; } &&
	test ! -s out &&
	grep "^crm-inbox: " err &&
	test "$(store_sum)" = "$before"
}

check 'crm-inbox: an empty message is refused with exit 2' '
	: >empty &&
	bad_inbox empty
'

check 'crm-inbox: binary noise without headers is refused with exit 2' '
	$PY -c "import sys; sys.stdout.buffer.write(bytes(range(128, 256)) * 8
		+ bytes(range(0, 10)) * 4)" >noise &&
	bad_inbox noise
'

check 'crm-inbox: text without a header is refused with exit 2' '
	printf "hello there\nthis is not a mail message\n" >text &&
	bad_inbox text
'

check 'crm-inbox: an unknown sender is ignored, exit 0, nothing written' '
	before=$(store_sum) &&
	inbox <stranger.eml >out &&
	test ! -s out &&
	test "$(store_sum)" = "$before" &&
	must_fail 1 crm-segment tag:lead >/dev/null
'

check 'crm-inbox --add-leads: the unknown sender becomes a person' '
	inbox --add-leads <stranger.eml >out &&
	crm-segment tag:lead >id &&
	test "$(wc -l <id)" -eq 1 &&
	r=$(cut -f 1 id) &&
	crm-log --list -j "$r" >hist &&
	e=$(jq -r .id hist) &&
	grep -x "logged $e on $r" out &&
	crm-show -j "$r" >rec &&
	jq -r "[.type, .name, .email, (.tags | join(\",\"))] | @tsv" rec >got &&
	printf "person\tKarol Nový\tkarol@novy.example\tlead\n" >want &&
	cmp want got &&
	jq -r "[.kind, .dir, .text] | @tsv" hist >got &&
	printf "email\tin\tDopyt na lisy\n" >want &&
	cmp want got
'

check 'crm-inbox --add-leads: no display name, the address is the name' '
	inbox --add-leads <anon.eml >out &&
	crm-find -j --email anon@elsewhere.example >rec &&
	test "$(wc -l <rec)" -eq 1 &&
	jq -r "[.name, .email, (.tags | join(\",\"))] | @tsv" rec >got &&
	printf "anon@elsewhere.example\tanon@elsewhere.example\tlead\n" >want &&
	cmp want got
'

check 'crm-inbox --add-leads: the same message again adds nobody' '
	crm-segment tag:lead >before &&
	inbox --add-leads <stranger.eml >/dev/null &&
	crm-segment tag:lead >after &&
	cmp before after
'

# A mailer that fails on the second message, in a store of its own
cat >flaky.sh <<EOF
n=\$(cat "$T/flaky.n" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$T/flaky.n"
if [ \$n -eq 2 ]; then cat >/dev/null; exit 75; fi
exec $MSMTP
EOF

check 'setup: three more people in a store of their own' '
	crm-add --db flaky person name="Adam Prvý" email=adam@flaky.example \
		>/dev/null &&
	crm-add --db flaky person name="Béla Druhý" email=bela@flaky.example \
		>/dev/null &&
	crm-add --db flaky person name="Cyril Tretí" email=cyril@flaky.example \
		>/dev/null
'

check 'a mailer failure stops the run: exit 3, what was sent is logged' '
	k=$(received) &&
	must_fail 3 env SENDMAIL="sh $T/flaky.sh" crm-mailmerge --db flaky \
		--now "$N" offer.eml --campaign flaky --send 1 2 3 >out 2>err &&
	test ! -s out &&
	grep "^crm-mailmerge: " err &&
	test "$(received)" -eq $((k + 1)) &&
	mailed "$k" >got &&
	expect got <<-EOF &&
	adam@flaky.example
	EOF
	for i in 1 2 3; do
		crm-log --db flaky --list -j $i
		test $? -le 1 || exit 1
	done >hist &&
	jq -r "[.record, .kind, .dir, .campaign] | @tsv" hist >got &&
	printf "1\temail\tout\tflaky\n" >want &&
	cmp want got
'

check 'started again, the run mails only those not yet mailed' '
	k=$(received) &&
	crm-mailmerge --db flaky --now "$N" offer.eml --campaign flaky --send \
		1 2 3 >out 2>err &&
	test ! -s out &&
	grep -x "crm-mailmerge: 1: already sent in flaky" err &&
	mailed "$k" >got &&
	expect got <<-EOF &&
	bela@flaky.example
	cyril@flaky.example
	EOF
	for i in 1 2 3; do
		crm-log --db flaky --list -j $i
		test $? -le 1 || exit 1
	done >hist &&
	jq -r "[.record, .kind, .dir, .campaign] | @tsv" hist >got &&
	printf "%s\temail\tout\tflaky\n" 1 2 3 >want &&
	cmp want got
'

check 'the server is still up and received nothing broken' '
	kill -0 $SMTPD &&
	! grep -i -e traceback -e error smtpd.log
'

# three cases a mail client makes: a bounce forwarded inside another
# multipart, a subject saying "unsubscribe" before the token, and mail to
# the unsubscribe address of a mailing that was only previewed
check 'setup: a store of two, a template, a preview' '
	crm-add --db "$T/extra" person name="Ana" email=ana@extra.example \
		>/dev/null &&
	crm-add --db "$T/extra" person name="Bo" email=bo@extra.example \
		>/dev/null &&
	printf "%s\n" "From: Sales <sales@extra.example>" \
		"X-Crm-Unsubscribe-To: leave@extra.example" "Subject: Hi" "" \
		"Hello %{name}" >x.eml &&
	crm-mailmerge --db "$T/extra" --now "$N" x.eml --campaign x 1 2 \
		>x.mbox &&
	test "$(grep -c "^From crm@" x.mbox)" -eq 2
'

check 'crm-inbox: a bounce inside multipart/mixed, a later token in the subject' '
	printf "%s\n" "From: postmaster@extra.example" "To: sales@extra.example" \
		"Subject: fwd: failure" "MIME-Version: 1.0" \
		"Content-Type: multipart/mixed; boundary=OUT" "" "--OUT" \
		"Content-Type: multipart/report; report-type=delivery-status; boundary=IN" \
		"" "--IN" "Content-Type: text/plain" "" "failed" "--IN" \
		"Content-Type: message/delivery-status" "" \
		"Reporting-MTA: dns; mx.extra.example" "" \
		"Final-Recipient: rfc822; <bo@extra.example>" "Action: failed" \
		"Status: 5.1.1" "" "--IN--" "--OUT--" |
		crm-inbox --db "$T/extra" >out &&
	expect out <<-EOF &&
	bounced bo@extra.example
	EOF
	tok=$(sed -n "s/.*unsubscribe%20\\(1-[0-9a-f]*\\).*/\\1/p" x.mbox) &&
	test -n "$tok" &&
	printf "From: other@elsewhere.example\nSubject: Re: unsubscribe me! unsubscribe %s\n\nplease\n" \
		"$tok" | crm-inbox --db "$T/extra" >out &&
	expect out <<-EOF
	opted out ana@extra.example
	EOF
'

check 'a preview does not make its unsubscribe address one crm-inbox obeys' '
	crm-add --db "$T/extra" person name="Cy" email=cy@extra.example \
		>/dev/null &&
	printf "From: cy@extra.example\nTo: leave@extra.example\nSubject: q\n\nhi\n" |
		crm-inbox --db "$T/extra" >out &&
	grep "^logged [0-9]* on 3$" out &&
	crm-segment --db "$T/extra" --mailto "name=Cy" >got &&
	grep -F "<cy@extra.example>" got
'
