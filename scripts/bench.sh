#!/usr/bin/env bash
# Benchmarks. Usage: scripts/bench.sh parse|archive|verify|watch [SENT_MESSAGES]   (default 100000)
# Generates a forge Maildir corpus once (cached under $CARTOLINA_BENCH_DIR, default
# /tmp/cartolina-bench), then measures parse + classify throughput on one core (parse), or
# the archive: cold scan rate (wall and per CPU second), rescan time, search p50/p99,
# status time, peak RSS, archive size over the raw mail, and the same Maildir through
# `notmuch new` and `openssl smime -verify` with the ratios; then the archive grown to
# CARTOLINA_BENCH_SCALE messages (default 1,000,000; 0 to skip) by replicating its rows
# (see crates/bench/src/archive_bench/scale.rs) for search and status at that size.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
"$here/scripts/setup.sh"
what="${1:-parse}"
n="${2:-100000}"
root="${CARTOLINA_BENCH_DIR:-/tmp/cartolina-bench}"
cargo build --release -q -p cartolina-forge -p cartolina-bench
target="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release"
mkdir -p "$root"
# watch: live sources (latency, mbox append bytes, idle CPU) on generated data; the
# second argument is the mbox size in MiB (default 2048).
if [ "$what" = watch ]; then exec "$target/cartolina-bench" watch --mbox-mb "${2:-2048}"; fi
corpus="$root/maildir-$n"
if [ ! -f "$corpus/manifest.json" ]; then
  echo "generating a forge corpus of $n sent messages in $corpus ..." >&2
  rm -rf "$corpus"
  /usr/bin/time -v "$target/cartolina-forge" --seed 1 --messages "$n" --format maildir --out "$corpus" 2> "$root/forge-$n.time" || { cat "$root/forge-$n.time" >&2; exit 1; }
  grep -E "Elapsed|Maximum resident" "$root/forge-$n.time" >&2
fi
case "$what" in
  parse) "$target/cartolina-bench" parse "$corpus/mail" --passes 2 ;;
  archive)
    # notmuch only for this comparison: installed here, not by setup.sh (which the tests use).
    if ! command -v notmuch >/dev/null; then
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends notmuch >/dev/null
    fi
    "$target/cartolina-bench" archive "$corpus" --archive "$root/archive-$n" --notmuch --openssl-sample 200 \
      --scale-to "${CARTOLINA_BENCH_SCALE:-1000000}" ;;
  # Receipts/s (RSA-2048 and P-256 providers; ring fast path and path cache on, then
  # each off), a 100 MiB .p7m (GB/s, peak RSS), openssl cms -verify on the same files.
  verify) "$target/cartolina-bench" verify "$corpus" --limit 20000 --passes 3 --openssl-sample 200 --p7m-mb 100 ;;
  # The desktop app over that corpus (scanned once into its own archive): window
  # interactive, search-as-you-type per keystroke, idle CPU and memory (tests/app-e2e/bench.sh).
  app) exec "$here/tests/app-e2e/bench.sh" "$corpus" "$root/app-archive-$n" ;;
  *) echo "unknown benchmark: $what" >&2; exit 2 ;;
esac
