#!/bin/bash
# Service users get fixed ids: the data volume and EFS outlive every instance, and a system user
# created by useradd takes the next free id of whatever image boots next, which may then not own
# the data the previous instance wrote.
# shellcheck disable=SC2034 # read by the scripts that source this file
BENCHTOP_UID=9100

# ensure_service_user NAME ID HOME: group and user NAME with uid = gid = ID, fixed if they exist.
ensure_service_user() {
  local name=$1 id=$2 home=$3 gid
  if ! gid=$(getent group "$name" | cut -d: -f3) || [ -z "$gid" ]; then
    groupadd --system --gid "$id" "$name" || return 1
  elif [ "$gid" != "$id" ]; then
    groupmod --gid "$id" "$name" || return 1
  fi
  if ! id -u "$name" >/dev/null 2>&1; then
    useradd --system --uid "$id" --gid "$id" --home-dir "$home" --no-create-home \
      --shell /sbin/nologin "$name" || return 1
  elif [ "$(id -u "$name")" != "$id" ] || [ "$(id -g "$name")" != "$id" ]; then
    usermod --uid "$id" --gid "$id" "$name" || return 1
  fi
}

# own_tree DIR ID: gives DIR and everything in it to uid = gid = ID when DIR is not theirs yet
# (data left by an older image). DIR itself goes last, so an interrupted pass is redone.
own_tree() {
  local dir=$1 id=$2
  if [ "$(stat -c %u:%g "$dir")" = "$id:$id" ]; then
    return 0
  fi
  echo "benchtop: $dir belongs to $(stat -c %u:%g "$dir"); giving it to $id:$id" >&2
  find "$dir" -mindepth 1 \( ! -uid "$id" -o ! -gid "$id" \) -exec chown -h "$id:$id" {} + || return 1
  chown "$id:$id" "$dir"
}
