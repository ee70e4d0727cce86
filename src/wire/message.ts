import { bitcoinFamily } from './bitcoin/index.js';
import type { BitcoinMessage, UnknownMessage } from './bitcoin/types.js';
import type { CodecContext, WireFamily } from './codec.js';
import { decredFamily } from './decred/index.js';
import type { DecredNetwork } from './decred/networks.js';
import type { DecredMessage } from './decred/types.js';
import { WireError } from './errors.js';
import {
  allocateFrame,
  checkGate,
  checkHeader,
  decodePayload,
  decodePayloadUnchecked,
  encodePayload,
  HEADER_SIZE,
  knownChecksum,
  sealFrame,
  writeHeader,
} from './frame.js';
import type { Network } from './networks.js';

/** Any message the codec produces; a discriminated union on `command`. */
export type Message = BitcoinMessage | UnknownMessage;

/**
 * Any message the codec produces for a Decred network. A separate union, not part of `Message`:
 * tx, block, headers, addrv2 and the filters have other shapes in the two families.
 */
export type DecredWireMessage = DecredMessage | UnknownMessage;

export interface WireOptions {
  network: Network;
  /** Negotiated protocol version; defaults to the network's newest. */
  protocolVersion?: number;
  /** Bitcoin: serialise witness data in tx/block (default true, btcd's LatestEncoding). */
  witness?: boolean;
  /** Override the network's frame cap (default: the network's `maxPayloadLength`). */
  maxPayloadLength?: number;
}

export function familyOf(network: Network): WireFamily {
  switch (network.family) {
    case 'bitcoin':
      return bitcoinFamily;
    case 'decred':
      return decredFamily;
    default:
      throw new WireError('invalid-value', `no codec for the ${network.family} family yet`);
  }
}

export function codecContext(options: WireOptions): CodecContext {
  return {
    network: options.network,
    protocolVersion: options.protocolVersion ?? options.network.protocolVersion,
    witness: options.witness ?? true,
  };
}

/** Encodes one message as a whole frame (header + payload). */
export function encodeMessage(
  message: DecredWireMessage,
  options: WireOptions & { network: DecredNetwork },
): Uint8Array;
export function encodeMessage(message: Message, options: WireOptions): Uint8Array;
export function encodeMessage(message: Message | DecredWireMessage, options: WireOptions): Uint8Array {
  return encodeFrame(message, options, false)[0]!;
}

/**
 * Encodes one message as the buffers that make up its frame, to be written in order: the whole
 * frame, or, for a block still holding the bytes it was received as, a 24-byte header and those
 * bytes, which are neither copied nor hashed again (their checksum was verified on receipt).
 */
export function encodeFrameParts(message: Message | DecredWireMessage, options: WireOptions): Uint8Array[] {
  return encodeFrame(message, options, true);
}

/** Both encoders: the codec, the raw payload and its known checksum are looked up once per frame. */
function encodeFrame(
  message: Message | DecredWireMessage,
  options: WireOptions,
  split: boolean,
): Uint8Array[] {
  const family = familyOf(options.network);
  const context = codecContext(options);
  const cap = options.maxPayloadLength ?? options.network.maxPayloadLength;
  if (message.command === 'unknown') {
    const frame = new Uint8Array(HEADER_SIZE + message.payload.length);
    frame.set(message.payload, HEADER_SIZE);
    return [sealFrame(frame, message.rawCommand, family, options.network, cap, cap)];
  }
  const codec = family.codecs.get(message.command);
  if (codec === undefined) {
    throw new WireError('unknown-command', `no codec for command '${message.command}'`, {
      command: message.command,
    });
  }
  const messageCap = codec.maxPayloadLength(context.protocolVersion);
  const raw = codec.rawPayload?.(message, context);
  const checksum = raw && knownChecksum(raw, family);
  if (raw && split) {
    checkGate(codec, context.protocolVersion);
    const header = allocateFrame(HEADER_SIZE);
    writeHeader(header, raw, codec.command, family, options.network, cap, messageCap, checksum);
    return [header, raw];
  }
  const frame = encodePayload(codec, message, context, raw);
  return [sealFrame(frame, codec.command, family, options.network, cap, messageCap, checksum)];
}

/**
 * Decodes one whole frame. Throws `WireError`; an unknown command is the distinguishable
 * `unknown-command` error carrying the raw payload (checksum verified).
 */
export function decodeMessage(
  frame: Uint8Array,
  options: WireOptions & { network: DecredNetwork },
): DecredWireMessage;
export function decodeMessage(frame: Uint8Array, options: WireOptions): Message;
export function decodeMessage(frame: Uint8Array, options: WireOptions): Message | DecredWireMessage {
  const family = familyOf(options.network);
  const context = codecContext(options);
  if (frame.length < HEADER_SIZE)
    throw new WireError('truncated-header', `frame of ${frame.length} bytes has no header`);
  const cap = options.maxPayloadLength ?? options.network.maxPayloadLength;
  const { header, codec } = checkHeader(frame, 0, family, options.network, context.protocolVersion, cap);
  const available = frame.length - HEADER_SIZE;
  if (codec === undefined) {
    // Decided from the header, like btcd; the payload is attached when it is whole and intact.
    const payload = frame.subarray(HEADER_SIZE);
    const intact = available === header.length && family.checksum(payload) === header.checksum;
    throw new WireError('unknown-command', `unknown command '${header.command}'`, {
      command: header.command,
      ...(intact ? { payload } : {}),
    });
  }
  if (available < header.length) {
    throw new WireError(
      'truncated-payload',
      `${header.command}: payload of ${available} bytes, header says ${header.length}`,
      {
        command: header.command,
      },
    );
  }
  if (available > header.length) {
    throw new WireError('trailing-bytes', `${available - header.length} bytes after the frame`, {
      command: header.command,
    });
  }
  const payload = frame.subarray(HEADER_SIZE);
  return decodePayload<Message>(codec, header, payload, family, context);
}

/** Decodes a bare payload for a known command (no header, no checksum). */
export function decodePayloadOf(command: string, payload: Uint8Array, options: WireOptions): Message {
  const family = familyOf(options.network);
  const codec = family.codecs.get(command);
  if (codec === undefined)
    throw new WireError('unknown-command', `unknown command '${command}'`, { command, payload });
  const context = codecContext(options);
  return decodePayloadUnchecked<Message>(codec, payload, context);
}

/** Encodes just the payload of a message (no header). */
export function encodePayloadOf(message: Message, options: WireOptions): Uint8Array {
  return encodeMessage(message, options).subarray(HEADER_SIZE);
}
