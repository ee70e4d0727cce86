/**
 * Whole-frame encode/decode with the Decred family, built from the same frame.ts steps as
 * encodeMessage/decodeMessage, so the family is testable before message.ts routes networks to it.
 */
import type { CodecContext } from '../../../../src/wire/codec.js';
import { decredFamily } from '../../../../src/wire/decred/index.js';
import { decredNetworks } from '../../../../src/wire/decred/networks.js';
import type { DecredBlockHeader, DecredMessage } from '../../../../src/wire/decred/types.js';
import { WireError } from '../../../../src/wire/errors.js';
import {
  checkHeader,
  decodePayload,
  decodePayloadUnchecked,
  encodePayload,
  HEADER_SIZE,
  sealFrame,
} from '../../../../src/wire/frame.js';
import type { Network } from '../../../../src/wire/networks.js';

export interface FrameOptions {
  network?: Network;
  protocolVersion?: number;
}

function contextOf(options: FrameOptions): CodecContext {
  const network = options.network ?? decredNetworks.mainnet;
  return { network, protocolVersion: options.protocolVersion ?? network.protocolVersion, witness: true };
}

export function encodeFrame(message: DecredMessage, options: FrameOptions = {}): Uint8Array {
  const context = contextOf(options);
  const codec = decredFamily.codecs.get(message.command);
  if (!codec) throw new WireError('unknown-command', `no codec for ${message.command}`);
  const frame = encodePayload(codec, message, context);
  return sealFrame(
    frame,
    codec.command,
    decredFamily,
    context.network,
    context.network.maxPayloadLength,
    codec.maxPayloadLength(context.protocolVersion),
  );
}

export function decodeFrame(frame: Uint8Array, options: FrameOptions = {}): DecredMessage {
  const context = contextOf(options);
  if (frame.length < HEADER_SIZE) throw new WireError('truncated-header', 'short frame');
  const { header, codec } = checkHeader(
    frame,
    0,
    decredFamily,
    context.network,
    context.protocolVersion,
    context.network.maxPayloadLength,
  );
  if (!codec) throw new WireError('unknown-command', `unknown command '${header.command}'`);
  const available = frame.length - HEADER_SIZE;
  if (available < header.length) throw new WireError('truncated-payload', 'short payload');
  if (available > header.length) throw new WireError('trailing-bytes', 'bytes after the frame');
  return decodePayload<DecredMessage>(codec, header, frame.subarray(HEADER_SIZE), decredFamily, context);
}

export function decodePayloadAt(
  command: string,
  payload: Uint8Array,
  protocolVersion: number,
): DecredMessage {
  const codec = decredFamily.codecs.get(command);
  if (!codec) throw new WireError('unknown-command', `unknown command '${command}'`);
  return decodePayloadUnchecked<DecredMessage>(codec, payload, contextOf({ protocolVersion }));
}

export function encodePayloadAt(message: DecredMessage, protocolVersion: number): Uint8Array {
  return encodeFrame(message, { protocolVersion }).subarray(HEADER_SIZE);
}

/** A block header of zeros (version 1), with `fields` filled in. */
export function blockHeader(fields: Partial<DecredBlockHeader> = {}): DecredBlockHeader {
  return {
    version: 1,
    prevBlock: new Uint8Array(32),
    merkleRoot: new Uint8Array(32),
    stakeRoot: new Uint8Array(32),
    voteBits: 0,
    finalState: new Uint8Array(6),
    voters: 0,
    freshStake: 0,
    revocations: 0,
    poolSize: 0,
    bits: 0,
    sBits: 0n,
    height: 0,
    size: 0,
    timestamp: 0,
    nonce: 0,
    extraData: new Uint8Array(32),
    stakeVersion: 0,
    ...fields,
  };
}
