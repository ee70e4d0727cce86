import { assign, enqueueActions, sendParent, setup } from 'xstate';
import { Yallist } from 'yallist';
import type { Message } from '../src/wire/message.js';
import { frameLength, type PeerHost, type QueueEntry } from './types.js';

export interface SendQueueInput {
  host: PeerHost;
  /** Bytes (frames) queued but not yet written beyond which the peer is disconnected. */
  maxQueuedBytes: number;
  /** 0 = no deadline; otherwise a batch still unwritten after this long fails the peer. */
  writeTimeoutMs: number;
  /** dcrd: the deadline grows by this much per full 256 KiB of payload in the batch. */
  writeTimeoutPer256KiBMs: number;
  /** Requests whose answers the stall monitor times: written ones are reported to the parent. */
  isStallRequest(message: Message): boolean;
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
  /** The socket took the batch in flight without buffering past its limit. */
  batchWritten: boolean;
  queuedBytes: number;
  overflowed: boolean;
  failure: Error | undefined;
}

const FRAME_HEADER_BYTES = 24;
const BYTES_PER_DEADLINE_STEP = 256 * 1024;

/**
 * The least a queued message counts against the budget: a small message costs far more memory
 * than its frame (entry, message object, frame views: ~650 bytes for a 32-byte pong), so a flood
 * of them to a remote that does not read is bounded by what it really takes. Larger frames count
 * exactly their bytes (dcrd's limit: 40 MiB of frames fit, one byte more does not).
 */
const MIN_BUDGET_CHARGE_BYTES = 512;

function budgetCharge(frameBytes: number): number {
  return Math.max(frameBytes, MIN_BUDGET_CHARGE_BYTES);
}

function accept(context: SendQueueContext, entry: QueueEntry): void {
  if (context.overflowed || context.failure) {
    entry.settle('dropped');
    return;
  }
  let bytes: number;
  try {
    entry.frame = context.host.encode(entry.message);
    entry.frameBytes = frameLength(entry.frame);
    bytes = budgetCharge(entry.frameBytes);
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
    batchWritten: ({ context }) => context.batchWritten,
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
    // The batch goes to the socket in this step: waiting for an event to say a small write was
    // taken cost more than the write (two macrosteps per message on a busy peer).
    writeBatch: assign(({ context }) => {
      const batch: QueueEntry[] = [];
      let payloadBytes = 0;
      for (let entry = context.pending.shift(); entry; entry = context.pending.shift()) {
        batch.push(entry);
        payloadBytes += (entry.frameBytes ?? FRAME_HEADER_BYTES) - FRAME_HEADER_BYTES;
      }
      const written = context.host.write(batch.map((entry) => entry.frame!));
      return { inFlight: batch, inFlightPayloadBytes: payloadBytes, batchWritten: written };
    }),
    reportStallRequests: enqueueActions(({ context, enqueue }) => {
      const requests = context.inFlight.filter((entry) => context.isStallRequest(entry.message));
      if (requests.length > 0)
        enqueue.sendParent({ type: 'queue.requestsSent', messages: requests.map((entry) => entry.message) });
    }),
    settleBatch: assign(({ context }) => {
      let bytes = 0;
      for (const entry of context.inFlight) {
        bytes += budgetCharge(entry.frameBytes ?? 0);
        entry.settle('sent');
      }
      return { inFlight: [], batchWritten: false, queuedBytes: context.queuedBytes - bytes };
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
    batchWritten: false,
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
      description:
        'The batch goes to the socket; when the socket takes it all, the next batch can go at once.',
      entry: ['writeBatch', 'reportStallRequests'],
      always: [{ guard: 'batchWritten', target: 'checking', actions: 'settleBatch' }, { target: 'draining' }],
    },
    draining: {
      description:
        'The socket holds the batch past its limit; what is queued meanwhile waits for the next batch.',
      on: {
        'queue.enqueue': { target: '.checkingBudget', actions: 'acceptEntry' },
        'queue.written': { target: 'checking', actions: 'settleBatch' },
        'queue.close': [{ guard: 'shouldFlush', target: 'flushing' }, { target: 'closed' }],
      },
      after: {
        writeTimeout: { guard: 'hasWriteDeadline', target: 'closed', actions: 'reportWriteTimeout' },
      },
      initial: 'awaitingDrain',
      states: {
        awaitingDrain: {},
        checkingBudget: {
          always: [
            { guard: 'overflowed', target: '#sendQueue.closed', actions: 'reportOverflow' },
            { guard: 'encodeFailed', target: '#sendQueue.closed', actions: 'reportEncodeFailure' },
            { target: 'awaitingDrain' },
          ],
        },
      },
    },
    flushing: {
      description:
        'Closing: once the batch in flight drains, what is still queued (a reject) goes to the socket, which writes it before it closes; nothing new is taken.',
      on: {
        'queue.enqueue': { actions: 'dropEntry' },
        'queue.written': { target: 'closed', actions: ['settleBatch', 'writeBatch', 'settleBatch'] },
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
