import type { RemoteVersion } from '../../machines/types.js';
import type { VersionMessage } from '../wire/bitcoin/types.js';
import type { PeerClock } from './config.js';

/** btcd's StatsSnap, plus the state and the negotiated version. Times are ms since the epoch (0 = never). */
export interface StatsSnapshot {
  id: number;
  address: string;
  state: string;
  inbound: boolean;
  services: bigint;
  lastSend: number;
  lastRecv: number;
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  connTime: number;
  timeOffsetSeconds: number;
  /** The remote's advertised protocol version (btcd's StatsSnap.Version). */
  version: number;
  negotiatedVersion: number;
  userAgent: string;
  startingHeight: number;
  lastBlock: number;
  lastPingNonce: bigint;
  lastPingTime: number;
  lastPingMicros: number;
}

/** Counters the transport updates on every read and write; cheap on the hot path. */
export class PeerStats {
  bytesSent = 0;
  bytesReceived = 0;
  messagesSent = 0;
  messagesReceived = 0;
  lastSend = 0;
  lastRecv = 0;
  /** Like lastRecv, counting malformed reads too (the idle timer's reference). */
  lastRead = 0;
  connTime = 0;
  startingHeight = 0;
  lastBlock = 0;
  lastPingWritten = 0;

  constructor(
    private readonly clock: PeerClock,
    readonly localServices: bigint,
  ) {}

  connected(now: number): void {
    this.connTime = now;
  }

  recordRead(bytes: number, ok: boolean): void {
    this.bytesReceived += bytes;
    this.lastRead = this.clock.now();
    if (ok) {
      this.messagesReceived++;
      this.lastRecv = this.lastRead;
    }
  }

  recordWrite(bytes: number): void {
    this.bytesSent += bytes;
    this.messagesSent++;
    this.lastSend = this.clock.now();
  }

  pingWritten(now: number): void {
    this.lastPingWritten = now;
  }

  versionReceived(version: VersionMessage, _now: number): void {
    this.startingHeight = version.lastBlock ?? 0;
    this.lastBlock = version.lastBlock ?? 0;
  }

  /** Monotonic: lower heights are ignored. */
  updateLastBlock(height: number): void {
    if (height > this.lastBlock) this.lastBlock = height;
  }

  snapshot(view: {
    id: number;
    address: string;
    inbound: boolean;
    state: string;
    remote: RemoteVersion | undefined;
    lastPingNonce: bigint;
    lastPingTimeMs: number;
    lastPingMicros: number;
  }): StatsSnapshot {
    return {
      id: view.id,
      address: view.address,
      state: view.state,
      inbound: view.inbound,
      services: view.remote?.version.services ?? 0n,
      lastSend: this.lastSend,
      lastRecv: this.lastRecv,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      connTime: this.connTime,
      timeOffsetSeconds: view.remote?.timeOffsetSeconds ?? 0,
      version: view.remote?.version.protocolVersion ?? 0,
      negotiatedVersion: view.remote?.negotiatedVersion ?? 0,
      userAgent: view.remote?.version.userAgent ?? '',
      startingHeight: this.startingHeight,
      lastBlock: this.lastBlock,
      lastPingNonce: view.lastPingNonce,
      lastPingTime: view.lastPingTimeMs,
      lastPingMicros: view.lastPingMicros,
    };
  }
}
