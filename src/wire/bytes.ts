import { WireError } from './errors.js';

/** Largest byte string or list the serialisation accepts anywhere (btcd/dcrd MaxMessagePayload). */
export const MAX_MESSAGE_PAYLOAD = 32 * 1024 * 1024;

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

/** A cursor over a payload. Every read checks bounds and throws `WireError('truncated')`. */
/**
 * The same bytes as a plain Uint8Array. Socket chunks are Buffers, and views cut from a Buffer
 * are Buffers too, whose slice() aliases instead of copying; decoded values are plain arrays.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** 32-bit words into `out` as big-endian bytes (a hash's state to its digest). */
export function writeWordsBigEndian(words: ArrayLike<number>, out: Uint8Array): void {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    out[i * 4] = word >>> 24;
    out[i * 4 + 1] = word >>> 16;
    out[i * 4 + 2] = word >>> 8;
    out[i * 4 + 3] = word;
  }
}

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  offset: number;
  readonly end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = plainBytes(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): number {
    const at = this.offset;
    if (n > this.end - at) {
      throw new WireError(
        'truncated',
        `truncated ${what}: need ${n} bytes at offset ${at}, have ${this.end - at}`,
      );
    }
    this.offset = at + n;
    return at;
  }

  u8(what = 'u8'): number {
    return this.bytes[this.need(1, what)]!;
  }
  bool(what = 'bool'): boolean {
    return this.u8(what) !== 0;
  }
  u16le(what = 'u16'): number {
    return this.view.getUint16(this.need(2, what), true);
  }
  u16be(what = 'u16'): number {
    return this.view.getUint16(this.need(2, what), false);
  }
  u32le(what = 'u32'): number {
    return this.view.getUint32(this.need(4, what), true);
  }
  i32le(what = 'i32'): number {
    return this.view.getInt32(this.need(4, what), true);
  }
  u64le(what = 'u64'): bigint {
    return this.view.getBigUint64(this.need(8, what), true);
  }
  i64le(what = 'i64'): bigint {
    return this.view.getBigInt64(this.need(8, what), true);
  }

  /** A view of the next `n` bytes (no copy). */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.subarray(at, at + n);
  }

  /** A copy of the next `n` bytes, for values that outlive the frame buffer (hashes, scripts). */
  bytesCopy(n: number, what = 'bytes'): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.slice(at, at + n);
  }

  /**
   * A 32-byte hash in wire order: a view of the payload. Decoded messages share their frame's
   * buffer rather than copying every hash and script (small copies cost more in GC than bytes).
   */
  hash(what = 'hash'): Uint8Array {
    return this.bytesView(32, what);
  }

  /** CompactSize as a bigint; canonical (shortest) form enforced. */
  varintBig(what = 'varint'): bigint {
    const first = this.u8(what);
    if (first < 0xfd) return BigInt(first);
    let value: bigint;
    let min: bigint;
    if (first === 0xfd) {
      value = BigInt(this.u16le(what));
      min = 0xfdn;
    } else if (first === 0xfe) {
      value = BigInt(this.u32le(what));
      min = 0x10000n;
    } else {
      value = this.u64le(what);
      min = 0x100000000n;
    }
    if (value < min) {
      throw new WireError('non-canonical-varint', `non-canonical varint ${value} for ${what}`);
    }
    return value;
  }

  /** CompactSize as a number; canonical form enforced. Values above 2^53 saturate (callers cap them). */
  varint(what = 'varint'): number {
    const first = this.u8(what);
    if (first < 0xfd) return first;
    let value: number;
    let min: number;
    if (first === 0xfd) {
      value = this.u16le(what);
      min = 0xfd;
    } else if (first === 0xfe) {
      value = this.u32le(what);
      min = 0x10000;
    } else {
      const lo = this.u32le(what);
      const hi = this.u32le(what);
      value = hi * 0x100000000 + lo;
      min = 0x100000000;
      if (hi >= 0x200000) value = Number.MAX_SAFE_INTEGER;
    }
    if (value < min) {
      throw new WireError('non-canonical-varint', `non-canonical varint ${value} for ${what}`);
    }
    return value;
  }

  /** A count prefix with an upper bound, checked before anything is allocated for the entries. */
  count(max: number, what: string): number {
    const n = this.varint(what);
    if (n > max) throw new WireError('too-many-entries', `${what} count ${n} > ${max}`);
    return n;
  }

  /** var-bytes with a maximum length (checked before the bytes are read). */
  varBytes(max: number, what = 'var bytes'): Uint8Array {
    const n = this.varint(what);
    if (n > max) throw new WireError('length-exceeds-maximum', `${what} length ${n} > ${max}`);
    return this.bytesView(n, what);
  }

  /** var-string decoded as UTF-8 (invalid UTF-8 is replaced, as Go strings hold any bytes). */
  varString(max = MAX_MESSAGE_PAYLOAD, what = 'var string'): string {
    const n = this.varint(what);
    if (n > max) throw new WireError('length-exceeds-maximum', `${what} length ${n} > ${max}`);
    return decodeLoose(this.bytesView(n, what));
  }

  /** Throws unless the whole payload was consumed. */
  finish(command: string): void {
    if (this.offset !== this.end) {
      throw new WireError(
        'trailing-bytes',
        `${this.end - this.offset} trailing bytes after ${command} payload`,
        {
          command,
        },
      );
    }
  }
}

