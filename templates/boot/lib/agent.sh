#!/bin/bash
# Helpers shared by the services and worker boot scripts (with lib/bundle.sh): Node.js, the
# agent's native packages, its systemd unit, EFS mounts and the token parameters.

# Node.js for the agents: AL2023's nodejs22 (Node 20 is past its end of life). Its binaries are
# namespaced (node-22, npm-22); plain node/npm are alternatives links. Prints the node binary's path.
install_node() {
  dnf install -y -q nodejs22 nodejs22-npm >&2 || return 1
  command -v node-22 || command -v node
}

# The bundle's package.json lists only what must be built for this machine's Node and CPU
# (better-sqlite3), pinned with integrity hashes by its lock file: npm ci installs that alone, and
# its install script (a prebuilt binary or a compile) is the one script that runs.
install_agent_dependencies() {
  local dir=${1:-/opt/benchtop/current} npm
  npm=$(command -v npm-22 || command -v npm) || return 1
  (cd "$dir" && retry 5 "$npm" ci --omit=dev --ignore-scripts=false --no-audit --no-fund)
}

# write_unit NAME DESCRIPTION EXEC ENV_FILE [STOP_TIMEOUT_SECONDS]: a restarting service run as the
# benchtop user from the agent bundle, its output in /var/log/benchtop/NAME.log (the CloudWatch
# agent ships files). The stop timeout is how long SIGTERM may take (a draining
# worker finishes its run first).
write_unit() {
  local name=$1 description=$2 exec=$3 env_file=$4 stop_timeout=${5:-90}
  mkdir -p /var/log/benchtop
  cat >"${SYSTEMD_DIR:-/etc/systemd/system}/$name.service" <<UNIT
[Unit]
Description=$description
After=network-online.target
Wants=network-online.target

[Service]
WorkingDirectory=/opt/benchtop/current
EnvironmentFile=$env_file
ExecStart=$exec
StandardOutput=append:/var/log/benchtop/$name.log
StandardError=append:/var/log/benchtop/$name.log
User=benchtop
Restart=always
RestartSec=5
TimeoutStopSec=$stop_timeout
KillMode=mixed
NoNewPrivileges=true
ProtectSystem=full
PrivateTmp=true

[Install]
WantedBy=multi-user.target
UNIT
}

# Mounts an EFS access point over TLS; nofail keeps a slow EFS from blocking boot.
mount_efs_access_point() {
  local file_system=$1 access_point=$2 mount_point=$3
  mkdir -p "$mount_point"
  if ! grep -q " $mount_point efs " /etc/fstab; then
    echo "$file_system:/ $mount_point efs _netdev,nofail,tls,accesspoint=$access_point 0 0" >>/etc/fstab
  fi
  retry 6 mount "$mount_point"
}

# Prints a token parameter's value (the instance role may read only its own). The stack creates
# each token parameter as a String placeholder and the services agent replaces it with the
# SecureString token, so until then this fails and `retry` waits for the real one.
read_token_parameter() {
  local answer
  answer=$(aws ssm get-parameter --with-decryption --name "$1" --query '[Parameter.Type, Parameter.Value]' --output text) || return 1
  [ "${answer%%$'\t'*}" = SecureString ] || { echo "$1 is still the stack's placeholder" >&2; return 1; }
  printf '%s\n' "${answer#*$'\t'}"
}
