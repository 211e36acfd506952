#!/bin/bash
# What the user data stubs need before the agent bundle is there, and the boot scripts after:
# instance metadata (IMDSv2 only), bounded retries, and the bundle itself from the artifacts
# bucket, checked against the sha256 the stack pins. The bundle holds the boot scripts proper.

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

# bundled_boot_script NAME [DEST]: prints the path of the boot script NAME (services.sh,
# worker.sh) in the installed bundle, DEST/current/boot/NAME; fails, saying so, when the bundle
# has none.
bundled_boot_script() {
  local script=${2:-/opt/benchtop}/current/boot/$1
  if ! [ -f "$script" ]; then
    echo "benchtop: the agent bundle has no boot/$1; it must be built by this version of Benchtop (main/deploy/agent-bundle.ts)" >&2
    return 1
  fi
  printf '%s\n' "$script"
}
