import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// What `npm ci --omit=dev` installs from the agent bundle's lock file, laid out from this
// checkout's node_modules instead of the registry (same versions; this machine's build of the
// native module), as main/deploy/agent-bundle.test.ts does. The C sources and object files of the
// native module stay behind: an install leaves its .node file.

const lockFile = z.looseObject({ packages: z.record(z.string(), z.unknown()) });

/** Writes `into`/package-lock.json (the bundle's) and `into`/node_modules. */
export function layOutNativePackages(checkout: string, bundleLock: string, into: string): void {
  mkdirSync(into, { recursive: true });
  writeFileSync(join(into, 'package-lock.json'), bundleLock);
  const { packages } = lockFile.parse(JSON.parse(bundleLock));
  for (const key of Object.keys(packages).filter(Boolean)) {
    cpSync(join(checkout, key), join(into, key), { recursive: true, filter: (path) => !/better-sqlite3[\\/](deps|src|build[\\/]Release[\\/](obj|.*\.a$))/.test(path.slice(checkout.length)) });
  }
}
