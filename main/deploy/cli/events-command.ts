import { createDeployClients } from '../deploy-clients.js';
import { StackEventReader } from '../stack-events.js';
import { watchStack } from '../watch-stack.js';
import { cliTiming, commonUsage, EXIT, parseCommon } from './cli-options.js';
import { runCli } from './run-cli.js';

const USAGE = `${commonUsage('events', '[--limit N] [--follow]')}  --limit N   how many of the latest events (default 50)\n  --follow    keep following the operation in progress until it ends\n`;

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, USAGE, async (out) => {
    const opts = parseCommon(argv, { limit: { type: 'string' }, follow: { type: 'boolean', default: false } });
    const limit = opts.extra.limit === undefined ? 50 : Number(opts.extra.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      out.error(`--limit "${String(opts.extra.limit)}" must be a whole number of events, 1 or more.`);
      return EXIT.usage;
    }
    const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
    if (opts.extra.follow) {
      const result = await watchStack(c, { stackName: opts.stack, onMessage: out.watch.bind(out) }, cliTiming());
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    const reader = new StackEventReader(c, opts.stack, false, { kind: 'after', seen: [] });
    const events = await reader.fetchNew(Math.ceil(limit / 100) + 1);
    for (const event of events.slice(-limit)) out.watch({ type: 'event', event });
    return EXIT.ok;
  });
}
