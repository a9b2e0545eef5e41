#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1900-crm-check.t - crm-check finds what is wrong in a store and repairs it
#
# A store built by every kind of writer checks clean.  Then copies of it
# are broken with mdb_dump and mdb_load: an index entry taken out or put
# in, a history entry lost, an entry's id lost, a journal entry taken out
# of a transaction, a company gone that a person refers to.  Each is
# found, with the record's id and the words for what is wrong; --repair
# mends what can be rebuilt, unjournalled, and what cannot stays found.
# Last, writers queue on the store's write lock for CRM_WAIT seconds and
# then fail with exit 3, while readers answer.
plan 24

TAB=$(printf '\t')

# edit.awk: the dump with one database edited (see there)
cp "$TOP/tests/edit.awk" edit.awk

# broken DIR DB: the store as it was built, with database DB edited as
# above (P and K from the environment), loaded into the new store DIR
broken() {
	D=$2 awk -f edit.awk fresh.dump >"$1.dump" &&
	! cmp -s fresh.dump "$1.dump" &&
	load "$1"
}

# load DIR: DIR.dump loaded into the new store DIR
load() {
	mkdir "$1" &&
	mdb_load -f "$1.dump" "$1" 2>/dev/null
}

# checked DIR STATUS: crm-check of the store DIR exits STATUS, its lines
# in out, its summary in err
checked() {
	must_fail "$2" crm-check --db "$1" >out 2>err
}

# repaired DIR: crm-check --repair of the store DIR exits 0 and prints
# no line, and a crm-check after it finds nothing
repaired() {
	crm-check --db "$1" --repair >out 2>err &&
	test ! -s out &&
	grep -F "crm-check: repaired: the index and the figures are rebuilt" \
		err &&
	crm-check --db "$1" >out 2>err &&
	test ! -s out && test ! -s err
}

# ------------------------------------------------------- a sound store

check 'setup: persons, a company, history, tasks, a deal, a removal, vCards' '
	{
	crm-add --now 2026-03-01 person "name=Jana Nováková" \
		email=jana@example.sk "phone=0905 123 456" tags=vip,b2b &&
	crm-add --now 2026-03-01 company "name=Kovo s.r.o." &&
	crm-add --now 2026-03-01 person "name=Peter Horváth" \
		email=peter@kovo.sk &&
	crm-set --now 2026-03-01 3 company=2 &&
	crm-log --now 2026-03-02 --at 2026-03-02 3 call "asked for a quote" &&
	crm-log --now 2026-03-03 --at 2026-03-03 --amount 120 \
		--next 2026-04-01 "follow up" 3 purchase "order 1" &&
	crm-log --now 2026-03-03 --at 2026-03-03 1 email hello &&
	crm-task --now 2026-03-03 add 1 --due 2026-03-20 "call back" &&
	crm-add --now 2026-03-04 deal "name=Big deal" company=2 \
		stage=proposal amount=5000 &&
	crm-set --now 2026-03-05 9 stage=won &&
	crm-add --now 2026-03-05 person "name=Gone Soon" email=gone@x.sk &&
	crm-rm 10 &&
	crm-import --now 2026-03-06 --from vcard \
		"$TESTDATA/vcard/ez-vcard/rfc6350-example.vcf" 2>/dev/null
	} >ids &&
	test "$(tr "\n" " " <ids)" = "1 2 3 4 5 7 8 9 10 " &&
	crm-show -j 3 >p3 &&
	jq -e ".company == 2 and .interactions == 2 and .turnover == 120 and
		.next_due == \"2026-04-01T00:00:00+00:00\"" p3 &&
	crm-show -j 2 >c2 &&
	jq -e ".interactions == 2 and .turnover == 120" c2 &&
	crm-show -j 9 >d9 &&
	jq -e ".stage == \"won\" and
		.closed == \"2026-03-05T00:00:00+00:00\"" d9 &&
	crm-find --email simon.perreault@viagenie.ca >simon &&
	test -s simon &&
	crm-history --txn 6 >txn6 &&
	test "$(cut -f5 txn6 | sort | tr "\n" " ")" = "created logged " &&
	mdb_dump -a "$CRM_DB" >fresh.dump
