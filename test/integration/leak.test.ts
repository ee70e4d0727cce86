/**
 * Leaks: 1,000 connect/handshake/disconnect cycles through a PeerSupervisor listening on loopback,
 * dialled by a second PeerSupervisor in batches of 50 concurrent. Afterwards: no peers left, no
 * handles (sockets, servers, timers) beyond the baseline, every Peer (and its actor, timers and
 * buffers) garbage-collected, and the heap after GC within 10% of where it started.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Peer } from '../../src/peer/peer.js';
import { PeerSupervisor } from '../../src/supervisor/supervisor.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';
import {
  activeResources,
  assertNoLeakedHandles,
  memory,
  mib,
  pause,
  waitUntil,
} from '../adversarial/hostile.js';

const network = bitcoinNetworks.regtest;
const CYCLES = Number(process.env.LEAK_CYCLES ?? 1000);
const BATCH = 50;
const WARM_UP_BATCHES = Number(process.env.LEAK_WARMUP ?? 20);

describe('no leaks over 1,000 connect/handshake/disconnect cycles', () => {
  it('leaves no peers, handles, actors or heap behind', { timeout: 60_000 }, async () => {
    const listener = new PeerSupervisor({ peer: { network }, maxInbound: BATCH * 2 });
    const { port } = await listener.listen();
    const dialer = new PeerSupervisor({ peer: { network }, maxOutbound: BATCH * 2 });
    let dialerHandshakes = 0;
    let listenerHandshakes = 0;
    dialer.on('peerHandshake', () => dialerHandshakes++);
    listener.on('peerHandshake', () => listenerHandshakes++);
    /** Every peer ever created on either side, weakly: they must all be collectable at the end. */
    const created: WeakRef<Peer>[] = [];
    const notDone: string[] = [];
    for (const supervisor of [listener, dialer]) {
      supervisor.on('peerAdded', (peer) => created.push(new WeakRef(peer)));
      supervisor.on('peerRemoved', (peer) => {
        // The actor has stopped by the time the supervisor hears of the end.
        const status = peer.actor.getSnapshot().status;
        if (status !== 'done') notDone.push(`${peer.id} ${status}`);
      });
    }

    const batch = async () => {
      const target = dialerHandshakes + BATCH;
      const listenerTarget = listenerHandshakes + BATCH;
      for (let i = 0; i < BATCH; i++) dialer.connect(`127.0.0.1:${port}`);
      await waitUntil(
        () => dialerHandshakes === target && listenerHandshakes === listenerTarget,
        'a batch of handshakes',
      );
      for (const peer of dialer.peers()) peer.disconnect('local-request', 'leak test');
      await waitUntil(
        () => dialer.peers().length === 0 && listener.peers().length === 0,
        'every peer of the batch removed',
      );
    };

    try {
      for (let i = 0; i < WARM_UP_BATCHES; i++) await batch(); // warm-up: JIT, lazily built tables, the listener's first accepts
      await pause(50);
      const handles = activeResources();
      const heapBefore = memory(3).heapUsed;

      const started = performance.now();
      for (let done = 0; done < CYCLES; done += BATCH) await batch();
      const seconds = (performance.now() - started) / 1000;

      assert.equal(dialerHandshakes, CYCLES + WARM_UP_BATCHES * BATCH);
      assert.equal(listener.peers().length, 0, 'no inbound peers left');
      assert.equal(dialer.peers().length, 0, 'no outbound peers left');
      const [l, d] = [listener.stats(), dialer.stats()];
      assert.equal(l.added, l.removed, 'listener: every added peer removed');
      assert.equal(d.added, d.removed, 'dialer: every added peer removed');
      assert.equal(l.inbound, 0);
      assert.equal(d.outbound, 0);
      assert.deepEqual(notDone, [], 'every peer actor done when removed');
      await assertNoLeakedHandles(handles);

      await pause(20); // WeakRefs are held until the job that created them ends
      const heapAfter = memory(3).heapUsed;
      await pause(20);
      const alive = created.filter((ref) => ref.deref() !== undefined).length;
      const growth = (heapAfter - heapBefore) / heapBefore;
      console.log(
        `${CYCLES} cycles in ${seconds.toFixed(1)} s; heap ${mib(heapBefore)} -> ${mib(heapAfter)} (${(growth * 100).toFixed(1)}%); ` +
          `${alive} of ${created.length} peers still reachable; handles ${JSON.stringify(Object.fromEntries(activeResources()))}`,
      );
      assert.equal(alive, 0, 'every Peer garbage-collected');
      assert.ok(growth < 0.1, `heap grew ${(growth * 100).toFixed(1)}% (bound 10%)`);
    } finally {
      await Promise.all([dialer.shutdown(), listener.shutdown()]);
    }
  });
});
