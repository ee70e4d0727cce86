/**
 * The Decred peer profile (spec §1.6, §1.7, §2: every dcrd difference), rule by rule against a real
 * Peer on a Decred network driven by a scripted remote, over an in-memory pair and loopback TCP;
 * then the scenarios of dcrd's own peer tests (spec §4.2, §4.3). Every timer runs on SimulatedClock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatedClock } from 'xstate';
import { type PeerConfig, profileFor, resolveSettings } from '../../src/peer/config.js';
import { type DecredPeerListeners, decredListeners } from '../../src/peer/listeners.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import { decredProfile } from '../../src/protocol/decred/profile.js';
import { bitcoinProfile } from '../../src/protocol/profile.js';
import {
  handshakenInbound,
  type Link,
  memoryLink,
  waitUntil as pollUntil,
  remoteVersion,
  ScriptedRemote,
  type ScriptedSession,
  settle,
  tcpLink,
} from '../../src/testing/scripted-remote.js';
import type { InvMessage, InvVector, VersionMessage } from '../../src/wire/bitcoin/types.js';
import { decredNetworks } from '../../src/wire/decred/networks.js';
import { txHash } from '../../src/wire/decred/transaction.js';
import {
  DecredAddressType,
  type DecredAddrV2Entry,
  DecredInvType,
  type DecredTxMessage,
} from '../../src/wire/decred/types.js';
import { bytesToHex, hexToBytes } from '../../src/wire/hex.js';
import { type DecredWireMessage, decodePayloadOf, type Message } from '../../src/wire/message.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';
import { messageVectors } from '../support/vectors.js';

const network = decredNetworks.simnet;
const links: [string, () => Promise<Link>][] = [
  ['memory', memoryLink],
  ['tcp', tcpLink],
];
const MiB = 1024 * 1024;

/** A version as dcrd sends it (protocol 12 unless overridden). */
function dcrdVersion(overrides: Partial<VersionMessage> = {}): VersionMessage {
  return remoteVersion({ protocolVersion: 12, userAgent: '/dcrwire:1.0.0/dcrd:2.1.0/', ...overrides });
}

interface Session extends ScriptedSession {
  clock: SimulatedClock;
}

/** This file's polling budget: its Decred sessions run slower timers and bigger exchanges. */
const waitUntil = (condition: () => boolean, budgetMs = 5000) => pollUntil(condition, budgetMs);

function newClock(): SimulatedClock {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  return clock;
}

function config(clock: SimulatedClock, extra: Partial<PeerConfig<Peer>> = {}): PeerConfig<Peer> {
  return { network, nonceCache: new NonceCache(), clock, ...extra };
}

/** An inbound Decred peer that completed the handshake with a scripted remote. */
async function handshaken(
  makeLink: () => Promise<Link>,
  extra: Partial<PeerConfig<Peer>> = {},
  version = dcrdVersion(),
): Promise<Session> {
  const clock = newClock();
  const session = await handshakenInbound(await makeLink(), config(clock, extra), version, {
    encodeAt: version.protocolVersion,
    budgetMs: 5000,
  });
  return { ...session, clock };
}

const commands = (remote: ScriptedRemote, from = 0) =>
  remote.received.slice(from).map((message) => message.command);

function txInv(i: number): InvVector {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, i, true);
  return { type: DecredInvType.tx, hash };
}

/** A frame with any command and payload, checksummed for Decred (BLAKE-256). */
function rawFrame(command: string, payloadLength = 0): Message {
  return { command: 'unknown', rawCommand: command, payload: new Uint8Array(payloadLength) };
}

/**
 * One message of every Decred type a peer exchanges after the handshake, decoded from dcrd's own
 * wire test vectors: the first vector of each command that decodes at `protocolVersion`.
 */
function decredSamples(protocolVersion = 12): DecredWireMessage[] {
  const chosen = new Map<string, DecredWireMessage>();
  for (const vector of messageVectors('decred')) {
    if (vector.expectError || chosen.has(vector.command)) continue;
    if (['version', 'verack', 'reject', ''].includes(vector.command)) continue;
    try {
      const message = decodePayloadOf(vector.command, hexToBytes(vector.payloadHex), {
        network,
        protocolVersion,
      }) as unknown as DecredWireMessage;
      chosen.set(vector.command, message);
    } catch {
      // gated at this version, or a vector for another one
    }
  }
  return [...chosen.values()];
}

/** Every decodable tx vector, distinct by hash. */
function decredTransactions(): DecredTxMessage[] {
  const byHash = new Map<string, DecredTxMessage>();
  for (const vector of messageVectors('decred')) {
    if (vector.command !== 'tx' || vector.expectError) continue;
    try {
      const message = decodePayloadOf('tx', hexToBytes(vector.payloadHex), {
        network,
        protocolVersion: 12,
      }) as unknown as DecredTxMessage;
      byHash.set(bytesToHex(txHash(message.transaction)), message);
    } catch {
      // not decodable at 12
    }
  }
  return [...byHash.values()];
}

