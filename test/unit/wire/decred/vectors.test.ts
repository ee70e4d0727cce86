import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHash } from '../../../../src/wire/decred/chain.js';
import { decredFamily } from '../../../../src/wire/decred/index.js';
import { txHash } from '../../../../src/wire/decred/transaction.js';
import type { DecredMessage } from '../../../../src/wire/decred/types.js';
import { WireError } from '../../../../src/wire/errors.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../../src/wire/hex.js';
import { errorCodeOf, type MessageVector, messageVectors, vectorName } from '../../../support/vectors.js';
import { decodeFrame, decodePayloadAt, encodeFrame, encodePayloadAt } from './frames.js';

/** dcrd's field names in the vectors → ours. */
const FIELD_NAMES = new Map([
  ['ipHex', 'ip'],
  ['minFee', 'feeRate'],
  ['invList', 'inventory'],
  ['blockLocatorHashes', 'locator'],
  ['addrList', 'addresses'],
  ['cmd', 'message'],
  ['txIn', 'inputs'],
  ['txOut', 'outputs'],
  ['previousOutPoint', 'previousOutput'],
  ['signatureScript', 'script'],
  ['pkScript', 'script'],
  ['cfilters', 'filters'],
  ['seenPRs', 'seenPairRequests'],
  ['slotReserveMsgs', 'slotReserveMessages'],
  ['dcNetMsgs', 'dcNetMessages'],
]);

/** Keys whose values are chainhash.Hash: the vectors show them in display (byte-reversed) order. */
const HASH_KEYS = new Set([
  'hash',
  'prevBlock',
  'merkleRoot',
  'stakeRoot',
  'blockHash',
  'blockHashes',
  'voteHashes',
  'tspendHashes',
  'blockLocatorHashes',
  'hashStop',
  'stopHash',
  'startHash',
  'endHash',
  'headerHashes',
  'proofHashes',
  'seenPRs',
  'seenKeyExchanges',
  'seenCiphertexts',
  'seenSlotReserves',
  'seenDCNets',
  'seenSecrets',
]);

/** Values the vectors list that we compute rather than store. */
const COMPUTED: ReadonlyMap<string, (value: never) => Uint8Array> = new Map([
  ['blockHash', blockHash as (value: never) => Uint8Array],
  ['txHash', txHash as (value: never) => Uint8Array],
]);

/** Display helpers of the vector format, and the header tx count the decoder already requires to be 0. */
const IGNORED_KEYS = new Set(['typeName', 'ip', 'txCount']);

function assertFields(actual: unknown, expected: unknown, path: string, hashes = false): void {
  if (expected === null) {
    assert.equal(actual, undefined, `${path} should be absent`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} should be a list`);
    assert.equal((actual as unknown[]).length, expected.length, `${path} length`);
    expected.forEach((item, i) => {
      assertFields((actual as unknown[])[i], item, `${path}[${i}]`, hashes);
    });
    return;
  }
  if (typeof expected === 'object') {
    // A block's header hash sits inside the header in the vectors: computed from the object itself.
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      if (IGNORED_KEYS.has(key)) continue;
      const compute = COMPUTED.get(key);
      if (compute && (actual as Record<string, unknown>)[key] === undefined) {
        assert.equal(hashToHex(compute(actual as never)), value, `${path}.${key}`);
        continue;
      }
      const field = FIELD_NAMES.get(key) ?? key;
      assertFields((actual as Record<string, unknown>)[field], value, `${path}.${key}`, HASH_KEYS.has(key));
    }
    return;
  }
  if (actual instanceof Uint8Array) {
    assert.equal(hashes ? hashToHex(actual) : bytesToHex(actual), expected, path);
    return;
  }
  if (typeof actual === 'bigint') {
    assert.equal(actual.toString(), String(expected), path);
    return;
  }
  assert.equal(actual, expected, path);
}

/** The vectors' "payload too large" covers both the network cap and the message's own cap. */
function matches(code: string, expectError: string): boolean {
  if (expectError === 'payload too large')
    return code === 'payload-too-large' || code === 'message-too-large';
  return code === errorCodeOf[expectError];
}

/** The encoder writes every optional version field (as dcrd does), so short version payloads only decode. */
function reencodes(vector: MessageVector): boolean {
  return !(vector.command === 'version' && Object.values(vector.fields ?? {}).includes(null));
}

/** What the vector's fields describe: the transaction itself for tx vectors. */
function subjectOf(message: DecredMessage): unknown {
  return message.command === 'tx' ? message.transaction : message;
}

const vectors = messageVectors('decred');

describe('dcrd wire vectors', () => {
  it('covers every command the family knows', () => {
    const seen = new Set(vectors.map((vector) => vector.command));
    const missing = [...decredFamily.codecs.keys()].filter((command) => !seen.has(command));
    assert.deepEqual(missing, []);
  });

  vectors.forEach((vector, index) => {
    it(vectorName(vector, index), () => {
      if (vector.frameHex !== undefined) {
        const run = () =>
          decodeFrame(hexToBytes(vector.frameHex!), { protocolVersion: vector.protocolVersion });
        if (vector.expectError) {
          assert.throws(
            run,
            (error: unknown) => error instanceof WireError && matches(error.code, vector.expectError!),
          );
          return;
        }
        const message = run();
        assert.equal(message.command, vector.command);
        assertFields(subjectOf(message), vector.fields ?? {}, vector.command);
        const frame = encodeFrame(message, { protocolVersion: vector.protocolVersion });
        assert.equal(bytesToHex(frame), vector.frameHex, 're-encodes the frame');
        return;
      }
      const payload = hexToBytes(vector.payloadHex);
      if (vector.expectError) {
        const expected = errorCodeOf[vector.expectError];
        assert.ok(expected, `unmapped error class ${vector.expectError}`);
        assert.throws(
          () => decodePayloadAt(vector.command, payload, vector.protocolVersion),
          (error: unknown) => error instanceof WireError && error.code === expected,
        );
        return;
      }
      const message = decodePayloadAt(vector.command, payload, vector.protocolVersion);
      assertFields(subjectOf(message), vector.fields ?? {}, vector.command);
      if (reencodes(vector)) {
        assert.equal(
          bytesToHex(encodePayloadAt(message, vector.protocolVersion)),
          vector.payloadHex,
          're-encodes',
        );
      }
    });
  });
});
