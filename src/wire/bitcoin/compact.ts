import type { ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { BITCOIN_MAX_PAYLOAD_LENGTH, BitcoinProtocol } from '../networks.js';
import {
  MAX_TX_PER_BLOCK,
  readBlockHeader,
  readTransaction,
  writeBlockHeader,
  writeTransaction,
} from './chain.js';
import type {
  BlockTxnMessage,
  CmpctBlockMessage,
  GetBlockTxnMessage,
  PrefilledTransaction,
  SendCmpctMessage,
  Transaction,
} from './types.js';

const SHORT_ID_SIZE = 6;
/** Bitcoin Core refuses differentially encoded indexes that leave the uint16 range. */
const MAX_INDEX = 0xffff;

const sendCmpctCodec: MessageCodec<SendCmpctMessage> = {
  command: 'sendcmpct',
  minProtocolVersion: BitcoinProtocol.compactBlocks,
  maxPayloadLength: () => 9,
  decode: (reader) => ({
    command: 'sendcmpct',
    announce: reader.bool('announce'),
    version: reader.u64le('version'),
  }),
  encode(message, writer) {
    writer.bool(message.announce).u64le(message.version);
  },
};

/** Reads BIP152 differential indexes: each is the gap to the previous index plus one. */
function readIndexes(reader: ByteReader, count: number, readExtra?: (index: number) => void): number[] {
  const indexes: number[] = new Array(count);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const index = previous + 1 + reader.varint('differential index');
    if (index > MAX_INDEX) throw new WireError('invalid-value', `transaction index ${index} overflows`);
    indexes[i] = index;
    previous = index;
    readExtra?.(index);
  }
  return indexes;
}

function writeIndex(writer: ByteWriter, index: number, previous: number): void {
  if (index <= previous) throw new WireError('invalid-value', 'transaction indexes must increase');
  writer.varint(index - previous - 1);
}

const cmpctBlockCodec: MessageCodec<CmpctBlockMessage> = {
  command: 'cmpctblock',
  minProtocolVersion: BitcoinProtocol.compactBlocks,
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode(reader, context) {
    const header = readBlockHeader(reader);
    const nonce = reader.u64le('nonce');
    const shortIdCount = reader.count(MAX_TX_PER_BLOCK, 'short ids');
    if (shortIdCount * SHORT_ID_SIZE > reader.remaining)
      throw new WireError('truncated', 'truncated short ids');
    const shortIds: bigint[] = new Array(shortIdCount);
    for (let i = 0; i < shortIdCount; i++) {
      const low = reader.u32le('short id');
      const high = reader.u16le('short id');
      shortIds[i] = (BigInt(high) << 32n) | BigInt(low);
    }
    const prefilledCount = reader.count(MAX_TX_PER_BLOCK, 'prefilled transactions');
    const prefilledTransactions: PrefilledTransaction[] = [];
    readIndexes(reader, prefilledCount, (index) => {
      prefilledTransactions.push({ index, transaction: readTransaction(reader, context.witness) });
    });
    return { command: 'cmpctblock', header, nonce, shortIds, prefilledTransactions };
  },
  encode(message, writer, context) {
    writeBlockHeader(writer, message.header);
    writer.u64le(message.nonce).varint(message.shortIds.length);
    for (const id of message.shortIds)
      writer.u32le(Number(id & 0xffffffffn)).u16le(Number((id >> 32n) & 0xffffn));
    writer.varint(message.prefilledTransactions.length);
    let previous = -1;
    for (const { index, transaction } of message.prefilledTransactions) {
      writeIndex(writer, index, previous);
      previous = index;
      writeTransaction(writer, transaction, context.witness);
    }
  },
};

const getBlockTxnCodec: MessageCodec<GetBlockTxnMessage> = {
  command: 'getblocktxn',
  minProtocolVersion: BitcoinProtocol.compactBlocks,
  maxPayloadLength: () => 32 + 9 + MAX_TX_PER_BLOCK * 3,
  decode(reader) {
    const blockHash = reader.hash('block hash');
    const count = reader.count(MAX_TX_PER_BLOCK, 'transaction indexes');
    return { command: 'getblocktxn', blockHash, indexes: readIndexes(reader, count) };
  },
  encode(message, writer) {
    writer.hash(message.blockHash).varint(message.indexes.length);
    let previous = -1;
    for (const index of message.indexes) {
      writeIndex(writer, index, previous);
      previous = index;
    }
  },
};

const blockTxnCodec: MessageCodec<BlockTxnMessage> = {
  command: 'blocktxn',
  minProtocolVersion: BitcoinProtocol.compactBlocks,
  maxPayloadLength: () => BITCOIN_MAX_PAYLOAD_LENGTH,
  decode(reader, context) {
    const blockHash = reader.hash('block hash');
    const count = reader.count(MAX_TX_PER_BLOCK, 'transactions');
    const transactions: Transaction[] = new Array(count);
    for (let i = 0; i < count; i++) transactions[i] = readTransaction(reader, context.witness);
    return { command: 'blocktxn', blockHash, transactions };
  },
  encode(message, writer, context) {
    writer.hash(message.blockHash).varint(message.transactions.length);
    for (const transaction of message.transactions) writeTransaction(writer, transaction, context.witness);
  },
};

export const compactBlockCodecs = [
  sendCmpctCodec,
  cmpctBlockCodec,
  getBlockTxnCodec,
  blockTxnCodec,
] as MessageCodec[];
