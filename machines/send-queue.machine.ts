import { assign, sendParent, setup } from 'xstate';
import { Yallist } from 'yallist';
import { frameLength, type PeerHost, type QueueEntry } from './types.js';

export interface SendQueueInput {
  host: PeerHost;
  /** Bytes (frames) queued but not yet written beyond which the peer is disconnected. */
  maxQueuedBytes: number;
  /** 0 = no deadline; otherwise a batch still unwritten after this long fails the peer. */
  writeTimeoutMs: number;
  /** dcrd: the deadline grows by this much per full 256 KiB of payload in the batch. */
  writeTimeoutPer256KiBMs: number;
}

export type SendQueueEvent =
  | { type: 'queue.enqueue'; entries: readonly QueueEntry[] }
  | { type: 'queue.release' }
  | { type: 'queue.written' }
  | { type: 'queue.close'; flush: boolean };

export interface SendQueueContext extends SendQueueInput {
  /** Accepted entries (encoded, counted against the budget), oldest first. */
  pending: Yallist<QueueEntry>;
  /** Entries queued before the handshake finished; encoded at the negotiated version on release. */
  held: QueueEntry[];
  /** The batch handed to the transport: one write in flight at a time. */
  inFlight: QueueEntry[];
  /** Payload bytes (frames minus headers) of the batch in flight, for the write deadline. */
  inFlightPayloadBytes: number;
  queuedBytes: number;
  overflowed: boolean;
  failure: Error | undefined;
}

const FRAME_HEADER_BYTES = 24;
const BYTES_PER_DEADLINE_STEP = 256 * 1024;

function accept(context: SendQueueContext, entry: QueueEntry): void {
  if (context.overflowed || context.failure) {
    entry.settle('dropped');
    return;
  }
  let bytes: number;
  try {
    entry.frame = context.host.encode(entry.message);
    bytes = entry.frameBytes = frameLength(entry.frame);
  } catch (error) {
    context.failure = error as Error;
    entry.settle('failed', error as Error);
    return;
  }
  if (context.queuedBytes + bytes > context.maxQueuedBytes) {
    context.overflowed = true;
    entry.settle('dropped');
    return;
  }
  context.queuedBytes += bytes;
  context.pending.push(entry);
}

function dropAll(context: SendQueueContext): void {
  for (const entry of context.inFlight) entry.settle('dropped');
  for (const entry of context.held) entry.settle('dropped');
  for (let entry = context.pending.shift(); entry; entry = context.pending.shift()) entry.settle('dropped');
  context.inFlight = [];
  context.held = [];
  context.queuedBytes = 0;
}

/**
 * The outgoing FIFO. Every queued message settles exactly once: sent (handed to the socket),
 * failed (could not be encoded or written) or dropped (overflow or teardown). Messages queued
 * while the pending batch is being written go out together in the next batch, in order.
 */
