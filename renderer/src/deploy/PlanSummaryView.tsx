import type { DeployPlan } from '../../../common/api/deploy.contract.js';
import { HIGHLIGHT_KINDS, type LineKind, type PlanCost, type PlanSummary } from '../../../common/deploy/plan-summary.js';

const KIND_LABEL: Partial<Record<LineKind, string>> = {
  'data-loss': 'Data loss',
  interrupts: 'Interrupts runs',
  replace: 'Replaces',
  image: 'New image',
};

const usd = (n: number, digits: number) => `$${n.toFixed(digits)}`;
const pair = (p: { before?: number; after: number }, digits: number) => (p.before !== undefined ? `${usd(p.before, digits)} → ${usd(p.after, digits)}` : usd(p.after, digits));

function CostTable({ cost }: { cost: PlanCost }) {
  if (!cost.known) return <p className="muted">Cost not estimated: {cost.reason}</p>;
  const gpu = cost.gpuWorkerHourUsd;
  return (
    <table className="table cost" aria-label="Plan cost">
      <caption className="muted">List prices of {cost.pricesAsOf}, {cost.region}</caption>
      <tbody>
        <tr>
          <th scope="row">Idle, per month</th>
          <td>{pair(cost.idleMonthlyUsd, 2)}</td>
        </tr>
        <tr>
          <th scope="row">CPU worker ({cost.cpuWorkerHourUsd.instanceType}), per hour</th>
          <td>{pair(cost.cpuWorkerHourUsd, 4)}</td>
        </tr>
        <tr>
          <th scope="row">GPU worker ({gpu.instanceType}), per hour</th>
          <td>{gpu.enabled ? pair(gpu, 4) : `off (${usd(gpu.after, 4)} if turned on)`}</td>
        </tr>
      </tbody>
    </table>
  );
}

function Attention({ summary }: { summary: PlanSummary }) {
  const lines = HIGHLIGHT_KINDS.flatMap((kind) => summary.areas.flatMap((a) => a.changes.filter((l) => l.kind === kind).map((l) => ({ ...l, title: a.title }))));
  if (!lines.length) return <p role="status">Nothing is replaced, no run is interrupted and no data is at risk.</p>;
  return (
    <ul className="plan-summary__attention" aria-label="Needs your attention">
      {lines.map((l) => (
        <li key={`${l.kind}:${l.text}`} className={`plan-summary__line plan-summary__line--${l.kind}`}>
          <strong>{KIND_LABEL[l.kind]}</strong> — {l.title}: {l.text}
        </li>
      ))}
    </ul>
  );
}

/** A plan in words (what will exist, or what changes with its risks first), its cost, and the raw change set one click away. */
export function PlanSummaryView({ plan }: { plan: DeployPlan }) {
  const s = plan.summary;
  const raw = (
    <details className="plan-summary__raw">
      <summary>Raw change set ({plan.changes.length} resources)</summary>
      <pre className="diff" aria-label="Change set">
        {plan.diff}
      </pre>
    </details>
  );
  if (!s) return raw;
  const upgrade = s.kind === 'upgrade';
  const areas = upgrade ? s.areas.filter((a) => a.changes.some((l) => !HIGHLIGHT_KINDS.includes(l.kind))) : s.areas.filter((a) => a.exists.length);
  return (
    <div className="plan-summary" data-testid="plan-summary">
      {upgrade ? (
        <>
          <p>
            Upgrade from {s.version.from ?? 'an unknown version'} to {s.version.to}: {s.resourceChanges} resource{s.resourceChanges === 1 ? '' : 's'} change.
          </p>
          <Attention summary={s} />
          <p className="muted">
            {s.images.resolved
              ? s.images.changes.length
                ? `Machine images move to the latest (${s.images.changes.map((c) => c.parameter).join(', ')}).`
                : 'Machine images are already the latest.'
              : 'Machine images stay as deployed.'}
          </p>
        </>
      ) : (
        <p>
          Installs Benchtop {s.version.to}: {s.resourceChanges} resources.
        </p>
      )}
      <dl className="plan-summary__areas" aria-label={upgrade ? 'What else changes' : 'What will exist'}>
        {areas.map((a) => (
          <div key={a.area} className="plan-summary__area">
            <dt>{a.title}</dt>
            {(upgrade ? a.changes.filter((l) => !HIGHLIGHT_KINDS.includes(l.kind)).map((l) => l.text) : a.exists).map((line) => (
              <dd key={line}>{line}</dd>
            ))}
          </div>
        ))}
      </dl>
      <CostTable cost={s.cost} />
      {raw}
    </div>
  );
}
