import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Actor, createActor, type InspectionEvent, type Observer } from 'xstate';
import type { PeerOutput } from '../../machines/peer.machine.js';
import { type SupervisorHost, supervisorMachine } from '../../machines/supervisor.machine.js';
import type { SendOutcome } from '../../machines/types.js';
import type { PeerClock, PeerConfig } from '../peer/config.js';
import { systemClock } from '../peer/config.js';
import { NonceCache } from '../peer/nonce-cache.js';
import { Peer } from '../peer/peer.js';
import type { StatsSnapshot } from '../peer/stats.js';
import type { InvVector } from '../wire/bitcoin/types.js';
import type { Message } from '../wire/message.js';

export interface SupervisorConfig {
  /** The template every peer is created from (network, services, listeners, timeouts, …). */
  peer: PeerConfig<Peer>;
  maxInbound?: number;
  maxOutbound?: number;
  /** First redial delay of a persistent peer; doubles per failed attempt up to `redialMaxMs`. */
  redialBaseMs?: number;
  redialMaxMs?: number;
  redialJitter?: number;
  clock?: PeerClock;
  /**
   * Handed to XState for the supervisor's actor and for every peer it creates (unless the peer
   * template has its own `inspect`): receives every inspection event of both.
   */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export interface SupervisorEvents {
  peerAdded: (peer: Peer) => void;
  peerRemoved: (peer: Peer, result: PeerOutput) => void;
  peerState: (peer: Peer, state: string) => void;
  peerHandshake: (peer: Peer) => void;
  refused: (address: string, reason: string) => void;
  /** A peer's actor failed; the peer was reaped and everything else keeps running. */
  peerCrashed: (peer: Peer, detail: string) => void;
}

export interface SupervisorStats {
  inbound: number;
  outbound: number;
  handshaken: number;
  bytesSent: number;
  bytesReceived: number;
  added: number;
  removed: number;
  refused: number;
}

interface PeerRecord {
  peer: Peer;
  persistent: boolean;
  attempt: number;
  address: string;
}

function hostOf(address: string): string {
  const match = /^\[?([^\]]+?)\]?:\d+$/.exec(address);
  return match ? match[1]! : address;
}

/**
 * Listens, dials and tracks peers (btcd's server-side peer handling, without the chain logic).
 * Registry operations are O(1): peers are independent actors in a Map, not XState children.
 */
export class PeerSupervisor {
  readonly actor: Actor<typeof supervisorMachine>;
  private readonly peerConfig: PeerConfig<Peer>;
  private readonly records = new Map<number, PeerRecord>();
  private readonly servers = new Set<Server>();
  private readonly pendingSockets = new Map<number, Duplex>();
  private readonly bans = new Map<string, number>();
  private readonly handlers = new Map<keyof SupervisorEvents, Set<(...args: never[]) => void>>();
  private readonly clock: PeerClock;
  private nextConnectionId = 1;
  private totals = { added: 0, removed: 0, refused: 0 };
  private readonly stopped: Promise<void>;

  constructor(config: SupervisorConfig) {
    this.clock = config.clock ?? config.peer.clock ?? systemClock;
    // One node, one nonce record: sized so every concurrent handshake of this node is remembered.
    const nonceCache =
      config.peer.nonceCache ??
      new NonceCache(Math.max(50, (config.maxInbound ?? 125) + (config.maxOutbound ?? 8)));
    const inspect = config.peer.inspect ?? config.inspect;
    this.peerConfig = { ...config.peer, clock: this.clock, nonceCache, ...(inspect ? { inspect } : {}) };
    const host: SupervisorHost = {
      acceptInbound: (connectionId) => this.acceptInbound(connectionId),
      refuseInbound: (connectionId, reason) => {
        const socket = this.pendingSockets.get(connectionId);
        this.pendingSockets.delete(connectionId);
        this.totals.refused++;
        this.emit('refused', socket ? addressOf(socket) : 'unknown', reason);
        socket?.destroy();
      },
      dialOutbound: (address, persistent, attempt) => this.dialOutbound(address, persistent, attempt),
      refuseOutbound: (address, reason) => {
        this.totals.refused++;
        this.emit('refused', address, reason);
      },
      isBanned: (address) => this.isBanned(address),
      random: Math.random,
      beginShutdown: () => {
        for (const server of this.servers) server.close();
        for (const socket of this.pendingSockets.values()) socket.destroy();
        this.pendingSockets.clear();
        for (const record of this.records.values())
          record.peer.disconnect('local-request', 'supervisor shutdown');
      },
    };
    this.actor = createActor(supervisorMachine, {
      clock: this.clock as never,
      ...(config.inspect ? { inspect: config.inspect } : {}),
      input: {
        host,
        maxInbound: config.maxInbound ?? 125,
        maxOutbound: config.maxOutbound ?? 8,
        redialBaseMs: config.redialBaseMs ?? 1_000,
        redialMaxMs: config.redialMaxMs ?? 60_000,
        redialJitter: config.redialJitter ?? 0.2,
      },
    });
    this.stopped = new Promise((resolve) => {
      this.actor.subscribe({ complete: () => resolve(), error: () => resolve() });
    });
    this.actor.start();
  }

