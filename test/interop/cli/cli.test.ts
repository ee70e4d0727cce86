/**
 * peerchart against peerchart across two processes: the CLI (`listen`, `connect`, with --json)
 * in a child process, a Peer or PeerSupervisor in this one, over loopback TCP. Handshake, ping
 * both ways, and inventory: ours reaches the CLI, and the CLI asks for it with mempool.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AddrV2Entry, InvType } from '../../../src/wire/bitcoin/types.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import { dial, Listener } from '../support/sessions.js';
import { waitFor } from '../support/wait.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

type CliEvent = { event: string; [field: string]: any };

/** `node --import tsx src/cli/main.ts …` with --json: its events, parsed line by line. */
class Cli {
  readonly events: CliEvent[] = [];
  stderr = '';
  exitCode: number | null = null;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as CliEvent);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** The first event of `type` matching `match`, once it has been printed. */
  async next(type: string, match: (event: CliEvent) => boolean = () => true, timeoutMs = 15_000) {
    let found: CliEvent | undefined;
    await waitFor(
      () => {
        found = this.events.find((event) => event.event === type && match(event));
        if (!found && this.exitCode !== null)
          throw new Error(`CLI exited (${this.exitCode}) without '${type}': ${this.stderr}`);
        return found !== undefined;
      },
      `CLI event '${type}'`,
      timeoutMs,
    );
    return found!;
  }

  messagesIn(command: string): CliEvent[] {
    return this.events.filter((event) => event.event === 'message.in' && event.command === command);
  }

  /** SIGTERM by pid (a clean shutdown for `listen`), then the exit code. */
  async stop(): Promise<number | null> {
    if (this.exitCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
    return this.waitForExit();
  }

  async waitForExit(timeoutMs = 15_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.child.pid !== undefined && this.exitCode === null) process.kill(this.child.pid, 'SIGKILL');
        reject(new Error(`CLI did not exit within ${timeoutMs} ms: ${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

describe('peerchart ↔ peerchart across processes (the CLI with --json)', { timeout: 60_000 }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  it('`peerchart listen` in a child process, a Peer here dials it: handshake, ping both ways, our inventory reaches it', async () => {
    const cli = new Cli(['listen', '--port', '0', '--ping-interval', '100', '--user-agent', 'cli:1']);
    cleanups.push(() => cli.stop());
    const { port } = await cli.next('listening');
    const session = await dial(`127.0.0.1:${port}`, { pingIntervalMs: 100, trickleIntervalMs: 50 });
    cleanups.push(() => session.close());
    const { peer, traffic } = session;

    assert.equal(peer.protocolVersion, 70016);
    assert.equal(peer.userAgent, '/peerchart:0.1.0/cli:1/');
    assert.equal(peer.services, 0n, 'listen advertises no services unless told');
    assert.ok(peer.wantsAddrV2, 'both sides are at 70016: sendaddrv2 both ways');
    const handshake = await cli.next('peer.handshake');
    assert.equal(handshake.userAgent, '/peerchart:0.1.0/interop:1/');
    assert.equal(handshake.protocolVersion, 70016);
    assert.equal(handshake.services, '9');

    // Ours: its pong gives us a round trip. Its: our pong to its ping shows up in its output.
    await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');
    const theirPing = await traffic.next('ping');
    await cli.next(
      'message.in',
      (event) => event.command === 'pong' && event.message.nonce === String(theirPing.nonce),
    );

    const tx = new Uint8Array(randomBytes(32));
    peer.queueInventory({ type: InvType.tx, hash: tx });
    const inv = await cli.next('message.in', (event) => event.command === 'inv');
    assert.deepEqual(inv.message.inventory, [{ type: InvType.tx, hash: bytesToHex(tx) }]);

    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'local-request');
    const gone = await cli.next('peer.disconnected');
    assert.equal(gone.reason, 'remote-closed');

    assert.equal(await cli.stop(), 0);
    const stats = await cli.next('stats');
    assert.equal(stats.added, 1);
    assert.equal(stats.removed, 1);
  });

  it('`peerchart connect` in a child process dials our listener: handshake, ping both ways, getaddr, mempool and getheaders answered', async () => {
    const listener = await Listener.open({ pingIntervalMs: 100, trickleIntervalMs: 50 });
    cleanups.push(() => listener.close());
    const tx = new Uint8Array(randomBytes(32));
    const address: AddrV2Entry = {
      timestamp: Math.floor(Date.now() / 1000),
      services: 0x9n,
      networkId: 1, // IPv4
      addr: new Uint8Array([203, 0, 113, 7]),
      port: 8333,
    };
    listener.supervisor.on('peerAdded', (peer) =>
      peer.on('message', (message) => {
        if (message.command === 'getaddr') peer.pushAddrV2Msg([address]);
        if (message.command === 'mempool') peer.queueInventory({ type: InvType.tx, hash: tx });
        if (message.command === 'getheaders') void peer.queueMessage({ command: 'headers', headers: [] });
      }),
    );
    const cli = new Cli([
      'connect',
      listener.address,
      '--send',
      'ping',
      '--send',
      'getaddr',
      '--send',
      'mempool',
      '--send',
      'getheaders',
      '--duration',
      '1',
      '--ping-interval',
      '100',
      '--services',
      '9',
      '--user-agent',
      'cli:2',
    ]);
    cleanups.push(() => cli.stop());
    const peer = await listener.handshakenPeer(15_000);
    const { traffic } = listener;
    assert.ok(peer.inbound);
    assert.equal(peer.userAgent, '/peerchart:0.1.0/cli:2/');
    assert.equal(peer.services, 0x9n);
    assert.ok(peer.wantsAddrV2);
    // Our pinger's ping, answered by its pong (polled: a sub-millisecond round trip reads 0).
    await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');

    assert.equal(await cli.waitForExit(), 0, 'connect exits 0 after its own disconnect');
    assert.equal((await cli.next('peer.handshake')).userAgent, '/peerchart:0.1.0/interop:1/');
    const outcomes = cli.events.filter((event) => event.event === 'message.out');
    assert.deepEqual(
      outcomes.map((event) => [event.command, event.outcome]),
      [
        ['ping', 'sent'],
        ['getaddr', 'sent'],
        ['mempool', 'sent'],
        ['getheaders', 'sent'],
      ],
    );
    // Its pings (the --send one and its pinger's), each answered by our automatic pong.
    const theirPings = traffic.received.filter((message) => message.command === 'ping');
    const answered = cli
      .messagesIn('pong')
      .filter((event) => theirPings.some((ping) => String(ping.nonce) === event.message.nonce));
    assert.ok(answered.length >= 2, 'its application ping and at least one of its pinger');
    // Its last round trip is reported, in whole milliseconds: a sub-millisecond one reads 0.
    const stats = await cli.next('stats');
    assert.ok(Number.isInteger(stats.lastPingMicros) && stats.lastPingMicros >= 0);
    // Answers: addrv2 (it sent sendaddrv2), our inventory in reply to mempool, empty headers.
    const [addrv2] = cli.messagesIn('addrv2');
    assert.equal(addrv2?.message.addresses[0].port, 8333);
    assert.equal(addrv2?.message.addresses[0].addr, bytesToHex(address.addr));
    assert.deepEqual(cli.messagesIn('inv')[0]?.message.inventory, [
      { type: InvType.tx, hash: bytesToHex(tx) },
    ]);
    assert.deepEqual(cli.messagesIn('headers')[0]?.message.headers, []);
    assert.equal((await cli.next('peer.disconnected')).reason, 'local-request');
    await waitFor(() => listener.removed.length === 1, 'our side ends too');
    assert.equal(listener.removed[0]!.reason, 'remote-closed');
  });
});
