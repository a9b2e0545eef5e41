#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0100-crm-add.t - adding records from arguments, JSON Lines and CSV
plan 51

# add-fields.awk: a schema with a number and a bool field for persons
cat >add-fields.awk <<\EOF
{ print }
/^  person:/ { p = 1 }
p && /^    fields:/ {
	print "      score:      {type: number}"
	print "      active:     {type: bool}"
	p = 0
}
EOF

# bad_add TEXT ARG...: crm-add ARG... exits 2, says TEXT on stderr, prints
# nothing on stdout and leaves the store as it was
bad_add() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 crm-add "$@" >out 2>err || { cat out err; false; }; } &&
	grep -F -e "$text" err &&
	test ! -s out &&
	test "$(store_sum)" = "$before"
}

# bad_import TEXT ARG... <INPUT: the same, for records on stdin
bad_import() {
	bad_add "$@"
}

check 'the first add prints id 1' '
	crm-add person name="Jana Nováková" email=jana@kovo.sk >out &&
	expect out <<-EOF
	1
	EOF
'

check 'ids are unique across types: a company gets 2' '
	crm-add company name="Kovo s.r.o." city=Košice >out &&
	expect out <<-EOF
	2
	EOF
'

check 'the id of a removed record is not given again' '
	crm-rm 2 &&
	crm-add company name="Kovo s.r.o." city=Košice >out &&
	expect out <<-EOF
	3
	EOF
'

check 'an unknown field suggests the close one, writes nothing' '
	bad_add "crm-add: unknown field '\''emial'\'' (did you mean '\''email'\''?)" \
		person name=Eva emial=eva@example.com
'

check 'a bad e-mail address names the field and the value' '
	bad_add "'\''email'\'': '\''eva@'\''" person name=Eva email=eva@
'

check 'a bad date names the field and the value' '
	bad_add "'\''birthday'\'': '\''2026-02-30'\''" \
		person name="Jürgen Müller" birthday=2026-02-30
'

check 'a bad amount names the field and the value' '
	bad_add "'\''amount'\'': '\''12,5x'\''" deal name=Stroje amount=12,5x
'

check 'a deal stage not in the list names the field and the value' '
	bad_add "'\''stage'\'': '\''wonn'\''" deal name=Stroje stage=wonn
'

check 'a bad phone number names the field and the value' '
	bad_add "'\''phone'\'': '\''0905-abc'\''" person name=Eva phone=0905-abc
'

check 'a missing required name is refused' '
	bad_add "'\''name'\'' is required" person email=eva@example.com
'

check 'an unknown type suggests the close one' '
	bad_add "unknown type '\''persn'\'' (did you mean '\''person'\''?)" \
		persn name=Eva
'

check 'a reference to a missing record is refused' '
	bad_add "'\''company'\'': no record 99" person name=Eva company=99
'

check 'a reference to a record of the wrong type is refused' '
	bad_add "record 1 is a person, not a company" person name=Eva company=1
'

check 'a schema with a number and a bool field can be applied' '
	crm-schema show >schema.yaml &&
	awk -f add-fields.awk schema.yaml >custom.yaml &&
	crm-schema apply custom.yaml &&
	crm-schema fields person >out &&
	grep -x score out && grep -x active out
'

check 'a bad number names the field and the value' '
	bad_add "'\''score'\'': '\''lots'\''" person name=Eva score=lots
'

check 'a bad bool names the field and the value' '
	bad_add "'\''active'\'': '\''maybe'\''" person name=Eva active=maybe
'

check 'JSON Lines: several records, blank lines skipped' '
	cat >in.jsonl <<-\EOF &&
	{"name":"Eva Malá","email":"eva@example.com","tags":["vip","b2b"],"score":12.5,"active":true}

	   
	{"name":"Jürgen Müller","phone":"+49 30 1234567","tags":"new,cold","active":false}
	{"name":"Peter Horváth","company":3,"score":7}
	EOF
	crm-add person <in.jsonl >out &&
	expect out <<-EOF
	4
	5
	6
	EOF
'

