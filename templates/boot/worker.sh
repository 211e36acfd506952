#!/bin/bash
# User data of a CPU or GPU worker. templates/src/boot-scripts.ts inlines the lib/ files and puts
# the stack's values (the variables checked below) at the top.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
: "${STACK_NAME:?}" "${AWS_REGION:?}" "${ARTIFACTS_BUCKET:?}" "${AGENT_VERSION:?}" "${AGENT_DIGEST:?}" \
  "${SERVICES_URL:?}" "${QUEUE:?}" "${EFS_ID:?}" "${DATASETS_ACCESS_POINT:?}" \
  "${SCRATCH_ACCESS_POINT:?}" "${LOG_GROUP:?}" "${IMAGE_REPOSITORY:?}" "${LIFECYCLE_HOOK:?}"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
exec > >(tee -a /var/log/benchtop-boot.log) 2>&1

source "$(dirname "$0")/lib/agent.sh"
source "$(dirname "$0")/lib/drain.sh"

# The GPU image (Deep Learning AMI) already has Docker and the NVIDIA runtime; dnf skips them.
dnf install -y -q docker amazon-efs-utils amazon-cloudwatch-agent git
node=$(install_node)
systemctl enable --now docker
id benchtop >/dev/null 2>&1 || useradd --system --create-home --shell /sbin/nologin benchtop
usermod -aG docker benchtop

instance_id=$(retry 10 imds instance-id)
instance_type=$(retry 10 imds instance-type)
mount_efs_access_point "$EFS_ID" "$DATASETS_ACCESS_POINT" /mnt/benchtop/datasets
mount_efs_access_point "$EFS_ID" "$SCRATCH_ACCESS_POINT" /mnt/benchtop/scratch
work="/mnt/benchtop/scratch/$instance_id"
mkdir -p "$work"
install_agent_bundle "$ARTIFACTS_BUCKET" "$AGENT_VERSION" "$AGENT_DIGEST"
install_agent_dependencies /opt/benchtop/current

# The services agent writes the worker token on its first boot, which may still be under way
# when the first worker starts; wait for it (bounded), then for the platform API itself.
mkdir -p /etc/benchtop
install -m 600 -o benchtop /dev/null /etc/benchtop/worker-token
retry 60 read_parameter "/benchtop/$STACK_NAME/worker-token" >/etc/benchtop/worker-token
retry 60 curl -fsS -o /dev/null "$SERVICES_URL/api/v1/health"

install -m 644 /dev/null /etc/benchtop/worker.env
echo "AWS_REGION=$AWS_REGION" >/etc/benchtop/worker.env
# A draining worker may finish its run: up to the lifecycle hook's hour, less a margin.
write_unit benchtop-worker "Benchtop worker agent ($QUEUE)" \
  "$node worker.mjs --url $SERVICES_URL --token-file /etc/benchtop/worker-token --work $work --queue $QUEUE --runtime docker --worker-id $instance_id --instance-type $instance_type --registry $IMAGE_REPOSITORY" \
  /etc/benchtop/worker.env 3300
install_drain_watcher "$LIFECYCLE_HOOK" benchtop-worker /etc/benchtop/worker.env

cat >/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<CWA
{
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          { "file_path": "/var/log/benchtop-boot.log", "log_group_name": "$LOG_GROUP", "log_stream_name": "{instance_id}/boot" },
          { "file_path": "/var/log/benchtop/benchtop-worker.log", "log_group_name": "$LOG_GROUP", "log_stream_name": "{instance_id}/worker" }
        ]
      }
    }
  }
}
CWA
systemctl daemon-reload
systemctl enable --now amazon-cloudwatch-agent benchtop-worker benchtop-drain
