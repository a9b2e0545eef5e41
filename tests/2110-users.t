#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2110-users.t - users, roles and teams: who sees and changes what
#
# A store without users is one person's.  Then an admin adds boss
# (admin), mara (manager of team east), anna (rep, east), bob (rep,
# west) and walt (manager, west); each adds records, which are theirs.
# Per role: crm-segment, crm-find, crm-show, crm-report, crm-due,
# crm-export, crm-history and a company card show only what the role may
# see (an unowned record and one tagged shared are everyone's); writes to
# others' records, giving records away, admin commands and undoing
# others' transactions are refused with exit 2.  CRM_USER may narrow the
# login user's view, never widen it: that needs a login user who is not
# an admin, so those checks run as nobody when the test runs as root
# (root is always an admin), or as the login user demoted in stores of
# their own otherwise.
plan 39

TAB=$(printf '\t')
ME=$(id -un)

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

# ids CMD...: the first column of what CMD prints, on one line
ids() {
	"$@" >ids.out &&
	cut -f 1 ids.out | tr "\n" " " | sed "s/ \$//"
}

# as USER CMD...: CMD with CRM_USER=USER
as() {
	u=$1
	shift
	CRM_USER=$u "$@"
}

# ------------------------------------------------------- before users

check 'before any user: records of no owner, everyone sees everything' '
	{
	crm-add --now 2026-01-01 company "name=East Co" &&
	crm-add --now 2026-01-01 person "name=Old Unowned" company=1
	} >got &&
	test "$(tr "\n" " " <got)" = "1 2 " &&
	crm-show -j 2 | jq -e "has(\"owner\") | not" &&
	test "$(as anyone ids crm-segment type=person)" = 2 &&
	crm-user ls >out && test ! -s out &&
	as whoever crm-user whoami >got &&
	expect got <<-EOF
	whoever	admin	
	EOF
'

# from here on the login user acts, narrowed by CRM_USER where given
unset CRM_USER

check 'crm-user add: an admin, two managers, two reps; ls exact' '
	if [ "$(id -u)" -ne 0 ]; then
		crm-user add "$ME" --role admin || exit 1
	fi &&
	crm-user add boss --role admin &&
	crm-user add mara --role manager --team east &&
	crm-user add anna --role rep --team east &&
	crm-user add bob --role rep --team west &&
	crm-user add walt --team west --role manager &&
	crm-user ls >got &&
	{
	printf "%s\n" "anna${TAB}rep${TAB}east" "bob${TAB}rep${TAB}west" \
		"boss${TAB}admin${TAB}" "mara${TAB}manager${TAB}east" \
		"walt${TAB}manager${TAB}west" &&
	if [ "$(id -u)" -ne 0 ]; then printf "%s\n" "$ME${TAB}admin${TAB}"; fi
	} | sort >users.want &&
	cmp users.want got &&
	crm-user ls -j | jq -r "[.user, .role, .team // \"\"] | @tsv" |
		cmp - users.want
'

check 'crm-user whoami: the login user, or whom CRM_USER names' '
	crm-user whoami >got &&
	expect got <<-EOF &&
	$ME	admin	
	EOF
	as anna crm-user whoami >got &&
	expect got <<-EOF &&
	anna	rep	east
	EOF
	as mara crm-user whoami -j >got &&
	expect got <<-EOF
	{"user":"mara","role":"manager","team":"east"}
	EOF
'

