import { DecredProtocol } from '../../wire/decred/networks.js';
import { NEVER, type PeerProfile } from '../profile.js';

/** dcrd peer v4 (master), spec §1.6, §1.7 and §2: what a Peer on a Decred network does differently. */
export const decredProfile: PeerProfile = Object.freeze({
  family: 'decred',
  protocolVersion: DecredProtocol.latest,
  minProtocolVersion: DecredProtocol.removeReject,
  // Strict printable ASCII, as dcrd's wire requires of user agents.
  defaultUserAgent: '/peerchart:0.1.0/',
  timeouts: Object.freeze({
    dialMs: 30_000,
    handshakeMs: 30_000,
    idleMs: 120_000,
    // Shorter than and relatively prime to the idle timeout (dcrd#2796).
    pingIntervalMs: 107_000,
    pongMs: 0,
    stallTickMs: 15_000,
    stallResponseMs: 30_000,
    // dcrd does not track getheaders; the value only matters in 'command' tracking.
    stallHeadersResponseMs: 30_000,
    trickleIntervalMs: 100,
    trickleJitterMs: 400,
    lingerMs: 5_000,
    writeDeadlineMs: 20_000,
    writeDeadlinePer256KiBMs: 1_000,
    knownInventoryTtlMs: 15 * 60_000,
  }),
  limits: Object.freeze({
    maxInvPerTrickle: 1000,
    knownInventory: 1000,
    sentNonces: 50,
    maxQueuedBytes: 40 * 1024 * 1024,
    maxAddrPerMessage: 1000,
    maxLocatorHashes: 500,
    // 1.5 × MaxInvPerMsg.
    maxOutstandingGetData: 75_000,
    maxMessagesBeforeVerack: 2,
  }),
  rules: Object.freeze({
    sendsRejects: false,
    ignoresUnknownCommands: false,
    blockInventoryBypassesTrickle: false,
    pongMinVersion: 0,
    rejectMinVersion: NEVER,
    sendAddrV2MinVersion: NEVER,
    handshakeOrder: 'dcrd',
    inboundAdvertisesNegotiated: true,
    strictVerackMinVersion: DecredProtocol.addrV2,
    stallTracking: 'inventory',
  }),
});
