#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1300-crm-segment.t - the query language, saved segments, the plan
plan 86

# Monday; under TZ=UTC -90d is 2026-08-25T10:00, eom 2026-11-30T23:59:59
N='2026-11-23 10:00'

# seg QUERY: the ids crm-segment prints for QUERY, one line, blank-separated
seg() {
	crm-segment --now "$N" "$@" >out
	rc=$?
	tr '\n' ' ' <out | sed 's/ $//'
	echo
	return $rc
}

# q QUERY IDS: QUERY selects exactly IDS ("" for none, which exits 1)
q() {
	seg "$1" >got
	rc=$?
	echo "$2" >want
	diff -u want got || return 1
	if [ -n "$2" ]; then
		test $rc -eq 0 || { echo "exit $rc, not 0: $1"; return 1; }
	else
		test $rc -eq 1 || { echo "exit $rc, not 1: $1"; return 1; }
	fi
}

# bad QUERY MESSAGE: QUERY is refused with exit 2, MESSAGE on stderr and
# nothing on stdout
bad() {
	must_fail 2 crm-segment --now "$N" "$1" >out 2>err &&
	test ! -s out &&
	echo "crm-segment: $2" >want &&
	diff -u want err
}

check 'setup: a number field, three companies, four people, a deal' '
	crm-schema show >schema.yaml &&
	awk "{ print }
		/^  company:/ { c = 1 }
		c && /^    fields:/ { print \"      employees:  {type: number}\"
			c = 0 }" schema.yaml >mine.yaml &&
	crm-schema apply mine.yaml &&
	{
	crm-add --now "$N" company name="Kovo s.r.o." city=Brno tags=b2b \
		owner=anna employees=120 &&
	crm-add --now "$N" company name="Tatra a.s." city=Bratislava \
		tags=b2b,export owner=peter employees=9 &&
	crm-add --now "$N" company name="Prázdna s.r.o." city=Košice &&
	crm-add --now "$N" person name="Jana Nováková" company=1 \
		city=Bratislava phone="+421 905 123 456" email=jana@kovo.sk \
		tags=vip,b2b owner=anna birthday=1980-05-01 &&
	crm-add --now "$N" person name="Eva Malá" company=2 city=Žilina \
		tags=vip owner=peter phone=0911000111 birthday=1995-02-03 &&
	crm-add --now "$N" person name="Petra Nová" city=bratislava \
		tags=newsletter owner=anna &&
	crm-add --now "$N" person name="Ján Kováč" company=3 &&
	crm-add --now "$N" deal name=Pallets company=1 person=4 \
		stage=proposal amount=5000 close=2026-11-30 &&
	crm-task --now "$N" add --due tomorrow 4 "call back"
	} >ids &&
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

# lg ARG...: crm-log at the fixed present moment
lg() {
	crm-log --now "$N" "$@"
}

check 'setup: the history' '
	lg --at -100d --owner anna --dir out 4 call "asked for a quote" &&
	lg --at -120d --amount 3000 --campaign spring-2026 4 purchase \
		"order 1" &&
	lg --at -10d --amount 12000 --owner peter 5 purchase "order 2" &&
	lg --at -5d --campaign nov-2026 --dir out 5 email "November offer" &&
	lg --at -3d --campaign nov-2026 --dir out 6 email "November offer" &&
	lg --at -2d --dir in 6 call "asked about prices" &&
	lg --at -40d 2 meeting "yearly review" &&
	lg --at -200d 1 visit "visit at Kovo" &&
	lg --at -1d --amount 800 5 quote "offer 12" &&
	crm-show -j 1 2 4 5 6 >fig &&
	jq -r "[.id, .interactions, .last_contact, .turnover] | @tsv" \
		fig >got &&
	expect got <<-EOF
	1	3	2026-08-15T10:00:00+00:00	3000
	2	4	2026-11-22T10:00:00+00:00	12000
	4	2	2026-08-15T10:00:00+00:00	3000
	5	3	2026-11-22T10:00:00+00:00	12000
	6	2	2026-11-21T10:00:00+00:00	
	EOF
'

check 'ids one per line, in id order; exit 0' '
	crm-segment --now "$N" "city=bratislava" >out &&
	expect out <<-EOF
	2
	4
	6
	EOF
'

check 'text = and != ignore case and accents; != skips missing values' '
	q "city=ZILINA" "5" &&
	q "city=bratislava" "2 4 6" &&
	q "city!=Bratislava" "1 3 5" &&
	q "name=\"eva mala\"" "5" &&
	q "name='\''Jana Nováková'\''" "4"
'

check 'text < > <= >= compare the folded text' '
	q "city<c" "1 2 4 6" &&
	q "city>=k" "3 5" &&
	q "city>zilina" "" &&
	q "city<=brno" "1 2 4 6"
