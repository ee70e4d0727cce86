import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bitcoinFamily } from '../../../src/wire/bitcoin/index.js';
import type { BlockHeader, Transaction } from '../../../src/wire/bitcoin/types.js';
import { WireError } from '../../../src/wire/errors.js';
import { decodeMessage, encodeFrameParts, encodeMessage, type Message } from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { formatServices } from '../../../src/wire/services.js';

const network = bitcoinNetworks.regtest;

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const ip = fc.uint8Array({ minLength: 16, maxLength: 16 });
const port = fc.integer({ min: 0, max: 0xffff });
const plain = <T>(arbitrary: fc.Arbitrary<T>) => arbitrary.map((value) => ({ ...value }) as T);

const header: fc.Arbitrary<BlockHeader> = plain(
  fc.record({ version: i32, prevBlock: hash, merkleRoot: hash, timestamp: u32, bits: u32, nonce: u32 }),
);
const transaction: fc.Arbitrary<Transaction> = fc
  .record({
    version: i32,
    inputs: fc.array(
      fc.record({
        previousOutput: plain(fc.record({ hash, index: u32 })),
        script: bytes(40),
        sequence: u32,
        witness: fc.array(bytes(20), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    outputs: fc.array(plain(fc.record({ value: i64, script: bytes(30) })), { maxLength: 3 }),
    lockTime: u32,
  })
  .map((tx) => ({ ...tx, inputs: tx.inputs.map((input) => ({ ...input })) }));
const inventory = fc.array(plain(fc.record({ type: u32, hash })), { maxLength: 5 });

/** One arbitrary per command: the property runs over every message the codec knows. */
const arbitraries: Record<string, fc.Arbitrary<Message>> = {
  version: fc
    .record({
      protocolVersion: fc.integer({ min: 70001, max: 70016 }),
      services: u64,
      timestamp: i64,
      addrYou: plain(fc.record({ services: u64, ip, port })),
      addrMe: plain(fc.record({ services: u64, ip, port })),
      nonce: u64,
      userAgent: fc.string({ maxLength: 40 }),
      lastBlock: i32,
      relay: fc.boolean(),
    })
    .map((fields) => ({ command: 'version', ...fields })),
  verack: fc.constant({ command: 'verack' }),
  getaddr: fc.constant({ command: 'getaddr' }),
  mempool: fc.constant({ command: 'mempool' }),
  sendheaders: fc.constant({ command: 'sendheaders' }),
  sendaddrv2: fc.constant({ command: 'sendaddrv2' }),
  wtxidrelay: fc.constant({ command: 'wtxidrelay' }),
  filterclear: fc.constant({ command: 'filterclear' }),
  ping: u64.map((nonce) => ({ command: 'ping', nonce })),
  pong: u64.map((nonce) => ({ command: 'pong', nonce })),
  feefilter: i64.map((feeRate) => ({ command: 'feefilter', feeRate })),
  reject: fc
    .record({
      message: fc.constantFrom('tx', 'block', 'version'),
      code: fc.integer({ min: 0, max: 255 }),
      reason: fc.string(),
      hash,
    })
    .map(({ message, code, reason, hash: h }) =>
      message === 'version'
        ? { command: 'reject', message, code, reason }
        : { command: 'reject', message, code, reason, hash: h },
    ),
  alert: bytes(50).map((payload) => ({ command: 'alert', payload })),
  addr: fc
    .array(plain(fc.record({ timestamp: u32, services: u64, ip, port })), { maxLength: 5 })
    .map((addresses) => ({ command: 'addr', addresses })),
  addrv2: fc
    .array(
      fc.oneof(
        plain(
          fc.record({
            timestamp: u32,
            services: u64,
            networkId: fc.constant(1),
            addr: bytes(4).filter((b) => b.length === 4),
            port,
          }),
        ),
        plain(
          fc.record({
            timestamp: u32,
            services: u64,
            networkId: fc.constant(4),
            addr: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            port,
          }),
        ),
      ),
      { maxLength: 4 },
    )
    .map((addresses) => ({ command: 'addrv2', addresses })),
  inv: inventory.map((items) => ({ command: 'inv', inventory: items })),
  getdata: inventory.map((items) => ({ command: 'getdata', inventory: items })),
  notfound: inventory.map((items) => ({ command: 'notfound', inventory: items })),
  getblocks: fc
    .record({ protocolVersion: u32, locator: fc.array(hash, { maxLength: 5 }), hashStop: hash })
    .map((fields) => ({ command: 'getblocks', ...fields })),
  getheaders: fc
    .record({ protocolVersion: u32, locator: fc.array(hash, { maxLength: 5 }), hashStop: hash })
    .map((fields) => ({ command: 'getheaders', ...fields })),
  headers: fc.array(header, { maxLength: 4 }).map((headers) => ({ command: 'headers', headers })),
  tx: transaction.map((tx) => ({ command: 'tx', transaction: tx })),
  block: fc
    .record({ header, transactions: fc.array(transaction, { maxLength: 3 }) })
    .map((fields) => ({ command: 'block', ...fields })),
  merkleblock: fc
    .record({ header, totalTransactions: u32, hashes: fc.array(hash, { maxLength: 4 }), flags: bytes(4) })
    .map((fields) => ({ command: 'merkleblock', ...fields })),
  filterload: fc
    .record({
      filter: bytes(40),
      hashFunctions: fc.integer({ min: 0, max: 50 }),
      tweak: u32,
      flags: fc.integer({ min: 0, max: 2 }),
    })
    .map((fields) => ({ command: 'filterload', ...fields })),
  filteradd: bytes(520).map((data) => ({ command: 'filteradd', data })),
  getcfilters: fc
    .record({ filterType: fc.integer({ min: 0, max: 255 }), startHeight: u32, stopHash: hash })
    .map((fields) => ({ command: 'getcfilters', ...fields })),
  getcfheaders: fc
    .record({ filterType: fc.integer({ min: 0, max: 255 }), startHeight: u32, stopHash: hash })
    .map((fields) => ({ command: 'getcfheaders', ...fields })),
  getcfcheckpt: fc
    .record({ filterType: fc.integer({ min: 0, max: 255 }), stopHash: hash })
    .map((fields) => ({ command: 'getcfcheckpt', ...fields })),
  cfilter: fc
    .record({ filterType: fc.integer({ min: 0, max: 255 }), blockHash: hash, data: bytes(60) })
    .map((fields) => ({ command: 'cfilter', ...fields })),
  cfheaders: fc
    .record({
      filterType: fc.integer({ min: 0, max: 255 }),
      stopHash: hash,
      prevFilterHeader: hash,
      filterHashes: fc.array(hash, { maxLength: 4 }),
    })
    .map((fields) => ({ command: 'cfheaders', ...fields })),
  cfcheckpt: fc
    .record({
      filterType: fc.integer({ min: 0, max: 255 }),
      stopHash: hash,
      filterHeaders: fc.array(hash, { maxLength: 4 }),
    })
    .map((fields) => ({ command: 'cfcheckpt', ...fields })),
  sendcmpct: fc
    .record({ announce: fc.boolean(), version: u64 })
    .map((fields) => ({ command: 'sendcmpct', ...fields })),
  cmpctblock: fc
    .record({
      header,
      nonce: u64,
      shortIds: fc.array(fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }), { maxLength: 5 }),
      prefilled: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 3 }),
      transaction,
    })
    .map(({ header: h, nonce, shortIds, prefilled, transaction: tx }) => ({
      command: 'cmpctblock',
      header: h,
      nonce,
      shortIds,
      prefilledTransactions: prefilled.sort((a, b) => a - b).map((index) => ({ index, transaction: tx })),
    })),
  getblocktxn: fc
    .record({
      blockHash: hash,
      indexes: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }),
    })
    .map(({ blockHash, indexes }) => ({
      command: 'getblocktxn',
      blockHash,
      indexes: indexes.sort((a, b) => a - b),
    })),
  blocktxn: fc
    .record({ blockHash: hash, transactions: fc.array(transaction, { maxLength: 3 }) })
    .map((fields) => ({ command: 'blocktxn', ...fields })),
};

