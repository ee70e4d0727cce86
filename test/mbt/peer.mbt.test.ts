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
import { bitcoinNetworks } from '../../src/wire/networks.js';
import { CoverageRecorder } from './coverage.js';
import { EXPECTED_REASON, peerModel } from './peer.model.js';
import { type Link, memoryLink, ScriptedRemote, tcpLink } from './scripted-remote.js';

// simnet: no regtest-localhost tolerance, so malformed input is fatal over loopback too.
const network = bitcoinNetworks.simnet;
const PING_INTERVAL_MS = 120_000;
const IDLE_TIMEOUT_MS = 300_000;
const HANDSHAKE_TIMEOUT_MS = 30_000;

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
  const peer = Peer.inbound(
    { network, clock, nonceCache: new NonceCache(), inspect: coverage.inspect },
    link.peerSocket,
    '10.0.0.1:50001',
  );
  const remote = new ScriptedRemote(link.remoteSocket, network);
  let mark = 0;
  const expectClosed = async (reason: string) => {
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, reason);
    await remote.waitClosed();
  };
  try {
    await path.test({
      events: {
        REMOTE_VERSION: async () => {
          remote.send(remoteVersion(0x1234n));
          await remote.waitFor('verack');
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
          while (peer.state !== 'active') await settle();
        },
        REMOTE_GETADDR_EARLY: async () => {
          remote.send({ command: 'getaddr' });
        },
        HANDSHAKE_TIMEOUT: async () => {
          clock.increment(HANDSHAKE_TIMEOUT_MS - 1);
          await settle();
          assert.equal(peer.state, 'handshaking', 'still handshaking 1 ms before the timeout');
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
          while (peer.lastPingMicros === 0) await settle();
          assert.equal(peer.lastPingMicros, 25_000);
        },
        IDLE_TIMEOUT: async () => {
          clock.increment(IDLE_TIMEOUT_MS - 1);
          await settle();
          assert.equal(peer.state, 'active', 'still active 1 ms before the idle timeout');
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
          peer.disconnect();
        },
        REMOTE_CLOSE: async () => {
          remote.close();
        },
      },
      states: {
        awaitingVersion: async () => {
          await settle();
          assert.equal(peer.state, 'handshaking');
          assert.equal(remote.received.length, 0, 'an inbound peer waits for the remote version');
        },
        awaitingVerack: async () => {
          assert.deepEqual(
            remote.received.map((message) => message.command),
            ['version', 'sendaddrv2', 'verack'],
          );
          assert.equal(peer.state, 'handshaking');
        },
        awaitingVerackEarlyMessage: async () => assert.equal(peer.state, 'handshaking'),
        active: async () => assert.equal(peer.state, 'active'),
        activePinged: async () => assert.equal(peer.state, 'active'),
        activeKeptAlive: async () => assert.equal(peer.state, 'active'),
        activeIgnoredUnknown: async () => assert.equal(peer.state, 'active'),
        ...Object.fromEntries(
          [...EXPECTED_REASON].map(([state, reason]) => [state, () => expectClosed(reason)]),
        ),
      },
    });
  } finally {
    peer.disconnect();
    await peer.waitForDisconnect();
    remote.close();
    await link.dispose();
  }
}

describe('model-based: every path of the inbound peer model against the real Peer', () => {
  for (const [name, makeLink] of [
    ['in-memory duplex', memoryLink],
    ['loopback TCP', tcpLink],
  ] as const) {
    describe(name, () => {
      for (const path of unique.values()) {
        it(path.description, () => runPath(path, makeLink));
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
    }
  });
});
