import { randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Actor, createActor } from 'xstate';
import { type PeerMachineInput, type PeerOutput, peerMachine } from '../../machines/peer.machine.js';
import type {
  DisconnectReason,
  FrameParts,
  PeerHost,
  QueueEntry,
  SendOutcome,
} from '../../machines/types.js';
import { hexdump } from '../log/logger.js';
import { socketTransport, type TransportInput } from '../transport/socket-transport.js';
import { ipToBytes } from '../wire/bitcoin/address.js';
import type {
  AddrV2Entry,
  Hash,
  InvVector,
  NetAddress,
  RejectMessage,
  VersionMessage,
} from '../wire/bitcoin/types.js';
import { type DecredWireMessage, encodeFrameParts, type Message } from '../wire/message.js';
import {
  composeUserAgent,
  type PeerClock,
  type PeerConfig,
  profileFor,
  resolveSettings,
  systemClock,
} from './config.js';
import { KnownInventory } from './known-inventory.js';
import { LISTENER_BY_COMMAND } from './listeners.js';
import { sharedNonceCache } from './nonce-cache.js';
import { PeerStats, type StatsSnapshot } from './stats.js';

/** The peer machine with the real socket transport: provided once, shared by every Peer. */
const runtimePeerMachine = peerMachine.provide({
  // The machine declares the transport's input as opaque; the runtime knows it is a TransportInput.
  actors: { transport: socketTransport as never },
});

export type PeerActor = Actor<typeof runtimePeerMachine>;

export interface PeerEvents {
  /** A state change of the peer statechart ('handshaking', 'active', …). */
  state: (state: string) => void;
  /** The handshake completed. */
  handshake: () => void;
  message: (message: Message) => void;
  disconnected: (result: PeerOutput) => void;
}

let nextPeerId = 1;

const MAX_ADDR_PER_MESSAGE = 1000;
const MAX_LOCATOR_HASHES = 500;

function splitHostPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new TypeError(`expected host:port, got '${address}'`);
  return { host: match[1]!, port: Number(match[2]) };
}

/** Nonces from a pooled buffer: one call into the system's CSPRNG (~5 µs) per 512 nonces, not per nonce. */
const noncePool = new BigUint64Array(512);
let noncePoolAt = noncePool.length;

function randomUint64(): bigint {
  if (noncePoolAt === noncePool.length) {
    randomFillSync(noncePool);
    noncePoolAt = 0;
  }
  return noncePool[noncePoolAt++]!;
}

function netAddressOf(host: string | undefined, port: number | undefined, services: bigint): NetAddress {
  const ip = host && isIP(host) ? ipToBytes(host.replace(/^::ffff:(?=\d+\.)/, '')) : new Uint8Array(16);
  return { services, ip, port: port ?? 0 };
}

/** Uniform random subset of at most `limit` (Fisher–Yates over the first `limit` positions), no duplicates. */
function randomSubset<T>(items: readonly T[], limit: number): T[] {
  const copy = items.slice();
  if (copy.length <= limit) return copy;
  for (let i = 0; i < limit; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, limit);
}

