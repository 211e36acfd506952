import { createDeployClients } from '../deploy-clients.js';
import { cliTiming, commonUsage, EXIT, parseCommon, PLAN_OPTIONS, planOptions } from './cli-options.js';
import { planStep } from './plan-step.js';
import { runCli } from './run-cli.js';

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, commonUsage('plan', '[--update-images] [--diff]'), async (out) => {
    const opts = parseCommon(argv, PLAN_OPTIONS);
    const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
    await planStep(out, c, opts.stack, opts.params, cliTiming(), planOptions(opts.extra));
    return EXIT.ok;
  });
}
