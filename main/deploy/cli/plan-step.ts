import type { DeployClients } from '../deploy-clients.js';
import { preparePlan } from '../deploy-flow.js';
import type { Plan } from '../plan.js';
import { loadDeploySource } from '../template-source.js';
import type { Timing } from '../timing.js';
import type { CliOutput } from './cli-output.js';

/** bootstrap → change set, printed as a diff with the data resources at risk. */
export async function planStep(out: CliOutput, c: DeployClients, stack: string, params: Record<string, string>, timing: Timing): Promise<Plan> {
  const source = loadDeploySource();
  out.text(`Bootstrapping ${stack} (artifacts bucket, template, agent bundle ${source.stackVersion})…`);
  const { boot, plan } = await preparePlan(c, stack, params, source, timing, (m) => {
    if (m.type === 'final' && !m.ok) out.watch(m);
  });
  out.emit({ type: 'bootstrap', bucket: boot.bucket, uploaded: boot.uploaded, skipped: boot.skipped }, `  bucket ${boot.bucket}: uploaded ${boot.uploaded.length}, already there ${boot.skipped.length}`);
  out.emit(
    { type: 'plan', stackName: plan.stackName, changeType: plan.type, noChanges: plan.noChanges, changeSetName: plan.changeSetName ?? null, changes: plan.changes, dataRisks: plan.dataRisks, diff: plan.diff },
    plan.noChanges ? `No changes: ${stack} already matches this version and these parameters.` : `${plan.type === 'CREATE' ? 'Install' : 'Upgrade'} plan for ${stack} (change set ${plan.changeSetName}):\n${plan.diff}`,
  );
  if (plan.dataRisks.length) {
    out.text(`\n⚠ This plan removes or replaces data: ${plan.dataRisks.map((r) => `${r.logicalId} (${r.resourceType})`).join(', ')}.`);
    out.text(`  Applying it needs --confirm-data-loss ${stack}.`);
  }
  return plan;
}
