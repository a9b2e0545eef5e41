#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 2030-upgrade.t - a store whose index older crm made is converted once
#
# Older crm kept the index as one key per value and record, and no data;
# now a value is one key with its records' ids under it.  A store of the
# old kind is made here from a new one (mdb_dump, awk, mdb_load): the
# first command to open it converts it, reader or writer, and every
# answer is what it was.  A store that may not be written is not
# converted, and its reader says why.
plan 13

# reads: what the readers answer, each kind of index term among them
reads() {
	${1-} crm-find nov &&
	${1-} crm-find --email jana@example.sk &&
	${1-} crm-find --phone 0905123456 &&
	${1-} crm-segment 'tag:vip' &&
	${1-} crm-segment 'city=Brno and tag:b2b' &&
	${1-} crm-segment --now 2026-06-01 --count 'last_contact<-60d' &&
	${1-} crm-segment --now 2026-06-01 'next_due<+40d' &&
	${1-} crm-due --now 2026-06-01 --owner anna --within 30d &&
	${1-} crm-report deals --funnel
}

# old DIR: the store in CRM_DB as older crm kept it, made at DIR: each
# entry of the index one key, [key][n][id in n bytes], with no data; a
# time's key ends in its twelve digits where the ranges table keeps it
# under its day (eight digits) with the second of the day (3 bytes) and
# the id (5)
old() {
	mdb_dump -a "$CRM_DB" | awk '
	function hexnum(h,   v, i) {
		v = 0
		for (i = 1; i <= length(h); i++)
			v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		return v
	}
	function digits(v,   s, i, h) {
		s = sprintf("%012d", v)
		h = ""
		for (i = 1; i <= 12; i++)
			h = h "3" substr(s, i, 1)
		return h
	}
	function id(h) {
		while (length(h) > 2 && substr(h, 1, 2) == "00")
			h = substr(h, 3)
		return sprintf("%02x%s", length(h) / 2, h)
	}
	/^database=/ { db = substr($0, 10) }
	(db == "postings" || db == "ranges") && /^database=/ {
		print "database=index"; next
	}
	(db == "postings" || db == "ranges") &&
	    /^(duplicates|dupsort|dupfixed)=/ { next }
	db == "postings" && /^ / {
		key = $0
		getline val
		printf "%s%s\n \n", key, id(substr(val, 2))
		next
	}
	db == "ranges" && /^ / {
		key = substr($0, 1, length($0) - 16)
		day = 0
		for (i = length(key) + 2; i <= length($0); i += 2)
			day = day * 10 + substr($0, i, 1)
		getline val
		printf "%s%s%s\n \n", key,
		    digits(day * 86400 + hexnum(substr(val, 2, 6))),
		    id(substr(val, 8))
		next
	}
	{ print }' >old.dump &&
	mkdir "$1" &&
	mdb_load -f old.dump "$1" 2>/dev/null
}

# tables DIR: the names of the store's tables
tables() {
	mdb_dump -l "$1" | sort | tr "\n" " "
}

check 'setup: people, a company, tags, history, tasks, a deal' '
	{
	crm-add person "name=Jana Nováková" email=jana@example.sk \
		"phone=0905 123 456" tags=vip,b2b city=Brno &&
	crm-add company "name=Kovo s.r.o." city=Brno tags=b2b &&
	crm-add person "name=Peter Novák" email=peter@kovo.sk tags=vip \
		city=Košice company=2 &&
	crm-add person "name=Eva Nová" tags=b2b city=Brno &&
	crm-log --at 2026-03-01 1 call first &&
	crm-log --at 2026-05-20 3 call second &&
	crm-log --at 2026-02-01 4 email old &&
	crm-task --now 2026-05-01 add 1 --due 2026-06-10 "call back" \
		--owner anna &&
	crm-task --now 2026-05-01 add 3 --due 2026-06-20 quote --owner anna &&
	crm-add deal "name=Big deal" company=2 stage=proposal amount=5000
	} >ids &&
	reads >new.reads &&
	test "$(wc -l <new.reads)" -gt 12 &&
	grep -x 2 new.reads &&
	mdb_dump -s postings "$CRM_DB" >new.postings &&
	mdb_dump -s ranges "$CRM_DB" >new.ranges
