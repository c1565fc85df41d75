# Every framework fixture (fixtures/frameworks/<name>/, see its README):
# detection, states, and rows written the way the framework writes them.

BACKENDS_frameworks=pg
test_frameworks() {
	local fx name b
	for fx in "$RECKON_ROOT"/fixtures/frameworks/*/; do
		name=$(basename "$fx")
		for b in pg sqlite; do
			if [ -f "$fx/setup.$b.sql" ]; then
				framework_case "$fx" "$name" "$b" setup
			elif [ -f "$fx/status.$b.sql" ]; then
				framework_case "$fx" "$name" "$b" status
			fi
		done
	done
}

# framework_case DIR NAME BACKEND SETUP: SETUP is "setup" (a table
# reckon can write) or "status" (read-only: status, then run refused)
framework_case() {
	local fx=$1 name=$2 saved=$BACKEND fw want setup=$4
	CUR="frameworks/$name/$3"
	BACKEND=$3
	new_db
	if [ "$BACKEND" = pg ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$PGDB" -f "$fx/$setup.pg.sql" >/dev/null 2>"$T/setup.err" ||
			fail "$setup.pg.sql: $(cat "$T/setup.err")"
	else
		sqlite3 -bail "$SQLITE_FILE" <"$fx/$setup.sqlite.sql" 2>"$T/setup.err" ||
			fail "$setup.sqlite.sql: $(cat "$T/setup.err")"
	fi
	rm -rf "$T/fm"
	cp -r "$fx/migrations" "$T/fm"
	M="$T/fm"
	fw=$(jq -r .framework "$fx/expect.json")
	local before=$FAIL
	rk detect --json
	jqe ".detected[0].framework == \"$fw\""
	rk status --json
	expect_rc 0
	jqe ".framework == \"$fw\""
	want=$(jq -c '.states | to_entries | sort_by(.key)' "$fx/expect.json")
	jqe "([.migrations[] | {key: .name, value: .state}] | sort_by(.key)) == $want"
	jqe '.migrations | map(select(.state != "orphaned")) | all(.id != null or .state == "pending" or .state == "unknown")'
	if [ "$setup" = status ]; then
		# reckon reads this framework but does not write for it
		save_dump
		rk run
		expect_rc 2
		expect_err "$(jq -r .run_error "$fx/expect.json")"
		rk mark-applied --all
		expect_rc 2
		expect_unchanged
	else
		# drift (modified or failed, recorded without reckon's token
		# hash) stops a run before anything happens
		if jq -e '[.states[] | select(. == "modified" or . == "failed")] | length > 0' \
			"$fx/expect.json" >/dev/null; then
			save_dump
			rk run
			expect_rc 3
			expect_err "refusing to run"
			expect_unchanged
		fi
		if [ "$(jq -r .run "$fx/expect.json")" = true ]; then
			rk run --allow-drift --json
			expect_rc 0
			jqe '.ok == true and (.applied | length) > 0'
		else
			save_dump
			rk run --allow-drift
			expect_rc "$(jq -r '.run_rc // 1' "$fx/expect.json")"
			expect_err "$(jq -r .run_error "$fx/expect.json")"
			expect_unchanged
			rk mark-applied --all --json
			expect_rc 0
		fi
	fi
	[ "$setup" = status ] || {
		rk status --json
		jqe '.summary.pending == 0'
	}
	if [ -f "$fx/after.$BACKEND.sql" ]; then
		local got
		if [ "$BACKEND" = pg ]; then
			got=$(psql -X -q -At -d "$PGDB" -f "$fx/after.$BACKEND.sql" 2>&1)
		else
			got=$(sqlite3 "$SQLITE_FILE" <"$fx/after.$BACKEND.sql" 2>&1)
		fi
		if [ "$got" = "$(cat "$fx/after.$BACKEND.expected")" ]; then pass; else
			fail "rows written differ: $(diff <(echo "$got") "$fx/after.$BACKEND.expected")"
		fi
	fi
	[ "$FAIL" = "$before" ] && echo "  ok   $CUR"
	[ "$BACKEND" = pg ] && dropdb --if-exists "$PGDB" >/dev/null 2>&1
	M="$T/migrations"
	BACKEND=$saved
}
