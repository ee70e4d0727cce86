import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_HINT = 'install it with: apt-get install -y litecoind';

/** True when the litecoind binary is on PATH. */
export function litecoindAvailable(): boolean {
  return spawnSync('litecoind', ['-version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
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

  constructor() {
    this.datadir = mkdtempSync(join(tmpdir(), 'peerchart-ltc-'));
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
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.rpc('getnetworkinfo');
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`litecoind did not answer RPC: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async rpc<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.rpcPort}/`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '1.0', id: 1, method, params }),
    });
    const body = (await response.json()) as { result: T; error: { message: string } | null };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await this.rpc('stop');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    try {
      const pid = Number(readFileSync(join(this.datadir, 'regtest', 'bitcoind.pid'), 'utf8'));
      if (pid) process.kill(pid, 0);
    } catch {
      // gone, as it should be
    }
    rmSync(this.datadir, { recursive: true, force: true });
  }
}
