import { useState } from 'react';
import type { RangePreset, TimeRange } from '../../../common/api/observe.contract.js';
import { Button } from '../components/Button.js';

const PRESETS: { id: RangePreset; label: string }[] = [
  { id: '1h', label: '1 h' },
  { id: '6h', label: '6 h' },
  { id: '24h', label: '24 h' },
  { id: '7d', label: '7 d' },
];

/** A local date-time input's value ("2026-12-01T10:00") for an epoch ms. */
function toInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Presets up to now, or a custom span (checked here, so the user hears what is wrong before asking). */
export function TimeRangePicker({ value, onChange }: { value: TimeRange; onChange: (range: TimeRange) => void }) {
  const custom = !('preset' in value);
  const [editing, setEditing] = useState(custom);
  const [from, setFrom] = useState(toInput(custom ? value.from : Date.now() - 3_600_000));
  const [to, setTo] = useState(toInput(custom ? value.to : Date.now()));
  const [error, setError] = useState<string | undefined>();
  const apply = () => {
    const f = new Date(from).getTime();
    const t = new Date(to).getTime();
    if (!Number.isFinite(f) || !Number.isFinite(t)) return setError('Give both a start and an end.');
    if (t <= f) return setError('The end must be after the start.');
    setError(undefined);
    onChange({ from: f, to: t });
  };
  return (
    <div className="ob-range" role="group" aria-label="Time range">
      {PRESETS.map((p) => {
        const current = 'preset' in value && value.preset === p.id && !editing;
        return (
          <Button
            key={p.id}
            size="sm"
            variant={current ? 'primary' : 'secondary'}
            aria-pressed={current}
            onClick={() => {
              setEditing(false);
              onChange({ preset: p.id });
            }}
          >
            {p.label}
          </Button>
        );
      })}
      <Button size="sm" variant={editing ? 'primary' : 'secondary'} aria-pressed={editing} onClick={() => setEditing(true)}>
        Custom
      </Button>
      {editing ? (
        <span className="ob-range__custom">
          <input className="input" type="datetime-local" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} />
          <span aria-hidden="true">–</span>
          <input className="input" type="datetime-local" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)} />
          <Button size="sm" onClick={apply}>
            Show
          </Button>
          {error ? (
            <span className="field__error" role="alert">
              {error}
            </span>
          ) : null}
        </span>
      ) : null}
    </div>
  );
}
