import { createMachine, SimulatedClock } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { Peer } from '../peer/peer.js';
import type { VersionMessage } from '../wire/bitcoin/types.js';
import type { Network } from '../wire/networks.js';
import { type Link, memoryLink, remoteVersion, ScriptedRemote, settle } from './scripted-remote.js';

/**
 * What a remote node can do to an inbound peer during the handshake, and where it leads. Final
 * states name the disconnect reason the peer must report. xstate/graph walks this small model;
 * each path is then played against a real Peer by a scripted remote, with a SimulatedClock.
 */
export const inboundHandshakeModel = createMachine({
  id: 'inboundHandshake',
  initial: 'awaitingVersion',
  states: {
    awaitingVersion: {
      on: {
        REMOTE_VERSION: 'awaitingVerack',
        REMOTE_PING_FIRST: 'notVersionMessage',
        REMOTE_OLD_VERSION: 'protocolTooOld',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
        REMOTE_CLOSE: 'remoteClosed',
      },
    },
    awaitingVerack: {
      on: {
        REMOTE_WTXIDRELAY: 'awaitingVerackAfterEarlyMessage',
        REMOTE_VERACK: 'active',
        REMOTE_GETADDR_EARLY: 'invalidHandshakeMessage',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
        REMOTE_CLOSE: 'remoteClosed',
      },
    },
    awaitingVerackAfterEarlyMessage: {
      on: { REMOTE_VERACK: 'active', HANDSHAKE_TIMEOUT: 'handshakeTimeout' },
    },
    active: { type: 'final' },
    notVersionMessage: { type: 'final' },
    protocolTooOld: { type: 'final' },
    invalidHandshakeMessage: { type: 'final' },
    handshakeTimeout: { type: 'final' },
    remoteClosed: { type: 'final' },
  },
});

const EXPECTED_REASON: Record<string, string> = {
  notVersionMessage: 'not-version-message',
  protocolTooOld: 'protocol-too-old',
  invalidHandshakeMessage: 'invalid-handshake-message',
  handshakeTimeout: 'handshake-timeout',
  remoteClosed: 'remote-closed',
};

export interface HandshakePathOptions {
  network: Network;
  /** Builds the peer under test on the given socket; pass `clock` to it so timeouts are simulated. */
  peer(socket: Link['peerSocket'], clock: SimulatedClock): Peer;
  /** The version message the scripted remote sends (default: a modern node's). */
  version?: VersionMessage;
  /** Handshake timeout of the peer under test (default 30 s, the Bitcoin profile's). */
  handshakeTimeoutMs?: number;
  /** The connection to run over (default: an in-memory pair). */
  link?: () => Promise<Link>;
}

export interface HandshakePath {
  /** The events of the path, e.g. "REMOTE_VERSION → REMOTE_WTXIDRELAY → REMOTE_VERACK". */
  description: string;
  /** Plays the path against a fresh peer; rejects when the peer does not behave as the model says. */
  run(options: HandshakePathOptions): Promise<void>;
}

/** Every shortest and simple path of the inbound handshake model, without duplicates. */
export function handshakePaths(): HandshakePath[] {
  const model = createTestModel(inboundHandshakeModel);
  const unique = new Map(
    [...model.getShortestPaths(), ...model.getSimplePaths()].map((path) => [path.description, path]),
  );
  return [...unique.values()].map((path) => ({
    description: path.steps
      .map((step) => step.event.type)
      .filter((type) => !type.startsWith('xstate.'))
      .join(' → '),
    run: (options) => runPath(path, options),
  }));
}

type ModelPath = ReturnType<ReturnType<typeof createTestModel>['getShortestPaths']>[number];

async function runPath(path: ModelPath, options: HandshakePathOptions): Promise<void> {
  const link = await (options.link ?? memoryLink)();
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const peer = options.peer(link.peerSocket, clock);
  const remote = new ScriptedRemote(link.remoteSocket, options.network);
  const version = options.version ?? remoteVersion({ nonce: BigInt(Math.floor(Math.random() * 2 ** 48)) });
  const timeoutMs = options.handshakeTimeoutMs ?? 30_000;
  const fail = (what: string) => {
    throw new Error(`${what} (peer is ${peer.state})`);
  };
  const expectClosed = async (reason: string) => {
    const result = await peer.waitForDisconnect();
    if (result.reason !== reason) fail(`expected a disconnect for ${reason}, got ${result.reason}`);
  };
  try {
    await path.test({
      events: {
        REMOTE_VERSION: async () => {
          remote.send(version);
          await remote.waitFor('verack');
        },
        REMOTE_PING_FIRST: () => remote.send({ command: 'ping', nonce: 1n }),
        REMOTE_OLD_VERSION: () => remote.send({ ...version, protocolVersion: 208 }),
        REMOTE_WTXIDRELAY: () => remote.send({ command: 'wtxidrelay' }),
        REMOTE_VERACK: () => remote.send({ command: 'verack' }),
        REMOTE_GETADDR_EARLY: () => remote.send({ command: 'getaddr' }),
        REMOTE_CLOSE: () => remote.close(),
        HANDSHAKE_TIMEOUT: async () => {
          clock.increment(timeoutMs - 1);
          await settle();
          if (peer.state !== 'handshaking') fail('the handshake ended before its timeout');
          clock.increment(1);
        },
      },
      states: {
        awaitingVersion: async () => {
          await settle();
          if (peer.state !== 'handshaking') fail('an inbound peer waits for the remote version');
        },
        awaitingVerack: () => {
          if (peer.state !== 'handshaking') fail('still handshaking until verack');
        },
        awaitingVerackAfterEarlyMessage: async () => {
          await settle();
          if (peer.state !== 'handshaking') fail('an early wtxidrelay is accepted');
        },
        active: async () => {
          for (let i = 0; i < 100 && peer.state !== 'active'; i++) await settle(1);
          if (peer.state !== 'active') fail('the handshake completes');
        },
        ...Object.fromEntries(
          Object.entries(EXPECTED_REASON).map(([state, reason]) => [state, () => expectClosed(reason)]),
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
