import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readNetAddress, writeNetAddress } from '../../../src/wire/bitcoin/address.js';
import { readAddrV2Entry } from '../../../src/wire/bitcoin/addresses.js';
import { blockHash, readBlockHeader, writeBlockHeader } from '../../../src/wire/bitcoin/chain.js';
import { ByteReader, ByteWriter } from '../../../src/wire/bytes.js';
import { WireError } from '../../../src/wire/errors.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../src/wire/hex.js';
import { errorCodeOf, primitiveVectors } from '../../support/vectors.js';

type Vector = ReturnType<typeof primitiveVectors>[number];

/** The timestamp is on the wire only inside addr messages and only from protocol 31402. */
function hasTimestamp(vector: Vector): boolean {
  const versions = (vector.protocolVersions as number[] | undefined) ?? [70016];
  return vector.withTimestamp === true && versions.every((version) => version >= 31402);
}

function decode(vector: Vector, reader: ByteReader): unknown {
  switch (vector.type) {
    case 'varint':
      return reader.varintBig().toString();
    case 'varstring':
      return reader.varString();
    case 'varbytes':
      return bytesToHex(reader.varBytes(32 * 1024 * 1024));
    case 'invvect':
      return { type: reader.u32le(), hash: hashToHex(reader.hash()) };
    case 'netaddress': {
      const address = readNetAddress(reader, hasTimestamp(vector));
      return { ...address, ip: bytesToHex(address.ip), services: address.services.toString() };
    }
    case 'netaddressv2': {
      const entry = readAddrV2Entry(reader);
      return entry && { ...entry, addr: bytesToHex(entry.addr), services: entry.services.toString() };
    }
    case 'blockheader': {
      const header = readBlockHeader(reader);
      return {
        ...header,
        prevBlock: hashToHex(header.prevBlock),
        merkleRoot: hashToHex(header.merkleRoot),
        blockHash: hashToHex(blockHash(header)),
      };
    }
    default:
      throw new Error(`unknown primitive ${vector.type}`);
  }
}

function encode(vector: Vector, value: unknown): string {
  const writer = new ByteWriter();
  const fields = vector.fields as Record<string, never> | undefined;
  switch (vector.type) {
    case 'varint':
      writer.varint(BigInt(value as string));
      break;
    case 'varstring':
      writer.varString(value as string);
      break;
    case 'varbytes':
      writer.varBytes(hexToBytes(value as string));
      break;
    case 'netaddress':
      writeNetAddress(
        writer,
        {
          ...(fields as object),
          services: BigInt(fields?.services ?? 0),
          ip: hexToBytes(fields?.ipHex ?? ''),
        } as never,
        hasTimestamp(vector),
      );
      break;
    case 'blockheader': {
      const reader = new ByteReader(hexToBytes(vector.hex));
      writeBlockHeader(writer, readBlockHeader(reader));
      break;
    }
    default:
      return vector.hex;
  }
  return bytesToHex(writer.finish());
}

describe('btcd primitive vectors', () => {
  primitiveVectors('bitcoin').forEach((vector, index) => {
    it(`#${index} ${vector.type} ${vector.expectError ? `rejects (${vector.expectError})` : vector.hex}`, () => {
      const reader = new ByteReader(hexToBytes(vector.hex));
      if (vector.expectError) {
        assert.throws(
          () => decode(vector, reader),
          (error: unknown) => error instanceof WireError && error.code === errorCodeOf[vector.expectError!],
        );
        return;
      }
      const value = decode(vector, reader);
      assert.equal(reader.remaining, 0, 'consumed exactly');
      if (vector.skip) {
        assert.equal(value, undefined, 'the entry is read and skipped');
        return;
      }
      const expected = vector.fields ?? vector.value;
      if (typeof expected === 'object' && expected !== null) {
        for (const [key, field] of Object.entries(expected)) {
          if (key === 'typeName' || key === 'ip') continue;
          const actual = (value as Record<string, unknown>)[key === 'ipHex' ? 'ip' : key];
          assert.equal(actual, field, key);
        }
      } else {
        assert.equal(value, expected);
      }
      assert.equal(encode(vector, vector.value ?? vector.fields), vector.hex, 're-encodes');
    });
  });
});

describe('values the codec hands out', () => {
  it('hashes are plain Uint8Arrays, never Node Buffers (whose slice() aliases)', () => {
    const hash = blockHash({
      version: 1,
      prevBlock: new Uint8Array(32),
      merkleRoot: new Uint8Array(32),
      timestamp: 0,
      bits: 0,
      nonce: 0,
    });
    assert.equal(Object.getPrototypeOf(hash), Uint8Array.prototype);
    assert.equal(hash.length, 32);
  });
});
