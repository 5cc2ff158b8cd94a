#!/usr/bin/env bash
# Installs everything Cartolina needs on a fresh Debian 12 machine that has only the
# Rust toolchain, Node/npm and apt. Idempotent: installs only what is missing.
set -euo pipefail

# Debian packages: openssl is the independent reference the tests compare our
# signatures and verdicts against; dovecot (IMAP + LMTP) and isync (mbsync) are the real
# mail software the live-sources end-to-end test delivers through.
APT_PACKAGES=(openssl ca-certificates pkg-config time dovecot-imapd dovecot-lmtpd isync)
# The desktop app (src-tauri, Tauri 2): WebKitGTK 4.1 and GTK to build it; Xvfb, xauth,
# WebKitWebDriver (webkit2gtk-driver) and imagemagick to run and screenshot it headless.
APT_PACKAGES+=(build-essential libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libssl-dev xvfb xauth webkit2gtk-driver imagemagick)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }
