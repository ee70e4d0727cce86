/**
 * Fuzz generators shared by the CI properties (test/unit/wire/fuzz.test.ts) and the long run
 * (npm run fuzz): random bytes, mutated valid frames of every command, chunked valid streams —
 * for the Bitcoin and the Decred family — and the one check they all go through.
 *
 * The valid frames come from the btcd/dcrd byte vectors (test/fixtures/vectors), which cover every
 * command of both codec tables except five Bitcoin ones; those five are built here. (The roundtrip
 * tests' per-command arbitraries are module-private to their test files, so they cannot be imported.)
 */
import fc from 'fast-check';
import { networks } from '../../src/index.js';
import { bitcoinFamily } from '../../src/wire/bitcoin/index.js';
import type { WireFamily } from '../../src/wire/codec.js';
import { FrameDecoder, type FrameDecoderError } from '../../src/wire/decoder.js';
import { decredFamily } from '../../src/wire/decred/index.js';
import { WireError } from '../../src/wire/errors.js';
import { HEADER_SIZE } from '../../src/wire/frame.js';
import { hexToBytes } from '../../src/wire/hex.js';
import {
  decodeMessage,
  decodePayloadOf,
  encodeMessage,
  type Message,
  type WireOptions,
} from '../../src/wire/message.js';
import type { Network } from '../../src/wire/networks.js';
import { messageVectors } from '../support/vectors.js';

export type FamilyName = 'bitcoin' | 'decred';

export interface Target {
  family: FamilyName;
  options: WireOptions;
}

export interface Seed extends Target {
  command: string;
  frame: Uint8Array;
}

const NETWORK: Record<FamilyName, Network> = {
  bitcoin: networks.bitcoin.regtest,
  decred: networks.decred.mainnet,
};
const FAMILY: Record<FamilyName, WireFamily> = { bitcoin: bitcoinFamily, decred: decredFamily };

export const commandsOf = (family: FamilyName): string[] => [...FAMILY[family].codecs.keys()];

const zeros = (length: number) => new Uint8Array(length);
const emptyHeader = {
  version: 1,
  prevBlock: zeros(32),
  merkleRoot: zeros(32),
  timestamp: 0,
  bits: 0,
  nonce: 0,
};
const smallTx = {
  version: 2,
  inputs: [
    {
      previousOutput: { hash: zeros(32), index: 0 },
      script: Uint8Array.of(1, 2, 3),
      sequence: 0xffffffff,
      witness: [Uint8Array.of(4, 5)],
    },
  ],
  outputs: [{ value: 5000n, script: Uint8Array.of(0x51) }],
  lockTime: 0,
};

/** The Bitcoin commands the byte vectors lack, as small valid messages. */
const EXTRA_BITCOIN: Message[] = [
  { command: 'alert', payload: Uint8Array.of(1, 2, 3, 4) },
  { command: 'sendcmpct', announce: true, version: 2n },
  {
    command: 'cmpctblock',
    header: emptyHeader,
    nonce: 9n,
    shortIds: [1n, 2n ** 48n - 1n],
    prefilledTransactions: [{ index: 0, transaction: smallTx }],
  },
  { command: 'getblocktxn', blockHash: zeros(32), indexes: [0, 1, 5, 300] },
  { command: 'blocktxn', blockHash: zeros(32), transactions: [smallTx] },
] as Message[];

function buildSeeds(family: FamilyName): Seed[] {
  const network = NETWORK[family];
  const seeds: Seed[] = [];
  const add = (message: Message, options: WireOptions) => {
    try {
      seeds.push({ family, options, command: message.command, frame: encodeMessage(message, options) });
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
    }
  };
  for (const vector of messageVectors(family)) {
    if (vector.expectError !== undefined) continue;
    const options: WireOptions = {
      network,
      protocolVersion: vector.protocolVersion,
      witness: vector.encoding !== 'base',
    };
    let message: Message;
    try {
      message = decodePayloadOf(vector.command, hexToBytes(vector.payloadHex), options);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      continue;
    }
    add(message, options);
  }
  if (family === 'bitcoin') for (const message of EXTRA_BITCOIN) add(message, { network, witness: true });
  const covered = new Set(seeds.map((seed) => seed.command));
  const missing = commandsOf(family).filter((command) => !covered.has(command));
  if (missing.length > 0) throw new Error(`no valid ${family} seed frame for ${missing.join(', ')}`);
  return seeds;
}

export const seeds: Record<FamilyName, Seed[]> = {
  bitcoin: buildSeeds('bitcoin'),
  decred: buildSeeds('decred'),
};

const isDefault = (seed: Seed) =>
  (seed.options.protocolVersion ?? seed.options.network.protocolVersion) ===
    seed.options.network.protocolVersion && seed.options.witness !== false;

