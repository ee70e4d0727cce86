import { assign, sendParent, setup } from 'xstate';
import type { InvVector } from '../src/wire/bitcoin/types.js';

export interface TricklerInput {
  /** btcd: a fixed 10 s ticker; dcrd: the shortest delay, 100 ms. */
  trickleIntervalMs: number;
  /** 0 = fixed; dcrd adds a uniform draw in [0, 400 ms), so each delay is in [100, 500) ms. */
  trickleJitterMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

export type TricklerEvent = { type: 'inventory.add'; inventory: InvVector };

/**
 * Batches announced inventory and hands it to the peer every trickle interval; the peer filters
 * what the remote already knows and sends invs of at most 1000 entries.
 */
export const tricklerMachine = setup({
  types: {
    input: {} as TricklerInput,
    context: {} as TricklerInput & { pending: InvVector[] },
    events: {} as TricklerEvent,
  },
  guards: {
    hasPending: ({ context }) => context.pending.length > 0,
  },
  actions: {
    addPending: assign({
      pending: ({ context, event }) => {
        context.pending.push(event.inventory);
        return context.pending;
      },
    }),
    flushPending: sendParent(({ context }) => ({ type: 'trickler.flush', inventory: context.pending })),
    clearPending: assign({ pending: () => [] }),
  },
  delays: {
    // Drawn afresh each time the timer is armed.
    trickleInterval: ({ context }) =>
      context.trickleIntervalMs + Math.floor(context.random() * context.trickleJitterMs),
  },
}).createMachine({
  id: 'trickler',
  description:
    'Collects inventory to announce and flushes it after trickleInterval (fixed for btcd, jittered for dcrd).',
  context: ({ input }) => ({ ...input, pending: [] }),
  initial: 'empty',
  states: {
    empty: {
      on: { 'inventory.add': { target: 'collecting', actions: 'addPending' } },
    },
    collecting: {
      on: { 'inventory.add': { actions: 'addPending' } },
      after: {
        trickleInterval: { target: 'empty', actions: ['flushPending', 'clearPending'] },
      },
    },
  },
});
