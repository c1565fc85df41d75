# reckon.yaml and the environment: precedence and errors.

BACKENDS_config_file=sqlite
test_config_file() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	cat >"$T/reckon.yaml" <<YAML
database: $DB
dir: $M
lock_timeout: 2s
YAML
	(cd "$T" && "$RECKON" run --json >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	expect_rc 0
	jqe '.applied[0].name == "001_a.sql"'
	# the environment beats the file, --db beats both
	(cd "$T" && RECKON_DATABASE_URL="sqlite:$T/env.db" "$RECKON" run >/dev/null 2>&1)
	check "env database used" test -s "$T/env.db"
	(cd "$T" && RECKON_DATABASE_URL="sqlite:$T/env.db" "$RECKON" --db "sqlite:$T/flag.db" run >/dev/null 2>&1)
	check "--db used" test -s "$T/flag.db"
}

BACKENDS_config_errors=sqlite
test_config_errors() {
	printf 'database: %s\n\ndirectory: m\n' "$DB" >"$T/bad.yaml"
	save_dump
	rk_raw --config "$T/bad.yaml" status
	expect_rc 2
	expect_one_error
	expect_err "$T/bad.yaml:3: unknown key 'directory'"
	printf 'database: [1, 2]\n' >"$T/type.yaml"
	rk_raw --config "$T/type.yaml" status
	expect_rc 2
	expect_err "$T/type.yaml:1: key 'database'"
	printf 'database: "unterminated\n' >"$T/syntax.yaml"
	rk_raw --config "$T/syntax.yaml" status
	expect_rc 2
	expect_err "$T/syntax.yaml"
	printf 'lock_timeout: soon\n' >"$T/dur.yaml"
	rk_raw --config "$T/dur.yaml" --db "$DB" status
	expect_rc 2
	expect_err "invalid duration 'soon'"
	rk_raw --config "$T/missing.yaml" status
	expect_rc 2
	expect_err "cannot read config file"
	expect_unchanged
}
