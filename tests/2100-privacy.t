#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2100-privacy.t - personal data on request: crm-export --subject,
# crm-forget, crm-compact, crm-gc
#
# One person with values no generated person has (name, two e-mail
# addresses, a phone, street, note, birthday) is given a company, calls
# and a purchase naming her, a task naming her, a deal, a later e-mail
# address, a second record merged into her and two opt-outs; 3000 people
# of tests/bench/gen live around her, so that pages are shared and
# reused.  crm-export --subject shows what is held about her; crm-forget
# erases it, keeping the figures and links; her addresses and numbers
# stay out of later adds and imports; crm-compact leaves no byte of any
# erased value in any file of the store.  crm-gc prunes old transactions
# but keeps the erasure.
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs python3 for tests/bench/gen"
	exit 0
fi
plan 38

GEN=$TOP/tests/bench/gen
TAB=$(printf '\t')

# the erased values, as grep -i patterns: each is in the store before
# crm-forget, none in any of its files after crm-compact
cat >"$T/values" <<'EOF'
Zuzka
Qwerty
zuzka.qwerty@example.sk
zuzka.q@newmail.example
newmail.example
zq.private@example.net
907111222
908333444
Vrbovsk
Xylophonix
1980-04-05
wombat
Quokkaplum
hedgehog
Kvetnalane
EOF

# count_in FILE...: "COUNT PATTERN" for each value, over the files
count_in() {
	while read -r v; do
		printf '%s %s\n' "$(cat "$@" | grep -a -i -c -e "$v")" "$v"
	done <"$T/values"
}

# in_files MIN MAX: "FILE: COUNT VALUE" for each value MIN to MAX bytes
# long found in a file of the store
in_files() {
	find "$CRM_DB" -type f >"$T/files" &&
	grep -q -x "$CRM_DB/data.mdb" "$T/files" &&
	while read -r f; do
		count_in "$f" | awk -v min="$1" -v max="$2" \
			'$1 != 0 && length($2) >= min && length($2) <= max' |
			sed "s|^|$f: |"
	done <"$T/files"
}

# refused TEXT CMD...: CMD exits 2, says TEXT on stderr, writes nothing
refused() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 "$@" >out 2>err || { cat err; false; }; } &&
	grep -F -e "$text" err &&
	test "$(store_sum)" = "$before"
}

# optouts: the opt-outs as crm-export writes them, and as the store
# keeps them (mdb_dump of meta, read independently)
optouts() {
	crm-export --to jsonl | jq -r 'select(has("optout")) | .optout' &&
	mdb_dump -p -s meta "$CRM_DB" | sed -n 's/^ optout:\(.*\)$/\1/p'
}

# --------------------------------------------------------------- setup

