import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { listDatasetVersions } from '../../../common/api/datasets.contract.js';
import { createResearcherBackend } from '../researcher/testing/fake-platform.js';
import { renderApp, resetWindow } from '../test/render-app.js';

afterEach(cleanup);

const OLD = '1'.repeat(64);

describe('the launch form picks dataset versions', () => {
  it('mounts the latest by default and a pinned version when one is picked', async () => {
    const backend = createResearcherBackend();
    backend.router.handle(listDatasetVersions, () => ({
      items: [
        { datasetId: 'ds_00000000000000000001', version: '9'.repeat(64), message: 'new', size: 10, createdAt: '2026-11-23T10:00:00.000Z' },
        { datasetId: 'ds_00000000000000000001', version: OLD, message: 'first', size: 8, createdAt: '2026-11-22T10:00:00.000Z' },
      ],
    }));
    resetWindow('#/runs/new/cap_00000000000000000001');
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('checkbox', { name: /weather/ }));
    const picker = await screen.findByRole('combobox', { name: 'Version of weather' });
    await waitFor(() => expect((picker as HTMLSelectElement).disabled).toBe(false));
    await user.selectOptions(picker, OLD);
    await user.click(screen.getByRole('button', { name: 'Launch run' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'runs:launch')?.input).toMatchObject({ datasets: [{ datasetId: 'ds_00000000000000000001', version: OLD }] }));
  });
});
