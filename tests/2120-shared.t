#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2120-shared.t - a shared install: setgid commands, a store only they
# reach, two Unix users who see their own records only
#
# make check builds tests/shared/crm-*, the commands of a shared
# install whose store is /tmp/crm-shared-test/store.  As root, this test
# installs them there setgid to a group of its own, makes two Unix users
# who are not in it, and registers them as reps.  Each adds a record the
# other must not see, by any command or by reading the store's files;
# CRM_DB, --db and CRM_USER cannot point the commands elsewhere or widen
# what a user sees, and a copy of a command without its setgid bit gets
# nowhere.  Needs root, useradd, groupadd and runuser, and /tmp without
# nosuid; else it is skipped.
S=/tmp/crm-shared-test
BIN=$S/bin
DB=$S/store
CMDS="crm-add crm-export crm-find crm-import crm-mailmerge crm-segment crm-set
	crm-show crm-user"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
for c in useradd userdel groupadd groupdel runuser stat; do
	if ! command -v "$c" >/dev/null; then
		echo "1..0 # SKIP needs $c"
		exit 0
	fi
done
for c in $CMDS; do
	if [ ! -x "$TOP/tests/shared/$c" ]; then
		echo "1..0 # SKIP tests/shared/$c is not built (make check)"
		exit 0
	fi
done
if command -v findmnt >/dev/null &&
    findmnt -n -o OPTIONS -T /tmp | tr , "\n" | grep -qx nosuid; then
	echo "1..0 # SKIP /tmp is mounted nosuid: setgid does not work there"
	exit 0
fi

# a group and two users of this run's own (names of at most 32 bytes)
G=crmt$$
U1=crmt$$a
U2=crmt$$b
unset CRM_USER

