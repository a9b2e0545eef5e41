#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1200-crm-due.t - what is due: for cron, mail and calendars
plan 39

# Monday, 23 November 2026, 10:00 UTC
N='2026-11-23 10:00'
# a text iCalendar must escape and fold
LONG='Call Jana, then Eva; send quote č. 2026/117 — Nováková, Malá: ľščťžýáíé ÄÖÜ 😀 and a tail that runs well past seventy-five octets'

# the python3 on PATH may lack the icalendar module
PY=/usr/bin/python3

# ical.py FILE: the VTODOs of an iCalendar file as read by the icalendar
# module, one line each, with the store's id (which UID and RELATED-TO
# must share) written as STORE
cat >ical.py <<\EOF
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal.name == 'VCALENDAR' and str(cal['VERSION']) == '2.0'
stores = set()
rows = []
for t in cal.walk('VTODO'):
    uid, rel = str(t['UID']), str(t['RELATED-TO'])
    stores.add(uid.split('@', 1)[1])
    stores.add(rel.split('@', 1)[1])
    stamp = t['DTSTAMP'].to_ical().decode()
    assert stamp.endswith('Z'), stamp
    due = t['DUE']
    assert due.dt.utcoffset().total_seconds() == 0, due.to_ical()
    rows.append('\t'.join([uid.split('@', 1)[0], due.to_ical().decode(),
        str(t['PRIORITY']), str(t['STATUS']), rel.split('@', 1)[0],
        str(t['DESCRIPTION']).replace('\n', '|'), str(t['SUMMARY'])]))
assert len(stores) <= 1 and "" not in stores, stores
sys.stdout.buffer.write(('\n'.join(rows + [''])).encode('utf-8'))
EOF

# bad_due TEXT ARG...: crm-due ARG... exits 2, says TEXT on stderr and
# prints nothing
bad_due() {
	text=$1
	shift
	{ must_fail 2 crm-due --now "$N" "$@" >out 2>err ||
		{ cat out err; false; }; } &&
	grep -F -e "$text" err &&
	test ! -s out
}

# task ARG...: add a task at the fixed now
task() {
	crm-task --now "$N" add "$@" >>tasks
}

check 'setup: three records and their tasks' '
	crm-add --now "$N" company name="Kovo s.r.o." email=info@kovo.sk \
		phone="+421 905 123 456" >ids &&
	crm-add --now "$N" person name="Jana Nováková" email=jana@kovo.sk \
		>>ids &&
	crm-add --now "$N" person name="Eva Malá" phone="+421 911 000 111" \
		>>ids &&
	task --due "2026-11-20 09:00" 1 "Send the contract" &&
	task --due "2026-11-23 08:00" --owner anna --priority high 2 \
		"Call Jana" &&
	task --due "2026-11-24 15:00" --priority low 3 "Ring Eva back" &&
	task --due 2026-12-15 1 "Quarterly review" &&
	task 2 "Some day" &&
	task --due "2026-11-22 12:00" 3 "Done already" &&
	crm-task --now "$N" done 9 &&
	task --due "$N" 2 "Due right now" &&
	cat ids tasks >got &&
	expect got <<-EOF
	1
	2
	3
	4
	5
	6
	7
	8
	9
	10
	EOF
'

check 'open tasks due up to now, earliest first, with their records' '
	crm-due --now "$N" >out &&
	expect out <<-EOF
	2026-11-20T09:00:00+00:00	4	1	Kovo s.r.o.	+421905123456	info@kovo.sk	Send the contract
	2026-11-23T08:00:00+00:00	5	2	Jana Nováková		jana@kovo.sk	Call Jana
	2026-11-23T10:00:00+00:00	10	2	Jana Nováková		jana@kovo.sk	Due right now
	EOF
'

check 'a task due a second after now is not due yet' '
	crm-due --now "2026-11-23 09:59:59" >out &&
	cut -f 2 out >got &&
	expect got <<-EOF
	4
	5
	EOF
'

check 'done tasks and tasks without a due time are never listed' '
	crm-due --now "$N" --within 1y >out &&
	cut -f 2 out >got &&
	expect got <<-EOF
	4
	5
	10
	6
	7
	EOF
'

check '--within N days' '
	crm-due --now "$N" --within 2d >out &&
	cut -f 1,2 out >got &&
	expect got <<-EOF
	2026-11-20T09:00:00+00:00	4
	2026-11-23T08:00:00+00:00	5
	2026-11-23T10:00:00+00:00	10
	2026-11-24T15:00:00+00:00	6
	EOF
'

