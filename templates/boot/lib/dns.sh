#!/bin/bash
# ServicesEndpointMode=dns: the services instance points services.<zone> at its own private
# address at every boot, so a replacement instance takes over the name. The short TTL bounds how
# long workers may keep resolving the old address.

# private_name_change NAME IP: the Route 53 change batch (JSON) that upserts NAME -> IP.
private_name_change() {
  local name=$1 ip=$2
  printf '{"Comment":"benchtop services instance","Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"%s","Type":"A","TTL":30,"ResourceRecords":[{"Value":"%s"}]}}]}' "$name" "$ip"
}

# register_private_name ZONE_ID NAME IP
register_private_name() {
  local zone=$1 name=$2 ip=$3
  if ! [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
    echo "benchtop: not an IPv4 address: '$ip'" >&2
    return 1
  fi
  retry 10 aws route53 change-resource-record-sets --hosted-zone-id "$zone" \
    --change-batch "$(private_name_change "$name" "$ip")" >/dev/null
}
