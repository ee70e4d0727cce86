import { BitcoinProtocol } from '../wire/networks.js';

/** A protocol version no peer reaches: the rule it gates never applies. */
export const NEVER = Number.MAX_SAFE_INTEGER;

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
    /** Shortest trickle delay; each delay is this plus a uniform draw in [0, trickleJitterMs). */
    readonly trickleIntervalMs: number;
    /** 0 = a fixed trickle interval (btcd); dcrd draws each delay from [100 ms, 500 ms). */
    readonly trickleJitterMs: number;
    /** How long a closing peer may spend flushing queued messages before the socket is cut. */
    readonly lingerMs: number;
    /** 0 = no write deadline (btcd); dcrd: 20 s per message … */
    readonly writeDeadlineMs: number;
    /** … plus this much per full 256 KiB of payload. */
    readonly writeDeadlinePer256KiBMs: number;
    /** 0 = known inventory never expires (btcd); dcrd forgets it after 15 minutes. */
    readonly knownInventoryTtlMs: number;
  };
  readonly limits: {
    readonly maxInvPerTrickle: number;
    readonly knownInventory: number;
    readonly sentNonces: number;
    readonly maxQueuedBytes: number;
    readonly maxAddrPerMessage: number;
    readonly maxLocatorHashes: number;
    /** 0 = unlimited; dcrd disconnects beyond 75 000 requested-but-unanswered inventory vectors. */
    readonly maxOutstandingGetData: number;
    /** Legacy dcrd peers (below strictVerackMinVersion) may send this many messages before verack. */
    readonly maxMessagesBeforeVerack: number;
  };
  readonly rules: {
    /** btcd sends BIP61 rejects (from 70002); dcrd never does. */
    readonly sendsRejects: boolean;
    /** btcd ignores unknown commands after the handshake; dcrd disconnects. */
    readonly ignoresUnknownCommands: boolean;
    /** btcd sends block inventory immediately (bypassing the trickle). */
    readonly blockInventoryBypassesTrickle: boolean;
    /** btcd answers pings and records pongs only above BIP31 (60000); dcrd at every version. */
    readonly pongMinVersion: number;
    readonly rejectMinVersion: number;
    readonly sendAddrV2MinVersion: number;
    /**
     * 'btcd': both sides send verack before reading the remote's. 'dcrd' (peer v4): the outbound
     * side reads the remote's verack before sending its own.
     */
    readonly handshakeOrder: 'btcd' | 'dcrd';
    /** dcrd: an inbound peer advertises the negotiated version, not its newest. */
    readonly inboundAdvertisesNegotiated: boolean;
    /** dcrd: from this negotiated version on, the message after the versions must be verack. */
    readonly strictVerackMinVersion: number;
    /**
     * 'command': btcd's response groups keyed by command. 'inventory': dcrd v4's deadline per
     * requested inventory vector, cleared only by its own answer.
     */
    readonly stallTracking: 'command' | 'inventory';
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
    trickleJitterMs: 0,
    lingerMs: 5_000,
    writeDeadlineMs: 0,
    writeDeadlinePer256KiBMs: 0,
    knownInventoryTtlMs: 0,
  }),
  limits: Object.freeze({
    maxInvPerTrickle: 1000,
    knownInventory: 1000,
    sentNonces: 50,
    maxQueuedBytes: 40 * 1024 * 1024,
    maxAddrPerMessage: 1000,
    maxLocatorHashes: 500,
    maxOutstandingGetData: 0,
    maxMessagesBeforeVerack: 0,
  }),
  rules: Object.freeze({
    sendsRejects: true,
    ignoresUnknownCommands: true,
    blockInventoryBypassesTrickle: true,
    pongMinVersion: BitcoinProtocol.bip31 + 1,
    rejectMinVersion: BitcoinProtocol.reject,
    sendAddrV2MinVersion: BitcoinProtocol.addrV2,
    handshakeOrder: 'btcd',
    inboundAdvertisesNegotiated: false,
    strictVerackMinVersion: NEVER,
    stallTracking: 'command',
  }),
});
