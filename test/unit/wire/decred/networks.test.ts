import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../../../src/wire/bytes.js';
import { blockHash, readBlockHeader } from '../../../../src/wire/decred/chain.js';
import { blake256, blake256Checksum } from '../../../../src/wire/decred/hash.js';
import { decredFamily } from '../../../../src/wire/decred/index.js';
import { DecredProtocol, decredNetworks } from '../../../../src/wire/decred/networks.js';
import { formatDecredServices } from '../../../../src/wire/decred/services.js';
import { readTransaction, txHash, txHashFull } from '../../../../src/wire/decred/transaction.js';
import type { DecredBlockHeader, DecredTransaction } from '../../../../src/wire/decred/types.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../../src/wire/hex.js';
import { bitcoinNetworks } from '../../../../src/wire/networks.js';
import { blockHeader } from './frames.js';

const zeros = (length: number) => new Uint8Array(length);

/** The single coinbase of dcrd's mainnet and testnet3 genesis blocks (chaincfg). */
function nullCoinbase(): DecredTransaction {
  return {
    serType: 0,
    version: 1,
    inputs: [
      {
        previousOutput: { hash: zeros(32), index: 0xffffffff, tree: 0 },
        sequence: 0xffffffff,
        valueIn: -1n,
        blockHeight: 0,
        blockIndex: 0xffffffff,
        script: hexToBytes('0000'),
      },
    ],
    outputs: [
      {
        value: 0n,
        version: 0,
        script: hexToBytes('801679e98561ada96caec2949a5d41c4cab3851eb740d951c10ecbcf265c1fd9'),
      },
    ],
    lockTime: 0,
    expiry: 0,
  };
}

/**
 * dcrd chaincfg's simnet genesis block as serialised by its 2018 genesis test, and its regnet
 * genesis block (chaincfg/genesis_test.go). Current simnet recomputes the merkle root as TxHashFull.
 */
const SIMNET_GENESIS_2018 =
  '0100000000000000000000000000000000000000000000000000000000000000000000000dc101dfc3c6a2eb10ca0c5374e10d28feb53f7eabcc850511ceadb99174aa66000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ffff7f200000000000000000000000000000000045068653000000000000000000000000000000000000000000000000000000000000000000000000000000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff00ffffffff0100000000000000000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac000000000000000001000000000000000000000000000000004d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b7300';
const REGNET_GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000000dc101dfc3c6a2eb10ca0c5374e10d28feb53f7eabcc850511ceadb99174aa66000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ffff7f20000000000000000000000000000000008006b45b000000000000000000000000000000000000000000000000000000000000000000000000000000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff00ffffffff010000000000000000000020801679e98561ada96caec2949a5d41c4cab3851eb740d951c10ecbcf265c1fd9000000000000000001ffffffffffffffff00000000ffffffff02000000';

function decodeGenesis(hex: string): { header: DecredBlockHeader; coinbase: DecredTransaction } {
  const reader = new ByteReader(hexToBytes(hex));
  const header = readBlockHeader(reader);
  assert.equal(reader.varint(), 1);
  const coinbase = readTransaction(reader);
  assert.equal(reader.varint(), 0);
  assert.equal(reader.remaining, 0);
  return { header, coinbase };
}

