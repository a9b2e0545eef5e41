#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1000-crm-log.t - the contact history and the figures kept from it
plan 45

# Monday; under TZ=UTC "fri 10:00" is 2026-11-27T10:00:00+00:00
N='2026-11-23 10:00'

# bad_log TEXT ARG...: crm-log ARG... exits 2, says TEXT on stderr and
# leaves the store as it was
bad_log() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 crm-log --now "$N" "$@" 2>err || { cat err; false; }; } &&
	grep -F -e "$text" err &&
	test "$(store_sum)" = "$before"
}

# figures ID...: interactions, last_contact and turnover of each record
figures() {
	crm-show -j "$@" >fig &&
	jq -r "[.id, .interactions, .last_contact, .turnover // 0] | @tsv" fig
}

check 'setup: two companies and three people' '
	crm-add --now "$N" company name="Kovo s.r.o." >ids &&
	crm-add --now "$N" person name="Jana Nováková" company=1 \
		phone="+421 905 123 456" >>ids &&
	crm-add --now "$N" person name="Eva Malá" phone="+421 911 000 111" \
		>>ids &&
	crm-add --now "$N" company name="Prázdna s.r.o." >>ids &&
	crm-add --now "$N" person name="Petra Nová" >>ids &&
	expect ids <<-EOF
	1
	2
	3
	4
	5
	EOF
'

check '--now on crm-add sets the created time' '
	crm-show -j 2 >out &&
	jq -r .created out >got &&
	expect got <<-EOF
	2026-11-23T10:00:00+00:00
	EOF
'

check 'a log prints the id of the new entry' '
	crm-log --now "$N" 2 call "asked for a quote" >out &&
	expect out <<-EOF
	6
	EOF
'

check '--list prints the entry as a tab-separated line' '
	crm-log --list 2 >out &&
	tr "\t" "|" <out >got &&
	expect got <<-EOF
	6|2026-11-23T10:00:00+00:00|2|call|asked for a quote||tester|
	EOF
'

check '--at reads ISO 8601 dates and times' '
	crm-add --db dates person name=D >/dev/null &&
	for w in 2026-12-01 2026-12-01T10:00 "2026-12-01 10:00" \
	    2026-12-01T10:00:30 2026-12-01T10:00Z 2026-12-01T10:00+01:00; do
		crm-log --db dates --now "$N" -f "%{at}" --at "$w" 1 note ||
			exit 1
	done >out &&
	expect out <<-EOF
	2026-12-01T00:00:00+00:00
	2026-12-01T10:00:00+00:00
	2026-12-01T10:00:00+00:00
	2026-12-01T10:00:30+00:00
	2026-12-01T10:00:00+00:00
	2026-12-01T09:00:00+00:00
	EOF
'

check '--at reads words and offsets relative to --now' '
	for w in now today tomorrow yesterday mon monday tue sun friday \
	    "fri 10:00" "tomorrow 9:30" +3d -2w +1m +1y +4h eow eom; do
		crm-log --db dates --now "$N" -f "%{at}" --at "$w" 1 note ||
			exit 1
	done >out &&
	expect out <<-EOF
	2026-11-23T10:00:00+00:00
	2026-11-23T00:00:00+00:00
	2026-11-24T00:00:00+00:00
	2026-11-22T00:00:00+00:00
	2026-11-23T00:00:00+00:00
	2026-11-23T00:00:00+00:00
	2026-11-24T00:00:00+00:00
	2026-11-29T00:00:00+00:00
	2026-11-27T00:00:00+00:00
	2026-11-27T10:00:00+00:00
	2026-11-24T09:30:00+00:00
	2026-11-26T10:00:00+00:00
	2026-11-09T10:00:00+00:00
	2026-12-23T10:00:00+00:00
	2027-11-23T10:00:00+00:00
	2026-11-23T14:00:00+00:00
	2026-11-29T23:59:59+00:00
	2026-11-30T23:59:59+00:00
	EOF
'

if [ -e /usr/share/zoneinfo/Europe/Bratislava ]; then
	check 'dates are read and printed in the local time zone' '
		export TZ=Europe/Bratislava &&
		crm-log --db dates --now "$N" -f "%{at}" --at "fri 10:00" \
			1 note >out &&
		crm-log --db dates -f "%{at}" --at "2026-07-01 12:00" \
			1 note >>out &&
		expect out <<-EOF
		2026-11-27T10:00:00+01:00
		2026-07-01T12:00:00+02:00
		EOF
	'
