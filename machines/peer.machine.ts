import { assign, enqueueActions, fromCallback, sendTo, setup } from 'xstate';
import type { InvVector, RejectMessage } from '../src/wire/bitcoin/types.js';
import { InvType, RejectCode } from '../src/wire/bitcoin/types.js';
import type { Message } from '../src/wire/message.js';
import { type HandshakeOutput, handshakeMachine } from './handshake.machine.js';
import { pingerMachine } from './pinger.machine.js';
import { sendQueueMachine } from './send-queue.machine.js';
import {
  type StallMonitorEvent,
  stallMonitorMachine,
  stallRequestOf,
  stallResponseOf,
} from './stall-monitor.machine.js';
import { tricklerMachine } from './trickler.machine.js';
import type {
  DisconnectReason,
  FrameParts,
  PeerHost,
  QueueEntry,
  ReceivedMessage,
  RemoteVersion,
  TransportCommand,
  TransportEvent,
} from './types.js';

/** Every tunable of one peer, resolved from the profile and the caller's config. */
export interface PeerSettings {
  protocolVersion: number;
  minProtocolVersion: number;
  dialTimeoutMs: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  stallTickMs: number;
  stallResponseMs: number;
  stallHeadersResponseMs: number;
  trickleIntervalMs: number;
  /** 0 = fixed interval; otherwise each trickle delay adds a uniform draw in [0, jitter). */
  trickleJitterMs: number;
  lingerMs: number;
  maxQueuedBytes: number;
  writeTimeoutMs: number;
  /** Added to the write deadline per full 256 KiB of payload (dcrd). */
  writeTimeoutPer256KiBMs: number;
  /** 0 = unlimited outstanding getdata vectors (btcd); dcrd: 75 000. */
  maxOutstandingGetData: number;
  maxMessagesBeforeVerack: number;
  maxInvPerTrickle: number;
  allowSelfConnection: boolean;
  disableStallHandler: boolean;
  ignoreUnknownCommands: boolean;
  /** btcd's regtest rule: malformed messages from a localhost peer on regtest are logged, not fatal. */
  tolerateMalformed: boolean;
  sendsRejects: boolean;
  blockInventoryBypassesTrickle: boolean;
  pongMinVersion: number;
  rejectMinVersion: number;
  sendAddrV2MinVersion: number;
  handshakeOrder: 'btcd' | 'dcrd';
  inboundAdvertisesNegotiated: boolean;
  strictVerackMinVersion: number;
  stallTracking: 'command' | 'inventory';
}

export interface PeerMachineInput {
  host: PeerHost;
  direction: 'inbound' | 'outbound';
  /** True when a connected socket was handed in (no dial). */
  connected: boolean;
  settings: PeerSettings;
  /** Opaque to the machine: handed to the transport actor (socket, dial target, codec options). */
  transport: unknown;
}

export type PeerApiEvent =
  | { type: 'peer.queue'; entries: QueueEntry[] }
  | { type: 'peer.queueInventory'; inventory: InvVector }
  /** dcrd's QueueInventoryImmediate: a one-entry inv now, unless the remote knows it. */
  | { type: 'peer.queueInventoryImmediate'; inventory: InvVector }
  | { type: 'peer.disconnect'; reason?: DisconnectReason; detail?: string };

export type PeerChildEvent =
  | { type: 'handshake.send'; message: Message }
  | { type: 'handshake.skip' }
  | { type: 'handshake.negotiated'; remote: RemoteVersion }
  | { type: 'queue.requestsSent'; messages: Message[] }
  | { type: 'queue.overflow'; queuedBytes: number }
  | { type: 'queue.failed'; error: Error }
  | { type: 'queue.writeTimeout' }
  | { type: 'queue.drained' }
  | { type: 'pinger.pingDue' }
  | { type: 'pinger.pongTimeout' }
  | { type: 'trickler.flush'; inventory: InvVector[] }
  | { type: 'stall.detected'; command: string }
  | { type: 'stall.requestLimit'; outstanding: number };

export type PeerEvent = TransportEvent | PeerApiEvent | PeerChildEvent;

