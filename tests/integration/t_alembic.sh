# Alembic's revision graph as the Alembic workflow uses it, against the
# real alembic (Debian's python3-alembic) on PostgreSQL in a non-public
# schema: two branches off one root (two heads), then the revision that
# merges them (tests/real/alembic/merge). heads, current and history are
# compared with alembic's own heads, current and history --indicate-current;
# mark-applied and unmark with alembic stamp / upgrade / downgrade on a
# second database (the revisions' upgrade and downgrade only create empty
# tables or do nothing); a recorded head whose file is gone, with alembic
# confirming it cannot place it either. Then --schema's search_path, the
# POSTGRES_* fallback, and the API's preview of a code file.
# real_need, fw, PY and REAL are t_real_py.sh's.

BACKENDS_alembic_graph="pg"
BACKENDS_alembic_stamp="pg"
BACKENDS_alembic_targets="pg"
BACKENDS_alembic_lost_head="pg"
BACKENDS_schema_search_path="pg"
BACKENDS_postgres_vars_fallback="pg"

# The test database (or database $1) as a SQLAlchemy URL whose
# search_path is the schema app, where alembic then keeps its table.
al_url() {
	echo "postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/${1:-$PGDB}?options=-csearch_path%3Dapp"
}
al() { (cd "$T/al" && ALEMBIC_URL=$(al_url "${AL_DB:-}") "$PY" -m alembic "$@"); }
# rka ARGS...: reckon on the project's versions directory, schema app
rka() { M=$T/al/versions rk --schema app "$@"; }
# rows [DB]: alembic_version's rows, sorted, on one line
rows() {
	psql -X -q -At -d "${1:-$PGDB}" \
		-c "select version_num from app.alembic_version order by 1" |
		tr '\n' ' '
}

# The merge project with the merge revision held back: two heads.
al_setup() {
	real_need py:alembic python3-alembic || return 1
	cp -r "$REAL/alembic" "$T/al"
	rm -r "$T/al/versions"
	mv "$T/al/merge" "$T/al/versions"
	mv "$T/al/versions/m3000000003_merge.py" "$T/merge.py"
	sql "CREATE SCHEMA app" >/dev/null
}
al_merge() { cp "$T/merge.py" "$T/al/versions/m3000000003_merge.py"; }

# same_lines WHAT A B: the two texts hold the same lines (any order)
same_lines() {
	if [ "$(sort <<<"$2")" = "$(sort <<<"$3")" ]; then pass; else
		fail "$1: reckon says
$2
alembic says
$3"
	fi
}

# reckon's revision lines without the state column and the warnings
lines_of() { grep -v '^warning: ' <<<"$1" | sed 's/^  [a-z]* *//'; }

test_alembic_graph() {
	al_setup || return 0
	fw "alembic upgrade x2000000002" al upgrade x2000000002 || return
	rka heads
	expect_rc 0
	expect_out "  applied   x2000000002 (head) (current)"
	expect_out "  pending   y2000000002 (head)"
	fw "alembic heads" al heads || return
	same_lines "heads" "$(lines_of "$OUT" | sed 's/ (current)//')" "$FW"
	expect_out "warning: multiple heads: 'x2000000002', 'y2000000002'; merge them: alembic merge -m '...' x2000000002 y2000000002"
	# status and check give the same warning
	rka status
	expect_rc 0
	expect_out "merge them: alembic merge -m '...' x2000000002 y2000000002"
	rka status --json
	jqe '.warnings | index("multiple heads: '"'"'x2000000002'"'"', '"'"'y2000000002'"'"'; merge them: alembic merge -m '"'"'...'"'"' x2000000002 y2000000002") != null'
	jqe '.tracking_table == "app.alembic_version"'
	rka check --json
	jqe '.safe == false and (.warnings | map(test("^multiple heads: .*alembic merge")) | any)'
	# history: the same edges and markers as alembic history -i
	rka history
	expect_rc 0
	fw "alembic history -i" al history -i || return
	same_lines "history" "$(lines_of "$OUT")" "$FW"
	expect_out "  pending   r1000000001 -> y2000000002 (head), right"
	expect_out "  applied   <base> -> r1000000001 (branchpoint), root"
	rka history --json
	jqe '[.revisions[] | {key: .id, value: [.state, .current, .head]}] | from_entries == {"x2000000002": ["applied", true, true], "y2000000002": ["pending", false, true], "r1000000001": ["applied", false, false]}'
	# current with two heads: every one
	fw "alembic upgrade y2000000002" al upgrade y2000000002 || return
	rka current
	expect_rc 0
	fw "alembic current" al current || return
	same_lines "current" "$(lines_of "$OUT")" "$FW"
	rka current --json
	jqe '[.heads[].id] | sort == ["x2000000002", "y2000000002"]'
	# merged: one head, no warning, the same history as alembic's
	al_merge
	rka heads --json
	jqe '[.heads[].id] == ["m3000000003"] and .warnings == []'
	rka history
	fw "alembic history -i" al history -i || return
	same_lines "history after the merge" "$(lines_of "$OUT")" "$FW"
	expect_out "  pending   x2000000002, y2000000002 -> m3000000003 (head) (mergepoint), merge"
}

