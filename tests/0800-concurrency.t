#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0800-concurrency.t - commands running at once: writers queue, nothing lost
plan 9

# add_loop NAME PREFIX: 500 crm-add, one process each; a failure is noted
add_loop() {
	i=0
	while [ $i -lt 500 ]; do
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
	while [ $i -lt 200 ]; do
		i=$((i + 1))
		crm-find --email anna1@example.com >/dev/null
		rc=$?
		[ $rc -le 1 ] || echo "find exit $rc at $i"
	done
}

check '2 x 500 crm-add at once on a new store all succeed' '
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

check 'every add printed one id, and all 1000 ids differ' '
	cat a.out b.out >all &&
	test "$(wc -l <all)" -eq 1000 &&
	! grep -v -x "[0-9][0-9]*" all &&
	sort -n all >sorted &&
	sort -nu all >unique &&
	cmp sorted unique
'

check 'each loop got its ids in increasing order' '
	sort -n a.out >a.sorted && cmp a.out a.sorted &&
	sort -n b.out >b.sorted && cmp b.out b.sorted
'

check 'all 1000 records landed, findable by name' '
	crm-find --type person -f "%{id}" nováková >found &&
	crm-find --type person -f "%{id}" müller >>found &&
	sort -n found >got &&
	cmp sorted got
'

check 'all 1000 e-mail addresses are in the index, each once' '
	crm-show -f "%{email}" - <sorted >emails &&
	sort -u emails >uemails &&
	test "$(wc -l <uemails)" -eq 1000 &&
	crm-find --email anna500@example.com >out &&
	crm-find --email JUERGEN1@example.com >>out &&
	cut -f 3 out >got &&
	expect got <<-EOF
	Anna Nováková 500
	Jürgen Müller 1
	EOF
'

check 'the next add gets an id above all of them' '
	crm-add company name="Kovo s.r.o." >id &&
	test "$(cat id)" -gt "$(tail -n 1 sorted)"
'

# set_loop TAG: 100 crm-set on one record, each adding a tag
set_loop() {
	i=0
	while [ $i -lt 100 ]; do
		i=$((i + 1))
		crm-set 1 tags+="$1$i" || echo "FAIL $i"
	done
}

check '2 x 100 crm-set on one record at once all succeed' '
	set_loop a >sa.out 2>sa.err &
	set_loop b >sb.out 2>sb.err &
	wait &&
	! grep FAIL sa.out sb.out &&
	test ! -s sa.err && test ! -s sb.err
'

check 'no change was lost: the record has all 200 tags' '
	crm-show -j 1 >out &&
	jq ".tags | length" out >got &&
	expect got <<-EOF
	200
	EOF
'
