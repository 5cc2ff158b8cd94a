#!/usr/bin/env bash
# Everything the UI needs to be tested, from a fresh checkout: npm ci, Debian's chromium
# (installed with apt when missing, idempotent), unit tests (vitest) and the E2E suite
# (mock build + headless chromium). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "test-all: installing chromium (Debian package)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "test-all: chromium missing and not root (no sudo): cannot install it" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== ui type check (svelte-check)"
npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine | tail -1

echo "== ui unit tests (vitest)"
npx vitest run

echo "== ui e2e (mock IPC, headless chromium)"
npm run --silent build:mock >/dev/null
node e2e/run.mjs