else
	skip 'the time zone Europe/Bratislava is not installed'
fi

check '--next adds a follow-up task, the id after the entry' '
	crm-log --now "$N" --owner anna --next "tomorrow 9:30" \
		"send the quote" 3 meeting "at the fair" >out &&
	expect out <<-EOF &&
	7
	EOF
	crm-show -j 8 >task &&
	jq -r "[.type, .text, .about, .due, .owner] | @tsv" task >got &&
	expect got <<-EOF
	task	send the quote	3	2026-11-24T09:30:00+00:00	anna
	EOF
'

check '-j prints the new entry; the amount is a number' '
	crm-log --now "$N" -j --at 2026-11-20T09:00 --amount 1840.50 \
		2 purchase "order 117" >out &&
	jq -r "[.id, .at, .record, .kind, .text, .amount * 100, .owner] |
		@tsv" out >got &&
	expect got <<-EOF
	9	2026-11-20T09:00:00+00:00	2	purchase	order 117	184050	tester
	EOF
'

check 'purchases add to the turnover of the person and the company' '
	crm-log --now "$N" --at "fri 10:00" --amount 100 2 purchase \
		"order 118" >out &&
	expect out <<-EOF &&
	10
	EOF
	crm-show -f "%{id} %{turnover}" 2 1 >got &&
	expect got <<-EOF &&
	2 1940.50
	1 1940.50
	EOF
	crm-show -j 2 1 >out &&
	jq ".turnover == 1940.5" out >got &&
	expect got <<-EOF
	true
	true
	EOF
'

check 'the amount of another kind is not turnover' '
	crm-log --now "$N" --at 2026-11-21 --amount 500 2 quote "offer 12" \
		>out &&
	crm-show -f "%{id} %{turnover}" 2 1 >got &&
	expect got <<-EOF
	2 1940.50
	1 1940.50
	EOF
'

check 'a company logged directly counts its own entries too' '
	crm-log --now "$N" --at 2026-11-22 1 visit "visit at Kovo" room=B2 \
		>out &&
	expect out <<-EOF
	12
	EOF
'

check 'interactions and last_contact of the people and the company' '
	figures 2 3 1 4 >got &&
	expect got <<-EOF
	2	4	2026-11-27T10:00:00+00:00	1940.5
	3	1	2026-11-23T10:00:00+00:00	0
	1	5	2026-11-27T10:00:00+00:00	1940.5
	4	0		0
	EOF
'

check 'the card of crm-show prints the figures' '
	crm-show 2 >out &&
	grep -x "last_contact: 2026-11-27T10:00:00+00:00" out &&
	grep -x "interactions: 4" out &&
	grep -x "turnover: 1940.50" out
'

check '--list prints the history newest first' '
	crm-log --list 2 >out &&
	cut -f 1,2,4,6 out >got &&
	expect got <<-EOF
	10	2026-11-27T10:00:00+00:00	purchase	100.00
	6	2026-11-23T10:00:00+00:00	call	
	11	2026-11-21T00:00:00+00:00	quote	500.00
	9	2026-11-20T09:00:00+00:00	purchase	1840.50
	EOF
'

check '--list -n 2 prints the two newest entries' '
	crm-log --list -n 2 2 >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	10
	6
	EOF
'

check '--list -H prints a header line first' '
	crm-log --list -H -n 1 2 >out &&
	tr "\t" "|" <out >got &&
	expect got <<-EOF
	id|at|record|kind|text|amount|owner|campaign
	10|2026-11-27T10:00:00+00:00|2|purchase|order 118|100.00|tester|
	EOF
'

check 'a company'\''s --list holds its contact persons'\'' entries' '
	crm-log --list 1 >out &&
	cut -f 1,3,4 out >got &&
	expect got <<-EOF
	10	2	purchase
	6	2	call
	12	1	visit
	11	2	quote
	9	2	purchase
	EOF
'

