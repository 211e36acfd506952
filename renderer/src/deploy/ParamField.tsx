import type { Finding } from '../../../common/deploy/preflight-rules.js';
import { Field } from '../components/Field.js';

export interface ParamFieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  findings: Finding[];
  hint?: string;
  /** A select over these values instead of a text box. */
  options?: { value: string; label: string }[];
  type?: 'text' | 'number' | 'email';
}

/** One template parameter, with the preflight rule's sentence for it shown as the admin types. */
export function ParamField({ name, label, value, onChange, findings, hint, options, type = 'text' }: ParamFieldProps) {
  const mine = findings.filter((f) => f.field === name);
  const error = mine.find((f) => f.severity === 'error')?.message;
  // A warning does not make the field invalid: it is said beside the hint.
  const warning = error ? undefined : mine.find((f) => f.severity === 'warning')?.message;
  const shown = [hint, warning].filter(Boolean).join(' ');
  return (
    <Field label={label} {...(shown ? { hint: shown } : {})} {...(error ? { error } : {})}>
      {(control) =>
        options ? (
          <select {...control} name={name} className="select input" value={value} onChange={(e) => onChange(e.target.value)}>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : (
          <input {...control} name={name} className="input" type={type} value={value} onChange={(e) => onChange(e.target.value)} />
        )
      }
    </Field>
  );
}
