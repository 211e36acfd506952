#!/bin/bash
# Scale-in drain for workers. The Auto Scaling group holds a terminating worker in
# Terminating:Wait (lifecycle hook); instance metadata then says "Terminated" as the target
# state. We stop the worker agent (SIGTERM: it finishes or hands back its run), then let the
# group continue. https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html

# Waits until the group wants this instance gone; polls every POLL_SECONDS.
wait_for_termination() {
  local state
  while true; do
    state=$(imds autoscaling/target-lifecycle-state 2>/dev/null) || state=""
    if [ "$state" = "Terminated" ]; then
      return 0
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

# Writes a standalone watcher (these functions and their helpers) and its systemd unit.
install_drain_watcher() {
  local hook=$1 unit=$2 env_file=$3 path=${BENCHTOP_LIB_DIR:-/usr/local/lib/benchtop}/drain-watch
  mkdir -p "$(dirname "$path")"
  {
    echo '#!/bin/bash'
    declare -f imds retry wait_for_termination drain_and_continue
    echo "wait_for_termination && drain_and_continue '$hook' '$unit'"
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
