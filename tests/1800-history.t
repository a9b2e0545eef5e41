#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1800-history.t - crm-history shows the journal, crm-undo takes it back
#
# Two users (anna, peter) add, set, log and remove; crm-history prints
# what each transaction did, filtered by record, user, time and number,
# in columns and as JSON, with the command line as typed.  Then undo:
# a bulk crm-set, a refusal when a later transaction changed the same
# field, --force, --dry-run, an undo undone, a crm-rm (record, history,
# figures), a crm-log, a crm-import and a crm-merge (the store exported
# before the merge and after its undo is the same, byte for byte); an
# undo of an add refused when a task or a deal came to refer to what it
# added, and what --force does then; what an undo writes back is checked
# against the store's rules as they are.
plan 42

TAB=$(printf '\t')

# hsort: history lines by txn, record, op, field: the order of the
# changes inside one transaction is not what these tests are about
hsort() {
	sort -t "$TAB" -k1,1n -k4,4n -k5,5 -k6,6
}

# figures ID...: interactions, last_contact and turnover of each record
figures() {
	crm-show -j "$@" >fig &&
	jq -r '[.id, .interactions, .last_contact // "", .turnover // 0] |
		@tsv' fig
}

# refused TEXT CMD...: CMD exits 2, says TEXT, prints and writes nothing
refused() {
	text=$1
	shift
	before=$(store_sum) &&
	{ must_fail 2 "$@" >out 2>err || { cat err; false; }; } &&
	grep -F -e "$text" err &&
	test ! -s out &&
	test "$(store_sum)" = "$before"
}

# --------------------------------------------------------- the journal

check 'setup: anna adds a company and a person, peter two persons' '
	{
	CRM_USER=anna crm-add --now 2026-03-01 company name="Kovo s.r.o." &&
	CRM_USER=anna crm-add --now 2026-03-01 person name="Jana Nováková" \
		email=jana@kovo.sk company=1 city=Nitra tags=vip &&
	CRM_USER=peter crm-add --now 2026-03-02 person name="Peter Horváth" \
		email=peter@kovo.sk company=1 city=Nitra &&
	CRM_USER=peter crm-add --now 2026-03-02 person name="Eva Malá" \
		city=Praha tags=a,b
	} >ids &&
	test "$(tr "\n" " " <ids)" = "1 2 3 4 "
'

check 'after crm-add: one created line, txn at user record op command' '
	crm-history 2 >got &&
	expect got <<-EOF
	2	2026-03-01T00:00:00+00:00	anna	2	created				crm-add --now 2026-03-01 person '\''name=Jana Nováková'\'' email=jana@kovo.sk company=1 city=Nitra tags=vip
	EOF
'

check 'after crm-set (tags+=): a set line per field, old and new' '
	CRM_USER=anna crm-set --now 2026-03-03 2 "city=Nové Zámky" \
		tags+=fair >/dev/null &&
	crm-history 2 | hsort >got &&
	expect got <<-EOF
	2	2026-03-01T00:00:00+00:00	anna	2	created				crm-add --now 2026-03-01 person '\''name=Jana Nováková'\'' email=jana@kovo.sk company=1 city=Nitra tags=vip
	5	2026-03-03T00:00:00+00:00	anna	2	set	city	Nitra	Nové Zámky	crm-set --now 2026-03-03 2 '\''city=Nové Zámky'\'' tags+=fair
	5	2026-03-03T00:00:00+00:00	anna	2	set	tags	vip	vip,fair	crm-set --now 2026-03-03 2 '\''city=Nové Zámky'\'' tags+=fair
	EOF
'

check 'after crm-log: a logged line, the entry'\''s id, kind: text' '
	crm-show -j 1 2 >fig0 &&
	CRM_USER=anna crm-log --now 2026-03-04 --at 2026-03-04 --amount 120 \
		2 purchase "order 1" >e1 &&
	CRM_USER=anna crm-log --now 2026-03-04 --at 2026-03-02 2 call \
		"it'\''s me" >e2 &&
	test "$(cat e1 e2 | tr "\n" " ")" = "5 6 " &&
	crm-history 2 | tail -n 2 >got &&
	expect got <<-EOF
	6	2026-03-04T00:00:00+00:00	anna	2	logged	5		purchase: order 1	crm-log --now 2026-03-04 --at 2026-03-04 --amount 120 2 purchase '\''order 1'\''
	7	2026-03-04T00:00:00+00:00	anna	2	logged	6		call: it'\''s me	crm-log --now 2026-03-04 --at 2026-03-02 2 call '\''it'\''\\\\'\'''\''s me'\''
	EOF
