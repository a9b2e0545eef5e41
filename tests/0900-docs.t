#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 0900-docs.t - every command has a man page, a usage message, completion

# the commands the Makefile builds
cmds=$(sed -n 's/^CMDS *= *//p' "$TOP/Makefile")
ncmds=$(echo $cmds | wc -w)
plan $((4 * ncmds + 3))

check 'every command of the Makefile is built' '
	test "$ncmds" -ge 6 &&
	for c in $cmds; do
		test -x "$TOP/$c" || exit 1
	done
'

for c in $cmds; do
	check "$c has a man page" '
		test -s "$TOP/man/$c.1" &&
		grep -F ".Nm $c" "$TOP/man/$c.1"
	'

	if command -v mandoc >/dev/null 2>&1; then
		check "mandoc -T lint accepts man/$c.1" '
			mandoc -T lint -W warning "$TOP/man/$c.1"
		'
	else
		skip "mandoc is not installed"
	fi

	check "$c --help exits 0 and prints a usage line" '
		$c --help >out 2>err &&
		grep "^usage: $c" out
	'

	check "$c is in completions/crm.bash" '
		grep "^complete .*[[:space:]]$c\([[:space:]]\|$\)" \
			"$TOP/completions/crm.bash"
	'
done

if command -v mandoc >/dev/null 2>&1; then
	check 'mandoc -T lint accepts man/crm.7' '
		mandoc -T lint -W warning "$TOP/man/crm.7"
	'
else
	skip "mandoc is not installed"
fi

check 'crm(7) lists every command' '
	for c in $cmds; do
		grep -F ".Xr $c 1" "$TOP/man/crm.7" || exit 1
	done
'
