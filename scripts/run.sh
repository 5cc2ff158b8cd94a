#!/usr/bin/env bash
# Runs Cartolina. Until the desktop app lands this is the `cartolina` CLI: it inspects
# the paths you give (Maildir, mbox, .eml folders, .p7m files) or, with none, the
# bundled demo mailbox.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/setup.sh"
# Git keeps no empty folders: give the demo Maildir back the ones it lacks.
mkdir -p "$here/demo/mailbox/tmp" "$here/demo/mailbox/.Sent/new" "$here/demo/mailbox/.Sent/tmp"
if [ $# -eq 0 ]; then
  set -- "$here/demo/mailbox"
fi
exec cargo run --manifest-path "$here/Cargo.toml" --release -q --bin cartolina -- inspect "$@"