/** Lazy fields become plain data, decode-only fields (`raw`) are dropped, so messages compare by value. */
function normal(message: Message): unknown {
  const copy: Record<string, unknown> = { ...message };
  if (message.command === 'block') copy.transactions = message.transactions;
  delete copy.raw;
  return JSON.parse(
    JSON.stringify(copy, (_key, value) =>
      typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? Array.from(value) : value,
    ),
  );
}

describe('decode(encode(m)) = m for every message', () => {
  it('covers every command in the codec table', () => {
    assert.deepEqual([...bitcoinFamily.codecs.keys()].sort(), Object.keys(arbitraries).sort());
  });
  for (const [command, arbitrary] of Object.entries(arbitraries)) {
    it(command, () => {
      fc.assert(
        fc.property(arbitrary, fc.boolean(), (message, witness) => {
          const options = { network, witness };
          const frame = encodeMessage(message, options);
          const decoded = decodeMessage(frame, options);
          const expected =
            !witness && message.command === 'tx'
              ? { ...message, transaction: stripWitness(message.transaction) }
              : !witness && message.command === 'block'
                ? { ...message, transactions: message.transactions.map(stripWitness) }
                : message;
          if (witness || !['cmpctblock', 'blocktxn'].includes(command))
            assert.deepEqual(normal(decoded), normal(expected as Message));
          assert.deepEqual(encodeMessage(decoded, options), frame, 're-encodes to the same frame');
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('a relayed block (decoded, sent on)', () => {
  it('is framed from its received bytes and verified checksum, byte for byte', () => {
    fc.assert(
      fc.property(arbitraries.block!, (block) => {
        const frame = encodeMessage(block, { network });
        assert.deepEqual(encodeMessage(decodeMessage(frame, { network }), { network }), frame);
      }),
      { numRuns: 40 },
    );
  });
  it('goes out as a header and its received bytes, uncopied, equal to the whole frame', () => {
    fc.assert(
      fc.property(arbitraries.block!, (block) => {
        const frame = encodeMessage(block, { network });
        const relayed = decodeMessage(frame, { network }) as Message & { command: 'block' };
        const parts = encodeFrameParts(relayed, { network });
        assert.equal(parts.length, 2);
        assert.equal(parts[1], relayed.raw);
        assert.deepEqual(new Uint8Array(Buffer.concat(parts)), frame);
        relayed.transactions; // read: the raw bytes no longer stand for the block
        assert.deepEqual(encodeFrameParts(relayed, { network }), [frame]);
      }),
      { numRuns: 40 },
    );
  });
  it('is serialised afresh, with a new checksum, once its header was changed', () => {
    fc.assert(
      fc.property(arbitraries.block!, u32, (block, nonce) => {
        const frame = encodeMessage(block, { network });
        const relayed = decodeMessage(frame, { network }) as Message & { command: 'block' };
        fc.pre(nonce !== relayed.header.nonce);
        relayed.header.nonce = nonce;
        const again = decodeMessage(encodeMessage(relayed, { network }), { network });
        assert.equal(again.command === 'block' && again.header.nonce, nonce);
      }),
      { numRuns: 40 },
    );
  });
});

function stripWitness(tx: Transaction): Transaction {
  return { ...tx, inputs: tx.inputs.map((input) => ({ ...input, witness: [] })) };
}

describe('limits at max and max + 1', () => {
  const cases: [string, (n: number) => Message, number][] = [
    [
      'inv',
      (n) => ({
        command: 'inv',
        inventory: Array.from({ length: n }, () => ({ type: 1, hash: new Uint8Array(32) })),
      }),
      50_000,
    ],
    [
      'addr',
      (n) => ({
        command: 'addr',
        addresses: Array.from({ length: n }, () => ({
          timestamp: 0,
          services: 0n,
          ip: new Uint8Array(16),
          port: 0,
        })),
      }),
      1000,
    ],
    [
      'getheaders',
      (n) => ({
        command: 'getheaders',
        protocolVersion: 0,
        locator: Array.from({ length: n }, () => new Uint8Array(32)),
        hashStop: new Uint8Array(32),
      }),
      500,
    ],
    [
      'headers',
      (n) => ({
        command: 'headers',
        headers: Array.from({ length: n }, () => ({
          version: 1,
          prevBlock: new Uint8Array(32),
          merkleRoot: new Uint8Array(32),
          timestamp: 0,
          bits: 0,
          nonce: 0,
        })),
      }),
      2000,
    ],
    ['filteradd', (n) => ({ command: 'filteradd', data: new Uint8Array(n) }), 520],
    [
      'filterload',
      (n) => ({ command: 'filterload', filter: new Uint8Array(n), hashFunctions: 1, tweak: 0, flags: 0 }),
      36_000,
    ],
  ];
  for (const [command, make, max] of cases) {
    it(`${command}: ${max} accepted, ${max + 1} refused by encoder and decoder`, () => {
      const atMax = make(max);
      assert.equal(decodeMessage(encodeMessage(atMax, { network }), { network }).command, command);
      assert.throws(() => encodeMessage(make(max + 1), { network }), WireError);
      // Forge the over-limit count on the wire: the decoder must refuse it from the count alone.
      const frame = encodeMessage(make(0), { network });
      assert.throws(
        () => decodeMessage(forgeCount(command, max + 1, frame), { network }),
        (error: unknown) =>
          error instanceof WireError && ['too-many-entries', 'length-exceeds-maximum'].includes(error.code),
      );
    });
  }
});

/** Replaces the leading count of an empty-list frame with `count` (and fixes length and checksum). */
function forgeCount(command: string, count: number, emptyFrame: Uint8Array): Uint8Array {
  const payload = emptyFrame.subarray(24);
  const countOffset = command === 'getheaders' ? 4 : 0;
  const prefix =
    count < 0xfd
      ? Uint8Array.of(count)
      : count <= 0xffff
        ? Uint8Array.of(0xfd, count & 0xff, count >> 8)
        : Uint8Array.of(0xfe, count & 0xff, (count >> 8) & 0xff, (count >> 16) & 0xff, count >>> 24);
  const forgedPayload = new Uint8Array(payload.length - 1 + prefix.length);
  forgedPayload.set(payload.subarray(0, countOffset));
  forgedPayload.set(prefix, countOffset);
  forgedPayload.set(payload.subarray(countOffset + 1), countOffset + prefix.length);
  return encodeMessage({ command: 'unknown', rawCommand: command, payload: forgedPayload }, { network });
}

describe('services', () => {
  it("prints btcd's names", () => {
    assert.equal(formatServices(0n), '0x0');
    assert.equal(formatServices(0x9n), 'SFNodeNetwork|SFNodeWitness');
    assert.equal(
      formatServices(0x409n | (1n << 24n)),
      'SFNodeNetwork|SFNodeWitness|SFNodeNetworkLimited|0x1000000',
    );
  });
});
