/**
 * The Decred family through the public codec entry points (encodeMessage, decodeMessage,
 * FrameDecoder). These run once message.ts routes Decred networks to `decredFamily`; until then
 * they are skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../../../src/wire/decoder.js';
import { decredNetworks } from '../../../../src/wire/decred/networks.js';
import { WireError } from '../../../../src/wire/errors.js';
import { sha256dChecksum } from '../../../../src/wire/hash.js';
import { bytesToHex, hexToBytes } from '../../../../src/wire/hex.js';
import { decodeMessage, encodeMessage, familyOf, type Message } from '../../../../src/wire/message.js';
import { messageVectors } from '../../../support/vectors.js';

const network = decredNetworks.mainnet;

function registered(): boolean {
  try {
    return familyOf(network).name === 'decred';
  } catch {
    return false;
  }
}

const skip = registered() ? false : 'message.ts does not route Decred networks to decredFamily yet';
const frames = messageVectors('decred').filter((vector) => vector.frameHex && !vector.expectError);

describe('Decred through encodeMessage / decodeMessage / FrameDecoder', { skip }, () => {
  it('decodes and re-encodes every dcrd frame vector', () => {
    for (const vector of frames) {
      const options = { network, protocolVersion: vector.protocolVersion };
      const message = decodeMessage(hexToBytes(vector.frameHex!), options) as Message;
      assert.equal(message.command, vector.command);
      assert.equal(bytesToHex(encodeMessage(message, options)), vector.frameHex, vector.command);
    }
  });

  it('streams every frame vector through one FrameDecoder, a byte at a time', () => {
    const decoder = new FrameDecoder({ network });
    const latest = frames.filter((vector) => vector.protocolVersion === network.protocolVersion);
    const stream = hexToBytes(latest.map((vector) => vector.frameHex).join(''));
    const decoded: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      for (const message of decoder.push(stream.subarray(i, i + 1))) decoded.push(message.command);
    }
    assert.deepEqual(
      decoded,
      latest.map((vector) => vector.command),
    );
  });

  it('refuses a Bitcoin frame on a Decred network with the same magic (simnet): the checksum differs', () => {
    const ping = { command: 'ping', nonce: 1n } as const;
    const decredFrame = encodeMessage(ping, { network: decredNetworks.simnet });
    // The same frame as btcd would seal it: double SHA-256 in the checksum field.
    const bitcoinFrame = new Uint8Array(decredFrame);
    new DataView(bitcoinFrame.buffer).setUint32(20, sha256dChecksum(bitcoinFrame.subarray(24)), true);
    assert.throws(
      () => decodeMessage(bitcoinFrame, { network: decredNetworks.simnet }),
      (error: unknown) => error instanceof WireError && error.code === 'bad-checksum',
    );
  });
});
