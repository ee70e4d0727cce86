import { assign, sendParent, setup } from 'xstate';
import type { RejectMessage, VersionMessage } from '../src/wire/bitcoin/types.js';
import { RejectCode } from '../src/wire/bitcoin/types.js';
import type { Message } from '../src/wire/message.js';
import type { DisconnectReason, PeerHost, RemoteVersion } from './types.js';

export interface HandshakeInput {
  host: PeerHost;
  direction: 'inbound' | 'outbound';
  /** Our newest protocol version. */
  protocolVersion: number;
  minProtocolVersion: number;
  sendAddrV2MinVersion: number;
  allowSelfConnection: boolean;
  /** btcd rejects a non-version first message, an obsolete version and a veto; dcrd never does. */
  sendsRejects: boolean;
  /** btcd skips unknown commands before verack; dcrd fails the handshake on them. */
  ignoresUnknownCommands: boolean;
  /** 'dcrd': the outbound side sends its verack only after receiving the remote's. */
  order: 'btcd' | 'dcrd';
  /** dcrd: an inbound peer's version advertises the negotiated protocol version. */
  inboundAdvertisesNegotiated: boolean;
  /** dcrd: at or above this negotiated version the next message must be verack. */
  strictVerackMinVersion: number;
  /** dcrd legacy (below strictVerackMinVersion): messages that may precede verack, kept for later. */
  maxMessagesBeforeVerack: number;
}

export type HandshakeEvent = { type: 'transport.message'; message: Message; size: number };

export type HandshakeOutput =
  | {
      ok: true;
      remote: RemoteVersion;
      wantsAddrV2: boolean;
      /**
       * Messages the remote sent between version and verack, in order: btcd tolerates wtxidrelay,
       * sendcmpct, …; dcrd stashes up to two from a legacy peer and handles them once active.
       */
      earlyMessages: Message[];
    }
  | { ok: false; reason: DisconnectReason; detail: string };

export interface HandshakeContext extends HandshakeInput {
  remote: RemoteVersion | undefined;
  ourVersion: VersionMessage | undefined;
  veto: RejectMessage | undefined;
  wantsAddrV2: boolean;
  verackReceived: boolean;
  verackSent: boolean;
  earlyMessages: Message[];
  failure: { reason: DisconnectReason; detail: string } | undefined;
}

/** Commands a real node may send between version and verack, which btcd skips and we keep. */
const TOLERATED_BEFORE_VERACK: ReadonlySet<string> = new Set(['unknown', 'wtxidrelay', 'sendcmpct', 'alert']);

function messageOf(event: HandshakeEvent): Message {
  return event.message;
}

/**
 * The version/verack exchange (spec §2.3). btcd order: outbound sends version, reads version, sends
 * sendaddrv2 (≥ 70016) and verack, reads verack; inbound reads version first, then the same. dcrd
 * order (peer v4): the outbound side reads the remote's verack before it sends its own.
 */
