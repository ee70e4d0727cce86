import type { MessageCodec } from '../codec.js';
import { INV_VECTOR_SIZE, readInventory, writeInventory } from '../common-codecs.js';
import { WireError } from '../errors.js';
import type {
  GetBlocksMessage,
  GetDataMessage,
  GetHeadersMessage,
  InvMessage,
  NotFoundMessage,
} from './types.js';

export const MAX_INV_PER_MESSAGE = 50_000;
export const MAX_LOCATOR_HASHES = 500;

function inventoryCodec<C extends 'inv' | 'getdata' | 'notfound'>(
  command: C,
): MessageCodec<InvMessage | GetDataMessage | NotFoundMessage> {
  return {
    command,
    maxPayloadLength: () => 9 + MAX_INV_PER_MESSAGE * INV_VECTOR_SIZE,
    decode: (reader) =>
      ({ command, inventory: readInventory(reader, command, MAX_INV_PER_MESSAGE) }) as InvMessage,
    encode: (message, writer) => writeInventory(writer, message.inventory, command, MAX_INV_PER_MESSAGE),
  };
}

function locatorCodec<C extends 'getblocks' | 'getheaders'>(
  command: C,
): MessageCodec<GetBlocksMessage | GetHeadersMessage> {
  return {
    command,
    maxPayloadLength: () => 4 + 9 + MAX_LOCATOR_HASHES * 32 + 32,
    decode(reader) {
      const protocolVersion = reader.u32le('protocol version');
      const count = reader.count(MAX_LOCATOR_HASHES, 'block locator');
      const locator: Uint8Array[] = new Array(count);
      for (let i = 0; i < count; i++) locator[i] = reader.hash('locator hash');
      return { command, protocolVersion, locator, hashStop: reader.hash('hash stop') } as GetBlocksMessage;
    },
    encode(message, writer) {
      if (message.locator.length > MAX_LOCATOR_HASHES) {
        throw new WireError(
          'too-many-entries',
          `block locator of ${message.locator.length} > ${MAX_LOCATOR_HASHES}`,
        );
      }
      writer.u32le(message.protocolVersion).varint(message.locator.length);
      for (const hash of message.locator) writer.hash(hash);
      writer.hash(message.hashStop);
    },
  };
}

export const inventoryCodecs = [
  inventoryCodec('inv'),
  inventoryCodec('getdata'),
  inventoryCodec('notfound'),
  locatorCodec('getblocks'),
  locatorCodec('getheaders'),
] as MessageCodec[];