# Run the same step on two databases, reckon on one and alembic on the
# other, and compare alembic_version: STEP "reckon args" "alembic args"
stamp_step() {
	# shellcheck disable=SC2086
	rka $1
	if [ "$RC" != 0 ]; then
		fail "reckon $1 exited $RC: $ERR"
		return
	fi
	# shellcheck disable=SC2086 # $2 is the step's words
	AL_DB=$DB2 fw "alembic $2" al $2 || return
	if [ "$(rows)" = "$(rows "$DB2")" ]; then pass; else
		fail "after 'reckon $1': rows '$(rows)'; after 'alembic $2': '$(rows "$DB2")'"
	fi
}

test_alembic_stamp() {
	al_setup || return 0
	DB2=${PGDB}_b
	dropdb --if-exists "$DB2" >/dev/null 2>&1
	createdb "$DB2"
	psql -X -q -d "$DB2" -c "CREATE SCHEMA app" >/dev/null
	fw "alembic stamp base" al stamp base || return # the table, empty
	AL_DB=$DB2 fw "alembic stamp base" al stamp base || return
	stamp_step "mark-applied +1" "upgrade +1"
	stamp_step "mark-applied x2000000002" "stamp x2000000002"
	stamp_step "unmark --yes -- -1" "downgrade -1"
	stamp_step "mark-applied x2000000002" "stamp x2000000002"
	stamp_step "mark-applied y2000000002" "stamp y2000000002"
	check "two heads recorded" test "$(rows)" = "x2000000002 y2000000002 "
	stamp_step "unmark --yes base" "stamp base"
	stamp_step "mark-applied r1000000001" "stamp r1000000001"
	# a head that is an ancestor gives way: {r1}, then the merge
	al_merge
	stamp_step "mark-applied m3000000003" "stamp m3000000003"
	check "the merge is the only head" test "$(rows)" = "m3000000003 "
	# (alembic downgrade -1 refuses a merge, "Ambiguous walk", and a plain
	# stamp of both parents over it fails in alembic 1.8: KeyError)
	stamp_step "unmark --yes -- -1" "stamp --purge x2000000002 y2000000002"
	check "a step down from the merge: both parents" test "$(rows)" = "x2000000002 y2000000002 "
	stamp_step "unmark --yes base" "downgrade base"
	stamp_step "mark-applied heads" "stamp heads"
	# unmarking one branch keeps the other: y2 alone, not y2 and r1
	rka unmark --yes x2000000002
	expect_rc 0
	check "unmark x2 left y2 only" test "$(rows)" = "y2000000002 "
	fw "alembic current" al current || return
	check "alembic agrees: y2000000002" test "$FW" = "y2000000002"
	dropdb --if-exists "$DB2" >/dev/null 2>&1
}

