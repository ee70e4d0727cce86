import type { ByteReader, ByteWriter } from '../bytes.js';
import { WireError } from '../errors.js';
import type { NetAddress } from './types.js';

/** Size of a legacy network address without / with its timestamp. */
export const NET_ADDRESS_SIZE = 26;
export const NET_ADDRESS_SIZE_WITH_TIME = 30;

export function readNetAddress(reader: ByteReader, withTimestamp: boolean): NetAddress {
  const timestamp = withTimestamp ? reader.u32le('address timestamp') : undefined;
  const services = reader.u64le('address services');
  const ip = reader.bytesView(16, 'address ip');
  const port = reader.u16be('address port');
  return timestamp === undefined ? { services, ip, port } : { timestamp, services, ip, port };
}

export function writeNetAddress(writer: ByteWriter, address: NetAddress, withTimestamp: boolean): void {
  if (withTimestamp) writer.u32le(address.timestamp ?? 0);
  writer.u64le(address.services);
  if (address.ip.length === 0) writer.bytes(new Uint8Array(16));
  else writer.fixed(address.ip, 16, 'address ip');
  writer.u16be(address.port);
}

const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IPv4 or IPv6 literal into 16 bytes (IPv4 mapped as ::ffff:a.b.c.d). */
export function ipToBytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    out.set(IPV4_MAPPED_PREFIX);
    for (let i = 0; i < 4; i++) {
      const part = Number(v4[i + 1]);
      if (part > 255) throw new WireError('invalid-value', `bad IPv4 address ${ip}`);
      out[12 + i] = part;
    }
    return out;
  }
  let text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const mapped = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  let tail: Uint8Array | undefined;
  if (mapped) {
    tail = ipToBytes(mapped[2]!).subarray(12);
    text = `${mapped[1]}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new WireError('invalid-value', `bad IPv6 address ${ip}`);
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0))
    throw new WireError('invalid-value', `bad IPv6 address ${ip}`);
  const groups = [...head, ...Array<string>(missing).fill('0'), ...rest];
  groups.forEach((group, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new WireError('invalid-value', `bad IPv6 address ${ip}`);
    const value = Number.parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

/** Text form of a 16-byte address; IPv4-mapped addresses print as dotted IPv4. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16)
    throw new WireError('invalid-value', `an IP is 4 or 16 bytes, got ${bytes.length}`);
  if (IPV4_MAPPED_PREFIX.every((byte, i) => bytes[i] === byte))
    return Array.from(bytes.subarray(12)).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

export function netAddress(ip: string, port: number, services = 0n, timestamp?: number): NetAddress {
  const address: NetAddress = { services, ip: ipToBytes(ip), port };
  if (timestamp !== undefined) address.timestamp = timestamp;
  return address;
}