check 'setup: the subject, 3000 others, history, task, deal, merge' '
	"$GEN" 3000 --format jsonl >gen.jsonl &&
	test "$(wc -l <gen.jsonl)" -eq 3000 &&
	count_in gen.jsonl >gen.count &&
	test "$(grep -c "^0 " gen.count)" -eq 15 &&
	{
	crm-add --now 2026-01-01 company "name=Lipa Trade s.r.o." city=Zvolen &&
	crm-add --now 2026-01-02 person "name=Zuzka Qwertyová" \
		email=zuzka.qwerty@example.sk "phone=+421 907 111 222" \
		"street=Vrbovská 77" "note=prefers calls after noon; dog Xylophonix" \
		birthday=1980-04-05 company=1 city=Zvolen &&
	crm-add --now 2026-01-03 person <gen.jsonl | sed -n "1p;\$p" &&
	crm-add --now 2026-01-04 person "name=Zuzka Qwertyova" \
		email=zq.private@example.net "phone=0908 333 444" \
		"note=old card, wombat tattoo" &&
	crm-log --now 2026-02-01 --at 2026-02-01 2 call \
		"called Zuzka Qwertyová about Quokkaplum crates" &&
	crm-log --now 2026-02-02 --at 2026-02-02 --amount 250 2 purchase \
		"Zuzka Qwertyová bought Quokkaplum jam" &&
	crm-log --now 2026-02-03 --at 2026-02-03 3003 note \
		"met Zuzka Qwertyova at the hedgehog fair" &&
	crm-log --now 2026-02-03 --at 2026-02-03 --amount 99 3 purchase \
		"order 17" &&
	crm-log --now 2026-02-03 --at 2026-02-03 4 call "cold call" &&
	crm-task --now 2026-02-04 add --due 2026-03-01 2 \
		"ring Zuzka Qwertyová back about Kvetnalane" &&
	crm-add --now 2026-02-05 deal "name=Plum order" person=2 company=1 \
		amount=900 &&
	crm-optout --now 2026-02-05 zuzka.qwerty@example.sk &&
	crm-set --now 2026-02-06 2 email=zuzka.q@newmail.example &&
	crm-merge --now 2026-02-07 2 3003 &&
	crm-optout --now 2026-02-08 zuzka.q@newmail.example \
		keep.me@other.example
	} >ids &&
	test "$(tr "\n" " " <ids)" = \
		"1 2 3 3002 3003 3004 3005 3006 3007 3008 3009 3010 2${TAB}3003 "
'

check 'before crm-forget: every value is in the store file' '
	in_files 1 99 >found &&
	test "$(grep -c "^$CRM_DB/data.mdb: [1-9]" found)" -eq 15
'

# ---------------------------------------------------- export --subject

