#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createLogger, type LogLevel } from '../log/logger.js';
import type { PeerConfig } from '../peer/config.js';
import { NonceCache } from '../peer/nonce-cache.js';
import { Peer } from '../peer/peer.js';
import { InvType } from '../wire/bitcoin/types.js';
import { hexToHash } from '../wire/hex.js';
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
import { describe, Output } from './output.js';

const USAGE = `usage: peerchart <command> [options]

commands:
  demo      a listener and N peers on loopback: handshakes, pings, trickled inventory, a summary
  listen    accept peers until SIGINT/SIGTERM
  connect   dial HOST:PORT, send messages, print what arrives

Run 'peerchart <command> --help' for its options.`;

const HELP: Record<string, string> = {
  demo: `usage: peerchart demo [--peers N] [--duration S]\n\n  --peers N        peers dialling the listener (default 8)\n  --duration S     seconds to run after the handshakes (default 5)\n\n${COMMON_HELP}`,
  listen: `usage: peerchart listen [--host 127.0.0.1] [--port 0] [--max-peers N]\n\n  --host ADDR      address to listen on (default 127.0.0.1)\n  --port N         port (default 0: any free port)\n  --max-peers N    refuse inbound peers beyond N (default 125)\n\n${COMMON_HELP}`,
  connect: `usage: peerchart connect HOST:PORT [--send ping|getaddr|getheaders|mempool]... [--duration S]\n\n  --send CMD       send after the handshake (repeatable)\n  --duration S     seconds to stay connected after the handshake (default 5)\n\n${COMMON_HELP}`,
};

function withLogger(config: PeerConfig, values: ParsedArgs['values']): PeerConfig {
  if (typeof values['log-level'] === 'string') {
    const level = values['log-level'] as LogLevel;
    if (!['error', 'warn', 'info', 'debug', 'trace'].includes(level))
      throw new UsageError(`unknown --log-level '${level}'`);
    config.logger = createLogger(level);
  }
  return config;
}

async function listenOn(host: string, port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  return server;
}

function randomInventory() {
  return { type: InvType.tx, hash: new Uint8Array(randomBytes(32)) };
}

