import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decredFamily } from '../../../../src/wire/decred/index.js';
import { DecredProtocol, decredNetworks } from '../../../../src/wire/decred/networks.js';
import {
  type DecredBlockHeader,
  type DecredMessage,
  type DecredTransaction,
  type DecredTxIn,
  TxSerType,
} from '../../../../src/wire/decred/types.js';
import { WireError } from '../../../../src/wire/errors.js';
import { decodeMessage, encodeMessage } from '../../../../src/wire/message.js';
import { decodeFrame, encodeFrame } from './frames.js';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const fixed = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const nonNegative64 = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
const ascii = (maxLength: number) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength }).map((codes) => String.fromCharCode(...codes));
const hashes = (maxLength: number) => fc.array(hash, { maxLength });
const plain = <T>(arbitrary: fc.Arbitrary<T>) => arbitrary.map((value) => ({ ...value }) as T);
const address = plain(fc.record({ services: u64, ip: fixed(16), port: u16 }));

const header: fc.Arbitrary<DecredBlockHeader> = plain(
  fc.record({
    version: i32,
    prevBlock: hash,
    merkleRoot: hash,
    stakeRoot: hash,
    voteBits: u16,
    finalState: fixed(6),
    voters: u16,
    freshStake: u8,
    revocations: u8,
    poolSize: u32,
    bits: u32,
    sBits: i64,
    height: u32,
    size: u32,
    timestamp: u32,
    nonce: u32,
    extraData: hash,
    stakeVersion: u32,
  }),
);

const input: fc.Arbitrary<DecredTxIn> = fc
  .record({
    hash,
    index: u32,
    tree: fc.integer({ min: -128, max: 127 }),
    sequence: u32,
    valueIn: i64,
    blockHeight: u32,
    blockIndex: u32,
    script: bytes(40),
  })
  .map(({ hash: h, index, tree, ...rest }) => ({ previousOutput: { hash: h, index, tree }, ...rest }));

/** A transaction as it reads back in its serialisation: sections not on the wire are zeros. */
const transaction: fc.Arbitrary<DecredTransaction> = fc
  .record({
    serType: fc.constantFrom(TxSerType.full, TxSerType.noWitness, TxSerType.onlyWitness),
    version: u16,
    inputs: fc.array(input, { maxLength: 3 }),
    outputs: fc.array(plain(fc.record({ value: i64, version: u16, script: bytes(30) })), { maxLength: 3 }),
    lockTime: u32,
    expiry: u32,
  })
  .map((tx) => {
    if (tx.serType === TxSerType.noWitness) {
      const inputs = tx.inputs.map((i) => ({
        ...i,
        valueIn: 0n,
        blockHeight: 0,
        blockIndex: 0,
        script: new Uint8Array(0),
      }));
      return { ...tx, inputs };
    }
    if (tx.serType === TxSerType.onlyWitness) {
      const inputs = tx.inputs.map((i) => ({
        ...i,
        previousOutput: { hash: new Uint8Array(32), index: 0, tree: 0 },
        sequence: 0,
      }));
      return { ...tx, inputs, outputs: [], lockTime: 0, expiry: 0 };
    }
    return tx;
  });

const session = { signature: fixed(64), identity: fixed(33), sessionId: fixed(32), run: u32 };
const outPoint = plain(fc.record({ hash, index: u32, tree: fc.integer({ min: -128, max: 127 }) }));
const filterV2 = plain(
  fc.record({ blockHash: hash, data: bytes(60), proofIndex: u32, proofHashes: hashes(4) }),
);
const addrV2Entry = fc
  .record({
    timestamp: fc.bigInt({ min: 0n, max: 0x7fffffffffffffffn - 62_135_596_800n }),
    services: u64,
    type: fc.constantFrom(1, 2, 3),
    port: u16,
  })
  .chain((entry) =>
    fixed(entry.type === 1 ? 4 : entry.type === 2 ? 16 : 32).map((addr) => ({ ...entry, addr })),
  );
