#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0600-crm-schema.t - showing, checking and applying the schema
plan 31

# add-fields.awk: custom fields for persons, put first in their fields
cat >add-fields.awk <<\EOF
{ print }
/^  person:/ { p = 1 }
p && /^    fields:/ {
	print "      segment:    {type: enum, values: [a, b]}"
	print "      linkedin:   {type: text}"
	print "      badge:      {type: text, index: true}"
	p = 0
}
EOF

# bad_apply TEXT FILE: apply FILE exits 2, says TEXT, changes nothing
bad_apply() {
	before=$(store_sum) &&
	crm-schema show >schema-before &&
	{ must_fail 2 crm-schema apply "$2" 2>err || { cat err; false; }; } &&
	grep -F -e "$1" err &&
	test "$(store_sum)" = "$before" &&
	crm-schema show >schema-after &&
	cmp schema-before schema-after
}

check 'show works before any store exists, and creates none' '
	crm-schema show >default.yaml &&
	test ! -e "$CRM_DB" &&
	grep "^types:" default.yaml &&
	grep "^  person:" default.yaml &&
	grep "^country: SK" default.yaml
'

check 'types lists the record types' '
	crm-schema types >out &&
	expect out <<-EOF
	person
	company
	deal
	task
	EOF
'

check 'fields TYPE lists the fields of a type in schema order' '
	crm-schema fields company >out &&
	expect out <<-EOF
	name
	email
	phone
	vat_id
	street
	city
	zip
	country
	url
	tags
	owner
	note
	uid
	EOF
'

check 'fields without a type lists the fields of every type, once' '
	crm-schema fields >out &&
	sort out >sorted &&
	sort -u out >unique &&
	cmp sorted unique &&
	grep -x name out && grep -x vat_id out && grep -x stage out &&
	grep -x due out
'

check 'fields of an unknown type suggests the close one' '
	must_fail 2 crm-schema fields persn >out 2>err &&
	test ! -s out &&
	grep -F "did you mean '\''person'\''" err
'

check 'an unknown subcommand is bad usage' '
	must_fail 2 crm-schema shwo >out 2>err &&
	test ! -s out
'

check 'setup: a store with records' '
	crm-add company name="Kovo s.r.o." &&
	crm-add person name="Jana Nováková" email=jana@kovo.sk company=1 &&
	crm-add deal name="Lisy" stage=proposal company=1
'

check 'the shown schema applies to the store unchanged' '
	crm-schema show >schema.yaml &&
	crm-schema apply schema.yaml &&
	crm-schema show >again.yaml &&
	cmp schema.yaml again.yaml
'

check 'apply -n checks a schema but changes nothing' '
	awk -f add-fields.awk schema.yaml >custom.yaml &&
	before=$(store_sum) &&
	crm-schema apply -n custom.yaml &&
	crm-schema -n apply custom.yaml &&
	test "$(store_sum)" = "$before" &&
	crm-schema fields person >out &&
	! grep -x segment out
'

check 'apply adds custom fields' '
	crm-schema apply custom.yaml &&
	crm-schema fields person >out &&
	grep -x segment out && grep -x linkedin out && grep -x badge out &&
	crm-schema show >shown.yaml &&
	grep -F "badge:      {type: text, index: true}" shown.yaml
'

check 'crm-add uses the custom fields' '
	crm-add person name="Jürgen Müller" segment=a \
		linkedin=https://linkedin.com/in/jm badge=Zlatá >out &&
	expect out <<-EOF &&
	4
	EOF
	crm-show -j 4 >out &&
	jq -c "[.segment, .linkedin, .badge]" out >got &&
	expect got <<-\EOF
	["a","https://linkedin.com/in/jm","Zlatá"]
	EOF
'

check 'a custom enum refuses other values' '
	before=$(store_sum) &&
	must_fail 2 crm-add person name=Eva segment=c 2>err &&
	grep -F "'\''segment'\''" err &&
	test "$(store_sum)" = "$before"
'

check 'a field with index: true is indexed, folded' '
	mdb_dump -p -s postings "$CRM_DB" >index.txt &&
	grep -F "zlata" index.txt
'

check 'a field without index: true is not' '
	crm-add person name=Eva linkedin=Vysokáškola >out &&
	mdb_dump -p -s postings "$CRM_DB" >index.txt &&
	! grep -F "vysokaskola" index.txt
'

