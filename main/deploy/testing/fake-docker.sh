#!/bin/bash
# A Docker engine stand-in for a machine without one, as the worker's docker runtime drives it
# (agents/worker/runtimes/docker-runtime.ts, docker-images.ts): the runtime's real argv comes in,
# and `docker run` executes the container's command under bubblewrap with what the argv says
# mapped — each --mount bind (read-only where it says so), --workdir, --env, --user, --network none
# (no network), --read-only (a read-only root). The "image" is the host's /usr read-only: the
# environment's packages are not installed, but the Dockerfile must have been built, pushed or
# pulled first under the reference `docker run` names. Pulls and pushes to a registry host ask
# the credential helper that config.json names for it, as Docker does, and fail like ECR without
# a login when there is none. Limits (--memory, --cpus, --pids-limit) are accepted, not enforced.
# State (images, registry, containers) lives in /var/lib/fake-docker inside the instance's root.
state=/var/lib/fake-docker
mkdir -p "$state/images" "$state/registry" "$state/containers" "$state/networks" 2>/dev/null
key() { printf '%s' "$1" | sha256sum | cut -c1-32; }
registry_host() { local host=${1%%/*}; case $host in *.*|*:*) [ "$host" != "$1" ] && echo "$host";; esac; }
# Docker asks the credential helper named for the host in $DOCKER_CONFIG/config.json (credHelpers).
login() {
  local host=$1 config=${DOCKER_CONFIG:-$HOME/.docker}/config.json helper
  helper=$(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write((c.credHelpers||{})[process.argv[2]]||"")' "$config" "$host" 2>/dev/null)
  if [ -z "$helper" ] || ! printf '%s' "$host" | "docker-credential-$helper" get >/dev/null; then
    echo "no basic auth credentials" >&2; return 1
  fi
}
case "$1 $2" in
  "version "*) echo 27.5.1;;
  "network inspect") [ -f "$state/networks/$3" ];;
  "network create") : >"$state/networks/${!#}";;
  "image inspect")
    ref=${!#}; [ -f "$state/images/$(key "$ref")" ] || { echo "Error: No such image: $ref" >&2; exit 1; }
    case $4 in
      *RepoDigests*) cat "$state/images/$(key "$ref").digests" 2>/dev/null || echo '[]';;
      *) echo "sha256:$(cat "$state/images/$(key "$ref")")";;
    esac;;
  "build "*)
    dockerfile=$(cat); [[ $(grep -v '^#' <<<"$dockerfile" | head -n 1) == FROM\ * ]] || { echo "the Dockerfile's first instruction must be FROM" >&2; exit 1; }
    id=$(printf '%s' "$dockerfile" | sha256sum | cut -c1-64)
    shift; while [ $# -gt 0 ]; do [ "$1" = -t ] && { printf '%s' "$id" >"$state/images/$(key "$2")"; shift; }; shift; done
    echo "Successfully built ${id:0:12}";;
  "push "*)
    ref=$2; host=$(registry_host "$ref"); [ -n "$host" ] && { login "$host" || exit 1; }
    [ -f "$state/images/$(key "$ref")" ] || { echo "An image does not exist locally with the tag: $ref" >&2; exit 1; }
    id=$(cat "$state/images/$(key "$ref")"); repository=${ref%:*}
    cp "$state/images/$(key "$ref")" "$state/registry/$(key "$ref")"
    cp "$state/images/$(key "$ref")" "$state/images/$(key "$repository@sha256:$id")"
    printf '["%s@sha256:%s"]\n' "$repository" "$id" >"$state/images/$(key "$ref").digests"
    echo "latest: digest: sha256:$id";;
  "pull "*)
    ref=${!#}; host=$(registry_host "$ref"); [ -n "$host" ] && { login "$host" || exit 1; }
    [ -f "$state/registry/$(key "$ref")" ] || { echo "Error response from daemon: manifest for $ref not found: manifest unknown" >&2; exit 1; }
    id=$(cat "$state/registry/$(key "$ref")"); repository=${ref%:*}
    cp "$state/registry/$(key "$ref")" "$state/images/$(key "$ref")"
    cp "$state/registry/$(key "$ref")" "$state/images/$(key "$repository@sha256:$id")"
    printf '["%s@sha256:%s"]\n' "$repository" "$id" >"$state/images/$(key "$ref").digests";;
  "kill "*)
    signal=SIGKILL; [ "$2" = --signal ] && signal=$3
    pid=$(cat "$state/containers/${!#}" 2>/dev/null) || { echo "Error: No such container: ${!#}" >&2; exit 1; }
    kill -s "${signal#SIG}" "$pid";;
  "run "*)
    shift
    # The instance's /proc, bound: a new one cannot be mounted inside the instance's sandbox.
    box=(--unshare-user --unshare-ipc --unshare-uts --die-with-parent --new-session
      --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin
      --ro-bind /proc /proc --dev /dev --clearenv)
    name="" readonly=""
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
      case $1 in
        --name) name=$2; shift;;
        --read-only) readonly=1;;
        --network) [ "$2" = none ] && box+=(--unshare-net); shift;;
        --mount)
          IFS=, read -ra parts <<<"$2"; src="" dst="" ro=""
          for p in "${parts[@]}"; do case $p in src=*) src=${p#src=};; dst=*) dst=${p#dst=};; readonly) ro=1;; esac; done
          if [ -n "$ro" ]; then box+=(--ro-bind "$src" "$dst"); else box+=(--bind "$src" "$dst"); fi; shift;;
        --workdir) box+=(--chdir "$2"); shift;;
        --env) box+=(--setenv "${2%%=*}" "${2#*=}"); shift;;
        --user) box+=(--uid "${2%%:*}" --gid "${2#*:}"); shift;;
        --label|--cap-drop|--security-opt|--pids-limit|--memory|--memory-swap|--cpus|--gpus) shift;;
      esac
      shift
    done
    shift; image=$1; shift
    [ -f "$state/images/$(key "$image")" ] || { echo "Unable to find image '$image' locally" >&2; exit 125; }
    [ -n "$readonly" ] && box+=(--remount-ro /)
    bwrap "${box[@]}" -- "$@" &
    pid=$!
    [ -n "$name" ] && echo "$pid" >"$state/containers/$name"
    wait "$pid"; rc=$?
    [ -n "$name" ] && rm -f "$state/containers/$name"
    exit "$rc";;
  *) echo "fake docker: $1 $2 is not implemented" >&2; exit 1;;
esac
