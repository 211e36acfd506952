import type { RunTerminalTarget } from '../../common/protocol/terminals.js';

/**
 * The command an SSM session runs on the run's worker: an interactive shell in the run's
 * container, found by the name prefix the docker runtime gives it. The worker's SSM user needs
 * sudo for the docker socket; bash if the image has it, else sh.
 */
export function dockerExecCommand(target: RunTerminalTarget): string {
  const prefix = target.containerNamePrefix.replace(/[^A-Za-z0-9_.-]/g, '');
  return `sudo sh -c 'c=$(docker ps -q --filter name=^${prefix} | head -n 1); if [ -z "$c" ]; then echo "The container of run ${target.runId} is not running on this worker." >&2; exit 1; fi; exec docker exec -it -e TERM=xterm-256color "$c" sh -c "command -v bash >/dev/null && exec bash || exec sh"'`;
}
