import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp, resetWindow } from '../test/render-app.js';
import { createResearcherBackend, makeCapsule } from '../researcher/testing/fake-platform.js';

beforeEach(() => resetWindow('#/capsules'));

afterEach(cleanup);

const heading = () => screen.getByRole('heading', { level: 1 });

describe('Capsules page', () => {
  it('lists capsules and searches them by name', async () => {
    const backend = createResearcherBackend({ capsules: [makeCapsule(), makeCapsule({ id: 'cap_00000000000000000002', name: 'Word count', description: 'counts words' })] });
    const { user } = renderApp(backend);
    expect(await screen.findByText('Oscillation study')).toBeTruthy();
    expect(screen.getByText('Word count')).toBeTruthy();
    await user.type(screen.getByRole('searchbox', { name: 'Search capsules' }), 'word');
    await waitFor(() => expect(screen.queryByText('Oscillation study')).toBeNull());
    expect(screen.getByText('Word count')).toBeTruthy();
    expect(backend.calls.some((c) => c.name === 'capsules:list' && (c.input as { search?: string }).search === 'word')).toBe(true);
    await user.clear(screen.getByRole('searchbox', { name: 'Search capsules' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search capsules' }), 'nothing like it');
    expect(await screen.findByText('No capsule matches "nothing like it"')).toBeTruthy();
  });

  it('shows an empty state with a way to create the first capsule', async () => {
    renderApp(createResearcherBackend({ capsules: [] }));
    expect(await screen.findByText('No capsules yet')).toBeTruthy();
    expect(screen.getAllByRole('link', { name: 'New capsule' }).length).toBeGreaterThan(0);
  });

  it('says which platform cannot be reached instead of an empty list', async () => {
    const backend = createResearcherBackend();
    backend.platform.status = 'unreachable';
    renderApp(backend);
    expect(await screen.findByText('Cannot use Local sandbox')).toBeTruthy();
    expect(screen.getByText(/Cannot reach the platform Local sandbox/)).toBeTruthy();
    expect(screen.getByRole('form', { name: 'Add a platform' })).toBeTruthy();
  });

  it('opens a capsule: code highlighted, CSV as a table, images inline, environment and history', async () => {
    resetWindow('#/capsules/cap_00000000000000000001');
    const { user } = renderApp(createResearcherBackend());
    await waitFor(() => expect(heading().textContent).toBe('Oscillation study'));
    const code = await screen.findByText((_, el) => el?.tagName === 'CODE' && el.classList.contains('hljs') && el.textContent === 'import math\nprint(math.pi)\n');
    expect(code.querySelector('.hljs-keyword')?.textContent).toBe('import');

    await user.click(screen.getByRole('button', { name: /values\.csv/ }));
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['step', 'value']);
    expect(within(table).getByText('a, b')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: /plot\.png/ }));
    const image = (await screen.findByRole('img', { name: 'plot.png' })) as HTMLImageElement;
    expect(image.src).toMatch(/^data:image\/png;base64,iVBOR/);

    await user.click(screen.getByRole('tab', { name: 'Environment' }));
    expect(await screen.findByText('python:3.12-slim')).toBeTruthy();
    expect(screen.getByText('numpy==2.1.0')).toBeTruthy();

    await user.click(screen.getByRole('tab', { name: 'History' }));
    const versions = await screen.findByRole('list', { name: 'Versions, newest first' });
    expect(within(versions).getAllByRole('listitem').map((li) => li.querySelector('strong')?.textContent)).toEqual(['Fewer steps', 'Create capsule']);
  });

  it('edits a file and saves it as a new version on top of the current head', async () => {
    resetWindow('#/capsules/cap_00000000000000000001/files/main.py');
    const backend = createResearcherBackend();
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('textbox', { name: 'Content of main.py' });
    await user.clear(editor);
    await user.type(editor, 'print("hello")');
    await user.click(screen.getByRole('button', { name: 'Save as new version' }));
    await waitFor(() => expect(backend.platform.files['main.py']).toBe('print("hello")'));
    const commit = backend.calls.find((c) => c.name === 'capsules:commit')?.input as { parent: string; message: string };
    expect(commit).toMatchObject({ parent: '0000000000000000000000000000000000000002', message: 'Edit main.py' });
    expect(await screen.findByText(/Saved main\.py as version/)).toBeTruthy();
  });

  it('creates a capsule from a template and opens it', async () => {
    resetWindow('#/capsules/new');
    const backend = createResearcherBackend();
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Create capsule' }));
    expect(await screen.findByText('Give the capsule a name.')).toBeTruthy();
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'My shell study');
    await user.click(screen.getByRole('radio', { name: /Shell/ }));
    await user.click(screen.getByRole('button', { name: 'Create capsule' }));
    await waitFor(() => expect(heading().textContent).toBe('My shell study'));
    expect(backend.calls.find((c) => c.name === 'capsules:create-from-template')?.input).toMatchObject({ template: 'shell', name: 'My shell study' });
  });
});
