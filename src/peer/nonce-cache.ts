/**
 * The process-wide record of version nonces we sent (btcd: an LRU of 50). A received version
 * carrying one of them means we connected to ourselves.
 */
export class NonceCache {
  private readonly nonces = new Map<bigint, true>();

  constructor(readonly capacity = 50) {}

  add(nonce: bigint): void {
    this.nonces.delete(nonce);
    this.nonces.set(nonce, true);
    if (this.nonces.size > this.capacity) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
  }

  has(nonce: bigint): boolean {
    return this.nonces.has(nonce);
  }
}

/** Shared by every peer of the process unless a config injects its own. */
export const sharedNonceCache = new NonceCache(50);
