/**
 * peerchart: Bitcoin and Decred P2P peers as XState v5 actors.
 * The wire codec, the statecharts, and the Peer runtime around them.
 */
export { handshakeMachine } from '../machines/handshake.machine.js';
export type {
  PeerContext,
  PeerEvent,
  PeerMachineInput,
  PeerOutput,
  PeerSettings,
} from '../machines/peer.machine.js';
export { peerMachine } from '../machines/peer.machine.js';
export { pingerMachine } from '../machines/pinger.machine.js';
export { sendQueueMachine } from '../machines/send-queue.machine.js';
export { stallMonitorMachine } from '../machines/stall-monitor.machine.js';
export { supervisorMachine } from '../machines/supervisor.machine.js';
export { tricklerMachine } from '../machines/trickler.machine.js';
export type { DisconnectReason, PeerHost, QueueEntry, SendOutcome } from '../machines/types.js';
export { createLogger, hexdump, type LogLevel, type PeerLogger } from './log/logger.js';
export { type PeerClock, type PeerConfig, systemClock } from './peer/config.js';
export { KnownInventory } from './peer/known-inventory.js';
export { type DecredPeerListeners, decredListeners, type PeerListeners } from './peer/listeners.js';
export { NonceCache, sharedNonceCache } from './peer/nonce-cache.js';
export { Peer, type PeerActor, type PeerEvents } from './peer/peer.js';
export type { StatsSnapshot } from './peer/stats.js';
export { decredProfile } from './protocol/decred/profile.js';
export { bitcoinProfile, type PeerProfile } from './protocol/profile.js';
export {
  PeerSupervisor,
  type SupervisorConfig,
  type SupervisorEvents,
  type SupervisorStats,
} from './supervisor/supervisor.js';
export { socketTransport, type TransportInput } from './transport/socket-transport.js';
export * from './wire/index.js';

import { decredNetworks } from './wire/decred/networks.js';
import { bitcoinNetworks } from './wire/networks.js';

/** Every network by family: `networks.bitcoin.regtest`, … */
export const networks = Object.freeze({ bitcoin: bitcoinNetworks, decred: decredNetworks });
