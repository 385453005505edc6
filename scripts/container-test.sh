#!/usr/bin/env bash
# Builds the Docker image with podman and checks the container: it serves, runs as non-root, keeps its data
# on the /data volume across `podman stop`/`start`, stops promptly on SIGTERM, passes its HEALTHCHECK, and runs
# admin commands beside the server (`podman exec`).
#
# No image registry is reachable on our machines, so the two base images the Dockerfile names are made
# locally, under those very names, and kept for the next run:
#   debian:bookworm-slim  a `debootstrap --variant=minbase bookworm` root from the apt mirror, trimmed
#   oven/bun:<version>    that root plus this machine's bun (which must be the pinned version)
#
# Last line: "PASS: ..." (exit 0), "FAIL: ..." (exit 1), or "SKIP: <reason>" (exit 0) when podman
# cannot be installed or cannot run containers here.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST_PORT=${CONTAINER_TEST_PORT:-5150}
APP_IMAGE=localhost/madblog:container-test
BUILD_IMAGE=localhost/madblog-build:container-test
LABEL=org.madblog.container-test=1
NAME=madblog-container-test-$$
VOLUME=madblog-container-test-$$
ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

log() { printf '\n== %s\n' "$*"; }
skip() { echo "SKIP: container test: $*"; exit 0; }
fail() { echo "FAIL: container test: $*"; exit 1; }
# runc everywhere: the machine's default runtime (crun) is not what we test against.
pm() { podman --runtime runc "$@"; }
# The same, with stdout dropped and without podman's complaint that it cannot set a systemd timer for the
# HEALTHCHECK on machines without systemd (CI's): the check is run by hand below.
pm_quiet() {
  local status=0
  pm "$@" >/dev/null 2>"$WORK/podman.err" || status=$?
  grep -v 'systemd connection' "$WORK/podman.err" >&2 || true
  return "$status"
}

# --- tools -----------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap and rootful podman)"
missing=()
for tool in podman runc debootstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || skip "${missing[*]} missing and no apt-get to install them"
  log "installing podman buildah runc debootstrap curl (${missing[*]} missing)"
  apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc debootstrap curl >/dev/null 2>&1 \
    || skip "apt-get install podman buildah runc debootstrap curl failed"
fi
pm info >/dev/null 2>&1 || skip "podman cannot run here: $(pm info 2>&1 | tail -1)"

# --- the names the Dockerfile uses must be the ones we build --------------------------------------------
BUN_VERSION=$(sed -n 's/.*"packageManager": *"bun@\([^"]*\)".*/\1/p' package.json)
mapfile -t FROMS < <(awk 'toupper($1) == "FROM" { print $2 }' Dockerfile)
[ "${FROMS[*]}" = "oven/bun:$BUN_VERSION debian:bookworm-slim" ] \
  || fail "Dockerfile's FROM lines are '${FROMS[*]}', expected 'oven/bun:$BUN_VERSION debian:bookworm-slim'"
DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim # what the short names resolve to
BUN_IMAGE=docker.io/oven/bun:$BUN_VERSION

command -v bun >/dev/null || fail "bun is not installed"
BUN_BIN=$(readlink -f "$(command -v bun)")
[ "$(head -c 4 "$BUN_BIN" | od -An -c | tr -d ' ')" = '177ELF' ] || fail "$BUN_BIN is not an executable binary"
[ "$("$BUN_BIN" --version)" = "$BUN_VERSION" ] || fail "bun here is $("$BUN_BIN" --version), the image pins $BUN_VERSION"

