import { decredNetworks } from './decred/networks.js';
import { sha256d } from './hash.js';

export type NetworkFamily = 'bitcoin' | 'decred';

/** The parameters of one network that the wire layer needs. */
export interface Network {
  readonly family: NetworkFamily;
  /** Short name within the family: 'mainnet', 'regtest', … */
  readonly name: string;
  /** Family-qualified id used by the CLI: 'bitcoin-regtest', 'decred-simnet'. */
  readonly id: string;
  /** Magic as the uint32 constant; on the wire it is written little-endian. */
  readonly magic: number;
  readonly defaultPort: number;
  /** Genesis block hash in display order. */
  readonly genesisHash: string;
  /** Network-wide cap on a frame's payload length, checked from the header. */
  readonly maxPayloadLength: number;
  /** The newest protocol version this family's codec speaks. */
  readonly protocolVersion: number;
}

/** Bitcoin protocol versions that gate behaviour (btcd wire/protocol.go). */
export const BitcoinProtocol = {
  multipleAddress: 209,
  netAddressTime: 31402,
  bip31: 60000,
  bip35: 60002,
  bip37: 70001,
  reject: 70002,
  bip111: 70011,
  sendHeaders: 70012,
  feeFilter: 70013,
  compactBlocks: 70014,
  addrV2: 70016,
  latest: 70016,
} as const;

/** btcd's MaxProtocolMessageLength: the per-frame cap on the Bitcoin network. */
export const BITCOIN_MAX_PAYLOAD_LENGTH = 4_000_000;

function bitcoin(name: string, magic: number, defaultPort: number, genesisHash: string): Network {
  return Object.freeze({
    family: 'bitcoin',
    name,
    id: `bitcoin-${name}`,
    magic,
    defaultPort,
    genesisHash,
    maxPayloadLength: BITCOIN_MAX_PAYLOAD_LENGTH,
    protocolVersion: BitcoinProtocol.latest,
  });
}

const SIGNET_GENESIS = '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6';

export const bitcoinNetworks = Object.freeze({
  mainnet: bitcoin(
    'mainnet',
    0xd9b4bef9,
    8333,
    '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  ),
  testnet3: bitcoin(
    'testnet3',
    0x0709110b,
    18333,
    '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  ),
  testnet4: bitcoin(
    'testnet4',
    0x283f161c,
    48333,
    '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  ),
  signet: bitcoin('signet', 0x40cf030a, 38333, SIGNET_GENESIS),
  regtest: bitcoin(
    'regtest',
    0xdab5bffa,
    18444,
    '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  ),
  simnet: bitcoin(
    'simnet',
    0x12141c16,
    18555,
    '683e86bd5c6d110d91b94b97137ba6bfe02dbbdb8e3dff722a669b5d69d77af6',
  ),
});

/**
 * A custom signet: the magic is the first four bytes (little-endian) of the double SHA-256 of the
 * challenge script with its CompactSize length prefix. Every signet shares the same genesis block.
 */
export function customSignet(
  challenge: Uint8Array,
  options: { name?: string; defaultPort?: number } = {},
): Network {
  const prefixed = new Uint8Array(challenge.length + (challenge.length < 0xfd ? 1 : 3));
  let offset = 0;
  if (challenge.length < 0xfd) prefixed[offset++] = challenge.length;
  else {
    prefixed[offset++] = 0xfd;
    prefixed[offset++] = challenge.length & 0xff;
    prefixed[offset++] = challenge.length >> 8;
  }
  prefixed.set(challenge, offset);
  const digest = sha256d(prefixed);
  const magic = (digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) >>> 0;
  return bitcoin(options.name ?? 'signet-custom', magic, options.defaultPort ?? 38333, SIGNET_GENESIS);
}

/** Every known network, keyed by its id ('bitcoin-regtest', …). */
export function allNetworks(): readonly Network[] {
  return [...Object.values(bitcoinNetworks), ...Object.values(decredNetworks)];
}

export function networkById(id: string): Network | undefined {
  return allNetworks().find(
    (network) => network.id === id || (network.family === 'bitcoin' && network.name === id),
  );
}
