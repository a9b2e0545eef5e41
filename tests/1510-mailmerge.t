#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1510-mailmerge.t - crm-mailmerge: whom it mails, once each, in order
#
# The mailer is a script that appends each message to a file, so
# nothing leaves the machine; 1500-mail.t sends through a real one.
plan 10

N='2026-11-23 10:00'

# mail ARG...: crm-mailmerge --send through the mailer that keeps
mail() {
	SENDMAIL="cat >>$T/sent" crm-mailmerge --now "$N" hi.eml --send "$@"
}

# sent_to: the To: lines of what the mailer took, in order
sent_to() {
	grep '^To: ' "$T/sent"
}

check 'setup: a template and three people, the second merged into one' '
	printf "%s\n" "From: Shop <shop@example.com>" "Subject: Hi %{name}" \
		"" "Hello %{name}" >hi.eml &&
	crm-add --now "$N" person name=Kim email=kim@example.com >ids &&
	crm-add --now "$N" person name="Kim K." email=kim.k@example.com \
		>>ids &&
	crm-add --now "$N" person name=Lea email=lea@example.com >>ids &&
	crm-merge 1 2 >/dev/null &&
	expect ids <<-EOF
	1
	2
	3
	EOF
'

check 'a merged id is its record: mailed once, logged on it, not again' '
	mail --campaign c1 2 >out 2>err &&
	test ! -s out &&
	sent_to >got &&
	expect got <<-EOF &&
	To: Kim <kim@example.com>
	EOF
	grep -x "crm-mailmerge: sent 1, skipped 0" err &&
	grep "unsubscribe%201-[0-9a-f]*>" sent &&
	must_fail 1 mail --campaign c1 2 >out 2>err &&
	grep -x "crm-mailmerge: 2: already sent in c1" err &&
	must_fail 1 mail --campaign c1 1 >out 2>err &&
	grep -x "crm-mailmerge: 1: already sent in c1" err &&
	crm-log --list -j 1 >log &&
	jq -r "select(.campaign == \"c1\") | .record" log >got &&
	expect got <<-EOF &&
	1
	EOF
	test "$(grep -c "^To: " sent)" -eq 1
'

check 'a preview prints the records in the order given, each once' '
	crm-mailmerge --now "$N" hi.eml --campaign c2 3 1 3 2 >out 2>err &&
	grep "^To: " out >order &&
	expect order <<-EOF &&
	To: Lea <lea@example.com>
	To: Kim <kim@example.com>
	EOF
	expect err <<-EOF
	crm-mailmerge: 3: already sent in c2
	crm-mailmerge: 2: already sent in c2
	EOF
'

check '--send: what the preview printed, a repeated id already sent' '
	: >sent &&
	mail --campaign c2 3 3 1 3 >out 2>err &&
	sent_to >got &&
	cmp order got &&
	expect err <<-EOF
	crm-mailmerge: 3: already sent in c2
	crm-mailmerge: 3: already sent in c2
	crm-mailmerge: sent 2, skipped 2
	EOF
'

check 'a preview writes nothing: its unsubscribe address is not obeyed' '
	printf "%s\n" "From: Shop <shop@example.com>" \
		"X-Crm-Unsubscribe-To: leave@example.com" "Subject: Hi" "" \
		"Hello" >leave.eml &&
	crm-mailmerge --now "$N" leave.eml --campaign c3 3 >/dev/null &&
	before=$(store_sum) &&
	crm-mailmerge --now "$N" leave.eml --campaign c3 3 >out &&
	test "$(store_sum)" = "$before" &&
	grep -c "^To: " out >n &&
	expect n <<-EOF &&
	1
	EOF
	printf "From: lea@example.com\nTo: leave@example.com\nSubject: q\n\nhi\n" \
		>q.eml &&
	crm-inbox --now "$N" <q.eml >out &&
	grep "^logged [0-9]* on 3\$" out
'

check '--send remembers it: mail to it then opts the sender out' '
	SENDMAIL="cat >/dev/null" crm-mailmerge --now "$N" leave.eml \
		--campaign c3 --send 1 2>/dev/null &&
	printf "From: lea@example.com\nTo: leave@example.com\nSubject: q2\n\nhi\n" |
		crm-inbox --now "$N" >out &&
	expect out <<-EOF
	opted out lea@example.com
	EOF
