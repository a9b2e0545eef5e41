#!/bin/sh
. "$(dirname "$0")/lib.sh"
# 1310-query-oracle.t - crm-segment against SQLite on the same random data
#
# A seeded generator writes a few hundred companies and people with their
# histories twice: as input for crm-add and crm-log, and as SQL.  Each
# query below is written once in the query language and once in SQL; the
# two must select the same ids.

if ! command -v sqlite3 >/dev/null 2>&1 ||
    ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # skip sqlite3 or python3 is not installed"
	exit 0
fi

N='2026-11-23 10:00'
NOW=$(date -u -d "$N" +%s)
D=86400

# The data: ASCII names and cities, so that lower() in SQL folds them as
# crm does; cities and owners in mixed case.  Amounts are in cents in SQL.
python3 - "$NOW" <<'EOF'
import json, random, sys, time

now = int(sys.argv[1])
rnd = random.Random(1310)
NCOMP, NPERS = 40, 260
cities = ["Bratislava", "BRATISLAVA", "bratislava", "Brno", "brno",
          "Kosice", "Praha", "Zilina", "Nitra", "Banska Bystrica"]
owners = ["anna", "Anna", "ANNA", "peter", "Peter", "marek"]
tagset = ["vip", "b2b", "newsletter", "export"]

def maybe(p, v):
    return v if rnd.random() < p else None

def tags():
    t = [x for x in tagset if rnd.random() < 0.25]
    return ["VIP" if x == "vip" and rnd.random() < 0.3 else x for x in t]

def sq(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"

sql = open("data.sql", "w")
sql.write("""BEGIN;
CREATE TABLE people(id INTEGER PRIMARY KEY, type TEXT, name TEXT,
    city TEXT, owner TEXT, company INTEGER);
CREATE TABLE tags(id INTEGER, tag TEXT);
CREATE TABLE interactions(record INTEGER, kind TEXT, at INTEGER,
    amount INTEGER, campaign TEXT);
""")
recs = []
for kind, n, out in (("company", NCOMP, "companies.jsonl"),
                     ("person", NPERS, "people.jsonl")):
    f = open(out, "w")
    for i in range(n):
        rid = len(recs) + 1
        r = {"name": "%s %d" % (kind.capitalize(), i + 1)}
        city, owner, tg = maybe(0.85, rnd.choice(cities)), \
            maybe(0.7, rnd.choice(owners)), tags()
        comp = maybe(0.75, rnd.randint(1, NCOMP)) if kind == "person" \
            else None
        for k, v in (("city", city), ("owner", owner), ("company", comp)):
            if v is not None:
                r[k] = v
        if tg:
            r["tags"] = tg
        f.write(json.dumps(r) + "\n")
        sql.write("INSERT INTO people VALUES(%d,%s,%s,%s,%s,%s);\n" % (
            rid, sq(kind), sq(r["name"]), sq(city), sq(owner), sq(comp)))
        for t in tg:
            sql.write("INSERT INTO tags VALUES(%d,%s);\n" % (rid, sq(t)))
        recs.append(rid)
    f.close()

log = open("log.tsv", "w")
def entry(ids, kind, at, cents, campaign):
    amount = "%d.%02d" % divmod(cents, 100) if cents is not None else "-"
    log.write("%s\t%s\t%s\t%s\t%s\n" % (",".join(map(str, ids)), kind,
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)), amount,
        campaign or "-"))
    for i in ids:
        sql.write("INSERT INTO interactions VALUES(%d,%s,%d,%s,%s);\n" % (
            i, sq(kind), at, sq(cents), sq(campaign)))

kinds = ["call", "email", "meeting", "note", "purchase", "purchase",
         "quote", "complaint"]
for rid in recs:
    for _ in range(rnd.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 7])):
        kind = rnd.choice(kinds)
        at = now - rnd.randint(0, 450 * 86400)
        cents = rnd.randint(500, 800000) if kind == "purchase" else \
            maybe(0.5, rnd.randint(500, 300000)) if kind == "quote" else None
        campaign = rnd.choice(["nov-2026", "spring-2026", None]) \
            if kind == "email" else None
        entry([rid], kind, at, cents, campaign)
# a mailing: one entry each for many records at once
people = recs[NCOMP:]
entry(sorted(rnd.sample(people, 90)), "email", now - 20 * 86400 + 3600,
      None, "xmas-2026")
sql.write("COMMIT;\n")
EOF