check 'export --subject: one JSON object, the record and its history' '
	crm-export --subject 2 >subj &&
	test "$(wc -l <subj)" -eq 1 &&
	test "$(jq -s length subj)" -eq 1 &&
	jq -e ".record.id == 2 and .record.name == \"Zuzka Qwertyová\" and
		.record.email == \"zuzka.q@newmail.example\" and
		.record.phone == \"+421907111222\" and
		.record.street == \"Vrbovská 77\" and
		.record.birthday == \"1980-04-05\" and .record.company == 1 and
		.record.interactions == 3 and .record.turnover == 250 and
		(.record.note | contains(\"zq.private@example.net\"))" subj &&
	jq -r ".record.history[] | [.id, .kind, .amount // \"\", .text] |
		@tsv" subj >got &&
	expect got <<-EOF
	3004	call		called Zuzka Qwertyová about Quokkaplum crates
	3005	purchase	250	Zuzka Qwertyová bought Quokkaplum jam
	3006	note		met Zuzka Qwertyova at the hedgehog fair
	EOF
'

check 'export --subject: personal fields held, the opt-out, related' '
	jq -c .personal subj >got &&
	expect got <<-EOF &&
	["name","email","phone","street","birthday","note"]
	EOF
	jq -c .consent subj >got &&
	expect got <<-EOF &&
	{"optout":"opted out"}
	EOF
	jq -r ".related[] | [.id, .type, .text // .name, .about // .person] |
		@tsv" subj >got &&
	expect got <<-EOF
	3009	task	ring Zuzka Qwertyová back about Kvetnalane	2
	3010	deal	Plum order	2
	EOF
'

check 'export --subject: changes in txn order, the e-mail change and the merged record in them' '
	jq -e "[.changes[].txn] | . == sort" subj &&
	jq -r ".changes[] | select(.op == \"S\") |
		[.txn, .record, .field, .old] | @tsv" subj >got &&
	head -n 1 got >first &&
	expect first <<-EOF &&
	12	2	email	zuzka.qwerty@example.sk
	EOF
	jq -r ".changes[] | select(.field == \"email\") | .new" subj >got &&
	expect got <<-EOF &&
	zuzka.q@newmail.example
	EOF
	for id in 2 3003 3009 3010; do crm-history $id; done | cut -f 1 |
		sort -n >hist.txns &&
	jq -r ".changes[].txn" subj | cmp - hist.txns
'

check 'export --subject of no record: exit 1, nothing on stdout' '
	must_fail 1 crm-export --subject 99999 >out 2>err &&
	test ! -s out &&
	grep -F "no record 99999" err &&
	must_fail 2 crm-export --subject x >out 2>err &&
	test ! -s out
'

# ------------------------------------------------------------- forget

crm-show -j 2 >"$T/show.before" 2>&1
crm-show -j 1 >"$T/company.before" 2>&1
reports() {
	crm-report persons --sum turnover &&
	crm-report persons --by city --count --sum turnover &&
	crm-report companies --sum turnover --sum interactions &&
	crm-report interactions --by kind --count --sum amount &&
	crm-report interactions --by at:month,owner --count
}
reports >"$T/reports.before" 2>&1
optouts >"$T/optouts.before" 2>&1

check 'the reports before, as they should be' '
	crm-report persons --sum turnover >got &&
	expect got <<-EOF &&
	sum_turnover
	349.00
	EOF
	crm-report interactions --by kind --count --sum amount >got &&
	expect got <<-EOF &&
	kind	count	sum_amount
	call	2	0.00
	note	1	0.00
	purchase	2	349.00
	EOF
	sort optouts.before | uniq -c | sed "s/^ *//" >got &&
	expect got <<-EOF
	2 keep.me@other.example
	2 zuzka.q@newmail.example
	2 zuzka.qwerty@example.sk
	EOF
'

check 'crm-forget: exit 0, nothing on stdout' '
	crm-forget --now 2026-03-01 2 >out 2>err &&
	test ! -s out && test ! -s err
'

check 'crm-show: (forgotten), no e-mail, phone, street, note, birthday' '
	crm-show -j 2 >show.after &&
	jq -e ".name == \"(forgotten)\"" show.after &&
	jq -e "has(\"email\") or has(\"phone\") or has(\"street\") or
		has(\"note\") or has(\"birthday\") | not" show.after &&
	crm-show 2 >text &&
	! grep -i -e email: -e phone: -e street: -e note: -e birthday: text &&
	head -n 2 text >got &&
	expect got <<-EOF
	2 person (forgotten)
	name: (forgotten)
	EOF
'

check 'crm-show: the same figures, company, deal; the task forgotten' '
	f="{company, city, created, last_contact, interactions, turnover,
		next_due, deals: [.deals[].id], tasks: [.tasks[].id]}" &&
	jq -c "$f" show.before >a &&
	jq -c "$f" show.after >b &&
	cmp a b &&
	jq -e ".interactions == 3 and .turnover == 250 and
		.deals[0].id == 3010 and .deals[0].person == 2" show.after &&
	jq -r ".tasks[] | [.id, .text, .about, .due] | @tsv" show.after >got &&
	expect got <<-EOF &&
	3009	(forgotten)	2	2026-03-01T00:00:00+00:00
	EOF
	crm-show -j 3010 | jq -r "[.person, .company, .amount] | @tsv" >got &&
	expect got <<-EOF
	2	1	900
	EOF
'

check 'the history entries stay, their texts gone' '
	crm-log --list 2 >got &&
	expect got <<-EOF
	3006	2026-02-03T00:00:00+00:00	2	note			tester	
	3005	2026-02-02T00:00:00+00:00	2	purchase		250.00	tester	
	3004	2026-02-01T00:00:00+00:00	2	call			tester	
	EOF
'

check 'the reports and the company, the same before and after' '
	reports >reports.after &&
	cmp reports.before reports.after &&
	crm-show -j 1 >company.after &&
	jq -c "{interactions, turnover, last_contact,
		deals: [.deals[].id], contacts: [.contacts[].id]}" \
		company.before >a &&
	jq -c "{interactions, turnover, last_contact,
		deals: [.deals[].id], contacts: [.contacts[].id]}" \
		company.after >b &&
	cmp a b
