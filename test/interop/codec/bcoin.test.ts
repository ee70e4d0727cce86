import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { txid, wtxid } from '../../../src/wire/bitcoin/chain.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../src/wire/hex.js';
import {
  decodeMessage,
  decodePayloadOf,
  encodeMessage,
  encodePayloadOf,
  type Message,
} from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { loadBcoin, requireFromPartner, skipUnless } from '../support/partners.js';

const bcoin = loadBcoin();
const network = bitcoinNetworks.regtest;
const options = { network, protocolVersion: 70015 };

/** bcoin 1.0.2 keeps hashes as hex strings in wire order. */
const wireHex = (hex: string) => hexToBytes(hex);

function bcoinTx(seed: number, witness: boolean) {
  const mtx = new bcoin.MTX({ version: 2, locktime: seed });
  for (let i = 0; i < 2; i++) {
    mtx.addInput({
      prevout: { hash: (seed + i).toString(16).padStart(2, '0').repeat(32), index: i },
      script: bcoin.Script.fromRaw(Buffer.from([0x01, seed & 0xff, 0x02, i, i])),
      sequence: 0xfffffffe - i,
    });
    if (witness)
      mtx.inputs[i].witness = bcoin.Witness.fromItems([Buffer.alloc(71, seed), Buffer.alloc(33, i + 2)]);
  }
  mtx.addOutput({
    script: bcoin.Script.fromRaw(Buffer.from(`0014${'11'.repeat(20)}`, 'hex')),
    value: 5000 + seed,
  });
  mtx.addOutput({
    script: bcoin.Script.fromRaw(Buffer.from(`76a914${'22'.repeat(20)}88ac`, 'hex')),
    value: 123456789,
  });
  return mtx.toTX();
}

/** Their payload decodes in ours to `check`ed values and re-encodes to the same bytes; ours parses in theirs. */
function agree(
  command: string,
  packet: { toRaw(): Buffer },
  check: (message: Message) => void,
  // Their packets drop witness data when re-serialised from a parse; compare the object's own bytes then.
  theirBytes: (reparsed: any) => Buffer = (reparsed) => reparsed.toRaw(),
): void {
  const theirs = new Uint8Array(packet.toRaw());
  const ours = decodePayloadOf(command, theirs, options);
  check(ours);
  assert.equal(
    bytesToHex(encodePayloadOf(ours, options)),
    bytesToHex(theirs),
    'our re-encoding equals their bytes',
  );
  const reparsed = bcoin.net.packets.fromRaw(command, Buffer.from(encodePayloadOf(ours, options)));
  assert.equal(
    theirBytes(reparsed).toString('hex'),
    bytesToHex(theirs),
    'they parse our bytes back to the same message',
  );
}

