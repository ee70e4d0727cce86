import { createMachine } from 'xstate';

/**
 * The protocol as a remote node sees a peer (inbound or outbound): what the remote (or the clock) can do in
 * each state, and where that leads. Final states name the disconnect reason the peer must report.
 * It is a separate abstract machine because xstate/graph cannot traverse invokes and delays.
 */
export const peerModel = createMachine({
  id: 'peerModel',
  initial: 'connected',
  states: {
    connected: {
      on: {
        ACCEPT_INBOUND: 'awaitingVersion',
        DIAL_OUTBOUND: 'outboundAwaitingVersion',
      },
    },
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
        HANDSHAKE_TIMEOUT: 'handshakeTimeout',
        REMOTE_CLOSE: 'remoteClosed',
        LOCAL_DISCONNECT: 'localRequest',
      },
    },
    awaitingVerack: {
      on: {
        REMOTE_WTXIDRELAY: 'awaitingVerackEarlyMessage',
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
        GETDATA_UNANSWERED: 'stall',
        LOCAL_DISCONNECT: 'localRequest',
        REMOTE_CLOSE: 'remoteClosed',
      },
    },
    activeAnnounced: { on: { IDLE_TIMEOUT: 'idleTimeout' } },
    activePinged: { on: { IDLE_TIMEOUT: 'idleTimeout', LOCAL_DISCONNECT: 'localRequest' } },
    activeKeptAlive: { on: { IDLE_TIMEOUT: 'idleTimeout', REMOTE_CLOSE: 'remoteClosed' } },
    activeIgnoredUnknown: { on: { REMOTE_PING: 'activePinged' } },
    notVersionMessage: { type: 'final' },
    protocolTooOld: { type: 'final' },
    selfConnection: { type: 'final' },
    versionVetoed: { type: 'final' },
    stall: { type: 'final' },
    handshakeTimeout: { type: 'final' },
    invalidHandshakeMessage: { type: 'final' },
    idleTimeout: { type: 'final' },
    duplicateVersion: { type: 'final' },
    duplicateVerack: { type: 'final' },
    sendAddrV2AfterHandshake: { type: 'final' },
    malformedMessage: { type: 'final' },
    localRequest: { type: 'final' },
    remoteClosed: { type: 'final' },
  },
});

/** The disconnect reason each final model state stands for. */
export const EXPECTED_REASON: ReadonlyMap<string, string> = new Map([
  ['notVersionMessage', 'not-version-message'],
  ['protocolTooOld', 'protocol-too-old'],
  ['selfConnection', 'self-connection'],
  ['versionVetoed', 'version-vetoed'],
  ['stall', 'stall'],
  ['handshakeTimeout', 'handshake-timeout'],
  ['invalidHandshakeMessage', 'invalid-handshake-message'],
  ['idleTimeout', 'idle-timeout'],
  ['duplicateVersion', 'duplicate-version'],
  ['duplicateVerack', 'duplicate-verack'],
  ['sendAddrV2AfterHandshake', 'sendaddrv2-after-handshake'],
  ['malformedMessage', 'malformed-message'],
  ['localRequest', 'local-request'],
  ['remoteClosed', 'remote-closed'],
]);
