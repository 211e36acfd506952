#!/usr/bin/env node
// `npm run build`: everything the desktop app, browser mode and the AWS instances run, into dist/.
//   dist/renderer/          the React app (vite)
//   dist/electron/          main.cjs + preload.cjs (the desktop shell)
//   dist/agents/            benchtop-agent.tar.gz (+ .sha256): the agent bundle, and its files unpacked
//   dist/cli/benchtop.mjs   the CLI without tsx (with dist/package.json for its version)
// `node scripts/build.mjs renderer electron` builds only those parts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

// ESM packages bundled into CommonJS still ask for import.meta.url and import.meta.resolve; give
// them the bundle's own.
const cjsImportMeta = {
  define: { 'import.meta.url': '__bundleUrl', 'import.meta.resolve': '__bundleResolve' },
  banner: {
    js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href; const __bundleResolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
  },
};
// CommonJS dependencies bundled into ESM still call require().
const esmRequire = { banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" } };

const parts = {
  async renderer() {
    const { build } = await import('vite');
    await build({ configFile: at('vite.config.ts'), logLevel: 'warn' });
  },
  async electron() {
    rmSync(at('dist/electron'), { recursive: true, force: true });
    // node-pty finds its native module and spawn-helper relative to its own folder, so it stays in
    // node_modules (electron-builder rebuilds it for Electron and unpacks it from the asar).
    await esbuild({ ...common, ...cjsImportMeta, format: 'cjs', entryPoints: [at('main/electron/main.ts')], outfile: at('dist/electron/main.cjs'), external: ['electron', 'better-sqlite3', 'esbuild', 'node-pty'] });
    // The sandboxed preload may require only 'electron': everything else is inlined.
    await esbuild({ ...common, format: 'cjs', entryPoints: [at('main/electron/preload.ts')], outfile: at('dist/electron/preload.cjs'), external: ['electron'] });
  },
  async agents() {
    // The artifact instances download, built by the same code as `benchtop agents bundle` and the
    // deploy engine; dist/agents/ holds it and its files unpacked (the desktop sandbox runs those).
    rmSync(at('dist/agents'), { recursive: true, force: true });
    const { tsImport } = await import('tsx/esm/api');
    const { buildAgentBundle } = await tsImport('../main/deploy/agent-bundle.ts', import.meta.url);
    const bundle = await buildAgentBundle(root);
    mkdirSync(at('dist/agents'), { recursive: true });
    for (const entry of bundle.entries) writeFileSync(at(`dist/agents/${entry.name}`), entry.body, { mode: entry.mode });
    writeFileSync(at('dist/agents/benchtop-agent.tar.gz'), bundle.bytes);
    writeFileSync(at('dist/agents/benchtop-agent.tar.gz.sha256'), `${bundle.sha256}  benchtop-agent.tar.gz\n`);
  },
  async cli() {
    rmSync(at('dist/cli'), { recursive: true, force: true });
    await esbuild({
      ...common,
      ...esmRequire,
      format: 'esm',
      stdin: { contents: "import { main } from './main/cli.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n", resolveDir: root, sourcefile: 'benchtop-cli.ts', loader: 'ts' },
      outfile: at('dist/cli/benchtop.mjs'),
      external: ['better-sqlite3', 'electron', 'esbuild'],
    });
    // The CLI reads its version from ../package.json, relative to itself.
    const { name, version } = JSON.parse(readFileSync(at('package.json'), 'utf8'));
    writeFileSync(at('dist/package.json'), `${JSON.stringify({ name, version, private: true }, null, 2)}\n`);
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in parts));
if (unknown.length > 0) {
  console.error(`build: unknown part(s) ${unknown.join(', ')}; choose from ${Object.keys(parts).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(parts)) {
  const started = Date.now();
  await parts[name]();
  console.error(`build: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
