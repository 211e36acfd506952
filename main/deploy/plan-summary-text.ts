import { HIGHLIGHT_KINDS, type LineKind, type PlanCost, type PlanSummary } from '../../common/deploy/plan-summary.js';

// The plan summary as the CLI prints it (the same words the app shows).

const LABEL: Partial<Record<LineKind, string>> = {
  'data-loss': '⚠ DATA LOSS ',
  interrupts: '⚠ INTERRUPTS',
  replace: '! REPLACES  ',
  image: '! NEW IMAGE ',
};

const usd = (n: number, digits = 2) => `$${n.toFixed(digits)}`;
const pair = (p: { before?: number; after: number }, digits: number, upgrade: boolean) =>
  upgrade && p.before !== undefined ? `${usd(p.before, digits)} → ${usd(p.after, digits)}` : usd(p.after, digits);

function indentBlock(title: string, lines: string[], width: number): string[] {
  return lines.map((l, i) => `  ${(i === 0 ? title : '').padEnd(width)}  ${l}`);
}

export function costLines(cost: PlanCost, upgrade: boolean): string[] {
  if (!cost.known) return [`Cost: not estimated (${cost.reason})`];
  const gpu = cost.gpuWorkerHourUsd;
  return [
    `Cost (list prices of ${cost.pricesAsOf}, ${cost.region})`,
    `  Idle, per month       ${pair(cost.idleMonthlyUsd, 2, upgrade)}`,
    `  CPU worker, per hour  ${pair(cost.cpuWorkerHourUsd, 4, upgrade)} (${cost.cpuWorkerHourUsd.instanceType})`,
    gpu.enabled
      ? `  GPU worker, per hour  ${pair(gpu, 4, upgrade)} (${gpu.instanceType})`
      : `  GPU worker, per hour  off (${usd(gpu.after, 4)} for ${gpu.instanceType} if turned on)`,
  ];
}

export function formatPlanSummary(s: PlanSummary, changeSetName?: string): string {
  const upgrade = s.kind === 'upgrade';
  const width = Math.max(...s.areas.map((a) => a.title.length));
  const out: string[] = [];
  const version = !upgrade ? s.version.to : s.version.from === s.version.to ? `${s.version.to} (same version)` : `${s.version.from ?? 'unknown'} → ${s.version.to}`;
  const count = upgrade ? `${s.resourceChanges} resource${s.resourceChanges === 1 ? '' : 's'} change` : `${s.resourceChanges} resources to create`;
  out.push(`${upgrade ? 'Upgrade' : 'Install'} plan for ${s.stackName} in ${s.region}: Benchtop ${version}, ${count}${changeSetName ? ` (change set ${changeSetName})` : ''}.`);
  out.push('');
  if (upgrade) {
    if (s.highlights.length) {
      out.push('Needs your attention');
      for (const kind of HIGHLIGHT_KINDS) for (const a of s.areas) for (const l of a.changes) if (l.kind === kind) out.push(`  ${LABEL[kind]}  ${a.title}: ${l.text}`);
    } else out.push('Nothing is replaced, no run is interrupted and no data is at risk.');
    out.push('');
    // The lines above are not repeated here.
    const changed = s.areas.map((a) => ({ ...a, changes: a.changes.filter((l) => !LABEL[l.kind]) })).filter((a) => a.changes.length);
    if (changed.length) {
      out.push('What else changes');
      for (const a of changed) out.push(...indentBlock(a.title, a.changes.map((l) => l.text), width));
      out.push('');
    }
    out.push(
      s.images.resolved
        ? s.images.changes.length
          ? `Machine images: updated to the latest (${s.images.changes.map((c) => c.parameter).join(', ')}).`
          : 'Machine images: already the latest.'
        : 'Machine images: kept as deployed (plan with --update-images to move to the latest; that replaces instances).',
    );
  } else {
    out.push('What will exist');
    for (const a of s.areas) if (a.exists.length) out.push(...indentBlock(a.title, a.exists, width));
  }
  out.push('');
  out.push(...costLines(s.cost, upgrade));
  return out.join('\n');
}
