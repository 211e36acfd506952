#!/bin/bash
# Containers must not reach the instance metadata service (the instance role's credentials are
# there). `--add-host` only changes name resolution, so root drops the addresses in DOCKER-USER,
# the chain Docker evaluates before its own forwarding rules and never flushes:
# https://docs.docker.com/engine/network/packet-filtering-firewalls/#add-iptables-policies-before-dockers-rules
# Rules do not survive a reboot and user data runs once per instance, so a oneshot unit applies
# them at every boot, after Docker and before the worker, which requires it. The worker runs as
# benchtop, which cannot read the rules (iptables -C needs root), so the unit leaves the chains as
# root listed them in a root-owned file the worker checks before it runs anything.

# drop_metadata_for_containers TOOL ADDRESS: TOOL is iptables or ip6tables.
drop_metadata_for_containers() {
  local tool=$1 address=$2
  "$tool" -n -L DOCKER-USER >/dev/null 2>&1 || "$tool" -N DOCKER-USER || return 1
  # Docker adds this jump itself; without it the chain would be listed but never evaluated.
  "$tool" -C FORWARD -j DOCKER-USER 2>/dev/null || "$tool" -I FORWARD -j DOCKER-USER || return 1
  "$tool" -C DOCKER-USER -d "$address" -j DROP 2>/dev/null ||
    "$tool" -I DOCKER-USER -d "$address" -j DROP || return 1
}

# apply_metadata_firewall RULES_FILE: IPv4 and the Nitro IPv6 endpoint, then the listing.
apply_metadata_firewall() {
  local rules=$1
  drop_metadata_for_containers iptables 169.254.169.254/32 || return 1
  drop_metadata_for_containers ip6tables fd00:ec2::254/128 || return 1
  mkdir -p "$(dirname "$rules")"
  chmod 755 "$(dirname "$rules")"
  { iptables -S DOCKER-USER && ip6tables -S DOCKER-USER; } >"$rules.new" || return 1
  chmod 644 "$rules.new"
  mv "$rules.new" "$rules"
}

# install_metadata_firewall WORKER_UNIT: the standalone script, its unit, and the worker's need of
# it. The listing goes to /run/benchtop/metadata-firewall.rules, where the worker looks.
install_metadata_firewall() {
  local worker_unit=$1 units=${SYSTEMD_DIR:-/etc/systemd/system}
  local path=${BENCHTOP_LIB_DIR:-/usr/local/lib/benchtop}/metadata-firewall
  local rules=${BENCHTOP_RUN_DIR:-/run/benchtop}/metadata-firewall.rules
  mkdir -p "$(dirname "$path")" "$units/$worker_unit.service.d"
  {
    echo '#!/bin/bash'
    echo 'set -euo pipefail'
    declare -f drop_metadata_for_containers apply_metadata_firewall
    echo "apply_metadata_firewall '$rules'"
  } >"$path"
  chmod 755 "$path"
  cat >"$units/benchtop-metadata-firewall.service" <<UNIT
[Unit]
Description=Benchtop: containers may not reach the instance metadata service
Wants=docker.service
After=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=$path

[Install]
WantedBy=multi-user.target
UNIT
  cat >"$units/$worker_unit.service.d/metadata-firewall.conf" <<UNIT
[Unit]
Requires=benchtop-metadata-firewall.service
After=benchtop-metadata-firewall.service
UNIT
}
