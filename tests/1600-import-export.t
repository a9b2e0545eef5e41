#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1600-import-export.t - crm-import and crm-export: vCard, JSON Lines, CSV
#
# Every vCard of ../shared/testdata/vcard (what phones, mail programs and
# the RFCs write) is imported, and importing it again must change nothing.
# A store with companies, people, deals moved through their stages, tasks
# and history goes out as JSON Lines and comes back byte for byte.  Cards
# and CSV written by crm-export are read back by independent readers:
# python3-vobject and Python's csv module.  CSV files as Google Contacts,
# Outlook and Thunderbird write them are imported.

# Python's csv and json; vobject is Debian's python3-vobject, installed
# for the system's Python only
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	echo "1..0 # skip /usr/bin/python3 is not installed"
	exit 0
fi
export PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1
VOBJECT=
"$PY" -c 'import vobject' >/dev/null 2>&1 && VOBJECT=yes
VC=$TESTDATA/vcard

plan 84

# tool.py: the readers the checks use
#   has EXPORT JSON...      each JSON object is a subset of some record of the
#                           JSON Lines EXPORT ("key^": a value that starts so)
#   count EXPORT JSON       how many records hold the subset
#   fns VCF                 the FN of each card, one a line (own unfolding)
#   vcards VCF EXPORT VER   python3-vobject reads every card of VCF; each is
#                           the person or company of EXPORT with that name
#   folded VCF              CRLF only, no line over 75 octets, no character
#                           cut by folding, and some line folded
#   csv CSV EXPORT COLS MODE [TAG]  RFC 4180 with CRLF; Python's csv reads
#                           the records (with TAG) as EXPORT has them;
#                           MODE safe: a cell starting = + - @ starts with '
#   vobject-fns DIR VCF...  of each VCF python3-vobject reads, the FN of
#                           each card is a record's name in DIR/NAME.jsonl
cat >tool.py <<\EOF
import csv, io, json, re, sys

def load(path):
    """the records of an export: the lines with a type"""
    return [r for r in (json.loads(l) for l in open(path, encoding="utf-8")
                        if l.strip()) if "type" in r]

def fail(msg):
    sys.exit(msg)

def sub(rec, want, byid={}):
    for k, v in want.items():
        if "." in k:
            ref, f = k.split(".", 1)
            o = byid.get(rec.get(ref))
            if o is None or o.get(f) != v:
                return False
        elif k.endswith("^"):
            got = rec.get(k[:-1])
            if not isinstance(got, str) or not got.startswith(v):
                return False
        elif rec.get(k) != v:
            return False
    return True

def unfold(raw):
    text = raw.decode("utf-8").replace("\r\n", "\n")
    return re.sub(r"\n[ \t]", "", text).split("\n")

def people(recs):
    return [r for r in recs if r["type"] in ("person", "company")]

cmd = sys.argv[1]
if cmd in ("has", "count"):
    recs = load(sys.argv[2])
    byid = {r["id"]: r for r in recs}
    if cmd == "count":
        print(len([r for r in recs
                   if sub(r, json.loads(sys.argv[3]), byid)]))
        sys.exit(0)
    for w in sys.argv[3:]:
        want = json.loads(w)
        if not [r for r in recs if sub(r, want, byid)]:
            for r in recs:
                print(json.dumps(r, ensure_ascii=False))
            fail("no record has %s" % json.dumps(want, ensure_ascii=False))

elif cmd == "fns":
    for l in unfold(open(sys.argv[2], "rb").read()):
        if l.startswith("FN:") or l.startswith("FN;"):
            v = l.split(":", 1)[1]
            print(re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN"
                         else m.group(1), v))

elif cmd == "vobject-fns":
    import os, vobject
    for path in sys.argv[3:]:
        b = os.path.basename(path)[:-4]
        names = {r.get("name") for r in
                 load(os.path.join(sys.argv[2], b + ".jsonl"))}
        text = open(path, "rb").read().decode("utf-8", "replace")
        try:
            cards = list(vobject.readComponents(text))
        except Exception:
            # what vobject cannot read (vCard 2.1 quoted-printable
            # broken over lines) is checked by the cards below
            continue
        print(b)
        for c in cards:
            fn = c.contents.get("fn")
            # vobject 0.9.6 cuts FN at a comma left unescaped (Gmail's
            # "FN:Mr. John Richter, James Doe Sr."), which RFC 6350
            # reads as text: the whole is the name
            if fn and fn[0].value not in names and not [
                    n for n in names
                    if n and n.startswith(fn[0].value + ",")]:
                fail("%s: the card %r is not a record: %r" %
                     (path, fn[0].value, sorted(names)))

elif cmd == "vcards":
    import vobject
    path, recs, ver = sys.argv[2], load(sys.argv[3]), sys.argv[4]
    raw = open(path, "rb").read()
    byid = {r["id"]: r for r in recs}
    want = {r["name"]: r for r in people(recs)}
    cards = list(vobject.readComponents(raw.decode("utf-8")))
    bad = []
    if len(cards) != len(want):
        bad.append("%d cards for %d people and companies" %
                   (len(cards), len(want)))
    uid_of = {}
    for c in cards:
        fn = c.fn.value
        uid_of[fn] = c.uid.value
    if len(set(uid_of.values())) != len(cards):
        bad.append("UIDs are not unique: %r" % uid_of)
    for c in cards:
        fn = c.fn.value
        r = want.get(fn)
        if r is None:
            bad.append("a card for %r, who is no record" % fn)
            continue
        def one(name, conv=lambda x: x.value):
            v = c.contents.get(name)
            if v is None:
                return None
            if len(v) != 1:
                bad.append("%s: %d %s" % (fn, len(v), name))
            return conv(v[0])
        def eq(what, got, exp):
            if got != exp:
                bad.append("%s: %s %r, not %r" % (fn, what, got, exp))
        company = r["type"] == "company"
        eq("VERSION", one("version"), ver)
        eq("EMAIL", one("email"), r.get("email"))
        eq("TEL", one("tel"), r.get("phone"))
        eq("NOTE", one("note"), r.get("note"))
        # RFC 6350 4.3.1 has dates in the basic form (19850412, --0412);
        # RFC 2426 (3.0) the extended one
        bday = r.get("birthday")
        if bday and ver == "4.0":
            bday = ("--" + bday[2:].replace("-", "")
                    if bday.startswith("--") else bday.replace("-", ""))
        eq("BDAY", one("bday"), bday)
        eq("CATEGORIES", one("categories"), r.get("tags"))
        if company:
            org = [r["name"]]
        elif "company" in r:
            org = [byid[r["company"]]["name"]]
        else:
            org = None
        eq("ORG", one("org"), org)
        adr = one("adr", lambda a: [a.value.street, a.value.city,
                                    a.value.code, a.value.country])
        if any(r.get(k) for k in ("street", "city", "zip", "country")):
            eq("ADR", adr, [r.get(k, "") for k in
                            ("street", "city", "zip", "country")])
        else:
            eq("ADR", adr, None)
        if ver == "4.0":
            eq("KIND", one("kind"), "org" if company else None)
            rel = one("related")
            if "company" in r and not company:
                cname = byid[r["company"]]["name"]
                eq("RELATED", rel, "urn:uuid:" + uid_of.get(cname, "?"))
            else:
                eq("RELATED", rel, None)
        else:
            if "n" not in c.contents:
                bad.append("%s: no N in a 3.0 card" % fn)
            if "kind" in c.contents:
                bad.append("%s: KIND in a 3.0 card" % fn)
    if bad:
        fail("\n".join(bad))

elif cmd == "folded":
    raw = open(sys.argv[2], "rb").read()
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        fail("the last line does not end with CRLF")
    folded = 0
    for n, l in enumerate(lines[:-1], 1):
        if b"\r" in l or b"\n" in l:
            fail("line %d: a line break that is not CRLF: %r" % (n, l))
        if len(l) > 75:
            fail("line %d: %d octets: %r" % (n, len(l), l))
        try:
            l.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d: a character cut by folding: %r" % (n, l))
        if l[:1] == b" ":
            folded += 1
    if not folded:
        fail("no line was folded")

elif cmd == "csv":
    path, recs, cols, mode = sys.argv[2], load(sys.argv[3]), \
        sys.argv[4].split(","), sys.argv[5]
    tag = sys.argv[6] if len(sys.argv) > 6 else None
    raw = open(path, "rb").read()
    # records end in CRLF; only a quoted cell may hold a line break
    q = False
    for i, b in enumerate(raw):
        if b == 0x22:
            q = not q
        elif b == 0x0a and not q and raw[i - 1:i] != b"\r":
            fail("a record ends in LF, not CRLF, at byte %d" % i)
        elif b == 0x0d and not q and raw[i + 1:i + 2] != b"\n":
            fail("a bare CR at byte %d" % i)
    if not raw.endswith(b"\r\n"):
        fail("the last record does not end with CRLF")
    byid = {r["id"]: r for r in recs}
    def val(r, col):
        if "." in col:
            ref, f = col.split(".", 1)
            r = byid.get(r.get(ref))
            if r is None:
                return ""
            col = f
        v = r.get(col)
        if v is None:
            return ""
        if isinstance(v, list):
            return ",".join(v)
        v = str(v)
        if mode == "safe" and v[:1] in ("=", "+", "-", "@"):
            v = "'" + v
        return v
    want = [cols] + [[val(r, c) for c in cols] for r in recs
                     if tag is None or tag in r.get("tags", [])]
    got = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    if got != want:
        for w, g in zip(want, got):
            if w != g:
                print("want %r\n got %r" % (w, g))
        fail("%d rows wanted, %d got" % (len(want), len(got)))
EOF

# --- vCard in ---------------------------------------------------------------

# crm-import --from vcard of each file, into a store of its own
mkdir vc
t_vcard_all() {
	bad=0
	for f in "$VC"/*/*.vcf; do
		b=$(basename "$f" .vcf)
		[ "$b" = unparsable ] && continue
		cards=$(grep -ci '^BEGIN:VCARD' "$f")
		crm-import --db "vc/$b" --from vcard "$f" >"vc/$b.out" \
		    2>"vc/$b.err"
		rc=$?
		if [ $rc != 0 ]; then
			echo "$f: exit $rc: $(cat "vc/$b.err")"
			bad=1
		elif ! grep -qx "crm-import: $cards added, 0 updated, 0 unchanged, 0 rejected" \
		    "vc/$b.err"; then
			echo "$f: $cards cards, but: $(cat "vc/$b.err")"
			bad=1
		fi
		crm-export --db "vc/$b" --to jsonl >"vc/$b.jsonl" || bad=1
	done
	test "$(ls "$VC"/*/*.vcf | wc -l)" -ge 28 &&
	test $bad = 0
}
check 'every file of testdata/vcard imports: one record a card' t_vcard_all

t_unparsable() {
	crm-add --db unp company name=Seed >/dev/null &&
	before=$(mdb_dump -a unp | md5sum) &&
	must_fail 2 crm-import --db unp --from vcard \
		"$VC/khard/unparsable.vcf" >out 2>err &&
	cat err &&
	test ! -s out &&
	grep -F 'crm-import: line 1: ' err &&
	grep -F 'END:VCARD' err &&
	test "$(mdb_dump -a unp | md5sum)" = "$before"
}
check 'khard/unparsable.vcf: exit 2, the line named, nothing written' \
	t_unparsable

