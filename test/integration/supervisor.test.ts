import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { SimulatedClock } from 'xstate';
import type { Peer } from '../../src/peer/peer.js';
import { PeerSupervisor } from '../../src/supervisor/supervisor.js';
import { type MemorySocket, socketPair } from '../../src/testing/socket-pair.js';
import { InvType } from '../../src/wire/bitcoin/types.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function activeCount(supervisor: PeerSupervisor): number {
  return supervisor.peers().filter((peer) => peer.state === 'active').length;
}

describe('PeerSupervisor', () => {
  it('adopts sockets accepted elsewhere under the same inbound limit and bans', async () => {
    const listener = new PeerSupervisor({ peer: { network }, maxInbound: 2 });
    const refused: string[] = [];
    listener.on('refused', (address, reason) => refused.push(`${address} ${reason}`));
    listener.ban('10.0.0.9', 60_000);
    const remotes: MemorySocket[] = [];
    for (const client of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.9']) {
      const [remote, local] = socketPair({ address: client, port: 50001 });
      remotes.push(remote);
      listener.adopt(local);
    }
    await waitFor(() => refused.length === 2);
    assert.deepEqual(
      listener.peers().map((peer) => peer.address),
      ['10.0.0.1:50001', '10.0.0.2:50001'],
    );
    assert.deepEqual(refused, ['10.0.0.3:50001 max-inbound', '10.0.0.9:50001 banned']);
    await waitFor(() => remotes[2]!.destroyed && remotes[3]!.destroyed); // refused sockets are closed
    assert.ok(!remotes[0]!.destroyed && !remotes[1]!.destroyed);
    await listener.shutdown();
    assert.equal(listener.peers().length, 0);
  });

  it('admits inbound peers up to its limit and refuses the rest with a reason', async () => {
    const listener = new PeerSupervisor({ peer: { network }, maxInbound: 2 });
    const refused: string[] = [];
    listener.on('refused', (_address, reason) => refused.push(reason));
    const { port } = await listener.listen();
    const dialer = new PeerSupervisor({ peer: { network }, maxOutbound: 10 });
    for (let i = 0; i < 4; i++) dialer.connect(`127.0.0.1:${port}`);
    await waitFor(() => refused.length === 2 && activeCount(listener) === 2);
    await waitFor(() => dialer.peers().length === 2);
    assert.deepEqual(refused, ['max-inbound', 'max-inbound']);
    assert.equal(listener.stats().inbound, 2);
    await Promise.all([dialer.shutdown(), listener.shutdown()]);
  });

  it('refuses outbound dials beyond its limit and banned hosts', async () => {
    const dialer = new PeerSupervisor({ peer: { network }, maxOutbound: 1 });
    const refused: string[] = [];
    dialer.on('refused', (address, reason) => refused.push(`${address} ${reason}`));
    dialer.ban('10.9.9.9', 60_000);
    dialer.connect('10.9.9.9:18444');
    dialer.connect('127.0.0.1:1');
    dialer.connect('127.0.0.1:2');
    assert.deepEqual(refused, ['10.9.9.9:18444 banned', '127.0.0.1:2 max-outbound']);
    await dialer.shutdown();
  });

  it('relays inventory to every peer but its source', async () => {
    const hub = new PeerSupervisor({ peer: { network, trickleIntervalMs: 50 } });
    const { port } = await hub.listen();
    const received = new Map<number, number>();
    const leaves = new PeerSupervisor({
      peer: {
        network,
        listeners: {
          onInv: (peer, inv) => received.set(peer.id, (received.get(peer.id) ?? 0) + inv.inventory.length),
        },
      },
    });
    for (let i = 0; i < 3; i++) leaves.connect(`127.0.0.1:${port}`);
    await waitFor(() => activeCount(hub) === 3 && activeCount(leaves) === 3);
    const source = hub.peers()[0]!;
    const sourceRemote = leaves
      .peers()
      .find((peer) => peer.localAddress?.endsWith(`:${source.address.split(':')[1]}`));
    hub.relayInventory({ type: InvType.tx, hash: new Uint8Array(32).fill(7) }, { except: source });
    await waitFor(() => received.size === 2);
    assert.ok(sourceRemote, 'found the source on the other side');
    assert.equal(received.get(sourceRemote.id), undefined, 'the source is not told about its own inventory');
    assert.deepEqual([...received.values()], [1, 1]);
    await Promise.all([leaves.shutdown(), hub.shutdown()]);
  });

  it('redials a persistent peer with exponential backoff on its clock', async () => {
    // A port with nothing listening: every dial fails at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));

    const clock = new SimulatedClock();
    const supervisor = new PeerSupervisor({
      peer: { network },
      clock,
      redialBaseMs: 1000,
      redialMaxMs: 4000,
      redialJitter: 0,
    });
    let dials = 0;
    let ended = 0;
    supervisor.on('peerAdded', () => dials++);
    supervisor.on('peerRemoved', () => ended++);
    supervisor.connect(`127.0.0.1:${deadPort}`, { persistent: true });
    const expectedDelays = [1000, 2000, 4000, 4000];
    for (const delay of expectedDelays) {
      const before = dials;
      await waitFor(() => ended === before);
      clock.increment(delay - 1);
      assert.equal(dials, before, `no redial before ${delay} ms`);
      clock.increment(1);
      assert.equal(dials, before + 1, `redial at ${delay} ms`);
    }
    await supervisor.shutdown();
    assert.equal(supervisor.peers().length, 0);
  });

  it('does not redial a one-shot peer', async () => {
    const clock = new SimulatedClock();
    const supervisor = new PeerSupervisor({ peer: { network }, clock, redialBaseMs: 10, redialJitter: 0 });
    let dials = 0;
    let ended = 0;
    supervisor.on('peerAdded', () => dials++);
    supervisor.on('peerRemoved', () => ended++);
    supervisor.connect('127.0.0.1:1');
    await waitFor(() => ended === 1);
    clock.increment(60_000);
    assert.equal(dials, 1);
    await supervisor.shutdown();
  });

  it('reaps a crashed peer and keeps serving the others', async () => {
    const listener = new PeerSupervisor({ peer: { network } });
    const { port } = await listener.listen();
    const crashed: string[] = [];
    listener.on('peerCrashed', (_peer, detail) => crashed.push(detail));
    const dialer = new PeerSupervisor({ peer: { network } });
    dialer.connect(`127.0.0.1:${port}`);
    dialer.connect(`127.0.0.1:${port}`);
    await waitFor(() => activeCount(listener) === 2);
    const [victim, survivor] = listener.peers() as [Peer, Peer];
    // Make the victim's statechart throw inside an action: the actor errors, the peer is reaped.
    (victim.actor.getSnapshot().context.host as { dispatch: unknown }).dispatch = () => {
      throw new Error('boom');
    };
    victim.actor.send({ type: 'transport.message', message: { command: 'getaddr' }, size: 24 });
    await waitFor(() => crashed.length === 1);
    assert.match(crashed[0]!, /boom/);
    assert.equal(listener.peers().length, 1);
    assert.equal(survivor.state, 'active');
    dialer.connect(`127.0.0.1:${port}`);
    await waitFor(() => activeCount(listener) === 2);
    await Promise.all([dialer.shutdown(), listener.shutdown()]);
  });

  it('shuts down completely, and a second shutdown is harmless', async () => {
    const listener = new PeerSupervisor({ peer: { network } });
    const { port } = await listener.listen();
    const dialer = new PeerSupervisor({ peer: { network } });
    for (let i = 0; i < 5; i++) dialer.connect(`127.0.0.1:${port}`);
    await waitFor(() => activeCount(listener) === 5);
    const peers = [...listener.peers(), ...dialer.peers()];
    await listener.shutdown();
    await listener.shutdown();
    await dialer.shutdown();
    assert.equal(listener.peers().length, 0);
    assert.equal(dialer.peers().length, 0);
    for (const peer of peers) {
      assert.equal(peer.actor.getSnapshot().status, 'done');
      assert.equal(peer.state, 'disconnected');
    }
    assert.equal(listener.actor.getSnapshot().status, 'done');
  });

  it('handshakes 2,000 peers through two supervisors and shuts them all down', {
    timeout: 120_000,
  }, async () => {
    const count = 2000;
    const listener = new PeerSupervisor({ peer: { network }, maxInbound: count });
    const { port } = await listener.listen();
    const dialer = new PeerSupervisor({ peer: { network }, maxOutbound: count });
    let handshakes = 0;
    dialer.on('peerHandshake', () => handshakes++);
    for (let i = 0; i < count; i++) dialer.connect(`127.0.0.1:${port}`);
    await waitFor(() => handshakes === count && activeCount(listener) === count, 100_000);
    assert.equal(listener.stats().handshaken, count);
    await Promise.all([dialer.shutdown(), listener.shutdown()]);
    assert.equal(listener.peers().length + dialer.peers().length, 0);
  });
});
