import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SimulatedClock } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { handshakeMachine } from '../../machines/handshake.machine.js';
import { peerMachine } from '../../machines/peer.machine.js';
import { pingerMachine } from '../../machines/pinger.machine.js';
import { sendQueueMachine } from '../../machines/send-queue.machine.js';
import { stallMonitorMachine } from '../../machines/stall-monitor.machine.js';
import { tricklerMachine } from '../../machines/trickler.machine.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import { type Link, memoryLink, ScriptedRemote, tcpLink } from '../../src/testing/scripted-remote.js';
import type { VersionMessage } from '../../src/wire/bitcoin/types.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';
import { CoverageRecorder } from './coverage.js';
import { EXPECTED_REASON, peerModel } from './peer.model.js';

// simnet: no regtest-localhost tolerance, so malformed input is fatal over loopback too.
const network = bitcoinNetworks.simnet;
const PING_INTERVAL_MS = 120_000;
const IDLE_TIMEOUT_MS = 300_000;
const HANDSHAKE_TIMEOUT_MS = 30_000;
const TRICKLE_INTERVAL_MS = 10_000;
const STALL_TICK_MS = 15_000;
const OWN_NONCE = 0xfeedn;

const coverage = new CoverageRecorder();
const model = createTestModel(peerModel);
const paths = [...model.getShortestPaths(), ...model.getSimplePaths()];
const unique = new Map(paths.map((path) => [path.description, path]));

