import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxStatus } from '../../../../common/api/platforms.contract.js';
import { renderApp, resetWindow } from '../../test/render-app.js';
import { SandboxAgents } from '../platforms/SandboxAgents.js';
import { createResearcherBackend, makeCapsule, makeRun } from '../testing/fake-platform.js';

afterEach(cleanup);

const agent = { state: 'running' as const, restarts: 0, lastExit: null };
const nativeSandbox: SandboxStatus = {
  services: { name: 'services', ...agent },
  workers: [{ name: 'sandbox-w1', ...agent }],
  runtime: { name: 'process', reason: 'capsules run as processes in native environments: no Docker-compatible engine answered' },
  environmentCache: { entries: 2, bytes: 3 * 1024 * 1024, maxBytes: 10 * 1024 ** 3 },
};
const aptCapsule = makeCapsule({ environment: { baseImage: 'python:3.12-slim', apt: ['libgdal-dev'], pip: ['numpy==2.1.0'], conda: [] } });
const lock = (version: string) => ({ fidelity: 'native-partial' as const, interpreter: 'CPython 3.11.7', packages: [{ manager: 'pip' as const, name: 'numpy', version }], skipped: ['apt package libgdal-dev'], summary: `native: CPython 3.11.7 with numpy ${version}` });

describe('environment fidelity', () => {
  it('shows on the capsule page what the latest run had and what this sandbox gives, with the cache size', async () => {
    resetWindow('#/capsules/cap_00000000000000000001/environment');
    renderApp(createResearcherBackend({ capsules: [aptCapsule], runs: [makeRun({ resolvedEnvironment: lock('2.1.0'), partialEnvironment: true })], sandbox: nativeSandbox }));
    const section = await screen.findByRole('region', { name: 'Environment fidelity' });
    await waitFor(() => expect(within(section).getAllByText('Native (partial: apt packages skipped)')).toHaveLength(2));
    expect(within(section).getByText('native: CPython 3.11.7 with numpy 2.1.0')).toBeTruthy();
    expect(within(section).getByRole('status').textContent).toMatch(/apt libgdal-dev cannot be installed here.*launched with a partial environment/);
    expect(within(section).getByText(/Environment cache: 3\.0 MB of 10 GB \(2 environments/)).toBeTruthy();
  });

  it('says in the sandbox panel which runtime the workers use, why, and the cache size', () => {
    render(<SandboxAgents sandbox={nativeSandbox} />);
    expect(screen.getByLabelText('Sandbox runtime').textContent).toBe(
      'Runs capsules with native environments: capsules run as processes in native environments: no Docker-compatible engine answered. Environment cache: 3.0 MB of 10 GB.',
    );
  });

  it('asks before launching whether to go on with a partial environment, and sends the choice', async () => {
    resetWindow('#/runs/new/cap_00000000000000000001');
    const backend = createResearcherBackend({ capsules: [aptCapsule], sandbox: nativeSandbox });
    const { user } = renderApp(backend);
    const choice = await screen.findByRole('checkbox', { name: /Run with a partial environment/ });
    expect(screen.getByText(/This sandbox has no container engine, so it cannot install apt libgdal-dev/)).toBeTruthy();
    await waitFor(() => expect((screen.getByRole('textbox', { name: 'Command' }) as HTMLInputElement).value).toBe('python3 /code/main.py'));
    await user.click(choice);
    await user.click(screen.getByRole('button', { name: 'Launch run' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'runs:launch')?.input).toMatchObject({ partialEnvironment: true }));
  });

  it('lists environment differences beside the file differences when comparing two runs', async () => {
    const a = makeRun({ resolvedEnvironment: lock('2.1.0') });
    const b = makeRun({ id: 'run_00000000000000000002', resolvedEnvironment: lock('2.1.3') });
    resetWindow(`#/runs/${a.id}/compare/${b.id}`);
    renderApp(createResearcherBackend({ runs: [a, b], results: { [a.id]: { 'out.txt': { content: '1', encoding: 'utf8' } }, [b.id]: { 'out.txt': { content: '2', encoding: 'utf8' } } } }));
    const table = await screen.findByRole('region', { name: 'Environment differences' });
    const row = within(table).getByRole('row', { name: /pip numpy/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['2.1.0', '2.1.3']);
    expect(await screen.findByText('1 changed · 0 added · 0 removed')).toBeTruthy();
  });
});
