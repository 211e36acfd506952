import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AGENT_BUNDLE_VERSION, agentBundleKey } from '../../../templates/src/version.js';
import { buildAgentBundle } from '../agent-bundle.js';
import { EXIT, UsageError } from './cli-options.js';
import { runCli } from './run-cli.js';

// `benchtop agents bundle`: the artifact instances download, built from this checkout exactly as
// `benchtop deploy` builds and uploads it, so it can be inspected, unpacked and started by hand.

const USAGE = [
  'usage: benchtop agents bundle --out FILE [--json]',
  '',
  '  Builds the agent bundle (services.mjs, worker.mjs, and a package.json + lock file for the',
  '  native better-sqlite3 alone) as the reproducible .tar.gz the deploy engine uploads, and prints',
  '  its sha256 and the key it is stored under in the artifacts bucket.',
  '',
].join('\n');

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, USAGE, async (out) => {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { out: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const [action, ...extra] = parsed.positionals;
    if (action !== 'bundle' || extra.length > 0) throw new UsageError(action ? `unknown agents action "${[action, ...extra].join(' ')}"; the only one is "bundle".` : 'say what to do: benchtop agents bundle --out FILE.');
    if (!parsed.values.out) throw new UsageError('--out FILE is required (where to write the .tar.gz).');
    const file = resolve(parsed.values.out);
    const started = Date.now();
    const bundle = await buildAgentBundle(ROOT);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bundle.bytes, { mode: 0o644 });
    renameSync(tmp, file);
    const key = agentBundleKey(AGENT_BUNDLE_VERSION, bundle.sha256);
    const record = { type: 'agent-bundle', file, bytes: bundle.bytes.length, sha256: bundle.sha256, key, version: bundle.version, seconds: (Date.now() - started) / 1000 };
    out.emit(record, [`${file}: ${(bundle.bytes.length / 1024).toFixed(0)} KiB, agents ${bundle.version}, built in ${record.seconds.toFixed(1)} s`, `sha256 ${bundle.sha256}`, `key    ${key}`].join('\n'));
    return EXIT.ok;
  });
}
