import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, fromCallback, type InspectionEvent, SimulatedClock, sendTo, setup } from 'xstate';
import { readTrace, replayTrace, TraceFormatError } from '../../../src/inspect/replay.js';
import {
  createTraceRecorder,
  type TraceEventLine,
  type TraceLine,
  type TraceRecorderOptions,
  type TraceSnapshotLine,
} from '../../../src/inspect/trace.js';

type DoorEvent = { type: 'knock'; nonce: bigint; payload: Uint8Array } | { type: 'ring' };

const bell = setup({}).createMachine({
  id: 'bell',
  initial: 'silent',
  states: { silent: { on: { ring: 'ringing' } }, ringing: { after: { 100: 'silent' } } },
});

const door = setup({
  types: { events: {} as DoorEvent, context: {} as { knocks: number } },
  actors: { bell, echo: fromCallback(() => () => {}) },
  actions: { ringBell: sendTo('bell', { type: 'ring' }) },
}).createMachine({
  id: 'door',
  context: { knocks: 0 },
  invoke: [
    { id: 'bell', src: 'bell' },
    { id: 'echo', src: 'echo' },
  ],
  initial: 'closed',
  states: {
    closed: { on: { knock: { target: 'open', actions: 'ringBell' } } },
    open: { after: { 250: 'closed' } },
  },
});

/** Runs the door through a knock and both timers, recording with `options`. */
function record(options: TraceRecorderOptions = {}): {
  text: string;
  lines: TraceLine[];
  events: InspectionEvent[];
} {
  const clock = new SimulatedClock();
  const written: string[] = [];
  const events: InspectionEvent[] = [];
  const recorder = createTraceRecorder((line) => written.push(line), { clock, ...options });
  const actor = createActor(door, {
    clock,
    inspect: (event) => {
      events.push(event);
      recorder.next(event);
    },
  });
  actor.start();
  actor.send({ type: 'knock', nonce: 2n ** 64n - 1n, payload: new Uint8Array([1, 2, 0xff]) });
  clock.increment(100);
  clock.increment(150);
  actor.stop();
  assert.equal(recorder.lines, written.length);
  const text = `${written.join('\n')}\n`;
  return { text, lines: readTrace(text), events };
}

describe('trace recorder', () => {
  it('writes one JSON object per line, timed by the given clock', () => {
    const { text, lines } = record();
    const rows = text.trimEnd().split('\n');
    assert.equal(rows.length, lines.length);
    for (const row of rows) assert.doesNotThrow(() => JSON.parse(row));
    for (const line of lines) {
      assert.equal(typeof line.t, 'number');
      assert.ok(['actor', 'event', 'snapshot', 'microstep'].includes(line.kind), line.kind);
      assert.match(line.root, /^x:\d+$/);
      assert.match(line.actor, /^x:\d+$/);
    }
    const knock = lines.find((line) => line.kind === 'event' && line.type === 'knock')!;
    assert.equal(knock.t, 0);
    const closedAgain = lines
      .filter((line) => line.kind === 'snapshot' && line.machine === 'door' && line.state === 'closed')
      .at(-1)!;
    assert.equal(closedAgain.t, 250, 'the door closes 250 simulated ms after the knock');
  });

  it('names every actor: session id, id, machine, parent; the definition once per machine', () => {
    const { lines } = record();
    const actors = lines.filter((line) => line.kind === 'actor');
    assert.deepEqual(
      actors.map((line) => [line.id ?? '(root)', line.machine ?? '(callback)']),
      [
        ['(root)', 'door'],
        ['bell', 'bell'],
        ['echo', '(callback)'],
      ],
    );
    const [root, bellActor, echo] = actors;
    assert.equal(root!.root, root!.actor, 'the root is its own system');
    assert.equal(bellActor!.parent, root!.actor);
    assert.equal(echo!.parent, root!.actor);
    assert.equal((root!.definition as { id: string }).id, 'door');
    assert.ok((root!.definition as { states: Record<string, unknown> }).states.open);
    assert.equal(echo!.definition, undefined);
    const ring = lines.find((line): line is TraceEventLine => line.kind === 'event' && line.type === 'ring')!;
    assert.equal(ring.actor, bellActor!.actor, 'an event line names its target');
    assert.equal(ring.source, root!.actor, 'and its sender');
    assert.equal(ring.id, 'bell');
    assert.equal(ring.machine, 'bell');
  });

  it('makes payloads JSON-safe: bigint as a string, bytes as hex', () => {
    const { lines } = record();
    const knock = lines.find(
      (line): line is TraceEventLine => line.kind === 'event' && line.type === 'knock',
    )!;
    assert.deepEqual(knock.payload, { nonce: '18446744073709551615', payload: '0102ff' });
    const withoutPayloads = record({ payloads: false }).lines;
    const bare = withoutPayloads.find((line) => line.kind === 'event' && line.type === 'knock')!;
    assert.equal((bare as TraceEventLine).payload, undefined);
  });

  it('records state values, final status, and context only when asked', () => {
    const { lines } = record();
    const states = lines
      .filter((line): line is TraceSnapshotLine => line.kind === 'snapshot' && line.machine === 'door')
      .map((line) => line.state);
    assert.deepEqual(states, ['closed', 'open', 'closed', 'closed']);
    const last = lines.filter((line): line is TraceSnapshotLine => line.kind === 'snapshot').at(-1)!;
    assert.equal(last.status, 'stopped');
    assert.ok(lines.every((line) => !('context' in line)));
    const withContext = record({ context: true }).lines;
    const doorSnapshot = withContext.find((line) => line.kind === 'snapshot' && line.machine === 'door');
    assert.deepEqual((doorSnapshot as TraceSnapshotLine).context, { knocks: 0 });
  });

  it('records only the kinds asked for (actions are opt-in)', () => {
    assert.ok(record().lines.every((line) => line.kind !== 'action'));
    const withActions = record({ kinds: ['action'] }).lines;
    assert.ok(withActions.length > 0);
    assert.ok(withActions.every((line) => line.kind === 'action'));
    assert.ok(withActions.some((line) => line.kind === 'action' && line.action === 'xstate.sendTo'));
    const microsteps = record().lines.filter((line) => line.kind === 'microstep');
    assert.ok(
      microsteps.some((line) =>
        line.transitions?.some((step) => step.from === 'door.closed' && step.to?.[0] === 'door.open'),
      ),
    );
  });

  it('never throws into XState: a failing write is reported to onError', () => {
    const errors: unknown[] = [];
    const recorder = createTraceRecorder(
      () => {
        throw new Error('disk full');
      },
      { onError: (error) => errors.push(error) },
    );
    const actor = createActor(door, { inspect: recorder }).start();
    actor.send({ type: 'knock', nonce: 1n, payload: new Uint8Array() });
    assert.equal(actor.getSnapshot().value, 'open');
    actor.stop();
    assert.ok(errors.length > 0);
    assert.equal(recorder.lines, 0);
  });
});

