#!/usr/bin/env bash
# Records compare's corpus (see README.md here): AA_RUNS independent runs of
# scenario.yaml into aa/run-NN and, for each delay in SHIFTS, SHIFT_RUNS runs with
# env.network.latency=<delay> into shifted-<delay>/run-NN, interleaved (aa,
# shifted-10ms, shifted-30ms, aa, ...) so that whatever the machine does over the
# recording affects every set alike. Each run is its own `abload run` (a fresh
# environment: new JVMs, JIT, partition placement). An invalid or failed run is
# recorded again (and noted in recording.txt), so each set holds only valid runs.
# Only result.json and latency.hlog are kept. A set with 0 runs is left as it is.
#
# Usage: reports/testdata/corpus/record.sh [OUT_DIR]   (default: this directory)
# Environment: ABLOAD_BIN (default build/abload), AA_RUNS (16), SHIFTS ("10ms 30ms"),
# SHIFT_RUNS (12), MAX_TRIES (3 per run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$here}
bin=${ABLOAD_BIN:-$root/build/abload}
aa=${AA_RUNS:-16}
shifts=${SHIFTS:-10ms 30ms}
sh=${SHIFT_RUNS:-12}
tries=${MAX_TRIES:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sets=()
[ "$aa" -gt 0 ] && sets+=(aa)
if [ "$sh" -gt 0 ]; then
  for s in $shifts; do sets+=("shifted-$s"); done
fi
mkdir -p "$out"
for set in "${sets[@]}"; do
  rm -rf "${out:?}/$set"
  mkdir -p "$out/$set"
done
log="$out/recording.txt"
{
  echo "recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) CPUs) with $("$bin" version)"
  echo "sets: ${sets[*]} (aa: $aa runs of scenario.yaml; shifted-<delay>: $sh runs with --set env.network.latency=<delay>); interleaved"
} >>"$log"

record() { # set index extra-args...
  local set=$1 i=$2; shift 2
  local name; name=$(printf 'run-%02d' "$i")
  for t in $(seq "$tries"); do
    local dir="$work/$set-$name-$t"
    local code=0
    "$bin" run "$here/scenario.yaml" --out "$dir" --force "$@" >"$work/last.out" 2>"$work/last.err" || code=$?
    if [ "$code" -eq 0 ]; then
      mkdir -p "$out/$set/$name"
      cp "$dir/result.json" "$dir/latency.hlog" "$out/$set/$name/"
      echo "$set/$name: ok (try $t)" | tee -a "$log"
      return 0
    fi
    echo "$set/$name: try $t exited $code: $(grep -h 'invalid\|failed' "$work/last.out" "$work/last.err" | head -3 | tr '\n' ' ')" | tee -a "$log"
  done
  echo "$set/$name: no valid run in $tries tries" | tee -a "$log"
  return 1
}

n=$(( aa > sh ? aa : sh ))
for i in $(seq "$n"); do
  for set in "${sets[@]}"; do
    case $set in
      aa) [ "$i" -le "$aa" ] && record aa "$i" ;;
      shifted-*) [ "$i" -le "$sh" ] && record "$set" "$i" --set "env.network.latency=${set#shifted-}" ;;
    esac
  done
done
for set in "${sets[@]}"; do
  echo "done: $(ls "$out/$set" | wc -l) runs in $out/$set" | tee -a "$log"
done
