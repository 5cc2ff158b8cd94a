#!/usr/bin/env bash
# Fuzz one target for a while: fuzz/run.sh classify|daticert|cms|smime [SECONDS] (default 600).
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP lets the stable toolchain
# (the only one this project uses) accept them.
set -euo pipefail
cd "$(dirname "$0")"
target="${1:?usage: fuzz/run.sh classify|daticert|cms|smime [SECONDS]}"
secs="${2:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p "corpus/$target"
# Seed the corpus with the real samples (and their daticert parts for the XML target).
if [ "$target" = classify ]; then cp -n ../../shared/samples/real/*.eml "corpus/$target/" 2>/dev/null || true; fi
if [ "$target" = daticert ]; then cp -n seeds/daticert/* "corpus/$target/" 2>/dev/null || true; fi
# cms: the real .p7m files and the DER signatures of the real receipts; smime: whole messages.
if [ "$target" = cms ] || [ "$target" = smime ]; then cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true; fi
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=1048576