export interface PeerContext {
  host: PeerHost;
  direction: 'inbound' | 'outbound';
  connected: boolean;
  settings: PeerSettings;
  /** Set once the remote version is accepted. */
  remote: RemoteVersion | undefined;
  /** Negotiated protocol version (our newest until the remote version arrives). */
  protocolVersion: number;
  wantsAddrV2: boolean;
  wantsHeaders: boolean;
  verackReceived: boolean;
  lastPingNonce: bigint;
  lastPingTimeMs: number;
  lastPingMicros: number;
  /** Write what is queued (a reject) before closing. */
  flushOnClose: boolean;
  reason: DisconnectReason | undefined;
  detail: string;
}

export interface PeerOutput {
  reason: DisconnectReason;
  detail: string;
}

/** A message the machine queues itself (pong, ping, inv, reject): nobody awaits it. */
function internalEntry(message: Message): QueueEntry {
  return { message, settle: () => {} };
}

function rejectFor(
  context: PeerContext,
  message: string,
  code: number,
  reason: string,
): QueueEntry | undefined {
  if (!context.settings.sendsRejects || context.protocolVersion < context.settings.rejectMinVersion)
    return undefined;
  return internalEntry({ command: 'reject', message, code, reason } satisfies RejectMessage);
}

/**
 * One stall-monitor event per answering command of a burst (a burst of 1,000 invs clears what one
 * inv clears), the answered inventory of each merged.
 */
function mergeStallResponses(responses: StallMonitorEvent[]): StallMonitorEvent[] {
  if (responses.length < 2) return responses;
  const inventoryByCommand = new Map<string, InvVector[] | undefined>();
  for (const response of responses) {
    if (response.type !== 'stall.responseReceived') continue;
    const inventory = inventoryByCommand.get(response.command);
    if (!inventoryByCommand.has(response.command))
      inventoryByCommand.set(response.command, response.inventory && [...response.inventory]);
    else if (response.inventory) {
      if (inventory) inventory.push(...response.inventory);
      else inventoryByCommand.set(response.command, [...response.inventory]);
    }
  }
  return [...inventoryByCommand].map(([command, inventory]) =>
    inventory
      ? { type: 'stall.responseReceived', command, inventory }
      : { type: 'stall.responseReceived', command },
  );
}

function isForbiddenUnknown(settings: PeerSettings, message: Message): boolean {
  return message.command === 'unknown' && !settings.ignoreUnknownCommands;
}

/** What each guarded `transport.message` transition of `listening` leaves the active state on. */
function endsActivePeer(settings: PeerSettings, message: Message): boolean {
  const { command } = message;
  return (
    command === 'version' ||
    command === 'verack' ||
    command === 'sendaddrv2' ||
    isForbiddenUnknown(settings, message)
  );
}

/** Placeholder: the runtime provides the real socket transport (`src/transport`). */
const transportPlaceholder = fromCallback<TransportCommand, unknown>(() => {
  throw new Error(
    'peerMachine needs a transport: provide one with peerMachine.provide({ actors: { transport } })',
  );
});

/**
 * One remote peer, btcd's or dcrd's behaviour as a statechart (spec §2); where they differ, a guard
 * or a named setting from the profile decides. The transport owns the socket; the
 * send queue owns outgoing order; pinger, trickler and stall monitor live only while active.
 */
