#!/bin/bash
# Helpers shared by the services and worker boot scripts: instance metadata (IMDSv2 only),
# bounded retries, the agent bundle from the artifacts bucket, and its systemd unit.

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') || return 1
  curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

# retry TRIES COMMAND...: runs COMMAND until it succeeds, at most TRIES times.
retry() {
  local tries=$1 i
  shift
  for ((i = 1; i <= tries; i++)); do
    if "$@"; then
      return 0
    fi
    sleep "${RETRY_SECONDS:-10}"
  done
  echo "benchtop: gave up after $tries tries: $*" >&2
  return 1
}

# Downloads and unpacks the bundle for this machine's architecture, then points "current" at it.
install_agent_bundle() {
  local bucket=$1 version=$2 dest=${3:-/opt/benchtop} arch archive
  arch=$(uname -m)
  archive="/tmp/benchtop-agent-$version.tar.gz"
  retry 10 aws s3 cp --only-show-errors \
    "s3://$bucket/agents/$version/benchtop-agent-linux-$arch.tar.gz" "$archive" || return 1
  mkdir -p "$dest/$version"
  tar -xzf "$archive" -C "$dest/$version" || return 1
  rm -f "$archive"
  ln -sfn "$dest/$version" "$dest/current"
}

# Node.js for the agents (Amazon Linux 2023 names versioned binaries node-20/npm-20). Prints the
# node binary's path.
install_node() {
  dnf install -y -q nodejs20 nodejs20-npm >&2 || return 1
  command -v node || command -v node-20
}

# Installs the bundle's npm dependencies for this machine's architecture (better-sqlite3 is native).
install_agent_dependencies() {
  local dir=${1:-/opt/benchtop/current} npm
  npm=$(command -v npm || command -v npm-20) || return 1
  (cd "$dir" && retry 5 "$npm" ci --omit=dev --no-audit --no-fund)
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

# Prints a SecureString parameter's value (the instance role may read only its own).
read_parameter() {
  aws ssm get-parameter --with-decryption --name "$1" --query Parameter.Value --output text
}