describe('Decred networks', () => {
  it('has the dcrd magic values, ports and wire bytes', () => {
    const expected = {
      mainnet: [0xd9b400f9, 'f900b4d9', 9108],
      testnet3: [0xb194aa75, '75aa94b1', 19108],
      simnet: [0x12141c16, '161c1412', 18555],
      regnet: [0xdab500fa, 'fa00b5da', 18655],
    } as const;
    for (const [name, [magic, wire, port]] of Object.entries(expected)) {
      const network = decredNetworks[name as keyof typeof decredNetworks];
      assert.equal(network.magic, magic, name);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, network.magic, true);
      assert.equal(bytesToHex(bytes), wire, name);
      assert.equal(network.defaultPort, port, name);
      assert.equal(network.family, 'decred');
      assert.equal(network.id, `decred-${name}`);
      assert.equal(network.maxPayloadLength, 32 * 1024 * 1024);
      assert.equal(network.protocolVersion, DecredProtocol.latest);
      assert.ok(Object.isFrozen(network));
    }
  });

  it('shares its simnet magic with btcd simnet: only the checksum tells the frames apart', () => {
    assert.equal(decredNetworks.simnet.magic, bitcoinNetworks.simnet.magic);
  });

  it('mainnet genesis: built from dcrd chaincfg, it hashes to the network genesis hash', () => {
    const coinbase = nullCoinbase();
    const header = blockHeader({
      merkleRoot: txHashFull(coinbase),
      timestamp: 1454954400,
      bits: 0x1b01ffff,
      sBits: 200_000_000n,
    });
    assert.equal(hashToHex(blockHash(header)), decredNetworks.mainnet.genesisHash);
  });

  it('testnet3 genesis: its merkle root is the prefix hash (a dcrd quirk kept for compatibility)', () => {
    const coinbase = nullCoinbase();
    const header = blockHeader({
      version: 6,
      merkleRoot: txHash(coinbase),
      timestamp: 1533513600,
      bits: 0x1e00ffff,
      sBits: 20_000_000n,
      nonce: 0x18aea41a,
      stakeVersion: 6,
    });
    assert.equal(hashToHex(blockHash(header)), decredNetworks.testnet3.genesisHash);
  });

  it('simnet genesis: the 2018 block with today’s TxHashFull merkle root', () => {
    const { header, coinbase } = decodeGenesis(SIMNET_GENESIS_2018);
    // Before the merkle root was corrected, simnet had another genesis hash.
    assert.equal(
      hashToHex(blockHash(header)),
      '5bec7567af40504e0994db3b573c186fffcc4edefe096ff2e58d00523bd7e8a6',
    );
    header.merkleRoot = txHashFull(coinbase);
    assert.equal(hashToHex(blockHash(header)), decredNetworks.simnet.genesisHash);
  });

  it('regnet genesis: dcrd’s serialised block decodes and hashes to the genesis hash', () => {
    const { header, coinbase } = decodeGenesis(REGNET_GENESIS);
    assert.equal(hashToHex(header.merkleRoot), hashToHex(txHashFull(coinbase)));
    assert.equal(hashToHex(blockHash(header)), decredNetworks.regnet.genesisHash);
  });
});

describe('BLAKE-256 checksum', () => {
  it('empty payload: 71 6f 6e 86 (BLAKE-256 of "" is 716f6e86…)', () => {
    assert.equal(
      bytesToHex(blake256(new Uint8Array(0))),
      '716f6e863f744b9ac22c97ec7b76ea5f5908bc5b2f67c61510bfc4751384ea7a',
    );
    assert.equal(blake256Checksum(new Uint8Array(0)), 0x866e6f71);
  });

  it('matches the checksums dcrd’s own tests hard-code', () => {
    // BLAKE-256 test vector of the single byte 0x00 (BLAKE submission).
    assert.equal(
      bytesToHex(blake256(new Uint8Array(1))),
      '0ce8d4ef4dd7cd8d62dfded9d4edb0a774ae6a41929a74da23109e8f11139c87',
    );
    // dcrd message_test.go: the frames of an empty inv and of a one-byte-count payload.
    assert.equal(blake256Checksum(new Uint8Array([0])), 0xefd4e80c);
    assert.equal(blake256Checksum(new Uint8Array([2])), 0xab37af49);
  });

  it('is the family checksum', () => {
    assert.equal(decredFamily.checksum, blake256Checksum);
    assert.equal(decredFamily.commandAlphabet, 'ascii');
  });
});

describe('Decred service flags', () => {
  it('prints like dcrd', () => {
    assert.equal(formatDecredServices(0n), '0x0');
    assert.equal(formatDecredServices(1n), 'SFNodeNetwork');
    assert.equal(formatDecredServices(5n), 'SFNodeNetwork|SFNodeCF');
    assert.equal(formatDecredServices(0x1fn), 'SFNodeNetwork|SFNodeBloom|SFNodeCF|0x18');
  });
});
