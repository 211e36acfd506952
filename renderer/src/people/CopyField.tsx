import { useState } from 'react';
import { Button } from '../components/Button.js';

/** A secret or a link shown in full, selectable, with a Copy button that says when it worked. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <div className="pp-copy">
      <span className="field__label">{label}</span>
      <div className="pp-copy__row">
        <input className="input rs-mono" readOnly value={value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        <Button size="sm" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      {copied === 'failed' ? <p className="field__error">The clipboard refused; select the text and copy it by hand.</p> : null}
    </div>
  );
}
