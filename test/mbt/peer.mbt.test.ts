import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import { type AnyActorRef, SimulatedClock } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { handshakeMachine } from '../../machines/handshake.machine.js';
import { peerMachine } from '../../machines/peer.machine.js';
import { pingerMachine } from '../../machines/pinger.machine.js';
import { sendQueueMachine } from '../../machines/send-queue.machine.js';
import { stallMonitorMachine } from '../../machines/stall-monitor.machine.js';
import { tricklerMachine } from '../../machines/trickler.machine.js';
import type { PeerConfig } from '../../src/peer/config.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import { decredProfile } from '../../src/protocol/decred/profile.js';
import { type Link, memoryLink, ScriptedRemote, tcpLink } from '../../src/testing/scripted-remote.js';
import { InvType, type InvVector, type VersionMessage } from '../../src/wire/bitcoin/types.js';
import { decredNetworks } from '../../src/wire/decred/networks.js';
import { DecredInvType } from '../../src/wire/decred/types.js';
import type { Message } from '../../src/wire/message.js';
import { bitcoinNetworks, type Network } from '../../src/wire/networks.js';
import { CoverageRecorder } from './coverage.js';
import { EXPECTED_REASON, peerModel } from './peer.model.js';

// simnet: no regtest-localhost tolerance, so malformed input is fatal over loopback too.
const network = bitcoinNetworks.simnet;
// Defaults of the bitcoin profile (the mutants in mutate.ts change some of them).
const PING_INTERVAL_MS = 120_000;
const IDLE_TIMEOUT_MS = 300_000;
const HANDSHAKE_TIMEOUT_MS = 30_000;
const DIAL_TIMEOUT_MS = 30_000;
const TRICKLE_INTERVAL_MS = 10_000;
const STALL_TICK_MS = 15_000;
const STALL_HEADERS_RESPONSE_MS = 90_000;
const LINGER_MS = 5_000;
// The strict configuration.
const PONG_TIMEOUT_MS = 20_000;
const MAX_QUEUED_BYTES = 64 * 1024;
/** Shorter than the linger time, so that a flush can time out before the linger does. */
const WRITE_TIMEOUT_MS = 2_000;
/** Above the sockets' 16 KiB high-water mark: a write of one such frame is in flight until 'drain'. */
const BULK_BYTES = 20_000;
const OWN_NONCE = 0xfeedn;
/** The decred configuration's outstanding-getdata limit (dcrd: 75,000; one getdata carries at most 50,000). */
const MAX_OUTSTANDING_GETDATA = 10;

type Transport = 'in-memory duplex' | 'loopback TCP';

/** Events that only one transport can play, and why. */
const TRANSPORT_ONLY: ReadonlyMap<string, { transport: Transport; reason: string }> = new Map([
  ['DIAL', { transport: 'loopback TCP', reason: 'Peer.outbound without a socket dials over TCP' }],
  ['DIAL_REFUSED', { transport: 'loopback TCP', reason: 'a refused dial needs a TCP port' }],
  [
    'REMOTE_STOPS_READING',
    {
      transport: 'in-memory duplex',
      reason:
        'a paused reader stalls the writer only on the in-memory socket (loopback TCP buffers megabytes in the kernel)',
    },
  ],
]);

type ConfigName = 'default' | 'strict' | 'lenient' | 'failingNewestBlock' | 'decred';

const coverage = new CoverageRecorder();
const model = createTestModel(peerModel);
const paths = [...model.getShortestPaths(), ...model.getSimplePaths()];
const unique = new Map(paths.map((path) => [path.description, path]));

function remoteVersion(nonce: bigint, protocolVersion = 70016): VersionMessage {
  return {
    command: 'version' as const,
    protocolVersion,
    services: 1n,
    timestamp: 1_700_000_000n,
    addrYou: { services: 0n, ip: new Uint8Array(16), port: 0 },
    addrMe: { services: 1n, ip: new Uint8Array(16), port: 0 },
    nonce,
    userAgent: '/scripted:1.0/',
    lastBlock: 100,
    relay: true,
  };
}

/** A message of `bytes` payload bytes under a command no node knows (encoded and decoded as is). */
function bulk(bytes: number, rawCommand = 'bulk'): Message {
  return { command: 'unknown', rawCommand, payload: new Uint8Array(bytes) };
}

