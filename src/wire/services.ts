/** Service bits a Bitcoin node advertises (btcd wire.ServiceFlag). */
export const ServiceFlag = {
  network: 1n << 0n,
  getUtxo: 1n << 1n,
  bloom: 1n << 2n,
  witness: 1n << 3n,
  xthin: 1n << 4n,
  bit5: 1n << 5n,
  cf: 1n << 6n,
  twoX: 1n << 7n,
  networkLimited: 1n << 10n,
  p2pV2: 1n << 11n,
} as const;

const NAMES: readonly [bigint, string][] = [
  [ServiceFlag.network, 'SFNodeNetwork'],
  [ServiceFlag.getUtxo, 'SFNodeGetUTXO'],
  [ServiceFlag.bloom, 'SFNodeBloom'],
  [ServiceFlag.witness, 'SFNodeWitness'],
  [ServiceFlag.xthin, 'SFNodeXthin'],
  [ServiceFlag.bit5, 'SFNodeBit5'],
  [ServiceFlag.cf, 'SFNodeCF'],
  [ServiceFlag.twoX, 'SFNode2X'],
  [ServiceFlag.networkLimited, 'SFNodeNetworkLimited'],
  [ServiceFlag.p2pV2, 'SFNodeP2PV2'],
];

/** btcd's pretty form: names joined with "|", unknown remaining bits as hex, zero as "0x0". */
export function formatServices(services: bigint): string {
  return formatServiceBits(services, NAMES);
}

/** The btcd/dcrd pretty form of a service bit field, for a family's table of bit names. */
export function formatServiceBits(services: bigint, names: readonly [bigint, string][]): string {
  if (services === 0n) return '0x0';
  const parts: string[] = [];
  let rest = services;
  for (const [bit, name] of names) {
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}
