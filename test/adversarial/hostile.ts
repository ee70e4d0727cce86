/**
 * Shared helpers of the hostile-peer suite.
 *
 * - Raw bytes: our own little encoder (integers, varints, var-strings, frames with a correct or a
 *   chosen checksum, version payloads), so that a bug in the codec under test cannot hide an attack.
 * - `Attacker`: a real TCP socket (net.connect) that writes exactly those bytes and parses what
 *   comes back with its own frame reader.
 * - `Listener`: a real PeerSupervisor listening on 127.0.0.1 with a SimulatedClock, recording every
 *   peer it adds, handshakes, removes (with the reason), refuses or sees crash.
 * - `GoodPeer`: a second PeerSupervisor whose Peer dials the listener and must complete a handshake.
 * - Memory (with a forced GC), handle accounting and uncaught-exception capture.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SimulatedClock } from 'xstate';
import type { PeerOutput } from '../../machines/peer.machine.js';
import type { PeerConfig } from '../../src/peer/config.js';
import type { Peer } from '../../src/peer/peer.js';
import { PeerSupervisor } from '../../src/supervisor/supervisor.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

/**
 * testnet3, not regtest: btcd tolerates malformed input from 127.0.0.1 on regtest only (spec R28a),
 * and every attack here comes from 127.0.0.1.
 */
export const network = bitcoinNetworks.testnet3;
export const MAINNET_MAGIC = bitcoinNetworks.mainnet.magic;

/** The bitcoin profile's timers (spec §2.0), in simulated milliseconds. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_MS = 5 * 60_000;

export const MiB = 1024 * 1024;

/** What the simulated clock reads when a listener starts (any fixed instant will do). */
const START_MS = 1_700_000_000_000;

// ---------------------------------------------------------------------------------------------
// Raw bytes

const utf8 = new TextEncoder();

export function concat(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function fixed(size: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(size);
  write(new DataView(out.buffer));
  return out;
}

export const u8 = (value: number): Uint8Array => Uint8Array.of(value & 0xff);
export const u16le = (value: number) => fixed(2, (view) => view.setUint16(0, value, true));
export const u16be = (value: number) => fixed(2, (view) => view.setUint16(0, value, false));
export const u32le = (value: number) => fixed(4, (view) => view.setUint32(0, value >>> 0, true));
export const i32le = (value: number) => fixed(4, (view) => view.setInt32(0, value, true));
export const u64le = (value: bigint) =>
  fixed(8, (view) => view.setBigUint64(0, BigInt.asUintN(64, value), true));
export const i64le = (value: bigint) =>
  fixed(8, (view) => view.setBigInt64(0, BigInt.asIntN(64, value), true));

/** CompactSize. `width` forces an encoding, which makes a non-canonical varint when wider than needed. */
export function varint(value: number, width?: 1 | 3 | 5 | 9): Uint8Array {
  const w = width ?? (value < 0xfd ? 1 : value <= 0xffff ? 3 : value <= 0xffffffff ? 5 : 9);
  switch (w) {
    case 1:
      return u8(value);
    case 3:
      return concat(u8(0xfd), u16le(value));
    case 5:
      return concat(u8(0xfe), u32le(value));
    case 9:
      return concat(u8(0xff), u64le(BigInt(value)));
  }
}

export const varBytes = (bytes: Uint8Array): Uint8Array => concat(varint(bytes.length), bytes);

/** A distinct 32-byte hash for each seed. */
export function hash32(seed: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, seed, true);
  out[31] = 0xaa;
  return out;
}

/** Bitcoin's frame checksum: the first four bytes of double SHA-256, little-endian. */
export function checksumOf(payload: Uint8Array): number {
  const once = createHash('sha256').update(payload).digest();
  return createHash('sha256').update(once).digest().readUInt32LE(0);
}

/** The 12-byte command field: a string (NUL padded) or the exact raw bytes. */
export function commandField(command: string | Uint8Array): Uint8Array {
  const bytes = typeof command === 'string' ? utf8.encode(command) : command;
  if (bytes.length > 12) throw new RangeError(`command of ${bytes.length} bytes does not fit 12`);
  const field = new Uint8Array(12);
  field.set(bytes);
  return field;
}

