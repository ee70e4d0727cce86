/**
 * The relay workloads of relay.bench.ts between two bcoin 1.0.2 `Peer` objects (bcoin's own
 * lib/net/peer.js, regtest, full handshake) over loopback, the receiver forked into its own
 * process as the peerchart rows are: 1 MiB blocks and one-entry invs one way, sequential
 * ping/pong round trips. Each one-way workload is timed from the first send until the receiver
 * reports it has parsed the last packet.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { encodeMessage, networks } from '../../../src/index.js';
import { type BcoinModule, loadBcoin } from '../../interop/support/partners.js';
import { collectGarbage } from '../harness.js';
import type { BcoinRelayReply, BcoinRelayRequest } from './bcoin-relay-peer.js';
import { bigBlock, ONE_MIB_OF_TRANSACTIONS } from './samples.js';

export interface BcoinRelayResult {
  blocksPerSecond: number;
  /** One block frame (header included), in MiB: MiB/s is blocksPerSecond * blockMiB. */
  blockMiB: number;
  invsPerSecond: number;
  pingRoundTripsPerSecond: number;
}

/** The parts of bcoin's Peer used here (bcoin ships no types). */
interface BcoinPeer {
  send(packet: unknown): void;
  connect(addr: unknown): void;
  open(): Promise<void>;
  sendPing(): void;
  drain(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: never[]) => void): void;
}

/** Same window as peerchart's peerOneWay: a relaying node holds a bounded queue. */
const INV_WINDOW = 1000;

class Receiver {
  readonly child: ChildProcess;
  private readonly exited: Promise<never>;
  constructor() {
    this.child = fork(fileURLToPath(new URL('./bcoin-relay-peer.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    this.exited = once(this.child, 'exit').then(([code]) => {
      throw new Error(`bcoin relay receiver exited (${code})`);
    });
    this.exited.catch(() => {});
  }
  /** The next reply, or an error if the child dies first (a plain `once` would hang). */
  private reply(): Promise<BcoinRelayReply> {
    const message = once(this.child, 'message') as Promise<[BcoinRelayReply]>;
    return Promise.race([message.then(([reply]) => reply), this.exited]);
  }
  async listen(): Promise<number> {
    const reply = this.reply();
    this.child.send({ kind: 'listen' } satisfies BcoinRelayRequest);
    return ((await reply) as { port: number }).port;
  }
  /** Resolves when the receiver has counted `count` block/inv packets. */
  expect(count: number): Promise<unknown> {
    const reply = this.reply();
    this.child.send({ kind: 'expect', count } satisfies BcoinRelayRequest);
    return reply;
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exit = once(this.child, 'exit');
    // The child exits on 'disconnect'; the kill is only for a child that is stuck.
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill(), 2000);
    await exit;
    clearTimeout(timer);
  }
}

/** An outbound bcoin Peer after bcoin's own handshake, and a promise that rejects when it closes. */
async function connect(
  bcoin: BcoinModule,
  port: number,
): Promise<{ peer: BcoinPeer; closed: Promise<never> }> {
  const peer: BcoinPeer = bcoin.net.Peer.fromOptions({ network: 'regtest' });
  let lastError: Error | undefined;
  // bcoin emits 'error' before destroying a peer; without a listener it would throw.
  peer.on('error', (error: Error) => {
    lastError = error;
  });
  const closed = new Promise<never>((_, reject) => {
    peer.on('close', () => reject(lastError ?? new Error('bcoin peer closed')));
  });
  closed.catch(() => {});
  peer.connect(bcoin.net.NetAddress.fromHost('127.0.0.1', port, 'regtest'));
  await Promise.race([peer.open(), closed]);
  return { peer, closed };
}

/**
 * Sends every packet with bcoin's Peer#send, waiting on bcoin's Peer#drain after each `window`
 * packets. bcoin destroys a peer once 10 MiB (Peer.DRAIN_MAX) has been written while its socket
 * was over its high-water mark without a 'drain' in between ("Peer stalled (drain)"), so the
 * window must keep the bytes sent between drains under that; its pool does the same when it
 * serves getdata (a drain after every block).
 */
