#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { createLogger, type LogLevel } from '../log/logger.js';
import type { PeerConfig } from '../peer/config.js';
import { Peer } from '../peer/peer.js';
import type { StatsSnapshot } from '../peer/stats.js';
import { PeerSupervisor } from '../supervisor/supervisor.js';
import { blockHash } from '../wire/bitcoin/chain.js';
import { InvType } from '../wire/bitcoin/types.js';
import { hashToHex, hexToHash } from '../wire/hex.js';
import type { Message } from '../wire/message.js';
import {
  COMMON_HELP,
  hostPort,
  integer,
  type ParsedArgs,
  parse,
  peerConfigFrom,
  UsageError,
} from './args.js';
import { INSPECTION_HELP, INSPECTION_OPTIONS, type Inspection, startInspection } from './inspection.js';
import { describe, Output } from './output.js';
import { TRACE_HELP, trace } from './trace.js';

const USAGE = `usage: peerchart <command> [options]

commands:
  demo      a listener and N peers on loopback: handshakes, pings, trickled inventory, a summary
  listen    accept peers until SIGINT/SIGTERM
  connect   dial HOST:PORT, send messages, print what arrives
  trace     replay a statechart trace recorded with --trace: a timeline, or into an inspector

Run 'peerchart <command> --help' for its options.`;

const HELP: Record<string, string> = {
  demo: `usage: peerchart demo [--peers N] [--duration S] [--trace FILE]\n\n  --peers N        peers dialling the listener (default 8)\n  --duration S     seconds to run after the handshakes (default 5)\n\n${INSPECTION_HELP}\n\n${COMMON_HELP}`,
  listen: `usage: peerchart listen [--host 127.0.0.1] [--port 0] [--max-peers N] [--trace FILE]\n\n  --host ADDR      address to listen on (default 127.0.0.1)\n  --port N         port (default 0: any free port)\n  --max-peers N    refuse inbound peers beyond N (default 125)\n\n${INSPECTION_HELP}\n\n${COMMON_HELP}`,
  connect: `usage: peerchart connect HOST:PORT [--send ping|getaddr|getheaders|mempool]... [--duration S] [--trace FILE]\n\n  --send CMD       send after the handshake (repeatable)\n  --duration S     seconds to stay connected after the handshake (default 5)\n\n${INSPECTION_HELP}\n\n${COMMON_HELP}`,
  trace: TRACE_HELP,
};

/** The trace file or inspector connection of the running command, closed when it returns. */
let inspection: Inspection | undefined;

async function inspectionFor(values: ParsedArgs['values']): Promise<Inspection['inspect']> {
  inspection = await startInspection(values);
  return inspection.inspect;
}

function withLogger(config: PeerConfig, values: ParsedArgs['values']): PeerConfig {
  if (typeof values['log-level'] === 'string') {
    const level = values['log-level'] as LogLevel;
    if (!['error', 'warn', 'info', 'debug', 'trace'].includes(level))
      throw new UsageError(`unknown --log-level '${level}'`);
    config.logger = createLogger(level);
  }
  return config;
}

function randomInventory() {
  return { type: InvType.tx, hash: new Uint8Array(randomBytes(32)) };
}

