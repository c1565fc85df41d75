# reckon serve's views beyond status and run: history, current, detect,
# the server's facts, unmark and repair (with the bytes reckon applied,
# kept zlib-compressed in reckon_migrations), each with the CLI's
# document; the environment label, which every write must carry; and the
# dashboard showing all of it in headless Chromium at a laptop's and two
# phones' sizes. Uses serve.sh's helpers (serve_start, hc, post, ...).

BACKENDS_serve_dashboard_checksum=sqlite

# 001 applied, 002 applied then its file removed (an orphan), 003 applied
# then edited (modified)
views_files() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY);"
	mig 002_gone.sql "CREATE TABLE gone (id integer);"
	mig 003_mod.sql "CREATE TABLE modt (id integer);"
	rk run
	expect_rc 0
	rm "$M/002_gone.sql"
	mig 003_mod.sql "CREATE TABLE modt (id bigint);
CREATE INDEX modt_id ON modt (id);"
}

test_serve_views_are_the_cli_documents() {
	views_files
	local doc
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	for doc in history current detect; do
		rk "$doc" --json
		local cli=$OUT
		hc GET "$API/$doc"
		expect_code 200
		check "GET $API/$doc is $doc --json" \
			test "$(jq -S . <<<"$OUT")" = "$(jq -S . <<<"$cli")"
	done
	hc GET $API/history
	jqe '[.migrations[] | [.name, .state]] == [["001_users.sql","applied"],["002_gone.sql","orphaned"],["003_mod.sql","modified"]]'
	hc GET $API/current
	jqe '.current.name == "003_mod.sql" and .framework == "reckon"'
	hc GET $API/detect
	jqe '.detected[0].table == "reckon_migrations" and .detected[0].rows == 3 and (.detected[0].matched_columns | index("sha256") != null)'
	hc GET $API/server
	expect_code 200
	jqe '(keys | sort) == ["database","engine","label","server_version","user"] and .label == null'
	jqe ".engine == \"$([ "$BACKEND" = pg ] && echo postgres || echo sqlite)\" and (.server_version | test(\"^[0-9]+[.][0-9]+\"))"
	local shown=$(jq -r .database <<<"$OUT")
	rk check --json
	check "the header's database is the CLI's" test \
		"$shown" = "$(jq -r .database <<<"$OUT")"
	serve_stop
}

test_serve_unmark_repair() {
	views_files
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	# the applied bytes against the file, for the repair diff
	hc GET $API/idempotent/applied/003_mod.sql
	expect_code 200
	jqe '.state == "modified" and .applied_known == true'
	jqe '.applied == "CREATE TABLE modt (id integer);\n"'
	jqe '.file == "CREATE TABLE modt (id bigint);\nCREATE INDEX modt_id ON modt (id);\n"'
	jqe '.stored_hash != .file_hash'
	hc GET $API/idempotent/applied/nope.sql
	expect_json_error 404
	post $API/idempotent/repair '{}'
	expect_json_error 400
	post $API/idempotent/unmark '{"migrations": []}'
	expect_json_error 400
	post $API/idempotent/unmark '{"migrations": ["002_gone.sql"], "extra": 1}'
	expect_json_error 400
	hc POST $API/idempotent/unmark -H 'Content-Type: application/json' \
		--data-binary '{"migrations": ["002_gone.sql"]}'
	expect_json_error 401
	check "refused requests deleted nothing" test \
		"$(sql "select count(*) from reckon_migrations")" = 3

	post $API/idempotent/unmark '{"migrations": ["002_gone.sql"]}'
	expect_code 200
	jqe '(keys | sort) == ["ok","skipped","tracking_table","unmarked"] and .unmarked == ["002_gone.sql"] and .skipped == []'
	check "the orphan's record is gone" test \
		"$(sql "select count(*) from reckon_migrations where name = '002_gone.sql'")" = 0
	post $API/idempotent/repair '{"migrations": ["003_mod.sql"]}'
	expect_code 200
	jqe '(keys | sort) == ["ok","repaired","skipped","tracking_table"] and .repaired == ["003_mod.sql"]'
	hc GET $API/idempotent/status
	jqe '[.migrations[] | .state] == ["applied","applied"]'
	hc GET $API/idempotent/applied/003_mod.sql
	jqe '.applied_known and .applied == .file and .stored_hash == .file_hash'
	post $API/idempotent/repair '{"migrations": ["001_users.sql"]}'
	expect_code 200
	jqe '.repaired == [] and .skipped[0].reason == "nothing to repair"'

	# a table from before the column: added on the next write, the old
	# rows' bytes unknown (only the hash), the new row's kept
	sql "ALTER TABLE reckon_migrations DROP COLUMN applied_zlib" >/dev/null
	mig 004_more.sql "CREATE TABLE more (id integer);"
	post $API/idempotent/mark-applied '{"migration": "004_more.sql"}'
	expect_code 200
	check "the first write added applied_zlib again" test \
		"$(sql "select count(*) from reckon_migrations where applied_zlib is not null")" = 1
	hc GET $API/idempotent/applied/001_users.sql
	jqe '.applied_known == false and .applied == null and (.stored_hash | length) == 64'
	hc GET $API/idempotent/applied/004_more.sql
	jqe '.applied_known == true and .applied == "CREATE TABLE more (id integer);\n"'
	serve_stop
}

