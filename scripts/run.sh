#!/usr/bin/env bash
# Runs Cartolina: the desktop app when there is a display (with no source configured it
# offers the bundled demo mailbox), else the `cartolina` CLI, which inspects the paths you
# give (Maildir, mbox, .eml folders, .p7m files) or, with none, the demo mailbox.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/setup.sh"
# Git keeps no empty folders: give the demo Maildir back the ones it lacks.
mkdir -p "$here/demo/mailbox/tmp" "$here/demo/mailbox/.Sent/new" "$here/demo/mailbox/.Sent/tmp"
# With a display, the desktop app (`cartolina-app [PATH...]`; with no source yet it offers
# the demo); without one, or with CARTOLINA_CLI=1, the CLI below.
if [ -z "${CARTOLINA_CLI:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  (cd "$here/ui" && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
  exec cargo run --manifest-path "$here/Cargo.toml" --release -q --bin cartolina-app -- "$@"
fi
if [ $# -eq 0 ]; then
  set -- "$here/demo/mailbox"
fi
exec cargo run --manifest-path "$here/Cargo.toml" --release -q --bin cartolina -- inspect "$@"