async function demo(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    peers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '5' },
    ...INSPECTION_OPTIONS,
  });
  if (values.help) return help('demo');
  const peerCount = integer(values.peers as string, 'peers', 1)!;
  const duration = integer(values.duration as string, 'duration', 0)!;
  const base = withLogger(peerConfigFrom(values), values);
  const config: PeerConfig = { pingIntervalMs: 1000, trickleIntervalMs: 500, services: 9n, ...base };
  const out = new Output(values.json === true);
  const live = !out.json && process.stdout.isTTY === true;
  const inspect = await inspectionFor(values);

  // Two nodes in one process: a hub that listens and a node whose peers dial it.
  const hub = new PeerSupervisor({ peer: config, maxInbound: peerCount, inspect });
  const node = new PeerSupervisor({ peer: config, maxOutbound: peerCount, inspect });
  const { port } = await hub.listen({ host: '127.0.0.1', port: 0 });
  out.event(
    'listening',
    { host: '127.0.0.1', port },
    `listening on 127.0.0.1:${port}, ${peerCount} peers dialling`,
  );
  let handshakes = 0;
  let failures = 0;
  node.on('peerHandshake', (peer) => {
    handshakes++;
    if (out.json)
      out.event('peer.handshake', { peer: peer.address, protocolVersion: peer.protocolVersion }, '');
  });
  node.on('peerRemoved', (peer, result) => {
    if (peer.statsSnapshot().negotiatedVersion === 0) failures++;
    if (out.json) out.event('peer.disconnected', { peer: peer.address, ...result }, '');
  });
  const started = Date.now();
  for (let i = 0; i < peerCount; i++) node.connect(`127.0.0.1:${port}`);

  const view = live ? new LiveView() : undefined;
  let lastProgress = -1;
  const progress = setInterval(() => {
    if (view) view.render(node, handshakes, peerCount);
    else if (!out.json && handshakes !== lastProgress && handshakes < peerCount) {
      lastProgress = handshakes;
      console.log(`${handshakes}/${peerCount} handshakes`);
    }
  }, 250);
  while (handshakes + failures < peerCount && Date.now() - started < 60_000) await sleep(20);
  const handshakeMs = Date.now() - started;
  out.event(
    'progress',
    { handshakes, peers: peerCount, ms: handshakeMs },
    `${handshakes}/${peerCount} handshakes in ${handshakeMs} ms`,
  );

  // The hub announces fresh inventory to every peer; it trickles out in batches.
  const announcer = setInterval(() => {
    for (let i = 0; i < 5; i++) hub.relayInventory(randomInventory());
  }, 200);
  await sleep(duration * 1000);
  clearInterval(announcer);
  clearInterval(progress);
  if (view) view.render(node, handshakes, peerCount);

  const rows = node.peerStats();
  const shutdownStarted = Date.now();
  await Promise.all([node.shutdown(), hub.shutdown()]);
  const shutdownMs = Date.now() - shutdownStarted;

  if (out.json) {
    for (const row of rows) out.event('stats', { ...row }, '');
  } else {
    console.log(`\n${table(rows.slice(0, 50))}`);
    if (rows.length > 50) console.log(`… and ${rows.length - 50} more`);
    const invs = rows.reduce((sum, row) => sum + row.messagesReceived, 0);
    console.log(
      `\n${handshakes}/${peerCount} handshakes succeeded; ${invs} messages received by the dialling peers; ` +
        `shut down in ${shutdownMs} ms`,
    );
  }
  return handshakes === peerCount ? 0 : 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function table(rows: StatsSnapshot[]): string {
  const lines = ['peer                   state        rtt(ms)  sent(B)  recv(B)  msgs in'];
  for (const row of rows) {
    lines.push(
      `${row.address.padEnd(22)} ${row.state.padEnd(12)} ${(row.lastPingMicros / 1000).toFixed(2).padStart(7)}  ` +
        `${String(row.bytesSent).padStart(7)}  ${String(row.bytesReceived).padStart(7)}  ${String(row.messagesReceived).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

/** A refreshing table on a terminal: redraws in place. */
class LiveView {
  private lines = 0;

  render(supervisor: PeerSupervisor, handshakes: number, total: number): void {
    const rows = supervisor.peerStats();
    const text = `${handshakes}/${total} handshaken\n${table(rows.slice(0, 20))}${rows.length > 20 ? `\n… and ${rows.length - 20} more` : ''}`;
    if (this.lines > 0) process.stdout.write(`\x1b[${this.lines}A\x1b[J`);
    process.stdout.write(`${text}\n`);
    this.lines = text.split('\n').length;
  }
}

async function listen(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'max-peers': { type: 'string', default: '125' },
    ...INSPECTION_OPTIONS,
  });
  if (values.help) return help('listen');
  const config = withLogger(peerConfigFrom(values), values);
  const maxPeers = integer(values['max-peers'] as string, 'max-peers', 0)!;
  const out = new Output(values.json === true);
  const inspect = await inspectionFor(values);
  const supervisor = new PeerSupervisor({ peer: config, maxInbound: maxPeers, inspect });
  supervisor.on('refused', (address, reason) =>
    out.event('peer.refused', { peer: address, reason }, `refused ${address}: ${reason}`),
  );
  supervisor.on('peerAdded', (peer) => {
    out.event('peer.connected', { peer: peer.address }, `${peer} connected`);
    out.watch(peer, { messages: true });
  });
  const address = await supervisor.listen({
    host: String(values.host),
    port: integer(values.port as string, 'port', 0)!,
  });
  out.event('listening', address, `listening on ${address.host}:${address.port}`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.event('shutdown', { signal }, `${signal}: shutting down`);
  const stats = supervisor.stats();
  await supervisor.shutdown();
  out.event('stats', { ...stats }, `${stats.added} peers served, ${stats.refused} refused`);
  return 0;
}

const SENDABLE = new Set(['ping', 'getaddr', 'getheaders', 'mempool']);

async function connect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    send: { type: 'string', multiple: true },
    duration: { type: 'string', default: '5' },
    ...INSPECTION_OPTIONS,
  });
  if (values.help) return help('connect');
  const config = withLogger(peerConfigFrom(values), values);
  const target = positionals[0];
  if (!target) throw new UsageError('connect needs HOST:PORT');
  const { host, port } = hostPort(target, config.network.defaultPort);
  const sends = (values.send as string[] | undefined) ?? [];
  for (const command of sends) if (!SENDABLE.has(command)) throw new UsageError(`cannot --send '${command}'`);
  const duration = integer(values.duration as string, 'duration', 0)!;
  const out = new Output(values.json === true);
  const inspect = await inspectionFor(values);
  if (inspect) config.inspect = inspect;
  const peer = Peer.outbound(config, `${host}:${port}`);
  out.watch(peer, { messages: true });
  peer.on('message', (message: Message) => {
    if (message.command === 'headers' && !out.json) {
      for (const header of message.headers)
        console.log(
          `  header ${hashToHex(blockHash(header))} prev ${hashToHex(header.prevBlock)} time ${new Date(header.timestamp * 1000).toISOString()}`,
        );
    }
  });
  const handshaken = await new Promise<boolean>((resolve) => {
    peer.on('handshake', () => resolve(true));
    void peer.waitForDisconnect().then(() => resolve(false));
  });
  if (!handshaken) return 1;
  for (const command of sends) {
    const message: Message =
      command === 'getheaders'
        ? {
            command,
            protocolVersion: 0,
            locator: [hexToHash(config.network.genesisHash)],
            hashStop: new Uint8Array(32),
          }
        : command === 'ping'
          ? { command, nonce: BigInt(Date.now()) }
          : ({ command } as Message);
    const outcome = await peer.queueMessage(message);
    out.event(
      'message.out',
      { peer: peer.address, command, outcome },
      `${peer} → ${describe(message)} (${outcome})`,
    );
  }
  await Promise.race([
    peer.waitForDisconnect(),
    new Promise((resolve) => setTimeout(resolve, duration * 1000)),
  ]);
  const stats = peer.statsSnapshot();
  peer.disconnect();
  const result = await peer.waitForDisconnect();
  out.event('stats', { ...stats }, `sent ${stats.bytesSent} B, received ${stats.bytesReceived} B`);
  return result.reason === 'local-request' ? 0 : 1;
}

function help(command?: string): number {
  console.log(command ? HELP[command] : USAGE);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const code = await run(argv);
  try {
    await inspection?.close();
  } catch (error) {
    console.error(`peerchart: writing the trace failed: ${(error as Error)?.message ?? error}`);
    return code === 0 ? 1 : code;
  } finally {
    inspection = undefined;
  }
  return code;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo':
        return await demo(rest);
      case 'listen':
        return await listen(rest);
      case 'connect':
        return await connect(rest);
      case 'trace':
        return await trace(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        return help();
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`peerchart: ${error.message}\n\n${command && HELP[command] ? HELP[command] : USAGE}`);
      return 2;
    }
    console.error(`peerchart: ${(error as Error)?.message ?? error}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /(?:main\.[jt]s|peerchart)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
