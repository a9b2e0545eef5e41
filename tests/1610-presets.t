#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1610-presets.t - crm-import --from google, outlook, thunderbird: every
# column known
#
# The header rows are the ones the programs write, whole: a column the
# preset has no field for goes to the note or is known to say nothing,
# and a file is imported as it comes, without --ignore.  What has no
# field of its own is kept in the note as the vCard import keeps it.

plan 9

# people PREFIX: what the store has, one JSON line a record with a type
people() {
	crm-export --to jsonl >all.jsonl &&
	jq -c "select(.type == \"person\") | [$1]" all.jsonl
}

# fresh DB PRESET FILE: FILE into a new store DB, whose two rows are two
# records added; the store stays DB for the rest of the check
fresh() {
	CRM_DB=$T/$1
	export CRM_DB
	crm-import --from "$2" "$3" 2>err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err
}

# again FILE ARGS...: importing FILE once more changes nothing
again() {
	f=$1
	shift
	before=$(store_sum) &&
	crm-import "$@" "$f" 2>err &&
	grep -q "^crm-import: 0 added, 0 updated, " err &&
	test "$(store_sum)" = "$before"
}

# Google Contacts' "Google CSV" of now: UTF-8 with a BOM, CRLF, labels
# beside the values, the formatted address beside its parts
{
printf '\357\273\277'
cat <<\EOF
First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Address 2 - Label,Address 2 - Formatted,Address 2 - Street,Address 2 - City,Address 2 - PO Box,Address 2 - Region,Address 2 - Postal Code,Address 2 - Country,Address 2 - Extended Address,Website 1 - Label,Website 1 - Value
Peter,,Malý,,,,Ing.,,Peťo,Malý Peter,Kovo Žilina,Technik,Nákup,1980-03-22,Volať ráno,https://lh3.googleusercontent.com/a/x1,* myContacts ::: Zákazníci,* Home,peter@example.sk,Work,peter.maly@kovo.sk,Mobile,+421 905 222 333,Work,02 1234 5678,Home,"Dlhá 5
010 01 Žilina
Slovensko",Dlhá 5,Žilina,,Žilinský kraj,010 01,Slovensko,,Work,"Hlavná 1
811 01 Bratislava
Slovensko",Hlavná 1,Bratislava,,,811 01,Slovensko,,Profile,https://peter.example
Jana,,Nová,,,,,,,,,,,--07-14,,,* myContacts,,,,,Mobile,0907 111 222,,,,,,,,,,,,,,,,,,,,,,
EOF
} | sed 's/$/\r/' >google.csv

check 'Google CSV as it comes: fields, labels and the rest in the note' '
	fresh google google google.csv &&
	people ".name, .email, .phone, .title, .street, .city, .zip, .country, .birthday, .url, .tags" >got &&
	expect got <<\EOF &&
["Peter Malý","peter@example.sk","+421905222333","Technik","Dlhá 5","Žilina","010 01","Slovensko","1980-03-22","https://peter.example",["myContacts","Zákazníci"]]
["Jana Nová",null,"+421907111222",null,null,null,null,null,"--07-14",null,["myContacts"]]
EOF
	jq -r "select(.name == \"Peter Malý\") | .note" all.jsonl >note &&
	expect note <<\EOF
Volať ráno
Name Prefix: Ing.
NICKNAME: Peťo
Organization Department: Nákup
EMAIL (Work): peter.maly@kovo.sk
TEL (Work): 02 1234 5678
ADR (Home) region: Žilinský kraj
ADR (Work) street: Hlavná 1
ADR (Work) city: Bratislava
ADR (Work) zip: 811 01
ADR (Work) country: Slovensko
EOF
'

check 'Google CSV imported again: 0 added, 0 updated, store unchanged' '
	CRM_DB=$T/google again google.csv --from google
'

# the CSV Google wrote until 2020: Type for Label, Group Membership;
# an address typed in one line has only its formatted form
{
cat <<\EOF
Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Address 1 - Type,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,Organization 1 - Department,Organization 1 - Symbol,Organization 1 - Location,Organization 1 - Job Description,Website 1 - Type,Website 1 - Value
Eva Malá,Eva,,Malá,,,,,,,,,,,,,,,,,,,,,,,,,* myContacts,* Work,eva@dumbier.example,Work,+421 48 123 4567,Work Fax,+421 48 123 4568,Home,Horná 3 Banská Bystrica,,,,,,,,,Ďumbier a.s.,,Riaditeľka,,,,,,
EOF
} | sed 's/$/\r/' >google-old.csv

