/**
 * Attacks on resources rather than on parsing: a remote that never reads while we send (byte
 * budget, then queue-overflow; or the write deadline), one that floods pings and never reads the
 * pongs (the same budget, each message counted at least 512 bytes), a remote that goes silent
 * without closing (idle timeout), and 5,000 simultaneous connections against a lower inbound
 * limit. Ends with the suite-wide leak check: no handles beyond the baseline, no peers left in any
 * supervisor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendOutcome } from '../../machines/types.js';
import type { NetAddress } from '../../src/wire/bitcoin/types.js';
import {
  type Attacker,
  expectDeadline,
  growth,
  HANDSHAKE_TIMEOUT_MS,
  hostileSuite,
  IDLE_TIMEOUT_MS,
  type Listener,
  MiB,
  memory,
  mib,
  PeakMemory,
  pause,
  pingFrame,
  settle,
  waitUntil,
  withListener,
} from './hostile.js';

/** 1,000 addresses: an addr message of about 30 kB. */
const addresses: NetAddress[] = Array.from({ length: 1000 }, (_, i) => {
  const ip = new Uint8Array(16);
  ip.set([0xff, 0xff, 10, 2, (i >> 8) & 255, i & 255], 10);
  return { timestamp: 1_700_000_000, services: 1n, ip, port: 18333 };
});

