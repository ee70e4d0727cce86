import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, createMachine, SimulatedClock } from 'xstate';
import { stallMonitorMachine } from '../../../machines/stall-monitor.machine.js';
import type { PeerHost } from '../../../machines/types.js';

/** The stall monitor on its own, under a parent that records what it reports. */
function monitor(handlerTime: number[]) {
  const clock = new SimulatedClock();
  const reports: string[] = [];
  const host = {
    now: () => clock.now(),
    takeHandlerTimeMs: () => handlerTime.shift() ?? 0,
  } as unknown as PeerHost;
  const parent = createMachine({
    invoke: {
      id: 'stallMonitor',
      src: stallMonitorMachine,
      input: {
        host,
        stallTickMs: 15_000,
        responseTimeoutMs: 30_000,
        headersResponseTimeoutMs: 90_000,
        enabled: true,
        tracking: 'command',
        maxOutstandingInventory: 0,
      },
    },
    on: { 'stall.detected': { actions: ({ event }) => reports.push(event.command as string) } },
  });
  const actor = createActor(parent, { clock }).start();
  const child = actor.getSnapshot().children.stallMonitor!;
  return { clock, reports, child, stop: () => actor.stop() };
}

describe('stall monitor: handler-time compensation (spec §2.9)', () => {
  it('keeps every compensation (btcd forgets it after one tick)', () => {
    // Handler time taken at the ticks at 15 s, 30 s and 45 s.
    const { clock, reports, child, stop } = monitor([0, 13_000, 13_000]);
    child.send({ type: 'stall.requestSent', command: 'getdata' }); // due at 30 s
    clock.increment(15_000);
    clock.increment(15_000); // 30 s: + 13 s → due at 43 s
    assert.deepEqual(reports, []);
    clock.increment(15_000); // 45 s: + 13 s → due at 56 s (forgetting the first 13 s: 43 s, stalled)
    assert.deepEqual(reports, [], 'not stalled at 45 s');
    clock.increment(15_000); // 60 s
    assert.deepEqual(reports, ['block'], 'stalled at 60 s, on the getdata group');
    stop();
  });

  it('without handler time, a request unanswered for 30 s stalls at the next tick', () => {
    const { clock, reports, child, stop } = monitor([]);
    child.send({ type: 'stall.requestSent', command: 'getheaders' }); // 90 s for headers
    child.send({ type: 'stall.requestSent', command: 'getdata' });
    clock.increment(15_000);
    assert.deepEqual(reports, []);
    clock.increment(15_000);
    assert.deepEqual(reports, ['block'], 'getdata stalls at 30 s; getheaders would have had 90 s');
    stop();
  });

  it('an answer clears its group', () => {
    const { clock, reports, child, stop } = monitor([]);
    child.send({ type: 'stall.requestSent', command: 'getdata' });
    child.send({ type: 'stall.responseReceived', command: 'notfound' });
    for (let i = 0; i < 8; i++) clock.increment(15_000);
    assert.deepEqual(reports, []);
    stop();
  });
});