check 'setup: each adds records, logs, tasks; the records are theirs' '
	{
	as anna crm-add --now 2026-01-02 person "name=Anna Client" \
		email=ac@x.example company=1 &&
	as bob crm-add --now 2026-01-02 person "name=Bob Client" \
		email=bc@x.example company=1 &&
	as bob crm-add --now 2026-01-02 person "name=Bob Shared" \
		tags=shared company=1 &&
	as mara crm-add --now 2026-01-02 person "name=Mara Client" company=1 &&
	as walt crm-add --now 2026-01-02 person "name=Walt Client" company=1 &&
	crm-add --now 2026-01-02 person "name=Admin Client" company=1 &&
	as anna crm-log --now 2026-02-01 --at 2026-02-01 --amount 100 3 \
		purchase "anna sale" &&
	as anna crm-log --now 2026-02-01 --at 2026-02-01 3 call "anna call" &&
	as bob crm-log --now 2026-02-02 --at 2026-02-02 --amount 40 4 \
		purchase "bob sale" &&
	as mara crm-log --now 2026-02-02 --at 2026-02-02 6 meeting \
		"mara meeting" &&
	as anna crm-task --now 2026-02-03 add --due 2026-03-01 3 "anna task" &&
	as bob crm-task --now 2026-02-03 add --due 2026-03-02 4 "bob task" &&
	as mara crm-task --now 2026-02-03 add --due 2026-03-03 6 "mara task"
	} >got &&
	test "$(tr "\n" " " <got)" = "3 4 5 6 7 8 9 10 11 12 13 14 15 " &&
	crm-show -j 2 3 4 5 6 7 8 13 14 15 |
		jq -r "[.id, .owner // \"-\"] | @tsv" >got &&
	expect got <<-EOF
	2	-
	3	anna
	4	bob
	5	bob
	6	mara
	7	walt
	8	$ME
	13	anna
	14	bob
	15	mara
	EOF
'

# ------------------------------------------------------------- reading

check 'crm-segment: each role sees its own, its team'\''s, or all' '
	test "$(as anna ids crm-segment type=person)" = "2 3 5" &&
	test "$(as bob ids crm-segment type=person)" = "2 4 5" &&
	test "$(as mara ids crm-segment type=person)" = "2 3 5 6" &&
	test "$(as walt ids crm-segment type=person)" = "2 4 5 7" &&
	test "$(as boss ids crm-segment type=person)" = "2 3 4 5 6 7 8" &&
	test "$(ids crm-segment type=person)" = "2 3 4 5 6 7 8" &&
	test "$(as anna ids crm-segment type=company)" = 1 &&
	test "$(as anna ids crm-segment type=task)" = 13 &&
	test "$(as mara ids crm-segment type=task)" = "13 15" &&
	as bob crm-segment --count type=person >got &&
	expect got <<-EOF
	3
	EOF
'

check 'crm-find: only what the role sees' '
	as anna crm-find client >got &&
	expect got <<-EOF &&
	3	person	Anna Client	ac@x.example	
	EOF
	as mara crm-find client | cut -f 1,3 >got &&
	expect got <<-EOF &&
	3	Anna Client
	6	Mara Client
	EOF
	as boss crm-find client | cut -f 1 | tr "\n" " " >got &&
	test "$(cat got)" = "3 4 6 7 8 " &&
	must_fail 1 as bob crm-find --email ac@x.example >out &&
	test ! -s out &&
	as bob crm-find --email bc@x.example | cut -f 1 >got &&
	test "$(cat got)" = 4
'

check 'crm-show: others'\'' records refused, exit 2, with a message' '
	must_fail 2 as bob crm-show 3 >out 2>err &&
	test ! -s out &&
	grep -F "crm-show: record 3 is not bob'\''s to see" err &&
	must_fail 2 as anna crm-show -j 4 >out 2>err && test ! -s out &&
	must_fail 2 as mara crm-show 7 >out 2>err && test ! -s out &&
	as anna crm-show -j 2 3 5 | jq -r .name >got &&
	expect got <<-EOF &&
	Old Unowned
	Anna Client
	Bob Shared
	EOF
	as mara crm-show -j 3 | jq -r .owner >got &&
	test "$(cat got)" = anna &&
	as boss crm-show -j 7 | jq -r .owner >got &&
	test "$(cat got)" = walt
'

check 'crm-report persons --count: the records the role sees' '
	for u in anna:3 bob:3 mara:4 walt:4 boss:7; do
		printf "count\n%s\n" "${u#*:}" >want &&
		as "${u%%:*}" crm-report persons --count | cmp - want || exit 1
	done
'