export const peerMachine = setup({
  types: {
    input: {} as PeerMachineInput,
    context: {} as PeerContext,
    events: {} as PeerEvent,
    output: {} as PeerOutput,
  },
  actors: {
    transport: transportPlaceholder,
    sendQueue: sendQueueMachine,
    handshake: handshakeMachine,
    pinger: pingerMachine,
    trickler: tricklerMachine,
    stallMonitor: stallMonitorMachine,
  },
  guards: {
    isConnected: ({ context }) => context.connected,
    handshakeSucceeded: ({ event }) => (event as unknown as { output: HandshakeOutput }).output.ok,
    /** dcrd: messages a legacy peer sent before its verack are handled once active. */
    handshakeSucceededWithStash: ({ context, event }) => {
      const output = (event as unknown as { output: HandshakeOutput }).output;
      return output.ok && context.settings.handshakeOrder === 'dcrd' && output.earlyMessages.length > 0;
    },
    isVersion: ({ event }) => event.type === 'transport.message' && event.message.command === 'version',
    isVerack: ({ event }) => event.type === 'transport.message' && event.message.command === 'verack',
    isSendAddrV2: ({ event }) => event.type === 'transport.message' && event.message.command === 'sendaddrv2',
    isForbiddenUnknown: ({ context, event }) =>
      event.type === 'transport.message' && isForbiddenUnknown(context.settings, event.message),
    /** No message of the burst ends an active peer (the guarded `transport.message` transitions in listening). */
    isRoutineBurst: ({ context, event }) =>
      event.type === 'transport.messages' &&
      event.messages.every(({ message }) => !endsActivePeer(context.settings, message)),
    isTolerableMalformed: ({ context, event }) =>
      event.type === 'transport.malformed' &&
      context.settings.tolerateMalformed &&
      (event.error as { recoverable?: boolean }).recoverable === true,
    idleDeadlinePassed: ({ context }) =>
      context.host.now() - context.host.lastReadMs() >= context.settings.idleTimeoutMs,
    isRemoteError: ({ event }) => event.type === 'transport.closed' && event.error !== undefined,
    bypassesTrickle: ({ context, event }) =>
      event.type === 'peer.queueInventory' &&
      context.settings.blockInventoryBypassesTrickle &&
      (event.inventory.type === InvType.block || event.inventory.type === InvType.witnessBlock),
  },
  actions: {
    // Params typed loosely: precise params here break xstate's inference for the enqueueActions below.
    setReason: assign((_, params: unknown) => {
      const { reason, detail } = params as { reason: DisconnectReason; detail?: string };
      return { reason, detail: detail ?? reason };
    }),
    setReasonFromEvent: assign(({ event }) => {
      if (event.type === 'peer.disconnect') {
        return { reason: event.reason ?? 'local-request', detail: event.detail ?? 'disconnect requested' };
      }
      if (event.type === 'transport.closed') {
        return event.error
          ? { reason: 'transport-error' as const, detail: event.error.message }
          : { reason: 'remote-closed' as const, detail: 'connection closed by remote' };
      }
      if (event.type === 'transport.malformed')
        return { reason: 'malformed-message' as const, detail: event.error.message };
      if (event.type === 'transport.writeFailed')
        return { reason: 'write-failed' as const, detail: event.error.message };
      if (event.type === 'queue.failed')
        return { reason: 'write-failed' as const, detail: String(event.error?.message) };
      if (event.type === 'queue.overflow') {
        return { reason: 'queue-overflow' as const, detail: `${event.queuedBytes} bytes queued` };
      }
      if (event.type === 'stall.detected')
        return { reason: 'stall' as const, detail: `no ${event.command} in time` };
      if (event.type === 'stall.requestLimit') {
        return {
          reason: 'too-many-requests' as const,
          detail: `${event.outstanding} requested inventory vectors outstanding`,
        };
      }
      return {};
    }),
    setReasonFromHandshake: assign(({ event }) => {
      const output = (event as unknown as { output: HandshakeOutput }).output;
      return output.ok ? {} : { reason: output.reason, detail: output.detail };
    }),
    applyNegotiated: assign(({ event }) => {
      if (event.type !== 'handshake.negotiated') return {};
      return { remote: event.remote, protocolVersion: event.remote.negotiatedVersion };
    }),
    setTransportProtocol: sendTo('transport', ({ context }) => ({
      type: 'transport.setProtocol',
      protocolVersion: context.protocolVersion,
    })),
    applyHandshake: assign(({ event }) => {
      const output = (event as unknown as { output: HandshakeOutput }).output;
      return output.ok ? { wantsAddrV2: output.wantsAddrV2, verackReceived: true } : {};
    }),
    deliverEarlyMessages: ({ context, event }) => {
      const output = (event as unknown as { output: HandshakeOutput }).output;
      if (output.ok) for (const message of output.earlyMessages) context.host.dispatch(message, 0);
    },
    // Raised, each message is a step of this same macrostep: a message that ends the peer leaves
    // the ones after it unhandled, as if they had come as separate events.
    handleEachMessage: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'transport.messages') return;
      for (const { message, size } of event.messages)
        enqueue.raise({ type: 'transport.message', message, size });
    }),
    replayStashedMessages: enqueueActions(({ event, enqueue }) => {
      const output = (event as unknown as { output: HandshakeOutput }).output;
      if (!output.ok) return;
      for (const message of output.earlyMessages) {
        enqueue.raise({ type: 'transport.message', message, size: 0 });
      }
    }),
    forwardToHandshake: sendTo(
      'handshake',
      ({ event }) => event as { type: 'transport.message'; message: Message; size: number },
    ),
    writeDirect: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'handshake.send') return;
      let frame: FrameParts;
      try {
        frame = context.host.encode(event.message);
      } catch {
        // Best effort, like btcd: a reject that cannot be encoded at this version is not sent.
        return;
      }
      enqueue.sendTo('transport', { type: 'transport.write', frames: [frame] });
    }),
    noteStallRequests: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'queue.requestsSent') return;
      for (const message of event.messages) {
        const request = stallRequestOf(context.settings.stallTracking, message);
        if (request) enqueue.sendTo('stallMonitor', request);
      }
    }),
    notifyWritten: sendTo('sendQueue', { type: 'queue.written' }),
    enqueueMessage: sendTo('sendQueue', ({ event }) => ({
      type: 'queue.enqueue',
      entries: (event as { entries: QueueEntry[] }).entries,
    })),
    releaseQueue: sendTo('sendQueue', { type: 'queue.release' }),
    batchReads: sendTo('transport', { type: 'transport.batch' }),
    closeQueue: sendTo('sendQueue', ({ context }) => ({ type: 'queue.close', flush: context.flushOnClose })),
    // A graceful end waits behind writes the remote is not reading; when they are the reason
    // we are closing, cut the connection instead.
    closeTransport: sendTo('transport', ({ context }) => ({
      type:
        context.reason === 'write-timeout' || context.reason === 'queue-overflow'
          ? ('transport.destroy' as const)
          : ('transport.end' as const),
    })),
    dropInventory: () => {},
    trickleInventory: sendTo('trickler', ({ event }) => ({
      type: 'inventory.add',
      inventory: (event as { inventory: InvVector }).inventory,
    })),
    sendInventoryNow: sendTo('sendQueue', ({ event }) => ({
      type: 'queue.enqueue',
      entries: [
        internalEntry({ command: 'inv', inventory: [(event as { inventory: InvVector }).inventory] }),
      ],
    })),
    sendInventoryImmediately: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'peer.queueInventoryImmediate') return;
      // Marks it known, so the trickle will not announce it again.
      const fresh = context.host.takeUnknownInventory([event.inventory]);
      if (fresh.length === 0) return;
      enqueue.sendTo('sendQueue', {
        type: 'queue.enqueue',
        entries: [internalEntry({ command: 'inv', inventory: fresh })],
      });
    }),
    flushTrickle: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'trickler.flush') return;
      const fresh = context.host.takeUnknownInventory(event.inventory);
      const entries: QueueEntry[] = [];
      for (let start = 0; start < fresh.length; start += context.settings.maxInvPerTrickle) {
        entries.push(
          internalEntry({
            command: 'inv',
            inventory: fresh.slice(start, start + context.settings.maxInvPerTrickle),
          }),
        );
      }
      if (entries.length > 0) enqueue.sendTo('sendQueue', { type: 'queue.enqueue', entries });
    }),
    sendPing: enqueueActions(({ context, enqueue }) => {
      const nonce = context.host.randomNonce();
      // Ping statistics exist only where pongs do (BIP31).
      if (context.protocolVersion >= context.settings.pongMinVersion) {
        enqueue.assign({ lastPingNonce: nonce, lastPingTimeMs: context.host.now() });
      }
      enqueue.sendTo('sendQueue', {
        type: 'queue.enqueue',
        entries: [internalEntry({ command: 'ping', nonce })],
      });
    }),
    // One message, or a burst of them none of which ends the peer: a burst is handled in one step.
    handleMessage: enqueueActions(({ context, event, enqueue }) => {
      let received: readonly ReceivedMessage[];
      if (event.type === 'transport.message') received = [event];
      else if (event.type === 'transport.messages') received = event.messages;
      else return;
      let lastPingNonce = context.lastPingNonce;
      const pongs: QueueEntry[] = [];
      const responses: StallMonitorEvent[] = [];
      for (const { message } of received) {
        switch (message.command) {
          case 'ping':
            if (context.protocolVersion >= context.settings.pongMinVersion) {
              pongs.push(internalEntry({ command: 'pong', nonce: message.nonce }));
            }
            break;
          case 'pong':
            if (lastPingNonce !== 0n && message.nonce === lastPingNonce) {
              lastPingNonce = 0n;
              enqueue.assign({
                lastPingNonce: 0n,
                lastPingMicros: Math.round((context.host.now() - context.lastPingTimeMs) * 1000),
              });
              enqueue.sendTo('pinger', { type: 'pong.matched' });
            }
            break;
          case 'sendheaders':
            enqueue.assign({ wantsHeaders: true });
            break;
        }
        const response = stallResponseOf(context.settings.stallTracking, message);
        if (response) responses.push(response);
      }
      for (const response of mergeStallResponses(responses)) enqueue.sendTo('stallMonitor', response);
      if (pongs.length > 0) enqueue.sendTo('sendQueue', { type: 'queue.enqueue', entries: pongs });
      enqueue(() => {
        for (const { message, size } of received) context.host.dispatch(message, size);
      });
    }),
    queueRejectDuplicate: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'transport.message') return;
      const command = event.message.command;
      const entry = rejectFor(context, command, RejectCode.duplicate, `duplicate ${command} message`);
      if (!entry) return;
      enqueue.assign({ flushOnClose: true });
      enqueue.sendTo('sendQueue', { type: 'queue.enqueue', entries: [entry] });
    }),
    queueRejectMalformed: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'transport.malformed') return;
      const entry = rejectFor(
        context,
        'malformed',
        RejectCode.malformed,
        `Can't read message: ${event.error.message}`,
      );
      if (!entry) return;
      enqueue.assign({ flushOnClose: true });
      enqueue.sendTo('sendQueue', { type: 'queue.enqueue', entries: [entry] });
    }),
  },
  delays: {
    dialTimeout: ({ context }) => context.settings.dialTimeoutMs,
    handshakeTimeout: ({ context }) => context.settings.handshakeTimeoutMs,
    // Re-arming a timer per message cost more than the rest of receiving it: the timer is set once
    // and, when it fires, waits out what is left since the last read.
    idleTimeout: ({ context }) =>
      Math.max(0, context.host.lastReadMs() + context.settings.idleTimeoutMs - context.host.now()),
    lingerTimeout: ({ context }) => context.settings.lingerMs,
  },
}).createMachine({
  id: 'peer',
  description: 'One connection to a remote node: dial, handshake, exchange messages, tear down.',
  context: ({ input }) => ({
    host: input.host,
    direction: input.direction,
    connected: input.connected,
    settings: input.settings,
    remote: undefined,
    protocolVersion: input.settings.protocolVersion,
    wantsAddrV2: false,
    wantsHeaders: false,
    verackReceived: false,
    lastPingNonce: 0n,
    lastPingTimeMs: 0,
    lastPingMicros: 0,
    flushOnClose: false,
    reason: undefined,
    detail: '',
  }),
  invoke: [
    {
      id: 'transport',
      src: 'transport',
      // The socket travels in the init event's input, never in context (snapshots stay serialisable).
      input: ({ event }: { event: unknown }) => (event as { input: PeerMachineInput }).input.transport,
    },
    {
      id: 'sendQueue',
      src: 'sendQueue',
      input: ({ context }) => ({
        host: context.host,
        maxQueuedBytes: context.settings.maxQueuedBytes,
        writeTimeoutMs: context.settings.writeTimeoutMs,
        writeTimeoutPer256KiBMs: context.settings.writeTimeoutPer256KiBMs,
        isStallRequest: (message: Message) =>
          stallRequestOf(context.settings.stallTracking, message) !== undefined,
      }),
    },
  ],
  on: {
    'peer.queue': { actions: 'enqueueMessage' },
    'transport.written': { actions: 'notifyWritten' },
    'handshake.send': { actions: 'writeDirect' },
    'handshake.negotiated': { actions: ['applyNegotiated', 'setTransportProtocol'] },
  },
  initial: 'open',
  states: {
    open: {
      description: 'The connection is up or being set up; any failure leads to disconnecting.',
      initial: 'idle',
      on: {
        'peer.disconnect': { target: 'disconnecting', actions: 'setReasonFromEvent' },
        'transport.closed': { target: 'disconnected', actions: 'setReasonFromEvent' },
        'transport.writeFailed': { target: 'disconnecting', actions: 'setReasonFromEvent' },
        'transport.malformed': [
          { guard: 'isTolerableMalformed' },
          { target: 'disconnecting', actions: ['setReasonFromEvent', 'queueRejectMalformed'] },
        ],
        'queue.overflow': { target: 'disconnecting', actions: 'setReasonFromEvent' },
        'queue.failed': { target: 'disconnecting', actions: 'setReasonFromEvent' },
        'queue.writeTimeout': {
          target: 'disconnecting',
          actions: {
            type: 'setReason',
            params: { reason: 'write-timeout', detail: 'write deadline passed' },
          },
        },
        'peer.queueInventory': { actions: 'dropInventory' },
        'peer.queueInventoryImmediate': { actions: 'dropInventory' },
      },
      states: {
        idle: {
          always: [{ guard: 'isConnected', target: 'handshaking' }, { target: 'connecting' }],
        },
        connecting: {
          on: {
            'transport.connected': 'handshaking',
            'transport.closed': {
              target: '#peer.disconnected',
              actions: { type: 'setReason', params: { reason: 'dial-failed' } },
            },
          },
          after: {
            dialTimeout: {
              target: '#peer.disconnecting',
              actions: { type: 'setReason', params: { reason: 'dial-timeout', detail: 'dial timed out' } },
            },
          },
        },
        handshaking: {
          invoke: {
            id: 'handshake',
            src: 'handshake',
            input: ({ context }) => ({
              host: context.host,
              direction: context.direction,
              protocolVersion: context.settings.protocolVersion,
              minProtocolVersion: context.settings.minProtocolVersion,
              sendAddrV2MinVersion: context.settings.sendAddrV2MinVersion,
              allowSelfConnection: context.settings.allowSelfConnection,
              sendsRejects: context.settings.sendsRejects,
              ignoresUnknownCommands: context.settings.ignoreUnknownCommands,
              order: context.settings.handshakeOrder,
              inboundAdvertisesNegotiated: context.settings.inboundAdvertisesNegotiated,
              strictVerackMinVersion: context.settings.strictVerackMinVersion,
              maxMessagesBeforeVerack: context.settings.maxMessagesBeforeVerack,
            }),
            onDone: [
              {
                guard: 'handshakeSucceededWithStash',
                target: 'active',
                actions: ['applyHandshake', 'replayStashedMessages'],
              },
              {
                guard: 'handshakeSucceeded',
                target: 'active',
                actions: ['applyHandshake', 'deliverEarlyMessages'],
              },
              { target: '#peer.disconnecting', actions: 'setReasonFromHandshake' },
            ],
          },
          on: {
            'transport.message': { actions: 'forwardToHandshake' },
          },
          after: {
            handshakeTimeout: {
              target: '#peer.disconnecting',
              actions: {
                type: 'setReason',
                params: { reason: 'handshake-timeout', detail: 'protocol negotiation timeout' },
              },
            },
          },
        },
        active: {
          description: 'Handshake done: keep-alive, inventory trickle and stall checks run here.',
          entry: ['releaseQueue', 'batchReads'],
          invoke: [
            {
              id: 'pinger',
              src: 'pinger',
              input: ({ context }) => ({
                pingIntervalMs: context.settings.pingIntervalMs,
                pongTimeoutMs: context.settings.pongTimeoutMs,
              }),
            },
            {
              id: 'trickler',
              src: 'trickler',
              input: ({ context }) => ({
                trickleIntervalMs: context.settings.trickleIntervalMs,
                trickleJitterMs: context.settings.trickleJitterMs,
                random: context.host.random ?? Math.random,
              }),
            },
            {
              id: 'stallMonitor',
              src: 'stallMonitor',
              input: ({ context }) => ({
                host: context.host,
                stallTickMs: context.settings.stallTickMs,
                responseTimeoutMs: context.settings.stallResponseMs,
                headersResponseTimeoutMs: context.settings.stallHeadersResponseMs,
                enabled: !context.settings.disableStallHandler,
                tracking: context.settings.stallTracking,
                maxOutstandingInventory: context.settings.maxOutstandingGetData,
              }),
            },
          ],
          on: {
            'queue.requestsSent': { actions: 'noteStallRequests' },
            'peer.queueInventory': [
              { guard: 'bypassesTrickle', actions: 'sendInventoryNow' },
              { actions: 'trickleInventory' },
            ],
            'peer.queueInventoryImmediate': { actions: 'sendInventoryImmediately' },
            'trickler.flush': { actions: 'flushTrickle' },
            'pinger.pingDue': { actions: 'sendPing' },
            'pinger.pongTimeout': {
              target: '#peer.disconnecting',
              actions: { type: 'setReason', params: { reason: 'pong-timeout', detail: 'no pong in time' } },
            },
            'stall.detected': { target: '#peer.disconnecting', actions: 'setReasonFromEvent' },
            'stall.requestLimit': { target: '#peer.disconnecting', actions: 'setReasonFromEvent' },
          },
          initial: 'listening',
          states: {
            listening: {
              description:
                'The idle timer counts from the last message read: when it fires after newer messages, it waits out the rest.',
              on: {
                'transport.message': [
                  {
                    guard: 'isVersion',
                    target: '#peer.disconnecting',
                    actions: [
                      { type: 'setReason', params: { reason: 'duplicate-version' } },
                      'queueRejectDuplicate',
                    ],
                  },
                  {
                    guard: 'isVerack',
                    target: '#peer.disconnecting',
                    actions: [
                      { type: 'setReason', params: { reason: 'duplicate-verack' } },
                      'queueRejectDuplicate',
                    ],
                  },
                  {
                    guard: 'isSendAddrV2',
                    target: '#peer.disconnecting',
                    actions: { type: 'setReason', params: { reason: 'sendaddrv2-after-handshake' } },
                  },
                  {
                    guard: 'isForbiddenUnknown',
                    target: '#peer.disconnecting',
                    actions: { type: 'setReason', params: { reason: 'unknown-command' } },
                  },
                  { actions: 'handleMessage' },
                ],
                'transport.messages': [
                  { guard: 'isRoutineBurst', actions: 'handleMessage' },
                  { actions: 'handleEachMessage' },
                ],
                'transport.malformed': [
                  { guard: 'isTolerableMalformed' },
                  { target: '#peer.disconnecting', actions: ['setReasonFromEvent', 'queueRejectMalformed'] },
                ],
              },
              after: {
                idleTimeout: [
                  {
                    guard: 'idleDeadlinePassed',
                    target: '#peer.disconnecting',
                    actions: {
                      type: 'setReason',
                      params: { reason: 'idle-timeout', detail: 'no message in time' },
                    },
                  },
                  { target: 'listening', reenter: true },
                ],
              },
            },
          },
        },
      },
    },
    disconnecting: {
      description: 'Write what must go out (a reject), then close the socket.',
      entry: 'closeQueue',
      on: {
        'queue.drained': 'closing',
        'transport.closed': 'disconnected',
      },
      after: { lingerTimeout: 'closing' },
    },
    closing: {
      entry: 'closeTransport',
      on: { 'transport.closed': 'disconnected' },
      after: { lingerTimeout: 'disconnected' },
    },
    disconnected: { type: 'final' },
  },
  output: ({ context }) => ({ reason: context.reason ?? 'local-request', detail: context.detail }),
});