t_vobject_fns() {
	"$PY" tool.py vobject-fns vc $(ls "$VC"/*/*.vcf |
		grep -v /unparsable.vcf) >read-by-vobject &&
	cat read-by-vobject &&
	test "$(wc -l <read-by-vobject)" -ge 15
}
if [ -n "$VOBJECT" ]; then
	check 'each card python3-vobject reads is a record of that name' \
		t_vobject_fns
else
	skip 'python3-vobject is not installed'
fi

check 'outlook-2007.vcf: name, quoted-printable NOTE, phone, city' '
	"$PY" tool.py has vc/outlook-2007.jsonl \
	"{\"type\": \"company\", \"name\": \"TheCompany\"}" \
	"{\"type\": \"person\", \"name\": \"Mr. Michael Angstadt Jr.\",
	  \"first_name\": \"Michael\", \"last_name\": \"Angstadt\",
	  \"email\": \"mike.angstadt@gmail.com\", \"title\": \"TheJobTitle\",
	  \"street\": \"222 Broadway, TheOffice\", \"city\": \"New York\",
	  \"zip\": \"99999\", \"country\": \"USA\", \"birthday\": \"1922-03-10\",
	  \"url\": \"http://mikeangstadt.name\",
	  \"note^\": \"This is the NOTE field\\t\\nI assume it encodes this text inside a NOTE vCard type.\\nBut I'\''m not sure because there'\''s text formatting going on here.\\nIt does not preserve the formatting\"}" &&
	"$PY" -c "import json, sys
r = [x for x in map(json.loads, open(sys.argv[1], encoding=\"utf-8\")) if \"type\" in x]
p = [x for x in r if x[\"type\"] == \"person\"][0]
c = [x for x in r if x[\"type\"] == \"company\"][0]
assert p[\"company\"] == c[\"id\"], p
# the first TEL, (111) 555-1111, in E.164; the others are noted
assert p[\"phone\"].startswith(\"+\") and p[\"phone\"].endswith(\"1115551111\"), p
assert \"(111) 555-2222\" in p[\"note\"], p
# the address: its extended part in the street, its region noted
assert \"\\nADR (WORK, PREF) region: NY\\n\" in p[\"note\"], p" vc/outlook-2007.jsonl
'

# noted FILE LINE...: each LINE is a line of the person's note in the
# JSON Lines of FILE
noted() {
	f=$1
	shift
	jq -r 'select(.type == "person") | .note' "$f" >note.lines &&
	for l in "$@"; do
		grep -Fxq -- "$l" note.lines || {
			echo "not in the note of $f: $l"
			cat note.lines
			return 1
		}
	done
}

t_vcard_x() {
	noted vc/gmail-single.jsonl 'TEL (GRAND_CENTRAL): 555 555 2222' \
		'ADR (CustomAdrType): ;;321 Custom St;Custom City;TX;98765;USA' \
		'DATE (Anniversary): 1970-06-02' 'RELATED (Spouse): MySpouse' \
		'RELATED (CustomRelationship): MyCustom' \
		'IMPP (icq): 123456789' 'X-PHONETIC-FIRST-NAME: Grregg' \
		'X-PHONETIC-LAST-NAME: Dart-mowth' &&
	noted vc/John_Doe_IPHONE.jsonl 'TEL (AssistantPhone): 905-222-1234' &&
	noted vc/outlook-2007.jsonl 'TEL (VOICE, CALLBACK): (111) 555-4444' \
		'ANNIVERSARY: 20120801' 'IMPP: im@aim.com' \
		'RELATED (manager): TheManagerName' \
		'RELATED (assistant): TheAssistantName' \
		'RELATED (spouse): TheSpouse' 'FBURL: http://website.com/mycal' &&
	noted vc/John_Doe_EVOLUTION.jsonl 'IMPP (HOME, aim): johnny5@aol.com' \
		'RELATED (spouse): Maria' 'RELATED (manager): Big Blue' \
		'RELATED (assistant): Little Red' 'ANNIVERSARY: 1980-03-22' &&
	noted vc/fullcontact.jsonl 'GENDER: M' 'GENDER: male' \
		'RELATED (Mother): Mother' 'RELATED (Fiancé): Fiance' \
		'RELATED (CustomTYPE): Custom' 'DATE (Anniversary): 2016-08-02' \
		'ORG: Organization2, Department2' &&
	# what programs wrote for themselves stays out
	! cat vc/*.jsonl | jq -r .note | grep -E \
		'^X-(AB|MS-OL|EVOLUTION-FILE-AS|COUCHDB|ID|ETAG|FC)|<card|^PRODID|^REV' &&
	# an X-MS-TEL is a phone like any other; base64 is no words
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cal Back\r\nX-MS-TEL;TYPE=CALLBACK:+421 905 000 111\r\nX-CUSTOM-THING:kept\\\\, as typed\r\nX-BLOB;ENCODING=b:AAECAw==\r\nKEY;ENCODING=b:AAECAw==\r\nEND:VCARD\r\n" |
		crm-import --db "$T/xms" --from vcard 2>err &&
	crm-show --db "$T/xms" -j 1 >card &&
	jq -e '.phone == "+421905000111" and
		.note == "X-CUSTOM-THING: kept, as typed"' card
}
check 'vCard X- properties and group labels kept in the note, programs'"'"' own left out' t_vcard_x

check 'gmail-list.vcf: three people, their names and e-mails' '
	test "$(grep -c "\"type\":" vc/gmail-list.jsonl)" -eq 3 &&
	"$PY" tool.py has vc/gmail-list.jsonl \
	"{\"type\": \"person\", \"name\": \"Arnold Smith\", \"first_name\": \"Arnold\", \"last_name\": \"Smith\", \"email\": \"asmithk@gmail.com\"}" \
	"{\"type\": \"person\", \"name\": \"Chris Beatle\", \"first_name\": \"Chris\", \"last_name\": \"Beatle\", \"email\": \"chrisy55d@yahoo.com\"}" \
	"{\"type\": \"person\", \"name\": \"Doug White\", \"first_name\": \"Doug\", \"last_name\": \"White\", \"email\": \"dwhite@gmail.com\"}"
'

check 'rfc6350-example.vcf: N, ORG, ADR, EMAIL, URL, BDAY --02-03' '
	"$PY" tool.py has vc/rfc6350-example.jsonl \
	"{\"type\": \"company\", \"name\": \"Viagenie\"}" \
	"{\"type\": \"person\", \"name\": \"Simon Perreault\",
	  \"first_name\": \"Simon\", \"last_name\": \"Perreault\",
	  \"email\": \"simon.perreault@viagenie.ca\", \"street\": \"2875 Laurier, Suite D2-630\",
	  \"city\": \"Quebec\", \"zip\": \"G1V 2M2\", \"country\": \"Canada\",
	  \"birthday\": \"--02-03\", \"url\": \"http://nomis80.org\"}" &&
	test "$("$PY" tool.py count vc/rfc6350-example.jsonl "{\"company\": 1}")" -eq 1 &&
	jq -r "select(.type == \"person\") | .note" vc/rfc6350-example.jsonl |
		grep -Fx "ADR (work) region: QC"
'

check 'vCard ADR: the region to a schema'"'"'s region field, and out again; ORG units noted' '
	R="$T/region" &&
	crm-schema --db "$R" show |
		sed "0,/^      city: /s//      region:     {type: text}\n&/" \
		>region.yaml &&
	grep -c "^      region:" region.yaml &&
	crm-schema --db "$R" apply region.yaml &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Region\r\nORG:Acme;Sales;;EMEA\r\nADR;TYPE=WORK:PO Box 9;Suite 5;1 Main St;Springfield;IL;62701;USA\r\nEND:VCARD\r\n" \
		>region.vcf &&
	crm-import --db "$R" --from vcard region.vcf 2>err &&
	crm-show --db "$R" -j 2 >card &&
	jq -e ".street == \"1 Main St, Suite 5, PO Box 9\" and
		.region == \"IL\" and .city == \"Springfield\" and
		.note == \"ORG unit: Sales, EMEA\"" card &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Two Adr\r\nADR;TYPE=HOME:;;;;;;Slovakia\r\nADR;TYPE=WORK:;;Main 1;Brno;;60200;Czechia\r\nEND:VCARD\r\n" |
		crm-import --db "$R" --from vcard 2>err &&
	crm-find --db "$R" --json "two adr" >two &&
	jq -e ".street == \"Main 1\" and .country == \"Slovakia\" and
		.note == \"ADR (WORK) country: Czechia\"" two &&
	crm-export --db "$R" --to vcard >region.out.vcf &&
	grep -F "ADR:;;1 Main St\\, Suite 5\\, PO Box 9;Springfield;IL;62701;USA" \
		region.out.vcf &&
	if [ -n "$VOBJECT" ]; then
		"$PY" -c "import sys, vobject
c = [c for c in vobject.readComponents(open(sys.argv[1], encoding=\"utf-8\").read()) if c.fn.value == \"Ann Region\"][0]
a = c.adr.value
assert (a.street, a.city, a.region, a.code, a.country) == (\"1 Main St, Suite 5, PO Box 9\", \"Springfield\", \"IL\", \"62701\", \"USA\"), a" region.out.vcf
	fi
'

check 'KIND:org (khard/org.vcf) is a company, with its UID' '
	"$PY" tool.py has vc/org.jsonl \
	"{\"type\": \"company\", \"name\": \"ACME Inc.\", \"uid\": \"429A43AB-52F2-4714-AA62-077528A12464\"}" &&
	test "$(grep -c "\"type\":" vc/org.jsonl)" -eq 1
'

check 'vCard without FN: the name of all of N, prefixes and suffixes too' '
	printf "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John;Quincy,Q.;Dr.;Jr.\r\nEMAIL:jd@n.example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:Solo;;;;\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nEMAIL:only@n.example\r\nEND:VCARD\r\n" \
		>n.vcf &&
	crm-import --db "$T/nfull" --from vcard n.vcf 2>err &&
	crm-segment --db "$T/nfull" -f "%{name}|%{first_name}|%{last_name}" \
		type:person >got &&
	printf "%s\n" "Dr. John Quincy Q. Doe Jr.|John|Doe" "Solo||Solo" \
		"only@n.example||" >want &&
	diff -u want got
'

t_categories() {
	printf "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:inline-1\r\nFN:Ema Šťastná\r\nN:Šťastná;Ema;;;\r\nEMAIL:ema@example.sk\r\nCATEGORIES:Zákazníci,VIP,export\r\nBDAY:--0415\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ivan Bez Roku\r\nN:Roku;Ivan;;;\r\nTEL;TYPE=CELL:0905 111 222\r\nBDAY:--12-31\r\nCATEGORIES:b2b\r\nEND:VCARD\r\n" \
		>inline.vcf &&
	crm-import --db cat --from vcard inline.vcf &&
	crm-export --db cat --to jsonl >cat.jsonl &&
	"$PY" tool.py has cat.jsonl \
	'{"name": "Ema Šťastná", "tags": ["Zákazníci", "VIP", "export"], "birthday": "--04-15", "uid": "inline-1"}' \
	'{"name": "Ivan Bez Roku", "tags": ["b2b"], "birthday": "--12-31", "phone": "+421905111222"}' &&
	"$PY" tool.py has vc/category.jsonl \
	'{"name": "contact with category", "email": "foo@example.org", "tags": ["bar"], "uid": "cat1"}' &&
	"$PY" tool.py has vc/fullcontact.jsonl '{"type": "person", "tags": ["Tag"]}'
}
check 'CATEGORIES become tags; BDAY without a year is --MM-DD' t_categories

t_vcard_again() {
	bad=0
	for f in "$VC"/*/*.vcf; do
		b=$(basename "$f" .vcf)
		[ "$b" = unparsable ] && continue
		before=$(mdb_dump -a "vc/$b" | md5sum)
		crm-import --db "vc/$b" --from vcard "$f" 2>err || bad=1
		if ! grep -q "crm-import: 0 added, 0 updated, " err; then
			echo "$f again: $(cat err)"
			bad=1
		fi
		if [ "$(mdb_dump -a "vc/$b" | md5sum)" != "$before" ]; then
			echo "$f again: the store changed"
			bad=1
		fi
	done
	test $bad = 0
}
check 'importing each vCard file again: 0 added, 0 updated, store unchanged' \
	t_vcard_again

# crm-export's cards of a store, read back into it: each names its own
# record by UID (made of the store's name where the record has none),
# its company by RELATED, and brings the note back, lines that went out
# as properties among them: nothing changes, in vCard 4.0 or 3.0
# (which has no KIND: a company's card is known by its UID)
t_vcard_back() {
	bad=0
	for f in "$VC"/*/*.vcf; do
		b=$(basename "$f" .vcf)
		[ "$b" = unparsable ] && continue
		before=$(mdb_dump -a "vc/$b" | md5sum)
		for v in 4.0 3.0; do
			crm-export --db "vc/$b" --to vcard --version $v \
				>back.vcf || bad=1
			crm-import --db "vc/$b" --from vcard back.vcf 2>err ||
				bad=1
			if ! grep -q "crm-import: 0 added, 0 updated, " err; then
				echo "$b, its export ($v) back: $(cat err)"
				bad=1
			fi
		done
		if [ "$(mdb_dump -a "vc/$b" | md5sum)" != "$before" ]; then
			echo "$b: its export back changed the store"
			bad=1
		fi
	done
	test $bad = 0
}
check 'a store'"'"'s own vCard export imported back: 0 added, 0 updated' \
	t_vcard_back

# nameless DIR: the store at DIR as crm made it before stores had a name
# (no uuid in its meta table), in place
nameless() {
	mdb_dump -a "$1" | awk '
	/^database=/ { db = substr($0, 10) }
	db == "meta" && $0 == " 75756964" { getline; next }
	{ print }' >nameless.dump &&
	rm -rf "$1" && mkdir "$1" && mdb_load -f nameless.dump "$1"
}

# two such stores make the same UIDs for their records of the same ids:
# a card of the other is never taken for this store's own
t_nameless() {
	crm-add --db "$T/na" person name=Ann email=ann@na.example >/dev/null &&
	crm-add --db "$T/na" person name=Bob >/dev/null &&
	crm-add --db "$T/nb" person name=Cyd >/dev/null &&
	crm-add --db "$T/nb" person name=Dan >/dev/null &&
	nameless "$T/na" && nameless "$T/nb" &&
	crm-export --db "$T/nb" --to vcard >nb.vcf &&
	tr -d '\r' <nb.vcf | grep -Fx "UID:00000000-0000-8000-8000-000000000001" &&
	crm-export --db "$T/na" --to vcard | tr -d '\r' |
		grep -Fx "UID:00000000-0000-8000-8000-000000000001" &&
	crm-import --db "$T/na" nb.vcf 2>err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-segment --db "$T/na" -f "%{id} %{name}" type:person >got &&
	printf "%s\n" "1 Ann" "2 Bob" "3 Cyd" "4 Dan" | diff -u - got
}
check 'stores without a name: the other'"'"'s cards are not taken for own' \
	t_nameless

# a copy restored from an export has the store's name, so the UIDs of
# its cards are the store's: once the two part, a card of the copy's
# record 2 is not the store's record 2 unless it has its name, e-mail or
# phone; a card renamed there with its e-mail kept still is
t_copy_apart() {
	crm-add --db "$T/ca" person name=Ann email=ann@ca.example >/dev/null &&
	crm-export --db "$T/ca" --to jsonl >ca.jsonl &&
	crm-import --db "$T/cb" --from jsonl ca.jsonl 2>/dev/null &&
	crm-add --db "$T/ca" person name=Bob email=bob@ca.example >/dev/null &&
	crm-add --db "$T/cb" person name=Cyd phone='+421 905 000 222' \
		>/dev/null &&
	crm-export --db "$T/cb" --to vcard >cb.vcf &&
	crm-export --db "$T/ca" --to vcard >ca.vcf &&
	grep "^UID:" ca.vcf | head -1 >uid.a &&
	grep "^UID:" cb.vcf | head -1 >uid.b &&
	cmp uid.a uid.b &&
	crm-import --db "$T/ca" cb.vcf 2>err &&
	grep -Fx "crm-import: 1 added, 0 updated, 1 unchanged, 0 rejected" err &&
	crm-segment --db "$T/ca" -f "%{id} %{name} %{email}" type:person >got &&
	printf "%s\n" "1 Ann ann@ca.example" "2 Bob bob@ca.example" "3 Cyd " |
		diff -u - got &&
	sed "s/^FN:Ann/FN:Ann Novak/" cb.vcf >cb2.vcf &&
	crm-import --db "$T/ca" cb2.vcf 2>err &&
	grep -Fx "crm-import: 0 added, 1 updated, 1 unchanged, 0 rejected" err &&
	crm-show --db "$T/ca" -j 1 | jq -e ".name == \"Ann Novak\""
}
check 'a restored copy gone its own way: its cards are not taken for the store'"'"'s' \
	t_copy_apart

# what the import kept in the note goes out as the properties it was:
# RELATED, IMPP, a second e-mail, ANNIVERSARY, an X- name and a label
# that needs quoting (4.0); 3.0 has no RELATED or ANNIVERSARY, so these
# stay in the note there
t_vcard_props() {
	printf '%s\r\n' 'BEGIN:VCARD' 'VERSION:3.0' 'FN:Rita Props' \
		'EMAIL:rita@props.example' 'EMAIL;TYPE=work:rita@work.example' \
		'X-MS-SPOUSE:Maria' 'X-AIM;TYPE=HOME:rita5' \
		'X-MS-ANNIVERSARY:1999-06-02' 'X-FOO-BAR:kept\, as typed' \
		'item1.X-ABRELATEDNAMES:Bob' 'item1.X-ABLabel:Boss\; Old' \
		'NOTE:Met at the fair' 'END:VCARD' >props.vcf &&
	crm-import --db props --from vcard props.vcf 2>err &&
	crm-export --db props --to vcard >props4.vcf &&
	crm-export --db props --to vcard --version 3.0 >props3.vcf &&
	tr -d '\r' <props4.vcf >p4 && tr -d '\r' <props3.vcf >p3 &&
	cat p4 &&
	grep -Fx 'RELATED;TYPE=spouse;VALUE=text:Maria' p4 &&
	grep -Fx 'RELATED;TYPE="Boss; Old";VALUE=text:Bob' p4 &&
	grep -Fx 'NOTE:Met at the fair' p4 &&
	grep -Fx 'X-FOO-BAR:kept\, as typed' p3 &&
	! grep -E '^(RELATED|ANNIVERSARY)' p3 &&
	if [ -n "$VOBJECT" ]; then
		"$PY" - props4.vcf props3.vcf <<-\EOF
		import sys, vobject
		def card(path):
		    (c,) = vobject.readComponents(open(path, encoding="utf-8").read())
		    return c
		c = card(sys.argv[1])
		assert c.note.value == "Met at the fair", c.note.value
		rel = {r.value: (r.params.get("TYPE"), r.params.get("VALUE"))
		       for r in c.contents["related"]}
		assert rel == {"Maria": (["spouse"], ["text"]),
		               "Bob": (["Boss; Old"], ["text"])}, rel
		(im,) = c.contents["impp"]
		assert im.value == "rita5" and im.params["TYPE"] == ["HOME", "aim"], im
		assert [e.value for e in c.contents["email"]] == \
		    ["rita@props.example", "rita@work.example"]
		assert c.anniversary.value == "1999-06-02"
		assert c.contents["x-foo-bar"][0].value == "kept, as typed"
		c = card(sys.argv[2])
		assert "related" not in c.contents and "anniversary" not in c.contents
		assert c.note.value.split("\n") == ["Met at the fair",
		    "RELATED (spouse): Maria", "ANNIVERSARY: 1999-06-02",
		    "RELATED (Boss; Old): Bob"], c.note.value
		assert [e.value for e in c.contents["email"]] == \
		    ["rita@props.example", "rita@work.example"]
		assert c.impp.value == "rita5"
		EOF
	fi
}
check 'vCard export: what the note kept goes out as its properties (python3-vobject)' \
	t_vcard_props

# --- JSON Lines: out and back in ----------------------------------------

# the store the exports below read: companies, people, deals moved
# through their stages, tasks (one done and come again) and history, in
# UTF-8.  One crm-log run logs for three people (entries 16, 17, 18), and
# a later entry (19) is on the second of them: in the export, the ids of
# the history are not in order from record to record.
t_build() {
	{
	crm-add --now 2026-01-05T09:00:00Z company name='Kovo Žilina, s.r.o.' \
		street='Priemyselná 12' city=Žilina zip='010 01' country=SK \
		phone='041 555 1234' email=obchod@kovo.sk tags=b2b,export \
		vat_id=SK2020123456 &&
	crm-add --now 2026-01-05T09:05:00Z company name='Ďumbier a.s.' \
		city='Banská Bystrica' url=https://dumbier.example tags=b2b &&
	crm-add --now 2026-01-05T09:10:00Z company name='Lisy Brno' city=Brno &&
	crm-add --now 2026-01-06T10:00:00Z person name='Jana Nováková' \
		first_name=Jana last_name=Nováková email=jana@kovo.sk \
		phone='0905 123 456' company=1 tags=b2b,vip title=Nákupkyňa \
		street='Hlavná 1' city=Žilina zip='010 01' country=SK \
		birthday=1985-04-12 note='Prvý riadok
druhý; s čiarkou, a "úvodzovkami"' &&
	crm-add --now 2026-01-06T10:05:00Z person name='Ľudovít Štúr, ml.' \
		email=ludo@example.sk company=2 tags=newsletter \
		birthday=--10-29 &&
	crm-add --now 2026-01-06T10:10:00Z person name='Zuzana Zelená' \
		email=zuzana@example.org phone='+420 601 222 333' company=3 \
		note="$(printf 'Žltý kôň úpel ďábelské ódy. %.0s' 1 2 3 4 5)" &&
	crm-add --now 2026-01-06T10:15:00Z person name='=HYPERLINK("http://x")' \
		email=formula@example.com city=-Bratislava title=@boss \
		note='+1 call back' &&
	crm-add --now 2026-01-06T10:20:00Z person name='Peter Horváth' \
		phone='0907 555 666' tags=b2b &&
	crm-add --now 2026-01-10T08:00:00Z deal name='Lis 200 t' company=1 \
		person=4 amount=12000 stage=lead close=2026-06-30 owner=anna &&
	crm-set --now 2026-01-20T08:00:00Z 9 stage=qualified &&
	crm-set --now 2026-02-05T08:00:00Z 9 stage=proposal &&
	crm-set --now 2026-02-20T08:00:00Z 9 stage=won &&
	crm-add --now 2026-01-12T08:00:00Z deal name=Servis company=2 \
		amount=800.50 currency=CZK close=2026-03-31 &&
	crm-set --now 2026-01-25T08:00:00Z 10 stage=lost &&
	crm-task --now 2026-01-15T08:00:00Z add --due 2026-03-05T09:00:00Z \
		--owner anna --priority high 4 'Zavolať Jane' &&
	crm-task --now 2026-01-15T08:05:00Z add --due 2026-02-01T09:00:00Z \
		--every 1m 5 'Mesačný report' &&
	crm-task --now 2026-02-01T10:00:00Z done 12 &&
	crm-log --at 2026-01-16T10:00:00Z --owner anna 4 call \
		'Dohodnutá schôdzka' outcome=positive &&
	crm-log --at 2026-02-21T10:00:00Z --amount 12000 4 purchase \
		'Lis 200 t' invoice=F2026-001 &&
	crm-log --at 2026-02-25T10:00:00Z --campaign jar-2026 --dir out \
		4 5 6 email 'Jarná ponuka' &&
	crm-log --at 2026-02-26T08:00:00Z --dir in 5 email 'Re: Jarná ponuka'
	} >build.out &&
	crm-export --to jsonl >a.jsonl &&
	grep -q '"stages":' a.jsonl &&
	grep -q '"invoice":"F2026-001"' a.jsonl &&
	grep -q '"campaign":"jar-2026"' a.jsonl &&
	grep -q '"type":"task"' a.jsonl
}
check 'setup: companies, people, deals, tasks and history' t_build

check 'JSON Lines: out, into an empty store, out again: the same bytes' '
	crm-import --db copy --from jsonl a.jsonl 2>err
	rc=$?
	cat err
	test $rc = 0 &&
	crm-export --db copy --to jsonl >b.jsonl &&
	cmp a.jsonl b.jsonl
'

check 'JSON Lines: importing it again leaves either store as it was' '
	before=$(store_sum) &&
	crm-import --from jsonl a.jsonl &&
	test "$(store_sum)" = "$before" &&
	before=$(mdb_dump -a copy | md5sum) &&
	crm-import --db copy --from jsonl a.jsonl &&
	test "$(mdb_dump -a copy | md5sum)" = "$before"
'

check 'JSON Lines: importing it again says 0 added, 0 updated' '
	crm-import --db copy --from jsonl a.jsonl 2>err
	cat err
	grep -q "^crm-import: 0 added, 0 updated, " err &&
	crm-import --from jsonl a.jsonl 2>err
	cat err
	grep -q "^crm-import: 0 added, 0 updated, " err
'

# views NAME [--db DIR]: what the other commands show of a store
views() {
	out=$1
	shift
	{
	crm-show "$@" $(sed -n "s/^{\"id\":\([0-9]*\),.*/\1/p" a.jsonl) &&
	crm-show -j "$@" 4 9 &&
	crm-log "$@" --list 4 && crm-log "$@" --list 5 &&
	crm-task "$@" ls --all &&
	crm-due "$@" --now 2026-03-01T00:00:00Z --within 2w &&
	crm-report "$@" --now 2026-03-01T00:00:00Z deals --funnel &&
	crm-report "$@" --now 2026-03-01T00:00:00Z deals --by stage --count \
		--sum amount &&
	crm-report "$@" --now 2026-03-01T00:00:00Z persons --by company \
		--count &&
	crm-report "$@" interactions --by kind --count --sum amount &&
	crm-report "$@" --campaign jar-2026
	} >"$out" 2>&1
}
check 'JSON Lines: crm-show, crm-log, crm-task and crm-report see the same' '
	views orig.view &&
	grep -qF "Jana Nováková" orig.view &&
	grep -qF "Zavolať Jane" orig.view &&
	grep -qF "jar-2026" orig.view &&
	{ views copy.view --db copy; true; } &&
	diff -u orig.view copy.view >d || { head -n 40 d; false; }