'

check '~ is a substring, ignoring case and accents' '
	q "city~BRAT" "2 4 6" &&
	q "city~ice" "3" &&
	q "name~nova" "4 6"
'

check '~ with * or ? is a glob over the whole value' '
	q "city~b?no" "1" &&
	q "name~*nova" "6" &&
	q "name~*s.r.o." "1 3"
'

check 'phone numbers are normalised before comparing' '
	q "phone=0905123456" "4" &&
	q "phone='\''+421 905 123 456'\''" "4" &&
	q "phone=+421911000111" "5" &&
	q "phone!=0905123456" "5" &&
	q "phone~911" "5"
'

check 'e-mail and enum compare without regard to case' '
	q "email=JANA@KOVO.SK" "4" &&
	q "stage=PROPOSAL" "8" &&
	q "stage!=won" "8" &&
	q "stage=won" ""
'

check 'numbers compare as numbers, not as text' '
	q "employees>10" "1" &&
	q "employees<=9" "2" &&
	q "employees=120.0" "1" &&
	q "employees!=9" "1"
'

check 'money compares as amounts' '
	q "amount>=5000" "8" &&
	q "amount<5000" "" &&
	q "amount=5000.00" "8"
'

check 'dates compare by day, absolute or relative' '
	q "birthday<1990-01-01" "4" &&
	q "birthday>=1990-01-01" "5" &&
	q "close=2026-11-30" "8" &&
	q "close<=eom" "8" &&
	q "close>today" "8" &&
	q "close<today" ""
'

check 'a relative date on an indexed date field: close=eom' '
	q "close=eom" "8" &&
	q "close=+7d" "8"
'

check 'times: last_contact, next_due, due, created' '
	q "last_contact<-90d" "1 4" &&
	q "last_contact>=-7d" "2 5 6" &&
	q "last_contact>'\''2026-11-21 12:00'\''" "2 5" &&
	q "last_contact<=-100d" "1 4" &&
	q "last_contact<-100d" "" &&
	q "last_contact>=-100d" "1 2 4 5 6" &&
	q "last_contact>-100d" "2 5 6" &&
	q "last_contact<-90d and tag:vip" "4" &&
	q "last_contact!=-100d" "2 5 6" &&
	q "last_contact=-100d" "1 4" &&
	q "next_due<=tomorrow" "4" &&
	q "due=tomorrow" "9" &&
	q "created>=today" "1 2 3 4 5 6 7 8 9" &&
	q "created<today" ""
'

check 'references compare by id' '
	q "company=1" "4 8" &&
	q "company=2" "5" &&
	q "person=4" "8"
'

check 'id=, id!=, id>=' '
	q "id=5" "5" &&
	q "id!=5" "1 2 3 4 6 7 8 9" &&
	q "id>=8" "8 9" &&
	q "id=99" ""
'

check 'tag: ignores case' '
	q "tag:vip" "4 5" &&
	q "tag:VIP" "4 5" &&
	q "tag:nope" ""
'

check 'tags: = and ~ want one value, != wants none' '
	q "tags=b2b" "1 2 4" &&
	q "tags~exp" "2" &&
	q "tags!=vip" "1 2 6" &&
	q "tags!=b2b" "5 6"
'

check 'has:field, and not has:field for the missing values' '
	q "has:phone" "4 5" &&
	q "not has:city" "7 8 9" &&
	q "has:employees" "1 2" &&
	q "has:turnover" "1 2 4 5" &&
	q "has:next_due" "4"
'

check 'type:name and type=name' '
	q "type:company" "1 2 3" &&
	q "type=DEAL" "8" &&
	q "type:task" "9"
'

check 'and, and implicit and' '
	q "tag:vip and city=bratislava" "4" &&
	q "tag:vip city=bratislava" "4" &&
	q "type:person has:phone tag:vip" "4 5"
'

check 'or binds looser than and' '
	q "tag:vip or city=brno and type:company" "1 4 5" &&
	q "city=brno and type:company or tag:vip" "1 4 5" &&
	q "city=kosice or city=zilina" "3 5"
'

check 'parentheses group' '
	q "(tag:vip or city=brno) and type:company" "1" &&
	q "type:company and (tag:vip or city=brno)" "1" &&
	q "((tag:vip))" "4 5"
'

check 'not binds tighter than and' '
	q "not tag:vip and city=bratislava" "2 6" &&
	q "not (tag:vip and city=bratislava) and type:person" "5 6 7" &&
	q "not not tag:vip" "4 5" &&
	q "not tag:vip" "1 2 3 6 7 8 9"
'

check 'not( and )or( need no blank' '
	q "not(tag:vip) and type:person" "6 7" &&
	q "(tag:vip)or(city=brno)" "1 4 5"