describe('readTrace', () => {
  it('skips blank lines and drops a half-written last line', () => {
    const line = '{"t":1,"kind":"event","root":"x:0","actor":"x:0","type":"go"}';
    const lines = readTrace(`${line}\n\n${line}\n{"t":2,"kind":"ev`);
    assert.equal(lines.length, 2);
  });

  it('names the line that is not a trace line', () => {
    const line = '{"t":1,"kind":"event","root":"x:0","actor":"x:0","type":"go"}';
    assert.throws(
      () => readTrace(`${line}\nnot json\n${line}\n`),
      (error: unknown) => {
        assert.ok(error instanceof TraceFormatError);
        assert.equal(error.lineNumber, 2);
        return true;
      },
    );
    assert.throws(() => readTrace(`${line}\n{"t":1,"kind":"dance","root":"x:0","actor":"x:0"}\n`), /line 2/);
  });
});

describe('replayTrace', () => {
  it('recording a replay reproduces the trace line for line, times included', () => {
    const { text, lines } = record({ kinds: ['actor', 'event', 'snapshot', 'microstep', 'action'] });
    const again: string[] = [];
    const delivered = replayTrace(
      lines,
      createTraceRecorder((line) => again.push(line), {
        kinds: ['actor', 'event', 'snapshot', 'microstep', 'action'],
      }),
    );
    assert.equal(delivered, lines.length);
    assert.equal(`${again.join('\n')}\n`, text);
  });

  it('delivers the recorded sequence as XState inspection events to any observer', () => {
    const { lines, events } = record();
    const replayed: InspectionEvent[] = [];
    replayTrace(lines, { next: (event) => replayed.push(event) });
    const live = events.filter((event) => event.type !== '@xstate.action');
    const shape = (event: InspectionEvent) => [
      event.type,
      event.rootId,
      event.actorRef.sessionId,
      'event' in event ? event.event.type : '',
      event.type === '@xstate.event' ? event.sourceRef?.sessionId : '',
      event.type === '@xstate.snapshot' ? (event.snapshot as { value?: unknown }).value : '',
    ];
    assert.deepEqual(replayed.map(shape), live.map(shape));
    const root = replayed[0]!.actorRef as unknown as { logic: { config: { id: string } }; id: string };
    assert.equal(root.logic.config.id, 'door', 'machine actors carry their recorded definition');
  });

  it('replays only the kinds asked for', () => {
    const { lines } = record();
    const replayed: InspectionEvent[] = [];
    replayTrace(lines, (event) => replayed.push(event), { kinds: ['snapshot'] });
    assert.ok(replayed.length > 0);
    assert.ok(replayed.every((event) => event.type === '@xstate.snapshot'));
  });
});
