import { z } from 'zod';

// The handshake the agent starts once the data channel is open (handshakemessage.go in
// aws/session-manager-plugin): it asks the client for actions (the session type; KMS encryption
// when the Session Manager preferences name a key), the client answers what it did with each.

const requestedAction = z.object({ ActionType: z.string(), ActionParameters: z.unknown().optional() });

export const handshakeRequest = z.object({
  AgentVersion: z.string().default(''),
  RequestedClientActions: z.array(requestedAction).nullable().default([]),
});
export type HandshakeRequest = z.infer<typeof handshakeRequest>;

export const handshakeComplete = z.object({
  HandshakeTimeToComplete: z.number().optional(),
  CustomerMessage: z.string().optional(),
});

const ACTION_SUCCESS = 1;
const ACTION_FAILED = 2;
const ACTION_UNSUPPORTED = 3;

/** Session types a terminal can speak: the shell ones (interactive commands are a shell too). */
const SHELL_TYPES = new Set(['Standard_Stream', 'InteractiveCommands', 'NonInteractiveCommands']);

export const KMS_REFUSAL =
  'This session asks for KMS encryption of its data channel (Session Manager preferences: "Enable KMS encryption" / kmsKeyId), which Benchtop does not implement.';
export const KMS_FIX =
  'Turn KMS encryption off in Session Manager preferences (Systems Manager > Session Manager > Preferences, or the SSM-SessionManagerRunShell document), or open this session with the AWS CLI and the session-manager-plugin.';

export interface HandshakeOutcome {
  response: {
    ClientVersion: string;
    ProcessedClientActions: { ActionType: string; ActionStatus: number; ActionResult: unknown; Error: string }[];
    Errors: string[];
  };
  sessionType: string | undefined;
  /** Set when the client cannot go on with this session (and should say why). */
  refusal: { message: string; fix: string } | undefined;
}

export function answerHandshake(request: HandshakeRequest, clientVersion: string): HandshakeOutcome {
  const processed: HandshakeOutcome['response']['ProcessedClientActions'] = [];
  const errors: string[] = [];
  let sessionType: string | undefined;
  let refusal: HandshakeOutcome['refusal'];
  for (const action of request.RequestedClientActions ?? []) {
    if (action.ActionType === 'SessionType') {
      const parsed = z.object({ SessionType: z.string() }).safeParse(action.ActionParameters);
      const type = parsed.success ? parsed.data.SessionType : '';
      if (SHELL_TYPES.has(type)) {
        sessionType = type;
        processed.push({ ActionType: 'SessionType', ActionStatus: ACTION_SUCCESS, ActionResult: null, Error: '' });
      } else {
        const error = `Unsupported session type "${type}": a terminal speaks only shell sessions.`;
        errors.push(error);
        refusal ??= { message: error, fix: 'Open the session with a shell document (the default, or AWS-StartInteractiveCommand).' };
        processed.push({ ActionType: 'SessionType', ActionStatus: ACTION_FAILED, ActionResult: null, Error: error });
      }
    } else if (action.ActionType === 'KMSEncryption') {
      errors.push(KMS_REFUSAL);
      refusal = { message: KMS_REFUSAL, fix: KMS_FIX };
      processed.push({ ActionType: 'KMSEncryption', ActionStatus: ACTION_FAILED, ActionResult: null, Error: KMS_REFUSAL });
    } else {
      const error = `Unsupported action ${action.ActionType}`;
      errors.push(error);
      processed.push({ ActionType: action.ActionType, ActionStatus: ACTION_UNSUPPORTED, ActionResult: null, Error: error });
    }
  }
  return { response: { ClientVersion: clientVersion, ProcessedClientActions: processed, Errors: errors }, sessionType, refusal };
}
