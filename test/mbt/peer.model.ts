import { createMachine } from 'xstate';

/**
 * The protocol as a remote node sees a peer (inbound or outbound): what the remote, the application
 * or the clock can do in each state, and where that leads. Final states name the disconnect reason
 * the peer must report. It is a separate abstract machine because xstate/graph cannot traverse
 * invokes and delays.
 *
 * `connected` starts a peer with the default configuration; the CONFIGURE_* events first pick
 * another one, each with its own short branch so that the number of simple paths stays small:
 * - strict: a pong deadline, a 64 KiB send queue, a write deadline, unknown commands forbidden;
 * - lenient: regtest from 127.0.0.1, where a malformed (but framed) message is tolerated;
 * - failingNewestBlock: the application's newestBlock callback throws, so no version can be built;
 * - decred: a Decred network, so the dcrd profile (dcrd handshake order, no rejects, unknown commands
 *   fatal, per-inventory stall tracking; its outstanding-getdata limit lowered to 10 vectors).
 *
 * Transport-specific events (see TRANSPORT_ONLY in peer.mbt.test.ts): DIAL and DIAL_REFUSED need a
 * real TCP dial; REMOTE_STOPS_READING needs a writer that a paused reader really stalls, which only
 * the in-memory socket guarantees (loopback TCP buffers megabytes in the kernel).
 */
