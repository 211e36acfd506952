import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLogRange } from '../../../common/api/observe.contract.js';
import { ApiProvider, createQueryClient } from '../api/ApiProvider.js';
import { createFakeBackend } from '../test/fake-backend.js';
import { LogRangeDownload } from './LogRangeDownload.js';

const saved = vi.hoisted(() => [] as { name: string; text: string }[]);
vi.mock('../researcher/download.js', () => ({ downloadText: (name: string, text: string) => saved.push({ name, text }) }));

afterEach(() => {
  cleanup();
  saved.length = 0;
});

const STACK = { kind: 'stack', target: { region: 'eu-west-1' }, stackName: 'lab' } as const;
const from = new Date(2026, 11, 1, 9, 0, 0).getTime();
const to = new Date(2026, 11, 1, 9, 30, 15).getTime();

function renderDownload(truncated = false, defaultFrom = from - 3_600_000) {
  const backend = createFakeBackend((router) =>
    router.handle(readLogRange, (input) => ({ truncated, lines: [{ seq: 1, ts: input.from + 1000, stream: 'i-1', text: 'GET /health 200' }] })),
  );
  render(
    <ApiProvider client={backend.client} queryClient={createQueryClient()}>
      <LogRangeDownload query={{ source: STACK, group: 'services', filterPattern: 'GET' }} defaultFrom={defaultFrom} />
    </ApiProvider>,
  );
  return backend;
}

describe('downloading a range of a log group', () => {
  it('asks for the range the user picked, from and to, with the follow\'s filter, and saves it as a file', async () => {
    const backend = renderDownload();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Download a range…' }));
    expect(new Date((screen.getByLabelText('Download from') as HTMLInputElement).value).getTime()).toBe(from - 3_600_000);
    fireEvent.change(screen.getByLabelText('Download from'), { target: { value: '2026-12-01T09:00:00' } });
    fireEvent.change(screen.getByLabelText('Download to'), { target: { value: '2026-12-01T09:30:15' } });
    await user.click(screen.getByRole('button', { name: 'Download' }));
    expect(await screen.findByText('Saved 1 line.')).toBeTruthy();
    expect(backend.calls.find((c) => c.name === 'observe:read-log-range')?.input).toMatchObject({ source: STACK, group: 'services', from, to, filterPattern: 'GET' });
    expect(saved).toHaveLength(1);
    expect(saved[0]!.name).toMatch(/^services-2026-12-01T.*-to-2026-12-01T.*\.log$/);
    expect(saved[0]!.text).toBe(`${new Date(from + 1000).toISOString()} i-1 GET /health 200\n`);
  });

  it('opens on the follow\'s start to now, to the second: a follow started under a minute ago downloads as it is, the newest lines in', async () => {
    const now = new Date(2026, 11, 1, 9, 30, 40, 500).getTime();
    vi.useFakeTimers({ toFake: ['Date'], now });
    try {
      const backend = renderDownload(false, now - 20_000);
      const user = userEvent.setup();
      await user.click(screen.getByRole('button', { name: 'Download a range…' }));
      expect(new Date((screen.getByLabelText('Download from') as HTMLInputElement).value).getTime()).toBe(now - 20_500);
      await user.click(screen.getByRole('button', { name: 'Download' }));
      expect(await screen.findByText('Saved 1 line.')).toBeTruthy();
      expect(backend.calls.find((c) => c.name === 'observe:read-log-range')?.input).toMatchObject({ from: now - 20_500, to: now + 500 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an end before the start without asking, and says when the file holds only the first lines', async () => {
    const backend = renderDownload(true);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Download a range…' }));
    fireEvent.change(screen.getByLabelText('Download from'), { target: { value: '2026-12-01T10:00' } });
    fireEvent.change(screen.getByLabelText('Download to'), { target: { value: '2026-12-01T09:00' } });
    await user.click(screen.getByRole('button', { name: 'Download' }));
    expect(screen.getByRole('alert').textContent).toBe('The end must be after the start.');
    expect(backend.calls.some((c) => c.name === 'observe:read-log-range')).toBe(false);
    fireEvent.change(screen.getByLabelText('Download to'), { target: { value: '2026-12-01T11:00' } });
    await user.click(screen.getByRole('button', { name: 'Download' }));
    expect(await screen.findByText(/Saved the first 1 line: more matched/)).toBeTruthy();
    expect(saved[0]!.text).toMatch(/\[benchtop\] more lines matched; this file holds the first 1\.\n$/);
  });
});
