import { type ByteReader, type ByteWriter, MAX_MESSAGE_PAYLOAD } from '../bytes.js';
import { WireError } from '../errors.js';

/** dcrd's strict ASCII: every byte printable, 0x20 through 0x7e. */
export function isStrictAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

function isStrictAsciiString(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** The text of bytes already known to be strict ASCII. */
export function asciiText(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/**
 * dcrd ReadAsciiVarString: a var-string of at most `max` bytes (and never more than 32 MiB) whose
 * bytes are all strict ASCII. The length is checked before a byte is read.
 */
export function readAsciiString(reader: ByteReader, max: number, what: string): string {
  const limit = Math.min(max, MAX_MESSAGE_PAYLOAD);
  const length = reader.varint(`${what} length`);
  if (length > limit) throw new WireError('length-exceeds-maximum', `${what} length ${length} > ${limit}`);
  const bytes = reader.bytesView(length, what);
  if (!isStrictAscii(bytes)) throw new WireError('malformed-strict-string', `${what} is not strict ASCII`);
  return asciiText(bytes);
}

/** Writes a strict-ASCII var-string, refusing what the reader would refuse. */
export function writeAsciiString(writer: ByteWriter, value: string, max: number, what: string): void {
  if (value.length > max)
    throw new WireError('length-exceeds-maximum', `${what} length ${value.length} > ${max}`);
  if (!isStrictAsciiString(value))
    throw new WireError('malformed-strict-string', `${what} is not strict ASCII`);
  writer.varint(value.length);
  for (let i = 0; i < value.length; i++) writer.u8(value.charCodeAt(i));
}
