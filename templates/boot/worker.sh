#!/bin/bash
# Boot of a CPU or GPU worker, as root. It runs from the agent bundle (boot/worker.sh, lib/ files
# inlined by templates/src/boot-scripts.ts), installed and started by the user data, worker-stub.sh,
# which exports the stack's values (the variables checked below).
# shellcheck source-path=SCRIPTDIR
set -eEuo pipefail
: "${STACK_NAME:?}" "${AWS_REGION:?}" "${SERVICES_URL:?}" "${QUEUE:?}" "${EFS_ID:?}" \
  "${DATASETS_ACCESS_POINT:?}" "${SCRATCH_ACCESS_POINT:?}" "${LOG_GROUP:?}" "${IMAGE_REPOSITORY:?}" \
  "${LIFECYCLE_HOOK:?}" "${DRAIN_HOOK_SECONDS:?}" "${IDLE_MINUTES:?}"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
exec > >(tee -a /var/log/benchtop-boot.log) 2>&1

source "$(dirname "$0")/lib/boot-failure.sh"
source "$(dirname "$0")/lib/bundle.sh"
source "$(dirname "$0")/lib/agent.sh"
source "$(dirname "$0")/lib/users.sh"
source "$(dirname "$0")/lib/drain.sh"
source "$(dirname "$0")/lib/drain-watch.sh"
source "$(dirname "$0")/lib/idle.sh"
source "$(dirname "$0")/lib/metadata-firewall.sh"
source "$(dirname "$0")/lib/registry-login.sh"
source "$(dirname "$0")/lib/gpu.sh"

trap 'worker_boot_exit $? "$LIFECYCLE_HOOK"' EXIT

boot_step "reading the drain hook's timeout"
timings=$(drain_timings "$DRAIN_HOOK_SECONDS")
drain_grace_ms=${timings% *}
stop_timeout=${timings#* }

boot_step "installing packages"
# The GPU image (Deep Learning AMI) already has Docker and the NVIDIA runtime; dnf skips them.
dnf install -y -q docker amazon-efs-utils amazon-cloudwatch-agent amazon-ecr-credential-helper git
# Logs first, so a boot that fails from here on is in CloudWatch as well.
cat >/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<CWA
{"logs":{"logs_collected":{"files":{"collect_list":[{"file_path":"/var/log/benchtop-boot.log","log_group_name":"$LOG_GROUP","log_stream_name":"{instance_id}/boot"},{"file_path":"/var/log/benchtop/benchtop-worker.log","log_group_name":"$LOG_GROUP","log_stream_name":"{instance_id}/worker"}]}}}}
CWA
systemctl enable --now amazon-cloudwatch-agent
node=$(install_node)
home=/home/benchtop
ensure_service_user benchtop "$BENCHTOP_UID" "$home"
install -d -m 700 -o benchtop -g benchtop "$home"
usermod -aG docker benchtop

boot_step "starting Docker and its metadata firewall"
systemctl enable --now docker
install_metadata_firewall benchtop-worker
systemctl daemon-reload
systemctl enable --now benchtop-metadata-firewall
if [ "$QUEUE" = gpu ]; then
  boot_step "checking the GPUs"
  check_gpu_host /etc/benchtop/gpus.json
fi

boot_step "logging Docker in to the image registry"
configure_registry_login benchtop "$home" "$IMAGE_REPOSITORY"
retry 3 check_registry_login benchtop "$home" "$IMAGE_REPOSITORY"

boot_step "mounting EFS"
instance_id=$(retry 10 imds instance-id)
instance_type=$(retry 10 imds instance-type)
mount_efs_access_point "$EFS_ID" "$DATASETS_ACCESS_POINT" /mnt/benchtop/datasets
mount_efs_access_point "$EFS_ID" "$SCRATCH_ACCESS_POINT" /mnt/benchtop/scratch
work="/mnt/benchtop/scratch/$instance_id"
mkdir -p "$work"
# The bundle itself is in place: the user data installed it to run this script.
boot_step "installing the worker agent's native packages"
install_agent_dependencies /opt/benchtop/current

# The services agent writes the worker token on its first boot, which may still be under way
# when the first worker starts; wait for it (bounded), then for the platform API itself.
boot_step "waiting for the worker token and the platform"
mkdir -p /etc/benchtop
install -m 600 -o benchtop /dev/null /etc/benchtop/worker-token
retry 60 read_token_parameter "/benchtop/$STACK_NAME/worker-token" >/etc/benchtop/worker-token
retry 60 curl -fsS -o /dev/null "$SERVICES_URL/api/v1/health"

boot_step "starting the worker agent"
# The worker shares the machine among runs by what each asks: every vCPU, the memory less 1 GiB
# for the system, Docker and the agents, and the GPUs the boot found.
slot_memory_mb=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 - 1024 ))
[ "$slot_memory_mb" -ge 256 ] || slot_memory_mb=256
slot_gpus=0
[ ! -f /etc/benchtop/gpus.json ] || slot_gpus=$(sed -n 's/^{"count":\([0-9]*\),.*/\1/p' /etc/benchtop/gpus.json)
slots="cpus=$(nproc),memory-mb=$slot_memory_mb,gpus=${slot_gpus:-0}"
install -m 644 /dev/null /etc/benchtop/worker.env
printf 'AWS_REGION=%s\nDOCKER_CONFIG=%s\n' "$AWS_REGION" "$home/.docker" >/etc/benchtop/worker.env
# A draining worker may finish its run within the lifecycle hook's timeout (drain_timings).
# Every worker shares the datasets access point as its content-addressed dataset cache, capped at
# 100 GiB (EFS bills what it stores; the least recently used blobs go first).
write_unit benchtop-worker "Benchtop worker agent ($QUEUE)" \
  "$node worker.mjs --url $SERVICES_URL --token-file /etc/benchtop/worker-token --work $work --queue $QUEUE --runtime docker --worker-id $instance_id --instance-type $instance_type --registry $IMAGE_REPOSITORY --dataset-cache /mnt/benchtop/datasets --dataset-cache-max-mib 102400 --slots $slots --state-file $home/state.json --drain-grace-ms $drain_grace_ms" \
  /etc/benchtop/worker.env "$stop_timeout"
install_drain_watcher "$LIFECYCLE_HOOK" benchtop-worker /etc/benchtop/worker.env
# Busy: protected from scale-in; idle for IDLE_MINUTES: leaves by itself (lib/idle.sh).
install_idle_check "$home/state.json" "$IDLE_MINUTES" "$instance_id" "$node"
systemctl daemon-reload
systemctl enable --now benchtop-worker benchtop-drain benchtop-idle.timer