describe('adversarial: resources', () => {
  const { good, expectNothingLeft } = hostileSuite();
  const supervisorsSeen: Listener[] = [];

  /** withListener, remembering the listener for the final check. */
  const run = (options: Parameters<typeof withListener>[0], body: (listener: Listener) => Promise<void>) =>
    withListener(options, async (listener) => {
      supervisorsSeen.push(listener);
      await body(listener);
    });

  it('24a. a remote that never reads while we send: the queue stays within its byte budget, then queue-overflow', async () => {
    const budget = 1 * MiB;
    await run({ peer: { maxQueuedBytes: budget } }, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      attacker.stopReading();
      await pause(20);
      const peak = new PeakMemory();
      // The application keeps queueing 30 kB messages, ten per turn of the event loop (a pace a
      // reading remote keeps up with): up to 90 MB, far beyond the kernel buffers and the budget.
      const outcomes: Promise<SendOutcome>[] = [];
      for (let i = 0; i < 3000 && peer.state === 'active'; i++) {
        outcomes.push(peer.queueMessage({ command: 'addr', addresses }));
        if (i % 10 === 9) {
          await settle(2);
          peak.sample();
        }
      }
      await good.handshakeWith(listener);
      const result = await listener.removal(peer);
      const peakGrowth = peak.stop();
      assert.equal(result.reason, 'queue-overflow');
      assert.ok(peak.samples > 3, `memory sampled while the queue filled (${peak.samples} samples)`);
      const settled = await Promise.all(outcomes);
      assert.ok(
        settled.every((outcome) => outcome === 'sent' || outcome === 'dropped'),
        'every send settles, once',
      );
      assert.ok(settled.includes('dropped'), 'the overflow drops');
      const sentBytes = settled.filter((outcome) => outcome === 'sent').length * 30_033;
      assert.ok(sentBytes > 2 * budget, `${mib(sentBytes)} went to the kernel before the writes stalled`);
      assert.ok(
        peakGrowth.arrayBuffers < budget + 4 * MiB,
        `live arrayBuffers peaked ${mib(peakGrowth.arrayBuffers)} above start (budget ${mib(budget)})`,
      );
      assert.equal(await peer.queueMessage({ command: 'getaddr' }), 'dropped', 'nothing queues afterwards');
      attacker.socket.resume(); // the close is behind the megabytes it never read
      await attacker.waitClosed();
      await good.handshakeWith(listener);
    });
  });

  it('24b. with a write deadline: a stalled write fails the peer exactly at writeTimeoutMs (write-timeout)', async () => {
    const writeTimeoutMs = 5_000;
    await run({ peer: { writeTimeoutMs } }, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      attacker.stopReading();
      await pause(20);
      // Fill the kernel buffers until a write is left pending (the send queue holds a batch in flight).
      let inFlight = false;
      for (let round = 0; round < 400 && !inFlight; round++) {
        const sent = peer.queueMessage({ command: 'addr', addresses });
        await settle(2);
        inFlight = await Promise.race([sent.then(() => false), pause(20).then(() => true)]);
      }
      assert.ok(inFlight, 'a write is stuck behind the full kernel buffers');
      await good.handshakeWith(listener);
      const result = await expectDeadline(listener, peer, listener.clock.now() + writeTimeoutMs, 'active');
      assert.equal(result.reason, 'write-timeout');
      attacker.socket.resume(); // the close is behind the megabytes it never read
      await attacker.waitClosed();
      await good.handshakeWith(listener);
    });
  });

  it('24c. a remote that floods pings and never reads the pongs: each queued pong counts at least 512 bytes against the budget, then queue-overflow', async () => {
    const budget = 4 * MiB;
    await run({ peer: { maxQueuedBytes: budget } }, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      attacker.stopReading();
      await pause(20);
      const peak = new PeakMemory();
      // 400,000 pings (12.8 MB): their pongs are 12.8 MB on the wire, and far more as queued objects.
      const count = 400_000;
      const burst = new Uint8Array(count * 32);
      for (let i = 0; i < count; i++) burst.set(pingFrame(BigInt(i + 1)), i * 32);
      void attacker.send(burst).catch(() => {});
      const result = await listener.removal(peer);
      const peakGrowth = peak.stop();
      assert.equal(result.reason, 'queue-overflow');
      assert.ok(
        peakGrowth.heapUsed < budget + 4 * MiB,
        `live heap peaked ${mib(peakGrowth.heapUsed)} above start (budget ${mib(budget)})`,
      );
      attacker.socket.resume();
      await attacker.waitClosed();
      await good.handshakeWith(listener);
    });
  });

  it('26. a remote that goes silent without closing: idle-timeout exactly 5 min after its last message (pings do not count)', async () => {
    await run({}, async (listener) => {
      const { attacker, peer } = await listener.attackHandshaken();
      // A partial frame is not a message: it does not restart the idle timer either.
      const lastMessageAt = listener.clock.now();
      listener.advance(60_000);
      await attacker.send(pingFrame(1n).subarray(0, 12));
      await pause(5);
      await good.handshakeWith(listener);
      const result = await expectDeadline(listener, peer, lastMessageAt + IDLE_TIMEOUT_MS, 'active', 10_000);
      assert.equal(result.reason, 'idle-timeout');
      await attacker.waitClosed();
      assert.equal(attacker.count('ping'), 2, 'kept alive with pings at 2 and 4 minutes, unanswered');
      await good.handshakeWith(listener);
    });
  });

  it('30. 5,000 simultaneous connections against maxInbound 50: 4,950 refused and closed, the listener stays responsive', {
    timeout: 60_000,
  }, async () => {
    const maxInbound = 50;
    await run({ maxInbound }, async (listener) => {
      const before = memory();
      const attackers = await Promise.all(Array.from({ length: 5000 }, () => listener.connectRaw()));
      await waitUntil(
        () => listener.refused.length + listener.supervisor.peers().length >= 5000,
        'every connection admitted or refused',
        30_000,
      );
      assert.equal(listener.supervisor.peers().length, maxInbound);
      assert.equal(listener.refused.length, 5000 - maxInbound);
      assert.ok(listener.refused.every((refusal) => refusal.reason === 'max-inbound'));
      const admitted = new Set(listener.supervisor.peers().map((peer) => peer.address));
      const refused = attackers.filter((attacker) => !admitted.has(attacker.address));
      await waitUntil(() => refused.every((attacker) => attacker.closed), 'refused sockets closed', 20_000);

      // Full, yet responsive: an admitted connection completes a handshake, a good peer is refused promptly.
      const lucky = attackers.find((attacker) => admitted.has(attacker.address)) as Attacker;
      await lucky.handshake();
      const luckyPeer = listener.supervisor.peers().find((peer) => peer.address === lucky.address)!;
      await waitUntil(() => luckyPeer.state === 'active', 'the admitted peer to become active');
      const refusedBefore = listener.refused.length;
      await assert.rejects(good.handshakeWith(listener, 5_000), /good peer ended before its handshake/);
      assert.equal(listener.refused.length, refusedBefore + 1);

      // The silent admitted ones time out together at 30 s; then a good peer gets in.
      const silent = listener.supervisor.peers().filter((peer) => peer !== luckyPeer);
      const results = await Promise.all(
        silent.map((peer, i) =>
          i === 0
            ? expectDeadline(listener, peer, peer.stats.connTime + HANDSHAKE_TIMEOUT_MS, 'handshaking')
            : listener.removal(peer, 20_000),
        ),
      );
      assert.ok(results.every((result) => result.reason === 'handshake-timeout'));
      assert.equal(luckyPeer.state, 'active');
      await good.handshakeWith(listener);
      for (const attacker of attackers) attacker.destroy();
      await waitUntil(() => listener.supervisor.peers().length === 0, 'every peer gone', 20_000);
      listener.forgetRemoved();
      listener.refused.length = 0;
      const grown = growth(before, memory());
      assert.ok(grown.heapUsed < 16 * MiB, `heap grew ${mib(grown.heapUsed)} after 5,000 connections`);
    });
  });

  it('leaves no handles beyond the baseline, no peers in any supervisor, no uncaught exception', async () => {
    await expectNothingLeft();
    for (const listener of supervisorsSeen) assert.deepEqual(listener.supervisor.peers(), []);
  });
});