async function demo(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    peers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '5' },
  });
  if (values.help) return help('demo');
  const peerCount = integer(values.peers as string, 'peers', 1)!;
  const duration = integer(values.duration as string, 'duration', 0)!;
  const base = withLogger(peerConfigFrom(values), values);
  const config: PeerConfig = { pingIntervalMs: 1000, trickleIntervalMs: 500, services: 9n, ...base };
  const out = new Output(values.json === true);
  const server = await listenOn('127.0.0.1', 0);
  const port = (server.address() as { port: number }).port;
  out.event(
    'listening',
    { host: '127.0.0.1', port },
    `listening on 127.0.0.1:${port}, ${peerCount} peers dialling`,
  );

  // Each side of the demo is its own "node": separate nonce records, or every peer would look like a self-connection.
  const listenerConfig: PeerConfig = { ...config, nonceCache: new NonceCache(Math.max(50, peerCount * 2)) };
  const dialerConfig: PeerConfig = { ...config, nonceCache: new NonceCache(Math.max(50, peerCount * 2)) };
  const inbound: Peer[] = [];
  server.on('connection', (socket) => inbound.push(Peer.inbound(listenerConfig, socket)));

  const outbound: Peer[] = [];
  let handshakes = 0;
  const allHandshaken = new Promise<void>((resolve) => {
    for (let i = 0; i < peerCount; i++) {
      const peer = Peer.outbound(dialerConfig, `127.0.0.1:${port}`);
      outbound.push(peer);
      if (peerCount <= 20) out.watch(peer, { messages: false });
      peer.on('handshake', () => {
        handshakes++;
        if (peerCount > 20 && handshakes % Math.ceil(peerCount / 10) === 0) {
          out.event('progress', { handshakes, peers: peerCount }, `${handshakes}/${peerCount} handshakes`);
        }
        if (handshakes === peerCount) resolve();
      });
      peer.on('disconnected', () => {
        if (peer.statsSnapshot().negotiatedVersion === 0) resolve();
      });
    }
  });
  await Promise.race([allHandshaken, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  out.event('progress', { handshakes, peers: peerCount }, `${handshakes}/${peerCount} handshakes done`);

  // Announce fresh inventory from the listener to every peer; it trickles out in batches.
  const announcer = setInterval(() => {
    const items = Array.from({ length: 5 }, randomInventory);
    for (const peer of inbound) for (const item of items) peer.queueInventory(item);
  }, 200);
  await new Promise((resolve) => setTimeout(resolve, duration * 1000));
  clearInterval(announcer);

  const rows = outbound.map((peer) => peer.statsSnapshot());
  for (const peer of [...outbound, ...inbound]) peer.disconnect();
  await Promise.all([...outbound, ...inbound].map((peer) => peer.waitForDisconnect()));
  server.close();

  if (out.json) {
    for (const row of rows) out.event('stats', { ...row }, '');
  } else {
    console.log('\npeer                   state        rtt(ms)  sent(B)  recv(B)  msgs in');
    for (const row of rows.slice(0, 50)) {
      console.log(
        `${row.address.padEnd(22)} ${row.state.padEnd(12)} ${(row.lastPingMicros / 1000).toFixed(2).padStart(7)}  ${String(row.bytesSent).padStart(7)}  ${String(row.bytesReceived).padStart(7)}  ${String(row.messagesReceived).padStart(7)}`,
      );
    }
    if (rows.length > 50) console.log(`… and ${rows.length - 50} more`);
    const totalIn = rows.reduce((sum, row) => sum + row.messagesReceived, 0);
    console.log(
      `\n${handshakes}/${peerCount} handshakes succeeded; ${totalIn} messages received by the dialling peers`,
    );
  }
  return handshakes === peerCount ? 0 : 1;
}

async function listen(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'max-peers': { type: 'string', default: '125' },
  });
  if (values.help) return help('listen');
  const config = withLogger(peerConfigFrom(values), values);
  const maxPeers = integer(values['max-peers'] as string, 'max-peers', 0)!;
  const out = new Output(values.json === true);
  const server = await listenOn(String(values.host), integer(values.port as string, 'port', 0)!);
  const address = server.address() as { address: string; port: number };
  out.event(
    'listening',
    { host: address.address, port: address.port },
    `listening on ${address.address}:${address.port}`,
  );
  const peers = new Set<Peer>();
  server.on('connection', (socket) => {
    if (peers.size >= maxPeers) {
      out.event(
        'peer.refused',
        { peer: `${socket.remoteAddress}:${socket.remotePort}`, reason: 'max-peers' },
        'refused: max peers',
      );
      socket.destroy();
      return;
    }
    const peer = Peer.inbound(config, socket);
    peers.add(peer);
    out.event('peer.connected', { peer: peer.address }, `${peer} connected`);
    out.watch(peer, { messages: true });
    void peer.waitForDisconnect().then(() => peers.delete(peer));
  });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.event('shutdown', { signal }, `${signal}: shutting down`);
  server.close();
  const all = [...peers];
  for (const peer of all) peer.disconnect();
  const stats = all.map((peer) => peer.statsSnapshot());
  await Promise.all(all.map((peer) => peer.waitForDisconnect()));
  out.event('stats', { peers: stats.length, stats }, `${stats.length} peers served`);
  return 0;
}

const SENDABLE = new Set(['ping', 'getaddr', 'getheaders', 'mempool']);

async function connect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    send: { type: 'string', multiple: true },
    duration: { type: 'string', default: '5' },
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
  const peer = Peer.outbound(config, `${host}:${port}`);
  out.watch(peer, { messages: true });
  peer.on('message', (message: Message) => {
    if (message.command === 'headers' && !out.json) {
      for (const header of message.headers)
        console.log(`  header time ${header.timestamp} bits 0x${header.bits.toString(16)}`);
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
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo':
        return await demo(rest);
      case 'listen':
        return await listen(rest);
      case 'connect':
        return await connect(rest);
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
