import { assign, sendParent, setup } from 'xstate';
import type { PeerHost } from './types.js';

export interface StallMonitorInput {
  host: PeerHost;
  stallTickMs: number;
  responseTimeoutMs: number;
  headersResponseTimeoutMs: number;
  enabled: boolean;
}

export type StallMonitorEvent =
  | { type: 'stall.requestSent'; command: string }
  | { type: 'stall.responseReceived'; command: string };

/** Which responses a request expects (btcd's table; a response clears its whole group). */
const EXPECTED_RESPONSES: ReadonlyMap<string, readonly string[]> = new Map([
  ['mempool', ['inv']],
  ['getblocks', ['inv']],
  ['getdata', ['block', 'merkleblock', 'tx', 'notfound']],
  ['getheaders', ['headers']],
]);

/** Commands that answer some tracked request; the peer only reports these. */
export const STALL_RESPONSE_COMMANDS: ReadonlySet<string> = new Set([...EXPECTED_RESPONSES.values()].flat());
export const STALL_REQUEST_COMMANDS: ReadonlySet<string> = new Set(EXPECTED_RESPONSES.keys());

export interface StallMonitorContext extends StallMonitorInput {
  /** Expected response command → deadline (ms on the host clock). */
  deadlines: Map<string, number>;
  stalledCommand: string | undefined;
}

/**
 * Expected-response deadlines, checked every tick. Time spent in the application's listeners is
 * added to every pending deadline at each tick, so a slow handler never makes the remote look
 * stalled (btcd forgets this compensation after one tick; we keep it).
 */
export const stallMonitorMachine = setup({
  types: {
    input: {} as StallMonitorInput,
    context: {} as StallMonitorContext,
    events: {} as StallMonitorEvent,
  },
  guards: {
    isEnabled: ({ context }) => context.enabled,
    hasDeadlines: ({ context }) => context.deadlines.size > 0,
    isStalled: ({ context }) => context.stalledCommand !== undefined,
  },
  actions: {
    recordRequest: assign(({ context, event }) => {
      if (event.type !== 'stall.requestSent') return {};
      const responses = EXPECTED_RESPONSES.get(event.command);
      if (!responses) return {};
      const timeout =
        event.command === 'getheaders' ? context.headersResponseTimeoutMs : context.responseTimeoutMs;
      const deadline = context.host.now() + timeout;
      for (const response of responses) context.deadlines.set(response, deadline);
      return { deadlines: context.deadlines };
    }),
    clearResponse: assign(({ context, event }) => {
      if (event.type !== 'stall.responseReceived') return {};
      // A getdata answer of any kind clears the whole getdata group, as in btcd.
      const group = [...EXPECTED_RESPONSES.values()].find((responses) => responses.includes(event.command));
      for (const response of group ?? [event.command]) context.deadlines.delete(response);
      return { deadlines: context.deadlines };
    }),
    checkDeadlines: assign(({ context }) => {
      const compensationMs = context.host.takeHandlerTimeMs();
      const now = context.host.now();
      let stalledCommand: string | undefined;
      for (const [command, deadline] of context.deadlines) {
        const extended = deadline + compensationMs;
        context.deadlines.set(command, extended);
        if (stalledCommand === undefined && now >= extended) stalledCommand = command;
      }
      return { deadlines: context.deadlines, stalledCommand };
    }),
    reportStall: sendParent(({ context }) => ({
      type: 'stall.detected',
      command: context.stalledCommand ?? '',
    })),
  },
  delays: {
    stallTick: ({ context }) => context.stallTickMs,
  },
}).createMachine({
  id: 'stallMonitor',
  description: 'Disconnects a remote that does not answer a tracked request within its deadline.',
  context: ({ input }) => ({ ...input, deadlines: new Map(), stalledCommand: undefined }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'stall.requestSent': { guard: 'isEnabled', target: 'watching', actions: 'recordRequest' },
      },
    },
    watching: {
      on: {
        'stall.requestSent': { actions: 'recordRequest' },
        'stall.responseReceived': { actions: 'clearResponse' },
      },
      after: {
        stallTick: { target: 'checking', actions: 'checkDeadlines' },
      },
    },
    checking: {
      always: [
        { guard: 'isStalled', target: 'stalled', actions: 'reportStall' },
        { guard: 'hasDeadlines', target: 'watching' },
        { target: 'idle' },
      ],
    },
    stalled: { type: 'final' },
  },
});
