import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentBundle, buildAgentBundle, nativePackageFiles } from './agent-bundle.js';

// The artifact an instance downloads, unpacked into an empty folder and started there the way
// the units start it (node services.mjs / node worker.mjs, working directory the bundle), with
// node_modules holding exactly what `npm ci --omit=dev` installs from the bundle's lock file. The
// packages are copied from this checkout (same versions, this machine's build of the native one)
// instead of fetched, so the test needs no registry.

const ROOT = resolve(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'benchtop-agent-bundle-'));
const unpacked = join(dir, 'bundle');
const children: ChildProcess[] = [];
let bundle: AgentBundle;

/** Copies what the lock file lists from this checkout's node_modules, as `npm ci` lays it out. */
function installNativePackages(into: string): void {
  const lock = JSON.parse(readFileSync(join(into, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  for (const key of Object.keys(lock.packages).filter(Boolean)) {
    const from = join(ROOT, key);
    // The native module's C sources and object files stay behind: a prebuilt or compiled install leaves its .node file.
    cpSync(from, join(into, key), { recursive: true, filter: (path) => !/better-sqlite3[\\/](deps|src|build[\\/]Release[\\/](obj|.*\.a$))/.test(path.slice(ROOT.length)) });
  }
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${what} printed nothing within 30 s: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      done(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (${code}) before its first line: ${stderr}`));
    });
  });
}

function startFromBundle(file: string, args: string[]): ChildProcess {
  // Nothing of this checkout on the way: no NODE_PATH, no loader, the bundle's folder as the unit's WorkingDirectory.
  const child = spawn(process.execPath, [file, ...args], { cwd: unpacked, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

beforeAll(async () => {
  bundle = await buildAgentBundle(ROOT);
  writeFileSync(join(dir, 'bundle.tar.gz'), bundle.bytes);
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', join(dir, 'bundle.tar.gz'), '-C', unpacked], { encoding: 'utf8' });
  expect(tar.stderr).toBe('');
  installNativePackages(unpacked);
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent bundle', () => {
  it('holds the two agents and the native packages manifest at its root, and nothing else', () => {
    expect(readdirSync(unpacked).sort()).toEqual(['boot', 'node_modules', 'package-lock.json', 'package.json', 'services.mjs', 'worker.mjs']);
    expect(bundle.entries.map((e) => e.name)).toEqual(['boot/services.sh', 'boot/worker.sh', 'package-lock.json', 'package.json', 'services.mjs', 'worker.mjs']);
    expect(bundle.sha256).toBe(createHash('sha256').update(bundle.bytes).digest('hex'));
  });

  it('asks npm for the native module alone, at the version this checkout locks', () => {
    const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ version, type: 'module', dependencies: { 'better-sqlite3': rootLock.packages['node_modules/better-sqlite3']!.version } });
    expect(pkg.devDependencies).toBeUndefined();
    const lock = JSON.parse(readFileSync(join(unpacked, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; integrity?: string; dev?: boolean }> };
    expect(lock.packages['']).toMatchObject({ dependencies: pkg.dependencies });
    for (const [key, entry] of Object.entries(lock.packages).filter(([k]) => k)) {
      expect(entry, key).toMatchObject({ version: rootLock.packages[key]!.version, integrity: expect.stringMatching(/^sha512-/) });
      expect(entry.dev, key).toBeUndefined();
    }
    expect(Object.keys(lock.packages)).toContain('node_modules/bindings');
    expect(Object.keys(lock.packages)).not.toContain('node_modules/fastify');
  });

  it('is the same bytes when built again from the same sources', async () => {
    expect((await buildAgentBundle(ROOT)).sha256).toBe(bundle.sha256);
  }, 60_000);

  it('each agent answers --version with the app version', () => {
    for (const file of ['services.mjs', 'worker.mjs']) {
      const run = spawnSync(process.execPath, [file, '--version'], { cwd: unpacked, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr, file).toBe('');
      expect(run.stdout, file).toBe(`${version}\n`);
    }
  });

  it('starts the services agent as the unit does, answers health, and serves a worker started from it', async () => {
    expect(existsSync(join(dirname(dir), 'node_modules'))).toBe(false);
    const data = join(dir, 'data');
    const services = startFromBundle('services.mjs', ['--data', data, '--port', '0']);
    const ready = JSON.parse(await firstLine(services, 'services.mjs')) as { url: string };
    const health = (await (await fetch(`${ready.url}/api/v1/health`)).json()) as { status: string; version: string };
    expect(health).toMatchObject({ status: 'ok', version });

    const worker = startFromBundle('worker.mjs', ['--url', ready.url, '--token-file', join(data, 'worker.token'), '--work', join(dir, 'work'), '--worker-id', 'bundle-w1', '--no-isolation']);
    expect(JSON.parse(await firstLine(worker, 'worker.mjs'))).toMatchObject({ event: 'ready', workerId: 'bundle-w1' });
    const stopped = (child: ChildProcess) => new Promise((done) => child.once('exit', (code, signal) => done(signal ?? code)));
    const workerExit = stopped(worker);
    worker.kill('SIGTERM');
    expect(await workerExit).toBe(0);
    const servicesExit = stopped(services);
    services.kill('SIGTERM');
    expect(await servicesExit).toBe(0);
  }, 90_000);
});

describe('nativePackageFiles', () => {
  const lock = (packages: Record<string, unknown>) => JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages: { '': {}, ...packages } });

  it('follows nested copies the way Node resolves them, and drops the app tree\'s dev flags', () => {
    const { packageLock } = nativePackageFiles(
      lock({
        'node_modules/better-sqlite3': { version: '12.0.0', dependencies: { bindings: '^1', semver: '^7' }, dev: true },
        'node_modules/better-sqlite3/node_modules/semver': { version: '7.0.0' },
        'node_modules/semver': { version: '6.0.0' },
        'node_modules/bindings': { version: '1.5.0' },
        'node_modules/unrelated': { version: '1.0.0' },
      }),
      '2.0.0',
    );
    const packages = (JSON.parse(packageLock) as { packages: Record<string, { version?: string; dev?: boolean }> }).packages;
    expect(Object.keys(packages)).toEqual(['', 'node_modules/better-sqlite3', 'node_modules/better-sqlite3/node_modules/semver', 'node_modules/bindings']);
    expect(packages['node_modules/better-sqlite3']!.dev).toBeUndefined();
  });

  it('says which package the lock file lacks', () => {
    expect(() => nativePackageFiles(lock({ 'node_modules/better-sqlite3': { version: '12.0.0', dependencies: { bindings: '^1' } } }), '1.0.0')).toThrow(/no entry for bindings/);
  });
});
