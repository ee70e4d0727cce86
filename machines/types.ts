import type { InvVector, RejectMessage, VersionMessage } from '../src/wire/bitcoin/types.js';
import type { Message } from '../src/wire/message.js';

/** Why a peer ended. Every way out of the peer statechart names one. */
export type DisconnectReason =
  | 'dial-failed'
  | 'dial-timeout'
  | 'handshake-timeout'
  | 'self-connection'
  | 'protocol-too-old'
  | 'not-version-message'
  | 'invalid-handshake-message'
  | 'not-verack-message'
  | 'version-vetoed'
  | 'newest-block-failed'
  | 'idle-timeout'
  | 'pong-timeout'
  | 'stall'
  | 'too-many-requests'
  | 'malformed-message'
  | 'duplicate-version'
  | 'duplicate-verack'
  | 'sendaddrv2-after-handshake'
  | 'unknown-command'
  | 'queue-overflow'
  | 'write-timeout'
  | 'write-failed'
  | 'remote-closed'
  | 'transport-error'
  | 'internal-error'
  | 'local-request';

export type SendOutcome = 'sent' | 'failed' | 'dropped';

/**
 * One encoded frame as the buffers that make it up, written in order: usually the whole frame; a
 * relayed block is its 24-byte header and the payload it was received as (never copied).
 */
export type FrameParts = readonly Uint8Array[];

export function frameLength(parts: FrameParts): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}

/** A message waiting in the send queue, with the completion the caller awaits. */
export interface QueueEntry {
  readonly message: Message;
  /** Settles the caller's promise; the runtime makes a second call a no-op. */
  settle(outcome: SendOutcome, error?: Error): void;
  /** Encoded frame, filled in when the entry is accepted. */
  frame?: FrameParts;
  /** Its length in bytes. */
  frameBytes?: number;
}

/** What the remote told us in its version, as the handshake records it. */
export interface RemoteVersion {
  readonly version: VersionMessage;
  readonly negotiatedVersion: number;
  /** Remote clock minus ours, in seconds. */
  readonly timeOffsetSeconds: number;
}

/**
 * The runtime's hooks. Machines stay free of I/O and clocks: everything that touches the world or
 * the application goes through these named functions, provided by `src/peer`.
 */
export interface PeerHost {
  /** Milliseconds; the same clock the actor system's timers use. */
  now(): number;
  randomNonce(): bigint;
  /** Uniform in [0, 1), for timer jitter; Math.random when the runtime does not provide one. */
  random?(): number;
  /** Our version message; throws when the application's NewestBlock callback fails. */
  buildVersion(nonce: bigint, remote: VersionMessage | undefined): VersionMessage;
  /** Process-wide record of nonces we sent, for self-connection detection. */
  rememberNonce(nonce: bigint): void;
  isOwnNonce(nonce: bigint): boolean;
  /** The application's OnVersion veto: a reject to send, or undefined to go on. */
  vetoVersion(version: VersionMessage): RejectMessage | undefined;
  /**
   * Hands a batch of frames to the transport's socket. True when the socket took them without
   * buffering past its limit; false when the transport reports `transport.written` once drained
   * (or `transport.writeFailed`).
   */
  write(frames: FrameParts[]): boolean;
  /** Encodes a frame at the current protocol version; throws WireError when it cannot be encoded. */
  encode(message: Message): FrameParts;
  /** Keeps inventory not yet known to the remote, marking it known (trickle flush). */
  takeUnknownInventory(items: readonly InvVector[]): InvVector[];
  /** When the transport last read a message (or a tolerated malformed one), on `now()`'s clock. */
  lastReadMs(): number;
  /** Hands a received message to the application's listeners (exceptions contained there). */
  dispatch(message: Message, size: number): void;
  /** Handler time (ms) spent in listeners since the last call, for stall compensation. */
  takeHandlerTimeMs(): number;
}

export interface ReceivedMessage {
  message: Message;
  /** Header + payload bytes. */
  size: number;
}

/** Events the transport actor sends to its parent. */
export type TransportEvent =
  | { type: 'transport.connected' }
  | { type: 'transport.message'; message: Message; size: number }
  /** Several messages read from one chunk once the version is negotiated: handled one by one, in order. */
  | { type: 'transport.messages'; messages: ReceivedMessage[] }
  | { type: 'transport.malformed'; error: Error & { code?: string } }
  /** A send queue batch the socket had buffered past its limit has drained. */
  | { type: 'transport.written'; bytes: number }
  | { type: 'transport.writeFailed'; error: Error }
  | { type: 'transport.closed'; error?: Error };

/** Commands the peer sends to its transport actor. */
export type TransportCommand =
  /** A handshake write, outside the send queue (no `transport.written` follows). */
  | { type: 'transport.write'; frames: FrameParts[] }
  | { type: 'transport.setProtocol'; protocolVersion: number }
  /** From now on the messages read from one chunk come as one `transport.messages` event. */
  | { type: 'transport.batch' }
  | { type: 'transport.end' }
  | { type: 'transport.destroy' };
