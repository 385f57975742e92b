#!/usr/bin/env bash
# Many sites per node (issue: site lifecycle). Creates N sites (default 10,000) in a fresh data
# folder, timing creation per site; then serves them and requests the home page of every site
# once, in random order, measuring each request (most are a first hit on a site whose
# database is not open); finally reports throughput, latency percentiles, the server's open
# file descriptors (/proc/<pid>/fd) and resident memory.
#
# usage: Benchmarks/sites-bench.sh [sites (10000)] [max_open_sites (64)]
# needs: a release build (swift build -c release --product portico), python3
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${1:-10000}
MAX_OPEN=${2:-64}
BIN=.build/release/portico
[ -x "$BIN" ] || { echo "build first: swift build -c release --product portico" >&2; exit 1; }
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export PORTICO_LOG_ACCESS=off PORTICO_STORAGE_MAX_OPEN_SITES=$MAX_OPEN

echo "== creating $SITES sites"
START=$(date +%s.%N)
seq -f "s%05g" 1 "$SITES" | xargs -n 1000 "$BIN" site create --data "$WORK/data" 2>/dev/null | sed 's/^/   /'
END=$(date +%s.%N)
python3 -c "print('   total %.1f s, %.2f ms per site' % (($END-$START), ($END-$START)*1000/$SITES))"
du -sh "$WORK/data" | sed 's/^/   data folder: /'

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --data "$WORK/data" --port "$PORT" --no-demo --log-level error > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/_health/ready" && break; sleep 0.1; done
echo "== one request per site, random order (max_open_sites=$MAX_OPEN)"
python3 Benchmarks/sites_client.py "$PORT" "$SITES" "$PID"
