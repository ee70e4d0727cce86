/**
 * Hostile payloads inside well-formed frames: counts over the per-message limits (inv, addr,
 * getheaders), counts the payload cannot hold, headers carrying transactions, and an application
 * whose listeners throw on every message. Spec §3.2 limits, §3.7, and §1.3 (listeners).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/wire/message.js';
import {
  concat,
  expectAnswering,
  expectMalformed,
  frame,
  growth,
  hash32,
  hostileSuite,
  i32le,
  inventoryPayload,
  type Listener,
  MiB,
  memory,
  mib,
  netAddress,
  u32le,
  uncaught,
  varint,
  verackFrame,
  versionFrame,
  waitUntil,
  withListener,
} from './hostile.js';

/** An 80-byte block header followed by its transaction count. */
function headerEntry(seed: number, txCount: number): Uint8Array {
  return concat(
    i32le(1),
    hash32(seed),
    hash32(seed + 1),
    u32le(1_700_000_000),
    u32le(0x1d00ffff),
    u32le(seed),
    varint(txCount),
  );
}

/** addr entries: timestamp + 26-byte address. */
function addrPayload(count: number, declared = count): Uint8Array {
  const entries = Array.from({ length: count }, (_, i) =>
    concat(u32le(1_700_000_000), netAddress(1n, [10, 1, (i >> 8) & 255, i & 255], 18333)),
  );
  return concat(varint(declared), ...entries);
}

/** getheaders: version, locator, stop hash. */
function locatorPayload(count: number, declared = count): Uint8Array {
  return concat(
    u32le(70016),
    varint(declared),
    ...Array.from({ length: count }, (_, i) => hash32(i)),
    new Uint8Array(32),
  );
}

