import { ByteReader, ByteWriter } from './bytes.js';
import type { CodecContext, MessageCodec, WireFamily } from './codec.js';
import { WireError } from './errors.js';
import type { Network } from './networks.js';

export const HEADER_SIZE = 24;
export const COMMAND_SIZE = 12;

export interface FrameHeader {
  magic: number;
  command: string;
  length: number;
  checksum: number;
}

/**
 * Reads the command field: printable characters followed only by NUL padding. A NUL followed by
 * anything else, a control byte, or (for 'ascii' families) a byte above 0x7e is invalid.
 */
export function readCommand(
  bytes: Uint8Array,
  offset: number,
  alphabet: 'utf8' | 'ascii',
): string | undefined {
  let end = offset;
  const limit = offset + COMMAND_SIZE;
  while (end < limit && bytes[end] !== 0) end++;
  for (let i = end; i < limit; i++) if (bytes[i] !== 0) return undefined;
  if (end === offset) return undefined;
  let ascii = true;
  for (let i = offset; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte === 0x7f) return undefined;
    if (byte > 0x7e) ascii = false;
  }
  if (ascii) {
    let command = '';
    for (let i = offset; i < end; i++) command += String.fromCharCode(bytes[i]!);
    return command;
  }
  if (alphabet === 'ascii') return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset, end));
  } catch {
    return undefined;
  }
}

export interface HeaderVerdict {
  header: FrameHeader;
  /** undefined for an unknown command. */
  codec: MessageCodec | undefined;
}

/**
 * Applies every check that the 24-byte header decides, in protocol order: magic, the network's
 * length cap, command validity, unknown command (returned, not thrown), the message's own cap.
 */
export function checkHeader(
  bytes: Uint8Array,
  offset: number,
  family: WireFamily,
  network: Network,
  protocolVersion: number,
  maxPayloadLength: number,
): HeaderVerdict {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, HEADER_SIZE);
  const magic = view.getUint32(0, true);
  if (magic !== network.magic) {
    throw new WireError(
      'wrong-network',
      `message from another network: magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${network.magic.toString(16).padStart(8, '0')}`,
    );
  }
  const length = view.getUint32(16, true);
  if (length > maxPayloadLength) {
    throw new WireError(
      'payload-too-large',
      `payload length ${length} exceeds the network cap ${maxPayloadLength}`,
    );
  }
  const command = readCommand(bytes, offset + 4, family.commandAlphabet);
  if (command === undefined)
    throw new WireError('invalid-command', 'invalid command field in message header');
  const checksum = view.getUint32(20, true);
  const header = { magic, command, length, checksum };
  const codec = family.codecs.get(command);
  if (codec === undefined) return { header, codec };
  const cap = codec.maxPayloadLength(protocolVersion);
  if (length > cap) {
    throw new WireError(
      'message-too-large',
      `${command} payload of ${length} bytes exceeds its maximum ${cap} at protocol ${protocolVersion}`,
      { command },
    );
  }
  return { header, codec };
}

/** Checksum, version gate, decode and trailing-byte check of one payload. */
export function decodePayload<M>(
  codec: MessageCodec,
  header: FrameHeader,
  payload: Uint8Array,
  family: WireFamily,
  context: CodecContext,
): M {
  if (family.checksum(payload) !== header.checksum) {
    throw new WireError('bad-checksum', `${header.command}: checksum mismatch`, { command: header.command });
  }
  const message = decodePayloadUnchecked<M>(codec, payload, context);
  if (codec.rawPayload) {
    const raw = codec.rawPayload(message as { command: string }, context);
    if (raw?.length === payload.length) verifiedChecksums.set(raw, { family, checksum: header.checksum });
  }
  return message;
}

/**
 * Checksums verified on receipt, keyed by the raw payload a decoded block keeps: relaying it frames
 * those bytes again without hashing them a second time (a megabyte of double SHA-256 per block).
 * The raw bytes are the received ones and are never written to (the decoded message's contract).
 */
const verifiedChecksums = new WeakMap<Uint8Array, { family: WireFamily; checksum: number }>();

/** The checksum of `raw` when it is a payload received and verified by `family`'s decoder. */
export function knownChecksum(raw: Uint8Array, family: WireFamily): number | undefined {
  const known = verifiedChecksums.get(raw);
  return known && known.family === family ? known.checksum : undefined;
}

export function decodePayloadUnchecked<M>(
  codec: MessageCodec,
  payload: Uint8Array,
  context: CodecContext,
): M {
  checkGate(codec, context.protocolVersion);
  const reader = new ByteReader(payload);
  try {
    const message = codec.decode(reader, context);
    reader.finish(codec.command);
    return message as M;
  } catch (error) {
    if (error instanceof WireError) {
      error.command ??= codec.command;
      throw error;
    }
    // Anything else escaping a codec is a bug; it still must not leave the decoder untyped.
    throw new WireError('invalid-value', `${codec.command}: ${(error as Error)?.message ?? String(error)}`, {
      command: codec.command,
    });
  }
}

