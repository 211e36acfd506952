import { pathFor, ROUTES } from '../../common/protocol/routes.js';
import { type RunTerminalTarget, runTerminalTarget } from '../../common/protocol/terminals.js';
import { PlatformError, type PlatformClient } from '../../lib/protocol/client.js';

/** Asks the platform where a running run lives (and so records that a terminal was opened into it). */
export async function askRunTerminal(client: PlatformClient, runId: string): Promise<RunTerminalTarget> {
  const route = ROUTES.openRunTerminal;
  const path = pathFor(route, { id: runId });
  const res = await client.raw(route.method, path);
  const parsed = runTerminalTarget.safeParse(await res.json());
  if (!parsed.success) throw new PlatformError(res.status, 'bad-response', `${route.method} ${path}: answer does not match the protocol: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The command an SSM session runs on the run's worker: an interactive shell in the run's
 * container, found by the name prefix the docker runtime gives it. The worker's SSM user needs
 * sudo for the docker socket; bash if the image has it, else sh.
 */
export function dockerExecCommand(target: RunTerminalTarget): string {
  const prefix = target.containerNamePrefix.replace(/[^A-Za-z0-9_.-]/g, '');
  return `sudo sh -c 'c=$(docker ps -q --filter name=^${prefix} | head -n 1); if [ -z "$c" ]; then echo "The container of run ${target.runId} is not running on this worker." >&2; exit 1; fi; exec docker exec -it -e TERM=xterm-256color "$c" sh -c "command -v bash >/dev/null && exec bash || exec sh"'`;
}