export const sendQueueMachine = setup({
  types: {
    input: {} as SendQueueInput,
    context: {} as SendQueueContext,
    events: {} as SendQueueEvent,
  },
  guards: {
    hasPending: ({ context }) => context.pending.length > 0,
    hasWork: ({ context }) => context.pending.length > 0 || context.inFlight.length > 0,
    overflowed: ({ context }) => context.overflowed,
    encodeFailed: ({ context }) => context.failure !== undefined,
    hasWriteDeadline: ({ context }) => context.writeTimeoutMs > 0,
    shouldFlush: ({ event }) => event.type === 'queue.close' && event.flush,
  },
  actions: {
    holdEntry: assign(({ context, event }) => {
      if (event.type === 'queue.enqueue') context.held.push(...event.entries);
      return { held: context.held };
    }),
    acceptHeld: assign(({ context }) => {
      for (const entry of context.held) accept(context, entry);
      context.held = [];
      return { ...context };
    }),
    acceptEntry: assign(({ context, event }) => {
      if (event.type === 'queue.enqueue') for (const entry of event.entries) accept(context, entry);
      return { ...context };
    }),
    writeBatch: assign(({ context }) => {
      const batch: QueueEntry[] = [];
      let payloadBytes = 0;
      for (let entry = context.pending.shift(); entry; entry = context.pending.shift()) {
        batch.push(entry);
        payloadBytes += (entry.frameBytes ?? FRAME_HEADER_BYTES) - FRAME_HEADER_BYTES;
      }
      return { inFlight: batch, inFlightPayloadBytes: payloadBytes };
    }),
    sendBatch: sendParent(({ context }) => ({
      type: 'queue.write',
      frames: context.inFlight.map((entry) => entry.frame!),
      commands: context.inFlight.map((entry) => entry.message.command),
      messages: context.inFlight.map((entry) => entry.message),
    })),
    settleBatch: assign(({ context }) => {
      let bytes = 0;
      for (const entry of context.inFlight) {
        bytes += entry.frameBytes ?? 0;
        entry.settle('sent');
      }
      return { inFlight: [], queuedBytes: context.queuedBytes - bytes };
    }),
    dropEntry: ({ event }) => {
      if (event.type === 'queue.enqueue') for (const entry of event.entries) entry.settle('dropped');
    },
    dropAll: assign(({ context }) => {
      dropAll(context);
      return { ...context };
    }),
    reportOverflow: sendParent(({ context }) => ({
      type: 'queue.overflow',
      queuedBytes: context.queuedBytes,
    })),
    reportEncodeFailure: sendParent(({ context }) => ({ type: 'queue.failed', error: context.failure })),
    reportWriteTimeout: sendParent({ type: 'queue.writeTimeout' }),
    reportDrained: sendParent({ type: 'queue.drained' }),
  },
  delays: {
    // dcrd: 20 s + 1 s per full 256 KiB (a 32 MiB message gets 148 s).
    writeTimeout: ({ context }) =>
      context.writeTimeoutMs +
      Math.floor(context.inFlightPayloadBytes / BYTES_PER_DEADLINE_STEP) * context.writeTimeoutPer256KiBMs,
  },
}).createMachine({
  id: 'sendQueue',
  description: 'Strict FIFO with one write in flight, a byte budget and exactly-once completion.',
  context: ({ input }) => ({
    ...input,
    pending: new Yallist<QueueEntry>(),
    held: [],
    inFlight: [],
    inFlightPayloadBytes: 0,
    queuedBytes: 0,
    overflowed: false,
    failure: undefined,
  }),
  initial: 'held',
  states: {
    held: {
      description:
        'Before the handshake completes nothing is written; entries wait for the negotiated version.',
      on: {
        'queue.enqueue': { actions: 'holdEntry' },
        'queue.release': { target: 'checking', actions: 'acceptHeld' },
        'queue.close': { target: 'closed' },
      },
    },
    checking: {
      always: [
        { guard: 'overflowed', target: 'closed', actions: 'reportOverflow' },
        { guard: 'encodeFailed', target: 'closed', actions: 'reportEncodeFailure' },
        { guard: 'hasPending', target: 'writing' },
        { target: 'idle' },
      ],
    },
    idle: {
      on: {
        'queue.enqueue': { target: 'checking', actions: 'acceptEntry' },
        'queue.close': { target: 'closed' },
      },
    },
    writing: {
      description: 'One batch is with the transport; what is queued meanwhile waits for the next batch.',
      entry: ['writeBatch', 'sendBatch'],
      on: {
        'queue.enqueue': { target: '.checkingBudget', actions: 'acceptEntry' },
        'queue.written': { target: 'checking', actions: 'settleBatch' },
        'queue.close': [{ guard: 'shouldFlush', target: 'flushing' }, { target: 'closed' }],
      },
      after: {
        writeTimeout: { guard: 'hasWriteDeadline', target: 'closed', actions: 'reportWriteTimeout' },
      },
      initial: 'awaitingWrite',
      states: {
        awaitingWrite: {},
        checkingBudget: {
          always: [
            { guard: 'overflowed', target: '#sendQueue.closed', actions: 'reportOverflow' },
            { guard: 'encodeFailed', target: '#sendQueue.closed', actions: 'reportEncodeFailure' },
            { target: 'awaitingWrite' },
          ],
        },
      },
    },
    flushing: {
      description: 'Closing: what is already queued is written (a reject before a disconnect), nothing new.',
      on: {
        'queue.enqueue': { actions: 'dropEntry' },
        'queue.written': [
          {
            guard: 'hasPending',
            target: 'flushing',
            reenter: true,
            actions: ['settleBatch', 'writeBatch', 'sendBatch'],
          },
          { target: 'closed', actions: 'settleBatch' },
        ],
      },
      after: {
        writeTimeout: { guard: 'hasWriteDeadline', target: 'closed' },
      },
    },
    closed: {
      entry: ['dropAll', 'reportDrained'],
      on: {
        'queue.enqueue': { actions: 'dropEntry' },
        'queue.close': { actions: 'reportDrained' },
      },
    },
  },
});
