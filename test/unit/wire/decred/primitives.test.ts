import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readNetAddress, writeNetAddress } from '../../../../src/wire/bitcoin/address.js';
import { ByteReader, ByteWriter, MAX_MESSAGE_PAYLOAD } from '../../../../src/wire/bytes.js';
import { readAddrV2Entry, writeAddrV2Entry } from '../../../../src/wire/decred/addresses.js';
import { blockHash, readBlockHeader, writeBlockHeader } from '../../../../src/wire/decred/chain.js';
import { readAsciiString, writeAsciiString } from '../../../../src/wire/decred/strings.js';
import { WireError } from '../../../../src/wire/errors.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../../src/wire/hex.js';
import { errorCodeOf, type PrimitiveVector, primitiveVectors } from '../../../support/vectors.js';

const HASH_FIELDS = new Set(['prevBlock', 'merkleRoot', 'stakeRoot']);

/** The allowed length of an asciivarstring vector (a decimal string when it exceeds 2^53). */
function maxSizeOf(vector: PrimitiveVector): number {
  return Number(vector.maxSize);
}

/** Decodes a vector into the shape of its `fields`/`value`, hex for bytes and strings for 64-bit values. */
function decode(vector: PrimitiveVector, reader: ByteReader): unknown {
  switch (vector.type) {
    case 'varint':
      return reader.varintBig().toString();
    case 'varstring':
      return reader.varString();
    case 'asciivarstring':
      return readAsciiString(reader, maxSizeOf(vector), 'string');
    case 'varbytes':
      return bytesToHex(reader.varBytes(MAX_MESSAGE_PAYLOAD));
    case 'invvect':
      return { type: reader.u32le(), hash: hashToHex(reader.hash()) };
    case 'netaddress': {
      const address = readNetAddress(reader, vector.withTimestamp === true);
      return { ...address, ip: bytesToHex(address.ip), services: address.services.toString() };
    }
    case 'netaddressv2': {
      const entry = readAddrV2Entry(reader);
      return {
        ...entry,
        timestamp: entry.timestamp.toString(),
        services: entry.services.toString(),
        addr: bytesToHex(entry.addr),
      };
    }
    case 'blockheader': {
      const header = readBlockHeader(reader);
      const fields: Record<string, unknown> = { blockHash: hashToHex(blockHash(header)) };
      for (const [key, value] of Object.entries(header)) {
        fields[key] =
          value instanceof Uint8Array
            ? HASH_FIELDS.has(key)
              ? hashToHex(value)
              : bytesToHex(value)
            : typeof value === 'bigint'
              ? value.toString()
              : value;
      }
      return fields;
    }
    case 'elements':
      return {
        uint8: reader.u8(),
        uint16LE: reader.u16le(),
        uint16BE: reader.u16be(),
        uint32LE: reader.u32le(),
        uint64LE: reader.u64le().toString(),
      };
    default:
      throw new Error(`unknown primitive ${vector.type}`);
  }
}

/** Re-encodes the value the vector gives; the result must be the vector's bytes. */
function encode(vector: PrimitiveVector): string {
  const writer = new ByteWriter();
  const fields = (vector.fields ?? {}) as Record<string, unknown>;
  const text = (key: string) => fields[key] as string;
  const number = (key: string) => fields[key] as number;
  switch (vector.type) {
    case 'varint':
      writer.varint(BigInt(vector.value as string));
      break;
    case 'varstring':
      writer.varString(vector.value as string);
      break;
    case 'asciivarstring':
      writeAsciiString(writer, vector.value as string, maxSizeOf(vector), 'string');
      break;
    case 'varbytes':
      writer.varBytes(hexToBytes(vector.value as string));
      break;
    case 'invvect':
      writer.u32le(number('type')).hash(hexToBytes(text('hash')).reverse());
      break;
    case 'netaddress':
      writeNetAddress(
        writer,
        {
          timestamp: number('timestamp'),
          services: BigInt(text('services')),
          ip: hexToBytes(text('ipHex')),
          port: number('port'),
        },
        vector.withTimestamp === true,
      );
      break;
    case 'netaddressv2':
      writeAddrV2Entry(writer, {
        timestamp: BigInt(text('timestamp')),
        services: BigInt(text('services')),
        type: number('type'),
        addr: hexToBytes(text('addr')),
        port: number('port'),
      });
      break;
    case 'blockheader': {
      const header = readBlockHeader(new ByteReader(hexToBytes(vector.hex)));
      writeBlockHeader(writer, header);
      break;
    }
    case 'elements':
      writer
        .u8(number('uint8'))
        .u16le(number('uint16LE'))
        .u16be(number('uint16BE'))
        .u32le(number('uint32LE'));
      writer.u64le(BigInt(text('uint64LE')));
      break;
    default:
      throw new Error(`unknown primitive ${vector.type}`);
  }
  return bytesToHex(writer.finish());
}

function expectedOf(vector: PrimitiveVector): unknown {
  if (vector.fields === undefined) return vector.value;
  const fields = { ...(vector.fields as Record<string, unknown>) };
  if (vector.type === 'netaddress') {
    fields.ip = fields.ipHex;
    delete fields.ipHex;
  }
  if (vector.type === 'invvect') delete fields.typeName;
  return fields;
}

describe('dcrd primitive vectors', () => {
  primitiveVectors('decred').forEach((vector, index) => {
    const what = vector.expectError ? `rejects (${vector.expectError})` : 'decodes';
    it(`#${index} ${vector.type} ${vector.hex.slice(0, 24)} ${what}`, () => {
      const reader = new ByteReader(hexToBytes(vector.hex));
      if (vector.expectError) {
        const code = errorCodeOf[vector.expectError];
        assert.ok(code, `unmapped error class ${vector.expectError}`);
        assert.throws(
          () => decode(vector, reader),
          (error: unknown) => error instanceof WireError && error.code === code,
        );
        return;
      }
      const value = decode(vector, reader);
      assert.equal(reader.remaining, 0, 'consumes every byte');
      const expected = expectedOf(vector);
      if (typeof expected === 'object' && expected !== null) {
        for (const [key, field] of Object.entries(expected)) {
          assert.deepEqual((value as Record<string, unknown>)[key], field, key);
        }
      } else {
        assert.equal(value, expected);
      }
      assert.equal(encode(vector), vector.hex, 're-encodes');
    });
  });
});

describe('strict ASCII strings', () => {
  it('accepts the printable range 0x20..0x7e and nothing else', () => {
    for (let byte = 0; byte < 256; byte++) {
      const reader = new ByteReader(new Uint8Array([1, byte]));
      if (byte >= 0x20 && byte <= 0x7e)
        assert.equal(readAsciiString(reader, 1, 's'), String.fromCharCode(byte));
      else assert.throws(() => readAsciiString(reader, 1, 's'), { code: 'malformed-strict-string' });
    }
  });

  it('refuses to write what it would refuse to read', () => {
    assert.throws(() => writeAsciiString(new ByteWriter(), 'é', 8, 's'), { code: 'malformed-strict-string' });
    assert.throws(() => writeAsciiString(new ByteWriter(), 'abc', 2, 's'), {
      code: 'length-exceeds-maximum',
    });
  });

  it('checks the declared length before reading the bytes', () => {
    // Declares 33 bytes where 32 are allowed, and carries none of them.
    assert.throws(() => readAsciiString(new ByteReader(new Uint8Array([33])), 32, 's'), {
      code: 'length-exceeds-maximum',
    });
  });
});