'

check 'derived fields: interactions, turnover, open_deals' '
	q "interactions>=3" "1 2 5" &&
	q "interactions=0" "3 7 8 9" &&
	q "interactions<10" "1 2 3 4 5 6 7 8 9" &&
	q "turnover>10000" "2 5" &&
	q "turnover<=3000" "1 4" &&
	q "turnover=3000.00" "1 4" &&
	q "open_deals=1" "1 4"
'

check 'count(): history entries that match' '
	q "count(kind=purchase)>=1" "1 2 4 5" &&
	q "count(dir=in)>0" "6" &&
	q "count(at>-30d)>=2" "2 5 6" &&
	q "count(kind!=email)>=3" "1 2" &&
	q "count(text~offer)>=2" "2 5" &&
	q "count(owner=peter)>0" "2 5" &&
	q "count(amount>1000)>0" "1 2 4 5" &&
	q "count(campaign!=nov-2026)>=1" "1 4"
'

check 'count(...)=0 means never' '
	q "count(kind=email and campaign=nov-2026)=0" "1 3 4 7 8 9" &&
	q "count(not kind=call)=0" "3 7 8 9"
'

check 'count(has:field) in the history' '
	q "count(has:campaign)>=1" "1 2 4 5 6"
'

check 'sum(amount, ...)' '
	q "sum(amount, kind=purchase)>10000" "2 5" &&
	q "sum(amount, campaign=spring-2026)=3000" "1 4" &&
	q "sum(amount, at>-30d)>12000" "2 5" &&
	q "sum(amount, kind=quote)>0" "2 5"
'

check 'ref.term follows a reference' '
	q "company.city=Brno" "4 8" &&
	q "company.tag:export" "5" &&
	q "company.employees>100" "4 8" &&
	q "company.turnover>10000" "5" &&
	q "company.count(kind=visit)>0" "4 8"
'

check 'type.term: a record of that type refers to this one' '
	q "person.tag:vip" "1 2 8" &&
	q "person.city=zilina" "2" &&
	q "type:company not person.has:email" "2 3" &&
	q "deal.stage=proposal" "1 4" &&
	q "task.owner=tester" "4"
'

check 'the VIP customers in Bratislava not contacted for 90 days' '
	q "tag:vip and city=Bratislava and last_contact<-90d" "4"
'

check '--count prints the number only' '
	crm-segment --now "$N" --count tag:vip >out &&
	expect out <<-EOF
	2
	EOF
'

check '--count of nothing prints 0 and exits 1' '
	must_fail 1 crm-segment --count stage=won >out &&
	expect out <<-EOF
	0
	EOF
'

check '--explain: tag:vip starts from the index' '
	crm-segment --now "$N" --explain tag:vip >out &&
	head -n 1 out | grep "^index.*tag:vip" &&
	grep "^the indexes answer it" out &&
	tail -n 1 out | grep "^2 records\{0,1\} match"
'

check '--explain: a term no index answers is a scan' '
	crm-segment --now "$N" --explain "city~brat" >out &&
	test "$(wc -l <out)" -eq 2 &&
	head -n 1 out | grep "^scan" &&
	tail -n 1 out | grep "^3 records\{0,1\} match" &&
	crm-segment --explain "count(kind=call)>0" >out &&
	head -n 1 out | grep "^scan"
'

check '--explain: last_contact<-90d, from a time range or a scan' '
	crm-segment --now "$N" --explain "last_contact<-90d" >out &&
	head -n 1 out | grep -E "^(index.*last_contact|scan)" &&
	tail -n 1 out | grep "^2 records\{0,1\} match"
'

check '--explain: indexed terms among others; or at the top scans' '
	crm-segment --explain "city=bratislava and owner=anna" >out &&
	head -n 1 out | grep "^index city=bratislava" &&
	sed -n 2p out | grep "^and index owner=anna" &&
	sed -n 3p out | grep "^the indexes answer it" &&
	tail -n 1 out | grep "^2 records\{0,1\} match" &&
	crm-segment --explain "city=bratislava and owner=anna and name~jana" >out &&
	sed -n 3p out | grep "^then the whole query on each of" &&
	crm-segment --explain "tag:vip or city=brno" >out &&
	head -n 1 out | grep "^scan" &&
	crm-segment --explain "type:person and id=5" >out &&
	head -n 1 out | grep "^index.*id"
'

