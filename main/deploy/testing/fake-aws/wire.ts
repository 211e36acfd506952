import type { IncomingMessage, ServerResponse } from 'node:http';

// The bits of AWS's wire protocols the fake needs: query-protocol forms in, XML or JSON out.

export class AwsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** `aws-chunked` bodies (streamed uploads with trailing checksums) back to plain bytes. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let guard = 0; guard < 100_000 && at < body.length; guard++) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The SigV4 scope's service name: which AWS service the SDK meant to call. */
export function serviceOf(request: IncomingMessage): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

export type Form = URLSearchParams;

/** `Name.member.1=a&Name.member.2=b` → ['a', 'b']. */
export function formList(form: Form, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${name}.member.${i}`); i++) out.push(form.get(`${name}.member.${i}`)!);
  return out;
}

/** `Name.member.1.Key=k&Name.member.1.Value=v` → [{ Key: 'k', Value: 'v' }]. */
export function formStructs(form: Form, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 1; ; i++) {
    const prefix = `${name}.member.${i}.`;
    const entry: Record<string, string> = {};
    for (const [k, v] of form) if (k.startsWith(prefix)) entry[k.slice(prefix.length)] = v;
    if (Object.keys(entry).length === 0) return out;
    out.push(entry);
  }
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Elements named after keys; list items as <member> (query) or <item> (EC2). */
export function toXml(value: XmlValue, item: 'member' | 'item'): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<${item}>${toXml(v, item)}</${item}>`).join('');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => (v === undefined ? '' : `<${k}>${toXml(v, item)}</${k}>`)).join('');
  return escape(String(value));
}

export function sendXml(response: ServerResponse, status: number, xml: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fake' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
}

export function queryResponse(response: ServerResponse, action: string, xmlns: string, result: { [key: string]: XmlValue }): void {
  sendXml(response, 200, `<${action}Response xmlns="${xmlns}"><${action}Result>${toXml(result, 'member')}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`);
}

export function queryError(response: ServerResponse, fault: AwsFault): void {
  sendXml(response, fault.status, `<ErrorResponse><Error><Type>Sender</Type><Code>${escape(fault.code)}</Code><Message>${escape(fault.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`);
}

export function ec2Response(response: ServerResponse, action: string, result: { [key: string]: XmlValue }): void {
  sendXml(response, 200, `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${toXml(result, 'item')}</${action}Response>`);
}

export function ec2Error(response: ServerResponse, fault: AwsFault): void {
  sendXml(response, fault.status, `<Response><Errors><Error><Code>${escape(fault.code)}</Code><Message>${escape(fault.message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake' });
  response.end(JSON.stringify(body));
}
