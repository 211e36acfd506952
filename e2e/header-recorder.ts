import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface HeaderRecorder {
  /** http://127.0.0.1:PORT/ — another server on the same loopback address as the app, another port. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

// Three ways a page makes the browser attach what it holds for a site: the navigation, a
// subresource, and a script's fetch that asks for credentials.
const PAGE = `<!doctype html><title>Some other local server</title>
<img src="/pixel.gif" alt="">
<script>fetch('/probe', { credentials: 'include' }).then(() => { document.title = 'probed'; });</script>`;

/** A loopback server that answers anything and writes down every request's headers, as a capsule's dashboard or a dev server could. */
export async function startHeaderRecorder(): Promise<HeaderRecorder> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    const isPage = request.url === '/';
    response.writeHead(isPage ? 200 : 204, isPage ? { 'content-type': 'text/html; charset=utf-8' } : {});
    response.end(isPage ? PAGE : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