check '--explain: the term with the fewest records first, whatever the order' '
	export CRM_DB="$T/few" &&
	for i in 1 2 3 4 5; do
		crm-add person name=P$i city=Bratislava owner=peter || exit 1
	done >/dev/null &&
	crm-add person name=Ola city=Bratislava owner=peter tags=x >/dev/null &&
	crm-add person name=Ela city=Bratislava owner=peter tags=x >/dev/null &&
	crm-add person name=Ida city=Brno owner=peter >/dev/null &&
	for q in "tag:x and city=bratislava and owner=peter" \
	    "city=bratislava and owner=peter and tag:x"; do
		crm-segment --explain "$q" >out &&
		sed -n "1,3s/^.*index .*: \([0-9]*\) records$/\1/p" out >counts &&
		test "$(wc -l <counts)" -eq 3 &&
		sort -n counts | cmp - counts &&
		tail -n 1 out | grep "^2 records match" || exit 1
	done &&
	crm-segment --explain "tag:x and city=bratislava" | head -n 1 >first &&
	grep "^index tag:x: 2 records" first
'

check '--explain of nothing exits 1' '
	must_fail 1 crm-segment --explain "tag:nope" >out &&
	tail -n 1 out | grep "^0 records\{0,1\} match"
'

check '-j prints the records as JSON Lines' '
	crm-segment -j tag:vip >out &&
	jq -r "[.id, .type, .name, .city, .turnover, .interactions] | @tsv" \
		out >got &&
	expect got <<-EOF
	4	person	Jana Nováková	Bratislava	3000	2
	5	person	Eva Malá	Žilina	12000	3
	EOF
'

check '-f prints the records through a template' '
	crm-segment -f "%{id} %{name} %{last_contact}" tag:vip >out &&
	expect out <<-EOF
	4 Jana Nováková 2026-08-15T10:00:00+00:00
	5 Eva Malá 2026-11-22T10:00:00+00:00
	EOF
'

check '-0 ends each id with a NUL byte; -H prints a header' '
	crm-segment -0 tag:vip >out &&
	printf "%s\0" 4 5 >want &&
	cmp want out &&
	crm-segment -H tag:vip >out &&
	expect out <<-EOF
	id
	4
	5
	EOF
'

check '--save stores a query, prints nothing' '
	crm-segment --save loyal "count(kind=purchase)>=1" >out &&
	test ! -s out
'

check 'NAME evaluates the saved segment' '
	crm-segment loyal >out &&
	expect out <<-EOF
	1
	2
	4
	5
	EOF
'

check '--list prints NAME<TAB>EXPR, by name' '
	crm-segment --save big "turnover>10000" &&
	crm-segment --list >out &&
	tr "\t" "|" <out >got &&
	expect got <<-EOF
	big|turnover>10000
	loyal|count(kind=purchase)>=1
	EOF
'

check '--save of a name already saved replaces the query' '
	crm-segment --save big "turnover>=3000" &&
	crm-segment --list >out &&
	grep -x "big	turnover>=3000" out &&
	crm-segment big >out &&
	expect out <<-EOF
	1
	2
	4
	5
	EOF
'

check '--save checks the query and stores nothing when it is bad' '
	before=$(store_sum) &&
	must_fail 2 crm-segment --save broken "city=" 2>err &&
	grep -F "crm-segment: query:1:6: expected a value after '\''='\''" err &&
	test "$(store_sum)" = "$before" &&
	crm-segment --list >out &&
	! grep broken out
'

check '--save refuses a bad name' '
	before=$(store_sum) &&
	must_fail 2 crm-segment --save "Big Ones" "tag:vip" 2>err &&
	grep -F "'\''Big Ones'\''" err &&
	must_fail 2 crm-segment --save "a/b" "tag:vip" 2>err &&
	test "$(store_sum)" = "$before"
'

check 'a saved segment is evaluated afresh: relative dates, new data' '
	cp -R "$CRM_DB" fresh &&
	crm-segment --db fresh --now "$N" --save recent "last_contact>=-3d" &&
	crm-segment --db fresh --now "$N" recent >out &&
	expect out <<-EOF &&
	2
	5
	6
	EOF
	crm-segment --db fresh --now "2026-11-25 10:00" recent >out &&
	expect out <<-EOF &&
	2
	5
	EOF
	crm-log --db fresh --now "$N" 7 call "hello" >/dev/null &&
	crm-segment --db fresh --now "$N" recent >out &&
	expect out <<-EOF
	2
	3
	5
	6
	7
	EOF
'

check '--drop removes a segment' '
	crm-segment --drop big >out &&
	test ! -s out &&
	crm-segment --list >out &&
	expect out <<-EOF
	loyal	count(kind=purchase)>=1
	EOF
'

check '--drop of a segment that does not exist exits 2' '
	must_fail 2 crm-segment --drop big 2>err &&
	grep -F "no segment '\''big'\''" err
'

check '--list of no segments prints nothing' '
	for s in big loyal recent; do
		crm-segment --db fresh --drop $s || exit 1
	done &&
	crm-segment --db fresh --list >out &&
	test ! -s out
'

