import { ResumeSessionCommand, type SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { ApiError } from '../../../common/api/errors.js';
import { errorName } from '../../../lib/aws/error-meaning.js';
import { type BackoffPolicy, retry } from '../../../lib/retry.js';
import type { BackendFactory, TerminalBackend } from '../terminal-backend.js';
import { type DataChannelOptions, SsmDataChannel } from './data-channel.js';

/** The document and parameters of a session; none: the default shell (SSM-SessionManagerRunShell). */
export interface SessionDocument {
  name: string;
  parameters: Record<string, string[]>;
}

/** A session that runs `command` with a terminal (AWS-StartInteractiveCommand). */
export function interactiveCommand(command: string): SessionDocument {
  return { name: 'AWS-StartInteractiveCommand', parameters: { command: [command] } };
}

export interface SsmTerminalOptions {
  ssm: SSMClient;
  instanceId: string;
  document?: SessionDocument;
  /** Resuming after a drop: the plugin's policy, 5 attempts from ~100 ms up to 5 s. */
  resume?: BackoffPolicy & { maxAttempts: number };
  channel?: Pick<DataChannelOptions, 'resendCheckMs' | 'maxResendAttempts'>;
}

const DEFAULT_RESUME = { baseMs: 200, maxMs: 5000, maxAttempts: 5 };

async function startSession(options: SsmTerminalOptions) {
  try {
    const out = await options.ssm.send(
      new StartSessionCommand({
        Target: options.instanceId,
        ...(options.document ? { DocumentName: options.document.name, Parameters: options.document.parameters } : {}),
        Reason: 'Benchtop terminal',
      }),
    );
    if (!out.SessionId || !out.StreamUrl || !out.TokenValue) throw new ApiError('unavailable', 'SSM started a session without a stream URL or token.');
    return { sessionId: out.SessionId, streamUrl: out.StreamUrl, token: out.TokenValue };
  } catch (error) {
    if (errorName(error) === 'TargetNotConnected') {
      throw new ApiError('unavailable', `SSM cannot reach ${options.instanceId}: its SSM agent is not connected.`, 'Wait until the instance shows "online" in the picker; an instance without a route to SSM (no NAT, no VPC endpoint) or whose role lacks the Session Manager permissions never will.');
    }
    throw error;
  }
}

/**
 * A terminal on an instance through Session Manager: StartSession, then the data channel; a
 * dropped socket is resumed (ResumeSession gives a new token for the same session), and closing
 * the terminal terminates the session so it does not linger until the idle timeout.
 */
export function ssmBackend(options: SsmTerminalOptions): BackendFactory {
  return async (sink, size) => {
    const started = await startSession(options);
    const channel = new SsmDataChannel({ streamUrl: started.streamUrl, token: started.token, ...options.channel });
    let exitCode: number | null = null;
    let ended = false;
    let resuming = false;
    const terminate = (): void => {
      void options.ssm.send(new TerminateSessionCommand({ SessionId: started.sessionId })).catch(() => undefined);
    };
    const end = (code: number | null, reason: string, fix?: string): void => {
      if (ended) return;
      ended = true;
      sink.exit(code, reason, fix);
    };
    channel
      .on('output', (bytes) => sink.data(bytes))
      .on('ready', ({ customerMessage }) => {
        if (customerMessage) sink.data(Buffer.from(`${customerMessage}\r\n`));
        channel.resize(size.cols, size.rows);
      })
      .on('exitCode', (code) => (exitCode = code))
      .on('closed', ({ output }) => end(exitCode, output || `The session ${started.sessionId} ended.`))
      .on('failed', ({ message, fix }) => {
        terminate();
        end(null, message, fix);
      })
      .on('disconnected', (reason) => {
        // A reconnect attempt that fails closes its socket too: the resume under way retries it.
        if (ended || resuming) return;
        resuming = true;
        sink.status('reconnecting', `Connection to ${options.instanceId} lost (${reason}); resuming the session…`);
        const policy = options.resume ?? DEFAULT_RESUME;
        retry(
          async () => {
            if (ended) return true;
            const out = await options.ssm.send(new ResumeSessionCommand({ SessionId: started.sessionId }));
            if (!out.TokenValue) return false;
            // Closed while ResumeSession was asked: opening a socket now would outlive the terminal.
            if (ended) return true;
            await channel.reconnect(out.TokenValue);
            return true;
          },
          { ...policy, retryable: (error) => errorName(error) !== 'DoesNotExistException' },
        ).then(
          (resumed) => {
            resuming = false;
            if (ended) return;
            if (resumed) sink.status('connected', 'Reconnected.');
            else end(exitCode, `The session ${started.sessionId} timed out while disconnected.`, 'Open a new terminal.');
          },
          (error: unknown) => {
            resuming = false;
            end(exitCode, `The session could not be resumed: ${error instanceof Error ? error.message : String(error)}`, 'Open a new terminal.');
          },
        );
      });
    try {
      await channel.open();
    } catch (error) {
      // The session exists on AWS already: end it rather than leave it (and a resume) behind.
      ended = true;
      channel.close();
      terminate();
      throw new ApiError('unavailable', `The data channel of session ${started.sessionId} could not be opened: ${error instanceof Error ? error.message : String(error)}`, 'Check that this machine can reach ssmmessages in the region (proxy, firewall), then open the terminal again.');
    }
    const backend: TerminalBackend = {
      write: (bytes) => channel.sendInput(bytes),
      resize: (cols, rows) => channel.resize(cols, rows),
      pause: () => channel.pauseOutput(true),
      resume: () => channel.pauseOutput(false),
      close: () => {
        ended = true;
        channel.terminate();
        terminate();
        setTimeout(() => channel.close(), 200).unref();
      },
    };
    return backend;
  };
}