check 'the older Google CSV: Type as the label, a one-line address kept' '
	CRM_DB=$T/old crm-import --from google google-old.csv &&
	CRM_DB=$T/old people ".name, .email, .phone, .title, .street, .note" >got &&
	expect got <<\EOF &&
["Eva Malá","eva@dumbier.example","+421481234567","Riaditeľka",null,"TEL (Work Fax): +421 48 123 4568\nADR (Home): Horná 3 Banská Bystrica"]
EOF
	CRM_DB=$T/old again google-old.csv --from google
'

# Google joins the values of one label in one cell with " ::: "
{
printf '\357\273\277'
cat <<\EOF
First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address
Peter,,Malý,,,,,,,,,,,,,,* myContacts,* Work,peter@example.sk ::: peter.maly@work.sk,Mobile,0905 222 333 ::: 0905 444 555,Work,"Hlavná 1
Žilina ::: Dlhá 2
Brno",Hlavná 1 ::: Dlhá 2,Žilina ::: Brno,,,,,
Jana,,Nová,,,,,,,,,,,,,,* myContacts ::: VIP,,jana@nova.example,,,,,,,,,,,
EOF
} | sed 's/$/\r/' >joined.csv

check "Google's ' ::: ': the first value in the field, the others noted" '
	fresh joined google joined.csv &&
	people ".name, .email, .phone, .street, .city, .tags, .note" >got &&
	expect got <<\EOF
["Peter Malý","peter@example.sk","+421905222333","Hlavná 1","Žilina",["myContacts"],"EMAIL (Work): peter.maly@work.sk\nTEL (Mobile): 0905 444 555\nADR (Work) street: Dlhá 2\nADR (Work) city: Brno"]
["Jana Nová","jana@nova.example",null,null,null,["myContacts","VIP"],null]
EOF
'

check "Google's ' ::: ' imported again: 0 added, 0 updated, store unchanged" '
	CRM_DB=$T/joined again joined.csv --from google
'

# Outlook's CSV: its whole header, quoted, and the columns it always
# fills (Gender, Priority, Private, Sensitivity, Initials, E-mail Type,
# E-mail Display Name, 0/0/00 for no date); a UTF-8 export has a BOM
{
printf '\357\273\277'
cat <<\EOF
"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title","Business Street","Business Street 2","Business Street 3","Business City","Business State","Business Postal Code","Business Country/Region","Home Street","Home Street 2","Home Street 3","Home City","Home State","Home Postal Code","Home Country/Region","Other Street","Other Street 2","Other Street 3","Other City","Other State","Other Postal Code","Other Country/Region","Assistant's Phone","Business Fax","Business Phone","Business Phone 2","Callback","Car Phone","Company Main Phone","Home Fax","Home Phone","Home Phone 2","ISDN","Mobile Phone","Other Fax","Other Phone","Pager","Primary Phone","Radio Phone","TTY/TDD Phone","Telex","Account","Anniversary","Assistant's Name","Billing Information","Birthday","Business Address PO Box","Categories","Children","Directory Server","E-mail Address","E-mail Type","E-mail Display Name","E-mail 2 Address","E-mail 2 Type","E-mail 2 Display Name","E-mail 3 Address","E-mail 3 Type","E-mail 3 Display Name","Gender","Government ID Number","Hobby","Home Address PO Box","Initials","Internet Free Busy","Keywords","Language","Location","Manager's Name","Mileage","Notes","Office Location","Organizational ID Number","Other Address PO Box","Priority","Private","Profession","Referred By","Sensitivity","Spouse","User 1","User 2","User 3","User 4","Web Page"
"","Eva","","Malá","","Ďumbier a.s.","","Riaditeľka","Námestie SNP 2","3. poschodie","","Banská Bystrica","Banskobystrický kraj","974 01","Slovensko","Lipová 7","","","Zvolen","","960 01","","","","","","","","","","+421 48 123 4568","+421 48 123 4567","","","","","","045 532 1111","","","+421 905 111 222","","","","","","","","","0/0/00","","","3/22/1980","","Zákazníci;VIP","","","eva@dumbier.example","SMTP","Eva Malá (eva@dumbier.example)","eva.mala@gmail.com","SMTP","Eva Malá (eva.mala@gmail.com)","","","","Unspecified","","","","E.M.","","","","","","","Volať ráno.","","","","Normal","False","","","Normal","Jozef","","","","","https://dumbier.example"
"","Ján","","Veľký","","Lisy Brno s.r.o.","","","","","","","","","","","","","Brno","","","Česko","","","","","","","","","","","","","","","","","","","+420 601 999 888","","","","","","","","","0/0/00","","","0/0/00","","Dodávatelia","","","","","","","","","","","","Male","","","","J.V.","","","","","","","","","","","Normal","False","","","Normal","","","","","",""
EOF
} | sed 's/$/\r/' >outlook.csv

