import { assign, sendParent, setup } from 'xstate';
import {
  answeredInventory,
  COMMAND_REQUESTS,
  INVENTORY_ANSWER_COMMANDS,
} from '../src/protocol/decred/stall.js';
import type { InvVector } from '../src/wire/bitcoin/types.js';
import { bytesToHex } from '../src/wire/hex.js';
import type { PeerHost } from './types.js';

/**
 * 'command': btcd's table, a request expects a group of response commands and any of them clears
 * the group. 'inventory': dcrd v4, one deadline per requested inventory vector, cleared only by
 * its own answer (block, tx or mixing message by hash, notfound by the vectors it lists).
 */
export type StallTracking = 'command' | 'inventory';

export interface StallMonitorInput {
  host: PeerHost;
  stallTickMs: number;
  responseTimeoutMs: number;
  headersResponseTimeoutMs: number;
  enabled: boolean;
  tracking: StallTracking;
  /** 0 = unlimited; 'inventory' tracking disconnects beyond this many outstanding vectors. */
  maxOutstandingInventory: number;
}

export type StallMonitorEvent =
  | { type: 'stall.requestSent'; command: string; inventory?: readonly InvVector[] }
  | { type: 'stall.responseReceived'; command: string; inventory?: readonly InvVector[] };

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
const COMMAND_ANSWERS: ReadonlySet<string> = new Set(COMMAND_REQUESTS.values());

/** The stall event a message we sent produces, if the profile's tracking cares about it. */
export function stallRequestOf(
  tracking: StallTracking,
  message: { command: string },
): StallMonitorEvent | undefined {
  if (tracking === 'command') {
    return STALL_REQUEST_COMMANDS.has(message.command)
      ? { type: 'stall.requestSent', command: message.command }
      : undefined;
  }
  if (message.command === 'getdata') {
    const { inventory } = message as unknown as { inventory: readonly InvVector[] };
    return { type: 'stall.requestSent', command: 'getdata', inventory };
  }
  return COMMAND_REQUESTS.has(message.command)
    ? { type: 'stall.requestSent', command: message.command }
    : undefined;
}

/** The stall event a message we received produces, if it can answer a tracked request. */
export function stallResponseOf(
  tracking: StallTracking,
  message: { command: string },
): StallMonitorEvent | undefined {
  if (tracking === 'command') {
    return STALL_RESPONSE_COMMANDS.has(message.command)
      ? { type: 'stall.responseReceived', command: message.command }
      : undefined;
  }
  if (INVENTORY_ANSWER_COMMANDS.has(message.command)) {
    return {
      type: 'stall.responseReceived',
      command: message.command,
      inventory: answeredInventory(message),
    };
  }
  return COMMAND_ANSWERS.has(message.command)
    ? { type: 'stall.responseReceived', command: message.command }
    : undefined;
}

export interface StallMonitorContext extends StallMonitorInput {
  /** What is expected (a response command, or "inv:" + an inventory key) → deadline (ms, host clock). */
  deadlines: Map<string, number>;
  /** Inventory vectors requested and not yet answered ('inventory' tracking). */
  outstandingInventory: number;
  stalledCommand: string | undefined;
}

const INVENTORY_PREFIX = 'inv:';

function inventoryKey(item: InvVector): string {
  return `${item.type}:${bytesToHex(item.hash)}`;
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
    /** dcrd v4: more than 75 000 requested vectors outstanding disconnects at once. */
    exceedsRequestLimit: ({ context, event }) =>
      context.enabled &&
      context.tracking === 'inventory' &&
      context.maxOutstandingInventory > 0 &&
      event.type === 'stall.requestSent' &&
      context.outstandingInventory + (event.inventory?.length ?? 0) > context.maxOutstandingInventory,
  },
  actions: {
    recordRequest: assign(({ context, event }) => {
      if (event.type !== 'stall.requestSent') return {};
      if (context.tracking === 'inventory') {
        const deadline = context.host.now() + context.responseTimeoutMs;
        let outstanding = context.outstandingInventory;
        for (const item of event.inventory ?? []) {
          const key = INVENTORY_PREFIX + inventoryKey(item);
          if (!context.deadlines.has(key)) outstanding++;
          context.deadlines.set(key, deadline);
        }
        const answer = COMMAND_REQUESTS.get(event.command);
        if (answer) context.deadlines.set(answer, deadline);
        return { deadlines: context.deadlines, outstandingInventory: outstanding };
      }
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
      if (context.tracking === 'inventory') {
        let outstanding = context.outstandingInventory;
        for (const item of event.inventory ?? []) {
          if (context.deadlines.delete(INVENTORY_PREFIX + inventoryKey(item))) outstanding--;
        }
        if (COMMAND_ANSWERS.has(event.command)) context.deadlines.delete(event.command);
        return { deadlines: context.deadlines, outstandingInventory: outstanding };
      }
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
      command: context.stalledCommand?.startsWith(INVENTORY_PREFIX)
        ? `answer to inventory ${context.stalledCommand.slice(INVENTORY_PREFIX.length)}`
        : (context.stalledCommand ?? ''),
    })),
    reportRequestLimit: sendParent(({ context, event }) => ({
      type: 'stall.requestLimit',
      outstanding:
        context.outstandingInventory +
        (event.type === 'stall.requestSent' ? (event.inventory?.length ?? 0) : 0),
    })),
  },
  delays: {
    stallTick: ({ context }) => context.stallTickMs,
  },
}).createMachine({
  id: 'stallMonitor',
  description: 'Disconnects a remote that does not answer a tracked request within its deadline.',
  context: ({ input }) => ({
    ...input,
    deadlines: new Map(),
    outstandingInventory: 0,
    stalledCommand: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'stall.requestSent': [
          { guard: 'exceedsRequestLimit', target: 'stalled', actions: 'reportRequestLimit' },
          { guard: 'isEnabled', target: 'watching', actions: 'recordRequest' },
        ],
      },
    },
    watching: {
      on: {
        'stall.requestSent': [
          { guard: 'exceedsRequestLimit', target: 'stalled', actions: 'reportRequestLimit' },
          { actions: 'recordRequest' },
        ],
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
