# Shared by run.sh and bench.sh (sourced): the pinned tauri-driver, a free X display and
# free WebDriver ports. Every process started here is killed by app_e2e_cleanup, by id.

# tauri-driver, pinned: 2.1.0 builds on rustc 1.95 (3.x is an alpha). Installed into
# ~/.cargo/bin (never into the repository) when that exact version is missing; the
# check reads cargo's own list, so no network once it is there. Sets TAURI_DRIVER.
app_e2e_tauri_driver() {
  local version=2.1.0
  if [ -n "${TAURI_DRIVER:-}" ]; then return; fi
  TAURI_DRIVER="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
  if [ ! -x "$TAURI_DRIVER" ] || ! cargo install --list 2>/dev/null | grep -qx "tauri-driver v$version:"; then
    echo "app-e2e: installing tauri-driver $version (cargo install, into ~/.cargo/bin)" >&2
    # Its own temporary build folder, not the workspace's target directory.
    env -u CARGO_TARGET_DIR cargo install "tauri-driver@$version" --locked --quiet
  fi
  [ -x /usr/bin/WebKitWebDriver ] || { echo "app-e2e: /usr/bin/WebKitWebDriver missing (Debian webkit2gtk-driver)" >&2; return 1; }
}

# Xvfb on a display it picks itself (-displayfd): a stale /tmp/.X*-lock or a display in
# use cannot fail the run. Sets DISPLAY and APP_E2E_XVFB_PID. $1: a scratch folder.
app_e2e_display() {
  local work="$1" n=""
  # The file exists before Xvfb starts: the background job opens it only when it runs,
  # and the first read below may come before that.
  : >"$work/display"
  Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
  APP_E2E_XVFB_PID=$!
  for _ in $(seq 100); do
    n="$(tr -dc 0-9 <"$work/display" || true)"
    [ -n "$n" ] && break
    kill -0 "$APP_E2E_XVFB_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$n" ] || { cat "$work/xvfb.log" >&2; echo "app-e2e: Xvfb did not start" >&2; return 1; }
  export DISPLAY=":$n"
}

# tauri-driver (and the WebKitWebDriver it runs) on two free ports, not a fixed
# 4444/4445, in its own process group so that the app it launches goes with it.
# Sets TAURI_DRIVER_URL and APP_E2E_DRIVER_PID. The environment it is started with is
# the app's. $1: a scratch folder.
app_e2e_driver() {
  local work="$1" port native_port
  read -r port native_port < <(node -e '
    const net = require("net"); const ports = [];
    const one = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ports.push(s.address().port);
      s.close(() => (ports.length < 2 ? one() : console.log(ports.join(" ")))); }); };
    one();')
  setsid "$TAURI_DRIVER" --port "$port" --native-port "$native_port" --native-driver /usr/bin/WebKitWebDriver >"$work/driver.log" 2>&1 &
  APP_E2E_DRIVER_PID=$!
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$APP_E2E_DRIVER_PID" 2>/dev/null || { cat "$work/driver.log" >&2; echo "app-e2e: tauri-driver died" >&2; return 1; }
    sleep 0.1
  done
  export TAURI_DRIVER_URL="http://127.0.0.1:$port"
}

app_e2e_cleanup() {
  if [ -n "${APP_E2E_DRIVER_PID:-}" ]; then kill -- -"$APP_E2E_DRIVER_PID" 2>/dev/null || true; fi
  if [ -n "${APP_E2E_XVFB_PID:-}" ]; then kill "$APP_E2E_XVFB_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
