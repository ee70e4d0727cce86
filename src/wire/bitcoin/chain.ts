import { ByteReader, ByteWriter, MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import type { CodecContext, MessageCodec } from '../codec.js';
import { headersCodec } from '../common-codecs.js';
import { WireError } from '../errors.js';
import { sha256d } from '../hash.js';
import { equalBytes } from '../hex.js';
import { BITCOIN_MAX_PAYLOAD_LENGTH, BitcoinProtocol } from '../networks.js';
import type {
  BlockHeader,
  BlockMessage,
  Hash,
  MerkleBlockMessage,
  Transaction,
  TxIn,
  TxMessage,
  TxOut,
} from './types.js';

export const BLOCK_HEADER_SIZE = 80;
export const MAX_BLOCK_PAYLOAD = 4_000_000;
export const MAX_BLOCK_HEADERS_PER_MESSAGE = 2000;
/** btcd: the smallest possible transaction is 10 bytes, which bounds the count in a block. */
export const MAX_TX_PER_BLOCK = Math.floor(MAX_BLOCK_PAYLOAD / 10) + 1;
const MAX_TX_IN_PER_MESSAGE = Math.floor(MAX_MESSAGE_PAYLOAD / 41) + 1;
const MAX_TX_OUT_PER_MESSAGE = Math.floor(MAX_MESSAGE_PAYLOAD / 9) + 1;
const MAX_WITNESS_ITEMS_PER_INPUT = 4_000_000;
const MAX_WITNESS_ITEM_SIZE = 4_000_000;
const MAX_FLAGS_PER_MERKLE_BLOCK = Math.floor(MAX_TX_PER_BLOCK / 8);
const WITNESS_MARKER = 0x00;
const WITNESS_FLAG = 0x01;

export function readBlockHeader(reader: ByteReader): BlockHeader {
  return {
    version: reader.i32le('header version'),
    prevBlock: reader.hash('previous block'),
    merkleRoot: reader.hash('merkle root'),
    timestamp: reader.u32le('header timestamp'),
    bits: reader.u32le('header bits'),
    nonce: reader.u32le('header nonce'),
  };
}

export function writeBlockHeader(writer: ByteWriter, header: BlockHeader): void {
  writer.i32le(header.version).hash(header.prevBlock).hash(header.merkleRoot);
  writer.u32le(header.timestamp).u32le(header.bits).u32le(header.nonce);
}

function serializeHeader(header: BlockHeader): Uint8Array {
  const writer = new ByteWriter(BLOCK_HEADER_SIZE);
  writeBlockHeader(writer, header);
  return writer.finish();
}

/** Block hash (double SHA-256 of the 80-byte header), in wire order. */
export function blockHash(header: BlockHeader): Hash {
  return sha256d(serializeHeader(header));
}

export function readTransaction(reader: ByteReader, witnessEncoding: boolean): Transaction {
  const version = reader.i32le('tx version');
  let inputCount = reader.varint('tx input count');
  let segwit = false;
  // A zero input count followed by the flag byte marks the witness serialisation (BIP144).
  if (inputCount === WITNESS_MARKER && witnessEncoding) {
    const flag = reader.u8('witness flag');
    if (flag !== WITNESS_FLAG)
      throw new WireError('invalid-witness-flag', `witness flag byte is 0x${flag.toString(16)}`);
    segwit = true;
    inputCount = reader.varint('tx input count');
  }
  if (inputCount > MAX_TX_IN_PER_MESSAGE) {
    throw new WireError('too-many-entries', `tx input count ${inputCount} > ${MAX_TX_IN_PER_MESSAGE}`);
  }
  const inputs: TxIn[] = new Array(inputCount);
  for (let i = 0; i < inputCount; i++) {
    inputs[i] = {
      previousOutput: {
        hash: reader.hash('previous output hash'),
        index: reader.u32le('previous output index'),
      },
      script: reader.varBytes(MAX_MESSAGE_PAYLOAD, 'signature script'),
      sequence: reader.u32le('sequence'),
      witness: [],
    };
  }
  const outputCount = reader.varint('tx output count');
  if (outputCount > MAX_TX_OUT_PER_MESSAGE) {
    throw new WireError('too-many-entries', `tx output count ${outputCount} > ${MAX_TX_OUT_PER_MESSAGE}`);
  }
  const outputs: TxOut[] = new Array(outputCount);
  for (let i = 0; i < outputCount; i++) {
    outputs[i] = {
      value: reader.i64le('output value'),
      script: reader.varBytes(MAX_MESSAGE_PAYLOAD, 'public key script'),
    };
  }
  if (segwit) {
    let anyWitness = false;
    for (const input of inputs) {
      const items = reader.count(MAX_WITNESS_ITEMS_PER_INPUT, 'witness item');
      for (let i = 0; i < items; i++)
        input.witness.push(reader.varBytes(MAX_WITNESS_ITEM_SIZE, 'witness item'));
      if (items > 0) anyWitness = true;
    }
    if (!anyWitness)
      throw new WireError('superfluous-witness', 'witness flag set but no input has witness data');
  }
  return { version, inputs, outputs, lockTime: reader.u32le('lock time') };
}

export function hasWitness(transaction: Transaction): boolean {
  return transaction.inputs.some((input) => input.witness.length > 0);
}

export function writeTransaction(
  writer: ByteWriter,
  transaction: Transaction,
  witnessEncoding: boolean,
): void {
  const segwit = witnessEncoding && hasWitness(transaction);
  writer.i32le(transaction.version);
  if (segwit) writer.u8(WITNESS_MARKER).u8(WITNESS_FLAG);
  writer.varint(transaction.inputs.length);
  for (const input of transaction.inputs) {
    writer.hash(input.previousOutput.hash).u32le(input.previousOutput.index);
    writer.varBytes(input.script).u32le(input.sequence);
  }
  writer.varint(transaction.outputs.length);
  for (const output of transaction.outputs) writer.i64le(output.value).varBytes(output.script);
  if (segwit) {
    for (const input of transaction.inputs) {
      writer.varint(input.witness.length);
      for (const item of input.witness) writer.varBytes(item);
    }
  }
  writer.u32le(transaction.lockTime);
}

function serialize(transaction: Transaction, witness: boolean): Uint8Array {
  const writer = new ByteWriter(256);
  writeTransaction(writer, transaction, witness);
  return writer.finish();
}

/** Transaction id: double SHA-256 of the serialisation without witness data (wire order). */
export function txid(transaction: Transaction): Hash {
  return sha256d(serialize(transaction, false));
}

/** Witness transaction id (BIP141); equals the txid when there is no witness. */
export function wtxid(transaction: Transaction): Hash {
  return sha256d(serialize(transaction, true));
}

/** Position of the block scan; module-level so the scan allocates nothing per transaction. */
let scanAt = 0;

/** Reads a canonical CompactSize at `scanAt` (advancing it), or throws. */
function scanVarint(bytes: Uint8Array, end: number): number {
  const at = scanAt;
  if (at >= end) throw new WireError('truncated', 'truncated varint in block');
  const first = bytes[at]!;
  if (first < 0xfd) {
    scanAt = at + 1;
    return first;
  }
  let value: number;
  let min: number;
  if (first === 0xfd) {
    if (at + 3 > end) throw new WireError('truncated', 'truncated varint in block');
    value = bytes[at + 1]! | (bytes[at + 2]! << 8);
    min = 0xfd;
    scanAt = at + 3;
  } else if (first === 0xfe) {
    if (at + 5 > end) throw new WireError('truncated', 'truncated varint in block');
    value = (bytes[at + 1]! | (bytes[at + 2]! << 8) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 24)) >>> 0;
    min = 0x10000;
    scanAt = at + 5;
  } else {
    if (at + 9 > end) throw new WireError('truncated', 'truncated varint in block');
    const low =
      (bytes[at + 1]! | (bytes[at + 2]! << 8) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 24)) >>> 0;
    const high =
      (bytes[at + 5]! | (bytes[at + 6]! << 8) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 24)) >>> 0;
    value = high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
    min = 0x100000000;
    scanAt = at + 9;
  }
  if (value < min) throw new WireError('non-canonical-varint', `non-canonical varint ${value} in block`);
  return value;
}

