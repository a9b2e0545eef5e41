#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1320-mailing.t - mailing lists, CSV for mail merge, opt-outs and bounces
plan 47

PY=/usr/bin/python3

# bad_optout TEXT ARG...: crm-optout ARG... exits 2, says TEXT on stderr
# and leaves the store as it was
bad_optout() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 crm-optout "$@" 2>err || { cat err; false; }; } &&
	grep -F -e "$text" err &&
	test "$(store_sum)" = "$before"
}

# Each --mailto line, read by the e-mail parsers of Python, must give the
# name and address of the record on the same line of the JSON Lines file.
cat >mailbox.py <<\EOF
import email, email.headerregistry, email.policy, email.utils, json, sys

text = open(sys.argv[1], encoding='utf-8', newline='').read()
if not text.endswith('\n') or '\r' in text:
    sys.exit('lines must end with LF alone')
lines = text[:-1].split('\n')
recs = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
bad = 0
if len(lines) != len(recs):
    print('%d lines for %d records' % (len(lines), len(recs)))
    bad = 1
for line, rec in zip(lines, recs):
    name, addr = rec.get('name', ''), rec['email']
    got = email.utils.parseaddr(line)
    if got != (name, addr):
        print('parseaddr: %r gives %r, not %r' % (line, got, (name, addr)))
        bad = 1
    msg = email.message_from_string('To: %s\n\n' % line,
                                    policy=email.policy.default)
    to = msg['To']
    want = email.headerregistry.Address(display_name=name, addr_spec=addr)
    if to.defects or len(to.addresses) != 1 or to.addresses[0] != want:
        print('headerregistry: %r gives %r %r, not %r' %
              (line, to.addresses, to.defects, want))
        bad = 1
sys.exit(bad)
EOF

# The --csv file, read by the csv module of Python, must hold the header
# FIELDS, then a row for each ID with the fields of that record in the
# JSON Lines file (relations followed), a cell that starts with = + - @
# or a tab with a ' in front.
cat >csvcheck.py <<\EOF
import csv, json, sys

fields = sys.argv[2].split(',')
recs = {}
for l in open(sys.argv[3], encoding='utf-8'):
    r = json.loads(l)
    recs[r['id']] = r
ids = [int(i) for i in sys.argv[4:]]

def text(rec, field):
    if '.' in field:
        head, rest = field.split('.', 1)
        return text(recs[rec[head]], rest) if head in rec else ''
    v = rec.get(field, '')
    if isinstance(v, list):
        return ','.join(v)
    return str(v)

def cell(rec, field):
    v = text(rec, field)
    return "'" + v if v[:1] in ('=', '+', '-', '@', '\t') else v

rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline=''),
                       strict=True))
want = [fields] + [[cell(recs[i], f) for f in fields] for i in ids]
bad = 0
if len(rows) != len(want):
    print('%d rows, not %d' % (len(rows), len(want)))
    bad = 1
for n, (got, exp) in enumerate(zip(rows, want)):
    if len(got) != len(exp):
        print('row %d: %d cells, not %d' % (n, len(got), len(exp)))
        bad = 1
    for g, e in zip(got, exp):
        if g != e:
            print('row %d: cell %r, not %r' % (n, g, e))
            bad = 1
sys.exit(bad)
EOF

