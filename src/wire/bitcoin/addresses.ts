import type { ByteReader } from '../bytes.js';
import type { MessageCodec } from '../codec.js';
import { WireError } from '../errors.js';
import { BitcoinProtocol } from '../networks.js';
import { NET_ADDRESS_SIZE, NET_ADDRESS_SIZE_WITH_TIME, readNetAddress, writeNetAddress } from './address.js';
import {
  type AddrMessage,
  type AddrV2Entry,
  type AddrV2Message,
  AddrV2Network,
  type NetAddress,
} from './types.js';

export const MAX_ADDR_PER_MESSAGE = 1000;
/** BIP155: an address longer than this makes the whole message invalid. */
const MAX_ADDRV2_ADDRESS_SIZE = 512;
/** 4 time + 9 services + 1 network + 3 length + 512 address + 2 port. */
const MAX_ADDRV2_ENTRY_SIZE = 4 + 9 + 1 + 3 + MAX_ADDRV2_ADDRESS_SIZE + 2;

const ADDRESS_SIZE_BY_NETWORK: ReadonlyMap<number, number> = new Map([
  [AddrV2Network.ipv4, 4],
  [AddrV2Network.ipv6, 16],
  [AddrV2Network.torv2, 10],
  [AddrV2Network.torv3, 32],
  [AddrV2Network.i2p, 32],
  [AddrV2Network.cjdns, 16],
]);

const ONIONCAT_PREFIX = [0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43];
const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

const addrCodec: MessageCodec<AddrMessage> = {
  command: 'addr',
  maxPayloadLength: (pver) =>
    9 +
    MAX_ADDR_PER_MESSAGE *
      (pver >= BitcoinProtocol.netAddressTime ? NET_ADDRESS_SIZE_WITH_TIME : NET_ADDRESS_SIZE),
  decode(reader, context) {
    const count = reader.count(MAX_ADDR_PER_MESSAGE, 'addresses');
    const withTimestamp = context.protocolVersion >= BitcoinProtocol.netAddressTime;
    const addresses: NetAddress[] = new Array(count);
    for (let i = 0; i < count; i++) addresses[i] = readNetAddress(reader, withTimestamp);
    return { command: 'addr', addresses };
  },
  encode(message, writer, context) {
    const count = message.addresses.length;
    // Before protocol 209 an addr message carried a single address.
    const max = context.protocolVersion < BitcoinProtocol.multipleAddress ? 1 : MAX_ADDR_PER_MESSAGE;
    if (count > max) throw new WireError('too-many-entries', `addr with ${count} addresses > ${max}`);
    writer.varint(count);
    const withTimestamp = context.protocolVersion >= BitcoinProtocol.netAddressTime;
    for (const address of message.addresses) writeNetAddress(writer, address, withTimestamp);
  },
};

/** One BIP155 entry, or undefined for an entry btcd reads and ignores. */
export function readAddrV2Entry(reader: ByteReader): AddrV2Entry | undefined {
  const timestamp = reader.u32le('address timestamp');
  const services = reader.varintBig('address services');
  const networkId = reader.u8('address network');
  const size = reader.varint('address length');
  if (size > MAX_ADDRV2_ADDRESS_SIZE) {
    throw new WireError(
      'invalid-address-size',
      `addrv2 address of ${size} bytes > ${MAX_ADDRV2_ADDRESS_SIZE}`,
    );
  }
  const expected = ADDRESS_SIZE_BY_NETWORK.get(networkId);
  if (expected !== undefined && size !== expected) {
    throw new WireError(
      'invalid-address-size',
      `network ${networkId} address of ${size} bytes, expected ${expected}`,
    );
  }
  const addr = reader.bytesCopy(size, 'address');
  const port = reader.u16be('address port');
  if (expected === undefined) return undefined; // unknown network: skipped (BIP155)
  if (networkId === AddrV2Network.i2p || networkId === AddrV2Network.cjdns) return undefined;
  if (
    networkId === AddrV2Network.ipv6 &&
    (startsWith(addr, ONIONCAT_PREFIX) || startsWith(addr, IPV4_MAPPED_PREFIX))
  ) {
    return undefined;
  }
  return { timestamp, services, networkId, addr, port };
}

const addrV2Codec: MessageCodec<AddrV2Message> = {
  command: 'addrv2',
  maxPayloadLength: () => 3 + MAX_ADDR_PER_MESSAGE * MAX_ADDRV2_ENTRY_SIZE,
  decode(reader) {
    const count = reader.count(MAX_ADDR_PER_MESSAGE, 'addrv2 addresses');
    const addresses: AddrV2Entry[] = [];
    for (let i = 0; i < count; i++) {
      const entry = readAddrV2Entry(reader);
      if (entry) addresses.push(entry);
    }
    return { command: 'addrv2', addresses };
  },
  encode(message, writer) {
    const count = message.addresses.length;
    if (count > MAX_ADDR_PER_MESSAGE)
      throw new WireError('too-many-entries', `addrv2 with ${count} addresses`);
    writer.varint(count);
    for (const entry of message.addresses) {
      if (entry.addr.length > MAX_ADDRV2_ADDRESS_SIZE)
        throw new WireError('length-exceeds-maximum', 'addrv2 address');
      writer
        .u32le(entry.timestamp)
        .varint(entry.services)
        .u8(entry.networkId)
        .varBytes(entry.addr)
        .u16be(entry.port);
    }
  },
};

export const addressCodecs = [addrCodec, addrV2Codec] as MessageCodec[];
