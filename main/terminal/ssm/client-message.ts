import { createHash, randomUUID } from 'node:crypto';

// The binary frame of the SSM data channel ("ClientMessage" in aws/session-manager-plugin,
// src/message): a fixed 116-byte header, a 4-byte payload length, then the payload. All integers
// are big-endian; the message type is a 32-byte field padded with spaces; the message id is a UUID
// written as its low 8 bytes, then its high 8 bytes.

export const MESSAGE_TYPES = {
  input: 'input_stream_data',
  output: 'output_stream_data',
  ack: 'acknowledge',
  channelClosed: 'channel_closed',
  startPublication: 'start_publication',
  pausePublication: 'pause_publication',
} as const;

export const PAYLOAD_TYPES = {
  output: 1,
  error: 2,
  size: 3,
  parameter: 4,
  handshakeRequest: 5,
  handshakeResponse: 6,
  handshakeComplete: 7,
  encChallengeRequest: 8,
  encChallengeResponse: 9,
  flag: 10,
  stdErr: 11,
  exitCode: 12,
} as const;

/** Values of a `flag` payload (a big-endian uint32). */
export const FLAGS = { disconnectToPort: 1, terminateSession: 2, connectToPortError: 3 } as const;

const TYPE_OFFSET = 4;
const TYPE_LENGTH = 32;
const SCHEMA_OFFSET = 36;
const CREATED_OFFSET = 40;
const SEQUENCE_OFFSET = 48;
const FLAGS_OFFSET = 56;
const ID_OFFSET = 64;
const DIGEST_OFFSET = 80;
const PAYLOAD_TYPE_OFFSET = 112;
export const HEADER_LENGTH = 116;
const PAYLOAD_OFFSET = HEADER_LENGTH + 4;

export interface ClientMessage {
  messageType: string;
  schemaVersion: number;
  /** Milliseconds since the epoch. */
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
  payloadType: number;
  payload: Uint8Array;
}

export class MalformedMessageError extends Error {}

function uuidBytes(id: string): Buffer {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new MalformedMessageError(`"${id}" is not a UUID`);
  return Buffer.from(hex, 'hex');
}

function uuidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeMessage(message: Omit<ClientMessage, 'messageId' | 'createdDate' | 'schemaVersion'> & Partial<ClientMessage>): Buffer {
  const payload = Buffer.from(message.payload);
  const out = Buffer.alloc(PAYLOAD_OFFSET + payload.length);
  out.writeUInt32BE(HEADER_LENGTH, 0);
  if (message.messageType.length > TYPE_LENGTH) throw new MalformedMessageError(`message type "${message.messageType}" is longer than ${TYPE_LENGTH} bytes`);
  out.fill(0x20, TYPE_OFFSET, TYPE_OFFSET + TYPE_LENGTH);
  out.write(message.messageType, TYPE_OFFSET, 'ascii');
  out.writeUInt32BE(message.schemaVersion ?? 1, SCHEMA_OFFSET);
  out.writeBigUInt64BE(BigInt(message.createdDate ?? Date.now()), CREATED_OFFSET);
  out.writeBigInt64BE(BigInt(message.sequenceNumber), SEQUENCE_OFFSET);
  out.writeBigUInt64BE(BigInt(message.flags), FLAGS_OFFSET);
  const id = uuidBytes(message.messageId ?? randomUUID());
  id.copy(out, ID_OFFSET, 8, 16);
  id.copy(out, ID_OFFSET + 8, 0, 8);
  createHash('sha256').update(payload).digest().copy(out, DIGEST_OFFSET);
  out.writeUInt32BE(message.payloadType, PAYLOAD_TYPE_OFFSET);
  out.writeUInt32BE(payload.length, HEADER_LENGTH);
  payload.copy(out, PAYLOAD_OFFSET);
  return out;
}

/** Parses and checks one frame: its lengths, and the payload against its SHA-256 digest. */
export function decodeMessage(raw: Uint8Array): ClientMessage {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length < PAYLOAD_OFFSET) throw new MalformedMessageError(`a frame of ${buf.length} bytes is shorter than the ${PAYLOAD_OFFSET}-byte header`);
  const headerLength = buf.readUInt32BE(0);
  if (headerLength < HEADER_LENGTH || headerLength + 4 > buf.length) throw new MalformedMessageError(`header length ${headerLength} does not fit a ${buf.length}-byte frame`);
  const messageType = buf.subarray(TYPE_OFFSET, TYPE_OFFSET + TYPE_LENGTH).toString('ascii').replace(/\0/g, '').trim();
  if (messageType === '') throw new MalformedMessageError('the frame has no message type');
  const payloadLength = buf.readUInt32BE(headerLength);
  const payload = buf.subarray(headerLength + 4);
  if (payload.length !== payloadLength) throw new MalformedMessageError(`payload length says ${payloadLength} bytes, the frame carries ${payload.length}`);
  const digest = buf.subarray(DIGEST_OFFSET, DIGEST_OFFSET + 32);
  if (payloadLength > 0 && !createHash('sha256').update(payload).digest().equals(digest)) {
    throw new MalformedMessageError('the payload does not match its SHA-256 digest');
  }
  const id = Buffer.concat([buf.subarray(ID_OFFSET + 8, ID_OFFSET + 16), buf.subarray(ID_OFFSET, ID_OFFSET + 8)]);
  return {
    messageType,
    schemaVersion: buf.readUInt32BE(SCHEMA_OFFSET),
    createdDate: Number(buf.readBigUInt64BE(CREATED_OFFSET)),
    sequenceNumber: Number(buf.readBigInt64BE(SEQUENCE_OFFSET)),
    flags: Number(buf.readBigUInt64BE(FLAGS_OFFSET)),
    messageId: uuidString(id),
    payloadType: buf.readUInt32BE(PAYLOAD_TYPE_OFFSET),
    payload: new Uint8Array(payload),
  };
}

export interface AcknowledgeContent {
  AcknowledgedMessageType: string;
  AcknowledgedMessageId: string;
  AcknowledgedMessageSequenceNumber: number;
  IsSequentialMessage: boolean;
}

/** An acknowledgement of `message`; acks carry sequence number 0 and flags 3, as the agent expects. */
export function encodeAck(message: Pick<ClientMessage, 'messageType' | 'messageId' | 'sequenceNumber'>): Buffer {
  const content: AcknowledgeContent = {
    AcknowledgedMessageType: message.messageType,
    AcknowledgedMessageId: message.messageId,
    AcknowledgedMessageSequenceNumber: message.sequenceNumber,
    IsSequentialMessage: true,
  };
  return encodeMessage({ messageType: MESSAGE_TYPES.ack, sequenceNumber: 0, flags: 3, payloadType: 0, payload: Buffer.from(JSON.stringify(content)) });
}
