#!/bin/bash
# Data-volume helpers for the services instance. The EBS data volume outlives every instance of
# the services Auto Scaling group, so each new instance attaches it, finds its device, and
# formats it only when it carries no signature at all: a restored snapshot or a previous
# instance's filesystem must never be wiped.

# Attaches the volume to this instance, retrying while a replaced instance still holds it.
attach_volume() {
  local volume_id=$1 instance_id=$2 tries=${3:-60} attached_to i
  for ((i = 1; i <= tries; i++)); do
    attached_to=$(aws ec2 describe-volumes --volume-ids "$volume_id" \
      --query 'Volumes[0].Attachments[0].InstanceId' --output text) || attached_to=""
    if [ "$attached_to" = "$instance_id" ]; then
      return 0
    fi
    if [ -z "$attached_to" ] || [ "$attached_to" = "None" ]; then
      aws ec2 attach-volume --volume-id "$volume_id" --instance-id "$instance_id" \
        --device /dev/sdf >/dev/null || true
    fi
    sleep "${RETRY_SECONDS:-10}"
  done
  echo "benchtop: volume $volume_id is not attached to $instance_id after $tries tries" >&2
  return 1
}

# Prints the block device of the volume. Nitro instances expose EBS as NVMe with the volume id
# (without its dash) in /dev/disk/by-id; Xen instances keep the requested /dev/sdf or /dev/xvdf.
find_volume_device() {
  local volume_id=$1 dev_root=${DEV_ROOT:-/dev} candidate
  for candidate in \
    "$dev_root/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volume_id//-/}" \
    "$dev_root/sdf" "$dev_root/xvdf"; do
    if [ -e "$candidate" ]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

# The device appears a little after the attachment completes; wait for it, bounded.
wait_for_volume_device() {
  local volume_id=$1 tries=${2:-60} i
  for ((i = 1; i <= tries; i++)); do
    if find_volume_device "$volume_id"; then
      return 0
    fi
    sleep "${RETRY_SECONDS:-10}"
  done
  echo "benchtop: no block device for volume $volume_id after $tries tries" >&2
  return 1
}

# Prints "format" for a blank device, "keep <fstype>" for one with a filesystem. Anything else
# (a partition table, an unreadable device) is refused: guessing wrong would destroy data.
format_decision() {
  local device=$1 fstype rc
  fstype=$(blkid -o value -s TYPE "$device") && rc=0 || rc=$?
  if [ "$rc" -eq 2 ]; then
    echo "format"
  elif [ "$rc" -eq 0 ] && [ -n "$fstype" ]; then
    echo "keep $fstype"
  elif [ "$rc" -eq 0 ]; then
    echo "benchtop: $device has a signature but no filesystem; refusing to format it" >&2
    return 1
  else
    echo "benchtop: blkid failed on $device (exit $rc); refusing to guess" >&2
    return 1
  fi
}

# Writes one fstab line for the mount point (by UUID, nofail so a missing volume never blocks
# boot), replacing any earlier line for the same mount point.
ensure_fstab_entry() {
  local uuid=$1 mount_point=$2 fstype=$3 fstab=${FSTAB:-/etc/fstab} kept
  kept=$(awk -v mp="$mount_point" '$2 != mp' "$fstab")
  printf '%s\nUUID=%s %s %s defaults,nofail,x-systemd.device-timeout=30s 0 2\n' \
    "$kept" "$uuid" "$mount_point" "$fstype" | sed '/^$/d' >"$fstab.benchtop"
  mv "$fstab.benchtop" "$fstab"
}

# Formats when blank, records the mount in fstab by UUID, and mounts it.
prepare_data_volume() {
  local device=$1 mount_point=$2 decision fstype uuid
  decision=$(format_decision "$device") || return 1
  if [ "$decision" = "format" ]; then
    mkfs.xfs -L benchtop-data "$device" >/dev/null || return 1
    fstype=xfs
  else
    fstype=${decision#keep }
  fi
  uuid=$(blkid -o value -s UUID "$device") || return 1
  if [ -z "$uuid" ]; then
    echo "benchtop: $device has no UUID after formatting" >&2
    return 1
  fi
  ensure_fstab_entry "$uuid" "$mount_point" "$fstype"
  mkdir -p "$mount_point"
  if ! mountpoint -q "$mount_point"; then
    mount "$mount_point" || return 1
  fi
}

# grow_filesystem MOUNT_POINT: lets the filesystem fill its device, which grows when the stack's
# DataVolumeSize does (EBS modifies the volume in place, the instance stays); a no-op otherwise.
grow_filesystem() {
  local mount_point=$1 fstype device
  fstype=$(findmnt -n -o FSTYPE --mountpoint "$mount_point") || {
    echo "benchtop: nothing is mounted at $mount_point; not growing it" >&2
    return 1
  }
  device=$(findmnt -n -o SOURCE --mountpoint "$mount_point")
  case "$fstype" in
    xfs) xfs_growfs "$mount_point" >/dev/null ;;
    ext2 | ext3 | ext4) resize2fs "$device" ;;
    *) echo "benchtop: cannot grow $fstype at $mount_point; grow it by hand" >&2 ;;
  esac
}

# install_filesystem_growth MOUNT_POINT BEFORE_UNIT: grows at every boot, before BEFORE_UNIT
# starts, and every 10 minutes, so a larger volume is used without a reboot.
install_filesystem_growth() {
  local mount_point=$1 before=$2 units=${SYSTEMD_DIR:-/etc/systemd/system}
  local path=${BENCHTOP_LIB_DIR:-/usr/local/lib/benchtop}/grow-data
  mkdir -p "$(dirname "$path")"
  {
    echo '#!/bin/bash'
    declare -f grow_filesystem
    echo "grow_filesystem '$mount_point'"
  } >"$path"
  chmod 755 "$path"
  cat >"$units/benchtop-grow-data.service" <<UNIT
[Unit]
Description=Benchtop: grow the data filesystem to its volume
RequiresMountsFor=$mount_point
Before=$before.service

[Service]
Type=oneshot
ExecStart=$path

[Install]
WantedBy=multi-user.target
UNIT
  cat >"$units/benchtop-grow-data.timer" <<UNIT
[Unit]
Description=Benchtop: grow the data filesystem when its volume grew

[Timer]
OnBootSec=10min
OnUnitActiveSec=10min

[Install]
WantedBy=timers.target
UNIT
}
