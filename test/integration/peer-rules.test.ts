/**
 * btcd/peer rules one by one (spec §2), each against a real Peer driven by a scripted remote,
 * over an in-memory pair and over loopback TCP. Timers run on SimulatedClock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatedClock } from 'xstate';
import type { PeerConfig } from '../../src/peer/config.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import {
  handshakenInbound,
  type Link,
  memoryLink,
  remoteVersion,
  ScriptedRemote,
  type ScriptedSession,
  settle,
  tcpLink,
  waitUntil,
} from '../../src/testing/scripted-remote.js';
import { type InvMessage, InvType, type NetAddress } from '../../src/wire/bitcoin/types.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;
const links: [string, () => Promise<Link>][] = [
  ['memory', memoryLink],
  ['tcp', tcpLink],
];

interface Session extends ScriptedSession {
  clock: SimulatedClock;
}

/** An inbound peer that has completed the handshake with a scripted remote. */
async function handshaken(
  makeLink: () => Promise<Link>,
  config: Partial<PeerConfig<Peer>> = {},
  version = remoteVersion(),
): Promise<Session> {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const session = await handshakenInbound(
    await makeLink(),
    { network, nonceCache: new NonceCache(), clock, ...config },
    version,
  );
  return { ...session, clock };
}

function txInv(i: number) {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, i, true);
  return { type: InvType.tx, hash };
}

function address(i: number): NetAddress {
  const ip = new Uint8Array(16);
  ip.set([0xff, 0xff, 10, 1, (i >> 8) & 255, i & 255], 10);
  return { timestamp: 1_700_000_000, services: 1n, ip, port: 8333 };
}

