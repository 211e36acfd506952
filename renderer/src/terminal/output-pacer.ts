/** What the pacer writes into: xterm's `write` with the callback it calls once the data is parsed. */
export interface PacedTerminal {
  write(data: Uint8Array, parsed?: () => void): void;
}

/** Whether the page is hidden, and a way to hear when that changes (the default: `document`). */
export interface PageVisibility {
  hidden(): boolean;
  /** Calls `changed` at each change; answers a function that stops it. */
  watch(changed: () => void): () => void;
}

export interface PacerOptions {
  /** Runs `step` at the next frame; the default falls back to a timer should frames stop while the page is shown. */
  nextFrame?: (step: () => void) => void;
  now?: () => number;
  /** Runs `mark` as the next task; xterm parses in the task after (WriteBuffer schedules it so). */
  nextTask?: (mark: () => void) => void;
  visibility?: PageVisibility;
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
/**
 * A hidden page's piece, written as one chunk at once after the last was parsed. Nothing is drawn
 * there and frames do not come; xterm parses in timers, which Chrome runs once a second in a
 * hidden tab, and in a timer parses chunks until 12 ms have passed: one large chunk per wake-up
 * drains a megabyte a second where frame-sized pieces drained tens of kilobytes. Flow control
 * keeps the queue near HIGH_WATER_BYTES, so this takes all of it.
 */
export const HIDDEN_PIECE_BYTES = 1024 * 1024;
const STALLED_FRAME_MS = 250;

function animationFrame(step: () => void): void {
  let ran = false;
  const once = (): void => {
    if (ran) return;
    ran = true;
    step();
  };
  requestAnimationFrame(once);
  setTimeout(once, STALLED_FRAME_MS);
}

const documentVisibility: PageVisibility = {
  hidden: () => document.visibilityState === 'hidden',
  watch: (changed) => {
    document.addEventListener('visibilitychange', changed);
    return () => document.removeEventListener('visibilitychange', changed);
  },
};

/**
 * Flow control in front of xterm (its "Flow control" guide: write callbacks decide when more is
 * given). Output waits here and goes to the terminal one piece at a time, the next only after
 * xterm has parsed the last one, so xterm's own buffer never holds more than a piece. Parsing and
 * drawing take turns: a piece is written at a frame, parsed before the next, drawn at that next
 * one, and the following piece waits for the frame after — no frame has to hold both a parse and
 * a redraw of the screen (xterm's DOM renderer rebuilds every row when output scrolls). The piece
 * follows how fast xterm parsed the last one, aiming at TARGET_PARSE_MS. Each pushed chunk's
 * `written` runs once all of it is parsed — what the stream client acknowledges, so main pauses
 * the source while this queue is long. A hidden page (no frames, timers once a second) takes the
 * queue in HIDDEN_PIECE_BYTES chunks, each as soon as the last is parsed.
 */
export class OutputPacer {
  #queue: { bytes: Uint8Array; written: () => void }[] = [];
  #queued = 0;
  #writing = false;
  #scheduled = false;
  /** Bumped to forget a frame wait (the page was hidden while it waited). */
  #wait = 0;
  #stopped = false;
  #piece = FIRST_PIECE_BYTES;
  readonly #nextFrame: (step: () => void) => void;
  readonly #now: () => number;
  readonly #nextTask: (mark: () => void) => void;
  readonly #visibility: PageVisibility;
  readonly #unwatch: () => void;

  constructor(
    private readonly terminal: PacedTerminal,
    options: PacerOptions = {},
  ) {
    this.#nextFrame = options.nextFrame ?? animationFrame;
    this.#now = options.now ?? (() => performance.now());
    this.#nextTask = options.nextTask ?? ((mark) => setTimeout(mark, 0));
    this.#visibility = options.visibility ?? documentVisibility;
    this.#unwatch = this.#visibility.watch(() => this.#visibilityChanged());
  }

  push(bytes: Uint8Array, written: () => void): void {
    if (this.#stopped) return;
    const idle = !this.#writing && !this.#scheduled && this.#queue.length === 0;
    this.#queue.push({ bytes, written });
    this.#queued += bytes.length;
    // An echo or a prompt into an idle terminal goes in at once: waiting for a frame is latency.
    // A hidden page has no frames to wait for.
    if (idle && (bytes.length <= PROMPT_BYTES || this.#visibility.hidden())) this.#writeOne();
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
    this.#unwatch();
    this.#queue = [];
    this.#queued = 0;
  }

  /** Writes the next piece `frames` frames from now, or at once in a hidden page. */
  #schedule(frames: number): void {
    if (this.#writing || this.#scheduled || this.#queue.length === 0 || this.#stopped) return;
    if (this.#visibility.hidden()) return this.#writeOne();
    this.#scheduled = true;
    const token = this.#wait;
    const wait = (left: number): void =>
      this.#nextFrame(() => {
        if (token !== this.#wait) return;
        if (left > 1) return wait(left - 1);
        this.#scheduled = false;
        this.#writeOne();
      });
    wait(frames);
  }

  /** A page hidden while a piece waits for a frame that will not come writes it now. */
  #visibilityChanged(): void {
    if (!this.#scheduled || !this.#visibility.hidden()) return;
    this.#wait += 1;
    this.#scheduled = false;
    this.#writeOne();
  }

  #writeOne(): void {
    if (this.#writing || this.#stopped || this.#queue.length === 0) return;
    this.#writing = true;
    if (this.#visibility.hidden()) {
      const { parts, done, size } = this.#take(HIDDEN_PIECE_BYTES);
      // A hidden piece is sized to drain, not to a frame: its parse says nothing about frames.
      this.terminal.write(parts.length === 1 ? parts[0]! : concat(parts, size), () => this.#parsed(done));
      return;
    }
    const { parts, done, size } = this.#take(this.#piece);
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
      if (!this.#stopped) this.#adapt(size, this.#now() - started);
      this.#parsed(done);
    };
    parts.forEach((part, i) => this.terminal.write(part, i === parts.length - 1 ? parsed : undefined));
  }

  /** Up to `budget` bytes off the queue, with the `written` of each chunk taken whole. */
  #take(budget: number): { parts: Uint8Array[]; done: (() => void)[]; size: number } {
    const parts: Uint8Array[] = [];
    const done: (() => void)[] = [];
    let room = budget;
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
    const size = budget - room;
    this.#queued -= size;
    return { parts, done, size };
  }

  #parsed(done: readonly (() => void)[]): void {
    this.#writing = false;
    if (this.#stopped) return;
    for (const written of done) written();
    // This frame draws what was just parsed; the next piece goes at the frame after.
    this.#schedule(2);
  }

  /** The next piece: what xterm would parse in TARGET_PARSE_MS at the rate it just showed, smoothed. */
  #adapt(size: number, tookMs: number): void {
    // A piece smaller than the budget says nothing about the rate: only grow from full pieces.
    if (size < this.#piece && tookMs <= TARGET_PARSE_MS) return;
    const fits = (size / Math.max(tookMs, 0.5)) * TARGET_PARSE_MS;
    this.#piece = Math.round(Math.min(MAX_PIECE_BYTES, Math.max(MIN_PIECE_BYTES, (this.#piece + fits) / 2)));
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
