#!/usr/bin/env node
// `benchtop-services`: manage the services agent's database on its host (runs the TypeScript through tsx).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../agents/services/cli.ts');
process.exitCode = await run(process.argv.slice(2));