check '--within N hours, up to the second' '
	crm-due --now "$N" --within 28h >out &&
	cut -f 2 out >got &&
	crm-due --now "$N" --within 29h >out &&
	cut -f 2 out >>got &&
	expect got <<-EOF
	4
	5
	10
	4
	5
	10
	6
	EOF
'

check '--within N weeks and months' '
	crm-due --now "$N" --within 3w >out &&
	cut -f 2 out >got &&
	crm-due --now "$N" --within 1m >out &&
	cut -f 2 out >>got &&
	expect got <<-EOF
	4
	5
	10
	6
	4
	5
	10
	6
	7
	EOF
'

check '--overdue: only what was due before today began' '
	crm-due --now "$N" --overdue >out &&
	cut -f 2 out >got &&
	crm-due --now "2026-11-24 09:00" --overdue >out &&
	cut -f 2 out >>got &&
	expect got <<-EOF
	4
	4
	5
	10
	EOF
'

check '--overdue counts today from local midnight' '
	crm-task --now "$N" add --due "2026-11-23 23:15" 1 Late >late &&
	crm-due --now "2026-11-24 00:30" --overdue >out &&
	cut -f 2 out >got &&
	TZ=Europe/Bratislava crm-due --now "2026-11-24 00:30" --overdue >out &&
	cut -f 2 out >>got &&
	crm-task rm $(cat late) &&
	expect got <<-EOF
	4
	5
	10
	$(cat late)
	4
	5
	10
	EOF
'

check 'due times are printed in the local time zone' '
	TZ=Europe/Bratislava crm-due --now 2026-11-23T10:00Z >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	2026-11-20T10:00:00+01:00
	2026-11-23T09:00:00+01:00
	2026-11-23T11:00:00+01:00
	EOF
'

check '--owner USER' '
	crm-due --now "$N" --owner anna >out &&
	cut -f 2,7 out >got &&
	expect got <<-EOF
	5	Call Jana
	EOF
'

check '--owner with --within' '
	crm-due --now "$N" --owner tester --within 2d >out &&
	cut -f 2 out >got &&
	expect got <<-EOF
	4
	10
	6
	EOF
'

check '--mine: the tasks of $CRM_USER' '
	crm-due --now "$N" --mine >out &&
	cut -f 2 out >got &&
	CRM_USER=anna crm-due --now "$N" --mine >out &&
	cut -f 2 out >>got &&
	expect got <<-EOF
	4
	10
	5
	EOF
'

check '--mine without $CRM_USER is the login name' '
	must_fail 1 env -u CRM_USER crm-due --now "$N" --mine >out &&
	test ! -s out &&
	crm-task --now "$N" add --due "$N" --owner "$(id -un)" 3 Mine \
		>mine &&
	env -u CRM_USER crm-due --now "$N" --mine >out &&
	crm-task rm $(cat mine) &&
	cut -f 2,7 out >got &&
	printf "%s\tMine\n" "$(cat mine)" >want &&
	diff want got
'

check 'exit 1 and no output when nothing is due' '
	must_fail 1 crm-due --now 2026-11-01 >out &&
	test ! -s out &&
	must_fail 1 crm-due --now "$N" --owner nobody --within 1y >out &&
	test ! -s out &&
	must_fail 1 crm-due --now "2026-11-20 10:00" --overdue >out &&
	test ! -s out
'

check 'the crontab form mails only when something is due' '
	: >sent &&
	for now in 2026-11-01 "$N"; do
		if crm-due --now "$now" --mine >/dev/null; then
			crm-due --now "$now" --mine >>sent || exit 1
		fi
	done &&
	cut -f 2 sent >got &&
	expect got <<-EOF
	4
	10
	EOF
'

check '-H prints a header line' '
	crm-due --now "$N" -H --owner anna >out &&
	expect out <<-EOF
	due	task	record	name	phone	email	text
	2026-11-23T08:00:00+00:00	5	2	Jana Nováková		jana@kovo.sk	Call Jana
	EOF
'

check '-j: JSON objects, ids as numbers, empty values left out' '
	crm-due --now "$N" -j >out &&
	jq -c . out >got &&
	expect got <<-EOF &&
	{"due":"2026-11-20T09:00:00+00:00","task":4,"record":1,"name":"Kovo s.r.o.","phone":"+421905123456","email":"info@kovo.sk","text":"Send the contract"}
	{"due":"2026-11-23T08:00:00+00:00","task":5,"record":2,"name":"Jana Nováková","email":"jana@kovo.sk","text":"Call Jana"}
	{"due":"2026-11-23T10:00:00+00:00","task":10,"record":2,"name":"Jana Nováková","email":"jana@kovo.sk","text":"Due right now"}
	EOF
	jq -r "select(.record == 2) | .task" out >got &&
	expect got <<-EOF
	5
	10
	EOF
