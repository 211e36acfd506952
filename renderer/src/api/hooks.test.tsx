import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCall, defineEvent } from '../../../common/api/contract.js';
import { ApiError } from '../../../common/api/errors.js';
import { createFakeBackend } from '../test/fake-backend.js';
import { ApiProvider, createQueryClient } from './ApiProvider.js';
import { useCall, useCallMutation, useSubscription } from './hooks.js';

afterEach(cleanup);

const countLines = defineCall('test:count-lines', { input: z.object({ text: z.string() }).strict(), output: z.object({ lines: z.number() }) });
const saveNote = defineCall('test:save-note', { input: z.object({ note: z.string().min(1, 'must not be empty') }).strict(), output: z.object({ saved: z.boolean() }) });
const ticks = defineEvent('test:watch-ticks', { input: z.object({ from: z.number() }).strict(), payload: z.object({ n: z.number() }) });

function Lines() {
  const query = useCall(countLines, { text: 'a\nb\nc' });
  return <p>{query.isSuccess ? `${query.data.lines} lines` : query.isError ? query.error.message : 'loading'}</p>;
}

function Note() {
  const [result, setResult] = useState('');
  const save = useCallMutation(saveNote, { onSuccess: () => setResult('saved'), onError: (error) => setResult(`${error.code}: ${error.message}`) });
  return (
    <>
      <button onClick={() => save.mutate({ note: '' })}>save empty</button>
      <button onClick={() => save.mutate({ note: 'hello' })}>save hello</button>
      <p>{result}</p>
    </>
  );
}

function Ticks() {
  const [seen, setSeen] = useState<number[]>([]);
  useSubscription(ticks, { from: 1 }, (tick) => setSeen((all) => [...all, tick.n]));
  return <p>ticks {seen.join(',')}</p>;
}

function renderWith(backend: ReturnType<typeof createFakeBackend>, ui: ReactNode) {
  return render(
    <ApiProvider client={backend.client} queryClient={createQueryClient()}>
      {ui}
    </ApiProvider>,
  );
}

describe('data hooks', () => {
  it('useCall answers with the typed output', async () => {
    const backend = createFakeBackend((router) => router.handle(countLines, ({ text }) => ({ lines: text.split('\n').length })));
    renderWith(backend, <Lines />);
    expect(await screen.findByText('3 lines')).toBeTruthy();
  });

  it('useCall exposes the failure message', async () => {
    const backend = createFakeBackend((router) =>
      router.handle(countLines, () => {
        throw new ApiError('forbidden', 'Counting lines is not allowed here.');
      }),
    );
    renderWith(backend, <Lines />);
    expect(await screen.findByText('Counting lines is not allowed here.')).toBeTruthy();
  });

  it('useCallMutation reports a bad input by field, and success otherwise', async () => {
    const notes: string[] = [];
    const backend = createFakeBackend((router) =>
      router.handle(saveNote, ({ note }) => {
        notes.push(note);
        return { saved: true };
      }),
    );
    renderWith(backend, <Note />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'save empty' }));
    expect(await screen.findByText(/bad-input: Invalid input to test:save-note: note: must not be empty/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'save hello' }));
    expect(await screen.findByText('saved')).toBeTruthy();
    expect(notes).toEqual(['hello']);
  });

  it('useSubscription delivers messages while mounted and stops the stream on unmount', async () => {
    let stopped = false;
    let emit: (n: number) => void = () => undefined;
    const backend = createFakeBackend((router) =>
      router.handleEvent(ticks, ({ from }, send) => {
        emit = (n) => send({ n });
        send({ n: from });
        return () => {
          stopped = true;
        };
      }),
    );
    const view = renderWith(backend, <Ticks />);
    expect(await screen.findByText('ticks 1')).toBeTruthy();
    emit(2);
    expect(await screen.findByText('ticks 1,2')).toBeTruthy();
    view.unmount();
    await waitFor(() => expect(stopped).toBe(true));
  });
});
