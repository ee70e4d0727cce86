/**
 * Peers at scale: spawn, handshake, memory and shutdown at 10 / 100 / 1,000 / 10,000 peers
 * (`PEERCHART_BENCH_PEERS=10,100` to choose). The dialling side runs in a child process, so the
 * measured process holds only the listening side. Baselines from the same run: plain TCP
 * connections that trade one version-sized frame each way, and the per-peer cost at the
 * smallest size (a growing ratio would show a super-linear step).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { networks, PeerSupervisor } from '../../src/index.js';
import { type MemorySocket, socketPair } from '../../src/testing/socket-pair.js';
import { type Benchmark, type BenchRow, collectGarbage } from './harness.js';
import type { DialerRequest } from './support/dialer.js';

const network = networks.bitcoin.regtest;
const sizes = (process.env.PEERCHART_BENCH_PEERS ?? '10,100,1000,10000')
  .split(',')
  .map((size) => Number.parseInt(size, 10))
  .filter((size) => size > 0);
/** About the size of the version message two peers trade. */
const VERSION_FRAME_SIZE = 126;

class Dialer {
  private readonly child: ChildProcess;
  constructor() {
    this.child = fork(fileURLToPath(new URL('./support/dialer.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
  }
  async request(request: DialerRequest): Promise<void> {
    this.child.send(request);
    await once(this.child, 'message');
  }
  stop(): void {
    this.child.disconnect();
  }
}

function memoryInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

const KiB = 1024;
/** Heap and buffers of one idle handshaken peer (issue target). */
const MEMORY_TARGET_KIB = 32;

async function bareConnections(dialer: Dialer, count: number) {
  const sockets: Socket[] = [];
  let answered = 0;
  let allAnswered!: () => void;
  const done = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });
  const reply = new Uint8Array(VERSION_FRAME_SIZE);
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    let received = 0;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received === VERSION_FRAME_SIZE) {
        socket.write(reply);
        if (++answered === count) allAnswered();
      }
    });
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const before = memoryInUse();
  const start = performance.now();
  await Promise.all([dialer.request({ kind: 'bare', port, count, frameSize: VERSION_FRAME_SIZE }), done]);
  const seconds = (performance.now() - start) / 1000;
  const bytesPerConnection = (memoryInUse() - before) / count;
  const closeStart = performance.now();
  const closed = Promise.all(sockets.map((socket) => once(socket, 'close')));
  for (const socket of sockets) socket.destroy();
  await closed;
  const closeMs = performance.now() - closeStart;
  await dialer.request({ kind: 'close' });
  await new Promise((resolve) => server.close(resolve));
  return { perSecond: count / seconds, bytesPerConnection, closeMs };
}

async function handshakenPeers(dialer: Dialer, count: number) {
  const listener = new PeerSupervisor({ peer: { network }, maxInbound: count });
  const { port } = await listener.listen();
  let handshakes = 0;
  let allHandshaken!: () => void;
  const done = new Promise<void>((resolve) => {
    allHandshaken = resolve;
  });
  listener.on('peerHandshake', () => {
    if (++handshakes === count) allHandshaken();
  });
  const before = memoryInUse();
  const start = performance.now();
  await Promise.all([dialer.request({ kind: 'peers', port, count }), done]);
  const seconds = (performance.now() - start) / 1000;
  const bytesPerPeer = (memoryInUse() - before) / count;
  const shutdownStart = performance.now();
  await listener.shutdown();
  const shutdownMs = performance.now() - shutdownStart;
  await dialer.request({ kind: 'close' });
  return { perSecond: count / seconds, bytesPerPeer, shutdownMs };
}

/** Spawning alone, without I/O: inbound peers on in-memory sockets whose far end stays silent. */
async function spawnPeers(count: number) {
  const listener = new PeerSupervisor({ peer: { network }, maxInbound: count });
  const remotes: MemorySocket[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const [remote, local] = socketPair();
    remote.resume(); // a remote that reads, so our closing FIN is answered
    remotes.push(remote);
    listener.adopt(local);
  }
  const seconds = (performance.now() - start) / 1000;
  if (listener.peers().length !== count) throw new Error(`spawned ${listener.peers().length} of ${count}`);
  await listener.shutdown();
  return { perSecond: count / seconds };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'peers',
    async run() {
      const rows: BenchRow[] = [];
      const dialer = new Dialer();
      try {
        // Warm-up round (not reported): JIT, the child process's first connections.
        await bareConnections(dialer, 10);
        await handshakenPeers(dialer, 10);
        let firstSpawn: { size: number; perSecond: number } | undefined;
        for (const size of sizes) {
          // Bare and handshaken first, on a heap the spawn round has not yet filled with garbage.
          const bare = await bareConnections(dialer, size);
          const peers = await handshakenPeers(dialer, size);
          const spawn = await spawnPeers(size);
          firstSpawn ??= { size, perSecond: spawn.perSecond };
          rows.push({
            name: `spawn ${size.toLocaleString('en-US')} peers`,
            unit: 'peers/s',
            value: spawn.perSecond,
            baseline: firstSpawn.perSecond,
            baselineName: `rate at ${firstSpawn.size} peers`,
            ratio: spawn.perSecond / firstSpawn.perSecond,
          });
          rows.push({
            name: `handshakes, ${size.toLocaleString('en-US')} peers`,
            unit: 'hs/s',
            value: peers.perSecond,
            baseline: bare.perSecond,
            baselineName: 'bare TCP connects trading one frame each way',
            ratio: peers.perSecond / bare.perSecond,
          });
          // A bare socket's cost is mostly outside the JS heap, so the yardstick here is the target.
          rows.push({
            name: `memory per idle peer, ${size.toLocaleString('en-US')}`,
            unit: 'KiB',
            value: peers.bytesPerPeer / KiB,
            baseline: MEMORY_TARGET_KIB,
            baselineName: `target (ratio = target / ours; bare TCP: ${(bare.bytesPerConnection / KiB).toFixed(1)} KiB of heap)`,
            ratio: MEMORY_TARGET_KIB / (peers.bytesPerPeer / KiB),
          });
          rows.push({
            name: `shutdown, ${size.toLocaleString('en-US')} peers`,
            unit: 'ms',
            value: peers.shutdownMs,
            baseline: bare.closeMs,
            baselineName: 'destroying as many bare sockets (ratio = bare / ours)',
            ratio: bare.closeMs / peers.shutdownMs,
          });
        }
      } finally {
        dialer.stop();
      }
      return rows;
    },
  },
];
