import type { InspectionEvent, Observer } from 'xstate';
import { defaultJsonSafeLimits, type JsonSafeLimits, toJsonSafe, unlimited } from './json-safe.js';

/** Which XState inspection event a trace line records (`@xstate.<kind>`). */
export type TraceKind = 'actor' | 'event' | 'snapshot' | 'microstep' | 'action';

/** Fields on every line. */
interface TraceLineBase {
  /** Milliseconds since the recorder was created, by its clock. */
  t: number;
  kind: TraceKind;
  /** Session id of the root actor of the actor's system: one per Peer, one per supervisor. */
  root: string;
  /** Session id of the actor the line is about ('x:12'); for an event, its target. */
  actor: string;
  /** The actor's id ('pinger', 'transport', …) when it differs from its session id (roots). */
  id?: string;
  /** The id of the state machine the actor runs ('peer', 'handshake', …); absent for callbacks. */
  machine?: string;
}

/** An actor was created. */
export interface TraceActorLine extends TraceLineBase {
  kind: 'actor';
  /** Session id of the parent actor. */
  parent?: string;
  systemId?: string;
  /** The machine's config, on the first actor line of each machine id (so a trace opens in Stately). */
  definition?: unknown;
}

/** An event was delivered to `actor`. */
export interface TraceEventLine extends TraceLineBase {
  kind: 'event';
  /** The event type ('transport.message', 'xstate.after.pingInterval.pinger', …). */
  type: string;
  /** Session id of the sender, when an actor sent it. */
  source?: string;
  /** The event's other fields, made JSON-safe. */
  payload?: Record<string, unknown>;
}

/** The actor's snapshot after processing an event of `type`. */
export interface TraceSnapshotLine extends TraceLineBase {
  kind: 'snapshot';
  type: string;
  status: string;
  /** The state value of a machine ('active', { open: 'active' }, …). */
  state?: unknown;
  output?: unknown;
  error?: unknown;
  /** Only with the recorder's `context: true`. */
  context?: unknown;
}

/** One microstep (a set of transitions taken together) while processing an event of `type`. */
export interface TraceMicrostepLine extends TraceLineBase {
  kind: 'microstep';
  type: string;
  state?: unknown;
  /** Source state id and target state ids of each transition taken. */
  transitions?: { from: string; to?: string[] }[];
}

/** A named action ran (only recorded when `kinds` includes 'action'). */
export interface TraceActionLine extends TraceLineBase {
  kind: 'action';
  action: string;
  params?: unknown;
}

export type TraceLine =
  | TraceActorLine
  | TraceEventLine
  | TraceSnapshotLine
  | TraceMicrostepLine
  | TraceActionLine;

export interface TraceRecorderOptions {
  /** The time source for `t` (a SimulatedClock works). Default: performance.now(). */
  clock?: { now(): number };
  /** The kinds to record. Default: actor, event, snapshot, microstep (actions are frequent; opt in). */
  kinds?: readonly TraceKind[];
  /** Record event payloads and action params (default true). */
  payloads?: boolean;
  /** Record each snapshot's context (default false: peers carry large, mostly static contexts). */
  context?: boolean;
  /** Record each machine's definition on its first actor line (default true, a few KiB per machine). */
  definitions?: boolean;
  /** Caps on recorded payloads (depth, array length, bytes, string length). */
  limits?: Partial<JsonSafeLimits>;
  /** Record only the inspection events this accepts. */
  filter?: (event: InspectionEvent) => boolean;
  /** Called when `write` or serialisation throws; the recorder itself never throws into XState. */
  onError?: (error: unknown) => void;
}

/** An XState inspection observer that writes trace lines; hand it to `inspect`. */
export interface TraceRecorder extends Observer<InspectionEvent> {
  next: (event: InspectionEvent) => void;
  /** Lines written so far. */
  readonly lines: number;
}

/**
 * Set by replayTrace on the events it synthesises: the time recorded in the original trace, so
 * recording a replay reproduces the original lines.
 */
export const RECORDED_TIME: unique symbol = Symbol.for('peerchart.trace.recordedTime');

const DEFAULT_KINDS: readonly TraceKind[] = ['actor', 'event', 'snapshot', 'microstep'];

interface Identity {
  actor: string;
  id?: string;
  machine?: string;
}

interface ActorInternals {
  sessionId: string;
  id?: string;
  systemId?: string;
  logic?: { config?: unknown };
  _parent?: { sessionId: string };
}

function machineConfigOf(ref: ActorInternals): { id?: string } | undefined {
  const config = ref.logic?.config;
  // Machines carry their config object; callback, promise and transition logic carry a function.
  return config !== null && typeof config === 'object' ? (config as { id?: string }) : undefined;
}

