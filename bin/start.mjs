#!/usr/bin/env node
// `npm start`: build what is out of date, then open the desktop window when an Electron binary is
// installed (and a display exists), else run browser mode and print its URL.
//   npm start                     desktop if possible, else browser mode
//   npm start -- --browser        browser mode even when Electron is there
//   npm start -- --port 8080 …    options of `benchtop start` (browser mode)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => path.join(root, p);

/** Newest modification time under the given paths (files or folders), skipping dependencies and output. */
function newest(paths) {
  let latest = 0;
  const stack = paths.map(at).filter((p) => existsSync(p));
  // Bounded: the source tree is small; a runaway (a symlink loop) stops here.
  for (let seen = 0; stack.length > 0 && seen < 20_000; seen++) {
    const current = stack.pop();
    const stat = statSync(current);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(current)) if (entry !== 'node_modules' && entry !== 'dist') stack.push(path.join(current, entry));
    } else {
      latest = Math.max(latest, stat.mtimeMs);
    }
  }
  return latest;
}

function builtAt(file) {
  return existsSync(at(file)) ? statSync(at(file)).mtimeMs : 0;
}

function buildIfStale(part, output, sources) {
  if (builtAt(output) >= newest(sources)) return;
  process.stderr.write(`npm start: building ${part} (${output} is missing or older than its sources)\n`);
  const result = spawnSync(process.execPath, [at('scripts/build.mjs'), part], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`npm start: building ${part} failed; see the messages above.\n`);
    process.exit(result.status ?? 1);
  }
}

function electronBinary() {
  try {
    // The electron package answers the binary's path, or throws when its download never happened.
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const startArgs = args.filter((a) => a !== '--browser');
const headlessLinux = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

buildIfStale('renderer', 'dist/renderer/index.html', ['renderer', 'vite.config.ts', 'common']);

const electron = forceBrowser ? undefined : electronBinary();
if (electron && !headlessLinux) {
  buildIfStale('electron', 'dist/electron/main.cjs', ['main', 'common', 'lib']);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, [root], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  if (!forceBrowser) {
    process.stderr.write(
      electron
        ? 'npm start: no display found; starting browser mode instead of the desktop window.\n'
        : 'npm start: no Electron binary is installed; starting browser mode (it opens in your browser, or open the address below).\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../main/cli.ts');
  process.exitCode = await main(['start', ...startArgs]);
}