'

check '--rate that is no rate (nan, inf, 1e-300, 0): exit 2, nothing sent' '
	: >sent &&
	before=$(store_sum) &&
	for r in nan inf 1e-300 0 -2 0.0009 3x; do
		must_fail 2 mail --campaign c4 --rate "$r" 1 >out 2>err &&
		grep -F "crm-mailmerge: --rate: '\''$r'\'' is not a number" err ||
		exit 1
	done &&
	test ! -s sent &&
	test "$(store_sum)" = "$before" &&
	mail --campaign c4 --rate 0.001 1 2>err &&
	mail --campaign c5 --rate 30/min 1 2>err &&
	test "$(grep -c "^To: " sent)" -eq 2
'

check 'control characters in a name are blanks in To:, Subject: and --mailto' '
	crm-add --now "$N" person email=odd@example.com \
		name="$(printf "Ann\nBcc: x@evil.example\tQ\001R\177S\rT")" \
		>id &&
	crm-mailmerge --now "$N" hi.eml --campaign c6 "$(cat id)" >odd.mbox &&
	crm-segment --mailto "id=$(cat id)" >odd.to &&
	/usr/bin/python3 - odd.mbox odd.to <<-\EOF
	import email, email.policy, mailbox, sys
	want = "Ann Bcc: x@evil.example Q R S T"
	msgs = list(mailbox.mbox(sys.argv[1], factory=lambda f:
	    email.message_from_binary_file(f, policy=email.policy.default)))
	assert len(msgs) == 1, msgs
	m = msgs[0]
	assert m.get_all("Bcc") is None, m.get_all("Bcc")
	for h in ("To", "Subject"):
	    assert not m[h].defects, (h, m[h].defects)
	to = m["To"].addresses
	assert len(to) == 1 and to[0].addr_spec == "odd@example.com", to
	assert to[0].display_name == want, to[0].display_name
	assert str(m["Subject"]) == "Hi " + want, str(m["Subject"])
	line = open(sys.argv[2], encoding="utf-8").read()
	h = email.message_from_string("To: " + line + "\n",
	    policy=email.policy.default)["To"]
	assert not h.defects, h.defects
	assert h.addresses[0].display_name == want, h.addresses
	EOF
'

check 'crm-inbox: a reply to a record merged since names the one kept' '
	crm-add --now "$N" person name=Mo email=mo@example.com >mo &&
	crm-add --now "$N" person name=Ned email=ned@example.com >ned &&
	: >sent &&
	mail --campaign c7 "$(cat ned)" 2>/dev/null &&
	id=$(sed -n "s/^Message-I[dD]: *//p" sent) &&
	test -n "$id" &&
	crm-merge "$(cat mo)" "$(cat ned)" >/dev/null &&
	printf "From: ned@example.com\nSubject: Re: Hi\nIn-Reply-To: %s\n\nyes\n" \
		"$id" | crm-inbox --now "$N" >out &&
	crm-log --list -j "$(cat mo)" >log &&
	jq -r "select(.dir == \"in\") |
		\"logged \(.id) on \(.record) \(.campaign)\"" log >want &&
	test "$(wc -l <want)" -eq 1 &&
	grep " on $(cat mo) c7\$" want &&
	sed "s/ c7\$//" want | cmp - out
'

check 'a campaign name is one whatever its case and accents, as in a query' '
	must_fail 1 mail --campaign C1 1 >out 2>err &&
	grep -x "crm-mailmerge: 1: already sent in C1" err &&
	mail --campaign "Jeseň" "$(cat mo)" 2>/dev/null &&
	must_fail 1 mail --campaign JESEN "$(cat mo)" >out 2>err &&
	grep -x "crm-mailmerge: $(cat mo): already sent in JESEN" err &&
	for c in C1 JESEN; do
		crm-report --campaign $c | cut -f 1,2 &&
		crm-segment --count "count(kind=email and campaign=$c)>=1" ||
		exit 1
	done >got &&
	expect got <<-EOF
	campaign	sent
	C1	1
	1
	campaign	sent
	JESEN	1
	1
	EOF
'
