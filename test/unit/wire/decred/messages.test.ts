import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHash } from '../../../../src/wire/decred/chain.js';
import { blake256 } from '../../../../src/wire/decred/hash.js';
import { mixMessageHash } from '../../../../src/wire/decred/mix.js';
import { DecredProtocol } from '../../../../src/wire/decred/networks.js';
import { txHash } from '../../../../src/wire/decred/transaction.js';
import type {
  DecredBlockMessage,
  DecredMessage,
  DecredMixMessage,
  VersionMessage,
} from '../../../../src/wire/decred/types.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../../src/wire/hex.js';
import { messageVectors } from '../../../support/vectors.js';
import { decodeFrame, decodePayloadAt, encodeFrame, encodePayloadAt } from './frames.js';

const vectors = messageVectors('decred');
const blockVector = vectors.find(
  (vector) => vector.command === 'block' && !vector.expectError && !vector.frameHex,
)!;

function decodedBlock(): DecredBlockMessage {
  const message = decodePayloadAt('block', hexToBytes(blockVector.payloadHex), DecredProtocol.latest);
  assert.equal(message.command, 'block');
  return message as DecredBlockMessage;
}

describe('block', () => {
  it('keeps the wire payload and sends it again untouched', () => {
    const block = decodedBlock();
    assert.equal(bytesToHex(block.raw!), blockVector.payloadHex);
    assert.equal(bytesToHex(encodePayloadAt(block, DecredProtocol.latest)), blockVector.payloadHex);
  });

  it('decodes both transaction trees on demand, with dcrd’s transaction hashes', () => {
    const block = decodedBlock();
    const fields = blockVector.fields as {
      transactions: { txHash: string }[];
      stakeTransactions: { txHash: string }[];
    };
    assert.deepEqual(
      block.transactions.map((tx) => hashToHex(txHash(tx))),
      fields.transactions.map((tx) => tx.txHash),
    );
    assert.deepEqual(
      block.stakeTransactions.map((tx) => hashToHex(txHash(tx))),
      fields.stakeTransactions.map((tx) => tx.txHash),
    );
    // Materialised trees re-serialise to the same bytes.
    assert.equal(bytesToHex(encodePayloadAt(block, DecredProtocol.latest)), blockVector.payloadHex);
  });

  it('is re-serialised once its header or a tree changes', () => {
    const edited = decodedBlock();
    edited.header = { ...edited.header, nonce: edited.header.nonce + 1 };
    const payload = encodePayloadAt(edited, DecredProtocol.latest);
    assert.notEqual(bytesToHex(payload), blockVector.payloadHex);
    const again = decodePayloadAt('block', payload, DecredProtocol.latest) as DecredBlockMessage;
    assert.equal(hashToHex(blockHash(again.header)), hashToHex(blockHash(edited.header)));

    const pruned = decodedBlock();
    pruned.stakeTransactions = [];
    const prunedAgain = decodePayloadAt(
      'block',
      encodePayloadAt(pruned, DecredProtocol.latest),
      DecredProtocol.latest,
    );
    assert.equal((prunedAgain as DecredBlockMessage).stakeTransactions.length, 0);
    assert.equal((prunedAgain as DecredBlockMessage).transactions.length, 1);
  });

  it('is refused whole at decode time when a transaction inside is malformed', () => {
    // Cut the last byte: the stake transaction is truncated, found without materialising the trees.
    const bytes = hexToBytes(blockVector.payloadHex);
    assert.throws(
      () => decodePayloadAt('block', bytes.subarray(0, bytes.length - 1), DecredProtocol.latest),
      {
        code: 'truncated',
      },
    );
  });
});

describe('tx', () => {
  it('keeps its wire payload', () => {
    const vector = vectors.find((v) => v.command === 'tx' && !v.expectError && v.payloadHex.length > 100)!;
    const message = decodePayloadAt('tx', hexToBytes(vector.payloadHex), DecredProtocol.latest);
    assert.equal(message.command === 'tx' && bytesToHex(message.raw!), vector.payloadHex);
  });
});

