/**
 * Every failure the codec can report. The codes are stable: callers and tests switch on them.
 * Frame-level codes come from the 24-byte header and the payload envelope; the others from
 * decoding a payload.
 */
export type WireErrorCode =
  | 'truncated-header'
  | 'wrong-network'
  | 'payload-too-large'
  | 'invalid-command'
  | 'unknown-command'
  | 'message-too-large'
  | 'truncated-payload'
  | 'bad-checksum'
  | 'truncated'
  | 'non-canonical-varint'
  | 'too-many-entries'
  | 'too-few-entries'
  | 'length-exceeds-maximum'
  | 'invalid-for-protocol-version'
  | 'non-zero-tx-count'
  | 'invalid-witness-flag'
  | 'superfluous-witness'
  | 'invalid-address-size'
  | 'unknown-address-type'
  | 'invalid-timestamp'
  | 'malformed-strict-string'
  | 'trailing-bytes'
  | 'invalid-value';

export interface WireErrorDetails {
  /** The command of the frame being decoded, when known. */
  command?: string;
  /** For `unknown-command`: the raw payload, for callers that want to handle it themselves. */
  payload?: Uint8Array;
}

export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code: WireErrorCode;
  command: string | undefined;
  readonly payload: Uint8Array | undefined;

  constructor(code: WireErrorCode, message: string, details: WireErrorDetails = {}) {
    super(message);
    this.code = code;
    this.command = details.command;
    this.payload = details.payload;
  }
}

export function isWireError(error: unknown): error is WireError {
  return error instanceof WireError;
}
