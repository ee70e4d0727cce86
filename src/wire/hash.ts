import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { SMALL_INPUT_LIMIT, sha256dChecksumSmall } from './sha256-small.js';

type NodeCrypto = typeof import('node:crypto');

/**
 * node:crypto when the runtime has it (about 18x faster than pure JS on 1 MiB payloads), found
 * without a static import so the wire layer still loads where there is no node:crypto.
 */
const nodeCrypto: NodeCrypto | undefined = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
})();

export type HashFunction = (data: Uint8Array) => Uint8Array;

export const sha256Noble: HashFunction = (data) => nobleSha256(data);
export const sha256dNoble: HashFunction = (data) => nobleSha256(nobleSha256(data));

/** Digests as plain Uint8Arrays like every other value the codec returns (a Buffer's slice aliases). */
function plain(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

function nodeSha256(crypto: NodeCrypto): HashFunction {
  if (typeof crypto.hash === 'function') {
    const oneShot = crypto.hash as (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer;
    return (data) => plain(oneShot('sha256', data, 'buffer'));
  }
  return (data) => plain(crypto.createHash('sha256').update(data).digest());
}

/** SHA-256 through node:crypto, or undefined where node:crypto is missing. */
export const sha256Node: HashFunction | undefined = nodeCrypto ? nodeSha256(nodeCrypto) : undefined;
export const sha256dNode: HashFunction | undefined = sha256Node
  ? (data) => sha256Node(sha256Node(data))
  : undefined;

export const sha256: HashFunction = sha256Node ?? sha256Noble;
/** Double SHA-256: Bitcoin's block, transaction and checksum hash. */
export const sha256d: HashFunction = sha256dNode ?? sha256dNoble;

/** Bitcoin frame checksum: the first four bytes of double SHA-256, as a little-endian uint32. */
export function sha256dChecksum(payload: Uint8Array): number {
  if (payload.length <= SMALL_INPUT_LIMIT) return sha256dChecksumSmall(payload);
  const digest = sha256d(payload);
  return (digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) >>> 0;
}
