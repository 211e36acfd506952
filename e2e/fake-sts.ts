import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for AWS STS on loopback, reached through AWS_ENDPOINT_URL (the one switch the app has
// for that). It speaks STS's query protocol for GetCallerIdentity only, which is all the shell
// asks, and tells callers apart by the access key in their SigV4 Authorization header.

export interface FakeStsIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface FakeSts {
  url: string;
  close(): Promise<void>;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** Keys not in `identities` get InvalidClientTokenId, as AWS answers revoked keys. */
export async function startFakeSts(identities: Record<string, FakeStsIdentity>): Promise<FakeSts> {
  const server = createServer((request, response) => {
    readBody(request).then((body) => answer(request, body, response, identities), () => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(request: IncomingMessage, body: string, response: ServerResponse, identities: Record<string, FakeStsIdentity>): void {
  const action = new URLSearchParams(body).get('Action');
  const accessKey = /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const identity = identities[accessKey];
  if (action !== 'GetCallerIdentity') {
    return xml(response, 400, error('InvalidAction', `The fake STS only answers GetCallerIdentity, not ${action ?? 'nothing'}.`));
  }
  if (!identity) {
    return xml(response, 403, error('InvalidClientTokenId', 'The security token included in the request is invalid.'));
  }
  xml(
    response,
    200,
    `<GetCallerIdentityResponse xmlns="${XMLNS}"><GetCallerIdentityResult><Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>e2e-ok</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

function error(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>e2e-error</RequestId></ErrorResponse>`;
}

function xml(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