check 'setup: a type whose name may be left out, and the records' '
	crm-schema show >schema.yaml &&
	{
		sed -n "1,/^types:/p" schema.yaml &&
		cat <<-EOF &&
		  subscriber:
		    fields:
		      name:  {type: text}
		      email: {type: email, unique: true}
		      note:  {type: text}
		      tags:  {type: tags}
		EOF
		sed "1,/^types:/d" schema.yaml
	} >mine.yaml &&
	crm-schema apply mine.yaml &&
	crm-add company name="Kovo, s.r.o." email=info@kovo.sk tags=news \
		>ids &&
	crm-add person name="Jana Nováková" email=Jana.Novakova@Kovo.SK \
		company=1 tags=news note="$(printf "line one\nline two")" \
		>>ids &&
	crm-add person name="Peter \"Pete\" O\\Brien" email=pete@example.com \
		tags=news >>ids &&
	crm-add person name="Ľudovít Štúr, ml." email=ludo@example.sk \
		tags=news,vip >>ids &&
	crm-add person name="=SUM(1)" email=sum@example.com tags=news \
		note="-5 % off" >>ids &&
	crm-add person name="Eva Malá" tags=news >>ids &&
	crm-add subscriber email=anon@example.com tags=news >>ids &&
	crm-add subscriber name="Sales @ Kovo; <Team>" email=sales@kovo.sk \
		tags=news note="@channel" >>ids &&
	expect ids <<-EOF
	1
	2
	3
	4
	5
	6
	7
	8
	EOF
'

check '--mailto prints one mailbox per line, names quoted, UTF-8 kept' '
	crm-segment tag:news --mailto >out &&
	expect out <<-\EOF
	"Kovo, s.r.o." <info@kovo.sk>
	"Jana Nováková" <Jana.Novakova@kovo.sk>
	"Peter \"Pete\" O\\Brien" <pete@example.com>
	"Ľudovít Štúr, ml." <ludo@example.sk>
	"=SUM(1)" <sum@example.com>
	<anon@example.com>
	"Sales @ Kovo; <Team>" <sales@kovo.sk>
	EOF
'

check 'a full disk under a mailing or a list: exit 3, saying so' '
	for how in --mailto "--csv name,email" -j ""; do
		must_fail 3 crm-segment tag:news $how >/dev/full 2>err &&
		expect err <<-\EOF || return 1
		crm-segment: cannot write the output
		EOF
	done
'

check 'Python'\''s parseaddr and headerregistry read the stored names back' '
	crm-segment tag:news --mailto >out &&
	crm-show -j 1 2 3 4 5 7 8 >recs &&
	$PY mailbox.py out recs
'

check '--why-excluded names, on stderr, a record without an address' '
	crm-segment tag:news --mailto --why-excluded >got 2>why &&
	crm-segment tag:news --mailto >out &&
	cmp out got &&
	expect why <<-EOF
	6	no e-mail address
	EOF
'

check 'a saved segment is mailed by its name' '
	crm-segment --save news tag:news &&
	crm-segment news --mailto >got &&
	crm-segment tag:news --mailto >out &&
	cmp out got
'

check '--csv writes RFC 4180: CRLF, quoted cells, quotes doubled' '
	crm-segment tag:news --csv id,name,email,company.name,note >out &&
	jana="2,Jana Nováková,Jana.Novakova@kovo.sk" &&
	printf "%s\r\n" "id,name,email,company.name,note" \
		"1,\"Kovo, s.r.o.\",info@kovo.sk,," \
		"$jana,\"Kovo, s.r.o.\",\"line one
line two\"" \
		"3,\"Peter \"\"Pete\"\" O\\Brien\",pete@example.com,," \
		"4,\"Ľudovít Štúr, ml.\",ludo@example.sk,," \
		"5,\"'\''=SUM(1)\",sum@example.com,,\"'\''-5 % off\"" \
		"7,,anon@example.com,," \
		"8,Sales @ Kovo; <Team>,sales@kovo.sk,,\"'\''@channel\"" \
		>want &&
	cmp want out
'

check 'Python'\''s csv module reads every cell back, relations followed' '
	f=id,name,email,company.name,note,tags,interactions,type &&
	crm-segment tag:news --csv "$f" >out &&
	crm-show -j 1 2 3 4 5 6 7 8 >recs &&
	$PY csvcheck.py out "$f" recs 1 2 3 4 5 7 8
'

