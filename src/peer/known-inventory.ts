import { type Node, Yallist } from 'yallist';
import type { InvVector } from '../wire/bitcoin/types.js';
import { bytesToHex } from '../wire/hex.js';

/** Value key of an inventory vector (type + hash), so equal vectors match whatever object holds them. */
export function inventoryKey(inventory: InvVector): string {
  return `${inventory.type}:${bytesToHex(inventory.hash)}`;
}

export interface KnownInventoryOptions {
  /** 0 (default) = entries never expire (btcd); dcrd forgets an entry 15 minutes after it was added. */
  ttlMs?: number;
  /** Milliseconds; the peer's clock. */
  now?: () => number;
}

interface Entry {
  readonly key: string;
  expiresAt: number;
}

/**
 * Inventory the remote already knows: an LRU of fixed capacity keyed by value (btcd keys it by
 * object identity since 2020, which makes it ineffective; dcrd and the original map key by value).
 * With a TTL (dcrd), an expired entry counts as absent.
 */
export class KnownInventory {
  private readonly order = new Yallist<Entry>();
  private readonly nodes = new Map<string, Node<Entry>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    readonly capacity: number,
    options: KnownInventoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.nodes.size;
  }

  has(inventory: InvVector): boolean {
    const key = inventoryKey(inventory);
    const node = this.nodes.get(key);
    if (!node) return false;
    if (this.ttlMs > 0 && this.now() >= node.value.expiresAt) {
      this.order.removeNode(node);
      this.nodes.delete(key);
      return false;
    }
    return true;
  }

  /** Adds or refreshes an entry (recency and expiry), evicting the least recent one beyond capacity. */
  add(inventory: InvVector): void {
    if (this.capacity <= 0) return;
    const key = inventoryKey(inventory);
    const expiresAt = this.ttlMs > 0 ? this.now() + this.ttlMs : Number.POSITIVE_INFINITY;
    const node = this.nodes.get(key);
    if (node) {
      node.value.expiresAt = expiresAt;
      this.order.unshiftNode(node);
      return;
    }
    this.order.unshift({ key, expiresAt });
    this.nodes.set(key, this.order.head!);
    if (this.nodes.size > this.capacity) {
      const evicted = this.order.pop();
      if (evicted !== undefined) this.nodes.delete(evicted.key);
    }
  }
}
