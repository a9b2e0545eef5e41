#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2020-faults.t - a full disk, a read-only store, a writer that holds the
# lock: writes fail cleanly with exit 3 and say why, the store stays
# sound, reads go on
#
# The full disk is a 3 MB tmpfs and the read-only mount a bind mount
# remounted ro, so both need root (and may not mount in a container):
# otherwise they are skipped.  The read-only store by chmod runs as
# nobody when root (root ignores modes), through setpriv(1).
plan 14

# what the EXIT trap undoes: mounts ($T/mounts, one a line) and processes
# started in the background ($T/pids), then the directory
: >"$T/mounts"
: >"$T/pids"
cleanup() {
	for p in $(cat "$T/pids"); do
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	sed '1!G;h;$!d' "$T/mounts" | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	chmod -R u+w "$T" 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

# ms: a clock in milliseconds
ms() {
	echo $(($(date +%s%N) / 1000000))
}

# locked: wait (5 s at most) until a writer holds the store's write lock
locked() {
	i=0
	while flock -n -x "$CRM_DB/write.lock" true; do
		i=$((i + 1))
		[ $i -lt 500 ] || return 1
		sleep 0.01
	done
}


# (a) a full disk

full=
if [ "$root" ] && mkdir full && mount -t tmpfs -o size=3m tmpfs full; then
	echo "$T/full" >>"$T/mounts"
	full=1
fi

if [ "$full" ]; then
	check 'a store with two people on a 3 MB file system' '
		"$TOP/tests/bench/gen" 20000 --format jsonl >people.jsonl &&
		export CRM_DB="$T/full/db" &&
		crm-add person name="Anna Nováková" email=anna@example.cz \
		    city=Praha >/dev/null &&
		crm-add person name="Peter Horváth" city=Košice >/dev/null &&
		store_sum >full.sum &&
		crm-show -f "%{id} %{name}" 1 2 >got &&
		expect got <<-EOF
		1 Anna Nováková
		2 Peter Horváth
		EOF
	'

	check 'on a full disk crm-add exits 3 and says there is no space' '
		export CRM_DB="$T/full/db" &&
		{ dd if=/dev/zero of=full/filler bs=4k 2>/dev/null; true; } &&
		note=$(awk "BEGIN { while (i++ < 400) printf \"%s\", \
		    \"forty characters of a note, for the disk\" }") &&
		must_fail 3 crm-add person name="Eva Malá" note="$note" \
		    >out 2>err &&
		rm full/filler &&
		cat err &&
		test ! -s out &&
		grep -qi "no space" err &&
		crm-check &&
		store_sum >sum &&
		cmp full.sum sum
	'

	check 'importing 20000 people fills the disk: crm-import exits 3' '
		export CRM_DB="$T/full/db" &&
		must_fail 3 crm-import --from jsonl --type person \
		    <people.jsonl >out 2>full.err &&
		test ! -s out &&
		cat full.err &&
		test "$(wc -l <full.err)" -eq 1 &&
		df -P -k full | awk "NR == 2 && \$4 < 64 { ok = 1 } END {
			if (!ok) print \"the disk is not full:\"; exit !ok }" ||
		{ df -P -k full; false; }
	'

	check 'and it says the disk is full' '
		cat full.err &&
		grep -i "space\|full" full.err
	'

	check 'the store passes crm-check and holds what it held before' '
		export CRM_DB="$T/full/db" &&
		crm-check >out 2>&1 &&
		test ! -s out &&
		store_sum >sum &&
		cmp full.sum sum
	'

	check 'reads still work on the full disk' '
		export CRM_DB="$T/full/db" &&
		crm-find --email ANNA@example.cz -f "%{id} %{name}" >got &&
		crm-show -f "%{id} %{city}" 2 >>got &&
		crm-segment type=person >>got &&
		expect got <<-EOF
		1 Anna Nováková
		2 Košice
		1
		2
		EOF
	'
else
	why="needs root and a tmpfs mount"
	skip "a store on a 3 MB file system ($why)"
	skip "a full disk: crm-add exits 3 ($why)"
	skip "a full disk: crm-import exits 3 ($why)"
	skip "a full disk: it says so ($why)"
	skip "a full disk: the store is sound ($why)"
	skip "a full disk: reads still work ($why)"
fi

# (b) a read-only store

# ro_store DIR: a store with two people in DIR/db; DIR.reads gets what
# reads on it answer, DIR.sum its checksum
ro_store() (
	export CRM_DB="$1/db" &&
	crm-add person name="Anna Nováková" email=anna@example.cz \
	    city=Praha >/dev/null &&
	crm-add person name="Peter Horváth" city=Košice >/dev/null &&
	crm-log 1 call "about the offer" >/dev/null &&
	reads >"$1.reads" 2>&1 &&
	store_sum >"$1.sum"
)

# reads [AS]: every read the read-only store must still answer, and
# how; through AS (a command prefix) if given
reads() {
	${1-} crm-find -f "%{id} %{name}" nováková; echo "find $?"
	${1-} crm-find --email ANNA@example.cz; echo "find --email $?"
	${1-} crm-show 1; echo "show $?"
	${1-} crm-segment 'city=Košice'; echo "segment $?"
	${1-} crm-log --list -f "%{kind} %{text}" 1; echo "log --list $?"
	${1-} crm-check; echo "check $?"
}

# writes AS: crm-add, crm-set, crm-log through AS (a command prefix, or
# nothing) on the store in CRM_DB: each must exit 3 saying read-only
writes() {
	rc=0
	for w in "crm-add person name=Eva" "crm-set 1 city=Brno" \
	    "crm-log 1 call again"; do
		${1-} $w >out 2>err
		got=$?
		sed "s/^/$got: /" err
		[ $got -eq 3 ] && test ! -s out &&
		    grep -qi "read-only" err || rc=1
	done
	return $rc
}

bind=
if [ "$root" ] && mkdir rw ro && ro_store "$T/rw" &&
    mount --bind rw ro && echo "$T/ro" >>"$T/mounts" &&
    mount -o remount,bind,ro ro && ! touch ro/probe 2>/dev/null; then
	bind=1
fi

if [ "$bind" ]; then
	check 'writes to a read-only mount exit 3 and say read-only' '
		export CRM_DB="$T/ro/db" &&
		writes
	'

	check 'reads on it answer as before, and the store is unchanged' '
		export CRM_DB="$T/ro/db" &&
		reads >got 2>&1 &&
		diff -u "$T/rw.reads" got &&
		store_sum >sum &&
		cmp "$T/rw.sum" sum
	'
else
	skip "writes to a read-only mount (needs root and a bind mount)"
	skip "reads on a read-only mount (needs root and a bind mount)"
fi

as_user_setup

if [ "$user" ] && mkdir mode && ro_store "$T/mode" &&
    { [ ! "$root" ] || chown -R nobody "$T/mode"; } &&
    chmod -R a-w "$T/mode/db"; then
	check 'writes to a store made read-only by chmod exit 3, say read-only' '
		export CRM_DB="$T/mode/db" &&
		writes as_user
	'

	check 'reads on it answer as before, and the store is unchanged' '
		export CRM_DB="$T/mode/db" &&
		reads as_user >got 2>&1 &&
		diff -u "$T/mode.reads" got &&
		store_sum >sum &&
		cmp "$T/mode.sum" sum
	'
else
	skip "a store made read-only by chmod (as root, needs setpriv)"
	skip "reads on a store made read-only by chmod (as root, needs setpriv)"
fi

# (c) a writer that holds the lock

[ -z "${CRM_VALGRIND-}" ] ||
	echo "# under valgrind: the most each command may take not checked"

export CRM_DB="$T/db"
crm-add person name="Anna Nováková" city=Praha >/dev/null
crm-add person name="Peter Horváth" city=Košice >/dev/null
mkfifo feed

# stuck: start a crm-import reading the fifo feed, which holds the write
# lock until feed is closed (fd 3; a process started meanwhile in the
# background must not inherit it); its pid in $stuck and in $T/pids.
# Each check starts its own, in its own subshell, and lets it go.
stuck() {
	crm-import --from jsonl --type person <feed >stuck.out 2>stuck.err &
	stuck=$!
	echo $stuck >>"$T/pids"
	exec 3>feed
	locked
}

# release: let the stuck crm-import finish; its status
release() {
	exec 3>&-
	wait $stuck
}

check 'a writer held up: CRM_WAIT=2 crm-add waits 2 s and exits 3, busy' '
	stuck &&
	t0=$(ms) &&
	CRM_WAIT=2 must_fail 3 crm-add person name="Eva Malá" >out 2>err &&
	t=$(($(ms) - t0)) &&
	cat err && echo "waited $t ms" &&
	release &&
	test ! -s out &&
	grep -q "the store is busy" err &&
	test $t -ge 1500 && timed test $t -le 5000
'

check 'readers are not held up meanwhile' '
	stuck &&
	t0=$(ms) &&
	crm-find -f "%{id} %{name}" horváth >got &&
	crm-show -f "%{id} %{city}" 1 >>got &&
	crm-segment city=Praha >>got &&
	crm-report persons --by city --count >>got &&
	crm-check >>got &&
	t=$(($(ms) - t0)) &&
	release &&
	expect got <<-EOF &&
	2 Peter Horváth
	1 Praha
	1
	city	count
	Košice	1
	Praha	1
	EOF
	echo "took $t ms" && timed test $t -le 1500
'

check 'a writer waiting while the stuck one finishes goes in' '
	stuck &&
	t0=$(ms) &&
	{ CRM_WAIT=5 crm-add person name="Eva Malá" >id 2>err 3>&- & } &&
	w=$! && echo $w >>"$T/pids" &&
	sleep 1 &&
	echo "{\"name\":\"Jana Kováčová\"}" >&3 &&
	release &&
	wait $w &&
	t=$(($(ms) - t0)) &&
	cat err stuck.err && echo "waited $t ms" &&
	test ! -s err &&
	test $t -ge 900 && timed test $t -le 5000 &&
	crm-show -f "%{id} %{name}" 3 4 >got &&
	expect got <<-EOF
	3 Jana Kováčová
	4 Eva Malá
	EOF
'

check 'a stopped writer holds the lock; once killed the next goes in' '
	stuck &&
	echo "{\"name\":\"Iveta Zelená\"}" >&3 &&
	kill -STOP $stuck &&
	CRM_WAIT=1 must_fail 3 crm-add person name="Ivan Malý" 2>err &&
	grep -q "the store is busy" err &&
	kill -KILL $stuck &&
	{ release; true; } &&
	t0=$(ms) &&
	CRM_WAIT=5 crm-add person name="Ivan Malý" >id &&
	t=$(($(ms) - t0)) &&
	echo "took $t ms" && timed test $t -le 2000 &&
	crm-check &&
	crm-segment -f "%{id} %{name}" type=person >got &&
	expect got <<-EOF
	1 Anna Nováková
	2 Peter Horváth
	3 Jana Kováčová
	4 Eva Malá
	5 Ivan Malý
	EOF
'
: >"$T/pids"