describe('byte-for-byte agreement with bcoin 1.0.2', {
  skip: skipUnless(bcoin !== undefined, 'bcoin'),
}, () => {
  it('frames: their framer and our decoder agree on magic, command, checksum', () => {
    const P = bcoin.net.packets;
    const framer = new bcoin.net.Framer(bcoin.Network.get('regtest'));
    const ping = new P.PingPacket(Buffer.from('0807060504030201', 'hex'));
    const frame = new Uint8Array(framer.packet('ping', ping.toRaw()));
    assert.deepEqual(decodeMessage(frame, options), { command: 'ping', nonce: 0x0102030405060708n });
    assert.equal(
      bytesToHex(encodeMessage({ command: 'ping', nonce: 0x0102030405060708n }, options)),
      bytesToHex(frame),
    );
  });

  it('version', () => {
    const P = bcoin.net.packets;
    const packet = new P.VersionPacket({
      version: 70015,
      services: 9,
      time: 1_700_000_000,
      remote: new bcoin.net.NetAddress({ host: '127.0.0.1', port: 18444, services: 1 }),
      local: new bcoin.net.NetAddress({ host: '10.1.2.3', port: 8333, services: 9 }),
      nonce: Buffer.from('0102030405060708', 'hex'),
      agent: '/bcoin:v1.0.2/',
      height: 123,
      noRelay: true,
    });
    agree('version', packet, (message) => {
      assert.equal(message.command, 'version');
      if (message.command !== 'version') return;
      assert.equal(message.protocolVersion, 70015);
      assert.equal(message.services, 9n);
      assert.equal(message.timestamp, 1_700_000_000n);
      assert.equal(message.addrYou.port, 18444);
      assert.equal(bytesToHex(message.addrYou.ip), '00000000000000000000ffff7f000001');
      assert.equal(message.nonce, 0x0807060504030201n);
      assert.equal(message.userAgent, '/bcoin:v1.0.2/');
      assert.equal(message.lastBlock, 123);
      assert.equal(message.relay, false);
    });
  });

  it('verack, getaddr, mempool, sendheaders, filterclear', () => {
    const P = bcoin.net.packets;
    for (const [command, packet] of [
      ['verack', new P.VerackPacket()],
      ['getaddr', new P.GetAddrPacket()],
      ['mempool', new P.MempoolPacket()],
      ['sendheaders', new P.SendHeadersPacket()],
      ['filterclear', new P.FilterClearPacket()],
    ] as const) {
      agree(command, packet, (message) => assert.equal(message.command, command));
    }
  });

  it('ping, pong, feefilter, sendcmpct', () => {
    const P = bcoin.net.packets;
    agree('pong', new P.PongPacket(Buffer.from('ffeeddccbbaa9988', 'hex')), (message) =>
      assert.deepEqual(message, { command: 'pong', nonce: 0x8899aabbccddeeffn }),
    );
    agree('feefilter', new P.FeeFilterPacket(12345), (message) =>
      assert.deepEqual(message, { command: 'feefilter', feeRate: 12345n }),
    );
    agree('sendcmpct', new P.SendCmpctPacket(1, 2), (message) =>
      assert.deepEqual(message, { command: 'sendcmpct', announce: true, version: 2n }),
    );
  });

  it('addr', () => {
    const P = bcoin.net.packets;
    const items = [
      new bcoin.net.NetAddress({ host: '1.2.3.4', port: 8333, services: 9, time: 1_600_000_000 }),
      new bcoin.net.NetAddress({ host: '2001:db8::1', port: 18444, services: 1, time: 1_600_000_001 }),
    ];
    agree('addr', new P.AddrPacket(items), (message) => {
      assert.ok(message.command === 'addr');
      assert.equal(message.addresses.length, 2);
      assert.equal(message.addresses[0]!.timestamp, 1_600_000_000);
      assert.equal(message.addresses[1]!.port, 18444);
      assert.equal(bytesToHex(message.addresses[1]!.ip), '20010db8000000000000000000000001');
    });
  });

  it('inv, getdata, notfound', () => {
    const P = bcoin.net.packets;
    const items = [new bcoin.InvItem(1, 'ab'.repeat(32)), new bcoin.InvItem(0x40000002, 'cd'.repeat(32))];
    for (const [command, Packet] of [
      ['inv', P.InvPacket],
      ['getdata', P.GetDataPacket],
      ['notfound', P.NotFoundPacket],
    ] as const) {
      agree(command, new Packet(items), (message) => {
        assert.ok('inventory' in message);
        assert.deepEqual(
          message.inventory.map((item) => [item.type, bytesToHex(item.hash)]),
          [
            [1, 'ab'.repeat(32)],
            [0x40000002, 'cd'.repeat(32)],
          ],
        );
      });
    }
  });

  it('getblocks, getheaders', () => {
    const P = bcoin.net.packets;
    const locator = ['01'.repeat(32), '02'.repeat(32)];
    for (const [command, Packet] of [
      ['getblocks', P.GetBlocksPacket],
      ['getheaders', P.GetHeadersPacket],
    ] as const) {
      agree(command, new Packet(locator, '03'.repeat(32)), (message) => {
        assert.ok(message.command === 'getblocks' || message.command === 'getheaders');
        assert.deepEqual(message.locator.map(bytesToHex), locator);
        assert.equal(bytesToHex(message.hashStop), '03'.repeat(32));
      });
    }
  });

  it('tx with and without witness; txid and wtxid agree', () => {
    const P = bcoin.net.packets;
    for (const witness of [false, true]) {
      const tx = bcoinTx(7, witness);
      agree(
        'tx',
        new P.TXPacket(tx, witness),
        (message) => {
          assert.ok(message.command === 'tx');
          assert.equal(message.transaction.inputs.length, 2);
          assert.equal(message.transaction.outputs[1]!.value, 123456789n);
          assert.equal(hashToHex(txid(message.transaction)), tx.txid());
          assert.equal(hashToHex(wtxid(message.transaction)), tx.wtxid());
          assert.equal(message.transaction.inputs[0]!.witness.length, witness ? 2 : 0);
        },
        (reparsed) => reparsed.tx.toRaw(),
      );
    }
  });

  it('a multi-transaction block, headers and merkleblock', () => {
    const P = bcoin.net.packets;
    const txs = [bcoinTx(1, false), bcoinTx(2, true), bcoinTx(3, true), bcoinTx(4, false)];
    const block = new bcoin.Block({
      version: 0x20000000,
      prevBlock: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
      merkleRoot: '00'.repeat(32),
      time: 1_700_000_100,
      bits: 0x207fffff,
      nonce: 42,
      txs,
    });
    block.merkleRoot = block.createMerkleRoot('hex');
    agree(
      'block',
      new P.BlockPacket(block, true),
      (message) => {
        assert.ok(message.command === 'block');
        assert.equal(message.transactions.length, 4);
        assert.deepEqual(
          message.transactions.map((tx) => hashToHex(txid(tx))),
          txs.map((tx) => tx.txid()),
        );
        assert.equal(message.header.nonce, 42);
      },
      (reparsed) => reparsed.block.toRaw(),
    );
    agree('headers', new P.HeadersPacket([block.toHeaders()]), (message) => {
      assert.ok(message.command === 'headers');
      assert.equal(bytesToHex(message.headers[0]!.merkleRoot), block.merkleRoot);
    });
    const merkle = bcoin.MerkleBlock.fromHashes(block, [txs[1]!.hash()]);
    agree('merkleblock', new P.MerkleBlockPacket(merkle), (message) => {
      assert.ok(message.command === 'merkleblock');
      assert.equal(message.totalTransactions, 4);
      assert.ok(message.hashes.length > 0);
    });
  });

  it('reject, filterload, filteradd', () => {
    const P = bcoin.net.packets;
    const reject = new P.RejectPacket({
      message: 'tx',
      code: 0x10,
      reason: 'bad-txns',
      hash: 'ee'.repeat(32),
    });
    agree('reject', reject, (message) => {
      assert.ok(message.command === 'reject');
      assert.equal(message.reason, 'bad-txns');
      assert.equal(bytesToHex(message.hash!), 'ee'.repeat(32));
    });
    const { BloomFilter } = requireFromPartner('bcoin', 'bfilter');
    const filter = BloomFilter.fromRaw(Buffer.from('050102030405' + '0b000000' + 'efbeadde' + '01', 'hex'));
    agree('filterload', new P.FilterLoadPacket(filter), (message) =>
      assert.deepEqual(message, {
        command: 'filterload',
        filter: wireHex('0102030405'),
        hashFunctions: 11,
        tweak: 0xdeadbeef,
        flags: 1,
      }),
    );
    agree('filteradd', new P.FilterAddPacket(Buffer.from('cafe', 'hex')), (message) =>
      assert.deepEqual(message, { command: 'filteradd', data: wireHex('cafe') }),
    );
  });

  it('BIP152: cmpctblock, getblocktxn, blocktxn', () => {
    const P = bcoin.net.packets;
    const txs = [bcoinTx(5, false), bcoinTx(6, false), bcoinTx(7, false)];
    const block = new bcoin.Block({
      version: 1,
      prevBlock: '00'.repeat(32),
      merkleRoot: '00'.repeat(32),
      time: 1,
      bits: 0x207fffff,
      nonce: 1,
      txs,
    });
    block.merkleRoot = block.createMerkleRoot('hex');
    const compact = bcoin.net.bip152.CompactBlock.fromBlock(block, false, Buffer.alloc(8, 9));
    agree('cmpctblock', new P.CmpctBlockPacket(compact, false), (message) => {
      assert.ok(message.command === 'cmpctblock');
      assert.equal(message.shortIds.length + message.prefilledTransactions.length, 3);
      assert.equal(message.prefilledTransactions[0]!.index, 0, 'the coinbase is prefilled');
    });
    const request = new bcoin.net.bip152.TXRequest({ hash: block.hash('hex'), indexes: [0, 2] });
    agree('getblocktxn', new P.GetBlockTxnPacket(request), (message) =>
      assert.deepEqual(message.command === 'getblocktxn' && message.indexes, [0, 2]),
    );
    const response = new bcoin.net.bip152.TXResponse({ hash: block.hash('hex'), txs: [txs[0], txs[2]] });
    agree('blocktxn', new P.BlockTxnPacket(response, false), (message) =>
      assert.equal(message.command === 'blocktxn' && message.transactions.length, 2),
    );
  });
});
