/**
 * Sessions with a real Bitcoin Core 0.21 P2P stack (litecoind on regtest, Bitcoin's magic) over
 * loopback, in both directions: handshake, the messages Core sends around verack, ping/pong with
 * round-trip times on both sides, and disconnects from either end. One node serves every test.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Peer } from '../../../src/peer/peer.js';
import type { Message } from '../../../src/wire/message.js';
import { skipUnless } from '../support/partners.js';
import { dial, Listener, type Session } from '../support/sessions.js';
import { type Traffic, waitFor } from '../support/wait.js';
import { INSTALL_HINT, LitecoinNode, litecoindAvailable, type PeerInfo } from './node.js';

const available = litecoindAvailable();

interface NetworkInfo {
  protocolversion: number;
  localservices: string;
  subversion: string;
}

/** Our entry in litecoind's getpeerinfo: `address` is how it sees us (host:port). */
async function theirViewOf(node: LitecoinNode, address: string): Promise<PeerInfo | undefined> {
  return (await node.peerInfo()).find((info) => info.addr === address);
}

function localAddressOf(peer: Peer): string {
  const local = peer.localAddress;
  assert.ok(local, 'the peer has a socket');
  return local.replace(/^::ffff:/, '');
}

/** Everything Core sends right after the handshake, whichever side dialled. */
async function assertCoreControlMessages(traffic: Traffic): Promise<void> {
  await waitFor(
    () => traffic.received.filter((message) => message.command === 'sendcmpct').length === 3,
    'sendcmpct v3, v2 and v1',
  );
  const sendcmpct = traffic.received.filter(
    (message): message is Extract<Message, { command: 'sendcmpct' }> => message.command === 'sendcmpct',
  );
  // Version 3 is Litecoin's MWEB flavour of BIP152; 2 and 1 are Bitcoin's.
  assert.deepEqual(
    sendcmpct.map((message) => message.version),
    [3n, 2n, 1n],
  );
  assert.ok(sendcmpct.every((message) => message.announce === false));
  const feefilter = await traffic.next('feefilter');
  assert.ok(feefilter.feeRate > 0n, 'a positive minimum fee rate');
  await traffic.next('sendheaders');
}