check 'crm-report interactions: the entries of the records one sees' '
	as anna crm-report interactions --by kind --count --sum amount >got &&
	expect got <<-EOF &&
	kind	count	sum_amount
	call	1	0.00
	purchase	1	100.00
	EOF
	as bob crm-report interactions --by kind --count --sum amount >got &&
	expect got <<-EOF &&
	kind	count	sum_amount
	purchase	1	40.00
	EOF
	as mara crm-report interactions --by record --count >got &&
	expect got <<-EOF &&
	record	count
	Anna Client	2
	Mara Client	1
	EOF
	crm-report interactions --count --sum amount >got &&
	expect got <<-EOF
	count	sum_amount
	4	140.00
	EOF
'

check 'crm-due: the tasks each owns, a manager its team'\''s' '
	test "$(as anna ids crm-due --now 2026-02-10 --within 8w)" = \
		"2026-03-01T00:00:00+00:00" &&
	as anna crm-due --now 2026-02-10 --within 8w | cut -f 2,7 >got &&
	expect got <<-EOF &&
	13	anna task
	EOF
	as bob crm-due --now 2026-02-10 --within 8w | cut -f 2 >got &&
	test "$(cat got)" = 14 &&
	as mara crm-due --now 2026-02-10 --within 8w | cut -f 2 |
		tr "\n" " " >got &&
	test "$(cat got)" = "13 15 " &&
	crm-due --now 2026-02-10 --within 8w | cut -f 2 | tr "\n" " " >got &&
	test "$(cat got)" = "13 14 15 "
'

check 'crm-export --to jsonl: only the records one sees' '
	as anna crm-export --to jsonl | jq -r "select(has(\"id\")) | .id" |
		tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 5 13 " &&
	as bob crm-export --to jsonl | jq -r "select(has(\"id\")) | .id" |
		tr "\n" " " >got &&
	test "$(cat got)" = "1 2 4 5 14 " &&
	as bob crm-export --to jsonl | jq -r ".history[]?.text" >got &&
	expect got <<-EOF &&
	bob sale
	EOF
	crm-export --to jsonl | jq -r "select(has(\"id\")) | .id" |
		tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 5 6 7 8 13 14 15 "
'

check 'crm-export --to jsonl: no opt-out of another'\''s customer' '
	as anna crm-optout ac@x.example &&
	crm-export --to jsonl | grep -F "\"optout\":\"ac@x.example\"" &&
	as bob crm-export --to jsonl >exp &&
	! grep -F "ac@x.example" exp
'

check 'bob may not opt out anna'\''s customer by the record'\''s id' '
	refused "record 3" as bob crm-optout 4 3
'

check 'crm-export --subject: refused for records one cannot see' '
	refused "record 3 is not bob'\''s to see" \
		as bob crm-export --subject 3 &&
	as anna crm-export --subject 3 >subj &&
	jq -c "[.record.id, .record.owner, [.related[].id]]" subj >got &&
	expect got <<-EOF
	[3,"anna",[13]]
	EOF
'

check 'crm-history: bob sees no change of anna'\''s records' '
	must_fail 1 as bob crm-history 3 >out && test ! -s out &&
	as bob crm-history >h &&
	cut -f 4 h | sort -n -u | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 4 5 14 " &&
	! grep -F "anna" h &&
	crm-history | cut -f 4 | sort -n -u | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 4 5 6 7 8 13 14 15 " &&
	as mara crm-history | cut -f 4 | sort -n -u | tr "\n" " " >got &&
	test "$(cat got)" = "1 2 3 5 6 13 15 "
'

check 'a company card lists only the contacts one sees' '
	as anna crm-show -j 1 | jq -c "[.contacts[].id], [.history[].id]" >got &&
	expect got <<-EOF &&
	[2,3,5]
	[10,9]
	EOF
	as bob crm-show -j 1 | jq -c "[.contacts[].id], [.history[].id]" >got &&
	expect got <<-EOF &&
	[2,4,5]
	[11]
	EOF
	as mara crm-show 1 | sed -n "/^contacts:/,/^[a-z]/p" >got &&
	expect got <<-EOF
	contacts:
	  2	Old Unowned		
	  3	Anna Client	ac@x.example	
	  5	Bob Shared		
	  6	Mara Client		
	history:
	EOF
