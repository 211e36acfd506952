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

# install_agent_bundle BUCKET VERSION SHA256 [DEST]: downloads the bundle the stack pins
# (agents/VERSION/benchtop-agent-SHA256.tar.gz, the same for every CPU), refuses it unless its
# sha256 is SHA256, unpacks it into a folder of its own and points DEST/current at that. The
# bundle's root holds services.mjs and worker.mjs, which the units run.
install_agent_bundle() {
  local bucket=$1 version=$2 sha256=$3 dest=${4:-/opt/benchtop} archive dir
  if ! [[ $sha256 =~ ^[0-9a-f]{64}$ ]]; then
    echo "benchtop: the agent bundle's sha256 \"$sha256\" is not 64 hex digits (AgentBundleSha256)" >&2
    return 1
  fi
  archive=$(mktemp "${TMPDIR:-/tmp}/benchtop-agent.XXXXXX") || return 1
  if ! retry 10 aws s3 cp --only-show-errors \
    "s3://$bucket/agents/$version/benchtop-agent-$sha256.tar.gz" "$archive"; then
    rm -f "$archive"
    return 1
  fi
  if ! echo "$sha256  $archive" | sha256sum -c --status; then
    echo "benchtop: s3://$bucket/agents/$version/benchtop-agent-$sha256.tar.gz does not match its pinned sha256; not unpacking it" >&2
    rm -f "$archive"
    return 1
  fi
  dir="$dest/$version-${sha256:0:16}"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  if ! tar -xzf "$archive" -C "$dir.partial" --no-same-owner || ! [ -f "$dir.partial/services.mjs" ] || ! [ -f "$dir.partial/worker.mjs" ]; then
    echo "benchtop: the agent bundle did not unpack to services.mjs and worker.mjs" >&2
    rm -rf "$archive" "$dir.partial"
    return 1
  fi
  rm -f "$archive"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
  ln -sfn "$dir" "$dest/current"
}

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
