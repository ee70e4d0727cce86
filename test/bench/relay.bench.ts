/**
 * Relay through the full actor stack, two processes over loopback: 1 MiB blocks and one-entry
 * invs one way, ping/pong round trips. The baseline, measured in the same run, is the limit: a
 * bare Node TCP pipe sending the same frames to a receiver that only splits frames and verifies
 * each checksum. A second baseline is bcoin 1.0.2's own Peer class doing the same work between two
 * processes (test/bench/support/bcoin-relay.ts), skipped when bcoin is not installed. Each runs three
 * times, alternating; the medians are compared.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { decodeMessage, encodeMessage, type Message, NonceCache, networks, Peer } from '../../src/index.js';
import { type Benchmark, type BenchRow, collectGarbage } from './harness.js';
import { bcoinRelay } from './support/bcoin-relay.js';
import type { RelayReply, RelayRequest } from './support/relay-peer.js';
import { bigBlock, ONE_MIB_OF_TRANSACTIONS } from './support/samples.js';

const network = networks.bitcoin.regtest;
const BLOCKS = 200;
const INVS = 200_000;
const PING_MS = 2_000;
const ROUNDS = 3;

interface Figures {
  blocks: number;
  invs: number;
  pings: number;
}

function medians(runs: readonly Figures[]): Figures {
  const median = (pick: (figures: Figures) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return { blocks: median((f) => f.blocks), invs: median((f) => f.invs), pings: median((f) => f.pings) };
}

class Receiver {
  readonly child: ChildProcess;
  constructor() {
    this.child = fork(fileURLToPath(new URL('./support/relay-peer.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
  }
  async request(request: RelayRequest): Promise<RelayReply> {
    const reply = once(this.child, 'message') as Promise<[RelayReply]>;
    this.child.send(request);
    return (await reply)[0];
  }
  /** Resolves when the receiver has counted `count` messages. */
  expect(count: number): Promise<unknown> {
    const done = once(this.child, 'message');
    this.child.send({ kind: 'expect', count } satisfies RelayRequest);
    return done;
  }
  stop(): void {
    this.child.disconnect();
  }
}

function inv(i: number): Message {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, i, true);
  return { command: 'inv', inventory: [{ type: 1, hash }] };
}

async function bareSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  return socket;
}

/** Writes frames as fast as the socket takes them, honouring backpressure. */
async function writeAll(socket: Socket, frames: Iterable<Uint8Array>): Promise<void> {
  for (const frame of frames) {
    if (!socket.write(frame)) await once(socket, 'drain');
  }
}

async function bareOneWay(receiver: Receiver, frames: () => Iterable<Uint8Array>, count: number) {
  const { port } = (await receiver.request({ kind: 'listen', mode: 'bare' })) as { port: number };
  const socket = await bareSocket(port);
  collectGarbage();
  const done = receiver.expect(count);
  const start = performance.now();
  await writeAll(socket, frames());
  await done;
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  return count / seconds;
}

async function ourPeer(port: number): Promise<Peer> {
  const peer = Peer.outbound(
    { network, nonceCache: new NonceCache(), maxQueuedBytes: 1 << 30 },
    `127.0.0.1:${port}`,
  );
  await new Promise<void>((resolve) => peer.on('handshake', () => resolve()));
  return peer;
}

async function peerOneWay(receiver: Receiver, messages: () => Iterable<Message>, count: number) {
  const { port } = (await receiver.request({ kind: 'listen', mode: 'peer' })) as { port: number };
  const peer = await ourPeer(port);
  collectGarbage();
  const done = receiver.expect(count);
  const start = performance.now();
  // Queued in windows so the queue holds a bounded number of messages, as a relaying node would.
  let window: Promise<unknown>[] = [];
  for (const message of messages()) {
    window.push(peer.queueMessage(message));
    if (window.length === 1000) {
      await Promise.all(window);
      window = [];
    }
  }
  await Promise.all(window);
  await done;
  const seconds = (performance.now() - start) / 1000;
  peer.disconnect();
  await peer.waitForDisconnect();
  return count / seconds;
}

async function barePingPong(receiver: Receiver): Promise<number> {
  const { port } = (await receiver.request({ kind: 'listen', mode: 'bare' })) as { port: number };
  const socket = await bareSocket(port);
  const ping = encodeMessage({ command: 'ping', nonce: 1n }, { network });
  let trips = 0;
  const start = performance.now();
  while (performance.now() - start < PING_MS) {
    const pong = once(socket, 'data');
    socket.write(ping);
    await pong;
    trips++;
  }
  socket.destroy();
  return trips / ((performance.now() - start) / 1000);
}

