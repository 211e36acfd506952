import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  beginUpload,
  createDatasetCall,
  discardUpload,
  finishUpload,
  getDatasetCall,
  getDatasetVersion,
  listDatasetsPage,
  listDatasetVersions,
  listUploads,
  runsUsingDataset,
  sendUploadPieces,
  shareDataset,
  uploadStatus,
  type UploadSession,
} from '../../../common/api/datasets.contract.js';
import { listPeople } from '../../../common/api/users.contract.js';
import type { Dataset, DatasetVersion } from '../../../common/protocol/datasets.js';
import { createResearcherBackend } from '../researcher/testing/fake-platform.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/datasets'));
afterEach(cleanup);

const T0 = '2026-11-23T10:00:00.000Z';
const ME = 'usr_000000000000000000me';
const HASH = 'a'.repeat(64);

function datasetsBackend() {
  const backend = createResearcherBackend();
  const datasets: Dataset[] = [{ id: 'dst_00000000000000000001', name: 'Iris', description: 'flowers', latestVersion: null, createdAt: T0, sharing: { ownerId: ME, visibility: 'private', collaborators: [] } }];
  const versions: DatasetVersion[] = [];
  const sessions = new Map<string, UploadSession>();
  /** While set, piece calls wait for it: lets a test press Cancel mid-upload. */
  const gate: { wait?: Promise<void>; open?: () => void } = {};
  const hold = () => {
    gate.wait = new Promise<void>((resolve) => (gate.open = resolve));
  };
  backend.router
    .handle(listDatasetsPage, () => ({ items: datasets }))
    .handle(createDatasetCall, ({ name, description, visibility }) => {
      const d: Dataset = { id: `dst_0000000000000000000${datasets.length + 1}`, name, description, latestVersion: null, createdAt: T0, sharing: { ownerId: ME, visibility, collaborators: [] } };
      datasets.push(d);
      return d;
    })
    .handle(getDatasetCall, ({ id }) => datasets.find((d) => d.id === id)!)
    .handle(listDatasetVersions, () => ({ items: versions.map(({ files: _f, ...v }) => v) }))
    .handle(getDatasetVersion, ({ version }) => versions.find((v) => v.version === version)!)
    .handle(runsUsingDataset, () => ({ items: [], searched: 0 }))
    .handle(shareDataset, ({ id, visibility, collaborators }) => {
      const d = datasets.find((x) => x.id === id)!;
      d.sharing = { ...d.sharing!, ...(visibility ? { visibility } : {}), ...(collaborators ? { collaborators } : {}) };
      return d;
    })
    .handle(listPeople, () => ({ items: [{ id: ME, name: 'researcher', role: 'researcher' as const }, { id: 'usr_00000000000000000002', name: 'Grace', role: 'researcher' as const }] }))
    .handle(listUploads, () => ({ items: [...sessions.values()] }))
    .handle(beginUpload, ({ datasetId, message, files }) => {
      const s: UploadSession = { sessionId: 'f'.repeat(32), platformId: 'local', datasetId, datasetName: 'Iris', message, createdAt: T0, files: files.map((f) => ({ ...f, received: 0, sent: false, sha256: null })) };
      sessions.set(s.sessionId, s);
      return s;
    })
    .handle(sendUploadPieces, async ({ sessionId, pieces }) => {
      await gate.wait;
      const s = sessions.get(sessionId)!;
      for (const p of pieces) {
        const f = s.files[p.index]!;
        f.received += atob(p.data).length;
        f.sent = f.received === f.size;
      }
      return { files: pieces.map((p) => ({ index: p.index, received: s.files[p.index]!.received, sent: s.files[p.index]!.sent })) };
    })
    .handle(uploadStatus, ({ sessionId }) => sessions.get(sessionId)!)
    .handle(finishUpload, ({ sessionId }) => {
      const s = sessions.get(sessionId)!;
      const v: DatasetVersion = { datasetId: s.datasetId, version: HASH, message: s.message, files: s.files.map((f) => ({ path: f.path, size: f.size, sha256: 'b'.repeat(64) })), size: s.files.reduce((a, f) => a + f.size, 0), createdAt: T0 };
      versions.unshift(v);
      sessions.delete(sessionId);
      return v;
    })
    .handle(discardUpload, ({ sessionId }) => ({ discarded: sessions.delete(sessionId) }));
  return Object.assign(backend, { sessions, hold, gate });
}