'

check 'crm-history: erased lines, (erased) commands, a forgotten line' '
	crm-history 2 >got &&
	expect got <<-EOF
	2	2026-01-02T00:00:00+00:00	tester	2	created				(erased)
	5	2026-02-01T00:00:00+00:00	tester	2	logged	3004		call	(erased)
	6	2026-02-02T00:00:00+00:00	tester	2	logged	3005		purchase	(erased)
	12	2026-02-06T00:00:00+00:00	tester	2	erased	email	(erased)	(erased)	(erased)
	13	2026-02-07T00:00:00+00:00	tester	2	logged	3006		note	(erased)
	13	2026-02-07T00:00:00+00:00	tester	2	erased	note	(erased)	(erased)	(erased)
	14	2026-03-01T00:00:00+00:00	tester	2	forgotten				crm-forget --now 2026-03-01 2
	EOF
'

check 'crm-history: the merged record and the task, erased; others kept' '
	crm-history 3003 >got &&
	expect got <<-EOF &&
	4	2026-01-04T00:00:00+00:00	tester	3003	created				(erased)
	7	2026-02-03T00:00:00+00:00	tester	3003	logged	3006		note	(erased)
	13	2026-02-07T00:00:00+00:00	tester	3003	unlogged	3006	note		(erased)
	13	2026-02-07T00:00:00+00:00	tester	3003	removed				(erased)
	EOF
	crm-history 3009 | cut -f 1,5,9 >got &&
	expect got <<-EOF &&
	10	created	(erased)
	EOF
	crm-history 3 | cut -f 1,5,8,9 >got &&
	expect got <<-EOF
	3	created		crm-add --now 2026-01-03 person
	8	logged	purchase: order 17	crm-log --now 2026-02-03 --at 2026-02-03 --amount 99 3 purchase '\''order 17'\''
	EOF
'

check 'crm-export --subject after: nothing personal but the name left' '
	crm-export --subject 2 >subj2 &&
	jq -c ".personal, .consent, [.related[].id]" subj2 >got &&
	expect got <<-EOF &&
	["name"]
	{}
	[3009,3010]
	EOF
	jq -r ".changes[] | select(.op == \"S\" or .op == \"E\") |
		[.txn, .field, .old, .new] | @tsv" subj2 >got &&
	expect got <<-EOF
	12	email	(erased)	(erased)
	13	note	(erased)	(erased)
	EOF
'

check 'crm-check passes after crm-forget' '
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'

check 'crm-undo of the e-mail change refuses, exit 2, nothing written' '
	refused "record 2 was erased on request since" crm-undo 12 &&
	refused "record 2 was erased on request since" crm-undo -n 12
'

check 'crm-undo of the crm-forget refuses, even with --force' '
	refused "cannot undo 14: it erased record 2 on request, for good" \
		crm-undo 14 &&
	refused "for good" crm-undo --force 14 &&
	refused "for good" crm-undo --dry-run 14
'

check 'crm-add with an erased address or number: exit 2, naming crm-forget' '
	for v in email=zuzka.qwerty@example.sk email=ZUZKA.QWERTY@Example.SK \
		email=zuzka.q@newmail.example email=Zuzka.Q@NewMail.Example \
		phone=0907111222 "phone=+421 907 111 222" \
		"phone=00421907111222" email=zq.private@example.net \
		email=ZQ.Private@example.net "phone=0908 333 444" \
		phone=+421908333444; do
		refused "crm-forget" crm-add person name=Again "$v" &&
		grep -F "not taken again" err || exit 1
	done &&
	crm-segment --count type=person >got &&
	expect got <<-EOF
	3001
	EOF
'

