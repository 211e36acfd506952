import { createDataCleanupClients } from '../data-cleanup.js';
import { createDeployClients } from '../deploy-clients.js';
import { deleteStack } from '../delete-stack.js';
import { inspectStack } from '../recovery.js';
import { cliTiming, commonUsage, EXIT, parseCommon } from './cli-options.js';
import { confirmByTyping } from './cli-output.js';
import { runCli } from './run-cli.js';

const USAGE = commonUsage('delete', '[--delete-data] [--retain ID,ID]') + [
  '  Keeps the data (buckets, data volume, file system, image repository, backup vault) unless --delete-data,',
  '  which also removes their object versions, snapshots, images and recovery points, or says why one was kept.',
  '  --yes           confirm: turns termination protection off and deletes without asking',
  '  --retain ID,ID  for a stack in DELETE_FAILED: resources to leave behind (default: those that failed)',
  '',
].join('\n');

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, USAGE, async (out) => {
    const opts = parseCommon(argv, { 'delete-data': { type: 'boolean', default: false }, retain: { type: 'string' } });
    const target = { region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) };
    const c = createDeployClients(target);
    const health = await inspectStack(c, opts.stack);
    if (!health.exists) {
      out.emit({ type: 'final', status: 'DELETE_COMPLETE', ok: true }, `There is no stack named ${opts.stack} in ${opts.region}: nothing to delete.`);
      return EXIT.ok;
    }
    const deleteData = Boolean(opts.extra['delete-data']);
    const confirmed = opts.yes || (await confirmByTyping(`Delete ${opts.stack}${deleteData ? ' AND ITS DATA' : ' (data is kept)'}? Type the stack name: `, opts.stack));
    if (!confirmed) {
      out.error(`${opts.stack} was not deleted.`, 'Run again with --yes to confirm.');
      return EXIT.needsConfirmation;
    }
    const suggested = health.actions.find((a) => a.kind === 'delete-retaining');
    const retain =
      typeof opts.extra.retain === 'string'
        ? opts.extra.retain.split(',').map((s) => s.trim()).filter(Boolean)
        : suggested?.kind === 'delete-retaining'
          ? suggested.retain
          : [];
    const result = await deleteStack(c, opts.stack, { confirm: opts.stack, deleteData, retain, ...(deleteData ? { cleanup: createDataCleanupClients(target) } : {}), onMessage: out.watch.bind(out) }, cliTiming());
    for (const r of result.deleted) out.emit({ type: 'deleted', ...r }, `  deleted ${r.resourceType} ${r.physicalId} (${r.logicalId})${r.detail ? `, ${r.detail}` : ''}`);
    for (const r of result.kept) out.emit({ type: 'kept', ...r }, `  kept ${r.resourceType} ${r.physicalId} (${r.logicalId}): ${r.why}`);
    if (!result.ok) out.error(`${opts.stack} ended in ${result.status}${result.reason ? `: ${result.reason}` : ''}.`, `Run benchtop delete --stack ${opts.stack} --region ${opts.region} again to retain what could not be deleted.`);
    return result.ok ? EXIT.ok : EXIT.failed;
  });
}
