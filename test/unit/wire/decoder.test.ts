import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameDecoder, type FrameDecoderError } from '../../../src/wire/decoder.js';
import { WireError } from '../../../src/wire/errors.js';
import { encodeMessage, type Message } from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;

const messageArbitrary: fc.Arbitrary<Message> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((nonce) => ({ command: 'ping', nonce }) as Message),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((nonce) => ({ command: 'pong', nonce }) as Message),
  fc.constantFrom<Message>({ command: 'verack' }, { command: 'getaddr' }, { command: 'sendheaders' }),
  fc
    .array(
      fc.record({ type: fc.constantFrom(1, 2), hash: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
      {
        maxLength: 20,
      },
    )
    .map(
      (inventory) =>
        ({ command: 'inv', inventory: inventory.map(({ type, hash }) => ({ type, hash })) }) as Message,
    ),
);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('FrameDecoder', () => {
  it('decodes the same messages whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(messageArbitrary, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(60)),
        (messages, cuts) => {
          const stream = concat(messages.map((message) => encodeMessage(message, { network })));
          const decoder = new FrameDecoder({ network });
          const decoded: Message[] = [];
          let offset = 0;
          for (const cut of cuts) {
            if (offset >= stream.length) break;
            decoded.push(...decoder.push(stream.subarray(offset, offset + cut + 1)));
            offset += cut + 1;
          }
          decoded.push(...decoder.push(stream.subarray(offset)));
          assert.deepEqual(decoded, messages);
          assert.equal(decoder.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles one byte at a time', () => {
    const frames = [
      encodeMessage({ command: 'ping', nonce: 7n }, { network }),
      encodeMessage({ command: 'verack' }, { network }),
    ];
    const decoder = new FrameDecoder({ network });
    const decoded: Message[] = [];
    for (const byte of concat(frames)) decoded.push(...decoder.push(Uint8Array.of(byte)));
    assert.deepEqual(decoded, [{ command: 'ping', nonce: 7n }, { command: 'verack' }]);
  });

  it('rejects a 0xFFFFFFFF length from the 24-byte header, buffering nothing', () => {
    const frame = encodeMessage({ command: 'verack' }, { network });
    new DataView(frame.buffer, frame.byteOffset).setUint32(16, 0xffffffff, true);
    const decoder = new FrameDecoder({ network });
    assert.throws(
      () => decoder.push(frame),
      (error: unknown) => error instanceof WireError && error.code === 'payload-too-large',
    );
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('reports unknown commands (including __proto__) as messages with their payload', () => {
    for (const command of ['__proto__', 'constructor', 'toString', 'valueOf', 'sendcmpctx']) {
      const frame = encodeMessage(
        { command: 'unknown', rawCommand: command, payload: Uint8Array.of(1, 2) },
        { network },
      );
      const [message] = new FrameDecoder({ network }).push(frame);
      assert.deepEqual(message, { command: 'unknown', rawCommand: command, payload: Uint8Array.of(1, 2) });
    }
  });

  it('recovers after a bad checksum but not after a wrong magic', () => {
    const good = encodeMessage({ command: 'ping', nonce: 1n }, { network });
    const bad = good.slice();
    bad[23] = (bad[23] ?? 0) ^ 0xff;
    const decoder = new FrameDecoder({ network });
    let error: FrameDecoderError | undefined;
    try {
      decoder.push(concat([good, bad, good]));
    } catch (caught) {
      error = caught as FrameDecoderError;
    }
    assert.equal(error?.code, 'bad-checksum');
    assert.equal(error?.recoverable, true);
    assert.deepEqual(
      error?.decoded.map((frame) => frame.message),
      [{ command: 'ping', nonce: 1n }],
    );
    assert.deepEqual(decoder.push(new Uint8Array(0)), [{ command: 'ping', nonce: 1n }]);

    const other = encodeMessage({ command: 'verack' }, { network: bitcoinNetworks.mainnet });
    const strict = new FrameDecoder({ network });
    assert.throws(
      () => strict.push(other),
      (caught: unknown) => (caught as FrameDecoderError).recoverable === false,
    );
    assert.throws(
      () => strict.push(good),
      (caught: unknown) => (caught as WireError).code === 'wrong-network',
    );
  });

  it('only ever throws WireError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withMagic) => {
        const input = withMagic ? concat([Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda), bytes]) : bytes;
        try {
          new FrameDecoder({ network }).push(input);
        } catch (error) {
          assert.ok(error instanceof WireError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