export const handshakeMachine = setup({
  types: {
    input: {} as HandshakeInput,
    context: {} as HandshakeContext,
    events: {} as HandshakeEvent,
    output: {} as HandshakeOutput,
  },
  guards: {
    isOutbound: ({ context }) => context.direction === 'outbound',
    isInbound: ({ context }) => context.direction === 'inbound',
    isVersion: ({ event }) => messageOf(event).command === 'version',
    isVerack: ({ event }) => messageOf(event).command === 'verack',
    isSendAddrV2: ({ event }) => messageOf(event).command === 'sendaddrv2',
    isToleratedBeforeVerack: ({ context, event }) =>
      context.order === 'btcd' && TOLERATED_BEFORE_VERACK.has(messageOf(event).command),
    /** Some nodes (bitcore-p2p) acknowledge our version before sending theirs; btcd order only. */
    isEarlyVerackToOurVersion: ({ context, event }) =>
      context.order === 'btcd' &&
      context.direction === 'outbound' &&
      messageOf(event).command === 'verack' &&
      !context.verackReceived,
    sendsRejects: ({ context }) => context.sendsRejects,
    isVetoedWithReject: ({ context }) => context.veto !== undefined && context.sendsRejects,
    remoteTooOldWithReject: ({ context }) =>
      context.sendsRejects && (context.remote?.version.protocolVersion ?? 0) < context.minProtocolVersion,
    /** dcrd outbound: wait for the remote's verack before acknowledging its version. */
    readsVerackFirst: ({ context }) => context.order === 'dcrd' && context.direction === 'outbound',
    isVerackBeforeOurs: ({ context, event }) => messageOf(event).command === 'verack' && !context.verackSent,
    isForbiddenUnknown: ({ context, event }) =>
      messageOf(event).command === 'unknown' && !context.ignoresUnknownCommands,
    /** dcrd legacy peer (negotiated below 12): up to two messages may come before verack. */
    mayStashBeforeVerack: ({ context }) =>
      context.order === 'dcrd' &&
      (context.remote?.negotiatedVersion ?? 0) < context.strictVerackMinVersion &&
      context.earlyMessages.length < context.maxMessagesBeforeVerack,
    isDcrdOrder: ({ context }) => context.order === 'dcrd',
    isOwnNonce: ({ context, event }) => {
      const message = messageOf(event);
      return (
        !context.allowSelfConnection &&
        message.command === 'version' &&
        message.nonce !== undefined &&
        context.host.isOwnNonce(message.nonce)
      );
    },
    ourVersionFailed: ({ context }) => context.failure !== undefined,
    isVetoed: ({ context }) => context.veto !== undefined,
    remoteTooOld: ({ context }) =>
      (context.remote?.version.protocolVersion ?? 0) < context.minProtocolVersion,
    verackAlreadyReceived: ({ context }) => context.verackReceived,
  },
  actions: {
    prepareVersion: assign(({ context }) => {
      const nonce = context.host.randomNonce();
      try {
        const built = context.host.buildVersion(nonce, context.remote?.version);
        // dcrd's version carries the peer's current protocol version: negotiated once known.
        const ourVersion =
          context.inboundAdvertisesNegotiated && context.remote
            ? { ...built, protocolVersion: context.remote.negotiatedVersion }
            : built;
        context.host.rememberNonce(nonce);
        return { ourVersion };
      } catch (error) {
        return {
          failure: {
            reason: 'newest-block-failed' as const,
            detail: String((error as Error)?.message ?? error),
          },
        };
      }
    }),
    sendOurVersion: sendParent(({ context }) => ({ type: 'handshake.send', message: context.ourVersion! })),
    recordRemoteVersion: assign(({ context, event }) => {
      const version = messageOf(event) as VersionMessage;
      const negotiatedVersion = Math.min(context.protocolVersion, version.protocolVersion);
      const timeOffsetSeconds = Number(version.timestamp) - Math.floor(context.host.now() / 1000);
      return { remote: { version, negotiatedVersion, timeOffsetSeconds } };
    }),
    announceNegotiated: sendParent(({ context }) => ({
      type: 'handshake.negotiated',
      remote: context.remote!,
    })),
    consultApplication: assign(({ context }) => ({
      veto: context.host.vetoVersion(context.remote!.version),
    })),
    sendVeto: sendParent(({ context }) => ({ type: 'handshake.send', message: context.veto! })),
    failVetoed: assign(({ context }) => ({
      failure: { reason: 'version-vetoed' as const, detail: context.veto?.reason ?? 'version vetoed' },
    })),
    rejectNotVersion: sendParent({
      type: 'handshake.send',
      message: {
        command: 'reject',
        message: 'version',
        code: RejectCode.malformed,
        reason: 'a version message must precede all others',
      } satisfies RejectMessage,
    }),
    failNotVersion: assign(({ event }) => ({
      failure: {
        reason: 'not-version-message' as const,
        detail: `first message was ${messageOf(event).command}, not version`,
      },
    })),
    failSelfConnection: assign({
      failure: { reason: 'self-connection' as const, detail: 'disconnecting peer connected to self' },
    }),
    rejectObsolete: sendParent(({ context }) => ({
      type: 'handshake.send',
      message: {
        command: 'reject',
        message: 'version',
        code: RejectCode.obsolete,
        reason: `protocol version must be ${context.minProtocolVersion} or greater`,
      } satisfies RejectMessage,
    })),
    failTooOld: assign(({ context }) => ({
      failure: {
        reason: 'protocol-too-old' as const,
        detail: `remote protocol ${context.remote?.version.protocolVersion} < ${context.minProtocolVersion}`,
      },
    })),
    sendSendAddrV2IfNegotiated: sendParent(({ context }) =>
      (context.remote?.negotiatedVersion ?? 0) >= context.sendAddrV2MinVersion
        ? { type: 'handshake.send', message: { command: 'sendaddrv2' } }
        : { type: 'handshake.skip' },
    ),
    sendVerack: sendParent({ type: 'handshake.send', message: { command: 'verack' } }),
    markVerackSent: assign({ verackSent: true }),
    markVerackReceived: assign({ verackReceived: true }),
    markWantsAddrV2: assign({ wantsAddrV2: true }),
    keepEarlyMessage: assign(({ context, event }) => ({
      earlyMessages: [...context.earlyMessages, messageOf(event)],
    })),
    failUnknownCommand: assign(({ event }) => ({
      failure: {
        reason: 'unknown-command' as const,
        detail: `unknown command during handshake: ${(messageOf(event) as { rawCommand?: string }).rawCommand}`,
      },
    })),
    failNotVerack: assign(({ event }) => ({
      failure: {
        reason: 'not-verack-message' as const,
        detail: `expected verack, got ${messageOf(event).command}`,
      },
    })),
    failInvalidMessage: assign(({ event }) => ({
      failure: {
        reason: 'invalid-handshake-message' as const,
        detail: `invalid message during handshake: ${messageOf(event).command}`,
      },
    })),
  },
}).createMachine({
  id: 'handshake',
  description: 'Version and verack exchange in btcd or dcrd order, with the failure of each step named.',
  context: ({ input }) => ({
    ...input,
    remote: undefined,
    ourVersion: undefined,
    veto: undefined,
    wantsAddrV2: false,
    verackReceived: false,
    verackSent: false,
    earlyMessages: [],
    failure: undefined,
  }),
  initial: 'starting',
  states: {
    starting: {
      always: [{ guard: 'isOutbound', target: 'sendingVersion' }, { target: 'awaitingVersion' }],
    },
    sendingVersion: {
      entry: 'prepareVersion',
      always: [
        { guard: 'ourVersionFailed', target: 'failed' },
        { target: 'awaitingVersion', actions: 'sendOurVersion' },
      ],
    },
    awaitingVersion: {
      on: {
        'transport.message': [
          { guard: 'isOwnNonce', target: 'failed', actions: 'failSelfConnection' },
          {
            guard: 'isVersion',
            target: 'checkingVersion',
            actions: ['recordRemoteVersion', 'announceNegotiated'],
          },
          { guard: 'isEarlyVerackToOurVersion', actions: 'markVerackReceived' },
          { guard: 'sendsRejects', target: 'failed', actions: ['rejectNotVersion', 'failNotVersion'] },
          { target: 'failed', actions: 'failNotVersion' },
        ],
      },
    },
    checkingVersion: {
      entry: 'consultApplication',
      always: [
        { guard: 'isVetoedWithReject', target: 'failed', actions: ['sendVeto', 'failVetoed'] },
        { guard: 'isVetoed', target: 'failed', actions: 'failVetoed' },
        { guard: 'remoteTooOldWithReject', target: 'failed', actions: ['rejectObsolete', 'failTooOld'] },
        { guard: 'remoteTooOld', target: 'failed', actions: 'failTooOld' },
        { guard: 'isInbound', target: 'answeringVersion' },
        { guard: 'readsVerackFirst', target: 'awaitingVerack' },
        { target: 'acknowledging' },
      ],
    },
    answeringVersion: {
      entry: 'prepareVersion',
      always: [
        { guard: 'ourVersionFailed', target: 'failed' },
        { target: 'acknowledging', actions: 'sendOurVersion' },
      ],
    },
    acknowledging: {
      entry: ['sendSendAddrV2IfNegotiated', 'sendVerack', 'markVerackSent'],
      always: [{ guard: 'verackAlreadyReceived', target: 'succeeded' }, { target: 'awaitingVerack' }],
    },
    awaitingVerack: {
      on: {
        'transport.message': [
          { guard: 'isVerackBeforeOurs', target: 'acknowledging', actions: 'markVerackReceived' },
          { guard: 'isVerack', target: 'succeeded', actions: 'markVerackReceived' },
          { guard: 'isSendAddrV2', actions: 'markWantsAddrV2' },
          { guard: 'isToleratedBeforeVerack', actions: 'keepEarlyMessage' },
          { guard: 'isForbiddenUnknown', target: 'failed', actions: 'failUnknownCommand' },
          { guard: 'mayStashBeforeVerack', actions: 'keepEarlyMessage' },
          { guard: 'isDcrdOrder', target: 'failed', actions: 'failNotVerack' },
          { target: 'failed', actions: 'failInvalidMessage' },
        ],
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) =>
    context.failure || !context.remote
      ? { ok: false, ...(context.failure ?? { reason: 'invalid-handshake-message', detail: 'no version' }) }
      : {
          ok: true,
          remote: context.remote,
          wantsAddrV2: context.wantsAddrV2,
          earlyMessages: context.earlyMessages,
        },
});