'

check 'the store made as older crm made it: an index table, no postings' '
	old "$T/o1" &&
	test "$(tables o1)" = "index journal log logid meta records " &&
	mdb_dump -s index o1 | grep -q "^ 000b6a616e61406578616d706c652e736b0101$"
'

check 'a reader converts it: the same answers, the postings as a new store has' '
	CRM_DB="$T/o1" reads >o1.reads &&
	diff -u new.reads o1.reads &&
	test "$(tables o1)" = "journal log logid meta postings ranges records " &&
	mdb_dump -s postings o1 >o1.postings &&
	diff -u new.postings o1.postings &&
	mdb_dump -s ranges o1 >o1.ranges &&
	diff -u new.ranges o1.ranges &&
	CRM_DB="$T/o1" crm-check
'

check 'it converts once: the next reader writes nothing' '
	sum=$(CRM_DB="$T/o1" store_sum) &&
	CRM_DB="$T/o1" reads >again.reads &&
	diff -u new.reads again.reads &&
	test "$(CRM_DB="$T/o1" store_sum)" = "$sum"
'

check 'a writer converts it too, then writes' '
	mkdir o2 && mdb_load -f old.dump o2 &&
	CRM_DB="$T/o2" crm-set 4 tags+=vip &&
	CRM_DB="$T/o2" crm-segment tag:vip >vip &&
	test "$(tr "\n" " " <vip)" = "1 3 4 " &&
	test "$(tables o2)" = "journal log logid meta postings ranges records " &&
	CRM_DB="$T/o2" crm-check
'

check 'two readers at once: both answer, one converts' '
	mkdir o3 && mdb_load -f old.dump o3 &&
	{ CRM_DB="$T/o3" reads >r1 & CRM_DB="$T/o3" reads >r2; wait $!; } &&
	diff -u new.reads r1 && diff -u new.reads r2 &&
	CRM_DB="$T/o3" crm-check
'

check 'crm-check --repair on an old store: converted, then rebuilt' '
	mkdir o4 && mdb_load -f old.dump o4 &&
	crm-check --db o4 --repair 2>err &&
	CRM_DB="$T/o4" reads >r4 &&
	diff -u new.reads r4
'

# older crm kept the letters Unicode does not split into a letter and a
# mark (Ł, Ø, Đ) as they are in the index's keys: such a store, made
# here from a new one (its name token lukasz written back as łukasz, its
# mark of the new folding taken out), gets its index anew once
check 'a store of the older folding: Łukasz found as lukasz once re-indexed' '
	crm-add --db f1 person "name=Łukasz Wójcik" email=lukasz@example.pl \
		>/dev/null &&
	mdb_dump -a f1 | awk "
		/^database=/ { db = substr(\$0, 10) }
		db == \"meta\" && \$0 == \" 696e6465783a666f6c64\" { getline; next }
		db == \"postings\" { gsub(\"6c756b61737a\", \"c582756b61737a\") }
		{ print }" >f.dump &&
	mkdir f2 && mdb_load -f f.dump f2 &&
	! mdb_dump -s meta -p f2 | grep -F index:fold &&
	crm-find --db f2 lukasz | cut -f3 >got &&
	echo "Łukasz Wójcik" >want && cmp want got &&
	mdb_dump -s meta -p f2 | grep -F index:fold &&
	crm-find --db f2 łuk | cut -f1 | grep -x 1 &&
	crm-check --db f2
'