function scanSkip(length: number, end: number): void {
  if (length > end - scanAt) throw new WireError('truncated', 'truncated transaction in block');
  scanAt += length;
}

function scanLengthPrefixed(bytes: Uint8Array, end: number, max: number): void {
  const length = scanVarint(bytes, end);
  if (length > max) throw new WireError('length-exceeds-maximum', `length ${length} > ${max} in block`);
  scanSkip(length, end);
}

/**
 * Walks one transaction's structure without building objects and returns where it ends: the same
 * bounds and limits as `readTransaction`, so a block is validated whole at decode time while its
 * transactions are materialised only when asked for. This walk is most of a block's decode cost
 * beyond the checksum, hence plain functions over the bytes and no allocation per field.
 */
function skipTransaction(bytes: Uint8Array, start: number, end: number, witnessEncoding: boolean): number {
  scanAt = start;
  scanSkip(4, end); // version
  let inputCount = scanVarint(bytes, end);
  let segwit = false;
  if (inputCount === WITNESS_MARKER && witnessEncoding) {
    scanSkip(1, end);
    const flag = bytes[scanAt - 1]!;
    if (flag !== WITNESS_FLAG)
      throw new WireError('invalid-witness-flag', `witness flag byte is 0x${flag.toString(16)}`);
    segwit = true;
    inputCount = scanVarint(bytes, end);
  }
  if (inputCount > MAX_TX_IN_PER_MESSAGE) {
    throw new WireError('too-many-entries', `tx input count ${inputCount} > ${MAX_TX_IN_PER_MESSAGE}`);
  }
  for (let i = 0; i < inputCount; i++) {
    scanSkip(36, end); // previous output
    scanLengthPrefixed(bytes, end, MAX_MESSAGE_PAYLOAD); // signature script
    scanSkip(4, end); // sequence
  }
  const outputCount = scanVarint(bytes, end);
  if (outputCount > MAX_TX_OUT_PER_MESSAGE) {
    throw new WireError('too-many-entries', `tx output count ${outputCount} > ${MAX_TX_OUT_PER_MESSAGE}`);
  }
  for (let i = 0; i < outputCount; i++) {
    scanSkip(8, end); // value
    scanLengthPrefixed(bytes, end, MAX_MESSAGE_PAYLOAD); // public key script
  }
  if (segwit) {
    let anyWitness = false;
    for (let i = 0; i < inputCount; i++) {
      const items = scanVarint(bytes, end);
      if (items > MAX_WITNESS_ITEMS_PER_INPUT)
        throw new WireError('too-many-entries', `witness item count ${items}`);
      for (let j = 0; j < items; j++) scanLengthPrefixed(bytes, end, MAX_WITNESS_ITEM_SIZE);
      if (items > 0) anyWitness = true;
    }
    if (!anyWitness)
      throw new WireError('superfluous-witness', 'witness flag set but no input has witness data');
  }
  scanSkip(4, end); // lock time
  return scanAt;
}

