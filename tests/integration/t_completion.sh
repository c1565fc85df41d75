# Shell completion (reckon completion bash|zsh|fish) in the real shells,
# and make install / uninstall of the scripts.

# comp_bash WORD...: complete the last word of "reckon WORD..." as bash
# does, with the script reckon prints loaded; OUT gets the candidates,
# one a line, and SPEC what complete -p says
comp_bash() {
	mkdir -p "$T/bin"
	ln -sf "$RECKON" "$T/bin/reckon"
	OUT=$(cd "$T" && PATH="$T/bin:$PATH" bash -c '
		source <(reckon completion bash) || exit 1
		complete -p reckon >"$0/spec" || exit 1
		COMP_WORDS=(reckon "$@")
		COMP_CWORD=$#
		COMPREPLY=()
		_reckon
		printf "%s\n" "${COMPREPLY[@]}"' "$T" "$@" 2>"$T/err")
	SPEC=$(cat "$T/spec" 2>/dev/null)
}

# expect_cands WORD...: OUT holds each WORD as a line of its own
expect_cands() {
	for w in "$@"; do
		if grep -qxF -- "$w" <<<"$OUT"; then pass; else
			fail "candidate '$w' missing from: $(tr '\n' ' ' <<<"$OUT")"
		fi
	done
}

BACKENDS_completion_bash=sqlite
test_completion_bash() {
	mig 001_users.sql "CREATE TABLE users (id integer);"
	mig 002_orders.sql "CREATE TABLE orders (id integer);"
	printf 'not a migration\n' >"$M/README"
	mkdir -p "$T/other"
	printf 'SELECT 1;\n' >"$T/other/005_elsewhere.sql"
	comp_bash st
	[ "$SPEC" = "complete -F _reckon reckon" ] && pass ||
		fail "complete -p said '$SPEC'"
	expect_cands status
	[ "$OUT" = status ] && pass || fail "st gave: $OUT"
	# every command, from the table
	comp_bash ""
	expect_cands adopt completion mark-applied run status unmark wait
	# a command's options and the global ones
	comp_bash run --dr
	expect_cands --dry-run
	comp_bash status --
	expect_cands --check --db --dir --framework --json --wait-for-db
	# migration names from --dir, by calling reckon back
	comp_bash --dir "$M" unmark ""
	[ "$OUT" = $'001_users.sql\n002_orders.sql' ] && pass ||
		fail "unmark names: $OUT"
	comp_bash --dir "$T/other" mark-applied 0
	[ "$OUT" = 005_elsewhere.sql ] && pass || fail "other dir: $OUT"
	# bash splits --dir=x at "="
	comp_bash --dir = "$M" run 002
	[ "$OUT" = 002_orders.sql ] && pass || fail "--dir=: $OUT"
	comp_bash --dir "$M" down --to ""
	expect_cands 001_users.sql 002_orders.sql
	# the dir of reckon.yaml in the working directory
	printf 'dir: other\n' >"$T/reckon.yaml"
	comp_bash repair ""
	[ "$OUT" = 005_elsewhere.sql ] && pass || fail "reckon.yaml dir: $OUT"
	rm "$T/reckon.yaml"
	# frameworks from the registry, directories for --dir, shells
	comp_bash --framework fly
	[ "$OUT" = flyway ] && pass || fail "--framework fly: $OUT"
	comp_bash --framework ""
	[ "$(wc -l <<<"$OUT")" = "$("$RECKON" completion frameworks | wc -l)" ] &&
		pass || fail "not every framework: $OUT"
	expect_cands alembic yoyo sqlx typeorm
	comp_bash --dir "$T/oth"
	expect_cands "$T/other"
	comp_bash completion ""
	expect_cands bash zsh fish
	# a value is not taken for the command: --db's value, then status
	comp_bash --db "$DB" status --ch
	[ "$OUT" = --check ] && pass || fail "after --db: $OUT"
	# a directory that is not there completes to nothing, silently
	comp_bash --dir "$T/nowhere" unmark ""
	[ -z "$OUT" ] && pass || fail "missing dir gave: $OUT"
	[ ! -s "$T/err" ] && pass || fail "stderr: $(cat "$T/err")"
}

BACKENDS_completion_fish=sqlite
test_completion_fish() {
	if ! command -v fish >/dev/null; then
		fail "fish is not installed (scripts/deps.sh test installs it)"
		return
	fi
	mig 001_users.sql "CREATE TABLE users (id integer);"
	mkdir -p "$T/bin"
	ln -sf "$RECKON" "$T/bin/reckon"
	"$RECKON" completion fish >"$T/reckon.fish"
	OUT=$(cd "$T" && PATH="$T/bin:$PATH" fish -c "
		source reckon.fish
		complete -C'reckon st'
		complete -C'reckon --dir $M unmark '
		complete -C'reckon --framework fly'
		complete -C'reckon run --dr'" 2>"$T/err")
	expect_cands "status	each migration's state: applied, pending, modified, orphaned, failed" \
		001_users.sql "flyway	use this framework's table; do not detect"
	grep -q '^--dry-run	' <<<"$OUT" && pass || fail "--dry-run: $OUT"
	[ ! -s "$T/err" ] && pass || fail "stderr: $(cat "$T/err")"
}

BACKENDS_completion_zsh=sqlite
test_completion_zsh() {
	if ! command -v zsh >/dev/null; then
		fail "zsh is not installed (scripts/deps.sh test installs it)"
		return
	fi
	"$RECKON" completion zsh >"$T/_reckon"
	check "zsh parses it" zsh -n "$T/_reckon"
	# loaded as a site-functions file, it defines _reckon for compinit
	check "compinit takes it" zsh -fc "fpath=($T \$fpath); autoload -U compinit; compinit -u -d $T/zcd; [[ \${_comps[reckon]} == _reckon ]]"
	# and completes in a real interactive zsh on a terminal (zpty)
	mig 001_users.sql "CREATE TABLE users (id integer);"
	mig 002_orders.sql "CREATE TABLE orders (id integer);"
	mkdir -p "$T/bin"
	ln -sf "$RECKON" "$T/bin/reckon"
	comp_zsh "reckon --dir $M unmark 0"
	expect_cands_in 001_users.sql 002_orders.sql
	comp_zsh "reckon --framework flyw"
	expect_cands_in "reckon --framework flyway"
	comp_zsh "reckon statu"
	expect_cands_in "reckon status"
}

# comp_zsh LINE: type LINE and two tabs into an interactive zsh that
# loaded the script through compinit; OUT gets what the terminal showed
comp_zsh() {
	OUT=$(cd "$T" && PATH="$T/bin:$PATH" zsh -f -c '
		zmodload zsh/zpty
		zpty z "TERM=dumb zsh -f -i"
		zpty -w z "PS1=\">\"; fpath=($0 \$fpath); autoload -U compinit; compinit -u -D; unsetopt beep"
		zpty -w -n z "$1"$'"'"'\t\t'"'"'
		sleep 2
		out=
		while zpty -r -t z line; do out+=$line; done
		zpty -d z
		print -r -- "$out"' "$T" "$1" 2>&1 | tr -d '\r')
}

# expect_cands_in TEXT...: OUT holds each TEXT somewhere
expect_cands_in() {
	for w in "$@"; do
		if grep -qF -- "$w" <<<"$OUT"; then pass; else
			fail "'$w' not shown: $OUT"
		fi
	done
}

BACKENDS_completion_bad=sqlite
test_completion_bad() {
	rk_raw completion tcsh
	expect_rc 2
	expect_err "completion: unknown shell 'tcsh'"
	expect_err "give bash, zsh or fish"
	rk_raw completion
	expect_rc 2
	expect_err "completion: give one shell"
}

# make install puts the scripts where each shell looks, under DESTDIR and
# PREFIX; make uninstall takes away all install put there.
BACKENDS_completion_install=sqlite
test_completion_install() {
	local d="$T/dest" p=/opt/rk
	make -s -C "$RECKON_ROOT" install DESTDIR="$d" PREFIX="$p" \
		>"$T/out" 2>&1 || fail "make install: $(cat "$T/out")"
	for f in bin/reckon share/man/man1/reckon.1 share/man/man5/reckon.yaml.5 \
		share/bash-completion/completions/reckon \
		share/zsh/site-functions/_reckon \
		share/fish/vendor_completions.d/reckon.fish; do
		check "installed $f" test -s "$d$p/$f"
	done
	grep -q '^complete -F _reckon reckon$' \
		"$d$p/share/bash-completion/completions/reckon" && pass ||
		fail "bash script"
	check "the bash script loads" bash -c \
		"source '$d$p/share/bash-completion/completions/reckon' && complete -p reckon"
	make -s -C "$RECKON_ROOT" uninstall DESTDIR="$d" PREFIX="$p" \
		>"$T/out" 2>&1 || fail "make uninstall: $(cat "$T/out")"
	left=$(find "$d" ! -type d)
	[ -z "$left" ] && pass || fail "uninstall left: $left"
}