check 'JSON Lines: tags, numbers, booleans and refs are stored' '
	crm-show -j 4 5 6 >out &&
	jq -c "[.name, .tags, .score, .active, .company, .phone]" out >got &&
	expect got <<-\EOF
	["Eva Malá",["vip","b2b"],12.5,true,null,null]
	["Jürgen Müller",["new","cold"],null,false,null,"+49301234567"]
	["Peter Horváth",null,7,null,3,null]
	EOF
'

check 'JSON Lines: a number in a money field' '
	echo "{\"name\":\"Stroje\",\"amount\":1840.5,\"stage\":\"won\"}" >deal.jsonl &&
	crm-add deal <deal.jsonl >out &&
	expect out <<-EOF &&
	7
	EOF
	crm-show -j 7 >out &&
	jq -c "[.amount, .stage]" out >got &&
	expect got <<-\EOF
	[1840.5,"won"]
	EOF
'

check 'JSON Lines: one bad line rejects the whole input' '
	cat >in.jsonl <<-\EOF &&
	{"name":"Anna Kováčová","email":"anna@example.com"}
	{"name":"Ján Šťastný"}
	{"name":"Zuzana","emial":"zuzana@example.com"}
	{"name":"Marek Kováč"}
	EOF
	bad_import "crm-add: line 3: unknown field '\''emial'\'' (did you mean '\''email'\''?)" \
		person <in.jsonl
'

check 'JSON Lines: bad JSON names the line' '
	printf "%s\n" "{\"name\":\"Anna Kováčová\"}" "" "{\"name\":\"Ján\"" \
		>in.jsonl &&
	bad_import "crm-add: line 3: " person <in.jsonl &&
	grep -i json err
'

check 'JSON Lines: a line that is not an object is refused' '
	printf "%s\n" "[\"Anna\"]" >in.jsonl &&
	bad_import "crm-add: line 1: " person <in.jsonl
'

check 'CSV: quotes, commas, newlines, CRLF, a BOM and empty cells' '
	printf "\357\273\277name,email,note,city\r\n" >in.csv &&
	printf "\"Horváth, Peter\",peter@kovo.sk,\"said \"\"hi\"\"\nand left\",\r\n" >>in.csv &&
	printf "Zuzana Malá,,,Košice\r\n" >>in.csv &&
	crm-add --from csv person <in.csv >out &&
	expect out <<-EOF &&
	8
	9
	EOF
	crm-show -j 8 9 >out &&
	jq -c "[.name, .email, .note, .city]" out >got &&
	expect got <<-\EOF
	["Horváth, Peter","peter@kovo.sk","said \"hi\"\nand left",null]
	["Zuzana Malá",null,null,"Košice"]
	EOF
'

check 'CSV: a semicolon delimiter is detected' '
	printf "name;email;city\n\"Ivan; Kráľ\";ivan@example.com;Žilina, SK\n" \
		>in.csv &&
	crm-add --from csv person <in.csv >out &&
	expect out <<-EOF &&
	10
	EOF
	crm-show -j 10 >out &&
	jq -c "[.name, .email, .city]" out >got &&
	expect got <<-\EOF
	["Ivan; Kráľ","ivan@example.com","Žilina, SK"]
	EOF
'

check 'CSV: an unknown header column is named' '
	printf "name,emial\nEva,eva2@example.com\n" >in.csv &&
	bad_import "unknown field '\''emial'\''" --from csv person <in.csv
'

check 'CSV: a quote never closed names its line' '
	printf "name,note\nEva,ok\nAnna,\"open\nMarek,x\n" >in.csv &&
	bad_import "line 3: " --from csv person <in.csv &&
	grep -i quote err
'

check 'CSV: a bad value names the line, writes nothing' '
	printf "name,email\nEva,eva3@example.com\nAnna,anna@\n" >in.csv &&
	bad_import "line 3: " --from csv person <in.csv &&
	grep -F "anna@" err
'

check 'an e-mail already held names the record that holds it' '
	bad_add "record 1" person name="Jana Druhá" email=jana@kovo.sk
'

