import type { InvVector } from '../../wire/bitcoin/types.js';
import { blockHash } from '../../wire/decred/chain.js';
import { mixMessageHash } from '../../wire/decred/mix.js';
import { txHash } from '../../wire/decred/transaction.js';
import { DecredInvType, type DecredMessage, type DecredMixMessage } from '../../wire/decred/types.js';

const MIX_COMMANDS: ReadonlySet<string> = new Set([
  'mixpairreq',
  'mixkeyxchg',
  'mixcphrtxt',
  'mixslotres',
  'mixfactpoly',
  'mixdcnet',
  'mixconfirm',
  'mixsecrets',
]);

/** Commands that can answer a requested inventory vector (dcrd v4's explicit stall tracking). */
export const INVENTORY_ANSWER_COMMANDS: ReadonlySet<string> = new Set([
  'block',
  'tx',
  'notfound',
  ...MIX_COMMANDS,
]);

/** Requests tracked by command rather than by inventory: getinitstate expects initstate. */
export const COMMAND_REQUESTS: ReadonlyMap<string, string> = new Map([['getinitstate', 'initstate']]);

/**
 * The inventory vectors a received message answers: a block or tx its own hash, a mixing message
 * its BLAKE-256 hash (dcrd hashes each on receipt), notfound every vector it lists.
 */
export function answeredInventory(message: { command: string }): InvVector[] {
  const decred = message as DecredMessage;
  switch (decred.command) {
    case 'block':
      return [{ type: DecredInvType.block, hash: blockHash(decred.header) }];
    case 'tx':
      return [{ type: DecredInvType.tx, hash: txHash(decred.transaction) }];
    case 'notfound':
      return decred.inventory;
    default:
      return MIX_COMMANDS.has(decred.command)
        ? [{ type: DecredInvType.mix, hash: mixMessageHash(decred as DecredMixMessage) }]
        : [];
  }
}
