#!/usr/bin/env bash
# End-to-end test of the real desktop app over WebDriver, headless under Xvfb.
#
# Builds the UI and the release binary (skipped with APP=/path/to/cartolina-app, which
# scripts/test.sh passes so that the app is built once), installs tauri-driver 2.1.0
# into ~/.cargo/bin when that exact version is missing, writes a forge Maildir
# (cartolina-forge, with its manifest as the answer key) and runs run.mjs against the real
# binary with a fresh archive and a fresh app config. Xvfb picks a free display and the
# drivers free ports (lib.sh). Screenshots of every screen: tests/app-e2e/artifacts/
# (gitignored).
#
# Environment: APP, FORGE (cartolina-forge binary), FORGE_MESSAGES (default 300),
# SAMPLES (folder with infocert-fattura.xml.p7m; default the repository's fuzz seeds),
# TAURI_DRIVER, KEEP_WORK=1 (keep the scratch folder: logs, archive).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
"$root/scripts/setup.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ -z "${APP:-}" ]; then
  (cd "$root/ui" && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
  cargo build --release -p cartolina-app --manifest-path "$root/Cargo.toml"
  APP="$CARGO_TARGET_DIR/release/cartolina-app"
fi
FORGE="${FORGE:-$CARGO_TARGET_DIR/release/cartolina-forge}"
[ -x "$FORGE" ] || cargo build --release -q -p cartolina-forge --manifest-path "$root/Cargo.toml"
app_e2e_tauri_driver
(cd "$here" && { [ -d node_modules/selenium-webdriver ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })

work="$(mktemp -d "${TMPDIR:-/tmp}/cartolina-app-e2e.XXXXXX")"
trap 'app_e2e_cleanup; if [ -n "${KEEP_WORK:-}" ]; then echo "app-e2e: kept $work" >&2; else rm -rf "$work"; fi' EXIT

# The mailbox the test adds as a source: a forge Maildir and its manifest.
"$FORGE" --seed 11 --messages "${FORGE_MESSAGES:-300}" --format maildir --out "$work/forge" >"$work/forge.log" 2>&1 \
  || { cat "$work/forge.log" >&2; exit 1; }
# Mail that arrives later, copied into that source while the app watches it.
"$FORGE" --seed 12 --messages 5 --format maildir --start-date 2026-11-25 --end-date 2026-11-26 --out "$work/later" >>"$work/forge.log" 2>&1 \
  || { cat "$work/forge.log" >&2; exit 1; }
# Git keeps no empty folders: the demo Maildir's (the test opens the demo too).
mkdir -p "$root/demo/mailbox/tmp" "$root/demo/mailbox/.Sent/new" "$root/demo/mailbox/.Sent/tmp"

# The app's environment (inherited through tauri-driver and WebKitWebDriver): a fresh
# archive and app config; CARTOLINA_E2E lets the test emit the native file-drop event.
export CARTOLINA_ARCHIVE="$work/archive" CARTOLINA_APP_CONFIG="$work/app.json" CARTOLINA_E2E=1 CARTOLINA_APP_TIMING=1
export SAMPLES="${SAMPLES:-$root/fuzz/seeds/cms}" APP FORGE_DIR="$work/forge" LATER_DIR="$work/later"
app_e2e_display "$work"
app_e2e_driver "$work"

rm -rf "$here/artifacts"
rc=0
node "$here/run.mjs" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "--- tauri-driver / app log (tail)" >&2
  tail -n 40 "$work/driver.log" >&2 || true
fi
exit "$rc"
