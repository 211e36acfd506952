import { Icon, type IconName } from '../components/Icon.js';
import type { ThemeChoice } from '../theme/theme.js';

const CHOICES: { value: ThemeChoice; label: string; icon: IconName }[] = [
  { value: 'system', label: 'System', icon: 'monitor' },
  { value: 'light', label: 'Light', icon: 'sun' },
  { value: 'dark', label: 'Dark', icon: 'moon' },
];

/** A radio group, so arrow keys move between the three choices as in any native control. */
export function ThemeSwitch({ value, onChange }: { value: ThemeChoice; onChange: (choice: ThemeChoice) => void }) {
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Theme</legend>
      {CHOICES.map((choice) => (
        <label key={choice.value} className="segmented__option" title={`${choice.label} theme`}>
          <input
            type="radio"
            name="theme"
            value={choice.value}
            checked={value === choice.value}
            onChange={() => onChange(choice.value)}
            className="segmented__input"
          />
          <span className="segmented__face">
            <Icon name={choice.icon} size={16} />
            <span className="sr-only">{choice.label} theme</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