cleanup() {
	userdel "$U1" >/dev/null 2>&1
	userdel "$U2" >/dev/null 2>&1
	groupdel "$U1" >/dev/null 2>&1
	groupdel "$U2" >/dev/null 2>&1
	groupdel "$G" >/dev/null 2>&1
	rm -rf "$S" "$T" "/tmp/crm-elsewhere-$$"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

plan 20

# as USER CMD ARG...: the command of the shared install, run by USER
as() {
	u=$1
	c=$2
	shift 2
	runuser -u "$u" -- "$BIN/$c" "$@"
}

check 'setup: the commands setgid to the group, the store for it alone' '
	rm -rf "$S" &&
	mkdir -m 0755 "$S" "$BIN" &&
	for c in $CMDS; do cp "$TOP/tests/shared/$c" "$BIN/$c" || exit 1; done &&
	groupadd "$G" &&
	useradd -M -s /bin/sh "$U1" &&
	useradd -M -s /bin/sh "$U2" &&
	! id -Gn "$U1" | tr " " "\n" | grep -x "$G" &&
	! id -Gn "$U2" | tr " " "\n" | grep -x "$G" &&
	chgrp "$G" "$BIN"/crm-* &&
	chmod 2755 "$BIN"/crm-* &&
	mkdir "$DB" &&
	chown "root:$G" "$DB" &&
	chmod 2770 "$DB" &&
	stat -c "%a %U %G" "$DB" "$BIN/crm-add" >got &&
	expect got <<-EOF
	2770 root $G
	2755 root $G
	EOF
'

check 'root registers both users as reps with the setgid crm-user' '
	"$BIN/crm-user" add "$U1" --role rep &&
	"$BIN/crm-user" add "$U2" --role rep &&
	"$BIN/crm-user" ls >got &&
	expect got <<-EOF &&
	$U1	rep	
	$U2	rep	
	EOF
	test -f "$DB/data.mdb" &&
	test ! -e "$CRM_DB"
'

check 'each user adds a record with a secret name and address' '
	as "$U1" crm-add person "name=Alpha Secretive" \
		email=alpha.secret@u1.example >id1 &&
	as "$U2" crm-add person "name=Beta Secretive" \
		email=beta.secret@u2.example >id2 &&
	test "$(cat id1) $(cat id2)" = "1 2" &&
	"$BIN/crm-show" -j 1 2 | jq -r "[.id, .owner] | @tsv" >got &&
	expect got <<-EOF
	1	$U1
	2	$U2
	EOF
'

check 'whoami: each is who they log in as, a rep' '
	as "$U2" crm-user whoami >got &&
	expect got <<-EOF
	$U2	rep	
	EOF
'

check 'user2: crm-segment and crm-find see only their own record' '
	as "$U2" crm-segment type=person >got &&
	expect got <<-EOF &&
	2
	EOF
	as "$U2" crm-find secretive | cut -f 1,3,4 >got &&
	expect got <<-EOF &&
	2	Beta Secretive	beta.secret@u2.example
	EOF
	must_fail 1 as "$U2" crm-find --email alpha.secret@u1.example >out &&
	test ! -s out
'

check 'user2: crm-show of user1'\''s record exit 2; their own is shown' '
	must_fail 2 as "$U2" crm-show 1 >out 2>err &&
	test ! -s out &&
	grep -F "record 1 is not $U2'\''s to see" err &&
	! grep -F "Alpha" err &&
	as "$U2" crm-show -j 2 | jq -r .name >got &&
	expect got <<-EOF
	Beta Secretive
	EOF
'

check 'user1 likewise: only their own record' '
	as "$U1" crm-segment type=person >got &&
	expect got <<-EOF &&
	1
	EOF
	as "$U1" crm-find secretive | cut -f 1 >got &&
	expect got <<-EOF &&
	1
	EOF
	must_fail 2 as "$U1" crm-show 2 >out 2>err &&
	test ! -s out &&
	grep -F "record 2 is not $U1'\''s to see" err
'

check 'user1 may not change user2'\''s record: exit 2, naming user2' '
	must_fail 2 as "$U1" crm-set 2 city=Brno >out 2>err &&
	grep -F "record 2 is $U2'\''s" err &&
	"$BIN/crm-show" -j 2 | jq -e "has(\"city\") | not"
'

check 'user2 cannot read the store'\''s files, nor list its directory' '
	must_fail 1 runuser -u "$U2" -- cat "$DB/data.mdb" >out 2>err &&
	test ! -s out &&
	grep -F "Permission denied" err &&
	must_fail 2 runuser -u "$U2" -- ls "$DB" >out 2>err &&
	test ! -s out &&
	grep -F "Permission denied" err &&
	! runuser -u "$U2" -- grep -c Alpha "$DB/data.mdb" 2>/dev/null
'

check 'the store'\''s files: mode 0660, the group'\''s' '
	ls "$DB" >files &&
	grep -x data.mdb files &&
	grep -x lock.mdb files &&
	for f in $(cat files); do
		test "$(stat -c "%a %G" "$DB/$f")" = "660 $G" ||
			{ stat -c "%n %a %G" "$DB/$f"; exit 1; }
	done
'

check 'CRM_DB is ignored: the shared store all the same, none made' '
	runuser -u "$U2" -- env "CRM_DB=/tmp/crm-elsewhere-$$" \
		"$BIN/crm-segment" type=person >got &&
	expect got <<-EOF &&
	2
	EOF
	runuser -u "$U2" -- env "CRM_DB=/tmp/crm-elsewhere-$$" \
		"$BIN/crm-add" person name=Gamma >got &&
	test "$(cat got)" = 3 &&
	test ! -e "/tmp/crm-elsewhere-$$" &&
	as "$U2" crm-segment type=person | tr "\n" " " >got &&
	test "$(cat got)" = "2 3 "
'

check '--db is refused: exit 2, nothing read' '
	mkdir -m 0777 "/tmp/crm-elsewhere-$$" &&
	must_fail 2 as "$U2" crm-segment --db "/tmp/crm-elsewhere-$$" \
		type=person >out 2>err &&
	test ! -s out &&
	grep -F -- "--db: this is a shared install, of the store in $DB" err &&
	must_fail 2 as "$U2" crm-add --db "/tmp/crm-elsewhere-$$" person \
		name=Delta >out 2>err &&
	test ! -s out &&
	test -z "$(ls -A "/tmp/crm-elsewhere-$$")"
'

check 'CRM_USER=user1 for user2: exit 2, nothing shown' '
	must_fail 2 runuser -u "$U2" -- env "CRM_USER=$U1" \
		"$BIN/crm-segment" type=person >out 2>err &&
	test ! -s out &&
	grep -F "CRM_USER may narrow what $U2 sees, not widen it" err &&
	must_fail 2 runuser -u "$U2" -- env "CRM_USER=$U1" \
		"$BIN/crm-show" 1 >out 2>err &&
	test ! -s out
'

check 'a rep may not change the users' '
	must_fail 2 as "$U2" crm-user add "$U2" --role admin >out 2>err &&
	grep -F "changing users is for admins; $U2 is a rep" err &&
	must_fail 2 as "$U2" crm-user set "$U2" --role admin 2>err &&
	"$BIN/crm-user" ls | cut -f 2 | sort -u >got &&
	expect got <<-EOF
	rep
	EOF
'

check 'a copy of a command without its setgid bit gets no access' '
	mkdir -m 0700 "$S/u2" &&
	chown "$U2" "$S/u2" &&
	runuser -u "$U2" -- cp "$BIN/crm-find" "$S/u2/crm-find" &&
	test "$(stat -c "%a %U" "$S/u2/crm-find")" = "755 $U2" &&
	must_fail 3 runuser -u "$U2" -- "$S/u2/crm-find" --db "$DB" \
		secretive >out 2>err &&
	test ! -s out &&
	grep -F "Permission denied" err &&
	must_fail 3 runuser -u "$U2" -- env "CRM_DB=$DB" \
		"$S/u2/crm-find" secretive >out 2>err &&
	test ! -s out
'

check 'files a user names are read and written as the user, not the group' '
	must_fail 2 as "$U2" crm-import --from csv --map =email --dry-run \
		--skip-bad "$DB/data.mdb" >out 2>err &&
	grep -F "Permission denied" err &&
	! grep -a -F Secretive out err &&
	must_fail 2 as "$U2" crm-import --dry-run "$DB" >out 2>err &&
	! grep -a -F Secretive out err &&
	must_fail 2 as "$U2" crm-export --to vdir "$DB" >out 2>err &&
	test -z "$(find "$DB" -name "*.vcf" -o -name .crm-export)" &&
	printf "name,email\nGamma Own,gamma@u2.example\n" >"$S/u2/own.csv" &&
	chown "$U2" "$S/u2/own.csv" && chmod 0600 "$S/u2/own.csv" &&
	as "$U2" crm-import --from csv "$S/u2/own.csv" 2>err &&
	grep -F "1 added" err &&
	as "$U2" crm-export --to vdir "$S/u2/cards" 2>err &&
	test "$(stat -c %G "$S/u2/cards")" != "$G" &&
	ls "$S/u2/cards" | grep -c "\.vcf\$" >got &&
	as "$U2" crm-segment type=person | wc -l | cmp - got
'

check 'the mailer runs as the user: it cannot read the store' '
	printf "From: shop@u2.example\nSubject: Hi\n\nHello\n" >"$S/u2/t.eml" &&
	printf "#!/bin/sh\ncat >/dev/null\nid -g >$S/u2/gid\ncat $DB/data.mdb >$S/u2/leak 2>/dev/null\nexit 0\n" \
		>"$S/u2/mailer" &&
	chmod 0755 "$S/u2/mailer" &&
	chown "$U2" "$S/u2/t.eml" "$S/u2/mailer" &&
	runuser -u "$U2" -- env SENDMAIL="$S/u2/mailer" \
		"$BIN/crm-mailmerge" --send --campaign c1 "$S/u2/t.eml" 2 \
		>/dev/null 2>err || { cat err; false; } &&
	test "$(cat "$S/u2/gid")" = "$(id -g "$U2")" &&
	test ! -s "$S/u2/leak"
'

check 'user2 may not chmod the store open' '
	! runuser -u "$U2" -- chmod 0777 "$DB" 2>/dev/null &&
	test "$(stat -c %a "$DB")" = 2770
'

check 'root, an admin, sees both records' '
	"$BIN/crm-segment" type=person | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 "
'

check 'the store is sound: crm-check of the build, as root, passes' '
	crm-check --db "$DB" >out 2>err &&
	test ! -s out && test ! -s err
'