async function oneWay(
  bcoin: BcoinModule,
  receiver: Receiver,
  packets: () => Iterable<unknown>,
  count: number,
  window: number,
): Promise<number> {
  const { peer, closed } = await connect(bcoin, await receiver.listen());
  try {
    collectGarbage();
    const done = receiver.expect(count);
    const start = performance.now();
    const send = async () => {
      let inWindow = 0;
      for (const packet of packets()) {
        peer.send(packet);
        if (++inWindow === window) {
          inWindow = 0;
          await peer.drain();
        }
      }
      await done;
    };
    await Promise.race([send(), closed]);
    return count / ((performance.now() - start) / 1000);
  } finally {
    peer.destroy();
  }
}

/** Sequential pings with bcoin's own Peer#sendPing (fresh nonce each); the receiver's Peer answers. */
async function pingPong(bcoin: BcoinModule, receiver: Receiver, pingMs: number): Promise<number> {
  const { peer, closed } = await connect(bcoin, await receiver.listen());
  try {
    const PONG: number = bcoin.net.packets.types.PONG;
    let onPong = () => {};
    peer.on('packet', (packet: { type: number }) => {
      if (packet.type === PONG) onPong();
    });
    collectGarbage();
    let trips = 0;
    const start = performance.now();
    const run = async () => {
      while (performance.now() - start < pingMs) {
        const pong = new Promise<void>((resolve) => {
          onPong = resolve;
        });
        // Emitted after bcoin's handlePong cleared its challenge, so the next sendPing goes out.
        peer.sendPing();
        await pong;
        trips++;
      }
    };
    await Promise.race([run(), closed]);
    return trips / ((performance.now() - start) / 1000);
  } finally {
    peer.destroy();
  }
}

export async function bcoinRelay(options: {
  blocks: number;
  invs: number;
  pingMs: number;
}): Promise<BcoinRelayResult | undefined> {
  const bcoin = loadBcoin();
  if (!bcoin) return undefined;
  const { packets } = bcoin.net;

  // Decoded once, outside the timed loop, as a relaying bcoin node holds a received block: its
  // raw serialization is cached, so each send reuses it (bcoin still reframes and rehashes it).
  const frame = encodeMessage(bigBlock(ONE_MIB_OF_TRANSACTIONS), { network: networks.bitcoin.regtest });
  const payload = Buffer.from(frame.buffer, frame.byteOffset + 24, frame.length - 24);
  const block = bcoin.Block.fromRaw(payload);
  if (block.getSize() !== payload.length) throw new Error('bcoin did not round-trip the block');
  const blockPacket = new packets.BlockPacket(block, true);
  // As many blocks as fit under bcoin's drain limit between drains (9 of these 1 MiB ones).
  const blockWindow = Math.max(1, Math.floor((bcoin.net.Peer.DRAIN_MAX - 1) / frame.length));

  const receiver = new Receiver();
  try {
    const blocksPerSecond = await oneWay(
      bcoin,
      receiver,
      function* () {
        for (let i = 0; i < options.blocks; i++) yield blockPacket;
      },
      options.blocks,
      blockWindow,
    );

    const invsPerSecond = await oneWay(
      bcoin,
      receiver,
      function* () {
        for (let i = 0; i < options.invs; i++) {
          const hash = Buffer.alloc(32);
          hash.writeUInt32LE(i, 0);
          yield new packets.InvPacket([new bcoin.InvItem(1, hash)]);
        }
      },
      options.invs,
      INV_WINDOW,
    );

    const pingRoundTripsPerSecond = await pingPong(bcoin, receiver, options.pingMs);
    return { blocksPerSecond, blockMiB: frame.length / 2 ** 20, invsPerSecond, pingRoundTripsPerSecond };
  } finally {
    await receiver.stop();
  }
}
