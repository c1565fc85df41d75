# detect-schema, adopt and preview objects, on real catalogs.

test_detect_schema_json() {
	rk_raw detect-schema --no-db --json --sql 'CREATE TABLE IF NOT EXISTS "App"."Users" (id int); CREATE INDEX users_id ON "App"."Users" (id); ALTER TABLE "App"."Users" ADD COLUMN Email text;'
	expect_rc 0
	jqe '.findings == [{"type":"table","schema":"App","object":"Users","name":"App.Users"},{"type":"index","schema":"App","object":"users_id","name":"App.users_id"},{"type":"column","schema":"App","object":"Users.email","name":"App.Users.email"}]'
	jqe '.all_objects_exist == null and .recommendation == "Not checked against a database."'
	sql "CREATE TABLE users (id integer)" >/dev/null
	[ "$BACKEND" = sqlite ] && sqlite3 "$SQLITE_FILE" "CREATE TABLE users (id integer)"
	rk detect-schema --json --sql "CREATE TABLE users (id integer); CREATE TABLE orders (id integer);"
	expect_rc 0
	jqe '[.findings[].exists] == [true, false] and .some_objects_exist == true and .all_objects_exist == false'
	jqe '.recommendation | test("partially applied")'
	if [ "$BACKEND" = pg ]; then
		jqe '.findings[0].schema == "public" and .findings[0].name == "public.users"'
	fi
	rk detect-schema --json --sql "CREATE TABLE users (id integer);"
	jqe '.all_objects_exist == true and (.recommendation | test("safe to mark"))'
	printf 'CREATE TABLE nothing_here (id integer);\n' >"$T/x.sql"
	rk detect-schema "$T/x.sql" --json
	jqe '.findings[0].exists == false and (.recommendation | test("safe to run"))'
	rk detect-schema --json - <"$T/x.sql"
	jqe '.findings[0].object == "nothing_here"'
	rk detect-schema --sql "CREATE TABLE t (s text DEFAULT 'oops);"
	expect_rc 1
	expect_err "unterminated"
}

test_adopt_marks_only_complete_files() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY);"
	mig 002_orders.sql "CREATE TABLE orders (id integer);
CREATE INDEX orders_id ON orders (id);"
	mig 003_partial.sql "CREATE TABLE items (id integer);
CREATE TABLE item_tags (id integer);"
	mig 004_new.sql "CREATE TABLE fresh (id integer);"
	if [ "$BACKEND" = pg ]; then
		sql "CREATE TABLE users (id integer PRIMARY KEY); CREATE TABLE orders (id integer); CREATE INDEX orders_id ON orders (id); CREATE TABLE items (id integer);" >/dev/null
	else
		sqlite3 "$SQLITE_FILE" "CREATE TABLE users (id integer PRIMARY KEY); CREATE TABLE orders (id integer); CREATE INDEX orders_id ON orders (id); CREATE TABLE items (id integer);"
	fi
	save_dump
	rk adopt --json
	expect_rc 0
	jqe '[.plan[] | [.name, .action, .existing, .objects]] == [["001_users.sql","mark",1,1],["002_orders.sql","mark",2,2],["003_partial.sql","partial",1,2],["004_new.sql","run",0,1]]'
	jqe '.plan[2].missing == ["table item_tags"] and .dry_run == true'
	expect_unchanged
	rk adopt --yes --json
	expect_rc 0
	jqe '[.plan[] | select(.marked) | .name] == ["001_users.sql","002_orders.sql"]'
	rk status --json
	jqe '[.migrations[] | .state] == ["applied","applied","pending","pending"]'
	rk preview 002_orders.sql --json
	jqe '[.statements[].objects[].object] == ["orders","orders_id"]'
}
