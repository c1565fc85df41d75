#!/bin/sh
# Install the npm migration frameworks that tests/integration/t_real_node*.sh
# drive (tests/real/node/package-lock.json, every version pinned) into a
# cache outside the clone, keyed by the lock file's hash, so that only a
# cold machine pays for the install. Prints the directory holding
# node_modules/ on success; prints why not on stderr and exits non-zero
# otherwise (the tests then skip, saying so).
#   RECKON_NODE_CACHE  cache root (default /var/cache/reckon-test)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/tests/real/node
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 2; }
key=$(sha256sum "$src/package-lock.json" | cut -c1-16)
root=${RECKON_NODE_CACHE:-/var/cache/reckon-test}
dir=$root/node-$key
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$root"
tmp=$(mktemp -d "$root/.node-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$src/package.json" "$src/package-lock.json" "$tmp/"
# sqlite3 has no prebuilt binary we can fetch (only the npm registry is
# reachable): build it from source against Debian's libsqlite3 and the
# installed Node headers, which is seconds rather than minutes.
export npm_config_build_from_source=true npm_config_sqlite=/usr
[ -f /usr/include/node/common.gypi ] && export npm_config_nodedir=/usr
t0=$(date +%s)
if ! (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error) >"$tmp/npm.log" 2>&1; then
	echo "npm ci in $src failed:" >&2
	tail -15 "$tmp/npm.log" >&2
	exit 1
fi
echo "reckon: npm frameworks installed in $dir ($(($(date +%s) - t0)) s)" >&2
touch "$tmp/.complete"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
# installs for older lock files are dead weight now
for old in "$root"/node-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$dir"