check 'the hash library is opened where a store forgot someone, only there' '
	LD_DEBUG=files must_fail 2 crm-add person name=Again \
		email=zq.private@example.net >out 2>dbg &&
	grep -q "file=libnettle.so.8" dbg &&
	LD_DEBUG=files must_fail 1 crm-find --email ok@elsewhere.example \
		>out 2>dbg &&
	! grep -q "file=libnettle" dbg &&
	LD_DEBUG=files crm-add --db "$T/noone" person name=Someone \
		email=zq.private@example.net >out 2>dbg &&
	! grep -q "file=libnettle" dbg
'

check 'crm-import --from jsonl: the row refused by its line number' '
	printf "%s\n" "{\"name\":\"Ok One\",\"email\":\"ok.one@fine.example\"}" \
		"{\"name\":\"Ok Two\",\"phone\":\"0911 000 001\"}" \
		"{\"name\":\"Bad\",\"email\":\"Zuzka.Qwerty@example.sk\"}" \
		"{\"name\":\"Ok Three\",\"email\":\"ok.three@fine.example\"}" \
		>in.jsonl &&
	refused "crm-forget" crm-import --from jsonl --type person in.jsonl &&
	grep -F "line 3: email" err &&
	must_fail 1 crm-find --email ok.one@fine.example &&
	crm-import --now 2026-03-02 --from jsonl --type person --skip-bad \
		in.jsonl >out 2>err &&
	grep -F "line 3: " err && grep -F "1 rejected" err &&
	crm-find --email ok.three@fine.example | cut -f 3 >got &&
	expect got <<-EOF
	Ok Three
	EOF
'

check 'crm-import --from csv: the rows refused by their line numbers' '
	printf "name,email,phone\nOk Four,ok.four@fine.example,\nBad,,0907 111 222\nBad Two,zq.private@example.net,\nOk Five,,0911 000 005\n" \
		>in.csv &&
	refused "crm-forget" crm-import --from csv --type person in.csv &&
	grep -F "line 3: phone" err &&
	grep -F "line 4: email" err &&
	crm-import --now 2026-03-02 --from csv --type person --skip-bad \
		in.csv >out 2>err &&
	grep -F "2 rejected" err &&
	crm-find "Ok" | cut -f 3 | sort >got &&
	expect got <<-EOF
	Ok Five
	Ok Four
	Ok One
	Ok Three
	Ok Two
	EOF
'

check 'the opt-outs of her addresses gone, the others kept' '
	optouts | sort | uniq -c | sed "s/^ *//" >got &&
	expect got <<-EOF
	2 keep.me@other.example
	EOF
'

check 'what the store holds (mdb_dump -a) has none of the values' '
	mdb_dump -a -p "$CRM_DB" >dump &&
	test "$(wc -l <dump)" -gt 3000 &&
	count_in dump >count &&
	test "$(grep -c "^0 " count)" -eq 15
'

# --------------------------------------------------------- crm-compact

check 'crm-compact: exit 0, the sizes before and after' '
	reports >reports.compact &&
	before=$(stat -c %s "$CRM_DB/data.mdb") &&
	crm-compact >out 2>err &&
	test ! -s err &&
	after=$(stat -c %s "$CRM_DB/data.mdb") &&
	expect out <<-EOF &&
	$before	$after
	EOF
	test "$after" -le "$before"
'

check 'after crm-compact: no erased value of 8 bytes or more in any file' '
	in_files 8 99 >found &&
	test ! -s found || { cat found; false; }
'

check 'after crm-compact: nor the short ones (name, street)' '
	in_files 1 7 >found &&
	test ! -s found || { cat found; false; }
'

check 'after crm-compact: crm-check passes, the others are there' '
	crm-check >out 2>err &&
	test ! -s out && test ! -s err &&
	crm-segment --count type=person >got &&
	expect got <<-EOF &&
	3006
	EOF
	line=$(sed -n 1234p gen.jsonl) &&
	email=$(printf "%s\n" "$line" | jq -r .email) &&
	crm-find --email "$email" >got &&
	test "$(cut -f 1 got)" = 1236 &&
	test "$(cut -f 3 got)" = "$(printf "%s\n" "$line" | jq -r .name)" &&
	crm-show -j 3 | jq -r "[.turnover, .history[0].text] | @tsv" >got &&
	expect got <<-EOF &&
	99	order 17
	EOF
	reports | cmp - reports.compact
