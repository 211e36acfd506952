#!/bin/bash
# The worker's drain watcher (lib/drain.sh's functions as a standalone script and its unit) and
# the drain's timings within the lifecycle hook. The boot script installs them; the user data,
# which only needs to leave the group, does not.

# drain_timings HOOK_SECONDS: prints "GRACE_MS STOP_SECONDS" for the worker agent. The hook holds
# a leaving instance for HOOK_SECONDS; within it the unit's stop (TimeoutStopSec) must end and
# the lifecycle action be completed (2 minutes kept), and within the stop the worker lets its
# run finish for the grace, then hands it back (3 minutes kept for the kill and the report).
drain_timings() {
  local hook=$1
  if ! [[ $hook =~ ^[0-9]+$ ]] || [ "$hook" -lt 600 ]; then
    echo "benchtop: the drain hook's timeout must be at least 600 seconds, got '$hook'" >&2
    return 1
  fi
  echo "$(((hook - 300) * 1000)) $((hook - 120))"
}

# Writes a standalone watcher (lib/drain.sh's drain and its helpers) and its systemd unit.
install_drain_watcher() {
  local hook=$1 unit=$2 env_file=$3 path=${BENCHTOP_LIB_DIR:-/usr/local/lib/benchtop}/drain-watch
  mkdir -p "$(dirname "$path")"
  {
    echo '#!/bin/bash'
    declare -f imds retry wait_for_termination drain_and_continue
    echo "wait_for_termination 0 && drain_and_continue '$hook' '$unit'"
  } >"$path"
  chmod 755 "$path"
  cat >"${SYSTEMD_DIR:-/etc/systemd/system}/benchtop-drain.service" <<UNIT
[Unit]
Description=Benchtop worker drain on scale-in
After=network-online.target

[Service]
EnvironmentFile=$env_file
ExecStart=$path
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
UNIT
}