'

check 'crm-log --list of a record one cannot see: refused' '
	must_fail 2 as bob crm-log --list 3 >out 2>err &&
	test ! -s out
'

check 'crm-log --list of a company: only the entries one sees' '
	as anna crm-log --list 1 | cut -f 1 | tr "\n" " " >got &&
	test "$(cat got)" = "10 9 "
'

# -------------------------------------------------------------- writing

check 'bob may not set, log on or remove anna'\''s record: exit 2' '
	refused "record 3 is anna'\''s: bob (rep) may not change it" \
		as bob crm-set 3 city=Brno &&
	refused "record 3 is anna'\''s" as bob crm-log 3 call "hello" &&
	refused "record 3 is anna'\''s" as bob crm-rm 3 &&
	refused "record 13 is anna'\''s" as bob crm-task done 13 &&
	as anna crm-show -j 3 | jq -e "has(\"city\") | not"
'

check 'bob may not tie a task or a deal to anna'\''s record' '
	refused "record 3" as bob crm-task add --due 2026-02-20 3 "peek" &&
	refused "record 3" as bob crm-add deal name=Peek person=3 &&
	as bob crm-due --now 2026-02-10 --within 8w >due &&
	! grep -F "Anna Client" due
'

check 'anna may not give a record to bob: exit 2' '
	refused "anna (rep) may not give a record to bob" \
		as anna crm-add person name=Gift owner=bob &&
	refused "anna (rep) may not give a record to bob" \
		as anna crm-set 3 owner=bob &&
	refused "may not give a record to walt" \
		as mara crm-add person name=Gift owner=walt
'

check 'a manager changes the team'\''s records, not the other team'\''s' '
	as mara crm-set --now 2026-02-05 3 city=Kosice >/dev/null &&
	as anna crm-show -j 3 | jq -r .city >got &&
	test "$(cat got)" = Kosice &&
	as mara crm-log --now 2026-02-05 --at 2026-02-05 3 note "by mara" \
		>/dev/null &&
	as anna crm-log --list 3 | sed -n 1p | cut -f 4,5,7 >got &&
	expect got <<-EOF &&
	note	by mara	mara
	EOF
	refused "record 4 is bob'\''s: mara (manager) may not change it" \
		as mara crm-set 4 city=Kosice &&
	refused "record 7 is walt'\''s" as mara crm-rm 7 &&
	refused "record 3 is anna'\''s" as walt crm-set 3 city=Wien &&
	refused "mara (manager) may not give a record to bob" \
		as mara crm-set 3 owner=bob
'

check 'an unknown CRM_USER: exit 2, for readers and writers' '
	refused "CRM_USER: nobody2 is not a user of this store" \
		as nobody2 crm-segment type=person &&
	refused "CRM_USER: nobody2 is not a user of this store" \
		as nobody2 crm-add person name=X
'

check 'a rep may not add users, prune, change the schema or compact' '
	refused "changing users is for admins; anna is a rep" \
		as anna crm-user add eve --role rep &&
	refused "crm-gc is for admins" as anna crm-gc --keep 1d &&
	crm-schema show >schema.yaml &&
	refused "is for admins" as anna crm-schema apply schema.yaml &&
	refused "crm-compact is for admins" as anna crm-compact &&
	refused "changing users is for admins; mara is a manager" \
		as mara crm-user set anna --role admin
'

check 'crm-check, with or without --repair, is for admins: exit 2' '
	refused "crm-check is for admins; anna is a rep" as anna crm-check &&
	refused "crm-check is for admins; mara is a manager" \
		as mara crm-check -j &&
	refused "crm-check --repair is for admins; anna is a rep" \
		as anna crm-check --repair &&
	as boss crm-check >out 2>err &&
	test ! -s out && test ! -s err
'

check 'crm-forget: refused for a rep, exit 2' '
	refused "crm-forget is for managers and admins; anna is a rep" \
		as anna crm-forget 3 &&
	refused "record 4 is bob'\''s" as mara crm-forget 4
