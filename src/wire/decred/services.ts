/** Service bits a Decred node advertises (dcrd wire.ServiceFlag). */
export const DecredServiceFlag = {
  network: 1n << 0n,
  /** Defined at protocol 2, never used. */
  bloom: 1n << 1n,
  /** Serves version 1 committed filters. */
  cf: 1n << 2n,
} as const;

const NAMES: readonly [bigint, string][] = [
  [DecredServiceFlag.network, 'SFNodeNetwork'],
  [DecredServiceFlag.bloom, 'SFNodeBloom'],
  [DecredServiceFlag.cf, 'SFNodeCF'],
];

/** dcrd's pretty form: names joined with "|", unknown remaining bits as hex, zero as "0x0". */
export function formatDecredServices(services: bigint): string {
  if (services === 0n) return '0x0';
  const parts: string[] = [];
  let rest = services;
  for (const [bit, name] of NAMES) {
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}
