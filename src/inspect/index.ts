export { defaultJsonSafeLimits, type JsonSafeLimits, toJsonSafe } from './json-safe.js';
export { type ReplayOptions, readTrace, replayTrace, TraceFormatError } from './replay.js';
export {
  createTraceRecorder,
  RECORDED_TIME,
  type TraceActionLine,
  type TraceActorLine,
  type TraceEventLine,
  type TraceKind,
  type TraceLine,
  type TraceMicrostepLine,
  type TraceRecorder,
  type TraceRecorderOptions,
  type TraceSnapshotLine,
} from './trace.js';
export { createTraceFile, type TraceFile } from './trace-file.js';
export {
  connectWebSocketInspector,
  type WebSocketInspection,
  type WebSocketInspectionOptions,
} from './websocket.js';