for (const [kind, makeLink] of links) {
  describe(`peer rules over ${kind}`, () => {
    it('answers pings with the same nonce, but not at protocol version 60000 or below', async () => {
      const modern = await handshaken(makeLink);
      modern.remote.send({ command: 'ping', nonce: 0xabcdefn });
      const pong = await modern.remote.waitFor('pong');
      assert.deepEqual(pong, { command: 'pong', nonce: 0xabcdefn });
      await modern.close();

      let sawGetAddr = false;
      const old = await handshaken(
        makeLink,
        { listeners: { onGetAddr: () => (sawGetAddr = true) } },
        remoteVersion({ protocolVersion: 60000 }),
      );
      const before = old.remote.received.length;
      old.remote.send({ command: 'ping', nonce: 0n }, 60000);
      old.remote.send({ command: 'getaddr' }, 60000);
      // Messages are handled in order: once getaddr is, the ping was, and a pong would be on its way.
      await waitUntil(() => sawGetAddr);
      await settle(20);
      assert.deepEqual(
        old.remote.received.slice(before).map((message) => message.command),
        [],
        'no pong below BIP31',
      );
      await old.close();
    });

    it('trickles inventory in invs of at most 1000, skips known items, and sends blocks at once', async () => {
      const { peer, remote, clock, close } = await handshaken(makeLink);
      const from = remote.received.length;
      const block = { type: InvType.block, hash: new Uint8Array(32).fill(7) };
      peer.queueInventory(block);
      const blockInv = (await remote.waitFor('inv', from)) as InvMessage;
      assert.deepEqual(blockInv.inventory, [block], 'a block bypasses the trickle');

      for (let i = 0; i < 2500; i++) peer.queueInventory(txInv(i));
      await settle();
      assert.equal(remote.received.length, from + 1, 'nothing before the trickle tick');
      clock.increment(10_000);
      await waitUntil(() => remote.received.length === from + 4);
      const sizes = remote.received
        .slice(from + 1)
        .map((message) => (message as InvMessage).inventory.length);
      assert.deepEqual(sizes, [1000, 1000, 500]);
      const announced = remote.received
        .slice(from + 1)
        .flatMap((message) =>
          (message as InvMessage).inventory.map((item) => item.hash[0]! + item.hash[1]! * 256),
        );
      assert.deepEqual(
        announced,
        Array.from({ length: 2500 }, (_, i) => i),
        'in queue order',
      );

      for (let i = 0; i < 10; i++) peer.queueInventory(txInv(2495 + i)); // 5 already announced
      clock.increment(10_000);
      await waitUntil(() => remote.received.length === from + 5);
      assert.deepEqual(
        (remote.received[from + 4] as InvMessage).inventory.map(
          (item) => item.hash[0]! + item.hash[1]! * 256,
        ),
        [2500, 2501, 2502, 2503, 2504],
      );
      await close();
    });

    it('drops inventory queued before the handshake completes', async () => {
      const link = await makeLink();
      const clock = new SimulatedClock();
      const peer = Peer.inbound({ network, nonceCache: new NonceCache(), clock }, link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      peer.queueInventory(txInv(1));
      remote.send(remoteVersion());
      await remote.waitFor('verack');
      remote.send({ command: 'verack' });
      await waitUntil(() => peer.state === 'active');
      clock.increment(10_000);
      await settle();
      assert.deepEqual(
        remote.received.map((message) => message.command),
        ['version', 'sendaddrv2', 'verack'],
      );
      peer.disconnect();
      await peer.waitForDisconnect();
      await link.dispose();
    });

    it('disconnects with queue-overflow past its byte budget; every send settles exactly once', async () => {
      const { peer, remote, close } = await handshaken(makeLink, { maxQueuedBytes: 50_000 });
      const addresses = Array.from({ length: 1000 }, (_, i) => address(i)); // ~30 kB per addr message
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => peer.queueMessage({ command: 'addr', addresses })),
      );
      const result = await peer.waitForDisconnect();
      assert.equal(result.reason, 'queue-overflow');
      assert.ok(outcomes.includes('dropped'), `outcomes: ${outcomes}`);
      assert.ok(outcomes.every((outcome) => outcome === 'sent' || outcome === 'dropped'));
      assert.equal(
        await peer.queueMessage({ command: 'getaddr' }),
        'dropped',
        'nothing queues after teardown',
      );
      await remote.waitClosed();
      await close();
    });

    it('sends at most 1000 distinct addresses, a random subset of a longer list', async () => {
      const { peer, remote, close } = await handshaken(makeLink);
      const all = Array.from({ length: 1500 }, (_, i) => address(i));
      const chosen = peer.pushAddrMsg(all);
      const received = await remote.waitFor('addr');
      assert.equal(chosen.length, 1000);
      const keys = (list: readonly NetAddress[]) =>
        list.map((entry) => `${entry.ip.join('.')}:${entry.port}`);
      assert.equal(new Set(keys(chosen)).size, 1000, 'no duplicates');
      assert.ok(keys(chosen).every((key) => keys(all).includes(key)));
      assert.deepEqual(keys((received as { addresses: NetAddress[] }).addresses), keys(chosen));
      assert.deepEqual(peer.pushAddrMsg([]), [], 'nothing to send, nothing sent');
      await close();
    });

    it('filters a back-to-back duplicate getheaders and refuses a 501-hash locator', async () => {
      const { peer, remote, close } = await handshaken(makeLink);
      const locator = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
      const stop = new Uint8Array(32);
      assert.equal(await peer.pushGetHeadersMsg(locator, stop), 'sent');
      assert.equal(peer.pushGetHeadersMsg(locator, stop), undefined, 'the same request again is filtered');
      assert.equal(await peer.pushGetBlocksMsg(locator, stop), 'sent', 'getblocks keeps its own record');
      const other = [new Uint8Array(32).fill(3)];
      assert.equal(await peer.pushGetHeadersMsg(other, stop), 'sent');
      assert.throws(
        () =>
          peer.pushGetHeadersMsg(
            Array.from({ length: 501 }, () => stop),
            stop,
          ),
        RangeError,
      );
      await remote.waitFor('getblocks');
      await waitUntil(
        () => remote.received.filter((message) => message.command === 'getheaders').length === 2,
      );
      await close();
    });

    it('sends a reject with a hash only for block and tx, and none to a peer below 70002', async () => {
      const { peer, remote, close } = await handshaken(makeLink);
      const hash = new Uint8Array(32).fill(9);
      await peer.pushRejectMsg('tx', 0x10, 'bad tx', hash);
      await peer.pushRejectMsg('inv', 0x01, 'malformed', hash);
      await waitUntil(() => remote.received.filter((message) => message.command === 'reject').length === 2);
      const rejects = remote.received.filter((message) => message.command === 'reject');
      assert.deepEqual(rejects[0], { command: 'reject', message: 'tx', code: 0x10, reason: 'bad tx', hash });
      assert.deepEqual(rejects[1], { command: 'reject', message: 'inv', code: 0x01, reason: 'malformed' });
      await close();

      const old = await handshaken(makeLink, {}, remoteVersion({ protocolVersion: 70001 }));
      assert.equal(old.peer.pushRejectMsg('tx', 0x10, 'bad tx', hash), undefined);
      await old.close();
    });

    it('contains a listener that throws: logged, the peer stays up and still answers', async () => {
      const logged: string[] = [];
      const { peer, remote, close } = await handshaken(makeLink, {
        listeners: {
          onPing: () => {
            throw new Error('listener bug');
          },
        },
        logger: { log: (level, message) => logged.push(`${level} ${message}`) },
      });
      remote.send({ command: 'ping', nonce: 5n });
      await remote.waitFor('pong');
      assert.equal(peer.state, 'active');
      assert.ok(logged.some((line) => line.startsWith('warn') && line.includes('listener bug')));
      await close();
    });

    it('hands a burst read in one chunk to the listeners in order, and nothing after what ends the peer', async () => {
      const seen: number[] = [];
      const invNumber = ({ inventory: [item] }: InvMessage) =>
        new DataView(item!.hash.buffer, item!.hash.byteOffset).getUint32(0, true);
      const burst = await handshaken(makeLink, {
        listeners: { onInv: (_peer, message) => seen.push(invNumber(message)) },
      });
      burst.remote.sendBurst(
        Array.from({ length: 500 }, (_, i) => ({ command: 'inv', inventory: [txInv(i)] })),
      );
      await waitUntil(() => seen.length === 500);
      assert.deepEqual(
        seen,
        Array.from({ length: 500 }, (_, i) => i),
      );
      seen.length = 0;
      burst.remote.sendBurst([
        { command: 'inv', inventory: [txInv(1)] },
        remoteVersion(),
        { command: 'inv', inventory: [txInv(2)] },
      ]);
      assert.equal((await burst.peer.waitForDisconnect()).reason, 'duplicate-version');
      assert.deepEqual(seen, [1], 'the inv after the duplicate version is not handled');
      await burst.close();

      const stopping = await handshaken(makeLink, {
        listeners: {
          onInv: (peer, message) => {
            seen.push(invNumber(message));
            peer.disconnect();
          },
        },
      });
      seen.length = 0;
      stopping.remote.sendBurst([1, 2, 3].map((i) => ({ command: 'inv', inventory: [txInv(i)] })));
      assert.equal((await stopping.peer.waitForDisconnect()).reason, 'local-request');
      assert.deepEqual(seen, [1], 'nothing reaches the listeners after disconnect()');
      await stopping.close();
    });

    it('ignores unknown commands by default, and disconnects on them when asked', async () => {
      const tolerant = await handshaken(makeLink);
      tolerant.remote.socket.write(unknownFrame('xyzzy'));
      tolerant.remote.send({ command: 'ping', nonce: 1n });
      await tolerant.remote.waitFor('pong');
      assert.equal(tolerant.peer.state, 'active');
      await tolerant.close();

      const strict = await handshaken(makeLink, { ignoreUnknownCommands: false });
      strict.remote.socket.write(unknownFrame('xyzzy'));
      assert.equal((await strict.peer.waitForDisconnect()).reason, 'unknown-command');
      await strict.close();
    });
  });
}