'

check 'crm-undo: anna may not undo bob'\''s transaction, may her own' '
	t=$(crm-history 4 | sed -n 1p | cut -f 1) &&
	refused "transaction $t is bob'\''s; anna may undo only their own" \
		as anna crm-undo "$t" &&
	as anna crm-set --now 2026-02-06 3 title=Dr >/dev/null &&
	t=$(crm-history 3 | tail -n 1 | cut -f 1) &&
	as anna crm-history --txn "$t" | cut -f 3,5,6 >got &&
	expect got <<-EOF &&
	anna	set	title
	EOF
	as anna crm-undo --now 2026-02-07 "$t" >got &&
	expect got <<-EOF &&
	set 3 title
	EOF
	as anna crm-show -j 3 | jq -e "has(\"title\") | not"
'

# ------------------------------------------------------ changing users

check 'crm-user add: an existing user, a bad role, no role: exit 2' '
	refused "bob is a user already" crm-user add bob --role rep &&
	refused "admin, manager or rep" crm-user add eve --role boss &&
	refused "usage" crm-user add eve &&
	refused "not a user name" crm-user add "e ve" --role rep
'

check 'crm-user add: a name in UTF-8 is one; control bytes, bad UTF-8 not' '
	crm-user add "Žofia" --role manager --team east &&
	crm-user ls | grep "^Žofia$TAB" >got &&
	expect got <<-EOF &&
	Žofia	manager	east
	EOF
	crm-user rm "Žofia" &&
	refused "not a user name" crm-user add "$(printf "e\\tve")" --role rep &&
	refused "not a user name" crm-user add "$(printf "e\\302\\205ve")" \
		--role rep &&
	refused "not a user name" crm-user add "$(printf "e\\377ve")" \
		--role rep &&
	refused "not a user name" crm-user add "$(printf "e\\305ve")" \
		--role rep &&
	refused "not a user name" crm-user add e:ve --role rep
'

check 'crm-user set --team: bob moves east, mara sees his records' '
	crm-user set bob --team east &&
	crm-user ls | grep "^bob$TAB" >got &&
	expect got <<-EOF &&
	bob	rep	east
	EOF
	test "$(as mara ids crm-segment type=person)" = "2 3 4 5 6" &&
	test "$(as walt ids crm-segment type=person)" = "2 5 7" &&
	test "$(as bob ids crm-segment type=person)" = "2 4 5"
'

check 'crm-user set --role: anna a manager of east sees the team' '
	crm-user set anna --role manager &&
	as anna crm-user whoami >got &&
	expect got <<-EOF &&
	anna	manager	east
	EOF
	test "$(as anna ids crm-segment type=person)" = "2 3 4 5 6" &&
	as anna crm-set --now 2026-02-08 4 city=Trnava >/dev/null &&
	crm-user set anna --role rep &&
	test "$(as anna ids crm-segment type=person)" = "2 3 5" &&
	refused "record 4 is bob'\''s" as anna crm-set 4 city=Zilina
'

check 'crm-user set of no user, rm of no user: exit 2' '
	refused "no user eve" crm-user set eve --role rep &&
	refused "no user eve" crm-user rm eve &&
	refused "usage" crm-user rm walt --role rep
'

check 'crm-user rm walt: gone from ls, no longer a CRM_USER' '
	crm-user rm walt &&
	crm-user ls >ls &&
	! cut -f 1 ls | grep -x walt &&
	test "$(wc -l <ls)" -eq $(($(wc -l <users.want) - 1)) &&
	refused "CRM_USER: walt is not a user of this store" \
		as walt crm-segment type=person &&
	test "$(as boss ids crm-segment type=person)" = "2 3 4 5 6 7 8"
'

# --------------------------------- CRM_USER narrows; it never widens

# The login user L, not an admin, in stores of L's own: nobody when
# the test runs as root, else the login user.
L=
if [ "$(id -u)" -eq 0 ]; then
	if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
		L=nobody
		NGID=$(id -g nobody)
		chmod 711 "$T"
		mkdir "$T/w" && chown nobody "$T/w"
	fi