export const peerModel = createMachine({
  id: 'peerModel',
  initial: 'connected',
  states: {
    connected: {
      on: {
        ACCEPT_INBOUND: 'awaitingVersion',
        DIAL_OUTBOUND: 'outboundAwaitingVersion',
        DIAL: 'dialling',
        DIAL_REFUSED: 'dialFailed',
        CONFIGURE_STRICT: 'strictConnected',
        CONFIGURE_LENIENT: 'lenientConnected',
        CONFIGURE_FAILING_NEWEST_BLOCK: 'failingNewestBlockConnected',
        CONFIGURE_DECRED: 'decredConnected',
      },
    },

    // Dialling: Peer.outbound without a socket (TCP only).
    dialling: {
      on: {
        DIAL_ACCEPTED: 'dialledAwaitingVersion',
        DIAL_TIMEOUT: 'dialTimeout',
      },
    },
    dialledAwaitingVersion: { on: { REMOTE_VERSION: 'dialledAwaitingVerack' } },
    dialledAwaitingVerack: { on: { REMOTE_VERACK: 'dialledActive' } },
    dialledActive: { on: { LOCAL_DISCONNECT: 'localRequest' } },

    outboundAwaitingVersion: {
      on: {
        REMOTE_VERSION: 'awaitingVerack',
        REMOTE_VERACK_EARLY: 'outboundAcknowledgedEarly',
        REMOTE_OLD_VERSION: 'protocolTooOld',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
      },
    },
    outboundAcknowledgedEarly: {
      on: { REMOTE_VERSION: 'active' },
    },
    awaitingVersion: {
      on: {
        REMOTE_VERSION: 'awaitingVerack',
        REMOTE_PING_FIRST: 'notVersionMessage',
        REMOTE_VERACK_FIRST: 'notVersionMessage',
        REMOTE_OLD_VERSION: 'protocolTooOld',
        REMOTE_OWN_NONCE: 'selfConnection',
        REMOTE_VETOED_VERSION: 'versionVetoed',
        REMOTE_GARBAGE: 'malformedMessage',
        QUEUE_BEFORE_HANDSHAKE: 'awaitingVersionWithQueued',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
        REMOTE_CLOSE: 'remoteClosed',
        LOCAL_DISCONNECT: 'localRequest',
      },
    },
    // A message and an inventory item queued before the handshake: the message is held, the item dropped.
    awaitingVersionWithQueued: { on: { REMOTE_VERSION: 'awaitingVerackWithQueued' } },
    awaitingVerackWithQueued: { on: { REMOTE_VERACK: 'activeReleasedQueued' } },
    activeReleasedQueued: {},
    awaitingVerack: {
      on: {
        REMOTE_WTXIDRELAY: 'awaitingVerackEarlyMessage',
        REMOTE_SENDADDRV2: 'awaitingVerackWantsAddrV2',
        REMOTE_VERACK: 'active',
        REMOTE_GETADDR_EARLY: 'invalidHandshakeMessage',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
        REMOTE_CLOSE: 'remoteClosed',
      },
    },
    awaitingVerackEarlyMessage: {
      on: {
        REMOTE_VERACK: 'active',
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
      },
    },
    awaitingVerackWantsAddrV2: { on: { REMOTE_VERACK: 'activeWantsAddrV2' } },
    activeWantsAddrV2: {},
    active: {
      on: {
        REMOTE_PING: 'activePinged',
        PING_DUE: 'activeKeptAlive',
        IDLE_TIMEOUT: 'idleTimeout',
        REMOTE_DUPLICATE_VERSION: 'duplicateVersion',
        REMOTE_DUPLICATE_VERACK: 'duplicateVerack',
        REMOTE_SENDADDRV2: 'sendAddrV2AfterHandshake',
        REMOTE_UNKNOWN: 'activeIgnoredUnknown',
        REMOTE_GARBAGE: 'malformedMessage',
        QUEUE_INVENTORY: 'activeAnnounced',
        QUEUE_BLOCK_INVENTORY: 'activeBlockAnnounced',
        QUEUE_WHILE_WRITING: 'activeWroteBatches',
        STALL_ANSWERED: 'activeStallCleared',
        GETDATA_UNANSWERED: 'stall',
        ENCODE_FAILURE: 'encodeFailed',
        ENCODE_FAILURE_WHILE_WRITING: 'encodeFailed',
        WRITE_FAILURE: 'writeFailed',
        REMOTE_STOPS_READING: 'backedUp',
        LOCAL_DISCONNECT: 'localRequest',
        REMOTE_CLOSE: 'remoteClosed',
      },
    },
    activeAnnounced: { on: { IDLE_TIMEOUT: 'idleTimeout' } },
    activeBlockAnnounced: {},
    activeWroteBatches: {},
    activeStallCleared: {},
    activePinged: { on: { IDLE_TIMEOUT: 'idleTimeout', LOCAL_DISCONNECT: 'localRequest' } },
    activeKeptAlive: { on: { IDLE_TIMEOUT: 'idleTimeout', REMOTE_CLOSE: 'remoteClosed' } },
    activeIgnoredUnknown: { on: { REMOTE_PING: 'activePinged' } },

    // The remote stopped reading with a batch of ours in flight (in-memory socket only).
    backedUp: {
      on: {
        LOCAL_DISCONNECT: 'closingUnread',
        REMOTE_DUPLICATE_VERACK: 'flushingReject',
      },
    },
    // Disconnecting with a reject queued behind the stalled batch: the queue flushes.
    flushingReject: {
      on: {
        REMOTE_RESUMES_READING: 'duplicateVerack',
        QUEUE_LATE_MESSAGE: 'flushingRejectDroppedLate',
        LINGER_TIMEOUT: 'closingUnreadAfterReject',
        REMOTE_CLOSE: 'duplicateVerack',
      },
    },
    flushingRejectDroppedLate: { on: { REMOTE_RESUMES_READING: 'duplicateVerack' } },
    // Closing: our FIN waits behind writes the remote never reads.
    closingUnreadAfterReject: { on: { LINGER_TIMEOUT: 'duplicateVerack' } },
    closingUnread: {
      on: {
        QUEUE_LATE_MESSAGE: 'closingUnreadDroppedLate',
        LINGER_TIMEOUT: 'localRequest',
      },
    },
    closingUnreadDroppedLate: { on: { LINGER_TIMEOUT: 'localRequest' } },

    // Strict configuration.
    strictConnected: { on: { ACCEPT_INBOUND: 'strictAwaitingVersion' } },
    strictAwaitingVersion: { on: { REMOTE_VERSION: 'strictAwaitingVerack' } },
    strictAwaitingVerack: { on: { REMOTE_VERACK: 'strictActive' } },
    strictActive: {
      on: {
        PING_DUE: 'strictKeptAlive',
        PONG_MISSED: 'pongTimeout',
        REMOTE_UNKNOWN: 'unknownCommand',
        QUEUE_OVERFLOW: 'queueOverflow',
        QUEUE_OVERFLOW_WHILE_WRITING: 'queueOverflow',
        REMOTE_STOPS_READING: 'strictBackedUp',
      },
    },
    strictKeptAlive: {},
    strictBackedUp: {
      on: {
        WRITE_TIMEOUT: 'writeTimeout',
        REMOTE_DUPLICATE_VERACK: 'strictFlushingReject',
      },
    },
    strictFlushingReject: { on: { WRITE_TIMEOUT: 'strictClosingUnread' } },
    strictClosingUnread: { on: { LINGER_TIMEOUT: 'duplicateVerack' } },

    // Lenient configuration: regtest, remote on 127.0.0.1.
    lenientConnected: { on: { ACCEPT_INBOUND: 'lenientAwaitingVersion' } },
    lenientAwaitingVersion: { on: { REMOTE_GARBAGE: 'lenientToleratedEarly' } },
    lenientToleratedEarly: { on: { REMOTE_VERSION: 'lenientAwaitingVerack' } },
    lenientAwaitingVerack: { on: { REMOTE_VERACK: 'lenientActive' } },
    lenientActive: { on: { REMOTE_GARBAGE: 'lenientToleratedActive' } },
    lenientToleratedActive: {},

    // The newestBlock callback throws: neither direction can send its version.
    failingNewestBlockConnected: {
      on: {
        DIAL_OUTBOUND: 'newestBlockFailed',
        ACCEPT_INBOUND: 'failingNewestBlockAwaitingVersion',
      },
    },
    failingNewestBlockAwaitingVersion: { on: { REMOTE_VERSION: 'newestBlockFailed' } },

    // Decred (dcrd profile).
    decredConnected: {
      on: {
        ACCEPT_INBOUND: 'decredAwaitingVersion',
        DIAL_OUTBOUND: 'decredOutboundAwaitingVersion',
      },
    },
    decredAwaitingVersion: {
      on: {
        REMOTE_VERSION: 'decredAwaitingVerack',
        REMOTE_LEGACY_VERSION: 'decredLegacyAwaitingVerack',
        REMOTE_PING_FIRST: 'notVersionMessage',
        REMOTE_OLD_VERSION: 'protocolTooOld',
        REMOTE_VETOED_VERSION: 'versionVetoed',
        QUEUE_INVENTORY_IMMEDIATE: 'decredInventoryDropped',
      },
    },
    decredInventoryDropped: {},
    // Protocol 12: the next message must be verack.
    decredAwaitingVerack: {
      on: {
        REMOTE_VERACK: 'decredActive',
        REMOTE_UNKNOWN: 'unknownCommand',
        REMOTE_GETADDR_EARLY: 'notVerackMessage',
      },
    },
    // A legacy remote (protocol 11) may send two messages before its verack; they wait for active.
    decredLegacyAwaitingVerack: { on: { REMOTE_EARLY_MESSAGES: 'decredLegacyStashed' } },
    decredLegacyStashed: {
      on: {
        REMOTE_VERACK: 'decredActiveReplayed',
        REMOTE_GETADDR_EARLY: 'notVerackMessage',
      },
    },
    decredActiveReplayed: {},
    // dcrd order: the outbound side sends its verack only after the remote's.
    decredOutboundAwaitingVersion: { on: { REMOTE_VERSION: 'decredOutboundAwaitingVerack' } },
    decredOutboundAwaitingVerack: { on: { REMOTE_VERACK: 'decredActive' } },
    decredActive: {
      on: {
        QUEUE_INVENTORY_IMMEDIATE: 'decredAnnouncedImmediately',
        GETDATA_OVER_LIMIT: 'tooManyRequests',
        GETDATA_THEN_OVER_LIMIT: 'tooManyRequests',
      },
    },
    decredAnnouncedImmediately: {},

    dialFailed: { type: 'final' },
    dialTimeout: { type: 'final' },
    notVersionMessage: { type: 'final' },
    protocolTooOld: { type: 'final' },
    selfConnection: { type: 'final' },
    versionVetoed: { type: 'final' },
    newestBlockFailed: { type: 'final' },
    stall: { type: 'final' },
    tooManyRequests: { type: 'final' },
    handshakeTimeout: { type: 'final' },
    invalidHandshakeMessage: { type: 'final' },
    notVerackMessage: { type: 'final' },
    idleTimeout: { type: 'final' },
    pongTimeout: { type: 'final' },
    duplicateVersion: { type: 'final' },
    duplicateVerack: { type: 'final' },
    sendAddrV2AfterHandshake: { type: 'final' },
    unknownCommand: { type: 'final' },
    malformedMessage: { type: 'final' },
    queueOverflow: { type: 'final' },
    writeTimeout: { type: 'final' },
    writeFailed: { type: 'final' },
    encodeFailed: { type: 'final' },
    localRequest: { type: 'final' },
    remoteClosed: { type: 'final' },
  },
});

