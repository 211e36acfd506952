import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp, resetWindow } from '../test/render-app.js';
import { createResearcherBackend, logLines, makeRun, PNG_BASE64 } from '../researcher/testing/fake-platform.js';

beforeEach(() => resetWindow('#/runs'));

afterEach(cleanup);

const heading = () => screen.getByRole('heading', { level: 1 });

describe('Runs page', () => {
  it('lists runs with state, duration, who and cost, and filters by state and owner', async () => {
    const backend = createResearcherBackend({
      runs: [
        makeRun({ costUsd: 0.42 }),
        makeRun({ id: 'run_00000000000000000002', state: 'failed', exitCode: 1, userId: 'usr_0000000000000other' }),
      ],
    });
    const { user } = renderApp(backend);
    const first = await screen.findByText('run_00000000000000000001');
    const row = first.closest('tr')!;
    expect(within(row).getByText('succeeded')).toBeTruthy();
    expect(within(row).getByText('10 s')).toBeTruthy();
    expect(within(row).getByText('you')).toBeTruthy();
    expect(within(row).getByText('$0.42')).toBeTruthy();
    await user.selectOptions(screen.getByRole('combobox', { name: 'State' }), 'failed');
    await waitFor(() => expect(screen.queryByText('run_00000000000000000001')).toBeNull());
    expect(screen.getByText('run_00000000000000000002')).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: 'Only mine' }));
    expect(await screen.findByText('No run matches these filters')).toBeTruthy();
  });

  it('checks the launch form before submitting, then launches and opens the run', async () => {
    resetWindow('#/runs/new/cap_00000000000000000001');
    const backend = createResearcherBackend();
    const { user } = renderApp(backend);
    const command = (await screen.findByRole('textbox', { name: 'Command' })) as HTMLInputElement;
    await waitFor(() => expect(command.value).toBe('python3 /code/main.py'));
    await user.type(screen.getByRole('textbox', { name: 'Parameter 1 name' }), 'bad name');
    await user.type(screen.getByRole('textbox', { name: 'Parameter 1 value' }), '7');
    await user.type(screen.getByRole('textbox', { name: 'CPUs' }), '0');
    await user.clear(command);
    await user.type(command, 'python3 "unclosed');
    await user.click(screen.getByRole('button', { name: 'Launch run' }));
    expect(await screen.findByText('The command has an unclosed double quote.')).toBeTruthy();
    expect(screen.getByText(/"bad name": parameter names are letters, digits and "_"/)).toBeTruthy();
    expect(screen.getByText(/>=0\.1/)).toBeTruthy();
    expect(backend.calls.some((c) => c.name === 'runs:launch')).toBe(false);

    await user.clear(command);
    await user.type(command, 'python3 /code/main.py --fast');
    await user.clear(screen.getByRole('textbox', { name: 'Parameter 1 name' }));
    await user.type(screen.getByRole('textbox', { name: 'Parameter 1 name' }), 'steps');
    await user.clear(screen.getByRole('textbox', { name: 'CPUs' }));
    await user.type(screen.getByRole('textbox', { name: 'CPUs' }), '2');
    await user.click(screen.getByRole('checkbox', { name: /weather/ }));
    await user.click(screen.getByRole('button', { name: 'Launch run' }));
    await waitFor(() => expect(heading().textContent).toBe('Run run_00000000000000000001'));
    const sent = backend.calls.find((c) => c.name === 'runs:launch')?.input as Record<string, unknown>;
    expect(sent).toMatchObject({ capsuleId: 'cap_00000000000000000001', command: ['python3', '/code/main.py', '--fast'], parameters: { steps: 7 }, resources: { cpus: 2 }, datasets: [{ datasetId: 'ds_00000000000000000001' }], queue: 'cpu', network: false });
    expect(typeof sent.idempotencyKey).toBe('string');
    expect(await screen.findByText('Waiting: no CPU worker is online')).toBeTruthy();
  });

  it('launches with network access only when it is ticked, and a run record says how the run was isolated', async () => {
    resetWindow('#/runs/new/cap_00000000000000000001');
    const backend = createResearcherBackend();
    const { user } = renderApp(backend);
    const network = (await screen.findByRole('checkbox', { name: 'Network access' })) as HTMLInputElement;
    await waitFor(() => expect((screen.getByRole('textbox', { name: 'Command' }) as HTMLInputElement).value).toBe('python3 /code/main.py'));
    expect(network.checked).toBe(false);
    await user.click(network);
    await user.click(screen.getByRole('button', { name: 'Launch run' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'runs:launch')?.input).toMatchObject({ network: true }));

    cleanup();
    resetWindow('#/runs/run_00000000000000000001/details');
    const summary = 'no isolation on this machine: the run can read and write whatever the worker\'s user can';
    renderApp(createResearcherBackend({ runs: [makeRun({ isolation: { kind: 'none', network: true, summary, limits: [], unlimited: [] } })] }));
    expect(await screen.findByText(new RegExp(`^${summary}`))).toBeTruthy();
  });

  it('follows live logs as batches arrive, searches them, and shows the timeline', async () => {
    resetWindow('#/runs/run_00000000000000000001');
    const run = makeRun({ state: 'running', finishedAt: null, exitCode: null });
    const backend = createResearcherBackend({ runs: [run], logs: { [run.id]: logLines(3) } });
    const { user } = renderApp(backend);
    expect(await screen.findByText('line 3')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Run timeline' }).querySelector('[aria-current="step"]')?.getAttribute('data-state')).toBe('running');
    await waitFor(() => expect(backend.platform.followers.has(run.id)).toBe(true));
    const emit = backend.platform.followers.get(run.id)!;
    const more = logLines(40, 4, (seq) => (seq === 30 ? 'ERROR: disk almost full' : `line ${seq}`));
    backend.platform.logs[run.id]!.push(...more);
    act(() => {
      emit({ lines: more.slice(0, 20) });
      emit({ lines: more.slice(20) });
    });
    expect(await screen.findByText('line 43')).toBeTruthy();
    expect(screen.getByText('43 lines · live')).toBeTruthy();

    await user.type(screen.getByRole('textbox', { name: 'Search the log' }), 'error');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('1 of 1')).toBeTruthy();
    expect(document.querySelector('.rs-log__row--match')?.textContent).toContain('ERROR: disk almost full');

    run.state = 'succeeded';
    run.finishedAt = '2026-11-23T10:00:12.000Z';
    act(() => emit({ lines: [], end: 'succeeded' }));
    expect(await screen.findByText('43 lines')).toBeTruthy();
  });

  it('browses results with an image preview, re-runs, and compares the two runs as identical', async () => {
    resetWindow('#/runs/run_00000000000000000001/results');
    const run = makeRun();
    const results = { 'plot.png': { content: PNG_BASE64, encoding: 'base64' as const }, 'values.csv': { content: 'step,value\n0,1\n', encoding: 'utf8' as const } };
    const backend = createResearcherBackend({ runs: [run], results: { [run.id]: results } });
    const { user } = renderApp(backend);
    const image = (await screen.findByRole('img', { name: 'plot.png' })) as HTMLImageElement;
    expect(image.src.startsWith('data:image/png;base64,')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Re-run' }));
    await waitFor(() => expect(heading().textContent).toBe('Run run_00000000000000000002'));
    const second = backend.platform.runs[1]!;
    Object.assign(second, { state: 'succeeded', finishedAt: '2026-11-23T11:00:00.000Z' });
    backend.platform.results[second.id] = { ...results };
    window.location.hash = `#/runs/${run.id}/compare`;
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Compare with' }), second.id);
    expect(await screen.findByText('The results are identical')).toBeTruthy();
  });

  it('shows which files changed and a diff of a changed text file', async () => {
    const a = makeRun();
    const b = makeRun({ id: 'run_00000000000000000002' });
    resetWindow(`#/runs/${a.id}/compare/${b.id}`);
    renderApp(
      createResearcherBackend({
        runs: [a, b],
        results: {
          [a.id]: { 'values.csv': { content: 'step,value\n0,1\n', encoding: 'utf8' }, 'old.txt': { content: 'x', encoding: 'utf8' } },
          [b.id]: { 'values.csv': { content: 'step,value\n0,2\n', encoding: 'utf8' }, 'new.txt': { content: 'y', encoding: 'utf8' } },
        },
      }),
    );
    expect(await screen.findByText('1 changed · 1 added · 1 removed')).toBeTruthy();
    const diff = await screen.findByRole('region', { name: 'Diff of values.csv' });
    await waitFor(() => expect(diff.querySelector('.rs-diff__del')?.textContent).toContain('- 0,1'));
    expect(diff.querySelector('.rs-diff__add')?.textContent).toContain('+ 0,2');
  });

  it('cancels a queued run', async () => {
    resetWindow('#/runs/run_00000000000000000001');
    const backend = createResearcherBackend({ runs: [makeRun({ state: 'queued', leasedAt: null, startedAt: null, finishedAt: null, waitingReason: 'waiting for a worker' })] });
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Run run_00000000000000000001 is cancelled.')).toBeTruthy();
    expect(backend.calls.filter((c) => c.name === 'runs:cancel')).toHaveLength(1);
  });

  it('notifies (a toast in browser mode) when a run launched from the app finishes', async () => {
    const backend = createResearcherBackend();
    renderApp(backend);
    await waitFor(() => expect(backend.platform.finished).toHaveLength(1));
    act(() => backend.platform.finished[0]!(makeRun({ state: 'failed', exitCode: 2 })));
    expect(await screen.findByText('Run failed: run_00000000000000000001 exited with 2')).toBeTruthy();
  });

  it('shows the active platform in the header and adds one by URL and token', async () => {
    const backend = createResearcherBackend();
    const { user } = renderApp(backend);
    const badge = await screen.findByText('Local sandbox', { selector: 'summary' });
    await user.click(badge);
    const form = await screen.findByRole('form', { name: 'Add a platform' });
    await user.type(within(form).getByRole('textbox', { name: 'Name' }), 'Lab');
    await user.type(within(form).getByRole('textbox', { name: 'URL' }), 'https://lab.example.org');
    await user.type(within(form).getByLabelText('Token'), 'wrong-token-1');
    await user.click(within(form).getByRole('button', { name: 'Check and add' }));
    expect(await within(form).findByText(/refused the token/)).toBeTruthy();
    await user.clear(within(form).getByLabelText('Token'));
    await user.type(within(form).getByLabelText('Token'), 'good-token-123');
    await user.click(within(form).getByRole('button', { name: 'Check and add' }));
    expect(await screen.findByText('Lab', { selector: 'summary' })).toBeTruthy();
  });
});
