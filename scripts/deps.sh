#!/bin/sh
# Install the Debian packages reckon needs to build (and, with "test", to
# test), but only those missing: idempotent, quiet when all are present.
set -eu
need="gcc make pkg-config libpq-dev libsqlite3-dev libpcre2-dev libcyaml-dev
libjansson-dev libssl-dev zlib1g-dev libmicrohttpd-dev sqlite3"
if [ "${1:-}" = test ]; then
	need="$need libcmocka-dev postgresql postgresql-contrib jq curl mandoc
clang-format chromium clang-14 libclang-rt-14-dev zsh fish"
	# the dashboard's browser test (tests/browser): any Node.js with npm
	command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
	"$(dirname "$0")/real-deps-debian.sh"
fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "reckon: installing missing packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "reckon: not root; run: sudo apt-get install$missing" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
