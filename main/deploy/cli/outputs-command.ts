import { createDeployClients } from '../deploy-clients.js';
import { findStack } from '../preflight-aws.js';
import { commonUsage, EXIT, parseCommon } from './cli-options.js';
import { runCli } from './run-cli.js';

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, commonUsage('outputs'), async (out) => {
    const opts = parseCommon(argv, {});
    const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
    const existing = await findStack(c, opts.stack);
    if (!existing) {
      out.error(`There is no stack named ${opts.stack} in ${opts.region}.`, 'Check --stack and --region, or install it with benchtop deploy.');
      return EXIT.failed;
    }
    const outputs = existing.stack.Outputs ?? [];
    const width = Math.max(0, ...outputs.map((o) => (o.OutputKey ?? '').length));
    if (opts.json) out.emit({ type: 'outputs', stackName: opts.stack, outputs: Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue])) });
    else for (const o of outputs) out.text(`${(o.OutputKey ?? '').padEnd(width)}  ${o.OutputValue ?? ''}`);
    return EXIT.ok;
  });
}