function remoteVersion(nonce: bigint) {
  return {
    command: 'version' as const,
    protocolVersion: 70016,
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

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function runPath(path: (typeof paths)[number], makeLink: () => Promise<Link>): Promise<void> {
  const link = await makeLink();
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const nonceCache = new NonceCache();
  nonceCache.add(OWN_NONCE); // as if the peer under test had sent it on another connection
  const config = {
    network,
    clock,
    nonceCache,
    inspect: coverage.inspect,
    listeners: {
      onVersion: (_peer: Peer, version: VersionMessage) =>
        version.userAgent === '/vetoed:1.0/'
          ? ({ command: 'reject', message: 'version', code: 0x11, reason: 'not you' } as const)
          : undefined,
    },
  };
  let peer: Peer | undefined;
  const sut = () => {
    assert.ok(peer, 'the path starts with ACCEPT_INBOUND or DIAL_OUTBOUND');
    return peer;
  };
  const remote = new ScriptedRemote(link.remoteSocket, network);
  let lastSentAt = clock.now();
  remote.onSend = () => {
    lastSentAt = clock.now();
  };
  let mark = 0;
  const expectClosed = async (reason: string) => {
    const result = await sut().waitForDisconnect();
    assert.equal(result.reason, reason);
    await remote.waitClosed();
  };
  try {
    await path.test({
      events: {
        ACCEPT_INBOUND: () => {
          peer = Peer.inbound(config, link.peerSocket, '10.0.0.1:50001');
        },
        DIAL_OUTBOUND: async () => {
          peer = Peer.outbound(config, '10.0.0.2:18555', link.peerSocket);
          await remote.waitFor('version');
        },
        REMOTE_VERSION: async () => {
          remote.send(remoteVersion(0x1234n));
          if (sut().verAckReceived || sut().state === 'active') return;
          await remote.waitFor('verack');
        },
        REMOTE_VERACK_EARLY: async () => {
          remote.send({ command: 'verack' });
          await settle();
        },
        REMOTE_VERACK_FIRST: async () => {
          remote.send({ command: 'verack' });
          await remote.waitFor('reject');
        },
        REMOTE_OLD_VERSION: async () => {
          remote.send({ ...remoteVersion(0x99n), protocolVersion: 208 });
        },
        REMOTE_OWN_NONCE: async () => {
          remote.send(remoteVersion(OWN_NONCE));
        },
        REMOTE_VETOED_VERSION: async () => {
          remote.send({ ...remoteVersion(0x4242n), userAgent: '/vetoed:1.0/' });
          const reject = await remote.waitFor('reject');
          assert.equal(reject.command === 'reject' && reject.reason, 'not you');
        },
        QUEUE_INVENTORY: async () => {
          mark = remote.received.length;
          const hash = new Uint8Array(32).fill(9);
          sut().queueInventory({ type: 1, hash });
          sut().queueInventory({ type: 1, hash }); // a duplicate is announced once
          await settle();
          clock.increment(TRICKLE_INTERVAL_MS);
          const inv = await remote.waitFor('inv', mark);
          assert.equal(inv.command === 'inv' && inv.inventory.length, 1);
        },
        GETDATA_UNANSWERED: async () => {
          mark = remote.received.length;
          void sut().queueMessage({ command: 'getdata', inventory: [{ type: 2, hash: new Uint8Array(32) }] });
          await remote.waitFor('getdata', mark);
          clock.increment(STALL_TICK_MS);
          await settle();
          assert.equal(sut().state, 'active', 'the first check, 15 s after the request, finds no stall');
          clock.increment(STALL_TICK_MS); // the 30 s check finds the deadline passed
        },
        REMOTE_PING_FIRST: async () => {
          remote.send({ command: 'ping', nonce: 1n });
          const reject = await remote.waitFor('reject');
          assert.equal(
            reject.command === 'reject' && reject.reason,
            'a version message must precede all others',
          );
        },
        REMOTE_WTXIDRELAY: async () => {
          remote.send({ command: 'wtxidrelay' });
          await settle();
        },
        REMOTE_VERACK: async () => {
          remote.send({ command: 'verack' });
          while (sut().state !== 'active') await settle();
        },
        REMOTE_GETADDR_EARLY: async () => {
          remote.send({ command: 'getaddr' });
        },
        HANDSHAKE_TIMEOUT: async () => {
          clock.increment(HANDSHAKE_TIMEOUT_MS - 1);
          await settle();
          assert.equal(sut().state, 'handshaking', 'still handshaking 1 ms before the timeout');
          clock.increment(1);
        },
        REMOTE_PING: async () => {
          mark = remote.received.length;
          remote.send({ command: 'ping', nonce: 77n });
          const pong = await remote.waitFor('pong', mark);
          assert.equal(pong.command === 'pong' && pong.nonce, 77n);
        },
        PING_DUE: async () => {
          mark = remote.received.length;
          clock.increment(PING_INTERVAL_MS);
          const ping = await remote.waitFor('ping', mark);
          clock.increment(25);
          remote.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce : 0n });
          while (sut().lastPingMicros === 0) await settle();
          assert.equal(sut().lastPingMicros, 25_000);
        },
        IDLE_TIMEOUT: async () => {
          // The idle timer counts from the last message the peer received.
          clock.increment(lastSentAt + IDLE_TIMEOUT_MS - 1 - clock.now());
          await settle();
          assert.equal(sut().state, 'active', 'still active 1 ms before the idle timeout');
          clock.increment(1);
        },
        REMOTE_DUPLICATE_VERSION: async () => {
          mark = remote.received.length;
          remote.send(remoteVersion(0x5678n));
          const reject = await remote.waitFor('reject', mark);
          assert.equal(reject.command === 'reject' && reject.code, 0x12);
        },
        REMOTE_DUPLICATE_VERACK: async () => {
          mark = remote.received.length;
          remote.send({ command: 'verack' });
          const reject = await remote.waitFor('reject', mark);
          assert.equal(reject.command === 'reject' && reject.reason, 'duplicate verack message');
        },
        REMOTE_SENDADDRV2: async () => {
          remote.send({ command: 'sendaddrv2' });
        },
        REMOTE_UNKNOWN: async () => {
          remote.send({ command: 'unknown', rawCommand: 'xyzzy', payload: Uint8Array.of(1, 2, 3) });
          await settle();
        },
        REMOTE_GARBAGE: async () => {
          const frame = new Uint8Array(24);
          new DataView(frame.buffer).setUint32(0, network.magic, true);
          frame.set(new TextEncoder().encode('ping'), 4);
          new DataView(frame.buffer).setUint32(20, 0xdeadbeef, true); // wrong checksum of an empty payload
          link.remoteSocket.write(frame);
        },
        LOCAL_DISCONNECT: async () => {
          sut().disconnect();
        },
        REMOTE_CLOSE: async () => {
          remote.close();
        },
      },
      states: {
        connected: () => assert.equal(peer, undefined),
        outboundAwaitingVersion: () => {
          assert.deepEqual(
            remote.received.map((message) => message.command),
            ['version'],
            'an outbound peer speaks first',
          );
          assert.equal(sut().state, 'handshaking');
        },
        outboundAcknowledgedEarly: () => assert.equal(sut().state, 'handshaking'),
        activeAnnounced: () => assert.equal(sut().state, 'active'),
        awaitingVersion: async () => {
          await settle();
          assert.equal(sut().state, 'handshaking');
          assert.equal(remote.received.length, 0, 'an inbound peer waits for the remote version');
        },
        awaitingVerack: async () => {
          await remote.waitFor('verack');
          assert.deepEqual(
            remote.received.map((message) => message.command),
            ['version', 'sendaddrv2', 'verack'],
          );
          assert.equal(sut().state, 'handshaking');
        },
        awaitingVerackEarlyMessage: async () => assert.equal(sut().state, 'handshaking'),
        active: async () => assert.equal(sut().state, 'active'),
        activePinged: async () => assert.equal(sut().state, 'active'),
        activeKeptAlive: async () => assert.equal(sut().state, 'active'),
        activeIgnoredUnknown: async () => assert.equal(sut().state, 'active'),
        ...Object.fromEntries(
          [...EXPECTED_REASON].map(([state, reason]) => [state, () => expectClosed(reason)]),
        ),
      },
    });
  } finally {
    peer?.disconnect();
    await peer?.waitForDisconnect();
    remote.close();
    await link.dispose();
  }
}

describe('model-based: every path of the peer model against the real Peer', () => {
  for (const [name, makeLink] of [
    ['in-memory duplex', memoryLink],
    ['loopback TCP', tcpLink],
  ] as const) {
    describe(name, () => {
      for (const path of unique.values()) {
        it(path.description, { timeout: 15_000 }, () => runPath(path, makeLink));
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
    console.log(`model paths: ${unique.size} (shortest + simple), each run over two transports`);
    for (const row of rows) {
      console.log(`coverage ${row.machine}: states ${row.states}, transitions ${row.transitions}`);
      if (process.env.PEERCHART_MBT_MISSED) {
        for (const missed of [...row.missed, ...row.missedTransitions])
          console.log(`  not visited: ${missed}`);
      }
    }
  });
});
