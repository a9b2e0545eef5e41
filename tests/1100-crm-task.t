#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1100-crm-task.t - follow-ups: adding, listing, marking done, removing
plan 50

# Monday, 23 November 2026, 10:00 UTC
N='2026-11-23 10:00'

# bad_task TEXT ARG...: crm-task ARG... exits 2, says TEXT on stderr,
# prints nothing and leaves the store as it was
bad_task() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 crm-task --now "$N" "$@" >out 2>err ||
		{ cat out err; false; }; } &&
	grep -F -e "$text" err &&
	test ! -s out &&
	test "$(store_sum)" = "$before"
}

# next_due ID: the record's next_due, or "none"
next_due() {
	crm-show -j "$1" >nd.json &&
	jq -r '.next_due // "none"' nd.json
}

check 'setup: a company and two people' '
	crm-add --now "$N" company name="Kovo s.r.o." email=info@kovo.sk >ids &&
	crm-add --now "$N" person name="Jana Nováková" email=jana@kovo.sk \
		>>ids &&
	crm-add --now "$N" person name="Eva Malá" >>ids &&
	expect ids <<-EOF
	1
	2
	3
	EOF
'

check 'add prints the id of the new task' '
	crm-task --now "$N" add --due "fri 10:00" 1 "Call back" >out &&
	expect out <<-EOF
	4
	EOF
'