/** Seeds that decode at the network's newest version: the ones a single stream can mix. */
export const streamSeeds: Record<FamilyName, Seed[]> = {
  bitcoin: seeds.bitcoin.filter(isDefault),
  decred: seeds.decred.filter(isDefault),
};

// ---------------------------------------------------------------------------------------------
// Cases

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

export type FuzzCase =
  | { kind: 'random'; family: FamilyName; bytes: Uint8Array; cuts: number[] }
  | {
      kind: 'mutated';
      family: FamilyName;
      seed: number;
      mutations: Mutation[];
      fixup: boolean;
      cuts: number[];
    }
  | { kind: 'stream'; family: FamilyName; frames: number[]; cuts: number[] };

const position = fc.nat({ max: 0xffff });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: position,
    value: fc.constantFrom(0, 0xfd, 0xfe, 0xff, 1, 0x80),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);
const cuts = fc.array(fc.nat({ max: 80 }), { maxLength: 12 });

/** Random bytes: bare, or behind a valid header (right magic, a known command, length and checksum). */
function randomCase(family: FamilyName): fc.Arbitrary<FuzzCase> {
  const commands = commandsOf(family);
  return fc
    .record({
      payload: fc.uint8Array({ maxLength: 300 }),
      framed: fc.nat({ max: 2 }),
      command: fc.constantFrom(...commands),
      cuts,
    })
    .map(({ payload, framed, command, cuts: c }) => ({
      kind: 'random' as const,
      family,
      bytes: framed === 0 ? payload : frameOf(family, framed === 1 ? command : 'xyzzy', payload),
      cuts: c,
    }));
}

function mutatedCase(family: FamilyName): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      seed: fc.nat({ max: seeds[family].length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fixup: fc.boolean(),
      cuts,
    })
    .map((fields) => ({ kind: 'mutated' as const, family, ...fields }));
}

function streamCase(family: FamilyName): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      frames: fc.array(fc.nat({ max: streamSeeds[family].length - 1 }), { minLength: 1, maxLength: 6 }),
      cuts: fc.array(fc.nat({ max: 200 }), { maxLength: 20 }),
    })
    .map((fields) => ({ kind: 'stream' as const, family, ...fields }));
}

export const caseArbitrary = {
  random: randomCase,
  mutated: mutatedCase,
  stream: streamCase,
};

/** Every kind of case for both families. */
export const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...(['bitcoin', 'decred'] as const).flatMap((family) => [
    randomCase(family),
    mutatedCase(family),
    streamCase(family),
  ]),
);

// ---------------------------------------------------------------------------------------------
// Building inputs

function frameOf(family: FamilyName, command: string, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_SIZE + payload.length);
  frame.set(payload, HEADER_SIZE);
  const view = new DataView(frame.buffer);
  view.setUint32(0, NETWORK[family].magic, true);
  for (let i = 0; i < command.length && i < 12; i++) frame[4 + i] = command.charCodeAt(i);
  fixHeader(family, frame);
  return frame;
}

/** Rewrites the header's length and checksum to match the bytes after it. */
function fixHeader(family: FamilyName, frame: Uint8Array): void {
  if (frame.length < HEADER_SIZE) return;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setUint32(16, frame.length - HEADER_SIZE, true);
  view.setUint32(20, FAMILY[family].checksum(frame.subarray(HEADER_SIZE)), true);
}

export function mutate(frame: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = frame.slice();
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.kind === 'insert' ? 1 : 0));
    switch (m.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = m.value;
        break;
      case 'insert': {
        const out = new Uint8Array(bytes.length + m.bytes.length);
        out.set(bytes.subarray(0, at));
        out.set(m.bytes, at);
        out.set(bytes.subarray(at), at + m.bytes.length);
        bytes = out;
        break;
      }
      case 'delete': {
        const out = new Uint8Array(bytes.length - Math.min(m.count, bytes.length - at));
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(at + m.count), at);
        bytes = out;
        break;
      }
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
    }
  }
  return bytes;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The input bytes and decoding options of a case. */
export function materialise(c: FuzzCase): { bytes: Uint8Array; options: WireOptions } {
  switch (c.kind) {
    case 'random':
      return { bytes: c.bytes, options: { network: NETWORK[c.family] } };
    case 'mutated': {
      const seed = seeds[c.family][c.seed]!;
      const bytes = mutate(seed.frame, c.mutations);
      if (c.fixup) fixHeader(c.family, bytes);
      return { bytes, options: seed.options };
    }
    case 'stream':
      return {
        bytes: concat(c.frames.map((index) => streamSeeds[c.family][index]!.frame)),
        options: { network: NETWORK[c.family] },
      };
  }
}

