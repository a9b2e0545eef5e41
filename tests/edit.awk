# edit.awk - a store's dump (mdb_dump, in hex) with one database changed
#
# In the database $D (a line of key, then a line of value, each after a
# space): the pairs whose key or value holds the bytes $P (starts with
# them, when $P starts with that space), or whose key starts with $S,
# are left out, and a key $K with the value $V (else empty) is put in.
# The tests that break a store on purpose load what it prints with
# mdb_load.  P, S, K and V are written as mdb_dump -p prints bytes
# ("\7f\f2" for two bytes that are not text); K and V start with the
# space of a dump's line.  Dumps are in hex because mdb_dump -p writes a
# backslash byte as it is, which mdb_load then reads as the start of an
# escape: a time in the store with a byte 0x5c (a few minutes now and
# then) made the load fail.
BEGIN {
	for (i = 1; i < 256; i++)
		ord[sprintf("%c", i)] = i
	# a P that starts with the line's space: at the start of the key or
	# of the value
	p = ENVIRON["P"]
	anchored = substr(p, 1, 1) == " "
	p = anchored ? " " hex(substr(p, 2)) : hex(p)
	st = ENVIRON["S"] != "" ? " " hex(ENVIRON["S"]) : ""
	k = ENVIRON["K"] != "" ? " " hex(substr(ENVIRON["K"], 2)) : ""
	v = ENVIRON["V"] != "" ? " " hex(substr(ENVIRON["V"], 2)) : " "
}

# "a\07b" (mdb_dump -p's way) as hex: "610762"
function hex(s,    i, c, out) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\" && substr(s, i + 1, 2) ~ /^[0-9a-fA-F][0-9a-fA-F]$/) {
			out = out tolower(substr(s, i + 1, 2))
			i += 2
		} else if (c == "\\" && substr(s, i + 1, 1) == "\\") {
			out = out "5c"
			i++
		} else {
			out = out sprintf("%02x", ord[c])
		}
	}
	return out
}

# Does the dump line (a space, then hex) hold the bytes h (hex), at a
# byte's start?
function holds(line, h,    s, at, n) {
	s = substr(line, 2)
	at = 0
	while ((n = index(substr(s, at + 1), h)) > 0) {
		at += n
		if (at % 2 == 1)
			return 1
	}
	return 0
}

/^database=/ { db = substr($0, 10) }
db == ENVIRON["D"] && /^HEADER=END/ && k != "" {
	print; print k; print v; next
}
db == ENVIRON["D"] && /^ / {
	key = $0
	getline val
	if (p != "" && (anchored ? index(key, p) == 1 ||
	    index(val, p) == 1 : holds(key, p) || holds(val, p)))
		next
	if (st != "" && index(key, st) == 1)
		next
	print key; print val; next
}
{ print }
