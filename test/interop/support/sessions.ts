import type { PeerOutput } from '../../../machines/peer.machine.js';
import type { PeerConfig } from '../../../src/peer/config.js';
import { NonceCache } from '../../../src/peer/nonce-cache.js';
import { Peer } from '../../../src/peer/peer.js';
import { PeerSupervisor } from '../../../src/supervisor/supervisor.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { Traffic, waitFor } from './wait.js';

export const network = bitcoinNetworks.regtest;

/** NODE_NETWORK | NODE_WITNESS: what real nodes want from a full peer (bcoin insists on it). */
export const FULL_NODE_SERVICES = 0x9n;

/** The config every interop peer starts from: regtest, a full node's services, a recognisable agent. */
export function interopConfig(traffic: Traffic, overrides: Partial<PeerConfig<Peer>> = {}): PeerConfig<Peer> {
  return {
    network,
    services: FULL_NODE_SERVICES,
    userAgentName: 'interop',
    userAgentVersion: '1',
    listeners: traffic.listeners,
    ...overrides,
  };
}

/** Resolves once the peer is active; rejects with its disconnect reason if it ends first. */
export async function handshaken(peer: Peer, timeoutMs = 10_000): Promise<Peer> {
  if (peer.state === 'active') return peer;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => peer.on('handshake', resolve)),
      peer.waitForDisconnect().then((result) => {
        throw new Error(`${peer} ended before the handshake: ${result.reason} (${result.detail})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${peer}: no handshake within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return peer;
}

/** One outbound connection and everything that crossed it. */
export interface Session {
  peer: Peer;
  traffic: Traffic;
  /** Disconnects (if still up) and resolves when the socket, timers and actors are gone. */
  close(): Promise<PeerOutput>;
}

/** Dials `address` and waits for the handshake. */
export async function dial(address: string, overrides: Partial<PeerConfig<Peer>> = {}): Promise<Session> {
  const traffic = new Traffic();
  const peer = Peer.outbound(interopConfig(traffic, { nonceCache: new NonceCache(), ...overrides }), address);
  const session: Session = {
    peer,
    traffic,
    close: () => {
      peer.disconnect();
      return peer.waitForDisconnect();
    },
  };
  try {
    await handshaken(peer);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/**
 * A PeerSupervisor listening on a free loopback port, for partners that dial us. Every peer it
 * accepts records into the same `traffic` (tests let one partner connection in at a time).
 */
export class Listener {
  readonly traffic = new Traffic();
  readonly supervisor: PeerSupervisor;
  /** Why each accepted peer ended, in order. */
  readonly removed: PeerOutput[] = [];
  port = 0;

  private constructor(overrides: Partial<PeerConfig<Peer>>) {
    this.supervisor = new PeerSupervisor({ peer: interopConfig(this.traffic, overrides) });
    this.supervisor.on('peerRemoved', (_peer, result) => this.removed.push(result));
  }

  static async open(overrides: Partial<PeerConfig<Peer>> = {}): Promise<Listener> {
    const listener = new Listener(overrides);
    listener.port = (await listener.supervisor.listen({ host: '127.0.0.1', port: 0 })).port;
    return listener;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The first accepted peer, once its handshake is done. */
  async handshakenPeer(timeoutMs = 10_000): Promise<Peer> {
    await waitFor(() => this.supervisor.peers().length > 0, 'an inbound connection', timeoutMs);
    return handshaken(this.supervisor.peers()[0]!, timeoutMs);
  }

  /** Disconnects every peer and stops listening; resolves when all of it is gone. */
  close(): Promise<void> {
    return this.supervisor.shutdown();
  }
}
