import { createDeployClients } from '../deploy-clients.js';
import { readPlatformHealth } from '../platform-health.js';
import { findStack } from '../preflight-aws.js';
import { inspectStack } from '../recovery.js';
import { statusKind } from '../../../common/deploy/stack-status.js';
import { loadDeploySource } from '../template-source.js';
import { versionInfo } from '../upgrade.js';
import { watchStack } from '../watch-stack.js';
import { cliTiming, commonUsage, EXIT, parseCommon } from './cli-options.js';
import { runCli } from './run-cli.js';

const USAGE = `${commonUsage('status', '[--watch]')}  Compares the versions of this app, the stack and its agents (the platform's public health) and says which to upgrade.\n  --watch   follow an operation in progress (re-attaches after the app or a terminal was closed)\n`;

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
    const url = stack?.Outputs?.find((o) => o.OutputKey === 'Url')?.OutputValue;
    const platform = url ? await readPlatformHealth(url) : undefined;
    const agents = platform?.reachable ? { services: platform.version, workers: platform.workers } : {};
    const version = versionInfo(stack, loadDeploySource().stackVersion, agents);
    const platformLine = !platform
      ? []
      : platform.reachable
        ? [`  platform ${platform.url}: services agent ${platform.version}, ${platform.workersOnline} worker${platform.workersOnline === 1 ? '' : 's'} online`]
        : [`  platform ${platform.url} does not answer: ${platform.message}`];
    out.emit(
      { type: 'status', stackName: opts.stack, exists: true, status: health.status, message: health.message, actions: health.actions, version, ...(platform ? { platform } : {}) },
      [
        `${opts.stack}: ${health.status}`,
        `  version ${version.deployed ?? 'unknown'}${version.updateAvailable ? ` — update available: ${version.available} (benchtop deploy)` : ''}`,
        ...platformLine,
        ...version.advice.map((a) => `  upgrade the ${a.upgrade}: ${a.message}`),
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