function split(bytes: Uint8Array, cutList: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const cut of cutList) {
    if (offset >= bytes.length) break;
    chunks.push(bytes.subarray(offset, offset + cut + 1));
    offset += cut + 1;
  }
  chunks.push(bytes.subarray(offset));
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// The check

/** Thrown for a property violation (as opposed to an exception escaping the codec). */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

function onlyWireError(error: unknown, where: string): asserts error is WireError {
  if (!(error instanceof WireError)) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new FuzzFailure(`${where} threw a non-WireError: ${detail}`);
  }
}

/**
 * Decodable but deliberately not encodable, as upstream: dcrd's wire reads an empty DC-net matrix
 * in mixdcnet but refuses to write one (src/wire/decred/mix.ts follows it).
 */
const KNOWN_ASYMMETRIES: readonly { command: string; message: RegExp }[] = [
  { command: 'mixdcnet', message: /^DC-net without mixed messages$/ },
];

function reencode(message: Message, options: WireOptions, where: string): Uint8Array | undefined {
  try {
    return encodeMessage(message, options);
  } catch (error) {
    if (
      error instanceof WireError &&
      KNOWN_ASYMMETRIES.some(
        (known) => known.command === message.command && known.message.test(error.message),
      )
    )
      return undefined;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new FuzzFailure(`${where}: decoded ${message.command} does not re-encode: ${detail}`);
  }
}

/** Streams `chunks` through a FrameDecoder, continuing past recoverable errors; returns the re-encoded frames. */
function decodeStream(
  chunks: readonly Uint8Array[],
  options: WireOptions,
): { frames: Uint8Array[]; errors: string[] } {
  const decoder = new FrameDecoder(options);
  const frames: Uint8Array[] = [];
  const errors: string[] = [];
  const take = (messages: Message[]) => {
    for (const message of messages)
      frames.push(reencode(message, options, 'FrameDecoder') ?? new Uint8Array(0));
  };
  for (const chunk of [...chunks, new Uint8Array(0)]) {
    let input = chunk;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      try {
        take(decoder.push(input));
        break;
      } catch (error) {
        onlyWireError(error, 'FrameDecoder.push');
        const failure = error as FrameDecoderError;
        take(failure.decoded.map((frame) => frame.message));
        errors.push(failure.code);
        if (!failure.recoverable) return { frames, errors };
        input = new Uint8Array(0);
      }
    }
  }
  return { frames, errors };
}

export interface CheckResult {
  /** Messages decoded by FrameDecoder and decodeMessage together. */
  decoded: number;
  /** WireError codes met: decodeMessage's first, then the FrameDecoder's. */
  errors: string[];
}

/**
 * The property: decodeMessage and FrameDecoder (with the case's chunking) only ever throw WireError,
 * everything they decode re-encodes, and for a valid stream the chunked decoding equals the whole one
 * (and the original frames).
 */
export function check(c: FuzzCase): CheckResult {
  const { bytes, options } = materialise(c);
  let decoded = 0;
  const errors: string[] = [];
  if (c.kind !== 'stream') {
    try {
      const message = decodeMessage(bytes, options);
      reencode(message, options, 'decodeMessage');
      decoded++;
    } catch (error) {
      if (error instanceof FuzzFailure) throw error;
      onlyWireError(error, 'decodeMessage');
      errors.push(error.code);
    }
  }
  const chunked = decodeStream(split(bytes, c.cuts), options);
  const whole = decodeStream([bytes], options);
  decoded += chunked.frames.length;
  // Whatever the input, the chunking must not change what comes out (frames and errors).
  if (whole.errors.join() !== chunked.errors.join())
    throw new FuzzFailure(`errors differ: whole [${whole.errors}], chunked [${chunked.errors}]`);
  if (whole.frames.length !== chunked.frames.length)
    throw new FuzzFailure(
      `frame counts differ: ${whole.frames.length} whole, ${chunked.frames.length} chunked`,
    );
  for (let i = 0; i < whole.frames.length; i++) {
    if (!equalBytes(whole.frames[i]!, chunked.frames[i]!))
      throw new FuzzFailure(`frame ${i} decodes differently when chunked`);
  }
  if (c.kind === 'stream') {
    const sent = c.frames.map((index) => streamSeeds[c.family][index]!);
    if (whole.errors.length > 0) throw new FuzzFailure(`valid stream failed: [${whole.errors}]`);
    if (whole.frames.length !== sent.length)
      throw new FuzzFailure(`${sent.length} frames sent, ${whole.frames.length} decoded`);
    for (let i = 0; i < sent.length; i++) {
      if (!equalBytes(whole.frames[i]!, sent[i]!.frame))
        throw new FuzzFailure(`frame ${i} (${sent[i]!.command}) does not come back byte for byte`);
    }
  }
  errors.push(...whole.errors);
  return { decoded, errors };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