check 'Outlook CSV as it comes: one phone and e-mail, the others noted' '
	fresh outlook outlook outlook.csv &&
	people ".name, .email, .phone, .street, .city, .zip, .country, .birthday, .tags, .url" >got &&
	expect got <<\EOF &&
["Eva Malá","eva@dumbier.example","+421481234567","Námestie SNP 2, 3. poschodie","Banská Bystrica","974 01","Slovensko","1980-03-22",["Zákazníci","VIP"],"https://dumbier.example"]
["Ján Veľký",null,"+420601999888",null,"Brno",null,"Česko",null,["Dodávatelia"],null]
EOF
	jq -r "select(.type == \"person\") | .note" all.jsonl >note &&
	expect note <<\EOF
Volať ráno.
ADR (work) region: Banskobystrický kraj
ADR (home) street: Lipová 7
ADR (home) city: Zvolen
ADR (home) zip: 960 01
TEL (work, fax): +421 48 123 4568
TEL (home): 045 532 1111
TEL (cell): +421 905 111 222
EMAIL: eva.mala@gmail.com
RELATED (spouse): Jozef
GENDER: Male
EOF
'

check 'Outlook CSV imported again: 0 added, 0 updated, store unchanged' '
	CRM_DB=$T/outlook again outlook.csv --from outlook
'

# a CSV of a program that has no preset: columns without a field
cat >other.csv <<\EOF
Name,E-mail,Fax,Pager,Skype
Eva Malá,eva@dumbier.example,+421 48 123 4568,,eva.mala
Ján Veľký,jan@lisy.example,,0905 000 111,
EOF

check "--ignore 'A,B' leaves out each, as --ignore A --ignore B does" '
	must_fail 2 crm-import --db t1 --from csv --map E-mail=email \
		--ignore Fax other.csv 2>err &&
	grep -F "columns '\''Pager'\'', '\''Skype'\'' not mapped" err &&
	crm-import --db t1 --from csv --map E-mail=email \
		--ignore "Fax,Pager" --ignore skype other.csv 2>err &&
	grep -Fx "crm-import: 2 added, 0 updated, 0 unchanged, 0 rejected" err &&
	crm-export --db t1 --to jsonl >t1.jsonl &&
	jq -c "select(.type == \"person\") | [.name, .email, .note]" t1.jsonl >got &&
	expect got <<\EOF
["Eva Malá","eva@dumbier.example",null]
["Ján Veľký","jan@lisy.example",null]
EOF
'

# Thunderbird's CSV: its whole header, with the empty column its trailing
# comma makes; the birthday of three columns, one without a year
{
printf 'First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,Home ZipCode,Home Country,Work Address,Work Address 2,Work City,Work State,Work ZipCode,Work Country,Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes,\r\n'
printf 'Jana,Nováková,Jana Nováková,Janka,jana@kovo.sk,jana@gmail.com,,+421 2 1111 222,,,,0905 123 456,Hlavná 1,,Košice,,04001,Slovakia,,,,,,,CEO,Sales,Kovo s.r.o.,https://kovo.sk,,1980,4,2,vip,,,,met at fair,\r\n'
printf 'Peter,Malý,Peter Malý,,peter@kovo.sk,,,,,,,,,,,,,,,,,,,,,,,,,,12,24,,,,,,\r\n'
} >thunderbird.csv

check 'thunderbird: the whole header, the birthday of three columns' '
	fresh tb thunderbird thunderbird.csv &&
	people ".name, .email, .phone, .company, .city, .birthday" >got &&
	expect got <<-EOF &&
	["Jana Nováková","jana@kovo.sk","+42121111222",1,"Košice","1980-04-02"]
	["Peter Malý","peter@kovo.sk",null,null,null,"--12-24"]
	EOF
	jq -r "select(.name == \"Jana Nováková\") | .note" all.jsonl >got &&
	expect got <<-EOF &&
	met at fair
	NICKNAME: Janka
	EMAIL: jana@gmail.com
	TEL (cell): 0905 123 456
	Department: Sales
	Custom 1: vip
	EOF
	again thunderbird.csv --from thunderbird
'