'

check 'the command, as JSON, is the command line quoted for the shell' '
	crm-history -j --txn 7 | jq -r .command >cmd &&
	test "$(wc -l <cmd)" -eq 1 &&
	eval "set -- $(cat cmd)" &&
	test $# -eq 8 &&
	test "$1 $2 $3 $4 $5 $6 $7" = \
		"crm-log --now 2026-03-04 --at 2026-03-02 2 call" &&
	test "$8" = "it'\''s me"
'

# keep what crm-rm takes, to compare after its undo
crm-log --list 2 >"$T/list2.before" 2>&1
crm-show -j 2 >"$T/show2.before" 2>&1
figures 1 2 >"$T/fig12.before" 2>&1

check 'after crm-rm: the entries unlogged, the record removed' '
	CRM_USER=peter crm-rm --now 2026-03-05 2 >/dev/null &&
	crm-history 2 | tail -n 3 | hsort >got &&
	expect got <<-EOF
	8	2026-03-05T00:00:00+00:00	peter	2	removed				crm-rm --now 2026-03-05 2
	8	2026-03-05T00:00:00+00:00	peter	2	unlogged	5	purchase: order 1		crm-rm --now 2026-03-05 2
	8	2026-03-05T00:00:00+00:00	peter	2	unlogged	6	call: it'\''s me		crm-rm --now 2026-03-05 2
	EOF
'

check 'an id: only the changes of that record' '
	crm-history 4 >got &&
	expect got <<-EOF &&
	4	2026-03-02T00:00:00+00:00	peter	4	created				crm-add --now 2026-03-02 person '\''name=Eva Malá'\'' city=Praha tags=a,b
	EOF
	crm-history 2 | cut -f 4 | sort -u >got &&
	expect got <<-EOF
	2
	EOF
'

check 'without arguments: every change, txns in order' '
	crm-history >all &&
	test "$(wc -l <all)" -eq 11 &&
	cut -f 1 all | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 5 6 7 8 " &&
	cut -f 1 all | sort -n -c
'

check '--user: anna'\''s changes, peter'\''s changes' '
	crm-history --user anna >a &&
	cut -f 1 a | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 5 6 7 " &&
	test "$(cut -f 3 a | sort -u)" = anna &&
	crm-history --user peter >p &&
	cut -f 1 p | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "3 4 8 " &&
	test "$(cut -f 3 p | sort -u)" = peter &&
	test $(($(wc -l <a) + $(wc -l <p))) -eq "$(crm-history | wc -l)"
'

check '--since: the changes of transactions at that time or later' '
	crm-history --since 2026-03-04 | cut -f 1 | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "6 7 8 " &&
	crm-history --since 2026-03-04T00:01 | cut -f 1 | uniq >got &&
	test "$(cat got)" = 8 &&
	crm-history --now 2026-03-05T12:00 --since -1d | cut -f 1 | uniq \
		>got &&
	test "$(cat got)" = 8
'

check 'filters together: an id, a user, a time' '
	crm-history --since 2026-03-02 --user anna | cut -f 1 | uniq |
		tr "\n" " " >got &&
	test "$(cat got)" = "5 6 7 " &&
	crm-history --user peter 2 | cut -f 1,5 >got &&
	expect got <<-EOF
	8	unlogged
	8	unlogged
	8	removed
	EOF
'

check '--txn: the changes of one transaction only' '
	crm-history --txn 5 | cut -f 1,4,5,6 | sort >got &&
	expect got <<-EOF
	5	2	set	city
	5	2	set	tags
	EOF
'

check 'nothing matches: exit 1, nothing printed' '
	must_fail 1 crm-history 99 >out && test ! -s out &&
	must_fail 1 crm-history --user nobody >out && test ! -s out &&
	must_fail 1 crm-history --txn 99 >out && test ! -s out &&
	must_fail 1 crm-history --since 2027-01-01 >out && test ! -s out &&
	must_fail 1 crm-history --user anna 4 >out && test ! -s out
'

check 'a bad id, txn or date: exit 2' '
	must_fail 2 crm-history x 2>err &&
	must_fail 2 crm-history --txn x 2>err &&
	grep -F "x" err &&
	must_fail 2 crm-history --since garbage 2>err &&
	grep -F "garbage" err
