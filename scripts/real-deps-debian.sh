#!/bin/sh
# Install the Debian-packaged migration frameworks that the real-framework
# round trips (tests/integration/t_real_py.sh and friends) drive: Alembic,
# Django, yoyo, Sqitch, ActiveRecord, Sequel, sql-migrate and Laravel's
# Illuminate Database (PHP), with their PostgreSQL and SQLite drivers.
# Only what is missing, as scripts/deps.sh does: idempotent, quiet when
# all are present. Not root and something missing: say what and exit 0,
# so the tests skip those frameworks with a printed reason.
set -eu
need="python3-alembic python3-django python3-yoyo python3-psycopg2
sqitch libdbd-pg-perl libdbd-sqlite3-perl
ruby-activerecord ruby-pg ruby-sqlite3 ruby-sequel sql-migrate
php-cli php-laravel-framework php-pgsql php-sqlite3"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "reckon: not root; real-framework tests need: sudo apt-get install$missing" >&2
	exit 0
fi
echo "reckon: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	echo "reckon: could not install:$missing (those tests will skip)" >&2
