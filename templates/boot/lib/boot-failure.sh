#!/bin/bash
# What a failed boot says about itself: the step it was in and the command that failed, for the
# stack event (services) or the boot log (workers). The scripts run with errtrace (set -E), so the
# ERR trap also sees a command failing inside a function.
BOOT_STEP="starting"
BOOT_FAILED_COMMAND=""
trap 'boot_note_failure "$BASH_COMMAND" "$LINENO"' ERR

# boot_note_failure COMMAND LINE: when a function's `return 1` is all bash saw, the failing line
# of the script (the call) says more.
boot_note_failure() {
  local line=""
  if [[ $1 == return* ]]; then
    line=$(sed -n "$2{s/^[[:space:]]*//;p}" "$0" 2>/dev/null) || line=""
  fi
  BOOT_FAILED_COMMAND=${line:-$1}
}

# boot_step DESCRIPTION: logs and remembers the step the boot is in.
boot_step() {
  BOOT_STEP=$1
  echo "benchtop: boot: $BOOT_STEP"
}

# boot_failure_reason EXIT_CODE: one line, short enough for a CloudFormation status reason.
boot_failure_reason() {
  local reason="boot failed while $BOOT_STEP (exit $1)"
  if [ -n "$BOOT_FAILED_COMMAND" ]; then
    reason="$reason at: ${BOOT_FAILED_COMMAND:0:120}"
  fi
  printf '%s; see /var/log/benchtop-boot.log\n' "$reason" | tr -d '\n' | tr -s ' '
}