function txInventory(first: number, count: number): InvVector[] {
  return Array.from({ length: count }, (_, i) => {
    const hash = new Uint8Array(32);
    new DataView(hash.buffer).setUint32(0, first + i, true);
    return { type: DecredInvType.tx, hash };
  });
}

/** A command name longer than the 12 bytes a frame header holds: it cannot be encoded. */
const UNENCODABLE: Message = {
  command: 'unknown',
  rawCommand: 'far-too-long-command',
  payload: new Uint8Array(0),
};

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` on the event loop (no simulated time passes) for up to a real-time budget. */
async function until(condition: () => boolean, what: string, budgetMs = 2000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * `promise`, or a failure after a real-time budget: a peer that never ends must fail its test, not
 * leave the event loop empty (which cancels every test after it).
 */
async function within<T>(promise: Promise<T>, what: () => string, budgetMs = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), budgetMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

function childState(peer: Peer, id: string): unknown {
  const child = (peer.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
  return child?.getSnapshot().value;
}

async function runPath(path: (typeof paths)[number], makeLink: () => Promise<Link>): Promise<void> {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const nonceCache = new NonceCache();
  nonceCache.add(OWN_NONCE); // as if the peer under test had sent it on another connection
  let malformedReads = 0;
  let configName: ConfigName = 'default';
  const configFor = (name: ConfigName): PeerConfig<Peer> => {
    const base: PeerConfig<Peer> = {
      network,
      clock,
      nonceCache,
      inspect: coverage.inspect,
      listeners: {
        onVersion: (_peer: Peer, version: VersionMessage) =>
          version.userAgent === '/vetoed:1.0/'
            ? ({ command: 'reject', message: 'version', code: 0x11, reason: 'not you' } as const)
            : undefined,
        onRead: (_peer, _bytes, _message, error) => {
          if (error) malformedReads++;
        },
      },
    };
    switch (name) {
      case 'default':
        return base;
      case 'strict':
        return {
          ...base,
          pongTimeoutMs: PONG_TIMEOUT_MS,
          maxQueuedBytes: MAX_QUEUED_BYTES,
          writeTimeoutMs: WRITE_TIMEOUT_MS,
          ignoreUnknownCommands: false,
        };
      case 'lenient':
        return { ...base, network: bitcoinNetworks.regtest };
      case 'decred':
        return {
          ...base,
          network: decredNetworks.simnet,
          profile: {
            ...decredProfile,
            limits: { ...decredProfile.limits, maxOutstandingGetData: MAX_OUTSTANDING_GETDATA },
          },
        };
      case 'failingNewestBlock':
        return {
          ...base,
          newestBlock: () => {
            throw new Error('chain database unavailable');
          },
        };
    }
  };
  const config = () => configFor(configName);
  const isDecred = () => configName === 'decred';
  /** btcd sends rejects; dcrd never does. */
  const sendsRejects = () => !isDecred();
  let direction: 'inbound' | 'outbound' | undefined;
  /** The remote's version: protocol 70016 on Bitcoin, 12 (dcrd's newest) on Decred. */
  const versionFrom = (nonce: bigint, overrides: Partial<VersionMessage> = {}): VersionMessage => ({
    ...remoteVersion(nonce, isDecred() ? 12 : 70016),
    ...overrides,
  });
  /** Decred encodes a version as of the version it announces. */
  const sendVersion = (version: VersionMessage) =>
    far().send(version, isDecred() ? version.protocolVersion : undefined);
  const immediateItem: InvVector = { type: DecredInvType.tx, hash: new Uint8Array(32).fill(6) };
  // Inbound peers claim an address; the lenient configuration's remote is on localhost.
  const inboundAddress = () => (configName === 'lenient' ? '127.0.0.1:50001' : '10.0.0.1:50001');

  let link: Link | undefined;
  let peerSocket: Duplex | undefined;
  let dialServer: Server | undefined;
  let dialAccepted: Promise<void> | undefined;
  let remote: ScriptedRemote | undefined;
  let peer: Peer | undefined;
  const sut = () => {
    assert.ok(peer, 'the path starts with ACCEPT_INBOUND, DIAL_OUTBOUND or a dial');
    return peer;
  };
  const far = () => {
    assert.ok(remote, 'a remote end exists');
    return remote;
  };
  let lastSentAt = clock.now();
  const attachRemote = (socket: Duplex, net: Network) => {
    remote = new ScriptedRemote(socket, net);
    remote.onSend = () => {
      lastSentAt = clock.now();
    };
  };
  const connect = async () => {
    link = await makeLink();
    peerSocket = link.peerSocket;
    attachRemote(link.remoteSocket, config().network);
    return link.peerSocket;
  };
  /** Until `command` arrives (from index `from`) or the peer has ended. */
  const untilReceivedOrEnded = (command: string, from = 0) =>
    until(
      () =>
        far()
          .received.slice(from)
          .some((message) => message.command === command) || sut().state === 'disconnected',
      `'${command}' or the end of the peer`,
    );
  const ended = () => {
    const state = sut().state;
    return state === 'disconnecting' || state === 'closing' || state === 'disconnected';
  };
  /**
   * Until the batch just queued is with the socket and waits for 'drain'. Only microtasks run here
   * (messages queued in one turn reach the peer as one batch, after a microtask), so no I/O completes.
   */
  const inFlight = async () => {
    for (let i = 0; i < 20 && !peerSocket?.writableNeedDrain; i++) await Promise.resolve();
    assert.ok(peerSocket?.writableNeedDrain, 'the first batch is in flight');
  };
  let mark = 0;
  /** Where the messages the remote stopped reading begin. */
  let backlogMark = 0;
  let remoteReading = true;
  const expectClosed = async (reason: string) => {
    const result = await within(
      sut().waitForDisconnect(),
      () => `the peer to end with '${reason}' (it is ${sut().state})`,
    );
    assert.equal(result.reason, reason, result.detail);
    if (remote) await remote.waitClosed();
    if (!sendsRejects()) {
      assert.ok(!far().received.some((message) => message.command === 'reject'), 'dcrd sends no reject');
    }
  };
  const expectLinger = async () => {
    const before = sut().state;
    clock.increment(LINGER_MS - 1);
    await settle();
    assert.equal(sut().state, before, `still ${before} 1 ms before the linger timeout`);
    clock.increment(1);
  };
  try {
    await path.test({
      events: {
        CONFIGURE_STRICT: () => {
          configName = 'strict';
        },
        CONFIGURE_LENIENT: () => {
          configName = 'lenient';
        },
        CONFIGURE_FAILING_NEWEST_BLOCK: () => {
          configName = 'failingNewestBlock';
        },
        CONFIGURE_DECRED: () => {
          configName = 'decred';
        },
        ACCEPT_INBOUND: async () => {
          const socket = await connect();
          direction = 'inbound';
          peer = Peer.inbound(config(), socket, inboundAddress());
        },
        DIAL_OUTBOUND: async () => {
          const socket = await connect();
          direction = 'outbound';
          peer = Peer.outbound(config(), '10.0.0.2:18555', socket);
          await untilReceivedOrEnded('version');
        },
        DIAL: async () => {
          const { server, port } = await listen();
          dialServer = server;
          dialAccepted = (once(server, 'connection') as Promise<[Socket]>).then(([socket]) =>
            attachRemote(socket, config().network),
          );
          // No await from here on: the dial must still be under way in `dialling`.
          peer = Peer.outbound(config(), `127.0.0.1:${port}`);
        },
        DIAL_ACCEPTED: async () => {
          await dialAccepted;
          await far().waitFor('version');
        },
        DIAL_TIMEOUT: () => {
          // Synchronous: the loopback connect completes only when the event loop turns.
          clock.increment(DIAL_TIMEOUT_MS - 1);
          assert.equal(sut().state, 'connecting', 'still connecting 1 ms before the dial timeout');
          clock.increment(1);
        },
        DIAL_REFUSED: async () => {
          const { server, port } = await listen();
          await new Promise((resolve) => server.close(resolve)); // nothing listens there any more
          peer = Peer.outbound(config(), `127.0.0.1:${port}`);
        },
        REMOTE_VERSION: async () => {
          mark = far().received.length;
          sendVersion(versionFrom(0x1234n));
          await until(() => sut().versionKnown || sut().state === 'disconnected', 'the version to be read');
          if (isDecred() && direction === 'outbound') return; // dcrd order: our verack waits for theirs
          // Our answer, even when the remote acknowledged early (then we are active already).
          await untilReceivedOrEnded('verack', mark);
        },
        REMOTE_LEGACY_VERSION: async () => {
          sendVersion(versionFrom(0x1235n, { protocolVersion: 11 }));
          await untilReceivedOrEnded('verack');
        },
        REMOTE_EARLY_MESSAGES: async () => {
          far().send({ command: 'ping', nonce: 5n });
          far().send({ command: 'getaddr' });
          await settle();
        },
        REMOTE_VERACK_EARLY: async () => {
          far().send({ command: 'verack' });
          await settle();
        },
        REMOTE_VERACK_FIRST: async () => {
          far().send({ command: 'verack' });
          await far().waitFor('reject');
        },
        REMOTE_OLD_VERSION: async () => {
          // Below the minimum: 209 on Bitcoin, 9 (no reject any more) on Decred.
          sendVersion(versionFrom(0x99n, { protocolVersion: isDecred() ? 8 : 208 }));
        },
        REMOTE_OWN_NONCE: async () => {
          sendVersion(versionFrom(OWN_NONCE));
        },
        REMOTE_VETOED_VERSION: async () => {
          sendVersion(versionFrom(0x4242n, { userAgent: '/vetoed:1.0/' }));
          if (!sendsRejects()) return;
          const reject = await far().waitFor('reject');
          assert.equal(reject.command === 'reject' && reject.reason, 'not you');
        },
        QUEUE_BEFORE_HANDSHAKE: async () => {
          void sut().queueMessage({ command: 'getaddr' });
          sut().queueInventory({ type: InvType.tx, hash: new Uint8Array(32).fill(7) });
          await settle();
        },
        QUEUE_INVENTORY_IMMEDIATE: () => {
          mark = far().received.length;
          sut().queueInventoryImmediate(immediateItem);
        },
        GETDATA_OVER_LIMIT: () => {
          void sut().queueMessage({
            command: 'getdata',
            inventory: txInventory(0, MAX_OUTSTANDING_GETDATA + 1),
          });
        },
        GETDATA_THEN_OVER_LIMIT: async () => {
          mark = far().received.length;
          const half = MAX_OUTSTANDING_GETDATA / 2 + 1;
          void sut().queueMessage({ command: 'getdata', inventory: txInventory(0, half) });
          await far().waitFor('getdata', mark);
          await settle();
          assert.equal(sut().state, 'active', `${half} outstanding vectors are within the limit`);
          void sut().queueMessage({ command: 'getdata', inventory: txInventory(100, half) });
        },
        QUEUE_INVENTORY: async () => {
          mark = far().received.length;
          const hash = new Uint8Array(32).fill(9);
          sut().queueInventory({ type: InvType.tx, hash });
          sut().queueInventory({ type: InvType.tx, hash }); // a duplicate is announced once
          await settle();
          clock.increment(TRICKLE_INTERVAL_MS);
          const inv = await far().waitFor('inv', mark);
          assert.equal(inv.command === 'inv' && inv.inventory.length, 1);
        },
        QUEUE_BLOCK_INVENTORY: async () => {
          mark = far().received.length;
          sut().queueInventory({ type: InvType.block, hash: new Uint8Array(32).fill(5) });
          // No trickle interval passes: a block is announced at once.
          const inv = await far().waitFor('inv', mark);
          assert.equal(inv.command === 'inv' && inv.inventory[0]?.type, InvType.block);
        },
        QUEUE_WHILE_WRITING: async () => {
          mark = far().received.length;
          const outcomes = [sut().queueMessage(bulk(BULK_BYTES, 'bulk1'))];
          await inFlight();
          outcomes.push(
            sut().queueMessage({ command: 'getaddr' }),
            sut().queueMessage(bulk(BULK_BYTES, 'bulk2')),
          );
          assert.deepEqual(await Promise.all(outcomes), ['sent', 'sent', 'sent']);
          await far().waitFor('getaddr', mark);
          await until(() => far().received.length >= mark + 3, 'three messages');
          assert.deepEqual(
            far()
              .received.slice(mark)
              .map((message) => (message.command === 'unknown' ? message.rawCommand : message.command)),
            ['bulk1', 'getaddr', 'bulk2'],
          );
        },
        GETDATA_UNANSWERED: async () => {
          mark = far().received.length;
          void sut().queueMessage({ command: 'getdata', inventory: [{ type: 2, hash: new Uint8Array(32) }] });
          await far().waitFor('getdata', mark);
          clock.increment(STALL_TICK_MS);
          await settle();
          assert.equal(sut().state, 'active', 'the first check, 15 s after the request, finds no stall');
          clock.increment(STALL_TICK_MS); // the 30 s check finds the deadline passed
        },
        STALL_ANSWERED: async () => {
          mark = far().received.length;
          const answered = new Set<string>();
          const off = sut().on('message', (message) => answered.add(message.command));
          const inventory = [{ type: InvType.tx, hash: new Uint8Array(32).fill(3) }];
          void sut().queueMessage({ command: 'getdata', inventory });
          void sut().pushGetHeadersMsg([], new Uint8Array(32));
          await far().waitFor('getheaders', mark);
          far().send({ command: 'notfound', inventory });
          far().send({ command: 'headers', headers: [] });
          await until(() => answered.has('notfound') && answered.has('headers'), 'both answers');
          off();
          // Past both deadlines (30 s for getdata, 90 s for getheaders), before the first ping.
          clock.increment(STALL_TICK_MS);
          await settle();
          clock.increment(STALL_HEADERS_RESPONSE_MS);
          await settle();
        },
        ENCODE_FAILURE: async () => {
          assert.equal(await sut().queueMessage(UNENCODABLE), 'failed');
        },
        ENCODE_FAILURE_WHILE_WRITING: async () => {
          void sut().queueMessage(bulk(BULK_BYTES));
          await inFlight();
          assert.equal(await sut().queueMessage(UNENCODABLE), 'failed');
        },
        WRITE_FAILURE: async () => {
          // Our socket is shut down for writing under the peer; it stays open until the remote
          // answers the FIN, so the queued message reaches a socket that can no longer write.
          // (The message itself settles 'dropped': the queue is closed with it in flight.)
          peerSocket?.end();
          void sut().queueMessage({ command: 'getaddr' });
        },
        QUEUE_OVERFLOW: async () => {
          assert.equal(await sut().queueMessage(bulk(MAX_QUEUED_BYTES)), 'dropped');
        },
        QUEUE_OVERFLOW_WHILE_WRITING: async () => {
          void sut().queueMessage(bulk(BULK_BYTES));
          await inFlight();
          assert.equal(await sut().queueMessage(bulk(MAX_QUEUED_BYTES - BULK_BYTES)), 'dropped');
        },
        REMOTE_STOPS_READING: async () => {
          far().socket.pause();
          remoteReading = false;
          backlogMark = far().received.length;
          // The first batch fills the remote's buffer and stays in flight; the second waits behind it.
          void sut().queueMessage(bulk(BULK_BYTES, 'bulk1'));
          void sut().queueMessage(bulk(BULK_BYTES, 'bulk2'));
          await settle();
        },
        REMOTE_RESUMES_READING: async () => {
          far().socket.resume();
          remoteReading = true;
          await far().waitFor('reject', backlogMark);
          assert.deepEqual(
            far()
              .received.slice(backlogMark)
              .map((message) => (message.command === 'unknown' ? message.rawCommand : message.command)),
            ['bulk1', 'bulk2', 'reject'],
            'the stalled batch, then the next one with the reject',
          );
        },
        QUEUE_LATE_MESSAGE: async () => {
          assert.ok(ended(), 'the peer is disconnecting');
          assert.equal(await sut().queueMessage({ command: 'getaddr' }), 'dropped');
        },
        WRITE_TIMEOUT: async () => {
          const before = sut().state;
          clock.increment(WRITE_TIMEOUT_MS - 1);
          await settle();
          assert.equal(sut().state, before, `still ${before} 1 ms before the write timeout`);
          clock.increment(1);
          await settle();
        },
        LINGER_TIMEOUT: async () => {
          await expectLinger();
          await settle();
        },
        REMOTE_PING_FIRST: async () => {
          far().send({ command: 'ping', nonce: 1n });
          if (!sendsRejects()) return;
          const reject = await far().waitFor('reject');
          assert.equal(
            reject.command === 'reject' && reject.reason,
            'a version message must precede all others',
          );
        },
        REMOTE_WTXIDRELAY: async () => {
          far().send({ command: 'wtxidrelay' });
          await settle();
        },
        REMOTE_VERACK: async () => {
          far().send({ command: 'verack' });
          await until(() => sut().state === 'active', 'the peer to become active');
        },
        REMOTE_GETADDR_EARLY: async () => {
          far().send({ command: 'getaddr' });
        },
        HANDSHAKE_TIMEOUT: async () => {
          clock.increment(HANDSHAKE_TIMEOUT_MS - 1);
          await settle();
          assert.equal(sut().state, 'handshaking', 'still handshaking 1 ms before the timeout');
          clock.increment(1);
        },
        REMOTE_PING: async () => {
          mark = far().received.length;
          far().send({ command: 'ping', nonce: 77n });
          const pong = await far().waitFor('pong', mark);
          assert.equal(pong.command === 'pong' && pong.nonce, 77n);
        },
        PING_DUE: async () => {
          mark = far().received.length;
          clock.increment(PING_INTERVAL_MS);
          const ping = await far().waitFor('ping', mark);
          clock.increment(25);
          far().send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce : 0n });
          await until(() => sut().lastPingMicros !== 0, 'the pong');
          assert.equal(sut().lastPingMicros, 25_000);
        },
        PONG_MISSED: async () => {
          mark = far().received.length;
          clock.increment(PING_INTERVAL_MS);
          await far().waitFor('ping', mark);
          clock.increment(PONG_TIMEOUT_MS - 1);
          await settle();
          assert.equal(sut().state, 'active', 'still active 1 ms before the pong deadline');
          clock.increment(1);
        },
        IDLE_TIMEOUT: async () => {
          // The idle timer counts from the last message the peer received.
          clock.increment(lastSentAt + IDLE_TIMEOUT_MS - 1 - clock.now());
          await settle();
          assert.equal(sut().state, 'active', 'still active 1 ms before the idle timeout');
          clock.increment(1);
        },
        REMOTE_DUPLICATE_VERSION: async () => {
          mark = far().received.length;
          // In one chunk after a ping: the burst is handled message by message, up to the version.
          far().sendBurst([{ command: 'ping', nonce: 0x5678n }, versionFrom(0x5678n)]);
          const reject = await far().waitFor('reject', mark);
          assert.equal(reject.command === 'reject' && reject.code, 0x12);
        },
        REMOTE_DUPLICATE_VERACK: async () => {
          mark = far().received.length;
          far().send({ command: 'verack' });
          if (!remoteReading) {
            await until(ended, 'the peer to start disconnecting');
            return;
          }
          const reject = await far().waitFor('reject', mark);
          assert.equal(reject.command === 'reject' && reject.reason, 'duplicate verack message');
        },
        REMOTE_SENDADDRV2: async () => {
          far().send({ command: 'sendaddrv2' });
        },
        REMOTE_UNKNOWN: async () => {
          far().send({ command: 'unknown', rawCommand: 'xyzzy', payload: Uint8Array.of(1, 2, 3) });
          await settle();
        },
        REMOTE_GARBAGE: async () => {
          const frame = new Uint8Array(24);
          new DataView(frame.buffer).setUint32(0, config().network.magic, true);
          frame.set(new TextEncoder().encode('ping'), 4);
          new DataView(frame.buffer).setUint32(20, 0xdeadbeef, true); // wrong checksum of an empty payload
          far().socket.write(frame);
        },
        LOCAL_DISCONNECT: async () => {
          sut().disconnect();
        },
        REMOTE_CLOSE: async () => {
          far().close();
        },
      },
      states: statesUnderTest(),
    });
  } finally {
    // Also after a failed step: end the peer even if it waits for a remote that never reads.
    if (peer) {
      let finished = false;
      void peer.waitForDisconnect().then(() => {
        finished = true;
      });
      peer.disconnect();
      remote?.close();
      for (let i = 0; i < 20 && !finished; i++) {
        await settle();
        clock.increment(LINGER_MS);
      }
      await within(peer.waitForDisconnect(), () => `the peer to end after the path (it is ${peer?.state})`);
    }
    remote?.close();
    await link?.dispose();
    if (dialServer) await new Promise((resolve) => dialServer?.close(resolve));
  }

  function statesUnderTest() {
    const awaitingVersion = async () => {
      await settle();
      assert.equal(sut().state, 'handshaking');
      assert.equal(far().received.length, 0, 'an inbound peer waits for the remote version');
    };
    const outboundAwaitingVersion = () => {
      assert.deepEqual(
        far().received.map((message) => message.command),
        ['version'],
        'an outbound peer speaks first',
      );
      assert.equal(sut().state, 'handshaking');
    };
    const awaitingVerack = async () => {
      await far().waitFor('verack');
      assert.deepEqual(
        far().received.map((message) => message.command),
        ['version', 'sendaddrv2', 'verack'],
      );
      assert.equal(sut().state, 'handshaking');
    };
    const handshaking = async () => {
      await settle();
      assert.equal(sut().state, 'handshaking');
    };
    const active = async () => assert.equal(sut().state, 'active');
    const tolerated = (state: string) => async () => {
      await until(() => malformedReads > 0, 'the malformed frame to be read');
      malformedReads = 0;
      await settle();
      assert.equal(sut().state, state, 'a malformed frame from localhost on regtest is tolerated');
    };
    /** The writes the remote does not read are still in flight. */
    const stalled = (state: string) => async () => {
      await settle();
      assert.equal(sut().state, state);
      assert.ok((peerSocket?.writableLength ?? 0) > 0, 'our writes wait for the remote to read');
      assert.equal(far().received.length, backlogMark, 'the remote has read nothing since it stopped');
    };
    const commands = () => far().received.map((message) => message.command);
    /** dcrd: no sendaddrv2, and an inbound peer's version advertises the negotiated version. */
    const decredAwaitingVerack = (negotiated: number) => async () => {
      await far().waitFor('verack');
      assert.deepEqual(commands(), ['version', 'verack']);
      const ours = far().received[0];
      assert.equal(ours?.command === 'version' && ours.protocolVersion, negotiated);
      assert.equal(sut().state, 'handshaking');
    };
    return {
      connected: () => assert.equal(peer, undefined),
      decredConnected: () => assert.equal(peer, undefined),
      decredAwaitingVersion: awaitingVersion,
      decredOutboundAwaitingVersion: outboundAwaitingVersion,
      decredAwaitingVerack: decredAwaitingVerack(12),
      decredLegacyAwaitingVerack: decredAwaitingVerack(11),
      decredLegacyStashed: async () => {
        await settle();
        assert.equal(sut().state, 'handshaking', 'a legacy remote may send two messages before verack');
        assert.deepEqual(commands(), ['version', 'verack'], 'the stashed ping is not answered yet');
      },
      decredActiveReplayed: async () => {
        const pong = await far().waitFor('pong');
        assert.equal(pong.command === 'pong' && pong.nonce, 5n, 'the stashed ping is handled once active');
        assert.equal(sut().state, 'active');
      },
      decredOutboundAwaitingVerack: async () => {
        await settle();
        assert.deepEqual(commands(), ['version'], 'dcrd order: no verack before the remote acknowledges');
        assert.equal(sut().state, 'handshaking');
      },
      decredActive: async () => {
        assert.equal(sut().state, 'active');
        await far().waitFor('verack');
      },
      decredInventoryDropped: async () => {
        await settle();
        assert.equal(sut().state, 'handshaking');
        assert.equal(far().received.length, 0, 'inventory before the handshake is not announced');
        assert.equal(sut().isKnownInventory(immediateItem), false);
      },
      decredAnnouncedImmediately: async () => {
        // No trickle interval passes.
        const inv = await far().waitFor('inv', mark);
        assert.deepEqual(inv.command === 'inv' && inv.inventory, [immediateItem]);
        assert.equal(sut().isKnownInventory(immediateItem), true, 'the trickle will not repeat it');
      },
      strictConnected: () => assert.equal(peer, undefined),
      lenientConnected: () => assert.equal(peer, undefined),
      failingNewestBlockConnected: () => assert.equal(peer, undefined),
      dialling: () => {
        assert.equal(sut().state, 'connecting');
        assert.equal(sut().connected, false);
      },
      dialledAwaitingVersion: () => {
        outboundAwaitingVersion();
        assert.equal(sut().localAddress?.startsWith('127.0.0.1:'), true, 'the dialled socket is known');
      },
      dialledAwaitingVerack: awaitingVerack,
      dialledActive: active,
      outboundAwaitingVersion,
      outboundAcknowledgedEarly: () => assert.equal(sut().state, 'handshaking'),
      awaitingVersion,
      strictAwaitingVersion: awaitingVersion,
      lenientAwaitingVersion: awaitingVersion,
      failingNewestBlockAwaitingVersion: awaitingVersion,
      awaitingVersionWithQueued: async () => {
        await awaitingVersion();
        assert.equal(childState(sut(), 'sendQueue'), 'held', 'the message waits for the handshake');
      },
      awaitingVerack,
      strictAwaitingVerack: awaitingVerack,
      lenientAwaitingVerack: awaitingVerack,
      awaitingVerackWithQueued: awaitingVerack,
      awaitingVerackEarlyMessage: handshaking,
      awaitingVerackWantsAddrV2: handshaking,
      activeReleasedQueued: async () => {
        await far().waitFor('getaddr');
        assert.deepEqual(
          far().received.map((message) => message.command),
          ['version', 'sendaddrv2', 'verack', 'getaddr'],
          'the held message goes out after our verack',
        );
        assert.deepEqual(childState(sut(), 'trickler'), 'empty', 'inventory before the handshake is dropped');
      },
      activeWantsAddrV2: () => {
        assert.equal(sut().state, 'active');
        assert.equal(sut().wantsAddrV2, true, 'sendaddrv2 before verack is honoured');
      },
      active,
      strictActive: active,
      lenientActive: active,
      activeAnnounced: active,
      activeBlockAnnounced: active,
      activeWroteBatches: active,
      activeStallCleared: async () => {
        assert.equal(sut().state, 'active', 'answered requests never stall');
        assert.equal(childState(sut(), 'stallMonitor'), 'idle');
      },
      activePinged: active,
      activeKeptAlive: active,
      strictKeptAlive: () => {
        assert.equal(sut().state, 'active');
        assert.equal(childState(sut(), 'pinger'), 'waiting', 'the pong met its deadline');
      },
      activeIgnoredUnknown: active,
      lenientToleratedEarly: tolerated('handshaking'),
      lenientToleratedActive: tolerated('active'),
      backedUp: stalled('active'),
      strictBackedUp: stalled('active'),
      flushingReject: stalled('disconnecting'),
      strictFlushingReject: stalled('disconnecting'),
      flushingRejectDroppedLate: stalled('disconnecting'),
      closingUnread: stalled('closing'),
      closingUnreadDroppedLate: stalled('closing'),
      closingUnreadAfterReject: stalled('closing'),
      strictClosingUnread: stalled('closing'),
      ...Object.fromEntries(
        [...EXPECTED_REASON].map(([state, reason]) => [state, () => expectClosed(reason)]),
      ),
    };
  }
}

/** Why a path cannot run over `transport`, if it cannot. */
function skipReason(path: (typeof paths)[number], transport: Transport): string | undefined {
  for (const step of path.steps) {
    const only = TRANSPORT_ONLY.get(step.event.type);
    if (only && only.transport !== transport) return `${step.event.type}: ${only.reason}`;
  }
  return undefined;
}

describe('model-based: every path of the peer model against the real Peer', () => {
  for (const [name, makeLink] of [
    ['in-memory duplex', memoryLink],
    ['loopback TCP', tcpLink],
  ] as const) {
    describe(name, () => {
      for (const path of unique.values()) {
        const skip = skipReason(path, name);
        it(path.description, { timeout: 15_000, ...(skip ? { skip } : {}) }, () => runPath(path, makeLink));
      }
    });
  }

  after(() => {
    const rows = coverage.report([
      peerMachine,
      handshakeMachine,
      sendQueueMachine,
      pingerMachine,
      tricklerMachine,
      stallMonitorMachine,
    ]);
    const skipped = [...unique.values()].flatMap((path) =>
      (['in-memory duplex', 'loopback TCP'] as const).filter((transport) => skipReason(path, transport)),
    ).length;
    console.log(
      `model paths: ${unique.size} (shortest + simple), each run over two transports (${skipped} runs skipped: transport-specific events)`,
    );
    for (const row of rows) {
      console.log(`coverage ${row.machine}: states ${row.states}, transitions ${row.transitions}`);
      if (process.env.PEERCHART_MBT_MISSED) {
        for (const missed of [...row.missed, ...row.missedTransitions])
          console.log(`  not visited: ${missed}`);
      }
    }
  });
});
