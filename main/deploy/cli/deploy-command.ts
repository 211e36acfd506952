import { applyPlatformPlan } from '../deploy-flow.js';
import { createDeployClients } from '../deploy-clients.js';
import { dataLossBlocked } from '../apply.js';
import { continueRollback, inspectStack } from '../recovery.js';
import { statusKind } from '../../../common/deploy/stack-status.js';
import { watchStack } from '../watch-stack.js';
import { cliTiming, commonUsage, EXIT, parseCommon, PLAN_OPTIONS, planOptions } from './cli-options.js';
import { confirmByTyping } from './cli-output.js';
import { planStep } from './plan-step.js';
import { preflightStep } from './preflight-command.js';
import { runCli } from './run-cli.js';

const USAGE = commonUsage(
  'deploy',
  '[--update-images] [--diff] [--confirm-data-loss NAME] [--continue-rollback [--skip ID,ID]]',
) + [
  '  Runs preflight, bootstrap, plan and apply; exits 0 only when the stack ends in a *_COMPLETE',
  '  status that is not a rollback (or there was nothing to change).',
  '  --yes                      apply without asking',
  '  --confirm-data-loss NAME   allow a plan that removes or replaces data (type the stack name)',
  '  --continue-rollback        recover a stack in UPDATE_ROLLBACK_FAILED; --skip lists resources to skip',
  '',
].join('\n');

export async function run(argv: string[]): Promise<number> {
  return runCli(argv, USAGE, async (out) => {
    const opts = parseCommon(argv, { ...PLAN_OPTIONS, 'confirm-data-loss': { type: 'string' }, 'continue-rollback': { type: 'boolean', default: false }, skip: { type: 'string' } });
    const c = createDeployClients({ region: opts.region, ...(opts.profile ? { profile: opts.profile } : {}) });
    const timing = cliTiming();
    const onMessage = out.watch.bind(out);
    const health = await inspectStack(c, opts.stack);

    if (opts.extra['continue-rollback']) {
      const action = health.actions.find((a) => a.kind === 'continue-rollback');
      if (!action || action.kind !== 'continue-rollback') {
        out.error(`${opts.stack} is ${health.status}: there is no failed rollback to continue.`);
        return EXIT.failed;
      }
      const skip = typeof opts.extra.skip === 'string' ? opts.extra.skip.split(',').map((s) => s.trim()).filter(Boolean) : action.resourcesToSkip;
      out.text(`Continuing the rollback of ${opts.stack}${skip.length ? `, skipping ${skip.join(', ')}` : ''}…`);
      const result = await continueRollback(c, opts.stack, skip, timing, onMessage);
      return result.status === 'UPDATE_ROLLBACK_COMPLETE' ? EXIT.ok : EXIT.failed;
    }
    if (statusKind(health.status) === 'in-progress') {
      out.text(`${opts.stack} is ${health.status}; following it to the end first…`);
      const result = await watchStack(c, { stackName: opts.stack, onMessage }, timing);
      if (!result.ok) return EXIT.failed;
    } else if (health.actions.length && health.status !== 'REVIEW_IN_PROGRESS') {
      // REVIEW_IN_PROGRESS is a plan never applied (benchtop plan, then deploy): planning again is the way on.
      out.error(health.message, health.status === 'UPDATE_ROLLBACK_FAILED' ? `Run: benchtop deploy --stack ${opts.stack} --region ${opts.region} --continue-rollback` : `Run: benchtop delete --stack ${opts.stack} --region ${opts.region}, then deploy again.`);
      return EXIT.failed;
    }

    if (!(await preflightStep(out, opts))) return EXIT.failed;
    const plan = await planStep(out, c, opts.stack, opts.params, timing, planOptions(opts.extra));
    if (plan.noChanges) return EXIT.ok;

    if (!opts.yes && !(await confirmByTyping(`Type the stack name (${opts.stack}) to apply this plan: `, opts.stack))) {
      out.error('The plan was not applied.', 'Run again with --yes to apply without asking.');
      return EXIT.needsConfirmation;
    }
    let confirm = opts.extra['confirm-data-loss'] as string | undefined;
    if (dataLossBlocked(plan, confirm) && (await confirmByTyping(`This plan destroys data. Type ${opts.stack} again to accept: `, opts.stack))) confirm = opts.stack;
    if (dataLossBlocked(plan, confirm)) {
      out.error(`The plan removes or replaces data resources (${plan.dataRisks.map((r) => r.logicalId).join(', ')}) and was not applied.`, `Pass --confirm-data-loss ${opts.stack} if that is what you want.`);
      return EXIT.needsConfirmation;
    }
    const result = await applyPlatformPlan(c, plan, confirm, timing, onMessage, (w) => out.emit({ type: 'warning', message: w }, `! ${w}`));
    if (!result.ok) {
      const after = await inspectStack(c, opts.stack);
      out.error(`${opts.stack} ended in ${result.status}${result.reason ? `: ${result.reason}` : ''}.`, after.message);
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  });
}
