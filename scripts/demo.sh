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

printf '\n%s== Walking into a database that Flyway has been migrating ==%s\n' "$bold" "$plain"
printf 'It has V1 and V2 applied (V2 edited since), a record of V3 whose file\n'
printf 'was deleted, and V4 waiting. reckon finds Flyway by its table, checks\n'
printf "Flyway's own CRC-32 checksums, refuses to run over the drift until\n"
printf "told to, then records V4 the way Flyway would.\n"
rm -f "$out/flyway.db"
sqlite3 "$out/flyway.db" <fixtures/frameworks/flyway/setup.sqlite.sql
rm -rf "$out/flyway-migrations"
cp -r fixtures/frameworks/flyway/migrations "$out/flyway-migrations"
fly() {
	printf '\n%s$ reckon %s%s\n' "$bold" "$*" "$plain"
	./reckon --db "sqlite:$out/flyway.db" --dir "$out/flyway-migrations" "$@"
}
fly detect
fly status || true
fly run || printf '(exit %s: the drift gate, as Flyway'"'"'s validateOnMigrate)\n' "$?"
fly run --allow-drift
printf '\n%s$ sqlite3 flyway.db "SELECT ... FROM flyway_schema_history"%s\n' "$bold" "$plain"
sqlite3 -header -column "$out/flyway.db" \
	"SELECT installed_rank, version, description, type, script, checksum, execution_time, success FROM flyway_schema_history ORDER BY installed_rank"

printf '\nThe databases are in %s/; run ./reckon --help for more.\n' "$out"
