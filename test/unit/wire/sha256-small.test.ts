import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { sha256dChecksum } from '../../../src/wire/hash.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import { SMALL_INPUT_LIMIT, sha256dChecksumSmall, sha256Small } from '../../../src/wire/sha256-small.js';

/** The checksum from an independent SHA-256 (@noble/hashes). */
function nobleChecksum(data: Uint8Array): number {
  const digest = nobleSha256(nobleSha256(data));
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0, true);
}

function patterned(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
}

describe('SHA-256 for short inputs (small frames’ checksums)', () => {
  it('matches @noble/hashes on every length 0..300, across the one- and two-block padding edges', () => {
    for (let length = 0; length <= 300; length++) {
      const data = patterned(length);
      assert.equal(bytesToHex(sha256Small(data)), bytesToHex(nobleSha256(data)), `length ${length}`);
      assert.equal(sha256dChecksumSmall(data), nobleChecksum(data), `checksum, length ${length}`);
    }
  });

  it('matches @noble/hashes on random inputs and views into larger buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(16), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        assert.equal(sha256dChecksumSmall(view), nobleChecksum(view.slice()));
      }),
      { numRuns: 500 },
    );
  });

  it('is what the frame checksum uses up to its limit, node:crypto above', () => {
    for (const length of [0, 37, SMALL_INPUT_LIMIT, SMALL_INPUT_LIMIT + 1, 5000]) {
      const data = patterned(length);
      assert.equal(sha256dChecksum(data), nobleChecksum(data), `length ${length}`);
    }
  });
});