describe('adversarial: payload', () => {
  const { good, expectNothingLeft } = hostileSuite();

  /** A listener whose application records every message it is given. */
  function recording(seen: Message[]) {
    return {
      peer: { listeners: { onMessage: (_peer: unknown, message: Message) => void seen.push(message) } },
    };
  }

  it('17. inv declaring 50,001 entries, and one declaring 50,000 with a short payload: malformed, nothing allocated for the claim', async () => {
    await withListener({}, async (listener) => {
      // The true size of 50,001 vectors is over the inv cap: refused from the header.
      await expectMalformed(
        listener,
        good,
        frame('inv', new Uint8Array(0), { length: 9 + 50_001 * 36, checksum: 0 }),
        /exceeds its maximum 1800009/,
        true,
      );
      const before = memory();
      // The count alone is over the limit.
      await expectMalformed(
        listener,
        good,
        frame('inv', inventoryPayload(0, 50_001)),
        /count 50001 > 50000/,
        true,
      );
      // A count the payload cannot hold (10 vectors present of 50,000 claimed, and none of 50,000).
      await expectMalformed(
        listener,
        good,
        frame('inv', inventoryPayload(10, 50_000)),
        /50000 vectors need 1800000 bytes/,
        true,
      );
      await expectMalformed(
        listener,
        good,
        frame('getdata', inventoryPayload(0, 50_000)),
        /50000 vectors need/,
        true,
      );
      const grown = growth(before, memory());
      assert.ok(grown.heapUsed < 4 * MiB, `heap grew ${mib(grown.heapUsed)}`);
      assert.ok(grown.arrayBuffers < 1 * MiB, `arrayBuffers grew ${mib(grown.arrayBuffers)}`);
    });
  });

  it('17b. the limit itself: an inv of exactly 50,000 vectors is delivered', async () => {
    const seen: Message[] = [];
    await withListener(recording(seen), async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      await attacker.send(frame('inv', inventoryPayload(50_000)));
      await expectAnswering(attacker, 17n);
      const inv = seen.find((message) => message.command === 'inv');
      assert.equal(inv?.command === 'inv' ? inv.inventory.length : 0, 50_000);
      assert.equal(peer.state, 'active');
    });
  });

  it('20. addr with 1,001 entries: malformed (from the header, or from the count); 1,000 is delivered', async () => {
    const seen: Message[] = [];
    await withListener(recording(seen), async (listener) => {
      await expectMalformed(
        listener,
        good,
        frame('addr', addrPayload(1001)),
        /exceeds its maximum 30009/,
        true,
      );
      await expectMalformed(listener, good, frame('addr', addrPayload(1, 1001)), /count 1001 > 1000/, true);
      const { attacker } = await listener.attackHandshaken();
      await attacker.send(frame('addr', addrPayload(1000)));
      await expectAnswering(attacker, 20n);
      const addr = seen.find((message) => message.command === 'addr');
      assert.equal(addr?.command === 'addr' ? addr.addresses.length : 0, 1000);
    });
  });

  it('21. headers with a non-zero transaction count: malformed-message; zero counts are delivered', async () => {
    const seen: Message[] = [];
    await withListener(recording(seen), async (listener) => {
      const bad = concat(varint(2), headerEntry(1, 0), headerEntry(2, 1));
      await expectMalformed(listener, good, frame('headers', bad), /with 1 transactions/, true);
      const huge = concat(varint(1), headerEntry(1, 0xffffffff));
      await expectMalformed(listener, good, frame('headers', huge), /transactions/, true);
      const { attacker } = await listener.attackHandshaken();
      await attacker.send(frame('headers', concat(varint(2), headerEntry(1, 0), headerEntry(2, 0))));
      await expectAnswering(attacker, 21n);
      const headers = seen.find((message) => message.command === 'headers');
      assert.equal(headers?.command === 'headers' ? headers.headers.length : 0, 2);
    });
  });

  it('32. getheaders with a locator of 501 hashes: malformed (header or count); 500 is delivered', async () => {
    const seen: Message[] = [];
    await withListener(recording(seen), async (listener) => {
      await expectMalformed(
        listener,
        good,
        frame('getheaders', locatorPayload(501)),
        /exceeds its maximum 16045/,
        true,
      );
      await expectMalformed(listener, good, frame('getheaders', locatorPayload(0, 501)), /501 > 500/, true);
      await expectMalformed(listener, good, frame('getblocks', locatorPayload(0, 501)), /501 > 500/, true);
      const { attacker } = await listener.attackHandshaken();
      await attacker.send(frame('getheaders', locatorPayload(500)));
      await expectAnswering(attacker, 32n);
      const getheaders = seen.find((message) => message.command === 'getheaders');
      assert.equal(getheaders?.command === 'getheaders' ? getheaders.locator.length : 0, 500);
    });
  });

  /** Handshake, a few messages of several kinds, then the peer must still answer. */
  async function exercise(listener: Listener, budgetMs = 10_000): Promise<void> {
    const { attacker, peer } = await listener.attack();
    await attacker.send(versionFrame(), frame('sendaddrv2'));
    await attacker.waitFor('verack', budgetMs);
    await attacker.send(verackFrame());
    await waitUntil(() => listener.handshaken.has(peer), 'the peer to complete its handshake', budgetMs);
    assert.deepEqual(uncaught.map(String), [], 'no uncaught exception');
    await attacker.send(
      frame('getaddr'),
      frame('inv', inventoryPayload(3)),
      frame('addr', addrPayload(2)),
      frame('headers', concat(varint(1), headerEntry(1, 0))),
      frame('xyzzy', Uint8Array.of(1)),
    );
    await expectAnswering(attacker, 33n, budgetMs);
    await expectAnswering(attacker, 34n, budgetMs);
    assert.equal(peer.state, 'active');
    await good.handshakeWith(listener, budgetMs);
  }

  const boom = () => {
    throw new Error('application bug');
  };

  it('33. application listeners that throw on every message (and supervisor event handlers that throw): contained, logged, the peer carries on', async () => {
    await withListener(
      {
        peer: {
          listeners: {
            onVersion: boom,
            onSendAddrV2: boom,
            onGetAddr: boom,
            onAddr: boom,
            onInv: boom,
            onHeaders: boom,
            onPing: boom,
            onPong: boom,
            onMessage: boom,
            onWrite: boom,
          },
        },
      },
      async (listener) => {
        for (const event of ['peerAdded', 'peerHandshake', 'peerState', 'peerRemoved', 'refused'] as const)
          listener.supervisor.on(event, boom);
        await good.handshakeWith(listener);
        await exercise(listener);
        assert.ok(
          listener.warnings.some((line) => line.includes('application bug')),
          'the exceptions are logged',
        );
      },
    );
  });

  it('33b. an onRead listener that throws: contained like the others', async () => {
    await withListener({ peer: { listeners: { onRead: boom } } }, (listener) => exercise(listener, 1000));
  });

  it('33c. an onVerAck listener that throws: contained like the others', async () => {
    await withListener({ peer: { listeners: { onVerAck: boom } } }, (listener) => exercise(listener, 1000));
  });

  it('leaves no handles, no peers and no uncaught exception behind', async () => {
    await expectNothingLeft();
  });
});
