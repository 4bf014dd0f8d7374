#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on a Unix socket in a fresh temporary folder.
#   start: install Debian's server if missing, initdb, start, create database carecast_test
#   url:   print the SQLAlchemy URL of that database
#   stop:  stop the server and delete the folder
# PostgreSQL refuses to run as root, so as root the server runs as the 'postgres' system user.
set -euo pipefail
cd "$(dirname "$0")/.."
state_file=${CARECAST_TEST_PG_STATE:-.pgtest}
port=${CARECAST_TEST_PG_PORT:-54329}

server_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_server() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL server binaries are missing: install Debian's 'postgresql' package." >&2
    exit 1
  fi
  echo "Installing PostgreSQL from Debian's packages…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

start() {
  stop quietly
  bin=$(server_bin) || { install_server; bin=$(server_bin); }
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then install_server; fi
  dir=$(mktemp -d /tmp/carecast-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses='' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_server_user "$bin/createdb" -h "$dir" -p "$port" -U postgres carecast_test
  printf '%s\n%s\n' "$dir" "$bin" >"$state_file"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started on socket $dir port $port" >&2
}

url() {
  [ -f "$state_file" ] || { echo "no test cluster is running; run: $0 start" >&2; exit 1; }
  dir=$(sed -n 1p "$state_file")
  echo "postgresql+psycopg://postgres@/carecast_test?host=$dir&port=$port"
}

stop() {
  [ -f "$state_file" ] || return 0
  dir=$(sed -n 1p "$state_file"); bin=$(sed -n 2p "$state_file")
  if [ -d "$dir/data" ]; then as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" "$state_file"
  [ "${1:-}" = quietly ] || echo "PostgreSQL test cluster stopped" >&2
}

case "${1:-}" in
  start) start ;;
  url) url ;;
  stop) stop ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
