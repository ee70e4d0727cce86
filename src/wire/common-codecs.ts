/** Codec pieces both families share byte for byte (btcd and dcrd inherit them from one wire package). */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { MessageCodec } from './codec.js';
import { WireError } from './errors.js';

/** Both families' inventory vectors: a uint32 type and a 32-byte hash. */
export interface InventoryVector {
  type: number;
  hash: Uint8Array;
}

export const INV_VECTOR_SIZE = 36;

/** A message with an empty payload, from `minProtocolVersion` on. */
export function emptyCodec<C extends string>(
  command: C,
  minProtocolVersion?: number,
): MessageCodec<{ command: C }> {
  return {
    command,
    ...(minProtocolVersion === undefined ? {} : { minProtocolVersion }),
    maxPayloadLength: () => 0,
    decode: () => ({ command }),
    encode: () => {},
  };
}

export function readInventory(reader: ByteReader, what: string, max: number): InventoryVector[] {
  const count = reader.count(max, what);
  // A count the remaining bytes cannot hold is a truncation: refuse it before allocating.
  if (count * INV_VECTOR_SIZE > reader.remaining) {
    throw new WireError('truncated', `${what}: ${count} vectors need ${count * INV_VECTOR_SIZE} bytes`);
  }
  const inventory: InventoryVector[] = new Array(count);
  for (let i = 0; i < count; i++) {
    inventory[i] = { type: reader.u32le('inventory type'), hash: reader.hash('inventory hash') };
  }
  return inventory;
}

export function writeInventory(
  writer: ByteWriter,
  inventory: readonly InventoryVector[],
  what: string,
  max: number,
): void {
  if (inventory.length > max) {
    throw new WireError('too-many-entries', `${what} count ${inventory.length} > ${max}`);
  }
  writer.varint(inventory.length);
  for (const item of inventory) writer.u32le(item.type).hash(item.hash);
}

/** How a family frames its lists: the cap and the bytes its count prefix may take at most. */
export interface ListLimits {
  max: number;
  /** Worst-case count prefix in the message's payload cap (btcd 9, dcrd 3). */
  countPrefix: number;
}

/** inv, getdata or notfound: a list of inventory vectors. */
export function inventoryCodec<C extends string>(
  command: C,
  limits: ListLimits,
): MessageCodec<{ command: C; inventory: InventoryVector[] }> {
  return {
    command,
    maxPayloadLength: () => limits.countPrefix + limits.max * INV_VECTOR_SIZE,
    decode: (reader) => ({ command, inventory: readInventory(reader, command, limits.max) }),
    encode: (message, writer) => writeInventory(writer, message.inventory, command, limits.max),
  };
}

/** A block locator, the count checked before any hash is read. */
export function readLocator(reader: ByteReader, max: number): Uint8Array[] {
  const count = reader.count(max, 'block locator');
  const locator: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) locator[i] = reader.hash('locator hash');
  return locator;
}

export function writeLocator(writer: ByteWriter, locator: readonly Uint8Array[], max: number): void {
  if (locator.length > max) {
    throw new WireError('too-many-entries', `block locator of ${locator.length} > ${max}`);
  }
  writer.varint(locator.length);
  for (const hash of locator) writer.hash(hash);
}

interface LocatorMessage<C extends string> {
  command: C;
  protocolVersion: number;
  locator: Uint8Array[];
  hashStop: Uint8Array;
}

/** getblocks or getheaders: protocol version, block locator, stop hash. */
export function locatorCodec<C extends string>(
  command: C,
  limits: ListLimits,
): MessageCodec<LocatorMessage<C>> {
  return {
    command,
    maxPayloadLength: () => 4 + limits.countPrefix + limits.max * 32 + 32,
    decode(reader) {
      const protocolVersion = reader.u32le('protocol version');
      const locator = readLocator(reader, limits.max);
      return { command, protocolVersion, locator, hashStop: reader.hash('hash stop') };
    },
    encode(message, writer) {
      writer.u32le(message.protocolVersion);
      writeLocator(writer, message.locator, limits.max);
      writer.hash(message.hashStop);
    },
  };
}

/** inv, getdata, notfound, getblocks and getheaders, with a family's limits. */
export function inventoryAndLocatorCodecs(inventory: ListLimits, locator: ListLimits): MessageCodec[] {
  return [
    inventoryCodec('inv', inventory),
    inventoryCodec('getdata', inventory),
    inventoryCodec('notfound', inventory),
    locatorCodec('getblocks', locator),
    locatorCodec('getheaders', locator),
  ] as MessageCodec[];
}

/** headers: block headers, each followed by a transaction count that must be zero. */
export function headersCodec<H>(
  limits: ListLimits,
  header: {
    size: number;
    read(reader: ByteReader): H;
    write(writer: ByteWriter, header: H): void;
  },
): MessageCodec<{ command: 'headers'; headers: H[] }> {
  return {
    command: 'headers',
    maxPayloadLength: () => limits.countPrefix + limits.max * (header.size + 1),
    decode(reader) {
      const count = reader.count(limits.max, 'headers');
      const headers: H[] = new Array(count);
      for (let i = 0; i < count; i++) {
        headers[i] = header.read(reader);
        // An artefact of the original serialisation: a transaction count that must be zero.
        const txCount = reader.varint('header tx count');
        if (txCount !== 0)
          throw new WireError('non-zero-tx-count', `block header with ${txCount} transactions`);
      }
      return { command: 'headers', headers };
    },
    encode(message, writer) {
      if (message.headers.length > limits.max) {
        throw new WireError('too-many-entries', `${message.headers.length} headers > ${limits.max}`);
      }
      writer.varint(message.headers.length);
      for (const item of message.headers) {
        header.write(writer, item);
        writer.u8(0);
      }
    },
  };
}