/** The disconnect reason each final model state stands for. */
export const EXPECTED_REASON: ReadonlyMap<string, string> = new Map([
  ['dialFailed', 'dial-failed'],
  ['dialTimeout', 'dial-timeout'],
  ['notVersionMessage', 'not-version-message'],
  ['protocolTooOld', 'protocol-too-old'],
  ['selfConnection', 'self-connection'],
  ['versionVetoed', 'version-vetoed'],
  ['newestBlockFailed', 'newest-block-failed'],
  ['stall', 'stall'],
  ['tooManyRequests', 'too-many-requests'],
  ['handshakeTimeout', 'handshake-timeout'],
  ['invalidHandshakeMessage', 'invalid-handshake-message'],
  ['notVerackMessage', 'not-verack-message'],
  ['idleTimeout', 'idle-timeout'],
  ['pongTimeout', 'pong-timeout'],
  ['duplicateVersion', 'duplicate-version'],
  ['duplicateVerack', 'duplicate-verack'],
  ['sendAddrV2AfterHandshake', 'sendaddrv2-after-handshake'],
  ['unknownCommand', 'unknown-command'],
  ['malformedMessage', 'malformed-message'],
  ['queueOverflow', 'queue-overflow'],
  ['writeTimeout', 'write-timeout'],
  ['writeFailed', 'write-failed'],
  ['encodeFailed', 'write-failed'],
  ['localRequest', 'local-request'],
  ['remoteClosed', 'remote-closed'],
]);
