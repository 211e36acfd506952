import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alarmHistory, type AlarmInfo, listAlarms, listObserveSources, listSubscriptions, setAlarmMuted } from '../../../common/api/observe.contract.js';
import { ApiProvider, createQueryClient } from '../api/ApiProvider.js';
import { createFakeBackend } from '../test/fake-backend.js';
import { AlarmsPage } from './AlarmsPage.js';

afterEach(cleanup);
beforeEach(() => localStorage.clear());

const STACK = { kind: 'stack' as const, target: { region: 'eu-west-1' }, stackName: 'lab' };

function backend() {
  const alarms = new Map<string, AlarmInfo>([
    ['lab-DataDiskAlarm-1', { name: 'lab-DataDiskAlarm-1', description: 'The data volume is more than 85% full.', state: 'ALARM', reason: 'Threshold Crossed: 91 >= 85', since: Date.now() - 600_000, actionsEnabled: true, threshold: 85 }],
    ['lab-FailedRunsAlarm-1', { name: 'lab-FailedRunsAlarm-1', description: 'Five or more runs failed.', state: 'OK', reason: 'Threshold not crossed', since: Date.now() - 86_400_000, actionsEnabled: true }],
  ]);
  const muted: { name: string; muted: boolean; reason?: string | undefined }[] = [];
  const fake = createFakeBackend((router) => {
    router.handle(listObserveSources, () => ({ sources: [{ id: 'stack:eu-west-1:lab', label: 'lab (eu-west-1)', source: STACK }] }));
    router.handle(listAlarms, () => ({ local: false, alarms: [...alarms.values()] }));
    router.handle(alarmHistory, () => ({ items: [{ at: Date.now(), type: 'StateUpdate', summary: 'Alarm updated from OK to ALARM' }] }));
    router.handle(setAlarmMuted, ({ name, muted: m, reason }) => {
      muted.push({ name, muted: m, reason });
      const a = { ...alarms.get(name)!, actionsEnabled: !m, ...(m && reason ? { muteReason: reason } : {}) };
      if (!m) delete a.muteReason;
      alarms.set(name, a);
      return a;
    });
    router.handle(listSubscriptions, () => ({ topicArn: 'arn:aws:sns:eu-west-1:1:lab-alarms', subscriptions: [{ arn: 'PendingConfirmation', protocol: 'email', endpoint: 'pi@lab.org', pending: true }] }));
  });
  return { fake, muted };
}

describe('Alarms page', () => {
  it('shows each alarm\'s state, reason and since when, in ALARM first, and who is told', async () => {
    const { fake } = backend();
    render(
      <ApiProvider client={fake.client} queryClient={createQueryClient()}>
        <AlarmsPage />
      </ApiProvider>,
    );
    const disk = await screen.findByRole('article', { name: 'Alarm lab-DataDiskAlarm-1' });
    expect(within(disk).getByText('In alarm')).toBeTruthy();
    expect(within(disk).getByText(/Threshold Crossed: 91 >= 85/)).toBeTruthy();
    expect(within(disk).getByText(/10 min ago/)).toBeTruthy();
    expect(screen.getAllByRole('article').map((a) => a.getAttribute('aria-label'))).toEqual(['Alarm lab-DataDiskAlarm-1', 'Alarm lab-FailedRunsAlarm-1']);
    expect(await screen.findByText('Pending confirmation')).toBeTruthy();
  });

  it('mutes only with a reason, shows it, and unmutes', async () => {
    const { fake, muted } = backend();
    const user = userEvent.setup();
    render(
      <ApiProvider client={fake.client} queryClient={createQueryClient()}>
        <AlarmsPage />
      </ApiProvider>,
    );
    const disk = await screen.findByRole('article', { name: 'Alarm lab-DataDiskAlarm-1' });
    await user.click(within(disk).getByRole('button', { name: 'Mute…' }));
    const submit = within(disk).getByRole('button', { name: 'Mute' });
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await user.type(within(disk).getByRole('textbox', { name: 'Why mute it' }), 'growing the volume');
    await user.click(submit);
    expect(await within(disk).findByText('Muted because: growing the volume')).toBeTruthy();
    expect(muted).toEqual([{ name: 'lab-DataDiskAlarm-1', muted: true, reason: 'growing the volume' }]);
    await user.click(within(disk).getByRole('button', { name: 'Unmute' }));
    expect(await within(disk).findByRole('button', { name: 'Mute…' })).toBeTruthy();
    expect(muted.at(-1)).toMatchObject({ muted: false });
    await user.click(within(disk).getByRole('button', { name: 'History' }));
    expect(await within(disk).findByText('Alarm updated from OK to ALARM')).toBeTruthy();
  });
});
