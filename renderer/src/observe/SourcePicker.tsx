import type { ObserveSourceChoice } from './use-observe-source.js';

/** Which source to observe: the local sandbox or a saved deployment. */
export function SourcePicker({ sources, selected, onSelect }: { sources: ObserveSourceChoice[]; selected: ObserveSourceChoice | undefined; onSelect: (id: string) => void }) {
  return (
    <label className="ob-inline-field">
      <span>Source</span>
      <select className="select" value={selected?.id ?? ''} onChange={(e) => onSelect(e.target.value)} aria-label="Source">
        {sources.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );
}
