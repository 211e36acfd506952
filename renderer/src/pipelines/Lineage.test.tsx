import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createResearcherBackend, makeRun } from '../researcher/testing/fake-platform.js';
import { renderApp, resetWindow } from '../test/render-app.js';

afterEach(cleanup);

const UP = 'run_00000000000000000001';
const DOWN = 'run_00000000000000000002';
const pin = { runId: UP, path: 'clean', mount: 'prepared', manifestHash: 'c'.repeat(64), datasetId: 'dst_00000000000000000009', version: 'd'.repeat(64) };

describe('lineage on the run page', () => {
  it('shows the upstream run a run read and the runs that read it', async () => {
    const backend = createResearcherBackend({ runs: [makeRun({ id: UP }), makeRun({ id: DOWN, inputs: [pin] })] });
    resetWindow(`#/runs/${DOWN}/details`);
    renderApp(backend);
    const lineage = await screen.findByRole('region', { name: 'Lineage' });
    expect(within(lineage).getByRole('link', { name: UP })).toBeTruthy();
    expect(within(lineage).getByText('/data/prepared')).toBeTruthy();
    cleanup();
    resetWindow(`#/runs/${UP}/details`);
    renderApp(backend);
    const upstream = await screen.findByRole('region', { name: 'Lineage' });
    expect(await within(upstream).findByRole('link', { name: DOWN })).toBeTruthy();
  });

  it('launches the next step with these results mounted', async () => {
    const backend = createResearcherBackend({ runs: [makeRun({ id: UP })] });
    resetWindow(`#/runs/${UP}/details`);
    const { user } = renderApp(backend);
    const form = await screen.findByRole('form', { name: 'Use these results in a new run' });
    await user.clear(within(form).getByRole('textbox', { name: 'Mounted at' }));
    await user.type(within(form).getByRole('textbox', { name: 'Mounted at' }), 'step1');
    await user.click(within(form).getByRole('button', { name: 'Launch the next step' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'runs:launch')?.input).toMatchObject({ inputs: [{ runId: UP, mount: 'step1' }] }));
  });
});
