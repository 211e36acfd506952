import { createDeployClients } from '../deploy-clients.js';
import { runPreflight } from '../preflight.js';
import { allowedValues, loadDeploySource, parameterDefaults } from '../template-source.js';
import { commonUsage, EXIT, parseCommon } from './cli-options.js';
import type { CliOutput } from './cli-output.js';
import { runCli } from './run-cli.js';

export async function preflightStep(out: CliOutput, opts: { stack: string; region: string; profile?: string; params: Record<string, string> }): Promise<boolean> {
  const source = loadDeploySource();
  const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
  // Checked as deployed: the template's defaults for every parameter the file leaves out.
  const params = { ...parameterDefaults(source.platform), ...opts.params };
  const report = await runPreflight(c, { stackName: opts.stack, region: opts.region, params, allowed: allowedValues(source.platform), declared: Object.keys(source.platform.Parameters ?? {}) });
  out.findings(report.findings);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  out.emit(
    { type: 'preflight', ok: report.ok, account: report.account ?? null, existingStatus: report.existingStatus ?? null, errors, warnings: report.findings.length - errors },
    report.ok
      ? `✓ preflight passed for ${opts.stack} in ${opts.region}${report.account ? ` (account ${report.account})` : ''}${report.existingStatus ? `; the stack exists (${report.existingStatus}), so this is an upgrade` : ''}`
      : `✗ preflight found ${errors} problem(s) to fix before installing`,
  );
  return report.ok;
}

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, commonUsage('preflight'), async (out) => {
    const opts = parseCommon(argv, {});
    return (await preflightStep(out, opts)) ? EXIT.ok : EXIT.failed;
  });
}
