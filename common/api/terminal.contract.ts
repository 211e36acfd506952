import { z } from 'zod';
import { id } from '../protocol/index.js';
import { defineCall } from './contract.js';
import { deploymentKey } from './settings.contract.js';
import { terminalSize } from './terminal-stream.js';

// Terminals: a picker of a deployment's instances, and sessions opened on an instance (SSM Session
// Manager), inside a running run (SSM + docker exec on AWS, a pty joining the run in the sandbox)
// or on the sandbox host. A session lives in main; its bytes travel on the terminal stream
// (terminal-stream.ts), not through these calls.

export const instanceRole = z.enum(['services', 'cpu-worker', 'gpu-worker', 'nat', 'other']);

export const ssmStatus = z.enum(['online', 'connection-lost', 'inactive', 'not-registered']);

export const stackInstance = z.object({
  instanceId: z.string(),
  role: instanceRole,
  name: z.string().nullable(),
  zone: z.string().nullable(),
  instanceType: z.string().nullable(),
  state: z.string(),
  launchedAt: z.string().nullable(),
  ssm: z.object({ status: ssmStatus, agentVersion: z.string().nullable(), lastPingAt: z.string().nullable(), platform: z.string().nullable() }),
  /** Whether a session can be started now; when not, `reason` says why in plain words. */
  reachable: z.boolean(),
  reason: z.string().nullable(),
});
export type StackInstance = z.infer<typeof stackInstance>;

export const listInstances = defineCall('terminal:list-instances', {
  input: z.object({ deploymentId: deploymentKey }).strict(),
  output: z.object({ instances: z.array(stackInstance) }),
});

export const terminalTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('instance'), deploymentId: deploymentKey, instanceId: z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'must be an instance id such as i-0123456789abcdef0') }).strict(),
  z.object({ kind: z.literal('run'), runId: id }).strict(),
  z.object({ kind: z.literal('local') }).strict(),
]);
export type TerminalTarget = z.infer<typeof terminalTarget>;

export const terminalSession = z.object({
  id: z.string(),
  title: z.string(),
  target: terminalTarget,
  /** How the session reaches its target, for people (e.g. "joined the run's namespaces (nsenter)"). */
  note: z.string(),
  state: z.enum(['open', 'reconnecting', 'exited']),
  exitCode: z.number().int().nullable(),
  startedAt: z.string(),
});
export type TerminalSessionInfo = z.infer<typeof terminalSession>;

export const openTerminal = defineCall('terminal:open', {
  input: z.object({ target: terminalTarget, size: terminalSize.default({ cols: 80, rows: 24 }) }).strict(),
  output: terminalSession,
});

export const listSessions = defineCall('terminal:list-sessions', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ sessions: z.array(terminalSession) }),
});

/** Ends the session (terminates the SSM session, kills the pty) and forgets it. */
export const closeTerminal = defineCall('terminal:close', {
  input: z.object({ id: z.string().min(1).max(100) }).strict(),
  output: z.object({ closed: z.boolean() }),
});

/** What this app can open besides instances: a shell on the sandbox host when it runs one. */
export const terminalCapabilities = defineCall('terminal:capabilities', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ local: z.object({ available: z.boolean(), shell: z.string().nullable(), reason: z.string().nullable() }) }),
});