'

check 'JSON Lines: after the restore, new ids are the same in both stores' '
	cp -a "$CRM_DB" orig2 &&
	cp -a copy copy2 &&
	crm-add --db orig2 person name=Nová >o1 &&
	crm-add --db copy2 person name=Nová >c1 &&
	crm-log --db orig2 --at 2026-03-02T10:00:00Z 4 note ahoj >o2 &&
	crm-log --db copy2 --at 2026-03-02T10:00:00Z 4 note ahoj >c2 &&
	cat o1 o2 &&
	cmp o1 c1 && cmp o2 c2
'

# --- vCard out ---------------------------------------------------------------

crm-export --to jsonl >all.jsonl

check 'vCard 4.0: CRLF, folded at 75 octets, no character cut' '
	crm-export --to vcard >v4.vcf &&
	head -n 2 v4.vcf | od -c | grep -F "\r  \n" &&
	"$PY" tool.py folded v4.vcf
'

if [ -n "$VOBJECT" ]; then
	check 'vCard 4.0: vobject reads each card: FN, EMAIL, TEL, ORG, ADR, CATEGORIES, KIND, RELATED' '
		"$PY" tool.py vcards v4.vcf all.jsonl 4.0
	'
else
	skip 'python3-vobject is not installed'
fi

check 'vCard 3.0: --version 3.0 writes VERSION:3.0 cards, folded' '
	crm-export --to vcard --version 3.0 >v3.vcf 2>err ||
		{ cat err; false; } &&
	grep -c "^VERSION:3.0" v3.vcf >n &&
	test "$(cat n)" -eq 8 &&
	! grep "^VERSION:4.0" v3.vcf &&
	"$PY" tool.py folded v3.vcf
