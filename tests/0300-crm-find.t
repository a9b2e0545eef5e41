#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0300-crm-find.t - quick look-up by name, e-mail, phone, company and id
plan 29

check 'setup: companies and people' '
	crm-add company name="Kovo s.r.o." >ids &&
	crm-add person name="Jana Nováková" email=jana@kovo.sk \
		phone="0905 123 456" company=1 >>ids &&
	crm-add person name="Jürgen Müller" email=Juergen.Mueller@example.de \
		phone="+49 30 1234567" >>ids &&
	crm-add person name="Peter Novák" email=peter@kovo.sk company=1 \
		>>ids &&
	crm-add company name="Acme Slovakia" email=info@acme.sk >>ids &&
	crm-add person name="Ján Kováč" email=jan@acme.sk company=5 \
		phone="+421 911 222 333" >>ids &&
	expect ids <<-EOF
	1
	2
	3
	4
	5
	6
	EOF
'

check 'a name prefix finds the records, in the default columns' '
	crm-find nov >out &&
	expect out <<-EOF
	2	person	Jana Nováková	jana@kovo.sk	+421905123456
	4	person	Peter Novák	peter@kovo.sk	
	EOF
'

check 'name search ignores case' '
	crm-find NOV >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	4
	EOF
'

check 'name search ignores accents in the term' '
	crm-find novák >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	4
	EOF
'

check 'name search ignores accents in the name: jur finds Jürgen' '
	crm-find jur >out &&
	cut -f 3 out >got &&
	expect got <<-EOF
	Jürgen Müller
	EOF
'

check 'name search: upper-case accented term' '
	crm-find MÜL >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	3
	EOF
'

check 'a prefix matches only at the start of a word' '
	must_fail 1 crm-find ovak >out &&
	test ! -s out
'

check 'an e-mail prefix finds the record' '
	crm-find juergen.m >out &&
	cut -f 1,4 out >got &&
	expect got <<-EOF
	3	Juergen.Mueller@example.de
	EOF
'

check 'a phone number in any notation finds the record' '
	crm-find 0905123456 >out &&
	crm-find "+421 905 123 456" >>out &&
	crm-find 00421905123456 >>out &&
	crm-find "0905 123 456" >>out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	2
	2
	2
	EOF
'

check 'a company name finds the company and its contact persons' '
	crm-find kovo >out &&
	cut -f 1,2 out >got &&
	expect got <<-EOF
	1	company
	2	person
	4	person
	EOF
'

check 'all terms must match' '
	crm-find kovo jana >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	EOF
'

check 'terms that match different records find nothing' '
	must_fail 1 crm-find jana jürgen >out &&
	test ! -s out
'

check '--type keeps one type' '
	crm-find --type company kovo >out &&
	crm-find --type person acme >>out &&
	cut -f 1,3 out >got &&
	expect got <<-EOF
	1	Kovo s.r.o.
	6	Ján Kováč
	EOF
'

check '--type with an unknown type is bad usage' '
	must_fail 2 crm-find --type persn kovo >out 2>err &&
	grep -F "did you mean '\''person'\''" err
'

check '--email is exact and ignores case' '
	crm-find --email JANA@Kovo.SK >out &&
	cut -f 1 out >got &&
	expect got <<-EOF &&
	2
	EOF
	must_fail 1 crm-find --email jana@kovo >out2 &&
	test ! -s out2
'

check '--phone normalises the number' '
	crm-find --phone "0911 222 333" >out &&
	crm-find --phone 004930-1234567 >>out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	6
	3
	EOF
'

check '--phone with a number nobody has finds nothing' '
	must_fail 1 crm-find --phone 0905000000 >out &&
	test ! -s out
'

check '--id finds one record' '
	crm-find --id 4 >out &&
	cut -f 3 out >got &&
	expect got <<-EOF
	Peter Novák
	EOF
'

check '--id of a missing record finds nothing' '
	must_fail 1 crm-find --id 99 >out &&
	test ! -s out
'

check 'nothing matching is exit 1 with empty output' '
	must_fail 1 crm-find zzyzx >out 2>err &&
	test ! -s out
'

check '-j prints JSON Lines with all fields' '
	crm-find -j kovo >out &&
	jq -c "[.id, .type, .name, .company]" out >got &&
	expect got <<-\EOF
	[1,"company","Kovo s.r.o.",null]
	[2,"person","Jana Nováková",1]
	[4,"person","Peter Novák",1]
	EOF
'

check 'caller id: --phone --json gives the name to jq' '
	crm-find --phone 0905123456 --json >out &&
	jq -r .name out >got &&
	expect got <<-EOF
	Jana Nováková
	EOF
'

check '-j has created in ISO 8601' '
	crm-find -j --id 2 >out &&
	jq -r .created out >got &&
	grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" got
'

check 'the ids found can be piped on' '
	crm-find --type person kovo >found &&
	cut -f 1 found >ids &&
	crm-set - tags+=b2b <ids &&
	crm-find -f "%{id} %{tags}" --type person kovo >out &&
	expect out <<-EOF
	2 b2b
	4 b2b
	EOF
'

check 'no term and no option is bad usage' '
	must_fail 2 crm-find >out 2>err &&
	test ! -s out &&
	grep -i usage err
'

check 'a multi-word term matches each word' '
	crm-find "jana nov" >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2
	EOF
'

check 'an empty term finds nothing, not everyone with an e-mail' '
	must_fail 1 crm-find "" >out &&
	test ! -s out &&
	must_fail 1 crm-find " " >out &&
	test ! -s out &&
	must_fail 1 crm-find nov "" >out &&
	test ! -s out
'

check 'a removed record is no longer found' '
	crm-rm 6 &&
	must_fail 1 crm-find kováč >out &&
	test ! -s out
'

check 'a look-up opens no JSON library; JSON input and output open it' '
	LD_DEBUG=files crm-find --email jana@kovo.sk >out 2>dbg &&
	grep -q jana out &&
	! grep -q "file=libcjson" dbg &&
	LD_DEBUG=files crm-find --json --email jana@kovo.sk >out 2>dbg &&
	grep -q "\"email\":\"jana@kovo.sk\"" out &&
	echo "{\"name\":\"Eva Malá\"}" |
		LD_DEBUG=files crm-add person >out 2>dbg &&
	grep -q "file=libcjson.so.1" dbg
'
