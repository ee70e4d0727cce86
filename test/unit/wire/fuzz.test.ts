/**
 * Fuzzing the codec in CI: FrameDecoder (random chunking) and decodeMessage, Bitcoin and Decred,
 * over random bytes, mutated valid frames of every command and chunked valid streams. Only WireError
 * may come out, and whatever decodes re-encodes. `npm run fuzz` runs the same generators for longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { caseArbitrary, check, commandsOf, type FamilyName, seeds } from '../../fuzz/generators.js';

const RUNS = { random: 8000, mutated: 20_000, stream: 2000 };

for (const family of ['bitcoin', 'decred'] as const satisfies FamilyName[]) {
  describe(`${family} codec fuzzing`, () => {
    it('has a valid seed frame for every command', () => {
      const covered = new Set(seeds[family].map((seed) => seed.command));
      assert.deepEqual(
        commandsOf(family).filter((command) => !covered.has(command)),
        [],
      );
    });
    for (const kind of ['random', 'mutated', 'stream'] as const) {
      it(`${kind}: only WireError, decoded messages re-encode, chunking changes nothing`, () => {
        fc.assert(
          fc.property(caseArbitrary[kind](family), (c) => {
            check(c);
          }),
          { numRuns: RUNS[kind] },
        );
      });
    }
  });
}