check '--csv: a cell that looks like a formula starts with a quote' '
	for v in "=SUM(1)" "+1" "-1" "@SUM(1)" \
	    "=HYPERLINK(\"http://x.example/\",\"y\")" "a=b" "1-2"; do
		i=$((${i:-0} + 1)) &&
		crm-add --db sheet person name="P$i" email="s$i@example.com" \
			note="$v" >/dev/null || exit 1
	done &&
	crm-segment --db sheet "has:email" --csv note,email >out &&
	crm-show --db sheet -j 1 2 3 4 5 6 7 >recs &&
	$PY csvcheck.py out note,email recs 1 2 3 4 5 6 7 &&
	$PY -c "import csv, sys; r = list(csv.reader(open(sys.argv[1],
		newline=\"\"))); assert r[1][0] == \"'\''=SUM(1)\", r" out &&
	head -n 2 out >got &&
	printf "%s\r\n" "note,email" "\"'\''=SUM(1)\",s1@example.com" >want &&
	cmp want got
'

check '--csv --why-excluded leaves out and names the same records' '
	crm-segment tag:news --csv email --why-excluded >out 2>why &&
	test "$(wc -l <out)" -eq 8 &&
	expect why <<-EOF
	6	no e-mail address
	EOF
'

check 'an unknown field in --csv is an error before any output' '
	must_fail 2 crm-segment tag:news --csv name,emial >out 2>err &&
	test ! -s out &&
	grep -F "unknown field '\''emial'\'' (did you mean '\''email'\''?)" \
		err &&
	must_fail 2 crm-segment tag:news --csv name,company.nmae >out 2>err &&
	test ! -s out &&
	grep -F "company.nmae" err
'

check '--mailto and --csv together is bad usage' '
	must_fail 2 crm-segment tag:news --mailto --csv name >out 2>err &&
	test ! -s out &&
	grep -F "usage" err
'

check '--mailto -0 ends each mailbox with a NUL, not a newline' '
	crm-segment tag:news --mailto >lf &&
	crm-segment tag:news --mailto -0 >nul &&
	tr "\\n" "\\0" <lf >want &&
	cmp want nul
'

check '-j, -f, -H with --mailto or --csv, -0 with --csv: exit 2, no output' '
	for how in -j "-f %{name}" -H; do
		must_fail 2 crm-segment tag:news --mailto $how >out 2>err &&
		test ! -s out &&
		grep -F "crm-segment: --mailto prints a mailing list: no -j," \
			err &&
		must_fail 2 crm-segment tag:news --csv name $how >out 2>err &&
		test ! -s out &&
		grep -F "crm-segment: --csv prints a mailing list" err || exit 1
	done &&
	must_fail 2 crm-segment tag:news --csv name -0 >out 2>err &&
	test ! -s out &&
	grep -F "crm-segment: --csv ends its lines with CRLF: no -0" err
'

check '--why-excluded without --mailto or --csv: exit 2, no output' '
	must_fail 2 crm-segment tag:news --why-excluded >out 2>err &&
	test ! -s out &&
	grep -x "crm-segment: --why-excluded goes with --mailto or --csv" err
'

check 'crm-optout ADDRESS: exit 0, prints nothing, reason "opted out"' '
	crm-optout pete@example.com >out &&
	test ! -s out &&
	crm-segment tag:news --mailto --why-excluded >got 2>why &&
	! grep -F pete@example.com got &&
	test "$(wc -l <got)" -eq 6 &&
	expect why <<-EOF
	3	opted out
	6	no e-mail address
	EOF
'

check 'addresses compare case-insensitively' '
	crm-optout JANA.NOVAKOVA@KOVO.SK &&
	crm-segment tag:news --mailto --why-excluded >got 2>why &&
	! grep -i -F jana.novakova got &&
	expect why <<-EOF
	2	opted out
	3	opted out
	6	no e-mail address
	EOF
'

check '--bounce ID records the address of the record as bounced' '
	crm-optout --bounce 4 >out &&
	test ! -s out &&
	crm-segment tag:news --mailto --why-excluded >got 2>why &&
	expect why <<-EOF
	2	opted out
	3	opted out
	4	bounced
	6	no e-mail address
	EOF
