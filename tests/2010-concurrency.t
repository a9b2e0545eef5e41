#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2010-concurrency.t - four writers and four readers at once for a few
# seconds: every acknowledged write is there, readers never fail
#
# The writers: crm-add adding people, crm-log logging calls on records 1
# to 3, crm-set setting the title of those same records, crm-task add
# adding tasks about them.  Each notes what it wrote in its own file only
# once the command exited 0, and any other outcome in a .fail file.  The
# readers: crm-segment, crm-report, crm-due, crm-find, each noting any
# exit status but 0 and 1.  CRM_SPAN sets the seconds they run (5; 20
# under valgrind, where each command takes a second or more, and how
# many times each ran is not checked).
plan 10

unset CRM_WAIT
SPAN=${CRM_SPAN:-5}
if [ "${CRM_VALGRIND-}" ]; then
	SPAN=${CRM_SPAN:-20}
	echo "# under valgrind: $SPAN s, how many runs each made not checked"
fi

# w_add: people named "Added N"; add.log gets id TAB name
w_add() {
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		id=$(crm-add person name="Added $i" city=Praha 2>>add.err)
		rc=$?
		if [ $rc -eq 0 ]; then
			printf '%s\tAdded %s\n' "$id" "$i" >>add.log
		else
			echo "crm-add $i: exit $rc" >>add.fail
		fi
	done
}

# w_log: calls on records 1 to 3; log.log gets record TAB entry TAB text
w_log() {
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		r=$((i % 3 + 1))
		e=$(crm-log $r call "call $i" 2>>log.err)
		rc=$?
		if [ $rc -eq 0 ]; then
			printf '%s\t%s\tcall %s\n' $r "$e" $i >>log.log
		else
			echo "crm-log $i: exit $rc" >>log.fail
		fi
	done
}

# w_set: the title of records 1 to 3; set.log gets record TAB title
w_set() {
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		r=$((i % 3 + 1))
		crm-set $r title="Title $i" >/dev/null 2>>set.err
		rc=$?
		if [ $rc -eq 0 ]; then
			printf '%s\tTitle %s\n' $r $i >>set.log
		else
			echo "crm-set $i: exit $rc" >>set.fail
		fi
	done
}

# w_task: tasks about records 1 to 3, due in November 2026; task.log
# gets task TAB record TAB text
w_task() {
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		r=$((i % 3 + 1))
		d=$(printf %02d $((i % 28 + 1)))
		t=$(crm-task add --due 2026-11-$d $r "task $i" 2>>task.err)
		rc=$?
		if [ $rc -eq 0 ]; then
			printf '%s\t%s\ttask %s\n' "$t" $r $i >>task.log
		else
			echo "crm-task add $i: exit $rc" >>task.fail
		fi
	done
}

# reader NAME CMD...: CMD over and over; NAME.bad gets any exit status
# but 0 and 1, NAME.runs how many runs
reader() {
	name=$1
	shift
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		"$@" >/dev/null 2>>"$name.err"
		rc=$?
		[ $rc -le 1 ] || echo "$name run $i: exit $rc" >>"$name.bad"
	done
	echo $i >"$name.runs"
}

check 'a store with three people to write on' '
	crm-add person name="Anna Nováková" >/dev/null &&
	crm-add person name="Jürgen Müller" city=Berlin >/dev/null &&
	crm-add person name="Peter Horváth" city=Košice >/dev/null &&
	crm-segment type=person >got &&
	expect got <<-EOF
	1
	2
	3
	EOF
'

check "4 writers and 4 readers at once for $SPAN s" '
	w_add & w_log & w_set & w_task &
	reader segment crm-segment "type=person and city=Praha" &
	reader report crm-report persons --by city --count &
	reader due crm-due --now 2026-11-01 --within 1m &
	reader find crm-find --type person added &
	sleep "$SPAN" &&
	touch stop &&
	wait &&
	for w in add log set task; do
		timed test "$(wc -l <$w.log)" -ge 5 || {
			echo "$w wrote $(wc -l <$w.log) times only"
			exit 1
		}
	done &&
	for r in segment report due find; do
		timed test "$(cat $r.runs)" -ge 5 || {
			echo "$r ran $(cat $r.runs) times only"
			exit 1
		}
	done
'
for w in add log set task; do
	echo "# $w: $(wc -l <$w.log 2>/dev/null) acknowledged" \
	    "$(cat $w.fail 2>/dev/null | wc -l) failed"
done

check 'no writer failed, none was told the store is busy' '
	cat add.fail log.fail set.fail task.fail 2>/dev/null | head -n 20
	cat add.err log.err set.err task.err | head -n 20
	! test -s add.fail && ! test -s log.fail &&
	! test -s set.fail && ! test -s task.fail &&
	! test -s add.err && ! test -s log.err &&
	! test -s set.err && ! test -s task.err
'

check 'readers exited 0 or 1 only, and said nothing on stderr' '
	cat segment.bad report.bad due.bad find.bad 2>/dev/null | head -n 20
	cat segment.err report.err due.err find.err | head -n 20
	! test -s segment.bad && ! test -s report.bad &&
	! test -s due.bad && ! test -s find.bad &&
	! test -s segment.err && ! test -s report.err &&
	! test -s due.err && ! test -s find.err
'

check 'every person crm-add acknowledged is there, with its name' '
	cut -f 1 add.log | crm-show -f "%{id}\t%{name}" - >got &&
	diff -u add.log got &&
	crm-find --type person -f "%{id}\t%{name}" added | sort -n >found &&
	sort -n add.log | diff -u - found
'

check 'every call crm-log acknowledged is in crm-log --list' '
	for r in 1 2 3; do
		crm-log --list -f "$r\t%{id}\t%{text}" $r
	done | sort >got &&
	sort log.log | diff -u - got
'

check 'and each record counts as many interactions as calls logged' '
	for r in 1 2 3; do
		printf "%s\t%s\n" $r "$(grep -c "^$r	" log.log)"
	done >want &&
	crm-show -f "%{id}\t%{interactions}" 1 2 3 >got &&
	diff -u want got
'

check 'each record has the title crm-set last acknowledged for it' '
	for r in 1 2 3; do
		grep "^$r	" set.log | tail -n 1
	done >want &&
	crm-show -f "%{id}\t%{title}" 1 2 3 >got &&
	diff -u want got
'

check 'every task crm-task add acknowledged is in crm-task ls --all' '
	crm-task ls --all -f "%{id}\t%{about}\t%{text}" | sort >got &&
	sort task.log | diff -u - got
'

check 'crm-check finds the store sound' '
	crm-check >out 2>&1 &&
	! test -s out || { cat out; false; }
'
