import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { BitcoinProtocol } from '../networks.js';
import type { FilterAddMessage, FilterLoadMessage } from './types.js';

export const MAX_FILTER_LOAD_FILTER_SIZE = 36_000;
export const MAX_FILTER_LOAD_HASH_FUNCS = 50;
export const MAX_FILTER_ADD_DATA_SIZE = 520;

const filterLoadCodec: MessageCodec<FilterLoadMessage> = {
  command: 'filterload',
  minProtocolVersion: BitcoinProtocol.bip37,
  maxPayloadLength: () => 3 + MAX_FILTER_LOAD_FILTER_SIZE + 9,
  decode(reader) {
    const filter = reader.varBytes(MAX_FILTER_LOAD_FILTER_SIZE, 'bloom filter');
    const hashFunctions = reader.u32le('hash functions');
    const tweak = reader.u32le('tweak');
    const flags = reader.u8('flags');
    // Checked after the whole message is read, as btcd does.
    if (hashFunctions > MAX_FILTER_LOAD_HASH_FUNCS) {
      throw new WireError(
        'too-many-entries',
        `${hashFunctions} hash functions > ${MAX_FILTER_LOAD_HASH_FUNCS}`,
      );
    }
    return { command: 'filterload', filter, hashFunctions, tweak, flags };
  },
  encode(message, writer) {
    if (message.filter.length > MAX_FILTER_LOAD_FILTER_SIZE)
      throw new WireError('length-exceeds-maximum', 'bloom filter');
    if (message.hashFunctions > MAX_FILTER_LOAD_HASH_FUNCS)
      throw new WireError('too-many-entries', 'hash functions');
    writer.varBytes(message.filter).u32le(message.hashFunctions).u32le(message.tweak).u8(message.flags);
  },
};

const filterAddCodec: MessageCodec<FilterAddMessage> = {
  command: 'filteradd',
  minProtocolVersion: BitcoinProtocol.bip37,
  maxPayloadLength: () => 3 + MAX_FILTER_ADD_DATA_SIZE,
  decode: (reader) => ({
    command: 'filteradd',
    data: reader.varBytes(MAX_FILTER_ADD_DATA_SIZE, 'filteradd data'),
  }),
  encode(message, writer) {
    if (message.data.length > MAX_FILTER_ADD_DATA_SIZE)
      throw new WireError('length-exceeds-maximum', 'filteradd data');
    writer.varBytes(message.data);
  },
};

export const bloomCodecs = [filterLoadCodec, filterAddCodec] as MessageCodec[];
