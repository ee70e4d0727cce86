import { BitcoinProtocol } from '../wire/networks.js';

/**
 * Behaviour that differs between btcd and dcrd, as data. The peer statechart reads these through
 * named guards and delays, so the chart shows where the profiles diverge.
 */
export interface PeerProfile {
  readonly family: 'bitcoin' | 'decred';
  /** Newest protocol version we advertise and negotiate with. */
  readonly protocolVersion: number;
  /** Remote versions below this are refused. */
  readonly minProtocolVersion: number;
  readonly defaultUserAgent: string;
  readonly timeouts: {
    readonly dialMs: number;
    readonly handshakeMs: number;
    readonly idleMs: number;
    readonly pingIntervalMs: number;
    /** 0 = no pong timeout (btcd and dcrd have none). */
    readonly pongMs: number;
    readonly stallTickMs: number;
    readonly stallResponseMs: number;
    readonly stallHeadersResponseMs: number;
    readonly trickleIntervalMs: number;
    /** How long a closing peer may spend flushing queued messages before the socket is cut. */
    readonly lingerMs: number;
  };
  readonly limits: {
    readonly maxInvPerTrickle: number;
    readonly knownInventory: number;
    readonly sentNonces: number;
    readonly maxQueuedBytes: number;
    readonly maxAddrPerMessage: number;
    readonly maxLocatorHashes: number;
  };
  readonly rules: {
    /** btcd sends BIP61 rejects (from 70002); dcrd never does. */
    readonly sendsRejects: boolean;
    /** btcd ignores unknown commands after the handshake; dcrd disconnects. */
    readonly ignoresUnknownCommands: boolean;
    /** btcd sends block inventory immediately (bypassing the trickle). */
    readonly blockInventoryBypassesTrickle: boolean;
    /** btcd answers pings and records pongs only above BIP31 (60000). */
    readonly pongMinVersion: number;
    readonly rejectMinVersion: number;
    readonly sendAddrV2MinVersion: number;
  };
}

export const bitcoinProfile: PeerProfile = Object.freeze({
  family: 'bitcoin',
  protocolVersion: BitcoinProtocol.latest,
  minProtocolVersion: BitcoinProtocol.multipleAddress,
  defaultUserAgent: '/peerchart:0.1.0/',
  timeouts: Object.freeze({
    dialMs: 30_000,
    handshakeMs: 30_000,
    idleMs: 5 * 60_000,
    pingIntervalMs: 2 * 60_000,
    pongMs: 0,
    stallTickMs: 15_000,
    stallResponseMs: 30_000,
    stallHeadersResponseMs: 90_000,
    trickleIntervalMs: 10_000,
    lingerMs: 5_000,
  }),
  limits: Object.freeze({
    maxInvPerTrickle: 1000,
    knownInventory: 1000,
    sentNonces: 50,
    maxQueuedBytes: 40 * 1024 * 1024,
    maxAddrPerMessage: 1000,
    maxLocatorHashes: 500,
  }),
  rules: Object.freeze({
    sendsRejects: true,
    ignoresUnknownCommands: true,
    blockInventoryBypassesTrickle: true,
    pongMinVersion: BitcoinProtocol.bip31 + 1,
    rejectMinVersion: BitcoinProtocol.reject,
    sendAddrV2MinVersion: BitcoinProtocol.addrV2,
  }),
});
