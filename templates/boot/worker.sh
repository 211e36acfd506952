#!/bin/bash
# User data of a CPU or GPU worker. templates/src/boot-scripts.ts inlines the lib/ files and puts
# the stack's values (the variables checked below) at the top.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
: "${STACK_NAME:?}" "${AWS_REGION:?}" "${ARTIFACTS_BUCKET:?}" "${AGENT_VERSION:?}" \
  "${SERVICES_URL:?}" "${QUEUE:?}" "${EFS_ID:?}" "${DATASETS_ACCESS_POINT:?}" \
  "${SCRATCH_ACCESS_POINT:?}" "${RESULTS_BUCKET:?}" "${LOG_GROUP:?}" "${IMAGE_REPOSITORY:?}" \
  "${LIFECYCLE_HOOK:?}"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
exec > >(tee -a /var/log/benchtop-boot.log) 2>&1

source "$(dirname "$0")/lib/agent.sh"

# The GPU image (Deep Learning AMI) already has Docker and the NVIDIA runtime; dnf skips them.
dnf install -y -q docker amazon-efs-utils amazon-cloudwatch-agent
systemctl enable --now docker
id benchtop >/dev/null 2>&1 || useradd --system --create-home --shell /sbin/nologin benchtop
usermod -aG docker benchtop

mount_efs_access_point "$EFS_ID" "$DATASETS_ACCESS_POINT" /mnt/benchtop/datasets
mount_efs_access_point "$EFS_ID" "$SCRATCH_ACCESS_POINT" /mnt/benchtop/scratch
install_agent_bundle "$ARTIFACTS_BUCKET" "$AGENT_VERSION"

# The services agent writes the worker token on its first boot, which may still be under way
# when the first worker starts; wait for it (bounded), then for the platform API itself.
token=$(retry 60 read_parameter "/benchtop/$STACK_NAME/worker-token")
retry 60 curl -fsS -o /dev/null "$SERVICES_URL/api/v1/health"

instance_id=$(retry 10 imds instance-id)
instance_type=$(retry 10 imds instance-type)
mkdir -p /etc/benchtop
install -m 600 /dev/null /etc/benchtop/worker.env
cat >/etc/benchtop/worker.env <<ENV
BENCHTOP_STACK=$STACK_NAME
BENCHTOP_SERVICES_URL=$SERVICES_URL
BENCHTOP_WORKER_TOKEN=$token
BENCHTOP_QUEUE=$QUEUE
BENCHTOP_RUNTIME=docker
BENCHTOP_WORKER_ID=$instance_id
BENCHTOP_INSTANCE_TYPE=$instance_type
BENCHTOP_DATASETS_DIR=/mnt/benchtop/datasets
BENCHTOP_SCRATCH_DIR=/mnt/benchtop/scratch
BENCHTOP_RESULTS_BUCKET=$RESULTS_BUCKET
BENCHTOP_IMAGE_REPOSITORY=$IMAGE_REPOSITORY
BENCHTOP_LIFECYCLE_HOOK=$LIFECYCLE_HOOK
BENCHTOP_LOG_GROUP=$LOG_GROUP
AWS_REGION=$AWS_REGION
ENV
write_unit benchtop-worker "Benchtop worker agent ($QUEUE)" \
  /opt/benchtop/current/bin/benchtop-worker /etc/benchtop/worker.env

cat >/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<CWA
{
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          { "file_path": "/var/log/benchtop-boot.log", "log_group_name": "$LOG_GROUP", "log_stream_name": "{instance_id}/boot" }
        ]
      }
    }
  }
}
CWA
systemctl daemon-reload
systemctl enable --now amazon-cloudwatch-agent benchtop-worker