check 'a new task: text, about, due, owner $CRM_USER, priority normal' '
	crm-show -j 4 >out &&
	jq -r "[.type, .text, .about, .due, .owner, .priority, .created,
	    has(\"done\"), has(\"every\")] | @tsv" out >got &&
	expect got <<-EOF
	task	Call back	1	2026-11-27T10:00:00+00:00	tester	normal	2026-11-23T10:00:00+00:00	false	false
	EOF
'

check 'the record gets next_due from its task' '
	next_due 1 >got &&
	expect got <<-EOF
	2026-11-27T10:00:00+00:00
	EOF
'

check 'a task due later leaves next_due alone' '
	crm-task --now "$N" add --due 2026-12-01 1 "Send the invoice" >out &&
	next_due 1 >>out &&
	expect out <<-EOF
	5
	2026-11-27T10:00:00+00:00
	EOF
'

check 'one task about each record; an earlier one moves next_due' '
	crm-task --now "$N" add --due tomorrow --priority high 1 3 \
		"Send the quote" >out &&
	next_due 1 >>out &&
	next_due 3 >>out &&
	crm-show -f "%{about} %{priority} %{due}" 6 7 >>out &&
	expect out <<-EOF
	6
	7
	2026-11-24T00:00:00+00:00
	2026-11-24T00:00:00+00:00
	1 high 2026-11-24T00:00:00+00:00
	3 high 2026-11-24T00:00:00+00:00
	EOF
'

check 'a task without a due time gives no next_due' '
	crm-task --now "$N" add 2 "Ask about the fair" >out &&
	next_due 2 >>out &&
	crm-show -j 2 >show &&
	jq "has(\"next_due\")" show >>out &&
	expect out <<-EOF
	8
	none
	false
	EOF
'

check '--owner and --priority low' '
	crm-task --now "$N" add --owner anna --priority low \
		--due "2026-11-30 14:00" 2 Visit >out &&
	crm-show -f "%{owner} %{priority}" 9 >>out &&
	next_due 2 >>out &&
	expect out <<-EOF
	9
	anna low
	2026-11-30T14:00:00+00:00
	EOF
'

check 'without $CRM_USER the owner is the login name' '
	env -u CRM_USER crm-task --now "$N" add 3 "Check the address" >out &&
	crm-show -f "%{owner}" 10 >got &&
	id -un >want &&
	diff want got &&
	crm-task rm 10
'

check 'ids from stdin with -, a task about each' '
	printf "2\n3\n" >ids &&
	crm-task --now "$N" add --due +1w - Newsletter <ids >out &&
	crm-show -f "%{id} %{about} %{due}" 11 12 >>out &&
	next_due 2 >>out &&
	next_due 3 >>out &&
	expect out <<-EOF
	11
	12
	11 2 2026-11-30T10:00:00+00:00
	12 3 2026-11-30T10:00:00+00:00
	2026-11-30T10:00:00+00:00
	2026-11-24T00:00:00+00:00
	EOF
'

check 'ids from crm-find output on stdin' '
	crm-find --email jana@kovo.sk >found &&
	crm-task --now "$N" add - "Birthday card" <found >out &&
	crm-show -f "%{about} %{text}" 13 >>out &&
	expect out <<-EOF
	13
	2 Birthday card
	EOF
'

check 'a bad --due is refused, nothing written' '
	bad_task "cannot read the date" add --due "next tuesday" 1 x
'

check 'a bad --every is refused, nothing written' '
	for e in 3x 3 m 1mm -1m 2h 0d 00m; do
		bad_task "--every" add --due tomorrow --every "$e" 1 x || exit 1
	done
'

check 'a bad --priority is refused, nothing written' '
	bad_task "urgent" add --priority urgent 1 x
'

check 'an unknown record is refused, no task is added for the others' '
	bad_task "no record 99" add --due tomorrow 1 99 3 x
'

check 'an empty selection is refused' '
	: >empty &&
	bad_task "no records" add - x <empty
'

check 'add without text is bad usage' '
	bad_task "usage" add
'

check 'no subcommand, or an unknown one, is bad usage' '
	bad_task "usage" &&
	bad_task "usage" list
'

check 'ls: open tasks, earliest due first, those without due last' '
	crm-task ls >out &&
	expect out <<-EOF
	6	2026-11-24T00:00:00+00:00	1	tester	high	Send the quote
	7	2026-11-24T00:00:00+00:00	3	tester	high	Send the quote
	4	2026-11-27T10:00:00+00:00	1	tester	normal	Call back
	11	2026-11-30T10:00:00+00:00	2	tester	normal	Newsletter
	12	2026-11-30T10:00:00+00:00	3	tester	normal	Newsletter
	9	2026-11-30T14:00:00+00:00	2	anna	low	Visit
	5	2026-12-01T00:00:00+00:00	1	tester	normal	Send the invoice
	8		2	tester	normal	Ask about the fair
	13		2	tester	normal	Birthday card
	EOF
'

check 'ls -H prints a header line' '
	crm-task ls -H 3 >out &&
	expect out <<-EOF
	id	due	about	owner	priority	text
	7	2026-11-24T00:00:00+00:00	3	tester	high	Send the quote
	12	2026-11-30T10:00:00+00:00	3	tester	normal	Newsletter
	EOF
'

check 'ls --owner USER' '
	crm-task ls --owner anna >out &&
	expect out <<-EOF
	9	2026-11-30T14:00:00+00:00	2	anna	low	Visit
	EOF
'

check 'ls ID: the tasks about one record' '
	crm-task ls 2 >out &&
	cut -f 1 out >got &&
	expect got <<-EOF
	11
	9
	8
	13
	EOF
'

check 'ls -j prints JSON Lines' '
	crm-task ls -j 1 >out &&
	jq -r "[.id, .type, .due, .priority] | @tsv" out >got &&
	expect got <<-EOF
	6	task	2026-11-24T00:00:00+00:00	high
	4	task	2026-11-27T10:00:00+00:00	normal
	5	task	2026-12-01T00:00:00+00:00	normal
	EOF
'

check 'ls -f FORMAT' '
	crm-task ls -f "%{id}:%{owner}:%{text}" 3 >out &&
	expect out <<-EOF
	7:tester:Send the quote
	12:tester:Newsletter
	EOF
'

check 'ls -0 ends each line with a NUL' '
	crm-task ls -0 --owner anna >out &&
	printf "9\t2026-11-30T14:00:00+00:00\t2\tanna\tlow\tVisit\000" >want &&
	cmp want out
'

check 'ls exits 1 when no task matches' '
	must_fail 1 crm-task ls --owner nobody >out &&
	test ! -s out &&
	must_fail 1 crm-task ls 99 >out &&
	test ! -s out
'

check 'done stamps the task with now; ls leaves it out' '
	crm-task --now "2026-11-24 09:00" done 6 >out &&
	test ! -s out &&
	crm-show -f "%{done}" 6 >got &&
	crm-task ls 1 >out &&
	cut -f 1 out >>got &&
	expect got <<-EOF
	2026-11-24T09:00:00+00:00
	4
	5
	EOF
'

check 'done moves next_due to the next open task' '
	next_due 1 >got &&
	expect got <<-EOF
	2026-11-27T10:00:00+00:00
	EOF
'

check 'ls --all lists done tasks too, with a done column' '
	crm-task ls --all -H 1 >out &&
	expect out <<-EOF
	id	due	about	owner	priority	text	done
	6	2026-11-24T00:00:00+00:00	1	tester	high	Send the quote	2026-11-24T09:00:00+00:00
	4	2026-11-27T10:00:00+00:00	1	tester	normal	Call back	
	5	2026-12-01T00:00:00+00:00	1	tester	normal	Send the invoice	
	EOF
'

check 'done of a done task changes nothing' '
	before=$(store_sum) &&
	crm-task --now "2026-11-25 12:00" done 6 &&
	test "$(store_sum)" = "$before" &&
	crm-show -f "%{done}" 6 >got &&
	expect got <<-EOF
	2026-11-24T09:00:00+00:00
	EOF
'

check 'done reads task ids from stdin with -' '
	echo 7 >ids &&
	crm-task --now "$N" done - <ids &&
	crm-show -f "%{done}" 7 >got &&
	next_due 3 >>got &&
	expect got <<-EOF
	2026-11-23T10:00:00+00:00
	2026-11-30T10:00:00+00:00
	EOF
'

check 'done of a record that is not a task is refused' '
	bad_task "no task 2" done 2
'

check 'done of a missing task changes nothing, not even the others' '
	bad_task "no task 99" done 4 99 &&
	crm-show -j 4 >out &&
	jq "has(\"done\")" out >got &&
	expect got <<-EOF
	false
	EOF
'

check 'a done repeating task comes back one interval later' '
	crm-task --now "$N" add --due "2026-11-25 09:00" --every 1m \
		--priority high --owner anna 2 "Monthly report" >out &&
	next_due 2 >>out &&
	crm-task --now "2026-11-26 10:00" done 14 &&
	crm-show -j 14 15 >show &&
	jq -c "[.id, .text, .about, .due, .done, .owner, .priority, .every]" \
		show >>out &&
	next_due 2 >>out &&
	expect out <<-EOF
	14
	2026-11-25T09:00:00+00:00
	[14,"Monthly report",2,"2026-11-25T09:00:00+00:00","2026-11-26T10:00:00+00:00","anna","high","1m"]
	[15,"Monthly report",2,"2026-12-25T09:00:00+00:00",null,"anna","high","1m"]
	2026-11-30T10:00:00+00:00
	EOF
'

check 'done of a done repeating task makes no second one' '
	before=$(store_sum) &&
	crm-task --now "2026-11-27 10:00" done 14 &&
	test "$(store_sum)" = "$before"
'

check 'a repeating task steps past now; every in days, weeks, years' '
	crm-task --now "$N" add --due "2026-11-23 09:00" --every 1w 3 \
		Weekly >w &&
	crm-task --now "$N" add --due 2026-11-20 --every 1y 3 Yearly >y &&
	crm-task --now "$N" add --due "2026-11-22 08:00" --every 3d 3 \
		Every3d >d &&
	crm-task --now "2026-12-10 12:00" done $(cat w) &&
	crm-task --now "$N" done $(cat y) $(cat d) &&
	crm-task ls 3 >ls &&
	crm-show -f "%{text} %{due} %{every}" $(cut -f 1 ls) >out &&
	next_due 3 >>out &&
	expect out <<-EOF
	Every3d 2026-11-25T08:00:00+00:00 3d
	Newsletter 2026-11-30T10:00:00+00:00 
	Weekly 2026-12-14T09:00:00+00:00 1w
	Yearly 2027-11-20T00:00:00+00:00 1y
	2026-11-25T08:00:00+00:00
	EOF
'

check 'rm removes a task' '
	crm-task rm 5 >out &&
	test ! -s out &&
	crm-task ls --all 1 >out &&
	cut -f 1 out >got &&
	next_due 1 >>got &&
	expect got <<-EOF
	6
	4
	2026-11-27T10:00:00+00:00
	EOF
'

check 'rm of the last open task drops next_due' '
	crm-task rm 4 &&
	next_due 1 >got &&
	crm-show -j 1 >show &&
	jq "has(\"next_due\")" show >>got &&
	expect got <<-EOF
	none
	false
	EOF
'

check 'rm reads task ids from stdin with -' '
	crm-task ls 2 >ids &&
	crm-task rm - <ids &&
	must_fail 1 crm-task ls 2 >out &&
	next_due 2 >got &&
	expect got <<-EOF
	none
	EOF
'

check 'rm of a record that is not a task is refused' '
	bad_task "no task 3" rm 3
'

check 'rm of a missing task changes nothing, not even the others' '
	bad_task "no task 99" rm 12 99 &&
	crm-show -f "%{text}" 12 >got &&
	expect got <<-EOF
	Newsletter
	EOF
'

check 'crm-set of due earlier moves next_due' '
	crm-set 12 due=2026-11-24T08:00 &&
	next_due 3 >got &&
	expect got <<-EOF
	2026-11-24T08:00:00+00:00
	EOF
'

check 'crm-set of due later moves next_due later' '
	crm-set 12 due=2027-01-01T00:00 &&
	next_due 3 >got &&
	expect got <<-EOF
	2026-11-25T08:00:00+00:00
	EOF
'

check 'crm-set clearing due moves next_due' '
	crm-task ls 3 >ls &&
	id=$(awk -F "\t" "\$6 == \"Every3d\" { print \$1 }" ls) &&
	crm-set "$id" due= &&
	next_due 3 >got &&
	expect got <<-EOF
	2026-12-14T09:00:00+00:00
	EOF
'

check 'crm-log --next adds a task and moves next_due' '
	crm-log --now "$N" --next "wed 09:00" "Call about the offer" 1 call \
		"Talked" >entry &&
	crm-task ls 1 >out &&
	cut -f 2- out >got &&
	next_due 1 >>got &&
	expect got <<-EOF
	2026-11-25T09:00:00+00:00	1	tester	normal	Call about the offer
	2026-11-25T09:00:00+00:00
	EOF
'

check '--db DIR uses that store only' '
	before=$(store_sum) &&
	crm-add --db "$T/other" person name=Ota >/dev/null &&
	crm-task --db "$T/other" --now "$N" add --due tomorrow 1 Elsewhere \
		>out &&
	crm-task --db "$T/other" ls >ls &&
	cut -f 1,6 ls >>out &&
	test "$(store_sum)" = "$before" &&
	expect out <<-EOF
	2
	2	Elsewhere
	EOF
'

# a store of its own for the ends of months
M="$T/months"

check 'a month or a year on from a day February lacks ends in February' '
	crm-add --db "$M" person name=Ema >/dev/null &&
	crm-task --db "$M" --now "2027-01-31 12:00" add --due +1m 1 Month \
		>ids &&
	crm-task --db "$M" --now "2028-02-29 12:00" add --due +1y 1 Year \
		>>ids &&
	crm-show --db "$M" -f "%{text} %{due}" $(cat ids) >out &&
	expect out <<-EOF
	Month 2027-02-28T12:00:00+00:00
	Year 2029-02-28T12:00:00+00:00
	EOF
'

check 'a monthly task due on the 31st comes back on the last of February' '
	crm-task --db "$M" --now "2027-01-01 12:00" add \
		--due "2027-01-31 10:00" --every 1m 1 Monthly >id &&
	crm-task --db "$M" --now "2027-01-01 12:00" add \
		--due "2027-01-31 09:00" --every 1m 1 Late >>id &&
	crm-task --db "$M" --now "2027-01-31 11:00" done $(sed -n 1p id) &&
	crm-task --db "$M" --now "2027-04-15 11:00" done $(sed -n 2p id) &&
	crm-task --db "$M" ls -f "%{text} %{due}" 1 >out &&
	expect out <<-EOF
	Monthly 2027-02-28T10:00:00+00:00
	Month 2027-02-28T12:00:00+00:00
	Late 2027-04-30T09:00:00+00:00
	Year 2029-02-28T12:00:00+00:00
	EOF
'

check 'a repeating task done early comes back one interval after its due' '
	E=$T/early &&
	crm-add --db "$E" --now "$N" person name=Jan >/dev/null &&
	crm-task --db "$E" --now "$N" add --due 2026-12-01 --every 1w 1 \
		Weekly >id &&
	crm-task --db "$E" --now "$N" add --due "2026-12-31 10:00" \
		--every 1m 1 Monthly >>id &&
	crm-task --db "$E" --now "$N" done $(cat id) &&
	crm-task --db "$E" ls -f "%{text} %{due}" 1 >out &&
	expect out <<-EOF
	Weekly 2026-12-08T00:00:00+00:00
	Monthly 2027-01-31T10:00:00+00:00
	EOF
'

check 'done of a task set to repeat every 0d is refused, not looped on' '
	crm-task --db "$M" --now "2027-01-01 12:00" add --due tomorrow \
		--every 1d 1 Zero >id &&
	crm-set --db "$M" $(cat id) every=0d &&
	must_fail 2 timeout 10 crm-task --db "$M" done $(cat id) 2>err &&
	grep -F "'\''0d'\'' is not an interval" err &&
	crm-show --db "$M" -f "%{done}" $(cat id) >out &&
	expect out <<-EOF

	EOF
'
