import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BcoinModule } from '../support/partners.js';
import { freePort, waitFor } from '../support/wait.js';

/**
 * A bcoin 1.0.2 FullNode on regtest inside the test process: in-memory chain, P2P listener and
 * HTTP on free loopback ports, no seeds, no workers. Driven through its RPC handler and its pool.
 */
export class BcoinNode {
  readonly prefix: string;
  p2pPort = 0;
  node: any;
  private miningAddress = '';

  constructor(private readonly bcoin: BcoinModule) {
    this.prefix = mkdtempSync(join(tmpdir(), 'peerchart-bcoin-'));
  }

  async start(): Promise<void> {
    this.p2pPort = await freePort();
    this.node = new this.bcoin.FullNode({
      network: 'regtest',
      prefix: this.prefix,
      memory: true,
      workers: false,
      listen: true,
      host: '127.0.0.1',
      port: this.p2pPort,
      // Regtest's default seed is 127.0.0.1:48444: nothing to dial here.
      seeds: [],
      httpHost: '127.0.0.1',
      httpPort: await freePort(),
      apiKey: 'interop',
      logConsole: false,
      logLevel: 'none',
    });
    // It would ask DNS for our external address first (2 s timeout, no network here).
    this.node.pool.discoverExternal = async () => {};
    await this.node.open();
    await this.node.connect();
    // As its own launcher does: without it, it neither syncs from peers nor follows their block inv.
    await this.node.startSync();
    this.miningAddress = this.bcoin.KeyRing.generate().getAddress().toString('regtest');
  }

  async rpc<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    const answer = await this.node.rpc.call({ method, params, id: 1 }, {});
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as T;
  }

  /** Mines `count` blocks; resolves with their hashes in display order. */
  mine(count: number): Promise<string[]> {
    return this.rpc<string[]>('generatetoaddress', count, this.miningAddress);
  }

  get height(): number {
    return this.node.chain.height;
  }

  /** bcoin's Peer objects in its pool. */
  peers(): any[] {
    const peers: any[] = [];
    for (let peer = this.node.pool.peers.head(); peer; peer = peer.next) peers.push(peer);
    return peers;
  }

  /** Its peer for the connection whose remote end (as it sees it) is `hostname` ("127.0.0.1:port"). */
  peer(hostname: string): any {
    return this.node.pool.peers.get(hostname);
  }

  /** Waits until its side of the connection to `hostname` has finished the handshake. */
  async handshakenPeer(hostname: string): Promise<any> {
    await waitFor(() => this.peer(hostname)?.handshake === true, `bcoin's handshake with ${hostname}`);
    return this.peer(hostname);
  }

  async stop(): Promise<void> {
    try {
      if (this.node?.opened) {
        await this.node.disconnect();
        await this.node.close();
      }
    } finally {
      rmSync(this.prefix, { recursive: true, force: true });
    }
  }
}
