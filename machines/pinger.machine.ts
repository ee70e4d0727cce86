import { sendParent, setup } from 'xstate';

export interface PingerInput {
  pingIntervalMs: number;
  /** 0 = no pong deadline (btcd and dcrd have none; liveness comes from the idle timeout). */
  pongTimeoutMs: number;
}

export type PingerEvent = { type: 'pong.matched' };

/** Keep-alive: asks the peer for a ping every interval and, optionally, watches for its pong. */
export const pingerMachine = setup({
  types: {
    input: {} as PingerInput,
    context: {} as PingerInput,
    events: {} as PingerEvent,
  },
  guards: {
    hasPongDeadline: ({ context }) => context.pongTimeoutMs > 0,
  },
  actions: {
    requestPing: sendParent({ type: 'pinger.pingDue' }),
    reportPongTimeout: sendParent({ type: 'pinger.pongTimeout' }),
  },
  delays: {
    pingInterval: ({ context }) => context.pingIntervalMs,
    pongTimeout: ({ context }) => context.pongTimeoutMs,
  },
}).createMachine({
  id: 'pinger',
  description: 'Asks for a ping every pingInterval; with a pong deadline configured, reports a missing pong.',
  context: ({ input }) => ({ ...input }),
  initial: 'waiting',
  states: {
    waiting: {
      after: {
        pingInterval: [
          { guard: 'hasPongDeadline', target: 'awaitingPong', actions: 'requestPing' },
          { target: 'waiting', reenter: true, actions: 'requestPing' },
        ],
      },
    },
    awaitingPong: {
      on: { 'pong.matched': 'waiting' },
      after: { pongTimeout: { target: 'timedOut', actions: 'reportPongTimeout' } },
    },
    timedOut: { type: 'final' },
  },
});
