#!/bin/bash
# Idle workers leave on their own, one at a time, so one long run does not keep the whole group
# billing. Every minute, as root, benchtop-idle.timer runs the worker bundle's idle check
# (agents/worker/idle-check.ts): busy, protected from scale-in; idle, not; idle for IDLE_MINUTES,
# it leaves the group (desired capacity lowered, never below MinSize) and the drain hook runs as
# for any scale-in. The logic is in the bundle because this user data is near EC2's 16 KB limit.

# install_idle_check STATE_FILE IDLE_MINUTES INSTANCE_ID NODE: the check's unit (run by its timer
# only, so a plain service) and the timer. Short: the worker's user data is at EC2's limit.
install_idle_check() (
  cd "${SYSTEMD_DIR:-/etc/systemd/system}" || exit
  printf '[Service]\nEnvironment=AWS_REGION=%s\nExecStart=%s /opt/benchtop/current/worker.mjs --idle-check %s --idle-minutes %s --worker-id %s\n' "$AWS_REGION" "$4" "$1" "$2" "$3" >benchtop-idle.service
  printf '[Timer]\nOnCalendar=minutely\n[Install]\nWantedBy=timers.target\n' >benchtop-idle.timer
)