'

check '- reads ids and addresses from stdin, text after a tab ignored' '
	printf "5\t=SUM(1)\nSALES@kovo.sk\tfrom the web form\n\n" >in &&
	crm-optout - <in >out &&
	test ! -s out &&
	crm-segment tag:news --mailto --why-excluded >got 2>why &&
	expect got <<-EOF &&
	"Kovo, s.r.o." <info@kovo.sk>
	<anon@example.com>
	EOF
	expect why <<-EOF
	2	opted out
	3	opted out
	4	bounced
	5	opted out
	6	no e-mail address
	8	opted out
	EOF
'

check '--csv leaves out the same records' '
	crm-segment tag:news --csv id,email --why-excluded >out 2>why &&
	printf "%s\r\n" id,email 1,info@kovo.sk 7,anon@example.com >want &&
	cmp want out &&
	test "$(wc -l <why)" -eq 6
'

check '--count counts only those who would be mailed' '
	crm-segment tag:news --mailto --count >out &&
	crm-segment tag:news --csv name --count >>out &&
	crm-segment news --mailto --count >>out &&
	expect out <<-EOF
	2
	2
	2
	EOF
'

check 'nobody left to mail: --mailto exits 1 and prints nothing' '
	crm-optout info@kovo.sk 7 &&
	must_fail 1 crm-segment tag:news --mailto --why-excluded >out 2>why &&
	test ! -s out &&
	test "$(wc -l <why)" -eq 8 &&
	grep -x "7	opted out" why
'

check 'nobody left to mail: --count prints 0, --csv exits 1' '
	must_fail 1 crm-segment tag:news --mailto --count >out &&
	expect out <<-EOF &&
	0
	EOF
	must_fail 1 crm-segment tag:news --csv name,email >out &&
	! grep -F "@" out
'

check 'an address no record holds is refused to a later import' '
	crm-optout --bounce later@example.com &&
	crm-add person name="Ola Later" email=Later@Example.com tags=later \
		>id &&
	crm-add person name="Ivo Other" email=other@example.com tags=later \
		>>id &&
	crm-segment tag:later --mailto --why-excluded >got 2>why &&
	expect got <<-EOF &&
	"Ivo Other" <other@example.com>
	EOF
	printf "%s\tbounced\n" "$(head -n 1 id)" >want &&
	cmp want why
'

check 'the opt-out stays when its record is removed and added again' '
	crm-add person name="Gina Gone" email=gone@example.com tags=gone >id &&
	crm-optout "$(cat id)" &&
	crm-rm "$(cat id)" &&
	crm-add person name="Gina Back" email=GONE@example.com tags=gone \
		>id &&
	must_fail 1 crm-segment tag:gone --mailto --why-excluded >out 2>why &&
	test ! -s out &&
	printf "%s\topted out\n" "$(cat id)" >want &&
	cmp want why
'

check 'an address differing in more than case is not opted out' '
	crm-add subscriber email=jose@example.com tags=jose >/dev/null &&
	crm-optout josé@example.com &&
	crm-segment tag:jose --mailto >out &&
	expect out <<-EOF
	<jose@example.com>
	EOF
'

check 'a domain keeps its accents; case folds in UTF-8 too' '
	crm-add subscriber email=Jürgen@MÜLLER.de tags=idn >/dev/null &&
	crm-add subscriber email=jurgen.m@muller.de tags=idn >/dev/null &&
	crm-segment tag:idn --mailto >out &&
	expect out <<-EOF &&
	<Jürgen@müller.de>
	<jurgen.m@muller.de>
	EOF
	crm-optout JÜRGEN@müller.DE &&
	crm-segment tag:idn --mailto >out &&
	expect out <<-EOF &&
	<jurgen.m@muller.de>
	EOF
	crm-export --to jsonl | grep -F "\"optout\":\"jürgen@müller.de\""
'

