import type { QueueSummary } from '../../../../common/api/platforms.contract.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function QueueRow({ label, queue }: { label: string; queue: QueueSummary }) {
  const gpus = queue.gpus.map((g) => `${g.count}× ${g.model}`).join(', ');
  return (
    <li className="rs-sandbox-agents__row" aria-label={`${label} workers`}>
      {label}: {plural(queue.workersOnline, 'worker')} online{gpus ? ` · ${gpus}` : ''}{' '}
      <span className="rs-muted">
        ({queue.queued} queued, {queue.running} running)
      </span>
    </li>
  );
}

/** The platform's workers per queue, with the GPU models and counts the GPU workers reported. */
export function WorkerQueues({ queues }: { queues: { cpu: QueueSummary; gpu: QueueSummary } }) {
  return (
    <section aria-label="Workers">
      <h3 className="rs-sandbox-agents__title">Workers</h3>
      <ul className="rs-sandbox-agents">
        <QueueRow label="CPU" queue={queues.cpu} />
        <QueueRow label="GPU" queue={queues.gpu} />
      </ul>
    </section>
  );
}
