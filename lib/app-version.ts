import { readFileSync } from 'node:fs';

// The agent bundle has no package.json beside its code to read (its own lists only the native
// module), so the bundler writes the app's version in as this constant; run from the sources it is
// undefined and the repository's package.json answers instead.
declare const __BENCHTOP_VERSION__: string | undefined;

/** The name of the constant the agent bundle defines (main/deploy/agent-bundle.ts). */
export const BUNDLED_VERSION_CONSTANT = '__BENCHTOP_VERSION__';

let fromPackage: string | undefined;

/** The app's version: the one the bundle was built with, else the repository's package.json. */
export function appVersion(): string {
  if (typeof __BENCHTOP_VERSION__ === 'string') return __BENCHTOP_VERSION__;
  fromPackage ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return fromPackage;
}
