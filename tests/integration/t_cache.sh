# The hash cache ($XDG_CACHE_HOME/reckon, base/hcache.c): what it saves is
# never trusted over a change. Each test has its own $XDG_CACHE_HOME
# (lib.sh's run_test).

# cache_file: the cache of the hashes (not one of a detector's verdicts on
# the directory, whose key ends ":evidence:<detector>")
cache_file() {
	local f
	for f in "$XDG_CACHE_HOME"/reckon/*.v[0-9]*; do
		[ -f "$f" ] && ! grep -q '^key =.*:evidence:' "$f" &&
			{ echo "$f"; return; }
	done
}

# hashes_applied: 001 and 002 applied, then two statuses, a second apart,
# so the cache's entries are older than the scan that wrote them (until
# then they are racy and read again) and are trusted from now on.
hashes_applied() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk run
	expect_rc 0
	sleep 1.2
	rk status
	expect_rc 0
}

# The cache is used: an entry made to lie is believed for an unchanged
# file (which shows the file was not read), and a cache file removed just
# means the file is read again.
test_cache_used() {
	local f sha
	hashes_applied
	f=$(cache_file)
	if [ -n "$f" ] && grep -q '^f	=002_b.sql	' "$f"; then pass; else
		fail "no cache entry for 002_b.sql in '$f'"
	fi
	sha=$(sha256sum "$M/002_b.sql" | cut -d' ' -f1)
	sed -i "s/=$sha	/=$(printf '%064d' 0)	/" "$f"
	rk status
	expect_out "modified  002_b.sql"
	rm -f "$f"
	rk status
	expect_out "applied   002_b.sql"
	expect_no_err "modified  002_b.sql"
	check "cache written again" test -s "$(cache_file)"
}

# An edit that keeps the size and even the mtime is seen: the ctime and
# the racy rule keep the old entry from being trusted.
test_cache_same_size_edit() {
	local mt
	hashes_applied
	mt=$(stat -c %y "$M/002_b.sql")
	printf 'CREATE TABLE c (id integer);\n' >"$M/002_b.sql"
	touch -d "$mt" "$M/002_b.sql"
	rk status
	expect_rc 0
	expect_out "modified  002_b.sql"
	expect_out "applied   001_a.sql"
}

# Within the same second as the cache was written, at once, several
# times: never a stale answer.
test_cache_edit_same_second() {
	local i
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	for i in 1 2 3; do
		rk status
		expect_out "applied   001_a.sql"
		printf 'CREATE TABLE z (id integer);\n' >"$M/001_a.sql"
		rk status
		expect_out "modified  001_a.sql"
		printf 'CREATE TABLE a (id integer);\n' >"$M/001_a.sql"
	done
}

test_cache_corrupt() {
	local f
	hashes_applied
	f=$(cache_file)
	printf 'reckon-hash-cache 3\nkey =nonsense\n\x01\x02 garbage\n' >"$f"
	rk status
	expect_rc 0
	expect_out "applied   002_b.sql"
	expect_no_err "cache"
	check "rebuilt" grep -q '^f	=002_b.sql	' "$(cache_file)"
	head -c 100 "$(cache_file)" >"$T/half" && mv "$T/half" "$(cache_file)"
	echo "-- more" >>"$M/001_a.sql"
	rk status
	expect_rc 0
	expect_out "modified  001_a.sql"
	expect_out "applied   002_b.sql"
}

# No usable cache directory: everything works, nothing is said.
test_cache_unwritable() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	echo not-a-directory >"$T/cachefile"
	XDG_CACHE_HOME="$T/cachefile"
	rk run
	expect_rc 0
	rk status
	expect_rc 0
	expect_out "applied   001_a.sql"
	expect_no_err "cache"
	check "cache path left alone" test "$(cat "$T/cachefile")" = not-a-directory
	# a relative $XDG_CACHE_HOME is ignored (XDG) and no $HOME: no cache
	(cd "$T" && XDG_CACHE_HOME=rel HOME= rk status)
	check "no relative cache" test ! -e "$T/rel"
	if [ "$(id -u)" != 0 ]; then # root writes through a mode 0500 dir
		XDG_CACHE_HOME="$T/ro"
		mkdir -p "$T/ro" && chmod 500 "$T/ro"
		rk status
		expect_rc 0
		expect_out "applied   001_a.sql"
		check "read-only left empty" test -z "$(ls -A "$T/ro")"
		chmod 700 "$T/ro"
	fi
}

# Reading commands create nothing in the project: the cache lives only
# under $XDG_CACHE_HOME.
test_cache_outside_project() {
	local before after
	hashes_applied
	before=$(find "$T" -path "$XDG_CACHE_HOME" -prune -o -print | sort)
	rm -rf "$XDG_CACHE_HOME"
	rk status
	rk check
	after=$(find "$T" -path "$XDG_CACHE_HOME" -prune -o -print | sort)
	check "nothing new in the project" test "$before" = "$after"
	check "cache there" test -s "$(cache_file)"
}

# The directory's evidence (node-pg-migrate's markers, read from every
# file) is kept by stat data too: an unchanged file is not read again,
# and a marker removed by an edit that keeps the size and the mtime is
# seen at once.
BACKENDS_cache_dir_evidence=pg
test_cache_dir_evidence() {
	local mt f
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	expect_rc 0
	printf -- '-- Up Migration\nCREATE TABLE b (id integer);\n' >"$M/002_b.sql"
	rk detect --json
	jqe '.misplaced.framework == "node-pg-migrate"'
	sleep 1.2
	rk detect --json
	jqe '.misplaced.framework == "node-pg-migrate"'
	f=$(grep -l '^key =.*:evidence:node-pg-migrate$' "$XDG_CACHE_HOME"/reckon/*)
	if [ -n "$f" ] && grep -q '^f	=002_b.sql	.*	=1	' "$f"; then pass; else
		fail "no verdict on 002_b.sql in the evidence cache '$f'"
	fi
	# a verdict made to lie is believed for an unchanged file
	sed -i 's/^\(f	=002_b.sql	.*	\)=1	/\1=0	/' "$f"
	rk detect --json
	jqe '.misplaced == null'
	sed -i 's/^\(f	=002_b.sql	.*	\)=0	/\1=1	/' "$f"
	sleep 1.2
	rk detect --json
	jqe '.misplaced.framework == "node-pg-migrate"'
	mt=$(stat -c %y "$M/002_b.sql")
	printf -- '-- Up_Migration\nCREATE TABLE b (id integer);\n' >"$M/002_b.sql"
	touch -d "$mt" "$M/002_b.sql"
	rk detect --json
	jqe '.misplaced == null'
	rm -f "$f"
	rk detect --json
	jqe '.misplaced == null'
}
