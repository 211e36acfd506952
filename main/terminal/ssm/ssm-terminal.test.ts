import { ResumeSessionCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDataChannelService, type FakeSession } from '../testing/fake-data-channel.js';
import type { BackendSink } from '../terminal-backend.js';
import { interactiveCommand, ssmBackend } from './ssm-terminal.js';

let service: FakeDataChannelService;
beforeEach(async () => {
  service = await FakeDataChannelService.start();
});
afterEach(async () => {
  await service.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function recordingSink() {
  const seen = { data: [] as Buffer[], statuses: [] as string[], exit: undefined as { code: number | null; reason: string; fix?: string | undefined } | undefined };
  const sink: BackendSink = {
    data: (b) => seen.data.push(Buffer.from(b)),
    status: (state) => seen.statuses.push(state),
    exit: (code, reason, fix) => (seen.exit = { code, reason, fix }),
  };
  return { sink, seen, text: () => Buffer.concat(seen.data).toString() };
}

/** An SSM client whose StartSession opens a session on the loopback service (`opened.session`, the latest); a test may answer StartSession otherwise. */
function ssm() {
  const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(client);
  const opened: { session?: FakeSession } = {};
  mock.on(StartSessionCommand).callsFake(() => {
    const started = service.createSession();
    opened.session = started.session;
    return { SessionId: started.SessionId, StreamUrl: started.StreamUrl, TokenValue: started.TokenValue };
  });
  return { client, mock, opened };
}

describe('SSM terminal backend', () => {
  it('starts an interactive command session, sends the size, carries keystrokes, resumes after a drop and terminates on close', async () => {
    const { client, mock, opened } = ssm();
    mock.on(ResumeSessionCommand).callsFake(() => ({ SessionId: opened.session!.id, StreamUrl: '', TokenValue: opened.session!.resume() }));
    mock.on(TerminateSessionCommand).resolves({});
    const r = recordingSink();
    const backend = await ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0', document: interactiveCommand('docker exec -it c sh'), channel: { resendCheckMs: 20 } })(r.sink, { cols: 90, rows: 33 });
    expect(mock.commandCalls(StartSessionCommand)[0]?.args[0].input).toMatchObject({ Target: 'i-0123456789abcdef0', DocumentName: 'AWS-StartInteractiveCommand', Parameters: { command: ['docker exec -it c sh'] } });
    await until(() => opened.session?.sizes.length === 1, 'size');
    expect(opened.session?.sizes[0]).toEqual({ cols: 90, rows: 33 });
    backend.write(Buffer.from('a'));
    await until(() => r.text() === 'a', 'echo');
    opened.session!.drop();
    await until(() => r.seen.statuses.join() === 'reconnecting,connected', 'resumed');
    backend.write(Buffer.from('b'));
    await until(() => r.text() === 'ab', 'echo after resume');
    backend.close();
    await until(() => opened.session!.flags.includes(2), 'terminate flag');
    expect(mock.commandCalls(TerminateSessionCommand)[0]?.args[0].input).toEqual({ SessionId: opened.session!.id });
  });

  it('ends with the exit status when the command exits', async () => {
    const { client, mock, opened } = ssm();
    const r = recordingSink();
    await ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0' })(r.sink, { cols: 80, rows: 24 });
    await until(() => opened.session?.sizes.length === 1, 'ready');
    opened.session!.exit(130);
    await until(() => r.seen.exit !== undefined, 'exit');
    expect(r.seen.exit?.code).toBe(130);
  });

  it('ends the terminal when the session cannot be resumed', async () => {
    const { client, mock, opened } = ssm();
    // ResumeSession answers no token once the session has timed out on the service side.
    mock.on(ResumeSessionCommand).resolves({});
    const r = recordingSink();
    await ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0' })(r.sink, { cols: 80, rows: 24 });
    await until(() => opened.session?.sizes.length === 1, 'ready');
    opened.session!.drop();
    await until(() => r.seen.exit !== undefined, 'exit');
    expect(r.seen.exit?.reason).toMatch(/timed out/);
  });

  it('terminates the session and asks no resume when its data channel cannot be opened', async () => {
    const { client, mock } = ssm();
    const { SessionId } = service.createSession();
    // A port nothing listens on: the socket fails to connect.
    mock.on(StartSessionCommand).resolves({ SessionId, StreamUrl: 'ws://127.0.0.1:1/v1/data-channel/x', TokenValue: 't' });
    mock.on(ResumeSessionCommand).resolves({ SessionId, TokenValue: 't2' });
    mock.on(TerminateSessionCommand).resolves({});
    await expect(ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0', resume: { baseMs: 1, maxMs: 1, maxAttempts: 2 } })(recordingSink().sink, { cols: 80, rows: 24 })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/data channel/),
    });
    await until(() => mock.commandCalls(TerminateSessionCommand).length === 1, 'TerminateSession');
    expect(mock.commandCalls(ResumeSessionCommand)).toHaveLength(0);
  });

  it('opens no new socket when the terminal is closed while ResumeSession is asked', async () => {
    const { client, mock, opened } = ssm();
    let answer: (() => void) | undefined;
    let answered = false;
    mock.on(ResumeSessionCommand).callsFake(
      () =>
        new Promise((resolve) => {
          answer = () => {
            answered = true;
            resolve({ SessionId: opened.session!.id, TokenValue: opened.session!.resume() });
          };
        }),
    );
    mock.on(TerminateSessionCommand).resolves({});
    const r = recordingSink();
    const backend = await ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0' })(r.sink, { cols: 80, rows: 24 });
    await until(() => opened.session?.sizes.length === 1, 'ready');
    opened.session!.drop();
    await until(() => answer !== undefined, 'ResumeSession asked');
    backend.close();
    answer!();
    await until(() => answered, 'ResumeSession answered');
    // Bounded look for a second connection (the reconnect this test says must not happen).
    for (let i = 0; i < 40 && opened.session!.connections < 2; i += 1) await new Promise((done) => setTimeout(done, 25));
    expect(opened.session!.connections).toBe(1);
    expect(r.seen.statuses).toEqual(['reconnecting']);
  });

  it('says what to do when the instance is not connected to SSM', async () => {
    const { client, mock } = ssm();
    mock.on(StartSessionCommand).rejects(Object.assign(new Error('i-1 is not connected.'), { name: 'TargetNotConnected' }));
    await expect(ssmBackend({ ssm: client, instanceId: 'i-0123456789abcdef0' })(recordingSink().sink, { cols: 80, rows: 24 })).rejects.toMatchObject({
      code: 'unavailable',
      fix: expect.stringMatching(/Session Manager permissions/),
    });
  });
});
