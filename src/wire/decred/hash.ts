import { blake256 as fastBlake256 } from './blake256.js';

/**
 * BLAKE-256 (the 14-round final version, dcrd's chainhash.HashH). node:crypto has no BLAKE-1, so
 * this is always pure JS: the unrolled one-shot implementation in ./blake256.ts.
 */
export function blake256(data: Uint8Array): Uint8Array {
  return fastBlake256(data);
}

/** Decred frame checksum: the first four bytes of a single BLAKE-256, as a little-endian uint32. */
export function blake256Checksum(payload: Uint8Array): number {
  const digest = fastBlake256(payload);
  return (digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) >>> 0;
}
