import type { InspectionEvent, Observer } from 'xstate';
import { RECORDED_TIME, type TraceKind, type TraceLine } from './trace.js';

/** A trace file that is not one JSON trace line per line. */
export class TraceFormatError extends Error {
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(`trace line ${lineNumber}: ${message}`);
    this.name = 'TraceFormatError';
  }
}

const KINDS = new Set<string>(['actor', 'event', 'snapshot', 'microstep', 'action']);

/**
 * Parses a JSONL trace. Blank lines are skipped. A last line without its newline that does not
 * parse is dropped: that is what a recorder killed mid-write leaves behind. Anything else that is
 * not a trace line throws a TraceFormatError naming the line.
 */
export function readTrace(text: string): TraceLine[] {
  const rows = text.split('\n');
  const lines: TraceLine[] = [];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!.trim();
    if (row === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      const unterminated = index === rows.length - 1;
      if (unterminated) break;
      throw new TraceFormatError(index + 1, (error as Error).message);
    }
    const line = parsed as Partial<TraceLine> | null;
    if (
      line === null ||
      typeof line !== 'object' ||
      typeof line.t !== 'number' ||
      typeof line.kind !== 'string' ||
      !KINDS.has(line.kind) ||
      typeof line.root !== 'string' ||
      typeof line.actor !== 'string'
    ) {
      throw new TraceFormatError(index + 1, 'not a trace line (needs t, kind, root, actor)');
    }
    lines.push(line as TraceLine);
  }
  return lines;
}

interface ReplayedSnapshot {
  status: string;
  value?: unknown;
  context: unknown;
  output?: unknown;
  error?: unknown;
  children: Record<string, never>;
}

/** Just enough of an actor ref for XState inspectors: the fields they read. */
interface ReplayedActor {
  sessionId: string;
  id: string;
  systemId?: string;
  _parent?: ReplayedActor;
  logic?: { config: unknown };
  snapshot: ReplayedSnapshot;
  send(): void;
  getSnapshot(): ReplayedSnapshot;
}

export interface ReplayOptions {
  /** Replay only these kinds (default: every line). */
  kinds?: readonly TraceKind[];
}

/**
 * Feeds recorded trace lines to an XState inspection observer, in order, as inspection events with
 * stand-in actor refs (session ids, ids, parents and machine definitions as recorded). Works with
 * any `inspect` observer: a @statelyai/inspect inspector's `inspect`, another trace recorder (it
 * reproduces the same lines, times included), a test's collector. Returns the number delivered.
 */
export function replayTrace(
  lines: Iterable<TraceLine>,
  inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void),
  options: ReplayOptions = {},
): number {
  const deliver = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event);
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  const actors = new Map<string, ReplayedActor>();
  const definitions = new Map<string, unknown>();

  const actorFor = (session: string, id?: string, machine?: string): ReplayedActor => {
    let actor = actors.get(session);
    if (!actor) {
      const created: ReplayedActor = {
        sessionId: session,
        id: id ?? session,
        snapshot: { status: 'active', context: {}, children: {} },
        send: () => {},
        getSnapshot: () => created.snapshot,
      };
      if (machine !== undefined) created.logic = { config: definitions.get(machine) ?? { id: machine } };
      actors.set(session, created);
      actor = created;
    } else {
      // First seen as a parent or a sender, before its own lines: fill in what they tell.
      if (id !== undefined && actor.id === session) actor.id = id;
      if (machine !== undefined && !actor.logic)
        actor.logic = { config: definitions.get(machine) ?? { id: machine } };
    }
    return actor;
  };

  let delivered = 0;
  for (const line of lines) {
    if (line.kind === 'actor' && line.machine !== undefined && line.definition !== undefined)
      definitions.set(line.machine, line.definition);
    const actor = actorFor(line.actor, line.id, line.machine);
    if (kinds && !kinds.has(line.kind)) continue;
    const common = { rootId: line.root, actorRef: actor, [RECORDED_TIME]: line.t };
    let event: object;
    switch (line.kind) {
      case 'actor':
        if (line.parent !== undefined) actor._parent = actorFor(line.parent);
        if (line.systemId !== undefined) actor.systemId = line.systemId;
        event = { type: '@xstate.actor', ...common };
        break;
      case 'event':
        event = {
          type: '@xstate.event',
          ...common,
          sourceRef: line.source === undefined ? undefined : actorFor(line.source),
          event: { type: line.type, ...line.payload },
        };
        break;
      case 'snapshot': {
        const snapshot: ReplayedSnapshot = { status: line.status, context: line.context ?? {}, children: {} };
        if (line.state !== undefined) snapshot.value = line.state;
        if (line.output !== undefined) snapshot.output = line.output;
        if (line.error !== undefined) snapshot.error = line.error;
        actor.snapshot = snapshot;
        event = { type: '@xstate.snapshot', ...common, event: { type: line.type }, snapshot };
        break;
      }
      case 'microstep':
        event = {
          type: '@xstate.microstep',
          ...common,
          event: { type: line.type },
          snapshot: { ...actor.snapshot, value: line.state },
          _transitions: (line.transitions ?? []).map((step) => ({
            source: { id: step.from },
            target: step.to?.map((id) => ({ id })),
            eventType: line.type,
          })),
        };
        break;
      case 'action':
        event = { type: '@xstate.action', ...common, action: { type: line.action, params: line.params } };
        break;
      default:
        continue;
    }
    deliver(event as InspectionEvent);
    delivered++;
  }
  return delivered;
}