WORK=$(mktemp -d /var/tmp/madblog-container-test.XXXXXX)
cleanup() {
  pm rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  pm volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

apt_mirror() {
  local uri
  uri=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! pm image exists "$DEBIAN_IMAGE"; then
  mirror=$(apt_mirror)
  log "stand-in $DEBIAN_IMAGE: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  # What the real slim image leaves out: docs, manuals, locales, package caches.
  rm -rf "$WORK"/rootfs/usr/share/{doc,man,info,locale}/* "$WORK"/rootfs/var/cache/apt/*.bin \
    "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/var/log/*.log
  tar -C "$WORK/rootfs" --numeric-owner -c . | pm import --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null 2>&1 \
    || fail "podman import of the Debian root failed"
  rm -rf "$WORK/rootfs"
fi

if ! pm image exists "$BUN_IMAGE"; then
  log "stand-in $BUN_IMAGE: $DEBIAN_IMAGE + $BUN_BIN"
  mkdir -p "$WORK/bun"
  cp "$BUN_BIN" "$WORK/bun/bun"
  # The npm registry is reached through a proxy whose CA only this machine trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$WORK/bun/ca-certificates.crt"
  cat >"$WORK/bun/Containerfile" <<EOF
FROM $DEBIAN_IMAGE
COPY bun /usr/local/bin/bun
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["bun"]
EOF
  pm build --pull=never --network host "${ULIMITS[@]}" -q -t "$BUN_IMAGE" "$WORK/bun" >/dev/null \
    || fail "building the $BUN_IMAGE stand-in failed"
fi

# --- the image ------------------------------------------------------------------------------------------
log "podman build $APP_IMAGE"
# Docker format: OCI image configs have no HEALTHCHECK. The build stage is tagged too, so that its cached
# layers (the dependency install) survive the prune below, which drops what earlier runs' sources left.
APP_VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' package.json | head -1)
APP_REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_ARGS=(--pull=never --network host --format docker "${ULIMITS[@]}" --label "$LABEL"
  --build-arg "VERSION=$APP_VERSION" --build-arg "REVISION=$APP_REVISION")
pm build "${BUILD_ARGS[@]}" --target build -t "$BUILD_IMAGE" . >"$WORK/build.log" 2>&1 \
  && pm build "${BUILD_ARGS[@]}" -t "$APP_IMAGE" . >>"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log"; fail "podman build failed"; }
pm image prune -f --filter "label=$LABEL" >/dev/null
image_bytes=$(pm image inspect --format '{{.Size}}' "$APP_IMAGE")
label_version=$(pm image inspect --format '{{index .Labels "org.opencontainers.image.version"}}' "$APP_IMAGE")
[ "$label_version" = "$APP_VERSION" ] || fail "org.opencontainers.image.version is '$label_version', expected $APP_VERSION"
echo "OCI labels: version $label_version, revision $APP_REVISION"

# --- the container --------------------------------------------------------------------------------------
BASE_URL=http://127.0.0.1:$HOST_PORT

wait_ready() {
  for _ in $(seq 150); do
    if curl -fsS -o /dev/null --max-time 1 "$BASE_URL/api/ping" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  pm logs "$NAME" 2>&1 | tail -20 || true
  fail "no answer on $BASE_URL/api/ping within 30 s"
}

# expect STATUS METHOD PATH [curl args...]: leaves the answer in $BODY, fails unless the status matches.
BODY=
expect() {
  local want=$1 method=$2 path=$3 status
  shift 3
  status=$(curl -sS --max-time 10 -X "$method" -o "$WORK/body" -w '%{http_code}' "$@" "$BASE_URL$path" || true)
  BODY=$(cat "$WORK/body" 2>/dev/null || true)
  [ "$status" = "$want" ] || fail "$method $path answered ${status:-nothing}, expected $want: $BODY"
}

log "podman run (volume $VOLUME on /data, port $HOST_PORT)"
! curl -fsS -o /dev/null --max-time 1 "$BASE_URL/api/ping" 2>/dev/null \
  || fail "something already answers on port $HOST_PORT (set CONTAINER_TEST_PORT)"
pm_quiet run -d --name "$NAME" "${ULIMITS[@]}" -v "$VOLUME:/data" -p "127.0.0.1:$HOST_PORT:5000" \
  -e TOKEN_TTL_SECONDS=86400 "$APP_IMAGE" || fail "podman run failed"
wait_ready

expect 201 POST /api/users -H 'content-type: application/json' \
  -d '{"username":"container","email":"container@example.com","password":"in-a-box"}'
expect 200 POST /api/tokens -u container:in-a-box
token=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' <<<"$BODY")
[ -n "$token" ] || fail "POST /api/tokens gave no token: $BODY"
expect 200 GET /api/users/1 -H "authorization: Bearer $token"
[[ $BODY == *container@example.com* ]] || fail "GET /api/users/1 did not show the account: $BODY"
echo "registered, logged in, read the account"
expect 200 GET /readyz

uid=$(pm exec "$NAME" id -u) || fail "podman exec failed"
pid1_uid=$(pm exec "$NAME" cat /proc/1/status | awk '$1 == "Uid:" { print $2 }' || true)
[ -n "$pid1_uid" ] || fail "cannot read PID 1's uid"
[ "$uid" != 0 ] && [ "$pid1_uid" != 0 ] || fail "runs as root (exec uid $uid, PID 1 uid $pid1_uid)"
db_owner=$(pm exec "$NAME" stat -c %u /data/madblog.db) || fail "no /data/madblog.db in the container"
[ "$db_owner" = "$pid1_uid" ] || fail "/data/madblog.db belongs to uid $db_owner, not the service's $pid1_uid"
echo "runs as uid $pid1_uid; /data/madblog.db is its own"

pm healthcheck run "$NAME" >/dev/null || fail "podman healthcheck run: unhealthy"
echo "HEALTHCHECK (madblog healthcheck) passes"

log "admin commands inside the running container (docker exec madblog madblog ...)"
listed=$(pm exec "$NAME" madblog users list) || fail "madblog users list failed in the container"
[[ $listed == *container@example.com* ]] || fail "madblog users list does not show the account: $listed"
printf 'boxed-in\n' | pm exec -i "$NAME" madblog users create boxed boxed@example.com --password-stdin >/dev/null \
  || fail "madblog users create failed in the container"
expect 200 POST /api/tokens -u boxed:boxed-in
refusal=$(pm exec "$NAME" madblog migrate down 2>&1) && fail "migrate down ran beside the server: $refusal"
[[ $refusal == *'is open in another process'* ]] || fail "migrate down beside the server did not say why: $refusal"
echo "users list and users create ran beside the server (boxed logs in); migrate down was refused while it serves"

log "podman stop"
started=$(date +%s%N)
pm_quiet stop -t 10 "$NAME" || fail "podman stop failed"
stop_ms=$(( ($(date +%s%N) - started) / 1000000 ))
# The rest of podman stop is podman's own work (runtime, network teardown): about a second here.
finished=$(date -d "$(pm inspect --format '{{.State.FinishedAt}}' "$NAME" | sed 's/ [A-Z][A-Z]*$//')" +%s%N)
exit_ms=$(( (finished - started) / 1000000 ))
exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$exit_code" = 0 ] || fail "exit code $exit_code after podman stop"
[ "$stop_ms" -lt 5000 ] || fail "podman stop took $stop_ms ms (SIGTERM not handled?)"
[[ $(pm logs "$NAME" 2>&1) == *'SIGTERM received'* ]] || fail "the service never logged SIGTERM"
echo "stopped in $stop_ms ms (madblog exited ${exit_ms} ms after podman stop began), exit code 0"

log "podman start: the account and its token are still there"
pm_quiet start "$NAME" || fail "podman start failed"
wait_ready
expect 200 GET /api/users/1 -H "authorization: Bearer $token"
[[ $BODY == *container@example.com* ]] || fail "after a restart, the account is gone: $BODY"
echo "the token from before the restart still works"

echo
echo "PASS: container test (image $((image_bytes / 1000000)) MB, podman stop ${stop_ms} ms)"