check 'chain: segment | crm-set - tags+=key-account' '
	crm-segment "turnover>1000 and owner=anna" >sel &&
	expect sel <<-EOF &&
	1
	4
	EOF
	crm-set - tags+=key-account <sel &&
	q "tag:key-account" "1 4"
'

check 'chain: saved segment | crm-log - email --campaign' '
	crm-segment loyal >sel &&
	crm-log --now "$N" - email "Loyalty offer" --campaign loyal-2026-11 \
		<sel >entries &&
	test "$(wc -l <entries)" -eq 4 &&
	q "count(kind=email and campaign=loyal-2026-11)>=1" "1 2 4 5" &&
	q "count(kind=email and campaign=loyal-2026-11)=0 and type:person" \
		"6 7"
'

check 'error: a value missing at the end' '
	bad "city=Bratislava and last_contact>=" \
		"query:1:35: expected a value after '\''>='\''"
'

check 'error: an unclosed parenthesis' '
	bad "(tag:vip or city=brno" \
		"query:1:22: expected '\'')'\'' to close the '\''('\'' at column 1"
'

check 'error: a ) without (' '
	bad "tag:vip)" "query:1:8: a '\'')'\'' without its '\''('\''"
'

check 'error: an unknown field suggests a close one' '
	bad "cty=Brno" \
		"query:1:1: unknown field '\''cty'\'' (did you mean '\''city'\''?)"
'

check 'error: columns count characters, not bytes' '
	bad "city=Žilina and cty=x" \
		"query:1:17: unknown field '\''cty'\'' (did you mean '\''city'\''?)"
'

check 'error: a bad date names the forms' '
	must_fail 2 crm-segment --now "$N" "last_contact<someday" >out 2>err &&
	test ! -s out &&
	grep -F "crm-segment: query:1:14: " err &&
	grep -F "'\''someday'\''" err &&
	grep -F "2026-12-01T10:00" err &&
	grep -F "+3d" err &&
	grep -F "fri 10:00" err
'

check 'error: an empty query' '
	bad "" "query:1:1: the query is empty" &&
	bad "   " "query:1:4: the query is empty"
'

check 'error: a quote never closed' '
	bad "city='\''Brno" "query:1:6: a quote is never closed"
'

check 'error: ~ on a number, money or time' '
	bad "turnover~10" \
		"query:1:10: '\''~'\'' is for text, not '\''turnover'\''"
'

check 'error: an unknown history field' '
	fields="kind, at, amount, text, owner, campaign, dir" &&
	bad "count(knd=call)>0" \
		"query:1:7: unknown history field '\''knd'\'' ($fields)"
'

check 'error: an unknown type suggests a close one' '
	bad "type:persn" \
		"query:1:6: unknown type '\''persn'\'' (did you mean '\''person'\''?)"
'

check 'error: a term missing after or, and' '
	bad "city=a or" "query:1:10: expected a term" &&
	bad "city=a and" "query:1:11: expected a term" &&
	bad "not" "query:1:4: expected a term"
'

check 'error: an operator missing' '
	bad "city" "query:1:5: expected =, !=, <, >, <=, >= or ~ after '\''city'\''" &&
	bad "count(kind=call)" \
		"query:1:17: expected =, !=, <, >, <= or >= after count()"
'

check 'error: a value no enum, bool or kind has, not an empty answer' '
	bad "stage=wonn" "query:1:7: field '\''stage'\'': '\''wonn'\'' is not one of lead, qualified, proposal, negotiation, won, lost" &&
	bad "count(kind=purchse)>0" "query:1:12: unknown kind '\''purchse'\'' (did you mean '\''purchase'\''?)" &&
	crm-segment --now "$N" "stage=PROPOSAL or count(kind=Call)>=0" >out &&
	test -s out &&
	crm-segment --now "$N" "stage~pro" >out && test -s out
'

check 'error: a word in another script is named whole' '
	bad "Žilina=1" "query:1:1: unknown field '\''Žilina'\''" &&
	bad "name=Jana Nováková" "query:1:11: '\''Nováková'\'' is not a field: a term is a field, an operator and a value, and a value of more than one word is quoted (name='\''Jana Novak'\'')"
'

check 'error: not a number, not an amount, an amount out of range' '
	bad "interactions>many" "query:1:14: '\''many'\'' is not a number" &&
	bad "turnover>abc" "query:1:10: turnover: '\''abc'\'' is not an amount of money (e.g. 1840.50)" &&
	bad "amount>1000000000000000" "query:1:8: amount: '\''1000000000000000'\'' is out of range (an amount of money is at most 922337203685477.5807 either way)"
'

check 'error: a relation through a field that is no reference' '
	bad "city.name=x" \
		"query:1:1: '\''city'\'' is not a reference nor a type"
