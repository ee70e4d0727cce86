/**
 * Floods from one remote: getdata at the inventory limit, pings as fast as TCP allows, unknown
 * commands, and maximum-size messages. btcd disconnects on none of them (spec R30, R28b), so the
 * peer must stay up, handle everything in order, keep its memory bounded, and let other peers in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  concat,
  expectAnswering,
  frame,
  growth,
  hash32,
  hostileSuite,
  inventoryPayload,
  MiB,
  memory,
  mib,
  PeakMemory,
  pingFrame,
  u32le,
  u64le,
  varint,
  waitUntil,
  withListener,
} from './hostile.js';

/** A valid transaction whose serialisation is exactly `size` bytes (one input, one huge output). */
function transactionOfSize(size: number): Uint8Array {
  const scriptLength = size - 64;
  return concat(
    u32le(1),
    varint(1),
    hash32(1),
    u32le(0),
    varint(0),
    u32le(0xffffffff),
    varint(1),
    u64le(1000n),
    varint(scriptLength),
    new Uint8Array(scriptLength),
    u32le(0),
  );
}

describe('adversarial: flooding', () => {
  const { good, expectNothingLeft } = hostileSuite();

  it('22. getdata flood (40 × 50,000 entries, 72 MB): the peer keeps up, stays up, memory bounded, others get in', async () => {
    let delivered = 0;
    await withListener(
      {
        peer: {
          listeners: {
            onGetData: (_peer, message) => {
              delivered += message.inventory.length;
            },
          },
        },
      },
      async (listener) => {
        const { attacker, peer } = await listener.attackHandshaken();
        const getdata = frame('getdata', inventoryPayload(50_000));
        const peak = new PeakMemory();
        const flood = attacker.stream(getdata, 40);
        await good.handshakeWith(listener);
        await flood;
        await expectAnswering(attacker, 22n, 30_000);
        const peakGrowth = peak.stop();
        assert.equal(delivered, 40 * 50_000, 'every getdata reached the application, in order');
        assert.equal(peer.state, 'active', 'btcd does not disconnect for getdata volume');
        assert.ok(
          peakGrowth.arrayBuffers < 16 * MiB,
          `live arrayBuffers peaked ${mib(peakGrowth.arrayBuffers)} above start`,
        );
        assert.ok(peakGrowth.heapUsed < 16 * MiB, `live heap peaked ${mib(peakGrowth.heapUsed)} above start`);
        const retained = growth(peak.base, memory());
        assert.ok(retained.heapUsed < 8 * MiB, `heap retained ${mib(retained.heapUsed)}`);
        assert.ok(retained.arrayBuffers < 8 * MiB, `arrayBuffers retained ${mib(retained.arrayBuffers)}`);
        await good.handshakeWith(listener);
      },
    );
  });

  it('23. ping flood (100,000 pings in one burst): every ping is answered, in order, memory bounded', async () => {
    await withListener({}, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      attacker.keepFrames = false;
      const count = 100_000;
      const burst = new Uint8Array(count * 32);
      for (let i = 0; i < count; i++) burst.set(pingFrame(BigInt(i + 1)), i * 32);
      const peak = new PeakMemory();
      const flood = attacker.send(burst);
      await good.handshakeWith(listener);
      await flood;
      await waitUntil(() => attacker.count('pong') === count || attacker.closed, 'all pongs', 40_000);
      const peakGrowth = peak.stop();
      assert.equal(attacker.count('pong'), count, 'one pong per ping');
      attacker.keepFrames = true;
      await expectAnswering(attacker, BigInt(count + 1));
      assert.equal(peer.state, 'active');
      assert.ok(
        peakGrowth.arrayBuffers < 16 * MiB,
        `live arrayBuffers peaked ${mib(peakGrowth.arrayBuffers)} above start`,
      );
      assert.ok(peakGrowth.heapUsed < 16 * MiB, `live heap peaked ${mib(peakGrowth.heapUsed)} above start`);
      await good.handshakeWith(listener);
    });
  });

  it('25. a remote streaming maximum-size messages (25 txs of 4,000,000 bytes): memory stays bounded', async () => {
    let transactions = 0;
    await withListener({ peer: { listeners: { onTx: () => void transactions++ } } }, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      const tx = frame('tx', transactionOfSize(4_000_000));
      assert.equal(tx.length, 24 + 4_000_000);
      const peak = new PeakMemory();
      const stream = attacker.stream(tx, 25);
      await good.handshakeWith(listener);
      await stream;
      await expectAnswering(attacker, 25n, 30_000);
      const peakGrowth = peak.stop();
      assert.equal(transactions, 25);
      assert.equal(peer.state, 'active');
      // 100 MB went through; one payload in the decoder (4 MB) plus the chunk it is read from is the floor.
      assert.ok(
        peakGrowth.arrayBuffers < 16 * MiB,
        `live arrayBuffers peaked ${mib(peakGrowth.arrayBuffers)} above start`,
      );
      const retained = growth(peak.base, memory());
      assert.ok(retained.arrayBuffers < 8 * MiB, `arrayBuffers retained ${mib(retained.arrayBuffers)}`);
      await good.handshakeWith(listener);
    });
  });

  it('29. unknown-command flood (50,000 distinct commands, then 20 × 3.9 MB unknown payloads): ignored, bounded', async () => {
    let unknown = 0;
    await withListener(
      {
        peer: {
          listeners: { onMessage: (_peer, message) => void (message.command === 'unknown' && unknown++) },
        },
      },
      async (listener) => {
        const { attacker, peer } = await listener.attackHandshaken();
        const frames: Uint8Array[] = [];
        for (let i = 0; i < 50_000; i++) frames.push(frame(`zz${i.toString(36)}`, Uint8Array.of(i & 255)));
        const burst = concat(...frames);
        frames.length = 0;
        const peak = new PeakMemory();
        const flood = attacker.send(burst);
        await good.handshakeWith(listener);
        await flood;
        await expectAnswering(attacker, 29n, 30_000);
        assert.equal(unknown, 50_000);
        const big = frame('bigunknown', new Uint8Array(3_900_000).fill(9));
        await attacker.stream(big, 20);
        await expectAnswering(attacker, 30n, 30_000);
        const peakGrowth = peak.stop();
        assert.equal(unknown, 50_020);
        assert.equal(peer.state, 'active', 'btcd ignores unknown commands (spec R28b)');
        assert.ok(
          peakGrowth.arrayBuffers < 16 * MiB,
          `live arrayBuffers peaked ${mib(peakGrowth.arrayBuffers)} above start`,
        );
        assert.ok(peakGrowth.heapUsed < 16 * MiB, `live heap peaked ${mib(peakGrowth.heapUsed)} above start`);
        const retained = growth(peak.base, memory());
        assert.ok(
          retained.heapUsed < 8 * MiB,
          `heap retained ${mib(retained.heapUsed)} (no per-command state)`,
        );
        assert.ok(retained.arrayBuffers < 8 * MiB, `arrayBuffers retained ${mib(retained.arrayBuffers)}`);
        await good.handshakeWith(listener);
      },
    );
  });

  it('leaves no handles, no peers and no uncaught exception behind', async () => {
    await expectNothingLeft();
  });
});