check 'an opt-out an older store keyed with only A-Z lowered still holds' '
	crm-add subscriber email=Ödön@example.com tags=old >/dev/null &&
	printf "optout:Ödön@example.com\n1700000000 opted out\n" |
		mdb_load -T -s meta "$CRM_DB" &&
	must_fail 1 crm-segment tag:old --mailto >out &&
	test ! -s out
'

check 'a record without an e-mail address is an error, nothing written' '
	bad_optout "record 6 has no e-mail address" 6 &&
	bad_optout "record 6 has no e-mail address" new1@example.com 6
'

check 'a missing record is an error, nothing written' '
	bad_optout "no record 999" 999 &&
	bad_optout "no record 999" new1@example.com 999 &&
	printf "new1@example.com\n999\n" >in &&
	bad_optout "no record 999" - <in
'

check 'a word that is neither an address nor an id, nothing written' '
	bad_optout "'\''jana'\'' is not a record id" new1@example.com jana &&
	bad_optout "'\''x@'\'' is not an e-mail address" new1@example.com x@ &&
	bad_optout "'\''Jana <jana@kovo.sk>'\'' is not an e-mail address" \
		"Jana <jana@kovo.sk>"
'

check 'no addresses, or an empty stdin, is bad usage' '
	bad_optout "usage" &&
	: >empty &&
	bad_optout "usage" - <empty &&
	bad_optout "usage" --bounce
'

check 'an unknown option is bad usage, nothing written' '
	bad_optout "usage" --bouce pete@example.com
'

check 'bulk: 1000 subscribers all mailed' '
	i=0 &&
	while [ $i -lt 1000 ]; do
		echo "{\"name\":\"Bulk $i\",\"email\":\"bulk$i@example.com\"," \
			"\"tags\":[\"bulk\"]}"
		i=$((i + 1))
	done >subs.jsonl &&
	crm-add subscriber <subs.jsonl >bulk &&
	test "$(wc -l <bulk)" -eq 1000 &&
	crm-segment tag:bulk --mailto --count >out &&
	expect out <<-EOF
	1000
	EOF
'

check 'bulk: one missing id among 1000 lines on stdin writes nothing' '
	i=0 &&
	while [ $i -lt 1000 ]; do
		printf "BULK%d@Example.com\tunsubscribe link\n" $i
		i=$((i + 1))
	done >unsub &&
	{ head -n 500 unsub; echo 999999; tail -n +501 unsub; } >bad &&
	bad_optout "crm-optout: line 501: no record 999999" - <bad &&
	crm-segment tag:bulk --mailto --count >out &&
	expect out <<-EOF
	1000
	EOF
'

check 'a bad line on stdin is named by its number, blank lines counted' '
	printf "%s\n" new2@example.com "" "not-valid" >bad &&
	bad_optout "crm-optout: line 3: '\''not-valid'\'' is not a record id" \
		- <bad &&
	printf "%s\n" new2@example.com 6 >bad &&
	bad_optout "crm-optout: line 2: record 6 has no e-mail address" - <bad &&
	bad_optout "crm-optout: '\''jana'\'' is not a record id" jana
'

check 'bulk: 1000 addresses on stdin opted out in one run' '
	crm-optout - <unsub &&
	must_fail 1 crm-segment tag:bulk --mailto --count >out 2>why \
		--why-excluded &&
	expect out <<-EOF &&
	0
	EOF
	test "$(grep -c "	opted out\$" why)" -eq 1000
'

check 'ids piped from crm-segment are opted out' '
	crm-add person name="Pia Pipe" email=pia@example.com tags=pipe \
		>/dev/null &&
	crm-add person name="Pat Pipe" email=pat@example.com tags=pipe \
		>/dev/null &&
	crm-segment tag:pipe >ids &&
	crm-optout - <ids &&
	must_fail 1 crm-segment tag:pipe --mailto --why-excluded >out 2>why &&
	test "$(grep -c "	opted out\$" why)" -eq 2
'

