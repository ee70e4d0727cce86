import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import type {
  CFCheckptMessage,
  CFHeadersMessage,
  CFilterMessage,
  GetCFCheckptMessage,
  GetCFHeadersMessage,
  GetCFiltersMessage,
  Hash,
} from './types.js';

export const MAX_CFILTER_DATA_SIZE = 256 * 1024;
export const MAX_CFHEADERS_PER_MESSAGE = 2000;
/** btcd: a checkpoint message holds at most this many filter headers. */
const MAX_CFCHECKPT_HEADERS = 100_000;

function rangeRequest<C extends 'getcfilters' | 'getcfheaders'>(
  command: C,
): MessageCodec<GetCFiltersMessage | GetCFHeadersMessage> {
  return {
    command,
    maxPayloadLength: () => 1 + 4 + 32,
    decode: (reader) =>
      ({
        command,
        filterType: reader.u8('filter type'),
        startHeight: reader.u32le('start height'),
        stopHash: reader.hash('stop hash'),
      }) as GetCFiltersMessage,
    encode(message, writer) {
      writer.u8(message.filterType).u32le(message.startHeight).hash(message.stopHash);
    },
  };
}

const getCFCheckptCodec: MessageCodec<GetCFCheckptMessage> = {
  command: 'getcfcheckpt',
  maxPayloadLength: () => 1 + 32,
  decode: (reader) => ({
    command: 'getcfcheckpt',
    filterType: reader.u8('filter type'),
    stopHash: reader.hash('stop hash'),
  }),
  encode(message, writer) {
    writer.u8(message.filterType).hash(message.stopHash);
  },
};

const cfilterCodec: MessageCodec<CFilterMessage> = {
  command: 'cfilter',
  maxPayloadLength: () => 1 + 32 + 5 + MAX_CFILTER_DATA_SIZE,
  decode: (reader) => ({
    command: 'cfilter',
    filterType: reader.u8('filter type'),
    blockHash: reader.hash('block hash'),
    data: reader.varBytes(MAX_CFILTER_DATA_SIZE, 'filter data'),
  }),
  encode(message, writer) {
    if (message.data.length > MAX_CFILTER_DATA_SIZE)
      throw new WireError('length-exceeds-maximum', 'filter data');
    writer.u8(message.filterType).hash(message.blockHash).varBytes(message.data);
  },
};

function hashList(count: number, read: () => Hash): Hash[] {
  const hashes: Hash[] = new Array(count);
  for (let i = 0; i < count; i++) hashes[i] = read();
  return hashes;
}

const cfheadersCodec: MessageCodec<CFHeadersMessage> = {
  command: 'cfheaders',
  maxPayloadLength: () => 1 + 32 + 32 + 9 + MAX_CFHEADERS_PER_MESSAGE * 32,
  decode(reader) {
    const filterType = reader.u8('filter type');
    const stopHash = reader.hash('stop hash');
    const prevFilterHeader = reader.hash('previous filter header');
    const count = reader.count(MAX_CFHEADERS_PER_MESSAGE, 'filter hashes');
    return {
      command: 'cfheaders',
      filterType,
      stopHash,
      prevFilterHeader,
      filterHashes: hashList(count, () => reader.hash('filter hash')),
    };
  },
  encode(message, writer) {
    if (message.filterHashes.length > MAX_CFHEADERS_PER_MESSAGE)
      throw new WireError('too-many-entries', 'filter hashes');
    writer.u8(message.filterType).hash(message.stopHash).hash(message.prevFilterHeader);
    writer.varint(message.filterHashes.length);
    for (const hash of message.filterHashes) writer.hash(hash);
  },
};

const cfcheckptCodec: MessageCodec<CFCheckptMessage> = {
  command: 'cfcheckpt',
  maxPayloadLength: () => 1 + 32 + 5 + MAX_CFCHECKPT_HEADERS * 32,
  decode(reader) {
    const filterType = reader.u8('filter type');
    const stopHash = reader.hash('stop hash');
    const count = reader.count(MAX_CFCHECKPT_HEADERS, 'filter headers');
    return {
      command: 'cfcheckpt',
      filterType,
      stopHash,
      filterHeaders: hashList(count, () => reader.hash('filter header')),
    };
  },
  encode(message, writer) {
    if (message.filterHeaders.length > MAX_CFCHECKPT_HEADERS)
      throw new WireError('too-many-entries', 'filter headers');
    writer.u8(message.filterType).hash(message.stopHash).varint(message.filterHeaders.length);
    for (const hash of message.filterHeaders) writer.hash(hash);
  },
};

export const cfilterCodecs = [
  rangeRequest('getcfilters'),
  rangeRequest('getcfheaders'),
  getCFCheckptCodec,
  cfilterCodec,
  cfheadersCodec,
  cfcheckptCodec,
] as MessageCodec[];
