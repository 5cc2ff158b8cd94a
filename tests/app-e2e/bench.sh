#!/usr/bin/env bash
# Performance of the real desktop app on a big archive (scripts/bench.sh app [SENT] runs
# it on the cached forge corpus of SENT sent messages, default 100,000):
#   tests/app-e2e/bench.sh CORPUS ARCHIVE
# CORPUS is a cartolina-forge output (mail/, trust/, manifest.json). ARCHIVE is made
# once with `cartolina scan` (its time is printed) and reused; the corpus mailbox is the
# app's one source there (app-sources.json, as if added in the app and scanned), with
# the corpus's test root imported. Then, under Xvfb over WebDriver (lib.sh), bench.mjs
# measures window-interactive time over RUNS launches, search-as-you-type latency per
# keystroke, and the app's idle CPU and memory. APP= skips building the app.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
corpus="$(cd "${1:?usage: bench.sh CORPUS ARCHIVE}" && pwd)"
archive="${2:?usage: bench.sh CORPUS ARCHIVE}"
"$root/scripts/setup.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ -z "${APP:-}" ]; then
  (cd "$root/ui" && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
  cargo build --release -q -p cartolina-app -p cartolina-cli --manifest-path "$root/Cargo.toml"
  APP="$CARGO_TARGET_DIR/release/cartolina-app"
fi
CLI="${CLI:-$(dirname "$APP")/cartolina}"
app_e2e_tauri_driver
(cd "$here" && { [ -d node_modules/selenium-webdriver ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })

if [ ! -f "$archive/.app-bench-scanned" ]; then
  echo "app-bench: scanning $corpus/mail into $archive (once) ..." >&2
  mkdir -p "$archive"
  /usr/bin/time -f "app-bench: scan %e s wall, %U s user, peak RSS %M KB" \
    env CARTOLINA_ARCHIVE="$archive" "$CLI" scan --trust "$corpus/trust/test-root.pem" "$corpus/mail" >"$archive/scan.log" 2>&1 \
    || { tail -20 "$archive/scan.log" >&2; exit 1; }
  tail -1 "$archive/scan.log" >&2
  touch "$archive/.app-bench-scanned"
fi
# An archive scanned by an older build is upgraded by a writer (a re-scan: files known).
if ! CARTOLINA_ARCHIVE="$archive" "$CLI" status --state failed >/dev/null 2>&1; then
  echo "app-bench: upgrading $archive (re-scan) ..." >&2
  CARTOLINA_ARCHIVE="$archive" "$CLI" scan "$corpus/mail" >"$archive/rescan.log" 2>&1 || { tail -5 "$archive/rescan.log" >&2; exit 1; }
fi
# The app's view of it: the corpus mailbox as its source, the test root as a user anchor.
mkdir -p "$archive/trust"
cp "$corpus/trust/test-root.pem" "$archive/trust/certificate-forge-test-root.pem"
cards="$(CARTOLINA_ARCHIVE="$archive" "$CLI" status --json 2>/dev/null | wc -l || true)"
node -e '
  const [dir, path, n] = process.argv.slice(1);
  require("fs").writeFileSync(dir + "/app-sources.json", JSON.stringify([{ id: 1, path, kind: "maildir", paused: false,
    last_scan: new Date().toISOString().replace(/\.\d+Z$/, "Z"), messages: Number(n) }], null, 2));
' "$archive" "$(realpath "$corpus/mail")" "$cards"
echo "app-bench: archive $archive: $cards cards ($(du -sh "$archive" | cut -f1))" >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/cartolina-app-bench.XXXXXX")"
trap 'app_e2e_cleanup; grep -h "cartolina-app:" "$work/driver.log" >"${APP_BENCH_LOG:-/dev/stderr}" || true; rm -rf "$work"' EXIT
export CARTOLINA_ARCHIVE="$archive" CARTOLINA_APP_CONFIG="$work/app.json" CARTOLINA_APP_TIMING=1 APP MANIFEST="$corpus/manifest.json" DRIVER_LOG="$work/driver.log"
app_e2e_display "$work"
app_e2e_driver "$work"
node "$here/bench.mjs"
