import { assign, raise, setup } from 'xstate';

/** What the supervisor runtime does for its statechart; the chart decides when. */
export interface SupervisorHost {
  /** Accept an inbound socket as a peer. */
  acceptInbound(connectionId: number): void;
  /** Close an inbound socket without a peer, telling listeners why. */
  refuseInbound(connectionId: number, reason: 'max-inbound' | 'banned' | 'shutting-down'): void;
  /** Start an outbound peer (a dial). */
  dialOutbound(address: string, persistent: boolean, attempt: number): void;
  refuseOutbound(address: string, reason: 'max-outbound' | 'banned' | 'shutting-down'): void;
  isBanned(address: string): boolean;
  /** Random number in [0, 1) for backoff jitter. */
  random(): number;
  /** Stop listening and disconnect every peer. */
  beginShutdown(): void;
}

export interface SupervisorInput {
  host: SupervisorHost;
  maxInbound: number;
  maxOutbound: number;
  redialBaseMs: number;
  redialMaxMs: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %). */
  redialJitter: number;
}

export type SupervisorEvent =
  | { type: 'connection.accepted'; connectionId: number; address: string }
  | { type: 'dial.requested'; address: string; persistent: boolean }
  | {
      type: 'peer.ended';
      direction: 'inbound' | 'outbound';
      address: string;
      persistent: boolean;
      attempt: number;
    }
  | { type: 'redial.due'; address: string; attempt: number }
  | { type: 'shutdown' };

export interface SupervisorContext extends SupervisorInput {
  inbound: number;
  outbound: number;
}

/** Exponential backoff with jitter: base · 2^attempt, capped, ± jitter. */
export function redialDelayMs(context: SupervisorInput, attempt: number, random: number): number {
  const delay = Math.min(context.redialMaxMs, context.redialBaseMs * 2 ** Math.min(attempt, 30));
  return Math.round(delay * (1 + context.redialJitter * (2 * random - 1)));
}

/**
 * The supervisor: admits inbound connections and outbound dials within their limits, redials
 * persistent peers with backoff, and shuts down when every peer is gone. Peers are independent
 * actors kept in the runtime's registry (spawning them as XState children copies the children map,
 * O(peers) per spawn); the chart sees one event when a peer starts and one when it ends.
 */
export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  guards: {
    isBanned: ({ context, event }) =>
      (event.type === 'connection.accepted' ||
        event.type === 'dial.requested' ||
        event.type === 'redial.due') &&
      context.host.isBanned(event.address),
    inboundFull: ({ context }) => context.inbound >= context.maxInbound,
    outboundFull: ({ context }) => context.outbound >= context.maxOutbound,
    shouldRedial: ({ event }) =>
      event.type === 'peer.ended' && event.direction === 'outbound' && event.persistent,
    noPeersLeft: ({ context }) => context.inbound + context.outbound === 0,
  },
  actions: {
    acceptInbound: assign(({ context, event }) => {
      if (event.type !== 'connection.accepted') return {};
      context.host.acceptInbound(event.connectionId);
      return { inbound: context.inbound + 1 };
    }),
    refuseInbound: ({ context, event }, params: { reason: 'max-inbound' | 'banned' | 'shutting-down' }) => {
      if (event.type === 'connection.accepted') context.host.refuseInbound(event.connectionId, params.reason);
    },
    dialOutbound: assign(({ context, event }) => {
      if (event.type === 'dial.requested') context.host.dialOutbound(event.address, event.persistent, 0);
      else if (event.type === 'redial.due') context.host.dialOutbound(event.address, true, event.attempt);
      else return {};
      return { outbound: context.outbound + 1 };
    }),
    refuseOutbound: ({ context, event }, params: { reason: 'max-outbound' | 'banned' | 'shutting-down' }) => {
      if (event.type === 'dial.requested' || event.type === 'redial.due') {
        context.host.refuseOutbound(event.address, params.reason);
      }
    },
    countEnded: assign(({ context, event }) => {
      if (event.type !== 'peer.ended') return {};
      return event.direction === 'inbound'
        ? { inbound: context.inbound - 1 }
        : { outbound: context.outbound - 1 };
    }),
    scheduleRedial: raise(
      ({ event }) => {
        const ended = event as Extract<SupervisorEvent, { type: 'peer.ended' }>;
        return { type: 'redial.due' as const, address: ended.address, attempt: ended.attempt + 1 };
      },
      {
        delay: ({ context, event }) =>
          redialDelayMs(
            context,
            (event as Extract<SupervisorEvent, { type: 'peer.ended' }>).attempt,
            context.host.random(),
          ),
      },
    ),
    beginShutdown: ({ context }) => context.host.beginShutdown(),
  },
}).createMachine({
  id: 'supervisor',
  description: 'Admits, tracks and redials peers; one event per peer start and end.',
  context: ({ input }) => ({ ...input, inbound: 0, outbound: 0 }),
  initial: 'running',
  states: {
    running: {
      on: {
        'connection.accepted': [
          { guard: 'isBanned', actions: { type: 'refuseInbound', params: { reason: 'banned' } } },
          { guard: 'inboundFull', actions: { type: 'refuseInbound', params: { reason: 'max-inbound' } } },
          { actions: 'acceptInbound' },
        ],
        'dial.requested': [
          { guard: 'isBanned', actions: { type: 'refuseOutbound', params: { reason: 'banned' } } },
          { guard: 'outboundFull', actions: { type: 'refuseOutbound', params: { reason: 'max-outbound' } } },
          { actions: 'dialOutbound' },
        ],
        'redial.due': [
          { guard: 'isBanned', actions: { type: 'refuseOutbound', params: { reason: 'banned' } } },
          { guard: 'outboundFull', actions: { type: 'refuseOutbound', params: { reason: 'max-outbound' } } },
          { actions: 'dialOutbound' },
        ],
        'peer.ended': [
          { guard: 'shouldRedial', actions: ['countEnded', 'scheduleRedial'] },
          { actions: 'countEnded' },
        ],
        shutdown: 'shuttingDown',
      },
    },
    shuttingDown: {
      description: 'Listeners closed, every peer told to disconnect; done when the last one is gone.',
      entry: 'beginShutdown',
      always: { guard: 'noPeersLeft', target: 'stopped' },
      on: {
        'connection.accepted': { actions: { type: 'refuseInbound', params: { reason: 'shutting-down' } } },
        'dial.requested': { actions: { type: 'refuseOutbound', params: { reason: 'shutting-down' } } },
        'peer.ended': { actions: 'countEnded' },
      },
    },
    stopped: { type: 'final' },
  },
});
