import { ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { headersCodec } from '../common-codecs.js';
import { WireError } from '../errors.js';
import { equalBytes } from '../hex.js';
import { blake256 } from './hash.js';
import { DecredProtocol } from './networks.js';
import { MIN_TX_PAYLOAD, readTransaction, skipTransaction, writeTransaction } from './transaction.js';
import type {
  DecredBlockHeader,
  DecredBlockMessage,
  DecredTransaction,
  DecredTxMessage,
  Hash,
} from './types.js';

/** dcrd MaxBlockHeaderPayload. */
export const BLOCK_HEADER_SIZE = 180;
/** dcrd MaxBlockPayload (protocol ≥ 4) and MaxBlockPayloadV3 (protocol ≤ 3). */
export const MAX_BLOCK_PAYLOAD = 1_310_720;
export const MAX_BLOCK_PAYLOAD_V3 = 1_000_000;
export const MAX_BLOCK_HEADERS_PER_MESSAGE = 2000;

/** The block (and tx) payload cap: raised by protocol 4 (MaxBlockSizeVersion). */
export function maxBlockPayload(protocolVersion: number): number {
  return protocolVersion < DecredProtocol.maxBlockSize ? MAX_BLOCK_PAYLOAD_V3 : MAX_BLOCK_PAYLOAD;
}

/** dcrd MaxTxPerTxTree: how many transactions one tree of a block could possibly hold. */
export function maxTxPerTree(protocolVersion: number): number {
  return Math.floor(Math.floor(maxBlockPayload(protocolVersion) / MIN_TX_PAYLOAD) / 2) + 1;
}

export function readBlockHeader(reader: ByteReader): DecredBlockHeader {
  return {
    version: reader.i32le('header version'),
    prevBlock: reader.hash('previous block'),
    merkleRoot: reader.hash('merkle root'),
    stakeRoot: reader.hash('stake root'),
    voteBits: reader.u16le('vote bits'),
    finalState: reader.bytesView(6, 'final state'),
    voters: reader.u16le('voters'),
    freshStake: reader.u8('fresh stake'),
    revocations: reader.u8('revocations'),
    poolSize: reader.u32le('pool size'),
    bits: reader.u32le('bits'),
    sBits: reader.i64le('stake bits'),
    height: reader.u32le('height'),
    size: reader.u32le('size'),
    timestamp: reader.u32le('header timestamp'),
    nonce: reader.u32le('header nonce'),
    extraData: reader.bytesView(32, 'extra data'),
    stakeVersion: reader.u32le('stake version'),
  };
}

export function writeBlockHeader(writer: ByteWriter, header: DecredBlockHeader): void {
  writer.i32le(header.version).hash(header.prevBlock).hash(header.merkleRoot).hash(header.stakeRoot);
  writer.u16le(header.voteBits).fixed(header.finalState, 6, 'final state');
  writer.u16le(header.voters).u8(header.freshStake).u8(header.revocations);
  writer.u32le(header.poolSize).u32le(header.bits).i64le(header.sBits);
  writer.u32le(header.height).u32le(header.size).u32le(header.timestamp).u32le(header.nonce);
  writer.fixed(header.extraData, 32, 'extra data').u32le(header.stakeVersion);
}

function serializeHeader(header: DecredBlockHeader): Uint8Array {
  const writer = new ByteWriter(BLOCK_HEADER_SIZE);
  writeBlockHeader(writer, header);
  return writer.finish();
}

/** Block hash: BLAKE-256 of the 180-byte header, in wire order. */
export function blockHash(header: DecredBlockHeader): Hash {
  return blake256(serializeHeader(header));
}

type TreeKey = 'transactions' | 'stakeTransactions';

/** Gives a decoded block a transaction tree that is decoded from the raw payload on first access. */
function defineLazyTree(
  block: DecredBlockMessage,
  key: TreeKey,
  raw: Uint8Array,
  start: number,
  count: number,
) {
  Object.defineProperty(block, key, {
    enumerable: true,
    configurable: true,
    get(): DecredTransaction[] {
      const reader = new ByteReader(raw, start);
      const transactions: DecredTransaction[] = new Array(count);
      for (let i = 0; i < count; i++) transactions[i] = readTransaction(reader);
      Object.defineProperty(block, key, { value: transactions, writable: true, enumerable: true });
      return transactions;
    },
    set(value: DecredTransaction[]) {
      Object.defineProperty(block, key, { value, writable: true, enumerable: true });
    },
  });
}

function untouched(block: DecredBlockMessage, key: TreeKey): boolean {
  return Object.getOwnPropertyDescriptor(block, key)?.get !== undefined;
}

/** True while a decoded block's raw payload still describes it: trees never materialised, header as decoded. */
function rawIsCurrent(block: DecredBlockMessage): block is DecredBlockMessage & { raw: Uint8Array } {
  if (!block.raw || !untouched(block, 'transactions') || !untouched(block, 'stakeTransactions')) return false;
  return equalBytes(serializeHeader(block.header), block.raw.subarray(0, BLOCK_HEADER_SIZE));
}

const blockCodec: MessageCodec<DecredBlockMessage> = {
  command: 'block',
  maxPayloadLength: maxBlockPayload,
  decode(reader, context) {
    const start = reader.offset;
    const header = readBlockHeader(reader);
    const max = maxTxPerTree(context.protocolVersion);
    const count = reader.count(max, 'block transaction');
    const regularStart = reader.offset;
    for (let i = 0; i < count; i++) skipTransaction(reader);
    const stakeCount = reader.count(max, 'block stake transaction');
    const stakeStart = reader.offset;
    for (let i = 0; i < stakeCount; i++) skipTransaction(reader);
    const block = {
      command: 'block',
      header,
      raw: reader.bytes.subarray(start, reader.offset),
    } as DecredBlockMessage;
    defineLazyTree(block, 'transactions', reader.bytes, regularStart, count);
    defineLazyTree(block, 'stakeTransactions', reader.bytes, stakeStart, stakeCount);
    return block;
  },
  rawPayload: (message) => (rawIsCurrent(message) ? message.raw : undefined),
  encode(message, writer, context) {
    if (rawIsCurrent(message)) {
      writer.bytes(message.raw);
      return;
    }
    const max = maxTxPerTree(context.protocolVersion);
    if (message.transactions.length > max || message.stakeTransactions.length > max) {
      throw new WireError('too-many-entries', `block tree with more than ${max} transactions`);
    }
    writeBlockHeader(writer, message.header);
    writer.varint(message.transactions.length);
    for (const transaction of message.transactions) writeTransaction(writer, transaction);
    writer.varint(message.stakeTransactions.length);
    for (const transaction of message.stakeTransactions) writeTransaction(writer, transaction);
  },
};

const txCodec: MessageCodec<DecredTxMessage> = {
  command: 'tx',
  maxPayloadLength: maxBlockPayload,
  decode(reader) {
    const start = reader.offset;
    const transaction = readTransaction(reader);
    return { command: 'tx', transaction, raw: reader.bytes.subarray(start, reader.offset) };
  },
  encode(message, writer) {
    writeTransaction(writer, message.transaction);
  },
};

const headersMessageCodec = headersCodec(
  { max: MAX_BLOCK_HEADERS_PER_MESSAGE, countPrefix: 3 },
  { size: BLOCK_HEADER_SIZE, read: readBlockHeader, write: writeBlockHeader },
);

export const chainCodecs = [blockCodec, txCodec, headersMessageCodec] as MessageCodec[];
