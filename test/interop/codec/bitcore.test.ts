import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '../../../src/wire/hex.js';
import { decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { loadBitcoreP2P, requireFromPartner, skipUnless } from '../support/partners.js';

const partner = loadBitcoreP2P();
const network = bitcoinNetworks.regtest;
// bitcore-p2p speaks protocol 70001 only.
const options = { network, protocolVersion: 70001 };

function messages() {
  const { p2p, bitcore } = partner!;
  return new p2p.Messages({ network: bitcore.Networks.get('regtest') });
}

/** Parses a whole frame with bitcore-p2p. */
function theirParse(frame: Uint8Array): any {
  const Buffers = requireFromPartner('bitcore', 'buffers');
  const buffers = new Buffers();
  buffers.push(Buffer.from(frame));
  return messages().parseBuffer(buffers);
}

/** Their frame decodes in ours and re-encodes to the same bytes; ours parses in theirs to the same bytes. */
function agree(
  theirMessage: { toBuffer(): Buffer },
  check: (message: Message) => void,
  protocolVersion = options.protocolVersion,
): void {
  const theirs = new Uint8Array(theirMessage.toBuffer());
  const ours = decodeMessage(theirs, { ...options, protocolVersion });
  check(ours);
  const ourFrame = encodeMessage(ours, { ...options, protocolVersion });
  assert.equal(bytesToHex(ourFrame), bytesToHex(theirs), 'our frame equals theirs');
  const reparsed = theirParse(ourFrame);
  assert.ok(reparsed, 'they parse our frame');
  assert.equal(reparsed.toBuffer().toString('hex'), bytesToHex(theirs));
}

describe('byte-for-byte agreement with bitcore-p2p 10.10.7', {
  skip: skipUnless(partner !== undefined, 'bitcore-p2p'),
}, () => {
  it('version (their defaults: 70001, relay byte) and verack', () => {
    const m = messages();
    agree(m.Version({ relay: false, startHeight: 77 }), (message) => {
      assert.ok(message.command === 'version');
      assert.equal(message.protocolVersion, 70001);
      assert.equal(message.userAgent, '/bitcore:10.10.7/');
      assert.equal(message.lastBlock, 77);
      assert.equal(message.relay, false);
    });
    agree(m.VerAck(), (message) => assert.equal(message.command, 'verack'));
  });

  it('ping, pong, getaddr, mempool, filterclear', () => {
    const m = messages();
    agree(m.Ping(Buffer.from('0102030405060708', 'hex')), (message) =>
      assert.deepEqual(message, { command: 'ping', nonce: 0x0807060504030201n }),
    );
    agree(m.Pong(Buffer.from('1112131415161718', 'hex')), (message) =>
      assert.deepEqual(message, { command: 'pong', nonce: 0x1817161514131211n }),
    );
    agree(m.GetAddr(), (message) => assert.equal(message.command, 'getaddr'));
    agree(m.MemPool(), (message) => assert.equal(message.command, 'mempool'));
    agree(m.FilterClear(), (message) => assert.equal(message.command, 'filterclear'));
  });

  it('inv, getdata, notfound', () => {
    const m = messages();
    const items = [
      { type: 1, hash: Buffer.alloc(32, 0xab) },
      { type: 2, hash: Buffer.alloc(32, 0xcd) },
    ];
    for (const [make, command] of [
      [m.Inventory, 'inv'],
      [m.GetData, 'getdata'],
      [m.NotFound, 'notfound'],
    ] as const) {
      agree(make.call(m, items), (message) => {
        assert.equal(message.command, command);
        assert.ok('inventory' in message);
        assert.deepEqual(
          message.inventory.map((item) => [item.type, bytesToHex(item.hash)]),
          items.map((item) => [item.type, item.hash.toString('hex')]),
        );
      });
    }
  });

  it('addr', () => {
    const m = messages();
    const { bitcore } = partner!;
    const addresses = [
      {
        time: new Date(1_600_000_000_000),
        services: new bitcore.crypto.BN(1),
        ip: { v6: '0000:0000:0000:0000:0000:ffff:0102:0304', v4: '1.2.3.4' },
        port: 8333,
      },
    ];
    agree(m.Addresses(addresses), (message) => {
      assert.ok(message.command === 'addr');
      assert.equal(message.addresses[0]!.timestamp, 1_600_000_000);
      assert.equal(bytesToHex(message.addresses[0]!.ip), '00000000000000000000ffff01020304');
      assert.equal(message.addresses[0]!.port, 8333);
    });
  });

  it('getblocks, getheaders', () => {
    const m = messages();
    const starts = ['11'.repeat(32), '22'.repeat(32)];
    agree(m.GetBlocks({ starts, stop: '33'.repeat(32) }), (message) => {
      assert.ok(message.command === 'getblocks');
      assert.equal(message.locator.length, 2);
      assert.equal(message.protocolVersion, 70001);
    });
    agree(m.GetHeaders({ starts, stop: '33'.repeat(32) }), (message) =>
      assert.equal(message.command, 'getheaders'),
    );
  });

  it('tx, block and headers built by bitcore-lib', () => {
    const m = messages();
    const { bitcore } = partner!;
    const key = new bitcore.PrivateKey('cSBnVM4xvxarwGQuAfQFwqDg9k5tErHUHzgWsEfD4zdwUasvqRVY');
    const address = key.toAddress();
    const utxo = {
      txId: 'aa'.repeat(32),
      outputIndex: 0,
      address: address.toString(),
      script: bitcore.Script.buildPublicKeyHashOut(address).toString(),
      satoshis: 100_000,
    };
    const tx = new bitcore.Transaction().from(utxo).to(address, 50_000).change(address).sign(key);
    agree(m.Transaction(tx), (message) => {
      assert.ok(message.command === 'tx');
      assert.equal(message.transaction.outputs[0]!.value, 50_000n);
      assert.equal(message.transaction.inputs.length, 1);
    });
    const block = bitcore.Block.fromBuffer(
      Buffer.from(
        '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000',
        'hex',
      ),
    );
    agree(m.Block(block), (message) => {
      assert.ok(message.command === 'block');
      assert.equal(message.transactions.length, 1);
      assert.equal(message.header.nonce, 2);
    });
    agree(m.Headers([block.header]), (message) =>
      assert.equal(message.command === 'headers' && message.headers.length, 1),
    );
  });

  it('reject (read at 70002, where it exists) and filteradd', () => {
    const m = messages();
    agree(
      m.Reject({ message: 'tx', ccode: 0x10, reason: 'bad', data: Buffer.alloc(32, 7) }),
      (message) => {
        assert.ok(message.command === 'reject');
        assert.equal(message.reason, 'bad');
        assert.equal(bytesToHex(message.hash!), '07'.repeat(32));
      },
      70002,
    );
    agree(m.FilterAdd(Buffer.from('beef', 'hex')), (message) =>
      assert.deepEqual(message, { command: 'filteradd', data: Uint8Array.of(0xbe, 0xef) }),
    );
  });
});
