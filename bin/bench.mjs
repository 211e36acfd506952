#!/usr/bin/env node
// `npm run bench`: runs every bench/*.ts (not tests) one after another, each in its own Node
// process so that one benchmark's heap and children never skew the next, and prints their JSON
// lines as they come. `npm run bench -- dispatch` runs only the benchmarks whose name matches.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`bench: no benchmark in bench/ matches ${filters.join(', ') || 'anything'}\n`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', `${benchDir}${file}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    // Only figures go to stdout, so the output stays one JSON object per line.
    try {
      JSON.parse(line);
      process.stdout.write(`${line}\n`);
    } catch {
      process.stderr.write(`${file}: ${line}\n`);
    }
  });
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (code !== 0) {
    failed += 1;
    process.stderr.write(`bench: ${file} exited with ${code}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