/**
 * SimulatedClock.increment moves the time first and fires due timers after, so a timer re-armed
 * inside one big step would be late; time passes in small steps here, as it does for real.
 */
async function advance(clock: SimulatedClock, ms: number, stepMs = 1000): Promise<void> {
  for (let passed = 0; passed < ms; passed += stepMs) {
    clock.increment(Math.min(stepMs, ms - passed));
    await settle(2);
  }
}

const queuedBytes = (peer: Peer) =>
  (
    peer.actor.getSnapshot().children.sendQueue?.getSnapshot() as
      | { context: { queuedBytes: number } }
      | undefined
  )?.context.queuedBytes;

describe('Decred profile selection', () => {
  it('picks the dcrd profile for every Decred network and keeps btcd for Bitcoin', () => {
    for (const decred of Object.values(decredNetworks))
      assert.equal(profileFor({ network: decred }), decredProfile);
    assert.equal(profileFor({ network: bitcoinNetworks.regtest }), bitcoinProfile);
    const settings = resolveSettings({ network }, '127.0.0.1');
    assert.equal(settings.protocolVersion, 12);
    assert.equal(settings.minProtocolVersion, 9);
    assert.equal(settings.idleTimeoutMs, 120_000);
    assert.equal(settings.pingIntervalMs, 107_000);
    assert.equal(settings.pongMinVersion, 0, 'pongs at every version');
    assert.equal(settings.sendsRejects, false);
    assert.equal(settings.ignoreUnknownCommands, false);
    assert.equal(settings.blockInventoryBypassesTrickle, false);
    assert.deepEqual([settings.trickleIntervalMs, settings.trickleJitterMs], [100, 400]);
    assert.deepEqual([settings.writeTimeoutMs, settings.writeTimeoutPer256KiBMs], [20_000, 1_000]);
    assert.equal(settings.maxQueuedBytes, 40 * MiB);
    assert.equal(settings.maxOutstandingGetData, 75_000);
    assert.equal(settings.tolerateMalformed, false, 'btcd regtest tolerance is Bitcoin only');
    const bitcoin = resolveSettings({ network: bitcoinNetworks.regtest }, '10.0.0.1');
    assert.deepEqual(
      [
        bitcoin.writeTimeoutMs,
        bitcoin.trickleJitterMs,
        bitcoin.maxOutstandingGetData,
        bitcoin.handshakeOrder,
      ],
      [0, 0, 0, 'btcd'],
    );
  });
});

