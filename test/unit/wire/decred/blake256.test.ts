import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake256 as nobleBlake256 } from '@noble/hashes/blake1.js';
import fc from 'fast-check';
import { blake256 } from '../../../../src/wire/decred/blake256.js';
import { blake256Checksum, blake256 as hashBlake256 } from '../../../../src/wire/decred/hash.js';
import { bytesToHex } from '../../../../src/wire/hex.js';

/** A deterministic, non-trivial byte pattern of the given length. */
function pattern(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function assertMatchesNoble(data: Uint8Array): void {
  const ours = blake256(data);
  assert.equal(ours.length, 32);
  assert.equal(Object.getPrototypeOf(ours), Uint8Array.prototype);
  assert.equal(bytesToHex(ours), bytesToHex(nobleBlake256(data)), `length ${data.length}`);
}

describe('blake256', () => {
  it('matches the known vectors', () => {
    assert.equal(
      bytesToHex(blake256(new Uint8Array(0))),
      '716f6e863f744b9ac22c97ec7b76ea5f5908bc5b2f67c61510bfc4751384ea7a',
    );
    assert.equal(
      bytesToHex(blake256(new Uint8Array(1))),
      '0ce8d4ef4dd7cd8d62dfded9d4edb0a774ae6a41929a74da23109e8f11139c87',
    );
  });

  it('matches @noble/hashes on every length 0..300', () => {
    for (let length = 0; length <= 300; length++) {
      assertMatchesNoble(pattern(length, length));
      assertMatchesNoble(new Uint8Array(length).fill(0xff));
    }
  });

  it('matches @noble/hashes around the padding and block boundaries', () => {
    for (const boundary of [55, 56, 63, 64, 119, 120, 127, 128, 183, 184, 191, 192, 1024]) {
      for (let length = boundary - 3; length <= boundary + 3; length++) {
        assertMatchesNoble(pattern(length, boundary));
        assertMatchesNoble(new Uint8Array(length));
      }
    }
  });

  it('matches @noble/hashes on random inputs up to 10 kB', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), (data) => {
        assertMatchesNoble(data);
      }),
      { numRuns: 300 },
    );
  });

  it('hashes subarray views and Buffers by their own bytes', () => {
    const backing = pattern(500, 7);
    const view = backing.subarray(13, 13 + 130);
    assert.equal(bytesToHex(blake256(view)), bytesToHex(nobleBlake256(view.slice())));
    const buffer = Buffer.from(pattern(200, 9));
    assert.equal(bytesToHex(blake256(buffer)), bytesToHex(nobleBlake256(Uint8Array.from(buffer))));
    assert.equal(Object.getPrototypeOf(blake256(buffer)), Uint8Array.prototype);
  });

  it('does not mutate its input or carry state between calls', () => {
    const data = pattern(100, 3);
    const copy = data.slice();
    const first = bytesToHex(blake256(data));
    blake256(pattern(120, 4));
    assert.deepEqual(data, copy);
    assert.equal(bytesToHex(blake256(data)), first);
  });

  it('matches @noble/hashes on a 1.3 MB block', () => {
    assertMatchesNoble(pattern(1_300_000, 42));
    assertMatchesNoble(pattern(1_300_007, 43));
  });

  it('backs the exported hash.ts helpers', () => {
    const data = pattern(777, 5);
    const digest = nobleBlake256(data);
    assert.equal(bytesToHex(hashBlake256(data)), bytesToHex(digest));
    const expected = (digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) >>> 0;
    assert.equal(blake256Checksum(data), expected);
  });
});
