#!/usr/bin/env bash
# Runs every test: set-up, then the whole Rust workspace (unit, integration and
# end-to-end tests of the real binaries, incl. a 10,000-message forge corpus checked
# against its manifest and openssl cross-checks), then the UI (type check, vitest, and
# the UI in headless Chromium against mocked IPC), then the real desktop app over
# WebDriver (tauri-driver + WebKitWebDriver under Xvfb, tests/app-e2e/run.sh) on the
# release binary built here. Release profile: the corpus tests sign and parse tens of
# thousands of messages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The desktop app (src-tauri) embeds the built UI (ui/dist): build it before cargo.
(cd ui && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
# The end-to-end tests run the real binaries from the same target directory.
cargo build --release --workspace --bins
cargo test --release --workspace
ui/scripts/test-all.sh
# The real app, the binaries built above (not built twice).
target="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release"
APP="$target/cartolina-app" FORGE="$target/cartolina-forge" tests/app-e2e/run.sh