# The same query in crm's language, then in SQL, each on one line.  In
# SQL, h is the history of each record (a company's holds its contact
# persons' entries) and r the records with their derived figures.
cat >queries <<EOF
city=bratislava
SELECT id FROM r WHERE lower(city) = 'bratislava'
city!=Brno
SELECT id FROM r WHERE lower(city) != 'brno'
city<c
SELECT id FROM r WHERE lower(city) < 'c'
city>=nitra
SELECT id FROM r WHERE lower(city) >= 'nitra'
city~RAT
SELECT id FROM r WHERE lower(city) LIKE '%rat%'
city~b*a
SELECT id FROM r WHERE lower(city) GLOB 'b*a'
city='banska bystrica'
SELECT id FROM r WHERE lower(city) = 'banska bystrica'
name~'person 1?'
SELECT id FROM r WHERE lower(name) GLOB 'person 1?'
owner=ANNA
SELECT id FROM r WHERE lower(owner) = 'anna'
owner!=anna and type:company
SELECT id FROM r WHERE lower(owner) != 'anna' AND type = 'company'
tag:vip
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) = 'vip')
tags!=vip
SELECT id FROM r WHERE id IN (SELECT id FROM tags) AND id NOT IN (SELECT id FROM tags WHERE lower(tag) = 'vip')
tags~NEWS
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE tag LIKE '%news%')
has:city
SELECT id FROM r WHERE city IS NOT NULL
not has:owner
SELECT id FROM r WHERE owner IS NULL
type:company
SELECT id FROM r WHERE type = 'company'
type:person has:company id>=100 id<150
SELECT id FROM r WHERE type = 'person' AND company IS NOT NULL AND id >= 100 AND id < 150
tag:vip or tag:export and city=brno
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) = 'vip') OR (id IN (SELECT id FROM tags WHERE tag = 'export') AND lower(city) = 'brno')
(tag:vip or tag:export) and city=brno
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) IN ('vip', 'export')) AND lower(city) = 'brno'
not (tag:b2b or city=praha)
SELECT id FROM r WHERE NOT (id IN (SELECT id FROM tags WHERE tag = 'b2b') OR ifnull(lower(city) = 'praha', 0))
not tag:vip and has:company
SELECT id FROM r WHERE id NOT IN (SELECT id FROM tags WHERE lower(tag) = 'vip') AND company IS NOT NULL
last_contact<-90d
SELECT id FROM r WHERE last_contact < $((NOW - 90 * D))
last_contact>=-30d
SELECT id FROM r WHERE last_contact >= $((NOW - 30 * D))
last_contact>2026-06-01 and last_contact<=2026-09-01T12:00
SELECT id FROM r WHERE last_contact > $(date -u -d 2026-06-01 +%s) AND last_contact <= $(date -u -d '2026-09-01 12:00' +%s)
not has:last_contact
SELECT id FROM r WHERE last_contact IS NULL
interactions>=5
SELECT id FROM r WHERE interactions >= 5
interactions=0
SELECT id FROM r WHERE interactions = 0
turnover>5000
SELECT id FROM r WHERE turnover > 500000
turnover<=1000
SELECT id FROM r WHERE turnover <= 100000
count(kind=purchase)>=3
SELECT id FROM r WHERE (SELECT count(*) FROM h WHERE h.rid = r.id AND kind = 'purchase') >= 3
count(kind=email and campaign=nov-2026)=0
SELECT id FROM r WHERE id NOT IN (SELECT rid FROM h WHERE kind = 'email' AND campaign = 'nov-2026')
count(kind=call and at>-90d)>0
SELECT id FROM r WHERE id IN (SELECT rid FROM h WHERE kind = 'call' AND at > $((NOW - 90 * D)))
count(not kind=email)=0
SELECT id FROM r WHERE id NOT IN (SELECT rid FROM h WHERE kind != 'email')
count(campaign!=xmas-2026)>=1
SELECT id FROM r WHERE id IN (SELECT rid FROM h WHERE campaign != 'xmas-2026')
tag:vip and count(kind=email and campaign=nov-2026)=0
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) = 'vip') AND id NOT IN (SELECT rid FROM h WHERE kind = 'email' AND campaign = 'nov-2026')
count(campaign=spring-2026)>=1
SELECT id FROM r WHERE id IN (SELECT rid FROM h WHERE campaign = 'spring-2026')
owner=anna and count(campaign=NOV-2026 and kind=email)>0
SELECT id FROM r WHERE lower(owner) = 'anna' AND id IN (SELECT rid FROM h WHERE kind = 'email' AND campaign = 'nov-2026')
city=bratislava and count(kind=email and campaign=xmas-2026)<1
SELECT id FROM r WHERE lower(city) = 'bratislava' AND id NOT IN (SELECT rid FROM h WHERE kind = 'email' AND campaign = 'xmas-2026')
type:company and count(kind=email and campaign=nov-2026)>=1
SELECT id FROM r WHERE type = 'company' AND id IN (SELECT rid FROM h WHERE kind = 'email' AND campaign = 'nov-2026')
tag:vip and count(kind=call and campaign=nov-2026)!=0
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) = 'vip') AND id IN (SELECT rid FROM h WHERE kind = 'call' AND campaign = 'nov-2026')
sum(amount, kind=purchase and at>-1y)>3000
SELECT id FROM r WHERE (SELECT sum(amount) FROM h WHERE h.rid = r.id AND kind = 'purchase' AND at > $((NOW - 365 * D))) > 300000
sum(amount, kind=quote)>=1000
SELECT id FROM r WHERE (SELECT sum(amount) FROM h WHERE h.rid = r.id AND kind = 'quote') >= 100000
sum(amount, kind=purchase)=0
SELECT id FROM r WHERE ifnull((SELECT sum(amount) FROM h WHERE h.rid = r.id AND kind = 'purchase'), 0) = 0
company.city=brno
SELECT p.id FROM r p JOIN r c ON c.id = p.company WHERE lower(c.city) = 'brno'
company.tag:vip
SELECT p.id FROM r p WHERE p.company IN (SELECT id FROM tags WHERE lower(tag) = 'vip')
company.turnover>20000
SELECT p.id FROM r p JOIN r c ON c.id = p.company WHERE c.turnover > 2000000
person.tag:vip
SELECT DISTINCT p.company FROM r p JOIN tags t ON t.id = p.id WHERE p.type = 'person' AND p.company IS NOT NULL AND lower(t.tag) = 'vip'
person.last_contact>-30d
SELECT DISTINCT company FROM r WHERE type = 'person' AND company IS NOT NULL AND last_contact > $((NOW - 30 * D))
type:company and not person.has:owner
SELECT id FROM r WHERE type = 'company' AND id NOT IN (SELECT company FROM r WHERE type = 'person' AND company IS NOT NULL AND owner IS NOT NULL)
tag:vip and city=bratislava and last_contact<-90d
SELECT id FROM r WHERE id IN (SELECT id FROM tags WHERE lower(tag) = 'vip') AND lower(city) = 'bratislava' AND last_contact < $((NOW - 90 * D))
turnover>1000 and owner=anna
SELECT id FROM r WHERE turnover > 100000 AND lower(owner) = 'anna'
EOF