check 'an e-mail differing only in case is the same e-mail' '
	bad_add "record 1" person name="Jana Druhá" email=JANA@Kovo.SK
'

check 'an e-mail given twice in one input names both lines' '
	printf "%s\n" "{\"name\":\"A\",\"email\":\"twice@example.com\"}" \
		"{\"name\":\"B\"}" \
		"{\"name\":\"C\",\"email\":\"Twice@Example.com\"}" >in.jsonl &&
	bad_import "line 3" person <in.jsonl &&
	grep -F "line 1" err
'

check 'an e-mail given twice in one CSV input names both lines' '
	printf "name,email\nA,twice@example.com\nB,TWICE@example.com\n" >in.csv &&
	bad_import "line 3" --from csv person <in.csv &&
	grep -F "line 2" err
'

cat >people.jsonl <<\EOF
{"name":"Jana Nováková","email":"jana@kovo.sk","city":"Košice"}
{"name":"Oľga Šimková","email":"olga@example.com","tags":["b2b"]}
{"name":"Tomáš Řezníček","email":"tomas@example.cz","phone":"+420 602 123 456"}
EOF

check 'with -u a known e-mail updates the record, others are added' '
	crm-add -u person <people.jsonl >ids1 &&
	expect ids1 <<-EOF &&
	1
	11
	12
	EOF
	crm-show -j 1 >out &&
	jq -c "[.name, .email, .city]" out >got &&
	expect got <<-\EOF
	["Jana Nováková","jana@kovo.sk","Košice"]
	EOF
'

check 'running the same import with -u again changes nothing' '
	crm-show -j 1 11 12 >before &&
	crm-find -j novák >found1 && crm-find -j šimk >>found1 &&
	crm-find -j řezn >>found1 &&
	crm-add -u person <people.jsonl >ids2 &&
	cmp ids1 ids2 &&
	crm-show -j 1 11 12 >after &&
	cmp before after &&
	crm-find -j novák >found2 && crm-find -j šimk >>found2 &&
	crm-find -j řezn >>found2 &&
	cmp found1 found2 &&
	must_fail 1 crm-show 13 2>err
'

check 'running a changed import with -u updates the changed fields' '
	sed "s/Košice/Prešov/" people.jsonl >people2.jsonl &&
	crm-add --update person <people2.jsonl >ids3 &&
	cmp ids1 ids3 &&
	crm-show -j 1 >out &&
	jq -c "[.name, .email, .city]" out >got &&
	expect got <<-\EOF
	["Jana Nováková","jana@kovo.sk","Prešov"]
	EOF
'

check 'with -u an e-mail differing in case finds the record' '
	crm-add -u person name="Oľga Šimková" email=OLGA@example.com \
		owner=anna >out &&
	expect out <<-EOF &&
	11
	EOF
	crm-show -j 11 >out &&
	jq -r .owner out >got &&
	expect got <<-EOF
	anna
	EOF
'

check 'a CSV import run again with -u changes nothing' '
	printf "name,email,city\nKarol Kráľ,karol@example.com,Nitra\n" >in.csv &&
	crm-add --from csv -u person <in.csv >ids1 &&
	crm-show -j 13 >before &&
	crm-add --from csv -u person <in.csv >ids2 &&
	expect ids2 <<-EOF &&
	13
	EOF
	cmp ids1 ids2 &&
	crm-show -j 13 >after &&
	cmp before after
'

check 'phone numbers in three notations are all stored as E.164' '
	crm-add person name="Mária Tel1" phone="+421 905 123 456" >ids &&
	crm-add person name="Mária Tel2" phone=00421905123456 >>ids &&
	crm-add person name="Mária Tel3" phone="0905 123 456" >>ids &&
	crm-show -f "%{phone}" - <ids >out &&
	expect out <<-EOF
	+421905123456
	+421905123456
	+421905123456
	EOF
'

check 'a value in Unicode is kept as given' '
	crm-add person name="Ľudovít Štúr" note="Ďakujem, že ste prišli" \
		>id &&
	crm-show -f "[%{name}] %{note}" - <id >out &&
	expect out <<-EOF
	[Ľudovít Štúr] Ďakujem, že ste prišli
	EOF
