// The few web-platform globals the pure layer may use: they exist, with the same meaning, in every
// runtime common/ runs in (browsers, Electron's renderer, Node >= 20). Declared here by hand, as
// narrowly as we use them, instead of giving common/ the whole DOM or Node library.

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

declare var AbortController: {
  prototype: AbortController;
  new (): AbortController;
};

// UTF-8 both ways, for the JSON parts of binary frames (common/api/terminal-stream.ts).
interface TextEncoder {
  encode(input?: string): Uint8Array;
}

declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

interface TextDecoder {
  decode(input?: Uint8Array): string;
}

declare var TextDecoder: {
  prototype: TextDecoder;
  new (): TextDecoder;
};