'

check 'error: sum() of another field' '
	bad "sum(text, kind=call)>1" "query:1:5: sum() adds up '\''amount'\''"
'

check 'a saved segment with a bad query, a name not saved: exit 2' '
	must_fail 2 crm-segment nosuchsegment >out 2>err &&
	test ! -s out &&
	grep -F "nosuchsegment" err
'

check 'exit 1 and no output when nothing matches' '
	must_fail 1 crm-segment "city=Praha" >out &&
	test ! -s out
'

check 'bad usage exits 2' '
	must_fail 2 crm-segment 2>err &&
	grep "^usage: crm-segment" err &&
	must_fail 2 crm-segment tag:vip city=brno 2>err &&
	must_fail 2 crm-segment --list tag:vip 2>err &&
	must_fail 2 crm-segment --list --drop loyal 2>err &&
	must_fail 2 crm-segment --save x 2>err &&
	must_fail 2 crm-segment --bogus tag:vip 2>err
'

check 'a store that does not exist exits 3' '
	must_fail 3 crm-segment --db "$T/none" tag:vip 2>err &&
	grep "^crm-segment: " err &&
	test ! -e "$T/none/data.mdb"
'

check 'a read-only query leaves the store as it was' '
	before=$(store_sum) &&
	crm-segment -j "count(kind=purchase)>0 or person.tag:vip" >out &&
	test "$(store_sum)" = "$before"
'

check 'a time range far larger than the other terms is tested on each record' '
	D="$T/range" &&
	for i in $(seq 1 3100); do echo "{\"name\":\"R$i\"}"; done |
		crm-add --db "$D" person >/dev/null &&
	crm-set --db "$D" 7 tags=rare >/dev/null &&
	crm-set --db "$D" 8 tags=rare >/dev/null &&
	seq 1 3100 | crm-log --db "$D" - call old --at 2026-01-05T10:00:00Z >/dev/null &&
	crm-log --db "$D" 8 call new --at 2026-11-20T10:00:00Z >/dev/null &&
	crm-segment --db "$D" --now "2026-11-23 12:00" --explain \
		"tag:rare and last_contact<-30d" >out &&
	grep "^not index last_contact<-30d: 3099 records, over 3072, tested on each" out &&
	tail -n 1 out | grep "^1 records\{0,1\} match" &&
	crm-segment --db "$D" --now "2026-11-23 12:00" "tag:rare and last_contact<-30d" >got &&
	echo 7 >want && cmp want got &&
	crm-segment --db "$D" --now "2026-11-23 12:00" --count "last_contact<-30d" >got &&
	echo 3099 >want && cmp want got
'