check '--list -j prints JSON Lines with the extra fields as keys' '
	crm-log --list -j 1 >out &&
	jq -c "select(.amount or .room) | [.id, .record, .kind,
		(if .amount then .amount * 100 else null end), .room]" \
		out >got &&
	expect got <<-\EOF
	[10,2,"purchase",10000,null]
	[12,1,"visit",null,"B2"]
	[11,2,"quote",50000,null]
	[9,2,"purchase",184050,null]
	EOF
'

check '--list -f prints the entry fields through a template' '
	f="%{id} %{at} %{record} %{kind} %{text} %{amount} %{owner}" &&
	crm-log --list -n 1 -f "$f" 2 >out &&
	expect out <<-EOF
	10 2026-11-27T10:00:00+00:00 2 purchase order 118 100.00 tester
	EOF
'

check '--list -f names an extra field and the direction' '
	crm-log --now "$N" --dir out 5 email "offer sent" ref=X7 >out &&
	crm-log --list -f "%{kind}|%{dir}|%{ref}|%{room}" 5 >got &&
	expect got <<-EOF
	email|out|X7|
	EOF
'

check '--list of a record without history exits 1' '
	must_fail 1 crm-log --list 4 >out &&
	test ! -s out
'

check '--list of an unknown record exits 2' '
	must_fail 2 crm-log --list 999 >out 2>err &&
	grep -F "no record 999" err
'

check '--rm removes an entry; count, turnover, last_contact follow' '
	mdb_dump -s journal "$CRM_DB" >j1 &&
	crm-log --rm 10 >out &&
	test ! -s out &&
	figures 2 1 >got &&
	expect got <<-EOF &&
	2	3	2026-11-23T10:00:00+00:00	1840.5
	1	4	2026-11-23T10:00:00+00:00	1840.5
	EOF
	crm-log --list 2 >out &&
	cut -f 1 out >got &&
	expect got <<-EOF &&
	6
	11
	9
	EOF
	mdb_dump -s journal "$CRM_DB" >j2 &&
	test "$(wc -l <j2)" -gt "$(wc -l <j1)"
'

check '--rm - reads entry ids from stdin' '
	printf "6\n9\n" >rm &&
	crm-log --rm - <rm &&
	figures 2 1 >got &&
	expect got <<-EOF
	2	1	2026-11-21T00:00:00+00:00	0
	1	2	2026-11-22T00:00:00+00:00	0
	EOF
'

check '--rm of an unknown entry removes nothing' '
	before=$(store_sum) &&
	must_fail 2 crm-log --rm 11 9999 2>err &&
	grep -F "no history entry 9999" err &&
	test "$(store_sum)" = "$before" &&
	must_fail 2 crm-log --rm 10 2>err &&
	grep -F "no history entry 10" err
'

check 'ids from stdin with -, text after a tab ignored (caller id)' '
	crm-find --phone +421911000111 >found &&
	crm-log --now "$N" --dir in - call inbound <found >out &&
	crm-log --list -j -n 1 3 >out &&
	jq -r "[.record, .kind, .text, .dir] | @tsv" out >got &&
	expect got <<-EOF
	3	call	inbound	in
	EOF
'

check 'ids from stdin when there are none and stdin is a pipe' '
	printf "3\n5\n" | crm-log --now "$N" note "from a pipe" >out &&
	test "$(wc -l <out)" -eq 2 &&
	figures 3 5 >got &&
	expect got <<-EOF
	3	3	2026-11-23T10:00:00+00:00	0
	5	2	2026-11-23T10:00:00+00:00	0
	EOF
'

check 'bulk: 2000 ids on stdin, all logged in one run' '
	i=0 &&
	while [ $i -lt 2000 ]; do
		echo "{\"name\":\"Bulk $i\"}"
		i=$((i + 1))
	done >people.jsonl &&
	crm-add --now "$N" person <people.jsonl >bulk &&
	test "$(wc -l <bulk)" -eq 2000 &&
	crm-log --now "$N" --campaign xmas26 - letter "Christmas card" \
		<bulk >entries &&
	test "$(wc -l <entries)" -eq 2000 &&
	crm-show -j $(sed -n "1p;1000p;2000p" bulk) >out &&
	jq -r .interactions out >got &&
	expect got <<-EOF &&
	1
	1
	1
	EOF
	crm-log --list -f "%{kind} %{campaign}" "$(tail -n 1 bulk)" >got &&
	expect got <<-EOF
	letter xmas26
	EOF
'

