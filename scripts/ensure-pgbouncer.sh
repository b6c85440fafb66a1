#!/usr/bin/env bash
# Installs Debian's PgBouncer when missing and this user may install it: the several-machines
# tests (tests/hosts/test_two_hosts.py) start one in transaction mode in front of the test database.
# Without it (a machine where we are not root), those tests skip locally and fail under CI=true.
set -u
for b in /usr/sbin/pgbouncer /usr/bin/pgbouncer; do
  [ -x "$b" ] && exit 0
done
command -v pgbouncer >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's pgbouncer for the several-machines tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  # the package's own service stays off: the tests start their own PgBouncer on a free port
  apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null 2>&1 \
    && { command -v systemctl >/dev/null 2>&1 && systemctl disable --now pgbouncer >/dev/null 2>&1
         echo "pgbouncer installed"; exit 0; }
  echo "warning: could not install pgbouncer; the several-machines tests will not run" >&2
else
  echo "note: pgbouncer is not installed (sudo apt-get install pgbouncer); its tests will skip" >&2
fi
exit 0
