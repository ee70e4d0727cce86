import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWriter } from '../../../../src/wire/bytes.js';
import { maxTxPerTree } from '../../../../src/wire/decred/chain.js';
import { blake256Checksum } from '../../../../src/wire/decred/hash.js';
import { decredFamily } from '../../../../src/wire/decred/index.js';
import { DecredProtocol, decredNetworks } from '../../../../src/wire/decred/networks.js';
import type {
  DecredMessage,
  DecredTransaction,
  MixPairReqMessage,
} from '../../../../src/wire/decred/types.js';
import { WireError, type WireErrorCode } from '../../../../src/wire/errors.js';
import { checkHeader, HEADER_SIZE } from '../../../../src/wire/frame.js';
import { blockHeader, decodePayloadAt, encodeFrame, encodePayloadAt } from './frames.js';

const LATEST = DecredProtocol.latest;
const zeros = (length: number) => new Uint8Array(length);
const list = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

function varint(n: number): number[] {
  const writer = new ByteWriter(9);
  writer.varint(n);
  return Array.from(writer.finish());
}

/** dcrd MaxPayloadLength at the latest protocol (spec §3.8, dcrd's MaxPayloadLength tests). */
const MAX_PAYLOAD_AT_LATEST: Record<string, number> = {
  version: 358,
  verack: 0,
  getaddr: 0,
  addr: 0,
  addrv2: 51_003,
  getblocks: 16_039,
  getheaders: 16_039,
  headers: 362_003,
  inv: 1_800_003,
  getdata: 1_800_003,
  notfound: 1_800_003,
  block: 1_310_720,
  tx: 1_310_720,
  ping: 8,
  pong: 8,
  mempool: 0,
  getminings: 0,
  miningstate: 1546,
  sendheaders: 0,
  feefilter: 8,
  getcfilter: 33,
  getcfheaders: 16_036,
  getcftypes: 0,
  cfilter: 262_182,
  cfheaders: 64_036,
  cftypes: 259,
  getcfilterv2: 32,
  cfilterv2: 263_210,
  getinitstate: 1057,
  initstate: 1763,
  reject: 0,
  mixpairreq: 8_476_848,
  mixkeyxchg: 17_815,
  mixcphrtxt: 552_584,
  mixslotres: 17_318_030,
  mixfactpoly: 49_291,
  mixdcnet: 20_988_047,
  mixconfirm: 1_016_520,
  mixsecrets: 70_831,
  getcfsv2: 64,
  cfiltersv2: 26_321_001,
};

/** A 24-byte header announcing `length` bytes of `command` on mainnet. */
function headerFor(command: string, length: number, magic = decredNetworks.mainnet.magic): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic, true);
  header.set(new TextEncoder().encode(command), 4);
  view.setUint32(16, length, true);
  return header;
}

function check(command: string, length: number, protocolVersion: number = LATEST) {
  const network = decredNetworks.mainnet;
  return checkHeader(
    headerFor(command, length),
    0,
    decredFamily,
    network,
    protocolVersion,
    network.maxPayloadLength,
  );
}

describe('payload caps', () => {
  it('match dcrd for every message at the latest protocol', () => {
    const actual = Object.fromEntries(
      [...decredFamily.codecs].map(([command, codec]) => [command, codec.maxPayloadLength(LATEST)]),
    );
    assert.deepEqual(actual, MAX_PAYLOAD_AT_LATEST);
  });

  it('change where the protocol changes them', () => {
    const cap = (command: string, pver: number) => decredFamily.codecs.get(command)!.maxPayloadLength(pver);
    assert.equal(cap('block', 3), 1_000_000);
    assert.equal(cap('block', 4), 1_310_720);
    assert.equal(cap('tx', 3), 1_000_000);
    assert.equal(cap('addr', 11), 30_003);
    assert.equal(cap('addrv2', 11), 0);
    assert.equal(cap('reject', 8), 32 * 1024 * 1024);
    assert.equal(cap('feefilter', 4), 0);
    assert.equal(cap('getinitstate', 7), 0);
    assert.equal(cap('getcfilterv2', 6), 0);
    assert.equal(cap('cfiltersv2', 10), 0);
    for (const mix of ['mixpairreq', 'mixkeyxchg', 'mixcphrtxt', 'mixslotres', 'mixfactpoly', 'mixdcnet']) {
      assert.equal(cap(mix, 9), 0, mix);
    }
  });

  it('are enforced from the 24-byte header: cap accepted, cap + 1 refused', () => {
    for (const [command, cap] of Object.entries(MAX_PAYLOAD_AT_LATEST)) {
      assert.equal(check(command, cap).codec?.command, command);
      assert.throws(() => check(command, cap + 1), { code: 'message-too-large' }, command);
    }
    assert.throws(() => check('block', 1_000_001, 3), { code: 'message-too-large' });
  });

  it('the network cap is 32 MiB', () => {
    // Checked before the command: a length above 32 MiB fails even for an unknown command.
    assert.equal(check('zzz', 32 * 1024 * 1024).codec, undefined);
    assert.throws(() => check('zzz', 32 * 1024 * 1024 + 1), { code: 'payload-too-large' });
  });
});

