#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0200-crm-show.t - the customer card
plan 17

check 'setup: a person, a company and two contact persons' '
	crm-add person name="Jürgen Müller" email=juergen@example.de >ids &&
	crm-add company name="Kovo s.r.o." city=Košice vat_id=SK2020123456 \
		>>ids &&
	crm-add person name="Jana Nováková" first_name=Jana \
		last_name=Nováková email=jana@kovo.sk phone="0905 123 456" \
		company=2 title=Riaditeľka street="Hlavná 1" city=Košice \
		zip="040 01" country=SK tags=vip,b2b owner=anna \
		birthday=--04-17 url=https://kovo.sk note="Volať ráno" >>ids &&
	crm-add person name="Peter Horváth" email=peter@kovo.sk company=2 \
		>>ids &&
	expect ids <<-EOF
	1
	2
	3
	4
	EOF
'

check 'a person card shows every field in schema order' '
	crm-show 3 >out &&
	sed "s/^created: .*/created: TIME/" out >card &&
	expect card <<-EOF
	3 person Jana Nováková
	name: Jana Nováková
	first_name: Jana
	last_name: Nováková
	email: jana@kovo.sk
	phone: +421905123456
	company: 2 Kovo s.r.o.
	title: Riaditeľka
	street: Hlavná 1
	city: Košice
	zip: 040 01
	country: SK
	tags: vip,b2b
	owner: anna
	birthday: --04-17
	url: https://kovo.sk
	note: Volať ráno
	created: TIME
	EOF
'

check 'the created line is an ISO 8601 time' '
	crm-show 3 >out &&
	grep -E "^created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:?[0-9]{2})$" out
'

check 'a company card starts with its fields' '
	crm-show 2 >out &&
	sed -n "1,4p" out >head &&
	sed "s/^created: .*/created: TIME/" head >card &&
	expect card <<-EOF
	2 company Kovo s.r.o.
	name: Kovo s.r.o.
	vat_id: SK2020123456
	city: Košice
	EOF
'

check 'a company card lists its contact persons' '
	crm-show 2 >out &&
	sed -n "/^contacts:$/,\$p" out >contacts &&
	test "$(wc -l <contacts)" -eq 3 &&
	grep -E "^[[:space:]]+3	Jana Nováková	jana@kovo.sk	?" contacts &&
	grep -E "^[[:space:]]+4	Peter Horváth	peter@kovo.sk	?" contacts
'

check 'a contact line holds id, name, e-mail and phone, as documented' '
	crm-show 2 >out &&
	sed -n "/^contacts:$/,\$p" out >contacts &&
	grep -E "^[[:space:]]+3	Jana Nováková	jana@kovo.sk	(\+[0-9]+)?$" \
		contacts
'

check 'a person card has no contacts section' '
	crm-show 1 >out &&
	! grep "^contacts:" out
'

check '-j prints one JSON object per id' '
	crm-show -j 3 2 >out &&
	test "$(wc -l <out)" -eq 2 &&
	jq -r ".name" out >names &&
	expect names <<-EOF
	Jana Nováková
	Kovo s.r.o.
	EOF
'

check '-j: tags are an array, the reference an id' '
	crm-show -j 3 >out &&
	jq -c "[.id, .type, .tags, .company, .phone, .birthday]" out >got &&
	expect got <<-\EOF
	[3,"person",["vip","b2b"],2,"+421905123456","--04-17"]
	EOF
'

check '-j: a company has its contacts' '
	crm-show -j 2 >out &&
	jq -c "[.contacts[0].name, .contacts[0].email, .contacts[0].phone,
	    .contacts[1].id, (.contacts | length)]" out >got &&
	expect got <<-\EOF
	["Jana Nováková","jana@kovo.sk","+421905123456",4,2]
	EOF
'

check 'several ids print several cards, blank line between' '
	crm-show 1 4 >out &&
	grep -c "^created: " out >count &&
	expect count <<-EOF &&
	2
	EOF
	grep -n "^$" out >blank &&
	test "$(wc -l <blank)" -eq 1 &&
	grep -x "4 person Peter Horváth" out
'

check 'ids on stdin, with more columns after a tab' '
	printf "4\tperson\tPeter Horváth\n1\tperson\tJürgen Müller\n" >ids &&
	crm-show -f "%{id} %{name}" <ids >out &&
	expect out <<-EOF
	4 Peter Horváth
	1 Jürgen Müller
	EOF
'

check 'ids on stdin with -' '
	printf "3\n" >ids &&
	crm-show -j - <ids >out &&
	jq -r .email out >got &&
	expect got <<-EOF
	jana@kovo.sk
	EOF
'

check 'the output of crm-find can be fed to crm-show' '
	crm-find kovo >found &&
	crm-show -f "%{id} %{type} %{name}" <found >out &&
	expect out <<-EOF
	2 company Kovo s.r.o.
	3 person Jana Nováková
	4 person Peter Horváth
	EOF
'

check 'a missing id is a warning and exit 1, the others are shown' '
	must_fail 1 crm-show -f "%{name}" 1 99 4 >out 2>err &&
	expect out <<-EOF &&
	Jürgen Müller
	Peter Horváth
	EOF
	expect err <<-EOF
	crm-show: no record 99
	EOF
'

check 'a word that is not an id is bad usage' '
	must_fail 2 crm-show jana >out 2>err &&
	test ! -s out &&
	grep -F "jana" err
'

check '-0: each card ends with a NUL, no empty line between them' '
	crm-show 1 2 >cards &&
	crm-show -0 1 2 >nul &&
	test "$(tr -cd "\000" <nul | wc -c)" -eq 2 &&
	tr "\000" "\n" <nul >got &&
	{ cat cards; echo; } | cmp - got
'
