#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0400-crm-set.t - changing fields and tags of records
plan 30

# bad_set TEXT ARG...: crm-set ARG... exits 2, says TEXT on stderr and
# leaves the store as it was
bad_set() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 crm-set "$@" 2>err || { cat err; false; }; } &&
	grep -F -e "$text" err &&
	test "$(store_sum)" = "$before"
}

check 'setup: a company and three people' '
	crm-add company name="Kovo s.r.o." >ids &&
	crm-add person name="Jana Nováková" email=jana@kovo.sk city=Košice \
		tags=vip,b2b >>ids &&
	crm-add person name="Jürgen Müller" email=juergen@example.de >>ids &&
	crm-add person name="Eva Malá" email=eva@example.com >>ids &&
	expect ids <<-EOF
	1
	2
	3
	4
	EOF
'

check 'field=value sets a field' '
	crm-set 2 owner=anna title="Obchodná riaditeľka" &&
	crm-show -f "%{owner}|%{title}" 2 >out &&
	expect out <<-EOF
	anna|Obchodná riaditeľka
	EOF
'

check 'field= clears a field' '
	crm-set 2 city= &&
	crm-show -j 2 >out &&
	jq -r "has(\"city\")" out >got &&
	expect got <<-EOF
	false
	EOF
'

check 'a reference is set and shown with its name' '
	crm-set 2 company=1 &&
	crm-show 2 >out &&
	grep -x "company: 1 Kovo s.r.o." out
'

check 'the phone number is normalised' '
	crm-set 3 phone="0905 123 456" &&
	crm-show -f "%{phone}" 3 >out &&
	expect out <<-EOF
	+421905123456
	EOF
'

check 'tags+= adds several tags, once each' '
	crm-set 2 tags+=new,vip,hot &&
	crm-show -j 2 >out &&
	jq -c .tags out >got &&
	expect got <<-\EOF
	["vip","b2b","new","hot"]
	EOF
'

check 'tags-= removes several tags' '
	crm-set 2 tags-=vip,hot &&
	crm-show -j 2 >out &&
	jq -c .tags out >got &&
	expect got <<-\EOF
	["b2b","new"]
	EOF
'

check 'tags+= and tags-= in one command, on several ids' '
	crm-set 2 3 tags+=newsletter tags-=b2b &&
	crm-show -f "%{id} %{tags}" 2 3 >out &&
	expect out <<-EOF
	2 new,newsletter
	3 newsletter
	EOF
'

check 'tags-= of a tag not there changes nothing' '
	before=$(store_sum) &&
	crm-set 3 tags-=cold &&
	test "$(store_sum)" = "$before" &&
	crm-show -f "%{tags}" 3 >out &&
	expect out <<-EOF
	newsletter
	EOF
'

check 'ids from stdin with -' '
	printf "2\n3\n" >ids &&
	crm-set - owner=bob <ids &&
	crm-show -f "%{id} %{owner}" 2 3 >out &&
	expect out <<-EOF
	2 bob
	3 bob
	EOF
'

check 'ids from stdin when no ids are given and stdin is a pipe' '
	printf "3\n4\n" | crm-set owner=anna &&
	crm-show -f "%{id} %{owner}" 2 3 4 >out &&
	expect out <<-EOF
	2 bob
	3 anna
	4 anna
	EOF
'

check 'ids on stdin may carry more columns (crm-find output)' '
	crm-find --email eva@example.com >found &&
	crm-set - city=Prešov <found &&
	crm-show -f "%{city}" 4 >out &&
	expect out <<-EOF
	Prešov
	EOF
'

check 'an empty selection is refused' '
	: >empty &&
	bad_set "no records" owner=zed <empty
'

check 'no changes is bad usage' '
	bad_set "usage" 2
'

check 'an unknown id changes nothing, not even the other ids' '
	bad_set "no record 99" 2 99 3 owner=zed &&
	crm-show -f "%{owner}" 2 3 >out &&
	expect out <<-EOF
	bob
	anna
	EOF
'

check 'an unknown field suggests the close one, changes nothing' '
	bad_set "unknown field '\''emial'\'' (did you mean '\''email'\''?)" \
		2 3 emial=x@example.com
'

check 'a bad value changes nothing' '
	bad_set "'\''birthday'\'': '\''1990-02-30'\''" 2 3 owner=zed \
		birthday=1990-02-30 &&
	crm-show -f "%{owner}" 2 >out &&
	expect out <<-EOF
	bob
	EOF
'

check 'a bad e-mail changes nothing' '
	bad_set "'\''email'\''" 2 email=jana.at.kovo.sk
'

check 'a reference to a missing record changes nothing' '
	bad_set "no record 77" 2 company=77
'

check 'clearing a required field is refused' '
	bad_set "'\''name'\''" 2 name=
'

check 'an e-mail another record holds is refused, naming it' '
	bad_set "record 4" 2 email=EVA@example.com
'

check 'one e-mail for two records in one command is refused' '
	bad_set "same@example.com" 2 3 email=same@example.com &&
	must_fail 1 crm-find --email same@example.com >out
'

check 'the e-mail index follows a change' '
	crm-set 2 email=jana.novakova@kovo.sk &&
	must_fail 1 crm-find --email jana@kovo.sk >out &&
	crm-find --email jana.novakova@kovo.sk >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	EOF
'

check 'the old e-mail is free for another record' '
	crm-set 4 email=jana@kovo.sk &&
	crm-find --email jana@kovo.sk >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	4
	EOF
'

check 'the name index follows a rename' '
	crm-set 2 name="Jana Horváthová" &&
	must_fail 1 crm-find nováková >out &&
	crm-find horv >out &&
	cut -f 1,3 out >got &&
	expect got <<-EOF
	2	Jana Horváthová
	EOF
'

check 'the phone index follows a change' '
	crm-set 3 phone="+421 911 000 111" &&
	must_fail 1 crm-find --phone 0905123456 >out &&
	crm-find --phone 0911000111 >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	3
	EOF
'

check 'a real change writes to the store (the journal grows)' '
	before=$(store_sum) &&
	crm-set 3 note="Volal 23. 11." &&
	test "$(store_sum)" != "$before"
'

check 'the journal grows with each change' '
	mdb_dump -s journal "$CRM_DB" >j1 &&
	crm-set 3 note="Volal znova" &&
	mdb_dump -s journal "$CRM_DB" >j2 &&
	test "$(wc -l <j2)" -gt "$(wc -l <j1)"
'

check '-j prints the records as they now are' '
	crm-set -j 2 3 tags+=nov >out &&
	jq -r "[.id, (.tags | index(\"nov\") != null)] | @tsv" out >got &&
	expect got <<-EOF
	2	true
	3	true
	EOF
'

check 'a bad template is refused before anything is written' '
	bad_set "unknown field" -f "%{nmae}" 2 tags+=never
'
