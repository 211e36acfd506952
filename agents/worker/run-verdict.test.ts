import { describe, expect, it } from 'vitest';
import { runVerdict } from './run-verdict.js';

const base = { fencingToken: 3, exitCode: 0 };
const results = { files: [] };

describe('runVerdict', () => {
  it('says how the command ended when nothing stopped it', () => {
    expect(runVerdict(base, { exitCode: 0, signal: null }, null, results)).toEqual({ ...base, state: 'succeeded', results });
    expect(runVerdict({ ...base, exitCode: 2 }, { exitCode: 2, signal: null }, null, results)).toMatchObject({ state: 'failed', error: 'the command exited with code 2' });
    expect(runVerdict({ ...base, exitCode: null }, { exitCode: null, signal: 'SIGKILL' }, null, results)).toMatchObject({ state: 'failed', error: 'the command was killed by SIGKILL' });
  });

  it('gives a cancel or a timeout as the reason, whatever the exit code', () => {
    expect(runVerdict(base, { exitCode: 0, signal: null }, { kind: 'cancel', message: 'cancelled by user' }, results)).toMatchObject({ state: 'cancelled', error: 'cancelled by user' });
    expect(runVerdict(base, { exitCode: null, signal: 'SIGTERM' }, { kind: 'timeout', message: 'timed out after 1 s' }, results)).toMatchObject({ state: 'failed', error: 'timed out after 1 s' });
  });
});
