#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0800-concurrency.t - commands running at once: writers queue, nothing lost
plan 9

# ADDS crm-add in each of two loops, SETS crm-set, FINDS crm-find;
# under valgrind (make check VALGRIND=1), where each takes a second or
# so, fewer of them run the same races
ADDS=500 SETS=100 FINDS=200
if [ "${CRM_VALGRIND-}" ]; then
	ADDS=50 SETS=20 FINDS=20
fi

# add_loop NAME PREFIX: ADDS crm-add, one process each; a failure is noted
add_loop() {
	i=0
	while [ $i -lt $ADDS ]; do
		i=$((i + 1))
		crm-add person name="$1 $i" email="$2$i@example.com" ||
			echo "FAIL $i"
	done
}

# find_loop: look-ups while the writers write, from the first id printed
# (the store is there); notes any status but 0 and 1
find_loop() {
	while [ ! -s a.out ] && [ ! -s b.out ]; do
		sleep 0.01
	done
	i=0
	while [ $i -lt $FINDS ]; do
		i=$((i + 1))
		crm-find --email anna1@example.com >/dev/null
		rc=$?
		[ $rc -le 1 ] || echo "find exit $rc at $i"
	done
}

check "2 x $ADDS crm-add at once on a new store all succeed" '
	add_loop "Anna Nováková" anna >a.out 2>a.err &
	add_loop "Jürgen Müller" juergen >b.out 2>b.err &
	find_loop >f.out 2>f.err &
	wait &&
	! grep FAIL a.out b.out &&
	test ! -s a.err && test ! -s b.err
'

check 'readers running beside the writers never failed' '
	cat f.out f.err &&
	test ! -s f.out && test ! -s f.err
'

check "every add printed one id, and all $((2 * ADDS)) ids differ" '
	cat a.out b.out >all &&
	test "$(wc -l <all)" -eq $((2 * ADDS)) &&
	! grep -v -x "[0-9][0-9]*" all &&
	sort -n all >sorted &&
	sort -nu all >unique &&
	cmp sorted unique
'

check 'each loop got its ids in increasing order' '
	sort -n a.out >a.sorted && cmp a.out a.sorted &&
	sort -n b.out >b.sorted && cmp b.out b.sorted
'

check "all $((2 * ADDS)) records landed, findable by name" '
	crm-find --type person -f "%{id}" nováková >found &&
	crm-find --type person -f "%{id}" müller >>found &&
	sort -n found >got &&
	cmp sorted got
'

check "all $((2 * ADDS)) e-mail addresses are in the index, each once" '
	crm-show -f "%{email}" - <sorted >emails &&
	sort -u emails >uemails &&
	test "$(wc -l <uemails)" -eq $((2 * ADDS)) &&
	crm-find --email anna$ADDS@example.com >out &&
	crm-find --email JUERGEN1@example.com >>out &&
	cut -f 3 out >got &&
	expect got <<-EOF
	Anna Nováková $ADDS
	Jürgen Müller 1
	EOF
'

check 'the next add gets an id above all of them' '
	crm-add company name="Kovo s.r.o." >id &&
	test "$(cat id)" -gt "$(tail -n 1 sorted)"
'

# set_loop TAG: SETS crm-set on one record, each adding a tag
set_loop() {
	i=0
	while [ $i -lt $SETS ]; do
		i=$((i + 1))
		crm-set 1 tags+="$1$i" || echo "FAIL $i"
	done
}

check "2 x $SETS crm-set on one record at once all succeed" '
	set_loop a >sa.out 2>sa.err &
	set_loop b >sb.out 2>sb.err &
	wait &&
	! grep FAIL sa.out sb.out &&
	test ! -s sa.err && test ! -s sb.err
'

check "no change was lost: the record has all $((2 * SETS)) tags" '
	crm-show -j 1 >out &&
	jq ".tags | length" out >got &&
	expect got <<-EOF
	$((2 * SETS))
	EOF
'
