import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../common/api/errors.js';
import { createStandardBackend, IDENTITY } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/setup'));
afterEach(cleanup);

const profilesCard = () => screen.getByRole('region', { name: 'AWS profiles' });
const identityCard = () => screen.getByRole('region', { name: /^Identity/ });

describe('Setup: AWS profiles and identity', () => {
  it('lists the profiles of the AWS configuration with their kind and region', async () => {
    renderApp(createStandardBackend());
    const table = await within(profilesCard()).findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining('lab-admin'),
      expect.stringContaining('expired'),
    ]);
    expect(rows[0]?.textContent).toContain('IAM Identity Center (SSO)');
    expect(rows[0]?.textContent).toContain('eu-west-1');
    expect(rows[1]?.textContent).toContain('Access keys');
    expect(rows[1]?.textContent).toContain('not set');
    expect(table.textContent).toContain('/home/alice/.aws/config');
    expect(identityCard().textContent).toContain('Choose a profile above');
  });

  it('uses a profile, saves the choice, and shows its account here and in the header', async () => {
    const backend = createStandardBackend();
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Use profile lab-admin' }));
    expect(await within(identityCard()).findByText(IDENTITY.arn)).toBeTruthy();
    expect(within(identityCard()).getByText(IDENTITY.account)).toBeTruthy();
    expect(within(identityCard()).getByText('eu-west-1')).toBeTruthy();
    expect(within(screen.getByRole('banner')).getByText(IDENTITY.account)).toBeTruthy();
    expect((screen.getByRole('combobox', { name: 'AWS profile' }) as HTMLSelectElement).value).toBe('lab-admin');
    await waitFor(() => expect(backend.preferences.defaultProfile).toBe('lab-admin'));
    expect(backend.calls).toContainEqual({ name: 'aws:get-identity', input: { profile: 'lab-admin', region: 'eu-west-1' } });
  });

  it('checks the identity of a profile picked in the header, in the default region when the profile has none', async () => {
    const backend = createStandardBackend();
    const { user } = renderApp(backend);
    const picker = await screen.findByRole('combobox', { name: 'AWS profile' });
    await waitFor(() => expect((picker as HTMLSelectElement).disabled).toBe(false));
    await user.selectOptions(picker, 'expired');
    const alert = await within(identityCard()).findByRole('alert');
    expect(alert.textContent).toContain('Could not confirm the identity of "expired"');
    expect(alert.textContent).toContain('The credentials of profile "expired" were refused');
    expect(alert.textContent).toContain('Renew them (aws configure --profile expired), then check again.');
    expect(within(screen.getByRole('banner')).getByText('Identity check failed')).toBeTruthy();
    expect(backend.calls).toContainEqual({ name: 'aws:get-identity', input: { profile: 'expired', region: 'us-east-1' } });
  });

  it('remembers the chosen profile across sessions', async () => {
    renderApp(createStandardBackend({ preferences: { theme: 'system', defaultProfile: 'lab-admin' } }));
    expect(await within(identityCard()).findByText(IDENTITY.arn)).toBeTruthy();
    expect(within(profilesCard()).getByText('In use')).toBeTruthy();
  });

  it('says when the remembered profile is gone from the configuration', async () => {
    renderApp(createStandardBackend({ preferences: { theme: 'system', defaultProfile: 'old-lab' } }));
    expect(await within(identityCard()).findByText(/"old-lab" chosen earlier is no longer in your AWS configuration/)).toBeTruthy();
  });

  it('explains how to create a profile when there is none', async () => {
    renderApp(createStandardBackend({ profiles: [] }));
    expect(await within(profilesCard()).findByText('No AWS profiles found')).toBeTruthy();
    expect(profilesCard().textContent).toContain('aws configure sso');
    expect(profilesCard().textContent).toContain('/home/alice/.aws/config');
  });

  it('shows the error, with its fix, when the profiles cannot be read', async () => {
    const error = new ApiError('bad-input', 'Line 7 of /home/alice/.aws/config is not valid INI.', 'Fix or remove that line, then read again.');
    renderApp(createStandardBackend({ profiles: error }));
    const alert = await within(profilesCard()).findByRole('alert');
    expect(alert.textContent).toContain('Could not read your AWS profiles');
    expect(alert.textContent).toContain('Line 7 of /home/alice/.aws/config is not valid INI.');
    expect(alert.textContent).toContain('Fix or remove that line, then read again.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
