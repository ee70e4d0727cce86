/**
 * `peerchart/testing`: what our own model-based tests use, for testing your code against real
 * peers: an in-memory socket pair, a scripted remote node, SimulatedClock wiring and the
 * handshake path generator.
 */
export { SimulatedClock } from 'xstate';
export {
  type HandshakePath,
  type HandshakePathOptions,
  handshakePaths,
  inboundHandshakeModel,
} from './handshake-paths.js';
export {
  handshakenInbound,
  type Link,
  memoryLink,
  remoteVersion,
  ScriptedRemote,
  type ScriptedSession,
  settle,
  tcpLink,
  waitUntil,
} from './scripted-remote.js';
export { MemorySocket, socketPair } from './socket-pair.js';