'

if [ -n "$VOBJECT" ]; then
	check 'vCard 3.0: vobject reads each card; N on all, no KIND' '
		test -s v3.vcf &&
		"$PY" tool.py vcards v3.vcf all.jsonl 3.0
	'
else
	skip 'python3-vobject is not installed'
fi

check "vCard: --where 'tag:b2b' selects the people and companies tagged b2b" '
	crm-export --where "tag:b2b" --to vcard >b2b.vcf &&
	"$PY" tool.py fns b2b.vcf | sort >got &&
	"$PY" -c "import json
for l in open(\"all.jsonl\", encoding=\"utf-8\"):
    r = json.loads(l)
    if r[\"type\"] in (\"person\", \"company\") and \"b2b\" in r.get(\"tags\", []):
        print(r[\"name\"])" | sort >want &&
	test "$(wc -l <want)" -eq 4 &&
	diff -u want got
'

# stats DIR: each file with its inode and modification time
stats() {
	for f in "$1"/*; do
		stat -c "%n %i %y %s" "$f"
	done
}

t_vdir() {
	crm-export --to vdir vd 2>err &&
	cat err &&
	grep -Fx "crm-export: 8 cards, 8 written" err &&
	test "$(ls vd | wc -l)" -eq 8 &&
	ls -A vd | grep "^\\." >dots &&
	echo .crm-export | diff -u - dots &&
	for f in vd/*.vcf; do
		uid=$(grep "^UID:" "$f" | tr -d "\r" | cut -c5-) &&
		test "vd/$uid.vcf" = "$f" || { echo "$f: UID $uid"; return 1; }
	done &&
	cat vd/*.vcf >vd.vcf &&
	"$PY" tool.py fns vd.vcf | sort >got &&
	"$PY" tool.py fns v4.vcf | sort >want &&
	diff -u want got
}
check '--to vdir DIR: one UID.vcf for each person and company' t_vdir

check '--to vdir again: nothing rewritten, 0 written' '
	stats vd >before &&
	sleep 0.1 &&
	crm-export --to vdir vd 2>err &&
	cat err &&
	grep -Fx "crm-export: 8 cards, 0 written" err &&
	stats vd >after &&
	diff -u before after
'

check '--to vdir after a change to one person: only that card rewritten' '
	stats vd >before &&
	sleep 0.1 &&
	crm-set 8 city=Trnava >/dev/null &&
	crm-export --to vdir vd 2>err &&
	cat err &&
	grep -Fx "crm-export: 8 cards, 1 written" err &&
	stats vd >after &&
	{ diff before after | grep "^>" >changed || true; } &&
	cat changed &&
	test "$(wc -l <changed)" -eq 1 &&
	f=$(cut -d" " -f2 changed) &&
	grep -F "FN:Peter Horváth" "$f" &&
	grep -F "Trnava" "$f"
'

check 'crm-import VDIR: a card edited there updates its record, nothing else' '
	before=$(mdb_dump -a "$CRM_DB" | md5sum) &&
	crm-import vd 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 8 unchanged, 0 rejected" err &&
	test "$(mdb_dump -a "$CRM_DB" | md5sum)" = "$before" &&
	f=$(grep -l "^FN:Peter Horváth" vd/*.vcf) &&
	sed "s/;Trnava;/;Nitra;/" "$f" >card.tmp && mv card.tmp "$f" &&
	crm-import --dry-run vd >out 2>err &&
	grep -Fx "update	8	$f: line 1" out &&
	crm-import vd 2>err &&
	grep -Fx "crm-import: 0 added, 1 updated, 7 unchanged, 0 rejected" err &&
	crm-show -j 8 | jq -e ".city == \"Nitra\"" &&
	crm-import vd/*.vcf 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 8 unchanged, 0 rejected" err &&
	# a card cut short: its file and line named, nothing written
	printf "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Half\r\n" >vd/zz-half.vcf &&
	before=$(mdb_dump -a "$CRM_DB" | md5sum) &&
	must_fail 2 crm-import vd 2>err &&
	cat err &&
	grep -F "crm-import: vd/zz-half.vcf: line 1: no END:VCARD" err &&
	test "$(mdb_dump -a "$CRM_DB" | md5sum)" = "$before" &&
	must_fail 2 crm-import --from csv vd 2>err &&
	grep -F "read as vCards only" err &&
	must_fail 2 crm-import vd nothere.vcf 2>err &&
	grep -F "nothere.vcf: No such file" err &&
	rm vd/zz-half.vcf &&
	mkdir novcf && crm-import novcf 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 0 unchanged, 0 rejected" err
'

# the card of Peter Horvath edited in khard (its lines LF only): left
# till crm-import has read it, then written as crm-export writes it
check '--to vdir: a card edited there is left till crm-import reads it' '
	f=$(grep -l "^FN:Peter Horváth" vd/*.vcf) &&
	sed "s/;Nitra;/;Levice;/" "$f" | tr -d "\r" >card.tmp &&
	mv card.tmp "$f" && cp "$f" edited &&
	crm-export --to vdir vd 2>err &&
	cat err &&
	grep -Fx "crm-export: 8 cards, 0 written, 1 left as changed" err &&
	grep -Fx "crm-export: $f: changed since it was exported; left as it is, for crm-import to read" err &&
	cmp edited "$f" &&
	crm-import --dry-run vd >/dev/null 2>&1 &&
	crm-export --to vdir --prune vd 2>err &&
	grep -Fx "crm-export: 8 cards, 0 written, 0 removed, 1 left as changed" err &&
	cmp edited "$f" &&
	crm-import vd 2>err &&
	grep -Fx "crm-import: 0 added, 1 updated, 7 unchanged, 0 rejected" err &&
	crm-show -j 8 | jq -e ".city == \"Levice\"" &&
	crm-export --to vdir vd 2>err &&
	cat err &&
	grep -Fx "crm-export: 8 cards, 1 written" err &&
	test "$(tr -cd "\r" <"$f" | wc -c)" -gt 4 &&
	grep -F "Levice" "$f" &&
	crm-export --to vdir vd 2>err &&
	grep -Fx "crm-export: 8 cards, 0 written" err &&
	# a file of a card the list does not name, differing: not ours
	g=$(grep -l "^FN:Peter Horváth" vd/*.vcf) &&
	grep -vF " $(basename "$g")" vd/.crm-export >list.tmp &&
	mv list.tmp vd/.crm-export &&
	sed "s/^END:VCARD/NOTE:mine\r\n&/" "$g" >card.tmp &&
	mv card.tmp "$g" && cp "$g" edited &&
	crm-export --to vdir vd 2>err &&
	grep -Fx "crm-export: 8 cards, 0 written, 1 left as changed" err &&
	cmp edited "$g" &&
	crm-import vd 2>err &&
	grep -Fx "crm-import: 0 added, 1 updated, 7 unchanged, 0 rejected" err &&
	crm-export --to vdir vd 2>err &&
	grep -Fx "crm-export: 8 cards, 1 written" err &&
	grep -F "NOTE:mine" "$g"
'

# progress on a terminal (script(1) gives the command one): records, the
# rate, how much of the file and the time left, on one line cleared at
# the end; nothing of it when stderr is a file
t_progress() {
	if ! command -v script >/dev/null 2>&1; then
		echo "# no script(1): skipped"
		return 0
	fi
	awk 'BEGIN { for (i = 0; i < 300000; i++)
		printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Prog %d Person\r\nEMAIL:p%d@prog.example\r\nEND:VCARD\r\n", i, i }' \
		>prog.vcf &&
	script -qec "crm-import --db '$T/prog' --dry-run prog.vcf" /dev/null \
		>tty.out &&
	tr '\r' '\n' <tty.out >tty.lines &&
	cat tty.lines &&
	grep -E '^crm-import: [0-9]+ records, [0-9]+/s, [0-9]+%, [0-9]+:[0-9]{2} left' \
		tty.lines &&
	grep -F 'crm-import: would be: 300000 added, 0 updated' tty.lines &&
	crm-import --db "$T/prog" --dry-run prog.vcf 2>err &&
	! grep -F records err
}
check 'crm-import on a terminal: records, rate, share and time left' t_progress

# --- vdir: pruned ------------------------------------------------------------

# in a store of their own: five people, exported to pv
vp() {
	CRM_DB=$T/vp "$@"
}
# card NAME: the file of the card of NAME in pv
card() {
	grep -l "^FN:$1" pv/*.vcf
}

check '--prune: the cards of a removed and of a merged record go, only they' '
	for n in Ana Bob Cyril Dana Emil; do
		vp crm-add person name=$n email=$n@vp.example >/dev/null ||
		return 1
	done &&
	vp crm-export --to vdir pv 2>err &&
	grep -Fx "crm-export: 5 cards, 5 written" err &&
	grep -Fx "crm-export vdir 1" pv/.crm-export &&
	test "$(grep -c " .*\.vcf$" pv/.crm-export)" -eq 5 &&
	bob=$(card Bob) && dana=$(card Dana) &&
	stats pv >before &&
	vp crm-rm 2 &&
	vp crm-merge 5 4 >/dev/null &&
	vp crm-export --to vdir pv 2>err &&
	grep -Fx "crm-export: 3 cards, 1 written" err &&
	test -f "$bob" &&
	vp crm-export --to vdir --prune pv 2>err &&
	cat err &&
	grep -Fx "crm-export: 3 cards, 0 written, 2 removed" err &&
	test ! -e "$bob" && test ! -e "$dana" &&
	test "$(ls -A pv | wc -l)" -eq 4 &&
	stats pv >after &&
	{ diff before after | grep "^>" >changed || true; } &&
	grep -F "FN:Emil" "$(cut -d" " -f2 changed)" &&
	test "$(wc -l <changed)" -eq 1 &&
	vp crm-export --to vdir --prune pv 2>err &&
	grep -Fx "crm-export: 3 cards, 0 written, 0 removed" err
'

check '--prune: a card changed since, and a file crm did not write, left' '
	cyril=$(card Cyril) &&
	printf "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mine\r\nEND:VCARD\r\n" \
		>pv/mine.vcf &&
	printf "NOTE:typed by hand\r\n" >>"$cyril" &&
	vp crm-rm 3 &&
	vp crm-export --to vdir --prune pv 2>err &&
	cat err &&
	grep -Fx "crm-export: 2 cards, 0 written, 0 removed, 1 left as changed" \
		err &&
	grep -F "$cyril: changed since it was exported" err &&
	grep -F "typed by hand" "$cyril" &&
	test -f pv/mine.vcf &&
	! grep -F "$(basename "$cyril")" pv/.crm-export &&
	vp crm-export --to vdir --prune pv 2>err &&
	grep -Fx "crm-export: 2 cards, 0 written, 0 removed" err &&
	test -f "$cyril"
'

check '--prune with --where: the cards no longer selected go' '
	vp crm-export --to vdir --prune --where name=Ana pv 2>err &&
	grep -Fx "crm-export: 1 cards, 0 written, 1 removed" err &&
	test -z "$(card Emil)" && test -n "$(card Ana)"
'

check '--prune: no list, or a list naming files elsewhere, removes nothing' '
	vp crm-export --to vdir pv2 2>err &&
	cp pv2/*.vcf pv/ &&
	ls pv >before &&
	rm pv/.crm-export &&
	vp crm-export --to vdir --prune --where name=Ana pv 2>err &&
	grep -Fx "crm-export: 1 cards, 0 written, 0 removed" err &&
	ls pv | diff -u before - &&
	emil=$(basename "$(card Emil)") &&
	mkdir -p pv3/sub &&
	cp pv2/"$emil" pv3/ &&
	h=$(grep " $emil" pv2/.crm-export | cut -d" " -f1) &&
	printf "crm-export vdir 1\n%s ../pv3/%s\n%s .%s\n" "$h" "$emil" \
		"$h" "$emil" >pv/.crm-export &&
	cp pv2/"$emil" "pv/.$emil" &&
	vp crm-export --to vdir --prune --where name=Ana pv 2>err &&
	grep -Fx "crm-export: 1 cards, 0 written, 0 removed" err &&
	test -f pv3/"$emil" && test -f "pv/.$emil"
'

check '--prune is for --to vdir only; a vdir that cannot be made: exit 2' '
	must_fail 2 vp crm-export --to vcard --prune 2>err &&
	grep -F usage: err &&
	touch afile &&
	must_fail 2 vp crm-export --to vdir afile/sub 2>err &&
	grep -F "afile/sub" err
'

# --- CSV out ------------------------------------------------------------------

crm-export --to jsonl >all.jsonl

check 'CSV: RFC 4180 with CRLF; Python reads the default columns back' '
	crm-export --to csv >c.csv &&
	head -n 1 c.csv | od -c | grep -F "\r  \n" &&
	"$PY" tool.py csv c.csv all.jsonl name,email,phone,company.name,city safe
'

check "CSV: cells starting = + - @ start with ' (quoted, commas, newlines kept)" '
	crm-export --to csv name,title,city,note,tags >s.csv &&
	"$PY" tool.py csv s.csv all.jsonl name,title,city,note,tags safe &&
	grep -F "'\''=HYPERLINK(" s.csv &&
	grep -F "'\''@boss" s.csv
'

check 'CSV: --raw leaves them as they are' '
	crm-export --to csv --raw name,title,city,note,tags >r.csv &&
	"$PY" tool.py csv r.csv all.jsonl name,title,city,note,tags raw &&
	grep "^\"=HYPERLINK(\"\"http://x\"\")\",@boss,-Bratislava,+1 call back," r.csv
'

check "CSV: --where 'tag:vip' selects" '
	crm-export --where tag:vip --to csv name,email,tags >w.csv &&
	"$PY" tool.py csv w.csv all.jsonl name,email,tags safe vip &&
	test "$(wc -l <w.csv)" -eq 2
'

# --- CSV in -------------------------------------------------------------------

# Google Contacts: UTF-8 with a BOM, CRLF, quoted cells with commas and
# newlines, the type columns and the formatted address beside the values
{
printf '\357\273\277'
cat <<\EOF
Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Address 1 - Type,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,Organization 1 - Department,Organization 1 - Symbol,Organization 1 - Location,Organization 1 - Job Description,Website 1 - Type,Website 1 - Value
Jana Nováková,Jana,,Nováková,,,,,,,,,,,1985-04-12,,,,,,,,,,,"Stretnutie na veľtrhu, Brno
druhý riadok",,,* myContacts ::: Zákazníci ::: VIP,* Work,jana@kovo.sk,Mobile,+421 905 123 456,Work,"Hlavná 1
010 01 Žilina
Slovakia",Hlavná 1,Žilina,,,010 01,Slovakia,,,"Kovo Žilina, s.r.o.",,Nákupkyňa,,,,,,
"Horváth, Peter",Peter,,Horváth,,,,,,,,,,,--07-14,,,,,,,,,,,,,,* myContacts,* Home,peter@example.com,Work,0905 222 333,,,,,,,,,,,"Kovo Žilina, s.r.o.",,Technik,,,,,Profile,https://peter.example
EOF
} | sed 's/$/\r/' >google.csv
google() {
	crm-import --from google --ignore 'E-mail 1 - Type' \
		--ignore 'Phone 1 - Type' --ignore 'Address 1 - Type' \
		--ignore 'Address 1 - Formatted' --ignore 'Website 1 - Type' \
		"$@"
}

check 'Google CSV (BOM, CRLF, quoted commas and newlines) is imported' '
	google --db google google.csv 2>err &&
	cat err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-export --db google --to jsonl >google.jsonl &&
	"$PY" tool.py has google.jsonl \
	"{\"type\": \"person\", \"name\": \"Jana Nováková\", \"first_name\": \"Jana\",
	  \"last_name\": \"Nováková\", \"email\": \"jana@kovo.sk\",
	  \"phone\": \"+421905123456\", \"title\": \"Nákupkyňa\",
	  \"street\": \"Hlavná 1\", \"city\": \"Žilina\", \"zip\": \"010 01\",
	  \"country\": \"Slovakia\", \"birthday\": \"1985-04-12\",
	  \"note\": \"Stretnutie na veľtrhu, Brno\\ndruhý riadok\"}" \
	"{\"type\": \"person\", \"name\": \"Horváth, Peter\", \"first_name\": \"Peter\",
	  \"last_name\": \"Horváth\", \"email\": \"peter@example.com\",
	  \"phone\": \"+421905222333\", \"title\": \"Technik\",
	  \"birthday\": \"--07-14\", \"url\": \"https://peter.example\"}" &&
	"$PY" -c "import json
r = [x for x in map(json.loads, open(\"google.jsonl\", encoding=\"utf-8\")) if \"type\" in x]
j = [x for x in r if x[\"name\"] == \"Jana Nováková\"][0]
assert {\"Zákazníci\", \"VIP\"} <= set(j[\"tags\"]), j
c = [x for x in r if x[\"id\"] == j[\"company\"]][0]
assert c == dict(c, type=\"company\", name=\"Kovo Žilina, s.r.o.\"), c"
'

check 'a company named in a column is created once for two of its people' '
	"$PY" -c "import json
r = [x for x in map(json.loads, open(\"google.jsonl\", encoding=\"utf-8\")) if \"type\" in x]
cs = [x for x in r if x[\"type\"] == \"company\"]
ps = [x for x in r if x[\"type\"] == \"person\"]
assert len(cs) == 1, \"%d companies: %r\" % (len(cs), cs)
assert [p[\"company\"] for p in ps] == [cs[0][\"id\"]] * 2, ps"
'

check 'CSV rows without uid, e-mail or phone: imported again, found; changed, added' '
	K="$T/keyless" &&
	printf "name,city\r\nKovo s.r.o.,Košice\r\nAgro a.s.,Nitra\r\nAgro a.s.,Nitra\r\nAgro a.s.,Trnava\r\n" \
		>keyless.csv &&
	crm-import --db "$K" --type company --from csv keyless.csv 2>err &&
	grep -Fx "crm-import: 3 added, 0 updated, 1 unchanged, 0 rejected" err &&
	before=$(mdb_dump -a "$K" | md5sum) &&
	crm-import --db "$K" --type company --from csv keyless.csv 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 4 unchanged, 0 rejected" err &&
	test "$(mdb_dump -a "$K" | md5sum)" = "$before" &&
	test "$(crm-segment --db "$K" --count type:company)" = 3 &&
	crm-segment --db "$K" -f "%{uid}" type:company | grep -c "^crm-csv-[0-9a-f]\{16\}$" &&
	sed "s/Košice/Prešov/" keyless.csv >keyless2.csv &&
	crm-import --db "$K" --type company --from csv keyless2.csv 2>err &&
	grep -Fx "crm-import: 1 added, 0 updated, 3 unchanged, 0 rejected" err
'

check 'rows of one run match each other, and the store before it' '
	printf "%s\n" "name,email,phone,city" \
		"Ada One,ada@example.sk,," \
		"Bo Two,,+421 905 000 001," \
		"Ada One,ADA@Example.SK,,Brno" \
		"Bo Two,,0905 000 001,Nitra" \
		"Bo Other,,0905 000 001,Levice" >dup.csv &&
	crm-import --db "$T/dup" --from csv dup.csv >out 2>err &&
	grep -F "3 added, 2 updated, 0 unchanged, 0 rejected" err &&
	crm-segment --db "$T/dup" -f "%{name}|%{city}" type:person >got &&
	printf "%s\n" "Ada One|Brno" "Bo Two|Nitra" "Bo Other|Levice" >want &&
	cmp want got &&
	printf "%s\n" "name,email,phone,city" \
		"Ada One,Ada@example.sk,,Praha" \
		"Bo Two,,+421905000001,Zvolen" >dup2.csv &&
	crm-import --db "$T/dup" --from csv dup2.csv >out 2>err &&
	grep -F "0 added, 2 updated, 0 unchanged, 0 rejected" err
'

check 'JSON Lines: an id past 2^40 or not whole is refused, line named' '
	for id in 777777777777777777777777 1099511627776 1.5 -3 0; do
		printf "{\"id\":%s,\"type\":\"person\",\"name\":\"X\"}\n" "$id" >badid.jsonl &&
		must_fail 2 crm-import --db "$T/badid" --from jsonl <badid.jsonl 2>err &&
		grep -F "line 1: id: not a record" err || exit 1
	done &&
	test ! -e "$T/badid/data.mdb" || test -z "$(crm-segment --db "$T/badid" type:person)"
'

check 'JSON Lines history without ids: logged on the record, once' '
	H="$T/hist" &&
	cat >hist.jsonl <<-\EOF &&
	{"type":"person","name":"Hana Hist","email":"hana@hist.example","history":[{"at":"2026-03-01T10:00:00+00:00","kind":"call","text":"first"},{"at":"2026-04-01T10:00:00+00:00","kind":"purchase","text":"order 7","amount":120.5,"campaign":"spring"}]}
	EOF
	crm-import --db "$H" --from jsonl <hist.jsonl 2>err &&
	grep -F "1 added" err &&
	crm-show --db "$H" -j 1 >card &&
	jq -e ".interactions == 2 and .turnover == 120.5 and
		.last_contact == \"2026-04-01T10:00:00+00:00\" and
		([.history[].text] == [\"order 7\", \"first\"]) and
		.history[0].campaign == \"spring\"" card &&
	before=$(mdb_dump -a "$H" | md5sum) &&
	crm-import --db "$H" --from jsonl <hist.jsonl 2>err &&
	grep -F "0 added, 0 updated, 1 unchanged" err &&
	test "$(mdb_dump -a "$H" | md5sum)" = "$before"
'

check 'JSON Lines of another store: the history a matched record lacks is added' '
	H="$T/hist" &&
	O="$T/other" &&
	crm-add --db "$O" person name="Hana Hist" email=hana@hist.example >/dev/null &&
	crm-log --db "$O" 1 call first --at 2026-03-01T10:00:00Z >/dev/null &&
	crm-log --db "$O" 1 meeting "met at the fair" --at 2026-05-02T09:00:00Z >/dev/null &&
	crm-export --db "$O" --to jsonl >other.jsonl &&
	crm-import --db "$H" --from jsonl <other.jsonl 2>err &&
	grep -F "0 added" err &&
	crm-show --db "$H" -j 1 >card &&
	jq -e ".interactions == 3 and
		([.history[].text] == [\"met at the fair\", \"order 7\", \"first\"])" card
'

check 'JSON Lines of another store into one with records: references follow' '
	A="$T/movea" && M="$T/moveb" &&
	crm-add --db "$A" person name="Pia Early" email=pia@move.example \
		>/dev/null &&
	crm-add --db "$A" company name="Mover s.r.o." city=Žilina >/dev/null &&
	crm-set --db "$A" 1 company=2 >/dev/null &&
	crm-add --db "$A" person name="Ivo Late" email=ivo@move.example \
		company=2 >/dev/null &&
	crm-task --db "$A" add 3 "call Ivo" --due 2026-12-01 >/dev/null &&
	crm-log --db "$A" 3 call "met Ivo" --at 2026-10-01T09:00:00Z \
		>/dev/null &&
	crm-add --db "$M" company name="Here First" >/dev/null &&
	crm-add --db "$M" person name="Ola Here" email=ola@move.example \
		company=1 >/dev/null &&
	crm-add --db "$M" person name="Pia Early" email=pia@move.example \
		>/dev/null &&
	crm-add --db "$M" task text=one >/dev/null &&
	crm-add --db "$M" company name="Local Co" >/dev/null &&
	crm-export --db "$A" --to jsonl >move.jsonl &&
	echo "{\"type\":\"person\",\"name\":\"Uma Local\",\"company\":5}" \
		>>move.jsonl &&
	crm-import --db "$M" --from jsonl <move.jsonl 2>err &&
	grep -Fx "crm-import: 4 added, 1 updated, 0 unchanged, 0 rejected" err &&
	crm-export --db "$M" --to jsonl >moved.jsonl &&
	jq -e -s "
		(map(select(.name == \"Mover s.r.o.\")) | length == 1) as \$one |
		(map(select(.name == \"Mover s.r.o.\"))[0].id) as \$co |
		(map(select(.name == \"Ivo Late\"))[0]) as \$ivo |
		\$one and \$co > 5 and
		(map(select(.name == \"Pia Early\"))[0] | .id == 3 and
			.company == \$co) and
		\$ivo.company == \$co and \$ivo.id > 5 and
		(\$ivo.history | map(.text)) == [\"met Ivo\"] and
		(map(select(.text == \"call Ivo\"))[0].about == \$ivo.id) and
		(map(select(.text == \"one\"))[0] | has(\"about\") | not) and
		(map(select(.name == \"Ola Here\"))[0].company == 1) and
		(map(select(.name == \"Uma Local\"))[0].company == 5)" moved.jsonl &&
	crm-check --db "$M"
'

check 'JSON Lines into a store with records: a reference to a rejected line' '
	M="$T/moveb" &&
	before=$(mdb_dump -a "$M" | md5sum) &&
	printf "%s\n" \
		"{\"id\":20,\"type\":\"person\",\"name\":\"Fore\",\"company\":21}" \
		"{\"id\":21,\"type\":\"company\",\"name\":\"Bad\",\"city\":[1]}" \
		"{\"id\":22,\"type\":\"person\",\"name\":\"Aft\",\"company\":21}" \
		>rej.jsonl &&
	must_fail 2 crm-import --db "$M" --skip-bad --from jsonl <rej.jsonl \
		2>err &&
	cat err &&
	grep -F "line 3: field '"'"'company'"'"': record 21 of this file was rejected" err &&
	grep -F "line 1: field '"'"'company'"'"': record 21 of this file was rejected" err &&
	test "$(mdb_dump -a "$M" | md5sum)" = "$before" &&
	sed 1d rej.jsonl >rej2.jsonl &&
	crm-import --db "$M" --skip-bad --from jsonl <rej2.jsonl 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 0 unchanged, 2 rejected" err
'

t_from_store() {
	A="$T/froma" B="$T/fromb" C="$T/fromc"
	crm-add --db "$A" company name="Kovo s.r.o." city=Košice >/dev/null &&
	crm-add --db "$A" person name="Jana Kovo" email=jana@kovo.example \
		company=1 >/dev/null &&
	crm-task --db "$A" add 2 "send the quote" --due 2026-12-01 \
		>/dev/null &&
	crm-log --db "$A" 2 call "asked for a quote" \
		--at 2026-11-02T09:00:00Z >/dev/null &&
	crm-add --db "$B" company name="Here s.r.o." >/dev/null &&
	crm-export --db "$A" --to jsonl >a1.jsonl &&
	tail -n 1 a1.jsonl | jq -e ".store | test(\"^[0-9a-f]{32}$\")" &&
	crm-import --db "$B" --from jsonl a1.jsonl 2>err &&
	grep -Fx "crm-import: 3 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-export --db "$B" --to jsonl >b1.jsonl &&
	# again: the company and the task, with nothing to match on, too
	crm-import --db "$B" --from jsonl a1.jsonl 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 3 unchanged, 0 rejected" err &&
	crm-export --db "$B" --to jsonl | cmp - b1.jsonl &&
	# renamed and moved there: updated here, not added
	crm-set --db "$A" 1 name="Kovo a.s." >/dev/null &&
	crm-task --db "$A" rm 3 >/dev/null &&
	crm-task --db "$A" add 2 "call again" --due 2026-12-05 >/dev/null &&
	crm-export --db "$A" --to jsonl >a2.jsonl &&
	crm-import --db "$B" --from jsonl a2.jsonl 2>err &&
	grep -Fx "crm-import: 1 added, 1 updated, 1 unchanged, 0 rejected" err &&
	test "$(crm-find --db "$B" kovo | cut -f2,3)" = "$(printf "company\tKovo a.s.\nperson\tJana Kovo")" &&
	# B's export into A: A's own records found, B's added, once
	crm-task --db "$B" add 3 "visit" --due 2026-12-02 >/dev/null &&
	crm-export --db "$B" --to jsonl >b2.jsonl &&
	grep -c "^{\"import\":" b2.jsonl &&
	crm-import --db "$A" --from jsonl b2.jsonl 2>err &&
	grep -Fx "crm-import: 3 added, 0 updated, 3 unchanged, 0 rejected" err &&
	crm-import --db "$A" --from jsonl b2.jsonl 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 6 unchanged, 0 rejected" err &&
	test "$(crm-task --db "$A" ls --all | grep -c "call again")" -eq 1 &&
	test "$(crm-task --db "$A" ls | grep -F visit | cut -f3)" = 2 &&
	# a restore of B is B: its name and where A's lines went
	crm-import --db "$C" --from jsonl b2.jsonl 2>err &&
	crm-export --db "$C" --to jsonl | cmp - b2.jsonl &&
	crm-import --db "$C" --from jsonl a2.jsonl 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 3 unchanged, 0 rejected" err &&
	crm-check --db "$A" && crm-check --db "$B" && crm-check --db "$C"
}
check 'JSON Lines of another store imported again: what the first import made updated, nothing added' t_from_store

check 'JSON Lines: a store line or an import line not well formed is refused, line named' '
	printf "%s\n" "{\"type\":\"person\",\"name\":\"Ana\"}" \
		"{\"store\":\"not-a-store\"}" >badstore.jsonl &&
	must_fail 2 crm-import --db "$T/badstore" --from jsonl badstore.jsonl \
		2>err &&
	grep -F "line 2: store: not a store" err &&
	test ! -e "$T/badstore/data.mdb" -o -z "$(crm-find --db "$T/badstore" ana)" &&
	printf "%s\n" "{\"import\":{\"store\":\"x\",\"id\":1},\"record\":2}" \
		>badimp.jsonl &&
	must_fail 2 crm-import --db "$T/badstore" --from jsonl badimp.jsonl \
		2>err &&
	grep -F "line 1: import: a store, an id and a record" err
'

check 'JSON Lines history: an entry without its time or kind is refused, line named' '
	H="$T/hist" &&
	before=$(mdb_dump -a "$H" | md5sum) &&
	printf "%s\n" "{\"type\":\"person\",\"name\":\"A\"}" \
		"{\"type\":\"person\",\"name\":\"B\",\"history\":[{\"kind\":\"call\"}]}" >nohist.jsonl &&
	must_fail 2 crm-import --db "$H" --from jsonl <nohist.jsonl 2>err &&
	grep -F "line 2: history: an entry needs its time (at)" err &&
	printf "%s\n" "{\"type\":\"person\",\"name\":\"C\",\"history\":[{\"at\":\"2026-01-01\",\"dir\":1}]}" >nokind.jsonl &&
	must_fail 2 crm-import --db "$H" --from jsonl <nokind.jsonl 2>err &&
	grep -F "line 1: history: an entry at 2026-01-01 has no kind" err &&
	test "$(mdb_dump -a "$H" | md5sum)" = "$before"
'

check 'Google CSV imported again: 0 added, 0 updated, store unchanged' '
	before=$(mdb_dump -a google | md5sum) &&
	google --db google google.csv 2>err &&
	cat err &&
	grep -q "^crm-import: 0 added, 0 updated, " err &&
	test "$(mdb_dump -a google | md5sum)" = "$before"
'

# Outlook: its own columns in its own order; one person without an e-mail
{
cat <<\EOF
"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title","Business Street","Business Street 2","Business Street 3","Business City","Business State","Business Postal Code","Business Country/Region","Home Street","Home City","Home Postal Code","Home Country/Region","Business Fax","Business Phone","Business Phone 2","Home Phone","Mobile Phone","Categories","E-mail Address","E-mail Type","E-mail Display Name","Notes","Web Page"
"","Eva","","Malá","","Ďumbier a.s.","","Riaditeľka","Námestie SNP 2","","","Banská Bystrica","","974 01","Slovensko","","","","","","+421 48 123 4567","","","","Zákazníci;VIP","eva@dumbier.example","SMTP","Eva Malá (eva@dumbier.example)","Volať ráno, nie poobede.","https://dumbier.example"
"","Ján","","Veľký","","Lisy Brno s.r.o.","","","","","","Brno","","","Česko","","","","","","","","","+420 601 999 888","Dodávatelia","","","","Nemá e-mail",""
EOF
} | sed 's/$/\r/' >outlook.csv
outlook() {
	crm-import --from outlook --ignore 'E-mail Type' \
		--ignore 'E-mail Display Name' "$@"
}

check 'Outlook CSV: names, company, job title, address, phone, categories' '
	crm-add --db outlook company name="Ďumbier a.s." >/dev/null &&
	outlook --db outlook outlook.csv 2>err &&
	cat err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-export --db outlook --to jsonl >outlook.jsonl &&
	"$PY" tool.py has outlook.jsonl \
	"{\"type\": \"person\", \"name\": \"Eva Malá\", \"first_name\": \"Eva\",
	  \"last_name\": \"Malá\", \"email\": \"eva@dumbier.example\",
	  \"phone\": \"+421481234567\", \"company\": 1, \"title\": \"Riaditeľka\",
	  \"street\": \"Námestie SNP 2\", \"city\": \"Banská Bystrica\",
	  \"zip\": \"974 01\", \"country\": \"Slovensko\",
	  \"tags\": [\"Zákazníci\", \"VIP\"], \"note\": \"Volať ráno, nie poobede.\",
	  \"url\": \"https://dumbier.example\"}" \
	"{\"type\": \"person\", \"name\": \"Ján Veľký\", \"phone\": \"+420601999888\",
	  \"city\": \"Brno\", \"tags\": [\"Dodávatelia\"], \"note\": \"Nemá e-mail\"}" \
	"{\"type\": \"company\", \"name\": \"Lisy Brno s.r.o.\"}" &&
	test "$("$PY" tool.py count outlook.jsonl "{\"type\": \"company\"}")" -eq 2
'

check 'Outlook CSV imported again: matched by e-mail, then phone: no change' '
	before=$(mdb_dump -a outlook | md5sum) &&
	outlook --db outlook outlook.csv 2>err &&
	cat err &&
	grep -Fx "crm-import: 0 added, 0 updated, 2 unchanged, 0 rejected" err &&
	test "$(mdb_dump -a outlook | md5sum)" = "$before"
'

check "Outlook's Title (Ing., Mr.) is not the Job Title" '
	printf "\"Title\",\"First Name\",\"Last Name\",\"Job Title\",\"E-mail Address\"\r\n\"Ing.\",\"Eva\",\"Malá\",\"Riaditeľka\",\"eva@dumbier.example\"\r\n" \
		>outlook-title.csv &&
	crm-import --db outlook-title --from outlook outlook-title.csv &&
	crm-export --db outlook-title --to jsonl >ot.jsonl &&
	"$PY" tool.py has ot.jsonl \
	"{\"name^\": \"\", \"email\": \"eva@dumbier.example\", \"title\": \"Riaditeľka\"}"
'

check "Outlook's empty birthday 0/0/00 is no birthday, not a bad row" '
	printf "\"First Name\",\"Last Name\",\"Birthday\",\"E-mail Address\"\r\n\"Eva\",\"Malá\",\"0/0/00\",\"eva@dumbier.example\"\r\n" \
		>outlook-bday.csv &&
	crm-import --db outlook-bday --from outlook outlook-bday.csv &&
	crm-export --db outlook-bday --to jsonl >ob.jsonl &&
	"$PY" tool.py has ob.jsonl "{\"name\": \"Eva Malá\", \"email\": \"eva@dumbier.example\"}" &&
	! grep -F birthday ob.jsonl
'

# Thunderbird: its header ends with a comma
{
cat <<\EOF
First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,Home ZipCode,Home Country,Work Address,Work Address 2,Work City,Work State,Work ZipCode,Work Country,Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes,
Mária,Šťastná,Mária Šťastná,,maria@stastna.example,,,,,,,0907 111 222,,,,,,,Dlhá 5,,Trnava,,917 01,Slovakia,Konateľka,,Šťastná s.r.o.,,,,,,,,,,,
Tomáš,Kráľ,Tomáš Kráľ,,tomas@kral.example,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"Stretol som ho v Prahe, na veľtrhu",
EOF
} | sed 's/$/\r/' >tb.csv

check 'Thunderbird CSV --map --dry-run: prints the adds, writes nothing' '
	crm-add --db tb company name=Seed >/dev/null &&
	before=$(mdb_dump -a tb | md5sum) &&
	crm-import --db tb --from thunderbird \
		--map "Primary Email=email,Organization=company" --dry-run \
		tb.csv >out 2>err &&
	cat out err &&
	cp out tb.dry &&
	cut -f1,3 out >got &&
	printf "add\tline 2\nadd\tline 3\n" >want &&
	diff -u want got &&
	grep -F "would be: 2 added, 0 updated" err &&
	test "$(mdb_dump -a tb | md5sum)" = "$before"
'

t_guess() {
	bad=0 k=0
	crm-export --db vc/gmail-list --to jsonl >guess.jsonl || return 1
	# into fresh stores, at one time: with --from, and without
	for f in "vcard $VC/ez-vcard/gmail-list.vcf" \
		"vcard $VC/ez-vcard/outlook-2003.vcf" "jsonl guess.jsonl" \
		"google google.csv" "outlook outlook.csv" \
		"thunderbird tb.csv" "csv keyless.csv"; do
		set -- $f
		k=$((k + 1))
		crm-import --db "$T/gw$k" --now 2026-11-25T10:00:00Z --extra \
			--from "$1" "$2" 2>want.err &&
		crm-import --db "$T/gg$k" --now 2026-11-25T10:00:00Z --extra \
			<"$2" 2>got.err &&
		crm-export --db "$T/gw$k" --to jsonl | grep -v "^{\"store\":" \
			>want &&
		crm-export --db "$T/gg$k" --to jsonl | grep -v "^{\"store\":" \
			>got &&
		test -s want && cmp want got && cmp want.err got.err || {
			echo "$2: read as --from $1, and without --from, differ"
			diff want got; cat want.err got.err
			bad=1
		}
	done
	test $bad = 0
}
check 'without --from, the input says: vCards, JSON Lines, CSV of each preset' t_guess

check 'Thunderbird CSV --map: then imported as the dry run said' '
	crm-import --db tb --from thunderbird \
		--map "Primary Email=email,Organization=company" tb.csv &&
	crm-export --db tb --to jsonl >tb.jsonl &&
	"$PY" tool.py has tb.jsonl \
	"{\"type\": \"person\", \"name\": \"Mária Šťastná\", \"first_name\": \"Mária\",
	  \"last_name\": \"Šťastná\", \"email\": \"maria@stastna.example\",
	  \"phone\": \"+421907111222\", \"title\": \"Konateľka\", \"street\": \"Dlhá 5\",
	  \"city\": \"Trnava\", \"zip\": \"917 01\", \"country\": \"Slovakia\",
	  \"company.name\": \"Šťastná s.r.o.\"}" \
	"{\"type\": \"person\", \"name\": \"Tomáš Kráľ\", \"email\": \"tomas@kral.example\",
	  \"note\": \"Stretol som ho v Prahe, na veľtrhu\"}" &&
	"$PY" tool.py has tb.jsonl \
	"{\"id\": $(sed -n 1p tb.dry | cut -f2), \"name\": \"Mária Šťastná\"}" \
	"{\"id\": $(sed -n 2p tb.dry | cut -f2), \"name\": \"Tomáš Kráľ\"}"
'

# windows-1252, ; between the cells: René Šimek, Košice, 100 €
printf 'name;email;city;note\r\nRen\351 \212imek;rene@example.fr;Ko\232ice;"Cena 100 \200; bez DPH"\r\n' \
	>cp1252.csv

check "a ';' CSV in windows-1252 with --encoding: é, š, Š and € in UTF-8" '
	crm-import --db cp --from csv --encoding windows-1252 cp1252.csv &&
	crm-export --db cp --to jsonl >cp.jsonl &&
	"$PY" tool.py has cp.jsonl \
	"{\"name\": \"René Šimek\", \"email\": \"rene@example.fr\", \"city\": \"Košice\", \"note\": \"Cena 100 €; bez DPH\"}"
'

check 'the same without --encoding: refused as not UTF-8, nothing written' '
	crm-add --db cp2 person name=Seed >/dev/null &&
	before=$(mdb_dump -a cp2 | md5sum) &&
	must_fail 2 crm-import --db cp2 --from csv cp1252.csv 2>err &&
	cat err &&
	grep -F "line 2" err &&
	test "$(mdb_dump -a cp2 | md5sum)" = "$before"
'

printf 'name,email,Favourite Colour,Shoe Size\r\nAnna,anna@example.sk,modrá,\r\nBoris,boris@example.sk,,\r\n' \
	>unmapped.csv

check 'an unmapped column with a value: exit 2, the column named, nothing written' '
	crm-add --db um person name=Seed >/dev/null &&
	before=$(mdb_dump -a um | md5sum) &&
	must_fail 2 crm-import --db um --from csv unmapped.csv 2>err &&
	cat err &&
	grep -F "'\''Favourite Colour'\''" err &&
	! grep -F "Shoe Size" err &&
	test "$(mdb_dump -a um | md5sum)" = "$before"
'

check '--ignore COLUMN and --extra (the value kept in the note) resolve it' '
	crm-import --db um --from csv --ignore "Favourite Colour" unmapped.csv &&
	crm-export --db um --to jsonl >um.jsonl &&
	"$PY" tool.py has um.jsonl "{\"name\": \"Anna\", \"email\": \"anna@example.sk\"}" &&
	! grep -F modrá um.jsonl &&
	crm-import --db um2 --from csv --extra unmapped.csv &&
	crm-export --db um2 --to jsonl >um2.jsonl &&
	"$PY" tool.py has um2.jsonl \
	"{\"name\": \"Anna\", \"note\": \"Favourite Colour: modrá\"}" \
	"{\"name\": \"Boris\", \"email\": \"boris@example.sk\"}" &&
	! grep -F "Shoe Size" um2.jsonl
'

printf 'name,email,phone\r\nGood One,good@example.sk,\r\n"Bad, Two",not-an-email,\r\n"Two\r\nLines",two@example.sk,\r\nBad Three,bad@@example.sk,\r\n' \
	>bad.csv

check 'bad e-mails: each named with its line, the whole import refused' '
	crm-add --db bad person name=Seed >/dev/null &&
	before=$(mdb_dump -a bad | md5sum) &&
	must_fail 2 crm-import --db bad --from csv bad.csv >out 2>err &&
	cat err &&
	grep -F "line 3: " err | grep -F "not-an-email" &&
	grep -F "line 6: " err | grep -F "bad@@example.sk" &&
	test "$(mdb_dump -a bad | md5sum)" = "$before"
'

check '--skip-bad: the rest imported, the bad rows counted' '
	crm-import --db bad --from csv --skip-bad bad.csv 2>err &&
	cat err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 2 rejected" err &&
	crm-export --db bad --to jsonl >bad.jsonl &&
	"$PY" tool.py has bad.jsonl \
	"{\"name\": \"Good One\", \"email\": \"good@example.sk\"}" \
	"{\"name\": \"Two\\nLines\", \"email\": \"two@example.sk\"}" &&
	test "$(grep -c "\"type\":" bad.jsonl)" -eq 3
'

check 'opt-outs and saved segments move with the JSON Lines export' '
	crm-add --db "$T/oo" person name=Ola email=ola@example.sk >/dev/null &&
	crm-add --db "$T/oo" person name=Bea email=bea@example.sk >/dev/null &&
	crm-optout --db "$T/oo" --bounce bea@example.sk &&
	crm-segment --db "$T/oo" --save sk "email~example.sk" &&
	crm-export --db "$T/oo" --to jsonl >oo.jsonl &&
	crm-import --db "$T/oo2" --from jsonl <oo.jsonl 2>/dev/null &&
	crm-export --db "$T/oo2" --to jsonl | cmp - oo.jsonl &&
	crm-segment --db "$T/oo2" --mailto sk >got &&
	expect got <<-EOF
	"Ola" <ola@example.sk>
	EOF
'

check 'the forgotten stay out of a store moved by its JSON Lines export' '
	D=$T/fg &&
	crm-add --db "$D" person name=Gone email=gone@x.example \
		"phone=0905 444 555" >/dev/null &&
	crm-add --db "$D" person name=Stays email=stays@x.example >/dev/null &&
	crm-optout --db "$D" gone@x.example &&
	crm-forget --db "$D" 1 &&
	crm-export --db "$D" --to jsonl >fg.jsonl &&
	! grep -i -e gone@ -e 905444555 fg.jsonl &&
	test "$(grep -c "^{\"forgotten_key\":\"[0-9a-f]\{64\}\"}\$" fg.jsonl)" \
		-eq 1 &&
	test "$(grep -c "^{\"forgotten\":\"[0-9a-f]\{64\}\"}\$" fg.jsonl)" \
		-eq 2 &&
	crm-import --db "$T/fg2" --from jsonl <fg.jsonl 2>/dev/null &&
	crm-export --db "$T/fg2" --to jsonl | cmp - fg.jsonl &&
	printf "name,email\nG,Gone@X.example\n" >fg.csv &&
	must_fail 2 crm-import --db "$T/fg2" --from csv fg.csv 2>err &&
	grep -F "line 2: email" err && grep -F "crm-forget" err &&
	must_fail 2 crm-add --db "$T/fg2" person name=G \
		phone=+421905444555 2>err &&
	grep -F "crm-forget" err &&
	crm-segment --db "$T/fg2" --mailto has:email >got &&
	expect got <<-EOF
	"Stays" <stays@x.example>
	EOF
'

check 'another store'\''s forgotten kept beside its own; bad ones refused' '
	D=$T/fg3 &&
	crm-add --db "$D" person name=Mine email=mine@y.example >/dev/null &&
	crm-forget --db "$D" 1 &&
	crm-import --db "$D" --from jsonl <fg.jsonl 2>/dev/null &&
	crm-export --db "$D" --to jsonl >fg3.jsonl &&
	test "$(grep -c "\"forgotten_key\":" fg3.jsonl)" -eq 2 &&
	test "$(grep -c "\"forgotten\":" fg3.jsonl)" -eq 3 &&
	crm-import --db "$T/fg4" --from jsonl <fg3.jsonl 2>/dev/null &&
	crm-export --db "$T/fg4" --to jsonl | cmp - fg3.jsonl &&
	for db in "$D" "$T/fg4"; do
		for e in gone@x.example mine@y.example; do
			must_fail 2 crm-add --db "$db" person name=X "email=$e" \
				2>/dev/null || exit 1
		done
	done &&
	before=$(mdb_dump -a "$D" | md5sum) &&
	for l in "{\"forgotten\":\"0a1b\"}" "{\"forgotten_key\":7}" \
		"{\"forgotten\":\"$(printf "%064d" 0 | tr 0 G)\"}"; do
		printf "%s\n" "$l" >bad.jsonl &&
		must_fail 2 crm-import --db "$D" --from jsonl bad.jsonl \
			2>err &&
		grep -F "line 1: forgotten" err || exit 1
	done &&
	test "$(mdb_dump -a "$D" | md5sum)" = "$before"
'

check 'a header no type fits is refused, nothing leaked (tests/fuzz)' '
	printf "First Name,E-mail Address\r\nPeter,p@x.sk\r\n" >fz.csv &&
	must_fail 2 crm-import --db fz --from outlook --type company fz.csv \
		2>err &&
	grep -F "a company has no field" err
'

check 'outlook --extra: a heading kept in an empty note (tests/fuzz)' '
	printf "First Name,Title\r\nJana,Dr.\r\n" >fz.csv &&
	crm-import --db fz --from outlook --extra fz.csv 2>err &&
	crm-export --db fz --to jsonl >fz.jsonl &&
	"$PY" tool.py has fz.jsonl \
	"{\"name\": \"Jana\", \"note\": \"Title: Dr.\"}"
'

# lines written by hand, with ids and history but not the figures
# crm-export writes: an empty store counts them from the history
check 'a restore of lines without figures counts them from the history' '
	printf "%s\n" "{\"id\":1,\"type\":\"company\",\"name\":\"Kovo\"}" \
	"{\"id\":2,\"type\":\"person\",\"name\":\"Jana\",\"company\":1,\"history\":[{\"id\":3,\"at\":\"2026-11-25T11:00:00Z\",\"kind\":\"purchase\",\"text\":\"order\",\"amount\":100}]}" \
	"{\"id\":4,\"type\":\"person\",\"name\":\"Eva\",\"history\":[{\"id\":5,\"at\":\"2026-11-20T11:00:00Z\",\"kind\":\"call\"}]}" \
		>nofig.jsonl &&
	crm-import --db nofig nofig.jsonl 2>err &&
	grep -F "3 added" err &&
	crm-check --db nofig &&
	crm-show --db nofig -j 1 2 4 |
		jq -r "[.id, .interactions, .last_contact, .turnover] | @tsv" >got &&
	expect got <<-EOF
	1	1	2026-11-25T11:00:00+00:00	100
	2	1	2026-11-25T11:00:00+00:00	100
	4	1	2026-11-20T11:00:00+00:00	
	EOF
'

# ids are never given twice: not those of records removed or merged
# before the store was exported, in the store it is restored to
check 'a restore keeps the next id and the merged ids, which still answer' '
	for n in "Ida One" "Ida Two" "Ida Three"; do
		crm-add --db ids person name="$n" >/dev/null || return 1
	done &&
	crm-merge --db ids 1 2 >/dev/null &&
	crm-rm --db ids 3 &&
	crm-export --db ids --to jsonl >ids.jsonl &&
	grep -F "{\"alias\":2,\"record\":1}" ids.jsonl &&
	grep -F ",\"next\":4}" ids.jsonl &&
	crm-import --db ids2 ids.jsonl 2>err &&
	grep -F "1 added" err &&
	crm-show --db ids2 -j 2 | jq -e ".id == 1" &&
	crm-export --db ids2 --to jsonl | cmp - ids.jsonl &&
	test "$(crm-add --db ids2 person name=New)" = 4 &&
	test "$(crm-add --db ids person name=New)" = 4
'

check 'JSON Lines without "type": persons, or the type of --type' '
	printf "%s\n" "{\"name\":\"Tia Typeless\",\"email\":\"tia@x.sk\"}" >typeless.jsonl &&
	crm-import --db typeless --from jsonl typeless.jsonl 2>err &&
	grep -F "1 added" err &&
	crm-find --db typeless --email tia@x.sk | cut -f2 | grep -Fx person &&
	crm-import --db typeless2 --from jsonl --type company typeless.jsonl &&
	crm-find --db typeless2 --email tia@x.sk | cut -f2 | grep -Fx company
'

# lines ended by CR alone: a CSV of an old Mac (CSV Macintosh), a CR
# left in a vCard; CR CR LF is one line end
check 'a CR without LF ends a line: Mac CSV, a stray CR in a vCard' '
	printf "name,email\rAda Mac,ada@mac.example\rBo Mac,bo@mac.example\r" |
		crm-import --db mac --from csv 2>err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-find --db mac --email bo@mac.example | cut -f3 | grep -Fx "Bo Mac" &&
	printf "name,email\r\r\nCy Mac,cy@mac.example\r\r\n" |
		crm-import --db mac --from csv 2>err &&
	grep -F "1 added" err &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Di Mac\rEMAIL:di@mac.example\r\nEND:VCARD\r\n" |
		crm-import --db mac 2>err &&
	grep -F "1 added" err &&
	crm-find --db mac --email di@mac.example | cut -f3 | grep -Fx "Di Mac" &&
	printf "name,note\nEd Mac,\"one\rtwo\"\n" |
		crm-import --db mac --from csv 2>err &&
	crm-show --db mac -j 5 | jq -e ".note == \"one\ntwo\""
'

# a phone matches a record of the same name only (a switchboard is
# many people's), in any order of its words
check 'a card matched by phone: the same name in another order, not another' '
	crm-add --db ord person "name=Jana Nováková" "phone=0905 123 456" >/dev/null &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:NOVAKOVA Jana\r\nTEL:+421905123456\r\nTITLE:CEO\r\nEND:VCARD\r\n" |
		crm-import --db ord 2>err &&
	grep -F "0 added, 1 updated" err &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jana Malá\r\nTEL:+421905123456\r\nEND:VCARD\r\n" |
		crm-import --db ord 2>err &&
	grep -F "1 added, 0 updated" err
'

check '--to vdir: UIDs that cannot be file names get one each of their hash' '
	long=$(printf "x%.0s" $(seq 300)) &&
	for u in a/b a_b .hidden _hidden "$long"; do
		crm-add --db vu person "name=N $u" "uid=$u" >/dev/null || return 1
	done &&
	crm-export --db vu --to vdir vu.d 2>err &&
	grep -Fx "crm-export: 5 cards, 5 written" err &&
	test "$(ls vu.d | wc -l)" -eq 5 &&
	test -f vu.d/a_b.vcf && test -f vu.d/_hidden.vcf &&
	for f in vu.d/*.vcf; do
		awk "{ sub(/\r\$/, \"\") } /^ / { u = u substr(\$0, 2); next }
		    { if (u ~ /^UID:/) print u; u = \$0 }" "$f"
	done | sort >got &&
	printf "UID:%s\n" a/b a_b .hidden _hidden "$long" | sort >want &&
	cmp want got &&
	crm-export --db vu --to vdir vu.d 2>err &&
	grep -Fx "crm-export: 5 cards, 0 written" err &&
	crm-import --db vu vu.d 2>err &&
	grep -Fx "crm-import: 0 added, 0 updated, 5 unchanged, 0 rejected" err
'

check 'a card without its end is a rejected row: --skip-bad imports the rest' '
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Al Half\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Whole\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy Cut\r\n" >half.vcf &&
	must_fail 2 crm-import --db half half.vcf 2>err &&
	grep -F "line 1: no END:VCARD before the BEGIN:VCARD of line 4" err &&
	grep -F "line 8: no END:VCARD before the end of the input" err &&
	test ! -e half/data.mdb -o "$(crm-segment --db half --count type:person)" = 0 &&
	crm-import --db half --skip-bad half.vcf 2>err &&
	grep -F "1 added, 0 updated, 0 unchanged, 2 rejected" err &&
	crm-find --db half whole | cut -f3 | grep -Fx "Bo Whole"
'

check '--dry-run into no store: what would be, and no store made' '
	mkdir scratch.tmp &&
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dry Run\r\nEMAIL:dry@run.example\r\nEND:VCARD\r\n" >dry.vcf &&
	TMPDIR=$T/scratch.tmp crm-import --db nostore --dry-run dry.vcf >out 2>err &&
	grep -Fx "add	1	line 1" out &&
	grep -Fx "crm-import: would be: 1 added, 0 updated, 0 unchanged, 0 rejected" err &&
	test ! -e nostore &&
	test -z "$(ls -A scratch.tmp)"
'

# the co-worker RELATED of another store's export names the company ORG
# names: the link, not a note to write out again beside it
check 'another store'\''s cards: RELATED to the ORG'\''s company is the link, not noted' '
	crm-add --db rel1 company name=Kovo >/dev/null &&
	crm-add --db rel1 person name=Jana email=j@kovo.example company=1 >/dev/null &&
	crm-export --db rel1 --to vcard >rel.vcf &&
	crm-import --db rel2 rel.vcf 2>err &&
	crm-show --db rel2 -j 2 | jq -e ".company == 1 and (has(\"note\") | not)" &&
	crm-import --db rel2 rel.vcf 2>err &&
	grep -F "0 added, 0 updated, 2 unchanged" err &&
	crm-add --db rel2 company name=Other >/dev/null &&
	crm-set --db rel2 2 company=3 &&
	crm-export --db rel2 --to vcard --where type:person >out &&
	test "$(grep -c "^RELATED" out)" -eq 1 &&
	grep -F "000000000003" out
'

# a phone's photo (3.0: base64 with its TYPE), a URI: kept as data: URI
# and URI, written out in 4.0 and in 3.0 as each version has them
check '--photos: a phone'\''s photo goes out again, in 4.0 and in 3.0' '
	crm-import --db pho --photos "$VC/khard/photov3.vcf" \
		"$VC/ez-vcard/John_Doe_IPHONE.vcf" 2>err &&
	grep -F "2 added" err &&
	crm-export --db pho --to jsonl | jq -r ".photo // empty" | cut -c1-26 >got &&
	printf "data:image/png;base64,iVBO\ndata:image/jpeg;base64,/9j\n" >want &&
	cmp want got &&
	crm-export --db pho --to vcard >pho4.vcf &&
	test "$(grep -c "^PHOTO:data:image/" pho4.vcf)" -eq 2 &&
	crm-export --db pho --to vcard --version 3.0 >pho3.vcf &&
	grep -q "^PHOTO;ENCODING=b;TYPE=PNG:iVBOR" pho3.vcf &&
	grep -q "^PHOTO;ENCODING=b;TYPE=JPEG:/9j/" pho3.vcf &&
	if [ -n "$VOBJECT" ]; then
		"$PY" -c "import vobject, base64, sys
n = 0
for c in vobject.readComponents(open(\"pho3.vcf\").read()):
    if not hasattr(c, \"photo\"):
        continue
    v = c.photo.value
    assert v[:4] in (b\"\\x89PNG\", b\"\\xff\\xd8\\xff\\xe0\"), v[:4]
    n += 1
assert n == 2"
	fi &&
	crm-import --db pho --photos pho3.vcf 2>err &&
	grep -F "0 added, 0 updated, 3 unchanged" err &&
	crm-import --db pho --photos pho4.vcf 2>err &&
	grep -F "0 added, 0 updated, 3 unchanged" err
'

check 'JSON Lines: a NUL in a string, escaped or raw, is refused, not cut' '
	printf "%s\n" "{\"type\":\"person\",\"name\":\"Ja\\u0000na\"}" >nul1.jsonl &&
	must_fail 2 crm-import --db nulj nul1.jsonl 2>err &&
	grep -F "line 1: a NUL character" err &&
	printf "{\"type\":\"person\",\"name\":\"Ja\000na\"}\n" >nul2.jsonl &&
	must_fail 2 crm-import --db nulj nul2.jsonl 2>err &&
	grep -F "line 1: a NUL character" err &&
	printf "%s\n" "{\"type\":\"person\",\"name\":\"Ja\\\\u0000na\"}" >nul3.jsonl &&
	crm-import --db nulj nul3.jsonl 2>err &&
	crm-export --db nulj --to jsonl | grep -F "\"name\":\"Ja\\\\u0000na\""
'
