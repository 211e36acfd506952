import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startFakeSts, type FakeSts, type FakeStsIdentity } from './fake-sts.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const ARTIFACTS = path.join(REPO, 'e2e', 'artifacts');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Bounds for `expect.poll` on what the page shows. Vitest's default (1 s) is shorter than a render
 * after a network round trip takes when CI runs every project at once on two busy cores; this is
 * Playwright's own default wait, so a poll gives up no sooner than a locator would.
 */
export const UI_POLL = { timeout: 30_000, interval: 100 } as const;

/** Two profiles in the fake ~/.aws/config: one STS accepts, one whose keys it refuses. */
export const E2E_PROFILES = {
  good: { name: 'lab-admin', region: 'eu-west-1', accessKey: 'AKIAE2ELABADMIN000' },
  revoked: { name: 'revoked', region: 'us-east-2', accessKey: 'AKIAE2EREVOKED0000' },
} as const;

export const E2E_IDENTITY: FakeStsIdentity = {
  account: '210987654321',
  arn: 'arn:aws:iam::210987654321:user/e2e-admin',
  userId: 'AIDAE2EADMIN',
};

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface E2EApp {
  /**
   * The address `benchtop start` printed, with its one-time token, already used by `page`:
   * opening it again in `page` keeps the tab's sign-in; in another tab it is refused.
   */
  url: string;
  /** The same origin without the token, for reloads (the tab stays signed in). */
  origin: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What the host wrote to stderr, for failure messages. */
  stderr(): string;
  /** The end of each log file of the local sandbox (its services agent and workers), for failure messages. */
  sandboxLogs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the real browser-mode host (`benchtop start`) in a throwaway HOME and data folder, with a
 * fake AWS config and STS, then opens its URL in Debian's Chromium. `stop` undoes all of it, even
 * after a partial start, and kills the host's whole process group so no child outlives the test.
 *
 * `sandbox: true` lets `benchtop start` start its local sandbox (the researcher specs); without it
 * BENCHTOP_SANDBOX=off keeps the platform out, so pages show their no-platform state.
 * `env` adds to the host's environment, e.g. AWS_ENDPOINT_URL of a fuller fake AWS (the deploy spec).
 */
export async function startE2EApp(options: { sandbox?: boolean; env?: Record<string, string> } = {}): Promise<E2EApp> {
  const home = mkdtempSync(path.join(tmpdir(), 'benchtop-e2e-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(home, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve(cleanup()).catch((error: unknown) => process.stderr.write(`e2e teardown: ${String(error)}\n`));
    }
  };
  try {
    const sts: FakeSts = await startFakeSts({ [E2E_PROFILES.good.accessKey]: E2E_IDENTITY });
    cleanups.push(() => sts.close());
    const host = await startHost(home, sts.url, options.sandbox ?? false, options.env ?? {});
    cleanups.push(() => host.stop());
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(host.url);
    // The page trades the address's one-time token for its secret, then takes the token out of
    // the address. A spec that navigated before that would cut the trade short: token spent,
    // tab not signed in.
    await page.waitForFunction(() => !new URL(window.location.href).searchParams.has('token'));
    const sandboxLogs = () => logTails(path.join(home, 'data', 'sandbox', 'logs'));
    return { url: host.url, origin: new URL(host.url).origin, browser, context, page, stderr: host.stderr, sandboxLogs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Calls the app's API as the page does, with the secret this tab holds: for what a spec sets up
 * or checks behind the page (what the host has stored), not for what it tests through the page.
 */
export async function callApi<T>(page: Page, name: string, input: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ name, input }) => {
      const secret = window.sessionStorage.getItem('benchtop.page-secret') ?? '';
      const res = await fetch(`/api/call/${name}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
      return (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
    },
    { name, input },
  );
  if (!answer.ok) throw new Error(`${name}: ${answer.error?.message ?? 'failed'}`);
  return answer.value as T;
}

function logTails(dir: string, bytes = 4_000): string {
  if (!existsSync(dir)) return `(no ${dir})`;
  return readdirSync(dir)
    .map((name) => `== ${name}\n${readFileSync(path.join(dir, name), 'utf8').slice(-bytes)}`)
    .join('\n');
}

function writeAwsConfig(home: string): { configFile: string; credentialsFile: string } {
  const dir = path.join(home, '.aws');
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  writeFileSync(
    configFile,
    Object.values(E2E_PROFILES)
      .map((p) => `[profile ${p.name}]\nregion = ${p.region}\naws_access_key_id = ${p.accessKey}\naws_secret_access_key = e2e-not-a-secret\n`)
      .join('\n'),
  );
  writeFileSync(credentialsFile, '');
  return { configFile, credentialsFile };
}

async function startHost(home: string, stsUrl: string, sandbox: boolean, extraEnv: Record<string, string>): Promise<{ url: string; stderr: () => string; stop: () => Promise<void> }> {
  const { configFile, credentialsFile } = writeAwsConfig(home);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8', ...(sandbox ? {} : { BENCHTOP_SANDBOX: 'off' }) };
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_ENDPOINT_URL: stsUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
  }, extraEnv);
  const child = spawn(process.execPath, ['bin/benchtop.mjs', 'start', '--json', '--data', path.join(home, 'data'), '--no-open'], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const stop = () => killGroup(child);
  try {
    const line = await firstLine(child, START_TIMEOUT_MS, () => stderr);
    const parsed = JSON.parse(line) as { url?: unknown };
    if (typeof parsed.url !== 'string') throw new Error(`benchtop start printed ${line}, not {"url": ...}`);
    return { url: parsed.url, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`benchtop start printed no URL within ${timeoutMs} ms. stderr:\n${stderr()}`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`benchtop start exited (${code}) before printing its URL. stderr:\n${stderr()}`));
    function fail(error: Error): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      reject(error);
    }
    child.once('exit', onExit);
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      resolve(line);
    });
  });
}

/** SIGTERM to the whole group (tsx and anything the host started), SIGKILL if it lingers. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }
  // The host may have left children in its group after exiting itself.
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