function identityOf(ref: ActorInternals): Identity {
  const identity: Identity = { actor: ref.sessionId };
  if (ref.id !== undefined && ref.id !== ref.sessionId) identity.id = ref.id;
  const config = machineConfigOf(ref);
  if (config) identity.machine = config.id ?? '(machine)';
  return identity;
}

/**
 * Records XState inspection events as JSON lines: `write` gets one JSON object per call, without
 * a trailing newline. Pass the result as `inspect` to a Peer, a PeerSupervisor or createActor.
 */
export function createTraceRecorder(
  write: (line: string) => void,
  options: TraceRecorderOptions = {},
): TraceRecorder {
  const clock = options.clock ?? performance;
  const started = clock.now();
  const kinds = new Set(options.kinds ?? DEFAULT_KINDS);
  const payloads = options.payloads ?? true;
  const withContext = options.context ?? false;
  const withDefinitions = options.definitions ?? true;
  const limits: JsonSafeLimits = { ...defaultJsonSafeLimits, ...options.limits };
  const identities = new WeakMap<object, Identity>();
  const definedMachines = new Set<string>();
  let written = 0;

  const identify = (ref: ActorInternals): Identity => {
    let identity = identities.get(ref);
    if (!identity) {
      identity = identityOf(ref);
      identities.set(ref, identity);
    }
    return identity;
  };

  const safe = (value: unknown) => toJsonSafe(value, limits);

  const lineOf = (event: InspectionEvent): TraceLine | undefined => {
    const kind = event.type.slice('@xstate.'.length) as TraceKind;
    if (!kinds.has(kind)) return undefined;
    const ref = event.actorRef as unknown as ActorInternals;
    const recorded = (event as { [RECORDED_TIME]?: number })[RECORDED_TIME];
    const t = recorded ?? Math.round((clock.now() - started) * 1000) / 1000;
    const base = { t, kind, root: event.rootId, ...identify(ref) };
    switch (event.type) {
      case '@xstate.actor': {
        const line: TraceActorLine = { ...base, kind: 'actor' };
        if (ref._parent) line.parent = ref._parent.sessionId;
        if (ref.systemId !== undefined) line.systemId = ref.systemId;
        const config = machineConfigOf(ref);
        if (withDefinitions && config && base.machine && !definedMachines.has(base.machine)) {
          definedMachines.add(base.machine);
          line.definition = toJsonSafe(config, unlimited, 'name');
        }
        return line;
      }
      case '@xstate.event': {
        const { type, ...rest } = event.event;
        const line: TraceEventLine = { ...base, kind: 'event', type };
        const source = event.sourceRef as unknown as ActorInternals | undefined;
        if (source) line.source = source.sessionId;
        if (payloads && Object.keys(rest).length > 0) {
          const payload = safe(rest) as Record<string, unknown>;
          if (Object.keys(payload).length > 0) line.payload = payload;
        }
        return line;
      }
      case '@xstate.snapshot': {
        const snapshot = event.snapshot as {
          status: string;
          value?: unknown;
          output?: unknown;
          error?: unknown;
          context?: unknown;
        };
        const line: TraceSnapshotLine = {
          ...base,
          kind: 'snapshot',
          type: event.event.type,
          status: snapshot.status,
        };
        if (snapshot.value !== undefined) line.state = safe(snapshot.value);
        if (snapshot.output !== undefined) line.output = safe(snapshot.output);
        if (snapshot.error !== undefined) line.error = safe(snapshot.error);
        if (withContext && snapshot.context !== undefined) line.context = safe(snapshot.context);
        return line;
      }
      case '@xstate.microstep': {
        const line: TraceMicrostepLine = { ...base, kind: 'microstep', type: event.event.type };
        const value = (event.snapshot as { value?: unknown }).value;
        if (value !== undefined) line.state = safe(value);
        const transitions = (event._transitions ?? []).map((transition) => {
          const step: { from: string; to?: string[] } = { from: transition.source.id };
          if (transition.target?.length) step.to = transition.target.map((target) => target.id);
          return step;
        });
        if (transitions.length > 0) line.transitions = transitions;
        return line;
      }
      case '@xstate.action': {
        const line: TraceActionLine = { ...base, kind: 'action', action: event.action.type };
        if (payloads && event.action.params !== undefined) {
          const params = safe(event.action.params);
          if (params !== undefined) line.params = params;
        }
        return line;
      }
      default:
        // '@xstate.transition' (declared by v5, emitted by v6) and anything newer.
        return undefined;
    }
  };

  return {
    next(event) {
      try {
        if (options.filter && !options.filter(event)) return;
        const line = lineOf(event);
        if (!line) return;
        write(JSON.stringify(line));
        written++;
      } catch (error) {
        options.onError?.(error);
      }
    },
    get lines() {
      return written;
    },
  };
}
