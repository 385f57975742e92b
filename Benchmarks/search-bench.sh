#!/usr/bin/env bash
# Search at archive scale: a generated mail archive imported into one site, measured in one run.
#
#   Benchmarks/search-bench.sh [MESSAGES] [CORPUS_DIR]
#
# 1. generates the corpus with Benchmarks/mail-corpus.py (skipped when CORPUS_DIR has one),
# 2. imports every list's mbox into /lists/<list> of a fresh site (parse, decode, store,
#    revision, catalog: the whole write path), timing it,
# 3. inserts the same texts into a bare FTS5 table with the catalog's options (the peer), and
#    for reference with FTS5's default hashsize,
# 4. runs the query sets of queries.json against the site (anonymous visitor, p50/p90/p99).
# Needs a release build: swift build -c release --product portico
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000}
corpus=${2:-/tmp/portico-corpus-$messages}
data=$(mktemp -d /tmp/portico-search-bench.XXXXXX)
portico=.build/release/portico
[ -x "$portico" ] || { echo "build first: swift build -c release --product portico" >&2; exit 1; }

if [ ! -f "$corpus/queries.json" ]; then
  python3 Benchmarks/mail-corpus.py --messages "$messages" --lists 142 --seed 1 --out "$corpus"
fi
$portico site create archive --data "$data" >/dev/null

echo "== import (every list into /lists/<list>, one run)"
start=$(date +%s.%N)
line=$($portico site import-mbox archive /lists "$corpus"/mbox/*.mbox --folder-per-file --data "$data" 2>/dev/null | tail -1)
imported=$(echo "$line" | sed -E 's/.*: ([0-9]+) messages imported.*/\1/')
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc -l)
rate=$(echo "$imported / $seconds" | bc -l)
printf "imported %d messages in %.1f s: %.0f messages/s (end to end, including process start)\n" "$imported" "$seconds" "$rate"
du -sh "$data/sites/archive/content.sqlite" | sed 's/^/site database: /'

echo "== peer: the same texts into a bare FTS5 table (catalog options, same transaction size)"
$portico site fts-baseline "$corpus"/mbox/*.mbox --variant catalog
echo "== for reference: the same with FTS5's default hashsize (1 MB)"
$portico site fts-baseline "$corpus"/mbox/*.mbox --variant catalog-defaults

echo "== queries (anonymous visitor, first page of 20, excerpts included)"
$portico site search archive --benchmark "$corpus/queries.json" --lists-folder /lists --data "$data"
echo "data folder kept at $data (delete it when done)"
