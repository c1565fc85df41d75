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

# YAML syntax errors: libyaml's line and column, in reckon's words, before
# any key is looked at; schema errors: the key and its line.
BACKENDS_config_yaml_errors=sqlite
test_config_yaml_errors() {
	save_dump
	# the key above is fine; the indented line is the one named
	printf 'database: %s\ndir: m\n  schema: s\n' "$DB" >"$T/indent.yaml"
	rk_raw --config "$T/indent.yaml" status
	expect_rc 2
	expect_one_error
	expect_err "$T/indent.yaml:3:9: bad indentation"
	expect_no_err "MAPPING"
	expect_no_err "libyaml"
	printf 'dir:\n  a: 1\n b: 2\n' >"$T/dedent.yaml"
	rk_raw --config "$T/dedent.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/dedent.yaml:3:2: bad indentation"
	expect_no_err "unknown key"
	printf 'dir: m\ndatabase: "unterminated\n' >"$T/quote.yaml"
	rk_raw --config "$T/quote.yaml" status
	expect_rc 2
	expect_err "$T/quote.yaml:2:11: key 'database': a quoted value is never closed"
	printf 'dir: m\n\tschema: s\n' >"$T/tab.yaml"
	rk_raw --config "$T/tab.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/tab.yaml:2:1: a tab in the indentation"
	# schema errors name the key and its line, never libcyaml's events
	printf 'dir: m\nschema:\n  - a\n' >"$T/list.yaml"
	rk_raw --config "$T/list.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/list.yaml:2: key 'schema': expected a plain value, not a list"
	expect_no_err "SEQUENCE_START"
	printf -- '- dir\n' >"$T/top.yaml"
	rk_raw --config "$T/top.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/top.yaml:1: expected 'key: value' lines, not a list"
	printf 'dir: m\nlock_wait: 5\ndir: n\n' >"$T/twice.yaml"
	rk_raw --config "$T/twice.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/twice.yaml:3: key 'dir' given twice (first on line 1)"
	printf 'dir: m\nlock_wait: soon\n' >"$T/dur.yaml"
	rk_raw --config "$T/dur.yaml" --db "$DB" status
	expect_rc 2
	expect_err "$T/dur.yaml:2: key 'lock_wait': invalid duration 'soon'"
	expect_unchanged
}

# Every key of reckon.yaml is a global option of the same meaning.
BACKENDS_config_keys_are_options=sqlite
test_config_keys_are_options() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk --lock-wait 2min --lock-timeout 1s --connect-timeout 3s --no-sidecar run
	expect_rc 0
	rk --lock-wait soon status
	expect_rc 2
	expect_err "--lock-wait: invalid duration 'soon'"
	rk_raw --help
	expect_out "--lock-wait DURATION"
	expect_out "--no-sidecar"
	expect_out "(default: 5s)"
}