'

check 'a sound store: crm-check exits 0 and prints nothing, with -j or -H too' '
	crm-check >out 2>err &&
	test ! -s out && test ! -s err &&
	crm-check -j >out 2>err &&
	test ! -s out && test ! -s err &&
	crm-check -H >out 2>err &&
	test ! -s out && test ! -s err &&
	cp fresh.dump copy.dump && load copy &&
	crm-check --db copy >out 2>err &&
	test ! -s out && test ! -s err
'

check 'no store: exit 3 and the message of the other readers, none made' '
	must_fail 3 crm-find --db "$T/none" jana 2>find.err &&
	must_fail 3 crm-check --db "$T/none" >out 2>err &&
	test ! -s out &&
	test "$(sed "s/^crm-find:/crm-check:/" find.err)" = "$(cat err)" &&
	grep -F "crm-check: no store at '\''$T/none'\''" err &&
	test ! -e "$T/none"
'

check 'an operand is bad usage: exit 2' '
	must_fail 2 crm-check 1 >out 2>err &&
	grep "^usage: crm-check" err &&
	test ! -s out
'

# ------------------------------------------------------------- the index

check '(1) an index entry gone: missing, with the record'\''s id first' '
	P="\\00\\0bjana@example.sk" broken b1 postings &&
	must_fail 1 crm-find --db b1 --email jana@example.sk &&
	checked b1 1 &&
	expect out <<-EOF &&
	1	index entry email '\''jana@example.sk'\'' is missing
	EOF
	grep -F "crm-check: 1 problem found; crm-check --repair rebuilds" err
'

check '(1) --repair: sound again, crm-find finds the address' '
	repaired b1 &&
	crm-find --db b1 --email jana@example.sk >found &&
	test "$(cut -f1 found)" = 1
'

check '(2) an index entry no record has: not the record'\''s' '
	K=" \\00\\0bfake@example.sk" V=" \\00\\00\\00\\00\\00\\00\\00\\01" \
		broken b2 postings &&
	checked b2 1 &&
	expect out <<-EOF
	1	index entry email '\''fake@example.sk'\'' is not the record'\''s
	EOF
'

check '(2) --repair: sound again, crm-find knows no such address' '
	repaired b2 &&
	must_fail 1 crm-find --db b2 --email fake@example.sk >found &&
	test ! -s found
'

check '(2) times: a last_contact gone, an open task'\''s due time put in' '
	P=" \\00\\02" broken b2t ranges &&
	must_fail 1 crm-segment --db b2t --count "last_contact>2026-01-01" >n &&
	test "$(cat n)" = 0 &&
	K=" \\7f\\f000020545" \
	V=" \\00\\00\\00\\00\\00\\00\\00\\03" \
		broken b2d ranges &&
	checked b2t 1 &&
	expect out <<-EOF &&
	1	index entry last_contact '\''2026-03-03T00:00:00+00:00'\'' is missing
	2	index entry last_contact '\''2026-03-03T00:00:00+00:00'\'' is missing
	3	index entry last_contact '\''2026-03-03T00:00:00+00:00'\'' is missing
	EOF
	checked b2d 1 &&
	expect out <<-EOF &&
	3	index entry open tasks by due time '\''2026-04-02T00:00:00+00:00'\'' is not the record'\''s
	EOF
	repaired b2t && repaired b2d &&
	crm-segment --db b2t --count "last_contact>2026-01-01" >n &&
	test "$(cat n)" = 3
'

# ----------------------------------------------------------- the history

