/** What a terminal's source (a pty, an SSM session) tells the session that owns it. */
export interface BackendSink {
  data(bytes: Uint8Array): void;
  status(state: 'connected' | 'reconnecting', message: string): void;
  /** Final: the shell exited, the agent closed the session, or it failed (`fix` says what to do). */
  exit(exitCode: number | null, reason: string, fix?: string): void;
}

/** A terminal's source: where keystrokes go and output comes from. */
export interface TerminalBackend {
  write(bytes: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Back-pressure: stop reading output until resume(). */
  pause(): void;
  resume(): void;
  /** Ends the session at its source (kills the pty, terminates the SSM session). */
  close(): void;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

export type BackendFactory = (sink: BackendSink, size: TerminalSize) => Promise<TerminalBackend>;