describe('command field', () => {
  it('is strict printable ASCII: valid UTF-8 beyond ASCII is an invalid command', () => {
    const header = headerFor('', 0);
    header.set(new TextEncoder().encode('tést'), 4);
    const network = decredNetworks.mainnet;
    assert.throws(() => checkHeader(header, 0, decredFamily, network, LATEST, network.maxPayloadLength), {
      code: 'invalid-command',
    });
  });

  it('unknown commands, prototype names included, are not codecs', () => {
    for (const command of [
      'bogus',
      '__proto__',
      'constructor',
      'sendaddrv2',
      'wtxidrelay',
      'filterload',
      'getcfilters',
    ]) {
      assert.equal(check(command, 0).codec, undefined, command);
    }
  });

  it('has the exact dcrd spellings, all within 12 bytes', () => {
    for (const command of decredFamily.codecs.keys()) assert.ok(command.length <= 12, command);
    assert.ok(decredFamily.codecs.has('getminings'));
    assert.ok(decredFamily.codecs.has('mixfactpoly'));
    assert.ok(decredFamily.codecs.has('getcfsv2'));
  });

  it('seals frames with the BLAKE-256 checksum', () => {
    const frame = encodeFrame({ command: 'ping', nonce: 123123n });
    assert.equal(
      new DataView(frame.buffer, frame.byteOffset).getUint32(20, true),
      blake256Checksum(frame.subarray(24)),
    );
  });
});

interface LimitCase {
  name: string;
  command: string;
  max: number;
  /** A message with `n` entries (or bytes). */
  make: (n: number) => DecredMessage;
  /** A payload that declares `n` and carries nothing after it: refusable from the count alone. */
  forge: (n: number) => number[];
  code: WireErrorCode;
  protocolVersion?: number;
}

const address = { timestamp: 0, services: 0n, ip: zeros(16), port: 0 };
const addrV2 = { timestamp: 0n, services: 0n, type: 1, addr: zeros(4), port: 0 };
const header = blockHeader();
const emptyTx: DecredTransaction = {
  serType: 0,
  version: 1,
  inputs: [],
  outputs: [],
  lockTime: 0,
  expiry: 0,
};
const session = { signature: zeros(64), identity: zeros(33), sessionId: zeros(32), run: 0 };
const sessionBytes = [...zeros(64 + 33 + 32 + 4)];
const pairReq = (fields: Partial<MixPairReqMessage>): MixPairReqMessage => ({
  command: 'mixpairreq',
  signature: zeros(64),
  identity: zeros(33),
  expiry: 0,
  mixAmount: 0n,
  scriptClass: '',
  txVersion: 1,
  lockTime: 0,
  messageCount: 0,
  inputValue: 0n,
  utxos: [],
  flags: 0,
  pairingFlags: 0,
  ...fields,
});
/** mixpairreq bytes up to its UTXO count, with an empty script class. */
const pairReqHead = [...zeros(64 + 33 + 4 + 8), 0, ...zeros(2 + 4 + 4 + 8)];