async function peerPingPong(receiver: Receiver): Promise<number> {
  const { port } = (await receiver.request({ kind: 'listen', mode: 'peer' })) as { port: number };
  const peer = await ourPeer(port);
  let trips = 0;
  let nonce = 1n;
  const start = performance.now();
  while (performance.now() - start < PING_MS) {
    const expected = nonce++;
    const pong = new Promise<void>((resolve) => {
      const off = peer.on('message', (message) => {
        if (message.command === 'pong' && message.nonce === expected) {
          off();
          resolve();
        }
      });
    });
    void peer.queueMessage({ command: 'ping', nonce: expected });
    await pong;
    trips++;
  }
  const rate = trips / ((performance.now() - start) / 1000);
  peer.disconnect();
  await peer.waitForDisconnect();
  return rate;
}

function vsLimit(name: string, unit: string, ours: number, limit: number, target: string): BenchRow {
  return {
    name,
    unit,
    value: ours,
    baseline: limit,
    baselineName: `bare TCP pipe, checksums verified (${target})`,
    ratio: ours / limit,
  };
}

function vsBcoin(name: string, unit: string, ours: number, bcoin: number | undefined): BenchRow[] {
  if (bcoin === undefined) return [];
  return [
    {
      name,
      unit,
      value: ours,
      baseline: bcoin,
      baselineName: 'bcoin 1.0.2 Peer ↔ Peer (target ≥ 1.5)',
      ratio: ours / bcoin,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'relay',
    async run() {
      const receiver = new Receiver();
      // Loopback throughput between two processes swings with where the scheduler puts them:
      // each contender runs ROUNDS times, alternating, and the medians are compared.
      const limitRuns: Figures[] = [];
      const ourRuns: Figures[] = [];
      // A relayed block: decoded from the wire, so its raw bytes are reused on the way out.
      const blockFrame = encodeMessage(bigBlock(ONE_MIB_OF_TRANSACTIONS), { network });
      const block = decodeMessage(blockFrame, { network });
      const mib = blockFrame.length / 2 ** 20;
      try {
        const blockFrames = function* () {
          for (let i = 0; i < BLOCKS; i++) yield blockFrame;
        };
        const blocks = function* () {
          for (let i = 0; i < BLOCKS; i++) yield block;
        };
        const invFrames = function* () {
          for (let i = 0; i < INVS; i++) yield encodeMessage(inv(i), { network });
        };
        const invs = function* () {
          for (let i = 0; i < INVS; i++) yield inv(i);
        };
        for (let round = 0; round < ROUNDS; round++) {
          limitRuns.push({
            blocks: (await bareOneWay(receiver, blockFrames, BLOCKS)) * mib,
            invs: await bareOneWay(receiver, invFrames, INVS),
            pings: await barePingPong(receiver),
          });
          ourRuns.push({
            blocks: (await peerOneWay(receiver, blocks, BLOCKS)) * mib,
            invs: await peerOneWay(receiver, invs, INVS),
            pings: await peerPingPong(receiver),
          });
        }
      } finally {
        receiver.stop();
      }
      const bcoinRuns: Figures[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const run = await bcoinRelay({ blocks: BLOCKS, invs: INVS, pingMs: PING_MS });
        if (!run) break;
        bcoinRuns.push({
          blocks: run.blocksPerSecond * run.blockMiB,
          invs: run.invsPerSecond,
          pings: run.pingRoundTripsPerSecond,
        });
      }
      const ours = medians(ourRuns);
      const limit = medians(limitRuns);
      const bcoin = bcoinRuns.length > 0 ? medians(bcoinRuns) : undefined;
      return [
        vsLimit('1 MiB blocks relayed one way', 'MiB/s', ours.blocks, limit.blocks, 'target ≥ 0.8'),
        ...vsBcoin('1 MiB blocks relayed one way', 'MiB/s', ours.blocks, bcoin?.blocks),
        vsLimit('one-entry invs one way', 'msg/s', ours.invs, limit.invs, 'target ≥ 100,000 msg/s'),
        ...vsBcoin('one-entry invs one way', 'msg/s', ours.invs, bcoin?.invs),
        vsLimit('ping/pong round trips', 'rt/s', ours.pings, limit.pings, 'sequential, one in flight'),
        ...vsBcoin('ping/pong round trips', 'rt/s', ours.pings, bcoin?.pings),
      ];
    },
  },
];
