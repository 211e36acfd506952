import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiErrorShape } from '../../common/api/errors.js';
import type { Router, Subscription } from '../../common/api/router.js';

// Proxies and idle-connection reapers drop silent streams; a comment line every 15 s keeps it alive.
const KEEPALIVE_MS = 15_000;

/**
 * One Server-Sent Events stream over one router subscription. Each message is `data: <json>`.
 * A failure is `event: error` + `data: <error json>` and is final: the server ends the stream,
 * and the client must close its EventSource rather than let it reconnect. Returns what ends it.
 */
export function openEventStream(options: {
  router: Router;
  name: string;
  input: unknown;
  response: ServerResponse;
  headers: OutgoingHttpHeaders;
  onEnd: () => void;
}): () => void {
  const { response } = options;
  response.writeHead(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write(': open\n\n');

  let ended = false;
  let subscription: Subscription | undefined;
  const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(keepalive);
    if (subscription?.ok) subscription.unsubscribe();
    response.off('close', end);
    response.end();
    options.onEnd();
  };
  const fail = (error: ApiErrorShape): void => {
    if (ended) return;
    response.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
    end();
  };

  // 'close' on the response: the client went away (or we ended it).
  response.on('close', end);
  subscription = options.router.subscribe(
    options.name,
    options.input,
    (payload) => {
      if (!ended) response.write(`data: ${JSON.stringify(payload)}\n\n`);
    },
    fail,
  );
  if (!subscription.ok) fail(subscription.error);
  else if (ended) subscription.unsubscribe();
  return end;
}
