import type { ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { emptyCodec } from './control.js';
import { MAX_LOCATOR_HASHES, readLocator, writeLocator } from './inventory.js';
import { DecredProtocol } from './networks.js';
import { readHashList, writeHashList } from './state.js';
import type {
  CFiltersV2Message,
  CFilterV2,
  CFilterV2Message,
  CFTypesMessage,
  DecredCFHeadersMessage,
  DecredCFilterMessage,
  DecredGetCFHeadersMessage,
  GetCFilterMessage,
  GetCFiltersV2Message,
  GetCFilterV2Message,
} from './types.js';

/** dcrd MaxCFilterDataSize, MaxCFHeadersPerMsg, MaxFilterTypesPerMsg, MaxHeaderProofHashes, MaxCFiltersV2PerBatch. */
export const MAX_CFILTER_DATA_SIZE = 256 * 1024;
export const MAX_CFHEADERS_PER_MESSAGE = 2000;
export const MAX_FILTER_TYPES_PER_MESSAGE = 256;
export const MAX_HEADER_PROOF_HASHES = 32;
export const MAX_CFILTERS_V2_PER_BATCH = 100;

/** Block hash 32, data (5-byte length + 256 KiB), proof index 4, proofs (1-byte count + 32 × 32). */
const MAX_CFILTER_V2_SIZE = 32 + 5 + MAX_CFILTER_DATA_SIZE + 4 + 1 + MAX_HEADER_PROOF_HASHES * 32;

/** Payload cap that is zero below the version where the message appears, as dcrd reports it. */
function gatedCap(minProtocolVersion: number, cap: number): (pver: number) => number {
  return (pver) => (pver < minProtocolVersion ? 0 : cap);
}

function writeFilterData(writer: ByteWriter, data: Uint8Array): void {
  if (data.length > MAX_CFILTER_DATA_SIZE) {
    throw new WireError(
      'length-exceeds-maximum',
      `filter data of ${data.length} bytes > ${MAX_CFILTER_DATA_SIZE}`,
    );
  }
  writer.varBytes(data);
}

// Version 1 committed filters (protocol 6, NodeCFVersion). Deprecated since protocol 7 but dcrd
// still decodes them at every later version.

const getCFilterCodec: MessageCodec<GetCFilterMessage> = {
  command: 'getcfilter',
  minProtocolVersion: DecredProtocol.nodeCF,
  maxPayloadLength: () => 32 + 1,
  decode: (reader) => ({
    command: 'getcfilter',
    blockHash: reader.hash('block hash'),
    filterType: reader.u8('filter type'),
  }),
  encode(message, writer) {
    writer.hash(message.blockHash).u8(message.filterType);
  },
};

const getCFHeadersCodec: MessageCodec<DecredGetCFHeadersMessage> = {
  command: 'getcfheaders',
  minProtocolVersion: DecredProtocol.nodeCF,
  maxPayloadLength: () => 3 + MAX_LOCATOR_HASHES * 32 + 32 + 1,
  decode: (reader) => ({
    command: 'getcfheaders',
    locator: readLocator(reader),
    hashStop: reader.hash('hash stop'),
    filterType: reader.u8('filter type'),
  }),
  encode(message, writer) {
    writeLocator(writer, message.locator);
    writer.hash(message.hashStop).u8(message.filterType);
  },
};

const getCFTypesCodec = emptyCodec('getcftypes', DecredProtocol.nodeCF);

const cfilterCodec: MessageCodec<DecredCFilterMessage> = {
  command: 'cfilter',
  minProtocolVersion: DecredProtocol.nodeCF,
  maxPayloadLength: () => 5 + MAX_CFILTER_DATA_SIZE + 32 + 1,
  decode: (reader) => ({
    command: 'cfilter',
    blockHash: reader.hash('block hash'),
    filterType: reader.u8('filter type'),
    data: reader.varBytes(MAX_CFILTER_DATA_SIZE, 'filter data'),
  }),
  encode(message, writer) {
    writer.hash(message.blockHash).u8(message.filterType);
    writeFilterData(writer, message.data);
  },
};

const cfheadersCodec: MessageCodec<DecredCFHeadersMessage> = {
  command: 'cfheaders',
  minProtocolVersion: DecredProtocol.nodeCF,
  maxPayloadLength: () => 32 + 1 + 3 + MAX_CFHEADERS_PER_MESSAGE * 32,
  decode: (reader) => ({
    command: 'cfheaders',
    stopHash: reader.hash('stop hash'),
    filterType: reader.u8('filter type'),
    headerHashes: readHashList(reader, MAX_CFHEADERS_PER_MESSAGE, 'filter header'),
  }),
  encode(message, writer) {
    if (message.headerHashes.length > MAX_CFHEADERS_PER_MESSAGE) {
      throw new WireError('too-many-entries', `${message.headerHashes.length} filter headers`);
    }
    writer.hash(message.stopHash).u8(message.filterType);
    writeHashList(writer, message.headerHashes, MAX_CFHEADERS_PER_MESSAGE, 'filter header');
  },
};

const cftypesCodec: MessageCodec<CFTypesMessage> = {
  command: 'cftypes',
  minProtocolVersion: DecredProtocol.nodeCF,
  maxPayloadLength: () => 3 + MAX_FILTER_TYPES_PER_MESSAGE,
  decode(reader) {
    const count = reader.count(MAX_FILTER_TYPES_PER_MESSAGE, 'filter type');
    const supportedFilters: number[] = new Array(count);
    for (let i = 0; i < count; i++) supportedFilters[i] = reader.u8('filter type');
    return { command: 'cftypes', supportedFilters };
  },
  encode(message, writer) {
    if (message.supportedFilters.length > MAX_FILTER_TYPES_PER_MESSAGE) {
      throw new WireError('too-many-entries', `${message.supportedFilters.length} filter types`);
    }
    writer.varint(message.supportedFilters.length);
    for (const type of message.supportedFilters) writer.u8(type);
  },
};

// Version 2 filters with header-commitment proofs (protocol 7), batched from protocol 11.

function readCFilterV2(reader: ByteReader): CFilterV2 {
  return {
    blockHash: reader.hash('block hash'),
    data: reader.varBytes(MAX_CFILTER_DATA_SIZE, 'filter data'),
    proofIndex: reader.u32le('proof index'),
    proofHashes: readHashList(reader, MAX_HEADER_PROOF_HASHES, 'proof hash'),
  };
}

function writeCFilterV2(writer: ByteWriter, filter: CFilterV2): void {
  // Both limits are checked before the first byte, as dcrd does.
  if (filter.data.length > MAX_CFILTER_DATA_SIZE) {
    throw new WireError('length-exceeds-maximum', `filter data of ${filter.data.length} bytes`);
  }
  if (filter.proofHashes.length > MAX_HEADER_PROOF_HASHES) {
    throw new WireError(
      'too-many-entries',
      `${filter.proofHashes.length} proof hashes > ${MAX_HEADER_PROOF_HASHES}`,
    );
  }
  writer.hash(filter.blockHash);
  writeFilterData(writer, filter.data);
  writer.u32le(filter.proofIndex);
  writeHashList(writer, filter.proofHashes, MAX_HEADER_PROOF_HASHES, 'proof hash');
}

const getCFilterV2Codec: MessageCodec<GetCFilterV2Message> = {
  command: 'getcfilterv2',
  minProtocolVersion: DecredProtocol.cfilterV2,
  maxPayloadLength: gatedCap(DecredProtocol.cfilterV2, 32),
  decode: (reader) => ({ command: 'getcfilterv2', blockHash: reader.hash('block hash') }),
  encode(message, writer) {
    writer.hash(message.blockHash);
  },
};

const cfilterV2Codec: MessageCodec<CFilterV2Message> = {
  command: 'cfilterv2',
  minProtocolVersion: DecredProtocol.cfilterV2,
  maxPayloadLength: gatedCap(DecredProtocol.cfilterV2, MAX_CFILTER_V2_SIZE),
  decode: (reader) => ({ command: 'cfilterv2', ...readCFilterV2(reader) }),
  encode(message, writer) {
    writeCFilterV2(writer, message);
  },
};

const getCFiltersV2Codec: MessageCodec<GetCFiltersV2Message> = {
  command: 'getcfsv2',
  minProtocolVersion: DecredProtocol.batchedCFiltersV2,
  maxPayloadLength: gatedCap(DecredProtocol.batchedCFiltersV2, 64),
  decode: (reader) => ({
    command: 'getcfsv2',
    startHash: reader.hash('start hash'),
    endHash: reader.hash('end hash'),
  }),
  encode(message, writer) {
    writer.hash(message.startHash).hash(message.endHash);
  },
};

const cfiltersV2Codec: MessageCodec<CFiltersV2Message> = {
  command: 'cfiltersv2',
  minProtocolVersion: DecredProtocol.batchedCFiltersV2,
  maxPayloadLength: gatedCap(
    DecredProtocol.batchedCFiltersV2,
    1 + MAX_CFILTERS_V2_PER_BATCH * MAX_CFILTER_V2_SIZE,
  ),
  decode(reader) {
    const count = reader.count(MAX_CFILTERS_V2_PER_BATCH, 'cfilter');
    const filters: CFilterV2[] = new Array(count);
    for (let i = 0; i < count; i++) filters[i] = readCFilterV2(reader);
    return { command: 'cfiltersv2', filters };
  },
  encode(message, writer) {
    if (message.filters.length > MAX_CFILTERS_V2_PER_BATCH) {
      throw new WireError(
        'too-many-entries',
        `${message.filters.length} filters > ${MAX_CFILTERS_V2_PER_BATCH}`,
      );
    }
    writer.varint(message.filters.length);
    for (const filter of message.filters) writeCFilterV2(writer, filter);
  },
};

export const cfilterCodecs = [
  getCFilterCodec,
  getCFHeadersCodec,
  getCFTypesCodec,
  cfilterCodec,
  cfheadersCodec,
  cftypesCodec,
  getCFilterV2Codec,
  cfilterV2Codec,
  getCFiltersV2Codec,
  cfiltersV2Codec,
] as MessageCodec[];