function sameHashes(a: Hash | undefined, b: Hash | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One connection to a remote node: btcd's `peer.Peer` in TypeScript idiom. The behaviour lives in
 * the peer statechart (`actor`); this class is the API around it: listeners, queueing, statistics.
 */
export class Peer {
  readonly id: number;
  readonly inbound: boolean;
  /** "host:port" of the remote. */
  readonly address: string;
  readonly config: PeerConfig<Peer>;
  readonly actor: PeerActor;
  readonly stats: PeerStats;

  private readonly clock: PeerClock;
  private readonly knownInventory: KnownInventory;
  private readonly pending = new Set<QueueEntry>();
  private readonly handlers = new Map<keyof PeerEvents, Set<(...args: never[]) => void>>();
  private socket: Duplex | undefined;
  private handlerTimeMs = 0;
  private disconnectRequested = false;
  /** The transport's writer, set when it starts. */
  private writeFrames: (frames: FrameParts[]) => boolean = () => false;
  private result: PeerOutput | undefined;
  private readonly done: Promise<PeerOutput>;
  private lastState = '';
  private lastGetBlocks: { begin: Hash; stop: Hash } | undefined;
  private lastGetHeaders: { begin: Hash; stop: Hash } | undefined;

  /** Dial `address` ("host:port"), or use `socket` if one is already connected to it. */
  static outbound(config: PeerConfig<Peer>, address: string, socket?: Duplex): Peer {
    return new Peer(config, 'outbound', address, socket);
  }

  /** Take over an accepted socket (or any Duplex). */
  static inbound(config: PeerConfig<Peer>, socket: Duplex, address?: string): Peer {
    const remote = socket as Duplex & { remoteAddress?: string; remotePort?: number };
    const where = address ?? `${remote.remoteAddress ?? 'unknown'}:${remote.remotePort ?? 0}`;
    return new Peer(config, 'inbound', where, socket);
  }

  private constructor(
    config: PeerConfig<Peer>,
    direction: 'inbound' | 'outbound',
    address: string,
    socket?: Duplex,
  ) {
    this.id = nextPeerId++;
    this.config = { ...config };
    this.inbound = direction === 'inbound';
    this.address = address;
    this.socket = socket;
    this.clock = config.clock ?? systemClock;
    this.stats = new PeerStats(this.clock, config.services ?? 0n);
    const profile = profileFor(config);
    this.knownInventory = new KnownInventory(profile.limits.knownInventory, {
      ttlMs: profile.timeouts.knownInventoryTtlMs,
      now: () => this.clock.now(),
    });
    const { host: remoteHost, port: remotePort } = (() => {
      try {
        return splitHostPort(address);
      } catch {
        return { host: undefined, port: undefined };
      }
    })();
    const settings = resolveSettings(config, remoteHost);
    const transport: TransportInput = {
      wire: { network: config.network, protocolVersion: settings.protocolVersion },
      observer: {
        read: (bytes, message, error) => {
          this.stats.recordRead(bytes, message !== undefined);
          this.safely('onRead', () => this.config.listeners?.onRead?.(this, bytes, message, error));
          if (this.config.logger && message) this.logMessage('received', message, bytes);
        },
        wrote: (bytes, frame) => {
          this.stats.recordWrite(bytes);
          const command = readCommandOf(frame);
          if (command === 'ping') this.stats.pingWritten(this.clock.now());
          this.safely('onWrite', () => this.config.listeners?.onWrite?.(this, bytes, command));
          if (this.config.logger?.isLevelEnabled?.('trace')) {
            this.config.logger.log('trace', `${this} wrote ${command}\n${hexdump(frame)}`);
          }
        },
      },
      ...(socket ? { socket } : remoteHost ? { dial: { host: remoteHost, port: remotePort ?? 0 } } : {}),
      onSocket: (dialled) => {
        this.socket = dialled;
      },
      onWriter: (write) => {
        this.writeFrames = write;
      },
    };
    const nonceCache = config.nonceCache ?? sharedNonceCache;
    const host: PeerHost = {
      now: () => this.clock.now(),
      randomNonce: randomUint64,
      buildVersion: (nonce, remote) => this.buildVersion(nonce, remote, remoteHost, remotePort),
      rememberNonce: (nonce) => nonceCache.add(nonce),
      isOwnNonce: (nonce) => nonceCache.has(nonce),
      vetoVersion: (version) => this.onRemoteVersion(version),
      write: (frames) => this.writeFrames(frames),
      encode: (message) =>
        encodeFrameParts(message, { network: config.network, protocolVersion: this.protocolVersion }),
      takeUnknownInventory: (items) => {
        const fresh: InvVector[] = [];
        for (const item of items) {
          if (this.knownInventory.has(item)) continue;
          this.knownInventory.add(item);
          fresh.push(item);
        }
        return fresh;
      },
      lastReadMs: () => this.stats.lastRead,
      dispatch: (message) => this.dispatch(message),
      takeHandlerTimeMs: () => {
        const spent = this.handlerTimeMs;
        this.handlerTimeMs = 0;
        return spent;
      },
    };
    const input: PeerMachineInput = {
      host,
      direction,
      connected: socket !== undefined,
      settings,
      transport,
    };
    this.stats.connected(this.clock.now());
    this.actor = createActor(runtimePeerMachine, {
      input,
      clock: this.clock as never,
      ...(config.inspect ? { inspect: config.inspect } : {}),
    });
    this.done = new Promise<PeerOutput>((resolve) => {
      this.actor.subscribe({
        next: (snapshot) => {
          const state = stateName(snapshot.value);
          if (state !== this.lastState) {
            const wasHandshaking = this.lastState === 'handshaking';
            this.lastState = state;
            this.emit('state', state);
            if (wasHandshaking && state === 'active') {
              this.safely('onVerAck', () => this.config.listeners?.onVerAck?.(this));
              if (this.wantsAddrV2)
                this.safely('onSendAddrV2', () => this.config.listeners?.onSendAddrV2?.(this));
              this.emit('handshake');
            }
          }
        },
        complete: () =>
          resolve(this.finish(this.actor.getSnapshot().output ?? { reason: 'local-request', detail: '' })),
        error: (error) => {
          // An errored actor keeps its children's scheduled timers (pinger, idle): release them all.
          cancelScheduledEvents(this.actor);
          this.actor.stop();
          this.config.logger?.log('error', `${this} crashed: ${(error as Error)?.stack ?? error}`);
          resolve(
            this.finish({ reason: 'internal-error', detail: String((error as Error)?.message ?? error) }),
          );
        },
      });
    });
    this.actor.start();
  }

  toString(): string {
    return `${this.address} (${this.inbound ? 'inbound' : 'outbound'})`;
  }

  /** The statechart's current top-level state: connecting, handshaking, active, disconnecting, … */
  get state(): string {
    return stateName(this.actor.getSnapshot().value);
  }

  get connected(): boolean {
    const snapshot = this.actor.getSnapshot();
    return (
      snapshot.status === 'active' && snapshot.matches('open') && !snapshot.matches({ open: 'connecting' })
    );
  }

  get versionKnown(): boolean {
    return this.actor.getSnapshot().context.remote !== undefined;
  }

  get verAckReceived(): boolean {
    return this.actor.getSnapshot().context.verackReceived;
  }

  /** Negotiated protocol version (our newest until the remote version arrives). */
  get protocolVersion(): number {
    return this.actor.getSnapshot().context.protocolVersion;
  }

  get remoteVersion(): VersionMessage | undefined {
    return this.actor.getSnapshot().context.remote?.version;
  }

  /** Remote services once known; 0 before (btcd shows our own services there, a quirk we drop). */
  get services(): bigint {
    return this.remoteVersion?.services ?? 0n;
  }

  get userAgent(): string {
    return this.remoteVersion?.userAgent ?? '';
  }

  get wantsAddrV2(): boolean {
    return this.actor.getSnapshot().context.wantsAddrV2;
  }

  get wantsHeaders(): boolean {
    return this.actor.getSnapshot().context.wantsHeaders;
  }

  get isWitnessEnabled(): boolean {
    return (this.services & 0x8n) !== 0n;
  }

  get localAddress(): string | undefined {
    const socket = this.socket as (Duplex & { localAddress?: string; localPort?: number }) | undefined;
    return socket?.localAddress ? `${socket.localAddress}:${socket.localPort}` : undefined;
  }

  get lastPingNonce(): bigint {
    return this.actor.getSnapshot().context.lastPingNonce;
  }

  get lastPingMicros(): number {
    return this.actor.getSnapshot().context.lastPingMicros;
  }

  /** Raises the last known block height; lower values are ignored (monotonic). */
  updateLastBlockHeight(height: number): void {
    this.stats.updateLastBlock(height);
  }

  statsSnapshot(): StatsSnapshot {
    const context = this.actor.getSnapshot().context;
    return this.stats.snapshot({
      id: this.id,
      address: this.address,
      inbound: this.inbound,
      state: this.state,
      remote: context.remote,
      lastPingNonce: context.lastPingNonce,
      lastPingTimeMs: context.lastPingTimeMs,
      lastPingMicros: context.lastPingMicros,
    });
  }

  on<E extends keyof PeerEvents>(event: E, handler: PeerEvents[E]): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as never);
    return () => set.delete(handler as never);
  }

  /**
   * Queues a message. The promise settles exactly once: 'sent' (handed to the socket), 'failed'
   * (could not be encoded, e.g. not allowed at the negotiated version; the peer then disconnects,
   * as btcd does) or 'dropped' (queue overflow, a failed write, disconnect, or the peer is gone).
   */
  queueMessage(message: Message | DecredWireMessage): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const entry: QueueEntry = {
        // The codec picks the family from the network; the statechart only reads `command`.
        message: message as Message,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          this.pending.delete(entry);
          resolve(outcome);
        },
      };
      if (this.result) {
        entry.settle('dropped');
        return;
      }
      this.pending.add(entry);
      // Messages queued in one turn go to the statechart as one event (one event per message
      // was the cost of a busy peer); any other call flushes them first, so order is kept.
      this.outbox.push(entry);
      if (this.outbox.length === 1) queueMicrotask(this.flushOutbox);
    });
  }

  private outbox: QueueEntry[] = [];

  private readonly flushOutbox = (): void => {
    if (this.outbox.length === 0) return;
    const entries = this.outbox;
    this.outbox = [];
    if (this.result) for (const entry of entries) entry.settle('dropped');
    else this.actor.send({ type: 'peer.queue', entries });
  };

  /** Announces inventory through the trickle (blocks immediately); known or pre-handshake items are dropped. */
  queueInventory(inventory: InvVector): void {
    if (this.knownInventory.has(inventory) || this.result) return;
    this.flushOutbox();
    this.actor.send({ type: 'peer.queueInventory', inventory });
  }

  /**
   * dcrd's QueueInventoryImmediate: announces at once in a one-entry inv (no trickle) and marks
   * the item known; dropped when already known or before the handshake completes.
   */
  queueInventoryImmediate(inventory: InvVector): void {
    if (this.knownInventory.has(inventory) || this.result) return;
    this.flushOutbox();
    this.actor.send({ type: 'peer.queueInventoryImmediate', inventory });
  }

  addKnownInventory(inventory: InvVector): void {
    this.knownInventory.add(inventory);
  }

  isKnownInventory(inventory: InvVector): boolean {
    return this.knownInventory.has(inventory);
  }

  /** Sends up to 1000 addresses (a uniform random subset of longer lists); returns those sent. */
  pushAddrMsg(addresses: readonly NetAddress[]): NetAddress[] {
    if (addresses.length === 0) return [];
    const chosen = randomSubset(addresses, MAX_ADDR_PER_MESSAGE);
    void this.queueMessage({ command: 'addr', addresses: chosen });
    return chosen;
  }

  /** BIP155 addresses; btcd's shuffle duplicates entries, this one does not. */
  pushAddrV2Msg(addresses: readonly AddrV2Entry[]): AddrV2Entry[] {
    if (addresses.length === 0) return [];
    const chosen = randomSubset(addresses, MAX_ADDR_PER_MESSAGE);
    void this.queueMessage({ command: 'addrv2', addresses: chosen });
    return chosen;
  }

  /** getblocks, unless it repeats the previous request exactly (begin and stop). */
  pushGetBlocksMsg(locator: readonly Hash[], hashStop: Hash): Promise<SendOutcome> | undefined {
    return this.pushLocatorRequest('getblocks', locator, hashStop);
  }

  pushGetHeadersMsg(locator: readonly Hash[], hashStop: Hash): Promise<SendOutcome> | undefined {
    return this.pushLocatorRequest('getheaders', locator, hashStop);
  }

  private pushLocatorRequest(
    command: 'getblocks' | 'getheaders',
    locator: readonly Hash[],
    hashStop: Hash,
  ): Promise<SendOutcome> | undefined {
    if (locator.length > MAX_LOCATOR_HASHES) {
      throw new RangeError(`block locator of ${locator.length} hashes exceeds ${MAX_LOCATOR_HASHES}`);
    }
    const begin = locator[0];
    const previous = command === 'getblocks' ? this.lastGetBlocks : this.lastGetHeaders;
    if (begin && previous && sameHashes(begin, previous.begin) && sameHashes(hashStop, previous.stop))
      return undefined;
    const protocolVersion = command === 'getblocks' ? this.config.network.protocolVersion : 0;
    const sent = this.queueMessage({ command, protocolVersion, locator: locator.slice(), hashStop });
    const record = begin ? { begin, stop: hashStop } : undefined;
    if (command === 'getblocks') this.lastGetBlocks = record;
    else this.lastGetHeaders = record;
    return sent;
  }

  /**
   * Sends a BIP61 reject (skipped below 70002 once the version is known). The hash goes on the wire
   * only for 'block' and 'tx' (zero hash when missing). Resolves when written or dropped.
   */
  pushRejectMsg(
    command: string,
    code: number,
    reason: string,
    hash?: Hash,
  ): Promise<SendOutcome> | undefined {
    if (this.versionKnown && this.protocolVersion < 70002) return undefined;
    const message: RejectMessage = { command: 'reject', message: command, code, reason };
    if (command === 'block' || command === 'tx') message.hash = hash ?? new Uint8Array(32);
    return this.queueMessage(message);
  }

  /** Idempotent. The socket is closed once queued rejects (if any) are written. */
  disconnect(reason: DisconnectReason = 'local-request', detail?: string): void {
    // Messages already read in the same burst are not handed to listeners any more.
    this.disconnectRequested = true;
    this.flushOutbox();
    this.actor.send({ type: 'peer.disconnect', reason, ...(detail ? { detail } : {}) });
  }

  /** Resolves after teardown is complete: socket closed, timers and child actors gone. */
  waitForDisconnect(): Promise<PeerOutput> {
    return this.done;
  }

  private finish(output: PeerOutput): PeerOutput {
    if (this.result) return this.result;
    this.result = output;
    for (const entry of [...this.pending]) entry.settle('dropped');
    // A finished Peer the application holds keeps nothing of its transport.
    this.writeFrames = () => false;
    this.socket?.destroy();
    this.config.logger?.log('debug', `${this} disconnected: ${output.reason} (${output.detail})`);
    this.emit('disconnected', output);
    return output;
  }

  private buildVersion(
    nonce: bigint,
    remote: VersionMessage | undefined,
    remoteHost: string | undefined,
    remotePort: number | undefined,
  ): VersionMessage {
    const services = this.config.services ?? 0n;
    const lastBlock = this.config.newestBlock ? this.config.newestBlock() : 0;
    const remoteServices = remote?.services ?? 0n;
    let addrYou = netAddressOf(remoteHost, remotePort, remoteServices);
    if (this.config.proxy !== undefined && this.config.proxy !== '') {
      let proxyHost: string | undefined;
      try {
        proxyHost = splitHostPort(this.config.proxy).host;
      } catch {
        proxyHost = undefined;
      }
      // Do not leak the address a proxy (Tor) connected us to.
      if (proxyHost === undefined || proxyHost === remoteHost)
        addrYou = netAddressOf(undefined, 0, remoteServices);
    }
    return {
      command: 'version',
      protocolVersion: this.config.protocolVersion ?? this.config.network.protocolVersion,
      services,
      timestamp: BigInt(Math.floor(this.clock.now() / 1000)),
      addrYou,
      addrMe: { services, ip: new Uint8Array(16), port: 0 },
      nonce,
      userAgent: composeUserAgent(this.config),
      lastBlock,
      relay: !this.config.disableRelayTx,
    };
  }

  private onRemoteVersion(version: VersionMessage): RejectMessage | undefined {
    this.stats.versionReceived(version, this.clock.now());
    let veto: RejectMessage | undefined;
    this.safely('onVersion', () => {
      veto = this.config.listeners?.onVersion?.(this, version) ?? undefined;
    });
    return veto;
  }

  private dispatch(message: Message): void {
    if (this.disconnectRequested) return;
    const started = this.clock.now();
    const listeners = this.config.listeners;
    if (listeners) {
      const name = LISTENER_BY_COMMAND.get(message.command);
      const listener = name
        ? (listeners[name] as ((peer: Peer, message: Message) => void) | undefined)
        : undefined;
      if (listener) this.safely(name!, () => listener(this, message));
      if (listeners.onMessage) this.safely('onMessage', () => listeners.onMessage!(this, message));
    }
    this.emit('message', message);
    this.handlerTimeMs += this.clock.now() - started;
  }

  private emit<E extends keyof PeerEvents>(event: E, ...args: Parameters<PeerEvents[E]>): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of set)
      this.safely(`on('${event}')`, () => (handler as (...a: unknown[]) => void)(...args));
  }

  /** A listener that throws is logged and contained: it never reaches the actor or the process. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.config.logger?.log('warn', `${this} listener ${what} threw: ${(error as Error)?.stack ?? error}`);
    }
  }

  private logMessage(direction: string, message: Message, bytes: number): void {
    this.config.logger?.log('debug', `${this} ${direction} ${message.command} (${bytes} bytes)`);
  }
}

/** Each peer has its own actor system, so every event scheduled in it belongs to this peer. */
function cancelScheduledEvents(actor: PeerActor): void {
  const system = actor.system as unknown as {
    scheduler: { cancel(source: unknown, id: string): void };
    getSnapshot(): { _scheduledEvents: Record<string, { source: unknown; id: string }> };
  };
  for (const scheduled of Object.values(system.getSnapshot()._scheduledEvents)) {
    system.scheduler.cancel(scheduled.source, scheduled.id);
  }
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [top, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['unknown', undefined];
  return top === 'open' ? stateName(inner) : top;
}

function readCommandOf(frame: Uint8Array): string {
  let end = 4;
  while (end < 16 && frame[end] !== 0) end++;
  let command = '';
  for (let i = 4; i < end; i++) command += String.fromCharCode(frame[i]!);
  return command;
}