const files = () => [new File(['a,b\n1,2\n'], 'iris.csv'), new File(['x'], 'notes.txt')];

describe('Datasets page', () => {
  it('lists datasets and creates one, opening its upload tab', async () => {
    const { user } = renderApp(datasetsBackend());
    expect(await screen.findByText('Iris')).toBeTruthy();
    await user.click(screen.getByText('New dataset'));
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Scans');
    await user.click(screen.getByRole('button', { name: 'Create and upload files' }));
    await waitFor(() => expect(window.location.hash).toBe('#/datasets/dst_00000000000000000002/upload'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Scans' })).toBeTruthy();
  });

  it('uploads files with per-file and total progress, cancels, resumes, and seals a version', async () => {
    resetWindow('#/datasets/dst_00000000000000000001/upload');
    const backend = datasetsBackend();
    const { user } = renderApp(backend);
    const input = (await screen.findByText('Choose files')).querySelector('input')!;
    await user.upload(input, files());
    expect(await screen.findByText(/2 files, 9 B/)).toBeTruthy();
    backend.hold();
    await user.click(screen.getByRole('button', { name: 'Upload and seal a version' }));
    const progress = await screen.findByRole('region', { name: 'Upload progress' });
    expect(within(progress).getByRole('progressbar', { name: 'Progress of iris.csv' })).toBeTruthy();
    await user.click(within(progress).getByRole('button', { name: 'Cancel' }));
    backend.gate.open!();
    expect(await within(progress).findByText(/Stopped\. 2 of 2 files on the platform/)).toBeTruthy();
    // The batch in flight finished; nothing was left, so Resume seals it.
    backend.gate.wait = undefined;
    await user.click(within(progress).getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(window.location.hash).toBe(`#/datasets/dst_00000000000000000001/versions/${HASH}`));
    expect(await screen.findByText('iris.csv')).toBeTruthy();
    expect(backend.calls.filter((c) => c.name === 'datasets:upload-finish')).toHaveLength(1);
  });

  it('offers to resume an interrupted upload once the same files are chosen again', async () => {
    resetWindow('#/datasets/dst_00000000000000000001/upload');
    const backend = datasetsBackend();
    backend.sessions.set('e'.repeat(32), { sessionId: 'e'.repeat(32), platformId: 'local', datasetId: 'dst_00000000000000000001', datasetName: 'Iris', message: 'earlier', createdAt: T0, files: [{ path: 'iris.csv', size: 8, received: 8, sent: true, sha256: 'c'.repeat(64) }, { path: 'notes.txt', size: 1, received: 0, sent: false, sha256: null }] });
    const { user } = renderApp(backend);
    const notice = await screen.findByRole('region', { name: 'Interrupted upload' });
    expect(within(notice).getByText(/1 on the platform/)).toBeTruthy();
    expect((within(notice).getByRole('button', { name: 'Resume with the chosen files' }) as HTMLButtonElement).disabled).toBe(true);
    await user.upload(screen.getByText('Choose files').querySelector('input')!, files());
    await user.click(within(notice).getByRole('button', { name: 'Resume with the chosen files' }));
    await waitFor(() => expect(window.location.hash).toBe(`#/datasets/dst_00000000000000000001/versions/${HASH}`));
    const sent = backend.calls.filter((c) => c.name === 'datasets:upload-pieces').flatMap((c) => (c.input as { pieces: Array<{ index: number }> }).pieces.map((p) => p.index));
    expect(sent).toEqual([1]);
  });

  it('shares a dataset with the lab and a collaborator', async () => {
    resetWindow('#/datasets/dst_00000000000000000001/sharing');
    const backend = datasetsBackend();
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('radio', { name: 'Everyone in the lab' }));
    await user.click(await screen.findByRole('checkbox', { name: /Grace/ }));
    await user.click(screen.getByRole('button', { name: 'Save sharing' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'datasets:share')?.input).toEqual({ id: 'dst_00000000000000000001', visibility: 'lab', collaborators: ['usr_00000000000000000002'] }));
  });
});