check 'a range the index answers: by the day, and within the day by the time' '
	D="$T/days" &&
	for i in $(seq 1 7); do echo "{\"name\":\"D$i\",\"tags\":\"t\"}"; done |
		crm-add --db "$D" person >/dev/null &&
	crm-log --db "$D" 1 call a --at 2026-11-20T08:00:00Z >/dev/null &&
	crm-log --db "$D" 2 call b --at 2026-11-20T12:00:00Z >/dev/null &&
	crm-log --db "$D" 3 call c --at 2026-11-20T16:00:00Z >/dev/null &&
	crm-log --db "$D" 4 call d --at 2026-11-19T23:59:59Z >/dev/null &&
	crm-log --db "$D" 5 call e --at 2026-11-10T10:00:00Z >/dev/null &&
	crm-log --db "$D" 6 call f --at 2026-11-15T00:00:00Z >/dev/null &&
	crm-log --db "$D" 7 call g --at 1969-12-31T00:00:00Z >/dev/null &&
	for q in "<2026-11-20T12:00:00Z|1 4 5 6 7" "<=2026-11-20T12:00:00Z|1 2 4 5 6 7" \
	    ">2026-11-20T12:00:00Z|3" ">=2026-11-20T12:00:00Z|2 3" \
	    ">2026-11-10T10:00:00Z|1 2 3 4 6" ">=2026-11-10T10:00:00Z|1 2 3 4 5 6" \
	    "<2026-11-15T00:00:00Z|5 7" ">2026-12-01|" "<1970-01-02|7"; do
		op=${q%%|*} want=${q#*|} &&
		# (exit 1: none match)
		{ crm-segment --db "$D" --explain "tag:t and last_contact$op" >out ||
			test $? -eq 1; } &&
		grep -x "and index last_contact$op: [0-9]* records" out &&
		got=$(crm-segment --db "$D" "tag:t and last_contact$op" | tr "\n" " ") &&
		test "$got" = "$want${want:+ }" &&
		{ crm-segment --db "$D" --explain --count "last_contact$op" >out ||
			test $? -eq 1; } &&
		grep -x "index last_contact$op: [0-9]* records, counted, none read" out &&
		{ crm-segment --db "$D" --count "last_contact$op" >n ||
			test $? -eq 1; } &&
		test "$(cat n)" -eq "$(echo $want | wc -w)" || {
			echo "failed: $op"; exit 1; }
	done &&
	# before 1970 the index cannot tell: each record is tested
	crm-segment --db "$D" --explain "tag:t and last_contact<1969-12-31T12:00" >out &&
	! grep "index last_contact" out &&
	test "$(crm-segment --db "$D" "tag:t and last_contact<1969-12-31T12:00")" = 7 &&
	got=$(crm-segment --db "$D" "tag:t and last_contact>1969-12-31T12:00" | tr "\n" " ") &&
	test "$got" = "1 2 3 4 5 6 "
'

check 'who had a campaign: from the index, kept as entries come and go' '
	D="$T/camp" &&
	for i in 1 2 3 4 5 6; do echo "{\"name\":\"C$i\",\"tags\":\"t\"}"; done |
		crm-add --db "$D" person >/dev/null &&
	crm-add --db "$D" company name=Firm tags=t >/dev/null &&
	crm-set --db "$D" 2 company=7 >/dev/null &&
	crm-log --db "$D" 1 2 3 email news --campaign Nov-26 >/dev/null &&
	crm-log --db "$D" 1 call about --campaign nov-26 >/dev/null &&
	crm-log --db "$D" 3 email again --campaign nov-26 >/dev/null &&
	has="tag:t and count(kind=email and campaign=nov-26)>=1" &&
	never="tag:t and count(campaign=nov-26 and kind=email)=0" &&
	crm-segment --db "$D" --explain "$has" >out &&
	grep "^index count(...)>=1: 3 records had it, companies tested on each" out &&
	grep "^and index tag:t: 7 records" out &&
	grep "^the indexes answer it: 4 records, 1 of them read" out &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "1 2 3 7 " &&
	test "$(crm-segment --db "$D" "$never" | tr "\n" " ")" = "4 5 6 " &&
	test "$(crm-segment --db "$D" "count(campaign=nov-26)>0" | tr "\n" " ")" = "1 2 3 7 " &&
	# one of two like entries gone: still had it; both gone: never
	crm-log --db "$D" --list 3 | cut -f1 >e3 &&
	test "$(wc -l <e3)" -eq 2 &&
	crm-log --db "$D" --rm "$(head -n 1 e3)" &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "1 2 3 7 " &&
	crm-log --db "$D" --rm "$(tail -n 1 e3)" &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "1 2 7 " &&
	# the company had it through its contact person, until it has not
	crm-set --db "$D" 2 company= >/dev/null &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "1 2 " &&
	test "$(crm-segment --db "$D" "$never" | tr "\n" " ")" = "3 4 5 6 7 " &&
	# a merge moves the entries, an undo takes them back
	crm-merge --db "$D" 4 1 >/dev/null &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "2 4 " &&
	txn=$(crm-history --db "$D" | tail -n 1 | cut -f1) &&
	crm-undo --db "$D" "$txn" >/dev/null &&
	test "$(crm-segment --db "$D" "$has" | tr "\n" " ")" = "1 2 " &&
	crm-check --db "$D"
'

check 'a store without who had which campaign: answered from the records, then rebuilt' '
	D="$T/camp" &&
	mdb_dump -a "$D" |
		D=postings P="\\7f\\f2" awk -f "$TOP/tests/edit.awk" |
		D=meta P="index:hist" awk -f "$TOP/tests/edit.awk" >nohist.dump &&
	mkdir "$T/nohist" && mdb_load -f nohist.dump "$T/nohist" 2>/dev/null &&
	has="tag:t and count(kind=email and campaign=nov-26)>=1" &&
	crm-segment --db "$T/nohist" --explain "$has" >out &&
	! grep "count(...)" out &&
	test "$(crm-segment --db "$T/nohist" "$has" | tr "\n" " ")" = "1 2 " &&
	must_fail 1 crm-check --db "$T/nohist" >out 2>err &&
	grep "^1.index entry history by campaign and kind .nov-26/email. is missing$" out &&
	crm-check --db "$T/nohist" --repair >out 2>err &&
	crm-segment --db "$T/nohist" --explain "$has" >out &&
	grep "count(...)" out &&
	test "$(crm-segment --db "$T/nohist" "$has" | tr "\n" " ")" = "1 2 "
'

check 'count() stops at enough entries for >= and > and counts all for the rest' '
	D="$T/range" &&
	crm-log --db "$D" 7 call again --at 2026-02-01T10:00:00Z >/dev/null &&
	crm-log --db "$D" 7 call again --at 2026-03-01T10:00:00Z >/dev/null &&
	crm-segment --db "$D" "tag:rare and count(kind=call)>=2" >got &&
	printf "7\n8\n" >want && cmp want got &&
	crm-segment --db "$D" "tag:rare and count(kind=call)>2" >got &&
	echo 7 >want && cmp want got &&
	crm-segment --db "$D" "tag:rare and count(kind=call)=2" >got &&
	echo 8 >want && cmp want got &&
	crm-segment --db "$D" "tag:rare and count(kind=call)<3" >got &&
	echo 8 >want && cmp want got
'

# a datetime = or != a date without a time of day: on that day, in the
# local time zone, or not
check 'last_contact=today: on that day; != not; a time of day exactly' '
	a=$(crm-add --db day person name="Dee Day") &&
	crm-log --db day "$a" call x --at "2026-11-25 10:30" >/dev/null &&
	b=$(crm-add --db day person name="Ed Else") &&
	crm-log --db day "$b" call y --at "2026-11-24 23:30" >/dev/null &&
	crm-task --db day add "$a" t --due "2026-11-27 09:00" >/dev/null &&
	q() { crm-segment --db day --now "2026-11-25 12:00" "type:person and ($1)" |
		tr "\n" " "; } &&
	test "$(q last_contact=today)" = "$a " &&
	test "$(q last_contact!=today)" = "$b " &&
	test "$(q last_contact=yesterday)" = "$b " &&
	test "$(q last_contact=2026-11-25)" = "$a " &&
	test "$(q next_due=2026-11-27)" = "$a " &&
	test "$(q "count(kind=call and at=today)>=1")" = "$a " &&
	test "$(q "last_contact=2026-11-25T10:30")" = "$a " &&
	must_fail 1 crm-segment --db day --now "2026-11-25 12:00" \
		"last_contact=2026-11-25T10:00" &&
	test "$(TZ=America/New_York crm-segment --db day --now "2026-11-25 12:00" \
		last_contact=2026-11-24 | tr "\n" " ")" = "$b "
'

# the system's Python: its json module takes only what JSON allows
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

check 'open_deals in templates, JSON and queries alike, as deals change' '
	D="$T/deals" &&
	crm-add --db "$D" person name=A >/dev/null &&
	crm-add --db "$D" person name=B >/dev/null &&
	crm-add --db "$D" company name=C >/dev/null &&
	crm-add --db "$D" deal name=D person=1 >/dev/null &&
	crm-add --db "$D" deal name=E person=1 company=3 stage=proposal \
		>/dev/null &&
	crm-add --db "$D" deal name=F company=3 stage=won >/dev/null &&
	crm-task --db "$D" add 1 call >/dev/null &&
	# each record: the template, then the JSON key, "-" where it has none
	figures() {
		crm-segment --db "$D" -f "%{id} %{open_deals}" "id>0" >text &&
		crm-segment --db "$D" -j "id>0" | "$PY" -c "import json, sys
for l in sys.stdin: print(json.loads(l).get(\"open_deals\", \"-\"))" >json &&
		paste -d " " text json
	} &&
	figures >got &&
	printf "%s\n" "1 2 2" "2 0 0" "3 1 1" "4 0 -" "5 0 -" "6 0 -" "7 0 -" \
		>want &&
	cmp want got &&
	test "$(crm-segment --db "$D" open_deals=2)" = 1 &&
	test "$(crm-segment --db "$D" "open_deals>0" | tr "\n" " ")" = "1 3 " &&
	crm-set --db "$D" 5 stage=lost person=2 >/dev/null &&
	crm-set --db "$D" 4 person=2 >/dev/null &&
	crm-set --db "$D" 6 stage=negotiation >/dev/null &&
	figures >got &&
	printf "%s\n" "1 0 0" "2 1 1" "3 1 1" "4 0 -" "5 0 -" "6 0 -" "7 0 -" \
		>want &&
	cmp want got &&
	crm-rm --db "$D" 4 >/dev/null &&
	test "$(crm-segment --db "$D" -f "%{open_deals}" id=2)" = 0 &&
	txn=$(crm-history --db "$D" | tail -n 1 | cut -f1) &&
	crm-undo --db "$D" "$txn" >/dev/null &&
	test "$(crm-segment --db "$D" -f "%{open_deals}" id=2)" = 1 &&
	crm-show --db "$D" 3 | grep -x "open_deals: 1" &&
	crm-show --db "$D" -j 3 | jq -e ".open_deals == 1" &&
	crm-check --db "$D" &&
	crm-segment --db "$D" -j "id>0" >all.jsonl &&
	crm-import --db "$T/deals2" --from jsonl <all.jsonl 2>/dev/null &&
	test "$(crm-segment --db "$T/deals2" "open_deals>0" | wc -l)" -eq 2
'