describe('litecoind 0.21 (Bitcoin Core P2P): handshake, ping, disconnects', {
  skip: skipUnless(available, 'litecoind'),
  timeout: 60_000,
}, () => {
  const node = new LitecoinNode();
  let info: NetworkInfo;
  const sessions: Session[] = [];
  const listeners: Listener[] = [];

  before(async () => {
    assert.ok(available, `litecoind is required in CI; ${INSTALL_HINT}`);
    await node.start();
    info = await node.rpc<NetworkInfo>('getnetworkinfo');
  });
  // Each test closes what it opened: Core syncs headers from one peer at a time while it has
  // no recent block, so a lingering connection would change what the next one is sent.
  afterEach(async () => {
    await Promise.all([
      ...sessions.splice(0).map((session) => session.close()),
      ...listeners.splice(0).map((listener) => listener.close()),
    ]);
    await waitFor(async () => (await node.peerInfo()).length === 0, 'litecoind has let go of every peer');
  });
  after(() => node.stop());

  async function dialNode(overrides: Parameters<typeof dial>[1] = {}): Promise<Session> {
    const session = await dial(`127.0.0.1:${node.p2pPort}`, overrides);
    sessions.push(session);
    return session;
  }

  /** A listener that litecoind dials once (`addnode … onetry`), with the accepted peer. */
  async function dialledByNode(
    overrides: Parameters<typeof Listener.open>[0] = {},
  ): Promise<{ listener: Listener; peer: Peer }> {
    const listener = await Listener.open(overrides);
    listeners.push(listener);
    await node.rpc('addnode', listener.address, 'onetry');
    return { listener, peer: await listener.handshakenPeer() };
  }

  it('we dial it: negotiated version and services as advertised, wtxidrelay and sendaddrv2 before verack, then sendheaders, sendcmpct, feefilter', async () => {
    const { peer, traffic } = await dialNode();
    assert.equal(info.protocolversion, 70016);
    assert.equal(peer.protocolVersion, 70016, 'min(ours, theirs)');
    const version = peer.remoteVersion!;
    assert.equal(version.protocolVersion, info.protocolversion);
    assert.equal(version.services, BigInt(`0x${info.localservices}`), 'services as getnetworkinfo reports');
    assert.equal(version.services & 0x409n, 0x409n, 'NETWORK | WITNESS | NETWORK_LIMITED');
    assert.equal(version.userAgent, info.subversion);
    assert.equal(version.lastBlock, await node.rpc<number>('getblockcount'));
    assert.equal(version.relay, true);

    // Core sends wtxidrelay and sendaddrv2 between version and verack: both accepted, the first
    // handed to the application as the first message, the second recorded as addrv2 support.
    assert.equal(traffic.received[0]?.command, 'wtxidrelay');
    assert.ok(peer.wantsAddrV2, 'sendaddrv2 negotiated');
    await assertCoreControlMessages(traffic);
    assert.ok(peer.wantsHeaders, 'its sendheaders was recorded');
    assert.deepEqual(traffic.written.slice(0, 3), ['version', 'sendaddrv2', 'verack']);

    const them = await theirViewOf(node, localAddressOf(peer));
    assert.ok(them, 'litecoind lists us');
    assert.equal(them.inbound, true);
    assert.equal(them.version, 70016);
    assert.equal(them.services, '0000000000000009');
    assert.equal(them.subver, '/peerchart:0.1.0/interop:1/');
    assert.equal(them.relaytxes, true);
    assert.ok(them.bytesrecv_per_msg.sendaddrv2, 'it received our sendaddrv2');
    assert.equal(peer.state, 'active');
  });

  it('we dial it: ping and pong both ways, each side measures the round trip', async () => {
    const { peer, traffic } = await dialNode({ pingIntervalMs: 100 });
    // Its ping comes right after the handshake; our pong gives it a round-trip time.
    const theirPing = await traffic.next('ping');
    await waitFor(
      async () => ((await theirViewOf(node, localAddressOf(peer)))?.pingtime ?? 0) > 0,
      'its pingtime',
    );
    // Our pinger's ping, answered by its pong, gives us one.
    // Polled: the RTT is kept in whole milliseconds, so a sub-millisecond round trip reads 0.
    await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');
    // An application ping gets a pong with the same nonce.
    const from = traffic.received.length;
    assert.equal(await peer.queueMessage({ command: 'ping', nonce: 0xabcdef0123n }), 'sent');
    await traffic.next('pong', { from, match: (pong) => pong.nonce === 0xabcdef0123n });
    assert.ok(traffic.written.includes('pong'), `we answered its ping ${theirPing.nonce}`);
    assert.equal(peer.state, 'active');
  });

  it('we dial it: everything we send is protocol to it: after our whole repertoire it neither drops nor bans us', async () => {
    const { peer, traffic } = await dialNode();
    await traffic.next('sendheaders');
    const genesis = await node.rpc<string>('getblockhash', 0);
    const genesisHash = Uint8Array.from(Buffer.from(genesis, 'hex').reverse());
    const ipv4 = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 8, 7]);
    // Not mempool: Core disconnects a peer that asks for it while NODE_BLOOM is off (its policy).
    const repertoire: Message[] = [
      { command: 'sendheaders' },
      { command: 'feefilter', feeRate: 1000n },
      { command: 'ping', nonce: 7n },
      { command: 'getaddr' },
      { command: 'getheaders', protocolVersion: 70016, locator: [genesisHash], hashStop: new Uint8Array(32) },
      { command: 'getblocks', protocolVersion: 70016, locator: [genesisHash], hashStop: new Uint8Array(32) },
      { command: 'getdata', inventory: [{ type: 0x40000002, hash: genesisHash }] },
      { command: 'inv', inventory: [{ type: 1, hash: new Uint8Array(32).fill(0x42) }] },
      { command: 'notfound', inventory: [{ type: 1, hash: new Uint8Array(32).fill(0x43) }] },
      {
        command: 'addrv2',
        addresses: [
          {
            timestamp: Math.floor(Date.now() / 1000),
            services: 1n,
            networkId: 1,
            addr: ipv4.subarray(12),
            port: 8333,
          },
        ],
      },
    ];
    for (const message of repertoire) assert.equal(await peer.queueMessage(message), 'sent', message.command);
    // It answers what asks for an answer: the genesis block, a pong.
    await traffic.next('block');
    await traffic.next('pong', { match: (pong) => pong.nonce === 7n });
    const them = await theirViewOf(node, localAddressOf(peer));
    assert.ok(them, 'still connected');
    assert.deepEqual(await node.rpc('listbanned'), [], 'and not banned');
    assert.equal(peer.state, 'active');
  });

  it('we dial it and disconnect: local-request here, and litecoind drops us from getpeerinfo', async () => {
    const { peer } = await dialNode();
    const address = localAddressOf(peer);
    assert.ok(await theirViewOf(node, address));
    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'local-request');
    await waitFor(async () => (await theirViewOf(node, address)) === undefined, 'litecoind drops us');
  });

  it('we dial it and it disconnects us (disconnectnode): remote-closed', async () => {
    const { peer } = await dialNode();
    await node.rpc('disconnectnode', localAddressOf(peer));
    assert.equal((await peer.waitForDisconnect()).reason, 'remote-closed');
  });

  it('it dials us (addnode onetry): version and services as advertised, early messages, getaddr and getheaders', async () => {
    const { listener, peer } = await dialledByNode();
    const { traffic } = listener;
    assert.ok(peer.inbound);
    assert.equal(peer.protocolVersion, 70016);
    assert.equal(peer.services, BigInt(`0x${info.localservices}`));
    assert.equal(peer.userAgent, info.subversion);
    assert.ok(peer.wantsAddrV2);
    assert.equal(traffic.received[0]?.command, 'wtxidrelay');
    await assertCoreControlMessages(traffic);
    // As the dialling side it asks for addresses, and syncs headers from a NODE_NETWORK peer.
    await traffic.next('getaddr');
    await traffic.next('getheaders');
    assert.deepEqual(traffic.written.slice(0, 3), ['version', 'sendaddrv2', 'verack']);

    const them = await theirViewOf(node, listener.address);
    assert.ok(them);
    assert.equal(them.inbound, false);
    assert.equal(them.connection_type, 'manual');
    assert.equal(them.version, 70016);
    assert.equal(them.subver, '/peerchart:0.1.0/interop:1/');
  });

  it('it dials us: ping and pong both ways, each side measures the round trip', async () => {
    const { listener, peer } = await dialledByNode({ pingIntervalMs: 100 });
    await listener.traffic.next('ping');
    await waitFor(
      async () => ((await theirViewOf(node, listener.address))?.pingtime ?? 0) > 0,
      'its pingtime',
    );
    await waitFor(() => peer.lastPingMicros > 0, 'our round-trip time');
    const from = listener.traffic.received.length;
    await peer.queueMessage({ command: 'ping', nonce: 42n });
    await listener.traffic.next('pong', { from, match: (pong) => pong.nonce === 42n });
  });

  it('it dials us and we disconnect: local-request here, and litecoind drops us', async () => {
    const { listener, peer } = await dialledByNode();
    peer.disconnect();
    assert.equal((await peer.waitForDisconnect()).reason, 'local-request');
    await waitFor(
      async () => (await theirViewOf(node, listener.address)) === undefined,
      'litecoind drops us',
    );
    assert.deepEqual(
      listener.removed.map((result) => result.reason),
      ['local-request'],
    );
  });

  it('it dials us and disconnects (disconnectnode): remote-closed', async () => {
    const { listener, peer } = await dialledByNode();
    await node.rpc('disconnectnode', listener.address);
    assert.equal((await peer.waitForDisconnect()).reason, 'remote-closed');
  });
});
