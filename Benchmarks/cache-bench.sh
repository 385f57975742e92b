#!/usr/bin/env bash
# Response cache benchmark (issue: shared cache). In one run, on 127.0.0.1, with wrk:
#   (a) nginx serving the rendered page saved as a static file,
#   (b) Portico serving the same page from its response cache,
#   (c) Portico with the cache off (every request renders).
# Prints req/s and p99 latency for each and the ratios b/a and b/c.
#
# usage: Benchmarks/cache-bench.sh [seconds per run (10)] [connections (64)] [path (/news)] [rounds (1)]
# With several rounds, (a), (b) and (c) are measured in turn that many times, and the medians
# (and the median of each round's b/a) are printed too: this machine's speed drifts from one
# minute to the next, and interleaving keeps a slow minute from landing on one server only.
# needs: wrk and nginx (apt-get install wrk nginx), a release build (swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-64}
PAGE=${3:-/news}
ROUNDS=${4:-1}
BIN=.build/release/portico
[ -x "$BIN" ] || { echo "build first: swift build -c release --product portico" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }

WORK=$(mktemp -d)
export PORTICO_LOG_ACCESS=off  # nginx logs nothing either
chmod 755 "$WORK"  # nginx workers run as an unprivileged user
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

CACHED=$(free_port); UNCACHED=$(free_port); STATIC=$(free_port)
"$BIN" serve --data "$WORK/data" --port "$CACHED" --log-level error > "$WORK/cached.log" 2>&1 & PIDS+=($!)
wait_ready "http://127.0.0.1:$CACHED/_health/live"
"$BIN" serve --data "$WORK/data" --port "$UNCACHED" --cache-size 0 --max-renders 256 --log-level error > "$WORK/uncached.log" 2>&1 & PIDS+=($!)
wait_ready "http://127.0.0.1:$UNCACHED/_health/live"

mkdir -p "$WORK/www"
curl -sf -H "Host: demo.localhost" "http://127.0.0.1:$CACHED$PAGE" -o "$WORK/www/page.html"
SIZE=$(wc -c < "$WORK/www/page.html")
cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$STATIC;
        root $WORK/www;
        location / { default_type text/html; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -g "daemon off;" & PIDS+=($!)
wait_ready "http://127.0.0.1:$STATIC/page.html"

run() { # name url [header]
    local name=$1 url=$2 header=${3:-}
    # Warm up (fills the cache, opens connections), then measure.
    wrk -t2 -c"$CONNECTIONS" -d2s ${header:+-H "$header"} "$url" > /dev/null
    local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency ${header:+-H "$header"} "$url")
    local rps p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
    printf "%-28s %12s req/s   p99 %8s   %s\n" "$name" "$rps" "$p99" "$errors"
    eval "RPS_$name+=\" $rps\""
}

echo "page $PAGE ($SIZE bytes), ${DURATION}s per run, $CONNECTIONS connections, wrk -t2 on the same $(nproc) cores, $ROUNDS round(s)"
RPS_nginx_static=""; RPS_portico_cached=""; RPS_portico_uncached=""
for round in $(seq 1 "$ROUNDS"); do
    [ "$ROUNDS" -gt 1 ] && echo "round $round"
    run nginx_static "http://127.0.0.1:$STATIC/page.html"
    run portico_cached "http://127.0.0.1:$CACHED$PAGE" "Host: demo.localhost"
    run portico_uncached "http://127.0.0.1:$UNCACHED$PAGE" "Host: demo.localhost"
done
python3 - "$RPS_nginx_static" "$RPS_portico_cached" "$RPS_portico_uncached" <<'PY'
import statistics, sys
a, b, c = ([float(x) for x in arg.split()] for arg in sys.argv[1:4])
ratios = [y / x for x, y in zip(a, b)]
label = "" if len(a) == 1 else f" (median of {len(a)} rounds)"
if len(a) > 1:
    print(f"medians: nginx {statistics.median(a):,.0f}, cached {statistics.median(b):,.0f}, uncached {statistics.median(c):,.0f} req/s")
print(f"b/a (cached / nginx)    = {statistics.median(ratios):.2f}{label}   goal >= 0.80")
print(f"b/c (cached / uncached) = {statistics.median(b) / statistics.median(c):.2f}")
print(f"c (uncached)            = {statistics.median(c):,.0f} req/s{label}   goal >= 8,000")
PY
