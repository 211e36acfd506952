import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { BUNDLED_VERSION_CONSTANT } from '../../lib/app-version.js';
import { BUNDLED_BOOT_SCRIPTS, bundledBootScript } from '../../templates/src/index.js';

// The agent bundle instances download at boot: each agent bundled alone by esbuild into one file
// (services.mjs, worker.mjs at the root), and a package.json and lock file that list only what must
// be built for the instance's own Node and CPU (better-sqlite3), so `npm ci --omit=dev` there
// installs that and nothing else. A reproducible .tar.gz (sorted entries, zero mtimes): the same
// sources give the same bytes, the same sha256 and so the same content-addressed key, and an
// unchanged bundle is never uploaded twice.

/** Packages left out of the agents' code and installed natively by `npm ci` on the instance. */
export const NATIVE_PACKAGES = ['better-sqlite3'] as const;

/** The agents, each an entry point bundled alone; the boot scripts' ExecStart runs `node <name>.mjs`. */
export const AGENT_ENTRIES = { services: 'agents/services/main.ts', worker: 'agents/worker/main.ts' } as const;

export interface BundleEntry {
  name: string;
  body: Buffer;
  mode: number;
}

export interface AgentBundle {
  /** The .tar.gz as uploaded. */
  bytes: Buffer;
  /** Hex sha256 of `bytes`: pinned in the stack and checked by the boot script before unpacking. */
  sha256: string;
  /** The app version the agents answer `--version` with. */
  version: string;
  /** What the archive holds, in its order. */
  entries: BundleEntry[];
}

function header(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => h.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  if (name.length > 100) {
    // ustar keeps long paths as prefix (155) + '/' + name (100).
    const cut = [...name].findIndex((ch, i) => ch === '/' && name.length - i - 1 <= 100 && i <= 155);
    if (cut < 0) throw new Error(`${name} is too long a path for the agent bundle.`);
    field(name.slice(cut + 1), 0, 100);
    field(name.slice(0, cut), 345, 155);
  } else field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(size, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of h) sum += byte;
  field(octal(sum, 7) + ' ', 148, 8);
  return h;
}

/** A ustar archive, gzipped, with zero mtimes and owners: the bytes depend only on the entries. */
export function tarGz(entries: BundleEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const e of entries) chunks.push(header(e.name, e.body.length, e.mode), e.body, Buffer.alloc((512 - (e.body.length % 512)) % 512));
  chunks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

const lockEntry = z.looseObject({ version: z.string().optional(), dependencies: z.record(z.string(), z.string()).optional(), optionalDependencies: z.record(z.string(), z.string()).optional() });
const lockFile = z.looseObject({ name: z.string(), version: z.string(), lockfileVersion: z.literal(3), packages: z.record(z.string(), lockEntry) });
const packageFile = z.looseObject({ name: z.string(), version: z.string() });

/** Where Node would find `name` when required from the package at `from` (a lock file key). */
function resolveIn(packages: Record<string, unknown>, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/**
 * The bundle's package.json and package-lock.json: the native packages at the exact versions the
 * app's own lock file pins, with everything they need taken from that lock file as it is
 * (versions, integrity hashes), so the instance installs what was tested here.
 */
export function nativePackageFiles(rootLockText: string, version: string): { packageJson: string; packageLock: string } {
  const lock = lockFile.parse(JSON.parse(rootLockText));
  const dependencies: Record<string, string> = {};
  const picked: Record<string, z.infer<typeof lockEntry>> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    const key = resolveIn(lock.packages, from, name);
    if (!key) {
      if (optional) return;
      throw new Error(`package-lock.json has no entry for ${name} (needed from ${from || 'the app'}); run npm install.`);
    }
    if (key in picked) return;
    // Dev flags describe the app's tree; in the bundle every one of these is a production package.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key]!;
    picked[key] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(key, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(key, dep, true);
  };
  for (const name of NATIVE_PACKAGES) {
    visit('', name, false);
    const pinned = lock.packages[`node_modules/${name}`]?.version;
    if (!pinned) throw new Error(`package-lock.json pins no version of ${name}; run npm install.`);
    dependencies[name] = pinned;
  }
  const name = 'benchtop-agent';
  const packageJson = { name, version, private: true, type: 'module', description: 'Benchtop agents as instances run them: node services.mjs, node worker.mjs.', engines: { node: '>=20' }, dependencies };
  const sorted = Object.fromEntries(Object.keys(picked).sort().map((k) => [k, picked[k]]));
  const packageLock = { name, version, lockfileVersion: 3, requires: true, packages: { '': { name, version, dependencies }, ...sorted } };
  return { packageJson: `${JSON.stringify(packageJson, null, 2)}\n`, packageLock: `${JSON.stringify(packageLock, null, 2)}\n` };
}

/** Each agent bundled alone, every package inlined but the native ones. */
async function bundleAgents(root: string, version: string): Promise<Record<keyof typeof AGENT_ENTRIES, Buffer>> {
  // Loaded when a bundle is built, so that what never builds one (the desktop app) never loads it.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(AGENT_ENTRIES).map(([name, entry]) => [name, join(root, entry)])),
    outdir: join(root, 'agents-bundle'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: [...NATIVE_PACKAGES],
    define: { [BUNDLED_VERSION_CONSTANT]: JSON.stringify(version) },
    // CommonJS packages bundled into ESM still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  });
  const byName = (name: string) => {
    const file = result.outputFiles.find((f) => f.path === join(root, 'agents-bundle', `${name}.mjs`));
    if (!file) throw new Error(`esbuild wrote no ${name}.mjs.`);
    return Buffer.from(file.contents);
  };
  return { services: byName('services'), worker: byName('worker') };
}

/**
 * The archive's files, sorted by name: the boot scripts the user data runs once the bundle's
 * sha256 is checked (boot/services.sh, boot/worker.sh), the two agents, and the native packages'
 * manifest and lock.
 */
export async function agentBundleEntries(root: string): Promise<{ version: string; entries: BundleEntry[] }> {
  const { version } = packageFile.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  const agents = await bundleAgents(root, version);
  const { packageJson, packageLock } = nativePackageFiles(readFileSync(join(root, 'package-lock.json'), 'utf8'), version);
  const entries: BundleEntry[] = [
    ...BUNDLED_BOOT_SCRIPTS.map((file) => ({ name: `boot/${file}`, body: Buffer.from(bundledBootScript(file)), mode: 0o755 })),
    { name: 'package-lock.json', body: Buffer.from(packageLock), mode: 0o644 },
    { name: 'package.json', body: Buffer.from(packageJson), mode: 0o644 },
    { name: 'services.mjs', body: agents.services, mode: 0o644 },
    { name: 'worker.mjs', body: agents.worker, mode: 0o644 },
  ];
  return { version, entries };
}

/** Builds the bundle from the sources under `root` (the repository). */
export async function buildAgentBundle(root: string): Promise<AgentBundle> {
  const { version, entries } = await agentBundleEntries(root);
  const bytes = tarGz(entries);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), version, entries };
}