  on<E extends keyof SupervisorEvents>(event: E, handler: SupervisorEvents[E]): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as never);
    return () => set.delete(handler as never);
  }

  /** Starts a listener the supervisor owns; resolves with its address. Call several times for several. */
  async listen(options: { host?: string; port?: number } = {}): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => this.adopt(socket));
    // A deep accept backlog: thousands of simultaneous dials must not wait for SYN retransmits.
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 8192 });
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
    this.servers.add(server);
    const address = server.address() as { address: string; port: number };
    return { host: address.address, port: address.port };
  }

  /**
   * Takes an inbound connection accepted elsewhere (your own server, a proxy, an in-memory
   * pair): it goes through the same ban and inbound-limit rules as the supervisor's listeners.
   */
  adopt(socket: Duplex, address = addressOf(socket)): void {
    socket.on('error', () => {}); // errors before a peer owns the socket end in 'close'
    const connectionId = this.nextConnectionId++;
    this.pendingSockets.set(connectionId, socket);
    this.actor.send({ type: 'connection.accepted', connectionId, address });
  }

  /** Dials a peer; a persistent one is redialled with backoff whenever it ends. */
  connect(address: string, options: { persistent?: boolean } = {}): void {
    this.actor.send({ type: 'dial.requested', address, persistent: options.persistent ?? false });
  }

  /** Refuses connections from and to `host` for `durationMs`, and disconnects its current peers. */
  ban(host: string, durationMs: number): void {
    this.bans.set(host, this.clock.now() + durationMs);
    for (const record of this.records.values()) {
      if (hostOf(record.address) === host) record.peer.disconnect('local-request', 'banned');
    }
  }

  isBanned(address: string): boolean {
    const host = hostOf(address);
    const until = this.bans.get(host);
    if (until === undefined) return false;
    if (this.clock.now() >= until) {
      this.bans.delete(host);
      return false;
    }
    return true;
  }

  /** Every current peer. */
  peers(): Peer[] {
    return [...this.records.values()].map((record) => record.peer);
  }

  /** A snapshot of every current peer: state and statistics. */
  peerStats(): StatsSnapshot[] {
    return this.peers().map((peer) => peer.statsSnapshot());
  }

  /** Queues `message` to every handshaken peer but `except`. */
  broadcast(message: Message, options: { except?: Peer } = {}): Promise<SendOutcome>[] {
    const sent: Promise<SendOutcome>[] = [];
    for (const { peer } of this.records.values()) {
      if (peer !== options.except && peer.state === 'active') sent.push(peer.queueMessage(message));
    }
    return sent;
  }

  /** Announces inventory through every peer's trickler, except the peer it came from. */
  relayInventory(inventory: InvVector, options: { except?: Peer } = {}): void {
    for (const { peer } of this.records.values()) {
      if (peer !== options.except && peer.state === 'active') peer.queueInventory(inventory);
    }
  }

  stats(): SupervisorStats {
    const context = this.actor.getSnapshot().context;
    let handshaken = 0;
    let bytesSent = 0;
    let bytesReceived = 0;
    for (const { peer } of this.records.values()) {
      if (peer.state === 'active') handshaken++;
      bytesSent += peer.stats.bytesSent;
      bytesReceived += peer.stats.bytesReceived;
    }
    return {
      inbound: context.inbound,
      outbound: context.outbound,
      handshaken,
      bytesSent,
      bytesReceived,
      ...this.totals,
    };
  }

  /**
   * Stops accepting, disconnects every peer, and resolves when every socket, timer and actor is
   * gone. A second call returns the same promise.
   */
  shutdown(): Promise<void> {
    this.actor.send({ type: 'shutdown' });
    return this.stopped.then(async () => {
      await Promise.all([...this.servers].map((server) => new Promise((resolve) => server.close(resolve))));
      this.servers.clear();
    });
  }

  private acceptInbound(connectionId: number): void {
    const socket = this.pendingSockets.get(connectionId);
    this.pendingSockets.delete(connectionId);
    if (!socket || socket.destroyed) {
      // Gone before we got to it: still one start and one end for the chart's counts.
      queueMicrotask(() =>
        this.actor.send({
          type: 'peer.ended',
          direction: 'inbound',
          address: 'unknown',
          persistent: false,
          attempt: 0,
        }),
      );
      return;
    }
    this.track(Peer.inbound(this.peerConfig, socket), false, 0);
  }

  private dialOutbound(address: string, persistent: boolean, attempt: number): void {
    const peer = Peer.outbound(this.peerConfig, address);
    const record = this.track(peer, persistent, attempt);
    // A successful handshake resets the backoff.
    peer.on('handshake', () => {
      record.attempt = 0;
    });
  }

  private track(peer: Peer, persistent: boolean, attempt: number): PeerRecord {
    const record: PeerRecord = { peer, persistent, attempt, address: peer.address };
    this.records.set(peer.id, record);
    this.totals.added++;
    this.emit('peerAdded', peer);
    peer.on('state', (state) => this.emit('peerState', peer, state));
    peer.on('handshake', () => this.emit('peerHandshake', peer));
    void peer.waitForDisconnect().then((result) => {
      this.records.delete(peer.id);
      this.totals.removed++;
      if (result.reason === 'internal-error') this.emit('peerCrashed', peer, result.detail);
      this.emit('peerRemoved', peer, result);
      this.actor.send({
        type: 'peer.ended',
        direction: peer.inbound ? 'inbound' : 'outbound',
        address: record.address,
        persistent: record.persistent,
        attempt: record.attempt,
      });
    });
    return record;
  }

  private emit<E extends keyof SupervisorEvents>(event: E, ...args: Parameters<SupervisorEvents[E]>): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of set) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.peerConfig.logger?.log(
          'warn',
          `supervisor listener ${event} threw: ${(error as Error)?.message ?? error}`,
        );
      }
    }
  }
}

function addressOf(socket: Duplex): string {
  const { remoteAddress, remotePort } = socket as Partial<Socket>;
  return remoteAddress === undefined ? 'unknown' : `${remoteAddress}:${remotePort}`;
}
