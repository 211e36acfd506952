import { installCrashPolicy } from '../crash-policy.js';
import { unhandledErrors } from '../metrics.js';

// Run by crash-policy.test.ts as its own process: two unhandled rejections, then a throw.
installCrashPolicy({ agent: 'fixture' });
void Promise.reject(new Error('first nobody awaited'));
void Promise.reject(new Error('second nobody awaited'));
setTimeout(() => {
  process.stdout.write(`alive after ${unhandledErrors.rejection} rejections\n`);
  setTimeout(() => {
    throw new Error('thrown to the event loop');
  }, 10);
}, 50);
