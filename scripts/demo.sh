#!/bin/sh
# make demo: reckon's main job on an embedded SQLite database, against the
# migrations in fixtures/demo. Starts from a fresh database every time.
set -eu
cd "$(dirname "$0")/.."
out=demo-out
mkdir -p "$out"
rm -f "$out/demo.db"
db="sqlite:$out/demo.db"
bold='' plain=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
step() {
	printf '\n%s$ reckon %s%s\n' "$bold" "$*" "$plain"
	./reckon --db "$db" --dir fixtures/demo "$@"
}
step status
step run --dry-run
step run
step status
step history
step status --check
printf '\nThe database is %s/demo.db; run ./reckon --help for more.\n' "$out"
