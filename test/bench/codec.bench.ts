import { createHash } from 'node:crypto';
import { blake256Checksum } from '../../src/wire/decred/hash.js';
import { decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';
import { loadBcoin, loadBitcoreP2P, requireFromPartner } from '../interop/support/partners.js';
import { type Benchmark, type BenchRow, opsPerSecond, throughputRow } from './harness.js';
import { bigBlock, filled, transaction } from './support/samples.js';

const network = bitcoinNetworks.regtest;
const options = { network };
const bcoin = loadBcoin();
const bitcore = loadBitcoreP2P();

const samples: [string, Message][] = [
  [
    'version',
    {
      command: 'version',
      protocolVersion: 70016,
      services: 9n,
      timestamp: 1_700_000_000n,
      addrYou: { services: 0n, ip: filled(16, 1), port: 18444 },
      addrMe: { services: 9n, ip: filled(16, 2), port: 0 },
      nonce: 0x1234n,
      userAgent: '/peerchart:0.1.0/',
      lastBlock: 800_000,
      relay: true,
    },
  ],
  ['ping', { command: 'ping', nonce: 0x0102030405060708n }],
  [
    'inv of 50,000',
    {
      command: 'inv',
      inventory: Array.from({ length: 50_000 }, (_, i) => ({ type: 1, hash: filled(32, i) })),
    },
  ],
  [
    'headers of 2,000',
    {
      command: 'headers',
      headers: Array.from({ length: 2000 }, (_, i) => ({
        version: 1,
        prevBlock: filled(32, i),
        merkleRoot: filled(32, i + 1),
        timestamp: i,
        bits: 0x1d00ffff,
        nonce: i,
      })),
    },
  ],
  ['1 MB block', bigBlock()],
  ['tx', { command: 'tx', transaction: transaction(7) }],
];

/** Their decoder for a whole frame, or undefined when the partner is not installed. */
function bcoinDecoder(): ((frame: Uint8Array) => unknown) | undefined {
  if (!bcoin) return undefined;
  const parser = new bcoin.net.Parser(bcoin.Network.get('regtest'));
  let last: unknown;
  parser.on('packet', (packet: unknown) => {
    last = packet;
  });
  parser.on('error', (error: Error) => {
    throw error;
  });
  return (frame) => {
    parser.feed(Buffer.from(frame.buffer, frame.byteOffset, frame.length));
    return last;
  };
}

function bitcoreDecoder(): ((frame: Uint8Array) => unknown) | undefined {
  if (!bitcore) return undefined;
  const Buffers = requireFromPartner('bitcore', 'buffers');
  const messages = new bitcore.p2p.Messages({ network: bitcore.bitcore.Networks.get('regtest') });
  return (frame) => {
    const buffers = new Buffers();
    buffers.push(Buffer.from(frame.buffer, frame.byteOffset, frame.length));
    return messages.parseBuffer(buffers);
  };
}

/** Their encoder: parse our frame once into their message object, then time its serialisation. */
function bcoinEncoder(frame: Uint8Array): (() => unknown) | undefined {
  const decode = bcoinDecoder();
  if (!decode) return undefined;
  const packet = decode(frame) as { cmd: string; toRaw(): Buffer } | undefined;
  if (!packet) return undefined;
  const framer = new bcoin.net.Framer(bcoin.Network.get('regtest'));
  return () => framer.packet(packet.cmd, packet.toRaw());
}

function bitcoreEncoder(frame: Uint8Array): (() => unknown) | undefined {
  const decode = bitcoreDecoder();
  if (!decode) return undefined;
  const message = decode(frame) as { toBuffer(): Buffer } | undefined;
  return message ? () => message.toBuffer() : undefined;
}

function measure(fn: (() => unknown) | undefined): number | undefined {
  if (!fn) return undefined;
  try {
    fn();
  } catch {
    return undefined; // the partner cannot handle this message
  }
  return opsPerSecond(fn);
}

export const benchmarks: Benchmark[] = [
  {
    name: 'codec',
    run() {
      const rows: BenchRow[] = [];
      for (const [name, message] of samples) {
        const frame = encodeMessage(message, options);
        const bytes = frame.length;
        const ourDecode = opsPerSecond(() => decodeMessage(frame, options));
        const bcoinDecode = bcoinDecoder();
        const bitcoreDecode = bitcoreDecoder();
        const theirDecode = {
          'bcoin 1.0.2': measure(bcoinDecode && (() => bcoinDecode(frame))),
          'bitcore-p2p 10.10.7': measure(bitcoreDecode && (() => bitcoreDecode(frame))),
        };
        rows.push(throughputRow(`decode ${name}`, ourDecode, theirDecode));
        // Encoding what was received (the relay case), as the partners do from their parsed packets.
        const received = decodeMessage(frame, options);
        const ourEncode = opsPerSecond(() => encodeMessage(received, options));
        rows.push(
          throughputRow(`encode ${name}`, ourEncode, {
            'bcoin 1.0.2': measure(bcoinEncoder(frame)),
            'bitcore-p2p 10.10.7': measure(bitcoreEncoder(frame)),
          }),
        );
        if (bytes > 100_000) {
          rows.push({ name: `decode ${name} (MB/s)`, unit: 'MB/s', value: (ourDecode * bytes) / 1e6 });
        }
      }
      // The block's transactions are decoded on first use; this row pays for all of them.
      const block = encodeMessage(bigBlock(), options);
      const materialised = opsPerSecond(() => {
        const message = decodeMessage(block, options);
        if (message.command === 'block') void message.transactions.length;
      });
      const blockPayload = bcoin ? Buffer.from(block.subarray(24)) : undefined;
      rows.push(
        throughputRow('decode 1 MB block, every tx materialised', materialised, {
          'bcoin 1.0.2 Block.fromRaw': measure(blockPayload && (() => bcoin.Block.fromRaw(blockPayload))),
        }),
      );
      const blockMessage = bigBlock();
      rows.push({
        name: 'serialise 1 MB block from objects',
        unit: 'msg/s',
        value: opsPerSecond(() => encodeMessage(blockMessage, options)),
      });
      // Checksum cost: our whole decode against a bare node:crypto double SHA-256 of the same payload.
      const payload = block.subarray(24);
      const bare = opsPerSecond(() =>
        createHash('sha256').update(createHash('sha256').update(payload).digest()).digest(),
      );
      const ours = opsPerSecond(() => decodeMessage(block, options));
      rows.push({
        name: '1 MB block decode vs bare double SHA-256',
        unit: 'cost',
        value: 1e6 / ours,
        baseline: 1e6 / bare,
        baselineName: 'µs per block; ratio = our cost / bare checksum cost (target ≤ 1.2)',
        ratio: bare / ours,
      });
      return rows;
    },
  },
];

/** Decred's checksum is a single BLAKE-256, pure JS (node:crypto has no BLAKE). */
benchmarks.push({
  name: 'decred checksum',
  run() {
    const payload = new Uint8Array(1_300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const megabytes = payload.length / 1e6;
    const blake = opsPerSecond(() => blake256Checksum(payload), { runs: 3 });
    const sha = opsPerSecond(
      () => createHash('sha256').update(createHash('sha256').update(payload).digest()).digest(),
      {
        runs: 3,
      },
    );
    return [
      {
        name: 'BLAKE-256 checksum of a 1.3 MB block',
        unit: 'MB/s',
        value: blake * megabytes,
        baseline: sha * megabytes,
        baselineName: 'node:crypto double SHA-256 of the same bytes',
        ratio: blake / sha,
      },
    ];
  },
});