'

check '-H: a header naming the columns first' '
	crm-history -H --txn 4 | head -n 1 >got &&
	expect got <<-EOF
	txn	at	user	record	op	field	old	new	command
	EOF
'

check '-j: one JSON object per change, ids numbers, no empty keys' '
	crm-history -j >all.json &&
	test "$(jq -s length all.json)" -eq "$(crm-history | wc -l)" &&
	jq -s -e "all(.[]; del(.txn, .record) | to_entries |
		all(.value | type == \"string\"))" all.json &&
	jq -s -e "all(.[]; (.txn | type == \"number\") and
		(.record | type == \"number\" or . == null or
		test(\"^[0-9]+-[0-9]+\$\")))" all.json &&
	jq -s -e "all(.[]; .txn and .at and .user and .op and .command)" \
		all.json &&
	crm-history -j --txn 5 | jq -r "select(.field == \"tags\") |
		[.txn, .user, .record, .op, .old, .new] | @tsv" >got &&
	expect got <<-EOF &&
	5	anna	2	set	vip	vip,fair
	EOF
	crm-history -j 4 | jq -c "keys" >got &&
	expect got <<-EOF &&
	["at","command","op","record","txn","user"]
	EOF
	crm-history -j --txn 7 | jq -r ".command" >got &&
	crm-history --txn 7 | cut -f 9 | sed "s/\\\\\\\\/\\\\/g" | cmp - got
'

# ------------------------------------------------------- undo: crm-rm

check 'undo of crm-rm: restore the record, log its entries back' '
	crm-undo --now 2026-03-06 8 >out &&
	head -n 1 out >got &&
	expect got <<-EOF &&
	restore 2
	EOF
	sed 1d out | sort >got &&
	expect got <<-EOF &&
	log 5
	log 6
	EOF
	crm-show -j 2 | jq -r .name >got &&
	expect got <<-EOF
	Jana Nováková
	EOF
'

check 'undo of crm-rm: the record as it was, its history again' '
	crm-show -j 2 >show2 &&
	cmp "$T/show2.before" show2 &&
	crm-log --list 2 >list2 &&
	cmp "$T/list2.before" list2
'

check 'undo of crm-rm: interactions, turnover of the record and company' '
	figures 1 2 >got &&
	expect got <<-EOF &&
	1	2	2026-03-04T00:00:00+00:00	120
	2	2	2026-03-04T00:00:00+00:00	120
	EOF
	cmp "$T/fig12.before" got
'

check 'the undo is journalled: created again, logged, its command line' '
	crm-history --txn 9 | cut -f 1,3,4,5,6,9 | hsort >got &&
	expect got <<-EOF
	9	tester	2	created		crm-undo --now 2026-03-06 8
	9	tester	2	logged	5	crm-undo --now 2026-03-06 8
	9	tester	2	logged	6	crm-undo --now 2026-03-06 8
	EOF
'

# --------------------------------------------- undo: a bulk crm-set

crm-show -j 2 3 4 >"$T/bulk.before" 2>&1

check 'a bulk crm-set of three records is one transaction' '
	CRM_USER=peter crm-set --now 2026-03-07 2 3 4 city=Wien tags+=new \
		title=Boss >/dev/null &&
	crm-show -j 2 3 4 >bulk.after &&
	crm-history --txn 10 >h &&
	test "$(wc -l <h)" -eq 9 &&
	cut -f 4 h | sort -u | tr "\n" " " >got &&
	test "$(cat got)" = "2 3 4 " &&
	test "$(cut -f 3 h | sort -u)" = peter
'

check '--dry-run prints the plan and changes nothing' '
	before=$(store_sum) &&
	crm-undo --dry-run 10 >plan &&
	test "$(store_sum)" = "$before" &&
	crm-show -j 2 3 4 | cmp - bulk.after &&
	sort plan >got &&
	expect got <<-EOF &&
	set 2 city
	set 2 tags
	set 2 title
	set 3 city
	set 3 tags
	set 3 title
	set 4 city
	set 4 tags
	set 4 title
	EOF
	crm-undo -n 10 | cmp - plan &&
	test "$(store_sum)" = "$before"
'

check 'undo of the bulk crm-set: every field of every record back' '
	crm-undo --dry-run 10 >plan &&
	crm-undo --now 2026-03-08 10 >out &&
	cmp plan out &&
	cut -d " " -f 2 out | uniq | tr "\n" " " >got &&
	test "$(cat got)" = "4 3 2 " &&
	crm-show -j 2 3 4 >now &&
	cmp "$T/bulk.before" now
'

check 'undo of the undo does the crm-set again' '
	crm-undo --now 2026-03-09 11 >out &&
	test "$(wc -l <out)" -eq 9 &&
	crm-show -j 2 3 4 | cmp - bulk.after &&
	crm-history --txn 12 | cut -f 9 | sort -u >got &&
	expect got <<-EOF
	crm-undo --now 2026-03-09 11
	EOF
'

check 'a later crm-set of the same field: refused, exit 2, naming it' '
	CRM_USER=anna crm-set --now 2026-03-10 3 city=Graz >/dev/null &&
	refused "transaction 13" crm-undo 12 &&
	grep -F "anna" err &&
	grep -F "crm-set --now 2026-03-10 3 city=Graz" err &&
	grep -F -- "--force" err &&
	crm-show -j 3 | jq -r .city >got &&
	expect got <<-EOF
	Graz
	EOF
'

check 'a dry run refuses as the undo would' '
	refused "transaction 13" crm-undo --dry-run 12
'

check '--force undoes it all the same, the later value lost' '
	crm-undo --dry-run --force 12 >plan &&
	crm-undo --force --now 2026-03-11 12 >out &&
	cmp plan out &&
	test "$(wc -l <out)" -eq 9 &&
	crm-show -j 2 3 4 >now &&
	cmp "$T/bulk.before" now &&
	crm-history --txn 13 | cut -f 4,6,8 >got &&
	expect got <<-EOF
	3	city	Graz
	EOF
'

check 'an unknown transaction, or none: exit 2, nothing written' '
	refused "no transaction 999" crm-undo 999 &&
	refused "not a transaction" crm-undo x &&
	refused "not a transaction" crm-undo 0 &&
	refused "usage" crm-undo &&
	refused "usage" crm-undo 12 13
'

# ------------------------------------------------- undo: a crm-log

check 'undo of crm-log: the entry and its figures gone' '
	CRM_DB=$T/logdb &&
	crm-add --now 2026-04-01 company name=Firma >/dev/null &&
	crm-add --now 2026-04-01 person name="Ivan Kráľ" company=1 \
		>/dev/null &&
	crm-log --now 2026-04-02 --at 2026-04-02 --amount 40 2 purchase \
		"order a" >/dev/null &&
	figures 1 2 >fig.before &&
	crm-log --list 2 >list.before &&
	crm-log --now 2026-04-03 --at 2026-04-03 --amount 60 2 purchase \
		"order b" >entry &&
	figures 1 2 >got &&
	expect got <<-EOF &&
	1	2	2026-04-03T00:00:00+00:00	100
	2	2	2026-04-03T00:00:00+00:00	100
	EOF
	crm-history | tail -n 1 | cut -f 1,5,6 >got &&
	expect got <<-EOF &&
	4	logged	$(cat entry)
	EOF
	crm-undo --now 2026-04-04 4 >out &&
	expect out <<-EOF &&
	unlog $(cat entry)
	EOF
	crm-log --list 2 | cmp - list.before &&
	figures 1 2 | cmp - fig.before
'

# ---------------------------------------------- undo: a crm-import

check 'undo of crm-import (CSV): the records it added are removed' '
	CRM_DB=$T/imp &&
	crm-add --now 2026-04-01 person name="Stay Here" email=stay@x.sk \
		>/dev/null &&
	crm-export --to jsonl >exp.before &&
	printf "name,email,city\nAda Lovelace,ada@x.sk,Nitra\nBob Builder,bob@x.sk,Brno\nCyd Charisse,cyd@x.sk,\n" \
		>in.csv &&
	crm-import --now 2026-04-02 --from csv --type person in.csv \
		>/dev/null 2>&1 &&
	crm-segment type=person | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 " &&
	crm-history --txn 2 | cut -f 1,4,5 >got &&
	expect got <<-EOF &&
	2	2-4	created
	EOF
	crm-history 3 | cut -f 1,4,5 >got &&
	expect got <<-EOF &&
	2	2-4	created
	EOF
	crm-undo --now 2026-04-03 2 | sort >got &&
	expect got <<-EOF &&
	remove 2
	remove 3
	remove 4
	EOF
	crm-segment type=person >got &&
	expect got <<-EOF &&
	1
	EOF
	must_fail 1 crm-find email=ada@x.sk &&
	# all as before, but the ids 2 to 4, which are not given again
	crm-export --to jsonl >exp.after &&
	sed "s/,\"next\":2}$/,\"next\":5}/" exp.before | cmp - exp.after
'

# ------------------------------------------------ undo: a crm-merge

check 'setup: two records of one customer, history, a task, a deal' '
	CRM_DB=$T/merge &&
	{
	crm-add --now 2026-05-01 company name="Kovo s.r.o." &&
	crm-add --now 2026-05-02 person name="Jana Nováková" \
		email=jana@kovo.sk phone="0905 123 456" company=1 tags=vip &&
	crm-add --now 2026-05-03 person name="Jana Novakova" \
		email=jana.n@kovo.sk company=1 city=Nitra title=CEO \
		tags=fair &&
	crm-log --now 2026-05-04 --at 2026-05-04 --amount 100 2 purchase \
		"order 1" &&
	crm-log --now 2026-05-04 --at 2026-05-05 --amount 30 3 purchase \
		"order 2" &&
	crm-log --now 2026-05-04 --at 2026-05-06 3 call "call back?" &&
	crm-task --now 2026-05-04 add --due 2026-06-01 3 "send offer" &&
	crm-add --now 2026-05-04 deal name="Nitra deal" person=3 company=1 \
		amount=500
	} >ids &&
	test "$(tr "\n" " " <ids)" = "1 2 3 4 5 6 7 8 " &&
	crm-export --to jsonl >exp.before &&
	crm-log --list 3 >list3.before &&
	crm-merge --now 2026-05-07 2 3 >out &&
	expect out <<-EOF &&
	2	3
	EOF
	crm-show -j 7 | jq -r .about >got &&
	expect got <<-EOF
	2
	EOF
'

check 'undo of crm-merge: both records back, the history where it was' '
	CRM_DB=$T/merge &&
	t=$(crm-history 3 | tail -n 1 | cut -f 1) &&
	test "$t" -eq 9 &&
	crm-history 3 | tail -n 1 | cut -f 5,9 >got &&
	expect got <<-EOF &&
	removed	crm-merge --now 2026-05-07 2 3
	EOF
	crm-undo --now 2026-05-08 "$t" >out &&
	grep -x "restore 3" out &&
	grep -x "set 7 about" out &&
	grep -x "set 8 person" out &&
	grep -x "log 5" out &&
	grep -x "log 6" out &&
	crm-segment type=person | tr "\n" " " >got &&
	test "$(cat got)" = "2 3 " &&
	crm-log --list 3 | cmp - list3.before &&
	crm-show -j 7 8 | jq -r "[.id, .about // .person] | @tsv" >got &&
	expect got <<-EOF
	7	3
	8	3
	EOF
'

check 'undo of crm-merge: crm-export before and after, byte for byte' '
	CRM_DB=$T/merge &&
	crm-export --to jsonl >exp.after &&
	cmp exp.before exp.after || { diff exp.before exp.after; false; }
'

check 'undo of crm-merge: the figures of both records and the company' '
	CRM_DB=$T/merge &&
	figures 1 2 3 >got &&
	expect got <<-EOF
	1	3	2026-05-06T00:00:00+00:00	130
	2	1	2026-05-04T00:00:00+00:00	100
	3	2	2026-05-06T00:00:00+00:00	30
	EOF
'

check 'an undo of an undo of crm-rm: the record is gone again' '
	CRM_DB=$T/merge &&
	crm-rm --now 2026-05-09 2 >/dev/null &&
	crm-undo --now 2026-05-10 11 >out &&
	crm-show 2 >/dev/null &&
	crm-undo --now 2026-05-11 12 >out &&
	grep -x "remove 2" out &&
	must_fail 1 crm-show 2 2>/dev/null
'

check 'an undo of an undo of crm-rm: the company counts without it' '
	CRM_DB=$T/merge &&
	figures 1 3 >got &&
	expect got <<-EOF
	1	2	2026-05-06T00:00:00+00:00	30
	3	2	2026-05-06T00:00:00+00:00	30
	EOF
'

# ------------------------- undo: records that others came to refer to

check 'undo of an import refuses when a later task is about its records' '
	CRM_DB=$T/tasks &&
	printf "name,email\nA,a@x.sk\nB,b@x.sk\n" >ab.csv &&
	crm-import --now 2026-06-01 --from csv ab.csv 2>/dev/null &&
	crm-task --now 2026-06-02 add 1 2 "welcome call" --due 2026-12-01 \
		>/dev/null &&
	refused "cannot undo 1: transaction 2 changed it since" crm-undo 1 &&
	grep -F "crm-task --now 2026-06-02 add 1 2" err &&
	refused "transaction 2" crm-undo -n 1 &&
	crm-task ls | cut -f 1,3 >got &&
	expect got <<-EOF
	3	1
	4	2
	EOF
'

check 'undo of an add refuses when a later deal, or a set, refers to it' '
	CRM_DB=$T/refs &&
	crm-add --now 2026-06-01 deal name=Lisy >/dev/null &&
	crm-add --now 2026-06-01 person name=Ada >/dev/null &&
	crm-add --now 2026-06-02 deal name=Rez person=2 >/dev/null &&
	refused "cannot undo 2: transaction 3 changed it since" crm-undo 2 &&
	! grep -F -- "--unlink" err &&
	crm-add --now 2026-06-03 company name=Kovo >/dev/null &&
	crm-set --now 2026-06-04 1 company=4 &&
	refused "cannot undo 4: transaction 5 changed it since" crm-undo 4
'

check '--force: the tasks go with the records, references are cleared' '
	CRM_DB=$T/tasks &&
	crm-undo --dry-run --force 1 >plan &&
	crm-undo --force --now 2026-06-03 1 >out &&
	cmp plan out &&
	expect out <<-EOF &&
	remove 4
	remove 2
	remove 3
	remove 1
	EOF
	must_fail 1 crm-task ls &&
	crm-check &&
	CRM_DB=$T/refs &&
	crm-undo --force --now 2026-06-05 4 >out &&
	expect out <<-EOF &&
	set 1 company
	remove 4
	EOF
	crm-show -j 1 | jq -r ".company // \"none\"" >got &&
	expect got <<-EOF &&
	none
	EOF
	crm-check
'

check 'the undo of that undo brings the records and their tasks back' '
	CRM_DB=$T/tasks &&
	crm-undo --now 2026-06-04 3 >out &&
	crm-task ls | cut -f 1,3 >got &&
	expect got <<-EOF &&
	3	1
	4	2
	EOF
	crm-check
'

# --------------------- undo: what it writes back fits the store's rules

check 'a restore of a record referring to one removed since: refused' '
	CRM_DB=$T/rules &&
	crm-add --now 2026-07-01 company name=Kovo >/dev/null &&
	crm-add --now 2026-07-01 person name=Jana company=1 >/dev/null &&
	crm-rm --now 2026-07-02 2 >/dev/null &&
	crm-rm --now 2026-07-03 1 >/dev/null &&
	refused "record 2: field '\''company'\'': no record 1" crm-undo 3 &&
	refused "record 2: field '\''company'\'': no record 1" crm-undo -n 3 &&
	crm-check &&
	crm-undo --now 2026-07-04 4 >/dev/null &&
	crm-undo --now 2026-07-04 3 >out &&
	expect out <<-EOF &&
	restore 2
	EOF
	crm-check
'

check 'a value back that the schema has dropped since: refused' '
	CRM_DB=$T/enum &&
	crm-add --now 2026-07-05 person name=Jana >/dev/null &&
	crm-schema show >lv.yaml &&
	awk "{ print } /^  person:/ { p = 1 }
		p && /^    fields:/ { print \"      level: {type: text}\"; p = 0 }" \
		lv.yaml >lv1.yaml &&
	sed "s/level: {type: text}/level: {type: enum, values: [gold, silver]}/" \
		lv1.yaml >lv2.yaml &&
	sed "s/values: \[gold, silver\]/values: [gold]/" lv2.yaml >lv3.yaml &&
	crm-schema apply lv1.yaml &&
	crm-set --now 2026-07-05 1 level=plain &&
	crm-set --now 2026-07-05 1 level=gold &&
	crm-add --now 2026-07-05 person name=Eva level=silver >/dev/null &&
	crm-schema apply lv2.yaml &&
	refused "record 1: field '\''level'\'': '\''plain'\'' is not one of gold, silver" \
		crm-undo 4 &&
	crm-rm --now 2026-07-06 2 >/dev/null &&
	crm-schema apply lv3.yaml &&
	refused "record 2: field '\''level'\'': '\''silver'\'' is not one of gold" \
		crm-undo 7 &&
	crm-check
'
