/** What the pacer writes into: xterm's `write` with the callback it calls once the data is parsed. */
export interface PacedTerminal {
  write(data: Uint8Array, parsed?: () => void): void;
}

export interface PacerOptions {
  /** Runs `step` at the next frame; the default falls back to a timer where frames stop (a hidden tab). */
  nextFrame?: (step: () => void) => void;
  now?: () => number;
  /** Runs `mark` as the next task; xterm parses in the task after (WriteBuffer schedules it so). */
  nextTask?: (mark: () => void) => void;
}

/** Parse time to aim for per piece: a 60 Hz frame's worth, less the page's own work. */
export const TARGET_PARSE_MS = 10;
/**
 * Pieces stay above this however slow the last parse looked: on a loaded machine a parse's wall
 * time includes waiting for a core, and smaller pieces would only mean more redraws per byte.
 */
export const MIN_PIECE_BYTES = 32 * 1024;
export const MAX_PIECE_BYTES = 256 * 1024;
const FIRST_PIECE_BYTES = 64 * 1024;
/** Output this small into an idle terminal (an echo, a prompt) is written at once. */
export const PROMPT_BYTES = 4 * 1024;
const HIDDEN_FRAME_MS = 250;

function animationFrame(step: () => void): void {
  let ran = false;
  const once = (): void => {
    if (ran) return;
    ran = true;
    step();
  };
  requestAnimationFrame(once);
  setTimeout(once, HIDDEN_FRAME_MS);
}

/**
 * Flow control in front of xterm (its "Flow control" guide: write callbacks decide when more is
 * given). Output waits here and goes to the terminal one piece at a time, the next only after
 * xterm has parsed the last one, so xterm's own buffer never holds more than a piece. Parsing and
 * drawing take turns: a piece is written at a frame, parsed before the next, drawn at that next
 * one, and the following piece waits for the frame after — no frame has to hold both a parse and
 * a redraw of the screen (xterm's DOM renderer rebuilds every row when output scrolls). The piece
 * follows how fast xterm parsed the last one, aiming at TARGET_PARSE_MS. Each pushed chunk's
 * `written` runs once all of it is parsed — what the stream client acknowledges, so main pauses
 * the source while this queue is long.
 */
export class OutputPacer {
  #queue: { bytes: Uint8Array; written: () => void }[] = [];
  #queued = 0;
  #writing = false;
  #scheduled = false;
  #stopped = false;
  #piece = FIRST_PIECE_BYTES;
  readonly #nextFrame: (step: () => void) => void;
  readonly #now: () => number;
  readonly #nextTask: (mark: () => void) => void;

  constructor(
    private readonly terminal: PacedTerminal,
    options: PacerOptions = {},
  ) {
    this.#nextFrame = options.nextFrame ?? animationFrame;
    this.#now = options.now ?? (() => performance.now());
    this.#nextTask = options.nextTask ?? ((mark) => setTimeout(mark, 0));
  }

  push(bytes: Uint8Array, written: () => void): void {
    if (this.#stopped) return;
    const idle = !this.#writing && !this.#scheduled && this.#queue.length === 0;
    this.#queue.push({ bytes, written });
    this.#queued += bytes.length;
    // An echo or a prompt into an idle terminal goes in at once: waiting for a frame is latency.
    if (idle && bytes.length <= PROMPT_BYTES) this.#writeOne();
    else this.#schedule(1);
  }

  /** Bytes received and not yet given to the terminal. */
  get queued(): number {
    return this.#queued;
  }

  /** The size of the next piece, in bytes. */
  get piece(): number {
    return this.#piece;
  }

  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#queued = 0;
  }

  /** Writes the next piece `frames` frames from now. */
  #schedule(frames: number): void {
    if (this.#writing || this.#scheduled || this.#queue.length === 0 || this.#stopped) return;
    this.#scheduled = true;
    const wait = (left: number): void =>
      this.#nextFrame(() => {
        if (left > 1) return wait(left - 1);
        this.#scheduled = false;
        this.#writeOne();
      });
    wait(frames);
  }

  #writeOne(): void {
    if (this.#writing || this.#stopped || this.#queue.length === 0) return;
    const parts: Uint8Array[] = [];
    const done: (() => void)[] = [];
    let room = this.#piece;
    while (room > 0 && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.bytes.length <= room) {
        parts.push(head.bytes);
        done.push(head.written);
        room -= head.bytes.length;
        this.#queue.shift();
      } else {
        parts.push(head.bytes.subarray(0, room));
        head.bytes = head.bytes.subarray(room);
        room = 0;
      }
    }
    const size = this.#piece - room;
    this.#queued -= size;
    this.#writing = true;
    // Time the parse, not the wait for xterm's task: a task queued before the write runs just
    // before xterm parses (unless xterm parses at once, after a keystroke).
    let started = this.#now();
    let parsing = false;
    this.#nextTask(() => {
      if (parsing) started = this.#now();
    });
    parsing = true;
    const parsed = (): void => {
      parsing = false;
      this.#writing = false;
      if (this.#stopped) return;
      this.#adapt(size, this.#now() - started);
      for (const written of done) written();
      // This frame draws what was just parsed; the next piece goes at the frame after.
      this.#schedule(2);
    };
    parts.forEach((part, i) => this.terminal.write(part, i === parts.length - 1 ? parsed : undefined));
  }

  /** The next piece: what xterm would parse in TARGET_PARSE_MS at the rate it just showed, smoothed. */
  #adapt(size: number, tookMs: number): void {
    // A piece smaller than the budget says nothing about the rate: only grow from full pieces.
    if (size < this.#piece && tookMs <= TARGET_PARSE_MS) return;
    const fits = (size / Math.max(tookMs, 0.5)) * TARGET_PARSE_MS;
    this.#piece = Math.round(Math.min(MAX_PIECE_BYTES, Math.max(MIN_PIECE_BYTES, (this.#piece + fits) / 2)));
  }
}
