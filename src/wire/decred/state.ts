import type { ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { emptyCodec } from './control.js';
import { DecredProtocol } from './networks.js';
import { readAsciiString, writeAsciiString } from './strings.js';
import type { GetInitStateMessage, Hash, InitStateMessage, MiningStateMessage } from './types.js';

/** dcrd MaxMSBlocksAtHeadPerMsg / MaxMSVotesAtHeadPerMsg (and the same for initstate). */
export const MAX_BLOCKS_AT_HEAD = 8;
export const MAX_VOTES_AT_HEAD = 40;
/** dcrd MaxISTSpendsAtHeadPerMsg. */
export const MAX_TSPENDS_AT_HEAD = 7;
/** dcrd MaxInitStateTypes / MaxInitStateTypeLen. */
export const MAX_INIT_STATE_TYPES = 32;
export const MAX_INIT_STATE_TYPE_LENGTH = 32;

/** The names dcrd understands in getinitstate. */
export const InitStateType = {
  headBlocks: 'headblocks',
  headBlockVotes: 'headblockvotes',
  tspends: 'tspends',
} as const;

export function readHashList(reader: ByteReader, max: number, what: string): Hash[] {
  const count = reader.count(max, what);
  const hashes: Hash[] = new Array(count);
  for (let i = 0; i < count; i++) hashes[i] = reader.hash(what);
  return hashes;
}

export function writeHashList(writer: ByteWriter, hashes: readonly Hash[], max: number, what: string): void {
  if (hashes.length > max) throw new WireError('too-many-entries', `${what} count ${hashes.length} > ${max}`);
  writer.varint(hashes.length);
  for (const hash of hashes) writer.hash(hash);
}

/** The request is spelled "getminings": "getminingstate" does not fit the 12-byte command. */
const getMiningStateCodec = emptyCodec('getminings');

const miningStateCodec: MessageCodec<MiningStateMessage> = {
  command: 'miningstate',
  maxPayloadLength: () => 4 + 4 + 1 + MAX_BLOCKS_AT_HEAD * 32 + 1 + MAX_VOTES_AT_HEAD * 32,
  decode: (reader) => ({
    command: 'miningstate',
    version: reader.u32le('mining state version'),
    height: reader.u32le('mining state height'),
    blockHashes: readHashList(reader, MAX_BLOCKS_AT_HEAD, 'block hash'),
    voteHashes: readHashList(reader, MAX_VOTES_AT_HEAD, 'vote hash'),
  }),
  encode(message, writer) {
    writer.u32le(message.version).u32le(message.height);
    writeHashList(writer, message.blockHashes, MAX_BLOCKS_AT_HEAD, 'block hash');
    writeHashList(writer, message.voteHashes, MAX_VOTES_AT_HEAD, 'vote hash');
  },
};

const getInitStateCodec: MessageCodec<GetInitStateMessage> = {
  command: 'getinitstate',
  minProtocolVersion: DecredProtocol.initState,
  maxPayloadLength: (pver) =>
    pver < DecredProtocol.initState ? 0 : 1 + MAX_INIT_STATE_TYPES * (1 + MAX_INIT_STATE_TYPE_LENGTH),
  decode(reader) {
    const count = reader.count(MAX_INIT_STATE_TYPES, 'init state type');
    const types: string[] = new Array(count);
    for (let i = 0; i < count; i++)
      types[i] = readAsciiString(reader, MAX_INIT_STATE_TYPE_LENGTH, 'init state type');
    return { command: 'getinitstate', types };
  },
  encode(message, writer) {
    if (message.types.length > MAX_INIT_STATE_TYPES) {
      throw new WireError(
        'too-many-entries',
        `${message.types.length} init state types > ${MAX_INIT_STATE_TYPES}`,
      );
    }
    writer.varint(message.types.length);
    for (const type of message.types)
      writeAsciiString(writer, type, MAX_INIT_STATE_TYPE_LENGTH, 'init state type');
  },
};

const initStateCodec: MessageCodec<InitStateMessage> = {
  command: 'initstate',
  minProtocolVersion: DecredProtocol.initState,
  maxPayloadLength: (pver) =>
    pver < DecredProtocol.initState
      ? 0
      : 1 + MAX_BLOCKS_AT_HEAD * 32 + 1 + MAX_VOTES_AT_HEAD * 32 + 1 + MAX_TSPENDS_AT_HEAD * 32,
  decode: (reader) => ({
    command: 'initstate',
    blockHashes: readHashList(reader, MAX_BLOCKS_AT_HEAD, 'block hash'),
    voteHashes: readHashList(reader, MAX_VOTES_AT_HEAD, 'vote hash'),
    tspendHashes: readHashList(reader, MAX_TSPENDS_AT_HEAD, 'tspend hash'),
  }),
  encode(message, writer) {
    writeHashList(writer, message.blockHashes, MAX_BLOCKS_AT_HEAD, 'block hash');
    writeHashList(writer, message.voteHashes, MAX_VOTES_AT_HEAD, 'vote hash');
    writeHashList(writer, message.tspendHashes, MAX_TSPENDS_AT_HEAD, 'tspend hash');
  },
};

export const stateCodecs = [
  getMiningStateCodec,
  miningStateCodec,
  getInitStateCodec,
  initStateCodec,
] as MessageCodec[];