# older crm kept no open deals in the index (under the field number
# 0x7ff3, by the record they refer to): such a store, made here from a
# new one (those keys and the mark index:deals taken out), gets its index
# anew once, and until then, where it may not be written, its open_deals
# are read from the deals
nodeals() {
	mdb_dump -a "$1" | awk '
	/^database=/ { db = substr($0, 10) }
	db == "meta" && $0 == " 696e6465783a6465616c73" { getline; next }
	db == "postings" && /^ 7ff3/ { getline; next }
	{ print }' >"$2.dump" &&
	mkdir "$2" && mdb_load -f "$2.dump" "$2" &&
	! mdb_dump -s meta -p "$2" | grep -F index:deals &&
	! mdb_dump -s postings "$2" | grep "^ 7ff3"
}

check 'a store without the open deals in its index: indexed anew once' '
	crm-add --db d1 person name=A >/dev/null &&
	crm-add --db d1 company name=C >/dev/null &&
	crm-add --db d1 deal name=D person=1 company=2 >/dev/null &&
	crm-add --db d1 deal name=E person=1 stage=won >/dev/null &&
	crm-segment --db d1 -f "%{id} %{open_deals}" "id>0" >want &&
	nodeals d1 d2 &&
	crm-segment --db d2 -f "%{id} %{open_deals}" "id>0" >got &&
	cmp want got &&
	mdb_dump -s meta -p d2 | grep -F index:deals &&
	mdb_dump -s postings d1 >d1.postings &&
	mdb_dump -s postings d2 >d2.postings &&
	cmp d1.postings d2.postings &&
	crm-check --db d2
'

as_user_setup

if [ "$user" ] && mkdir o5 && mdb_load -f old.dump o5 2>/dev/null &&
    { [ ! "$root" ] || chown -R nobody o5; } && chmod -R a-w o5; then
	check 'an old store one may not write: exit 3, saying why' '
		sum=$(CRM_DB="$T/o5" store_sum) &&
		must_fail 3 as_user crm-find --db "$T/o5" nov >out 2>err &&
		test ! -s out &&
		grep -F "crm-find: cannot open '\''$T/o5'\'': this store'\''s index is of an older crm'\''s making, and converting it needs a store one may write to" err &&
		test "$(CRM_DB="$T/o5" store_sum)" = "$sum"
	'
	check 'once it may be written, it converts' '
		chmod -R u+w o5 &&
		as_user crm-find --db "$T/o5" nov >out &&
		test "$(wc -l <out)" -eq 3
	'
else
	skip "an old store one may not write (needs a user who is not root)"
	skip "once it may be written, it converts (needs a user who is not root)"
fi

if [ "$user" ] && mkdir f3 && mdb_load -f f.dump f3 2>/dev/null &&
    { [ ! "$root" ] || chown -R nobody f3; } && chmod -R a-w f3; then
	check 'a store of the older folding one may not write: read as it is' '
		sum=$(CRM_DB="$T/f3" store_sum) &&
		as_user crm-show --db "$T/f3" 1 >out &&
		grep -F "Łukasz Wójcik" out &&
		test "$(CRM_DB="$T/f3" store_sum)" = "$sum" &&
		chmod -R u+w f3 &&
		as_user crm-find --db "$T/f3" lukasz | cut -f1 | grep -x 1
	'
else
	skip "a store of the older folding one may not write (needs a user who is not root)"
fi

if [ "$user" ] && nodeals d1 d3 >/dev/null &&
    { [ ! "$root" ] || chown -R nobody d3; } && chmod -R a-w d3; then
	check 'without the open deals, one may not write: read from the deals' '
		sum=$(CRM_DB="$T/d3" store_sum) &&
		as_user crm-segment --db "$T/d3" -f "%{id} %{open_deals}" \
			"id>0" >got &&
		cmp want got &&
		test "$(as_user crm-segment --db "$T/d3" "open_deals=1" |
			tr "\n" " ")" = "1 2 " &&
		test "$(CRM_DB="$T/d3" store_sum)" = "$sum"
	'
else
	skip "without the open deals, one may not write (needs a user who is not root)"
fi
