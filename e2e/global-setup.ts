import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * The host serves dist/renderer/, so the e2e specs need it built from the current sources; one
 * build before the e2e project keeps each spec from paying for it. Vitest has set NODE_ENV=test,
 * and Vite would then bundle React's development build, so the build gets "production" back for
 * its duration: the specs test what users run.
 */
export default async function setup(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