check '(3) a history entry gone: the figures of the person and its company' '
	D=log P="purchaset\\07order 1" awk -f edit.awk fresh.dump |
	D=logid P=" \\05\\00\\00\\00\\00\\00\\00\\00" \
		awk -f edit.awk >b3.dump &&
	test "$(diff fresh.dump b3.dump | grep -c "^<")" -eq 4 &&
	load b3 &&
	checked b3 1 &&
	test "$(wc -l <out)" -eq 7 &&
	for id in 3 2; do
		grep -x "${id}${TAB}interactions is 2, its history says 1" out &&
		grep -x "${id}${TAB}last_contact is .*, its history says .*" \
			out &&
		grep -x "${id}${TAB}turnover is 120.00, its history says (none)" \
			out || exit 1
	done &&
	# 2026-03-03 is hour 492360 since 1970; the kept sums count it
	grep -x "${TAB}history summed as purchase/492360/tester: kept 1 worth 120.00, counted 0 worth 0.00" \
		out &&
	grep -F "crm-check: 7 problems found" err &&
	crm-segment --db b3 "turnover>0" >seg &&
	test "$(tr "\n" " " <seg)" = "2 3 "
'

check '(3) --repair: sound again, crm-segment and crm-show count anew' '
	crm-history --db b3 >hist.before &&
	mdb_dump -s journal b3 >journal.before &&
	repaired b3 &&
	must_fail 1 crm-segment --db b3 "turnover>0" >seg &&
	test ! -s seg &&
	crm-segment --db b3 "interactions=1" >seg &&
	test "$(tr "\n" " " <seg)" = "1 2 3 " &&
	crm-show --db b3 -j 3 2 >p3 &&
	test "$(jq -r "[.id, .interactions, .turnover // \"none\",
		.last_contact] | @tsv" p3)" = "$(printf "%s\t%s\t%s\t%s\n" \
		3 1 none 2026-03-02T00:00:00+00:00 \
		2 1 none 2026-03-02T00:00:00+00:00)"
'

check '(3) what --repair changed is not journalled' '
	crm-history --db b3 >hist.after &&
	cmp hist.before hist.after &&
	mdb_dump -s journal b3 >journal.after &&
	cmp journal.before journal.after
'

check '(4) an entry'\''s id gone: not found by its id' '
	P=" \\05\\00\\00\\00\\00\\00\\00\\00" broken b4 logid &&
	checked b4 1 &&
	expect out <<-EOF
	3	history entry 5 is not found by its id
	EOF
'

check '(4) --repair does not mend it: exit 1, still found' '
	must_fail 1 crm-check --db b4 --repair >out 2>err &&
	expect out <<-EOF &&
	3	history entry 5 is not found by its id
	EOF
	grep -F "crm-check: 1 problem found after repair" err &&
	checked b4 1 &&
	grep -x "3${TAB}history entry 5 is not found by its id" out
'

# ---------------------------------------------------- journal and records

check '(5) a journal entry gone from a transaction: out of order' '
	P="\\00\\00\\00\\00\\00\\00\\00\\06\\00\\00\\00\\01" broken b5 journal &&
	checked b5 1 &&
	expect out <<-EOF
	${TAB}journal transaction 6 is out of order at entry 2
	EOF
'

check '(6) a company gone that a person and a deal refer to' '
	P=" \\02\\00\\00\\00\\00\\00\\00\\00" broken b6 records &&
	checked b6 1 &&
	grep -x "3${TAB}field '\''company'\'': no record 2" out &&
	grep -x "9${TAB}field '\''company'\'': no record 2" out &&
	grep -x "2${TAB}index entry type '\''company'\'' is not the record'\''s" \
		out &&
	must_fail 1 crm-check --db b6 --repair >out 2>err &&
	expect out <<-EOF
	3	field '\''company'\'': no record 2
	9	field '\''company'\'': no record 2
	EOF
'

check '(7) the kept sums of deals altered: the sum named, both figures' '
	P="roll:deal" broken b7 meta &&
	checked b7 1 &&
	expect out <<-EOF &&
	${TAB}deals summed as deal/won/won//EUR: kept 0 worth 0.00, counted 1 worth 5000.00
	EOF
	grep -F "crm-check: 1 problem found; crm-check --repair rebuilds" err
