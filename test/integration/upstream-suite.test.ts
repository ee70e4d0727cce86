/**
 * The scenarios of btcd's and dcrd's own peer tests (spec §4.1–§4.3), made stricter where the
 * originals are loose (TestPeerListeners there never checks which listener fired).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatedClock } from 'xstate';
import type { PeerConfig } from '../../src/peer/config.js';
import type { PeerListeners } from '../../src/peer/listeners.js';
import { NonceCache } from '../../src/peer/nonce-cache.js';
import { Peer } from '../../src/peer/peer.js';
import {
  memoryLink,
  remoteVersion,
  ScriptedRemote,
  settle,
  waitUntil,
} from '../../src/testing/scripted-remote.js';
import { socketPair } from '../../src/testing/socket-pair.js';
import type { BlockHeader, Transaction } from '../../src/wire/bitcoin/types.js';
import type { Message } from '../../src/wire/message.js';
import { bitcoinNetworks } from '../../src/wire/networks.js';

const network = bitcoinNetworks.regtest;
const own = () => ({ network, nonceCache: new NonceCache() });
const hash = (fill: number) => new Uint8Array(32).fill(fill);
const header: BlockHeader = {
  version: 1,
  prevBlock: hash(1),
  merkleRoot: hash(2),
  timestamp: 1_700_000_000,
  bits: 0x207fffff,
  nonce: 7,
};
const transaction: Transaction = {
  version: 2,
  inputs: [
    {
      previousOutput: { hash: hash(3), index: 0 },
      script: new Uint8Array([1]),
      sequence: 0xffffffff,
      witness: [],
    },
  ],
  outputs: [{ value: 5000n, script: new Uint8Array([0x51]) }],
  lockTime: 0,
};
const ipv4 = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 9]);

/** One message per listener of btcd's TestPeerListeners, and the listener that must receive it. */
const LISTENED: [keyof PeerListeners, Message][] = [
  ['onGetAddr', { command: 'getaddr' }],
  ['onAddr', { command: 'addr', addresses: [{ timestamp: 1, services: 1n, ip: ipv4, port: 8333 }] }],
  ['onPing', { command: 'ping', nonce: 42n }],
  ['onPong', { command: 'pong', nonce: 43n }],
  ['onMemPool', { command: 'mempool' }],
  ['onTx', { command: 'tx', transaction }],
  ['onBlock', { command: 'block', header, transactions: [transaction] }],
  ['onInv', { command: 'inv', inventory: [{ type: 1, hash: hash(4) }] }],
  ['onHeaders', { command: 'headers', headers: [header] }],
  ['onNotFound', { command: 'notfound', inventory: [{ type: 1, hash: hash(5) }] }],
  ['onGetData', { command: 'getdata', inventory: [{ type: 1, hash: hash(6) }] }],
  ['onGetBlocks', { command: 'getblocks', protocolVersion: 70016, locator: [hash(7)], hashStop: hash(0) }],
  ['onGetHeaders', { command: 'getheaders', protocolVersion: 70016, locator: [hash(8)], hashStop: hash(0) }],
  ['onGetCFilters', { command: 'getcfilters', filterType: 0, startHeight: 1, stopHash: hash(9) }],
  ['onGetCFHeaders', { command: 'getcfheaders', filterType: 0, startHeight: 1, stopHash: hash(9) }],
  ['onGetCFCheckpt', { command: 'getcfcheckpt', filterType: 0, stopHash: hash(9) }],
  ['onCFilter', { command: 'cfilter', filterType: 0, blockHash: hash(10), data: new Uint8Array([1, 2]) }],
  [
    'onCFHeaders',
    {
      command: 'cfheaders',
      filterType: 0,
      stopHash: hash(11),
      prevFilterHeader: hash(12),
      filterHashes: [hash(13)],
    },
  ],
  ['onCFCheckpt', { command: 'cfcheckpt', filterType: 0, stopHash: hash(14), filterHeaders: [hash(15)] }],
  ['onFeeFilter', { command: 'feefilter', feeRate: 1000n }],
  ['onFilterAdd', { command: 'filteradd', data: new Uint8Array([1, 2, 3]) }],
  ['onFilterClear', { command: 'filterclear' }],
  [
    'onFilterLoad',
    { command: 'filterload', filter: new Uint8Array([0xff]), hashFunctions: 1, tweak: 0, flags: 0 },
  ],
  [
    'onMerkleBlock',
    { command: 'merkleblock', header, totalTransactions: 1, hashes: [hash(16)], flags: new Uint8Array([1]) },
  ],
  ['onReject', { command: 'reject', message: 'tx', code: 0x10, reason: 'bad', hash: hash(17) }],
  ['onSendHeaders', { command: 'sendheaders' }],
  [
    'onAddrV2',
    {
      command: 'addrv2',
      addresses: [{ timestamp: 1, services: 1n, networkId: 1, addr: ipv4.subarray(12), port: 8333 }],
    },
  ],
];

