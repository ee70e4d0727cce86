import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHash, txid, wtxid } from '../../../src/wire/bitcoin/chain.js';
import { bitcoinFamily } from '../../../src/wire/bitcoin/index.js';
import { WireError } from '../../../src/wire/errors.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../src/wire/hex.js';
import { decodeMessage, decodePayloadOf, encodePayloadOf, type Message } from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { errorCodeOf, messageVectors, vectorName } from '../../support/vectors.js';

const network = bitcoinNetworks.mainnet;

function optionsOf(vector: { protocolVersion: number; encoding?: string }) {
  return { network, protocolVersion: vector.protocolVersion, witness: vector.encoding === 'witness' };
}

/** btcd's field names in the vectors → ours. */
const FIELD_NAMES = new Map([
  ['ipHex', 'ip'],
  ['minFee', 'feeRate'],
  ['invList', 'inventory'],
  ['blockLocatorHashes', 'locator'],
  ['cmd', 'message'],
  ['txIn', 'inputs'],
  ['txOut', 'outputs'],
  ['previousOutPoint', 'previousOutput'],
  ['signatureScript', 'script'],
  ['pkScript', 'script'],
  ['addrList', 'addresses'],
  ['hashFuncs', 'hashFunctions'],
]);

/** Values the vectors list that we compute rather than store. */
const COMPUTED: ReadonlyMap<string, (value: never) => Uint8Array> = new Map([
  ['txid', txid as (value: never) => Uint8Array],
  ['wtxid', wtxid as (value: never) => Uint8Array],
  ['blockHash', blockHash as (value: never) => Uint8Array],
]);

/** Optional trailing version fields are always written by the encoder (as btcd does), so such vectors only decode. */
function reencodes(vector: { command: string; fields?: Record<string, unknown> }): boolean {
  // Entries the decoder skips (BIP155 rules) cannot come back either.
  if (vector.fields?.skippedIndexes) return false;
  return !(vector.command === 'version' && Object.values(vector.fields ?? {}).includes(null));
}

/** The vectors' "payload too large" covers both our network cap and the message's own cap. */
function matches(code: string, expectError: string): boolean {
  if (expectError === 'payload too large')
    return code === 'payload-too-large' || code === 'message-too-large';
  return code === errorCodeOf[expectError];
}

/** Checks the vector's scalar fields and hashes against the decoded message (nested objects by their own keys). */
function assertFields(actual: unknown, expected: unknown, path: string): void {
  if (expected === null) {
    // Absent on the wire: our decoder leaves optional fields out, and a pre-BIP31 ping nonce at 0.
    assert.ok(actual === undefined || actual === 0n, `${path} should be absent`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} should be a list`);
    assert.equal((actual as unknown[]).length, expected.length, `${path} length`);
    expected.forEach((item, i) => {
      assertFields((actual as unknown[])[i], item, `${path}[${i}]`);
    });
    return;
  }
  if (typeof expected === 'object') {
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      // Display helpers of the vector format, and the header tx count the decoder already requires to be 0.
      if (key === 'typeName' || key === 'ip' || key === 'txCount' || key === 'skippedIndexes') continue;
      const compute = COMPUTED.get(key);
      if (compute) {
        assert.equal(hashToHex(compute(actual as never)), value, `${path}.${key}`);
        continue;
      }
      // merkleblock's "transactions" is a count; a block's is the list.
      const field =
        path === 'merkleblock' && key === 'transactions'
          ? 'totalTransactions'
          : (FIELD_NAMES.get(key) ?? key);
      assertFields((actual as Record<string, unknown>)[field], value, `${path}.${key}`);
    }
    return;
  }
  if (actual instanceof Uint8Array) {
    // 32-byte values are hashes, shown in display order by the vectors; other bytes in wire order.
    const hex =
      actual.length === 32 && /hash|block|root|locator|stop/i.test(path)
        ? hashToHex(actual)
        : bytesToHex(actual);
    assert.equal(hex, expected, path);
    return;
  }
  if (typeof actual === 'bigint') {
    assert.equal(actual.toString(), String(expected), path);
    return;
  }
  assert.equal(actual, expected, path);
}

describe('btcd wire vectors', () => {
  messageVectors('bitcoin').forEach((vector, index) => {
    const name = vectorName(vector, index);
    const frameOnly =
      vector.frameHex !== undefined && (vector.command === '' || !!vector.expectError?.includes('command'));
    const known = frameOnly || bitcoinFamily.codecs.has(vector.command);
    if (!known) {
      it(name, { todo: `no codec for '${vector.command}' yet` }, () => {});
      return;
    }
    it(name, () => {
      if (vector.frameHex !== undefined) {
        const run = () => decodeMessage(hexToBytes(vector.frameHex!), optionsOf(vector));
        if (vector.expectError) {
          assert.throws(
            run,
            (error: unknown) => error instanceof WireError && matches(error.code, vector.expectError!),
          );
        } else {
          assert.equal(run().command, vector.command);
        }
        return;
      }
      const payload = hexToBytes(vector.payloadHex);
      if (vector.expectError) {
        const expected = errorCodeOf[vector.expectError];
        assert.ok(expected, `unmapped error class ${vector.expectError}`);
        assert.throws(
          () => decodePayloadOf(vector.command, payload, optionsOf(vector)),
          (error: unknown) => error instanceof WireError && error.code === expected,
        );
        return;
      }
      const message = decodePayloadOf(vector.command, payload, optionsOf(vector)) as Message;
      // A tx vector lists the transaction's fields; our message wraps the transaction.
      const subject = message.command === 'tx' ? message.transaction : message;
      assertFields(subject, vector.fields ?? {}, vector.command);
      if (reencodes(vector)) {
        assert.equal(
          bytesToHex(encodePayloadOf(message, optionsOf(vector))),
          vector.payloadHex,
          're-encodes',
        );
      }
    });
  });
});
