# shellcheck shell=bash
# Sourced by .ci/run: starts a throwaway PostgreSQL cluster for the store's
# contract tests and exports AIGOV_TEST_PG_URL. The caller's EXIT trap calls
# aigov_pg_stop; this file sets no trap itself so it composes with the caller's.
#
# Idempotent: sourcing it again while its server runs only repeats the line
# saying where it runs. A URL the environment already provides (a CI service
# container, say) is used as is.

aigov_pg_port="${AIGOV_PG_PORT:-54329}"

aigov_pg_bindir() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  # Debian keeps the server binaries off PATH, one folder per major version.
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  return 1
}

aigov_pg_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "postgres: installing Debian's postgresql package" >&2
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
}

# initdb refuses to run as root, so as root the cluster belongs to `postgres`.
aigov_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

aigov_pg_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

aigov_pg_stop() {
  if [ -n "${AIGOV_PG_DIR:-}" ] && [ -d "$AIGOV_PG_DIR" ]; then
    aigov_pg_as_owner "$AIGOV_PG_BIN/pg_ctl" -D "$AIGOV_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$AIGOV_PG_DIR"
    unset AIGOV_TEST_PG_URL
  fi
  unset AIGOV_PG_DIR AIGOV_PG_BIN
}

aigov_pg_start() {
  local bin dir port

  if [ -n "${AIGOV_PG_DIR:-}" ] && [ -n "${AIGOV_PG_BIN:-}" ] \
    && aigov_pg_as_owner "$AIGOV_PG_BIN/pg_ctl" -D "$AIGOV_PG_DIR/data" status >/dev/null 2>&1; then
    echo "postgres: running at $AIGOV_TEST_PG_URL (data in $AIGOV_PG_DIR)"
    return 0
  fi
  if [ -n "${AIGOV_TEST_PG_URL:-}" ] && [ -z "${AIGOV_PG_DIR:-}" ]; then
    echo "postgres: using AIGOV_TEST_PG_URL from the environment ($AIGOV_TEST_PG_URL)"
    return 0
  fi

  bin=$(aigov_pg_bindir) || { aigov_pg_install && bin=$(aigov_pg_bindir); } || {
    echo "postgres: no PostgreSQL server binaries found and installing them failed" >&2
    return 1
  }

  port="$aigov_pg_port"
  while ! aigov_pg_port_free "$port"; do
    port=$((port + 1))
    [ "$port" -gt $((aigov_pg_port + 100)) ] && { echo "postgres: no free port from $aigov_pg_port" >&2; return 1; }
  done

  dir=$(mktemp -d "${TMPDIR:-/tmp}/aigov-pg.XXXXXX") || return 1
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"

  if ! aigov_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    echo "postgres: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi

  # A throwaway cluster: durability settings off for speed; the socket goes in
  # the temp folder because /var/run/postgresql may not exist or be writable.
  if ! aigov_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >/dev/null 2>&1; then
    echo "postgres: the server did not start:" >&2
    cat "$dir/server.log" >&2
    rm -rf "$dir"
    return 1
  fi

  if ! aigov_pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres aigov_test >>"$dir/server.log" 2>&1; then
    echo "postgres: createdb failed:" >&2
    cat "$dir/server.log" >&2
    aigov_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
    return 1
  fi

  export AIGOV_PG_DIR="$dir"
  export AIGOV_PG_BIN="$bin"
  export AIGOV_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/aigov_test"
  echo "postgres: running at $AIGOV_TEST_PG_URL (data in $dir)"
}

aigov_pg_start
