#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: initdb into a temp folder, started as an unprivileged user on a
# free loopback port the kernel picks. `start` prints the DATABASE_URL and the folder; `restart <folder>`
# restarts the server; `stop <folder>` stops it and removes the folder.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/madblog-pg.XXXXXX)
    chmod 755 "$dir"
    user=nobody
    [ "$(id -u)" -ne 0 ] && user=$(id -un)
    as() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
    install -d -o "$user" "$dir/data" "$dir/run"
    as "$BIN/initdb" -D "$dir/data" -U madblog --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as "$BIN/pg_ctl" -D "$dir/data" -l "$dir/run/log" -w -o "-h 127.0.0.1 -p $port -k $dir/run -c fsync=off -c max_connections=300" start >/dev/null
    as "$BIN/createdb" -h 127.0.0.1 -p "$port" -U madblog madblog
    echo "$dir" >"$dir/folder"
    echo "postgres://madblog@127.0.0.1:$port/madblog $dir"
    ;;
  restart)
    # Fast shutdown (every connection cut), then up again on the same port: the replicas test's outage.
    dir=$2
    user=$(stat -c %U "$dir/data")
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$BIN/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null
    else "$BIN/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null; fi
    ;;
  stop)
    dir=$2
    user=$(stat -c %U "$dir/data")
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    else "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start | restart <folder> | stop <folder>" >&2; exit 2 ;;
esac
