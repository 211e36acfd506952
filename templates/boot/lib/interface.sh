#!/bin/bash
# ServicesEndpointMode=dns: the stack owns a network interface with a fixed private address, and
# the private zone's services record points at it. Each services instance attaches it as its
# second interface (Amazon Linux's ec2-net-utils then routes it), so a replacement instance
# takes over the address without any DNS change.

# Attaches the interface, retrying while a replaced instance still holds it.
attach_interface() {
  local interface_id=$1 instance_id=$2 tries=${3:-60} attached_to i
  for ((i = 1; i <= tries; i++)); do
    attached_to=$(aws ec2 describe-network-interfaces --network-interface-ids "$interface_id" \
      --query 'NetworkInterfaces[0].Attachment.InstanceId' --output text) || attached_to=""
    if [ "$attached_to" = "$instance_id" ]; then
      return 0
    fi
    if [ -z "$attached_to" ] || [ "$attached_to" = "None" ]; then
      aws ec2 attach-network-interface --network-interface-id "$interface_id" \
        --instance-id "$instance_id" --device-index 1 >/dev/null || true
    fi
    sleep "${RETRY_SECONDS:-10}"
  done
  echo "benchtop: interface $interface_id is not attached to $instance_id after $tries tries" >&2
  return 1
}
