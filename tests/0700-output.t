#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0700-output.t - output options every command shares, and the store's place
plan 35

tab=$(printf '\t')

check 'setup: records with tabs, newlines and backslashes in values' '
	crm-add company name="Kovo s.r.o." >ids &&
	crm-add person name="Jana Nováková" email=jana@kovo.sk \
		phone="0905 123 456" company=1 tags=vip,b2b >>ids &&
	crm-add person name="Jürgen	Müller" \
		note="$(printf "riadok 1\nriadok 2\\\\koniec\r")" >>ids &&
	expect ids <<-EOF
	1
	2
	3
	EOF
'

check 'tab-separated lines: a tab in a value is escaped' '
	crm-find --id 3 >out &&
	expect out <<-EOF
	3${tab}person${tab}Jürgen\\tMüller${tab}${tab}
	EOF
'

check 'one record is one line, however many newlines it holds' '
	crm-find -f "%{id}|%{note}" --id 3 >out &&
	test "$(wc -l <out)" -eq 1 &&
	expect out <<-\EOF
	3|riadok 1\nriadok 2\\koniec\r
	EOF
'

check 'the card escapes values too' '
	crm-show 3 >out &&
	grep -x -F "note: riadok 1\\nriadok 2\\\\koniec\\r" out &&
	grep -x -F "3 person Jürgen\\tMüller" out
'

check 'JSON keeps the value as it is' '
	crm-find -j --id 3 >out &&
	jq -j .note out >got &&
	printf "riadok 1\nriadok 2\\\\koniec\r" >want &&
	cmp want got &&
	jq -r .name out >got &&
	expect got <<-EOF
	Jürgen${tab}Müller
	EOF
'

check '-j prints one JSON object per line' '
	crm-find -j kovo >out &&
	test "$(wc -l <out)" -eq 2 &&
	jq -c "[.id, .type, .name]" out >got &&
	expect got <<-\EOF
	[1,"company","Kovo s.r.o."]
	[2,"person","Jana Nováková"]
	EOF
'

check '-0 ends records with NUL instead of newline' '
	crm-find -0 kovo >out &&
	test "$(tr -cd "\n" <out | wc -c)" -eq 0 &&
	test "$(tr -cd "\0" <out | wc -c)" -eq 2 &&
	tr "\0" "\n" <out >got &&
	expect got <<-EOF
	1${tab}company${tab}Kovo s.r.o.${tab}${tab}
	2${tab}person${tab}Jana Nováková${tab}jana@kovo.sk${tab}+421905123456
	EOF
'

check '-0 with -f and with -j' '
	crm-find -0 -f "%{name}" kovo >out &&
	printf "Kovo s.r.o.\0Jana Nováková\0" >want &&
	cmp want out &&
	crm-show -0 -j 1 2 >out &&
	test "$(tr -cd "\0" <out | wc -c)" -eq 2 &&
	test "$(tr -cd "\n" <out | wc -c)" -eq 0
'

check '-f: fields, literal text and %%' '
	crm-find --type person -f "%{name} <%{email}> 100%%" kovo >out &&
	expect out <<-EOF
	Jana Nováková <jana@kovo.sk> 100%
	EOF
'

check '-f: %{company.name} follows the reference' '
	crm-find -f "%{id}: %{name} @ %{company.name}" kovo >out &&
	expect out <<-EOF
	1: Kovo s.r.o. @ 
	2: Jana Nováková @ Kovo s.r.o.
	EOF
'

check '-f: tab and newline escapes in the template' '
	crm-show -f "%{id}\t%{name}\n--" 2 >out &&
	expect out <<-EOF
	2${tab}Jana Nováková
	--
	EOF
'

check '-f: id, type, created and tags' '
	crm-show -f "%{id} %{type} %{tags}" 2 >out &&
	expect out <<-EOF &&
	2 person vip,b2b
	EOF
	crm-show -f "%{created}" 2 >out &&
	grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" out
'

check '-f: a field the record lacks prints nothing' '
	crm-show -f "[%{phone}]" 3 >out &&
	expect out <<-EOF
	[]
	EOF
'

check '-f: an unknown field is an error that suggests the close one' '
	must_fail 2 crm-find -f "%{emial}" kovo >out 2>err &&
	test ! -s out &&
	grep -F "did you mean '\''email'\''" err
'

check '-f: an unknown field after the dot is an error' '
	must_fail 2 crm-find -f "%{company.nmae}" kovo >out 2>err &&
	test ! -s out &&
	grep -F "company.nmae" err
'

check '-f: %{ without } is an error' '
	must_fail 2 crm-find -f "%{name" kovo >out 2>err &&
	test ! -s out
'

check '-H prints a header line first' '
	crm-find -H kovo >out &&
	expect out <<-EOF
	id${tab}type${tab}name${tab}email${tab}phone
	1${tab}company${tab}Kovo s.r.o.${tab}${tab}
	2${tab}person${tab}Jana Nováková${tab}jana@kovo.sk${tab}+421905123456
	EOF
'

check 'no header without -H' '
	crm-find kovo >out &&
	! grep "^id${tab}" out
'

check 'crm-add -f prints the added record through the template' '
	crm-add -f "%{id} %{name} <%{email}>" person name="Eva Malá" \
		email=eva@example.com >out &&
	expect out <<-EOF
	4 Eva Malá <eva@example.com>
	EOF
'

check 'crm-add -j prints the added record as JSON' '
	crm-add -j person name="Oľga Šimková" email=olga@example.com >out &&
	jq -c "[.id, .name, .email]" out >got &&
	expect got <<-\EOF
	[5,"Oľga Šimková","olga@example.com"]
	EOF
