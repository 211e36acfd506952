import { PageHeader } from '../components/PageHeader.js';
import { RequirePlatform } from '../researcher/platforms/RequirePlatform.js';
import { navigate, useHashPath } from '../shell/hash-location.js';
import { AuditTrail } from './AuditTrail.js';
import { JoinInvite } from './JoinInvite.js';
import { UsersPanel } from './UsersPanel.js';
import '../researcher/researcher.css';
import './people.css';

type Tab = 'people' | 'audit' | 'join';
const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'people', label: 'People' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'join', label: 'Join with an invite' },
];

export function parseUsersTab(path: string): Tab {
  const tab = path.split('/')[2];
  return TABS.some((t) => t.id === tab) ? (tab as Tab) : 'people';
}

/** Users (admin), the audit trail (admins and PIs), and joining another platform by invite (everyone). */
export function UsersPage() {
  const tab = parseUsersTab(useHashPath());
  const body = (
    <>
      <div className="rs-tabs" role="tablist" aria-label="Users sections">
        {TABS.map((t) => (
          <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} className={tab === t.id ? 'rs-tab rs-tab--current' : 'rs-tab'} onClick={() => navigate(`/users/${t.id}`)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="rs-tabpanel" role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
        {tab === 'people' ? <UsersPanel /> : null}
        {tab === 'audit' ? <AuditTrail /> : null}
        {tab === 'join' ? <JoinInvite /> : null}
      </div>
    </>
  );
  return (
    <>
      {tab === 'join' ? (
        <>
          <PageHeader title="Users" description="People, their roles and tokens; who changed what." />
          {body}
        </>
      ) : (
        <RequirePlatform title="Users">
          <PageHeader title="Users" description="People, their roles and tokens; who changed what." />
          {body}
        </RequirePlatform>
      )}
    </>
  );
}
