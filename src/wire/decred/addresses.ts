import { NET_ADDRESS_SIZE_WITH_TIME, readNetAddress, writeNetAddress } from '../bitcoin/address.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { DecredProtocol } from './networks.js';
import {
  type AddrMessage,
  DecredAddressType,
  type DecredAddrV2Entry,
  type DecredAddrV2Message,
  type NetAddress,
} from './types.js';

/** dcrd MaxAddrPerMsg and MaxAddrPerV2Msg. */
export const MAX_ADDR_PER_MESSAGE = 1000;
/** Timestamp 8 + services 8 + type 1 + the largest address (TorV3, 32) + port 2. */
const MAX_ADDRV2_ENTRY_SIZE = 8 + 8 + 1 + 32 + 2;
/**
 * The largest Unix time Go's time.Unix can represent (math.MaxInt64 − 62135596800); dcrd rejects
 * addrv2 timestamps above it.
 */
const MAX_ADDRV2_TIMESTAMP = 0x7fffffffffffffffn - 62_135_596_800n;

const ADDRESS_SIZE_BY_TYPE: ReadonlyMap<number, number> = new Map([
  [DecredAddressType.ipv4, 4],
  [DecredAddressType.ipv6, 16],
  [DecredAddressType.torv3, 32],
]);

/** addr: legacy 30-byte addresses; replaced by addrv2 from protocol 12 on. */
const addrCodec: MessageCodec<AddrMessage> = {
  command: 'addr',
  maxProtocolVersion: DecredProtocol.addrV2,
  maxPayloadLength: (pver) =>
    pver >= DecredProtocol.addrV2 ? 0 : 3 + MAX_ADDR_PER_MESSAGE * NET_ADDRESS_SIZE_WITH_TIME,
  decode(reader) {
    const count = reader.count(MAX_ADDR_PER_MESSAGE, 'addresses');
    const addresses: NetAddress[] = new Array(count);
    for (let i = 0; i < count; i++) addresses[i] = readNetAddress(reader, true);
    return { command: 'addr', addresses };
  },
  encode(message, writer) {
    const count = message.addresses.length;
    if (count > MAX_ADDR_PER_MESSAGE) {
      throw new WireError('too-many-entries', `addr with ${count} addresses > ${MAX_ADDR_PER_MESSAGE}`);
    }
    writer.varint(count);
    for (const address of message.addresses) writeNetAddress(writer, address, true);
  },
};

/** One dcrd addrv2 entry: fixed-size fields, the address length implied by its type. */
export function readAddrV2Entry(reader: ByteReader): DecredAddrV2Entry {
  const timestamp = reader.u64le('address timestamp');
  if (timestamp > MAX_ADDRV2_TIMESTAMP) {
    throw new WireError('invalid-timestamp', `address timestamp ${timestamp} > ${MAX_ADDRV2_TIMESTAMP}`);
  }
  const services = reader.u64le('address services');
  const type = reader.u8('address type');
  const size = ADDRESS_SIZE_BY_TYPE.get(type);
  if (size === undefined) throw new WireError('unknown-address-type', `unknown address type ${type}`);
  const addr = reader.bytesView(size, 'address');
  const port = reader.u16le('address port');
  return { timestamp, services, type, addr, port };
}

export function writeAddrV2Entry(writer: ByteWriter, entry: DecredAddrV2Entry): void {
  const size = ADDRESS_SIZE_BY_TYPE.get(entry.type);
  if (size === undefined) throw new WireError('unknown-address-type', `unknown address type ${entry.type}`);
  if (entry.addr.length !== size) {
    throw new WireError(
      'invalid-address-size',
      `address type ${entry.type} needs ${size} bytes, got ${entry.addr.length}`,
    );
  }
  if (entry.timestamp < 0n || entry.timestamp > MAX_ADDRV2_TIMESTAMP) {
    throw new WireError('invalid-timestamp', `address timestamp ${entry.timestamp} out of range`);
  }
  writer.u64le(entry.timestamp).u64le(entry.services).u8(entry.type).bytes(entry.addr).u16le(entry.port);
}

function checkAddrV2Count(count: number): void {
  if (count === 0) throw new WireError('too-few-entries', 'addrv2 without addresses');
  if (count > MAX_ADDR_PER_MESSAGE) {
    throw new WireError('too-many-entries', `addrv2 with ${count} addresses > ${MAX_ADDR_PER_MESSAGE}`);
  }
}

/** addrv2 (protocol ≥ 12): 1 to 1000 entries of dcrd's own format (not BIP155). */
const addrV2Codec: MessageCodec<DecredAddrV2Message> = {
  command: 'addrv2',
  minProtocolVersion: DecredProtocol.addrV2,
  maxPayloadLength: (pver) =>
    pver < DecredProtocol.addrV2 ? 0 : 3 + MAX_ADDR_PER_MESSAGE * MAX_ADDRV2_ENTRY_SIZE,
  decode(reader) {
    const count = reader.varint('addrv2 addresses');
    checkAddrV2Count(count);
    const addresses: DecredAddrV2Entry[] = new Array(count);
    for (let i = 0; i < count; i++) addresses[i] = readAddrV2Entry(reader);
    return { command: 'addrv2', addresses };
  },
  encode(message, writer) {
    checkAddrV2Count(message.addresses.length);
    writer.varint(message.addresses.length);
    for (const entry of message.addresses) writeAddrV2Entry(writer, entry);
  },
};

export const addressCodecs = [addrCodec, addrV2Codec] as MessageCodec[];