for (const [kind, makeLink] of links) {
  describe(`dcrd handshake over ${kind}`, () => {
    it('outbound: version, read version, read verack, and only then our verack', async () => {
      const link = await makeLink();
      const peer = Peer.outbound(config(newClock()), '10.0.0.2:18555', link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      const ours = (await remote.waitFor('version')) as VersionMessage;
      assert.equal(ours.protocolVersion, 12);
      remote.send(dcrdVersion());
      await settle(20);
      assert.deepEqual(commands(remote), ['version'], 'no verack before the remote acknowledged us');
      assert.equal(peer.state, 'handshaking');
      remote.send({ command: 'verack' });
      await remote.waitFor('verack');
      await waitUntil(() => peer.state === 'active');
      assert.deepEqual(commands(remote), ['version', 'verack']);
      peer.disconnect();
      await peer.waitForDisconnect();
      await link.dispose();
    });

    it('inbound: read version, answer with the negotiated version, verack, read verack', async () => {
      const { peer, remote, close } = await handshaken(makeLink, {}, dcrdVersion({ protocolVersion: 10 }));
      assert.deepEqual(commands(remote), ['version', 'verack']);
      assert.equal((remote.received[0] as VersionMessage).protocolVersion, 10, 'dcrd advertises the minimum');
      assert.equal(peer.protocolVersion, 10);
      await close();
    });

    it('refuses a remote below version 9 without a reject; accepts 9', async () => {
      const link = await makeLink();
      const peer = Peer.inbound(config(newClock()), link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send(dcrdVersion({ protocolVersion: 8 }), 8);
      assert.equal((await peer.waitForDisconnect()).reason, 'protocol-too-old');
      await remote.waitClosed();
      assert.deepEqual(commands(remote), [], 'nothing at all: no version, no reject');
      await link.dispose();

      const outboundLink = await makeLink();
      const outbound = Peer.outbound(config(newClock()), '10.0.0.2:18555', outboundLink.peerSocket);
      const dcrd = new ScriptedRemote(outboundLink.remoteSocket, network);
      await dcrd.waitFor('version');
      dcrd.send(dcrdVersion({ protocolVersion: 8 }), 8);
      assert.equal((await outbound.waitForDisconnect()).reason, 'protocol-too-old');
      await dcrd.waitClosed();
      assert.deepEqual(commands(dcrd), ['version']);
      await outboundLink.dispose();

      const oldest = await handshaken(makeLink, {}, dcrdVersion({ protocolVersion: 9 }));
      assert.equal(oldest.peer.protocolVersion, 9);
      await oldest.close();
    });

    it('a first message other than version fails the handshake, with no reject', async () => {
      const link = await makeLink();
      const peer = Peer.inbound(config(newClock()), link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send({ command: 'ping', nonce: 1n });
      assert.equal((await peer.waitForDisconnect()).reason, 'not-version-message');
      await remote.waitClosed();
      assert.deepEqual(commands(remote), []);
      await link.dispose();
    });

    it('at version 12 the message after the versions must be verack', async () => {
      const link = await makeLink();
      const peer = Peer.inbound(config(newClock()), link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send(dcrdVersion());
      await remote.waitFor('verack');
      remote.send({ command: 'getaddr' });
      assert.equal((await peer.waitForDisconnect()).reason, 'not-verack-message');
      await link.dispose();
    });

    it('below 12, up to two early messages are stashed and handled once active; a third fails', async () => {
      let getAddrs = 0;
      const link = await makeLink();
      const peer = Peer.inbound(
        config(newClock(), { listeners: { onGetAddr: () => getAddrs++ } }),
        link.peerSocket,
      );
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send(dcrdVersion({ protocolVersion: 11 }), 11);
      await remote.waitFor('verack');
      remote.send({ command: 'ping', nonce: 77n }, 11);
      remote.send({ command: 'getaddr' }, 11);
      await settle(10);
      assert.equal(getAddrs, 0, 'not handled before verack');
      remote.send({ command: 'verack' }, 11);
      const pong = await remote.waitFor('pong');
      assert.deepEqual(pong, { command: 'pong', nonce: 77n }, 'the stashed ping is answered');
      await waitUntil(() => getAddrs === 1);
      assert.equal(peer.state, 'active');
      peer.disconnect();
      await peer.waitForDisconnect();
      await link.dispose();

      const tooMany = await makeLink();
      const strict = Peer.inbound(config(newClock()), tooMany.peerSocket);
      const chatty = new ScriptedRemote(tooMany.remoteSocket, network);
      chatty.send(dcrdVersion({ protocolVersion: 11 }), 11);
      await chatty.waitFor('verack');
      for (const command of ['getaddr', 'mempool', 'sendheaders'] as const) chatty.send({ command }, 11);
      const result = await strict.waitForDisconnect();
      assert.equal(result.reason, 'not-verack-message');
      assert.match(result.detail, /sendheaders/);
      await tooMany.dispose();
    });

    it('an unknown command during the handshake fails it', async () => {
      const link = await makeLink();
      const peer = Peer.inbound(config(newClock()), link.peerSocket);
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send(dcrdVersion({ protocolVersion: 11 }), 11);
      await remote.waitFor('verack');
      remote.send(rawFrame('sendaddrv2'));
      assert.equal((await peer.waitForDisconnect()).reason, 'unknown-command');
      await link.dispose();
    });

    it('an OnVersion veto disconnects without sending a reject', async () => {
      const link = await makeLink();
      const peer = Peer.inbound(
        config(newClock(), {
          listeners: {
            onVersion: () => ({ command: 'reject', message: 'version', code: 0x11, reason: 'no' }),
          },
        }),
        link.peerSocket,
      );
      const remote = new ScriptedRemote(link.remoteSocket, network);
      remote.send(dcrdVersion());
      assert.equal((await peer.waitForDisconnect()).reason, 'version-vetoed');
      await remote.waitClosed();
      assert.deepEqual(commands(remote), []);
      await link.dispose();
    });
  });

  describe(`dcrd rules after the handshake over ${kind}`, () => {
    it('an unknown command disconnects (dcrd treats it as a read error)', async () => {
      const { peer, remote, close } = await handshaken(makeLink);
      const from = remote.received.length;
      remote.send(rawFrame('sendcmpct'));
      assert.equal((await peer.waitForDisconnect()).reason, 'unknown-command');
      await remote.waitClosed();
      assert.deepEqual(commands(remote, from), [], 'and no reject');
      await close();
    });

    it('a reject cannot be read at version 12: disconnect, never a reject back', async () => {
      const { peer, remote, close } = await handshaken(makeLink);
      const from = remote.received.length;
      remote.send(rawFrame('reject', 10));
      assert.equal((await peer.waitForDisconnect()).reason, 'malformed-message');
      await remote.waitClosed();
      assert.deepEqual(commands(remote, from), []);
      await close();
    });

    it('a second version or verack disconnects, without a reject', async () => {
      for (const [message, reason] of [
        [dcrdVersion(), 'duplicate-version'],
        [{ command: 'verack' }, 'duplicate-verack'],
      ] as const) {
        const { peer, remote, close } = await handshaken(makeLink);
        const from = remote.received.length;
        remote.send(message as Message);
        assert.equal((await peer.waitForDisconnect()).reason, reason);
        await remote.waitClosed();
        assert.deepEqual(commands(remote, from), []);
        await close();
      }
    });

    it('pings every 107 s with fresh 64-bit random nonces, matches pongs, idles out after 120 s', async () => {
      const { peer, remote, clock, close } = await handshaken(makeLink);
      const from = remote.received.length;
      clock.increment(106_999);
      await settle(10);
      assert.deepEqual(commands(remote, from), [], 'no ping before 107 s');
      clock.increment(1);
      const first = (await remote.waitFor('ping', from)) as { nonce: bigint };
      assert.equal(peer.lastPingNonce, first.nonce);
      remote.send({ command: 'pong', nonce: first.nonce ^ 1n });
      await settle(10);
      assert.equal(peer.lastPingNonce, first.nonce, 'a stale nonce is no answer');
      clock.increment(3);
      remote.send({ command: 'pong', nonce: first.nonce });
      await waitUntil(() => peer.lastPingNonce === 0n);
      assert.ok(peer.lastPingMicros >= 3000, `RTT ${peer.lastPingMicros} µs`);

      const pingsFrom = remote.received.length;
      clock.increment(107_000);
      const second = (await remote.waitFor('ping', pingsFrom)) as { nonce: bigint };
      assert.notEqual(second.nonce, first.nonce);
      assert.ok(first.nonce !== 0n && second.nonce !== 0n);
      // The pong was the last message received, 107 s ago: the idle timeout is 13 s away.
      clock.increment(12_999);
      await settle(10);
      assert.equal(peer.state, 'active');
      clock.increment(1);
      assert.equal((await peer.waitForDisconnect()).reason, 'idle-timeout');
      await close();
    });

    it('answers pings and measures pongs at the oldest version, 9', async () => {
      const { peer, remote, clock, close } = await handshaken(
        makeLink,
        {},
        dcrdVersion({ protocolVersion: 9 }),
      );
      remote.send({ command: 'ping', nonce: 9n }, 9);
      assert.deepEqual(await remote.waitFor('pong'), { command: 'pong', nonce: 9n });
      const from = remote.received.length;
      clock.increment(107_000);
      const ping = (await remote.waitFor('ping', from)) as { nonce: bigint };
      assert.equal(peer.lastPingNonce, ping.nonce, 'ping statistics at version 9');
      remote.send({ command: 'pong', nonce: ping.nonce }, 9);
      await waitUntil(() => peer.lastPingNonce === 0n);
      await close();
    });

    it('trickles after a uniform [100, 500) ms delay, blocks included (no bypass)', async () => {
      const { peer, remote, clock, close } = await handshaken(makeLink);
      const delays: number[] = [];
      for (let trial = 0; trial < 12; trial++) {
        const from = remote.received.length;
        const item =
          trial === 0 ? { type: DecredInvType.block, hash: new Uint8Array(32).fill(9) } : txInv(trial);
        peer.queueInventory(item);
        await settle();
        clock.increment(99);
        await settle(10);
        assert.deepEqual(commands(remote, from), [], 'nothing before 100 ms');
        let elapsed = 99;
        while (remote.received.length === from) {
          assert.ok(elapsed < 500, 'flushed before 500 ms');
          clock.increment(1);
          elapsed += 1;
          await settle(3);
        }
        const inv = (await remote.waitFor('inv', from)) as InvMessage;
        assert.deepEqual(inv.inventory, [item]);
        delays.push(elapsed);
      }
      assert.ok(new Set(delays).size > 1, `jittered delays, got ${delays}`);
      await close();
    });

    it('known inventory expires after 15 minutes', async () => {
      const { peer, remote, clock, close } = await handshaken(makeLink, { idleTimeoutMs: 3_600_000 });
      const invs = () => remote.received.filter((message) => message.command === 'inv').length;
      const item = txInv(1);
      peer.addKnownInventory(item);
      peer.queueInventory(item);
      clock.increment(500);
      await settle(10);
      assert.equal(invs(), 0, 'known: not announced');
      clock.increment(15 * 60_000 - 501);
      assert.ok(peer.isKnownInventory(item), 'still known just before 15 minutes');
      clock.increment(1);
      assert.equal(peer.isKnownInventory(item), false, 'forgotten at 15 minutes');
      peer.queueInventory(item);
      clock.increment(500);
      await waitUntil(() => invs() === 1);
      assert.ok(peer.isKnownInventory(item), 'announcing it made it known again');
      await close();
    });

    it('queueInventoryImmediate announces at once, once, and the trickle then skips it', async () => {
      const { peer, remote, clock, close } = await handshaken(makeLink);
      const from = remote.received.length;
      const item = txInv(5);
      peer.queueInventoryImmediate(item);
      const inv = (await remote.waitFor('inv', from)) as InvMessage;
      assert.deepEqual(inv.inventory, [item]);
      assert.ok(peer.isKnownInventory(item));
      peer.queueInventoryImmediate(item);
      peer.queueInventory(item);
      clock.increment(500);
      await settle(20);
      assert.deepEqual(commands(remote, from), ['inv']);
      await close();
    });
  });
}

describe('dcrd stall and resource rules', () => {
  const [tx, otherTx] = decredTransactions();
  const hashOf = (message: DecredTxMessage) => txHash(message.transaction);

  it('every requested vector has its own deadline; only its own answer clears it', async () => {
    const { peer, remote, clock, close } = await handshaken(memoryLink);
    let received = 0;
    peer.on('message', () => received++);
    const missing = { type: DecredInvType.tx, hash: new Uint8Array(32).fill(0xee) };
    assert.equal(
      await peer.queueMessage({
        command: 'getdata',
        inventory: [{ type: DecredInvType.tx, hash: hashOf(tx!) }, missing],
      }),
      'sent',
    );
    remote.send(tx as unknown as Message); // answers the first vector only
    await waitUntil(() => received === 1);
    await advance(clock, 29_000);
    assert.equal(peer.state, 'active', 'the deadline is 30 s, checked every 15 s');
    await advance(clock, 1_000);
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'stall');
    assert.match(result.detail, /ee{10}/, result.detail);
    await close();

    const answered = await handshaken(memoryLink);
    let messages = 0;
    answered.peer.on('message', () => messages++);
    await answered.peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: DecredInvType.tx, hash: hashOf(tx!) }, missing],
    });
    answered.remote.send(tx as unknown as Message);
    answered.remote.send({ command: 'notfound', inventory: [missing] });
    await waitUntil(() => messages === 2);
    await advance(answered.clock, 60_000);
    assert.equal(answered.peer.state, 'active', 'tx and notfound answered both vectors');
    await answered.close();

    // Answers read in one burst reach the stall monitor merged: each vector still counts.
    const burst = await handshaken(memoryLink);
    let burstMessages = 0;
    burst.peer.on('message', () => burstMessages++);
    const alsoMissing = { type: DecredInvType.tx, hash: new Uint8Array(32).fill(0xdd) };
    const stillMissing = { type: DecredInvType.tx, hash: new Uint8Array(32).fill(0xcc) };
    await burst.peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: DecredInvType.tx, hash: hashOf(tx!) }, missing, alsoMissing, stillMissing],
    });
    burst.remote.sendBurst([
      tx as unknown as Message,
      { command: 'notfound', inventory: [missing] },
      { command: 'notfound', inventory: [alsoMissing] },
    ]);
    await waitUntil(() => burstMessages === 3);
    await advance(burst.clock, 30_000);
    const stalled = await burst.peer.waitForDisconnect();
    assert.equal(stalled.reason, 'stall');
    assert.match(stalled.detail, /cc{10}/, `only the unanswered vector stalls: ${stalled.detail}`);
    await burst.close();

    // btcd clears a whole getdata group with any tx; dcrd v4 does not.
    const unrelated = await handshaken(memoryLink);
    let got = 0;
    unrelated.peer.on('message', () => got++);
    await unrelated.peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: DecredInvType.tx, hash: hashOf(tx!) }],
    });
    unrelated.remote.send(otherTx as unknown as Message);
    await waitUntil(() => got === 1);
    await advance(unrelated.clock, 30_000);
    assert.equal((await unrelated.peer.waitForDisconnect()).reason, 'stall');
    await unrelated.close();
  });

  it('more than 75,000 outstanding requested vectors disconnects', async () => {
    const { peer, close } = await handshaken(memoryLink);
    const vectors = (count: number, offset: number) =>
      Array.from({ length: count }, (_, i) => txInv(offset + i));
    assert.equal(await peer.queueMessage({ command: 'getdata', inventory: vectors(50_000, 0) }), 'sent');
    assert.equal(await peer.queueMessage({ command: 'getdata', inventory: vectors(25_000, 50_000) }), 'sent');
    await settle(10);
    assert.equal(peer.state, 'active', 'exactly 75,000 is allowed');
    void peer.queueMessage({ command: 'getdata', inventory: vectors(1, 75_000) });
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'too-many-requests');
    assert.match(result.detail, /75001/);
    await close();
  });

  it('TestQueuedOutputLimit / TestQueuedOutputBytesDeducted: exactly 40 MiB queued is fine, one byte more is not', async () => {
    const { peer, remote, close } = await handshaken(memoryLink);
    remote.socket.removeAllListeners('data');
    remote.socket.resume(); // a fast reader that discards
    const tenMiB = () => rawFrame('blob', 10 * MiB - 24); // a 10 MiB frame
    const outcomes = await Promise.all(
      [tenMiB(), tenMiB(), tenMiB(), tenMiB()].map((m) => peer.queueMessage(m)),
    );
    assert.deepEqual(outcomes, ['sent', 'sent', 'sent', 'sent']);
    assert.equal(peer.state, 'active');
    await waitUntil(() => queuedBytes(peer) === 0);
    await close();

    const over = await handshaken(memoryLink);
    over.remote.socket.removeAllListeners('data');
    over.remote.socket.resume();
    const messages = [tenMiB(), tenMiB(), tenMiB(), rawFrame('blob', 10 * MiB - 23)];
    const results = await Promise.all(messages.map((m) => over.peer.queueMessage(m)));
    assert.equal((await over.peer.waitForDisconnect()).reason, 'queue-overflow');
    assert.equal(results[3], 'dropped');
    await over.close();
  });

  it('TestWriteMessageDeadline: 20 s plus 1 s per full 256 KiB of payload', async () => {
    for (const [payload, deadlineMs] of [
      [256 * 1024 - 1, 20_000],
      [512 * 1024, 22_000],
    ] as const) {
      const { peer, remote, clock, close } = await handshaken(memoryLink);
      remote.socket.pause();
      remote.socket.removeAllListeners('data');
      void peer.queueMessage(rawFrame('blob', payload));
      await settle(20);
      clock.increment(deadlineMs - 1);
      await settle(10);
      assert.equal(peer.state, 'active', `not before ${deadlineMs} ms`);
      clock.increment(1);
      assert.equal((await peer.waitForDisconnect()).reason, 'write-timeout');
      await close();
    }
  });
});

