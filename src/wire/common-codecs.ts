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
