import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PeerConfig } from '../peer/config.js';
import { Peer } from '../peer/peer.js';
import type { VersionMessage } from '../wire/bitcoin/types.js';
import { FrameDecoder } from '../wire/decoder.js';
import { encodeMessage, type Message } from '../wire/message.js';
import type { Network } from '../wire/networks.js';
import { socketPair } from './socket-pair.js';

/** A version message as a remote node would send it; override any field. */
export function remoteVersion(overrides: Partial<VersionMessage> = {}): VersionMessage {
  return {
    command: 'version',
    protocolVersion: 70016,
    services: 1n,
    timestamp: 1_700_000_000n,
    addrYou: { services: 0n, ip: new Uint8Array(16), port: 0 },
    addrMe: { services: 1n, ip: new Uint8Array(16), port: 0 },
    nonce: 0x5eed_5eedn,
    userAgent: '/scripted:1.0/',
    lastBlock: 100,
    relay: true,
    ...overrides,
  };
}

/**
 * Resolves once `condition` holds, polling; rejects after a real-time budget. For socket and actor
 * work only: protocol timers are driven by the SimulatedClock, never waited for.
 */
export async function waitUntil(condition: () => boolean, budgetMs = 3000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface ScriptedSession {
  peer: Peer;
  remote: ScriptedRemote;
  /** Disconnects the peer, waits for its teardown, closes the remote and the link. */
  close(): Promise<void>;
}

/**
 * An inbound Peer on `link` that has completed the handshake with a scripted remote sending
 * `version` (encoded at `encodeAt`, by default the network's version) and then verack.
 */
export async function handshakenInbound(
  link: Link,
  config: PeerConfig<Peer>,
  version: VersionMessage,
  options: { encodeAt?: number; budgetMs?: number } = {},
): Promise<ScriptedSession> {
  const peer = Peer.inbound(config, link.peerSocket);
  const remote = new ScriptedRemote(link.remoteSocket, config.network);
  remote.send(version, options.encodeAt);
  await remote.waitFor('verack');
  remote.send({ command: 'verack' });
  await waitUntil(() => peer.state === 'active', options.budgetMs);
  return {
    peer,
    remote,
    async close() {
      peer.disconnect();
      await peer.waitForDisconnect();
      remote.close();
      await link.dispose();
    },
  };
}

/** Lets pending socket and actor work run (a few turns of the event loop, no timers). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The other end of a connection, driven by a test: it writes exactly the frames a path asks for
 * and records every message the peer under test sends.
 */
export class ScriptedRemote {
  readonly received: Message[] = [];
  closed = false;
  /** Called on every frame the script writes. */
  onSend: () => void = () => {};
  private readonly decoder: FrameDecoder;
  private waiters: (() => void)[] = [];

  constructor(
    readonly socket: Duplex,
    readonly network: Network,
  ) {
    this.decoder = new FrameDecoder({ network });
    socket.on('data', (chunk: Uint8Array) => {
      for (const message of this.decoder.push(chunk)) this.received.push(message);
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  send(message: Message, protocolVersion = this.network.protocolVersion): void {
    this.onSend();
    this.socket.write(encodeMessage(message, { network: this.network, protocolVersion }));
  }

  /** Several messages in one socket write, so the peer reads them as one chunk (a burst). */
  sendBurst(messages: readonly Message[], protocolVersion = this.network.protocolVersion): void {
    this.onSend();
    const frames = messages.map((message) =>
      encodeMessage(message, { network: this.network, protocolVersion }),
    );
    this.socket.write(Buffer.concat(frames));
  }

  /** Resolves when a message of `command` has arrived (counting from `from`); rejects after a real-time budget. */
  async waitFor(command: string, from = 0, budgetMs = 2000): Promise<Message> {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const found = this.received.slice(from).find((message) => message.command === command);
      if (found) return found;
      if (this.closed) throw new Error(`connection closed before '${command}' arrived`);
      if (Date.now() > deadline) throw new Error(`no '${command}' within ${budgetMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  async waitClosed(budgetMs = 2000): Promise<void> {
    const deadline = Date.now() + budgetMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A connected pair: the end the peer under test gets, and the end the script drives. */
export interface Link {
  peerSocket: Duplex;
  remoteSocket: Duplex;
  dispose(): Promise<void>;
}

export async function memoryLink(): Promise<Link> {
  const [peerSocket, remoteSocket] = socketPair();
  return { peerSocket, remoteSocket, dispose: async () => {} };
}

export async function tcpLink(): Promise<Link> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const remoteSocket = connect(port, '127.0.0.1');
  const [peerSocket] = await accepted;
  return {
    peerSocket,
    remoteSocket,
    dispose: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