check 'index: true on a field that holds values indexes them' '
	sed "s/linkedin:   {type: text}/linkedin:   {type: text, index: true}/" \
		custom.yaml >indexed.yaml &&
	crm-schema apply indexed.yaml &&
	mdb_dump -p -s postings "$CRM_DB" >index.txt &&
	grep -F "vysokaskola" index.txt
'

check 'dropping index: true drops the entries' '
	crm-schema apply custom.yaml &&
	mdb_dump -p -s postings "$CRM_DB" >index.txt &&
	! grep -F "vysokaskola" index.txt &&
	grep -F "zlata" index.txt
'

check 'invalid YAML is refused with a line number' '
	printf "country: SK\ntypes:\n  person:\n    fields:\n      name: {type: text\n" >bad.yaml &&
	bad_apply "line " bad.yaml &&
	grep -E "line [0-9]+" err
'

check 'an unknown field type suggests the close one' '
	sed "s/linkedin:   {type: text}/linkedin:   {type: emial}/" custom.yaml \
		>bad.yaml &&
	bad_apply "did you mean '\''email'\''" bad.yaml &&
	grep -F "emial" err &&
	grep -E "line [0-9]+" err
'

check 'removing a field that holds a value is refused, naming the record' '
	bad_apply "record 4" schema.yaml &&
	grep -F "segment" err
'

check 'making a field required that a record lacks is refused' '
	sed "s/linkedin:   {type: text}/linkedin:   {type: text, required: true}/" \
		custom.yaml >bad.yaml &&
	bad_apply "linkedin" bad.yaml &&
	grep -E "record (2|4)" err
'

check 'removing an enum value in use is refused' '
	sed "s/values: \[a, b\]/values: [b]/" custom.yaml >bad.yaml &&
	bad_apply "record 4" bad.yaml &&
	grep -F "segment" err
'

check 'removing a deal stage in use is refused' '
	grep -v "name: proposal," custom.yaml >bad.yaml &&
	bad_apply "record 3" bad.yaml &&
	grep -F "stage" err
'

check 'changing a type that the values do not fit is refused' '
	sed "s/segment:    {type: enum, values: \[a, b\]}/segment:    {type: number}/" \
		custom.yaml >bad.yaml &&
	bad_apply "record 4" bad.yaml
'

check 'changing a type that every value fits is applied' '
	sed "s/segment:    {type: enum, values: \[a, b\]}/segment:    {type: text}/" \
		custom.yaml >wide.yaml &&
	crm-schema apply wide.yaml &&
	crm-schema apply custom.yaml
'

check 'making a field unique that two records share names both' '
	CRM_DB=$T/uniq &&
	crm-add person name=Ada city=Brno >/dev/null &&
	crm-add person name=Bob city=Praha >/dev/null &&
	crm-add person name=Cyd city=brno >/dev/null &&
	crm-schema show >u.yaml &&
	sed "s/city: *{type: text, index: true}/city: {type: text, unique: true}/" \
		u.yaml >unique.yaml &&
	bad_apply "record 3: city '\''brno'\'' twice (also in record 1)" \
		unique.yaml &&
	! grep -F "line" err
'

check 'removing an enum value nobody uses is fine' '
	sed "s/values: \[a, b\]/values: [a]/" custom.yaml >ok.yaml &&
	crm-schema apply ok.yaml &&
	crm-schema show >shown.yaml &&
	grep -F "values: [a]" shown.yaml
'

check 'apply -n of a breaking change is refused too' '
	before=$(store_sum) &&
	must_fail 2 crm-schema apply -n schema.yaml 2>err &&
	grep -F "record 4" err &&
	test "$(store_sum)" = "$before"
'

check 'apply of a missing file is an error' '
	before=$(store_sum) &&
	must_fail 2 crm-schema apply nosuch.yaml 2>err &&
	grep -F "nosuch.yaml" err &&
	test "$(store_sum)" = "$before"
'

check 'a schema without types is refused' '
	printf "country: SK\n" >bad.yaml &&
	bad_apply "types" bad.yaml
'

check 'an unknown country code is refused' '
	sed "s/^country: SK/country: XQ/" custom.yaml >bad.yaml &&
	bad_apply "country" bad.yaml
'

check 'apply -n before any store exists creates no store' '
	rm -rf "$T/fresh" &&
	crm-schema --db "$T/fresh" apply -n custom.yaml &&
	if test -e "$T/fresh"; then echo "created: $(ls "$T/fresh")"; false; fi
'