/** The dcrd listener each Decred command reaches (addr is exchanged at protocol 11, below). */
const DECRED_LISTENER: ReadonlyMap<string, keyof DecredPeerListeners> = new Map<
  string,
  keyof DecredPeerListeners
>([
  ['getaddr', 'onGetAddr'],
  ['addr', 'onAddr'],
  ['addrv2', 'onAddrV2'],
  ['ping', 'onPing'],
  ['pong', 'onPong'],
  ['mempool', 'onMemPool'],
  ['tx', 'onTx'],
  ['block', 'onBlock'],
  ['inv', 'onInv'],
  ['headers', 'onHeaders'],
  ['notfound', 'onNotFound'],
  ['getdata', 'onGetData'],
  ['getblocks', 'onGetBlocks'],
  ['getheaders', 'onGetHeaders'],
  ['getminings', 'onGetMiningState'],
  ['miningstate', 'onMiningState'],
  ['getcfilter', 'onGetCFilter'],
  ['getcfheaders', 'onGetCFHeaders'],
  ['getcftypes', 'onGetCFTypes'],
  ['cfilter', 'onCFilter'],
  ['cfheaders', 'onCFHeaders'],
  ['cftypes', 'onCFTypes'],
  ['feefilter', 'onFeeFilter'],
  ['getcfilterv2', 'onGetCFilterV2'],
  ['cfilterv2', 'onCFilterV2'],
  ['getcfsv2', 'onGetCFsV2'],
  ['cfiltersv2', 'onCFiltersV2'],
  ['sendheaders', 'onSendHeaders'],
  ['getinitstate', 'onGetInitState'],
  ['initstate', 'onInitState'],
  ['mixpairreq', 'onMixPairReq'],
  ['mixkeyxchg', 'onMixKeyExchange'],
  ['mixcphrtxt', 'onMixCiphertexts'],
  ['mixslotres', 'onMixSlotReserve'],
  ['mixfactpoly', 'onMixFactoredPoly'],
  ['mixdcnet', 'onMixDCNet'],
  ['mixconfirm', 'onMixConfirm'],
  ['mixsecrets', 'onMixSecrets'],
]);