const matrix = (rows: number, columns: number, cell: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(fc.integer({ min: 1, max: rows }), fc.integer({ min: 1, max: columns }))
    .chain(([r, c]) =>
      fc.array(fc.array(cell, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }),
    );

/** One arbitrary per command: the property runs over every message the family knows. */
const arbitraries: Record<string, fc.Arbitrary<DecredMessage>> = {
  version: fc
    .record({
      protocolVersion: i32,
      services: u64,
      timestamp: i64,
      addrYou: address,
      addrMe: address,
      nonce: u64,
      userAgent: ascii(60),
      lastBlock: i32,
      relay: fc.boolean(),
    })
    .map((fields) => ({ command: 'version', ...fields })),
  verack: fc.constant({ command: 'verack' }),
  getaddr: fc.constant({ command: 'getaddr' }),
  mempool: fc.constant({ command: 'mempool' }),
  sendheaders: fc.constant({ command: 'sendheaders' }),
  getminings: fc.constant({ command: 'getminings' }),
  getcftypes: fc.constant({ command: 'getcftypes' }),
  ping: u64.map((nonce) => ({ command: 'ping', nonce })),
  pong: u64.map((nonce) => ({ command: 'pong', nonce })),
  feefilter: i64.map((feeRate) => ({ command: 'feefilter', feeRate })),
  reject: fc
    .record({
      message: fc.constantFrom('tx', 'block', 'version', 'getdata'),
      code: u8,
      reason: ascii(40),
      hash,
    })
    .map(({ message, code, reason, hash: h }) =>
      message === 'tx' || message === 'block'
        ? { command: 'reject', message, code, reason, hash: h }
        : { command: 'reject', message, code, reason },
    ),
  addr: fc
    .array(plain(fc.record({ timestamp: u32, services: u64, ip: fixed(16), port: u16 })), { maxLength: 5 })
    .map((addresses) => ({ command: 'addr', addresses })),
  addrv2: fc
    .array(addrV2Entry, { minLength: 1, maxLength: 5 })
    .map((addresses) => ({ command: 'addrv2', addresses })),
  inv: fc
    .array(plain(fc.record({ type: u32, hash })), { maxLength: 5 })
    .map((inventory) => ({ command: 'inv', inventory })),
  getdata: fc
    .array(plain(fc.record({ type: u32, hash })), { maxLength: 5 })
    .map((inventory) => ({ command: 'getdata', inventory })),
  notfound: fc
    .array(plain(fc.record({ type: u32, hash })), { maxLength: 5 })
    .map((inventory) => ({ command: 'notfound', inventory })),
  getblocks: fc
    .record({ protocolVersion: u32, locator: hashes(5), hashStop: hash })
    .map((fields) => ({ command: 'getblocks', ...fields })),
  getheaders: fc
    .record({ protocolVersion: u32, locator: hashes(5), hashStop: hash })
    .map((fields) => ({ command: 'getheaders', ...fields })),
  headers: fc.array(header, { maxLength: 3 }).map((headers) => ({ command: 'headers', headers })),
  tx: transaction.map((tx) => ({ command: 'tx', transaction: tx })),
  block: fc
    .record({
      header,
      transactions: fc.array(transaction, { maxLength: 3 }),
      stakeTransactions: fc.array(transaction, { maxLength: 2 }),
    })
    .map((fields) => ({ command: 'block', ...fields })),
  miningstate: fc
    .record({ version: u32, height: u32, blockHashes: hashes(8), voteHashes: hashes(6) })
    .map((fields) => ({ command: 'miningstate', ...fields })),
  getinitstate: fc.array(ascii(32), { maxLength: 5 }).map((types) => ({ command: 'getinitstate', types })),
  initstate: fc
    .record({ blockHashes: hashes(8), voteHashes: hashes(6), tspendHashes: hashes(7) })
    .map((fields) => ({ command: 'initstate', ...fields })),
  getcfilter: fc
    .record({ blockHash: hash, filterType: u8 })
    .map((fields) => ({ command: 'getcfilter', ...fields })),
  getcfheaders: fc
    .record({ locator: hashes(5), hashStop: hash, filterType: u8 })
    .map((fields) => ({ command: 'getcfheaders', ...fields })),
  cfilter: fc
    .record({ blockHash: hash, filterType: u8, data: bytes(60) })
    .map((fields) => ({ command: 'cfilter', ...fields })),
  cfheaders: fc
    .record({ stopHash: hash, filterType: u8, headerHashes: hashes(5) })
    .map((fields) => ({ command: 'cfheaders', ...fields })),
  cftypes: fc
    .array(u8, { maxLength: 8 })
    .map((supportedFilters) => ({ command: 'cftypes', supportedFilters })),
  getcfilterv2: hash.map((blockHash) => ({ command: 'getcfilterv2', blockHash })),
  cfilterv2: filterV2.map((filter) => ({ command: 'cfilterv2', ...filter })),
  getcfsv2: fc
    .record({ startHash: hash, endHash: hash })
    .map((fields) => ({ command: 'getcfsv2', ...fields })),
  cfiltersv2: fc.array(filterV2, { maxLength: 3 }).map((filters) => ({ command: 'cfiltersv2', filters })),
  mixpairreq: fc
    .record({
      signature: fixed(64),
      identity: fixed(33),
      expiry: u32,
      mixAmount: nonNegative64,
      scriptClass: ascii(32),
      txVersion: u16,
      lockTime: u32,
      messageCount: u32,
      inputValue: nonNegative64,
      utxos: fc.array(
        plain(
          fc.record({ outPoint, script: bytes(40), pubKey: bytes(33), signature: bytes(64), opcode: u8 }),
        ),
        { maxLength: 3 },
      ),
      change: fc.option(plain(fc.record({ value: i64, version: u16, script: bytes(25) })), {
        nil: undefined,
      }),
      flags: u8,
      pairingFlags: u8,
    })
    .map(({ change, ...fields }) =>
      change === undefined
        ? { command: 'mixpairreq', ...fields }
        : { command: 'mixpairreq', ...fields, change },
    ),
  mixkeyxchg: fc
    .record({
      ...session,
      epoch: u64,
      pos: u32,
      ecdh: fixed(33),
      pqpk: fixed(1218),
      commitment: fixed(32),
      seenPairRequests: hashes(4),
    })
    .map((fields) => ({ command: 'mixkeyxchg', ...fields })),
  mixcphrtxt: fc
    .record({ ...session, pairs: fc.array(fc.tuple(fixed(1047), hash), { maxLength: 3 }) })
    .map(({ pairs, ...fields }) => ({
      command: 'mixcphrtxt',
      ...fields,
      ciphertexts: pairs.map(([ciphertext]) => ciphertext),
      seenKeyExchanges: pairs.map(([, seen]) => seen),
    })),
  mixslotres: fc
    .record({ ...session, dcMix: matrix(3, 3, bytes(32)), seenCiphertexts: hashes(4) })
    .map((fields) => ({ command: 'mixslotres', ...fields })),
  mixfactpoly: fc
    .record({ ...session, roots: fc.array(bytes(32), { maxLength: 4 }), seenSlotReserves: hashes(4) })
    .map((fields) => ({ command: 'mixfactpoly', ...fields })),
  mixdcnet: fc
    .record({ ...session, dcNet: matrix(3, 3, fixed(20)), seenSlotReserves: hashes(4) })
    .map((fields) => ({ command: 'mixdcnet', ...fields })),
  mixconfirm: fc
    .record({ ...session, mix: transaction, seenDCNets: hashes(4) })
    .map((fields) => ({ command: 'mixconfirm', ...fields })),
  mixsecrets: fc
    .record({
      ...session,
      seed: fixed(32),
      slotReserveMessages: fc.array(bytes(32), { maxLength: 4 }),
      dcNetMessages: fc.array(fixed(20), { maxLength: 4 }),
      seenSecrets: hashes(4),
    })
    .map((fields) => ({ command: 'mixsecrets', ...fields })),
};

/** Lazy trees become plain data and decode-only fields (`raw`) are dropped, so messages compare by value. */
function normal(message: DecredMessage): unknown {
  const copy: Record<string, unknown> = { ...message };
  if (message.command === 'block') {
    copy.transactions = message.transactions;
    copy.stakeTransactions = message.stakeTransactions;
  }
  delete copy.raw;
  return JSON.parse(
    JSON.stringify(copy, (_key, value) =>
      typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? Array.from(value) : value,
    ),
  );
}

const VERSIONS = Array.from({ length: DecredProtocol.latest }, (_, i) => i + 1);

function validAt(command: string, protocolVersion: number): boolean {
  const codec = decredFamily.codecs.get(command)!;
  return (
    protocolVersion >= (codec.minProtocolVersion ?? 0) &&
    protocolVersion < (codec.maxProtocolVersion ?? Infinity)
  );
}

describe('a relayed block (decoded, sent on)', () => {
  const relay = { network: decredNetworks.mainnet };
  it('is framed from its received bytes and verified checksum, byte for byte', () => {
    fc.assert(
      fc.property(arbitraries.block!, (block) => {
        const frame = encodeMessage(block, relay);
        assert.deepEqual(encodeMessage(decodeMessage(frame, relay), relay), frame);
      }),
      { numRuns: 40 },
    );
  });
  it('is serialised afresh, with a new checksum, once its header was changed', () => {
    fc.assert(
      fc.property(arbitraries.block!, fc.integer({ min: 0, max: 0xffffffff }), (block, nonce) => {
        const relayed = decodeMessage(encodeMessage(block, relay), relay) as DecredMessage & {
          command: 'block';
        };
        fc.pre(nonce !== relayed.header.nonce);
        relayed.header.nonce = nonce;
        const again = decodeMessage(encodeMessage(relayed, relay), relay);
        assert.equal(again.command === 'block' && again.header.nonce, nonce);
      }),
      { numRuns: 40 },
    );
  });
});

describe('decode(encode(m)) = m for every message at every protocol version', () => {
  it('covers every command in the codec table', () => {
    assert.deepEqual([...decredFamily.codecs.keys()].sort(), Object.keys(arbitraries).sort());
  });
  for (const [command, arbitrary] of Object.entries(arbitraries)) {
    it(command, () => {
      fc.assert(
        fc.property(arbitrary, fc.constantFrom(...VERSIONS), (message, protocolVersion) => {
          if (!validAt(command, protocolVersion)) {
            assert.throws(() => encodeFrame(message, { protocolVersion }), {
              code: 'invalid-for-protocol-version',
            });
            return;
          }
          let frame: Uint8Array;
          try {
            frame = encodeFrame(message, { protocolVersion });
          } catch (error) {
            // Only the pre-protocol-4 block cap may refuse a generated message.
            assert.ok(error instanceof WireError && error.code === 'message-too-large', String(error));
            return;
          }
          const decoded = decodeFrame(frame, { protocolVersion });
          assert.deepEqual(normal(decoded), normal(message));
          assert.deepEqual(encodeFrame(decoded, { protocolVersion }), frame, 're-encodes to the same frame');
          // One version later or earlier the same frame decodes to the same message, or is refused by the gate.
          for (const other of [protocolVersion - 1, protocolVersion + 1]) {
            if (other < 1 || other > DecredProtocol.latest) continue;
            if (validAt(command, other))
              assert.deepEqual(normal(decodeFrame(frame, { protocolVersion: other })), normal(message));
            else assert.throws(() => decodeFrame(frame, { protocolVersion: other }), WireError);
          }
        }),
        { numRuns: 80 },
      );
    });
  }
});