plan $(($(wc -l <queries) / 2 + 3))

check 'setup: crm-add and crm-log load the data' '
	crm-add --now "$N" company <companies.jsonl >cids &&
	crm-add --now "$N" person <people.jsonl >pids &&
	cat cids pids >ids &&
	seq 1 300 >want &&
	diff -u want ids &&
	while IFS="	" read -r ids kind at amount campaign; do
		set -- --now "$N" --at "$at"
		[ "$amount" = - ] || set -- "$@" --amount "$amount"
		[ "$campaign" = - ] || set -- "$@" --campaign "$campaign"
		crm-log "$@" $(echo "$ids" | tr , " ") "$kind" >/dev/null ||
			exit 1
	done <log.tsv
'

check 'setup: SQLite loads the same data' '
	sqlite3 oracle.db <data.sql &&
	sqlite3 oracle.db <<-\EOF
	CREATE VIEW h AS
		SELECT record AS rid, kind, at, amount, campaign
		FROM interactions
		UNION ALL
		SELECT p.company, i.kind, i.at, i.amount, i.campaign
		FROM interactions i JOIN people p ON p.id = i.record
		WHERE p.type = '\''person'\'' AND p.company IS NOT NULL;
	CREATE VIEW r AS
		SELECT p.*, max(h.at) AS last_contact,
			count(h.rid) AS interactions,
			sum(CASE WHEN h.kind = '\''purchase'\''
				THEN h.amount END) AS turnover
		FROM people p LEFT JOIN h ON h.rid = p.id
		GROUP BY p.id;
	EOF
	test "$(sqlite3 oracle.db "SELECT count(*) FROM r")" -eq 300 &&
	test "$(sqlite3 oracle.db "SELECT count(*) FROM interactions")" \
		-gt 500
'

# Each query: the same ids, sorted, from both; a query crm refuses fails.
i=0
while read -r cq && read -r sq; do
	i=$((i + 1))
	check "$cq" '
		crm-segment --now "$N" "$cq" >crm.$i 2>err
		rc=$?
		cat err
		test $rc -le 1 &&
		sqlite3 oracle.db "$sq" >sql.$i &&
		sort -n crm.$i >got &&
		sort -n sql.$i >want &&
		diff -u want got &&
		{ test -s want || test $rc -eq 1; }
	'
done <queries

check 'crm-segment printed every selection in id order' '
	for f in crm.*; do
		sort -n "$f" | cmp -s - "$f" || { echo "$f"; exit 1; }
	done
'
