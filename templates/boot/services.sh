#!/bin/bash
# Boot of the services instance, as root. It runs from the agent bundle (boot/services.sh, lib/
# files inlined by templates/src/boot-scripts.ts), installed and started by the user data,
# services-stub.sh, which exports the stack's values (the variables checked below).
# shellcheck source-path=SCRIPTDIR
set -eEuo pipefail
: "${STACK_NAME:?}" "${AWS_REGION:?}" "${DATA_VOLUME_ID:?}" "${RESULTS_BUCKET:?}" \
  "${METRIC_NAMESPACE:?}" "${LOG_GROUP:?}" "${RUNS_LOG_GROUP:?}" "${SIGNAL_RESOURCE:?}" "${TOKEN_KEY_ID:?}"
# Empty unless ServicesEndpointMode=dns: the interface whose fixed address workers connect to.
SERVICES_INTERFACE_ID=${SERVICES_INTERFACE_ID:-}
# Empty when the stack has no budget: the agent then keeps its own limit over its runs' costs.
BUDGET_NAME=${BUDGET_NAME:-}
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
exec > >(tee -a /var/log/benchtop-boot.log) 2>&1

source "$(dirname "$0")/lib/boot-failure.sh"
source "$(dirname "$0")/lib/bundle.sh"
source "$(dirname "$0")/lib/agent.sh"
source "$(dirname "$0")/lib/users.sh"
source "$(dirname "$0")/lib/volume.sh"
source "$(dirname "$0")/lib/interface.sh"
source "$(dirname "$0")/lib/stack-signal.sh"

trap 'signal_stack $?' EXIT

DATA_DIR=/var/lib/benchtop
boot_step "installing packages"
# cfn-signal (aws-cfn-bootstrap) is there already: the user data installed it.
dnf install -y -q amazon-cloudwatch-agent git gcc-c++ make
node=$(install_node)
ensure_service_user benchtop "$BENCHTOP_UID" "$DATA_DIR"

boot_step "attaching the data volume"
instance_id=$(retry 10 imds instance-id)
attach_volume "$DATA_VOLUME_ID" "$instance_id" 60
device=$(wait_for_volume_device "$DATA_VOLUME_ID" 60)
prepare_data_volume "$device" "$DATA_DIR"
grow_filesystem "$DATA_DIR"
install_filesystem_growth "$DATA_DIR" benchtop-services
own_tree "$DATA_DIR" "$BENCHTOP_UID"
if [ -n "$SERVICES_INTERFACE_ID" ]; then
  boot_step "attaching the services interface"
  attach_interface "$SERVICES_INTERFACE_ID" "$instance_id" 60
fi

# The bundle itself is in place: the user data installed it to run this script.
boot_step "installing the services agent's native packages"
install_agent_dependencies /opt/benchtop/current
mkdir -p /etc/benchtop
install -m 600 /dev/null /etc/benchtop/services.env
# The names agents/services/aws-adapters.ts reads; the database backups go next to the results.
cat >/etc/benchtop/services.env <<ENV
AWS_REGION=$AWS_REGION
BENCHTOP_BUCKET=$RESULTS_BUCKET
BENCHTOP_BUCKET_PREFIX=results/
BENCHTOP_BACKUP_BUCKET=$RESULTS_BUCKET
BENCHTOP_LOG_GROUP=$RUNS_LOG_GROUP
BENCHTOP_METRICS_NAMESPACE=$METRIC_NAMESPACE
BENCHTOP_SSM_PREFIX=/benchtop/$STACK_NAME/
BENCHTOP_SSM_KEY_ID=$TOKEN_KEY_ID
BENCHTOP_BUDGET_NAME=$BUDGET_NAME
ENV
write_unit benchtop-services "Benchtop services agent" \
  "$node services.mjs --data $DATA_DIR --host 0.0.0.0 --port 8080 --log-level info --hide-tokens" \
  /etc/benchtop/services.env

boot_step "starting the services agent"
# Disk usage of the data volume feeds the DataDiskUsedPercent alarm; logs go to the stack's group.
cat >/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<CWA
{
  "metrics": {
    "namespace": "$METRIC_NAMESPACE",
    "metrics_collected": {
      "disk": {
        "resources": ["$DATA_DIR"],
        "measurement": [{ "name": "used_percent", "rename": "DataDiskUsedPercent" }],
        "drop_device": true
      }
    },
    "aggregation_dimensions": [[]]
  },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          { "file_path": "/var/log/benchtop-boot.log", "log_group_name": "$LOG_GROUP", "log_stream_name": "{instance_id}/boot" },
          { "file_path": "/var/log/benchtop/benchtop-services.log", "log_group_name": "$LOG_GROUP", "log_stream_name": "{instance_id}/services" }
        ]
      }
    }
  }
}
CWA
systemctl daemon-reload
systemctl enable benchtop-grow-data.service
systemctl enable --now amazon-cloudwatch-agent benchtop-grow-data.timer benchtop-services
retry 30 curl -fsS -o /dev/null http://127.0.0.1:8080/api/v1/health
