#!/bin/bash
# Docker pulls and pushes environment images in the stack's ECR repository as the benchtop user.
# The ECR credential helper (dnf package amazon-ecr-credential-helper) trades the instance role
# for a registry token on each use, so no password is stored and none expires after 12 hours as
# a `docker login` would. https://github.com/awslabs/amazon-ecr-credential-helper#configuration

# configure_registry_login USER HOME REPOSITORY_URI: credHelpers for the repository's host only.
configure_registry_login() {
  local user=$1 home=$2 repository=$3 host
  host=${repository%%/*}
  command -v docker-credential-ecr-login >/dev/null || {
    echo "benchtop: docker-credential-ecr-login is missing (dnf package amazon-ecr-credential-helper)" >&2
    return 1
  }
  install -d -m 700 -o "$user" -g "$user" "$home/.docker"
  install -m 600 -o "$user" -g "$user" /dev/null "$home/.docker/config.json"
  printf '{\n  "credHelpers": { "%s": "ecr-login" }\n}\n' "$host" >"$home/.docker/config.json"
}

# check_registry_login USER HOME REPOSITORY_URI: asks the helper for a token as USER would, so a role
# without ecr:GetAuthorizationToken fails the boot instead of every run. The token is discarded.
check_registry_login() {
  local user=$1 home=$2 host=${3%%/*}
  if ! printf '%s' "$host" | runuser -u "$user" -- env HOME="$home" docker-credential-ecr-login get >/dev/null; then
    echo "benchtop: the ECR credential helper got no token for $host as $user (instance role needs ecr:GetAuthorizationToken)" >&2
    return 1
  fi
}
