import type { AnyActorRef, InspectionEvent, Observer } from 'xstate';
import type { PeerSettings } from '../../machines/peer.machine.js';
import type { PeerLogger } from '../log/logger.js';
import { decredProfile } from '../protocol/decred/profile.js';
import { bitcoinProfile, type PeerProfile } from '../protocol/profile.js';
import type { Network } from '../wire/networks.js';
import type { PeerListeners } from './listeners.js';
import type { NonceCache } from './nonce-cache.js';

/** The clock the actor system and the peer's statistics use; XState's SimulatedClock fits. */
export interface PeerClock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

export const systemClock: PeerClock = {
  // Sub-millisecond: ping round trips on loopback are well under 1 ms.
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Peer configuration: btcd's Config in TypeScript idiom. Every timeout is in milliseconds. */
export interface PeerConfig<P = unknown> {
  network: Network;
  /** Services we advertise. */
  services?: bigint;
  /** Newest protocol version we advertise and accept (default: the profile's). */
  protocolVersion?: number;
  userAgentName?: string;
  userAgentVersion?: string;
  userAgentComments?: string[];
  /** Height of our best block for the version message; a throw aborts the handshake. */
  newestBlock?: () => number;
  /** When set, and equal to the remote host (or unparsable), AddrYou is sent as 0.0.0.0:0. */
  proxy?: string;
  /** Ask the remote not to relay transactions (version relay flag false). */
  disableRelayTx?: boolean;
  listeners?: PeerListeners<P>;
  allowSelfConnection?: boolean;
  disableStallHandler?: boolean;
  /** btcd ignores unknown commands after the handshake (default true). */
  ignoreUnknownCommands?: boolean;
  dialTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  pingIntervalMs?: number;
  /** 0 (default) = no pong deadline. */
  pongTimeoutMs?: number;
  trickleIntervalMs?: number;
  stallTickMs?: number;
  stallResponseMs?: number;
  lingerMs?: number;
  /**
   * Disconnect with `queue-overflow` beyond this many queued bytes (default 40 MiB): each queued
   * message counts its frame's bytes, and at least 512 (what a small message's bookkeeping costs),
   * so many small messages are bounded by the memory they take.
   */
  maxQueuedBytes?: number;
  /**
   * Base write deadline; 0 = none. Default: the profile's (none for Bitcoin; 20 s for Decred, plus
   * 1 s per full 256 KiB of payload in the batch).
   */
  writeTimeoutMs?: number;
  /** Process-wide by default (self-connection detection across peers). */
  nonceCache?: NonceCache;
  clock?: PeerClock;
  /** Silent when absent. */
  logger?: PeerLogger;
  /** Handed to XState: receives every inspection event of this peer's actors. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Override the behaviour profile (defaults to the network family's). */
  profile?: PeerProfile;
  /** Optional parent for the actor system (the supervisor). */
  parent?: AnyActorRef;
}

/** The behaviour profile: the caller's, else the one of the network's family (btcd or dcrd). */
export function profileFor<P>(config: PeerConfig<P>): PeerProfile {
  if (config.profile) return config.profile;
  return config.network.family === 'decred' ? decredProfile : bitcoinProfile;
}

const REGTEST_MAGIC = 0xdab5bffa;

export function resolveSettings<P>(config: PeerConfig<P>, remoteHost: string | undefined): PeerSettings {
  const profile = profileFor(config);
  const t = profile.timeouts;
  return {
    protocolVersion: config.protocolVersion ?? profile.protocolVersion,
    minProtocolVersion: profile.minProtocolVersion,
    dialTimeoutMs: config.dialTimeoutMs ?? t.dialMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs ?? t.handshakeMs,
    idleTimeoutMs: config.idleTimeoutMs ?? t.idleMs,
    pingIntervalMs: config.pingIntervalMs ?? t.pingIntervalMs,
    pongTimeoutMs: config.pongTimeoutMs ?? t.pongMs,
    stallTickMs: config.stallTickMs ?? t.stallTickMs,
    stallResponseMs: config.stallResponseMs ?? t.stallResponseMs,
    stallHeadersResponseMs: t.stallHeadersResponseMs,
    trickleIntervalMs:
      config.trickleIntervalMs && config.trickleIntervalMs > 0
        ? config.trickleIntervalMs
        : t.trickleIntervalMs,
    // A configured interval is fixed; only the profile's default is jittered.
    trickleJitterMs: config.trickleIntervalMs && config.trickleIntervalMs > 0 ? 0 : t.trickleJitterMs,
    lingerMs: config.lingerMs ?? t.lingerMs,
    maxQueuedBytes: config.maxQueuedBytes ?? profile.limits.maxQueuedBytes,
    writeTimeoutMs: config.writeTimeoutMs ?? t.writeDeadlineMs,
    writeTimeoutPer256KiBMs: config.writeTimeoutMs === 0 ? 0 : t.writeDeadlinePer256KiBMs,
    maxOutstandingGetData: profile.limits.maxOutstandingGetData,
    maxMessagesBeforeVerack: profile.limits.maxMessagesBeforeVerack,
    maxInvPerTrickle: profile.limits.maxInvPerTrickle,
    allowSelfConnection: config.allowSelfConnection ?? false,
    disableStallHandler: config.disableStallHandler ?? false,
    ignoreUnknownCommands: config.ignoreUnknownCommands ?? profile.rules.ignoresUnknownCommands,
    tolerateMalformed:
      config.network.magic === REGTEST_MAGIC &&
      config.network.family === 'bitcoin' &&
      (remoteHost === '127.0.0.1' || remoteHost === 'localhost' || remoteHost === '::ffff:127.0.0.1'),
    sendsRejects: profile.rules.sendsRejects,
    blockInventoryBypassesTrickle: profile.rules.blockInventoryBypassesTrickle,
    pongMinVersion: profile.rules.pongMinVersion,
    rejectMinVersion: profile.rules.rejectMinVersion,
    sendAddrV2MinVersion: profile.rules.sendAddrV2MinVersion,
    handshakeOrder: profile.rules.handshakeOrder,
    inboundAdvertisesNegotiated: profile.rules.inboundAdvertisesNegotiated,
    strictVerackMinVersion: profile.rules.strictVerackMinVersion,
    stallTracking: profile.rules.stallTracking,
  };
}

const MAX_USER_AGENT_LENGTH = 256;

/** Default agent + "name:version" + optional "(c1; c2)" + "/", falling back to the default when too long. */
export function composeUserAgent<P>(config: PeerConfig<P>): string {
  const base = profileFor(config).defaultUserAgent;
  if (!config.userAgentName) return base;
  const comments = config.userAgentComments?.length ? `(${config.userAgentComments.join('; ')})` : '';
  const agent = `${base}${config.userAgentName}:${config.userAgentVersion ?? ''}${comments}/`;
  return new TextEncoder().encode(agent).length > MAX_USER_AGENT_LENGTH ? base : agent;
}