export interface FrameOptions {
  /** Network magic (default: the listener's, testnet3). */
  magic?: number;
  /** Length field (default: the payload's true length). */
  length?: number;
  /** Checksum field (default: the payload's true checksum). */
  checksum?: number;
}

/** A 24-byte header followed by `payload`; every header field can be made wrong. */
export function frame(
  command: string | Uint8Array,
  payload: Uint8Array = new Uint8Array(0),
  options: FrameOptions = {},
): Uint8Array {
  return concat(
    u32le(options.magic ?? network.magic),
    commandField(command),
    u32le(options.length ?? payload.length),
    u32le(options.checksum ?? checksumOf(payload)),
    payload,
  );
}

/** A legacy network address without timestamp (26 bytes): services, IPv4-mapped IP, big-endian port. */
export function netAddress(services = 0n, ipv4: readonly number[] = [0, 0, 0, 0], port = 0): Uint8Array {
  const ip = new Uint8Array(16);
  if (ipv4.some((part) => part !== 0)) ip.set([0xff, 0xff, ...ipv4], 10);
  return concat(u64le(services), ip, u16be(port));
}

export interface VersionFields {
  protocolVersion?: number;
  services?: bigint;
  timestamp?: bigint;
  nonce?: bigint;
  /** A string, or raw bytes for the var-string's content. */
  userAgent?: string | Uint8Array;
  lastBlock?: number;
  /** The relay byte; `null` leaves it out (pre-70001 peers). */
  relay?: number | null;
  /** Appended after the relay byte. */
  trailing?: Uint8Array;
}

export function randomNonce(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

/** A version payload as a modern node sends it, each field overridable. */
export function versionPayload(fields: VersionFields = {}): Uint8Array {
  const agent = fields.userAgent ?? '/hostile:0.1/';
  const agentBytes = typeof agent === 'string' ? utf8.encode(agent) : agent;
  return concat(
    i32le(fields.protocolVersion ?? 70016),
    u64le(fields.services ?? 1n),
    i64le(fields.timestamp ?? BigInt(Math.floor(START_MS / 1000))),
    netAddress(0n, [127, 0, 0, 1], network.defaultPort),
    netAddress(fields.services ?? 1n),
    u64le(fields.nonce ?? randomNonce()),
    varBytes(agentBytes),
    i32le(fields.lastBlock ?? 100),
    fields.relay === null ? new Uint8Array(0) : u8(fields.relay ?? 1),
    fields.trailing ?? new Uint8Array(0),
  );
}

export const versionFrame = (fields: VersionFields = {}): Uint8Array =>
  frame('version', versionPayload(fields));
export const verackFrame = (): Uint8Array => frame('verack');
export const pingFrame = (nonce: bigint): Uint8Array => frame('ping', u64le(nonce));

/** An inventory list (inv, getdata, notfound payload): `declared` in the count, `count` vectors present. */
export function inventoryPayload(count: number, declared = count, type = 1): Uint8Array {
  const out = new Uint8Array(varint(declared).length + count * 36);
  out.set(varint(declared));
  let offset = varint(declared).length;
  for (let i = 0; i < count; i++) {
    out.set(u32le(type), offset);
    out.set(hash32(i), offset + 4);
    offset += 36;
  }
  return out;
}

/** The remote's version nonce (offset 72 of a version payload). */
export function nonceOfVersion(payload: Uint8Array): bigint {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigUint64(72, true);
}

// ---------------------------------------------------------------------------------------------
// Reading what the listener sends

export interface ReceivedFrame {
  command: string;
  payload: Uint8Array;
}

/** Splits a byte stream into frames (checksums are not our concern on this side). */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): ReceivedFrame[] {
    this.buffer = this.buffer.length === 0 ? new Uint8Array(chunk) : concat(this.buffer, chunk);
    const frames: ReceivedFrame[] = [];
    let offset = 0;
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    while (this.buffer.length - offset >= 24) {
      const length = view.getUint32(offset + 16, true);
      if (this.buffer.length - offset < 24 + length) break;
      let end = offset + 4;
      while (end < offset + 16 && this.buffer[end] !== 0) end++;
      const command = String.fromCharCode(...this.buffer.subarray(offset + 4, end));
      frames.push({ command, payload: this.buffer.slice(offset + 24, offset + 24 + length) });
      offset += 24 + length;
    }
    this.buffer = this.buffer.slice(offset);
    return frames;
  }
}

