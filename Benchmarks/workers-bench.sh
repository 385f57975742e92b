#!/usr/bin/env bash
# Supervised workers under load (issue: operations). Starts `portico serve --workers N`, runs
# wrk against a page, and during the run (1) sends SIGHUP for a rolling restart, then (2) kills
# one worker with SIGKILL. Prints wrk's summary (requests, non-2xx, socket errors) for each
# phase and what the supervisor logged.
#
# usage: Benchmarks/workers-bench.sh [workers (2)] [connections (32)] [seconds per phase (10)]
# needs: wrk (apt-get install wrk) and a release build (swift build -c release --product portico)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-2}
CONNECTIONS=${2:-32}
SECONDS_PER_PHASE=${3:-10}
BIN=.build/release/portico
[ -x "$BIN" ] || { echo "build first: swift build -c release --product portico" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
WORK=$(mktemp -d)
SUPERVISOR=""
cleanup() { [ -n "$SUPERVISOR" ] && kill "$SUPERVISOR" 2>/dev/null || true; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
export PORTICO_LOG_ACCESS=off

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --data "$WORK/data" --port "$PORT" --workers "$WORKERS" --log-level warning > "$WORK/serve.log" 2>&1 &
SUPERVISOR=$!
for _ in $(seq 1 300); do grep -q "worker $((WORKERS - 1)) ready" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/news"
summary() { grep -E "requests in|Non-2xx|Socket errors|Requests/sec|Latency" "$1" | sed 's/^/   /'; grep -q "Non-2xx" "$1" || echo "   Non-2xx or 3xx responses: 0"; }

echo "== steady load, no event ($SECONDS_PER_PHASE s, $CONNECTIONS connections, $WORKERS workers)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" --latency -H "Host: demo.localhost" "$URL" > "$WORK/steady.txt"
summary "$WORK/steady.txt"

echo "== SIGHUP rolling restart during the load"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" -H "Host: demo.localhost" "$URL" > "$WORK/hup.txt" &
WRK=$!
sleep 2
kill -HUP "$SUPERVISOR"
wait $WRK
summary "$WORK/hup.txt"

echo "== SIGKILL of one worker during the load"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" -H "Host: demo.localhost" "$URL" > "$WORK/kill.txt" &
WRK=$!
sleep 2
VICTIM=$(grep -o "started worker 0 (pid [0-9]*)" "$WORK/serve.log" | tail -1 | grep -o "[0-9]*)" | tr -d ')')
kill -9 "$VICTIM"
wait $WRK
summary "$WORK/kill.txt"

echo "== supervisor"
grep "^supervisor" "$WORK/serve.log" | sed 's/^/   /'
