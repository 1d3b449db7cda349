#!/usr/bin/env bash
# The container test (the future `npm run test:container`, not part of `npm test`): builds the image with
# podman or docker, runs it on a named volume with a mounted feeds.config.json and checks what an operator
# relies on: /healthz answers, the image's HEALTHCHECK passes (and fails when the server hangs), the server
# runs as non-root, the volume holds newsmerge.db and survives a new container, SIGTERM stops it cleanly and
# fast, and ten containers started at once all stay up (a guard against native crashes at start-up, such as
# the better-sqlite3 / Node 24 abort the Dockerfile works around). Exits non-zero on the first failure; skips
# (exit 0) when no container engine is available, or fails then too with NEWSMERGE_REQUIRE_ENGINE=1.
#
# Env: CONTAINER_ENGINE (podman or docker command to use), NEWSMERGE_TEST_IMAGE (tag to build, default
# newsmerge:container-test), KEEP_IMAGE=1 (keep that tag afterwards), NEWSMERGE_TEST_STARTS (default 10).
# Needs bash >= 4.4, node and timeout (coreutils) on the host; curl is used when present.
set -euo pipefail
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  echo "Usage: npm run test:container"
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 404)); then
  echo "test:container needs bash 4.4 or newer (this is $BASH_VERSION)" >&2
  exit 1
