/**
 * Sessions with bcoin 1.0.2, an independent JavaScript full node (regtest, in this process, over
 * loopback TCP), in both directions: handshake, ping/pong with round-trip times on both sides,
 * inventory both ways (a block it mines; a transaction we announce), disconnects from either end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Peer } from '../../../src/peer/peer.js';
import { blockHash } from '../../../src/wire/bitcoin/chain.js';
import { InvType } from '../../../src/wire/bitcoin/types.js';
import { hashToHex } from '../../../src/wire/hex.js';
import { loadBcoin, skipUnless } from '../support/partners.js';
import { dial, Listener, type Session } from '../support/sessions.js';
import { type Traffic, waitFor } from '../support/wait.js';
import { BcoinNode } from './node.js';

const bcoin = loadBcoin();

function localAddressOf(peer: Peer): string {
  const local = peer.localAddress;
  assert.ok(local, 'the peer has a socket');
  return local.replace(/^::ffff:/, '');
}

describe('bcoin 1.0.2 full node: handshake, ping, inventory, disconnects', {
  skip: skipUnless(bcoin !== undefined, 'bcoin'),
  timeout: 60_000,
}, () => {
  let node: BcoinNode;
  const sessions: Session[] = [];
  const listeners: Listener[] = [];

  before(async () => {
    assert.ok(bcoin, 'bcoin is required in CI; run bash test/interop/install-partners.sh');
    node = new BcoinNode(bcoin);
    await node.start();
    // A recent tip makes it "synced": only then does it announce blocks and fetch transactions.
    await node.mine(1);
  });
  afterEach(async () => {
    await Promise.all([
      ...sessions.splice(0).map((session) => session.close()),
      ...listeners.splice(0).map((listener) => listener.close()),
    ]);
    await waitFor(() => node.peers().length === 0, 'bcoin has let go of every peer');
  });
  after(() => node?.stop());

  /** We dial it; resolves with our session and its Peer object for the same connection. */
  async function dialNode(overrides: Parameters<typeof dial>[1] = {}) {
    const session = await dial(`127.0.0.1:${node.p2pPort}`, overrides);
    sessions.push(session);
    const theirs = await node.handshakenPeer(localAddressOf(session.peer));
    return { ...session, theirs };
  }

  /** It dials us (RPC addnode … onetry). */
  async function dialledByNode(overrides: Parameters<typeof Listener.open>[0] = {}) {
    const listener = await Listener.open(overrides);
    listeners.push(listener);
    await node.rpc('addnode', listener.address, 'onetry');
    const peer = await listener.handshakenPeer();
    const theirs = await node.handshakenPeer(listener.address);
    return { listener, peer, traffic: listener.traffic, theirs };
  }

  function assertItsVersion(peer: Peer): void {
    assert.equal(peer.protocolVersion, 70015, 'min(our 70016, its 70015)');
    assert.equal(peer.remoteVersion?.protocolVersion, 70015);
    assert.equal(peer.services, 0x9n, 'NETWORK | WITNESS');
    assert.equal(peer.userAgent, '/bcoin:v1.0.2/');
    assert.equal(peer.remoteVersion?.lastBlock, node.height);
    assert.equal(peer.remoteVersion?.relay, true);
    // Below 70016 there is no sendaddrv2, from either side.
    assert.equal(peer.wantsAddrV2, false);
  }

  function assertOurVersion(theirs: any): void {
    assert.equal(theirs.version, 70016);
    assert.equal(theirs.services, 0x9);
    assert.equal(theirs.agent, '/peerchart:0.1.0/interop:1/');
    assert.equal(theirs.noRelay, false);
  }

  /** Our ping gets its pong (RTT here); its ping gets ours (RTT there). */
  async function assertPingBothWays(peer: Peer, traffic: Traffic, theirs: any): Promise<void> {
    await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');
    // bcoin pings every 30 s; ask it to ping now.
    const from = traffic.received.length;
    theirs.sendPing();
    const challenge: bigint = theirs.challenge.readBigUInt64LE(0);
    const ping = await traffic.next('ping', { from });
    assert.equal(ping.nonce, challenge);
    await waitFor(() => theirs.lastPong > 0 && theirs.challenge === null, 'its pong matched');
    assert.ok(theirs.minPing >= 0, 'it measured a round trip');
  }

  /** A block it mines is announced by inv and fetched; a transaction we announce is requested. */
  async function assertInventoryBothWays(peer: Peer, traffic: Traffic): Promise<void> {
    let from = traffic.received.length;
    const [hash] = await node.mine(1);
    const inv = await traffic.next('inv', { from });
    assert.deepEqual(
      inv.inventory.map((item) => [item.type, hashToHex(item.hash)]),
      [[InvType.block, hash]],
    );
    await peer.queueMessage({
      command: 'getdata',
      inventory: [{ type: InvType.witnessBlock, hash: inv.inventory[0]!.hash }],
    });
    const block = await traffic.next('block', { from });
    assert.equal(hashToHex(blockHash(block.header)), hash);
    assert.equal(block.transactions.length, 1);

    // Our announcement goes through the trickle; it wants the transaction and asks for it.
    from = traffic.received.length;
    const tx = { type: InvType.tx, hash: new Uint8Array(randomBytes(32)) };
    peer.queueInventory(tx);
    const getdata = await traffic.next('getdata', { from });
    assert.equal(getdata.inventory.length, 1);
    assert.equal(hashToHex(getdata.inventory[0]!.hash), hashToHex(tx.hash));
    assert.equal(getdata.inventory[0]!.type, InvType.witnessTx, 'witness peers ask for witness txs');
    assert.equal(await peer.queueMessage({ command: 'notfound', inventory: getdata.inventory }), 'sent');
  }

  it('we dial it: version 70015, services and agent as advertised; sendcmpct and getaddr after verack', async () => {
    const { peer, traffic, theirs } = await dialNode();
    assertItsVersion(peer);
    assertOurVersion(theirs);
    assert.equal(theirs.outbound, false);
    assert.deepEqual(traffic.written.slice(0, 2), ['version', 'verack']);
    const sendcmpct = await traffic.next('sendcmpct');
    assert.equal(sendcmpct.version, 2n, 'compact blocks with witness');
    await traffic.next('getaddr');
    assert.equal(peer.state, 'active');
  });

  it('we dial it: ping and pong both ways, each side measures the round trip', async () => {
    const { peer, traffic, theirs } = await dialNode({ pingIntervalMs: 100 });
    await assertPingBothWays(peer, traffic, theirs);
  });

  it('we dial it: a mined block is announced and fetched; a transaction we announce is requested', async () => {
    const { peer, traffic } = await dialNode({ trickleIntervalMs: 50 });
    await assertInventoryBothWays(peer, traffic);
  });

  it('we dial it and disconnect: local-request here, and bcoin drops us', async () => {
    const { peer } = await dialNode();
    const address = localAddressOf(peer);
    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'local-request');
    await waitFor(() => node.peer(address) === undefined, 'bcoin drops us');
  });

  it('we dial it and it disconnects us (disconnectnode): remote-closed', async () => {
    const { peer } = await dialNode();
    await node.rpc('disconnectnode', localAddressOf(peer));
    assert.equal((await peer.waitForDisconnect()).reason, 'remote-closed');
  });

  it('it dials us (addnode onetry): version and agent as advertised; sendcmpct, getaddr and getblocks', async () => {
    const { peer, traffic, theirs } = await dialledByNode();
    assert.ok(peer.inbound);
    assertItsVersion(peer);
    assertOurVersion(theirs);
    assert.equal(theirs.outbound, true);
    assert.deepEqual(traffic.written.slice(0, 2), ['version', 'verack']);
    await traffic.next('sendcmpct');
    await traffic.next('getaddr');
    // It syncs with getblocks (not getheaders), from our genesis-only tip.
    const getblocks = await traffic.next('getblocks');
    assert.ok(getblocks.locator.length > 0);
  });

  it('it dials us: ping and pong both ways, and inventory both ways', async () => {
    const { peer, traffic, theirs } = await dialledByNode({ pingIntervalMs: 100, trickleIntervalMs: 50 });
    await assertPingBothWays(peer, traffic, theirs);
    await assertInventoryBothWays(peer, traffic);
  });

  it('it dials us and we disconnect: local-request here, and bcoin drops us', async () => {
    const { listener, peer } = await dialledByNode();
    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'local-request');
    await waitFor(() => node.peer(listener.address) === undefined, 'bcoin drops us');
  });

  it('it dials us and disconnects (disconnectnode): remote-closed', async () => {
    const { listener, peer } = await dialledByNode();
    await node.rpc('disconnectnode', listener.address);
    assert.equal((await peer.waitForDisconnect()).reason, 'remote-closed');
  });
});
