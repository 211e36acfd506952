import { useState, type ReactNode } from 'react';
import { Button } from '../components/Button.js';

/** A destructive action asked twice: the first press shows what will happen and a second button that does it. */
export function ConfirmButton({ label, question, confirmLabel, busy, onConfirm }: { label: string; question: ReactNode; confirmLabel: string; busy?: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button size="sm" variant="ghost" onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <span className="pp-confirm" role="group" aria-label={label}>
      <span>{question}</span>
      <Button size="sm" variant="danger" busy={busy ?? false} autoFocus onClick={() => (onConfirm(), setAsking(false))}>
        {confirmLabel}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}