else
	L=$ME
	mkdir "$T/w"
fi

# as_l CMD...: CMD run by L
as_l() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid="$NGID" --clear-groups "$@"
	else
		"$@"
	fi
}

# wstore NAME ROLE TEAM: a store of L's, the users of this test, L made
# ROLE of TEAM last
wstore() {
	export CRM_DB="$T/w/$1" &&
	as_l crm-user add "$L" --role admin &&
	as_l crm-user add boss --role admin &&
	as_l crm-user add mara --role manager --team east &&
	as_l crm-user add anna --role rep --team east &&
	as_l crm-user add bob --role rep --team west &&
	as_l crm-user set "$L" --role "$2" --team "$3"
}

# wide USER TEXT: L as USER is refused, exit 2, naming TEXT
wide() {
	must_fail 2 as_l env CRM_USER="$1" crm-segment type=person \
		>out 2>err &&
	test ! -s out &&
	grep -F "CRM_USER may narrow what $L sees, not widen it" err &&
	grep -F "$2" err
}

if [ -n "$L" ]; then
check 'a rep of west (as bob): CRM_USER=anna or mara or boss, exit 2' '
	wstore w1 rep west &&
	as_l crm-user whoami >got &&
	expect got <<-EOF &&
	$L	rep	west
	EOF
	wide anna "$L (rep) cannot act as anna (rep)" &&
	wide mara "cannot act as mara (manager)" &&
	wide boss "cannot act as boss (admin)" &&
	as_l env CRM_USER="$L" crm-user whoami >got &&
	expect got <<-EOF
	$L	rep	west
	EOF
'

check 'a rep of east (as anna): CRM_USER=mara, exit 2; no user change' '
	wstore w2 rep east &&
	wide mara "$L (rep) cannot act as mara (manager)" &&
	wide bob "cannot act as bob (rep)" &&
	must_fail 2 as_l crm-user add eve --role rep 2>err &&
	grep -F "changing users is for admins; $L is a rep" err
'

check 'a manager of east (as mara): bob of west, exit 2; anna is fine' '
	wstore w3 manager east &&
	wide bob "$L (manager) cannot act as bob (rep)" &&
	wide boss "cannot act as boss (admin)" &&
	as_l env CRM_USER=anna crm-user whoami >got &&
	expect got <<-EOF &&
	anna	rep	east
	EOF
	as_l env CRM_USER=anna crm-add person name=Narrowed >got &&
	as_l crm-show -j "$(cat got)" | jq -r .owner >owner &&
	test "$(cat owner)" = anna
'

check 'one who is not a user of the store: exit 2, told to be added' '
	export CRM_DB="$T/w/w4" &&
	as_l crm-user add "$L" --role admin &&
	as_l crm-user add boss --role admin &&
	as_l crm-user rm "$L" &&
	must_fail 2 as_l crm-segment type=person >out 2>err &&
	test ! -s out &&
	grep -F "$L is not a user of this store (an admin adds users: crm-user add $L --role rep)" err
'
else
	skip 'CRM_USER widening: needs nobody and setpriv as root'
	skip 'CRM_USER widening: needs nobody and setpriv as root'
	skip 'CRM_USER widening: needs nobody and setpriv as root'
	skip 'a login user not in the store: needs nobody and setpriv'
fi
export CRM_DB="$T/db"

check 'crm-export --to jsonl: the forgotten hashes for admins only' '
	id=$(as boss crm-add person name=Fay email=fay@x.example) &&
	as boss crm-forget "$id" &&
	as boss crm-export --to jsonl >exp &&
	test "$(grep -c "^{\"forgotten\":" exp)" -eq 1 &&
	test "$(grep -c "^{\"forgotten_key\":" exp)" -eq 1 &&
	for u in mara anna; do
		as $u crm-export --to jsonl >exp &&
		! grep -e "\"forgotten\":" -e "\"forgotten_key\":" exp ||
		exit 1
	done
'

check 'crm-check passes at the end' '
	crm-check >out 2>err &&
	test ! -s out && test ! -s err
'