'

check '-f FORMAT' '
	crm-due --now "$N" -f "%{due} %{name}: %{text}" >out &&
	expect out <<-EOF
	2026-11-20T09:00:00+00:00 Kovo s.r.o.: Send the contract
	2026-11-23T08:00:00+00:00 Jana Nováková: Call Jana
	2026-11-23T10:00:00+00:00 Jana Nováková: Due right now
	EOF
'

check '-f with the other fields' '
	crm-due --now "$N" --within 2d --owner tester \
		-f "%{task}|%{record}|%{phone}|%{email}" >out &&
	expect out <<-EOF
	4|1|+421905123456|info@kovo.sk
	10|2||jana@kovo.sk
	6|3|+421911000111|
	EOF
'

check '-0 ends each line with a NUL' '
	crm-due --now "$N" -0 -f "%{task}" >out &&
	printf "4\0005\00010\000" >want &&
	cmp want out
'

check 'crm-due writes nothing to the store' '
	before=$(store_sum) &&
	crm-due --now "$N" --within 1y >out &&
	crm-due --now "$N" --ical >out &&
	test "$(store_sum)" = "$before"
'

check 'bad usage: a bad --within, both of a choice, an operand' '
	bad_due "--within" --within 3x &&
	bad_due "usage" --within 2d --overdue &&
	bad_due "usage" --owner anna --mine &&
	bad_due "usage" --mine --owner anna &&
	bad_due "usage" 2 &&
	bad_due "usage" --bogus
'

check '--where: only the tasks whose record matches the query' '
	for q in type:person "name~jana" "email~kovo.sk" \
		"type:company and not has:phone"; do
		echo "$q:" &&
		crm-due --now "$N" --within 1y --where "$q" >out
		test $? -le 1 || exit 1
		cut -f 2,3 out
	done >got &&
	expect got <<-EOF &&
	type:person:
	5	2
	10	2
	6	3
	name~jana:
	5	2
	10	2
	email~kovo.sk:
	4	1
	5	2
	10	2
	7	1
	type:company and not has:phone:
	EOF
	crm-due --now "$N" --within 1y --where type:company --ical >cal &&
	grep "^UID:task-[0-9]*@" cal | cut -d@ -f1 >got &&
	expect got <<-EOF &&
	UID:task-4
	UID:task-7
	EOF
	must_fail 1 crm-due --now "$N" --owner anna --where type:company
'

check '--where with a query that does not parse: exit 2, the column named' '
	bad_due "crm-due: query:1:7: expected a value after" --where "city>=" &&
	bad_due "unknown field '\''nmae'\'' (did you mean '\''name'\''?)" \
		--where "nmae=Jana"
'

check 'setup: a task whose text needs escaping and folding' '
	printf "%s" "$LONG" >long.txt &&
	crm-task --now "$N" add --due "2026-11-30 12:00" 3 "$LONG" >long &&
	test -s long
'

check '--ical: CRLF lines of at most 75 octets, folded' '
	crm-due --now "$N" --within 1m --ical >cal.ics &&
	awk "/\r\$/ && length(\$0) <= 76 { next } { bad = 1; print }
	    END { exit bad }" cal.ics &&
	grep "^ " cal.ics &&
	tail -c 2 cal.ics | od -c >got &&
	grep -F "\r  \n" got
'

check '--ical: no line is cut inside a UTF-8 character' '
	$PY -c "
