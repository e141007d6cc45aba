#!/bin/sh
# Runs a command where the OS keychain works: `sh scripts/with-keychain.sh CMD [ARG...]`.
#
# On Linux the keychain is the Secret Service (org.freedesktop.secrets on the D-Bus session bus). If
# the session bus already has one (a desktop with GNOME Keyring or KeePassXC), CMD runs as it is.
# Otherwise (CI, containers, ssh) CMD runs inside a private session bus with its own
# gnome-keyring-daemon, unlocked with a throwaway password, whose keyring lives in a temporary
# directory that is removed afterwards. Only the daemon sees that directory: CMD keeps its HOME and
# XDG variables, so npm, psql (~/.psqlrc) and the rest behave as without this script.
# Needs the Debian packages gnome-keyring and dbus (dbus-run-session, dbus-send).
# On macOS and Windows the keychain needs nothing, and CMD runs as it is.
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: sh scripts/with-keychain.sh CMD [ARG...]" >&2
  exit 2
fi

secret_service_running() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] &&
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'
}

if [ "$(uname -s)" != Linux ] || secret_service_running; then
  exec "$@"
fi

for tool in dbus-run-session dbus-send dbus-update-activation-environment gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "scripts/with-keychain.sh: there is no Secret Service on a session bus and $tool is missing to start one; install it with: apt-get install gnome-keyring dbus" >&2
    exit 1
  fi
done

keychain_dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-tunnel-keychain.XXXXXX")
# dbus-run-session ends its bus (and with it the keyring daemon) only when CMD exits by itself: a
# signal that stops this script or dbus-run-session would leave both running, reparented to init.
# So the inner script writes the pids of CMD, the bus daemon and the keyring daemon here, a
# signal is passed on to CMD, and on the way out whatever of the daemons is left is stopped.
pids=$keychain_dir/pids
child=
cleanup() {
  if [ -s "$pids" ]; then
    # The first line is CMD's pid, ended by now; the others are the daemons'.
    for pid in $(tail -n +2 "$pids"); do
      kill "$pid" 2>/dev/null || true
    done
  fi
  rm -rf "$keychain_dir"
}
stop() { # $1: the signal, $2: the exit status it means
  if [ -s "$pids" ]; then
    kill "-$1" "$(head -n 1 "$pids")" 2>/dev/null || true
  fi
  if [ -n "$child" ]; then
    wait "$child" 2>/dev/null || true
  fi
  exit "$2"
}
trap cleanup EXIT
trap 'stop INT 130' INT
trap 'stop TERM 143' TERM

# The inner script runs with DBUS_SESSION_BUS_ADDRESS set to the private bus. It runs in the
# background so that a signal reaches the traps above at once, not after CMD has ended; fd 3 hands
# it this script's standard input (sh gives a background command /dev/null otherwise).
set +e
exec 3<&0
PG_TUNNEL_KEYCHAIN_DIR=$keychain_dir dbus-run-session -- sh -c '
  set -eu
  data=$PG_TUNNEL_KEYCHAIN_DIR/data
  run=$PG_TUNNEL_KEYCHAIN_DIR/run
  pids=$PG_TUNNEL_KEYCHAIN_DIR/pids
  unset PG_TUNNEL_KEYCHAIN_DIR
  mkdir -m 700 "$data" "$run"
  # A daemon that D-Bus would start on demand gets the same throwaway directories, never the real ones.
  dbus-update-activation-environment XDG_DATA_HOME="$data" XDG_RUNTIME_DIR="$run"
  printf "throwaway-keyring-password" |
    XDG_DATA_HOME="$data" XDG_RUNTIME_DIR="$run" \
      gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
  # --daemonize returns before the daemon owns its bus name: wait for it, at most 10 s.
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q "boolean true"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      echo "scripts/with-keychain.sh: gnome-keyring-daemon did not start a Secret Service within 10 s" >&2
      exit 1
    fi
    sleep 0.1
  done
  owner_pid() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" 2>/dev/null |
      awk "/uint32/ { print \$2 }"
  }
  # This shell becomes CMD (exec), so its pid is CMD'"'"'s.
  printf "%s\n%s\n%s\n" "$$" "$(owner_pid org.freedesktop.DBus)" \
    "$(owner_pid org.freedesktop.secrets)" >"$pids"
  exec "$@"
' with-keychain "$@" <&3 3<&- &
child=$!
exec 3<&-
wait "$child"
status=$?
exit "$status"