function decodeLoose(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A growable little-endian writer. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  offset = 0;

  constructor(initialSize = 512) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  private reserve(n: number): number {
    const at = this.offset;
    const needed = at + n;
    if (needed > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.offset = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.buffer[at] = value;
    return this;
  }
  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }
  u16le(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value, true);
    return this;
  }
  u16be(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value, false);
    return this;
  }
  u32le(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }
  i32le(value: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, value | 0, true);
    return this;
  }
  u64le(value: bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, value, true); // wraps modulo 2^64 by itself
    return this;
  }
  i64le(value: bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, value, true);
    return this;
  }
  bytes(value: Uint8Array): this {
    const at = this.reserve(value.length); // reserve first: it may replace the buffer
    this.buffer.set(value, at);
    return this;
  }
  /** Exactly `length` bytes: `value` zero-padded or checked. */
  fixed(value: Uint8Array, length: number, what = 'fixed bytes'): this {
    if (value.length !== length) {
      throw new WireError('invalid-value', `${what} must be ${length} bytes, got ${value.length}`);
    }
    return this.bytes(value);
  }
  hash(value: Uint8Array): this {
    return this.fixed(value, 32, 'hash');
  }
  varint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (value < 0 || !Number.isInteger(value)) throw new WireError('invalid-value', `bad varint ${value}`);
      if (value < 0xfd) return this.u8(value);
      if (value <= 0xffff) return this.u8(0xfd).u16le(value);
      if (value <= 0xffffffff) return this.u8(0xfe).u32le(value);
      return this.u8(0xff).u64le(BigInt(value));
    }
    if (value < 0n) throw new WireError('invalid-value', `negative varint ${value}`);
    if (value <= 0xffffffffn) return this.varint(Number(value));
    return this.u8(0xff).u64le(value);
  }
  varBytes(value: Uint8Array): this {
    return this.varint(value.length).bytes(value);
  }
  varString(value: string): this {
    return this.varBytes(textEncoder.encode(value));
  }

  /** The written bytes (a view of the internal buffer; do not write afterwards). */
  get capacity(): number {
    return this.buffer.length;
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.offset);
  }
}

/** Serialized size of a CompactSize. */
export function varintSize(value: number): number {
  return value < 0xfd ? 1 : value <= 0xffff ? 3 : value <= 0xffffffff ? 5 : 9;
}

export function utf8Bytes(value: string): Uint8Array {
  return textEncoder.encode(value);
}
