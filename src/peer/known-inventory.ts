import { type Node, Yallist } from 'yallist';
import type { InvVector } from '../wire/bitcoin/types.js';
import { bytesToHex } from '../wire/hex.js';

/** Value key of an inventory vector (type + hash), so equal vectors match whatever object holds them. */
export function inventoryKey(inventory: InvVector): string {
  return `${inventory.type}:${bytesToHex(inventory.hash)}`;
}

/**
 * Inventory the remote already knows: an LRU of fixed capacity keyed by value (btcd keys it by
 * object identity since 2020, which makes it ineffective; dcrd and the original map key by value).
 */
export class KnownInventory {
  private readonly order = new Yallist<string>();
  private readonly nodes = new Map<string, Node<string>>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.nodes.size;
  }

  has(inventory: InvVector): boolean {
    return this.nodes.has(inventoryKey(inventory));
  }

  /** Adds or refreshes an entry, evicting the least recently added one beyond capacity. */
  add(inventory: InvVector): void {
    if (this.capacity <= 0) return;
    const key = inventoryKey(inventory);
    const node = this.nodes.get(key);
    if (node) {
      this.order.unshiftNode(node);
      return;
    }
    this.order.unshift(key);
    this.nodes.set(key, this.order.head!);
    if (this.nodes.size > this.capacity) {
      const evicted = this.order.pop();
      if (evicted !== undefined) this.nodes.delete(evicted);
    }
  }
}