'

check 'a field given as an empty value is not stored' '
	crm-add person name="Eva Prázdna" city= >id &&
	crm-show -j - <id >out &&
	jq -r "has(\"city\")" out >got &&
	expect got <<-EOF
	false
	EOF
'

check 'an unknown --from format is refused' '
	bad_add "xml" --from xml person <people.jsonl
'

check 'no type is bad usage' '
	must_fail 2 crm-add >out 2>err &&
	grep -i usage err
'

# These come last: should they wrongly add records, the ids above stay.
check 'JSON Lines: text after the object is bad JSON' '
	printf "%s\n" "{\"name\":\"Anna Kováčová\"}" "{\"name\":\"Ján\"} x" \
		>in.jsonl &&
	bad_import "crm-add: line 2: " person <in.jsonl
'


check 'JSON Lines: a NUL byte in a value is refused, not cut off' '
	printf "%s\n" "{\"name\":\"Anna\\u0000Kováčová\"}" >in.jsonl &&
	bad_import "crm-add: line 1: " person <in.jsonl
'


# Enough data to outgrow the 32 MiB map the store starts with, through
# a pipe, so that the retry must read the input again.
cat >gen.awk <<\EOF
BEGIN {
	pad = sprintf("%2000s", "")
	gsub(/ /, "x", pad)
	for (i = 1; i <= 20000; i++)
		printf "{\"name\":\"Hromadný Človek%d\",\"email\":" \
		    "\"bulk%d@example.com\",\"phone\":\"+421 911 %06d\"," \
		    "\"note\":\"%s\"}\n", i, i, i, pad
}
EOF

check '20000 JSON lines through a pipe are all added' '
	awk -f gen.awk | crm-add --db "$T/big" person >ids &&
	test "$(wc -l <ids)" -eq 20000 &&
	sort -nu ids >sorted &&
	test "$(wc -l <sorted)" -eq 20000 &&
	test "$(wc -c <"$T/big/data.mdb")" -gt 33554432
'

check 'the 20000 records are findable by e-mail, name and phone' '
	crm-find --db "$T/big" --email bulk1@example.com >out &&
	crm-find --db "$T/big" --email BULK20000@example.com >>out &&
	crm-find --db "$T/big" -f "%{email}" človek12345 >>out &&
	crm-find --db "$T/big" -f "%{email}" --phone "0911 009999" >>out &&
	cut -f 3,4 out >got &&
	expect got <<-EOF
	Hromadný Človek1	bulk1@example.com
	Hromadný Človek20000	bulk20000@example.com
	bulk12345@example.com
	bulk9999@example.com
	EOF
'

check 'all 20000 e-mail addresses are in the index' '
	crm-find --db "$T/big" --type person -f "%{id}" bulk >found &&
	cmp sorted found
'

check 'a long import prints no progress when stderr is not a terminal' '
	awk "BEGIN { for (i = 0; i < 60000; i++)
		printf \"{\\\"name\\\":\\\"Quiet %d\\\"}\\n\", i }" >quiet.jsonl &&
	crm-add person <quiet.jsonl >ids 2>err &&
	test "$(wc -l <ids)" -eq 60000 &&
	test ! -s err
'

check 'input from a pipe is kept in TMPDIR, and none there is an error' '
	mkdir tmp &&
	printf "{\"name\":\"Kept Here\"}\n" | TMPDIR="$PWD/tmp" crm-add person >out &&
	crm-find -f "%{name}" --id "$(cat out)" >got &&
	expect got <<-EOF &&
	Kept Here
	EOF
	test -z "$(ls tmp)" &&
	before=$(store_sum) &&
	{ printf "{\"name\":\"Not Kept\"}\n" |
	TMPDIR="$PWD/gone" crm-add person >out 2>err; test $? -eq 3; } &&
	grep -F "cannot keep input in $PWD/gone: No such file" err &&
	test ! -s out &&
	test "$(store_sum)" = "$before"
'