test_alembic_targets() {
	al_setup || return 0
	fw "alembic stamp base" al stamp base || return
	# head names one head only, as alembic's MultipleHeads error says
	save_dump
	rka mark-applied head
	expect_rc 2
	expect_err "'head' is ambiguous: there are 2 heads ('x2000000002', 'y2000000002')"
	if al stamp head >/dev/null 2>&1; then
		fail "alembic stamp head with two heads succeeded"
	else pass; fi
	rka run --to head
	expect_rc 2
	expect_err "'head' is ambiguous"
	rka run --to base
	expect_rc 2
	rka mark-applied -- -1
	expect_rc 2
	expect_err "step back with unmark"
	expect_unchanged
	# run --to a revision: its ancestors only, never the other branch,
	# through alembic itself (told where the database is, search_path
	# included); a dry run names exactly those two
	rka --runner-env "ALEMBIC_URL=$(al_url)" run --to x2000000002_left.py --dry-run --json
	expect_rc 0
	jqe '[.applied[].name] == ["r1000000001_root.py", "x2000000002_left.py"]'
	rka --runner-env "ALEMBIC_URL=$(al_url)" run --to x2000000002
	expect_rc 0
	check "x2 recorded" test "$(rows)" = "x2000000002 "
	expect_out "r1000000001_root.py"
	if al current 2>/dev/null | grep -q '^x2000000002'; then
		pass
	else fail "alembic current does not say x2000000002: $(al current 2>&1)"; fi
	# a bare revision id for mark-applied: already recorded, nothing new
	rka mark-applied x2000000002
	expect_rc 0
	check "x2 still the one record" test "$(rows)" = "x2000000002 "
	# down --to base names every applied revision it would have to undo
	rka down --to base
	expect_rc 3
	expect_err "'x2000000002_left.py' (code, not SQL), 'r1000000001_root.py' (code, not SQL)"
	rka down --to r1000000001
	expect_rc 3
	expect_err "1 of the 1 migration(s) to undo cannot be undone: 'x2000000002_left.py'"
	check "down changed nothing" test "$(rows)" = "x2000000002 "
}

test_alembic_lost_head() {
	real_need py:alembic python3-alembic || return 0
	cp -r "$REAL/alembic" "$T/al"
	sql "CREATE SCHEMA app" >/dev/null
	fw "alembic upgrade head" al upgrade head || return
	rm "$T/al/versions/c3000000003_tags.py"
	# alembic itself cannot place the recorded head any more
	if al current >"$T/al.out" 2>&1; then
		fail "alembic current succeeded without the head's file"
	elif grep -q "Can't locate revision identified by 'c3000000003'" "$T/al.out"; then
		pass
	else
		fail "alembic current: $(tail -3 "$T/al.out")"
	fi
	rka status --json
	expect_rc 0
	jqe '([.migrations[] | {key: .name, value: .state}] | from_entries) == {"a1000000001_users.py": "unknown", "b2000000002_posts.py": "unknown", "c3000000003": "orphaned"}'
	jqe '.summary.unknown == 2 and .summary.pending == 0 and .summary.orphaned == 1'
	jqe '.warnings | map(test("recorded head .c3000000003. has no file, so 2 migration")) | any'
	rka status
	expect_out "2 unknown"
	expect_out "warning: the recorded head 'c3000000003' has no file"
	rka status --check
	expect_rc 3
	rka check --json
	jqe '.safe == false and .pendingFiles == [] and (.warnings | map(test("2 migration\\(s\\) are unknown")) | any)'
	save_dump
	rka run
	expect_rc 3
	expect_err "refusing to run: 2 migration(s) are unknown, because the recorded head 'c3000000003' has no file"
	rka mark-applied a1000000001_users.py
	expect_rc 3
	expect_err "it is unknown"
	expect_unchanged
	# the way out the warning gives: unmark the lost head
	rka unmark --yes c3000000003
	expect_rc 0
	rka status --json
	jqe '.summary.pending == 2 and .summary.unknown == 0'
}

