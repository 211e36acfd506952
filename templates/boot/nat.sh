#!/bin/bash
# User data of the NAT instance (NatMode=instance): forward and masquerade the VPC's traffic.
# templates/src/boot-scripts.ts puts VPC_CIDR at the top.
set -euo pipefail
: "${VPC_CIDR:?}"

dnf install -y -q iptables-services
echo 'net.ipv4.ip_forward = 1' >/etc/sysctl.d/90-benchtop-nat.conf
sysctl -q -p /etc/sysctl.d/90-benchtop-nat.conf

iface=$(ip route show default | awk '{ print $5; exit }')
iptables -t nat -F POSTROUTING
iptables -t nat -A POSTROUTING -o "$iface" -s "$VPC_CIDR" -j MASQUERADE
iptables -F FORWARD
iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -s "$VPC_CIDR" -o "$iface" -j ACCEPT
iptables -P FORWARD DROP
service iptables save
systemctl enable --now iptables