# the system's Python: its json module takes only what JSON allows
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TAB=$(printf '\t')

# amounts DB: each deal's amount in the store DB, as a template prints
# it, then as Python's json reads it from -j
amounts() {
	crm-segment --db "$1" -f "%{amount}" type:deal >text &&
	crm-segment --db "$1" -j type:deal | "$PY" -c "import json, sys
for l in sys.stdin: print(json.loads(l)[\"amount\"])" >json &&
	paste text json
}

check 'an amount is kept in its one form: .5 is 0.50, 007 is 7.00, -0 is 0.00' '
	D="$T/money" &&
	for a in .5 007 -.5 -0 1.5000 +12.3456; do
		crm-add --db "$D" deal name="a $a" amount="$a" >/dev/null || return 1
	done &&
	amounts "$D" >got &&
	expect got <<-EOF &&
	0.50${TAB}0.5
	7.00${TAB}7.0
	-0.50${TAB}-0.5
	0.00${TAB}0.0
	1.50${TAB}1.5
	12.3456${TAB}12.3456
	EOF
	crm-export --db "$D" --to jsonl >all.jsonl &&
	crm-import --db "$T/money2" --from jsonl <all.jsonl &&
	crm-export --db "$T/money2" --to jsonl | cmp - all.jsonl
'

check 'an amount an older crm kept as typed is printed in its one form' '
	D="$T/oldmoney" &&
	crm-add --db "$D" deal name=a amount=0.50 >/dev/null &&
	crm-add --db "$D" deal name=b amount=17 >/dev/null &&
	crm-add --db "$D" deal name=c amount=-0.70 >/dev/null &&
	crm-log --db "$D" --amount 2.5 1 purchase >/dev/null &&
	# as crm-add kept .500, 017.00 and -.700: each value is its length,
	# a byte, then its text
	mdb_dump -a -p "$D" | sed -e "s/\\\\040\\.50\\\\1e/\\\\04.500\\\\1e/" \
		-e "s/\\\\0517\\.00\\\\1e/\\\\06017.00\\\\1e/" \
		-e "s/\\\\05-0\\.70\\\\1e/\\\\05-.700\\\\1e/" >old.dump &&
	mkdir "$T/old" && mdb_load -f old.dump "$T/old" &&
	must_fail 1 crm-check --db "$T/old" >out &&
	test "$(grep -c "not a value of its type" out)" -eq 3 &&
	amounts "$T/old" >got &&
	expect got <<-EOF &&
	0.50${TAB}0.5
	17.00${TAB}17.0
	-0.70${TAB}-0.7
	EOF
	crm-report --db "$T/old" deals --by amount --sum amount >got &&
	expect got <<-\EOF &&
	amount	sum_amount
	-0.70	-0.70
	0.50	0.50
	17.00	17.00
	EOF
	crm-export --db "$T/old" --to jsonl >old.jsonl &&
	crm-import --db "$T/new" --from jsonl <old.jsonl &&
	crm-check --db "$T/new"
'

check 'one range for money: crm-add and crm-log refuse what is beyond it' '
	bad_add "field '\''amount'\'': '\''1000000000000000'\'' is out of range" \
		deal name=Huge amount=1000000000000000 &&
	bad_add "field '\''amount'\'': '\''-922337203685477.5808'\'' is out of range" \
		deal name=Huge amount=-922337203685477.5808 &&
	bad_add "field '\''amount'\'': '\''.'\'' is not an amount" \
		deal name=Dot amount=. &&
	before=$(store_sum) &&
	{ must_fail 2 crm-log --amount 1000000000000000 1 purchase \
		>out 2>err || { cat out err; false; }; } &&
	grep -F "amount: '\''1000000000000000'\'' is out of range" err &&
	test "$(store_sum)" = "$before" &&
	id=$(crm-add deal name=Most amount=922337203685477.5807) &&
	crm-log --amount -922337203685477.5807 1 purchase >/dev/null &&
	crm-show -f "%{amount}" "$id" >got &&
	expect got <<-\EOF
	922337203685477.5807
	EOF
'
