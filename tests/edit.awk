# edit.awk - a store's dump (mdb_dump -p) with one database changed
#
# In the database $D (a line of key, then a line of value, each after a
# space): the pairs whose key or value holds the text $P are left out,
# and a key $K with the value $V (else empty) is put in.  The tests that
# break a store on purpose load what it prints with mdb_load.
/^database=/ { db = substr($0, 10) }
db == ENVIRON["D"] && /^HEADER=END/ && ENVIRON["K"] != "" {
	print; print ENVIRON["K"]
	print ENVIRON["V"] != "" ? ENVIRON["V"] : " "; next
}
db == ENVIRON["D"] && /^ / {
	key = $0
	getline val
	if (ENVIRON["P"] != "" && index(key "\n" val, ENVIRON["P"]))
		next
	print key; print val; next
}
{ print }
