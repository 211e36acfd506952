import { createDeployClients } from '../deploy-clients.js';
import { findStack } from '../preflight-aws.js';
import { inspectStack } from '../recovery.js';
import { statusKind } from '../../../common/deploy/stack-status.js';
import { loadDeploySource } from '../template-source.js';
import { versionInfo } from '../upgrade.js';
import { watchStack } from '../watch-stack.js';
import { cliTiming, commonUsage, EXIT, parseCommon } from './cli-options.js';
import { runCli } from './run-cli.js';

const USAGE = `${commonUsage('status', '[--watch]')}  --watch   follow an operation in progress (re-attaches after the app or a terminal was closed)\n`;

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, USAGE, async (out) => {
    const opts = parseCommon(argv, { watch: { type: 'boolean', default: false } });
    const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
    const health = await inspectStack(c, opts.stack);
    if (!health.exists) {
      out.emit({ type: 'status', stackName: opts.stack, exists: false }, health.message);
      return EXIT.failed;
    }
    const stack = (await findStack(c, opts.stack))?.stack;
    const version = versionInfo(stack, loadDeploySource().stackVersion);
    out.emit(
      { type: 'status', stackName: opts.stack, exists: true, status: health.status, message: health.message, actions: health.actions, version },
      [
        `${opts.stack}: ${health.status}`,
        `  version ${version.deployed ?? 'unknown'}${version.updateAvailable ? ` — update available: ${version.available} (benchtop deploy)` : ''}`,
        `  ${health.message}`,
      ].join('\n'),
    );
    if (opts.extra.watch && statusKind(health.status) === 'in-progress') {
      const result = await watchStack(c, { stackName: opts.stack, onMessage: out.watch.bind(out) }, cliTiming());
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    const kind = statusKind(health.status);
    return kind === 'failed' || kind === 'rolled-back' ? EXIT.failed : EXIT.ok;
  });
}