describe('mixing messages', () => {
  it('hash to BLAKE-256 of their serialisation, the identity MIX inventory refers to', () => {
    const mixVectors = vectors.filter((v) => v.command.startsWith('mix') && !v.expectError);
    assert.equal(new Set(mixVectors.map((v) => v.command)).size, 8);
    for (const vector of mixVectors) {
      const payload = hexToBytes(vector.payloadHex);
      const message = decodePayloadAt(vector.command, payload, vector.protocolVersion) as DecredMixMessage;
      assert.equal(bytesToHex(mixMessageHash(message)), bytesToHex(blake256(payload)), vector.command);
    }
  });
});

describe('version', () => {
  const version: VersionMessage = {
    command: 'version',
    protocolVersion: 1,
    services: 1n,
    timestamp: 1_700_000_000n,
    addrYou: { services: 0n, ip: new Uint8Array(16), port: 9108 },
    addrMe: { services: 0n, ip: new Uint8Array(16), port: 9108 },
    nonce: 7n,
    userAgent: '/dcrwire:1.0.0/peerchart:0.1.0/',
    lastBlock: 10,
    relay: false,
  };

  it('always carries the relay byte, unlike btcd below 70001', () => {
    for (const protocolVersion of [1, DecredProtocol.latest]) {
      const payload = encodePayloadAt(version, protocolVersion);
      assert.equal(payload.length, 4 + 8 + 8 + 26 + 26 + 8 + 1 + version.userAgent!.length + 4 + 1);
      assert.equal(payload[payload.length - 1], 0);
    }
  });

  it('needs a strict ASCII user agent both ways', () => {
    assert.throws(() => encodeFrame({ ...version, userAgent: '/dcrd:2.0.0(é)/' }), {
      code: 'malformed-strict-string',
    });
    const payload = encodePayloadAt(version, DecredProtocol.latest);
    payload[4 + 8 + 8 + 26 + 26 + 8 + 1] = 0x80;
    assert.throws(() => decodePayloadAt('version', payload, DecredProtocol.latest), {
      code: 'malformed-strict-string',
    });
  });
});

describe('protocol switches', () => {
  const address = { timestamp: 0, services: 1n, ip: new Uint8Array(16), port: 9108 };

  it('addr until protocol 11, addrv2 from 12', () => {
    const addr: DecredMessage = { command: 'addr', addresses: [address] };
    assert.equal(
      decodeFrame(encodeFrame(addr, { protocolVersion: 11 }), { protocolVersion: 11 }).command,
      'addr',
    );
    assert.throws(() => encodeFrame(addr, { protocolVersion: 12 }), { code: 'invalid-for-protocol-version' });
    const addrv2: DecredMessage = {
      command: 'addrv2',
      addresses: [{ timestamp: 0n, services: 1n, type: 1, addr: new Uint8Array(4), port: 9108 }],
    };
    assert.throws(() => encodeFrame(addrv2, { protocolVersion: 11 }), {
      code: 'invalid-for-protocol-version',
    });
    assert.equal(decodeFrame(encodeFrame(addrv2)).command, 'addrv2');
  });

  it('reject only below protocol 9', () => {
    const reject = {
      command: 'reject',
      message: 'version',
      code: 0x12,
      reason: 'duplicate version',
    } as const;
    assert.equal(
      decodeFrame(encodeFrame(reject, { protocolVersion: 8 }), { protocolVersion: 8 }).command,
      'reject',
    );
    assert.throws(() => encodeFrame(reject, { protocolVersion: 9 }), {
      code: 'invalid-for-protocol-version',
    });
    // A reject frame at 9 or later fails from its header: its cap there is 0.
    const frame = encodeFrame(reject, { protocolVersion: 8 });
    assert.throws(() => decodeFrame(frame, { protocolVersion: 9 }), { code: 'message-too-large' });
  });

  it('ping carries its nonce at every version', () => {
    const frame = encodeFrame({ command: 'ping', nonce: 42n }, { protocolVersion: 1 });
    assert.equal(frame.length, 24 + 8);
    assert.deepEqual(decodeFrame(frame, { protocolVersion: 1 }), { command: 'ping', nonce: 42n });
  });
});
