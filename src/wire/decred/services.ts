import { formatServiceBits } from '../services.js';

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
  return formatServiceBits(services, NAMES);
}
