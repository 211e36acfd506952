import { getAppInfo } from '../../../common/api/app.contract.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import type { ActiveProfile } from '../data/use-active-profile.js';
import type { ThemeChoice } from '../theme/theme.js';
import { PlatformBadge } from '../researcher/platforms/PlatformBadge.js';
import { RunNotifications } from '../researcher/RunNotifications.js';
import { CheckNotices } from '../people/CheckNotices.js';
import { OpenedInvites } from '../people/OpenedInvites.js';
import { ProfilePicker } from './ProfilePicker.js';
import { ThemeSwitch } from './ThemeSwitch.js';

export interface HeaderProps {
  active: ActiveProfile;
  theme: ThemeChoice;
  onThemeChange: (choice: ThemeChoice) => void;
  onHelp: () => void;
}

const SHELL_LABEL = { desktop: 'Desktop app', browser: 'Browser mode' } as const;

export function Header({ active, theme, onThemeChange, onHelp }: HeaderProps) {
  const info = useCall(getAppInfo, undefined, { staleTime: Infinity });
  return (
    <header className="topbar">
      <div className="topbar__context" aria-live="polite">
        {info.isSuccess ? (
          <>
            <span className="badge" data-shell={info.data.shell}>
              {SHELL_LABEL[info.data.shell]}
            </span>
            <span className="topbar__version">v{info.data.version}</span>
          </>
        ) : info.isError ? (
          <span className="badge badge--danger">Not connected</span>
        ) : null}
      </div>
      <div className="topbar__actions">
        <PlatformBadge />
        <RunNotifications />
        <CheckNotices />
        <OpenedInvites />
        <ProfilePicker active={active} />
        <ThemeSwitch value={theme} onChange={onThemeChange} />
        <Button
          variant="ghost"
          icon="keyboard"
          onClick={onHelp}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          aria-keyshortcuts="?"
          aria-haspopup="dialog"
          className="button--icon"
        />
      </div>
    </header>
  );
}