test_schema_search_path() {
	sql "CREATE SCHEMA app" >/dev/null
	mig 001_t.sql "CREATE TABLE sp_t (id integer);"
	mig 002_nt.sql "-- reckon:no-transaction
CREATE TABLE sp_nt (id integer);"
	rk --schema app run
	expect_rc 0
	check "sp_t is in app" test "$(sql "select count(*) from pg_tables where schemaname = 'app' and tablename = 'sp_t'")" = 1
	check "the no-transaction file's table is in app" test "$(sql "select count(*) from pg_tables where schemaname = 'app' and tablename = 'sp_nt'")" = 1
	check "nothing in public" test "$(sql "select count(*) from pg_tables where schemaname = 'public' and tablename like 'sp_%'")" = 0
	check "the tracking table is in app" test "$(sql "select count(*) from app.reckon_migrations")" = 2
	# without --schema, the user's search_path decides: public here
	reset_db
	sql "DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app" >/dev/null
	rk run
	expect_rc 0
	check "without --schema sp_t is in public" test "$(sql "select count(*) from pg_tables where schemaname = 'public' and tablename = 'sp_t'")" = 1
	check "and not in app" test "$(sql "select count(*) from pg_tables where schemaname = 'app'")" = 0
	# a schema name is an identifier, quoted by the driver
	reset_db
	sql 'CREATE SCHEMA "We ird"' >/dev/null
	rk --schema 'We ird' run
	expect_rc 0
	check "sp_t is in \"We ird\"" test "$(sql "select count(*) from pg_tables where schemaname = 'We ird' and tablename = 'sp_t'")" = 1
}

test_postgres_vars_fallback() {
	sql "CREATE SCHEMA app" >/dev/null
	mig 001_t.sql "CREATE TABLE pv_t (id integer);"
	local host=$PGHOST port=$PGPORT user=$PGUSER pw=$PGPASSWORD
	# only POSTGRES_*: libpq's own variables unset
	POSTGRES_HOST=$host POSTGRES_PORT=$port POSTGRES_USER=$user \
		POSTGRES_PASSWORD=$pw POSTGRES_DB=$PGDB POSTGRES_SCHEMA=app \
		env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
		"$RECKON" --dir "$M" run >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 0
	check "pv_t landed in POSTGRES_SCHEMA" test "$(sql "select count(*) from pg_tables where schemaname = 'app' and tablename = 'pv_t'")" = 1
	POSTGRES_SERVER=$host POSTGRES_PORT=$port POSTGRES_USER=$user \
		POSTGRES_PASSWORD=$pw POSTGRES_DB=$PGDB POSTGRES_SCHEMA=app \
		env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
		"$RECKON" --dir "$M" status >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 0
	expect_out "libpq defaults from POSTGRES_SERVER"
	expect_out "/$PGDB (libpq"
	expect_out "applied   001_t.sql"
	if [ -n "$pw" ]; then expect_no_err "$pw"; fi
	# none of them: the hint names them
	env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
		"$RECKON" --dir "$M" status >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
	expect_rc 2
	expect_err "POSTGRES_HOST"
}

test_alembic_api_preview_and_schema() {
	mig 1700000000000_users.cjs "exports.up = (pgm) => { pgm.createTable('users', { id: 'id' }); };"
	mig 001_users.sql "CREATE TABLE users (id integer);"
	echo "not a migration" >"$M/notes.txt"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	hc GET $API/preview/1700000000000_users.cjs
	expect_code 200
	jqe '.filename == "1700000000000_users.cjs" and .code == true and .statements == []'
	check "preview of the .cjs is the file" test \
		"$(jq -r .content <"$T/resp")" = "$(cat "$M/1700000000000_users.cjs")"
	hc GET $API/preview/001_users.sql
	jqe '.code == false and (.statements | length) == 1'
	hc GET $API/preview/notes.txt
	expect_json_error 400
	sql "CREATE TABLE users (id integer)" >/dev/null
	[ "$BACKEND" = sqlite ] && sqlite3 "$SQLITE_FILE" "CREATE TABLE users (id integer)"
	post $API/idempotent/detect-schema '{"sql": "CREATE TABLE users (id integer);"}'
	expect_code 200
	jqe '.all_objects_exist == true and .some_objects_exist == true'
	post $API/idempotent/detect-schema '{"sql": "CREATE TABLE nope (id integer);"}'
	jqe '.all_objects_exist == false and .some_objects_exist == false'
	serve_stop
}