fi
for tool in node timeout; do
  command -v "$tool" >/dev/null || { echo "test:container needs $tool on the PATH" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/../shared/tools/container"
image=${NEWSMERGE_TEST_IMAGE:-newsmerge:container-test}
starts=${NEWSMERGE_TEST_STARTS:-10}
run_id="nmtest-$$"
volume="$run_id-data"
containers=()
port=""
work=""

step() { printf '\n== %s\n' "$*"; }
pass() { printf '   ok: %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }
skip() {
  printf 'SKIP test:container: %s\n' "$*"
  if [[ ${NEWSMERGE_REQUIRE_ENGINE:-0} == 1 ]]; then exit 1; fi
  exit 0
}

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo $((10#$t / 1000))
  else
    node -e 'process.stdout.write(String(Date.now()))'
  fi
}

# --- choose an engine --------------------------------------------------------------------------------------
engine=()
build=()
if [[ -n ${CONTAINER_ENGINE:-} ]]; then
  engine=("$CONTAINER_ENGINE")
elif [[ -x $tools/podman ]]; then
  command -v podman >/dev/null || skip "podman is not installed; run $tools/setup first (as root)"
  engine=("$tools/podman")
  build=("$tools/build")
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  engine=(docker)
elif command -v podman >/dev/null && podman info >/dev/null 2>&1; then
  engine=(podman)
else
  skip "no container engine found (neither podman nor a running docker daemon)"
fi
if ((${#build[@]} == 0)); then
  if "${engine[@]}" --version 2>/dev/null | grep -qi podman; then
    build=("${engine[@]}" build --format docker) # HEALTHCHECK needs the docker image format
  else
    build=("${engine[@]}" build)
  fi
fi
is_podman=0
"${engine[@]}" --version 2>/dev/null | grep -qi podman && is_podman=1

# podman without systemd prints "unable to get systemd connection ... healthchecks" on run/stop: harmless.
eng() { "${engine[@]}" "$@" 2> >(grep -v 'systemd connection' >&2); }

cleanup() {
  local status=$?
  if ((status != 0)) && ((${#containers[@]})); then
    echo "--- last log lines of ${containers[0]}:" >&2
    "${engine[@]}" logs --tail 30 "${containers[0]}" 2>&1 | grep -v 'systemd connection' >&2 || true
  fi
  if ((${#containers[@]})); then "${engine[@]}" rm -f -v "${containers[@]}" >/dev/null 2>&1 || true; fi
  "${engine[@]}" volume rm -f "$volume" >/dev/null 2>&1 || true
  if [[ ${KEEP_IMAGE:-0} != 1 ]]; then "${engine[@]}" rmi "$image" >/dev/null 2>&1 || true; fi
  if [[ -n $work ]]; then rm -rf "$work"; fi
  return "$status"
}
trap cleanup EXIT

http_get() { # URL -> body on stdout; non-zero unless 2xx
  if command -v curl >/dev/null; then
    curl -fsS --max-time 2 "$1"
  else
    node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(async r=>{process.stdout.write(await r.text());process.exit(r.ok?0:1)},()=>process.exit(1))' "$1"
  fi
}

# run_server NAME: starts the image with the test config and volume; sets `port` to its host port
run_server() {
  containers+=("$1")
  eng run -d --name "$1" -p 127.0.0.1::3000 -v "$volume:/app/data" \
    -v "$work/feeds.config.json:/app/feeds.config.json:ro" "$image" >/dev/null
  local mapping
  mapping=$("${engine[@]}" port "$1" 3000/tcp 2>/dev/null | head -n1)
  [[ $mapping =~ :([0-9]+)$ ]] || fail "cannot find the host port of $1 (got '$mapping')"
  port=${BASH_REMATCH[1]}
}

wait_healthz() { # PORT LIMIT_MS -> prints the ms it took
  local start deadline
  start=$(now_ms)
  deadline=$((start + $2))
  until http_get "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; do
    (($(now_ms) < deadline)) || return 1
    sleep 0.05
  done
  echo $(($(now_ms) - start))
}

feed_fetched_at() { # PORT -> lastFetchedAt of the test feed ("null" until its first attempt ends)
  http_get "http://127.0.0.1:$1/api/feeds" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const f=JSON.parse(s).feeds.find(f=>f.url===process.argv[1]);process.stdout.write(f?String(f.lastFetchedAt):"missing")})' "$feed_url"
}

echo "engine: ${engine[*]} ($("${engine[@]}" --version 2>/dev/null | head -n1))"

# --- build -------------------------------------------------------------------------------------------------
step "build $image"
t0=$(now_ms)
if ! "${build[@]}" -t "$image" "$root" >"/tmp/$run_id-build.log" 2>&1; then
  tail -n 30 "/tmp/$run_id-build.log" >&2
  fail "image build failed (full log: /tmp/$run_id-build.log)"
fi
build_ms=$(($(now_ms) - t0))
rm -f "/tmp/$run_id-build.log"
size_bytes=$("${engine[@]}" image inspect --format '{{.Size}}' "$image")
pass "built in $((build_ms / 1000)) s, image size $((size_bytes / 1000000)) MB"

step "image contents"
user=$("${engine[@]}" image inspect --format '{{.Config.User}}' "$image")
[[ -n $user && $user != root && $user != 0 && $user != 0:* ]] || fail "image USER is '${user:-<unset>}', expected a non-root user"
pass "USER $user"
healthcheck_json=$("${engine[@]}" image inspect --format '{{json .Config.Healthcheck}}' "$image")
[[ $healthcheck_json == *'"Test"'* ]] || fail "image has no HEALTHCHECK (podman needs --format docker)"
mapfile -d '' healthcheck_cmd < <(node -e '
  const t = JSON.parse(process.argv[1]).Test;
  if (t[0] === "CMD") process.stdout.write(t.slice(1).join("\0") + "\0");
  else if (t[0] === "CMD-SHELL") process.stdout.write(["/bin/sh", "-c", t[1]].join("\0") + "\0");' "$healthcheck_json")
((${#healthcheck_cmd[@]})) || fail "cannot read the HEALTHCHECK command: $healthcheck_json"
pass "HEALTHCHECK ${healthcheck_cmd[*]:0:2} ..."
# shellcheck disable=SC2016 # expanded by the container's shell
eng run --rm --entrypoint sh "$image" -c '
  set -e
  test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node || { echo "better_sqlite3.node is missing"; exit 1; }
  for dev in typescript vitest tsx @types/node; do
    if test -e "node_modules/$dev"; then echo "devDependency $dev is in the image"; exit 1; fi
  done
  test -f package.json && test -f dist/main.js && test -f feeds.config.json
  test "$(stat -c %U /app/data)" != root || { echo "/app/data is owned by root"; exit 1; }
' || fail "image contents"
pass "native better-sqlite3 present, no devDependencies, dist/ + package.json, /app/data not root-owned"

# --- run ---------------------------------------------------------------------------------------------------
work=$(mktemp -d)
feed_url="http://127.0.0.1:9/newsmerge-container-test.xml" # nothing listens: the attempt fails at once
cat >"$work/feeds.config.json" <<EOF
{
  "schedule": "*/5 * * * *",
  "topics": { "containertest": { "title": "Container test", "description": "Mounted config" } },
  "feeds": [{ "url": "$feed_url", "title": "Container test feed", "tags": ["containertest"], "minInterval": "1h" }]
}
EOF
chmod 755 "$work"
chmod 644 "$work/feeds.config.json" # the container's user must be able to read it

step "run on volume $volume with a mounted feeds.config.json"
run_server "$run_id-1"
healthz_ms=$(wait_healthz "$port" 15000) || fail "/healthz did not answer within 15 s"
body=$(http_get "http://127.0.0.1:$port/healthz")
pass "/healthz answered 200 after $healthz_ms ms: $body"
http_get "http://127.0.0.1:$port/topics/containertest.json" >/dev/null || fail "the mounted config's topic is not served"
pass "the mounted config is in use (/topics/containertest.json)"

step "healthcheck"
if ((is_podman)); then
  eng healthcheck run "$run_id-1" >/dev/null || fail "podman healthcheck run failed"
  pass "podman healthcheck run: healthy"
fi
eng exec "$run_id-1" "${healthcheck_cmd[@]}" || fail "the HEALTHCHECK command failed in the running container"
pass "HEALTHCHECK command exits 0"
# From inside, PID 1 ignores SIGSTOP (it is the namespace's init): the engine sends it from outside. The
# HEALTHCHECK must give up by itself; `timeout` only keeps this script from hanging if it does not.
eng kill -s STOP "$run_id-1" >/dev/null
if timeout 20 "${engine[@]}" exec "$run_id-1" "${healthcheck_cmd[@]}"; then
  eng kill -s CONT "$run_id-1" >/dev/null || true
  fail "the HEALTHCHECK passed while the server was frozen (SIGSTOP)"
fi
eng kill -s CONT "$run_id-1" >/dev/null
pass "HEALTHCHECK command fails while the server is frozen (SIGSTOP), passes again after SIGCONT"
eng exec "$run_id-1" "${healthcheck_cmd[@]}" || fail "the HEALTHCHECK failed after SIGCONT"

step "user and data volume"
uid=$(eng exec "$run_id-1" id -u)
[[ $uid != 0 ]] || fail "exec runs as root"
pid1_uids=$(eng exec "$run_id-1" sh -c 'sed -n "s/^Uid:[[:space:]]*//p" /proc/1/status')
for u in $pid1_uids; do [[ $u != 0 ]] || fail "the server process (PID 1) has uid 0: Uid: $pid1_uids"; done
pass "server process (PID 1) uids: $pid1_uids; exec uid $uid"
eng exec "$run_id-1" sh -c 'test -s /app/data/newsmerge.db' || fail "/app/data/newsmerge.db is missing or empty"
db_owner=$(eng exec "$run_id-1" stat -c %u /app/data/newsmerge.db)
[[ $db_owner == "$uid" ]] || fail "newsmerge.db belongs to uid $db_owner, not the server's uid $uid"
pass "the volume holds newsmerge.db, owned by uid $db_owner"
fetched_at=null
for _ in $(seq 100); do
  fetched_at=$(feed_fetched_at "$port")
  [[ $fetched_at == null ]] || break
  sleep 0.1
done
[[ $fetched_at != null && $fetched_at != missing ]] || fail "the test feed was never attempted (lastFetchedAt: $fetched_at)"
pass "first poll attempt recorded (lastFetchedAt $fetched_at)"

step "stop (SIGTERM)"
t0=$(now_ms)
eng stop -t 10 "$run_id-1" >/dev/null
stop_ms=$(($(now_ms) - t0))
exit_code=$("${engine[@]}" inspect --format '{{.State.ExitCode}}' "$run_id-1")
[[ $exit_code == 0 ]] || fail "exit code $exit_code after SIGTERM (expected 0)"
((stop_ms < 5000)) || fail "stop took $stop_ms ms (SIGTERM should end newsmerge within 2 s)"
logs=$("${engine[@]}" logs "$run_id-1" 2>&1)
[[ $logs == *'shutting down'* ]] || fail "no 'shutting down' line in the log: SIGTERM did not reach the server"
[[ $logs != *'Assertion failed'* ]] || fail "native assertion in the log"
pass "stopped in $stop_ms ms, exit code 0"

step "a new container on the same volume"
run_server "$run_id-2"
wait_healthz "$port" 15000 >/dev/null || fail "/healthz did not answer within 15 s on the reused volume"
again=$(feed_fetched_at "$port")
[[ $again == "$fetched_at" ]] || fail "feed state not kept across containers (lastFetchedAt $fetched_at, now $again)"
pass "feed state kept (lastFetchedAt $again)"
eng stop -t 10 "$run_id-2" >/dev/null

step "$starts starts at once, each must still run after 3 s"
names=()
for i in $(seq "$starts"); do
  names+=("$run_id-s$i")
  containers+=("$run_id-s$i")
  eng run -d --name "$run_id-s$i" -v "$work/feeds.config.json:/app/feeds.config.json:ro" "$image" >/dev/null
done
sleep 3
died=0
for n in "${names[@]}"; do
  state=$("${engine[@]}" inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$n")
  if [[ $state != running* ]]; then
    died=$((died + 1))
    echo "   $n: $state" >&2
    "${engine[@]}" logs "$n" 2>&1 | grep -v 'systemd connection' | head -n 8 >&2
  fi
done
((died == 0)) || fail "$died of $starts containers died within 3 s of starting"
pass "all $starts running"

printf '\nPASS test:container (%s): build %d s, image %d MB, /healthz after %d ms, stop %d ms\n' \
  "$(basename "${engine[0]}")" $((build_ms / 1000)) $((size_bytes / 1000000)) "$healthz_ms" "$stop_ms"