check 'bulk: one unknown id among 2000 logs nothing' '
	{ head -n 1000 bulk; echo 999999; tail -n +1001 bulk; } >bad &&
	bad_log "no record 999999" - letter "second card" <bad &&
	crm-show -j $(sed -n "1p;2000p" bulk) >out &&
	jq -r .interactions out >got &&
	expect got <<-EOF
	1
	1
	EOF
'

check 'an unknown id among the arguments logs nothing' '
	bad_log "no record 99999" 2 99999 call x
'

check 'an unknown kind suggests the close one, logs nothing' '
	bad_log "unknown kind '\''cal'\'' (did you mean '\''call'\''?)" 2 cal x
'

check 'a date it cannot read names the forms, logs nothing' '
	bad_log "'\''someday'\''" --at someday 2 call &&
	grep -F "2026-12-01T10:00" err &&
	grep -F "+3d" err &&
	grep -F "fri 10:00" err &&
	bad_log "'\''tomorrow 25:00'\''" --next "tomorrow 25:00" "x" 2 call
'

check 'a bad amount or direction logs nothing' '
	bad_log "'\''12,x'\''" --amount 12,x 2 purchase &&
	bad_log "--amount: '\'''\''" --amount "" 2 purchase x &&
	bad_log "'\''up'\''" --dir up 2 call
'

check 'one TEXT only: a second word is refused, logs nothing' '
	bad_log "one TEXT only" 5 note "first" "second" &&
	bad_log "Room=2" 5 note "first" Room=2
'

check 'key=value words are extra fields; BAD=x is the text' '
	crm-log --now "$N" -j 5 note BAD=x >out &&
	jq -r "[.text, has(\"BAD\")] | @tsv" out >got &&
	expect got <<-EOF &&
	BAD=x	false
	EOF
	crm-log --now "$N" -j 5 note hello room=B2 floor_2=yes >out &&
	jq -r "[.text, .room, .floor_2] | @tsv" out >got &&
	expect got <<-EOF
	hello	B2	yes
	EOF
'

check 'a free field may not take a key of the entry: amount=100 is refused' '
	bad_log "'\''amount=100'\'': amount is a part of every entry" \
		5 purchase order amount=100 &&
	bad_log "'\''dir=x'\'': dir is" 5 call x dir=x &&
	bad_log "'\''id=3'\''" 5 call x id=3 &&
	# what such a store exported is read back: amount as a string
	printf "%s\n" "{\"type\":\"person\",\"name\":\"Ona Old\",\"history\":[{\"at\":\"2026-01-02T10:00:00Z\",\"kind\":\"purchase\",\"text\":\"order\",\"amount\":\"100\"}]}" |
		crm-import --from jsonl 2>err &&
	grep -F "1 added" err &&
	id=$(crm-find ona | cut -f1) &&
	crm-log --list -j "$id" | jq -e ".amount == 100"
'

check 'a tab, newline and backslash in the text are escaped in --list' '
	text=$(printf "line one\nline\ttwo \\\\ three") &&
	crm-log --now "$N" 4 complaint "$text" >out &&
	crm-log --list 4 >out &&
	test "$(wc -l <out)" -eq 1 &&
	cut -f 5 out >got &&
	expect got <<-\EOF &&
	line one\nline\ttwo \\ three
	EOF
	crm-log --list -j 4 >out &&
	jq -r .text out >got &&
	printf "%s\n" "$text" >want &&
	cmp want got
'

check '-0 ends each printed id with a NUL byte' '
	crm-log --now "$N" -0 3 5 note x >out &&
	tr "\0" "\n" <out >got &&
	test "$(wc -l <got)" -eq 2 &&
	test "$(tr -d "0-9\0" <out | wc -c)" -eq 0
'

check 'no kind is bad usage' '
	bad_log "usage" 2
'

check 'an amount logged on many ids in one run counts on each' '
	crm-add --db "$T/bulkdb" company name=B >/dev/null &&
	for i in 1 2 3 4 5 6; do echo "{\"name\":\"P$i\",\"company\":1}"; done |
		crm-add --db "$T/bulkdb" person >/dev/null &&
	printf "%s\n" 2 3 4 5 6 7 |
		crm-log --db "$T/bulkdb" --now "$N" - purchase order --amount 10.25 >/dev/null &&
	crm-segment --db "$T/bulkdb" "turnover=10.25" >got &&
	printf "%s\n" 2 3 4 5 6 7 >want &&
	cmp want got &&
	test "$(crm-show --db "$T/bulkdb" -j 1 | jq -r .turnover)" = 61.5