# A labelled server: every write carries the label, else 409 and nothing
# changes; reads and dry runs need none.
test_serve_label_enforced() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY);"
	mig 002_orders.sql "CREATE TABLE orders (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start --label production
	grep -q 'label production' "$T/serve.log" || fail "the start line does not name the label"
	hc GET $API/server
	jqe '.label == "production"'
	local path body
	for path in run mark-applied unmark repair; do
		case $path in
		run) body='"migrations": ["001_users.sql"]' ;;
		mark-applied) body='"migration": "002_orders.sql"' ;;
		*) body='"migrations": ["001_users.sql"]' ;;
		esac
		post "$API/idempotent/$path" "{$body}"
		expect_json_error 409
		jqe '.error.kind == "check" and (.error.message | test("labelled .production."))'
		post "$API/idempotent/$path" "{$body, \"confirm_label\": \"staging\"}"
		expect_json_error 409
		jqe '.error.message | test("does not match")'
		post "$API/idempotent/$path" "{$body, \"confirm_label\": 7}"
		expect_json_error 400
	done
	check "nothing written without the label" ! table_exists reckon_migrations
	check "nothing run without the label" ! table_exists users
	post $API/idempotent/run '{"dry_run": true}'
	expect_code 200
	post $API/idempotent/run '{"migrations": ["001_users.sql"], "confirm_label": "production"}'
	expect_code 200
	jqe '.ok and .committed == ["001_users.sql"]'
	post $API/idempotent/mark-applied '{"migration": "002_orders.sql", "confirm_label": "production"}'
	expect_code 200
	jqe '.marked == ["002_orders.sql"]'
	post $API/idempotent/unmark '{"migrations": ["002_orders.sql"], "confirm_label": "production"}'
	expect_code 200
	jqe '.unmarked == ["002_orders.sql"]'
	serve_stop
	# the same key in reckon.yaml
	printf 'label: staging\n' >"$T/reckon.yaml"
	RECKON_TOKEN=$SERVE_TOKEN serve_start --config "$T/reckon.yaml"
	hc GET $API/server
	jqe '.label == "staging"'
	post $API/idempotent/mark-applied '{"migration": "002_orders.sql"}'
	expect_json_error 409
	serve_stop
}

test_serve_dashboard_views() {
	views_files
	mig 004_orders.sql "CREATE TABLE orders (id integer);"
	mig 005_items.sql "CREATE TABLE items (id integer);"
	rk check --json
	local database
	database=$(jq -r .database <<<"$OUT")
	RECKON_TOKEN=$SERVE_TOKEN serve_start --label staging
	mkdir -p "$RECKON_ROOT/build/screenshots/$BACKEND"
	browser_script views.mjs staging "$database" 004_orders.sql,005_items.sql \
		002_gone.sql 003_mod.sql "$BACKEND" "$RECKON_ROOT/build/screenshots/$BACKEND"
	check "the page ran 004 and 005, repaired 003, unmarked 002" test \
		"$(sql "select name from reckon_migrations order by name" | tr '\n' ' ')" = \
		"001_users.sql 003_mod.sql 004_orders.sql 005_items.sql "
	check "mark-applied was cancelled: orders was created by the run" table_exists orders
	serve_stop
}