describe('peer rules that depend on the transport', () => {
  it('misses the write deadline when the remote stops reading', async () => {
    // In memory a reader that stops reading stalls the writer at once; over TCP the kernel
    // buffers would first absorb megabytes.
    const { peer, remote, clock, close } = await handshaken(memoryLink, { writeTimeoutMs: 5_000 });
    remote.socket.pause();
    remote.socket.removeAllListeners('data');
    const addresses = Array.from({ length: 1000 }, (_, i) => address(i));
    for (let i = 0; i < 4; i++) void peer.queueMessage({ command: 'addr', addresses });
    await settle(20);
    assert.equal(peer.state, 'active');
    clock.increment(4_999);
    await settle();
    assert.equal(peer.state, 'active', 'not before the deadline');
    clock.increment(1);
    assert.equal((await peer.waitForDisconnect()).reason, 'write-timeout');
    await close();
  });

  it('on regtest, tolerates malformed messages from localhost only', async () => {
    const local = await handshaken(tcpLink); // 127.0.0.1
    local.remote.socket.write(badChecksumPing());
    local.remote.send({ command: 'ping', nonce: 2n });
    await local.remote.waitFor('pong');
    assert.equal(local.peer.state, 'active');
    await local.close();

    const far = await handshaken(memoryLink); // 10.0.0.1
    far.remote.socket.write(badChecksumPing());
    assert.equal((await far.peer.waitForDisconnect()).reason, 'malformed-message');
    await far.close();
  });
});