const CASES: LimitCase[] = [
  ...(['inv', 'getdata', 'notfound'] as const).map(
    (command): LimitCase => ({
      name: command,
      command,
      max: 50_000,
      make: (n) => ({ command, inventory: list(n, () => ({ type: 1, hash: zeros(32) })) }),
      forge: (n) => varint(n),
      code: 'too-many-entries',
    }),
  ),
  {
    name: 'addr (protocol 11)',
    command: 'addr',
    max: 1000,
    make: (n) => ({ command: 'addr', addresses: list(n, () => address) }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
    protocolVersion: 11,
  },
  {
    name: 'addrv2',
    command: 'addrv2',
    max: 1000,
    make: (n) => ({ command: 'addrv2', addresses: list(n, () => addrV2) }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  ...(['getblocks', 'getheaders'] as const).map(
    (command): LimitCase => ({
      name: `${command} locator`,
      command,
      max: 500,
      make: (n) => ({
        command,
        protocolVersion: LATEST,
        locator: list(n, () => zeros(32)),
        hashStop: zeros(32),
      }),
      forge: (n) => [12, 0, 0, 0, ...varint(n)],
      code: 'too-many-entries',
    }),
  ),
  {
    name: 'getcfheaders locator',
    command: 'getcfheaders',
    max: 500,
    make: (n) => ({
      command: 'getcfheaders',
      locator: list(n, () => zeros(32)),
      hashStop: zeros(32),
      filterType: 0,
    }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  {
    name: 'headers',
    command: 'headers',
    max: 2000,
    make: (n) => ({ command: 'headers', headers: list(n, () => header) }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  {
    name: 'block transactions per tree',
    command: 'block',
    max: maxTxPerTree(LATEST),
    make: (n) => ({ command: 'block', header, transactions: list(n, () => emptyTx), stakeTransactions: [] }),
    forge: (n) => [...zeros(180), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'block stake transactions per tree (protocol 3)',
    command: 'block',
    max: maxTxPerTree(3),
    make: (n) => ({ command: 'block', header, transactions: [], stakeTransactions: list(n, () => emptyTx) }),
    forge: (n) => [...zeros(180), 0, ...varint(n)],
    code: 'too-many-entries',
    protocolVersion: 3,
  },
  {
    name: 'miningstate block hashes',
    command: 'miningstate',
    max: 8,
    make: (n) => ({
      command: 'miningstate',
      version: 1,
      height: 0,
      blockHashes: list(n, () => zeros(32)),
      voteHashes: [],
    }),
    forge: (n) => [...zeros(8), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'miningstate vote hashes',
    command: 'miningstate',
    max: 40,
    make: (n) => ({
      command: 'miningstate',
      version: 1,
      height: 0,
      blockHashes: [],
      voteHashes: list(n, () => zeros(32)),
    }),
    forge: (n) => [...zeros(8), 0, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'initstate tspend hashes',
    command: 'initstate',
    max: 7,
    make: (n) => ({
      command: 'initstate',
      blockHashes: [],
      voteHashes: [],
      tspendHashes: list(n, () => zeros(32)),
    }),
    forge: (n) => [0, 0, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'getinitstate types',
    command: 'getinitstate',
    max: 32,
    make: (n) => ({ command: 'getinitstate', types: list(n, () => 'headblocks') }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  {
    name: 'getinitstate type length',
    command: 'getinitstate',
    max: 32,
    make: (n) => ({ command: 'getinitstate', types: ['x'.repeat(n)] }),
    forge: (n) => [1, ...varint(n)],
    code: 'length-exceeds-maximum',
  },
  {
    name: 'version user agent',
    command: 'version',
    max: 256,
    make: (n) => ({
      command: 'version',
      protocolVersion: LATEST,
      services: 0n,
      timestamp: 0n,
      addrYou: address,
      addrMe: address,
      nonce: 0n,
      userAgent: 'a'.repeat(n),
      lastBlock: 0,
      relay: true,
    }),
    // The agent's bytes are present: dcrd reads them before judging the length.
    forge: (n) => [
      ...zeros(4 + 8 + 8 + 26 + 26 + 8),
      ...varint(n),
      ...new Uint8Array(n).fill(0x61),
      0,
      0,
      0,
      0,
      1,
    ],
    code: 'length-exceeds-maximum',
  },
  {
    name: 'cfilter data',
    command: 'cfilter',
    max: 256 * 1024,
    make: (n) => ({ command: 'cfilter', blockHash: zeros(32), filterType: 0, data: zeros(n) }),
    forge: (n) => [...zeros(33), ...varint(n)],
    code: 'length-exceeds-maximum',
  },
  {
    name: 'cfheaders',
    command: 'cfheaders',
    max: 2000,
    make: (n) => ({
      command: 'cfheaders',
      stopHash: zeros(32),
      filterType: 0,
      headerHashes: list(n, () => zeros(32)),
    }),
    forge: (n) => [...zeros(33), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'cftypes',
    command: 'cftypes',
    max: 256,
    make: (n) => ({ command: 'cftypes', supportedFilters: list(n, () => 0) }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  {
    name: 'cfilterv2 proof hashes',
    command: 'cfilterv2',
    max: 32,
    make: (n) => ({
      command: 'cfilterv2',
      blockHash: zeros(32),
      data: zeros(0),
      proofIndex: 0,
      proofHashes: list(n, () => zeros(32)),
    }),
    forge: (n) => [...zeros(32), 0, ...zeros(4), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'cfiltersv2 batch',
    command: 'cfiltersv2',
    max: 100,
    make: (n) => ({
      command: 'cfiltersv2',
      filters: list(n, () => ({ blockHash: zeros(32), data: zeros(0), proofIndex: 0, proofHashes: [] })),
    }),
    forge: (n) => varint(n),
    code: 'too-many-entries',
  },
  {
    name: 'mixpairreq UTXOs',
    command: 'mixpairreq',
    max: 512,
    make: (n) =>
      pairReq({
        utxos: list(n, () => ({
          outPoint: { hash: zeros(32), index: 0, tree: 0 },
          script: zeros(0),
          pubKey: zeros(33),
          signature: zeros(64),
          opcode: 0,
        })),
      }),
    forge: (n) => [...pairReqHead, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixpairreq script class',
    command: 'mixpairreq',
    max: 32,
    make: (n) => pairReq({ scriptClass: 'P'.repeat(n) }),
    forge: (n) => [...zeros(64 + 33 + 4 + 8), ...varint(n)],
    code: 'length-exceeds-maximum',
  },
  {
    name: 'mixkeyxchg seen pair requests',
    command: 'mixkeyxchg',
    max: 512,
    make: (n) => ({
      command: 'mixkeyxchg',
      ...session,
      epoch: 0n,
      pos: 0,
      ecdh: zeros(33),
      pqpk: zeros(1218),
      commitment: zeros(32),
      seenPairRequests: list(n, () => zeros(32)),
    }),
    forge: (n) => [...zeros(64 + 33 + 32 + 8 + 4 + 4 + 33 + 1218 + 32), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixcphrtxt ciphertexts',
    command: 'mixcphrtxt',
    max: 512,
    make: (n) => ({
      command: 'mixcphrtxt',
      ...session,
      ciphertexts: list(n, () => zeros(1047)),
      seenKeyExchanges: list(n, () => zeros(32)),
    }),
    forge: (n) => [...sessionBytes, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixslotres mixed messages',
    command: 'mixslotres',
    max: 1024,
    make: (n) => ({
      command: 'mixslotres',
      ...session,
      dcMix: list(n, () => [zeros(32)]),
      seenCiphertexts: [],
    }),
    forge: (n) => [...sessionBytes, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixfactpoly root length',
    command: 'mixfactpoly',
    max: 32,
    make: (n) => ({ command: 'mixfactpoly', ...session, roots: [zeros(n)], seenSlotReserves: [] }),
    forge: (n) => [...sessionBytes, 1, ...varint(n)],
    code: 'length-exceeds-maximum',
  },
  {
    name: 'mixdcnet seen slot reservations',
    command: 'mixdcnet',
    max: 512,
    make: (n) => ({
      command: 'mixdcnet',
      ...session,
      dcNet: [[zeros(20)]],
      seenSlotReserves: list(n, () => zeros(32)),
    }),
    forge: (n) => [...sessionBytes, 1, 1, 20, ...zeros(20), ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixconfirm seen DC-nets',
    command: 'mixconfirm',
    max: 512,
    make: (n) => ({ command: 'mixconfirm', ...session, mix: emptyTx, seenDCNets: list(n, () => zeros(32)) }),
    forge: (n) => [...sessionBytes, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...varint(n)],
    code: 'too-many-entries',
  },
  {
    name: 'mixsecrets DC-net messages',
    command: 'mixsecrets',
    max: 1024,
    make: (n) => ({
      command: 'mixsecrets',
      ...session,
      seed: zeros(32),
      slotReserveMessages: [],
      dcNetMessages: list(n, () => zeros(20)),
      seenSecrets: [],
    }),
    forge: (n) => [...sessionBytes, ...zeros(32), 0, ...varint(n), 20],
    code: 'too-many-entries',
  },
];

describe('limits at max and max + 1', () => {
  for (const limit of CASES) {
    const pver = limit.protocolVersion ?? LATEST;
    it(`${limit.name}: ${limit.max} accepted, ${limit.max + 1} refused by encoder and decoder`, () => {
      const atMax = limit.make(limit.max);
      const payload = encodePayloadAt(atMax, pver);
      assert.equal(decodePayloadAt(limit.command, payload, pver).command, limit.command);
      assert.throws(
        () => encodeFrame(limit.make(limit.max + 1), { protocolVersion: pver }),
        (error: unknown) => error instanceof WireError && error.code === limit.code,
      );
      assert.throws(
        () => decodePayloadAt(limit.command, Uint8Array.from(limit.forge(limit.max + 1)), pver),
        (error: unknown) => error instanceof WireError && error.code === limit.code,
      );
    });
  }

  it('addrv2 needs at least one address, both ways', () => {
    assert.throws(() => encodeFrame({ command: 'addrv2', addresses: [] }), { code: 'too-few-entries' });
    assert.throws(() => decodePayloadAt('addrv2', Uint8Array.of(0), LATEST), { code: 'too-few-entries' });
  });

  it('mixslotres needs at least one row and one column; mixdcnet is refused empty only when sending', () => {
    assert.throws(() => decodePayloadAt('mixslotres', Uint8Array.from([...sessionBytes, 0]), LATEST), {
      code: 'too-few-entries',
    });
    assert.throws(() => decodePayloadAt('mixslotres', Uint8Array.from([...sessionBytes, 1, 0]), LATEST), {
      code: 'too-few-entries',
    });
    const empty = decodePayloadAt('mixdcnet', Uint8Array.from([...sessionBytes, 0, 0]), LATEST);
    assert.deepEqual(empty.command === 'mixdcnet' && empty.dcNet, []);
    assert.throws(() => encodeFrame(empty), { code: 'too-few-entries' });
  });

  it('mixed messages are 20 bytes: another declared size is refused', () => {
    assert.throws(() => decodePayloadAt('mixdcnet', Uint8Array.from([...sessionBytes, 1, 1, 21]), LATEST), {
      code: 'invalid-value',
    });
  });

  it('mixpairreq refuses negative amounts and a change flag other than 0 or 1', () => {
    assert.throws(() => encodeFrame(pairReq({ mixAmount: -1n })), { code: 'invalid-value' });
    const negative = [...zeros(64 + 33 + 4), ...new Uint8Array(8).fill(0xff)];
    assert.throws(() => decodePayloadAt('mixpairreq', Uint8Array.from(negative), LATEST), {
      code: 'invalid-value',
    });
    const badChange = [...pairReqHead, 0, 2, 0, 0];
    assert.throws(() => decodePayloadAt('mixpairreq', Uint8Array.from(badChange), LATEST), {
      code: 'invalid-value',
    });
  });

  it('a full transaction needs one witness per input', () => {
    const tx = encodePayloadAt(
      {
        command: 'tx',
        transaction: {
          ...emptyTx,
          inputs: [
            {
              previousOutput: { hash: zeros(32), index: 0, tree: 0 },
              sequence: 0,
              valueIn: 0n,
              blockHeight: 0,
              blockIndex: 0,
              script: zeros(0),
            },
          ],
        },
      },
      LATEST,
    );
    // Replace the witness count (1) by 2.
    const forged = Uint8Array.from(tx);
    forged[forged.length - 18] = 2;
    assert.throws(() => decodePayloadAt('tx', forged, LATEST), { code: 'invalid-value' });
  });

  it('an unknown transaction serialisation type is refused', () => {
    assert.throws(
      () => decodePayloadAt('tx', Uint8Array.from([1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), LATEST),
      {
        code: 'invalid-value',
      },
    );
    assert.throws(() => encodeFrame({ command: 'tx', transaction: { ...emptyTx, serType: 3 } }), {
      code: 'invalid-value',
    });
  });
});