'

check 'a company logged in the same run as its people counts them all' '
	before=$(crm-show --db "$T/bulkdb" -j 1 | jq .interactions) &&
	printf "%s\n" 2 1 3 1 |
		crm-log --db "$T/bulkdb" --now "$N" - call "round" \
		--at 2026-11-30T08:00:00Z >/dev/null &&
	crm-show --db "$T/bulkdb" -j 1 >c1 &&
	test "$(jq .interactions c1)" -eq $((before + 4)) &&
	test "$(jq -r .last_contact c1)" = 2026-11-30T08:00:00+00:00 &&
	crm-segment --db "$T/bulkdb" --now "$N" "type:company and last_contact>+6d" >got &&
	echo 1 >want && cmp want got &&
	crm-check --db "$T/bulkdb"
'

check 'bulk writes and walks past the points where the map is let go' '
	"$TOP/tests/bench/gen" 70000 --format jsonl >big.jsonl &&
	crm-add --db "$T/big" person <big.jsonl >ids &&
	test "$(wc -l <ids)" -eq 70000 &&
	crm-log --db "$T/big" --now "$N" - call "big round" \
		--at 2026-11-02T08:00:00Z <ids >/dev/null &&
	crm-export --db "$T/big" --to jsonl >exp &&
	test "$(grep -c "\"big round\"" exp)" -eq 70000 &&
	jq -c "select(.id)" exp | tail -n 1 |
	    jq -e ".id == 70000 and .interactions == 1" &&
	crm-segment --db "$T/big" --count --now "$N" "last_contact<-1d" >got &&
	echo 70000 >want && cmp want got &&
	crm-check --db "$T/big"
'

# every table but its header (the map size), in key order
tables() {
	for t in meta records postings ranges journal log logid; do
		mdb_dump -p -s "$t" "$1" | sed "1,/^HEADER=END/d" || return 1
	done
}

check 'crm-compact of a store in bulk: every entry as it was' '
	tables "$T/big" >before &&
	test "$(wc -l <before)" -gt 1000000 &&
	crm-compact --db "$T/big" >sizes &&
	tables "$T/big" >after &&
	cmp before after &&
	test "$(cut -f 2 sizes)" -lt "$(cut -f 1 sizes)" &&
	crm-check --db "$T/big" &&
	crm-segment --db "$T/big" --count type:person >got &&
	echo 70000 >want && cmp want got
'

check 'a turnover beyond the range of money is refused, nothing logged' '
	D="$T/turnover" &&
	p=$(crm-add --db "$D" person name=Big) &&
	q=$(crm-add --db "$D" person name=Bigger) &&
	c=$(crm-add --db "$D" company name=Biggest) &&
	crm-log --db "$D" --amount 500000000000000 "$p" purchase >/dev/null &&
	crm-log --db "$D" --amount 500000000000000 "$q" purchase >/dev/null &&
	crm-set --db "$D" "$p" company="$c" >/dev/null &&
	before=$(store_sum) &&
	{ must_fail 2 crm-log --db "$D" --amount 500000000000000 "$p" \
		purchase 2>err || { cat err; false; }; } &&
	grep -F "crm-log: the turnover of record $p would be out of range" err &&
	{ must_fail 2 crm-set --db "$D" "$q" company="$c" 2>err ||
		{ cat err; false; }; } &&
	grep -F "the turnover of record $c would be out of range" err &&
	test "$(store_sum)" = "$before" &&
	printf "%s\n" "$p" "$q" | must_fail 2 crm-log --db "$D" \
		--amount 450000000000000 - purchase 2>err &&
	grep -F "would be out of range" err &&
	test "$(store_sum)" = "$before" &&
	crm-log --db "$D" --amount -500000000000000 "$p" purchase >/dev/null &&
	crm-set --db "$D" "$q" company="$c" >/dev/null &&
	crm-show --db "$D" -f "%{turnover}" "$c" >got &&
	echo 500000000000000.00 >want && cmp want got &&
	crm-check --db "$D"
'