function unknownFrame(command: string): Uint8Array {
  const frame = new Uint8Array(24);
  const view = new DataView(frame.buffer);
  view.setUint32(0, network.magic, true);
  frame.set(new TextEncoder().encode(command), 4);
  view.setUint32(16, 0, true);
  view.setUint32(20, 0xe2e0f65d, true); // checksum of the empty payload
  return frame;
}

function badChecksumPing(): Uint8Array {
  const frame = new Uint8Array(32);
  const view = new DataView(frame.buffer);
  view.setUint32(0, network.magic, true);
  frame.set(new TextEncoder().encode('ping'), 4);
  view.setUint32(16, 8, true);
  view.setUint32(20, 0x01020304, true);
  return frame;
}

describe('stall detection with handler-time compensation (spec §2.9)', () => {
  it('time spent in application listeners extends the pending deadlines', async () => {
    let clock!: SimulatedClock;
    const { peer, remote, close } = await handshaken(memoryLink, {
      // A slow application: each ping takes it 13 s (simulated) to handle.
      listeners: { onPing: () => clock.increment(13_000) },
    });
    clock = (peer as unknown as { clock: SimulatedClock }).clock;
    const start = clock.now();
    const at = (offsetMs: number) => clock.increment(start + offsetMs - clock.now());
    const hash = new Uint8Array(32).fill(1);
    assert.equal(await peer.queueMessage({ command: 'getdata', inventory: [{ type: 1, hash }] }), 'sent');
    // The getdata is due by start + 30 s; the monitor checks every 15 s.
    let pongs = 0;
    const pinged = async (nonce: bigint) => {
      remote.send({ command: 'ping', nonce });
      await remote.waitFor('pong', remote.received.length);
      pongs++;
    };
    at(16_000);
    await pinged(1n); // handled from 16 s to 29 s
    at(30_000);
    await settle();
    assert.equal(peer.state, 'active', 'at 30 s the deadline has moved to 43 s');
    at(31_000);
    await pinged(2n); // handled from 31 s to 44 s
    at(45_000);
    await settle();
    assert.equal(peer.state, 'active', 'at 45 s the deadline has moved to 56 s');
    at(60_000);
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'stall');
    assert.equal(pongs, 2);
    await close();
  });
});
