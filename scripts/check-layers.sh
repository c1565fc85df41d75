#!/bin/sh
# The layers, lowest first: a file may include only headers of its own
# layer or of a layer below it; libpq and sqlite3 only in db/, libmicrohttpd
# only in serve/. Exits 1, naming each include that points up.
#   base/      buffers, errors, utilities, option parsing (libc only)
#   parsers/   the SQL lexer and splitter, DDL extractor, file names
#   db/        the driver interface and the PostgreSQL and SQLite drivers
#   detectors/ one file per framework, and the directory scan
#   core/      operations, reconcile, the runner, checks, config, JSON
#   serve/     the HTTP API and dashboard
#   cli/       main, the command table, the text renderers
set -u
cd "$(dirname "$0")/.."
layers="base parsers db detectors core serve cli"
rank() {
	i=0
	for l in $layers; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99
}
bad=0
for l in $layers; do
	r=$(rank "$l")
	for f in "$l"/*.c "$l"/*.h include/reckon/"$l"/*.h; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's|^#include "reckon/\([a-z_]*\)/[a-z_]*\.h".*|\1|p' "$f"); do
			if [ "$(rank "$inc")" -gt "$r" ]; then
				echo "layers: $f ($l) includes a $inc/ header: $(grep -n "reckon/$inc/" "$f" | head -1)"
				bad=1
			fi
		done
		case "$l" in db) ;; *)
			if grep -q '^#include <\(libpq-fe\|sqlite3\)\.h>' "$f"; then
				echo "layers: $f includes a database library; only db/ may"
				bad=1
			fi ;;
		esac
		case "$l" in serve) ;; *)
			if grep -q '^#include <microhttpd\.h>' "$f"; then
				echo "layers: $f includes libmicrohttpd; only serve/ may"
				bad=1
			fi ;;
		esac
	done
done
[ $bad = 0 ] && echo "layers: every include points down ($layers)"
exit $bad