'

check '(7) --repair: counted anew, the funnel as before' '
	crm-report deals --funnel >funnel.want &&
	repaired b7 &&
	crm-report --db b7 deals --funnel >funnel.got &&
	cmp funnel.want funnel.got
'

# ------------------------------------------------------------- formats

check '-j: a JSON object per line, as the lines say; no record, no key' '
	P=" \\05\\00\\00\\00\\00\\00\\00\\00" broken j1 logid &&
	D=journal P="\\00\\00\\00\\00\\00\\00\\00\\06\\00\\00\\00\\01" \
		awk -f edit.awk j1.dump >j2.dump &&
	load j2 &&
	checked j2 1 && mv out lines &&
	test "$(wc -l <lines)" -eq 2 &&
	must_fail 1 crm-check --db j2 -j >json 2>err &&
	jq -e . json >/dev/null &&
	test "$(wc -l <json)" -eq 2 &&
	jq -r "[.record // \"\", .problem] | @tsv" json >back &&
	cmp lines back &&
	jq -se "map(select(has(\"record\"))) | length == 1 and
		.[0].record == 3" json &&
	jq -se "map(select(has(\"record\") | not)) | length == 1 and
		(.[0].problem | startswith(\"journal transaction 6\"))" json
'

check '-H: a header line naming the columns, then the lines' '
	must_fail 1 crm-check --db j2 -H >out 2>err &&
	head -n 1 out >head &&
	expect head <<-EOF &&
	record	problem
	EOF
	tail -n +2 out >rest &&
	cmp lines rest
'

check '-H -j: JSON Lines, no header' '
	must_fail 1 crm-check --db j2 -H -j >out 2>err &&
	cmp json out
'

check 'the store the test built is still sound' '
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'

# ------------------------------------------------------------- the lock

[ -z "${CRM_VALGRIND-}" ] ||
	echo "# under valgrind: how long CRM_WAIT=1 crm-add took not checked"

check 'a writer waits CRM_WAIT seconds, then exits 3; readers answer' '
	store_sum >sum.before
	setsid sh -c "trap : TERM; echo \$\$ >pg; \
		sleep 30 | crm-import --from jsonl" >imp.out 2>imp.err &
	bg=$!
	i=0
	while flock -n "$CRM_DB/write.lock" true && test $i -lt 200; do
		sleep 0.05
		i=$((i + 1))
	done
	start=$(date +%s)
	CRM_WAIT=1 crm-add person name=x >add.out 2>add.err
	rc=$?
	end=$(date +%s)
	CRM_WAIT=1 crm-check --repair >rep.out 2>rep.err
	rrc=$?
	crm-find --email jana@example.sk >find.out 2>find.err
	frc=$?
	crm-check >chk.out 2>chk.err
	crc=$?
	kill -TERM "-$(cat pg)"
	wait "$bg"
	test "$i" -lt 200 &&
	test "$rc" -eq 3 &&
	test ! -s add.out &&
	grep -F "crm-add: cannot add: the store is busy: " add.err &&
	timed test $((end - start)) -le 3 &&
	test "$rrc" -eq 3 &&
	test ! -s rep.out &&
	grep -F "crm-check: cannot repair the store: the store is busy" \
		rep.err &&
	test "$frc" -eq 0 &&
	test "$(cut -f1 find.out)" = 1 &&
	test "$crc" -eq 0 &&
	test ! -s chk.out && test ! -s chk.err
'

check 'the writers gone: no process left, nothing written, writers go on' '
	pg=$(cat pg) &&
	test -n "$pg" &&
	! pgrep -g "$pg" &&
	store_sum >sum.after &&
	cmp sum.before sum.after &&
	CRM_WAIT=5 crm-add --now 2026-03-07 person name=after >id &&
	test "$(cat id)" = 13 &&
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'
