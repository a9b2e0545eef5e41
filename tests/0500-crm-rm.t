#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0500-crm-rm.t - removing records
plan 22

check 'setup: two companies, people, a deal' '
	crm-add company name="Kovo s.r.o." >ids &&
	crm-add person name="Jana Nováková" email=jana@kovo.sk \
		phone="0905 123 456" company=1 >>ids &&
	crm-add person name="Peter Horváth" email=peter@kovo.sk company=1 \
		>>ids &&
	crm-add person name="Jürgen Müller" email=juergen@example.de \
		phone="+49 30 1234567" >>ids &&
	crm-add company name="Acme Slovakia" >>ids &&
	crm-add person name="Eva Malá" email=eva@example.com >>ids &&
	crm-add person name="Ján Kováč" email=jan@example.com >>ids &&
	crm-add person name="Oľga Šimková" email=olga@example.com >>ids &&
	crm-add deal name="Lisovacie stroje" company=5 amount=1840.50 >>ids &&
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

check 'a removed record is gone: crm-show exits 1' '
	crm-rm 4 &&
	must_fail 1 crm-show 4 >out 2>err &&
	test ! -s out &&
	grep -F "no record 4" err
'

check 'the name index is cleaned' '
	must_fail 1 crm-find jürgen >out &&
	must_fail 1 crm-find müller >out &&
	test ! -s out
'

check 'the e-mail index is cleaned' '
	must_fail 1 crm-find --email juergen@example.de >out &&
	must_fail 1 crm-find juergen@ >out &&
	test ! -s out
'

check 'the phone index is cleaned' '
	must_fail 1 crm-find --phone "+49 30 1234567" >out &&
	test ! -s out
'

check 'the e-mail of a removed record is free again' '
	crm-add person name="Jürgen Müller" email=juergen@example.de >out &&
	expect out <<-EOF
	10
	EOF
'

check 'ids from stdin with -' '
	printf "6\n7\n" >ids &&
	crm-rm - <ids &&
	must_fail 1 crm-show 6 7 >out 2>err &&
	test ! -s out
'

check 'ids from stdin when no ids are given and stdin is a pipe' '
	printf "8\n" | crm-rm &&
	must_fail 1 crm-show 8 >out 2>err
'

check 'crm-find output piped through cut to crm-rm' '
	crm-find --email juergen@example.de >found &&
	cut -f 1 found >ids &&
	crm-rm - <ids &&
	must_fail 1 crm-find --email juergen@example.de >out
'

check 'a company with contact persons is refused, naming them' '
	before=$(store_sum) &&
	must_fail 2 crm-rm 1 2>err &&
	test "$(store_sum)" = "$before" &&
	grep -F -w 2 err &&
	grep -F -w 3 err
'

check 'the refusal names each referring record once' '
	must_fail 2 crm-rm 1 2>err &&
	cat err &&
	tr -c "0-9\n" "\n" <err >words &&
	grep -c -x 2 words >count &&
	expect count <<-EOF
	1
	EOF
'

check 'the company and its contacts are still there' '
	crm-show -j 1 >out &&
	jq -c "[.contacts[].id]" out >got &&
	expect got <<-\EOF
	[2,3]
	EOF
'

check 'a company removed together with all its contacts is not refused' '
	crm-add company name="Šróby a.s." >c &&
	crm-add person name="Ivan Kráľ" company="$(cat c)" >p &&
	cat c p >ids &&
	crm-rm - <ids &&
	must_fail 1 crm-show - <ids >out 2>err &&
	test ! -s out
'

check 'an unknown id removes nothing, exit 2' '
	before=$(store_sum) &&
	must_fail 2 crm-rm 2 99 3 2>err &&
	grep -F "99" err &&
	test "$(store_sum)" = "$before" &&
	crm-show -f "%{id}" 2 3 >out &&
	expect out <<-EOF
	2
	3
	EOF
'

check 'an empty selection is refused' '
	: >empty &&
	before=$(store_sum) &&
	must_fail 2 crm-rm <empty 2>err &&
	test "$(store_sum)" = "$before"
'

check 'a word that is not an id is bad usage' '
	before=$(store_sum) &&
	must_fail 2 crm-rm jana 2>err &&
	test "$(store_sum)" = "$before"
'

check '--unlink removes the company and clears its contacts'\'' company' '
	crm-rm --unlink 1 &&
	must_fail 1 crm-show 1 >out 2>err &&
	crm-show -j 2 3 >out &&
	jq -c "[.id, .company]" out >got &&
	expect got <<-\EOF
	[2,null]
	[3,null]
	EOF
'

check 'the company name no longer finds the persons' '
	must_fail 1 crm-find kovo >out &&
	test ! -s out
'

check 'a company referred to by a deal is refused, then --unlink' '
	must_fail 2 crm-rm 5 2>err &&
	grep -F -w 9 err &&
	crm-rm --unlink 5 &&
	crm-show -j 9 >out &&
	jq -r "has(\"company\")" out >got &&
	expect got <<-EOF
	false
	EOF
'

check '-f prints the removed records as they were' '
	crm-add person name="Gone Soon" email=gone@example.com tags=x >id &&
	crm-rm -f "%{name} <%{email}> %{tags}" "$(cat id)" >out &&
	expect out <<-EOF
	Gone Soon <gone@example.com> x
	EOF
'

check 'a bulk removal empties whole pages and keeps every index right' '
	awk "BEGIN { for (i = 1; i <= 3000; i++)
		printf \"{\\\"name\\\":\\\"Bulk P%d\\\",\\\"email\\\":\\\"b%d@example.com\\\",\\\"city\\\":\\\"C%d\\\"}\\n\", i, i, i % 7 }" |
	crm-add person >bulk &&
	crm-log - note first <bulk >/dev/null &&
	{ sed -n "100,1900p" bulk; awk "NR > 1900 && NR % 3" bulk; } >gone &&
	crm-rm - <gone &&
	crm-check &&
	grep -v -x -F -f gone bulk >kept &&
	crm-log - note second <kept >/dev/null &&
	crm-set - tags+=kept <kept &&
	crm-check &&
	crm-find --id "$(tail -n 1 kept)" | cut -f3 >got &&
	echo "Bulk P3000" >want && cmp want got &&
	crm-segment --count "tag:kept" >got &&
	wc -l <kept | tr -d " " >want && cmp want got
'

check 'a record goes with its tasks, open and done; an undo brings all back' '
	id=$(crm-add person name="Tess Tasked") &&
	t1=$(crm-task add "$id" "call back" --due 2026-12-01) &&
	t2=$(crm-task add "$id" "send quote" --due 2026-12-02) &&
	crm-task done "$t2" &&
	crm-rm "$id" &&
	must_fail 1 crm-show "$t1" && must_fail 1 crm-show "$t2" &&
	! crm-task ls --all | grep -F Tess &&
	crm-check &&
	txn=$(crm-history | tail -n 1 | cut -f1) &&
	crm-undo "$txn" >/dev/null &&
	crm-task ls --all | cut -f1 | sort >got &&
	printf "%s\n%s\n" "$t1" "$t2" | sort >want &&
	cmp want got &&
	crm-check
'