'

check 'after crm-compact: the store file is private, as before (0600)' '
	(umask 022 && crm-compact >/dev/null) &&
	stat -c %a "$CRM_DB/data.mdb" >got &&
	expect got <<-EOF
	600
	EOF
'

check 'another record with her number: still changeable after crm-forget' '
	CRM_DB=$T/phone &&
	{
	crm-add person name=Her "phone=0907 111 222" email=her@x.example &&
	crm-add person name=Household "phone=+421 907 111 222" &&
	crm-add company name=Office phone=0907111222
	} >/dev/null &&
	crm-forget 1 &&
	crm-set 2 city=Nitra >/dev/null &&
	crm-set 3 city=Nitra >/dev/null &&
	crm-show -j 2 3 | jq -r .city >got &&
	expect got <<-EOF
	Nitra
	Nitra
	EOF
'

check 'crm-forget of a removed record: what the journal keeps of it goes' '
	CRM_DB=$T/removed &&
	{
	crm-add person "name=Rita Removed" email=rita@example.com \
		"phone=0905 999 888" note=RITA-NOTE &&
	crm-task add --due 2026-12-01 1 "RITA-TASK call her back" &&
	crm-log 1 call RITA-CALL &&
	crm-add person "name=Other Keeper" &&
	crm-rm 1
	} >/dev/null &&
	crm-history >hist &&
	grep -i -q rita hist &&
	crm-forget 1 >out 2>err &&
	test ! -s out && test ! -s err &&
	crm-history >hist &&
	! grep -i rita hist &&
	cut -f 1,4,5,9 hist >got &&
	expect got <<-EOF &&
	1	1	created	(erased)
	2	2	created	(erased)
	3	1	logged	(erased)
	4	4	created	crm-add person '\''name=Other Keeper'\''
	5	2	removed	(erased)
	5	1	unlogged	(erased)
	5	1	removed	(erased)
	6	1	forgotten	crm-forget 1
	EOF
	refused "crm-forget" crm-add person name=Again email=Rita@Example.com &&
	refused "crm-forget" crm-add person name=Again phone=+421905999888 &&
	must_fail 2 crm-forget 3 2>err &&
	grep -F "no record 3" err &&
	crm-compact >/dev/null &&
	! grep -r -a -i -e rita -e 905999888 "$CRM_DB" &&
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'

check 'crm-forget: the tasks about the record that were removed go too' '
	CRM_DB=$T/tasks &&
	{
	crm-add person "name=Tom Task" email=tom@example.com &&
	crm-task add --due 2026-12-01 1 "TOM-TASK ask about his illness" &&
	crm-set 2 "text=TOM-TASK his illness, again" &&
	crm-task add --due 2026-12-02 1 "TOM-KEPT still open" &&
	crm-task rm 2
	} >/dev/null &&
	crm-forget 1 &&
	crm-history 2 | cut -f 1,5,6,9 >got &&
	expect got <<-EOF &&
	2	created		(erased)
	3	erased	text	(erased)
	5	removed		(erased)
	EOF
	crm-show -j 3 | jq -r .text >got &&
	expect got <<-EOF &&
	(forgotten)
	EOF
	crm-compact >/dev/null &&
	! grep -r -a -e TOM-TASK -e TOM-KEPT "$CRM_DB"
'