/** Gives a decoded block a `transactions` property that is decoded from the raw payload on first use. */
function defineLazyTransactions(
  block: BlockMessage,
  raw: Uint8Array,
  start: number,
  count: number,
  witness: boolean,
) {
  Object.defineProperty(block, 'transactions', {
    enumerable: true,
    configurable: true,
    get(): Transaction[] {
      const reader = new ByteReader(raw, start);
      const transactions: Transaction[] = new Array(count);
      for (let i = 0; i < count; i++) transactions[i] = readTransaction(reader, witness);
      Object.defineProperty(block, 'transactions', { value: transactions, writable: true, enumerable: true });
      return transactions;
    },
    set(value: Transaction[]) {
      Object.defineProperty(block, 'transactions', { value, writable: true, enumerable: true });
    },
  });
}

/** True while a decoded block's raw payload still describes it: transactions never materialised, header as decoded. */
function rawIsCurrent(block: BlockMessage): block is BlockMessage & { raw: Uint8Array } {
  if (!block.raw || Object.getOwnPropertyDescriptor(block, 'transactions')?.get === undefined) return false;
  return equalBytes(serializeHeader(block.header), block.raw.subarray(0, BLOCK_HEADER_SIZE));
}

const blockCodec: MessageCodec<BlockMessage> = {
  command: 'block',
  maxPayloadLength: () => MAX_BLOCK_PAYLOAD,
  decode(reader, context: CodecContext) {
    const start = reader.offset;
    const header = readBlockHeader(reader);
    const count = reader.varint('transaction count');
    if (count > MAX_TX_PER_BLOCK)
      throw new WireError('too-many-entries', `block tx count ${count} > ${MAX_TX_PER_BLOCK}`);
    const transactionsStart = reader.offset;
    let at = transactionsStart;
    for (let i = 0; i < count; i++) at = skipTransaction(reader.bytes, at, reader.end, context.witness);
    reader.offset = at;
    const raw = reader.bytes.subarray(start, reader.offset);
    const block = { command: 'block', header, raw } as BlockMessage;
    defineLazyTransactions(block, reader.bytes, transactionsStart, count, context.witness);
    return block;
  },
  rawPayload: (message, context) => (context.witness && rawIsCurrent(message) ? message.raw : undefined),
  encode(message, writer, context) {
    if (context.witness && rawIsCurrent(message)) {
      writer.bytes(message.raw);
      return;
    }
    writeBlockHeader(writer, message.header);
    writer.varint(message.transactions.length);
    for (const transaction of message.transactions) writeTransaction(writer, transaction, context.witness);
  },
};