/** Listeners that record [listener, command] for every Decred message type. */
function recordingListeners(calls: [string, string][]): DecredPeerListeners<Peer> {
  const listeners: DecredPeerListeners<Peer> = {};
  for (const name of DECRED_LISTENER.values()) {
    (listeners as Record<string, unknown>)[name] = (_peer: Peer, message: DecredWireMessage) =>
      calls.push([name, message.command]);
  }
  return listeners;
}

/** Two peerchart Decred peers on one connection, handshaken; clocks are simulated (no pings). */
async function decredPair(
  link: Link,
  outboundExtra: Partial<PeerConfig<Peer>> = {},
  inboundExtra: Partial<PeerConfig<Peer>> = {},
): Promise<[Peer, Peer]> {
  const outbound = Peer.outbound(config(newClock(), outboundExtra), '10.0.0.2:18555', link.remoteSocket);
  const inbound = Peer.inbound(config(newClock(), inboundExtra), link.peerSocket);
  await waitUntil(() => outbound.state === 'active' && inbound.state === 'active');
  return [outbound, inbound];
}

async function closeAll(...peers: Peer[]): Promise<void> {
  for (const peer of peers) peer.disconnect();
  await Promise.all(peers.map((peer) => peer.waitForDisconnect()));
}

async function exchangeEverything(
  from: Peer,
  calls: [string, string][],
  protocolVersion: number,
): Promise<void> {
  const samples = decredSamples(protocolVersion);
  const start = calls.length;
  for (const message of samples) assert.equal(await from.queueMessage(message), 'sent', message.command);
  await waitUntil(() => calls.length === start + samples.length);
  assert.deepEqual(
    calls.slice(start),
    samples.map((message) => [DECRED_LISTENER.get(message.command), message.command]),
  );
}

