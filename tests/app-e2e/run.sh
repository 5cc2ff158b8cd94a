#!/usr/bin/env bash
# End-to-end test of the real desktop app over WebDriver, headless under Xvfb:
# builds the UI and the release binary, installs tauri-driver (pinned) when missing,
# runs run.mjs against a fresh archive and a fresh app config (the demo mailbox is the
# source it adds). Screenshots go to tests/app-e2e/artifacts/ (gitignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/scripts/setup.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

(cd "$root/ui" && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
# APP=/path/to/cartolina-app skips the build (e.g. a debug build).
if [ -z "${APP:-}" ]; then
  cargo build --release -p cartolina-app --manifest-path "$root/Cargo.toml"
  APP="$CARGO_TARGET_DIR/release/cartolina-app"
fi

TAURI_DRIVER="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"
if [ ! -x "$TAURI_DRIVER" ]; then
  # 2.1.0 builds on rustc 1.95 (3.x is an alpha).
  cargo install tauri-driver@2.1.0 --locked
  TAURI_DRIVER="$HOME/.cargo/bin/tauri-driver"
fi
(cd "$here" && { [ -d node_modules/selenium-webdriver ] || npm install --no-audit --no-fund --loglevel=error; })

work="$(mktemp -d)"
trap 'kill "${driver_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export CARTOLINA_ARCHIVE="$work/archive" CARTOLINA_APP_CONFIG="$work/app.json" CARTOLINA_E2E=1
export SAMPLES="${SAMPLES:-$root/../shared/samples/real}" APP
mkdir -p "$root/demo/mailbox/tmp" "$root/demo/mailbox/.Sent/new" "$root/demo/mailbox/.Sent/tmp"
rm -rf "$here/artifacts"

xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  "$0" --port 4444 --native-driver /usr/bin/WebKitWebDriver >"'"$work"'/driver.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.2; done
  node "'"$here"'/run.mjs"; rc=$?
  kill $pid 2>/dev/null
  exit $rc
' "$TAURI_DRIVER"