export function checkGate(codec: MessageCodec, protocolVersion: number): void {
  if (codec.minProtocolVersion !== undefined && protocolVersion < codec.minProtocolVersion) {
    throw new WireError(
      'invalid-for-protocol-version',
      `${codec.command} requires protocol ${codec.minProtocolVersion}, negotiated ${protocolVersion}`,
      { command: codec.command },
    );
  }
  if (codec.maxProtocolVersion !== undefined && protocolVersion >= codec.maxProtocolVersion) {
    throw new WireError(
      'invalid-for-protocol-version',
      `${codec.command} is not valid from protocol ${codec.maxProtocolVersion} (negotiated ${protocolVersion})`,
      { command: codec.command },
    );
  }
}

/** Encodes a payload (gate and caps checked) and frames it. */
export function encodePayload(
  codec: MessageCodec,
  message: { command: string },
  context: CodecContext,
  /** The message's raw payload when the caller has already asked the codec for it. */
  raw = codec.rawPayload?.(message, context),
): Uint8Array {
  checkGate(codec, context.protocolVersion);
  if (raw) {
    const frame = allocateFrame(HEADER_SIZE + raw.length);
    frame.set(raw, HEADER_SIZE);
    return frame;
  }
  // Small messages are built in one reused scratch buffer and copied out at their exact size:
  // two allocations per frame cost more than the encoding itself.
  const writer = scratchWriter ?? new ByteWriter();
  scratchWriter = undefined;
  try {
    writer.offset = HEADER_SIZE;
    codec.encode(message, writer, context);
    const built = writer.finish();
    // A frame larger than the scratch limit owns its writer's buffer (never reused).
    if (writer.capacity > SCRATCH_LIMIT) return built;
    const frame = allocateFrame(built.length);
    frame.set(built);
    return frame;
  } finally {
    if (writer.capacity <= SCRATCH_LIMIT) scratchWriter = writer;
  }
}

/**
 * The scratch buffer grows to the largest frame built and is kept up to this size (a full
 * Bitcoin block): regrowing it for every block would cost more than copying the frame out.
 */
const SCRATCH_LIMIT = 4 * 1024 * 1024 + 64;
let scratchWriter: ByteWriter | undefined = new ByteWriter();

/** Node's pooled Buffer allocation where there is one: far cheaper than a fresh ArrayBuffer for small frames. */
const allocUnsafe: ((size: number) => Uint8Array) | undefined = (
  globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }
).Buffer?.allocUnsafe.bind((globalThis as { Buffer?: object }).Buffer);

/** A plain Uint8Array (not a Buffer, whose slice() would alias) over pooled memory. */
export function allocateFrame(size: number): Uint8Array {
  if (!allocUnsafe) return new Uint8Array(size);
  const pooled = allocUnsafe(size);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, size);
}

const commandBytesCache = new Map<string, Uint8Array>();

/** The command's bytes, cached for the known commands (a frame is built per message on the hot path). */
function commandBytesOf(command: string): Uint8Array {
  let bytes = commandBytesCache.get(command);
  if (!bytes) {
    bytes = new TextEncoder().encode(command);
    if (commandBytesCache.size < 256) commandBytesCache.set(command, bytes);
  }
  return bytes;
}

/**
 * Fills in the header of a buffer whose payload starts at byte 24, after checking the caps.
 * Returns the whole frame.
 */
export function sealFrame(
  frame: Uint8Array,
  command: string,
  family: WireFamily,
  network: Network,
  maxPayloadLength: number,
  messageCap: number,
  checksum?: number,
): Uint8Array {
  const payload = frame.subarray(HEADER_SIZE);
  writeHeader(frame, payload, command, family, network, maxPayloadLength, messageCap, checksum);
  return frame;
}

/**
 * Writes the 24-byte header for `payload` into the start of `header`, after checking the caps.
 * `checksum` is the payload's when already known (raw bytes verified on receipt).
 */
export function writeHeader(
  header: Uint8Array,
  payload: Uint8Array,
  command: string,
  family: WireFamily,
  network: Network,
  maxPayloadLength: number,
  messageCap: number,
  checksum?: number,
): void {
  const length = payload.length;
  if (length > maxPayloadLength) {
    throw new WireError(
      'payload-too-large',
      `${command} payload of ${length} bytes exceeds the network cap`,
      {
        command,
      },
    );
  }
  if (length > messageCap) {
    throw new WireError(
      'message-too-large',
      `${command} payload of ${length} bytes exceeds its maximum ${messageCap}`,
      {
        command,
      },
    );
  }
  const commandBytes = commandBytesOf(command);
  if (commandBytes.length > COMMAND_SIZE || commandBytes.length === 0) {
    throw new WireError(
      'invalid-command',
      `command '${command}' does not fit the ${COMMAND_SIZE}-byte field`,
    );
  }
  const view = new DataView(header.buffer, header.byteOffset, HEADER_SIZE);
  view.setUint32(0, network.magic, true);
  header.fill(0, 4, 16);
  header.set(commandBytes, 4);
  view.setUint32(16, length, true);
  view.setUint32(20, checksum ?? family.checksum(payload), true);
}