import sys
for l in open(sys.argv[1], \"rb\").read().split(b\"\r\n\"):
    l.decode(\"utf-8\")
" cal.ics
'

check '--ical: BEGIN and END of VCALENDAR, VERSION and PRODID' '
	sed -n "1,3p;\$p" cal.ics | tr -d "\r" | sed "s/^PRODID:.*/PRODID/" \
		>got &&
	expect got <<-EOF
	BEGIN:VCALENDAR
	VERSION:2.0
	PRODID
	END:VCALENDAR
	EOF
'

check '--ical: one VTODO per due task, in order, as icalendar reads them' '
	$PY ical.py cal.ics >got &&
	expect got <<-EOF
	task-4	20261120T090000Z	5	NEEDS-ACTION	record-1	Kovo s.r.o.|+421905123456|info@kovo.sk	Send the contract
	task-5	20261123T080000Z	1	NEEDS-ACTION	record-2	Jana Nováková|jana@kovo.sk	Call Jana
	task-10	20261123T100000Z	5	NEEDS-ACTION	record-2	Jana Nováková|jana@kovo.sk	Due right now
	task-6	20261124T150000Z	9	NEEDS-ACTION	record-3	Eva Malá|+421911000111	Ring Eva back
	task-$(cat long)	20261130T120000Z	5	NEEDS-ACTION	record-3	Eva Malá|+421911000111	$LONG
	task-7	20261215T000000Z	5	NEEDS-ACTION	record-1	Kovo s.r.o.|+421905123456|info@kovo.sk	Quarterly review
	EOF
'

check '--ical: a SUMMARY with commas, semicolons, Unicode round-trips' '
	$PY -c "
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(\"cal.ics\", \"rb\").read())
want = open(\"long.txt\", encoding=\"utf-8\").read()
got = [str(t[\"SUMMARY\"]) for t in cal.walk(\"VTODO\")]
sys.exit(0 if got.count(want) == 1 else 1)
" &&
	grep -F "SUMMARY:Call Jana\, then Eva\; send" cal.ics
'

check '--ical: PRIORITY is 1 for high, 5 for normal, 9 for low' '
	$PY ical.py cal.ics >dump &&
	cut -f 1,3 dump >got &&
	expect got <<-EOF
	task-4	5
	task-5	1
	task-10	5
	task-6	9
	task-$(cat long)	5
	task-7	5
	EOF
'

check '--ical: DUE is in UTC whatever the time zone' '
	TZ=America/New_York crm-due --now "$N" --within 1m --ical >ny.ics &&
	grep "^DUE:" cal.ics >want &&
	grep "^DUE:" ny.ics >got &&
	diff want got &&
	TZ=America/New_York crm-task --now "$N" add --due "2026-11-25 09:00" \
		3 "New York time" >ny &&
	crm-due --now "$N" --within 1w --ical >cal2.ics &&
	crm-task rm $(cat ny) &&
	grep -A 2 "^UID:task-$(cat ny)@" cal2.ics | tr -d "\r" >got &&
	sed -n 3p got >due &&
	expect due <<-EOF
	DUE:20261125T140000Z
	EOF
'

check '--ical: DESCRIPTION holds name, phone and e-mail on lines' '
	$PY -c "
import icalendar
cal = icalendar.Calendar.from_ical(open(\"cal.ics\", \"rb\").read())
t = cal.walk(\"VTODO\")[0]
assert str(t[\"DESCRIPTION\"]) == \"Kovo s.r.o.\n+421905123456\ninfo@kovo.sk\"
"
'

check '--ical: UIDs are the same on every run' '
	crm-due --now "2026-11-23 11:30" --within 1m --ical >again.ics &&
	grep "^UID:" cal.ics >want &&
	grep "^UID:" again.ics >got &&
	diff want got &&
	grep "^UID:task-4@[0-9A-Za-z-]*.\$" got
'

check '--ical: UID and RELATED-TO name the store, another has another' '
	uid=$(sed -n "s/^UID:task-4@\(.*\).\$/\1/p" cal.ics) &&
	grep -x "RELATED-TO:record-1@$uid." cal.ics &&
	crm-add --db "$T/other" person name=Ota >/dev/null &&
	crm-task --db "$T/other" --now "$N" add --due "$N" 1 x >/dev/null &&
	crm-due --db "$T/other" --now "$N" --ical >other.ics &&
	other=$(sed -n "s/^UID:task-2@\(.*\).\$/\1/p" other.ics) &&
	test -n "$other" &&
	test "$other" != "$uid"
'

check '--ical with --owner and --overdue' '
	crm-due --now "$N" --ical --overdue >od.ics &&
	$PY ical.py od.ics >got &&
	crm-due --now "$N" --ical --owner anna >anna.ics &&
	$PY ical.py anna.ics >>got &&
	cut -f 1 got >ids &&
	expect ids <<-EOF
	task-4
	task-5
	EOF
'

check '--ical exits 1 when nothing is due' '
	must_fail 1 crm-due --now 2026-11-01 --ical >empty.ics &&
	$PY ical.py empty.ics >got &&
	test ! -s got
'

check '--within 1m from 31 January ends on the last day of February' '
	M="$T/months" &&
	crm-add --db "$M" person name=Ema >/dev/null &&
	crm-task --db "$M" --now "$N" add --due "2027-02-28 12:00" 1 Feb \
		>/dev/null &&
	crm-task --db "$M" --now "$N" add --due "2027-03-01 09:00" 1 Mar \
		>/dev/null &&
	crm-due --db "$M" --now "2027-01-31 12:00" --within 1m >out &&
	cut -f 7 out >got &&
	expect got <<-EOF
	Feb
	EOF
'
