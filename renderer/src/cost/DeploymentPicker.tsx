import type { Deployment } from '../../../common/api/settings.contract.js';

/** Picks one of the app's deployments (the first by default); nothing is shown when there is only one. */
export function DeploymentPicker({ deployments, value, onChange }: { deployments: Deployment[]; value: Deployment | undefined; onChange: (id: string) => void }) {
  if (deployments.length < 2) return null;
  return (
    <label className="field">
      <span className="field__label">Deployment</span>
      <select className="select input" value={value?.id} onChange={(e) => onChange(e.target.value)}>
        {deployments.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.region}
            {d.profile ? `, profile ${d.profile}` : ''})
          </option>
        ))}
      </select>
    </label>
  );
}

export function targetOf(d: Deployment): { region: string; profile?: string } {
  return { region: d.region, ...(d.profile ? { profile: d.profile } : {}) };
}