check 'a store that cannot be opened exits 3' '
	: >notadir &&
	must_fail 3 crm-optout --db notadir pete@example.com 2>err &&
	grep -F "notadir" err
'

check 'crm-optout does not touch the records themselves' '
	crm-show -j 3 >out &&
	jq -r ".name, .email" out >got &&
	expect got <<-\EOF
	Peter "Pete" O\Brien
	pete@example.com
	EOF
'

check 'opting out an address again is not an error' '
	crm-optout pete@example.com PETE@example.com 3
'

check 'a company'\''s address is opted out by its id' '
	crm-add company name="Mail, a.s." email=office@mail.example tags=co \
		>id &&
	crm-optout "$(cat id)" &&
	must_fail 1 crm-segment tag:co --mailto >out &&
	test ! -s out
'

check 'a deal has no e-mail address to opt out' '
	crm-add deal name="Presses" >id &&
	bad_optout "has no e-mail address" "$(cat id)"
'

check 'crm-optout --help prints the synopsis and exits 0' '
	crm-optout --help >out &&
	grep -F "crm-optout [--db DIR] [--bounce] EMAIL|ID...|-" out
'

check 'a schema that demands consent leaves out who has not given it' '
	crm-schema show >consent.yaml &&
	/usr/bin/python3 - consent.yaml <<-PY &&
	import sys
	p = sys.argv[1]
	s = open(p).read()
	s = s.replace("  company:\n", "      marketing_consent: {type: bool}\n  company:\n", 1)
	s = s.replace("# mailing:\n#   consent: consent.marketing",
	    "mailing:\n  consent: marketing_consent")
	open(p, "w").write(s)
	PY
	crm-schema apply consent.yaml &&
	crm-add person name="Asked Yes" email=yes@consent.example tags=cons \
		marketing_consent=yes >/dev/null &&
	crm-add person name="Asked No" email=no@consent.example tags=cons \
		marketing_consent=no >no &&
	crm-add person name="Never Asked" email=never@consent.example \
		tags=cons >never &&
	crm-segment tag:cons --mailto --why-excluded >out 2>why &&
	expect out <<-EOF2 &&
	"Asked Yes" <yes@consent.example>
	EOF2
	grep -F "$(cat no)	no consent (marketing_consent)" why &&
	grep -F "$(cat never)	no consent (marketing_consent)" why
'

check 'mailing: consent must name a bool field' '
	sed "s/consent: marketing_consent/consent: note/" consent.yaml >bad.yaml &&
	must_fail 2 crm-schema apply bad.yaml 2>err &&
	grep -F "mailing: consent: '"'"'note'"'"' is not a consent nor a bool field" err
'

check 'a consent recorded with crm-set --source lets mail through' '
	sed "s/consent: marketing_consent/consent: consent.marketing/" \
		consent.yaml >c2.yaml &&
	crm-schema apply c2.yaml &&
	{ crm-segment tag:cons --mailto >out 2>why; test $? = 1; } &&
	test ! -s out &&
	crm-set "$(cat never)" consent.marketing=yes --source phone-call &&
	crm-set "$(cat no)" consent.marketing=no --source web-form &&
	crm-segment tag:cons --mailto --why-excluded >out 2>why &&
	expect out <<-EOF2 &&
	"Never Asked" <never@consent.example>
	EOF2
	grep -F "$(cat no)	no consent (consent.marketing)" why &&
	crm-show "$(cat never)" >card &&
	grep "^consent.marketing: yes (20[0-9-]*T[0-9:]*+00:00, phone-call)\$" card &&
	crm-segment "tag:cons and consent.marketing=yes" >ids &&
	test "$(cat ids)" = "$(cat never)" &&
	crm-show -j "$(cat never)" |
		jq -e ".\"consent.marketing\" | .value == \"yes\" and .source == \"phone-call\"" &&
	must_fail 2 crm-set "$(cat never)" consent.marketing=maybe 2>err &&
	grep -F "is not yes or no" err
'
