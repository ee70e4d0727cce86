import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../support/wait.js';

export const INSTALL_HINT = 'install it with: apt-get install -y litecoind';

/** True when the litecoind binary is on PATH. */
export function litecoindAvailable(): boolean {
  return spawnSync('litecoind', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** One entry of `getpeerinfo` (the fields the tests read). */
export interface PeerInfo {
  id: number;
  addr: string;
  subver: string;
  inbound: boolean;
  version: number;
  services: string;
  relaytxes: boolean;
  pingtime?: number;
  minping?: number;
  bytessent_per_msg: Record<string, number>;
  bytesrecv_per_msg: Record<string, number>;
  connection_type: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A litecoind (Litecoin Core 0.21: Bitcoin Core 0.21's P2P code, Bitcoin's regtest magic) on
 * loopback, with a scratch data directory, driven over JSON-RPC and stopped by pid.
 */
export class LitecoinNode {
  readonly datadir: string;
  p2pPort = 0;
  rpcPort = 0;
  private process: ChildProcess | undefined;
  private walletReady: Promise<string> | undefined;

  constructor() {
    this.datadir = mkdtempSync(join(tmpdir(), 'peerchart-ltc-'));
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(extraArgs: string[] = []): Promise<void> {
    this.p2pPort = await freePort();
    this.rpcPort = await freePort();
    this.process = spawn(
      'litecoind',
      [
        '-regtest',
        `-datadir=${this.datadir}`,
        '-listen=1',
        `-bind=127.0.0.1:${this.p2pPort}`,
        `-port=${this.p2pPort}`,
        '-rpcbind=127.0.0.1',
        '-rpcallowip=127.0.0.1',
        `-rpcport=${this.rpcPort}`,
        '-rpcuser=u',
        '-rpcpassword=p',
        '-dnsseed=0',
        '-upnp=0',
        '-discover=0',
        '-listenonion=0',
        '-fallbackfee=0.0001',
        '-printtoconsole=0',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const child = this.process;
    let lastError = '';
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`litecoind exited with ${child.exitCode} at start`);
          try {
            await this.rpc('getnetworkinfo');
            return true;
          } catch (error) {
            lastError = (error as Error).message;
            return false;
          }
        },
        'litecoind answers RPC',
        30_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (last RPC error: ${lastError})`);
    }
  }

  /**
   * One JSON-RPC call on a fresh connection that is closed afterwards: a kept-alive RPC socket
   * holds litecoind's shutdown for seconds (its HTTP server waits for idle clients).
   */
  rpc<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '1.0', id: 1, method, params });
    return new Promise<T>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: this.rpcPort,
          method: 'POST',
          path: '/',
          agent: false,
          headers: {
            authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            connection: 'close',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            try {
              const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                result: T;
                error: { message: string } | null;
              };
              if (answer.error) reject(new Error(`${method}: ${answer.error.message}`));
              else resolve(answer.result);
            } catch (error) {
              reject(new Error(`${method}: HTTP ${response.statusCode}: ${(error as Error).message}`));
            }
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }

  /** A wallet address (the wallet is created on first use). */
  address(): Promise<string> {
    this.walletReady ??= this.rpc('createwallet', 'interop').then(() => this.rpc<string>('getnewaddress'));
    return this.walletReady;
  }

  /** Mines `count` blocks to the wallet; resolves with their hashes (display order). */
  async mine(count: number): Promise<string[]> {
    return this.rpc<string[]>('generatetoaddress', count, await this.address());
  }

  peerInfo(): Promise<PeerInfo[]> {
    return this.rpc<PeerInfo[]>('getpeerinfo');
  }

  /**
   * Stops it over RPC, else by pid (SIGTERM; SIGKILL if it lingers), and removes the data
   * directory. It runs in the foreground (no -daemon), so the child's pid is litecoind's own.
   */
  async stop(): Promise<void> {
    const child = this.process;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const pid = child.pid;
      try {
        await this.rpc('stop');
      } catch {
        process.kill(pid, 'SIGTERM');
      }
      const timer = setTimeout(() => isAlive(pid) && process.kill(pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.datadir, { recursive: true, force: true });
  }
}