# Flyway's signed CRC32 on the page whole, in the table and the run dialog.
test_serve_dashboard_checksum() {
	mig V1__a.sql "-- table a, take 2
CREATE TABLE a (id integer);"
	mig V2__b.sql "CREATE TABLE b (id integer);"
	rk --framework flyway run V1__a.sql
	expect_rc 0
	rk --framework flyway status --json
	local s1 s2
	s1=$(jq -r '.migrations[0].file_hash' <<<"$OUT")
	s2=$(jq -r '.migrations[1].file_hash' <<<"$OUT")
	check "V1's CRC is the negative one the issue saw cut" test "$s1" = -1350952657
	RECKON_TOKEN=$SERVE_TOKEN serve_start --framework flyway
	browser_script checksum.mjs "V1__a.sql=$s1" "V2__b.sql=$s2"
	serve_stop
}

# repair's move, as the CLI's repair --move: records an earlier reckon
# kept in reckon_migrations beside Flyway's layout. {"move": true} is the
# plan and writes nothing; names with it, or "confirm" without it, are
# refused; on a labelled server the confirmed move carries the label;
# {"move": true, "confirm": true} moves, and the document is the CLI's.
test_serve_repair_move() {
	M=$T/proj/sql
	mkdir -p "$M"
	touch "$T/proj/flyway.conf"
	mig V1__users.sql 'CREATE TABLE users (id integer PRIMARY KEY);'
	mig V2__tags.sql 'CREATE TABLE tags (id integer PRIMARY KEY);'
	rk --framework reckon run --no-backup
	expect_rc 0
	mig V3__posts.sql 'CREATE TABLE posts (id integer PRIMARY KEY);'
	rk repair --move --json
	local cli=$OUT
	save_dump
	RECKON_TOKEN=$SERVE_TOKEN serve_start --label staging
	post $API/idempotent/repair '{"move": true}'
	expect_code 200
	check "the plan is repair --move --json" test \
		"$(jq -S . <<<"$OUT")" = "$(jq -S . <<<"$cli")"
	jqe '.written == false and .framework == "flyway" and [.records[].action] == ["move", "move"]'
	post $API/idempotent/repair '{"move": true, "migrations": ["V1__users.sql"]}'
	expect_json_error 400
	jqe '.error.message | test("takes no .migrations.")'
	post $API/idempotent/repair '{"migrations": ["V1__users.sql"], "confirm": true}'
	expect_json_error 400
	jqe '.error.message | test("goes with")'
	post $API/idempotent/repair '{"move": "yes"}'
	expect_json_error 400
	post $API/idempotent/repair '{"move": true, "confirm": true}'
	expect_json_error 409
	post $API/idempotent/repair '{"move": true, "confirm": true, "confirm_label": "prod"}'
	expect_json_error 409
	hc POST $API/idempotent/repair -H 'Content-Type: application/json' \
		--data-binary '{"move": true, "confirm": true, "confirm_label": "staging"}'
	expect_json_error 401
	expect_unchanged

	post $API/idempotent/repair '{"move": true, "confirm": true, "confirm_label": "staging"}'
	expect_code 200
	jqe '.written == true and .dropped == true and [.records[].action] == ["move", "move"]'
	check "reckon_migrations dropped" ! table_exists reckon_migrations
	check "Flyway's table holds both" test \
		"$(sql "SELECT count(*) FROM flyway_schema_history")" = 2
	hc GET $API/idempotent/status
	jqe '.framework == "flyway" and .misplaced == null and [.migrations[].state] == ["applied", "applied", "pending"]'
	post $API/idempotent/repair '{"move": true}'
	expect_code 200
	jqe '.records == [] and .written == false'
	serve_stop
}
