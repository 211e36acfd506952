import { z } from 'zod';

// The byte stream of one terminal between the page and main, the same over both transports (a
// WebSocket in browser mode, IPC in the desktop): each frame is one tag byte, then bytes.
// Terminal data is raw bytes both ways, never text, so nothing is re-encoded on the way.
// Flow control: the page acknowledges how many output bytes it has written into the terminal,
// and main stops reading its source while too many are unacknowledged.

export const FRAME = { data: 0, resize: 1, ack: 2, control: 3, attach: 4 } as const;

/** Main stops reading the terminal's source above this many unacknowledged bytes … */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** … and reads again once the page is back under this. */
export const LOW_WATER_BYTES = 256 * 1024;
/** The page acknowledges at least this often (in bytes written to the terminal). */
export const ACK_EVERY_BYTES = 64 * 1024;

export const terminalSize = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) }).strict();

/** The page's first frame: which session, and how many of its output bytes it already has (to resume). */
export const attachRequest = z.object({ sessionId: z.string().min(1).max(100), from: z.number().int().min(0).default(0) }).strict();

export const ackFrame = z.object({ bytes: z.number().int().min(0) }).strict();

export const terminalControl = z.discriminatedUnion('type', [
  /** Attached; output follows from byte `offset` (more than `from` when older output was dropped). */
  z.object({ type: z.literal('attached'), offset: z.number().int().min(0), lost: z.boolean() }),
  /** The session's connection to its target: `reconnecting` shows the banner, `connected` clears it. */
  z.object({ type: z.literal('status'), state: z.enum(['connected', 'reconnecting']), message: z.string().max(500) }),
  /** The session ended (the shell exited, the agent closed it, or it failed). */
  z.object({ type: z.literal('exit'), exitCode: z.number().int().nullable(), reason: z.string().max(1000), fix: z.string().max(1000).optional() }),
  /** The attach was refused (no such session, or a bad frame). */
  z.object({ type: z.literal('error'), message: z.string().max(1000), fix: z.string().max(1000).optional() }),
]);
export type TerminalControl = z.infer<typeof terminalControl>;

export type ClientFrame =
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'resize'; size: z.infer<typeof terminalSize> }
  | { kind: 'ack'; bytes: number }
  | { kind: 'attach'; request: z.infer<typeof attachRequest> };

export type ServerFrame = { kind: 'data'; bytes: Uint8Array } | { kind: 'control'; control: TerminalControl };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = tag;
  out.set(body, 1);
  return out;
}

function json(tag: number, value: unknown): Uint8Array {
  return frame(tag, encoder.encode(JSON.stringify(value)));
}

export function encodeClientFrame(f: ClientFrame): Uint8Array {
  switch (f.kind) {
    case 'data':
      return frame(FRAME.data, f.bytes);
    case 'resize':
      return json(FRAME.resize, f.size);
    case 'ack':
      return json(FRAME.ack, { bytes: f.bytes });
    case 'attach':
      return json(FRAME.attach, f.request);
  }
}

export function encodeServerFrame(f: ServerFrame): Uint8Array {
  return f.kind === 'data' ? frame(FRAME.data, f.bytes) : json(FRAME.control, f.control);
}

function parseJson<T>(schema: z.ZodType<T>, body: Uint8Array): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(decoder.decode(body)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** undefined for a frame that is not one of ours (the receiver says so and closes). */
export function decodeClientFrame(raw: Uint8Array): ClientFrame | undefined {
  const body = raw.subarray(1);
  switch (raw[0]) {
    case FRAME.data:
      return { kind: 'data', bytes: body };
    case FRAME.resize: {
      const size = parseJson(terminalSize, body);
      return size && { kind: 'resize', size };
    }
    case FRAME.ack: {
      const ack = parseJson(ackFrame, body);
      return ack && { kind: 'ack', bytes: ack.bytes };
    }
    case FRAME.attach: {
      const request = parseJson(attachRequest, body);
      return request && { kind: 'attach', request };
    }
    default:
      return undefined;
  }
}

export function decodeServerFrame(raw: Uint8Array): ServerFrame | undefined {
  const body = raw.subarray(1);
  if (raw[0] === FRAME.data) return { kind: 'data', bytes: body };
  if (raw[0] === FRAME.control) {
    const control = parseJson(terminalControl, body);
    return control && { kind: 'control', control };
  }
  return undefined;
}

/** The WebSocket path of browser mode; the page secret rides as a subprotocol (a browser cannot set headers there). */
export const TERMINAL_SOCKET_PATH = '/api/terminal';
export const TERMINAL_SUBPROTOCOL = 'benchtop-terminal';
export const SECRET_SUBPROTOCOL_PREFIX = 'bearer.';