'

check 'crm-add -0 ends the id with NUL' '
	crm-add -0 person name="Ján Kováč" >out &&
	printf "6\0" >want &&
	cmp want out
'

check 'crm-add -f with an unknown field is an error, adds nothing' '
	before=$(store_sum) &&
	must_fail 2 crm-add -f "%{nmae}" person name="Peter Horváth" \
		>out 2>err &&
	test "$(store_sum)" = "$before"
'

check 'data on stdout, diagnostics on stderr' '
	must_fail 1 crm-show -f "%{name}" 2 99 >out 2>err &&
	expect out <<-EOF &&
	Jana Nováková
	EOF
	expect err <<-EOF
	crm-show: no record 99
	EOF
'

check 'the store is created with mode 0700, its files 0600' '
	(umask 022 && crm-add --db "$T/private" person name=Eva >/dev/null) &&
	stat -c %a "$T/private" >modes &&
	for f in "$T"/private/*; do stat -c %a "$f" >>modes || exit 1; done &&
	sort -u modes >got &&
	expect got <<-EOF
	600
	700
	EOF
'

check 'the modes hold even with umask 000' '
	(umask 000 && crm-add --db "$T/open" person name=Eva >/dev/null) &&
	stat -c %a "$T/open" "$T"/open/* >modes &&
	sort -u modes >got &&
	expect got <<-EOF
	600
	700
	EOF
'

check '--db wins over $CRM_DB' '
	crm-add --db "$T/viadb" person name="Eva Db" >out &&
	test -d "$T/viadb" &&
	crm-find --db "$T/viadb" -f "%{name}" eva >got &&
	expect got <<-EOF &&
	Eva Db
	EOF
	must_fail 1 crm-find "eva db" >out
'

check '$CRM_DB is used without --db' '
	CRM_DB="$T/viaenv" crm-add person name="Eva Env" >out &&
	crm-find --db "$T/viaenv" -f "%{name}" eva >got &&
	expect got <<-EOF
	Eva Env
	EOF
'

check '$CRM_DB wins over $XDG_DATA_HOME' '
	CRM_DB="$T/viaenv" XDG_DATA_HOME="$T/xdg" \
		crm-add person name="Eva Env2" >out &&
	test ! -e "$T/xdg/crm"
'

check 'without --db or $CRM_DB: $XDG_DATA_HOME/crm' '
	(unset CRM_DB && XDG_DATA_HOME="$T/xdg" &&
	export XDG_DATA_HOME && crm-add person name="Eva Xdg" >out) &&
	crm-find --db "$T/xdg/crm" -f "%{name}" eva >got &&
	expect got <<-EOF &&
	Eva Xdg
	EOF
	test ! -e "$HOME/.local/share/crm"
'

check 'without $XDG_DATA_HOME either: $HOME/.local/share/crm' '
	(unset CRM_DB XDG_DATA_HOME && crm-add person name="Eva Home" >out) &&
	crm-find --db "$HOME/.local/share/crm" -f "%{name}" eva >got &&
	expect got <<-EOF &&
	Eva Home
	EOF
	stat -c %a "$HOME/.local/share/crm" >mode &&
	expect mode <<-EOF
	700
	EOF
'

check 'every command reads the store named the same way' '
	(unset CRM_DB XDG_DATA_HOME &&
	crm-show -f "%{name}" 1 >out &&
	crm-set 1 city=Košice &&
	crm-find -f "%{name} %{city}" eva >>out &&
	crm-schema types >>out &&
	crm-rm 1) &&
	expect out <<-EOF
	Eva Home
	Eva Home Košice
	person
	company
	deal
	task
	EOF
'

check 'a store that cannot be opened is exit 3' '
	: >"$T/notadir" &&
	must_fail 3 crm-add --db "$T/notadir" person name=Eva 2>err &&
	grep -F "notadir" err
'

check '--version prints the version, exit 0' '
	crm-find --version >out &&
	grep -E "^crm-find [0-9]" out
'

check 'JSON strings: every control byte, quote and backslash, in any place' '
	/usr/bin/python3 -c "import sys; sys.stdout.write(\"\".join(
	    \"ab\\\"cdefgh\"[:i % 9] + chr(i) + chr(92)
	    for i in range(1, 32) if i != 10) + \"é and a long tail\")" >v &&
	id=$(crm-add person name=ctl) &&
	crm-set "$id" note="$(cat v)" &&
	crm-log "$id" note "$(cat v)" >/dev/null &&
	crm-find -j --id "$id" >card.j &&
	crm-log --list "$id" -j >log.j &&
	crm-export --to jsonl --where "id=$id" >exp.j &&
	/usr/bin/python3 -c "import json, sys
v = open(\"v\", newline=\"\").read()
c = json.loads(open(\"card.j\").read())[\"note\"]
assert c == v, (c, v)
assert json.loads(open(\"log.j\").read())[\"text\"] == v
e = json.loads(open(\"exp.j\").read())
assert e[\"note\"] == v and e[\"history\"][0][\"text\"] == v" &&
	crm-rm "$id" >/dev/null
'

check 'JSON of a record with more values than most: 40 tags, in order' '
	tags=$(seq -f "t%g" 1 40 | paste -sd, -) &&
	id=$(crm-add person name=many tags="$tags") &&
	crm-find -j --id "$id" >out &&
	jq -r ".tags | join(\",\")" out >got &&
	echo "$tags" >want &&
	cmp want got &&
	crm-export --to jsonl --where "id=$id" >exp &&
	jq -r ".tags | length" exp >got &&
	echo 40 >want &&
	cmp want got
'
