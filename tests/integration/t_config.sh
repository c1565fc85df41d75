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

# files.pattern: the user's own file-name rule for a directory that
# follows no known convention; what it does not match is a note.
test_config_files_pattern() {
	mig 1-first.sql "CREATE TABLE first_t (id integer);"
	mig 2-second.sql "CREATE TABLE second_t (id integer);"
	mig 003_plain.sql "CREATE TABLE plain_t (id integer);"
	printf 'not a migration\n' >"$M/README"
	cat >"$T/reckon.yaml" <<'YAML'
files:
  pattern: '^(?<version>\d+)-(?<name>.+)\.sql$'
YAML
	rk --config "$T/reckon.yaml" status
	expect_rc 0
	expect_out "note: ignoring '003_plain.sql': does not match files.pattern of reckon.yaml"
	expect_out "note: ignoring 'README': does not match files.pattern of reckon.yaml"
	expect_out "pending   1-first.sql"
	expect_out "2 migration(s): 0 applied, 2 pending"
	rk --config "$T/reckon.yaml" run --json
	expect_rc 0
	jqe '[.applied[].name] == ["1-first.sql", "2-second.sql"]'
	check "1-first ran" table_exists first_t
	check "003_plain did not" ! table_exists plain_t
	rk --config "$T/reckon.yaml" status --json
	jqe '[.migrations[] | .version] == ["1", "2"]'
	# without the rule, the same directory reads as reckon's names
	rk status
	expect_out "pending   003_plain.sql"
}

BACKENDS_config_files_pattern_errors=sqlite
test_config_files_pattern_errors() {
	mig 1-first.sql "CREATE TABLE first_t (id integer);"
	rk run --dry-run >/dev/null
	save_dump
	printf 'dir: %s\nfiles:\n  pattern: %s\n' "$M" "'^(?<v>\\d+)\\.sql\$'" \
		>"$T/nover.yaml"
	rk_raw --db "$DB" --config "$T/nover.yaml" run
	expect_rc 2
	expect_one_error
	expect_err "$T/nover.yaml:3: key 'files.pattern': pattern '^(?<v>\\d+)\\.sql\$' has no group named 'version'"
	expect_unchanged
	printf 'dir: %s\n\nfiles:\n  pattern: %s\n' "$M" "'^(?<version>\\d+'" \
		>"$T/nocomp.yaml"
	rk_raw --db "$DB" --config "$T/nocomp.yaml" run
	expect_rc 2
	expect_one_error
	expect_err "$T/nocomp.yaml:4: key 'files.pattern': pattern '^(?<version>\\d+' does not compile: missing closing parenthesis (at character 16)"
	expect_unchanged
	printf 'files: x\n' >"$T/scalar.yaml"
	rk_raw --db "$DB" --config "$T/scalar.yaml" run
	expect_rc 2
	expect_err "$T/scalar.yaml:1: key 'files': expected a mapping (pattern), not a plain value"
	printf 'files:\n  patern: x\n' >"$T/typo.yaml"
	rk_raw --db "$DB" --config "$T/typo.yaml" run
	expect_rc 2
	expect_err "$T/typo.yaml:2: unknown key under 'files' (valid: pattern)"
	expect_unchanged
}
