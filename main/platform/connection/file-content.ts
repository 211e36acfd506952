import type { FileContent } from '../../../common/api/capsules.contract.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text when the bytes are valid UTF-8 without NUL (what a viewer can show as code), base64
 * otherwise. A cut may split a multi-byte character; the tail is trimmed back to a boundary.
 */
export function toFileContent(path: string, bytes: Uint8Array, size: number, truncated: boolean): FileContent {
  let text: string | undefined;
  if (!bytes.includes(0)) {
    for (let trim = 0; trim <= (truncated ? 3 : 0) && text === undefined; trim += 1) {
      try {
        text = utf8.decode(bytes.subarray(0, bytes.length - trim));
      } catch {
        text = undefined;
      }
    }
  }
  if (text !== undefined) return { path, size, encoding: 'utf8', content: text, truncated };
  return { path, size, encoding: 'base64', content: Buffer.from(bytes).toString('base64'), truncated };
}

/** Reads a response body up to `limit` bytes, then stops the download. */
export async function readUpTo(response: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean; size: number }> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const room = limit - total;
        if (value.length > room) {
          chunks.push(value.subarray(0, room));
          total += room;
          truncated = true;
          break;
        }
        chunks.push(value);
        total += value.length;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, truncated, size: Number.isFinite(declared) ? declared : total };
}