check 'crm-forget drops the saved segments whose query holds an erased value' '
	CRM_DB=$T/segments &&
	{
	crm-add person "name=Sara Smith" email=sara@example.com \
		"phone=0905 777 333" &&
	crm-add person "name=Sarah Other" email=sarah@example.com &&
	crm-set 1 email=Sara.New@Example.com &&
	crm-segment --save old email=sara@example.com &&
	crm-segment --save new "email=SARA.NEW@example.com or tag:x" &&
	crm-segment --save call "phone=\"+421 905 777 333\"" &&
	crm-segment --save byname "name=\"Sara Smith\"" &&
	crm-segment --save domain "email~example.com" &&
	crm-segment --save other "name~sarah*" &&
	crm-segment --save vip tag:vip
	} >/dev/null &&
	crm-forget 1 >out 2>err &&
	test ! -s out &&
	expect err <<-EOF &&
	crm-forget: saved segment '\''byname'\'' dropped: its query held an erased value
	crm-forget: saved segment '\''call'\'' dropped: its query held an erased value
	crm-forget: saved segment '\''new'\'' dropped: its query held an erased value
	crm-forget: saved segment '\''old'\'' dropped: its query held an erased value
	EOF
	crm-segment --list >got &&
	expect got <<-EOF &&
	domain	email~example.com
	other	name~sarah*
	vip	tag:vip
	EOF
	crm-compact >/dev/null &&
	! grep -r -a -i -e "sara[^h]" -e 905777333 "$CRM_DB"
'

# -------------------------------------------------------------- crm-gc

check 'crm-gc: setup, transactions of 2023 to 2026, one forgotten' '
	CRM_DB=$T/gc &&
	{
	crm-add --now 2023-01-01 person name=Aaa email=aaa@x.example &&
	crm-add --now 2023-01-02 person name=Bbb &&
	crm-set --now 2023-02-01 1 city=Nitra &&
	crm-forget --now 2023-03-01 1 &&
	crm-add --now 2023-04-01 person name=Ccc &&
	crm-add --now 2025-06-01 person name=Ddd &&
	crm-set --now 2026-01-01 2 city=Brno
	} >/dev/null &&
	crm-history | cut -f 1 | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 5 6 7 " &&
	mdb_dump -s journal "$CRM_DB" | grep -c "^ " >gc.lines &&
	test "$(cat gc.lines)" -eq 28
'

check 'crm-gc --dry-run: what it would remove, nothing changed' '
	CRM_DB=$T/gc &&
	before=$(store_sum) &&
	crm-gc --now 2026-11-23 --keep 2y --dry-run >got &&
	expect got <<-EOF &&
	4	8	2024-11-23T00:00:00+00:00
	EOF
	test "$(store_sum)" = "$before"
'

check 'crm-gc --keep 2y: the older transactions go, the erasure stays' '
	CRM_DB=$T/gc &&
	crm-gc --now 2026-11-23 --keep 2y >got &&
	expect got <<-EOF &&
	4	8	2024-11-23T00:00:00+00:00
	EOF
	crm-history | cut -f 1,4,5,9 >got &&
	expect got <<-EOF &&
	4	1	forgotten	crm-forget --now 2023-03-01 1
	6	4	created	crm-add --now 2025-06-01 person name=Ddd
	7	2	set	crm-set --now 2026-01-01 2 city=Brno
	EOF
	test "$(mdb_dump -s journal "$CRM_DB" | grep -c "^ ")" -eq 12 &&
	crm-segment type=person | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 " &&
	refused "no transaction 2" crm-undo 2 &&
	refused "for good" crm-undo 4 &&
	crm-gc --now 2026-11-23 --keep 2y >got &&
	expect got <<-EOF
	0	0	2024-11-23T00:00:00+00:00
	EOF
'

check 'crm-gc: a bad --keep, or none, exit 2 and nothing pruned' '
	CRM_DB=$T/gc &&
	for k in 5x 5 -2y 2y5 y ""; do
		refused "--keep: an age such as 90d" \
			crm-gc --now 2030-01-01 --keep "$k" || exit 1
	done &&
	refused "usage: crm-gc" crm-gc --now 2030-01-01
'

check 'crm-gc: crm-check passes after' '
	CRM_DB=$T/gc &&
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'