const txCodec: MessageCodec<TxMessage> = {
  command: 'tx',
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode(reader, context) {
    const start = reader.offset;
    const transaction = readTransaction(reader, context.witness);
    return { command: 'tx', transaction, raw: reader.bytes.subarray(start, reader.offset) };
  },
  encode(message, writer, context) {
    writeTransaction(writer, message.transaction, context.witness);
  },
};

const headersMessageCodec = headersCodec(
  { max: MAX_BLOCK_HEADERS_PER_MESSAGE, countPrefix: 9 },
  { size: BLOCK_HEADER_SIZE, read: readBlockHeader, write: writeBlockHeader },
);

const merkleBlockCodec: MessageCodec<MerkleBlockMessage> = {
  command: 'merkleblock',
  minProtocolVersion: BitcoinProtocol.bip37,
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode(reader) {
    const header = readBlockHeader(reader);
    const totalTransactions = reader.u32le('total transactions');
    const count = reader.count(MAX_TX_PER_BLOCK, 'merkle hashes');
    const hashes: Hash[] = new Array(count);
    for (let i = 0; i < count; i++) hashes[i] = reader.hash('merkle hash');
    const flags = reader.varBytes(MAX_FLAGS_PER_MERKLE_BLOCK, 'merkle flags');
    return { command: 'merkleblock', header, totalTransactions, hashes, flags };
  },
  encode(message, writer) {
    if (message.hashes.length > MAX_TX_PER_BLOCK)
      throw new WireError('too-many-entries', 'too many merkle hashes');
    if (message.flags.length > MAX_FLAGS_PER_MERKLE_BLOCK)
      throw new WireError('length-exceeds-maximum', 'merkle flags');
    writeBlockHeader(writer, message.header);
    writer.u32le(message.totalTransactions).varint(message.hashes.length);
    for (const hash of message.hashes) writer.hash(hash);
    writer.varBytes(message.flags);
  },
};

export const chainCodecs = [blockCodec, txCodec, headersMessageCodec, merkleBlockCodec] as MessageCodec[];
