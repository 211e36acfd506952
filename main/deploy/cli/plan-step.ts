import type { DeployClients } from '../deploy-clients.js';
import { preparePlan } from '../deploy-flow.js';
import type { Plan } from '../plan.js';
import { formatPlanSummary } from '../plan-summary-text.js';
import { loadDeploySource } from '../template-source.js';
import type { Timing } from '../timing.js';
import type { CliOutput } from './cli-output.js';

export interface PlanStepOptions {
  /** Print the raw change set after the summary. */
  diff: boolean;
  /** Move the instances to the latest machine images (replaces them). */
  updateImages: boolean;
}

/** bootstrap → change set, printed as the plan in words (the raw diff on request). */
export async function planStep(out: CliOutput, c: DeployClients, stack: string, params: Record<string, string>, timing: Timing, options: PlanStepOptions = { diff: false, updateImages: false }): Promise<Plan> {
  const source = loadDeploySource();
  out.text(`Bootstrapping ${stack} (artifacts bucket, template, agent bundle ${source.stackVersion})…`);
  const { boot, plan } = await preparePlan(
    c,
    stack,
    params,
    source,
    timing,
    (m) => {
      if (m.type === 'final' && !m.ok) out.watch(m);
    },
    { updateImages: options.updateImages },
  );
  out.emit({ type: 'bootstrap', bucket: boot.bucket, uploaded: boot.uploaded, skipped: boot.skipped }, `  bucket ${boot.bucket}: uploaded ${boot.uploaded.length}, already there ${boot.skipped.length}`);
  const words = plan.summary ? formatPlanSummary(plan.summary, plan.changeSetName) : undefined;
  const text = plan.noChanges
    ? [`No changes: ${stack} already matches this version and these parameters.`, ...(plan.summary && !plan.summary.images.resolved ? ['Machine images are kept as deployed; plan with --update-images to move to the latest.'] : [])].join('\n')
    : [`\n${words ?? `${plan.type === 'CREATE' ? 'Install' : 'Upgrade'} plan for ${stack} (change set ${plan.changeSetName}):`}`, options.diff || !words ? `\nRaw change set:\n${plan.diff}` : '\nThe raw change set: run again with --diff.'].join('\n');
  out.emit(
    {
      type: 'plan',
      stackName: plan.stackName,
      changeType: plan.type,
      noChanges: plan.noChanges,
      changeSetName: plan.changeSetName ?? null,
      changes: plan.changes,
      dataRisks: plan.dataRisks,
      diff: plan.diff,
      ...(plan.summary ? { summary: plan.summary } : {}),
    },
    text,
  );
  if (plan.dataRisks.length) {
    out.text(`\n⚠ This plan removes or replaces data: ${plan.dataRisks.map((r) => `${r.logicalId} (${r.resourceType})`).join(', ')}.`);
    out.text(`  Applying it needs --confirm-data-loss ${stack}.`);
  }
  return plan;
}