describe('dcrd upstream peer tests (spec §4.2, §4.3), made stricter', () => {
  it('TestPeerHandshake: version 12, agent, services, flags, zero ping stats, bytes both ways', async () => {
    for (const proxy of [undefined, '10.0.0.2:9050']) {
      const [outbound, inbound] = await decredPair(
        await memoryLink(),
        { userAgentName: 'peer', userAgentVersion: '1.0', services: 4n, ...(proxy ? { proxy } : {}) },
        { services: 1n },
      );
      for (const peer of [outbound, inbound]) {
        assert.equal(peer.protocolVersion, 12);
        assert.ok(peer.connected && peer.versionKnown && peer.verAckReceived);
        assert.equal(peer.lastPingNonce, 0n);
        assert.equal(peer.lastPingMicros, 0);
      }
      assert.equal(inbound.userAgent, '/peerchart:0.1.0/peer:1.0/');
      assert.equal(inbound.services, 4n);
      assert.equal(outbound.services, 1n);
      // A version is 85 + varint + agent bytes of payload; then a 24-byte verack.
      const versionFrame = (agent: string) => 24 + 85 + 1 + agent.length;
      assert.equal(outbound.statsSnapshot().bytesSent, versionFrame('/peerchart:0.1.0/peer:1.0/') + 24);
      assert.equal(inbound.statsSnapshot().bytesSent, versionFrame('/peerchart:0.1.0/') + 24);
      assert.equal(outbound.statsSnapshot().bytesSent, inbound.statsSnapshot().bytesReceived);
      assert.equal(inbound.statsSnapshot().bytesSent, outbound.statsSnapshot().bytesReceived);
      const addrYou = inbound.remoteVersion!.addrYou;
      if (proxy) assert.deepEqual([addrYou.port, addrYou.ip.every((byte) => byte === 0)], [0, true]);
      else assert.equal(addrYou.port, 18555);
      await closeAll(outbound, inbound);
    }
  });

  it('TestPeerListeners: every Decred message reaches its own listener with its own type', async () => {
    const calls: [string, string][] = [];
    const [outbound, inbound] = await decredPair(
      await memoryLink(),
      {},
      { listeners: decredListeners(recordingListeners(calls)) },
    );
    await exchangeEverything(outbound, calls, 12);
    assert.equal(inbound.state, 'active');
    await closeAll(outbound, inbound);

    // addr exists only below 12: the same at protocol 11.
    const legacy: [string, string][] = [];
    const [old, oldInbound] = await decredPair(
      await memoryLink(),
      { protocolVersion: 11 },
      { listeners: decredListeners(recordingListeners(legacy)) },
    );
    await exchangeEverything(old, legacy, 11);
    assert.ok(legacy.some(([name]) => name === 'onAddr'));
    await closeAll(old, oldInbound);
  });

  it('TestPeerHandshakeCallback: an inbound veto fails its handshake; the outbound side sees the close', async () => {
    const link = await memoryLink();
    let vetoed = 0;
    const outbound = Peer.outbound(config(newClock()), '10.0.0.2:18555', link.remoteSocket);
    const inbound = Peer.inbound(
      config(newClock(), {
        listeners: {
          onVersion: () => {
            vetoed++;
            return { command: 'reject', message: 'version', code: 0x10, reason: 'not today' };
          },
        },
      }),
      link.peerSocket,
    );
    assert.deepEqual(await inbound.waitForDisconnect(), { reason: 'version-vetoed', detail: 'not today' });
    assert.equal((await outbound.waitForDisconnect()).reason, 'remote-closed');
    assert.equal(vetoed, 1);
  });

  it('TestOldProtocolVersion: both at 8, OnVersion fires, no verack, both disconnect', async () => {
    const link = await memoryLink();
    const versions: number[] = [];
    let veracks = 0;
    const listeners = {
      onVersion: (_peer: Peer, version: VersionMessage) => {
        versions.push(version.protocolVersion);
        return undefined;
      },
      onVerAck: () => veracks++,
    };
    const outbound = Peer.outbound(
      config(newClock(), { protocolVersion: 8, listeners }),
      '10.0.0.2:18555',
      link.remoteSocket,
    );
    const inbound = Peer.inbound(config(newClock(), { protocolVersion: 8, listeners }), link.peerSocket);
    assert.equal((await inbound.waitForDisconnect()).reason, 'protocol-too-old');
    assert.ok(['remote-closed', 'protocol-too-old'].includes((await outbound.waitForDisconnect()).reason));
    assert.deepEqual(versions, [8], 'the inbound side saw the version before refusing it');
    assert.equal(veracks, 0);
  });

  it('TestNoNewestBlock: a failing NewestBlock fails that side, inbound then outbound', async () => {
    const failing = {
      newestBlock: () => {
        throw new Error('no chain');
      },
    };
    const first = await memoryLink();
    const outbound = Peer.outbound(config(newClock()), '10.0.0.2:18555', first.remoteSocket);
    const inbound = Peer.inbound(config(newClock(), failing), first.peerSocket);
    assert.equal((await inbound.waitForDisconnect()).reason, 'newest-block-failed');
    assert.equal((await outbound.waitForDisconnect()).reason, 'remote-closed');

    const second = await memoryLink();
    const failingOut = Peer.outbound(config(newClock(), failing), '10.0.0.2:18555', second.remoteSocket);
    const fine = Peer.inbound(config(newClock()), second.peerSocket);
    assert.equal((await failingOut.waitForDisconnect()).reason, 'newest-block-failed');
    assert.ok(['remote-closed', 'handshake-timeout'].includes((await fine.waitForDisconnect()).reason));
  });

  it('TestDuplicateVersionMsg: a version after the handshake disconnects the receiver', async () => {
    const [outbound, inbound] = await decredPair(await memoryLink());
    await outbound.queueMessage(dcrdVersion());
    assert.equal((await inbound.waitForDisconnect()).reason, 'duplicate-version');
    await closeAll(outbound);
  });

  it('TestUpdateLastBlockHeight: starts at the advertised height and only moves forward', async () => {
    const { peer, close } = await handshaken(memoryLink, {}, dcrdVersion({ lastBlock: 100 }));
    assert.equal(peer.statsSnapshot().lastBlock, 100);
    peer.updateLastBlockHeight(99);
    assert.equal(peer.statsSnapshot().lastBlock, 100);
    peer.updateLastBlockHeight(101);
    assert.equal(peer.statsSnapshot().lastBlock, 101);
    await close();
  });

  it('TestPushAddrV2Msg: 0, 0, 1, 10 and 1100 addresses send 0, 0, 1, 10 and 1000', async () => {
    const received: number[] = [];
    const [outbound, inbound] = await decredPair(
      await memoryLink(),
      {},
      {
        listeners: decredListeners({ onAddrV2: (_peer, message) => received.push(message.addresses.length) }),
      },
    );
    const entries = (count: number): DecredAddrV2Entry[] =>
      Array.from({ length: count }, (_, i) => ({
        timestamp: 1_700_000_000n,
        services: 1n,
        type: DecredAddressType.ipv4,
        addr: new Uint8Array([10, 0, i >> 8, i & 255]),
        port: 9108,
      }));
    const sent = [0, 0, 1, 10, 1100].map((count) => outbound.pushAddrV2Msg(entries(count) as never).length);
    assert.deepEqual(sent, [0, 0, 1, 10, 1000]);
    await waitUntil(() => received.length === 3);
    assert.deepEqual(received, [1, 10, 1000]);
    await closeAll(outbound, inbound);
  });

  it('Example_newOutboundPeer: handshake, then ping → pong', async () => {
    const [outbound, inbound] = await decredPair(await memoryLink());
    let pongs = 0;
    outbound.on('message', (message) => {
      if (message.command === 'pong') pongs++;
    });
    await outbound.queueMessage({ command: 'ping', nonce: 12n });
    await waitUntil(() => pongs === 1);
    await closeAll(outbound, inbound);
  });
});

describe('two peerchart Decred peers over loopback TCP', () => {
  it('handshake and exchange every Decred message type, both ways', async () => {
    const link = await tcpLink();
    const outboundCalls: [string, string][] = [];
    const inboundCalls: [string, string][] = [];
    const [outbound, inbound] = await decredPair(
      link,
      { listeners: decredListeners(recordingListeners(outboundCalls)) },
      { listeners: decredListeners(recordingListeners(inboundCalls)) },
    );
    assert.equal(inbound.address.startsWith('127.0.0.1:'), true);
    await exchangeEverything(outbound, inboundCalls, 12);
    await exchangeEverything(inbound, outboundCalls, 12);
    assert.equal(new Set(inboundCalls.map(([, command]) => command)).size, decredSamples(12).length);
    assert.ok(outbound.state === 'active' && inbound.state === 'active');
    await closeAll(outbound, inbound);
    await link.dispose();
  });
});
