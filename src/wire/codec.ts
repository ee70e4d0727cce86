import type { ByteReader, ByteWriter } from './bytes.js';
import type { Network } from './networks.js';

/** What a payload codec needs to know besides the bytes. */
export interface CodecContext {
  /** The negotiated protocol version (gates message types and field layouts). */
  readonly protocolVersion: number;
  /** Bitcoin: serialise tx/block witness data (btcd's WitnessEncoding). */
  readonly witness: boolean;
  readonly network: Network;
}

/** Encoder/decoder for one command's payload. */
export interface MessageCodec<M extends { command: string } = { command: string }> {
  readonly command: M['command'];
  /** Below this protocol version the message can be neither encoded nor decoded. */
  readonly minProtocolVersion?: number;
  /** Exclusive upper gate: from this version on the message no longer exists (Decred addr, reject). */
  readonly maxProtocolVersion?: number;
  /** The message's own payload cap at a protocol version (btcd MaxPayloadLength). */
  maxPayloadLength(protocolVersion: number): number;
  /** Decodes a payload; the caller checks for trailing bytes. */
  decode(reader: ByteReader, context: CodecContext): M;
  encode(message: M, writer: ByteWriter, context: CodecContext): void;
  /**
   * The exact payload when the message still holds the bytes it was decoded from (a relayed
   * block or tx): the frame is then one copy of them, not a re-serialisation.
   */
  rawPayload?(message: M, context: CodecContext): Uint8Array | undefined;
}

/** Per-family wire rules: checksum, command alphabet and the codec table. */
export interface WireFamily {
  readonly name: Network['family'];
  /** First four bytes of the family's checksum hash, as a little-endian uint32. */
  checksum(payload: Uint8Array): number;
  /** 'utf8': btcd (valid UTF-8, printable); 'ascii': dcrd (strict printable ASCII). */
  readonly commandAlphabet: 'utf8' | 'ascii';
  /** Keyed by command; a Map so that '__proto__' or 'constructor' are just unknown commands. */
  readonly codecs: ReadonlyMap<string, MessageCodec>;
}
