#!/bin/bash
# User data of a CPU or GPU worker. EC2 takes at most 16 KB of user data, so this only installs
# the agent bundle the stack pins (refused unless its sha256 is AGENT_DIGEST) and hands over to
# the boot script proper that the bundle holds, boot/worker.sh (lib/ inlined). The stack's values
# are at the top (templates/src/boot-scripts.ts), exported for it. A failure before the handover
# leaves the group as a failed boot script does.
# shellcheck source-path=SCRIPTDIR
set -eEuo pipefail
# What leaving the group needs; the bundle's values are checked once the EXIT trap reports.
: "${AWS_REGION:?}" "${LIFECYCLE_HOOK:?}"
export AWS_DEFAULT_REGION="$AWS_REGION"
# The boot script tees its own output; fds 3 and 4 keep the console for it.
exec 3>&1 4>&2 > >(tee -a /var/log/benchtop-boot.log) 2>&1

source "$(dirname "$0")/lib/boot-failure.sh"
source "$(dirname "$0")/lib/bundle.sh"
source "$(dirname "$0")/lib/drain.sh"

trap 'worker_boot_exit $? "$LIFECYCLE_HOOK"' EXIT

boot_step "installing the agent bundle, which holds the boot script"
# AgentBundleSha256 defaults to empty: such a worker leaves its group rather than idle in it.
: "${ARTIFACTS_BUCKET:?}" "${AGENT_VERSION:?}" "${AGENT_DIGEST:?}"
install_agent_bundle "$ARTIFACTS_BUCKET" "$AGENT_VERSION" "$AGENT_DIGEST"
script=$(bundled_boot_script worker.sh)

exec 1>&3 2>&4 3>&- 4>&-
# A successful exec runs no EXIT trap. A failed one would end bash without it, unless execfail
# lets it return, so that it exits here and reports.
shopt -s execfail
exec /bin/bash "$script" || exit
