// The platform API v1 in one import: `import { run, createRunRequest } from '../common/protocol/index.js'`.
export * from './common.js';
export * from './health.js';
export * from './users.js';
export * from './capsules.js';
export * from './datasets.js';
export * from './runs.js';
export * from './logs.js';
export * from './results.js';
export * from './leases.js';
export * from './routes.js';
export * from './cost.js';
export * from './backups.js';
