import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// The tier rules proven on fixtures: each forbidden import or global is written into a file of
// the tier it is forbidden in and must fail there, and the same code must pass in a tier where it
// is allowed, so a failure is the tier's doing and not a typo in the fixture.

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function lintErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.message);
}

describe('ESLint tier rule', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['renderer/src/fixture.ts', "import { readFileSync } from 'node:fs';", /no Node module/],
    ['renderer/src/fixture.ts', "import { startHost } from '../../main/host/host-server.js';", /only common\//],
    ['agents/worker/fixture.ts', "import { startLocalSandbox } from '../../main/platform/local-sandbox.js';", /agents\/worker may import only/],
    ['agents/services/fixture.ts', "import { runLease } from '../worker/run-lease.js';", /agents\/services may import only/],
    ['main/fixture.ts', "import { openDatabase } from '../agents/services/db.js';", /never an agent/],
    ['common/fixture.ts', "import { retry } from '../lib/retry.js';", /only itself and zod/],
    ['common/fixture.ts', "import YAML from 'yaml';", /only itself and zod/],
    ['lib/fixture.ts', "import { Router } from '../main/app-router.js';", /only common\/ and lib\//],
    ['agents/worker/fixture.ts', "import { app } from 'electron';", /Only main\/electron/],
  ];
  it.each(refused)('%s: refuses %s', async (file, code, why) => {
    const errors = await lintErrors(file, `${code}\nexport {};\n`);
    expect(errors.join('\n')).toMatch(why);
  });

  const allowed: Array<[string, string]> = [
    ['renderer/src/fixture.ts', "import { run } from '../../common/protocol/runs.js';"],
    ['agents/worker/fixture.ts', "import { retry } from '../../lib/retry.js';\nimport { run } from '../../common/protocol/runs.js';"],
    ['main/fixture.ts', "import { loadTemplate } from '../templates/src/load-template.js';"],
    ['common/fixture.ts', "import { z } from 'zod';\nimport { run } from './protocol/runs.js';"],
    ['agents/worker/fixture.test.ts', "import { startLocalSandbox } from '../../main/platform/local-sandbox.js';"],
  ];
  it.each(allowed)('%s: allows %s', async (file, code) => {
    expect(await lintErrors(file, `${code}\nexport {};\n`)).toEqual([]);
  });
});

const fixtureDirs: string[] = [];
afterAll(() => {
  for (const dir of fixtureDirs) rmSync(dir, { recursive: true, force: true });
});

// The libraries' declarations (lib.dom.d.ts, @types/node) parsed once for every program below:
// parsing them again for each took 4–8 s a program on a loaded machine, past the test timeout.
const parsed = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions, fixture: string): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    if (name === fixture) return parse(name, languageVersion, onError, shouldCreate);
    const key = `${name}|${JSON.stringify(languageVersion)}`;
    const file = parsed.get(key) ?? parse(name, languageVersion, onError, shouldCreate);
    if (file) parsed.set(key, file);
    return file;
  };
  return host;
}

/** Type errors of `code` compiled with the options of the tier project in `tierDir`. */
function typeErrors(tierDir: string, code: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, tierDir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`no tsconfig in ${tierDir}`);
  const dir = mkdtempSync(path.join(root, tierDir, '.layers-fixture-'));
  fixtureDirs.push(dir);
  const file = path.join(dir, 'fixture.ts');
  writeFileSync(file, `${code}\nexport {};\n`);
  const options = { ...config.options, composite: false, declaration: false, emitDeclarationOnly: false, noEmit: true, outDir: undefined, rootDir: undefined };
  const program = ts.createProgram([file], options, cachingHost(options, file));
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

// Compiling is work, not waiting: the first program (TypeScript itself warming up) alone took 15 s
// at load 18, so these get room beyond the project's 30 s.
describe('tier type checks', { timeout: 120_000 }, () => {
  const domGlobal = 'export const title = document.title;';
  const nodeImport = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;";
  const nodeGlobal = 'export const home = process.env.HOME;';

  it('a DOM global does not compile in an agent, main or lib, and does in the renderer', () => {
    for (const tier of ['agents', 'main', 'lib']) expect(typeErrors(tier, domGlobal).join('\n')).toMatch(/Cannot find name 'document'/);
    expect(typeErrors('renderer', domGlobal)).toEqual([]);
  });

  it('a Node import or global does not compile in the renderer, and does in an agent', () => {
    expect(typeErrors('renderer', nodeImport).join('\n')).toMatch(/Cannot find module 'node:fs'/);
    expect(typeErrors('renderer', nodeGlobal).join('\n')).toMatch(/Cannot find name 'process'/);
    expect(typeErrors('agents', nodeImport)).toEqual([]);
  });

  it('the pure layer has neither DOM nor Node', () => {
    expect(typeErrors('common', domGlobal).join('\n')).toMatch(/Cannot find name 'document'/);
    expect(typeErrors('common', nodeGlobal).join('\n')).toMatch(/Cannot find name 'process'/);
    expect(typeErrors('common', 'export const later = setTimeout;').join('\n')).toMatch(/Cannot find name 'setTimeout'/);
  });
});
