#!/bin/bash
# Scale-in drain for workers. The Auto Scaling group holds a terminating worker in
# Terminating:Wait (lifecycle hook); instance metadata then says "Terminated" as the target
# state. We stop the worker agent (SIGTERM: it finishes or hands back its run), then let the
# group continue. https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
# A failed boot leaves the group the same way (the user data too, so this file stays small; the
# watcher that runs the drain is lib/drain-watch.sh).

# wait_for_termination [POLLS]: until the group wants this instance gone (at most POLLS polls,
# every POLL_SECONDS; without POLLS, for as long as it takes).
wait_for_termination() {
  local polls=${1:-0} state i=0
  while true; do
    state=$(imds autoscaling/target-lifecycle-state 2>/dev/null) || state=""
    if [ "$state" = "Terminated" ]; then
      return 0
    fi
    if [ "$polls" -gt 0 ] && [ $((++i)) -ge "$polls" ]; then
      return 1
    fi
    sleep "${POLL_SECONDS:-5}"
  done
}

# drain_and_continue HOOK UNIT: stops UNIT (its drain), then completes the lifecycle action.
drain_and_continue() {
  local hook=$1 unit=$2 instance_id group
  instance_id=$(retry 10 imds instance-id) || return 1
  group=$(retry 10 aws autoscaling describe-auto-scaling-instances --instance-ids "$instance_id" \
    --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text) || return 1
  systemctl stop "$unit" || true
  retry 10 aws autoscaling complete-lifecycle-action --lifecycle-hook-name "$hook" \
    --auto-scaling-group-name "$group" --instance-id "$instance_id" \
    --lifecycle-action-result CONTINUE
}

# leave_group_after_failed_boot HOOK: a worker without its agent must not stay InService, billing
# and counted as capacity. Marked Unhealthy, the group replaces it; the termination then waits on
# the drain hook, which is completed here at once rather than after the hook's timeout. Without
# the permission (or the group), the instance powers off: the group's EC2 health check replaces a
# stopped instance.
leave_group_after_failed_boot() {
  local hook=$1 instance_id
  if instance_id=$(retry 3 imds instance-id) &&
    retry 3 aws autoscaling set-instance-health --instance-id "$instance_id" \
      --health-status Unhealthy --no-should-respect-grace-period &&
    wait_for_termination "${FAILED_BOOT_POLLS:-120}" &&
    drain_and_continue "$hook" benchtop-worker; then
    return 0
  fi
  echo "benchtop: could not hand this instance back to its group; powering off" >&2
  systemctl poweroff
}

# worker_boot_exit EXIT_CODE HOOK: the worker boot's EXIT trap (user data and boot script alike):
# a failed boot says why, then leaves the group.
worker_boot_exit() {
  if [ "$1" -ne 0 ]; then
    echo "benchtop: $(boot_failure_reason "$1")" >&2
    leave_group_after_failed_boot "$2"
  fi
}