export interface RejectFields {
  message: string;
  code: number;
  reason: string;
}

export function parseReject(payload: Uint8Array): RejectFields {
  let offset = 0;
  const text = () => {
    const length = payload[offset++]!; // every reject reason here is shorter than 0xfd
    const value = new TextDecoder().decode(payload.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  const message = text();
  const code = payload[offset++]!;
  return { message, code, reason: text() };
}

// ---------------------------------------------------------------------------------------------
// Waiting (real time, for I/O; protocol time only moves through the SimulatedClock)

export async function waitUntil(condition: () => boolean, what: string, budgetMs = 10_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${budgetMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets pending socket and actor work run: a few turns of the event loop. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets loopback I/O happen for a short real-time while. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The attacker

export class Attacker {
  readonly received: ReceivedFrame[] = [];
  readonly counts = new Map<string, number>();
  bytesReceived = 0;
  closed = false;
  error: Error | undefined;
  /** When false, frames are only counted (floods). */
  keepFrames = true;
  private readonly reader = new FrameReader();
  /** The listener-side name of this connection, fixed at connect time. */
  readonly address: string;

  private constructor(readonly socket: Socket) {
    this.address = `127.0.0.1:${socket.localPort}`;
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      for (const received of this.reader.push(chunk)) {
        this.counts.set(received.command, (this.counts.get(received.command) ?? 0) + 1);
        if (this.keepFrames) this.received.push(received);
      }
    });
    socket.on('error', (error) => {
      this.error = error;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async connect(port: number): Promise<Attacker> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new Attacker(socket);
  }

  /** Writes the bytes; resolves once they are handed to the kernel. */
  send(...chunks: Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (chunks.length === 0) return resolve();
      for (let i = 0; i < chunks.length; i++) {
        const last = i === chunks.length - 1;
        this.socket.write(chunks[i]!, last ? (error) => (error ? reject(error) : resolve()) : undefined);
      }
    });
  }

  /** Writes with backpressure: waits for 'drain' whenever the socket asks to. */
  async stream(chunk: Uint8Array, times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      if (this.closed) return;
      if (!this.socket.write(chunk)) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  commands(): string[] {
    return this.received.map((received) => received.command);
  }

  count(command: string): number {
    return this.counts.get(command) ?? 0;
  }

  async waitFor(command: string, budgetMs = 10_000): Promise<ReceivedFrame> {
    let found: ReceivedFrame | undefined;
    await waitUntil(
      () => {
        found = this.received.find((received) => received.command === command);
        return found !== undefined || this.closed;
      },
      `'${command}' from the listener`,
      budgetMs,
    );
    if (!found) throw new Error(`connection closed before '${command}' arrived (got ${this.commands()})`);
    return found;
  }

  async waitClosed(budgetMs = 10_000): Promise<void> {
    await waitUntil(() => this.closed, 'the listener to close the connection', budgetMs);
  }

  /** Version (inbound order: ours first), the listener's version and verack, then our verack. */
  async handshake(fields: VersionFields = {}): Promise<void> {
    await this.send(versionFrame(fields));
    await this.waitFor('verack');
    await this.send(verackFrame());
  }

  /** Stops reading: the kernel buffers fill, then the listener's writes stall. */
  stopReading(): void {
    this.socket.pause();
  }

  /** A TCP reset (RST), not a FIN. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The listener under attack

export interface ListenerOptions {
  peer?: Partial<PeerConfig<Peer>>;
  maxInbound?: number;
}

export class Listener {
  readonly clock = new SimulatedClock();
  readonly supervisor: PeerSupervisor;
  port = 0;
  /** The latest peer for each remote address ("127.0.0.1:port"). */
  readonly byAddress = new Map<string, Peer>();
  /** Every peer's rank in order of arrival: loopback reuses source ports, so an address alone is ambiguous. */
  private readonly arrival = new Map<Peer, number>();
  private arrivals = 0;
  readonly results = new Map<Peer, PeerOutput>();
  readonly handshaken = new Set<Peer>();
  readonly refused: { address: string; reason: string }[] = [];
  readonly crashed: string[] = [];
  readonly warnings: string[] = [];
  private readonly attackers: Attacker[] = [];

  private constructor(options: ListenerOptions) {
    this.clock.set(START_MS);
    this.supervisor = new PeerSupervisor({
      peer: {
        network,
        logger: {
          log: (level, message) => {
            if (level === 'warn' || level === 'error') this.warnings.push(`${level} ${message}`);
          },
        },
        ...options.peer,
      },
      clock: this.clock,
      maxInbound: options.maxInbound ?? 1000,
    });
    this.supervisor.on('peerAdded', (peer) => {
      this.arrival.set(peer, this.arrivals++);
      this.byAddress.set(peer.address, peer);
    });
    this.supervisor.on('peerHandshake', (peer) => this.handshaken.add(peer));
    this.supervisor.on('peerRemoved', (peer, result) => this.results.set(peer, result));
    this.supervisor.on('refused', (address, reason) => this.refused.push({ address, reason }));
    this.supervisor.on('peerCrashed', (_peer, detail) => this.crashed.push(detail));
  }

  static async start(options: ListenerOptions = {}): Promise<Listener> {
    const listener = new Listener(options);
    listener.port = (await listener.supervisor.listen({ host: '127.0.0.1', port: 0 })).port;
    return listener;
  }

  /** A raw connection, once the listener has made a peer of it. */
  async attack(): Promise<{ attacker: Attacker; peer: Peer }> {
    const since = this.arrivals;
    const attacker = await this.connectRaw();
    const peer = await this.peerFor(attacker.address, since);
    return { attacker, peer };
  }

  /** A raw connection, without waiting for the listener (floods of connections). */
  async connectRaw(): Promise<Attacker> {
    const attacker = await Attacker.connect(this.port);
    this.attackers.push(attacker);
    return attacker;
  }

  /** An attacker that has completed the handshake: its peer on the listener is active. */
  async attackHandshaken(fields: VersionFields = {}): Promise<{ attacker: Attacker; peer: Peer }> {
    const { attacker, peer } = await this.attack();
    await attacker.handshake(fields);
    await waitUntil(() => peer.state === 'active', 'the attacker peer to become active');
    return { attacker, peer };
  }

  /** How many peers the listener has added so far. */
  get arrivalCount(): number {
    return this.arrivals;
  }

  /** The peer for `address` that arrived as the `since`-th peer or later. */
  async peerFor(address: string, since = 0, budgetMs = 10_000): Promise<Peer> {
    const fresh = () => {
      const peer = this.byAddress.get(address);
      return peer && this.arrival.get(peer)! >= since ? peer : undefined;
    };
    await waitUntil(() => fresh() !== undefined, `a peer for ${address}`, budgetMs);
    return fresh()!;
  }

  resultOf(peer: Peer): PeerOutput | undefined {
    return this.results.get(peer);
  }

  /** Waits (real time) for the supervisor's peerRemoved of `peer`. */
  async removal(peer: Peer, budgetMs = 10_000): Promise<PeerOutput> {
    await waitUntil(() => this.results.has(peer), `peerRemoved for ${peer.address}`, budgetMs);
    return this.results.get(peer)!;
  }

  /** Drops the harness's references to removed peers, like an application that keeps none. */
  forgetRemoved(): void {
    for (const [address, peer] of this.byAddress) if (this.results.has(peer)) this.byAddress.delete(address);
    for (const peer of this.results.keys()) this.arrival.delete(peer);
    this.results.clear();
    this.handshaken.clear();
  }

  /** Moves protocol time; timers due fire synchronously inside. */
  advance(ms: number): void {
    this.clock.increment(ms);
  }

  async shutdown(): Promise<void> {
    for (const attacker of this.attackers) attacker.destroy();
    await this.supervisor.shutdown();
  }
}

/**
 * Asserts that `peer` is still in `state` when protocol time reaches `atMs - 1`, and leaves it
 * exactly at `atMs` (simulated ms); returns the supervisor's removal result. With `stepMs`, time
 * moves in steps of that size: SimulatedClock fires each timer at most once per increment and
 * re-arms periodic ones from the end of the increment, so a cadence (pings) needs small steps.
 */
export async function expectDeadline(
  listener: Listener,
  peer: Peer,
  atMs: number,
  state: string,
  stepMs = Number.POSITIVE_INFINITY,
): Promise<PeerOutput> {
  assert.ok(atMs > listener.clock.now(), `deadline ${atMs} is still ahead of ${listener.clock.now()}`);
  while (listener.clock.now() < atMs - 1) {
    listener.advance(Math.min(stepMs, atMs - 1 - listener.clock.now()));
    await settle(2);
  }
  await settle();
  assert.equal(peer.state, state, `still ${state} 1 ms before the deadline`);
  assert.equal(listener.resultOf(peer), undefined, 'not removed before the deadline');
  listener.advance(1);
  assert.notEqual(peer.state, state, `left ${state} at the deadline`);
  return listener.removal(peer);
}

/**
 * Runs `body` against a fresh listener, then checks the invariants every case shares: no uncaught
 * exception, no crashed peer, and after shutdown no peer left.
 */
export async function withListener(
  options: ListenerOptions,
  body: (listener: Listener) => Promise<void>,
): Promise<void> {
  const listener = await Listener.start(options);
  const uncaughtBefore = uncaught.length;
  try {
    await body(listener);
    assert.deepEqual(uncaught.slice(uncaughtBefore).map(String), [], 'no uncaught exception');
    assert.deepEqual(listener.crashed, [], 'no peer crashed');
  } finally {
    await listener.shutdown();
  }
  assert.equal(listener.supervisor.peers().length, 0, "the supervisor's peers() is empty after shutdown");
}

// ---------------------------------------------------------------------------------------------
// The good peer

/** A well-behaved Peer of another PeerSupervisor (its own clock, never advanced). */
export class GoodPeer {
  readonly supervisor = new PeerSupervisor({
    peer: { network },
    clock: new SimulatedClock(),
    maxOutbound: 100,
  });
  handshakes = 0;

  /** Dials `listener`, completes the handshake on both sides, then hangs up cleanly. */
  async handshakeWith(listener: Listener, budgetMs = 15_000): Promise<void> {
    let peer: Peer | undefined;
    const since = listener.arrivalCount;
    const off = this.supervisor.on('peerAdded', (added) => {
      peer = added;
    });
    this.supervisor.connect(`127.0.0.1:${listener.port}`);
    off();
    assert.ok(peer, 'the good peer was created');
    const dialled = peer;
    let ended: PeerOutput | undefined;
    void dialled.waitForDisconnect().then((result) => {
      ended = result;
    });
    await waitUntil(
      () => dialled.state === 'active' || ended !== undefined,
      'the good peer handshake',
      budgetMs,
    );
    assert.equal(ended, undefined, `good peer ended before its handshake: ${ended?.reason} ${ended?.detail}`);
    const remote = await listener.peerFor(dialled.localAddress!, since);
    await waitUntil(
      () => listener.handshaken.has(remote),
      'the listener side of the good handshake',
      budgetMs,
    );
    dialled.disconnect();
    await dialled.waitForDisconnect();
    await listener.removal(remote);
    this.handshakes++;
  }

  async shutdown(): Promise<void> {
    await this.supervisor.shutdown();
    assert.equal(this.supervisor.peers().length, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared expectations

const MALFORMED = 0x01;

/**
 * Sends `bytes` (after the handshake when `handshaken`) and expects a malformed-message disconnect
 * without any protocol time passing: after a MALFORMED reject when handshaken (spec R28c), with
 * nothing at all sent during the handshake (spec R13). A good peer handshakes during and after.
 */
export async function expectMalformed(
  listener: Listener,
  good: GoodPeer,
  bytes: Uint8Array,
  detail: RegExp,
  handshaken: boolean,
): Promise<void> {
  const { attacker, peer } = handshaken ? await listener.attackHandshaken() : await listener.attack();
  await good.handshakeWith(listener);
  const before = attacker.received.length;
  const t0 = listener.clock.now();
  await attacker.send(bytes);
  const result = await listener.removal(peer);
  assert.equal(result.reason, 'malformed-message');
  assert.match(result.detail, detail);
  assert.equal(listener.clock.now(), t0, 'decided at once, no timer involved');
  await attacker.waitClosed();
  const sent = attacker.received.slice(before);
  if (handshaken) {
    assert.deepEqual(
      sent.map((received) => received.command),
      ['reject'],
    );
    const reject = parseReject(sent[0]!.payload);
    assert.equal(reject.message, 'malformed');
    assert.equal(reject.code, MALFORMED);
  } else {
    assert.equal(attacker.bytesReceived, 0, 'nothing is sent during the handshake');
  }
  await good.handshakeWith(listener);
}

const nonceOf = (payload: Uint8Array): bigint =>
  new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigUint64(0, true);

/** The peer is still up and has handled everything before: a ping now gets its pong. */
export async function expectAnswering(attacker: Attacker, nonce: bigint, budgetMs = 10_000): Promise<void> {
  await attacker.send(pingFrame(nonce));
  await waitUntil(
    () =>
      attacker.closed ||
      attacker.received.some(
        (received) => received.command === 'pong' && nonceOf(received.payload) === nonce,
      ),
    `pong ${nonce}`,
    budgetMs,
  );
  assert.equal(attacker.closed, false, 'the connection is still open');
}

// ---------------------------------------------------------------------------------------------
// Memory, handles, uncaught exceptions

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface MemorySample {
  arrayBuffers: number;
  heapUsed: number;
}

/** Memory after full collections (two by default: the second catches what finalizers released). */
export function memory(collections = 2): MemorySample {
  for (let i = 0; i < collections; i++) gc();
  const usage = process.memoryUsage();
  return { arrayBuffers: usage.arrayBuffers, heapUsed: usage.heapUsed };
}

export function growth(before: MemorySample, after: MemorySample): MemorySample {
  return {
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    heapUsed: after.heapUsed - before.heapUsed,
  };
}

/**
 * Records the highest live memory while a flood runs: every 50 ms (whenever the event loop gets
 * a turn between chunks) it collects garbage and samples, so the peak is what is really held, not
 * garbage V8 has not got round to yet.
 */
export class PeakMemory {
  readonly base = memory();
  peak: MemorySample = { ...this.base };
  samples = 0;
  private readonly timer = setInterval(() => this.sample(), 50);

  sample(): void {
    const now = memory();
    this.samples++;
    this.peak = {
      arrayBuffers: Math.max(this.peak.arrayBuffers, now.arrayBuffers),
      heapUsed: Math.max(this.peak.heapUsed, now.heapUsed),
    };
  }

  /** Stops sampling; returns the peak growth over the starting point. */
  stop(): MemorySample {
    clearInterval(this.timer);
    this.sample();
    return growth(this.base, this.peak);
  }
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** Exceptions that reached the top of the event loop: captured, so a case can assert there were none. */
export const uncaught: unknown[] = [];

export function captureUncaught(): void {
  if (!process.hasUncaughtExceptionCaptureCallback())
    process.setUncaughtExceptionCaptureCallback((error) => uncaught.push(error));
}

export function releaseUncaught(): void {
  process.setUncaughtExceptionCaptureCallback(null);
}

/** Active libuv resources by type (sockets, servers, timers, …). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Waits until no resource type is more numerous than in `baseline`; fails with the difference. */
export async function assertNoLeakedHandles(baseline: Map<string, number>, budgetMs = 5_000): Promise<void> {
  const excess = () => {
    const extra: string[] = [];
    for (const [type, count] of activeResources()) {
      if (count > (baseline.get(type) ?? 0)) extra.push(`${type} ×${count - (baseline.get(type) ?? 0)}`);
    }
    return extra;
  };
  const deadline = Date.now() + budgetMs;
  while (excess().length > 0 && Date.now() < deadline) await pause(20);
  assert.deepEqual(excess(), [], 'no handles beyond the baseline');
}

/**
 * What every adversarial file shares, registered in the calling `describe`: uncaught exceptions
 * captured while its cases run, a good peer that checks each listener still serves others, and the
 * closing check that the file left no handle, no peer and no uncaught exception behind.
 */
export function hostileSuite(): { good: GoodPeer; expectNothingLeft(): Promise<void> } {
  const baseline = activeResources();
  const good = new GoodPeer();
  before(() => captureUncaught());
  after(() => releaseUncaught());
  return {
    good,
    async expectNothingLeft() {
      await good.shutdown();
      assert.deepEqual(good.supervisor.peers(), []);
      assert.deepEqual(uncaught.map(String), []);
      await assertNoLeakedHandles(baseline);
    },
  };
}