async function connectedPair(
  outboundConfig: Partial<PeerConfig<Peer>> = {},
  inboundConfig: Partial<PeerConfig<Peer>> = {},
): Promise<[Peer, Peer]> {
  const [a, b] = socketPair();
  const outbound = Peer.outbound({ ...own(), ...outboundConfig }, '10.0.0.2:8333', a);
  const inbound = Peer.inbound({ ...own(), ...inboundConfig }, b);
  await waitUntil(() => outbound.state === 'active' && inbound.state === 'active');
  return [outbound, inbound];
}

async function closeAll(...peers: Peer[]): Promise<void> {
  for (const peer of peers) peer.disconnect();
  await Promise.all(peers.map((peer) => peer.waitForDisconnect()));
}

describe('btcd/dcrd upstream peer tests, made stricter', () => {
  it('TestPeerListeners: every message reaches its own listener with its own type', async () => {
    const calls: [string, string][] = [];
    const listeners: PeerListeners<Peer> = {};
    for (const [name] of LISTENED) {
      (listeners as Record<string, unknown>)[name] = (_peer: Peer, message: Message) =>
        calls.push([name, message.command]);
    }
    const [outbound, inbound] = await connectedPair({}, { listeners });
    for (const [, message] of LISTENED) assert.equal(await outbound.queueMessage(message), 'sent');
    await waitUntil(() => calls.length === LISTENED.length);
    assert.deepEqual(
      calls,
      LISTENED.map(([name, message]) => [name, message.command]),
    );
    assert.equal(inbound.state, 'active');
    await closeAll(outbound, inbound);
  });

  it('TestPeerConnection: versions, services, user agent, addrv2 and witness flags, stats agree', async () => {
    const [outbound, inbound] = await connectedPair(
      { protocolVersion: 70015, services: 9n, userAgentName: 'peer', userAgentVersion: '1.0' },
      { services: 1n },
    );
    for (const peer of [outbound, inbound]) {
      assert.equal(peer.protocolVersion, 70015);
      assert.ok(peer.versionKnown && peer.verAckReceived && peer.connected);
      assert.equal(peer.wantsAddrV2, false, 'sendaddrv2 needs 70016 on both sides');
      const stats = peer.statsSnapshot();
      assert.equal(stats.lastPingNonce, 0n);
      assert.equal(stats.lastPingMicros, 0);
      assert.equal(stats.id, peer.id);
      assert.equal(stats.address, peer.address);
    }
    assert.equal(inbound.isWitnessEnabled, true, 'the outbound side advertised NODE_WITNESS');
    assert.equal(outbound.isWitnessEnabled, false);
    assert.equal(inbound.userAgent, '/peerchart:0.1.0/peer:1.0/');
    assert.equal(outbound.statsSnapshot().bytesSent, inbound.statsSnapshot().bytesReceived);
    await closeAll(outbound, inbound);

    const [modernOut, modernIn] = await connectedPair();
    assert.equal(modernOut.wantsAddrV2 && modernIn.wantsAddrV2, true, 'both at 70016');
    await closeAll(modernOut, modernIn);
  });

  it('TestOutboundPeer: a failing NewestBlock ends the handshake; queueing afterwards is a no-op', async () => {
    const [a, b] = socketPair();
    b.resume();
    const peer = Peer.outbound(
      {
        ...own(),
        newestBlock: () => {
          throw new Error('no chain');
        },
      },
      '10.0.0.2:8333',
      a,
    );
    const result = await peer.waitForDisconnect();
    assert.equal(result.reason, 'newest-block-failed');
    assert.equal(await peer.queueMessage({ command: 'getaddr' }), 'dropped');
    peer.queueInventory({ type: 1, hash: hash(1) });
    peer.addKnownInventory({ type: 1, hash: hash(2) });
    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'newest-block-failed', 'the first reason stays');
  });

  it('TestDisconnectBeforeAssociateConnection: disconnect while dialling, twice, then wait', async () => {
    const clock = new SimulatedClock();
    const peer = Peer.outbound({ ...own(), clock }, '127.0.0.1:1'); // dials; nothing listens
    peer.disconnect();
    peer.disconnect();
    const result = await peer.waitForDisconnect();
    assert.ok(['local-request', 'dial-failed'].includes(result.reason), result.reason);
    assert.equal(peer.connected, false);
  });

  it('TestUnsupportedVersionPeer: a version-1 remote is dropped and sent nothing further', async () => {
    const link = await memoryLink();
    const remote = new ScriptedRemote(link.remoteSocket, network);
    const peer = Peer.outbound(own(), '10.0.0.2:8333', link.peerSocket);
    await remote.waitFor('version');
    remote.send(remoteVersion({ protocolVersion: 1 }), 1);
    assert.equal((await peer.waitForDisconnect()).reason, 'protocol-too-old');
    await settle();
    assert.deepEqual(
      remote.received.map((message) => message.command),
      ['version'],
      'no verack and no reject (the remote is below 70002)',
    );
  });

  it('TestUpdateLastBlockHeight: starts at the advertised height and only moves forward', async () => {
    const link = await memoryLink();
    const remote = new ScriptedRemote(link.remoteSocket, network);
    const peer = Peer.inbound(own(), link.peerSocket);
    remote.send(remoteVersion({ lastBlock: 100 }));
    await remote.waitFor('verack');
    remote.send({ command: 'verack' });
    await waitUntil(() => peer.state === 'active');
    assert.equal(peer.statsSnapshot().lastBlock, 100);
    peer.updateLastBlockHeight(99);
    assert.equal(peer.statsSnapshot().lastBlock, 100);
    peer.updateLastBlockHeight(101);
    assert.equal(peer.statsSnapshot().lastBlock, 101);
    await closeAll(peer);
  });

  it('a pong with a stale nonce does not count as an answer', async () => {
    const clock = new SimulatedClock();
    clock.set(Date.now());
    const link = await memoryLink();
    const remote = new ScriptedRemote(link.remoteSocket, network);
    const peer = Peer.inbound({ ...own(), clock }, link.peerSocket);
    remote.send(remoteVersion());
    await remote.waitFor('verack');
    remote.send({ command: 'verack' });
    await waitUntil(() => peer.state === 'active');
    const from = remote.received.length;
    clock.increment(120_000);
    const ping = (await remote.waitFor('ping', from)) as { nonce: bigint };
    assert.equal(peer.lastPingNonce, ping.nonce);
    remote.send({ command: 'pong', nonce: ping.nonce + 1n });
    await settle(10);
    assert.equal(peer.lastPingNonce, ping.nonce, 'still waiting for the right nonce');
    assert.equal(peer.lastPingMicros, 0);
    clock.increment(5);
    remote.send({ command: 'pong', nonce: ping.nonce });
    await waitUntil(() => peer.lastPingNonce === 0n);
    assert.ok(peer.lastPingMicros >= 5000, `RTT ${peer.lastPingMicros} µs`);
    await closeAll(peer);
  });
});
